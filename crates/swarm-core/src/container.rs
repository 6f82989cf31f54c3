//! Containers: what each machine's engine runs, standalone (`docker run`) or for swarm tasks.
//!
//! SKELETON: the types and the API that the agent (swarm tasks) and the shell use. The runtime
//! behind them is being written.

use std::collections::BTreeMap;

use crate::catalog::{HealthConfig, ProcState, Program};
use crate::machine::MachineId;
use crate::time::SimTime;
use crate::world::World;

/// `docker run --restart`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RestartPolicy {
    /// `no`.
    #[default]
    No,
    /// `always`.
    Always,
    /// `unless-stopped`.
    UnlessStopped,
    /// `on-failure[:max]` (0 = unlimited).
    OnFailure(u32),
}

/// A published port of a standalone container (`-p`) or a host-mode task port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortBinding {
    /// Host IP (`0.0.0.0` by default).
    pub host_ip: String,
    /// Host port.
    pub host_port: u16,
    /// Container port.
    pub container_port: u16,
    /// `tcp` or `udp`.
    pub proto: String,
}

/// What a container is created with.
#[derive(Clone, Debug, Default)]
pub struct ContainerConfig {
    /// Name; empty: the engine generates `adjective_surname`.
    pub name: String,
    /// Image reference as given (tasks: the pinned reference).
    pub image: String,
    /// `--entrypoint` (`Some(vec![])` clears the image's).
    pub entrypoint: Option<Vec<String>>,
    /// Command after the image.
    pub args: Vec<String>,
    /// `-e`.
    pub env: Vec<String>,
    /// Labels (`com.docker.swarm.*` for tasks).
    pub labels: BTreeMap<String, String>,
    /// Hostname; empty: the first 12 characters of the ID.
    pub hostname: String,
    /// `-t`.
    pub tty: bool,
    /// `-i`.
    pub interactive: bool,
    /// The effective healthcheck (already merged with the image's), if any.
    pub healthcheck: Option<HealthConfig>,
    /// Stop grace period in ms (10 s by default).
    pub stop_grace_ms: u64,
    /// `--restart`.
    pub restart: RestartPolicy,
    /// `-p`.
    pub ports: Vec<PortBinding>,
    /// `--workdir`.
    pub workdir: String,
    /// `--user`.
    pub user: String,
    /// `--rm`.
    pub auto_remove: bool,
    /// The swarm task it runs, if any.
    pub task_id: Option<String>,
    /// Its IP addresses on its networks.
    pub addresses: Vec<String>,
}

/// `State.Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerState {
    /// Created, never started.
    Created,
    /// Running.
    Running,
    /// Restarting (restart policy).
    Restarting,
    /// Exited.
    Exited,
    /// Dead.
    Dead,
}

impl ContainerState {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerState::Created => "created",
            ContainerState::Running => "running",
            ContainerState::Restarting => "restarting",
            ContainerState::Exited => "exited",
            ContainerState::Dead => "dead",
        }
    }
}

/// `State.Health.Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthStatus {
    /// Not yet decided.
    Starting,
    /// Last probe passed.
    Healthy,
    /// `retries` probes failed in a row.
    Unhealthy,
}

impl HealthStatus {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Starting => "starting",
            HealthStatus::Healthy => "healthy",
            HealthStatus::Unhealthy => "unhealthy",
        }
    }
}

/// One health probe's result (`State.Health.Log`, the last 5 are kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthLog {
    /// Start of the probe.
    pub start: SimTime,
    /// End of the probe.
    pub end: SimTime,
    /// Its exit code.
    pub exit_code: i32,
    /// Its output.
    pub output: String,
}

/// `State.Health`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// Status.
    pub status: HealthStatus,
    /// Consecutive failures.
    pub failing_streak: u32,
    /// The last probes.
    pub log: Vec<HealthLog>,
}

/// Timers a container sets for itself (carried by `Event::Container`). `generation` is the
/// container's run counter when the timer was set: a timer of an earlier run is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The program ends by itself.
    Exit {
        /// Run generation.
        generation: u64,
    },
    /// The stop grace period ended: SIGKILL.
    StopTimeout {
        /// Run generation.
        generation: u64,
    },
    /// The process reacted to SIGTERM.
    Stopped {
        /// Run generation.
        generation: u64,
    },
    /// A health probe is due.
    Probe {
        /// Run generation.
        generation: u64,
    },
    /// The restart policy starts it again.
    Restart {
        /// Run generation.
        generation: u64,
    },
}

/// One container.
#[derive(Clone, Debug)]
pub struct Container {
    /// 64-hex ID.
    pub id: String,
    /// Name (without the leading `/`).
    pub name: String,
    /// How it was created.
    pub config: ContainerConfig,
    /// `sha256:…` of its image.
    pub image_id: String,
    /// Creation time.
    pub created_at: SimTime,
    /// State.
    pub state: ContainerState,
    /// Last start.
    pub started_at: Option<SimTime>,
    /// Last exit.
    pub finished_at: Option<SimTime>,
    /// Last exit code.
    pub exit_code: i32,
    /// `State.Error`.
    pub error: String,
    /// Its process ID while running.
    pub pid: u32,
    /// Restarts by the restart policy.
    pub restart_count: u32,
    /// What it runs.
    pub program: Program,
    /// The program's mutable state (requests served, broken).
    pub proc: ProcState,
    /// Health, when it has a healthcheck.
    pub health: Option<Health>,
    /// Every run: start and end (None while running), for logs.
    pub runs: Vec<(SimTime, Option<SimTime>)>,
    /// Run counter (see [`Timer`]).
    pub generation: u64,
    /// Stopped by the user (`docker stop`), which `unless-stopped` respects.
    pub stopped_by_user: bool,
    /// Being stopped: the signal was sent, the process has not ended yet.
    pub stopping: bool,
}

impl World {
    /// The containers of machine `m`, oldest first.
    pub fn containers(&self, m: MachineId) -> &[Container] {
        let _ = m;
        &[]
    }

    /// Handles a container's timer (`Event::Container`).
    pub(crate) fn container_timer(&mut self, m: MachineId, id: &str, timer: Timer) {
        let _ = (m, id, timer);
    }

    /// The machine's power went off: its processes are gone.
    pub(crate) fn containers_power_off(&mut self, m: MachineId) {
        let _ = m;
    }

    /// The machine's engine started (after a boot).
    pub(crate) fn containers_engine_started(&mut self, m: MachineId) {
        let _ = m;
    }
}
