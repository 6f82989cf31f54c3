//! Compose files as `docker stack deploy` reads them (docker/cli `cli/compose/loader`,
//! `schema` and `convert`): YAML into a generic value, `<<` merges, `${VAR}` interpolation
//! from the shell's variables, the version-3 schema's checks with its error texts, the
//! warnings about keys swarm ignores, and the conversion of each service into a
//! [`ServiceSpec`].
//!
//! Every step returns its error as docker's text; nothing here panics on any input.

use std::collections::{BTreeMap, BTreeSet};
use swarm_core::sort::CollectBTree as _;

use serde_json::{Map, Value};
use swarm_core::service::HealthOverride;
use swarm_core::{
    FailureAction, Mode, PortConfig, RestartCondition, ServiceSpec, UpdateConfig, UpdateOrder,
};

use super::super::service_cmd::opts::{
    go_parse_duration, nano_cpus, parse_publish, ram_in_bytes, shell_split,
};

/// The stack's label on every object it creates.
pub(crate) const LABEL_NAMESPACE: &str = "com.docker.stack.namespace";
/// The image as the file wrote it, on the service.
pub(crate) const LABEL_IMAGE: &str = "com.docker.stack.image";

/// The loaded (merged, interpolated, validated) compose configuration.
#[derive(Debug, Default)]
pub(crate) struct Config {
    /// The merged top-level mapping.
    root: Map<String, Value>,
    /// What the CLI prints on stderr after loading (unsupported and deprecated keys).
    pub warnings: String,
}

/// A top-level network as the stack needs it.
#[derive(Debug, Default, Clone)]
pub(crate) struct NetworkDef {
    /// `name:` (or the external name).
    pub name: String,
    pub external: bool,
    pub driver: String,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    pub attachable: bool,
    pub internal: bool,
}

/// A top-level secret or config (`secrets:`/`configs:`), as the loader leaves it.
#[derive(Debug, Default, Clone)]
pub(crate) struct FileObjectDef {
    /// `name:`, or for an external object the name to look up (`external.name`, else the key);
    /// empty: the stack scopes the key (`<stack>_<key>`).
    pub name: String,
    /// `file:` as written (relative to the compose file's directory).
    pub file: String,
    pub external: bool,
    pub labels: BTreeMap<String, String>,
    /// `driver:` (secrets from a secret store: no file).
    pub driver: String,
    pub template_driver: String,
}

/// A service's reference to a secret or config (short syntax: just `source`).
#[derive(Debug, Default, Clone)]
pub(crate) struct FileRefDef {
    pub source: String,
    pub target: String,
    pub uid: String,
    pub gid: String,
    pub mode: Option<u32>,
}

// ---------------------------------------------------------------------------------------
// Loading

/// Service keys that swarm ignores, with a warning.
const UNSUPPORTED: &[&str] = &[
    "build",
    "cgroupns_mode",
    "cgroup_parent",
    "devices",
    "domainname",
    "external_links",
    "ipc",
    "links",
    "mac_address",
    "network_mode",
    "pid",
    "privileged",
    "restart",
    "security_opt",
    "shm_size",
    "userns_mode",
];

/// Deprecated service keys and why.
const DEPRECATED: &[(&str, &str)] = &[
    (
        "container_name",
        "Setting the container name is not supported.",
    ),
    (
        "expose",
        "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
    ),
];

/// Service keys that make the deploy fail.
const FORBIDDEN: &[(&str, &str)] = &[
    ("extends", "Support for `extends` is not implemented yet."),
    (
        "volume_driver",
        "Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.",
    ),
    (
        "volumes_from",
        "To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.",
    ),
    ("cpu_quota", "Set resource limits using deploy.resources"),
    ("cpu_shares", "Set resource limits using deploy.resources"),
    ("cpuset", "Set resource limits using deploy.resources"),
    ("mem_limit", "Set resource limits using deploy.resources"),
    ("memswap_limit", "Set resource limits using deploy.resources"),
];

/// distribution/reference's `ParseAnyReference`, as far as its errors go.
fn check_reference(image: &str) -> Result<(), String> {
    if swarm_core::catalog::normalize(image).is_some() {
        return Ok(());
    }
    let lower = image.to_ascii_lowercase();
    if lower != image && swarm_core::catalog::normalize(&lower).is_some() {
        let name = image.split(['@', ':']).next().unwrap_or(image).to_string();
        let name = match name.split_once('/') {
            None => format!("library/{name}"),
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                rest.to_string()
            }
            Some(_) => name,
        };
        return Err(format!(
            "invalid reference format: repository name ({name}) must be lowercase"
        ));
    }
    Err("invalid reference format".into())
}

/// The file's schema version (`version` absent → 3.13).
fn version_of(root: &Map<String, Value>) -> Result<String, String> {
    match root.get("version") {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err("version must be a string".into()),
    }
}

fn check_version(v: &str) -> Result<(), String> {
    let ok = match v {
        "" | "3" => true,
        _ => v
            .strip_prefix("3.")
            .and_then(|m| m.parse::<u32>().ok().filter(|_| m.len() <= 2))
            .is_some_and(|m| m <= 13),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("unsupported Compose file version: {v}"))
    }
}

fn services_of(root: &Map<String, Value>) -> impl Iterator<Item = (&String, &Map<String, Value>)> {
    root.get("services")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
        .filter_map(|(k, v)| v.as_object().map(|o| (k, o)))
}

fn check_forbidden(root: &Map<String, Value>) -> Result<(), String> {
    let mut found: BTreeMap<&str, &str> = BTreeMap::new();
    for (_, svc) in services_of(root) {
        for (k, why) in FORBIDDEN {
            if svc.contains_key(*k) {
                found.insert(k, why);
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = found.iter().map(|(k, w)| format!("{k}: {w}")).collect();
    Err(format!(
        "Compose file contains unsupported options:\n\n{}\n",
        lines.join("\n\n")
    ))
}

// ---------------------------------------------------------------------------------------
// Interpolation (docker/cli `cli/compose/template`)

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// `template.Substitute`: `$$`, `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`,
/// `${VAR?e}`. Unset variables are empty.
pub(crate) fn substitute(
    s: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    // An invalid template is reported as itself (`InvalidTemplateError.Template`).
    let invalid = || s.to_string();
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        match next {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some(c) if is_name_start(c) => {
                let mut j = i + 1;
                while j < chars.len() && is_name_char(chars[j]) {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect();
                out.push_str(&lookup(&name).unwrap_or_default());
                i = j;
            }
            Some('{') => {
                let Some(close) = chars[i + 2..].iter().position(|&c| c == '}') else {
                    return Err(invalid());
                };
                let body: String = chars[i + 2..i + 2 + close].iter().collect();
                let name_len = body
                    .char_indices()
                    .find(|&(k, c)| !(is_name_char(c) && (k > 0 || is_name_start(c))))
                    .map_or(body.len(), |(k, _)| k);
                if name_len == 0 {
                    return Err(invalid());
                }
                let (name, rest) = body.split_at(name_len);
                let value = lookup(name);
                let (colon, rest) = match rest.strip_prefix(':') {
                    Some(r) => (true, r),
                    None => (false, rest),
                };
                let missing = match &value {
                    None => true,
                    Some(v) => colon && v.is_empty(),
                };
                if rest.is_empty() && !colon {
                    out.push_str(&value.unwrap_or_default());
                } else if let Some(d) = rest.strip_prefix('-') {
                    if missing {
                        out.push_str(d);
                    } else {
                        out.push_str(&value.unwrap_or_default());
                    }
                } else if let Some(e) = rest.strip_prefix('?') {
                    if missing {
                        return Err(format!("required variable {name} is missing a value: {e}"));
                    }
                    out.push_str(&value.unwrap_or_default());
                } else {
                    return Err(invalid());
                }
                i += 3 + close;
            }
            _ => return Err(invalid()),
        }
    }
    Ok(out)
}

/// Go's `%q`.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

pub(crate) fn interpolate(
    v: &mut Value,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), String> {
    match v {
        Value::String(s) => {
            *s = substitute(s, lookup).map_err(|e| {
                format!(
                    "invalid interpolation format for {path}: {}; you may need to escape any $ with another $",
                    go_quote(&e)
                )
            })?;
        }
        Value::Array(items) => {
            for x in items {
                interpolate(x, &format!("{path}.[]"), lookup)?;
            }
        }
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                interpolate(x, &sub, lookup)?;
            }
        }
        _ => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The schema (the parts of compose-file v3.13 a stack uses)

#[derive(Clone, Copy)]
enum S {
    Any,
    Str,
    Int,
    Num,
    Bool,
    /// A string in Go's duration format.
    Dur,
    /// A string or a list of strings (`command`).
    StrOrList,
    /// A mapping of scalars, or a list of strings (`environment`, `labels`).
    ListOrDict,
    StrList,
    /// A mapping with these keys (`x-` keys allowed); nullable or not.
    Obj(&'static [(&'static str, S)], bool),
    /// A list of these.
    List(&'static S),
    /// A mapping of any name to this (nullable values).
    Map(&'static S),
    Ports,
    ServiceNetworks,
    /// An integer or a string (`published`).
    IntOrStr,
    /// A boolean or a mapping (`external`).
    External,
    /// A service's `secrets:`/`configs:`: names, or `{source, target, uid, gid, mode}`.
    FileRefs,
    /// One of these strings.
    Enum(&'static [&'static str]),
}

const UPDATE: S = S::Obj(
    &[
        ("parallelism", S::Int),
        ("delay", S::Dur),
        ("failure_action", S::Str),
        ("monitor", S::Dur),
        ("max_failure_ratio", S::Num),
        ("order", S::Enum(&["start-first", "stop-first"])),
    ],
    false,
);

const RESOURCE: S = S::Obj(
    &[
        ("cpus", S::Str),
        ("memory", S::Str),
        ("pids", S::Int),
        ("generic_resources", S::Any),
        ("devices", S::Any),
    ],
    false,
);

const PREFERENCE: S = S::Obj(&[("spread", S::Str)], false);

const DEPLOY: S = S::Obj(
    &[
        ("mode", S::Str),
        ("endpoint_mode", S::Str),
        ("replicas", S::Int),
        ("labels", S::ListOrDict),
        ("rollback_config", UPDATE),
        ("update_config", UPDATE),
        (
            "resources",
            S::Obj(&[("limits", RESOURCE), ("reservations", RESOURCE)], false),
        ),
        (
            "restart_policy",
            S::Obj(
                &[
                    ("condition", S::Str),
                    ("delay", S::Dur),
                    ("max_attempts", S::Int),
                    ("window", S::Dur),
                ],
                false,
            ),
        ),
        (
            "placement",
            S::Obj(
                &[
                    ("constraints", S::StrList),
                    ("preferences", S::List(&PREFERENCE)),
                    ("max_replicas_per_node", S::Int),
                ],
                false,
            ),
        ),
    ],
    true,
);

const HEALTHCHECK: S = S::Obj(
    &[
        ("disable", S::Bool),
        ("interval", S::Dur),
        ("retries", S::Num),
        ("test", S::StrOrList),
        ("timeout", S::Dur),
        ("start_period", S::Dur),
        ("start_interval", S::Dur),
    ],
    false,
);

const SERVICE: S = S::Obj(
    &[
        ("build", S::Any),
        ("cap_add", S::StrList),
        ("cap_drop", S::StrList),
        ("cgroupns_mode", S::Any),
        ("cgroup_parent", S::Any),
        ("command", S::StrOrList),
        ("configs", S::FileRefs),
        ("container_name", S::Str),
        ("credential_spec", S::Any),
        ("depends_on", S::Any),
        ("deploy", DEPLOY),
        ("devices", S::Any),
        ("dns", S::Any),
        ("dns_search", S::Any),
        ("domainname", S::Any),
        ("entrypoint", S::StrOrList),
        ("env_file", S::Any),
        ("environment", S::ListOrDict),
        ("expose", S::Any),
        ("external_links", S::Any),
        ("extra_hosts", S::Any),
        ("healthcheck", HEALTHCHECK),
        ("hostname", S::Str),
        ("image", S::Str),
        ("init", S::Bool),
        ("ipc", S::Any),
        ("isolation", S::Str),
        ("labels", S::ListOrDict),
        ("links", S::Any),
        ("logging", S::Any),
        ("mac_address", S::Any),
        ("network_mode", S::Any),
        ("networks", S::ServiceNetworks),
        ("pid", S::Any),
        ("ports", S::Ports),
        ("privileged", S::Any),
        ("read_only", S::Bool),
        ("restart", S::Any),
        ("secrets", S::FileRefs),
        ("security_opt", S::Any),
        ("shm_size", S::Any),
        ("stdin_open", S::Bool),
        ("stop_grace_period", S::Dur),
        ("stop_signal", S::Str),
        ("sysctls", S::Any),
        ("tmpfs", S::Any),
        ("tty", S::Bool),
        ("ulimits", S::Any),
        ("user", S::Str),
        ("userns_mode", S::Any),
        ("volumes", S::Any),
        ("working_dir", S::Str),
    ],
    false,
);

const NETWORK: S = S::Obj(
    &[
        ("name", S::Str),
        ("driver", S::Str),
        ("driver_opts", S::Any),
        ("ipam", S::Any),
        ("external", S::External),
        ("internal", S::Bool),
        ("attachable", S::Bool),
        ("labels", S::ListOrDict),
    ],
    true,
);

const ROOT: S = S::Obj(
    &[
        ("version", S::Str),
        ("services", S::Map(&SERVICE)),
        ("networks", S::Map(&NETWORK)),
        ("volumes", S::Any),
        ("secrets", S::Map(&SECRET)),
        ("configs", S::Map(&CONFIG)),
    ],
    false,
);

const SECRET: S = S::Obj(
    &[
        ("name", S::Str),
        ("file", S::Str),
        ("external", S::External),
        ("labels", S::ListOrDict),
        ("driver", S::Str),
        ("driver_opts", S::Any),
        ("template_driver", S::Str),
    ],
    false,
);

const CONFIG: S = S::Obj(
    &[
        ("name", S::Str),
        ("file", S::Str),
        ("external", S::External),
        ("labels", S::ListOrDict),
        ("template_driver", S::Str),
    ],
    false,
);

fn type_error(path: &str, what: &str) -> String {
    format!("{path} must be a {what}")
}

fn field(path: &str, key: &str) -> String {
    if path == "(root)" {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn validate(v: &Value, s: S, path: &str) -> Result<(), String> {
    match s {
        S::Any => Ok(()),
        S::Str => match v {
            Value::String(_) => Ok(()),
            _ => Err(type_error(path, "string")),
        },
        S::Int => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            _ => Err(type_error(path, "integer")),
        },
        S::Num => match v {
            Value::Number(_) => Ok(()),
            _ => Err(type_error(path, "number")),
        },
        S::Bool => match v {
            Value::Bool(_) => Ok(()),
            _ => Err(type_error(path, "boolean")),
        },
        S::Dur => match v {
            Value::String(d) if go_parse_duration(d).is_ok() => Ok(()),
            Value::String(_) => Err(format!("{path} Does not match format 'duration'")),
            _ => Err(type_error(path, "string")),
        },
        S::StrOrList => match v {
            Value::String(_) => Ok(()),
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(()),
            _ => Err(type_error(path, "string")),
        },
        S::StrList => match v {
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    if !x.is_string() {
                        return Err(type_error(&format!("{path}.{i}"), "string"));
                    }
                }
                Ok(())
            }
            _ => Err(type_error(path, "list")),
        },
        S::ListOrDict => match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if !matches!(x, Value::String(_) | Value::Number(_) | Value::Null) {
                        return Err(type_error(&field(path, k), "string, number or null"));
                    }
                }
                Ok(())
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    if !x.is_string() {
                        return Err(type_error(&format!("{path}.{i}"), "string"));
                    }
                }
                Ok(())
            }
            _ => Err(type_error(path, "mapping")),
        },
        S::Obj(keys, nullable) => {
            let m = match v {
                Value::Object(m) => m,
                Value::Null if nullable => return Ok(()),
                _ if nullable => return Err(type_error(path, "mapping or null")),
                _ => return Err(type_error(path, "mapping")),
            };
            for (k, x) in m {
                if k.starts_with("x-") {
                    continue;
                }
                match keys.iter().find(|(name, _)| name == k) {
                    Some((_, sub)) => validate(x, *sub, &field(path, k))?,
                    None => return Err(format!("{path} Additional property {k} is not allowed")),
                }
            }
            Ok(())
        }
        S::List(item) => match v {
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    validate(x, *item, &format!("{path}.{i}"))?;
                }
                Ok(())
            }
            _ => Err(type_error(path, "list")),
        },
        S::Map(item) => match v {
            Value::Object(m) => {
                for (k, x) in m {
                    // The schema's `patternProperties` for service names.
                    let named = !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
                    if path == "services" && !named {
                        return Err(format!("services Additional property {k} is not allowed"));
                    }
                    if path == "services" && x.is_null() {
                        return Err(type_error(&field(path, k), "mapping"));
                    }
                    validate(x, *item, &field(path, k))?;
                }
                Ok(())
            }
            Value::Null if path != "services" => Ok(()),
            _ => Err(type_error(path, "mapping")),
        },
        S::Enum(allowed) => match v {
            Value::String(x) if allowed.contains(&x.as_str()) => Ok(()),
            // gojsonschema's enum text, the path twice as docker prints it.
            _ => Err(format!(
                "{path} {path} must be one of the following: {}",
                allowed
                    .iter()
                    .map(|a| format!("\"{a}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
        S::IntOrStr => match v {
            Value::String(_) => Ok(()),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            _ => Err(type_error(path, "integer or string")),
        },
        S::External => match v {
            Value::Bool(_) => Ok(()),
            Value::Object(_) => validate(v, S::Obj(&[("name", S::Str)], false), path),
            _ => Err(type_error(path, "boolean or mapping")),
        },
        S::Ports => {
            const LONG: S = S::Obj(
                &[
                    ("mode", S::Str),
                    ("host_ip", S::Str),
                    ("target", S::Int),
                    ("published", S::IntOrStr),
                    ("protocol", S::Str),
                ],
                false,
            );
            let Value::Array(items) = v else {
                return Err(type_error(path, "list"));
            };
            for (i, x) in items.iter().enumerate() {
                let p = format!("{path}.{i}");
                match x {
                    Value::Number(n) if n.is_u64() => short_ports(&n.to_string())
                        .map(|_| ())
                        .map_err(|_| format!("{p} Does not match format 'ports'"))?,
                    Value::String(s) => short_ports(s)
                        .map(|_| ())
                        .map_err(|_| format!("{p} Does not match format 'ports'"))?,
                    Value::Object(_) => validate(x, LONG, &p)?,
                    _ => return Err(type_error(&p, "number")),
                }
            }
            Ok(())
        }
        S::FileRefs => {
            const LONG: S = S::Obj(
                &[
                    ("source", S::Str),
                    ("target", S::Str),
                    ("uid", S::Str),
                    ("gid", S::Str),
                    ("mode", S::Any),
                ],
                false,
            );
            let Value::Array(items) = v else {
                return Err(type_error(path, "list"));
            };
            for (i, x) in items.iter().enumerate() {
                let p = format!("{path}.{i}");
                match x {
                    Value::String(_) => {}
                    Value::Object(m) => {
                        validate(x, LONG, &p)?;
                        if m.get("mode").is_some_and(|v| file_mode(v).is_none()) {
                            return Err(type_error(&format!("{p}.mode"), "number"));
                        }
                    }
                    _ => return Err(type_error(&p, "string")),
                }
            }
            Ok(())
        }
        S::ServiceNetworks => {
            const ALIASES: S = S::Obj(
                &[
                    ("aliases", S::StrList),
                    ("ipv4_address", S::Str),
                    ("ipv6_address", S::Str),
                ],
                true,
            );
            match v {
                Value::Array(_) => validate(v, S::StrList, path),
                Value::Object(m) => {
                    for (k, x) in m {
                        validate(x, ALIASES, &field(path, k))?;
                    }
                    Ok(())
                }
                _ => Err(type_error(path, "list")),
            }
        }
    }
}

/// The short port syntax (`8080:80`, `80`, `8080:80/udp`, ranges), docker's `ports` format.
pub(super) fn short_ports(s: &str) -> Result<Vec<PortConfig>, String> {
    if s.is_empty() || s.contains('=') || s.contains(',') {
        return Err(format!("invalid port {s}"));
    }
    // An IP in front (`127.0.0.1:8080:80`) is accepted by the format and ignored by swarm.
    let parts: Vec<&str> = s.split(':').collect();
    let spec = if parts.len() == 3 {
        if parts[0].parse::<std::net::Ipv4Addr>().is_err() {
            return Err(format!("invalid port {s}"));
        }
        format!("{}:{}", parts[1], parts[2])
    } else {
        s.to_string()
    };
    parse_publish(&spec)
}

/// Loads the files, each parsed by `swarm_extras::yaml` (its top-level mapping or go-yaml's
/// error), in order, as `docker stack deploy -c A -c B` does.
pub(crate) fn load(
    files: Vec<swarm_extras::yaml::Document>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, String> {
    let mut version: Option<String> = None;
    let mut dicts: Vec<Map<String, Value>> = Vec::new();
    for parsed in files {
        let mut root = parsed?;
        let v = version_of(&root)?;
        match &version {
            None => version = Some(v.clone()),
            Some(first) if *first != v => {
                return Err(format!(
                    "version mismatched between two composefiles : {first} and {v}"
                ))
            }
            Some(_) => {}
        }
        check_version(&v)?;
        check_forbidden(&root)?;
        for (k, x) in root.iter_mut() {
            interpolate(x, k, lookup)?;
        }
        validate(&Value::Object(root.clone()), ROOT, "(root)")?;
        dicts.push(root);
    }
    let mut unsupported: BTreeSet<&str> = BTreeSet::new();
    let mut deprecated: BTreeMap<&str, &str> = BTreeMap::new();
    for d in &dicts {
        for (_, svc) in services_of(d) {
            for k in UNSUPPORTED {
                if svc.contains_key(*k) {
                    unsupported.insert(k);
                }
            }
            for (k, why) in DEPRECATED {
                if svc.contains_key(*k) {
                    deprecated.insert(k, why);
                }
            }
        }
    }
    let mut dicts = dicts.into_iter();
    let mut root = dicts.next().unwrap_or_default();
    let mut normalized = false;
    for mut d in dicts {
        if !normalized {
            super::merge::normalize(&mut root, lookup);
            normalized = true;
        }
        super::merge::normalize(&mut d, lookup);
        super::merge::merge_files(&mut root, d);
    }
    let mut warnings = String::new();
    if !unsupported.is_empty() {
        let list: Vec<&str> = unsupported.into_iter().collect();
        warnings.push_str(&format!(
            "Ignoring unsupported options: {}\n\n",
            list.join(", ")
        ));
    }
    if !deprecated.is_empty() {
        let lines: Vec<String> = deprecated
            .iter()
            .map(|(k, w)| format!("{k}: {w}"))
            .collect();
        warnings.push_str(&format!(
            "Ignoring deprecated options:\n\n{}\n\n",
            lines.join("\n\n")
        ));
    }
    let config = Config { root, warnings };
    config.check_typed()?;
    config.check_file_objects()?;
    Ok(config)
}

// ---------------------------------------------------------------------------------------
// Reading the typed values

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

fn obj<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a Map<String, Value>> {
    m.get(k).and_then(Value::as_object)
}

fn uint(m: &Map<String, Value>, k: &str) -> Option<u64> {
    m.get(k).and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_i64().map(|i| i.max(0) as u64))
            .or_else(|| v.as_f64().map(|f| f.max(0.0) as u64))
    })
}

/// A duration key in milliseconds (validated already).
fn dur_ms(m: &Map<String, Value>, k: &str) -> Option<u64> {
    s(m, k)
        .and_then(|d| go_parse_duration(d).ok())
        .map(|n| (n.max(0) / 1_000_000) as u64)
}

/// A scalar as Go's `fmt.Sprint` shows it.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `environment`/`labels`: the mapping, with `None` for keys without a value.
pub(crate) fn list_or_dict(v: Option<&Value>) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    match v {
        Some(Value::Object(m)) => {
            for (k, x) in m {
                out.insert(k.clone(), scalar(x));
            }
        }
        Some(Value::Array(items)) => {
            for x in items.iter().filter_map(Value::as_str) {
                match x.split_once('=') {
                    Some((k, v)) => out.insert(k.to_string(), Some(v.to_string())),
                    None => out.insert(x.to_string(), None),
                };
            }
        }
        _ => {}
    }
    out
}

fn labels(v: Option<&Value>) -> BTreeMap<String, String> {
    list_or_dict(v)
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .btree_map()
}

pub(crate) fn str_or_list(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::String(s) => Some(shell_split(s)),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
        ),
        _ => None,
    }
}

fn decode_error(field: &str, e: &str) -> String {
    format!("decoding failed due to the following error(s):\n\nerror decoding '{field}': {e}")
}

impl Config {
    /// The services in file order (Go's map order in docker; a stable order here), those
    /// only a later file adds after the first file's.
    pub(crate) fn services(&self) -> Vec<(&String, &Map<String, Value>)> {
        services_of(&self.root).collect()
    }

    /// The loader's typed decoding: sizes.
    fn check_typed(&self) -> Result<(), String> {
        for (_, svc) in self.services() {
            if let Some(res) = obj(svc, "deploy").and_then(|d| obj(d, "resources")) {
                for (part, field) in [("limits", "Limits"), ("reservations", "Reservations")] {
                    if let Some(mem) = obj(res, part).and_then(|p| s(p, "memory")) {
                        ram_in_bytes(mem).map_err(|e| {
                            decode_error(&format!("Deploy.Resources.{field}.memory"), &e)
                        })?;
                    }
                }
            }
        }
        Ok(())
    }

    /// An image for every service: docker/cli's LoadComposefile checks this after it
    /// printed the `warnings`, so the caller does too.
    pub(crate) fn check_images(&self) -> Result<(), String> {
        for (name, svc) in self.services() {
            let image = s(svc, "image").unwrap_or("");
            if image.is_empty() {
                return Err(format!(
                    "invalid image reference for service {name}: no image specified"
                ));
            }
            if let Err(e) = check_reference(image) {
                return Err(format!("invalid image reference for service {name}: {e}"));
            }
        }
        Ok(())
    }

    /// A top-level network (the defaults when it is not declared).
    pub(crate) fn network(&self, key: &str) -> Option<NetworkDef> {
        let nets = obj(&self.root, "networks");
        let declared = nets.and_then(|n| n.get(key));
        if declared.is_none() && key != "default" {
            return None;
        }
        let mut def = NetworkDef::default();
        if let Some(m) = declared.and_then(Value::as_object) {
            def.name = s(m, "name").unwrap_or("").to_string();
            def.driver = s(m, "driver").unwrap_or("").to_string();
            def.labels = labels(m.get("labels"));
            def.options = labels(m.get("driver_opts"));
            def.attachable = m
                .get("attachable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            def.internal = m.get("internal").and_then(Value::as_bool).unwrap_or(false);
            match m.get("external") {
                Some(Value::Bool(true)) => def.external = true,
                Some(Value::Object(e)) => {
                    def.external = true;
                    if let Some(n) = s(e, "name") {
                        def.name = n.to_string();
                    }
                }
                _ => {}
            }
            if def.external && def.name.is_empty() {
                def.name = key.to_string();
            }
        }
        Some(def)
    }
}

impl Config {
    /// The top-level secrets (`kind` = `secrets`) or configs (`configs`), sorted by key.
    pub(crate) fn file_objects(&self, kind: &str) -> Vec<(String, FileObjectDef)> {
        obj(&self.root, kind)
            .map(|m| {
                m.keys()
                    .filter(|k| !k.starts_with("x-"))
                    .filter_map(|k| self.file_object(kind, k).map(|d| (k.clone(), d)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One top-level secret or config, as the loader's `loadFileObjectConfig` leaves it.
    pub(crate) fn file_object(&self, kind: &str, key: &str) -> Option<FileObjectDef> {
        let m = obj(&self.root, kind)?.get(key)?.as_object()?;
        let mut def = FileObjectDef {
            name: s(m, "name").unwrap_or("").to_string(),
            file: s(m, "file").unwrap_or("").to_string(),
            labels: labels(m.get("labels")),
            driver: s(m, "driver").unwrap_or("").to_string(),
            template_driver: s(m, "template_driver").unwrap_or("").to_string(),
            ..FileObjectDef::default()
        };
        match m.get("external") {
            Some(Value::Bool(true)) => def.external = true,
            Some(Value::Object(e)) => {
                def.external = true;
                if let Some(n) = s(e, "name") {
                    def.name = n.to_string();
                }
            }
            _ => {}
        }
        if def.external && def.name.is_empty() {
            def.name = key.to_string();
        }
        Some(def)
    }

    /// The loader's checks of top-level secrets and configs (`loadFileObjectConfig`).
    fn check_file_objects(&self) -> Result<(), String> {
        for (kind, what) in [("secrets", "secret"), ("configs", "config")] {
            let Some(m) = obj(&self.root, kind) else {
                continue;
            };
            for (key, v) in m {
                let Some(d) = v.as_object() else { continue };
                let ext_name = d
                    .get("external")
                    .and_then(Value::as_object)
                    .and_then(|e| s(e, "name"));
                if ext_name.is_some() && s(d, "name").is_some_and(|n| !n.is_empty()) {
                    return Err(format!(
                        "{what} {key}: {what}.external.name and {what}.name conflict; only use {what}.name"
                    ));
                }
                let external = matches!(
                    d.get("external"),
                    Some(Value::Bool(true)) | Some(Value::Object(_))
                );
                if !external
                    && s(d, "driver").is_some_and(|x| !x.is_empty())
                    && s(d, "file").is_some_and(|x| !x.is_empty())
                {
                    return Err(format!(
                        "{what} {key}: {what}.driver and {what}.file conflict; only use {what}.driver"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A file `mode:`. YAML 1.1 (docker's loader) reads `0440` as octal; serde_yaml leaves such
/// a plain scalar a string, so strings are read as Go's `ParseInt(s, 0, …)` would.
fn file_mode(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .and_then(|m| u32::try_from(m).ok()),
        Value::String(s) => super::super::service_cmd::opts::parse_uint(s)
            .ok()
            .and_then(|m| u32::try_from(m).ok()),
        _ => None,
    }
}

/// A service's `secrets:` (`kind` = `secrets`) or `configs:` references, in file order.
pub(crate) fn service_file_refs(svc: &Map<String, Value>, kind: &str) -> Vec<FileRefDef> {
    let Some(Value::Array(items)) = svc.get(kind) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|x| match x {
            Value::String(src) => Some(FileRefDef {
                source: src.clone(),
                ..FileRefDef::default()
            }),
            Value::Object(m) => Some(FileRefDef {
                source: s(m, "source").unwrap_or("").to_string(),
                target: s(m, "target").unwrap_or("").to_string(),
                uid: s(m, "uid").unwrap_or("").to_string(),
                gid: s(m, "gid").unwrap_or("").to_string(),
                mode: m.get("mode").and_then(file_mode),
            }),
            _ => None,
        })
        .collect()
}

/// A service's `aliases:` on the network `key` (long syntax), as written.
pub(crate) fn service_network_aliases(svc: &Map<String, Value>, key: &str) -> Vec<String> {
    svc.get("networks")
        .and_then(Value::as_object)
        .and_then(|m| m.get(key))
        .and_then(Value::as_object)
        .and_then(|n| n.get("aliases"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The network keys a service is attached to (`default` when it names none).
pub(crate) fn service_networks(svc: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = match svc.get("networks") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    };
    if out.is_empty() {
        out.push("default".into());
    }
    out
}

fn update_config(
    m: Option<&Map<String, Value>>,
    what: &str,
) -> Result<Option<UpdateConfig>, String> {
    let Some(m) = m else { return Ok(None) };
    let mut c = UpdateConfig {
        parallelism: uint(m, "parallelism").unwrap_or(1),
        ..UpdateConfig::default()
    };
    if let Some(d) = dur_ms(m, "delay") {
        c.delay_ms = d;
    }
    if let Some(d) = dur_ms(m, "monitor") {
        c.monitor_ms = d;
    }
    if let Some(a) = s(m, "failure_action").filter(|a| !a.is_empty()) {
        c.failure_action = FailureAction::parse(a)
            .ok_or_else(|| format!("unrecognized {what} failure action {a}"))?;
    }
    if let Some(r) = m.get("max_failure_ratio").and_then(Value::as_f64) {
        c.max_failure_ratio = r;
    }
    if let Some(o) = s(m, "order").filter(|o| !o.is_empty()) {
        c.order = UpdateOrder::parse(o).ok_or_else(|| format!("unrecognized {what} order {o}"))?;
    }
    Ok(Some(c))
}

/// docker/cli `convert.Service`: the service `key` of stack `namespace` as a spec, attached
/// to the networks `networks` (already resolved to their names). `Err` is the CLI's text.
pub(crate) fn service_spec(
    namespace: &str,
    key: &str,
    svc: &Map<String, Value>,
    networks: Vec<String>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<ServiceSpec, String> {
    let image = s(svc, "image").unwrap_or("").to_string();
    let mut spec = ServiceSpec::new(&format!("{namespace}_{key}"), &image);
    let deploy = obj(svc, "deploy");
    let empty = Map::new();
    let d = deploy.unwrap_or(&empty);

    spec.labels = labels(d.get("labels"));
    spec.labels
        .insert(LABEL_NAMESPACE.into(), namespace.to_string());
    spec.labels.insert(LABEL_IMAGE.into(), image.clone());
    spec.container_labels = labels(svc.get("labels"));
    spec.container_labels
        .insert(LABEL_NAMESPACE.into(), namespace.to_string());

    if let Some(c) = str_or_list(svc.get("entrypoint")) {
        spec.command = c;
    }
    if let Some(c) = str_or_list(svc.get("command")) {
        spec.args = c;
    }
    spec.env = list_or_dict(svc.get("environment"))
        .into_iter()
        .map(|(k, v)| match v.or_else(|| lookup(&k)) {
            Some(v) => format!("{k}={v}"),
            None => k,
        })
        .collect();
    swarm_core::sort::sort(&mut spec.env);
    spec.hostname = s(svc, "hostname").unwrap_or("").to_string();
    spec.user = s(svc, "user").unwrap_or("").to_string();
    spec.workdir = s(svc, "working_dir").unwrap_or("").to_string();
    spec.stop_signal = s(svc, "stop_signal").unwrap_or("").to_string();
    spec.stop_grace_ms = dur_ms(svc, "stop_grace_period");
    spec.tty = svc.get("tty").and_then(Value::as_bool).unwrap_or(false);
    spec.init = svc.get("init").and_then(Value::as_bool);

    // Healthcheck.
    if let Some(h) = obj(svc, "healthcheck") {
        let test = match h.get("test") {
            Some(Value::String(t)) => vec!["CMD-SHELL".to_string(), t.clone()],
            other => str_or_list(other).unwrap_or_default(),
        };
        if h.get("disable").and_then(Value::as_bool) == Some(true) {
            if !test.is_empty() {
                return Err("test and disable can't be set at the same time".into());
            }
            spec.healthcheck = Some(HealthOverride {
                test: vec!["NONE".into()],
                ..HealthOverride::default()
            });
        } else {
            spec.healthcheck = Some(HealthOverride {
                test,
                interval_ms: dur_ms(h, "interval").unwrap_or(0),
                timeout_ms: dur_ms(h, "timeout").unwrap_or(0),
                start_period_ms: dur_ms(h, "start_period").unwrap_or(0),
                start_interval_ms: dur_ms(h, "start_interval").unwrap_or(0),
                retries: uint(h, "retries").unwrap_or(0).min(u64::from(u32::MAX)) as u32,
            });
        }
    }

    // Mode and replicas.
    let replicas = uint(d, "replicas");
    spec.mode = match s(d, "mode").unwrap_or("") {
        "global" => {
            if replicas.is_some() {
                return Err(
                    "replicas can only be used with replicated or replicated-job mode".into(),
                );
            }
            Mode::Global
        }
        "" | "replicated" => Mode::Replicated {
            replicas: replicas.unwrap_or(1),
        },
        "replicated-job" => Mode::ReplicatedJob {
            max_concurrent: replicas.unwrap_or(1),
            total_completions: replicas.unwrap_or(1),
        },
        "global-job" => {
            if replicas.is_some() {
                return Err(
                    "replicas can only be used with replicated or replicated-job mode".into(),
                );
            }
            Mode::GlobalJob
        }
        other => return Err(format!("Unknown mode: {other}")),
    };
    if let Some(e) = s(d, "endpoint_mode").filter(|e| !e.is_empty()) {
        spec.endpoint_mode = e.to_string();
    }

    // Resources: only the parts the file declares (convertResources).
    let res = obj(d, "resources");
    let declared = |k: &str| res.and_then(|r| r.get(k)).is_some_and(|v| !v.is_null());
    spec.resources.no_limits = !declared("limits");
    spec.resources.no_reservations = !declared("reservations");
    if let Some(res) = res {
        if let Some(l) = obj(res, "limits") {
            if let Some(c) = s(l, "cpus") {
                spec.resources.limit_nano_cpus = nano_cpus(c)?;
            }
            if let Some(mem) = s(l, "memory") {
                spec.resources.limit_memory = ram_in_bytes(mem)?;
            }
            if let Some(p) = l.get("pids").and_then(Value::as_i64) {
                spec.resources.limit_pids = p;
            }
        }
        if let Some(r) = obj(res, "reservations") {
            if let Some(c) = s(r, "cpus") {
                spec.resources.reserve_nano_cpus = nano_cpus(c)?;
            }
            if let Some(mem) = s(r, "memory") {
                spec.resources.reserve_memory = ram_in_bytes(mem)?;
            }
        }
    }

    // Restart policy: deploy.restart_policy, else the `restart` key.
    if let Some(r) = obj(d, "restart_policy") {
        if let Some(c) = s(r, "condition").filter(|c| !c.is_empty()) {
            spec.restart.condition = Some(RestartCondition::parse(c).ok_or_else(|| {
                format!("Error response from daemon: invalid RestartCondition: \"{c}\"")
            })?);
        }
        spec.restart.delay_ms = dur_ms(r, "delay");
        spec.restart.max_attempts = uint(r, "max_attempts");
        spec.restart.window_ms = dur_ms(r, "window");
    } else if let Some(r) = svc.get("restart").and_then(Value::as_str) {
        match r {
            "always" | "unless-stopped" => {
                spec.restart.condition = Some(RestartCondition::Any);
            }
            "no" | "" => {}
            _ => {
                let (c, n) = r.split_once(':').unwrap_or((r, ""));
                if c != "on-failure" {
                    return Err(format!("unknown restart policy: {r}"));
                }
                spec.restart.condition = Some(RestartCondition::OnFailure);
                if !n.is_empty() {
                    spec.restart.max_attempts = Some(
                        n.parse::<u64>()
                            .map_err(|_| format!("invalid restart policy: {r}"))?,
                    );
                }
            }
        }
    }

    // Placement.
    if let Some(p) = obj(d, "placement") {
        spec.constraints = p
            .get("constraints")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        spec.preferences = p
            .get("preferences")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_object)
                    .filter_map(|x| s(x, "spread"))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        spec.max_replicas_per_node = uint(p, "max_replicas_per_node").unwrap_or(0);
    }

    spec.update = update_config(obj(d, "update_config"), "update")?;
    spec.rollback = update_config(obj(d, "rollback_config"), "rollback")?;

    // Ports, sorted by published port as the CLI sends them.
    let mut ports = Vec::new();
    for p in svc
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match p {
            Value::Object(m) => {
                let published = match m.get("published") {
                    Some(Value::String(x)) => x
                        .parse::<u16>()
                        .map_err(|_| format!("invalid published port: {x}"))?,
                    Some(v) => v.as_u64().unwrap_or(0).min(u64::from(u16::MAX)) as u16,
                    None => 0,
                };
                ports.push(PortConfig {
                    protocol: s(m, "protocol")
                        .filter(|x| !x.is_empty())
                        .unwrap_or("tcp")
                        .to_string(),
                    target: uint(m, "target").unwrap_or(0).min(u64::from(u16::MAX)) as u16,
                    published,
                    mode: s(m, "mode")
                        .filter(|x| !x.is_empty())
                        .unwrap_or("ingress")
                        .to_string(),
                });
            }
            other => {
                let text = scalar(other).unwrap_or_default();
                ports.extend(short_ports(&text)?);
            }
        }
    }
    swarm_core::sort::sort_by_key(&mut ports, |p| p.published);
    spec.ports = ports;
    spec.networks = networks;
    Ok(spec)
}

impl Config {
    /// A top-level section (`volumes` …) as the file wrote it, after merging and
    /// interpolation.
    pub(crate) fn section(&self, key: &str) -> Option<&Map<String, Value>> {
        obj(&self.root, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TAG" => Some("v2".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn load1(text: &str) -> Result<Config, String> {
        let c = load(vec![swarm_extras::yaml::parse(text)], &env)?;
        c.check_images()?;
        Ok(c)
    }

    #[test]
    fn warnings_come_before_the_image_check() {
        let c = load(
            vec![swarm_extras::yaml::parse(
                "services:\n  api:\n    build: .\n    restart: always\n",
            )],
            &env,
        )
        .unwrap();
        assert_eq!(
            c.warnings,
            "Ignoring unsupported options: build, restart\n\n"
        );
        assert_eq!(
            c.check_images().unwrap_err(),
            "invalid image reference for service api: no image specified"
        );
    }

    #[test]
    fn interpolation_forms() {
        let sub = |s: &str| substitute(s, &env);
        assert_eq!(sub("a:${TAG}").unwrap(), "a:v2");
        assert_eq!(sub("a:$TAG-x").unwrap(), "a:v2-x");
        assert_eq!(sub("${NOPE:-d}|${EMPTY:-e}|${EMPTY-f}").unwrap(), "d|e|");
        assert_eq!(sub("$$TAG").unwrap(), "$TAG");
        assert_eq!(
            sub("${NOPE:?need it}").unwrap_err(),
            "required variable NOPE is missing a value: need it"
        );
        assert_eq!(sub("${}").unwrap_err(), "${}");
        assert_eq!(sub("a$").unwrap_err(), "a$");
    }

    #[test]
    fn schema_errors_as_docker() {
        let e = |t: &str| load1(t).unwrap_err();
        assert_eq!(
            e("services:\n  web:\n    image: nginx\n    foo: 1\n"),
            "services.web Additional property foo is not allowed"
        );
        assert_eq!(
            e("foo: 1\nservices:\n  web:\n    image: nginx\n"),
            "(root) Additional property foo is not allowed"
        );
        assert_eq!(
            e("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: \"2\"\n"),
            "services.web.deploy.replicas must be a integer"
        );
        assert_eq!(
            e("services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          cpus: 0.5\n"),
            "services.web.deploy.resources.limits.cpus must be a string"
        );
        assert_eq!(
            e("services:\n  web:\n    image: nginx\n    environment:\n      B: true\n"),
            "services.web.environment.B must be a string, number or null"
        );
        assert_eq!(
            e("services:\n  web:\n    image: nginx\n    ports:\n      - \"80:80:80\"\n"),
            "services.web.ports.0 Does not match format 'ports'"
        );
        assert_eq!(
            e("services:\n  web:\n    image: nginx\n    stop_grace_period: 10x\n"),
            "services.web.stop_grace_period Does not match format 'duration'"
        );
        assert_eq!(
            e("version: 3.7\nservices: {}\n"),
            "version must be a string"
        );
        assert_eq!(
            e("version: \"2.4\"\nservices: {}\n"),
            "unsupported Compose file version: 2.4"
        );
        assert_eq!(e("services: []\n"), "services must be a mapping");
        assert_eq!(e("- a\n"), "top-level object must be a mapping");
        assert_eq!(e(""), "top-level object must be a mapping");
        assert_eq!(
            e("services:\n  web:\n    build: .\n"),
            "invalid image reference for service web: no image specified"
        );
        assert_eq!(
            e("services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          memory: 75Q\n"),
            "decoding failed due to the following error(s):\n\nerror decoding 'Deploy.Resources.Limits.memory': invalid suffix: 'q'"
        );
        assert!(e("services:\n  web:\n    image: [\n").starts_with("yaml: line "));
    }

    #[test]
    fn warnings_and_merges() {
        let c = load1(
            "x-base: &b\n  image: nginx:${TAG}\nservices:\n  web:\n    <<: *b\n    restart: always\n    build: .\n    container_name: x\n",
        )
        .unwrap();
        assert_eq!(
            c.warnings,
            "Ignoring unsupported options: build, restart\n\nIgnoring deprecated options:\n\ncontainer_name: Setting the container name is not supported.\n\n"
        );
        let (k, svc) = c.services()[0];
        let spec = service_spec("st", k, svc, vec!["st_default".into()], &env).unwrap();
        assert_eq!(spec.name, "st_web");
        assert_eq!(spec.image, "nginx:v2");
        assert_eq!(spec.restart.condition, Some(RestartCondition::Any));
        assert_eq!(
            spec.labels.get(LABEL_IMAGE).map(String::as_str),
            Some("nginx:v2")
        );
    }

    #[test]
    fn lab_stack_converts() {
        let c = load1(
            "version: \"3.7\"\nservices:\n  numbers-web:\n    image: diamol/ch08-numbers-web\n    environment:\n      - RngApi__Url=http://numbers-api/rng\n    ports:\n      - target: 80\n        published: 80\n        mode: host\n    deploy:\n      mode: global\n      resources:\n        limits:\n          cpus: \"0.75\"\n          memory: 150M\n      update_config:\n        parallelism: 3\n        order: start-first\n        delay: 1m30s\n    healthcheck:\n      interval: 20s\n      retries: 3\n",
        )
        .unwrap();
        let (k, svc) = c.services()[0];
        let spec = service_spec("numbers", k, svc, vec![], &env).unwrap();
        assert_eq!(spec.mode, Mode::Global);
        assert_eq!(spec.env, vec!["RngApi__Url=http://numbers-api/rng"]);
        assert_eq!(spec.resources.limit_nano_cpus, 750_000_000);
        assert_eq!(spec.resources.limit_memory, 150 * 1024 * 1024);
        assert_eq!(spec.ports[0].mode, "host");
        let u = spec.update.unwrap();
        assert_eq!((u.parallelism, u.delay_ms), (3, 90_000));
        assert_eq!(u.order, UpdateOrder::StartFirst);
        let h = spec.healthcheck.unwrap();
        assert_eq!((h.interval_ms, h.retries, h.test.len()), (20_000, 3, 0));
    }

    #[test]
    fn global_with_replicas_is_refused() {
        let c = load1("services:\n  web:\n    image: nginx\n    deploy:\n      mode: global\n      replicas: 2\n").unwrap();
        let (k, svc) = c.services()[0];
        assert_eq!(
            service_spec("s", k, svc, vec![], &env).unwrap_err(),
            "replicas can only be used with replicated or replicated-job mode"
        );
    }
    const LAB: &str = "version: \"3.7\"\nx-h: &h\n  interval: 2s\nservices:\n  api:\n    image: diamol/ch08-numbers-api:${TAG}\n    command: [\"a\", \"b\"]\n    healthcheck:\n      <<: *h\n      retries: 2\n    deploy:\n      replicas: 6\n      resources:\n        limits:\n          cpus: \"0.50\"\n          memory: 75M\n      update_config:\n        parallelism: 3\n        delay: 10s\n      restart_policy:\n        condition: on-failure\n    networks:\n      - app-net\n    ports:\n      - 8080:80\n      - target: 81\n        published: \"81\"\nnetworks:\n  app-net:\n    name: numbers-prod\n";

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// Mutated compose files never panic: they load and convert, or give an error text.
        #[test]
        fn mutated_files_never_panic(edits in proptest::collection::vec((0usize..400, 0u8..128, 0u8..3), 1..8)) {
            let mut bytes = LAB.as_bytes().to_vec();
            for (pos, b, op) in edits {
                let pos = pos % (bytes.len() + 1);
                match op {
                    0 => bytes.insert(pos, b),
                    1 if pos < bytes.len() => { bytes.remove(pos); }
                    _ if pos < bytes.len() => bytes[pos] = b,
                    _ => {}
                }
            }
            let text = String::from_utf8_lossy(&bytes).to_string();
            match load1(&text) {
                Ok(c) => {
                    for (k, svc) in c.services() {
                        let nets = service_networks(svc);
                        let _ = service_spec("s", k, svc, nets, &env);
                    }
                }
                Err(e) => proptest::prop_assert!(!e.is_empty()),
            }
        }
    }

    #[test]
    fn lab_file_loads() {
        let c = load1(LAB).unwrap();
        let (k, svc) = c.services()[0];
        let spec = service_spec("n", k, svc, vec!["numbers-prod".into()], &env).unwrap();
        assert_eq!(spec.image, "diamol/ch08-numbers-api:v2");
        assert_eq!(spec.args, vec!["a", "b"]);
        assert_eq!(spec.healthcheck.unwrap().interval_ms, 2000);
        assert_eq!(
            spec.ports.iter().map(|p| p.published).collect::<Vec<_>>(),
            vec![81, 8080]
        );
        assert_eq!(spec.restart.condition, Some(RestartCondition::OnFailure));
        assert_eq!(c.network("app-net").unwrap().name, "numbers-prod");
    }
}
