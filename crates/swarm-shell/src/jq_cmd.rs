//! The `jq` command: the shell's side of `swarm-jq`.
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

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;

pub use swarm_jq::{JqRequest, JqRun};

use crate::exec::{Interp, Io};

/// What a [`JqHost`] says to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JqPoll {
    /// jq ran: the result.
    Ready(JqRun),
    /// jq is not loaded yet: ask again later.
    Loading,
    /// jq cannot be loaded: why, in a few words.
    Failed(String),
}

/// Runs jq for the shell where it is not linked in (the page's lazily loaded module).
pub trait JqHost {
    /// Runs `request` if jq is loaded; otherwise starts loading it (once) and says so.
    fn poll(&self, request: &JqRequest) -> JqPoll;
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
