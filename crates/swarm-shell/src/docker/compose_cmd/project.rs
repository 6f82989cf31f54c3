//! A compose project as `docker compose` (compose-spec, compose-go) reads it: the file parsed
//! by the same YAML loader `docker stack deploy` uses (`swarm_extras::yaml`, then
//! `stack_cmd::compose`'s interpolation and value readers), turned into the services the
//! plugin creates containers for. Only what the playground emulates is kept; every error is
//! compose's text.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::super::stack_cmd::compose::{interpolate, list_or_dict, str_or_list};

/// `build:` of a service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Build {
    /// The context directory as written (relative to the project directory).
    pub context: String,
    /// `dockerfile:` (relative to the context), if given.
    pub dockerfile: Option<String>,
}

/// A service's volume: a named volume (`source` a key of the top-level `volumes:`), a bind
/// mount (`source` a path) or an anonymous volume (no source).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct VolumeRef {
    pub source: String,
    pub target: String,
    pub bind: bool,
    pub read_only: bool,
}

/// One service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Service {
    pub name: String,
    pub image: Option<String>,
    pub build: Option<Build>,
    /// `ports:` in the `-p` syntax.
    pub ports: Vec<String>,
    /// `environment:` as `KEY=VALUE`.
    pub environment: Vec<String>,
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub depends_on: Vec<String>,
    pub restart: String,
    /// `scale:` or `deploy.replicas` (1 when neither).
    pub replicas: usize,
    pub volumes: Vec<VolumeRef>,
    /// The networks (keys of the top-level `networks:`); `default` when none is listed.
    pub networks: Vec<String>,
    pub container_name: Option<String>,
    pub working_dir: String,
    pub user: String,
    pub hostname: String,
    pub labels: BTreeMap<String, String>,
    pub tty: bool,
    pub stdin_open: bool,
    /// `cpus:`, else `deploy.resources.limits.cpus`, as `HostConfig.NanoCpus` (0: none).
    pub nano_cpus: i64,
    /// `mem_limit:`, else `deploy.resources.limits.memory`, in bytes (0: none).
    pub memory: i64,
}

impl Service {
    /// The image the service runs: `image:`, else `<project>-<service>` for one it builds.
    pub(crate) fn image_name(&self, project: &str) -> String {
        match &self.image {
            Some(i) => i.clone(),
            None => format!("{project}-{}", self.name),
        }
    }
}

/// A top-level network.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Network {
    pub key: String,
    /// Its engine name: `name:`, else `<project>_<key>`.
    pub name: String,
    pub driver: String,
    pub external: bool,
}

/// A top-level volume.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Volume {
    pub key: String,
    pub name: String,
    pub external: bool,
}

/// A loaded project.
#[derive(Clone, Debug, Default)]
pub(crate) struct Project {
    pub name: String,
    pub working_dir: String,
    pub config_files: Vec<String>,
    pub services: Vec<Service>,
    pub networks: Vec<Network>,
    pub volumes: Vec<Volume>,
    /// The interpolated top-level mapping (`docker compose config`).
    pub root: Map<String, Value>,
}

/// compose-go's `NormalizeProjectName`: lower case, only `[a-z0-9_-]`, no leading `_`/`-`.
pub(crate) fn normalize_name(s: &str) -> String {
    let lower = s.to_lowercase();
    let kept: String = lower
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

/// Whether `-p NAME` is a valid project name.
pub(crate) fn valid_name(s: &str) -> bool {
    !s.is_empty() && normalize_name(s) == s
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn uint_of(v: Option<&Value>) -> Option<usize> {
    match v? {
        Value::Number(n) => n.as_u64().map(|n| n as usize),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `ports:` entries (short or long syntax) in the `-p` syntax.
fn ports(svc: &str, v: Option<&Value>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let Some(v) = v else { return Ok(out) };
    let Some(items) = v.as_array() else {
        return Err(format!("services.{svc}.ports must be a array"));
    };
    for item in items {
        match item {
            Value::Object(m) => {
                let target = m.get("target").and_then(str_of).unwrap_or_default();
                let published = m.get("published").and_then(str_of).unwrap_or_default();
                let ip = m.get("host_ip").and_then(str_of).unwrap_or_default();
                let proto = m
                    .get("protocol")
                    .and_then(str_of)
                    .unwrap_or_else(|| "tcp".into());
                let mut spec = String::new();
                if !ip.is_empty() {
                    spec.push_str(&ip);
                    spec.push(':');
                }
                if !published.is_empty() {
                    spec.push_str(&published);
                    spec.push(':');
                }
                out.push(format!("{spec}{target}/{proto}"));
            }
            other => match str_of(other) {
                Some(s) => out.push(s),
                None => return Err(format!("services.{svc}.ports.0 must be a string or number")),
            },
        }
    }
    Ok(out)
}

fn volumes(svc: &str, v: Option<&Value>) -> Result<Vec<VolumeRef>, String> {
    let mut out = Vec::new();
    let Some(items) = v.and_then(Value::as_array) else {
        return Ok(out);
    };
    for item in items {
        match item {
            Value::String(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                let (source, target, mode) = match parts.as_slice() {
                    [t] => ("", *t, ""),
                    [s, t] => (*s, *t, ""),
                    [s, t, m, ..] => (*s, *t, *m),
                    [] => ("", "", ""),
                };
                let bind =
                    source.starts_with('.') || source.starts_with('/') || source.starts_with('~');
                out.push(VolumeRef {
                    source: source.to_string(),
                    target: target.to_string(),
                    bind,
                    read_only: mode.split(',').any(|m| m == "ro"),
                });
            }
            Value::Object(m) => {
                let kind = m.get("type").and_then(Value::as_str).unwrap_or("volume");
                out.push(VolumeRef {
                    source: m.get("source").and_then(str_of).unwrap_or_default(),
                    target: m.get("target").and_then(str_of).unwrap_or_default(),
                    bind: kind == "bind",
                    read_only: m.get("read_only").and_then(Value::as_bool).unwrap_or(false),
                });
            }
            _ => {
                return Err(format!(
                    "services.{svc}.volumes.0 must be a string or object"
                ))
            }
        }
    }
    Ok(out)
}

fn service(name: &str, m: &Map<String, Value>) -> Result<Service, String> {
    let image = m.get("image").and_then(str_of);
    let build = match m.get("build") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Build {
            context: s.clone(),
            dockerfile: None,
        }),
        Some(Value::Object(b)) => Some(Build {
            context: b
                .get("context")
                .and_then(str_of)
                .unwrap_or_else(|| ".".into()),
            dockerfile: b.get("dockerfile").and_then(str_of),
        }),
        Some(_) => return Err(format!("services.{name}.build must be a string or object")),
    };
    if image.is_none() && build.is_none() {
        return Err(format!(
            "service \"{name}\" has neither an image nor a build context specified: invalid compose project"
        ));
    }
    let environment = list_or_dict(m.get("environment"))
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect();
    let depends_on = match m.get("depends_on") {
        Some(Value::Array(a)) => a.iter().filter_map(str_of).collect(),
        Some(Value::Object(o)) => o.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let deploy = m.get("deploy").and_then(Value::as_object);
    let replicas = uint_of(m.get("scale"))
        .or_else(|| uint_of(deploy.and_then(|d| d.get("replicas"))))
        .unwrap_or(1);
    // compose's `getDeployResources`: the service's own keys first, then the deploy limits.
    let limits = deploy
        .and_then(|d| d.get("resources"))
        .and_then(|r| r.get("limits"));
    let limit = |own: &str, deploy_key: &str| {
        m.get(own)
            .and_then(str_of)
            .or_else(|| limits.and_then(|l| l.get(deploy_key)).and_then(str_of))
    };
    let nano_cpus = limit("cpus", "cpus")
        .and_then(|c| c.trim().parse::<f64>().ok())
        .map_or(0, |c| (c * 1e9) as i64);
    let memory = limit("mem_limit", "memory")
        .and_then(|v| crate::docker::service_cmd::opts::ram_in_bytes(&v).ok())
        .unwrap_or(0);
    let networks = match m.get("networks") {
        Some(Value::Array(a)) => a.iter().filter_map(str_of).collect(),
        Some(Value::Object(o)) => o.keys().cloned().collect(),
        _ => vec!["default".to_string()],
    };
    Ok(Service {
        name: name.to_string(),
        image,
        build,
        ports: ports(name, m.get("ports"))?,
        environment,
        command: str_or_list(m.get("command")),
        entrypoint: str_or_list(m.get("entrypoint")),
        depends_on,
        restart: m.get("restart").and_then(str_of).unwrap_or_default(),
        replicas,
        volumes: volumes(name, m.get("volumes"))?,
        networks,
        container_name: m.get("container_name").and_then(str_of),
        working_dir: m.get("working_dir").and_then(str_of).unwrap_or_default(),
        user: m.get("user").and_then(str_of).unwrap_or_default(),
        hostname: m.get("hostname").and_then(str_of).unwrap_or_default(),
        labels: list_or_dict(m.get("labels"))
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect(),
        tty: m.get("tty").and_then(Value::as_bool).unwrap_or(false),
        stdin_open: m
            .get("stdin_open")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        nano_cpus,
        memory,
    })
}

/// Builds the project from the parsed file. `dir_name`: the project directory's basename
/// (the name when neither `-p` nor `name:` gives one).
pub(crate) fn load(
    mut root: Map<String, Value>,
    name_flag: Option<&str>,
    dir_name: &str,
    working_dir: &str,
    config_files: &[String],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Project, String> {
    for (k, x) in root.iter_mut() {
        interpolate(x, k, lookup)?;
    }
    let name = match name_flag {
        Some(n) => n.to_string(),
        None => match root.get("name").and_then(Value::as_str) {
            Some(n) => n.to_string(),
            None => normalize_name(dir_name),
        },
    };
    if !valid_name(&name) {
        return Err(format!("invalid project name \"{name}\": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number"));
    }
    let services_map = match root.get("services") {
        Some(Value::Object(m)) => m.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err("services must be a mapping".into()),
    };
    let mut services = Vec::new();
    for (k, v) in &services_map {
        let empty = Map::new();
        let m = v.as_object().unwrap_or(&empty);
        services.push(service(k, m)?);
    }
    let known: BTreeSet<&str> = services.iter().map(|s| s.name.as_str()).collect();
    for s in &services {
        for d in &s.depends_on {
            if !known.contains(d.as_str()) {
                return Err(format!(
                    "service \"{}\" depends on undefined service \"{d}\": invalid compose project",
                    s.name
                ));
            }
        }
    }
    let top_networks = root.get("networks").and_then(Value::as_object);
    let mut networks = Vec::new();
    let used: BTreeSet<&str> = services
        .iter()
        .flat_map(|s| s.networks.iter().map(String::as_str))
        .collect();
    for key in &used {
        let def = top_networks
            .and_then(|n| n.get(*key))
            .and_then(Value::as_object);
        if *key != "default" && top_networks.and_then(|n| n.get(*key)).is_none() {
            let svc = services
                .iter()
                .find(|s| s.networks.iter().any(|n| n == key))
                .map(|s| s.name.clone())
                .unwrap_or_default();
            return Err(format!(
                "service \"{svc}\" refers to undefined network {key}: invalid compose project"
            ));
        }
        let external = def
            .and_then(|d| d.get("external"))
            .is_some_and(|e| e.as_bool().unwrap_or(true));
        let given = def.and_then(|d| d.get("name")).and_then(str_of);
        networks.push(Network {
            key: key.to_string(),
            name: given.unwrap_or_else(|| {
                if external {
                    key.to_string()
                } else {
                    format!("{name}_{key}")
                }
            }),
            driver: def
                .and_then(|d| d.get("driver"))
                .and_then(str_of)
                .unwrap_or_default(),
            external,
        });
    }
    let top_volumes = root.get("volumes").and_then(Value::as_object);
    let mut volumes = Vec::new();
    if let Some(tv) = top_volumes {
        for (key, def) in tv {
            let def = def.as_object();
            let external = def
                .and_then(|d| d.get("external"))
                .is_some_and(|e| e.as_bool().unwrap_or(true));
            let given = def.and_then(|d| d.get("name")).and_then(str_of);
            volumes.push(Volume {
                key: key.clone(),
                name: given.unwrap_or_else(|| {
                    if external {
                        key.clone()
                    } else {
                        format!("{name}_{key}")
                    }
                }),
                external,
            });
        }
    }
    for s in &services {
        for v in s.volumes.iter().filter(|v| !v.bind && !v.source.is_empty()) {
            if !volumes.iter().any(|x| x.key == v.source) {
                return Err(format!(
                    "service \"{}\" refers to undefined volume {}: invalid compose project",
                    s.name, v.source
                ));
            }
        }
    }
    Ok(Project {
        name,
        working_dir: working_dir.to_string(),
        config_files: config_files.to_vec(),
        services,
        networks,
        volumes,
        root,
    })
}

impl Project {
    pub(crate) fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The services in start order: each after what it depends on, otherwise by name.
    pub(crate) fn start_order(&self) -> Vec<&Service> {
        let mut out: Vec<&Service> = Vec::new();
        let mut left: Vec<&Service> = self.services.iter().collect();
        left.sort_by(|a, b| a.name.cmp(&b.name));
        while !left.is_empty() {
            let ready = left
                .iter()
                .position(|s| {
                    s.depends_on
                        .iter()
                        .all(|d| out.iter().any(|o| o.name == *d))
                })
                .unwrap_or(0); // a cycle: take the first
            out.push(left.remove(ready));
        }
        out
    }
}

/// A `list_or_dict` value (`environment`, `labels`, …) as a mapping.
fn as_mapping(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        Value::Array(items) => items
            .into_iter()
            .filter_map(|i| {
                let s = str_of(&i)?;
                Some(match s.split_once('=') {
                    Some((k, v)) => (k.to_string(), Value::String(v.to_string())),
                    None => (s, Value::Null),
                })
            })
            .collect(),
        _ => Map::new(),
    }
}

/// `depends_on`/service `networks`: a list of names or a mapping, as a mapping.
fn names_mapping(v: Value) -> Map<String, Value> {
    match v {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|i| Some((str_of(&i)?, Value::Null)))
            .collect(),
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A service volume's target (short `src:dst[:mode]` or long syntax).
fn volume_target(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            Some(match parts.len() {
                1 => parts[0].to_string(),
                _ => parts[1].to_string(),
            })
        }
        Value::Object(m) => m.get("target").and_then(str_of),
        _ => None,
    }
}

/// Merges a later `-f` file into the earlier ones as compose-go's override does: mappings
/// key by key, scalars replaced, `command`/`entrypoint` replaced, `environment`/`labels`/
/// `depends_on`/service `networks` merged as mappings, `volumes` unique by target, `ports`
/// without duplicates, other sequences appended.
pub(crate) fn merge(base: &mut Value, over: Value, path: &[&str]) {
    let in_service = path.len() == 3 && path[0] == "services";
    let key = path.last().copied().unwrap_or("");
    if in_service {
        match key {
            "command" | "entrypoint" => {
                *base = over;
                return;
            }
            "environment" | "labels" | "annotations" | "extra_hosts" | "sysctls" => {
                let mut m = as_mapping(std::mem::take(base));
                m.extend(as_mapping(over));
                *base = Value::Object(m);
                return;
            }
            "depends_on" | "networks" => {
                let mut m = names_mapping(std::mem::take(base));
                for (k, v) in names_mapping(over) {
                    match m.get_mut(&k) {
                        Some(old) if !v.is_null() => merge(old, v, &[]),
                        Some(_) => {}
                        None => {
                            m.insert(k, v);
                        }
                    }
                }
                *base = Value::Object(m);
                return;
            }
            "volumes" => {
                if let (Value::Array(old), Value::Array(new)) = (&mut *base, &over) {
                    for v in new {
                        let t = volume_target(v);
                        old.retain(|o| t.is_none() || volume_target(o) != t);
                        old.push(v.clone());
                    }
                    return;
                }
            }
            "ports" | "expose" | "dns" | "cap_add" | "cap_drop" => {
                if let (Value::Array(old), Value::Array(new)) = (&mut *base, &over) {
                    for v in new {
                        if !old.contains(v) {
                            old.push(v.clone());
                        }
                    }
                    return;
                }
            }
            _ => {}
        }
    }
    match (&mut *base, over) {
        (_, Value::Null) => {}
        (Value::Object(old), Value::Object(new)) => {
            for (k, v) in new {
                match old.get_mut(&k) {
                    Some(o) if !o.is_null() => {
                        let mut p = path.to_vec();
                        p.push(&k);
                        merge(o, v, &p);
                    }
                    _ => {
                        old.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(old), Value::Array(new)) => old.extend(new),
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Map<String, Value> {
        swarm_extras::yaml::parse(text).expect("yaml")
    }

    #[test]
    fn later_files_override_earlier_ones() {
        let mut base = Value::Object(doc("services:\n  web:\n    image: nginx\n    command: [a, b]\n    environment:\n      - A=1\n      - B=2\n    ports:\n      - \"80:80\"\n    volumes:\n      - data:/data\n      - ./x:/x\n    depends_on: [db]\n  db:\n    image: redis\n"));
        let over = Value::Object(doc("services:\n  web:\n    image: nginx:alpine\n    command: c\n    environment:\n      B: 3\n    ports:\n      - \"80:80\"\n      - \"443:443\"\n    volumes:\n      - other:/data\n    depends_on:\n      cache:\n        condition: service_started\n  cache:\n    image: memcached\n"));
        merge(&mut base, over, &[]);
        let web = &base["services"]["web"];
        assert_eq!(web["image"], "nginx:alpine");
        assert_eq!(web["command"], "c");
        assert_eq!(web["environment"]["A"], "1");
        assert_eq!(web["environment"]["B"], 3);
        assert_eq!(web["ports"].as_array().map(Vec::len), Some(2));
        assert_eq!(web["volumes"][0], "./x:/x");
        assert_eq!(web["volumes"][1], "other:/data");
        assert!(web["depends_on"]["db"].is_null());
        assert_eq!(web["depends_on"]["cache"]["condition"], "service_started");
        assert_eq!(base["services"]["cache"]["image"], "memcached");
        assert_eq!(base["services"]["db"]["image"], "redis");
    }

    #[test]
    fn names_are_normalized() {
        assert_eq!(normalize_name("My_App.v2"), "my_appv2");
        assert_eq!(normalize_name("-x"), "x");
        assert!(valid_name("counter"));
        assert!(!valid_name("Counter"));
        assert!(!valid_name(""));
    }

    #[test]
    fn counter_app_loads_in_dependency_order() {
        let root = doc("services:\n  web:\n    build: .\n    ports:\n      - \"8000:5000\"\n    depends_on:\n      - redis\n    deploy:\n      replicas: 2\n  redis:\n    image: redis:alpine\n    volumes:\n      - data:/data\nvolumes:\n  data:\n");
        let p = load(
            root,
            None,
            "Counter!",
            "/root/counter",
            &["/root/counter/compose.yaml".to_string()],
            &|_| None,
        )
        .unwrap();
        assert_eq!(p.name, "counter");
        let order: Vec<&str> = p.start_order().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(order, vec!["redis", "web"]);
        let web = p.service("web").unwrap();
        assert_eq!(web.replicas, 2);
        assert_eq!(web.ports, vec!["8000:5000"]);
        assert_eq!(web.image_name("counter"), "counter-web");
        assert_eq!(p.volumes[0].name, "counter_data");
        assert_eq!(p.networks[0].name, "counter_default");
    }

    #[test]
    fn compose_errors() {
        let e = load(
            doc("services:\n  web:\n    ports: [\"80\"]\n"),
            None,
            "x",
            "/x",
            &["/x/compose.yaml".to_string()],
            &|_| None,
        )
        .unwrap_err();
        assert_eq!(e, "service \"web\" has neither an image nor a build context specified: invalid compose project");
        let e = load(
            doc("services:\n  web:\n    image: a\n    depends_on: [db]\n"),
            None,
            "x",
            "/x",
            &["/x/c.yaml".to_string()],
            &|_| None,
        )
        .unwrap_err();
        assert!(e.contains("depends on undefined service \"db\""));
        let e = load(
            doc("services:\n  web:\n    image: a\n"),
            Some("Bad"),
            "x",
            "/x",
            &["/x/c.yaml".to_string()],
            &|_| None,
        )
        .unwrap_err();
        assert!(e.starts_with("invalid project name \"Bad\""));
        let p = load(
            doc("version: \"3.8\"\nservices:\n  web:\n    image: ${IMG:-nginx}\n"),
            None,
            "x",
            "/x",
            &["/x/c.yaml".to_string()],
            &|_| None,
        )
        .unwrap();
        assert_eq!(p.services[0].image.as_deref(), Some("nginx"));
    }
}
