//! The engine: lexer, parser and executor, ported from Go 1.24's `text/template`.

use std::fmt::{self, Write as _};
use std::rc::Rc;

use serde_json::{Map, Value};

use super::gotime::{base64_decode, base64_encode, go_duration, GoTime};
use super::{schema, TemplateError, Types};
use crate::tabwriter;

/// The header row's column titles, by field name.
type HeaderFn<'h> = &'h dyn Fn(&str) -> Option<String>;

/// A parsed template: the main one and the ones `{{define}}` and `{{block}}` add.
#[derive(Debug)]
pub(crate) struct Template {
    name: String,
    text: String,
    trees: Vec<(String, Vec<Node>)>,
}

impl Template {
    /// Parses `text` as the template `name` (docker's list and inspect commands use `""`,
    /// `docker version` uses `"version"`): Go's `template.New(name).Funcs(docker's).Parse(text)`.
    pub(crate) fn parse(name: &str, text: &str) -> Result<Template, TemplateError> {
        let trees = Parser::parse(name, text).map_err(|e| TemplateError(e, true))?;
        Ok(Template {
            name: name.to_string(),
            text: text.to_string(),
            trees,
        })
    }

    /// Executes the template on `data`. Like Go, it returns what was written before an error,
    /// which docker prints (`docker inspect`, `docker version`) before the error message.
    pub(crate) fn execute(
        &self,
        data: &Value,
        types: &Types<'_>,
    ) -> (String, Option<TemplateError>) {
        let env = Env::typed(*types);
        let root = env.wrap(data, String::new());
        self.run(env, root, None)
    }

    fn run<'a>(
        &self,
        env: Env<'_>,
        root: V<'a>,
        header: Option<HeaderFn<'_>>,
    ) -> (String, Option<TemplateError>) {
        let Some(tree) = self.tree(&self.name) else {
            let msg = format!(
                "template: {}: {} is an incomplete or empty template",
                self.name,
                go_quote(&self.name)
            );
            return (String::new(), Some(TemplateError(msg, false)));
        };
        let mut ex = Exec {
            tpl: self,
            env,
            name: &self.name,
            node: None,
            vars: vec![("$", root.clone())],
            depth: 0,
            header,
            out: String::new(),
            steps: 0,
        };
        let result = ex.walk_list(&root, tree);
        let err = match result {
            Ok(()) | Err(Flow::Break) | Err(Flow::Continue) => None,
            Err(Flow::Fail(msg)) => Some(TemplateError(msg, false)),
        };
        (ex.out, err)
    }

    fn tree(&self, name: &str) -> Option<&[Node]> {
        self.trees
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_slice())
    }
}

/// Renders `template` against `data`, as `docker inspect --format` and `docker version --format`
/// do: `json` alone prints the value as compact JSON; errors name the template `""` and the
/// data's type `type_name`. Output written before an execution error is dropped (use
/// [`Template::execute`] to keep it).
pub(crate) fn render(
    template: &str,
    data: &Value,
    type_name: &str,
) -> Result<String, TemplateError> {
    let types = Types {
        root: type_name,
        fields: &[],
    };
    if template == "json" {
        let env = Env::typed(types);
        let mut out = String::new();
        env.json(&mut out, &env.wrap(data, String::new()));
        return Ok(out);
    }
    let tpl = Template::parse("", template)?;
    match tpl.execute(data, &types) {
        (out, None) => Ok(out),
        (_, Some(e)) => Err(e),
    }
}

/// docker/cli's `TemplateInspector` (cli/command/inspect/inspector.go) over each of `data`,
/// whose Go type and whether the command has its raw JSON are `kinds[i]`: the template runs
/// on the typed value first (fields by their Go names, zero values for what the JSON omits);
/// if that fails and there is raw JSON, it runs again on the JSON decoded into `any` (maps,
/// `json.Number`s) with `missingkey=error`, an option that then stays on the template, so later
/// typed runs have it too. A failure prints nothing; its error is the last run's.
///
/// Errors are docker's whole message, `template parsing error: …` (a parse error fails the
/// whole call, flagged as one).
pub(crate) fn inspect(
    template: &str,
    data: &[Value],
    kinds: &[(&str, bool)],
) -> Result<Vec<(String, Option<TemplateError>)>, TemplateError> {
    let wrap = |e: TemplateError| TemplateError(format!("template parsing error: {}", e.0), e.1);
    let tpl = Template::parse("", template).map_err(wrap)?;
    let mut strict = false;
    let mut out = Vec::with_capacity(data.len());
    for (i, datum) in data.iter().enumerate() {
        let (root, has_raw) = kinds.get(i).copied().unwrap_or(("", true));
        let typed = Env {
            types: Types { root, fields: &[] },
            raw: false,
            strict,
        };
        let err = match tpl.run(typed, typed.wrap(datum, String::new()), None) {
            (text, None) => {
                out.push((text, None));
                continue;
            }
            (_, Some(e)) => e,
        };
        if !has_raw {
            out.push((String::new(), Some(wrap(err))));
            continue;
        }
        strict = true;
        let raw = Env {
            types: Types::default(),
            raw: true,
            strict,
        };
        out.push(match tpl.run(raw, raw.wrap(datum, String::new()), None) {
            (text, None) => (text, None),
            (_, Some(e)) => (String::new(), Some(wrap(e))),
        });
    }
    Ok(out)
}

/// docker's `--format` for list commands (cli/command/formatter `Context`): `json` prints each
/// row as JSON; otherwise the format is trimmed of spaces and its `\t` and `\n` escapes become
/// tabs and newlines, and each row renders to a line. `table …` also renders the rest once as
/// the header, against a map from field name to column title (`header("ID")` → `ID`; a field
/// the command has no title for prints `<no value>`, an error ends the header where it happened
/// as in docker), and aligns everything with docker's tab writer. (A bare `table` means the
/// command's default table; callers handle it before calling this.)
///
/// Errors are docker's whole message, `template parsing error: template: …`, for parse and
/// execution errors alike; docker prints nothing else and exits 1.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn render_table(
    format: &str,
    rows: &[Value],
    type_name: &str,
    header: &dyn Fn(&str) -> Option<String>,
) -> Result<String, TemplateError> {
    let is_table = format.starts_with("table");
    let text = if is_table {
        &format["table".len()..]
    } else if format == "json" {
        "{{json .}}"
    } else {
        format
    };
    let text = unescape_format(text.trim_matches(' '));
    let wrap = |e: TemplateError| TemplateError(format!("template parsing error: {}", e.0), e.1);
    let tpl = Template::parse("", &text).map_err(wrap)?;
    let types = Types {
        root: type_name,
        fields: &[],
    };
    let mut body = String::new();
    for row in rows {
        let (out, err) = tpl.execute(row, &types);
        if let Some(e) = err {
            return Err(wrap(e));
        }
        body.push_str(&out);
        body.push('\n');
        if body.len() > MAX_OUTPUT {
            return Err(wrap(TemplateError(
                format!("template: output exceeds the playground's limit of {MAX_OUTPUT} bytes"),
                false,
            )));
        }
    }
    if !is_table {
        return Ok(body);
    }
    let env = Env::typed(types);
    let (head, _) = tpl.run(env, V::Header, Some(header));
    Ok(tabwriter::render(&format!("{head}\n{body}")))
}

/// `strings.NewReplacer(`\t`, "\t", `\n`, "\n")`, as docker applies it to list formats.
fn unescape_format(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('t') {
            out.push('\t');
            rest = r;
        } else if let Some(r) = after.strip_prefix('n') {
            out.push('\n');
            rest = r;
        } else {
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

const MAX_OUTPUT: usize = 4 << 20;
const MAX_STEPS: usize = 2_000_000;
/// Go allows 10000 nested parentheses (1000 on wasm); our recursion is deeper per level.
const MAX_PARENS: usize = 100;
const MAX_NESTING: usize = 100;
/// Nesting of control structures and template calls during execution.
const MAX_EXEC_DEPTH: usize = 200;

// ---------------------------------------------------------------------------------------------
// Go's strconv and unicode helpers

/// `unicode.IsPrint`, approximately for non-ASCII (no general categories in std).
fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f
        | 0x202a..=0x202e | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb
        | 0xe000..=0xf8ff | 0xfffe | 0xffff | 0xf0000..)
}

/// `strconv.Quote`.
fn go_quote(s: &str) -> String {
    quote_with(s, '"', false)
}

fn quote_with(s: &str, quote: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        push_quoted_char(&mut out, c, quote, ascii_only);
    }
    out.push(quote);
    out
}

fn push_quoted_char(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    let printable = if ascii_only {
        c.is_ascii() && is_print(c)
    } else {
        is_print(c)
    };
    if printable {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Go's `%#U`: `U+0041 'A'`.
fn sharp_u(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

enum Unq {
    Byte(u8),
    Char(char),
}

/// `strconv.UnquoteChar`: one character or escape of a quoted literal.
fn unquote_char(s: &str, quote: char) -> Option<(Unq, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote && (quote == '\'' || quote == '"') {
        return None;
    }
    if c != '\\' {
        return Some((Unq::Char(c), chars.as_str()));
    }
    let c2 = chars.next()?;
    let rest = chars.as_str();
    let simple = |b: u8| Some((Unq::Byte(b), rest));
    match c2 {
        'a' => simple(7),
        'b' => simple(8),
        'f' => simple(12),
        'n' => simple(b'\n'),
        'r' => simple(b'\r'),
        't' => simple(b'\t'),
        'v' => simple(11),
        '\\' => simple(b'\\'),
        '\'' | '"' if c2 == quote => simple(c2 as u8),
        'x' | 'u' | 'U' => {
            let n = match c2 {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let digits = rest.get(..n)?;
            if !digits.chars().all(|d| d.is_ascii_hexdigit()) {
                return None;
            }
            let v = u32::from_str_radix(digits, 16).ok()?;
            let rest = &rest[n..];
            if c2 == 'x' {
                if quote == '\'' {
                    return Some((Unq::Char(char::from_u32(v)?), rest));
                }
                return Some((Unq::Byte(u8::try_from(v).ok()?), rest));
            }
            Some((Unq::Char(char::from_u32(v)?), rest))
        }
        '0'..='7' => {
            let digits = s.get(1..4)?;
            if !digits.chars().all(|d| ('0'..='7').contains(&d)) {
                return None;
            }
            let v = u32::from_str_radix(digits, 8).ok()?;
            let b = u8::try_from(v).ok()?;
            let rest = &s[4..];
            if quote == '\'' {
                return Some((Unq::Char(char::from(b)), rest));
            }
            Some((Unq::Byte(b), rest))
        }
        _ => None,
    }
}

/// `strconv.Unquote` of a string literal (`"…"` or `` `…` ``); invalid UTF-8 that `\x`
/// escapes may produce becomes U+FFFD.
fn unquote(s: &str) -> Option<String> {
    let quote = s.chars().next()?;
    if s.len() < 2 || !s.ends_with(quote) {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    match quote {
        '`' => {
            if inner.contains('`') {
                return None;
            }
            Some(inner.replace('\r', ""))
        }
        '"' => {
            if inner.contains('\n') {
                return None;
            }
            let mut bytes = Vec::with_capacity(inner.len());
            let mut rest = inner;
            while !rest.is_empty() {
                let (u, tail) = unquote_char(rest, '"')?;
                match u {
                    Unq::Byte(b) => bytes.push(b),
                    Unq::Char(c) => {
                        let mut buf = [0; 4];
                        bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                }
                rest = tail;
            }
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => None,
    }
}

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, 0, 64)`.
fn parse_uint0(s: &str) -> Option<u64> {
    let (radix, digits) = if let Some(d) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (2, d)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

/// `strconv.ParseInt(s, 0, 64)`.
fn parse_int0(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint0(rest)?;
    if neg {
        if u > 1 << 63 {
            return None;
        }
        Some((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).ok()
    }
}

/// `strconv.ParseFloat(s, 64)` for the literals the lexer accepts.
fn parse_float(s: &str) -> Option<f64> {
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let v = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        parse_hex_float(hex)?
    } else {
        if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    if !v.is_finite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

// ---------------------------------------------------------------------------------------------
// Lexer: text/template/parse/lex.go

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum T {
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    Keyword,
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

#[derive(Clone, Debug)]
struct Item {
    typ: T,
    pos: usize,
    val: String,
    line: usize,
}

impl Item {
    fn eof() -> Item {
        Item {
            typ: T::Eof,
            pos: 0,
            val: "EOF".into(),
            line: 1,
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.typ {
            T::Eof => f.write_str("EOF"),
            T::Error => f.write_str(&self.val),
            t if t > T::Keyword => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let head: String = self.val.chars().take(10).collect();
                write!(f, "{}...", go_quote(&head))
            }
            _ => f.write_str(&go_quote(&self.val)),
        }
    }
}

#[derive(Clone, Copy)]
enum St {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    Inside,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(char::from(b[1]))
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(char::from(b[0])) && b[1] == b'-'
}

fn count_nl(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

struct Lexer<'s> {
    input: &'s str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i64,
    line: usize,
    start_line: usize,
    item: Item,
    inside_action: bool,
}

impl<'s> Lexer<'s> {
    fn new(input: &'s str) -> Self {
        Lexer {
            input,
            pos: 0,
            start: 0,
            at_eof: false,
            paren_depth: 0,
            line: 1,
            start_line: 1,
            item: Item::eof(),
            inside_action: false,
        }
    }

    fn next(&mut self) -> Option<char> {
        let Some(c) = self.input.get(self.pos..).and_then(|s| s.chars().next()) else {
            self.at_eof = true;
            return None;
        };
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        let r = self.next();
        self.backup();
        r
    }

    fn backup(&mut self) {
        if !self.at_eof && self.pos > 0 {
            if let Some(c) = self
                .input
                .get(..self.pos)
                .and_then(|s| s.chars().next_back())
            {
                self.pos -= c.len_utf8();
                if c == '\n' {
                    self.line -= 1;
                }
            }
        }
    }

    fn this_item(&mut self, typ: T) -> Item {
        let item = Item {
            typ,
            pos: self.start,
            val: self
                .input
                .get(self.start..self.pos)
                .unwrap_or("")
                .to_string(),
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        item
    }

    fn emit(&mut self, typ: T) -> Option<St> {
        self.item = self.this_item(typ);
        None
    }

    fn ignore(&mut self) {
        self.line += count_nl(self.input.get(self.start..self.pos).unwrap_or(""));
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while matches!(self.next(), Some(c) if valid.contains(c)) {}
        self.backup();
    }

    fn errorf(&mut self, msg: String) -> Option<St> {
        self.item = Item {
            typ: T::Error,
            pos: self.start,
            val: msg,
            line: self.start_line,
        };
        self.start = 0;
        self.pos = 0;
        self.input = "";
        None
    }

    fn rest(&self) -> &'s str {
        self.input.get(self.pos..).unwrap_or("")
    }

    fn next_item(&mut self) -> Item {
        self.item = Item {
            typ: T::Eof,
            pos: self.pos,
            val: "EOF".into(),
            line: self.start_line,
        };
        let mut state = if self.inside_action {
            St::Inside
        } else {
            St::Text
        };
        while let Some(next) = self.step(state) {
            state = next;
        }
        std::mem::replace(&mut self.item, Item::eof())
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest[2..].starts_with("}}") {
            return (true, true);
        }
        (rest.starts_with("}}"), false)
    }

    fn at_terminator(&mut self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with("}}"),
        }
    }

    fn step(&mut self, state: St) -> Option<St> {
        match state {
            St::Text => self.lex_text(),
            St::LeftDelim => {
                self.pos += 2;
                let trim = has_left_trim_marker(self.rest());
                let after = if trim { 2 } else { 0 };
                if self.rest()[after..].starts_with("/*") {
                    self.pos += after;
                    self.ignore();
                    return Some(St::Comment);
                }
                let item = self.this_item(T::LeftDelim);
                self.inside_action = true;
                self.pos += after;
                self.ignore();
                self.paren_depth = 0;
                self.item = item;
                None
            }
            St::Comment => {
                self.pos += 2;
                let Some(x) = self.rest().find("*/") else {
                    return self.errorf("unclosed comment".into());
                };
                self.pos += x + 2;
                let (delim, trim) = self.at_right_delim();
                if !delim {
                    return self.errorf("comment ends before closing delimiter".into());
                }
                self.line += count_nl(&self.input[self.start..self.pos]);
                let _comment = self.this_item(T::Comment);
                if trim {
                    self.pos += 2;
                }
                self.pos += 2;
                if trim {
                    self.pos += left_trim_length(self.rest());
                }
                self.ignore();
                Some(St::Text)
            }
            St::RightDelim => {
                let (_, trim) = self.at_right_delim();
                if trim {
                    self.pos += 2;
                    self.ignore();
                }
                self.pos += 2;
                let item = self.this_item(T::RightDelim);
                if trim {
                    self.pos += left_trim_length(self.rest());
                    self.ignore();
                }
                self.inside_action = false;
                self.item = item;
                None
            }
            St::Inside => self.lex_inside(),
            St::Space => {
                let mut spaces = 0;
                while matches!(self.peek(), Some(c) if is_space(c)) {
                    self.next();
                    spaces += 1;
                }
                let from = &self.input[self.pos.saturating_sub(1)..];
                if has_right_trim_marker(from) && from[2..].starts_with("}}") {
                    self.backup();
                    if spaces == 1 {
                        return Some(St::RightDelim);
                    }
                }
                self.emit(T::Space)
            }
            St::Identifier => loop {
                let r = self.next();
                if matches!(r, Some(c) if is_alnum(c)) {
                    continue;
                }
                self.backup();
                if !self.at_terminator() {
                    return self.bad_character(r);
                }
                let word = &self.input[self.start..self.pos];
                let typ = match word {
                    "block" => T::Block,
                    "break" => T::Break,
                    "continue" => T::Continue,
                    "define" => T::Define,
                    "else" => T::Else,
                    "end" => T::End,
                    "if" => T::If,
                    "range" => T::Range,
                    "nil" => T::Nil,
                    "template" => T::Template,
                    "with" => T::With,
                    "true" | "false" => T::Bool,
                    _ => T::Identifier,
                };
                return self.emit(typ);
            },
            St::Field => self.lex_field_or_variable(T::Field),
            St::Variable => {
                if self.at_terminator() {
                    return self.emit(T::Variable);
                }
                self.lex_field_or_variable(T::Variable)
            }
            St::Char => loop {
                match self.next() {
                    Some('\\') => {
                        if matches!(self.next(), Some(c) if c != '\n') {
                            continue;
                        }
                        return self.errorf("unterminated character constant".into());
                    }
                    None | Some('\n') => {
                        return self.errorf("unterminated character constant".into());
                    }
                    Some('\'') => return self.emit(T::CharConstant),
                    Some(_) => {}
                }
            },
            St::Number => {
                if !self.scan_number() {
                    return self.bad_number();
                }
                if let Some('+' | '-') = self.peek() {
                    if !self.scan_number() || self.input.as_bytes()[self.pos - 1] != b'i' {
                        return self.bad_number();
                    }
                    return self.emit(T::Complex);
                }
                self.emit(T::Number)
            }
            St::Quote => loop {
                match self.next() {
                    Some('\\') => {
                        if matches!(self.next(), Some(c) if c != '\n') {
                            continue;
                        }
                        return self.errorf("unterminated quoted string".into());
                    }
                    None | Some('\n') => return self.errorf("unterminated quoted string".into()),
                    Some('"') => return self.emit(T::String),
                    Some(_) => {}
                }
            },
            St::RawQuote => loop {
                match self.next() {
                    None => return self.errorf("unterminated raw quoted string".into()),
                    Some('`') => return self.emit(T::RawString),
                    Some(_) => {}
                }
            },
        }
    }

    fn bad_character(&mut self, r: Option<char>) -> Option<St> {
        let shown = r.map(sharp_u).unwrap_or_default();
        self.errorf(format!("bad character {shown}"))
    }

    fn bad_number(&mut self) -> Option<St> {
        let text = go_quote(&self.input[self.start..self.pos]);
        self.errorf(format!("bad number syntax: {text}"))
    }

    fn lex_text(&mut self) -> Option<St> {
        if let Some(x) = self.rest().find("{{") {
            if x > 0 {
                self.pos += x;
                let mut trim = 0;
                if has_left_trim_marker(&self.input[self.pos + 2..]) {
                    trim = right_trim_length(&self.input[self.start..self.pos]);
                }
                self.pos -= trim;
                self.line += count_nl(&self.input[self.start..self.pos]);
                let item = self.this_item(T::Text);
                self.pos += trim;
                self.ignore();
                if !item.val.is_empty() {
                    self.item = item;
                    return None;
                }
            }
            return Some(St::LeftDelim);
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += count_nl(&self.input[self.start..self.pos]);
            return self.emit(T::Text);
        }
        self.emit(T::Eof)
    }

    fn lex_inside(&mut self) -> Option<St> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return Some(St::RightDelim);
            }
            return self.errorf("unclosed left paren".into());
        }
        match self.next() {
            None => self.errorf("unclosed action".into()),
            Some(c) if is_space(c) => {
                self.backup();
                Some(St::Space)
            }
            Some('=') => self.emit(T::Assign),
            Some(':') => {
                if self.next() != Some('=') {
                    return self.errorf("expected :=".into());
                }
                self.emit(T::Declare)
            }
            Some('|') => self.emit(T::Pipe),
            Some('"') => Some(St::Quote),
            Some('`') => Some(St::RawQuote),
            Some('$') => Some(St::Variable),
            Some('\'') => Some(St::Char),
            Some('.') => {
                if let Some(&b) = self.input.as_bytes().get(self.pos) {
                    if !b.is_ascii_digit() {
                        return Some(St::Field);
                    }
                }
                self.backup();
                Some(St::Number)
            }
            Some(c) if c == '+' || c == '-' || c.is_ascii_digit() => {
                self.backup();
                Some(St::Number)
            }
            Some(c) if is_alnum(c) => {
                self.backup();
                Some(St::Identifier)
            }
            Some('(') => {
                self.paren_depth += 1;
                self.emit(T::LeftParen)
            }
            Some(')') => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.errorf("unexpected right paren".into());
                }
                self.emit(T::RightParen)
            }
            Some(c) if c.is_ascii() && is_print(c) => self.emit(T::Char),
            Some(c) => self.errorf(format!("unrecognized character in action: {}", sharp_u(c))),
        }
    }

    fn lex_field_or_variable(&mut self, typ: T) -> Option<St> {
        if self.at_terminator() {
            return self.emit(if typ == T::Variable {
                T::Variable
            } else {
                T::Dot
            });
        }
        let mut r;
        loop {
            r = self.next();
            if !matches!(r, Some(c) if is_alnum(c)) {
                self.backup();
                break;
            }
        }
        if !self.at_terminator() {
            return self.bad_character(r);
        }
        self.emit(typ)
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if matches!(self.peek(), Some(c) if is_alnum(c)) {
            self.next();
            return false;
        }
        true
    }
}

fn right_trim_length(s: &str) -> usize {
    s.len() - s.trim_end_matches(is_space).len()
}

fn left_trim_length(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

// ---------------------------------------------------------------------------------------------
// Parse tree: text/template/parse/node.go

#[derive(Debug)]
enum Node {
    Text(String),
    Action {
        pos: usize,
        pipe: Pipe,
    },
    If(Branch),
    Range(Branch),
    With(Branch),
    Break,
    Continue,
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    /// `{{end}}` and `{{else}}` exist only while parsing.
    End,
    Else,
}

#[derive(Debug)]
struct Branch {
    pipe: Pipe,
    list: Vec<Node>,
    else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
struct Pipe {
    pos: usize,
    is_assign: bool,
    decl: Vec<VarNode>,
    cmds: Vec<Cmd>,
}

#[derive(Debug)]
struct VarNode {
    pos: usize,
    idents: Vec<String>,
}

#[derive(Debug)]
struct Cmd {
    pos: usize,
    args: Vec<Arg>,
}

#[derive(Debug)]
enum Arg {
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
    Ident {
        pos: usize,
        name: String,
    },
    Var(VarNode),
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Num),
    Str {
        pos: usize,
        quoted: String,
        text: String,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Ident { pos, .. }
            | Arg::Var(VarNode { pos, .. })
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number(pos, _)
            | Arg::Str { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }

    /// The node kinds that cannot start a later stage of a pipeline.
    fn is_constant(&self) -> bool {
        matches!(
            self,
            Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::Str { .. }
        )
    }
}

/// A number literal, held in every type that can represent it (Go's `NumberNode`).
#[derive(Debug, Default, Clone)]
struct Num {
    text: String,
    is_int: bool,
    is_uint: bool,
    is_float: bool,
    is_complex: bool,
    int: i64,
    uint: u64,
    float: f64,
    complex: (f64, f64),
}

impl Num {
    fn parse(text: &str, typ: T) -> Result<Num, String> {
        let mut n = Num {
            text: text.to_string(),
            ..Num::default()
        };
        match typ {
            T::CharConstant => {
                let inner = text.get(1..).unwrap_or("");
                let (u, tail) = unquote_char(inner, '\'').ok_or("invalid syntax")?;
                if tail != "'" {
                    return Err(format!("malformed character constant: {text}"));
                }
                let r = match u {
                    Unq::Byte(b) => u32::from(b),
                    Unq::Char(c) => c as u32,
                };
                n.int = i64::from(r);
                n.uint = u64::from(r);
                n.float = f64::from(r);
                n.is_int = true;
                n.is_uint = true;
                n.is_float = true;
                return Ok(n);
            }
            T::Complex => {
                let (re, im) = split_complex(text).ok_or("expected integer")?;
                n.is_complex = true;
                n.complex = (re, im);
                n.simplify_complex();
                return Ok(n);
            }
            _ => {}
        }
        if let Some(imag) = text.strip_suffix('i') {
            if let Some(f) = parse_float(imag) {
                n.is_complex = true;
                n.complex = (0.0, f);
                n.simplify_complex();
                return Ok(n);
            }
        }
        let u = parse_uint0(text);
        if let Some(u) = u {
            n.is_uint = true;
            n.uint = u;
        }
        if let Some(i) = parse_int0(text) {
            n.is_int = true;
            n.int = i;
            if i == 0 {
                n.is_uint = true;
                n.uint = u.unwrap_or(0);
            }
        }
        if n.is_int {
            n.is_float = true;
            n.float = n.int as f64;
        } else if n.is_uint {
            n.is_float = true;
            n.float = n.uint as f64;
        } else if let Some(f) = parse_float(text) {
            if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Err(format!("integer overflow: {}", go_quote(text)));
            }
            n.is_float = true;
            n.float = f;
            if let Some(i) = float_to_i64(f) {
                n.is_int = true;
                n.int = i;
            }
            if let Some(u) = float_to_u64(f) {
                n.is_uint = true;
                n.uint = u;
            }
        }
        if !n.is_int && !n.is_uint && !n.is_float {
            return Err(format!("illegal number syntax: {}", go_quote(text)));
        }
        Ok(n)
    }

    fn simplify_complex(&mut self) {
        let (re, im) = self.complex;
        self.is_float = im == 0.0;
        if self.is_float {
            self.float = re;
            if let Some(i) = float_to_i64(re) {
                self.is_int = true;
                self.int = i;
            }
            if let Some(u) = float_to_u64(re) {
                self.is_uint = true;
                self.uint = u;
            }
        }
    }
}

fn float_to_i64(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f))
        .then_some(f as i64)
}

fn float_to_u64(f: f64) -> Option<u64> {
    (f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f)).then_some(f as u64)
}

/// `1+2i` → (1, 2).
fn split_complex(text: &str) -> Option<(f64, f64)> {
    let b = text.as_bytes();
    let split = (1..b.len())
        .rev()
        .find(|&i| matches!(b[i], b'+' | b'-') && !matches!(b[i - 1], b'e' | b'E' | b'p' | b'P'))?;
    let re = parse_float(&text[..split])?;
    let im = parse_float(text[split..].strip_suffix('i')?)?;
    Some((re, im))
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for id in idents {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for id in fields {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Ident { name, .. } => f.write_str(name),
            Arg::Var(v) => write!(f, "{v}"),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::Str { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for VarNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.idents.join("."))
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            f.write_str(" := ")?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, list: &[Node]) -> fmt::Result {
    for n in list {
        write!(f, "{n}")?;
    }
    Ok(())
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (word, b) = match self {
            Node::Text(t) => return f.write_str(t),
            Node::Action { pipe, .. } => return write!(f, "{{{{{pipe}}}}}"),
            Node::Break => return f.write_str("{{break}}"),
            Node::Continue => return f.write_str("{{continue}}"),
            Node::End => return f.write_str("{{end}}"),
            Node::Else => return f.write_str("{{else}}"),
            Node::Template { name, pipe, .. } => {
                write!(f, "{{{{template {}", go_quote(name))?;
                if let Some(p) = pipe {
                    write!(f, " {p}")?;
                }
                return f.write_str("}}");
            }
            Node::If(b) => ("if", b),
            Node::Range(b) => ("range", b),
            Node::With(b) => ("with", b),
        };
        write!(f, "{{{{{word} {}}}}}", b.pipe)?;
        write_list(f, &b.list)?;
        if let Some(e) = &b.else_list {
            f.write_str("{{else}}")?;
            write_list(f, e)?;
        }
        f.write_str("{{end}}")
    }
}

fn is_empty_tree(list: &[Node]) -> bool {
    list.iter().all(|n| match n {
        Node::Text(t) => t.trim_matches(|c: char| c.is_whitespace()).is_empty(),
        _ => false,
    })
}

// ---------------------------------------------------------------------------------------------
// Parser: text/template/parse/parse.go

/// The per-tree parsing state (`{{define}}` and `{{block}}` parse a new tree from the same
/// lexer).
struct TreeState {
    name: String,
    token: [Item; 3],
    peek_count: usize,
    vars: Vec<String>,
    action_line: usize,
    range_depth: usize,
    stack_depth: usize,
    nesting: usize,
}

impl TreeState {
    fn new(name: &str) -> Self {
        TreeState {
            name: name.to_string(),
            token: [Item::eof(), Item::eof(), Item::eof()],
            peek_count: 0,
            vars: vec!["$".to_string()],
            action_line: 0,
            range_depth: 0,
            stack_depth: 0,
            nesting: 0,
        }
    }
}

type PResult<T> = Result<T, String>;

struct Parser<'s> {
    parse_name: String,
    lex: Lexer<'s>,
    st: TreeState,
    trees: Vec<(String, Vec<Node>)>,
}

fn has_function(name: &str) -> bool {
    signature(name, false).is_some()
}

impl<'s> Parser<'s> {
    fn parse(name: &str, text: &'s str) -> PResult<Vec<(String, Vec<Node>)>> {
        let mut p = Parser {
            parse_name: name.to_string(),
            lex: Lexer::new(text),
            st: TreeState::new(name),
            trees: Vec::new(),
        };
        let root = p.parse_top()?;
        p.add(root)?;
        Ok(p.trees)
    }

    fn errorf<X>(&self, msg: impl fmt::Display) -> PResult<X> {
        Err(format!(
            "template: {}:{}: {}",
            self.parse_name, self.st.token[0].line, msg
        ))
    }

    fn next(&mut self) -> Item {
        if self.st.peek_count > 0 {
            self.st.peek_count -= 1;
        } else {
            self.st.token[0] = self.lex.next_item();
        }
        self.st.token[self.st.peek_count].clone()
    }

    fn backup(&mut self) {
        self.st.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item) {
        self.st.token[1] = t1;
        self.st.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item, t1: Item) {
        self.st.token[1] = t1;
        self.st.token[2] = t2;
        self.st.peek_count = 3;
    }

    fn peek(&mut self) -> Item {
        if self.st.peek_count > 0 {
            return self.st.token[self.st.peek_count - 1].clone();
        }
        self.st.peek_count = 1;
        self.st.token[0] = self.lex.next_item();
        self.st.token[0].clone()
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let t = self.next();
            if t.typ != T::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn expect(&mut self, typ: T, context: &str) -> PResult<Item> {
        let t = self.next_non_space();
        if t.typ != typ {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn unexpected<X>(&self, token: &Item, context: &str) -> PResult<X> {
        if token.typ == T::Error {
            let mut extra = String::new();
            if self.st.action_line != 0 && self.st.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.st.action_line
                );
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format_args!("{token}{extra}"));
        }
        self.errorf(format_args!("unexpected {token} in {context}"))
    }

    fn add(&mut self, root: Vec<Node>) -> PResult<()> {
        let name = self.st.name.clone();
        match self.trees.iter_mut().find(|(n, _)| *n == name) {
            None => self.trees.push((name, root)),
            Some(existing) => {
                if is_empty_tree(&existing.1) {
                    existing.1 = root;
                } else if !is_empty_tree(&root) {
                    return self.errorf(format_args!(
                        "template: multiple definition of template {}",
                        go_quote(&name)
                    ));
                }
            }
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().typ != T::Eof {
            if self.peek().typ == T::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == T::Define {
                    let outer = std::mem::replace(&mut self.st, TreeState::new("definition"));
                    let result = self.parse_definition();
                    self.st = outer;
                    result?;
                    continue;
                }
                self.backup2(delim);
            }
            let n = self.text_or_action()?;
            if matches!(n, Node::End | Node::Else) {
                return self.errorf(format_args!("unexpected {n}"));
            }
            root.push(n);
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let name = self.next_non_space();
        if !matches!(name.typ, T::String | T::RawString) {
            return self.unexpected(&name, CONTEXT);
        }
        match unquote(&name.val) {
            Some(n) => self.st.name = n,
            None => return self.errorf("invalid syntax"),
        }
        self.expect(T::RightDelim, CONTEXT)?;
        let (root, end) = self.item_list()?;
        if !matches!(end, Node::End) {
            return self.errorf(format_args!("unexpected {end} in {CONTEXT}"));
        }
        self.add(root)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, Node)> {
        let mut list = Vec::new();
        while self.peek_non_space().typ != T::Eof {
            let n = self.text_or_action()?;
            if matches!(n, Node::End | Node::Else) {
                return Ok((list, n));
            }
            list.push(n);
        }
        self.errorf("unexpected EOF")
    }

    fn text_or_action(&mut self) -> PResult<Node> {
        let token = self.next_non_space();
        match token.typ {
            T::Text => Ok(Node::Text(token.val)),
            T::LeftDelim => {
                self.st.action_line = token.line;
                let n = self.action();
                self.st.action_line = 0;
                n
            }
            _ => self.unexpected(&token, "input"),
        }
    }

    fn action(&mut self) -> PResult<Node> {
        let token = self.next_non_space();
        match token.typ {
            T::Block => return self.block_control(),
            T::Break | T::Continue => {
                let word = if token.typ == T::Break {
                    "break"
                } else {
                    "continue"
                };
                let t = self.next_non_space();
                if t.typ != T::RightDelim {
                    return self.unexpected(&t, &format!("{{{{{word}}}}}"));
                }
                if self.st.range_depth == 0 {
                    return self.errorf(format_args!("{{{{{word}}}}} outside {{{{range}}}}"));
                }
                return Ok(if token.typ == T::Break {
                    Node::Break
                } else {
                    Node::Continue
                });
            }
            T::Else => return self.else_control(),
            T::End => {
                self.expect(T::RightDelim, "end")?;
                return Ok(Node::End);
            }
            T::If => return self.control("if"),
            T::Range => return self.control("range"),
            T::Template => return self.template_control(),
            T::With => return self.control("with"),
            _ => {}
        }
        self.backup();
        let token = self.peek();
        let pipe = self.pipeline("command", T::RightDelim)?;
        Ok(Node::Action {
            pos: token.pos,
            pipe,
        })
    }

    fn pipeline(&mut self, context: &str, end: T) -> PResult<Pipe> {
        let token = self.peek_non_space();
        let mut pipe = Pipe {
            pos: token.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space();
            if v.typ != T::Variable {
                break;
            }
            self.next();
            let after = self.peek();
            let next = self.peek_non_space();
            if matches!(next.typ, T::Assign | T::Declare) {
                pipe.is_assign = next.typ == T::Assign;
                self.next_non_space();
                self.st.vars.push(v.val.clone());
                pipe.decl.push(new_var(v.pos, &v.val));
            } else if next.typ == T::Char && next.val == "," {
                self.next_non_space();
                self.st.vars.push(v.val.clone());
                pipe.decl.push(new_var(v.pos, &v.val));
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().typ {
                        T::Variable | T::RightDelim | T::RightParen => continue 'decls,
                        _ => return self.errorf("range can only initialize variables"),
                    }
                }
                return self.errorf(format_args!("too many declarations in {context}"));
            } else if after.typ == T::Space {
                self.backup3(v, after);
            } else {
                self.backup2(v);
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            if token.typ == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match token.typ {
                T::Bool
                | T::CharConstant
                | T::Complex
                | T::Dot
                | T::Field
                | T::Identifier
                | T::Number
                | T::Nil
                | T::RawString
                | T::String
                | T::Variable
                | T::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(&token, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.errorf(format_args!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if c.args.first().is_some_and(Arg::is_constant) {
                return self.errorf(format_args!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    /// `if`, `range` and `with` (Go's parseControl).
    fn control(&mut self, context: &str) -> PResult<Node> {
        if self.st.nesting >= MAX_NESTING {
            return self.errorf("max expression depth exceeded");
        }
        self.st.nesting += 1;
        let vars = self.st.vars.len();
        let result = self.control_body(context);
        self.st.vars.truncate(vars);
        self.st.nesting -= 1;
        let branch = result?;
        Ok(match context {
            "if" => Node::If(branch),
            "range" => Node::Range(branch),
            _ => Node::With(branch),
        })
    }

    fn control_body(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, T::RightDelim)?;
        if context == "range" {
            self.st.range_depth += 1;
        }
        let listed = self.item_list();
        if context == "range" {
            self.st.range_depth -= 1;
        }
        let (list, next) = listed?;
        let mut else_list = None;
        if matches!(next, Node::Else) {
            if context == "if" && self.peek().typ == T::If {
                self.next();
                else_list = Some(vec![self.control("if")?]);
            } else if context == "with" && self.peek().typ == T::With {
                self.next();
                else_list = Some(vec![self.control("with")?]);
            } else {
                let (l, next) = self.item_list()?;
                if !matches!(next, Node::End) {
                    return self.errorf(format_args!("expected end; found {next}"));
                }
                else_list = Some(l);
            }
        }
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn else_control(&mut self) -> PResult<Node> {
        let peek = self.peek_non_space();
        if matches!(peek.typ, T::If | T::With) {
            return Ok(Node::Else);
        }
        self.expect(T::RightDelim, "else")?;
        Ok(Node::Else)
    }

    fn template_name(&self, token: &Item, context: &str) -> PResult<String> {
        match token.typ {
            T::String | T::RawString => match unquote(&token.val) {
                Some(s) => Ok(s),
                None => self.errorf("invalid syntax"),
            },
            _ => self.unexpected(token, context),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != T::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, T::RightDelim)?);
        }
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, T::RightDelim)?;
        if self.st.nesting >= MAX_NESTING {
            return self.errorf("max expression depth exceeded");
        }
        let mut inner = TreeState::new(&name);
        inner.nesting = self.st.nesting + 1;
        let outer = std::mem::replace(&mut self.st, inner);
        let result = self.item_list().and_then(|(root, end)| {
            if !matches!(end, Node::End) {
                return self.errorf(format_args!("unexpected {end} in {CONTEXT}"));
            }
            self.add(root)
        });
        self.st = outer;
        result?;
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn command(&mut self) -> PResult<Cmd> {
        let pos = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                args.push(op);
            }
            let token = self.next();
            match token.typ {
                T::Space => continue,
                T::RightDelim | T::RightParen => self.backup(),
                T::Pipe => {}
                _ => return self.unexpected(&token, "operand"),
            }
            break;
        }
        if args.is_empty() {
            return self.errorf("empty command");
        }
        Ok(Cmd { pos, args })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != T::Field {
            return Ok(Some(node));
        }
        let pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().typ == T::Field {
            let f = self.next().val;
            fields.push(f.get(1..).unwrap_or("").to_string());
        }
        Ok(Some(match node {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field { pos, idents }
            }
            Arg::Var(VarNode { mut idents, .. }) => {
                idents.extend(fields);
                Arg::Var(VarNode { pos, idents })
            }
            Arg::Bool(..) | Arg::Str { .. } | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                return self.errorf(format_args!(
                    "unexpected . after term {}",
                    go_quote(&node.to_string())
                ));
            }
            node => Arg::Chain {
                pos,
                node: Box::new(node),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let pos = token.pos;
        Ok(Some(match token.typ {
            T::Identifier => {
                if !has_function(&token.val) {
                    return self.errorf(format_args!(
                        "function {} not defined",
                        go_quote(&token.val)
                    ));
                }
                Arg::Ident {
                    pos,
                    name: token.val,
                }
            }
            T::Dot => Arg::Dot(pos),
            T::Nil => Arg::Nil(pos),
            T::Variable => {
                let v = new_var(pos, &token.val);
                let name = v.idents.first().map(String::as_str).unwrap_or("");
                if !self.st.vars.iter().any(|x| x == name) {
                    return self.errorf(format_args!("undefined variable {}", go_quote(name)));
                }
                Arg::Var(v)
            }
            T::Field => Arg::Field {
                pos,
                idents: token
                    .val
                    .get(1..)
                    .unwrap_or("")
                    .split('.')
                    .map(str::to_string)
                    .collect(),
            },
            T::Bool => Arg::Bool(pos, token.val == "true"),
            T::CharConstant | T::Complex | T::Number => match Num::parse(&token.val, token.typ) {
                Ok(n) => Arg::Number(pos, n),
                Err(e) => return self.errorf(e),
            },
            T::LeftParen => {
                if self.st.stack_depth >= MAX_PARENS {
                    return self.errorf("max expression depth exceeded");
                }
                self.st.stack_depth += 1;
                let p = self.pipeline("parenthesized pipeline", T::RightParen);
                self.st.stack_depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            T::String | T::RawString => match unquote(&token.val) {
                Some(text) => Arg::Str {
                    pos,
                    quoted: token.val,
                    text,
                },
                None => return self.errorf("invalid syntax"),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

fn new_var(pos: usize, name: &str) -> VarNode {
    VarNode {
        pos,
        idents: name.split('.').map(str::to_string).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// A value during execution: Go's `reflect.Value` over JSON data.
#[derive(Clone, Debug)]
enum V<'a> {
    /// No value from an earlier pipeline stage (Go's `missingVal`).
    Missing,
    /// The invalid `reflect.Value`: a missing map key, a nil interface. Prints `<no value>`.
    Invalid,
    /// A nil (pointer, interface, slice or map) or zero struct of the named Go type.
    Nil(Rc<str>),
    /// JSON `null` that [`Types`] says nothing about: a nil pointer of a guessed type, except
    /// that `range` and `len` take it for an empty slice.
    Null(Rc<str>),
    /// Non-null JSON from the data, with its path (for [`Types`]).
    Json(&'a Value, Rc<str>),
    Bool(bool),
    Int(i64),
    Uint(u64, Rc<str>),
    Float(f64),
    Complex(f64, f64),
    Str(Rc<str>),
    /// A number of raw JSON (Go's `json.Number`, a string type): its text as Go's JSON encoder
    /// writes it.
    Number(Rc<str>),
    Strs(Rc<[String]>),
    /// Part of a JSON array (`slice`), with the array's path.
    Slice(&'a [Value], Rc<str>),
    /// The header row's map from field name to column title (see [`render_table`]).
    Header,
    /// A `time.Duration` (or a non-nil `*time.Duration`, named by `.1`) in nanoseconds: an
    /// integer that prints as Go's `Duration.String()` (`1m0s`).
    Dur(i64, Rc<str>),
    /// A `time.Time` (or non-nil `*time.Time`): its RFC 3339 text as the JSON has it, which
    /// `json` writes back, and the parsed time, which prints as Go's `Time.String()`.
    Time(Rc<str>, GoTime, Rc<str>),
    /// A `[]byte` (`[]uint8`), which the JSON carries as base64: prints `[104 105]`, `%s` the
    /// text, `json` base64 again.
    Bytes(Rc<[u8]>),
}

impl V<'_> {
    fn is_missing(&self) -> bool {
        matches!(self, V::Missing)
    }
}

fn str_v<'a>(s: impl Into<Rc<str>>) -> V<'a> {
    V::Str(s.into())
}

/// What a value is, for the operations: Go's `reflect.Kind` plus the contents.
enum K<'v, 'a> {
    Invalid,
    Nil(&'v str),
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Complex(f64, f64),
    Str(&'v str),
    Arr(&'a [Value], &'v str),
    Strs(&'v [String]),
    Struct(&'a Map<String, Value>, &'v str),
    Map(&'a Map<String, Value>, &'v str),
    Header,
    Bytes(&'v [u8]),
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum NilKind {
    Ptr,
    Slice,
    Map,
    Struct,
}

fn nil_kind(ty: &str) -> NilKind {
    if ty.starts_with("[]") {
        NilKind::Slice
    } else if ty.starts_with("map[") {
        NilKind::Map
    } else if ty.starts_with('*')
        || ty.starts_with("interface")
        || matches!(ty, "any" | "error" | "<nil>")
    {
        NilKind::Ptr
    } else {
        NilKind::Struct
    }
}

/// Whether an action prints a nil as `<no value>`: Go's `printableValue` gives that for a nil
/// interface (JSON `null` the [`Types`] say nothing about, as in a map); a typed nil pointer
/// prints `<nil>`.
fn no_value(v: &V<'_>) -> bool {
    match v {
        V::Null(_) => true,
        V::Nil(t) => nil_kind(t) == NilKind::Ptr && !t.starts_with('*'),
        _ => false,
    }
}

fn field_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

fn elem_path(parent: &str) -> String {
    format!("{parent}[]")
}

/// The Go type names the data has, and everything that depends on them.
#[derive(Clone, Copy)]
struct Env<'h> {
    types: Types<'h>,
    /// The data is JSON decoded into `any` (docker's raw inspect fallback): every object is a
    /// `map[string]interface {}`, every array a `[]interface {}`, every number a `json.Number`;
    /// [`Types`] are not used.
    raw: bool,
    /// Go's `missingkey=error`: a missing map key is an error, not `<no value>`.
    strict: bool,
}

impl<'h> Env<'h> {
    /// Typed data, Go's default options.
    fn typed(types: Types<'h>) -> Env<'h> {
        Env {
            types,
            raw: false,
            strict: false,
        }
    }
}

impl Env<'_> {
    fn hint(&self, path: &str) -> Option<&str> {
        if self.raw {
            return None;
        }
        if path.is_empty() && !self.types.root.is_empty() {
            return Some(self.types.root);
        }
        self.types
            .fields
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, t)| *t)
            .or_else(|| schema::at(self.types.root, path))
    }

    /// A value of the data at `path`.
    fn wrap<'a>(&self, v: &'a Value, path: String) -> V<'a> {
        match v {
            Value::Number(n) if self.raw => {
                let mut text = String::new();
                match n.as_f64() {
                    Some(f) if !n.is_i64() && !n.is_u64() => json_float(&mut text, f),
                    _ => text = n.to_string(),
                }
                V::Number(text.into())
            }
            Value::Null => match self.hint(&path) {
                Some(h) => V::Nil(h.into()),
                None => V::Null(self.null_type(&path).into()),
            },
            _ if self.raw => V::Json(v, path.into()),
            _ => match (self.hint(&path), v) {
                (Some(h), Value::Number(n)) if h.trim_start_matches('*') == "time.Duration" => {
                    match n.as_i64() {
                        Some(ns) => V::Dur(ns, h.into()),
                        None => V::Json(v, path.into()),
                    }
                }
                (Some(h), Value::String(s)) if h.trim_start_matches('*') == "time.Time" => {
                    match GoTime::parse_rfc3339(s) {
                        Some(t) => V::Time(s.as_str().into(), t, h.into()),
                        None => V::Json(v, path.into()),
                    }
                }
                (Some("[]uint8"), Value::String(s)) => match base64_decode(s) {
                    Some(b) => V::Bytes(b.into()),
                    None => V::Json(v, path.into()),
                },
                _ => V::Json(v, path.into()),
            },
        }
    }

    fn null_type(&self, path: &str) -> String {
        if let Some(h) = self.hint(path) {
            return h.to_string();
        }
        if self.raw || path.ends_with("[]") {
            return "interface {}".into();
        }
        format!("*{}", self.guess_struct(path))
    }

    /// A struct type's name from the field that holds it: `swarm.ManagerStatus` for the
    /// `ManagerStatus` field of a `swarm.Node`.
    fn guess_struct(&self, path: &str) -> String {
        let root = self.types.root.trim_start_matches('*');
        if path.is_empty() {
            return root.to_string();
        }
        let field = path.trim_end_matches("[]");
        let field = field.rsplit('.').next().unwrap_or(field);
        match root.split_once('.') {
            Some((pkg, _)) => format!("{pkg}.{field}"),
            None => field.to_string(),
        }
    }

    fn is_map(&self, o: &Map<String, Value>, path: &str) -> bool {
        if self.raw {
            return true;
        }
        match self.hint(path) {
            Some(h) => h.trim_start_matches('*').starts_with("map["),
            None => {
                o.is_empty()
                    || !o
                        .keys()
                        .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
            }
        }
    }

    fn view<'v, 'a: 'v>(&self, v: &'v V<'a>) -> K<'v, 'a> {
        match v {
            V::Missing | V::Invalid => K::Invalid,
            V::Nil(t) | V::Null(t) => K::Nil(t),
            V::Bool(b) => K::Bool(*b),
            V::Int(i) => K::Int(*i),
            V::Uint(u, _) => K::Uint(*u),
            V::Float(f) => K::Float(*f),
            V::Complex(r, i) => K::Complex(*r, *i),
            V::Str(s) | V::Number(s) => K::Str(s),
            V::Strs(s) => K::Strs(s),
            V::Slice(a, p) => K::Arr(a, p),
            V::Header => K::Header,
            V::Dur(n, _) => K::Int(*n),
            V::Time(s, ..) => K::Str(s),
            V::Bytes(b) => K::Bytes(b),
            V::Json(j, path) => match j {
                Value::Null => K::Nil("interface {}"),
                Value::Bool(b) => K::Bool(*b),
                Value::Number(n) => {
                    let hint = self.hint(path).unwrap_or("");
                    if hint.starts_with("float") {
                        return K::Float(n.as_f64().unwrap_or(0.0));
                    }
                    if hint.starts_with("uint") {
                        if let Some(u) = n.as_u64() {
                            return K::Uint(u);
                        }
                    }
                    if let Some(i) = n.as_i64() {
                        K::Int(i)
                    } else if let Some(u) = n.as_u64() {
                        K::Uint(u)
                    } else {
                        K::Float(n.as_f64().unwrap_or(0.0))
                    }
                }
                Value::String(s) => K::Str(s),
                Value::Array(a) => K::Arr(a, path),
                Value::Object(o) => {
                    if self.is_map(o, path) {
                        K::Map(o, path)
                    } else {
                        K::Struct(o, path)
                    }
                }
            },
        }
    }

    /// Go's `reflect.Type.String()` of a value.
    fn type_of(&self, v: &V<'_>) -> String {
        match v {
            V::Missing | V::Invalid => "<nil>".into(),
            V::Nil(t) | V::Null(t) => t.to_string(),
            V::Bool(_) => "bool".into(),
            V::Int(_) => "int".into(),
            V::Uint(_, t) => t.to_string(),
            V::Float(_) => "float64".into(),
            V::Complex(..) => "complex128".into(),
            V::Str(_) => "string".into(),
            V::Number(_) => "json.Number".into(),
            V::Strs(_) => "[]string".into(),
            V::Header => "map[string]string".into(),
            V::Dur(_, t) | V::Time(_, _, t) => t.to_string(),
            V::Bytes(_) => "[]uint8".into(),
            V::Slice(a, path) => match self.hint(path) {
                Some(h) => h.to_string(),
                None => format!("[]{}", self.elem_type(a, path)),
            },
            V::Json(j, path) => {
                if let Some(h) = self.hint(path) {
                    return h.to_string();
                }
                self.json_type(j, path)
            }
        }
    }

    fn json_type(&self, j: &Value, path: &str) -> String {
        match j {
            Value::Null => self.null_type(path),
            Value::Bool(_) => "bool".into(),
            Value::Number(n) => {
                if n.is_i64() {
                    "int".into()
                } else if n.is_u64() {
                    "uint64".into()
                } else {
                    "float64".into()
                }
            }
            Value::String(_) => "string".into(),
            Value::Array(a) => format!("[]{}", self.elem_type(a, path)),
            Value::Object(o) => {
                if !self.is_map(o, path) {
                    return self.guess_struct(path);
                }
                let elem = elem_path(path);
                match self.hint(&elem) {
                    _ if self.raw => "map[string]interface {}".into(),
                    Some(h) => format!("map[string]{h}"),
                    None if o.values().all(Value::is_string) => "map[string]string".into(),
                    None => "map[string]interface {}".into(),
                }
            }
        }
    }

    fn elem_type(&self, a: &[Value], path: &str) -> String {
        if self.raw {
            return "interface {}".into();
        }
        let elem = elem_path(path);
        if let Some(h) = self.hint(&elem) {
            return h.to_string();
        }
        let mut types = a.iter().map(|v| self.json_type(v, &elem));
        let Some(first) = types.next() else {
            return "string".into();
        };
        if types.all(|t| t == first) {
            first
        } else {
            "interface {}".into()
        }
    }

    /// The zero value of a Go type, for a struct field the JSON leaves out.
    fn zero<'a>(&self, ty: &str) -> V<'a> {
        match ty {
            "string" => str_v(""),
            "bool" => V::Bool(false),
            "int" | "int8" | "int16" | "int32" | "int64" => V::Int(0),
            "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr" => V::Uint(0, ty.into()),
            "float32" | "float64" => V::Float(0.0),
            "time.Duration" => V::Dur(0, ty.into()),
            "time.Time" => V::Time("0001-01-01T00:00:00Z".into(), GoTime::ZERO, ty.into()),
            _ => V::Nil(ty.into()),
        }
    }

    /// The value type of a map type (`map[string]int` → `int`).
    fn map_elem_type(&self, map_type: &str) -> String {
        let t = map_type.trim_start_matches('*');
        match t.starts_with("map[").then(|| schema::elem(t)).flatten() {
            Some(e) => e.to_string(),
            None => "interface {}".into(),
        }
    }

    /// A struct's fields, in order.
    fn fields<'a>(&self, o: &'a Map<String, Value>, path: &str) -> Vec<(&'a str, V<'a>)> {
        o.iter()
            .map(|(k, v)| (k.as_str(), self.wrap(v, field_path(path, k))))
            .collect()
    }

    /// A struct's fields as `fmt` prints them: in the order of the Go struct when [`schema`]
    /// knows it, with the zero value of each field the JSON leaves out (`whole` is the struct's
    /// JSON, which an embedded struct shares); otherwise as the JSON has them.
    fn print_fields<'a>(&self, whole: Option<&'a Value>, path: &str) -> Vec<(&'a str, V<'a>)> {
        let o = whole.and_then(Value::as_object);
        let ty = self.hint(path).unwrap_or("");
        let Some(fields) = schema::fields(ty) else {
            return o.map(|o| self.fields(o, path)).unwrap_or_default();
        };
        fields
            .map(|f| {
                let child = field_path(path, f.json);
                let v = match (whole, o.and_then(|o| o.get(f.json))) {
                    (Some(w), _) if f.embedded => V::Json(w, child.into()),
                    (_, Some(v)) => self.wrap(v, child),
                    _ => self.zero(f.ty),
                };
                // `%+v` names the Go field.
                (f.go, v)
            })
            .collect()
    }

    /// Field `name` (its JSON name) of a struct whose JSON does not have it: an embedded struct
    /// (the same JSON, `whole`), the zero value of a field the Go struct has, or `None`.
    fn absent_field<'a>(&self, whole: Option<&'a Value>, path: &str, name: &str) -> Option<V<'a>> {
        let child = field_path(path, name);
        let f = schema::field(self.hint(path)?, name)?;
        let (t, embedded) = (f.ty, f.embedded);
        Some(match whole {
            Some(w) if embedded => V::Json(w, child.into()),
            _ if embedded && !t.starts_with('*') => V::Nil(t.into()),
            _ => self.zero(self.hint(&child).unwrap_or(t)),
        })
    }

    /// A map's entries, sorted by key as Go's fmt and range sort them.
    fn entries<'a>(&self, o: &'a Map<String, Value>, path: &str) -> Vec<(&'a str, V<'a>)> {
        let elem = elem_path(path);
        let mut e: Vec<_> = o
            .iter()
            .map(|(k, v)| (k.as_str(), self.wrap(v, elem.clone())))
            .collect();
        e.sort_by(|a, b| a.0.cmp(b.0));
        e
    }

    fn elems<'a>(&self, a: &'a [Value], path: &str) -> Vec<V<'a>> {
        let elem = elem_path(path);
        a.iter().map(|v| self.wrap(v, elem.clone())).collect()
    }

    /// Go's truth (`if`, `and`, `or`, `not`).
    fn truth(&self, v: &V<'_>) -> bool {
        match self.view(v) {
            K::Invalid => false,
            K::Nil(t) => nil_kind(t) == NilKind::Struct,
            K::Bool(b) => b,
            K::Int(i) => i != 0,
            K::Uint(u) => u != 0,
            K::Float(f) => f != 0.0,
            K::Complex(r, i) => r != 0.0 || i != 0.0,
            K::Str(s) => !s.is_empty(),
            K::Arr(a, _) => !a.is_empty(),
            K::Strs(s) => !s.is_empty(),
            K::Bytes(b) => !b.is_empty(),
            K::Struct(..) | K::Header => true,
            K::Map(m, _) => !m.is_empty(),
        }
    }

    // --- fmt ---------------------------------------------------------------------------------

    /// `fmt.Sprint` of one value (`%v`).
    fn sprint(&self, v: &V<'_>) -> String {
        let mut p = Printer::new(self);
        p.print_arg(v, 'v');
        p.buf
    }

    // --- encoding/json -----------------------------------------------------------------------

    /// docker's `json` function: `json.Encoder` with HTML escaping off, no trailing newline.
    fn json(&self, out: &mut String, v: &V<'_>) {
        match v {
            V::Number(text) => return out.push_str(text),
            // `time.Time.MarshalJSON`: RFC 3339 with the nanoseconds' trailing zeros trimmed.
            V::Time(_, t, _) => {
                return json_string(out, &t.format("2006-01-02T15:04:05.999999999Z07:00"))
            }
            _ => {}
        }
        match self.view(v) {
            K::Invalid => out.push_str("null"),
            K::Nil(t) => out.push_str(if nil_kind(t) == NilKind::Struct {
                "{}"
            } else {
                "null"
            }),
            K::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            K::Int(i) => {
                let _ = write!(out, "{i}");
            }
            K::Uint(u) => {
                let _ = write!(out, "{u}");
            }
            K::Float(f) => json_float(out, f),
            K::Complex(..) => {}
            K::Str(s) => json_string(out, s),
            K::Strs(s) => {
                out.push('[');
                for (i, x) in s.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_string(out, x);
                }
                out.push(']');
            }
            K::Arr(a, path) => {
                out.push('[');
                for (i, x) in self.elems(a, path).iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.json(out, x);
                }
                out.push(']');
            }
            K::Struct(o, path) => self.json_object(out, self.fields(o, path)),
            K::Map(o, path) => self.json_object(out, self.entries(o, path)),
            K::Header => out.push_str("{}"),
            K::Bytes(b) => json_string(out, &base64_encode(b)),
        }
    }

    fn json_object(&self, out: &mut String, fields: Vec<(&str, V<'_>)>) {
        out.push('{');
        for (i, (k, v)) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(out, k);
            out.push(':');
            self.json(out, v);
        }
        out.push('}');
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// encoding/json's float format: `%f` style, exponent form below 1e-6 and from 1e21.
fn json_float(out: &mut String, f: f64) {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = format_float(f, 'e', -1);
        // Go cleans e-09 to e-9.
        let n = s.len();
        if n >= 4 && &s[n - 4..n - 2] == "e-" && &s[n - 2..n - 1] == "0" {
            s.remove(n - 2);
        }
        out.push_str(&s);
    } else {
        out.push_str(&format_float(f, 'f', -1));
    }
}

// ---------------------------------------------------------------------------------------------
// strconv.FormatFloat

/// The decimal digits of |f| (no leading or trailing zeros) and the decimal point position:
/// `123.45` is ("12345", 3). `None` precision means the shortest that round-trips.
fn float_digits(f: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    let a = f.abs();
    if a == 0.0 {
        return (Vec::new(), 0);
    }
    let s = match sig {
        None => format!("{a:e}"),
        Some(n) => format!("{:.*e}", n.saturating_sub(1), a),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return (Vec::new(), 0);
    }
    (digits, exp + 1)
}

/// `strconv.FormatFloat(f, fmt, prec, 64)` for fmt `e E f g G`; prec -1 is the shortest.
fn format_float(f: f64, fmt: char, prec: i64) -> String {
    let neg = f.is_sign_negative();
    let mut out = String::new();
    if fmt == 'f' && prec >= 0 {
        let s = format!("{:.*}", prec.unsigned_abs() as usize, f.abs());
        if neg {
            out.push('-');
        }
        out.push_str(&s);
        return out;
    }
    let shortest = prec < 0;
    let sig = match fmt {
        _ if shortest => None,
        'e' | 'E' => Some(prec.unsigned_abs() as usize + 1),
        _ => Some(prec.max(1).unsigned_abs() as usize),
    };
    let (d, dp) = float_digits(f, sig);
    let nd = d.len() as i64;
    match fmt {
        'e' | 'E' => {
            let p = if shortest { (nd - 1).max(0) } else { prec };
            fmt_e(&mut out, neg, &d, dp, p, fmt);
        }
        'f' => {
            let p = (nd - i64::from(dp)).max(0);
            fmt_f(&mut out, neg, &d, dp, p);
        }
        _ => {
            let mut p = if shortest { nd } else { prec.max(1) };
            let mut eprec = p;
            if eprec > nd && nd >= i64::from(dp) {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = i64::from(dp) - 1;
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                let e = if fmt == 'G' { 'E' } else { 'e' };
                fmt_e(&mut out, neg, &d, dp, (p - 1).max(0), e);
            } else {
                if p > i64::from(dp) {
                    p = nd;
                }
                fmt_f(&mut out, neg, &d, dp, (p - i64::from(dp)).max(0));
            }
        }
    }
    out
}

fn fmt_e(out: &mut String, neg: bool, d: &[u8], dp: i32, prec: i64, e: char) {
    if neg {
        out.push('-');
    }
    out.push(char::from(d.first().copied().unwrap_or(b'0')));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec.unsigned_abs() as usize {
            out.push(char::from(d.get(i).copied().unwrap_or(b'0')));
        }
    }
    out.push(e);
    let exp = if d.is_empty() { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exp.unsigned_abs());
}

fn fmt_f(out: &mut String, neg: bool, d: &[u8], dp: i32, prec: i64) {
    if neg {
        out.push('-');
    }
    if dp > 0 {
        let m = (dp as usize).min(d.len());
        out.extend(d[..m].iter().map(|&b| char::from(b)));
        for _ in m..dp as usize {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = i64::from(dp) + i - 1;
            let ch = usize::try_from(j)
                .ok()
                .and_then(|j| d.get(j).copied())
                .unwrap_or(b'0');
            out.push(char::from(ch));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// fmt: Go's Sprint/Sprintf over values

#[derive(Clone, Copy, Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

struct Printer<'e, 'h> {
    env: &'e Env<'h>,
    buf: String,
    f: Flags,
}

const LDIGITS: &[u8] = b"0123456789abcdefx";
const UDIGITS: &[u8] = b"0123456789ABCDEFX";

impl<'e, 'h> Printer<'e, 'h> {
    fn new(env: &'e Env<'h>) -> Self {
        Printer {
            env,
            buf: String::new(),
            f: Flags::default(),
        }
    }

    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero { '0' } else { ' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    fn pad(&mut self, s: &str) {
        let Some(w) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let n = w.saturating_sub(s.chars().count());
        if self.f.minus {
            self.buf.push_str(s);
            self.buf.extend(std::iter::repeat_n(' ', n));
        } else {
            self.write_padding(n);
            self.buf.push_str(s);
        }
    }

    fn bad_verb(&mut self, v: &V<'_>, verb: char) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        match self.env.view(v) {
            K::Invalid => self.buf.push_str("<nil>"),
            K::Nil(t) if nil_kind(t) == NilKind::Ptr => self.buf.push_str("<nil>"),
            _ => {
                self.buf.push_str(&self.env.type_of(v));
                self.buf.push('=');
                self.print_arg(v, 'v');
            }
        }
        self.buf.push(')');
    }

    /// `printArg`: one operand of Sprint/Sprintf.
    fn print_arg(&mut self, v: &V<'_>, verb: char) {
        if verb == 'T' {
            let t = match self.env.view(v) {
                K::Invalid => "<nil>".to_string(),
                _ => self.env.type_of(v),
            };
            self.pad(&t);
            return;
        }
        match self.env.view(v) {
            K::Invalid => {
                if verb == 'v' {
                    self.pad("<nil>");
                } else {
                    self.bad_verb(v, verb);
                }
            }
            _ => self.print_value(v, verb, 0),
        }
    }

    fn print_value(&mut self, v: &V<'_>, verb: char, depth: usize) {
        let env = self.env;
        // Go's `handleMethods`: a `Stringer` (`time.Duration`, `time.Time`, and pointers to
        // them) prints its `String()` for the string verbs; `time.Time` is a `GoStringer` too.
        let stringer = matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') && !self.f.sharp_v;
        match v {
            V::Dur(n, _) if stringer => {
                let text = go_duration(*n);
                return self.fmt_string(v, &text, verb);
            }
            V::Time(_, t, _) if self.f.sharp_v => {
                let text = t.go_string();
                return self.pad(&text);
            }
            V::Time(_, t, _) if stringer => {
                let text = t.string();
                return self.fmt_string(v, &text, verb);
            }
            V::Time(..) => return self.bad_verb(&str_v(""), verb),
            V::Bytes(b) => return self.fmt_bytes(b, verb, depth),
            _ => {}
        }
        match env.view(v) {
            K::Invalid => {
                if self.f.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else {
                    self.pad("<nil>");
                }
            }
            K::Nil(t) => match nil_kind(t) {
                NilKind::Ptr => {
                    if self.f.sharp_v {
                        let _ = write!(self.buf, "({t})(nil)");
                    } else if verb == 'v' || depth > 0 {
                        self.pad("<nil>");
                    } else {
                        self.bad_verb(v, verb);
                    }
                }
                NilKind::Slice if self.f.sharp_v => {
                    let _ = write!(self.buf, "{t}(nil)");
                }
                NilKind::Slice => self.buf.push_str("[]"),
                NilKind::Map if self.f.sharp_v => {
                    let _ = write!(self.buf, "{t}(nil)");
                }
                NilKind::Map => self.buf.push_str("map[]"),
                NilKind::Struct if self.f.sharp_v => {
                    let _ = write!(self.buf, "{t}{{}}");
                }
                NilKind::Struct => {
                    // A zero struct: each field's zero value.
                    self.buf.push('{');
                    let zeros: Vec<(&str, V<'_>)> = schema::fields(t)
                        .into_iter()
                        .flatten()
                        .map(|f| {
                            let zero = match f.embedded && !f.ty.starts_with('*') {
                                true => V::Nil(f.ty.into()),
                                false => env.zero(f.ty),
                            };
                            (f.go, zero)
                        })
                        .collect();
                    for (i, (name, x)) in zeros.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        if self.f.plus_v {
                            self.buf.push_str(name);
                            self.buf.push(':');
                        }
                        if depth < 100 {
                            self.print_value(x, verb, depth + 1);
                        }
                    }
                    self.buf.push('}');
                }
            },
            K::Bool(b) => match verb {
                't' | 'v' => self.pad(if b { "true" } else { "false" }),
                _ => self.bad_verb(v, verb),
            },
            K::Int(i) => self.fmt_integer(v, i as u64, true, verb),
            K::Uint(u) => self.fmt_integer(v, u, false, verb),
            K::Float(x) => self.fmt_float(v, x, verb),
            K::Complex(r, i) => match verb {
                'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E' => {
                    let old = self.f;
                    self.f.wid = None;
                    self.buf.push('(');
                    self.fmt_float(v, r, verb);
                    self.f.plus = true;
                    self.fmt_float(v, i, verb);
                    self.buf.push_str("i)");
                    self.f = old;
                }
                _ => self.bad_verb(v, verb),
            },
            K::Str(s) => self.fmt_string(v, s, verb),
            K::Bytes(b) => self.fmt_bytes(b, verb, depth),
            K::Strs(s) => {
                let items: Vec<V<'_>> = s.iter().map(|x| str_v(x.as_str())).collect();
                self.print_list(v, &items, verb, depth);
            }
            K::Arr(a, path) => {
                let items = env.elems(a, path);
                self.print_list(v, &items, verb, depth);
            }
            K::Struct(o, path) => {
                if self.f.sharp_v {
                    self.buf.push_str(&env.type_of(v));
                }
                self.buf.push('{');
                let whole = match v {
                    V::Json(j, _) => Some(*j),
                    _ => None,
                };
                let fields = match whole {
                    Some(_) => env.print_fields(whole, path),
                    None => env.fields(o, path),
                };
                for (i, (k, x)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    if self.f.plus_v || self.f.sharp_v {
                        self.buf.push_str(k);
                        self.buf.push(':');
                    }
                    self.print_value(x, verb, depth + 1);
                }
                self.buf.push('}');
            }
            K::Map(o, path) => {
                let entries = env.entries(o, path);
                if self.f.sharp_v {
                    self.buf.push_str(&env.type_of(v));
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                for (i, (k, x)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.print_value(&str_v(*k), verb, depth + 1);
                    self.buf.push(':');
                    self.print_value(x, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            K::Header => self.buf.push_str("map[]"),
        }
    }

    /// Go's `fmtBytes`: a `[]byte` is text for `%s %q %x %X`, else a list of numbers.
    fn fmt_bytes(&mut self, b: &[u8], verb: char, depth: usize) {
        match verb {
            's' | 'q' | 'x' | 'X' => {
                let text = String::from_utf8_lossy(b).into_owned();
                self.fmt_string(&str_v(text.as_str()), &text, verb);
            }
            'v' | 'd' if self.f.sharp_v => {
                self.buf.push_str("[]byte{");
                for (i, c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(", ");
                    }
                    let _ = write!(self.buf, "0x{c:x}");
                }
                self.buf.push('}');
            }
            _ => {
                let items: Vec<V<'_>> = b
                    .iter()
                    .map(|c| V::Uint(u64::from(*c), "uint8".into()))
                    .collect();
                self.print_list(&V::Bytes(b.into()), &items, verb, depth);
            }
        }
    }

    fn print_list(&mut self, v: &V<'_>, items: &[V<'_>], verb: char, depth: usize) {
        if self.f.sharp_v {
            self.buf.push_str(&self.env.type_of(v));
            self.buf.push('{');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    self.buf.push_str(", ");
                }
                self.print_value(x, verb, depth + 1);
            }
            self.buf.push('}');
            return;
        }
        self.buf.push('[');
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.buf.push(' ');
            }
            self.print_value(x, verb, depth + 1);
        }
        self.buf.push(']');
    }

    fn fmt_integer(&mut self, v: &V<'_>, u: u64, signed: bool, verb: char) {
        match verb {
            'v' if self.f.sharp_v && !signed => {
                let s = format!("0x{u:x}");
                self.pad(&s);
            }
            'v' | 'd' => self.fmt_int(u, 10, signed, verb, LDIGITS),
            'b' => self.fmt_int(u, 2, signed, verb, LDIGITS),
            'o' | 'O' => self.fmt_int(u, 8, signed, verb, LDIGITS),
            'x' => self.fmt_int(u, 16, signed, verb, LDIGITS),
            'X' => self.fmt_int(u, 16, signed, verb, UDIGITS),
            'c' => {
                let c = rune_of(u, signed);
                self.pad(c.encode_utf8(&mut [0; 4]));
            }
            'q' => {
                let c = rune_of(u, signed);
                let mut s = String::from('\'');
                push_quoted_char(&mut s, c, '\'', self.f.plus);
                s.push('\'');
                self.pad(&s);
            }
            'U' => {
                let c = rune_of(u, signed);
                let mut s = format!("U+{:04X}", u);
                if let Some(p) = self.f.prec {
                    s = format!("U+{:0p$X}", u, p = p.max(4));
                }
                if self.f.sharp && is_print(c) {
                    let _ = write!(s, " '{c}'");
                }
                self.pad(&s);
            }
            _ => self.bad_verb(v, verb),
        }
    }

    /// Go's `fmtInteger`.
    fn fmt_int(&mut self, u: u64, base: u64, signed: bool, verb: char, digits: &[u8]) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let mut prec = 0;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let old = self.f.zero;
                self.f.zero = false;
                let w = self.f.wid.unwrap_or(0);
                self.write_padding(w);
                self.f.zero = old;
                return;
            }
        } else if self.f.zero && !self.f.minus {
            if let Some(w) = self.f.wid {
                prec = w;
                if negative || self.f.plus || self.f.space {
                    prec = prec.saturating_sub(1);
                }
            }
        }
        let mut buf: Vec<u8> = Vec::new();
        loop {
            buf.push(digits[(u % base) as usize]);
            u /= base;
            if u == 0 {
                break;
            }
        }
        while buf.len() < prec.min(1_000_000) {
            buf.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => buf.extend_from_slice(b"b0"),
                8 if buf.last() != Some(&b'0') => buf.push(b'0'),
                16 => {
                    buf.push(digits[16]);
                    buf.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            buf.extend_from_slice(b"o0");
        }
        if negative {
            buf.push(b'-');
        } else if self.f.plus {
            buf.push(b'+');
        } else if self.f.space {
            buf.push(b' ');
        }
        buf.reverse();
        let s = String::from_utf8_lossy(&buf).into_owned();
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    fn fmt_float(&mut self, v: &V<'_>, x: f64, verb: char) {
        let (fmt, default_prec) = match verb {
            'v' => ('g', -1),
            'g' | 'G' => (verb, -1),
            'f' | 'F' => ('f', 6),
            'e' | 'E' => (verb, 6),
            _ => return self.bad_verb(v, verb),
        };
        let prec = self.f.prec.map_or(default_prec, |p| p as i64);
        let mut num = format_float(x, fmt, prec);
        if !num.starts_with('-') {
            num.insert(0, '+');
        }
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(..1, " ");
        }
        if self.f.plus || !num.starts_with('+') {
            if let Some(w) = self.f.wid {
                if self.f.zero && !self.f.minus && w > num.len() {
                    self.buf.push_str(&num[..1]);
                    let n = w - num.len();
                    self.buf.extend(std::iter::repeat_n('0', n));
                    self.buf.push_str(&num[1..]);
                    return;
                }
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }

    fn fmt_string(&mut self, v: &V<'_>, s: &str, verb: char) {
        let truncated: String;
        let s = match self.f.prec {
            Some(p) if verb != 'v' || !self.f.sharp_v => {
                truncated = s.chars().take(p).collect();
                truncated.as_str()
            }
            _ => s,
        };
        match verb {
            'v' if self.f.sharp_v => {
                let q = go_quote(s);
                self.pad(&q);
            }
            'v' | 's' => self.pad(s),
            'q' => {
                let q = if self.f.sharp && !s.contains(['`', '\r']) && s.chars().all(is_print) {
                    format!("`{s}`")
                } else {
                    quote_with(s, '"', self.f.plus)
                };
                self.pad(&q);
            }
            'x' | 'X' => {
                let digits = if verb == 'x' { LDIGITS } else { UDIGITS };
                let mut out = String::new();
                for (i, b) in s.bytes().enumerate() {
                    if self.f.space && i > 0 {
                        out.push(' ');
                    }
                    if self.f.sharp && (self.f.space || i == 0) {
                        out.push('0');
                        out.push(char::from(digits[16]));
                    }
                    out.push(char::from(digits[usize::from(b >> 4)]));
                    out.push(char::from(digits[usize::from(b & 0xf)]));
                }
                self.pad(&out);
            }
            _ => self.bad_verb(v, verb),
        }
    }

    /// `fmt.Sprintf`.
    fn sprintf(&mut self, format: &str, args: &[V<'_>]) {
        let b = format.as_bytes();
        let end = b.len();
        let mut i = 0;
        let mut arg_num = 0;
        while i < end {
            let last = i;
            while i < end && b[i] != b'%' {
                i += 1;
            }
            self.buf.push_str(&format[last..i]);
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                match b[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            // Width.
            if i < end && b[i] == b'*' {
                i += 1;
                match args.get(arg_num).and_then(|a| self.int_arg(a)) {
                    Some(w) => {
                        if w < 0 {
                            self.f.minus = true;
                            self.f.zero = false;
                        }
                        self.f.wid = Some(w.unsigned_abs() as usize);
                    }
                    None => self.buf.push_str("%!(BADWIDTH)"),
                }
                arg_num += 1;
            } else {
                let (n, ok, ni) = parse_num(b, i);
                if ok {
                    self.f.wid = Some(n);
                }
                i = ni;
            }
            // Precision.
            if i < end && b[i] == b'.' {
                i += 1;
                if i < end && b[i] == b'*' {
                    i += 1;
                    match args.get(arg_num).and_then(|a| self.int_arg(a)) {
                        Some(p) if p >= 0 => self.f.prec = Some(p.unsigned_abs() as usize),
                        Some(_) => self.f.prec = None,
                        None => self.buf.push_str("%!(BADPREC)"),
                    }
                    arg_num += 1;
                } else {
                    let (n, ok, ni) = parse_num(b, i);
                    self.f.prec = Some(if ok { n } else { 0 });
                    i = ni;
                }
            }
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let Some(verb) = format[i..].chars().next() else {
                break;
            };
            i += verb.len_utf8();
            match verb {
                '%' => self.buf.push('%'),
                _ if arg_num >= args.len() => {
                    self.buf.push_str("%!");
                    self.buf.push(verb);
                    self.buf.push_str("(MISSING)");
                }
                _ => {
                    let verb = if verb == 'v' {
                        self.f.sharp_v = self.f.sharp;
                        self.f.sharp = false;
                        self.f.plus_v = self.f.plus;
                        self.f.plus = false;
                        'v'
                    } else {
                        verb
                    };
                    self.print_arg(&args[arg_num], verb);
                    arg_num += 1;
                }
            }
        }
        if arg_num < args.len() {
            self.f = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (k, a) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.buf.push_str(", ");
                }
                match self.env.view(a) {
                    K::Invalid => self.buf.push_str("<nil>"),
                    K::Nil("<nil>") => self.buf.push_str("<nil>"),
                    _ => {
                        self.buf.push_str(&self.env.type_of(a));
                        self.buf.push('=');
                        self.print_arg(a, 'v');
                    }
                }
            }
            self.buf.push(')');
        }
    }

    fn int_arg(&self, v: &V<'_>) -> Option<i64> {
        let n = match self.env.view(v) {
            K::Int(i) => i,
            K::Uint(u) => i64::try_from(u).ok()?,
            _ => return None,
        };
        (-1_000_000..=1_000_000).contains(&n).then_some(n)
    }
}

/// Go's `parsenum`: digits at `i`; numbers over 1e6 are rejected like Go's `tooLarge`.
fn parse_num(b: &[u8], start: usize) -> (usize, bool, usize) {
    let mut i = start;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n * 10 + usize::from(b[i] - b'0');
        if n > 1_000_000 {
            return (0, false, b.len());
        }
        i += 1;
    }
    (n, i > start, i)
}

fn rune_of(u: u64, signed: bool) -> char {
    if signed && (u as i64) < 0 {
        return '\u{FFFD}';
    }
    u32::try_from(u)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

// ---------------------------------------------------------------------------------------------
// Functions: Go's builtins (text/template/funcs.go) and docker's (cli/templates/templates.go)

/// A parameter type, as far as argument checking goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum P {
    /// `interface{}`: anything; nil is a nil interface.
    Any,
    /// `reflect.Value`: anything; nil is the invalid value.
    Rv,
    Str,
    Int,
    Strs,
}

impl P {
    fn name(self) -> &'static str {
        match self {
            P::Any => "interface {}",
            P::Rv => "reflect.Value",
            P::Str => "string",
            P::Int => "int",
            P::Strs => "[]string",
        }
    }
}

type Sig = (&'static [P], Option<P>);

/// The function's parameters (fixed ones, then the variadic one). In the header row docker
/// swaps in functions that return their string argument unchanged.
fn signature(name: &str, header: bool) -> Option<Sig> {
    Some(match name {
        "and" | "or" | "index" | "slice" | "call" | "eq" => (&[P::Rv], Some(P::Rv)),
        "not" | "len" => (&[P::Rv], None),
        "ne" | "lt" | "le" | "gt" | "ge" => (&[P::Rv, P::Rv], None),
        "print" | "println" | "html" | "js" | "urlquery" => (&[], Some(P::Any)),
        "printf" => (&[P::Str], Some(P::Any)),
        "json" if header => (&[P::Str], None),
        "json" => (&[P::Any], None),
        "join" if header => (&[P::Str, P::Str], None),
        "join" => (&[P::Strs, P::Str], None),
        "split" => (&[P::Str, P::Str], None),
        "title" | "lower" | "upper" => (&[P::Str], None),
        "pad" => (&[P::Str, P::Int, P::Int], None),
        "truncate" => (&[P::Str, P::Int], None),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Executor: text/template/exec.go

enum Flow {
    Break,
    Continue,
    Fail(String),
}

type R<X> = Result<X, Flow>;

/// The node execution is at, for error messages (Go's `state.node`).
#[derive(Clone, Copy)]
enum At<'t> {
    Node(&'t Node),
    Pipe(&'t Pipe),
    Cmd(&'t Cmd),
    Arg(&'t Arg),
    Var(&'t VarNode),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::Node(Node::Action { pos, .. } | Node::Template { pos, .. }) => *pos,
            At::Node(Node::If(b) | Node::Range(b) | Node::With(b)) => b.pipe.pos,
            At::Node(_) => 0,
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => a.pos(),
            At::Var(v) => v.pos,
        }
    }

    fn context(&self) -> String {
        match self {
            At::Node(n) => n.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Arg(a) => a.to_string(),
            At::Var(v) => v.to_string(),
        }
    }
}

struct Exec<'t, 'a, 'h> {
    tpl: &'t Template,
    env: Env<'h>,
    /// The template being executed (a `{{define}}`d one inside `{{template}}`).
    name: &'t str,
    node: Option<At<'t>>,
    vars: Vec<(&'t str, V<'a>)>,
    depth: usize,
    header: Option<HeaderFn<'h>>,
    out: String,
    steps: usize,
}

impl<'t, 'a, 'h> Exec<'t, 'a, 'h> {
    fn at(&mut self, at: At<'t>) {
        self.node = Some(at);
    }

    fn fail(&self, msg: impl fmt::Display) -> Flow {
        let Some(at) = self.node else {
            return Flow::Fail(format!("template: {}: {msg}", self.name));
        };
        let text = &self.tpl.text;
        let pos = at.pos().min(text.len());
        let before = text.get(..pos).unwrap_or("");
        let col = match before.rfind('\n') {
            Some(nl) => pos - (nl + 1),
            None => pos,
        };
        let line = 1 + count_nl(before);
        Flow::Fail(format!(
            "template: {}:{line}:{col}: executing {} at <{}>: {msg}",
            self.tpl.name,
            go_quote(self.name),
            at.context()
        ))
    }

    fn errorf<X>(&self, msg: impl fmt::Display) -> R<X> {
        Err(self.fail(msg))
    }

    fn step(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return self.errorf(format_args!(
                "execution exceeds the playground's limit of {MAX_STEPS} steps"
            ));
        }
        Ok(())
    }

    fn write(&mut self, s: &str) -> R<()> {
        if self.out.len() + s.len() > MAX_OUTPUT {
            return self.errorf(format_args!(
                "output exceeds the playground's limit of {MAX_OUTPUT} bytes"
            ));
        }
        self.out.push_str(s);
        Ok(())
    }

    fn walk_list(&mut self, dot: &V<'a>, list: &'t [Node]) -> R<()> {
        for n in list {
            self.walk(dot, n)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &V<'a>, node: &'t Node) -> R<()> {
        self.step()?;
        match node {
            Node::Text(t) => self.write(t),
            Node::Action { pipe, .. } => {
                self.at(At::Node(node));
                let val = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at(At::Node(node));
                    let s = self.printable(&val);
                    self.write(&s)?;
                }
                Ok(())
            }
            Node::If(b) => self.walk_if_or_with(dot, b, false),
            Node::With(b) => self.walk_if_or_with(dot, b, true),
            Node::Range(b) => self.walk_range(dot, node, b),
            Node::Break => Err(Flow::Break),
            Node::Continue => Err(Flow::Continue),
            Node::Template { name, pipe, .. } => self.walk_template(dot, node, name, pipe.as_ref()),
            Node::End | Node::Else => Ok(()),
        }
    }

    /// How an action prints its value (Go's `printValue`: nil pointers and missing values
    /// print `<no value>`).
    fn printable(&self, v: &V<'a>) -> String {
        match self.env.view(v) {
            K::Invalid => "<no value>".into(),
            K::Nil(_) if no_value(v) => "<no value>".into(),
            _ => self.env.sprint(v),
        }
    }

    fn walk_if_or_with(&mut self, dot: &V<'a>, b: &'t Branch, with: bool) -> R<()> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        self.enter()?;
        let result = if self.env.truth(&val) {
            if with {
                self.walk_list(&val, &b.list)
            } else {
                self.walk_list(dot, &b.list)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e)
        } else {
            Ok(())
        };
        self.depth -= 1;
        self.vars.truncate(mark);
        result
    }

    fn walk_range(&mut self, dot: &V<'a>, node: &'t Node, b: &'t Branch) -> R<()> {
        self.at(At::Node(node));
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let env = self.env;
        let (src, count) = match env.view(&val) {
            K::Arr(a, path) => (Src::Arr(a, elem_path(path)), a.len()),
            K::Strs(s) => (Src::Strs(s.to_vec()), s.len()),
            K::Bytes(b) => (Src::Bytes(b.to_vec()), b.len()),
            K::Map(o, path) => {
                let entries = env.entries(o, path);
                let n = entries.len();
                (Src::Map(entries), n)
            }
            K::Int(_) | K::Uint(_) if b.pipe.decl.len() > 1 => {
                let shown = env.sprint(&val);
                return self.errorf(format_args!(
                    "can't use {shown} to iterate over more than one variable"
                ));
            }
            K::Int(n) => (Src::Int, usize::try_from(n).unwrap_or(0)),
            K::Uint(n) => (Src::Uint, usize::try_from(n).unwrap_or(usize::MAX)),
            _ if matches!(val, V::Null(_)) => (Src::Int, 0),
            K::Invalid | K::Header => (Src::Int, 0),
            K::Nil(t) if matches!(nil_kind(t), NilKind::Slice | NilKind::Map) => (Src::Int, 0),
            _ => {
                let shown = env.sprint(&val);
                return self.errorf(format_args!("range can't iterate over {shown}"));
            }
        };
        self.enter()?;
        let result = self.range_loop(dot, b, &src, count);
        self.depth -= 1;
        result?;
        self.vars.truncate(mark);
        Ok(())
    }

    fn range_loop(&mut self, dot: &V<'a>, b: &'t Branch, src: &Src<'a>, count: usize) -> R<()> {
        let inner = self.vars.len();
        let decl = &b.pipe.decl;
        for i in 0..count {
            self.step()?;
            let (index, elem) = match src {
                Src::Arr(a, path) => (
                    V::Int(i as i64),
                    a.get(i)
                        .map_or(V::Invalid, |v| self.env.wrap(v, path.clone())),
                ),
                Src::Strs(s) => (V::Int(i as i64), str_v(s.get(i).map_or("", String::as_str))),
                Src::Bytes(b) => (
                    V::Int(i as i64),
                    V::Uint(u64::from(b.get(i).copied().unwrap_or(0)), "uint8".into()),
                ),
                Src::Map(e) => e
                    .get(i)
                    .map_or((V::Invalid, V::Invalid), |(k, v)| (str_v(*k), v.clone())),
                Src::Int => (V::Invalid, V::Int(i as i64)),
                Src::Uint => (V::Invalid, V::Uint(i as u64, "uint64".into())),
            };
            if let Some(first) = decl.first() {
                if b.pipe.is_assign {
                    let v = if decl.len() > 1 {
                        index.clone()
                    } else {
                        elem.clone()
                    };
                    self.set_var(&first.idents[0], v)?;
                } else {
                    self.set_top_var(1, elem.clone());
                }
            }
            if let Some(second) = decl.get(1) {
                if b.pipe.is_assign {
                    self.set_var(&second.idents[0], elem.clone())?;
                } else {
                    self.set_top_var(2, index);
                }
            }
            let r = self.walk_list(&elem, &b.list);
            self.vars.truncate(inner);
            match r {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => return Err(e),
            }
        }
        if count == 0 {
            if let Some(e) = &b.else_list {
                self.walk_list(dot, e)?;
            }
        }
        Ok(())
    }

    /// Counts a level of nesting (control structures and `{{template}}` calls), which keeps
    /// recursion off the end of the stack.
    fn enter(&mut self) -> R<()> {
        if self.depth >= MAX_EXEC_DEPTH {
            return self.errorf("exceeded maximum template depth (100000)");
        }
        self.depth += 1;
        Ok(())
    }

    fn walk_template(
        &mut self,
        dot: &V<'a>,
        node: &'t Node,
        name: &'t str,
        pipe: Option<&'t Pipe>,
    ) -> R<()> {
        self.at(At::Node(node));
        let Some(tree) = self.tpl.tree(name) else {
            return self.errorf(format_args!("template {} not defined", go_quote(name)));
        };
        self.enter()?;
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p),
            None => Ok(V::Invalid),
        };
        let new_dot = match new_dot {
            Ok(v) => v,
            Err(e) => {
                self.depth -= 1;
                return Err(e);
            }
        };
        let vars = std::mem::replace(&mut self.vars, vec![("$", new_dot.clone())]);
        let outer = std::mem::replace(&mut self.name, name);
        let r = self.walk_list(&new_dot, tree);
        self.depth -= 1;
        self.name = outer;
        self.vars = vars;
        r
    }

    fn set_var(&mut self, name: &str, v: V<'a>) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => self.errorf(format_args!("undefined variable: {name}")),
        }
    }

    fn set_top_var(&mut self, n: usize, v: V<'a>) {
        let len = self.vars.len();
        if let Some(slot) = len.checked_sub(n).and_then(|i| self.vars.get_mut(i)) {
            slot.1 = v;
        }
    }

    fn var_value(&self, name: &str) -> R<V<'a>> {
        match self.vars.iter().rev().find(|(n, _)| *n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => self.errorf(format_args!("undefined variable: {name}")),
        }
    }

    fn eval_pipeline(&mut self, dot: &V<'a>, pipe: &'t Pipe) -> R<V<'a>> {
        self.at(At::Pipe(pipe));
        let mut value = V::Missing;
        for cmd in &pipe.cmds {
            value = self.eval_command(dot, cmd, value)?;
        }
        for var in &pipe.decl {
            let name = var.idents[0].as_str();
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name, value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &'t [Arg], fin: &V<'a>) -> R<()> {
        if args.len() > 1 || !fin.is_missing() {
            let first = args.first().map(ToString::to_string).unwrap_or_default();
            return self.errorf(format_args!("can't give argument to non-function {first}"));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &V<'a>, cmd: &'t Cmd, fin: V<'a>) -> R<V<'a>> {
        self.step()?;
        let Some(first) = cmd.args.first() else {
            return Ok(V::Invalid);
        };
        match first {
            Arg::Field { idents, .. } => {
                self.at(At::Arg(first));
                return self.eval_field_chain(dot, dot.clone(), idents, &cmd.args, fin);
            }
            Arg::Chain { node, fields, .. } => {
                return self.eval_chain(dot, first, node, fields, &cmd.args, fin);
            }
            Arg::Ident { name, .. } => {
                self.at(At::Arg(first));
                return self.eval_call(dot, name, At::Cmd(cmd), Some(&cmd.args), fin);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Var(v) => return self.eval_variable(dot, v, &cmd.args, fin),
            _ => {}
        }
        self.at(At::Arg(first));
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool(_, b) => Ok(V::Bool(*b)),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => self.errorf("nil is not a command"),
            Arg::Number(_, n) => self.ideal_constant(first, n),
            Arg::Str { text, .. } => Ok(str_v(text.as_str())),
            _ => self.errorf(format_args!(
                "can't evaluate command {}",
                go_quote(&first.to_string())
            )),
        }
    }

    fn ideal_constant(&mut self, node: &'t Arg, n: &Num) -> R<V<'a>> {
        self.at(At::Arg(node));
        let t = &n.text;
        let hex_int =
            t.len() > 2 && (t.starts_with("0x") || t.starts_with("0X")) && !t.contains(['p', 'P']);
        if n.is_complex {
            return Ok(V::Complex(n.complex.0, n.complex.1));
        }
        if n.is_float && !hex_int && !t.starts_with('\'') && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(V::Float(n.float));
        }
        if n.is_int {
            return Ok(V::Int(n.int));
        }
        if n.is_uint {
            return self.errorf(format_args!("{t} overflows int"));
        }
        Ok(V::Invalid)
    }

    fn eval_chain(
        &mut self,
        dot: &V<'a>,
        chain: &'t Arg,
        node: &'t Arg,
        fields: &'t [String],
        args: &'t [Arg],
        fin: V<'a>,
    ) -> R<V<'a>> {
        self.at(At::Arg(chain));
        if fields.is_empty() {
            return self.errorf("internal error: no fields in evalChainNode");
        }
        if matches!(node, Arg::Nil(_)) {
            return self.errorf(format_args!("indirection through explicit nil in {chain}"));
        }
        let receiver = self.eval_arg(dot, None, node)?;
        self.eval_field_chain(dot, receiver, fields, args, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &V<'a>,
        var: &'t VarNode,
        args: &'t [Arg],
        fin: V<'a>,
    ) -> R<V<'a>> {
        self.at(At::Var(var));
        let value = self.var_value(&var.idents[0])?;
        if var.idents.len() == 1 {
            self.not_a_function(args, &fin)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, &var.idents[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &V<'a>,
        mut receiver: V<'a>,
        idents: &'t [String],
        args: &'t [Arg],
        fin: V<'a>,
    ) -> R<V<'a>> {
        let Some((last, init)) = idents.split_last() else {
            return Ok(receiver);
        };
        for name in init {
            receiver = match self.method(&receiver, name) {
                Some(params) => self.call_method(dot, &receiver, name, params, &[], V::Missing)?,
                None => self.eval_field(name, false, receiver)?,
            };
        }
        if let Some(params) = self.method(&receiver, last) {
            let args = args.get(1..).unwrap_or(&[]);
            return self.call_method(dot, &receiver, last, params, args, fin);
        }
        let has_args = args.len() > 1 || !fin.is_missing();
        self.eval_field(last, has_args, receiver)
    }

    /// The parameters of method `name` of the receiver's type, when it has one: `time.Time`'s
    /// and `time.Duration`'s (the ones a format would use), and the `Label` method of `docker
    /// ps`'s `formatter.ContainerContext`.
    fn method(&self, receiver: &V<'a>, name: &str) -> Option<&'static [P]> {
        const NONE: &[P] = &[];
        const STR: &[P] = &[P::Str];
        match receiver {
            V::Time(..) => match name {
                "Format" => Some(STR),
                "String" | "Unix" | "UnixMilli" | "UnixNano" | "UTC" | "Local" | "Year"
                | "Month" | "Day" | "Weekday" | "YearDay" | "Hour" | "Minute" | "Second"
                | "Nanosecond" | "IsZero" => Some(NONE),
                _ => None,
            },
            V::Dur(..) => match name {
                "String" | "Hours" | "Minutes" | "Seconds" | "Milliseconds" | "Microseconds"
                | "Nanoseconds" => Some(NONE),
                _ => None,
            },
            _ if name == "Label" => match self.env.view(receiver) {
                K::Struct(_, path)
                    if self.env.hint(path).map(|t| t.trim_start_matches('*'))
                        == Some("formatter.ContainerContext") =>
                {
                    Some(STR)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Go's `evalCall` for a method: the arguments checked and converted, then the call.
    fn call_method(
        &mut self,
        dot: &V<'a>,
        receiver: &V<'a>,
        name: &str,
        params: &[P],
        args: &'t [Arg],
        fin: V<'a>,
    ) -> R<V<'a>> {
        let num_in = args.len() + usize::from(!fin.is_missing());
        if num_in != params.len() {
            return self.errorf(format_args!(
                "wrong number of args for {name}: want {} got {num_in}",
                params.len()
            ));
        }
        let mut argv = Vec::with_capacity(num_in);
        for (arg, typ) in args.iter().zip(params) {
            argv.push(self.eval_arg(dot, Some(*typ), arg)?);
        }
        if !fin.is_missing() {
            argv.push(self.validate(fin, params.last().copied())?);
        }
        let env = self.env;
        let text = |i: usize| match argv.get(i).map(|v| env.view(v)) {
            Some(K::Str(s)) => s.to_string(),
            _ => String::new(),
        };
        let time = |t: GoTime| {
            let text = t.format("2006-01-02T15:04:05.999999999Z07:00");
            V::Time(text.into(), t, "time.Time".into())
        };
        Ok(match receiver {
            V::Time(_, t, _) => match name {
                "Format" => str_v(t.format(&text(0))),
                "String" => str_v(t.string()),
                "Unix" => V::Int(t.unix()),
                "UnixMilli" => V::Int(t.unix() * 1000 + i64::from(t.nanos() / 1_000_000)),
                "UnixNano" => V::Int(
                    t.unix()
                        .wrapping_mul(1_000_000_000)
                        .wrapping_add(i64::from(t.nanos())),
                ),
                "UTC" | "Local" => time(t.utc()),
                "Year" => V::Int(t.year()),
                "Month" => str_v(t.format("January")),
                "Day" => V::Int(i64::from(t.day())),
                "Weekday" => str_v(t.format("Monday")),
                "YearDay" => V::Int(t.year_day()),
                "Hour" => V::Int(i64::from(t.hour())),
                "Minute" => V::Int(i64::from(t.minute())),
                "Second" => V::Int(i64::from(t.second())),
                "Nanosecond" => V::Int(i64::from(t.nanos())),
                _ => V::Bool(t.is_zero()),
            },
            V::Dur(d, _) => {
                let f = |unit: i64| (*d / unit) as f64 + (*d % unit) as f64 / unit as f64;
                match name {
                    "String" => str_v(go_duration(*d)),
                    "Hours" => V::Float(f(3_600_000_000_000)),
                    "Minutes" => V::Float(f(60_000_000_000)),
                    "Seconds" => V::Float(f(1_000_000_000)),
                    "Milliseconds" => V::Int(*d / 1_000_000),
                    "Microseconds" => V::Int(*d / 1_000),
                    _ => V::Int(*d),
                }
            }
            // formatter.ContainerContext.Label: the row's labels are `k=v,k2=v2`.
            _ => match env.view(receiver) {
                K::Struct(o, _) => {
                    let want = text(0);
                    let labels = o.get("Labels").and_then(Value::as_str).unwrap_or("");
                    str_v(label_of(labels, &want))
                }
                _ => str_v(""),
            },
        })
    }

    /// `.Name` on a value (Go's `evalField`; the data has no methods).
    fn eval_field(&mut self, name: &str, has_args: bool, receiver: V<'a>) -> R<V<'a>> {
        let env = self.env;
        let typ = || env.type_of(&receiver);
        match env.view(&receiver) {
            // Go treats an invalid receiver as a missing map key.
            K::Invalid if env.strict => self.errorf(format_args!(
                "nil data; no entry for key {}",
                go_quote(name)
            )),
            K::Invalid => Ok(V::Invalid),
            K::Nil(t) => match nil_kind(t) {
                NilKind::Map => {
                    if has_args {
                        return self
                            .errorf(format_args!("{name} is not a method but has arguments"));
                    }
                    Ok(V::Invalid)
                }
                NilKind::Ptr => {
                    self.errorf(format_args!("nil pointer evaluating {}.{name}", typ()))
                }
                NilKind::Struct if schema::go_field(t, name).is_some() => {
                    let f = schema::go_field(t, name).unwrap_or_default();
                    let (ft, embedded) = (f.ty, f.embedded);
                    Ok(if embedded && !ft.starts_with('*') {
                        V::Nil(ft.into())
                    } else {
                        env.zero(ft)
                    })
                }
                _ => self.errorf(format_args!(
                    "can't evaluate field {name} in type {}",
                    typ()
                )),
            },
            K::Struct(o, path) => {
                // A struct the schema knows is looked up by its Go field names (`ID` for the
                // JSON's `Id`); a name the schema lacks is the JSON's key, unless that key is
                // another field's JSON name (`Id` is not a field of the Go struct).
                let name = match env.hint(path).filter(|t| schema::known(t)) {
                    Some(t) => match schema::go_field(t, name) {
                        Some(f) => f.json,
                        None if schema::field(t, name).is_some() => {
                            return self.errorf(format_args!(
                                "can't evaluate field {name} in type {}",
                                typ()
                            ))
                        }
                        None => name,
                    },
                    None => name,
                };
                let child = field_path(path, name);
                let whole = match &receiver {
                    V::Json(j, _) => Some(*j),
                    _ => None,
                };
                let value = match o.get(name) {
                    Some(v) => env.wrap(v, child),
                    None => match env.absent_field(whole, path, name) {
                        Some(v) => v,
                        None => match env.hint(&child) {
                            Some(t) => env.zero(t),
                            _ => {
                                return self.errorf(format_args!(
                                    "can't evaluate field {name} in type {}",
                                    typ()
                                ))
                            }
                        },
                    },
                };
                if has_args {
                    return self.errorf(format_args!(
                        "{name} has arguments but cannot be invoked as function"
                    ));
                }
                Ok(value)
            }
            K::Map(o, path) => {
                if has_args {
                    return self.errorf(format_args!("{name} is not a method but has arguments"));
                }
                Ok(match o.get(name) {
                    Some(v) => env.wrap(v, elem_path(path)),
                    None if env.strict => {
                        return self
                            .errorf(format_args!("map has no entry for key {}", go_quote(name)))
                    }
                    None => V::Invalid,
                })
            }
            K::Header => {
                if has_args {
                    return self.errorf(format_args!("{name} is not a method but has arguments"));
                }
                Ok(self.header_title(name))
            }
            _ => self.errorf(format_args!(
                "can't evaluate field {name} in type {}",
                typ()
            )),
        }
    }

    fn header_title(&self, name: &str) -> V<'a> {
        match self.header.and_then(|h| h(name)) {
            Some(s) => str_v(s),
            None => V::Invalid,
        }
    }

    /// Go's `evalArg`: an argument of a function, checked against the parameter type (`None`
    /// for the receiver of a chain).
    fn eval_arg(&mut self, dot: &V<'a>, typ: Option<P>, arg: &'t Arg) -> R<V<'a>> {
        self.at(At::Arg(arg));
        let value = match arg {
            Arg::Dot(_) => dot.clone(),
            Arg::Nil(_) => {
                return match typ {
                    Some(P::Rv) | None => Ok(V::Invalid),
                    Some(P::Any) => Ok(V::Nil("<nil>".into())),
                    Some(P::Strs) => Ok(V::Nil("[]string".into())),
                    Some(t) => self.errorf(format_args!("cannot assign nil to {}", t.name())),
                }
            }
            Arg::Field { idents, .. } => self.eval_field_chain(
                dot,
                dot.clone(),
                idents,
                std::slice::from_ref(arg),
                V::Missing,
            )?,
            Arg::Var(v) => self.eval_variable(dot, v, &[], V::Missing)?,
            Arg::Pipe(p) => self.eval_pipeline(dot, p)?,
            Arg::Ident { name, .. } => self.eval_call(dot, name, At::Arg(arg), None, V::Missing)?,
            Arg::Chain { node, fields, .. } => {
                self.eval_chain(dot, arg, node, fields, &[], V::Missing)?
            }
            Arg::Bool(_, b) => match typ {
                Some(P::Any | P::Rv) | None => return Ok(V::Bool(*b)),
                Some(t) => return self.literal_mismatch(t, arg),
            },
            Arg::Number(_, n) => match typ {
                Some(P::Any | P::Rv) | None => return self.ideal_constant(arg, n),
                Some(P::Int) if n.is_int => return Ok(V::Int(n.int)),
                Some(t) => return self.literal_mismatch(t, arg),
            },
            Arg::Str { text, .. } => match typ {
                Some(P::Any | P::Rv | P::Str) | None => return Ok(str_v(text.as_str())),
                Some(t) => return self.literal_mismatch(t, arg),
            },
        };
        self.validate(value, typ)
    }

    fn literal_mismatch<X>(&self, typ: P, arg: &Arg) -> R<X> {
        match typ {
            P::Str => self.errorf(format_args!("expected string; found {arg}")),
            P::Int => self.errorf(format_args!("expected integer; found {arg}")),
            t => self.errorf(format_args!(
                "can't handle {arg} for arg of type {}",
                t.name()
            )),
        }
    }

    /// Go's `validateType`: is the value assignable to the parameter?
    fn validate(&self, value: V<'a>, typ: Option<P>) -> R<V<'a>> {
        let Some(typ) = typ else {
            return Ok(value);
        };
        if matches!(value, V::Invalid | V::Missing) {
            return match typ {
                P::Rv => Ok(V::Invalid),
                P::Any => Ok(V::Nil("<nil>".into())),
                P::Strs => Ok(V::Nil("[]string".into())),
                t => self.errorf(format_args!("invalid value; expected {}", t.name())),
            };
        }
        if matches!(typ, P::Any | P::Rv) {
            return Ok(value);
        }
        let got = self.env.type_of(&value);
        let ok = match typ {
            P::Any | P::Rv => true,
            P::Str => got == "string",
            P::Int => got == "int",
            P::Strs => got == "[]string",
        };
        if !ok {
            return self.errorf(format_args!(
                "wrong type for value; expected {}; got {got}",
                typ.name()
            ));
        }
        Ok(value)
    }

    /// Go's `evalCall` for a function named in the template.
    fn eval_call(
        &mut self,
        dot: &V<'a>,
        name: &'t str,
        node: At<'t>,
        args: Option<&'t [Arg]>,
        fin: V<'a>,
    ) -> R<V<'a>> {
        let Some((fixed, variadic)) = signature(name, self.header.is_some()) else {
            return self.errorf(format_args!("{} is not a defined function", go_quote(name)));
        };
        let args = args.map_or(&[][..], |a| a.get(1..).unwrap_or(&[]));
        let num_in = args.len() + usize::from(!fin.is_missing());
        if variadic.is_some() {
            if num_in < fixed.len() {
                return self.errorf(format_args!(
                    "wrong number of args for {name}: want at least {} got {}",
                    fixed.len(),
                    args.len()
                ));
            }
        } else if num_in != fixed.len() {
            return self.errorf(format_args!(
                "wrong number of args for {name}: want {} got {num_in}",
                fixed.len()
            ));
        }
        if name == "and" || name == "or" {
            let mut v = V::Invalid;
            for arg in args {
                v = self.eval_arg(dot, Some(P::Rv), arg)?;
                if self.env.truth(&v) == (name == "or") {
                    return Ok(v);
                }
            }
            if !fin.is_missing() {
                v = self.validate(fin, Some(P::Rv))?;
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, arg) in args.iter().enumerate() {
            let typ = fixed.get(i).copied().or(variadic);
            argv.push(self.eval_arg(dot, typ, arg)?);
        }
        if !fin.is_missing() {
            let typ = match variadic {
                Some(v) if num_in > fixed.len() => v,
                _ => fixed.get(num_in - 1).copied().unwrap_or(P::Any),
            };
            argv.push(self.validate(fin, Some(typ))?);
        }
        if name == "call" {
            let callee = args.first().map(ToString::to_string).unwrap_or_default();
            let msg = match argv.first() {
                None | Some(V::Invalid) => "call of nil".to_string(),
                Some(f) => format!("non-function {callee} of type {}", self.env.type_of(f)),
            };
            self.at(node);
            return self.errorf(format_args!("error calling call: {msg}"));
        }
        match self.call(name, &argv) {
            Ok(v) => Ok(v),
            Err(msg) => {
                self.at(node);
                self.errorf(format_args!("error calling {name}: {msg}"))
            }
        }
    }

    /// Runs a function on evaluated, type-checked arguments.
    fn call(&self, name: &str, argv: &[V<'a>]) -> Result<V<'a>, String> {
        let env = self.env;
        let arg = |i: usize| argv.get(i).cloned().unwrap_or(V::Invalid);
        let text = |i: usize| match argv.get(i).map(|v| env.view(v)) {
            Some(K::Str(s)) => s.to_string(),
            _ => String::new(),
        };
        let int = |i: usize| match argv.get(i).map(|v| env.view(v)) {
            Some(K::Int(n)) => n,
            _ => 0,
        };
        if self.header.is_some()
            && matches!(
                name,
                "json" | "split" | "join" | "title" | "lower" | "upper" | "truncate"
            )
        {
            return Ok(str_v(text(0)));
        }
        match name {
            "not" => Ok(V::Bool(!env.truth(&arg(0)))),
            "len" => self.len(&arg(0)),
            "index" => self.index(&arg(0), argv.get(1..).unwrap_or(&[])),
            "slice" => self.slice(&arg(0), argv.get(1..).unwrap_or(&[])),
            "eq" => self.eq(&arg(0), argv.get(1..).unwrap_or(&[])).map(V::Bool),
            "ne" => self
                .eq(&arg(0), &argv[1..2.min(argv.len())])
                .map(|b| V::Bool(!b)),
            "lt" => self.lt(&arg(0), &arg(1)).map(V::Bool),
            "le" => self.le(&arg(0), &arg(1)).map(V::Bool),
            "gt" => self.le(&arg(0), &arg(1)).map(|b| V::Bool(!b)),
            "ge" => self.lt(&arg(0), &arg(1)).map(|b| V::Bool(!b)),
            "print" => Ok(str_v(self.sprint_args(argv, false))),
            "println" => Ok(str_v(self.sprint_args(argv, true))),
            "printf" => {
                let mut p = Printer::new(&self.env);
                p.sprintf(&text(0), argv.get(1..).unwrap_or(&[]));
                Ok(str_v(p.buf))
            }
            "html" => Ok(str_v(html_escape(&self.eval_args(argv)))),
            "js" => Ok(str_v(js_escape(&self.eval_args(argv)))),
            "urlquery" => Ok(str_v(query_escape(&self.eval_args(argv)))),
            "json" => {
                let mut out = String::new();
                env.json(&mut out, &arg(0));
                Ok(str_v(out))
            }
            "split" => Ok(V::Strs(go_split(&text(0), &text(1)).into())),
            "join" => {
                let items: Vec<String> = match env.view(&arg(0)) {
                    K::Strs(s) => s.to_vec(),
                    K::Arr(a, _) => a
                        .iter()
                        .map(|v| v.as_str().unwrap_or("").to_string())
                        .collect(),
                    _ => Vec::new(),
                };
                Ok(str_v(items.join(&text(1))))
            }
            "title" => Ok(str_v(go_title(&text(0)))),
            "lower" => Ok(str_v(map_simple(&text(0), char::to_lowercase))),
            "upper" => Ok(str_v(map_simple(&text(0), char::to_uppercase))),
            "pad" => {
                let s = text(0);
                let (pre, suf) = (int(1), int(2));
                if s.is_empty() {
                    return Ok(str_v(s));
                }
                if pre < 0 || suf < 0 {
                    return Err("strings: negative Repeat count".into());
                }
                let total = s.len() as u64 + pre.unsigned_abs() + suf.unsigned_abs();
                if total > MAX_OUTPUT as u64 {
                    return Err(format!(
                        "the result exceeds the playground's limit of {MAX_OUTPUT} bytes"
                    ));
                }
                let (pre, suf) = (pre.unsigned_abs() as usize, suf.unsigned_abs() as usize);
                Ok(str_v(format!("{}{s}{}", " ".repeat(pre), " ".repeat(suf))))
            }
            "truncate" => {
                let s = text(0);
                let n = int(1);
                if n < 0 {
                    return Err(format!("runtime error: slice bounds out of range [:{n}]"));
                }
                let n = n.unsigned_abs() as usize;
                if s.len() < n {
                    return Ok(str_v(s));
                }
                Ok(str_v(
                    String::from_utf8_lossy(&s.as_bytes()[..n]).into_owned(),
                ))
            }
            _ => Err(format!("{} is not a defined function", go_quote(name))),
        }
    }

    /// `fmt.Sprint` / `fmt.Sprintln` of the arguments.
    fn sprint_args(&self, argv: &[V<'a>], ln: bool) -> String {
        let env = self.env;
        let mut p = Printer::new(&env);
        let mut prev_string = false;
        for (i, a) in argv.iter().enumerate() {
            let is_string = matches!(env.view(a), K::Str(_));
            if i > 0 && (ln || (!is_string && !prev_string)) {
                p.buf.push(' ');
            }
            p.print_arg(a, 'v');
            prev_string = is_string;
        }
        if ln {
            p.buf.push('\n');
        }
        p.buf
    }

    /// Go's `evalArgs` for html, js and urlquery.
    fn eval_args(&self, argv: &[V<'a>]) -> String {
        if let [one] = argv {
            if let K::Str(s) = self.env.view(one) {
                return s.to_string();
            }
        }
        let printable: Vec<V<'a>> = argv
            .iter()
            .map(|a| match self.env.view(a) {
                K::Nil(_) if no_value(a) => str_v("<no value>"),
                _ => a.clone(),
            })
            .collect();
        self.sprint_args(&printable, false)
    }

    fn len(&self, v: &V<'a>) -> Result<V<'a>, String> {
        if let V::Null(_) = v {
            return Ok(V::Int(0));
        }
        let n = match self.env.view(v) {
            K::Invalid => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
            K::Nil(t) => match nil_kind(t) {
                NilKind::Slice | NilKind::Map => 0,
                NilKind::Ptr => return Err("len of nil pointer".into()),
                NilKind::Struct => return Err(format!("len of type {t}")),
            },
            K::Str(s) => s.len(),
            K::Arr(a, _) => a.len(),
            K::Strs(s) => s.len(),
            K::Bytes(b) => b.len(),
            K::Map(m, _) => m.len(),
            K::Header => 0,
            _ => return Err(format!("len of type {}", self.env.type_of(v))),
        };
        Ok(V::Int(n as i64))
    }

    fn index_arg(&self, index: &V<'a>, cap: usize) -> Result<usize, String> {
        let x: i128 = match self.env.view(index) {
            K::Int(i) => i128::from(i),
            K::Uint(u) => i128::from(u),
            K::Invalid => return Err("cannot index slice/array with nil".into()),
            _ => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    self.env.type_of(index)
                ))
            }
        };
        if x < 0 || x > cap as i128 {
            return Err(format!("index out of range: {x}"));
        }
        Ok(x as usize)
    }

    fn index(&self, item: &V<'a>, indexes: &[V<'a>]) -> Result<V<'a>, String> {
        let env = self.env;
        let mut item = item.clone();
        if matches!(env.view(&item), K::Invalid) {
            return Err("index of untyped nil".into());
        }
        for index in indexes {
            item = match env.view(&item) {
                K::Nil(t) if nil_kind(t) == NilKind::Ptr => {
                    return Err("index of nil pointer".into())
                }
                K::Nil(t) if nil_kind(t) == NilKind::Slice => {
                    self.index_arg(index, 0)?;
                    return Err("reflect: slice index out of range".into());
                }
                K::Nil(t) if nil_kind(t) == NilKind::Map => {
                    self.map_key(index)?;
                    env.zero(&env.map_elem_type(t))
                }
                K::Str(s) => {
                    let x = self.index_arg(index, s.len())?;
                    match s.as_bytes().get(x) {
                        Some(b) => V::Uint(u64::from(*b), "uint8".into()),
                        None => return Err("reflect: string index out of range".into()),
                    }
                }
                K::Arr(a, path) => {
                    let x = self.index_arg(index, a.len())?;
                    match a.get(x) {
                        Some(v) => env.wrap(v, elem_path(path)),
                        None => return Err("reflect: slice index out of range".into()),
                    }
                }
                K::Strs(s) => {
                    let x = self.index_arg(index, s.len())?;
                    match s.get(x) {
                        Some(v) => str_v(v.as_str()),
                        None => return Err("reflect: slice index out of range".into()),
                    }
                }
                K::Bytes(b) => {
                    let x = self.index_arg(index, b.len())?;
                    match b.get(x) {
                        Some(c) => V::Uint(u64::from(*c), "uint8".into()),
                        None => return Err("reflect: slice index out of range".into()),
                    }
                }
                K::Map(o, path) => {
                    let key = self.map_key(index)?;
                    match o.get(&key) {
                        Some(v) => env.wrap(v, elem_path(path)),
                        None => env.zero(&env.map_elem_type(&env.type_of(&item))),
                    }
                }
                K::Header => {
                    let key = self.map_key(index)?;
                    match self.header_title(&key) {
                        V::Invalid => str_v(""),
                        v => v,
                    }
                }
                _ => return Err(format!("can't index item of type {}", env.type_of(&item))),
            };
        }
        Ok(item)
    }

    fn map_key(&self, index: &V<'a>) -> Result<String, String> {
        match self.env.view(index) {
            K::Str(s) => Ok(s.to_string()),
            K::Invalid => Err("value is nil; should be of type string".into()),
            _ => Err(format!(
                "value has type {}; should be string",
                self.env.type_of(index)
            )),
        }
    }

    fn slice(&self, item: &V<'a>, indexes: &[V<'a>]) -> Result<V<'a>, String> {
        let env = self.env;
        let len = match env.view(item) {
            K::Invalid => return Err("slice of untyped nil".into()),
            _ if indexes.len() > 3 => {
                return Err(format!("too many slice indexes: {}", indexes.len()))
            }
            K::Str(s) => {
                if indexes.len() == 3 {
                    return Err("cannot 3-index slice a string".into());
                }
                s.len()
            }
            K::Arr(a, _) => a.len(),
            K::Strs(s) => s.len(),
            K::Nil(t) if nil_kind(t) == NilKind::Slice => 0,
            _ => return Err(format!("can't slice item of type {}", env.type_of(item))),
        };
        let mut idx = [0, len, len];
        for (i, index) in indexes.iter().enumerate() {
            idx[i] = self.index_arg(index, len)?;
        }
        if idx[0] > idx[1] {
            return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
        }
        if indexes.len() == 3 && idx[1] > idx[2] {
            return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
        }
        let (i, j) = (idx[0], idx[1]);
        Ok(match env.view(item) {
            K::Str(s) => str_v(String::from_utf8_lossy(&s.as_bytes()[i..j]).into_owned()),
            K::Arr(a, path) => V::Slice(&a[i..j], path.into()),
            K::Strs(s) => V::Strs(s[i..j].to_vec().into()),
            _ => item.clone(),
        })
    }

    /// Go's `basicKind` comparison classes.
    fn basic(&self, v: &V<'a>) -> Option<Basic> {
        Some(match self.env.view(v) {
            K::Bool(b) => Basic::Bool(b),
            K::Int(i) => Basic::Int(i),
            K::Uint(u) => Basic::Uint(u),
            K::Float(f) => Basic::Float(f),
            K::Complex(r, i) => Basic::Complex(r, i),
            K::Str(s) => Basic::Str(s.to_string()),
            _ => return None,
        })
    }

    fn eq(&self, a1: &V<'a>, rest: &[V<'a>]) -> Result<bool, String> {
        if rest.is_empty() {
            return Err("missing argument for comparison".into());
        }
        let b1 = self.basic(a1);
        for a in rest {
            let b2 = self.basic(a);
            let truth = match (&b1, &b2) {
                (Some(x), Some(y)) => match (x, y) {
                    (Basic::Int(i), Basic::Uint(u)) | (Basic::Uint(u), Basic::Int(i)) => {
                        *i >= 0 && i.unsigned_abs() == *u
                    }
                    (Basic::Bool(x), Basic::Bool(y)) => x == y,
                    (Basic::Int(x), Basic::Int(y)) => x == y,
                    (Basic::Uint(x), Basic::Uint(y)) => x == y,
                    (Basic::Float(x), Basic::Float(y)) => x == y,
                    (Basic::Complex(a, b), Basic::Complex(c, d)) => a == c && b == d,
                    (Basic::Str(x), Basic::Str(y)) => x == y,
                    _ => return Err("incompatible types for comparison".into()),
                },
                (Some(_), None) | (None, Some(_)) => {
                    let valid = |v: &V<'a>| !matches!(self.env.view(v), K::Invalid);
                    if valid(a1) && valid(a) {
                        return Err("incompatible types for comparison".into());
                    }
                    false
                }
                (None, None) => self.eq_composite(a1, a)?,
            };
            if truth {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `eq` on values that are not basic: nil against nil, structs by value, and Go's errors
    /// for slices and maps.
    fn eq_composite(&self, a1: &V<'a>, a: &V<'a>) -> Result<bool, String> {
        let env = self.env;
        let is_nil = |v: &V<'a>| match env.view(v) {
            K::Invalid => true,
            K::Nil(t) => nil_kind(t) != NilKind::Struct,
            _ => false,
        };
        if is_nil(a1) || is_nil(a) {
            return Ok(is_nil(a1) == is_nil(a));
        }
        let comparable = |v: &V<'a>| match env.view(v) {
            K::Struct(o, _) => o.values().all(|x| !x.is_array() && !x.is_object()),
            K::Nil(_) | K::Header => true,
            _ => false,
        };
        for v in [a1, a] {
            if !comparable(v) {
                let mut p = Printer::new(&env);
                p.print_value(v, 's', 0);
                return Err(format!("non-comparable type {}: {}", p.buf, env.type_of(v)));
            }
        }
        Ok(match (env.view(a1), env.view(a)) {
            (K::Struct(x, _), K::Struct(y, _)) => x == y,
            _ => false,
        })
    }

    fn lt(&self, a: &V<'a>, b: &V<'a>) -> Result<bool, String> {
        let bad = || "invalid type for comparison".to_string();
        let x = self.basic(a).ok_or_else(bad)?;
        let y = self.basic(b).ok_or_else(bad)?;
        Ok(match (x, y) {
            (Basic::Int(i), Basic::Uint(u)) => i < 0 || i.unsigned_abs() < u,
            (Basic::Uint(u), Basic::Int(i)) => i >= 0 && u < i.unsigned_abs(),
            (Basic::Int(x), Basic::Int(y)) => x < y,
            (Basic::Uint(x), Basic::Uint(y)) => x < y,
            (Basic::Float(x), Basic::Float(y)) => x < y,
            (Basic::Str(x), Basic::Str(y)) => x < y,
            (Basic::Bool(_), Basic::Bool(_)) | (Basic::Complex(..), Basic::Complex(..)) => {
                return Err(bad())
            }
            _ => return Err("incompatible types for comparison".into()),
        })
    }

    fn le(&self, a: &V<'a>, b: &V<'a>) -> Result<bool, String> {
        if self.lt(a, b)? {
            return Ok(true);
        }
        self.eq(a, std::slice::from_ref(b))
    }
}

/// The value of label `key` in a `docker ps` row's `Labels` (`k=v,k2=v2`, as
/// `ContainerContext.Labels` joins them): a piece without `=` belongs to the value before it
/// (`a=x,y`).
fn label_of(labels: &str, key: &str) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for piece in labels.split(',') {
        match (piece.split_once('='), pairs.last_mut()) {
            (Some((k, v)), _) => pairs.push((k, v.to_string())),
            (None, Some((_, v))) => {
                v.push(',');
                v.push_str(piece);
            }
            (None, None) => {}
        }
    }
    pairs
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// What a range iterates over.
enum Src<'a> {
    Arr(&'a [Value], String),
    Strs(Vec<String>),
    Bytes(Vec<u8>),
    Map(Vec<(&'a str, V<'a>)>),
    Int,
    Uint,
}

enum Basic {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Complex(f64, f64),
    Str(String),
}

/// `strings.Split`.
fn go_split(s: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return s.chars().map(String::from).collect();
    }
    s.split(sep).map(str::to_string).collect()
}

/// Go's simple (one rune to one rune) case mapping, as `strings.ToUpper` and `ToLower` do.
fn map_simple<I: Iterator<Item = char>>(s: &str, f: impl Fn(char) -> I) -> String {
    s.chars()
        .map(|c| {
            let mut m = f(c);
            match (m.next(), m.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        })
        .collect()
}

/// `strings.Title`.
fn go_title(s: &str) -> String {
    let is_separator = |r: char| {
        if r.is_ascii() {
            return !(r.is_ascii_alphanumeric() || r == '_');
        }
        if r.is_alphabetic() || r.is_numeric() {
            return false;
        }
        r.is_whitespace()
    };
    let mut prev = ' ';
    s.chars()
        .map(|r| {
            let out = if is_separator(prev) {
                map_simple(r.encode_utf8(&mut [0; 4]), char::to_uppercase)
                    .chars()
                    .next()
                    .unwrap_or(r)
            } else {
                r
            };
            prev = r;
            out
        })
        .collect()
}

/// `template.HTMLEscapeString`.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// `template.JSEscapeString`.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if !c.is_ascii() && !is_print(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// `url.QueryEscape`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// `docker context ls`'s row (a `*formatter.clientContextContext`).
    fn ctx_row() -> Value {
        json!({
            "Current": true,
            "Description": "Current DOCKER_HOST based configuration",
            "DockerEndpoint": "unix:///var/run/docker.sock",
            "Error": "",
            "Name": "default",
        })
    }
    const CTX_TYPE: &str = "*formatter.clientContextContext";

    /// Runs `t` on `d` as the Go type `root`: the output or the error.
    fn typed(t: &str, d: &Value, root: &str) -> String {
        match render(t, d, root) {
            Ok(s) => s,
            Err(e) => e.0,
        }
    }

    #[test]
    fn durations_print_as_go_duration_strings() {
        let svc = json!({
            "ID": "s1",
            "Spec": {
                "Name": "web",
                "TaskTemplate": {"RestartPolicy": {"Condition": "any", "Delay": 5_000_000_000_i64}},
                "UpdateConfig": {"Parallelism": 1, "Delay": 60_000_000_000_i64, "Monitor": 1_500_000},
            },
        });
        let run = |t: &str| typed(t, &svc, "swarm.Service");
        assert_eq!(run("{{.Spec.UpdateConfig.Delay}}"), "1m0s");
        assert_eq!(run("{{.Spec.UpdateConfig.Monitor}}"), "1.5ms");
        // A `*time.Duration` prints its value's String() too, at the top and inside a struct.
        assert_eq!(run("{{.Spec.TaskTemplate.RestartPolicy.Delay}}"), "5s");
        assert_eq!(run("{{.Spec.UpdateConfig}}"), "{1 1m0s  1.5ms 0 }");
        // A field the JSON omits is the zero Duration.
        assert_eq!(run("{{.Spec.TaskTemplate.RestartPolicy.Window}}"), "<nil>");
        assert_eq!(run("{{.Spec.UpdateConfig.MaxFailureRatio}}"), "0");
        assert_eq!(run("{{json .Spec.UpdateConfig.Delay}}"), "60000000000");
        assert_eq!(
            run(
                r#"{{printf "%d|%v|%s|%q" .Spec.UpdateConfig.Delay .Spec.UpdateConfig.Delay .Spec.UpdateConfig.Delay .Spec.UpdateConfig.Delay}}"#
            ),
            r#"60000000000|1m0s|1m0s|"1m0s""#
        );
        assert_eq!(run("{{.Spec.UpdateConfig.Delay.Seconds}}"), "60");
        assert_eq!(run("{{.Spec.UpdateConfig.Delay.Minutes}}"), "1");
        assert_eq!(run("{{.Spec.UpdateConfig.Delay.Milliseconds}}"), "60000");
        assert_eq!(run("{{.Spec.UpdateConfig.Delay.String | len}}"), "4");
        assert_eq!(run("{{gt .Spec.UpdateConfig.Delay 0}}"), "true");
        assert_eq!(
            run("{{.Spec.UpdateConfig.Delay.Nope}}"),
            r#"template: :1:7: executing "" at <.Spec.UpdateConfig.Delay.Nope>: can't evaluate field Nope in type time.Duration"#
        );
        assert_eq!(super::super::gotime::go_duration(0), "0s");
        assert_eq!(super::super::gotime::go_duration(-90_000_000_000), "-1m30s");
        assert_eq!(
            super::super::gotime::go_duration(3_723_000_000_001),
            "1h2m3.000000001s"
        );
        assert_eq!(super::super::gotime::go_duration(999), "999ns");
        assert_eq!(super::super::gotime::go_duration(1_500), "1.5µs");
        assert_eq!(
            super::super::gotime::go_duration(i64::MIN),
            "-2562047h47m16.854775808s"
        );
    }

    #[test]
    fn times_print_as_go_time_strings() {
        let svc = json!({"ID": "s1", "CreatedAt": "2026-12-03T14:22:25.123456789Z",
            "UpdatedAt": "2026-12-03T09:22:25.5-05:00", "Spec": {"Name": "web"}});
        let run = |t: &str| typed(t, &svc, "swarm.Service");
        assert_eq!(
            run("{{.CreatedAt}}"),
            "2026-12-03 14:22:25.123456789 +0000 UTC"
        );
        assert_eq!(run("{{.UpdatedAt}}"), "2026-12-03 09:22:25.5 -0500 -0500");
        assert_eq!(
            run("{{json .CreatedAt}}"),
            r#""2026-12-03T14:22:25.123456789Z""#
        );
        assert_eq!(
            run("{{json .UpdatedAt}}"),
            r#""2026-12-03T09:22:25.5-05:00""#
        );
        assert_eq!(run("{{.CreatedAt.Unix}}"), "1796307745");
        assert_eq!(run("{{.UpdatedAt.Unix}}"), "1796307745");
        assert_eq!(run("{{.UpdatedAt.UTC}}"), "2026-12-03 14:22:25.5 +0000 UTC");
        assert_eq!(
            run(r#"{{.CreatedAt.Format "Mon Jan _2 15:04:05 2006 .000 PM Z07:00"}}"#),
            "Thu Dec  3 14:22:25 2026 .123 PM Z"
        );
        assert_eq!(run(r#"{{.CreatedAt.Format "2006-01-02"}}"#), "2026-12-03");
        assert_eq!(
            run("{{.CreatedAt.Weekday}} {{.CreatedAt.YearDay}} {{.CreatedAt.Month}}"),
            "Thursday 337 December"
        );
        assert_eq!(run("{{.CreatedAt.IsZero}}"), "false");
        // A time the JSON omits is Go's zero time.
        let bare = json!({"ID": "s2"});
        assert_eq!(
            typed("{{.CreatedAt}}", &bare, "swarm.Service"),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert_eq!(
            typed("{{.CreatedAt.IsZero}}", &bare, "swarm.Service"),
            "true"
        );
        assert_eq!(
            typed("{{json .CreatedAt}}", &bare, "swarm.Service"),
            r#""0001-01-01T00:00:00Z""#
        );
        assert_eq!(
            run(r#"{{.CreatedAt.Format}}"#),
            r#"template: :1:12: executing "" at <.CreatedAt.Format>: wrong number of args for Format: want 1 got 0"#
        );
        // Untyped (a map, not a known struct), the same text stays a string.
        assert_eq!(
            typed("{{.CreatedAt}}", &svc, "T"),
            "2026-12-03T14:22:25.123456789Z"
        );
    }

    #[test]
    fn byte_slices_print_as_numbers() {
        let secret = json!({"ID": "x", "Spec": {"Name": "s", "Data": "aGk="}});
        let run = |t: &str| typed(t, &secret, "swarm.Secret");
        assert_eq!(run("{{.Spec.Data}}"), "[104 105]");
        assert_eq!(
            run(r#"{{printf "%s %x %#v" .Spec.Data .Spec.Data .Spec.Data}}"#),
            "hi 6869 []byte{0x68, 0x69}"
        );
        assert_eq!(run("{{json .Spec.Data}}"), r#""aGk=""#);
        assert_eq!(run("{{len .Spec.Data}} {{index .Spec.Data 1}}"), "2 105");
        assert_eq!(run("{{range .Spec.Data}}{{.}};{{end}}"), "104;105;");
        assert_eq!(run("{{json .Spec}}"), r#"{"Name":"s","Data":"aGk="}"#);
        let long = json!({"Spec": {"Data": "aGVsbG8gd29ybGQ="}});
        assert_eq!(
            typed(r#"{{printf "%s" .Spec.Data}}"#, &long, "swarm.Secret"),
            "hello world"
        );
        assert_eq!(
            super::super::gotime::base64_encode(b"hello world"),
            "aGVsbG8gd29ybGQ="
        );
        assert_eq!(
            super::super::gotime::base64_decode("aGk"),
            Some(b"hi".to_vec())
        );
        assert_eq!(super::super::gotime::base64_decode("a"), None);
        assert_eq!(super::super::gotime::base64_decode("a*=="), None);
    }

    #[test]
    fn docker_info_swarm_is_typed() {
        let info = json!({
            "ID": "E", "CpuCfsPeriod": true,
            "Swarm": {
                "NodeID": "n1", "NodeAddr": "10.0.0.2", "LocalNodeState": "active",
                "ControlAvailable": true, "Error": "",
                "RemoteManagers": [{"NodeID": "n1", "Addr": "10.0.0.2:2377"}],
                "Nodes": 1, "Managers": 1,
                "Cluster": {
                    "ID": "c1", "Version": {"Index": 10},
                    "CreatedAt": "2026-12-03T14:22:25Z", "UpdatedAt": "2026-12-03T14:22:25Z",
                    "Spec": {
                        "Name": "default", "Labels": {},
                        "Orchestration": {"TaskHistoryRetentionLimit": 5},
                        "Raft": {"SnapshotInterval": 10000, "KeepOldSnapshots": 0,
                            "LogEntriesForSlowFollowers": 500, "ElectionTick": 10, "HeartbeatTick": 1},
                        "Dispatcher": {"HeartbeatPeriod": 5_000_000_000_i64},
                        "CAConfig": {"NodeCertExpiry": 7_776_000_000_000_000_i64},
                        "TaskDefaults": {},
                        "EncryptionConfig": {"AutoLockManagers": false},
                    },
                    "TLSInfo": {"TrustRoot": "", "CertIssuerSubject": "aGk=", "CertIssuerPublicKey": ""},
                    "RootRotationInProgress": false, "DefaultAddrPool": ["10.0.0.0/8"],
                    "SubnetSize": 24, "DataPathPort": 4789,
                },
            },
        });
        let run = |t: &str| typed(t, &info, "system.dockerInfo");
        assert_eq!(
            run("{{.Swarm.Cluster.Spec.Dispatcher.HeartbeatPeriod}}"),
            "5s"
        );
        assert_eq!(run("{{.Swarm.Cluster.Spec.Dispatcher}}"), "{5s}");
        assert_eq!(
            run("{{.Swarm.Cluster.Spec.CAConfig}}"),
            "{2160h0m0s []   0}"
        );
        assert_eq!(
            run("{{.Swarm.Cluster.CreatedAt}}"),
            "2026-12-03 14:22:25 +0000 UTC"
        );
        assert_eq!(
            run("{{.Swarm.Cluster.TLSInfo.CertIssuerSubject}}"),
            "[104 105]"
        );
        assert_eq!(run("{{.Swarm.RemoteManagers}}"), "[{n1 10.0.0.2:2377}]");
        assert_eq!(run("{{.Swarm.Cluster.Spec.TaskDefaults}}"), "{<nil>}");
        assert_eq!(run("{{.Swarm.Cluster.Spec.EncryptionConfig}}"), "{false}");
        assert_eq!(
            run("{{.Swarm.Cluster.Spec.Name}} {{.Swarm.Cluster.Version.Index}}"),
            "default 10"
        );
        assert_eq!(
            run("{{json .Swarm.Cluster.Spec.Dispatcher}}"),
            r#"{"HeartbeatPeriod":5000000000}"#
        );
        assert_eq!(run("{{.Swarm.Warnings}}"), "[]");
        assert_eq!(run("{{.CPUCfsPeriod}}"), "true");
        assert_eq!(
            run("{{.CpuCfsPeriod}}"),
            r#"template: :1:2: executing "" at <.CpuCfsPeriod>: can't evaluate field CpuCfsPeriod in type system.dockerInfo"#
        );
        assert_eq!(
            run("{{.Swarm.Nope}}"),
            r#"template: :1:8: executing "" at <.Swarm.Nope>: can't evaluate field Nope in type swarm.Info"#
        );
        // Outside a swarm the cluster is a nil pointer.
        let inactive =
            json!({"Swarm": {"NodeID": "", "LocalNodeState": "inactive", "RemoteManagers": null}});
        assert_eq!(
            typed("{{.Swarm.Cluster}}", &inactive, "system.dockerInfo"),
            "<nil>"
        );
        assert_eq!(
            typed(
                "{{.Swarm.RemoteManagers}} {{.Swarm.Nodes}}",
                &inactive,
                "system.dockerInfo"
            ),
            "[] 0"
        );
    }

    #[test]
    fn ps_label_method() {
        let rows = vec![
            json!({"ID": "a", "Labels": "com.x=1,desc=a,b,empty="}),
            json!({"ID": "b", "Labels": ""}),
        ];
        let header = |f: &str| (f == "ID").then(|| "CONTAINER ID".to_string());
        let run = |f: &str| match render_table(f, &rows, "formatter.ContainerContext", &header) {
            Ok(s) => s,
            Err(e) => e.0,
        };
        assert_eq!(
            run(r#"{{.ID}}:{{.Label "com.x"}}:{{.Label "desc"}}:{{.Label "nope"}}"#),
            "a:1:a,b:\nb:::\n"
        );
        assert_eq!(
            run("{{.Label}}"),
            r#"template parsing error: template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0"#
        );
        assert_eq!(run(r#"{{"com.x" | .Label}}"#), "1\n\n");
    }

    fn ok(t: &str, d: &Value) -> String {
        match render(t, d, CTX_TYPE) {
            Ok(s) => s,
            Err(e) => panic!("{t:?} failed: {}", e.0),
        }
    }

    fn fails(t: &str, d: &Value) -> TemplateError {
        match render(t, d, CTX_TYPE) {
            Ok(s) => panic!("{t:?} rendered {s:?}"),
            Err(e) => e,
        }
    }

    /// The parse error of `t`, checked to be one.
    fn parse_err(t: &str) -> String {
        let e = fails(t, &ctx_row());
        assert!(e.1, "{t:?} should fail to parse: {}", e.0);
        e.0
    }

    /// The execution error of `t` on the context row, checked to be one.
    fn exec_err(t: &str) -> String {
        let e = fails(t, &ctx_row());
        assert!(!e.1, "{t:?} should fail to execute: {}", e.0);
        e.0
    }

    fn ctx_inspect() -> Value {
        json!({
            "Name": "default",
            "Metadata": {},
            "Endpoints": {"docker": {"Host": "unix:///var/run/docker.sock", "SkipTLSVerify": false}},
            "TLSMaterial": {},
            "Storage": {"MetadataPath": "<IN MEMORY>", "TLSPath": "<IN MEMORY>"},
        })
    }

    const CTX_INSPECT_TYPES: Types<'static> = Types {
        root: "context.contextWithTLSListing",
        fields: &[
            ("Metadata", "store.Metadata"),
            ("Endpoints", "map[string]interface {}"),
            ("Endpoints[]", "context.EndpointMetaBase"),
            ("TLSMaterial", "map[string]store.EndpointFiles"),
            ("Storage", "store.StorageInfo"),
        ],
    };

    fn inspect(t: &str) -> (String, Option<String>) {
        let tpl = match Template::parse("", t) {
            Ok(t) => t,
            Err(e) => panic!("{t:?}: {}", e.0),
        };
        let (out, err) = tpl.execute(&ctx_inspect(), &CTX_INSPECT_TYPES);
        (out, err.map(|e| e.0))
    }

    #[test]
    fn text_fields_trim_and_comments() {
        let d = ctx_row();
        assert_eq!(ok("plain", &d), "plain");
        assert_eq!(ok("", &d), "");
        assert_eq!(ok("{{.Name}}", &d), "default");
        assert_eq!(ok("a {{ .Name }} b", &d), "a default b");
        assert_eq!(ok("{{ .Name -}}  x  {{- .Name }}", &d), "defaultxdefault");
        assert_eq!(ok("a  \n {{- .Name -}} \n  b", &d), "adefaultb");
        assert_eq!(ok("{{-3}}", &d), "-3");
        assert_eq!(ok("{{- 3 -}}", &d), "3");
        assert_eq!(ok("{{/* c */}}ok", &d), "ok");
        assert_eq!(ok("a {{- /* c */ -}} b", &d), "ab");
        assert_eq!(ok("a\n{{.Name\n}}b", &d), "a\ndefaultb");
        assert_eq!(ok("{{.Current}}", &d), "true");
        let nested = json!({"Client": {"Version": "28.2.2", "Os": "linux"}});
        assert_eq!(
            ok("{{.Client.Version}}/{{.Client.Os}}", &nested),
            "28.2.2/linux"
        );
        assert_eq!(ok("{{$.Client.Os}}", &nested), "linux");
        assert_eq!(
            ok("{{with .Client}}{{$.Client.Version}}{{end}}", &nested),
            "28.2.2"
        );
    }

    #[test]
    fn pipelines_and_variables() {
        let d = ctx_row();
        assert_eq!(ok(r#"{{ .Name | printf "%q" }}"#, &d), r#""default""#);
        assert_eq!(ok(r#"{{"a" | printf "%s%s" "b"}}"#, &d), "ba");
        assert_eq!(ok("{{.Name | len}}", &d), "7");
        assert_eq!(ok("{{.Name | upper | lower}}", &d), "default");
        assert_eq!(ok("{{$x := 1}}{{$x}}", &d), "1");
        assert_eq!(ok("{{$x := .Name}}{{$x = \"other\"}}{{$x}}", &d), "other");
        assert_eq!(ok("{{$ := 1}}", &d), "");
        assert_eq!(ok("{{$n := .Name}}{{if $n}}{{$n}}{{end}}", &d), "default");
        assert_eq!(ok("{{(len .Name)}}", &d), "7");
        assert_eq!(
            ok(r#"{{(printf "%s-%s" .Name "x") | upper}}"#, &d),
            "DEFAULT-X"
        );
        assert_eq!(ok("{{.}}", &json!("dot")), "dot");
        // Variables live until the end of their control structure.
        assert_eq!(
            ok("{{if true}}{{$y := 2}}{{$y}}{{end}}{{$y := 3}}{{$y}}", &d),
            "23"
        );
    }

    #[test]
    fn conditionals() {
        let d = ctx_row();
        assert_eq!(ok("{{if .Name}}y{{else}}n{{end}}", &d), "y");
        assert_eq!(ok("{{if .Error}}y{{else}}n{{end}}", &d), "n");
        assert_eq!(ok("{{if 0}}a{{else if 1}}b{{else}}c{{end}}", &d), "b");
        assert_eq!(ok("{{if 0}}a{{else if 0}}b{{else}}c{{end}}", &d), "c");
        assert_eq!(ok("{{if 1}}{{else if 0}}{{else}}{{end}}a", &d), "a");
        assert_eq!(ok("{{with .Name}}[{{.}}]{{end}}", &d), "[default]");
        assert_eq!(ok("{{with .Error}}x{{else}}empty{{end}}", &d), "empty");
        assert_eq!(ok("{{with 0}}x{{else with 2}}{{.}}{{end}}", &d), "2");
        assert_eq!(ok("{{with $x := .Name}}{{$x}}{{end}}", &d), "default");
        let data = json!({"Z": 0, "F": 0.0, "E": [], "M": {}, "N": null, "S": {"A": 1}});
        for (t, want) in [
            ("{{if .Z}}t{{else}}f{{end}}", "f"),
            ("{{if .F}}t{{else}}f{{end}}", "f"),
            ("{{if .E}}t{{else}}f{{end}}", "f"),
            ("{{if .M}}t{{else}}f{{end}}", "f"),
            ("{{if .N}}t{{else}}f{{end}}", "f"),
            ("{{if .S}}t{{else}}f{{end}}", "t"),
        ] {
            assert_eq!(ok(t, &data), want, "{t}");
        }
    }

    #[test]
    fn range() {
        let d = json!({
            "Items": ["a", "b", "c"],
            "Labels": {"z": "1", "a": "2", "m": "3"},
            "None": [],
        });
        assert_eq!(ok("{{range .Items}}<{{.}}>{{end}}", &d), "<a><b><c>");
        assert_eq!(
            ok("{{range $i, $v := .Items}}{{$i}}={{$v}} {{end}}", &d),
            "0=a 1=b 2=c "
        );
        assert_eq!(ok("{{range $v := .Items}}{{$v}}{{end}}", &d), "abc");
        // Go maps range in key order.
        assert_eq!(
            ok("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", &d),
            "a=2;m=3;z=1;"
        );
        assert_eq!(ok("{{range .Labels}}{{.}}{{end}}", &d), "231");
        assert_eq!(ok("{{range .None}}x{{else}}empty{{end}}", &d), "empty");
        assert_eq!(
            ok(
                "{{range .Missing}}x{{else}}none{{end}}",
                &json!({"Missing": null})
            ),
            "none"
        );
        assert_eq!(ok("{{range 3}}x{{end}}", &d), "xxx");
        assert_eq!(ok("{{range $i := 3}}{{$i}}{{end}}", &d), "012");
        assert_eq!(ok("{{range 0}}x{{else}}zero{{end}}", &d), "zero");
        assert_eq!(
            ok(
                "{{range .Items}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}",
                &d
            ),
            "a"
        );
        assert_eq!(
            ok(
                "{{range .Items}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}",
                &d
            ),
            "ac"
        );
        assert_eq!(
            ok("{{$n := 0}}{{range .Items}}{{$n = .}}{{end}}{{$n}}", &d),
            "c"
        );
        assert_eq!(
            ok("{{range $i, $v := .Items}}{{end}}{{len .Items}}", &d),
            "3"
        );
        assert_eq!(
            ok("{{range (split \"x,y\" \",\")}}{{.}};{{end}}", &d),
            "x;y;"
        );
        let nested = json!({"Nodes": [{"ID": "a", "Tags": ["1", "2"]}, {"ID": "b", "Tags": []}]});
        assert_eq!(
            ok(
                "{{range .Nodes}}{{.ID}}:{{range .Tags}}{{.}}{{else}}-{{end}} {{end}}",
                &nested
            ),
            "a:12 b:- "
        );
    }

    #[test]
    fn logic_and_comparison() {
        let d = ctx_row();
        // Verified with docker context ls.
        assert_eq!(ok("{{and 1 0 2}}{{or 0 \"\" 3}}{{not 0}}", &d), "03true");
        assert_eq!(ok(r#"{{eq .Name "default" "x"}}"#, &d), "true");
        assert_eq!(ok(r#"{{eq .Name "x" "y"}}"#, &d), "false");
        assert_eq!(ok(r#"{{ne .Name "x"}}"#, &d), "true");
        assert_eq!(ok(r#"{{lt .Name "z"}}"#, &d), "true");
        assert_eq!(
            ok("{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 3}}", &d),
            "true true false false"
        );
        assert_eq!(ok("{{lt 1.5 2.5}} {{eq 1.0 1.0}}", &d), "true true");
        assert_eq!(
            ok("{{and .Name .Error}}|{{or .Error .Name}}", &d),
            "|default"
        );
        // and/or stop at the deciding argument, like Go 1.18+.
        assert_eq!(ok("{{or 1 (index .Name 99)}}", &d), "1");
        assert_eq!(ok("{{and 0 (index .Name 99)}}", &d), "0");
        assert_eq!(
            ok("{{if and .Current (eq .Name \"default\")}}yes{{end}}", &d),
            "yes"
        );
        // uint8 (a byte of a string) and int compare.
        assert_eq!(ok("{{eq (index .Name 0) 100}}", &d), "true");
        let data = json!({"Missing": {}, "A": null});
        assert_eq!(ok("{{eq .Missing.x .Missing.y}}", &data), "true");
        assert_eq!(ok("{{eq .Missing.x \"s\"}}", &data), "false");
    }

    #[test]
    fn len_index_slice() {
        let d = ctx_row();
        assert_eq!(ok("{{index .Name 1}}", &d), "101");
        assert_eq!(ok("{{slice .Name 1 3}}", &d), "ef");
        assert_eq!(ok("{{slice .Name 4}}", &d), "ult");
        assert_eq!(ok("{{len .Name}}", &d), "7");
        let data = json!({"L": ["a", "b", "c"], "M": {"k": "v"}, "N": [[1, 2], [3]]});
        assert_eq!(ok("{{index .L 2}}", &data), "c");
        assert_eq!(ok("{{index .N 0 1}}", &data), "2");
        assert_eq!(ok(r#"{{index .M "k"}}"#, &data), "v");
        // A missing key of a map of strings is "", of a map of anything <no value>.
        assert_eq!(ok(r#"[{{index .M "x"}}]"#, &data), "[]");
        assert_eq!(ok("{{slice .L 1}}", &data), "[b c]");
        assert_eq!(ok("{{slice .L 1 2}}", &data), "[b]");
        assert_eq!(
            ok("{{len .L}} {{len .M}} {{len (slice .L 1)}}", &data),
            "3 1 2"
        );
        assert_eq!(ok("{{range slice .L 2}}{{.}}{{end}}", &data), "c");
    }

    #[test]
    fn printing() {
        let d = ctx_row();
        // Verified with docker context ls.
        assert_eq!(ok("{{print 1 2 \"a\" \"b\" 3 true}}", &d), "1 2ab3 true");
        assert_eq!(ok("{{println 1 \"a\"}}|", &d), "1 a\n|");
        assert_eq!(
            ok(
                r#"{{printf "%5d|%-5s|%x|%.2f|%t|%q|%v" 42 "ab" 255 3.14159 true "hi" 1.5}}"#,
                &d
            ),
            r#"   42|ab   |ff|3.14|true|"hi"|1.5"#
        );
        assert_eq!(ok(r#"{{printf "%d" "x"}}"#, &d), "%!d(string=x)");
        assert_eq!(
            ok(r#"{{printf "%s" 1 2}}"#, &d),
            "%!s(int=1)%!(EXTRA int=2)"
        );
        assert_eq!(ok(r#"{{printf "%s %s" 1}}"#, &d), "%!s(int=1) %!s(MISSING)");
        assert_eq!(ok(r#"{{printf "%#v" .Name}}"#, &d), r#""default""#);
        assert_eq!(
            ok(
                "{{1.0}} {{1e6}} {{123456789.0}} {{0.000012}} {{1e21}} {{100000.0}}",
                &d
            ),
            "1 1e+06 1.23456789e+08 1.2e-05 1e+21 100000"
        );
        assert_eq!(
            ok("{{'a'}} {{0x1F}} {{-5}} {{0o17}} {{1_000}}", &d),
            "97 31 -5 15 1000"
        );
        assert_eq!(
            ok(r#"{{html "<a>"}}{{js "a'b"}}{{urlquery "a b"}}"#, &d),
            "&lt;a&gt;a\\'ba+b"
        );
        // More of Go's fmt.
        for (t, want) in [
            (
                r#"{{printf "%05d|%+d|%x|%X|%o|%b|%c" 42 7 3054 3054 8 5 65}}"#,
                "00042|+7|bee|BEE|10|101|A",
            ),
            (
                r#"{{printf "%#x|%#o|%08.3f|%-8.2f|%e|%g|%G" 255 8 3.14159 2.5 1234.5678 0.00001234 1e30}}"#,
                "0xff|010|0003.142|2.50    |1.234568e+03|1.234e-05|1E+30",
            ),
            (
                r#"{{printf "%.3s|%10.2s|%-4q|%x|% x|%U|%#U" "abcdef" "xyz" "a" "hi" "hi" 65 9731}}"#,
                "abc|        xy|\"a\" |6869|68 69|U+0041|U+2603 '☃'",
            ),
            (r#"{{printf "%v %d %s" .Name 1 "x"}}"#, "default 1 x"),
            (r#"{{printf "%6.2f%%" 12.345}}"#, " 12.35%"),
            (
                r#"{{printf "%T %T %T %T" 1 "a" 1.5 true}}"#,
                "int string float64 bool",
            ),
            (r#"{{printf "%*d|%-*d|" 4 1 3 2}}"#, "   1|2  |"),
            (r#"{{printf "%d %!"}}"#, "%!d(MISSING) %!!(MISSING)"),
            (r#"{{printf "%"}}"#, "%!(NOVERB)"),
            (
                r#"{{printf "%.0f %.1f %.3g %g" 2.5 0.05 3.14159 100000000.0}}"#,
                "2 0.1 3.14 1e+08",
            ),
            (r#"{{printf "%v" nil}}"#, "<nil>"),
            (r#"{{printf "%d" nil}}"#, "%!d(<nil>)"),
            (r#"{{printf "%q" 65}}"#, "'A'"),
            (r#"{{printf "%#q %#q" 'x' -3}}"#, "'x' '\u{FFFD}'"),
            (
                r#"{{printf "%%" 2.5 'x' nil}}"#,
                "%%!(EXTRA float64=2.5, int=120, <nil>)",
            ),
            (r#"{{printf "%t" 1}}"#, "%!t(int=1)"),
            (r#"{{printf "%5t|" true}}"#, " true|"),
            (r#"{{printf "%x" -255}}"#, "-ff"),
            (r#"{{printf "%s" nil}}"#, "%!s(<nil>)"),
            (r#"{{printf "%v %v" 1i 1+2i}}"#, "(0+1i) (1+2i)"),
            (r#"{{.Name | printf "%s" |}}"#, "default"),
        ] {
            assert_eq!(ok(t, &d), want, "{t}");
        }
    }

    #[test]
    fn go_printing_of_values() {
        let d = json!({
            "Int": 42, "Neg": -7, "Float": 2.5, "Whole": 3.0, "Big": 1e100, "Small": 1e-7,
            "Bool": false, "Str": "s", "Nil": null,
            "List": ["a", "b"], "Nums": [1, 2.5], "Empty": [],
            "Struct": {"A": 1, "B": "x", "C": null, "D": ["y"]},
            "Map": {"b": 2, "a": "1"},
            "Nested": {"Inner": {"X": true}, "Labels": {"k": "v"}},
        });
        for (t, want) in [
            (
                "{{.Int}} {{.Neg}} {{.Float}} {{.Whole}} {{.Big}} {{.Small}}",
                "42 -7 2.5 3 1e+100 1e-07",
            ),
            ("{{.Bool}} {{.Str}}", "false s"),
            ("{{.Nil}}", "<no value>"),
            ("{{.List}} {{.Nums}} {{.Empty}}", "[a b] [1 2.5] []"),
            ("{{.Struct}}", "{1 x <nil> [y]}"),
            ("{{.Map}}", "map[a:1 b:2]"),
            ("{{.Nested}}", "{{true} map[k:v]}"),
            (r#"{{printf "%+v" .Struct}}"#, "{A:1 B:x C:<nil> D:[y]}"),
            (
                r#"{{printf "%v|%s|%d" .List .List .Nums}}"#,
                "[a b]|[a b]|[1 %!d(float64=2.5)]",
            ),
            (r#"{{printf "%q" .List}}"#, r#"["a" "b"]"#),
            (r#"{{print .Nil}}"#, "<nil>"),
            (r#"{{print .Map.nope}}"#, "<nil>"),
            ("{{.Map.nope}}", "<no value>"),
            ("{{.Map.a}}", "1"),
            ("{{.Map.nope.x}}", "<no value>"),
            ("{{.Nested.Labels.k}}", "v"),
        ] {
            assert_eq!(ok(t, &d), want, "{t}");
        }
    }

    #[test]
    fn docker_functions() {
        let d = ctx_row();
        // Verified with docker context ls.
        assert_eq!(
            ok(
                r#"{{title "hello world"}} {{lower "AB"}} {{upper "ab"}}"#,
                &d
            ),
            "Hello World ab AB"
        );
        assert_eq!(ok(r#"{{join (split "a,b" ",") "-"}}"#, &d), "a-b");
        assert_eq!(ok(r#"{{split .Name "a"}}"#, &d), "[def ult]");
        assert_eq!(
            ok(r#"{{truncate "abc" 5}}|{{truncate "abc" 1}}"#, &d),
            "abc|a"
        );
        assert_eq!(ok("{{pad .Name 2 3}}|", &d), "  default   |");
        assert_eq!(ok(r#"{{pad "" 2 3}}|"#, &d), "|");
        assert_eq!(ok(r#"{{json .Name}}"#, &d), r#""default""#);
        assert_eq!(ok(r#"{{json "<&>"}}"#, &d), r#""<&>""#);
        assert_eq!(ok("{{json nil}}", &d), "null");
        assert_eq!(
            ok("{{json .}}", &d),
            r#"{"Current":true,"Description":"Current DOCKER_HOST based configuration","DockerEndpoint":"unix:///var/run/docker.sock","Error":"","Name":"default"}"#
        );
        assert_eq!(
            ok(r#"{{split "abc" ""}} {{split "" ","}}"#, &d),
            "[a b c] []"
        );
        assert_eq!(
            ok(r#"{{title "o'neil foo_bar x-y"}}"#, &d),
            "O'Neil Foo_bar X-Y"
        );
        let data = json!({"Labels": {"b": "2", "a": "1"}, "F": [1.5, 1e21, 1e-7], "S": "tab\there\u{1}\u{2028}"});
        assert_eq!(ok("{{json .Labels}}", &data), r#"{"a":"1","b":"2"}"#);
        assert_eq!(ok("{{json .F}}", &data), "[1.5,1e+21,1e-7]");
        assert_eq!(ok("{{json .S}}", &data), r#""tab\there\u0001\u2028""#);
        assert_eq!(ok("{{join .L \", \"}}", &json!({"L": ["x", "y"]})), "x, y");
        assert_eq!(
            render("json", &data, "T").unwrap(),
            r#"{"Labels":{"a":"1","b":"2"},"F":[1.5,1e+21,1e-7],"S":"tab\there\u0001\u2028"}"#
        );
    }

    #[test]
    fn define_template_block() {
        let d = ctx_row();
        assert_eq!(ok(r#"{{define "x"}}y{{end}}{{template "x"}}"#, &d), "y");
        assert_eq!(
            ok(r#"{{define "x"}}<{{.}}>{{end}}{{template "x" .Name}}"#, &d),
            "<default>"
        );
        assert_eq!(ok(r#"{{block "b" .}}in{{end}}"#, &d), "in");
        assert_eq!(
            exec_err(r#"{{template "nope"}}"#),
            r#"template: :1:11: executing "" at <{{template "nope"}}>: template "nope" not defined"#
        );
        let e = exec_err(r#"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#);
        assert!(
            e.ends_with("exceeded maximum template depth (100000)"),
            "{e}"
        );
        assert!(e.contains(r#"executing "r""#), "{e}");
    }

    /// The texts the real docker 28.2.2 CLI printed for these formats (`docker context ls
    /// --format`, `docker version --format`), minus docker's `template parsing error: ` prefix.
    #[test]
    fn parse_errors_in_gos_words() {
        for (t, want) in [
            ("{{foo}}", r#"template: :1: function "foo" not defined"#),
            ("{{.Name", "template: :1: unclosed action"),
            ("{{", "template: :1: unclosed action"),
            ("{{}}", "template: :1: missing value for command"),
            ("{{ }", r#"template: :1: unexpected "}" in command"#),
            ("{{.Name}", "template: :1: bad character U+007D '}'"),
            ("{{if .Name}}x", "template: :1: unexpected EOF"),
            ("{{end}}", "template: :1: unexpected {{end}}"),
            ("{{else}}", "template: :1: unexpected {{else}}"),
            ("{{if}}{{end}}", "template: :1: missing value for if"),
            ("{{range}}{{end}}", "template: :1: missing value for range"),
            (
                "{{.Name | 1}}",
                "template: :1: non executable command in pipeline stage 2",
            ),
            (r#"{{"abc}}"#, "template: :1: unterminated quoted string"),
            ("{{`abc}}", "template: :1: unterminated raw quoted string"),
            ("{{(.Name}}", "template: :1: unclosed left paren"),
            ("{{.Name)}}", "template: :1: unexpected right paren"),
            ("{{@}}", r#"template: :1: unexpected "@" in command"#),
            ("{{.Name.}}", "template: :1: unexpected <.> in operand"),
            ("{{$x := }}", "template: :1: missing value for command"),
            ("{{$x}}", r#"template: :1: undefined variable "$x""#),
            (
                r#"{{"a".b}}"#,
                r#"template: :1: unexpected . after term "\"a\"""#,
            ),
            ("{{3x}}", r#"template: :1: bad number syntax: "3x""#),
            ("{{.Na-me}}", "template: :1: bad character U+002D '-'"),
            ("{{/* c }}", "template: :1: unclosed comment"),
            (
                "{{/* c */ }}",
                "template: :1: comment ends before closing delimiter",
            ),
            ("x\n\n{{if .Name}}", "template: :3: unexpected EOF"),
            ("{{.Name\n", "template: :2: unclosed action started at :1"),
            ("{{break}}", "template: :1: {{break}} outside {{range}}"),
            (
                "{{range $i, $e, $f := .}}{{end}}",
                "template: :1: too many declarations in range",
            ),
            (
                "{{$x, $y := 1}}",
                "template: :1: too many declarations in command",
            ),
            ("{{,}}", r#"template: :1: unexpected "," in command"#),
            ("{{:}}", "template: :1: expected :="),
            ("{{a:=1}}", r#"template: :1: function "a" not defined"#),
            (r#"{{"\z"}}"#, "template: :1: invalid syntax"),
            (
                "{{'ab'}}",
                "template: :1: malformed character constant: 'ab'",
            ),
            ("{{1e}}", r#"template: :1: illegal number syntax: "1e""#),
            (
                "{{99999999999999999999}}",
                r#"template: :1: integer overflow: "99999999999999999999""#,
            ),
            // From Go's parse.go.
            (
                "{{range .}}{{else if .}}{{end}}",
                "template: :1: unexpected <if> in input",
            ),
            (
                "{{if 1}}{{else}}{{else}}{{end}}",
                "template: :1: expected end; found {{else}}",
            ),
            (
                r#"{{template .Name}}"#,
                r#"template: :1: unexpected ".Name" in template clause"#,
            ),
            (
                r#"{{"x" | 1}}"#,
                "template: :1: non executable command in pipeline stage 2",
            ),
            (
                r#"{{define "x"}}{{end}}{{define "x"}}a{{end}}{{define "x"}}b{{end}}"#,
                r#"template: :1: template: multiple definition of template "x""#,
            ),
        ] {
            assert_eq!(parse_err(t), want, "{t}");
        }
        // docker version names its template "version".
        let e = Template::parse("version", "{{foo}}").unwrap_err();
        assert_eq!(
            e,
            TemplateError(
                r#"template: version:1: function "foo" not defined"#.into(),
                true
            )
        );
    }

    /// Execution errors as docker 28.2.2 printed them for `docker context ls --format` and
    /// `docker context inspect --format`.
    #[test]
    fn execution_errors_in_gos_words() {
        for (t, want) in [
            (
                "{{.Foo}}",
                r#"template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type *formatter.clientContextContext"#,
            ),
            (
                "{{.Name}} {{.Foo}}",
                r#"template: :1:12: executing "" at <.Foo>: can't evaluate field Foo in type *formatter.clientContextContext"#,
            ),
            (
                "a\n{{.Nope}}",
                r#"template: :2:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.clientContextContext"#,
            ),
            (
                "{{.Name.Foo}}",
                r#"template: :1:7: executing "" at <.Name.Foo>: can't evaluate field Foo in type string"#,
            ),
            (
                r#"{{index . "Name"}}"#,
                r#"template: :1:2: executing "" at <index . "Name">: error calling index: can't index item of type *formatter.clientContextContext"#,
            ),
            (
                "{{index .Name 10}}",
                r#"template: :1:2: executing "" at <index .Name 10>: error calling index: index out of range: 10"#,
            ),
            (
                "{{len 3}}",
                r#"template: :1:2: executing "" at <len 3>: error calling len: len of type int"#,
            ),
            (
                "{{eq .Name 1}}",
                r#"template: :1:2: executing "" at <eq .Name 1>: error calling eq: incompatible types for comparison"#,
            ),
            (
                "{{lt 1 2.0}}",
                r#"template: :1:2: executing "" at <lt 1 2.0>: error calling lt: incompatible types for comparison"#,
            ),
            (
                "{{with .Nope}}x{{end}}",
                r#"template: :1:7: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.clientContextContext"#,
            ),
            (
                "{{.Name 1}}",
                r#"template: :1:2: executing "" at <.Name>: Name has arguments but cannot be invoked as function"#,
            ),
            (
                "{{nil}}",
                r#"template: :1:2: executing "" at <nil>: nil is not a command"#,
            ),
            (
                "{{range $i, $e := 3}}{{$i}}{{$e}}{{end}}",
                r#"template: :1:18: executing "" at <3>: can't use 3 to iterate over more than one variable"#,
            ),
            (
                "{{range .Name}}{{break}}{{end}}",
                r#"template: :1:8: executing "" at <.Name>: range can't iterate over default"#,
            ),
            (
                "{{$x = 1}}",
                r#"template: :1:7: executing "" at <1>: undefined variable: $x"#,
            ),
            (
                "{{printf}}",
                r#"template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0"#,
            ),
            (
                "{{len}}",
                r#"template: :1:2: executing "" at <len>: wrong number of args for len: want 1 got 0"#,
            ),
            (
                "{{len 1 2}}",
                r#"template: :1:2: executing "" at <len>: wrong number of args for len: want 1 got 2"#,
            ),
            (
                "{{index}}",
                r#"template: :1:2: executing "" at <index>: wrong number of args for index: want at least 1 got 0"#,
            ),
            (
                "{{not}}",
                r#"template: :1:2: executing "" at <not>: wrong number of args for not: want 1 got 0"#,
            ),
            (
                "{{and}}",
                r#"template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0"#,
            ),
            (
                "{{eq 1}}",
                r#"template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison"#,
            ),
            (
                "{{call .Name}}",
                r#"template: :1:2: executing "" at <call .Name>: error calling call: non-function .Name of type string"#,
            ),
            (
                "{{pad \"a\"}}",
                r#"template: :1:2: executing "" at <pad>: wrong number of args for pad: want 3 got 1"#,
            ),
            (
                r#"{{pad "a" "x" 1}}"#,
                r#"template: :1:10: executing "" at <"x">: expected integer; found "x""#,
            ),
            (
                "{{split 1 2}}",
                r#"template: :1:8: executing "" at <1>: expected string; found 1"#,
            ),
            // From Go's exec.go and funcs.go.
            (
                "{{upper .Current}}",
                r#"template: :1:8: executing "" at <.Current>: wrong type for value; expected string; got bool"#,
            ),
            (
                "{{len .Nope.X}}",
                r#"template: :1:11: executing "" at <.Nope.X>: can't evaluate field Nope in type *formatter.clientContextContext"#,
            ),
            (
                "{{truncate .Name -1}}",
                r#"template: :1:2: executing "" at <truncate .Name -1>: error calling truncate: runtime error: slice bounds out of range [:-1]"#,
            ),
            (
                "{{slice .Name 3 1}}",
                r#"template: :1:2: executing "" at <slice .Name 3 1>: error calling slice: invalid slice index: 3 > 1"#,
            ),
            (
                "{{1 2}}",
                r#"template: :1:2: executing "" at <1>: can't give argument to non-function 1"#,
            ),
            (
                "{{html nil}}|{{print nil}}|{{len nil}}",
                r#"template: :1:29: executing "" at <len nil>: error calling len: reflect: call of reflect.Value.Type on zero Value"#,
            ),
            (
                "{{index nil 1}}",
                r#"template: :1:2: executing "" at <index nil 1>: error calling index: index of untyped nil"#,
            ),
            (
                "{{(.Name).Foo}}",
                r#"template: :1:3: executing "" at <.Name>: can't evaluate field Foo in type string"#,
            ),
        ] {
            assert_eq!(exec_err(t), want, "{t}");
        }
    }

    #[test]
    fn inspect_structs_and_maps() {
        // Verified with docker context inspect default --format.
        for (t, want) in [
            ("{{.Endpoints.docker.Host}}", "unix:///var/run/docker.sock"),
            ("{{.Endpoints.nope}}", "<no value>"),
            ("{{.Endpoints.nope.Foo}}", "<no value>"),
            (
                r#"{{index .Endpoints "docker"}}"#,
                "{unix:///var/run/docker.sock false}",
            ),
            (r#"{{index .Endpoints "nope"}}"#, "<no value>"),
            ("{{len .Endpoints}}", "1"),
            ("{{.TLSMaterial}}", "map[]"),
            ("{{.TLSMaterial.x}}", "<no value>"),
            (
                "{{.Endpoints}}",
                "map[docker:{unix:///var/run/docker.sock false}]",
            ),
            (
                "{{range $k, $v := .Endpoints}}{{$k}}={{$v}};{{end}}",
                "docker={unix:///var/run/docker.sock false};",
            ),
            (
                r#"{{printf "%+v" .Storage}}"#,
                "{MetadataPath:<IN MEMORY> TLSPath:<IN MEMORY>}",
            ),
            (
                "{{json .Storage}}",
                r#"{"MetadataPath":"<IN MEMORY>","TLSPath":"<IN MEMORY>"}"#,
            ),
            (
                "{{json .Endpoints}}",
                r#"{"docker":{"Host":"unix:///var/run/docker.sock","SkipTLSVerify":false}}"#,
            ),
        ] {
            assert_eq!(inspect(t), (want.to_string(), None), "{t}");
        }
        for (t, want) in [
            (
                "{{.Storage.Foo}}",
                r#"template: :1:10: executing "" at <.Storage.Foo>: can't evaluate field Foo in type store.StorageInfo"#,
            ),
            (
                "{{range .Storage}}x{{end}}",
                r#"template: :1:8: executing "" at <.Storage>: range can't iterate over {<IN MEMORY> <IN MEMORY>}"#,
            ),
            (
                "{{index .Storage 1}}",
                r#"template: :1:2: executing "" at <index .Storage 1>: error calling index: can't index item of type store.StorageInfo"#,
            ),
            (
                "{{.Metadata.Foo}}",
                r#"template: :1:11: executing "" at <.Metadata.Foo>: can't evaluate field Foo in type store.Metadata"#,
            ),
            (
                "{{eq .Endpoints .Endpoints}}",
                r#"template: :1:2: executing "" at <eq .Endpoints .Endpoints>: error calling eq: non-comparable type map[docker:{unix:///var/run/docker.sock %!s(bool=false)}]: map[string]interface {}"#,
            ),
        ] {
            assert_eq!(inspect(t), (String::new(), Some(want.to_string())), "{t}");
        }
        // Output before the error is kept, as docker prints it.
        assert_eq!(inspect("{{.Name}} {{.Storage.Foo}}").0, "default ");
    }

    /// `docker version --format` against a daemon, as docker 28.2.2 printed it: the template is
    /// named "version", the data is a `system.versionInfo`, and the output before an error is
    /// printed (docker adds a newline) before the error.
    #[test]
    fn docker_version_texts() {
        let data = json!({
            "Client": {"Platform": null, "Version": "28.2.2", "ApiVersion": "1.50"},
            "Server": {"Version": "28.2.2", "ApiVersion": "1.50"},
        });
        let types = Types {
            root: "system.versionInfo",
            fields: &[
                ("Client", "system.clientVersion"),
                ("Client.Platform", "*struct { Name string }"),
                ("Server", "*types.Version"),
            ],
        };
        let run = |t: &str| {
            let (out, err) = Template::parse("version", t)
                .unwrap()
                .execute(&data, &types);
            (out, err.map(|e| e.0))
        };
        assert_eq!(
            run("{{.Server.Version}} {{.Nope}}"),
            (
                "28.2.2 ".to_string(),
                Some(r#"template: version:1:22: executing "version" at <.Nope>: can't evaluate field Nope in type system.versionInfo"#.to_string())
            )
        );
        assert_eq!(
            run("{{.Client.Nope}}").1.unwrap(),
            r#"template: version:1:9: executing "version" at <.Client.Nope>: can't evaluate field Nope in type system.clientVersion"#
        );
        assert_eq!(
            run("{{.Server.Nope}}").1.unwrap(),
            r#"template: version:1:9: executing "version" at <.Server.Nope>: can't evaluate field Nope in type *types.Version"#
        );
        // The fields the data lacks print as the struct's zero values (as the real client does).
        assert_eq!(run("{{.Client}}").0, "{<nil> 28.2.2 1.50       }");
    }

    #[test]
    fn go_structs_give_zero_values() {
        let svc = json!({
            "ID": "x", "Version": {"Index": 3},
            "Spec": {"Name": "web", "Labels": {}, "TaskTemplate": {"ContainerSpec": {"Image": "nginx"}}},
            "Endpoint": {"Spec": {}, "Ports": [{"Protocol": "tcp", "TargetPort": 80}]},
        });
        let types = Types {
            root: "swarm.Service",
            fields: &[],
        };
        let run = |t: &str| {
            let tpl = Template::parse("", t).unwrap();
            let (out, err) = tpl.execute(&svc, &types);
            (out, err.map(|e| e.0))
        };
        let c = "{{with .Spec.TaskTemplate.ContainerSpec}}";
        for (t, want) in [
            (
                format!(
                    "{c}{{{{.Env}}}} {{{{.Healthcheck}}}} {{{{.Labels}}}} {{{{.TTY}}}}{{{{end}}}}"
                ),
                "[] <nil> map[] false",
            ),
            (
                "{{json .Spec.TaskTemplate.ContainerSpec.Env}} {{json .Endpoint.VirtualIPs}}"
                    .into(),
                "null null",
            ),
            ("{{.Endpoint}}".into(), "{{ []} [{ tcp 80 0 }] []}"),
            (
                "{{.UpdateStatus}} {{.Spec.Mode.Global}} {{.Spec.Mode}}".into(),
                "<nil> <nil> {<nil> <nil> <nil> <nil>}",
            ),
            (
                "{{.Spec.Annotations.Name}} {{.Meta.Version.Index}} {{.Version.Index}}".into(),
                "web 3 3",
            ),
            (
                "{{len .Spec.TaskTemplate.Networks}} {{.Spec.TaskTemplate.Placement}}".into(),
                "0 <nil>",
            ),
        ] {
            assert_eq!(run(&t), (want.to_string(), None), "{t}");
        }
        assert_eq!(
            run("{{.Spec.TaskTemplate.Nope}}").1.unwrap(),
            r#"template: :1:7: executing "" at <.Spec.TaskTemplate.Nope>: can't evaluate field Nope in type swarm.TaskSpec"#
        );
    }

    /// docker/cli's TemplateInspector: the typed pass by Go field names, then the raw JSON as
    /// maps with `missingkey=error`, which then stays on for later typed passes.
    #[test]
    fn inspect_runs_typed_then_raw() {
        let c = json!({
            "Id": "abc123", "Name": "/web", "State": {"Status": "running", "Pid": 42},
            "HostConfig": {"Dns": [], "NetworkMode": "bridge"},
            "Config": {"Labels": {"b": "x"}}, "SizeRw": 1.5,
            "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}},
        });
        let kinds = [("container.InspectResponse", true)];
        let run = |t: &str, kinds: &[(&str, bool)]| -> (String, Option<String>) {
            let mut runs = super::inspect(t, std::slice::from_ref(&c), kinds).unwrap();
            assert_eq!(runs.len(), 1);
            let (out, err) = runs.remove(0);
            (out, err.map(|e| e.0))
        };
        let printed = |t: &str| run(t, &kinds);
        let failed = |t: &str, kinds: &[(&str, bool)]| run(t, kinds).1.unwrap();
        for (t, want) in [
            // The typed pass: Go names, zero values for what the JSON leaves out.
            ("{{.ID}} {{.Name}}", "abc123 /web"),
            ("{{.HostConfig.DNS}} {{.HostConfig.DNSSearch}}", "[] []"),
            ("{{.HostConfig.CPUShares}} {{.State.Pid}}", "0 42"),
            ("{{.ContainerJSONBase.ID}}", "abc123"),
            ("{{.Config.Labels.nope}}", "<no value>"),
            (
                r#"{{printf "%+v" .HostConfig.LogConfig}} {{.HostConfig.LogConfig}}"#,
                "{Type: Config:map[]} { map[]}",
            ),
            (
                r#"{{range .NetworkSettings.Ports}}{{printf "%+v" .}}{{end}}"#,
                "[{HostIP: HostPort:8080}]",
            ),
            // The raw pass: JSON names, maps printed sorted, numbers as json.Number.
            ("{{.Id}}", "abc123"),
            ("{{.Id}} {{.State}}", "abc123 map[Pid:42 Status:running]"),
            (
                "{{.Id}} {{json .State}} {{.SizeRw}} {{json .SizeRw}}",
                r#"abc123 {"Pid":42,"Status":"running"} 1.5 1.5"#,
            ),
            (
                r#"{{.Id}} {{printf "%T %T %T" .State .HostConfig.Dns .SizeRw}}"#,
                "abc123 map[string]interface {} []interface {} json.Number",
            ),
            ("{{.Id}} {{.HostConfig.Dns}}", "abc123 []"),
        ] {
            assert_eq!(printed(t), (want.to_string(), None), "{t}");
        }
        for (t, want) in [
            (
                "{{.Nope}}",
                r#"template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope""#,
            ),
            (
                "{{.Id}} {{.ID}}",
                r#"template parsing error: template: :1:10: executing "" at <.ID>: map has no entry for key "ID""#,
            ),
            (
                "{{.Id}} {{.Config.Labels.nope}}",
                r#"template parsing error: template: :1:17: executing "" at <.Config.Labels.nope>: map has no entry for key "nope""#,
            ),
            (
                "{{.Id}} {{.HostConfig.DNS}}",
                r#"template parsing error: template: :1:21: executing "" at <.HostConfig.DNS>: map has no entry for key "DNS""#,
            ),
        ] {
            assert_eq!(failed(t, &kinds), want, "{t}");
        }
        // Without raw JSON (docker volume|node|service inspect) the typed error stands.
        assert_eq!(
            failed("{{.Id}}", &[("container.InspectResponse", false)]),
            r#"template parsing error: template: :1:2: executing "" at <.Id>: can't evaluate field Id in type container.InspectResponse"#
        );
        // A template that does not parse fails the whole call, flagged as a parse error.
        let e = super::inspect("{{.Id", std::slice::from_ref(&c), &kinds).unwrap_err();
        assert!(
            e.1 && e.0.starts_with("template parsing error: template: :1: "),
            "{e:?}"
        );
        // After a fallback the template keeps missingkey=error (Go's Option mutates it).
        let other = json!({"Id": "def", "Config": {"Labels": {}}});
        let t = "{{.Id}} {{.Config.Labels.b}}";
        let both = [c.clone(), other.clone()];
        let runs = super::inspect(t, &both, &[kinds[0], ("", true)]).unwrap();
        assert_eq!(runs[0], ("abc123 x".to_string(), None));
        assert_eq!(
            runs[1].1.as_ref().map(|e| e.0.as_str()),
            Some(
                r#"template parsing error: template: :1:17: executing "" at <.Config.Labels.b>: map has no entry for key "b""#
            )
        );
        let alone = super::inspect(t, std::slice::from_ref(&other), &[("", true)]).unwrap();
        assert_eq!(alone[0], ("def <no value>".to_string(), None));
        // A network and an image: `ID` typed, `Id` raw.
        let net =
            json!({"Name": "bridge", "Id": "n1", "IPAM": {"Config": [{"Subnet": "10.0.0.0/8"}]}});
        let runs = super::inspect(
            "{{.ID}} {{range .IPAM.Config}}{{.Subnet}} {{.AuxAddress}}{{end}}",
            std::slice::from_ref(&net),
            &[("network.Inspect", true)],
        )
        .unwrap();
        assert_eq!(runs[0], ("n1 10.0.0.0/8 map[]".to_string(), None));
        let img =
            json!({"Id": "sha256:1", "Config": {"Env": ["A=1"]}, "RootFS": {"Type": "layers"}});
        let runs = super::inspect(
            "{{.ID}} {{.Config.Env}} {{.Config.Cmd}} {{.RootFS.Layers}}",
            std::slice::from_ref(&img),
            &[("image.InspectResponse", true)],
        )
        .unwrap();
        assert_eq!(runs[0], ("sha256:1 [A=1] [] []".to_string(), None));
    }

    #[test]
    fn type_hints() {
        let node =
            json!({"ID": "abc", "Spec": {"Role": "worker", "Labels": {}}, "ManagerStatus": null});
        let types = Types {
            root: "swarm.Node",
            fields: &[
                ("Spec", "swarm.NodeSpec"),
                ("Spec.Labels", "map[string]string"),
                ("ManagerStatus", "*swarm.ManagerStatus"),
                ("Status", "swarm.NodeStatus"),
                ("Spec.Name", "string"),
                ("Version.Index", "uint64"),
            ],
        };
        let run = |t: &str| {
            let tpl = Template::parse("", t).unwrap();
            let (out, err) = tpl.execute(&node, &types);
            (out, err.map(|e| e.0))
        };
        assert_eq!(
            run("{{.ManagerStatus.Leader}}").1.unwrap(),
            r#"template: :1:16: executing "" at <.ManagerStatus.Leader>: nil pointer evaluating *swarm.ManagerStatus.Leader"#
        );
        assert_eq!(run("{{.ManagerStatus}}").0, "<nil>");
        assert_eq!(run("{{.Spec.Labels}}").0, "map[]");
        assert_eq!(run("{{.Spec.Labels.x}}").0, "<no value>");
        assert_eq!(run("[{{.Spec.Name}}]").0, "[]");
        assert_eq!(
            run("{{.Spec.Nope}}").1.unwrap(),
            r#"template: :1:7: executing "" at <.Spec.Nope>: can't evaluate field Nope in type swarm.NodeSpec"#
        );
        assert_eq!(
            run("{{.Nope}}").1.unwrap(),
            r#"template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type swarm.Node"#
        );
        // Without a hint, a null field is a pointer to a struct named after the field.
        let tpl = Template::parse("", "{{.ManagerStatus.Addr}}").unwrap();
        let (_, err) = tpl.execute(
            &node,
            &Types {
                root: "swarm.Node",
                fields: &[],
            },
        );
        assert_eq!(
            err.unwrap().0,
            r#"template: :1:16: executing "" at <.ManagerStatus.Addr>: nil pointer evaluating *swarm.ManagerStatus.Addr"#
        );
    }

    #[test]
    fn table_with_headers_and_alignment() {
        let rows = vec![
            json!({"ID": "abc123", "Hostname": "manager1", "Status": "Ready"}),
            json!({"ID": "def456789", "Hostname": "w", "Status": "Down"}),
        ];
        let header = |f: &str| match f {
            "ID" => Some("ID".to_string()),
            "Hostname" => Some("HOSTNAME".to_string()),
            "Status" => Some("STATUS".to_string()),
            _ => None,
        };
        let out = render_table(
            r"table {{.ID}}\t{{.Hostname}}\t{{.Status}}",
            &rows,
            "T",
            &header,
        )
        .unwrap();
        assert_eq!(
            out,
            "ID          HOSTNAME   STATUS\n\
             abc123      manager1   Ready\n\
             def456789   w          Down\n"
        );
        // Not a table: one line per row, no alignment; spaces trimmed, \t unescaped.
        let out = render_table(r"  {{.ID}}\t{{.Status}}  ", &rows, "T", &header).unwrap();
        assert_eq!(out, "abc123\tReady\ndef456789\tDown\n");
        // json: each row as JSON.
        let out = render_table("json", &rows[..1], "T", &header).unwrap();
        assert_eq!(
            out,
            "{\"ID\":\"abc123\",\"Hostname\":\"manager1\",\"Status\":\"Ready\"}\n"
        );
        // Header functions leave the titles alone, pad does not (docker context ls, verified).
        let ctx = [ctx_row()];
        let ctx_header = |f: &str| match f {
            "Name" => Some("NAME".to_string()),
            _ => None,
        };
        let out = render_table(
            r#"table {{.Name}}  {{upper .Name}} {{json .Name}} {{pad .Name 2 3}}|{{truncate .Name 3}}|{{split .Name "a"}}"#,
            &ctx,
            CTX_TYPE,
            &ctx_header,
        )
        .unwrap();
        assert_eq!(out, "NAME  NAME NAME   NAME   |NAME|NAME\ndefault  DEFAULT \"default\"   default   |def|[def ult]\n");
        assert_eq!(
            render_table("tablefoo {{.Name}}", &ctx, CTX_TYPE, &ctx_header).unwrap(),
            "foo NAME\nfoo default\n"
        );
        // Verified with docker context ls (its rows have no title for Current).
        assert_eq!(
            render_table(
                r#"table  {{printf "%-12s|" .Current}}  |  {{truncate .Name 1}} "#,
                &ctx,
                CTX_TYPE,
                &ctx_header
            )
            .unwrap(),
            "%!s(<nil>)|  |  NAME\n%!s(bool=true        )|  |  d\n"
        );
        assert_eq!(
            render_table("table ", &ctx, CTX_TYPE, &ctx_header).unwrap(),
            "\n\n"
        );
        // An unknown column title is <no value>; an error ends the header where it happened.
        let out = render_table(
            r"table {{.Name}}\t{{.Error}}\t{{.Name.X}}|",
            &ctx,
            CTX_TYPE,
            &ctx_header,
        );
        assert_eq!(
            out.unwrap_err(),
            TemplateError(r#"template parsing error: template: :1:28: executing "" at <.Name.X>: can't evaluate field X in type string"#.into(), false)
        );
        let out = render_table(
            r"table {{.Name}}\t{{.Error}}\t{{len .Name}}",
            &ctx,
            CTX_TYPE,
            &ctx_header,
        )
        .unwrap();
        assert_eq!(out, "NAME      <no value>   4\ndefault                7\n");
        // Errors carry docker's prefix; no rows means just the header.
        assert_eq!(
            render_table("{{foo}}", &ctx, CTX_TYPE, &ctx_header).unwrap_err(),
            TemplateError(
                r#"template parsing error: template: :1: function "foo" not defined"#.into(),
                true
            )
        );
        assert_eq!(
            render_table(r"table {{.Name}}\t{{.Nope}}|", &ctx, CTX_TYPE, &ctx_header)
                .unwrap_err()
                .0,
            r#"template parsing error: template: :1:12: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.clientContextContext"#
        );
        assert_eq!(
            render_table(r"table {{.Name}}\t{{.Name}}", &[], CTX_TYPE, &ctx_header).unwrap(),
            "NAME      NAME\n"
        );
        assert_eq!(
            render_table("{{.Name}}", &[], CTX_TYPE, &ctx_header).unwrap(),
            ""
        );
    }

    #[test]
    fn limits_stop_runaway_templates() {
        let d = ctx_row();
        let e = exec_err("{{range 100000000}}{{end}}");
        assert!(e.contains("limit"), "{e}");
        let e = exec_err(r#"{{pad "a" 100000000 0}}"#);
        assert!(e.contains("limit"), "{e}");
        let e = exec_err(r#"{{range 3000}}{{pad "a" 10000 0}}{{end}}"#);
        assert!(e.contains("limit"), "{e}");
        let deep = format!("{}1{}", "(".repeat(150), ")".repeat(150));
        assert_eq!(
            parse_err(&format!("{{{{{deep}}}}}")),
            "template: :1: max expression depth exceeded"
        );
        let ok_deep = format!("{}1{}", "(".repeat(90), ")".repeat(90));
        assert_eq!(ok(&format!("{{{{{ok_deep}}}}}"), &d), "1");
    }

    /// Deeply nested templates must stay well inside a small (wasm-sized) stack.
    #[test]
    fn deep_nesting_fits_a_small_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let d = ctx_row();
                let ifs = format!("{}x{}", "{{if 1}}".repeat(99), "{{end}}".repeat(99));
                assert_eq!(render(&ifs, &d, "T").unwrap(), "x");
                let too_deep = format!("{}x{}", "{{if 1}}".repeat(120), "{{end}}".repeat(120));
                assert!(render(&too_deep, &d, "T").unwrap_err().1);
                let parens = format!("{{{{{}1{}}}}}", "(len (print ".repeat(45), "))".repeat(45));
                assert!(render(&parens, &d, "T").is_ok());
                let rec = r#"{{define "r"}}{{if 1}}{{with 1}}{{range 1}}{{template "r" .}}{{end}}{{end}}{{end}}{{end}}{{template "r" .}}"#;
                assert!(render(rec, &d, "T").unwrap_err().0.contains("maximum template depth"));
                let ranges = format!("{}x{}", "{{range 1}}".repeat(99), "{{end}}".repeat(99));
                assert_eq!(render(&ranges, &d, "T").unwrap(), "x");
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn float_formatting_matches_strconv() {
        for (f, fmt, prec, want) in [
            (0.0, 'g', -1, "0"),
            (1.0, 'g', -1, "1"),
            (0.1, 'g', -1, "0.1"),
            (1e-5, 'g', -1, "1e-05"),
            (123456.0, 'g', -1, "123456"),
            (1234567.0, 'g', -1, "1.234567e+06"),
            (-2.5, 'g', -1, "-2.5"),
            (1.23456, 'e', 2, "1.23e+00"),
            (0.0, 'e', 6, "0.000000e+00"),
            (1.5, 'g', 5, "1.5"),
            (123.456, 'g', 2, "1.2e+02"),
            (1e21, 'f', -1, "1000000000000000000000"),
            (2.5, 'f', 0, "2"),
            (1e100, 'e', -1, "1e+100"),
        ] {
            assert_eq!(format_float(f, fmt, prec), want, "{f} {fmt} {prec}");
        }
    }

    fn arb_template() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "{{",
            "}}",
            "{{-",
            "-}}",
            " ",
            ".",
            ".Name",
            ".Foo",
            "$",
            "$x",
            ":=",
            "=",
            "|",
            "(",
            ")",
            "\"",
            "`",
            "'",
            "if",
            "else",
            "end",
            "range",
            "with",
            "define",
            "template",
            "block",
            "break",
            "continue",
            "nil",
            "true",
            "1",
            "-1",
            "1.5",
            "0x",
            "1e",
            "'a'",
            "\"s\"",
            "and",
            "or",
            "not",
            "eq",
            "lt",
            "len",
            "index",
            "slice",
            "print",
            "printf",
            "\"%d %s %v %q %x %5.2f %-3s %*d %\"",
            "json",
            "split",
            "join",
            "title",
            "pad",
            "truncate",
            "upper",
            "call",
            "/*",
            "*/",
            "\n",
            ",",
            "@",
            "é",
            "\u{1}",
            "{{range $i, $v := .}}",
            "{{end}}",
            "{{else}}",
            "{{if .}}",
            "10",
            "100000",
        ]);
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn never_panics(t in arb_template()) {
            let data = json!({
                "Name": "n", "List": [1, "a", null, {"K": 1}], "Map": {"k": [1.5]}, "Nil": null,
            });
            let _ = render(&t, &data, "T");
            let _ = render(&t, &json!([1, 2]), "T");
            let header = |f: &str| Some(f.to_uppercase());
            let _ = render_table(&format!("table {t}"), &[data.clone(), json!("x")], "T", &header);
        }

        #[test]
        fn never_panics_on_any_text(t in "\\PC{0,40}") {
            let _ = render(&t, &json!({"A": 1}), "T");
            let _ = render(&format!("{{{{{t}}}}}"), &json!({"A": 1}), "T");
            let _ = render(&format!("{{{{printf {t:?} 1 \"a\" 2.5}}}}"), &json!({"A": 1}), "T");
        }
    }
}
