//! Running a script as if typed: what `swarmsh FILE` and the transcript tests do.
//!
//! Each line is typed into node1's terminal followed by Enter. After each line, simulated time
//! is fast-forwarded until the terminal is idle again (a `sleep 10` takes no wall time). A
//! command still running after [`PATIENCE`] of simulated time (`logs -f`, a `service create`
//! that never converges) gets Ctrl+C, as a person would press it; one that sleeps longer in
//! one go is waited for, up to [`IDLE_LIMIT`]. Back at the prompt, [`THINK_TIME`] passes before the
//! next line, as it does while a person reads the output and types the next command: right
//! after `docker service create -d` or `docker stack deploy`, the next `docker service ps`
//! finds the tasks the orchestrator has made meanwhile, not an empty cluster. The result is
//! the terminal's transcript: each command after its prompt, then its output.
//!
//! A command waiting for a typed line (a `[y/N]` question) is idle, not stuck: the next line of
//! the script is its answer. In a transcript the answer is on the line of the question
//! (`Are you sure you want to continue? [y/N] y`), as the screen shows it; a secret answer (a
//! password) is not on screen, so a transcript cannot carry one: re-running it answers an
//! empty line. Tests of secret input go through the `Playground` API.

use swarm_core::SimDuration;

use crate::playground::{Options, Playground};
use crate::terminal::{InputMode, Output};

/// The longest a script waits for one command before pressing Ctrl+C.
pub const IDLE_LIMIT: SimDuration = SimDuration::from_secs(3600);

/// How long a person waits for a command that keeps going (`docker service create` that
/// never converges, `docker logs -f`) before pressing Ctrl+C. A command that sleeps longer
/// in one go (`sleep 600`) is waited for.
pub const PATIENCE: SimDuration = SimDuration::from_secs(120);

/// Simulated time between a command's end (the prompt is back) and the next line of a script.
/// Not after a line that leaves a command open (a heredoc's lines come at once, as pasted),
/// nor while a program waits for a typed answer.
pub const THINK_TIME: SimDuration = SimDuration::from_secs(1);

/// Runs what `line` started until the terminal is idle (Ctrl+C after [`PATIENCE`], or after
/// the command's first sleep if that is longer), then,
/// back at the shell's prompt, lets [`THINK_TIME`] pass.
pub fn settle(pg: &mut Playground, machine: &str) {
    let now = pg.now();
    let first_sleep = pg
        .next_job_wakeup()
        .map(|at| SimDuration::from_millis(at.saturating_since(now).as_millis() + 1000))
        .unwrap_or(PATIENCE);
    let limit = SimDuration::from_millis(
        first_sleep
            .as_millis()
            .max(PATIENCE.as_millis())
            .min(IDLE_LIMIT.as_millis()),
    );
    if !pg.run_until_idle(machine, limit) {
        pg.interrupt(machine);
    }
    if pg
        .terminal(machine)
        .is_some_and(|t| !t.busy() && !t.continuing() && !t.exited())
    {
        pg.advance(THINK_TIME);
    }
}

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
        settle(&mut pg, &first);
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
    // Where the output of the line typed last starts in `out`, and how many transcript lines
    // were taken since (that one included): for an answer to a question with no text.
    let (mut mark, mut seen) = (0, 0);
    for line in lines {
        seen += 1;
        let mode = pg
            .terminal(&first)
            .map(|t| t.input_mode())
            .unwrap_or_default();
        let input = if let InputMode::Line | InputMode::Secret = mode {
            // The program's question is on screen: the transcript line is it and the answer.
            let question = out.rsplit('\n').next().unwrap_or_default();
            let answer = if question.is_empty() {
                let shown = out.get(mark..).unwrap_or_default().matches('\n').count();
                (seen > shown).then_some(line)
            } else {
                line.strip_prefix(question)
            };
            match answer {
                // A secret answer is not in the transcript.
                Some(_) if mode == InputMode::Secret => "",
                Some(a) => a,
                None => continue,
            }
        } else {
            let prompt = pg.terminal(&first).map(|t| t.prompt()).unwrap_or_default();
            match line
                .strip_prefix(prompt.as_str())
                .filter(|_| !prompt.is_empty())
            {
                Some(input) => input,
                None => continue,
            }
        };
        (mark, seen) = (out.len(), 1);
        pg.submit(&first, input);
        settle(&mut pg, &first);
        drain_into(&mut pg, &first, &mut out);
        if pg.terminal(&first).is_some_and(|t| t.exited()) {
            break;
        }
    }
    Ok(out)
}
