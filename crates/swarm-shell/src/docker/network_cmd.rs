//! `docker network …`: the engine's local networks (`bridge`, `host`, `none`,
//! `docker_gwbridge` in a swarm) and the swarm's overlays over the world's network API.
//!
//! Local networks have fixed, per-machine IDs (a hash of the machine and the name). Swarm
//! networks are listed on managers; a worker sees `ingress` and the overlays its tasks use,
//! as real engines instantiate overlays lazily.

use serde_json::{json, Value};
use swarm_core::endpoints::{predefined_id, LocalNetwork, LocalNetworkSpec};
use swarm_core::network::{Network, NetworkSpec};
use swarm_core::sort::CollectBTree as _;
use swarm_core::{MachineId, TaskState, World};

use super::cli::Parsed;
use super::swarm_cmd::{daemon_error, wait};
use super::{template, Status};
use crate::exec::{Interp, Io};
use crate::format::tabwriter;
use crate::format::text::truncate_id;

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "network ls"
            | "network create"
            | "network inspect"
            | "network rm"
            | "network connect"
            | "network disconnect"
    )
}

/// One row of `docker network ls`, and what `inspect` needs.
#[derive(Clone, Debug)]
struct Row {
    id: String,
    name: String,
    driver: String,
    scope: String,
    json: Value,
}

const LOCAL: [(&str, &str, &str, &str); 3] = [
    ("bridge", "bridge", "172.17.0.0/16", "172.17.0.1"),
    ("host", "host", "", ""),
    ("none", "null", "", ""),
];

fn local_json(id: &str, name: &str, driver: &str, subnet: &str, gateway: &str) -> Value {
    let config = if subnet.is_empty() {
        json!([])
    } else {
        json!([{"Subnet": subnet, "Gateway": gateway}])
    };
    let mut options = serde_json::Map::new();
    if name == "bridge" {
        for (k, v) in [
            ("com.docker.network.bridge.default_bridge", "true"),
            ("com.docker.network.bridge.enable_icc", "true"),
            ("com.docker.network.bridge.enable_ip_masquerade", "true"),
            ("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"),
            ("com.docker.network.bridge.name", "docker0"),
            ("com.docker.network.driver.mtu", "1500"),
        ] {
            options.insert(k.into(), json!(v));
        }
    }
    if name == "docker_gwbridge" {
        for (k, v) in [
            ("com.docker.network.bridge.enable_icc", "false"),
            ("com.docker.network.bridge.enable_ip_masquerade", "true"),
            ("com.docker.network.bridge.name", "docker_gwbridge"),
        ] {
            options.insert(k.into(), json!(v));
        }
    }
    json!({
        "Name": name,
        "Id": id,
        "Created": crate::model::rfc3339(0),
        "Scope": "local",
        "Driver": driver,
        "EnableIPv4": true,
        "EnableIPv6": false,
        "IPAM": {"Driver": "default", "Options": null, "Config": config},
        "Internal": false,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": false,
        "Containers": {},
        "Options": options,
        "Labels": {}
    })
}

/// The Engine API's `NetworkResource` of a swarm network.
pub(crate) fn network_json(n: &Network) -> Value {
    let mut options = serde_json::Map::new();
    options.insert(
        "com.docker.network.driver.overlay.vxlanid_list".into(),
        json!(n.vxlan_id.to_string()),
    );
    for (k, v) in &n.options {
        options.insert(k.clone(), json!(v));
    }
    json!({
        "Name": n.name,
        "Id": n.id,
        "Created": crate::model::rfc3339(n.created_at.as_millis()),
        "Scope": "swarm",
        "Driver": n.driver,
        "EnableIPv4": true,
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": null,
            "Config": [{"Subnet": n.cidr(), "Gateway": n.gateway.to_string()}]
        },
        "Internal": n.internal,
        "Attachable": n.attachable,
        "Ingress": n.ingress,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": false,
        "Containers": null,
        "Options": options,
        "Labels": if n.labels.is_empty() { Value::Null } else { json!(n.labels) }
    })
}

/// The `Containers` of a network's inspect on machine `m`: its local endpoints.
fn containers_json(w: &World, m: MachineId, net_id: &str) -> Value {
    let mut out = serde_json::Map::new();
    for (cid, name, e) in w.local_endpoints(m, net_id) {
        out.insert(
            cid,
            json!({
                "Name": name,
                "EndpointID": e.id,
                "MacAddress": e.mac(),
                "IPv4Address": format!("{}/{}", e.addr, e.prefix),
                "IPv6Address": "",
            }),
        );
    }
    Value::Object(out)
}

/// The `NetworkResource` of a user-defined local network.
fn user_local_json(w: &World, m: MachineId, n: &LocalNetwork) -> Value {
    json!({
        "Name": n.name,
        "Id": n.id,
        "Created": crate::model::rfc3339(n.created_at.as_millis()),
        "Scope": "local",
        "Driver": n.driver,
        "EnableIPv4": true,
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": {},
            "Config": [{"Subnet": n.cidr(), "Gateway": n.gateway.to_string()}]
        },
        "Internal": n.internal,
        "Attachable": n.attachable,
        "Ingress": false,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": false,
        "Containers": containers_json(w, m, &n.id),
        "Options": n.options,
        "Labels": n.labels,
    })
}

/// Every network machine `m` knows, by name.
fn rows(w: &World, m: MachineId) -> Vec<Row> {
    let host = w.machine(m).map(|x| x.hostname.clone()).unwrap_or_default();
    let mut out = Vec::new();
    let mut local: Vec<(&str, &str, String, String)> = LOCAL
        .iter()
        .map(|(n, d, s, g)| (*n, *d, s.to_string(), g.to_string()))
        .collect();
    if let Some((subnet, prefix)) = w.gwbridge_subnet(m) {
        let gw = std::net::Ipv4Addr::from(u32::from(subnet) + 1);
        local.push((
            "docker_gwbridge",
            "bridge",
            format!("{subnet}/{prefix}"),
            gw.to_string(),
        ));
    }
    for (name, driver, subnet, gateway) in local {
        let id = predefined_id(&host, name);
        let mut json = local_json(&id, name, driver, &subnet, &gateway);
        if name == "bridge" {
            json["Containers"] = containers_json(w, m, &id);
        }
        out.push(Row {
            json,
            id,
            name: name.into(),
            driver: driver.into(),
            scope: "local".into(),
        });
    }
    for n in w.local_networks(m) {
        out.push(Row {
            id: n.id.clone(),
            name: n.name.clone(),
            driver: n.driver.clone(),
            scope: "local".into(),
            json: user_local_json(w, m, n),
        });
    }
    if let Some((s, node)) = w.node_of(m) {
        let manager = w.control(m).is_ok();
        for n in s.networks.values() {
            let task_here = s.tasks.values().any(|t| {
                t.node_id.as_deref() == Some(node.id.as_str())
                    && !t.state.is_terminal()
                    && t.state >= TaskState::Assigned
                    && t.addresses.iter().any(|(id, _)| *id == n.id)
            });
            let endpoints = w.local_endpoints(m, &n.id);
            // Every swarm node has the ingress network, with its `ingress-sbox` on it.
            let sbox = n.sboxes.get(&node.id).filter(|_| n.ingress);
            if manager || n.ingress || task_here || !endpoints.is_empty() {
                let mut json = network_json(n);
                if !endpoints.is_empty() || sbox.is_some() {
                    let mut containers = containers_json(w, m, &n.id);
                    if let (Some(a), Value::Object(map)) = (sbox, &mut containers) {
                        map.insert(
                            "ingress-sbox".into(),
                            json!({
                                "Name": "ingress-endpoint",
                                "EndpointID": swarm_core::container::hex64(&format!("sbox:{}:{a}", node.id)),
                                "MacAddress": swarm_core::endpoints::mac_of(*a),
                                "IPv4Address": format!("{a}/{}", n.prefix),
                                "IPv6Address": "",
                            }),
                        );
                    }
                    json["Containers"] = containers;
                    json["Peers"] = peers_json(w, n);
                }
                out.push(Row {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    driver: n.driver.clone(),
                    scope: "swarm".into(),
                    json,
                });
            }
        }
    }
    swarm_core::sort::sort_by(&mut out, |a, b| {
        crate::format::natural_cmp(&a.name, &b.name)
    });
    out
}

/// The machines with endpoints on an overlay, as its inspect's `Peers` lists them.
fn peers_json(w: &World, net: &swarm_core::network::Network) -> Value {
    let mut peers: Vec<(std::net::Ipv4Addr, String)> = Vec::new();
    for mc in w.machines() {
        // A node is a peer of ingress through its sandbox while it is up in the swarm.
        let sbox = net.ingress
            && mc.power == swarm_core::Power::Running
            && w.node_of(mc.id)
                .is_some_and(|(_, node)| net.sboxes.contains_key(&node.id));
        if sbox || !w.local_endpoints(mc.id, &net.id).is_empty() {
            let name = format!(
                "{}-{}",
                mc.hostname,
                &swarm_core::container::hex64(&format!("peer:{}", mc.hostname))[..12]
            );
            peers.push((mc.ip, name));
        }
    }
    swarm_core::sort::sort(&mut peers);
    Value::Array(
        peers
            .into_iter()
            .map(|(ip, name)| json!({"Name": name, "IP": ip.to_string()}))
            .collect(),
    )
}

/// The `NetworkResource` of the network `r` names on machine `m` (full ID, name, unique ID
/// prefix), as `GET /networks/{id}` finds it.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // the Engine API uses it
pub(crate) fn find_value(w: &World, m: MachineId, r: &str) -> Option<Value> {
    let all = rows(w, m);
    let hit = all.iter().find(|x| x.id == r).or_else(|| {
        all.iter().find(|x| x.name == r).or_else(|| {
            let by_prefix: Vec<&Row> = all.iter().filter(|x| x.id.starts_with(r)).collect();
            (by_prefix.len() == 1).then(|| by_prefix[0])
        })
    });
    hit.map(|x| x.json.clone())
}

/// Runs one of this module's commands against machine `m`'s engine.
pub(crate) async fn run(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    match path {
        "network ls" => ls(interp, m, cmd, io),
        "network inspect" => inspect(interp, m, cmd, io),
        "network create" => create(interp, m, cmd, io).await,
        "network rm" => rm(interp, m, cmd, io).await,
        "network connect" => connect(interp, m, cmd, io),
        "network disconnect" => disconnect(interp, m, cmd, io),
        _ => 1,
    }
}

/// Keeps the rows every filter accepts (the daemon's `FilterNetworks`): values of one key are
/// alternatives, different keys must all match.
fn filter_rows(all: &mut Vec<Row>, filters: &[(String, String)]) -> Result<(), String> {
    for (k, _) in filters {
        if !matches!(
            k.as_str(),
            "name" | "id" | "driver" | "scope" | "type" | "label" | "dangling"
        ) {
            return Err(format!("invalid filter '{k}'"));
        }
    }
    let keys: std::collections::BTreeSet<&str> =
        filters.iter().map(|(k, _)| k.as_str()).btree_set();
    for key in keys {
        let values: Vec<&str> = filters
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        let keep = |r: &Row, v: &str| match key {
            "name" => r.name.contains(v),
            "id" => r.id.starts_with(v),
            "driver" => r.driver == v,
            "scope" => r.scope == v,
            "type" => {
                let builtin = matches!(
                    r.name.as_str(),
                    "bridge" | "host" | "none" | "ingress" | "docker_gwbridge"
                );
                (v == "builtin") == builtin
            }
            "label" => {
                let (lk, lv) = match v.split_once('=') {
                    Some((a, b)) => (a, Some(b)),
                    None => (v, None),
                };
                match r.json["Labels"].get(lk).and_then(Value::as_str) {
                    Some(have) => lv.is_none_or(|want| want == have),
                    None => false,
                }
            }
            _ => true,
        };
        all.retain(|r| values.iter().any(|v| keep(r, v)));
    }
    Ok(())
}

/// `GET /networks?filters=…`: the `NetworkResource` of every network machine `m` knows
/// that the filters accept.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // the Engine API uses it
pub(crate) fn network_values_filtered(
    w: &World,
    m: MachineId,
    filters: &[(String, String)],
) -> Result<Vec<Value>, String> {
    let mut all = rows(w, m);
    filter_rows(&mut all, filters)?;
    Ok(all.into_iter().map(|r| r.json).collect())
}

fn ls(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let mut all = rows(&w, m);
    let mut pairs = Vec::new();
    for f in cmd.values("filter") {
        let Some((k, v)) = f.split_once('=') else {
            io.err.write("bad format of filter (expected name=value)\n");
            return 1;
        };
        pairs.push((k.to_string(), v.to_string()));
    }
    if let Err(e) = filter_rows(&mut all, &pairs) {
        return daemon_error(io, &e);
    }
    let no_trunc = cmd.bool("no-trunc");
    let id_of = |r: &Row| {
        if no_trunc {
            r.id.clone()
        } else {
            truncate_id(&r.id).to_string()
        }
    };
    if cmd.bool("quiet") {
        let mut out = String::new();
        for r in &all {
            out.push_str(&id_of(r));
            out.push('\n');
        }
        io.out.write(&out);
        return 0;
    }
    if let Some(f) = cmd
        .value("format")
        .filter(|f| !f.is_empty() && *f != "table")
    {
        let values: Vec<Value> = all
            .iter()
            .map(|r| {
                json!({
                    "ID": id_of(r), "Name": r.name, "Driver": r.driver, "Scope": r.scope,
                    "IPv4": "true", "IPv6": "false", "Internal": "false", "Labels": "",
                    "CreatedAt": r.json["Created"].as_str().unwrap_or_default(),
                })
            })
            .collect();
        let header: &[(&str, &str)] = &[
            ("ID", "NETWORK ID"),
            ("Name", "NAME"),
            ("Driver", "DRIVER"),
            ("Scope", "SCOPE"),
            ("IPv4", "IPV4"),
            ("IPv6", "IPV6"),
            ("Internal", "INTERNAL"),
            ("Labels", "LABELS"),
            ("CreatedAt", "CREATED AT"),
        ];
        return template::write_table(io, f, &values, "formatter.networkContext", header);
    }
    let mut text = String::from("NETWORK ID\tNAME\tDRIVER\tSCOPE\n");
    for r in &all {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            id_of(r),
            r.name,
            r.driver,
            r.scope
        ));
    }
    io.out.write(&tabwriter::render(&text));
    0
}

fn inspect(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let all = rows(&w, m);
    let mut refs: Vec<template::Lookup> = Vec::new();
    for r in &cmd.args {
        let hit = all.iter().find(|x| x.id == *r || x.name == *r).or_else(|| {
            let by_prefix: Vec<&Row> = all
                .iter()
                .filter(|x| x.id.starts_with(r.as_str()))
                .collect();
            (by_prefix.len() == 1).then(|| by_prefix[0])
        });
        refs.push(match hit {
            Some(x) => Ok((x.json.clone(), "network.Inspect", true)),
            None => Err(format!("Error response from daemon: network {r} not found")),
        });
    }
    template::write_inspect(io, cmd.value("format").unwrap_or(""), refs, 64)
}

async fn create(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let Some(name) = cmd.args.first().cloned() else {
        return 1;
    };
    let driver = cmd.value("driver").unwrap_or("bridge").to_string();
    let mut labels = std::collections::BTreeMap::new();
    for l in cmd.values("label") {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        labels.insert(k.to_string(), v.to_string());
    }
    let mut options = std::collections::BTreeMap::new();
    for o in cmd.values("opt") {
        let (k, v) = o.split_once('=').unwrap_or((o, ""));
        options.insert(k.to_string(), v.to_string());
    }
    if driver != "overlay" {
        let spec = LocalNetworkSpec {
            name,
            driver,
            subnet: cmd.values("subnet").first().map(|s| s.to_string()),
            gateway: cmd.values("gateway").first().map(|s| s.to_string()),
            internal: cmd.bool("internal"),
            attachable: cmd.bool("attachable"),
            labels,
            options,
        };
        let r = interp.world().borrow_mut().local_network_create(m, spec);
        return match r {
            Ok(id) => {
                io.out.write(&format!("{id}\n"));
                0
            }
            Err(e) => daemon_error(io, &e),
        };
    }
    let spec = NetworkSpec {
        name,
        driver,
        attachable: cmd.bool("attachable"),
        internal: cmd.bool("internal"),
        subnet: cmd.values("subnet").first().map(|s| s.to_string()),
        labels,
        options,
    };
    let world = interp.world();
    let r = {
        let mut w = world.borrow_mut();
        if w.membership(m).is_none()
            || w.control(m).is_err()
                && w.node_of(m)
                    .is_some_and(|(_, n)| n.role == swarm_core::Role::Worker)
        {
            return daemon_error(io, swarm_core::swarm::texts::NOT_IN_SWARM_MANAGER);
        }
        w.network_create(m, spec)
    };
    match r {
        Ok((id, h)) => match wait(interp, h).await {
            Ok(()) => {
                io.out.write(&format!("{id}\n"));
                0
            }
            Err(e) => daemon_error(io, &e),
        },
        Err(e) => daemon_error(io, &e),
    }
}

/// docker/cli network/remove.go's question before it removes an ingress network.
const INGRESS_WARNING: &str = "WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue?";

async fn rm(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let mut status = 0;
    let force = cmd.bool("force");
    for r in &cmd.args {
        if matches!(r.as_str(), "docker_gwbridge") {
            status = daemon_error(
                io,
                &format!("{r} is a pre-defined network and cannot be removed"),
            );
            continue;
        }
        let world = interp.world();
        let found = {
            let w = world.borrow();
            let all = rows(&w, m);
            let hit = all.iter().find(|x| x.id == *r || x.name == *r).or_else(|| {
                let by_prefix: Vec<&Row> = all
                    .iter()
                    .filter(|x| x.id.starts_with(r.as_str()))
                    .collect();
                (by_prefix.len() == 1).then(|| by_prefix[0])
            });
            hit.map(|x| {
                let ingress = x.json["Ingress"].as_bool().unwrap_or(false);
                (x.scope.clone(), x.id.clone(), ingress)
            })
        };
        let Some((scope, id, ingress)) = found else {
            if !force {
                status = daemon_error(io, &format!("network {r} not found"));
            }
            continue;
        };
        // The CLI asks before it removes the routing mesh (`-f` does not skip it).
        if ingress && !super::confirm(interp, io, INGRESS_WARNING).await {
            continue;
        }
        if scope == "local" {
            let res = world.borrow_mut().local_network_remove(m, &id);
            match res {
                Ok(_) => io.out.write(&format!("{r}\n")),
                Err(e) => status = daemon_error(io, &e),
            }
            continue;
        }
        let h = world.borrow_mut().network_remove(m, &id);
        match h {
            Ok(h) => match wait(interp, h).await {
                Ok(()) => io.out.write(&format!("{r}\n")),
                Err(e) => status = daemon_error(io, &e),
            },
            Err(e) => status = daemon_error(io, &e),
        }
    }
    if status != 0 {
        // The CLI's StatusError without a message (docker/cli 28).
        io.err.write(&format!("exit status {status}\n"));
    }
    status
}

/// `docker network connect [--alias A] [--ip IP] NETWORK CONTAINER`.
fn connect(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let (Some(net), Some(ctr)) = (cmd.args.first(), cmd.args.get(1)) else {
        return 1;
    };
    let aliases: Vec<String> = cmd
        .values("alias")
        .iter()
        .flat_map(|a| a.split(','))
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    let ip = match cmd.value("ip").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.parse::<std::net::Ipv4Addr>() {
            Ok(a) => Some(a),
            Err(_) => {
                return daemon_error(
                    io,
                    &format!("invalid endpoint settings:\ninvalid IPv4 address: {v}"),
                )
            }
        },
    };
    let r = interp
        .world()
        .borrow_mut()
        .network_connect(m, net, ctr, aliases, ip);
    match r {
        Ok(()) => 0,
        Err(e) => daemon_error(io, &e),
    }
}

/// `docker network disconnect [-f] NETWORK CONTAINER`.
fn disconnect(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let (Some(net), Some(ctr)) = (cmd.args.first(), cmd.args.get(1)) else {
        return 1;
    };
    let r = interp
        .world()
        .borrow_mut()
        .network_disconnect(m, net, ctr, cmd.bool("force"));
    match r {
        Ok(()) => 0,
        Err(e) => daemon_error(io, &e),
    }
}

/// `NetworkSettings.Networks` of a container's inspect, and the legacy top-level fields
/// (`IPAddress`, `Gateway`, `IPPrefixLen`, `MacAddress`) from its default-bridge endpoint,
/// plus `HostConfig.NetworkMode`.
pub(crate) struct ContainerNet {
    /// `NetworkSettings.Networks`.
    pub networks: Value,
    /// Top-level `IPAddress`, `Gateway`, `IPPrefixLen`, `MacAddress`.
    pub ip: String,
    pub gateway: String,
    pub prefix: u8,
    pub mac: String,
    /// `HostConfig.NetworkMode`.
    pub mode: String,
    /// The network names (`docker ps --format {{.Networks}}`).
    pub names: Vec<String>,
}

/// The network part of a container's inspect.
pub(crate) fn container_net(
    w: &World,
    m: MachineId,
    c: &swarm_core::container::Container,
) -> ContainerNet {
    let mut networks = serde_json::Map::new();
    let mut names = Vec::new();
    let host = w.machine(m).map(|x| x.hostname.clone()).unwrap_or_default();
    let endpoint_json = |net_id: &str,
                         e: Option<(&str, std::net::Ipv4Addr, u8, std::net::Ipv4Addr)>,
                         aliases: &[String],
                         dns: Value| {
        let (eid, ip, prefix, gw, mac) = match e {
            Some((eid, ip, prefix, gw)) => (
                eid.to_string(),
                ip.to_string(),
                prefix,
                gw.to_string(),
                swarm_core::endpoints::mac_of(ip),
            ),
            None => Default::default(),
        };
        json!({
            "IPAMConfig": Value::Null,
            "Links": Value::Null,
            "Aliases": if aliases.is_empty() { Value::Null } else { json!(aliases) },
            "MacAddress": mac,
            "DriverOpts": Value::Null,
            "GwPriority": 0,
            "NetworkID": net_id,
            "EndpointID": eid,
            "Gateway": gw,
            "IPAddress": ip,
            "IPPrefixLen": prefix,
            "IPv6Gateway": "",
            "GlobalIPv6Address": "",
            "GlobalIPv6PrefixLen": 0,
            "DNSNames": dns,
        })
    };
    let mut top = (String::new(), String::new(), 0u8, String::new());
    let mut mode = String::from("bridge");
    if let Some(task_id) = &c.config.task_id {
        mode = "default".into();
        if let Some((s, _)) = w.node_of(m) {
            if let Some(t) = s.tasks.get(task_id) {
                for (nid, a) in &t.addresses {
                    let Some(n) = s.networks.get(nid) else {
                        continue;
                    };
                    let e = c.is_running().then_some(("", *a, n.prefix, n.gateway));
                    let eid = swarm_core::container::hex64(&format!("endpoint:{}:{nid}", c.id));
                    let mut v = endpoint_json(nid, e, &[], Value::Null);
                    if c.is_running() {
                        v["EndpointID"] = json!(eid);
                        v["Gateway"] = json!("");
                        v["DNSNames"] = json!([c.name, c.short_id()]);
                    }
                    v["IPAMConfig"] = json!({"IPv4Address": a.to_string()});
                    networks.insert(n.name.clone(), v);
                    names.push(n.name.clone());
                }
            }
        }
    } else {
        let live = w.live_endpoints(m, &c.id);
        for (i, a) in w.container_attachments(m, &c.id).iter().enumerate() {
            let r = w.find_network_on(m, &a.target).ok();
            let (name, id) = r
                .as_ref()
                .and_then(|r| w.net_name_id(m, r))
                .unwrap_or_else(|| (a.target.clone(), String::new()));
            if i == 0 {
                mode = a.target.clone();
            }
            let ep = live
                .iter()
                .find(|(_, e)| e.network_id == id)
                .map(|(_, e)| e.clone());
            let user = !matches!(r, Some(swarm_core::endpoints::NetRef::Predefined(_)));
            let dns = if user && c.is_running() {
                let mut d = vec![c.name.clone()];
                d.extend(a.aliases.iter().cloned());
                d.push(c.short_id().to_string());
                if c.config.hostname != c.short_id() {
                    d.push(c.config.hostname.clone());
                }
                json!(d)
            } else {
                Value::Null
            };
            let mut v = endpoint_json(
                if c.is_running() || user { &id } else { "" },
                ep.as_ref()
                    .map(|e| (e.id.as_str(), e.addr, e.prefix, e.gateway)),
                &a.aliases,
                dns,
            );
            if id.is_empty() {
                v["NetworkID"] = json!("");
            }
            if let Some(ip) = a.ip {
                v["IPAMConfig"] = json!({"IPv4Address": ip.to_string()});
            }
            if name == "bridge" && id == predefined_id(&host, "bridge") {
                if let Some(e) = &ep {
                    top = (e.addr.to_string(), e.gateway.to_string(), e.prefix, e.mac());
                }
            }
            networks.insert(name.clone(), v);
            names.push(name);
        }
    }
    ContainerNet {
        networks: Value::Object(networks),
        ip: top.0,
        gateway: top.1,
        prefix: top.2,
        mac: top.3,
        mode,
        names,
    }
}

/// The networks `docker run|create` asks for (`--network` as often as given, `--network-alias`
/// and `--ip` on the first), checked as the CLI and then the daemon check them. The error says
/// whether the daemon refused (`Error response from daemon: …`) or the CLI.
pub(crate) fn run_networks(
    w: &World,
    m: MachineId,
    cmd: &Parsed,
) -> Result<Vec<swarm_core::endpoints::Attachment>, (bool, String)> {
    use swarm_core::endpoints::{Attachment, NetRef};
    let mut targets: Vec<String> = cmd
        .values("network")
        .iter()
        .map(|s| s.to_string())
        .collect();
    if targets.iter().any(|t| t.starts_with("container:")) {
        return Err((
            false,
            "--network container:NAME is not emulated by Swarm Playground yet".into(),
        ));
    }
    let predefined = |t: &str| matches!(t, "default" | "bridge" | "host" | "none");
    if targets.iter().any(|t| predefined(t)) && targets.iter().any(|t| !predefined(t)) {
        return Err((
            false,
            "conflicting options: cannot attach both user-defined and non-user-defined network-modes"
                .into(),
        ));
    }
    for (i, t) in targets.iter().enumerate() {
        if targets[..i].contains(t) {
            return Err((
                false,
                format!("network \"{t}\" is specified multiple times"),
            ));
        }
    }
    if targets.is_empty() {
        targets.push("bridge".into());
    }
    let mut out: Vec<Attachment> = targets
        .iter()
        .map(|t| Attachment::to(if t == "default" { "bridge" } else { t }))
        .collect();
    let aliases: Vec<String> = cmd
        .values("network-alias")
        .iter()
        .map(|s| s.to_string())
        .collect();
    let ip = cmd.value("ip").filter(|v| !v.is_empty());
    let first = &targets[0];
    if !aliases.is_empty() && predefined(first) {
        return Err((true, "invalid endpoint settings:\nnetwork-scoped alias is supported only for containers in user defined networks".into()));
    }
    if let Some(v) = ip {
        let a: std::net::Ipv4Addr = v.parse().map_err(|_| {
            (
                false,
                format!("invalid argument \"{v}\" for \"--ip\" flag: invalid string being converted to IP address: {v}"),
            )
        })?;
        if predefined(first) {
            return Err((true, "invalid endpoint settings:\nuser specified IP address is supported on user defined networks only".into()));
        }
        if let Ok(r @ NetRef::Local(_)) = w.find_network_on(m, first) {
            w.check_static_ip(m, &r, a).map_err(|e| (true, e))?;
        }
        out[0].ip = Some(a);
    }
    out[0].aliases = aliases;
    Ok(out)
}
