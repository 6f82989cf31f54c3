//! What a view of the quorum reads: each manager's Raft facts ([`RaftDetail`]) and the last
//! writes the cluster committed, in words ([`CommittedWrite`]).
//!
//! A write is described when its Raft entry commits, from the operation and the store as it
//! was just before the write applied (so `service web scaled to 5` can compare the new spec
//! with the old one, and a removed service still has its name). Each cluster keeps the last
//! [`WRITES_KEPT`]; nothing else reads them, so they never change what the simulation does.
//!
//! The Raft messages the members exchanged are kept the same way ([`RaftFlight`], the last
//! [`MESSAGES_KEPT`] per cluster): who sent what to whom, when, and whether the network
//! dropped it (the receiver powered off, or a partition between them). A message is noted
//! when it arrives or is dropped, one millisecond after it was sent: a few plain numbers and
//! enums, no text, so noting costs no more than a queue push.

use std::collections::VecDeque;

use crate::controlapi::ServiceOp;
use crate::network::NetworkOp;
use crate::objects::ObjectOp;
use crate::service::Mode;
use crate::swarm::{Availability, Op, Role, Swarm};
use crate::time::SimTime;
use crate::MachineId;

/// How many committed writes a cluster remembers.
pub const WRITES_KEPT: usize = 32;

/// How many Raft messages a cluster remembers.
pub const MESSAGES_KEPT: usize = 64;

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

/// What a Raft message was, as the quorum view names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftKind {
    /// `MsgHeartbeat`: the leader's "I am still here".
    Heartbeat,
    /// `MsgHeartbeatResponse`.
    HeartbeatResponse,
    /// `MsgAppend`: log entries (or an empty probe) from the leader.
    Append,
    /// `MsgAppendResponse`.
    AppendResponse,
    /// `MsgRequestVote`: a candidate asks for a vote.
    RequestVote,
    /// `MsgRequestVoteResponse`: granted, or refused (`reject`).
    RequestVoteResponse,
    /// `MsgRequestPreVote`: would you vote for me? (pre-vote, before a real election).
    RequestPreVote,
    /// `MsgRequestPreVoteResponse`.
    RequestPreVoteResponse,
    /// `MsgSnapshot`: the leader's snapshot for a member too far behind.
    Snapshot,
    /// `MsgTimeoutNow`, `MsgTransferLeader`, `MsgReadIndex`…: rarely sent between members.
    Other,
}

impl RaftKind {
    /// The kind of a raft-rs message type.
    pub fn of(t: raft::prelude::MessageType) -> RaftKind {
        use raft::prelude::MessageType as T;
        match t {
            T::MsgHeartbeat => RaftKind::Heartbeat,
            T::MsgHeartbeatResponse => RaftKind::HeartbeatResponse,
            T::MsgAppend => RaftKind::Append,
            T::MsgAppendResponse => RaftKind::AppendResponse,
            T::MsgRequestVote => RaftKind::RequestVote,
            T::MsgRequestVoteResponse => RaftKind::RequestVoteResponse,
            T::MsgRequestPreVote => RaftKind::RequestPreVote,
            T::MsgRequestPreVoteResponse => RaftKind::RequestPreVoteResponse,
            T::MsgSnapshot => RaftKind::Snapshot,
            _ => RaftKind::Other,
        }
    }

    /// raft-rs's name for it (`MsgAppend`…; `Other` is `MsgOther`).
    pub fn name(self) -> &'static str {
        match self {
            RaftKind::Heartbeat => "MsgHeartbeat",
            RaftKind::HeartbeatResponse => "MsgHeartbeatResponse",
            RaftKind::Append => "MsgAppend",
            RaftKind::AppendResponse => "MsgAppendResponse",
            RaftKind::RequestVote => "MsgRequestVote",
            RaftKind::RequestVoteResponse => "MsgRequestVoteResponse",
            RaftKind::RequestPreVote => "MsgRequestPreVote",
            RaftKind::RequestPreVoteResponse => "MsgRequestPreVoteResponse",
            RaftKind::Snapshot => "MsgSnapshot",
            RaftKind::Other => "MsgOther",
        }
    }

    /// True for the answers (heartbeat, append, vote and pre-vote responses).
    pub fn is_response(self) -> bool {
        matches!(
            self,
            RaftKind::HeartbeatResponse
                | RaftKind::AppendResponse
                | RaftKind::RequestVoteResponse
                | RaftKind::RequestPreVoteResponse
        )
    }

    /// True for the election's messages (votes and pre-votes, asked and answered).
    pub fn is_election(self) -> bool {
        matches!(
            self,
            RaftKind::RequestVote
                | RaftKind::RequestVoteResponse
                | RaftKind::RequestPreVote
                | RaftKind::RequestPreVoteResponse
        )
    }
}

/// Why the network dropped a Raft message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dropped {
    /// The receiver (or the sender, since) is powered off or still booting.
    PowerOff,
    /// A partition separates the two machines.
    Partition,
}

/// A Raft message one member sent another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaftFlight {
    /// Its number in the cluster, counting from 1 (a stable key, also after the ring
    /// forgot older ones).
    pub seq: u64,
    /// When it was sent (it arrives one millisecond later, or is dropped then).
    pub sent: SimTime,
    /// The sending machine.
    pub from: MachineId,
    /// The receiving machine.
    pub to: MachineId,
    /// What it was.
    pub kind: RaftKind,
    /// The sender's term.
    pub term: u64,
    /// For a response: refused (a vote not granted, an append that did not match).
    pub reject: bool,
    /// Log entries it carried (appends).
    pub entries: u32,
    /// Whether, and why, the network dropped it.
    pub dropped: Option<Dropped>,
}

/// The last Raft messages of a cluster, oldest first (see [`Swarm::raft_messages`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct Flights {
    ring: VecDeque<RaftFlight>,
    /// Messages noted so far (the last one's `seq`).
    count: u64,
}

impl Flights {
    /// Notes a message, forgetting the oldest beyond [`MESSAGES_KEPT`].
    pub(crate) fn note(&mut self, mut flight: RaftFlight) {
        self.count += 1;
        flight.seq = self.count;
        if self.ring.len() >= MESSAGES_KEPT {
            self.ring.pop_front();
        }
        self.ring.push_back(flight);
    }
}

impl Swarm {
    /// The last Raft messages between this cluster's members, oldest first (at most
    /// [`MESSAGES_KEPT`]).
    pub fn raft_messages(&self) -> &VecDeque<RaftFlight> {
        &self.flights.ring
    }

    /// The Raft facts of the member on `machine`, if it holds Raft state.
    pub fn raft_detail(&self, machine: MachineId) -> Option<RaftDetail> {
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

impl crate::World {
    /// Notes a Raft message of `cluster` as it arrives at `to` or is dropped (`sent` is one
    /// latency ago). Reads nothing the simulation uses and changes nothing it reads.
    pub(crate) fn note_flight(
        &mut self,
        cluster: usize,
        from: MachineId,
        to: MachineId,
        msg: &raft::prelude::Message,
        dropped: Option<Dropped>,
    ) {
        let sent = SimTime::from_millis(
            self.now()
                .as_millis()
                .saturating_sub(crate::swarm::LATENCY.as_millis()),
        );
        if let Some(s) = self.swarms.get_mut(cluster) {
            s.flights.note(RaftFlight {
                seq: 0,
                sent,
                from,
                to,
                kind: RaftKind::of(msg.get_msg_type()),
                term: msg.term,
                reject: msg.reject,
                entries: u32::try_from(msg.entries.len()).unwrap_or(u32::MAX),
                dropped,
            });
        }
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
        Op::SetUnlockKey(k) if k.is_empty() => "autolock turned off".to_string(),
        Op::SetUnlockKey(_) => "manager unlock key set".to_string(),
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
