//! Swarm networks: overlay networks and their address management, service VIPs, task
//! addresses, the embedded DNS, the ingress routing mesh, and HTTP requests through them
//! (spec §7).
//!
//! - **IPAM**: the swarm pool 10.0.0.0/8 in /24s, handed out in order: `ingress` takes
//!   10.0.0.0/24 at `swarm init`, user overlays 10.0.1.0/24, 10.0.2.0/24 … (or `--subnet`).
//!   Inside a network addresses are serial: the gateway `.1`, then VIPs and task addresses in
//!   allocation order; freed addresses are not reused before the range wraps.
//! - **VIPs**: a service in `vip` endpoint mode gets one per attached network, plus one on
//!   `ingress` when it publishes ingress ports; `dnsrr` services get none.
//! - **Task addresses**: one per network of the task's spec (and `ingress` for publishing
//!   services), allocated when the task is created, released when it is deleted.
//! - **DNS** ([`World::dns_lookup`]): on user networks only, the service name resolves to the
//!   VIP (or, for `dnsrr`, the task addresses), `tasks.NAME` to the running tasks' addresses,
//!   a task's container name to its address.
//! - **Routing mesh** ([`World::mesh_pick`]): a published ingress port answers on every node
//!   and goes round-robin to running tasks of the service, wherever they run.
//!
//! IDs come from their own random stream (`networks`), so creating networks never shifts the
//! IDs of nodes, services or tasks.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::machine::{MachineId, Power};
use crate::service::{Task, TaskState};
use crate::swarm::{rpc, ApiResult, Op, OpHandle, Swarm};
use crate::time::SimTime;
use crate::world::World;
use crate::{ids, Service};

/// A swarm-scoped network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    /// 25-character ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// `overlay`.
    pub driver: String,
    /// `--attachable`.
    pub attachable: bool,
    /// `--internal`.
    pub internal: bool,
    /// The routing-mesh network.
    pub ingress: bool,
    /// Its subnet's first address.
    pub subnet: Ipv4Addr,
    /// The subnet's prefix length.
    pub prefix: u8,
    /// The gateway (`.1`).
    pub gateway: Ipv4Addr,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Driver options (`--opt encrypted` …).
    pub options: BTreeMap<String, String>,
    /// The VXLAN ID (4096 for ingress, then 4097 …).
    pub vxlan_id: u32,
    /// Creation time.
    pub created_at: SimTime,
    /// Store version.
    pub version: u64,
    /// The next host offset to hand out.
    next_host: u32,
    /// Standalone containers attached to it (`docker run --network` on an attachable
    /// overlay), by container ID: swarmkit keeps each as a network-attachment task.
    pub attachments: BTreeMap<String, NetAttachment>,
    /// On ingress: each node's `ingress-sbox` address, by node ID (the source address the
    /// routing mesh gives the connections it forwards).
    pub sboxes: BTreeMap<String, Ipv4Addr>,
}

/// A standalone container's address on an attachable overlay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetAttachment {
    /// The machine it runs on.
    pub machine: MachineId,
    /// Its address.
    pub addr: Ipv4Addr,
    /// The attachment task's ID.
    pub task_id: String,
}

impl Network {
    /// `10.0.1.0/24`.
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.subnet, self.prefix)
    }

    fn size(&self) -> u32 {
        1u32 << (32 - u32::from(self.prefix.min(30)))
    }

    /// The next free address (serial, skipping the network and broadcast addresses).
    fn allocate(&self, next_host: &mut u32, used: &dyn Fn(Ipv4Addr) -> bool) -> Option<Ipv4Addr> {
        let size = self.size();
        let base = u32::from(self.subnet);
        for _ in 0..size {
            let host = *next_host;
            *next_host = if host + 1 >= size - 1 { 2 } else { host + 1 };
            let addr = Ipv4Addr::from(base + host);
            if host >= 2 && !used(addr) {
                return Some(addr);
            }
        }
        None
    }
}

/// A service's virtual IP on one network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualIp {
    /// The network's ID.
    pub network_id: String,
    /// The address.
    pub addr: Ipv4Addr,
    /// The network's prefix length.
    pub prefix: u8,
}

/// What `docker network create` asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkSpec {
    /// Name.
    pub name: String,
    /// Driver (only `overlay` makes a swarm network).
    pub driver: String,
    /// `--attachable`.
    pub attachable: bool,
    /// `--internal`.
    pub internal: bool,
    /// `--subnet` (`10.5.0.0/24`), if given.
    pub subnet: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Options.
    pub options: BTreeMap<String, String>,
}

/// A network write waiting for its Raft entry.
#[derive(Clone, Debug)]
pub enum NetworkOp {
    /// Create.
    Create(Box<Network>),
    /// Remove.
    Remove(String),
}

fn parse_cidr(s: &str) -> Option<(Ipv4Addr, u8)> {
    let (a, p) = s.split_once('/')?;
    let addr: Ipv4Addr = a.parse().ok()?;
    let prefix: u8 = p.parse().ok()?;
    if !(8..=30).contains(&prefix) {
        return None;
    }
    let mask = u32::MAX << (32 - u32::from(prefix));
    Some((Ipv4Addr::from(u32::from(addr) & mask), prefix))
}

fn overlaps(a: (Ipv4Addr, u8), b: (Ipv4Addr, u8)) -> bool {
    let p = a.1.min(b.1);
    let mask = u32::MAX << (32 - u32::from(p));
    u32::from(a.0) & mask == u32::from(b.0) & mask
}

impl Swarm {
    /// Resolves a network reference: full ID, exact name, unique ID prefix.
    pub fn find_network(&self, r: &str) -> Result<&Network, String> {
        if let Some(n) = self.networks.get(r) {
            return Ok(n);
        }
        if let Some(n) = self.networks.values().find(|n| n.name == r) {
            return Ok(n);
        }
        let by_prefix: Vec<&Network> = self
            .networks
            .values()
            .filter(|n| !r.is_empty() && n.id.starts_with(r))
            .collect();
        match by_prefix.len() {
            1 => Ok(by_prefix[0]),
            0 => Err(format!("network {r} not found")),
            n => Err(format!("network {r} is ambiguous ({n} matches found)")),
        }
    }

    /// The ingress network, if it exists.
    pub fn ingress(&self) -> Option<&Network> {
        self.networks.values().find(|n| n.ingress)
    }

    /// The next free /24 of 10.0.0.0/8.
    fn next_subnet(&self) -> Option<(Ipv4Addr, u8)> {
        (0u32..65536).find_map(|i| {
            let candidate = (Ipv4Addr::from((10u32 << 24) | (i << 8)), 24);
            let taken = self
                .networks
                .values()
                .any(|n| overlaps((n.subnet, n.prefix), candidate));
            (!taken).then_some(candidate)
        })
    }

    /// Whether an address of a network is in use: a VIP, a task's address (from the task
    /// table's index), an attached container's.
    fn address_in_use(&self, network_id: &str, net: &Network, a: Ipv4Addr) -> bool {
        self.tasks
            .index()
            .addresses
            .get(network_id)
            .is_some_and(|m| m.contains_key(&a))
            || self.services.values().any(|s| {
                s.virtual_ips
                    .iter()
                    .any(|v| v.network_id == network_id && v.addr == a)
            })
            || net.attachments.values().any(|x| x.addr == a)
            || net.sboxes.values().any(|x| *x == a)
    }

    /// Node `node_id`'s `ingress-sbox` address on the ingress network, allocated the first
    /// time it is asked for (when the node inits or joins the swarm, or when ingress was
    /// created again).
    pub(crate) fn ingress_sbox(&mut self, node_id: &str) -> Option<Ipv4Addr> {
        let id = self.ingress()?.id.clone();
        if let Some(a) = self.networks.get(&id)?.sboxes.get(node_id) {
            return Some(*a);
        }
        let a = self.allocate_on(&id)?;
        self.networks
            .get_mut(&id)?
            .sboxes
            .insert(node_id.to_string(), a);
        Some(a)
    }

    /// Allocates an address on a network; `None` when it is full or gone.
    fn allocate_on(&mut self, network_id: &str) -> Option<Ipv4Addr> {
        let net = self.networks.get(network_id)?;
        let size = net.size();
        let held = self
            .tasks
            .index()
            .addresses
            .get(network_id)
            .map_or(0, |m| m.len());
        let (mut cursor, addr) = if held as u32 >= size - 3 {
            // Full of task addresses: the scan below would find nothing after `size` steps
            // round the cycle of hosts 2..=size-2; take those steps at once.
            let cycle = size - 3;
            let start = net.next_host.max(2);
            (2 + (start - 2 + size) % cycle, None)
        } else {
            let mut cursor = net.next_host;
            let addr = net.allocate(&mut cursor, &|a| self.address_in_use(network_id, net, a));
            (cursor, addr)
        };
        if let Some(n) = self.networks.get_mut(network_id) {
            std::mem::swap(&mut n.next_host, &mut cursor);
        }
        addr
    }

    /// Gives standalone container `container_id` on `machine` an address on an attachable
    /// overlay (the attachment task `task_id`).
    pub(crate) fn attach_container(
        &mut self,
        network_id: &str,
        container_id: &str,
        machine: MachineId,
        task_id: &str,
    ) -> Option<Ipv4Addr> {
        let addr = self.allocate_on(network_id)?;
        let n = self.networks.get_mut(network_id)?;
        n.attachments.insert(
            container_id.to_string(),
            NetAttachment {
                machine,
                addr,
                task_id: task_id.to_string(),
            },
        );
        Some(addr)
    }

    /// The networks a task of `svc` attaches to: its spec's (as IDs), and `ingress` when it
    /// publishes ingress ports.
    pub fn task_networks(&self, svc: &Service) -> Vec<String> {
        let mut out: Vec<String> = svc
            .spec
            .networks
            .iter()
            .filter_map(|r| self.find_network(r).ok().map(|n| n.id.clone()))
            .collect();
        if svc.spec.ports.iter().any(|p| p.mode != "host") {
            if let Some(i) = self.ingress() {
                out.insert(0, i.id.clone());
            }
        }
        out.dedup();
        out
    }

    /// Gives a service its VIPs (vip endpoint mode), keeping those it has on networks it stays
    /// on, releasing the others.
    pub(crate) fn assign_vips(&mut self, service_id: &str) {
        let Some(svc) = self.services.get(service_id).cloned() else {
            return;
        };
        let wanted: Vec<String> = if svc.spec.endpoint_mode == "dnsrr" {
            Vec::new()
        } else {
            self.task_networks(&svc)
        };
        let mut vips: Vec<VirtualIp> = svc
            .virtual_ips
            .iter()
            .filter(|v| wanted.contains(&v.network_id))
            .cloned()
            .collect();
        for n in &wanted {
            if vips.iter().any(|v| &v.network_id == n) {
                continue;
            }
            let prefix = self.networks.get(n).map_or(24, |x| x.prefix);
            if let Some(addr) = self.allocate_on(n) {
                vips.push(VirtualIp {
                    network_id: n.clone(),
                    addr,
                    prefix,
                });
            }
        }
        crate::sort::sort_by_key(&mut vips, |v| {
            wanted.iter().position(|w| *w == v.network_id)
        });
        if let Some(s) = self.services.get_mut(service_id) {
            s.virtual_ips = vips;
        }
    }

    /// Gives a new task its addresses.
    pub(crate) fn assign_task_addresses(&mut self, task_id: &str) {
        let Some(t) = self.tasks.get(task_id) else {
            return;
        };
        let Some(svc) = self.services.get(&t.service_id) else {
            return;
        };
        let nets = self.task_networks(svc);
        if nets.is_empty() {
            return;
        }
        let mut addrs = Vec::new();
        for n in nets {
            if let Some(a) = self.allocate_on(&n) {
                addrs.push((n, a));
            }
        }
        self.tasks.set_addresses(task_id, addrs);
    }
}

/// The default first user overlay: what `docker network create -d overlay` gets.
const FIRST_USER_VXLAN: u32 = 4097;

impl World {
    /// Creates the `ingress` network of a new swarm (10.0.0.0/24, VXLAN 4096).
    pub(crate) fn create_ingress(&mut self, cluster: usize) {
        let id = ids::swarm_id(self.rng("networks"));
        let now = self.now();
        let s = &mut self.swarms[cluster];
        s.networks.insert(
            id.clone(),
            Network {
                id,
                name: "ingress".into(),
                driver: "overlay".into(),
                attachable: false,
                internal: false,
                ingress: true,
                subnet: Ipv4Addr::new(10, 0, 0, 0),
                prefix: 24,
                gateway: Ipv4Addr::new(10, 0, 0, 1),
                labels: BTreeMap::new(),
                options: BTreeMap::new(),
                vxlan_id: 4096,
                created_at: now,
                version: 1,
                next_host: 2,
                attachments: BTreeMap::new(),
                sboxes: BTreeMap::new(),
            },
        );
    }

    /// `docker network create -d overlay …`: validates, then proposes the network. Returns its
    /// ID and the operation to wait for.
    pub fn network_create(
        &mut self,
        from: MachineId,
        spec: NetworkSpec,
    ) -> ApiResult<(String, OpHandle)> {
        let cluster = self.control(from)?;
        let s = &self.swarms[cluster];
        if s.networks.values().any(|n| n.name == spec.name) {
            return Err(format!("network with name {} already exists", spec.name));
        }
        let (subnet, prefix) = match &spec.subnet {
            Some(c) => {
                let parsed = parse_cidr(c)
                    .ok_or_else(|| format!("invalid subnet {c}: invalid CIDR address: {c}"))?;
                if s.networks
                    .values()
                    .any(|n| overlaps((n.subnet, n.prefix), parsed))
                {
                    return Err(rpc(
                        "InvalidArgument",
                        "invalid pool request: Pool overlaps with other one on this address space",
                    ));
                }
                parsed
            }
            None => s
                .next_subnet()
                .ok_or_else(|| rpc("ResourceExhausted", "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"))?,
        };
        let vxlan_id = s
            .networks
            .values()
            .map(|n| n.vxlan_id + 1)
            .max()
            .unwrap_or(FIRST_USER_VXLAN)
            .max(FIRST_USER_VXLAN);
        let id = ids::swarm_id(self.rng("networks"));
        let now = self.now();
        let net = Network {
            id: id.clone(),
            name: spec.name,
            driver: if spec.driver.is_empty() {
                "overlay".into()
            } else {
                spec.driver
            },
            attachable: spec.attachable,
            internal: spec.internal,
            ingress: false,
            subnet,
            prefix,
            gateway: Ipv4Addr::from(u32::from(subnet) + 1),
            labels: spec.labels,
            options: spec.options,
            vxlan_id,
            created_at: now,
            version: 0,
            next_host: 2,
            attachments: BTreeMap::new(),
            sboxes: BTreeMap::new(),
        };
        let h = self.new_op(cluster, Op::Network(NetworkOp::Create(Box::new(net))))?;
        Ok((id, h))
    }

    /// `docker network rm`: refused while a service uses it, and for ingress while services
    /// publish ports.
    pub fn network_remove(&mut self, from: MachineId, network_ref: &str) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        let s = &self.swarms[cluster];
        let net = s.find_network(network_ref)?.clone();
        if net.ingress {
            if let Some(svc) = s
                .services
                .values()
                .find(|x| x.spec.ports.iter().any(|p| p.mode != "host"))
            {
                return Err(rpc(
                    "FailedPrecondition",
                    &format!(
                        "ingress network cannot be removed because service {} depends on it",
                        svc.id
                    ),
                ));
            }
        } else if let Some(svc) = s.services.values().find(|x| {
            x.spec
                .networks
                .iter()
                .any(|r| *r == net.id || *r == net.name)
        }) {
            return Err(rpc(
                "FailedPrecondition",
                &format!("network {} is in use by service {}", net.id, svc.id),
            ));
        }
        if let Some((_, a)) = net
            .attachments
            .iter()
            .find(|(cid, a)| self.attachment_live(a.machine, cid, &net.id))
        {
            return Err(rpc(
                "FailedPrecondition",
                &format!("network {} is in use by task {}", net.id, a.task_id),
            ));
        }
        self.new_op(cluster, Op::Network(NetworkOp::Remove(net.id)))
    }

    /// Applies a committed network operation.
    pub(crate) fn apply_network_op(
        &mut self,
        cluster: usize,
        op: NetworkOp,
        version: u64,
    ) -> Result<(), String> {
        let s = &mut self.swarms[cluster];
        match op {
            NetworkOp::Create(net) => {
                let mut net = *net;
                if s.networks.values().any(|n| n.name == net.name) {
                    return Err(format!("network with name {} already exists", net.name));
                }
                net.version = version;
                s.networks.insert(net.id.clone(), net);
            }
            NetworkOp::Remove(id) => {
                if s.networks.remove(&id).is_none() {
                    return Err(format!("network {id} not found"));
                }
            }
        }
        Ok(())
    }

    /// Resolves `name` as the embedded DNS server of a container on `networks` answers it
    /// (IDs of user networks; ingress has no DNS). `None`: NXDOMAIN.
    pub fn dns_lookup(
        &self,
        cluster: usize,
        networks: &[String],
        name: &str,
    ) -> Option<Vec<Ipv4Addr>> {
        let s = self.swarms.get(cluster)?;
        let user: Vec<&String> = networks
            .iter()
            .filter(|n| s.networks.get(*n).is_some_and(|x| !x.ingress))
            .collect();
        if user.is_empty() {
            return None;
        }
        let name = name.trim_end_matches('.');
        let (tasks_only, svc_name) = match name.strip_prefix("tasks.") {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        let svc = s.services.values().find(|x| {
            x.spec.name == svc_name
                || x.spec
                    .labels
                    .get("com.docker.stack.namespace")
                    .is_some_and(|ns| format!("{ns}_{svc_name}") == x.spec.name)
        });
        // Else a network alias (`--network name=N,alias=A`), on its own network only.
        let (svc, only) = match svc {
            Some(x) => (Some(x), None),
            None => s
                .services
                .values()
                .find_map(|x| {
                    let nets: Vec<String> = x
                        .spec
                        .network_aliases
                        .iter()
                        .filter(|(_, a)| a.iter().any(|a| a == svc_name))
                        .filter_map(|(n, _)| s.find_network(n).ok().map(|n| n.id.clone()))
                        .filter(|id| user.contains(&id))
                        .collect();
                    (!nets.is_empty()).then_some((x, nets))
                })
                .map_or((None, None), |(x, nets)| (Some(x), Some(nets))),
        };
        if let Some(svc) = svc {
            let shared: Vec<&String> = user
                .iter()
                .copied()
                .filter(|n| s.task_networks(svc).contains(n))
                .filter(|n| only.as_ref().is_none_or(|o| o.contains(n)))
                .collect();
            if shared.is_empty() {
                return None;
            }
            if !tasks_only && svc.spec.endpoint_mode != "dnsrr" {
                let vips: Vec<Ipv4Addr> = svc
                    .virtual_ips
                    .iter()
                    .filter(|v| shared.contains(&&v.network_id))
                    .map(|v| v.addr)
                    .take(1)
                    .collect();
                return (!vips.is_empty()).then_some(vips);
            }
            let addrs: Vec<Ipv4Addr> = s
                .tasks_of(&svc.id)
                .filter(|t| t.state == TaskState::Running && t.desired == TaskState::Running)
                .flat_map(|t| t.addresses.iter())
                .filter(|(n, _)| shared.contains(&n))
                .map(|(_, a)| *a)
                .collect();
            return (!addrs.is_empty()).then_some(addrs);
        }
        // A task's container name (`web.1.<id>`) or its short form `web.1`.
        let task = s.tasks.values().find(|t| {
            t.state == TaskState::Running && (t.container_name() == name || t.name() == name)
        });
        let Some(task) = task else {
            // A standalone container attached to one of the networks.
            let addrs: Vec<Ipv4Addr> = user
                .iter()
                .flat_map(|n| self.attached_named(cluster, n, name))
                .collect();
            return (!addrs.is_empty()).then_some(addrs);
        };
        let addrs: Vec<Ipv4Addr> = task
            .addresses
            .iter()
            .filter(|(n, _)| user.contains(&n))
            .map(|(_, a)| *a)
            .collect();
        (!addrs.is_empty()).then_some(addrs)
    }

    /// The service behind an address on the overlay (a VIP), if any.
    pub fn service_of_vip(&self, cluster: usize, addr: Ipv4Addr) -> Option<&Service> {
        self.swarms
            .get(cluster)?
            .services
            .values()
            .find(|s| s.virtual_ips.iter().any(|v| v.addr == addr))
    }

    /// The task that owns an overlay address.
    pub fn task_of_address(&self, cluster: usize, addr: Ipv4Addr) -> Option<&Task> {
        self.swarms
            .get(cluster)?
            .tasks
            .values()
            .find(|t| t.addresses.iter().any(|(_, a)| *a == addr))
    }

    /// The tasks that take traffic for a service: running (healthy, when it has a
    /// healthcheck, since a task is RUNNING only once healthy), on a Ready node whose machine
    /// is up, with their container.
    pub fn serving_tasks<'a>(&'a self, cluster: usize, service_id: &'a str) -> Vec<&'a Task> {
        let Some(s) = self.swarms.get(cluster) else {
            return Vec::new();
        };
        s.tasks_of(service_id)
            .filter(|t| t.state == TaskState::Running && t.desired == TaskState::Running)
            .filter(|t| {
                t.node_id
                    .as_ref()
                    .and_then(|n| s.nodes.get(n))
                    .is_some_and(|n| {
                        n.state == crate::swarm::NodeState::Ready
                            && self
                                .machine(n.machine)
                                .is_some_and(|m| m.power == Power::Running)
                    })
            })
            .filter(|t| t.container_id.is_some())
            .collect()
    }

    /// The routing mesh: the next task (round-robin) of the service that publishes `port`
    /// (`tcp`) on ingress: `None` when no service publishes it, `Some(None)` when none of its
    /// tasks can take traffic, else the task's ID.
    pub fn mesh_pick(&mut self, cluster: usize, port: u16) -> Option<Option<String>> {
        let s = self.swarms.get(cluster)?;
        let svc = s.services.values().find(|x| {
            x.endpoint_ports
                .iter()
                .any(|p| p.mode != "host" && p.published == port && p.protocol == "tcp")
        })?;
        let id = svc.id.clone();
        Some(self.balance(cluster, &id))
    }

    /// [`World::mesh_pick`] on the ingress of machine `m`. A node cut off from the acting
    /// leader programs its load balancer from its own view: it never learns that its tasks
    /// were replaced, so a task of its own whose container still runs stays a backend.
    pub fn mesh_pick_on(
        &mut self,
        cluster: usize,
        port: u16,
        m: MachineId,
    ) -> Option<Option<String>> {
        let cut_off = self
            .acting_leader(cluster)
            .is_none_or(|l| !self.can_reach(m, l));
        let node = self.memberships.get(&m).map(|x| x.node_id.clone());
        if !cut_off || node.is_none() {
            return self.mesh_pick(cluster, port);
        }
        let s = self.swarms.get(cluster)?;
        let svc = s.services.values().find(|x| {
            x.endpoint_ports
                .iter()
                .any(|p| p.mode != "host" && p.published == port && p.protocol == "tcp")
        })?;
        let id = svc.id.clone();
        let mut tasks: Vec<String> = self
            .serving_tasks(cluster, &id)
            .iter()
            .map(|t| t.id.clone())
            .collect();
        let up = self.machine(m).is_some_and(|x| x.power == Power::Running);
        tasks.extend(
            s.tasks_of(&id)
                .filter(|t| up && t.node_id == node && t.state == TaskState::Running)
                .filter(|t| t.container_id.is_some())
                .map(|t| t.id.clone()),
        );
        crate::sort::sort(&mut tasks);
        tasks.dedup();
        if tasks.is_empty() {
            return Some(None);
        }
        let s = self.swarms.get_mut(cluster)?;
        let n = s.control_rr(&id);
        Some(tasks.get((n % tasks.len() as u64) as usize).cloned())
    }

    /// Round-robin over a service's serving tasks (the VIP's load balancer).
    pub fn balance(&mut self, cluster: usize, service_id: &str) -> Option<String> {
        let mut tasks: Vec<String> = self
            .serving_tasks(cluster, service_id)
            .iter()
            .map(|t| t.id.clone())
            .collect();
        crate::sort::sort(&mut tasks);
        if tasks.is_empty() {
            return None;
        }
        let s = self.swarms.get_mut(cluster)?;
        let n = s.control_rr(service_id);
        tasks.get((n % tasks.len() as u64) as usize).cloned()
    }
}

/// One request through the simulated network, as the UI animates it and `sim trace` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrafficEvent {
    /// Its number (counting every request ever).
    pub seq: u64,
    /// When.
    pub at: SimTime,
    /// The machine it left from.
    pub from: MachineId,
    /// The host and port asked for.
    pub host: String,
    /// The port.
    pub port: u16,
    /// How it was routed: `mesh` (an ingress port), `vip`, `task`, `container`, `host`.
    pub via: &'static str,
    /// The task that answered, if a task did.
    pub task: Option<String>,
    /// The machine that answered.
    pub to: Option<MachineId>,
    /// The HTTP status, or the error.
    pub outcome: String,
}

/// How many requests the world remembers.
pub const TRAFFIC_KEEP: usize = 256;

/// What an HTTP request through the simulated network got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOutcome {
    /// The reply.
    pub reply: crate::catalog::HttpReply,
    /// The machine and container that answered.
    pub served_by: (MachineId, String),
    /// Over TLS (`https://`), the certificate the server presented (its PEM text, as the
    /// server's certificate file holds it); the client decides whether to trust it.
    pub cert: Option<String>,
}

/// Why an HTTP request got no reply, as curl tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The name does not resolve (`curl: (6) Could not resolve host: NAME`).
    CouldNotResolve,
    /// Nothing listens there (`curl: (7) Failed to connect to HOST port PORT …`).
    Refused,
    /// The packets go nowhere (a partition, a machine that is off).
    Timeout,
    /// A TLS client reached a server that speaks plain HTTP (curl: `wrong version number`,
    /// Go: `http: server gave HTTP response to HTTPS client`).
    NotTls,
    /// The server closed the connection without a response (a Go handler that panicked:
    /// `curl: (52) Empty reply from server`).
    EmptyReply,
}

/// What a client sends besides the address: method, path and query, body, headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpCall {
    /// `GET`, `POST` …
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The body (`curl -d`).
    pub body: String,
    /// Other headers (`Cookie`, `Content-Type`, `Authorization`, `User-Agent`).
    pub headers: Vec<(String, String)>,
    /// Over TLS (`https://`).
    pub tls: bool,
}

impl HttpCall {
    /// A plain `GET path`.
    pub fn get(path: &str) -> HttpCall {
        HttpCall {
            method: "GET".into(),
            path: path.to_string(),
            ..HttpCall::default()
        }
    }
}

/// Where a request goes once its destination address is known.
pub(crate) enum Target {
    /// A container on a machine, at a container port.
    Container(MachineId, String, u16),
    /// A machine's address: published ports decide.
    Machine(MachineId),
}

impl World {
    /// An HTTP GET of `http://HOST:PORT/PATH` from `from` (a machine's shell) or from inside
    /// `container` on it: resolves the host (machine names and addresses; inside a container
    /// `localhost`, the embedded DNS and overlay addresses), goes through the routing mesh or
    /// a VIP's load balancer, and lets the answering container's program reply (its access log
    /// gets the line it writes).
    pub fn http_get(
        &mut self,
        from: MachineId,
        container: Option<&str>,
        host: &str,
        port: u16,
        path: &str,
    ) -> Result<HttpOutcome, HttpError> {
        self.http_request(from, container, host, port, &HttpCall::get(path))
    }

    /// [`World::http_get`] with any method, body and headers (`curl -X POST -d …`).
    pub fn http_request(
        &mut self,
        from: MachineId,
        container: Option<&str>,
        host: &str,
        port: u16,
        call: &HttpCall,
    ) -> Result<HttpOutcome, HttpError> {
        let r = self.http_get_inner(from, container, host, port, call);
        let (task, to, via) = match &r {
            Ok(out) => {
                let cluster = self.memberships.get(&out.served_by.0).map(|m| m.cluster);
                let task = cluster
                    .and_then(|c| self.swarms.get(c))
                    .and_then(|s| {
                        s.tasks
                            .values()
                            .find(|t| t.container_id.as_deref() == Some(out.served_by.1.as_str()))
                    })
                    .map(|t| t.container_name());
                let via = if task.is_none() {
                    "container"
                } else if host.parse::<Ipv4Addr>().is_err()
                    && self.machine_by_name(host).is_none()
                    && !matches!(host, "localhost" | "127.0.0.1")
                {
                    "vip"
                } else {
                    "mesh"
                };
                (task, Some(out.served_by.0), via)
            }
            Err(_) => (None, None, "none"),
        };
        let outcome = match &r {
            Ok(out) => out.reply.status.to_string(),
            Err(HttpError::CouldNotResolve) => "could not resolve".into(),
            Err(HttpError::Refused) => "refused".into(),
            Err(HttpError::Timeout) => "timeout".into(),
            Err(HttpError::NotTls) => "not tls".into(),
            Err(HttpError::EmptyReply) => "empty reply".into(),
        };
        self.push_traffic(
            "http",
            TrafficEvent {
                seq: 0,
                at: SimTime::ZERO,
                from,
                host: host.to_string(),
                port,
                via,
                task,
                to,
                outcome,
            },
        );
        r
    }

    /// Records a request or connection (`kind` is `http` or `connect`) in the trace and in the
    /// bounded traffic history, numbering and timing it.
    pub(crate) fn push_traffic(&mut self, kind: &str, mut ev: TrafficEvent) {
        self.traffic_count += 1;
        ev.seq = self.traffic_count;
        ev.at = self.now();
        self.record(format!(
            "{kind} {} {}:{} -> {:?} {}",
            ev.from, ev.host, ev.port, ev.task, ev.outcome
        ));
        if self.traffic.len() >= TRAFFIC_KEEP {
            self.traffic.pop_front();
        }
        self.traffic.push_back(ev);
    }

    /// The requests recorded after number `seq` (the latest [`TRAFFIC_KEEP`] at most).
    pub fn traffic_since(&self, seq: u64) -> impl Iterator<Item = &TrafficEvent> {
        self.traffic.iter().filter(move |e| e.seq > seq)
    }

    /// How many requests were ever recorded.
    pub fn traffic_count(&self) -> u64 {
        self.traffic_count
    }

    fn http_get_inner(
        &mut self,
        from: MachineId,
        container: Option<&str>,
        host: &str,
        port: u16,
        call: &HttpCall,
    ) -> Result<HttpOutcome, HttpError> {
        let cluster = self.memberships.get(&from).map(|m| m.cluster);
        let own = container.and_then(|c| self.container(from, c).cloned());
        // A container's request to its own loopback comes from 127.0.0.1.
        let loopback = own.is_some() && matches!(host, "localhost" | "127.0.0.1" | "::1");
        let mut client_ip = own
            .as_ref()
            .filter(|_| !loopback)
            .and_then(|c| c.config.addresses.first().cloned())
            .or_else(|| loopback.then(|| "127.0.0.1".to_string()))
            .or_else(|| self.machine(from).map(|m| m.ip.to_string()))
            .unwrap_or_default();
        let target = match host {
            "localhost" | "127.0.0.1" | "::1" => match &own {
                Some(c) => Target::Container(from, c.id.clone(), port),
                None => Target::Machine(from),
            },
            _ => {
                let machine = self
                    .machine_by_name(host)
                    .or_else(|| host.parse().ok().and_then(|ip| self.machine_by_ip(ip)))
                    .map(|m| m.id);
                match machine {
                    Some(m) => Target::Machine(m),
                    None => {
                        let addr: Option<Ipv4Addr> = host.parse().ok();
                        let addr = match addr {
                            Some(a) => a,
                            None => {
                                // The embedded DNS answers only inside containers on user
                                // networks.
                                let Some(c) = &own else {
                                    return Err(HttpError::CouldNotResolve);
                                };
                                match self.container_dns(from, &c.id, host) {
                                    crate::endpoints::DnsAnswer::Found(ips) => {
                                        *ips.first().ok_or(HttpError::CouldNotResolve)?
                                    }
                                    _ => return Err(HttpError::CouldNotResolve),
                                }
                            }
                        };
                        match self.container_at(from, container, addr) {
                            Some((cm, cid)) => Target::Container(cm, cid, port),
                            None => {
                                let cl = cluster.ok_or(HttpError::Timeout)?;
                                self.overlay_target(cl, addr, port)?
                            }
                        }
                    }
                }
            }
        };
        let (m, cid, cport) = match target {
            Target::Container(m, c, p) => (m, c, p),
            Target::Machine(m) => {
                if !self.can_reach(from, m) {
                    return Err(HttpError::Timeout);
                }
                let (pm, c, p, source) = self.machine_port_from(m, port, from)?;
                if let Some(a) = source {
                    client_ip = a.to_string();
                }
                (pm, c, p)
            }
        };
        if !self.can_reach(from, m) {
            return Err(HttpError::Timeout);
        }
        let now = self.now().unix_ms();
        let user_agent = call
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("User-Agent"))
            .map_or("curl/8.5.0", |(_, v)| v.as_str());
        // The `Host` header: as the client set it, else the name it dialed with the port
        // unless that is the scheme's own.
        let host_header = call
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("Host"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| {
                let default = if call.tls { 443 } else { 80 };
                if port == default {
                    host.to_string()
                } else if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                }
            });
        let req = crate::catalog::HttpRequest {
            port: cport,
            method: &call.method,
            path: &call.path,
            host: &host_header,
            client: &client_ip,
            user_agent,
            now_unix_ms: now,
            body: &call.body,
            headers: &call.headers,
            tls: call.tls,
        };
        let cert = self.container_tls_cert(m, &cid);
        if call.tls && cert.is_none() {
            // A TLS handshake with a plain-HTTP server: nothing the program logs.
            let now = self.now();
            let listens = self.container(m, &cid).is_some_and(|c| {
                c.is_running()
                    && c.uptime_ms(now) >= c.program.startup_ms()
                    && c.program.ports().contains(&cport)
            });
            return Err(if listens {
                HttpError::NotTls
            } else {
                HttpError::Refused
            });
        }
        // A paused container's kernel takes the connection; its process never answers.
        if self.container(m, &cid).is_some_and(|c| c.paused) {
            return Err(HttpError::Timeout);
        }
        let reply = self
            .container_serve(m, &cid, &req)
            .ok_or(HttpError::Refused)?;
        if reply.status == 0 {
            return Err(HttpError::EmptyReply);
        }
        Ok(HttpOutcome {
            reply,
            served_by: (m, cid),
            cert: if call.tls { cert } else { None },
        })
    }

    /// An overlay address: a VIP (balanced over its service's tasks) or a task's address.
    pub(crate) fn overlay_target(
        &mut self,
        cluster: usize,
        addr: Ipv4Addr,
        port: u16,
    ) -> Result<Target, HttpError> {
        if let Some(svc) = self.service_of_vip(cluster, addr).map(|s| s.id.clone()) {
            let task = self.balance(cluster, &svc).ok_or(HttpError::Refused)?;
            return self.task_target(cluster, &task, port);
        }
        let task = self
            .task_of_address(cluster, addr)
            .map(|t| t.id.clone())
            .ok_or(HttpError::Timeout)?;
        self.task_target(cluster, &task, port)
    }

    pub(crate) fn task_target(
        &self,
        cluster: usize,
        task: &str,
        port: u16,
    ) -> Result<Target, HttpError> {
        let s = self.swarms.get(cluster).ok_or(HttpError::Timeout)?;
        let t = s.tasks.get(task).ok_or(HttpError::Refused)?;
        let m = t
            .node_id
            .as_ref()
            .and_then(|n| s.nodes.get(n))
            .map(|n| n.machine)
            .ok_or(HttpError::Timeout)?;
        let cid = t.container_id.clone().ok_or(HttpError::Refused)?;
        Ok(Target::Container(m, cid, port))
    }

    /// What answers on a machine's port: a standalone container publishing it, the routing
    /// mesh (every node of the swarm), or a task publishing it in host mode on that machine.
    pub(crate) fn machine_port(
        &mut self,
        m: MachineId,
        port: u16,
    ) -> Result<(MachineId, String, u16), HttpError> {
        self.machine_port_from(m, port, m)
            .map(|(pm, c, p, _)| (pm, c, p))
    }

    /// [`World::machine_port`] for a connection from `from`, with the source address the
    /// answering container sees when it is not the client's own: the routing mesh SNATs to the
    /// `ingress-sbox` address of the node that took the connection (moby#25526), and
    /// docker-proxy (a connection from the machine itself to a `docker run -p` port) connects
    /// from the gateway of the container's network (`172.17.0.1` on the default bridge).
    pub(crate) fn machine_port_from(
        &mut self,
        m: MachineId,
        port: u16,
        from: MachineId,
    ) -> Result<(MachineId, String, u16, Option<Ipv4Addr>), HttpError> {
        if self.machine(m).is_none_or(|x| x.power != Power::Running) {
            return Err(HttpError::Timeout);
        }
        let published = self.containers(m).iter().find_map(|c| {
            if !c.is_running() {
                return None;
            }
            c.bound_ports
                .iter()
                .find(|p| p.host_port == port && p.proto == "tcp")
                .map(|p| (c.id.clone(), p.container_port))
        });
        if let Some((cid, cport)) = published {
            let gateway = (from == m)
                .then(|| self.live_endpoints(m, &cid).first().map(|(_, e)| e.gateway))
                .flatten();
            return Ok((m, cid, cport, gateway));
        }
        let Some(cluster) = self.memberships.get(&m).map(|x| x.cluster) else {
            return Err(HttpError::Refused);
        };
        let target_port = self.swarms.get(cluster).and_then(|s| {
            s.services.values().find_map(|x| {
                x.endpoint_ports
                    .iter()
                    .find(|p| p.mode != "host" && p.published == port && p.protocol == "tcp")
                    .map(|p| p.target)
            })
        });
        if let Some(target_port) = target_port {
            let task = self
                .mesh_pick_on(cluster, port, m)
                .flatten()
                .ok_or(HttpError::Refused)?;
            let node = self.memberships.get(&m).map(|x| x.node_id.clone());
            let sbox = node.and_then(|n| self.swarms.get_mut(cluster)?.ingress_sbox(&n));
            return match self.task_target(cluster, &task, target_port)? {
                Target::Container(tm, c, p) => Ok((tm, c, p, sbox)),
                Target::Machine(_) => Err(HttpError::Refused),
            };
        }
        // A task's host-mode port is a binding of its container, found above.
        Err(HttpError::Refused)
    }
}
