//! `swarm-core`: the deterministic simulation behind Swarm Playground.
//!
//! The core is sans-IO: it never reads a clock, never uses a global random number generator
//! and never lets hash order reach an output. Time comes in as [`SimTime`], randomness from
//! streams derived from one seed ([`SimRng`]); the same seed and the same inputs give the same
//! [`World::trace`], bit for bit. `clippy.toml` bans the clock, the global RNG and hashed
//! collections in this crate.

pub mod appdata;
pub mod apps;
pub mod base64;
pub mod catalog;
pub mod check;
pub mod container;
pub mod container_fs;
pub mod controlapi;
pub mod distro;
pub mod endpoints;
pub mod fs;
pub mod health_fault;
pub mod history;
pub mod ids;
pub mod machine;
pub mod network;
pub mod objects;
pub mod orchestrator;
pub mod printf;
pub mod prune;
pub mod pyeval;
mod quorum;
pub mod raft_info;
pub mod redis_repl;
pub mod registry;
pub mod rng;
pub mod scheduler;
pub mod service;
pub mod sort;
pub mod swarm;
pub mod task_store;
pub mod time;
pub mod volume;
pub mod world;

pub use machine::{Machine, MachineId, Power};
pub use objects::{ObjectKind, ObjectSpec, StoredObject};
pub use rng::SimRng;
pub use service::{
    FailureAction, Mode, PortConfig, RestartCondition, RestartPolicy, Service, ServiceSpec, Task,
    TaskState, UpdateConfig, UpdateOrder, UpdateState, UpdateStatus,
};
pub use swarm::{
    Availability, Membership, Node, NodeChange, NodeState, OpHandle, Reachability, Role, Swarm,
};
pub use time::{SimDuration, SimTime};
pub use world::{Event, World, WorldError};
