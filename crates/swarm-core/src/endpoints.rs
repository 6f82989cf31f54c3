//! Container endpoints: each engine's local networks (the default `bridge`, `host`, `none`,
//! `docker_gwbridge` in a swarm, and user-defined bridge networks), the networks a standalone
//! container is connected to (`docker run --network`, `docker network connect|disconnect`),
//! the addresses it gets when it starts, and the embedded DNS as a standalone container sees it.
//!
//! - **Local address pools** (libnetwork's defaults): 172.17.0.0/16 is `docker0`, then
//!   172.18 … 172.31 as /16s, then 192.168.0.0/16 as /20s, skipping any pool that holds the
//!   machine's own LAN address; a new network takes the first free pool (so a removed network's
//!   pool is handed out again). `docker_gwbridge` takes its pool when the machine joins a swarm.
//! - **Addresses** are handed out when a container starts (or is connected while running):
//!   on bridge networks the lowest free address from `.2` among the running containers, on an
//!   attachable overlay the swarm's serial allocator ([`crate::network`]). A stopped
//!   container holds no address; one that starts again keeps its old address when it is free.
//! - **DNS**: only user-defined networks have the embedded server (127.0.0.11). On a bridge
//!   network, containers resolve each other by name, network alias, short ID and hostname; on
//!   an overlay, services (VIP, `tasks.NAME`), task containers and attached standalone
//!   containers. A container only on the default `bridge` resolves none of them, as in docker.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::container::hex64;
use crate::machine::MachineId;
use crate::time::SimTime;
use crate::world::World;

/// The default bridge (`docker0`).
pub const BRIDGE_SUBNET: (Ipv4Addr, u8) = (Ipv4Addr::new(172, 17, 0, 0), 16);

/// The most user-defined networks one engine holds (a bound on everything).
pub const MAX_LOCAL_NETWORKS: usize = 64;

/// The engine's predefined networks, with their drivers.
pub const PREDEFINED: [(&str, &str); 3] =
    [("bridge", "bridge"), ("host", "host"), ("none", "null")];

/// A network an engine created by itself (`docker network create [-d bridge] NAME`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalNetwork {
    /// 64-hex ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// `bridge`.
    pub driver: String,
    /// The subnet's first address.
    pub subnet: Ipv4Addr,
    /// Its prefix length.
    pub prefix: u8,
    /// The gateway (the bridge's own address).
    pub gateway: Ipv4Addr,
    /// `--internal`.
    pub internal: bool,
    /// `--attachable` (meaningless for local networks, but shown).
    pub attachable: bool,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Driver options.
    pub options: BTreeMap<String, String>,
    /// Creation time.
    pub created_at: SimTime,
    /// The subnet was given (`--subnet`), so `--ip` may be used.
    pub user_subnet: bool,
}

impl LocalNetwork {
    /// `172.18.0.0/16`.
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.subnet, self.prefix)
    }
}

/// What `docker network create` asks of a local driver.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalNetworkSpec {
    /// Name.
    pub name: String,
    /// Driver (`bridge` when empty).
    pub driver: String,
    /// `--subnet`.
    pub subnet: Option<String>,
    /// `--gateway`.
    pub gateway: Option<String>,
    /// `--internal`.
    pub internal: bool,
    /// `--attachable`.
    pub attachable: bool,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Options.
    pub options: BTreeMap<String, String>,
}

/// A container's address on one network while it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// 64-hex endpoint ID.
    pub id: String,
    /// The network's ID.
    pub network_id: String,
    /// The network's name.
    pub network_name: String,
    /// The address.
    pub addr: Ipv4Addr,
    /// The network's prefix length.
    pub prefix: u8,
    /// The network's gateway.
    pub gateway: Ipv4Addr,
}

impl Endpoint {
    /// `02:42` and the address's four bytes, as the bridge and overlay drivers make it.
    pub fn mac(&self) -> String {
        mac_of(self.addr)
    }
}

/// The MAC address docker derives from an IPv4 address.
pub fn mac_of(a: Ipv4Addr) -> String {
    let o = a.octets();
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
}

/// One network a standalone container is connected to (its `NetworkSettings.Networks` entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The network as it was named (`bridge`, a name, an ID).
    pub target: String,
    /// `--alias` / `--network-alias`.
    pub aliases: Vec<String>,
    /// `--ip`.
    pub ip: Option<Ipv4Addr>,
    /// Its address, set when the container starts (valid while it runs).
    pub endpoint: Option<Endpoint>,
}

impl Attachment {
    /// A connection to `target` with no address yet.
    pub fn to(target: &str) -> Attachment {
        Attachment {
            target: target.to_string(),
            aliases: Vec::new(),
            ip: None,
            endpoint: None,
        }
    }
}

/// An engine's local networks and its containers' connections.
#[derive(Clone, Debug, Default)]
pub struct LocalNetworks {
    /// User-defined networks, in creation order.
    pub networks: Vec<LocalNetwork>,
    /// `docker_gwbridge`'s pool, once taken.
    pub gwbridge: Option<(Ipv4Addr, u8)>,
    /// Each standalone container's networks, in connection order (absent: the default bridge).
    pub attachments: BTreeMap<String, Vec<Attachment>>,
}

/// A network as a container names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetRef {
    /// `bridge`, `host` or `none`.
    Predefined(&'static str),
    /// A user-defined local network (its ID).
    Local(String),
    /// A swarm network (cluster, ID).
    Swarm(usize, String),
}

/// What the embedded DNS answers a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsAnswer {
    /// The container has no embedded DNS (default bridge, host network): the host's resolver
    /// answers, which knows none of the names of the playground.
    NoEmbeddedDns,
    /// NXDOMAIN.
    NotFound,
    /// The addresses.
    Found(Vec<Ipv4Addr>),
}

/// Whether a name is one the internet's DNS knows: dotted, under a real top-level domain
/// (not the reserved `test`, `invalid`, `local`, `localhost`, nor `internal` and `lan`).
fn is_public_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let Some((rest, tld)) = name.rsplit_once('.') else {
        return false;
    };
    !rest.is_empty()
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_lowercase())
        && !matches!(
            tld,
            "test"
                | "invalid"
                | "local"
                | "localhost"
                | "internal"
                | "lan"
                | "localdomain"
                | "home"
        )
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

fn overlaps(a: (Ipv4Addr, u8), b: (Ipv4Addr, u8)) -> bool {
    let m = mask(a.1.min(b.1));
    u32::from(a.0) & m == u32::from(b.0) & m
}

fn contains(net: (Ipv4Addr, u8), a: Ipv4Addr) -> bool {
    let m = mask(net.1);
    u32::from(net.0) & m == u32::from(a) & m
}

/// libnetwork's local default pools in order.
fn local_pools() -> impl Iterator<Item = (Ipv4Addr, u8)> {
    let sixteens = (17u8..=31).map(|b| (Ipv4Addr::new(172, b, 0, 0), 16));
    let twenties = (0u8..16).map(|i| (Ipv4Addr::new(192, 168, i * 16, 0), 20));
    sixteens.chain(twenties)
}

/// The stable ID of a predefined network (or `docker_gwbridge`) on a host.
pub fn predefined_id(hostname: &str, name: &str) -> String {
    hex64(&format!("network:{hostname}:{name}"))
}

/// Parses `10.5.0.0/24` with the daemon's `ValidateIPAM` texts (host bits must be zero).
fn parse_subnet(s: &str) -> Result<(Ipv4Addr, u8), String> {
    let bad = || format!("invalid subnet {s}: invalid CIDR address: {s}");
    let (a, p) = s.split_once('/').ok_or_else(bad)?;
    let addr: Ipv4Addr = a.parse().map_err(|_| bad())?;
    let prefix: u8 = p.parse().map_err(|_| bad())?;
    if prefix > 32 {
        return Err(bad());
    }
    let base = Ipv4Addr::from(u32::from(addr) & mask(prefix));
    if base != addr {
        return Err(format!("invalid subnet {s}: it should be {base}/{prefix}"));
    }
    Ok((base, prefix))
}

impl World {
    fn local(&self, m: MachineId) -> Option<&crate::endpoints::LocalNetworks> {
        self.machine(m).map(|x| &x.networks)
    }

    pub(crate) fn local_mut(&mut self, m: MachineId) -> Option<&mut LocalNetworks> {
        self.machine_mut(m).map(|x| &mut x.networks)
    }

    /// The user-defined local networks of `m`, in creation order.
    pub fn local_networks(&self, m: MachineId) -> &[LocalNetwork] {
        self.local(m).map_or(&[], |l| &l.networks)
    }

    /// `docker_gwbridge`'s subnet on `m`: there from the machine's first swarm on (leaving
    /// the swarm keeps the network, as the engine does).
    pub fn gwbridge_subnet(&self, m: MachineId) -> Option<(Ipv4Addr, u8)> {
        let l = self.local(m)?;
        if let Some(g) = l.gwbridge {
            return Some(g);
        }
        self.membership(m)?;
        self.free_pool(m)
    }

    /// The first local pool no network of `m` uses (nor its LAN address).
    fn free_pool(&self, m: MachineId) -> Option<(Ipv4Addr, u8)> {
        let l = self.local(m)?;
        let host = self.machine(m)?.ip;
        let mut taken: Vec<(Ipv4Addr, u8)> = vec![BRIDGE_SUBNET];
        taken.extend(l.networks.iter().map(|n| (n.subnet, n.prefix)));
        taken.extend(l.gwbridge);
        local_pools().find(|p| !contains(*p, host) && !taken.iter().any(|t| overlaps(*t, *p)))
    }

    /// Records `docker_gwbridge`'s pool before another network can take it.
    pub(crate) fn settle_gwbridge(&mut self, m: MachineId) {
        if self.membership(m).is_none() {
            return;
        }
        let pool = self.free_pool(m);
        if let Some(l) = self.local_mut(m) {
            if l.gwbridge.is_none() {
                l.gwbridge = pool;
            }
        }
    }

    /// `docker network create [-d bridge] NAME` on `m`'s engine: returns the new ID.
    pub fn local_network_create(
        &mut self,
        m: MachineId,
        spec: LocalNetworkSpec,
    ) -> Result<String, String> {
        if PREDEFINED.iter().any(|(n, _)| *n == spec.name) {
            return Err(format!(
                "operation is not permitted on predefined {} network",
                spec.name
            ));
        }
        let driver = if spec.driver.is_empty() {
            "bridge".to_string()
        } else {
            spec.driver.clone()
        };
        match driver.as_str() {
            "bridge" => {}
            "host" | "null" => {
                return Err(format!("only one instance of \"{driver}\" network is allowed"))
            }
            "macvlan" | "ipvlan" => {
                return Err(format!(
                    "the {driver} driver is not emulated by Swarm Playground yet (bridge and overlay networks are)"
                ))
            }
            other => return Err(format!("plugin \"{other}\" not found")),
        }
        if self.find_network_on(m, &spec.name).is_ok_and(|r| match &r {
            NetRef::Local(_) | NetRef::Predefined(_) => true,
            NetRef::Swarm(..) => false,
        }) || (spec.name == "docker_gwbridge" && self.membership(m).is_some())
        {
            return Err(format!("network with name {} already exists", spec.name));
        }
        if let Some((s, _)) = self.node_of(m) {
            if s.networks.values().any(|n| n.name == spec.name) {
                return Err(format!("network with name {} already exists", spec.name));
            }
        }
        if self.local_networks(m).len() >= MAX_LOCAL_NETWORKS {
            return Err(format!(
                "the playground's engines hold at most {MAX_LOCAL_NETWORKS} networks"
            ));
        }
        let (subnet, prefix) = match &spec.subnet {
            Some(s) => {
                let pool = parse_subnet(s)?;
                let l = self.local(m).cloned().unwrap_or_default();
                let mut taken: Vec<(Ipv4Addr, u8)> = vec![BRIDGE_SUBNET];
                taken.extend(l.networks.iter().map(|n| (n.subnet, n.prefix)));
                taken.extend(self.gwbridge_subnet(m));
                if taken.iter().any(|t| overlaps(*t, pool)) {
                    return Err(
                        "invalid pool request: Pool overlaps with other one on this address space"
                            .into(),
                    );
                }
                pool
            }
            None => {
                self.settle_gwbridge(m);
                self.free_pool(m)
                    .ok_or("all predefined address pools have been fully subnetted".to_string())?
            }
        };
        let gateway = match &spec.gateway {
            Some(g) => {
                let a: Ipv4Addr = g
                    .parse()
                    .map_err(|_| format!("invalid gateway address {g}"))?;
                if !contains((subnet, prefix), a) {
                    return Err(format!(
                        "invalid pool request: gateway {g} is not in the subnet {subnet}/{prefix}"
                    ));
                }
                a
            }
            None => Ipv4Addr::from(u32::from(subnet) + 1),
        };
        self.settle_gwbridge(m);
        let id = crate::ids::hex_id(self.rng("local-networks"));
        let now = self.now();
        let net = LocalNetwork {
            id: id.clone(),
            name: spec.name,
            driver,
            subnet,
            prefix,
            gateway,
            internal: spec.internal,
            attachable: spec.attachable,
            labels: spec.labels,
            user_subnet: spec.subnet.is_some(),
            options: spec.options,
            created_at: now,
        };
        self.record(format!("network-create {m} {} {}", net.name, net.cidr()));
        if let Some(l) = self.local_mut(m) {
            l.networks.push(net);
        }
        Ok(id)
    }

    /// Resolves a network as `m`'s engine does for a container: full ID, name, unique ID
    /// prefix; the engine's own networks first, then its swarm's.
    pub fn find_network_on(&self, m: MachineId, r: &str) -> Result<NetRef, String> {
        let host = self
            .machine(m)
            .map(|x| x.hostname.clone())
            .unwrap_or_default();
        let mut local: Vec<(String, String, NetRef)> = PREDEFINED
            .iter()
            .map(|(n, _)| {
                (
                    predefined_id(&host, n),
                    n.to_string(),
                    NetRef::Predefined(n),
                )
            })
            .collect();
        for n in self.local_networks(m) {
            local.push((n.id.clone(), n.name.clone(), NetRef::Local(n.id.clone())));
        }
        if let Some(hit) = local.iter().find(|(id, _, _)| id == r) {
            return Ok(hit.2.clone());
        }
        let by_name: Vec<&(String, String, NetRef)> =
            local.iter().filter(|(_, n, _)| n == r).collect();
        if let [one] = by_name.as_slice() {
            return Ok(one.2.clone());
        }
        let by_prefix: Vec<&(String, String, NetRef)> = local
            .iter()
            .filter(|(id, _, _)| !r.is_empty() && id.starts_with(r))
            .collect();
        if let [one] = by_prefix.as_slice() {
            return Ok(one.2.clone());
        }
        if by_prefix.len() > 1 {
            return Err(format!(
                "network {r} is ambiguous ({} matches found based on ID prefix)",
                by_prefix.len()
            ));
        }
        if let Some(ms) = self.membership(m) {
            if let Some(s) = self.swarm(ms.cluster) {
                if let Ok(n) = s.find_network(r) {
                    return Ok(NetRef::Swarm(ms.cluster, n.id.clone()));
                }
            }
        }
        Err(format!("network {r} not found"))
    }

    /// The name and ID of a resolved network.
    pub fn net_name_id(&self, m: MachineId, r: &NetRef) -> Option<(String, String)> {
        match r {
            NetRef::Predefined(n) => {
                let host = &self.machine(m)?.hostname;
                Some((n.to_string(), predefined_id(host, n)))
            }
            NetRef::Local(id) => self
                .local_networks(m)
                .iter()
                .find(|n| n.id == *id)
                .map(|n| (n.name.clone(), n.id.clone())),
            NetRef::Swarm(c, id) => self
                .swarm(*c)?
                .networks
                .get(id)
                .map(|n| (n.name.clone(), n.id.clone())),
        }
    }

    /// A standalone container's networks as configured (the default bridge when never set);
    /// empty for task containers.
    pub fn container_attachments(&self, m: MachineId, container_id: &str) -> Vec<Attachment> {
        let Some(c) = self.container(m, container_id) else {
            return Vec::new();
        };
        if c.config.task_id.is_some() {
            return Vec::new();
        }
        self.local(m)
            .and_then(|l| l.attachments.get(container_id).cloned())
            .unwrap_or_else(|| vec![Attachment::to("bridge")])
    }

    /// Sets a new container's networks (`docker create --network …`).
    pub fn container_set_networks(
        &mut self,
        m: MachineId,
        container_id: &str,
        nets: Vec<Attachment>,
    ) {
        if let Some(l) = self.local_mut(m) {
            l.attachments.insert(container_id.to_string(), nets);
        }
    }

    /// The endpoints a container has now: none unless it runs.
    pub fn live_endpoints(&self, m: MachineId, container_id: &str) -> Vec<(Attachment, Endpoint)> {
        match self.container(m, container_id) {
            Some(c) if c.is_running() => {}
            _ => return Vec::new(),
        }
        self.container_attachments(m, container_id)
            .into_iter()
            .filter_map(|a| {
                let e = a.endpoint.clone()?;
                Some((a, e))
            })
            .collect()
    }

    /// Checks, before a container starts, that every network it names can be joined; the error
    /// is the daemon's.
    pub(crate) fn endpoints_check(&self, m: MachineId, container_id: &str) -> Result<(), String> {
        for a in self.container_attachments(m, container_id) {
            self.check_attach(m, &a.target)
                .map_err(|e| format!("failed to set up container networking: {e}"))?;
        }
        Ok(())
    }

    /// Whether a container on `m` may join `target` (the text when not).
    fn check_attach(&self, m: MachineId, target: &str) -> Result<NetRef, String> {
        let in_swarm = self.membership(m).is_some();
        match self.find_network_on(m, target) {
            Ok(NetRef::Swarm(c, id)) => {
                let n = self
                    .swarm(c)
                    .and_then(|s| s.networks.get(&id))
                    .ok_or_else(|| format!("network {target} not found"))?;
                if !n.attachable {
                    return Err(format!("Could not attach to network {target}: rpc error: code = PermissionDenied desc = network {target} not manually attachable"));
                }
                Ok(NetRef::Swarm(c, id))
            }
            Ok(r) => Ok(r),
            Err(e) if in_swarm && e.ends_with("not found") => Err(format!(
                "Could not attach to network {target}: rpc error: code = NotFound desc = network {target} not found"
            )),
            Err(e) => Err(e),
        }
    }

    /// Whether `--ip ADDR` is allowed on a network (the daemon's endpoint-settings check).
    pub fn check_static_ip(&self, m: MachineId, r: &NetRef, ip: Ipv4Addr) -> Result<(), String> {
        let e = |t: &str| Err(format!("invalid endpoint settings:\n{t}"));
        match r {
            NetRef::Predefined(_) => {
                e("user specified IP address is supported on user defined networks only")
            }
            NetRef::Local(lid) => match self.local_networks(m).iter().find(|n| n.id == *lid) {
                Some(n) if n.user_subnet && contains((n.subnet, n.prefix), ip) => Ok(()),
                Some(n) if n.user_subnet => e(&format!(
                    "no configured subnet or ip-range contain the IP address {ip}"
                )),
                _ => e("user specified IP address is supported only when connecting to networks with user configured subnets"),
            },
            NetRef::Swarm(..) => Ok(()),
        }
    }

    /// Gives a starting container its addresses (keeping a previous one that is still free),
    /// and its program the addresses it sees. Task containers take their task's addresses.
    pub(crate) fn endpoints_on_start(&mut self, m: MachineId, container_id: &str) {
        self.attach_on_start(m, container_id);
    }

    /// The container's command runs again with its resolver's answers for the names it looks
    /// up (`docker run alpine ping web`), as `docker exec` would get them; called once the
    /// starting container is running on its networks.
    pub(crate) fn resolve_program_names(&mut self, m: MachineId, container_id: &str) {
        let Some(c) = self.container(m, container_id) else {
            return;
        };
        let names = c.program.dns_names().to_vec();
        if names.is_empty() {
            return;
        }
        let answers: std::collections::BTreeMap<String, crate::catalog::Lookup> = names
            .iter()
            .map(|n| (n.clone(), self.container_lookup(m, container_id, n)))
            .collect();
        if let Some(c) = self.ctr_mut(m, container_id) {
            c.program = c.program.clone().with_dns(answers);
        }
    }

    /// What container `cid`'s resolver answers for `name`: the embedded DNS's records
    /// ([`World::container_dns`]), the address `ping` uses (a machine's name stands in when
    /// DNS has none) and whether pings to it get replies.
    pub fn container_lookup(&self, m: MachineId, cid: &str, name: &str) -> crate::catalog::Lookup {
        let answer = self.container_dns(m, cid, name);
        let server = if answer == DnsAnswer::NoEmbeddedDns {
            "8.8.8.8"
        } else {
            "127.0.0.11"
        };
        let mut addrs = match &answer {
            DnsAnswer::Found(a) => a.clone(),
            _ => Vec::new(),
        };
        // A public name (`docker.com`): the host's resolver, or the embedded DNS forwarding
        // to it, answers with an internet address, which answers pings.
        let public =
            addrs.is_empty() && is_public_name(name) && self.machine_by_name(name).is_none();
        if public {
            addrs.extend(crate::catalog::resolve_host(name).parse::<Ipv4Addr>().ok());
        }
        let ping = match name {
            "localhost" => Some(Ipv4Addr::LOCALHOST),
            n => n
                .parse()
                .ok()
                .or_else(|| addrs.first().copied())
                .or_else(|| self.machine_by_name(n).map(|x| x.ip)),
        };
        crate::catalog::Lookup {
            server: server.to_string(),
            addrs: addrs.iter().map(Ipv4Addr::to_string).collect(),
            ping: ping.map(|a| a.to_string()),
            reachable: public || ping.is_some_and(|a| self.ping_path(m, cid, a).is_some()),
        }
    }

    fn attach_on_start(&mut self, m: MachineId, container_id: &str) {
        let Some(c) = self.container(m, container_id) else {
            return;
        };
        if let Some(task_id) = c.config.task_id.clone() {
            let addrs: Vec<String> = self
                .membership(m)
                .and_then(|ms| self.swarm(ms.cluster))
                .and_then(|s| s.tasks.get(&task_id))
                .map(|t| t.addresses.iter().map(|(_, a)| a.to_string()).collect())
                .unwrap_or_default();
            self.set_program_addresses(m, container_id, addrs);
            return;
        }
        let mut atts = self.container_attachments(m, container_id);
        for a in atts.iter_mut() {
            let ep = match self.check_attach(m, &a.target) {
                Ok(r) => self.endpoint_for(m, container_id, &r, a),
                Err(_) => None,
            };
            a.endpoint = ep;
        }
        let addrs: Vec<String> = atts
            .iter()
            .filter_map(|a| a.endpoint.as_ref().map(|e| e.addr.to_string()))
            .collect();
        self.container_set_networks(m, container_id, atts);
        self.set_program_addresses(m, container_id, addrs);
    }

    fn set_program_addresses(&mut self, m: MachineId, container_id: &str, addrs: Vec<String>) {
        if let Some(mc) = self.machine_mut(m) {
            if let Some(c) = mc
                .runtime
                .containers
                .iter_mut()
                .find(|c| c.id == container_id)
            {
                c.program = c.program.clone().with_addresses(&addrs);
                c.config.addresses = addrs;
            }
        }
    }

    /// Every address on local network `net_id` of `m` held by a running container other than
    /// `except`.
    fn local_used(&self, m: MachineId, net_id: &str, except: &str) -> Vec<Ipv4Addr> {
        let Some(l) = self.local(m) else {
            return Vec::new();
        };
        let mut used = Vec::new();
        for c in self.containers(m) {
            if c.id == except || !c.is_running() {
                continue;
            }
            let atts = match l.attachments.get(&c.id) {
                Some(a) => a.clone(),
                None => continue,
            };
            for a in atts {
                if let Some(e) = a.endpoint {
                    if e.network_id == net_id {
                        used.push(e.addr);
                    }
                }
            }
        }
        used
    }

    /// An endpoint for a container on a resolved network (`None`: host, none, or full).
    fn endpoint_for(
        &mut self,
        m: MachineId,
        container_id: &str,
        r: &NetRef,
        att: &Attachment,
    ) -> Option<Endpoint> {
        let (name, id) = self.net_name_id(m, r)?;
        let (subnet, prefix, gateway) = match r {
            NetRef::Predefined("bridge") => (
                BRIDGE_SUBNET.0,
                BRIDGE_SUBNET.1,
                Ipv4Addr::new(172, 17, 0, 1),
            ),
            NetRef::Predefined(_) => return None,
            NetRef::Local(lid) => {
                let n = self.local_networks(m).iter().find(|n| n.id == *lid)?;
                (n.subnet, n.prefix, n.gateway)
            }
            NetRef::Swarm(c, nid) => {
                let task_id = crate::ids::swarm_id(self.rng("attachments"));
                let (c, nid) = (*c, nid.clone());
                self.prune_attachments(c, &nid);
                let keep = self.swarms[c]
                    .networks
                    .get(&nid)
                    .and_then(|n| n.attachments.get(container_id))
                    .filter(|a| a.machine == m)
                    .map(|a| a.addr);
                let addr = match keep {
                    Some(a) => a,
                    None => self.swarms[c].attach_container(&nid, container_id, m, &task_id)?,
                };
                let n = self.swarms[c].networks.get(&nid)?;
                return Some(Endpoint {
                    id: hex64(&format!("endpoint:{container_id}:{id}")),
                    network_id: id,
                    network_name: name,
                    addr,
                    prefix: n.prefix,
                    gateway: n.gateway,
                });
            }
        };
        let used = self.local_used(m, &id, container_id);
        // Bounded: at most 65 536 candidates, whatever the prefix (/0 included).
        let size: u32 = 1u32 << (32 - u32::from(prefix.clamp(16, 30)));
        let base = u32::from(subnet);
        let free =
            |a: Ipv4Addr| a != gateway && contains((subnet, prefix), a) && !used.contains(&a);
        let previous = att
            .endpoint
            .as_ref()
            .filter(|e| e.network_id == id)
            .map(|e| e.addr);
        let addr = att
            .ip
            .filter(|a| contains((subnet, prefix), *a))
            .or(previous.filter(|a| free(*a)))
            .or_else(|| {
                (1..size - 1)
                    .map(|h| Ipv4Addr::from(base.wrapping_add(h)))
                    .find(|a| free(*a))
            })?;
        Some(Endpoint {
            id: hex64(&format!("endpoint:{container_id}:{id}")),
            network_id: id,
            network_name: name,
            addr,
            prefix,
            gateway,
        })
    }

    /// Forgets the overlay attachments of containers that no longer run there.
    fn prune_attachments(&mut self, cluster: usize, network_id: &str) {
        let Some(n) = self
            .swarms
            .get(cluster)
            .and_then(|s| s.networks.get(network_id))
        else {
            return;
        };
        let stale: Vec<String> = n
            .attachments
            .iter()
            .filter(|(cid, a)| !self.attachment_live(a.machine, cid, network_id))
            .map(|(cid, _)| cid.clone())
            .collect();
        if let Some(n) = self.swarms[cluster].networks.get_mut(network_id) {
            for cid in stale {
                n.attachments.remove(&cid);
            }
        }
    }

    /// Whether container `cid` on `m` runs with an endpoint on swarm network `network_id`.
    pub(crate) fn attachment_live(&self, m: MachineId, cid: &str, network_id: &str) -> bool {
        self.live_endpoints(m, cid)
            .iter()
            .any(|(_, e)| e.network_id == network_id)
    }

    /// `docker network connect [--alias A] [--ip IP] NET CONTAINER`.
    pub fn network_connect(
        &mut self,
        m: MachineId,
        network: &str,
        container: &str,
        aliases: Vec<String>,
        ip: Option<Ipv4Addr>,
    ) -> Result<(), String> {
        let c = self.find_container(m, container)?.clone();
        if c.config.task_id.is_some() {
            return Err(format!(
                "container {} is a swarm task: connect its service with docker service update --network-add",
                c.id
            ));
        }
        let mut atts = self.container_attachments(m, &c.id);
        let resolved = self.find_network_on(m, network);
        let (name, id) = match &resolved {
            Ok(r) => self.net_name_id(m, r).unwrap_or_default(),
            Err(_) => (network.to_string(), String::new()),
        };
        let current: Vec<(usize, Option<NetRef>)> = atts
            .iter()
            .enumerate()
            .map(|(i, a)| (i, self.find_network_on(m, &a.target).ok()))
            .collect();
        let mode_of = |r: &Option<NetRef>| match r {
            Some(NetRef::Predefined(n)) => *n,
            _ => "user",
        };
        if resolved == Ok(NetRef::Predefined("host"))
            && !current.iter().any(|(_, r)| mode_of(r) == "host")
        {
            return Err(
                "cannot connect container to host network - container must be created in host network mode"
                    .into(),
            );
        }
        if matches!(resolved, Ok(NetRef::Predefined(_))) && !aliases.is_empty() {
            return Err("invalid endpoint settings:\nnetwork-scoped alias is supported only for containers in user defined networks".into());
        }
        for (i, r) in &current {
            let same = match (r, &resolved) {
                (Some(a), Ok(b)) => a == b,
                _ => atts[*i].target == network,
            };
            if same {
                if !c.is_running() {
                    return Ok(());
                }
                return Err(match &resolved {
                    Ok(NetRef::Swarm(..)) => {
                        format!("{} is already attached to network {name}", c.name)
                    }
                    _ => format!(
                        "endpoint with name {} already exists in network {name}",
                        c.name
                    ),
                });
            }
            if mode_of(r) == "host" {
                return Err("container sharing network namespace with another container or host cannot be connected to any other network".into());
            }
            if mode_of(r) == "none" || matches!(resolved, Ok(NetRef::Predefined("none"))) {
                return Err("container cannot be connected to multiple networks with one of the networks in private (none) mode".into());
            }
        }
        if let (Some(ip), Ok(r)) = (ip, &resolved) {
            self.check_static_ip(m, r, ip)?;
        }
        let mut att = Attachment::to(network);
        att.aliases = aliases;
        att.ip = ip;
        if c.is_running() {
            let r = self.check_attach(m, network)?;
            if let Some(ip) = ip {
                self.check_static_ip(m, &r, ip)?;
                if self.local_used(m, &id, &c.id).contains(&ip) {
                    return Err("Address already in use".into());
                }
            }
            att.endpoint = self.endpoint_for(m, &c.id, &r, &att);
        }
        atts.push(att);
        self.record(format!("network-connect {m} {} {}", c.short_id(), name));
        let addrs: Vec<String> = atts
            .iter()
            .filter_map(|a| a.endpoint.as_ref().map(|e| e.addr.to_string()))
            .collect();
        self.container_set_networks(m, &c.id, atts);
        if c.is_running() {
            self.set_program_addresses(m, &c.id, addrs);
        }
        Ok(())
    }

    /// `docker network disconnect [-f] NET CONTAINER`.
    pub fn network_disconnect(
        &mut self,
        m: MachineId,
        network: &str,
        container: &str,
        force: bool,
    ) -> Result<(), String> {
        let c = match self.find_container(m, container) {
            Ok(c) => c.clone(),
            Err(e) => {
                if force {
                    self.find_network_on(m, network)?;
                    return Err(format!("endpoint {container} not found"));
                }
                return Err(e);
            }
        };
        let resolved = self.find_network_on(m, network);
        let mut atts = self.container_attachments(m, &c.id);
        let pos = atts
            .iter()
            .position(|a| match (&resolved, self.find_network_on(m, &a.target)) {
                (Ok(r), Ok(x)) => *r == x,
                _ => a.target == network,
            });
        if !c.is_running() || (resolved.is_err() && force) {
            let name = match &resolved {
                Ok(r) => self.net_name_id(m, r).map(|x| x.0).unwrap_or_default(),
                Err(_) => network.to_string(),
            };
            let Some(i) = pos else {
                return Err(format!(
                    "container {} is not connected to the network {name}",
                    c.id
                ));
            };
            atts.remove(i);
        } else {
            let r = resolved?;
            let name = self.net_name_id(m, &r).map(|x| x.0).unwrap_or_default();
            if r == NetRef::Predefined("host") {
                return Err("cannot disconnect container from host network - container was created in host network mode".into());
            }
            let Some(i) =
                pos.filter(|i| atts[*i].endpoint.is_some() || matches!(r, NetRef::Predefined(_)))
            else {
                return Err(format!(
                    "container {} is not connected to network {name}",
                    c.id
                ));
            };
            atts.remove(i);
        }
        self.record(format!("network-disconnect {m} {} {network}", c.short_id()));
        let addrs: Vec<String> = atts
            .iter()
            .filter_map(|a| a.endpoint.as_ref().map(|e| e.addr.to_string()))
            .collect();
        self.container_set_networks(m, &c.id, atts);
        if c.is_running() {
            self.set_program_addresses(m, &c.id, addrs);
        }
        Ok(())
    }

    /// `docker network rm` of a local network: refused for the predefined ones and while
    /// running containers are connected. Returns the network's name.
    pub fn local_network_remove(&mut self, m: MachineId, r: &str) -> Result<String, String> {
        let net = self.find_network_on(m, r)?;
        let (name, id) = self.net_name_id(m, &net).unwrap_or_default();
        match net {
            NetRef::Predefined(_) => Err(format!(
                "{name} is a pre-defined network and cannot be removed"
            )),
            NetRef::Swarm(..) => Err(format!("network {r} is a swarm network")),
            NetRef::Local(lid) => {
                let eps = self.local_endpoints(m, &id);
                if !eps.is_empty() {
                    let list: Vec<String> = eps
                        .iter()
                        .map(|(_, name, e)| format!("name:\"{name}\" id:\"{}\"", &e.id[..12]))
                        .collect();
                    return Err(format!(
                        "error while removing network: network {name} has active endpoints ({})",
                        list.join(", ")
                    ));
                }
                self.record(format!("network-rm {m} {name}"));
                if let Some(l) = self.local_mut(m) {
                    l.networks.retain(|n| n.id != lid);
                }
                Ok(name)
            }
        }
    }

    /// The running containers of `m` with an endpoint on network `net_id` (local or swarm):
    /// (container ID, container name, endpoint), by container ID. Task containers on an
    /// overlay are included.
    pub fn local_endpoints(&self, m: MachineId, net_id: &str) -> Vec<(String, String, Endpoint)> {
        let mut out = Vec::new();
        for c in self.containers(m) {
            if !c.is_running() {
                continue;
            }
            for (_, e) in self.live_endpoints(m, &c.id) {
                if e.network_id == net_id {
                    out.push((c.id.clone(), c.name.clone(), e));
                }
            }
        }
        if let Some((s, node)) = self.node_of(m) {
            if let Some(n) = s.networks.get(net_id) {
                for t in s.tasks.values() {
                    if t.node_id.as_deref() != Some(node.id.as_str()) {
                        continue;
                    }
                    let Some(cid) = t.container_id.as_deref() else {
                        continue;
                    };
                    let Some(c) = self.container(m, cid).filter(|c| c.is_running()) else {
                        continue;
                    };
                    for (nid, a) in &t.addresses {
                        if nid == net_id {
                            out.push((
                                c.id.clone(),
                                c.name.clone(),
                                Endpoint {
                                    id: hex64(&format!("endpoint:{}:{nid}", c.id)),
                                    network_id: nid.clone(),
                                    network_name: n.name.clone(),
                                    addr: *a,
                                    prefix: n.prefix,
                                    gateway: n.gateway,
                                },
                            ));
                        }
                    }
                }
            }
        }
        crate::sort::sort_by(&mut out, |a, b| a.0.cmp(&b.0));
        out
    }

    /// The names a standalone container answers to on a user-defined network: its name, its
    /// aliases there, its short ID and its hostname.
    fn dns_names(&self, m: MachineId, cid: &str, att: &Attachment) -> Vec<String> {
        let Some(c) = self.container(m, cid) else {
            return Vec::new();
        };
        let mut names = vec![c.name.clone()];
        names.extend(att.aliases.iter().cloned());
        names.push(c.short_id().to_string());
        names.push(c.config.hostname.clone());
        names.dedup();
        names
    }

    /// What the embedded DNS of container `cid` on `m` answers for `name`.
    pub fn container_dns(&self, m: MachineId, cid: &str, name: &str) -> DnsAnswer {
        let Some(c) = self.container(m, cid) else {
            return DnsAnswer::NotFound;
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let cluster = self.membership(m).map(|ms| ms.cluster);
        if c.config.task_id.is_some() {
            let Some(cl) = cluster else {
                return DnsAnswer::NotFound;
            };
            let nets = self.task_networks_of(cl, cid);
            return match self.dns_lookup(cl, &nets, &name) {
                Some(a) => DnsAnswer::Found(a),
                None => DnsAnswer::NotFound,
            };
        }
        let host = self
            .machine(m)
            .map(|x| x.hostname.clone())
            .unwrap_or_default();
        let bridge = predefined_id(&host, "bridge");
        let eps = self.live_endpoints(m, cid);
        let user: Vec<&(Attachment, Endpoint)> =
            eps.iter().filter(|(_, e)| e.network_id != bridge).collect();
        if user.is_empty() {
            return DnsAnswer::NoEmbeddedDns;
        }
        let mut found: Vec<Ipv4Addr> = Vec::new();
        for (_, e) in &user {
            let overlay = cluster.filter(|cl| {
                self.swarm(*cl)
                    .is_some_and(|s| s.networks.contains_key(&e.network_id))
            });
            if let Some(cl) = overlay {
                if let Some(a) = self.dns_lookup(cl, std::slice::from_ref(&e.network_id), &name) {
                    found.extend(a);
                }
                continue;
            }
            for other in self.containers(m) {
                if !other.is_running() {
                    continue;
                }
                for (a, oe) in self.live_endpoints(m, &other.id) {
                    if oe.network_id == e.network_id
                        && self
                            .dns_names(m, &other.id, &a)
                            .iter()
                            .any(|n| n.to_ascii_lowercase() == name)
                    {
                        found.push(oe.addr);
                    }
                }
            }
        }
        let mut seen = Vec::new();
        found.retain(|a| {
            let fresh = !seen.contains(a);
            seen.push(*a);
            fresh
        });
        if found.is_empty() {
            DnsAnswer::NotFound
        } else {
            DnsAnswer::Found(found)
        }
    }

    /// The overlay networks (IDs) of the task whose container is `cid`.
    pub(crate) fn task_networks_of(&self, cluster: usize, cid: &str) -> Vec<String> {
        self.swarms
            .get(cluster)
            .and_then(|s| {
                s.tasks
                    .values()
                    .find(|t| t.container_id.as_deref() == Some(cid))
            })
            .map(|t| t.addresses.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default()
    }

    /// Standalone containers attached to swarm network `network_id` answering to `name`
    /// (anywhere in the cluster): their addresses.
    pub(crate) fn attached_named(
        &self,
        cluster: usize,
        network_id: &str,
        name: &str,
    ) -> Vec<Ipv4Addr> {
        let Some(n) = self
            .swarms
            .get(cluster)
            .and_then(|s| s.networks.get(network_id))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (cid, a) in &n.attachments {
            for (att, e) in self.live_endpoints(a.machine, cid) {
                if e.network_id == network_id
                    && self
                        .dns_names(a.machine, cid, &att)
                        .iter()
                        .any(|x| x.to_ascii_lowercase() == name)
                {
                    out.push(e.addr);
                }
            }
        }
        out
    }

    /// The running container (machine, ID) that holds `addr` on a network `from` can reach:
    /// a bridge of machine `from` (from its shell, or from a container on that bridge) or an
    /// overlay attachment of a standalone container.
    pub(crate) fn container_at(
        &self,
        from: MachineId,
        from_container: Option<&str>,
        addr: Ipv4Addr,
    ) -> Option<(MachineId, String)> {
        let own_nets: Option<Vec<String>> = from_container.map(|cid| {
            let mut v: Vec<String> = self
                .live_endpoints(from, cid)
                .into_iter()
                .map(|(_, e)| e.network_id)
                .collect();
            if let Some(ms) = self.membership(from) {
                v.extend(self.task_networks_of(ms.cluster, cid));
            }
            v
        });
        for c in self.containers(from) {
            for (_, e) in self.live_endpoints(from, &c.id) {
                if e.addr == addr && own_nets.as_ref().is_none_or(|n| n.contains(&e.network_id)) {
                    return Some((from, c.id.clone()));
                }
            }
        }
        let cluster = self.membership(from)?.cluster;
        let s = self.swarms.get(cluster)?;
        for n in s.networks.values() {
            for (cid, a) in &n.attachments {
                if a.addr == addr
                    && self.attachment_live(a.machine, cid, &n.id)
                    && own_nets.as_ref().is_some_and(|o| o.contains(&n.id))
                {
                    return Some((a.machine, cid.clone()));
                }
            }
        }
        None
    }

    /// Whether an ICMP echo from container `cid` on `m` to `addr` gets a reply, and from where:
    /// `Some(same_host)` when it does. Its own addresses, loopback and the gateways answer
    /// locally; a container or task on a shared network, a VIP with a serving task, or a
    /// machine of the LAN answer when their machine is up and reachable.
    pub fn ping_path(&self, m: MachineId, cid: &str, addr: Ipv4Addr) -> Option<bool> {
        let c = self.container(m, cid)?;
        if addr.is_loopback() || c.config.addresses.iter().any(|a| *a == addr.to_string()) {
            return Some(true);
        }
        let eps = self.live_endpoints(m, cid);
        if eps.iter().any(|(_, e)| e.gateway == addr) {
            return Some(true);
        }
        if let Some((tm, _)) = self.container_at(m, Some(cid), addr) {
            return self.can_reach(m, tm).then_some(tm == m);
        }
        if let Some(target) = self.machine_by_ip(addr) {
            return (target.power == crate::machine::Power::Running
                && self.can_reach(m, target.id))
            .then_some(target.id == m);
        }
        let cluster = self.membership(m)?.cluster;
        let mut nets: Vec<String> = eps.iter().map(|(_, e)| e.network_id.clone()).collect();
        nets.extend(self.task_networks_of(cluster, cid));
        let s = self.swarm(cluster)?;
        if let Some(svc) = s.services.values().find(|x| {
            x.virtual_ips
                .iter()
                .any(|v| v.addr == addr && nets.contains(&v.network_id))
        }) {
            return (!self.serving_tasks(cluster, &svc.id).is_empty()).then_some(true);
        }
        let t = s.tasks.values().find(|t| {
            t.state == crate::service::TaskState::Running
                && t.addresses
                    .iter()
                    .any(|(n, a)| *a == addr && nets.contains(n))
        })?;
        let tm = t
            .node_id
            .as_ref()
            .and_then(|n| s.nodes.get(n))
            .map(|n| n.machine)?;
        let up = self
            .machine(tm)
            .is_some_and(|x| x.power == crate::machine::Power::Running);
        (up && self.can_reach(m, tm)).then_some(tm == m)
    }
}
