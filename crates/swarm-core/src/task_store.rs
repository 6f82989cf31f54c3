//! The cluster's task table with the indexes the control loop works from.
//!
//! A pass of the control loop must not look at every task: a service of 30,000 replicas would
//! make each pass (and the scheduler's debounce runs one every 50 ms while tasks start) cost
//! milliseconds per thousand tasks. So the table keeps, next to the tasks by ID, what each
//! stage of a pass asks for: the tasks that ended while they should run (restart supervisor),
//! the new and the pending ones (allocator, scheduler), those an agent has work for
//! (dispatcher), the runnable ones per node (node reactions), those marked for removal (reaper),
//! per service and slot (history), and what every node carries (reservations, active tasks per
//! service, host ports: the scheduler's node view). Reads go through `Deref` to the map, as
//! before; every write goes through `TaskStore::insert`, `TaskStore::update` or
//! `TaskStore::remove`, which keep the indexes in step. The indexes hold task IDs, so
//! iterating one gives ID order, the order a scan of the map gives.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::ops::Deref;

use crate::service::{Task, TaskState};
use crate::time::SimTime;

/// A task ID as the indexes keep it: inline, so that comparing two is one `memcmp` without a
/// pointer to follow (the indexes of a large service are searched thousands of times a
/// second). Task IDs are 25 characters; zero padding keeps the order of the strings.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Tid([u8; 32]);

impl Tid {
    pub(crate) fn new(id: &str) -> Tid {
        let mut b = [0u8; 32];
        let n = id.len().min(32);
        b[..n].copy_from_slice(&id.as_bytes()[..n]);
        Tid(b)
    }

    pub(crate) fn as_str(&self) -> &str {
        let n = self.0.iter().position(|c| *c == 0).unwrap_or(32);
        std::str::from_utf8(&self.0[..n]).unwrap_or("")
    }
}

impl std::fmt::Debug for Tid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pending task in the scheduler's order: slot, creation, ID.
pub(crate) type PendingKey = (u64, SimTime, Tid);

/// A set of tasks in ID order.
pub(crate) type Tids = BTreeSet<Tid>;

/// A slot: the slot number of a replicated task, or the node of a global one.
pub(crate) type SlotKey = (u64, String);

/// The slot a task holds.
pub(crate) fn slot_key(t: &Task) -> SlotKey {
    if t.slot == 0 {
        (0, t.node_id.clone().unwrap_or_default())
    } else {
        (t.slot, String::new())
    }
}

/// A slot with a runnable task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SlotState {
    /// Its current task, the newest runnable one (on equal creation times the later ID):
    /// creation, ID, spec version, as the update supervisor sees it.
    pub newest: (SimTime, Tid, u64),
    /// One of its runnable tasks runs.
    pub running: bool,
    /// The node of its first runnable task (in ID order) that has one.
    pub node: Option<String>,
}

/// What one node carries: the scheduler's counters, kept as tasks change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NodeLoad {
    /// Reserved nano-CPUs of the tasks assigned and not finished.
    pub cpus: i64,
    /// Reserved memory of the same tasks.
    pub memory: i64,
    /// Of those, the tasks that should run.
    pub active: usize,
    /// The same per service.
    pub by_service: BTreeMap<String, usize>,
    /// Host-mode published ports in use, with how many tasks publish each.
    pub ports: BTreeMap<(u16, String), usize>,
}

impl NodeLoad {
    fn is_empty(&self) -> bool {
        self.cpus == 0
            && self.memory == 0
            && self.active == 0
            && self.by_service.is_empty()
            && self.ports.is_empty()
    }
}

// Which indexes a task is in (a bit set, so a write touches only the indexes that change).
const LIVE: u16 = 1 << 0;
const ENDED: u16 = 1 << 1;
const NEW: u16 = 1 << 2;
const PENDING: u16 = 1 << 3;
const PENDING_GLOBAL: u16 = 1 << 4;
const DISPATCH: u16 = 1 << 5;
const GONE: u16 = 1 << 6;
const GONE_READY: u16 = 1 << 7;
const LOAD: u16 = 1 << 8;
const ACTIVE: u16 = 1 << 9;
const RUNNABLE: u16 = 1 << 10;
const REMOVABLE: u16 = 1 << 11;
const RUNNING: u16 = 1 << 12;
/// The indexes keyed by the task's node.
const BY_NODE: u16 = LIVE | GONE | LOAD | ACTIVE;

fn flags(t: &Task) -> u16 {
    let mut f = 0;
    let terminal = t.state.is_terminal();
    let should_run = t.desired <= TaskState::Complete;
    let node = t.node_id.is_some();
    if should_run && !terminal {
        f |= RUNNABLE;
        if t.state == TaskState::Running {
            f |= RUNNING;
        }
        if node {
            f |= LIVE;
        }
    }
    if should_run && terminal {
        f |= ENDED;
    }
    if should_run && t.state == TaskState::New {
        f |= NEW;
    }
    if should_run && t.state == TaskState::Pending {
        if t.slot == 0 && node {
            f |= PENDING_GLOBAL;
        } else if !node {
            f |= PENDING;
        }
    }
    if node && t.state >= TaskState::Assigned && !terminal {
        f |= LOAD;
        if should_run {
            f |= ACTIVE;
        }
        let wants_progress = t.desired > t.state && should_run && t.state < TaskState::Starting;
        if wants_progress || t.desired >= TaskState::Shutdown {
            f |= DISPATCH;
        }
    }
    if t.desired == TaskState::Remove {
        f |= GONE;
        if terminal || t.state < TaskState::Assigned {
            f |= GONE_READY;
        }
    }
    let removable = terminal || (t.state < TaskState::Assigned && t.desired > TaskState::Running);
    if removable && t.desired > TaskState::Running {
        f |= REMOVABLE;
    }
    f
}

/// The indexes (see the module's documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TaskIndex {
    /// Service ID → its tasks.
    pub by_service: BTreeMap<String, Tids>,
    /// (service ID, slot) → its tasks, current and history.
    pub by_slot: BTreeMap<(String, SlotKey), Tids>,
    /// Node ID → its runnable tasks.
    pub live_by_node: BTreeMap<String, Tids>,
    /// Tasks that should run and have ended.
    pub ended: Tids,
    /// New tasks that should run (for the allocator).
    pub new: Tids,
    /// Pending tasks without a node, per (service ID, spec version), in the scheduler's order
    /// (slot, creation, ID).
    pub pending: BTreeMap<(String, u64), BTreeSet<PendingKey>>,
    /// Pending global tasks (their node is chosen already).
    pub pending_global: Tids,
    /// Tasks an agent has work for (start them, or stop them) and no step pending.
    pub dispatch: Tids,
    /// Tasks with an agent step pending (`Event::Agent`).
    pub busy: Tids,
    /// Tasks marked for removal, per node ("" without one).
    pub gone_by_node: BTreeMap<String, Tids>,
    /// Tasks marked for removal that are finished or never ran.
    pub gone_ready: Tids,
    /// What each node carries.
    pub load: BTreeMap<String, NodeLoad>,
    /// Per service: runnable tasks per spec version.
    pub runnable_versions: BTreeMap<String, BTreeMap<u64, usize>>,
    /// Task addresses in use: network ID → address → how many tasks hold it.
    pub addresses: BTreeMap<String, BTreeMap<Ipv4Addr, usize>>,
    /// (service ID, slot) → the slot as the orchestrators see it (slots with a runnable task).
    pub current: BTreeMap<(String, SlotKey), SlotState>,
    /// (service ID, spec version) → the slots whose current task has that version.
    pub slots_by_version: BTreeMap<(String, u64), BTreeSet<SlotKey>>,
    /// Slots whose history changed since the reaper last looked.
    pub reap_dirty: BTreeSet<(String, SlotKey)>,
}

fn add_to(map: &mut BTreeMap<String, Tids>, key: &str, id: Tid) {
    match map.get_mut(key) {
        Some(set) => {
            set.insert(id);
        }
        None => {
            map.insert(key.to_string(), BTreeSet::from([id]));
        }
    }
}

fn remove_from(map: &mut BTreeMap<String, Tids>, key: &str, id: Tid) {
    if let Some(set) = map.get_mut(key) {
        set.remove(&id);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// [`add_to`] or [`remove_from`].
fn add_or_remove(map: &mut BTreeMap<String, Tids>, key: &str, id: Tid, add: bool) {
    if add {
        add_to(map, key, id);
    } else {
        remove_from(map, key, id);
    }
}

fn count(map: &mut BTreeMap<String, usize>, key: &str, add: bool) {
    if add {
        match map.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                map.insert(key.to_string(), 1);
            }
        }
    } else if let Some(n) = map.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl TaskIndex {
    /// Adds (`add`) or takes away the task's entries of the indexes in `which`.
    fn apply(&mut self, t: &Task, f: u16, which: u16, add: bool) {
        let id = Tid::new(&t.id);
        let node = t.node_id.as_deref();
        let set = |s: &mut Tids| {
            if add {
                s.insert(id);
            } else {
                s.remove(&id);
            }
        };
        if which & f & LIVE != 0 {
            if let Some(n) = node {
                add_or_remove(&mut self.live_by_node, n, id, add);
            }
        }
        if which & f & ENDED != 0 {
            set(&mut self.ended);
        }
        if which & f & NEW != 0 {
            set(&mut self.new);
        }
        if which & f & PENDING != 0 {
            let key = (t.service_id.clone(), t.spec_version);
            let entry = (t.slot, t.created_at, id);
            if add {
                self.pending.entry(key).or_default().insert(entry);
            } else if let Some(s) = self.pending.get_mut(&key) {
                s.remove(&entry);
                if s.is_empty() {
                    self.pending.remove(&key);
                }
            }
        }
        if which & f & PENDING_GLOBAL != 0 {
            set(&mut self.pending_global);
        }
        if which & f & DISPATCH != 0 && !self.busy.contains(&id) {
            set(&mut self.dispatch);
        }
        if which & f & GONE != 0 {
            add_or_remove(&mut self.gone_by_node, node.unwrap_or(""), id, add);
        }
        if which & f & GONE_READY != 0 {
            set(&mut self.gone_ready);
        }
        if which & f & (LOAD | ACTIVE) != 0 {
            if let Some(n) = node {
                self.load_apply(t, n, f & which, add);
            }
        }
        if which & f & RUNNABLE != 0 {
            let versions = self
                .runnable_versions
                .entry(t.service_id.clone())
                .or_default();
            if add {
                *versions.entry(t.spec_version).or_default() += 1;
            } else if let Some(c) = versions.get_mut(&t.spec_version) {
                *c -= 1;
                if *c == 0 {
                    versions.remove(&t.spec_version);
                }
            }
            if versions.is_empty() {
                self.runnable_versions.remove(&t.service_id);
            }
        }
    }

    fn load_apply(&mut self, t: &Task, node: &str, f: u16, add: bool) {
        if !self.load.contains_key(node) {
            self.load.insert(node.to_string(), NodeLoad::default());
        }
        let Some(l) = self.load.get_mut(node) else {
            return;
        };
        let sign = if add { 1 } else { -1 };
        if f & LOAD != 0 {
            l.cpus += sign * t.spec.resources.reserve_nano_cpus;
            l.memory += sign * t.spec.resources.reserve_memory;
            for p in t
                .spec
                .ports
                .iter()
                .filter(|p| p.mode == "host" && p.published != 0)
            {
                let key = (p.published, p.protocol.clone());
                if add {
                    *l.ports.entry(key).or_default() += 1;
                } else if let Some(c) = l.ports.get_mut(&key) {
                    *c -= 1;
                    if *c == 0 {
                        l.ports.remove(&key);
                    }
                }
            }
        }
        if f & ACTIVE != 0 {
            if add {
                l.active += 1;
            } else {
                l.active -= 1;
            }
            count(&mut l.by_service, &t.service_id, add);
        }
        if l.is_empty() {
            self.load.remove(node);
        }
    }

    fn addresses_apply(&mut self, addresses: &[(String, Ipv4Addr)], add: bool) {
        for (net, addr) in addresses {
            if add {
                if !self.addresses.contains_key(net) {
                    self.addresses.insert(net.clone(), BTreeMap::new());
                }
                if let Some(m) = self.addresses.get_mut(net) {
                    *m.entry(*addr).or_default() += 1;
                }
            } else if let Some(m) = self.addresses.get_mut(net) {
                if let Some(c) = m.get_mut(addr) {
                    *c -= 1;
                    if *c == 0 {
                        m.remove(addr);
                    }
                }
                if m.is_empty() {
                    self.addresses.remove(net);
                }
            }
        }
    }

    fn mark_slot(&mut self, t: &Task) {
        self.reap_dirty.insert((t.service_id.clone(), slot_key(t)));
    }

    fn add_task(&mut self, t: &Task, f: u16) {
        add_to(&mut self.by_service, &t.service_id, Tid::new(&t.id));
        self.by_slot
            .entry((t.service_id.clone(), slot_key(t)))
            .or_default()
            .insert(Tid::new(&t.id));
        self.apply(t, f, u16::MAX, true);
        self.addresses_apply(&t.addresses, true);
        self.mark_slot(t);
    }

    fn remove_task(&mut self, t: &Task, f: u16) {
        remove_from(&mut self.by_service, &t.service_id, Tid::new(&t.id));
        let key = (t.service_id.clone(), slot_key(t));
        if let Some(s) = self.by_slot.get_mut(&key) {
            s.remove(&Tid::new(&t.id));
            if s.is_empty() {
                self.by_slot.remove(&key);
            }
        }
        self.apply(t, f, u16::MAX, false);
        self.addresses_apply(&t.addresses, false);
        self.mark_slot(t);
    }
}

/// The tasks of a cluster, by ID, with their indexes. Reads deref to the map.
#[derive(Clone, Debug, Default)]
pub struct TaskStore {
    map: BTreeMap<String, Task>,
    ix: TaskIndex,
}

impl Deref for TaskStore {
    type Target = BTreeMap<String, Task>;

    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl TaskStore {
    pub(crate) fn index(&self) -> &TaskIndex {
        &self.ix
    }

    pub(crate) fn index_mut(&mut self) -> &mut TaskIndex {
        &mut self.ix
    }

    /// Adds (or replaces) a task.
    pub(crate) fn insert(&mut self, t: Task) {
        self.remove(&t.id);
        self.ix.add_task(&t, flags(&t));
        let key = (t.service_id.clone(), slot_key(&t));
        self.map.insert(t.id.clone(), t);
        self.recompute_slot(key);
    }

    /// Removes a task.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Task> {
        let t = self.map.remove(id)?;
        self.ix.remove_task(&t, flags(&t));
        self.ix.busy.remove(&Tid::new(id));
        self.recompute_slot((t.service_id.clone(), slot_key(&t)));
        Some(t)
    }

    /// Marks a task's agent step as pending or done; false when that changes nothing. A
    /// task with a step pending is not in the dispatcher's list.
    pub(crate) fn set_busy(&mut self, id: &str, busy: bool) -> bool {
        let tid = Tid::new(id);
        if busy {
            if !self.ix.busy.insert(tid) {
                return false;
            }
            self.ix.dispatch.remove(&tid);
        } else {
            if !self.ix.busy.remove(&tid) {
                return false;
            }
            if self.map.get(id).is_some_and(|t| flags(t) & DISPATCH != 0) {
                self.ix.dispatch.insert(tid);
            }
        }
        true
    }

    /// Changes a task with `f` and brings the indexes up to date; `None` if there is no such
    /// task. `f` must not change the task's ID, service, slot, node, spec or addresses.
    pub(crate) fn update<R>(&mut self, id: &str, f: impl FnOnce(&mut Task) -> R) -> Option<R> {
        self.update_on(id, None, f)
    }

    /// [`TaskStore::update`] that also puts the task on `node` (the scheduler's assignment).
    pub(crate) fn update_on<R>(
        &mut self,
        id: &str,
        node: Option<String>,
        f: impl FnOnce(&mut Task) -> R,
    ) -> Option<R> {
        let t = self.map.get_mut(id)?;
        let before = flags(t);
        let desired = t.desired;
        let node = node.filter(|n| t.node_id.as_ref() != Some(n));
        let moved = node.is_some();
        let old_node = match node {
            Some(n) => t.node_id.replace(n),
            None => None,
        };
        let r = f(t);
        let after = flags(t);
        let changed = before ^ after;
        let mut slots = Vec::new();
        if moved {
            // The entries keyed by the node move too.
            let new_node = std::mem::replace(&mut t.node_id, old_node);
            let global = t.slot == 0;
            if global {
                slots.push((t.service_id.clone(), slot_key(t)));
                self.ix.remove_task(t, before);
            } else {
                self.ix.apply(t, before, changed | BY_NODE, false);
            }
            t.node_id = new_node;
            if global {
                self.ix.add_task(t, after);
            } else {
                self.ix.apply(t, after, changed | BY_NODE, true);
            }
        } else if changed != 0 {
            self.ix.apply(t, before, changed, false);
            self.ix.apply(t, after, changed, true);
        }
        if changed & (REMOVABLE | GONE) != 0 || desired != t.desired {
            self.ix.mark_slot(t);
        }
        if moved || changed & (RUNNABLE | RUNNING) != 0 {
            slots.push((t.service_id.clone(), slot_key(t)));
        }
        for key in slots {
            self.recompute_slot(key);
        }
        Some(r)
    }

    /// Finds the current task of a slot again (its newest runnable one; on equal creation
    /// times the later ID) and files the slot under that task's spec version.
    fn recompute_slot(&mut self, key: (String, SlotKey)) {
        let mut state: Option<SlotState> = None;
        for t in self
            .ix
            .by_slot
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(|id| self.map.get(id.as_str()))
            .filter(|t| t.is_runnable())
        {
            let me = (t.created_at, Tid::new(&t.id), t.spec_version);
            let st = state.get_or_insert(SlotState {
                newest: me,
                running: false,
                node: None,
            });
            if (me.0, me.1) >= (st.newest.0, st.newest.1) {
                st.newest = me;
            }
            st.running |= t.state == TaskState::Running;
            if st.node.is_none() {
                st.node.clone_from(&t.node_id);
            }
        }
        let version = state.as_ref().map(|s| s.newest.2);
        let old = match state {
            Some(st) => self.ix.current.insert(key.clone(), st),
            None => self.ix.current.remove(&key),
        };
        if old.as_ref().map(|o| o.newest.2) == version {
            return;
        }
        let (service, slot) = key;
        if let Some(v) = old.map(|o| o.newest.2) {
            let k = (service.clone(), v);
            if let Some(set) = self.ix.slots_by_version.get_mut(&k) {
                set.remove(&slot);
                if set.is_empty() {
                    self.ix.slots_by_version.remove(&k);
                }
            }
        }
        if let Some(v) = version {
            self.ix
                .slots_by_version
                .entry((service, v))
                .or_default()
                .insert(slot);
        }
    }

    /// Gives a task its network addresses.
    pub(crate) fn set_addresses(&mut self, id: &str, addresses: Vec<(String, Ipv4Addr)>) {
        let Some(t) = self.map.get_mut(id) else {
            return;
        };
        self.ix.addresses_apply(&t.addresses, false);
        t.addresses = addresses;
        self.ix.addresses_apply(&t.addresses, true);
    }

    /// The tasks of a service, in ID order.
    pub(crate) fn of_service<'a>(&'a self, service_id: &str) -> impl Iterator<Item = &'a Task> {
        let ids = self.ix.by_service.get(service_id);
        let few = ids.is_some_and(|s| s.len() * 8 < self.map.len());
        let service = service_id.to_string();
        // An index lookup per task costs more than a step of a scan: look the tasks up only
        // when they are a small part of the table.
        let indexed = ids
            .filter(|_| few)
            .into_iter()
            .flatten()
            .filter_map(|id| self.map.get(id.as_str()));
        let scanned = (!few && ids.is_some())
            .then(|| self.map.values())
            .into_iter()
            .flatten()
            .filter(move |t| t.service_id == service);
        indexed.chain(scanned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::ServiceSpec;
    use std::sync::Arc;

    fn task(id: &str, service: &str, slot: u64, created: u64) -> Task {
        Task {
            id: id.into(),
            service_id: service.into(),
            slot,
            node_id: (slot == 0).then(|| format!("n{}", created % 3)),
            spec: Arc::new(ServiceSpec::new("web", "nginx:alpine")),
            spec_version: created % 2,
            desired: TaskState::Running,
            state: TaskState::New,
            timestamp: SimTime::ZERO,
            message: String::new(),
            err: String::new(),
            exit_code: None,
            container_id: None,
            created_at: SimTime::from_millis(created),
            updated_at: SimTime::ZERO,
            version: 0,
            job_iteration: 0,
            running_since: None,
            addresses: Vec::new(),
            port_status: Vec::new(),
        }
    }

    /// The indexes a table would have if its tasks were inserted afresh.
    fn rebuilt(store: &TaskStore) -> TaskIndex {
        let mut fresh = TaskStore::default();
        for t in store.values() {
            fresh.insert(t.clone());
        }
        let mut ix = fresh.ix;
        ix.reap_dirty.clone_from(&store.ix.reap_dirty);
        for id in &store.ix.busy {
            ix.busy.insert(*id);
            ix.dispatch.remove(id);
        }
        ix
    }

    #[test]
    fn indexes_stay_what_a_rebuild_gives() {
        // A fixed pseudo-random walk over every kind of write.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let states = [
            TaskState::New,
            TaskState::Pending,
            TaskState::Assigned,
            TaskState::Accepted,
            TaskState::Running,
            TaskState::Complete,
            TaskState::Failed,
            TaskState::Shutdown,
        ];
        let desired = [
            TaskState::Ready,
            TaskState::Running,
            TaskState::Shutdown,
            TaskState::Remove,
        ];
        let mut store = TaskStore::default();
        for step in 0..2_000u64 {
            let id = format!("t{:02}", next(40));
            match next(6) {
                0 => store.insert(task(&id, &format!("s{}", next(3)), next(4), step)),
                1 => {
                    store.remove(&id);
                }
                2 => {
                    let st = states[next(states.len() as u64) as usize];
                    store.update(&id, |t| t.state = st);
                }
                3 => {
                    let d = desired[next(desired.len() as u64) as usize];
                    store.update(&id, |t| t.desired = d);
                }
                4 => {
                    let node = format!("n{}", next(3));
                    store.update_on(&id, Some(node), |t| t.state = TaskState::Assigned);
                }
                _ => {
                    store.set_busy(&id, next(2) == 0);
                }
            }
            assert_eq!(store.ix, rebuilt(&store), "after step {step}");
        }
        assert!(!store.is_empty() && !store.ix.load.is_empty());
    }

    #[test]
    fn task_ids_keep_their_order_inline() {
        let mut ids = ["b", "ab", "a", "abc", "0zz"].map(Tid::new);
        ids.sort();
        let back: Vec<&str> = ids.iter().map(Tid::as_str).collect();
        assert_eq!(back, ["0zz", "a", "ab", "abc", "b"]);
    }
}
