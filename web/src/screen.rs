//! The scrollback of one terminal: the pieces of output it shows, bounded in size.
//!
//! This is plain data with no browser in it, so that its bounds are tested natively. The
//! terminal component renders each piece as a text node (never as HTML), keyed by its id so
//! that appending and trimming only touch the pieces that changed.

use std::collections::VecDeque;

use swarm_shell::Output;

/// At most this many lines stay in a terminal's scrollback; older lines are dropped.
pub const MAX_LINES: usize = 5_000;

/// At most this many bytes stay in a terminal's scrollback, for output with very long lines.
pub const MAX_BYTES: usize = 1 << 20;

/// Which stream a piece of output came from; it decides the piece's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A prompt and the line typed after it.
    Echo,
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Kind {
    /// The CSS class of pieces of this kind.
    pub fn class(self) -> &'static str {
        match self {
            Kind::Echo => "echo",
            Kind::Stdout => "stdout",
            Kind::Stderr => "stderr",
        }
    }
}

/// A run of text from one stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Unique within its screen; the key the component renders it under.
    pub id: u64,
    /// The stream it came from.
    pub kind: Kind,
    /// The text, shown as is.
    pub text: String,
}

impl Piece {
    /// For an echoed line, splits the prompt from what was typed after it, so that the prompt
    /// can take the prompt's colour. Other pieces have no prompt.
    pub fn split_prompt(&self) -> (&str, &str) {
        if self.kind != Kind::Echo {
            return ("", &self.text);
        }
        let first_line = self.text.split('\n').next().unwrap_or_default();
        let end = if first_line.starts_with("> ") {
            Some(2)
        } else if first_line.starts_with('[') {
            first_line.find("$ ").map(|i| i + 2)
        } else {
            None
        };
        match end {
            Some(end) => self.text.split_at(end),
            None => ("", &self.text),
        }
    }
}

/// Everything a terminal shows above its input line.
#[derive(Debug, Default)]
pub struct Screen {
    pieces: VecDeque<Piece>,
    lines: usize,
    bytes: usize,
    next_id: u64,
}

impl Screen {
    /// An empty screen.
    pub fn new() -> Self {
        Self::default()
    }

    /// The pieces, oldest first.
    pub fn pieces(&self) -> impl Iterator<Item = &Piece> {
        self.pieces.iter()
    }

    /// The number of line breaks on the screen.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// All the text on the screen, as the user sees it.
    pub fn text(&self) -> String {
        self.pieces.iter().map(|p| p.text.as_str()).collect()
    }

    /// Appends one piece of a terminal's output (or clears the screen).
    pub fn push(&mut self, out: Output) {
        match out {
            Output::Echo(text) => self.append(Kind::Echo, text),
            Output::Stdout(text) => self.append(Kind::Stdout, text),
            Output::Stderr(text) => self.append(Kind::Stderr, text),
            Output::Clear => self.clear(),
        }
    }

    /// Empties the screen (Ctrl+L, `clear`).
    pub fn clear(&mut self) {
        self.pieces.clear();
        self.lines = 0;
        self.bytes = 0;
    }

    fn append(&mut self, kind: Kind, text: String) {
        if text.is_empty() {
            return;
        }
        self.lines += count_lines(&text);
        self.bytes += text.len();
        // Output of one stream joins the piece before it; echoed lines stay apart so that each
        // keeps its prompt at the front.
        match self.pieces.back_mut() {
            Some(last) if last.kind == kind && kind != Kind::Echo => last.text.push_str(&text),
            _ => {
                let id = self.next_id;
                self.next_id += 1;
                self.pieces.push_back(Piece { id, kind, text });
            }
        }
        self.trim();
    }

    /// Drops the oldest text until the screen is within its bounds.
    fn trim(&mut self) {
        while self.lines > MAX_LINES || self.bytes > MAX_BYTES {
            let Some(front) = self.pieces.front_mut() else {
                break;
            };
            let front_lines = count_lines(&front.text);
            let excess_lines = self.lines.saturating_sub(MAX_LINES);
            let excess_bytes = self.bytes.saturating_sub(MAX_BYTES);
            if (excess_lines > 0 && front_lines <= excess_lines) || front.text.len() <= excess_bytes
            {
                self.lines -= front_lines;
                self.bytes -= front.text.len();
                self.pieces.pop_front();
                continue;
            }
            // Cut the front piece: whole lines while there are too many, then bytes, always at
            // a character boundary.
            let mut cut = 0;
            if excess_lines > 0 {
                cut = front
                    .text
                    .match_indices('\n')
                    .nth(excess_lines - 1)
                    .map_or(front.text.len(), |(i, _)| i + 1);
            }
            if cut < excess_bytes {
                cut = excess_bytes;
                while !front.text.is_char_boundary(cut) {
                    cut += 1;
                }
            }
            let removed: String = front.text.drain(..cut).collect();
            self.lines -= count_lines(&removed);
            self.bytes -= removed.len();
        }
    }
}

fn count_lines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn joins_streams_and_keeps_echoes_apart() {
        let mut s = Screen::new();
        s.push(Output::Echo("$ a\n".into()));
        s.push(Output::Echo("$ b\n".into()));
        s.push(Output::Stdout("1\n".into()));
        s.push(Output::Stdout("2\n".into()));
        s.push(Output::Stderr("e\n".into()));
        s.push(Output::Stdout(String::new()));
        let kinds: Vec<Kind> = s.pieces().map(|p| p.kind).collect();
        assert_eq!(kinds, [Kind::Echo, Kind::Echo, Kind::Stdout, Kind::Stderr]);
        assert_eq!(s.text(), "$ a\n$ b\n1\n2\ne\n");
        assert_eq!(s.lines(), 5);
        s.push(Output::Clear);
        assert_eq!(s.text(), "");
        assert_eq!(s.lines(), 0);
    }

    #[test]
    fn keeps_the_last_lines() {
        let mut s = Screen::new();
        for i in 0..MAX_LINES + 10 {
            s.push(Output::Echo(format!("$ {i}\n")));
        }
        let big: String = (0..3 * MAX_LINES).map(|i| format!("{i}\n")).collect();
        s.push(Output::Stdout(big));
        assert_eq!(s.lines(), MAX_LINES);
        assert_eq!(s.pieces().count(), 1);
        assert!(s.text().starts_with(&format!("{}\n", 2 * MAX_LINES)));
        assert!(s.text().ends_with(&format!("{}\n", 3 * MAX_LINES - 1)));
        assert_eq!(s.text().lines().count(), MAX_LINES);
    }

    #[test]
    fn keeps_the_last_bytes_of_long_lines() {
        let mut s = Screen::new();
        s.push(Output::Stdout("é".repeat(MAX_BYTES)));
        assert!(s.text().len() <= MAX_BYTES);
        assert!(s.text().len() >= MAX_BYTES - 1);
        assert!(s.text().chars().all(|c| c == 'é'));
    }

    #[test]
    fn splits_prompts_from_echoed_lines() {
        let piece = |text: &str| Piece {
            id: 0,
            kind: Kind::Echo,
            text: text.into(),
        };
        let p = piece("[node1] (local) root@192.168.0.11 ~ $ echo '$ x'\n");
        assert_eq!(
            p.split_prompt(),
            ("[node1] (local) root@192.168.0.11 ~ $ ", "echo '$ x'\n")
        );
        assert_eq!(piece("> EOF\n").split_prompt(), ("> ", "EOF\n"));
        assert_eq!(piece("plain\n").split_prompt(), ("", "plain\n"));
    }
}
