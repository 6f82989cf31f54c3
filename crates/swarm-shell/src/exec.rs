//! The interpreter: sessions, line acceptance, and running parsed programs as jobs.
//!
//! A [`Session`] is the state a shell keeps between lines: which machine it is on (a stack, so
//! `ssh` can nest and `exit` return), variables, the last exit status. [`accept_line`] collects
//! lines until they parse, then starts the program as a [`Job`]. The program runs in [`Interp`],
//! written as `async` code so that commands can wait for simulated time (see `job`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use brush_parser::ast;
use swarm_core::{MachineId, SimDuration, SimTime, World};

use crate::job::{Job, SleepUntil};
use crate::terminal::{emit, Output, Sink, Terminal};

/// A boxed future borrowing from the interpreter: what recursive `async` code returns.
pub(crate) type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The most lines one command may span while being typed (an unclosed heredoc stops here).
const MAX_PENDING_LINES: usize = 10_000;
/// The deepest nesting of `$(…)`, `ssh … cmd` and compound commands.
const MAX_DEPTH: usize = 64;
/// The most iterations a loop runs before the shell stops it, so a script can't hang the page.
pub(crate) const MAX_LOOP_ITERATIONS: usize = 100_000;

/// One shell level: a login on some machine.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    pub machine: MachineId,
    pub cwd: String,
    pub vars: BTreeMap<String, String>,
    /// Set when this level was entered with `ssh`, to say where we came from on `exit`.
    pub via_ssh: Option<String>,
    /// Set when this level is a shell inside a container (`docker exec -it C sh`).
    pub container: Option<ContainerShell>,
    /// `alias NAME=VALUE`: the first word of a command that is NAME becomes VALUE.
    pub aliases: BTreeMap<String, String>,
    /// `$1 …` as `set -- a b` sets them (an interactive shell starts with none); a script's
    /// arguments (`bash script.sh a "b c"`) and a function's while it runs.
    pub positional: Vec<String>,
    /// `$0` of a script (`bash script.sh`, `sh -c CMD NAME`); `None`: the login shell's.
    pub argv0: Option<String>,
    /// Shell functions defined at this level (`f() { …; }`, `function f { …; }`).
    pub functions: BTreeMap<String, Rc<ast::Command>>,
    /// `set -x` / `set -o xtrace` (`bash -x script.sh`): each command is printed to stderr
    /// before it runs, as bash's xtrace prints it.
    pub xtrace: bool,
}

/// A shell level inside a container (`docker exec -it C sh`, `docker run -it alpine sh`):
/// its commands run in the container (see `docker::container_cmd::run_in_container`).
#[derive(Clone, Debug)]
pub(crate) struct ContainerShell {
    /// The container's machine.
    pub machine: MachineId,
    /// Its full ID.
    pub id: String,
    /// Its hostname, for the prompt.
    pub hostname: String,
    /// `sh` (prompt `/ # `) or `bash` (prompt `root@HOST:/# `).
    pub shell: String,
    /// The shell is the container's main process: leaving it ends the container's run.
    pub main: bool,
    /// On a terminal (`docker exec -it C sh`), not a script (`docker exec C sh -c '…'`).
    pub tty: bool,
    /// What the shell is: BusyBox ash, dash (Debian's and Ubuntu's `sh`) or bash.
    pub dialect: swarm_core::distro::Shell,
    /// Lines typed at this level so far (dash numbers its errors by them: `sh: 3: x: not found`).
    pub lines: usize,
}

impl ContainerShell {
    /// `sh: 1: NAME: not found` (dash), `sh: NAME: not found` (ash) or bash's
    /// `bash: NAME: command not found` (`bash: line 1: …` in a script).
    pub(crate) fn not_found(&self, name: &str) -> String {
        match self.dialect {
            swarm_core::distro::Shell::Bash if self.tty => {
                format!("bash: {name}: command not found\n")
            }
            swarm_core::distro::Shell::Bash => format!("bash: line 1: {name}: command not found\n"),
            swarm_core::distro::Shell::Dash => {
                format!("sh: {}: {name}: not found\n", self.lines.max(1))
            }
            swarm_core::distro::Shell::Ash => format!("sh: {name}: not found\n"),
        }
    }

    /// `$0`: the shell's name as it was started.
    pub(crate) fn argv0(&self) -> &'static str {
        if self.shell == "bash" {
            "bash"
        } else {
            "sh"
        }
    }
}

/// The state of one terminal's shell.
pub(crate) struct Session {
    pub world: Rc<RefCell<World>>,
    pub stack: Vec<Context>,
    pub last_status: i32,
    pub exited: bool,
    /// Commands entered so far, oldest first.
    pub history: Vec<String>,
    /// What a running command prints after `^C` if it is interrupted (docker's
    /// `Operation continuing in background.`); it clears it when it ends normally.
    pub interrupt_note: Option<String>,
    /// `sim trace on`: requests through the simulated network are printed as they happen.
    pub trace: bool,
    /// The driver can show an editor panel (see `fsutils`: `nano FILE` then leaves a request).
    pub editor_available: bool,
    /// What `nano`/`vi`/`vim FILE` asked to open: (absolute path, content).
    pub edit_request: Option<(String, String)>,
    /// A read of a typed line in progress (see [`Interp::read_line`]).
    pub line_read: LineRead,
}

/// What a job reading its terminal and the terminal share: the job says it waits (and whether
/// the line is echoed), the terminal hands over the line typed.
#[derive(Debug, Default)]
pub(crate) struct LineRead {
    /// Set while the job waits for a typed line: true if the terminal echoes it.
    pub waiting: Option<bool>,
    /// The line typed, handed over by the terminal, until the job takes it.
    pub typed: Option<String>,
}

impl Session {
    pub(crate) fn new(world: Rc<RefCell<World>>, machine: MachineId) -> Self {
        let ctx = Session::login(&world.borrow(), machine, None);
        Session {
            world,
            stack: vec![ctx],
            last_status: 0,
            exited: false,
            history: Vec::new(),
            interrupt_note: None,
            trace: false,
            editor_available: false,
            edit_request: None,
            line_read: LineRead::default(),
        }
    }

    /// A fresh login shell on `machine`: root in /root with the usual variables.
    pub(crate) fn login(world: &World, machine: MachineId, via_ssh: Option<String>) -> Context {
        let hostname = world
            .machine(machine)
            .map(|m| m.hostname.clone())
            .unwrap_or_default();
        let mut vars = BTreeMap::new();
        for (k, v) in [
            ("HOME", "/root"),
            ("USER", "root"),
            ("LOGNAME", "root"),
            ("SHELL", "/bin/bash"),
            ("TERM", "xterm"),
            (
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ),
            ("PWD", "/root"),
        ] {
            vars.insert(k.to_string(), v.to_string());
        }
        vars.insert("HOSTNAME".into(), hostname);
        Context {
            machine,
            cwd: "/root".into(),
            vars,
            via_ssh,
            container: None,
            aliases: BTreeMap::new(),
            positional: Vec::new(),
            argv0: None,
            functions: BTreeMap::new(),
            xtrace: false,
        }
    }

    /// A shell inside container `c` of `machine` (`docker exec -it C sh`).
    pub(crate) fn container_login(
        world: &World,
        machine: MachineId,
        c: &swarm_core::container::Container,
        shell: &str,
        main: bool,
        cwd: &str,
    ) -> Context {
        let mut ctx = Session::login(world, machine, None);
        ctx.cwd = cwd.into();
        ctx.vars
            .insert("HOSTNAME".into(), c.config.hostname.clone());
        ctx.vars.insert("PWD".into(), cwd.into());
        let distro = swarm_core::catalog::Catalog::get()
            .lookup_or_id(&c.config.image, &c.image_id)
            .map(|i| i.distro.clone())
            .unwrap_or_else(|| swarm_core::distro::Distro::guess(&c.config.image));
        let dialect = if shell == "bash" {
            swarm_core::distro::Shell::Bash
        } else {
            distro.sh().unwrap_or(swarm_core::distro::Shell::Ash)
        };
        ctx.container = Some(ContainerShell {
            machine,
            id: c.id.clone(),
            hostname: c.config.hostname.clone(),
            shell: shell.to_string(),
            main,
            tty: true,
            dialect,
            lines: 0,
        });
        ctx
    }

    pub(crate) fn ctx(&self) -> &Context {
        // The stack is never empty: `exit` at the bottom marks the session exited instead.
        &self.stack[self.stack.len() - 1]
    }

    pub(crate) fn ctx_mut(&mut self) -> &mut Context {
        let n = self.stack.len() - 1;
        &mut self.stack[n]
    }

    pub(crate) fn machine(&self) -> MachineId {
        self.ctx().machine
    }

    /// `[node1] (local) root@192.168.0.11 ~ $ `: Play with Docker's prompt on one line.
    pub(crate) fn prompt(&self) -> String {
        let w = self.world.borrow();
        let ctx = self.ctx();
        if let Some(c) = &ctx.container {
            return match c.dialect {
                swarm_core::distro::Shell::Bash => format!("root@{}:{}# ", c.hostname, ctx.cwd),
                swarm_core::distro::Shell::Dash => "# ".to_string(),
                swarm_core::distro::Shell::Ash => format!("{} # ", ctx.cwd),
            };
        }
        let (host, ip) = w
            .machine(ctx.machine)
            .map(|m| (m.hostname.clone(), m.ip.to_string()))
            .unwrap_or_default();
        let home = ctx.vars.get("HOME").map(String::as_str).unwrap_or("/root");
        let dir = if ctx.cwd == home {
            "~".to_string()
        } else if let Some(rest) = ctx.cwd.strip_prefix(home).filter(|r| r.starts_with('/')) {
            format!("~{rest}")
        } else {
            ctx.cwd.clone()
        };
        format!("[{host}] (local) root@{ip} {dir} $ ")
    }
}

/// What happens to a typed line: echo it, and either wait for more or start the program.
pub(crate) fn accept_line(t: &mut Terminal, line: &str) {
    reopen_if_exited(t);
    // An ssh session to a machine that lost power ends; a terminal on one shows that it's off.
    loop {
        let (machine, depth, via) = {
            let s = t.session.borrow();
            (s.machine(), s.stack.len(), s.ctx().via_ssh.clone())
        };
        let off = t
            .session
            .borrow()
            .world
            .borrow()
            .machine(machine)
            .is_none_or(|m| m.power == swarm_core::Power::Off);
        if !off {
            break;
        }
        if depth > 1 {
            t.session.borrow_mut().stack.pop();
            emit(
                &t.sink,
                Output::Stderr(format!(
                    "Connection to {} closed by remote host.\n",
                    via.unwrap_or_default()
                )),
            );
            continue;
        }
        let name = t
            .session
            .borrow()
            .world
            .borrow()
            .machine(machine)
            .map(|m| m.hostname.clone())
            .unwrap_or_default();
        let prompt = t.session.borrow().prompt();
        emit(&t.sink, Output::Echo(format!("{prompt}{line}\n")));
        emit(
            &t.sink,
            Output::Stderr(format!(
                "{name} is powered off: `sim node boot {name}` from another machine powers it on\n"
            )),
        );
        return;
    }
    let mut echo = t.prompt();
    echo.push_str(line);
    echo.push('\n');
    emit(&t.sink, Output::Echo(echo));
    t.pending.push(line.to_string());
    if let Some(c) = t.session.borrow_mut().ctx_mut().container.as_mut() {
        c.lines += 1;
    }
    let source = t.pending.join("\n");
    match parse(&source) {
        Parsed::Incomplete if t.pending.len() < MAX_PENDING_LINES => {}
        Parsed::Incomplete => {
            t.pending.clear();
            emit(
                &t.sink,
                Output::Stderr("bash: syntax error: unexpected end of file\n".into()),
            );
            t.session.borrow_mut().last_status = 2;
        }
        Parsed::Error(msg) => {
            t.pending.clear();
            record_history(t, &source);
            emit(&t.sink, Output::Stderr(format!("bash: {msg}\n")));
            t.session.borrow_mut().last_status = 2;
        }
        Parsed::Program(program) => {
            t.pending.clear();
            record_history(t, &source);
            let (interp, wake) = Interp::for_terminal(t);
            let fut = async move {
                let io = Io::terminal(&interp.sink);
                interp.run_program(&program, &io).await;
                interp.finish_exit();
            };
            let mut job = Job::new(Box::pin(fut), wake);
            if !job.poll() {
                t.job = Some(job);
            }
        }
    }
}

/// Starts a job on `t` that asks each of `questions` (its text, and whether the answer is
/// echoed) with [`Interp::read_line`] on the terminal and prints `ANSWER\n` (or `EOF\n`)
/// after each: what the tests of typed input drive through the `Playground`.
#[cfg(test)]
pub(crate) fn start_questions(t: &mut Terminal, questions: Vec<(String, bool)>) {
    let (interp, wake) = Interp::for_terminal(t);
    let fut = async move {
        let io = Io::terminal(&interp.sink);
        for (q, echo) in &questions {
            io.out.write(q);
            let answer = interp.read_line(&io, *echo).await;
            io.out
                .write(&format!("{}\n", answer.as_deref().unwrap_or("EOF")));
        }
    };
    let mut job = Job::new(Box::pin(fut), wake);
    if !job.poll() {
        t.job = Some(job);
    }
}

/// After `exit` at the outermost level, a new shell starts, as a terminal emulator reopens
/// one; the history stays.
pub(crate) fn reopen_if_exited(t: &mut Terminal) {
    if !t.session.borrow().exited {
        return;
    }
    let world = t.session.borrow().world.clone();
    let history = std::mem::take(&mut t.session.borrow_mut().history);
    let editor = t.session.borrow().editor_available;
    let mut fresh = Session::new(world, t.home);
    fresh.history = history;
    fresh.editor_available = editor;
    *t.session.borrow_mut() = fresh;
}

fn record_history(t: &mut Terminal, source: &str) {
    let mut s = t.session.borrow_mut();
    if !source.trim().is_empty() && s.history.last().map(String::as_str) != Some(source) {
        s.history.push(source.to_string());
    }
}

/// The result of parsing what has been typed so far.
pub(crate) enum Parsed {
    Program(ast::Program),
    Incomplete,
    Error(String),
}

pub(crate) fn parse(source: &str) -> Parsed {
    use brush_parser::{ParseError, TokenizerError};
    // A line that ends in an unescaped backslash continues on the next (only the very end
    // counts: `a \` then an empty line is the complete `a `, and `a \ ` escapes a blank).
    let trailing = source.len() - source.trim_end_matches('\\').len();
    if trailing % 2 == 1 {
        return Parsed::Incomplete;
    }
    let opts = parser_options();
    let mut p = brush_parser::Parser::new(std::io::Cursor::new(source.as_bytes()), &opts);
    match p.parse_program() {
        Ok(program) => Parsed::Program(program),
        // brush-parser waits for more input after `echo a(1)`; bash refuses it at once.
        Err(ParseError::ParsingAtEndOfInput)
            if paren_after_word(source) || paren_after_words(source) =>
        {
            Parsed::Error("syntax error near unexpected token `('".into())
        }
        Err(ParseError::ParsingAtEndOfInput) => Parsed::Incomplete,
        Err(ParseError::Tokenizing { inner, .. }) => match inner {
            TokenizerError::UnterminatedEscapeSequence
            | TokenizerError::UnterminatedSingleQuote(_)
            | TokenizerError::UnterminatedAnsiCQuote(_)
            | TokenizerError::UnterminatedDoubleQuote(_)
            | TokenizerError::UnterminatedBackquote(_)
            | TokenizerError::UnterminatedVariable
            | TokenizerError::UnterminatedCommandSubstitution
            | TokenizerError::UnterminatedExpansion
            | TokenizerError::UnterminatedHereDocuments(..) => Parsed::Incomplete,
            other => Parsed::Error(format!("syntax error: {other}")),
        },
        // `docker swarm join-token (worker|manager)`: bash stops at the `(` after the
        // command's words, where brush-parser goes on to the `|`.
        Err(ParseError::ParsingNear(_)) if paren_after_words(source) => {
            Parsed::Error("syntax error near unexpected token `('".into())
        }
        Err(ParseError::ParsingNear(pos)) => {
            let token = near_token(source, pos.line, pos.column);
            Parsed::Error(format!("syntax error near unexpected token `{token}'"))
        }
    }
}

/// Whether an unquoted `(` is glued to a word that is not the first of its command
/// (`echo javascript:alert(1)`): bash's syntax error. `f()` (a function), `$(`, `<(`, `>(`
/// and `a=(…)` are not.
fn paren_after_word(source: &str) -> bool {
    paren_after(source, false)
}

/// Whether an unquoted `(` comes after two or more words of its command, glued or not
/// (`echo a (b)`): bash's syntax error at that `(`. (After one word it is a function.)
fn paren_after_words(source: &str) -> bool {
    paren_after(source, true)
}

fn paren_after(source: &str, spaced: bool) -> bool {
    // `case x in (a) …`: a pattern may start with `(`.
    let spaced = spaced && !source.split_whitespace().any(|w| w == "case");
    let mut words = 0usize; // words seen in the current command
    let mut in_word = false;
    let mut prev = ' ';
    let mut word = String::new(); // the current word's unquoted text
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        // A reserved word that starts a command (`if ! (true)`, `function f ()`, `do (x)`)
        // leaves the next word first in its command.
        if !in_word || c.is_whitespace() || matches!(c, '(' | ';' | '&' | '|' | ')') {
            if words == 1 && is_reserved_starter(&word) {
                words = 0;
            }
            word.clear();
        }
        match c {
            '\\' => {
                let _ = chars.next();
                if !in_word {
                    words += 1;
                    in_word = true;
                }
                prev = 'x';
                continue;
            }
            '\'' => {
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                }
                if !in_word {
                    words += 1;
                    in_word = true;
                }
                prev = 'x';
                continue;
            }
            '"' => {
                let mut escaped = false;
                for q in chars.by_ref() {
                    match q {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
                if !in_word {
                    words += 1;
                    in_word = true;
                }
                prev = 'x';
                continue;
            }
            '(' => {
                if (in_word || spaced) && words > 1 && !matches!(prev, '$' | '<' | '>' | '=') {
                    return true;
                }
                words = 0;
                in_word = false;
            }
            ';' | '&' | '|' | '\n' | ')' | '{' | '}' => {
                words = 0;
                in_word = false;
            }
            c if c.is_whitespace() => in_word = false,
            _ => {
                if !in_word {
                    words += 1;
                    in_word = true;
                }
                word.push(c);
            }
        }
        prev = c;
    }
    false
}

/// Reserved words after which bash reads a new command (the `(` that follows opens a
/// subshell, or a function's name follows `function`).
fn is_reserved_starter(word: &str) -> bool {
    matches!(
        word,
        "!" | "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "time" | "function"
    )
}

/// The token at a (1-based) line and column, for bash's "near unexpected token" message.
fn near_token(source: &str, line: usize, column: usize) -> String {
    let Some(l) = source.lines().nth(line.saturating_sub(1)) else {
        return "newline".into();
    };
    let rest: String = l.chars().skip(column.saturating_sub(1)).collect();
    let rest = rest.trim_start();
    if rest.is_empty() {
        return "newline".into();
    }
    for op in [
        ";;", "&&", "||", ">>", "<<", ";", "&", "|", "(", ")", "<", ">",
    ] {
        if rest.starts_with(op) {
            return op.into();
        }
    }
    rest.split(|c: char| c.is_whitespace() || ";&|()<>".contains(c))
        .next()
        .unwrap_or("newline")
        .to_string()
}

pub(crate) fn parser_options() -> brush_parser::ParserOptions {
    brush_parser::ParserOptions {
        enable_extended_globbing: false,
        ..Default::default()
    }
}

/// Where a stream goes.
#[derive(Clone)]
pub(crate) enum Dest {
    /// The terminal, as stdout or stderr.
    Terminal(Sink, bool),
    /// A buffer (a pipe to the next command, or a `$(…)` capture).
    Buf(Rc<RefCell<String>>),
    /// `/dev/null`.
    Null,
    /// A record of what both streams wrote, in order (`true`: stderr), for a container's
    /// log that keeps the streams apart and a terminal that interleaves them.
    Chunks(Rc<RefCell<Vec<(bool, String)>>>, bool),
    /// A file on the machine (`> FILE`, `>> FILE`).
    File(Rc<crate::fsutils::FileSink>),
}

impl Dest {
    pub(crate) fn write(&self, s: &str) {
        match self {
            Dest::Terminal(sink, false) => emit(sink, Output::Stdout(s.to_string())),
            Dest::Terminal(sink, true) => emit(sink, Output::Stderr(s.to_string())),
            Dest::Buf(b) => b.borrow_mut().push_str(s),
            Dest::Null => {}
            Dest::Chunks(c, err) => c.borrow_mut().push((*err, s.to_string())),
            Dest::File(f) => f.write(s),
        }
    }

    /// Writes out what a file destination still holds; returns its write error, if any.
    fn finish(&self) -> Option<swarm_core::fs::FsError> {
        match self {
            Dest::File(f) => {
                f.flush();
                f.take_error()
            }
            _ => None,
        }
    }
}

/// The standard streams of a command.
///
/// `stdin` is the text a command reads when it reads all of its input (`cat`, `jq`,
/// `docker stack deploy -c -`). When it is the terminal (`stdin_tty`) that text is empty: a
/// command that asks the user something reads typed lines with [`Interp::read_line`] instead.
#[derive(Clone)]
pub(crate) struct Io {
    pub stdin: Rc<str>,
    /// True when stdin is the terminal: a top-level command of a terminal's job, and what it
    /// runs with the same stdin (`sh script.sh`, `source`, `ssh host cmd`, `$(…)`).
    pub stdin_tty: bool,
    /// How much of `stdin` [`Interp::read_line`] has consumed, shared by the copies of this
    /// `Io` so that successive reads (of one command or of several commands under one
    /// redirection) take successive lines.
    pub stdin_at: Rc<Cell<usize>>,
    pub out: Dest,
    pub err: Dest,
}

impl Io {
    pub(crate) fn terminal(sink: &Sink) -> Io {
        Io {
            stdin: Rc::from(""),
            stdin_tty: true,
            stdin_at: Rc::default(),
            out: Dest::Terminal(sink.clone(), false),
            err: Dest::Terminal(sink.clone(), true),
        }
    }

    /// Streams whose stdin is `stdin` (a pipe, a file, a heredoc, nothing), not the terminal.
    pub(crate) fn with_stdin(stdin: &str, out: Dest, err: Dest) -> Io {
        Io {
            stdin: Rc::from(stdin),
            stdin_tty: false,
            stdin_at: Rc::default(),
            out,
            err,
        }
    }

    /// Makes stdin `text` (a redirection `< file`, `<<EOF`, `<<<`): no longer the terminal.
    pub(crate) fn set_stdin(&mut self, text: &str) {
        self.stdin = Rc::from(text);
        self.stdin_tty = false;
        self.stdin_at = Rc::default();
    }

    /// The next line of a non-terminal stdin (without its `\n`, a `\r` before it dropped, as
    /// Go's `bufio.Scanner` does), or `None` at its end.
    fn next_stdin_line(&self) -> Option<String> {
        let at = self.stdin_at.get().min(self.stdin.len());
        let rest = self.stdin.get(at..).unwrap_or("");
        if rest.is_empty() {
            return None;
        }
        let (line, used) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.stdin_at.set(at + used);
        Some(line.strip_suffix('\r').unwrap_or(line).to_string())
    }
}

/// The future of [`Interp::read_line`].
pub(crate) struct ReadLine<'a> {
    session: &'a Rc<RefCell<Session>>,
    io: &'a Io,
    echo: bool,
}

impl Future for ReadLine<'_> {
    type Output = Option<String>;
    fn poll(
        self: Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<String>> {
        if !self.io.stdin_tty {
            return std::task::Poll::Ready(self.io.next_stdin_line());
        }
        let mut s = self.session.borrow_mut();
        if let Some(line) = s.line_read.typed.take() {
            s.line_read.waiting = None;
            return std::task::Poll::Ready(Some(line));
        }
        s.line_read.waiting = Some(self.echo);
        std::task::Poll::Pending
    }
}

/// Runs one program for one terminal.
pub(crate) struct Interp {
    pub session: Rc<RefCell<Session>>,
    pub sink: Sink,
    pub wake: Rc<Cell<Option<SimTime>>>,
    /// Set by `exit`: the rest of the program is skipped.
    pub exiting: Cell<Option<i32>>,
    pub depth: Cell<usize>,
    /// A pending `break`/`continue`.
    flow: Cell<Flow>,
    /// Status of the last `$(…)` in the command being expanded.
    subst_status: Cell<Option<i32>>,
    /// Aliases being expanded now (an alias is not expanded inside its own value).
    aliasing: RefCell<Vec<String>>,
    /// One frame per running function call: the variables `local` declared in it, with the
    /// values they had before.
    locals: RefCell<Vec<LocalFrame>>,
    /// Files being sourced now (`return` ends the innermost).
    sourcing: Cell<usize>,
    /// Command substitutions being run now: xtrace's `+` is repeated once more per level.
    subst_level: Cell<usize>,
}

/// The variables one function call declared `local`, with their values before the call.
type LocalFrame = Vec<(String, Option<String>)>;

/// Loop control requested by `break`/`continue` (levels left to unwind).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break(usize),
    Continue(usize),
    /// `return` from a function or a sourced file.
    Return,
}

impl Interp {
    /// An interpreter for a job of `t`, and the cell where it says when to wake it.
    fn for_terminal(t: &Terminal) -> (Interp, Rc<Cell<Option<SimTime>>>) {
        let wake = Rc::new(Cell::new(None));
        let interp = Interp {
            session: t.session.clone(),
            sink: t.sink.clone(),
            wake: wake.clone(),
            exiting: Cell::new(None),
            depth: Cell::new(0),
            flow: Cell::new(Flow::Normal),
            subst_status: Cell::new(None),
            aliasing: RefCell::new(Vec::new()),
            locals: RefCell::new(Vec::new()),
            sourcing: Cell::new(0),
            subst_level: Cell::new(0),
        };
        (interp, wake)
    }

    pub(crate) fn world(&self) -> Rc<RefCell<World>> {
        self.session.borrow().world.clone()
    }

    /// Waits `d` of simulated time.
    pub(crate) fn sleep(&self, d: SimDuration) -> SleepUntil {
        let world = self.world();
        let deadline = world.borrow().now() + d;
        SleepUntil {
            world,
            deadline,
            wake: self.wake.clone(),
        }
    }

    /// Reads one line typed at the terminal, as a program reading its tty does: what
    /// `docker volume prune`'s `[y/N]`, `docker login`'s `Username: `/`Password: ` and
    /// `openssl req`'s questions wait for. Print the question first (on `io.out`, without a
    /// newline); then `interp.read_line(io, echo).await`.
    ///
    /// - If the command's stdin is not the terminal (`printf 'y\n' | …`, `<<EOF`, `< file`),
    ///   this takes the next line of that stdin (each call one line, without its `\n`; the
    ///   copies of `io` share the position) and is ready at once; `None` at its end.
    /// - If it is the terminal, the job waits (it counts as idle: scripts type their next line
    ///   into it, nothing presses Ctrl+C) until a line is submitted: lines typed ahead before
    ///   the job asked come first. The terminal then shows the line and a newline (`echo`), or
    ///   only the newline (`echo == false`, a password: the page masks the input line). The
    ///   answer has no `\n`. Ctrl+C while waiting stops the job as ever (`^C`, status 130), so
    ///   the future never returns `None` for the terminal.
    ///
    /// Typed lines, secret ones too, are in the replay log (that is what replays them), and a
    /// transcript cannot carry a secret answer (it is not on screen): test those through the
    /// `Playground` API.
    pub(crate) fn read_line<'a>(&'a self, io: &'a Io, echo: bool) -> ReadLine<'a> {
        ReadLine {
            session: &self.session,
            io,
            echo,
        }
    }

    pub(crate) fn set_status(&self, s: i32) {
        self.session.borrow_mut().last_status = s;
    }

    pub(crate) fn status(&self) -> i32 {
        self.session.borrow().last_status
    }

    pub(crate) fn get_var(&self, name: &str) -> Option<String> {
        self.session.borrow().ctx().vars.get(name).cloned()
    }

    pub(crate) fn set_var(&self, name: &str, value: String) {
        self.session
            .borrow_mut()
            .ctx_mut()
            .vars
            .insert(name.to_string(), value);
    }

    pub(crate) fn unset_var(&self, name: &str) {
        self.session.borrow_mut().ctx_mut().vars.remove(name);
    }

    pub(crate) fn stopped(&self) -> bool {
        self.exiting.get().is_some() || self.flow.get() != Flow::Normal
    }

    /// Applies a pending `exit` after the program ended: leave an `ssh` level, or end the shell.
    fn finish_exit(&self) {
        let Some(code) = self.exiting.take() else {
            return;
        };
        let mut s = self.session.borrow_mut();
        s.last_status = code;
        // Leaving a shell inside a container: back to the machine, silently; a container
        // whose main process that shell was ends its run.
        if s.stack.len() > 1 {
            if let Some(c) = s.ctx().container.clone() {
                s.stack.pop();
                let world = s.world.clone();
                drop(s);
                if c.main {
                    if let Ok(mut w) = world.try_borrow_mut() {
                        w.container_main_exited(c.machine, &c.id, code);
                    }
                }
                self.flow.set(Flow::Normal);
                return;
            }
        }
        if s.stack.len() > 1 {
            let ctx = s.stack.pop();
            drop(s);
            emit(&self.sink, Output::Stdout("logout\n".into()));
            if let Some(host) = ctx.and_then(|c| c.via_ssh) {
                emit(
                    &self.sink,
                    Output::Stderr(format!("Connection to {host} closed.\n")),
                );
            }
        } else {
            s.exited = true;
            drop(s);
            emit(&self.sink, Output::Stdout("logout\n".into()));
        }
        self.flow.set(Flow::Normal);
    }

    pub(crate) fn run_program<'a>(
        &'a self,
        program: &'a ast::Program,
        io: &'a Io,
    ) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            let mut status = self.status();
            for cc in &program.complete_commands {
                if self.stopped() {
                    break;
                }
                status = self.run_compound_list(cc, io).await;
            }
            status
        })
    }

    /// Parses and runs `source` (for `$(…)`, `ssh host cmd`), `depth`-limited.
    pub(crate) fn run_source<'a>(&'a self, source: &'a str, io: &'a Io) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            if self.depth.get() >= MAX_DEPTH {
                io.err.write("bash: maximum nesting level exceeded\n");
                self.set_status(1);
                return 1;
            }
            match parse(source) {
                Parsed::Program(p) => {
                    self.depth.set(self.depth.get() + 1);
                    let s = self.run_program(&p, io).await;
                    self.depth.set(self.depth.get() - 1);
                    s
                }
                Parsed::Incomplete => {
                    io.err.write("bash: syntax error: unexpected end of file\n");
                    self.set_status(2);
                    2
                }
                Parsed::Error(e) => {
                    io.err.write(&format!("bash: {e}\n"));
                    self.set_status(2);
                    2
                }
            }
        })
    }

    fn run_compound_list<'a>(
        &'a self,
        list: &'a ast::CompoundList,
        io: &'a Io,
    ) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            let mut status = self.status();
            for item in &list.0 {
                if self.stopped() {
                    break;
                }
                // `cmd &`: there is no job control; it runs in the foreground.
                status = self.run_and_or(&item.0, io).await;
            }
            status
        })
    }

    fn run_and_or<'a>(&'a self, list: &'a ast::AndOrList, io: &'a Io) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            let mut status = self.run_pipeline(&list.first, io).await;
            for next in &list.additional {
                if self.stopped() {
                    break;
                }
                match next {
                    ast::AndOr::And(p) if status == 0 => status = self.run_pipeline(p, io).await,
                    ast::AndOr::Or(p) if status != 0 => status = self.run_pipeline(p, io).await,
                    _ => {}
                }
            }
            status
        })
    }

    fn run_pipeline<'a>(&'a self, p: &'a ast::Pipeline, io: &'a Io) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            let n = p.seq.len();
            let started = p.timed.as_ref().map(|_| self.world().borrow().now());
            // The first command reads the pipeline's stdin (the terminal, or what is left of
            // a redirection); each next one the output of the one before.
            let mut stdin: Option<String> = None;
            let mut status = 0;
            for (i, cmd) in p.seq.iter().enumerate() {
                if self.stopped() {
                    break;
                }
                let buf = Rc::new(RefCell::new(String::new()));
                let out = if i + 1 < n {
                    Dest::Buf(buf.clone())
                } else {
                    io.out.clone()
                };
                let sub = match stdin.take() {
                    Some(text) => Io::with_stdin(&text, out, io.err.clone()),
                    None => Io { out, ..io.clone() },
                };
                status = if n > 1 {
                    // bash runs each command of a pipeline in a subshell: `echo x | read v`
                    // leaves `v` unset, `cd` and `exit` in a stage do not reach the shell.
                    self.in_subshell(self.run_command(cmd, &sub)).await
                } else {
                    self.run_command(cmd, &sub).await
                };
                if i + 1 < n {
                    stdin = Some(buf.borrow().clone());
                }
            }
            if p.bang {
                status = i32::from(status == 0);
            }
            if let (Some(t), Some(start)) = (&p.timed, started) {
                // bash's `time`: the simulated time the pipeline took (no CPU time is spent).
                let ms = self
                    .world()
                    .borrow()
                    .now()
                    .saturating_since(start)
                    .as_millis();
                let secs = ms / 1000;
                let frac = ms % 1000;
                io.err.write(&if t.is_posix_output() {
                    format!("real {secs}.{:02}\nuser 0.00\nsys 0.00\n", frac / 10)
                } else {
                    format!(
                        "\nreal\t{}m{}.{frac:03}s\nuser\t0m0.000s\nsys\t0m0.000s\n",
                        secs / 60,
                        secs % 60
                    )
                });
            }
            self.set_status(status);
            status
        })
    }

    /// Runs `run` as a subshell: its variables, directory, shell levels and `exit` do not
    /// leak out (the shell's state is saved before `run` starts, as futures start when awaited).
    fn in_subshell<'a>(&'a self, run: LocalFuture<'a, i32>) -> LocalFuture<'a, i32> {
        let saved = self.session.borrow().ctx().clone();
        let depth = self.session.borrow().stack.len();
        Box::pin(async move {
            let status = run.await;
            let code = self.exiting.take();
            let mut sess = self.session.borrow_mut();
            sess.stack.truncate(depth);
            *sess.ctx_mut() = saved;
            code.unwrap_or(status)
        })
    }

    fn run_command<'a>(&'a self, cmd: &'a ast::Command, io: &'a Io) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            if self.depth.get() >= MAX_DEPTH {
                io.err.write("bash: maximum nesting level exceeded\n");
                return 1;
            }
            self.depth.set(self.depth.get() + 1);
            let status = match cmd {
                ast::Command::Simple(sc) => self.run_simple(sc, io).await,
                ast::Command::Compound(cc, redirects) => {
                    let items: Vec<&ast::IoRedirect> =
                        redirects.iter().flat_map(|r| r.0.iter()).collect();
                    match self.apply_redirects(&items, io).await {
                        Ok(io2) => {
                            let s = self.run_compound(cc, &io2).await;
                            self.finish_redirects("bash", &io2, io, s)
                        }
                        Err(status) => status,
                    }
                }
                ast::Command::Function(f) => {
                    let body = ast::Command::Compound(f.body.0.clone(), f.body.1.clone());
                    self.session
                        .borrow_mut()
                        .ctx_mut()
                        .functions
                        .insert(f.fname.value.clone(), Rc::new(body));
                    0
                }
                ast::Command::ExtendedTest(t, _) => self.run_extended_test(&t.expr, io).await,
            };
            self.depth.set(self.depth.get() - 1);
            self.set_status(status);
            status
        })
    }

    fn run_compound<'a>(
        &'a self,
        cc: &'a ast::CompoundCommand,
        io: &'a Io,
    ) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            match cc {
                ast::CompoundCommand::BraceGroup(g) => self.run_compound_list(&g.list, io).await,
                ast::CompoundCommand::Subshell(s) => {
                    self.in_subshell(self.run_compound_list(&s.list, io)).await
                }
                ast::CompoundCommand::IfClause(c) => {
                    let cond = self.run_compound_list(&c.condition, io).await;
                    if self.stopped() {
                        return cond;
                    }
                    if cond == 0 {
                        return self.run_compound_list(&c.then, io).await;
                    }
                    for e in c.elses.iter().flatten() {
                        match &e.condition {
                            Some(cond) => {
                                if self.run_compound_list(cond, io).await == 0 {
                                    return self.run_compound_list(&e.body, io).await;
                                }
                            }
                            None => return self.run_compound_list(&e.body, io).await,
                        }
                    }
                    0
                }
                ast::CompoundCommand::ForClause(f) => {
                    let values = match &f.values {
                        Some(words) => {
                            let mut v = Vec::new();
                            for w in words {
                                match self.expand_fields(&w.value, io).await {
                                    Ok(fields) => v.extend(fields),
                                    Err(status) => return status,
                                }
                            }
                            v
                        }
                        // `for a; do`: the positional parameters.
                        None => self.session.borrow().ctx().positional.clone(),
                    };
                    let head = match &f.values {
                        Some(words) => words
                            .iter()
                            .map(|w| w.value.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        None => "\"$@\"".to_string(),
                    };
                    let mut status = 0;
                    for (i, v) in values.into_iter().enumerate() {
                        if i >= MAX_LOOP_ITERATIONS {
                            break;
                        }
                        self.xtrace(io, &format!("for {} in {head}", f.variable_name));
                        self.set_var(&f.variable_name, v);
                        status = self.run_compound_list(&f.body.list, io).await;
                        if self.loop_control() {
                            break;
                        }
                    }
                    status
                }
                ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                    let until = matches!(cc, ast::CompoundCommand::UntilClause(_));
                    let mut status = 0;
                    for _ in 0..MAX_LOOP_ITERATIONS {
                        let cond = self.run_compound_list(&w.0, io).await;
                        if self.stopped() || (cond == 0) == until {
                            break;
                        }
                        status = self.run_compound_list(&w.1.list, io).await;
                        if self.loop_control() {
                            break;
                        }
                    }
                    status
                }
                ast::CompoundCommand::CaseClause(c) => {
                    self.xtrace(io, &format!("case {} in", c.value.value));
                    let value = match self.expand_single(&c.value.value, io).await {
                        Ok(v) => v,
                        Err(s) => return s,
                    };
                    for item in &c.cases {
                        for pat in &item.patterns {
                            let pat = match self.expand_single(&pat.value, io).await {
                                Ok(p) => p,
                                Err(s) => return s,
                            };
                            if crate::util::glob_match(&pat, &value) {
                                return match &item.cmd {
                                    Some(list) => self.run_compound_list(list, io).await,
                                    None => 0,
                                };
                            }
                        }
                    }
                    0
                }
                ast::CompoundCommand::Arithmetic(a) => {
                    if self.xtrace_on() {
                        // bash keeps the blanks inside `((…))`; the parser trims them, and
                        // the command's span says how many there were.
                        let len = a.loc.end.index.saturating_sub(a.loc.start.index);
                        let blanks = len.saturating_sub(4 + a.expr.value.chars().count());
                        let (l, r) = (blanks / 2, blanks - blanks / 2);
                        self.xtrace(
                            io,
                            &format!("(( {}{}{} ))", " ".repeat(l), a.expr.value, " ".repeat(r)),
                        );
                    }
                    match crate::expand::arith(self, &a.expr.value) {
                        Ok(v) => i32::from(v == 0),
                        Err(e) => {
                            io.err.write(&format!("bash: {e}\n"));
                            1
                        }
                    }
                }
                ast::CompoundCommand::ArithmeticForClause(_)
                | ast::CompoundCommand::Coprocess(_) => {
                    io.err
                        .write("bash: this construct is not supported in the playground\n");
                    2
                }
            }
        })
    }

    /// After a loop body: consumes a `break`/`continue` aimed at this loop; true to stop looping.
    fn loop_control(&self) -> bool {
        if self.exiting.get().is_some() {
            return true;
        }
        let f = &self.flow;
        match f.get() {
            Flow::Normal => false,
            Flow::Return => true,
            Flow::Break(n) => {
                f.set(if n > 1 {
                    Flow::Break(n - 1)
                } else {
                    Flow::Normal
                });
                true
            }
            Flow::Continue(n) => {
                if n > 1 {
                    f.set(Flow::Continue(n - 1));
                    true
                } else {
                    f.set(Flow::Normal);
                    false
                }
            }
        }
    }

    /// `return [N]`: ends the running function or sourced file with status N (default `$?`).
    pub(crate) fn request_return(&self, args: &[String], io: &Io) -> i32 {
        if self.locals.borrow().is_empty() && self.sourcing.get() == 0 {
            io.err
                .write("bash: return: can only `return' from a function or sourced script\n");
            return 2;
        }
        let status = match args {
            [] => self.status(),
            [n] => match n.trim().parse::<i64>() {
                Ok(v) => (v & 0xff) as i32,
                Err(_) => {
                    io.err
                        .write(&format!("bash: return: {n}: numeric argument required\n"));
                    2
                }
            },
            _ => {
                io.err.write("bash: return: too many arguments\n");
                return 1;
            }
        };
        self.set_status(status);
        self.flow.set(Flow::Return);
        status
    }

    /// Ends a `return` aimed at a sourced file (see `fsutils::source`).
    pub(crate) fn enter_source(&self) {
        self.sourcing.set(self.sourcing.get() + 1);
    }

    pub(crate) fn leave_source(&self) {
        self.sourcing.set(self.sourcing.get().saturating_sub(1));
        if self.flow.get() == Flow::Return {
            self.flow.set(Flow::Normal);
        }
    }

    /// `local NAME[=VALUE] …`: the variables hold until the function returns.
    pub(crate) fn declare_local(&self, args: &[String], io: &Io) -> i32 {
        if self.locals.borrow().is_empty() {
            io.err
                .write("bash: local: can only be used in a function\n");
            return 1;
        }
        let mut status = 0;
        for a in args {
            let (name, value) = match a.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (a.as_str(), None),
            };
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                io.err
                    .write(&format!("bash: local: `{a}': not a valid identifier\n"));
                status = 1;
                continue;
            }
            let old = self.get_var(name);
            {
                let mut locals = self.locals.borrow_mut();
                if let Some(frame) = locals.last_mut() {
                    if !frame.iter().any(|(n, _)| n == name) {
                        frame.push((name.to_string(), old));
                    }
                }
            }
            match value {
                Some(v) => self.set_var(name, v),
                None => self.unset_var(name),
            }
        }
        status
    }

    /// Calls shell function `body` with `args` as its positional parameters.
    fn call_function<'a>(
        &'a self,
        body: Rc<ast::Command>,
        args: Vec<String>,
        io: &'a Io,
    ) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            if self.locals.borrow().len() >= MAX_DEPTH {
                io.err.write("bash: maximum nesting level exceeded\n");
                return 1;
            }
            let saved =
                std::mem::replace(&mut self.session.borrow_mut().ctx_mut().positional, args);
            let level = self.session.borrow().stack.len();
            self.locals.borrow_mut().push(Vec::new());
            let mut status = self.run_command(&body, io).await;
            if self.flow.get() == Flow::Return {
                self.flow.set(Flow::Normal);
                status = self.status();
            }
            let frame = self.locals.borrow_mut().pop().unwrap_or_default();
            for (k, old) in frame.into_iter().rev() {
                match old {
                    Some(v) => self.set_var(&k, v),
                    None => self.unset_var(&k),
                }
            }
            if self.session.borrow().stack.len() == level {
                self.session.borrow_mut().ctx_mut().positional = saved;
            }
            status
        })
    }

    pub(crate) fn request_break(&self, levels: usize, is_continue: bool) {
        self.flow.set(if is_continue {
            Flow::Continue(levels)
        } else {
            Flow::Break(levels)
        });
    }

    fn run_extended_test<'a>(
        &'a self,
        e: &'a ast::ExtendedTestExpr,
        io: &'a Io,
    ) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            use ast::ExtendedTestExpr as E;
            match e {
                E::And(a, b) => {
                    let l = self.run_extended_test(a, io).await;
                    if l != 0 {
                        return l;
                    }
                    self.run_extended_test(b, io).await
                }
                E::Or(a, b) => {
                    if self.run_extended_test(a, io).await == 0 {
                        return 0;
                    }
                    self.run_extended_test(b, io).await
                }
                E::Not(a) => i32::from(self.run_extended_test(a, io).await == 0),
                E::Parenthesized(a) => self.run_extended_test(a, io).await,
                E::UnaryTest(p, w) => {
                    let Ok(v) = self.expand_single(&w.value, io).await else {
                        return 2;
                    };
                    self.xtrace(io, &format!("[[ {p} {v} ]]"));
                    crate::builtins::unary_test(self, p, &v)
                }
                E::BinaryTest(p, a, b) => {
                    let Ok(l) = self.expand_single(&a.value, io).await else {
                        return 2;
                    };
                    let Ok(r) = self.expand_single(&b.value, io).await else {
                        return 2;
                    };
                    if self.xtrace_on() {
                        // A quoted pattern is traced with each character escaped.
                        let raw = b.value.as_str();
                        let quoted = raw.len() >= 2
                            && ((raw.starts_with('"') && raw.ends_with('"'))
                                || (raw.starts_with('\'') && raw.ends_with('\'')));
                        let pattern = p.to_string();
                        let r = if quoted && matches!(pattern.as_str(), "==" | "=" | "!=") {
                            r.chars().map(|c| format!("\\{c}")).collect()
                        } else {
                            r.clone()
                        };
                        self.xtrace(io, &format!("[[ {l} {pattern} {r} ]]"));
                    }
                    crate::builtins::binary_test(p, &l, &r, io)
                }
            }
        })
    }

    fn run_simple<'a>(&'a self, sc: &'a ast::SimpleCommand, io: &'a Io) -> LocalFuture<'a, i32> {
        Box::pin(async move {
            let mut assignments: Vec<(String, String)> = Vec::new();
            let mut argv: Vec<String> = Vec::new();
            let mut redirects: Vec<&ast::IoRedirect> = Vec::new();
            // A bare assignment reports the status of its last command substitution, or 0.
            self.subst_status.set(None);
            let items = sc
                .prefix
                .iter()
                .flat_map(|p| p.0.iter())
                .chain(sc.word_or_name.iter().map(|_| &PLACEHOLDER))
                .chain(sc.suffix.iter().flat_map(|s| s.0.iter()));
            for item in items {
                match item {
                    ast::CommandPrefixOrSuffixItem::IoRedirect(r) => redirects.push(r),
                    ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                        if argv.is_empty() && !std::ptr::eq(item, &PLACEHOLDER) {
                            let name = match &a.name {
                                ast::AssignmentName::VariableName(n) => n.clone(),
                                ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
                            };
                            let raw = match &a.value {
                                ast::AssignmentValue::Scalar(v) => v.value.clone(),
                                ast::AssignmentValue::Array(_) => String::new(),
                            };
                            let value = match self.expand_single(&raw, io).await {
                                Ok(v) => v,
                                Err(s) => return s,
                            };
                            let value = if a.append {
                                format!("{}{}", self.get_var(&name).unwrap_or_default(), value)
                            } else {
                                value
                            };
                            assignments.push((name, value));
                        } else {
                            match self.expand_fields(&w.value, io).await {
                                Ok(f) => argv.extend(f),
                                Err(s) => return s,
                            }
                        }
                    }
                    ast::CommandPrefixOrSuffixItem::Word(w) => {
                        let w = if std::ptr::eq(item, &PLACEHOLDER) {
                            sc.word_or_name
                                .as_ref()
                                .map(|w| w.value.as_str())
                                .unwrap_or("")
                        } else {
                            w.value.as_str()
                        };
                        match self.expand_fields(w, io).await {
                            Ok(f) => argv.extend(f),
                            Err(s) => return s,
                        }
                    }
                    ast::CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {
                        io.err.write(
                            "bash: process substitution is not supported in the playground\n",
                        );
                        return 2;
                    }
                }
            }
            let sub_status = self.subst_status.get().unwrap_or(0);
            if self.xtrace_on() {
                for (k, v) in &assignments {
                    self.xtrace(io, &format!("{k}={}", xtrace_value(v)));
                }
                // An alias traces the command it runs instead.
                if !argv.is_empty() && self.alias_of(sc, &argv).is_none() {
                    let words: Vec<String> = argv.iter().map(|w| xtrace_word(w)).collect();
                    self.xtrace(io, &words.join(" "));
                    // `export NAME=VALUE`: bash traces the assignment too.
                    if argv[0] == "export" {
                        for (k, v) in argv[1..].iter().filter_map(|a| a.split_once('=')) {
                            if !k.is_empty()
                                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                            {
                                self.xtrace(io, &format!("{k}={}", xtrace_value(v)));
                            }
                        }
                    }
                }
            }
            let outer = io;
            let io = match self.apply_redirects(&redirects, io).await {
                Ok(io) => io,
                Err(status) => return status,
            };
            if argv.is_empty() {
                for (k, v) in assignments {
                    self.set_var(&k, v);
                }
                return self.finish_redirects("bash", &io, outer, sub_status);
            }
            // `VAR=x cmd`: the variables hold for this command only.
            let saved: Vec<(String, Option<String>)> = assignments
                .iter()
                .map(|(k, _)| (k.clone(), self.get_var(k)))
                .collect();
            for (k, v) in &assignments {
                self.set_var(k, v.clone());
            }
            let argv = match self.expand_alias(sc, argv, &io).await {
                Ok(a) => a,
                Err(status) => {
                    for (k, old) in saved {
                        match old {
                            Some(v) => self.set_var(&k, v),
                            None => self.unset_var(&k),
                        }
                    }
                    return status;
                }
            };
            let name = argv.first().cloned().unwrap_or_default();
            let function = self.session.borrow().ctx().functions.get(&name).cloned();
            let status = if argv.is_empty() {
                self.status()
            } else if let Some(body) = function {
                let args = argv[1..].to_vec();
                self.call_function(body, args, &io).await
            } else {
                crate::builtins::run(self, argv, &io).await
            };
            let status = self.finish_redirects(&name, &io, outer, status);
            for (k, old) in saved {
                match old {
                    Some(v) => self.set_var(&k, v),
                    None => self.unset_var(&k),
                }
            }
            status
        })
    }

    /// Resolves redirections into the streams a command runs with.
    fn apply_redirects<'a>(
        &'a self,
        redirects: &'a [&'a ast::IoRedirect],
        io: &'a Io,
    ) -> LocalFuture<'a, Result<Io, i32>> {
        Box::pin(async move {
            let mut io = io.clone();
            for r in redirects {
                match r {
                    ast::IoRedirect::HereDocument(fd, doc) => {
                        let mut body = if doc.requires_expansion {
                            match crate::expand::expand_heredoc(self, &doc.doc.value, &io).await {
                                Ok(b) => b,
                                Err(s) => return Err(s),
                            }
                        } else {
                            doc.doc.value.clone()
                        };
                        if doc.remove_tabs {
                            body = body
                                .lines()
                                .map(|l| l.trim_start_matches('\t'))
                                .collect::<Vec<_>>()
                                .join("\n");
                            body.push('\n');
                        }
                        if fd.unwrap_or(0) == 0 {
                            io.set_stdin(&body);
                        }
                    }
                    ast::IoRedirect::HereString(fd, w) => {
                        let mut v = self.expand_single(&w.value, &io).await?;
                        v.push('\n');
                        if fd.unwrap_or(0) == 0 {
                            io.set_stdin(&v);
                        }
                    }
                    ast::IoRedirect::OutputAndError(w, append) => {
                        let target = self.expand_single(&w.value, &io).await?;
                        let d = self.open_for_write(&target, *append, &io)?;
                        io.out = d.clone();
                        io.err = d;
                    }
                    ast::IoRedirect::File(fd, kind, target) => {
                        use ast::IoFileRedirectKind as K;
                        let dup_fd = |io: &Io, n: i32| match n {
                            1 => Some(io.out.clone()),
                            2 => Some(io.err.clone()),
                            _ => None,
                        };
                        match (kind, target) {
                            (K::DuplicateOutput, ast::IoFileRedirectTarget::Fd(n)) => {
                                let Some(d) = dup_fd(&io, *n) else {
                                    io.err.write(&format!("bash: {n}: Bad file descriptor\n"));
                                    return Err(1);
                                };
                                match fd.unwrap_or(1) {
                                    1 => io.out = d,
                                    2 => io.err = d,
                                    _ => {}
                                }
                            }
                            (K::DuplicateOutput, ast::IoFileRedirectTarget::Duplicate(w))
                            | (K::DuplicateInput, ast::IoFileRedirectTarget::Duplicate(w)) => {
                                let v = self.expand_single(&w.value, &io).await?;
                                let d = match v.parse::<i32>().ok().and_then(|n| dup_fd(&io, n)) {
                                    Some(d) => d,
                                    None if v == "-" => Dest::Null,
                                    None => {
                                        io.err.write(&format!("bash: {v}: Bad file descriptor\n"));
                                        return Err(1);
                                    }
                                };
                                match fd.unwrap_or(1) {
                                    1 => io.out = d,
                                    2 => io.err = d,
                                    _ => {}
                                }
                            }
                            (
                                K::Write | K::Append | K::Clobber,
                                ast::IoFileRedirectTarget::Filename(w),
                            ) => {
                                let target = self.expand_single(&w.value, &io).await?;
                                let d =
                                    self.open_for_write(&target, matches!(kind, K::Append), &io)?;
                                match fd.unwrap_or(1) {
                                    1 => io.out = d,
                                    2 => io.err = d,
                                    _ => {}
                                }
                            }
                            (K::Read, ast::IoFileRedirectTarget::Filename(w)) => {
                                let target = self.expand_single(&w.value, &io).await?;
                                if target == "/dev/null" {
                                    io.set_stdin("");
                                } else if target == "/dev/stdin" {
                                } else if self.session.borrow().ctx().container.is_some() {
                                    match crate::docker::container_files::read_for_input(
                                        self, &target,
                                    ) {
                                        Ok(text) => io.set_stdin(&text),
                                        Err(msg) => {
                                            io.err.write(&msg);
                                            return Err(1);
                                        }
                                    }
                                } else {
                                    match crate::fsutils::read_file(self, &target) {
                                        Ok(text) => io.set_stdin(&text),
                                        // Reading a directory gives the command nothing.
                                        Err(swarm_core::fs::FsError::IsADirectory) => {
                                            io.set_stdin("")
                                        }
                                        Err(e) => {
                                            io.err.write(&format!("bash: {target}: {e}\n"));
                                            return Err(1);
                                        }
                                    }
                                }
                            }
                            _ => {
                                io.err.write(
                                    "bash: this redirection is not supported in the playground\n",
                                );
                                return Err(1);
                            }
                        }
                    }
                }
            }
            Ok(io)
        })
    }

    /// The alias the command word names, when it was typed unquoted and is not being
    /// expanded already.
    fn alias_of(&self, sc: &ast::SimpleCommand, argv: &[String]) -> Option<String> {
        let typed = sc.word_or_name.as_ref().map(|w| w.value.as_str());
        let first = argv.first()?;
        if typed != Some(first.as_str()) || self.aliasing.borrow().contains(first) {
            return None;
        }
        self.session.borrow().ctx().aliases.get(first).cloned()
    }

    /// Whether `set -x` is on.
    pub(crate) fn xtrace_on(&self) -> bool {
        self.session.borrow().ctx().xtrace
    }

    /// Prints one xtrace line (`+ TEXT`) to `io.err` when `set -x` is on: PS4 (`+ `), its
    /// first character repeated once more per command substitution being run.
    pub(crate) fn xtrace(&self, io: &Io, text: &str) {
        if !self.xtrace_on() {
            return;
        }
        let ps4 = self.get_var("PS4").unwrap_or_else(|| "+ ".into());
        let mut line: String = ps4
            .chars()
            .next()
            .map(|c| std::iter::repeat_n(c, self.subst_level.get()).collect())
            .unwrap_or_default();
        line.push_str(&ps4);
        line.push_str(text);
        line.push('\n');
        io.err.write(&line);
    }

    /// Alias expansion of the command word: when it was typed unquoted and names an alias,
    /// the alias's value runs as a command line with the arguments (quoted) after it.
    /// Returns the status of that run, or the words unchanged when there is no alias. An
    /// alias is not expanded again inside its own value (`alias ls='ls -F'`), as in bash.
    fn expand_alias<'a>(
        &'a self,
        sc: &'a ast::SimpleCommand,
        argv: Vec<String>,
        io: &'a Io,
    ) -> LocalFuture<'a, Result<Vec<String>, i32>> {
        Box::pin(async move {
            let Some(value) = self.alias_of(sc, &argv) else {
                return Ok(argv);
            };
            let first = argv[0].clone();
            let mut line = value;
            for a in &argv[1..] {
                line.push_str(" '");
                line.push_str(&a.replace('\'', "'\\''"));
                line.push('\'');
            }
            self.aliasing.borrow_mut().push(first);
            let status = self.run_source(&line, io).await;
            self.aliasing.borrow_mut().pop();
            Err(status)
        })
    }

    /// Where `> target` (`>> target` with `append`) writes: a file on the machine, created or
    /// truncated now, or `/dev/null`, `/dev/stdout`, `/dev/stderr`.
    fn open_for_write(&self, target: &str, append: bool, io: &Io) -> Result<Dest, i32> {
        match target {
            "/dev/null" => Ok(Dest::Null),
            "/dev/stdout" => Ok(io.out.clone()),
            "/dev/stderr" => Ok(io.err.clone()),
            "" => {
                io.err.write("bash: : No such file or directory\n");
                Err(1)
            }
            other if self.session.borrow().ctx().container.is_some() => {
                crate::docker::container_files::open_for_write(self, other, append).map_err(|msg| {
                    io.err.write(&msg);
                    1
                })
            }
            other => crate::fsutils::open_for_write(self, other, append).map_err(|msg| {
                io.err.write(&msg);
                1
            }),
        }
    }

    /// After a command with redirections: writes out its files and reports a full disk as
    /// the command's write error.
    fn finish_redirects(&self, name: &str, redirected: &Io, outer: &Io, status: i32) -> i32 {
        let mut status = status;
        for d in [&redirected.out, &redirected.err] {
            if let Some(e) = d.finish() {
                outer
                    .err
                    .write(&format!("bash: {name}: write error: {e}\n"));
                status = 1;
            }
        }
        status
    }

    /// Expands a word into fields (argv words).
    pub(crate) fn expand_fields<'a>(
        &'a self,
        word: &'a str,
        io: &'a Io,
    ) -> LocalFuture<'a, Result<Vec<String>, i32>> {
        Box::pin(crate::expand::expand_word(self, word, io, true))
    }

    /// Expands a word into one string (assignments, redirection targets, case patterns).
    pub(crate) fn expand_single<'a>(
        &'a self,
        word: &'a str,
        io: &'a Io,
    ) -> LocalFuture<'a, Result<String, i32>> {
        Box::pin(async move {
            crate::expand::expand_word(self, word, io, false)
                .await
                .map(|f| f.join(" "))
        })
    }

    /// Runs `source` with stdout captured, as `$(…)` does; trailing newlines are removed.
    pub(crate) fn capture<'a>(&'a self, source: &'a str, io: &'a Io) -> LocalFuture<'a, String> {
        Box::pin(async move {
            let buf = Rc::new(RefCell::new(String::new()));
            // `$(…)` reads the terminal if the command does (bash's `$(read x)` waits there),
            // and nothing otherwise.
            let sub = if io.stdin_tty {
                Io {
                    out: Dest::Buf(buf.clone()),
                    ..io.clone()
                }
            } else {
                Io::with_stdin("", Dest::Buf(buf.clone()), io.err.clone())
            };
            let pending_exit = self.exiting.take();
            self.subst_level.set(self.subst_level.get() + 1);
            let status = self.run_source(source, &sub).await;
            self.subst_level.set(self.subst_level.get() - 1);
            // `exit` inside `$(…)` leaves only the substitution.
            let code = self.exiting.take();
            self.exiting.set(pending_exit);
            self.set_status(code.unwrap_or(status));
            self.subst_status.set(Some(code.unwrap_or(status)));
            let mut out = buf.borrow().clone();
            while out.ends_with('\n') {
                out.pop();
            }
            out
        })
    }
}

/// Whether bash's xtrace single-quotes a word (`sh_contains_shell_metas`).
fn has_shell_metas(w: &str) -> bool {
    let b = w.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b' ' | b'\t' | b'\n' | b'\'' | b'"' | b'\\' | b'|' | b'&' | b';' | b'(' | b')' | b'<'
        | b'>' | b'!' | b'{' | b'}' | b'*' | b'[' | b'?' | b']' | b'^' | b'$' | b'`' => true,
        b'~' => i == 0 || b[i - 1] == b'=' || b[i - 1] == b':',
        b'#' => i == 0,
        _ => false,
    })
}

/// bash's `ansic_shouldquote`: a control character makes a word `$'…'`.
fn ansic_quote(w: &str) -> Option<String> {
    if !w.chars().any(|c| c.is_control()) {
        return None;
    }
    let mut out = String::from("$'");
    for c in w.chars() {
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x1b' => out.push_str("\\E"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() && (c as u32) < 0x100 => {
                out.push_str(&format!("\\{:03o}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    Some(out)
}

fn single_quote(w: &str) -> String {
    format!("'{}'", w.replace('\'', "'\\''"))
}

/// A word as bash's xtrace prints it: `''` when empty, in single quotes when it holds
/// a shell metacharacter, `$'…'` when it holds a control character, else as it is.
pub(crate) fn xtrace_word(w: &str) -> String {
    if w.is_empty() {
        "''".into()
    } else if has_shell_metas(w) {
        single_quote(w)
    } else {
        ansic_quote(w).unwrap_or_else(|| w.to_string())
    }
}

/// An assignment's value as xtrace prints it (`+ a=1`, `+ b='x y'`, `+ c=`).
fn xtrace_value(v: &str) -> String {
    if v.is_empty() {
        String::new()
    } else {
        xtrace_word(v)
    }
}

/// Stands in for the command name in the prefix/name/suffix walk of a simple command.
static PLACEHOLDER: ast::CommandPrefixOrSuffixItem =
    ast::CommandPrefixOrSuffixItem::Word(ast::Word {
        value: String::new(),
        loc: None,
    });
