//! How values print: `repr`, `str`, format specs (`f'{x:>5}'`, `.format`, `%`), and
//! Flask's JSON (`jsonify`: sorted keys, `ensure_ascii`, compact or indented).

use super::{type_error, type_name, unsupported, Exc, Interp, Value, R};

/// Python's `repr()` of a float.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    if f == f.trunc() && f.abs() < 1e16 {
        return format!("{f:.1}");
    }
    let s = format!("{f}");
    if f.abs() >= 1e16 || (f != 0.0 && f.abs() < 1e-4) {
        let e = format!("{f:e}");
        let (m, x) = e.split_once('e').unwrap_or((&e, "0"));
        let x: i32 = x.parse().unwrap_or(0);
        let sign = if x < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", x.abs());
    }
    s
}

fn str_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

fn bytes_repr(b: &[u8]) -> String {
    let q = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(q);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == q => {
                out.push('\\');
                out.push(q);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(q);
    out
}

/// Python's `repr()`.
pub fn repr(v: &Value) -> String {
    match v {
        Value::Str(s) => str_repr(s),
        Value::Bytes(b) => bytes_repr(b),
        Value::List(l) => format!("[{}]", l.iter().map(repr).collect::<Vec<_>>().join(", ")),
        Value::Tuple(l) if l.len() == 1 => format!("({},)", repr(&l[0])),
        Value::Tuple(l) => format!("({})", l.iter().map(repr).collect::<Vec<_>>().join(", ")),
        Value::Dict(d) => format!(
            "{{{}}}",
            d.iter()
                .map(|(k, v)| format!("{}: {}", repr(k), repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Exc(e) => {
            let short = e.kind.rsplit('.').next().unwrap_or(&e.kind);
            if e.msg.is_empty() {
                format!("{short}()")
            } else {
                format!("{short}({})", str_repr(&e.msg))
            }
        }
        other => str_of(other),
    }
}

/// Python's `str()`.
pub fn str_of(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(n) => n.to_string(),
        Value::Float(f) => float_repr(*f),
        Value::Str(s) => s.clone(),
        Value::Bytes(_) | Value::List(_) | Value::Tuple(_) | Value::Dict(_) => repr(v),
        Value::Func(n) => format!("<function {n} at 0x7f0c2a1b3d80>"),
        Value::Builtin(n) => format!("<built-in function {}>", n.rsplit('.').next().unwrap_or(n)),
        Value::Module(m) => format!("<module '{m}'>"),
        Value::ExcType(k) => format!("<class '{k}'>"),
        Value::Exc(e) => e.msg.clone(),
        Value::Method(_, m) => format!("<bound method {m}>"),
        Value::Redis(r) => format!(
            "Redis<ConnectionPool<Connection<host={},port={},db=0>>>",
            r.host, r.port
        ),
        Value::Obj(o) => format!("<{o}>"),
        Value::Response(r) => format!(
            "<Response {} bytes [{}]>",
            r.body.len(),
            status_text(r.status)
        ),
    }
}

fn status_text(s: u16) -> String {
    let reason = match s {
        200 => "OK",
        201 => "CREATED",
        202 => "ACCEPTED",
        204 => "NO CONTENT",
        301 => "MOVED PERMANENTLY",
        302 => "FOUND",
        400 => "BAD REQUEST",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT FOUND",
        405 => "METHOD NOT ALLOWED",
        409 => "CONFLICT",
        500 => "INTERNAL SERVER ERROR",
        _ => "UNKNOWN",
    };
    format!("{s} {reason}")
}

/// A format spec applied (`>5`, `05d`, `.2f`, `,`, `x`).
pub fn apply_spec(v: &Value, spec: &str) -> R<String> {
    if spec.is_empty() {
        return Ok(str_of(v));
    }
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let (mut fill, mut align) = (' ', None);
    if chars.len() >= 2 && matches!(chars[1], '<' | '>' | '^' | '=') {
        fill = chars[0];
        align = Some(chars[1]);
        i = 2;
    } else if matches!(chars.first(), Some('<' | '>' | '^' | '=')) {
        align = Some(chars[0]);
        i = 1;
    }
    let mut sign = '-';
    if matches!(chars.get(i), Some('+' | '-' | ' ')) {
        sign = chars[i];
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        if align.is_none() {
            fill = '0';
            align = Some('=');
        }
        i += 1;
    }
    let mut width = 0usize;
    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
        width = width * 10 + d as usize;
        i += 1;
    }
    let mut comma = None;
    if matches!(chars.get(i), Some(',' | '_')) {
        comma = Some(chars[i]);
        i += 1;
    }
    let mut prec = None;
    if chars.get(i) == Some(&'.') {
        i += 1;
        let mut p = 0usize;
        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
            p = p * 10 + d as usize;
            i += 1;
        }
        prec = Some(p);
    }
    let ty = chars.get(i).copied();
    if i + usize::from(ty.is_some()) != chars.len() {
        return Err(Exc::new("ValueError", "Invalid format specifier"));
    }
    let bad = || {
        Exc::new(
            "ValueError",
            format!(
                "Unknown format code '{}' for object of type '{}'",
                ty.unwrap_or('?'),
                type_name(v)
            ),
        )
    };
    let group = |digits: &str, sep: char| -> String {
        let (int, frac) = digits
            .split_once('.')
            .map_or((digits, None), |(a, b)| (a, Some(b)));
        let mut out = String::new();
        for (k, c) in int.chars().enumerate() {
            if k > 0 && (int.len() - k) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        if let Some(f) = frac {
            out.push('.');
            out.push_str(f);
        }
        out
    };
    let (neg, body, numeric) = match (v, ty) {
        (Value::Int(_) | Value::Bool(_), Some('f' | 'F' | '%')) | (Value::Float(_), _)
            if ty != Some('s') =>
        {
            let f = match v {
                Value::Float(f) => *f,
                Value::Int(n) => *n as f64,
                Value::Bool(b) => f64::from(u8::from(*b)),
                _ => 0.0,
            };
            let (f, pct) = if ty == Some('%') {
                (f * 100.0, "%")
            } else {
                (f, "")
            };
            let s = match (ty, prec) {
                (Some('f' | 'F' | '%'), p) => format!("{:.*}", p.unwrap_or(6), f.abs()),
                (None | Some('g'), Some(p)) => {
                    let s = format!("{:.*e}", p.saturating_sub(1), f.abs());
                    s.parse::<f64>()
                        .map(|x| float_repr(x).trim_end_matches(".0").to_string())
                        .unwrap_or(s)
                }
                (None, None) => float_repr(f.abs()),
                (Some('e'), p) => format!("{:.*e}", p.unwrap_or(6), f.abs()),
                _ => return Err(bad()),
            };
            let s = match comma {
                Some(c) => group(&s, c),
                None => s,
            };
            (f < 0.0, format!("{s}{pct}"), true)
        }
        (Value::Int(n), None | Some('d' | 'x' | 'X' | 'b' | 'o' | 'n')) => {
            let m = n.unsigned_abs();
            let s = match ty {
                Some('x') => format!("{m:x}"),
                Some('X') => format!("{m:X}"),
                Some('b') => format!("{m:b}"),
                Some('o') => format!("{m:o}"),
                _ => m.to_string(),
            };
            let s = match comma {
                Some(c) => group(&s, c),
                None => s,
            };
            (*n < 0, s, true)
        }
        (Value::Bool(b), None | Some('d')) => (false, u8::from(*b).to_string(), true),
        (_, None | Some('s')) if !matches!(v, Value::Int(_) | Value::Float(_)) => {
            let mut s = str_of(v);
            if let Value::Str(_) = v {
            } else if ty == Some('s') {
                return Err(bad());
            } else if !matches!(v, Value::Str(_)) {
                // Objects without __format__ take an empty spec only.
                if !matches!(v, Value::Bool(_)) {
                    return Err(type_error(format!(
                        "unsupported format string passed to {}.__format__",
                        type_name(v)
                    )));
                }
            }
            if let Some(p) = prec {
                s = s.chars().take(p).collect();
            }
            (false, s, false)
        }
        _ => return Err(bad()),
    };
    let sign_s = if neg {
        "-"
    } else if sign == '+' && numeric {
        "+"
    } else if sign == ' ' && numeric {
        " "
    } else {
        ""
    };
    let len = sign_s.chars().count() + body.chars().count();
    let pad = width.saturating_sub(len);
    let fills = |n: usize| fill.to_string().repeat(n);
    let align = align.unwrap_or(if numeric { '>' } else { '<' });
    Ok(match align {
        '<' => format!("{sign_s}{body}{}", fills(pad)),
        '^' => format!("{}{sign_s}{body}{}", fills(pad / 2), fills(pad - pad / 2)),
        '=' => format!("{sign_s}{}{body}", fills(pad)),
        _ => format!("{}{sign_s}{body}", fills(pad)),
    })
}

impl Interp<'_> {
    pub(super) fn format_field(&self, v: &Value, conv: Option<char>, spec: &str) -> R<String> {
        match conv {
            Some('r') => apply_spec(&Value::Str(repr(v)), spec),
            Some('s') => apply_spec(&Value::Str(str_of(v)), spec),
            Some(c) => Err(Exc::new(
                "ValueError",
                format!("Unknown conversion specifier {c}"),
            )),
            None => apply_spec(v, spec),
        }
    }

    /// `fmt.format(*pos, **kw)`.
    pub(super) fn str_format(&self, fmt: &str, pos: &[Value], kw: &[(String, Value)]) -> R<String> {
        let chars: Vec<char> = fmt.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        let mut auto = 0;
        while i < chars.len() {
            let c = chars[i];
            if (c == '{' || c == '}') && chars.get(i + 1) == Some(&c) {
                out.push(c);
                i += 2;
                continue;
            }
            if c == '}' {
                return Err(Exc::new(
                    "ValueError",
                    "Single '}' encountered in format string",
                ));
            }
            if c != '{' {
                out.push(c);
                i += 1;
                continue;
            }
            let Some(j) = chars[i..].iter().position(|&d| d == '}') else {
                return Err(Exc::new(
                    "ValueError",
                    "Single '{' encountered in format string",
                ));
            };
            let field: String = chars[i + 1..i + j].iter().collect();
            i += j + 1;
            let (name, spec) = field.split_once(':').unwrap_or((&field, ""));
            let (name, conv) = match name.split_once('!') {
                Some((n, c)) => (n, c.chars().next()),
                None => (name, None),
            };
            let (base, rest) = match name.find(['.', '[']) {
                Some(k) => (&name[..k], &name[k..]),
                None => (name, ""),
            };
            let v = if base.is_empty() {
                auto += 1;
                pos.get(auto - 1).cloned().ok_or_else(|| {
                    Exc::new(
                        "IndexError",
                        format!(
                            "Replacement index {} out of range for positional args tuple",
                            auto - 1
                        ),
                    )
                })?
            } else if let Ok(n) = base.parse::<usize>() {
                pos.get(n).cloned().ok_or_else(|| {
                    Exc::new(
                        "IndexError",
                        format!("Replacement index {n} out of range for positional args tuple"),
                    )
                })?
            } else {
                kw.iter()
                    .find(|k| k.0 == base)
                    .map(|k| k.1.clone())
                    .ok_or_else(|| Exc::new("KeyError", repr(&Value::Str(base.to_string()))))?
            };
            let v = if rest.is_empty() {
                v
            } else if let Some(key) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                let k = key
                    .parse::<i64>()
                    .map(Value::Int)
                    .unwrap_or_else(|_| Value::Str(key.to_string()));
                self.index(v, k)?
            } else {
                return Err(unsupported("attribute fields in str.format"));
            };
            out.push_str(&self.format_field(&v, conv, spec)?);
        }
        Ok(out)
    }

    /// `fmt % args`.
    pub(super) fn percent(&self, fmt: &str, args: &Value) -> R<String> {
        let dict = matches!(args, Value::Dict(_));
        let items: Vec<Value> = match args {
            Value::Tuple(t) => t.clone(),
            other => vec![other.clone()],
        };
        let mut it = items.into_iter();
        let chars: Vec<char> = fmt.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        let mut used_dict = false;
        while i < chars.len() {
            if chars[i] != '%' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            i += 1;
            let mut key = None;
            if chars.get(i) == Some(&'(') {
                let j = chars[i..]
                    .iter()
                    .position(|&c| c == ')')
                    .ok_or_else(|| Exc::new("ValueError", "incomplete format key"))?;
                key = Some(chars[i + 1..i + j].iter().collect::<String>());
                i += j + 1;
            }
            let mut spec = String::new();
            while let Some(&c) = chars.get(i) {
                if c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | ' ' | '0') {
                    spec.push(c);
                    i += 1;
                } else {
                    break;
                }
            }
            let Some(&ty) = chars.get(i) else {
                return Err(Exc::new("ValueError", "incomplete format"));
            };
            i += 1;
            if ty == '%' {
                out.push('%');
                continue;
            }
            let v = match &key {
                Some(k) => {
                    used_dict = true;
                    match args {
                        Value::Dict(d) => d
                            .iter()
                            .find(|x| x.0 == Value::Str(k.clone()))
                            .map(|x| x.1.clone())
                            .ok_or_else(|| Exc::new("KeyError", repr(&Value::Str(k.clone()))))?,
                        _ => return Err(type_error("format requires a mapping")),
                    }
                }
                None => it
                    .next()
                    .ok_or_else(|| type_error("not enough arguments for format string"))?,
            };
            let (left, rest) = match spec.strip_prefix('-') {
                Some(r) => (true, r.to_string()),
                None => (false, spec.clone()),
            };
            let pyspec = format!("{}{}", if left { "<" } else { "" }, rest);
            let s = match ty {
                's' => apply_spec(&Value::Str(str_of(&v)), &pyspec)?,
                'r' => apply_spec(&Value::Str(repr(&v)), &pyspec)?,
                'd' | 'i' | 'u' => {
                    let n = match &v {
                        Value::Int(n) => Value::Int(*n),
                        Value::Bool(b) => Value::Int(i64::from(*b)),
                        Value::Float(f) => Value::Int(f.trunc() as i64),
                        other => {
                            return Err(type_error(format!(
                                "%{ty} format: a real number is required, not {}",
                                type_name(other)
                            )))
                        }
                    };
                    apply_spec(&n, &pyspec)?
                }
                'f' | 'F' | 'x' | 'X' | 'e' | 'g' => {
                    let n = match &v {
                        Value::Int(_) | Value::Float(_) | Value::Bool(_) => v.clone(),
                        other => {
                            return Err(type_error(format!(
                                "must be real number, not {}",
                                type_name(other)
                            )))
                        }
                    };
                    let spec = if rest.contains('.') || ty != 'f' {
                        format!("{pyspec}{ty}")
                    } else {
                        format!("{pyspec}.6f")
                    };
                    apply_spec(&n, &spec)?
                }
                c => {
                    return Err(Exc::new(
                        "ValueError",
                        format!("unsupported format character '{c}' (0x{:x})", c as u32),
                    ))
                }
            };
            out.push_str(&s);
        }
        if !dict && !used_dict && it.next().is_some() {
            return Err(type_error(
                "not all arguments converted during string formatting",
            ));
        }
        Ok(out)
    }
}

/// A value as Flask's JSON provider writes it (`sort_keys`, `ensure_ascii`); `indent`:
/// debug mode's `indent=2`.
pub fn write_json(v: &Value, out: &mut String, indent: Option<usize>) -> R<()> {
    let nl = |out: &mut String, level: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(level));
    };
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Float(f) => out.push_str(&match *f {
            f if f.is_nan() => "NaN".to_string(),
            f if f.is_infinite() => if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string(),
            f => float_repr(f),
        }),
        Value::Str(s) => json_str(s, out),
        Value::List(items) | Value::Tuple(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (n, x) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                if let Some(l) = indent {
                    nl(out, l + 1);
                }
                write_json(x, out, indent.map(|l| l + 1))?;
            }
            if let Some(l) = indent {
                nl(out, l);
            }
            out.push(']');
        }
        Value::Dict(d) => {
            if d.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            let mut keyed = Vec::new();
            for (k, x) in d {
                let key = match k {
                    Value::Str(s) => s.clone(),
                    Value::Int(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::None => "null".into(),
                    Value::Float(f) => float_repr(*f),
                    other => {
                        return Err(type_error(format!(
                            "keys must be str, int, float, bool or None, not {}",
                            type_name(other)
                        )))
                    }
                };
                keyed.push((key, k, x));
            }
            if keyed
                .iter()
                .any(|(_, k, _)| std::mem::discriminant(*k) != std::mem::discriminant(keyed[0].1))
            {
                return Err(type_error(
                    "'<' not supported between instances of 'int' and 'str'",
                ));
            }
            keyed.sort_by(|a, b| match (a.1, b.1) {
                (Value::Int(x), Value::Int(y)) => x.cmp(y),
                _ => a.0.cmp(&b.0),
            });
            out.push('{');
            for (n, (k, _, x)) in keyed.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                if let Some(l) = indent {
                    nl(out, l + 1);
                }
                json_str(k, out);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write_json(x, out, indent.map(|l| l + 1))?;
            }
            if let Some(l) = indent {
                nl(out, l);
            }
            out.push('}');
        }
        other => {
            return Err(type_error(format!(
                "Object of type {} is not JSON serializable",
                type_name(other)
            )))
        }
    }
    Ok(())
}

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.dumps` with Python's default separators (`, `, `: `), keys in order.
pub fn dumps(v: &Value, out: &mut String) -> R<()> {
    match v {
        Value::List(items) | Value::Tuple(items) => {
            out.push('[');
            for (n, x) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                dumps(x, out)?;
            }
            out.push(']');
        }
        Value::Dict(d) => {
            out.push('{');
            for (n, (k, x)) in d.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                match k {
                    Value::Str(s) => json_str(s, out),
                    other => json_str(&str_of(other).to_lowercase(), out),
                }
                out.push_str(": ");
                dumps(x, out)?;
            }
            out.push('}');
        }
        other => write_json(other, out, None)?,
    }
    Ok(())
}
