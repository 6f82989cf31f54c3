//! Swarm membership: clusters, their node store, join tokens, heartbeats and the manager
//! quorum, as swarmkit's manager (controlapi, dispatcher, raft) keeps them.
//!
//! Every cluster write is an operation proposed to the Raft leader; it takes effect when its
//! entry commits. Callers get an [`OpHandle`] and poll [`World::op_result`] as simulated time
//! passes, as the docker CLI waits for the daemon's answer.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::ids;
use crate::machine::{MachineId, Power};
use crate::quorum::{Committed, Member};
use crate::service::TaskState;
use crate::time::{SimDuration, SimTime};
use crate::world::{Event, World};

/// A node's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Runs tasks only.
    Worker,
    /// Holds the Raft log and answers the control API.
    Manager,
}

impl Role {
    /// The API's lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Manager => "manager",
        }
    }
}

/// Whether the scheduler may use a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// Takes new tasks.
    Active,
    /// Keeps its tasks, takes no new ones.
    Pause,
    /// Its tasks move elsewhere.
    Drain,
}

impl Availability {
    /// The API's lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Active => "active",
            Availability::Pause => "pause",
            Availability::Drain => "drain",
        }
    }

    /// Parses the API name.
    pub fn parse(s: &str) -> Option<Availability> {
        match s.to_ascii_lowercase().as_str() {
            "active" => Some(Availability::Active),
            "pause" => Some(Availability::Pause),
            "drain" => Some(Availability::Drain),
            _ => None,
        }
    }
}

/// A node's status as the dispatcher sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeState {
    /// No word yet.
    Unknown,
    /// Missed its heartbeats, or left.
    Down,
    /// Heartbeating.
    Ready,
}

impl NodeState {
    /// The API's lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Unknown => "unknown",
            NodeState::Down => "down",
            NodeState::Ready => "ready",
        }
    }
}

/// A node in a cluster's store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The 25-character node ID.
    pub id: String,
    /// The machine it runs on.
    pub machine: MachineId,
    /// Hostname at join time.
    pub hostname: String,
    /// The address it joined with.
    pub addr: Ipv4Addr,
    /// Manager or worker.
    pub role: Role,
    /// Active, pause or drain.
    pub availability: Availability,
    /// Node labels (`--label-add`).
    pub labels: BTreeMap<String, String>,
    /// Ready, down or unknown.
    pub state: NodeState,
    /// Why it is in that state (`heartbeat failure`…), empty when ready.
    pub message: String,
    /// When it joined.
    pub created_at: SimTime,
    /// When its record last changed.
    pub updated_at: SimTime,
    /// The store's version of the record.
    pub version: u64,
    /// Its Raft id while a manager.
    pub raft_id: Option<u64>,
    /// When the dispatcher last heard from it.
    pub last_heartbeat: SimTime,
}

impl Node {
    /// A node that has just joined: ready, active, without labels.
    fn joined(
        id: String,
        machine: MachineId,
        hostname: String,
        addr: Ipv4Addr,
        role: Role,
        raft_id: Option<u64>,
        now: SimTime,
    ) -> Node {
        Node {
            id,
            machine,
            hostname,
            addr,
            role,
            availability: Availability::Active,
            labels: BTreeMap::new(),
            state: NodeState::Ready,
            message: String::new(),
            created_at: now,
            updated_at: now,
            version: 0,
            raft_id,
            last_heartbeat: now,
        }
    }
}

/// How a manager is doing, as `MANAGER STATUS` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reachability {
    /// The Raft leader.
    Leader,
    /// A member the leader hears from.
    Reachable,
    /// A member the leader does not hear from.
    Unreachable,
}

impl Reachability {
    /// The API's lowercase name (`leader` is shown for the leader's row).
    pub fn as_str(self) -> &'static str {
        match self {
            Reachability::Leader => "leader",
            Reachability::Reachable => "reachable",
            Reachability::Unreachable => "unreachable",
        }
    }
}

/// A cluster operation waiting for its Raft entry to commit.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    AddNode(Box<Node>),
    UpdateNode {
        id: String,
        change: NodeChange,
    },
    RemoveNode(String),
    RotateToken(Role, String),
    /// Autolock on with this key, or off (empty).
    SetUnlockKey(String),
    SetSpec {
        task_history_limit: Option<i64>,
        heartbeat_period: Option<SimDuration>,
    },
    /// A write to services (create, update, rollback, remove).
    Service(crate::controlapi::ServiceOp),
    /// A write to networks (create, remove).
    Network(crate::network::NetworkOp),
    /// A write to secrets or configs (create, update, remove).
    Object(crate::objects::ObjectOp),
    /// A Raft membership change: add or remove the voter `raft_id`.
    Voter {
        raft_id: u64,
        add: bool,
    },
}

/// Changes to a node (`docker node update`, promote, demote).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeChange {
    /// New availability.
    pub availability: Option<Availability>,
    /// New role.
    pub role: Option<Role>,
    /// Labels to set.
    pub labels_add: Vec<(String, String)>,
    /// Labels to remove (each must exist).
    pub labels_rm: Vec<String>,
}

/// One cluster.
#[derive(Debug)]
pub struct Swarm {
    /// The cluster ID.
    pub id: String,
    /// When `swarm init` ran.
    pub created_at: SimTime,
    /// The root CA's digest as the join tokens carry it (50 base-36 characters).
    pub ca_digest: String,
    /// The secret of the worker join token.
    pub worker_secret: String,
    /// The secret of the manager join token.
    pub manager_secret: String,
    /// Task history retention limit (`swarm update --task-history-limit`).
    pub task_history_limit: i64,
    /// The managers' unlock key (`SWMKEY-1-…`) while autolock is on; empty when it is off.
    pub unlock_key: String,
    /// Dispatcher heartbeat period (`swarm update --dispatcher-heartbeat`).
    pub heartbeat_period: SimDuration,
    /// The store's nodes, by ID.
    pub nodes: BTreeMap<String, Node>,
    pub(crate) members: BTreeMap<MachineId, Member>,
    next_raft_id: u64,
    next_op: u64,
    pub(crate) ops: BTreeMap<u64, Op>,
    pub(crate) outcomes: BTreeMap<u64, Result<(), String>>,
    /// Pending operations: the leader that proposed each, and its term then.
    proposers: BTreeMap<u64, (MachineId, u64)>,
    /// Per manager machine: since when it has seen no leader.
    leaderless_since: BTreeMap<MachineId, SimTime>,
    /// The machine whose dispatcher last counted heartbeats.
    dispatcher: Option<MachineId>,
    /// The store version counter.
    pub(crate) version: u64,
    /// Services, by ID.
    pub services: BTreeMap<String, crate::service::Service>,
    /// Tasks, by ID (with the control loop's indexes; reads deref to the map).
    pub tasks: crate::task_store::TaskStore,
    /// Swarm-scoped networks (`ingress` and overlays), by ID.
    pub networks: BTreeMap<String, crate::network::Network>,
    /// Secrets, by ID.
    pub secrets: BTreeMap<String, crate::objects::StoredObject>,
    /// Configs, by ID.
    pub configs: BTreeMap<String, crate::objects::StoredObject>,
    /// The control loop's memory (restart history, running updates), on the leader.
    pub(crate) control: crate::orchestrator::Control,
    /// The last writes committed, in words (see `raft_info`).
    pub(crate) recent_writes: std::collections::VecDeque<crate::raft_info::CommittedWrite>,
    /// The last Raft messages between members (see `raft_info`).
    pub(crate) flights: crate::raft_info::Flights,
}

/// A proposed operation to wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpHandle {
    /// Cluster index.
    pub cluster: usize,
    /// Operation number.
    pub op: u64,
}

/// A machine's own view of its membership (what `docker info` shows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    /// Index of the cluster in the world.
    pub cluster: usize,
    /// This node's ID.
    pub node_id: String,
}

/// The gRPC wrapper around control API errors.
pub fn rpc(code: &str, desc: &str) -> String {
    format!("rpc error: code = {code} desc = {desc}")
}

/// The daemon's texts.
pub mod texts {
    /// An engine outside any swarm asked for a manager's API.
    pub const NOT_IN_SWARM_MANAGER: &str = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";
    /// A worker asked for a manager's API.
    pub const WORKER: &str = "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
    /// No leader for more than ten ticks.
    pub const NO_LEADER: &str = "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
    /// No leader yet, or the leader is out of reach.
    pub const DEADLINE: &str =
        "rpc error: code = DeadlineExceeded desc = context deadline exceeded";
    /// A write pending on a leader that stepped down (swarmkit's `ErrLostLeadership`).
    pub const LOST_LEADER: &str =
        "rpc error: code = Unknown desc = raft: failed to process the request: node lost leader status";
    /// A manager that restarted with autolock on, before `docker swarm unlock`.
    pub const LOCKED: &str = "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it.";
    /// `leave` without `--force` on a locked manager.
    pub const LEAVE_LOCKED: &str =
        "Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message.";
    /// `unlock` on a member that is not locked.
    pub const NOT_LOCKED: &str = "swarm is not locked";
    /// `unlock` with a text that is no unlock key (swarmkit's `ParseHumanReadableKey`).
    pub const INVALID_KEY_STRING: &str = "invalid key string";
    /// `unlock` with another key than the one that sealed the node's state.
    pub const INVALID_KEY: &str = "swarm could not be unlocked: invalid key provided";
    /// `init`/`join` on a member.
    pub const ALREADY: &str = "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one.";
    /// `leave` outside a swarm.
    pub const NOT_PART: &str = "This node is not part of a swarm";
    /// A malformed join token.
    pub const INVALID_TOKEN: &str = "invalid join token";
    /// `swarm join` gave up waiting; the join goes on in the background.
    pub const JOIN_TIMEOUT: &str = "Timeout was reached before node joined. The attempt to join the swarm will continue in the background. Use the \"docker info\" command to see the current swarm status of your node.";
}

impl Swarm {
    /// The join token for `role`: `SWMTKN-1-<ca digest>-<secret>`.
    pub fn token(&self, role: Role) -> String {
        let secret = match role {
            Role::Worker => &self.worker_secret,
            Role::Manager => &self.manager_secret,
        };
        format!("SWMTKN-1-{}-{}", self.ca_digest, secret)
    }

    /// The machine of the current Raft leader, if some member is leader.
    pub fn leader(&self) -> Option<MachineId> {
        // With check-quorum, a leader cut off from the majority steps down; several members can
        // briefly claim leadership in different terms: the highest term wins.
        self.members
            .iter()
            .filter(|(_, m)| m.is_leader())
            .max_by_key(|(_, m)| m.term())
            .map(|(id, _)| *id)
    }

    /// How many managers the Raft configuration holds.
    pub fn manager_count(&self) -> usize {
        // The nodes with a `ManagerStatus`: a promoted node that is down joins later.
        self.nodes.values().filter(|n| n.raft_id.is_some()).count()
    }

    /// `MANAGER STATUS` of a node (None for workers).
    pub fn reachability(&self, node: &Node) -> Option<Reachability> {
        let raft_id = node.raft_id?;
        let leader = self.leader().and_then(|m| self.members.get(&m));
        match leader {
            Some(l) if l.raft_id == raft_id => Some(Reachability::Leader),
            Some(l) if l.recently_active(raft_id) => Some(Reachability::Reachable),
            Some(_) => Some(Reachability::Unreachable),
            None => Some(Reachability::Unreachable),
        }
    }

    /// Whether the leader hears from the voter `raft_id` (the leader itself counts).
    pub fn voter_reachable(&self, raft_id: u64) -> bool {
        match self.leader().and_then(|l| self.members.get(&l)) {
            Some(l) => l.raft_id == raft_id || l.recently_active(raft_id),
            None => false,
        }
    }

    /// The machine whose dispatcher counts heartbeats (the leader, once it has taken over).
    pub fn dispatcher(&self) -> Option<MachineId> {
        self.dispatcher
    }

    /// Machines holding Raft state, with their Raft ids.
    pub fn raft_members(&self) -> Vec<(MachineId, u64)> {
        self.members.iter().map(|(m, x)| (*m, x.raft_id)).collect()
    }

    /// The Raft voters as `machine`'s member sees its configuration.
    pub fn voters(&self, machine: MachineId) -> Vec<u64> {
        self.members
            .get(&machine)
            .map(|m| m.voters())
            .unwrap_or_default()
    }

    /// Leader term and commit index, for views of the quorum.
    pub fn raft_status(&self, machine: MachineId) -> Option<(u64, u64, u64)> {
        self.members
            .get(&machine)
            .map(|m| (m.term(), m.commit_index(), m.leader_id()))
    }

    /// Resolves a node reference as the API does: full ID, hostname, or unique ID prefix.
    pub fn find_node(&self, r: &str) -> Result<&Node, String> {
        if let Some(n) = self.nodes.get(r) {
            return Ok(n);
        }
        let by_name: Vec<&Node> = self.nodes.values().filter(|n| n.hostname == r).collect();
        if by_name.len() == 1 {
            return Ok(by_name[0]);
        }
        let by_prefix: Vec<&Node> = self
            .nodes
            .values()
            .filter(|n| !r.is_empty() && n.id.starts_with(r))
            .collect();
        match (by_name.len(), by_prefix.len()) {
            (0, 1) => Ok(by_prefix[0]),
            (0, 0) => Err(format!("node {r} not found")),
            (n, m) => Err(format!(
                "node {r} is ambiguous ({} matches found)",
                n.max(m)
            )),
        }
    }
}

/// How long the swarm waits before it says it has no leader (10 ticks).
const NO_LEADER_AFTER: SimDuration = SimDuration::from_secs(10);
/// Message latency on the playground LAN.
pub(crate) const LATENCY: SimDuration = SimDuration::from_millis(1);
/// Nodes are Down after this many missed heartbeat periods.
const HEARTBEAT_GRACE: u64 = 3;
/// How often a join that timed out tries again in the background.
const JOIN_RETRY: SimDuration = SimDuration::from_secs(5);

/// Errors of swarm calls are daemon message texts (the CLI adds `Error response from daemon: `).
pub type ApiResult<T> = Result<T, String>;

impl World {
    /// Whether `a` can send to `b` (both powered, same partition group).
    /// The leader that can change the cluster's state: one whose machine runs and reaches a
    /// majority of the Raft members (itself included). A dead leader's frozen Raft state, or
    /// a leader cut off in a minority before check-quorum makes it step down, still claims
    /// leadership, but nothing it decides could commit: its dispatcher marks no node Down,
    /// its orchestrator replaces no task.
    pub(crate) fn acting_leader(&self, cluster: usize) -> Option<MachineId> {
        let s = self.swarms.get(cluster)?;
        let leader = s.leader()?;
        if !self.swarm_up(leader) {
            return None;
        }
        let reached = s
            .members
            .keys()
            .filter(|m| **m == leader || self.can_reach(leader, **m))
            .filter(|m| self.swarm_up(**m))
            .count();
        (reached * 2 > s.members.len()).then_some(leader)
    }

    pub fn can_reach(&self, a: MachineId, b: MachineId) -> bool {
        let (Some(x), Some(y)) = (self.machine(a), self.machine(b)) else {
            return false;
        };
        x.power != Power::Off && y.power != Power::Off && self.group_of(a) == self.group_of(b)
    }

    /// The cluster a machine belongs to, as the machine believes.
    pub fn membership(&self, m: MachineId) -> Option<&Membership> {
        self.memberships.get(&m)
    }

    /// The cluster with this index.
    pub fn swarm(&self, cluster: usize) -> Option<&Swarm> {
        self.swarms.get(cluster)
    }

    /// Every cluster.
    pub fn swarms(&self) -> &[Swarm] {
        &self.swarms
    }

    /// The cluster `m` is in, and its node record there.
    pub fn node_of(&self, m: MachineId) -> Option<(&Swarm, &Node)> {
        let ms = self.memberships.get(&m)?;
        let s = self.swarms.get(ms.cluster)?;
        Some((s, s.nodes.get(&ms.node_id)?))
    }

    /// True while `m` is a manager that restarted with autolock on and was not unlocked yet:
    /// its engine runs, its swarm component does not.
    pub fn is_locked(&self, m: MachineId) -> bool {
        self.sealed.contains_key(&m) && self.machine(m).is_some_and(|x| x.power != Power::Off)
    }

    /// True when `m`'s swarm component runs: the machine is up and not locked. Raft, the
    /// dispatcher's heartbeats and the agent act only then.
    pub(crate) fn swarm_up(&self, m: MachineId) -> bool {
        self.machine(m).is_some_and(|x| x.power == Power::Running) && !self.sealed.contains_key(&m)
    }

    /// At power-off: a manager of a swarm with autolock on keeps its state sealed with the
    /// current unlock key (what it needs at its next start).
    pub(crate) fn seal_if_autolocked(&mut self, m: MachineId) {
        let Some(cluster) = self.memberships.get(&m).map(|ms| ms.cluster) else {
            return;
        };
        let s = &self.swarms[cluster];
        // A node still locked keeps the key it was sealed with (a rotation since did not
        // reach it).
        if s.members.contains_key(&m) && !s.unlock_key.is_empty() {
            let key = s.unlock_key.clone();
            self.sealed.entry(m).or_insert(key);
        }
    }

    /// `docker swarm unlock` with `key` on `m` (moby's `Cluster.UnlockSwarm`).
    pub fn swarm_unlock(&mut self, m: MachineId, key: &str) -> ApiResult<()> {
        if !self.memberships.contains_key(&m) {
            return Err(texts::NOT_PART.into());
        }
        let Some(sealed) = self.sealed.get(&m).filter(|_| self.is_locked(m)) else {
            return Err(texts::NOT_LOCKED.into());
        };
        let well_formed = key
            .strip_prefix("SWMKEY-1-")
            .is_some_and(|b64| !b64.contains('=') && crate::base64::decode(b64).is_some());
        if !well_formed {
            return Err(texts::INVALID_KEY_STRING.into());
        }
        if key != sealed {
            return Err(texts::INVALID_KEY.into());
        }
        self.sealed.remove(&m);
        self.record(format!("unlocked {m}"));
        self.schedule(SimDuration::from_millis(100), Event::Heartbeat(m));
        Ok(())
    }

    /// Checks that `m` may use the control API now: a manager that reaches a leader.
    /// Returns the cluster index.
    pub fn control(&self, m: MachineId) -> ApiResult<usize> {
        let Some(ms) = self.memberships.get(&m) else {
            return Err(texts::NOT_IN_SWARM_MANAGER.into());
        };
        if self.is_locked(m) {
            return Err(texts::LOCKED.into());
        }
        let s = &self.swarms[ms.cluster];
        if !s.members.contains_key(&m) {
            return Err(texts::WORKER.into());
        }
        match s.leader() {
            Some(l)
                if self.can_reach(m, l)
                    && s.members.get(&m).is_some_and(|me| me.leader_id() != 0) =>
            {
                Ok(ms.cluster)
            }
            _ => {
                let since = s.leaderless_since.get(&m).copied().unwrap_or(self.now());
                if self.now().saturating_since(since) > NO_LEADER_AFTER {
                    Err(texts::NO_LEADER.into())
                } else {
                    Err(texts::DEADLINE.into())
                }
            }
        }
    }

    /// [`World::control`], with the cluster itself: what reads of the control API start with.
    pub fn control_swarm(&self, m: MachineId) -> ApiResult<(usize, &Swarm)> {
        let cluster = self.control(m)?;
        Ok((cluster, &self.swarms[cluster]))
    }

    pub(crate) fn new_op(&mut self, cluster: usize, op: Op) -> ApiResult<OpHandle> {
        let s = &mut self.swarms[cluster];
        s.next_op += 1;
        let id = s.next_op;
        let leader = s.leader().ok_or_else(|| texts::NO_LEADER.to_string())?;
        let proposed = match &op {
            Op::Voter { raft_id, add } => s
                .members
                .get_mut(&leader)
                .is_some_and(|l| l.propose_membership(id, *raft_id, *add)),
            _ => s.members.get_mut(&leader).is_some_and(|l| l.propose(id)),
        };
        if !proposed {
            return Err(texts::LOST_LEADER.into());
        }
        s.ops.insert(id, op);
        let term = s.members.get(&leader).map_or(0, |l| l.term());
        s.proposers.insert(id, (leader, term));
        self.record(format!("propose c{cluster} op{id}"));
        self.pump(cluster, leader);
        Ok(OpHandle { cluster, op: id })
    }

    /// The outcome of an operation once its entry committed.
    pub fn op_result(&self, h: OpHandle) -> Option<&Result<(), String>> {
        self.swarms.get(h.cluster)?.outcomes.get(&h.op)
    }

    /// Whether the leader that proposed a still pending operation has lost its leadership
    /// since (stepped down, or leads again in a later term): swarmkit then cancels the
    /// proposal's wait, and the caller gets [`texts::LOST_LEADER`].
    pub fn op_lost(&self, h: OpHandle) -> bool {
        let Some(s) = self.swarms.get(h.cluster) else {
            return false;
        };
        if s.outcomes.contains_key(&h.op) || !s.ops.contains_key(&h.op) {
            return false;
        }
        let Some((m, term)) = s.proposers.get(&h.op) else {
            return false;
        };
        s.members
            .get(m)
            .is_none_or(|l| !l.is_leader() || l.term() != *term)
    }

    /// `docker swarm init` on `m`. Returns the new node's ID.
    pub fn swarm_init(&mut self, m: MachineId, advertise: Option<Ipv4Addr>) -> ApiResult<String> {
        if self.memberships.contains_key(&m) || self.pending_joins.contains_key(&m) {
            return Err(texts::ALREADY.into());
        }
        let Some(machine) = self.machine(m).cloned() else {
            return Err("no such machine".into());
        };
        // Any address may be advertised (the caller checked its form): a machine has one NIC,
        // so the daemon finds its local address uniquely even for a foreign one.
        let addr = advertise.unwrap_or(machine.ip);
        let cluster = self.swarms.len();
        let id = ids::swarm_id(self.rng("swarm"));
        let node_id = ids::swarm_id(self.rng("swarm"));
        let mut digest_bits = [0u8; 32];
        self.rng("swarm").fill_bytes(&mut digest_bits);
        let hi = u128::from_be_bytes(digest_bits[..16].try_into().unwrap_or([0; 16]));
        let ca_digest = format!(
            "{}{}",
            ids::base36(hi, 25),
            ids::base36(
                u128::from_be_bytes(digest_bits[16..].try_into().unwrap_or([0; 16])),
                25
            )
        );
        let worker_secret = ids::swarm_id(self.rng("swarm"));
        let manager_secret = ids::swarm_id(self.rng("swarm"));
        let ticks = self.election_ticks();
        let member =
            Member::bootstrap(1, ticks).ok_or_else(|| "raft bootstrap failed".to_string())?;
        let now = self.now();
        let mut nodes = BTreeMap::new();
        let mut first = Node::joined(
            node_id.clone(),
            m,
            machine.hostname.clone(),
            addr,
            Role::Manager,
            Some(1),
            now,
        );
        first.version = 1;
        nodes.insert(node_id.clone(), first);
        let mut members = BTreeMap::new();
        members.insert(m, member);
        self.swarms.push(Swarm {
            id,
            created_at: now,
            ca_digest,
            worker_secret,
            manager_secret,
            task_history_limit: 5,
            unlock_key: String::new(),
            heartbeat_period: SimDuration::from_secs(5),
            nodes,
            members,
            next_raft_id: 2,
            next_op: 0,
            ops: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            proposers: BTreeMap::new(),
            leaderless_since: BTreeMap::new(),
            dispatcher: Some(m),
            version: 1,
            services: BTreeMap::new(),
            tasks: Default::default(),
            networks: BTreeMap::new(),
            secrets: BTreeMap::new(),
            configs: BTreeMap::new(),
            control: Default::default(),
            recent_writes: Default::default(),
            flights: Default::default(),
        });
        self.memberships.insert(
            m,
            Membership {
                cluster,
                node_id: node_id.clone(),
            },
        );
        self.record(format!("swarm-init {m} c{cluster}"));
        self.create_ingress(cluster);
        let _ = self.swarms[cluster].ingress_sbox(&node_id);
        self.pump(cluster, m);
        self.schedule(SimDuration::from_secs(1), Event::RaftTick(cluster));
        self.schedule_heartbeat(m, cluster);
        Ok(node_id)
    }

    /// A seed for a new Raft member's own stream of election timeouts.
    fn election_ticks(&mut self) -> u64 {
        self.rng("raft").next_u64()
    }

    fn schedule_heartbeat(&mut self, m: MachineId, cluster: usize) {
        let period = self.swarms[cluster].heartbeat_period.as_millis();
        let jitter = self.rng("dispatcher").range_inclusive(0, period / 10);
        self.schedule(
            SimDuration::from_millis(period - period / 20 + jitter),
            Event::Heartbeat(m),
        );
    }

    /// `docker swarm init --force-new-cluster` on a manager `m`: a new one-member Raft
    /// configuration with the cluster's state as `m` has it. The other managers stay listed
    /// (unreachable) until they are demoted and removed. Returns `m`'s node ID.
    pub fn swarm_force_new_cluster(&mut self, m: MachineId) -> ApiResult<String> {
        let Some(ms) = self.memberships.get(&m).cloned() else {
            return Err(texts::NOT_IN_SWARM_MANAGER.into());
        };
        let cluster = ms.cluster;
        let Some(old) = self.swarms[cluster].members.get(&m) else {
            return Err(texts::WORKER.into());
        };
        let (raft_id, term, index) = (old.raft_id, old.term() + 1, old.commit_index() + 1);
        let seed = self.election_ticks();
        let member = Member::bootstrap_at(raft_id, seed, term, index)
            .ok_or_else(|| "raft bootstrap failed".to_string())?;
        let s = &mut self.swarms[cluster];
        s.members.clear();
        s.members.insert(m, member);
        // swarmkit removes every other member from the Raft configuration: the lost managers
        // keep their role but have no MANAGER STATUS, do not count as managers, and can be
        // removed without a demotion.
        for n in s.nodes.values_mut() {
            if n.raft_id.is_some_and(|r| r != raft_id) {
                n.raft_id = None;
            }
        }
        s.ops.clear();
        s.proposers.clear();
        s.leaderless_since.clear();
        self.record(format!("force-new-cluster {m} c{cluster}"));
        self.pump(cluster, m);
        Ok(ms.node_id)
    }

    /// `docker swarm join --token TOKEN ADDR` on `m`. The join completes when the new node's
    /// record commits; poll the handle. When no manager answers at ADDR the join times out
    /// and goes on in the background: the node is `pending` (`docker info`), another join or
    /// init is refused, and `swarm leave` gives up.
    pub fn swarm_join(&mut self, m: MachineId, token: &str, remote: &str) -> ApiResult<OpHandle> {
        if self.memberships.contains_key(&m) || self.pending_joins.contains_key(&m) {
            return Err(texts::ALREADY.into());
        }
        let r = self.join_attempt(m, token, remote);
        if r.as_ref().is_err_and(|e| e == texts::JOIN_TIMEOUT) {
            self.pending_joins
                .insert(m, (token.to_string(), remote.to_string()));
            self.schedule(JOIN_RETRY, Event::JoinRetry(m));
        }
        r
    }

    /// Whether `m`'s join timed out and goes on in the background (`LocalNodeState` pending).
    pub fn join_pending(&self, m: MachineId) -> Option<&str> {
        self.pending_joins
            .get(&m)
            .map(|(_, remote)| remote.as_str())
    }

    /// A background join's next try: done once the node's record has committed; given up on
    /// an error other than the timeout.
    pub(crate) fn retry_join(&mut self, m: MachineId) {
        let Some((token, remote)) = self.pending_joins.get(&m).cloned() else {
            return;
        };
        let adding = self.swarms.iter().any(|s| {
            s.ops
                .values()
                .any(|op| matches!(op, Op::AddNode(n) if n.machine == m))
        });
        if self.memberships.contains_key(&m) {
            self.pending_joins.remove(&m);
            return;
        }
        let up = self.machine(m).is_some_and(|x| x.power == Power::Running);
        if up && !adding {
            match self.join_attempt(m, &token, &remote) {
                Ok(_) => {}
                Err(e) if e == texts::JOIN_TIMEOUT => {}
                Err(_) => {
                    self.pending_joins.remove(&m);
                    return;
                }
            }
        }
        self.schedule(JOIN_RETRY, Event::JoinRetry(m));
    }

    fn join_attempt(&mut self, m: MachineId, token: &str, remote: &str) -> ApiResult<OpHandle> {
        let parts: Vec<&str> = token.split('-').collect();
        let (digest, secret) = match parts.as_slice() {
            ["SWMTKN", "1", a, b] if a.len() == 50 && b.len() == 25 => (*a, *b),
            _ => return Err(texts::INVALID_TOKEN.into()),
        };
        // Managers listen on 2377 only: nothing answers on another port.
        let (host, port) = remote.rsplit_once(':').unwrap_or((remote, "2377"));
        let target = self
            .machine_by_name(host)
            .or_else(|| host.parse().ok().and_then(|ip| self.machine_by_ip(ip)))
            .map(|x| x.id)
            .filter(|_| port == "2377");
        let timeout = texts::JOIN_TIMEOUT.to_string();
        let Some(target) = target.filter(|t| self.can_reach(m, *t)) else {
            return Err(timeout);
        };
        let Some(cluster) = self.memberships.get(&target).map(|x| x.cluster) else {
            return Err(timeout);
        };
        if !self.swarms[cluster].members.contains_key(&target) {
            return Err(timeout);
        }
        let s = &self.swarms[cluster];
        if digest != s.ca_digest {
            return Err(format!(
                "remote CA does not match fingerprint. Expected: {}",
                s.ca_digest
            ));
        }
        let role = if secret == s.worker_secret {
            Role::Worker
        } else if secret == s.manager_secret {
            Role::Manager
        } else {
            return Err(rpc(
                "InvalidArgument",
                "A valid join token is necessary to join this cluster",
            ));
        };
        self.control(target).map_err(|_| timeout.clone())?;
        let Some(machine) = self.machine(m).cloned() else {
            return Err(timeout);
        };
        let node_id = ids::swarm_id(self.rng("swarm"));
        let now = self.now();
        let raft_id = (role == Role::Manager).then(|| {
            let s = &mut self.swarms[cluster];
            s.next_raft_id += 1;
            s.next_raft_id - 1
        });
        let node = Node::joined(
            node_id,
            m,
            machine.hostname.clone(),
            machine.ip,
            role,
            raft_id,
            now,
        );
        self.new_op(cluster, Op::AddNode(Box::new(node)))
    }

    /// `docker swarm leave [--force]` on `m`.
    pub fn swarm_leave(&mut self, m: MachineId, force: bool) -> ApiResult<()> {
        if self.pending_joins.remove(&m).is_some() {
            return Ok(());
        }
        let Some(ms) = self.memberships.get(&m).cloned() else {
            return Err(texts::NOT_PART.into());
        };
        if self.is_locked(m) && !force {
            return Err(texts::LEAVE_LOCKED.into());
        }
        // A locked node's swarm component is not running: it leaves without telling anyone.
        let locked = self.sealed.remove(&m).is_some();
        let cluster = ms.cluster;
        let is_manager = self.swarms[cluster].members.contains_key(&m);
        if is_manager && !force {
            let s = &self.swarms[cluster];
            let managers = s.nodes.values().filter(|n| n.role == Role::Manager).count();
            let reachable = s
                .nodes
                .values()
                .filter(|n| {
                    n.role == Role::Manager
                        && matches!(
                            s.reachability(n),
                            Some(Reachability::Leader | Reachability::Reachable)
                        )
                })
                .count();
            let unreachable = managers - reachable;
            let base = "You are attempting to leave the swarm on a node that is participating as a manager. ";
            return Err(if managers <= 1 {
                format!("{base}Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ")
            } else if reachable.saturating_sub(2) <= unreachable {
                format!("{base}Removing this node leaves {} managers out of {}. Without a Raft quorum your swarm will be inaccessible. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.", reachable.saturating_sub(1), reachable + unreachable)
            } else {
                format!("{base}The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.")
            });
        }
        // The node tells the dispatcher it is going; managers keep the record, Down.
        let now = self.now();
        let leader = self.swarms[cluster].leader();
        if !locked && leader.is_some_and(|l| l != m && self.can_reach(m, l)) {
            if let Some(n) = self.swarms[cluster].nodes.get_mut(&ms.node_id) {
                n.state = NodeState::Down;
                n.message = "node is down".into();
                n.updated_at = now;
            }
        }
        self.swarms[cluster].members.remove(&m);
        // docker_gwbridge outlives the membership (the engine keeps the network).
        self.settle_gwbridge(m);
        self.memberships.remove(&m);
        self.record(format!("swarm-leave {m} c{cluster}"));
        // The engine stops and removes the containers of its swarm tasks.
        let tasks: Vec<String> = self
            .containers(m)
            .iter()
            .filter(|c| c.config.task_id.is_some())
            .map(|c| c.id.clone())
            .collect();
        for id in tasks {
            let _ = self.container_remove_volumes(m, &id, true, true);
        }
        self.wake_orchestrator(cluster);
        Ok(())
    }

    /// Applies changes to a node (update, promote, demote).
    pub fn node_update(
        &mut self,
        from: MachineId,
        node_ref: &str,
        change: NodeChange,
    ) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        let s = &self.swarms[cluster];
        let node = s.find_node(node_ref)?.clone();
        for k in &change.labels_rm {
            if !node.labels.contains_key(k) && !change.labels_add.iter().any(|(a, _)| a == k) {
                return Err(format!("key {k} doesn't exist in node's labels"));
            }
        }
        if change.role == Some(Role::Worker) && node.role == Role::Manager {
            let managers: Vec<&Node> = s
                .nodes
                .values()
                .filter(|n| n.role == Role::Manager)
                .collect();
            if managers.len() <= 1 {
                return Err(rpc(
                    "FailedPrecondition",
                    "attempting to demote the last manager of the swarm",
                ));
            }
            // The quorum that matters is the Raft configuration's: removing a voter must leave
            // a majority of the remaining voters reachable.
            if let (Some(raft_id), Some(leader)) = (node.raft_id, s.leader()) {
                let voters = s.voters(leader);
                if voters.contains(&raft_id) {
                    let remaining: Vec<u64> =
                        voters.into_iter().filter(|v| *v != raft_id).collect();
                    let reachable = remaining.iter().filter(|v| s.voter_reachable(**v)).count();
                    if reachable < remaining.len() / 2 + 1 {
                        return Err(rpc(
                            "FailedPrecondition",
                            "can't remove member from the raft: this would result in a loss of quorum",
                        ));
                    }
                }
            }
        }
        self.new_op(
            cluster,
            Op::UpdateNode {
                id: node.id,
                change,
            },
        )
    }

    /// `docker node rm [--force]`.
    pub fn node_remove(
        &mut self,
        from: MachineId,
        node_ref: &str,
        force: bool,
    ) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        let node = self.swarms[cluster].find_node(node_ref)?.clone();
        // swarmkit's controlapi: a manager is refused while it is a Raft member, a node only
        // while it is Ready (Unknown and Down go without --force).
        if node.role == Role::Manager && node.raft_id.is_some() {
            return Err(rpc("FailedPrecondition", &format!("node {} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal", node.id)));
        }
        if node.state == NodeState::Ready && !force {
            return Err(rpc(
                "FailedPrecondition",
                &format!("node {} is not down and can't be removed", node.id),
            ));
        }
        self.new_op(cluster, Op::RemoveNode(node.id))
    }

    /// `docker swarm join-token --rotate ROLE`.
    pub fn rotate_token(&mut self, from: MachineId, role: Role) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        let secret = ids::swarm_id(self.rng("swarm"));
        self.new_op(cluster, Op::RotateToken(role, secret))
    }

    /// `docker swarm update`.
    /// A new manager unlock key as swarmkit makes one: `SWMKEY-1-` and 32 random bytes in
    /// unpadded standard base64.
    fn new_unlock_key(&mut self) -> String {
        let mut bytes = [0u8; 32];
        self.rng("unlock-key").fill_bytes(&mut bytes);
        let b64 = crate::base64::encode(&bytes);
        format!("SWMKEY-1-{}", b64.trim_end_matches('='))
    }

    /// `docker swarm init --autolock`: the new cluster starts locked-on-restart; its key.
    pub fn swarm_autolock_at_init(&mut self, m: MachineId) -> Option<String> {
        let cluster = self.memberships.get(&m)?.cluster;
        let key = self.new_unlock_key();
        self.swarms.get_mut(cluster)?.unlock_key.clone_from(&key);
        Some(key)
    }

    /// `docker swarm update --autolock=BOOL` and `docker swarm unlock-key --rotate`: a write
    /// of the unlock key (a new one when `on`, none when off). Returns the key proposed.
    pub fn swarm_set_autolock(
        &mut self,
        from: MachineId,
        on: bool,
    ) -> ApiResult<(OpHandle, String)> {
        let cluster = self.control(from)?;
        let key = if on {
            self.new_unlock_key()
        } else {
            String::new()
        };
        let h = self.new_op(cluster, Op::SetUnlockKey(key.clone()))?;
        Ok((h, key))
    }

    pub fn swarm_update(
        &mut self,
        from: MachineId,
        task_history_limit: Option<i64>,
        heartbeat_period: Option<SimDuration>,
    ) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        self.new_op(
            cluster,
            Op::SetSpec {
                task_history_limit,
                heartbeat_period,
            },
        )
    }

    /// Runs `machine`'s Raft Ready cycles until quiet, sending messages and applying commits.
    pub(crate) fn pump(&mut self, cluster: usize, machine: MachineId) {
        for _ in 0..16 {
            let Some(member) = self
                .swarms
                .get_mut(cluster)
                .and_then(|s| s.members.get_mut(&machine))
            else {
                return;
            };
            let (msgs, committed) = member.process();
            if msgs.is_empty() && committed.is_empty() {
                return;
            }
            for msg in msgs {
                let to = self.swarms[cluster]
                    .nodes
                    .values()
                    .find(|n| n.raft_id == Some(msg.to))
                    .map(|n| n.machine)
                    .or_else(|| self.pending_raft_machine(cluster, msg.to));
                if let Some(to) = to {
                    self.schedule(
                        LATENCY,
                        Event::RaftMessage {
                            cluster,
                            from: machine,
                            to,
                            msg: Box::new(msg),
                        },
                    );
                }
            }
            for c in committed {
                self.apply_committed(cluster, c);
            }
        }
    }

    /// A manager whose node record has not committed yet (it is being added).
    fn pending_raft_machine(&self, cluster: usize, raft_id: u64) -> Option<MachineId> {
        self.swarms[cluster].ops.values().find_map(|op| match op {
            Op::AddNode(n) if n.raft_id == Some(raft_id) => Some(n.machine),
            _ => None,
        })
    }

    fn apply_committed(&mut self, cluster: usize, c: Committed) {
        let op_id = match c {
            Committed::Op(id) | Committed::Conf(id) => id,
        };
        self.swarms[cluster].proposers.remove(&op_id);
        let Some(op) = self.swarms[cluster].ops.remove(&op_id) else {
            return;
        };
        self.record(format!("commit c{cluster} op{op_id}"));
        let now = self.now();
        let s = &mut self.swarms[cluster];
        s.note_write(op_id, &op, now);
        s.version += 1;
        let version = s.version;
        let result: Result<(), String> = match op {
            Op::AddNode(node) => {
                let node = *node;
                let (m, id, raft_id) = (node.machine, node.id.clone(), node.raft_id);
                let mut node = node;
                node.version = version;
                s.nodes.insert(id.clone(), node);
                let _ = s.ingress_sbox(&id);
                self.pending_joins.remove(&m);
                self.memberships.insert(
                    m,
                    Membership {
                        cluster,
                        node_id: id,
                    },
                );
                if raft_id.is_none() {
                    // A worker holds no Raft state, whatever the machine was before.
                    self.swarms[cluster].members.remove(&m);
                }
                if let Some(raft_id) = raft_id {
                    let ticks = self.election_ticks();
                    if let Some(member) = Member::joining(raft_id, ticks) {
                        self.swarms[cluster].members.insert(m, member);
                    }
                    let _ = self.new_op(cluster, Op::Voter { raft_id, add: true });
                }
                self.schedule_heartbeat(m, cluster);
                self.wake_orchestrator(cluster);
                Ok(())
            }
            Op::UpdateNode { id, change } => {
                let Some(n) = s.nodes.get_mut(&id) else {
                    return;
                };
                if let Some(a) = change.availability {
                    n.availability = a;
                }
                // The CLI's order (`mergeNodeUpdate`): additions, then removals.
                for (k, v) in change.labels_add {
                    n.labels.insert(k, v);
                }
                for k in &change.labels_rm {
                    n.labels.remove(k);
                }
                n.updated_at = now;
                n.version = version;
                let mut follow_up = None;
                let mut hand_over = false;
                match change.role {
                    Some(Role::Manager) if n.role == Role::Worker => {
                        // Promotion only flips the role (swarmkit's role manager): the node
                        // joins the Raft configuration itself, now if it is up, else when it
                        // comes back (`reconcile_roles`).
                        n.role = Role::Manager;
                        follow_up = self.join_raft(cluster, &id);
                    }
                    Some(Role::Worker) if n.role == Role::Manager => {
                        n.role = Role::Worker;
                        if let Some(raft_id) = n.raft_id {
                            // A manager no longer in the Raft configuration (cut off by
                            // `--force-new-cluster`) just loses its id; a voter is removed.
                            // The leader itself first hands its leadership over, as
                            // swarmkit's role manager does; the new leader removes it.
                            let s = &self.swarms[cluster];
                            let leader = s.leader().and_then(|l| s.members.get(&l));
                            let is_voter = leader.is_some_and(|l| l.voters().contains(&raft_id));
                            if is_voter && leader.is_some_and(|l| l.raft_id == raft_id) {
                                hand_over = true;
                            } else if is_voter {
                                follow_up = Some(Op::Voter {
                                    raft_id,
                                    add: false,
                                });
                            } else if let Some(n) = self.swarms[cluster].nodes.get_mut(&id) {
                                n.raft_id = None;
                            }
                        }
                    }
                    _ => {}
                }
                if let Some(op) = follow_up {
                    let _ = self.new_op(cluster, op);
                }
                if hand_over {
                    self.hand_over(cluster);
                }
                self.swarms[cluster].control.enforce.insert(id);
                self.wake_orchestrator(cluster);
                Ok(())
            }
            Op::RemoveNode(id) => {
                s.nodes.remove(&id);
                // swarmkit's RemoveNode orphans, in the same transaction, every task of the
                // node that has not ended (whatever its desired state); the task reaper
                // leaves service tasks to the history limit.
                let unfinished: Vec<String> = s
                    .tasks
                    .values()
                    .filter(|t| t.node_id.as_deref() == Some(id.as_str()))
                    .filter(|t| t.state < TaskState::Complete)
                    .map(|t| t.id.clone())
                    .collect();
                // Its ingress sandbox goes with it: the address is free again.
                for n in s.networks.values_mut() {
                    n.sboxes.remove(&id);
                }
                for t in unfinished {
                    self.set_state(
                        cluster,
                        &t,
                        TaskState::Orphaned,
                        "Task belonged to a node that has been deleted",
                    );
                }
                self.wake_orchestrator(cluster);
                Ok(())
            }
            Op::RotateToken(role, secret) => {
                match role {
                    Role::Worker => s.worker_secret = secret,
                    Role::Manager => s.manager_secret = secret,
                }
                Ok(())
            }
            Op::SetUnlockKey(key) => {
                s.unlock_key = key;
                Ok(())
            }
            Op::SetSpec {
                task_history_limit,
                heartbeat_period,
            } => {
                if let Some(l) = task_history_limit {
                    s.task_history_limit = l;
                }
                if let Some(p) = heartbeat_period {
                    s.heartbeat_period = p;
                }
                Ok(())
            }
            Op::Service(op) => {
                let r = self.apply_service_op(cluster, op, version);
                self.swarms[cluster].outcomes.insert(op_id, r);
                return;
            }
            Op::Network(op) => {
                let r = self.apply_network_op(cluster, op, version);
                self.swarms[cluster].outcomes.insert(op_id, r);
                return;
            }
            Op::Object(op) => {
                let r = self.apply_object_op(cluster, op, version);
                self.swarms[cluster].outcomes.insert(op_id, r);
                return;
            }
            Op::Voter { raft_id, add } => {
                if !add {
                    // The removed member stops taking part; its record is a worker now.
                    for n in s.nodes.values_mut().filter(|n| n.raft_id == Some(raft_id)) {
                        n.raft_id = None;
                    }
                    s.members.retain(|_, m| m.raft_id != raft_id);
                }
                Ok(())
            }
        };
        self.swarms[cluster].outcomes.insert(op_id, result);
    }

    /// A manager node without Raft state that is up and heartbeating (not one that left and
    /// is merely listed, nor one that is down) gets a Raft member; the returned operation
    /// makes it a voter.
    fn join_raft(&mut self, cluster: usize, id: &str) -> Option<Op> {
        let n = self.swarms[cluster].nodes.get(id)?;
        let machine = n.machine;
        let live = self
            .memberships
            .get(&machine)
            .is_some_and(|ms| ms.cluster == cluster && ms.node_id == id);
        let up = n.state != NodeState::Down && self.swarm_up(machine);
        if !live || !up || n.role != Role::Manager || n.raft_id.is_some() {
            return None;
        }
        let s = &mut self.swarms[cluster];
        s.next_raft_id += 1;
        let raft_id = s.next_raft_id - 1;
        if let Some(n) = s.nodes.get_mut(id) {
            n.raft_id = Some(raft_id);
        }
        let ticks = self.election_ticks();
        if let Some(member) = Member::joining(raft_id, ticks) {
            self.swarms[cluster].members.insert(machine, member);
        }
        Some(Op::Voter { raft_id, add: true })
    }

    /// The leader of `cluster` hands its leadership to the best caught-up voter (once: a
    /// transfer under way, or no voter to take over, leaves it be).
    fn hand_over(&mut self, cluster: usize) {
        let Some(leader) = self.swarms[cluster].leader() else {
            return;
        };
        let Some(member) = self.swarms[cluster].members.get_mut(&leader) else {
            return;
        };
        if member.transferring() {
            return;
        }
        if let Some(to) = member.transfer_target() {
            member.transfer_leader(to);
            self.record(format!("transfer c{cluster} to r{to}"));
            self.pump(cluster, leader);
        }
    }

    /// swarmkit's role manager, on the leader: a demoted node still in the Raft
    /// configuration is removed from it (the leader itself hands its leadership over
    /// first), and a promoted node that has come back joins it.
    fn reconcile_roles(&mut self, cluster: usize) {
        let s = &self.swarms[cluster];
        let Some(lm) = s.leader().and_then(|l| s.members.get(&l)) else {
            return;
        };
        let (lead, voters) = (lm.raft_id, lm.voters());
        let demoted: Vec<u64> = s
            .nodes
            .values()
            .filter(|n| n.role == Role::Worker)
            .filter_map(|n| n.raft_id)
            .filter(|r| voters.contains(r))
            .collect();
        let promoted: Vec<String> = s
            .nodes
            .values()
            .filter(|n| n.role == Role::Manager && n.raft_id.is_none())
            .map(|n| n.id.clone())
            .collect();
        for r in demoted {
            let pending = self.swarms[cluster]
                .ops
                .values()
                .any(|op| matches!(op, Op::Voter { raft_id, add: false } if *raft_id == r));
            if r == lead {
                self.hand_over(cluster);
            } else if !pending {
                let _ = self.new_op(
                    cluster,
                    Op::Voter {
                        raft_id: r,
                        add: false,
                    },
                );
            }
        }
        for id in promoted {
            if let Some(op) = self.join_raft(cluster, &id) {
                let _ = self.new_op(cluster, op);
            }
        }
    }

    /// One Raft tick for every powered member of `cluster`, and the dispatcher's check.
    pub(crate) fn raft_tick(&mut self, cluster: usize) {
        let machines: Vec<MachineId> = self.swarms[cluster].members.keys().copied().collect();
        for m in &machines {
            let up = self.swarm_up(*m);
            if up {
                if let Some(member) = self.swarms[cluster].members.get_mut(m) {
                    member.tick();
                }
                self.pump(cluster, *m);
            }
        }
        let now = self.now();
        let leader = self.swarms[cluster].leader();
        // Leaderless bookkeeping for the "no leader" error: swarmkit counts the ticks its
        // Raft has no leader at all (`ticksWithNoLeader`); a leader it still names but cannot
        // reach does not count (calls wait for a new one instead).
        let _ = leader;
        for m in &machines {
            let sees_leader = self.swarms[cluster]
                .members
                .get(m)
                .is_some_and(|x| x.leader_id() != 0);
            let s = &mut self.swarms[cluster];
            if sees_leader {
                s.leaderless_since.remove(m);
            } else {
                s.leaderless_since.entry(*m).or_insert(now);
            }
        }
        // A new leader's dispatcher knows nobody yet: every node is Unknown until its next
        // heartbeat, and gets a fresh grace period (spec §12). Only a leader that can commit
        // runs a dispatcher (see `acting_leader`).
        let leader = self.acting_leader(cluster);
        let s = &mut self.swarms[cluster];
        let mut changed = leader != s.dispatcher;
        if leader != s.dispatcher {
            s.dispatcher = leader;
            for n in s.nodes.values_mut() {
                n.last_heartbeat = now;
                if leader.is_some() && n.state == NodeState::Ready && Some(n.machine) != leader {
                    n.state = NodeState::Unknown;
                    n.message =
                        "Node moved to \"unknown\" state due to leadership change in cluster"
                            .into();
                    n.updated_at = now;
                }
            }
        }
        if leader.is_some() {
            let grace = SimDuration::from_millis(s.heartbeat_period.as_millis() * HEARTBEAT_GRACE);
            for n in s.nodes.values_mut() {
                if n.state != NodeState::Down && now.saturating_since(n.last_heartbeat) > grace {
                    // swarmkit's dispatcher: a node a new leader moved to Unknown expires
                    // with its own message.
                    n.message = if n.state == NodeState::Unknown {
                        "heartbeat failure for node in \"unknown\" state".into()
                    } else {
                        "heartbeat failure".into()
                    };
                    n.state = NodeState::Down;
                    n.updated_at = now;
                    changed = true;
                }
            }
        }
        if changed && leader.is_some() {
            self.wake_orchestrator(cluster);
        }
        self.reconcile_roles(cluster);
        self.schedule(SimDuration::from_secs(1), Event::RaftTick(cluster));
    }

    /// A node's heartbeat to the leader's dispatcher.
    pub(crate) fn heartbeat(&mut self, m: MachineId) {
        let Some(ms) = self.memberships.get(&m).cloned() else {
            return;
        };
        let up = self.swarm_up(m);
        let cluster = ms.cluster;
        if up {
            let leader = self.swarms[cluster].leader();
            if leader.is_some_and(|l| self.can_reach(m, l)) {
                let now = self.now();
                let mut back = false;
                if let Some(n) = self.swarms[cluster].nodes.get_mut(&ms.node_id) {
                    n.last_heartbeat = now;
                    if n.state != NodeState::Ready {
                        n.state = NodeState::Ready;
                        n.message.clear();
                        n.updated_at = now;
                        back = true;
                    }
                }
                if back {
                    let s = &mut self.swarms[cluster];
                    s.control.enforce.insert(ms.node_id.clone());
                    self.wake_orchestrator(cluster);
                }
            }
        }
        if self.machine(m).is_some_and(|x| x.power != Power::Off) {
            self.schedule_heartbeat(m, cluster);
        }
    }

    /// Delivers a Raft message if the network lets it through.
    pub(crate) fn deliver(
        &mut self,
        cluster: usize,
        from: MachineId,
        to: MachineId,
        msg: raft::prelude::Message,
    ) {
        let up = self.swarm_up(to)
            && self.machine(from).is_some_and(|x| x.power != Power::Off)
            && !self.sealed.contains_key(&from);
        let dropped = if !up {
            Some(crate::raft_info::Dropped::PowerOff)
        } else if !self.can_reach(from, to) {
            Some(crate::raft_info::Dropped::Partition)
        } else {
            None
        };
        self.note_flight(cluster, from, to, &msg, dropped);
        if dropped.is_some() {
            return;
        }
        if let Some(member) = self
            .swarms
            .get_mut(cluster)
            .and_then(|s| s.members.get_mut(&to))
        {
            member.step(msg);
            self.pump(cluster, to);
        }
    }
}
