//! `docker secret …` and `docker config …`: create, ls, inspect, rm over the world's object
//! API (`swarm_core::objects`), with docker/cli's formatters (`secret/formatter.go`,
//! `config/formatter.go`) and the daemon's filters; and the client-side resolution of
//! `--secret`/`--config` references (docker/cli `service/parse.go` `ParseSecrets`,
//! `ParseConfigs`) that `service create|update` and `stack deploy` use.
//!
//! The two commands differ only in words, the `DRIVER` column and the pretty template, so one
//! module serves both, keyed by [`ObjectKind`].

use std::collections::BTreeMap;

use serde_json::{json, Value};
use swarm_core::objects::{ObjectKind, ObjectSpec, StoredObject};
use swarm_core::service::FileRef;
use swarm_core::{MachineId, Swarm, World};

use super::cli::Parsed;
use super::swarm_cmd::{daemon_error, wait};
use super::{template, Status};
use crate::exec::{Interp, Io};
use crate::format;

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    kind_of(path).is_some()
        && matches!(
            path.split(' ').nth(1),
            Some("create" | "ls" | "inspect" | "rm")
        )
}

fn kind_of(path: &str) -> Option<ObjectKind> {
    match path.split(' ').next() {
        Some("secret") => Some(ObjectKind::Secret),
        Some("config") => Some(ObjectKind::Config),
        _ => None,
    }
}

/// Runs one of this module's commands against machine `m`'s engine.
pub(crate) async fn run(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let Some(kind) = kind_of(path) else {
        return 1;
    };
    if let Err(e) = super::service_cmd::opts::check_values(path, cmd) {
        return super::usage_error(io, path, &e);
    }
    match path.split(' ').nth(1) {
        Some("create") => create(interp, m, kind, cmd, io).await,
        Some("ls") => ls(interp, m, kind, cmd, io),
        Some("inspect") => inspect(interp, m, kind, cmd, io),
        Some("rm") => rm(interp, m, kind, cmd, io).await,
        _ => 1,
    }
}

// ---------------------------------------------------------------------------------------
// The Engine API's JSON

use swarm_core::base64::encode as base64_encode;

/// `swarm.Secret` / `swarm.Config` as the Engine API returns them (secret data never).
pub(crate) fn object_json(kind: ObjectKind, o: &StoredObject) -> Value {
    let mut spec = serde_json::Map::new();
    spec.insert("Name".into(), json!(o.name));
    spec.insert("Labels".into(), json!(o.labels));
    if kind == ObjectKind::Config && !o.data.is_empty() {
        spec.insert("Data".into(), json!(base64_encode(&o.data)));
    }
    if let Some(d) = &o.driver {
        spec.insert("Driver".into(), json!({"Name": d}));
    }
    if let Some(t) = &o.templating {
        spec.insert("Templating".into(), json!({"Name": t}));
    }
    json!({
        "ID": o.id,
        "Version": {"Index": o.version},
        "CreatedAt": crate::model::rfc3339(o.created_at.as_millis()),
        "UpdatedAt": crate::model::rfc3339(o.updated_at.as_millis()),
        "Spec": Value::Object(spec),
    })
}

/// The daemon's list filters (`newListSecretsFilters`): `names` (exact), `name` (prefix) and
/// `id` (prefix) select together, `label` (`k` or `k=v`) must all match. Store order (by ID).
pub(crate) fn filter_objects<'s>(
    s: &'s Swarm,
    kind: ObjectKind,
    filters: &[(String, String)],
) -> Result<Vec<&'s StoredObject>, String> {
    for (k, _) in filters {
        if !matches!(k.as_str(), "names" | "name" | "id" | "label") {
            return Err(format!("invalid filter '{k}'"));
        }
    }
    let of = |key: &str| -> Vec<&str> {
        filters
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let (names, prefixes, ids, labels) = (of("names"), of("name"), of("id"), of("label"));
    let selecting = !(names.is_empty() && prefixes.is_empty() && ids.is_empty());
    Ok(s.objects(kind)
        .values()
        .filter(|o| {
            !selecting
                || names.contains(&o.name.as_str())
                || prefixes.iter().any(|p| o.name.starts_with(p))
                || ids.iter().any(|p| o.id.starts_with(p))
        })
        .filter(|o| {
            labels.iter().all(|l| {
                let (k, v) = l.split_once('=').unwrap_or((l, ""));
                o.labels
                    .get(k)
                    .is_some_and(|have| v.is_empty() || have == v)
            })
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Service references (the CLI's `ParseSecrets` / `ParseConfigs`)

/// Resolves the names of `refs` to IDs as the CLI does before it sends a service spec:
/// duplicate targets are refused, then the objects are listed (a worker gets the daemon's
/// refusal) and every name must exist. `Err` is the whole text the CLI prints.
pub(crate) fn resolve_refs(
    w: &World,
    m: MachineId,
    kind: ObjectKind,
    refs: &mut [FileRef],
) -> Result<(), String> {
    if refs.is_empty() {
        return Ok(());
    }
    let k = kind.as_str();
    let mut targets = std::collections::BTreeSet::new();
    for r in refs.iter() {
        if !targets.insert(r.target.as_str()) {
            return Err(format!("duplicate {k} target for {} not allowed", r.source));
        }
    }
    let (_, s) = w
        .control_swarm(m)
        .map_err(|e| format!("Error response from daemon: {e}"))?;
    for r in refs.iter_mut() {
        match s.objects(kind).values().find(|o| o.name == r.source) {
            Some(o) => r.id = o.id.clone(),
            None => return Err(format!("{k} not found: {}", r.source)),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// create

/// Go's error text of a failed read of `path` from the machine's filesystem.
fn read_error(path: &str, e: &swarm_core::fs::FsError) -> String {
    use swarm_core::fs::FsError;
    let op = if matches!(e, FsError::IsADirectory) {
        "read"
    } else {
        "open"
    };
    format!("{op} {path}: {}", e.to_string().to_lowercase())
}

/// The payload of `docker secret|config create NAME FILE|-` (`readSecretData`).
fn read_data(interp: &Interp, io: &Io, file: &str) -> Result<Vec<u8>, String> {
    match file {
        "-" => {
            if io.stdin.is_empty() {
                return Err("error reading from STDIN: data is empty".into());
            }
            Ok(io.stdin.as_bytes().to_vec())
        }
        "" => Err("secret file is required".into()),
        path => match crate::fsutils::read_file(interp, path) {
            Ok(t) if t.is_empty() => Err(format!("error reading from {path}: data is empty")),
            Ok(t) => Ok(t.into_bytes()),
            Err(e) => Err(format!(
                "error reading from {path}: {}",
                read_error(path, &e)
            )),
        },
    }
}

/// `-l KEY[=VALUE]` values as docker's `ValidateLabel` checks them, into a map.
fn labels(cmd: &Parsed) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for l in cmd.values("label") {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        let key = k.trim();
        let flag = "-l, --label";
        if key.is_empty() {
            return Err(format!(
                "invalid argument \"{l}\" for \"{flag}\" flag: invalid label '{l}': empty name"
            ));
        }
        if key.contains(char::is_whitespace) {
            return Err(format!(
                "invalid argument \"{l}\" for \"{flag}\" flag: label '{key}' contains whitespaces"
            ));
        }
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

async fn create(interp: &Interp, m: MachineId, kind: ObjectKind, cmd: &Parsed, io: &Io) -> Status {
    let path = format!("{} create", kind.as_str());
    let labels = match labels(cmd) {
        Ok(l) => l,
        Err(e) => return super::usage_error(io, &path, &e),
    };
    let name = cmd.args.first().cloned().unwrap_or_default();
    let file = cmd.args.get(1).cloned().unwrap_or_default();
    let driver = cmd.value("driver").filter(|d| !d.is_empty());
    let data = if kind == ObjectKind::Secret && driver.is_some() {
        if !file.is_empty() {
            io.err
                .write("When using secret driver secret data must be empty\n");
            return 1;
        }
        Vec::new()
    } else {
        match read_data(interp, io, &file) {
            Ok(d) => d,
            Err(e) => {
                let e = match kind {
                    ObjectKind::Secret => e,
                    ObjectKind::Config => format!("Error reading content from \"{file}\": {e}"),
                };
                io.err.write(&format!("{e}\n"));
                return 1;
            }
        }
    };
    let spec = ObjectSpec {
        name,
        labels,
        data,
        templating: cmd
            .value("template-driver")
            .filter(|d| !d.is_empty())
            .map(String::from),
        driver: driver.map(String::from),
    };
    let world = interp.world();
    let r = world.borrow_mut().object_create(m, kind, spec);
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

// ---------------------------------------------------------------------------------------
// ls

fn ago(w: &World, t: swarm_core::SimTime) -> String {
    format!(
        "{} ago",
        format::human_duration(w.now().saturating_since(t).as_millis())
    )
}

fn ls(interp: &Interp, m: MachineId, kind: ObjectKind, cmd: &Parsed, io: &Io) -> Status {
    let filters: Vec<(String, String)> = cmd
        .values("filter")
        .iter()
        .filter_map(|f| f.split_once('='))
        .map(|(k, v)| (k.trim().to_lowercase(), v.to_string()))
        .collect();
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = match w.control_swarm(m) {
        Ok(x) => x,
        Err(e) => return daemon_error(io, &e),
    };
    let mut found = match filter_objects(s, kind, &filters) {
        Ok(f) => f,
        Err(e) => return daemon_error(io, &e),
    };
    swarm_core::sort::sort_by(&mut found, |a, b| format::natural_cmp(&a.name, &b.name));
    let f = cmd.value("format").unwrap_or("");
    let f = match f {
        "" | "table" if cmd.bool("quiet") => "{{.ID}}",
        "" | "table" => match kind {
            ObjectKind::Secret => {
                "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}"
            }
            ObjectKind::Config => "table {{.ID}}\t{{.Name}}\t{{.CreatedAt}}\t{{.UpdatedAt}}",
        },
        f => f,
    };
    let values: Vec<Value> = found
        .iter()
        .map(|o| {
            let labels: Vec<String> = o.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            // Keys in the order Go's `json.Marshal` of a map writes them (sorted).
            let mut v = serde_json::Map::new();
            v.insert("CreatedAt".into(), json!(ago(&w, o.created_at)));
            if kind == ObjectKind::Secret {
                v.insert("Driver".into(), json!(o.driver.clone().unwrap_or_default()));
            }
            v.insert("ID".into(), json!(o.id));
            v.insert("Labels".into(), json!(labels.join(",")));
            v.insert("Name".into(), json!(o.name));
            v.insert("UpdatedAt".into(), json!(ago(&w, o.updated_at)));
            Value::Object(v)
        })
        .collect();
    let header: &[(&str, &str)] = &[
        ("ID", "ID"),
        ("Name", "NAME"),
        ("Driver", "DRIVER"),
        ("CreatedAt", "CREATED"),
        ("UpdatedAt", "UPDATED"),
        ("Labels", "LABELS"),
    ];
    let type_name = match kind {
        ObjectKind::Secret => "*secret.secretContext",
        ObjectKind::Config => "*config.configContext",
    };
    template::write_table(io, f, &values, type_name, header)
}

// ---------------------------------------------------------------------------------------
// inspect

/// docker/cli's pretty template of one object (`secretInspectPrettyTemplate`,
/// `configInspectPrettyTemplate`), with the line the formatter adds after each.
pub(crate) fn pretty(kind: ObjectKind, o: &StoredObject) -> String {
    let time = |t| format::pretty_print(&crate::model::go_time(t));
    let mut out = String::new();
    let labels = |out: &mut String| {
        if !o.labels.is_empty() {
            out.push_str("\nLabels:");
            for (k, v) in &o.labels {
                out.push_str(&format!("\n - {k}"));
                if !v.is_empty() {
                    out.push_str(&format!("={v}"));
                }
            }
        }
    };
    match kind {
        ObjectKind::Secret => {
            out.push_str(&format!("ID:              {}\n", o.id));
            out.push_str(&format!("Name:              {}", o.name));
            labels(&mut out);
            out.push_str(&format!(
                "\nDriver:            {}\n",
                o.driver.clone().unwrap_or_default()
            ));
            out.push_str(&format!("Created at:        {}\n", time(o.created_at)));
            out.push_str(&format!("Updated at:        {}", time(o.updated_at)));
        }
        ObjectKind::Config => {
            out.push_str(&format!("ID:\t\t\t{}\n", o.id));
            out.push_str(&format!("Name:\t\t\t{}", o.name));
            labels(&mut out);
            out.push_str(&format!(
                "\nCreated at:            \t{}\n",
                time(o.created_at)
            ));
            out.push_str(&format!(
                "Updated at:            \t{}\n",
                time(o.updated_at)
            ));
            out.push_str("Data:\n");
            out.push_str(&String::from_utf8_lossy(&o.data));
        }
    }
    out.push('\n');
    out
}

fn inspect(interp: &Interp, m: MachineId, kind: ObjectKind, cmd: &Parsed, io: &Io) -> Status {
    let k = kind.as_str();
    let format = if cmd.bool("pretty") {
        "pretty"
    } else {
        cmd.value("format").unwrap_or("")
    };
    if format.starts_with("pretty") && format != "pretty" {
        io.err
            .write("cannot supply extra formatting options to the pretty template\n");
        return 1;
    }
    // The CLI returns the inspector's error, a template that does not parse too, with exit
    // status 1.
    if format != "pretty" {
        if let Some(status) = template::check_format(io, format, 1) {
            return status;
        }
    }
    let world = interp.world();
    let w = world.borrow();
    let control = w.control_swarm(m).map(|(_, s)| s);
    let lookup = |r: &str| -> Result<&StoredObject, String> {
        if r.is_empty() {
            return Err(format!("invalid {k} name or ID: value is empty"));
        }
        let s = control
            .as_ref()
            .map_err(|e| format!("Error response from daemon: {e}"))?;
        s.find_object(kind, r)
            .map_err(|e| format!("Error response from daemon: {e}"))
    };
    if format == "pretty" {
        // The pretty formatter stops at the first error and prints nothing.
        let mut out = String::new();
        for r in &cmd.args {
            match lookup(r) {
                Ok(o) => out.push_str(&pretty(kind, o)),
                Err(e) => {
                    io.err.write(&format!("{e}\n"));
                    return 1;
                }
            }
        }
        io.out.write(&out);
        return 0;
    }
    let root = match kind {
        ObjectKind::Secret => "swarm.Secret",
        ObjectKind::Config => "swarm.Config",
    };
    let refs: Vec<template::Lookup> = cmd
        .args
        .iter()
        .map(|r| lookup(r).map(|o| (object_json(kind, o), root, true)))
        .collect();
    template::write_inspect(io, format, refs, 1)
}

// ---------------------------------------------------------------------------------------
// rm

async fn rm(interp: &Interp, m: MachineId, kind: ObjectKind, cmd: &Parsed, io: &Io) -> Status {
    let mut errors = Vec::new();
    for r in &cmd.args {
        if r.is_empty() {
            errors.push(format!(
                "invalid {} name or ID: value is empty",
                kind.as_str()
            ));
            continue;
        }
        let world = interp.world();
        let h = world.borrow_mut().object_remove(m, kind, r);
        let r2 = match h {
            Ok(h) => wait(interp, h).await,
            Err(e) => Err(e),
        };
        match r2 {
            Ok(()) => io.out.write(&format!("{r}\n")),
            Err(e) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}
