//! The control loop of a cluster: orchestrators, restart supervisor, update supervisor,
//! scheduler pass, dispatcher and agents, task reaper (swarmkit `manager/orchestrator`,
//! `manager/scheduler`, `manager/dispatcher`, `agent`).
//!
//! It runs on the Raft leader as passes (`Event::Orchestrate`): anything that may change what
//! should run (a service write, a node going down or coming back, a container exiting, a timer
//! of a restart delay or an update) asks for a pass with [`World::wake_orchestrator`] (50 ms
//! later, swarmkit's scheduler debounce) or [`World::wake_at`]. A pass looks at the whole store
//! and fixes what differs, in swarmkit's order. Writes of the control loop go straight to the
//! leader's store (swarmkit batches them through Raft too; nothing here can observe the
//! difference, and without a leader no pass runs, as in swarmkit).
//!
//! Agents (`Event::Agent`) move one task one step at a time (accepted, preparing, ready,
//! starting, running) with short delays, create and start its container through the machine's
//! container runtime, and report what the container does ([`World::on_container_change`]).
//! An agent acts only while its machine is up and reaches the leader; otherwise the task's
//! observed state stays frozen, as `docker service ps` shows for a Down node.

use crate::sort::CollectBTree as _;
use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::Catalog;
use crate::container::{ContainerConfig, ContainerState, HealthStatus, PortBinding};
use crate::machine::{build, MachineId, Power};
use crate::scheduler::{self, Demand, NodeInfo};
use crate::service::{
    defaults, FailureAction, Mode, PortConfig, RestartCondition, Task, TaskState, UpdateConfig,
    UpdateOrder, UpdateState, UpdateStatus,
};
use crate::swarm::{Availability, NodeState};
use crate::time::{SimDuration, SimTime};
use crate::world::{Event, World};
use crate::{ids, Service};

/// Scheduler debounce: a pass runs this long after the change that asked for it.
const DEBOUNCE: SimDuration = SimDuration::from_millis(50);
/// How long a replacement waits for the task it replaces to stop.
const OLD_TASK_WAIT: SimDuration = SimDuration::from_secs(60);
/// The window of the scheduler's recent-failure count.
const FAILURE_WINDOW: SimDuration = SimDuration::from_secs(300);
/// Agent step delays (ms): accept, prepare (without a pull), start, running.
const ACCEPT_MS: u64 = 20;
const PREPARE_MS: u64 = 150;
const START_MS: u64 = 120;

/// Work per event is bounded: a pass creates (or replaces) at most this many tasks, the
/// scheduler places at most this many, the reaper deletes at most this many; what is left
/// waits for the next pass, [`BATCH_DELAY`] later (swarmkit's orchestrator and scheduler work
/// in store batches and ticks too). A lab never has this many at once, so it never waits.
pub(crate) const PASS_BATCH: usize = 100;
/// How soon the pass after a cut-short one runs.
const BATCH_DELAY: SimDuration = SimDuration::from_millis(10);
/// The dispatcher hands agents at most this many assignments per millisecond, so the agents'
/// steps of a large batch fall on different instants (each instant's work stays small).
const ASSIGNMENTS_PER_MS: usize = 25;

use crate::task_store::{slot_key, SlotKey, Tid};

/// A task that ended on its own (failed, rejected, or exited while it should run) rather than
/// being shut down on purpose (drain, scale-down): what the update supervisor counts.
fn ended_badly(t: &Task) -> bool {
    matches!(
        t.state,
        TaskState::Failed | TaskState::Rejected | TaskState::Complete
    )
}

/// What the scheduler and the constraint enforcer read of a node (without its load).
fn node_info(n: &crate::swarm::Node) -> NodeInfo {
    NodeInfo {
        id: n.id.clone(),
        hostname: n.hostname.clone(),
        role: n.role.as_str().to_string(),
        addr: n.addr,
        ready: n.state == NodeState::Ready,
        active: n.availability == Availability::Active,
        labels: n.labels.clone(),
        os: "linux".into(),
        arch: "x86_64".into(),
        nano_cpus: i64::from(build::CPUS) * 1_000_000_000,
        memory_bytes: build::MEMORY_BYTES as i64,
        ..NodeInfo::default()
    }
}

/// A replacement waiting to be started.
#[derive(Clone, Debug)]
struct Delayed {
    /// Not before this time (the restart delay).
    at: SimTime,
    /// The task it replaces, which must stop first.
    old: Option<String>,
}

/// A rolling update (or rollback) of one service.
#[derive(Clone, Debug)]
struct Updater {
    spec_version: u64,
    rollback: bool,
    config: UpdateConfig,
    /// Dirty slots when it started (the denominator of the failure ratio).
    total: usize,
    /// Slots being replaced, one per busy worker (swarmkit's updater runs `parallelism`
    /// workers over one queue of dirty slots): the new task and the old ones.
    in_flight: Vec<(SlotKey, String, Vec<String>)>,
    /// New tasks created by this update, with the time they reached RUNNING.
    watched: BTreeMap<String, Option<SimTime>>,
    failed: BTreeSet<String>,
    /// Workers sleeping the update delay after their slot: when each is free again.
    resting: Vec<SimTime>,
    /// When it first found every slot up to date (the monitor period counts from the last
    /// task start, or from then if it started none).
    idle_since: Option<SimTime>,
    /// The latest start among the tasks no longer watched.
    last_start: Option<SimTime>,
}

/// What an agent reads of a task's container.
struct Observed {
    state: ContainerState,
    health: Option<HealthStatus>,
    exit_code: i32,
}

/// A recent failure, for the scheduler's underweighting.
#[derive(Clone, Debug)]
struct Failure {
    node: String,
    key: String,
    at: SimTime,
}

/// The control loop's memory on the leader.
#[derive(Debug, Default)]
pub(crate) struct Control {
    /// Times at which a pass is already scheduled.
    wakeups: BTreeSet<SimTime>,
    delayed: BTreeMap<String, Delayed>,
    updates: BTreeMap<String, Updater>,
    /// Restart times per (service, slot, spec version).
    restarts: BTreeMap<(String, SlotKey, u64), Vec<SimTime>>,
    failures: Vec<Failure>,
    /// Tasks whose container the agent stops because it is unhealthy.
    unhealthy: BTreeSet<String>,
    /// Replicated services to reconcile on the next pass (created or updated); task events
    /// don't reconcile, so a slot whose restart policy gave up stays empty until then.
    pub(crate) to_reconcile: BTreeSet<String>,
    /// The leader of the last pass: a new leader reconciles every service.
    last_leader: Option<MachineId>,
    /// Per service: requests balanced so far (the VIP's round-robin).
    rr: BTreeMap<String, u64>,
    /// Container ID → the task it runs (checked against the task on use).
    by_container: BTreeMap<String, String>,
    /// Per service: the spec its newest tasks share.
    specs: BTreeMap<String, std::sync::Arc<crate::service::ServiceSpec>>,
    /// Per replicated service: how many slots are still to fill and the lowest number that
    /// may be free, when a pass could not create them all (cleared when the service is
    /// reconciled again).
    to_create: BTreeMap<String, (u64, u64)>,
    /// Per removed service: the last of its tasks the orphan walk has looked at.
    orphans_after: BTreeMap<String, Tid>,
    /// Per replicated service: scale-down victim slots still to shut down.
    to_remove: BTreeMap<String, std::collections::VecDeque<u64>>,
    /// Tasks the current pass may still create (see [`PASS_BATCH`]).
    budget: usize,
    /// A stage of the current pass left work for the next one.
    more: bool,
    /// Per service: the history the reaper last kept per slot.
    reap_keep: BTreeMap<String, i64>,
    /// Nodes written since the last pass (spec, role, status): the constraint enforcer
    /// checks their tasks (swarmkit's `ConstraintEnforcer` watches `EventUpdateNode`).
    pub(crate) enforce: BTreeSet<String>,
    /// Tasks the constraint enforcer rejected whose container the agent still has to stop
    /// (the store keeps `Rejected`: the agent's later `Shutdown` is a lower state, which the
    /// dispatcher ignores).
    stop_rejected: BTreeSet<String>,
}

impl crate::swarm::Swarm {
    /// The next round-robin number of a service's load balancer.
    pub(crate) fn control_rr(&mut self, service_id: &str) -> u64 {
        let c = self.control.rr.entry(service_id.to_string()).or_insert(0);
        let n = *c;
        *c += 1;
        n
    }
}

/// One line of a service's logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskLogLine {
    /// When it was written.
    pub at: SimTime,
    /// The task.
    pub task_id: String,
    /// Its slot (0: global).
    pub slot: u64,
    /// Its node.
    pub node_id: String,
    /// stdout or stderr.
    pub stream: crate::catalog::Stream,
    /// The text, without the newline.
    pub text: String,
}

impl World {
    /// Asks for a pass of `cluster`'s control loop soon (the scheduler's debounce).
    pub(crate) fn wake_orchestrator(&mut self, cluster: usize) {
        let at = self.now() + DEBOUNCE;
        self.wake_at(cluster, at);
    }

    /// Asks for a pass at `at` (or now, if that is past).
    pub(crate) fn wake_at(&mut self, cluster: usize, at: SimTime) {
        let now = self.now();
        let at = at.max(now);
        let Some(s) = self.swarms.get_mut(cluster) else {
            return;
        };
        // A pass already due at or before `at` would not see a timer that is not yet due, so
        // only passes at exactly `at` (or within the debounce before it) make this one redundant.
        let covered = s
            .control
            .wakeups
            .range(SimTime::from_millis(at.as_millis().saturating_sub(DEBOUNCE.as_millis()))..=at)
            .next()
            .is_some();
        if covered {
            return;
        }
        s.control.wakeups.insert(at);
        self.schedule(at.saturating_since(now), Event::Orchestrate(cluster));
    }

    /// A service's spec changed: a running update starts over.
    pub(crate) fn control_service_updated(&mut self, cluster: usize, id: &str) {
        let s = &mut self.swarms[cluster];
        s.control.to_reconcile.insert(id.to_string());
        s.control.to_create.remove(id);
        s.control.to_remove.remove(id);
        s.control.updates.remove(id);
        if let Some(svc) = s.services.get(id) {
            let keys: Vec<_> = s
                .control
                .restarts
                .keys()
                .filter(|k| k.0 == id && k.2 != svc.spec_version)
                .cloned()
                .collect();
            for k in keys {
                s.control.restarts.remove(&k);
            }
        }
    }

    /// A service was removed.
    pub(crate) fn control_service_removed(&mut self, cluster: usize, id: &str) {
        let s = &mut self.swarms[cluster];
        s.control.updates.remove(id);
        s.control.restarts.retain(|k, _| k.0 != id);
        s.control.specs.remove(id);
        s.control.to_create.remove(id);
        s.control.to_remove.remove(id);
    }

    /// One pass of a cluster's control loop (`Event::Orchestrate`).
    pub(crate) fn orchestrate(&mut self, cluster: usize) {
        let now = self.now();
        let Some(s) = self.swarms.get_mut(cluster) else {
            return;
        };
        s.control.wakeups.retain(|t| *t > now);
        // Only a leader that can commit acts (a dead one's Raft state, or one in a minority,
        // still claims leadership).
        let Some(leader) = self.acting_leader(cluster) else {
            return;
        };
        let s = &mut self.swarms[cluster];
        s.control
            .failures
            .retain(|f| now.saturating_since(f.at) < FAILURE_WINDOW);
        if s.control.last_leader != Some(leader) {
            s.control.last_leader = Some(leader);
            let all: Vec<String> = s.services.keys().cloned().collect();
            s.control.to_reconcile.extend(all);
            // The new leader's constraint enforcer starts with a look at every node.
            let nodes: Vec<String> = s.nodes.keys().cloned().collect();
            s.control.enforce.extend(nodes);
        }
        s.control.budget = PASS_BATCH;
        s.control.more = false;
        self.enforce_constraints(cluster);
        self.node_reactions(cluster);
        self.restart_supervisor(cluster);
        self.reconcile(cluster);
        self.run_updates(cluster);
        self.start_delayed(cluster);
        self.allocate(cluster);
        self.schedule_pending(cluster);
        self.dispatch(cluster);
        self.reap(cluster);
        if self.swarms[cluster].control.more {
            self.wake_at(cluster, now + BATCH_DELAY);
        }
    }

    /// Takes up to `want` from the pass's budget; what is refused is left for the next pass.
    fn take_budget(&mut self, cluster: usize, want: usize) -> usize {
        let c = &mut self.swarms[cluster].control;
        let got = want.min(c.budget);
        c.budget -= got;
        if got < want {
            c.more = true;
        }
        got
    }

    // ------------------------------------------------------------------------------------
    // Task writes

    pub(crate) fn set_state(
        &mut self,
        cluster: usize,
        task: &str,
        state: TaskState,
        message: &str,
    ) {
        self.write_state(cluster, task, state, message, None);
    }

    /// The scheduler's write: the task goes to `node` (a global task's stays) and is assigned,
    /// in one change of the task.
    fn set_state_on(&mut self, cluster: usize, task: &str, node: Option<String>) {
        let msg = match self.swarms[cluster].tasks.get(task) {
            Some(t) if t.slot == 0 => "scheduler confirmed task can run on preassigned node",
            Some(_) => "scheduler assigned task to node",
            None => return,
        };
        self.write_state(cluster, task, TaskState::Assigned, msg, node);
    }

    fn write_state(
        &mut self,
        cluster: usize,
        task: &str,
        state: TaskState,
        message: &str,
        node: Option<String>,
    ) {
        let now = self.now();
        let s = &mut self.swarms[cluster];
        s.version += 1;
        let v = s.version;
        let assigned = node.is_some();
        let failure = s.tasks.update_on(task, node, |t| {
            if assigned {
                t.err.clear();
            }
            if state == t.state {
                return None;
            }
            t.state = state;
            t.timestamp = now;
            t.message = message.to_string();
            t.updated_at = now;
            t.version = v;
            if state == TaskState::Running && t.running_since.is_none() {
                t.running_since = Some(now);
            }
            let failed = matches!(state, TaskState::Failed | TaskState::Rejected);
            Some(
                t.node_id
                    .clone()
                    .filter(|_| failed)
                    .map(|node| (node, format!("{}:{}", t.service_id, t.spec_version))),
            )
        });
        let Some(Some(failure)) = failure else {
            return;
        };
        if let Some((node, key)) = failure {
            s.control
                .failures
                .push(crate::orchestrator::Failure { node, key, at: now });
        }
        let line = format!("task {} {}", &task[..task.len().min(12)], state.as_str());
        self.record(line);
    }

    fn set_desired(&mut self, cluster: usize, task: &str, desired: TaskState) {
        let now = self.now();
        let s = &mut self.swarms[cluster];
        s.version += 1;
        let v = s.version;
        s.tasks.update(task, |t| {
            if t.desired != desired {
                t.desired = desired;
                t.updated_at = now;
                t.version = v;
            }
        });
    }

    /// Creates a task of `svc` in a slot (replicated) or on a node (global).
    fn new_task(
        &mut self,
        cluster: usize,
        svc: &Service,
        slot: u64,
        node: Option<String>,
        desired: TaskState,
    ) -> String {
        let id = ids::swarm_id(self.rng("tasks"));
        let now = self.now();
        let s = &mut self.swarms[cluster];
        s.version += 1;
        // Tasks of one spec share it (a service of 30,000 replicas holds one copy).
        let spec = match s.control.specs.get(&svc.id) {
            Some(shared) if **shared == svc.spec => shared.clone(),
            _ => {
                let shared = std::sync::Arc::new(svc.spec.clone());
                s.control.specs.insert(svc.id.clone(), shared.clone());
                shared
            }
        };
        let task = Task {
            id: id.clone(),
            service_id: svc.id.clone(),
            slot,
            node_id: node,
            spec,
            spec_version: svc.spec_version,
            desired,
            state: TaskState::New,
            timestamp: now,
            message: "created".into(),
            err: String::new(),
            exit_code: None,
            container_id: None,
            created_at: now,
            updated_at: now,
            version: s.version,
            job_iteration: svc.job_iteration,
            running_since: None,
            addresses: Vec::new(),
            port_status: Vec::new(),
        };
        s.tasks.insert(task);
        s.assign_task_addresses(&id);
        self.record(format!("task-new c{cluster} {} slot {slot}", &id[..12]));
        id
    }

    // ------------------------------------------------------------------------------------
    // Constraint enforcer

    /// swarmkit's constraint enforcer (`manager/orchestrator/constraintenforcer`), for each
    /// node written since the last pass (every node when a new leader starts): on an active
    /// node, a task that should run there (desired assigned to complete, not yet ended) whose
    /// service's *current* constraints the node no longer meets, or whose reservations no
    /// longer fit what the node has left (tasks taken in ID order, as the store lists them),
    /// is rejected: `Rejected`, "task rejected by constraint enforcer", "assigned node no
    /// longer meets constraints". Its desired state is the orchestrator's: the restart
    /// supervisor, later in the same pass, shuts it down and makes its replacement (a global
    /// task whose node no longer matches is only shut down). Work is bounded a node at a
    /// time: once a pass has rejected [`PASS_BATCH`] tasks or looked at ten times as many,
    /// the nodes not looked at wait for the next pass (a new leader looks at every node).
    fn enforce_constraints(&mut self, cluster: usize) {
        if self.swarms[cluster].control.enforce.is_empty() {
            return;
        }
        let nodes = std::mem::take(&mut self.swarms[cluster].control.enforce);
        let s = &self.swarms[cluster];
        let mut cons: BTreeMap<String, Vec<scheduler::Constraint>> = BTreeMap::new();
        let mut reject: Vec<String> = Vec::new();
        let mut left: BTreeSet<String> = BTreeSet::new();
        let mut looked = 0;
        for node_id in &nodes {
            if reject.len() >= PASS_BATCH || looked >= 10 * PASS_BATCH {
                left.insert(node_id.clone());
                continue;
            }
            let Some(n) = s.nodes.get(node_id) else {
                continue;
            };
            if n.availability != Availability::Active {
                continue;
            }
            let Some(ids) = s.tasks.index().live_by_node.get(node_id) else {
                continue;
            };
            looked += ids.len();
            let info = node_info(n);
            let mut cpus = info.nano_cpus;
            let mut memory = info.memory_bytes;
            for id in ids {
                let Some(t) = s.tasks.get(id.as_str()) else {
                    continue;
                };
                if t.desired < TaskState::Assigned || t.desired > TaskState::Complete {
                    continue;
                }
                // The service's current constraints (the task's may be outdated: an update
                // that only changes constraints the node still meets leaves it be).
                let c = cons.entry(t.service_id.clone()).or_insert_with(|| {
                    let exprs = s
                        .services
                        .get(&t.service_id)
                        .map_or(&t.spec.constraints, |svc| &svc.spec.constraints);
                    scheduler::parse_constraints(exprs).unwrap_or_default()
                });
                if !scheduler::matches_constraints(&info, c) {
                    reject.push(t.id.clone());
                    continue;
                }
                let r = &t.spec.resources;
                if r.reserve_memory > memory || r.reserve_nano_cpus > cpus {
                    reject.push(t.id.clone());
                    continue;
                }
                memory -= r.reserve_memory;
                cpus -= r.reserve_nano_cpus;
            }
        }
        let s = &mut self.swarms[cluster];
        if !left.is_empty() {
            s.control.enforce.extend(left);
            s.control.more = true;
        }
        for id in reject {
            let s = &mut self.swarms[cluster];
            let has_container = s.tasks.get(&id).is_some_and(|t| t.container_id.is_some());
            s.tasks.update(&id, |t| {
                t.err = "assigned node no longer meets constraints".into();
            });
            if has_container {
                s.control.stop_rejected.insert(id.clone());
            }
            self.set_state(
                cluster,
                &id,
                TaskState::Rejected,
                "task rejected by constraint enforcer",
            );
        }
    }

    // ------------------------------------------------------------------------------------
    // Orchestrators

    /// Tasks on nodes that are down, drained or gone (spec §2.5, §3.2).
    fn node_reactions(&mut self, cluster: usize) {
        let s = &self.swarms[cluster];
        let mut down = Vec::new();
        let mut drained = Vec::new();
        let mut orphaned = Vec::new();
        for (node_id, ids) in &s.tasks.index().live_by_node {
            let list = match s.nodes.get(node_id) {
                None => &mut orphaned,
                Some(n) if n.state == NodeState::Down => &mut down,
                Some(n) if n.availability == Availability::Drain => &mut drained,
                Some(_) => continue,
            };
            list.extend(ids.iter().cloned());
        }
        for list in [&mut orphaned, &mut down, &mut drained] {
            crate::sort::sort(list);
        }
        for id in orphaned {
            self.set_state(
                cluster,
                id.as_str(),
                TaskState::Orphaned,
                "Task belonged to a node that has been deleted",
            );
        }
        let n = self.take_budget(cluster, down.len());
        for id in down.drain(..).take(n) {
            self.restart_task(cluster, id.as_str(), true, false);
        }
        let n = self.take_budget(cluster, drained.len());
        for id in drained.drain(..).take(n) {
            self.restart_task(cluster, id.as_str(), false, true);
        }
    }

    /// Tasks that ended while they should run (spec §3.1).
    fn restart_supervisor(&mut self, cluster: usize) {
        let now = self.now();
        let s = &self.swarms[cluster];
        let mut ended = Vec::new();
        let mut later: Option<SimTime> = None;
        for id in &s.tasks.index().ended {
            // A replacement that ends while its own restart delay runs (an image that can't
            // be pulled fails while preparing) is restarted once that delay is over, to
            // avoid a tight loop (swarmkit's `Restart`).
            match s.control.delayed.get(id.as_str()) {
                Some(d) if d.at > now => {
                    later = Some(later.map_or(d.at, |l: SimTime| l.min(d.at)));
                }
                _ => ended.push(*id),
            }
        }
        if let Some(at) = later {
            self.wake_at(cluster, at);
        }
        let n = self.take_budget(cluster, ended.len());
        for id in ended.drain(..).take(n) {
            self.restart_task(cluster, id.as_str(), false, false);
        }
    }

    /// swarmkit's `Restart`: shuts `task` down and, if the policy allows, creates its
    /// replacement. `node_down`: the old task can't be waited for; `drained`: no delay.
    fn restart_task(&mut self, cluster: usize, task: &str, node_down: bool, drained: bool) {
        let now = self.now();
        let s = &self.swarms[cluster];
        let Some(t) = s.tasks.get(task).cloned() else {
            return;
        };
        let Some(svc) = s.services.get(&t.service_id).cloned() else {
            self.set_desired(cluster, task, TaskState::Shutdown);
            return;
        };
        self.set_desired(cluster, task, TaskState::Shutdown);
        // Global tasks on a node that is down or drained are not replaced.
        if t.slot == 0 && (node_down || drained) {
            return;
        }
        // Nor on a node that no longer meets the service's constraints (the global
        // orchestrator's `tickTasks`): the task is only shut down.
        if svc.spec.mode == Mode::Global {
            let s = &self.swarms[cluster];
            let cons = scheduler::parse_constraints(&svc.spec.constraints).unwrap_or_default();
            let fits = t
                .node_id
                .as_ref()
                .and_then(|n| s.nodes.get(n))
                .is_some_and(|n| scheduler::matches_constraints(&node_info(n), &cons));
            if !fits {
                return;
            }
        }
        let policy = &svc.spec.restart;
        let restart = match policy.condition() {
            RestartCondition::None => false,
            RestartCondition::OnFailure => t.state != TaskState::Complete,
            RestartCondition::Any => !(svc.spec.mode.is_job() && t.state == TaskState::Complete),
        };
        if !restart {
            return;
        }
        let key = (svc.id.clone(), slot_key(&t), svc.spec_version);
        let max = policy.max_attempts.unwrap_or(0);
        if max > 0 {
            let window = policy.window_ms.unwrap_or(0);
            let s = &self.swarms[cluster];
            let count = s
                .control
                .restarts
                .get(&key)
                .map(|v| {
                    v.iter()
                        .filter(|at| {
                            window == 0 || t.timestamp.saturating_since(**at).as_millis() <= window
                        })
                        .count() as u64
                })
                .unwrap_or(0);
            if count >= max {
                return;
            }
        }
        // A replacement already holding the slot (an update's) makes this one unneeded; an
        // older task a start-first update has not stopped yet does not.
        let s = &self.swarms[cluster];
        let taken = s
            .tasks
            .index()
            .by_slot
            .get(&(t.service_id.clone(), slot_key(&t)))
            .into_iter()
            .flatten()
            .filter_map(|id| s.tasks.get(id.as_str()))
            .any(|x| x.id != t.id && x.is_runnable() && x.spec_version == svc.spec_version);
        if taken {
            return;
        }
        let delay = if drained { 0 } else { policy.delay_ms() };
        let node = if t.slot == 0 { t.node_id.clone() } else { None };
        let new = self.new_task(cluster, &svc, t.slot, node, TaskState::Ready);
        let s = &mut self.swarms[cluster];
        s.control.restarts.entry(key).or_default().push(now);
        let old = if node_down { None } else { Some(t.id.clone()) };
        let at = now + SimDuration::from_millis(delay);
        s.control.delayed.insert(new, Delayed { at, old });
        self.wake_at(cluster, at);
    }

    /// Replicas, global placement and jobs: creates and removes tasks so each service has
    /// what its mode asks for.
    fn reconcile(&mut self, cluster: usize) {
        // Tasks of removed services go, a batch a pass; each service's tasks are walked once
        // (a task marked stays marked), from where the last pass stopped.
        let s = &self.swarms[cluster];
        let mut orphans: Vec<String> = Vec::new();
        let mut walked: Vec<(String, Tid)> = Vec::new();
        let mut more = false;
        for (svc, ids) in &s.tasks.index().by_service {
            if s.services.contains_key(svc) {
                continue;
            }
            let from = s.control.orphans_after.get(svc);
            let rest = match from {
                Some(after) => ids.range((
                    std::ops::Bound::Excluded(*after),
                    std::ops::Bound::Unbounded,
                )),
                None => ids.range(..),
            };
            for id in rest {
                if orphans.len() == PASS_BATCH {
                    more = true;
                    break;
                }
                walked.retain(|(s, _)| s != svc);
                walked.push((svc.clone(), *id));
                if s.tasks
                    .get(id.as_str())
                    .is_some_and(|t| t.desired < TaskState::Remove)
                {
                    orphans.push(id.as_str().to_string());
                }
            }
        }
        let s = &mut self.swarms[cluster];
        let live = &s.tasks.index().by_service;
        s.control
            .orphans_after
            .retain(|svc, _| live.contains_key(svc));
        s.control.orphans_after.extend(walked);
        s.control.more |= more;
        crate::sort::sort(&mut orphans);
        for id in orphans {
            self.set_desired(cluster, &id, TaskState::Remove);
        }
        let services: Vec<Service> = self.swarms[cluster].services.values().cloned().collect();
        // Constraints only read what a node is (not what runs on it): one view for the pass.
        let infos = if services.iter().any(|s| s.spec.mode.is_global()) {
            self.node_infos(cluster)
        } else {
            Vec::new()
        };
        for svc in services {
            match svc.spec.mode {
                Mode::Replicated { replicas } => {
                    let c = &mut self.swarms[cluster].control;
                    if c.to_reconcile.remove(&svc.id) {
                        c.to_create.remove(&svc.id);
                        c.to_remove.remove(&svc.id);
                        self.reconcile_replicated(cluster, &svc, replicas)
                    } else if c.to_create.contains_key(&svc.id) {
                        self.create_planned(cluster, &svc);
                    } else if c.to_remove.contains_key(&svc.id) {
                        self.remove_planned(cluster, &svc.id);
                    }
                }
                Mode::Global => self.reconcile_global(cluster, &svc, &infos, false),
                Mode::GlobalJob => self.reconcile_global(cluster, &svc, &infos, true),
                Mode::ReplicatedJob {
                    max_concurrent,
                    total_completions,
                } => self.reconcile_job(cluster, &svc, max_concurrent, total_completions),
            }
        }
    }

    fn reconcile_replicated(&mut self, cluster: usize, svc: &Service, replicas: u64) {
        let s = &self.swarms[cluster];
        let ix = s.tasks.index();
        // Runnable slots: the task table keeps each with whether it runs and where.
        let have: u64 = ix
            .slots_by_version
            .range((svc.id.clone(), 0)..=(svc.id.clone(), u64::MAX))
            .map(|(_, slots)| slots.len() as u64)
            .sum();
        if have < replicas {
            // The lowest free slot numbers are filled, a batch a pass (`create_planned`).
            self.swarms[cluster]
                .control
                .to_create
                .insert(svc.id.clone(), (replicas - have, 1));
            self.create_planned(cluster, svc);
        } else if have > replicas {
            // Scale down (spec §2.3): keep running slots first, then those lower on their
            // node's list, then lower slot numbers. A slot's place on its node's list is the
            // number of lower slots on that node.
            let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
            let mut order: Vec<(bool, usize, u64)> = ix
                .current
                .range((svc.id.clone(), (0, String::new()))..)
                .take_while(|((id, _), _)| *id == svc.id)
                .map(|((_, (slot, _)), st)| {
                    let idx = match &st.node {
                        None => usize::MAX,
                        Some(n) => {
                            let c = per_node.entry(n.as_str()).or_default();
                            *c += 1;
                            *c - 1
                        }
                    };
                    (!st.running, idx, *slot)
                })
                .collect();
            crate::sort::sort(&mut order);
            let mut victims: Vec<u64> = order
                .iter()
                .skip(replicas as usize)
                .map(|(_, _, slot)| *slot)
                .collect();
            crate::sort::sort(&mut victims);
            self.swarms[cluster]
                .control
                .to_remove
                .insert(svc.id.clone(), victims.into());
            self.remove_planned(cluster, &svc.id);
        }
    }

    /// Creates the next batch of a replicated service's missing slots, lowest free numbers
    /// first.
    fn create_planned(&mut self, cluster: usize, svc: &Service) {
        let want = self.swarms[cluster]
            .control
            .to_create
            .get(&svc.id)
            .map_or(0, |p| p.0);
        let n = self.take_budget(cluster, usize::try_from(want).unwrap_or(usize::MAX));
        for _ in 0..n {
            let Some((left, from)) = self.swarms[cluster].control.to_create.get(&svc.id).copied()
            else {
                break;
            };
            if left == 0 {
                break;
            }
            // The first slot from `from` on that holds no runnable task.
            let mut slot = from;
            for ((_, (held, _)), _) in self.swarms[cluster]
                .tasks
                .index()
                .current
                .range((svc.id.clone(), (from, String::new()))..)
                .take_while(|((id, _), _)| *id == svc.id)
            {
                if *held > slot {
                    break;
                }
                slot = held + 1;
            }
            self.swarms[cluster]
                .control
                .to_create
                .insert(svc.id.clone(), (left - 1, slot + 1));
            self.new_task(cluster, svc, slot, None, TaskState::Running);
        }
        let c = &mut self.swarms[cluster].control;
        if c.to_create.get(&svc.id).is_some_and(|p| p.0 == 0) {
            c.to_create.remove(&svc.id);
        }
    }

    /// Shuts down the next batch of a replicated service's scale-down victims (the runnable
    /// tasks of the victim slots).
    fn remove_planned(&mut self, cluster: usize, service_id: &str) {
        let want = self.swarms[cluster]
            .control
            .to_remove
            .get(service_id)
            .map_or(0, |p| p.len());
        let n = self.take_budget(cluster, want);
        let s = &mut self.swarms[cluster];
        let Some(plan) = s.control.to_remove.get_mut(service_id) else {
            return;
        };
        let slots: Vec<u64> = plan.drain(..n.min(plan.len())).collect();
        if plan.is_empty() {
            s.control.to_remove.remove(service_id);
        }
        let mut ids: Vec<String> = Vec::new();
        for slot in slots {
            let key = (service_id.to_string(), (slot, String::new()));
            ids.extend(
                s.tasks
                    .index()
                    .by_slot
                    .get(&key)
                    .into_iter()
                    .flatten()
                    .filter_map(|id| s.tasks.get(id.as_str()))
                    .filter(|t| t.is_runnable())
                    .map(|t| t.id.clone()),
            );
        }
        crate::sort::sort(&mut ids);
        for id in ids {
            self.set_desired(cluster, &id, TaskState::Remove);
            self.swarms[cluster].control.delayed.remove(&id);
        }
    }

    /// Nodes where a global service runs: known, not down, not drained, constraints met.
    fn global_nodes(
        &self,
        cluster: usize,
        svc: &Service,
        infos: &[NodeInfo],
    ) -> Vec<(String, bool)> {
        let s = &self.swarms[cluster];
        let cons = scheduler::parse_constraints(&svc.spec.constraints).unwrap_or_default();
        infos
            .iter()
            .filter(|n| {
                let node = s.nodes.get(&n.id);
                node.is_some_and(|x| {
                    x.state != NodeState::Down && x.availability != Availability::Drain
                }) && scheduler::matches_constraints(n, &cons)
            })
            .map(|n| {
                let paused = s
                    .nodes
                    .get(&n.id)
                    .is_some_and(|x| x.availability == Availability::Pause);
                (n.id.clone(), paused)
            })
            .collect()
    }

    fn reconcile_global(&mut self, cluster: usize, svc: &Service, infos: &[NodeInfo], job: bool) {
        let eligible = self.global_nodes(cluster, svc, infos);
        let eligible_ids: BTreeSet<&str> = eligible.iter().map(|(n, _)| n.as_str()).btree_set();
        let s = &self.swarms[cluster];
        let mut covered: BTreeSet<String> = BTreeSet::new();
        let mut off = Vec::new();
        for t in s.tasks_of(&svc.id) {
            let node = t.node_id.clone().unwrap_or_default();
            if t.is_runnable() {
                if eligible_ids.contains(node.as_str()) {
                    covered.insert(node);
                } else if s
                    .nodes
                    .get(&node)
                    .is_some_and(|n| n.state != NodeState::Down)
                {
                    off.push(t.id.clone());
                }
            } else if job && t.job_iteration == svc.job_iteration && t.state == TaskState::Complete
            {
                covered.insert(node);
            }
        }
        for id in off {
            self.set_desired(cluster, &id, TaskState::Shutdown);
        }
        let missing: Vec<String> = eligible
            .into_iter()
            .filter(|(node, paused)| !covered.contains(node) && !paused)
            .map(|(node, _)| node)
            .collect();
        let n = self.take_budget(cluster, missing.len());
        for node in missing.into_iter().take(n) {
            let desired = if job {
                TaskState::Complete
            } else {
                TaskState::Running
            };
            self.new_task(cluster, svc, 0, Some(node), desired);
        }
    }

    fn reconcile_job(&mut self, cluster: usize, svc: &Service, max_concurrent: u64, total: u64) {
        let s = &self.swarms[cluster];
        let mut completed = 0;
        let mut running = 0;
        let mut max_slot = 0;
        for t in s.tasks_of(&svc.id) {
            max_slot = max_slot.max(t.slot);
            if t.job_iteration != svc.job_iteration {
                continue;
            }
            if t.state == TaskState::Complete {
                completed += 1;
            } else if t.is_runnable() {
                running += 1;
            }
        }
        let concurrent = if max_concurrent == 0 {
            total
        } else {
            max_concurrent
        };
        let want = concurrent
            .saturating_sub(running)
            .min(total.saturating_sub(completed + running));
        let want = self.take_budget(cluster, usize::try_from(want).unwrap_or(usize::MAX)) as u64;
        for i in 0..want {
            self.new_task(cluster, svc, max_slot + 1 + i, None, TaskState::Complete);
        }
    }

    /// Starts replacements whose delay is over and whose old task has stopped.
    fn start_delayed(&mut self, cluster: usize) {
        let now = self.now();
        let s = &self.swarms[cluster];
        let mut start = Vec::new();
        let mut drop = Vec::new();
        let mut next: Option<SimTime> = None;
        for (id, d) in &s.control.delayed {
            let Some(t) = s.tasks.get(id) else {
                drop.push(id.clone());
                continue;
            };
            if t.desired != TaskState::Ready {
                drop.push(id.clone());
                continue;
            }
            let old_done = match d.old.as_ref().and_then(|o| s.tasks.get(o)) {
                None => true,
                Some(o) => {
                    o.state.is_terminal()
                        || o.node_id
                            .as_ref()
                            .and_then(|n| s.nodes.get(n))
                            .is_none_or(|n| n.state == NodeState::Down)
                        || o.node_id.is_none()
                }
            };
            let deadline = d.at + OLD_TASK_WAIT;
            if now >= d.at && (old_done || now >= deadline) {
                start.push(id.clone());
            } else {
                let due = if now < d.at { d.at } else { deadline };
                next = Some(next.map_or(due, |n: SimTime| n.min(due)));
            }
        }
        for id in drop {
            self.swarms[cluster].control.delayed.remove(&id);
        }
        for id in start {
            self.swarms[cluster].control.delayed.remove(&id);
            let desired = self.swarms[cluster]
                .tasks
                .get(&id)
                .and_then(|t| self.swarms[cluster].services.get(&t.service_id))
                .map(|svc| {
                    if svc.spec.mode.is_job() {
                        TaskState::Complete
                    } else {
                        TaskState::Running
                    }
                })
                .unwrap_or(TaskState::Running);
            self.set_desired(cluster, &id, desired);
        }
        if let Some(at) = next {
            self.wake_at(cluster, at);
        }
    }

    // ------------------------------------------------------------------------------------
    // Update supervisor (spec §5.2)

    fn run_updates(&mut self, cluster: usize) {
        let ids: Vec<String> = self.swarms[cluster].services.keys().cloned().collect();
        for id in ids {
            self.update_service(cluster, &id);
        }
    }

    fn update_service(&mut self, cluster: usize, id: &str) {
        let now = self.now();
        let s = &self.swarms[cluster];
        let Some(svc) = s.services.get(id).cloned() else {
            return;
        };
        if svc.spec.mode.is_job() {
            return;
        }
        if let Some(st) = &svc.update_status {
            if matches!(st.state, UpdateState::Paused | UpdateState::RollbackPaused) {
                return;
            }
        }
        let in_progress = |u: &Option<UpdateStatus>| {
            u.as_ref().is_some_and(|u| {
                matches!(
                    u.state,
                    UpdateState::Updating | UpdateState::RollbackStarted
                )
            })
        };
        // Nothing to do without an update running and with every runnable task at the
        // service's version (the index counts them): skip the walk over its tasks.
        let running_update = s
            .control
            .updates
            .get(id)
            .is_some_and(|u| u.spec_version == svc.spec_version);
        let all_current = s
            .tasks
            .index()
            .runnable_versions
            .get(id)
            .is_none_or(|v| v.keys().all(|k| *k == svc.spec_version));
        if !running_update && !in_progress(&svc.update_status) && all_current {
            return;
        }
        // Slots whose current task (the newest runnable one) is of another version: the
        // task table files slots by their current task's version.
        let dirty_count: usize = s
            .tasks
            .index()
            .slots_by_version
            .range((id.to_string(), 0)..=(id.to_string(), u64::MAX))
            .filter(|((_, v), _)| *v != svc.spec_version)
            .map(|(_, slots)| match self.start_first_since(&svc) {
                Some(since) => slots
                    .iter()
                    .filter(|k| !self.slot_tried(cluster, &svc, k, since))
                    .count(),
                None => slots.len(),
            })
            .sum();
        let rollback = svc
            .update_status
            .as_ref()
            .is_some_and(|u| u.state == UpdateState::RollbackStarted);
        let running = s
            .control
            .updates
            .get(id)
            .is_some_and(|u| u.spec_version == svc.spec_version);
        // Taken out of the map while it works (cloning it each pass cost as much as the
        // update's tasks); every way out of this function puts it back or ends it.
        let taken = if running {
            self.swarms[cluster].control.updates.remove(id)
        } else {
            None
        };
        let mut up = match taken {
            Some(u) => u,
            _ => {
                let dirty = dirty_count;
                if dirty == 0 && !in_progress(&svc.update_status) {
                    return;
                }
                let config = if rollback {
                    svc.spec.rollback_config()
                } else {
                    svc.spec.update_config()
                };
                if svc.update_status.is_none() {
                    let s = &mut self.swarms[cluster];
                    if let Some(x) = s.services.get_mut(id) {
                        x.update_status = Some(UpdateStatus {
                            state: UpdateState::Updating,
                            started_at: now,
                            completed_at: None,
                            message: "update in progress".into(),
                        });
                    }
                }
                Updater {
                    spec_version: svc.spec_version,
                    rollback,
                    config,
                    total: dirty.max(1),
                    in_flight: Vec::new(),
                    watched: BTreeMap::new(),
                    failed: BTreeSet::new(),
                    resting: Vec::new(),
                    idle_since: None,
                    last_start: None,
                }
            }
        };
        let s = &self.swarms[cluster];
        // Follow the slots in flight.
        let mut still = Vec::new();
        let mut shut = Vec::new();
        // A worker whose slot is done sleeps the delay before it takes the next slot; one
        // whose new task never runs (its node died first) waits on, holding only itself.
        let delay = SimDuration::from_millis(up.config.delay_ms);
        for (k, new, old) in std::mem::take(&mut up.in_flight) {
            let Some(t) = s.tasks.get(&new) else {
                if up.config.delay_ms > 0 {
                    up.resting.push(now + delay);
                }
                continue;
            };
            if t.state >= TaskState::Running {
                if t.state == TaskState::Running {
                    up.watched
                        .insert(new.clone(), t.running_since.or(Some(now)));
                    // Start-first: the old task goes once its replacement runs (not when the
                    // replacement failed).
                    if up.config.order == UpdateOrder::StartFirst {
                        shut.extend(old.iter().cloned());
                    }
                }
                if up.config.delay_ms > 0 {
                    up.resting.push(now + delay);
                }
            } else {
                still.push((k, new, old));
            }
        }
        up.in_flight = still;
        for o in shut {
            if self.swarms[cluster]
                .tasks
                .get(&o)
                .is_some_and(|t| t.desired <= TaskState::Running)
            {
                self.set_desired(cluster, &o, TaskState::Shutdown);
            }
        }
        up.resting.retain(|at| *at > now);
        // Failures among the new tasks.
        let s = &self.swarms[cluster];
        let monitor = up.config.monitor_ms;
        let mut failed_now = None;
        for (tid, since) in up.watched.iter_mut() {
            let Some(t) = s.tasks.get(tid) else { continue };
            if t.state == TaskState::Running && since.is_none() {
                *since = t.running_since;
            }
            let early = match since {
                None => true,
                Some(at) => t.timestamp.saturating_since(*at).as_millis() <= monitor,
            };
            if ended_badly(t) && early && !up.failed.contains(tid) {
                up.failed.insert(tid.clone());
                failed_now = Some(tid.clone());
            }
        }
        for (_, new, _) in &up.in_flight {
            if let Some(t) = s.tasks.get(new) {
                if ended_badly(t) && !up.failed.contains(new) {
                    up.failed.insert(new.clone());
                    failed_now = Some(new.clone());
                }
            }
        }
        // A large update stops watching the tasks whose monitor period is over (a later end
        // of theirs no longer counts), remembering only the latest start.
        if up.watched.len() > PASS_BATCH {
            let over = |at: &SimTime| now.saturating_since(*at).as_millis() > monitor;
            for at in up.watched.values().flatten().filter(|at| over(at)) {
                up.last_start = Some(up.last_start.map_or(*at, |l| l.max(*at)));
            }
            up.watched
                .retain(|tid, since| up.failed.contains(tid) || !since.as_ref().is_some_and(over));
        }
        if let Some(tid) = failed_now {
            let ratio = up.failed.len() as f64 / up.total as f64;
            if ratio > up.config.max_failure_ratio
                && up.config.failure_action != FailureAction::Continue
            {
                let (state, msg) = match (up.rollback, up.config.failure_action) {
                    (true, _) => (
                        UpdateState::RollbackPaused,
                        format!(
                            "rollback paused due to failure or early termination of task {tid}"
                        ),
                    ),
                    (false, FailureAction::Rollback) => (
                        UpdateState::RollbackStarted,
                        format!(
                            "update rolled back due to failure or early termination of task {tid}"
                        ),
                    ),
                    (false, _) => (
                        UpdateState::Paused,
                        format!("update paused due to failure or early termination of task {tid}"),
                    ),
                };
                let s = &mut self.swarms[cluster];
                s.control.updates.remove(id);
                if state == UpdateState::RollbackStarted {
                    s.control.to_reconcile.insert(id.to_string());
                }
                s.version += 1;
                let v = s.version;
                if let Some(x) = s.services.get_mut(id) {
                    if state == UpdateState::RollbackStarted {
                        if let Some(prev) = x.previous_spec.take() {
                            x.spec = prev;
                            x.spec_version = x.previous_spec_version;
                        }
                    }
                    let started = x.update_status.as_ref().map_or(now, |u| u.started_at);
                    // swarmkit's `rollbackUpdate` changes only the state and message: the
                    // rollback keeps the update's StartedAt (a manual rollback sets its own).
                    x.update_status = Some(UpdateStatus {
                        state,
                        started_at: started,
                        completed_at: None,
                        message: msg,
                    });
                    x.version = v;
                    x.updated_at = now;
                }
                self.record(format!(
                    "update {} {}",
                    &id[..id.len().min(12)],
                    state.as_str()
                ));
                self.wake_orchestrator(cluster);
                return;
            }
        }
        // Free workers take the next dirty slots (a slot in flight is no longer dirty: its
        // newest task is of the service's version).
        let parallelism = if up.config.parallelism == 0 {
            usize::MAX
        } else {
            up.config.parallelism as usize
        };
        let mut wake: Option<SimTime> = None;
        if dirty_count > 0 {
            let free = parallelism.saturating_sub(up.in_flight.len() + up.resting.len());
            if free > 0 {
                let n = self.take_budget(cluster, free.min(dirty_count));
                for k in self.first_dirty_slots(cluster, id, svc.spec_version, n) {
                    let s = &self.swarms[cluster];
                    let old_tasks: Vec<String> = s
                        .tasks
                        .index()
                        .by_slot
                        .get(&(id.to_string(), k.clone()))
                        .into_iter()
                        .flatten()
                        .filter_map(|t| s.tasks.get(t.as_str()))
                        .filter(|t| t.is_runnable())
                        .map(|t| t.id.clone())
                        .collect();
                    // swarmkit's updater `worker`: a task of the service's spec already in
                    // the slot (a rollback finds the old task a start-first update left
                    // running) is kept, advanced to running if it waits, and the slot's
                    // other tasks are shut down (`useExistingTask`).
                    let clean = old_tasks
                        .iter()
                        .filter_map(|t| s.tasks.get(t.as_str()))
                        .filter(|t| t.spec_version == svc.spec_version)
                        .filter(|t| t.desired <= TaskState::Running)
                        .max_by_key(|t| t.desired == TaskState::Running)
                        .map(|t| (t.id.clone(), t.desired));
                    if let Some((keep, desired)) = clean {
                        for o in old_tasks.iter().filter(|o| **o != keep) {
                            self.set_desired(cluster, o, TaskState::Shutdown);
                        }
                        if desired < TaskState::Running {
                            self.swarms[cluster].control.delayed.remove(&keep);
                            self.set_desired(cluster, &keep, TaskState::Running);
                        }
                        continue;
                    }
                    let node = if k.0 == 0 { Some(k.1.clone()) } else { None };
                    let svc_now = self.swarms[cluster].services.get(id).cloned();
                    let Some(svc_now) = svc_now else {
                        self.swarms[cluster]
                            .control
                            .updates
                            .insert(id.to_string(), up);
                        return;
                    };
                    let new = match up.config.order {
                        UpdateOrder::StartFirst => {
                            self.new_task(cluster, &svc_now, k.0, node, TaskState::Running)
                        }
                        UpdateOrder::StopFirst => {
                            for o in &old_tasks {
                                self.set_desired(cluster, o, TaskState::Shutdown);
                            }
                            let n = self.new_task(cluster, &svc_now, k.0, node, TaskState::Ready);
                            let s = &mut self.swarms[cluster];
                            s.control.delayed.insert(
                                n.clone(),
                                Delayed {
                                    at: now,
                                    old: old_tasks.first().cloned(),
                                },
                            );
                            n
                        }
                    };
                    up.watched.insert(new.clone(), None);
                    up.in_flight.push((k, new, old_tasks));
                }
            } else if let Some(at) = up.resting.iter().min() {
                wake = Some(*at);
            }
        }
        // Done: every slot updated; wait out the monitor period, then complete.
        if up.in_flight.is_empty() && dirty_count == 0 {
            let idle = *up.idle_since.get_or_insert(now);
            let last = up
                .watched
                .values()
                .flatten()
                .copied()
                .chain(up.last_start)
                .max()
                .unwrap_or(idle);
            let wait = if up.config.delay_ms >= monitor {
                up.config.delay_ms + 1000
            } else {
                monitor
            };
            let until = last + SimDuration::from_millis(wait);
            if now >= until {
                let s = &mut self.swarms[cluster];
                s.control.updates.remove(id);
                s.version += 1;
                let v = s.version;
                if let Some(x) = s.services.get_mut(id) {
                    let (state, msg) = if up.rollback {
                        (UpdateState::RollbackCompleted, "rollback completed")
                    } else {
                        (UpdateState::Completed, "update completed")
                    };
                    let started = x.update_status.as_ref().map_or(now, |u| u.started_at);
                    x.update_status = Some(UpdateStatus {
                        state,
                        started_at: started,
                        completed_at: Some(now),
                        message: msg.into(),
                    });
                    x.version = v;
                }
                self.record(format!("update {} done", &id[..id.len().min(12)]));
                return;
            }
            wake = Some(wake.map_or(until, |w| w.min(until)));
        }
        // Watch the monitor windows of started tasks.
        for since in up.watched.values().flatten() {
            let end = *since + SimDuration::from_millis(monitor + 1);
            if end > now {
                wake = Some(wake.map_or(end, |w| w.min(end)));
            }
        }
        self.swarms[cluster]
            .control
            .updates
            .insert(id.to_string(), up);
        if let Some(at) = wake {
            self.wake_at(cluster, at);
        }
    }

    /// When a start-first update (or rollback) of `svc` started, if one runs.
    fn start_first_since(&self, svc: &Service) -> Option<SimTime> {
        let st = svc.update_status.as_ref()?;
        let config = if st.state == UpdateState::RollbackStarted {
            svc.spec.rollback_config()
        } else {
            svc.spec.update_config()
        };
        (config.order == UpdateOrder::StartFirst).then_some(st.started_at)
    }

    /// Whether the update that started at `since` already gave the slot a task of the
    /// service's version: swarmkit's updater visits each dirty slot once, and a start-first
    /// slot whose new task failed keeps its old task running (the restart supervisor, not
    /// the updater, replaces the failed one).
    fn slot_tried(&self, cluster: usize, svc: &Service, k: &SlotKey, since: SimTime) -> bool {
        let s = &self.swarms[cluster];
        s.tasks
            .index()
            .by_slot
            .get(&(svc.id.clone(), k.clone()))
            .into_iter()
            .flatten()
            .filter_map(|t| s.tasks.get(t.as_str()))
            .any(|t| t.spec_version == svc.spec_version && t.created_at >= since)
    }

    /// The first `n` slots, in slot order, whose current task is not of `version` (and, in
    /// a start-first update, that it did not try yet).
    fn first_dirty_slots(
        &self,
        cluster: usize,
        service_id: &str,
        version: u64,
        n: usize,
    ) -> Vec<SlotKey> {
        let ix = self.swarms[cluster].tasks.index();
        let svc = self.swarms[cluster].services.get(service_id);
        let since = svc.and_then(|x| self.start_first_since(x));
        let mut out: Vec<SlotKey> = ix
            .slots_by_version
            .range((service_id.to_string(), 0)..=(service_id.to_string(), u64::MAX))
            .filter(|((_, v), _)| *v != version)
            .flat_map(|(_, slots)| {
                slots
                    .iter()
                    .filter(|k| match (svc, since) {
                        (Some(x), Some(at)) => !self.slot_tried(cluster, x, k, at),
                        _ => true,
                    })
                    .take(n)
                    .cloned()
            })
            .collect();
        crate::sort::sort(&mut out);
        out.truncate(n);
        out
    }

    // ------------------------------------------------------------------------------------
    // Allocator and scheduler

    fn allocate(&mut self, cluster: usize) {
        let new: Vec<String> = self.swarms[cluster]
            .tasks
            .index()
            .new
            .iter()
            .map(|id| id.as_str().to_string())
            .collect();
        for id in new {
            self.set_state(cluster, &id, TaskState::Pending, "pending task scheduling");
        }
    }

    /// The scheduler's view of every node (spec §2.1).
    fn node_infos(&self, cluster: usize) -> Vec<NodeInfo> {
        let s = &self.swarms[cluster];
        let mut infos: Vec<NodeInfo> = s.nodes.values().map(node_info).collect();
        // What runs on each node, kept by the task table as tasks change.
        let load = &s.tasks.index().load;
        for n in &mut infos {
            if let Some(l) = load.get(&n.id) {
                n.reserved_nano_cpus = l.cpus;
                n.reserved_memory = l.memory;
                n.active_tasks = l.active;
                n.active_by_service.clone_from(&l.by_service);
                n.host_ports = l.ports.keys().cloned().btree_set();
            }
        }
        // `infos` is in node ID order (the store's).
        for f in &s.control.failures {
            if let Ok(i) = infos.binary_search_by(|n| n.id.as_str().cmp(f.node.as_str())) {
                *infos[i].recent_failures.entry(f.key.clone()).or_default() += 1;
            }
        }
        infos
    }

    fn demand(t: &Task) -> Demand {
        Demand {
            service_id: t.service_id.clone(),
            failure_key: format!("{}:{}", t.service_id, t.spec_version),
            constraints: scheduler::parse_constraints(&t.spec.constraints).unwrap_or_default(),
            preferences: t.spec.preferences.clone(),
            max_replicas: t.spec.max_replicas_per_node,
            reserve_nano_cpus: t.spec.resources.reserve_nano_cpus,
            reserve_memory: t.spec.resources.reserve_memory,
            host_ports: t
                .spec
                .ports
                .iter()
                .filter(|p| p.mode == "host" && p.published != 0)
                .map(|p| (p.published, p.protocol.clone()))
                .collect(),
            platforms: t.spec.platforms.clone(),
        }
    }

    /// Places pending tasks: per service version, in slot order, at most the pass's budget
    /// of each (the rest of a batch that fits waits for the next pass; a batch's tasks share
    /// one demand, so once one finds no node the rest would not either), then global tasks
    /// on their nodes.
    fn schedule_pending(&mut self, cluster: usize) {
        let s = &self.swarms[cluster];
        let ix = s.tasks.index();
        if ix.pending.is_empty() && ix.pending_global.is_empty() {
            return;
        }
        let mut nodes = self.node_infos(cluster);
        let mut budget = PASS_BATCH;
        let mut more = false;
        let mut writes: Vec<(String, Result<String, String>)> = Vec::new();
        for group in ix.pending.values() {
            let take = group.len().min(budget).max(1);
            let tasks: Vec<&Task> = group
                .iter()
                .take(take)
                .filter_map(|(_, _, id)| s.tasks.get(id.as_str()))
                .collect();
            let Some(first) = tasks.first() else { continue };
            let d = Self::demand(first);
            let p = scheduler::schedule(&mut nodes, &d, tasks.len());
            let mut placed = 0;
            for (t, a) in tasks.iter().zip(p.assignments.iter()) {
                match a {
                    Some(i) => {
                        placed += 1;
                        writes.push((t.id.clone(), Ok(nodes[*i].id.clone())));
                    }
                    None => writes.push((
                        t.id.clone(),
                        Err(p.error.clone().unwrap_or_else(|| "no suitable node".into())),
                    )),
                }
            }
            budget = budget.saturating_sub(placed);
            if take < group.len() && placed == tasks.len() {
                more = true;
            }
        }
        let take = ix.pending_global.len().min(budget).max(1);
        let mut placed = 0;
        for id in ix.pending_global.iter().take(take) {
            let Some(t) = s.tasks.get(id.as_str()) else {
                continue;
            };
            let d = Self::demand(t);
            let node = t.node_id.clone().unwrap_or_default();
            let r = match nodes.binary_search_by(|n| n.id.as_str().cmp(node.as_str())) {
                Ok(i) => scheduler::confirm(&mut nodes, i, &d).map(|_| node.clone()),
                Err(_) => Err("no suitable node".into()),
            };
            placed += usize::from(r.is_ok());
            writes.push((t.id.clone(), r));
        }
        if take < ix.pending_global.len() && placed == take {
            more = true;
        }
        self.swarms[cluster].control.more |= more;
        let now = self.now();
        for (id, r) in writes {
            let s = &mut self.swarms[cluster];
            match r {
                Ok(node) => self.set_state_on(cluster, &id, Some(node)),
                Err(e) => {
                    s.tasks.update(&id, |t| {
                        if t.err != e {
                            t.err = e;
                            t.updated_at = now;
                        }
                    });
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------
    // Dispatcher and agents

    /// Whether the agent of `node_id` can act now: its machine is up and reaches the leader.
    fn agent_machine(&self, cluster: usize, node_id: &str) -> Option<MachineId> {
        let s = &self.swarms[cluster];
        let n = s.nodes.get(node_id)?;
        if !self.swarm_up(n.machine) {
            return None;
        }
        // The node must still be this cluster's member.
        let ms = self.memberships.get(&n.machine)?;
        if ms.cluster != cluster || ms.node_id != node_id {
            return None;
        }
        let leader = s.leader()?;
        if !self.can_reach(n.machine, leader) {
            return None;
        }
        Some(n.machine)
    }

    /// Hands the agents the tasks they have work for (to start or to stop), at most
    /// [`ASSIGNMENTS_PER_MS`] per millisecond: the first ones after [`ACCEPT_MS`], the next
    /// ones a millisecond later each.
    fn dispatch(&mut self, cluster: usize) {
        let s = &self.swarms[cluster];
        let mut wake = Vec::new();
        let mut more = false;
        for id in &s.tasks.index().dispatch {
            if wake.len() == PASS_BATCH {
                more = true;
                break;
            }
            let Some(t) = s.tasks.get(id.as_str()) else {
                continue;
            };
            let Some(node) = &t.node_id else { continue };
            if self.agent_machine(cluster, node).is_some() {
                wake.push(t.id.clone());
            }
        }
        // Containers of tasks the constraint enforcer rejected.
        let stop = std::mem::take(&mut self.swarms[cluster].control.stop_rejected);
        let mut keep = BTreeSet::new();
        for id in stop {
            let Some(t) = self.swarms[cluster].tasks.get(&id) else {
                continue;
            };
            if let Some(node) = &t.node_id {
                if wake.len() < PASS_BATCH && self.agent_machine(cluster, node).is_some() {
                    wake.push(id.clone());
                } else {
                    more |= wake.len() >= PASS_BATCH;
                }
            }
            keep.insert(id);
        }
        self.swarms[cluster].control.stop_rejected = keep;
        self.swarms[cluster].control.more |= more;
        for (i, id) in wake.iter().enumerate() {
            let after = ACCEPT_MS + (i / ASSIGNMENTS_PER_MS) as u64;
            self.poke_agent(cluster, id, after);
        }
    }

    fn poke_agent(&mut self, cluster: usize, task: &str, after_ms: u64) {
        let s = &mut self.swarms[cluster];
        if s.tasks.set_busy(task, true) {
            self.schedule(
                SimDuration::from_millis(after_ms),
                Event::Agent {
                    cluster,
                    task: task.to_string(),
                },
            );
        }
    }

    /// An agent advances a task one step (`Event::Agent`).
    pub(crate) fn agent_step(&mut self, cluster: usize, task: &str) {
        let Some(s) = self.swarms.get_mut(cluster) else {
            return;
        };
        s.tasks.set_busy(task, false);
        let Some(t) = s.tasks.get(task).cloned() else {
            return;
        };
        let Some(node) = t.node_id.clone() else {
            return;
        };
        let Some(m) = self.agent_machine(cluster, &node) else {
            return;
        };
        if t.state.is_terminal() {
            // Rejected by the constraint enforcer while its container runs: the agent stops
            // it; the store keeps `Rejected` (`Shutdown` is a lower state, which the
            // dispatcher ignores).
            if self.swarms[cluster].control.stop_rejected.remove(task) {
                let cid = t.container_id.clone().unwrap_or_default();
                let running = self
                    .container(m, &cid)
                    .is_some_and(|c| c.state == ContainerState::Running);
                if running {
                    let _ = self.container_stop(m, &cid, None);
                }
            }
            return;
        }
        if t.desired >= TaskState::Shutdown {
            self.agent_stop(cluster, m, &t);
            return;
        }
        match t.state {
            TaskState::Assigned => {
                self.set_state(cluster, task, TaskState::Accepted, "accepted");
                self.poke_agent(cluster, task, ACCEPT_MS);
            }
            TaskState::Accepted => {
                self.set_state(cluster, task, TaskState::Preparing, "preparing");
                let pull = if self.image_present(m, &t.spec.image) {
                    0
                } else {
                    Catalog::get()
                        .lookup(&t.spec.image)
                        .map_or(1_000, |i| i.pull_ms)
                };
                self.poke_agent(cluster, task, PREPARE_MS + pull);
            }
            TaskState::Preparing => match self.agent_create(m, &t) {
                Ok(cid) => {
                    let s = &mut self.swarms[cluster];
                    if s.tasks.contains_key(task) {
                        s.control.by_container.insert(cid.clone(), task.to_string());
                        s.tasks.update(task, |x| x.container_id = Some(cid));
                    }
                    self.set_state(cluster, task, TaskState::Ready, "prepared");
                    self.poke_agent(cluster, task, ACCEPT_MS);
                }
                Err(e) => {
                    self.swarms[cluster].tasks.update(task, |x| {
                        x.err = e;
                    });
                    self.set_state(cluster, task, TaskState::Rejected, "preparing");
                    self.wake_orchestrator(cluster);
                }
            },
            TaskState::Ready if t.desired >= TaskState::Running => {
                self.set_state(cluster, task, TaskState::Starting, "starting");
                let cid = t.container_id.clone().unwrap_or_default();
                if let Err(e) = self.container_start(m, &cid) {
                    self.swarms[cluster].tasks.update(task, |x| {
                        x.err = format!("starting container failed: {e}");
                    });
                    self.set_state(cluster, task, TaskState::Failed, "starting");
                    self.wake_orchestrator(cluster);
                    return;
                }
                self.poke_agent(cluster, task, START_MS);
            }
            TaskState::Starting => self.agent_observe(cluster, m, task),
            _ => {}
        }
    }

    fn agent_create(&mut self, m: MachineId, t: &Task) -> Result<String, String> {
        if !self.image_present(m, &t.spec.image) && self.image_pull(m, &t.spec.image).is_err() {
            // Engine 28: the pull error is only logged; creating the container then fails.
            return Err(format!("No such image: {}", t.spec.image));
        }
        let image = self.image_config(m, &t.spec.image);
        let spec = &t.spec;
        let mut labels = spec.container_labels.clone();
        labels.insert(
            "com.docker.swarm.node.id".into(),
            t.node_id.clone().unwrap_or_default(),
        );
        labels.insert("com.docker.swarm.service.id".into(), t.service_id.clone());
        labels.insert("com.docker.swarm.service.name".into(), spec.name.clone());
        labels.insert("com.docker.swarm.task".into(), String::new());
        labels.insert("com.docker.swarm.task.id".into(), t.id.clone());
        labels.insert("com.docker.swarm.task.name".into(), t.container_name());
        if let Some(ns) = spec.labels.get("com.docker.stack.namespace") {
            labels.insert("com.docker.stack.namespace".into(), ns.clone());
        }
        let config = ContainerConfig {
            name: t.container_name(),
            image: spec.image.clone(),
            entrypoint: if spec.command.is_empty() {
                None
            } else {
                Some(spec.command.clone())
            },
            args: spec.args.clone(),
            env: spec.env.clone(),
            labels,
            hostname: spec.hostname.clone(),
            tty: spec.tty,
            interactive: false,
            healthcheck: spec.effective_health(image.and_then(|i| i.healthcheck.as_ref())),
            stop_grace_ms: spec.stop_grace_ms.unwrap_or(defaults::STOP_GRACE_MS),
            restart: Default::default(),
            // The executor's portBindings(): each host-mode port, on every address, its
            // published number or none (the engine picks one).
            ports: spec
                .ports
                .iter()
                .filter(|p| p.mode == "host")
                .map(|p| PortBinding {
                    host_ip: String::new(),
                    host_port: p.published,
                    container_port: p.target,
                    proto: p.protocol.clone(),
                })
                .collect(),
            workdir: spec.workdir.clone(),
            user: spec.user.clone(),
            auto_remove: false,
            task_id: Some(t.id.clone()),
            addresses: Vec::new(),
            mounts: self.task_mounts(spec),
            files: self.task_files(spec),
            // The executor's resources(): the limits, not the reservations.
            memory: spec.resources.limit_memory.max(0),
            nano_cpus: spec.resources.limit_nano_cpus.max(0),
            pids_limit: spec.resources.limit_pids.max(0),
        };
        self.container_create(m, config)
    }

    /// Reads the task's container and moves the task to what it shows.
    fn agent_observe(&mut self, cluster: usize, m: MachineId, task: &str) {
        let Some(t) = self.swarms[cluster].tasks.get(task) else {
            return;
        };
        if t.state.is_terminal() || t.state < TaskState::Starting {
            return;
        }
        let cid = t.container_id.clone().unwrap_or_default();
        let (state, desired) = (t.state, t.desired);
        // What the agent reads of the container: its state, health and exit code.
        let c = self.container(m, &cid).map(|c| Observed {
            state: c.state,
            health: c.health.as_ref().map(|h| h.status),
            exit_code: c.exit_code,
        });
        let stopping_on_purpose = desired >= TaskState::Shutdown;
        let unhealthy = self.swarms[cluster].control.unhealthy.contains(task);
        match c {
            None => {
                // Removed under the task (`docker rm -f`).
                self.report_ports(cluster, m, task);
                if stopping_on_purpose {
                    self.set_state(cluster, task, TaskState::Shutdown, "shutdown");
                } else {
                    self.swarms[cluster].tasks.update(task, |x| {
                        x.err = "task: non-zero exit (137)".into();
                        x.exit_code = Some(137);
                    });
                    self.set_state(cluster, task, TaskState::Failed, "started");
                }
                self.wake_orchestrator(cluster);
            }
            Some(c)
                if c.state == ContainerState::Running || c.state == ContainerState::Restarting =>
            {
                let healthy = match c.health {
                    None => true,
                    Some(h) => h == HealthStatus::Healthy,
                };
                if let Some(h) = c.health {
                    if h == HealthStatus::Unhealthy && !stopping_on_purpose && !unhealthy {
                        let s = &mut self.swarms[cluster];
                        s.control.unhealthy.insert(task.to_string());
                        let _ = self.container_stop(m, &cid, None);
                        return;
                    }
                }
                if healthy && state == TaskState::Starting && !unhealthy {
                    self.report_ports(cluster, m, task);
                    self.set_state(cluster, task, TaskState::Running, "started");
                    self.wake_orchestrator(cluster);
                }
            }
            Some(c) if c.state == ContainerState::Created => {}
            Some(c) => {
                // Exited.
                let code = c.exit_code;
                self.swarms[cluster].control.unhealthy.remove(task);
                self.report_ports(cluster, m, task);
                if stopping_on_purpose {
                    self.set_state(cluster, task, TaskState::Shutdown, "shutdown");
                } else if code == 0 {
                    // moby's executor (`controller.Wait`) returns an exit error only for a
                    // non-zero code: a container stopped as unhealthy that exits 0 on SIGTERM
                    // completes ("finished"), its health error dropped.
                    self.set_state(cluster, task, TaskState::Complete, "finished");
                } else {
                    let mut err = format!("task: non-zero exit ({code})");
                    if unhealthy {
                        err.push_str(": dockerexec: unhealthy container");
                    }
                    self.swarms[cluster].tasks.update(task, |x| {
                        x.err = err;
                        x.exit_code = Some(code);
                    });
                    self.set_state(cluster, task, TaskState::Failed, "started");
                }
                self.wake_orchestrator(cluster);
            }
        }
    }

    /// The agent stops a task the manager wants shut down.
    fn agent_stop(&mut self, cluster: usize, m: MachineId, t: &Task) {
        let cid = t.container_id.clone().unwrap_or_default();
        let running = self
            .containers(m)
            .iter()
            .find(|c| c.id == cid)
            .is_some_and(|c| c.state == ContainerState::Running);
        if running {
            // The container reports its exit through on_container_change.
            let _ = self.container_stop(m, &cid, None);
        } else {
            self.report_ports(cluster, m, &t.id);
            self.set_state(cluster, &t.id, TaskState::Shutdown, "shutdown");
            self.wake_orchestrator(cluster);
        }
    }

    /// The agent's status report reads the container's port bindings (swarmkit's
    /// `PortStatuser`, moby's `parsePortStatus`): each binding of a running container is a
    /// host-mode port (`0.0.0.0` and `::` give two), a stopped or missing one has none.
    fn report_ports(&mut self, cluster: usize, m: MachineId, task: &str) {
        let Some(cid) = self.swarms[cluster]
            .tasks
            .get(task)
            .and_then(|t| t.container_id.clone())
        else {
            return;
        };
        let mut ports = Vec::new();
        if let Some(c) = self.container(m, &cid).filter(|c| c.is_running()) {
            let mut bound: Vec<_> = c.bound_ports.iter().collect();
            // NetworkSettings.Ports is keyed by `port/proto`.
            crate::sort::sort_by(&mut bound, |a, b| {
                format!("{}/{}", a.container_port, a.proto)
                    .cmp(&format!("{}/{}", b.container_port, b.proto))
            });
            for p in bound {
                let fronts = if p.host_ip.is_empty() { 2 } else { 1 };
                for _ in 0..fronts {
                    ports.push(PortConfig {
                        protocol: p.proto.clone(),
                        target: p.container_port,
                        published: p.host_port,
                        mode: "host".into(),
                    });
                }
            }
        }
        self.swarms[cluster]
            .tasks
            .update(task, |x| x.port_status = ports);
    }

    /// A container changed state (exited, was killed or removed, its health changed); the
    /// container runtime calls this after every such change so the agent can report the
    /// task's new state.
    #[allow(dead_code)] // called by the container runtime
    pub(crate) fn on_container_change(&mut self, m: MachineId, container_id: &str) {
        let Some(ms) = self.memberships.get(&m).cloned() else {
            return;
        };
        let cluster = ms.cluster;
        // The task whose container it is (an index: a scan of every task per container
        // change made a large service's start quadratic).
        let Some(task) = self.swarms.get(cluster).and_then(|s| {
            let id = s.control.by_container.get(container_id)?;
            s.tasks
                .get(id)
                .filter(|t| t.container_id.as_deref() == Some(container_id))
                .map(|t| t.id.clone())
        }) else {
            return;
        };
        if self.agent_machine(cluster, &ms.node_id).is_none() {
            return;
        }
        self.agent_observe(cluster, m, &task);
    }

    // ------------------------------------------------------------------------------------
    // Task reaper (spec §1.3)

    /// Deletes the tasks of removed services (once they stopped, never ran, or their node is
    /// gone or down) and the history beyond the retention limit of each slot. Only slots whose
    /// tasks changed are looked at, at most [`PASS_BATCH`] deletions a pass.
    fn reap(&mut self, cluster: usize) {
        let s = &mut self.swarms[cluster];
        let limit = s.task_history_limit;
        // A service whose retention changed has every slot looked at again.
        let mut changed = Vec::new();
        for (id, svc) in &s.services {
            let max = svc.spec.restart.max_attempts.unwrap_or(0);
            let keep = if max > 0 { max as i64 + 1 } else { limit };
            if s.control.reap_keep.get(id) != Some(&keep) {
                changed.push((id.clone(), keep));
            }
        }
        s.control
            .reap_keep
            .retain(|id, _| s.services.contains_key(id));
        for (id, keep) in changed {
            let slots: Vec<(String, SlotKey)> = s
                .tasks
                .index()
                .by_slot
                .range((id.clone(), (0, String::new()))..)
                .take_while(|(k, _)| k.0 == id)
                .map(|(k, _)| k.clone())
                .collect();
            s.tasks.index_mut().reap_dirty.extend(slots);
            s.control.reap_keep.insert(id, keep);
        }
        let s = &self.swarms[cluster];
        let ix = s.tasks.index();
        let mut delete: Vec<Tid> = ix.gone_ready.iter().copied().collect();
        for (node, ids) in &ix.gone_by_node {
            let unreachable = s.nodes.get(node).is_none_or(|n| n.state == NodeState::Down);
            if unreachable {
                delete.extend(ids.iter().copied());
            }
        }
        crate::sort::sort(&mut delete);
        delete.dedup();
        let mut budget = PASS_BATCH;
        let mut more = delete.len() > budget;
        delete.truncate(budget);
        budget -= delete.len();
        let mut looked = Vec::new();
        for key in &ix.reap_dirty {
            if budget == 0 {
                more = true;
                break;
            }
            looked.push(key.clone());
            let (svc, _) = key;
            let Some(keep) = s.control.reap_keep.get(svc).copied() else {
                continue;
            };
            let Some(ids) = ix.by_slot.get(key) else {
                continue;
            };
            let mut tasks: Vec<&Task> = ids
                .iter()
                .filter_map(|id| s.tasks.get(id.as_str()))
                .filter(|t| t.desired != TaskState::Remove)
                .collect();
            if keep < 0 || tasks.len() as i64 <= keep {
                continue;
            }
            crate::sort::sort_by_key(&mut tasks, |t| (t.created_at, t.id.clone()));
            let mut excess = tasks.len() as i64 - keep;
            for t in tasks {
                if excess <= 0 || budget == 0 {
                    break;
                }
                let removable = t.state.is_terminal()
                    || (t.state < TaskState::Assigned && t.desired > TaskState::Running);
                if removable && t.desired > TaskState::Running {
                    delete.push(Tid::new(&t.id));
                    budget -= 1;
                    excess -= 1;
                }
            }
            if excess > 0 && budget == 0 {
                // Not finished with this slot: look again next pass.
                looked.pop();
            }
        }
        let dirty = &mut self.swarms[cluster].tasks.index_mut().reap_dirty;
        for key in looked {
            dirty.remove(&key);
        }
        if more {
            self.swarms[cluster].control.more = true;
        }
        for id in delete {
            let id = id.as_str().to_string();
            let Some(t) = self.swarms[cluster].tasks.remove(&id) else {
                continue;
            };
            let s = &mut self.swarms[cluster];
            s.control.delayed.remove(&id);
            s.control.unhealthy.remove(&id);
            if let Some(cid) = &t.container_id {
                s.control.by_container.remove(cid);
            }
            for u in s.control.updates.values_mut() {
                u.watched.remove(&id);
            }
            if let (Some(node), Some(cid)) = (&t.node_id, &t.container_id) {
                if let Some(m) = self.swarms[cluster].nodes.get(node).map(|n| n.machine) {
                    if self.machine(m).is_some_and(|x| x.power == Power::Running) {
                        // The executor removes task containers with their anonymous volumes.
                        let _ = self.container_remove_volumes(m, cid, true, true);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------
    // Reads

    /// The log lines of the given tasks' containers between two instants, oldest first
    /// (`docker service logs`). Containers on machines that are off say nothing.
    pub fn task_logs(
        &self,
        cluster: usize,
        task_ids: &[String],
        since: SimTime,
        until: SimTime,
    ) -> Vec<TaskLogLine> {
        let Some(s) = self.swarms.get(cluster) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for id in task_ids {
            let Some(t) = s.tasks.get(id) else { continue };
            let (Some(node), Some(cid)) = (&t.node_id, &t.container_id) else {
                continue;
            };
            let Some(m) = s.nodes.get(node).map(|n| n.machine) else {
                continue;
            };
            if self.machine(m).is_none_or(|x| x.power != Power::Running) {
                continue;
            }
            for (at, stream, text) in self.container_log_lines(m, cid, since, until) {
                out.push(TaskLogLine {
                    at,
                    task_id: t.id.clone(),
                    slot: t.slot,
                    node_id: node.clone(),
                    stream,
                    text,
                });
            }
        }
        crate::sort::sort_by(&mut out, |a, b| (a.at, &a.task_id).cmp(&(b.at, &b.task_id)));
        out
    }
}
