//! What a view of the quorum reads: each manager's Raft facts ([`RaftDetail`]) and the last
//! writes the cluster committed, in words ([`CommittedWrite`]).
//!
//! A write is described when its Raft entry commits, from the operation and the store as it
//! was just before the write applied (so `service web scaled to 5` can compare the new spec
//! with the old one, and a removed service still has its name). Each cluster keeps the last
//! [`WRITES_KEPT`]; nothing else reads them, so they never change what the simulation does.

use std::collections::VecDeque;

use crate::controlapi::ServiceOp;
use crate::network::NetworkOp;
use crate::objects::ObjectOp;
use crate::service::Mode;
use crate::swarm::{Availability, Op, Role, Swarm};
use crate::time::SimTime;

/// How many committed writes a cluster remembers.
pub const WRITES_KEPT: usize = 32;

/// One manager's Raft state, as its own member sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaftDetail {
    /// Its Raft ID.
    pub raft_id: u64,
    /// `leader`, `follower`, `candidate` or `pre-candidate`.
    pub state: &'static str,
    /// Its current term.
    pub term: u64,
    /// Its commit index.
    pub commit: u64,
    /// The index of the last entry in its log.
    pub last_index: u64,
    /// The leader it knows (0: none).
    pub leader_id: u64,
    /// Whom it voted for in its current term (0: nobody).
    pub vote: u64,
    /// The voters of its configuration, by Raft ID.
    pub voters: Vec<u64>,
}

/// A write the cluster committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedWrite {
    /// Its operation number.
    pub op: u64,
    /// When its entry committed.
    pub at: SimTime,
    /// In words: `service web scaled to 5`, `node node3 drained`.
    pub text: String,
}

impl Swarm {
    /// The Raft facts of the member on `machine`, if it holds Raft state.
    pub fn raft_detail(&self, machine: crate::MachineId) -> Option<RaftDetail> {
        let m = self.members.get(&machine)?;
        Some(RaftDetail {
            raft_id: m.raft_id,
            state: m.state_name(),
            term: m.term(),
            commit: m.commit_index(),
            last_index: m.last_index(),
            leader_id: m.leader_id(),
            vote: m.vote(),
            voters: m.voters(),
        })
    }

    /// The last writes committed, oldest first (at most [`WRITES_KEPT`]).
    pub fn recent_writes(&self) -> &VecDeque<CommittedWrite> {
        &self.recent_writes
    }

    /// Notes that operation `op` committed at `at` (called before it applies).
    pub(crate) fn note_write(&mut self, op_id: u64, op: &Op, at: SimTime) {
        let text = describe(self, op);
        if self.recent_writes.len() >= WRITES_KEPT {
            self.recent_writes.pop_front();
        }
        self.recent_writes.push_back(CommittedWrite {
            op: op_id,
            at,
            text,
        });
    }
}

/// A node's hostname, or its ID when the store does not know it.
fn node_name(s: &Swarm, id: &str) -> String {
    s.nodes
        .get(id)
        .map_or_else(|| id.to_string(), |n| n.hostname.clone())
}

/// A Raft member's hostname, or `raft member N`.
fn voter_name(s: &Swarm, raft_id: u64) -> String {
    s.nodes
        .values()
        .find(|n| n.raft_id == Some(raft_id))
        .map(|n| n.hostname.clone())
        .or_else(|| {
            s.ops.values().find_map(|op| match op {
                Op::AddNode(n) if n.raft_id == Some(raft_id) => Some(n.hostname.clone()),
                _ => None,
            })
        })
        .unwrap_or_else(|| format!("raft member {raft_id:x}"))
}

/// `op` in words, against the store before it applies.
fn describe(s: &Swarm, op: &Op) -> String {
    let service_name = |id: &str| {
        s.services
            .get(id)
            .map_or_else(|| id.to_string(), |x| x.spec.name.clone())
    };
    match op {
        Op::AddNode(n) => format!("node {} joined as {}", n.hostname, n.role.as_str()),
        Op::UpdateNode { id, change } => {
            let name = node_name(s, id);
            let mut parts = Vec::new();
            match change.role {
                Some(Role::Manager) => parts.push(format!("node {name} promoted to manager")),
                Some(Role::Worker) => parts.push(format!("node {name} demoted to worker")),
                None => {}
            }
            match change.availability {
                Some(Availability::Drain) => parts.push(format!("node {name} drained")),
                Some(Availability::Pause) => parts.push(format!("node {name} paused")),
                Some(Availability::Active) => parts.push(format!("node {name} set active")),
                None => {}
            }
            for (k, v) in &change.labels_add {
                parts.push(format!("node {name} labelled {k}={v}"));
            }
            for k in &change.labels_rm {
                parts.push(format!("node {name} lost label {k}"));
            }
            if parts.is_empty() {
                format!("node {name} updated")
            } else {
                parts.join(", ")
            }
        }
        Op::RemoveNode(id) => format!("node {} removed", node_name(s, id)),
        Op::RotateToken(role, _) => format!("{} join token rotated", role.as_str()),
        Op::SetSpec { .. } => "swarm settings updated".to_string(),
        Op::Service(ServiceOp::Create(svc)) => match svc.spec.mode {
            Mode::Replicated { replicas } => format!(
                "service {} created with {replicas} replica{}",
                svc.spec.name,
                if replicas == 1 { "" } else { "s" }
            ),
            _ => format!(
                "service {} created ({})",
                svc.spec.name,
                svc.spec.mode.display()
            ),
        },
        Op::Service(ServiceOp::Update { id, spec }) => {
            let name = spec.name.clone();
            let old = s.services.get(id).map(|x| &x.spec);
            match (old, &spec.mode) {
                (Some(old), Mode::Replicated { replicas })
                    if old.mode != spec.mode && {
                        let mut same = (**spec).clone();
                        same.mode = old.mode.clone();
                        same == *old
                    } =>
                {
                    format!("service {name} scaled to {replicas}")
                }
                (Some(old), _) if old.image != spec.image => {
                    let image = spec.image.split('@').next().unwrap_or(&spec.image);
                    format!("service {name} updated to {image}")
                }
                _ => format!("service {name} updated"),
            }
        }
        Op::Service(ServiceOp::Rollback { id }) => {
            format!("service {} rolled back", service_name(id))
        }
        Op::Service(ServiceOp::Remove { id }) => format!("service {} removed", service_name(id)),
        Op::Network(NetworkOp::Create(n)) => format!("network {} created", n.name),
        Op::Network(NetworkOp::Remove(id)) => format!(
            "network {} removed",
            s.networks
                .get(id)
                .map_or_else(|| id.clone(), |n| n.name.clone())
        ),
        Op::Object(ObjectOp::Create(kind, o)) => format!("{} {} created", kind.as_str(), o.name),
        Op::Object(ObjectOp::Update { kind, id, .. }) => {
            format!("{} {} updated", kind.as_str(), object_name(s, *kind, id))
        }
        Op::Object(ObjectOp::Remove(kind, id)) => {
            format!("{} {} removed", kind.as_str(), object_name(s, *kind, id))
        }
        Op::Voter { raft_id, add: true } => {
            format!("{} joined the Raft voters", voter_name(s, *raft_id))
        }
        Op::Voter {
            raft_id,
            add: false,
        } => format!("{} left the Raft voters", voter_name(s, *raft_id)),
    }
}

fn object_name(s: &Swarm, kind: crate::ObjectKind, id: &str) -> String {
    let table = match kind {
        crate::ObjectKind::Secret => &s.secrets,
        crate::ObjectKind::Config => &s.configs,
    };
    table
        .get(id)
        .map_or_else(|| id.to_string(), |o| o.name.clone())
}
