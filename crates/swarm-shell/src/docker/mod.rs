//! The `docker` command: the CLI's global options, command lookup, usage errors, and the
//! commands the playground emulates so far.
//!
//! Everything the real CLI prints by itself (help, usage errors, exit codes) comes from its
//! captured help texts (see `cli`); what the engine answers comes from the world.

pub(crate) mod build_cmd;
pub(crate) mod cli;
mod commit_cmd;
pub(crate) mod compose_cmd;
pub(crate) mod container_cmd;
pub(crate) mod container_files;
mod container_more;
mod container_net;
pub(crate) mod image_programs;
mod inspect_cmd;
pub(crate) mod network_cmd;
pub(crate) mod objects_cmd;
pub(crate) mod packages;
pub(crate) mod prune_cmd;
pub(crate) mod registry_cmd;
pub(crate) mod service_cmd;
pub(crate) mod stack_cmd;
pub(crate) mod swarm_cmd;
pub(crate) mod system;
mod template;
pub(crate) mod volume_cmd;
mod webapp;

use swarm_core::{MachineId, Power};

use crate::exec::{Interp, Io};

/// The engine's socket, as error messages name it.
const SOCKET: &str = "unix:///var/run/docker.sock";

/// A finished command's exit status.
type Status = i32;

pub(super) fn usage_error(io: &Io, path: &str, msg: &str) -> Status {
    let cmd = if path.is_empty() {
        "docker".to_string()
    } else {
        format!("docker {path}")
    };
    io.err.write(&format!(
        "{msg}\n\nUsage:  {}\n\nRun '{cmd} --help' for more information\n",
        cli::usage_line(path)
    ));
    125
}

/// A flag error of a command group (`docker service --foo`): cobra's usage line of the group
/// command, which is its `Use` (`volume COMMAND`, `manifest COMMAND`) or just its name, with
/// `[OPTIONS]` where the group has flags of its own (`stack`).
fn group_flag_error(io: &Io, path: &str, msg: &str) -> Status {
    let line = match path {
        "stack" => "docker stack [OPTIONS]".to_string(),
        "volume" | "manifest" => format!("docker {path} COMMAND"),
        _ => format!("docker {path}"),
    };
    io.err.write(&format!(
        "{msg}\n\nUsage:  {line}\n\nRun 'docker {path} --help' for more information\n"
    ));
    125
}

fn arg_error(io: &Io, path: &str, msg: &str) -> Status {
    io.err.write(&format!(
        "docker: {msg}\n\nUsage:  {}\n\nRun 'docker {path} --help' for more information\n",
        cli::usage_line(path)
    ));
    1
}

/// docker/cli's `command.PromptForConfirmation`: prints `message` (or `Are you sure you want
/// to proceed?`) and ` [y/N] ` on stdout, reads one line (typed at the terminal, or the next
/// line of a piped stdin) and says yes only for `y`/`Y` with spaces around (`yes` is a no, as
/// there); nothing to read (EOF) is a no.
pub(crate) async fn confirm(interp: &Interp, io: &Io, message: &str) -> bool {
    let message = if message.is_empty() {
        "Are you sure you want to proceed?"
    } else {
        message
    };
    io.out.write(&format!("{message} [y/N] "));
    interp
        .read_line(io, true)
        .await
        .is_some_and(|answer| answer.trim().eq_ignore_ascii_case("y"))
}

/// `docker --help` as an engine outside swarm mode shows it: without the swarm commands.
async fn root_help(swarm_active: bool) -> String {
    let text = with_plugins(&cli::help_text("").await);
    if swarm_active {
        return text;
    }
    match (text.find("Swarm Commands:\n"), text.find("\nCommands:\n")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b + 1..]),
        _ => text.to_string(),
    }
}

/// The root help as the CLI shows it with the compose plugin installed: plugins are listed
/// among the management commands, their names marked with `*`.
fn with_plugins(text: &str) -> String {
    const BEFORE: &str = "  container   Manage containers\n";
    match text.find("\nManagement Commands:\n") {
        Some(start) => match text[start..].find(BEFORE) {
            Some(i) => {
                let at = start + i;
                format!(
                    "{}  compose*    Docker Compose\n{}",
                    &text[..at],
                    &text[at..]
                )
            }
            None => text.to_string(),
        },
        None => text.to_string(),
    }
}

/// Which machine's engine a command talks to: this one, or the one `-H`/`DOCKER_HOST` names
/// (Play with Docker's engines listened on tcp port 2375 too).
fn target_engine(interp: &Interp, hosts: &[&str]) -> Result<MachineId, String> {
    let here = interp.session.borrow().machine();
    let env = interp.get_var("DOCKER_HOST");
    let host = hosts
        .last()
        .map(|s| s.to_string())
        .or(env)
        .filter(|h| !h.is_empty());
    let Some(host) = host else { return Ok(here) };
    if host == SOCKET || host == "unix:///run/docker.sock" {
        return Ok(here);
    }
    let addr = host.strip_prefix("tcp://").unwrap_or(&host);
    let addr = addr.trim_end_matches('/');
    let (h, port) = addr.rsplit_once(':').unwrap_or((addr, "2375"));
    let world = interp.world();
    let w = world.borrow();
    let m = match h {
        "localhost" | "127.0.0.1" => w.machine(here),
        _ => w
            .machine_by_name(h)
            .or_else(|| h.parse().ok().and_then(|ip| w.machine_by_ip(ip))),
    };
    match m {
        Some(m) if port == "2375" && m.power == Power::Running => Ok(m.id),
        _ => Err(format!(
            "Cannot connect to the Docker daemon at {host}. Is the docker daemon running?"
        )),
    }
}

/// Runs `docker-compose ARGS…`, the standalone Compose v2 binary: the plugin's command line
/// (see [`compose_cmd::convert`]) run as `docker compose`.
pub(crate) async fn compose_standalone(interp: &Interp, args: &[String], io: &Io) -> Status {
    match compose_cmd::convert(args) {
        Ok(args) => Box::pin(run(interp, &args, io)).await,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            1
        }
    }
}

/// Runs `docker ARGS…`.
pub(crate) async fn run(interp: &Interp, args: &[String], io: &Io) -> Status {
    let globals = cli::flags("");
    let parsed = match cli::parse(&globals, args, false) {
        Ok(p) => p,
        Err(e) => return usage_error(io, "", &e.0),
    };
    let here = interp.session.borrow().machine();
    let hosts = parsed.values("host");
    let engine = target_engine(interp, &hosts);
    // `docker --help` lists the swarm commands only when the engine is in swarm mode.
    let swarm_active = engine
        .as_ref()
        .ok()
        .is_some_and(|m| interp.world().borrow().membership(*m).is_some());
    if parsed.bool("version") {
        io.out.write(&format!(
            "Docker version {}, build {}\n",
            system::client::VERSION,
            system::client::GIT_COMMIT
        ));
        return 0;
    }
    if parsed.args.is_empty() {
        // `docker` alone prints its help on stderr and succeeds; `docker --help` on stdout.
        let help = root_help(swarm_active).await;
        if parsed.help {
            io.out.write(&help);
        } else {
            io.err.write(&help);
        }
        return 0;
    }
    if parsed.help {
        io.out.write(&root_help(swarm_active).await);
        return 0;
    }
    let _ = here;

    // Find the longest command path the CLI knows: `service create`, `container ls` …
    let words = &parsed.args;
    if words[0] == "help" {
        return help_command(io, &words[1..], swarm_active).await;
    }
    if words[0] == "compose" {
        return compose_cmd::run(interp, engine, &words[1..], io).await;
    }
    let mut path = String::new();
    let mut used = 0;
    for w in words {
        let candidate = if path.is_empty() {
            w.clone()
        } else {
            format!("{path} {w}")
        };
        let candidate = cli::resolve_alias(&candidate);
        if cli::known(&candidate) && !w.starts_with('-') {
            path = candidate;
            used += 1;
            if !cli::is_group(&path) {
                break;
            }
        } else {
            break;
        }
    }
    if path.is_empty() {
        io.err.write(&format!(
            "docker: unknown command: docker {}\n\nRun 'docker --help' for more information\n",
            words[0]
        ));
        return 1;
    }
    let rest = &words[used..];
    if cli::is_group(&path) {
        // A group without a (known) subcommand.
        match rest.first() {
            None => {
                io.err.write(&cli::help_text(&path).await);
                return 0;
            }
            Some(a) if a == "--help" || a == "-h" => {
                io.out.write(&cli::help_text(&path).await);
                return 0;
            }
            Some(a) if a.starts_with('-') => {
                let specs = cli::flags(&path);
                if let Err(e) = cli::parse(&specs, rest, true) {
                    return group_flag_error(io, &path, &e.0);
                }
                io.err.write(&cli::help_text(&path).await);
                return 0;
            }
            Some(a) => {
                // cobra parses the group's flags before its argument check: a flag after a
                // mistyped subcommand (`docker service craete --name x`) is the error.
                if let Err(e) = cli::parse(&cli::flags(&path), rest, true) {
                    return group_flag_error(io, &path, &e.0);
                }
                io.err.write(&format!(
                    "docker: unknown command: docker {path} {a}\n\nUsage:  docker {path}\n\nRun 'docker {path} --help' for more information\n"
                ));
                return 1;
            }
        }
    }
    let specs = cli::flags(&path);
    // `run`, `create`, `exec`, `service create` … stop at the image/container: the rest is the
    // command (pflag's `SetInterspersed(false)`).
    let interspersed = !container_cmd::takes_command(&path);
    let cmd = match cli::parse(&specs, rest, interspersed) {
        Ok(p) => p,
        Err(e) => return usage_error(io, &path, &e.0),
    };
    if cmd.help {
        if cmd.short_help {
            io.out
                .write("Flag shorthand -h has been deprecated, use --help\n");
        }
        io.out.write(&cli::help_text(&path).await);
        return 0;
    }
    // pflag checks a typed flag's value while it parses (`--replicas nginx`), before cobra
    // counts the arguments.
    if let Err(e) = service_cmd::opts::check_values(&path, &cmd) {
        return usage_error(io, &path, &e);
    }
    if let Err(text) = cli::check_args(&path, cmd.args.len()) {
        io.err.write(&text);
        return 1;
    }
    // Go templates (`--format`) run in the page's lazily loaded module: wait for it here, so
    // that the commands below call it synchronously (natively it is linked: no wait).
    if cmd.value("format").is_some_and(|f| !f.is_empty()) {
        if let Err(why) = crate::jq_cmd::extras_ready().await {
            io.err.write(&format!(
                "template: the template engine could not be loaded: {why}\n"
            ));
            return 1;
        }
    }
    // A manager whose Raft still names a leader it cannot reach (the leader just left or
    // died): swarmkit's raft proxy polls for a new leader every 500 ms until the daemon's
    // 20 s request deadline, so the command waits for the election instead of failing.
    if is_manager_api(&path) || path == "swarm update" {
        if let Ok(m) = &engine {
            await_leader(interp, *m).await;
        }
    }
    match path.as_str() {
        "version" => version(interp, &cmd, engine, io),
        "info" | "system info" => info(interp, &cmd, engine, parsed.bool("debug"), io),
        "swarm init" | "swarm join" | "swarm join-token" | "swarm leave" | "swarm update"
        | "swarm unlock-key" | "swarm unlock" | "node ls" | "node inspect" | "node update"
        | "node promote" | "node demote" | "node rm" | "node ps" => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            match path.as_str() {
                "swarm init" => swarm_cmd::init(interp, m, &cmd, io),
                "swarm join" => swarm_cmd::join(interp, m, &cmd, io).await,
                "swarm join-token" => swarm_cmd::join_token(interp, m, &cmd, io).await,
                "swarm leave" => swarm_cmd::leave(interp, m, &cmd, io),
                "swarm update" => swarm_cmd::update(interp, m, &cmd, io).await,
                "swarm unlock-key" => swarm_cmd::unlock_key(interp, m, &cmd, io).await,
                "swarm unlock" => swarm_cmd::unlock(interp, m, io).await,
                "node ls" => swarm_cmd::node_ls(interp, m, &cmd, io),
                "node inspect" => swarm_cmd::node_inspect(interp, m, &cmd, io),
                "node update" => swarm_cmd::node_change(interp, m, "update", &cmd, io).await,
                "node promote" => swarm_cmd::node_change(interp, m, "promote", &cmd, io).await,
                "node demote" => swarm_cmd::node_change(interp, m, "demote", &cmd, io).await,
                "node rm" => swarm_cmd::node_rm(interp, m, &cmd, io).await,
                _ => swarm_cmd::node_ps(interp, m, &cmd, io),
            }
        }
        "inspect" => inspect_cmd::run(interp, engine, &cmd, io),
        p if prune_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            prune_cmd::run(interp, m, p, &cmd, io).await
        }
        p if container_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            container_cmd::run(interp, m, p, &cmd, io).await
        }
        p if container_more::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            container_more::run(interp, m, p, &cmd, io).await
        }
        p if commit_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            commit_cmd::run(interp, m, p, &cmd, io).await
        }
        p if build_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            build_cmd::run(interp, m, &cmd, io).await
        }
        p if registry_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            registry_cmd::run(interp, m, p, &cmd, io).await
        }
        p if network_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            network_cmd::run(interp, m, p, &cmd, io).await
        }
        p if stack_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            stack_cmd::run(interp, m, p, &cmd, io).await
        }
        p if objects_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            objects_cmd::run(interp, m, p, &cmd, io).await
        }
        p if volume_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            volume_cmd::run(interp, m, p, &cmd, io).await
        }
        p if service_cmd::handles(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            service_cmd::run(interp, m, p, &cmd, io).await
        }
        // Manager-only APIs: the daemon refuses them outside a reachable quorum.
        p if is_manager_api(p) => {
            let m = match engine {
                Ok(m) => m,
                Err(e) => return cannot_connect(io, &e),
            };
            let control = interp.world().borrow().control(m);
            if let Err(e) = control {
                io.err.write(&format!("Error response from daemon: {e}\n"));
                return 1;
            }
            io.err.write(&format!(
                "docker {p}: not emulated by Swarm Playground yet\n"
            ));
            1
        }
        other => {
            io.err.write(&format!(
                "docker {other}: not emulated by Swarm Playground yet\n"
            ));
            1
        }
    }
}

/// Commands that need a swarm manager's API (`swarm init`/`join`/`leave`/`update` aside).
/// Waits while `m`'s control API answers the deadline error, for at most the daemon's
/// request timeout (see the call in [`run`]).
async fn await_leader(interp: &Interp, m: MachineId) {
    const REQUEST_TIMEOUT: swarm_core::SimDuration = swarm_core::SimDuration::from_secs(20);
    const POLL: swarm_core::SimDuration = swarm_core::SimDuration::from_millis(500);
    let world = interp.world();
    let start = world.borrow().now();
    let mut waited = false;
    loop {
        let (waiting, ok) = {
            let w = world.borrow();
            let r = w.control(m);
            (
                matches!(&r, Err(e) if e == swarm_core::swarm::texts::DEADLINE)
                    && w.now().saturating_since(start) < REQUEST_TIMEOUT,
                r.is_ok(),
            )
        };
        if !waiting {
            // A new leader found: the proxy checks its health on a next poll before the
            // call goes through, and by then the leader's dispatcher has taken the nodes over
            // (it does so on its first Raft tick as leader).
            if waited && ok {
                interp.sleep(POLL + POLL).await;
            }
            return;
        }
        waited = true;
        interp.sleep(POLL).await;
    }
}

fn is_manager_api(path: &str) -> bool {
    let group = path.split(' ').next().unwrap_or("");
    matches!(group, "node" | "service" | "stack" | "secret" | "config")
        || matches!(path, "swarm join-token" | "swarm unlock-key" | "swarm ca")
}

/// `docker help [COMMAND…]`.
async fn help_command(io: &Io, words: &[String], swarm_active: bool) -> Status {
    if words.is_empty() {
        io.out.write(&root_help(swarm_active).await);
        return 0;
    }
    let path = words.join(" ");
    if words[0] == "compose" {
        // The plugin's own help (`docker help compose up` is its `up --help`).
        let text = match words.get(1) {
            Some(sub) => compose_cmd::sub_help(sub),
            None => Some(compose_cmd::ROOT_HELP.to_string()),
        };
        if let Some(text) = text {
            io.out.write(&text);
            return 0;
        }
    }
    if cli::known(&path) {
        io.out.write(&cli::help_text(&path).await);
        0
    } else {
        io.err.write(&format!("unknown help topic: {path}\n"));
        1
    }
}

fn cannot_connect(io: &Io, msg: &str) -> Status {
    io.err.write(&format!("{msg}\n"));
    1
}

fn version(
    interp: &Interp,
    cmd: &cli::Parsed,
    engine: Result<MachineId, String>,
    io: &Io,
) -> Status {
    if !cmd.args.is_empty() {
        return arg_error(io, "version", "'docker version' accepts no arguments");
    }
    let world = interp.world();
    let w = world.borrow();
    let server = engine
        .as_ref()
        .ok()
        .and_then(|id| w.machine(*id))
        .filter(|m| m.engine_up());
    if let Some(format) = cmd.value("format").filter(|f| !f.is_empty()) {
        let data = system::version_value(server);
        // docker/cli system/version.go: `templates.New("version")`, executed on a `versionInfo`
        // through a tab writer that is always given a final newline.
        let text = match format {
            "json" => "{{json .}}",
            f => f,
        };
        let tpl = match template::Template::parse("version", text) {
            Ok(t) => t,
            Err(e) => {
                io.err.write(&format!("template parsing error: {}\n", e.0));
                return 64;
            }
        };
        let types = template::Types {
            root: "system.versionInfo",
            fields: &[
                ("Client", "system.clientVersion"),
                ("Server", "*types.Version"),
            ],
        };
        let (out, err) = tpl.execute(&data, &types);
        let config = crate::format::tabwriter::Config {
            min_width: 20,
            padding: 1,
            pad_char: ' ',
        };
        io.out.write(&crate::format::tabwriter::render_with(
            &format!("{out}\n"),
            config,
        ));
        if server.is_none() {
            return cannot_connect(io, &daemon_error(&engine));
        }
        if let Some(e) = err {
            io.err.write(&format!("{}\n", e.0));
            return 1;
        }
        return 0;
    }
    io.out.write(&system::version_client_text());
    match server {
        Some(_) => {
            io.out.write(&system::version_server_text());
            0
        }
        None => cannot_connect(io, &daemon_error(&engine)),
    }
}

fn daemon_error(engine: &Result<MachineId, String>) -> String {
    match engine {
        Err(e) => e.clone(),
        Ok(_) => format!(
            "Cannot connect to the Docker daemon at {SOCKET}. Is the docker daemon running?"
        ),
    }
}

fn info(
    interp: &Interp,
    cmd: &cli::Parsed,
    engine: Result<MachineId, String>,
    debug: bool,
    io: &Io,
) -> Status {
    if !cmd.args.is_empty() {
        return arg_error(io, "info", "'docker info' accepts no arguments");
    }
    let world = interp.world();
    let w = world.borrow();
    let server = engine
        .as_ref()
        .ok()
        .and_then(|id| w.machine(*id))
        .filter(|m| m.engine_up());
    if let Some(f) = cmd.value("format").filter(|f| !f.is_empty()) {
        // `--format`: the template over `/info` plus the client's half, as docker/cli's
        // `dockerInfo` (the server fields at the top level).
        let mut v =
            server.map_or_else(|| serde_json::json!({}), |m| crate::model::info_json(&w, m));
        v["ClientInfo"] = serde_json::json!({
            "Debug": debug, "Version": system::client::VERSION,
            "DefaultAPIVersion": system::client::API_VERSION, "GitCommit": system::client::GIT_COMMIT,
            "GoVersion": system::client::GO_VERSION, "Os": "linux", "Arch": "amd64",
            "BuildTime": system::client::BUILT, "Context": "default", "Plugins": [], "Warnings": null,
        });
        if server.is_none() {
            v["ServerErrors"] = serde_json::json!([daemon_error(&engine)]);
        }
        return match template::render(f, &v, "system.dockerInfo") {
            Ok(s) => {
                io.out.write(&format!("{s}\n"));
                0
            }
            Err(e) => {
                io.err.write(&format!("{}\n", e.0));
                if e.1 {
                    64
                } else {
                    1
                }
            }
        };
    }
    io.out.write(&system::info_client_text(debug));
    match server {
        Some(m) => {
            io.out.write(&system::info_server_text(
                &w,
                m,
                &swarm_cmd::info_section(&w, m.id),
            ));
            for warning in swarm_cmd::info_warnings(&w, m.id) {
                io.err.write(&format!("{warning}\n"));
            }
            0
        }
        None => {
            io.out.write("\nServer:\n");
            cannot_connect(io, &daemon_error(&engine))
        }
    }
}
