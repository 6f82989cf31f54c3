//! `docker compose …`: the Compose v2 plugin (docker-compose-plugin 2.36, as installed with
//! Docker 28). Compose is a client: it reads the project's file (the YAML loader of
//! `docker stack deploy`, see [`project`]) and drives the engine through the same core API
//! `docker run` uses: a bridge network `<project>_default` on which every container answers
//! to its service's name, named volumes `<project>_<key>`, and plain containers
//! `<project>-<service>-<n>` carrying the `com.docker.compose.*` labels by which every later
//! command finds them again. Images with `build:` go through `docker build`'s machinery.
//!
//! Progress is compose's TTY display ([`progress`]) on stderr; `up` without `-d` attaches
//! to the containers' output (`web-1  | …`) until Ctrl+C stops them.

mod buildkit;
mod help;
mod more;
mod progress;
pub(crate) mod project;
mod yaml;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use swarm_core::container::{Container, ContainerConfig, ContainerState};
use swarm_core::container_fs::{MountSpec, MountType};
use swarm_core::endpoints::{Attachment, LocalNetworkSpec};
use swarm_core::{MachineId, SimDuration, World};

use super::cli::{self, FlagSpec, Parsed};
use super::container_cmd;
use super::Status;
use crate::exec::{Dest, Interp, Io, Session};
use crate::format;
use progress::{Progress, State};
use project::{Project, Service};

/// The plugin's version (`docker compose version`).
pub(crate) const VERSION: &str = "2.36.2";

const LABEL_PROJECT: &str = "com.docker.compose.project";
const LABEL_SERVICE: &str = "com.docker.compose.service";
const LABEL_NUMBER: &str = "com.docker.compose.container-number";
const LABEL_HASH: &str = "com.docker.compose.config-hash";
const LABEL_FILES: &str = "com.docker.compose.project.config_files";
const LABEL_WORKDIR: &str = "com.docker.compose.project.working_dir";
const LABEL_VERSION: &str = "com.docker.compose.version";
const LABEL_ONEOFF: &str = "com.docker.compose.oneoff";
const LABEL_SLUG: &str = "com.docker.compose.slug";

const POLL: SimDuration = SimDuration::from_millis(250);

/// The files compose looks for, in its order.
const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// The override files compose merges into a default file found next to them.
const OVERRIDE_FILES: &[&str] = &[
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

fn spec(long: &str, short: Option<char>, value: bool) -> FlagSpec {
    FlagSpec {
        long: long.to_string(),
        short,
        kind: value.then(|| "string".to_string()),
    }
}

/// The flags of a subcommand (`None`: not a compose command).
fn flags_of(sub: &str) -> Option<Vec<FlagSpec>> {
    let v = |l: &str, s: Option<char>| spec(l, s, true);
    let b = |l: &str, s: Option<char>| spec(l, s, false);
    Some(match sub {
        "up" => vec![
            b("detach", Some('d')),
            b("build", None),
            b("no-build", None),
            v("scale", None),
            b("force-recreate", None),
            b("no-recreate", None),
            b("remove-orphans", None),
            b("no-deps", None),
            b("no-start", None),
            b("wait", None),
            b("quiet-pull", None),
            b("no-color", None),
            b("no-log-prefix", None),
            b("abort-on-container-exit", None),
            b("renew-anon-volumes", Some('V')),
            v("pull", None),
            v("timeout", Some('t')),
            b("yes", Some('y')),
        ],
        "down" => vec![
            b("volumes", Some('v')),
            b("remove-orphans", None),
            v("rmi", None),
            v("timeout", Some('t')),
        ],
        "ps" => vec![
            b("all", Some('a')),
            b("quiet", Some('q')),
            b("services", None),
            v("format", None),
            v("status", None),
            v("filter", None),
            b("no-trunc", None),
            b("orphans", None),
        ],
        "logs" => vec![
            b("follow", Some('f')),
            v("tail", Some('n')),
            b("timestamps", Some('t')),
            b("no-color", None),
            b("no-log-prefix", None),
            v("since", None),
            v("until", None),
            v("index", None),
        ],
        "stop" | "start" | "restart" => vec![v("timeout", Some('t'))],
        "config" => vec![
            b("quiet", Some('q')),
            b("services", None),
            b("volumes", None),
            b("images", None),
            v("format", None),
        ],
        "ls" => vec![
            b("all", Some('a')),
            b("quiet", Some('q')),
            v("format", None),
            v("filter", None),
        ],
        "version" => vec![v("format", Some('f')), b("short", None)],
        "build" => vec![b("no-cache", None), b("pull", None), b("quiet", Some('q'))],
        "pull" => vec![b("quiet", Some('q')), b("ignore-pull-failures", None)],
        "exec" => vec![
            b("detach", Some('d')),
            b("no-TTY", Some('T')),
            v("env", Some('e')),
            v("user", Some('u')),
            v("workdir", Some('w')),
            v("index", None),
            b("privileged", None),
        ],
        "images" => vec![b("quiet", Some('q')), v("format", None)],
        "rm" => vec![
            b("force", Some('f')),
            b("stop", Some('s')),
            b("volumes", Some('v')),
            b("all", Some('a')),
        ],
        "kill" => vec![b("remove-orphans", None), v("signal", Some('s'))],
        "scale" => vec![b("no-deps", None)],
        "port" => vec![v("protocol", None), v("index", None)],
        "top" | "pause" | "unpause" => vec![],
        "create" => vec![
            b("build", None),
            b("no-build", None),
            b("force-recreate", None),
            b("no-recreate", None),
            b("remove-orphans", None),
            b("quiet-pull", None),
            v("pull", None),
            v("scale", None),
            b("yes", Some('y')),
        ],
        "run" => vec![
            b("detach", Some('d')),
            v("env", Some('e')),
            v("label", Some('l')),
            b("rm", None),
            b("no-TTY", Some('T')),
            v("name", None),
            v("user", Some('u')),
            v("workdir", Some('w')),
            v("entrypoint", None),
            v("cap-add", None),
            v("cap-drop", None),
            b("no-deps", None),
            v("volume", Some('v')),
            v("publish", Some('p')),
            b("use-aliases", None),
            b("service-ports", Some('P')),
            b("quiet-pull", None),
            b("build", None),
            b("remove-orphans", None),
            b("interactive", Some('i')),
            b("tty", Some('t')),
        ],
        _ => return None,
    })
}

/// The global options before the subcommand.
#[derive(Default)]
struct Globals {
    files: Vec<String>,
    project_name: Option<String>,
    project_dir: Option<String>,
}

/// Runs `docker compose ARGS…`.
pub(crate) async fn run(
    interp: &Interp,
    engine: Result<MachineId, String>,
    args: &[String],
    io: &Io,
) -> Status {
    let mut g = Globals::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if a.starts_with("--") => (n, Some(v.to_string())),
            _ => (a, None),
        };
        let takes = matches!(
            name,
            "-f" | "--file"
                | "-p"
                | "--project-name"
                | "--project-directory"
                | "--env-file"
                | "--profile"
                | "--ansi"
                | "--progress"
                | "--parallel"
        );
        if takes {
            let value = match inline {
                Some(v) => v,
                None => match args.get(i + 1) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => {
                        io.err.write(&format!("flag needs an argument: {name}\n"));
                        return 1;
                    }
                },
            };
            match name {
                "-f" | "--file" => g.files.push(value),
                "-p" | "--project-name" => g.project_name = Some(value),
                "--project-directory" => g.project_dir = Some(value),
                _ => {}
            }
            i += 1;
            continue;
        }
        match name {
            "--help" | "-h" => {
                io.out.write(ROOT_HELP);
                return 0;
            }
            "-v" | "--version" => {
                io.out
                    .write(&format!("Docker Compose version v{VERSION}\n"));
                return 0;
            }
            "--compatibility" | "--dry-run" | "--all-resources" => {
                i += 1;
                continue;
            }
            _ if name.starts_with('-') => {
                io.err.write(&format!("unknown flag: {name}\n"));
                return 1;
            }
            _ => break,
        }
    }
    let Some(sub) = args.get(i) else {
        io.out.write(ROOT_HELP);
        return 0;
    };
    let Some(specs) = flags_of(sub) else {
        // The root command's RunE: its help, then the error.
        io.out.write(ROOT_HELP);
        io.err
            .write(&format!("unknown docker command: \"compose {sub}\"\n"));
        return 1;
    };
    let interspersed = !matches!(sub.as_str(), "exec" | "run");
    let cmd = match cli::parse(&specs, &args[i + 1..], interspersed) {
        Ok(p) => p,
        Err(e) => {
            io.err.write(&format!("{}\n", e.0));
            return 1;
        }
    };
    if cmd.help {
        io.out.write(&help::text(sub).unwrap_or_default());
        return 0;
    }
    if sub == "version" {
        if cmd.bool("short") {
            io.out.write(&format!("{VERSION}\n"));
        } else {
            io.out
                .write(&format!("Docker Compose version v{VERSION}\n"));
        }
        return 0;
    }
    let m = match engine {
        Ok(m) => m,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    };
    if sub == "ls" {
        return ls(interp, m, &cmd, io);
    }
    let project = match load_project(interp, &g, io).await {
        Ok(p) => p,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    };
    if let Some(status) = more::check_args(sub, &cmd, io) {
        return status;
    }
    // Services named on the command line must exist (`port` and `top` only look for
    // containers by the project's name).
    let scaled: Vec<String> = cmd
        .args
        .iter()
        .map(|a| a.split_once('=').map_or(a.as_str(), |(s, _)| s).to_string())
        .collect();
    let named: &[String] = match sub.as_str() {
        "exec" | "run" => &cmd.args[..cmd.args.len().min(1)],
        "config" | "ls" | "version" | "port" | "top" => &[],
        "scale" => &scaled,
        _ => &cmd.args,
    };
    for s in named {
        if project.service(s).is_none() {
            io.err.write(&format!("no such service: {s}\n"));
            return 1;
        }
    }
    match sub.as_str() {
        "up" => up(interp, m, &project, &cmd, io).await,
        "down" => down(interp, m, &project, &cmd, io).await,
        "ps" => ps(interp, m, &project, &cmd, io),
        "logs" => logs(interp, m, &project, &cmd, io).await,
        "stop" => stop(interp, m, &project, &cmd, io).await,
        "start" => start(interp, m, &project, &cmd, io).await,
        "restart" => restart(interp, m, &project, &cmd, io).await,
        "config" => config(&project, &cmd, io),
        "build" => {
            let mut p = Progress::new("Building");
            if cmd.bool("quiet") {
                // compose's quiet progress: no BuildKit frame, no display; a failure's
                // `failed to solve` line still reaches stderr.
                let err = Rc::new(RefCell::new(String::new()));
                let quiet = Io::with_stdin("", io.out.clone(), Dest::Buf(err.clone()));
                let status =
                    build_services(interp, m, &project, &cmd.args, true, &mut p, &quiet).await;
                if let Some(i) = err.borrow().find("failed to solve: ") {
                    io.err.write(&err.borrow()[i..]);
                }
                return status;
            }
            let status = build_services(interp, m, &project, &cmd.args, true, &mut p, io).await;
            show(io, &p, now_ms(interp));
            status
        }
        "pull" => pull(interp, m, &project, &cmd, io).await,
        "exec" => exec(interp, m, &project, &cmd, io).await,
        "images" => images(interp, m, &project, &cmd, io),
        "rm" => more::rm(interp, m, &project, &cmd, io).await,
        "kill" => more::kill(interp, m, &project, &cmd, io).await,
        "pause" => more::pause_all(interp, m, &project, &cmd, io, true),
        "unpause" => more::pause_all(interp, m, &project, &cmd, io, false),
        "scale" => more::scale(interp, m, &project, &cmd, io).await,
        "port" => more::port(interp, m, &project, &cmd, io),
        "top" => more::top(interp, m, &project, &cmd, io),
        "create" => more::create(interp, m, &project, &cmd, io).await,
        "run" => more::run(interp, m, &project, &cmd, io).await,
        _ => 1,
    }
}

/// A warning as compose's logrus prints it on a terminal (the message padded to 44).
fn warn(io: &Io, msg: &str) {
    io.err.write(&format!("WARN[0000] {msg:<44} \n"));
}

/// The first of `names` present in `dir`, warning as compose-go does when several are.
fn find_default(interp: &Interp, dir: &str, names: &[&str], what: &str, io: &Io) -> Option<String> {
    let found: Vec<String> = names
        .iter()
        .map(|n| {
            if dir == "/" {
                format!("/{n}")
            } else {
                format!("{dir}/{n}")
            }
        })
        .filter(|p| crate::fsutils::read_file(interp, p).is_ok())
        .collect();
    if found.len() > 1 {
        warn(
            io,
            &format!(
                "Found multiple {what} files with supported names: {}",
                found.join(", ")
            ),
        );
        warn(io, &format!("Using {}", found[0]));
    }
    found.into_iter().next()
}

/// Finds and loads the project's files: every `-f` (later ones merged into earlier ones),
/// else the first default name in the working directory or one of its parents, with its
/// override file next to it.
async fn load_project(interp: &Interp, g: &Globals, io: &Io) -> Result<Project, String> {
    let mut files = Vec::new();
    for f in &g.files {
        let abs = swarm_core::fs::normalize(&crate::fsutils::abs_path(interp, f));
        if crate::fsutils::read_file(interp, &abs).is_err() {
            return Err(format!("open {abs}: no such file or directory"));
        }
        files.push(abs);
    }
    if files.is_empty() {
        let mut dir = swarm_core::fs::normalize(&crate::fsutils::abs_path(interp, "."));
        loop {
            if let Some(p) = find_default(interp, &dir, DEFAULT_FILES, "config", io) {
                files.push(p);
                if let Some(o) = find_default(interp, &dir, OVERRIDE_FILES, "override", io) {
                    files.push(o);
                }
                break;
            }
            match dir.rsplit_once('/') {
                Some(("", "")) | None => break,
                Some(("", _)) => dir = "/".to_string(),
                Some((parent, _)) => dir = parent.to_string(),
            }
        }
        if files.is_empty() {
            return Err("no configuration file provided: not found".into());
        }
    }
    let mut merged = serde_json::Value::Null;
    for file in &files {
        let text = crate::fsutils::read_file(interp, file).unwrap_or_default();
        let root = crate::jq_cmd::yaml(&text).await?;
        if root.contains_key("version") {
            warn(io, &format!("{file}: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion"));
        }
        if merged.is_null() {
            merged = serde_json::Value::Object(root);
        } else {
            project::merge(&mut merged, serde_json::Value::Object(root), &[]);
        }
    }
    let root = match merged {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    let first = &files[0];
    let dir = match &g.project_dir {
        Some(d) => swarm_core::fs::normalize(&crate::fsutils::abs_path(interp, d)),
        None => match first.rsplit_once('/') {
            Some(("", _)) | None => "/".to_string(),
            Some((d, _)) => d.to_string(),
        },
    };
    let base = dir.rsplit('/').next().unwrap_or("").to_string();
    let lookup = |name: &str| interp.get_var(name);
    // `-p`, else `COMPOSE_PROJECT_NAME`, else `name:`, else the directory.
    let name = g.project_name.clone().or_else(|| {
        interp
            .get_var("COMPOSE_PROJECT_NAME")
            .filter(|n| !n.is_empty())
    });
    project::load(root, name.as_deref(), &base, &dir, &files, &lookup)
}

fn now_ms(interp: &Interp) -> u64 {
    interp.world().borrow().now().as_millis()
}

async fn pause(interp: &Interp, ms: u64) {
    interp.sleep(SimDuration::from_millis(ms)).await;
}

/// Whether `c` is a one-off container of `compose run`.
fn is_oneoff(c: &Container) -> bool {
    c.config.labels.get(LABEL_ONEOFF).map(String::as_str) == Some("True")
}

/// The project's service containers (all of them, or only running ones), by name; not the
/// one-off containers of `compose run`.
fn project_containers(w: &World, m: MachineId, project: &str, all: bool) -> Vec<Container> {
    project_containers_oneoff(w, m, project, all)
        .into_iter()
        .filter(|c| !is_oneoff(c))
        .collect()
}

/// As [`project_containers`], with the one-off containers.
fn project_containers_oneoff(w: &World, m: MachineId, project: &str, all: bool) -> Vec<Container> {
    let mut out: Vec<Container> = w
        .containers(m)
        .iter()
        .filter(|c| c.config.labels.get(LABEL_PROJECT).map(String::as_str) == Some(project))
        .filter(|c| all || c.is_running() || c.state == ContainerState::Restarting)
        .cloned()
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn service_of(c: &Container) -> &str {
    c.config
        .labels
        .get(LABEL_SERVICE)
        .map_or("", String::as_str)
}

fn number_of(c: &Container) -> usize {
    c.config
        .labels
        .get(LABEL_NUMBER)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The name compose shows for a container in logs: without the project prefix.
fn short_name(project: &str, c: &Container) -> String {
    c.name
        .strip_prefix(&format!("{project}-"))
        .unwrap_or(&c.name)
        .to_string()
}

/// FNV-1a over the text, spread to 64 hex digits (the `config-hash` label).
fn config_hash(text: &str) -> String {
    let mut out = String::new();
    for round in 0u64..4 {
        let mut h: u64 = 0xcbf29ce484222325 ^ round;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

fn scale_overrides(cmd: &Parsed, io: &Io) -> Result<BTreeMap<String, usize>, Status> {
    let mut out = BTreeMap::new();
    for s in cmd.values("scale") {
        let Some((svc, n)) = s.split_once('=') else {
            io.err.write(&format!(
                "invalid --scale option {s:?}. Should be SERVICE=NUM\n"
            ));
            return Err(1);
        };
        match n.parse::<usize>() {
            Ok(n) => {
                out.insert(svc.to_string(), n);
            }
            Err(_) => {
                io.err.write(&format!(
                    "invalid --scale option {s:?}. Should be SERVICE=NUM\n"
                ));
                return Err(1);
            }
        }
    }
    Ok(out)
}

/// Builds the services with `build:` (those in `only`, or all): with `force`, even when the
/// image is there already. Reports `Service NAME Built` on `p`.
async fn build_services(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    only: &[String],
    force: bool,
    p: &mut Progress,
    io: &Io,
) -> Status {
    for s in &project.services {
        if !only.is_empty() && !only.contains(&s.name) {
            continue;
        }
        let Some(b) = &s.build else { continue };
        let image = s.image_name(&project.name);
        if !force && interp.world().borrow().image_present(m, &image) {
            continue;
        }
        let id = format!("Service {}", s.name);
        p.event(&id, State::Working, "Building", now_ms(interp));
        let context = if b.context.starts_with('/') {
            b.context.clone()
        } else {
            swarm_core::fs::normalize(&format!("{}/{}", project.working_dir, b.context))
        };
        let mut flags = vec![
            ("tag".to_string(), image.clone()),
            ("quiet".to_string(), "true".to_string()),
        ];
        if let Some(f) = &b.dockerfile {
            flags.push(("file".to_string(), format!("{context}/{f}")));
        }
        let dockerfile = b.dockerfile.clone().unwrap_or_else(|| "Dockerfile".into());
        let dockerfile_text = crate::fsutils::read_file(interp, &format!("{context}/{dockerfile}"))
            .unwrap_or_default();
        let context_bytes: u64 = super::build_cmd::context_files(interp, &context)
            .iter()
            .map(|(_, d)| d.len() as u64)
            .sum();
        let parsed = Parsed {
            flags,
            args: vec![context],
            ..Default::default()
        };
        let started = now_ms(interp);
        let out = Rc::new(RefCell::new(String::new()));
        let err = Rc::new(RefCell::new(String::new()));
        let quiet_io = Io::with_stdin("", Dest::Buf(out.clone()), Dest::Buf(err.clone()));
        let status = super::build_cmd::run_builder(interp, m, &parsed, &quiet_io, true).await;
        if status != 0 {
            p.event(&id, State::Error, "Error", now_ms(interp));
            show(io, p, now_ms(interp));
            // Shown: the caller has nothing left to print.
            *p = Progress::new("");
            let text = err.borrow().clone();
            let text = text
                .split_once("https://docs.docker.com/go/buildx/\n\n")
                .map_or(text.as_str(), |(_, rest)| rest)
                .to_string();
            io.err.write(&format!(
                "failed to solve: {}",
                if text.is_empty() {
                    "build failed\n"
                } else {
                    &text
                }
            ));
            // compose exits 1 on a failed build, whatever the step's code.
            return 1;
        }
        // What BuildKit would have shown: the base's pull, then each step.
        let steps = super::build_cmd::parse_dockerfile(&dockerfile_text).unwrap_or_default();
        let base = steps
            .iter()
            .find(|i| i.keyword == "FROM")
            .and_then(|i| i.args.split_whitespace().find(|w| !w.starts_with("--")))
            .unwrap_or("")
            .to_string();
        let (full, digest) = {
            let w = interp.world();
            let w = w.borrow();
            let digest = w
                .find_image(m, &base)
                .map(|i| i.digest.clone())
                .unwrap_or_default();
            let full = format::container::ImageRef::parse_normalized(&base).map_or(
                base.clone(),
                |mut r| {
                    if r.tag.is_none() && r.digest.is_none() {
                        r.tag = Some("latest".into());
                    }
                    r.full_string()
                },
            );
            (full, digest)
        };
        let image_id = interp
            .world()
            .borrow()
            .find_image(m, &image)
            .map(|i| i.id.clone())
            .unwrap_or_default();
        let from_secs = (now_ms(interp) - started) as f64 / 1000.0;
        let runs = steps.iter().filter(|i| i.keyword == "RUN").count() as u64;
        let run_ms = 2100;
        pause(interp, 600 + runs * run_ms + 400).await;
        let jobs = buildkit::jobs(
            &s.name,
            &dockerfile,
            dockerfile_text.len() as u64,
            context_bytes,
            &steps,
            &full,
            &digest,
            &image_id,
            &image,
            from_secs,
            run_ms as f64 / 1000.0,
        );
        let total = (now_ms(interp) - started) as f64 / 1000.0;
        if matches!(io.err, Dest::Terminal(..)) {
            io.err
                .write(&buildkit::render(&jobs, total, progress::WIDTH));
        } else {
            io.err.write(&buildkit::plain(&jobs));
        }
        p.event(&id, State::Done, "Built", now_ms(interp));
    }
    0
}

/// Pulls `image` for service `name`, reporting it on `p` as compose does (`redis Pulled`,
/// each layer `Pull complete` under it). Err is the daemon's message.
async fn pull_one(
    interp: &Interp,
    m: MachineId,
    name: &str,
    image: &str,
    p: &mut Progress,
) -> Result<(), String> {
    p.text(name, "", State::Working, "Pulling", now_ms(interp));
    let auth = super::registry_cmd::auth_for(interp, image);
    let took = interp
        .world()
        .borrow_mut()
        .image_pull_auth(m, image, auth.as_deref());
    match took {
        Ok(d) => {
            let start = now_ms(interp);
            interp.sleep(d).await;
            let layers = interp
                .world()
                .borrow()
                .find_image(m, image)
                .map(|i| i.layers.clone())
                .unwrap_or_default();
            let end = now_ms(interp);
            let n = layers.len().max(1) as u64;
            for (k, l) in layers.iter().enumerate() {
                let short: String = l.trim_start_matches("sha256:").chars().take(12).collect();
                let at = start + (end - start) * (k as u64 + 1) / n;
                p.text(&short, name, State::Working, "Waiting", start);
                p.text(&short, name, State::Done, "Pull complete", at);
            }
            p.text(name, "", State::Done, "Pulled", end);
            Ok(())
        }
        Err(e) => {
            p.text(name, "", State::Error, "Error", now_ms(interp));
            Err(e)
        }
    }
}

/// Pulls the images of services without `build:` that are missing (or all with `always`).
async fn pull_missing(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    only: &[String],
    always: bool,
    p: &mut Progress,
    io: &Io,
) -> Result<(), Status> {
    for s in project.services.iter().filter(|s| only.contains(&s.name)) {
        let Some(image) = &s.image else { continue };
        if s.build.is_some() {
            continue;
        }
        let present = interp.world().borrow().image_present(m, image);
        if present && !always {
            continue;
        }
        if let Err(e) = pull_one(interp, m, &s.name, image, p).await {
            show(io, p, now_ms(interp));
            io.err.write(&format!("Error response from daemon: {e}\n"));
            return Err(1);
        }
    }
    Ok(())
}

/// The container configuration of replica `n` of `s`.
fn container_config(
    project: &Project,
    s: &Service,
    n: usize,
    hash: &str,
) -> Result<ContainerConfig, String> {
    let mut labels = s.labels.clone();
    let depends: Vec<String> = s
        .depends_on
        .iter()
        .map(|d| format!("{d}:service_started:false"))
        .collect();
    for (k, v) in [
        (LABEL_HASH, hash.to_string()),
        (LABEL_NUMBER, n.to_string()),
        ("com.docker.compose.depends_on", depends.join(",")),
        ("com.docker.compose.image", s.image_name(&project.name)),
        (LABEL_ONEOFF, "False".to_string()),
        (LABEL_PROJECT, project.name.clone()),
        (LABEL_FILES, project.config_files.join(",")),
        (LABEL_WORKDIR, project.working_dir.clone()),
        (LABEL_SERVICE, s.name.clone()),
        (LABEL_VERSION, VERSION.to_string()),
    ] {
        labels.insert(k.to_string(), v);
    }
    let mut ports = Vec::new();
    for p in &s.ports {
        ports.push(container_cmd::parse_publish(p).map_err(|e| format!("invalid port {p}: {e}"))?);
    }
    let restart = match container_cmd::parse_restart(&s.restart) {
        Ok(r) => r,
        Err((_, e)) => return Err(e),
    };
    let mut mounts = Vec::new();
    for v in &s.volumes {
        let (kind, source) = if v.bind {
            let src = if v.source.starts_with('/') {
                v.source.clone()
            } else {
                swarm_core::fs::normalize(&format!("{}/{}", project.working_dir, v.source))
            };
            (MountType::Bind, src)
        } else if v.source.is_empty() {
            (MountType::Volume, String::new())
        } else {
            let name = project
                .volumes
                .iter()
                .find(|x| x.key == v.source)
                .map_or_else(|| v.source.clone(), |x| x.name.clone());
            (MountType::Volume, name)
        };
        mounts.push(MountSpec {
            kind,
            source,
            target: v.target.clone(),
            read_only: v.read_only,
            ..Default::default()
        });
    }
    let name = match &s.container_name {
        Some(n) => n.clone(),
        None => format!("{}-{}-{n}", project.name, s.name),
    };
    Ok(ContainerConfig {
        name,
        image: s.image_name(&project.name),
        entrypoint: s.entrypoint.clone(),
        args: s.command.clone().unwrap_or_default(),
        env: s.environment.clone(),
        labels,
        hostname: s.hostname.clone(),
        tty: s.tty,
        interactive: s.stdin_open,
        restart,
        ports,
        workdir: s.working_dir.clone(),
        user: s.user.clone(),
        mounts,
        memory: s.memory,
        nano_cpus: s.nano_cpus,
        ..Default::default()
    })
}

/// Prints a progress display on stderr: its last frame on a terminal, else the plain
/// writer's lines.
fn show(io: &Io, p: &Progress, now: u64) {
    if matches!(io.err, Dest::Terminal(..)) {
        io.err.write(&p.render(now));
    } else {
        io.err.write(&p.plain());
    }
}

fn daemon(io: &Io, p: &Progress, now: u64, e: &str) -> Status {
    show(io, p, now);
    io.err.write(&format!("Error response from daemon: {e}\n"));
    1
}

/// `docker compose up`.
async fn up(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let selected = selection(project, cmd);
    up_titled(interp, m, project, cmd, io, "Running", &selected).await
}

/// The services `up SERVICE…` works on: those named and, unless `--no-deps`, what they
/// depend on (all of them when none is named).
fn selection(project: &Project, cmd: &Parsed) -> Vec<String> {
    if cmd.args.is_empty() {
        return project.services.iter().map(|s| s.name.clone()).collect();
    }
    let mut out: Vec<String> = Vec::new();
    let mut todo: Vec<String> = cmd.args.clone();
    while let Some(name) = todo.pop() {
        if out.contains(&name) {
            continue;
        }
        if !cmd.bool("no-deps") {
            if let Some(s) = project.service(&name) {
                todo.extend(s.depends_on.iter().cloned());
            }
        }
        out.push(name);
    }
    out
}

/// `up` (and `create`, `scale`, the dependencies of `run`) under the progress title `title`,
/// for the `selected` services' containers.
async fn up_titled(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
    title: &str,
    selected: &[String],
) -> Status {
    let scales = match scale_overrides(cmd, io) {
        Ok(s) => s,
        Err(st) => return st,
    };
    for svc in scales.keys() {
        if project.service(svc).is_none() {
            io.err.write(&format!("no such service: {svc}\n"));
            return 1;
        }
    }
    let world = interp.world();
    // Swarm-only networks need a swarm.
    for n in project
        .networks
        .iter()
        .filter(|n| n.driver == "overlay" && !n.external)
    {
        if world.borrow().membership(m).is_none() {
            io.err.write(&format!("failed to create network {}: Error response from daemon: This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.\n", n.name));
            return 1;
        }
    }
    let selected = selected.to_vec();
    let mut p = Progress::new(title);
    let always = cmd.value("pull") == Some("always");
    if let Err(st) = pull_missing(interp, m, project, &selected, always, &mut p, io).await {
        return st;
    }
    if !cmd.bool("no-build") {
        let st = build_services(interp, m, project, &selected, cmd.bool("build"), &mut p, io).await;
        if st != 0 {
            return st;
        }
    }
    // Networks.
    for n in &project.networks {
        if n.external {
            if world.borrow().find_network_on(m, &n.name).is_err() {
                io.err.write(&format!(
                    "network {} declared as external, but could not be found\n",
                    n.name
                ));
                return 1;
            }
            continue;
        }
        if world.borrow().find_network_on(m, &n.name).is_ok() {
            continue;
        }
        let id = format!("Network {}", n.name);
        p.event(&id, State::Working, "Creating", now_ms(interp));
        let labels: BTreeMap<String, String> = [
            ("com.docker.compose.network", n.key.clone()),
            (LABEL_PROJECT, project.name.clone()),
            (LABEL_VERSION, VERSION.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let r = world.borrow_mut().local_network_create(
            m,
            LocalNetworkSpec {
                name: n.name.clone(),
                driver: "bridge".into(),
                labels,
                ..Default::default()
            },
        );
        pause(interp, 100).await;
        if let Err(e) = r {
            p.event(&id, State::Error, "Error", now_ms(interp));
            show(io, &p, now_ms(interp));
            io.err.write(&format!(
                "failed to create network {}: Error response from daemon: {e}\n",
                n.name
            ));
            return 1;
        }
        p.event(&id, State::Done, "Created", now_ms(interp));
    }
    // Volumes.
    for v in project.volumes.iter().filter(|v| !v.external) {
        if world.borrow().volume(m, &v.name).is_some() {
            continue;
        }
        let id = format!("Volume \"{}\"", v.name);
        p.event(&id, State::Working, "Creating", now_ms(interp));
        let labels: BTreeMap<String, String> = [
            (LABEL_PROJECT, project.name.clone()),
            (LABEL_VERSION, VERSION.to_string()),
            ("com.docker.compose.volume", v.key.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let r =
            world
                .borrow_mut()
                .volume_create(m, Some(&v.name), "local", labels, BTreeMap::new());
        if let Err(e) = r {
            return daemon(io, &p, now_ms(interp), &e);
        }
        p.event(&id, State::Done, "Created", now_ms(interp));
    }
    // Containers: create (or recreate) what is missing, then start in dependency order.
    let order = project.start_order();
    let mut to_start: Vec<(String, String)> = Vec::new(); // (event id, container id)
    for s in order.iter().filter(|s| selected.contains(&s.name)) {
        let replicas = scales.get(&s.name).copied().unwrap_or(s.replicas);
        let image_id = world
            .borrow()
            .find_image(m, &s.image_name(&project.name))
            .map(|i| i.id.clone())
            .unwrap_or_default();
        let hash = config_hash(&format!("{s:?}{image_id}"));
        let existing: Vec<Container> = project_containers(&world.borrow(), m, &project.name, true)
            .into_iter()
            .filter(|c| service_of(c) == s.name)
            .collect();
        // Surplus replicas go.
        for c in existing.iter().filter(|c| number_of(c) > replicas) {
            let id = format!("Container {}", c.name);
            p.event(&id, State::Working, "Stopping", now_ms(interp));
            let _ = world.borrow_mut().container_remove(m, &c.id, true);
            pause(interp, 100).await;
            p.event(&id, State::Done, "Removed", now_ms(interp));
        }
        for n in 1..=replicas {
            let config = match container_config(project, s, n, &hash) {
                Ok(c) => c,
                Err(e) => {
                    show(io, &p, now_ms(interp));
                    io.err.write(&format!("{e}\n"));
                    return 1;
                }
            };
            let id = format!("Container {}", config.name);
            let found = existing.iter().find(|c| number_of(c) == n);
            if let Some(c) = found {
                let same = c.config.labels.get(LABEL_HASH) == Some(&hash);
                if same && !cmd.bool("force-recreate") {
                    if c.is_running() {
                        p.event(&id, State::Done, "Running", now_ms(interp));
                    } else {
                        p.event(&id, State::Working, "Starting", now_ms(interp));
                        to_start.push((id, c.id.clone()));
                    }
                    continue;
                }
                p.event(&id, State::Working, "Recreate", now_ms(interp));
                let _ = world.borrow_mut().container_stop(m, &c.id, Some(10_000));
                let _ = world.borrow_mut().container_remove(m, &c.id, true);
            } else {
                p.event(&id, State::Working, "Creating", now_ms(interp));
            }
            let recreated = found.is_some();
            let networks: Vec<Attachment> = s
                .networks
                .iter()
                .filter_map(|k| project.networks.iter().find(|n| n.key == *k))
                .map(|n| {
                    let mut a = Attachment::to(&n.name);
                    a.aliases = vec![config.name.clone(), s.name.clone()];
                    a
                })
                .collect();
            let created = {
                let mut w = world.borrow_mut();
                let id = w.container_create(m, config);
                if let Ok(id) = &id {
                    w.container_set_networks(m, id, networks);
                }
                id
            };
            pause(interp, 50).await;
            match created {
                Ok(cid) => {
                    p.event(
                        &id,
                        State::Done,
                        if recreated { "Recreated" } else { "Created" },
                        now_ms(interp),
                    );
                    to_start.push((id, cid));
                }
                Err(e) => {
                    p.event(&id, State::Error, "Error", now_ms(interp));
                    return daemon(io, &p, now_ms(interp), &e);
                }
            }
        }
    }
    if cmd.bool("no-start") {
        show(io, &p, now_ms(interp));
        return 0;
    }
    for (id, cid) in &to_start {
        p.event(id, State::Working, "Starting", now_ms(interp));
        let r = world.borrow_mut().container_start(m, cid);
        pause(interp, 200).await;
        if let Err(e) = r {
            p.event(id, State::Error, "Error", now_ms(interp));
            return daemon(io, &p, now_ms(interp), &e);
        }
        p.event(id, State::Done, "Started", now_ms(interp));
    }
    show(io, &p, now_ms(interp));
    if cmd.bool("detach") {
        return 0;
    }
    attach(interp, m, project, cmd, io).await
}

/// Stops the project's containers when an attached `up` is interrupted, and leaves the
/// text compose prints after `^C` for the terminal.
struct Teardown {
    world: Rc<RefCell<World>>,
    session: Rc<RefCell<Session>>,
    m: MachineId,
    project: String,
    armed: bool,
}

impl Drop for Teardown {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(mut w) = self.world.try_borrow_mut() else {
            return;
        };
        let now = w.now().as_millis();
        let mut p = Progress::new("Stopping");
        let mut running = project_containers(&w, self.m, &self.project, false);
        running.reverse();
        for c in running {
            let id = format!("Container {}", c.name);
            p.event(&id, State::Working, "Stopping", now);
            let until = w
                .container_stop(self.m, &c.id, None)
                .map_or(now, |t| t.as_millis());
            p.event(&id, State::Done, "Stopped", until.max(now) + 100);
        }
        let text = format!(
            "Gracefully stopping... (press Ctrl+C again to force)\n{}",
            p.render(now)
        );
        if let Ok(mut s) = self.session.try_borrow_mut() {
            s.interrupt_note = Some(text);
        }
    }
}

fn prefix_width(names: &[String]) -> usize {
    names.iter().map(String::len).max().unwrap_or(0) + 1
}

/// `up` in the foreground: the containers' output, prefixed, until they all end.
async fn attach(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let containers = project_containers(&world.borrow(), m, &project.name, false);
    let mut ordered: Vec<Container> = Vec::new();
    for s in project
        .start_order()
        .into_iter()
        .filter(|s| cmd.args.is_empty() || cmd.args.contains(&s.name))
    {
        ordered.extend(
            containers
                .iter()
                .filter(|c| service_of(c) == s.name)
                .cloned(),
        );
    }
    let names: Vec<String> = ordered
        .iter()
        .map(|c| short_name(&project.name, c))
        .collect();
    io.out
        .write(&format!("Attaching to {}\n", names.join(", ")));
    let width = prefix_width(&names);
    let no_prefix = cmd.bool("no-log-prefix");
    let mut guard = Teardown {
        world: world.clone(),
        session: interp.session.clone(),
        m,
        project: project.name.clone(),
        armed: true,
    };
    // Everything each container printed since it started this time.
    let mut from: Vec<swarm_core::SimTime> = ordered
        .iter()
        .map(|c| c.runs.last().map_or(c.created_at, |r| r.0))
        .collect();
    let mut ended = vec![false; ordered.len()];
    loop {
        let mut lines: Vec<(swarm_core::SimTime, usize, String)> = Vec::new();
        {
            let w = world.borrow();
            let now = w.now();
            let to = now + SimDuration::from_millis(1);
            for (k, c) in ordered.iter().enumerate() {
                if ended[k] {
                    continue;
                }
                let Some(live) = w.container(m, &c.id) else {
                    ended[k] = true;
                    continue;
                };
                for l in live.log_lines(now, from[k], to) {
                    lines.push((l.at, k, l.text));
                }
                from[k] = to;
                if !(live.is_running() || live.state == ContainerState::Restarting) {
                    ended[k] = true;
                    lines.push((
                        now,
                        usize::MAX - k,
                        format!("{} exited with code {}", names[k], live.exit_code),
                    ));
                }
            }
        }
        lines.sort_by_key(|l| l.0);
        for (_, k, text) in lines {
            // Exit notices (keyed past the containers) and `--no-log-prefix` lines as they are.
            if k > ordered.len() || no_prefix {
                io.out.write(&format!("{text}\n"));
            } else {
                io.out
                    .write(&format!("{:<width$} | {text}\n", names[k], width = width));
            }
        }
        if ended.iter().all(|e| *e) {
            guard.armed = false;
            return 0;
        }
        interp.sleep(POLL).await;
    }
}

/// `docker compose down`.
async fn down(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let rmi = cmd.value("rmi").unwrap_or("");
    if !matches!(rmi, "" | "local" | "all") {
        io.err.write(&format!(
            "invalid value for --rmi: \"{rmi}\" (legal values are \"local\", \"all\")\n"
        ));
        return 1;
    }
    let world = interp.world();
    let mut p = Progress::new("Running");
    let mut containers = project_containers_oneoff(&world.borrow(), m, &project.name, true);
    // Reverse start order.
    let order: Vec<String> = project
        .start_order()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    containers.sort_by_key(|c| {
        std::cmp::Reverse(
            order
                .iter()
                .position(|s| s == service_of(c))
                .unwrap_or(usize::MAX),
        )
    });
    for c in &containers {
        let id = format!("Container {}", c.name);
        p.event(&id, State::Working, "Stopping", now_ms(interp));
        let until = world.borrow_mut().container_stop(m, &c.id, None);
        if let Ok(t) = until {
            let now = world.borrow().now();
            if t > now {
                interp.sleep(t.saturating_since(now)).await;
            }
        }
        p.event(&id, State::Working, "Removing", now_ms(interp));
        let r = world
            .borrow_mut()
            .container_remove_volumes(m, &c.id, true, cmd.bool("volumes"));
        pause(interp, 100).await;
        if let Err(e) = r {
            return daemon(io, &p, now_ms(interp), &e);
        }
        p.event(&id, State::Done, "Removed", now_ms(interp));
    }
    for n in project.networks.iter().filter(|n| !n.external) {
        if world.borrow().find_network_on(m, &n.name).is_err() {
            continue;
        }
        let id = format!("Network {}", n.name);
        p.event(&id, State::Working, "Removing", now_ms(interp));
        let r = world.borrow_mut().local_network_remove(m, &n.name);
        pause(interp, 100).await;
        if let Err(e) = r {
            return daemon(io, &p, now_ms(interp), &e);
        }
        p.event(&id, State::Done, "Removed", now_ms(interp));
    }
    // `--rmi`: the services' images (`local`: only those compose named itself), once each.
    let mut images: Vec<String> = Vec::new();
    for s in &project.services {
        let name = s.image_name(&project.name);
        let wanted = match rmi {
            "all" => true,
            "local" => s.image.is_none(),
            _ => false,
        };
        if wanted && !images.contains(&name) && world.borrow().image_present(m, &name) {
            images.push(name);
        }
    }
    for image in &images {
        let id = format!("Image {image}");
        p.event(&id, State::Working, "Removing", now_ms(interp));
        let r = world.borrow_mut().image_remove(m, image, false);
        pause(interp, 100).await;
        match r {
            Ok(_) => p.event(&id, State::Done, "Removed", now_ms(interp)),
            Err(e) if e.contains("conflict") => p.event(
                &id,
                State::Warning,
                "Resource is still in use",
                now_ms(interp),
            ),
            Err(e) => return daemon(io, &p, now_ms(interp), &e),
        }
    }
    if cmd.bool("volumes") {
        for v in project.volumes.iter().filter(|v| !v.external) {
            if world.borrow().volume(m, &v.name).is_none() {
                continue;
            }
            let id = format!("Volume {}", v.name);
            p.event(&id, State::Working, "Removing", now_ms(interp));
            let r = world.borrow_mut().volume_remove(m, &v.name, false);
            if let Err(e) = r {
                return daemon(io, &p, now_ms(interp), &e);
            }
            p.event(&id, State::Done, "Removed", now_ms(interp));
        }
    }
    if p.is_empty() {
        io.err.write(&format!(
            "Warning: No resource found to remove for project \"{}\".\n",
            project.name
        ));
        return 0;
    }
    show(io, &p, now_ms(interp));
    0
}

/// `docker compose ps`.
fn ps(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let now = w.now();
    let all = cmd.bool("all");
    let listed = if all {
        project_containers_oneoff(&w, m, &project.name, true)
    } else {
        project_containers(&w, m, &project.name, false)
    };
    let containers: Vec<Container> = listed
        .into_iter()
        .filter(|c| cmd.args.is_empty() || cmd.args.iter().any(|s| s == service_of(c)))
        .collect();
    if cmd.bool("quiet") {
        for c in &containers {
            io.out.write(&format!("{}\n", c.id));
        }
        return 0;
    }
    if cmd.bool("services") {
        let mut seen: Vec<&str> = Vec::new();
        for c in &containers {
            if !seen.contains(&service_of(c)) {
                seen.push(service_of(c));
                io.out.write(&format!("{}\n", service_of(c)));
            }
        }
        return 0;
    }
    let no_trunc = cmd.bool("no-trunc");
    let mut text = String::from("NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS\n");
    for c in &containers {
        let command = container_cmd::command_of(c);
        let command = if no_trunc {
            command
        } else {
            format::container::ellipsis(&command, 20)
        };
        let created = format::human_duration(
            (crate::model::unix_ms(now) - c.created_at.unix_ms().div_euclid(1000) * 1000).max(0)
                as u64,
        );
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{created} ago\t{}\t{}\n",
            c.name,
            c.config.image,
            format::container::go_quote(&command),
            service_of(c),
            format::container::container_status(&container_cmd::status_of(c, now)),
            format::container::displayable_ports(&container_cmd::ports_of(c)),
        ));
    }
    io.out.write(&format::tabwriter::render(&text));
    0
}

/// `docker compose logs`.
async fn logs(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let containers: Vec<Container> = project_containers(&world.borrow(), m, &project.name, true)
        .into_iter()
        .filter(|c| cmd.args.is_empty() || cmd.args.iter().any(|s| s == service_of(c)))
        .collect();
    let tail = match cmd.value("tail") {
        None | Some("all") => None,
        Some(v) => v.parse::<usize>().ok(),
    };
    let names: Vec<String> = containers
        .iter()
        .map(|c| short_name(&project.name, c))
        .collect();
    let width = prefix_width(&names);
    let no_prefix = cmd.bool("no-log-prefix");
    let print = |lines: &mut Vec<(swarm_core::SimTime, usize, String)>| {
        lines.sort_by_key(|l| l.0);
        for (_, k, text) in lines.drain(..) {
            if no_prefix {
                io.out.write(&format!("{text}\n"));
            } else {
                io.out
                    .write(&format!("{:<width$} | {text}\n", names[k], width = width));
            }
        }
    };
    let mut lines = Vec::new();
    for (k, c) in containers.iter().enumerate() {
        let got = world
            .borrow()
            .container_logs(m, &c.id, None, None, tail)
            .unwrap_or_default();
        lines.extend(got.into_iter().map(|l| (l.at, k, l.text)));
    }
    print(&mut lines);
    if !cmd.bool("follow") {
        return 0;
    }
    let mut from = world.borrow().now() + SimDuration::from_millis(1);
    loop {
        let any = containers.iter().any(|c| {
            world
                .borrow()
                .container(m, &c.id)
                .is_some_and(|c| c.is_running() || c.state == ContainerState::Restarting)
        });
        if !any {
            return 0;
        }
        interp.sleep(POLL).await;
        let to = world.borrow().now() + SimDuration::from_millis(1);
        {
            let w = world.borrow();
            let now = w.now();
            for (k, c) in containers.iter().enumerate() {
                if let Some(live) = w.container(m, &c.id) {
                    lines.extend(
                        live.log_lines(now, from, to)
                            .into_iter()
                            .map(|l| (l.at, k, l.text)),
                    );
                }
            }
        }
        print(&mut lines);
        from = to;
    }
}

fn selected(project: &Project, cmd: &Parsed, c: &Container) -> bool {
    let _ = project;
    cmd.args.is_empty() || cmd.args.iter().any(|s| s == service_of(c))
}

fn timeout_ms(cmd: &Parsed) -> Option<u64> {
    cmd.value("timeout")
        .and_then(|t| t.parse::<u64>().ok())
        .map(|s| s * 1000)
}

/// `docker compose stop`.
async fn stop(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let mut p = Progress::new("Stopping");
    let mut containers: Vec<Container> =
        project_containers(&world.borrow(), m, &project.name, false)
            .into_iter()
            .filter(|c| selected(project, cmd, c))
            .collect();
    containers.reverse();
    for c in &containers {
        let id = format!("Container {}", c.name);
        p.event(&id, State::Working, "Stopping", now_ms(interp));
        let r = world.borrow_mut().container_stop(m, &c.id, timeout_ms(cmd));
        match r {
            Ok(t) => {
                let now = world.borrow().now();
                if t > now {
                    interp.sleep(t.saturating_since(now)).await;
                }
                pause(interp, 100).await;
            }
            Err(e) => return daemon(io, &p, now_ms(interp), &e),
        }
        p.event(&id, State::Done, "Stopped", now_ms(interp));
    }
    show(io, &p, now_ms(interp));
    0
}

/// `docker compose start`.
async fn start(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let mut p = Progress::new("Running");
    let all = project_containers(&world.borrow(), m, &project.name, true);
    for s in project.start_order() {
        for c in all
            .iter()
            .filter(|c| service_of(c) == s.name && selected(project, cmd, c))
        {
            if c.is_running() {
                continue;
            }
            let id = format!("Container {}", c.name);
            p.event(&id, State::Working, "Starting", now_ms(interp));
            let r = world.borrow_mut().container_start(m, &c.id);
            pause(interp, 200).await;
            if let Err(e) = r {
                return daemon(io, &p, now_ms(interp), &e);
            }
            p.event(&id, State::Done, "Started", now_ms(interp));
        }
    }
    show(io, &p, now_ms(interp));
    0
}

/// `docker compose restart`.
async fn restart(
    interp: &Interp,
    m: MachineId,
    project: &Project,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let world = interp.world();
    let mut p = Progress::new("Restarting");
    let all = project_containers(&world.borrow(), m, &project.name, true);
    for s in project.start_order() {
        for c in all
            .iter()
            .filter(|c| service_of(c) == s.name && selected(project, cmd, c))
        {
            let id = format!("Container {}", c.name);
            p.event(&id, State::Working, "Restarting", now_ms(interp));
            let r = world
                .borrow_mut()
                .container_restart(m, &c.id, timeout_ms(cmd));
            match r {
                Ok(t) => {
                    let now = world.borrow().now();
                    if t > now {
                        interp.sleep(t.saturating_since(now)).await;
                    }
                    pause(interp, 200).await;
                }
                Err(e) => return daemon(io, &p, now_ms(interp), &e),
            }
            p.event(&id, State::Done, "Started", now_ms(interp));
        }
    }
    show(io, &p, now_ms(interp));
    0
}

/// `docker compose pull`.
async fn pull(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let mut p = Progress::new("Pulling");
    for s in &project.services {
        if !cmd.args.is_empty() && !cmd.args.contains(&s.name) {
            continue;
        }
        let Some(image) = &s.image else { continue };
        if s.build.is_some() && !interp.world().borrow().image_present(m, image) {
            p.full_skip(&s.name, now_ms(interp));
            continue;
        }
        if let Err(e) = pull_one(interp, m, &s.name, image, &mut p).await {
            if !cmd.bool("quiet") {
                show(io, &p, now_ms(interp));
            }
            io.err.write(&format!("Error response from daemon: {e}\n"));
            return 1;
        }
    }
    if !cmd.bool("quiet") {
        show(io, &p, now_ms(interp));
    }
    0
}

/// `docker compose exec SERVICE COMMAND…`: `docker exec` in the service's first container.
async fn exec(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let Some(svc) = cmd.args.first() else {
        io.err.write("\"docker compose exec\" requires at least 2 arguments.\nSee 'docker compose exec --help'.\n\nUsage:  docker compose exec [OPTIONS] SERVICE COMMAND [ARGS...]\n\nExecute a command in a running container\n");
        return 1;
    };
    if cmd.args.len() < 2 {
        io.err.write("\"docker compose exec\" requires at least 2 arguments.\nSee 'docker compose exec --help'.\n\nUsage:  docker compose exec [OPTIONS] SERVICE COMMAND [ARGS...]\n\nExecute a command in a running container\n");
        return 1;
    }
    let index: usize = cmd.value("index").and_then(|i| i.parse().ok()).unwrap_or(1);
    let target = project_containers(&interp.world().borrow(), m, &project.name, false)
        .into_iter()
        .find(|c| service_of(c) == svc && number_of(c) == index);
    let Some(c) = target else {
        io.err.write(&format!("service \"{svc}\" is not running\n"));
        return 1;
    };
    let mut flags = Vec::new();
    if !cmd.bool("no-TTY") && !cmd.bool("detach") && io.stdin_tty {
        flags.push(("interactive".to_string(), "true".to_string()));
        flags.push(("tty".to_string(), "true".to_string()));
    }
    for k in ["env", "user", "workdir"] {
        for v in cmd.values(k) {
            flags.push((k.to_string(), v.to_string()));
        }
    }
    if cmd.bool("detach") {
        flags.push(("detach".to_string(), "true".to_string()));
    }
    let mut args = vec![c.name.clone()];
    args.extend(cmd.args[1..].iter().cloned());
    let parsed = Parsed {
        flags,
        args,
        ..Default::default()
    };
    container_cmd::run(interp, m, "exec", &parsed, io).await
}

/// `docker compose images`.
fn images(interp: &Interp, m: MachineId, project: &Project, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    let containers = project_containers(&w, m, &project.name, true);
    if cmd.bool("quiet") {
        for c in &containers {
            io.out.write(&format!("{}\n", c.image_id));
        }
        return 0;
    }
    let mut text = String::from("CONTAINER\tREPOSITORY\tTAG\tIMAGE ID\tSIZE\n");
    for c in &containers {
        let (repo, tag, size) = match w.find_image(m, &c.config.image) {
            Some(i) => (i.repository.clone(), i.tag.clone(), i.size),
            None => (c.config.image.clone(), "latest".to_string(), 0),
        };
        text.push_str(&format!(
            "{}\t{repo}\t{tag}\t{}\t{}\n",
            c.name,
            format::truncate_id(&c.image_id),
            format::bytes_size(size as f64)
        ));
    }
    io.out.write(&format::tabwriter::render(&text));
    0
}

/// `docker compose ls`: the projects that have containers on this engine.
fn ls(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let w = world.borrow();
    // project → (states by name, config files)
    let mut projects: BTreeMap<String, (BTreeMap<String, usize>, String)> = BTreeMap::new();
    for c in w.containers(m) {
        let Some(name) = c.config.labels.get(LABEL_PROJECT) else {
            continue;
        };
        let e = projects.entry(name.clone()).or_default();
        let state = match c.state {
            ContainerState::Running => "running",
            ContainerState::Created => "created",
            ContainerState::Restarting => "restarting",
            ContainerState::Exited => "exited",
            ContainerState::Dead => "dead",
        };
        *e.0.entry(state.to_string()).or_default() += 1;
        e.1 = c
            .config
            .labels
            .get(LABEL_FILES)
            .cloned()
            .unwrap_or_default();
    }
    let all = cmd.bool("all");
    let rows: Vec<(String, String, String)> = projects
        .into_iter()
        .filter(|(_, (states, _))| all || states.contains_key("running"))
        .map(|(name, (states, files))| {
            let status: Vec<String> = states.iter().map(|(s, n)| format!("{s}({n})")).collect();
            (name, status.join(", "), files)
        })
        .collect();
    if cmd.bool("quiet") {
        for (name, _, _) in &rows {
            io.out.write(&format!("{name}\n"));
        }
        return 0;
    }
    let mut text = String::from("NAME\tSTATUS\tCONFIG FILES\n");
    for (name, status, files) in &rows {
        text.push_str(&format!("{name}\t{status}\t{files}\n"));
    }
    io.out.write(&format::tabwriter::render(&text));
    0
}

/// `docker compose config`: the project as compose resolved it, in YAML.
fn config(project: &Project, cmd: &Parsed, io: &Io) -> Status {
    if cmd.bool("services") {
        // compose-go's ForEachService: each after what it depends on.
        for s in project.start_order() {
            io.out.write(&format!("{}\n", s.name));
        }
        return 0;
    }
    if cmd.bool("volumes") {
        for v in &project.volumes {
            io.out.write(&format!("{}\n", v.key));
        }
        return 0;
    }
    if cmd.bool("images") {
        for s in &project.services {
            io.out.write(&format!("{}\n", s.image_name(&project.name)));
        }
        return 0;
    }
    if cmd.bool("quiet") {
        return 0;
    }
    io.out.write(&yaml::emit(&yaml::canonical(project)));
    0
}

/// The standalone `docker-compose` binary's arguments as the plugin's (compose's
/// `compatibility.Convert`): the docker CLI's own flags first, then `compose` and the rest;
/// `-h` is `--help`, `-v`/`--version` the `version` command, `--verbose` is `--debug`.
pub(crate) fn convert(args: &[String]) -> Result<Vec<String>, String> {
    const BOOL_FLAGS: &[&str] = &["--debug", "-D", "--verbose", "--tls", "--tlsverify"];
    const STRING_FLAGS: &[&str] = &[
        "--tlscacert",
        "--tlscert",
        "--tlskey",
        "--host",
        "-H",
        "--context",
        "--log-level",
    ];
    let mut root: Vec<String> = Vec::new();
    let mut command = vec!["compose".to_string()];
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if !arg.is_empty() && !arg.starts_with('-') {
            // Not a top-level flag any more: the rest is the command.
            if arg == "compose" {
                i += 1;
            }
            command.extend(args[i..].iter().cloned());
            break;
        }
        let arg = match arg {
            "--verbose" => "--debug",
            "-h" => "--help",
            "--version" | "-v" => "version",
            a => a,
        };
        if BOOL_FLAGS.contains(&arg) {
            root.push(arg.to_string());
        } else if STRING_FLAGS.contains(&arg) {
            i += 1;
            let Some(v) = args.get(i) else {
                return Err(format!("flag needs an argument: '{arg}'"));
            };
            root.push(arg.to_string());
            root.push(v.clone());
        } else {
            command.push(arg.to_string());
        }
        i += 1;
    }
    root.extend(command);
    Ok(root)
}

/// A subcommand's `--help` (`None`: not a compose command).
pub(crate) fn sub_help(sub: &str) -> Option<String> {
    help::text(sub)
}

/// `docker compose --help`.
pub(crate) const ROOT_HELP: &str = include_str!("compose_cmd/help.txt");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_64_hex() {
        let h = config_hash("web");
        assert_eq!(h.len(), 64);
        assert_eq!(h, config_hash("web"));
        assert_ne!(h, config_hash("redis"));
    }

    #[test]
    fn standalone_arguments_become_the_plugin_s() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let c = |a: &[&str]| convert(&args(a)).unwrap();
        assert_eq!(c(&["up", "-d"]), args(&["compose", "up", "-d"]));
        assert_eq!(c(&["-v"]), args(&["compose", "version"]));
        assert_eq!(c(&["--version"]), args(&["compose", "version"]));
        assert_eq!(c(&["-h"]), args(&["compose", "--help"]));
        assert_eq!(
            c(&["-H", "node2", "-f", "x.yml", "ps", "-v"]),
            args(&["-H", "node2", "compose", "-f", "x.yml", "ps", "-v"])
        );
        assert_eq!(c(&["compose", "ps"]), args(&["compose", "ps"]));
        assert_eq!(
            convert(&args(&["-H"])).unwrap_err(),
            "flag needs an argument: '-H'"
        );
    }

    #[test]
    fn unknown_subcommands_have_no_flags() {
        assert!(flags_of("bogus").is_none());
        assert!(flags_of("up").is_some());
    }
}
