//! The Engine API's JSON model: one set of builders for what our own `inspect` commands
//! print and what `swarmsh serve` answers, so the two can never drift.
//!
//! The builders of the store objects live next to the commands that first needed them and are
//! re-exported here (`node_json`, `service_json`/`spec_json`, `container_json`,
//! `object_json` for secrets and configs, `version_value`); the ones only the API needs
//! (`task_json`, `info_json`, `swarm_json`) live here.
//!
//! **Time.** Every absolute time the shell shows goes through [`unix_ms`]: the simulated
//! instant plus the world's epoch ([`swarm_core::time::EPOCH_UNIX_MS`]) plus a *time shift*,
//! zero everywhere except under `swarmsh serve`. A real docker CLI computes "5 seconds ago"
//! against its own wall clock, so the server shifts simulated time onto the wall clock (see
//! `api::server`); our terminal prints ages from the simulated clock, which do not depend on
//! the shift, and absolute times through the same shift, so both views print the same text.
//! The shift is per thread: the server's world runs on one thread, and tests that run in
//! parallel never see each other's shift.

// The Engine API (native only) is the main user of what is here; the page uses a part.
#![cfg_attr(target_arch = "wasm32", allow(dead_code, unused_imports))]

use std::cell::Cell;

use serde_json::{json, Map, Value};
use swarm_core::machine::build;
use swarm_core::{Machine, SimTime, Swarm, Task, World};

pub(crate) use crate::docker::container_cmd::container_json;
pub(crate) use crate::docker::objects_cmd::object_json;
pub(crate) use crate::docker::service_cmd::{service_json, service_status, spec_json};
pub(crate) use crate::docker::swarm_cmd::node_json;
pub(crate) use crate::docker::system::version_value;

thread_local! {
    static TIME_SHIFT_MS: Cell<i64> = const { Cell::new(0) };
}

/// Sets the shift (milliseconds) added to every absolute time this thread shows.
pub fn set_time_shift(ms: i64) {
    TIME_SHIFT_MS.with(|c| c.set(ms));
}

/// The shift added to every absolute time this thread shows (0 unless serving).
pub fn time_shift() -> i64 {
    TIME_SHIFT_MS.with(|c| c.get())
}

/// Unix milliseconds of a simulated instant, as the shell shows it.
pub(crate) fn unix_ms(t: SimTime) -> i64 {
    t.unix_ms().saturating_add(time_shift())
}

/// Go's `time.Time.String()` of a simulated instant (UTC).
pub(crate) fn go_time(t: SimTime) -> String {
    let u = unix_ms(t);
    crate::format::go_time_utc(u.div_euclid(1000), (u.rem_euclid(1000) * 1_000_000) as u32)
}

/// An RFC 3339 timestamp with nanoseconds, as the Engine API writes times, of the simulated
/// instant `ms`.
pub(crate) fn rfc3339(ms: u64) -> String {
    let epoch_s = i128::from(swarm_core::time::EPOCH_UNIX_MS / 1000);
    let total =
        (epoch_s + i128::from(ms / 1000)) * 1000 + i128::from(ms % 1000) + i128::from(time_shift());
    let secs = i64::try_from(total.div_euclid(1000)).unwrap_or(i64::MAX);
    let nanos = (total.rem_euclid(1000) * 1_000_000) as u32;
    let t = crate::format::go_time_utc(secs, nanos);
    // `2026-11-23 09:00:05.25 +0000 UTC` → `2026-11-23T09:00:05.25Z`.
    let t = t.trim_end_matches(" +0000 UTC");
    format!("{}Z", t.replacen(' ', "T", 1))
}

/// Go's `RFC3339NanoFixed` (nine fraction digits), as the daemon stamps log lines.
pub(crate) fn rfc3339_fixed(ms: u64) -> String {
    let t = rfc3339(ms);
    let t = t.trim_end_matches('Z');
    let (secs, frac) = t.split_once('.').unwrap_or((t, ""));
    format!("{secs}.{frac:0<9}Z")
}

/// The task a reference names, as `GET /tasks/{id}` finds it: its ID or a prefix of one task's
/// ID; the daemon's error (`task x not found`) otherwise.
pub(crate) fn find_task<'a>(s: &'a Swarm, r: &str) -> Result<&'a Task, String> {
    let found: Vec<&Task> = s
        .tasks
        .values()
        .filter(|t| t.id == r || (!r.is_empty() && t.id.starts_with(r)))
        .collect();
    match found.as_slice() {
        [t] => Ok(t),
        _ => Err(format!("task {r} not found")),
    }
}

/// `swarm.Task` as `GET /tasks` returns it.
pub(crate) fn task_json(t: &Task, s: &swarm_core::Swarm) -> Value {
    let spec = spec_json(&t.spec, false, s);
    let mut o = Map::new();
    o.insert("ID".into(), json!(t.id));
    o.insert("Version".into(), json!({"Index": t.version}));
    o.insert("CreatedAt".into(), json!(rfc3339(t.created_at.as_millis())));
    o.insert("UpdatedAt".into(), json!(rfc3339(t.updated_at.as_millis())));
    o.insert("Labels".into(), json!({}));
    o.insert(
        "Spec".into(),
        spec.get("TaskTemplate").cloned().unwrap_or(json!({})),
    );
    o.insert("ServiceID".into(), json!(t.service_id));
    if t.slot > 0 {
        o.insert("Slot".into(), json!(t.slot));
    }
    if let Some(n) = &t.node_id {
        o.insert("NodeID".into(), json!(n));
    }
    let mut st = Map::new();
    st.insert("Timestamp".into(), json!(rfc3339(t.timestamp.as_millis())));
    st.insert("State".into(), json!(t.state.as_str()));
    st.insert("Message".into(), json!(t.message));
    if !t.err.is_empty() {
        st.insert("Err".into(), json!(t.err));
    }
    if let Some(c) = &t.container_id {
        st.insert(
            "ContainerStatus".into(),
            json!({"ContainerID": c, "PID": 0, "ExitCode": t.exit_code.unwrap_or(0)}),
        );
    }
    // `PortStatus.Ports` (omitempty): the host-mode bindings the agent read.
    let mut ps = Map::new();
    if !t.port_status.is_empty() {
        ps.insert(
            "Ports".into(),
            Value::Array(
                t.port_status
                    .iter()
                    .map(crate::docker::service_cmd::read::port_json)
                    .collect(),
            ),
        );
    }
    st.insert("PortStatus".into(), Value::Object(ps));
    o.insert("Status".into(), Value::Object(st));
    o.insert("DesiredState".into(), json!(t.desired.as_str()));
    if t.spec.mode.is_job() {
        o.insert("JobIteration".into(), json!({"Index": t.job_iteration}));
    }
    o.insert("Volumes".into(), Value::Null);
    Value::Object(o)
}

/// The cluster object (`swarm.ClusterInfo`): what `GET /swarm` returns without the join
/// tokens and what `/info` carries as `Swarm.Cluster`.
pub(crate) fn cluster_json(s: &Swarm, c: &crate::format::info::ClusterInfo) -> Value {
    json!({
        "ID": s.id,
        "Version": {"Index": s.nodes.len() as u64 + 9},
        "CreatedAt": rfc3339(s.created_at.as_millis()),
        "UpdatedAt": rfc3339(s.created_at.as_millis()),
        "Spec": {
            "Name": "default",
            "Labels": {},
            "Orchestration": {"TaskHistoryRetentionLimit": c.task_history_retention_limit},
            "Raft": {
                "SnapshotInterval": c.snapshot_interval,
                "KeepOldSnapshots": c.keep_old_snapshots.unwrap_or(0),
                "LogEntriesForSlowFollowers": 500,
                "ElectionTick": c.election_tick,
                "HeartbeatTick": c.heartbeat_tick,
            },
            "Dispatcher": {"HeartbeatPeriod": c.heartbeat_period_ms.saturating_mul(1_000_000)},
            "CAConfig": {"NodeCertExpiry": c.node_cert_expiry_ms.saturating_mul(1_000_000)},
            "TaskDefaults": {},
            "EncryptionConfig": {"AutoLockManagers": c.autolock_managers},
        },
        "TLSInfo": {"TrustRoot": "", "CertIssuerSubject": "", "CertIssuerPublicKey": ""},
        "RootRotationInProgress": c.root_rotation_in_progress,
        "DefaultAddrPool": c.default_addr_pool.clone().unwrap_or_default(),
        "SubnetSize": c.subnet_size,
        "DataPathPort": c.data_path_port,
    })
}

/// `GET /swarm`: the cluster `engine` belongs to, with its join tokens.
pub(crate) fn swarm_json(w: &World, engine: swarm_core::MachineId) -> Option<Value> {
    let (s, _) = w.node_of(engine)?;
    let info = crate::docker::swarm_cmd::swarm_info(w, engine);
    let c = info.cluster?;
    let mut v = cluster_json(s, &c);
    v["JoinTokens"] = json!({
        "Worker": s.token(swarm_core::Role::Worker),
        "Manager": s.token(swarm_core::Role::Manager),
    });
    Some(v)
}

/// `GET /info` of machine `m` (`system.Info`): what `docker info` prints, from the same
/// facts as our own `docker info`.
pub(crate) fn info_json(w: &World, m: &Machine) -> Value {
    let containers = w.containers(m.id);
    let paused = containers.iter().filter(|c| c.paused).count();
    let running = containers.iter().filter(|c| c.is_running()).count() - paused;
    let stopped = containers.len() - running - paused;
    let images = w.images(m.id).len();
    let sw = crate::docker::swarm_cmd::swarm_info(w, m.id);
    let mut swarm = json!({
        "NodeID": if sw.local_node_state == "inactive" { "" } else { sw.node_id.as_str() },
        "NodeAddr": sw.node_addr,
        "LocalNodeState": sw.local_node_state,
        "ControlAvailable": sw.is_manager,
        "Error": sw.error,
        "RemoteManagers": sw.manager_addrs.iter().map(|a| {
            // The manager's node ID, found by its address (`ip:2377`).
            let id = w.node_of(m.id).and_then(|(s, _)| {
                s.nodes.values().find(|n| format!("{}:2377", n.addr) == *a).map(|n| n.id.clone())
            });
            json!({"NodeID": id.unwrap_or_default(), "Addr": a})
        }).collect::<Vec<_>>(),
    });
    if sw.local_node_state == "inactive" {
        swarm["RemoteManagers"] = Value::Null;
    }
    if let (Some(c), Some((s, _))) = (&sw.cluster, w.node_of(m.id)) {
        swarm["Nodes"] = json!(c.nodes);
        swarm["Managers"] = json!(c.managers);
        swarm["Cluster"] = cluster_json(s, c);
    }
    let warnings: Vec<&str> = crate::docker::swarm_cmd::info_warnings(w, m.id);
    let mut v = json!({
        "ID": m.engine.id,
        "Containers": containers.len(),
        "ContainersRunning": running,
        "ContainersPaused": paused,
        "ContainersStopped": stopped,
        "Images": images,
        "Driver": "overlay2",
        "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"], ["Using metacopy", "false"], ["Native Overlay Diff", "true"], ["userxattr", "false"]],
        "Plugins": {
            "Volume": ["local"],
            "Network": ["bridge", "host", "ipvlan", "macvlan", "null", "overlay"],
            "Authorization": null,
            "Log": ["awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "splunk", "syslog"],
        },
        "MemoryLimit": true,
        "SwapLimit": true,
        "CpuCfsPeriod": true,
        "CpuCfsQuota": true,
        "CPUShares": true,
        "CPUSet": true,
        "PidsLimit": true,
        "IPv4Forwarding": true,
        "Debug": false,
        "NFd": 30,
        "OomKillDisable": false,
        "NGoroutines": 50,
        "SystemTime": rfc3339(w.now().as_millis()),
        "LoggingDriver": "json-file",
        "CgroupDriver": "cgroupfs",
        "CgroupVersion": "2",
        "NEventsListener": 0,
        "KernelVersion": build::KERNEL,
        "OperatingSystem": build::OS,
    });
    let rest = json!({
        "OSVersion": "",
        "OSType": "linux",
        "Architecture": "x86_64",
        "IndexServerAddress": "https://index.docker.io/v1/",
        "RegistryConfig": {
            "InsecureRegistryCIDRs": ["::1/128", "127.0.0.0/8"],
            "IndexConfigs": {"docker.io": {"Name": "docker.io", "Mirrors": [], "Secure": true, "Official": true}},
            "Mirrors": null,
        },
        "NCPU": build::CPUS,
        "MemTotal": build::MEMORY_BYTES,
        "GenericResources": null,
        "DockerRootDir": "/var/lib/docker",
        "HttpProxy": "",
        "HttpsProxy": "",
        "NoProxy": "",
        "Name": m.hostname,
        "Labels": [],
        "ExperimentalBuild": false,
        "ServerVersion": build::VERSION,
        "Runtimes": {
            "io.containerd.runc.v2": {"path": "runc", "status": {"org.opencontainers.runtime-spec.features": "{}"}},
            "runc": {"path": "runc", "status": {"org.opencontainers.runtime-spec.features": "{}"}},
        },
        "DefaultRuntime": "runc",
        "Swarm": swarm,
        "LiveRestoreEnabled": false,
        "Isolation": "",
        "InitBinary": "docker-init",
        "ContainerdCommit": {"ID": build::CONTAINERD.1},
        "RuncCommit": {"ID": build::RUNC.1},
        "InitCommit": {"ID": build::DOCKER_INIT.1},
        "SecurityOptions": ["name=seccomp,profile=builtin", "name=cgroupns"],
        "CDISpecDirs": ["/etc/cdi", "/var/run/cdi"],
        "Containerd": {"Address": "/run/containerd/containerd.sock", "Namespaces": {"Containers": "moby", "Plugins": "plugins.moby"}},
        "Warnings": warnings,
    });
    if let (Some(a), Value::Object(b)) = (v.as_object_mut(), rest) {
        a.extend(b);
    }
    v
}
