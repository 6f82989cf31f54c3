//! Replay logs: a playground as its options plus every input, each with the simulated time it
//! happened at, so that the same playground can be rebuilt bit for bit.
//!
//! The world is deterministic (seeded randomness, time as an input), so a playground is a pure
//! function of how it started and what was done to it: the lines typed into each terminal,
//! Ctrl+C, Tab listings, machines added, files uploaded or saved from the editor, screens
//! cleared, and how far time moved. [`Playground::start_recording`] makes a playground write
//! each of those into a [`Recording`] as it happens (faults are typed commands, so they are
//! lines); [`Playground::replay`] builds a new playground from a [`ReplayLog`] by doing the
//! same things in the same order at the same simulated times.
//!
//! Time is recorded as "advance to T", and consecutive advances merge into one: moving the
//! world to T1 and then to T2 runs the same events as moving it to T2 (its queue runs in time
//! order), and jobs resume at their own deadlines either way.
//!
//! A log from a shared link or an imported file is untrusted: [`ReplayLog::from_json`]
//! bounds its size, accepts only this format and version and the known entry kinds, checks
//! every field's size and that times never go back, and answers a bad log with a message.
//! Replaying it only types into the emulator's terminals; nothing else can run.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use swarm_core::SimDuration;

use crate::playground::{Options, Playground, TEMPLATES};

/// The `format` field of every log.
pub const FORMAT: &str = "swarm-playground-replay";
/// The version of the format this code writes and reads.
pub const VERSION: u32 = 1;
/// Most entries a log may hold.
pub const MAX_ENTRIES: usize = 100_000;
/// Longest typed line, name or path, in bytes.
pub const MAX_TEXT: usize = 64 * 1024;
/// Largest file content (an upload or an editor save), in bytes.
pub const MAX_FILE: usize = 1024 * 1024;
/// Most text all entries together may hold, in bytes.
pub const MAX_TOTAL: usize = 8 * 1024 * 1024;
/// Largest JSON text [`ReplayLog::from_json`] reads, in bytes.
pub const MAX_JSON: usize = 12 * 1024 * 1024;
/// Latest simulated time an entry may name. Replaying costs time in proportion to simulated
/// time (a day of an idle 5-node swarm is about 0.7 s natively): a log that asks for years
/// would hang the page.
pub const MAX_TIME: SimDuration = SimDuration::from_secs(7 * 24 * 3600);
/// Longest address or argument of a `browse` entry, in bytes.
pub const MAX_URL: usize = 4096;

/// One input to a playground. `at` is the simulated time in milliseconds when it happened (for
/// [`Entry::Advance`], the time moved to).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "lowercase", deny_unknown_fields)]
pub enum Entry {
    /// A line submitted to a machine's terminal (Enter).
    Line { at: u64, on: String, text: String },
    /// Ctrl+C, with what was half-typed on the input line.
    Interrupt { at: u64, on: String, typed: String },
    /// A second Tab that listed completion candidates in the terminal.
    Complete { at: u64, on: String, text: String },
    /// "Add machine": the machine it added.
    Add { at: u64, name: String },
    /// A machine taken off the page ("remove"; its power-off is a line of its own). Nothing
    /// changes in the world; the page reads it back.
    Remove { at: u64, on: String },
    /// A file dropped onto a terminal.
    Upload {
        at: u64,
        on: String,
        name: String,
        content: String,
    },
    /// The editor's Save.
    Save {
        at: u64,
        on: String,
        path: String,
        content: String,
    },
    /// Ctrl+L.
    Clear { at: u64, on: String },
    /// Time moved to `at`.
    Advance { at: u64 },
    /// Something done in tab `tab` of the page's browser ([`Playground::browse_in`]; 0 when
    /// absent, as logs written before tabs have it): `action` is one of `open`, `follow`,
    /// `reload`, `todo`, `vote`, `number`, `back`, `forward`, `close` with its argument (the
    /// address, path, to-do item or vote); `url` is what the tab showed then (for reading).
    Browse {
        at: u64,
        #[serde(default, skip_serializing_if = "is_zero")]
        tab: u32,
        action: String,
        arg: String,
        url: String,
    },
}

/// For serde: a browse entry in the first tab does not write its number.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Entry {
    /// When it happened, in simulated milliseconds.
    pub fn at(&self) -> u64 {
        match self {
            Entry::Line { at, .. }
            | Entry::Interrupt { at, .. }
            | Entry::Complete { at, .. }
            | Entry::Add { at, .. }
            | Entry::Remove { at, .. }
            | Entry::Upload { at, .. }
            | Entry::Save { at, .. }
            | Entry::Clear { at, .. }
            | Entry::Browse { at, .. }
            | Entry::Advance { at } => *at,
        }
    }

    /// The machine it is about, if any.
    pub fn machine(&self) -> Option<&str> {
        match self {
            Entry::Line { on, .. }
            | Entry::Interrupt { on, .. }
            | Entry::Complete { on, .. }
            | Entry::Remove { on, .. }
            | Entry::Upload { on, .. }
            | Entry::Save { on, .. }
            | Entry::Clear { on, .. } => Some(on),
            Entry::Add { name, .. } => Some(name),
            Entry::Advance { .. } | Entry::Browse { .. } => None,
        }
    }

    /// Bytes of text it carries.
    fn size(&self) -> usize {
        match self {
            Entry::Line { on, text, .. } | Entry::Complete { on, text, .. } => {
                on.len() + text.len()
            }
            Entry::Interrupt { on, typed, .. } => on.len() + typed.len(),
            Entry::Add { name, .. } => name.len(),
            Entry::Remove { on, .. } | Entry::Clear { on, .. } => on.len(),
            Entry::Upload {
                on, name, content, ..
            } => on.len() + name.len() + content.len(),
            Entry::Save {
                on, path, content, ..
            } => on.len() + path.len() + content.len(),
            Entry::Advance { .. } => 0,
            Entry::Browse {
                action, arg, url, ..
            } => action.len() + arg.len() + url.len(),
        }
    }

    /// Why it is not acceptable, if it is not.
    fn check(&self) -> Result<(), String> {
        let text = |what: &str, s: &str| {
            if s.len() > MAX_TEXT {
                Err(format!("{what} longer than {MAX_TEXT} bytes"))
            } else {
                Ok(())
            }
        };
        let file = |s: &str| {
            if s.len() > MAX_FILE {
                Err(format!("a file larger than {MAX_FILE} bytes"))
            } else {
                Ok(())
            }
        };
        if let Some(m) = self.machine() {
            if !valid_machine(m) {
                return Err("a machine name that is not a hostname".into());
            }
        }
        match self {
            Entry::Line { text: t, .. } | Entry::Complete { text: t, .. } => text("a line", t),
            Entry::Interrupt { typed, .. } => text("a line", typed),
            Entry::Upload { name, content, .. } => {
                text("a file name", name)?;
                file(content)
            }
            Entry::Save { path, content, .. } => {
                text("a path", path)?;
                file(content)
            }
            Entry::Browse {
                action, arg, url, ..
            } => {
                if arg.len() > MAX_URL || url.len() > MAX_URL {
                    return Err(format!("a browser address longer than {MAX_URL} bytes"));
                }
                if crate::view::browser::BrowserAction::from_parts(action, arg).is_none() {
                    return Err("an unknown browser action".into());
                }
                Ok(())
            }
            Entry::Add { .. }
            | Entry::Remove { .. }
            | Entry::Clear { .. }
            | Entry::Advance { .. } => Ok(()),
        }
    }
}

/// A hostname as the world names machines: letters, digits and `-`, at most 63.
fn valid_machine(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

/// A playground's options and inputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayLog {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The world's seed.
    pub seed: u64,
    /// How many machines it started with (without a template).
    pub machines: usize,
    /// The template it started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Whether `nano`/`vi` open an editor (the page) rather than print that they need one.
    #[serde(default)]
    pub editor: bool,
    /// The inputs, in order.
    pub entries: Vec<Entry>,
}

impl ReplayLog {
    /// An empty log of a playground started with `opts`.
    pub fn new(opts: &Options, editor: bool) -> ReplayLog {
        ReplayLog {
            format: FORMAT.to_string(),
            version: VERSION,
            seed: opts.seed,
            machines: opts.machines,
            template: opts.template.clone(),
            editor,
            entries: Vec::new(),
        }
    }

    /// The options the playground started with.
    pub fn options(&self) -> Options {
        Options {
            seed: self.seed,
            machines: self.machines,
            template: self.template.clone(),
        }
    }

    /// The log as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and checks a log (see [`ReplayLog::check`]); a bad one gets a message saying why.
    pub fn from_json(text: &str) -> Result<ReplayLog, String> {
        if text.len() > MAX_JSON {
            return Err(format!(
                "the saved playground is too large ({} bytes; at most {MAX_JSON})",
                text.len()
            ));
        }
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("not a saved playground (not JSON: {e})"))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(
                "not a saved playground (its format is not \"swarm-playground-replay\")".into(),
            );
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "the saved playground has format version {v}; this page reads version {VERSION}"
                ))
            }
            None => return Err("not a saved playground (no format version)".into()),
        }
        let log: ReplayLog = serde_json::from_value(value)
            .map_err(|e| format!("the saved playground is damaged: {e}"))?;
        log.check()?;
        Ok(log)
    }

    /// Checks what can be checked without replaying: the format and version, the options,
    /// how many entries and how much text, and that time never goes back or too far.
    pub fn check(&self) -> Result<(), String> {
        let bad = |why: String| Err(format!("the saved playground is damaged: {why}"));
        if self.format != FORMAT {
            return bad("unknown format".into());
        }
        if self.version != VERSION {
            return bad(format!(
                "format version {} (this page reads {VERSION})",
                self.version
            ));
        }
        match &self.template {
            Some(t) if !TEMPLATES.iter().any(|(n, _)| n == t) => {
                return bad("an unknown template".into())
            }
            None if self.machines == 0 || self.machines > swarm_core::world::MAX_MACHINES => {
                return bad("a machine count out of range".into())
            }
            _ => {}
        }
        if self.entries.len() > MAX_ENTRIES {
            return bad(format!("more than {MAX_ENTRIES} entries"));
        }
        let mut total = 0usize;
        let mut last = 0u64;
        let max = MAX_TIME.as_millis();
        for (i, e) in self.entries.iter().enumerate() {
            e.check()
                .or_else(|why| bad(format!("entry {}: {why}", i + 1)))?;
            total += e.size();
            if total > MAX_TOTAL {
                return bad(format!("more than {MAX_TOTAL} bytes of text"));
            }
            if e.at() < last {
                return bad(format!("entry {}: time goes back", i + 1));
            }
            if e.at() > max {
                return bad(format!(
                    "entry {}: more than {} hours of simulated time",
                    i + 1,
                    max / 3_600_000
                ));
            }
            last = e.at();
        }
        Ok(())
    }

    /// The log without entry `index` (the one that was being applied when the page crashed).
    pub fn without(&self, index: usize) -> ReplayLog {
        let mut log = self.clone();
        if index < log.entries.len() {
            log.entries.remove(index);
        }
        log
    }

    /// The machines taken off the page and not powered on again since, as the page's
    /// sidebar leaves them out.
    pub fn removed_machines(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in &self.entries {
            if let Entry::Remove { on, .. } = e {
                if !out.contains(on) {
                    out.push(on.clone());
                }
            }
        }
        out
    }
}

/// The log a playground writes as it goes, shared with whoever saves it (the page keeps a
/// handle for its panic hook, which saves the last good state).
#[derive(Clone)]
pub struct Recording(Rc<RefCell<RecState>>);

struct RecState {
    log: ReplayLog,
    /// The entry being applied, until it is done.
    applying: Option<usize>,
    /// Bytes of text recorded.
    size: usize,
    /// Bumped by every change.
    changes: u64,
    /// Set when an input did not fit the limits: the log stops there.
    full: bool,
}

impl Recording {
    fn new(log: ReplayLog) -> Recording {
        let size = log.entries.iter().map(Entry::size).sum();
        Recording(Rc::new(RefCell::new(RecState {
            log,
            applying: None,
            size,
            changes: 0,
            full: false,
        })))
    }

    /// A copy of the log.
    pub fn log(&self) -> ReplayLog {
        self.0.borrow().log.clone()
    }

    /// The log as JSON.
    pub fn to_json(&self) -> String {
        self.0.borrow().log.to_json()
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.0.borrow().log.entries.len()
    }

    /// True before the first input.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A number that moves with every recorded change (to know when to save).
    pub fn changes(&self) -> u64 {
        self.0.borrow().changes
    }

    /// True once an input was too large to record: later inputs are not in the log.
    pub fn full(&self) -> bool {
        self.0.borrow().full
    }

    /// The entry being applied right now, if any (during a panic: the culprit).
    pub fn applying(&self) -> Option<usize> {
        self.0.try_borrow().ok().and_then(|s| s.applying)
    }

    /// The log without the entry being applied: the last state known to be good. `None` if
    /// the log cannot be read now (a panic while it was being written).
    pub fn last_good(&self) -> Option<ReplayLog> {
        let s = self.0.try_borrow().ok()?;
        Some(match s.applying {
            Some(i) => s.log.without(i),
            None => s.log.clone(),
        })
    }

    fn editor(&self) -> bool {
        self.0.borrow().log.editor
    }

    /// Records `entry` as being applied (an advance merges into an advance just before it).
    fn begin(&self, entry: Entry) {
        let mut s = self.0.borrow_mut();
        if s.full {
            return;
        }
        let size = entry.size();
        if entry.check().is_err()
            || s.size + size > MAX_TOTAL
            || s.log.entries.len() >= MAX_ENTRIES
            || entry.at() > MAX_TIME.as_millis()
        {
            s.full = true;
            s.changes += 1;
            return;
        }
        s.changes += 1;
        if let (Entry::Advance { at }, Some(Entry::Advance { at: last })) =
            (&entry, s.log.entries.last_mut())
        {
            *last = *at;
            s.applying = Some(s.log.entries.len() - 1);
            return;
        }
        s.size += size;
        s.log.entries.push(entry);
        s.applying = Some(s.log.entries.len() - 1);
    }

    /// The entry being applied is done.
    fn end(&self) {
        if let Ok(mut s) = self.0.try_borrow_mut() {
            s.applying = None;
        }
    }
}

/// Rebuilds a playground from a log a few entries at a time (so that a page can spread a long
/// replay over several frames).
pub struct Replayer {
    pg: Playground,
    entries: std::vec::IntoIter<Entry>,
    done: usize,
}

impl Replayer {
    /// Checks `log` and starts its playground (no entry applied yet).
    pub fn new(log: &ReplayLog) -> Result<Replayer, String> {
        log.check()?;
        let mut pg = Playground::new(&log.options())?;
        pg.start_recording(log.editor);
        Ok(Replayer {
            pg,
            entries: log.entries.clone().into_iter(),
            done: 0,
        })
    }

    /// Applies up to `n` more entries; true once all are applied.
    pub fn step(&mut self, n: usize) -> Result<bool, String> {
        for _ in 0..n {
            let Some(e) = self.entries.next() else {
                return Ok(true);
            };
            self.done += 1;
            self.pg.apply(&e).map_err(|why| {
                format!(
                    "the saved playground does not replay: entry {}: {why}",
                    self.done
                )
            })?;
        }
        Ok(self.entries.len() == 0)
    }

    /// The log the rebuilt playground writes (equal to the replayed one once done).
    pub fn recording(&self) -> Recording {
        self.pg
            .recording()
            .cloned()
            .unwrap_or_else(|| Recording::new(ReplayLog::new(&self.pg.options, false)))
    }

    /// How many entries were applied.
    pub fn applied(&self) -> usize {
        self.done
    }

    /// The playground (with the rest of the entries left out, if [`Replayer::step`] did not
    /// reach the end).
    pub fn finish(self) -> Playground {
        self.pg
    }
}

impl Playground {
    /// Starts writing every input into a log (from now on; the playground's options head
    /// it); `editor` says whether `nano`/`vi` open the page's editor. Returns the shared
    /// handle.
    pub fn start_recording(&mut self, editor: bool) -> Recording {
        let rec = Recording::new(ReplayLog::new(&self.options, editor));
        for t in &mut self.terminals {
            t.set_editor_available(editor);
        }
        self.recording = Some(rec.clone());
        rec
    }

    /// The log being written, if recording.
    pub fn recording(&self) -> Option<&Recording> {
        self.recording.as_ref()
    }

    /// A playground rebuilt from `log`: the same world, terminals and scrollback as the one
    /// that wrote it, recording on (into a log equal to `log`). A log that is bad or does not
    /// replay (a machine it names does not exist then) gets a message.
    pub fn replay(log: &ReplayLog) -> Result<Playground, String> {
        let mut r = Replayer::new(log)?;
        r.step(usize::MAX)?;
        Ok(r.finish())
    }

    /// Notes `entry` in the log (if recording) as being applied.
    pub(crate) fn record(&self, entry: impl FnOnce(u64) -> Entry) {
        if let Some(r) = &self.recording {
            r.begin(entry(self.now().as_millis()));
        }
    }

    /// The entry noted last is applied.
    pub(crate) fn recorded(&self) {
        if let Some(r) = &self.recording {
            r.end();
        }
    }

    /// True if new terminals should offer the page's editor.
    pub(crate) fn editor_recorded(&self) -> bool {
        self.recording.as_ref().is_some_and(Recording::editor)
    }

    /// A machine taken off the page (its power-off is typed separately): only noted in the
    /// log, for the page to read back.
    pub fn note_removed(&mut self, machine: &str) {
        if self.terminal(machine).is_some() {
            self.record(|at| Entry::Remove {
                at,
                on: machine.to_string(),
            });
            self.recorded();
        }
    }

    /// A file dropped onto `machine`'s terminal: see [`crate::Terminal::upload`].
    pub fn upload(&mut self, machine: &str, name: &str, content: &str) -> Result<String, String> {
        if self.terminal(machine).is_none() {
            return Err(format!("{machine}: no such machine"));
        }
        self.record(|at| Entry::Upload {
            at,
            on: machine.to_string(),
            name: name.to_string(),
            content: content.to_string(),
        });
        let r = match self.terminal_mut(machine) {
            Some(t) => t.upload(name, content),
            None => Err(format!("{machine}: no such machine")),
        };
        self.recorded();
        r
    }

    /// The editor's Save on `machine`'s terminal: see [`crate::Terminal::save_file`].
    pub fn save_file(&mut self, machine: &str, path: &str, content: &str) -> Result<(), String> {
        if self.terminal(machine).is_none() {
            return Err("the machine is gone".to_string());
        }
        self.record(|at| Entry::Save {
            at,
            on: machine.to_string(),
            path: path.to_string(),
            content: content.to_string(),
        });
        let r = match self.terminal_mut(machine) {
            Some(t) => t.save_file(path, content),
            None => Err("the machine is gone".to_string()),
        };
        self.recorded();
        r
    }

    /// Ctrl+L on `machine`'s terminal: its screen is cleared.
    pub fn clear_screen(&mut self, machine: &str) {
        if self.terminal(machine).is_none() {
            return;
        }
        self.record(|at| Entry::Clear {
            at,
            on: machine.to_string(),
        });
        if let Some(t) = self.terminal_mut(machine) {
            crate::terminal::emit(&t.sink, crate::Output::Clear);
        }
        self.recorded();
    }

    /// Applies one entry of a log.
    fn apply(&mut self, e: &Entry) -> Result<(), String> {
        let now = self.now().as_millis();
        let at = e.at();
        if at < now {
            return Err(format!(
                "it happened at {at} ms but the clock already reads {now} ms"
            ));
        }
        if let Entry::Advance { .. } = e {
            self.advance(SimDuration::from_millis(at - now));
            return Ok(());
        }
        if at > now {
            // Time the log moved in steps it did not write out.
            self.advance_unrecorded(SimDuration::from_millis(at - now));
        }
        if let Some(m) = e.machine() {
            let exists = self.terminal(m).is_some();
            if !exists && !matches!(e, Entry::Add { .. }) {
                return Err(format!("there is no machine {m}"));
            }
        }
        match e {
            Entry::Line { on, text, .. } => self.submit(on, text),
            Entry::Interrupt { on, typed, .. } => self.interrupt_line(on, typed),
            Entry::Complete { on, text, .. } => {
                self.complete(on, text, true);
            }
            Entry::Add { name, .. } => {
                let added = self.add_machine()?;
                if added != *name {
                    return Err(format!("it added {name} but this playground added {added}"));
                }
            }
            Entry::Remove { on, .. } => self.note_removed(on),
            Entry::Upload {
                on, name, content, ..
            } => {
                let _ = self.upload(on, name, content);
            }
            Entry::Save {
                on, path, content, ..
            } => {
                let _ = self.save_file(on, path, content);
            }
            Entry::Clear { on, .. } => self.clear_screen(on),
            Entry::Browse {
                tab, action, arg, ..
            } => {
                let a = crate::view::browser::BrowserAction::from_parts(action, arg)
                    .ok_or_else(|| "an unknown browser action".to_string())?;
                self.browse_in(*tab, a);
            }
            Entry::Advance { .. } => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Output;
    use swarm_core::SimDuration;

    /// Everything each terminal showed, as one text per machine (`\x0c` for a cleared screen).
    type Screens = std::collections::BTreeMap<String, String>;

    fn drain(pg: &mut Playground, screens: &mut Screens) {
        for name in pg.machine_names() {
            let Some(t) = pg.terminal_mut(&name) else {
                continue;
            };
            let text = screens.entry(name).or_default();
            for o in t.drain_output() {
                match o {
                    Output::Clear => text.push('\x0c'),
                    o => text.push_str(o.text()),
                }
            }
        }
    }

    /// Advances `secs` seconds in uneven ticks, as the page's clock does, draining as it goes.
    fn tick(pg: &mut Playground, screens: &mut Screens, secs: u64) {
        let mut left = secs * 1000;
        let mut k = 0u64;
        while left > 0 {
            let step = (97 + (k * 37) % 23).min(left);
            pg.advance(SimDuration::from_millis(step));
            drain(pg, screens);
            left -= step;
            k += 1;
        }
    }

    fn session() -> (Playground, Screens) {
        let mut pg = Playground::new(&Options {
            template: Some("1m2w".into()),
            seed: 7,
            ..Options::default()
        })
        .unwrap();
        let rec = pg.start_recording(true);
        assert!(rec.is_empty());
        let mut s = Screens::new();
        tick(&mut pg, &mut s, 2);
        pg.submit(
            "node1",
            "docker service create --name web --replicas 4 -p 8080:80 nginx",
        );
        tick(&mut pg, &mut s, 15);
        pg.upload("node1", "app.yml", "hello: <img src=x onerror=alert(1)>\n")
            .unwrap();
        pg.submit("node1", "cat app.yml");
        pg.submit("node2", "sleep 100");
        tick(&mut pg, &mut s, 1);
        pg.interrupt_line("node2", "");
        pg.interrupt_line("node2", "echo half");
        pg.submit("node1", "nano notes.txt");
        pg.save_file("node1", "/root/notes.txt", "line one\nline two\n")
            .unwrap();
        pg.complete("node1", "docker service l", true);
        pg.complete("node1", "docker s", true);
        pg.submit(
            "node1",
            "cat notes.txt; echo; docker service ps web --format '{{.Name}} {{.Node}}'",
        );
        pg.clear_screen("node3");
        let run = pg
            .inject_fault(&crate::view::Fault::PowerOff("node2".into()), &["node1"])
            .unwrap();
        assert_eq!(run.command, "sim node kill node2");
        tick(&mut pg, &mut s, 30);
        let added = pg.add_machine().unwrap();
        assert_eq!(added, "node4");
        pg.note_removed("node2");
        pg.submit(
            "node4",
            "hostname; echo '<script>alert(1)</script>' 'javascript:alert(1)'",
        );
        tick(&mut pg, &mut s, 3);
        drain(&mut pg, &mut s);
        (pg, s)
    }

    fn service_ps(pg: &mut Playground) -> String {
        pg.submit("node1", "docker service ps web");
        assert!(pg.run_until_idle("node1", SimDuration::from_secs(60)));
        let (out, err) = pg.terminal_mut("node1").unwrap().drain_streams();
        out + &err
    }

    #[test]
    fn a_replayed_session_is_the_same_bit_for_bit() {
        let (mut pg, screens) = session();
        let log = pg.recording().unwrap().log();
        // Hundreds of clock ticks merge into a few entries.
        assert!(
            log.entries.len() < 40,
            "{} entries: {:?}",
            log.entries.len(),
            log.entries
        );
        let json = log.to_json();
        let back = ReplayLog::from_json(&json).unwrap();
        assert_eq!(back, log);

        let mut again = Playground::replay(&back).unwrap();
        let mut replayed = Screens::new();
        drain(&mut again, &mut replayed);
        assert_eq!(again.now(), pg.now());
        assert_eq!(again.world().trace_hash(), pg.world().trace_hash());
        assert_eq!(again.world().trace_count(), pg.world().trace_count());
        assert_eq!(replayed, screens);
        assert!(
            screens["node1"].contains("verify: Service converged"),
            "{}",
            screens["node1"]
        );
        assert!(screens["node1"].contains("line two"));
        assert!(screens["node2"].contains("echo half^C"));
        assert!(screens["node3"].contains('\x0c'));
        assert!(
            screens["node4"].contains("<script>alert(1)</script> javascript:alert(1)"),
            "{:?}",
            screens["node4"]
        );
        assert_eq!(
            again.recording().unwrap().log(),
            log,
            "replay records the same log"
        );
        assert_eq!(again.cluster_view(), pg.cluster_view());
        let ps = service_ps(&mut pg);
        assert!(ps.contains("\\_ web."), "{ps}");
        assert_eq!(service_ps(&mut again), ps);
        assert_eq!(log.removed_machines(), ["node2"]);
    }

    #[test]
    fn dropping_an_entry_replays_the_rest() {
        let (pg, _) = session();
        let log = pg.recording().unwrap().log();
        let i = log
            .entries
            .iter()
            .position(|e| matches!(e, Entry::Line { text, .. } if text == "sim node kill node2"))
            .unwrap();
        let without = Playground::replay(&log.without(i)).unwrap();
        let (power, _) = without.machine_status("node2");
        assert_eq!(power, swarm_core::Power::Running, "node2 stays on");
        assert_eq!(without.now(), pg.now());
    }

    #[test]
    fn the_entry_being_applied_is_known() {
        let mut pg = Playground::new(&Options::default()).unwrap();
        let rec = pg.start_recording(false);
        pg.submit("node1", "echo one");
        assert_eq!(rec.applying(), None);
        // As a panic would leave it: an entry begun and never ended.
        pg.record(|at| Entry::Line {
            at,
            on: "node1".into(),
            text: "boom".into(),
        });
        assert_eq!(rec.applying(), Some(1));
        let good = rec.last_good().unwrap();
        assert_eq!(good.entries.len(), 1);
        assert!(matches!(&good.entries[0], Entry::Line { text, .. } if text == "echo one"));
    }

    #[test]
    fn inputs_too_large_stop_the_log() {
        let mut pg = Playground::new(&Options::default()).unwrap();
        let rec = pg.start_recording(false);
        pg.submit("node1", "echo small");
        let big = "x".repeat(MAX_FILE + 1);
        let _ = pg.upload("node1", "big", &big);
        assert!(rec.full());
        pg.submit("node1", "echo later");
        assert_eq!(rec.len(), 1);
        assert!(ReplayLog::from_json(&rec.to_json()).is_ok());
    }

    fn good() -> serde_json::Value {
        serde_json::json!({
            "format": FORMAT, "version": 1, "seed": 3, "machines": 2,
            "entries": [
                {"k": "line", "at": 1000, "on": "node1", "text": "echo hi"},
                {"k": "advance", "at": 1500},
                {"k": "line", "at": 1500, "on": "node2", "text": "hostname"}
            ]
        })
    }

    fn refused(v: serde_json::Value) -> String {
        let text = v.to_string();
        match ReplayLog::from_json(&text).and_then(|l| Playground::replay(&l).map(|_| ())) {
            Ok(()) => panic!("accepted {text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_good_log_replays() {
        let log = ReplayLog::from_json(&good().to_string()).unwrap();
        let mut pg = Playground::replay(&log).unwrap();
        assert_eq!(pg.now().as_millis(), 1500);
        let (out, _) = pg.terminal_mut("node2").unwrap().drain_streams();
        assert_eq!(out, "node2\n");
    }

    #[test]
    fn bad_logs_are_refused_with_a_message() {
        let cases: Vec<(serde_json::Value, &str)> = vec![
            (serde_json::json!([1, 2]), "format"),
            (serde_json::json!({"format": "x"}), "format"),
            (
                {
                    let mut v = good();
                    v["version"] = 2.into();
                    v
                },
                "version 2",
            ),
            (
                {
                    let mut v = good();
                    v["entries"][0]["k"] = "exec".into();
                    v
                },
                "damaged",
            ),
            (
                {
                    let mut v = good();
                    v["entries"][0]["js"] = "alert(1)".into();
                    v
                },
                "damaged",
            ),
            (
                {
                    let mut v = good();
                    v["extra"] = 1.into();
                    v
                },
                "damaged",
            ),
            (
                {
                    let mut v = good();
                    v["template"] = "9m".into();
                    v
                },
                "template",
            ),
            (
                {
                    let mut v = good();
                    v["machines"] = 100000.into();
                    v
                },
                "machine count",
            ),
            (
                {
                    let mut v = good();
                    v["entries"][1]["at"] = 900.into();
                    v
                },
                "time goes back",
            ),
            (
                {
                    let mut v = good();
                    v["entries"][1]["at"] = (8u64 * 24 * 3600 * 1000).into();
                    v["entries"][2]["at"] = (8u64 * 24 * 3600 * 1000).into();
                    v
                },
                "hours",
            ),
            (
                {
                    let mut v = good();
                    v["entries"][0]["on"] = "node9".into();
                    v
                },
                "no machine node9",
            ),
            (
                {
                    let mut v = good();
                    v["entries"][0]["on"] = "<img src=x>".into();
                    v
                },
                "hostname",
            ),
            (
                {
                    let mut v = good();
                    v["entries"][0]["text"] = "x".repeat(MAX_TEXT + 1).into();
                    v
                },
                "longer than",
            ),
            (
                {
                    let mut v = good();
                    v["entries"][0] = serde_json::json!({"k": "add", "at": 1000, "name": "node7"});
                    v
                },
                "added node3",
            ),
        ];
        for (v, want) in cases {
            let e = refused(v.clone());
            assert!(e.contains(want), "{v}: {e:?} lacks {want:?}");
        }
        assert!(ReplayLog::from_json("").unwrap_err().contains("not JSON"));
        let huge = " ".repeat(MAX_JSON + 1);
        assert!(ReplayLog::from_json(&huge)
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn random_bytes_never_panic() {
        let base = good().to_string().into_bytes();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut b = base.clone();
            for _ in 0..3 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = (x as usize) % b.len();
                b[i] = (x >> 32) as u8;
            }
            let text = String::from_utf8_lossy(&b);
            if let Ok(log) = ReplayLog::from_json(&text) {
                let _ = Playground::replay(&log);
            }
        }
    }

    /// A recording 1m1w playground with the todo list published on 8080, and its screens.
    fn todo_playground(seed: u64) -> (Playground, Screens) {
        let mut pg = Playground::new(&Options {
            template: Some("1m1w".into()),
            seed,
            ..Options::default()
        })
        .unwrap();
        pg.start_recording(false);
        run_line(
            &mut pg,
            "docker service create -q --name todo -p 8080:80 diamol/ch06-todo-list",
        );
        (pg, Screens::new())
    }

    /// Runs `line` on node1 and waits for it.
    fn run_line(pg: &mut Playground, line: &str) {
        pg.submit("node1", line);
        assert!(pg.run_until_idle("node1", SimDuration::from_secs(300)));
        pg.terminal_mut("node1").unwrap().drain_streams();
    }

    #[test]
    fn browser_actions_replay_with_the_same_world() {
        use crate::view::browser::{BrowserAction as A, PageContent, TodoPage};
        let (mut pg, mut s) = todo_playground(11);
        run_line(
            &mut pg,
            "docker network create -d overlay numbers-prod > /dev/null",
        );
        run_line(
            &mut pg,
            "docker service create -q --name numbers-api --network numbers-prod diamol/ch08-numbers-api",
        );
        run_line(
            &mut pg,
            "docker service create -q --name numbers-web --network numbers-prod -e RngApi__Url=http://numbers-api/rng -p 8090:80 diamol/ch08-numbers-web",
        );
        tick(&mut pg, &mut s, 10);
        pg.browse_tab(A::Open("node1:8080/list".into()));
        pg.browse_tab(A::Follow("/new".into()));
        tick(&mut pg, &mut s, 1);
        let page = pg.browse_tab(A::TodoSubmit("milk".into()));
        let PageContent::Todo(TodoPage::List(items)) = &page.content else {
            panic!("{page:?}")
        };
        assert_eq!(items.len(), 1);
        pg.browse_tab(A::Open("node2:8090".into()));
        for _ in 0..4 {
            pg.browse_tab(A::RandomNumber);
            tick(&mut pg, &mut s, 1);
        }
        pg.browse_tab(A::Reload);
        tick(&mut pg, &mut s, 2);
        let log = pg.recording().unwrap().log();
        let browses = log
            .entries
            .iter()
            .filter(|e| matches!(e, Entry::Browse { .. }))
            .count();
        assert_eq!(browses, 9, "{:?}", log.entries);
        assert!(log.entries.contains(&Entry::Browse {
            at: log
                .entries
                .iter()
                .find_map(|e| match e {
                    Entry::Browse { at, action, .. } if action == "todo" => Some(*at),
                    _ => None,
                })
                .unwrap(),
            tab: 0,
            action: "todo".into(),
            arg: "milk".into(),
            url: "http://node1:8080/new".into(),
        }));

        let back = ReplayLog::from_json(&log.to_json()).unwrap();
        assert_eq!(back, log);
        let mut again = Playground::replay(&back).unwrap();
        assert_eq!(again.now(), pg.now());
        assert_eq!(again.world().trace_hash(), pg.world().trace_hash());
        assert_eq!(again.world().trace_count(), pg.world().trace_count());
        assert_eq!(again.browser_tab(), pg.browser_tab());
        assert_eq!(again.recording().unwrap().log(), log);
        // The world has the item the browser added, and the numbers API is broken in both.
        for p in [&mut pg, &mut again] {
            p.terminal_mut("node1").unwrap().drain_streams();
            p.submit("node1", "curl -s node1:8080/list | grep -c '<td>milk'");
            assert!(p.run_until_idle("node1", SimDuration::from_secs(60)));
            let (out, _) = p.terminal_mut("node1").unwrap().drain_streams();
            assert_eq!(out, "1\n");
        }
        // Without the browser entries the world differs (the test can fail).
        let mut without = log.clone();
        without
            .entries
            .retain(|e| !matches!(e, Entry::Browse { .. }));
        let other = Playground::replay(&without).unwrap();
        assert_ne!(other.world().trace_hash(), pg.world().trace_hash());
        assert_eq!(other.browser_tab(), None);
    }

    #[test]
    fn browser_tabs_back_and_forward_replay_exactly() {
        use crate::view::browser::{BrowserAction as A, PageContent, TodoPage};
        let (mut pg, mut s) = todo_playground(12);
        run_line(
            &mut pg,
            "docker service create -q --name web -p 8081:80 nginx",
        );
        tick(&mut pg, &mut s, 10);
        // Tab 0: the list, the form, an item added (a POST, redirected to the list).
        pg.browse_in(0, A::Open("node1:8080/list".into()));
        pg.browse_in(0, A::Follow("/new".into()));
        let page = pg.browse_in(0, A::TodoSubmit("bread".into())).unwrap();
        assert_eq!(page.url, "http://node1:8080/list");
        // Tab 1: nginx.
        pg.browse_in(1, A::Open("http://node2:8081/".into()));
        tick(&mut pg, &mut s, 1);
        // Back in tab 0 requests the form again; Back again the list; Forward the form.
        let traffic = pg.world().traffic_count();
        let back = pg.browse_in(0, A::Back).unwrap();
        assert_eq!(back.url, "http://node1:8080/new");
        assert!(matches!(
            back.content,
            PageContent::Todo(TodoPage::New { .. })
        ));
        assert!(
            pg.world().traffic_count() > traffic,
            "Back is a request through the mesh"
        );
        let tab = pg.browser_tabs().get(0).unwrap();
        assert!(tab.can_go_back() && tab.can_go_forward());
        let back = pg.browse_in(0, A::Back).unwrap();
        assert_eq!(back.url, "http://node1:8080/list");
        assert!(!pg.browser_tabs().get(0).unwrap().can_go_back());
        // Back with nowhere to go changes nothing.
        assert_eq!(pg.browse_in(0, A::Back).unwrap(), back);
        let fwd = pg.browse_in(0, A::Forward).unwrap();
        assert_eq!(fwd.url, "http://node1:8080/new");
        // A new address drops the forward entries.
        pg.browse_in(0, A::Follow("/list".into()));
        pg.browse_in(0, A::Reload);
        let (history, at) = pg.browser_tabs().get(0).unwrap().history();
        assert_eq!(
            history,
            [
                "http://node1:8080/list",
                "http://node1:8080/new",
                "http://node1:8080/list"
            ]
        );
        assert_eq!(at, 2);
        // Tab 2 opened and closed.
        pg.browse_in(2, A::Open("node1:8081".into()));
        assert_eq!(pg.browse_in(2, A::Close), None);
        let ids: Vec<u32> = pg.browser_tabs().tabs().iter().map(|t| t.id).collect();
        assert_eq!(ids, [0, 1]);
        assert_eq!(pg.browser_tabs().next_id(), 3);
        tick(&mut pg, &mut s, 2);

        let log = pg.recording().unwrap().log();
        let json = log.to_json();
        assert!(json.contains(r#""tab":1"#) && json.contains(r#""action":"back""#));
        let back = ReplayLog::from_json(&json).unwrap();
        assert_eq!(back, log);
        let again = Playground::replay(&back).unwrap();
        assert_eq!(again.world().trace_hash(), pg.world().trace_hash());
        assert_eq!(again.browser_tabs(), pg.browser_tabs());
        // Without the Back and Forward entries the replay differs (fewer requests).
        let mut without = log.clone();
        without.entries.retain(
            |e| !matches!(e, Entry::Browse { action, .. } if action == "back" || action == "forward"),
        );
        let other = Playground::replay(&without).unwrap();
        assert_ne!(other.world().trace_hash(), pg.world().trace_hash());
    }

    #[test]
    fn bad_browse_entries_are_refused() {
        let with = |e: serde_json::Value| {
            let mut v = good();
            v["entries"].as_array_mut().unwrap().push(e);
            v
        };
        let ok = with(serde_json::json!(
            {"k": "browse", "at": 2000, "action": "open", "arg": "node1:8080", "url": ""}
        ));
        assert!(ReplayLog::from_json(&ok.to_string()).is_ok());
        for (e, why) in [
            (
                serde_json::json!({"k": "browse", "at": 2000, "action": "exec", "arg": "x", "url": ""}),
                "unknown browser action",
            ),
            (
                serde_json::json!({"k": "browse", "at": 2000, "action": "reload", "arg": "x", "url": ""}),
                "unknown browser action",
            ),
            (
                serde_json::json!({"k": "browse", "at": 2000, "action": "open", "arg": "x".repeat(MAX_URL + 1), "url": ""}),
                "longer than",
            ),
            (
                serde_json::json!({"k": "browse", "at": 2000, "action": "open", "arg": "", "url": "x".repeat(MAX_URL + 1)}),
                "longer than",
            ),
            (
                serde_json::json!({"k": "browse", "at": 2000, "action": "open", "arg": "node1"}),
                "damaged",
            ),
        ] {
            let err = refused(with(e));
            assert!(err.contains(why), "{err}");
        }
    }
}
