//! The engine's own commands: containers and images on this machine.
//!
//! `ps`, `run`, `create`, `start`, `stop`, `kill`, `restart`, `rm`, `logs`, `container inspect`,
//! `image inspect`, `exec`, `stats`, `top`, `images`, `pull`, `rmi`, with their `container …`/
//! `image …` aliases (the generic `docker inspect` is `inspect_cmd`'s), over the world's
//! container runtime (`swarm_core::container`). Errors are docker's texts: the daemon's
//! behind `Error response from daemon: `, the client's own (`Error: No such container: x` from
//! an inspect) as they are, and `docker run`'s as `docker: …` followed by its help hint.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{json, Map, Value};
use swarm_core::catalog::{Catalog, HealthConfig, Stream};
use swarm_core::container::{
    Container, ContainerConfig, ContainerState, HealthStatus, PortBinding, RestartPolicy,
};
use swarm_core::machine::build;
use swarm_core::{MachineId, SimDuration, SimTime, World};

use super::cli::Parsed;
use super::swarm_cmd::daemon_error;
use super::swarm_cmd::{parse_go_duration, rfc3339};
use super::Status;
use crate::exec::{Dest, Interp, Io};
use crate::format;
use crate::format::container::{ContainerPort, ContainerRow, ContainerStatus};

/// How often a foreground `run`, `logs -f` or `start -a` looks for new output.
const POLL: SimDuration = SimDuration::from_millis(250);

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "ps" | "container ls"
            | "run"
            | "container run"
            | "create"
            | "container create"
            | "start"
            | "container start"
            | "stop"
            | "container stop"
            | "kill"
            | "container kill"
            | "pause"
            | "container pause"
            | "unpause"
            | "container unpause"
            | "restart"
            | "container restart"
            | "rm"
            | "container rm"
            | "logs"
            | "container logs"
            | "container inspect"
            | "image inspect"
            | "exec"
            | "container exec"
            | "stats"
            | "container stats"
            | "top"
            | "container top"
            | "port"
            | "container port"
            | "images"
            | "image ls"
            | "pull"
            | "image pull"
            | "rmi"
            | "image rm"
            | "tag"
            | "image tag"
    )
}

/// Commands whose flags end at their first argument (the rest is a command to run, `ps`'s
/// options, a tag): those docker/cli declares with `flags.SetInterspersed(false)`, so that
/// `docker service create nginx --replicas 2` runs nginx with the arguments `--replicas 2`.
/// The 28.2.2 CLI agrees (`docker X A --bogus` is no flag error for these only).
pub(crate) fn takes_command(path: &str) -> bool {
    matches!(
        path,
        "run"
            | "container run"
            | "create"
            | "container create"
            | "exec"
            | "container exec"
            | "top"
            | "container top"
            | "commit"
            | "container commit"
            | "tag"
            | "image tag"
            | "service create"
    )
}

/// Runs one of this module's commands against machine `m`'s engine.
pub(crate) async fn run(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let up = interp
        .world()
        .borrow()
        .machine(m)
        .is_some_and(|x| x.engine_up());
    if !up {
        let msg = format!(
            "Cannot connect to the Docker daemon at {}. Is the docker daemon running?",
            super::SOCKET
        );
        if matches!(
            path,
            "run" | "container run" | "create" | "container create"
        ) {
            return run_error(io, path, &msg);
        }
        io.err.write(&format!("{msg}\n"));
        return 1;
    }
    match path {
        "ps" | "container ls" => ps(interp, m, cmd, io),
        "run" | "container run" => run_cmd(interp, m, path, cmd, io, true).await,
        "create" | "container create" => run_cmd(interp, m, path, cmd, io, false).await,
        "start" | "container start" => start(interp, m, cmd, io).await,
        "stop" | "container stop" => stop_restart(interp, m, cmd, io, false).await,
        "restart" | "container restart" => stop_restart(interp, m, cmd, io, true).await,
        "kill" | "container kill" => kill(interp, m, cmd, io),
        "pause" | "container pause" => pause(interp, m, cmd, io, true),
        "unpause" | "container unpause" => pause(interp, m, cmd, io, false),
        "rm" | "container rm" => rm(interp, m, cmd, io),
        "logs" | "container logs" => logs(interp, m, cmd, io).await,
        "container inspect" | "image inspect" => inspect(interp, m, path, cmd, io),
        "exec" | "container exec" => exec(interp, m, cmd, io).await,
        "stats" | "container stats" => stats(interp, m, cmd, io),
        "top" | "container top" => top(interp, m, cmd, io),
        "port" | "container port" => port(interp, m, cmd, io),
        "images" | "image ls" => images(interp, m, cmd, io),
        "pull" | "image pull" => pull(interp, m, cmd, io).await,
        "tag" | "image tag" => tag(interp, m, cmd, io),
        _ => rmi(interp, m, cmd, io),
    }
}

/// `docker run`'s `reportError` with its help hint; exit status 125.
fn run_error(io: &Io, path: &str, msg: &str) -> Status {
    io.err.write(&format!(
        "docker: {msg}\n\nRun 'docker {path} --help' for more information\n"
    ));
    125
}

/// Whether output to `d` goes to the terminal (docker draws progress bars there).
fn is_terminal(d: &Dest) -> bool {
    matches!(d, Dest::Terminal(..))
}

fn now_unix_ms(w: &World) -> i64 {
    crate::model::unix_ms(w.now())
}

// ------------------------------------------------------------------------------------------
// docker ps

pub(crate) fn status_of(c: &Container, now: SimTime) -> ContainerStatus {
    let since = |t: Option<SimTime>| t.map_or(0, |t| now.saturating_since(t).as_millis());
    match c.state {
        ContainerState::Created => ContainerStatus::Created,
        ContainerState::Running => ContainerStatus::Running {
            up_ms: c.uptime_ms(now),
            health: c.health.as_ref().map(|h| h.status.as_str().to_string()),
            paused: c.paused,
        },
        ContainerState::Restarting => ContainerStatus::Restarting {
            exit_code: i64::from(c.exit_code),
            since_ms: since(c.finished_at),
        },
        ContainerState::Exited => ContainerStatus::Exited {
            exit_code: i64::from(c.exit_code),
            since_ms: since(c.finished_at),
        },
        ContainerState::Dead => ContainerStatus::Dead,
    }
}

/// The ports `docker ps` shows: published ones (IPv4 and IPv6, as docker-proxy binds both),
/// and exposed ones of a running container.
pub(crate) fn ports_of(c: &Container) -> Vec<ContainerPort> {
    if !c.is_running() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for p in &c.bound_ports {
        let ips: Vec<String> = if p.host_ip.is_empty() || p.host_ip == "0.0.0.0" {
            vec!["0.0.0.0".into(), "::".into()]
        } else {
            vec![p.host_ip.clone()]
        };
        for ip in ips {
            out.push(ContainerPort {
                ip,
                private_port: p.container_port,
                public_port: p.host_port,
                kind: p.proto.clone(),
            });
        }
    }
    for (port, proto) in exposed_ports(c) {
        if !c
            .bound_ports
            .iter()
            .any(|p| p.container_port == port && p.proto == proto)
        {
            out.push(ContainerPort {
                ip: String::new(),
                private_port: port,
                public_port: 0,
                kind: proto,
            });
        }
    }
    out
}

/// The image's `EXPOSE`d ports.
fn exposed_ports(c: &Container) -> Vec<(u16, String)> {
    let Some(image) = Catalog::get().lookup_or_id(&c.config.image, &c.image_id) else {
        return Vec::new();
    };
    image
        .exposed_ports
        .iter()
        .filter_map(|e| {
            let (port, proto) = e.split_once('/').unwrap_or((e.as_str(), "tcp"));
            Some((port.parse().ok()?, proto.to_string()))
        })
        .collect()
}

pub(crate) fn command_of(c: &Container) -> String {
    c.program.argv().join(" ")
}

fn row_of(c: &Container, now: SimTime) -> ContainerRow {
    ContainerRow {
        id: c.id.clone(),
        image: c.config.image.clone(),
        image_id: c.image_id.clone(),
        command: command_of(c),
        // `Created` is whole Unix seconds: the CLI ages it from the second it falls in.
        created_ago_ms: (crate::model::unix_ms(now)
            - crate::model::unix_ms(c.created_at).div_euclid(1000) * 1000)
            .max(0) as u64,
        status: status_of(c, now),
        ports: ports_of(c),
        names: vec![format!("/{}", c.name)],
    }
}

/// `container.Summary` as `GET /containers/json` returns it (what `docker ps` reads).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // the Engine API uses it
pub(crate) fn container_summary_json(c: &Container, now: SimTime) -> Value {
    let row = row_of(c, now);
    let ports: Vec<Value> = row
        .ports
        .iter()
        .map(|p| {
            let mut o = serde_json::Map::new();
            if !p.ip.is_empty() {
                o.insert("IP".into(), json!(p.ip));
            }
            o.insert("PrivatePort".into(), json!(p.private_port));
            if p.public_port > 0 {
                o.insert("PublicPort".into(), json!(p.public_port));
            }
            o.insert("Type".into(), json!(p.kind));
            Value::Object(o)
        })
        .collect();
    let network = if c.config.task_id.is_some() {
        "ingress"
    } else {
        "bridge"
    };
    json!({
        "Id": c.id,
        "Names": row.names,
        "Image": row.image,
        "ImageID": row.image_id,
        "Command": row.command,
        "Created": crate::model::unix_ms(c.created_at).div_euclid(1000),
        "Ports": ports,
        "Labels": c.config.labels,
        "State": c.state_str(),
        "Status": format::container::container_status(&row.status),
        "HostConfig": {"NetworkMode": if network == "bridge" { "bridge" } else { "default" }},
        "NetworkSettings": {"Networks": {network: {}}},
        "Mounts": [],
    })
}

/// `formatter.ContainerContext` as `--format` sees it (alphabetical, as `json` prints it).
fn row_json(c: &Container, row: &ContainerRow, _now: SimTime, no_trunc: bool) -> Value {
    let command = if no_trunc {
        row.command.clone()
    } else {
        format::container::ellipsis(&row.command, 20)
    };
    let labels: Vec<String> = c
        .config
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let created = c.created_at.unix_ms();
    json!({
        "Command": format::container::go_quote(&command),
        "CreatedAt": format::go_time_utc(created.div_euclid(1000), 0),
        "ID": if no_trunc { c.id.clone() } else { c.short_id().to_string() },
        "Image": row.image_cell(no_trunc),
        "Labels": labels.join(","),
        "LocalVolumes": "0",
        "Mounts": "",
        "Names": row.names_cell(no_trunc),
        "Networks": if c.config.task_id.is_some() { "ingress" } else { "bridge" },
        "Ports": format::container::displayable_ports(&row.ports),
        "RunningFor": format!("{} ago", format::human_duration(row.created_ago_ms)),
        "Size": "0B",
        "State": c.state_str(),
        "Status": format::container::container_status(&row.status),
    })
}

/// docker/cli's `ContainerContext.Mounts`: each mount's volume name, else its source,
/// ellipsized to 15 columns unless `--no-trunc`, joined with `,`.
fn mounts_cell(mounts: &Value, no_trunc: bool) -> String {
    let names: Vec<String> = mounts
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| {
                    let name = m["Name"]
                        .as_str()
                        .filter(|n| !n.is_empty())
                        .or_else(|| m["Source"].as_str())
                        .unwrap_or("");
                    if no_trunc {
                        name.to_string()
                    } else {
                        format::container::ellipsis(name, 15)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    names.join(",")
}

/// `formatter.NewContainerContext()`: the row of an empty container, as docker/cli checks a
/// `--format` on it.
fn row_json_empty() -> Value {
    let mut v = Map::new();
    for (k, _) in PS_HEADER {
        v.insert((*k).to_string(), json!(""));
    }
    Value::Object(v)
}

/// docker/cli's default `ps` table with `-s` (`defaultContainerTableFormat` + `\t{{.Size}}`).
const PS_SIZE_TABLE: &str =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}";

/// Whether a `ps --format` uses the row's `Size` (`.Size`, or `json .`, which marshals every
/// field).
fn format_uses_size(format: &str) -> bool {
    let ident_after = |rest: &str| {
        rest.chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    };
    format
        .match_indices(".Size")
        .any(|(i, m)| !ident_after(&format[i + m.len()..]))
        || format.match_indices("json").any(|(i, m)| {
            let rest = format[i + m.len()..].trim_start();
            rest.starts_with('.') && !ident_after(&rest[1..])
        })
        || format.contains("| json")
}

/// `formatter.ContainerContext.Size` with the sizes the daemon computed: the writable layer
/// (`SizeRw`), then the whole filesystem with the image (`SizeRootFs`) when there is one:
/// `2B (virtual 7.8MB)`.
fn size_cell(w: &World, m: MachineId, c: &Container) -> String {
    let rw = w.container_size_rw(m, &c.id, c.created_at);
    let image = w.find_image(m, &c.image_id).map_or(0, |i| i.size);
    let rw_text = format::container::human_size3(rw as f64);
    match image + rw {
        0 => rw_text,
        root => format!(
            "{rw_text} (virtual {})",
            format::container::human_size3(root as f64)
        ),
    }
}

const PS_HEADER: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("CreatedAt", "CREATED AT"),
    ("RunningFor", "CREATED"),
    ("Ports", "PORTS"),
    ("State", "STATE"),
    ("Status", "STATUS"),
    ("Size", "SIZE"),
    ("Names", "NAMES"),
    ("Labels", "LABELS"),
    ("Mounts", "MOUNTS"),
    ("Networks", "NETWORKS"),
    ("LocalVolumes", "LOCAL VOLUMES"),
];

/// `--filter key=value` flags, grouped by key.
fn parse_filters(cmd: &Parsed) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in cmd.values("filter") {
        match f.split_once('=') {
            Some((k, v)) => out
                .entry(k.trim().to_ascii_lowercase())
                .or_default()
                .push(v.to_string()),
            None => return Err("bad format of filter (expected name=value)".to_string()),
        }
    }
    Ok(out)
}

/// A tiny subset of Go's regexp for the name filter: `^` and `$` anchors, else a substring.
fn name_matches(pattern: &str, name: &str) -> bool {
    let full = format!("/{name}");
    let (start, p) = match pattern.strip_prefix('^') {
        Some(p) => (true, p),
        None => (false, pattern),
    };
    let (end, p) = match p.strip_suffix('$') {
        Some(p) => (true, p),
        None => (false, p),
    };
    [full.as_str(), name].iter().any(|n| match (start, end) {
        (true, true) => *n == p,
        (true, false) => n.starts_with(p),
        (false, true) => n.ends_with(p),
        (false, false) => n.contains(p),
    })
}

fn container_matches(
    c: &Container,
    filters: &BTreeMap<String, Vec<String>>,
) -> Result<bool, String> {
    for (key, values) in filters {
        let any = |f: &dyn Fn(&str) -> Result<bool, String>| -> Result<bool, String> {
            for v in values {
                if f(v)? {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        let ok = match key.as_str() {
            "id" => any(&|v| Ok(c.id.starts_with(v)))?,
            "name" => any(&|v| Ok(name_matches(v, &c.name)))?,
            "label" => any(&|v| {
                Ok(match v.split_once('=') {
                    Some((k, val)) => c.config.labels.get(k).is_some_and(|x| x == val),
                    None => c.config.labels.contains_key(v),
                })
            })?,
            "status" => any(&|v| match v {
                "created" | "restarting" | "running" | "removing" | "paused" | "exited"
                | "dead" => Ok(c.state_str() == v),
                _ => Err(format!("invalid filter 'status={v}'")),
            })?,
            "ancestor" => any(&|v| {
                let norm = swarm_core::catalog::normalize(v);
                let image_norm = swarm_core::catalog::normalize(&c.config.image);
                let hex = v.strip_prefix("sha256:").unwrap_or(v);
                Ok((norm.is_some() && norm == image_norm)
                    || (hex.len() >= 4
                        && c.image_id
                            .strip_prefix("sha256:")
                            .unwrap_or(&c.image_id)
                            .starts_with(hex)))
            })?,
            "exited" => any(&|v| match v.parse::<i32>() {
                Ok(code) => Ok(c.state == ContainerState::Exited && c.exit_code == code),
                Err(_) => Err(format!(
                    "invalid filter 'exited={v}': strconv.Atoi: parsing \"{v}\": invalid syntax"
                )),
            })?,
            "health" => any(&|v| {
                Ok(match (&c.health, v) {
                    (None, "none") => true,
                    (Some(h), v) => h.status.as_str() == v,
                    _ => false,
                })
            })?,
            "is-task" => any(&|v| match v {
                "true" => Ok(c.config.task_id.is_some()),
                "false" => Ok(c.config.task_id.is_none()),
                _ => Err(format!("invalid filter 'is-task={v}'")),
            })?,
            "before" | "since" | "volume" | "network" | "publish" | "expose" => true,
            other => return Err(format!("invalid filter '{other}'")),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The containers `GET /containers/json` lists (newest first): running ones unless `all`,
/// those the filters match, at most `last` when positive; `Err` is the daemon's text.
pub(crate) fn list_containers<'w>(
    w: &'w World,
    m: MachineId,
    all: bool,
    last: i64,
    filters: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<&'w Container>, String> {
    const KEYS: &[&str] = &[
        "id", "name", "label", "status", "ancestor", "exited", "health", "is-task", "before",
        "since", "volume", "network", "publish", "expose",
    ];
    if let Some(k) = filters.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("invalid filter '{k}'"));
    }
    for v in filters.get("status").into_iter().flatten() {
        if !matches!(
            v.as_str(),
            "created" | "restarting" | "running" | "removing" | "paused" | "exited" | "dead"
        ) {
            return Err(format!("invalid filter 'status={v}'"));
        }
    }
    let all = all || last > 0;
    let mut picked: Vec<&Container> = Vec::new();
    for c in w.containers(m).iter().rev() {
        if !(all || c.is_running() || c.state == ContainerState::Restarting) {
            continue;
        }
        if container_matches(c, filters)? {
            picked.push(c);
        }
    }
    if last > 0 {
        picked.truncate(last as usize);
    }
    Ok(picked)
}

fn ps(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let now = w.now();
    let filters = match parse_filters(cmd) {
        Ok(f) => f,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    };
    let last: i64 = match cmd.value("last") {
        Some(v) => match v.parse() {
            Ok(n) => n,
            Err(_) => {
                return super::usage_error(
                    io,
                    "ps",
                    &format!("invalid argument \"{v}\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"),
                )
            }
        },
        None => -1,
    };
    let last = if cmd.bool("latest") { 1 } else { last };
    let all = cmd.bool("all") || last > 0;
    let picked = match list_containers(&w, m, all, last, &filters) {
        Ok(p) => p,
        Err(e) => return daemon_error(io, &e),
    };
    let no_trunc = cmd.bool("no-trunc");
    let rows: Vec<ContainerRow> = picked.iter().map(|c| row_of(c, now)).collect();
    if cmd.bool("quiet") {
        io.out
            .write(&format::container::container_ids(&rows, no_trunc));
        return 0;
    }
    let format = cmd.value("format").filter(|f| !f.is_empty());
    // `-s` asks the daemon for the sizes; so does a format that uses `.Size` (docker/cli
    // runs the template once on an empty row and looks at the fields it used), unless
    // `--size=false` was given. The default table then gets a SIZE column.
    let size = match cmd.value("size") {
        Some(v) => v != "false",
        None => format.is_some_and(format_uses_size),
    };
    let format = match format {
        Some("table") | None if size => Some(PS_SIZE_TABLE),
        Some("table") => None,
        f => f,
    };
    match format {
        Some(f) => {
            let values: Vec<Value> = picked
                .iter()
                .zip(&rows)
                .map(|(c, r)| {
                    let mut v = row_json(c, r, now, no_trunc);
                    let mut nets = super::network_cmd::container_net(&w, m, c).names;
                    swarm_core::sort::sort(&mut nets);
                    v["Networks"] = json!(nets.join(","));
                    let mounts = super::volume_cmd::mounts_json(&w, m, &c.id);
                    v["Mounts"] = json!(mounts_cell(&mounts, no_trunc));
                    let local = mounts
                        .as_array()
                        .map_or(0, |a| a.iter().filter(|x| x["Driver"] == "local").count());
                    v["LocalVolumes"] = json!(local.to_string());
                    if size {
                        v["Size"] = json!(size_cell(&w, m, c));
                    }
                    v
                })
                .collect();
            // docker/cli runs the template once on an empty row before asking the daemon:
            // its errors come first, whatever the daemon would list.
            let empty = row_json_empty();
            let result =
                super::template::render_table(f, &[empty], "*formatter.ContainerContext", &[])
                    .and_then(|_| {
                        super::template::render_table(
                            f,
                            &values,
                            "*formatter.ContainerContext",
                            PS_HEADER,
                        )
                    });
            table_or_template_error(io, result)
        }
        None => {
            io.out
                .write(&format::container::container_table(&rows, no_trunc));
            0
        }
    }
}

// ------------------------------------------------------------------------------------------
// docker run / create

/// `--restart`, as the CLI parses it and the daemon validates it.
pub(crate) fn parse_restart(v: &str) -> Result<RestartPolicy, (bool, String)> {
    let (name, count) = match v.split_once(':') {
        Some((n, c)) => (n, Some(c)),
        None => (v, None),
    };
    let max = match count {
        Some(c) => match c.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                return Err((
                    true,
                    "invalid restart policy format: maximum retry count must be an integer"
                        .to_string(),
                ))
            }
        },
        None => None,
    };
    match (name, max) {
        ("" | "no", None) => Ok(RestartPolicy::No),
        ("always", None) => Ok(RestartPolicy::Always),
        ("unless-stopped", None) => Ok(RestartPolicy::UnlessStopped),
        ("on-failure", m) => Ok(RestartPolicy::OnFailure(m.unwrap_or(0))),
        ("no" | "always" | "unless-stopped", Some(_)) => Err((
            false,
            "invalid restart policy: maximum retry count can only be used with 'on-failure'"
                .to_string(),
        )),
        (other, _) => Err((
            false,
            format!("invalid restart policy: unknown policy '{other}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"),
        )),
    }
}

/// `-p [ip:][hostPort:]containerPort[/proto]`; a missing host port is 0 (assigned at start).
pub(crate) fn parse_publish(v: &str) -> Result<PortBinding, String> {
    let (spec, proto) = match v.rsplit_once('/') {
        Some((s, p)) => (s, p.to_ascii_lowercase()),
        None => (v, "tcp".to_string()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    let parts: Vec<&str> = spec.split(':').collect();
    let (ip, host, container) = match parts.as_slice() {
        [c] => ("", "", *c),
        [h, c] => ("", *h, *c),
        [ip, h, c] => (*ip, *h, *c),
        _ => return Err(format!("invalid port format for --publish: {v}")),
    };
    let container_port: u16 = match container.parse() {
        Ok(p) if p > 0 => p,
        _ => return Err(format!("invalid containerPort: {container}")),
    };
    let host_port: u16 = if host.is_empty() {
        0
    } else {
        match host.parse() {
            Ok(p) => p,
            Err(_) => return Err(format!("invalid hostPort: {host}")),
        }
    };
    Ok(PortBinding {
        host_ip: ip.to_string(),
        host_port,
        container_port,
        proto,
    })
}

fn duration_flag(cmd: &Parsed, flag: &str) -> Result<u64, String> {
    match cmd.value(flag) {
        None => Ok(0),
        Some(v) => parse_go_duration(v).map(|d| d.as_millis()).ok_or_else(|| {
            format!(
                "invalid argument \"{v}\" for \"--{flag}\" flag: time: invalid duration \"{v}\""
            )
        }),
    }
}

/// The familiar reference with its tag, as `Unable to find image '…' locally` shows it.
fn tagged_reference(image: &str) -> String {
    match format::container::ImageRef::parse_normalized(image) {
        Some(mut r) => {
            if r.tag.is_none() && r.digest.is_none() {
                r.tag = Some("latest".into());
            }
            r.familiar_string()
        }
        None => image.to_string(),
    }
}

/// Pulls `image`, waiting as long as the pull takes, and prints docker's progress. Err is the
/// daemon's message. Only `docker pull` itself ends with the full reference
/// (`docker.io/library/nginx:latest`, `reference_line`): the pull inside `docker run` and
/// `docker build` shows the daemon's progress stream alone.
pub(super) async fn pull_image(
    interp: &Interp,
    m: MachineId,
    image: &str,
    out: &Dest,
    quiet: bool,
    reference_line: bool,
) -> Result<(), String> {
    let world = interp.world();
    let present = world.borrow().image_present(m, image);
    let auth = super::registry_cmd::auth_for(interp, image);
    let before = world
        .borrow()
        .find_image(m, image)
        .map(|i| (i.id.clone(), i.digest.clone()));
    let took = world
        .borrow_mut()
        .image_pull_auth(m, image, auth.as_deref())?;
    let present = present
        && before
            == world
                .borrow()
                .find_image(m, image)
                .map(|i| (i.id.clone(), i.digest.clone()));
    interp.sleep(took).await;
    if quiet {
        return Ok(());
    }
    let (layers, digest) = {
        let w = world.borrow();
        match w.find_image(m, image) {
            Some(i) => (i.layers.clone(), i.digest.clone()),
            None => (Vec::new(), String::new()),
        }
    };
    let text = if present {
        format::container::pull_up_to_date(image, &digest)
    } else if is_terminal(out) {
        format::container::pull_output_tty(image, &layers, &digest)
    } else {
        format::container::pull_output(image, &layers, &digest)
    };
    let mut text = text.unwrap_or_default();
    if !reference_line {
        // Drop the last line (the full reference).
        let body = text.trim_end_matches('\n');
        let keep = body.rfind('\n').map_or(0, |i| i + 1);
        text.truncate(keep);
    }
    out.write(&text);
    Ok(())
}

/// The shell command of a `-it` container whose program is an interactive shell, if it is one.
fn interactive_shell(argv: &[String]) -> Option<&'static str> {
    let first = argv.first()?;
    let base = first.rsplit('/').next().unwrap_or(first);
    match base {
        "sh" | "ash" if argv.len() == 1 => Some("sh"),
        // zsh (nicolaka/netshoot) has bash's prompt here.
        "bash" | "zsh" if argv.len() == 1 => Some("bash"),
        _ => None,
    }
}

/// `docker run` (start: true) and `docker create`.
async fn run_cmd(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
    start: bool,
) -> Status {
    let Some(image) = cmd.args.first().cloned() else {
        return 1;
    };
    let detach = cmd.bool("detach") || !start;
    let auto_remove = cmd.bool("rm");
    let restart = match cmd.value("restart").map(parse_restart) {
        None => RestartPolicy::No,
        Some(Ok(p)) => p,
        Some(Err((true, e))) => return run_error(io, path, &e),
        Some(Err((false, e))) => {
            return run_error(io, path, &format!("Error response from daemon: {e}"))
        }
    };
    if auto_remove && restart != RestartPolicy::No {
        return run_error(
            io,
            path,
            "conflicting options: cannot specify both --restart and --rm",
        );
    }
    if let Some(p) = cmd.value("pull") {
        if !matches!(p, "always" | "missing" | "never") {
            return run_error(
                io,
                path,
                &format!("invalid pull option: '{p}': must be one of \"always\", \"missing\" or \"never\""),
            );
        }
    }
    let mut ports = Vec::new();
    for p in cmd.values("publish") {
        match parse_publish(p) {
            Ok(b) => ports.push(b),
            Err(e) => return run_error(io, path, &e),
        }
    }
    let health_flags = [
        "health-cmd",
        "health-interval",
        "health-timeout",
        "health-retries",
        "health-start-period",
        "health-start-interval",
    ];
    let any_health = health_flags.iter().any(|f| cmd.value(f).is_some());
    if cmd.bool("no-healthcheck") && any_health {
        return run_error(
            io,
            path,
            "--no-healthcheck conflicts with --health-* options",
        );
    }
    let mut times = [0u64; 5];
    for (i, f) in [
        "health-interval",
        "health-timeout",
        "health-start-period",
        "health-start-interval",
    ]
    .iter()
    .enumerate()
    {
        match duration_flag(cmd, f) {
            Ok(v) => times[i] = v,
            Err(e) => return super::usage_error(io, path, &e),
        }
    }
    let retries = match cmd.value("health-retries") {
        None => 0,
        Some(v) => match v.parse::<u32>() {
            Ok(n) => n,
            Err(_) => return super::usage_error(io, path, &format!("invalid argument \"{v}\" for \"--health-retries\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax")),
        },
    };
    let stop_timeout = match cmd.value("stop-timeout") {
        None => 0,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => n as u64 * 1000,
            Ok(_) => 0,
            Err(_) => return super::usage_error(io, path, &format!("invalid argument \"{v}\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax")),
        },
    };
    // `--memory`, `--cpus`, `--pids-limit`, as the daemon checks them (verifyPlatformContainerResources).
    let memory = cmd
        .value("memory")
        .and_then(|v| super::service_cmd::opts::ram_in_bytes(v).ok())
        .unwrap_or(0);
    let nano_cpus = cmd
        .value("cpus")
        .and_then(|v| super::service_cmd::opts::nano_cpus(v).ok())
        .unwrap_or(0);
    if let Err(e) = swarm_core::container::verify_resources(memory, nano_cpus) {
        return run_error(io, path, &format!("Error response from daemon: {e}"));
    }
    let pids_limit = cmd
        .value("pids-limit")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let mut env = Vec::new();
    for e in cmd.values("env") {
        if e.contains('=') {
            env.push(e.to_string());
        } else if let Some(v) = interp.get_var(e) {
            env.push(format!("{e}={v}"));
        }
    }
    let mut labels = BTreeMap::new();
    for l in cmd.values("label") {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        labels.insert(k.to_string(), v.to_string());
    }

    // Pull when missing.
    let pull_policy = cmd.value("pull").unwrap_or("missing");
    let present = interp.world().borrow().image_present(m, &image);
    if pull_policy == "always" || (!present && pull_policy == "missing") {
        if !present {
            io.err.write(&format!(
                "Unable to find image '{}' locally\n",
                tagged_reference(&image)
            ));
        }
        let reference = tagged_reference(&image);
        if let Err(e) = pull_image(interp, m, &reference, &io.err, cmd.bool("quiet"), false).await {
            return run_error(io, path, &format!("Error response from daemon: {e}"));
        }
    }

    let image_health = interp
        .world()
        .borrow()
        .image_config(m, &image)
        .and_then(|i| i.healthcheck.clone());
    let healthcheck = if cmd.bool("no-healthcheck") {
        None
    } else {
        let base = image_health.unwrap_or_default();
        let test = match cmd.value("health-cmd") {
            Some(c) => vec!["CMD-SHELL".to_string(), c.to_string()],
            None => base.test.clone(),
        };
        let pick = |v: u64, b: u64| if v > 0 { v } else { b };
        let h = HealthConfig {
            test,
            interval_ms: pick(times[0], base.interval_ms),
            timeout_ms: pick(times[1], base.timeout_ms),
            start_period_ms: pick(times[2], base.start_period_ms),
            start_interval_ms: pick(times[3], base.start_interval_ms),
            retries: if retries > 0 { retries } else { base.retries },
        };
        (!h.test.is_empty() && h.test.first().map(String::as_str) != Some("NONE")).then_some(h)
    };
    let entrypoint = cmd.value("entrypoint").map(|e| {
        if e.is_empty() {
            Vec::new()
        } else {
            vec![e.to_string()]
        }
    });
    let networks = {
        let w = interp.world();
        let w = w.borrow();
        super::network_cmd::run_networks(&w, m, cmd)
    };
    let networks = match networks {
        Ok(n) => n,
        Err((false, e)) => return run_error(io, path, &e),
        Err((true, e)) => return run_error(io, path, &format!("Error response from daemon: {e}")),
    };
    let mounts = match super::volume_cmd::run_mounts(interp, path, cmd, io) {
        Ok(mounts) => mounts,
        Err(status) => return status,
    };
    let config = ContainerConfig {
        mounts,
        files: Vec::new(),
        name: cmd.value("name").unwrap_or("").to_string(),
        image: image.clone(),
        entrypoint,
        args: cmd.args.get(1..).unwrap_or_default().to_vec(),
        env,
        labels,
        hostname: cmd.value("hostname").unwrap_or("").to_string(),
        tty: cmd.bool("tty"),
        interactive: cmd.bool("interactive"),
        healthcheck,
        stop_grace_ms: stop_timeout,
        restart,
        ports,
        workdir: cmd.value("workdir").unwrap_or("").to_string(),
        user: cmd.value("user").unwrap_or("").to_string(),
        auto_remove,
        task_id: None,
        addresses: Vec::new(),
        memory,
        nano_cpus,
        pids_limit,
    };
    let world = interp.world();
    let created = {
        let mut w = world.borrow_mut();
        let id = w.container_create(m, config);
        if let Ok(id) = &id {
            w.container_set_networks(m, id, networks);
        }
        id
    };
    let id = match created {
        Ok(id) => id,
        Err(e) => return run_error(io, path, &format!("Error response from daemon: {e}")),
    };
    if !start {
        io.out.write(&format!("{id}\n"));
        return 0;
    }
    start_created(interp, m, path, &id, detach, auto_remove, io).await
}

/// Starts container `id` just created by `path` (`run`, or compose's `run`) as `docker run`
/// does: a one-shot file command answered at once, a detached start printing the ID, `-it`
/// with a shell entering it, else the container's output until it ends (its status).
pub(crate) async fn start_created(
    interp: &Interp,
    m: MachineId,
    path: &str,
    id: &str,
    detach: bool,
    auto_remove: bool,
    io: &Io,
) -> Status {
    let world = interp.world();
    let id = id.to_string();
    let started = world.borrow_mut().container_start(m, &id);
    if let Err(e) = started {
        if e.contains("executable file not found") {
            // docker/cli's toStatusError: a command that is not there is status 127.
            if auto_remove {
                let _ = world
                    .borrow_mut()
                    .container_remove_volumes(m, &id, true, true);
            }
            run_error(io, path, &format!("Error response from daemon: {e}"));
            return 127;
        }
        io.err
            .write(&format!("docker: Error response from daemon: {e}\n"));
        if auto_remove {
            let _ = world
                .borrow_mut()
                .container_remove_volumes(m, &id, true, true);
        }
        return 125;
    }
    if !detach {
        if let Some(status) = run_redis_prompt(interp, m, &id, io).await {
            return status;
        }
    }
    if let Some(status) = crate::locust::start(interp, m, &id, detach, io).await {
        return status;
    }
    if let Some((chunks, code)) = one_shot_file_command(interp, m, &id, path).await {
        if !detach {
            for (err, text) in &chunks {
                if *err {
                    io.err.write(text);
                } else {
                    io.out.write(text);
                }
            }
        }
        world.borrow_mut().container_main_exited(m, &id, code);
        if !detach {
            return code;
        }
    }
    if detach {
        quick_start(interp, m, &id).await;
        io.out.write(&format!("{id}\n"));
        return 0;
    }
    // `-it` with a shell as the program: the terminal is now that shell.
    let (tty, interactive, argv) = {
        let w = world.borrow();
        match w.container(m, &id) {
            // The official images' entrypoint wrapper execs another command as it is:
            // `docker run -it nginx bash` is bash.
            Some(c) => (
                c.config.tty,
                c.config.interactive,
                unwrap_entrypoint(&c.config.image, c.program.argv()).unwrap_or_default(),
            ),
            None => (false, false, Vec::new()),
        }
    };
    if tty && interactive {
        if let Some(shell) = interactive_shell(&argv) {
            enter_shell(interp, m, &id, shell, true, None);
            return 0;
        }
    }
    attach(interp, m, &id, io, tty).await
}

/// `docker run -it IMAGE redis-cli -h HOST`: redis-cli's prompt, then the container ends.
async fn run_redis_prompt(interp: &Interp, m: MachineId, id: &str, io: &Io) -> Option<Status> {
    let world = interp.world();
    let (tty, interactive, argv, image) = {
        let w = world.borrow();
        let c = w.container(m, id)?;
        (
            c.config.tty,
            c.config.interactive,
            c.program.argv(),
            c.config.image.clone(),
        )
    };
    if !(tty && interactive) {
        return None;
    }
    let argv = unwrap_entrypoint(&image, argv)?;
    let status = redis_prompt(interp, m, id, &argv, io).await?;
    world.borrow_mut().container_main_exited(m, id, status);
    Some(status)
}

/// `docker run IMAGE ls -l /etc` (`cat`, `mkdir` …, also behind a wrapper entrypoint or as
/// `sh -c 'ls /'`): a file command as the container's program runs over the container's
/// files as `docker exec` runs it; likewise `curl`, `wget` and `dig`, through the network
/// as the container sees it. Its output goes to the container's log (and is returned
/// for an attached run to print); the caller then ends the container with its status.
async fn one_shot_file_command(
    interp: &Interp,
    m: MachineId,
    id: &str,
    path: &str,
) -> Option<(Vec<(bool, String)>, i32)> {
    let world = interp.world();
    let (argv, stub, image) = {
        let w = world.borrow();
        let c = w.container(m, id)?;
        // The interpreter's answer stands, unless it ends a tool it does not emulate (`pwd`,
        // `df`, `wc`): the shell in the container runs the command, as `docker exec` would.
        let stub = c.program.exit().is_some() && c.program.is_stub();
        if !c.is_running() || (c.program.exit().is_some() && !stub) {
            return None;
        }
        (c.program.argv(), stub, c.config.image.clone())
    };
    let (chunks, code) = if stub {
        let argv = unwrap_entrypoint(&image, argv)?;
        shell_one_shot(interp, m, id, &argv).await
    } else {
        let argv = match one_shot_argv(&image, argv.clone()) {
            Some(argv) => argv,
            None => program_question(interp, m, id, unwrap_entrypoint(&image, argv)?)?,
        };
        let (out, err, code) = run_in_container(interp, m, id, &argv, true);
        if code == 127 && err.starts_with("OCI runtime exec failed") {
            let name = argv.first().map(String::as_str).unwrap_or("");
            (vec![(true, create_failed(path, name))], 127)
        } else {
            (vec![(false, out), (true, err)], code)
        }
    };
    let mut w = world.borrow_mut();
    for (err, text) in &chunks {
        let stream = if *err { Stream::Stderr } else { Stream::Stdout };
        for line in text.lines() {
            w.container_log_append(m, id, stream, line);
        }
    }
    Some((chunks, code))
}

/// A one-shot program the interpreter left to the shell: `sh -c SCRIPT` runs in the
/// playground's shell inside the container; a bare command too, its words quoted. A tool the
/// container's shell does not know either (`df`) ends without output.
async fn shell_one_shot(
    interp: &Interp,
    m: MachineId,
    id: &str,
    argv: &[String],
) -> (Vec<(bool, String)>, i32) {
    let chunks = Rc::new(RefCell::new(Vec::new()));
    let io = Io::with_stdin(
        "",
        Dest::Chunks(chunks.clone(), false),
        Dest::Chunks(chunks.clone(), true),
    );
    let (shell, script, bare) = match super::container_files::shell_script(argv) {
        Some((shell, script)) => (shell, script, false),
        None => {
            let quoted: Vec<String> = argv.iter().map(|a| sh_quote(a)).collect();
            ("sh", quoted.join(" "), true)
        }
    };
    let code = super::container_files::exec_script(interp, m, id, shell, &script, &io).await;
    let chunks = chunks.take();
    let name = argv.first().map(String::as_str).unwrap_or("");
    let missing = [
        format!("sh: {name}: not found\n"),
        format!("sh: 1: {name}: not found\n"),
    ];
    if bare && code == 127 && chunks.len() == 1 && chunks[0].0 && missing.contains(&chunks[0].1) {
        // Not a program of the image: runc could not start it. One the image has that the
        // playground does not run says so, never a silent success.
        let (distro, image, installed) = program_context(interp, m, id);
        let base = name.rsplit('/').next().unwrap_or(name);
        if super::image_programs::has_program(image, &distro, &installed, base) {
            return (
                vec![(
                    true,
                    format!("{base}: not emulated by Swarm Playground yet\n"),
                )],
                1,
            );
        }
        return (vec![(true, create_failed("run", name))], 127);
    }
    (chunks, code)
}

/// `docker run IMAGE PROGRAM` of a program the image does not have.
fn create_failed(path: &str, name: &str) -> String {
    format!(
        "docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: \"{name}\": executable file not found in $PATH: unknown\n\nRun 'docker {path} --help' for more information\n"
    )
}

/// A word as the shell reads it back: bare when it is plain, else in single quotes.
fn sh_quote(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

/// A container's command line without its wrapper entrypoint (`docker-entrypoint.sh ls`):
/// the wrapper execs its arguments; those that start with `-` (`curlimages/curl -s URL`) go to
/// the image's own program.
fn unwrap_entrypoint(image: &str, mut argv: Vec<String>) -> Option<Vec<String>> {
    let base = |a: &str| a.rsplit('/').next().unwrap_or(a).to_string();
    if argv
        .first()
        .is_some_and(|a| matches!(base(a).as_str(), "docker-entrypoint.sh" | "entrypoint.sh"))
    {
        argv.remove(0);
        if argv.first().is_some_and(|a| a.starts_with('-')) {
            let program = swarm_core::catalog::Catalog::get()
                .lookup(image)
                .and_then(|i| i.cmd.first().cloned());
            argv.insert(0, program?);
        }
    }
    Some(argv)
}

/// A container program that is a question to one of the image's own programs and ends with
/// its answer, as `docker exec` gives it: a version (`redis-server --version`, `node -v`,
/// `psql --version`), or a client's request (`redis-cli -h HOST ping`, `pg_isready -h db`). The
/// entrypoint started no server for it (the first word is not the server, or asks only its
/// version); a server's own command line (`nginx -g 'daemon off;'`, `python app.py`) is none.
fn program_question(
    interp: &Interp,
    m: MachineId,
    id: &str,
    argv: Vec<String>,
) -> Option<Vec<String>> {
    let world = interp.world();
    let w = world.borrow();
    let c = w.container(m, id)?;
    let name = argv.first()?;
    let base = name.rsplit('/').next().unwrap_or(name);
    let args = &argv[1..];
    let image = Catalog::get().lookup_or_id(&c.config.image, &c.image_id);
    let distro = super::image_programs::distro_of(c);
    let answered = super::image_programs::answer(c, image, &distro, base, args).is_some()
        || (matches!(base, "redis-cli" | "pg_isready") && !args.is_empty());
    answered.then_some(argv)
}

/// The command line of a one-shot container program that `docker exec` can answer (file
/// commands, network clients), with a wrapper entrypoint and `sh -c` unwrapped.
fn one_shot_argv(image: &str, argv: Vec<String>) -> Option<Vec<String>> {
    // File commands, and the network clients whose answers the shell's network computes
    // (`docker run --rm --network app alpine wget -qO- http://web`).
    const FILE_COMMANDS: &[&str] = &[
        "cat", "ls", "mkdir", "touch", "rm", "rmdir", "cp", "mv", "curl", "wget", "dig",
    ];
    let base = |a: &str| a.rsplit('/').next().unwrap_or(a).to_string();
    let mut argv = unwrap_entrypoint(image, argv)?;
    if argv.len() == 3
        && matches!(base(&argv[0]).as_str(), "sh" | "bash" | "ash")
        && argv[1] == "-c"
        && !argv[2].contains(['&', '|', ';', '>', '<', '$', '`', '\\', '"', '\''])
    {
        argv = argv[2].split_whitespace().map(str::to_string).collect();
    }
    match argv.first() {
        Some(a) if FILE_COMMANDS.contains(&base(a).as_str()) => Some(argv),
        _ => None,
    }
}

/// Apps that start within this long are listening when `docker run -d` returns.
const QUICK_START_MS: u64 = 1000;

/// Waits, after a detached start, for an app that starts quickly to listen. The CLI's round
/// trip (create, start, the reply) takes longer than a small server needs: an app that starts
/// within a second (registry 30 ms, nginx 180 ms) answers the next command typed, as it does
/// on a real machine even from a script.
async fn quick_start(interp: &Interp, m: MachineId, reference: &str) {
    let startup = interp
        .world()
        .borrow()
        .find_container(m, reference)
        .map_or(0, |c| c.program.startup_ms());
    if startup > 0 && startup <= QUICK_START_MS {
        interp.sleep(SimDuration::from_millis(startup)).await;
    }
}

/// Sends SIGINT to a foreground container when its command is interrupted (Ctrl+C), as the
/// CLI's signal proxy does.
struct SigProxy {
    world: Rc<RefCell<World>>,
    m: MachineId,
    id: String,
    armed: bool,
}

impl Drop for SigProxy {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Ok(mut w) = self.world.try_borrow_mut() {
            let _ = w.container_kill(self.m, &self.id, "INT");
        }
    }
}

/// Prints a container's output as it comes until its current run ends; its exit code.
async fn attach(interp: &Interp, m: MachineId, id: &str, io: &Io, tty: bool) -> Status {
    let world = interp.world();
    let mut guard = SigProxy {
        world: world.clone(),
        m,
        id: id.to_string(),
        armed: true,
    };
    let (run_index, mut from) = {
        let w = world.borrow();
        match w.container(m, id) {
            Some(c) => (
                c.runs.len().saturating_sub(1),
                c.runs.last().map_or(w.now(), |r| r.0),
            ),
            None => (0, w.now()),
        }
    };
    let mut snapshot: Option<Container> = None;
    loop {
        let (lines, done, code, exit_at) = {
            let w = world.borrow();
            let now = w.now();
            let to = now + SimDuration::from_millis(1);
            match w.container(m, id) {
                Some(c) => {
                    let ended = c.runs.get(run_index).is_none_or(|r| r.1.is_some());
                    let exit_at = c
                        .program
                        .exit()
                        .zip(c.runs.get(run_index))
                        .map(|(e, r)| r.0 + SimDuration::from_millis(e.after_ms));
                    snapshot = Some(c.clone());
                    (c.log_lines(now, from, to), ended, c.exit_code, exit_at)
                }
                None => {
                    // Removed (`--rm`): what it printed up to its end, from the last look.
                    let (lines, code) = match &snapshot {
                        Some(c) => (
                            c.log_lines(now, from, to),
                            c.program.exit().map_or(137, |e| e.code),
                        ),
                        None => (Vec::new(), 0),
                    };
                    (lines, true, code, None)
                }
            }
        };
        for l in lines {
            let text = format!("{}{}", l.text, if tty { "\r\n" } else { "\n" });
            match (l.stream, tty) {
                (Stream::Stderr, false) => io.err.write(&text),
                _ => io.out.write(&text),
            }
        }
        if done {
            guard.armed = false;
            return code;
        }
        let now = world.borrow().now();
        from = now + SimDuration::from_millis(1);
        let wait = match exit_at {
            Some(t) if t > now => t.saturating_since(now).min(POLL),
            Some(_) => SimDuration::from_millis(1),
            None => POLL,
        };
        interp.sleep(wait).await;
    }
}

/// Opens a shell inside the container on this terminal (`docker exec -it C sh`, `docker run
/// -it alpine sh`): a new shell level until `exit`. `main`: the shell is the container's main
/// process, so leaving it ends the container's run.
/// The terminal becomes a shell in container `id`, started in its working directory (or in
/// `docker exec -w DIR`'s).
fn enter_shell(
    interp: &Interp,
    m: MachineId,
    id: &str,
    shell: &str,
    main: bool,
    dir: Option<&str>,
) {
    let world = interp.world();
    let w = world.borrow();
    let Some(c) = w.container(m, id) else { return };
    let cwd = dir
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| super::container_files::workdir_of(c));
    let ctx = crate::exec::Session::container_login(&w, m, c, shell, main, &cwd);
    drop(w);
    interp.session.borrow_mut().stack.push(ctx);
}

// ------------------------------------------------------------------------------------------
// start / stop / restart / kill / rm

async fn start(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    if cmd.bool("attach") || cmd.bool("interactive") {
        if cmd.args.len() > 1 {
            io.err
                .write("you cannot start and attach multiple containers at once\n");
            return 1;
        }
        let reference = cmd.args.first().cloned().unwrap_or_default();
        let found = world
            .borrow()
            .find_container(m, &reference)
            .map(|c| (c.id.clone(), c.config.tty));
        let (id, tty) = match found {
            Ok(x) => x,
            Err(e) => {
                io.err.write(&format!("Error response from daemon: {e}\n"));
                return 1;
            }
        };
        let r = world.borrow_mut().container_start(m, &id);
        if let Err(e) = r {
            return daemon_error(io, &e);
        }
        return attach(interp, m, &id, io, tty).await;
    }
    let mut failed = Vec::new();
    for a in &cmd.args {
        let r = world.borrow_mut().container_start(m, a);
        match r {
            Ok(()) => {
                quick_start(interp, m, a).await;
                io.out.write(&format!("{a}\n"));
            }
            Err(e) => {
                io.err.write(&format!("Error response from daemon: {e}\n"));
                failed.push(a.clone());
            }
        }
    }
    if failed.is_empty() {
        0
    } else {
        io.err.write(&format!(
            "Error: failed to start containers: {}\n",
            failed.join(", ")
        ));
        1
    }
}

async fn stop_restart(
    interp: &Interp,
    m: MachineId,
    cmd: &Parsed,
    io: &Io,
    restart: bool,
) -> Status {
    let path = if restart { "restart" } else { "stop" };
    let timeout = match cmd.value("timeout") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n < 0 => Some(u64::MAX / 4),
            Ok(n) => Some(n as u64 * 1000),
            Err(_) => {
                return super::usage_error(
                    io,
                    path,
                    &format!("invalid argument \"{v}\" for \"-t, --timeout\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"),
                )
            }
        },
    };
    let world = interp.world();
    // Every container gets its signal at once (the CLI works in parallel), then we wait.
    let mut results: Vec<(String, Result<SimTime, String>)> = Vec::new();
    for a in &cmd.args {
        let r = if restart {
            world.borrow_mut().container_restart(m, a, timeout)
        } else {
            world.borrow_mut().container_stop(m, a, timeout)
        };
        results.push((a.clone(), r));
    }
    let mut errors = Vec::new();
    for (a, r) in results {
        match r {
            Ok(when) => {
                let now = world.borrow().now();
                if when > now {
                    interp.sleep(when.saturating_since(now)).await;
                }
                io.out.write(&format!("{a}\n"));
            }
            Err(e) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if errors.is_empty() {
        0
    } else {
        io.err.write(&format!("{}\n", errors.join("\n")));
        1
    }
}

fn kill(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let signal = cmd
        .value("signal")
        .filter(|s| !s.is_empty())
        .unwrap_or("KILL");
    let world = interp.world();
    each_container(io, &cmd.args, |a| {
        world.borrow_mut().container_kill(m, a, signal)
    })
}

/// The CLI's loop over the containers of `kill`, `update` …: each one named on stdout when the
/// daemon did it, the daemon's errors together on stderr at the end (exit 1).
pub(crate) fn each_container(
    io: &Io,
    refs: &[String],
    mut act: impl FnMut(&str) -> Result<(), String>,
) -> Status {
    let mut errors = Vec::new();
    for a in refs {
        match act(a) {
            Ok(()) => io.out.write(&format!("{a}\n")),
            Err(e) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if errors.is_empty() {
        0
    } else {
        io.err.write(&format!("{}\n", errors.join("\n")));
        1
    }
}

/// `docker pause` / `docker unpause`: each container in turn, its name as typed on
/// success, the daemon's errors together at the end (docker/cli's `errors.Join`).
fn pause(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io, pause: bool) -> Status {
    let world = interp.world();
    let mut errors = Vec::new();
    for a in &cmd.args {
        let r = if pause {
            world.borrow_mut().container_pause(m, a)
        } else {
            world.borrow_mut().container_unpause(m, a)
        };
        match r {
            Ok(_) => io.out.write(&format!("{a}\n")),
            Err(e) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if errors.is_empty() {
        0
    } else {
        io.err.write(&format!("{}\n", errors.join("\n")));
        1
    }
}

fn rm(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let force = cmd.bool("force");
    let world = interp.world();
    let mut errors = Vec::new();
    for a in &cmd.args {
        let name = a.trim_matches('/');
        if name.is_empty() {
            errors.push("Container name cannot be empty".to_string());
            continue;
        }
        let r = world
            .borrow_mut()
            .container_remove_volumes(m, name, force, cmd.bool("volumes"));
        match r {
            Ok(()) => io.out.write(&format!("{a}\n")),
            Err(e) if force && e.starts_with("No such container") => {
                io.err.write(&format!("Error response from daemon: {e}\n"));
            }
            Err(e) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if errors.is_empty() {
        0
    } else {
        io.err.write(&format!("{}\n", errors.join("\n")));
        1
    }
}

// ------------------------------------------------------------------------------------------
// logs

/// `--since`/`--until`: a Go duration before now (`42m`), unix seconds, or an RFC 3339 time.
pub(super) fn parse_time_arg(v: &str, now: SimTime) -> Option<SimTime> {
    if let Some(d) = parse_go_duration(v) {
        return Some(SimTime::from_millis(
            now.as_millis().saturating_sub(d.as_millis()),
        ));
    }
    let unix_ms: i64 = if let Ok(secs) = v.parse::<f64>() {
        (secs * 1000.0) as i64
    } else {
        crate::format::text::parse_rfc3339_ms(v)?
    };
    let rel = unix_ms - crate::model::unix_ms(SimTime::ZERO);
    Some(SimTime::from_millis(rel.max(0) as u64))
}

/// Docker's log timestamp: RFC 3339 with nine fraction digits.
fn log_timestamp(at: SimTime) -> String {
    let t = rfc3339(at.as_millis());
    let base = t.trim_end_matches('Z');
    let (main, frac) = base.split_once('.').unwrap_or((base, ""));
    format!("{main}.{frac:0<9}Z")
}

async fn logs(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let reference = cmd.args.first().cloned().unwrap_or_default();
    let world = interp.world();
    let (id, tty) = match world.borrow().find_container(m, &reference) {
        Ok(c) => (c.id.clone(), c.config.tty),
        Err(e) => {
            io.err.write(&format!("Error response from daemon: {e}\n"));
            return 1;
        }
    };
    let now = world.borrow().now();
    let since = match cmd.value("since").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match parse_time_arg(v, now) {
            Some(t) => Some(t),
            None => {
                return daemon_error(
                    io,
                    &format!("invalid value for \"since\": failed to parse value as time or duration: \"{v}\""),
                )
            }
        },
    };
    let until = match cmd.value("until").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match parse_time_arg(v, now) {
            Some(t) => Some(t),
            None => {
                return daemon_error(
                    io,
                    &format!("invalid value for \"until\": failed to parse value as time or duration: \"{v}\""),
                )
            }
        },
    };
    let tail = match cmd.value("tail") {
        None | Some("all") => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n as usize),
            _ => None,
        },
    };
    let stamps = cmd.bool("timestamps");
    let print = |lines: Vec<swarm_core::container::ContainerLogLine>| {
        for l in lines {
            let mut text = String::new();
            if stamps {
                text.push_str(&log_timestamp(l.at));
                text.push(' ');
            }
            text.push_str(&l.text);
            text.push_str(if tty { "\r\n" } else { "\n" });
            match (l.stream, tty) {
                (Stream::Stderr, false) => io.err.write(&text),
                _ => io.out.write(&text),
            }
        }
    };
    let first = world
        .borrow()
        .container_logs(m, &id, since, until, tail)
        .unwrap_or_default();
    print(first);
    if !cmd.bool("follow") || until.is_some() {
        return 0;
    }
    let mut from = now + SimDuration::from_millis(1);
    loop {
        let running = world
            .borrow()
            .container(m, &id)
            .is_some_and(|c| c.is_running() || c.state == ContainerState::Restarting);
        if !running {
            return 0;
        }
        interp.sleep(POLL).await;
        let (lines, next) = {
            let w = world.borrow();
            let now = w.now();
            let to = now + SimDuration::from_millis(1);
            let lines = w
                .container(m, &id)
                .map(|c| c.log_lines(now, from, to))
                .unwrap_or_default();
            (lines, to)
        };
        print(lines);
        from = next;
    }
}

// ------------------------------------------------------------------------------------------
// inspect

fn health_json(hc: &HealthConfig) -> Value {
    let mut v = Map::new();
    v.insert("Test".into(), json!(hc.test));
    let ns = |ms: u64| ms * 1_000_000;
    if hc.interval_ms > 0 {
        v.insert("Interval".into(), json!(ns(hc.interval_ms)));
    }
    if hc.timeout_ms > 0 {
        v.insert("Timeout".into(), json!(ns(hc.timeout_ms)));
    }
    if hc.start_period_ms > 0 {
        v.insert("StartPeriod".into(), json!(ns(hc.start_period_ms)));
    }
    if hc.start_interval_ms > 0 {
        v.insert("StartInterval".into(), json!(ns(hc.start_interval_ms)));
    }
    if hc.retries > 0 {
        v.insert("Retries".into(), json!(hc.retries));
    }
    Value::Object(v)
}

/// The paths the default seccomp-less profile masks and makes read-only (moby's
/// `oci.DefaultSpec`), as `HostConfig` shows them.
const MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];
const READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// `HostConfig` with every key docker 28 prints, in the Go struct's order: `head` (the first
/// keys, up to `AutoRemove`), then the defaults the CLI sends and the daemon fills in. What
/// the CLI sends as empty lists (`Dns`, the blkio devices, `Devices`, `Ulimits`) the swarm
/// executor leaves nil; `-v` mounts are `Binds`, `--mount`s `Mounts`.
fn host_config_json(c: &Container, head: Value) -> Value {
    let task = c.config.task_id.is_some();
    let empty = || if task { Value::Null } else { json!([]) };
    let mut v = match head {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let binds: Vec<String> = c
        .config
        .mounts
        .iter()
        .filter(|m| m.legacy && !m.source.is_empty())
        .map(|m| {
            let ro = if m.read_only { ":ro" } else { "" };
            format!("{}:{}{ro}", m.source, m.target)
        })
        .collect();
    if !binds.is_empty() && !task {
        v.insert("Binds".into(), json!(binds));
    }
    let mounts: Vec<Value> = c
        .config
        .mounts
        .iter()
        .filter(|m| !m.legacy)
        .map(|m| {
            let mut o = Map::new();
            o.insert("Type".into(), json!(m.kind.as_str()));
            if !m.source.is_empty() {
                o.insert("Source".into(), json!(m.source));
            }
            o.insert("Target".into(), json!(m.target));
            if m.read_only {
                o.insert("ReadOnly".into(), json!(true));
            }
            Value::Object(o)
        })
        .collect();
    let rest = [
        ("VolumeDriver", json!("")),
        ("VolumesFrom", Value::Null),
        ("ConsoleSize", json!([0, 0])),
        ("CapAdd", Value::Null),
        ("CapDrop", Value::Null),
        ("CgroupnsMode", json!("private")),
        ("Dns", empty()),
        ("DnsOptions", empty()),
        ("DnsSearch", empty()),
        ("ExtraHosts", Value::Null),
        ("GroupAdd", Value::Null),
        ("IpcMode", json!("private")),
        ("Cgroup", json!("")),
        ("Links", Value::Null),
        ("OomScoreAdj", json!(0)),
        ("PidMode", json!("")),
        ("Privileged", json!(false)),
        ("PublishAllPorts", json!(false)),
        ("ReadonlyRootfs", json!(false)),
        ("SecurityOpt", Value::Null),
        ("UTSMode", json!("")),
        ("UsernsMode", json!("")),
        ("ShmSize", json!(67_108_864)),
        ("Runtime", json!("runc")),
        ("Isolation", json!(if task { "default" } else { "" })),
        ("CpuShares", json!(0)),
        ("Memory", json!(c.config.memory)),
        ("NanoCpus", json!(c.config.nano_cpus)),
        ("CgroupParent", json!("")),
        ("BlkioWeight", json!(0)),
        ("BlkioWeightDevice", empty()),
        ("BlkioDeviceReadBps", empty()),
        ("BlkioDeviceWriteBps", empty()),
        ("BlkioDeviceReadIOps", empty()),
        ("BlkioDeviceWriteIOps", empty()),
        ("CpuPeriod", json!(0)),
        ("CpuQuota", json!(0)),
        ("CpuRealtimePeriod", json!(0)),
        ("CpuRealtimeRuntime", json!(0)),
        ("CpusetCpus", json!("")),
        ("CpusetMems", json!("")),
        ("Devices", empty()),
        ("DeviceCgroupRules", Value::Null),
        ("DeviceRequests", Value::Null),
        ("MemoryReservation", json!(0)),
        // The daemon's default swap: as much again as the memory limit.
        ("MemorySwap", json!(c.config.memory * 2)),
        ("MemorySwappiness", Value::Null),
        ("OomKillDisable", Value::Null),
        (
            "PidsLimit",
            if c.config.pids_limit > 0 {
                json!(c.config.pids_limit)
            } else {
                Value::Null
            },
        ),
        ("Ulimits", empty()),
        ("CpuCount", json!(0)),
        ("CpuPercent", json!(0)),
        ("IOMaximumIOps", json!(0)),
        ("IOMaximumBandwidth", json!(0)),
    ];
    for (k, val) in rest {
        v.insert(k.into(), val);
    }
    if !mounts.is_empty() {
        v.insert("Mounts".into(), Value::Array(mounts));
    }
    v.insert("MaskedPaths".into(), json!(MASKED_PATHS));
    v.insert("ReadonlyPaths".into(), json!(READONLY_PATHS));
    Value::Object(v)
}

/// The Engine API's `ContainerJSON`, as `docker container inspect` prints it.
pub(crate) fn container_json(w: &World, m: MachineId, c: &Container) -> Value {
    let zero = "0001-01-01T00:00:00Z".to_string();
    let time = |t: Option<SimTime>| t.map_or_else(|| zero.clone(), |t| rfc3339(t.as_millis()));
    let image = Catalog::get().lookup_or_id(&c.config.image, &c.image_id);
    let argv = c.program.argv();
    let mut state = json!({
        "Status": c.state_str(),
        "Running": c.is_running() || c.state == ContainerState::Restarting,
        "Paused": c.paused,
        "Restarting": c.state == ContainerState::Restarting,
        "OOMKilled": false,
        "Dead": c.state == ContainerState::Dead,
        "Pid": c.pid,
        "ExitCode": c.exit_code,
        "Error": c.error,
        "StartedAt": time(c.started_at),
        "FinishedAt": time(c.finished_at),
    });
    if let Some(h) = &c.health {
        state["Health"] = json!({
            "Status": h.status.as_str(),
            "FailingStreak": h.failing_streak,
            "Log": h.log.iter().map(|l| json!({
                "Start": rfc3339(l.start.as_millis()),
                "End": rfc3339(l.end.as_millis()),
                "ExitCode": l.exit_code,
                "Output": l.output,
            })).collect::<Vec<_>>(),
        });
    }
    let restart_name = match c.config.restart {
        RestartPolicy::No => "no",
        RestartPolicy::Always => "always",
        RestartPolicy::UnlessStopped => "unless-stopped",
        RestartPolicy::OnFailure(_) => "on-failure",
    };
    let max_retry = match c.config.restart {
        RestartPolicy::OnFailure(n) => n,
        _ => 0,
    };
    let mut bindings = Map::new();
    for p in &c.config.ports {
        let key = format!("{}/{}", p.container_port, p.proto);
        let entry = bindings.entry(key).or_insert_with(|| json!([]));
        if let Some(a) = entry.as_array_mut() {
            // A port to be picked by the engine has no host port here (a task's
            // host-mode port without a published number).
            let port = if p.host_port == 0 {
                String::new()
            } else {
                p.host_port.to_string()
            };
            a.push(json!({"HostIp": p.host_ip, "HostPort": port}));
        }
    }
    let mut exposed = Map::new();
    for (port, proto) in exposed_ports(c) {
        exposed.insert(format!("{port}/{proto}"), json!({}));
    }
    for p in &c.config.ports {
        exposed.insert(format!("{}/{}", p.container_port, p.proto), json!({}));
    }
    // What the running container's ports are bound to: every exposed port (null when not
    // published), a published one on IPv4 and IPv6 unless a host IP was given.
    let mut net_ports = Map::new();
    for k in exposed.keys() {
        net_ports.insert(k.clone(), Value::Null);
    }
    for p in &c.bound_ports {
        let key = format!("{}/{}", p.container_port, p.proto);
        let port = p.host_port.to_string();
        let fronts = if p.host_ip.is_empty() {
            vec![
                json!({"HostIp": "0.0.0.0", "HostPort": port}),
                json!({"HostIp": "::", "HostPort": port}),
            ]
        } else {
            vec![json!({"HostIp": p.host_ip, "HostPort": port})]
        };
        match net_ports.get_mut(&key).and_then(Value::as_array_mut) {
            Some(a) => a.extend(fronts),
            None => {
                net_ports.insert(key, Value::Array(fronts));
            }
        }
    }
    let mut env: Vec<String> = image.map(|i| i.env.clone()).unwrap_or_default();
    for e in &c.config.env {
        let key = e.split('=').next().unwrap_or("");
        env.retain(|x| x.split('=').next() != Some(key));
        env.push(e.clone());
    }
    let entrypoint: Option<Vec<String>> = match &c.config.entrypoint {
        Some(e) => Some(e.clone()),
        None => image
            .map(|i| i.entrypoint.clone())
            .filter(|e| !e.is_empty()),
    };
    let cmd_value: Vec<String> = if !c.config.args.is_empty() {
        c.config.args.clone()
    } else if c.config.entrypoint.is_some() {
        Vec::new()
    } else {
        image.map(|i| i.cmd.clone()).unwrap_or_default()
    };
    let mut config = json!({
        "Hostname": c.config.hostname,
        "Domainname": "",
        "User": c.config.user,
        "AttachStdin": c.config.interactive,
        "AttachStdout": true,
        "AttachStderr": true,
    });
    if !exposed.is_empty() {
        config["ExposedPorts"] = Value::Object(exposed);
    }
    config["Tty"] = json!(c.config.tty);
    config["OpenStdin"] = json!(c.config.interactive);
    config["StdinOnce"] = json!(c.config.interactive);
    config["Env"] = json!(env);
    config["Cmd"] = if cmd_value.is_empty() {
        Value::Null
    } else {
        json!(cmd_value)
    };
    if let Some(h) = &c.config.healthcheck {
        config["Healthcheck"] = health_json(h);
    }
    config["Image"] = json!(c.config.image);
    config["Volumes"] = super::volume_cmd::config_volumes(w, m, &c.id);
    config["WorkingDir"] = json!(if c.config.workdir.is_empty() {
        image.map(|i| i.workdir.clone()).unwrap_or_default()
    } else {
        c.config.workdir.clone()
    });
    config["Entrypoint"] = match entrypoint {
        Some(e) if !e.is_empty() => json!(e),
        _ => Value::Null,
    };
    config["OnBuild"] = Value::Null;
    let mut labels: BTreeMap<String, String> = image.map(|i| i.labels.clone()).unwrap_or_default();
    labels.extend(c.config.labels.clone());
    config["Labels"] = json!(labels);
    if let Some(sig) = image.and_then(|i| i.stop_signal()) {
        config["StopSignal"] = json!(sig);
    }
    let net = super::network_cmd::container_net(w, m, c);
    let (ip, gateway, prefix, mac, network) = (net.ip, net.gateway, net.prefix, net.mac, net.mode);
    let networks = net.networks;
    let sandbox = swarm_core::container::hex64(&format!("sandbox:{}", c.id));
    let network_settings = json!({
        "Bridge": "",
        "SandboxID": sandbox,
        "SandboxKey": format!("/var/run/docker/netns/{}", sandbox.get(..12).unwrap_or("")),
        "Ports": if c.is_running() { json!(net_ports) } else { json!({}) },
        "Gateway": gateway,
        "IPAddress": ip,
        "IPPrefixLen": prefix,
        "MacAddress": mac,
        "Networks": networks,
    });
    let host_config = host_config_json(
        c,
        json!({
            "Binds": Value::Null,
            "ContainerIDFile": "",
            "LogConfig": {"Type": "json-file", "Config": {}},
            "NetworkMode": network,
            "PortBindings": bindings,
            "RestartPolicy": {"Name": restart_name, "MaximumRetryCount": max_retry},
            "AutoRemove": c.config.auto_remove,
        }),
    );
    let graph = json!({
        "Data": {
            "MergedDir": format!("/var/lib/docker/overlay2/{}/merged", swarm_core::container::hex64(&c.id)),
        },
        "Name": "overlay2",
    });
    let mut v = Map::new();
    v.insert("Id".into(), json!(c.id));
    v.insert("Created".into(), json!(rfc3339(c.created_at.as_millis())));
    v.insert(
        "Path".into(),
        json!(argv.first().cloned().unwrap_or_default()),
    );
    v.insert("Args".into(), json!(argv.get(1..).unwrap_or_default()));
    v.insert("State".into(), state);
    v.insert("Image".into(), json!(c.image_id));
    for (k, f) in [
        ("ResolvConfPath", "resolv.conf".to_string()),
        ("HostnamePath", "hostname".to_string()),
        ("HostsPath", "hosts".to_string()),
        ("LogPath", format!("{}-json.log", c.id)),
    ] {
        v.insert(
            k.into(),
            json!(format!("/var/lib/docker/containers/{}/{f}", c.id)),
        );
    }
    v.insert("Name".into(), json!(format!("/{}", c.name)));
    v.insert("RestartCount".into(), json!(c.restart_count));
    v.insert("Driver".into(), json!("overlay2"));
    v.insert("Platform".into(), json!("linux"));
    v.insert("MountLabel".into(), json!(""));
    v.insert("ProcessLabel".into(), json!(""));
    v.insert("AppArmorProfile".into(), json!(""));
    v.insert("ExecIDs".into(), Value::Null);
    v.insert("HostConfig".into(), host_config);
    v.insert("GraphDriver".into(), graph);
    v.insert("Mounts".into(), super::volume_cmd::mounts_json(w, m, &c.id));
    v.insert("Config".into(), config);
    v.insert("NetworkSettings".into(), network_settings);
    Value::Object(v)
}

/// The Engine API's image inspect, the fields a student looks at, with every name `m` has
/// for the image (`img` among them: `docker tag`).
pub(crate) fn image_json(
    w: &World,
    m: MachineId,
    img: &swarm_core::container::PulledImage,
) -> Value {
    let mut names: Vec<&swarm_core::container::PulledImage> =
        w.images(m).into_iter().filter(|i| i.id == img.id).collect();
    names.sort_by_key(|i| i.reference());
    let cat = Catalog::get().lookup_or_id(&img.reference(), &img.id);
    let created_ms = img.created_unix * 1000 - SimTime::ZERO.unix_ms();
    let created = if created_ms >= 0 {
        rfc3339(created_ms as u64)
    } else {
        format!(
            "{}Z",
            format::go_time_utc(img.created_unix, 0)
                .trim_end_matches(" +0000 UTC")
                .replacen(' ', "T", 1)
        )
    };
    let mut config = json!({
        "Env": cat.map(|i| i.env.clone()).unwrap_or_default(),
        "Cmd": cat.map(|i| i.cmd.clone()).filter(|c| !c.is_empty()),
        "Entrypoint": cat.map(|i| i.entrypoint.clone()).filter(|c| !c.is_empty()),
        "WorkingDir": cat.map(|i| i.workdir.clone()).unwrap_or_default(),
        "Labels": cat.map(|i| i.labels.clone()),
    });
    if let Some(h) = cat.and_then(|i| i.healthcheck.as_ref()) {
        config["Healthcheck"] = health_json(h);
    }
    if let Some(i) = cat {
        if !i.exposed_ports.is_empty() {
            let mut ports = Map::new();
            for p in &i.exposed_ports {
                ports.insert(p.clone(), json!({}));
            }
            config["ExposedPorts"] = Value::Object(ports);
        }
        if let Some(s) = i.stop_signal() {
            config["StopSignal"] = json!(s);
        }
    }
    json!({
        "Id": img.id,
        "RepoTags": names.iter().map(|i| i.reference()).collect::<Vec<_>>(),
        "RepoDigests": names
            .iter()
            .filter(|i| !i.digest.is_empty())
            .map(|i| format!("{}@{}", i.repository, i.digest))
            .collect::<Vec<_>>(),
        "Parent": "",
        "Comment": "",
        "Created": created,
        "Config": config,
        "Architecture": "amd64",
        "Os": "linux",
        "Size": img.size,
        "RootFS": {"Type": "layers", "Layers": img.layers},
    })
}

fn inspect(interp: &Interp, m: MachineId, path: &str, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    // `docker inspect` is `inspect_cmd`'s.
    let kind = if path == "image inspect" {
        "image"
    } else {
        "container"
    };
    let mut refs: Vec<super::template::Lookup> = Vec::new();
    for a in &cmd.args {
        refs.push(match kind {
            "container" => w
                .find_container(m, a)
                .map(|c| (container_json(&w, m, c), "container.InspectResponse", true))
                .map_err(|_| format!("Error response from daemon: No such container: {a}")),
            _ => w
                .find_image(m, a)
                .map(|i| (image_json(&w, m, i), "image.InspectResponse", true))
                .ok_or_else(|| format!("Error: No such image: {a}")),
        });
    }
    super::template::write_inspect(io, cmd.value("format").unwrap_or(""), refs, 64)
}

// ------------------------------------------------------------------------------------------
// exec

/// The environment a process in the container sees, as `env` prints it.
fn container_env(c: &Container) -> Vec<String> {
    let image = Catalog::get().lookup_or_id(&c.config.image, &c.image_id);
    let mut env: Vec<String> = image.map(|i| i.env.clone()).unwrap_or_default();
    for e in &c.config.env {
        let key = e.split('=').next().unwrap_or("");
        env.retain(|x| x.split('=').next() != Some(key));
        env.push(e.clone());
    }
    let mut out = Vec::new();
    if let Some(p) = env.iter().position(|e| e.starts_with("PATH=")) {
        out.push(env.remove(p));
    } else {
        out.push("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string());
    }
    out.push(format!("HOSTNAME={}", c.config.hostname));
    if c.config.tty {
        out.push("TERM=xterm".to_string());
    }
    out.extend(env);
    if !out.iter().any(|e| e.starts_with("HOME=")) {
        out.push("HOME=/root".to_string());
    }
    out
}

/// What decides which programs container `id` has: its distribution, its image, the tools
/// its package manager installed.
fn program_context(
    interp: &Interp,
    m: MachineId,
    id: &str,
) -> (
    swarm_core::distro::Distro,
    Option<&'static swarm_core::catalog::Image>,
    Vec<&'static str>,
) {
    let world = interp.world();
    let w = world.borrow();
    let Some(c) = w.container(m, id) else {
        return (swarm_core::distro::Distro::guess(""), None, Vec::new());
    };
    let read = |p: &str| {
        w.container_read(m, id, p)
            .map(|d| String::from_utf8_lossy(&d).into_owned())
            .unwrap_or_default()
    };
    let (status, apk) = (read("/var/lib/dpkg/status"), read("/etc/apk/world"));
    (
        super::image_programs::distro_of(c),
        Catalog::get().lookup_or_id(&c.config.image, &c.image_id),
        super::image_programs::installed_tools(&status, &apk),
    )
}

/// Alpine and busybox based images have busybox's tools (`ps`, `wget`).
fn is_busybox(c: &Container) -> bool {
    super::image_programs::distro_of(c).is_busybox()
}

/// What a command run in the container (`docker exec C …`, or typed in its shell) prints:
/// (stdout, stderr, exit status).
/// `to_terminal`: the command's stdout is the terminal (not a pipe or a file), so a shell
/// with a TTY has `ls` print columns.
pub(crate) fn run_in_container(
    interp: &Interp,
    m: MachineId,
    id: &str,
    argv: &[String],
    to_terminal: bool,
) -> (String, String, i32) {
    let world = interp.world();
    let Some(c) = world.borrow().container(m, id).cloned() else {
        return (String::new(), String::new(), 137);
    };
    // File commands work on the container's filesystem (its layer, volumes, binds, secrets).
    {
        let tty = interp
            .session
            .borrow()
            .ctx()
            .container
            .as_ref()
            .is_some_and(|x| x.id == id && x.tty)
            && to_terminal;
        let cwd = super::container_files::cwd_for(interp, &world.borrow(), m, id);
        let here = super::container_files::Here {
            m,
            id,
            busybox: is_busybox(&c),
            cwd,
            tty,
        };
        if let Some(r) = super::container_files::run(&mut world.borrow_mut(), &here, argv) {
            return r;
        }
        let name = argv.first().map(String::as_str).unwrap_or("");
        let base = name.rsplit('/').next().unwrap_or(name);
        let args = argv.get(1..).unwrap_or_default();
        let image = Catalog::get().lookup_or_id(&c.config.image, &c.image_id);
        let distro = super::image_programs::distro_of(&c);
        {
            let hosts = world
                .borrow()
                .container_read(m, id, "/etc/hosts")
                .ok()
                .map(|d| String::from_utf8_lossy(&d).into_owned());
            let read = |p: &str| {
                world
                    .borrow()
                    .container_read(m, id, p)
                    .map(|d| String::from_utf8_lossy(&d).into_owned())
                    .unwrap_or_default()
            };
            let (status, apk) = (read("/var/lib/dpkg/status"), read("/etc/apk/world"));
            let installed = super::image_programs::installed_tools(&status, &apk);
            if let Some(r) = super::image_programs::run(
                &c,
                image,
                &distro,
                base,
                args,
                hosts.as_deref(),
                &installed,
            ) {
                return r;
            }
            let has = |n: &str| super::image_programs::has_program(image, &distro, &installed, n);
            if let Some(r) =
                super::container_net::run(&world.borrow(), m, &c, &distro, base, args, &has)
            {
                return r;
            }
        }
        if let Some(r) = super::container_files::redis_cli(&mut world.borrow_mut(), &here, argv) {
            return r;
        }
        if let Some(r) = super::container_files::pg_isready(&world.borrow(), &here, argv) {
            return r;
        }
        if let Some(r) = super::container_files::psql(&world.borrow(), &here, argv) {
            return r;
        }
        // Database clients these images have but the playground does not run: say so rather
        // than claim the image lacks them.
        let name = argv.first().map(String::as_str).unwrap_or("");
        let client = name.rsplit('/').next().unwrap_or(name);
        let repo = c.config.image.rsplit('/').next().unwrap_or(&c.config.image);
        let has_client = match client {
            "mongosh" | "mongo" => repo.starts_with("mongo"),
            "mysql" | "mysqladmin" | "mysqldump" => repo.starts_with("mysql"),
            "pg_dump" | "createdb" => repo.starts_with("postgres"),
            _ => false,
        };
        if has_client {
            return (
                String::new(),
                format!("{client}: not emulated by Swarm Playground yet\n"),
                1,
            );
        }
        let name = argv.first().map(String::as_str).unwrap_or("");
        let base = name.rsplit('/').next().unwrap_or(name);
        if let Some(r) = super::packages::run(
            &mut world.borrow_mut(),
            m,
            id,
            &c.config.image,
            base,
            argv.get(1..).unwrap_or_default(),
            tty,
        ) {
            return r;
        }
    }
    let name = argv.first().map(String::as_str).unwrap_or("");
    let base = name.rsplit('/').next().unwrap_or(name);
    let args = argv.get(1..).unwrap_or_default();
    let ok = |s: String| (s, String::new(), 0);
    match base {
        "hostname" => ok(format!("{}\n", c.config.hostname)),
        "echo" => ok(format!("{}\n", args.join(" "))),
        "true" => ok(String::new()),
        "false" => (String::new(), String::new(), 1),
        "whoami" => ok("root\n".into()),
        "id" => ok("uid=0(root) gid=0(root) groups=0(root)\n".into()),
        "nproc" => ok(format!("{}\n", build::CPUS)),
        "pwd" => ok(format!("{}\n", super::container_files::workdir_of(&c))),
        "env" | "printenv" if args.is_empty() => {
            let mut s = container_env(&c).join("\n");
            s.push('\n');
            ok(s)
        }
        "printenv" => {
            let env = container_env(&c);
            let mut out = String::new();
            let mut code = 0;
            for a in args {
                match env.iter().find_map(|e| e.strip_prefix(&format!("{a}="))) {
                    Some(v) => {
                        out.push_str(v);
                        out.push('\n');
                    }
                    None => code = 1,
                }
            }
            (out, String::new(), code)
        }
        "uname" => {
            if args.iter().any(|a| a == "-a") {
                ok(format!(
                    "Linux {} {} #1 SMP x86_64 Linux\n",
                    c.config.hostname,
                    build::KERNEL
                ))
            } else if args.iter().any(|a| a == "-r") {
                ok(format!("{}\n", build::KERNEL))
            } else {
                ok("Linux\n".into())
            }
        }
        "ps" => {
            let cmdline = c.program.argv().join(" ");
            let me = argv.join(" ");
            if c.program.argv() == argv && c.program.is_stub() {
                // `docker run alpine ps`: ps is PID 1.
                if is_busybox(&c) {
                    return ok(format!(
                        "PID   USER     TIME  COMMAND\n    1 root      0:00 {cmdline}\n"
                    ));
                }
                return ok(
                    "    PID TTY          TIME CMD\n      1 ?        00:00:00 ps\n".to_string(),
                );
            }
            if is_busybox(&c) {
                ok(format!(
                    "PID   USER     TIME  COMMAND\n    1 root      0:00 {cmdline}\n{:>5} root      0:00 {me}\n",
                    c.pid % 1000 + 7
                ))
            } else {
                ok(format!(
                    "    PID TTY          TIME CMD\n      1 ?        00:00:00 {}\n{:>7} pts/0    00:00:00 ps\n",
                    c.program.argv().first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or(""),
                    c.pid % 1000 + 7
                ))
            }
        }
        "curl" | "wget" | "nslookup" | "ping" | "dig" => {
            let w = world.clone();
            crate::net::in_container(&w, m, id, base, args)
                .unwrap_or_else(|| (String::new(), String::new(), 127))
        }
        "exit" => {
            let code = args.first().and_then(|a| a.parse::<i32>().ok()).unwrap_or(0);
            (String::new(), String::new(), code & 0xff)
        }
        "sh" | "bash" | "ash" if args.first().is_some_and(|a| a == "-c") => {
            let script = args.get(1).cloned().unwrap_or_default();
            let mut out = String::new();
            let mut err = String::new();
            let mut code = 0;
            // `a; b`, `a && b`, `a || b`: each part after the one before, as its operator says.
            let mut rest = script.as_str();
            let mut op = ";";
            while !rest.is_empty() {
                let (part, next, after) = match ["&&", "||", ";"]
                    .iter()
                    .filter_map(|o| rest.find(o).map(|i| (i, *o)))
                    .min()
                {
                    Some((i, o)) => (&rest[..i], o, &rest[i + o.len()..]),
                    None => (rest, ";", ""),
                };
                let run = match op {
                    "&&" => code == 0,
                    "||" => code != 0,
                    _ => true,
                };
                let words: Vec<String> = part.split_whitespace().map(str::to_string).collect();
                if run && !words.is_empty() {
                    let (o, e, c2) = run_in_container(interp, m, id, &words, true);
                    out.push_str(&o);
                    err.push_str(&e);
                    code = c2;
                }
                op = next;
                rest = after;
            }
            (out, err, code)
        }
        "sh" | "bash" | "ash" => (String::new(), String::new(), 0),
        _ => (
            String::new(),
            format!("OCI runtime exec failed: exec failed: unable to start container process: exec: \"{name}\": executable file not found in $PATH: unknown\n"),
            127,
        ),
    }
}

/// Tools the playground's shell runs itself, in a container over the container's files.
const SHELL_TOOLS: &[&str] = &[
    "grep", "head", "tail", "wc", "sort", "uniq", "cut", "tr", "sed", "awk", "seq", "date",
    "printf", "test", "od",
];

async fn exec(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let reference = cmd.args.first().cloned().unwrap_or_default();
    let argv: Vec<String> = cmd.args.get(1..).unwrap_or_default().to_vec();
    let world = interp.world();
    if let Err(e) = world.borrow().find_container(m, &reference) {
        io.err.write(&format!("Error response from daemon: {e}\n"));
        return 1;
    }
    let id = match world.borrow().container_exec_check(m, &reference) {
        Ok(id) => id,
        Err(e) => return daemon_error(io, &e),
    };
    if cmd.bool("detach") {
        return 0;
    }
    let tty = cmd.bool("tty");
    let (distro, image_bash) = match world.borrow().container(m, &id) {
        Some(c) => (
            super::image_programs::distro_of(c),
            Catalog::get()
                .lookup_or_id(&c.config.image, &c.image_id)
                .is_some_and(|i| i.tools.iter().any(|t| t == "bash")),
        ),
        None => return 137,
    };
    // A shell the image does not have (bash in Alpine, any shell in a scratch image).
    let first = argv.first().map(String::as_str).unwrap_or("");
    let first = first.rsplit('/').next().unwrap_or(first);
    let lacks = match first {
        "bash" => !distro.has_bash() && !image_bash,
        "sh" => distro.sh().is_none(),
        "ash" => !distro.is_busybox(),
        _ => false,
    };
    if lacks {
        let (_, err, code) = super::image_programs::not_found(first);
        io.err.write(&err);
        return code;
    }
    if cmd.bool("interactive") && tty {
        if let Some(shell) = interactive_shell(&argv) {
            enter_shell(interp, m, &id, shell, false, cmd.value("workdir"));
            return 0;
        }
    }
    if cmd.bool("interactive")
        && argv
            .first()
            .is_some_and(|a| a.rsplit('/').next() == Some("psql"))
        && !argv.iter().any(|a| a == "-c" || a == "--command")
    {
        if let Some(status) = psql_prompt(interp, m, &id, &argv, io).await {
            return status;
        }
    }
    if cmd.bool("interactive") && tty {
        if let Some(status) = redis_prompt(interp, m, &id, &argv, io).await {
            return status;
        }
    }
    if argv.first().is_some_and(|a| a == "sleep") {
        let ms = argv
            .get(1)
            .and_then(|a| crate::util::parse_interval(a))
            .unwrap_or(0);
        interp.sleep(SimDuration::from_millis(ms)).await;
        return 0;
    }
    if let Some((shell, script)) = super::container_files::shell_script(&argv) {
        return super::container_files::exec_script(interp, m, &id, shell, &script, io).await;
    }
    // The text tools run as the container's shell runs them, over its files.
    if SHELL_TOOLS.contains(&first) && distro.has_tool(first) {
        let quoted: Vec<String> = argv.iter().map(|a| sh_quote(a)).collect();
        return super::container_files::exec_script(interp, m, &id, "sh", &quoted.join(" "), io)
            .await;
    }
    let (out, err, code) = run_in_container(interp, m, &id, &argv, true);
    if tty {
        io.out.write(&out.replace('\n', "\r\n"));
        io.out.write(&err.replace('\n', "\r\n"));
    } else {
        io.out.write(&out);
        io.err.write(&err);
    }
    code
}

/// `docker exec -it DB psql -U postgres`: psql's prompt over the server's tables, each
/// statement (up to its `;`) or backslash command run as `psql -c` runs it; `\q`, `exit` or
/// end of input leaves. `None` when the container is not a postgres one.
async fn psql_prompt(
    interp: &Interp,
    m: MachineId,
    id: &str,
    argv: &[String],
    io: &Io,
) -> Option<Status> {
    let world = interp.world();
    let run = |sql: &str| {
        let mut a = argv.to_vec();
        a.push("-c".into());
        a.push(sql.to_string());
        let w = world.borrow();
        let here = super::container_files::Here {
            m,
            id,
            busybox: false,
            cwd: "/".into(),
            tty: true,
        };
        super::container_files::psql(&w, &here, &a)
    };
    let (_, err, code) = run("select 1")?;
    if code != 0 {
        io.err.write(&err);
        return Some(code);
    }
    let version = {
        let w = world.borrow();
        let c = w.container(m, id)?;
        container_env(c)
            .iter()
            .find_map(|e| e.strip_prefix("PG_VERSION=").map(str::to_string))
            .unwrap_or_else(|| "15.13".into())
    };
    let db = super::container_files::PsqlArgs::parse(argv).db;
    let major = version.split(['.', '-']).next().unwrap_or("15").to_string();
    io.out.write(&format!(
        "psql ({major}.{})\nType \"help\" for help.\n\n",
        version.split('.').nth(1).unwrap_or("0")
    ));
    let mut pending = String::new();
    loop {
        let mark = if pending.is_empty() { '=' } else { '-' };
        io.out.write(&format!("{db}{mark}# "));
        let Some(line) = interp.read_line(io, true).await else {
            io.out.write("\n");
            return Some(0);
        };
        let line = line.trim();
        if pending.is_empty() {
            match line {
                "" => continue,
                "\\q" | "exit" | "quit" | "\\quit" => return Some(0),
                "help" => {
                    io.out.write("You are using psql, the command-line interface to PostgreSQL.\nType:  \\copyright for distribution terms\n       \\h for help with SQL commands\n       \\? for help with psql commands\n       \\g or terminate with semicolon to execute query\n       \\q to quit\n");
                    continue;
                }
                _ => {}
            }
        }
        if pending.is_empty() && line.starts_with('\\') {
            pending = line.to_string();
        } else {
            if !pending.is_empty() {
                pending.push(' ');
            }
            pending.push_str(line);
            if !pending.trim_end().ends_with(';') {
                continue;
            }
        }
        let sql = std::mem::take(&mut pending);
        if let Some((out, err, _)) = run(&sql) {
            io.out.write(&out);
            io.out.write(&err);
        }
    }
}

/// `docker exec -it CACHE redis-cli [-h HOST] [-p PORT]` (or `docker run -it … redis-cli -h
/// HOST`): redis-cli's prompt (`127.0.0.1:6379> `, `redis-master:6379> `), each typed line
/// one command answered as on a terminal; `exit`, `quit` or end of input leaves. A server it
/// cannot reach: the error, then the `not connected> ` prompt, trying again at each command.
/// `None` when the program is not redis-cli without a command, or the image has none.
pub(crate) async fn redis_prompt(
    interp: &Interp,
    m: MachineId,
    id: &str,
    argv: &[String],
    io: &Io,
) -> Option<Status> {
    let first = argv.first()?;
    if first.rsplit('/').next() != Some("redis-cli") {
        return None;
    }
    let args = super::container_files::RedisCliArgs::parse(argv, true);
    if !args.words.is_empty() {
        return None;
    }
    let world = interp.world();
    {
        let w = world.borrow();
        let image = &w.container(m, id)?.config.image;
        let repo = image.rsplit('/').next().unwrap_or(image);
        if !repo.starts_with("redis") {
            return None;
        }
    }
    let here = super::container_files::Here {
        m,
        id,
        busybox: false,
        cwd: "/data".into(),
        tty: true,
    };
    let request = |words: &[String]| {
        super::container_files::redis_cli_request(&mut world.borrow_mut(), &here, &args, words)
    };
    let mut connected = match request(&[]) {
        Some((_, err, 0)) => err.is_empty(),
        Some((_, err, _)) => {
            io.out.write(&err);
            false
        }
        None => false,
    };
    loop {
        let prompt = if connected {
            format!("{}:{}> ", args.host, args.port)
        } else {
            "not connected> ".to_string()
        };
        io.out.write(&prompt);
        let Some(line) = interp.read_line(io, true).await else {
            return Some(0);
        };
        let Some(words) = redis_split_args(&line) else {
            io.out.write("Invalid argument(s)\n");
            continue;
        };
        let Some(cmd) = words.first() else {
            continue;
        };
        if cmd.eq_ignore_ascii_case("exit") || cmd.eq_ignore_ascii_case("quit") {
            return Some(0);
        }
        match request(&words) {
            Some((out, err, code)) => {
                io.out.write(&out);
                io.out.write(&err);
                connected = code == 0;
            }
            None => return Some(0),
        }
    }
}

/// redis-cli's `sdssplitargs`: words split at blanks, `"…"` with backslash escapes and `'…'`
/// literal; `None` for unbalanced quotes.
fn redis_split_args(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            match c {
                '"' => {
                    chars.next();
                    loop {
                        match chars.next()? {
                            '"' => break,
                            '\\' => match chars.next()? {
                                'n' => word.push('\n'),
                                't' => word.push('\t'),
                                'r' => word.push('\r'),
                                o => word.push(o),
                            },
                            o => word.push(o),
                        }
                    }
                    if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                        return None;
                    }
                }
                '\'' => {
                    chars.next();
                    loop {
                        match chars.next()? {
                            '\'' => break,
                            o => word.push(o),
                        }
                    }
                    if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                        return None;
                    }
                }
                c if c.is_whitespace() => break,
                c => {
                    chars.next();
                    word.push(c);
                }
            }
        }
        out.push(word);
    }
}

// ------------------------------------------------------------------------------------------
// stats, top

fn stats(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let now = w.now();
    // Each container with docker/cli's `.Container`: the name as typed, else the short ID.
    let mut picked: Vec<&Container> = Vec::new();
    let mut typed: Vec<String> = Vec::new();
    if cmd.args.is_empty() {
        for c in w.containers(m).iter().rev() {
            if cmd.bool("all") || c.is_running() {
                picked.push(c);
                typed.push(format::text::truncate_id(&c.id).to_string());
            }
        }
    } else {
        let mut errors = Vec::new();
        for a in &cmd.args {
            match w.find_container(m, a) {
                Ok(c) => {
                    picked.push(c);
                    typed.push(a.clone());
                }
                Err(e) => errors.push(format!("Error response from daemon: {e}")),
            }
        }
        if !errors.is_empty() {
            io.err.write(&format!("{}\n", errors.join("\n")));
            return 1;
        }
    }
    let host = build::MEMORY_BYTES as f64;
    let rows: Vec<format::container::StatsRow> = picked
        .iter()
        .map(|c| {
            let running = c.is_running();
            let up_s = c.uptime_ms(now) / 1000;
            // The cgroup's limit (`--memory`, a task's `--limit-memory`), else the machine's.
            let limit = match c.config.memory {
                l if l > 0 => (l as f64).min(host),
                _ => host,
            };
            let mem = if running {
                (c.program.memory_bytes() as f64).min(limit)
            } else {
                0.0
            };
            let pids = if !running {
                0
            } else if c.program.argv().iter().any(|a| a.contains("nginx")) {
                1 + u64::from(build::CPUS)
            } else {
                1
            };
            format::container::StatsRow {
                id: c.id.clone(),
                name: c.name.clone(),
                cpu_percent: if running {
                    // The CFS quota caps it (`--cpus`, `--limit-cpu`).
                    match c.config.nano_cpus {
                        n if n > 0 => c.program.cpu_percent().min(n as f64 / 1e7),
                        _ => c.program.cpu_percent(),
                    }
                } else {
                    0.0
                },
                memory: mem,
                memory_limit: if running { limit } else { 0.0 },
                memory_percent: if running { mem / limit * 100.0 } else { 0.0 },
                net_rx: if running {
                    (866 + up_s * 42) as f64
                } else {
                    0.0
                },
                net_tx: if running {
                    (126 * (up_s / 600)) as f64
                } else {
                    0.0
                },
                block_read: 0.0,
                block_write: 0.0,
                pids,
                invalid: false,
            }
        })
        .collect();
    let no_trunc = cmd.bool("no-trunc");
    match cmd
        .value("format")
        .filter(|f| !f.is_empty() && *f != "table")
    {
        Some(f) => {
            let values: Vec<Value> = rows
                .iter()
                .zip(&typed)
                .map(|(r, container)| {
                    let c = r.cells(no_trunc);
                    json!({
                        "BlockIO": c.block_io,
                        "CPUPerc": c.cpu,
                        "Container": container,
                        "ID": c.id,
                        "MemPerc": c.mem_percent,
                        "MemUsage": c.mem_usage,
                        "Name": c.name,
                        "NetIO": c.net_io,
                        "PIDs": c.pids,
                    })
                })
                .collect();
            table_or_template_error(
                io,
                super::template::render_table(f, &values, "*container.statsContext", STATS_HEADER),
            )
        }
        None => {
            io.out
                .write(&format::container::stats_table(&rows, no_trunc));
            0
        }
    }
}

/// docker/cli's stats formatter's column titles.
const STATS_HEADER: &[(&str, &str)] = &[
    ("Container", "CONTAINER"),
    ("Name", "NAME"),
    ("ID", "CONTAINER ID"),
    ("CPUPerc", "CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("MemPerc", "MEM %"),
    ("NetIO", "NET I/O"),
    ("BlockIO", "BLOCK I/O"),
    ("PIDs", "PIDS"),
];

/// A `--format` table's output, or the template's error as docker/cli reports it.
fn table_or_template_error(
    io: &Io,
    result: Result<String, super::template::TemplateError>,
) -> Status {
    match result {
        Ok(out) => {
            io.out.write(&out);
            0
        }
        Err(e) => {
            let text = e.0.strip_prefix("template parsing error: ").unwrap_or(&e.0);
            let what = if e.1 { "parse" } else { "execute" };
            io.err
                .write(&format!("failed to {what} template: {text}\n"));
            1
        }
    }
}

/// `docker port CONTAINER [PRIVATE_PORT[/PROTO]]`, from the container's
/// `NetworkSettings.Ports` as docker/cli reads them (in natural order, as docker 28 prints them).
fn port(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let reference = cmd.args.first().cloned().unwrap_or_default();
    let world = interp.world();
    let w = world.borrow();
    let c = match w.find_container(m, &reference) {
        Ok(c) => c,
        Err(e) => return daemon_error(io, &e),
    };
    let json = container_json(&w, m, c);
    let ports = json["NetworkSettings"]["Ports"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let join = |f: &Value| {
        let ip = f["HostIp"].as_str().unwrap_or("");
        let port = f["HostPort"].as_str().unwrap_or("");
        if ip.contains(':') {
            format!("[{ip}]:{port}")
        } else {
            format!("{ip}:{port}")
        }
    };
    let mut out: Vec<String> = Vec::new();
    if let Some(want) = cmd.args.get(1) {
        let key = if want.contains('/') {
            want.clone()
        } else {
            format!("{want}/tcp")
        };
        match ports.get(&key).and_then(Value::as_array) {
            Some(fronts) => out.extend(fronts.iter().map(join)),
            None => {
                io.err.write(&format!(
                    "Error: No public port '{key}' published for {reference}\n"
                ));
                return 1;
            }
        }
    } else {
        for (from, fronts) in &ports {
            for f in fronts.as_array().into_iter().flatten() {
                out.push(format!("{from} -> {}", join(f)));
            }
        }
    }
    swarm_core::sort::sort_by(&mut out, |a, b| format::text::natural_cmp(a, b));
    io.out
        .write(&out.iter().map(|l| format!("{l}\n")).collect::<String>());
    0
}

/// The `ps -ef` row of a running container's process, as `docker top` shows it (UID, PID,
/// PPID, C, STIME, TTY, TIME, CMD).
/// The processes `ps -ef` on the machine shows for a running container, as `docker top`
/// lists them (UID, PID, PPID, C, STIME, TTY, TIME, CMD): the main process as the program
/// names itself once started (an image's `docker-entrypoint.sh` execs its command; nginx,
/// redis and postgres retitle themselves), and the processes it starts: one nginx worker per
/// CPU of the machine, postgres's background processes. Host PIDs: the main one is the
/// container's, the others follow it, skipping PIDs of the machine's other containers.
pub(crate) fn top_rows(w: &World, m: MachineId, c: &Container) -> Vec<Vec<String>> {
    let start = crate::model::unix_ms(c.started_at.unwrap_or_default()) / 1000;
    let hm = format::go_time_utc(start, 0);
    let stime = hm.get(11..16).unwrap_or("00:00").to_string();
    let mut argv = c.program.argv();
    // The official images' entrypoints end with `exec "$@"`.
    if argv.len() > 1
        && matches!(
            argv[0].as_str(),
            "docker-entrypoint.sh"
                | "/docker-entrypoint.sh"
                | "/usr/local/bin/docker-entrypoint.sh"
        )
    {
        argv.remove(0);
    }
    let program = argv
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        .unwrap_or_default();
    let alpine = c.config.image.contains("alpine");
    let mut procs: Vec<(String, bool, String)> = Vec::new(); // (uid, child, cmd)
    match program.as_str() {
        "nginx" => {
            procs.push((
                "root".into(),
                false,
                format!("nginx: master process {}", argv.join(" ")),
            ));
            for _ in 0..build::CPUS {
                procs.push(("101".into(), true, "nginx: worker process".into()));
            }
        }
        "redis-server" => {
            let port = argv
                .windows(2)
                .find(|p| p[0] == "--port")
                .map(|p| p[1].clone())
                .unwrap_or_else(|| "6379".into());
            procs.push(("999".into(), false, format!("redis-server *:{port}")));
        }
        "postgres" => {
            let uid = if alpine { "70" } else { "999" };
            procs.push((uid.into(), false, argv.join(" ")));
            for title in [
                "checkpointer",
                "background writer",
                "walwriter",
                "autovacuum launcher",
                "logical replication launcher",
            ] {
                procs.push((uid.into(), true, format!("postgres: {title}")));
            }
        }
        // A Python script run by its name: the kernel runs its `#!` interpreter.
        "flask" | "gunicorn" | "uvicorn" if !argv[0].contains('/') => {
            procs.push((
                "root".into(),
                false,
                format!("/usr/local/bin/python /usr/local/bin/{}", argv.join(" ")),
            ));
        }
        _ => procs.push(("root".into(), false, argv.join(" "))),
    }
    let mains: std::collections::BTreeSet<u32> = w
        .containers(m)
        .iter()
        .filter(|o| o.pid != 0)
        .map(|o| o.pid)
        .collect();
    // The main process's parent is its containerd-shim, started just before it.
    let shim = |pid: u32| {
        let mut p = pid.saturating_sub(1);
        while mains.contains(&p) && p > 1 {
            p -= 1;
        }
        p
    };
    let taken: std::collections::BTreeSet<u32> = mains
        .iter()
        .flat_map(|&p| [p, shim(p)])
        .filter(|&p| p != c.pid)
        .collect();
    let mut next = c.pid;
    procs
        .into_iter()
        .map(|(uid, child, cmd)| {
            let (pid, ppid) = if child {
                // The children start after the entrypoint's own helpers ran.
                next = next.max(c.pid + 40) + 1;
                while taken.contains(&next) {
                    next += 1;
                }
                (next, c.pid)
            } else {
                (c.pid, shim(c.pid))
            };
            vec![
                uid,
                pid.to_string(),
                ppid.to_string(),
                "0".to_string(),
                stime.clone(),
                "?".to_string(),
                "00:00:00".to_string(),
                cmd,
            ]
        })
        .collect()
}

fn top(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let reference = cmd.args.first().cloned().unwrap_or_default();
    let world = interp.world();
    let w = world.borrow();
    let c = match w.find_container(m, &reference) {
        Ok(c) => c,
        Err(e) => return daemon_error(io, &e),
    };
    if !c.is_running() {
        return daemon_error(io, &format!("container {} is not running", c.id));
    }
    let mut text = String::from("UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCMD\n");
    for row in top_rows(&w, m, c) {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    // docker/cli: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0).
    let config = format::tabwriter::Config {
        min_width: 20,
        padding: 3,
        pad_char: ' ',
    };
    io.out.write(&format::tabwriter::render_with(&text, config));
    0
}

// ------------------------------------------------------------------------------------------
// images, pull, rmi

/// `docker images --filter`, checked as the daemon checks them (`dangling`, `reference`,
/// `before`, `since`, `label`, `until`).
struct ImageFilters {
    dangling: Option<bool>,
    references: Vec<String>,
    /// Created strictly before / after these unix seconds.
    before: Option<i64>,
    since: Option<i64>,
    labels: Vec<String>,
}

fn image_filters(
    w: &World,
    m: MachineId,
    f: &BTreeMap<String, Vec<String>>,
) -> Result<ImageFilters, String> {
    const KEYS: &[&str] = &["dangling", "reference", "before", "since", "label", "until"];
    if let Some(k) = f.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("invalid filter '{k}'"));
    }
    let mut out = ImageFilters {
        dangling: None,
        references: f.get("reference").cloned().unwrap_or_default(),
        before: None,
        since: None,
        labels: f.get("label").cloned().unwrap_or_default(),
    };
    for v in f.get("dangling").into_iter().flatten() {
        out.dangling = Some(match v.to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(format!("invalid filter 'dangling={v}'")),
        });
    }
    let created_of = |r: &str| -> Result<i64, String> {
        w.find_image(m, r)
            .map(|i| i.created_unix)
            .ok_or_else(|| format!("No such image: {r}"))
    };
    for v in f.get("before").into_iter().flatten() {
        out.before = Some(created_of(v)?);
    }
    for v in f.get("since").into_iter().flatten() {
        out.since = Some(created_of(v)?);
    }
    for v in f.get("until").into_iter().flatten() {
        let Some(d) = super::swarm_cmd::parse_go_duration(v) else {
            return Err(format!(
                "failed to parse value as time or duration: \"{v}\""
            ));
        };
        let now = crate::model::unix_ms(w.now()) / 1000;
        let until = now - (d.as_millis() / 1000) as i64;
        out.before = Some(out.before.map_or(until + 1, |b| b.min(until + 1)));
    }
    Ok(out)
}

impl ImageFilters {
    fn matches(&self, i: &swarm_core::container::PulledImage) -> bool {
        let untagged = i.repository.is_empty() || i.repository == "<none>";
        if self.dangling.is_some_and(|d| d != untagged) {
            return false;
        }
        if self.before.is_some_and(|b| i.created_unix >= b)
            || self.since.is_some_and(|s| i.created_unix <= s)
        {
            return false;
        }
        // reference.FamiliarMatch: path.Match against `repo:tag`, or against `repo` alone.
        let path_match = crate::util::path_match;
        if !self.references.is_empty()
            && (untagged
                || !self
                    .references
                    .iter()
                    .any(|p| path_match(p, &i.reference()) || path_match(p, &i.repository)))
        {
            return false;
        }
        if !self.labels.is_empty() {
            let labels = Catalog::get()
                .lookup_or_id(&i.reference(), &i.id)
                .map(|c| c.labels.clone())
                .unwrap_or_default();
            let ok = self.labels.iter().all(|l| match l.split_once('=') {
                Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
                None => labels.contains_key(l.as_str()),
            });
            if !ok {
                return false;
            }
        }
        true
    }
}

fn images(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let now_ms = now_unix_ms(&w);
    let wanted = cmd.args.first().map(|a| {
        let (repo, tag) = match a.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r.to_string(), Some(t.to_string())),
            _ => (a.clone(), None),
        };
        (repo, tag)
    });
    let filters = match parse_filters(cmd).and_then(|f| image_filters(&w, m, &f)) {
        Ok(f) => f,
        Err(e) => {
            io.err.write(&format!("Error response from daemon: {e}\n"));
            return 1;
        }
    };
    let listed: Vec<&swarm_core::container::PulledImage> = w
        .images(m)
        .into_iter()
        .filter(|i| match &wanted {
            None => true,
            Some((repo, tag)) => &i.repository == repo && tag.as_ref().is_none_or(|t| &i.tag == t),
        })
        .filter(|i| filters.matches(i))
        .collect();
    let rows: Vec<format::container::ImageRow> = listed
        .iter()
        .map(|i| format::container::ImageRow {
            repository: i.repository.clone(),
            tag: i.tag.clone(),
            id: i.id.clone(),
            created_ago_ms: Some((now_ms - i.created_unix * 1000).max(0) as u64),
            size: i.size,
            digest: if i.digest.is_empty() {
                "<none>".to_string()
            } else {
                i.digest.clone()
            },
        })
        .collect();
    if cmd.bool("quiet") {
        io.out
            .write(&format::container::image_ids(&rows, cmd.bool("no-trunc")));
        return 0;
    }
    let no_trunc = cmd.bool("no-trunc");
    if let Some(f) = cmd
        .value("format")
        .filter(|f| !f.is_empty() && *f != "table")
    {
        // `formatter.ImageContext` (alphabetical, as `json` prints it); the list API does not
        // count containers or shared sizes, so those are `N/A` as in docker.
        // docker/cli's `needDigest`: the digest only when asked for.
        let digests = cmd.bool("digests") || f.contains("{{.Digest}}");
        let values: Vec<Value> = listed
            .iter()
            .zip(&rows)
            .map(|(i, r)| {
                json!({
                    "Containers": "N/A",
                    "CreatedAt": format::go_time_utc(i.created_unix, 0),
                    "CreatedSince": r.created_cell(),
                    "Digest": if digests { r.digest.as_str() } else { "<none>" },
                    "ID": r.id_cell(no_trunc),
                    "Repository": r.repository,
                    "SharedSize": "N/A",
                    "Size": r.size_cell(),
                    "Tag": r.tag,
                    "UniqueSize": "N/A",
                    "VirtualSize": format::units::human_size(i.size as f64),
                })
            })
            .collect();
        return super::template::write_table(
            io,
            f,
            &values,
            "formatter.ImageContext",
            IMAGES_HEADER,
        );
    }
    io.out.write(&format::container::image_table(
        &rows,
        no_trunc,
        cmd.bool("digests"),
    ));
    0
}

/// docker/cli's `formatter/image.go` headers.
const IMAGES_HEADER: &[(&str, &str)] = &[
    ("ID", "IMAGE ID"),
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("Digest", "DIGEST"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("Size", "SIZE"),
    ("Containers", "CONTAINERS"),
    ("VirtualSize", "SIZE"),
    ("SharedSize", "SHARED SIZE"),
    ("UniqueSize", "UNIQUE SIZE"),
];

async fn pull(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let reference = cmd.args.first().cloned().unwrap_or_default();
    if format::container::ImageRef::parse_normalized(&reference).is_none() {
        io.err.write("invalid reference format\n");
        return 1;
    }
    let quiet = cmd.bool("quiet");
    match pull_image(interp, m, &reference, &io.out, quiet, true).await {
        Ok(()) => {
            if quiet {
                io.out.write(&format!(
                    "{}\n",
                    format::container::ImageRef::parse_normalized(&reference)
                        .map(|r| {
                            let mut r = r;
                            if r.tag.is_none() && r.digest.is_none() {
                                r.tag = Some("latest".into());
                            }
                            r.full_string()
                        })
                        .unwrap_or(reference)
                ));
            }
            0
        }
        Err(e) => {
            let tagged = reference.contains('@')
                || reference
                    .rsplit_once(':')
                    .is_some_and(|(_, t)| !t.contains('/'));
            if !tagged && !quiet {
                io.out.write("Using default tag: latest\n");
            }
            daemon_error(io, &e)
        }
    }
}

/// `docker tag SOURCE TARGET`: another name for a local image.
fn tag(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let (Some(source), Some(target)) = (cmd.args.first(), cmd.args.get(1)) else {
        return 1;
    };
    for r in [source, target] {
        if let Some(e) = format::container::reference_error(r) {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    }
    let r = interp.world().borrow_mut().image_tag(m, source, target);
    match r {
        Ok(()) => 0,
        Err(e) => daemon_error(io, &e),
    }
}

fn rmi(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let force = cmd.bool("force");
    let mut errors = Vec::new();
    for a in &cmd.args {
        let r = world.borrow_mut().image_remove(m, a, force);
        match r {
            Ok(lines) => {
                for l in lines {
                    io.out.write(&format!("{l}\n"));
                }
            }
            Err(e) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if errors.is_empty() {
        0
    } else {
        io.err.write(&format!("{}\n", errors.join("\n")));
        1
    }
}

/// A health status's word, for other modules.
#[allow(dead_code)]
pub(crate) fn health_word(h: HealthStatus) -> &'static str {
    h.as_str()
}

/// A command typed in a shell inside a container (`docker exec -it C sh`).
pub(crate) async fn shell_command(
    interp: &Interp,
    c: &crate::exec::ContainerShell,
    argv: &[String],
    io: &Io,
) -> Status {
    let name = argv.first().map(String::as_str).unwrap_or("");
    // The level as it is now (its line count moves on as lines are typed).
    let c = &interp
        .session
        .borrow()
        .ctx()
        .container
        .clone()
        .unwrap_or_else(|| c.clone());
    let not_found = |io: &Io| {
        io.err.write(&c.not_found(name));
        127
    };
    match name {
        "cd" => {
            let target = argv.get(1).map(String::as_str).unwrap_or("/root");
            let cwd = interp.session.borrow().ctx().cwd.clone();
            let dir = swarm_core::fs::normalize(&swarm_core::fs::join(&cwd, target));
            let meta = interp
                .world()
                .borrow()
                .container_stat(c.machine, &c.id, &dir);
            let why = match meta {
                Ok(m) if m.is_dir() => None,
                Ok(_) => Some("Not a directory"),
                Err(_) => Some("No such file or directory"),
            };
            if let Some(why) = why {
                if c.dialect == swarm_core::distro::Shell::Bash {
                    io.err.write(&format!("bash: cd: {target}: {why}\n"));
                    return 1;
                }
                if c.dialect == swarm_core::distro::Shell::Dash {
                    io.err.write(&format!(
                        "sh: {}: cd: can't cd to {target}\n",
                        c.lines.max(1)
                    ));
                    return 2;
                }
                io.err
                    .write(&format!("sh: cd: can't cd to {target}: {why}\n"));
                return 2;
            }
            let mut s = interp.session.borrow_mut();
            s.ctx_mut().cwd = dir.clone();
            s.ctx_mut().vars.insert("PWD".into(), dir);
            0
        }
        "pwd" => {
            let cwd = interp.session.borrow().ctx().cwd.clone();
            io.out.write(&format!("{cwd}\n"));
            0
        }
        "docker" | "ssh" | "sim" => not_found(io),
        "type" if c.dialect != swarm_core::distro::Shell::Bash => {
            // ash's and dash's builtin: how each name would run.
            const SPECIAL: &[&str] = &[
                "break", ":", ".", "continue", "eval", "exec", "exit", "export", "readonly",
                "return", "set", "shift", "times", "trap", "unset",
            ];
            const BUILTIN: &[&str] = &[
                "cd", "echo", "pwd", "type", "test", "[", "true", "false", "printf", "read",
                "alias", "unalias", "kill", "wait", "getopts", "hash", "local", "command", "jobs",
                "fg", "bg", "umask", "ulimit", "let", "source",
            ];
            let (distro, image, installed) = program_context(interp, c.machine, &c.id);
            let mut code = 0;
            for n in &argv[1..] {
                let line = if SPECIAL.contains(&n.as_str()) {
                    format!("{n} is a special shell builtin\n")
                } else if BUILTIN.contains(&n.as_str()) {
                    format!("{n} is a shell builtin\n")
                } else if super::image_programs::has_program(image, &distro, &installed, n) {
                    format!(
                        "{n} is {}\n",
                        super::container_net::program_path(&distro, n)
                    )
                } else {
                    code = 127;
                    format!("{n}: not found\n")
                };
                io.out.write(&line);
            }
            code
        }
        "sleep" => {
            let ms = argv
                .get(1)
                .and_then(|a| crate::util::parse_interval(a))
                .unwrap_or(0);
            interp.sleep(SimDuration::from_millis(ms)).await;
            0
        }
        _ => {
            let (out, err, code) =
                run_in_container(interp, c.machine, &c.id, argv, is_terminal(&io.out));
            if code == 127 && err.starts_with("OCI runtime") {
                return not_found(io);
            }
            io.out.write(&out);
            io.err.write(&err);
            code
        }
    }
}
