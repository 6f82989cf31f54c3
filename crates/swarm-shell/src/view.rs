//! A read-only picture of the playground for the page: machines, clusters, nodes and their
//! tasks, pending tasks with the scheduler's reason, and each manager's Raft facts.
//!
//! [`ClusterView::of`] derives it from the [`World`] in one place, so the page never reads the
//! world itself. Everything is in a deterministic order (machines as they were added, nodes by
//! hostname, tasks by service name, slot and ID), and the picture holds no times: two pictures
//! of an unchanged cluster compare equal, which is how the page knows it need not re-render.
//!
//! The picture is bounded whatever the cluster's size: a [`TaskFilter`] chooses the tasks
//! shown (one service's, running ones only) and how many chips a node card and the pending
//! list show; the rest are counted, not built. Building it is one pass over the tasks that
//! makes no text for a task it does not show. Nodes are shared (`Rc`), so the page can keep
//! the nodes of its last picture that did not change ([`ClusterView::share`]) and skip them.
//!
//! [`Fault`] is a one-click fault (power a machine off or on, crash a task's container) as the
//! command the terminal accepts; [`Playground::inject_fault`] types it into a terminal, so it
//! shows in that terminal's scrollback and history like anything the user typed.

use std::net::Ipv4Addr;
use std::rc::Rc;

use swarm_core::container::HealthStatus;
use swarm_core::{
    Availability, NodeState, Power, Reachability, Role, SimDuration, SimTime, Task, TaskState,
    World,
};

use crate::Playground;

pub mod browser;
pub mod picture;
pub mod quorum;
pub mod traffic;

pub use picture::PictureBuilder;

/// How long a task that stopped stays in the picture (so the page can show it leaving).
pub const RECENTLY_ENDED: SimDuration = SimDuration::from_secs(5);

/// The most task chips a node card shows (the others are counted: "+K more").
pub const CHIPS_PER_NODE: usize = 24;
/// The most task chips a picture shows in all: with many nodes each card shows fewer, down to
/// [`MIN_CHIPS_PER_NODE`].
pub const CHIPS_IN_ALL: usize = 300;
/// The fewest chips a node card shows when it has them, however many nodes there are.
pub const MIN_CHIPS_PER_NODE: usize = 3;
/// The most pending tasks a cluster lists.
pub const PENDING_SHOWN: usize = 24;
/// The most node cards a cluster shows at first (the page offers more, this many at a time).
pub const NODES_SHOWN: usize = 50;

/// Which tasks the picture shows, and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskFilter {
    /// Only this service's tasks (chips and pending tasks), by name.
    pub service: Option<String>,
    /// Only running tasks (chips).
    pub only_running: bool,
    /// The most chips per node card.
    pub per_node: usize,
    /// The most chips in the whole picture (see [`CHIPS_IN_ALL`]).
    pub in_all: usize,
    /// The most pending tasks per cluster.
    pub pending: usize,
    /// The most node cards per cluster (the first by hostname; the rest are counted).
    pub nodes: usize,
}

impl Default for TaskFilter {
    fn default() -> Self {
        TaskFilter {
            service: None,
            only_running: false,
            per_node: CHIPS_PER_NODE,
            in_all: CHIPS_IN_ALL,
            pending: PENDING_SHOWN,
            nodes: NODES_SHOWN,
        }
    }
}

impl TaskFilter {
    /// True if the service filter lets `t` through.
    fn service_shows(&self, t: &Task) -> bool {
        self.service.as_deref().is_none_or(|s| s == t.spec.name)
    }

    /// True if a chip for `t` passes the filter.
    fn shows(&self, t: &Task) -> bool {
        self.service_shows(t) && (!self.only_running || t.state == TaskState::Running)
    }

    /// The most chips each of `nodes` node cards shows (`in_all` shared among them).
    fn chips_per_node(&self, nodes: usize) -> usize {
        (self.in_all / nodes.max(1))
            .max(MIN_CHIPS_PER_NODE)
            .min(self.per_node)
    }
}

/// The whole picture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterView {
    /// Every machine, in the order they were added.
    pub machines: Vec<MachineView>,
    /// The clusters some machine belongs to, oldest first.
    pub clusters: Vec<SwarmView>,
    /// When the first task that ended recently (and passes the filter) leaves the picture:
    /// the picture is worth taking again then even if the world recorded nothing.
    pub fades_at: Option<SimTime>,
}

/// One machine, as the sidebar shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineView {
    /// Hostname.
    pub name: String,
    /// LAN address.
    pub ip: Ipv4Addr,
    /// Power state.
    pub power: Power,
    /// A manager that restarted with autolock on and waits for `docker swarm unlock`.
    pub locked: bool,
    /// Its place in a cluster, if it is in one.
    pub swarm: Option<Membership>,
}

/// A machine's place in its cluster, as the cluster's store records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    /// Index into [`ClusterView::clusters`].
    pub cluster: usize,
    /// Manager or worker.
    pub role: Role,
    /// True for the Raft leader.
    pub leader: bool,
    /// Ready, down or unknown.
    pub status: NodeState,
    /// Active, pause or drain.
    pub availability: Availability,
    /// Tasks assigned to it that are meant to run and have not ended.
    pub tasks: usize,
}

/// One cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwarmView {
    /// The cluster ID.
    pub id: String,
    /// True while some manager leads.
    pub has_leader: bool,
    /// Its nodes, by hostname (the first [`TaskFilter::nodes`]).
    pub nodes: Vec<Rc<NodeView>>,
    /// Nodes without a card.
    pub nodes_more: usize,
    /// Its services, by name.
    pub services: Vec<ServiceView>,
    /// Tasks waiting for a node, with the scheduler's reason (the first of those that pass
    /// the service filter).
    pub pending: Vec<TaskView>,
    /// Pending tasks that pass the filter but are not listed.
    pub pending_more: usize,
    /// The members holding Raft state, by hostname.
    pub managers: Vec<ManagerView>,
}

/// One node and its tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Node ID.
    pub id: String,
    /// Hostname in the store.
    pub hostname: String,
    /// Address it joined with.
    pub addr: Ipv4Addr,
    /// Power of its machine.
    pub power: Power,
    /// Its machine is a manager locked since its restart (autolock).
    pub locked: bool,
    /// Manager or worker.
    pub role: Role,
    /// `MANAGER STATUS` (managers only).
    pub reachability: Option<Reachability>,
    /// True for the Raft leader.
    pub leader: bool,
    /// Ready, down or unknown.
    pub status: NodeState,
    /// Active, pause or drain.
    pub availability: Availability,
    /// Node labels, by key.
    pub labels: Vec<(String, String)>,
    /// Its tasks that have not ended, then those that ended within [`RECENTLY_ENDED`], each
    /// group by service name, slot and ID: the first of those that pass the filter.
    pub tasks: Vec<TaskView>,
    /// Tasks that pass the filter but have no chip ("+K more").
    pub more: usize,
    /// Tasks meant to run that have not ended, whatever the filter.
    pub slots: usize,
}

impl NodeView {
    /// Tasks meant to run that have not ended (what the sidebar counts).
    pub fn task_count(&self) -> usize {
        self.slots
    }
}

/// One task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskView {
    /// Full task ID.
    pub id: String,
    /// The first 12 characters, as `docker service ps` shows it.
    pub short_id: String,
    /// The service's name.
    pub service: String,
    /// Slot (0 for global tasks).
    pub slot: u64,
    /// `web.2`, or `web` for a global task.
    pub label: String,
    /// Desired state.
    pub desired: TaskState,
    /// Observed state.
    pub state: TaskState,
    /// The container's health, if it has a health check.
    pub health: Option<HealthStatus>,
    /// The image without its digest (`nginx:latest`).
    pub image: String,
    /// The image's tag (`latest` when none is given).
    pub tag: String,
    /// The node's hostname, if assigned.
    pub node: Option<String>,
    /// The container's name, once it exists (`web.2.<task ID>`).
    pub container: Option<String>,
    /// The ERROR column of `docker service ps` (for a pending task: why it waits).
    pub error: String,
}

impl TaskView {
    /// Meant to run (or complete) and not ended.
    pub fn holds_slot(&self) -> bool {
        self.desired <= TaskState::Complete && !self.state.is_terminal()
    }

    /// The observed state is final.
    pub fn ended(&self) -> bool {
        self.state.is_terminal()
    }
}

/// One service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceView {
    /// Service ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// `replicated`, `global`, `replicated job`, `global job`.
    pub mode: &'static str,
    /// Desired replicas (replicated services).
    pub replicas: Option<u64>,
    /// Tasks running now.
    pub running: usize,
    /// The image without its digest.
    pub image: String,
}

/// A manager's Raft role, as its own member sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftRole {
    /// It leads.
    Leader,
    /// It follows a leader it knows.
    Follower,
    /// It knows no leader (an election is on, or it is cut off).
    NoLeader,
}

impl RaftRole {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RaftRole::Leader => "leader",
            RaftRole::Follower => "follower",
            RaftRole::NoLeader => "no leader",
        }
    }
}

/// One member holding Raft state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerView {
    /// Hostname of its machine.
    pub hostname: String,
    /// Power of its machine.
    pub power: Power,
    /// Its Raft ID.
    pub raft_id: u64,
    /// Its role as it sees it.
    pub role: RaftRole,
    /// Its current term.
    pub term: u64,
    /// Its commit index.
    pub commit: u64,
    /// The leader it knows (0: none).
    pub leader_id: u64,
}

impl ClusterView {
    /// The picture of `w` now, with the default [`TaskFilter`].
    pub fn of(w: &World) -> ClusterView {
        ClusterView::filtered(w, &TaskFilter::default())
    }

    /// The picture of `w` now, showing the tasks `filter` lets through.
    pub fn filtered(w: &World, filter: &TaskFilter) -> ClusterView {
        let mut builder = PictureBuilder::new(filter.clone());
        loop {
            if let Some(picture) = builder.step(w, &mut || false) {
                return picture;
            }
        }
    }

    /// Takes from `old` every node that is equal in this picture, so that equal nodes are the
    /// same `Rc` (comparing them is then a pointer comparison, and the page skips them).
    pub fn share(&mut self, old: &ClusterView) {
        for c in &mut self.clusters {
            let Some(o) = old.clusters.iter().find(|o| o.id == c.id) else {
                continue;
            };
            for (i, n) in c.nodes.iter_mut().enumerate() {
                let same = o
                    .nodes
                    .get(i)
                    .filter(|x| x.id == n.id)
                    .or_else(|| o.nodes.iter().find(|x| x.id == n.id));
                if let Some(x) = same.filter(|x| **x == *n) {
                    *n = x.clone();
                }
            }
        }
    }

    /// The machine named `name`.
    pub fn machine(&self, name: &str) -> Option<&MachineView> {
        self.machines.iter().find(|m| m.name == name)
    }
}

fn task_view(w: &World, s: &swarm_core::Swarm, t: &Task) -> TaskView {
    let node = t.node_id.as_deref().and_then(|id| s.nodes.get(id));
    let health = match (node, t.container_id.as_deref()) {
        (Some(n), Some(c)) => w
            .container(n.machine, c)
            .and_then(|c| c.health.as_ref())
            .map(|h| h.status),
        _ => None,
    };
    let image = strip_digest(&t.spec.image).to_string();
    TaskView {
        id: t.id.clone(),
        short_id: t.id.chars().take(12).collect(),
        service: t.spec.name.clone(),
        slot: t.slot,
        label: if t.slot == 0 {
            t.spec.name.clone()
        } else {
            format!("{}.{}", t.spec.name, t.slot)
        },
        desired: t.desired,
        state: t.state,
        health,
        tag: image_tag(&image).to_string(),
        image,
        node: node.map(|n| n.hostname.clone()),
        container: t.container_id.as_ref().map(|_| t.container_name()),
        error: t.err.clone(),
    }
}

/// `nginx:latest@sha256:…` → `nginx:latest`.
fn strip_digest(image: &str) -> &str {
    image.split_once('@').map_or(image, |(i, _)| i)
}

/// The tag of an image reference without digest: `nginx:1.25` → `1.25`, `nginx` → `latest`,
/// `registry:5000/app` → `latest`.
pub fn image_tag(image: &str) -> &str {
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) if !tag.is_empty() => tag,
        _ => "latest",
    }
}

/// A fault the page injects with one click, as the command the terminal accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Power a machine off: `sim node kill NAME`.
    PowerOff(String),
    /// Power it on again: `sim node boot NAME`.
    PowerOn(String),
    /// Crash a task's container: `docker kill CONTAINER` on its machine (exit 137, as when
    /// the process is killed; the orchestrator replaces the task).
    Crash {
        /// The machine running the container.
        machine: String,
        /// The container's name.
        container: String,
    },
    /// Split the network: `sim partition A,B C,D` (each group a list of machine names).
    Partition(Vec<Vec<String>>),
    /// End every partition: `sim heal`.
    Heal,
    /// Make a service's health probes fail: `sim health fail SERVICE`.
    HealthFail(String),
}

impl Fault {
    /// The command, as typed on `from` (a crash on another machine goes through `ssh`).
    pub fn command(&self, from: &str) -> String {
        match self {
            Fault::PowerOff(m) => format!("sim node kill {m}"),
            Fault::PowerOn(m) => format!("sim node boot {m}"),
            Fault::Crash { machine, container } if machine == from => {
                format!("docker kill {container}")
            }
            Fault::Crash { machine, container } => format!("ssh {machine} docker kill {container}"),
            Fault::Partition(groups) => {
                let groups: Vec<String> = groups.iter().map(|g| g.join(",")).collect();
                format!("sim partition {}", groups.join(" "))
            }
            Fault::Heal => "sim heal".to_string(),
            Fault::HealthFail(service) => format!("sim health fail {service}"),
        }
    }

    /// The machine the fault is about (none for the network and services: `""`).
    pub fn machine(&self) -> &str {
        match self {
            Fault::PowerOff(m) | Fault::PowerOn(m) => m,
            Fault::Crash { machine, .. } => machine,
            Fault::Partition(_) | Fault::Heal | Fault::HealthFail(_) => "",
        }
    }
}

/// Where a fault's command was typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRun {
    /// The machine whose terminal took it.
    pub terminal: String,
    /// The command line.
    pub command: String,
}

impl Playground {
    /// The picture of the playground now.
    pub fn cluster_view(&self) -> ClusterView {
        ClusterView::of(&self.world())
    }

    /// The picture of the playground now, showing what `filter` lets through.
    pub fn cluster_view_with(&self, filter: &TaskFilter) -> ClusterView {
        ClusterView::filtered(&self.world(), filter)
    }

    /// Goes on taking `picture` in slices (see [`PictureBuilder`]); the picture once done.
    pub fn picture_step(
        &self,
        picture: &mut PictureBuilder,
        over_budget: &mut dyn FnMut() -> bool,
    ) -> Option<ClusterView> {
        picture.step(&self.world(), over_budget)
    }

    /// A number that changes whenever the world records something (a command, an event):
    /// while it stays the same, so does the picture, except for tasks leaving it as they age.
    pub fn generation(&self) -> u64 {
        self.world().trace_count()
    }

    /// Types `fault`'s command into the first terminal that can take it now: those named in
    /// `prefer`, in order, then every machine's in the order they were added. A terminal can
    /// take a line when its machine is on, no command runs or is half-typed there, and it is
    /// at its own shell (not in `ssh` or a container). Returns where it went, or why no
    /// terminal could take it (then nothing was typed anywhere).
    pub fn inject_fault(&mut self, fault: &Fault, prefer: &[&str]) -> Result<FaultRun, String> {
        let names = self.machine_names();
        let target = prefer
            .iter()
            .copied()
            .chain(names.iter().map(String::as_str))
            .find(|n| self.takes_a_line(n))
            .map(str::to_string);
        let Some(terminal) = target else {
            return Err(format!(
                "No terminal is free to run `{}`: stop the running command (Ctrl+C) or power a machine on.",
                fault.command(fault.machine())
            ));
        };
        let command = fault.command(&terminal);
        self.submit(&terminal, &command);
        Ok(FaultRun { terminal, command })
    }

    /// True if `machine`'s terminal would run a line typed now at its own prompt.
    fn takes_a_line(&self, machine: &str) -> bool {
        let on = self
            .world()
            .machine_by_name(machine)
            .is_some_and(|m| m.power == Power::Running);
        let Some(t) = self.terminal(machine) else {
            return false;
        };
        let s = t.session.borrow();
        on && t.job.is_none()
            && t.pending.is_empty()
            && t.typeahead.is_empty()
            && (s.exited || (s.stack.len() == 1 && s.ctx().container.is_none()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    fn template(name: &str) -> Playground {
        Playground::new(&Options {
            template: Some(name.into()),
            ..Options::default()
        })
        .unwrap()
    }

    /// Runs `line` on `machine` to the end and returns its stdout and stderr.
    fn run(pg: &mut Playground, machine: &str, line: &str) -> String {
        pg.submit(machine, line);
        assert!(pg.run_until_idle(machine, SimDuration::from_secs(120)));
        let (out, err) = pg.terminal_mut(machine).unwrap().drain_streams();
        out + &err
    }

    #[test]
    fn machines_outside_a_swarm() {
        let pg = Playground::new(&Options {
            machines: 2,
            ..Options::default()
        })
        .unwrap();
        let v = pg.cluster_view();
        assert!(v.clusters.is_empty());
        let names: Vec<&str> = v.machines.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["node1", "node2"]);
        assert_eq!(v.machines[1].ip, Ipv4Addr::new(192, 168, 0, 12));
        assert_eq!(v.machines[0].power, Power::Running);
        assert_eq!(v.machines[0].swarm, None);
    }

    #[test]
    fn two_separate_swarms() {
        let mut pg = Playground::new(&Options {
            machines: 3,
            ..Options::default()
        })
        .unwrap();
        run(&mut pg, "node2", "docker swarm init > /dev/null");
        run(&mut pg, "node3", "docker swarm init > /dev/null");
        let v = pg.cluster_view();
        assert_eq!(v.clusters.len(), 2);
        let hosts: Vec<&str> = v
            .clusters
            .iter()
            .map(|c| c.nodes[0].hostname.as_str())
            .collect();
        assert_eq!(hosts, ["node2", "node3"]);
        let places: Vec<Option<usize>> = v
            .machines
            .iter()
            .map(|m| m.swarm.as_ref().map(|s| s.cluster))
            .collect();
        assert_eq!(places, [None, Some(0), Some(1)]);
        assert!(v.machines[2].swarm.as_ref().unwrap().leader);
    }

    #[test]
    fn a_template_cluster_with_roles_leader_and_raft() {
        let pg = template("3m2w");
        let v = pg.cluster_view();
        assert_eq!(v.clusters.len(), 1);
        let c = &v.clusters[0];
        assert!(c.has_leader);
        let nodes: Vec<(&str, Role, bool, NodeState)> = c
            .nodes
            .iter()
            .map(|n| (n.hostname.as_str(), n.role, n.leader, n.status))
            .collect();
        use NodeState::Ready;
        use Role::{Manager, Worker};
        assert_eq!(
            nodes,
            [
                ("node1", Manager, true, Ready),
                ("node2", Manager, false, Ready),
                ("node3", Manager, false, Ready),
                ("node4", Worker, false, Ready),
                ("node5", Worker, false, Ready),
            ]
        );
        let m = v.machine("node4").unwrap().swarm.as_ref().unwrap();
        assert_eq!((m.cluster, m.role, m.leader), (0, Worker, false));
        assert_eq!(m.availability, Availability::Active);
        let managers: Vec<(&str, RaftRole)> = c
            .managers
            .iter()
            .map(|m| (m.hostname.as_str(), m.role))
            .collect();
        assert_eq!(
            managers,
            [
                ("node1", RaftRole::Leader),
                ("node2", RaftRole::Follower),
                ("node3", RaftRole::Follower),
            ]
        );
        let leader = c.managers[0].raft_id;
        assert!(c.managers.iter().all(|m| m.leader_id == leader));
        assert!(c.managers.iter().all(|m| m.term >= 1 && m.commit >= 1));
        // Nothing changed, nothing differs: the page compares pictures to skip renders.
        assert_eq!(pg.cluster_view(), v);
    }

    #[test]
    fn tasks_per_node_pending_with_reason_and_services() {
        let mut pg = template("1m2w");
        run(
            &mut pg,
            "node1",
            "docker service create -q --name web --replicas 3 nginx:alpine",
        );
        run(
            &mut pg,
            "node1",
            "docker service create -d -q --name stuck --constraint node.labels.zone==mars redis",
        );
        pg.advance(SimDuration::from_secs(2));
        let v = pg.cluster_view();
        let c = &v.clusters[0];
        let per_node: Vec<(&str, Vec<&str>)> = c
            .nodes
            .iter()
            .map(|n| {
                (
                    n.hostname.as_str(),
                    n.tasks.iter().map(|t| t.label.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            per_node,
            [
                ("node1", vec!["web.1"]),
                ("node2", vec!["web.2"]),
                ("node3", vec!["web.3"]),
            ]
        );
        let t = &c.nodes[1].tasks[0];
        assert_eq!(
            (t.state, t.desired),
            (TaskState::Running, TaskState::Running)
        );
        assert_eq!(
            (t.image.as_str(), t.tag.as_str()),
            ("nginx:alpine", "alpine")
        );
        assert_eq!(t.short_id.len(), 12);
        assert!(t.id.starts_with(&t.short_id));
        assert_eq!(t.node.as_deref(), Some("node2"));
        assert_eq!(
            t.container.as_deref(),
            Some(format!("web.2.{}", t.id).as_str())
        );
        assert_eq!(t.health, None);
        assert_eq!(v.machine("node2").unwrap().swarm.as_ref().unwrap().tasks, 1);
        // The pending task and its reason, exactly as `docker service ps --no-trunc` has it.
        assert_eq!(c.pending.len(), 1);
        let p = &c.pending[0];
        assert_eq!((p.label.as_str(), p.state), ("stuck.1", TaskState::Pending));
        let ps = run(
            &mut pg,
            "node1",
            "docker service ps stuck --no-trunc --format '{{.Error}}'",
        );
        assert_eq!(ps, format!("\"{}\"\n", p.error));
        assert!(p.error.starts_with("no suitable node"), "{}", p.error);
        let services: Vec<(&str, Option<u64>, usize, &str)> = c
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.replicas, s.running, s.image.as_str()))
            .collect();
        assert_eq!(
            services,
            [
                ("stuck", Some(1), 0, "redis:latest"),
                ("web", Some(3), 3, "nginx:alpine"),
            ]
        );
    }

    #[test]
    fn health_and_drained_nodes() {
        let mut pg = template("1m1w");
        run(
            &mut pg,
            "node1",
            "docker service create -q --name h --replicas 2 --health-cmd true --health-interval 1s nginx",
        );
        pg.advance(SimDuration::from_secs(5));
        let v = pg.cluster_view();
        let health: Vec<Option<HealthStatus>> = v.clusters[0]
            .nodes
            .iter()
            .flat_map(|n| n.tasks.iter().map(|t| t.health))
            .collect();
        assert_eq!(health, [Some(HealthStatus::Healthy); 2]);
        run(
            &mut pg,
            "node1",
            "docker node update --availability drain node2",
        );
        pg.advance(SimDuration::from_secs(1));
        let v = pg.cluster_view();
        let node2 = &v.clusters[0].nodes[1];
        assert_eq!(node2.availability, Availability::Drain);
        assert!(
            node2.tasks.iter().all(|t| !t.holds_slot()),
            "the drained node's task is on its way out: {:?}",
            node2.tasks
        );
        pg.advance(SimDuration::from_secs(30));
        let v = pg.cluster_view();
        assert!(
            v.clusters[0].nodes[1].tasks.is_empty(),
            "gone after a while"
        );
        assert_eq!(v.clusters[0].nodes[0].task_count(), 2);
    }

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(image_tag("nginx:1.25"), "1.25");
        assert_eq!(image_tag("registry:5000/app"), "latest");
        assert_eq!(image_tag("registry:5000/app:v2"), "v2");
        assert_eq!(strip_digest("nginx:latest@sha256:abc"), "nginx:latest");
    }

    #[test]
    fn network_and_health_faults_are_terminal_commands() {
        let mut pg = template("1m2w");
        let groups = vec![
            vec!["node1".to_string()],
            vec!["node2".into(), "node3".into()],
        ];
        assert_eq!(
            Fault::Partition(groups.clone()).command("node1"),
            "sim partition node1 node2,node3"
        );
        let ran = pg
            .inject_fault(&Fault::Partition(groups), &["", "node2"])
            .unwrap();
        assert_eq!(
            (ran.terminal.as_str(), ran.command.as_str()),
            ("node2", "sim partition node1 node2,node3")
        );
        assert!(pg.run_until_idle("node2", SimDuration::from_secs(10)));
        let reach = |pg: &Playground| {
            let w = pg.world();
            let id = |n: &str| w.machine_by_name(n).unwrap().id;
            w.can_reach(id("node1"), id("node2"))
        };
        assert!(!reach(&pg));
        let ran = pg.inject_fault(&Fault::Heal, &["node1"]).unwrap();
        assert_eq!(ran.command, "sim heal");
        assert!(pg.run_until_idle("node1", SimDuration::from_secs(10)));
        assert!(reach(&pg));
        assert!(pg
            .terminal("node2")
            .unwrap()
            .history()
            .iter()
            .any(|l| l == "sim partition node1 node2,node3"));

        run(
            &mut pg,
            "node1",
            "docker service create -q --name api --replicas 1 --health-interval 2s --health-retries 2 --health-start-period 5s diamol/ch08-numbers-api:v2",
        );
        pg.advance(SimDuration::from_secs(15));
        let first = pg.cluster_view().clusters[0].services[0].clone();
        assert_eq!(first.running, 1);
        let task = |pg: &Playground| {
            let v = pg.cluster_view();
            v.clusters[0]
                .nodes
                .iter()
                .flat_map(|n| n.tasks.iter())
                .find(|t| t.state == TaskState::Running)
                .map(|t| t.id.clone())
        };
        let before = task(&pg).unwrap();
        let ran = pg
            .inject_fault(&Fault::HealthFail("api".into()), &[""])
            .unwrap();
        assert_eq!(ran.command, "sim health fail api");
        pg.advance(SimDuration::from_secs(30));
        let after = task(&pg).unwrap();
        assert_ne!(after, before, "the unhealthy task was replaced");
    }

    #[test]
    fn faults_are_terminal_commands() {
        let mut pg = template("1m2w");
        run(
            &mut pg,
            "node1",
            "docker service create -q --name web --replicas 3 nginx",
        );
        // Crash a task's container on its own machine's terminal.
        let v = pg.cluster_view();
        let t = v.clusters[0].nodes[1].tasks[0].clone();
        let fault = Fault::Crash {
            machine: "node2".into(),
            container: t.container.clone().unwrap(),
        };
        let ran = pg.inject_fault(&fault, &["node2", "node1"]).unwrap();
        assert_eq!(ran.terminal, "node2");
        assert_eq!(ran.command, format!("docker kill web.2.{}", t.id));
        assert!(pg
            .terminal("node2")
            .unwrap()
            .history()
            .contains(&ran.command));
        pg.advance(SimDuration::from_millis(500));
        let v = pg.cluster_view();
        let node2 = &v.clusters[0].nodes[1];
        let old = node2.tasks.iter().find(|x| x.id == t.id).unwrap();
        assert_eq!(old.state, TaskState::Failed);
        assert_eq!(old.error, "task: non-zero exit (137)");
        pg.advance(SimDuration::from_secs(10));
        let v = pg.cluster_view();
        let node2 = &v.clusters[0].nodes[1];
        assert_eq!(node2.task_count(), 1, "replaced: {:?}", node2.tasks);
        assert!(node2.tasks.iter().all(|x| x.id != t.id));

        // A busy terminal does not take it: the selected one does, through ssh.
        pg.submit("node2", "sleep 100");
        let t = v.clusters[0].nodes[1].tasks[0].clone();
        let fault = Fault::Crash {
            machine: "node2".into(),
            container: t.container.clone().unwrap(),
        };
        let ran = pg.inject_fault(&fault, &["node2", "node3"]).unwrap();
        assert_eq!(ran.terminal, "node3");
        assert_eq!(ran.command, format!("ssh node2 docker kill web.2.{}", t.id));
        pg.interrupt("node2");

        // Power off on the machine itself; on again from the selected one.
        let ran = pg
            .inject_fault(&Fault::PowerOff("node3".into()), &["node3", "node1"])
            .unwrap();
        assert_eq!(
            (ran.terminal.as_str(), ran.command.as_str()),
            ("node3", "sim node kill node3")
        );
        assert_eq!(pg.cluster_view().machines[2].power, Power::Off);
        pg.advance(SimDuration::from_secs(30));
        let v = pg.cluster_view();
        let node3 = &v.clusters[0].nodes[2];
        assert_eq!(node3.status, NodeState::Down);
        assert_eq!(
            v.machine("node3").unwrap().swarm.as_ref().unwrap().status,
            NodeState::Down
        );
        let ran = pg
            .inject_fault(&Fault::PowerOn("node3".into()), &["node3", "node1"])
            .unwrap();
        assert_eq!(
            (ran.terminal.as_str(), ran.command.as_str()),
            ("node1", "sim node boot node3")
        );
        assert!(pg.run_until_idle("node1", SimDuration::from_secs(60)));
        assert_ne!(pg.cluster_view().machines[2].power, Power::Off);

        // Nobody free: an error, and nothing typed anywhere.
        pg.submit("node1", "sleep 100");
        pg.submit("node2", "sleep 100");
        pg.submit("node3", "sleep 100");
        let before: Vec<Vec<String>> = ["node1", "node2", "node3"]
            .iter()
            .map(|n| pg.terminal(n).unwrap().history())
            .collect();
        let e = pg
            .inject_fault(&Fault::PowerOff("node2".into()), &["node2", "node1"])
            .unwrap_err();
        assert!(e.contains("sim node kill node2"), "{e}");
        let after: Vec<Vec<String>> = ["node1", "node2", "node3"]
            .iter()
            .map(|n| pg.terminal(n).unwrap().history())
            .collect();
        assert_eq!(before, after);
    }

    #[test]
    fn recently_ended_tasks_stay_a_moment() {
        let mut pg = template("1m1w");
        run(
            &mut pg,
            "node1",
            "docker service create -q --name web --replicas 1 nginx",
        );
        run(&mut pg, "node1", "docker kill $(docker ps -q)");
        pg.advance(SimDuration::from_millis(100));
        let v = pg.cluster_view();
        let tasks = &v.clusters[0].nodes[0].tasks;
        // The replacement comes first (tasks that have not ended lead), the failed one after.
        let states: Vec<(bool, TaskState, bool)> = tasks
            .iter()
            .map(|t| (t.holds_slot(), t.state, t.ended()))
            .collect();
        assert_eq!(
            states,
            [
                (true, TaskState::Preparing, false),
                (false, TaskState::Failed, true)
            ]
        );
        assert_eq!(v.clusters[0].nodes[0].task_count(), 1);
        pg.advance(RECENTLY_ENDED);
        let v = pg.cluster_view();
        let tasks = &v.clusters[0].nodes[0].tasks;
        assert_eq!(tasks.len(), 1, "only the replacement: {tasks:?}");
        assert!(tasks[0].holds_slot());
    }

    #[test]
    fn the_picture_is_bounded_and_filtered_before_it_is_built() {
        let mut pg = template("1m1w");
        run(
            &mut pg,
            "node1",
            "docker service create -d -q --name web --replicas 60 nginx",
        );
        run(
            &mut pg,
            "node1",
            "docker service create -d -q --name zz --replicas 4 redis",
        );
        run(
            &mut pg,
            "node1",
            "docker service create -d -q --name stuck --replicas 30 --constraint node.labels.zone==mars redis",
        );
        pg.advance(SimDuration::from_secs(20));
        let v = pg.cluster_view();
        let c = &v.clusters[0];
        // 64 tasks on two nodes: each card shows the first 24 and counts the rest.
        let shown: usize = c.nodes.iter().map(|n| n.tasks.len()).sum();
        let more: usize = c.nodes.iter().map(|n| n.more).sum();
        let slots: usize = c.nodes.iter().map(|n| n.task_count()).sum();
        assert_eq!((shown, more, slots), (48, 16, 64));
        for n in &c.nodes {
            assert_eq!(n.tasks.len(), CHIPS_PER_NODE);
            assert!(
                n.tasks.iter().all(|t| t.service == "web"),
                "web sorts first"
            );
            let labels: Vec<(u64, &str)> =
                n.tasks.iter().map(|t| (t.slot, t.id.as_str())).collect();
            let mut sorted = labels.clone();
            sorted.sort();
            assert_eq!(labels, sorted, "in slot order");
        }
        assert_eq!(
            v.machine("node2").unwrap().swarm.as_ref().unwrap().tasks,
            32
        );
        // Pending: the first 24 listed, the rest counted.
        assert_eq!(
            (c.pending.len(), c.pending_more),
            (PENDING_SHOWN, 30 - PENDING_SHOWN)
        );
        assert_eq!(c.pending[0].label, "stuck.1");

        // One service: its tasks, found however many others come first; no pending ones.
        let zz = pg.cluster_view_with(&TaskFilter {
            service: Some("zz".into()),
            ..TaskFilter::default()
        });
        let c = &zz.clusters[0];
        let labels: Vec<&str> = c
            .nodes
            .iter()
            .flat_map(|n| n.tasks.iter().map(|t| t.label.as_str()))
            .collect();
        assert_eq!(labels.len(), 4, "{labels:?}");
        assert!(labels.iter().all(|l| l.starts_with("zz.")), "{labels:?}");
        assert!(c.nodes.iter().all(|n| n.more == 0));
        assert_eq!((c.pending.len(), c.pending_more), (0, 0));
        let slots: usize = c.nodes.iter().map(|n| n.task_count()).sum();
        assert_eq!(slots, 64, "the sidebar's count ignores the filter");
        assert_eq!(c.services.len(), 3, "the legend has every service");

        // Many nodes share a budget of chips, but each shows a few.
        let small = pg.cluster_view_with(&TaskFilter {
            in_all: 10,
            ..TaskFilter::default()
        });
        for n in &small.clusters[0].nodes {
            assert_eq!((n.tasks.len(), n.more), (5, 27));
        }
        let tiny = pg.cluster_view_with(&TaskFilter {
            in_all: 1,
            ..TaskFilter::default()
        });
        assert_eq!(tiny.clusters[0].nodes[0].tasks.len(), MIN_CHIPS_PER_NODE);

        // One node card: the other is counted, and the sidebar still knows its place.
        let one = pg.cluster_view_with(&TaskFilter {
            nodes: 1,
            in_all: 10,
            ..TaskFilter::default()
        });
        let c = &one.clusters[0];
        assert_eq!((c.nodes.len(), c.nodes_more), (1, 1));
        assert_eq!(c.nodes[0].hostname, "node1");
        assert_eq!(
            c.nodes[0].tasks.len(),
            10,
            "the chips go to the cards shown"
        );
        let place = one.machine("node2").unwrap().swarm.as_ref().unwrap();
        assert_eq!(
            (place.cluster, place.tasks, place.role),
            (0, 32, Role::Worker)
        );
        assert_eq!(pg.cluster_view().clusters[0].nodes_more, 0);

        // Only running, with one task crashed: the ended one is not shown.
        run(&mut pg, "node1", "docker kill $(docker ps -q -f name=zz.1)");
        pg.advance(SimDuration::from_millis(100));
        let all_zz = TaskFilter {
            service: Some("zz".into()),
            ..TaskFilter::default()
        };
        let v = pg.cluster_view_with(&all_zz);
        let ended: Vec<&TaskView> = v.clusters[0]
            .nodes
            .iter()
            .flat_map(|n| n.tasks.iter())
            .filter(|t| t.ended())
            .collect();
        assert_eq!(ended.len(), 1);
        let fades = v.fades_at.expect("an ended task leaves the picture later");
        assert!(fades > pg.now() && fades <= pg.now() + RECENTLY_ENDED);
        let running = pg.cluster_view_with(&TaskFilter {
            only_running: true,
            ..all_zz.clone()
        });
        assert!(running.clusters[0]
            .nodes
            .iter()
            .flat_map(|n| n.tasks.iter())
            .all(|t| t.state == TaskState::Running));
        assert_eq!(running.fades_at, None, "nothing shown will fade");
        pg.advance(RECENTLY_ENDED);
        assert_eq!(pg.cluster_view_with(&all_zz).fades_at, None);
    }

    #[test]
    fn unchanged_nodes_are_shared_with_the_last_picture() {
        let mut pg = template("1m2w");
        run(
            &mut pg,
            "node1",
            "docker service create -q --name web --replicas 3 nginx",
        );
        let old = pg.cluster_view();
        let mut same = pg.cluster_view();
        assert!(!Rc::ptr_eq(
            &same.clusters[0].nodes[0],
            &old.clusters[0].nodes[0]
        ));
        same.share(&old);
        for (a, b) in same.clusters[0].nodes.iter().zip(&old.clusters[0].nodes) {
            assert!(Rc::ptr_eq(a, b));
        }
        assert_eq!(same, old);
        // node3 is drained: its card changes, the others are shared.
        run(
            &mut pg,
            "node1",
            "docker node update --availability drain node3",
        );
        let mut new = pg.cluster_view();
        new.share(&old);
        let shared: Vec<bool> = new.clusters[0]
            .nodes
            .iter()
            .zip(&old.clusters[0].nodes)
            .map(|(a, b)| Rc::ptr_eq(a, b))
            .collect();
        assert_eq!(shared, [true, true, false]);
        assert_ne!(new, old);
    }
}
