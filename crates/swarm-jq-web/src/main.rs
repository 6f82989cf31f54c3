//! The page's lazily loaded module: jq, the compose files' YAML parser, Go's text/template and
//! the docker CLI's help texts. The page's main module leaves them out (they are a large part of
//! the download, and many visitors never run `jq`, `docker stack deploy`, `--format` or
//! `--help`) and loads this one the first time a terminal needs one:
//! `trunk` builds it next to the page (`data-type="worker"` in `index.html`: unhashed file
//! names, no script tag), `web/boot.js` knows how to import it, and `web`'s `jq_host` calls
//! [`run_jq`], [`parse_yaml`], [`run_template`] and [`docker_help`].

use wasm_bindgen::prelude::wasm_bindgen;

/// Runs one `jq` command line: a JSON `JqRequest` in, a JSON `JqRun` out (see `swarm-jq`).
#[wasm_bindgen]
pub fn run_jq(request: &str) -> String {
    swarm_jq::run_json(request)
}

/// Parses one compose file: its YAML text in, `swarm_extras::yaml::parse_wire`'s text out (the
/// top-level mapping as JSON, or go-yaml's error text).
#[wasm_bindgen]
pub fn parse_yaml(text: &str) -> String {
    swarm_extras::yaml::parse_wire(text)
}

/// Runs one Go template call for `--format`: `swarm_extras::template::Call::to_wire`'s text in,
/// `Answer::to_wire`'s out.
#[wasm_bindgen]
pub fn run_template(call: &str) -> String {
    swarm_extras::template::run_wire(call)
}

/// The help text of `docker <path>` as the CLI prints it (`undefined` for no such command).
#[wasm_bindgen]
pub fn docker_help(path: &str) -> Option<String> {
    swarm_extras::help::text(path).map(String::from)
}

fn main() {}
