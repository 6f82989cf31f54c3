//! Compose's TTY progress display (docker/compose `pkg/progress/tty.go`, v2.3x), as its last
//! frame shows it: `[+] TITLE DONE/TOTAL`, then one line per event (children indented under
//! their parent), the status column aligned after the longest `ID`, the elapsed time at the
//! right edge of an 80-column terminal.
//!
//! Colours are left out (the playground's terminal shows plain text), which is what compose
//! prints with `--ansi never`/`NO_COLOR` apart from the cursor movements.

/// The terminal width compose's writer pads to when it cannot ask the terminal.
pub(crate) const WIDTH: usize = 80;

/// One event's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Working,
    Done,
    Warning,
    Error,
}

#[derive(Clone, Debug)]
struct Event {
    id: String,
    /// `Text`, shown right after the ID (pulls say `Pulled` there).
    text: String,
    parent: String,
    state: State,
    status: String,
    start_ms: u64,
    end_ms: Option<u64>,
}

/// The events of one progress display, in the order they first came.
#[derive(Clone, Debug, Default)]
pub(crate) struct Progress {
    title: String,
    events: Vec<Event>,
    /// Every event as the plain writer prints it (compose's output when it is not a
    /// terminal): ` ID Text StatusText`.
    plain: Vec<String>,
}

impl Progress {
    pub(crate) fn new(title: &str) -> Progress {
        Progress {
            title: title.to_string(),
            events: Vec::new(),
            plain: Vec::new(),
        }
    }

    /// True when nothing was reported.
    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// A service whose image is built, not pulled: `Skipped` as a warning.
    pub(crate) fn full_skip(&mut self, id: &str, now_ms: u64) {
        self.full(
            id,
            "",
            State::Warning,
            "",
            "Skipped - No image to be pulled",
            now_ms,
        );
    }

    /// Reports `status` for `id` at `now_ms` (the writer's `event`: a known event keeps its
    /// start; it stops its clock when it turns done or failed).
    pub(crate) fn event(&mut self, id: &str, state: State, status: &str, now_ms: u64) {
        self.child(id, "", state, status, now_ms);
    }

    /// As [`Progress::event`], under `parent`.
    pub(crate) fn child(
        &mut self,
        id: &str,
        parent: &str,
        state: State,
        status: &str,
        now_ms: u64,
    ) {
        self.full(id, parent, state, "", status, now_ms);
    }

    /// An event whose word is its `Text` (a pull's `Pulled`, a layer's `Pull complete`).
    pub(crate) fn text(&mut self, id: &str, parent: &str, state: State, text: &str, now_ms: u64) {
        self.full(id, parent, state, text, "", now_ms);
    }

    fn full(
        &mut self,
        id: &str,
        parent: &str,
        state: State,
        text: &str,
        status: &str,
        now_ms: u64,
    ) {
        self.plain.push(format!(" {id} {text} {status}\n"));
        if let Some(e) = self.events.iter_mut().find(|e| e.id == id) {
            if state != State::Working && e.state != state {
                e.end_ms = Some(now_ms);
            }
            e.state = state;
            e.text = text.to_string();
            e.status = status.to_string();
            e.parent = parent.to_string();
            return;
        }
        let end_ms = (state != State::Working).then_some(now_ms);
        self.events.push(Event {
            id: id.to_string(),
            text: text.to_string(),
            parent: parent.to_string(),
            state,
            status: status.to_string(),
            start_ms: now_ms,
            end_ms,
        });
    }

    /// What the plain writer printed: one line per event, as they came.
    pub(crate) fn plain(&self) -> String {
        self.plain.concat()
    }

    /// The last frame, as it stays on the terminal.
    pub(crate) fn render(&self, now_ms: u64) -> String {
        if self.events.is_empty() {
            return String::new();
        }
        let lines = self.events.len();
        let done = self
            .events
            .iter()
            .filter(|e| e.state != State::Working)
            .count();
        let mut out = format!("[+] {} {done}/{lines}\n", self.title);
        let mut status_padding = 0usize;
        for e in &self.events {
            let l = e.id.len() + 1 + e.text.len();
            if status_padding < l {
                status_padding = l;
            }
            if !e.parent.is_empty() {
                status_padding = status_padding.saturating_sub(2);
            }
        }
        for e in self.events.iter().filter(|e| e.parent.is_empty()) {
            out.push_str(&line(e, "", status_padding, now_ms));
            for c in self.events.iter().filter(|c| c.parent == e.id) {
                out.push_str(&line(c, "  ", status_padding, now_ms));
            }
        }
        out
    }
}

fn line(e: &Event, pad: &str, status_padding: usize, now_ms: u64) -> String {
    let end = match e.state {
        State::Working => now_ms,
        _ => e.end_ms.unwrap_or(e.start_ms),
    };
    let elapsed = end.saturating_sub(e.start_ms) as f64 / 1000.0;
    let txt = format!("{} {}", e.id, e.text);
    let padding = status_padding.saturating_sub(txt.len());
    let spinner = match e.state {
        State::Working => "⠿",
        State::Done => "✔",
        State::Warning => "!",
        State::Error => "✘",
    };
    let max_status = WIDTH as i64 - txt.len() as i64 - status_padding as i64 - 15;
    let mut status = e.status.clone();
    if max_status > 0 && status.len() > max_status as usize {
        let mut cut = max_status as usize;
        while !status.is_char_boundary(cut) {
            cut -= 1;
        }
        status.truncate(cut);
        status.push_str("...");
    }
    let text = format!("{pad} {spinner} {txt}{} {status}", " ".repeat(padding));
    let timer = format!("{elapsed:.1}s ");
    let used = text.chars().count() + timer.chars().count();
    format!("{text}{}{timer}\n", " ".repeat(WIDTH.saturating_sub(used)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_align_status_and_timer() {
        let mut p = Progress::new("Running");
        p.event("Network counter_default", State::Working, "Creating", 0);
        p.event("Network counter_default", State::Done, "Created", 100);
        p.event("Container counter-redis-1", State::Working, "Creating", 100);
        p.event("Container counter-redis-1", State::Done, "Created", 200);
        p.event("Container counter-redis-1", State::Working, "Starting", 200);
        p.event("Container counter-redis-1", State::Done, "Started", 500);
        let text = p.render(500);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "[+] Running 2/2");
        assert!(lines[1].starts_with(" ✔ Network counter_default    Created   "));
        assert!(lines[1].ends_with("   0.1s "));
        assert!(lines[2].starts_with(" ✔ Container counter-redis-1  Started   "));
        assert!(lines[2].ends_with("   0.4s "));
        assert!(lines[1..].iter().all(|l| l.chars().count() == WIDTH));
    }

    #[test]
    fn children_are_indented_and_working_counts_as_not_done() {
        let mut p = Progress::new("Pulling");
        p.text("redis", "", State::Working, "Pulling", 0);
        p.text("1f3e46996e29", "redis", State::Done, "Pull complete", 300);
        let text = p.render(1000);
        assert!(text.starts_with("[+] Pulling 1/2\n ⠿ redis Pulling "));
        assert!(text.contains("\n   ✔ 1f3e46996e29 Pull complete "));
        assert!(text.contains("1.0s \n"));
        assert_eq!(Progress::new("x").render(0), "");
    }
}
