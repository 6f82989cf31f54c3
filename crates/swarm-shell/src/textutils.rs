//! The text tools students pipe docker's output through: `head`, `tail`, `wc`, `sort`, `uniq`,
//! `cut`, `tr`, `tee`, `sed`, `awk`, `seq`, `xargs` (`jq` is in `jq_cmd`).
//!
//! Each is a pure function of its arguments, its standard input and a file reader
//! ([`Files`]), returning what it prints and its status, with GNU coreutils'/sed's/awk's
//! texts. Files are read through [`read_file`] and written through [`write_file`], the only
//! places that know where files live.

use std::fmt::Write as _;

use crate::exec::{Interp, Io};

/// What a tool printed and its exit status.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Run {
    pub out: String,
    pub err: String,
    pub status: i32,
}

impl Run {
    fn fail(err: String, status: i32) -> Run {
        Run {
            out: String::new(),
            err,
            status,
        }
    }
}

/// File access for the tools: reading a path, writing (or appending to) one.
pub(crate) struct Files<'a> {
    pub read: &'a dyn Fn(&str) -> Result<String, String>,
    pub write: &'a dyn Fn(&str, &str, bool) -> Result<(), String>,
}

/// Reads `path` on the shell's machine; `Err` is the `strerror` text.
pub(crate) fn read_file(interp: &Interp, path: &str) -> Result<String, String> {
    crate::fsutils::read_file(interp, path).map_err(|e| e.to_string())
}

/// Writes (or appends) `data` to `path` on the shell's machine.
pub(crate) fn write_file(
    interp: &Interp,
    path: &str,
    data: &str,
    append: bool,
) -> Result<(), String> {
    crate::fsutils::write_file(interp, path, data, append)
}

/// Runs one of [`COMMANDS`] in the shell and writes its output.
pub(crate) fn run_in_shell(interp: &Interp, name: &str, args: &[String], io: &Io) -> i32 {
    let read = |p: &str| read_file(interp, p);
    let write = |p: &str, d: &str, a: bool| write_file(interp, p, d, a);
    let files = Files {
        read: &read,
        write: &write,
    };
    let r = run(name, args, &io.stdin, &files);
    io.out.write(&r.out);
    io.err.write(&r.err);
    r.status
}

/// Runs a tool over `stdin`.
pub(crate) fn run(name: &str, args: &[String], stdin: &str, files: &Files) -> Run {
    match name {
        "head" | "tail" => head_tail(name, args, stdin, files),
        "wc" => wc(args, stdin, files),
        "sort" => sort(args, stdin, files),
        "uniq" => uniq(args, stdin, files),
        "cut" => cut(args, stdin, files),
        "tr" => tr(args, stdin),
        "tee" => tee(args, stdin, files),
        "sed" => sed(args, stdin, files),
        "awk" => awk(args, stdin, files),
        "seq" => seq(args),
        _ => Run::fail(format!("bash: {name}: command not found\n"), 127),
    }
}

fn try_help(name: &str) -> String {
    format!("Try '{name} --help' for more information.\n")
}

fn invalid_option(name: &str, c: char) -> Run {
    Run::fail(
        format!("{name}: invalid option -- '{c}'\n{}", try_help(name)),
        if name == "sort" { 2 } else { 1 },
    )
}

fn missing_argument(name: &str, c: char) -> Run {
    Run::fail(
        format!(
            "{name}: option requires an argument -- '{c}'\n{}",
            try_help(name)
        ),
        if name == "sort" { 2 } else { 1 },
    )
}

/// The texts of the operands (`-` or none: standard input), in order, with the errors of the
/// files that could not be read (`NAME: FILE: No such file or directory`).
fn inputs(
    name: &str,
    operands: &[String],
    stdin: &str,
    files: &Files,
) -> (Vec<(String, String)>, String) {
    let mut texts = Vec::new();
    let mut err = String::new();
    if operands.is_empty() {
        texts.push(("-".to_string(), stdin.to_string()));
    }
    for f in operands {
        if f == "-" {
            texts.push((f.clone(), stdin.to_string()));
            continue;
        }
        match (files.read)(f) {
            Ok(t) => texts.push((f.clone(), t)),
            Err(e) => {
                let _ = writeln!(err, "{name}: {f}: {e}");
            }
        }
    }
    (texts, err)
}

/// Lines with their newline kept (the last may lack one).
fn lines_of(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

// ---------------------------------------------------------------------------------- head/tail

fn head_tail(name: &str, args: &[String], stdin: &str, files: &Files) -> Run {
    // Count, and whether it counts bytes; `+N` for tail (from line N), `-N` for head (all but).
    let mut count: (String, bool) = ("10".into(), false);
    let mut operands = Vec::new();
    let mut quiet = false;
    let mut verbose = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if a == "-" || !a.starts_with('-') {
            operands.push(a.clone());
            continue;
        }
        if a == "--" {
            operands.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(v) = a.strip_prefix("--lines=") {
            count = (v.to_string(), false);
            continue;
        }
        if let Some(v) = a.strip_prefix("--bytes=") {
            count = (v.to_string(), true);
            continue;
        }
        match a.as_str() {
            "--quiet" | "--silent" => {
                quiet = true;
                continue;
            }
            "--verbose" => {
                verbose = true;
                continue;
            }
            _ if a.starts_with("--") => {
                return Run::fail(
                    format!("{name}: unrecognized option '{a}'\n{}", try_help(name)),
                    1,
                )
            }
            _ => {}
        }
        let body = &a[1..];
        if body.bytes().all(|b| b.is_ascii_digit()) {
            count = (body.to_string(), false);
            continue;
        }
        for (k, c) in body.char_indices() {
            match c {
                'n' | 'c' => {
                    let rest = &body[k + 1..];
                    let v = if !rest.is_empty() {
                        rest.to_string()
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        v.clone()
                    } else {
                        return missing_argument(name, c);
                    };
                    count = (v, c == 'c');
                    break;
                }
                'q' => quiet = true,
                'v' => verbose = true,
                'f' if name == "tail" => {}
                _ => return invalid_option(name, c),
            }
        }
    }
    let (spec, bytes) = count;
    let (from_start, all_but, digits) = match spec.chars().next() {
        Some('+') => (true, false, &spec[1..]),
        Some('-') => (false, true, &spec[1..]),
        _ => (false, false, spec.as_str()),
    };
    let Ok(n) = digits.parse::<usize>() else {
        let what = if bytes { "bytes" } else { "lines" };
        return Run::fail(format!("{name}: invalid number of {what}: '{spec}'\n"), 1);
    };
    let mut out = String::new();
    let mut err = String::new();
    let mut status = 0;
    let several = operands.len() > 1;
    let names: Vec<String> = if operands.is_empty() {
        vec!["-".into()]
    } else {
        operands.clone()
    };
    let mut first = true;
    for f in names {
        let text = if f == "-" {
            stdin.to_string()
        } else {
            match (files.read)(&f) {
                Ok(t) => t,
                Err(e) => {
                    let _ = writeln!(err, "{name}: cannot open '{f}' for reading: {e}");
                    status = 1;
                    continue;
                }
            }
        };
        if (several || verbose) && !quiet {
            let shown = if f == "-" { "standard input" } else { &f };
            let _ = writeln!(out, "{}==> {shown} <==", if first { "" } else { "\n" });
        }
        first = false;
        if bytes {
            let b = text.as_bytes();
            let pick = if name == "head" {
                if all_but {
                    &b[..b.len().saturating_sub(n)]
                } else {
                    &b[..n.min(b.len())]
                }
            } else if from_start {
                &b[n.saturating_sub(1).min(b.len())..]
            } else {
                &b[b.len().saturating_sub(n)..]
            };
            out.push_str(&String::from_utf8_lossy(pick));
        } else {
            let lines = lines_of(&text);
            let pick: &[&str] = if name == "head" {
                if all_but {
                    &lines[..lines.len().saturating_sub(n)]
                } else {
                    &lines[..n.min(lines.len())]
                }
            } else if from_start {
                &lines[n.saturating_sub(1).min(lines.len())..]
            } else {
                &lines[lines.len().saturating_sub(n)..]
            };
            out.push_str(&pick.concat());
        }
    }
    Run { out, err, status }
}

// ------------------------------------------------------------------------------------------ wc

fn wc(args: &[String], stdin: &str, files: &Files) -> Run {
    let (mut l, mut w, mut c, mut m, mut longest) = (false, false, false, false, false);
    let mut operands = Vec::new();
    for a in args {
        if a == "-" || !a.starts_with('-') {
            operands.push(a.clone());
            continue;
        }
        match a.as_str() {
            "--lines" => l = true,
            "--words" => w = true,
            "--bytes" => c = true,
            "--chars" => m = true,
            "--max-line-length" => longest = true,
            _ if a.starts_with("--") => {
                return Run::fail(
                    format!("wc: unrecognized option '{a}'\n{}", try_help("wc")),
                    1,
                )
            }
            _ => {
                for ch in a[1..].chars() {
                    match ch {
                        'l' => l = true,
                        'w' => w = true,
                        'c' => c = true,
                        'm' => m = true,
                        'L' => longest = true,
                        _ => return invalid_option("wc", ch),
                    }
                }
            }
        }
    }
    if !(l || w || c || m || longest) {
        (l, w, c) = (true, true, true);
    }
    let (texts, err) = inputs("wc", &operands, stdin, files);
    let status = i32::from(!err.is_empty());
    let counts: Vec<(String, [usize; 5])> = texts
        .iter()
        .map(|(name, t)| {
            let longest_line = t.lines().map(|x| x.chars().count()).max().unwrap_or(0);
            (
                name.clone(),
                [
                    t.matches('\n').count(),
                    t.split_whitespace().count(),
                    t.chars().count(),
                    t.len(),
                    longest_line,
                ],
            )
        })
        .collect();
    let shown = [l, w, m, c, longest];
    let order = [0usize, 1, 2, 3, 4];
    let n_shown = shown.iter().filter(|s| **s).count();
    // GNU's width: the digits of the total size of the regular files, at least 7 when some
    // input is a pipe; 1 when there is a single count of a single input.
    let from_pipe = texts.iter().any(|(n, _)| n == "-");
    let total_bytes: usize = texts
        .iter()
        .filter(|(n, _)| n != "-")
        .map(|(_, t)| t.len())
        .sum();
    let mut width = total_bytes.max(1).to_string().len();
    if from_pipe {
        width = width.max(7);
    }
    if n_shown == 1 && texts.len() + usize::from(!err.is_empty()) <= 1 {
        width = 1;
    }
    let mut out = String::new();
    let mut line = |name: &str, v: &[usize; 5]| {
        let cols: Vec<String> = order
            .iter()
            .filter(|&&k| shown[k])
            .map(|&k| format!("{:>width$}", v[k]))
            .collect();
        out.push_str(&cols.join(" "));
        if !operands.is_empty() {
            out.push(' ');
            out.push_str(name);
        }
        out.push('\n');
    };
    for (name, v) in &counts {
        let shown_name = if operands.is_empty() {
            "-"
        } else {
            name.as_str()
        };
        if operands.is_empty() {
            line("-", v);
        } else {
            line(shown_name, v);
        }
    }
    if operands.len() > 1 {
        let mut total = [0usize; 5];
        for (_, v) in &counts {
            for k in 0..4 {
                total[k] += v[k];
            }
            total[4] = total[4].max(v[4]);
        }
        line("total", &total);
    }
    Run { out, err, status }
}

// ---------------------------------------------------------------------------------------- sort

/// A `-k` key: fields (1-based) and options of its own.
#[derive(Clone, Default)]
struct SortKey {
    start: usize,
    end: Option<usize>,
    numeric: bool,
    reverse: bool,
}

fn sort(args: &[String], stdin: &str, files: &Files) -> Run {
    let (mut reverse, mut numeric, mut unique, mut fold, mut human) =
        (false, false, false, false, false);
    let mut sep: Option<char> = None;
    let mut keys: Vec<SortKey> = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    let parse_key = |v: &str| -> Option<SortKey> {
        let (a, b) = match v.split_once(',') {
            Some((a, b)) => (a, Some(b)),
            None => (v, None),
        };
        let mut k = SortKey::default();
        let field = |s: &str, k: &mut SortKey| -> Option<usize> {
            let digits: String = s
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            for c in s[digits.len()..].chars() {
                match c {
                    'n' | 'g' | 'h' => k.numeric = true,
                    'r' => k.reverse = true,
                    'b' | 'f' | 'd' | 'i' | 'V' | 'M' => {}
                    _ => return None,
                }
            }
            digits.split('.').next()?.parse::<usize>().ok()
        };
        k.start = field(a, &mut k)?;
        if let Some(b) = b {
            k.end = Some(field(b, &mut k)?);
        }
        Some(k)
    };
    while let Some(a) = args.get(i) {
        i += 1;
        if a == "-" || !a.starts_with('-') {
            operands.push(a.clone());
            continue;
        }
        if let Some(v) = a.strip_prefix("--key=") {
            match parse_key(v) {
                Some(k) if k.start > 0 => keys.push(k),
                _ => {
                    return Run::fail(
                        format!(
                        "sort: invalid number at field start: invalid count at start of '{v}'\n"
                    ),
                        2,
                    )
                }
            }
            continue;
        }
        if let Some(v) = a.strip_prefix("--field-separator=") {
            sep = v.chars().next();
            continue;
        }
        match a.as_str() {
            "--reverse" => reverse = true,
            "--numeric-sort" => numeric = true,
            "--unique" => unique = true,
            "--ignore-case" => fold = true,
            "--human-numeric-sort" => human = true,
            _ if a.starts_with("--") => {
                return Run::fail(
                    format!("sort: unrecognized option '{a}'\n{}", try_help("sort")),
                    2,
                )
            }
            _ => {
                let body = &a[1..];
                for (k, c) in body.char_indices() {
                    match c {
                        'r' => reverse = true,
                        'n' | 'g' => numeric = true,
                        'h' => human = true,
                        'u' => unique = true,
                        'f' => fold = true,
                        'b' | 's' | 'V' | 'd' | 'i' | 'M' => {}
                        'k' | 't' => {
                            let rest = &body[k + 1..];
                            let v = if !rest.is_empty() {
                                rest.to_string()
                            } else if let Some(v) = args.get(i) {
                                i += 1;
                                v.clone()
                            } else {
                                return missing_argument("sort", c);
                            };
                            if c == 't' {
                                if v.chars().count() != 1 {
                                    return Run::fail(
                                        format!("sort: multi-character tab '{v}'\n"),
                                        2,
                                    );
                                }
                                sep = v.chars().next();
                            } else {
                                match parse_key(&v) {
                                    Some(k) if k.start > 0 => keys.push(k),
                                    Some(_) => return Run::fail(format!("sort: field number is zero: invalid field specification '{v}'\n"), 2),
                                    None => return Run::fail(format!("sort: invalid number at field start: invalid count at start of '{v}'\n"), 2),
                                }
                            }
                            break;
                        }
                        _ => return invalid_option("sort", c),
                    }
                }
            }
        }
    }
    let (texts, err) = inputs("sort", &operands, stdin, files);
    if !err.is_empty() {
        return Run::fail(err.replace("sort: ", "sort: cannot read: "), 2);
    }
    let all: String = texts
        .into_iter()
        .map(|(_, t)| {
            if t.is_empty() || t.ends_with('\n') {
                t
            } else {
                t + "\n"
            }
        })
        .collect();
    let mut lines: Vec<&str> = all.lines().collect();
    let numeric = numeric || human;
    let key_text = |line: &'_ str, k: &SortKey| -> String {
        let fields = split_fields(line, sep);
        let from = k.start.saturating_sub(1);
        let to = k.end.unwrap_or(usize::MAX);
        if from >= fields.len() {
            return String::new();
        }
        let to = to.min(fields.len());
        if to <= from {
            return String::new();
        }
        let start = fields[from].0;
        let end = fields[to - 1].1;
        line[start..end].to_string()
    };
    let cmp_text = |a: &str, b: &str, numeric: bool| -> std::cmp::Ordering {
        if numeric {
            let (x, y) = (leading_number(a), leading_number(b));
            x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal)
        } else if fold {
            a.to_uppercase().cmp(&b.to_uppercase())
        } else {
            a.cmp(b)
        }
    };
    let key_cmp = |a: &str, b: &str| -> std::cmp::Ordering {
        if keys.is_empty() {
            let o = cmp_text(a, b, numeric);
            return if reverse { o.reverse() } else { o };
        }
        for k in &keys {
            let kn = k.numeric || numeric;
            let mut o = cmp_text(&key_text(a, k), &key_text(b, k), kn);
            if k.reverse || reverse {
                o = o.reverse();
            }
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    };
    swarm_core::sort::sort_by(&mut lines, |a, b| {
        key_cmp(a, b).then_with(|| {
            if unique {
                std::cmp::Ordering::Equal
            } else {
                let o = a.cmp(b);
                if reverse {
                    o.reverse()
                } else {
                    o
                }
            }
        })
    });
    if unique {
        lines.dedup_by(|a, b| key_cmp(a, b) == std::cmp::Ordering::Equal);
    }
    let mut out = String::new();
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    Run {
        out,
        err: String::new(),
        status: 0,
    }
}

/// Byte ranges of the fields of `line`: split at `sep`, or (without one) each field being its
/// leading blanks and the non-blanks after them, as sort's default fields are.
fn split_fields(line: &str, sep: Option<char>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    match sep {
        Some(s) => {
            let mut start = 0;
            for (i, c) in line.char_indices() {
                if c == s {
                    out.push((start, i));
                    start = i + c.len_utf8();
                }
            }
            out.push((start, line.len()));
        }
        None => {
            let b = line.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let start = i;
                while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                    i += 1;
                }
                while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
                    i += 1;
                }
                out.push((start, i));
            }
        }
    }
    out
}

/// The number a line starts with (after blanks), as `sort -n` reads it; 0 if none.
fn leading_number(s: &str) -> f64 {
    let t = s.trim_start();
    let mut end = 0;
    let mut seen_dot = false;
    for (i, c) in t.char_indices() {
        if c.is_ascii_digit() || (i == 0 && c == '-') || (c == '.' && !seen_dot) {
            seen_dot |= c == '.';
            end = i + 1;
        } else {
            break;
        }
    }
    t[..end].parse().unwrap_or(0.0)
}

// ---------------------------------------------------------------------------------------- uniq

fn uniq(args: &[String], stdin: &str, files: &Files) -> Run {
    let (mut count, mut dups, mut uniques, mut fold) = (false, false, false, false);
    let mut operands = Vec::new();
    for a in args {
        if a == "-" || !a.starts_with('-') {
            operands.push(a.clone());
            continue;
        }
        match a.as_str() {
            "--count" => count = true,
            "--repeated" => dups = true,
            "--unique" => uniques = true,
            "--ignore-case" => fold = true,
            _ if a.starts_with("--") => {
                return Run::fail(
                    format!("uniq: unrecognized option '{a}'\n{}", try_help("uniq")),
                    1,
                )
            }
            _ => {
                for c in a[1..].chars() {
                    match c {
                        'c' => count = true,
                        'd' => dups = true,
                        'u' => uniques = true,
                        'i' => fold = true,
                        _ => return invalid_option("uniq", c),
                    }
                }
            }
        }
    }
    if operands.len() > 2 {
        return Run::fail(
            format!(
                "uniq: extra operand '{}'\n{}",
                operands[2],
                try_help("uniq")
            ),
            1,
        );
    }
    let text = match operands.first().map(String::as_str) {
        None | Some("-") => stdin.to_string(),
        Some(f) => match (files.read)(f) {
            Ok(t) => t,
            Err(e) => return Run::fail(format!("uniq: {f}: {e}\n"), 1),
        },
    };
    let same = |a: &str, b: &str| {
        if fold {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for l in text.lines() {
        match groups.last_mut() {
            Some((g, n)) if same(g, l) => *n += 1,
            _ => groups.push((l, 1)),
        }
    }
    let mut out = String::new();
    for (l, n) in groups {
        if (dups && n < 2) || (uniques && n > 1) {
            continue;
        }
        if count {
            let _ = writeln!(out, "{n:>7} {l}");
        } else {
            let _ = writeln!(out, "{l}");
        }
    }
    if let Some(f) = operands.get(1) {
        if let Err(e) = (files.write)(f, &out, false) {
            return Run::fail(format!("uniq: {f}: {e}\n"), 1);
        }
        out.clear();
    }
    Run {
        out,
        err: String::new(),
        status: 0,
    }
}

// ----------------------------------------------------------------------------------------- cut

/// `N`, `N-M`, `N-`, `-M`, comma-separated: which 1-based positions to keep.
fn parse_list(list: &str, what: &str) -> Result<Vec<(usize, usize)>, String> {
    let mut ranges = Vec::new();
    for part in list.split(',') {
        let bad = || format!("cut: invalid {what} value '{part}'\n{}", try_help("cut"));
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (part, None),
        };
        let num = |s: &str| -> Result<Option<usize>, String> {
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse::<usize>().map(Some).map_err(|_| bad())
            }
        };
        let (x, y) = (
            num(a)?,
            match b {
                Some(b) => num(b)?,
                None => None,
            },
        );
        let (lo, hi) = match (x, y, b.is_some()) {
            (Some(x), _, false) => (x, x),
            (Some(x), Some(y), true) => (x, y),
            (Some(x), None, true) => (x, usize::MAX),
            (None, Some(y), true) => (1, y),
            _ => {
                return Err(format!(
                    "cut: invalid range with no endpoint: -\n{}",
                    try_help("cut")
                ))
            }
        };
        if lo == 0 {
            let w = if what == "field" {
                "fields"
            } else {
                "byte/character positions"
            };
            return Err(format!("cut: {w} are numbered from 1\n{}", try_help("cut")));
        }
        if hi < lo {
            return Err(format!(
                "cut: invalid decreasing range\n{}",
                try_help("cut")
            ));
        }
        ranges.push((lo, hi));
    }
    Ok(ranges)
}

fn cut(args: &[String], stdin: &str, files: &Files) -> Run {
    let mut delim: Option<String> = None;
    let mut mode: Option<(char, String)> = None;
    let mut only_delimited = false;
    let mut complement = false;
    let mut out_delim: Option<String> = None;
    let mut operands = Vec::new();
    let mut i = 0;
    let usage = || {
        Run::fail(
            format!(
                "cut: you must specify a list of bytes, characters, or fields\n{}",
                try_help("cut")
            ),
            1,
        )
    };
    while let Some(a) = args.get(i) {
        i += 1;
        if a == "-" || !a.starts_with('-') {
            operands.push(a.clone());
            continue;
        }
        if let Some(v) = a.strip_prefix("--delimiter=") {
            delim = Some(v.to_string());
            continue;
        }
        if let Some(v) = a.strip_prefix("--fields=") {
            mode = Some(('f', v.to_string()));
            continue;
        }
        if let Some(v) = a.strip_prefix("--output-delimiter=") {
            out_delim = Some(v.to_string());
            continue;
        }
        match a.as_str() {
            "--only-delimited" => {
                only_delimited = true;
                continue;
            }
            "--complement" => {
                complement = true;
                continue;
            }
            _ if a.starts_with("--") => {
                return Run::fail(
                    format!("cut: unrecognized option '{a}'\n{}", try_help("cut")),
                    1,
                )
            }
            _ => {}
        }
        let body = &a[1..];
        for (k, c) in body.char_indices() {
            match c {
                's' => only_delimited = true,
                'n' => {}
                'd' | 'f' | 'c' | 'b' => {
                    let rest = &body[k + c.len_utf8()..];
                    let v = if !rest.is_empty() {
                        rest.to_string()
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        v.clone()
                    } else {
                        return missing_argument("cut", c);
                    };
                    if c == 'd' {
                        delim = Some(v);
                    } else {
                        if mode.is_some() {
                            return Run::fail(
                                format!(
                                    "cut: only one type of list may be specified\n{}",
                                    try_help("cut")
                                ),
                                1,
                            );
                        }
                        mode = Some((c, v));
                    }
                    break;
                }
                _ => return invalid_option("cut", c),
            }
        }
    }
    let Some((kind, list)) = mode else {
        return usage();
    };
    let what = if kind == 'f' {
        "field"
    } else {
        "byte/character"
    };
    let ranges = match parse_list(&list, what) {
        Ok(r) => r,
        Err(e) => return Run::fail(e, 1),
    };
    let d = match &delim {
        Some(d) if d.chars().count() != 1 => {
            return Run::fail(
                format!(
                    "cut: the delimiter must be a single character\n{}",
                    try_help("cut")
                ),
                1,
            )
        }
        Some(d) => d.clone(),
        None => "\t".into(),
    };
    if delim.is_some() && kind != 'f' {
        return Run::fail(
            format!(
                "cut: an input delimiter may be specified only when operating on fields\n{}",
                try_help("cut")
            ),
            1,
        );
    }
    let keep = |pos: usize| ranges.iter().any(|(lo, hi)| pos >= *lo && pos <= *hi) != complement;
    let (texts, err) = inputs("cut", &operands, stdin, files);
    let mut out = String::new();
    for (_, t) in &texts {
        for line in t.lines() {
            if kind == 'f' {
                if !line.contains(d.as_str()) {
                    if !only_delimited {
                        out.push_str(line);
                        out.push('\n');
                    }
                    continue;
                }
                let od = out_delim.clone().unwrap_or_else(|| d.clone());
                let picked: Vec<&str> = line
                    .split(d.as_str())
                    .enumerate()
                    .filter(|(i, _)| keep(i + 1))
                    .map(|(_, f)| f)
                    .collect();
                out.push_str(&picked.join(&od));
            } else {
                let picked: String = if kind == 'c' {
                    line.chars()
                        .enumerate()
                        .filter(|(i, _)| keep(i + 1))
                        .map(|(_, c)| c)
                        .collect()
                } else {
                    let bytes: Vec<u8> = line
                        .bytes()
                        .enumerate()
                        .filter(|(i, _)| keep(i + 1))
                        .map(|(_, b)| b)
                        .collect();
                    String::from_utf8_lossy(&bytes).into_owned()
                };
                out.push_str(&picked);
            }
            out.push('\n');
        }
    }
    let status = i32::from(!err.is_empty());
    Run { out, err, status }
}

// ------------------------------------------------------------------------------------------ tr

/// Expands a `tr` set: ranges, escapes and the classes students use.
fn tr_set(s: &str) -> Result<Vec<char>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let unescape = |chars: &[char], i: &mut usize| -> char {
        let c = chars[*i];
        *i += 1;
        if c != '\\' || *i >= chars.len() {
            return c;
        }
        let e = chars[*i];
        *i += 1;
        match e {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '\\' => '\\',
            '0' => '\0',
            other => other,
        }
    };
    while i < chars.len() {
        if chars[i] == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[2..end];
                let members: Vec<char> = match class {
                    "upper" => ('A'..='Z').collect(),
                    "lower" => ('a'..='z').collect(),
                    "digit" => ('0'..='9').collect(),
                    "alpha" => ('A'..='Z').chain('a'..='z').collect(),
                    "alnum" => ('0'..='9').chain('A'..='Z').chain('a'..='z').collect(),
                    "space" => vec![' ', '\t', '\n', '\r', '\x0b', '\x0c'],
                    "blank" => vec![' ', '\t'],
                    "punct" => (33u8..127)
                        .map(char::from)
                        .filter(|c| c.is_ascii_punctuation())
                        .collect(),
                    "xdigit" => ('0'..='9').chain('A'..='F').chain('a'..='f').collect(),
                    _ => return Err(format!("tr: invalid character class '{class}'\n")),
                };
                out.extend(members);
                i += rest[..end + 2].chars().count();
                continue;
            }
        }
        let c = unescape(&chars, &mut i);
        if chars.get(i) == Some(&'-') && i + 1 < chars.len() {
            i += 1;
            let hi = unescape(&chars, &mut i);
            if hi < c {
                return Err(format!(
                    "tr: range-endpoints of '{}-{}' are in reverse collating sequence order\n",
                    c, hi
                ));
            }
            out.extend(c..=hi);
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn tr(args: &[String], stdin: &str) -> Run {
    let (mut delete, mut squeeze, mut complement) = (false, false, false);
    let mut sets = Vec::new();
    for a in args {
        if a.len() > 1 && a.starts_with('-') && sets.is_empty() {
            match a.as_str() {
                "--delete" => delete = true,
                "--squeeze-repeats" => squeeze = true,
                "--complement" => complement = true,
                _ if a.starts_with("--") => {
                    return Run::fail(
                        format!("tr: unrecognized option '{a}'\n{}", try_help("tr")),
                        1,
                    )
                }
                _ => {
                    for c in a[1..].chars() {
                        match c {
                            'd' => delete = true,
                            's' => squeeze = true,
                            'c' | 'C' => complement = true,
                            't' => {}
                            _ => return invalid_option("tr", c),
                        }
                    }
                }
            }
        } else {
            sets.push(a.clone());
        }
    }
    if sets.is_empty() {
        return Run::fail(format!("tr: missing operand\n{}", try_help("tr")), 1);
    }
    let translating = !(delete || squeeze && sets.len() == 1);
    if translating && sets.len() < 2 {
        return Run::fail(
            format!(
                "tr: missing operand after '{}'\nTwo strings must be given when translating.\n{}",
                sets[0],
                try_help("tr")
            ),
            1,
        );
    }
    if delete && !squeeze && sets.len() > 1 {
        return Run::fail(
            format!("tr: extra operand '{}'\nOnly one string may be given when deleting without squeezing repeats.\n{}", sets[1], try_help("tr")),
            1,
        );
    }
    let set1 = match tr_set(&sets[0]) {
        Ok(s) => s,
        Err(e) => return Run::fail(e, 1),
    };
    let set2 = match sets.get(1).map(|s| tr_set(s)).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Run::fail(e, 1),
    };
    let in1 = |c: char| set1.contains(&c) != complement;
    let mut out = String::new();
    let squeeze_set: &[char] = if translating || delete { &set2 } else { &set1 };
    let mut last: Option<char> = None;
    for c in stdin.chars() {
        let mapped = if delete {
            if in1(c) {
                continue;
            }
            c
        } else if translating {
            if complement {
                if in1(c) {
                    *set2.last().unwrap_or(&c)
                } else {
                    c
                }
            } else {
                match set1.iter().rposition(|x| *x == c) {
                    Some(p) => *set2.get(p).or(set2.last()).unwrap_or(&c),
                    None => c,
                }
            }
        } else {
            c
        };
        if squeeze {
            let sq = if !translating && !delete {
                in1(mapped)
            } else {
                squeeze_set.contains(&mapped)
            };
            if sq && last == Some(mapped) {
                continue;
            }
        }
        last = Some(mapped);
        out.push(mapped);
    }
    Run {
        out,
        err: String::new(),
        status: 0,
    }
}

// ----------------------------------------------------------------------------------------- tee

fn tee(args: &[String], stdin: &str, files: &Files) -> Run {
    let mut append = false;
    let mut targets = Vec::new();
    for a in args {
        match a.as_str() {
            "-a" | "--append" => append = true,
            "-i" | "--ignore-interrupts" | "-p" => {}
            _ if a.starts_with('-') && a.len() > 1 => {
                let c = a[1..].chars().find(|c| !"aip".contains(*c)).unwrap_or('-');
                if c == '-' {
                    return Run::fail(
                        format!("tee: unrecognized option '{a}'\n{}", try_help("tee")),
                        1,
                    );
                }
                return invalid_option("tee", c);
            }
            _ => targets.push(a.clone()),
        }
    }
    let mut err = String::new();
    for t in &targets {
        if let Err(e) = (files.write)(t, stdin, append) {
            let _ = writeln!(err, "tee: {t}: {e}");
        }
    }
    let status = i32::from(!err.is_empty());
    Run {
        out: stdin.to_string(),
        err,
        status,
    }
}

// ----------------------------------------------------------------------------------------- seq

fn seq(args: &[String]) -> Run {
    let mut sep = "\n".to_string();
    let mut width = false;
    let mut nums = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        match a.as_str() {
            "-s" => {
                let Some(v) = args.get(i) else {
                    return missing_argument("seq", 's');
                };
                sep = v.clone();
                i += 1;
            }
            "-w" | "--equal-width" => width = true,
            _ if a.starts_with("-s") => sep = a[2..].to_string(),
            _ if a.starts_with("--separator=") => sep = a["--separator=".len()..].to_string(),
            _ => nums.push(a.clone()),
        }
    }
    if nums.is_empty() {
        return Run::fail(format!("seq: missing operand\n{}", try_help("seq")), 1);
    }
    if nums.len() > 3 {
        return Run::fail(
            format!("seq: extra operand '{}'\n{}", nums[3], try_help("seq")),
            1,
        );
    }
    let mut vals = Vec::new();
    for n in &nums {
        match n.parse::<f64>() {
            Ok(v) if v.is_finite() => vals.push(v),
            _ => {
                return Run::fail(
                    format!(
                        "seq: invalid floating point argument: '{n}'\n{}",
                        try_help("seq")
                    ),
                    1,
                )
            }
        }
    }
    let (first, step, last) = match vals.as_slice() {
        [l] => (1.0, 1.0, *l),
        [f, l] => (*f, 1.0, *l),
        [f, s, l] => (*f, *s, *l),
        _ => (1.0, 1.0, 0.0),
    };
    if step == 0.0 {
        return Run::fail(
            format!(
                "seq: invalid Zero increment value: '{}'\n{}",
                nums[1],
                try_help("seq")
            ),
            1,
        );
    }
    let decimals = nums
        .iter()
        .take(if nums.len() == 3 { 2 } else { 1 })
        .chain(
            nums.iter()
                .skip(if nums.len() == 1 { 0 } else { nums.len() }),
        )
        .map(|n| n.split_once('.').map_or(0, |(_, d)| d.len()))
        .max()
        .unwrap_or(0);
    let mut items = Vec::new();
    let mut k = 0u64;
    loop {
        let v = first + step * k as f64;
        if (step > 0.0 && v > last + 1e-9) || (step < 0.0 && v < last - 1e-9) {
            break;
        }
        items.push(format!("{v:.decimals$}"));
        k += 1;
        if items.len() >= 1_000_000 {
            break;
        }
    }
    if width {
        let w = items.iter().map(String::len).max().unwrap_or(0);
        for it in &mut items {
            *it = format!("{it:0>w$}");
        }
    }
    let mut out = items.join(&sep);
    if !items.is_empty() {
        out.push('\n');
    }
    Run {
        out,
        err: String::new(),
        status: 0,
    }
}

// ----------------------------------------------------------------------------------------- sed

/// Basic regular expressions (sed's and grep's default) to the regex crate's syntax.
pub(crate) fn bre_to_regex(p: &str, extended: bool) -> String {
    if extended {
        return p.to_string();
    }
    let mut out = String::new();
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('|' | '+' | '?' | '(' | ')' | '{' | '}')) => out.push(n),
                Some('n') => out.push_str("\\n"),
                Some('t') => out.push_str("\\t"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push_str("\\\\"),
            },
            '|' | '+' | '?' | '(' | ')' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[derive(Clone)]
enum Addr {
    Line(usize),
    Last,
    Re(regex_lite::Regex),
}

#[derive(Clone)]
enum SedCmd {
    Subst {
        re: regex_lite::Regex,
        repl: String,
        global: bool,
        nth: usize,
        print: bool,
    },
    Translit(Vec<char>, Vec<char>),
    Print,
    Delete,
    Quit,
    LineNumber,
    Noop,
}

#[derive(Clone)]
struct SedItem {
    a1: Option<Addr>,
    a2: Option<Addr>,
    negate: bool,
    cmd: SedCmd,
}

fn sed_error(expr_no: usize, pos: usize, msg: &str) -> String {
    format!("sed: -e expression #{expr_no}, char {pos}: {msg}\n")
}

/// Parses a sed script (the commands students use).
fn parse_sed(script: &str, expr_no: usize, extended: bool) -> Result<Vec<SedItem>, String> {
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut items = Vec::new();
    let compile = |re: &str, ci: bool, pos: usize| -> Result<regex_lite::Regex, String> {
        regex_lite::RegexBuilder::new(&bre_to_regex(re, extended))
            .case_insensitive(ci)
            .build()
            .map_err(|_| sed_error(expr_no, pos, "Invalid preceding regular expression"))
    };
    // Reads up to an unescaped `delim`; `\delim` becomes delim.
    let until = |chars: &[char], i: &mut usize, delim: char| -> Option<String> {
        let mut s = String::new();
        while *i < chars.len() {
            let c = chars[*i];
            *i += 1;
            if c == '\\' && *i < chars.len() {
                let n = chars[*i];
                *i += 1;
                if n == delim {
                    s.push(n);
                } else if n == 'n' {
                    s.push_str("\\n");
                } else {
                    s.push('\\');
                    s.push(n);
                }
            } else if c == delim {
                return Some(s);
            } else {
                s.push(c);
            }
        }
        None
    };
    let parse_addr = |chars: &[char], i: &mut usize| -> Result<Option<Addr>, String> {
        match chars.get(*i) {
            Some(c) if c.is_ascii_digit() => {
                let mut n = 0usize;
                while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(d as usize);
                    *i += 1;
                }
                if n == 0 {
                    return Err(sed_error(expr_no, *i, "invalid usage of line address 0"));
                }
                Ok(Some(Addr::Line(n)))
            }
            Some('$') => {
                *i += 1;
                Ok(Some(Addr::Last))
            }
            Some('/') => {
                *i += 1;
                let Some(re) = until(chars, i, '/') else {
                    return Err(sed_error(
                        expr_no,
                        chars.len(),
                        "unterminated address regex",
                    ));
                };
                let ci = chars.get(*i) == Some(&'I');
                if ci {
                    *i += 1;
                }
                Ok(Some(Addr::Re(compile(&re, ci, *i)?)))
            }
            _ => Ok(None),
        }
    };
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ';') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let a1 = parse_addr(&chars, &mut i)?;
        let mut a2 = None;
        if a1.is_some() && chars.get(i) == Some(&',') {
            i += 1;
            a2 = parse_addr(&chars, &mut i)?;
            if a2.is_none() {
                return Err(sed_error(expr_no, i, "unexpected `,'"));
            }
        }
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        let mut negate = false;
        if chars.get(i) == Some(&'!') {
            negate = true;
            i += 1;
        }
        let Some(&c) = chars.get(i) else {
            return Err(sed_error(expr_no, i, "missing command"));
        };
        i += 1;
        let cmd = match c {
            's' => {
                let Some(&delim) = chars.get(i) else {
                    return Err(sed_error(expr_no, i, "unterminated `s' command"));
                };
                i += 1;
                let Some(re) = until(&chars, &mut i, delim) else {
                    return Err(sed_error(expr_no, i, "unterminated `s' command"));
                };
                let Some(repl) = until(&chars, &mut i, delim) else {
                    return Err(sed_error(expr_no, i, "unterminated `s' command"));
                };
                let (mut global, mut nth, mut print, mut ci) = (false, 1usize, false, false);
                while let Some(&f) = chars.get(i) {
                    match f {
                        'g' => global = true,
                        'p' => print = true,
                        'i' | 'I' => ci = true,
                        d if d.is_ascii_digit() => {
                            nth = d.to_digit(10).unwrap_or(1).max(1) as usize
                        }
                        ';' | '\n' | '}' | ' ' => break,
                        _ => return Err(sed_error(expr_no, i + 1, "unknown option to `s'")),
                    }
                    i += 1;
                }
                SedCmd::Subst {
                    re: compile(&re, ci, i)?,
                    repl,
                    global,
                    nth,
                    print,
                }
            }
            'y' => {
                let Some(&delim) = chars.get(i) else {
                    return Err(sed_error(expr_no, i, "unterminated `y' command"));
                };
                i += 1;
                let (Some(a), Some(b)) =
                    (until(&chars, &mut i, delim), until(&chars, &mut i, delim))
                else {
                    return Err(sed_error(expr_no, i, "unterminated `y' command"));
                };
                let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                if a.len() != b.len() {
                    return Err(sed_error(
                        expr_no,
                        i,
                        "strings for `y' command are different lengths",
                    ));
                }
                SedCmd::Translit(a, b)
            }
            'p' => SedCmd::Print,
            'd' => SedCmd::Delete,
            'q' => SedCmd::Quit,
            '=' => SedCmd::LineNumber,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                SedCmd::Noop
            }
            other => {
                return Err(sed_error(
                    expr_no,
                    i,
                    &format!("unknown command: `{other}'"),
                ))
            }
        };
        items.push(SedItem {
            a1,
            a2,
            negate,
            cmd,
        });
        while chars.get(i).is_some_and(|c| *c == ' ') {
            i += 1;
        }
        match chars.get(i) {
            None | Some(';') | Some('\n') => {}
            Some('}') => i += 1,
            Some(_) => return Err(sed_error(expr_no, i + 1, "extra characters after command")),
        }
    }
    Ok(items)
}

/// `s` replacement: `&` the match, `\1`…`\9` groups, `\n` newline.
fn expand_repl(repl: &str, caps: &regex_lite::Captures) -> String {
    let mut out = String::new();
    let mut chars = repl.chars();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str(caps.get(0).map_or("", |m| m.as_str())),
            '\\' => match chars.next() {
                Some(d) if d.is_ascii_digit() => {
                    let k = d.to_digit(10).unwrap_or(0) as usize;
                    out.push_str(caps.get(k).map_or("", |m| m.as_str()));
                }
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

fn sed(args: &[String], stdin: &str, files: &Files) -> Run {
    let mut quiet = false;
    let mut extended = false;
    let mut in_place = false;
    let mut scripts: Vec<String> = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if a == "-" || !a.starts_with('-') {
            operands.push(a.clone());
            continue;
        }
        match a.as_str() {
            "--quiet" | "--silent" => quiet = true,
            "--regexp-extended" => extended = true,
            "--in-place" => in_place = true,
            "--posix" | "--debug" => {}
            _ if a.starts_with("--expression=") => scripts.push(a["--expression=".len()..].to_string()),
            _ if a.starts_with("--") => {
                return Run::fail(format!("sed: unknown option -- '{}'\nUsage: sed [OPTION]... {{script-only-if-no-other-script}} [input-file]...\n\n", &a[2..]), 1)
            }
            _ => {
                let body = &a[1..];
                for (k, c) in body.char_indices() {
                    match c {
                        'n' => quiet = true,
                        'E' | 'r' => extended = true,
                        'i' => {
                            in_place = true;
                            break;
                        }
                        's' | 'u' | 'z' => {}
                        'e' => {
                            let rest = &body[k + 1..];
                            if !rest.is_empty() {
                                scripts.push(rest.to_string());
                            } else if let Some(v) = args.get(i) {
                                scripts.push(v.clone());
                                i += 1;
                            } else {
                                return Run::fail("sed: option requires an argument -- 'e'\nUsage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n\n".into(), 1);
                            }
                            break;
                        }
                        _ => {
                            return Run::fail(format!("sed: invalid option -- '{c}'\nUsage: sed [OPTION]... {{script-only-if-no-other-script}} [input-file]...\n\n"), 1)
                        }
                    }
                }
            }
        }
    }
    if scripts.is_empty() {
        if operands.is_empty() {
            return Run::fail(
                "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n\n"
                    .into(),
                1,
            );
        }
        scripts.push(operands.remove(0));
    }
    let mut program = Vec::new();
    for (n, s) in scripts.iter().enumerate() {
        match parse_sed(s, n + 1, extended) {
            Ok(items) => program.extend(items),
            Err(e) => return Run::fail(e, 1),
        }
    }
    if in_place {
        let mut err = String::new();
        for f in &operands {
            match (files.read)(f) {
                Ok(t) => {
                    let r = sed_text(&program, &t, quiet);
                    if let Err(e) = (files.write)(f, &r, false) {
                        let _ = writeln!(err, "sed: couldn't open temporary file {f}: {e}");
                    }
                }
                Err(e) => {
                    let _ = writeln!(err, "sed: can't read {f}: {e}");
                }
            }
        }
        let status = if err.is_empty() { 0 } else { 4 };
        if operands.is_empty() {
            return Run::fail("sed: no input files\n".into(), 1);
        }
        return Run {
            out: String::new(),
            err,
            status,
        };
    }
    let (texts, err) = inputs("sed", &operands, stdin, files);
    let err = err.replace("sed: ", "sed: can't read ");
    let all: String = texts.into_iter().map(|(_, t)| t).collect();
    let out = sed_text(&program, &all, quiet);
    let status = if err.is_empty() { 0 } else { 2 };
    Run { out, err, status }
}

fn sed_text(program: &[SedItem], text: &str, quiet: bool) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let n = lines.len();
    let mut out = String::new();
    // Whether each range item is inside its range.
    let mut active = vec![false; program.len()];
    let matches = |a: &Addr, idx: usize, line: &str| match a {
        Addr::Line(k) => idx + 1 == *k,
        Addr::Last => idx + 1 == n,
        Addr::Re(re) => re.is_match(line),
    };
    'lines: for (idx, raw) in lines.iter().enumerate() {
        let had_newline = raw.ends_with('\n');
        let mut line = raw.strip_suffix('\n').unwrap_or(raw).to_string();
        let mut quit = false;
        for (k, item) in program.iter().enumerate() {
            let selected = match (&item.a1, &item.a2) {
                (None, _) => true,
                (Some(a), None) => matches(a, idx, &line),
                (Some(a), Some(b)) => {
                    if active[k] {
                        let end = match b {
                            Addr::Line(e) => idx + 1 >= *e,
                            other => matches(other, idx, &line),
                        };
                        if end {
                            active[k] = false;
                        }
                        true
                    } else if matches(a, idx, &line) {
                        let ends_now = matches!(b, Addr::Line(e) if *e <= idx + 1);
                        active[k] = !ends_now;
                        true
                    } else {
                        false
                    }
                }
            };
            if selected == item.negate {
                continue;
            }
            match &item.cmd {
                SedCmd::Subst {
                    re,
                    repl,
                    global,
                    nth,
                    print,
                } => {
                    let mut result = String::new();
                    let mut last = 0;
                    let mut count = 0;
                    let mut did = false;
                    for caps in re.captures_iter(&line) {
                        let Some(m) = caps.get(0) else { continue };
                        count += 1;
                        if count < *nth || (did && !*global) {
                            continue;
                        }
                        result.push_str(&line[last..m.start()]);
                        result.push_str(&expand_repl(repl, &caps));
                        last = m.end();
                        did = true;
                    }
                    if did {
                        result.push_str(&line[last..]);
                        line = result;
                        if *print {
                            out.push_str(&line);
                            out.push('\n');
                        }
                    }
                }
                SedCmd::Translit(a, b) => {
                    line = line
                        .chars()
                        .map(|c| a.iter().position(|x| *x == c).map_or(c, |p| b[p]))
                        .collect();
                }
                SedCmd::Print => {
                    out.push_str(&line);
                    out.push('\n');
                }
                SedCmd::Delete => continue 'lines,
                SedCmd::Quit => {
                    quit = true;
                    break;
                }
                SedCmd::LineNumber => {
                    let _ = writeln!(out, "{}", idx + 1);
                }
                SedCmd::Noop => {}
            }
        }
        if !quiet {
            out.push_str(&line);
            if had_newline {
                out.push('\n');
            }
        }
        if quit {
            break;
        }
    }
    out
}

// ----------------------------------------------------------------------------------------- awk

/// awk values: strings that may look like numbers.
#[derive(Clone, Debug)]
enum AVal {
    Num(f64),
    Str(String),
    /// A field or input: a string that compares as a number when it looks like one.
    StrNum(String),
}

impl AVal {
    fn num(&self) -> f64 {
        match self {
            AVal::Num(n) => *n,
            AVal::Str(s) | AVal::StrNum(s) => leading_number(s),
        }
    }
    fn text(&self) -> String {
        match self {
            AVal::Num(n) => fmt_awk_num(*n),
            AVal::Str(s) | AVal::StrNum(s) => s.clone(),
        }
    }
    fn truthy(&self) -> bool {
        match self {
            AVal::Num(n) => *n != 0.0,
            AVal::Str(s) => !s.is_empty(),
            AVal::StrNum(s) => match s.trim().parse::<f64>() {
                Ok(n) => n != 0.0,
                Err(_) => !s.is_empty(),
            },
        }
    }
    fn looks_numeric(&self) -> bool {
        match self {
            AVal::Num(_) => true,
            AVal::Str(_) => false,
            AVal::StrNum(s) => s.trim().parse::<f64>().is_ok(),
        }
    }
}

fn fmt_awk_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{}", n as i64)
    } else {
        // %.6g
        let s = format!("{:.6e}", n);
        let v: f64 = s.parse().unwrap_or(n);
        let t = format!("{v}");
        if t.len() > 12 {
            format!("{n:.6}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            t
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Re(String),
    Ident(String),
    Dollar,
    Op(&'static str),
    LBrace,
    RBrace,
    LParen,
    RParen,
    Semi,
    Comma,
    Newline,
}

fn awk_lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut toks: Vec<Tok> = Vec::new();
    const OPS: &[&str] = &[
        "+=", "-=", "*=", "/=", "%=", "++", "--", "==", "!=", "<=", ">=", "&&", "||", "!~", "~",
        "<", ">", "!", "+", "-", "*", "/", "%", "=", "?", ":",
    ];
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
            continue;
        }
        if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        match c {
            '\n' => toks.push(Tok::Newline),
            '{' => toks.push(Tok::LBrace),
            '}' => toks.push(Tok::RBrace),
            '(' => toks.push(Tok::LParen),
            ')' => toks.push(Tok::RParen),
            ';' => toks.push(Tok::Semi),
            ',' => toks.push(Tok::Comma),
            '$' => toks.push(Tok::Dollar),
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("non-terminated string".into());
                    };
                    i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            let e = chars.get(i).copied().unwrap_or('\\');
                            i += 1;
                            let c = match e {
                                'n' => '\n',
                                't' => '\t',
                                '"' => '"',
                                '\\' => '\\',
                                '/' => '/',
                                o => {
                                    s.push('\\');
                                    o
                                }
                            };
                            s.push(c);
                        }
                        o => s.push(o),
                    }
                }
                toks.push(Tok::Str(s));
                continue;
            }
            '/' if matches!(
                toks.last(),
                None | Some(
                    Tok::LBrace
                        | Tok::LParen
                        | Tok::Semi
                        | Tok::Comma
                        | Tok::Newline
                        | Tok::Op(_)
                        | Tok::RBrace
                )
            ) && !matches!(toks.last(), Some(Tok::Op("++" | "--"))) =>
            {
                let mut s = String::new();
                i += 1;
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("non-terminated regular expression".into());
                    };
                    i += 1;
                    if c == '\\' && chars.get(i) == Some(&'/') {
                        s.push('/');
                        i += 1;
                    } else if c == '/' {
                        break;
                    } else {
                        s.push(c);
                    }
                }
                toks.push(Tok::Re(s));
                continue;
            }
            d if d.is_ascii_digit()
                || (d == '.' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())) =>
            {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                toks.push(Tok::Num(s.parse().unwrap_or(0.0)));
                continue;
            }
            a if a.is_ascii_alphabetic() || a == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                toks.push(Tok::Ident(chars[start..i].iter().collect()));
                continue;
            }
            _ => {
                let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
                let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) else {
                    return Err(format!(
                        "syntax error at source line 1: unexpected character '{c}'"
                    ));
                };
                toks.push(Tok::Op(op));
                i += op.chars().count();
                continue;
            }
        }
        i += 1;
    }
    Ok(toks)
}

#[derive(Clone, Debug)]
enum Expr {
    Num(f64),
    Str(String),
    Re(String),
    Field(Box<Expr>),
    Var(String),
    Unary(&'static str, Box<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    Concat(Box<Expr>, Box<Expr>),
    Assign(&'static str, String, Option<Box<Expr>>, Box<Expr>),
    Incr(&'static str, bool, String, Option<Box<Expr>>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

#[derive(Clone, Debug)]
enum Stmt {
    Print(Vec<Expr>),
    Printf(Vec<Expr>),
    Expr(Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    Next,
    Exit(Option<Expr>),
}

#[derive(Clone, Debug)]
enum Pattern {
    Begin,
    End,
    All,
    Expr(Expr),
    Range(Expr, Expr),
}

/// A pattern and its action (none: print the record).
type AwkItem = (Pattern, Option<Vec<Stmt>>);

struct AwkParser {
    toks: Vec<Tok>,
    i: usize,
}

impl AwkParser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }
    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Some(Tok::Newline | Tok::Semi)) {
            self.i += 1;
        }
    }
    fn err(&self) -> String {
        let near = match self.peek() {
            Some(Tok::Ident(s)) => s.clone(),
            Some(Tok::Str(s)) => format!("\"{s}\""),
            Some(Tok::Num(n)) => fmt_awk_num(*n),
            Some(Tok::Op(o)) => o.to_string(),
            Some(Tok::LBrace) => "{".into(),
            Some(Tok::RBrace) => "}".into(),
            Some(Tok::LParen) => "(".into(),
            Some(Tok::RParen) => ")".into(),
            Some(Tok::Comma) => ",".into(),
            Some(Tok::Semi) => ";".into(),
            Some(Tok::Dollar) => "$".into(),
            Some(Tok::Re(r)) => format!("/{r}/"),
            Some(Tok::Newline) | None => "end of file".into(),
        };
        format!("syntax error at or near {near}")
    }

    fn program(&mut self) -> Result<Vec<AwkItem>, String> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            let Some(t) = self.peek().cloned() else { break };
            let pattern = match t {
                Tok::Ident(ref s) if s == "BEGIN" => {
                    self.i += 1;
                    Pattern::Begin
                }
                Tok::Ident(ref s) if s == "END" => {
                    self.i += 1;
                    Pattern::End
                }
                Tok::LBrace => Pattern::All,
                _ => {
                    let e = self.expr()?;
                    if self.eat(&Tok::Comma) {
                        let e2 = self.expr()?;
                        Pattern::Range(e, e2)
                    } else {
                        Pattern::Expr(e)
                    }
                }
            };
            let action = if self.peek() == Some(&Tok::LBrace) {
                Some(self.block()?)
            } else {
                if matches!(pattern, Pattern::Begin | Pattern::End) {
                    return Err(self.err());
                }
                None
            };
            items.push((pattern, action));
        }
        Ok(items)
    }

    fn block(&mut self) -> Result<Vec<Stmt>, String> {
        if !self.eat(&Tok::LBrace) {
            return Err(self.err());
        }
        let mut stmts = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat(&Tok::RBrace) {
                return Ok(stmts);
            }
            if self.peek().is_none() {
                return Err(self.err());
            }
            stmts.push(self.stmt()?);
        }
    }

    fn simple_or_block(&mut self) -> Result<Vec<Stmt>, String> {
        self.skip_newlines();
        if self.peek() == Some(&Tok::LBrace) {
            self.block()
        } else {
            Ok(vec![self.stmt()?])
        }
    }

    fn stmt(&mut self) -> Result<Stmt, String> {
        let s = match self.peek().cloned() {
            Some(Tok::Ident(s)) if s == "print" || s == "printf" => {
                self.i += 1;
                let mut args = Vec::new();
                let paren = self.peek() == Some(&Tok::LParen) && {
                    // `print (a, b)`: a parenthesised list.
                    let save = self.i;
                    self.i += 1;
                    let ok = self.expr_list(&mut args).is_ok()
                        && self.eat(&Tok::RParen)
                        && matches!(
                            self.peek(),
                            None | Some(Tok::Semi | Tok::Newline | Tok::RBrace)
                        );
                    if !ok {
                        self.i = save;
                        args.clear();
                    }
                    ok
                };
                if !paren
                    && !matches!(
                        self.peek(),
                        None | Some(Tok::Semi | Tok::Newline | Tok::RBrace)
                    )
                {
                    self.expr_list(&mut args)?;
                }
                if matches!(self.peek(), Some(Tok::Op(">"))) {
                    return Err(
                        "output redirection in awk is not supported in the playground".into(),
                    );
                }
                if s == "print" {
                    Stmt::Print(args)
                } else {
                    if args.is_empty() {
                        return Err(self.err());
                    }
                    Stmt::Printf(args)
                }
            }
            Some(Tok::Ident(s)) if s == "if" => {
                self.i += 1;
                if !self.eat(&Tok::LParen) {
                    return Err(self.err());
                }
                let c = self.expr()?;
                if !self.eat(&Tok::RParen) {
                    return Err(self.err());
                }
                let then = self.simple_or_block()?;
                let save = self.i;
                self.skip_newlines();
                let els = if matches!(self.peek(), Some(Tok::Ident(e)) if e == "else") {
                    self.i += 1;
                    self.simple_or_block()?
                } else {
                    self.i = save;
                    Vec::new()
                };
                return Ok(Stmt::If(c, then, els));
            }
            Some(Tok::Ident(s)) if s == "next" => {
                self.i += 1;
                Stmt::Next
            }
            Some(Tok::Ident(s)) if s == "exit" => {
                self.i += 1;
                if matches!(
                    self.peek(),
                    None | Some(Tok::Semi | Tok::Newline | Tok::RBrace)
                ) {
                    Stmt::Exit(None)
                } else {
                    Stmt::Exit(Some(self.expr()?))
                }
            }
            _ => Stmt::Expr(self.expr()?),
        };
        match self.peek() {
            None | Some(Tok::Semi | Tok::Newline | Tok::RBrace) => Ok(s),
            _ => Err(self.err()),
        }
    }

    fn expr_list(&mut self, out: &mut Vec<Expr>) -> Result<(), String> {
        out.push(self.expr()?);
        while self.eat(&Tok::Comma) {
            out.push(self.expr()?);
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, String> {
        self.ternary()
    }

    fn ternary(&mut self) -> Result<Expr, String> {
        let c = self.assign()?;
        if self.eat(&Tok::Op("?")) {
            let a = self.ternary()?;
            if !self.eat(&Tok::Op(":")) {
                return Err(self.err());
            }
            let b = self.ternary()?;
            return Ok(Expr::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(c)
    }

    fn assign(&mut self) -> Result<Expr, String> {
        let lhs = self.or()?;
        if let Some(Tok::Op(op @ ("=" | "+=" | "-=" | "*=" | "/=" | "%="))) = self.peek().cloned() {
            let (name, field) = match &lhs {
                Expr::Var(n) => (n.clone(), None),
                Expr::Field(e) => (String::new(), Some(e.clone())),
                _ => return Err(self.err()),
            };
            self.i += 1;
            let rhs = self.assign()?;
            return Ok(Expr::Assign(op, name, field, Box::new(rhs)));
        }
        Ok(lhs)
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut l = self.and()?;
        while self.eat(&Tok::Op("||")) {
            self.skip_nl_only();
            l = Expr::Bin("||", Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }

    fn skip_nl_only(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.i += 1;
        }
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut l = self.matching()?;
        while self.eat(&Tok::Op("&&")) {
            self.skip_nl_only();
            l = Expr::Bin("&&", Box::new(l), Box::new(self.matching()?));
        }
        Ok(l)
    }

    fn matching(&mut self) -> Result<Expr, String> {
        let mut l = self.comparison()?;
        while let Some(Tok::Op(op @ ("~" | "!~"))) = self.peek().cloned() {
            self.i += 1;
            l = Expr::Bin(op, Box::new(l), Box::new(self.comparison()?));
        }
        Ok(l)
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let l = self.concat()?;
        if let Some(Tok::Op(op @ ("<" | "<=" | "==" | "!=" | ">" | ">="))) = self.peek().cloned() {
            self.i += 1;
            return Ok(Expr::Bin(op, Box::new(l), Box::new(self.concat()?)));
        }
        Ok(l)
    }

    fn concat(&mut self) -> Result<Expr, String> {
        let mut l = self.additive()?;
        while matches!(
            self.peek(),
            Some(
                Tok::Num(_)
                    | Tok::Str(_)
                    | Tok::Dollar
                    | Tok::Ident(_)
                    | Tok::LParen
                    | Tok::Op("!" | "-" | "++" | "--")
            )
        ) && !matches!(self.peek(), Some(Tok::Ident(s)) if s == "in" || s == "else")
        {
            if matches!(self.peek(), Some(Tok::Op("-"))) {
                break;
            }
            let r = self.additive()?;
            l = Expr::Concat(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn additive(&mut self) -> Result<Expr, String> {
        let mut l = self.mult()?;
        while let Some(Tok::Op(op @ ("+" | "-"))) = self.peek().cloned() {
            self.i += 1;
            l = Expr::Bin(op, Box::new(l), Box::new(self.mult()?));
        }
        Ok(l)
    }

    fn mult(&mut self) -> Result<Expr, String> {
        let mut l = self.unary()?;
        while let Some(Tok::Op(op @ ("*" | "/" | "%"))) = self.peek().cloned() {
            self.i += 1;
            l = Expr::Bin(op, Box::new(l), Box::new(self.unary()?));
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        match self.peek().cloned() {
            Some(Tok::Op(op @ ("!" | "-" | "+"))) => {
                self.i += 1;
                Ok(Expr::Unary(op, Box::new(self.unary()?)))
            }
            Some(Tok::Op(op @ ("++" | "--"))) => {
                self.i += 1;
                match self.postfix()? {
                    Expr::Var(n) => Ok(Expr::Incr(op, true, n, None)),
                    Expr::Field(e) => Ok(Expr::Incr(op, true, String::new(), Some(e))),
                    _ => Err(self.err()),
                }
            }
            _ => self.postfix(),
        }
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let e = self.primary()?;
        if let Some(Tok::Op(op @ ("++" | "--"))) = self.peek().cloned() {
            match &e {
                Expr::Var(n) => {
                    self.i += 1;
                    return Ok(Expr::Incr(op, false, n.clone(), None));
                }
                Expr::Field(f) => {
                    self.i += 1;
                    return Ok(Expr::Incr(op, false, String::new(), Some(f.clone())));
                }
                _ => {}
            }
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(Expr::Num(n)),
            Some(Tok::Str(s)) => Ok(Expr::Str(s)),
            Some(Tok::Re(r)) => Ok(Expr::Re(r)),
            Some(Tok::Dollar) => {
                let e = match self.peek() {
                    Some(Tok::Op("++" | "--")) => self.unary()?,
                    _ => self.primary()?,
                };
                Ok(Expr::Field(Box::new(e)))
            }
            Some(Tok::LParen) => {
                let e = self.expr()?;
                if !self.eat(&Tok::RParen) {
                    return Err(self.err());
                }
                Ok(e)
            }
            Some(Tok::Ident(name)) => {
                if self.peek() == Some(&Tok::LParen) {
                    self.i += 1;
                    let mut args = Vec::new();
                    if !self.eat(&Tok::RParen) {
                        self.expr_list(&mut args)?;
                        if !self.eat(&Tok::RParen) {
                            return Err(self.err());
                        }
                    }
                    return Ok(Expr::Call(name, args));
                }
                if name == "length" {
                    return Ok(Expr::Call(name, Vec::new()));
                }
                const UNSUPPORTED: &[&str] = &[
                    "while", "for", "do", "function", "getline", "delete", "in", "else",
                ];
                if UNSUPPORTED.contains(&name.as_str()) {
                    return Err(format!("`{name}' is not supported by the playground's awk"));
                }
                Ok(Expr::Var(name))
            }
            _ => {
                self.i = self.i.saturating_sub(1);
                Err(self.err())
            }
        }
    }
}

struct AwkState {
    vars: std::collections::BTreeMap<String, AVal>,
    fields: Vec<String>,
    record: String,
    fs: Option<String>,
    out: String,
    exit: Option<i32>,
    next: bool,
    steps: usize,
}

const AWK_MAX_STEPS: usize = 2_000_000;

impl AwkState {
    fn split(&mut self) {
        self.fields = match self.fs.as_deref() {
            None | Some(" ") => self.record.split_whitespace().map(str::to_string).collect(),
            Some(sep) if sep.chars().count() == 1 && sep != "\\" => {
                if self.record.is_empty() {
                    Vec::new()
                } else {
                    self.record.split(sep).map(str::to_string).collect()
                }
            }
            Some(re) => match regex_lite::Regex::new(re) {
                Ok(r) if !self.record.is_empty() => {
                    r.split(&self.record).map(str::to_string).collect()
                }
                _ => vec![self.record.clone()],
            },
        };
        self.vars
            .insert("NF".into(), AVal::Num(self.fields.len() as f64));
    }

    fn field(&self, k: f64) -> AVal {
        let k = k as usize;
        if k == 0 {
            AVal::StrNum(self.record.clone())
        } else {
            AVal::StrNum(self.fields.get(k - 1).cloned().unwrap_or_default())
        }
    }

    fn set_field(&mut self, k: usize, v: String) {
        if k == 0 {
            self.record = v;
            self.split();
            return;
        }
        if k > 10_000 {
            return;
        }
        if self.fields.len() < k {
            self.fields.resize(k, String::new());
        }
        self.fields[k - 1] = v;
        let ofs = self.vars.get("OFS").map_or(" ".to_string(), AVal::text);
        self.record = self.fields.join(&ofs);
        self.vars
            .insert("NF".into(), AVal::Num(self.fields.len() as f64));
    }

    fn var(&self, n: &str) -> AVal {
        self.vars
            .get(n)
            .cloned()
            .unwrap_or(AVal::StrNum(String::new()))
    }

    fn eval(&mut self, e: &Expr) -> Result<AVal, String> {
        self.steps += 1;
        if self.steps > AWK_MAX_STEPS {
            return Err("program too long-running for the playground".into());
        }
        Ok(match e {
            Expr::Num(n) => AVal::Num(*n),
            Expr::Str(s) => AVal::Str(s.clone()),
            Expr::Re(r) => {
                let re = awk_regex(r)?;
                AVal::Num(f64::from(u8::from(re.is_match(&self.record))))
            }
            Expr::Field(k) => {
                let k = self.eval(k)?.num();
                if k < 0.0 {
                    return Err(format!("trying to access out of range field {}", k as i64));
                }
                self.field(k)
            }
            Expr::Var(n) => self.var(n),
            Expr::Unary(op, x) => {
                let v = self.eval(x)?;
                match *op {
                    "!" => AVal::Num(f64::from(u8::from(!v.truthy()))),
                    "-" => AVal::Num(-v.num()),
                    _ => AVal::Num(v.num()),
                }
            }
            Expr::Bin(op, a, b) => {
                if *op == "&&" {
                    let r = self.eval(a)?.truthy() && self.eval(b)?.truthy();
                    return Ok(AVal::Num(f64::from(u8::from(r))));
                }
                if *op == "||" {
                    let r = self.eval(a)?.truthy() || self.eval(b)?.truthy();
                    return Ok(AVal::Num(f64::from(u8::from(r))));
                }
                if *op == "~" || *op == "!~" {
                    let s = self.eval(a)?.text();
                    let re = match &**b {
                        Expr::Re(r) => r.clone(),
                        other => self.eval(other)?.text(),
                    };
                    let m = awk_regex(&re)?.is_match(&s);
                    return Ok(AVal::Num(f64::from(u8::from(m == (*op == "~")))));
                }
                let (x, y) = (self.eval(a)?, self.eval(b)?);
                match *op {
                    "+" => AVal::Num(x.num() + y.num()),
                    "-" => AVal::Num(x.num() - y.num()),
                    "*" => AVal::Num(x.num() * y.num()),
                    "/" | "%" => {
                        if y.num() == 0.0 {
                            return Err("division by zero".into());
                        }
                        AVal::Num(if *op == "/" {
                            x.num() / y.num()
                        } else {
                            x.num() % y.num()
                        })
                    }
                    cmp => {
                        let o = if x.looks_numeric() && y.looks_numeric() {
                            x.num()
                                .partial_cmp(&y.num())
                                .unwrap_or(std::cmp::Ordering::Equal)
                        } else {
                            x.text().cmp(&y.text())
                        };
                        use std::cmp::Ordering::*;
                        let r = match cmp {
                            "<" => o == Less,
                            "<=" => o != Greater,
                            ">" => o == Greater,
                            ">=" => o != Less,
                            "==" => o == Equal,
                            _ => o != Equal,
                        };
                        AVal::Num(f64::from(u8::from(r)))
                    }
                }
            }
            Expr::Concat(a, b) => {
                let s = self.eval(a)?.text() + &self.eval(b)?.text();
                AVal::Str(s)
            }
            Expr::Assign(op, name, field, rhs) => {
                let r = self.eval(rhs)?;
                let old = match field {
                    Some(f) => {
                        let k = self.eval(f)?.num();
                        self.field(k.max(0.0))
                    }
                    None => self.var(name),
                };
                let v = match *op {
                    "=" => r,
                    "+=" => AVal::Num(old.num() + r.num()),
                    "-=" => AVal::Num(old.num() - r.num()),
                    "*=" => AVal::Num(old.num() * r.num()),
                    "/=" | "%=" => {
                        if r.num() == 0.0 {
                            return Err("division by zero in /=".into());
                        }
                        AVal::Num(if *op == "/=" {
                            old.num() / r.num()
                        } else {
                            old.num() % r.num()
                        })
                    }
                    _ => r,
                };
                self.store(name, field, v.clone())?;
                v
            }
            Expr::Incr(op, prefix, name, field) => {
                let old = match field {
                    Some(f) => {
                        let k = self.eval(f)?.num();
                        self.field(k.max(0.0))
                    }
                    None => self.var(name),
                }
                .num();
                let new = if *op == "++" { old + 1.0 } else { old - 1.0 };
                self.store(name, field, AVal::Num(new))?;
                AVal::Num(if *prefix { new } else { old })
            }
            Expr::Cond(c, a, b) => {
                if self.eval(c)?.truthy() {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Expr::Call(name, args) => self.call(name, args)?,
        })
    }

    fn store(&mut self, name: &str, field: &Option<Box<Expr>>, v: AVal) -> Result<(), String> {
        match field {
            Some(f) => {
                let k = self.eval(f)?.num().max(0.0) as usize;
                self.set_field(k, v.text());
            }
            None => {
                if name == "NF" {
                    let n = (v.num().max(0.0) as usize).min(10_000);
                    self.fields.resize(n, String::new());
                    let ofs = self.vars.get("OFS").map_or(" ".to_string(), AVal::text);
                    self.record = self.fields.join(&ofs);
                }
                if name == "FS" {
                    self.fs = Some(v.text());
                }
                self.vars.insert(name.to_string(), v);
            }
        }
        Ok(())
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> Result<AVal, String> {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.eval(a)?);
        }
        let s = |k: usize| vals.get(k).map(AVal::text).unwrap_or_default();
        let n = |k: usize| vals.get(k).map_or(0.0, AVal::num);
        Ok(match name {
            "length" => AVal::Num(if vals.is_empty() {
                self.record.chars().count()
            } else {
                s(0).chars().count()
            } as f64),
            "toupper" => AVal::Str(s(0).to_uppercase()),
            "tolower" => AVal::Str(s(0).to_lowercase()),
            "int" => AVal::Num(n(0).trunc()),
            "substr" => {
                let text: Vec<char> = s(0).chars().collect();
                let start = n(1).round() as i64;
                let len = if vals.len() > 2 {
                    n(2).round() as i64
                } else {
                    i64::MAX / 4
                };
                let from = start.max(1);
                let to = start.saturating_add(len).min(text.len() as i64 + 1);
                if to <= from {
                    AVal::Str(String::new())
                } else {
                    AVal::Str(
                        text[(from - 1) as usize..(to - 1) as usize]
                            .iter()
                            .collect(),
                    )
                }
            }
            "index" => AVal::Num(
                s(0).find(&s(1))
                    .map_or(0, |b| s(0)[..b].chars().count() + 1) as f64,
            ),
            "sprintf" => AVal::Str(awk_printf(&vals)),
            "split" => {
                return Err("split() is not supported in the playground".into());
            }
            other => return Err(format!("calling undefined function {other}")),
        })
    }

    fn exec(&mut self, stmts: &[Stmt]) -> Result<(), String> {
        for st in stmts {
            if self.exit.is_some() || self.next {
                return Ok(());
            }
            match st {
                Stmt::Print(args) => {
                    let ofs = self.vars.get("OFS").map_or(" ".to_string(), AVal::text);
                    let ors = self.vars.get("ORS").map_or("\n".to_string(), AVal::text);
                    let line = if args.is_empty() {
                        self.record.clone()
                    } else {
                        let mut parts = Vec::new();
                        for a in args {
                            let v = self.eval(a)?;
                            parts.push(match v {
                                AVal::Num(x) => {
                                    let fmt = self.vars.get("OFMT").map(AVal::text);
                                    match fmt {
                                        Some(f) if x.fract() != 0.0 => {
                                            awk_printf(&[AVal::Str(f), AVal::Num(x)])
                                        }
                                        _ => fmt_awk_num(x),
                                    }
                                }
                                other => other.text(),
                            });
                        }
                        parts.join(&ofs)
                    };
                    self.out.push_str(&line);
                    self.out.push_str(&ors);
                }
                Stmt::Printf(args) => {
                    let mut vals = Vec::new();
                    for a in args {
                        vals.push(self.eval(a)?);
                    }
                    let s = awk_printf(&vals);
                    self.out.push_str(&s);
                }
                Stmt::Expr(e) => {
                    self.eval(e)?;
                }
                Stmt::If(c, a, b) => {
                    if self.eval(c)?.truthy() {
                        self.exec(a)?;
                    } else {
                        self.exec(b)?;
                    }
                }
                Stmt::Next => self.next = true,
                Stmt::Exit(e) => {
                    let code = match e {
                        Some(e) => self.eval(e)?.num() as i32,
                        None => 0,
                    };
                    self.exit = Some(code);
                }
            }
            if self.out.len() > 4 << 20 {
                return Err("output too large for the playground".into());
            }
        }
        Ok(())
    }
}

fn awk_regex(r: &str) -> Result<regex_lite::Regex, String> {
    regex_lite::Regex::new(r).map_err(|_| format!("syntax error in regular expression {r}"))
}

/// awk's `printf`: %s %d %i %f %g %x %c %% with flags, width and precision.
fn awk_printf(vals: &[AVal]) -> String {
    let Some(fmt) = vals.first().map(AVal::text) else {
        return String::new();
    };
    let mut args = vals[1..].iter();
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_digit() || "-+ .#0".contains(n) {
                spec.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let Some(conv) = chars.next() else {
            out.push('%');
            break;
        };
        if conv == '%' {
            out.push('%');
            continue;
        }
        let left = spec.contains('-');
        let zero = spec.starts_with('0') || spec.contains("-0");
        let body = spec.trim_start_matches(['-', '+', ' ', '#', '0']);
        let (w, p) = match body.split_once('.') {
            Some((w, p)) => (
                w.parse::<usize>().unwrap_or(0),
                Some(p.parse::<usize>().unwrap_or(0)),
            ),
            None => (body.parse::<usize>().unwrap_or(0), None),
        };
        let w = w.min(1000);
        let p = p.map(|p| p.min(100));
        let arg = args.next().cloned().unwrap_or(AVal::Str(String::new()));
        let text = match conv {
            'd' | 'i' => format!("{}", arg.num().trunc() as i64),
            'f' | 'F' => format!("{:.*}", p.unwrap_or(6), arg.num()),
            'e' => format!("{:.*e}", p.unwrap_or(6), arg.num()),
            'g' | 'G' => fmt_awk_num(arg.num()),
            'x' => format!("{:x}", arg.num() as i64),
            'X' => format!("{:X}", arg.num() as i64),
            'o' => format!("{:o}", arg.num() as i64),
            'c' => match arg {
                AVal::Num(n) => char::from_u32(n as u32)
                    .map(String::from)
                    .unwrap_or_default(),
                other => other
                    .text()
                    .chars()
                    .next()
                    .map(String::from)
                    .unwrap_or_default(),
            },
            's' => {
                let t = arg.text();
                match p {
                    Some(p) => t.chars().take(p).collect(),
                    None => t,
                }
            }
            other => format!("%{spec}{other}"),
        };
        let pad = w.saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.push_str(&" ".repeat(pad));
        } else if zero && "dioxXfFeg".contains(conv) {
            let (sign, digits) = text
                .strip_prefix('-')
                .map_or(("", text.as_str()), |d| ("-", d));
            out.push_str(sign);
            out.push_str(&"0".repeat(pad));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&text);
        }
    }
    out
}

fn awk(args: &[String], stdin: &str, files: &Files) -> Run {
    let usage = "Usage: awk [POSIX or GNU style options] -f progfile [--] file ...\nUsage: awk [POSIX or GNU style options] [--] 'program' file ...\n";
    let mut fs: Option<String> = None;
    let mut assigns: Vec<(String, String)> = Vec::new();
    let mut program: Option<String> = None;
    let mut operands = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if program.is_some() || a == "-" || !a.starts_with('-') {
            if program.is_none() {
                program = Some(a.clone());
            } else {
                operands.push(a.clone());
            }
            continue;
        }
        if a == "--" {
            if program.is_none() {
                program = args.get(i).cloned();
                i += 1;
            }
            continue;
        }
        let take = |i: &mut usize, inline: &str| -> Option<String> {
            if !inline.is_empty() {
                Some(inline.to_string())
            } else {
                let v = args.get(*i).cloned();
                *i += 1;
                v
            }
        };
        if let Some(rest) = a.strip_prefix("-F") {
            match take(&mut i, rest) {
                Some(v) => {
                    fs = Some(if v == "t" {
                        "\t".into()
                    } else {
                        unescape_awk(&v)
                    })
                }
                None => {
                    return Run::fail(format!("awk: option requires an argument -- F\n{usage}"), 2)
                }
            }
        } else if let Some(rest) = a.strip_prefix("-v") {
            match take(&mut i, rest).and_then(|v| {
                v.split_once('=')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            }) {
                Some((k, v)) => assigns.push((k, unescape_awk(&v))),
                None => {
                    return Run::fail(format!("awk: option requires an argument -- v\n{usage}"), 2)
                }
            }
        } else if a == "-f" {
            return Run::fail(
                "awk: -f progfile is not supported in the playground\n".into(),
                2,
            );
        } else {
            let c = a.chars().nth(1).unwrap_or('-');
            return Run::fail(format!("awk: invalid option -- '{c}'\n{usage}"), 2);
        }
    }
    let Some(program) = program else {
        return Run::fail(usage.into(), 2);
    };
    let toks = match awk_lex(&program) {
        Ok(t) => t,
        Err(e) => return Run::fail(format!("awk: cmd. line:1: {e}\n"), 2),
    };
    let mut p = AwkParser { toks, i: 0 };
    let items = match p.program() {
        Ok(items) => items,
        Err(e) => {
            return Run::fail(
                format!("awk: cmd. line:1: {program}\nawk: cmd. line:1: {e}\n"),
                1,
            )
        }
    };
    let mut st = AwkState {
        vars: Default::default(),
        fields: Vec::new(),
        record: String::new(),
        fs: fs.clone(),
        out: String::new(),
        exit: None,
        next: false,
        steps: 0,
    };
    st.vars
        .insert("FS".into(), AVal::Str(fs.unwrap_or_else(|| " ".into())));
    st.vars.insert("OFS".into(), AVal::Str(" ".into()));
    st.vars.insert("ORS".into(), AVal::Str("\n".into()));
    st.vars.insert("NR".into(), AVal::Num(0.0));
    st.vars.insert("NF".into(), AVal::Num(0.0));
    for (k, v) in assigns {
        if k == "FS" {
            st.fs = Some(v.clone());
        }
        st.vars.insert(k, AVal::StrNum(v));
    }
    let fail = |st: &AwkState, e: String| Run {
        out: st.out.clone(),
        err: format!("awk: cmd. line:1: fatal: {e}\n"),
        status: 2,
    };
    for (pat, action) in &items {
        if matches!(pat, Pattern::Begin) {
            if let Err(e) = st.exec(action.as_deref().unwrap_or(&[])) {
                return fail(&st, e);
            }
        }
    }
    let has_main = items.iter().any(|(p, _)| !matches!(p, Pattern::Begin));
    let (texts, err) = inputs("awk", &operands, stdin, files);
    let err = err
        .replace("awk: ", "awk: fatal: cannot open file `")
        .replace(": No such", "' for reading: No such");
    let mut in_range = vec![false; items.len()];
    if has_main && st.exit.is_none() {
        let mut nr = 0usize;
        'records: for (_, text) in &texts {
            for line in text.lines() {
                nr += 1;
                st.record = line.to_string();
                st.vars.insert("NR".into(), AVal::Num(nr as f64));
                st.vars.insert("FNR".into(), AVal::Num(nr as f64));
                st.split();
                st.next = false;
                for (k, (pat, action)) in items.iter().enumerate() {
                    let hit = match pat {
                        Pattern::Begin | Pattern::End => false,
                        Pattern::All => true,
                        Pattern::Expr(e) => match st.eval(e) {
                            Ok(v) => v.truthy(),
                            Err(e) => return fail(&st, e),
                        },
                        Pattern::Range(a, b) => {
                            if in_range[k] {
                                match st.eval(b) {
                                    Ok(v) => in_range[k] = !v.truthy(),
                                    Err(e) => return fail(&st, e),
                                }
                                true
                            } else {
                                match st.eval(a) {
                                    Ok(v) if v.truthy() => {
                                        match st.eval(b) {
                                            Ok(v) => in_range[k] = !v.truthy(),
                                            Err(e) => return fail(&st, e),
                                        }
                                        true
                                    }
                                    Ok(_) => false,
                                    Err(e) => return fail(&st, e),
                                }
                            }
                        }
                    };
                    if !hit {
                        continue;
                    }
                    let r = match action {
                        Some(a) => st.exec(a),
                        None => st.exec(&[Stmt::Print(Vec::new())]),
                    };
                    if let Err(e) = r {
                        return fail(&st, e);
                    }
                    if st.next || st.exit.is_some() {
                        break;
                    }
                }
                if st.exit.is_some() {
                    break 'records;
                }
            }
        }
    }
    let exit_in_main = st.exit;
    st.exit = None;
    for (pat, action) in &items {
        if matches!(pat, Pattern::End) {
            if exit_in_main.is_some() && st.exit.is_some() {
                break;
            }
            if let Err(e) = st.exec(action.as_deref().unwrap_or(&[])) {
                return fail(&st, e);
            }
        }
    }
    let status = st
        .exit
        .or(exit_in_main)
        .unwrap_or(if err.is_empty() { 0 } else { 2 });
    Run {
        out: st.out,
        err,
        status,
    }
}

fn unescape_awk(s: &str) -> String {
    s.replace("\\t", "\t").replace("\\n", "\n")
}

// --------------------------------------------------------------------------------------- xargs

/// `xargs [-n N] [-I R] [-r] [-0] [COMMAND [ARGS]]`: runs the command with words from stdin.
pub(crate) async fn xargs(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut max_args: Option<usize> = None;
    let mut replace: Option<String> = None;
    let mut no_run_if_empty = false;
    let mut null_sep = false;
    let mut delim: Option<char> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if !a.starts_with('-') || a == "-" {
            break;
        }
        i += 1;
        match a.as_str() {
            "--" => break,
            "-r" | "--no-run-if-empty" => no_run_if_empty = true,
            "-0" | "--null" => null_sep = true,
            "-t" | "--verbose" | "-p" => {}
            "-n" | "-I" | "-L" | "-d" | "-P" | "-s" => {
                let Some(v) = args.get(i).cloned() else {
                    io.err.write(&format!(
                        "xargs: option requires an argument -- '{}'\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\nTry 'xargs --help' for more information.\n",
                        &a[1..]
                    ));
                    return 1;
                };
                i += 1;
                match a.as_str() {
                    "-n" | "-L" => match v.parse::<usize>() {
                        Ok(n) if n > 0 => max_args = Some(n),
                        _ => {
                            io.err.write(&format!("xargs: invalid number \"{v}\" for -{} option\nTry 'xargs --help' for more information.\n", &a[1..]));
                            return 1;
                        }
                    },
                    "-I" => {
                        replace = Some(v);
                        max_args = Some(1);
                    }
                    "-d" => delim = v.chars().next(),
                    _ => {}
                }
            }
            _ if a.starts_with("-n") => match a[2..].parse::<usize>() {
                Ok(n) if n > 0 => max_args = Some(n),
                _ => {
                    io.err.write(&format!("xargs: invalid number \"{}\" for -n option\nTry 'xargs --help' for more information.\n", &a[2..]));
                    return 1;
                }
            },
            _ if a.starts_with("-I") => {
                replace = Some(a[2..].to_string());
                max_args = Some(1);
            }
            _ => {
                io.err.write(&format!(
                    "xargs: invalid option -- '{}'\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\nTry 'xargs --help' for more information.\n",
                    a.trim_start_matches('-').chars().next().unwrap_or('-')
                ));
                return 1;
            }
        }
    }
    let mut command: Vec<String> = args[i..].to_vec();
    if command.is_empty() {
        command.push("echo".into());
    }
    let words: Vec<String> = if null_sep {
        io.stdin
            .split('\0')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    } else if let Some(d) = delim {
        io.stdin
            .split(d)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    } else if replace.is_some() {
        io.stdin
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        match xargs_words(&io.stdin) {
            Ok(w) => w,
            Err(e) => {
                io.err.write(&e);
                return 1;
            }
        }
    };
    if words.is_empty() {
        if no_run_if_empty || replace.is_some() {
            return 0;
        }
        let status = Box::pin(crate::builtins::run(interp, command, io)).await;
        return xargs_status(status);
    }
    let chunk = max_args.unwrap_or(5000);
    let mut status = 0;
    for group in words.chunks(chunk) {
        let argv: Vec<String> = match &replace {
            Some(r) => command
                .iter()
                .map(|c| c.replace(r.as_str(), &group[0]))
                .collect(),
            None => command
                .iter()
                .cloned()
                .chain(group.iter().cloned())
                .collect(),
        };
        let s = Box::pin(crate::builtins::run(interp, argv, io)).await;
        if s == 127 || s == 126 {
            return s;
        }
        if s == 255 {
            io.err.write(&format!(
                "xargs: {}: exited with status 255; aborting\n",
                command[0]
            ));
            return 124;
        }
        if s != 0 {
            status = 123;
        }
    }
    status
}

fn xargs_status(s: i32) -> i32 {
    match s {
        0 => 0,
        126 | 127 => s,
        255 => 124,
        _ => 123,
    }
}

/// xargs' default splitting: blanks and newlines, with quotes and backslashes.
fn xargs_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' | '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some('\n') | None => {
                            let kind = if c == '\'' { "single" } else { "double" };
                            return Err(format!("xargs: unmatched {kind} quote; by default quotes are special to xargs unless you use the -0 option\n"));
                        }
                        Some(o) => cur.push(o),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            o => {
                in_word = true;
                cur.push(o);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, args: &[&str], stdin: &str) -> Run {
        let read = |p: &str| -> Result<String, String> {
            if p == "f.txt" {
                Ok("one\ntwo\n".into())
            } else {
                Err("No such file or directory".into())
            }
        };
        let write = |_: &str, _: &str, _: bool| -> Result<(), String> { Ok(()) };
        let files = Files {
            read: &read,
            write: &write,
        };
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run(name, &args, stdin, &files)
    }

    #[test]
    fn wc_widths() {
        assert_eq!(t("wc", &["-l"], "a\nb\nc\n").out, "3\n");
        assert_eq!(
            t("wc", &[], "hello world\nbye\n").out,
            "      2       3      16\n"
        );
        assert_eq!(t("wc", &["-lw"], "a b\n").out, "      1       2\n");
        assert_eq!(t("wc", &["-l", "f.txt"], "").out, "2 f.txt\n");
        assert_eq!(t("wc", &["f.txt"], "").out, "2 2 8 f.txt\n");
        assert_eq!(t("wc", &["f.txt", "-"], "abcdefghij\n").out, "      2       2       8 f.txt\n      1       1      11 -\n      3       3      19 total\n");
        assert_eq!(t("wc", &["-c"], "").out, "0\n");
        let r = t("wc", &["-l", "nope"], "");
        assert_eq!(
            (r.err.as_str(), r.status),
            ("wc: nope: No such file or directory\n", 1)
        );
    }

    #[test]
    fn head_tail_sort_uniq() {
        let input = "b 2\na 10\nc 1\na 10\n";
        assert_eq!(t("head", &["-n", "2"], input).out, "b 2\na 10\n");
        assert_eq!(t("head", &["-1"], input).out, "b 2\n");
        assert_eq!(t("tail", &["-n", "+2"], input).out, "a 10\nc 1\na 10\n");
        assert_eq!(t("tail", &["-n1"], input).out, "a 10\n");
        assert_eq!(t("sort", &[], input).out, "a 10\na 10\nb 2\nc 1\n");
        assert_eq!(t("sort", &["-u"], input).out, "a 10\nb 2\nc 1\n");
        assert_eq!(
            t("sort", &["-k2", "-n"], input).out,
            "c 1\nb 2\na 10\na 10\n"
        );
        assert_eq!(
            t("sort", &["-rn", "-k", "2"], input).out,
            "a 10\na 10\nb 2\nc 1\n"
        );
        assert_eq!(t("sort", &[], "").out, "");
        let sorted = t("sort", &[], input).out;
        assert_eq!(
            t("uniq", &["-c"], &sorted).out,
            "      2 a 10\n      1 b 2\n      1 c 1\n"
        );
        assert_eq!(t("uniq", &["-d"], &sorted).out, "a 10\n");
        assert_eq!(
            t("head", &["-n", "x"], "").err,
            "head: invalid number of lines: 'x'\n"
        );
        assert_eq!(
            t("head", &["nope"], "").err,
            "head: cannot open 'nope' for reading: No such file or directory\n"
        );
        assert_eq!(t("head", &["f.txt"], "").out, "one\ntwo\n");
    }

    #[test]
    fn cut_tr_seq_tee() {
        assert_eq!(
            t("cut", &["-d", ":", "-f", "1,3"], "a:b:c\nnone\n").out,
            "a:c\nnone\n"
        );
        assert_eq!(t("cut", &["-d:", "-f2-"], "a:b:c\n").out, "b:c\n");
        assert_eq!(t("cut", &["-c", "1-3"], "abcdef\n").out, "abc\n");
        assert_eq!(
            t("cut", &["-f", "0"], "").err,
            "cut: fields are numbered from 1\nTry 'cut --help' for more information.\n"
        );
        assert_eq!(t("cut", &[], "").status, 1);
        assert_eq!(t("tr", &["a-z", "A-Z"], "hello\n").out, "HELLO\n");
        assert_eq!(t("tr", &["-d", "l"], "hello\n").out, "heo\n");
        assert_eq!(t("tr", &["-s", " "], "a   b\n").out, "a b\n");
        assert_eq!(t("tr", &["[:lower:]", "[:upper:]"], "ab\n").out, "AB\n");
        assert_eq!(t("tr", &["a"], "").err, "tr: missing operand after 'a'\nTwo strings must be given when translating.\nTry 'tr --help' for more information.\n");
        assert_eq!(t("seq", &["3"], "").out, "1\n2\n3\n");
        assert_eq!(t("seq", &["2", "2", "6"], "").out, "2\n4\n6\n");
        assert_eq!(t("seq", &["-s", ",", "3"], "").out, "1,2,3\n");
        assert_eq!(t("seq", &["x"], "").status, 1);
        assert_eq!(t("tee", &["out"], "x\n").out, "x\n");
    }

    #[test]
    fn sed_basics() {
        let input = "alpha\nbeta\ngamma\n";
        assert_eq!(t("sed", &["s/a/A/"], input).out, "Alpha\nbetA\ngAmma\n");
        assert_eq!(t("sed", &["s/a/A/g"], input).out, "AlphA\nbetA\ngAmmA\n");
        assert_eq!(t("sed", &["-n", "/et/p"], input).out, "beta\n");
        assert_eq!(t("sed", &["2d"], input).out, "alpha\ngamma\n");
        assert_eq!(t("sed", &["-n", "2,$p"], input).out, "beta\ngamma\n");
        assert_eq!(
            t("sed", &["-e", "1d", "-e", "s/\\(g\\)a/\\1o/"], input).out,
            "beta\ngomma\n"
        );
        assert_eq!(
            t("sed", &["-E", "s/(a+)/[\\1]/g"], "baab\n").out,
            "b[aa]b\n"
        );
        assert_eq!(t("sed", &["s|/|:|g"], "a/b/c\n").out, "a:b:c\n");
        assert_eq!(t("sed", &["$!d"], input).out, "gamma\n");
        assert_eq!(
            t("sed", &["s/a/b"], "").err,
            "sed: -e expression #1, char 5: unterminated `s' command\n"
        );
        assert_eq!(
            t("sed", &["k"], "").err,
            "sed: -e expression #1, char 1: unknown command: `k'\n"
        );
        assert_eq!(t("sed", &["2q"], input).out, "alpha\nbeta\n");
    }

    #[test]
    fn awk_basics() {
        let input = "ID NAME STATE\nx1 web Running\nx2 db Shutdown\n";
        assert_eq!(t("awk", &["{print $2}"], input).out, "NAME\nweb\ndb\n");
        assert_eq!(
            t("awk", &["NR>1 {print $1, $3}"], input).out,
            "x1 Running\nx2 Shutdown\n"
        );
        assert_eq!(t("awk", &["/Running/ {print $1}"], input).out, "x1\n");
        assert_eq!(
            t("awk", &["$3 == \"Shutdown\""], input).out,
            "x2 db Shutdown\n"
        );
        assert_eq!(t("awk", &["-F", ":", "{print $2}"], "a:b\n").out, "b\n");
        assert_eq!(t("awk", &["-F:", "{print $NF}"], "a:b:c\n").out, "c\n");
        assert_eq!(
            t("awk", &["{s += $1} END {print s}"], "1\n2\n3\n").out,
            "6\n"
        );
        assert_eq!(t("awk", &["END {print NR}"], "1\n2\n").out, "2\n");
        assert_eq!(
            t("awk", &["{printf \"%-4s|%3d\\n\", $1, $2}"], "a 5\n").out,
            "a   |  5\n"
        );
        assert_eq!(t("awk", &["BEGIN {print 1/4}"], "").out, "0.25\n");
        assert_eq!(t("awk", &["{print $(NF-1)}"], "a b c\n").out, "b\n");
        assert_eq!(t("awk", &["{print length($1)}"], "abc\n").out, "3\n");
        let r = t("awk", &["{print $1"], "x\n");
        assert_eq!(r.status, 1);
        assert!(
            r.err
                .starts_with("awk: cmd. line:1: {print $1\nawk: cmd. line:1: syntax error"),
            "{}",
            r.err
        );
        assert_eq!(t("awk", &["BEGIN { while }"], "").status, 1);
    }

    #[test]
    fn xargs_words_split() {
        assert_eq!(xargs_words("a b\n'c d'\n").unwrap(), vec!["a", "b", "c d"]);
        assert!(xargs_words("'open").is_err());
    }
}
