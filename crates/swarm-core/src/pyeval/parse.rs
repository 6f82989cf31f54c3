//! Source → statements: logical lines (brackets, `\` continuations, triple-quoted strings),
//! tokens, and a recursive-descent parser for the Python subset Flask views are written in.
//! A statement it cannot read becomes [`S::Bad`], which raises when it runs (not at parse
//! time), so the rest of the module still works.

use super::Value;

/// One statement: its first line (1-based), the code a traceback shows, what it does.
#[derive(Clone, Debug)]
pub struct Stmt {
    pub line: u32,
    pub code: String,
    pub kind: S,
}

#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub params: Vec<(String, Option<Expr>)>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub struct Handler {
    pub kind: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub enum S {
    Expr(Expr),
    Assign(Vec<Expr>, Expr),
    Aug(Expr, Op, Expr),
    Return(Option<Expr>),
    Pass,
    Break,
    Continue,
    Global(Vec<String>),
    /// `import a.b as c`: (module path, bound name).
    Import(Vec<(String, String)>),
    /// `from m import a as b`.
    From(String, Vec<(String, String)>),
    Raise(Option<Expr>),
    If(Vec<(Expr, Vec<Stmt>)>, Vec<Stmt>),
    While(Expr, Vec<Stmt>),
    For(Expr, Expr, Vec<Stmt>),
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finally: Vec<Stmt>,
    },
    Def(Box<Def>),
    /// Not understood: raises `NotImplementedError` when run.
    Bad(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

#[derive(Clone, Debug)]
pub enum Arg {
    Pos(Expr),
    Kw(String, Expr),
    Star(Expr),
    StarStar(Expr),
}

#[derive(Clone, Debug)]
pub enum FPart {
    Lit(String),
    /// The expression, `!r`/`!s`, the format spec, and `=` (`{x=}`: its source first).
    Field(Expr, Option<char>, String, Option<String>),
}

#[derive(Clone, Debug)]
pub enum Expr {
    Const(Value),
    Name(String),
    FStr(Vec<FPart>),
    Attr(Box<Expr>, String),
    Call(Box<Expr>, Vec<Arg>),
    Sub(Box<Expr>, Box<Expr>),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    Bin(Box<Expr>, Op, Box<Expr>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(Cmp, Expr)>),
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    /// `[elt for target in iter if cond]`.
    Comp(Box<Expr>, Box<Expr>, Box<Expr>, Option<Box<Expr>>),
}

/// A logical line: first physical line (1-based), indentation, text, the first physical
/// line as a traceback shows it.
struct Line {
    no: u32,
    indent: usize,
    text: String,
    code: String,
}

fn logical_lines(src: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut no = 1u32;
    while i < chars.len() {
        // The start of a physical line.
        let start_no = no;
        let mut indent = 0;
        while i < chars.len() && matches!(chars[i], ' ' | '\t' | '\x0c') {
            indent += if chars[i] == '\t' { 8 - indent % 8 } else { 1 };
            i += 1;
        }
        let first_start = i;
        let mut text = String::new();
        let mut depth = 0i32;
        let mut first_end = None;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '#' => {
                    while i < chars.len() && chars[i] != '\n' {
                        i += 1;
                    }
                }
                '\\' if chars.get(i + 1) == Some(&'\n') => {
                    first_end.get_or_insert(i);
                    i += 2;
                    no += 1;
                    text.push(' ');
                }
                '\n' => {
                    first_end.get_or_insert(i);
                    i += 1;
                    no += 1;
                    if depth <= 0 {
                        break;
                    }
                    text.push(' ');
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    text.push(c);
                    i += 1;
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    text.push(c);
                    i += 1;
                }
                '\'' | '"' => {
                    let triple = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                    let q = if triple { 3 } else { 1 };
                    text.extend(&chars[i..i + q]);
                    i += q;
                    while i < chars.len() {
                        let d = chars[i];
                        if d == '\\' && i + 1 < chars.len() {
                            if chars[i + 1] == '\n' {
                                no += 1;
                            }
                            text.push(d);
                            text.push(chars[i + 1]);
                            i += 2;
                            continue;
                        }
                        if d == '\n' {
                            if !triple {
                                break;
                            }
                            no += 1;
                            first_end.get_or_insert(i);
                        }
                        if d == c
                            && (!triple
                                || (chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c)))
                        {
                            text.extend(&chars[i..i + q]);
                            i += q;
                            break;
                        }
                        text.push(d);
                        i += 1;
                    }
                }
                c => {
                    text.push(c);
                    i += 1;
                }
            }
        }
        let end = first_end.unwrap_or(i).min(chars.len());
        let code: String = chars[first_start..end.max(first_start)].iter().collect();
        let code = code.trim_end().to_string();
        if !text.trim().is_empty() {
            out.push(Line {
                no: start_no,
                indent,
                text: text.trim_end().to_string(),
                code,
            });
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Name(String),
    Int(i64),
    Float(f64),
    /// Prefix (lowercase) and raw body.
    Str(String, String),
    Op(&'static str),
}

const OPS: [&str; 45] = [
    "**=", "//=", "...", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "**", "//", "->",
    ":=", "&=", "|=", "<<", ">>", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "+",
    "-", "*", "/", "%", "<", ">", "&", "|", "^", "~", "!", "?",
];

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let b: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    'outer: while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let st = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            let w: String = b[st..i].iter().collect();
            let lw = w.to_ascii_lowercase();
            if i < b.len()
                && (b[i] == '\'' || b[i] == '"')
                && matches!(
                    lw.as_str(),
                    "r" | "u" | "f" | "b" | "rb" | "br" | "fr" | "rf"
                )
            {
                let (body, n) = string_body(&b[i..])?;
                out.push(Tok::Str(lw, body));
                i += n;
                continue;
            }
            out.push(Tok::Name(w));
            continue;
        }
        if c == '\'' || c == '"' {
            let (body, n) = string_body(&b[i..])?;
            out.push(Tok::Str(String::new(), body));
            i += n;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let st = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_' || b[i] == '.') {
                if matches!(b[i], 'e' | 'E') && matches!(b.get(i + 1), Some('+' | '-')) {
                    i += 1;
                }
                i += 1;
            }
            let w: String = b[st..i].iter().filter(|&&c| c != '_').collect();
            if let Ok(n) = w.parse::<i64>() {
                out.push(Tok::Int(n));
            } else if let Some(h) = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
                out.push(Tok::Int(
                    i64::from_str_radix(h, 16).map_err(|_| "invalid number".to_string())?,
                ));
            } else if let Ok(f) = w.parse::<f64>() {
                out.push(Tok::Float(f));
            } else {
                return Err(format!("invalid number {w}"));
            }
            continue;
        }
        for op in OPS {
            if op
                .chars()
                .enumerate()
                .all(|(k, oc)| b.get(i + k) == Some(&oc))
            {
                out.push(Tok::Op(op));
                i += op.chars().count();
                continue 'outer;
            }
        }
        return Err(format!("invalid character '{c}'"));
    }
    Ok(out)
}

/// The raw body of the string literal at the start of `b` and the characters it takes.
fn string_body(b: &[char]) -> Result<(String, usize), String> {
    let q = b[0];
    let triple = b.get(1) == Some(&q) && b.get(2) == Some(&q);
    let n = if triple { 3 } else { 1 };
    let mut i = n;
    while i < b.len() {
        if b[i] == '\\' {
            i += 2;
            continue;
        }
        if b[i] == q && (!triple || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) {
            return Ok((b[n..i].iter().collect(), i + n));
        }
        i += 1;
    }
    Err("unterminated string literal".into())
}

/// The text of a string literal's body (escapes unless raw).
fn unescape(body: &str, raw: bool, bytes: bool) -> Result<String, String> {
    if raw {
        return Ok(body.to_string());
    }
    let mut out = String::new();
    let mut it = body.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\n') => {}
            Some(c @ ('\\' | '\'' | '"')) => out.push(c),
            Some('x') => {
                let h: String = it.by_ref().take(2).collect();
                let v = u32::from_str_radix(&h, 16).map_err(|_| "bad \\x escape")?;
                out.push(char::from_u32(v).ok_or("bad escape")?);
            }
            Some('u') if !bytes => {
                let h: String = it.by_ref().take(4).collect();
                let v = u32::from_str_radix(&h, 16).map_err(|_| "bad \\u escape")?;
                out.push(char::from_u32(v).ok_or("bad escape")?);
            }
            Some(c) => {
                out.push('\\');
                out.push(c);
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}

/// The module's statements.
pub fn module(src: &str) -> Vec<Stmt> {
    let lines = logical_lines(src);
    let mut i = 0;
    let mut out = Vec::new();
    while i < lines.len() {
        let ind = lines[i].indent;
        out.extend(block(&lines, &mut i, ind));
        if i < lines.len() {
            // A stray indented line: skip it.
            i += 1;
        }
    }
    out
}

fn block(lines: &[Line], i: &mut usize, indent: usize) -> Vec<Stmt> {
    let mut out: Vec<Stmt> = Vec::new();
    while *i < lines.len() && lines[*i].indent == indent {
        let l = &lines[*i];
        *i += 1;
        let head = first_word(&l.text);
        // Clauses that continue the statement before.
        if matches!(head, "elif" | "else" | "except" | "finally") {
            let (hdr, body) = suite(l, lines, i, indent);
            let attached = out
                .last_mut()
                .is_some_and(|prev| attach(prev, head, &hdr, body));
            if !attached {
                out.push(bad(l, "invalid syntax"));
            }
            continue;
        }
        if head == "@" || l.text.starts_with('@') {
            continue;
        }
        if compound(head) {
            let (hdr, body) = suite(l, lines, i, indent);
            out.push(compound_stmt(l, head, &hdr, body));
            continue;
        }
        out.extend(simple(l));
    }
    out
}

fn first_word(t: &str) -> &str {
    let end = t
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    if end == 0 {
        &t[..t.chars().next().map_or(0, char::len_utf8)]
    } else {
        &t[..end]
    }
}

fn compound(head: &str) -> bool {
    matches!(
        head,
        "if" | "while" | "for" | "try" | "def" | "class" | "with" | "async" | "match"
    )
}

/// The header (text before the top-level `:`) and the body of a compound statement: the
/// indented block after it, or the simple statements after the colon.
fn suite(l: &Line, lines: &[Line], i: &mut usize, indent: usize) -> (String, Vec<Stmt>) {
    let colon = top_colon(&l.text);
    let (hdr, rest) = match colon {
        Some(c) => (l.text[..c].to_string(), l.text[c + 1..].trim().to_string()),
        None => (l.text.clone(), String::new()),
    };
    if colon.is_none() {
        return (hdr, vec![bad(l, "expected ':'")]);
    }
    if !rest.is_empty() {
        let inline = Line {
            no: l.no,
            indent: l.indent,
            text: rest,
            code: l.code.clone(),
        };
        return (hdr, simple(&inline));
    }
    let body = match lines.get(*i) {
        Some(n) if n.indent > indent => {
            let ind = n.indent;
            block(lines, i, ind)
        }
        _ => vec![bad(l, "expected an indented block")],
    };
    // Deeper lines left over (inconsistent indentation) belong to this block.
    while *i < lines.len() && lines[*i].indent > indent {
        *i += 1;
    }
    (hdr, body)
}

/// The byte offset of the first `:` outside brackets and strings, not a lambda's or a
/// dict's.
fn top_colon(t: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut prev = '\0';
    for (i, c) in t.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q && prev != '\\' => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ':') if depth == 0 => return Some(i),
            _ => {}
        }
        prev = if prev == '\\' && c == '\\' { '\0' } else { c };
    }
    None
}

fn bad(l: &Line, why: &str) -> Stmt {
    Stmt {
        line: l.no,
        code: l.code.trim().to_string(),
        kind: S::Bad(why.to_string()),
    }
}

fn attach(prev: &mut Stmt, head: &str, hdr: &str, body: Vec<Stmt>) -> bool {
    match (&mut prev.kind, head) {
        (S::If(arms, orelse), "elif") if orelse.is_empty() => {
            match parse_expr(hdr.trim_start().strip_prefix("elif").unwrap_or("")) {
                Ok(c) => arms.push((c, body)),
                Err(e) => arms.push((Expr::Const(Value::Bool(true)), vec![bad_at(prev.line, &e)])),
            }
            true
        }
        (S::If(_, orelse), "else") if orelse.is_empty() => {
            *orelse = body;
            true
        }
        (S::While(..) | S::For(..), "else") => true,
        (
            S::Try {
                handlers,
                orelse,
                finally,
                ..
            },
            "except",
        ) if orelse.is_empty() && finally.is_empty() => {
            let spec = hdr.trim_start().strip_prefix("except").unwrap_or("").trim();
            let (kind, name) = match spec.rsplit_once(" as ") {
                Some((k, n)) => (k.trim(), Some(n.trim().to_string())),
                None => (spec, None),
            };
            let kind = if kind.is_empty() {
                None
            } else {
                match parse_expr(kind) {
                    Ok(k) => Some(k),
                    Err(_) => return false,
                }
            };
            handlers.push(Handler { kind, name, body });
            true
        }
        (
            S::Try {
                orelse, handlers, ..
            },
            "else",
        ) if !handlers.is_empty() => {
            *orelse = body;
            true
        }
        (S::Try { finally, .. }, "finally") => {
            *finally = body;
            true
        }
        _ => false,
    }
}

fn bad_at(line: u32, why: &str) -> Stmt {
    Stmt {
        line,
        code: String::new(),
        kind: S::Bad(why.to_string()),
    }
}

fn compound_stmt(l: &Line, head: &str, hdr: &str, body: Vec<Stmt>) -> Stmt {
    let rest = hdr.trim_start()[head.len()..].trim();
    let kind = match head {
        "if" => parse_expr(rest).map(|c| S::If(vec![(c, body)], Vec::new())),
        "while" => parse_expr(rest).map(|c| S::While(c, body)),
        "for" => {
            let toks = tokenize(rest);
            toks.and_then(|t| {
                let at = t
                    .iter()
                    .position(|x| *x == Tok::Name("in".into()))
                    .ok_or("expected 'in'")?;
                let mut p = P { t: &t[..at], i: 0 };
                let target = p.exprlist()?;
                p.end()?;
                let mut p = P {
                    t: &t[at + 1..],
                    i: 0,
                };
                let it = p.exprlist()?;
                p.end()?;
                Ok(S::For(target, it, body))
            })
        }
        "try" => Ok(S::Try {
            body,
            handlers: Vec::new(),
            orelse: Vec::new(),
            finally: Vec::new(),
        }),
        "def" => def(rest, body),
        _ => Err(format!("'{head}' statements are not supported")),
    };
    Stmt {
        line: l.no,
        code: l.code.trim().to_string(),
        kind: kind.unwrap_or_else(S::Bad),
    }
}

fn def(rest: &str, body: Vec<Stmt>) -> Result<S, String> {
    let open = rest.find('(').ok_or("expected '('")?;
    let name = rest[..open].trim().to_string();
    let close = rest.rfind(')').ok_or("expected ')'")?;
    let toks = tokenize(&rest[open + 1..close])?;
    let mut p = P { t: &toks, i: 0 };
    let mut params = Vec::new();
    while p.i < toks.len() {
        let Some(Tok::Name(n)) = p.next() else {
            return Err("unsupported parameters".into());
        };
        // An annotation.
        if p.eat(":") {
            p.expr()?;
        }
        let default = if p.eat("=") { Some(p.expr()?) } else { None };
        params.push((n, default));
        if !p.eat(",") {
            break;
        }
    }
    p.end()?;
    Ok(S::Def(Box::new(Def { name, params, body })))
}

/// The simple statements of a line (`;`-separated).
fn simple(l: &Line) -> Vec<Stmt> {
    let toks = match tokenize(&l.text) {
        Ok(t) => t,
        Err(e) => return vec![bad(l, &e)],
    };
    toks.split(|t| *t == Tok::Op(";"))
        .filter(|part| !part.is_empty())
        .map(|part| Stmt {
            line: l.no,
            code: l.code.trim().to_string(),
            kind: simple_stmt(part).unwrap_or_else(S::Bad),
        })
        .collect()
}

fn dotted(p: &mut P) -> Result<String, String> {
    let mut s = p.name()?;
    while p.eat(".") {
        s.push('.');
        s.push_str(&p.name()?);
    }
    Ok(s)
}

fn simple_stmt(t: &[Tok]) -> Result<S, String> {
    let mut p = P { t, i: 0 };
    let kw = match t.first() {
        Some(Tok::Name(n)) => n.as_str(),
        _ => "",
    };
    match kw {
        "pass" if t.len() == 1 => return Ok(S::Pass),
        "break" if t.len() == 1 => return Ok(S::Break),
        "continue" if t.len() == 1 => return Ok(S::Continue),
        "return" => {
            p.i = 1;
            let e = if p.i < t.len() {
                Some(p.exprlist()?)
            } else {
                None
            };
            p.end()?;
            return Ok(S::Return(e));
        }
        "raise" => {
            p.i = 1;
            let e = if p.i < t.len() { Some(p.expr()?) } else { None };
            if p.eat_name("from") {
                p.expr()?;
            }
            p.end()?;
            return Ok(S::Raise(e));
        }
        "global" | "nonlocal" => {
            p.i = 1;
            let mut names = vec![p.name()?];
            while p.eat(",") {
                names.push(p.name()?);
            }
            p.end()?;
            return Ok(S::Global(names));
        }
        "import" => {
            p.i = 1;
            let mut out = Vec::new();
            loop {
                let m = dotted(&mut p)?;
                if p.eat_name("as") {
                    out.push((m, p.name()?));
                } else {
                    let top = m.split('.').next().unwrap_or("").to_string();
                    out.push((top.clone(), top));
                }
                if !p.eat(",") {
                    break;
                }
            }
            p.end()?;
            return Ok(S::Import(out));
        }
        "from" => {
            p.i = 1;
            let m = dotted(&mut p)?;
            if !p.eat_name("import") {
                return Err("expected 'import'".into());
            }
            let paren = p.eat("(");
            let mut out = Vec::new();
            loop {
                if p.eat("*") {
                    break;
                }
                let n = p.name()?;
                let b = if p.eat_name("as") {
                    p.name()?
                } else {
                    n.clone()
                };
                out.push((n, b));
                if !p.eat(",") || (paren && p.peek_op(")")) {
                    break;
                }
            }
            if paren {
                p.expect(")")?;
            }
            p.end()?;
            return Ok(S::From(m, out));
        }
        "del" | "assert" | "yield" | "lambda" | "class" | "with" | "async" | "await" => {
            return Err(format!("'{kw}' is not supported"));
        }
        _ => {}
    }
    let first = p.exprlist()?;
    // An annotation: `x: int = 1`.
    if p.eat(":") {
        p.expr()?;
        if p.i == t.len() {
            return Ok(S::Pass);
        }
    }
    for (op, o) in [
        ("+=", Op::Add),
        ("-=", Op::Sub),
        ("*=", Op::Mul),
        ("/=", Op::Div),
        ("//=", Op::FloorDiv),
        ("%=", Op::Mod),
        ("**=", Op::Pow),
    ] {
        if p.eat(op) {
            let v = p.exprlist()?;
            p.end()?;
            return Ok(S::Aug(first, o, v));
        }
    }
    if p.peek_op("=") {
        let mut targets = vec![first];
        let mut value;
        loop {
            p.expect("=")?;
            value = p.exprlist()?;
            if p.peek_op("=") {
                targets.push(value);
            } else {
                break;
            }
        }
        p.end()?;
        return Ok(S::Assign(targets, value));
    }
    p.end()?;
    Ok(S::Expr(first))
}

pub fn parse_expr(s: &str) -> Result<Expr, String> {
    let t = tokenize(s)?;
    let mut p = P { t: &t, i: 0 };
    let e = p.exprlist()?;
    p.end()?;
    Ok(e)
}

struct P<'t> {
    t: &'t [Tok],
    i: usize,
}

impl P<'_> {
    fn next(&mut self) -> Option<Tok> {
        let t = self.t.get(self.i).cloned();
        self.i += 1;
        t
    }
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.t.get(self.i), Some(Tok::Op(o)) if *o == op)
    }
    fn peek_name(&self, n: &str) -> bool {
        matches!(self.t.get(self.i), Some(Tok::Name(x)) if x == n)
    }
    fn eat(&mut self, op: &str) -> bool {
        let y = self.peek_op(op);
        if y {
            self.i += 1;
        }
        y
    }
    fn eat_name(&mut self, n: &str) -> bool {
        let y = self.peek_name(n);
        if y {
            self.i += 1;
        }
        y
    }
    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.eat(op) {
            Ok(())
        } else {
            Err(format!("expected '{op}'"))
        }
    }
    fn end(&self) -> Result<(), String> {
        if self.i >= self.t.len() {
            Ok(())
        } else {
            Err("invalid syntax".into())
        }
    }
    fn name(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Name(n)) => Ok(n),
            _ => Err("expected a name".into()),
        }
    }
    /// Where an expression list ends.
    fn at_end(&self) -> bool {
        match self.t.get(self.i) {
            None => true,
            Some(Tok::Op(o)) => matches!(
                *o,
                ")" | "]"
                    | "}"
                    | "="
                    | ":"
                    | ";"
                    | "+="
                    | "-="
                    | "*="
                    | "/="
                    | "//="
                    | "%="
                    | "**="
            ),
            Some(Tok::Name(n)) => matches!(n.as_str(), "for" | "in" | "if" | "else"),
            _ => false,
        }
    }

    /// `a, b` (a tuple) or one expression.
    fn exprlist(&mut self) -> Result<Expr, String> {
        let first = self.expr()?;
        if !self.peek_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat(",") {
            if self.at_end() {
                break;
            }
            items.push(self.expr()?);
        }
        Ok(Expr::Tuple(items))
    }

    fn expr(&mut self) -> Result<Expr, String> {
        if self.peek_name("lambda") {
            return Err("'lambda' is not supported".into());
        }
        let a = self.or_test()?;
        if self.peek_name("if") {
            let save = self.i;
            self.i += 1;
            let c = self.or_test()?;
            if !self.eat_name("else") {
                self.i = save;
                return Ok(a);
            }
            let b = self.expr()?;
            return Ok(Expr::IfExp(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(a)
    }

    fn or_test(&mut self) -> Result<Expr, String> {
        let mut a = self.and_test()?;
        while self.eat_name("or") {
            a = Expr::Or(Box::new(a), Box::new(self.and_test()?));
        }
        Ok(a)
    }

    fn and_test(&mut self) -> Result<Expr, String> {
        let mut a = self.not_test()?;
        while self.eat_name("and") {
            a = Expr::And(Box::new(a), Box::new(self.not_test()?));
        }
        Ok(a)
    }

    fn not_test(&mut self) -> Result<Expr, String> {
        if self.eat_name("not") {
            return Ok(Expr::Not(Box::new(self.not_test()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let a = self.arith()?;
        let mut ops = Vec::new();
        loop {
            let op = match self.t.get(self.i) {
                Some(Tok::Op("==")) => Cmp::Eq,
                Some(Tok::Op("!=")) => Cmp::Ne,
                Some(Tok::Op("<")) => Cmp::Lt,
                Some(Tok::Op("<=")) => Cmp::Le,
                Some(Tok::Op(">")) => Cmp::Gt,
                Some(Tok::Op(">=")) => Cmp::Ge,
                Some(Tok::Name(n)) if n == "in" => Cmp::In,
                Some(Tok::Name(n)) if n == "is" => {
                    if self.t.get(self.i + 1) == Some(&Tok::Name("not".into())) {
                        self.i += 1;
                        Cmp::IsNot
                    } else {
                        Cmp::Is
                    }
                }
                Some(Tok::Name(n))
                    if n == "not" && self.t.get(self.i + 1) == Some(&Tok::Name("in".into())) =>
                {
                    self.i += 1;
                    Cmp::NotIn
                }
                _ => break,
            };
            self.i += 1;
            ops.push((op, self.arith()?));
        }
        Ok(if ops.is_empty() {
            a
        } else {
            Expr::Compare(Box::new(a), ops)
        })
    }

    fn arith(&mut self) -> Result<Expr, String> {
        let mut a = self.term()?;
        loop {
            let op = if self.eat("+") {
                Op::Add
            } else if self.eat("-") {
                Op::Sub
            } else {
                return Ok(a);
            };
            a = Expr::Bin(Box::new(a), op, Box::new(self.term()?));
        }
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut a = self.factor()?;
        loop {
            let op = if self.eat("*") {
                Op::Mul
            } else if self.eat("/") {
                Op::Div
            } else if self.eat("//") {
                Op::FloorDiv
            } else if self.eat("%") {
                Op::Mod
            } else {
                return Ok(a);
            };
            a = Expr::Bin(Box::new(a), op, Box::new(self.factor()?));
        }
    }

    fn factor(&mut self) -> Result<Expr, String> {
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.factor()?)));
        }
        if self.eat("+") {
            return self.factor();
        }
        let a = self.postfix()?;
        if self.eat("**") {
            return Ok(Expr::Bin(Box::new(a), Op::Pow, Box::new(self.factor()?)));
        }
        Ok(a)
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        if self.eat_name("await") {
            return Err("'await' is not supported".into());
        }
        let mut a = self.atom()?;
        loop {
            if self.eat(".") {
                a = Expr::Attr(Box::new(a), self.name()?);
            } else if self.eat("(") {
                let mut args = Vec::new();
                while !self.eat(")") {
                    if self.eat("**") {
                        args.push(Arg::StarStar(self.expr()?));
                    } else if self.eat("*") {
                        args.push(Arg::Star(self.expr()?));
                    } else if matches!(self.t.get(self.i), Some(Tok::Name(_)))
                        && self.t.get(self.i + 1) == Some(&Tok::Op("="))
                    {
                        let n = self.name()?;
                        self.i += 1;
                        args.push(Arg::Kw(n, self.expr()?));
                    } else {
                        let e = self.expr()?;
                        if self.peek_name("for") {
                            args.push(Arg::Pos(self.comp(e)?));
                        } else {
                            args.push(Arg::Pos(e));
                        }
                    }
                    if !self.eat(",") {
                        self.expect(")")?;
                        break;
                    }
                }
                a = Expr::Call(Box::new(a), args);
            } else if self.eat("[") {
                let idx = self.subscript()?;
                self.expect("]")?;
                a = Expr::Sub(Box::new(a), Box::new(idx));
            } else {
                return Ok(a);
            }
        }
    }

    fn subscript(&mut self) -> Result<Expr, String> {
        let part = |p: &mut Self| -> Result<Option<Box<Expr>>, String> {
            if p.peek_op(":") || p.peek_op("]") {
                Ok(None)
            } else {
                Ok(Some(Box::new(p.expr()?)))
            }
        };
        let lo = part(self)?;
        if !self.eat(":") {
            let lo = lo.ok_or("invalid syntax")?;
            if self.peek_op(",") {
                let mut items = vec![*lo];
                while self.eat(",") {
                    if self.peek_op("]") {
                        break;
                    }
                    items.push(self.expr()?);
                }
                return Ok(Expr::Tuple(items));
            }
            return Ok(*lo);
        }
        let hi = part(self)?;
        let step = if self.eat(":") { part(self)? } else { None };
        Ok(Expr::Slice(lo, hi, step))
    }

    /// `elt for target in iter [if cond]` after `elt`.
    fn comp(&mut self, elt: Expr) -> Result<Expr, String> {
        if !self.eat_name("for") {
            return Err("expected 'for'".into());
        }
        let target = {
            let first = self.postfix()?;
            if self.peek_op(",") {
                let mut items = vec![first];
                while self.eat(",") {
                    items.push(self.postfix()?);
                }
                Expr::Tuple(items)
            } else {
                first
            }
        };
        if !self.eat_name("in") {
            return Err("expected 'in'".into());
        }
        let it = self.or_test()?;
        let cond = if self.eat_name("if") {
            Some(Box::new(self.or_test()?))
        } else {
            None
        };
        if self.peek_name("for") {
            return Err("nested comprehensions are not supported".into());
        }
        Ok(Expr::Comp(
            Box::new(elt),
            Box::new(target),
            Box::new(it),
            cond,
        ))
    }

    fn atom(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Name(n)) => Ok(match n.as_str() {
                "None" => Expr::Const(Value::None),
                "True" => Expr::Const(Value::Bool(true)),
                "False" => Expr::Const(Value::Bool(false)),
                _ => Expr::Name(n),
            }),
            Some(Tok::Int(n)) => Ok(Expr::Const(Value::Int(n))),
            Some(Tok::Float(f)) => Ok(Expr::Const(Value::Float(f))),
            Some(Tok::Str(prefix, body)) => {
                let mut parts: Vec<(String, String)> = vec![(prefix, body)];
                while let Some(Tok::Str(p, b)) = self.t.get(self.i).cloned() {
                    parts.push((p, b));
                    self.i += 1;
                }
                string_expr(parts)
            }
            Some(Tok::Op("(")) => {
                if self.eat(")") {
                    return Ok(Expr::Tuple(Vec::new()));
                }
                let first = self.expr()?;
                if self.peek_name("for") {
                    let c = self.comp(first)?;
                    self.expect(")")?;
                    return Ok(c);
                }
                if self.eat(")") {
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat(",") {
                    if self.peek_op(")") {
                        break;
                    }
                    items.push(self.expr()?);
                }
                self.expect(")")?;
                Ok(Expr::Tuple(items))
            }
            Some(Tok::Op("[")) => {
                let mut items = Vec::new();
                if self.eat("]") {
                    return Ok(Expr::List(items));
                }
                let first = self.expr()?;
                if self.peek_name("for") {
                    let c = self.comp(first)?;
                    self.expect("]")?;
                    return Ok(c);
                }
                items.push(first);
                while self.eat(",") {
                    if self.peek_op("]") {
                        break;
                    }
                    items.push(self.expr()?);
                }
                self.expect("]")?;
                Ok(Expr::List(items))
            }
            Some(Tok::Op("{")) => {
                let mut items = Vec::new();
                while !self.eat("}") {
                    if self.eat("**") {
                        return Err("'**' in a dict display is not supported".into());
                    }
                    let k = self.expr()?;
                    if !self.eat(":") {
                        return Err("sets are not supported".into());
                    }
                    let v = self.expr()?;
                    if self.peek_name("for") {
                        return Err("dict comprehensions are not supported".into());
                    }
                    items.push((k, v));
                    if !self.eat(",") {
                        self.expect("}")?;
                        break;
                    }
                }
                Ok(Expr::Dict(items))
            }
            _ => Err("invalid syntax".into()),
        }
    }
}

/// Adjacent string literals, joined (f-strings among them make an f-string).
fn string_expr(parts: Vec<(String, String)>) -> Result<Expr, String> {
    let bytes = parts.iter().any(|p| p.0.contains('b'));
    if bytes {
        let mut out = String::new();
        for (p, b) in &parts {
            out.push_str(&unescape(b, p.contains('r'), true)?);
        }
        return Ok(Expr::Const(Value::Bytes(
            out.chars().map(|c| c as u32 as u8).collect(),
        )));
    }
    if !parts.iter().any(|p| p.0.contains('f')) {
        let mut out = String::new();
        for (p, b) in &parts {
            out.push_str(&unescape(b, p.contains('r'), false)?);
        }
        return Ok(Expr::Const(Value::Str(out)));
    }
    let mut fparts = Vec::new();
    for (p, b) in &parts {
        let raw = p.contains('r');
        if !p.contains('f') {
            fparts.push(FPart::Lit(unescape(b, raw, false)?));
            continue;
        }
        fstring(b, raw, &mut fparts)?;
    }
    Ok(Expr::FStr(fparts))
}

fn fstring(body: &str, raw: bool, out: &mut Vec<FPart>) -> Result<(), String> {
    let chars: Vec<char> = body.chars().collect();
    let mut lit = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' && chars.get(i + 1) == Some(&'{') {
            lit.push('{');
            i += 2;
            continue;
        }
        if c == '}' && chars.get(i + 1) == Some(&'}') {
            lit.push('}');
            i += 2;
            continue;
        }
        if c == '}' {
            return Err("f-string: single '}' is not allowed".into());
        }
        if c != '{' {
            lit.push(c);
            i += 1;
            continue;
        }
        if !lit.is_empty() {
            out.push(FPart::Lit(unescape(&lit, raw, false)?));
            lit.clear();
        }
        // The field: up to the matching `}` outside brackets and strings.
        let mut depth = 0;
        let mut quote: Option<char> = None;
        let mut j = i + 1;
        let mut conv_at = None;
        let mut spec_at = None;
        while j < chars.len() {
            let d = chars[j];
            match (quote, d) {
                (Some(q), d) if d == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(d),
                (None, '(' | '[' | '{') => depth += 1,
                (None, ')' | ']') => depth -= 1,
                (None, '}') if depth == 0 => break,
                (None, '}') => depth -= 1,
                (None, '!')
                    if depth == 0 && chars.get(j + 1) != Some(&'=') && spec_at.is_none() =>
                {
                    conv_at.get_or_insert(j);
                }
                (None, ':') if depth == 0 && spec_at.is_none() => {
                    spec_at = Some(j);
                }
                _ => {}
            }
            j += 1;
        }
        if j >= chars.len() {
            return Err("f-string: expecting '}'".into());
        }
        let expr_end = conv_at.or(spec_at).unwrap_or(j);
        let mut src: String = chars[i + 1..expr_end].iter().collect();
        let mut echo = None;
        if src.trim_end().ends_with('=') && !src.trim_end().ends_with("==") {
            echo = Some(src.clone());
            let t = src.trim_end();
            src = t[..t.len() - 1].to_string();
        }
        let conv = conv_at.and_then(|c| chars.get(c + 1).copied());
        let spec: String = match spec_at {
            Some(s) => chars[s + 1..j].iter().collect(),
            None => String::new(),
        };
        let e = parse_expr(src.trim())?;
        out.push(FPart::Field(e, conv, spec, echo));
        i = j + 1;
    }
    if !lit.is_empty() {
        out.push(FPart::Lit(unescape(&lit, raw, false)?));
    }
    Ok(())
}
