//! The control loop: orchestrator, scheduler pass, update supervisor, agents. SKELETON.

use crate::machine::MachineId;
use crate::world::World;

impl World {
    /// One pass of a cluster's control loop (`Event::Orchestrate`).
    pub(crate) fn orchestrate(&mut self, cluster: usize) {
        let _ = cluster;
    }

    /// An agent advances a task (`Event::Agent`).
    pub(crate) fn agent_step(&mut self, cluster: usize, task: &str) {
        let _ = (cluster, task);
    }

    /// A container changed state (exited, was killed or removed, its health changed); the
    /// container runtime calls this after every such change so the agent can report the
    /// task's new state.
    #[allow(dead_code)] // called by the container runtime
    pub(crate) fn on_container_change(&mut self, m: MachineId, container_id: &str) {
        let _ = (m, container_id);
    }
}
