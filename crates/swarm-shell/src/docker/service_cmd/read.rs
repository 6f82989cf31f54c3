//! `docker service ls`, `service ps`, `service inspect` and `docker node ps`: reads of the
//! leader's store.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use swarm_core::{MachineId, Mode, Service, ServiceSpec, Swarm, Task, TaskState, World};

use super::super::cli::Parsed;
use super::super::swarm_cmd::rfc3339;
use super::super::template;
use super::daemon_error;
use crate::exec::{Interp, Io};
use crate::format;
use crate::format::service::{
    service_inspect_pretty, service_table, strip_image_digest, task_ids, task_table, PortConfig,
    ServiceMode, ServicePretty, ServiceRow, TaskRow,
};

fn parse_filters(cmd: &Parsed) -> Vec<(String, String)> {
    cmd.values("filter")
        .into_iter()
        .filter_map(|f| f.split_once('='))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect()
}

fn by_key(filters: &[(String, String)]) -> BTreeMap<&str, Vec<&str>> {
    let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in filters {
        m.entry(k.as_str()).or_default().push(v.as_str());
    }
    m
}

fn ports_of(ports: &[swarm_core::PortConfig]) -> Vec<PortConfig> {
    ports
        .iter()
        .map(|p| PortConfig {
            protocol: p.protocol.clone(),
            target_port: u32::from(p.target),
            published_port: u32::from(p.published),
            publish_mode: p.mode.clone(),
        })
        .collect()
}

fn label_matches(labels: &BTreeMap<String, String>, v: &str) -> bool {
    match v.split_once('=') {
        Some((k, val)) => labels.get(k).is_some_and(|x| x == val),
        None => labels.contains_key(v),
    }
}

/// `ServiceStatus` as the daemon computes it: (running, desired, completed).
pub(crate) fn service_status(s: &Swarm, svc: &Service) -> (u64, u64, u64) {
    let tasks: Vec<&Task> = s.tasks_of(&svc.id).collect();
    let running = tasks
        .iter()
        .filter(|t| t.state == TaskState::Running)
        .count() as u64;
    let this_iteration = |t: &&&Task| t.job_iteration == svc.job_iteration;
    let completed = tasks
        .iter()
        .filter(this_iteration)
        .filter(|t| t.state == TaskState::Complete)
        .count() as u64;
    let desired = match &svc.spec.mode {
        Mode::Replicated { replicas } => *replicas,
        Mode::Global => tasks
            .iter()
            .filter(|t| t.desired == TaskState::Running)
            .count() as u64,
        Mode::ReplicatedJob {
            max_concurrent,
            total_completions,
        } => total_completions
            .saturating_sub(completed)
            .min(*max_concurrent),
        Mode::GlobalJob => tasks
            .iter()
            .filter(this_iteration)
            .filter(|t| t.desired == TaskState::Complete && t.state != TaskState::Complete)
            .count() as u64,
    };
    (running, desired, completed)
}

fn service_mode(m: &Mode) -> ServiceMode {
    match m {
        Mode::Replicated { .. } => ServiceMode::Replicated,
        Mode::Global => ServiceMode::Global,
        Mode::ReplicatedJob { .. } => ServiceMode::ReplicatedJob,
        Mode::GlobalJob => ServiceMode::GlobalJob,
    }
}

fn render_list(
    io: &Io,
    format: &str,
    rows: &[Value],
    type_name: &str,
    header: &[(&str, &str)],
) -> i32 {
    match template::render_table(format, rows, type_name, header) {
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

/// The daemon's check of `GET /services` filters; `Err` is its text.
pub(crate) fn check_service_filters(keys: &BTreeMap<&str, Vec<&str>>) -> Result<(), String> {
    for (k, vals) in keys {
        if !["id", "label", "mode", "name"].contains(k) {
            return Err(format!("invalid filter '{k}'"));
        }
        if *k == "mode" {
            for v in vals {
                if !["replicated", "global", "replicated-job", "global-job"].contains(v) {
                    return Err(format!("Invalid filter: 'mode'='{v}'"));
                }
            }
        }
    }
    Ok(())
}

/// Whether `svc` passes the `GET /services` filters (ID and name prefixes, labels, mode).
pub(crate) fn service_matches(svc: &Service, keys: &BTreeMap<&str, Vec<&str>>) -> bool {
    keys.iter().all(|(k, vals)| {
        vals.iter().any(|v| match *k {
            "id" => svc.id.starts_with(v),
            "name" => svc.spec.name.starts_with(v),
            "label" => label_matches(&svc.spec.labels, v),
            "mode" => {
                let mode = match svc.spec.mode {
                    Mode::Replicated { .. } => "replicated",
                    Mode::Global => "global",
                    Mode::ReplicatedJob { .. } => "replicated-job",
                    Mode::GlobalJob => "global-job",
                };
                mode == *v
            }
            _ => false,
        })
    })
}

/// `docker service ls`.
pub(crate) fn ls(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = match w.control_swarm(m) {
        Ok(x) => x,
        Err(e) => return daemon_error(io, &e),
    };
    let filters = parse_filters(cmd);
    let keys = by_key(&filters);
    if let Err(e) = check_service_filters(&keys) {
        return daemon_error(io, &e);
    }
    let mut rows = Vec::new();
    for svc in s.services.values() {
        if !service_matches(svc, &keys) {
            continue;
        }
        let (running, desired, completed) = service_status(s, svc);
        let total_completions = match svc.spec.mode {
            Mode::ReplicatedJob {
                total_completions, ..
            } => total_completions,
            _ => 0,
        };
        rows.push(ServiceRow {
            id: svc.id.clone(),
            name: svc.spec.name.clone(),
            mode: service_mode(&svc.spec.mode),
            running,
            desired,
            completed,
            total_completions,
            max_replicas: svc.spec.max_replicas_per_node,
            image: svc.spec.image.clone(),
            ports: ports_of(&svc.endpoint_ports),
        });
    }
    if cmd.bool("quiet") {
        io.out.write(&format::service::service_ids(&rows, false));
        return 0;
    }
    let f = cmd.value("format").unwrap_or("");
    if f.is_empty() || f == "table" {
        io.out.write(&service_table(&rows));
        return 0;
    }
    swarm_core::sort::sort_by(&mut rows, |a, b| format::natural_cmp(&a.name, &b.name));
    let values: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "ID": format::truncate_id(&r.id),
                "Image": strip_image_digest(&r.image),
                "Mode": r.mode.as_str(),
                "Name": r.name,
                "Ports": r.ports_cell(),
                "Replicas": r.replicas(),
            })
        })
        .collect();
    let header: &[(&str, &str)] = &[
        ("ID", "ID"),
        ("Name", "NAME"),
        ("Mode", "MODE"),
        ("Replicas", "REPLICAS"),
        ("Image", "IMAGE"),
        ("Ports", "PORTS"),
    ];
    render_list(io, f, &values, "*service.serviceContext", header)
}

/// The task-table row of `t`.
fn task_row(w: &World, s: &Swarm, t: &Task) -> TaskRow {
    let node = t
        .node_id
        .as_deref()
        .map(|n| s.node_name(n))
        .unwrap_or_default();
    let ports = ports_of(&t.port_status);
    TaskRow {
        id: t.id.clone(),
        name: t.name(),
        created_at: t.created_at.as_millis() as i64,
        image: t.spec.image.clone(),
        node,
        desired_state: t.desired.as_str().to_string(),
        state: t.state.as_str().to_string(),
        state_elapsed_ms: w.now().saturating_since(t.timestamp).as_millis(),
        error: t.err.clone(),
        ports,
    }
}

/// The task filters of the daemon (`newListTasksFilters`); `Err` is the daemon's text.
pub(crate) fn task_matches(s: &Swarm, t: &Task, keys: &BTreeMap<&str, Vec<String>>) -> bool {
    keys.iter().all(|(k, vals)| {
        vals.iter().any(|v| match *k {
            "id" => t.id.starts_with(v.as_str()),
            "name" => t.container_name().starts_with(v.as_str()),
            "node" => t.node_id.as_deref() == Some(v.as_str()),
            "service" => &t.service_id == v,
            "desired-state" => TaskState::from_name(v) == Some(t.desired),
            // Every task here runs a container (`naming.Runtime`).
            "runtime" => v == "container",
            "label" => label_matches(
                &s.services
                    .get(&t.service_id)
                    .map(|x| x.spec.container_labels.clone())
                    .unwrap_or_default(),
                v,
            ),
            _ => false,
        })
    })
}

/// The CLI's resolution of `node` filters (names, `self`) to IDs, then the daemon's checks
/// (`newListTasksFilters`): the keys, then the `desired-state` values (any task state, in
/// any case; an empty value is ignored). `Err` is the error's text.
fn task_filters(
    w: &World,
    s: &Swarm,
    m: MachineId,
    cmd: &Parsed,
) -> Result<BTreeMap<&'static str, Vec<String>>, String> {
    let mut pairs = parse_filters(cmd);
    for (_, v) in pairs.iter_mut().filter(|(k, _)| k == "node") {
        *v = if v == "self" {
            w.node_of(m).map(|(_, n)| n.id.clone()).unwrap_or_default()
        } else {
            s.find_node(v).map(|n| n.id.clone())?
        };
    }
    let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        let key: &'static str = match k.as_str() {
            "id" => "id",
            "name" => "name",
            "node" => "node",
            "desired-state" => "desired-state",
            "label" => "label",
            "service" => "service",
            "runtime" => "runtime",
            _ => return Err(format!("invalid filter '{k}'")),
        };
        out.entry(key).or_default().push(v);
    }
    if let Some(states) = out.get_mut("desired-state") {
        if let Some(bad) = states
            .iter()
            .find(|v| !v.is_empty() && TaskState::from_name(v).is_none())
        {
            return Err(format!("Invalid desired-state filter: '{bad}'"));
        }
        states.retain(|v| !v.is_empty());
        if states.is_empty() {
            out.remove("desired-state");
        }
    }
    Ok(out)
}

/// Prints tasks as `task.Print` does (default table, `-q`, or `--format`).
fn print_tasks(
    io: &Io,
    rows: Vec<TaskRow>,
    cmd: &Parsed,
    no_trunc: bool,
    quiet: bool,
) -> Result<(), i32> {
    if quiet {
        io.out.write(&task_ids(&rows, no_trunc));
        return Ok(());
    }
    let f = cmd.value("format").unwrap_or("");
    if f.is_empty() || f == "table" {
        io.out.write(&task_table(&rows, no_trunc));
        return Ok(());
    }
    let mut rows = rows;
    swarm_core::sort::sort_by(&mut rows, |a, b| {
        format::natural_cmp(&a.name, &b.name).then_with(|| b.created_at.cmp(&a.created_at))
    });
    let is_table = f.starts_with("table");
    let mut prev: Option<String> = None;
    let values: Vec<Value> = rows
        .iter()
        .map(|r| {
            let name = if is_table && prev.as_deref() == Some(r.name.as_str()) {
                format!(" \\_ {}", r.name)
            } else {
                r.name.clone()
            };
            prev = Some(r.name.clone());
            json!({
                "CurrentState": r.current_state(),
                "DesiredState": format::pretty_print(&r.desired_state),
                "Error": r.error_cell(no_trunc),
                "ID": if no_trunc { r.id.clone() } else { format::truncate_id(&r.id).to_string() },
                "Image": if no_trunc { r.image.clone() } else { strip_image_digest(&r.image) },
                "Name": name,
                "Node": r.node,
                "Ports": r.ports_cell(),
            })
        })
        .collect();
    let header: &[(&str, &str)] = &[
        ("ID", "ID"),
        ("Name", "NAME"),
        ("Image", "IMAGE"),
        ("Node", "NODE"),
        ("DesiredState", "DESIRED STATE"),
        ("CurrentState", "CURRENT STATE"),
        ("Error", "ERROR"),
        ("Ports", "PORTS"),
    ];
    match render_list(io, f, &values, "*task.taskContext", header) {
        0 => Ok(()),
        s => Err(s),
    }
}

/// `docker service ps SERVICE…`.
pub(crate) fn ps(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = match w.control_swarm(m) {
        Ok(x) => x,
        Err(e) => return daemon_error(io, &e),
    };
    // Match services by full ID, then full name, then ID prefix.
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut notfound: Vec<String> = Vec::new();
    let mut count = 0;
    for r in &cmd.args {
        if s.services.contains_key(r) {
            ids.insert(r.clone());
            count += 1;
            continue;
        }
        if let Some(svc) = s.services.values().find(|x| &x.spec.name == r) {
            ids.insert(svc.id.clone());
            count += 1;
            continue;
        }
        let mut found = false;
        for svc in s.services.values().filter(|x| x.id.starts_with(r.as_str())) {
            if found {
                io.err.write(&format!(
                    "multiple services found with provided prefix: {r}\n"
                ));
                return 1;
            }
            ids.insert(svc.id.clone());
            count += 1;
            found = true;
        }
        if !found {
            notfound.push(format!("no such service: {r}"));
        }
    }
    if count == 0 {
        io.err.write(&format!("{}\n", notfound.join("\n")));
        return 1;
    }
    let filters = match task_filters(&w, s, m, cmd) {
        Ok(f) => f,
        Err(e) => return daemon_error(io, &e),
    };
    let rows: Vec<TaskRow> = s
        .tasks
        .values()
        .filter(|t| ids.contains(&t.service_id))
        .filter(|t| task_matches(s, t, &filters))
        .map(|t| task_row(&w, s, t))
        .collect();
    // docker/cli's `service ps` sets `noTrunc` with `-q` (its conformance test with the
    // real CLI shows full IDs); `node ps -q` does not.
    let quiet = cmd.bool("quiet");
    let no_trunc = cmd.bool("no-trunc") || quiet;
    if let Err(status) = print_tasks(io, rows, cmd, no_trunc, quiet) {
        return status;
    }
    if notfound.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", notfound.join("\n")));
    1
}

/// `docker node ps [NODE…]` (default `self`): the tasks on the nodes.
pub(crate) fn node_ps(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = match w.control_swarm(m) {
        Ok(x) => x,
        Err(e) => return daemon_error(io, &e),
    };
    let refs: Vec<String> = if cmd.args.is_empty() {
        vec!["self".into()]
    } else {
        cmd.args.clone()
    };
    let mut errs: Vec<String> = Vec::new();
    let mut rows: Vec<TaskRow> = Vec::new();
    // The CLI lists each node's tasks with its own request: a bad filter fails each.
    let filters = task_filters(&w, s, m, cmd);
    for r in &refs {
        let id = if r == "self" {
            match w.node_of(m) {
                Some((_, n)) => n.id.clone(),
                None => {
                    errs.push("Error response from daemon: node self not found".into());
                    continue;
                }
            }
        } else {
            match s.find_node(r) {
                Ok(n) => n.id.clone(),
                Err(e) => {
                    errs.push(format!("Error response from daemon: {e}"));
                    continue;
                }
            }
        };
        let filters = match &filters {
            Ok(f) => f,
            Err(e) => {
                errs.push(format!("Error response from daemon: {e}"));
                continue;
            }
        };
        rows.extend(
            s.tasks
                .values()
                .filter(|t| t.node_id.as_deref() == Some(id.as_str()))
                .filter(|t| task_matches(s, t, filters))
                .map(|t| task_row(&w, s, t)),
        );
    }
    if errs.is_empty() || !rows.is_empty() {
        if let Err(status) = print_tasks(io, rows, cmd, cmd.bool("no-trunc"), cmd.bool("quiet")) {
            return status;
        }
    }
    if errs.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errs.join("\n")));
    1
}

// ---------------------------------------------------------------------------------------
// docker service inspect

fn nanos(ms: u64) -> u64 {
    ms.saturating_mul(1_000_000)
}

fn update_config_json(c: &swarm_core::UpdateConfig) -> Value {
    let mut o = Map::new();
    o.insert("Parallelism".into(), json!(c.parallelism));
    if c.delay_ms > 0 {
        o.insert("Delay".into(), json!(nanos(c.delay_ms)));
    }
    o.insert("FailureAction".into(), json!(c.failure_action.as_str()));
    if c.monitor_ms > 0 {
        o.insert("Monitor".into(), json!(nanos(c.monitor_ms)));
    }
    o.insert(
        "MaxFailureRatio".into(),
        go_float32_json(c.max_failure_ratio as f32),
    );
    o.insert("Order".into(), json!(c.order.as_str()));
    Value::Object(o)
}

/// A `float32` as Go's encoding/json writes it: `0`, `0.1`, `0.25`.
fn go_float32_json(v: f32) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return json!(v as i64);
    }
    let text = format::service::go_float32(v);
    text.parse::<f64>().map(|f| json!(f)).unwrap_or(json!(0))
}

pub(crate) fn port_json(p: &swarm_core::PortConfig) -> Value {
    let mut o = Map::new();
    o.insert("Protocol".into(), json!(p.protocol));
    o.insert("TargetPort".into(), json!(p.target));
    if p.published > 0 {
        o.insert("PublishedPort".into(), json!(p.published));
    }
    o.insert("PublishMode".into(), json!(p.mode));
    Value::Object(o)
}

/// `swarm.ServiceSpec` as the Engine API marshals it; `defaults` inserts what the daemon
/// fills in (`InsertDefaults`, as `service inspect` asks).
pub(crate) fn spec_json(spec: &ServiceSpec, defaults: bool, s: &Swarm) -> Value {
    use swarm_core::service::defaults as d;
    let mut cs = Map::new();
    cs.insert("Image".into(), json!(spec.image));
    if !spec.container_labels.is_empty() {
        cs.insert("Labels".into(), json!(spec.container_labels));
    }
    if !spec.command.is_empty() {
        cs.insert("Command".into(), json!(spec.command));
    }
    if !spec.args.is_empty() {
        cs.insert("Args".into(), json!(spec.args));
    }
    if !spec.hostname.is_empty() {
        cs.insert("Hostname".into(), json!(spec.hostname));
    }
    if !spec.env.is_empty() {
        cs.insert("Env".into(), json!(spec.env));
    }
    if !spec.workdir.is_empty() {
        cs.insert("Dir".into(), json!(spec.workdir));
    }
    if !spec.user.is_empty() {
        cs.insert("User".into(), json!(spec.user));
    }
    if let Some(i) = spec.init {
        cs.insert("Init".into(), json!(i));
    }
    if !spec.stop_signal.is_empty() {
        cs.insert("StopSignal".into(), json!(spec.stop_signal));
    }
    if spec.tty {
        cs.insert("TTY".into(), json!(true));
    }
    if !spec.mounts.is_empty() {
        let mounts: Vec<Value> = spec
            .mounts
            .iter()
            .map(|m| {
                let mut o = Map::new();
                o.insert("Type".into(), json!(m.kind));
                if !m.source.is_empty() {
                    o.insert("Source".into(), json!(m.source));
                }
                o.insert("Target".into(), json!(m.target));
                if m.read_only {
                    o.insert("ReadOnly".into(), json!(true));
                }
                if !m.labels.is_empty() {
                    o.insert("VolumeOptions".into(), json!({ "Labels": m.labels }));
                }
                Value::Object(o)
            })
            .collect();
        cs.insert("Mounts".into(), Value::Array(mounts));
    }
    match spec.stop_grace_ms {
        Some(g) => {
            cs.insert("StopGracePeriod".into(), json!(nanos(g)));
        }
        None if defaults => {
            cs.insert("StopGracePeriod".into(), json!(nanos(d::STOP_GRACE_MS)));
        }
        None => {}
    }
    if let Some(h) = &spec.healthcheck {
        let mut o = Map::new();
        if !h.test.is_empty() {
            o.insert("Test".into(), json!(h.test));
        }
        if h.interval_ms > 0 {
            o.insert("Interval".into(), json!(nanos(h.interval_ms)));
        }
        if h.timeout_ms > 0 {
            o.insert("Timeout".into(), json!(nanos(h.timeout_ms)));
        }
        if h.start_period_ms > 0 {
            o.insert("StartPeriod".into(), json!(nanos(h.start_period_ms)));
        }
        if h.start_interval_ms > 0 {
            o.insert("StartInterval".into(), json!(nanos(h.start_interval_ms)));
        }
        if h.retries > 0 {
            o.insert("Retries".into(), json!(h.retries));
        }
        cs.insert("Healthcheck".into(), Value::Object(o));
    }
    cs.insert("DNSConfig".into(), json!({}));
    let refs = |v: &[swarm_core::service::FileRef], kind: &str| -> Value {
        Value::Array(
            v.iter()
                .map(|r| {
                    json!({
                        "File": {"Name": r.target, "UID": r.uid, "GID": r.gid, "Mode": r.mode},
                        format!("{kind}ID"): r.id,
                        format!("{kind}Name"): r.source,
                    })
                })
                .collect(),
        )
    };
    if !spec.secrets.is_empty() {
        cs.insert("Secrets".into(), refs(&spec.secrets, "Secret"));
    }
    if !spec.configs.is_empty() {
        cs.insert("Configs".into(), refs(&spec.configs, "Config"));
    }
    cs.insert("Isolation".into(), json!("default"));

    let mut tt = Map::new();
    tt.insert("ContainerSpec".into(), Value::Object(cs));
    let r = &spec.resources;
    let mut limits = Map::new();
    if r.limit_nano_cpus != 0 {
        limits.insert("NanoCPUs".into(), json!(r.limit_nano_cpus));
    }
    if r.limit_memory != 0 {
        limits.insert("MemoryBytes".into(), json!(r.limit_memory));
    }
    if r.limit_pids != 0 {
        limits.insert("Pids".into(), json!(r.limit_pids));
    }
    let mut res = Map::new();
    if r.reserve_nano_cpus != 0 {
        res.insert("NanoCPUs".into(), json!(r.reserve_nano_cpus));
    }
    if r.reserve_memory != 0 {
        res.insert("MemoryBytes".into(), json!(r.reserve_memory));
    }
    let mut resources = Map::new();
    if !r.no_limits {
        resources.insert("Limits".into(), Value::Object(limits));
    }
    if !r.no_reservations {
        resources.insert("Reservations".into(), Value::Object(res));
    }
    tt.insert("Resources".into(), Value::Object(resources));
    let rp = &spec.restart;
    let restart_set = rp.condition.is_some()
        || rp.delay_ms.is_some()
        || rp.max_attempts.is_some()
        || rp.window_ms.is_some();
    if restart_set || defaults {
        let mut o = Map::new();
        o.insert("Condition".into(), json!(rp.condition().as_str()));
        o.insert("Delay".into(), json!(nanos(rp.delay_ms())));
        o.insert("MaxAttempts".into(), json!(rp.max_attempts.unwrap_or(0)));
        if let Some(wnd) = rp.window_ms.filter(|w| *w > 0) {
            o.insert("Window".into(), json!(nanos(wnd)));
        }
        tt.insert("RestartPolicy".into(), Value::Object(o));
    }
    let mut pl = Map::new();
    if !spec.constraints.is_empty() {
        pl.insert("Constraints".into(), json!(spec.constraints));
    }
    if !spec.preferences.is_empty() {
        let prefs: Vec<Value> = spec
            .preferences
            .iter()
            .map(|p| json!({"Spread": {"SpreadDescriptor": p}}))
            .collect();
        pl.insert("Preferences".into(), Value::Array(prefs));
    }
    if spec.max_replicas_per_node > 0 {
        pl.insert("MaxReplicas".into(), json!(spec.max_replicas_per_node));
    }
    if !spec.platforms.is_empty() {
        let p: Vec<Value> = spec
            .platforms
            .iter()
            .map(|(os, arch)| json!({"Architecture": arch, "OS": os}))
            .collect();
        pl.insert("Platforms".into(), Value::Array(p));
    }
    tt.insert("Placement".into(), Value::Object(pl));
    if !spec.networks.is_empty() {
        let n: Vec<Value> = spec
            .networks
            .iter()
            .map(|n| {
                // The daemon stores the network's ID (populateNetworkID) whatever the client
                // named it by.
                let id = s.find_network(n).map_or(n.as_str(), |x| x.id.as_str());
                match spec.network_aliases.get(n) {
                    Some(a) => json!({"Target": id, "Aliases": a}),
                    None => json!({"Target": id}),
                }
            })
            .collect();
        tt.insert("Networks".into(), Value::Array(n));
    }
    tt.insert("ForceUpdate".into(), json!(spec.force_update));
    tt.insert("Runtime".into(), json!("container"));

    let mode = match &spec.mode {
        Mode::Replicated { replicas } => json!({"Replicated": {"Replicas": replicas}}),
        Mode::Global => json!({"Global": {}}),
        Mode::ReplicatedJob {
            max_concurrent,
            total_completions,
        } => {
            json!({"ReplicatedJob": {"MaxConcurrent": max_concurrent, "TotalCompletions": total_completions}})
        }
        Mode::GlobalJob => json!({"GlobalJob": {}}),
    };
    let mut o = Map::new();
    o.insert("Name".into(), json!(spec.name));
    o.insert("Labels".into(), json!(spec.labels));
    o.insert("TaskTemplate".into(), Value::Object(tt));
    o.insert("Mode".into(), mode);
    let upd = spec
        .update
        .clone()
        .or_else(|| defaults.then(Default::default));
    if let Some(u) = upd {
        o.insert("UpdateConfig".into(), update_config_json(&u));
    }
    let rb = spec
        .rollback
        .clone()
        .or_else(|| defaults.then(Default::default));
    if let Some(u) = rb {
        o.insert("RollbackConfig".into(), update_config_json(&u));
    }
    let mut ep = Map::new();
    ep.insert("Mode".into(), json!(spec.endpoint_mode));
    if !spec.ports.is_empty() {
        ep.insert(
            "Ports".into(),
            Value::Array(spec.ports.iter().map(port_json).collect()),
        );
    }
    o.insert("EndpointSpec".into(), Value::Object(ep));
    Value::Object(o)
}

/// `swarm.Endpoint`: empty until the allocator has attached the service to a network (one it
/// names, or ingress for its published ports); then the endpoint spec, the published ports and
/// one virtual IP per network (vip mode), the address DNS gives for the service name.
fn endpoint_json(svc: &Service) -> Value {
    let mut o = Map::new();
    if svc.spec.networks.is_empty() && svc.endpoint_ports.is_empty() {
        o.insert("Spec".into(), json!({}));
        return Value::Object(o);
    }
    let mut spec = Map::new();
    if !svc.spec.endpoint_mode.is_empty() {
        spec.insert("Mode".into(), json!(svc.spec.endpoint_mode));
    }
    if !svc.spec.ports.is_empty() {
        let ports = svc.spec.ports.iter().map(port_json).collect();
        spec.insert("Ports".into(), Value::Array(ports));
    }
    o.insert("Spec".into(), Value::Object(spec));
    if !svc.endpoint_ports.is_empty() {
        let ports = svc.endpoint_ports.iter().map(port_json).collect();
        o.insert("Ports".into(), Value::Array(ports));
    }
    if !svc.virtual_ips.is_empty() {
        let vips = svc
            .virtual_ips
            .iter()
            .map(|v| json!({"NetworkID": v.network_id, "Addr": format!("{}/{}", v.addr, v.prefix)}))
            .collect();
        o.insert("VirtualIPs".into(), Value::Array(vips));
    }
    Value::Object(o)
}

/// `swarm.Service` as `GET /services/{id}?insertDefaults=true` returns it.
pub(crate) fn service_json(svc: &Service, s: &Swarm) -> Value {
    let mut o = Map::new();
    o.insert("ID".into(), json!(svc.id));
    o.insert("Version".into(), json!({"Index": svc.version}));
    o.insert(
        "CreatedAt".into(),
        json!(rfc3339(svc.created_at.as_millis())),
    );
    o.insert(
        "UpdatedAt".into(),
        json!(rfc3339(svc.updated_at.as_millis())),
    );
    o.insert("Spec".into(), spec_json(&svc.spec, true, s));
    if let Some(p) = &svc.previous_spec {
        o.insert("PreviousSpec".into(), spec_json(p, false, s));
    }
    o.insert("Endpoint".into(), endpoint_json(svc));
    if let Some(u) = &svc.update_status {
        let mut us = Map::new();
        us.insert("State".into(), json!(u.state.as_str()));
        us.insert("StartedAt".into(), json!(rfc3339(u.started_at.as_millis())));
        if let Some(c) = u.completed_at {
            us.insert("CompletedAt".into(), json!(rfc3339(c.as_millis())));
        }
        if !u.message.is_empty() {
            us.insert("Message".into(), json!(u.message));
        }
        o.insert("UpdateStatus".into(), Value::Object(us));
    }
    if svc.spec.mode.is_job() {
        o.insert(
            "JobStatus".into(),
            json!({"JobIteration": {"Index": svc.job_iteration}, "LastExecution": rfc3339(svc.updated_at.as_millis())}),
        );
    }
    Value::Object(o)
}

fn pretty(w: &World, svc: &Service) -> ServicePretty {
    use format::service::{
        FileRefPretty, HealthcheckPretty, MountPretty, PrettyMode, ResourcesPretty,
        UpdateConfigPretty, UpdateStatusPretty,
    };
    let spec = &svc.spec;
    let now = w.now();
    let uc = |c: &swarm_core::UpdateConfig| UpdateConfigPretty {
        parallelism: c.parallelism,
        delay_ns: nanos(c.delay_ms) as i64,
        failure_action: c.failure_action.as_str().into(),
        monitor_ns: nanos(c.monitor_ms) as i64,
        max_failure_ratio: c.max_failure_ratio as f32,
        order: c.order.as_str().into(),
    };
    ServicePretty {
        id: svc.id.clone(),
        name: spec.name.clone(),
        labels: spec.labels.clone(),
        mode: match spec.mode {
            Mode::Replicated { replicas } => PrettyMode::Replicated(Some(replicas)),
            Mode::Global => PrettyMode::Global,
            Mode::ReplicatedJob { .. } => PrettyMode::ReplicatedJob,
            Mode::GlobalJob => PrettyMode::GlobalJob,
        },
        update_status: svc.update_status.as_ref().map(|u| UpdateStatusPretty {
            state: u.state.as_str().into(),
            started_ago_ms: Some(now.saturating_since(u.started_at).as_millis()),
            completed_ago_ms: u.completed_at.map(|c| now.saturating_since(c).as_millis()),
            message: u.message.clone(),
        }),
        constraints: spec.constraints.clone(),
        preferences: spec
            .preferences
            .iter()
            .map(|p| format!("spread={p}"))
            .collect(),
        max_replicas: spec.max_replicas_per_node,
        update_config: Some(uc(&spec.update_config())),
        rollback_config: Some(uc(&spec.rollback_config())),
        image: spec.image.clone(),
        args: spec.args.clone(),
        env: spec.env.clone(),
        dir: spec.workdir.clone(),
        init: spec.init,
        user: spec.user.clone(),
        mounts: spec
            .mounts
            .iter()
            .map(|m| MountPretty {
                target: m.target.clone(),
                source: m.source.clone(),
                read_only: m.read_only,
                kind: m.kind.clone(),
            })
            .collect(),
        configs: spec
            .configs
            .iter()
            .map(|c| FileRefPretty {
                target: c.target.clone(),
                source: c.source.clone(),
            })
            .collect(),
        secrets: spec
            .secrets
            .iter()
            .map(|c| FileRefPretty {
                target: c.target.clone(),
                source: c.source.clone(),
            })
            .collect(),
        resources: Some(ResourcesPretty {
            reservation_nano_cpus: spec.resources.reserve_nano_cpus,
            reservation_memory: spec.resources.reserve_memory,
            limit_nano_cpus: spec.resources.limit_nano_cpus,
            limit_memory: spec.resources.limit_memory,
            limit_pids: spec.resources.limit_pids,
        }),
        networks: spec.networks.clone(),
        endpoint_mode: spec.endpoint_mode.clone(),
        ports: ports_of(&svc.endpoint_ports),
        healthcheck: spec.healthcheck.as_ref().map(|h| HealthcheckPretty {
            interval_ns: nanos(h.interval_ms) as i64,
            retries: i64::from(h.retries),
            start_period_ns: nanos(h.start_period_ms) as i64,
            timeout_ns: nanos(h.timeout_ms) as i64,
            test: h.test.clone(),
        }),
        ..ServicePretty::default()
    }
}

/// `docker service inspect [--pretty] [--format F] SERVICE…`.
pub(crate) fn inspect(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let format = cmd.value("format").unwrap_or("");
    if cmd.bool("pretty") && !format.is_empty() {
        io.err
            .write("--format is incompatible with human friendly format\n");
        return 1;
    }
    let pretty_mode = cmd.bool("pretty") || format == "pretty";
    if !pretty_mode && format.starts_with("pretty") {
        io.err
            .write("Cannot supply extra formatting options to the pretty template\n");
        return 1;
    }
    // The CLI returns the inspector's error, a template that does not parse too, with exit
    // status 1.
    if !pretty_mode {
        if let Some(status) = template::check_format(io, format, 1) {
            return status;
        }
    }
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = match w.control_swarm(m) {
        Ok(x) => x,
        Err(e) => return daemon_error(io, &e),
    };
    let found: Vec<Result<&Service, String>> = cmd
        .args
        .iter()
        .map(|r| match s.find_service(r) {
            Ok(svc) => Ok(svc),
            Err(e) if e.ends_with(" not found") => Err(format!("Error: no such service: {r}")),
            Err(e) => Err(format!("Error response from daemon: {e}")),
        })
        .collect();
    if pretty_mode {
        // The pretty formatter stops at the first error and prints nothing else.
        if let Some(Err(e)) = found.iter().find(|f| f.is_err()) {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
        let mut out = String::new();
        for svc in found.iter().flatten() {
            out.push_str(&service_inspect_pretty(&pretty(&w, svc)));
        }
        io.out.write(&out);
        return 0;
    }
    // `docker service inspect` hands the template inspector no raw JSON: no second pass.
    let refs: Vec<template::Lookup> = found
        .into_iter()
        .map(|f| f.map(|svc| (service_json(svc, s), "swarm.Service", false)))
        .collect();
    template::write_inspect(io, format, refs, 1)
}
