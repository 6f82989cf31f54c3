//! docker/cli's table writer: Go's `text/tabwriter` (elastic tabstops) as docker configures it.
//!
//! Every `table …` format of the docker CLI is written through
//! `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`: minimal cell width 10, padding 3, padded with
//! spaces, no flags. docker/cli keeps a fork of the Go package whose only change is that a
//! cell's width is its display width (`go-runewidth`: East-Asian wide and fullwidth characters
//! count 2, combining marks and control characters 0) instead of its number of runes.
//!
//! The rules, as the Go package implements them:
//!
//! - The input is split into lines at `\n` and `\f`, and each line into cells at `\t` and `\v`.
//!   A cell is *tab-terminated* when a tab ends it; the text after the last tab of a line is the
//!   line's last cell and belongs to no column, so it is never padded.
//! - The tab-terminated cells at the same index in *consecutive* lines form a column block. A
//!   line that has no cell at that index (it has fewer tabs) ends the block, and the lines after
//!   it start a new block with its own width.
//! - A block's width is the largest cell width in it plus the padding, but at least the minimal
//!   width. Every cell of the block, empty ones included, is padded to that width, so a row
//!   whose last column is empty ends with the padding of the column before it.
//! - `\f` ends a line like `\n` and also ends every column (Go flushes the writer there).
//! - A final line without a newline is written as it is; a trailing empty cell after its last
//!   tab does not count as a cell (Go only terminates a non-empty pending cell on flush).

/// The settings of a table writer; [`Config::DOCKER`] is the one the docker CLI uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Minimal width of a column, padding included.
    pub min_width: usize,
    /// Added to the widest cell of a column.
    pub padding: usize,
    /// The character used for padding.
    pub pad_char: char,
}

impl Config {
    /// `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`, as in docker/cli's `formatter.Context`.
    pub const DOCKER: Config = Config {
        min_width: 10,
        padding: 3,
        pad_char: ' ',
    };
}

impl Default for Config {
    fn default() -> Self {
        Config::DOCKER
    }
}

/// One cell of a line: its text and its display width.
#[derive(Clone, Copy, Debug)]
struct Cell<'a> {
    text: &'a str,
    width: usize,
}

/// Lays out `text` the way docker's table writer does (see the module docs).
pub fn render(text: &str) -> String {
    render_with(text, Config::DOCKER)
}

/// Lays out `text` with the given settings.
pub fn render_with(text: &str, config: Config) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for section in parse(text) {
        format(&mut out, &config, &section);
    }
    out
}

/// Lays out rows of cells: cells are joined with tabs and every row ends with a newline, which
/// is what docker's formatter feeds its writer (one template execution plus `\n` per row).
/// Tabs or newlines inside a cell are not escaped, exactly as in docker.
pub fn render_rows<R, S>(rows: &[R]) -> String
where
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut text = String::new();
    for row in rows {
        for (i, cell) in row.as_ref().iter().enumerate() {
            if i > 0 {
                text.push('\t');
            }
            text.push_str(cell.as_ref());
        }
        text.push('\n');
    }
    render(&text)
}

/// Splits the input into sections (ended by `\f`), each a list of lines of cells.
///
/// As in Go, the last line of a section is the line still open when the section ends: an empty
/// line after a final `\n`, or the unterminated last line of the input.
fn parse(text: &str) -> Vec<Vec<Vec<Cell<'_>>>> {
    let mut sections = Vec::new();
    let mut lines: Vec<Vec<Cell<'_>>> = vec![Vec::new()];
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        if !matches!(ch, '\t' | '\u{0B}' | '\n' | '\u{0C}') {
            continue;
        }
        let piece = &text[start..i];
        start = i + ch.len_utf8();
        if let Some(line) = lines.last_mut() {
            line.push(Cell {
                text: piece,
                width: display_width(piece),
            });
        }
        if matches!(ch, '\n' | '\u{0C}') {
            lines.push(Vec::new());
        }
        if ch == '\u{0C}' {
            sections.push(std::mem::replace(&mut lines, vec![Vec::new()]));
        }
    }
    let rest = &text[start..];
    if !rest.is_empty() {
        if let Some(line) = lines.last_mut() {
            line.push(Cell {
                text: rest,
                width: display_width(rest),
            });
        }
    }
    sections.push(lines);
    sections
}

/// Go's `Writer.format`, with an explicit stack instead of recursion so that a line with
/// very many tabs cannot overflow the call stack.
///
/// A frame formats `lines[line0..line1]` for column `widths.len()`: the lines without a
/// cell in that column are written with the widths known so far, and each block of
/// consecutive lines with a cell there gets its width pushed and becomes a frame for the
/// next column.
fn format(out: &mut String, config: &Config, lines: &[Vec<Cell<'_>>]) {
    struct Frame {
        /// The first line not written yet.
        line0: usize,
        /// The end of the frame's range.
        line1: usize,
        /// The next line to look at.
        this: usize,
    }
    // A line has a cell in a column when that cell is not its last one.
    let has_cell =
        |line: usize, column: usize| lines.get(line).is_some_and(|l| column + 1 < l.len());
    let mut widths: Vec<usize> = Vec::new();
    let mut stack = vec![Frame {
        line0: 0,
        line1: lines.len(),
        this: 0,
    }];
    while let Some(frame) = stack.last_mut() {
        let column = widths.len();
        while frame.this < frame.line1 && !has_cell(frame.this, column) {
            frame.this += 1;
        }
        if frame.this >= frame.line1 {
            // The rest of the range has no cell in this column: done with this frame.
            write_lines(out, config, &widths, lines, frame.line0, frame.line1);
            stack.pop();
            widths.pop();
            if let Some(parent) = stack.last_mut() {
                parent.line0 = parent.this;
            }
            continue;
        }
        // The lines before the block are done: they have no cell in this column.
        write_lines(out, config, &widths, lines, frame.line0, frame.this);
        let block_start = frame.this;
        frame.line0 = block_start;
        let mut width = config.min_width;
        while frame.this < frame.line1 && has_cell(frame.this, column) {
            if let Some(cell) = lines.get(frame.this).and_then(|line| line.get(column)) {
                width = width.max(cell.width + config.padding);
            }
            frame.this += 1;
        }
        let block_end = frame.this;
        widths.push(width);
        stack.push(Frame {
            line0: block_start,
            line1: block_end,
            this: block_start,
        });
    }
}

/// Go's `Writer.writeLines`: writes `lines[line0..line1]`, padding every cell that has a
/// column width; every line but the last of the section ends with a newline.
fn write_lines(
    out: &mut String,
    config: &Config,
    widths: &[usize],
    lines: &[Vec<Cell<'_>>],
    line0: usize,
    line1: usize,
) {
    for i in line0..line1 {
        let Some(line) = lines.get(i) else {
            break;
        };
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell.text);
            if let Some(&width) = widths.get(j) {
                for _ in 0..width.saturating_sub(cell.width) {
                    out.push(config.pad_char);
                }
            }
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}

/// The display width of a string: the sum of [`char_width`] over its characters.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// The display width of one character, after `go-runewidth` (non-East-Asian locale): 0 for
/// control characters, combining marks and zero-width characters, 2 for East-Asian wide and
/// fullwidth characters and emoji, 1 otherwise.
///
/// The tables are a compact approximation of Unicode's `EastAsianWidth.txt` and of
/// `go-runewidth`'s emoji handling: the CJK, Hangul, kana, fullwidth-form and emoji blocks are
/// taken whole.
pub fn char_width(c: char) -> usize {
    let r = u32::from(c);
    if r < 0x20 || (0x7F..=0x9F).contains(&r) || r == 0xAD {
        return 0;
    }
    if r < 0x300 {
        return 1;
    }
    if in_table(r, ZERO_WIDTH) {
        return 0;
    }
    if in_table(r, DOUBLE_WIDTH) {
        return 2;
    }
    1
}

/// Whether `r` lies in one of the sorted, disjoint inclusive ranges of `table`.
fn in_table(r: u32, table: &[(u32, u32)]) -> bool {
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < r {
                std::cmp::Ordering::Less
            } else if lo > r {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Combining marks and zero-width format characters (sorted, disjoint, inclusive).
const ZERO_WIDTH: &[(u32, u32)] = &[
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05BD),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0E31, 0x0E31),
    (0x0E34, 0x0E3A),
    (0x0E47, 0x0E4E),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x20D0, 0x20FF),
    (0xFE00, 0xFE0F),
    (0xFE20, 0xFE2F),
    (0xFEFF, 0xFEFF),
    (0xE0001, 0xE007F),
    (0xE0100, 0xE01EF),
];

/// East-Asian wide and fullwidth characters and wide emoji (sorted, disjoint, inclusive).
const DOUBLE_WIDTH: &[(u32, u32)] = &[
    (0x1100, 0x115F),
    (0x231A, 0x231B),
    (0x2329, 0x232A),
    (0x23E9, 0x23EC),
    (0x23F0, 0x23F0),
    (0x23F3, 0x23F3),
    (0x25FD, 0x25FE),
    (0x2614, 0x2615),
    (0x2648, 0x2653),
    (0x267F, 0x267F),
    (0x2693, 0x2693),
    (0x26A1, 0x26A1),
    (0x26AA, 0x26AB),
    (0x26BD, 0x26BE),
    (0x26C4, 0x26C5),
    (0x26CE, 0x26CE),
    (0x26D4, 0x26D4),
    (0x26EA, 0x26EA),
    (0x26F2, 0x26F3),
    (0x26F5, 0x26F5),
    (0x26FA, 0x26FA),
    (0x26FD, 0x26FD),
    (0x2705, 0x2705),
    (0x270A, 0x270B),
    (0x2728, 0x2728),
    (0x274C, 0x274C),
    (0x274E, 0x274E),
    (0x2753, 0x2755),
    (0x2757, 0x2757),
    (0x2795, 0x2797),
    (0x27B0, 0x27B0),
    (0x27BF, 0x27BF),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x2E80, 0x303E),
    (0x3041, 0x33FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE19),
    (0xFE30, 0xFE6F),
    (0xFF00, 0xFF60),
    (0xFFE0, 0xFFE6),
    (0x16FE0, 0x16FE4),
    (0x17000, 0x18CFF),
    (0x1B000, 0x1B2FF),
    (0x1F004, 0x1F004),
    (0x1F0CF, 0x1F0CF),
    (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A),
    (0x1F200, 0x1F202),
    (0x1F210, 0x1F23B),
    (0x1F240, 0x1F248),
    (0x1F250, 0x1F251),
    (0x1F260, 0x1F265),
    (0x1F300, 0x1F64F),
    (0x1F680, 0x1F6FF),
    (0x1F7E0, 0x1F7EB),
    (0x1F90C, 0x1F9FF),
    (0x1FA70, 0x1FAFF),
    (0x20000, 0x2FFFD),
    (0x30000, 0x3FFFD),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_disjoint() {
        for table in [ZERO_WIDTH, DOUBLE_WIDTH] {
            for pair in table.windows(2) {
                assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
            }
        }
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("日本"), 4);
        assert_eq!(display_width("ｗｅｂ"), 6);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(display_width("…"), 1);
        assert_eq!(display_width("🐳"), 2);
        assert_eq!(display_width(""), 0);
    }

    #[test]
    fn min_width_and_padding() {
        assert_eq!(render("a\tb\n"), "a         b\n");
        assert_eq!(render("abcdefgh\tb\n"), "abcdefgh   b\n");
        assert_eq!(
            render("ID\tNAME\nabcdefghijkl\tx\n"),
            "ID             NAME\nabcdefghijkl   x\n"
        );
    }

    #[test]
    fn empty_last_column_leaves_trailing_spaces() {
        assert_eq!(
            render("A\tB\tC\nx\ty\t\n"),
            "A         B         C\nx         y         \n"
        );
    }

    #[test]
    fn empty_cells_are_padded() {
        assert_eq!(render("\tb\nxx\tc\n"), "          b\nxx        c\n");
    }

    #[test]
    fn wide_runes_count_double() {
        assert_eq!(
            render("日本語日本\tx\nab\ty\n"),
            "日本語日本   x\nab           y\n"
        );
    }

    #[test]
    fn blocks_need_consecutive_lines() {
        // Go's own example: b and c are in distinct column blocks because the third line
        // has no cell in the second column; d and e are in no column at all.
        let text = "aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n";
        let config = Config {
            min_width: 0,
            padding: 1,
            pad_char: '.',
        };
        assert_eq!(
            render_with(text, config),
            "aaaa.bbb.d\naa...b...dd\na....\naa...cccc.eee\n"
        );
    }

    #[test]
    fn a_line_without_tabs_breaks_the_columns() {
        assert_eq!(
            render("a\tb\nheading\nlonger-cell-x\tc\n"),
            "a         b\nheading\nlonger-cell-x   c\n"
        );
    }

    #[test]
    fn form_feed_ends_all_columns() {
        assert_eq!(
            render("a\tb\n\x0clonger-cell-x\tc\n"),
            "a         b\n\nlonger-cell-x   c\n"
        );
        assert_eq!(
            render("longer-cell-x\tb\x0ca\tc"),
            "longer-cell-x   b\na         c"
        );
    }

    #[test]
    fn unterminated_last_line() {
        assert_eq!(render("a\tb"), "a         b");
        // A trailing tab without a newline leaves an empty pending cell, which Go drops.
        assert_eq!(render("a\t"), "a");
        assert_eq!(render(""), "");
        assert_eq!(render("\n\n"), "\n\n");
    }

    #[test]
    fn many_columns_do_not_overflow_the_stack() {
        let line = "x\t".repeat(200_000);
        let out = render(&format!("{line}\n{line}\n"));
        assert_eq!(out.len(), 2 * (200_000 * 10 + 1));
    }

    #[test]
    fn rows() {
        let rows = [vec!["ID", "NAME"], vec!["1", ""]];
        assert_eq!(render_rows(&rows), "ID        NAME\n1         \n");
    }
}
