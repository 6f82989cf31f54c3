//! The `jq` command: the shell's side of `swarm-jq`; and the way to the other engines that live
//! in the same lazily loaded module in the page (`swarm-extras`: the compose files' YAML parser,
//! Go's text/template and docker's help texts).
//!
//! The shell gathers everything jq may need into a [`JqRequest`] (the arguments, standard
//! input, the simulated clock, the shell's variables, and every argument read as a file
//! beforehand, since jq decides which are files), runs it, and writes the [`JqRun`] with the
//! errors interleaved where they came.
//!
//! Natively `swarm-jq` is linked in and runs at once. The page leaves it out of its main
//! module and registers a [`JqHost`] with [`set_jq_host`]: the host answers from a second
//! wasm module it loads on first use, and says [`JqPoll::Loading`] meanwhile, so the command's
//! future stays pending and the job is polled again on the page's next tick (Ctrl+C drops it
//! as any job). A host that cannot load jq answers [`JqPoll::Failed`]: the command prints why
//! and exits 2. A registered host is used natively too (the tests fake one).
//!
//! `docker stack deploy` parses its files the same way ([`yaml`], [`JqHost::poll_yaml`]): the
//! YAML parser (serde_yaml over libyaml) is linked natively and is in the page's second module.
//! Go templates ([`template`], [`JqHost::poll_template`]) are called synchronously from deep
//! inside the docker commands, so the docker dispatcher first awaits [`extras_ready`] for any
//! command with `--format`; after that the host answers at once. The docker CLI's help texts
//! ([`docker_help`], [`JqHost::poll_help`]) are there too: printing help awaits the module.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;

use swarm_extras::template::{Answer, Call, TemplateError};
pub use swarm_extras::yaml::{from_wire as yaml_from_wire, Document as YamlDocument};
pub use swarm_jq::{JqRequest, JqRun};

use crate::exec::{Interp, Io};

/// What a [`JqHost`] says to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LazyPoll<T> {
    /// The module ran the request: the result.
    Ready(T),
    /// The module is not loaded yet: ask again later.
    Loading,
    /// The module cannot be loaded: why, in a few words.
    Failed(String),
}

/// What a [`JqHost`] says to a `jq` request.
pub type JqPoll = LazyPoll<JqRun>;

/// What a [`JqHost`] says to a YAML text: its top-level mapping or go-yaml's error text.
pub type YamlPoll = LazyPoll<YamlDocument>;

/// Runs jq, parses YAML, runs Go templates and gives docker's help texts for the shell where
/// they are not linked in (the page's lazily loaded module).
pub trait JqHost {
    /// Runs `request` if jq is loaded; otherwise starts loading it (once) and says so.
    fn poll(&self, request: &JqRequest) -> JqPoll;

    /// Parses a compose file if the parser is loaded; otherwise starts loading it (once) and
    /// says so. By default, the linked parser (natively; in the browser, an error).
    fn poll_yaml(&self, text: &str) -> YamlPoll {
        LazyPoll::Ready(yaml_linked(text))
    }

    /// Runs one Go template call (`swarm_extras::template::Call::to_wire`'s text) if the engine
    /// is loaded, answering with `Answer::to_wire`'s text; otherwise starts loading it (once) and
    /// says so. By default, the linked engine (natively; in the browser, an error).
    fn poll_template(&self, call: &str) -> LazyPoll<String> {
        template_linked_wire(call)
    }

    /// The help text of `docker <path>` (`None` for no such command) if the module is loaded;
    /// otherwise starts loading it (once) and says so. By default, the linked texts (natively;
    /// in the browser, an error).
    fn poll_help(&self, path: &str) -> LazyPoll<Option<String>> {
        help_linked(path)
    }

    /// Whether the module is loaded (starting to load it, once, if not). By default, it is.
    fn poll_ready(&self) -> LazyPoll<()> {
        LazyPoll::Ready(())
    }
}

thread_local! {
    static HOST: RefCell<Option<Rc<dyn JqHost>>> = const { RefCell::new(None) };
}

/// Registers the host that runs `jq` for this thread's playgrounds.
pub fn set_jq_host(host: Rc<dyn JqHost>) {
    HOST.with(|h| *h.borrow_mut() = Some(host));
}

/// `jq ARGS` in the shell.
pub(crate) async fn jq(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let request = request(interp, args, &io.stdin);
    let host = HOST.with(|h| h.borrow().clone());
    let result = match host {
        Some(host) => {
            poll_fn(|_| match host.poll(&request) {
                JqPoll::Ready(run) => Poll::Ready(run),
                JqPoll::Loading => Poll::Pending,
                JqPoll::Failed(why) => Poll::Ready(JqRun::fail(
                    format!("jq: error: jq could not be loaded: {why}\n"),
                    2,
                )),
            })
            .await
        }
        None => run_linked(&request),
    };
    write(&result, io);
    result.status
}

#[cfg(not(target_arch = "wasm32"))]
fn run_linked(request: &JqRequest) -> JqRun {
    swarm_jq::run(request)
}

#[cfg(target_arch = "wasm32")]
fn run_linked(_: &JqRequest) -> JqRun {
    JqRun::fail("jq: error: jq is not available here\n", 2)
}

/// A compose file's YAML parsed as docker's loader does (`swarm_extras::yaml::parse`): by the
/// host if one is registered (waiting while it loads), else by the linked parser.
pub(crate) async fn yaml(text: &str) -> YamlDocument {
    let host = HOST.with(|h| h.borrow().clone());
    match host {
        Some(host) => {
            poll_fn(|_| match host.poll_yaml(text) {
                LazyPoll::Ready(doc) => Poll::Ready(doc),
                LazyPoll::Loading => Poll::Pending,
                LazyPoll::Failed(why) => {
                    Poll::Ready(Err(format!("the YAML parser could not be loaded: {why}")))
                }
            })
            .await
        }
        None => yaml_linked(text),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn yaml_linked(text: &str) -> YamlDocument {
    swarm_extras::yaml::parse(text)
}

#[cfg(target_arch = "wasm32")]
fn yaml_linked(_: &str) -> YamlDocument {
    Err("the YAML parser is not available here".to_string())
}

/// Waits until the lazily loaded module is there (at once natively); `Err` says why it cannot
/// be loaded.
pub(crate) async fn extras_ready() -> Result<(), String> {
    let Some(host) = HOST.with(|h| h.borrow().clone()) else {
        return Ok(());
    };
    poll_fn(|_| match host.poll_ready() {
        LazyPoll::Ready(()) => Poll::Ready(Ok(())),
        LazyPoll::Loading => Poll::Pending,
        LazyPoll::Failed(why) => Poll::Ready(Err(why)),
    })
    .await
}

/// Runs one Go template call: by the host if one is registered (which must have loaded the
/// engine: see [`extras_ready`]), else by the linked engine.
pub(crate) fn template(call: &Call<'_>) -> Answer {
    let host = HOST.with(|h| h.borrow().clone());
    match host {
        Some(host) => match host.poll_template(&call.to_wire()) {
            LazyPoll::Ready(answer) => Answer::from_wire(&answer),
            LazyPoll::Loading => not_loaded("it is still loading"),
            LazyPoll::Failed(why) => not_loaded(&why),
        },
        None => template_linked(call),
    }
}

fn not_loaded(why: &str) -> Answer {
    Answer::Rendered(Err(TemplateError(
        format!("template: the template engine could not be loaded: {why}"),
        false,
    )))
}

/// The help text of `docker <path>` as the CLI prints it: from the host if one is registered
/// (which must have loaded the module: see [`extras_ready`]), else the linked texts. `Err` says
/// why there is none.
pub(crate) fn docker_help(path: &str) -> Result<Option<String>, String> {
    let host = HOST.with(|h| h.borrow().clone());
    let answer = match host {
        Some(host) => host.poll_help(path),
        None => help_linked(path),
    };
    match answer {
        LazyPoll::Ready(text) => Ok(text),
        LazyPoll::Loading => Err("they are still loading".to_string()),
        LazyPoll::Failed(why) => Err(why),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn help_linked(path: &str) -> LazyPoll<Option<String>> {
    LazyPoll::Ready(swarm_extras::help::text(path).map(String::from))
}

#[cfg(target_arch = "wasm32")]
fn help_linked(_: &str) -> LazyPoll<Option<String>> {
    LazyPoll::Failed("they are not available here".to_string())
}

#[cfg(not(target_arch = "wasm32"))]
fn template_linked(call: &Call<'_>) -> Answer {
    swarm_extras::template::run(call)
}

#[cfg(target_arch = "wasm32")]
fn template_linked(_: &Call<'_>) -> Answer {
    not_loaded("it is not available here")
}

#[cfg(not(target_arch = "wasm32"))]
fn template_linked_wire(call: &str) -> LazyPoll<String> {
    LazyPoll::Ready(swarm_extras::template::run_wire(call))
}

#[cfg(target_arch = "wasm32")]
fn template_linked_wire(_: &str) -> LazyPoll<String> {
    LazyPoll::Failed("it is not available here".to_string())
}

/// Whether a typed line may use the lazily loaded module: `jq`, `docker stack`, a Go template
/// (`--format`, `-f`, `{{`), or docker's help (`help`, `-h`, `docker` alone or a docker command
/// group without its subcommand). A saved playground whose log has such a line loads the
/// module before replaying it, or the replayed command would wait for it while later entries
/// went on without it. Words only: a script file run with `sh` is not looked into.
pub fn uses_lazy_module(line: &str) -> bool {
    if ["jq", "stack", "compose", "format", "-f", "{{", "help", "-h"]
        .iter()
        .any(|w| line.contains(w))
    {
        return true;
    }
    // `docker` alone or `docker GROUP` alone (global flags aside) print help.
    use crate::docker::cli;
    for command in line.split([';', '|', '&', '(', ')', '`', '\n']) {
        let mut words = command.split_whitespace();
        if !words.any(|w| w == "docker") {
            continue;
        }
        let words: Vec<&str> = words.collect();
        let Some(at) = words.iter().position(|w| cli::known(w)) else {
            return true;
        };
        let group = words[at];
        let sub = words.get(at + 1).map(|w| format!("{group} {w}"));
        if cli::is_group(group) && !sub.is_some_and(|p| cli::known(&cli::resolve_alias(&p))) {
            return true;
        }
    }
    false
}

/// Everything `jq ARGS` may read, gathered now: the command runs with no access to the shell.
fn request(interp: &Interp, args: &[String], stdin: &str) -> JqRequest {
    let vars = interp
        .session
        .borrow()
        .ctx()
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let now_ms = interp.world().borrow().now().unix_ms();
    // Any argument may be a file operand or a `--slurpfile`/`--rawfile` name; jq decides.
    let mut files: Vec<(String, Result<String, String>)> = Vec::new();
    for arg in args {
        if !files.iter().any(|(path, _)| path == arg) {
            files.push((arg.clone(), crate::textutils::read_file(interp, arg)));
        }
    }
    JqRequest {
        args: args.to_vec(),
        stdin: stdin.to_string(),
        now_ms,
        vars,
        files,
    }
}

/// Writes a run's output; errors appear between the outputs they came after, as on a terminal.
fn write(j: &JqRun, io: &Io) {
    let mut other_err = j.err.clone();
    for (_, text) in &j.err_at {
        other_err = other_err.replacen(text.as_str(), "", 1);
    }
    io.err.write(&other_err);
    let mut pos = 0;
    for (at, text) in &j.err_at {
        io.out.write(j.out.get(pos..*at).unwrap_or(""));
        io.err.write(text);
        pos = *at;
    }
    io.out.write(j.out.get(pos..).unwrap_or(""));
}

#[cfg(test)]
mod tests {
    use super::uses_lazy_module;

    #[test]
    fn lines_that_may_use_the_module() {
        for line in [
            "echo '{}' | jq .",
            "docker stack deploy -c s.yml app",
            "docker node ls --format '{{.Hostname}}'",
            "docker inspect -f x web",
            "docker",
            "docker -D",
            "docker -H node2",
            "docker service",
            "echo hi; docker node",
            "docker service --help",
            "docker help run",
            "docker ps -h",
        ] {
            assert!(uses_lazy_module(line), "{line}");
        }
        for line in [
            "docker ps",
            "docker service ls",
            "docker node list",
            "docker -H node2 version",
            "docker swarm init --advertise-addr 192.168.0.11",
            "echo docker service ls",
            "hostname",
            "ls -l",
        ] {
            assert!(!uses_lazy_module(line), "{line}");
        }
    }
}
