//! Running a script as if typed: what `swarmsh FILE` and the transcript tests do.
//!
//! Each line is typed into node1's terminal followed by Enter. After each line, simulated time
//! is fast-forwarded until the terminal is idle again (a `sleep 10` takes no wall time). A
//! command still running after [`IDLE_LIMIT`] of simulated time (`watch`, `logs -f`) gets
//! Ctrl+C, as a person would press it. The result is the terminal's transcript: each command
//! after its prompt, then its output.

use swarm_core::SimDuration;

use crate::playground::{Options, Playground};
use crate::terminal::Output;

/// How long a script waits for one command before pressing Ctrl+C.
pub const IDLE_LIMIT: SimDuration = SimDuration::from_secs(3600);

/// A script could not start.
#[derive(Debug, PartialEq, Eq)]
pub struct ScriptError(pub String);

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How many screens `watch` shows in a script unless the script sets `WATCH_MAX_REFRESHES`
/// itself (a script has nobody to press Ctrl+C).
pub const SCRIPT_WATCH_REFRESHES: &str = "10";

/// Gives every terminal of a scripted playground the script defaults.
fn script_defaults(pg: &mut Playground) {
    for name in pg.machine_names() {
        if let Some(t) = pg.terminal_mut(&name) {
            t.session
                .borrow_mut()
                .ctx_mut()
                .vars
                .entry("WATCH_MAX_REFRESHES".into())
                .or_insert_with(|| SCRIPT_WATCH_REFRESHES.into());
        }
    }
}

/// Runs `input` line by line in the first machine's terminal; returns the transcript.
/// `watch` stops after [`SCRIPT_WATCH_REFRESHES`] screens unless the script says otherwise.
pub fn run_script(opts: &Options, input: &str) -> Result<String, ScriptError> {
    let mut pg = Playground::new(opts).map_err(ScriptError)?;
    script_defaults(&mut pg);
    let Some(first) = pg.machine_names().into_iter().next() else {
        return Err(ScriptError("a script needs at least one machine".into()));
    };
    let mut transcript = String::new();
    for line in input.lines() {
        pg.submit(&first, line);
        if !pg.run_until_idle(&first, IDLE_LIMIT) {
            pg.interrupt(&first);
        }
        drain_into(&mut pg, &first, &mut transcript);
        if pg.terminal(&first).is_some_and(|t| t.exited()) {
            break;
        }
    }
    drain_into(&mut pg, &first, &mut transcript);
    Ok(transcript)
}

/// Appends a terminal's new output to `out` as plain text (a clear screen is not shown).
pub fn drain_into(pg: &mut Playground, machine: &str, out: &mut String) {
    if let Some(t) = pg.terminal_mut(machine) {
        for o in t.drain_output() {
            if !matches!(o, Output::Clear) {
                out.push_str(o.text());
            }
        }
    }
}

/// Re-runs a transcript: every line that starts with the prompt the terminal shows at that
/// moment is typed (the rest of the line); other lines are the output the transcript claims.
/// Lines before the first prompt are a header, copied as they are; a header line
/// `#! swarmsh ARGS` gives the options. Returns the transcript as it comes out now, so a test
/// compares it with the original.
pub fn rerun_transcript(text: &str) -> Result<String, ScriptError> {
    let mut header = String::new();
    let mut args: Vec<String> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(l) = lines.peek() {
        if !l.starts_with('#') {
            break;
        }
        if let Some(a) = l.strip_prefix("#! swarmsh") {
            args = a.split_whitespace().map(str::to_string).collect();
        }
        header.push_str(l);
        header.push('\n');
        lines.next();
    }
    let (opts, _) = Options::from_args(&args).map_err(ScriptError)?;
    let mut pg = Playground::new(&opts).map_err(ScriptError)?;
    script_defaults(&mut pg);
    let Some(first) = pg.machine_names().into_iter().next() else {
        return Err(ScriptError(
            "a transcript needs at least one machine".into(),
        ));
    };
    let mut out = header;
    for line in lines {
        let prompt = pg.terminal(&first).map(|t| t.prompt()).unwrap_or_default();
        let Some(input) = line
            .strip_prefix(prompt.as_str())
            .filter(|_| !prompt.is_empty())
        else {
            continue;
        };
        pg.submit(&first, input);
        if !pg.run_until_idle(&first, IDLE_LIMIT) {
            pg.interrupt(&first);
        }
        drain_into(&mut pg, &first, &mut out);
        if pg.terminal(&first).is_some_and(|t| t.exited()) {
            break;
        }
    }
    Ok(out)
}
