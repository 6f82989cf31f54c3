//! `swarm-jq`: the terminal's `jq`, on jaq 2 (`jaq-core`, `jaq-std`, and `jq_val`, our copy of
//! `jaq-json`), with jq 1.7's options, output format and error texts.
//!
//! Its interface is plain data: a [`JqRequest`] (the arguments, standard input, the simulated
//! clock, the shell's exported variables and the files the arguments may name, read
//! beforehand) goes in, a [`JqRun`] (what it printed, its exit status) comes out. Both are
//! serializable as JSON ([`JqRequest::to_json`], [`run_json`], [`JqRun::from_json`]), so the
//! call can cross a JavaScript boundary: natively the shell calls [`run`] directly; in the
//! browser the engine is a second wasm module (`swarm-jq-web`) the page loads on the first
//! `jq`, which keeps jaq's ~250 KB (gzipped) out of the page's first download.
//!
//! Without the `engine` feature the crate is only the types.

use serde::{Deserialize, Serialize};

#[cfg(feature = "engine")]
mod jq;
#[cfg(feature = "engine")]
mod jq_more;
#[cfg(feature = "engine")]
mod jq_regex;
#[cfg(feature = "engine")]
mod jq_val;

/// One `jq` command line to run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JqRequest {
    /// The arguments after `jq`.
    pub args: Vec<String>,
    /// Standard input.
    pub stdin: String,
    /// The simulated clock, milliseconds since the Unix epoch (`now`).
    pub now_ms: i64,
    /// The shell's variables, for `$ENV` and `env`.
    pub vars: Vec<(String, String)>,
    /// The files the arguments may name (file operands, `--slurpfile`, `--rawfile`), read
    /// beforehand: the path as given, then its text or the `strerror` text. A path that is
    /// not listed cannot be opened.
    pub files: Vec<(String, Result<String, String>)>,
}

/// What a run printed and its exit status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JqRun {
    pub out: String,
    pub err: String,
    pub status: i32,
    /// Where stderr text goes in stdout's text: (byte offset in `out`, text), in order, so
    /// the shell can interleave them as jq's output would appear on a terminal.
    pub err_at: Vec<(usize, String)>,
}

impl JqRequest {
    /// The request as JSON, for [`run_json`].
    pub fn to_json(&self) -> String {
        // Strings, integers and lists only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl JqRun {
    /// A failed run that prints `err` and exits with `status`.
    pub fn fail(err: impl Into<String>, status: i32) -> JqRun {
        JqRun {
            err: err.into(),
            status,
            ..JqRun::default()
        }
    }

    /// The result of [`run_json`]; text that is not one is an internal error (status 5).
    pub fn from_json(text: &str) -> JqRun {
        serde_json::from_str(text).unwrap_or_else(|e| {
            JqRun::fail(
                format!("jq: error: unreadable result from the jq module: {e}\n"),
                5,
            )
        })
    }

    /// The result as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Runs one `jq` command line.
#[cfg(feature = "engine")]
pub fn run(request: &JqRequest) -> JqRun {
    let read = |path: &str| -> Result<String, String> {
        request.files.iter().find(|(p, _)| p == path).map_or_else(
            || Err("No such file or directory".to_string()),
            |(_, r)| r.clone(),
        )
    };
    let env = jq::JqEnv {
        now: request.now_ms as f64 / 1000.0,
        vars: request.vars.clone(),
        read: &read,
    };
    jq::run(&request.args, &request.stdin, &env)
}

/// [`run`] over JSON: a [`JqRequest`] in, a [`JqRun`] out. This is what the browser module
/// exports.
#[cfg(feature = "engine")]
pub fn run_json(request: &str) -> String {
    let result = match serde_json::from_str::<JqRequest>(request) {
        Ok(request) => run(&request),
        Err(e) => JqRun::fail(format!("jq: error: unreadable request: {e}\n"), 2),
    };
    result.to_json()
}

#[cfg(all(test, feature = "engine"))]
mod tests {
    use super::*;

    fn request(args: &[&str], stdin: &str) -> JqRequest {
        JqRequest {
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: stdin.into(),
            now_ms: 1_795_424_405_250,
            vars: vec![("HOME".into(), "/root".into())],
            files: vec![
                ("a.json".into(), Ok("{\"x\": 1}\n".into())),
                ("dir".into(), Err("Is a directory".into())),
            ],
        }
    }

    #[test]
    fn requests_and_results_cross_as_json() {
        let req = request(&["-c", ".x, now, $ENV.HOME", "a.json"], "");
        let text = req.to_json();
        let back: JqRequest = serde_json::from_str(&text).unwrap();
        assert_eq!(back, req);
        let run = JqRun::from_json(&run_json(&text));
        assert_eq!(run.out, "1\n1795424405.25\n\"/root\"\n");
        assert_eq!(run.status, 0);
        assert_eq!(run, super::run(&req));
    }

    #[test]
    fn files_come_from_the_request() {
        let r = run(&request(&["--slurpfile", "v", "a.json", "-nc", "$v"], ""));
        assert_eq!(r.out, "[{\"x\":1}]\n");
        let r = run(&request(&[".", "dir"], ""));
        assert_eq!(r.err, "jq: error: Could not open dir: Is a directory\n");
        assert_eq!(r.status, 2);
        let r = run(&request(&[".", "missing"], ""));
        assert_eq!(
            r.err,
            "jq: error: Could not open missing: No such file or directory\n"
        );
    }

    #[test]
    fn bad_json_is_an_error_not_a_panic() {
        let r = JqRun::from_json(&run_json("{\"args\": 3}"));
        assert_eq!(r.status, 2);
        assert!(
            r.err.starts_with("jq: error: unreadable request: "),
            "{}",
            r.err
        );
        let r = JqRun::from_json("not json");
        assert_eq!(r.status, 5);
        assert!(
            r.err.starts_with("jq: error: unreadable result"),
            "{}",
            r.err
        );
    }
}
