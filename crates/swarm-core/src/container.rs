//! Containers: what each machine's engine runs, standalone (`docker run`) or for swarm tasks,
//! and the images it has pulled.
//!
//! Each machine's engine keeps a [`Runtime`]: its containers (oldest first) and its images.
//! Everything that happens later is an [`Event::Container`] timer carrying the run
//! `generation` it was set for, so a timer of an earlier run (a container stopped and started
//! again) does nothing.
//!
//! # Lifecycle, as moby does it
//!
//! - `create` checks the name (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`, unique) and that the image is
//!   present; an empty name gets moby's `adjective_surname` from the seeded `names` stream.
//! - `start` starts a run: the program's own exit ([`Program::exit`]) becomes a
//!   [`Timer::Exit`], a healthcheck a [`Timer::Probe`].
//! - `stop` sends the stop signal: [`Program::on_sigterm`] says whether the process ends (with
//!   its code, after its delay) or ignores it; at the grace period it is killed (137).
//! - `kill` with SIGKILL ends it at once (137); other signals go through `on_sigterm` too
//!   (TERM, INT, QUIT) or are ignored.
//! - When a run ends by itself, the restart policy (`always`, `unless-stopped`,
//!   `on-failure[:N]`) may start it again after moby's back-off: 100 ms, doubling, at most
//!   1 minute, back to 100 ms after a run of 10 s or more. A stop or kill by the user cancels
//!   it. `--rm` containers are removed when they end.
//! - Health (moby `daemon/health.go`): a probe every `interval` (`start_interval` while still
//!   `starting` inside the start period); a pass makes it `healthy`; a failure counts unless it
//!   is still `starting` inside the start period; `retries` failures in a row make it
//!   `unhealthy`; the last 5 results are kept; when the run ends the status becomes `unhealthy`
//!   (moby's "for compatibility reasons").
//! - Power off: the processes are gone but nothing is recorded until the engine starts again;
//!   then they show `Exited (255)`, `--rm` ones are removed and the restart policies
//!   `always`, `unless-stopped` (unless stopped by the user) and `on-failure` start them again.
//!   Swarm task containers are never restarted by the engine: the agent decides.
//!
//! [`World::on_container_change`] is called after every change of state or health.
//!
//! # Images
//!
//! An image is pulled from the catalog ([`Catalog`]) in its `pull_ms`. A reference that is not
//! in the catalog: when its repository is (`nginx:doesnotexist`), the pull fails as Docker Hub
//! answers for a missing tag (`manifest for nginx:doesnotexist not found: manifest unknown:
//! manifest unknown`); another Docker Hub repository does not exist (`pull access denied for
//! foo, repository does not exist or may require 'docker login': …`); a reference to another
//! registry (`localhost:5000/ip`, `registry.example.com/app`) pulls as a generic image in
//! 1.5 s, whose containers run [`Program::new`]`(None, …)` (the lab's own registry images).

use std::collections::BTreeMap;

use crate::catalog::{
    normalize, Catalog, HealthConfig, LogContext, OnSigterm, ProcState, Program, Stream,
};
use crate::ids;
use crate::machine::MachineId;
use crate::time::{SimDuration, SimTime};
use crate::world::{Event, World};

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
    /// `-v`, `--mount`, a task's mounts (see [`crate::container_fs`]).
    pub mounts: Vec<crate::container_fs::MountSpec>,
    /// Secrets and configs: read-only files with their content.
    pub files: Vec<crate::container_fs::FileMount>,
    /// `HostConfig.Memory`: the memory limit in bytes (`--memory`, a task's
    /// `--limit-memory`); 0: none.
    pub memory: i64,
    /// `HostConfig.NanoCpus` (`--cpus`, a task's `--limit-cpu`); 0: none.
    pub nano_cpus: i64,
    /// `HostConfig.PidsLimit` (`--pids-limit`, a task's `--limit-pids`); 0: none.
    pub pids_limit: i64,
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
    /// An app that talks to other services takes its next step (see [`crate::apps`]).
    App {
        /// Run generation.
        generation: u64,
    },
}

/// The first port the engine binds for a port published without a host port (the
/// kernel's ephemeral range).
pub const EPHEMERAL_PORT: u16 = 32768;

/// What `docker update` changes (see [`World::container_update`]).
#[derive(Clone, Debug, Default)]
pub struct ContainerUpdate {
    /// `--memory`, bytes.
    pub memory: Option<i64>,
    /// `--memory-swap` was given too.
    pub memory_swap: bool,
    /// `--cpus`, in billionths.
    pub nano_cpus: Option<i64>,
    /// `--pids-limit`.
    pub pids_limit: Option<i64>,
    /// `--restart`.
    pub restart: Option<RestartPolicy>,
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
    /// Frozen by `docker pause` (its cgroup's freezer): still running (`State.Running`), but
    /// its processes take no signal but SIGKILL and answer nothing until `docker unpause`.
    pub paused: bool,
    /// When the stop signal reached each run (run index, time), for the program's stop logs.
    pub signals: Vec<(usize, SimTime)>,
    /// The exit code a pending [`Timer::Stopped`] ends the run with.
    pub pending_code: i32,
    /// When the pending stop or kill will have ended the run.
    pub stop_deadline: Option<SimTime>,
    /// Start again as soon as the run ends (`docker restart`).
    pub restart_after_stop: bool,
    /// The restart policy's current back-off, in ms (0: not backing off).
    pub backoff_ms: u64,
    /// The machine lost power while this ran: when (the engine records it on its next start).
    pub crashed_at: Option<SimTime>,
    /// Lines written to its log from outside the program (access logs of served requests).
    pub extra_logs: Vec<(SimTime, Stream, String)>,
    /// Started at least once (the engine restarts only those after a reboot).
    pub has_run: bool,
    /// For each run: whether it found its program's data initialised (the program's warm
    /// variant ran: postgres skipped initdb). See [`crate::appdata`].
    pub warm_runs: Vec<bool>,
    /// Its health probes fail whatever they run (`sim health fail SERVICE`, see
    /// [`crate::health_fault`]).
    pub health_fault: bool,
    /// Its port bindings as its last start made them (`NetworkSettings.Ports`): the
    /// configured ones, a host port of 0 (a task's host-mode port without a published
    /// number) given the first free ephemeral port of the machine (32768 upward).
    pub bound_ports: Vec<PortBinding>,
}

impl Container {
    /// Its log lines written in `[from, to)` as of `now`, oldest first: every run's window of
    /// the program, its stop notices and the extra lines.
    pub fn log_lines(&self, now: SimTime, from: SimTime, to: SimTime) -> Vec<ContainerLogLine> {
        let mut lines: Vec<ContainerLogLine> = Vec::new();
        let to = to.min(now + SimDuration::from_millis(1));
        if from >= to {
            return lines;
        }
        for (i, (start, end)) in self.runs.iter().enumerate() {
            // Lines at the very end of a run (its last words) are in it.
            let end = end.unwrap_or(now).min(now) + SimDuration::from_millis(1);
            let lo = from.max(*start);
            let hi = to.min(end);
            if lo >= hi {
                continue;
            }
            let ctx = LogContext {
                hostname: &self.config.hostname,
                env: &self.config.env,
                start_unix_ms: start.unix_ms(),
            };
            let off = |t: SimTime| t.saturating_since(*start).as_millis();
            let program = self
                .program
                .variant_ref(self.warm_runs.get(i).copied().unwrap_or(false));
            for l in program.logs(&ctx, off(lo), off(hi)) {
                lines.push(ContainerLogLine {
                    at: *start + SimDuration::from_millis(l.offset_ms),
                    stream: l.stream,
                    text: l.text,
                });
            }
            for (_, at) in self.signals.iter().filter(|(r, _)| *r == i) {
                for l in program.stop_logs(&ctx, off(*at)) {
                    let t = *start + SimDuration::from_millis(l.offset_ms);
                    if t >= lo && t < hi {
                        lines.push(ContainerLogLine {
                            at: t,
                            stream: l.stream,
                            text: l.text,
                        });
                    }
                }
            }
        }
        for (at, stream, text) in &self.extra_logs {
            if *at >= from && *at < to {
                lines.push(ContainerLogLine {
                    at: *at,
                    stream: *stream,
                    text: text.clone(),
                });
            }
        }
        crate::sort::sort_by_key(&mut lines, |l| l.at);
        lines
    }

    /// `State.Status` as moby's `StateString` gives it: `paused` for a paused running one.
    pub fn state_str(&self) -> &'static str {
        if self.paused && self.is_running() {
            "paused"
        } else {
            self.state.as_str()
        }
    }

    /// True while its process runs (also while it is being stopped).
    pub fn is_running(&self) -> bool {
        self.state == ContainerState::Running
    }

    /// The short (12-hex) ID.
    pub fn short_id(&self) -> &str {
        self.id.get(..12).unwrap_or(&self.id)
    }

    /// Milliseconds since the current run started (0 when not running).
    pub fn uptime_ms(&self, now: SimTime) -> u64 {
        match (self.state, self.started_at) {
            (ContainerState::Running, Some(t)) => now.saturating_since(t).as_millis(),
            _ => 0,
        }
    }
}

/// An image an engine has pulled.
#[derive(Clone, Debug)]
pub struct PulledImage {
    /// Familiar repository (`nginx`, `localhost:5000/ip`).
    pub repository: String,
    /// Tag.
    pub tag: String,
    /// `sha256:…` image ID.
    pub id: String,
    /// `sha256:…` repository digest.
    pub digest: String,
    /// Bytes.
    pub size: u64,
    /// Build time, unix seconds.
    pub created_unix: i64,
    /// When it was pulled.
    pub available_at: SimTime,
    /// Layer digests (`sha256:…`), for pull and rmi output.
    pub layers: Vec<String>,
    /// In the catalog (not a generic image).
    pub known: bool,
}

impl PulledImage {
    /// `repo:tag`.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.repository, self.tag)
    }

    /// The 12-hex short ID.
    pub fn short_id(&self) -> &str {
        let hex = self.id.strip_prefix("sha256:").unwrap_or(&self.id);
        hex.get(..12).unwrap_or(hex)
    }
}

/// What a machine's engine holds: containers (oldest first) and images.
#[derive(Clone, Debug, Default)]
pub struct Runtime {
    /// Containers, oldest first.
    pub containers: Vec<Container>,
    /// Pulled images, in pull order.
    pub images: Vec<PulledImage>,
    /// Volumes and the containers' filesystems.
    pub storage: crate::volume::Storage,
    /// The last process ID handed out.
    next_pid: u32,
    /// The build steps this engine has made (`docker build`'s cache), by step image ID.
    build_cache: std::collections::BTreeSet<String>,
}

/// One line of a container's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerLogLine {
    /// When it was written.
    pub at: SimTime,
    /// stdout or stderr.
    pub stream: Stream,
    /// The text, without its newline.
    pub text: String,
}

/// How long a health probe takes (Start to End in `State.Health.Log`).
const PROBE_MS: u64 = 40;
/// How many probe results moby keeps.
const HEALTH_LOG_KEEP: usize = 5;
/// moby's restart back-off: first delay and cap.
const BACKOFF_FIRST_MS: u64 = 100;
const BACKOFF_MAX_MS: u64 = 60_000;
/// The default stop grace period.
pub const DEFAULT_STOP_GRACE_MS: u64 = 10_000;
/// How long a generic image (not in the catalog) takes to pull.
const GENERIC_PULL_MS: u64 = 1_500;
/// At most this many containers per engine (a bound on everything).
pub const MAX_CONTAINERS: usize = 1_000;
/// At most this many lines kept in a container's extra log.
const MAX_EXTRA_LOGS: usize = 10_000;

/// The error docker prints for a missing container.
fn no_such_container(reference: &str) -> String {
    format!("No such container: {reference}")
}

/// A stable 64-hex digest of `seed` (FNV-1a, then SplitMix64 for four words).
pub fn hex64(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(64);
    let mut x = h;
    for _ in 0..4 {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.push_str(&format!("{z:016x}"));
    }
    out
}

/// The layers of an image: 1 to 8 by size, digests derived from the image ID.
fn layers_for(id: &str, size: u64) -> Vec<String> {
    let n = (size / 25_000_000 + 1).clamp(1, 8) as usize;
    let n = if size > 30_000_000 { n.max(3) } else { n };
    (0..n)
        .map(|i| format!("sha256:{}", hex64(&format!("layer:{id}:{i}"))))
        .collect()
}

/// `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, with an optional leading `/`.
fn valid_name(name: &str) -> bool {
    let n = name.strip_prefix('/').unwrap_or(name);
    let b = n.as_bytes();
    b.len() >= 2
        && b.len() <= 255
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// moby's `verifyPlatformContainerResources` for what these engines model: a memory limit of
/// at least 6 MB and a CPU count within the machine's (`docker run`, `docker update`).
pub fn verify_resources(memory: i64, nano_cpus: i64) -> Result<(), String> {
    if memory > 0 && memory < 6 * 1024 * 1024 {
        return Err("Minimum memory limit allowed is 6MB".into());
    }
    let cpus = i64::from(crate::machine::build::CPUS);
    if nano_cpus < 0
        || nano_cpus > cpus * 1_000_000_000
        || (nano_cpus > 0 && nano_cpus < 10_000_000)
    {
        return Err(format!(
            "Range of CPUs is from 0.01 to {cpus}.00, as there are only {cpus} CPUs available"
        ));
    }
    Ok(())
}

/// The restart policy's verdict for a run that ended with `code` (moby `restartmanager`).
fn policy_restarts(policy: RestartPolicy, code: i32, by_user: bool, restart_count: u32) -> bool {
    match policy {
        RestartPolicy::No => false,
        // A container `docker stop` ended stays down whatever its policy (the daemon's
        // restart manager is cancelled); only a daemon restart brings `always` back.
        RestartPolicy::Always | RestartPolicy::UnlessStopped => !by_user,
        RestartPolicy::OnFailure(max) => !by_user && code != 0 && (max == 0 || restart_count < max),
    }
}

/// A signal name or number as `docker kill -s` takes it: `KILL`, `SIGKILL`, `9`.
fn signal_number(signal: &str) -> Option<u32> {
    let s = signal.trim();
    if let Ok(n) = s.parse::<u32>() {
        return (1..=64).contains(&n).then_some(n);
    }
    let upper = s.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    let n = match name {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ILL" => 4,
        "TRAP" => 5,
        "ABRT" | "IOT" => 6,
        "BUS" => 7,
        "FPE" => 8,
        "KILL" => 9,
        "USR1" => 10,
        "SEGV" => 11,
        "USR2" => 12,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        "STKFLT" => 16,
        "CHLD" => 17,
        "CONT" => 18,
        "STOP" => 19,
        "TSTP" => 20,
        "TTIN" => 21,
        "TTOU" => 22,
        "URG" => 23,
        "XCPU" => 24,
        "XFSZ" => 25,
        "VTALRM" => 26,
        "PROF" => 27,
        "WINCH" => 28,
        "IO" | "POLL" => 29,
        "PWR" => 30,
        "SYS" => 31,
        _ => return None,
    };
    Some(n)
}

/// The health config's effective durations, with the daemon's defaults for zeros.
fn health_times(h: &HealthConfig) -> (u64, u64, u64, u32) {
    let or = |v: u64, d: u64| if v == 0 { d } else { v };
    let retries = if h.retries == 0 { 3 } else { h.retries };
    (
        or(h.interval_ms, 30_000),
        or(h.start_period_ms, 0),
        or(h.start_interval_ms, 5_000),
        retries,
    )
}

/// True when the healthcheck is a real test (not `NONE`, not empty).
pub(crate) fn has_test(h: &HealthConfig) -> bool {
    matches!(
        h.test.first().map(String::as_str),
        Some("CMD") | Some("CMD-SHELL")
    ) && h.test.len() > 1
}

impl World {
    pub(crate) fn runtime(&self, m: MachineId) -> Option<&Runtime> {
        self.machine(m).map(|mc| &mc.runtime)
    }

    pub(crate) fn runtime_mut(&mut self, m: MachineId) -> Option<&mut Runtime> {
        self.machine_mut(m).map(|mc| &mut mc.runtime)
    }

    pub(crate) fn ctr_mut(&mut self, m: MachineId, id: &str) -> Option<&mut Container> {
        self.runtime_mut(m)?
            .containers
            .iter_mut()
            .find(|c| c.id == id)
    }

    /// The containers of machine `m`, oldest first.
    pub fn containers(&self, m: MachineId) -> &[Container] {
        match self.runtime(m) {
            Some(r) => &r.containers,
            None => &[],
        }
    }

    /// The container with this full ID on `m`.
    pub fn container(&self, m: MachineId, id: &str) -> Option<&Container> {
        self.containers(m).iter().find(|c| c.id == id)
    }

    /// `docker update`: new resource limits and restart policy for a container (each `None`
    /// stays as it is), checked as moby's `ContainerUpdate` checks them.
    pub fn container_update(
        &mut self,
        m: MachineId,
        reference: &str,
        update: &ContainerUpdate,
    ) -> Result<(), String> {
        let c = self.find_container(m, reference)?;
        let id = c.id.clone();
        if let Some(mem) = update.memory {
            // The swap limit the daemon derived at creation (twice the memory limit).
            let swap = c.config.memory * 2;
            if mem > 0 && !update.memory_swap && swap > 0 && mem > swap {
                return Err("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time".into());
            }
            verify_resources(mem, 0)?;
        }
        if update.restart.is_some() && c.config.auto_remove {
            return Err(
                "Restart policy cannot be updated because AutoRemove is enabled for the container"
                    .into(),
            );
        }
        let Some(c) = self.ctr_mut(m, &id) else {
            return Err(no_such_container(reference));
        };
        if let Some(mem) = update.memory {
            c.config.memory = mem;
        }
        if let Some(n) = update.nano_cpus {
            c.config.nano_cpus = n;
        }
        if let Some(p) = update.pids_limit {
            c.config.pids_limit = p;
        }
        if let Some(r) = update.restart {
            c.config.restart = r;
        }
        self.record(format!("container-update {m} {id}"));
        Ok(())
    }

    /// `docker rename`: moby's `ContainerRename` (its errors as the daemon words them); the
    /// container's DNS name on its networks follows.
    pub fn container_rename_to(
        &mut self,
        m: MachineId,
        reference: &str,
        new_name: &str,
    ) -> Result<(), String> {
        if reference.is_empty() || new_name.is_empty() {
            return Err("Neither old nor new names may be empty".into());
        }
        let c = self.find_container(m, reference)?;
        let (id, old) = (c.id.clone(), c.name.clone());
        let canonical = format!("/{}", new_name.trim_start_matches('/'));
        if canonical == format!("/{old}") {
            return Err("Renaming a container with the same name as its current name".into());
        }
        let bare = self
            .reserve_name(m, &canonical)
            .map_err(|e| format!("Error when allocating new name: {e}"))?;
        if let Some(c) = self.ctr_mut(m, &id) {
            c.name = bare.clone();
            c.config.name = bare.clone();
        }
        // Compose gives its containers their name as an alias too.
        if let Some(atts) = self.local_mut(m).and_then(|l| l.attachments.get_mut(&id)) {
            for alias in atts.iter_mut().flat_map(|a| a.aliases.iter_mut()) {
                if *alias == old {
                    alias.clone_from(&bare);
                }
            }
        }
        Ok(())
    }

    /// moby's `reserveName`: `name` as the request gives it (a leading `/` allowed) must be
    /// valid and not another container's on `m`; the name to keep (without the `/`).
    fn reserve_name(&self, m: MachineId, name: &str) -> Result<String, String> {
        if !valid_name(name) {
            return Err(format!(
                "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            ));
        }
        let bare = name.trim_start_matches('/');
        if let Some(other) = self.containers(m).iter().find(|c| c.name == bare) {
            return Err(format!(
                "Conflict. The container name \"/{bare}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                other.id
            ));
        }
        Ok(bare.to_string())
    }

    /// The container a user's reference names, as moby's `GetContainer` looks it up: the full
    /// ID, then the name (with or without its leading `/`), then a unique ID prefix.
    pub fn find_container(&self, m: MachineId, reference: &str) -> Result<&Container, String> {
        let all = self.containers(m);
        if reference.is_empty() {
            return Err(no_such_container(reference));
        }
        if let Some(c) = all.iter().find(|c| c.id == reference) {
            return Ok(c);
        }
        let name = reference.strip_prefix('/').unwrap_or(reference);
        if let Some(c) = all.iter().find(|c| c.name == name) {
            return Ok(c);
        }
        let lower = reference.to_ascii_lowercase();
        if lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut found = all.iter().filter(|c| c.id.starts_with(&lower));
            if let Some(first) = found.next() {
                if found.next().is_some() {
                    return Err(format!(
                        "multiple IDs found with provided prefix: {reference}"
                    ));
                }
                return Ok(first);
            }
        }
        Err(no_such_container(reference))
    }

    fn resolve(&self, m: MachineId, reference: &str) -> Result<String, String> {
        self.find_container(m, reference).map(|c| c.id.clone())
    }

    // --------------------------------------------------------------------------------------
    // Images

    /// The images `m` has (pulled and available), newest build first, as `docker images`
    /// lists them.
    pub fn images(&self, m: MachineId) -> Vec<&PulledImage> {
        let now = self.now();
        let mut v: Vec<&PulledImage> = self
            .runtime(m)
            .map(|r| r.images.iter().filter(|i| i.available_at <= now).collect())
            .unwrap_or_default();
        crate::sort::sort_by_key(&mut v, |i| std::cmp::Reverse(i.created_unix));
        v
    }

    /// The available image a reference names: `nginx`, `nginx:alpine`, `nginx:alpine@sha256:…`
    /// (the digest is ignored), or an image ID (full, or a prefix of at least 4 hex digits).
    /// The layers of `image` no other image of `m` has: what removing it deletes (a built
    /// image shares its base's layers, which stay).
    pub(crate) fn own_layers(&self, m: MachineId, image: &PulledImage) -> Vec<String> {
        let kept: std::collections::BTreeSet<&String> = self
            .images(m)
            .into_iter()
            .filter(|i| i.id != image.id)
            .flat_map(|i| i.layers.iter())
            .collect();
        image
            .layers
            .iter()
            .filter(|l| !kept.contains(l))
            .cloned()
            .collect()
    }

    pub fn find_image(&self, m: MachineId, reference: &str) -> Option<&PulledImage> {
        let now = self.now();
        let images = &self.runtime(m)?.images;
        let available = || images.iter().filter(|i| i.available_at <= now);
        let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
        if hex.len() >= 4
            && hex.len() <= 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            let mut found = available().filter(|i| {
                i.id.strip_prefix("sha256:")
                    .unwrap_or(&i.id)
                    .starts_with(hex)
            });
            if let Some(first) = found.next() {
                if found.all(|i| i.id == first.id) {
                    return Some(first);
                }
            }
        }
        let norm = normalize(reference)?;
        available().find(|i| i.reference() == norm)
    }

    /// `docker tag`: `target` becomes another name of the image `source` names on `m` (the
    /// same ID, no repository digest: it has not been pushed); a tag that named another
    /// image moves. Errors are the daemon's.
    pub fn image_tag(&mut self, m: MachineId, source: &str, target: &str) -> Result<(), String> {
        let Some(image) = self.find_image(m, source).cloned() else {
            let shown = normalize(source).unwrap_or_else(|| source.to_string());
            return Err(format!("No such image: {shown}"));
        };
        if target.contains('@') {
            return Err("refusing to create a tag with a digest reference".to_string());
        }
        let Some(norm) = normalize(target) else {
            return Err("invalid reference format".to_string());
        };
        if norm == image.reference() {
            return Ok(());
        }
        let Some((repository, tag)) = norm.rsplit_once(':') else {
            return Err("invalid reference format".to_string());
        };
        let tagged = PulledImage {
            repository: repository.to_string(),
            tag: tag.to_string(),
            digest: String::new(),
            available_at: self.now(),
            ..image
        };
        self.record(format!("image-tag {m} {source} {norm}"));
        let Some(r) = self.runtime_mut(m) else {
            return Err(format!("No such image: {norm}"));
        };
        r.images.retain(|i| i.reference() != norm);
        r.images.push(tagged);
        Ok(())
    }

    /// `docker build`'s result on `m`: the image (already recorded with
    /// [`Catalog::register_built`]) under each of `tags` (normalized `repo:tag`; a tag that
    /// named another image moves to this one), or as `<none>:<none>` without tags. Its
    /// layers are the base's plus one per instruction that changed files.
    pub fn image_add_built(
        &mut self,
        m: MachineId,
        image: &crate::catalog::Image,
        base_layers: &[String],
        new_layers: usize,
        tags: &[String],
    ) {
        let mut layers = base_layers.to_vec();
        for i in 0..new_layers.min(100) {
            layers.push(format!(
                "sha256:{}",
                hex64(&format!("layer:{}:{i}", image.id))
            ));
        }
        let now = self.now();
        let names: Vec<(String, String)> = if tags.is_empty() {
            vec![("<none>".to_string(), "<none>".to_string())]
        } else {
            tags.iter()
                .filter_map(|t| normalize(t))
                .filter_map(|n| {
                    n.rsplit_once(':')
                        .map(|(r, t)| (r.to_string(), t.to_string()))
                })
                .collect()
        };
        self.record(format!("image-build {m} {} {}", image.id, tags.join(",")));
        let Some(r) = self.runtime_mut(m) else {
            return;
        };
        let tagged = names.iter().any(|(repo, _)| repo != "<none>");
        if tagged {
            // An untagged build of this image gets its names now.
            r.images
                .retain(|i| !(i.id == image.id && i.repository == "<none>"));
        }
        for (repository, tag) in names {
            let reference = format!("{repository}:{tag}");
            if repository != "<none>" {
                // The name moves to the new image; the old one keeps its ID as a dangling
                // `<none>:<none>` unless another name still holds it.
                let old = r
                    .images
                    .iter()
                    .position(|i| i.reference() == reference && i.id != image.id);
                if let Some(pos) = old {
                    let old_id = r.images[pos].id.clone();
                    let named_elsewhere = r
                        .images
                        .iter()
                        .enumerate()
                        .any(|(k, i)| k != pos && i.id == old_id);
                    if named_elsewhere {
                        r.images.remove(pos);
                    } else {
                        let i = &mut r.images[pos];
                        i.repository = "<none>".to_string();
                        i.tag = "<none>".to_string();
                        i.digest.clear();
                    }
                }
                r.images.retain(|i| i.reference() != reference);
            } else if r.images.iter().any(|i| i.id == image.id) {
                continue;
            }
            r.images.push(PulledImage {
                repository,
                tag,
                id: image.id.clone(),
                digest: String::new(),
                size: image.size,
                created_unix: image.created_unix,
                available_at: now,
                layers: layers.clone(),
                known: true,
            });
        }
    }

    /// What the image `reference` names on `m` is (its configuration and behaviour): a
    /// pulled, tagged or built image by its ID, else the catalog's entry for the name.
    pub fn image_config(
        &self,
        m: MachineId,
        reference: &str,
    ) -> Option<&'static crate::catalog::Image> {
        match self.find_image(m, reference) {
            Some(i) if i.known => Catalog::get().lookup_or_id(&i.reference(), &i.id),
            Some(_) => None,
            None => Catalog::get().lookup(reference),
        }
    }

    /// `docker history`: the rows of the image `reference` names on `m`, newest first, each
    /// with the ID the daemon shows for it. The top row is the image itself; below it moby
    /// follows the image's parent chain while the images are stored here (a legacy build's
    /// step images, which the build cache keeps, a commit's container image, the base image a
    /// build or commit started from): the first row whose image is not here, and every row
    /// after it, is `<missing>`. A generic image (not in the catalog) has one row.
    pub fn image_history(
        &self,
        m: MachineId,
        reference: &str,
    ) -> Result<Vec<(String, crate::history::HistoryRow)>, String> {
        let Some(image) = self.find_image(m, reference) else {
            let shown = normalize(reference).unwrap_or_else(|| reference.to_string());
            return Err(format!("No such image: {shown}"));
        };
        let rows = match self.image_config(m, reference) {
            Some(i) if i.id == image.id || i.history.is_empty() => i.history_rows(),
            _ => vec![crate::history::HistoryRow {
                created_unix: image.created_unix,
                size: image.size,
                image: image.id.clone(),
                ..Default::default()
            }],
        };
        let local = |id: &str| {
            self.runtime(m)
                .is_some_and(|r| r.images.iter().any(|i| i.id == id) || r.build_cache.contains(id))
        };
        let mut chain = true;
        let mut out = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().rev().enumerate() {
            let id = if i == 0 {
                image.id.clone()
            } else if chain && !row.image.is_empty() && local(&row.image) {
                row.image.clone()
            } else {
                chain = false;
                "<missing>".to_string()
            };
            out.push((id, row));
        }
        Ok(out)
    }

    /// Whether `m`'s build cache has the step image `id`; records it when it had not
    /// (`docker build` prints `Using cache` for a step it made before). At most 10,000 kept.
    pub fn build_cache_hit(&mut self, m: MachineId, id: &str) -> bool {
        let Some(r) = self.runtime_mut(m) else {
            return false;
        };
        if r.build_cache.contains(id) {
            return true;
        }
        if r.build_cache.len() < 10_000 {
            r.build_cache.insert(id.to_string());
        }
        false
    }

    /// Whether `m` has the image (pulled, not still pulling).
    pub fn image_present(&self, m: MachineId, reference: &str) -> bool {
        self.find_image(m, reference).is_some()
    }

    /// Pulls `reference` on `m`; returns how long the pull takes (zero when the image is there
    /// already), which the caller waits (the CLI, the agent); the image is recorded at once, so
    /// a create right after it works. Errors are the
    /// daemon's (`manifest for nginx:nope not found: manifest unknown: manifest unknown`,
    /// `invalid reference format`); see the module documentation for which images exist.
    pub fn image_pull(&mut self, m: MachineId, reference: &str) -> Result<SimDuration, String> {
        self.image_pull_auth(m, reference, None)
    }

    /// [`World::image_pull`] with the credentials the CLI holds for the image's registry
    /// (`user:password` in base64). An image of a registry in the playground
    /// (`127.0.0.1:5000/hello-world`, `node2:5000/api`) comes from that registry, asked each
    /// time (see [`crate::registry`]).
    pub fn image_pull_auth(
        &mut self,
        m: MachineId,
        reference: &str,
        auth: Option<&str>,
    ) -> Result<SimDuration, String> {
        let Some(norm) = normalize(reference) else {
            return Err("invalid reference format".to_string());
        };
        if let Some(r) = crate::registry::RegistryRef::parse(reference) {
            if self.registry_in_playground(&r) {
                return self.registry_pull(m, &r, &norm, auth);
            }
        }
        let now = self.now();
        if self
            .runtime(m)
            .is_some_and(|r| r.images.iter().any(|i| i.reference() == norm))
        {
            return Ok(SimDuration::ZERO);
        }
        let catalog = Catalog::get();
        let image = match catalog.lookup(reference) {
            Some(i) => PulledImage {
                repository: i.repository.clone(),
                tag: i.tag.clone(),
                id: i.id.clone(),
                digest: i.digest.clone(),
                size: i.size,
                created_unix: i.created_unix,
                available_at: now,
                layers: layers_for(&i.id, i.size),
                known: true,
            },
            None => {
                let (repository, tag) = norm.rsplit_once(':').unwrap_or((norm.as_str(), "latest"));
                if catalog.images().iter().any(|i| i.repository == repository) {
                    return Err(format!(
                        "manifest for {norm} not found: manifest unknown: manifest unknown"
                    ));
                }
                let first = repository.split('/').next().unwrap_or("");
                let private_registry = repository.contains('/')
                    && (first.contains('.') || first.contains(':') || first == "localhost");
                if !private_registry {
                    return Err(format!(
                        "pull access denied for {repository}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
                    ));
                }
                let id = format!("sha256:{}", hex64(&format!("id:{norm}")));
                let size =
                    20_000_000 + u64::from_str_radix(&hex64(&norm)[..5], 16).unwrap_or(0) * 60;
                PulledImage {
                    repository: repository.to_string(),
                    tag: tag.to_string(),
                    digest: format!("sha256:{}", hex64(&format!("digest:{norm}"))),
                    layers: layers_for(&id, size),
                    id,
                    size,
                    created_unix: 1_790_000_000,
                    available_at: now,
                    known: false,
                }
            }
        };
        let took = SimDuration::from_millis(
            Catalog::get()
                .lookup(reference)
                .map_or(GENERIC_PULL_MS, |i| i.pull_ms),
        );
        self.record(format!("image-pull {m} {norm}"));
        if let Some(r) = self.runtime_mut(m) {
            r.images.push(image);
        }
        Ok(took)
    }

    /// `docker image rm`: the lines it prints (`Untagged: …`, `Deleted: …`), or the daemon's
    /// error (`No such image: …`, the conflicts with containers that use it).
    pub fn image_remove(
        &mut self,
        m: MachineId,
        reference: &str,
        force: bool,
    ) -> Result<Vec<String>, String> {
        let Some(image) = self.find_image(m, reference).cloned() else {
            let shown = normalize(reference).unwrap_or_else(|| reference.to_string());
            return Err(format!("No such image: {shown}"));
        };
        let by_id = image
            .id
            .strip_prefix("sha256:")
            .unwrap_or(&image.id)
            .starts_with(reference.strip_prefix("sha256:").unwrap_or(reference))
            && normalize(reference).as_deref() != Some(image.reference().as_str());
        // Other references to the same image (`docker tag`): removing one by name only
        // untags it; by ID it needs --force and untags them all.
        let others: Vec<PulledImage> = self
            .images(m)
            .into_iter()
            .filter(|i| i.id == image.id && i.reference() != image.reference())
            .cloned()
            .collect();
        let users: Vec<(String, bool)> = self
            .containers(m)
            .iter()
            .filter(|c| c.image_id == image.id)
            .map(|c| {
                (
                    c.short_id().to_string(),
                    c.is_running() || c.state == ContainerState::Restarting,
                )
            })
            .collect();
        // Untagging one of several names leaves the image: no conflict with its containers.
        let only_untag = !by_id && !others.is_empty();
        if let Some((cid, _)) = users
            .iter()
            .find(|(_, running)| *running)
            .filter(|_| !only_untag)
        {
            if by_id || !force {
                return Err(if by_id {
                    format!(
                        "conflict: unable to delete {} (cannot be forced) - image is being used by running container {cid}",
                        image.short_id()
                    )
                } else {
                    format!(
                        "conflict: unable to remove repository reference \"{reference}\" (must force) - container {cid} is using its referenced image {}",
                        image.short_id()
                    )
                });
            }
        }
        if let Some((cid, _)) = users.first().filter(|_| !only_untag) {
            if !force {
                return Err(if by_id {
                    format!(
                        "conflict: unable to delete {} (must be forced) - image is being used by stopped container {cid}",
                        image.short_id()
                    )
                } else {
                    format!(
                        "conflict: unable to remove repository reference \"{reference}\" (must force) - container {cid} is using its referenced image {}",
                        image.short_id()
                    )
                });
            }
        }
        if by_id && !others.is_empty() && !force {
            return Err(format!(
                "conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                image.short_id()
            ));
        }
        let mut out = Vec::new();
        let untagged: Vec<&PulledImage> = if by_id {
            std::iter::once(&image).chain(others.iter()).collect()
        } else {
            vec![&image]
        };
        for i in untagged.iter().filter(|i| i.repository != "<none>") {
            out.push(format!("Untagged: {}", i.reference()));
            if !i.digest.is_empty() {
                out.push(format!("Untagged: {}@{}", i.repository, i.digest));
            }
        }
        if only_untag {
            self.record(format!("image-untag {m} {}", image.reference()));
            let gone = image.reference();
            if let Some(r) = self.runtime_mut(m) {
                r.images.retain(|i| i.reference() != gone);
            }
            return Ok(out);
        }
        if users.is_empty() {
            out.push(format!("Deleted: {}", image.id));
            for l in self.own_layers(m, &image) {
                out.push(format!("Deleted: {l}"));
            }
        }
        self.record(format!("image-rm {m} {}", image.reference()));
        if let Some(r) = self.runtime_mut(m) {
            r.images.retain(|i| i.id != image.id);
        }
        Ok(out)
    }

    // --------------------------------------------------------------------------------------
    // Containers

    fn generate_name(&mut self, m: MachineId) -> String {
        for retry in 0..10u64 {
            let mut name = crate::ids::random_name(self.rng("names"));
            if retry > 0 {
                // moby appends a random digit when the name is taken.
                name.push_str(&self.rng("names").range_inclusive(0, 9).to_string());
            }
            if !self.containers(m).iter().any(|c| c.name == name) {
                return name;
            }
        }
        let n = self.containers(m).len();
        format!("container_{n}")
    }

    /// Creates a container (not started); returns its full ID. Errors are the daemon's texts.
    pub fn container_create(
        &mut self,
        m: MachineId,
        config: ContainerConfig,
    ) -> Result<String, String> {
        let mut config = config;
        if self.machine(m).is_none() {
            return Err(no_such_container(""));
        }
        if self.containers(m).len() >= MAX_CONTAINERS {
            return Err(format!(
                "the playground's engines hold at most {MAX_CONTAINERS} containers"
            ));
        }
        if !config.name.is_empty() {
            config.name = self.reserve_name(m, &config.name)?;
        }
        let Some(image) = self.find_image(m, &config.image).cloned() else {
            let shown = normalize(&config.image).unwrap_or_else(|| config.image.clone());
            return Err(format!("No such image: {shown}"));
        };
        let mounts = self.check_mounts(
            m,
            &config.mounts,
            if image.known {
                Catalog::get().lookup_or_id(&image.reference(), &image.id)
            } else {
                None
            },
        )?;
        let mut id = ids::hex_id(self.rng("containers"));
        while self.containers(m).iter().any(|c| c.id == id) {
            id = ids::hex_id(self.rng("containers"));
        }
        if config.name.is_empty() {
            config.name = self.generate_name(m);
        }
        if config.hostname.is_empty() {
            config.hostname = id.get(..12).unwrap_or(&id).to_string();
        }
        if config.stop_grace_ms == 0 {
            config.stop_grace_ms = DEFAULT_STOP_GRACE_MS;
        }
        let catalog_image = if image.known {
            Catalog::get().lookup_or_id(&image.reference(), &image.id)
        } else {
            None
        };
        let program = self
            .program_for(
                catalog_image,
                config.entrypoint.as_deref(),
                &config.args,
                &config.env,
            )
            .with_hostname(&config.hostname)
            .with_addresses(&config.addresses)
            .with_tty(config.tty);
        let now = self.now();
        self.record(format!(
            "container-create {m} {} {} {}",
            &id[..12],
            config.name,
            config.image
        ));
        let container = Container {
            id: id.clone(),
            name: config.name.clone(),
            image_id: image.id.clone(),
            config,
            created_at: now,
            state: ContainerState::Created,
            started_at: None,
            finished_at: None,
            exit_code: 0,
            error: String::new(),
            pid: 0,
            restart_count: 0,
            program,
            proc: ProcState::default(),
            health: None,
            runs: Vec::new(),
            generation: 0,
            stopped_by_user: false,
            stopping: false,
            paused: false,
            signals: Vec::new(),
            pending_code: 0,
            stop_deadline: None,
            restart_after_stop: false,
            backoff_ms: 0,
            crashed_at: None,
            extra_logs: Vec::new(),
            has_run: false,
            warm_runs: Vec::new(),
            health_fault: false,
            bound_ports: Vec::new(),
        };
        let layer = crate::container_fs::LayerRecipe {
            image: container.config.image.clone(),
            argv0: container.program.argv().first().cloned(),
            hostname: container.config.hostname.clone(),
            addresses: container.config.addresses.clone(),
            workdir: if container.config.workdir.is_empty() {
                catalog_image.map(|i| i.workdir.clone()).unwrap_or_default()
            } else {
                container.config.workdir.clone()
            },
            created: now,
            mount_points: Vec::new(),
            hosts: None,
            from: catalog_image,
        };
        let files = container.config.files.clone();
        if let Some(r) = self.runtime_mut(m) {
            r.containers.push(container);
        }
        self.setup_container_fs(m, &id, layer, mounts, &files);
        Ok(id)
    }

    /// [`Program::new`], remembered: it is a pure function of its inputs, and a service's
    /// containers all ask for the same one (resolving a program builds its whole log timeline,
    /// which its copies then share).
    fn program_for(
        &mut self,
        image: Option<&'static crate::catalog::Image>,
        entrypoint: Option<&[String]>,
        args: &[String],
        env: &[String],
    ) -> Program {
        let key = (
            image.map(|i| [i.repository.clone(), i.tag.clone(), i.id.clone()]),
            entrypoint.map(<[String]>::to_vec),
            args.to_vec(),
            env.to_vec(),
        );
        if let Some(p) = self.programs.get(&key) {
            return p.clone();
        }
        let p = Program::new(image, entrypoint, args, env);
        if self.programs.len() >= crate::world::PROGRAMS_KEPT {
            self.programs.clear();
        }
        self.programs.insert(key, p.clone());
        p
    }

    pub(crate) fn schedule_timer(&mut self, m: MachineId, id: &str, after_ms: u64, timer: Timer) {
        self.schedule(
            SimDuration::from_millis(after_ms),
            Event::Container {
                machine: m,
                id: id.to_string(),
                timer,
            },
        );
    }

    /// Starts a created or stopped container (a running one is left as it is).
    pub fn container_start(&mut self, m: MachineId, reference: &str) -> Result<(), String> {
        let id = self.resolve(m, reference)?;
        let Some(c) = self.container(m, &id) else {
            return Err(no_such_container(reference));
        };
        if c.is_running() {
            return Ok(());
        }
        // Its command must be in the image.
        if let Some(msg) = c.program.exec_error() {
            if let Some(c) = self.ctr_mut(m, &id) {
                c.error = msg.clone();
                c.exit_code = 127;
            }
            return Err(msg);
        }
        // Its networks must be joinable (crate::endpoints).
        if let Err(msg) = self.endpoints_check(m, &id) {
            if let Some(c) = self.ctr_mut(m, &id) {
                c.error = msg.clone();
            }
            return Err(msg);
        }
        // Host ports must be free.
        for p in &c.config.ports {
            if p.host_port == 0 {
                continue;
            }
            let taken = self.containers(m).iter().any(|o| {
                o.id != id
                    && (o.is_running() || o.state == ContainerState::Restarting)
                    && o.bound_ports.iter().any(|q| {
                        q.host_port == p.host_port
                            && q.proto == p.proto
                            && (q.host_ip == p.host_ip
                                || q.host_ip == "0.0.0.0"
                                || p.host_ip == "0.0.0.0"
                                || q.host_ip.is_empty()
                                || p.host_ip.is_empty())
                    })
            });
            // The routing mesh holds a port a service publishes on every node of its swarm.
            let meshed = c.config.task_id.is_none()
                && self
                    .memberships
                    .get(&m)
                    .and_then(|x| self.swarms.get(x.cluster))
                    .is_some_and(|s| {
                        s.services.values().any(|x| {
                            x.endpoint_ports.iter().any(|q| {
                                q.mode != "host"
                                    && q.published == p.host_port
                                    && q.protocol == p.proto
                            })
                        })
                    });
            if taken || meshed {
                let ip = if p.host_ip.is_empty() {
                    "0.0.0.0"
                } else {
                    &p.host_ip
                };
                let name = c.name.clone();
                let msg = format!(
                    "failed to set up container networking: driver failed programming external connectivity on endpoint {name} ({}): Bind for {ip}:{} failed: port is already allocated",
                    hex64(&format!("endpoint:{id}")),
                    p.host_port
                );
                if let Some(c) = self.ctr_mut(m, &id) {
                    c.error = msg.clone();
                }
                return Err(msg);
            }
        }
        self.start_run(m, &id);
        Ok(())
    }

    /// The host ports the machine's other running containers hold.
    pub fn host_ports_in_use(&self, m: MachineId, except: &str) -> Vec<u16> {
        self.containers(m)
            .iter()
            .filter(|o| o.id != except && (o.is_running() || o.state == ContainerState::Restarting))
            .flat_map(|o| o.bound_ports.iter().map(|p| p.host_port))
            .collect()
    }

    /// Binds container `id`'s ports for a new run: as configured, a host port of 0 on the
    /// lowest free ephemeral port of the machine.
    fn bind_ports(&mut self, m: MachineId, id: &str) {
        let Some(c) = self.container(m, id) else {
            return;
        };
        let mut ports = c.config.ports.clone();
        if ports.iter().any(|p| p.host_port == 0) {
            let mut used = self.host_ports_in_use(m, id);
            used.extend(ports.iter().map(|p| p.host_port));
            for p in ports.iter_mut().filter(|p| p.host_port == 0) {
                let mut port = EPHEMERAL_PORT;
                while used.contains(&port) && port < u16::MAX {
                    port += 1;
                }
                p.host_port = port;
                used.push(port);
            }
        }
        if let Some(c) = self.ctr_mut(m, id) {
            c.bound_ports = ports;
        }
    }

    /// Begins a new run of container `id` (which exists and is not running).
    fn start_run(&mut self, m: MachineId, id: &str) {
        self.endpoints_on_start(m, id);
        self.bind_ports(m, id);
        let now = self.now();
        let warm = self.app_run_starting(m, id);
        let pid = match self.runtime_mut(m) {
            Some(r) => {
                r.next_pid = r.next_pid.wrapping_add(1 + (r.next_pid % 7)).max(1000);
                r.next_pid
            }
            None => return,
        };
        let Some(c) = self.ctr_mut(m, id) else { return };
        c.program = c.program.variant(warm);
        c.warm_runs.push(warm);
        c.state = ContainerState::Running;
        c.started_at = Some(now);
        c.generation += 1;
        c.runs.push((now, None));
        c.pid = pid;
        c.stopping = false;
        c.stop_deadline = None;
        c.restart_after_stop = false;
        c.crashed_at = None;
        c.error.clear();
        c.has_run = true;
        c.stopped_by_user = false;
        c.proc = ProcState::default();
        let generation = c.generation;
        // Now that it is on its networks, its resolver answers the names its command looks
        // up (`ping web`).
        self.resolve_program_names(m, id);
        let Some(c) = self.ctr_mut(m, id) else { return };
        let exit = c.program.exit();
        let probe = c
            .config
            .healthcheck
            .as_ref()
            .filter(|h| has_test(h))
            .map(health_times);
        if probe.is_some() {
            match &mut c.health {
                Some(h) => {
                    h.status = HealthStatus::Starting;
                    h.failing_streak = 0;
                }
                None => {
                    c.health = Some(Health {
                        status: HealthStatus::Starting,
                        failing_streak: 0,
                        log: Vec::new(),
                    })
                }
            }
        } else {
            c.health = None;
        }
        let short = c.short_id().to_string();
        self.record(format!("container-start {m} {short} gen={generation}"));
        if let Some(e) = exit {
            self.schedule_timer(m, id, e.after_ms, Timer::Exit { generation });
        }
        if let Some((interval, start_period, start_interval, _)) = probe {
            let first = if start_period > 0 {
                start_interval
            } else {
                interval
            };
            self.schedule_timer(m, id, first, Timer::Probe { generation });
        }
        self.app_started(m, id);
        self.on_container_change(m, id);
    }

    /// Stops a container: the stop signal, then SIGKILL after `timeout_ms` (the container's
    /// grace period when `None`). Returns when it will have stopped (now if it is not running).
    pub fn container_stop(
        &mut self,
        m: MachineId,
        reference: &str,
        timeout_ms: Option<u64>,
    ) -> Result<SimTime, String> {
        let id = self.resolve(m, reference)?;
        let now = self.now();
        let Some(c) = self.ctr_mut(m, &id) else {
            return Err(no_such_container(reference));
        };
        c.stopped_by_user = true;
        match c.state {
            ContainerState::Restarting => {
                // The restart is cancelled; it stays exited.
                c.state = ContainerState::Exited;
                c.generation += 1;
                self.record(format!("container-stop {m} {} (restarting)", &id[..12]));
                self.on_container_change(m, &id);
                return Ok(now);
            }
            ContainerState::Running => {}
            _ => return Ok(now),
        }
        if let (true, Some(t)) = (c.stopping, c.stop_deadline) {
            return Ok(t);
        }
        let grace = timeout_ms.unwrap_or(c.config.stop_grace_ms);
        Ok(self.send_stop_signal(m, &id, grace))
    }

    /// Sends the stop signal to a running container, with SIGKILL after `grace` ms; returns
    /// when the run will have ended.
    fn send_stop_signal(&mut self, m: MachineId, id: &str, grace: u64) -> SimTime {
        let now = self.now();
        let Some(c) = self.ctr_mut(m, id) else {
            return now;
        };
        let generation = c.generation;
        let run = c.runs.len().saturating_sub(1);
        c.stopping = true;
        // moby's `killWithSignal` resumes a paused container after sending it its stop
        // signal, so it stops as a running one does.
        c.paused = false;
        let reaction = c.program.on_sigterm();
        let (after, timer) = match reaction {
            OnSigterm::Exit { after_ms, code }
                if after_ms < grace || grace == 0 && after_ms == 0 =>
            {
                c.pending_code = code;
                c.signals.push((run, now));
                (after_ms, Timer::Stopped { generation })
            }
            OnSigterm::Exit { .. } => {
                c.signals.push((run, now));
                (grace, Timer::StopTimeout { generation })
            }
            OnSigterm::Ignore => (grace, Timer::StopTimeout { generation }),
        };
        let deadline = now + SimDuration::from_millis(after);
        c.stop_deadline = Some(deadline);
        self.record(format!("container-signal {m} {} stop", &id[..12]));
        if after == 0 {
            let code = match timer {
                Timer::Stopped { .. } => self.ctr_mut(m, id).map(|c| c.pending_code).unwrap_or(137),
                _ => 137,
            };
            self.finish_run(m, id, code);
        } else {
            self.schedule_timer(m, id, after, timer);
        }
        deadline
    }

    /// `docker kill`: SIGKILL ends the run at once (137); TERM, INT and QUIT go to the
    /// program like the stop signal; other signals are delivered and ignored.
    pub fn container_kill(
        &mut self,
        m: MachineId,
        reference: &str,
        signal: &str,
    ) -> Result<(), String> {
        let id = self.resolve(m, reference)?;
        let Some(sig) = signal_number(signal) else {
            return Err(format!("Invalid signal: {signal}"));
        };
        let Some(c) = self.ctr_mut(m, &id) else {
            return Err(no_such_container(reference));
        };
        if c.state == ContainerState::Restarting {
            c.stopped_by_user = true;
            c.state = ContainerState::Exited;
            c.generation += 1;
            self.on_container_change(m, &id);
            return Ok(());
        }
        if !c.is_running() {
            return Err(format!(
                "cannot kill container: {reference}: container {id} is not running"
            ));
        }
        c.stopped_by_user = true;
        self.record(format!("container-signal {m} {} {sig}", &id[..12]));
        match sig {
            9 => self.finish_run(m, &id, 137),
            2 | 3 | 15 => {
                let already = self.container(m, &id).is_some_and(|c| c.stopping);
                if !already {
                    // Like the stop signal, but no SIGKILL follows.
                    self.send_stop_signal(m, &id, u64::MAX / 4);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `docker restart`: stops (as [`World::container_stop`]) and starts it again once it
    /// has stopped; returns when it will be running again.
    pub fn container_restart(
        &mut self,
        m: MachineId,
        reference: &str,
        timeout_ms: Option<u64>,
    ) -> Result<SimTime, String> {
        let id = self.resolve(m, reference)?;
        let running = self.container(m, &id).is_some_and(|c| c.is_running());
        if !running {
            // Not running (or restarting): cancel any restart and start it now.
            if let Some(c) = self.ctr_mut(m, &id) {
                if c.state == ContainerState::Restarting {
                    c.state = ContainerState::Exited;
                    c.generation += 1;
                }
            }
            self.container_start(m, &id)?;
            return Ok(self.now());
        }
        let when = self.container_stop(m, &id, timeout_ms)?;
        let still = self.container(m, &id).is_some_and(|c| c.is_running());
        if still {
            if let Some(c) = self.ctr_mut(m, &id) {
                c.restart_after_stop = true;
            }
        } else {
            self.container_start(m, &id)?;
        }
        Ok(when)
    }

    /// `docker rm [-f]`: a running container needs `force` (then it is killed first).
    pub fn container_remove(
        &mut self,
        m: MachineId,
        reference: &str,
        force: bool,
    ) -> Result<(), String> {
        self.container_remove_volumes(m, reference, force, false)
    }

    /// `docker rm [-f] [-v]`: with `volumes`, its anonymous volumes go too (unless another
    /// container uses them), as they do for `--rm` containers and swarm tasks.
    pub fn container_remove_volumes(
        &mut self,
        m: MachineId,
        reference: &str,
        force: bool,
        volumes: bool,
    ) -> Result<(), String> {
        let id = self.resolve(m, reference)?;
        let Some(c) = self.container(m, &id) else {
            return Err(no_such_container(reference));
        };
        let live = c.is_running() || c.state == ContainerState::Restarting;
        if live && !force {
            return Err(format!(
                "cannot remove container \"/{}\": container is {}: stop the container before removing or force remove",
                c.name,
                c.state.as_str()
            ));
        }
        if c.is_running() {
            if let Some(c) = self.ctr_mut(m, &id) {
                c.stopped_by_user = true;
                c.restart_after_stop = false;
            }
            self.finish_run(m, &id, 137);
        }
        self.record(format!("container-rm {m} {}", &id[..12]));
        if let Some(r) = self.runtime_mut(m) {
            r.containers.retain(|c| c.id != id);
        }
        self.drop_container_fs(m, &id, volumes);
        self.on_container_change(m, &id);
        Ok(())
    }

    /// Ends the current run of `id` with `code`, then applies `docker restart`, the restart
    /// policy or `--rm`.
    fn finish_run(&mut self, m: MachineId, id: &str, code: i32) {
        let now = self.now();
        let Some(c) = self.ctr_mut(m, id) else { return };
        if !c.is_running() {
            return;
        }
        c.state = ContainerState::Exited;
        c.exit_code = code;
        c.finished_at = Some(now);
        if let Some(run) = c.runs.last_mut() {
            run.1 = Some(now);
        }
        c.pid = 0;
        c.stopping = false;
        c.paused = false;
        c.stop_deadline = None;
        c.generation += 1;
        if let Some(h) = &mut c.health {
            h.status = HealthStatus::Unhealthy;
        }
        let ran_ms = c
            .started_at
            .map(|t| now.saturating_since(t).as_millis())
            .unwrap_or(0);
        let restart_now = std::mem::take(&mut c.restart_after_stop);
        let standalone = c.config.task_id.is_none();
        let policy_restart = standalone
            && !restart_now
            && !c.config.auto_remove
            && policy_restarts(c.config.restart, code, c.stopped_by_user, c.restart_count);
        let remove = c.config.auto_remove && !restart_now;
        let generation = c.generation;
        let mut delay = 0;
        if policy_restart {
            if ran_ms >= 10_000 {
                c.backoff_ms = 0;
            }
            c.backoff_ms = if c.backoff_ms == 0 {
                BACKOFF_FIRST_MS
            } else {
                (c.backoff_ms * 2).min(BACKOFF_MAX_MS)
            };
            delay = c.backoff_ms;
            c.restart_count += 1;
            c.state = ContainerState::Restarting;
        }
        let short = c.short_id().to_string();
        self.record(format!("container-exit {m} {short} code={code}"));
        self.app_run_ended(m, id, code != 137);
        if restart_now {
            self.on_container_change(m, id);
            self.start_run(m, id);
            return;
        }
        if policy_restart {
            self.schedule_timer(m, id, delay, Timer::Restart { generation });
        }
        if remove {
            if let Some(r) = self.runtime_mut(m) {
                r.containers.retain(|c| c.id != id);
            }
            self.drop_container_fs(m, id, true);
            self.record(format!("container-rm {m} {short} (auto)"));
        }
        self.on_container_change(m, id);
    }

    /// Handles a container's timer (`Event::Container`).
    pub(crate) fn container_timer(&mut self, m: MachineId, id: &str, timer: Timer) {
        let Some(c) = self.container(m, id) else {
            return;
        };
        if c.crashed_at.is_some() {
            return;
        }
        let current = c.generation;
        let running = c.is_running();
        match timer {
            Timer::Exit { generation } if generation == current && running => {
                let code = c.program.exit().map(|e| e.code).unwrap_or(0);
                self.finish_run(m, id, code);
            }
            Timer::StopTimeout { generation } if generation == current && running => {
                self.finish_run(m, id, 137);
            }
            Timer::Stopped { generation } if generation == current && running => {
                let code = c.pending_code;
                self.finish_run(m, id, code);
            }
            Timer::Probe { generation } if generation == current && running => {
                self.probe(m, id);
            }
            Timer::App { generation } if generation == current && running => {
                self.app_timer(m, id);
            }
            Timer::Restart { generation }
                if generation == current && c.state == ContainerState::Restarting =>
            {
                if let Some(c) = self.ctr_mut(m, id) {
                    c.state = ContainerState::Exited;
                }
                if self.container_start(m, id).is_err() {
                    // A port taken meanwhile: it stays exited, as moby's restart gives up.
                    self.on_container_change(m, id);
                }
            }
            _ => {}
        }
    }

    /// Runs one health probe of a running container and schedules the next.
    fn probe(&mut self, m: MachineId, id: &str) {
        let now = self.now();
        let Some(c) = self.ctr_mut(m, id) else { return };
        let Some(hc) = c.config.healthcheck.clone() else {
            return;
        };
        let (interval, start_period, start_interval, retries) = health_times(&hc);
        let since_start = c.uptime_ms(now);
        let result = if c.health_fault {
            crate::health_fault::failed_probe()
        } else {
            c.program.check(&hc.test, &c.proc, since_start)
        };
        let generation = c.generation;
        let Some(h) = &mut c.health else { return };
        let before = h.status;
        h.log.push(HealthLog {
            start: now,
            end: now + SimDuration::from_millis(PROBE_MS),
            exit_code: result.exit_code,
            output: result.output,
        });
        if h.log.len() > HEALTH_LOG_KEEP {
            let extra = h.log.len() - HEALTH_LOG_KEEP;
            h.log.drain(..extra);
        }
        if result.exit_code == 0 {
            h.failing_streak = 0;
            h.status = HealthStatus::Healthy;
        } else {
            let in_start_period = since_start < start_period;
            if !(h.status == HealthStatus::Starting && in_start_period) {
                h.failing_streak += 1;
                if h.failing_streak >= retries {
                    h.status = HealthStatus::Unhealthy;
                }
            }
        }
        let after = h.status;
        let next = if since_start + PROBE_MS < start_period && after == HealthStatus::Starting {
            start_interval
        } else {
            interval
        };
        self.schedule_timer(m, id, next + PROBE_MS, Timer::Probe { generation });
        if before != after {
            self.record(format!(
                "container-health {m} {} {}",
                &id[..12],
                after.as_str()
            ));
            self.on_container_change(m, id);
        }
    }

    /// The machine's power went off: its processes are gone.
    pub(crate) fn containers_power_off(&mut self, m: MachineId) {
        let now = self.now();
        let ids: Vec<String> = self
            .containers(m)
            .iter()
            .filter(|c| c.is_running() || c.state == ContainerState::Restarting)
            .map(|c| c.id.clone())
            .collect();
        for id in &ids {
            if let Some(c) = self.ctr_mut(m, id) {
                c.crashed_at = Some(now);
                c.generation += 1;
            }
            self.app_run_ended(m, id, false);
            self.on_container_change(m, id);
        }
    }

    /// The machine's engine started (after a boot): containers that were running are recorded
    /// as exited (255); the restart policies and `--rm` apply.
    pub(crate) fn containers_engine_started(&mut self, m: MachineId) {
        let list: Vec<(String, bool)> = self
            .containers(m)
            .iter()
            .map(|c| (c.id.clone(), c.crashed_at.is_some()))
            .collect();
        for (id, crashed) in list {
            if crashed {
                let Some(c) = self.ctr_mut(m, &id) else {
                    continue;
                };
                let at = c.crashed_at.take().unwrap_or_default();
                c.state = ContainerState::Exited;
                c.exit_code = 255;
                c.finished_at = Some(at);
                if let Some(run) = c.runs.last_mut() {
                    if run.1.is_none() {
                        run.1 = Some(at);
                    }
                }
                c.pid = 0;
                c.stopping = false;
                c.stop_deadline = None;
                c.restart_after_stop = false;
                if let Some(h) = &mut c.health {
                    h.status = HealthStatus::Unhealthy;
                }
                if c.config.auto_remove {
                    if let Some(r) = self.runtime_mut(m) {
                        r.containers.retain(|c| c.id != id);
                    }
                    self.drop_container_fs(m, &id, true);
                    self.on_container_change(m, &id);
                    continue;
                }
            }
            let Some(c) = self.container(m, &id) else {
                continue;
            };
            let restart = c.config.task_id.is_none()
                && c.has_run
                && c.state == ContainerState::Exited
                && match c.config.restart {
                    RestartPolicy::No => false,
                    RestartPolicy::Always => true,
                    RestartPolicy::UnlessStopped => !c.stopped_by_user,
                    RestartPolicy::OnFailure(max) => {
                        crashed && c.exit_code != 0 && (max == 0 || c.restart_count < max)
                    }
                };
            if crashed {
                self.on_container_change(m, &id);
            }
            if restart && self.container_start(m, &id).is_err() {
                self.on_container_change(m, &id);
            }
        }
    }

    /// Adds a line to a container's log from outside its program (an access log line).
    pub fn container_log_append(&mut self, m: MachineId, id: &str, stream: Stream, text: &str) {
        let now = self.now();
        if let Some(c) = self.ctr_mut(m, id) {
            if c.extra_logs.len() >= MAX_EXTRA_LOGS {
                c.extra_logs.remove(0);
            }
            c.extra_logs.push((now, stream, text.to_string()));
        }
    }

    /// The container's log lines written in `[since, until)` (both optional), in order; with
    /// `tail`, only the last `tail` of them. Built from every run's window of the program.
    pub fn container_logs(
        &self,
        m: MachineId,
        reference: &str,
        since: Option<SimTime>,
        until: Option<SimTime>,
        tail: Option<usize>,
    ) -> Result<Vec<ContainerLogLine>, String> {
        let c = self.find_container(m, reference)?;
        let now = self.now();
        let from = since.unwrap_or(SimTime::ZERO);
        let to = match until {
            Some(u) => u.min(now + SimDuration::from_millis(1)),
            None => now + SimDuration::from_millis(1),
        };
        let mut lines = c.log_lines(now, from, to);
        if let Some(n) = tail {
            let skip = lines.len().saturating_sub(n);
            lines.drain(..skip);
        }
        Ok(lines)
    }

    /// The log lines of a container (full ID) in `[since, until)`, as `(time, stream, text)`,
    /// oldest first; empty when there is no such container.
    pub fn container_log_lines(
        &self,
        m: MachineId,
        id: &str,
        since: SimTime,
        until: SimTime,
    ) -> Vec<(SimTime, Stream, String)> {
        if self.container(m, id).is_none() {
            return Vec::new();
        }
        self.container_logs(m, id, Some(since), Some(until), None)
            .unwrap_or_default()
            .into_iter()
            .map(|l| (l.at, l.stream, l.text))
            .collect()
    }

    /// An HTTP GET from inside the container (`docker exec … curl localhost`): its program's
    /// reply, `None` when nothing listens on `port`, or the program is not up yet.
    pub fn container_http_get(
        &mut self,
        m: MachineId,
        id: &str,
        port: u16,
        path: &str,
    ) -> Option<crate::catalog::HttpReply> {
        let now = self.now();
        let c = self.ctr_mut(m, id)?;
        if !c.is_running() || c.paused || c.uptime_ms(now) < c.program.startup_ms() {
            return None;
        }
        if let Some(root) = c
            .program
            .docroot()
            .filter(|_| c.program.ports().contains(&port))
            .map(str::to_string)
        {
            let mut req = crate::catalog::HttpRequest::get(port, path);
            req.host = "localhost";
            return Some(self.file_reply(m, id, &root, &req));
        }
        let mut proc = c.proc.clone();
        let reply = c.program.request(&mut proc, port, path);
        c.proc = proc;
        reply
    }

    /// A request from the network to a container's program: its reply (`None` when the
    /// container does not run, has not started serving yet, or nothing listens on the
    /// port); the lines the program logs for it go to the container's log.
    pub fn container_serve(
        &mut self,
        m: MachineId,
        id: &str,
        req: &crate::catalog::HttpRequest,
    ) -> Option<crate::catalog::HttpReply> {
        if let Some(kind) = self.container(m, id).and_then(|c| c.program.app_kind()) {
            let kind = kind.to_string();
            return self.app_serve(m, id, &kind, req);
        }
        let now = self.now();
        let docroot = {
            let c = self.container(m, id)?;
            // A program on the loopback interface answers only its own container.
            let from_inside = req.client.starts_with("127.") || req.client.starts_with("::1");
            if !c.is_running()
                || c.uptime_ms(now) < c.program.startup_ms()
                || (c.program.loopback_only() && !from_inside)
            {
                return None;
            }
            c.program
                .docroot()
                .filter(|_| c.program.ports().contains(&req.port))
                .filter(|_| matches!(req.method, "GET" | "HEAD"))
                .map(str::to_string)
        };
        if let Some(root) = docroot {
            let mut reply = self.file_reply(m, id, &root, req);
            let c = self.container(m, id)?;
            match c.program.env_var("NGINX_VERSION") {
                Some(version) => nginx_headers(&mut reply, &version, req.now_unix_ms),
                // Other servers do not send the file's validators here.
                None => reply
                    .headers
                    .retain(|(k, _)| k != "Last-Modified" && k != "ETag"),
            }
            let exchange = c.program.file_exchange(&c.proc, req, reply);
            let cid = c.id.clone();
            for (stream, text) in &exchange.logs {
                self.container_log_append(m, &cid, *stream, text);
            }
            return Some(exchange.reply);
        }
        let c = self.ctr_mut(m, id)?;
        let mut proc = c.proc.clone();
        let exchange = c.program.handle(&mut proc, req);
        c.proc = proc;
        let cid = c.id.clone();
        let mut exchange = exchange?;
        if let Some(view) = self
            .container(m, id)
            .and_then(|c| c.program.py_view(req.method, req.path))
        {
            exchange = self.py_serve(m, id, req, exchange, view);
        }
        let mut exchange = self.redis_counts(m, id, req, exchange);
        if let Some(c) = self.container(m, id) {
            c.program.finish_reply(&mut exchange.reply, req);
        }
        for (stream, text) in &exchange.logs {
            self.container_log_append(m, &cid, *stream, text);
        }
        Some(exchange.reply)
    }

    /// A web server's reply from the container's files under `root`, as nginx's static
    /// handler gives it: the file, a directory's `index.html`, a redirect to the directory's
    /// `/` form, 403 for a directory without an index, 404 for nothing there.
    fn file_reply(
        &self,
        m: MachineId,
        id: &str,
        root: &str,
        req: &crate::catalog::HttpRequest,
    ) -> crate::catalog::HttpReply {
        use crate::catalog::HttpReply;
        let error = |status: u16| {
            let (content_type, body) = self
                .container(m, id)
                .map(|c| c.program.error_page(status, req))
                .unwrap_or_default();
            HttpReply {
                status,
                body,
                content_type,
                headers: Vec::new(),
            }
        };
        let path = req.path.split(['?', '#']).next().unwrap_or_default();
        let decoded = crate::catalog::percent_decode(path, false);
        let rel = crate::fs::normalize(&format!("/{decoded}"));
        let base = crate::fs::normalize(root);
        let full = if rel == "/" {
            base.clone()
        } else {
            format!("{}{rel}", base.trim_end_matches('/'))
        };
        let file = |p: &str| -> Option<HttpReply> {
            let md = self.container_stat(m, id, p).ok()?;
            if !md.is_file() {
                return None;
            }
            let data = self.container_read(m, id, p).ok()?;
            let secs = md.mtime.unix_ms().div_euclid(1000);
            Some(HttpReply {
                status: 200,
                content_type: content_type_of(p).to_string(),
                headers: vec![
                    (
                        "Last-Modified".into(),
                        crate::catalog::http_date(md.mtime.unix_ms()),
                    ),
                    ("ETag".into(), format!("\"{secs:x}-{:x}\"", data.len())),
                ],
                body: String::from_utf8_lossy(&data).into_owned(),
            })
        };
        match self.container_stat(m, id, &full) {
            Ok(md) if md.is_dir() => {
                if !path.ends_with('/') {
                    // nginx's absolute redirect: the Host's name with the port it listens on.
                    let host = req.host.split(':').next().unwrap_or_default();
                    let port = if req.port == 80 {
                        String::new()
                    } else {
                        format!(":{}", req.port)
                    };
                    let mut r = error(301);
                    r.headers
                        .push(("Location".into(), format!("http://{host}{port}{path}/")));
                    return r;
                }
                file(&format!("{}/index.html", full.trim_end_matches('/')))
                    .unwrap_or_else(|| error(403))
            }
            Ok(_) => file(&full).unwrap_or_else(|| error(403)),
            Err(_) => error(404),
        }
    }

    /// The main process of a container ended with `code` (the shell of `docker run -it … sh`
    /// left with `exit`): the run ends as if the program had exited by itself.
    pub fn container_main_exited(&mut self, m: MachineId, id: &str, code: i32) {
        if self.container(m, id).is_some_and(|c| c.is_running()) {
            self.finish_run(m, id, code);
        }
    }

    /// Checks that `exec` can run in the container: it exists, runs and is not paused.
    /// Returns its full ID.
    pub fn container_exec_check(&self, m: MachineId, reference: &str) -> Result<String, String> {
        let c = self.find_container(m, reference)?;
        if !c.is_running() || c.stopping && c.stop_deadline.is_some_and(|t| t <= self.now()) {
            return Err(format!("container {} is not running", c.id));
        }
        if c.paused {
            return Err(format!(
                "Container {reference} is paused, unpause the container before exec"
            ));
        }
        Ok(c.id.clone())
    }

    /// `docker pause`: freezes a running container (moby's `containerPause` checks and
    /// texts). Returns its full ID.
    pub fn container_pause(&mut self, m: MachineId, reference: &str) -> Result<String, String> {
        let id = self.resolve(m, reference)?;
        let Some(c) = self.ctr_mut(m, &id) else {
            return Err(no_such_container(reference));
        };
        if !c.is_running() {
            return Err(format!("container {id} is not running"));
        }
        if c.paused {
            return Err(format!("Container {id} is already paused"));
        }
        c.paused = true;
        self.record(format!("container-pause {m} {}", &id[..12]));
        self.on_container_change(m, &id);
        Ok(id)
    }

    /// `docker unpause`: thaws a paused container. Returns its full ID.
    pub fn container_unpause(&mut self, m: MachineId, reference: &str) -> Result<String, String> {
        let id = self.resolve(m, reference)?;
        let Some(c) = self.ctr_mut(m, &id) else {
            return Err(no_such_container(reference));
        };
        if !c.paused {
            return Err(format!("Container {id} is not paused"));
        }
        c.paused = false;
        self.record(format!("container-unpause {m} {}", &id[..12]));
        self.on_container_change(m, &id);
        Ok(id)
    }
}

/// The `Content-Type` nginx's `mime.types` gives a file by its extension.
fn content_type_of(path: &str) -> &'static str {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" | "shtml" => "text/html",
        "css" => "text/css",
        "js" => "application/javascript",
        "json" => "application/json",
        "txt" => "text/plain",
        "xml" => "text/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" | "svgz" => "image/svg+xml",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// nginx's response headers, in the order nginx sends them: `Server`, `Date`,
/// `Content-Type`, `Content-Length`, a file's `Last-Modified`, a redirect's `Location`,
/// `Connection`, a file's `ETag` and `Accept-Ranges`.
fn nginx_headers(reply: &mut crate::catalog::HttpReply, version: &str, now_unix_ms: i64) {
    let take = |k: &str, hs: &[(String, String)]| {
        hs.iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let old = std::mem::take(&mut reply.headers);
    let mut hs: Vec<(String, String)> = vec![
        ("Server".into(), format!("nginx/{version}")),
        ("Date".into(), crate::catalog::http_date(now_unix_ms)),
        ("Content-Type".into(), reply.content_type.clone()),
        ("Content-Length".into(), reply.body.len().to_string()),
    ];
    let etag = take("ETag", &old);
    if let Some(v) = take("Last-Modified", &old) {
        hs.push(("Last-Modified".into(), v));
    }
    if let Some(v) = take("Location", &old) {
        hs.push(("Location".into(), v));
    }
    hs.push(("Connection".into(), "keep-alive".into()));
    if let Some(v) = etag {
        hs.push(("ETag".into(), v));
        hs.push(("Accept-Ranges".into(), "bytes".into()));
    }
    reply.headers = hs;
}
