//! The routes of the Engine API, each a function of the playground and the request.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use swarm_core::catalog::Catalog;
use swarm_core::swarm::texts;
use swarm_core::{MachineId, OpHandle, Role, SimDuration, SimTime};

use super::{Request, Response, API_VERSION, MIN_API_VERSION};
use crate::model;
use crate::Playground;

/// How long a write may take before the daemon gives up (as our terminal's commands).
const WRITE_TIMEOUT: SimDuration = SimDuration::from_secs(20);
/// The step in which a waiting write moves simulated time.
const POLL: SimDuration = SimDuration::from_millis(10);

/// Answers `req` for `machine`'s engine, with the headers every engine answer carries.
pub(super) fn handle(pg: &mut Playground, machine: &str, req: &Request) -> Response {
    let mut r = route(pg, machine, req);
    for (k, v) in [
        ("Api-Version", API_VERSION),
        ("Docker-Experimental", "false"),
        ("Ostype", "linux"),
        ("Server", "Docker/28.2.2 (linux)"),
    ] {
        r.headers.push((k.into(), v.into()));
    }
    r
}

/// The HTTP status the daemon answers a control-API error with.
pub(super) fn status_of(msg: &str) -> u16 {
    let code = msg
        .strip_prefix("rpc error: code = ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or("");
    match code {
        "NotFound" => return 404,
        "InvalidArgument" | "FailedPrecondition" | "OutOfRange" => return 400,
        "AlreadyExists" => return 409,
        "PermissionDenied" => return 403,
        "Unimplemented" => return 501,
        "Unavailable" => return 503,
        "" => {}
        _ => return 500,
    }
    if msg.starts_with("This node is not a swarm manager")
        || msg.starts_with("This node is already part of a swarm")
        || msg == texts::NOT_PART
        || msg == texts::LOCKED
        || msg == texts::LEAVE_LOCKED
    {
        503
    } else if msg == texts::NOT_LOCKED {
        409
    } else if msg == texts::INVALID_KEY {
        401
    } else if msg == texts::INVALID_KEY_STRING {
        400
    } else if msg.ends_with(" not found") || msg.starts_with("No such") {
        404
    } else if msg.starts_with("invalid filter")
        || msg.starts_with("Invalid filter")
        || msg.contains("is ambiguous")
    {
        400
    } else {
        500
    }
}

pub(super) fn err(msg: &str) -> Response {
    Response::error(status_of(msg), msg)
}

/// `/v1.50/…` → `…`; versions outside what a 28.2 engine speaks are refused as it does.
fn strip_version(path: &str) -> Result<&str, Response> {
    let Some(rest) = path.strip_prefix("/v") else {
        return Ok(path);
    };
    let (ver, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let parse = |v: &str| -> Option<(u32, u32)> {
        let (a, b) = v.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let Some(v) = parse(ver) else {
        return Ok(path);
    };
    let max = parse(API_VERSION).unwrap_or((1, 50));
    let min = parse(MIN_API_VERSION).unwrap_or((1, 24));
    if v > max {
        return Err(Response::error(
            400,
            &format!(
                "client version {ver} is too new. Maximum supported API version is {API_VERSION}"
            ),
        ));
    }
    if v < min {
        return Err(Response::error(400, &format!("client version {ver} is too old. Minimum supported API version is {MIN_API_VERSION}, please upgrade your client to a newer version")));
    }
    Ok(tail)
}

fn route(pg: &mut Playground, machine: &str, req: &Request) -> Response {
    let path = match strip_version(&req.path) {
        Ok(p) => p.to_string(),
        Err(r) => return r,
    };
    let Some(m) = pg.world().machine_by_name(machine).map(|m| m.id) else {
        return Response::error(404, &format!("no such machine: {machine}"));
    };
    if let Some(p) = path.strip_prefix("/_swarmsh/") {
        return private(pg, machine, p, req);
    }
    let up = pg.world().machine(m).is_some_and(|x| x.engine_up());
    if !up {
        return Response::error(
            503,
            "Cannot connect to the Docker daemon. Is the docker daemon running?",
        );
    }
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method.as_str();
    match (method, segs.as_slice()) {
        ("GET" | "HEAD", ["_ping"]) => ping(pg, m, method == "HEAD"),
        ("GET", ["version"]) => {
            let w = pg.world();
            let v = model::version_value(w.machine(m));
            Response::json(200, &v["Server"])
        }
        ("GET", ["info"]) => {
            let w = pg.world();
            match w.machine(m) {
                Some(mach) => Response::json(200, &model::info_json(&w, mach)),
                None => Response::error(500, "no machine"),
            }
        }
        ("GET", ["swarm"]) => {
            let w = pg.world();
            if let Err(e) = w.control(m) {
                return err(&e);
            }
            match model::swarm_json(&w, m) {
                Some(v) => Response::json(200, &v),
                None => err(texts::NOT_IN_SWARM_MANAGER),
            }
        }
        ("POST", ["swarm", "init"]) => swarm_init(pg, m, req),
        ("POST", ["swarm", "join"]) => swarm_join(pg, m, req),
        ("POST", ["swarm", "leave"]) => {
            let r = pg.world.borrow_mut().swarm_leave(m, req.flag("force"));
            match r {
                Ok(()) => Response::json(200, &Value::Null),
                Err(e) => err(&e),
            }
        }
        ("POST", ["swarm", "update"]) => swarm_update(pg, m, req),
        ("POST", ["swarm", "unlock"]) => {
            let body = match body_json(req) {
                Ok(b) => b,
                Err(r) => return r,
            };
            let key = body.get("UnlockKey").and_then(Value::as_str).unwrap_or("");
            let r = pg.world.borrow_mut().swarm_unlock(m, key);
            match r {
                Ok(()) => Response::json(200, &Value::Null),
                Err(e) => err(&e),
            }
        }
        ("GET", ["swarm", "unlockkey"]) => {
            let w = pg.world();
            match w.control_swarm(m) {
                Ok((_, s)) => Response::json(200, &json!({"UnlockKey": s.unlock_key})),
                Err(e) => err(&e),
            }
        }
        ("GET", ["nodes"]) => node_list(pg, m, req),
        ("GET", ["nodes", id]) => {
            let w = pg.world();
            let s = match w.control_swarm(m) {
                Ok((_, s)) => s,
                Err(e) => return err(&e),
            };
            match s.find_node(id) {
                Ok(n) => Response::json(200, &model::node_json(&w, s, n)),
                Err(e) => err(&e),
            }
        }
        ("POST", ["nodes", id, "update"]) => node_update(pg, m, id, req),
        ("DELETE", ["nodes", id]) => {
            let r = pg.world.borrow_mut().node_remove(m, id, req.flag("force"));
            write_result(pg, r, || Response::json(200, &Value::Null))
        }
        ("GET", ["services"]) => service_list(pg, m, req),
        ("POST", ["services", "create"]) => service_create(pg, m, req),
        ("GET", ["services", id]) => {
            let w = pg.world();
            let s = match w.control_swarm(m) {
                Ok((_, s)) => s,
                Err(e) => return err(&e),
            };
            match s.find_service(id) {
                Ok(svc) => {
                    let mut v = model::service_json(svc, s);
                    if !req.flag("insertDefaults") {
                        v["Spec"] = model::spec_json(&svc.spec, false, s);
                    }
                    Response::json(200, &v)
                }
                Err(e) => err(&e),
            }
        }
        ("POST", ["services", id, "update"]) => service_update(pg, m, id, req),
        ("DELETE", ["services", id]) => {
            let r = pg.world.borrow_mut().service_remove(m, id);
            write_result(pg, r, || Response::json(200, &Value::Null))
        }
        ("GET", ["services", id, "logs"]) => logs(pg, m, Some(id), None, req),
        ("GET", ["tasks", id, "logs"]) => logs(pg, m, None, Some(id), req),
        ("GET", ["tasks"]) => task_list(pg, m, req),
        ("GET", ["tasks", id]) => {
            let w = pg.world();
            let s = match w.control_swarm(m) {
                Ok((_, s)) => s,
                Err(e) => return err(&e),
            };
            match model::find_task(s, id) {
                Ok(t) => Response::json(200, &model::task_json(t, s)),
                Err(e) => Response::error(404, &e),
            }
        }
        ("GET", ["containers", "json"]) => container_list(pg, m, req),
        ("GET", ["containers", id, "json"]) => {
            let w = pg.world();
            match w.find_container(m, id) {
                Ok(c) => Response::json(200, &model::container_json(&w, m, c)),
                Err(e) => Response::error(404, &e),
            }
        }
        ("GET", ["distribution", rest @ .., "json"]) if !rest.is_empty() => {
            distribution(&rest.join("/"))
        }
        ("GET", ["networks"]) => {
            let f = match filters(req) {
                Ok(f) => f,
                Err(r) => return r,
            };
            let w = pg.world();
            match crate::docker::network_cmd::network_values_filtered(&w, m, &f) {
                Ok(all) => Response::json(200, &Value::Array(all)),
                Err(e) => Response::error(400, &e),
            }
        }
        ("POST", ["networks", "create"]) => network_create(pg, m, req),
        ("DELETE", ["networks", id]) => network_remove(pg, m, id),
        ("POST", ["networks", id, "connect" | "disconnect"]) => {
            network_connect(pg, m, id, &segs[2..], req)
        }
        ("GET", ["networks", id]) => {
            let w = pg.world();
            match crate::docker::network_cmd::find_value(&w, m, id) {
                Some(n) => Response::json(200, &n),
                None => Response::error(404, &format!("network {id} not found")),
            }
        }
        ("GET", ["volumes"]) => volume_list(pg, m, req),
        ("POST", ["volumes", "create"]) => volume_create(pg, m, req),
        ("POST", ["volumes", "prune"]) => volume_prune(pg, m, req),
        ("POST", ["containers", "prune"]) => container_prune(pg, m, req),
        ("POST", ["images", "prune"]) => image_prune(pg, m, req),
        ("POST", ["networks", "prune"]) => network_prune(pg, m, req),
        ("GET", ["volumes", name]) => {
            let w = pg.world();
            match w.volume(m, name) {
                Some(v) => Response::json(200, &crate::docker::volume_cmd::volume_json(v)),
                None => Response::error(404, &format!("get {name}: no such volume")),
            }
        }
        ("DELETE", ["volumes", name]) => {
            let r = pg
                .world
                .borrow_mut()
                .volume_remove(m, name, req.flag("force"));
            match r {
                Ok(()) => Response {
                    status: 204,
                    ..Response::default()
                },
                Err(e) if e.contains("volume is in use") => Response::error(409, &e),
                Err(e) if e.ends_with("no such volume") => Response::error(404, &e),
                Err(e) => Response::error(500, &e),
            }
        }
        (_, ["secrets" | "configs", ..]) => super::objects::route(pg, m, method, &segs, req)
            .unwrap_or_else(|| Response::error(404, "page not found")),
        _ => Response::error(404, "page not found"),
    }
}

fn ping(pg: &Playground, m: MachineId, head: bool) -> Response {
    let w = pg.world();
    let swarm = match w.node_of(m) {
        None => "inactive",
        Some((_, n)) if n.role == Role::Manager => "active/manager",
        Some(_) => "active/worker",
    };
    let mut r = Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "text/plain; charset=utf-8".into()),
            (
                "Cache-Control".into(),
                "no-cache, no-store, must-revalidate".into(),
            ),
            ("Pragma".into(), "no-cache".into()),
            ("Builder-Version".into(), "2".into()),
            ("Swarm".into(), swarm.into()),
        ],
        body: Vec::new(),
    };
    if !head {
        r.body = b"OK".to_vec();
    }
    r
}

/// Waits (moving simulated time) until the write commits, up to the daemon's deadline.
pub(super) fn wait(pg: &mut Playground, h: OpHandle) -> Result<(), String> {
    let start = pg.now();
    loop {
        if let Some(r) = pg.world().op_result(h).cloned() {
            return r;
        }
        if pg.world().op_lost(h) {
            return Err(texts::LOST_LEADER.into());
        }
        if pg.now().saturating_since(start) >= WRITE_TIMEOUT {
            return Err(texts::DEADLINE.into());
        }
        pg.advance(POLL);
    }
}

pub(super) fn write_result(
    pg: &mut Playground,
    r: Result<OpHandle, String>,
    ok: impl FnOnce() -> Response,
) -> Response {
    match r.and_then(|h| wait(pg, h)) {
        Ok(()) => ok(),
        Err(e) => err(&e),
    }
}

pub(super) fn body_json(req: &Request) -> Result<Value, Response> {
    if req.body.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&req.body)
        .map_err(|e| Response::error(400, &format!("invalid JSON: {e}")))
}

/// The `filters` query parameter: `{"key": {"value": true}}` or `{"key": ["value"]}`.
pub(super) fn filters(req: &Request) -> Result<Vec<(String, String)>, Response> {
    let Some(f) = req.param("filters").filter(|f| !f.is_empty()) else {
        return Ok(Vec::new());
    };
    let v: Value = serde_json::from_str(f)
        .map_err(|e| Response::error(400, &format!("invalid filter: {e}")))?;
    let mut out = Vec::new();
    if let Some(o) = v.as_object() {
        for (k, vals) in o {
            match vals {
                Value::Object(m) => {
                    for (val, on) in m {
                        if on.as_bool().unwrap_or(true) {
                            out.push((k.clone(), val.clone()));
                        }
                    }
                }
                Value::Array(a) => {
                    for val in a {
                        if let Some(s) = val.as_str() {
                            out.push((k.clone(), s.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

fn by_key(f: &[(String, String)]) -> BTreeMap<&str, Vec<&str>> {
    let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in f {
        m.entry(k.as_str()).or_default().push(v.as_str());
    }
    m
}

fn swarm_init(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let addr = body
        .get("AdvertiseAddr")
        .and_then(Value::as_str)
        .unwrap_or("");
    let listen = body.get("ListenAddr").and_then(Value::as_str).unwrap_or("");
    let force = body
        .get("ForceNewCluster")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let in_swarm = pg.world().membership(m).is_some();
    let advertise = match crate::docker::swarm_cmd::resolve_init_addrs(&pg.world(), m, addr, listen)
    {
        Ok(a) => a,
        // "already part of a swarm" comes first.
        Err(_) if in_swarm && !force => None,
        Err(e) => return Response::error(400, e),
    };
    let r = {
        let mut w = pg.world.borrow_mut();
        if force && w.membership(m).is_some() {
            w.swarm_force_new_cluster(m)
        } else {
            w.swarm_init(m, advertise)
        }
    };
    match r {
        Ok(id) => {
            if body.get("AutoLockManagers").and_then(Value::as_bool) == Some(true) {
                pg.world.borrow_mut().swarm_autolock_at_init(m);
            }
            Response::json(200, &json!(id))
        }
        Err(e) => err(&e),
    }
}

fn swarm_join(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let token = body.get("JoinToken").and_then(Value::as_str).unwrap_or("");
    let remote = body
        .get("RemoteAddrs")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let r = pg.world.borrow_mut().swarm_join(m, token, &remote);
    write_result(pg, r, || Response::json(200, &Value::Null))
}

fn swarm_update(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let current = {
        let w = pg.world();
        match w.control_swarm(m) {
            Ok((_, s)) => (s.task_history_limit, s.heartbeat_period),
            Err(e) => return err(&e),
        }
    };
    let limit = body
        .pointer("/Orchestration/TaskHistoryRetentionLimit")
        .and_then(Value::as_i64)
        .filter(|l| *l != current.0);
    let hb = body
        .pointer("/Dispatcher/HeartbeatPeriod")
        .and_then(Value::as_u64)
        .map(|ns| SimDuration::from_millis(ns / 1_000_000))
        .filter(|d| *d != current.1);
    for (flag, role) in [
        ("rotateWorkerToken", Role::Worker),
        ("rotateManagerToken", Role::Manager),
    ] {
        if req.flag(flag) {
            let r = pg.world.borrow_mut().rotate_token(m, role);
            if let Err(e) = r.and_then(|h| wait(pg, h)) {
                return err(&e);
            }
        }
    }
    // Autolock: a new key when it turns on or is rotated, none when it turns off.
    let locked = !pg
        .world()
        .control_swarm(m)
        .map(|(_, s)| s.unlock_key.is_empty())
        .unwrap_or(true);
    let want = body
        .pointer("/EncryptionConfig/AutoLockManagers")
        .and_then(Value::as_bool)
        .unwrap_or(locked);
    if want != locked || (want && req.flag("rotateManagerUnlockKey")) {
        let r = pg.world.borrow_mut().swarm_set_autolock(m, want);
        if let Err(e) = r.and_then(|(h, _)| wait(pg, h)) {
            return err(&e);
        }
    }
    if limit.is_some() || hb.is_some() {
        let r = pg.world.borrow_mut().swarm_update(m, limit, hb);
        return write_result(pg, r, || Response::json(200, &Value::Null));
    }
    Response::json(200, &Value::Null)
}

fn node_list(pg: &Playground, m: MachineId, req: &Request) -> Response {
    let f = match filters(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = pg.world();
    let s = match w.control_swarm(m) {
        Ok((_, s)) => s,
        Err(e) => return err(&e),
    };
    let mut out = Vec::new();
    for n in s.nodes.values() {
        match crate::docker::swarm_cmd::node_matches(s, n, &f) {
            Ok(true) => out.push(model::node_json(&w, s, n)),
            Ok(false) => {}
            Err(e) => return Response::error(400, &e),
        }
    }
    Response::json(200, &Value::Array(out))
}

fn node_update(pg: &mut Playground, m: MachineId, id: &str, req: &Request) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let version: Option<u64> = req.param("version").and_then(|v| v.parse().ok());
    let change = {
        let w = pg.world();
        let s = match w.control_swarm(m) {
            Ok((_, s)) => s,
            Err(e) => return err(&e),
        };
        let n = match s.find_node(id) {
            Ok(n) => n,
            Err(e) => return err(&e),
        };
        if version != Some(n.version) {
            return Response::error(
                500,
                "rpc error: code = Unknown desc = update out of sequence",
            );
        }
        match super::spec::node_change(&body, n) {
            Ok(c) => c,
            Err(e) => return Response::error(400, &e),
        }
    };
    if change == swarm_core::NodeChange::default() {
        return Response::json(200, &Value::Null);
    }
    let r = pg.world.borrow_mut().node_update(m, id, change);
    write_result(pg, r, || Response::json(200, &Value::Null))
}

fn service_list(pg: &Playground, m: MachineId, req: &Request) -> Response {
    let f = match filters(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let keys = by_key(&f);
    if let Err(e) = crate::docker::service_cmd::check_service_filters(&keys) {
        return Response::error(400, &e);
    }
    let w = pg.world();
    let s = match w.control_swarm(m) {
        Ok((_, s)) => s,
        Err(e) => return err(&e),
    };
    let status = req.flag("status");
    let out: Vec<Value> = s
        .services
        .values()
        .filter(|svc| crate::docker::service_cmd::service_matches(svc, &keys))
        .map(|svc| {
            let mut v = model::service_json(svc, s);
            v["Spec"] = model::spec_json(&svc.spec, false, s);
            if status {
                let (running, desired, completed) = model::service_status(s, svc);
                v["ServiceStatus"] = json!({
                    "RunningTasks": running, "DesiredTasks": desired, "CompletedTasks": completed,
                });
            }
            v
        })
        .collect();
    Response::json(200, &Value::Array(out))
}

fn network_create(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let map = |v: &Value| -> std::collections::BTreeMap<String, String> {
        v.as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), text(v))).collect())
            .unwrap_or_default()
    };
    let driver = text(&body["Driver"]);
    if driver != "overlay" {
        let spec = swarm_core::endpoints::LocalNetworkSpec {
            name: text(&body["Name"]),
            driver,
            subnet: body["IPAM"]["Config"][0]["Subnet"]
                .as_str()
                .map(str::to_string),
            gateway: body["IPAM"]["Config"][0]["Gateway"]
                .as_str()
                .filter(|g| !g.is_empty())
                .map(str::to_string),
            internal: body["Internal"].as_bool().unwrap_or(false),
            attachable: body["Attachable"].as_bool().unwrap_or(false),
            labels: map(&body["Labels"]),
            options: map(&body["Options"]),
        };
        let r = pg.world.borrow_mut().local_network_create(m, spec);
        return match r {
            Ok(id) => Response::json(201, &json!({ "Id": id, "Warning": "" })),
            Err(e) => Response::error(local_network_status(&e), &e),
        };
    }
    let spec = swarm_core::network::NetworkSpec {
        name: text(&body["Name"]),
        driver,
        attachable: body["Attachable"].as_bool().unwrap_or(false),
        internal: body["Internal"].as_bool().unwrap_or(false),
        subnet: body["IPAM"]["Config"][0]["Subnet"]
            .as_str()
            .map(str::to_string),
        labels: map(&body["Labels"]),
        options: map(&body["Options"]),
    };
    let r = pg.world.borrow_mut().network_create(m, spec);
    match r {
        Ok((id, h)) => match wait(pg, h) {
            Ok(()) => Response::json(201, &json!({ "Id": id, "Warning": "" })),
            Err(e) => err(&e),
        },
        Err(e) => err(&e),
    }
}

/// The status the daemon answers a local network error with.
fn local_network_status(msg: &str) -> u16 {
    if msg.contains("already exists") {
        409
    } else if msg.starts_with("operation is not permitted")
        || msg.contains("pre-defined")
        || msg.contains("has active endpoints")
    {
        403
    } else if msg.ends_with("not found") || msg.starts_with("No such") {
        404
    } else if msg.starts_with("invalid") {
        400
    } else {
        500
    }
}

/// `DELETE /networks/{id}`: a local network is removed by the engine, a swarm network by the
/// managers.
fn network_remove(pg: &mut Playground, m: MachineId, id: &str) -> Response {
    let found = {
        let w = pg.world();
        crate::docker::network_cmd::find_value(&w, m, id)
    };
    let Some(n) = found else {
        return Response::error(404, &format!("network {id} not found"));
    };
    let nid = n["Id"].as_str().unwrap_or_default().to_string();
    if n["Scope"] == "local" {
        if n["Name"] == "docker_gwbridge" {
            return Response::error(
                403,
                "docker_gwbridge is a pre-defined network and cannot be removed",
            );
        }
        let r = pg.world.borrow_mut().local_network_remove(m, &nid);
        return match r {
            Ok(_) => Response {
                status: 204,
                ..Response::default()
            },
            Err(e) => Response::error(local_network_status(&e), &e),
        };
    }
    let r = pg.world.borrow_mut().network_remove(m, &nid);
    write_result(pg, r, || Response {
        status: 204,
        ..Response::default()
    })
}

/// `POST /networks/{id}/connect|disconnect`.
fn network_connect(
    pg: &mut Playground,
    m: MachineId,
    id: &str,
    action: &[&str],
    req: &Request,
) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let container = body["Container"].as_str().unwrap_or_default().to_string();
    let r = if action.first() == Some(&"connect") {
        let ep = &body["EndpointConfig"];
        let aliases: Vec<String> = ep["Aliases"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let ip = ep["IPAMConfig"]["IPv4Address"]
            .as_str()
            .filter(|s| !s.is_empty())
            .and_then(|s| s.parse().ok());
        pg.world
            .borrow_mut()
            .network_connect(m, id, &container, aliases, ip)
    } else {
        let force = body["Force"].as_bool().unwrap_or(false);
        pg.world
            .borrow_mut()
            .network_disconnect(m, id, &container, force)
    };
    match r {
        Ok(()) => Response {
            status: 200,
            ..Response::default()
        },
        Err(e) => Response::error(local_network_status(&e), &e),
    }
}

fn service_create(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let spec = match super::spec::service_spec(&body) {
        Ok(s) => s,
        Err(e) => return Response::error(400, &e),
    };
    let r = pg.world.borrow_mut().service_create(m, spec);
    match r {
        Ok((id, h)) => match wait(pg, h) {
            Ok(()) => Response::json(201, &json!({ "ID": id })),
            Err(e) => err(&e),
        },
        Err(e) => err(&e),
    }
}

fn service_update(pg: &mut Playground, m: MachineId, id: &str, req: &Request) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(version) = req.param("version").and_then(|v| v.parse::<u64>().ok()) else {
        return Response::error(400, "invalid service version");
    };
    let r = if req.param("rollback") == Some("previous") {
        let current = {
            let w = pg.world();
            w.control_swarm(m)
                .and_then(|(_, s)| s.find_service(id).map(|svc| svc.version))
        };
        match current {
            Ok(v) if v != version => {
                Err(swarm_core::swarm::rpc("Unknown", "update out of sequence"))
            }
            Ok(_) => pg.world.borrow_mut().service_rollback(m, id),
            Err(e) => Err(e),
        }
    } else {
        match super::spec::service_spec(&body) {
            Ok(spec) => pg.world.borrow_mut().service_update(m, id, version, spec),
            Err(e) => return Response::error(400, &e),
        }
    };
    write_result(pg, r, || Response::json(200, &json!({})))
}

fn task_list(pg: &Playground, m: MachineId, req: &Request) -> Response {
    let f = match filters(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = pg.world();
    let s = match w.control_swarm(m) {
        Ok((_, s)) => s,
        Err(e) => return err(&e),
    };
    let mut keys: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (k, v) in &f {
        let key: &'static str = match k.as_str() {
            "id" => "id",
            "name" => "name",
            "node" => "node",
            "desired-state" => "desired-state",
            "label" => "label",
            "service" => "service",
            "runtime" => "runtime",
            _ => return Response::error(400, &format!("invalid filter '{k}'")),
        };
        let v = match key {
            "service" => match s.find_service(v) {
                Ok(svc) => svc.id.clone(),
                Err(e) => return err(&e),
            },
            "node" => match s.find_node(v) {
                Ok(n) => n.id.clone(),
                Err(e) => return err(&e),
            },
            "desired-state" if v.is_empty() => continue,
            "desired-state" if swarm_core::TaskState::from_name(v).is_none() => {
                return Response::error(400, &format!("Invalid desired-state filter: '{v}'"))
            }
            _ => v.clone(),
        };
        keys.entry(key).or_default().push(v);
    }
    let out: Vec<Value> = s
        .tasks
        .values()
        .filter(|t| crate::docker::service_cmd::task_matches(s, t, &keys))
        .map(|t| model::task_json(t, s))
        .collect();
    Response::json(200, &Value::Array(out))
}

fn container_list(pg: &Playground, m: MachineId, req: &Request) -> Response {
    let f = match filters(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in f {
        keys.entry(k).or_default().push(v);
    }
    let last: i64 = req
        .param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(-1);
    let w = pg.world();
    let now = w.now();
    match crate::docker::container_cmd::list_containers(&w, m, req.flag("all"), last, &keys) {
        Ok(cs) => Response::json(
            200,
            &Value::Array(
                cs.iter()
                    .map(|c| {
                        let mut v = crate::docker::container_cmd::container_summary_json(c, now);
                        let net = crate::docker::network_cmd::container_net(&w, m, c);
                        let nets: serde_json::Map<String, Value> =
                            net.names.iter().map(|n| (n.clone(), json!({}))).collect();
                        v["NetworkSettings"]["Networks"] = Value::Object(nets);
                        v["HostConfig"]["NetworkMode"] = json!(net.mode);
                        v
                    })
                    .collect(),
            ),
        ),
        Err(e) => Response::error(400, &e),
    }
}

fn distribution(name: &str) -> Response {
    match Catalog::get().lookup(name) {
        Some(img) => Response::json(
            200,
            &json!({
                "Descriptor": {
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "digest": img.digest,
                    "size": 10229,
                },
                "Platforms": [{"architecture": img.arch, "os": img.os}],
            }),
        ),
        None => Response::error(
            403,
            "errors:\ndenied: requested access to the resource is denied\nunauthorized: authentication required\n",
        ),
    }
}

/// Service or task logs as docker's multiplexed stream: 8-byte headers (stream, 0, 0, 0,
/// big-endian length), each frame one line `[TIMESTAMP ]DETAILS TEXT\n`.
fn logs(
    pg: &Playground,
    m: MachineId,
    service: Option<&str>,
    task: Option<&str>,
    req: &Request,
) -> Response {
    let w = pg.world();
    let (cluster, s) = match w.control_swarm(m) {
        Ok(x) => x,
        Err(e) => return err(&e),
    };
    let (service_id, ids, tty) = if let Some(r) = service {
        match s.find_service(r) {
            Ok(svc) => (
                svc.id.clone(),
                s.tasks_of(&svc.id)
                    .map(|t| t.id.clone())
                    .collect::<Vec<_>>(),
                svc.spec.tty,
            ),
            Err(e) => return err(&e),
        }
    } else {
        let r = task.unwrap_or("");
        match s.tasks.values().find(|t| t.id == r) {
            Some(t) => (t.service_id.clone(), vec![t.id.clone()], t.spec.tty),
            None => return Response::error(404, &format!("task {r} not found")),
        }
    };
    let _ = service_id;
    let now = w.now();
    let since = match req.param("since").filter(|v| !v.is_empty() && *v != "0") {
        None => SimTime::ZERO,
        Some(v) => {
            let (secs, frac) = v.split_once('.').unwrap_or((v, ""));
            let secs: i64 = secs.parse().unwrap_or(0);
            let mut ms: i64 = 0;
            for (i, c) in frac.bytes().take(3).enumerate() {
                ms += i64::from(c.saturating_sub(b'0')) * 10i64.pow(2 - i as u32);
            }
            let unix = secs.saturating_mul(1000).saturating_add(ms);
            let rel = unix - model::unix_ms(SimTime::ZERO);
            SimTime::from_millis(rel.max(0) as u64)
        }
    };
    // The daemon's checks of `tail` (`Cluster.ServiceLogs`): Go's `strconv.Atoi`, then the sign.
    let tail = match req.param("tail").filter(|t| *t != "all" && !t.is_empty()) {
        None => None,
        Some(t) => match t.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n as usize),
            Ok(_) => return Response::error(500, "negative tail values not supported"),
            Err(_) => {
                return Response::error(500, "tail value must be a positive integer or \"all\"")
            }
        },
    };
    let mut lines = w.task_logs(cluster, &ids, since, now);
    if let Some(n) = tail {
        crate::docker::service_cmd::tail_per_task(&mut lines, &ids, n);
    }
    let details = req.flag("details");
    let timestamps = req.flag("timestamps");
    let mut body = Vec::new();
    for l in &lines {
        let mut line = String::new();
        if timestamps {
            line.push_str(&model::rfc3339_fixed(l.at.as_millis()));
            line.push(' ');
        }
        if details {
            let service_id = s
                .tasks
                .get(&l.task_id)
                .map(|t| t.service_id.as_str())
                .unwrap_or("");
            line.push_str(&format!(
                "com.docker.swarm.node.id={},com.docker.swarm.service.id={},com.docker.swarm.task.id={} ",
                l.node_id, service_id, l.task_id
            ));
        }
        line.push_str(&l.text);
        line.push('\n');
        if tty {
            body.extend_from_slice(line.as_bytes());
            continue;
        }
        let stream: u8 = if l.stream == swarm_core::catalog::Stream::Stderr {
            2
        } else {
            1
        };
        let len = line.len() as u32;
        body.extend_from_slice(&[stream, 0, 0, 0]);
        body.extend_from_slice(&len.to_be_bytes());
        body.extend_from_slice(line.as_bytes());
    }
    let ctype = if tty {
        "application/vnd.docker.raw-stream"
    } else {
        "application/vnd.docker.multiplexed-stream"
    };
    Response {
        status: 200,
        headers: vec![("Content-Type".into(), ctype.into())],
        body,
    }
}

/// The playground's own endpoints under `/_swarmsh/`.
fn private(pg: &mut Playground, machine: &str, p: &str, req: &Request) -> Response {
    match (req.method.as_str(), p) {
        ("POST", "exec") => {
            let line = String::from_utf8_lossy(&req.body).into_owned();
            if let Some(t) = pg.terminal_mut(machine) {
                t.drain_output();
            }
            pg.submit(machine, line.trim_end_matches(['\n', '\r']));
            if !pg.run_until_idle(machine, crate::IDLE_LIMIT) {
                pg.interrupt(machine);
            }
            let Some(t) = pg.terminal_mut(machine) else {
                return Response::error(404, "no terminal");
            };
            let (out, e) = t.drain_streams();
            let status = t.last_status();
            Response::json(200, &json!({"stdout": out, "stderr": e, "status": status}))
        }
        ("POST", "advance") => {
            let ms: u64 = req.param("ms").and_then(|v| v.parse().ok()).unwrap_or(0);
            pg.advance(SimDuration::from_millis(ms.min(24 * 3_600_000)));
            now_json(pg)
        }
        ("GET", "now") => now_json(pg),
        _ => Response::error(404, "page not found"),
    }
}

fn now_json(pg: &Playground) -> Response {
    let now = pg.now();
    Response::json(
        200,
        &json!({"sim_ms": now.as_millis(), "unix_ms": model::unix_ms(now), "shift_ms": model::time_shift()}),
    )
}

/// The volume filters of a request, as `docker volume ls`/`prune` send them.
fn volume_filter(
    req: &Request,
    prune: bool,
) -> Result<(swarm_core::volume::VolumeFilter, bool), Response> {
    let pairs = filters(req)?;
    let all = pairs
        .iter()
        .any(|(k, v)| k == "all" && matches!(v.as_str(), "1" | "true"));
    let raw: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    swarm_core::volume::VolumeFilter::parse(&raw, prune)
        .map(|f| (f, all))
        .map_err(|e| Response::error(400, &e))
}

fn volume_list(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let (f, _) = match volume_filter(req, false) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = pg.world();
    let all = crate::docker::volume_cmd::volume_values(&w, m, &f);
    Response::json(200, &json!({"Volumes": all, "Warnings": null}))
}

fn volume_create(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let map = |v: &Value| -> BTreeMap<String, String> {
        v.as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), text(v))).collect())
            .unwrap_or_default()
    };
    let name = text(&body["Name"]);
    let driver = text(&body["Driver"]);
    let r = pg.world.borrow_mut().volume_create(
        m,
        Some(name.as_str()).filter(|n| !n.is_empty()),
        &driver,
        map(&body["Labels"]),
        map(&body["DriverOpts"]),
    );
    match r {
        Ok(n) => {
            let w = pg.world();
            match w.volume(m, &n) {
                Some(v) => Response::json(201, &crate::docker::volume_cmd::volume_json(v)),
                None => Response::error(500, "volume vanished"),
            }
        }
        Err(e) if e.contains("plugin") => Response::error(404, &e),
        Err(e) => Response::error(400, &e),
    }
}

/// A prune's filters as the daemon reads them; `Err` is its 400.
fn prune_filter(
    pg: &Playground,
    req: &Request,
    accepted: &[&str],
) -> Result<(swarm_core::prune::PruneFilter, Vec<String>), Response> {
    let raw: Vec<String> = filters(req)?
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    crate::docker::prune_cmd::parse_filter(pg.now(), &raw, accepted)
        .map(|f| (f, raw))
        .map_err(|e| Response::error(400, &e))
}

/// `POST /containers/prune`.
fn container_prune(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let (f, _) = match prune_filter(pg, req, crate::docker::prune_cmd::CONTAINER_FILTERS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (ids, bytes) = pg.world.borrow_mut().container_prune(m, &f);
    Response::json(
        200,
        &json!({"ContainersDeleted": if ids.is_empty() { Value::Null } else { json!(ids) }, "SpaceReclaimed": bytes}),
    )
}

/// `POST /images/prune` (the CLI sends `dangling=false` for `-a`).
fn image_prune(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let (f, raw) = match prune_filter(pg, req, crate::docker::prune_cmd::IMAGE_FILTERS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // moby's `GetBoolOrDefault("dangling", true)`: only dangling images unless
    // `dangling=false` (what the CLI sends for `-a`); both values is an error.
    let values: Vec<&str> = raw
        .iter()
        .filter_map(|r| r.strip_prefix("dangling="))
        .collect();
    let all = match (
        values.iter().any(|v| matches!(*v, "false" | "0")),
        values.iter().any(|v| matches!(*v, "true" | "1")),
    ) {
        (true, true) => {
            return Response::error(
                400,
                &format!("invalid filter 'dangling={}'", values.join(",")),
            )
        }
        (all, _) => all,
    };
    let report = pg.world.borrow_mut().image_prune(m, all, &f);
    let deleted: Vec<Value> = report
        .lines
        .iter()
        .map(|(untagged, x)| {
            if *untagged {
                json!({ "Untagged": x })
            } else {
                json!({ "Deleted": x })
            }
        })
        .collect();
    Response::json(
        200,
        &json!({"ImagesDeleted": if deleted.is_empty() { Value::Null } else { json!(deleted) }, "SpaceReclaimed": report.bytes}),
    )
}

/// `POST /networks/prune`: the machine's unused local networks.
fn network_prune(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let (f, _) = match prune_filter(pg, req, crate::docker::prune_cmd::NETWORK_FILTERS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let names = pg.world.borrow_mut().local_network_prune(m, &f);
    Response::json(
        200,
        &json!({"NetworksDeleted": if names.is_empty() { Value::Null } else { json!(names) }}),
    )
}

fn volume_prune(pg: &mut Playground, m: MachineId, req: &Request) -> Response {
    let (f, all) = match volume_filter(req, true) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (names, bytes) = pg.world.borrow_mut().volume_prune(m, all, &f);
    Response::json(
        200,
        &json!({"VolumesDeleted": if names.is_empty() { Value::Null } else { json!(names) }, "SpaceReclaimed": bytes}),
    )
}
