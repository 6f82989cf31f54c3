//! `docker network …`: the engine's local networks (`bridge`, `host`, `none`,
//! `docker_gwbridge` in a swarm) and the swarm's overlays over the world's network API.
//!
//! Local networks have fixed, per-machine IDs (a hash of the machine and the name). Swarm
//! networks are listed on managers; a worker sees `ingress` and the overlays its tasks use,
//! as real engines instantiate overlays lazily.

use serde_json::{json, Value};
use swarm_core::network::{Network, NetworkSpec};
use swarm_core::{MachineId, TaskState, World};

use super::cli::Parsed;
use super::swarm_cmd::{daemon_error, go_json_indent, wait};
use super::{template, Status};
use crate::exec::{Interp, Io};
use crate::format::tabwriter;
use crate::format::text::truncate_id;

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "network ls" | "network create" | "network inspect" | "network rm"
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

/// Every network machine `m` knows, by name.
fn rows(w: &World, m: MachineId) -> Vec<Row> {
    let host = w.machine(m).map(|x| x.hostname.clone()).unwrap_or_default();
    let mut out = Vec::new();
    let mut local: Vec<(&str, &str, &str, &str)> = LOCAL.to_vec();
    let in_swarm = w.membership(m).is_some();
    if in_swarm {
        local.push(("docker_gwbridge", "bridge", "172.18.0.0/16", "172.18.0.1"));
    }
    for (name, driver, subnet, gateway) in local {
        let id = swarm_core::container::hex64(&format!("network:{host}:{name}"));
        out.push(Row {
            json: local_json(&id, name, driver, subnet, gateway),
            id,
            name: name.into(),
            driver: driver.into(),
            scope: "local".into(),
        });
    }
    if let Some((s, node)) = w.node_of(m) {
        let manager = w.control(m).is_ok();
        for n in s.networks.values() {
            let used_here = s.tasks.values().any(|t| {
                t.node_id.as_deref() == Some(node.id.as_str())
                    && !t.state.is_terminal()
                    && t.state >= TaskState::Assigned
                    && t.addresses.iter().any(|(id, _)| *id == n.id)
            });
            if manager || n.ingress || used_here {
                out.push(Row {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    driver: n.driver.clone(),
                    scope: "swarm".into(),
                    json: network_json(n),
                });
            }
        }
    }
    out.sort_by(|a, b| crate::format::natural_cmp(&a.name, &b.name));
    out
}

/// The `NetworkResource` of every network machine `m` knows (the Engine API's
/// `GET /networks`).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // the Engine API uses it
pub(crate) fn network_values(w: &World, m: MachineId) -> Vec<Value> {
    rows(w, m).into_iter().map(|r| r.json).collect()
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
        _ => 1,
    }
}

fn ls(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let mut all = rows(&w, m);
    for f in cmd.values("filter") {
        let Some((k, v)) = f.split_once('=') else {
            io.err.write("bad format of filter (expected name=value)\n");
            return 1;
        };
        let keep = |r: &Row| match k {
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
        if !matches!(k, "name" | "id" | "driver" | "scope" | "type" | "label") {
            return daemon_error(io, &format!("invalid filter '{k}'"));
        }
        all.retain(keep);
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
        let header = |field: &str| {
            Some(
                match field {
                    "ID" => "NETWORK ID",
                    "Name" => "NAME",
                    "Driver" => "DRIVER",
                    "Scope" => "SCOPE",
                    "IPv4" => "IPV4",
                    "IPv6" => "IPV6",
                    "Internal" => "INTERNAL",
                    "Labels" => "LABELS",
                    "CreatedAt" => "CREATED AT",
                    _ => return None,
                }
                .to_string(),
            )
        };
        return match template::render_table(f, &values, "formatter.networkContext", &header) {
            Ok(out) => {
                io.out.write(&out);
                0
            }
            Err(e) => {
                io.err.write(&format!("{}\n", e.0));
                1
            }
        };
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
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for r in &cmd.args {
        let hit = all.iter().find(|x| x.id == *r || x.name == *r).or_else(|| {
            let by_prefix: Vec<&Row> = all
                .iter()
                .filter(|x| x.id.starts_with(r.as_str()))
                .collect();
            (by_prefix.len() == 1).then(|| by_prefix[0])
        });
        match hit {
            Some(x) => found.push(x.json.clone()),
            None => errors.push(format!("Error: No such network: {r}")),
        }
    }
    if let Some(f) = cmd.value("format").filter(|f| !f.is_empty()) {
        let tpl = match template::Template::parse("", f) {
            Ok(t) => t,
            Err(e) => {
                io.err.write(&format!("template parsing error: {}\n", e.0));
                return 64;
            }
        };
        let types = template::Types {
            root: "network.Inspect",
            fields: &[],
        };
        let mut out = String::new();
        for v in &found {
            match tpl.execute(v, &types) {
                (text, None) => {
                    out.push_str(&text);
                    out.push('\n');
                }
                (_, Some(e)) => errors.insert(0, format!("template parsing error: {}", e.0)),
            }
        }
        io.out.write(&out);
    } else {
        io.out.write(&go_json_indent(&Value::Array(found)));
        io.out.write("\n");
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}

async fn create(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let Some(name) = cmd.args.first().cloned() else {
        return 1;
    };
    let driver = cmd.value("driver").unwrap_or("bridge").to_string();
    if driver != "overlay" {
        io.err.write(&format!(
            "docker network create --driver {driver}: local networks are not emulated by Swarm Playground yet (overlay networks are)\n"
        ));
        return 1;
    }
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

async fn rm(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let mut status = 0;
    for r in &cmd.args {
        if matches!(r.as_str(), "bridge" | "host" | "none" | "docker_gwbridge") {
            status = daemon_error(
                io,
                &format!("{r} is a pre-defined network and cannot be removed"),
            );
            continue;
        }
        let world = interp.world();
        let h = world.borrow_mut().network_remove(m, r);
        match h {
            Ok(h) => match wait(interp, h).await {
                Ok(()) => io.out.write(&format!("{r}\n")),
                Err(e) => status = daemon_error(io, &e),
            },
            Err(e) => status = daemon_error(io, &e),
        }
    }
    status
}
