//! Machines: the simulated hosts of the playground, each with a Docker engine.
//!
//! A machine is what a Play with Docker "instance" was: a hostname, an address on the
//! playground's LAN and an engine. It is not part of a swarm until its terminal says so.

use std::fmt;
use std::net::Ipv4Addr;

use crate::time::SimTime;

/// Index of a machine in its world; stable for the world's life (machines are never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MachineId(pub u32);

impl fmt::Display for MachineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m{}", self.0)
    }
}

/// Whether a machine is up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    /// Powered on, the engine still starting.
    Booting,
    /// Powered on, the engine answering.
    Running,
    /// Powered off: it answers nothing.
    Off,
}

/// The Docker engine of a machine, as `docker version` and `docker info` describe it.
#[derive(Clone, Debug)]
pub struct Engine {
    /// The daemon's ID (a UUID, as engines since v23 report it).
    pub id: String,
    /// When the engine last started.
    pub started_at: SimTime,
}

/// One simulated host.
#[derive(Clone, Debug)]
pub struct Machine {
    /// Its index in the world.
    pub id: MachineId,
    /// Its hostname, also its name in the playground (`node1`, `node2`, …).
    pub hostname: String,
    /// Its address on the playground LAN.
    pub ip: Ipv4Addr,
    /// Whether it is on.
    pub power: Power,
    /// Its Docker engine.
    pub engine: Engine,
    /// What its engine holds: containers and images.
    pub runtime: crate::container::Runtime,
    /// Its filesystem (`/root`, `/etc/hosts` …): what the shell's file commands work on.
    pub fs: crate::fs::Fs,
    /// Its engine's local networks and its containers' connections.
    pub networks: crate::endpoints::LocalNetworks,
}

impl Machine {
    /// True when the engine answers API calls.
    pub fn engine_up(&self) -> bool {
        self.power == Power::Running
    }
}

/// Facts about the engine build every machine runs; the values of a Docker 28.2.2 release
/// (what the installed CLI reports), so `docker version` looks like a current engine.
pub mod build {
    /// Engine version.
    pub const VERSION: &str = "28.2.2";
    /// Engine API version.
    pub const API_VERSION: &str = "1.50";
    /// The oldest API version the engine accepts.
    pub const MIN_API_VERSION: &str = "1.24";
    /// Go version the engine was built with.
    pub const GO_VERSION: &str = "go1.24.3";
    /// Engine git commit.
    pub const GIT_COMMIT: &str = "45873be";
    /// Engine build time, as `docker version` prints it.
    pub const BUILT: &str = "Fri May 30 12:07:14 2025";
    /// containerd version and commit.
    pub const CONTAINERD: (&str, &str) = ("v1.7.27", "05044ec0a9a75232cad458027ca83437aae3f4da");
    /// runc version and commit.
    pub const RUNC: (&str, &str) = ("1.2.5", "v1.2.5-0-g59923ef");
    /// docker-init version and commit.
    pub const DOCKER_INIT: (&str, &str) = ("0.19.0", "de40ad0");
    /// Kernel of the machines.
    pub const KERNEL: &str = "6.8.0-1015-gcp";
    /// Operating system of the machines (Play with Docker ran Alpine-based engines).
    pub const OS: &str = "Alpine Linux v3.21";
    /// CPUs per machine.
    pub const CPUS: u32 = 2;
    /// Memory per machine, in bytes (4 GiB).
    pub const MEMORY_BYTES: u64 = 4 * 1024 * 1024 * 1024;
}
