//! Builtin functions, methods of str/bytes/dict and the request's dicts, redis-py's client,
//! and Flask's `make_response` (what a view's return value becomes).

use super::format::{dumps, repr, str_of, write_json};
use super::{
    from_json, py_cmp, type_error, type_name, unsupported, Exc, Interp, RedisClient, Response,
    Value, R,
};
use crate::appdata::RedisReply;

fn kwarg<'v>(kw: &'v [(String, Value)], name: &str) -> Option<&'v Value> {
    kw.iter().find(|k| k.0 == name).map(|k| &k.1)
}

/// `int(x)`.
pub fn to_int(v: &Value) -> R<Value> {
    let bad = |shown: String| {
        Exc::new(
            "ValueError",
            format!("invalid literal for int() with base 10: {shown}"),
        )
    };
    match v {
        Value::Int(n) => Ok(Value::Int(*n)),
        Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
        Value::Float(f) if f.is_finite() => Ok(Value::Int(f.trunc() as i64)),
        Value::Float(_) => Err(Exc::new(
            "OverflowError",
            "cannot convert float infinity to integer",
        )),
        Value::Str(s) => s
            .trim()
            .replace('_', "")
            .parse()
            .map(Value::Int)
            .map_err(|_| bad(repr(v))),
        Value::Bytes(b) => String::from_utf8_lossy(b)
            .trim()
            .parse()
            .map(Value::Int)
            .map_err(|_| bad(repr(v))),
        other => Err(type_error(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            type_name(other)
        ))),
    }
}

fn to_float(v: &Value) -> R<Value> {
    match v {
        Value::Int(n) => Ok(Value::Float(*n as f64)),
        Value::Bool(b) => Ok(Value::Float(f64::from(u8::from(*b)))),
        Value::Float(f) => Ok(Value::Float(*f)),
        Value::Str(_) | Value::Bytes(_) => {
            let s = match v {
                Value::Str(s) => s.clone(),
                Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            };
            s.trim().parse().map(Value::Float).map_err(|_| {
                Exc::new(
                    "ValueError",
                    format!("could not convert string to float: {}", repr(v)),
                )
            })
        }
        other => Err(type_error(format!(
            "float() argument must be a string or a real number, not '{}'",
            type_name(other)
        ))),
    }
}

/// What redis-py sends for an argument.
fn redis_arg(v: &Value) -> R<String> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        Value::Bytes(b) => Ok(String::from_utf8_lossy(b).into_owned()),
        Value::Int(n) => Ok(n.to_string()),
        Value::Float(f) => Ok(super::format::float_repr(*f)),
        other => Err(Exc::new(
            "redis.exceptions.DataError",
            format!(
                "Invalid input of type: '{}'. Convert to a bytes, string, int or float first.",
                type_name(other)
            ),
        )),
    }
}

/// Positional argument `i` of the call of `name`, or Python's TypeError for too few.
fn nth_arg<'a>(pos: &'a [Value], i: usize, name: &str) -> R<&'a Value> {
    pos.get(i).ok_or_else(|| {
        type_error(format!(
            "{name}() takes at least {} argument{}",
            i + 1,
            if i == 0 { "" } else { "s" }
        ))
    })
}

impl Interp<'_> {
    pub(super) fn builtin(
        &mut self,
        b: &str,
        pos: Vec<Value>,
        kw: Vec<(String, Value)>,
    ) -> R<Value> {
        let arg = |i: usize| nth_arg(&pos, i, b.rsplit('.').next().unwrap_or(b));
        match b {
            "str" => Ok(Value::Str(match pos.first() {
                None => String::new(),
                Some(Value::Bytes(bytes)) if pos.len() > 1 || kwarg(&kw, "encoding").is_some() => {
                    String::from_utf8_lossy(bytes).into_owned()
                }
                Some(v) => str_of(v),
            })),
            "repr" => Ok(Value::Str(repr(arg(0)?))),
            "int" => match (pos.first(), pos.get(1)) {
                (None, _) => Ok(Value::Int(0)),
                (Some(v @ Value::Str(s)), Some(Value::Int(base))) => u32::try_from(*base)
                    .ok()
                    .and_then(|base| i64::from_str_radix(s.trim(), base).ok())
                    .map(Value::Int)
                    .ok_or_else(|| {
                        Exc::new(
                            "ValueError",
                            format!("invalid literal for int() with base {base}: {}", repr(v)),
                        )
                    }),
                (Some(v), _) => to_int(v),
            },
            "float" => match pos.first() {
                None => Ok(Value::Float(0.0)),
                Some(v) => to_float(v),
            },
            "bool" => Ok(Value::Bool(pos.first().is_some_and(|v| self.truthy(v)))),
            "len" => {
                let v = arg(0)?;
                let n = match v {
                    Value::Str(s) => s.chars().count(),
                    Value::Bytes(b) => b.len(),
                    Value::List(l) | Value::Tuple(l) => l.len(),
                    Value::Dict(d) => d.len(),
                    Value::Obj(o) if o.starts_with("request.") => self.multidict(o).len(),
                    other => {
                        return Err(type_error(format!(
                            "object of type '{}' has no len()",
                            type_name(other)
                        )))
                    }
                };
                Ok(Value::Int(n as i64))
            }
            "print" => {
                let sep = match kwarg(&kw, "sep") {
                    Some(Value::Str(s)) => s.clone(),
                    _ => " ".into(),
                };
                let line: Vec<String> = pos.iter().map(str_of).collect();
                let line = line.join(&sep);
                // Python's stdout is a pipe in a container: block-buffered, so a line shows
                // in `docker logs` only with `flush=True` or `PYTHONUNBUFFERED`.
                let flush = kwarg(&kw, "flush").is_some_and(|f| self.truthy(f))
                    || self
                        .host
                        .env("PYTHONUNBUFFERED")
                        .is_some_and(|v| !v.is_empty());
                if flush {
                    self.stdout.extend(line.split('\n').map(str::to_string));
                }
                Ok(Value::None)
            }
            "abs" => match arg(0)? {
                Value::Int(n) => Ok(Value::Int(n.abs())),
                Value::Float(f) => Ok(Value::Float(f.abs())),
                other => Err(type_error(format!(
                    "bad operand type for abs(): '{}'",
                    type_name(other)
                ))),
            },
            "min" | "max" | "sorted" | "sum" | "any" | "list" | "tuple" | "reversed"
            | "enumerate" => {
                let items = match (pos.len(), b) {
                    (0, "list" | "tuple") => Vec::new(),
                    (1, _)
                    | (_, "sorted" | "sum" | "any" | "list" | "tuple" | "reversed" | "enumerate") => {
                        self.iterate(arg(0)?)?
                    }
                    _ => pos.clone(),
                };
                match b {
                    "list" => Ok(Value::List(items)),
                    "tuple" => Ok(Value::Tuple(items)),
                    "reversed" => Ok(Value::List(items.into_iter().rev().collect())),
                    "any" => Ok(Value::Bool(items.iter().any(|v| self.truthy(v)))),
                    "enumerate" => Ok(Value::List(
                        items
                            .into_iter()
                            .enumerate()
                            .map(|(i, v)| Value::Tuple(vec![Value::Int(i as i64), v]))
                            .collect(),
                    )),
                    "sum" => {
                        let mut acc = pos.get(1).cloned().unwrap_or(Value::Int(0));
                        for v in items {
                            acc = self.binop(acc, super::Op::Add, v)?;
                        }
                        Ok(acc)
                    }
                    "sorted" => {
                        let mut v = Value::List(items);
                        super::mutate(&mut v, "sort", Vec::new(), Vec::new())?;
                        if kwarg(&kw, "reverse").is_some_and(|r| self.truthy(r)) {
                            if let Value::List(l) = &mut v {
                                l.reverse();
                            }
                        }
                        Ok(v)
                    }
                    _ => {
                        let mut best: Option<Value> = None;
                        for v in items {
                            best = Some(match best {
                                None => v,
                                Some(cur) => {
                                    let ord = py_cmp(&v, &cur).ok_or_else(|| {
                                        type_error(format!(
                                            "'<' not supported between instances of '{}' and '{}'",
                                            type_name(&v),
                                            type_name(&cur)
                                        ))
                                    })?;
                                    let better = if b == "min" {
                                        ord == std::cmp::Ordering::Less
                                    } else {
                                        ord == std::cmp::Ordering::Greater
                                    };
                                    if better {
                                        v
                                    } else {
                                        cur
                                    }
                                }
                            });
                        }
                        best.ok_or_else(|| {
                            Exc::new("ValueError", format!("{b}() arg is an empty sequence"))
                        })
                    }
                }
            }
            "round" => match (arg(0)?, pos.get(1)) {
                (Value::Float(f), None) => {
                    let r = f.round();
                    // Python rounds half to even.
                    let r = if (f - f.trunc()).abs() == 0.5 {
                        2.0 * (f / 2.0).round()
                    } else {
                        r
                    };
                    Ok(Value::Int(r as i64))
                }
                (Value::Float(f), Some(Value::Int(d))) => {
                    let m = 10f64.powi((*d).clamp(-15, 15) as i32);
                    Ok(Value::Float((f * m).round() / m))
                }
                (Value::Int(n), _) => Ok(Value::Int(*n)),
                (other, _) => Err(type_error(format!(
                    "type {} doesn't define __round__ method",
                    type_name(other)
                ))),
            },
            "range" => {
                let n = |v: &Value| match v {
                    Value::Int(n) => Ok(*n),
                    other => Err(type_error(format!(
                        "'{}' object cannot be interpreted as an integer",
                        type_name(other)
                    ))),
                };
                let (lo, hi, step) = match pos.len() {
                    1 => (0, n(&pos[0])?, 1),
                    2 => (n(&pos[0])?, n(&pos[1])?, 1),
                    3 => (n(&pos[0])?, n(&pos[1])?, n(&pos[2])?),
                    _ => return Err(type_error("range expected at least 1 argument, got 0")),
                };
                if step == 0 {
                    return Err(Exc::new("ValueError", "range() arg 3 must not be zero"));
                }
                let mut out = Vec::new();
                let mut i = lo;
                while (step > 0 && i < hi) || (step < 0 && i > hi) {
                    out.push(Value::Int(i));
                    i += step;
                    if out.len() > 100_000 {
                        return Err(unsupported("ranges this long"));
                    }
                }
                Ok(Value::List(out))
            }
            "dict" => {
                let mut d = match pos.first() {
                    None => Vec::new(),
                    Some(Value::Dict(d)) => d.clone(),
                    Some(v) => {
                        let mut out = Vec::new();
                        for pair in self.iterate(v)? {
                            let kv = self.iterate(&pair)?;
                            if kv.len() != 2 {
                                return Err(Exc::new(
                                    "ValueError",
                                    "dictionary update sequence element has wrong length",
                                ));
                            }
                            out.push((kv[0].clone(), kv[1].clone()));
                        }
                        out
                    }
                };
                for (k, v) in kw {
                    d.push((Value::Str(k), v));
                }
                Ok(Value::Dict(d))
            }
            "zip" => {
                let lists: Vec<Vec<Value>> =
                    pos.iter().map(|v| self.iterate(v)).collect::<R<_>>()?;
                let n = lists.iter().map(Vec::len).min().unwrap_or(0);
                Ok(Value::List(
                    (0..n)
                        .map(|i| Value::Tuple(lists.iter().map(|l| l[i].clone()).collect()))
                        .collect(),
                ))
            }
            "isinstance" => {
                let v = arg(0)?;
                let t = arg(1)?;
                let matches = |t: &Value| match t {
                    Value::Builtin(n) => match n.as_str() {
                        "str" => matches!(v, Value::Str(_)),
                        "int" => matches!(v, Value::Int(_) | Value::Bool(_)),
                        "float" => matches!(v, Value::Float(_)),
                        "bool" => matches!(v, Value::Bool(_)),
                        "list" => matches!(v, Value::List(_)),
                        "dict" => matches!(v, Value::Dict(_)),
                        "tuple" => matches!(v, Value::Tuple(_)),
                        _ => false,
                    },
                    _ => false,
                };
                Ok(Value::Bool(match t {
                    Value::Tuple(ts) => ts.iter().any(matches),
                    t => matches(t),
                }))
            }
            "type" => Ok(Value::Str(format!("<class '{}'>", type_name(arg(0)?)))),
            "hex" => match arg(0)? {
                Value::Int(n) if *n < 0 => Ok(Value::Str(format!("-0x{:x}", n.unsigned_abs()))),
                Value::Int(n) => Ok(Value::Str(format!("0x{n:x}"))),
                other => Err(type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    type_name(other)
                ))),
            },
            "os.getenv" => {
                let Value::Str(k) = arg(0)? else {
                    return Err(type_error("str expected, not int"));
                };
                Ok(match self.host.env(k) {
                    Some(v) => Value::Str(v),
                    None => pos
                        .get(1)
                        .or_else(|| kwarg(&kw, "default"))
                        .cloned()
                        .unwrap_or(Value::None),
                })
            }
            "os.getpid" => Ok(Value::Int(1)),
            "socket.gethostname" | "socket.getfqdn" => Ok(Value::Str(self.host.hostname())),
            "socket.gethostbyname" => {
                let Value::Str(h) = arg(0)? else {
                    return Err(type_error("str expected"));
                };
                if *h == self.host.hostname() {
                    Ok(Value::Str(self.host.ip()))
                } else if h == "localhost" {
                    Ok(Value::Str("127.0.0.1".into()))
                } else if h.parse::<std::net::Ipv4Addr>().is_ok() {
                    Ok(Value::Str(h.clone()))
                } else {
                    Err(unsupported(format!("socket.gethostbyname('{h}')")))
                }
            }
            "time.sleep" => Ok(Value::None),
            "time.time" => Ok(Value::Float(self.host.now_ms() as f64 / 1000.0)),
            "json.dumps" => {
                let mut s = String::new();
                dumps(arg(0)?, &mut s)?;
                Ok(Value::Str(s))
            }
            "json.loads" => {
                let s = match arg(0)? {
                    Value::Str(s) => s.clone(),
                    Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                    other => {
                        return Err(type_error(format!(
                            "the JSON object must be str, bytes or bytearray, not {}",
                            type_name(other)
                        )))
                    }
                };
                serde_json::from_str::<serde_json::Value>(&s)
                    .map(|j| from_json(&j))
                    .map_err(|_| {
                        Exc::new(
                            "json.decoder.JSONDecodeError",
                            "Expecting value: line 1 column 1 (char 0)",
                        )
                    })
            }
            "redis.Redis" => {
                let get = |i: usize, k: &str| pos.get(i).or_else(|| kwarg(&kw, k)).cloned();
                let host = match get(0, "host") {
                    None => "localhost".into(),
                    Some(Value::Str(h)) => h,
                    Some(other) => str_of(&other),
                };
                let port = match get(1, "port") {
                    None => 6379,
                    Some(Value::Int(p)) => p,
                    Some(Value::Str(p)) => p.trim().parse().unwrap_or(6379),
                    Some(_) => 6379,
                };
                let decode = kwarg(&kw, "decode_responses").is_some_and(|d| self.truthy(d));
                Ok(Value::Redis(Box::new(RedisClient { host, port, decode })))
            }
            "redis.from_url" => {
                let Value::Str(url) = arg(0)? else {
                    return Err(type_error("url must be a str"));
                };
                let rest = url
                    .strip_prefix("redis://")
                    .or_else(|| url.strip_prefix("rediss://"))
                    .ok_or_else(|| {
                        Exc::new(
                            "ValueError",
                            "Redis URL must specify one of the following schemes (redis://, rediss://, unix://)",
                        )
                    })?;
                let hp = rest.split('/').next().unwrap_or("");
                let hp = hp.rsplit_once('@').map_or(hp, |x| x.1);
                let (host, port) = match hp.rsplit_once(':') {
                    Some((h, p)) => (h.to_string(), p.parse().unwrap_or(6379)),
                    None => (hp.to_string(), 6379),
                };
                let host = if host.is_empty() {
                    "localhost".into()
                } else {
                    host
                };
                let decode = kwarg(&kw, "decode_responses").is_some_and(|d| self.truthy(d));
                Ok(Value::Redis(Box::new(RedisClient { host, port, decode })))
            }
            "flask.Flask" => Ok(Value::Obj("app".into())),
            "flask.jsonify" => {
                let v = if !kw.is_empty() {
                    Value::Dict(kw.into_iter().map(|(k, v)| (Value::Str(k), v)).collect())
                } else if pos.len() == 1 {
                    pos.into_iter().next().unwrap_or(Value::None)
                } else if pos.is_empty() {
                    Value::None
                } else {
                    Value::List(pos)
                };
                Ok(Value::Response(Box::new(self.json_response(&v)?)))
            }
            "flask.abort" => {
                let code = match arg(0)? {
                    Value::Int(n) => u16::try_from(*n).unwrap_or(500),
                    _ => 500,
                };
                let mut e = Exc::new("werkzeug.exceptions.HTTPException", format!("{code}"));
                e.http = Some(code);
                Err(e)
            }
            "flask.make_response" | "flask.Response" => {
                let mut r = match pos.first() {
                    None => Response {
                        status: 200,
                        content_type: "text/html; charset=utf-8".into(),
                        ..Response::default()
                    },
                    Some(_) if b == "flask.make_response" => {
                        let v = if pos.len() == 1 {
                            pos[0].clone()
                        } else {
                            Value::Tuple(pos.clone())
                        };
                        self.to_response(v, "make_response")?
                    }
                    Some(v) => Response {
                        status: 200,
                        content_type: "text/html; charset=utf-8".into(),
                        body: match v {
                            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                            v => str_of(v),
                        },
                        headers: Vec::new(),
                    },
                };
                if let Some(Value::Int(s)) =
                    kwarg(&kw, "status").or(pos.get(1).filter(|_| b == "flask.Response"))
                {
                    r.status = u16::try_from(*s).unwrap_or(200);
                }
                if let Some(Value::Str(m)) = kwarg(&kw, "mimetype") {
                    r.content_type = if m.starts_with("text/") {
                        format!("{m}; charset=utf-8")
                    } else {
                        m.clone()
                    };
                }
                if let Some(Value::Str(m)) = kwarg(&kw, "content_type") {
                    r.content_type = m.clone();
                }
                Ok(Value::Response(Box::new(r)))
            }
            other => Err(unsupported(format!("{other}()"))),
        }
    }

    pub(super) fn method(
        &mut self,
        recv: Value,
        m: &str,
        pos: Vec<Value>,
        kw: Vec<(String, Value)>,
    ) -> R<Value> {
        let arg = |i: usize| nth_arg(&pos, i, m);
        let sarg = |i: usize| -> R<String> {
            match arg(i)? {
                Value::Str(s) => Ok(s.clone()),
                other => Err(type_error(format!("must be str, not {}", type_name(other)))),
            }
        };
        match &recv {
            Value::Redis(c) => return self.redis(c, m, pos, kw),
            Value::Obj(o) if o == "request" => {
                return match m {
                    "get_json" => {
                        let silent = kwarg(&kw, "silent").is_some_and(|s| self.truthy(s));
                        let force = kwarg(&kw, "force").is_some_and(|s| self.truthy(s));
                        if force {
                            return Ok(serde_json::from_str::<serde_json::Value>(&self.req.body)
                                .map(|j| from_json(&j))
                                .unwrap_or(Value::None));
                        }
                        self.request_json(silent)
                    }
                    "get_data" => Ok(if kwarg(&kw, "as_text").is_some_and(|s| self.truthy(s)) {
                        Value::Str(self.req.body.clone())
                    } else {
                        Value::Bytes(self.req.body.as_bytes().to_vec())
                    }),
                    _ => Err(unsupported(format!("request.{m}()"))),
                };
            }
            Value::Obj(o) if o == "app" => {
                return match m {
                    "run" => Ok(Value::None),
                    "route" | "get" | "post" | "put" | "delete" | "patch" | "errorhandler"
                    | "before_request" | "after_request" => {
                        Err(unsupported(format!("app.{m}() called in a view")))
                    }
                    _ => Err(unsupported(format!("app.{m}()"))),
                };
            }
            Value::Obj(o) if o == "app.logger" => return Ok(Value::None),
            Value::Obj(o) if o.starts_with("request.") || o == "os.environ" => {
                return match m {
                    "get" => {
                        let k = sarg(0)?;
                        let v = self.multi_get(o, &k);
                        let dflt = pos
                            .get(1)
                            .or_else(|| kwarg(&kw, "default"))
                            .cloned()
                            .unwrap_or(Value::None);
                        match (v, kwarg(&kw, "type")) {
                            (None, _) => Ok(dflt),
                            (Some(v), Some(t)) => {
                                // werkzeug: a conversion that fails gives the default.
                                let t = t.clone();
                                match self.call(&t, vec![Value::Str(v)], Vec::new()) {
                                    Ok(x) => Ok(x),
                                    Err(e) if e.kind == "ValueError" || e.kind == "TypeError" => {
                                        Ok(dflt)
                                    }
                                    Err(e) => Err(e),
                                }
                            }
                            (Some(v), None) => Ok(Value::Str(v)),
                        }
                    }
                    "getlist" => {
                        let k = sarg(0)?;
                        Ok(Value::List(
                            self.multidict(o)
                                .into_iter()
                                .filter(|p| p.0 == k)
                                .map(|p| Value::Str(p.1))
                                .collect(),
                        ))
                    }
                    "to_dict" => {
                        let mut d: Vec<(Value, Value)> = Vec::new();
                        for (k, v) in self.multidict(o) {
                            if !d.iter().any(|x| x.0 == Value::Str(k.clone())) {
                                d.push((Value::Str(k), Value::Str(v)));
                            }
                        }
                        Ok(Value::Dict(d))
                    }
                    "keys" | "values" | "items" => {
                        let pairs = self.multidict(o);
                        Ok(Value::List(
                            pairs
                                .into_iter()
                                .map(|(k, v)| match m {
                                    "keys" => Value::Str(k),
                                    "values" => Value::Str(v),
                                    _ => Value::Tuple(vec![Value::Str(k), Value::Str(v)]),
                                })
                                .collect(),
                        ))
                    }
                    _ => Err(unsupported(format!("{o}.{m}()"))),
                };
            }
            _ => {}
        }
        match (&recv, m) {
            (Value::Str(s), "format") => Ok(Value::Str(self.str_format(s, &pos, &kw)?)),
            (Value::Str(s), "upper") => Ok(Value::Str(s.to_uppercase())),
            (Value::Str(s), "lower") => Ok(Value::Str(s.to_lowercase())),
            (Value::Str(s), "strip" | "lstrip" | "rstrip") => {
                let chars: Option<Vec<char>> = match pos.first() {
                    Some(Value::Str(c)) => Some(c.chars().collect()),
                    _ => None,
                };
                let pat = |c: char| match &chars {
                    Some(cs) => cs.contains(&c),
                    None => c.is_whitespace(),
                };
                Ok(Value::Str(match m {
                    "strip" => s.trim_matches(pat).to_string(),
                    "lstrip" => s.trim_start_matches(pat).to_string(),
                    _ => s.trim_end_matches(pat).to_string(),
                }))
            }
            (Value::Str(s), "split") => {
                let max = match pos.get(1).or_else(|| kwarg(&kw, "maxsplit")) {
                    Some(Value::Int(n)) if *n >= 0 => Some(*n as usize),
                    _ => None,
                };
                let parts: Vec<Value> = match pos.first().or_else(|| kwarg(&kw, "sep")) {
                    None | Some(Value::None) => match max {
                        Some(n) => {
                            let mut out = Vec::new();
                            let mut rest = s.trim_start();
                            while out.len() < n && !rest.is_empty() {
                                match rest.find(char::is_whitespace) {
                                    Some(i) => {
                                        out.push(Value::Str(rest[..i].to_string()));
                                        rest = rest[i..].trim_start();
                                    }
                                    None => {
                                        out.push(Value::Str(rest.to_string()));
                                        rest = "";
                                    }
                                }
                            }
                            if !rest.is_empty() {
                                out.push(Value::Str(rest.to_string()));
                            }
                            out
                        }
                        None => s.split_whitespace().map(|p| Value::Str(p.into())).collect(),
                    },
                    Some(Value::Str(sep)) if sep.is_empty() => {
                        return Err(Exc::new("ValueError", "empty separator"))
                    }
                    Some(Value::Str(sep)) => match max {
                        Some(n) => s
                            .splitn(n + 1, sep.as_str())
                            .map(|p| Value::Str(p.into()))
                            .collect(),
                        None => s
                            .split(sep.as_str())
                            .map(|p| Value::Str(p.into()))
                            .collect(),
                    },
                    Some(other) => {
                        return Err(type_error(format!(
                            "must be str or None, not {}",
                            type_name(other)
                        )))
                    }
                };
                Ok(Value::List(parts))
            }
            (Value::Str(s), "splitlines") => Ok(Value::List(
                s.lines().map(|l| Value::Str(l.to_string())).collect(),
            )),
            (Value::Str(s), "join") => {
                let mut out = Vec::new();
                for (i, v) in self.iterate(arg(0)?)?.into_iter().enumerate() {
                    match v {
                        Value::Str(x) => out.push(x),
                        other => {
                            return Err(type_error(format!(
                                "sequence item {i}: expected str instance, {} found",
                                type_name(&other)
                            )))
                        }
                    }
                }
                Ok(Value::Str(out.join(s)))
            }
            (Value::Str(s), "replace") => Ok(Value::Str(s.replace(&sarg(0)?, &sarg(1)?))),
            (Value::Str(s), "startswith" | "endswith") => {
                let pats: Vec<String> = match arg(0)? {
                    Value::Str(p) => vec![p.clone()],
                    Value::Tuple(ps) => ps.iter().map(str_of).collect(),
                    other => {
                        return Err(type_error(format!(
                            "{m} first arg must be str or a tuple of str, not {}",
                            type_name(other)
                        )))
                    }
                };
                Ok(Value::Bool(pats.iter().any(|p| {
                    if m == "startswith" {
                        s.starts_with(p.as_str())
                    } else {
                        s.ends_with(p.as_str())
                    }
                })))
            }
            (Value::Str(s), "encode") => Ok(Value::Bytes(s.as_bytes().to_vec())),
            (Value::Str(s), "title") => {
                let mut out = String::new();
                let mut prev_alpha = false;
                for c in s.chars() {
                    if c.is_alphabetic() {
                        if prev_alpha {
                            out.extend(c.to_lowercase());
                        } else {
                            out.extend(c.to_uppercase());
                        }
                        prev_alpha = true;
                    } else {
                        out.push(c);
                        prev_alpha = false;
                    }
                }
                Ok(Value::Str(out))
            }
            (Value::Str(s), "capitalize") => {
                let mut c = s.chars();
                Ok(Value::Str(match c.next() {
                    Some(f) => f
                        .to_uppercase()
                        .chain(c.flat_map(char::to_lowercase))
                        .collect(),
                    None => String::new(),
                }))
            }
            (Value::Str(s), "isdigit" | "isnumeric") => Ok(Value::Bool(
                !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
            )),
            (Value::Str(s), "isalpha") => Ok(Value::Bool(
                !s.is_empty() && s.chars().all(char::is_alphabetic),
            )),
            (Value::Str(s), "zfill") => {
                let Value::Int(w) = arg(0)? else {
                    return Err(type_error("an integer is required"));
                };
                let w = usize::try_from(*w).unwrap_or(0);
                let n = s.chars().count();
                let (sign, digits) = match s.strip_prefix(['-', '+']) {
                    Some(d) => (&s[..1], d),
                    None => ("", s.as_str()),
                };
                Ok(Value::Str(format!(
                    "{sign}{}{digits}",
                    "0".repeat(w.saturating_sub(n))
                )))
            }
            (Value::Str(s), "ljust" | "rjust" | "center") => {
                let Value::Int(w) = arg(0)? else {
                    return Err(type_error("an integer is required"));
                };
                let fill = match pos.get(1) {
                    Some(Value::Str(f)) => f.clone(),
                    _ => " ".into(),
                };
                let align = match m {
                    "ljust" => "<",
                    "rjust" => ">",
                    _ => "^",
                };
                super::format::apply_spec(&Value::Str(s.clone()), &format!("{fill}{align}{w}"))
                    .map(Value::Str)
            }
            (Value::Str(s), "count") => Ok(Value::Int(s.matches(&sarg(0)?).count() as i64)),
            (Value::Str(s), "find") => {
                let p = sarg(0)?;
                Ok(Value::Int(
                    s.find(&p).map_or(-1, |i| s[..i].chars().count() as i64),
                ))
            }
            (Value::Bytes(b), "decode") => {
                let enc = match pos.first().or_else(|| kwarg(&kw, "encoding")) {
                    Some(Value::Str(e)) => e.to_ascii_lowercase().replace('_', "-"),
                    _ => "utf-8".into(),
                };
                match enc.as_str() {
                    "utf-8" | "utf8" => {
                        String::from_utf8(b.clone()).map(Value::Str).map_err(|_| {
                            Exc::new(
                                "UnicodeDecodeError",
                                "'utf-8' codec can't decode bytes: invalid start byte",
                            )
                        })
                    }
                    "ascii" | "latin-1" | "latin1" => {
                        Ok(Value::Str(b.iter().map(|&c| c as char).collect()))
                    }
                    other => Err(Exc::new(
                        "LookupError",
                        format!("unknown encoding: {other}"),
                    )),
                }
            }
            (Value::Bytes(b), "strip") => Ok(Value::Bytes(
                String::from_utf8_lossy(b).trim().as_bytes().to_vec(),
            )),
            (Value::Bytes(b), "upper") => Ok(Value::Bytes(b.to_ascii_uppercase())),
            (Value::Bytes(b), "lower") => Ok(Value::Bytes(b.to_ascii_lowercase())),
            (Value::Dict(d), "get") => {
                let k = arg(0)?;
                Ok(d.iter()
                    .find(|x| super::py_eq(&x.0, k))
                    .map(|x| x.1.clone())
                    .unwrap_or_else(|| pos.get(1).cloned().unwrap_or(Value::None)))
            }
            (Value::Dict(d), "keys") => Ok(Value::List(d.iter().map(|x| x.0.clone()).collect())),
            (Value::Dict(d), "values") => Ok(Value::List(d.iter().map(|x| x.1.clone()).collect())),
            (Value::Dict(d), "items") => Ok(Value::List(
                d.iter()
                    .map(|x| Value::Tuple(vec![x.0.clone(), x.1.clone()]))
                    .collect(),
            )),
            (Value::Dict(_) | Value::List(_), "copy") => Ok(recv.clone()),
            (Value::List(l) | Value::Tuple(l), "index") => {
                let x = arg(0)?;
                l.iter()
                    .position(|v| super::py_eq(v, x))
                    .map(|i| Value::Int(i as i64))
                    .ok_or_else(|| Exc::new("ValueError", format!("{} is not in list", repr(x))))
            }
            (Value::List(l) | Value::Tuple(l), "count") => {
                let x = arg(0)?;
                Ok(Value::Int(
                    l.iter().filter(|v| super::py_eq(v, x)).count() as i64
                ))
            }
            (Value::List(_) | Value::Dict(_), _) => {
                let mut tmp = recv.clone();
                super::mutate(&mut tmp, m, pos, kw)
            }
            _ => Err(unsupported(format!("{}.{m}()", type_name(&recv)))),
        }
    }

    /// A redis-py client method: the command sent, the reply as redis-py returns it.
    fn redis(
        &mut self,
        c: &RedisClient,
        m: &str,
        pos: Vec<Value>,
        kw: Vec<(String, Value)>,
    ) -> R<Value> {
        let mut args: Vec<String> = Vec::new();
        let name = m.to_ascii_uppercase();
        let cmd = match m {
            "incr" | "incrby" => "INCRBY",
            "decr" | "decrby" => "DECRBY",
            "delete" => "DEL",
            other => {
                if !other.chars().all(|c| c.is_ascii_alphabetic()) {
                    return Err(Exc::new(
                        "AttributeError",
                        format!("'Redis' object has no attribute '{other}'"),
                    ));
                }
                name.as_str()
            }
        };
        args.push(cmd.to_string());
        match m {
            "incr" | "incrby" | "decr" | "decrby" => {
                let key = pos.first().ok_or_else(|| {
                    type_error(format!(
                        "Redis.{m}() missing 1 required positional argument: 'name'"
                    ))
                })?;
                args.push(redis_arg(key)?);
                let amount = pos
                    .get(1)
                    .or_else(|| kwarg(&kw, "amount"))
                    .cloned()
                    .unwrap_or(Value::Int(1));
                args.push(redis_arg(&amount)?);
            }
            "hset" if kwarg(&kw, "mapping").is_some() => {
                args.push(redis_arg(&pos[0])?);
                if let Some(Value::Dict(d)) = kwarg(&kw, "mapping") {
                    for (k, v) in d {
                        args.push(redis_arg(k)?);
                        args.push(redis_arg(v)?);
                    }
                }
            }
            "mset" => {
                if let Some(Value::Dict(d)) = pos.first() {
                    for (k, v) in d {
                        args.push(redis_arg(k)?);
                        args.push(redis_arg(v)?);
                    }
                }
            }
            "keys" if pos.is_empty() => args.push("*".into()),
            "lrange" | "zrange" if pos.len() == 3 => {
                for p in &pos {
                    args.push(redis_arg(p)?);
                }
            }
            _ => {
                for p in &pos {
                    args.push(redis_arg(p)?);
                }
                if m == "set" {
                    for (k, flag) in [("ex", "EX"), ("px", "PX")] {
                        if let Some(v) = kwarg(&kw, k) {
                            args.push(flag.into());
                            args.push(redis_arg(v)?);
                        }
                    }
                    if kwarg(&kw, "nx").is_some_and(|v| self.truthy(v)) {
                        args.push("NX".into());
                    }
                }
            }
        }
        let port = u16::try_from(c.port).unwrap_or(6379);
        let reply = self.host.redis(&c.host, port, &args).map_err(|line| {
            let (kind, msg) = line.split_once(": ").unwrap_or((&line, ""));
            Exc::new(kind, msg)
        })?;
        let text = |s: String| {
            if c.decode {
                Value::Str(s)
            } else {
                Value::Bytes(s.into_bytes())
            }
        };
        fn conv(r: RedisReply, text: &dyn Fn(String) -> Value) -> R<Value> {
            Ok(match r {
                RedisReply::Status(s) if s == "OK" || s == "PONG" => Value::Bool(true),
                RedisReply::Status(s) | RedisReply::Verbatim(s) => text(s),
                RedisReply::Error(e) => return Err(Exc::new("redis.exceptions.ResponseError", e)),
                RedisReply::Int(n) => Value::Int(n),
                RedisReply::Bulk(None) => Value::None,
                RedisReply::Bulk(Some(s)) => text(s),
                RedisReply::Array(a) => Value::List(a.into_iter().map(text).collect()),
                RedisReply::Nested(n) => Value::List(
                    n.into_iter()
                        .map(|r| conv(r, text))
                        .collect::<R<Vec<_>>>()?,
                ),
            })
        }
        let v = conv(reply, &text)?;
        Ok(match (cmd, v) {
            (
                "EXPIRE" | "PEXPIRE" | "PERSIST" | "HEXISTS" | "SISMEMBER" | "SETNX" | "HSETNX",
                Value::Int(n),
            ) => Value::Bool(n != 0),
            ("HGETALL", Value::List(items)) => Value::Dict(
                items
                    .chunks(2)
                    .map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or(Value::None)))
                    .collect(),
            ),
            ("SET", Value::None) => Value::None,
            (_, v) => v,
        })
    }

    /// Flask's JSON response for `v`.
    pub(super) fn json_response(&self, v: &Value) -> R<Response> {
        let mut body = String::new();
        write_json(v, &mut body, self.debug.then_some(0))?;
        body.push('\n');
        Ok(Response {
            status: 200,
            content_type: "application/json".into(),
            body,
            headers: Vec::new(),
        })
    }

    /// What Flask's `make_response` makes of a view's return value.
    pub(super) fn to_response(&self, v: Value, view: &str) -> R<Response> {
        let invalid = |what: &str| {
            type_error(format!(
                "The view function did not return a valid response. The return type must be a string, dict, list, tuple with headers or status, Response instance, or WSGI callable, but it was a {what}."
            ))
        };
        match v {
            Value::Str(s) => Ok(Response {
                status: 200,
                content_type: "text/html; charset=utf-8".into(),
                body: s,
                headers: Vec::new(),
            }),
            Value::Bytes(b) => Ok(Response {
                status: 200,
                content_type: "text/html; charset=utf-8".into(),
                body: String::from_utf8_lossy(&b).into_owned(),
                headers: Vec::new(),
            }),
            Value::Dict(_) | Value::List(_) => self.json_response(&v),
            Value::Response(r) => Ok(*r),
            Value::Tuple(items) => {
                let mut it = items.into_iter();
                let body = it.next().unwrap_or(Value::None);
                if matches!(body, Value::Tuple(_)) {
                    return Err(invalid("tuple"));
                }
                let mut r = self.to_response(body, view)?;
                let rest: Vec<Value> = it.collect();
                if rest.len() > 2 {
                    return Err(type_error("The view function did not return a valid response tuple. The tuple must have the form (body, status, headers), (body, status), or (body, headers)."));
                }
                for v in rest {
                    match v {
                        Value::Int(s) => {
                            r.status = u16::try_from(s)
                                .ok()
                                .filter(|s| (100..1000).contains(s))
                                .ok_or_else(|| Exc::new("ValueError", format!("Invalid status code: {s}")))?
                        }
                        Value::Str(s) => {
                            r.status = s
                                .split_whitespace()
                                .next()
                                .and_then(|c| c.parse().ok())
                                .unwrap_or(0);
                        }
                        Value::Dict(d) => {
                            for (k, v) in d {
                                self.add_header(&mut r, str_of(&k), str_of(&v));
                            }
                        }
                        Value::List(l) => {
                            for pair in l {
                                if let Value::Tuple(kv) = pair {
                                    if kv.len() == 2 {
                                        self.add_header(&mut r, str_of(&kv[0]), str_of(&kv[1]));
                                    }
                                }
                            }
                        }
                        Value::None => {}
                        other => return Err(invalid(type_name(&other))),
                    }
                }
                Ok(r)
            }
            Value::None => Err(type_error(format!(
                "The view function for '{view}' did not return a valid response. The function either returned None or ended without a return statement."
            ))),
            other => Err(invalid(type_name(&other))),
        }
    }

    fn add_header(&self, r: &mut Response, k: String, v: String) {
        if k.eq_ignore_ascii_case("content-type") {
            r.content_type = v;
        } else {
            r.headers.push((k, v));
        }
    }

    pub(super) fn make_response(&self, v: Value, view: &str) -> R<Response> {
        self.to_response(v, view)
    }
}
