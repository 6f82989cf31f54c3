//! `docker swarm …` and `docker node …`: membership and nodes, over the world's swarm API.
//!
//! Writes are proposals to the Raft leader; like the CLI waiting for the daemon, the command
//! waits (in simulated time) until the write commits, and gives up with the daemon's deadline
//! error after [`WRITE_TIMEOUT`].

use std::collections::BTreeMap;

use serde_json::{json, Value};
use swarm_core::machine::build;
use swarm_core::swarm::texts;
use swarm_core::{Availability, MachineId, NodeChange, OpHandle, Role, SimDuration, World};

use super::cli::Parsed;
use crate::exec::{Interp, Io};
use crate::format;

/// How long a write may take before the daemon gives up.
const WRITE_TIMEOUT: SimDuration = SimDuration::from_secs(20);
/// How often the CLI looks again.
const POLL: SimDuration = SimDuration::from_millis(10);

pub(crate) use crate::model::rfc3339;

/// `Error response from daemon: …` on stderr; exit status 1.
pub(super) fn daemon_error(io: &Io, msg: &str) -> i32 {
    io.err
        .write(&format!("Error response from daemon: {msg}\n"));
    1
}

/// Waits until the operation commits (up to the daemon's deadline); the daemon's answer.
pub(super) async fn wait(interp: &Interp, h: OpHandle) -> Result<(), String> {
    let world = interp.world();
    let start = world.borrow().now();
    loop {
        if let Some(r) = world.borrow().op_result(h).cloned() {
            return r;
        }
        if world.borrow().op_lost(h) {
            return Err(texts::LOST_LEADER.into());
        }
        if world.borrow().now().saturating_since(start) >= WRITE_TIMEOUT {
            return Err(texts::DEADLINE.into());
        }
        interp.sleep(POLL).await;
    }
}

fn role_arg(s: &str) -> Option<format::swarm::Role> {
    format::swarm::Role::parse(s).ok()
}

const BAD_ADVERTISE: &str =
    "advertise address must be a non-zero IP address or network interface (with optional port number)";
const BAD_LISTEN: &str =
    "listen address must be an IP address or network interface (with optional port number)";

/// The host part of `host[:port]` as Go's net.SplitHostPort finds it; the whole text when
/// it is not a host:port (`10.0.0.1`, `eth0`).
fn host_part(a: &str) -> &str {
    match a.rsplit_once(':') {
        Some((h, _)) if !h.contains(':') => h,
        Some((h, _)) if h.starts_with('[') && h.ends_with(']') => &h[1..h.len() - 1],
        _ => a,
    }
}

/// The daemon's checks of `swarm init`'s (and join's) `--listen-addr` and `--advertise-addr` (moby
/// daemon/cluster/listen_addr.go): a name is an interface of `m` (`ip a`), else it must be
/// an IP. An advertised IP that is not the machine's own is fine: with one NIC (eth0) the
/// system address is found uniquely. Ok(None) is "advertise the system address".
pub(crate) fn resolve_init_addrs(
    w: &swarm_core::World,
    m: MachineId,
    advertise: &str,
    listen: &str,
) -> Result<Option<std::net::Ipv4Addr>, &'static str> {
    use std::net::IpAddr;
    if !listen.is_empty() {
        let host = host_part(listen.strip_prefix("tcp://").unwrap_or(listen));
        if crate::hosttools::interface_addr(w, m, host).is_none() && host.parse::<IpAddr>().is_err()
        {
            return Err(BAD_LISTEN);
        }
    }
    if advertise.is_empty() {
        return Ok(None);
    }
    let host = host_part(advertise);
    if let Some(ip) = crate::hosttools::interface_addr(w, m, host) {
        return Ok(Some(ip));
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) if !ip.is_unspecified() => Ok(Some(ip)),
        _ => Err(BAD_ADVERTISE),
    }
}

/// `docker swarm init`.
pub(crate) fn init(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let mut w = world.borrow_mut();
    let force = cmd.bool("force-new-cluster");
    let in_swarm = w.membership(engine).is_some();
    // "already part of a swarm" comes before the addresses are looked at.
    let advertise = match resolve_init_addrs(
        &w,
        engine,
        cmd.value("advertise-addr").unwrap_or(""),
        cmd.value("listen-addr").unwrap_or(""),
    ) {
        Ok(a) => a,
        Err(_) if in_swarm && !force => None,
        Err(e) => return daemon_error(io, e),
    };
    let result = if force && in_swarm {
        w.swarm_force_new_cluster(engine)
    } else {
        w.swarm_init(engine, advertise)
    };
    match result {
        Ok(node_id) => {
            let cluster = w.membership(engine).map(|m| m.cluster).unwrap_or(0);
            let (token, addr) = match (w.swarm(cluster), w.node_of(engine)) {
                (Some(s), Some((_, n))) => (s.token(Role::Worker), format!("{}:2377", n.addr)),
                _ => (String::new(), String::new()),
            };
            let key = if cmd.bool("autolock") {
                w.swarm_autolock_at_init(engine)
            } else {
                None
            };
            io.out.write(&format::swarm::swarm_init_text_with(
                &node_id,
                Some((&token, &addr)),
                key.as_deref(),
            ));
            0
        }
        Err(e) => daemon_error(io, &e),
    }
}

/// `docker swarm join`.
pub(crate) async fn join(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let token = cmd.value("token").unwrap_or("");
    let remote = cmd.args.first().map(String::as_str).unwrap_or("");
    let world = interp.world();
    // The daemon resolves --listen-addr once it knows the node is in no swarm; a bad
    // --advertise-addr is dropped (the remote side detects the address).
    let listen = cmd.value("listen-addr").unwrap_or("");
    let bad_listen = {
        let w = world.borrow();
        w.membership(engine).is_none() && resolve_init_addrs(&w, engine, "", listen).is_err()
    };
    if bad_listen {
        return daemon_error(io, BAD_LISTEN);
    }
    let h = world.borrow_mut().swarm_join(engine, token, remote);
    let h = match h {
        Ok(h) => h,
        Err(e) => return daemon_error(io, &e),
    };
    match wait(interp, h).await {
        Ok(()) => {
            // A manager's join returns once its Raft node is ready (dockerd waits for
            // `nr.Ready()`): it has heard from the leader, so its control API answers at once.
            let is_manager = world
                .borrow()
                .node_of(engine)
                .is_some_and(|(_, n)| n.role == Role::Manager);
            if is_manager {
                let start = world.borrow().now();
                while world.borrow().control(engine).is_err()
                    && world.borrow().now().saturating_since(start) < WRITE_TIMEOUT
                {
                    interp.sleep(POLL).await;
                }
            }
            let w = world.borrow();
            let role = match w.node_of(engine).map(|(_, n)| n.role) {
                Some(Role::Manager) => format::swarm::Role::Manager,
                _ => format::swarm::Role::Worker,
            };
            io.out.write(&format::swarm::join_text(role));
            0
        }
        Err(e) => daemon_error(io, &e),
    }
}

/// `docker swarm join-token [-q] [--rotate] ROLE`.
pub(crate) async fn join_token(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let arg = cmd.args.first().map(String::as_str).unwrap_or("");
    let Some(role) = role_arg(arg) else {
        io.err.write(&format!("unknown role {arg}\n"));
        return 1;
    };
    let core_role = if role == format::swarm::Role::Manager {
        Role::Manager
    } else {
        Role::Worker
    };
    let world = interp.world();
    let cluster = match world.borrow().control(engine) {
        Ok(c) => c,
        Err(e) => return daemon_error(io, &e),
    };
    let rotate = cmd.bool("rotate");
    if rotate {
        let h = world.borrow_mut().rotate_token(engine, core_role);
        let h = match h {
            Ok(h) => h,
            Err(e) => return daemon_error(io, &e),
        };
        if let Err(e) = wait(interp, h).await {
            return daemon_error(io, &e);
        }
    }
    let w = world.borrow();
    let Some(s) = w.swarm(cluster) else { return 1 };
    let token = s.token(core_role);
    if cmd.bool("quiet") {
        io.out.write(&format::swarm::join_token_quiet(&token));
        return 0;
    }
    let addr = w
        .node_of(engine)
        .map(|(_, n)| format!("{}:2377", n.addr))
        .unwrap_or_default();
    if rotate {
        io.out
            .write(&format::swarm::join_token_rotated_text(role, &token, &addr));
    } else {
        io.out
            .write(&format::swarm::join_token_text(role, &token, &addr));
    }
    0
}

/// `docker swarm leave [--force]`.
pub(crate) fn leave(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let r = world.borrow_mut().swarm_leave(engine, cmd.bool("force"));
    match r {
        Ok(()) => {
            io.out.write("Node left the swarm.\n");
            0
        }
        Err(e) => daemon_error(io, &e),
    }
}

/// Go duration strings as `--dispatcher-heartbeat` takes them (`5s`, `1m30s`, `500ms`).
pub(crate) fn parse_go_duration(s: &str) -> Option<SimDuration> {
    let mut total: f64 = 0.0;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(SimDuration::ZERO);
    }
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let value: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_end] {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => return None,
        };
        total += value * mult;
        rest = &rest[unit_end..];
    }
    Some(SimDuration::from_millis(total.round() as u64))
}

/// `docker swarm update`.
pub(crate) async fn update(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let limit = match cmd.value("task-history-limit") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return super::usage_error(io, "swarm update", &format!("invalid argument \"{v}\" for \"--task-history-limit\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"));
            }
        },
    };
    let hb = match cmd.value("dispatcher-heartbeat") {
        None => None,
        Some(v) => match parse_go_duration(v) {
            Some(d) => Some(d),
            None => {
                return super::usage_error(io, "swarm update", &format!("invalid argument \"{v}\" for \"--dispatcher-heartbeat\" flag: time: invalid duration \"{v}\""));
            }
        },
    };
    let world = interp.world();
    let h = world.borrow_mut().swarm_update(engine, limit, hb);
    let h = match h {
        Ok(h) => h,
        Err(e) => return daemon_error(io, &e),
    };
    if let Err(e) = wait(interp, h).await {
        return daemon_error(io, &e);
    }
    // `--autolock`: a key made when it turns on (printed, as the CLI fetches it), none
    // when it turns off; unchanged otherwise.
    let before = current_unlock_key(&world.borrow(), engine);
    let mut shown = None;
    if let Some(on) = cmd.value("autolock").map(|v| v == "true") {
        if on == before.is_empty() {
            let key = match set_autolock(interp, engine, on).await {
                Ok(key) => key,
                Err(e) => return daemon_error(io, &e),
            };
            if on {
                shown = Some(key);
            }
        }
    }
    io.out
        .write(&format::swarm::swarm_updated_text(shown.as_deref()));
    0
}

/// Writes the unlock key through Raft (a new one when `on`, none when off) and waits for
/// the commit; the key written.
async fn set_autolock(interp: &Interp, engine: MachineId, on: bool) -> Result<String, String> {
    let r = interp.world().borrow_mut().swarm_set_autolock(engine, on);
    let (h, key) = r?;
    wait(interp, h).await?;
    Ok(key)
}

/// The unlock key of `engine`'s cluster (empty: autolock is off).
fn current_unlock_key(w: &World, engine: MachineId) -> String {
    w.membership(engine)
        .and_then(|ms| w.swarm(ms.cluster))
        .map(|s| s.unlock_key.clone())
        .unwrap_or_default()
}

/// `docker swarm unlock-key [-q] [--rotate]`.
pub(crate) async fn unlock_key(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let control = world.borrow().control(engine);
    if let Err(e) = control {
        // `--rotate` inspects the swarm first; otherwise the key fetch fails, wrapped.
        if cmd.bool("rotate") {
            return daemon_error(io, &e);
        }
        io.err.write(&format!(
            "could not fetch unlock key: Error response from daemon: {e}\n"
        ));
        return 1;
    }
    let quiet = cmd.bool("quiet");
    let mut key = current_unlock_key(&world.borrow(), engine);
    if cmd.bool("rotate") {
        if key.is_empty() {
            io.err
                .write("cannot rotate because autolock is not turned on\n");
            return 1;
        }
        key = match set_autolock(interp, engine, true).await {
            Ok(key) => key,
            Err(e) => return daemon_error(io, &e),
        };
        if !quiet {
            io.out.write(&format::swarm::unlock_key_rotated_text(&key));
            return 0;
        }
    }
    if key.is_empty() {
        io.err.write("no unlock key is set\n");
        return 1;
    }
    if quiet {
        io.out.write(&format!("{key}\n"));
    } else {
        io.out.write(&format::swarm::unlock_key_text(&key));
    }
    0
}

/// `docker swarm unlock` (docker/cli's `runUnlock`): only a locked manager is asked for the
/// key, on the terminal without echo after `Enter unlock key: `, or as one line of standard
/// input when it is not a terminal.
pub(crate) async fn unlock(interp: &Interp, engine: MachineId, io: &Io) -> i32 {
    let world = interp.world();
    let state = swarm_info(&world.borrow(), engine).local_node_state;
    match state.as_str() {
        "inactive" => {
            io.err.write("Error: This node is not part of a swarm\n");
            return 1;
        }
        "locked" => {}
        _ => {
            io.err.write("Error: swarm is not locked\n");
            return 1;
        }
    }
    if io.stdin_tty {
        io.out.write("Enter unlock key: ");
    }
    let key = interp.read_line(io, false).await.unwrap_or_default();
    let result = world.borrow_mut().swarm_unlock(engine, key.trim());
    match result {
        Ok(()) => 0,
        Err(e) => {
            io.err.write(&format!("Error response from daemon: {e}\n"));
            1
        }
    }
}

/// The rows of `docker node ls` as the engine `engine` sees its cluster.
fn node_rows(w: &World, cluster: usize, engine: MachineId) -> Vec<(format::node::NodeRow, Value)> {
    let Some(s) = w.swarm(cluster) else {
        return Vec::new();
    };
    s.nodes
        .values()
        .map(|n| {
            let manager_status = s
                .reachability(n)
                .map(|r| r.as_str().to_string())
                .unwrap_or_default();
            let row = format::node::NodeRow {
                id: n.id.clone(),
                is_self: n.machine == engine,
                hostname: n.hostname.clone(),
                status: n.state.as_str().into(),
                availability: n.availability.as_str().into(),
                manager_status: manager_status.clone(),
                engine_version: build::VERSION.into(),
            };
            let tpl = json!({
                "ID": n.id, "Self": n.machine == engine, "Hostname": n.hostname,
                "Status": format::pretty_print(n.state.as_str()),
                "Availability": format::pretty_print(n.availability.as_str()),
                "ManagerStatus": format::pretty_print(&manager_status),
                "EngineVersion": build::VERSION, "TLSStatus": "Ready",
            });
            (row, tpl)
        })
        .collect()
}

pub(crate) fn node_matches(
    s: &swarm_core::Swarm,
    n: &swarm_core::Node,
    filters: &[(String, String)],
) -> Result<bool, String> {
    // Filters of different keys must all match; several values of one key match any.
    let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in filters {
        by_key.entry(k.as_str()).or_default().push(v.as_str());
    }
    for (k, vals) in by_key {
        let ok = vals.iter().any(|v| match k {
            "id" => n.id.starts_with(v),
            "name" => n.hostname.contains(v),
            "role" => n.role.as_str() == *v,
            "membership" => *v == "accepted",
            "node.label" => match v.split_once('=') {
                Some((lk, lv)) => n.labels.get(lk).is_some_and(|x| x == lv),
                None => n.labels.contains_key(*v),
            },
            // `label` matches the engine labels (the daemon's `--label`, swarmkit's
            // Description.Engine.Labels), and the playground's engines have none.
            "label" => false,
            _ => false,
        });
        if !["id", "name", "role", "membership", "node.label", "label"].contains(&k) {
            return Err(format!("invalid filter '{k}'"));
        }
        if k == "role" && vals.iter().any(|v| *v != "manager" && *v != "worker") {
            return Err(format!("Invalid role filter value '{}'", vals.join(",")));
        }
        if !ok {
            return Ok(false);
        }
    }
    let _ = s;
    Ok(true)
}

fn parse_filters(cmd: &Parsed) -> Result<Vec<(String, String)>, String> {
    cmd.values("filter")
        .into_iter()
        .map(|f| match f.split_once('=') {
            Some((k, v)) => Ok((k.trim().to_lowercase(), v.to_string())),
            None => Err("bad format of filter (expected name=value)".to_string()),
        })
        .collect()
}

/// `docker node ls`.
pub(crate) fn node_ls(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let w = world.borrow();
    let (cluster, s) = match w.control_swarm(engine) {
        Ok(x) => x,
        Err(e) => return daemon_error(io, &e),
    };
    let filters = match parse_filters(cmd) {
        Ok(f) => f,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    };
    let mut rows = Vec::new();
    for (row, tpl) in node_rows(&w, cluster, engine) {
        let Some(n) = s.nodes.get(&row.id) else {
            continue;
        };
        match node_matches(s, n, &filters) {
            Ok(true) => rows.push((row, tpl)),
            Ok(false) => {}
            Err(e) => return daemon_error(io, &e),
        }
    }
    if cmd.bool("quiet") {
        let r: Vec<format::node::NodeRow> = rows.into_iter().map(|(r, _)| r).collect();
        io.out.write(&format::node::node_ids(&r));
        return 0;
    }
    if let Some(f) = cmd
        .value("format")
        .filter(|f| !f.is_empty() && *f != "table")
    {
        swarm_core::sort::sort_by(&mut rows, |a, b| {
            format::natural_cmp(&a.0.hostname, &b.0.hostname)
        });
        let values: Vec<Value> = rows.into_iter().map(|(_, v)| v).collect();
        // `table …` formats get the column headers of docker/cli's node formatter.
        let header: &[(&str, &str)] = &[
            ("ID", "ID"),
            ("Hostname", "HOSTNAME"),
            ("Status", "STATUS"),
            ("Availability", "AVAILABILITY"),
            ("ManagerStatus", "MANAGER STATUS"),
            ("EngineVersion", "ENGINE VERSION"),
            ("TLSStatus", "TLS STATUS"),
        ];
        return match super::template::render_table(f, &values, "formatter.nodeContext", header) {
            Ok(out) => {
                io.out.write(&out);
                0
            }
            Err(e) => {
                io.err.write(&format!("{}\n", e.0));
                if e.1 {
                    64
                } else {
                    1
                }
            }
        };
    }
    let r: Vec<format::node::NodeRow> = rows.into_iter().map(|(r, _)| r).collect();
    io.out.write(&format::node::node_table(&r));
    0
}

pub(crate) fn node_json(w: &World, s: &swarm_core::Swarm, n: &swarm_core::Node) -> Value {
    // Field order as the Engine API's `swarm.Node` struct marshals it.
    let mut status = json!({"State": n.state.as_str()});
    if !n.message.is_empty() {
        status["Message"] = json!(n.message);
    }
    status["Addr"] = json!(n.addr.to_string());
    let mut v = json!({
        "ID": n.id,
        "Version": {"Index": n.version},
        "CreatedAt": rfc3339(n.created_at.as_millis()),
        "UpdatedAt": rfc3339(n.updated_at.as_millis()),
        "Spec": {"Labels": n.labels, "Role": n.role.as_str(), "Availability": n.availability.as_str()},
        "Description": {
            "Hostname": n.hostname,
            "Platform": {"Architecture": "x86_64", "OS": "linux"},
            "Resources": {"NanoCPUs": u64::from(build::CPUS) * 1_000_000_000, "MemoryBytes": build::MEMORY_BYTES},
            "Engine": {"EngineVersion": build::VERSION, "Plugins": plugins_json()},
            // No certificates are emulated: Go leaves out the empty fields, and the CLI the
            // `TLS Info` section.
            "TLSInfo": {},
        },
        "Status": status,
    });
    if let Some(r) = s.reachability(n) {
        let leader = r == swarm_core::Reachability::Leader;
        let mut ms = json!({});
        if leader {
            ms["Leader"] = json!(true);
        }
        ms["Reachability"] = json!(if leader { "reachable" } else { r.as_str() });
        ms["Addr"] = json!(format!("{}:2377", n.addr));
        v["ManagerStatus"] = ms;
    }
    let _ = w;
    v
}

fn plugins() -> Vec<(String, String)> {
    let mut p = Vec::new();
    for (t, names) in [
        (
            "Log",
            &[
                "awslogs",
                "fluentd",
                "gcplogs",
                "gelf",
                "journald",
                "json-file",
                "local",
                "splunk",
                "syslog",
            ][..],
        ),
        (
            "Network",
            &["bridge", "host", "ipvlan", "macvlan", "null", "overlay"][..],
        ),
        ("Volume", &["local"][..]),
    ] {
        for n in names {
            p.push((t.to_string(), n.to_string()));
        }
    }
    p
}

fn plugins_json() -> Value {
    Value::Array(
        plugins()
            .into_iter()
            .map(|(t, n)| json!({"Type": t, "Name": n}))
            .collect(),
    )
}

/// Docker's `json.MarshalIndent(v, "", "    ")`, with Go's HTML escaping.
pub(crate) fn go_json_indent(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if serde::Serialize::serialize(v, &mut ser).is_err() {
        return String::new();
    }
    String::from_utf8(buf)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `docker node inspect [--pretty] [--format F] NODE…`.
pub(crate) fn node_inspect(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let w = world.borrow();
    let s = match w.control_swarm(engine) {
        Ok((_, s)) => s,
        Err(e) => return daemon_error(io, &e),
    };
    let results: Vec<Result<&swarm_core::Node, String>> = cmd
        .args
        .iter()
        .map(|r| {
            let r = if r == "self" {
                w.node_of(engine)
                    .map(|(_, n)| n.id.clone())
                    .unwrap_or_default()
            } else {
                r.clone()
            };
            s.find_node(&r)
                .map_err(|e| format!("Error response from daemon: {e}"))
        })
        .collect();
    let found: Vec<&swarm_core::Node> = results.iter().filter_map(|r| r.clone().ok()).collect();
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.clone().err().map(|e| format!("{e}\n")))
        .collect();
    // Like the CLI's inspect: print what was found, then the errors.
    let status = i32::from(!errors.is_empty());
    let report = |io: &Io| {
        for e in &errors {
            io.err.write(e);
        }
    };
    let pretty = cmd.bool("pretty") || cmd.value("format") == Some("pretty");
    if pretty {
        let mut out = String::new();
        for (i, n) in found.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let reach = s.reachability(n);
            out.push_str(&format::node::node_inspect_pretty(
                &format::node::NodeInspect {
                    id: n.id.clone(),
                    name: String::new(),
                    labels: n.labels.clone(),
                    hostname: n.hostname.clone(),
                    created_at: crate::model::go_time(n.created_at),
                    state: n.state.as_str().into(),
                    message: n.message.clone(),
                    availability: n.availability.as_str().into(),
                    addr: n.addr.to_string(),
                    manager: reach.map(|r| format::node::ManagerStatus {
                        addr: format!("{}:2377", n.addr),
                        reachability: if r == swarm_core::Reachability::Leader {
                            "reachable".into()
                        } else {
                            r.as_str().into()
                        },
                        leader: r == swarm_core::Reachability::Leader,
                    }),
                    os: "linux".into(),
                    architecture: "x86_64".into(),
                    nano_cpus: i64::from(build::CPUS) * 1_000_000_000,
                    memory_bytes: build::MEMORY_BYTES as i64,
                    plugins: plugins(),
                    engine_version: build::VERSION.into(),
                    engine_labels: BTreeMap::new(),
                    tls: None,
                },
            ));
        }
        io.out.write(&out);
        report(io);
        return status;
    }
    // `docker node inspect` hands the template inspector no raw JSON (no second pass), and
    // returns its error, a template that does not parse too, with exit status 1.
    let format = cmd.value("format").unwrap_or("");
    if let Some(status) = super::template::check_format(io, format, 1) {
        return status;
    }
    let refs: Vec<super::template::Lookup> = results
        .into_iter()
        .map(|r| r.map(|n| (node_json(&w, s, n), "swarm.Node", false)))
        .collect();
    super::template::write_inspect(io, format, refs, 1)
}

/// `docker node update|promote|demote`: one change per node, each waited for.
pub(crate) async fn node_change(
    interp: &Interp,
    engine: MachineId,
    which: &str,
    cmd: &Parsed,
    io: &Io,
) -> i32 {
    let world = interp.world();
    let mut status = 0;
    let targets: Vec<String> = cmd.args.clone();
    for target in targets {
        let change = match which {
            "promote" | "demote" => {
                let role = if which == "promote" {
                    Role::Manager
                } else {
                    Role::Worker
                };
                let current = {
                    let w = world.borrow();
                    let cluster = match w.control(engine) {
                        Ok(c) => c,
                        Err(e) => return daemon_error(io, &e),
                    };
                    w.swarm(cluster)
                        .and_then(|s| s.find_node(&target).ok().map(|n| (n.id.clone(), n.role)))
                };
                if let Some((id, r)) = &current {
                    if *r == role {
                        io.out
                            .write(&format!("Node {id} is already a {}.\n", role.as_str()));
                        continue;
                    }
                }
                NodeChange {
                    role: Some(role),
                    ..NodeChange::default()
                }
            }
            _ => {
                // The CLI merges the flags into the node it inspected (`mergeNodeUpdate`):
                // removing a label the node lacks fails there, before the update is sent.
                // It inspects the node first: a worker, a missing node or a lost quorum is
                // that call's error, before any value is checked.
                let labels = {
                    let w = world.borrow();
                    w.control_swarm(engine)
                        .and_then(|(_, s)| s.find_node(&target).map(|n| n.labels.clone()))
                };
                let labels = match labels {
                    Ok(l) => l,
                    Err(e) => return daemon_error(io, &e),
                };
                {
                    let mut labels = labels;
                    for l in cmd.values("label-add") {
                        let (k, v) = l.split_once('=').unwrap_or((l, ""));
                        labels.insert(k.to_string(), v.to_string());
                    }
                    for k in cmd.values("label-rm") {
                        if labels.remove(k).is_none() {
                            io.err
                                .write(&format!("key {k} doesn't exist in node's labels\n"));
                            return 1;
                        }
                    }
                }
                let mut change = NodeChange::default();
                if let Some(a) = cmd.value("availability") {
                    match Availability::parse(a) {
                        Some(a) => change.availability = Some(a),
                        None => return daemon_error(io, &format!("invalid Availability: \"{a}\"")),
                    }
                }
                if let Some(r) = cmd.value("role") {
                    match r.to_ascii_lowercase().as_str() {
                        "manager" => change.role = Some(Role::Manager),
                        "worker" => change.role = Some(Role::Worker),
                        _ => return daemon_error(io, &format!("invalid Role: \"{r}\"")),
                    }
                }
                for l in cmd.values("label-add") {
                    let (k, v) = l.split_once('=').unwrap_or((l, ""));
                    change.labels_add.push((k.to_string(), v.to_string()));
                }
                change.labels_rm = cmd
                    .values("label-rm")
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                change
            }
        };
        let h = world.borrow_mut().node_update(engine, &target, change);
        let r = match h {
            Ok(h) => wait(interp, h).await,
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => io.out.write(&match which {
                "promote" => format!("Node {target} promoted to a manager in the swarm.\n"),
                "demote" => format!("Manager {target} demoted in the swarm.\n"),
                _ => format!("{target}\n"),
            }),
            Err(e) => {
                daemon_error(io, &e);
                status = 1;
            }
        }
    }
    status
}

/// `docker node rm [--force] NODE…`.
pub(crate) async fn node_rm(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let mut status = 0;
    for target in cmd.args.clone() {
        let h = world
            .borrow_mut()
            .node_remove(engine, &target, cmd.bool("force"));
        let r = match h {
            Ok(h) => wait(interp, h).await,
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => io.out.write(&format!("{target}\n")),
            Err(e) => {
                daemon_error(io, &e);
                status = 1;
            }
        }
    }
    status
}

/// `docker node ps [NODE…]`: the tasks on the nodes, with the task table of `service ps`.
pub(crate) fn node_ps(interp: &Interp, engine: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    super::service_cmd::node_ps(interp, engine, cmd, io)
}

/// The ` Swarm:` lines of `docker info` for `engine`.
pub(crate) fn info_section(w: &World, engine: MachineId) -> String {
    format::info::swarm_info_section(&swarm_info(w, engine))
}

/// `info.Swarm` of `engine`: what `docker info` shows and `/info` serves.
pub(crate) fn swarm_info(w: &World, engine: MachineId) -> format::info::SwarmInfo {
    if w.is_locked(engine) {
        return format::info::SwarmInfo {
            local_node_state: "locked".into(),
            ..Default::default()
        };
    }
    let Some((s, n)) = w.node_of(engine) else {
        // A join that timed out: no node ID yet, the join address as the only manager.
        if let Some(remote) = w.join_pending(engine) {
            let remote = if remote.contains(':') {
                remote.to_string()
            } else {
                format!("{remote}:2377")
            };
            return format::info::SwarmInfo {
                local_node_state: "pending".into(),
                node_addr: w
                    .machine(engine)
                    .map(|x| x.ip.to_string())
                    .unwrap_or_default(),
                manager_addrs: vec![remote],
                ..Default::default()
            };
        }
        return format::info::SwarmInfo {
            local_node_state: "inactive".into(),
            ..Default::default()
        };
    };
    let is_manager =
        n.role == Role::Manager && w.membership(engine).is_some() && s.reachability(n).is_some();
    let error = if is_manager {
        w.control(engine).err().unwrap_or_default()
    } else {
        String::new()
    };
    let managers: Vec<String> = s
        .nodes
        .values()
        .filter(|x| x.role == Role::Manager)
        .map(|x| format!("{}:2377", x.addr))
        .collect();
    let cluster = is_manager.then(|| {
        let mut c = format::info::ClusterInfo::swarm_init_defaults(
            &s.id,
            s.manager_count() as u64,
            s.nodes.len() as u64,
        );
        c.task_history_retention_limit = s.task_history_limit;
        c.heartbeat_period_ms = s.heartbeat_period.as_millis();
        c.autolock_managers = !s.unlock_key.is_empty();
        c
    });
    format::info::SwarmInfo {
        local_node_state: "active".into(),
        node_id: n.id.clone(),
        error,
        is_manager,
        cluster,
        node_addr: n.addr.to_string(),
        manager_addrs: managers,
    }
}

/// The daemon's warnings at the end of `docker info` (printed on stderr): a swarm with exactly
/// two managers has no fault tolerance.
pub(crate) fn info_warnings(w: &World, engine: MachineId) -> Vec<&'static str> {
    match w.node_of(engine) {
        Some((s, n)) if n.role == Role::Manager && s.manager_count() == 2 => vec![
            "WARNING: Running Swarm in a two-manager configuration. This configuration provides\n         no fault tolerance, and poses a high risk to lose control over the cluster.\n         Refer to https://docs.docker.com/engine/swarm/admin_guide/ to configure the\n         Swarm for fault-tolerance.",
        ],
        _ => Vec::new(),
    }
}
