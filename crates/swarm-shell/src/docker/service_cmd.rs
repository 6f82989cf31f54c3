//! `docker service …` (and the task table of `docker node ps`): services and their tasks over
//! the world's control API.
//!
//! Writes (`create`, `update`, `scale`, `rollback`, `rm`) are Raft operations: like the CLI
//! waiting for the daemon, the command waits in simulated time until the write commits, then
//! (unless `-d`) follows the service until it converges with the progress display of
//! [`progress`] (its docs say how the display's frames become text). A service that never
//! converges (unschedulable, a task that keeps failing) keeps the command waiting as docker
//! does, until Ctrl+C; swarmsh scripts press Ctrl+C after their idle limit, so a script
//! still finishes, but transcripts use `-d` for such services.
//!
//! - [`opts`]: flag values (pflag's and docker's parsers, with their texts) and the spec they
//!   build or change;
//! - [`read`]: `ls`, `ps`, `inspect`, and `node ps`;
//! - [`logs`]: `service logs`.

mod logs;
pub(crate) mod opts;
mod progress;
pub(crate) mod read;

use swarm_core::catalog::Catalog;
use swarm_core::{MachineId, Mode};

use super::cli::Parsed;
use super::Status;
use crate::exec::{Interp, Io};

#[cfg_attr(target_arch = "wasm32", allow(unused_imports))] // the Engine API uses it
pub(crate) use logs::tail_per_task;
pub(crate) use progress::wait_on_service;
pub(crate) use read::node_ps;
#[cfg_attr(target_arch = "wasm32", allow(unused_imports))] // the Engine API uses them
pub(crate) use read::{
    check_service_filters, service_json, service_matches, service_status, spec_json, task_matches,
};

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "service create"
            | "service ls"
            | "service ps"
            | "service inspect"
            | "service logs"
            | "service scale"
            | "service update"
            | "service rollback"
            | "service rm"
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
        "service create" => create(interp, m, cmd, io).await,
        "service update" => update(interp, m, cmd, io).await,
        "service scale" => scale(interp, m, cmd, io).await,
        "service rollback" => rollback(interp, m, cmd, io).await,
        "service rm" => remove(interp, m, cmd, io).await,
        "service ls" => read::ls(interp, m, cmd, io),
        "service ps" => read::ps(interp, m, cmd, io),
        "service inspect" => read::inspect(interp, m, cmd, io),
        "service logs" => logs::logs(interp, m, cmd, io).await,
        _ => 1,
    }
}

pub(super) use super::swarm_cmd::daemon_error;
use super::swarm_cmd::wait as wait_op;

/// The client library's `imageWithTagString`, which `ServiceCreate` and `ServiceUpdate` apply
/// before anything else: an image with neither tag nor digest gets `:latest` (`nginxx` →
/// `nginxx:latest`, in the spec, the warnings and the tasks' errors alike), in its familiar
/// form (`docker.io/library/nginx` → `nginx:latest`).
pub(crate) fn tag_image(spec: &mut swarm_core::ServiceSpec) {
    if spec.image.contains('@') {
        return;
    }
    if let Some(tagged) = swarm_core::catalog::normalize(&spec.image) {
        spec.image = tagged;
    }
}

/// [`pin_image`], asking a registry of the playground (`127.0.0.1:5000/web`, through `m`'s
/// daemon, with the CLI's credentials) for the digest of an image it holds.
pub(crate) fn pin_image_on(
    interp: &Interp,
    m: MachineId,
    spec: &mut swarm_core::ServiceSpec,
) -> Option<String> {
    if !spec.image.contains('@') {
        if let Some(r) = swarm_core::registry::RegistryRef::parse(&spec.image) {
            let auth = super::registry_cmd::auth_for(interp, &spec.image);
            let digest = interp.world().borrow_mut().registry_manifest_digest(
                m,
                &spec.image,
                auth.as_deref(),
            );
            if let Some(d) = digest {
                spec.image = format!("{}:{}@{d}", r.name(), r.tag.as_deref().unwrap_or("latest"));
                spec.platforms = vec![("linux".into(), "amd64".into())];
                return None;
            }
        }
    }
    pin_image(spec)
}

/// The daemon pins the image to its digest when the registry knows it (`nginx` →
/// `nginx:latest@sha256:…`) and records its platforms; otherwise it warns (the warning the
/// CLI prints on stderr).
pub(crate) fn pin_image(spec: &mut swarm_core::ServiceSpec) -> Option<String> {
    let image = spec.image.clone();
    if image.contains('@') {
        return None;
    }
    match Catalog::get().lookup(&image) {
        Some(img) => {
            spec.image = format!("{}:{}@{}", img.repository, img.tag, img.digest);
            spec.platforms = vec![(img.os.clone(), img.arch.clone())];
            None
        }
        None => Some(format!(
            "image {image} could not be accessed on a registry to record\nits digest. Each node will access {image} independently,\npossibly leading to different nodes running different\nversions of the image.\n\n"
        )),
    }
}

/// The CLI's `ParseSecrets`/`ParseConfigs` over the references the flags just added (those
/// without an ID yet): names become IDs, or the CLI's error text.
pub(crate) fn resolve_new_refs(
    w: &swarm_core::World,
    m: MachineId,
    spec: &mut swarm_core::ServiceSpec,
) -> Result<(), String> {
    use swarm_core::ObjectKind;
    for kind in [ObjectKind::Secret, ObjectKind::Config] {
        let refs = match kind {
            ObjectKind::Secret => &mut spec.secrets,
            ObjectKind::Config => &mut spec.configs,
        };
        let (mut new, old): (Vec<_>, Vec<_>) = refs.drain(..).partition(|r| r.id.is_empty());
        let r = super::objects_cmd::resolve_refs(w, m, kind, &mut new);
        refs.extend(old);
        refs.extend(new);
        r?;
    }
    Ok(())
}

fn usage(io: &Io, path: &str, cmd: &Parsed) -> Option<Status> {
    match opts::check_values(path, cmd) {
        Ok(()) => None,
        Err(e) => Some(super::usage_error(io, path, &e)),
    }
}

/// `docker service create`.
async fn create(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    if let Some(s) = usage(io, "service create", cmd) {
        return s;
    }
    let spec = match opts::create_spec(cmd) {
        Ok(s) => s,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    };
    let world = interp.world();
    if let Err(e) = world.borrow().control(m) {
        return daemon_error(io, &e);
    }
    let mut spec = match spec {
        Ok(s) => s,
        Err(e) => return daemon_error(io, &e),
    };
    if let Err(e) = resolve_new_refs(&world.borrow(), m, &mut spec) {
        io.err.write(&format!("{e}\n"));
        return 1;
    }
    tag_image(&mut spec);
    let warning = pin_image_on(interp, m, &mut spec);
    let r = world.borrow_mut().service_create(m, spec);
    let id = match r {
        Ok((id, h)) => match wait_op(interp, h).await {
            Ok(()) => id,
            Err(e) => return daemon_error(io, &e),
        },
        Err(e) => return daemon_error(io, &e),
    };
    if let Some(w) = warning {
        io.err.write(&w);
    }
    io.out.write(&format!("{id}\n"));
    if cmd.bool("detach") {
        return 0;
    }
    match progress::wait_on_service(interp, m, &id, cmd.bool("quiet"), io).await {
        Ok(()) => 0,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            1
        }
    }
}

/// `docker service update`.
async fn update(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    if let Some(s) = usage(io, "service update", cmd) {
        return s;
    }
    let target = cmd.args.first().cloned().unwrap_or_default();
    let world = interp.world();
    let current = {
        let w = world.borrow();
        w.control_swarm(m).and_then(|(_, s)| {
            s.find_service(&target)
                .map(|svc| (svc.id.clone(), svc.version, svc.spec.clone()))
        })
    };
    let (id, version, mut spec) = match current {
        Ok(x) => x,
        Err(e) => return daemon_error(io, &e),
    };
    let mut warning = None;
    let r = if cmd.bool("rollback") {
        if !opts::only_rollback_flags(cmd) {
            io.err
                .write("other flags may not be combined with --rollback\n");
            return 1;
        }
        world.borrow_mut().service_rollback(m, &id)
    } else {
        if let Err(e) = opts::apply_update(cmd, &mut spec) {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
        if let Err(e) = resolve_new_refs(&world.borrow(), m, &mut spec) {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
        tag_image(&mut spec);
        if cmd.value("image").is_some() && !cmd.bool("no-resolve-image") {
            warning = pin_image_on(interp, m, &mut spec);
        }
        world.borrow_mut().service_update(m, &id, version, spec)
    };
    let r = match r {
        Ok(h) => wait_op(interp, h).await,
        Err(e) => Err(e),
    };
    if let Err(e) = r {
        return daemon_error(io, &e);
    }
    if let Some(w) = warning {
        io.err.write(&w);
    }
    io.out.write(&format!("{target}\n"));
    if cmd.bool("detach") {
        return 0;
    }
    match progress::wait_on_service(interp, m, &target, cmd.bool("quiet"), io).await {
        Ok(()) => 0,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            1
        }
    }
}

/// `docker service scale SERVICE=N…`.
async fn scale(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    for a in &cmd.args {
        let ok = a
            .split_once('=')
            .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty());
        if !ok {
            io.err.write(&format!(
                "invalid scale specifier '{a}'.\nSee 'docker service scale --help'.\n\nUsage:  {}\n\nScale one or multiple replicated services\n",
                super::cli::usage_line("service scale")
            ));
            return 1;
        }
    }
    let world = interp.world();
    let mut errors: Vec<String> = Vec::new();
    let mut scaled: Vec<String> = Vec::new();
    for a in &cmd.args {
        let (name, value) = a.split_once('=').unwrap_or((a, ""));
        // strconv.ParseUint(value, 10, 64).
        let n = if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            Err("invalid syntax")
        } else {
            value.parse::<u64>().map_err(|_| "value out of range")
        };
        let n = match n {
            Ok(n) => n,
            Err(why) => {
                errors.push(format!(
                    "{name}: invalid replicas value {value}: strconv.ParseUint: parsing \"{value}\": {why}"
                ));
                continue;
            }
        };
        let current = {
            let w = world.borrow();
            w.control_swarm(m).and_then(|(_, s)| {
                s.find_service(name)
                    .map(|svc| (svc.id.clone(), svc.version, svc.spec.clone()))
            })
        };
        let (id, version, mut spec) = match current {
            Ok(x) => x,
            Err(e) => {
                errors.push(format!("{name}: Error response from daemon: {e}"));
                continue;
            }
        };
        match &mut spec.mode {
            Mode::Replicated { replicas } => *replicas = n,
            Mode::ReplicatedJob {
                total_completions, ..
            } => *total_completions = n,
            _ => {
                errors.push(format!(
                    "{name}: scale can only be used with replicated or replicated-job mode"
                ));
                continue;
            }
        }
        let r = world.borrow_mut().service_update(m, &id, version, spec);
        let r = match r {
            Ok(h) => wait_op(interp, h).await,
            Err(e) => Err(e),
        };
        if let Err(e) = r {
            errors.push(format!("{name}: Error response from daemon: {e}"));
            continue;
        }
        io.out.write(&format!("{name} scaled to {n}\n"));
        scaled.push(name.to_string());
    }
    if !cmd.bool("detach") {
        for name in &scaled {
            if let Err(e) = progress::wait_on_service(interp, m, name, false, io).await {
                errors.push(format!("{name}: {e}"));
            }
        }
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}

/// `docker service rollback`.
async fn rollback(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let target = cmd.args.first().cloned().unwrap_or_default();
    let world = interp.world();
    let id = {
        let w = world.borrow();
        w.control_swarm(m)
            .and_then(|(_, s)| s.find_service(&target).map(|svc| svc.id.clone()))
    };
    let r = match id {
        Ok(id) => world.borrow_mut().service_rollback(m, &id),
        Err(e) => Err(e),
    };
    let r = match r {
        Ok(h) => wait_op(interp, h).await,
        Err(e) => Err(e),
    };
    if let Err(e) = r {
        return daemon_error(io, &e);
    }
    io.out.write(&format!("{target}\n"));
    if cmd.bool("detach") {
        return 0;
    }
    match progress::wait_on_service(interp, m, &target, cmd.bool("quiet"), io).await {
        Ok(()) => 0,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            1
        }
    }
}

/// `docker service rm SERVICE…`: each removed one is printed as typed; the errors come last.
async fn remove(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let mut errors = Vec::new();
    for target in &cmd.args {
        let r = world.borrow_mut().service_remove(m, target);
        let r = match r {
            Ok(h) => wait_op(interp, h).await,
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => io.out.write(&format!("{target}\n")),
            Err(e) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}
