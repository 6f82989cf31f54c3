//! `docker compose config`: the project in compose-go's canonical form (its types marshalled
//! by go-yaml v3 with a 2-space indent): fields in the order of compose-go's structs,
//! short syntaxes expanded (`ports`, `volumes`, `depends_on`), every service on its networks,
//! top-level networks and volumes with their engine names.

use serde_json::Value;

use super::project::Project;

/// A YAML node, its mappings in order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Y {
    Str(String),
    /// A number or boolean, printed as it is.
    Raw(String),
    Null,
    Map(Vec<(String, Y)>),
    List(Vec<Y>),
}

fn s(v: &str) -> Y {
    Y::Str(v.to_string())
}

/// A parsed value as it was written.
fn from_json(v: &Value) -> Y {
    match v {
        Value::String(x) => s(x),
        Value::Number(n) => Y::Raw(n.to_string()),
        Value::Bool(b) => Y::Raw(b.to_string()),
        Value::Null => Y::Null,
        Value::Array(a) => Y::List(a.iter().map(from_json).collect()),
        Value::Object(m) => Y::Map(m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}

/// The project as compose-go normalizes it.
pub(crate) fn canonical(p: &Project) -> Y {
    let mut services = Vec::new();
    let raw = p.root.get("services").and_then(Value::as_object);
    let mut names: Vec<&str> = p.services.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    for name in names {
        let Some(svc) = p.service(name) else { continue };
        let orig = raw.and_then(|r| r.get(name)).and_then(Value::as_object);
        let mut m: Vec<(String, Y)> = Vec::new();
        if let Some(b) = &svc.build {
            let ctx = if b.context.starts_with('/') {
                b.context.clone()
            } else {
                swarm_core::fs::normalize(&format!("{}/{}", p.working_dir, b.context))
            };
            m.push((
                "build".into(),
                Y::Map(vec![
                    ("context".into(), s(&ctx)),
                    (
                        "dockerfile".into(),
                        s(b.dockerfile.as_deref().unwrap_or("Dockerfile")),
                    ),
                ]),
            ));
        }
        if let Some(c) = &svc.command {
            m.push(("command".into(), Y::List(c.iter().map(|x| s(x)).collect())));
        }
        if let Some(c) = &svc.container_name {
            m.push(("container_name".into(), s(c)));
        }
        if !svc.depends_on.is_empty() {
            let deps = svc
                .depends_on
                .iter()
                .map(|d| {
                    (
                        d.clone(),
                        Y::Map(vec![
                            ("condition".into(), s("service_started")),
                            ("required".into(), Y::Raw("true".into())),
                        ]),
                    )
                })
                .collect();
            m.push(("depends_on".into(), Y::Map(deps)));
        }
        if let Some(d) = orig.and_then(|o| o.get("deploy")) {
            m.push(("deploy".into(), from_json(d)));
        }
        if let Some(e) = &svc.entrypoint {
            m.push((
                "entrypoint".into(),
                Y::List(e.iter().map(|x| s(x)).collect()),
            ));
        }
        if !svc.environment.is_empty() {
            let env = svc
                .environment
                .iter()
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (k.to_string(), s(v))
                })
                .collect();
            m.push(("environment".into(), Y::Map(env)));
        }
        if !svc.hostname.is_empty() {
            m.push(("hostname".into(), s(&svc.hostname)));
        }
        if let Some(i) = &svc.image {
            m.push(("image".into(), s(i)));
        }
        if !svc.labels.is_empty() {
            let labels = svc.labels.iter().map(|(k, v)| (k.clone(), s(v))).collect();
            m.push(("labels".into(), Y::Map(labels)));
        }
        let nets = svc.networks.iter().map(|n| (n.clone(), Y::Null)).collect();
        m.push(("networks".into(), Y::Map(nets)));
        if !svc.ports.is_empty() {
            let ports = svc
                .ports
                .iter()
                .filter_map(|x| super::super::container_cmd::parse_publish(x).ok())
                .map(|b| {
                    let mut e = vec![("mode".to_string(), s("ingress"))];
                    if !b.host_ip.is_empty() {
                        e.push(("host_ip".into(), s(&b.host_ip)));
                    }
                    e.push(("target".into(), Y::Raw(b.container_port.to_string())));
                    if b.host_port != 0 {
                        e.push(("published".into(), s(&b.host_port.to_string())));
                    }
                    e.push(("protocol".into(), s(&b.proto)));
                    Y::Map(e)
                })
                .collect();
            m.push(("ports".into(), Y::List(ports)));
        }
        if !svc.restart.is_empty() {
            m.push(("restart".into(), s(&svc.restart)));
        }
        if svc.stdin_open {
            m.push(("stdin_open".into(), Y::Raw("true".into())));
        }
        if svc.tty {
            m.push(("tty".into(), Y::Raw("true".into())));
        }
        if !svc.user.is_empty() {
            m.push(("user".into(), s(&svc.user)));
        }
        if !svc.volumes.is_empty() {
            let vols = svc
                .volumes
                .iter()
                .map(|v| {
                    let kind = if v.bind { "bind" } else { "volume" };
                    let source = if v.bind && !v.source.starts_with('/') {
                        swarm_core::fs::normalize(&format!("{}/{}", p.working_dir, v.source))
                    } else {
                        v.source.clone()
                    };
                    let mut e = vec![("type".to_string(), s(kind))];
                    if !source.is_empty() {
                        e.push(("source".into(), s(&source)));
                    }
                    e.push(("target".into(), s(&v.target)));
                    if v.read_only {
                        e.push(("read_only".into(), Y::Raw("true".into())));
                    }
                    if v.bind {
                        e.push((
                            "bind".into(),
                            Y::Map(vec![("create_host_path".into(), Y::Raw("true".into()))]),
                        ));
                    } else {
                        e.push(("volume".into(), Y::Map(Vec::new())));
                    }
                    Y::Map(e)
                })
                .collect();
            m.push(("volumes".into(), Y::List(vols)));
        }
        if !svc.working_dir.is_empty() {
            m.push(("working_dir".into(), s(&svc.working_dir)));
        }
        services.push((name.to_string(), Y::Map(m)));
    }
    let mut root = vec![
        ("name".to_string(), s(&p.name)),
        ("services".to_string(), Y::Map(services)),
    ];
    let mut nets: Vec<(String, Y)> = p
        .networks
        .iter()
        .map(|n| {
            let mut e = vec![("name".to_string(), s(&n.name))];
            if !n.driver.is_empty() {
                e.push(("driver".into(), s(&n.driver)));
            }
            if n.external {
                e.push(("external".into(), Y::Raw("true".into())));
            }
            (n.key.clone(), Y::Map(e))
        })
        .collect();
    nets.sort_by(|a, b| a.0.cmp(&b.0));
    if !nets.is_empty() {
        root.push(("networks".into(), Y::Map(nets)));
    }
    let mut vols: Vec<(String, Y)> = p
        .volumes
        .iter()
        .map(|v| {
            let mut e = vec![("name".to_string(), s(&v.name))];
            if v.external {
                e.push(("external".into(), Y::Raw("true".into())));
            }
            (v.key.clone(), Y::Map(e))
        })
        .collect();
    vols.sort_by(|a, b| a.0.cmp(&b.0));
    if !vols.is_empty() {
        root.push(("volumes".into(), Y::Map(vols)));
    }
    Y::Map(root)
}

/// go-yaml's choice for a string: plain when it reads back as the same string, else
/// double-quoted.
fn scalar(v: &str) -> String {
    let looks_typed = v.parse::<f64>().is_ok()
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~" | "y" | "n"
        );
    let plain = !v.is_empty()
        && !looks_typed
        && !v.contains(": ")
        && !v.contains(" #")
        && !v.ends_with(':')
        && !v.starts_with([
            ' ', '*', '&', '!', '{', '[', '}', ']', ',', '"', '\'', '#', '|', '>', '%', '@', '`',
            '?',
        ])
        && v != "-"
        && !v.starts_with("- ")
        && !v.ends_with(' ')
        && !v.contains('\n');
    if plain {
        v.to_string()
    } else {
        serde_json::to_string(v).unwrap_or_default()
    }
}

fn emit_into(out: &mut String, y: &Y, indent: usize) {
    let pad = " ".repeat(indent);
    match y {
        Y::Map(m) => {
            for (k, v) in m {
                match v {
                    Y::Map(inner) if inner.is_empty() => out.push_str(&format!("{pad}{k}: {{}}\n")),
                    Y::List(inner) if inner.is_empty() => out.push_str(&format!("{pad}{k}: []\n")),
                    Y::Map(_) => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        emit_into(out, v, indent + 2);
                    }
                    Y::List(_) => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        emit_into(out, v, indent + 2);
                    }
                    _ => out.push_str(&format!("{pad}{k}: {}\n", inline(v))),
                }
            }
        }
        Y::List(items) => {
            for item in items {
                match item {
                    Y::Map(inner) if !inner.is_empty() => {
                        let mut body = String::new();
                        emit_into(&mut body, item, indent + 2);
                        // The first line takes the dash.
                        let body = body.replacen(&format!("{pad}  "), &format!("{pad}- "), 1);
                        out.push_str(&body);
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", inline(item))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", inline(other))),
    }
}

fn inline(y: &Y) -> String {
    match y {
        Y::Str(v) => scalar(v),
        Y::Raw(v) => v.clone(),
        Y::Null => "null".into(),
        Y::Map(_) => "{}".into(),
        Y::List(_) => "[]".into(),
    }
}

/// The YAML text.
pub(crate) fn emit(y: &Y) -> String {
    let mut out = String::new();
    emit_into(&mut out, y, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_only_when_needed() {
        assert_eq!(scalar("redis:alpine"), "redis:alpine");
        assert_eq!(scalar("8000"), "\"8000\"");
        assert_eq!(scalar("-c"), "-c");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar(""), "\"\"");
    }

    #[test]
    fn lists_of_mappings_take_the_dash_on_their_first_key() {
        let y = Y::Map(vec![(
            "ports".into(),
            Y::List(vec![Y::Map(vec![
                ("mode".into(), s("ingress")),
                ("target".into(), Y::Raw("80".into())),
            ])]),
        )]);
        assert_eq!(emit(&y), "ports:\n  - mode: ingress\n    target: 80\n");
    }
}
