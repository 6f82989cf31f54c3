//! `docker stack …`: stacks are client-side, as in the real CLI. `deploy` reads compose files
//! from the machine's filesystem ([`compose`]), then creates the stack's networks and creates
//! or updates its services through the world's control API; the other commands list or
//! remove the objects that carry the stack's `com.docker.stack.namespace` label.
//!
//! Secrets and configs the file defines are created as `<stack>_<key>` (or `name:`) before
//! the services, external ones must exist; `stack rm` removes the stack's own.
//!
//! Service volumes become mounts (`stack_cmd::volumes`): named volumes `<stack>_<key>`
//! labelled with the namespace, created by each node's engine when a task mounts them and
//! left by `stack rm`. Several `-c` files are merged as docker/cli 28 merges them
//! (`stack_cmd::merge`). Each service gets its file's network aliases plus its own short
//! name on every user-defined network (`ServiceSpec::network_aliases`), which the embedded
//! DNS answers on that network only. Not emulated yet: `--with-registry-auth`,
//! `docker stack config`.

pub(crate) mod compose;
mod merge;
mod volumes;

use std::collections::{BTreeMap, BTreeSet};
use swarm_core::sort::CollectBTree as _;

use serde_json::json;
use swarm_core::network::NetworkSpec;
use swarm_core::objects::{ObjectKind, ObjectSpec};
use swarm_core::service::FileRef;
use swarm_core::{MachineId, Role};

use super::cli::Parsed;
use super::objects_cmd;
use super::service_cmd::{self, daemon_error};
use super::swarm_cmd::wait;
use super::{template, Status};
use crate::exec::{Interp, Io};
use crate::format;
use compose::{LABEL_IMAGE, LABEL_NAMESPACE};

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "stack deploy" | "stack ls" | "stack services" | "stack ps" | "stack rm"
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
    match path {
        "stack deploy" => deploy(interp, m, cmd, io).await,
        "stack ls" => ls(interp, m, cmd, io),
        "stack services" => services(interp, m, cmd, io),
        "stack ps" => ps(interp, m, cmd, io),
        "stack rm" => rm(interp, m, cmd, io).await,
        _ => 1,
    }
}

/// The CLI's own check before a deploy (`checkDaemonIsSwarmManager`).
const NOT_A_MANAGER: &str = "this node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again";

fn is_manager(interp: &Interp, m: MachineId) -> bool {
    let world = interp.world();
    let w = world.borrow();
    w.membership(m).is_some() && w.node_of(m).is_some_and(|(_, n)| n.role == Role::Manager)
}

/// The stack's services: (name, ID, version, image label), sorted by name.
fn stack_services(
    interp: &Interp,
    m: MachineId,
    namespace: &str,
) -> Result<Vec<(String, String)>, String> {
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = w.control_swarm(m)?;
    let mut out: Vec<(String, String)> = s
        .services
        .values()
        .filter(|x| x.spec.labels.get(LABEL_NAMESPACE).map(String::as_str) == Some(namespace))
        .map(|x| (x.spec.name.clone(), x.id.clone()))
        .collect();
    swarm_core::sort::sort(&mut out);
    Ok(out)
}

/// The stack's networks: (name, ID), sorted by name.
fn stack_networks(
    interp: &Interp,
    m: MachineId,
    namespace: &str,
) -> Result<Vec<(String, String)>, String> {
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = w.control_swarm(m)?;
    let mut out: Vec<(String, String)> = s
        .networks
        .values()
        .filter(|x| x.labels.get(LABEL_NAMESPACE).map(String::as_str) == Some(namespace))
        .map(|x| (x.name.clone(), x.id.clone()))
        .collect();
    swarm_core::sort::sort(&mut out);
    Ok(out)
}

/// `docker stack deploy`.
async fn deploy(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let namespace = cmd.args.first().cloned().unwrap_or_default();
    if !valid_name(&namespace, io) {
        return 1;
    }
    let resolve = cmd.value("resolve-image").unwrap_or("always").to_string();
    if !matches!(resolve.as_str(), "always" | "changed" | "never") {
        io.err.write(&format!(
            "Invalid option {resolve} for flag --resolve-image\n"
        ));
        return 1;
    }
    let paths: Vec<String> = cmd
        .values("compose-file")
        .iter()
        .flat_map(|v| v.split(','))
        .map(String::from)
        .collect();
    if paths.is_empty() {
        io.err
            .write("Specify a Compose file (with --compose-file)\n");
        return 1;
    }
    let mut files = Vec::new();
    for p in &paths {
        let text = if p == "-" {
            Ok(io.stdin.to_string())
        } else {
            crate::fsutils::read_file(interp, p)
        };
        match text {
            Ok(t) => files.push(t),
            Err(swarm_core::fs::FsError::IsADirectory) => {
                io.err.write(&format!("read {p}: is a directory\n"));
                return 1;
            }
            Err(_) => {
                io.err
                    .write(&format!("open {p}: no such file or directory\n"));
                return 1;
            }
        }
    }
    // Parsed by the YAML parser, which the page loads on first use (see `jq_cmd`).
    let mut docs = Vec::with_capacity(files.len());
    for text in &files {
        docs.push(crate::jq_cmd::yaml(text).await);
    }
    let lookup = |name: &str| interp.get_var(name);
    let config = match compose::load(docs, &lookup) {
        Ok(c) => c,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    };
    io.err.write(&config.warnings);
    if let Err(e) = config.check_images() {
        io.err.write(&format!("{e}\n"));
        return 1;
    }
    let detach_given = cmd.flags.iter().any(|(k, _)| k == "detach");
    if !detach_given {
        io.err.write("Since --detach=false was not specified, tasks will be created in the background.\nIn a future release, --detach=false will become the default.\n");
    }
    if !is_manager(interp, m) {
        io.err.write(&format!("{NOT_A_MANAGER}\n"));
        return 1;
    }

    let existing = match stack_services(interp, m, &namespace) {
        Ok(s) => s,
        Err(e) => return daemon_error(io, &e),
    };
    let wanted: BTreeSet<String> = config
        .services()
        .iter()
        .map(|(k, _)| format!("{namespace}_{k}"))
        .btree_set();
    if cmd.bool("prune") {
        for (name, id) in existing.iter().filter(|(n, _)| !wanted.contains(n)) {
            io.out.write(&format!("Removing service {name}\n"));
            let r = interp.world().borrow_mut().service_remove(m, id);
            let r = match r {
                Ok(h) => wait(interp, h).await,
                Err(e) => Err(e),
            };
            if let Err(e) = r {
                io.err.write(&format!(
                    "Failed to remove service {id}: Error response from daemon: {e}"
                ));
            }
        }
    }

    // Networks: every one a service uses, named `<stack>_<key>` unless `name:` says.
    let mut to_create: BTreeMap<String, NetworkSpec> = BTreeMap::new();
    let mut external: BTreeSet<String> = BTreeSet::new();
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    for (_, svc) in config.services() {
        for key in compose::service_networks(svc) {
            let Some(def) = config.network(&key) else {
                // Undeclared: created by its scoped name; the conversion refuses it below.
                to_create
                    .entry(format!("{namespace}_{key}"))
                    .or_insert_with(|| {
                        network_spec(
                            &namespace,
                            &format!("{namespace}_{key}"),
                            &compose::NetworkDef::default(),
                        )
                    });
                continue;
            };
            let name = if def.name.is_empty() {
                format!("{namespace}_{key}")
            } else {
                def.name.clone()
            };
            targets.insert(key.clone(), name.clone());
            if def.external {
                external.insert(name);
            } else {
                to_create
                    .entry(name.clone())
                    .or_insert_with(|| network_spec(&namespace, &name, &def));
            }
        }
    }
    for name in &external {
        if matches!(name.as_str(), "host" | "bridge" | "none") {
            continue;
        }
        let found = {
            let world = interp.world();
            let w = world.borrow();
            w.control_swarm(m).map(|(_, s)| {
                s.networks
                    .values()
                    .any(|n| &n.name == name || &n.id == name)
            })
        };
        match found {
            Ok(true) => {}
            Ok(false) => {
                io.err.write(&format!("network \"{name}\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed\n"));
                return 1;
            }
            Err(e) => return daemon_error(io, &e),
        }
    }
    let have: BTreeSet<String> = match stack_networks(interp, m, &namespace) {
        Ok(n) => n.into_iter().map(|(name, _)| name).btree_set(),
        Err(e) => return daemon_error(io, &e),
    };
    for (name, spec) in to_create {
        if have.contains(&name) {
            continue;
        }
        io.out.write(&format!("Creating network {name}\n"));
        let r = interp.world().borrow_mut().network_create(m, spec);
        let r = match r {
            Ok((_, h)) => wait(interp, h).await,
            Err(e) => Err(e),
        };
        if let Err(e) = r {
            io.err.write(&format!(
                "failed to create network {name}: Error response from daemon: {e}\n"
            ));
            return 1;
        }
    }

    // Secrets, then configs: those the file defines are created (or their labels updated).
    let workdir = compose_dir(interp, &paths);
    for kind in [ObjectKind::Secret, ObjectKind::Config] {
        if let Err(e) = deploy_objects(interp, m, &namespace, &config, kind, &workdir, io).await {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    }

    // Services, sorted by name.
    let mut specs = Vec::new();
    for (key, svc) in config.services() {
        let mut nets = Vec::new();
        // convertServiceNetworks: the file's aliases, then the service's own name on every
        // user-defined network.
        let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for n in compose::service_networks(svc) {
            match targets.get(&n) {
                Some(t) => {
                    let mut a = compose::service_network_aliases(svc, &n);
                    if !matches!(t.as_str(), "host" | "bridge" | "none" | "default") {
                        a.push(key.to_string());
                    }
                    if !a.is_empty() {
                        aliases.insert(t.clone(), a);
                    }
                    nets.push(t.clone())
                }
                None => {
                    io.err
                        .write(&format!("service {key}: undefined network \"{n}\"\n"));
                    return 1;
                }
            }
        }
        swarm_core::sort::sort(&mut nets);
        nets.dedup();
        let refs = {
            let world = interp.world();
            let w = world.borrow();
            service_file_refs(&w, m, &namespace, &config, key, svc)
        };
        let (secrets, configs) = match refs {
            Ok(r) => r,
            Err(e) => {
                io.err.write(&format!("{e}\n"));
                return 1;
            }
        };
        let mounts = match volumes::service_mounts(&namespace, &config, svc, &workdir) {
            Ok(v) => v,
            Err(e) => {
                io.err.write(&format!("service {key}: {e}\n"));
                return 1;
            }
        };
        match compose::service_spec(&namespace, key, svc, nets, &lookup) {
            Ok(mut s) => {
                s.network_aliases = aliases;
                s.secrets = secrets;
                s.configs = configs;
                s.mounts = mounts;
                specs.push(s)
            }
            // What the daemon refuses (an unknown restart condition) surfaces at create.
            Err(e) if e.starts_with("Error response from daemon:") => {
                io.err.write(&format!(
                    "failed to create service {namespace}_{key}: {e}\n"
                ));
                return 1;
            }
            Err(e) => {
                io.err.write(&format!("service {key}: {e}\n"));
                return 1;
            }
        }
    }
    let mut ids = Vec::new();
    for mut spec in specs {
        let name = spec.name.clone();
        let current = {
            let world = interp.world();
            let w = world.borrow();
            w.control_swarm(m).map(|(_, s)| {
                s.services
                    .values()
                    .find(|x| x.spec.name == name)
                    .map(|x| (x.id.clone(), x.version, x.spec.clone()))
            })
        };
        let current = match current {
            Ok(c) => c,
            Err(e) => return daemon_error(io, &e),
        };
        let mut warning = None;
        service_cmd::tag_image(&mut spec);
        let r = match current {
            Some((id, version, old)) => {
                io.out
                    .write(&format!("Updating service {name} (id: {id})\n"));
                spec.force_update = old.force_update;
                let image_label = old.labels.get(LABEL_IMAGE).cloned().unwrap_or_default();
                match resolve.as_str() {
                    "always" => warning = service_cmd::pin_image_on(interp, m, &mut spec),
                    "changed" if spec.labels.get(LABEL_IMAGE) != Some(&image_label) => {
                        warning = service_cmd::pin_image_on(interp, m, &mut spec)
                    }
                    // `changed` with the same image, and `never` with the same image, keep
                    // what the last deploy resolved.
                    _ if spec.labels.get(LABEL_IMAGE) == Some(&image_label) => {
                        spec.image = old.image.clone();
                        spec.platforms = old.platforms.clone();
                    }
                    _ => {}
                }
                let r = interp
                    .world()
                    .borrow_mut()
                    .service_update(m, &id, version, spec);
                match r {
                    Ok(h) => wait(interp, h).await.map(|()| id),
                    Err(e) => Err(e),
                }
                .map_err(|e| {
                    format!("failed to update service {name}: Error response from daemon: {e}")
                })
            }
            None => {
                io.out.write(&format!("Creating service {name}\n"));
                // The CLI asks the registry but, unlike an update, prints no warning for a
                // service it creates (deployServices drops ServiceCreate's warnings).
                if resolve != "never" {
                    let _ = service_cmd::pin_image_on(interp, m, &mut spec);
                }
                let r = interp.world().borrow_mut().service_create(m, spec);
                match r {
                    Ok((id, h)) => wait(interp, h).await.map(|()| id),
                    Err(e) => Err(e),
                }
                .map_err(|e| {
                    format!("failed to create service {name}: Error response from daemon: {e}")
                })
            }
        };
        match r {
            Ok(id) => ids.push(id),
            Err(e) => {
                io.err.write(&format!("{e}\n"));
                return 1;
            }
        }
        if let Some(w) = warning {
            io.err.write(&w);
        }
    }
    if !detach_given || cmd.bool("detach") {
        return 0;
    }
    let quiet = cmd.bool("quiet");
    let mut errors = Vec::new();
    for id in &ids {
        if let Err(e) = service_cmd::wait_on_service(interp, m, id, quiet, io).await {
            errors.push(format!("failed to wait on service {id}: {e}"));
        }
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}

/// The directory relative `file:` paths start from: the first compose file's (the working
/// directory for `-c -`), as docker/cli's `getConfigDetails`.
fn compose_dir(interp: &Interp, paths: &[String]) -> String {
    match paths {
        [only] if only == "-" => crate::fsutils::abs_path(interp, "."),
        [first, ..] => {
            let abs = swarm_core::fs::normalize(&crate::fsutils::abs_path(interp, first));
            match abs.rsplit_once('/') {
                Some(("", _)) | None => "/".to_string(),
                Some((dir, _)) => dir.to_string(),
            }
        }
        [] => crate::fsutils::abs_path(interp, "."),
    }
}

fn kind_key(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Secret => "secrets",
        ObjectKind::Config => "configs",
    }
}

/// docker/cli `convert.Secrets`/`convert.Configs` and `createSecrets`/`createConfigs`: every
/// object the file defines (not external) gets its data read from its file, then is created
/// as `<stack>_<key>` (or `name:`) with the stack's label, or, when it exists, updated (only
/// its labels may change). `Err` is the CLI's text.
async fn deploy_objects(
    interp: &Interp,
    m: MachineId,
    namespace: &str,
    config: &compose::Config,
    kind: ObjectKind,
    workdir: &str,
    io: &Io,
) -> Result<(), String> {
    let what = kind.as_str();
    let mut specs: Vec<ObjectSpec> = Vec::new();
    for (key, def) in config.file_objects(kind_key(kind)) {
        if def.external {
            continue;
        }
        let name = if def.name.is_empty() {
            format!("{namespace}_{key}")
        } else {
            def.name.clone()
        };
        let mut labels = def.labels.clone();
        labels.insert(LABEL_NAMESPACE.into(), namespace.to_string());
        let driver =
            (kind == ObjectKind::Secret && !def.driver.is_empty()).then(|| def.driver.clone());
        let data = if driver.is_some() {
            Vec::new()
        } else {
            let path = swarm_core::fs::normalize(&swarm_core::fs::join(workdir, &def.file));
            match crate::fsutils::read_file(interp, &path) {
                Ok(t) => t.into_bytes(),
                Err(e) => {
                    let op = if matches!(e, swarm_core::fs::FsError::IsADirectory) {
                        "read"
                    } else {
                        "open"
                    };
                    return Err(format!("{op} {path}: {}", e.to_string().to_lowercase()));
                }
            }
        };
        specs.push(ObjectSpec {
            name,
            labels,
            data,
            templating: (!def.template_driver.is_empty()).then(|| def.template_driver.clone()),
            driver,
        });
    }
    swarm_core::sort::sort_by(&mut specs, |a, b| a.name.cmp(&b.name));
    for spec in specs {
        let name = spec.name.clone();
        let existing = {
            let world = interp.world();
            let w = world.borrow();
            let (_, s) = w
                .control_swarm(m)
                .map_err(|e| format!("Error response from daemon: {e}"))?;
            s.find_object(kind, &name)
                .ok()
                .map(|o| (o.id.clone(), o.version))
        };
        let r = match existing {
            Some((id, version)) => {
                let r = interp
                    .world()
                    .borrow_mut()
                    .object_update(m, kind, &id, version, spec);
                match r {
                    Ok(h) => wait(interp, h).await,
                    Err(e) => Err(e),
                }
                .map_err(|e| {
                    format!("failed to update {what} {name}: Error response from daemon: {e}")
                })
            }
            None => {
                io.out.write(&format!("Creating {what} {name}\n"));
                let r = interp.world().borrow_mut().object_create(m, kind, spec);
                match r {
                    Ok((_, h)) => wait(interp, h).await,
                    Err(e) => Err(e),
                }
                .map_err(|e| {
                    format!("failed to create {what} {name}: Error response from daemon: {e}")
                })
            }
        };
        r?;
    }
    Ok(())
}

/// docker/cli `convertServiceSecrets`/`convertServiceConfigObjs` for the service `key`: its
/// references with their scoped names, resolved to IDs (`ParseSecrets`), sorted by name.
/// `Err` is the CLI's text (`service web: undefined secret "x"`).
fn service_file_refs(
    w: &swarm_core::World,
    m: MachineId,
    namespace: &str,
    config: &compose::Config,
    key: &str,
    svc: &serde_json::Map<String, serde_json::Value>,
) -> Result<(Vec<FileRef>, Vec<FileRef>), String> {
    let mut out = (Vec::new(), Vec::new());
    for kind in [ObjectKind::Secret, ObjectKind::Config] {
        let what = kind.as_str();
        let mut refs = Vec::new();
        for r in compose::service_file_refs(svc, kind_key(kind)) {
            let Some(def) = config.file_object(kind_key(kind), &r.source) else {
                return Err(format!("service {key}: undefined {what} \"{}\"", r.source));
            };
            let source = if def.name.is_empty() {
                format!("{namespace}_{}", r.source)
            } else {
                def.name
            };
            refs.push(FileRef {
                source,
                id: String::new(),
                target: if r.target.is_empty() {
                    r.source.clone()
                } else {
                    r.target
                },
                uid: if r.uid.is_empty() { "0".into() } else { r.uid },
                gid: if r.gid.is_empty() { "0".into() } else { r.gid },
                mode: r.mode.unwrap_or(0o444),
            });
        }
        objects_cmd::resolve_refs(w, m, kind, &mut refs)
            .map_err(|e| format!("service {key}: {e}"))?;
        swarm_core::sort::sort_by(&mut refs, |a, b| a.source.cmp(&b.source));
        match kind {
            ObjectKind::Secret => out.0 = refs,
            ObjectKind::Config => out.1 = refs,
        }
    }
    Ok(out)
}

/// The stack's secrets or configs: (name, ID), sorted by name.
fn stack_objects(
    interp: &Interp,
    m: MachineId,
    namespace: &str,
    kind: ObjectKind,
) -> Result<Vec<(String, String)>, String> {
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = w.control_swarm(m)?;
    let mut out: Vec<(String, String)> = s
        .objects(kind)
        .values()
        .filter(|x| x.labels.get(LABEL_NAMESPACE).map(String::as_str) == Some(namespace))
        .map(|x| (x.name.clone(), x.id.clone()))
        .collect();
    swarm_core::sort::sort(&mut out);
    Ok(out)
}

fn network_spec(namespace: &str, name: &str, def: &compose::NetworkDef) -> NetworkSpec {
    let mut labels = def.labels.clone();
    labels.insert(LABEL_NAMESPACE.into(), namespace.to_string());
    NetworkSpec {
        name: name.to_string(),
        driver: if def.driver.is_empty() {
            "overlay".into()
        } else {
            def.driver.clone()
        },
        attachable: def.attachable,
        internal: def.internal,
        subnet: None,
        labels,
        options: def.options.clone(),
    }
}

/// `docker stack ls`.
fn ls(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let counts: BTreeMap<String, usize> = {
        let world = interp.world();
        let w = world.borrow();
        let (_, s) = match w.control_swarm(m) {
            Ok(x) => x,
            Err(e) => return daemon_error(io, &e),
        };
        let mut c = BTreeMap::new();
        for svc in s.services.values() {
            if let Some(ns) = svc.spec.labels.get(LABEL_NAMESPACE) {
                *c.entry(ns.clone()).or_insert(0) += 1;
            }
        }
        c
    };
    let mut rows: Vec<(String, usize)> = counts.into_iter().collect();
    swarm_core::sort::sort_by(&mut rows, |a, b| format::natural_cmp(&a.0, &b.0));
    let f = cmd.value("format").unwrap_or("");
    let f = if f.is_empty() || f == "table" {
        "table {{.Name}}\t{{.Services}}"
    } else {
        f
    };
    let values: Vec<serde_json::Value> = rows
        .iter()
        .map(|(n, c)| json!({"Name": n, "Services": c.to_string()}))
        .collect();
    let header: &[(&str, &str)] = &[("Name", "NAME"), ("Services", "SERVICES")];
    match template::render_table(f, &values, "*formatter.stackContext", header) {
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

/// docker/cli's `validateStackName`: a name of only spaces is refused by every stack command.
fn valid_name(namespace: &str, io: &Io) -> bool {
    if namespace.trim().is_empty() {
        io.err.write(&format!(
            "invalid stack name: {}\n",
            serde_json::to_string(namespace).unwrap_or_default()
        ));
        return false;
    }
    true
}

/// Runs a read-only listing quietly into buffers: (status, stdout, stderr). The stack
/// commands list with the stack's filter added to the user's, and say "nothing found"
/// when that matches nothing, as the CLI does after its list call.
fn probe(run: impl FnOnce(&Io) -> Status) -> (Status, String, String) {
    let out = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let err = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let io = Io::with_stdin(
        "",
        crate::exec::Dest::Buf(out.clone()),
        crate::exec::Dest::Buf(err.clone()),
    );
    let status = run(&io);
    let (o, e) = (out.borrow().clone(), err.borrow().clone());
    (status, o, e)
}

/// The user's flags without `--format`, with `--quiet`: what [`probe`] lists with.
fn quiet_flags(cmd: &Parsed) -> Vec<(String, String)> {
    let mut flags: Vec<(String, String)> = cmd
        .flags
        .iter()
        .filter(|(k, _)| k != "format" && k != "quiet")
        .cloned()
        .collect();
    flags.push(("quiet".into(), "true".into()));
    flags
}

/// `docker stack services`: `service ls` filtered by the stack's label and the user's
/// filters; nothing left → `Nothing found in stack: NAME` on stderr, exit 0.
fn services(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let namespace = cmd.args.first().cloned().unwrap_or_default();
    if !valid_name(&namespace, io) {
        return 1;
    }
    let mut flags = cmd.flags.clone();
    flags.push((
        "filter".into(),
        format!("label={LABEL_NAMESPACE}={namespace}"),
    ));
    let inner = |flags: Vec<(String, String)>| Parsed {
        flags,
        args: Vec::new(),
        help: false,
        short_help: false,
    };
    let probe_cmd = inner(quiet_flags(&inner(flags.clone())));
    let (status, out, err) = probe(|pio| service_cmd::read::ls(interp, m, &probe_cmd, pio));
    if status != 0 {
        io.err.write(&err);
        return status;
    }
    if out.trim().is_empty() {
        io.err
            .write(&format!("Nothing found in stack: {namespace}\n"));
        return 0;
    }
    service_cmd::read::ls(interp, m, &inner(flags), io)
}

/// `docker stack ps`: the stack's tasks (`service ps` of its services, with the user's
/// filters); none → `nothing found in stack: NAME`, exit 1.
fn ps(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let namespace = cmd.args.first().cloned().unwrap_or_default();
    if !valid_name(&namespace, io) {
        return 1;
    }
    let nothing = |io: &Io| {
        io.err
            .write(&format!("nothing found in stack: {namespace}\n"));
        1
    };
    let ids: Vec<String> = match stack_services(interp, m, &namespace) {
        Ok(s) if s.is_empty() => return nothing(io),
        Ok(s) => s.into_iter().map(|(_, id)| id).collect(),
        Err(e) => return daemon_error(io, &e),
    };
    let inner = |flags: Vec<(String, String)>| Parsed {
        flags,
        args: ids.clone(),
        help: false,
        short_help: false,
    };
    let probe_cmd = inner(quiet_flags(cmd));
    let (status, out, err) = probe(|pio| service_cmd::read::ps(interp, m, &probe_cmd, pio));
    if status != 0 {
        io.err.write(&err);
        return status;
    }
    if out.trim().is_empty() {
        return nothing(io);
    }
    service_cmd::read::ps(interp, m, &inner(cmd.flags.clone()), io)
}

/// `stack rm --detach=false`: polls (every 200 ms, at most ten minutes) until every task of
/// the removed services is terminal or gone, as docker/cli's `waitOnTasks`.
async fn wait_tasks_gone(interp: &Interp, m: MachineId, services: &[(String, String)]) {
    let ids: BTreeSet<&String> = services.iter().map(|(_, id)| id).btree_set();
    for _ in 0..3000 {
        let busy = {
            let world = interp.world();
            let w = world.borrow();
            w.control_swarm(m).is_ok_and(|(_, s)| {
                s.tasks
                    .values()
                    .any(|t| ids.contains(&t.service_id) && !t.state.is_terminal())
            })
        };
        if !busy {
            return;
        }
        interp
            .sleep(swarm_core::SimDuration::from_millis(200))
            .await;
    }
}

/// `stack rm`'s removal of one kind of object, in order: `Removing KIND NAME` for each, each
/// removal waited for, and docker/cli's failure text (the ID, no newline) for each refusal.
/// Whether any failed.
async fn remove_each(
    interp: &Interp,
    io: &Io,
    what: &str,
    items: &[(String, String)],
    remove: &dyn Fn(&mut swarm_core::World, &str) -> Result<swarm_core::OpHandle, String>,
) -> bool {
    let mut failed = false;
    for (name, id) in items {
        io.out.write(&format!("Removing {what} {name}\n"));
        let r = remove(&mut interp.world().borrow_mut(), id);
        let r = match r {
            Ok(h) => wait(interp, h).await,
            Err(e) => Err(e),
        };
        if let Err(e) = r {
            // docker/cli prints the ID and no newline here.
            io.err.write(&format!(
                "Failed to remove {what} {id}: Error response from daemon: {e}"
            ));
            failed = true;
        }
    }
    failed
}

/// `docker stack rm STACK…`.
async fn rm(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    if !cmd.args.iter().all(|n| valid_name(n, io)) {
        return 1;
    }
    let detach = !cmd.flags.iter().any(|(k, _)| k == "detach") || cmd.bool("detach");
    let mut errors = Vec::new();
    for namespace in &cmd.args {
        let found = stack_services(interp, m, namespace)
            .and_then(|s| stack_networks(interp, m, namespace).map(|n| (s, n)));
        let (services, networks) = match found {
            Ok(x) => x,
            Err(e) => return daemon_error(io, &e),
        };
        let objects = stack_objects(interp, m, namespace, ObjectKind::Secret)
            .and_then(|s| stack_objects(interp, m, namespace, ObjectKind::Config).map(|c| (s, c)));
        let (secrets, configs) = match objects {
            Ok(x) => x,
            Err(e) => return daemon_error(io, &e),
        };
        if services.is_empty() && networks.is_empty() && secrets.is_empty() && configs.is_empty() {
            io.err
                .write(&format!("Nothing found in stack: {namespace}\n"));
            continue;
        }
        let mut failed = remove_each(interp, io, "service", &services, &|w, id| {
            w.service_remove(m, id)
        })
        .await;
        for (kind, objects) in [
            (ObjectKind::Secret, &secrets),
            (ObjectKind::Config, &configs),
        ] {
            failed |= remove_each(interp, io, kind.as_str(), objects, &|w, id| {
                w.object_remove(m, kind, id)
            })
            .await;
        }
        failed |= remove_each(interp, io, "network", &networks, &|w, id| {
            w.network_remove(m, id)
        })
        .await;
        if failed {
            errors.push(format!(
                "Failed to remove some resources from stack: {namespace}"
            ));
            continue;
        }
        if !detach {
            wait_tasks_gone(interp, m, &services).await;
        }
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}
