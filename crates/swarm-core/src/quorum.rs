//! The manager quorum: one raft-rs node per manager machine, driven by simulated time.
//!
//! This is tikv's raft-rs, the Rust port of etcd/raft that swarmkit itself uses, run as a
//! library: the world ticks each member once per simulated second and carries its messages
//! over the simulated network (see `swarm`). Store writes are proposals; the entry carries
//! only an operation number, and the operation itself waits in the swarm's table until its
//! entry commits (one process holds every member, so the payload needs no encoding).
//!
//! Determinism: raft-rs draws each election timeout from `thread_rng` whenever a member
//! changes state. After every call into raft (tick, step, campaign) the member checks whether
//! its term or role changed and, if so, overwrites the timeout with a draw from its own seeded
//! stream, before any tick can compare against it. The OS randomness never reaches the
//! simulation, and elections stay randomised (a fixed timeout per member can split votes
//! forever when two members share it: the fault simulation found that).

use raft::prelude::{ConfChange, ConfChangeType, Entry, EntryType, Message, Snapshot};
use raft::storage::MemStorage;
use raft::{Config, RawNode, StateRole};

use crate::rng::SimRng;

/// Swarm's Raft settings (spec §6.1): 1 s ticks, election after 10 ticks, heartbeat every tick.
pub const ELECTION_TICK: usize = 10;
/// Heartbeat interval, in ticks.
pub const HEARTBEAT_TICK: usize = 1;

/// A committed entry, as the swarm needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Committed {
    /// A store write: the operation number.
    Op(u64),
    /// A membership change (already applied to the member's configuration).
    Conf(u64),
}

/// One manager's Raft state.
pub(crate) struct Member {
    pub raft_id: u64,
    node: RawNode<MemStorage>,
    /// Draws election timeouts.
    rng: SimRng,
    /// (term, role) when the timeout was last drawn.
    seen: (u64, u8),
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Member")
            .field("raft_id", &self.raft_id)
            .field("term", &self.term())
            .finish()
    }
}

fn logger() -> slog::Logger {
    slog::Logger::root(slog::Discard, slog::o!())
}

fn config(raft_id: u64) -> Config {
    Config {
        id: raft_id,
        election_tick: ELECTION_TICK,
        heartbeat_tick: HEARTBEAT_TICK,
        min_election_tick: ELECTION_TICK,
        max_election_tick: 2 * ELECTION_TICK,
        check_quorum: true,
        pre_vote: true,
        ..Default::default()
    }
}

impl Member {
    /// The first manager of a new swarm: a one-voter configuration, leader at once.
    pub(crate) fn bootstrap(raft_id: u64, seed: u64) -> Option<Member> {
        Member::bootstrap_at(raft_id, seed, 1, 1)
    }

    /// A one-voter configuration starting after `index` in `term`: a new cluster, or one forced
    /// anew from a surviving manager (`swarm init --force-new-cluster`).
    pub(crate) fn bootstrap_at(raft_id: u64, seed: u64, term: u64, index: u64) -> Option<Member> {
        let mut s = Snapshot::default();
        // A non-zero first index makes later members catch up by snapshot, which carries the
        // configuration (the raft-rs examples do the same).
        s.mut_metadata().index = index.max(1);
        s.mut_metadata().term = term.max(1);
        s.mut_metadata().mut_conf_state().voters = vec![raft_id];
        let storage = MemStorage::new();
        storage.wl().apply_snapshot(s).ok()?;
        let node = RawNode::new(&config(raft_id), storage, &logger()).ok()?;
        let mut m = Member::new(raft_id, node, seed);
        m.node.campaign().ok()?;
        m.redraw();
        Some(m)
    }

    fn new(raft_id: u64, node: RawNode<MemStorage>, seed: u64) -> Member {
        let mut m = Member {
            raft_id,
            node,
            rng: SimRng::stream(seed, "election"),
            seen: (u64::MAX, u8::MAX),
        };
        m.redraw();
        m
    }

    /// Replaces raft's own timeout draw with ours after a change of term or role.
    fn redraw(&mut self) {
        let now = (self.node.raft.term, self.node.raft.state as u8);
        if now != self.seen {
            self.seen = now;
            let t = self
                .rng
                .range_inclusive(ELECTION_TICK as u64, 2 * ELECTION_TICK as u64 - 1)
                as usize;
            self.node.raft.set_randomized_election_timeout(t);
        }
    }

    /// A manager joining an existing swarm: empty, it learns everything from the leader.
    pub(crate) fn joining(raft_id: u64, seed: u64) -> Option<Member> {
        let node = RawNode::new(&config(raft_id), MemStorage::new(), &logger()).ok()?;
        Some(Member::new(raft_id, node, seed))
    }

    pub(crate) fn tick(&mut self) {
        self.node.tick();
        self.redraw();
    }

    pub(crate) fn step(&mut self, m: Message) {
        // A message raft refuses (stale term, unknown peer) is dropped, as a network would.
        let _ = self.node.step(m);
        self.redraw();
    }

    pub(crate) fn is_leader(&self) -> bool {
        self.node.raft.state == StateRole::Leader
    }

    /// The raft id of the leader this member knows of (0: none).
    pub(crate) fn leader_id(&self) -> u64 {
        self.node.raft.leader_id
    }

    pub(crate) fn term(&self) -> u64 {
        self.node.raft.term
    }

    pub(crate) fn commit_index(&self) -> u64 {
        self.node.raft.raft_log.committed
    }

    /// Whom this member voted for in its current term (0: nobody).
    pub(crate) fn vote(&self) -> u64 {
        self.node.raft.vote
    }

    /// Its Raft state's name: `leader`, `follower`, `candidate`, `pre-candidate`.
    pub(crate) fn state_name(&self) -> &'static str {
        match self.node.raft.state {
            StateRole::Leader => "leader",
            StateRole::Follower => "follower",
            StateRole::Candidate => "candidate",
            StateRole::PreCandidate => "pre-candidate",
        }
    }

    /// Voters in this member's configuration.
    pub(crate) fn voters(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.node.raft.prs().conf().voters().ids().iter().collect();
        crate::sort::sort(&mut v);
        v
    }

    /// The index of the last entry in this member's log.
    pub(crate) fn last_index(&self) -> u64 {
        self.node.raft.raft_log.last_index()
    }

    /// Whether the leader heard from `raft_id` within the last election timeout.
    pub(crate) fn recently_active(&self, raft_id: u64) -> bool {
        self.node
            .raft
            .prs()
            .get(raft_id)
            .is_some_and(|p| p.recent_active)
    }

    /// Hands leadership to the voter `to` (raft's `MsgTransferLeader`: it is caught up, then
    /// told to campaign at once, without waiting for an election timeout).
    pub(crate) fn transfer_leader(&mut self, to: u64) {
        self.node.transfer_leader(to);
        self.redraw();
    }

    /// Whether this leader is handing its leadership over.
    pub(crate) fn transferring(&self) -> bool {
        self.node.raft.lead_transferee.is_some()
    }

    /// The voter a leader hands over to: the recently active one furthest along in the log.
    pub(crate) fn transfer_target(&self) -> Option<u64> {
        let prs = self.node.raft.prs();
        self.voters()
            .into_iter()
            .filter(|v| *v != self.raft_id)
            .filter_map(|v| {
                prs.get(v)
                    .filter(|p| p.recent_active)
                    .map(|p| (p.matched, v))
            })
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, v)| v)
    }

    /// Proposes store operation `op`; false if this member cannot (not the leader).
    pub(crate) fn propose(&mut self, op: u64) -> bool {
        self.is_leader()
            && self
                .node
                .propose(op.to_be_bytes().to_vec(), op.to_be_bytes().to_vec())
                .is_ok()
    }

    /// Proposes adding (`add`) or removing a voter, tagged with operation `op`.
    pub(crate) fn propose_membership(&mut self, op: u64, raft_id: u64, add: bool) -> bool {
        if !self.is_leader() {
            return false;
        }
        let mut cc = ConfChange::default();
        cc.set_change_type(if add {
            ConfChangeType::AddNode
        } else {
            ConfChangeType::RemoveNode
        });
        cc.node_id = raft_id;
        // raft-rs turns a conf change proposed while another is unapplied into an empty
        // entry: that proposal is refused here, so that it can be made again later.
        let before = self.node.raft.raft_log.last_index();
        self.node
            .propose_conf_change(op.to_be_bytes().to_vec(), cc)
            .is_ok()
            && self.node.raft.pending_conf_index > before
    }

    /// Runs one Ready cycle: returns the messages to send and what committed.
    pub(crate) fn process(&mut self) -> (Vec<Message>, Vec<Committed>) {
        let mut out = Vec::new();
        let mut committed = Vec::new();
        if !self.node.has_ready() {
            return (out, committed);
        }
        let store = self.node.raft.raft_log.store.clone();
        let mut ready = self.node.ready();
        out.extend(ready.take_messages());
        if *ready.snapshot() != Snapshot::default() {
            let s = ready.snapshot().clone();
            if store.wl().apply_snapshot(s).is_err() {
                return (out, committed);
            }
        }
        let entries = ready.take_committed_entries();
        self.apply(entries, &mut committed);
        if store.wl().append(ready.entries()).is_err() {
            return (out, committed);
        }
        if let Some(hs) = ready.hs() {
            store.wl().set_hardstate(hs.clone());
        }
        out.extend(ready.take_persisted_messages());
        let mut light = self.node.advance(ready);
        self.redraw();
        if let Some(commit) = light.commit_index() {
            store.wl().mut_hard_state().set_commit(commit);
        }
        out.extend(light.take_messages());
        let entries = light.take_committed_entries();
        self.apply(entries, &mut committed);
        self.node.advance_apply();
        (out, committed)
    }

    fn apply(&mut self, entries: Vec<Entry>, committed: &mut Vec<Committed>) {
        for e in entries {
            let op = <[u8; 8]>::try_from(e.context.as_slice()).map(u64::from_be_bytes);
            match (e.get_entry_type(), op) {
                (EntryType::EntryConfChange, Ok(op)) => {
                    let mut cc = ConfChange::default();
                    if prost::Message::merge(&mut cc, e.data.as_slice()).is_ok() {
                        if let Ok(cs) = self.node.apply_conf_change(&cc) {
                            self.node.raft.raft_log.store.wl().set_conf_state(cs);
                        }
                        self.redraw();
                    }
                    committed.push(Committed::Conf(op));
                }
                (EntryType::EntryNormal, Ok(op)) => committed.push(Committed::Op(op)),
                _ => {}
            }
        }
    }
}
