//! `docker volume create|ls|inspect|rm|prune` over the machine's volumes
//! (`swarm_core::volume`): each engine has its own; a swarm task's named volume appears on the
//! node that ran it.
//!
//! Texts are the CLI's and the daemon's: `get NAME: no such volume`, `remove NAME: volume is
//! in use - [ID]`, the prune prompt and `Total reclaimed space: …` (go-units sizes).

use std::collections::BTreeMap;
use swarm_core::sort::CollectBTree as _;

use serde_json::{json, Value};
use swarm_core::volume::{Volume, VolumeFilter};
use swarm_core::MachineId;

use super::cli::Parsed;
use super::swarm_cmd::daemon_error;
use super::{template, Status};
use crate::exec::{Interp, Io};

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "volume create" | "volume ls" | "volume inspect" | "volume rm" | "volume prune"
    )
}

/// `CreatedAt`: RFC 3339 with seconds, as the local driver reports its directory's time.
fn created_at(v: &Volume) -> String {
    let t = crate::model::rfc3339(v.created_at.as_millis());
    let secs = t.split('.').next().unwrap_or(&t).trim_end_matches('Z');
    format!("{secs}Z")
}

/// The Engine API's `Volume` object.
pub(crate) fn volume_json(v: &Volume) -> Value {
    let map = |m: &BTreeMap<String, String>, explicit: bool| {
        if m.is_empty() && !explicit {
            Value::Null
        } else {
            json!(m)
        }
    };
    json!({
        "CreatedAt": created_at(v),
        "Driver": v.driver,
        "Labels": map(&v.labels, v.explicit),
        "Mountpoint": v.mountpoint(),
        "Name": v.name,
        "Options": map(&v.options, v.explicit),
        "Scope": "local",
    })
}

/// Every volume of machine `m` as `GET /volumes` lists them (filters already parsed).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // the Engine API uses it
pub(crate) fn volume_values(w: &swarm_core::World, m: MachineId, f: &VolumeFilter) -> Vec<Value> {
    w.volume_list(m, f).into_iter().map(volume_json).collect()
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
        "volume create" => create(interp, m, cmd, io),
        "volume ls" => ls(interp, m, cmd, io),
        "volume inspect" => inspect(interp, m, cmd, io),
        "volume rm" => rm(interp, m, cmd, io),
        _ => prune(interp, m, cmd, io).await,
    }
}

/// `KEY=VALUE` list flags (`--label`, `--opt`) into a map.
fn kv(values: &[&str]) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .btree_map()
}

/// The CLI's check of `--filter` values: `KEY=VALUE`.
pub(super) fn filters(cmd: &Parsed, path: &str, io: &Io) -> Result<Vec<String>, Status> {
    let mut out = Vec::new();
    for f in cmd.values("filter") {
        if !f.contains('=') {
            return Err(super::usage_error(
                io,
                path,
                &format!(
                    "invalid argument \"{f}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"
                ),
            ));
        }
        out.push(f.to_string());
    }
    Ok(out)
}

fn create(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let name = match (cmd.value("name"), cmd.args.first()) {
        (Some(_), Some(_)) => {
            io.err.write("conflicting options: cannot specify a volume-name through both --name and as a positional arg\n");
            return 1;
        }
        (Some(n), None) => Some(n.to_string()),
        (None, Some(n)) => Some(n.clone()),
        (None, None) => None,
    };
    let driver = cmd.value("driver").unwrap_or("local").to_string();
    let labels = kv(&cmd.values("label"));
    let options = kv(&cmd.values("opt"));
    let r = interp.world().borrow_mut().volume_create(
        m,
        name.as_deref().filter(|n| !n.is_empty()),
        &driver,
        labels,
        options,
    );
    match r {
        Ok(n) => {
            io.out.write(&format!("{n}\n"));
            0
        }
        Err(e) => daemon_error(io, &e),
    }
}

fn ls(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let raw = match filters(cmd, "volume ls", io) {
        Ok(f) => f,
        Err(s) => return s,
    };
    let filter = match VolumeFilter::parse(&raw, false) {
        Ok(f) => f,
        Err(e) => return daemon_error(io, &e),
    };
    let world = interp.world();
    let w = world.borrow();
    let mut vols = w.volume_list(m, &filter);
    swarm_core::sort::sort_by(&mut vols, |a, b| {
        crate::format::natural_cmp(&a.name, &b.name)
    });
    if cmd.bool("quiet") {
        let text: String = vols.iter().map(|v| format!("{}\n", v.name)).collect();
        io.out.write(&text);
        return 0;
    }
    let format = cmd
        .value("format")
        .filter(|f| !f.is_empty() && *f != "table")
        .unwrap_or("table {{.Driver}}\t{{.Name}}");
    let rows: Vec<Value> = vols
        .iter()
        .map(|v| {
            let labels: Vec<String> = v.labels.iter().map(|(k, x)| format!("{k}={x}")).collect();
            json!({
                "Name": v.name, "Driver": v.driver, "Scope": "local",
                "Mountpoint": v.mountpoint(), "Labels": labels.join(","),
                "Links": "N/A", "Size": "N/A",
                // Cluster volumes' fields: "N/A" for a local volume.
                "Group": "N/A", "Availability": "N/A", "Status": "N/A",
            })
        })
        .collect();
    let header: &[(&str, &str)] = &[
        ("Name", "VOLUME NAME"),
        ("Driver", "DRIVER"),
        ("Scope", "SCOPE"),
        ("Mountpoint", "MOUNTPOINT"),
        ("Labels", "LABELS"),
        ("Links", "LINKS"),
        ("Size", "SIZE"),
        ("Group", "GROUP"),
        ("Availability", "AVAILABILITY"),
        ("Status", "STATUS"),
    ];
    match template::render_table(format, &rows, "formatter.volumeContext", header) {
        Ok(out) => {
            io.out.write(&out);
            0
        }
        Err(e) => {
            io.err.write(&format!("{}\n", e.0));
            1
        }
    }
}

fn inspect(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    // `docker volume inspect` hands the template inspector no raw JSON: no second pass.
    let refs: Vec<template::Lookup> = cmd
        .args
        .iter()
        .map(|name| match w.volume(m, name) {
            Some(v) => Ok((volume_json(v), "volume.Volume", false)),
            None => Err(format!(
                "Error response from daemon: get {name}: no such volume"
            )),
        })
        .collect();
    template::write_inspect(io, cmd.value("format").unwrap_or(""), refs, 64)
}

fn rm(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let force = cmd.bool("force");
    let mut errors = Vec::new();
    for name in &cmd.args {
        let r = interp.world().borrow_mut().volume_remove(m, name, force);
        match r {
            Ok(()) => io.out.write(&format!("{name}\n")),
            Err(e) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}

async fn prune(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let raw = match filters(cmd, "volume prune", io) {
        Ok(f) => f,
        Err(s) => return s,
    };
    let all = cmd.bool("all");
    let all_filter = raw.iter().any(|f| {
        f.split_once('=')
            .is_some_and(|(k, v)| k == "all" && matches!(v, "1" | "true"))
    });
    if all && raw.iter().any(|f| f.starts_with("all=")) {
        io.err
            .write("conflicting options: cannot specify both --all and --filter all=1\n");
        return 1;
    }
    let filter = match VolumeFilter::parse(&raw, true) {
        Ok(f) => f,
        Err(e) => return daemon_error(io, &e),
    };
    if !cmd.bool("force") {
        let which = if all { "all" } else { "anonymous" };
        let warning = format!(
            "WARNING! This will remove {which} local volumes not used by at least one container.\nAre you sure you want to continue?"
        );
        if !super::confirm(interp, io, &warning).await {
            // docker/cli: `volume prune has been cancelled`, an errdefs.Cancelled the CLI
            // leaves unprinted, with status 0.
            return 0;
        }
    }
    let (names, bytes) = interp
        .world()
        .borrow_mut()
        .volume_prune(m, all || all_filter, &filter);
    let mut out = String::new();
    if !names.is_empty() {
        out.push_str("Deleted Volumes:\n");
        for n in &names {
            out.push_str(n);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "Total reclaimed space: {}\n",
        crate::format::units::human_size(bytes as f64)
    ));
    io.out.write(&out);
    0
}

// ------------------------------------------------------------------------------------------
// Mounts of `docker run`/`create`: `-v`, `--mount`, `--tmpfs`; and their inspect.

use swarm_core::container_fs::{MountSpec, MountType};

/// `docker run`'s error with its help hint (exit 125).
fn run_error(io: &Io, path: &str, msg: &str) -> Status {
    io.err.write(&format!(
        "docker: {msg}\n\nRun 'docker {path} --help' for more information\n"
    ));
    125
}

/// One `-v` value: `/path` (anonymous volume), `NAME:/path[:MODE]` (named volume) or
/// `/host:/path[:MODE]` (bind; relative `./x` sources are made absolute as the CLI does).
/// `Err((cli, message))`: a CLI-side error, or the daemon's.
fn parse_volume_flag(interp: &Interp, spec: &str) -> Result<MountSpec, (bool, String)> {
    if spec.is_empty() {
        return Err((true, "invalid empty volume spec".into()));
    }
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.len() > 3 {
        return Err((true, format!("invalid spec: {spec}: too many colons")));
    }
    let invalid = |what: &str, target: &str| {
        (
            false,
            format!(
                "invalid volume specification: '{spec}': invalid mount config for type \"{what}\": invalid mount path: '{target}' mount path must be absolute"
            ),
        )
    };
    if parts.len() == 1 {
        if !spec.starts_with('/') {
            return Err(invalid("volume", spec));
        }
        return Ok(MountSpec {
            kind: MountType::Volume,
            target: spec.to_string(),
            legacy: true,
            ..Default::default()
        });
    }
    let (src, dst) = (parts[0], parts[1]);
    let mut read_only = false;
    if let Some(mode) = parts.get(2) {
        for m in mode.split(',') {
            match m {
                "ro" => read_only = true,
                "rw" | "z" | "Z" | "nocopy" | "shared" | "rshared" | "slave" | "rslave"
                | "private" | "rprivate" | "consistent" | "cached" | "delegated" => {}
                _ => return Err((false, format!("invalid mode: {mode}"))),
            }
        }
    }
    let bind = src.starts_with('/') || src.starts_with('.') || src.starts_with('~');
    if !dst.starts_with('/') {
        return Err(invalid(if bind { "bind" } else { "volume" }, dst));
    }
    if bind {
        let source = if src.starts_with('/') {
            src.to_string()
        } else {
            swarm_core::fs::normalize(&crate::fsutils::abs_path(interp, src))
        };
        return Ok(MountSpec {
            kind: MountType::Bind,
            source,
            target: dst.to_string(),
            read_only,
            legacy: true,
            ..Default::default()
        });
    }
    Ok(MountSpec {
        kind: MountType::Volume,
        source: src.to_string(),
        target: dst.to_string(),
        read_only,
        legacy: true,
        ..Default::default()
    })
}

/// The mounts `docker run`/`create` asks for, or the status of its error.
pub(crate) fn run_mounts(
    interp: &Interp,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Result<Vec<MountSpec>, Status> {
    let mut out = Vec::new();
    for v in cmd.values("mount") {
        match super::service_cmd::opts::parse_mount(v) {
            Ok(mt) => {
                let Some(kind) = MountType::parse(&mt.kind) else {
                    return Err(run_error(
                        io,
                        path,
                        &format!(
                            "Error response from daemon: invalid mount config for type \"{}\": mount type unknown",
                            mt.kind
                        ),
                    ));
                };
                out.push(MountSpec {
                    kind,
                    source: mt.source,
                    target: mt.target,
                    read_only: mt.read_only,
                    legacy: false,
                    volume_labels: mt.labels,
                    volume_options: BTreeMap::new(),
                });
            }
            Err(e) => {
                return Err(super::usage_error(
                    io,
                    path,
                    &format!("invalid argument \"{v}\" for \"--mount\" flag: {e}"),
                ))
            }
        }
    }
    for v in cmd.values("tmpfs") {
        let target = v.split(':').next().unwrap_or("").to_string();
        out.push(MountSpec {
            kind: MountType::Tmpfs,
            target,
            legacy: true,
            ..Default::default()
        });
    }
    for v in cmd.values("volume") {
        match parse_volume_flag(interp, v) {
            Ok(mt) => out.push(mt),
            Err((true, e)) => return Err(run_error(io, path, &e)),
            Err((false, e)) => {
                return Err(run_error(
                    io,
                    path,
                    &format!("Error response from daemon: {e}"),
                ))
            }
        }
    }
    Ok(out)
}

/// `docker inspect`'s `Mounts` of a container.
pub(crate) fn mounts_json(w: &swarm_core::World, m: MachineId, id: &str) -> Value {
    let Some(cfs) = w.container_fs(m, id) else {
        return json!([]);
    };
    let mut out = Vec::new();
    for mt in &cfs.mounts {
        let mode = match (mt.kind, mt.legacy, mt.read_only) {
            (_, true, true) => "ro",
            (MountType::Volume, true, false) => "z",
            _ => "",
        };
        let mut o = serde_json::Map::new();
        o.insert("Type".into(), json!(mt.kind.as_str()));
        if mt.kind == MountType::Volume {
            o.insert("Name".into(), json!(mt.name));
        }
        o.insert("Source".into(), json!(mt.source));
        o.insert("Destination".into(), json!(mt.target));
        if mt.kind == MountType::Volume {
            o.insert("Driver".into(), json!("local"));
        }
        o.insert("Mode".into(), json!(mode));
        o.insert("RW".into(), json!(!mt.read_only));
        o.insert(
            "Propagation".into(),
            json!(if mt.kind == MountType::Bind {
                "rprivate"
            } else {
                ""
            }),
        );
        out.push(Value::Object(o));
    }
    Value::Array(out)
}

/// `Config.Volumes` of a container: its anonymous volumes' targets (the image's `VOLUME`s,
/// `-v /path`), or null.
pub(crate) fn config_volumes(w: &swarm_core::World, m: MachineId, id: &str) -> Value {
    let Some(cfs) = w.container_fs(m, id) else {
        return Value::Null;
    };
    let mut out = serde_json::Map::new();
    for mt in &cfs.mounts {
        let anonymous =
            mt.kind == MountType::Volume && w.volume(m, &mt.name).is_some_and(|v| v.anonymous);
        if anonymous {
            out.insert(mt.target.clone(), json!({}));
        }
    }
    if out.is_empty() {
        Value::Null
    } else {
        Value::Object(out)
    }
}
