//! The plugin's other container commands: `rm`, `kill`, `scale`, `port`, `top`, `create`
//! and `run` (a one-off container `<project>-<service>-run-<slug>`), as compose 2.36's
//! `cmd/compose` and `pkg/compose` do them.

use super::*;

/// cobra's argument checks and the flag values the commands parse before loading the
/// project; `Some(status)` after printing the error.
pub(super) fn check_args(sub: &str, cmd: &Parsed, io: &Io) -> Option<Status> {
    let min = match sub {
        "port" => 2,
        "scale" | "run" => 1,
        _ => 0,
    };
    let fail = |msg: String| {
        io.err.write(&format!("{msg}\n"));
        Some(1)
    };
    if cmd.args.len() < min {
        return fail(format!(
            "requires at least {min} arg(s), only received {}",
            cmd.args.len()
        ));
    }
    if let Some(v) = cmd.value("index") {
        if v.parse::<i64>().is_err() {
            return fail(format!("invalid argument \"{v}\" for \"--index\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"));
        }
    }
    match sub {
        "scale" => {
            if let Err(e) = scale_args(&cmd.args) {
                return fail(e);
            }
        }
        "port" => {
            let v = &cmd.args[1];
            if v.parse::<u16>().is_err() {
                let why = if v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() {
                    "value out of range"
                } else {
                    "invalid syntax"
                };
                return fail(format!("strconv.ParseUint: parsing \"{v}\": {why}"));
            }
        }
        "run" => {
            if !cmd.values("publish").is_empty() && cmd.bool("service-ports") {
                return fail("--service-ports and --publish are incompatible".into());
            }
            if cmd.value("tty").is_some() && cmd.value("no-TTY").is_some() {
                return fail("--tty and --no-TTY can't be used together".into());
            }
        }
        _ => {}
    }
    None
}

/// `scale`'s `SERVICE=REPLICAS` arguments, in order.
fn scale_args(args: &[String]) -> Result<Vec<(String, usize)>, String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for a in args {
        let Some((k, v)) = a
            .split_once('=')
            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        else {
            return Err(format!("invalid scale specifier: {a}"));
        };
        let Ok(n) = v.parse::<i64>() else {
            return Err(format!(
                "invalid scale specifier: can't parse replica value as int: {a}"
            ));
        };
        out.retain(|(s, _)| s != k);
        out.push((k.to_string(), n.max(0) as usize));
    }
    Ok(out)
}

/// A copy of `cmd`'s flags with `extra` added, and `args`.
fn with(cmd: &Parsed, extra: &[(&str, String)], args: Vec<String>) -> Parsed {
    let mut flags = cmd.flags.clone();
    flags.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Parsed {
        flags,
        args,
        ..Default::default()
    }
}

/// `docker compose rm`: the stopped containers of the (named) services, after asking.
pub(super) async fn rm(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    if cmd.bool("stop") {
        let st = stop(interp, m, project, cmd, io).await;
        if st != 0 {
            return st;
        }
    }
    let world = interp.world();
    let stopped: Vec<Container> = project_containers(&world.borrow(), m, &project.name, true)
        .into_iter()
        .filter(|c| selected(project, cmd, c) && project.service(service_of(c)).is_some())
        .filter(|c| !(c.is_running() || c.state == ContainerState::Restarting))
        .collect();
    if stopped.is_empty() {
        io.err.write("No stopped containers\n");
        return 0;
    }
    let names: Vec<&str> = stopped.iter().map(|c| c.name.as_str()).collect();
    let msg = format!("Going to remove {}", names.join(", "));
    if cmd.bool("force") {
        io.out.write(&format!("{msg}\n"));
    } else if !confirm(interp, io, &msg).await {
        return 0;
    }
    let mut p = Progress::new("Removing");
    for c in &stopped {
        let id = format!("Container {}", c.name);
        p.event(&id, State::Working, "Removing", now_ms(interp));
        let r = world.borrow_mut().container_remove_volumes(
            m,
            &c.id,
            cmd.bool("force"),
            cmd.bool("volumes"),
        );
        pause(interp, 100).await;
        if let Err(e) = r {
            return daemon(io, &p, now_ms(interp), &e);
        }
        p.event(&id, State::Done, "Removed", now_ms(interp));
    }
    show(io, &p, now_ms(interp));
    0
}

/// compose's prompt: survey's confirm on a terminal (`? MESSAGE (y/N) `), the bare message
/// when stdin is not one. Yes only for `y`/`yes`.
async fn confirm(interp: &Interp, io: &Io, msg: &str) -> bool {
    if io.stdin_tty {
        io.out.write(&format!("? {msg} (y/N) "));
    } else {
        io.out.write(msg);
    }
    interp.read_line(io, true).await.is_some_and(|a| {
        matches!(
            a.trim().to_ascii_lowercase().as_str(),
            "y" | "yes" | "true" | "1"
        )
    })
}

/// `docker compose kill`: the signal (SIGKILL) to every running container of the (named)
/// services, one-off ones included.
pub(super) async fn kill(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let signal = cmd.value("signal").unwrap_or("SIGKILL");
    let world = interp.world();
    let orphans = cmd.bool("remove-orphans");
    let running: Vec<Container> =
        project_containers_oneoff(&world.borrow(), m, &project.name, false)
            .into_iter()
            .filter(|c| selected(project, cmd, c))
            .filter(|c| orphans || project.service(service_of(c)).is_some())
            .collect();
    if running.is_empty() {
        io.err.write("No container to kill\n");
        return 0;
    }
    let mut p = Progress::new("Running");
    for c in &running {
        let id = format!("Container {}", c.name);
        p.event(&id, State::Working, "Killing", now_ms(interp));
        let r = world.borrow_mut().container_kill(m, &c.id, signal);
        if let Err(e) = r {
            p.event(&id, State::Error, "Error while Killing", now_ms(interp));
            return daemon(io, &p, now_ms(interp), &e);
        }
        pause(interp, 100).await;
        p.event(&id, State::Done, "Killed", now_ms(interp));
    }
    show(io, &p, now_ms(interp));
    0
}

/// `docker compose pause|unpause [SERVICE…]` (compose's `pause`/`unPause`): every running
/// container of the selected services, one `Paused`/`Unpaused` event each under `Running`;
/// the first engine error (already paused, not paused) ends it as compose returns it.
pub(super) fn pause_all(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
    freeze: bool,
) -> Status {
    let world = interp.world();
    let running: Vec<Container> =
        project_containers_oneoff(&world.borrow(), m, &project.name, false)
            .into_iter()
            .filter(|c| selected(project, cmd, c))
            .filter(|c| project.service(service_of(c)).is_some())
            .collect();
    let mut p = Progress::new("Running");
    for c in &running {
        let r = if freeze {
            world.borrow_mut().container_pause(m, &c.id)
        } else {
            world.borrow_mut().container_unpause(m, &c.id)
        };
        if let Err(e) = r {
            return daemon(io, &p, now_ms(interp), &e);
        }
        let done = if freeze { "Paused" } else { "Unpaused" };
        p.event(
            &format!("Container {}", c.name),
            State::Done,
            done,
            now_ms(interp),
        );
    }
    show(io, &p, now_ms(interp));
    0
}

/// `docker compose scale SERVICE=N…`: `up -d` with those replica counts for those services
/// (and, unless `--no-deps`, what they depend on).
pub(super) async fn scale(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let tuples = scale_args(&cmd.args).unwrap_or_default();
    let mut services: Vec<String> = tuples.iter().map(|(s, _)| s.clone()).collect();
    services.sort();
    let mut extra: Vec<(&str, String)> = vec![("detach", "true".into())];
    for (s, n) in &tuples {
        extra.push(("scale", format!("{s}={n}")));
    }
    let up_cmd = with(cmd, &extra, services);
    let selected = selection(project, &up_cmd);
    up_titled(interp, m, project, &up_cmd, io, "Running", &selected).await
}

/// `docker compose create`: `up --no-start`.
pub(super) async fn create(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let up_cmd = with(cmd, &[("no-start", "true".into())], cmd.args.clone());
    let selected = selection(project, &up_cmd);
    up_titled(interp, m, project, &up_cmd, io, "Creating", &selected).await
}

/// A container's number label; one-off containers sort after the service's own.
fn replica_key(c: &Container) -> (bool, i64) {
    let n = c
        .config
        .labels
        .get(LABEL_NUMBER)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    (is_oneoff(c), n)
}

/// `docker compose port SERVICE PRIVATE_PORT`: where the port of the service's container
/// (`--index`, else the first) is published.
pub(super) fn port(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let svc = &cmd.args[0];
    let port: u16 = cmd.args[1].parse().unwrap_or(0);
    let protocol = cmd.value("protocol").unwrap_or("tcp").to_ascii_lowercase();
    let index: i64 = cmd.value("index").and_then(|v| v.parse().ok()).unwrap_or(0);
    let world = interp.world();
    let w = world.borrow();
    let mut found: Vec<Container> = project_containers_oneoff(&w, m, &project.name, false)
        .into_iter()
        .filter(|c| service_of(c) == svc)
        .filter(|c| index <= 0 || replica_key(c) == (false, index))
        .collect();
    found.sort_by_key(replica_key);
    let Some(c) = found.first() else {
        if index > 0 {
            io.err.write(&format!(
                "service \"{svc}\" is not running container #{index}\n"
            ));
        } else {
            io.err.write(&format!("service \"{svc}\" is not running\n"));
        }
        return 1;
    };
    let ports = container_cmd::ports_of(c);
    if let Some(p) = ports
        .iter()
        .find(|p| p.private_port == port && p.kind == protocol)
    {
        io.out.write(&format!("{}:{}\n", p.ip, p.public_port));
        return 0;
    }
    let list: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", p.public_port, p.kind))
        .collect();
    io.err.write(&format!(
        "no port {port}/{protocol} for container {}: {}\n",
        c.name,
        list.join(", ")
    ));
    1
}

/// `docker compose top`: the processes of the running containers, one table, by container
/// name (`SERVICE`, `#`, then `docker top`'s columns).
pub(super) fn top(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let running: Vec<Container> = project_containers(&w, m, &project.name, false)
        .into_iter()
        .filter(|c| c.is_running() && selected(project, cmd, c))
        .collect();
    if running.is_empty() {
        return 0;
    }
    let mut text = String::from("SERVICE\t#\tUID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCMD\n");
    for c in &running {
        let number = c
            .config
            .labels
            .get(LABEL_NUMBER)
            .cloned()
            .unwrap_or_default();
        for proc in container_cmd::top_rows(&w, m, c) {
            let mut row = vec![service_of(c).to_string(), number.clone()];
            row.extend(proc);
            text.push_str(&row.join("\t"));
            text.push('\n');
        }
    }
    let config = format::tabwriter::Config {
        min_width: 4,
        padding: 2,
        pad_char: ' ',
    };
    io.out.write(&format::tabwriter::render_with(&text, config));
    0
}

/// 12 hex digits of a fresh 64-digit ID (stringid's `TruncateID(GenerateRandomID())`), and
/// the whole ID.
fn slug(interp: &Interp) -> String {
    let world = interp.world();
    let mut w = world.borrow_mut();
    swarm_core::ids::hex_id(w.rng("compose-run"))
}

/// `docker compose run SERVICE [COMMAND…]`: the service's dependencies up, then a one-off
/// container of the service (its command replaced, no published ports unless asked),
/// started as `docker run` starts one: attached until it ends, or `-d` printing its ID.
pub(super) async fn run(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let Some(base) = project.service(&cmd.args[0]).cloned() else {
        return 1;
    };
    // The dependencies (not the service itself): created and started.
    let mut deps = if cmd.bool("no-deps") {
        Vec::new()
    } else {
        let dep_cmd = with(cmd, &[], vec![base.name.clone()]);
        selection(project, &dep_cmd)
    };
    deps.retain(|d| *d != base.name);
    let up_cmd = Parsed {
        flags: vec![("detach".into(), "true".into())],
        ..Default::default()
    };
    let st = up_titled(interp, m, project, &up_cmd, io, "Running", &deps).await;
    if st != 0 {
        return st;
    }
    // The service's image.
    let mut p = Progress::new("Running");
    let only = vec![base.name.clone()];
    if let Err(st) = pull_missing(interp, m, project, &only, false, &mut p, io).await {
        return st;
    }
    if !p.is_empty() {
        show(io, &p, now_ms(interp));
        p = Progress::new("Running");
    }
    let st = build_services(interp, m, project, &only, cmd.bool("build"), &mut p, io).await;
    if st != 0 {
        return st;
    }
    if !p.is_empty() {
        show(io, &p, now_ms(interp));
    }
    // The service as this run changes it.
    let mut s = base.clone();
    let command: Vec<String> = cmd.args[1..].to_vec();
    if let Some(e) = cmd.value("entrypoint") {
        s.entrypoint = Some(e.split_whitespace().map(str::to_string).collect());
        if command.is_empty() {
            s.command = Some(Vec::new());
        }
    }
    if !command.is_empty() {
        s.command = Some(command);
    }
    if let Some(u) = cmd.value("user") {
        s.user = u.to_string();
    }
    if let Some(wd) = cmd.value("workdir") {
        s.working_dir = wd.to_string();
    }
    for e in cmd.values("env") {
        let entry = match e.split_once('=') {
            Some(_) => Some(e.to_string()),
            None => interp.get_var(e).map(|v| format!("{e}={v}")),
        };
        let key = e.split_once('=').map_or(e, |(k, _)| k);
        s.environment
            .retain(|x| x.split_once('=').map_or(x.as_str(), |(k, _)| k) != key);
        if let Some(entry) = entry {
            s.environment.push(entry);
        }
    }
    for l in cmd.values("label") {
        let Some((k, v)) = l.split_once('=') else {
            io.err.write("label must be set as KEY=VALUE\n");
            return 1;
        };
        s.labels.insert(k.to_string(), v.to_string());
    }
    if !cmd.bool("service-ports") {
        s.ports = cmd
            .values("publish")
            .iter()
            .map(|p| p.to_string())
            .collect();
    }
    s.restart = String::new();
    let id64 = slug(interp);
    let short: String = id64.chars().take(12).collect();
    let name = match cmd.value("name") {
        Some(n) => n.to_string(),
        None => format!("{}-{}-run-{short}", project.name, s.name),
    };
    s.container_name = Some(name.clone());
    let mut config = match container_config(project, &s, 0, &config_hash(&format!("{s:?}"))) {
        Ok(c) => c,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    };
    config.labels.insert(LABEL_ONEOFF.into(), "True".into());
    config.labels.insert(LABEL_SLUG.into(), id64);
    config.labels.insert(LABEL_NUMBER.into(), "-1".into());
    let tty = if cmd.value("no-TTY").is_some() {
        !cmd.bool("no-TTY")
    } else if let Some(t) = cmd.value("tty") {
        t == "true"
    } else {
        matches!(io.out, Dest::Terminal(..))
    };
    config.tty = tty;
    config.interactive = cmd.value("interactive").is_none_or(|v| v == "true");
    let auto_remove = cmd.bool("rm");
    config.auto_remove = auto_remove;
    let networks: Vec<Attachment> = s
        .networks
        .iter()
        .filter_map(|k| project.networks.iter().find(|n| n.key == *k))
        .map(|n| {
            let mut a = Attachment::to(&n.name);
            a.aliases = vec![name.clone()];
            if cmd.bool("use-aliases") {
                a.aliases.push(s.name.clone());
            }
            a
        })
        .collect();
    let created = {
        let world = interp.world();
        let mut w = world.borrow_mut();
        let id = w.container_create(m, config);
        if let Ok(id) = &id {
            w.container_set_networks(m, id, networks);
        }
        id
    };
    let id = match created {
        Ok(id) => id,
        Err(e) => {
            io.err.write(&format!("Error response from daemon: {e}\n"));
            return 1;
        }
    };
    container_cmd::start_created(interp, m, "run", &id, cmd.bool("detach"), auto_remove, io).await
}
