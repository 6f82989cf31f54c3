//! The Engine API's `/secrets` and `/configs` routes (list, create, inspect, update, delete)
//! over the world's object API, with the JSON of `docker::objects_cmd`.

use serde_json::{json, Value};
use swarm_core::objects::{ObjectKind, ObjectSpec};
use swarm_core::MachineId;

use super::handlers::{body_json, err, filters, write_result};
use super::{Request, Response};
use crate::docker::objects_cmd::filter_objects;
use crate::model::object_json;
use crate::Playground;
use swarm_core::base64::decode as base64_decode;

/// Answers `METHOD /secrets…` and `/configs…`; `None` for other paths.
pub(super) fn route(
    pg: &mut Playground,
    m: MachineId,
    method: &str,
    segs: &[&str],
    req: &Request,
) -> Option<Response> {
    let kind = match segs.first() {
        Some(&"secrets") => ObjectKind::Secret,
        Some(&"configs") => ObjectKind::Config,
        _ => return None,
    };
    Some(match (method, &segs[1..]) {
        ("GET", []) => list(pg, m, kind, req),
        ("POST", ["create"]) => create(pg, m, kind, req),
        ("GET", [id]) => {
            let w = pg.world();
            let s = match w.control_swarm(m) {
                Ok((_, s)) => s,
                Err(e) => return Some(err(&e)),
            };
            match s.find_object(kind, id) {
                Ok(o) => Response::json(200, &object_json(kind, o)),
                Err(e) => err(&e),
            }
        }
        ("POST", [id, "update"]) => update(pg, m, kind, id, req),
        ("DELETE", [id]) => {
            let r = pg.world.borrow_mut().object_remove(m, kind, id);
            write_result(pg, r, || Response {
                status: 204,
                ..Response::default()
            })
        }
        _ => Response::error(404, "page not found"),
    })
}

fn list(pg: &Playground, m: MachineId, kind: ObjectKind, req: &Request) -> Response {
    let f = match filters(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = pg.world();
    let s = match w.control_swarm(m) {
        Ok((_, s)) => s,
        Err(e) => return err(&e),
    };
    match filter_objects(s, kind, &f) {
        Ok(found) => Response::json(
            200,
            &Value::Array(found.iter().map(|o| object_json(kind, o)).collect()),
        ),
        Err(e) => err(&e),
    }
}

/// A `SecretSpec`/`ConfigSpec` from its JSON.
fn spec_of(v: &Value) -> Result<ObjectSpec, Response> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let driver = |k: &str| {
        v.get(k)
            .and_then(|d| d.get("Name"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(String::from)
    };
    let data = match v.get("Data") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(b)) => base64_decode(b)
            .ok_or_else(|| Response::error(400, "illegal base64 data at input byte 0"))?,
        Some(_) => return Err(Response::error(400, "invalid JSON: Data must be a string")),
    };
    let labels = v
        .get("Labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, x)| (k.clone(), x.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    Ok(ObjectSpec {
        name: text("Name"),
        labels,
        data,
        templating: driver("Templating"),
        driver: driver("Driver"),
    })
}

fn create(pg: &mut Playground, m: MachineId, kind: ObjectKind, req: &Request) -> Response {
    let spec = match body_json(req).and_then(|b| spec_of(&b)) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let r = pg.world.borrow_mut().object_create(m, kind, spec);
    match r {
        Ok((id, h)) => write_result(pg, Ok(h), || Response::json(201, &json!({ "ID": id }))),
        Err(e) => err(&e),
    }
}

fn update(
    pg: &mut Playground,
    m: MachineId,
    kind: ObjectKind,
    id: &str,
    req: &Request,
) -> Response {
    let Some(version) = req.param("version").and_then(|v| v.parse::<u64>().ok()) else {
        return Response::error(400, "invalid version");
    };
    let spec = match body_json(req).and_then(|b| spec_of(&b)) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let r = pg
        .world
        .borrow_mut()
        .object_update(m, kind, id, version, spec);
    write_result(pg, r, || Response::json(200, &Value::Null))
}
