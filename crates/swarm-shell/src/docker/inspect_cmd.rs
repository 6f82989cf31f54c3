//! `docker inspect [--type T] [-f F] [-s] NAME|ID…`: any object, as docker/cli's
//! `system/inspect.go` finds it.
//!
//! Without `--type` each reference is looked up as a container, image, network, volume,
//! service, task, node, plugin, secret and config, in that order (`inspectAll`), the first hit
//! winning; the swarm kinds (service, task, node, secret, config) only when the engine is a
//! swarm manager (`Info.Swarm.ControlAvailable`). A lookup that finds nothing goes on to the next
//! kind; any other error (a swarm without a leader, an ambiguous prefix) is that reference's
//! answer. Nothing found: `Error: No such object: X`. With `--type` only that kind is looked up,
//! and its error is the daemon's as the 28.x client reports it (`Error response from daemon:
//! network x not found`, `Error response from daemon: No such container: x`).
//!
//! The JSON of each kind is the one its own inspect command prints (`container_cmd`,
//! `network_cmd`, `volume_cmd`, `service_cmd`, `swarm_cmd`, `objects_cmd`, `model::task_json`).
//! As `inspect.Inspect` does, what was found is printed first (one JSON array, or each object
//! through the template), then the errors in the order of the references, exit status 1.

use serde_json::Value;
use swarm_core::{MachineId, ObjectKind, World};

use super::cli::Parsed;
use super::template::{check_format, write_inspect, Lookup};
use super::Status;
use crate::exec::{Interp, Io};

/// The CLI's `allTypes`, as its errors list them.
const ALL_TYPES: [&str; 10] = [
    "config",
    "container",
    "image",
    "network",
    "node",
    "plugin",
    "secret",
    "service",
    "task",
    "volume",
];

/// `inspectAll`'s search order, and whether the kind needs a swarm manager.
const SEARCH: [(&str, bool); 10] = [
    ("container", false),
    ("image", false),
    ("network", false),
    ("volume", false),
    ("service", true),
    ("task", true),
    ("node", true),
    ("plugin", false),
    ("secret", true),
    ("config", true),
];

/// Why a lookup found nothing.
enum Miss {
    /// Not found (`errdefs.IsNotFound`): the search goes on.
    NotFound(String),
    /// Any other error: the reference's answer.
    Failed(String),
}

/// The Go type a template sees for each kind (its typed pass: Go field names, zero values of
/// fields the JSON leaves out). `docker inspect` has every kind's raw JSON too.
fn root(kind: &str) -> &'static str {
    match kind {
        "container" => "container.InspectResponse",
        "image" => "image.InspectResponse",
        "network" => "network.Inspect",
        "volume" => "volume.Volume",
        "service" => "swarm.Service",
        "task" => "swarm.Task",
        "node" => "swarm.Node",
        "secret" => "swarm.Secret",
        _ => "swarm.Config",
    }
}

/// A daemon error as the client reports it.
fn daemon(e: &str) -> String {
    format!("Error response from daemon: {e}")
}

/// The swarm API's answer: not found goes on, anything else (not a manager, no leader, an
/// ambiguous prefix) is final.
fn swarm_miss(e: String) -> Miss {
    if e.ends_with(" not found") {
        Miss::NotFound(daemon(&e))
    } else {
        Miss::Failed(daemon(&e))
    }
}

/// Looks `r` up as one kind of object on machine `m`'s engine.
fn lookup(w: &World, m: MachineId, kind: &str, r: &str) -> Result<Value, Miss> {
    // The client refuses an empty reference before asking (`trimID`); the image's inspect
    // answers it with its old not-found error.
    if r.trim().is_empty() {
        return Err(if kind == "image" {
            Miss::NotFound(format!("Error: No such image: {r}"))
        } else {
            Miss::Failed(format!("invalid {kind} name or ID: value is empty"))
        });
    }
    match kind {
        "container" => match w.find_container(m, r) {
            Ok(c) => Ok(super::container_cmd::container_json(w, m, c)),
            Err(e) if e.starts_with("No such container") => Err(Miss::NotFound(daemon(&e))),
            Err(e) => Err(Miss::Failed(daemon(&e))),
        },
        // The daemon names a missing image by its reference with the default tag.
        "image" => w
            .find_image(m, r)
            .map(|i| super::container_cmd::image_json(w, m, i))
            .ok_or_else(|| {
                let tagged =
                    r.contains('@') || r.rsplit('/').next().is_some_and(|l| l.contains(':'));
                let shown = if tagged {
                    r.to_string()
                } else {
                    format!("{r}:latest")
                };
                Miss::NotFound(daemon(&format!("No such image: {shown}")))
            }),
        "network" => super::network_cmd::find_value(w, m, r)
            .ok_or_else(|| Miss::NotFound(daemon(&format!("network {r} not found")))),
        "volume" => w
            .volume(m, r)
            .map(super::volume_cmd::volume_json)
            .ok_or_else(|| Miss::NotFound(daemon(&format!("get {r}: no such volume")))),
        // No plugins are installed (moby's plugin store: `plugin "x" not found`).
        "plugin" => Err(Miss::NotFound(daemon(&format!("plugin \"{r}\" not found")))),
        _ => {
            let s = match w.control_swarm(m) {
                Ok((_, s)) => s,
                Err(e) => return Err(Miss::Failed(daemon(&e))),
            };
            match kind {
                "service" => s
                    .find_service(r)
                    .map(|svc| super::service_cmd::service_json(svc, s))
                    .map_err(swarm_miss),
                "task" => crate::model::find_task(s, r)
                    .map(|t| crate::model::task_json(t, s))
                    .map_err(swarm_miss),
                "node" => s
                    .find_node(r)
                    .map(|n| super::swarm_cmd::node_json(w, s, n))
                    .map_err(swarm_miss),
                "secret" => s
                    .find_object(ObjectKind::Secret, r)
                    .map(|o| super::objects_cmd::object_json(ObjectKind::Secret, o))
                    .map_err(swarm_miss),
                _ => s
                    .find_object(ObjectKind::Config, r)
                    .map(|o| super::objects_cmd::object_json(ObjectKind::Config, o))
                    .map_err(swarm_miss),
            }
        }
    }
}

/// `docker inspect`. `engine` is the machine whose engine answers, or why none does.
pub(crate) fn run(
    interp: &Interp,
    engine: Result<MachineId, String>,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let constraint = cmd.value("type");
    let types_list = ALL_TYPES.join("\", \"");
    match constraint {
        Some("") => {
            io.err
                .write(&format!("type is empty: must be one of \"{types_list}\"\n"));
            return 1;
        }
        Some(t) if !ALL_TYPES.contains(&t) => {
            io.err.write(&format!(
                "unknown type: \"{t}\": must be one of \"{types_list}\"\n"
            ));
            return 1;
        }
        _ => {}
    }
    let format = cmd.value("format").unwrap_or("");
    // `inspect.Inspect` parses the template before it looks anything up.
    if let Some(status) = check_format(io, format, 64) {
        return status;
    }
    let size = cmd.bool("size");
    let world = interp.world();
    let w = world.borrow();
    let engine = engine.and_then(|m| match w.machine(m) {
        Some(x) if x.engine_up() => Ok(m),
        _ => Err(format!(
            "Cannot connect to the Docker daemon at {}. Is the docker daemon running?",
            super::SOCKET
        )),
    });
    let mut refs: Vec<Lookup> = Vec::new();
    for r in &cmd.args {
        let m = match &engine {
            Ok(m) => *m,
            Err(e) => {
                refs.push(Err(e.clone()));
                continue;
            }
        };
        let mut manager = None;
        let mut answer = Err(format!("Error: No such object: {r}"));
        for (kind, swarm_only) in SEARCH {
            if constraint.is_some_and(|t| t != kind) {
                continue;
            }
            if constraint.is_none() && swarm_only {
                let is_manager =
                    *manager.get_or_insert_with(|| super::swarm_cmd::swarm_info(&w, m).is_manager);
                if !is_manager {
                    continue;
                }
            }
            match lookup(&w, m, kind, r) {
                Ok(v) => {
                    if size && kind != "container" {
                        io.err
                            .write(&format!("WARNING: --size ignored for {kind}\n"));
                    }
                    answer = Ok((v, kind));
                    break;
                }
                Err(Miss::NotFound(e)) if constraint.is_some() => {
                    answer = Err(e);
                    break;
                }
                Err(Miss::NotFound(_)) => {}
                Err(Miss::Failed(e)) => {
                    answer = Err(e);
                    break;
                }
            }
        }
        refs.push(answer.map(|(v, kind)| (v, root(kind), true)));
    }
    write_inspect(io, format, refs, 64)
}
