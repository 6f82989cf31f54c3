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
use crate::container::{ContainerConfig, ContainerState, HealthStatus};
use crate::machine::{build, MachineId, Power};
use crate::scheduler::{self, Demand, NodeInfo};
use crate::service::{
    defaults, FailureAction, Mode, RestartCondition, Task, TaskState, UpdateConfig, UpdateOrder,
    UpdateState, UpdateStatus,
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

/// A slot: the slot number of a replicated task, or the node of a global one.
type SlotKey = (u64, String);

fn slot_key(t: &Task) -> SlotKey {
    if t.slot == 0 {
        (0, t.node_id.clone().unwrap_or_default())
    } else {
        (t.slot, String::new())
    }
}

/// A task that ended on its own (failed, rejected, or exited while it should run) rather than
/// being shut down on purpose (drain, scale-down): what the update supervisor counts.
fn ended_badly(t: &Task) -> bool {
    matches!(
        t.state,
        TaskState::Failed | TaskState::Rejected | TaskState::Complete
    )
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
    /// Slots being replaced: the new task and the old ones.
    in_flight: Vec<(SlotKey, String, Vec<String>)>,
    /// New tasks created by this update, with the time they reached RUNNING.
    watched: BTreeMap<String, Option<SimTime>>,
    failed: BTreeSet<String>,
    /// The next batch may start then (the update delay).
    next_batch_at: SimTime,
    /// When it first found every slot up to date (the monitor period counts from the last
    /// task start, or from then if it started none).
    idle_since: Option<SimTime>,
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
    /// Tasks with an agent event pending.
    busy: BTreeSet<String>,
    /// Tasks whose container the agent stops because it is unhealthy.
    unhealthy: BTreeSet<String>,
    /// Replicated services to reconcile on the next pass (created or updated); task events
    /// don't reconcile, so a slot whose restart policy gave up stays empty until then.
    pub(crate) to_reconcile: BTreeSet<String>,
    /// The leader of the last pass: a new leader reconciles every service.
    last_leader: Option<MachineId>,
    /// Per service: requests balanced so far (the VIP's round-robin).
    rr: BTreeMap<String, u64>,
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
    }

    /// One pass of a cluster's control loop (`Event::Orchestrate`).
    pub(crate) fn orchestrate(&mut self, cluster: usize) {
        let now = self.now();
        let Some(s) = self.swarms.get_mut(cluster) else {
            return;
        };
        s.control.wakeups.retain(|t| *t > now);
        let Some(leader) = s.leader() else {
            return;
        };
        if self
            .machine(leader)
            .is_none_or(|m| m.power != Power::Running)
        {
            return;
        }
        let s = &mut self.swarms[cluster];
        s.control
            .failures
            .retain(|f| now.saturating_since(f.at) < FAILURE_WINDOW);
        if s.control.last_leader != Some(leader) {
            s.control.last_leader = Some(leader);
            let all: Vec<String> = s.services.keys().cloned().collect();
            s.control.to_reconcile.extend(all);
        }
        self.node_reactions(cluster);
        self.restart_supervisor(cluster);
        self.reconcile(cluster);
        self.run_updates(cluster);
        self.start_delayed(cluster);
        self.allocate(cluster);
        self.schedule_pending(cluster);
        self.dispatch(cluster);
        self.reap(cluster);
    }

    // ------------------------------------------------------------------------------------
    // Task writes

    fn set_state(&mut self, cluster: usize, task: &str, state: TaskState, message: &str) {
        let now = self.now();
        let s = &mut self.swarms[cluster];
        s.version += 1;
        let v = s.version;
        if let Some(t) = s.tasks.get_mut(task) {
            if state == t.state {
                return;
            }
            t.state = state;
            t.timestamp = now;
            t.message = message.to_string();
            t.updated_at = now;
            t.version = v;
            if state == TaskState::Running && t.running_since.is_none() {
                t.running_since = Some(now);
            }
            if matches!(state, TaskState::Failed | TaskState::Rejected) {
                if let Some(node) = t.node_id.clone() {
                    let key = format!("{}:{}", t.service_id, t.spec_version);
                    s.control
                        .failures
                        .push(crate::orchestrator::Failure { node, key, at: now });
                }
            }
            let line = format!("task {} {}", &task[..task.len().min(12)], state.as_str());
            self.record(line);
        }
    }

    fn set_desired(&mut self, cluster: usize, task: &str, desired: TaskState) {
        let now = self.now();
        let s = &mut self.swarms[cluster];
        s.version += 1;
        let v = s.version;
        if let Some(t) = s.tasks.get_mut(task) {
            if t.desired != desired {
                t.desired = desired;
                t.updated_at = now;
                t.version = v;
            }
        }
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
        let task = Task {
            id: id.clone(),
            service_id: svc.id.clone(),
            slot,
            node_id: node,
            spec: svc.spec.clone(),
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
        };
        s.tasks.insert(id.clone(), task);
        s.assign_task_addresses(&id);
        self.record(format!("task-new c{cluster} {} slot {slot}", &id[..12]));
        id
    }

    // ------------------------------------------------------------------------------------
    // Orchestrators

    /// Tasks on nodes that are down, drained or gone (spec §2.5, §3.2).
    fn node_reactions(&mut self, cluster: usize) {
        let s = &self.swarms[cluster];
        let mut down = Vec::new();
        let mut drained = Vec::new();
        let mut orphaned = Vec::new();
        for t in s.tasks.values() {
            if t.desired > TaskState::Complete || t.state.is_terminal() {
                continue;
            }
            let Some(node_id) = &t.node_id else { continue };
            match s.nodes.get(node_id) {
                None => orphaned.push(t.id.clone()),
                Some(n) if n.state == NodeState::Down => down.push(t.id.clone()),
                Some(n) if n.availability == Availability::Drain => drained.push(t.id.clone()),
                Some(_) => {}
            }
        }
        for id in orphaned {
            self.set_state(
                cluster,
                &id,
                TaskState::Orphaned,
                "Task belonged to a node that has been deleted",
            );
        }
        for id in down {
            self.restart_task(cluster, &id, true, false);
        }
        for id in drained {
            self.restart_task(cluster, &id, false, true);
        }
    }

    /// Tasks that ended while they should run (spec §3.1).
    fn restart_supervisor(&mut self, cluster: usize) {
        let now = self.now();
        let s = &self.swarms[cluster];
        let mut ended = Vec::new();
        let mut later: Option<SimTime> = None;
        for t in s.tasks.values() {
            if t.desired > TaskState::Complete || !t.state.is_terminal() {
                continue;
            }
            // A replacement that ends while its own restart delay runs (an image that can't
            // be pulled fails while preparing) is restarted once that delay is over, to
            // avoid a tight loop (swarmkit's `Restart`).
            match s.control.delayed.get(&t.id) {
                Some(d) if d.at > now => {
                    later = Some(later.map_or(d.at, |l: SimTime| l.min(d.at)));
                }
                _ => ended.push(t.id.clone()),
            }
        }
        if let Some(at) = later {
            self.wake_at(cluster, at);
        }
        for id in ended {
            self.restart_task(cluster, &id, false, false);
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
        // A replacement already holding the slot (an update's) makes this one unneeded.
        let s = &self.swarms[cluster];
        let taken = s.tasks.values().any(|x| {
            x.service_id == t.service_id
                && x.id != t.id
                && slot_key(x) == slot_key(&t)
                && x.is_runnable()
        });
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
        // Tasks of removed services go.
        let s = &self.swarms[cluster];
        let orphans: Vec<String> = s
            .tasks
            .values()
            .filter(|t| !s.services.contains_key(&t.service_id) && t.desired < TaskState::Remove)
            .map(|t| t.id.clone())
            .collect();
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
                    if self.swarms[cluster].control.to_reconcile.remove(&svc.id) {
                        self.reconcile_replicated(cluster, &svc, replicas)
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
        // Runnable slots and, per slot, whether it runs and where.
        let mut slots: BTreeMap<u64, (bool, Option<String>)> = BTreeMap::new();
        for t in s.tasks_of(&svc.id) {
            if t.is_runnable() {
                let e = slots.entry(t.slot).or_insert((false, None));
                e.0 |= t.state == TaskState::Running;
                if e.1.is_none() {
                    e.1 = t.node_id.clone();
                }
            }
        }
        let have = slots.len() as u64;
        if have < replicas {
            let mut next = 1;
            for _ in have..replicas {
                while slots.contains_key(&next) {
                    next += 1;
                }
                slots.insert(next, (false, None));
                self.new_task(cluster, svc, next, None, TaskState::Running);
            }
        } else if have > replicas {
            // Scale down (spec §2.3): keep running slots first, then those lower on their
            // node's list, then lower slot numbers.
            let mut per_node: BTreeMap<String, Vec<u64>> = BTreeMap::new();
            for (slot, (_, node)) in &slots {
                per_node
                    .entry(node.clone().unwrap_or_default())
                    .or_default()
                    .push(*slot);
            }
            let mut order: Vec<(bool, usize, u64)> = slots
                .iter()
                .map(|(slot, (running, node))| {
                    let list = per_node
                        .get(&node.clone().unwrap_or_default())
                        .cloned()
                        .unwrap_or_default();
                    let idx = list.iter().position(|x| x == slot).unwrap_or(0);
                    let idx = if node.is_none() { usize::MAX } else { idx };
                    (!running, idx, *slot)
                })
                .collect();
            crate::sort::sort(&mut order);
            let victims: BTreeSet<u64> = order
                .iter()
                .skip(replicas as usize)
                .map(|(_, _, slot)| *slot)
                .btree_set();
            let ids: Vec<String> = self.swarms[cluster]
                .tasks_of(&svc.id)
                .filter(|t| t.is_runnable() && victims.contains(&t.slot))
                .map(|t| t.id.clone())
                .collect();
            for id in ids {
                self.set_desired(cluster, &id, TaskState::Remove);
                self.swarms[cluster].control.delayed.remove(&id);
            }
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
        for (node, paused) in eligible {
            if !covered.contains(&node) && !paused {
                let desired = if job {
                    TaskState::Complete
                } else {
                    TaskState::Running
                };
                self.new_task(cluster, svc, 0, Some(node), desired);
            }
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
        // The current task of every runnable slot.
        let mut current: BTreeMap<SlotKey, Task> = BTreeMap::new();
        for t in s.tasks_of(id) {
            if !t.is_runnable() {
                continue;
            }
            let k = slot_key(t);
            match current.get(&k) {
                Some(c) if c.created_at > t.created_at => {}
                _ => {
                    current.insert(k, t.clone());
                }
            }
        }
        let rollback = svc
            .update_status
            .as_ref()
            .is_some_and(|u| u.state == UpdateState::RollbackStarted);
        let existing = s.control.updates.get(id).cloned();
        let mut up = match existing {
            Some(u) if u.spec_version == svc.spec_version => u,
            _ => {
                let in_progress = |u: &Option<UpdateStatus>| {
                    u.as_ref().is_some_and(|u| {
                        matches!(
                            u.state,
                            UpdateState::Updating | UpdateState::RollbackStarted
                        )
                    })
                };
                let dirty: usize = current
                    .values()
                    .filter(|t| t.spec_version != svc.spec_version)
                    .count();
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
                    next_batch_at: now,
                    idle_since: None,
                }
            }
        };
        let s = &self.swarms[cluster];
        // Follow the slots in flight.
        let mut still = Vec::new();
        let mut shut = Vec::new();
        let mut batch_done_any = false;
        for (k, new, old) in std::mem::take(&mut up.in_flight) {
            let Some(t) = s.tasks.get(&new) else {
                batch_done_any = true;
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
                batch_done_any = true;
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
        if batch_done_any && up.in_flight.is_empty() {
            up.next_batch_at = now + SimDuration::from_millis(up.config.delay_ms);
        }
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
                    x.update_status = Some(UpdateStatus {
                        state,
                        started_at: if state == UpdateState::RollbackStarted {
                            now
                        } else {
                            started
                        },
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
        // Next batch.
        let in_flight_slots: BTreeSet<SlotKey> =
            up.in_flight.iter().map(|(k, _, _)| k.clone()).btree_set();
        let dirty: Vec<SlotKey> = current
            .iter()
            .filter(|(k, t)| t.spec_version != svc.spec_version && !in_flight_slots.contains(*k))
            .map(|(k, _)| k.clone())
            .collect();
        let parallelism = if up.config.parallelism == 0 {
            usize::MAX
        } else {
            up.config.parallelism as usize
        };
        let mut wake: Option<SimTime> = None;
        if !dirty.is_empty() && up.in_flight.is_empty() {
            if now >= up.next_batch_at {
                for k in dirty.into_iter().take(parallelism) {
                    let old_tasks: Vec<String> = self.swarms[cluster]
                        .tasks_of(id)
                        .filter(|t| t.is_runnable() && slot_key(t) == k)
                        .map(|t| t.id.clone())
                        .collect();
                    let node = if k.0 == 0 { Some(k.1.clone()) } else { None };
                    let svc_now = self.swarms[cluster].services.get(id).cloned();
                    let Some(svc_now) = svc_now else { return };
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
            } else {
                wake = Some(up.next_batch_at);
            }
        }
        // Done: every slot updated; wait out the monitor period, then complete.
        if up.in_flight.is_empty() && current.values().all(|t| t.spec_version == svc.spec_version) {
            let idle = *up.idle_since.get_or_insert(now);
            let last = up.watched.values().flatten().max().copied().unwrap_or(idle);
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

    // ------------------------------------------------------------------------------------
    // Allocator and scheduler

    fn allocate(&mut self, cluster: usize) {
        let new: Vec<String> = self.swarms[cluster]
            .tasks
            .values()
            .filter(|t| t.state == TaskState::New && t.desired <= TaskState::Complete)
            .map(|t| t.id.clone())
            .collect();
        for id in new {
            self.set_state(cluster, &id, TaskState::Pending, "pending task scheduling");
        }
    }

    /// The scheduler's view of every node (spec §2.1).
    fn node_infos(&self, cluster: usize) -> Vec<NodeInfo> {
        let s = &self.swarms[cluster];
        let mut infos: Vec<NodeInfo> = s
            .nodes
            .values()
            .map(|n| NodeInfo {
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
            })
            .collect();
        let index: BTreeMap<String, usize> = infos
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .btree_map();
        let mut adds: Vec<(usize, &Task)> = Vec::new();
        for t in s.tasks.values() {
            let Some(node) = &t.node_id else { continue };
            let Some(&i) = index.get(node.as_str()) else {
                continue;
            };
            if t.state.is_terminal() || t.state < TaskState::Assigned {
                continue;
            }
            adds.push((i, t));
        }
        for (i, t) in adds {
            let n = &mut infos[i];
            n.reserved_nano_cpus += t.spec.resources.reserve_nano_cpus;
            n.reserved_memory += t.spec.resources.reserve_memory;
            if t.desired <= TaskState::Complete {
                n.active_tasks += 1;
                *n.active_by_service.entry(t.service_id.clone()).or_default() += 1;
            }
            for p in t
                .spec
                .ports
                .iter()
                .filter(|p| p.mode == "host" && p.published != 0)
            {
                n.host_ports.insert((p.published, p.protocol.clone()));
            }
        }
        for f in &s.control.failures {
            if let Some(&i) = index.get(f.node.as_str()) {
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

    fn schedule_pending(&mut self, cluster: usize) {
        let s = &self.swarms[cluster];
        let pending: Vec<&Task> = s
            .tasks
            .values()
            .filter(|t| t.state == TaskState::Pending && t.desired <= TaskState::Complete)
            .collect();
        if pending.is_empty() {
            return;
        }
        let mut nodes = self.node_infos(cluster);
        let index: BTreeMap<String, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .btree_map();
        // Batches of one service version, replicated tasks in slot order.
        let mut batches: BTreeMap<(String, u64), Vec<&Task>> = BTreeMap::new();
        let mut global = Vec::new();
        for t in pending {
            if t.slot == 0 && t.node_id.is_some() {
                global.push(t);
            } else if t.node_id.is_none() {
                batches
                    .entry((t.service_id.clone(), t.spec_version))
                    .or_default()
                    .push(t);
            }
        }
        let mut writes: Vec<(String, Result<String, String>)> = Vec::new();
        for (_, mut tasks) in batches {
            crate::sort::sort_by_key(&mut tasks, |t| (t.slot, t.created_at));
            let d = Self::demand(tasks[0]);
            let p = scheduler::schedule(&mut nodes, &d, tasks.len());
            for (t, a) in tasks.iter().zip(p.assignments.iter()) {
                match a {
                    Some(i) => writes.push((t.id.clone(), Ok(nodes[*i].id.clone()))),
                    None => writes.push((
                        t.id.clone(),
                        Err(p.error.clone().unwrap_or_else(|| "no suitable node".into())),
                    )),
                }
            }
        }
        for t in global {
            let d = Self::demand(t);
            let node = t.node_id.clone().unwrap_or_default();
            let r = match index.get(&node) {
                Some(&i) => scheduler::confirm(&mut nodes, i, &d).map(|_| node.clone()),
                None => Err("no suitable node".into()),
            };
            writes.push((t.id.clone(), r));
        }
        let now = self.now();
        for (id, r) in writes {
            let s = &mut self.swarms[cluster];
            let Some(t) = s.tasks.get_mut(&id) else {
                continue;
            };
            match r {
                Ok(node) => {
                    let msg = if t.slot == 0 {
                        "scheduler confirmed task can run on preassigned node"
                    } else {
                        "scheduler assigned task to node"
                    };
                    t.node_id = Some(node);
                    t.err.clear();
                    self.set_state(cluster, &id, TaskState::Assigned, msg);
                }
                Err(e) => {
                    if t.err != e {
                        t.err = e;
                        t.updated_at = now;
                    }
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
        let m = self.machine(n.machine)?;
        if m.power != Power::Running {
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

    fn dispatch(&mut self, cluster: usize) {
        let s = &self.swarms[cluster];
        let mut wake = Vec::new();
        for t in s.tasks.values() {
            if s.control.busy.contains(&t.id) {
                continue;
            }
            let Some(node) = &t.node_id else { continue };
            if t.state < TaskState::Assigned || t.state.is_terminal() {
                continue;
            }
            let wants_progress = t.desired > t.state
                && t.desired <= TaskState::Complete
                && t.state < TaskState::Starting;
            let wants_stop = t.desired >= TaskState::Shutdown;
            if (wants_progress || wants_stop) && self.agent_machine(cluster, node).is_some() {
                wake.push(t.id.clone());
            }
        }
        for id in wake {
            self.poke_agent(cluster, &id, ACCEPT_MS);
        }
    }

    fn poke_agent(&mut self, cluster: usize, task: &str, after_ms: u64) {
        let s = &mut self.swarms[cluster];
        if s.control.busy.insert(task.to_string()) {
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
        s.control.busy.remove(task);
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
                    if let Some(x) = self.swarms[cluster].tasks.get_mut(task) {
                        x.container_id = Some(cid);
                    }
                    self.set_state(cluster, task, TaskState::Ready, "prepared");
                    self.poke_agent(cluster, task, ACCEPT_MS);
                }
                Err(e) => {
                    if let Some(x) = self.swarms[cluster].tasks.get_mut(task) {
                        x.err = e;
                    }
                    self.set_state(cluster, task, TaskState::Rejected, "preparing");
                    self.wake_orchestrator(cluster);
                }
            },
            TaskState::Ready if t.desired >= TaskState::Running => {
                self.set_state(cluster, task, TaskState::Starting, "starting");
                let cid = t.container_id.clone().unwrap_or_default();
                if let Err(e) = self.container_start(m, &cid) {
                    if let Some(x) = self.swarms[cluster].tasks.get_mut(task) {
                        x.err = format!("starting container failed: {e}");
                    }
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
        let image = Catalog::get().lookup(&t.spec.image);
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
            ports: Vec::new(),
            workdir: spec.workdir.clone(),
            user: spec.user.clone(),
            auto_remove: false,
            task_id: Some(t.id.clone()),
            addresses: Vec::new(),
            mounts: self.task_mounts(spec),
            files: self.task_files(spec),
        };
        if !self.image_present(m, &spec.image) && self.image_pull(m, &spec.image).is_err() {
            // Engine 28: the pull error is only logged; creating the container then fails.
            return Err(format!("No such image: {}", spec.image));
        }
        self.container_create(m, config)
    }

    /// Reads the task's container and moves the task to what it shows.
    fn agent_observe(&mut self, cluster: usize, m: MachineId, task: &str) {
        let Some(t) = self.swarms[cluster].tasks.get(task).cloned() else {
            return;
        };
        if t.state.is_terminal() || t.state < TaskState::Starting {
            return;
        }
        let cid = t.container_id.clone().unwrap_or_default();
        let c = self.containers(m).iter().find(|c| c.id == cid).cloned();
        let stopping_on_purpose = t.desired >= TaskState::Shutdown;
        let unhealthy = self.swarms[cluster].control.unhealthy.contains(task);
        match c {
            None => {
                // Removed under the task (`docker rm -f`).
                if stopping_on_purpose {
                    self.set_state(cluster, task, TaskState::Shutdown, "shutdown");
                } else {
                    if let Some(x) = self.swarms[cluster].tasks.get_mut(task) {
                        x.err = "task: non-zero exit (137)".into();
                        x.exit_code = Some(137);
                    }
                    self.set_state(cluster, task, TaskState::Failed, "started");
                }
                self.wake_orchestrator(cluster);
            }
            Some(c)
                if c.state == ContainerState::Running || c.state == ContainerState::Restarting =>
            {
                let healthy = match &c.health {
                    None => true,
                    Some(h) => h.status == HealthStatus::Healthy,
                };
                if let Some(h) = &c.health {
                    if h.status == HealthStatus::Unhealthy && !stopping_on_purpose && !unhealthy {
                        let s = &mut self.swarms[cluster];
                        s.control.unhealthy.insert(task.to_string());
                        let _ = self.container_stop(m, &cid, None);
                        return;
                    }
                }
                if healthy && t.state == TaskState::Starting && !unhealthy {
                    self.set_state(cluster, task, TaskState::Running, "started");
                    self.wake_orchestrator(cluster);
                }
            }
            Some(c) if c.state == ContainerState::Created => {}
            Some(c) => {
                // Exited.
                let code = c.exit_code;
                self.swarms[cluster].control.unhealthy.remove(task);
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
                    if let Some(x) = self.swarms[cluster].tasks.get_mut(task) {
                        x.err = err;
                        x.exit_code = Some(code);
                    }
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
            self.set_state(cluster, &t.id, TaskState::Shutdown, "shutdown");
            self.wake_orchestrator(cluster);
        }
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
        let Some(task) = self.swarms.get(cluster).and_then(|s| {
            s.tasks
                .values()
                .find(|t| t.container_id.as_deref() == Some(container_id))
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

    fn reap(&mut self, cluster: usize) {
        let s = &self.swarms[cluster];
        let limit = s.task_history_limit;
        let mut delete: Vec<String> = Vec::new();
        let mut groups: BTreeMap<(String, SlotKey), Vec<&Task>> = BTreeMap::new();
        for t in s.tasks.values() {
            let gone = !s.services.contains_key(&t.service_id) || t.desired == TaskState::Remove;
            if gone {
                let never_ran = t.state < TaskState::Assigned;
                let unreachable = t
                    .node_id
                    .as_ref()
                    .and_then(|n| s.nodes.get(n))
                    .is_none_or(|n| n.state == NodeState::Down);
                if t.state.is_terminal() || never_ran || unreachable {
                    delete.push(t.id.clone());
                }
                continue;
            }
            groups
                .entry((t.service_id.clone(), slot_key(t)))
                .or_default()
                .push(t);
        }
        for ((svc, _), mut tasks) in groups {
            let max = s
                .services
                .get(&svc)
                .and_then(|x| x.spec.restart.max_attempts)
                .unwrap_or(0);
            let keep = if max > 0 { max as i64 + 1 } else { limit };
            if keep < 0 || tasks.len() as i64 <= keep {
                continue;
            }
            crate::sort::sort_by_key(&mut tasks, |t| (t.created_at, t.id.clone()));
            let mut excess = tasks.len() as i64 - keep;
            for t in tasks {
                if excess <= 0 {
                    break;
                }
                let removable = t.state.is_terminal()
                    || (t.state < TaskState::Assigned && t.desired > TaskState::Running);
                if removable && t.desired > TaskState::Running {
                    delete.push(t.id.clone());
                    excess -= 1;
                }
            }
        }
        for id in delete {
            let Some(t) = self.swarms[cluster].tasks.remove(&id) else {
                continue;
            };
            let s = &mut self.swarms[cluster];
            s.control.delayed.remove(&id);
            s.control.busy.remove(&id);
            s.control.unhealthy.remove(&id);
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
