//! Several compose files merged as `docker stack deploy -c A -c B` merges them: docker/cli
//! 28's `loader.merge` (mergo with `WithOverride` and `WithAppendSlice` over the typed
//! `ServiceConfig`, plus its transformers), reproduced over the generic value.
//!
//! Each file is first brought into the shape the typed loader would give it
//! ([`normalize`]: `environment`/`labels` lists become mappings, ports become long-syntax
//! entries, service networks a mapping, a string healthcheck test `["CMD-SHELL", …]`), then
//! merged into the first:
//!
//! - services by name; a service only in the override is added as it is (after the base's:
//!   docker sorts them, but its deploy then walks a Go map, so the order is ours to pick);
//! - scalars: the override's value wins unless it is Go's zero value (`""`, `false`, `0`,
//!   a zero duration); the `*uint64` fields (`replicas`, `parallelism`, `max_attempts`,
//!   `retries`) win whenever present;
//! - `environment`: by key, an empty or unset override value keeps the base's;
//!   `labels`, `deploy.labels`, `sysctls`, `ulimits`: by key, the override wins;
//! - `ports` by published port, `volumes` by target, `secrets`/`configs` by source (each
//!   sorted by that key); `networks` by name, an override with settings replacing the
//!   aliases; `command`/`entrypoint` replaced when the override's is not empty;
//! - every other list is appended to (`cap_add`, `placement.constraints`, even
//!   `healthcheck.test`, as docker does);
//! - top-level `networks`, `volumes`, `secrets`, `configs`: by name, the override's
//!   definition replaces the base's whole.
//!
//! `docker stack config -c A -c B` of the real CLI prints the same merge.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::compose::short_ports;
use super::volumes::volume_target;

/// Keys whose Go type is a `*uint64`: any value the override sets wins, zero included.
const POINTER_UINTS: &[&str] = &["replicas", "parallelism", "max_attempts", "retries"];

/// Keys holding a duration (`0s` is Go's zero value and does not override).
const DURATIONS: &[&str] = &[
    "interval",
    "timeout",
    "start_period",
    "start_interval",
    "delay",
    "window",
    "monitor",
    "stop_grace_period",
];

/// Brings one file's services into the loader's typed shape (see the module doc). Unset
/// `environment` values are looked up as the loader does before merging.
pub(super) fn normalize(root: &mut Map<String, Value>, lookup: &dyn Fn(&str) -> Option<String>) {
    let Some(Value::Object(services)) = root.get_mut("services") else {
        return;
    };
    for svc in services.values_mut() {
        let Value::Object(svc) = svc else { continue };
        if let Some(env) = svc.get_mut("environment") {
            let mut m = to_mapping(env, true);
            for (k, v) in m.iter_mut() {
                if v.is_null() {
                    if let Some(found) = lookup(k) {
                        *v = Value::String(found);
                    }
                }
            }
            *env = Value::Object(m);
        }
        if let Some(l) = svc.get_mut("labels") {
            *l = Value::Object(to_mapping(l, false));
        }
        if let Some(Value::Object(d)) = svc.get_mut("deploy") {
            if let Some(l) = d.get_mut("labels") {
                *l = Value::Object(to_mapping(l, false));
            }
        }
        if let Some(Value::Array(items)) = svc.get_mut("networks") {
            let m: Map<String, Value> = items
                .iter()
                .filter_map(Value::as_str)
                .map(|n| (n.to_string(), Value::Null))
                .collect();
            svc.insert("networks".into(), Value::Object(m));
        }
        if let Some(Value::Array(items)) = svc.get_mut("ports") {
            let mut out = Vec::new();
            for p in items.drain(..) {
                let short = match &p {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                };
                match short.map(|s| short_ports(&s)) {
                    Some(Ok(ports)) => out.extend(ports.into_iter().map(|p| {
                        let mut m = Map::new();
                        m.insert("mode".into(), Value::String(p.mode));
                        m.insert("target".into(), Value::from(p.target));
                        if p.published != 0 {
                            m.insert("published".into(), Value::from(p.published));
                        }
                        m.insert("protocol".into(), Value::String(p.protocol));
                        Value::Object(m)
                    })),
                    // Validated already; anything else stays as written.
                    _ => out.push(p),
                }
            }
            *items = out;
        }
        if let Some(Value::Object(h)) = svc.get_mut("healthcheck") {
            if let Some(Value::String(t)) = h.get("test") {
                let t = t.clone();
                h.insert(
                    "test".into(),
                    Value::Array(vec![Value::String("CMD-SHELL".into()), Value::String(t)]),
                );
            }
        }
    }
}

/// `environment` (`nullable`: a key without `=` has no value) or `labels` (it has `""`)
/// as a mapping.
fn to_mapping(v: &Value, nullable: bool) -> Map<String, Value> {
    match v {
        Value::Object(m) => m.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|x| match x.split_once('=') {
                Some((k, v)) => (k.to_string(), Value::String(v.to_string())),
                None if nullable => (x.to_string(), Value::Null),
                None => (x.to_string(), Value::String(String::new())),
            })
            .collect(),
        _ => Map::new(),
    }
}

/// Merges the (normalized) file `over` into `base`.
pub(super) fn merge_files(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (k, v) in over {
        match k.as_str() {
            "services" => {
                let Value::Object(services) = v else { continue };
                let into = base
                    .entry("services")
                    .or_insert_with(|| Value::Object(Map::new()));
                if !into.is_object() {
                    *into = Value::Object(Map::new());
                }
                let Value::Object(into) = into else { continue };
                for (name, svc) in services {
                    match (into.get_mut(&name), svc) {
                        (Some(Value::Object(b)), Value::Object(o)) => merge_service(b, o),
                        (_, svc) => {
                            into.insert(name, svc);
                        }
                    }
                }
            }
            "networks" | "volumes" | "secrets" | "configs" => match (base.get_mut(&k), v) {
                (Some(Value::Object(b)), Value::Object(o)) => {
                    for (name, def) in o {
                        b.insert(name, def);
                    }
                }
                (Some(_), Value::Null) => {}
                (_, v) => {
                    base.insert(k, v);
                }
            },
            _ => {
                base.insert(k, v);
            }
        }
    }
}

/// Go's zero value for the key `key`: what mergo's `WithOverride` does not copy.
fn is_zero(key: &str, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) if DURATIONS.contains(&key) => {
            s.is_empty()
                || super::super::service_cmd::opts::go_parse_duration(s).is_ok_and(|d| d == 0)
        }
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

/// One service merged into the base's (mergo over `ServiceConfig` with docker's
/// transformers).
fn merge_service(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (k, v) in over {
        match k.as_str() {
            "command" | "entrypoint" => {
                let empty = match &v {
                    Value::String(s) => super::super::service_cmd::opts::shell_split(s).is_empty(),
                    other => is_zero(&k, other),
                };
                if !empty {
                    base.insert(k, v);
                }
            }
            "environment" => merge_map(base, k, v, true),
            "labels" | "sysctls" | "ulimits" => merge_map(base, k, v, false),
            "ports" => merge_keyed(base, k, v, port_key),
            "volumes" => merge_keyed(base, k, v, volume_key),
            "secrets" | "configs" => merge_keyed(base, k, v, source_key),
            "networks" => merge_networks(base, v),
            "logging" => merge_logging(base, v),
            _ => merge_value(base, k, v),
        }
    }
}

/// The generic rule: objects field by field, lists appended, scalars overridden unless
/// the override is zero.
fn merge_value(base: &mut Map<String, Value>, k: String, v: Value) {
    let Some(b) = base.get_mut(&k) else {
        base.insert(k, v);
        return;
    };
    match (b, v) {
        (Value::Object(b), Value::Object(o)) => {
            for (sub, x) in o {
                if sub == "labels" {
                    merge_map(b, sub, x, false);
                } else {
                    merge_value(b, sub, x);
                }
            }
        }
        (Value::Array(b), Value::Array(o)) => b.extend(o),
        (b, v) if b.is_null() => *b = v,
        (b, v) => {
            let wins = if POINTER_UINTS.contains(&k.as_str()) {
                !v.is_null()
            } else {
                !is_zero(&k, &v)
            };
            if wins {
                *b = v;
            }
        }
    }
}

/// A mapping merged by key: the override's value wins, except in `environment`
/// (`env`) where an empty or unset value keeps the base's.
fn merge_map(base: &mut Map<String, Value>, k: String, v: Value, env: bool) {
    let over = match v {
        Value::Object(o) => o,
        Value::Array(_) => to_mapping(&v, env),
        _ => return,
    };
    let b = base.entry(k).or_insert_with(|| Value::Object(Map::new()));
    if !b.is_object() {
        *b = Value::Object(Map::new());
    }
    let Value::Object(b) = b else { return };
    for (key, x) in over {
        let keep = env
            && b.get(&key).is_some_and(|old| !old.is_null())
            && (x.is_null() || x.as_str() == Some(""));
        if !keep {
            b.insert(key, x);
        }
    }
}

/// A list merged by an identity (`mergeSlice`): both lists into a map keyed by it (later
/// entries replacing earlier ones), the override's entries replacing the base's, then
/// sorted by the key.
fn merge_keyed(base: &mut Map<String, Value>, k: String, v: Value, key: fn(&Value) -> Key) {
    let Value::Array(over) = v else { return };
    let Some(Value::Array(b)) = base.get_mut(&k) else {
        base.insert(k, Value::Array(over));
        return;
    };
    let mut m: BTreeMap<Key, Value> = BTreeMap::new();
    for x in b.drain(..).chain(over) {
        m.insert(key(&x), x);
    }
    b.extend(m.into_values());
}

/// A merge identity: ports by number, the others by name.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Num(u64),
    Str(String),
}

fn port_key(v: &Value) -> Key {
    let published = v.as_object().and_then(|m| m.get("published"));
    Key::Num(match published {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    })
}

fn volume_key(v: &Value) -> Key {
    Key::Str(match v {
        Value::String(s) => volume_target(s),
        Value::Object(m) => m
            .get("target")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    })
}

fn source_key(v: &Value) -> Key {
    Key::Str(match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m
            .get("source")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    })
}

/// `networks`: by name; an override entry with settings replaces the aliases (and the
/// addresses it sets) of a base entry with settings (`mergeServiceNetworkConfig`), or
/// takes the place of a base entry without.
fn merge_networks(base: &mut Map<String, Value>, v: Value) {
    let Value::Object(over) = v else { return };
    let b = base
        .entry("networks")
        .or_insert_with(|| Value::Object(Map::new()));
    if !b.is_object() {
        *b = Value::Object(Map::new());
    }
    let Value::Object(b) = b else { return };
    for (name, x) in over {
        match (b.get_mut(&name), x) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                match new.get("aliases") {
                    Some(a) => {
                        old.insert("aliases".into(), a.clone());
                    }
                    None => {
                        old.remove("aliases");
                    }
                }
                for addr in ["ipv4_address", "ipv6_address"] {
                    if let Some(a) = new.get(addr).filter(|a| !is_zero(addr, a)) {
                        old.insert(addr.into(), a.clone());
                    }
                }
            }
            (Some(_), Value::Null) => {}
            (_, x) => {
                b.insert(name, x);
            }
        }
    }
}

/// `logging` (`mergeLoggingConfig`): the same driver (or one unset) merges the options,
/// another driver replaces the whole.
fn merge_logging(base: &mut Map<String, Value>, v: Value) {
    let (Some(Value::Object(b)), Value::Object(o)) = (base.get_mut("logging"), &v) else {
        if !v.is_null() {
            base.insert("logging".into(), v);
        }
        return;
    };
    let driver = |m: &Map<String, Value>| {
        m.get("driver")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (bd, od) = (driver(b), driver(o));
    if bd == od || bd.is_empty() || od.is_empty() {
        if bd.is_empty() && !od.is_empty() {
            b.insert("driver".into(), Value::String(od));
        }
        if let Some(opts) = o.get("options").cloned() {
            merge_map(b, "options".into(), opts, false);
        }
    } else {
        base.insert("logging".into(), v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn none(_: &str) -> Option<String> {
        None
    }

    /// Two files merged after normalizing each, as `load` does.
    fn merged(a: Value, b: Value) -> Value {
        let (Value::Object(mut a), Value::Object(mut b)) = (a, b) else {
            panic!("objects")
        };
        normalize(&mut a, &none);
        normalize(&mut b, &none);
        merge_files(&mut a, b);
        Value::Object(a)
    }

    fn web(a: Value, b: Value) -> Value {
        merged(
            json!({"services": {"web": a}}),
            json!({"services": {"web": b}}),
        )["services"]["web"]
            .clone()
    }

    #[test]
    fn scalars_override_unless_zero() {
        let w = web(
            json!({"image": "a", "user": "u", "tty": true, "stop_grace_period": "10s"}),
            json!({"image": "b", "user": "", "tty": false, "stop_grace_period": "0s"}),
        );
        assert_eq!(w["image"], "b");
        assert_eq!(w["user"], "u");
        assert_eq!(w["tty"], true);
        assert_eq!(w["stop_grace_period"], "10s");
    }

    #[test]
    fn pointer_uints_override_even_with_zero() {
        let w = web(
            json!({"deploy": {"replicas": 3, "update_config": {"parallelism": 2, "delay": "10s"},
                   "placement": {"max_replicas_per_node": 2}}}),
            json!({"deploy": {"replicas": 0, "update_config": {"delay": "0s"},
                   "placement": {"max_replicas_per_node": 0}}}),
        );
        assert_eq!(w["deploy"]["replicas"], 0);
        assert_eq!(w["deploy"]["update_config"]["parallelism"], 2);
        assert_eq!(w["deploy"]["update_config"]["delay"], "10s");
        assert_eq!(w["deploy"]["placement"]["max_replicas_per_node"], 2);
    }

    #[test]
    fn environment_by_key_empty_keeps_base() {
        let w = web(
            json!({"environment": ["A=1", "B=2", "E="]}),
            json!({"environment": {"B": "3", "C": 4, "E": "5", "A": ""}}),
        );
        assert_eq!(
            w["environment"],
            json!({"A": "1", "B": "3", "E": "5", "C": 4})
        );
    }

    #[test]
    fn labels_by_key_override_wins() {
        let w = web(
            json!({"labels": ["x=1", "y=2"], "deploy": {"labels": {"l1": "a", "l3": "c"}}}),
            json!({"labels": {"x": "9"}, "deploy": {"labels": ["l2=b", "l3="]}}),
        );
        assert_eq!(w["labels"], json!({"x": "9", "y": "2"}));
        assert_eq!(
            w["deploy"]["labels"],
            json!({"l1": "a", "l3": "", "l2": "b"})
        );
    }

    #[test]
    fn ports_by_published_port_sorted() {
        let w = web(
            json!({"ports": ["8080:80", "9090:90", "70"]}),
            json!({"ports": [{"target": 81, "published": "8080"}, "71"]}),
        );
        let ports: Vec<(u64, u64)> = w["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let published = match &p["published"] {
                    Value::String(s) => s.parse().unwrap(),
                    other => other.as_u64().unwrap_or(0),
                };
                (published, p["target"].as_u64().unwrap())
            })
            .collect();
        // 70 and 71 share published port 0: the override's replaces it.
        assert_eq!(ports, vec![(0, 71), (8080, 81), (9090, 90)]);
    }

    #[test]
    fn volumes_by_target_secrets_by_source() {
        let w = web(
            json!({"volumes": ["data:/data", "/tmp:/t"], "secrets": ["s1", {"source": "s2", "target": "t2"}],
                   "configs": ["c2"]}),
            json!({"volumes": ["other:/data"], "secrets": [{"source": "s2", "target": "t3"}],
                   "configs": ["c1"]}),
        );
        assert_eq!(w["volumes"], json!(["other:/data", "/tmp:/t"]));
        assert_eq!(
            w["secrets"],
            json!(["s1", {"source": "s2", "target": "t3"}])
        );
        assert_eq!(w["configs"], json!(["c1", "c2"]));
    }

    #[test]
    fn networks_by_name_aliases_replaced() {
        let w = web(
            json!({"networks": {"n1": {"aliases": ["a1"]}, "n2": null}}),
            json!({"networks": {"n1": {"aliases": ["a2", "a3"]}, "n3": {}}}),
        );
        assert_eq!(
            w["networks"],
            json!({"n1": {"aliases": ["a2", "a3"]}, "n2": null, "n3": {}})
        );
        let w = web(
            json!({"networks": ["n1", "n2"]}),
            json!({"networks": ["n1", "n3"]}),
        );
        assert_eq!(w["networks"], json!({"n1": null, "n2": null, "n3": null}));
    }

    #[test]
    fn commands_replaced_lists_appended() {
        let w = web(
            json!({"command": ["a", "b"], "entrypoint": "sh -c", "cap_add": ["NET_ADMIN"],
                   "deploy": {"placement": {"constraints": ["node.role==manager"]}},
                   "healthcheck": {"test": ["CMD", "true"], "interval": "5s", "retries": 3}}),
            json!({"command": "c", "entrypoint": "", "cap_add": ["SYS_ADMIN"],
                   "deploy": {"placement": {"constraints": ["node.labels.x==1"]}},
                   "healthcheck": {"test": "false", "interval": "0s", "timeout": "2s"}}),
        );
        assert_eq!(w["command"], "c");
        assert_eq!(w["entrypoint"], "sh -c");
        assert_eq!(w["cap_add"], json!(["NET_ADMIN", "SYS_ADMIN"]));
        assert_eq!(
            w["deploy"]["placement"]["constraints"],
            json!(["node.role==manager", "node.labels.x==1"])
        );
        // docker appends healthcheck tests too.
        assert_eq!(
            w["healthcheck"],
            json!({"test": ["CMD", "true", "CMD-SHELL", "false"], "interval": "5s", "retries": 3, "timeout": "2s"})
        );
    }

    #[test]
    fn top_level_objects_replaced_by_name() {
        let m = merged(
            json!({"services": {"web": {"image": "a"}},
                   "networks": {"n1": {"driver": "overlay", "attachable": true}, "n2": null},
                   "volumes": {"data": {"driver": "local"}}}),
            json!({"services": {"db": {"image": "redis"}},
                   "networks": {"n1": {"external": true}, "n3": null},
                   "secrets": {"s": {"file": "x"}}}),
        );
        assert_eq!(
            m["networks"],
            json!({"n1": {"external": true}, "n2": null, "n3": null})
        );
        assert_eq!(m["volumes"], json!({"data": {"driver": "local"}}));
        assert_eq!(m["secrets"], json!({"s": {"file": "x"}}));
        let names: Vec<&String> = m["services"].as_object().unwrap().keys().collect();
        assert_eq!(names, vec!["web", "db"]);
    }

    #[test]
    fn logging_same_driver_merges_options() {
        let w = web(
            json!({"logging": {"driver": "json-file", "options": {"frequency": "2000", "timeout": "23"}}}),
            json!({"logging": {"options": {"timeout": "360"}}}),
        );
        assert_eq!(
            w["logging"],
            json!({"driver": "json-file", "options": {"frequency": "2000", "timeout": "360"}})
        );
        let w = web(
            json!({"logging": {"driver": "json-file", "options": {"frequency": "2000"}}}),
            json!({"logging": {"driver": "syslog"}}),
        );
        assert_eq!(w["logging"], json!({"driver": "syslog"}));
    }
}
