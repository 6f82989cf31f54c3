//! `swarm.ServiceSpec` and `swarm.NodeSpec` from the JSON a client sends: the inverse of
//! [`crate::model::spec_json`], so a spec read with `GET /services/{id}` and sent back
//! unchanged is the same spec.

use std::collections::BTreeMap;

use serde_json::Value;
use swarm_core::service::{
    FailureAction, FileRef, HealthOverride, Mount, PortConfig, Resources, RestartCondition,
    UpdateConfig, UpdateOrder,
};
use swarm_core::{Mode, ServiceSpec};

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn strings(v: &Value, k: &str) -> Vec<String> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn map(v: &Value, k: &str) -> BTreeMap<String, String> {
    v.get(k)
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn u(v: &Value, k: &str) -> Option<u64> {
    v.get(k).and_then(Value::as_u64)
}

fn i(v: &Value, k: &str) -> i64 {
    v.get(k).and_then(Value::as_i64).unwrap_or(0)
}

/// Nanoseconds to milliseconds.
fn ms(v: &Value, k: &str) -> Option<u64> {
    v.get(k).and_then(Value::as_u64).map(|ns| ns / 1_000_000)
}

const NULL: Value = Value::Null;

fn obj<'a>(v: &'a Value, k: &str) -> &'a Value {
    v.get(k).unwrap_or(&NULL)
}

fn update_config(v: &Value) -> Result<Option<UpdateConfig>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let d = UpdateConfig::default();
    let failure_action = match s(v, "FailureAction").as_str() {
        "" => d.failure_action,
        f => FailureAction::parse(f).ok_or_else(|| format!("invalid FailureAction: {f}"))?,
    };
    let order = match s(v, "Order").as_str() {
        "" => d.order,
        o => UpdateOrder::parse(o).ok_or_else(|| format!("invalid Order: {o}"))?,
    };
    Ok(Some(UpdateConfig {
        parallelism: u(v, "Parallelism").unwrap_or(0),
        delay_ms: ms(v, "Delay").unwrap_or(0),
        failure_action,
        monitor_ms: ms(v, "Monitor").unwrap_or(d.monitor_ms),
        max_failure_ratio: v
            .get("MaxFailureRatio")
            .and_then(Value::as_f64)
            .unwrap_or(0.0),
        order,
    }))
}

fn file_refs(v: &Value, kind: &str) -> Vec<FileRef> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let file = obj(r, "File");
                    FileRef {
                        source: s(r, &format!("{kind}Name")),
                        id: s(r, &format!("{kind}ID")),
                        target: s(file, "Name"),
                        uid: s(file, "UID"),
                        gid: s(file, "GID"),
                        mode: file
                            .get("Mode")
                            .and_then(Value::as_u64)
                            .and_then(|m| u32::try_from(m).ok())
                            .unwrap_or(0),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A `ServiceSpec` from its JSON; `Err` is the daemon's 400 text.
pub(super) fn service_spec(v: &Value) -> Result<ServiceSpec, String> {
    if !v.is_object() {
        return Err("json: cannot unmarshal into Go value of type swarm.ServiceSpec".into());
    }
    let tt = obj(v, "TaskTemplate");
    let cs = obj(tt, "ContainerSpec");
    let image = s(cs, "Image");
    let mut spec = ServiceSpec::new(&s(v, "Name"), &image);
    spec.labels = map(v, "Labels");
    spec.container_labels = map(cs, "Labels");
    spec.command = strings(cs, "Command");
    spec.args = strings(cs, "Args");
    spec.hostname = s(cs, "Hostname");
    spec.env = strings(cs, "Env");
    spec.workdir = s(cs, "Dir");
    spec.user = s(cs, "User");
    spec.init = cs.get("Init").and_then(Value::as_bool);
    spec.stop_signal = s(cs, "StopSignal");
    spec.tty = cs.get("TTY").and_then(Value::as_bool).unwrap_or(false);
    spec.stop_grace_ms = ms(cs, "StopGracePeriod");
    if let Some(mounts) = cs.get("Mounts").and_then(Value::as_array) {
        spec.mounts = mounts
            .iter()
            .map(|m| Mount {
                kind: s(m, "Type"),
                source: s(m, "Source"),
                target: s(m, "Target"),
                read_only: m.get("ReadOnly").and_then(Value::as_bool).unwrap_or(false),
                labels: m
                    .get("VolumeOptions")
                    .and_then(|v| v.get("Labels"))
                    .and_then(Value::as_object)
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
    }
    if let Some(h) = cs.get("Healthcheck").filter(|h| h.is_object()) {
        spec.healthcheck = Some(HealthOverride {
            test: strings(h, "Test"),
            interval_ms: ms(h, "Interval").unwrap_or(0),
            timeout_ms: ms(h, "Timeout").unwrap_or(0),
            start_period_ms: ms(h, "StartPeriod").unwrap_or(0),
            start_interval_ms: ms(h, "StartInterval").unwrap_or(0),
            retries: u(h, "Retries").unwrap_or(0).min(u64::from(u32::MAX)) as u32,
        });
    }
    spec.secrets = file_refs(obj(cs, "Secrets"), "Secret");
    spec.configs = file_refs(obj(cs, "Configs"), "Config");
    let res = obj(tt, "Resources");
    let (lim, rsv) = (obj(res, "Limits"), obj(res, "Reservations"));
    spec.resources = Resources {
        reserve_nano_cpus: i(rsv, "NanoCPUs"),
        reserve_memory: i(rsv, "MemoryBytes"),
        limit_nano_cpus: i(lim, "NanoCPUs"),
        limit_memory: i(lim, "MemoryBytes"),
        limit_pids: i(lim, "Pids"),
        no_limits: !lim.is_object(),
        no_reservations: !rsv.is_object(),
    };
    let rp = obj(tt, "RestartPolicy");
    if rp.is_object() {
        spec.restart.condition = match s(rp, "Condition").as_str() {
            "" => None,
            c => Some(
                RestartCondition::parse(c)
                    .ok_or_else(|| format!("invalid RestartCondition: {c}"))?,
            ),
        };
        spec.restart.delay_ms = ms(rp, "Delay");
        spec.restart.max_attempts = u(rp, "MaxAttempts");
        spec.restart.window_ms = ms(rp, "Window");
    }
    let pl = obj(tt, "Placement");
    spec.constraints = strings(pl, "Constraints");
    spec.preferences = pl
        .get("Preferences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| s(obj(p, "Spread"), "SpreadDescriptor"))
                .collect()
        })
        .unwrap_or_default();
    spec.max_replicas_per_node = u(pl, "MaxReplicas").unwrap_or(0);
    spec.platforms = pl
        .get("Platforms")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| (s(p, "OS"), s(p, "Architecture")))
                .collect()
        })
        .unwrap_or_default();
    spec.networks = tt
        .get("Networks")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|n| s(n, "Target")).collect())
        .unwrap_or_default();
    for n in tt
        .get("Networks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let aliases: Vec<String> = n
            .get("Aliases")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        if !aliases.is_empty() {
            spec.network_aliases.insert(s(n, "Target"), aliases);
        }
    }
    spec.force_update = u(tt, "ForceUpdate").unwrap_or(0);
    let mode = obj(v, "Mode");
    spec.mode = if let Some(r) = mode.get("Replicated") {
        Mode::Replicated {
            replicas: u(r, "Replicas").unwrap_or(1),
        }
    } else if mode.get("Global").is_some() {
        Mode::Global
    } else if let Some(j) = mode.get("ReplicatedJob") {
        Mode::ReplicatedJob {
            max_concurrent: u(j, "MaxConcurrent").unwrap_or(1),
            total_completions: u(j, "TotalCompletions").unwrap_or(1),
        }
    } else if mode.get("GlobalJob").is_some() {
        Mode::GlobalJob
    } else {
        Mode::Replicated { replicas: 1 }
    };
    spec.update = update_config(obj(v, "UpdateConfig"))?;
    spec.rollback = update_config(obj(v, "RollbackConfig"))?;
    let ep = obj(v, "EndpointSpec");
    let mode = s(ep, "Mode");
    spec.endpoint_mode = if mode.is_empty() { "vip".into() } else { mode };
    spec.ports = ep
        .get("Ports")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| {
                    let proto = s(p, "Protocol");
                    let pm = s(p, "PublishMode");
                    PortConfig {
                        protocol: if proto.is_empty() {
                            "tcp".into()
                        } else {
                            proto
                        },
                        target: u(p, "TargetPort").unwrap_or(0).min(65535) as u16,
                        published: u(p, "PublishedPort").unwrap_or(0).min(65535) as u16,
                        mode: if pm.is_empty() { "ingress".into() } else { pm },
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(spec)
}

/// What a `NodeSpec` asks to change on a node that has `labels`, `role` and `availability`.
pub(super) fn node_change(
    v: &Value,
    node: &swarm_core::Node,
) -> Result<swarm_core::NodeChange, String> {
    let mut c = swarm_core::NodeChange::default();
    match s(v, "Availability").as_str() {
        "" => {}
        a => {
            let a = swarm_core::Availability::parse(a)
                .ok_or_else(|| format!("invalid Availability: {a}"))?;
            if a != node.availability {
                c.availability = Some(a);
            }
        }
    }
    match s(v, "Role").as_str() {
        "" => {}
        "manager" if node.role != swarm_core::Role::Manager => {
            c.role = Some(swarm_core::Role::Manager)
        }
        "worker" if node.role != swarm_core::Role::Worker => {
            c.role = Some(swarm_core::Role::Worker)
        }
        "manager" | "worker" => {}
        r => return Err(format!("invalid Role: {r}")),
    }
    let labels = map(v, "Labels");
    for (k, val) in &labels {
        if node.labels.get(k) != Some(val) {
            c.labels_add.push((k.clone(), val.clone()));
        }
    }
    for k in node.labels.keys() {
        if !labels.contains_key(k) {
            c.labels_rm.push(k.clone());
        }
    }
    Ok(c)
}
