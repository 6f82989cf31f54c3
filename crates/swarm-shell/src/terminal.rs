//! A terminal: the line discipline between a person (or a script) and the shell.
//!
//! It echoes each submitted line after its prompt, collects continuation lines while a quote,
//! heredoc or compound command is open (prompt `> `), starts the parsed program as a job, and
//! buffers everything the job prints as [`Output`] for the driver to drain. Lines typed while a
//! job runs wait their turn, as typed-ahead input does in a real terminal.

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

    /// True while a command runs (the input line is then hidden).
    pub fn busy(&self) -> bool {
        self.job.is_some()
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
