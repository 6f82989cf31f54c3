//! Invariants of the simulation, checked after every step in tests (the "always" half of
//! VOPR-style testing; convergence after faults heal is the "eventually" half, in the tests).

use std::collections::BTreeMap;

use crate::service::{Mode, TaskState};
use crate::swarm::{NodeState, Role};
use crate::time::SimDuration;
use crate::world::World;

/// Remembers what must never be lost between checks.
#[derive(Debug, Default)]
pub struct Checker {
    /// Per cluster: the highest commit index any member ever reported.
    max_commit: BTreeMap<usize, u64>,
    /// Per cluster and term: the raft id that led it.
    leaders: BTreeMap<(usize, u64), u64>,
    /// Per task: the last observed state seen.
    task_states: BTreeMap<String, TaskState>,
    /// Per service: the most replicas it ever asked for (scaling down takes a pass).
    max_replicas: BTreeMap<String, u64>,
}

impl Checker {
    /// A checker that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks every invariant; the first broken one is returned as text.
    pub fn check(&mut self, w: &World) -> Result<(), String> {
        for (c, s) in w.swarms().iter().enumerate() {
            // At most one leader per term, ever.
            for (m, member) in &s.members {
                if member.is_leader() {
                    let prev = self.leaders.insert((c, member.term()), member.raft_id);
                    if prev.is_some_and(|p| p != member.raft_id) {
                        return Err(format!(
                            "cluster {c}: two leaders in term {} ({prev:?} and {} on {m})",
                            member.term(),
                            member.raft_id
                        ));
                    }
                }
                // Raft state only on managers: every member is a node with a Raft id.
                let node = s
                    .nodes
                    .values()
                    .find(|n| n.machine == *m && n.raft_id == Some(member.raft_id));
                if node.is_none()
                    && !s
                        .ops
                        .values()
                        .any(|op| matches!(op, crate::swarm::Op::AddNode(n) if n.machine == *m))
                {
                    return Err(format!("cluster {c}: machine {m} holds Raft state (id {}) without a manager record", member.raft_id));
                }
            }
            // A worker never holds Raft state: the machine's current record (a machine that
            // left and joined again has an old record too) must carry the member's Raft id.
            for (m, member) in &s.members {
                let current = w.membership(*m).and_then(|ms| s.nodes.get(&ms.node_id));
                if let Some(n) = current {
                    if n.raft_id != Some(member.raft_id) && n.role == Role::Worker {
                        return Err(format!(
                            "cluster {c}: worker {} holds Raft state (id {}; record id {} raft {:?}; pending ops {:?})",
                            n.hostname,
                            member.raft_id,
                            n.id,
                            n.raft_id,
                            s.ops.values().collect::<Vec<_>>()
                        ));
                    }
                }
            }
            // Committed entries are never lost: the leader's log reaches every commit seen.
            let seen = s
                .members
                .values()
                .map(|m| m.commit_index())
                .max()
                .unwrap_or(0);
            let max = self.max_commit.entry(c).or_insert(0);
            *max = (*max).max(seen);
            if let Some(l) = s.leader().and_then(|l| s.members.get(&l)) {
                if l.last_index() < *max {
                    return Err(format!(
                        "cluster {c}: leader's log ends at {} but {} was committed",
                        l.last_index(),
                        *max
                    ));
                }
            }
            // A task's observed state only moves forward; past PENDING it has a node.
            for t in s.tasks.values() {
                if let Some(prev) = self.task_states.insert(t.id.clone(), t.state) {
                    if t.state < prev {
                        return Err(format!(
                            "cluster {c}: task {} went back from {} to {}",
                            t.id,
                            prev.as_str(),
                            t.state.as_str()
                        ));
                    }
                }
                if t.state >= TaskState::Assigned && t.node_id.is_none() {
                    return Err(format!(
                        "cluster {c}: task {} is {} without a node",
                        t.id,
                        t.state.as_str()
                    ));
                }
            }
            // No runaway task creation: a replicated service holds at most twice the most
            // replicas it ever asked for in runnable tasks, and a bounded history.
            for svc in s.services.values() {
                if let Mode::Replicated { replicas } = svc.spec.mode {
                    let most = self.max_replicas.entry(svc.id.clone()).or_insert(0);
                    *most = (*most).max(replicas);
                    let replicas = *most;
                    let runnable = s.tasks_of(&svc.id).filter(|t| t.is_runnable()).count() as u64;
                    if runnable > replicas * 2 + 1 {
                        return Err(format!(
                            "cluster {c}: service {} has {runnable} runnable tasks for {replicas} replicas",
                            svc.spec.name
                        ));
                    }
                    let all = s.tasks_of(&svc.id).count() as u64;
                    let bound = (replicas + s.nodes.len() as u64) * 8 + 16;
                    if all > bound {
                        return Err(format!(
                            "cluster {c}: service {} has {all} tasks (bound {bound})",
                            svc.spec.name
                        ));
                    }
                }
            }
            // A node is Ready only while it heartbeats (checked while a leader counts them).
            if s.leader().is_some() && s.leader() == s.dispatcher() {
                let grace = SimDuration::from_millis(s.heartbeat_period.as_millis() * 3 + 1500);
                for n in s.nodes.values() {
                    let silent = w.now().saturating_since(n.last_heartbeat);
                    if n.state == NodeState::Ready && silent > grace {
                        return Err(format!(
                            "cluster {c}: {} is Ready but silent for {} ms",
                            n.hostname,
                            silent.as_millis()
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
