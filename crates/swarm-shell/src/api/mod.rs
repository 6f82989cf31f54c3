//! The Docker Engine API over a [`Playground`]: what `swarmsh serve` answers, so that a real
//! docker CLI (`docker -H tcp://127.0.0.1:23750 node ls`) can be pointed at the emulated
//! cluster.
//!
//! [`handle`] is a pure function of the playground and one request: no sockets, so it is
//! tested like the rest of the shell; [`server`] puts it behind HTTP listeners. The JSON
//! shapes come from [`crate::model`], the builders our own `inspect` commands print, so the
//! served objects and our own output can never drift.
//!
//! Writes (`swarm init`, `service create`, `node update` …) are the same world calls our
//! terminal's commands make; like the daemon, a handler waits until the write commits,
//! fast-forwarding simulated time in 10 ms steps up to the daemon's 10 s deadline.
//!
//! Besides the Engine API, a few private endpoints under `/_swarmsh/` drive the playground:
//! `POST /_swarmsh/exec` types a command line into the machine's terminal and returns what it
//! printed (`{"stdout", "stderr", "status"}`), `POST /_swarmsh/advance?ms=N` moves simulated
//! time, `GET /_swarmsh/now` tells it.

mod handlers;
mod objects;
pub mod server;
mod spec;

pub use server::{serve, ServeOptions, DEFAULT_PORT};

use crate::Playground;
use swarm_core::catalog::percent_decode;

/// One HTTP request, as [`handle`] sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, `POST`, `DELETE` …
    pub method: String,
    /// The path without the query string (`/v1.50/nodes`).
    pub path: String,
    /// The decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// A request for `target` (`/v1.50/services?status=true`).
    pub fn new(method: &str, target: &str, body: &[u8]) -> Request {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Request {
            method: method.to_string(),
            path: path.to_string(),
            query: parse_query(query),
            body: body.to_vec(),
        }
    }

    /// The value of query parameter `key`.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean query parameter as the daemon reads them (`1`, `true`, `True` …).
    pub fn flag(&self, key: &str) -> bool {
        self.param(key)
            .is_some_and(|v| !matches!(v, "" | "0" | "false" | "False" | "FALSE" | "no"))
    }
}

/// One HTTP response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers besides the ones every answer carries.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON answer, compact and newline-terminated as the daemon writes them.
    pub fn json(status: u16, v: &serde_json::Value) -> Response {
        let mut body = serde_json::to_vec(v).unwrap_or_default();
        body.push(b'\n');
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body,
        }
    }

    /// The daemon's error answer: `{"message": …}`.
    pub fn error(status: u16, message: &str) -> Response {
        Response::json(status, &serde_json::json!({ "message": message }))
    }

    /// The body as text (lossy), for tests.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The API version this engine speaks, and the oldest it accepts.
pub const API_VERSION: &str = "1.50";
/// The oldest API version a 28.x engine accepts.
pub const MIN_API_VERSION: &str = "1.24";

/// Decodes `a=1&b=x%20y` (also `+` for space).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Answers `req` as the engine of `machine` would.
pub fn handle(pg: &mut Playground, machine: &str, req: &Request) -> Response {
    handlers::handle(pg, machine, req)
}

#[cfg(test)]
mod tests;
