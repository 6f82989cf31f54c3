//! Services and tasks: the objects of the cluster store that the orchestrator works on.
//!
//! The shapes follow swarmkit's `api/specs.proto` and `api/objects.proto` as the Engine API
//! shows them (`docker service inspect`, `docker inspect TASK`): a [`ServiceSpec`] is what the
//! user asked for, a [`Service`] is the stored object (spec, previous spec, update status), a
//! [`Task`] is one scheduled instance with a desired and an observed [`TaskState`].
//!
//! Durations are milliseconds; `None` means "not set" where the API distinguishes that from
//! zero (the daemon fills the defaults of [`defaults`] when it reads them).

use std::collections::BTreeMap;

use crate::catalog::HealthConfig;
use crate::time::SimTime;

/// Defaults the daemon and swarmkit fill in (spec §3.4, §4, §5.1).
pub mod defaults {
    /// `--restart-delay`.
    pub const RESTART_DELAY_MS: u64 = 5_000;
    /// `--stop-grace-period`.
    pub const STOP_GRACE_MS: u64 = 10_000;
    /// `--update-monitor` / `--rollback-monitor`.
    pub const MONITOR_MS: u64 = 5_000;
    /// Health check interval, timeout, start interval, retries.
    pub const HEALTH_INTERVAL_MS: u64 = 30_000;
    /// Health check timeout.
    pub const HEALTH_TIMEOUT_MS: u64 = 30_000;
    /// Interval between probes during the start period.
    pub const HEALTH_START_INTERVAL_MS: u64 = 5_000;
    /// Consecutive failures that make a container unhealthy.
    pub const HEALTH_RETRIES: u32 = 3;
    /// Cluster default task history retention.
    pub const TASK_HISTORY: i64 = 5;
}

/// How a service runs its tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `--mode replicated --replicas N`.
    Replicated {
        /// Desired replicas.
        replicas: u64,
    },
    /// `--mode global`: one task per eligible node.
    Global,
    /// `--mode replicated-job`.
    ReplicatedJob {
        /// `--max-concurrent` (default: replicas).
        max_concurrent: u64,
        /// `--replicas` (total completions, default 1).
        total_completions: u64,
    },
    /// `--mode global-job`.
    GlobalJob,
}

impl Mode {
    /// `service ls` MODE column: `replicated`, `global`, `replicated job`, `global job`.
    pub fn display(&self) -> &'static str {
        match self {
            Mode::Replicated { .. } => "replicated",
            Mode::Global => "global",
            Mode::ReplicatedJob { .. } => "replicated job",
            Mode::GlobalJob => "global job",
        }
    }

    /// True for the two job modes.
    pub fn is_job(&self) -> bool {
        matches!(self, Mode::ReplicatedJob { .. } | Mode::GlobalJob)
    }

    /// True for global and global-job.
    pub fn is_global(&self) -> bool {
        matches!(self, Mode::Global | Mode::GlobalJob)
    }
}

/// `--restart-condition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartCondition {
    /// Never replace.
    None,
    /// Replace unless the task completed (exit 0).
    OnFailure,
    /// Always replace.
    Any,
}

impl RestartCondition {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            RestartCondition::None => "none",
            RestartCondition::OnFailure => "on-failure",
            RestartCondition::Any => "any",
        }
    }

    /// Parses the API/CLI string.
    pub fn parse(s: &str) -> Option<RestartCondition> {
        match s {
            "none" => Some(RestartCondition::None),
            "on-failure" => Some(RestartCondition::OnFailure),
            "any" => Some(RestartCondition::Any),
            _ => None,
        }
    }
}

/// `--restart-*`. `None` fields were not given (daemon defaults apply).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestartPolicy {
    /// Condition (default any).
    pub condition: Option<RestartCondition>,
    /// Delay before a replacement starts (default 5 s).
    pub delay_ms: Option<u64>,
    /// Restarts allowed per slot and spec version (0 = unlimited).
    pub max_attempts: Option<u64>,
    /// Window in which restarts count (0 = unbounded).
    pub window_ms: Option<u64>,
}

impl RestartPolicy {
    /// The effective condition.
    pub fn condition(&self) -> RestartCondition {
        self.condition.unwrap_or(RestartCondition::Any)
    }

    /// The effective delay.
    pub fn delay_ms(&self) -> u64 {
        self.delay_ms.unwrap_or(defaults::RESTART_DELAY_MS)
    }
}

/// `--update-failure-action` / `--rollback-failure-action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureAction {
    /// Stop updating (`paused`).
    Pause,
    /// Ignore failures.
    Continue,
    /// Roll back to the previous spec (updates only).
    Rollback,
}

impl FailureAction {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureAction::Pause => "pause",
            FailureAction::Continue => "continue",
            FailureAction::Rollback => "rollback",
        }
    }

    /// Parses the API/CLI string.
    pub fn parse(s: &str) -> Option<FailureAction> {
        match s {
            "pause" => Some(FailureAction::Pause),
            "continue" => Some(FailureAction::Continue),
            "rollback" => Some(FailureAction::Rollback),
            _ => None,
        }
    }
}

/// `--update-order` / `--rollback-order`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOrder {
    /// Stop the old task, then start the new one.
    StopFirst,
    /// Start the new task, then stop the old one.
    StartFirst,
}

impl UpdateOrder {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateOrder::StopFirst => "stop-first",
            UpdateOrder::StartFirst => "start-first",
        }
    }

    /// Parses the API/CLI string.
    pub fn parse(s: &str) -> Option<UpdateOrder> {
        match s {
            "stop-first" => Some(UpdateOrder::StopFirst),
            "start-first" => Some(UpdateOrder::StartFirst),
            _ => None,
        }
    }
}

/// `UpdateConfig` / `RollbackConfig`.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateConfig {
    /// Slots updated at once (0 = all).
    pub parallelism: u64,
    /// Wait after each batch.
    pub delay_ms: u64,
    /// What a failure does.
    pub failure_action: FailureAction,
    /// How long a new task is watched after it starts.
    pub monitor_ms: u64,
    /// Fraction of updated slots allowed to fail.
    pub max_failure_ratio: f64,
    /// Stop-first or start-first.
    pub order: UpdateOrder,
}

impl Default for UpdateConfig {
    fn default() -> Self {
        UpdateConfig {
            parallelism: 1,
            delay_ms: 0,
            failure_action: FailureAction::Pause,
            monitor_ms: defaults::MONITOR_MS,
            max_failure_ratio: 0.0,
            order: UpdateOrder::StopFirst,
        }
    }
}

/// A published port (`--publish`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortConfig {
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// Container port.
    pub target: u16,
    /// Published port (0: assigned from 30000+ for ingress).
    pub published: u16,
    /// `ingress` or `host`.
    pub mode: String,
}

/// A service's healthcheck override (`--health-*`, `--no-healthcheck`), over the image's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthOverride {
    /// `["CMD-SHELL", cmd]`, `["NONE"]`, or empty (keep the image's test).
    pub test: Vec<String>,
    /// Interval (0: image's or default).
    pub interval_ms: u64,
    /// Timeout.
    pub timeout_ms: u64,
    /// Start period.
    pub start_period_ms: u64,
    /// Start interval.
    pub start_interval_ms: u64,
    /// Retries.
    pub retries: u32,
}

/// Resource reservations and limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    /// `--reserve-cpu` in nano-CPUs.
    pub reserve_nano_cpus: i64,
    /// `--reserve-memory` in bytes.
    pub reserve_memory: i64,
    /// `--limit-cpu` in nano-CPUs.
    pub limit_nano_cpus: i64,
    /// `--limit-memory` in bytes.
    pub limit_memory: i64,
    /// `--limit-pids`.
    pub limit_pids: i64,
    /// The spec has no `Limits` at all: a stack file that declares no `limits` (docker/cli's
    /// convertResources sets only what the file has; `service create` sends both).
    pub no_limits: bool,
    /// The spec has no `Reservations` at all (as `no_limits`).
    pub no_reservations: bool,
}

/// A mount (`--mount`), kept as given for issue 8's volumes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mount {
    /// `volume`, `bind` or `tmpfs`.
    pub kind: String,
    /// Volume name or host path.
    pub source: String,
    /// Path in the container.
    pub target: String,
    /// Read-only.
    pub read_only: bool,
    /// `VolumeOptions.Labels`: labels of the volume created on first use (a stack's
    /// `com.docker.stack.namespace`, `--mount volume-label=…`).
    pub labels: BTreeMap<String, String>,
}

/// A secret or config reference (`--secret`, `--config`, compose `secrets:`/`configs:`):
/// `SecretName`/`ConfigName`, the ID, and `File {Name, UID, GID, Mode}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    /// The secret's/config's name.
    pub source: String,
    /// Its ID (resolved from the name by the client, as the docker CLI does).
    pub id: String,
    /// `File.Name`: the target as given (defaults to the name); relative targets are under
    /// `/run/secrets/` for secrets and `/` for configs
    /// ([`crate::objects::ObjectKind::mount_path`]).
    pub target: String,
    /// `File.UID` (`"0"`).
    pub uid: String,
    /// `File.GID` (`"0"`).
    pub gid: String,
    /// `File.Mode` (`0o444`).
    pub mode: u32,
}

impl Default for FileRef {
    fn default() -> FileRef {
        FileRef {
            source: String::new(),
            id: String::new(),
            target: String::new(),
            uid: "0".into(),
            gid: "0".into(),
            mode: 0o444,
        }
    }
}

/// What the user asked for: `docker service create`'s flags, the compose `deploy` section.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSpec {
    /// Service name.
    pub name: String,
    /// Service labels.
    pub labels: BTreeMap<String, String>,
    /// Image reference, pinned to a digest when the registry answered (`nginx:latest@sha256:…`).
    pub image: String,
    /// `--entrypoint` (ContainerSpec.Command).
    pub command: Vec<String>,
    /// The command after the image (ContainerSpec.Args).
    pub args: Vec<String>,
    /// `--env`.
    pub env: Vec<String>,
    /// `--workdir`.
    pub workdir: String,
    /// `--user`.
    pub user: String,
    /// `--hostname` (a template such as `{{.Node.Hostname}}` is kept as given).
    pub hostname: String,
    /// `--container-label`.
    pub container_labels: BTreeMap<String, String>,
    /// `--init` (the CLI always sends it on create).
    pub init: Option<bool>,
    /// `--tty`.
    pub tty: bool,
    /// `--stop-grace-period`.
    pub stop_grace_ms: Option<u64>,
    /// `--stop-signal`.
    pub stop_signal: String,
    /// Healthcheck override.
    pub healthcheck: Option<HealthOverride>,
    /// `--mount`.
    pub mounts: Vec<Mount>,
    /// `--secret`.
    pub secrets: Vec<FileRef>,
    /// `--config`.
    pub configs: Vec<FileRef>,
    /// Reservations and limits.
    pub resources: Resources,
    /// Restart policy.
    pub restart: RestartPolicy,
    /// `--constraint`, as given.
    pub constraints: Vec<String>,
    /// `--placement-pref` spread descriptors (`node.labels.zone`).
    pub preferences: Vec<String>,
    /// `--replicas-max-per-node` (0 = no limit).
    pub max_replicas_per_node: u64,
    /// Platforms from the image's manifest (`os/arch`).
    pub platforms: Vec<(String, String)>,
    /// Networks (names or IDs as given; issue 7 resolves them).
    pub networks: Vec<String>,
    /// Extra DNS names of the service on some of its networks (`--network name=N,alias=A`,
    /// compose `networks: {N: {aliases: […]}}`), keyed by the entry of `networks` they go
    /// with; a network without aliases has no entry.
    pub network_aliases: BTreeMap<String, Vec<String>>,
    /// Replicated, global or a job.
    pub mode: Mode,
    /// `UpdateConfig`, if any flag set it.
    pub update: Option<UpdateConfig>,
    /// `RollbackConfig`, if any flag set it.
    pub rollback: Option<UpdateConfig>,
    /// `--endpoint-mode` (`vip` or `dnsrr`).
    pub endpoint_mode: String,
    /// Published ports.
    pub ports: Vec<PortConfig>,
    /// `--force` counter (TaskTemplate.ForceUpdate).
    pub force_update: u64,
}

impl ServiceSpec {
    /// A spec with the daemon's defaults for everything but the name and image.
    pub fn new(name: &str, image: &str) -> ServiceSpec {
        ServiceSpec {
            name: name.to_string(),
            labels: BTreeMap::new(),
            image: image.to_string(),
            command: Vec::new(),
            args: Vec::new(),
            env: Vec::new(),
            workdir: String::new(),
            user: String::new(),
            hostname: String::new(),
            container_labels: BTreeMap::new(),
            init: None,
            tty: false,
            stop_grace_ms: None,
            stop_signal: String::new(),
            healthcheck: None,
            mounts: Vec::new(),
            secrets: Vec::new(),
            configs: Vec::new(),
            resources: Resources::default(),
            restart: RestartPolicy::default(),
            constraints: Vec::new(),
            preferences: Vec::new(),
            max_replicas_per_node: 0,
            platforms: Vec::new(),
            networks: Vec::new(),
            network_aliases: BTreeMap::new(),
            mode: Mode::Replicated { replicas: 1 },
            update: None,
            rollback: None,
            endpoint_mode: "vip".to_string(),
            ports: Vec::new(),
            force_update: 0,
        }
    }

    /// The update config in effect (defaults when not set).
    pub fn update_config(&self) -> UpdateConfig {
        self.update.clone().unwrap_or_default()
    }

    /// The rollback config in effect.
    pub fn rollback_config(&self) -> UpdateConfig {
        self.rollback.clone().unwrap_or_default()
    }

    /// Whether tasks made from `self` and from `other` differ (anything but the update and
    /// rollback configs, the mode's counts, labels and the name makes tasks dirty).
    pub fn task_differs(&self, other: &ServiceSpec) -> bool {
        self.image != other.image
            || self.command != other.command
            || self.args != other.args
            || self.env != other.env
            || self.workdir != other.workdir
            || self.user != other.user
            || self.hostname != other.hostname
            || self.container_labels != other.container_labels
            || self.init != other.init
            || self.tty != other.tty
            || self.stop_grace_ms != other.stop_grace_ms
            || self.stop_signal != other.stop_signal
            || self.healthcheck != other.healthcheck
            || self.mounts != other.mounts
            || self.secrets != other.secrets
            || self.configs != other.configs
            || self.resources != other.resources
            || self.restart != other.restart
            || self.constraints != other.constraints
            || self.preferences != other.preferences
            || self.max_replicas_per_node != other.max_replicas_per_node
            || self.networks != other.networks
            || self.network_aliases != other.network_aliases
            // A task carries a copy of the endpoint spec (swarmkit `IsTaskDirty` compares it).
            || self.endpoint_mode != other.endpoint_mode
            || self.ports != other.ports
            || self.force_update != other.force_update
    }

    /// The healthcheck a task's container gets: the override merged over the image's.
    pub fn effective_health(&self, image: Option<&HealthConfig>) -> Option<HealthConfig> {
        let mut h = match (&self.healthcheck, image) {
            (Some(o), _) if o.test.first().map(String::as_str) == Some("NONE") => return None,
            (Some(o), img) => {
                let mut base = img.cloned().unwrap_or_default();
                if !o.test.is_empty() {
                    base.test = o.test.clone();
                }
                if o.interval_ms > 0 {
                    base.interval_ms = o.interval_ms;
                }
                if o.timeout_ms > 0 {
                    base.timeout_ms = o.timeout_ms;
                }
                if o.start_period_ms > 0 {
                    base.start_period_ms = o.start_period_ms;
                }
                if o.start_interval_ms > 0 {
                    base.start_interval_ms = o.start_interval_ms;
                }
                if o.retries > 0 {
                    base.retries = o.retries;
                }
                base
            }
            (None, Some(img)) => img.clone(),
            (None, None) => return None,
        };
        if h.test.is_empty() || h.test.first().map(String::as_str) == Some("NONE") {
            return None;
        }
        if h.interval_ms == 0 {
            h.interval_ms = defaults::HEALTH_INTERVAL_MS;
        }
        if h.timeout_ms == 0 {
            h.timeout_ms = defaults::HEALTH_TIMEOUT_MS;
        }
        if h.start_interval_ms == 0 {
            h.start_interval_ms = defaults::HEALTH_START_INTERVAL_MS;
        }
        if h.retries == 0 {
            h.retries = defaults::HEALTH_RETRIES;
        }
        Some(h)
    }
}

/// `UpdateStatus.State`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateState {
    /// An update is rolling.
    Updating,
    /// Stopped after failures.
    Paused,
    /// Done.
    Completed,
    /// A rollback is rolling.
    RollbackStarted,
    /// A rollback stopped after failures.
    RollbackPaused,
    /// The rollback is done.
    RollbackCompleted,
}

impl UpdateState {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateState::Updating => "updating",
            UpdateState::Paused => "paused",
            UpdateState::Completed => "completed",
            UpdateState::RollbackStarted => "rollback_started",
            UpdateState::RollbackPaused => "rollback_paused",
            UpdateState::RollbackCompleted => "rollback_completed",
        }
    }
}

/// `Service.UpdateStatus`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateStatus {
    /// State.
    pub state: UpdateState,
    /// When it started.
    pub started_at: SimTime,
    /// When it ended (completed states).
    pub completed_at: Option<SimTime>,
    /// `update in progress`, `update completed`, `manually requested rollback` …
    pub message: String,
}

/// A service as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// 25-character ID.
    pub id: String,
    /// The store version (`Version.Index`), bumped on every write.
    pub version: u64,
    /// Creation time.
    pub created_at: SimTime,
    /// Last update.
    pub updated_at: SimTime,
    /// The current spec.
    pub spec: ServiceSpec,
    /// The spec before the last update (what a rollback returns to).
    pub previous_spec: Option<ServiceSpec>,
    /// The rolling update's status, once an update happened.
    pub update_status: Option<UpdateStatus>,
    /// Counts spec changes that make tasks dirty; tasks remember the one they were made from.
    pub spec_version: u64,
    /// The spec version of `previous_spec` (a rollback returns to it, so tasks that were never
    /// updated are not replaced).
    pub previous_spec_version: u64,
    /// Jobs: bumped on every create/update (JobStatus.JobIteration).
    pub job_iteration: u64,
    /// Published ports as allocated (ingress ports without a number get one from 30000).
    pub endpoint_ports: Vec<PortConfig>,
    /// Its virtual IPs, one per network (`vip` endpoint mode).
    pub virtual_ips: Vec<crate::network::VirtualIp>,
}

/// Task states, in swarmkit's order (a task's observed state only moves forward).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskState {
    /// Created by the orchestrator.
    New = 0,
    /// Waiting for the scheduler.
    Pending = 64,
    /// Assigned to a node.
    Assigned = 192,
    /// Accepted by the agent.
    Accepted = 256,
    /// Pulling the image, creating the container.
    Preparing = 320,
    /// Container created.
    Ready = 384,
    /// Container starting (or waiting to be healthy).
    Starting = 448,
    /// Running.
    Running = 512,
    /// Exited 0.
    Complete = 576,
    /// Stopped on request.
    Shutdown = 640,
    /// Failed after starting.
    Failed = 704,
    /// Failed before starting.
    Rejected = 768,
    /// Desired state only: remove.
    Remove = 800,
    /// Its node is gone.
    Orphaned = 832,
}

impl TaskState {
    /// The API's lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::New => "new",
            TaskState::Pending => "pending",
            TaskState::Assigned => "assigned",
            TaskState::Accepted => "accepted",
            TaskState::Preparing => "preparing",
            TaskState::Ready => "ready",
            TaskState::Starting => "starting",
            TaskState::Running => "running",
            TaskState::Complete => "complete",
            TaskState::Shutdown => "shutdown",
            TaskState::Failed => "failed",
            TaskState::Rejected => "rejected",
            TaskState::Remove => "remove",
            TaskState::Orphaned => "orphaned",
        }
    }

    /// Every state, in order.
    pub const ALL: [TaskState; 14] = [
        TaskState::New,
        TaskState::Pending,
        TaskState::Assigned,
        TaskState::Accepted,
        TaskState::Preparing,
        TaskState::Ready,
        TaskState::Starting,
        TaskState::Running,
        TaskState::Complete,
        TaskState::Shutdown,
        TaskState::Failed,
        TaskState::Rejected,
        TaskState::Remove,
        TaskState::Orphaned,
    ];

    /// The state named `name` in any case (`Running`, `SHUTDOWN`), as the daemon reads a
    /// `desired-state` filter (`TaskState_value[strings.ToUpper(s)]`).
    pub fn from_name(name: &str) -> Option<TaskState> {
        let upper = name.to_uppercase();
        TaskState::ALL
            .into_iter()
            .find(|s| s.as_str().to_uppercase() == upper)
    }

    /// `Running`, `Shutdown` …: first letter upper-case (`service ps`).
    pub fn pretty(self) -> String {
        let s = self.as_str();
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    }

    /// Past RUNNING: the task will never run again.
    pub fn is_terminal(self) -> bool {
        self > TaskState::Running
    }
}

/// One instance of a service.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// 25-character ID.
    pub id: String,
    /// The service.
    pub service_id: String,
    /// Slot (replicated, from 1); 0 for global tasks.
    pub slot: u64,
    /// The node (global tasks have it from creation).
    pub node_id: Option<String>,
    /// The spec it was made from.
    pub spec: std::sync::Arc<ServiceSpec>,
    /// The service's spec version it was made from.
    pub spec_version: u64,
    /// Desired state (`running`, `ready`, `shutdown`, `remove`, `complete`).
    pub desired: TaskState,
    /// Observed state.
    pub state: TaskState,
    /// When the observed state last changed.
    pub timestamp: SimTime,
    /// `Status.Message`.
    pub message: String,
    /// `Status.Err`.
    pub err: String,
    /// The container's exit code, once it exited.
    pub exit_code: Option<i32>,
    /// Its container on the node, once created.
    pub container_id: Option<String>,
    /// Creation time.
    pub created_at: SimTime,
    /// Last write.
    pub updated_at: SimTime,
    /// Store version.
    pub version: u64,
    /// Jobs: the iteration it belongs to.
    pub job_iteration: u64,
    /// When it reached RUNNING (for the update monitor).
    pub running_since: Option<SimTime>,
    /// Its address on each of its networks (network ID, address).
    pub addresses: Vec<(String, std::net::Ipv4Addr)>,
    /// `Status.PortStatus.Ports`: what the agent last read of its container's port bindings
    /// (moby's `parsePortMap`: one host-mode entry per binding, so a port bound on IPv4 and
    /// IPv6 is there twice); empty while the container is not running.
    pub port_status: Vec<PortConfig>,
}

impl Task {
    /// `<service>.<slot>` or `<service>.<node ID>`: the name `service ps` shows.
    pub fn name(&self) -> String {
        if self.slot == 0 {
            format!(
                "{}.{}",
                self.spec.name,
                self.node_id.as_deref().unwrap_or_default()
            )
        } else {
            format!("{}.{}", self.spec.name, self.slot)
        }
    }

    /// The container's name: `<service>.<slot>.<task ID>`.
    pub fn container_name(&self) -> String {
        format!("{}.{}", self.name(), self.id)
    }

    /// Desired to run (or, for a job, to complete) and not finished: it holds its slot.
    pub fn is_runnable(&self) -> bool {
        self.desired <= TaskState::Complete && !self.state.is_terminal()
    }
}
