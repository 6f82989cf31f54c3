//! `swarm-shell`: the terminal language of Swarm Playground.
//!
//! A [`Playground`] owns the simulated [`World`](swarm_core::World) and one [`Terminal`] per
//! machine. A terminal takes typed lines, parses them as a small shell (pipes, `&&`, `||`,
//! `;`, quoting, variables, `$(…)`, heredocs), runs builtins and the `docker` CLI against the
//! world, and produces [`Output`] to show. Commands that wait for simulated time (`sleep`, and
//! later `docker service create` without `--detach`, `watch`) run as jobs that resume as the
//! driver advances time: the page advances it in real time, `swarmsh` fast-forwards it.

mod alpinehost;
#[cfg(not(target_arch = "wasm32"))]
pub mod api;
mod builtins;
pub mod complete;
mod docker;
mod exec;
mod expand;
pub mod format;
mod fsutils;
mod git;
mod hey;
mod hosttools;
mod ipshow;
mod job;
mod jq_cmd;
mod locust;
mod model;
mod net;
mod playground;
#[cfg(test)]
mod prompt_tests;
pub mod replay;
mod script;
mod terminal;
mod textutils;
mod util;
pub mod view;
mod watch;

pub use complete::Completion;
pub use jq_cmd::{
    set_jq_host, uses_lazy_module, yaml_from_wire, JqHost, JqPoll, JqRequest, JqRun, LazyPoll,
    YamlDocument, YamlPoll,
};
pub use playground::{Options, Playground, DEFAULT_SEED, TEMPLATES};
pub use replay::{Recording, ReplayLog};
pub use script::{
    drain_into, rerun_transcript, run_script, settle, ScriptError, IDLE_LIMIT, THINK_TIME,
};
pub use terminal::{InputMode, Output, Terminal};
