//! A stack's volumes: the service-level `volumes:` (short `SOURCE:TARGET[:MODE]` and long
//! syntax) converted into the service's mounts as docker/cli's `convert.Volumes` does, with
//! the top-level `volumes:` naming them: `<stack>_<key>` labelled with the stack's namespace,
//! or `name:`, or `external: true` (the name as it is). The volumes themselves are created by
//! each node's engine when a task mounts them (spec §8.1); `docker stack rm` leaves them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use swarm_core::service::Mount;

use super::compose::{Config, LABEL_NAMESPACE};

/// One service volume as the loader reads it.
#[derive(Debug, Default)]
struct VolumeRef {
    kind: String,
    source: String,
    target: String,
    read_only: bool,
}

/// The loader's `ParseVolume` of a short-syntax entry.
fn parse_short(spec: &str) -> Result<VolumeRef, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let mut v = VolumeRef::default();
    match parts.as_slice() {
        [target] => {
            v.kind = "volume".into();
            v.target = target.to_string();
        }
        [source, target] | [source, target, _] => {
            v.source = source.to_string();
            v.target = target.to_string();
            let is_path =
                source.starts_with('/') || source.starts_with('.') || source.starts_with('~');
            v.kind = if is_path { "bind" } else { "volume" }.into();
            if let Some(mode) = parts.get(2) {
                v.read_only = mode.split(',').any(|m| m == "ro");
            }
        }
        _ => return Err(format!("invalid spec: {spec}: too many colons")),
    }
    if v.target.is_empty() {
        return Err(format!(
            "invalid spec: {spec}: empty section between colons"
        ));
    }
    Ok(v)
}

/// The target of a short-syntax entry (what docker merges several files' volumes by); the
/// whole entry when it does not parse (the conversion reports it).
pub(super) fn volume_target(spec: &str) -> String {
    parse_short(spec).map_or_else(|_| spec.to_string(), |v| v.target)
}

fn parse_long(m: &Map<String, Value>) -> VolumeRef {
    let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    VolumeRef {
        kind: {
            let t = s("type");
            if t.is_empty() {
                "volume".into()
            } else {
                t
            }
        },
        source: s("source"),
        target: s("target"),
        read_only: m.get("read_only").and_then(Value::as_bool).unwrap_or(false),
    }
}

/// The mounts of service `svc` of stack `namespace`; `workdir` is the compose file's
/// directory (relative bind sources are below it). Errors are the CLI's
/// (`undefined volume "data"`).
pub(super) fn service_mounts(
    namespace: &str,
    config: &Config,
    svc: &Map<String, Value>,
    workdir: &str,
) -> Result<Vec<Mount>, String> {
    let Some(list) = svc.get("volumes").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    let top = config.section("volumes");
    let mut out = Vec::new();
    for item in list {
        let v = match item {
            Value::String(spec) => parse_short(spec)?,
            Value::Object(m) => parse_long(m),
            _ => continue,
        };
        let mut mount = Mount {
            kind: v.kind.clone(),
            source: v.source.clone(),
            target: v.target.clone(),
            read_only: v.read_only,
            labels: BTreeMap::new(),
        };
        match v.kind.as_str() {
            "volume" if !v.source.is_empty() => {
                let Some(def) = top.and_then(|t| t.get(&v.source)) else {
                    return Err(format!("undefined volume \"{}\"", v.source));
                };
                let def = def.as_object();
                let get = |k: &str| def.and_then(|d| d.get(k));
                let external = match get("external") {
                    Some(Value::Bool(b)) => *b,
                    Some(Value::Object(_)) => true,
                    _ => false,
                };
                let external_name = get("external")
                    .and_then(Value::as_object)
                    .and_then(|e| e.get("name"))
                    .and_then(Value::as_str);
                let name = get("name").and_then(Value::as_str);
                mount.source = match (external, name, external_name) {
                    (true, _, Some(n)) => n.to_string(),
                    (_, Some(n), _) => n.to_string(),
                    (true, None, None) => v.source.clone(),
                    (false, None, _) => format!("{namespace}_{}", v.source),
                };
                if !external {
                    if let Some(l) = get("labels") {
                        match l {
                            Value::Object(o) => {
                                for (k, x) in o {
                                    let x = match x {
                                        Value::String(s) => s.clone(),
                                        Value::Null => String::new(),
                                        other => other.to_string(),
                                    };
                                    mount.labels.insert(k.clone(), x);
                                }
                            }
                            Value::Array(a) => {
                                for x in a.iter().filter_map(Value::as_str) {
                                    let (k, val) = x.split_once('=').unwrap_or((x, ""));
                                    mount.labels.insert(k.to_string(), val.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                    mount
                        .labels
                        .insert(LABEL_NAMESPACE.to_string(), namespace.to_string());
                }
            }
            "bind" => {
                let src = &v.source;
                mount.source = if let Some(rest) = src.strip_prefix("~/") {
                    format!("/root/{rest}")
                } else if src.starts_with('/') {
                    swarm_core::fs::normalize(src)
                } else {
                    swarm_core::fs::normalize(&swarm_core::fs::join(workdir, src))
                };
            }
            _ => {}
        }
        out.push(mount);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_syntax_as_the_loader_reads_it() {
        let v = parse_short("data:/var/lib/x:ro").unwrap();
        assert_eq!(
            (v.kind.as_str(), v.source.as_str(), v.read_only),
            ("volume", "data", true)
        );
        assert_eq!(parse_short("./conf:/etc/x").unwrap().kind, "bind");
        assert_eq!(parse_short("/data").unwrap().source, "");
        assert!(parse_short("a:b:c:d").is_err());
    }
}
