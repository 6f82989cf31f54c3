//! A terminal: the line discipline between a person (or a script) and the shell.
//!
//! It echoes each submitted line after its prompt, collects continuation lines while a quote,
//! heredoc or compound command is open (prompt `> `), starts the parsed program as a job, and
//! buffers everything the job prints as [`Output`] for the driver to drain. Lines typed while a
//! job runs wait their turn, as typed-ahead input does in a real terminal.
//!
//! A job can read lines typed at its terminal (`Interp::read_line`: a `[y/N]` confirmation, a
//! `Username: `, a `Password: `): while it waits, [`Terminal::input_mode`] says
//! [`InputMode::Line`] or [`InputMode::Secret`], the prompt is empty (the program printed its
//! own), and the next line submitted (or the oldest typed ahead) goes to the job instead of
//! the shell. The terminal echoes it after the program's question, or only its newline for a
//! secret.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use swarm_core::MachineId;

use crate::exec::Session;
use crate::job::Job;

/// One piece of what a terminal shows. Text is always text: the page renders it as such,
/// never as HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// The prompt and the line typed after it, as the terminal echoed them (ends in `\n`).
    Echo(String),
    /// Standard output of a command.
    Stdout(String),
    /// Standard error of a command.
    Stderr(String),
    /// The screen was cleared (`clear`, Ctrl+L).
    Clear,
}

impl Output {
    /// The text of this piece (empty for [`Output::Clear`]).
    pub fn text(&self) -> &str {
        match self {
            Output::Echo(s) | Output::Stdout(s) | Output::Stderr(s) => s,
            Output::Clear => "",
        }
    }
}

/// What the input line is for at the moment: what the page shows and where Enter goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum InputMode {
    /// The shell reads a command: the input line follows [`Terminal::prompt`].
    #[default]
    Command,
    /// A command runs and reads nothing: the input line is hidden (lines typed now wait).
    Busy,
    /// A command reads a line (a `[y/N]` answer, a user name): the input line follows the
    /// program's question, with no shell prompt; the text is echoed.
    Line,
    /// A command reads a secret (a password): like [`InputMode::Line`] but the text is not
    /// shown (real terminals show nothing; the page may show bullets).
    Secret,
}

/// Where jobs write: shared by the terminal and its running job.
pub(crate) type Sink = Rc<RefCell<Vec<Output>>>;

/// Appends `text` to the sink, merging with the previous piece of the same stream.
pub(crate) fn emit(sink: &Sink, out: Output) {
    let mut v = sink.borrow_mut();
    match (v.last_mut(), out) {
        (Some(Output::Stdout(a)), Output::Stdout(b)) => a.push_str(&b),
        (Some(Output::Stderr(a)), Output::Stderr(b)) => a.push_str(&b),
        (_, Output::Stdout(b)) if b.is_empty() => {}
        (_, Output::Stderr(b)) if b.is_empty() => {}
        (_, o) => v.push(o),
    }
}

/// The terminal of one machine of the playground.
pub struct Terminal {
    pub(crate) home: MachineId,
    pub(crate) session: Rc<RefCell<Session>>,
    pub(crate) sink: Sink,
    pub(crate) job: Option<Job>,
    /// Lines of a command still being typed (an open quote, heredoc or `if`).
    pub(crate) pending: Vec<String>,
    /// Lines submitted while a job ran.
    pub(crate) typeahead: VecDeque<String>,
}

impl Terminal {
    /// The machine this terminal was opened on (after `ssh`, commands run elsewhere).
    pub fn home(&self) -> MachineId {
        self.home
    }

    /// What to show before the input line: the shell prompt, `> ` while a command is being
    /// continued, or nothing while a job runs.
    pub fn prompt(&self) -> String {
        if self.job.is_some() {
            String::new()
        } else if !self.pending.is_empty() {
            "> ".to_string()
        } else {
            self.session.borrow().prompt()
        }
    }

    /// True while the shell waits for the rest of a command (the `> ` prompt: an open quote,
    /// heredoc or compound command).
    pub fn continuing(&self) -> bool {
        self.job.is_none() && !self.pending.is_empty()
    }

    /// True while a command runs, reading a typed line or not (see [`Terminal::input_mode`]
    /// for whether the input line shows).
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// What the input line is for now: a command, nothing (a job runs), or a line the running
    /// job reads (shown or secret).
    pub fn input_mode(&self) -> InputMode {
        if self.job.is_none() {
            return InputMode::Command;
        }
        match self.session.borrow().line_read.waiting {
            None => InputMode::Busy,
            Some(true) => InputMode::Line,
            Some(false) => InputMode::Secret,
        }
    }

    /// True while the running job waits for a typed line.
    pub(crate) fn reading(&self) -> bool {
        self.job.is_some() && self.session.borrow().line_read.waiting.is_some()
    }

    /// Hands `line` to the job waiting for a typed line, echoing it (or only its newline for a
    /// secret); false if no job waits.
    pub(crate) fn give_line(&mut self, line: &str) -> bool {
        if self.job.is_none() {
            return false;
        }
        let mut s = self.session.borrow_mut();
        let Some(echo) = s.line_read.waiting.take() else {
            return false;
        };
        s.line_read.typed = Some(line.to_string());
        drop(s);
        let shown = if echo {
            format!("{line}\n")
        } else {
            "\n".to_string()
        };
        emit(&self.sink, Output::Echo(shown));
        true
    }

    /// Forgets a read in progress (its job ended or was stopped).
    pub(crate) fn end_read(&mut self) {
        let mut s = self.session.borrow_mut();
        s.line_read.waiting = None;
        s.line_read.typed = None;
    }

    /// Takes everything printed since the last call.
    pub fn drain_output(&mut self) -> Vec<Output> {
        std::mem::take(&mut *self.sink.borrow_mut())
    }

    /// Takes everything printed since the last call as (stdout, stderr) text, leaving out the
    /// echoed command lines: what a script or a test wants to compare.
    pub fn drain_streams(&mut self) -> (String, String) {
        let (mut out, mut err) = (String::new(), String::new());
        for o in self.drain_output() {
            match o {
                Output::Stdout(s) => out.push_str(&s),
                Output::Stderr(s) => err.push_str(&s),
                Output::Echo(_) | Output::Clear => {}
            }
        }
        (out, err)
    }

    /// Commands entered so far, oldest first (what ↑/↓ walk through).
    pub fn history(&self) -> Vec<String> {
        self.session.borrow().history.clone()
    }

    /// The exit status of the last command (`$?`).
    pub fn last_status(&self) -> i32 {
        self.session.borrow().last_status
    }

    /// True once `exit` left the terminal's own (outermost) shell.
    pub fn exited(&self) -> bool {
        self.session.borrow().exited
    }

    /// The hostname of the machine the terminal's commands currently run on.
    pub fn current_machine(&self) -> MachineId {
        self.session.borrow().machine()
    }
}
