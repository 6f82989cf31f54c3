//! Word expansion: brace expansion (`{1..5}`, `a{b,c}`), quotes, escapes, `~`, parameters,
//! `$(…)`, `$((…))`, and field splitting.
//!
//! Words arrive as raw source text; brush-parser's word parser splits them into pieces, and
//! this module turns the pieces into strings. Results of unquoted expansions are split on
//! blanks; quoted text and literal text are not. Then pathname expansion: a field with an
//! unquoted `*`, `?` or `[…]` becomes the sorted names it matches on the machine's
//! filesystem, or stays as typed when nothing matches (bash without `nullglob`).

use brush_parser::word::{
    self, Parameter, ParameterExpr, ParameterTestType, SpecialParameter, WordPiece,
    WordPieceWithSource,
};

use crate::exec::{parser_options, Interp, Io, LocalFuture};

/// A field being built, and whether anything quoted went into it (a quoted empty string
/// still makes an argument, an unquoted empty expansion does not).
/// Each field also keeps its glob pattern: the same text with quoted characters escaped,
/// and whether an unquoted `*`, `?` or `[` appeared in it.
#[derive(Default)]
struct Fields {
    done: Vec<(String, Option<String>)>,
    cur: String,
    cur_counts: bool,
    pat: String,
    globby: bool,
}

impl Fields {
    /// Unquoted text: glob characters in it are live.
    fn literal(&mut self, s: &str) {
        self.cur.push_str(s);
        self.cur_counts = true;
        self.unquoted_pattern(s);
    }

    fn unquoted_pattern(&mut self, s: &str) {
        self.pat.push_str(s);
        if s.contains(['*', '?', '[']) {
            self.globby = true;
        }
    }

    /// Quoted text: one field even when empty; glob characters in it are literal.
    fn quoted(&mut self, s: &str) {
        self.cur.push_str(s);
        self.cur_counts = true;
        for c in s.chars() {
            if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                self.pat.push('\\');
            }
            self.pat.push(c);
        }
    }

    /// Unquoted expansion result: split on blanks when splitting.
    fn expanded(&mut self, s: &str, split: bool) {
        if !split {
            self.cur.push_str(s);
            self.unquoted_pattern(s);
            return;
        }
        for (i, part) in s.split([' ', '\t', '\n']).enumerate() {
            if i > 0 {
                self.end_field();
            }
            if !part.is_empty() {
                self.cur.push_str(part);
                self.cur_counts = true;
                self.unquoted_pattern(part);
            }
        }
    }

    fn end_field(&mut self) {
        if self.cur_counts {
            let pat = std::mem::take(&mut self.pat);
            let glob = self.globby.then_some(pat);
            self.done.push((std::mem::take(&mut self.cur), glob));
        }
        self.cur.clear();
        self.pat.clear();
        self.cur_counts = false;
        self.globby = false;
    }

    fn finish(mut self) -> Vec<(String, Option<String>)> {
        self.end_field();
        self.done
    }
}

/// Expands `word`. With `split`, the result is a list of fields; without, one element
/// (possibly empty) holding the whole expansion.
pub(crate) async fn expand_word(
    interp: &Interp,
    word: &str,
    io: &Io,
    split: bool,
) -> Result<Vec<String>, i32> {
    if split {
        if let Some(words) = brace_expand(word) {
            let mut out = Vec::new();
            for w in words {
                out.extend(Box::pin(expand_word(interp, &w, io, true)).await?);
            }
            return Ok(out);
        }
    }
    let pieces = match word::parse(word, &parser_options()) {
        Ok(p) => p,
        Err(_) => {
            io.err.write(&format!("bash: {word}: bad substitution\n"));
            return Err(1);
        }
    };
    let mut f = Fields::default();
    expand_pieces(interp, &pieces, io, split, false, &mut f).await?;
    if split {
        let mut out = Vec::new();
        for (text, pat) in f.finish() {
            match pat.map(|p| glob(interp, &p)) {
                Some(matches) if !matches.is_empty() => out.extend(matches),
                _ => out.push(text),
            }
        }
        Ok(out)
    } else {
        Ok(vec![f.cur])
    }
}

/// The most words one brace expansion makes (bash has no limit; a page must not run out of
/// memory on `{1..100000000}`): past it the word stays as typed.
const MAX_BRACE_WORDS: usize = 100_000;

/// bash's brace expansion, the first expansion of a word in a command: `{1..5}`, `{a..e}`,
/// `{1..10..3}`, `x{a,b}y` (nested too) give one word each, still to be expanded; quoted
/// braces and words without a brace expression give `None`.
fn brace_expand(word: &str) -> Option<Vec<String>> {
    use brush_parser::word::{BraceExpressionMember as M, BraceExpressionOrText as T};
    // Without a pair there is nothing to do; past 64 braces the parser's recursion is not
    // worth the risk (no command line a person types has that many).
    if !word.contains('{') || !word.contains('}') || word.matches('{').count() > 64 {
        return None;
    }
    // The parser's numbers are i64s it unwraps: longer digit runs are left alone.
    let longest_digits = word
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest_digits > 18 {
        return None;
    }
    let pieces = word::parse_brace_expansions(word, &parser_options()).ok()??;
    // `{01..10}`: a number written with a leading zero pads every number to the longer end.
    let width = word
        .split('{')
        .skip(1)
        .filter_map(|rest| {
            let body = rest.split('}').next()?;
            let mut ends = body.split("..");
            let (a, b) = (ends.next()?, ends.next()?);
            let digits = |x: &str| {
                let d = x.trim_start_matches(['-', '+']);
                !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
            };
            let padded = |x: &str| {
                x.trim_start_matches(['-', '+']).len() > 1
                    && x.trim_start_matches(['-', '+']).starts_with('0')
            };
            (digits(a) && digits(b) && (padded(a) || padded(b))).then(|| a.len().max(b.len()))
        })
        .max()
        .unwrap_or(0);
    if !pieces.iter().any(|p| matches!(p, T::Expr(_))) {
        return None;
    }
    fn sequence(start: i64, end: i64, step: i64) -> Vec<i64> {
        let step = step.unsigned_abs().max(1);
        let count = start.abs_diff(end) / step + 1;
        if count > MAX_BRACE_WORDS as u64 {
            return Vec::new();
        }
        (0..count)
            .map(|i| {
                let d = (i * step) as i64;
                if start <= end {
                    start + d
                } else {
                    start - d
                }
            })
            .collect()
    }
    fn words(pieces: &[T], width: usize) -> Option<Vec<String>> {
        let mut out = vec![String::new()];
        for p in pieces {
            let alts: Vec<String> = match p {
                T::Text(t) => vec![t.clone()],
                T::Expr(members) => {
                    let mut alts = Vec::new();
                    for m in members {
                        match m {
                            M::NumberSequence {
                                start,
                                end,
                                increment,
                            } => alts.extend(
                                sequence(*start, *end, *increment)
                                    .into_iter()
                                    .map(|n| format!("{n:0width$}")),
                            ),
                            M::CharSequence {
                                start,
                                end,
                                increment,
                            } => alts.extend(
                                sequence(*start as i64, *end as i64, *increment)
                                    .into_iter()
                                    .filter_map(|c| char::from_u32(c as u32))
                                    .map(String::from),
                            ),
                            M::Child(child) => alts.extend(words(child, width)?),
                        }
                    }
                    alts
                }
            };
            if alts.is_empty() || out.len().saturating_mul(alts.len()) > MAX_BRACE_WORDS {
                return None;
            }
            out = out
                .iter()
                .flat_map(|o| alts.iter().map(move |a| format!("{o}{a}")))
                .collect();
        }
        Some(out)
    }
    words(&pieces, width)
}

/// Expands a heredoc body (quotes are literal there).
pub(crate) async fn expand_heredoc(interp: &Interp, body: &str, io: &Io) -> Result<String, i32> {
    let pieces = match word::parse_heredoc(body, &parser_options()) {
        Ok(p) => p,
        Err(_) => return Ok(body.to_string()),
    };
    let mut f = Fields::default();
    expand_pieces(interp, &pieces, io, false, true, &mut f).await?;
    Ok(f.cur)
}

fn expand_pieces<'a>(
    interp: &'a Interp,
    pieces: &'a [WordPieceWithSource],
    io: &'a Io,
    split: bool,
    in_quotes: bool,
    f: &'a mut Fields,
) -> LocalFuture<'a, Result<(), i32>> {
    Box::pin(async move {
        for p in pieces {
            match &p.piece {
                WordPiece::Text(t) if in_quotes => f.quoted(t),
                WordPiece::Text(t) => f.literal(t),
                WordPiece::SingleQuotedText(t) => f.quoted(t),
                WordPiece::AnsiCQuotedText(t) => f.quoted(&ansi_c(t)),
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    // `"$@"` without positional parameters is no word at all.
                    let no_word = !inner.is_empty()
                        && inner
                            .iter()
                            .all(|p| all_positional(&p.piece) == Some(false))
                        && interp.session.borrow().ctx().positional.is_empty();
                    if !no_word {
                        f.cur_counts = true;
                    }
                    // Inside the quotes nothing is split; `split` says whether `"$@"` may
                    // make several words.
                    expand_pieces(interp, inner, io, split, true, f).await?;
                }
                WordPiece::EscapeSequence(e) => {
                    let c = e.strip_prefix('\\').unwrap_or(e);
                    if in_quotes && !c.starts_with(['$', '`', '"', '\\', '\n']) {
                        f.quoted(e);
                    } else if c == "\n" {
                        // A backslash-newline is a line continuation.
                    } else {
                        f.quoted(c);
                    }
                }
                WordPiece::TildeExpansion(t) => {
                    let home = interp.get_var("HOME").unwrap_or_else(|| "/root".into());
                    let v = match t {
                        word::TildeExpr::Home => home,
                        word::TildeExpr::UserHome(u) if u == "root" => "/root".into(),
                        word::TildeExpr::UserHome(u) => format!("/home/{u}"),
                        word::TildeExpr::WorkingDir => interp.get_var("PWD").unwrap_or_default(),
                        word::TildeExpr::OldWorkingDir => {
                            interp.get_var("OLDPWD").unwrap_or_default()
                        }
                        _ => "~".into(),
                    };
                    f.quoted(&v);
                }
                WordPiece::ParameterExpansion(_) if split && all_positional(&p.piece).is_some() => {
                    // `$@`, `$*`, `"$@"`: one word per positional parameter; `"$*"`: one
                    // word, the parameters joined by the first character of IFS.
                    let params = interp.session.borrow().ctx().positional.clone();
                    let concatenate = all_positional(&p.piece) == Some(true);
                    if in_quotes && concatenate {
                        let sep = match interp.get_var("IFS") {
                            None => " ".to_string(),
                            Some(ifs) => ifs.chars().next().map(String::from).unwrap_or_default(),
                        };
                        f.quoted(&params.join(&sep));
                    } else {
                        for (i, v) in params.iter().enumerate() {
                            if i > 0 {
                                f.end_field();
                            }
                            if in_quotes {
                                f.quoted(v);
                            } else {
                                f.expanded(v, true);
                            }
                        }
                    }
                }
                WordPiece::ParameterExpansion(expr) => {
                    let v = parameter(interp, expr, io).await?;
                    if in_quotes {
                        f.quoted(&v);
                    } else {
                        f.expanded(&v, split);
                    }
                }
                WordPiece::CommandSubstitution(src)
                | WordPiece::BackquotedCommandSubstitution(src) => {
                    let v = interp.capture(src, io).await;
                    if in_quotes {
                        f.quoted(&v);
                    } else {
                        f.expanded(&v, split);
                    }
                }
                WordPiece::ArithmeticExpression(e) => {
                    // Variables inside are expanded first, as bash does.
                    let text = interp.expand_single(&e.value, io).await?;
                    match arith(interp, &text) {
                        Ok(v) => f.quoted(&v.to_string()),
                        Err(msg) => {
                            io.err.write(&format!("bash: {msg}\n"));
                            return Err(1);
                        }
                    }
                }
            }
        }
        Ok(())
    })
}

/// `Some(concatenate)` when the piece is `$@`/`${@}` (false) or `$*`/`${*}` (true).
fn all_positional(piece: &WordPiece) -> Option<bool> {
    match piece {
        WordPiece::ParameterExpansion(ParameterExpr::Parameter {
            parameter: Parameter::Special(SpecialParameter::AllPositionalParameters { concatenate }),
            indirect: false,
        }) => Some(*concatenate),
        _ => None,
    }
}

/// The most names one pattern expands to.
const MAX_GLOB_MATCHES: usize = 10_000;

/// Pathname expansion of `pattern` (quoted characters escaped with `\`) on the current
/// machine's filesystem: the matching paths in byte order, empty when none match. Names
/// starting with `.` match only a pattern component starting with `.`. Inside a container's
/// shell there is no filesystem, so nothing matches.
fn glob(interp: &Interp, pattern: &str) -> Vec<String> {
    let (machine, cwd, in_container) = {
        let s = interp.session.borrow();
        (
            s.machine(),
            s.ctx().cwd.clone(),
            s.ctx().container.is_some(),
        )
    };
    if in_container {
        return Vec::new();
    }
    let world = interp.world();
    let w = world.borrow();
    let Some(m) = w.machine(machine) else {
        return Vec::new();
    };
    let fs = &m.fs;
    let absolute = pattern.starts_with('/');
    // Candidates as (shown text, absolute path).
    let mut cands: Vec<(String, String)> = vec![if absolute {
        (String::new(), "/".to_string())
    } else {
        (String::new(), cwd)
    }];
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let trailing_slash = pattern.ends_with('/');
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let live = has_live_glob(comp);
        let mut next = Vec::new();
        for (shown, abs) in &cands {
            let join_shown = |name: &str| {
                if shown.is_empty() && !absolute {
                    name.to_string()
                } else if shown.is_empty() {
                    format!("/{name}")
                } else {
                    format!("{shown}/{name}")
                }
            };
            if !live {
                let name = unescape(comp);
                let p = swarm_core::fs::join(abs, &name);
                if fs.exists(&p) {
                    next.push((join_shown(&name), p));
                }
                continue;
            }
            let Ok(entries) = fs.list(abs) else {
                continue;
            };
            for (name, meta) in entries {
                if name.starts_with('.') && !comp.starts_with('.') {
                    continue;
                }
                if (!last || trailing_slash) && !meta.is_dir() {
                    continue;
                }
                if crate::util::glob_match(comp, &name) {
                    next.push((join_shown(&name), swarm_core::fs::join(abs, &name)));
                }
            }
        }
        cands = next;
        if cands.is_empty() || cands.len() > MAX_GLOB_MATCHES {
            return Vec::new();
        }
    }
    let mut out: Vec<String> = cands
        .into_iter()
        .map(|(s, _)| if trailing_slash { format!("{s}/") } else { s })
        .collect();
    swarm_core::sort::sort(&mut out);
    out
}

/// True when a pattern component has a `*`, `?` or `[` that is not escaped.
fn has_live_glob(comp: &str) -> bool {
    let mut escaped = false;
    for c in comp.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if matches!(c, '*' | '?' | '[') {
            return true;
        }
    }
    false
}

/// A pattern component without its escapes.
fn unescape(comp: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in comp.chars() {
        if !escaped && c == '\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

/// `$'…'` escapes.
fn ansi_c(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('e') | Some('E') => out.push('\x1b'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('a') => out.push('\x07'),
            Some('x') => {
                // `\xHH`: one or two hex digits.
                let hex: String = chars
                    .clone()
                    .take(2)
                    .take_while(char::is_ascii_hexdigit)
                    .collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => {
                        out.push(c);
                        for _ in 0..hex.len() {
                            chars.next();
                        }
                    }
                    None => out.push_str("\\x"),
                }
            }
            Some(d @ '0'..='7') => {
                // `\NNN`: up to three octal digits.
                let mut digits = d.to_string();
                digits.extend(
                    chars
                        .clone()
                        .take(2)
                        .take_while(|c| ('0'..='7').contains(c)),
                );
                for _ in 1..digits.len() {
                    chars.next();
                }
                let v = u32::from_str_radix(&digits, 8).unwrap_or(0) & 0xff;
                out.push(char::from_u32(v).unwrap_or('\0'));
            }
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// `$0`: the login shell `-bash`, or the shell in a container as it was started (`sh`).
fn shell_name(interp: &Interp) -> String {
    if let Some(name) = &interp.session.borrow().ctx().argv0 {
        return name.clone();
    }
    match &interp.session.borrow().ctx().container {
        Some(c) => c.argv0().to_string(),
        None => "-bash".to_string(),
    }
}

fn param_value(interp: &Interp, p: &Parameter) -> Option<String> {
    match p {
        Parameter::Named(n) => interp.get_var(n),
        Parameter::Positional(0) => Some(shell_name(interp)),
        Parameter::Positional(n) => interp
            .session
            .borrow()
            .ctx()
            .positional
            .get((*n as usize).wrapping_sub(1))
            .cloned(),
        Parameter::Special(s) => match s {
            SpecialParameter::LastExitStatus => Some(interp.status().to_string()),
            SpecialParameter::ProcessId => Some("1".into()),
            SpecialParameter::ShellName => Some(shell_name(interp)),
            SpecialParameter::PositionalParameterCount => {
                Some(interp.session.borrow().ctx().positional.len().to_string())
            }
            SpecialParameter::AllPositionalParameters { .. } => {
                Some(interp.session.borrow().ctx().positional.join(" "))
            }
            SpecialParameter::CurrentOptionFlags => Some(if interp.xtrace_on() {
                "himxBHs".into()
            } else {
                "himBHs".into()
            }),
            SpecialParameter::LastBackgroundProcessId => None,
        },
        Parameter::NamedWithIndex { name, index } => {
            if index == "0" || index == "@" || index == "*" {
                interp.get_var(name)
            } else {
                None
            }
        }
        Parameter::NamedWithAllIndices { name, .. } => interp.get_var(name),
    }
}

fn param_name(p: &Parameter) -> String {
    match p {
        Parameter::Named(n) => n.clone(),
        Parameter::Positional(n) => n.to_string(),
        other => other
            .to_string()
            .trim_start_matches('$')
            .trim_matches(['{', '}'])
            .to_string(),
    }
}

fn is_missing(v: &Option<String>, t: &ParameterTestType) -> bool {
    match t {
        ParameterTestType::UnsetOrNull => v.as_deref().is_none_or(str::is_empty),
        ParameterTestType::Unset => v.is_none(),
    }
}

async fn parameter(interp: &Interp, expr: &ParameterExpr, io: &Io) -> Result<String, i32> {
    let sub = |w: &Option<String>| w.clone().unwrap_or_default();
    Ok(match expr {
        ParameterExpr::Parameter {
            parameter,
            indirect: false,
        } => param_value(interp, parameter).unwrap_or_default(),
        ParameterExpr::UseDefaultValues {
            parameter,
            test_type,
            default_value,
            indirect: false,
        } => {
            let v = param_value(interp, parameter);
            if is_missing(&v, test_type) {
                interp.expand_single(&sub(default_value), io).await?
            } else {
                v.unwrap_or_default()
            }
        }
        ParameterExpr::AssignDefaultValues {
            parameter,
            test_type,
            default_value,
            indirect: false,
        } => {
            let v = param_value(interp, parameter);
            if is_missing(&v, test_type) {
                let d = interp.expand_single(&sub(default_value), io).await?;
                if let Parameter::Named(n) = parameter {
                    interp.set_var(n, d.clone());
                }
                d
            } else {
                v.unwrap_or_default()
            }
        }
        ParameterExpr::UseAlternativeValue {
            parameter,
            test_type,
            alternative_value,
            indirect: false,
        } => {
            let v = param_value(interp, parameter);
            if is_missing(&v, test_type) {
                String::new()
            } else {
                interp.expand_single(&sub(alternative_value), io).await?
            }
        }
        ParameterExpr::IndicateErrorIfNullOrUnset {
            parameter,
            test_type,
            error_message,
            indirect: false,
        } => {
            let v = param_value(interp, parameter);
            if is_missing(&v, test_type) {
                let msg = match error_message {
                    Some(m) if !m.is_empty() => interp.expand_single(m, io).await?,
                    _ => "parameter null or not set".into(),
                };
                io.err
                    .write(&format!("bash: {}: {msg}\n", param_name(parameter)));
                return Err(1);
            }
            v.unwrap_or_default()
        }
        ParameterExpr::ParameterLength {
            parameter,
            indirect: false,
        } => param_value(interp, parameter)
            .unwrap_or_default()
            .chars()
            .count()
            .to_string(),
        ParameterExpr::RemoveSmallestSuffixPattern {
            parameter,
            pattern,
            indirect: false,
        }
        | ParameterExpr::RemoveLargestSuffixPattern {
            parameter,
            pattern,
            indirect: false,
        }
        | ParameterExpr::RemoveSmallestPrefixPattern {
            parameter,
            pattern,
            indirect: false,
        }
        | ParameterExpr::RemoveLargestPrefixPattern {
            parameter,
            pattern,
            indirect: false,
        } => {
            let v = param_value(interp, parameter).unwrap_or_default();
            let pat = interp.expand_single(&sub(pattern), io).await?;
            let (suffix, largest) = match expr {
                ParameterExpr::RemoveSmallestSuffixPattern { .. } => (true, false),
                ParameterExpr::RemoveLargestSuffixPattern { .. } => (true, true),
                ParameterExpr::RemoveSmallestPrefixPattern { .. } => (false, false),
                _ => (false, true),
            };
            remove_pattern(&v, &pat, suffix, largest)
        }
        _ => {
            io.err.write("bash: bad substitution\n");
            return Err(1);
        }
    })
}

/// `${v%pat}`, `${v%%pat}`, `${v#pat}`, `${v##pat}`.
fn remove_pattern(v: &str, pat: &str, suffix: bool, largest: bool) -> String {
    let idx: Vec<usize> = v
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(v.len()))
        .collect();
    let candidates: Box<dyn Iterator<Item = &usize>> = match (suffix, largest) {
        // Suffix: try cut points from the end (smallest) or from the start (largest).
        (true, false) => Box::new(idx.iter().rev()),
        (true, true) => Box::new(idx.iter()),
        (false, false) => Box::new(idx.iter()),
        (false, true) => Box::new(idx.iter().rev()),
    };
    for &i in candidates {
        if suffix {
            if crate::util::glob_match(pat, &v[i..]) {
                return v[..i].to_string();
            }
        } else if crate::util::glob_match(pat, &v[..i]) {
            return v[i..].to_string();
        }
    }
    v.to_string()
}

/// Integer arithmetic for `$((…))` and `((…))`: + - * / % comparisons, parentheses,
/// variables by name.
pub(crate) fn arith(interp: &Interp, expr: &str) -> Result<i64, String> {
    let tokens = arith_tokens(expr)?;
    let mut p = Arith {
        t: &tokens,
        i: 0,
        interp,
    };
    let v = p.expr(0)?;
    if p.i != tokens.len() {
        return Err(format!(
            "{expr}: syntax error in expression (error token is \"{}\")",
            tokens[p.i..].join(" ")
        ));
    }
    Ok(v)
}

fn arith_tokens(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch.is_ascii_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else {
            let two: String = c[i..(i + 2).min(c.len())].iter().collect();
            if ["==", "!=", "<=", ">=", "&&", "||", "**"].contains(&two.as_str()) {
                out.push(two);
                i += 2;
            } else if "+-*/%()<>!".contains(ch) {
                out.push(ch.to_string());
                i += 1;
            } else {
                return Err(format!(
                    "{s}: syntax error: operand expected (error token is \"{}\")",
                    c[i..].iter().collect::<String>()
                ));
            }
        }
    }
    Ok(out)
}

struct Arith<'a> {
    t: &'a [String],
    i: usize,
    interp: &'a Interp,
}

impl Arith<'_> {
    fn prec(op: &str) -> Option<u8> {
        Some(match op {
            "||" => 1,
            "&&" => 2,
            "==" | "!=" => 3,
            "<" | ">" | "<=" | ">=" => 4,
            "+" | "-" => 5,
            "*" | "/" | "%" => 6,
            "**" => 7,
            _ => return None,
        })
    }

    fn expr(&mut self, min: u8) -> Result<i64, String> {
        let mut lhs = self.unary()?;
        while let Some(op) = self.t.get(self.i) {
            let Some(p) = Self::prec(op) else { break };
            if p < min {
                break;
            }
            let op = op.clone();
            self.i += 1;
            let rhs = self.expr(if op == "**" { p } else { p + 1 })?;
            lhs = match op.as_str() {
                "+" => lhs.wrapping_add(rhs),
                "-" => lhs.wrapping_sub(rhs),
                "*" => lhs.wrapping_mul(rhs),
                "/" | "%" if rhs == 0 => return Err("division by 0 (error token is \"0\")".into()),
                "/" => lhs.wrapping_div(rhs),
                "%" => lhs.wrapping_rem(rhs),
                "**" => lhs.wrapping_pow(u32::try_from(rhs).unwrap_or(0)),
                "==" => i64::from(lhs == rhs),
                "!=" => i64::from(lhs != rhs),
                "<" => i64::from(lhs < rhs),
                ">" => i64::from(lhs > rhs),
                "<=" => i64::from(lhs <= rhs),
                ">=" => i64::from(lhs >= rhs),
                "&&" => i64::from(lhs != 0 && rhs != 0),
                _ => i64::from(lhs != 0 || rhs != 0),
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<i64, String> {
        let Some(tok) = self.t.get(self.i).cloned() else {
            return Err("syntax error: operand expected".into());
        };
        self.i += 1;
        match tok.as_str() {
            "-" => Ok(self.unary()?.wrapping_neg()),
            "+" => self.unary(),
            "!" => Ok(i64::from(self.unary()? == 0)),
            "(" => {
                let v = self.expr(0)?;
                if self.t.get(self.i).map(String::as_str) != Some(")") {
                    return Err("syntax error: `)' expected".into());
                }
                self.i += 1;
                Ok(v)
            }
            t if t.bytes().all(|b| b.is_ascii_digit()) => t
                .parse()
                .map_err(|_| format!("{t}: value too great for base")),
            t if t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                let v = self.interp.get_var(t).unwrap_or_default();
                Ok(v.trim().parse().unwrap_or(0))
            }
            t => Err(format!(
                "syntax error: operand expected (error token is \"{t}\")"
            )),
        }
    }
}
