//! Taking a [`ClusterView`] a slice at a time.
//!
//! The picture of a cluster of 30,000 tasks needs one look at every task (which node runs it,
//! whether it still holds its slot, whether it is among the first chips of its card). That
//! pass is what costs: tens of milliseconds in the browser. A [`PictureBuilder`] makes it in
//! chunks of tasks in ID order and stops between chunks when its caller's budget says so; the
//! next call goes on after the last task it looked at (a B-tree range, valid however the
//! world changed meanwhile). What a chunk keeps is owned (counts, and the order keys of the
//! few tasks that get a chip), so nothing borrows the world between calls. The last call puts
//! the picture together from the world as it is then: nodes, services and managers, and the
//! kept tasks looked up again by ID.
//!
//! A picture taken in slices while the world moves is a picture of several instants: a task
//! that changed meanwhile shows as it is at the end, one that was looked at before it
//! started or ended is counted as it was. The page takes the next picture when the world's
//! generation moved, so this lasts one picture. Taken in one call (nothing else happens in
//! between), it is exactly [`ClusterView::filtered`].

use std::collections::BTreeMap;
use std::ops::Bound;
use std::rc::Rc;

use swarm_core::{MachineId, Mode, Power, Reachability, SimTime, Task, TaskState, World};

use super::{
    strip_digest, task_view, ClusterView, MachineView, ManagerView, Membership, NodeView, RaftRole,
    ServiceView, SwarmView, TaskFilter, RECENTLY_ENDED,
};

/// How many tasks a slice looks at between two questions to the budget.
const CHUNK: usize = 256;

/// A picture being taken: see the module's documentation.
pub struct PictureBuilder {
    filter: TaskFilter,
    /// One pass per cluster some machine belonged to at the start, in the world's order.
    sweeps: Option<Vec<Sweep>>,
    fades_at: Option<SimTime>,
}

/// The pass over one cluster's tasks.
struct Sweep {
    /// The cluster's index in the world.
    cluster: usize,
    /// Node IDs (as at the start) to their place in hostname order.
    index: NodeIndex,
    /// Per node in hostname order: its first tasks that pass the filter, and its tasks that
    /// hold a slot.
    per_node: Vec<(FirstFew, usize)>,
    pending: FirstFew,
    /// Running tasks per service ID.
    running: BTreeMap<String, usize>,
    /// The last task looked at.
    after: Option<String>,
    done: bool,
}

impl PictureBuilder {
    /// A picture to take with `filter`.
    pub fn new(filter: TaskFilter) -> Self {
        PictureBuilder {
            filter,
            sweeps: None,
            fades_at: None,
        }
    }

    /// The filter the picture is taken with.
    pub fn filter(&self) -> &TaskFilter {
        &self.filter
    }

    /// Goes on with the picture of `w`: looks at tasks until `over_budget` says so (asked
    /// after each chunk; at least one chunk per call), and returns the picture once every
    /// task was looked at.
    pub fn step(
        &mut self,
        w: &World,
        over_budget: &mut dyn FnMut() -> bool,
    ) -> Option<ClusterView> {
        let filter = &self.filter;
        let sweeps = self.sweeps.get_or_insert_with(|| start(w, filter));
        let now = w.now();
        for sweep in sweeps.iter_mut().filter(|s| !s.done) {
            let Some(s) = w.swarm(sweep.cluster) else {
                sweep.done = true;
                continue;
            };
            loop {
                let from = match &sweep.after {
                    Some(id) => Bound::Excluded(id.as_str()),
                    None => Bound::Unbounded,
                };
                let mut seen = 0;
                let mut last = None;
                for (id, t) in s
                    .tasks
                    .range::<str, _>((from, Bound::Unbounded))
                    .take(CHUNK)
                {
                    sweep.look_at(t, now, filter, &mut self.fades_at);
                    last = Some(id);
                    seen += 1;
                }
                if let Some(id) = last {
                    sweep.after = Some(id.clone());
                }
                if seen < CHUNK {
                    sweep.done = true;
                    break;
                }
                if over_budget() {
                    return None;
                }
            }
        }
        Some(self.finish(w))
    }

    /// The picture from what the passes kept and the world as it is now.
    fn finish(&mut self, w: &World) -> ClusterView {
        let sweeps = self.sweeps.take().unwrap_or_default();
        // Clusters: their index in the world → in the picture.
        let mut index: BTreeMap<usize, usize> = BTreeMap::new();
        let mut clusters = Vec::new();
        let mut places: Vec<BTreeMap<&str, Membership>> = Vec::new();
        for sweep in sweeps {
            if let Some(s) = w.swarm(sweep.cluster) {
                index.insert(sweep.cluster, clusters.len());
                let (view, p) = sweep.picture(w, s, &self.filter);
                clusters.push(view);
                places.push(p);
            }
        }
        let machines = w
            .machines()
            .iter()
            .map(|m| {
                let swarm = w.membership(m.id).and_then(|ms| {
                    let cluster = *index.get(&ms.cluster)?;
                    let place = places.get(cluster)?.get(ms.node_id.as_str())?;
                    Some(Membership {
                        cluster,
                        ..place.clone()
                    })
                });
                MachineView {
                    name: m.hostname.clone(),
                    ip: m.ip,
                    power: m.power,
                    locked: w.is_locked(m.id),
                    swarm,
                }
            })
            .collect();
        ClusterView {
            machines,
            clusters,
            fades_at: self.fades_at.take(),
        }
    }
}

/// The passes to make: one per cluster some machine belongs to.
fn start(w: &World, filter: &TaskFilter) -> Vec<Sweep> {
    let mut clusters: Vec<usize> = w
        .machines()
        .iter()
        .filter_map(|m| w.membership(m.id).map(|ms| ms.cluster))
        .collect();
    swarm_core::sort::sort(&mut clusters);
    clusters.dedup();
    clusters
        .into_iter()
        .filter_map(|cluster| {
            let s = w.swarm(cluster)?;
            let order = by_hostname(s);
            let cards = order.len().min(filter.nodes);
            let cap = filter.chips_per_node(cards);
            Some(Sweep {
                cluster,
                index: NodeIndex::new(order.iter().map(|n| n.id.as_str())),
                per_node: (0..order.len())
                    .map(|i| (FirstFew::new(if i < cards { cap } else { 0 }), 0))
                    .collect(),
                pending: FirstFew::new(filter.pending),
                running: BTreeMap::new(),
                after: None,
                done: false,
            })
        })
        .collect()
}

/// A cluster's nodes by hostname (then ID): the first ones get a card.
fn by_hostname(s: &swarm_core::Swarm) -> Vec<&swarm_core::Node> {
    let mut order: Vec<&swarm_core::Node> = s.nodes.values().collect();
    swarm_core::sort::sort_by(&mut order, |a, b| {
        (&a.hostname, &a.id).cmp(&(&b.hostname, &b.id))
    });
    order
}

impl Sweep {
    /// Counts `t` and keeps its order key if it is among the first of its list.
    fn look_at(
        &mut self,
        t: &Task,
        now: SimTime,
        filter: &TaskFilter,
        fades_at: &mut Option<SimTime>,
    ) {
        if t.state == TaskState::Running && t.desired == TaskState::Running {
            match self.running.get_mut(t.service_id.as_str()) {
                Some(n) => *n += 1,
                None => {
                    self.running.insert(t.service_id.clone(), 1);
                }
            }
        }
        if t.state <= TaskState::Pending {
            if t.desired <= TaskState::Complete && filter.service_shows(t) {
                self.pending.push(t);
            }
            return;
        }
        let Some(node) = t.node_id.as_deref() else {
            return;
        };
        let ended = t.state.is_terminal();
        let recent = ended && now.saturating_since(t.timestamp) < RECENTLY_ENDED;
        if ended && !recent {
            return;
        }
        let Some((shown, slots)) = self.index.get(node).and_then(|i| self.per_node.get_mut(i))
        else {
            return;
        };
        if !ended && t.desired <= TaskState::Complete {
            *slots += 1;
        }
        if filter.shows(t) {
            shown.push(t);
            if recent {
                let leaves = t.timestamp + RECENTLY_ENDED;
                *fades_at = Some(fades_at.map_or(leaves, |f: SimTime| f.min(leaves)));
            }
        }
    }

    /// The cluster's picture, and the place of each of its nodes (by node ID) for the
    /// sidebar.
    fn picture<'w>(
        self,
        w: &'w World,
        s: &'w swarm_core::Swarm,
        filter: &TaskFilter,
    ) -> (SwarmView, BTreeMap<&'w str, Membership>) {
        let power = |m: MachineId| w.machine(m).map_or(Power::Off, |m| m.power);
        let views = |few: &FirstFew| -> Vec<super::TaskView> {
            few.items
                .iter()
                .filter_map(|k| s.tasks.get(k.id.as_str()))
                .map(|t| task_view(w, s, t))
                .collect()
        };
        let order = by_hostname(s);
        let cards = order.len().min(filter.nodes);
        let empty = (FirstFew::new(0), 0);
        let mut places = BTreeMap::new();
        let mut nodes: Vec<Rc<NodeView>> = Vec::with_capacity(cards);
        for (i, n) in order.iter().enumerate() {
            let (shown, slots) = self
                .index
                .get(&n.id)
                .and_then(|at| self.per_node.get(at))
                .unwrap_or(&empty);
            let reachability = s.reachability(n);
            let leader = reachability == Some(Reachability::Leader);
            places.insert(
                n.id.as_str(),
                Membership {
                    cluster: 0,
                    role: n.role,
                    leader,
                    status: n.state,
                    availability: n.availability,
                    tasks: *slots,
                },
            );
            if i >= cards {
                continue;
            }
            let tasks = views(shown);
            nodes.push(Rc::new(NodeView {
                id: n.id.clone(),
                hostname: n.hostname.clone(),
                addr: n.addr,
                power: power(n.machine),
                locked: w.is_locked(n.machine),
                role: n.role,
                reachability,
                leader,
                status: n.state,
                availability: n.availability,
                labels: n
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                more: shown.seen - shown.items.len(),
                tasks,
                slots: *slots,
            }));
        }
        let pending = views(&self.pending);
        let pending_more = self.pending.seen - self.pending.items.len();
        let mut services: Vec<ServiceView> = s
            .services
            .values()
            .map(|x| ServiceView {
                id: x.id.clone(),
                name: x.spec.name.clone(),
                mode: x.spec.mode.display(),
                replicas: match x.spec.mode {
                    Mode::Replicated { replicas } => Some(replicas),
                    _ => None,
                },
                running: self.running.get(x.id.as_str()).copied().unwrap_or(0),
                image: strip_digest(&x.spec.image).to_string(),
            })
            .collect();
        swarm_core::sort::sort_by(&mut services, |a, b| {
            (&a.name, &a.id).cmp(&(&b.name, &b.id))
        });
        let mut managers: Vec<ManagerView> = s
            .raft_members()
            .into_iter()
            .filter_map(|(m, raft_id)| {
                let (term, commit, leader_id) = s.raft_status(m)?;
                let hostname = w.machine(m)?.hostname.clone();
                let role = if leader_id == raft_id {
                    RaftRole::Leader
                } else if leader_id == 0 {
                    RaftRole::NoLeader
                } else {
                    RaftRole::Follower
                };
                Some(ManagerView {
                    hostname,
                    power: power(m),
                    raft_id,
                    role,
                    term,
                    commit,
                    leader_id,
                })
            })
            .collect();
        swarm_core::sort::sort_by(&mut managers, |a, b| {
            (&a.hostname, a.raft_id).cmp(&(&b.hostname, b.raft_id))
        });
        let view = SwarmView {
            id: s.id.clone(),
            has_leader: s.leader().is_some(),
            nodes_more: order.len() - cards,
            nodes,
            services,
            pending,
            pending_more,
            managers,
        };
        (view, places)
    }
}

/// Node IDs to their place: FNV-1a and linear probing, so that finding a task's node costs
/// one hash and about one comparison (a B-tree walk compares a dozen IDs, for each of tens of
/// thousands of tasks). The hash is fixed and the table's order never reaches the picture.
struct NodeIndex {
    slots: Vec<Option<(String, usize)>>,
}

impl NodeIndex {
    fn new<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let size = (ids.len() * 2).next_power_of_two().max(2);
        let mut index = NodeIndex {
            slots: vec![None; size],
        };
        for (i, id) in ids.enumerate() {
            let mut at = index.home(id);
            while index.slots[at].is_some() {
                at = (at + 1) & (size - 1);
            }
            index.slots[at] = Some((id.to_string(), i));
        }
        index
    }

    fn home(&self, id: &str) -> usize {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        (h as usize) & (self.slots.len() - 1)
    }

    fn get(&self, id: &str) -> Option<usize> {
        let mut at = self.home(id);
        // The table is at most half full: a free slot ends every search.
        while let Some((key, i)) = &self.slots[at] {
            if key == id {
                return Some(*i);
            }
            at = (at + 1) & (self.slots.len() - 1);
        }
        None
    }
}

/// What a task's place in the picture depends on: those that have not ended first, then by
/// service name, slot and ID (which finds the task again).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    ended: bool,
    name: String,
    slot: u64,
    id: String,
}

impl Key {
    fn of(t: &Task) -> Key {
        Key {
            ended: t.state.is_terminal(),
            name: t.spec.name.clone(),
            slot: t.slot,
            id: t.id.clone(),
        }
    }

    /// `t`'s key compared with this one, without making it.
    fn before(&self, t: &Task) -> bool {
        (
            t.state.is_terminal(),
            t.spec.name.as_str(),
            t.slot,
            t.id.as_str(),
        ) < (self.ended, self.name.as_str(), self.slot, self.id.as_str())
    }
}

/// The first `k` keys of the tasks pushed, in order, and how many were pushed: what a full
/// sort then `take(k)` gives, keeping at most `k`.
struct FirstFew {
    k: usize,
    items: Vec<Key>,
    seen: usize,
}

impl FirstFew {
    fn new(k: usize) -> Self {
        FirstFew {
            k,
            items: Vec::new(),
            seen: 0,
        }
    }

    fn push(&mut self, t: &Task) {
        self.seen += 1;
        if self.items.len() >= self.k {
            match self.items.last() {
                Some(last) if last.before(t) => {
                    self.items.pop();
                }
                _ => return,
            }
        }
        let key = Key::of(t);
        let at = self.items.partition_point(|x| *x <= key);
        self.items.insert(at, key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Playground};
    use swarm_core::SimDuration;

    fn busy_cluster() -> Playground {
        let mut pg = Playground::new(&Options {
            template: Some("1m2w".into()),
            ..Options::default()
        })
        .unwrap();
        for line in [
            "docker service create -d -q --name web --replicas 700 nginx",
            "docker service create -d -q --name api --replicas 5 redis",
            "docker service create -d -q --name stuck --replicas 40 --constraint node.labels.zone==mars redis",
        ] {
            pg.submit("node1", line);
            assert!(pg.run_until_idle("node1", SimDuration::from_secs(60)));
        }
        pg.advance(SimDuration::from_secs(30));
        pg
    }

    /// Takes the picture with a budget that is always over: one chunk per call.
    fn in_slices(pg: &Playground, filter: &TaskFilter) -> (ClusterView, usize) {
        let mut b = PictureBuilder::new(filter.clone());
        let mut calls = 1;
        loop {
            if let Some(p) = pg.picture_step(&mut b, &mut || true) {
                return (p, calls);
            }
            calls += 1;
            assert!(calls < 100, "it ends");
        }
    }

    #[test]
    fn slices_of_a_still_world_make_the_same_picture() {
        let pg = busy_cluster();
        let filters = [
            TaskFilter::default(),
            TaskFilter {
                service: Some("api".into()),
                ..TaskFilter::default()
            },
            TaskFilter {
                only_running: true,
                nodes: 2,
                in_all: 7,
                ..TaskFilter::default()
            },
        ];
        for f in &filters {
            let whole = pg.cluster_view_with(f);
            let (sliced, calls) = in_slices(&pg, f);
            // 745 tasks in chunks of 256.
            assert_eq!(calls, 3, "{f:?}");
            assert_eq!(sliced, whole, "{f:?}");
        }
        let whole = pg.cluster_view();
        let c = &whole.clusters[0];
        let slots: usize = c.nodes.iter().map(|n| n.slots).sum();
        assert_eq!(slots, 705);
        assert_eq!(c.pending.len() + c.pending_more, 40);
        let web = c.services.iter().find(|s| s.name == "web").unwrap();
        assert_eq!(web.running, 700);
    }

    #[test]
    fn a_picture_taken_while_the_world_moves_ends_and_counts_each_task_once() {
        let mut pg = busy_cluster();
        let mut b = PictureBuilder::new(TaskFilter::default());
        assert!(pg.picture_step(&mut b, &mut || true).is_none());
        // Meanwhile the web service shrinks: tasks after the first chunk are gone or leaving.
        pg.submit("node1", "docker service scale -d web=100");
        pg.advance(SimDuration::from_secs(1));
        let mut picture = None;
        for _ in 0..10 {
            picture = pg.picture_step(&mut b, &mut || true);
            if picture.is_some() {
                break;
            }
        }
        let picture = picture.expect("it ends");
        let c = &picture.clusters[0];
        let slots: usize = c.nodes.iter().map(|n| n.slots).sum();
        assert!((105..=705).contains(&slots), "{slots}");
        // Each node's chips are tasks that exist now, and the next picture is whole again.
        let tasks: usize = c.nodes.iter().map(|n| n.tasks.len() + n.more).sum();
        assert!(tasks <= 705 + 600, "{tasks}");
        pg.advance(SimDuration::from_secs(30));
        let (again, _) = in_slices(&pg, &TaskFilter::default());
        assert_eq!(again, pg.cluster_view());
        let slots: usize = again.clusters[0].nodes.iter().map(|n| n.slots).sum();
        assert_eq!(slots, 105);
    }
}
