//! A tiny Python 3 for the Flask apps students build (`docker build` of `app.py`): the
//! module is parsed ([`parse`]: logical lines → statements → expressions) and a view runs at
//! request time, as CPython 3.12 with Flask 3 and redis-py 5 would run it, over a [`Host`]
//! that gives the container's env and hostname and runs redis commands on the simulated
//! network.
//!
//! The subset: `if`/`elif`/`else`, `while`, `for`, `try`/`except`/`else`/`finally`,
//! `raise`, `def` with defaults, `global`, imports, assignment (tuples, subscripts,
//! augmented), comparisons, `and`/`or`/`not`, conditional expressions, f-strings, `%` and
//! `.format()` with common specs, str/bytes/list/dict methods, comprehensions; builtins
//! (`str`, `int`, `len`, `print` …), `os.environ`/`os.getenv`, `socket.gethostname()`,
//! `time.sleep`/`time.time`, `json`, Flask's `request`/`jsonify`/`abort`/`make_response`,
//! and a redis client (`redis.Redis(…)`, `from_url`) whose replies are `bytes` unless
//! `decode_responses=True`. Python's semantics show in the output (`b'2'`, `None`, the
//! exception messages); what is outside the subset raises `NotImplementedError` naming it,
//! which Flask turns into its 500 page like any other exception. Module state (globals,
//! counters) lives in the container's process ([`crate::apps::AppProc`]), so a restart
//! starts afresh and every replica counts on its own.

mod builtins;
mod format;
pub mod parse;
#[cfg(test)]
mod tests;

use crate::appdata::RedisReply;
use parse::{Arg, Cmp, Def, Expr, FPart, Op, Stmt, S};

/// A Python value. Functions are named (looked up in the module when called) so that a
/// module's state can be kept between requests.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    /// A module-level `def`.
    Func(String),
    /// A builtin function or a module's function (`len`, `os.getenv`).
    Builtin(String),
    Module(String),
    /// An exception class (`ValueError`, `redis.exceptions.ConnectionError`).
    ExcType(String),
    Exc(Box<Exc>),
    /// A method bound to its object.
    Method(Box<Value>, String),
    Redis(Box<RedisClient>),
    /// An object of a library the playground knows by name (`request`, `app`,
    /// `os.environ`, `request.args`).
    Obj(String),
    Response(Box<Response>),
}

impl Eq for Value {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisClient {
    pub host: String,
    pub port: i64,
    pub decode: bool,
}

/// A Flask response.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// A line of a traceback: line, function, code.
pub type Frame = (u32, String, String);

/// A raised exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exc {
    /// Its class as a traceback names it (`TypeError`, `redis.exceptions.ConnectionError`).
    pub kind: String,
    pub msg: String,
    /// The script's frames, outermost first.
    pub tb: Vec<Frame>,
    /// An HTTP error werkzeug answers with its page (`abort(404)`, a missing form key).
    pub http: Option<u16>,
}

impl Exc {
    pub fn new(kind: &str, msg: impl Into<String>) -> Box<Exc> {
        Box::new(Exc {
            kind: kind.to_string(),
            msg: msg.into(),
            tb: Vec::new(),
            http: None,
        })
    }

    /// The exception's last traceback line: `TypeError: …`.
    pub fn line(&self) -> String {
        if self.msg.is_empty() {
            self.kind.clone()
        } else {
            format!("{}: {}", self.kind, self.msg)
        }
    }
}

/// What a view's process sees of the world.
pub trait Host {
    /// A redis command to `host:port`: the reply, or the exception line redis-py raises
    /// (`redis.exceptions.ConnectionError: …`).
    fn redis(&mut self, host: &str, port: u16, args: &[String]) -> Result<RedisReply, String>;
    fn env(&self, name: &str) -> Option<String>;
    fn hostname(&self) -> String;
    /// The container's address (`socket.gethostbyname(socket.gethostname())`).
    fn ip(&self) -> String;
    fn now_ms(&self) -> i64;
}

/// The request a view sees (`flask.request`).
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
    pub remote_addr: String,
}

/// The app: its source, its file (for tracebacks), how it runs.
pub struct App<'a> {
    pub source: &'a str,
    /// `python app.py`: `__name__` is `'__main__'`.
    pub main: bool,
    /// Flask's debug mode: its JSON is indented.
    pub debug: bool,
    /// The module's name otherwise (`app`).
    pub name: &'a str,
}

/// What running a view gives: the response (or the exception Flask logs) and the lines the
/// app printed (stdout).
pub struct Outcome {
    pub result: Result<Response, Box<Exc>>,
    pub stdout: Vec<String>,
    /// The module's state after the request.
    pub globals: Vec<(String, Value)>,
}

/// Statements run in one request at most (a `while True:` that never ends).
const MAX_STEPS: u32 = 200_000;
const MAX_DEPTH: usize = 60;

/// Runs the view function `view` of `app` with the route's `args` for `req`; `globals` is
/// the module's state from earlier requests (`None`: the module runs first).
pub fn run_view(
    app: &App,
    globals: Option<Vec<(String, Value)>>,
    view: &str,
    args: Vec<(String, Value)>,
    req: &Request,
    host: &mut dyn Host,
) -> Outcome {
    let module = parse::module(app.source);
    let mut it = Interp {
        host,
        module: &module,
        globals: Vec::new(),
        scopes: Vec::new(),
        frames: Vec::new(),
        steps: 0,
        req,
        debug: app.debug,
        stdout: Vec::new(),
        handling: Vec::new(),
    };
    let result = (|| {
        match globals {
            Some(g) => it.globals = g,
            None => {
                let name = if app.main { "__main__" } else { app.name };
                it.globals
                    .push(("__name__".into(), Value::Str(name.to_string())));
                it.frames.push((0, "<module>".into(), String::new()));
                let r = it.block(&module);
                it.frames.pop();
                match r {
                    Ok(()) | Err(Flow::Return(_) | Flow::Break | Flow::Continue) => {}
                    Err(Flow::Raise(e)) => return Err(e),
                }
            }
        }
        let v = it.call(&Value::Func(view.to_string()), Vec::new(), args)?;
        it.make_response(v, view)
    })();
    Outcome {
        result,
        stdout: it.stdout,
        globals: it.globals,
    }
}

/// How a statement ends other than normally.
enum Flow {
    Return(Value),
    Break,
    Continue,
    Raise(Box<Exc>),
}

impl From<Box<Exc>> for Flow {
    fn from(e: Box<Exc>) -> Flow {
        Flow::Raise(e)
    }
}

type R<T> = Result<T, Box<Exc>>;
/// Keyword arguments of a call, in order.
type Kwargs = Vec<(String, Value)>;

struct Scope {
    vars: Vec<(String, Value)>,
    /// Names the function assigns (local unless declared `global`).
    locals: Vec<String>,
    globals: Vec<String>,
}

struct Interp<'a> {
    host: &'a mut dyn Host,
    module: &'a [Stmt],
    globals: Vec<(String, Value)>,
    scopes: Vec<Scope>,
    frames: Vec<Frame>,
    steps: u32,
    req: &'a Request,
    debug: bool,
    stdout: Vec<String>,
    /// Exceptions being handled (`raise` without an argument).
    handling: Vec<Exc>,
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "str",
        Value::Bytes(_) => "bytes",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        Value::Dict(_) => "dict",
        Value::Func(_) => "function",
        Value::Builtin(_) => "builtin_function_or_method",
        Value::Module(_) => "module",
        Value::ExcType(_) => "type",
        Value::Exc(_) => "Exception",
        Value::Method(..) => "method",
        Value::Redis(_) => "Redis",
        Value::Obj(_) => "object",
        Value::Response(_) => "Response",
    }
}

fn type_error(msg: impl Into<String>) -> Box<Exc> {
    Exc::new("TypeError", msg)
}

fn unsupported(what: impl std::fmt::Display) -> Box<Exc> {
    Exc::new(
        "NotImplementedError",
        format!("the playground's Python does not support {what}"),
    )
}

/// The classes an exception class is a subclass of (besides itself and `Exception`).
fn bases(kind: &str) -> &'static [&'static str] {
    match kind {
        "redis.exceptions.ConnectionError"
        | "redis.exceptions.TimeoutError"
        | "redis.exceptions.ResponseError"
        | "redis.exceptions.DataError" => &["redis.exceptions.RedisError"],
        "KeyError" | "IndexError" => &["LookupError"],
        "ZeroDivisionError" | "OverflowError" => &["ArithmeticError"],
        "UnboundLocalError" => &["NameError"],
        "json.decoder.JSONDecodeError" => &["ValueError"],
        "werkzeug.exceptions.BadRequestKeyError" => &[
            "KeyError",
            "LookupError",
            "werkzeug.exceptions.BadRequest",
            "werkzeug.exceptions.HTTPException",
        ],
        k if k.starts_with("werkzeug.exceptions.") => &["werkzeug.exceptions.HTTPException"],
        _ => &[],
    }
}

const BUILTIN_EXCEPTIONS: [&str; 18] = [
    "Exception",
    "BaseException",
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "LookupError",
    "NameError",
    "AttributeError",
    "ZeroDivisionError",
    "ArithmeticError",
    "RuntimeError",
    "NotImplementedError",
    "OSError",
    "ConnectionError",
    "OverflowError",
    "UnboundLocalError",
    "RecursionError",
];

const BUILTINS: [&str; 24] = [
    "str",
    "int",
    "float",
    "bool",
    "len",
    "repr",
    "print",
    "abs",
    "min",
    "max",
    "sum",
    "round",
    "range",
    "sorted",
    "list",
    "dict",
    "tuple",
    "enumerate",
    "zip",
    "isinstance",
    "reversed",
    "type",
    "hex",
    "any",
];

fn catches(kind: &str, handler: &Value) -> bool {
    match handler {
        Value::ExcType(h) => {
            h == kind
                || h == "Exception"
                || h == "BaseException"
                || bases(kind).contains(&h.as_str())
        }
        Value::Tuple(items) => items.iter().any(|h| catches(kind, h)),
        _ => false,
    }
}

/// What a module's attribute is.
fn module_attr(m: &str, name: &str) -> Option<Value> {
    let f = |s: &str| Some(Value::Builtin(s.to_string()));
    match (m, name) {
        ("os", "environ") => Some(Value::Obj("os.environ".into())),
        ("os", "getenv" | "getpid" | "uname") => f(&format!("os.{name}")),
        ("os", "path") => Some(Value::Module("os.path".into())),
        ("socket", "gethostname" | "gethostbyname" | "getfqdn") => f(&format!("socket.{name}")),
        ("platform", "node") => f("socket.gethostname"),
        ("time", "sleep" | "time") => f(&format!("time.{name}")),
        ("json", "dumps" | "loads") => f(&format!("json.{name}")),
        ("json", "JSONDecodeError") => Some(Value::ExcType("json.decoder.JSONDecodeError".into())),
        ("redis", "Redis" | "StrictRedis") => f("redis.Redis"),
        ("redis", "from_url") => f("redis.from_url"),
        ("redis", "exceptions") => Some(Value::Module("redis.exceptions".into())),
        ("redis" | "redis.exceptions", e)
            if matches!(
                e,
                "ConnectionError" | "RedisError" | "TimeoutError" | "ResponseError" | "DataError"
            ) =>
        {
            Some(Value::ExcType(format!("redis.exceptions.{e}")))
        }
        ("flask", "Flask" | "jsonify" | "abort" | "make_response" | "Response") => {
            f(&format!("flask.{name}"))
        }
        ("flask", "request") => Some(Value::Obj("request".into())),
        ("werkzeug.exceptions", e) | ("werkzeug", e) if e.chars().next()?.is_uppercase() => {
            Some(Value::ExcType(format!("werkzeug.exceptions.{e}")))
        }
        _ => None,
    }
}

/// Modules the playground has (importing another raises `ModuleNotFoundError`… as the
/// image would, had pip not installed it; here: not supported).
fn known_module(m: &str) -> bool {
    matches!(
        m,
        "os" | "os.path"
            | "socket"
            | "platform"
            | "time"
            | "json"
            | "redis"
            | "redis.exceptions"
            | "flask"
            | "werkzeug"
            | "werkzeug.exceptions"
            | "sys"
            | "logging"
            | "datetime"
            | "random"
    )
}

impl Interp<'_> {
    fn raise(&self, mut e: Box<Exc>) -> Box<Exc> {
        if e.tb.is_empty() {
            e.tb = self.frames.clone();
        }
        e
    }

    fn block(&mut self, stmts: &[Stmt]) -> Result<(), Flow> {
        for s in stmts {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), Flow> {
        self.steps += 1;
        if let Some(f) = self.frames.last_mut() {
            f.0 = s.line;
            f.2 = s.code.clone();
        }
        if self.steps > MAX_STEPS {
            return Err(Flow::Raise(self.raise(Exc::new(
                "RuntimeError",
                "the playground stopped a request that ran too long",
            ))));
        }
        let r = self.stmt_inner(s);
        match r {
            Err(Flow::Raise(e)) => Err(Flow::Raise(self.raise(e))),
            r => r,
        }
    }

    fn stmt_inner(&mut self, s: &Stmt) -> Result<(), Flow> {
        match &s.kind {
            S::Expr(e) => {
                self.eval(e)?;
            }
            S::Assign(targets, e) => {
                let v = self.eval(e)?;
                for t in targets {
                    self.assign(t, v.clone())?;
                }
            }
            S::Aug(t, op, e) => {
                let cur = self.eval(t)?;
                let v = self.eval(e)?;
                let n = self.binop(cur, *op, v)?;
                self.assign(t, n)?;
            }
            S::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::None,
                };
                return Err(Flow::Return(v));
            }
            S::Pass => {}
            S::Break => return Err(Flow::Break),
            S::Continue => return Err(Flow::Continue),
            S::Global(names) => {
                if let Some(sc) = self.scopes.last_mut() {
                    sc.globals.extend(names.iter().cloned());
                }
            }
            S::Import(mods) => {
                for (path, bound) in mods {
                    if !known_module(path) {
                        return Err(unsupported(format!("the module '{path}'")).into());
                    }
                    self.set_name(bound, Value::Module(path.clone()));
                }
            }
            S::From(m, names) => {
                for (n, b) in names {
                    let v = module_attr(m, n)
                        .or_else(|| {
                            known_module(&format!("{m}.{n}"))
                                .then(|| Value::Module(format!("{m}.{n}")))
                        })
                        .or_else(|| {
                            (m == "flask" || m == "redis" || m == "datetime")
                                .then(|| Value::Obj(format!("{m}.{n}")))
                        })
                        .ok_or_else(|| {
                            Exc::new(
                                "ImportError",
                                format!("cannot import name '{n}' from '{m}'"),
                            )
                        })?;
                    self.set_name(b, v);
                }
            }
            S::Raise(e) => {
                let Some(e) = e else {
                    return Err(match self.handling.last() {
                        Some(x) => Flow::Raise(Box::new(x.clone())),
                        None => {
                            Flow::Raise(Exc::new("RuntimeError", "No active exception to reraise"))
                        }
                    });
                };
                let v = self.eval(e)?;
                let exc = match v {
                    Value::Exc(x) => {
                        // Re-raised: this frame's raise line, then where it came from.
                        let mut x = x;
                        let depth = self.frames.len();
                        if !x.tb.is_empty() {
                            let mut tb = self.frames.clone();
                            tb.extend(x.tb.iter().skip(depth - 1).cloned());
                            x.tb = tb;
                        }
                        x
                    }
                    Value::ExcType(k) => Exc::new(&k, ""),
                    other => type_error(format!(
                        "exceptions must derive from BaseException, not {}",
                        type_name(&other)
                    )),
                };
                let mut exc = exc;
                if exc.tb.is_empty() {
                    exc.tb = self.frames.clone();
                }
                return Err(Flow::Raise(exc));
            }
            S::If(arms, orelse) => {
                for (c, body) in arms {
                    let v = self.eval(c)?;
                    if self.truthy(&v) {
                        return self.block(body);
                    }
                }
                return self.block(orelse);
            }
            S::While(c, body) => loop {
                let v = self.eval(c)?;
                if !self.truthy(&v) {
                    break;
                }
                match self.block(body) {
                    Err(Flow::Break) => break,
                    Err(Flow::Continue) | Ok(()) => {}
                    Err(f) => return Err(f),
                }
                if self.steps > MAX_STEPS {
                    return Err(self.stmt(s).err().unwrap_or(Flow::Break));
                }
            },
            S::For(t, it, body) => {
                let v = self.eval(it)?;
                for item in self.iterate(&v)? {
                    self.assign(t, item)?;
                    match self.block(body) {
                        Err(Flow::Break) => break,
                        Err(Flow::Continue) | Ok(()) => {}
                        Err(f) => return Err(f),
                    }
                }
            }
            S::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                let mut r = self.block(body);
                if let Err(Flow::Raise(e)) = &r {
                    let e = e.clone();
                    for h in handlers {
                        let hit = match &h.kind {
                            None => true,
                            Some(k) => {
                                let kv = self.eval(k)?;
                                catches(&e.kind, &kv)
                            }
                        };
                        if hit {
                            if let Some(n) = &h.name {
                                self.set_name(n, Value::Exc(e.clone()));
                            }
                            self.handling.push((*e).clone());
                            r = self.block(&h.body);
                            self.handling.pop();
                            break;
                        }
                    }
                } else if r.is_ok() {
                    r = self.block(orelse);
                }
                if !finally.is_empty() {
                    self.block(finally)?;
                }
                return r;
            }
            S::Def(d) => {
                self.set_name(&d.name, Value::Func(d.name.clone()));
            }
            S::Bad(why) => {
                return Err(unsupported(format!("this statement ({why}): {}", s.code)).into());
            }
        }
        Ok(())
    }

    fn truthy(&self, v: &Value) -> bool {
        match v {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) | Value::Tuple(l) => !l.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Obj(o) if o.starts_with("request.") => !self.multidict(o).is_empty(),
            _ => true,
        }
    }

    fn lookup(&self, name: &str) -> R<Value> {
        if let Some(sc) = self.scopes.last() {
            if !sc.globals.iter().any(|g| g == name) {
                if let Some(v) = sc.vars.iter().rev().find(|v| v.0 == name) {
                    return Ok(v.1.clone());
                }
                if sc.locals.iter().any(|l| l == name) {
                    return Err(Exc::new(
                        "UnboundLocalError",
                        format!(
                            "cannot access local variable '{name}' where it is not associated with a value"
                        ),
                    ));
                }
            }
        }
        if let Some(v) = self.globals.iter().find(|v| v.0 == name) {
            return Ok(v.1.clone());
        }
        if BUILTINS.contains(&name) {
            return Ok(Value::Builtin(name.to_string()));
        }
        if BUILTIN_EXCEPTIONS.contains(&name) {
            return Ok(Value::ExcType(name.to_string()));
        }
        if name == "__name__" {
            return Ok(Value::Str("__main__".into()));
        }
        Err(Exc::new(
            "NameError",
            format!("name '{name}' is not defined"),
        ))
    }

    fn set_name(&mut self, name: &str, v: Value) {
        let vars = match self.scopes.last_mut() {
            Some(sc) if !sc.globals.iter().any(|g| g == name) => &mut sc.vars,
            _ => &mut self.globals,
        };
        match vars.iter_mut().find(|x| x.0 == name) {
            Some(x) => x.1 = v,
            None => vars.push((name.to_string(), v)),
        }
    }

    /// The variable `name` for changing in place.
    fn var_mut(&mut self, name: &str) -> Option<&mut Value> {
        if let Some(sc) = self.scopes.last_mut() {
            if !sc.globals.iter().any(|g| g == name) {
                if let Some(i) = sc.vars.iter().position(|v| v.0 == name) {
                    return Some(&mut sc.vars[i].1);
                }
                if sc.locals.iter().any(|l| l == name) {
                    return None;
                }
            }
        }
        self.globals
            .iter_mut()
            .find(|v| v.0 == name)
            .map(|v| &mut v.1)
    }

    /// The value an expression names, for changing in place (a name, its items).
    fn place(&mut self, e: &Expr) -> R<Option<&mut Value>> {
        match e {
            Expr::Name(n) => Ok(self.var_mut(n)),
            Expr::Sub(o, k) => {
                let k = self.eval(k)?;
                let Some(v) = self.place(o)? else {
                    return Ok(None);
                };
                Ok(match v {
                    Value::Dict(items) => items.iter_mut().find(|i| i.0 == k).map(|i| &mut i.1),
                    Value::List(items) => match k {
                        Value::Int(i) => {
                            let n = items.len() as i64;
                            let i = if i < 0 { i + n } else { i };
                            items.get_mut(usize::try_from(i).unwrap_or(usize::MAX))
                        }
                        _ => None,
                    },
                    _ => None,
                })
            }
            _ => Ok(None),
        }
    }

    fn assign(&mut self, t: &Expr, v: Value) -> R<()> {
        match t {
            Expr::Name(n) => {
                self.set_name(n, v);
                Ok(())
            }
            Expr::Tuple(ts) | Expr::List(ts) => {
                let items = self.iterate(&v)?;
                if items.len() != ts.len() {
                    return Err(Exc::new(
                        "ValueError",
                        if items.len() > ts.len() {
                            format!("too many values to unpack (expected {})", ts.len())
                        } else {
                            format!(
                                "not enough values to unpack (expected {}, got {})",
                                ts.len(),
                                items.len()
                            )
                        },
                    ));
                }
                for (t, v) in ts.iter().zip(items) {
                    self.assign(t, v)?;
                }
                Ok(())
            }
            Expr::Sub(o, k) => {
                let kv = self.eval(k)?;
                let ov = self.eval(o)?;
                if matches!(ov, Value::Obj(_)) {
                    // `app.config['X'] = …`: nothing the playground keeps.
                    return Ok(());
                }
                let Some(target) = self.place(o)? else {
                    return Err(type_error(format!(
                        "'{}' object does not support item assignment",
                        type_name(&ov)
                    )));
                };
                match target {
                    Value::Dict(items) => {
                        match items.iter_mut().find(|i| i.0 == kv) {
                            Some(i) => i.1 = v,
                            None => items.push((kv, v)),
                        }
                        Ok(())
                    }
                    Value::List(items) => {
                        let n = items.len() as i64;
                        let Value::Int(i) = kv else {
                            return Err(type_error(format!(
                                "list indices must be integers or slices, not {}",
                                type_name(&kv)
                            )));
                        };
                        let i = if i < 0 { i + n } else { i };
                        match items.get_mut(usize::try_from(i).unwrap_or(usize::MAX)) {
                            Some(x) => {
                                *x = v;
                                Ok(())
                            }
                            None => {
                                Err(Exc::new("IndexError", "list assignment index out of range"))
                            }
                        }
                    }
                    other => Err(type_error(format!(
                        "'{}' object does not support item assignment",
                        type_name(other)
                    ))),
                }
            }
            Expr::Attr(o, _) => {
                let ov = self.eval(o)?;
                match ov {
                    Value::Obj(_) | Value::Module(_) | Value::Func(_) => Ok(()),
                    other => Err(Exc::new(
                        "AttributeError",
                        format!("'{}' object has no attribute", type_name(&other)),
                    )),
                }
            }
            _ => Err(unsupported("this assignment target")),
        }
    }

    fn iterate(&self, v: &Value) -> R<Vec<Value>> {
        Ok(match v {
            Value::List(l) | Value::Tuple(l) => l.clone(),
            Value::Dict(d) => d.iter().map(|x| x.0.clone()).collect(),
            Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
            Value::Bytes(b) => b.iter().map(|&c| Value::Int(c.into())).collect(),
            Value::Obj(o) if o.starts_with("request.") || o == "os.environ" => self
                .multidict(o)
                .into_iter()
                .map(|(k, _)| Value::Str(k))
                .collect(),
            other => {
                return Err(type_error(format!(
                    "'{}' object is not iterable",
                    type_name(other)
                )))
            }
        })
    }

    fn eval(&mut self, e: &Expr) -> R<Value> {
        match e {
            Expr::Const(v) => Ok(v.clone()),
            Expr::Name(n) => self.lookup(n),
            Expr::FStr(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        FPart::Lit(s) => out.push_str(s),
                        FPart::Field(e, conv, spec, echo) => {
                            let v = self.eval(e)?;
                            if let Some(src) = echo {
                                out.push_str(src);
                            }
                            let conv =
                                conv.or(echo.as_ref().filter(|_| spec.is_empty()).map(|_| 'r'));
                            out.push_str(&self.format_field(&v, conv, spec)?);
                        }
                    }
                }
                Ok(Value::Str(out))
            }
            Expr::Attr(o, name) => {
                let v = self.eval(o)?;
                self.attr(v, name)
            }
            Expr::Call(f, args) => {
                // `x.append(…)` and the like change `x` where it lives.
                if let Expr::Attr(o, m) = &**f {
                    if matches!(
                        m.as_str(),
                        "append"
                            | "extend"
                            | "insert"
                            | "pop"
                            | "remove"
                            | "clear"
                            | "update"
                            | "setdefault"
                            | "sort"
                            | "reverse"
                    ) {
                        let (pos, kw) = self.args(args)?;
                        let recv = self.eval(o)?;
                        if matches!(recv, Value::List(_) | Value::Dict(_)) {
                            let Some(place) = self.place(o)? else {
                                // A temporary: changed and dropped.
                                let mut tmp = recv;
                                return mutate(&mut tmp, m, pos, kw);
                            };
                            return mutate(place, m, pos, kw);
                        }
                    }
                }
                let fv = self.eval(f)?;
                let (pos, kw) = self.args(args)?;
                self.call(&fv, pos, kw)
            }
            Expr::Sub(o, k) => {
                let ov = self.eval(o)?;
                if let Expr::Slice(lo, hi, step) = &**k {
                    let mut b = |x: &Option<Box<Expr>>| -> R<Option<i64>> {
                        match x {
                            None => Ok(None),
                            Some(e) => match self.eval(e)? {
                                Value::Int(n) => Ok(Some(n)),
                                Value::None => Ok(None),
                                _ => Err(type_error("slice indices must be integers or None")),
                            },
                        }
                    };
                    let (lo, hi, step) = (b(lo)?, b(hi)?, b(step)?);
                    return slice(&ov, lo, hi, step);
                }
                let kv = self.eval(k)?;
                self.index(ov, kv)
            }
            Expr::Slice(..) => Err(unsupported("a slice here")),
            Expr::Bin(a, op, b) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                self.binop(a, *op, b)
            }
            Expr::Neg(a) => match self.eval(a)? {
                Value::Int(n) => Ok(Value::Int(-n)),
                Value::Bool(b) => Ok(Value::Int(-i64::from(b))),
                Value::Float(f) => Ok(Value::Float(-f)),
                v => Err(type_error(format!(
                    "bad operand type for unary -: '{}'",
                    type_name(&v)
                ))),
            },
            Expr::Not(a) => {
                let v = self.eval(a)?;
                Ok(Value::Bool(!self.truthy(&v)))
            }
            Expr::And(a, b) => {
                let v = self.eval(a)?;
                if !self.truthy(&v) {
                    return Ok(v);
                }
                self.eval(b)
            }
            Expr::Or(a, b) => {
                let v = self.eval(a)?;
                if self.truthy(&v) {
                    return Ok(v);
                }
                self.eval(b)
            }
            Expr::Compare(a, ops) => {
                let mut left = self.eval(a)?;
                for (op, e) in ops {
                    let right = self.eval(e)?;
                    if !self.compare(&left, *op, &right)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                }
                Ok(Value::Bool(true))
            }
            Expr::IfExp(c, a, b) => {
                let v = self.eval(c)?;
                if self.truthy(&v) {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            Expr::List(items) => Ok(Value::List(self.evals(items)?)),
            Expr::Tuple(items) => Ok(Value::Tuple(self.evals(items)?)),
            Expr::Dict(items) => {
                let mut out: Vec<(Value, Value)> = Vec::new();
                for (k, v) in items {
                    let k = self.eval(k)?;
                    hashable(&k)?;
                    let v = self.eval(v)?;
                    match out.iter_mut().find(|x| x.0 == k) {
                        Some(x) => x.1 = v,
                        None => out.push((k, v)),
                    }
                }
                Ok(Value::Dict(out))
            }
            Expr::Comp(elt, target, it, cond) => {
                let v = self.eval(it)?;
                let mut out = Vec::new();
                for item in self.iterate(&v)? {
                    self.assign(target, item)?;
                    if let Some(c) = cond {
                        let c = self.eval(c)?;
                        if !self.truthy(&c) {
                            continue;
                        }
                    }
                    out.push(self.eval(elt)?);
                }
                Ok(Value::List(out))
            }
        }
    }

    fn evals(&mut self, items: &[Expr]) -> R<Vec<Value>> {
        items.iter().map(|e| self.eval(e)).collect()
    }

    fn args(&mut self, args: &[Arg]) -> R<(Vec<Value>, Kwargs)> {
        let mut pos = Vec::new();
        let mut kw = Vec::new();
        for a in args {
            match a {
                Arg::Pos(e) => pos.push(self.eval(e)?),
                Arg::Kw(k, e) => kw.push((k.clone(), self.eval(e)?)),
                Arg::Star(e) => {
                    let v = self.eval(e)?;
                    pos.extend(self.iterate(&v)?);
                }
                Arg::StarStar(e) => match self.eval(e)? {
                    Value::Dict(d) => {
                        for (k, v) in d {
                            match k {
                                Value::Str(k) => kw.push((k, v)),
                                _ => return Err(type_error("keywords must be strings")),
                            }
                        }
                    }
                    v => {
                        return Err(type_error(format!(
                            "argument after ** must be a mapping, not {}",
                            type_name(&v)
                        )))
                    }
                },
            }
        }
        Ok((pos, kw))
    }

    fn compare(&self, a: &Value, op: Cmp, b: &Value) -> R<bool> {
        use std::cmp::Ordering;
        match op {
            Cmp::Eq => Ok(py_eq(a, b)),
            Cmp::Ne => Ok(!py_eq(a, b)),
            Cmp::Is => Ok(match (a, b) {
                (Value::None, Value::None) => true,
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::None | Value::Bool(_), _) | (_, Value::None | Value::Bool(_)) => false,
                _ => a == b,
            }),
            Cmp::IsNot => Ok(!self.compare(a, Cmp::Is, b)?),
            Cmp::In | Cmp::NotIn => {
                let found = match b {
                    Value::Str(s) => match a {
                        Value::Str(x) => s.contains(x.as_str()),
                        _ => {
                            return Err(type_error(format!(
                                "'in <string>' requires string as left operand, not {}",
                                type_name(a)
                            )))
                        }
                    },
                    Value::Bytes(s) => match a {
                        Value::Bytes(x) => {
                            x.is_empty() || s.windows(x.len()).any(|w| w == x.as_slice())
                        }
                        Value::Int(n) => s.iter().any(|&c| i64::from(c) == *n),
                        _ => return Err(type_error("a bytes-like object is required")),
                    },
                    Value::Dict(d) => d.iter().any(|x| py_eq(&x.0, a)),
                    Value::Obj(o) if o.starts_with("request.") || o == "os.environ" => {
                        let Value::Str(k) = a else {
                            return Ok(op == Cmp::NotIn);
                        };
                        self.multi_get(o, k).is_some()
                    }
                    other => self.iterate(other)?.iter().any(|x| py_eq(x, a)),
                };
                Ok(found == (op == Cmp::In))
            }
            _ => {
                let ord = py_cmp(a, b).ok_or_else(|| {
                    let sym = match op {
                        Cmp::Lt => "<",
                        Cmp::Le => "<=",
                        Cmp::Gt => ">",
                        _ => ">=",
                    };
                    type_error(format!(
                        "'{sym}' not supported between instances of '{}' and '{}'",
                        type_name(a),
                        type_name(b)
                    ))
                })?;
                Ok(match op {
                    Cmp::Lt => ord == Ordering::Less,
                    Cmp::Le => ord != Ordering::Greater,
                    Cmp::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                })
            }
        }
    }

    fn binop(&self, a: Value, op: Op, b: Value) -> R<Value> {
        let sym = match op {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::FloorDiv => "//",
            Op::Mod => "%",
            Op::Pow => "** or pow()",
        };
        let unsupported_op = |a: &Value, b: &Value| {
            type_error(format!(
                "unsupported operand type(s) for {sym}: '{}' and '{}'",
                type_name(a),
                type_name(b)
            ))
        };
        let num = |v: &Value| match v {
            Value::Int(n) => Some(*n),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        };
        let flt = |v: &Value| match v {
            Value::Float(f) => Some(*f),
            v => num(v).map(|n| n as f64),
        };
        let overflow = || Exc::new("OverflowError", "integer too large for the playground");
        match (&a, op, &b) {
            (Value::Str(x), Op::Add, Value::Str(y)) => return Ok(Value::Str(format!("{x}{y}"))),
            (Value::Str(_), Op::Add, _) => {
                return Err(type_error(format!(
                    "can only concatenate str (not \"{}\") to str",
                    type_name(&b)
                )))
            }
            (Value::Bytes(x), Op::Add, Value::Bytes(y)) => {
                let mut v = x.clone();
                v.extend(y);
                return Ok(Value::Bytes(v));
            }
            (Value::Bytes(_), Op::Add, _) => {
                return Err(type_error(format!(
                    "can't concat {} to bytes",
                    type_name(&b)
                )))
            }
            (Value::List(x), Op::Add, Value::List(y)) => {
                let mut v = x.clone();
                v.extend(y.iter().cloned());
                return Ok(Value::List(v));
            }
            (Value::List(_), Op::Add, _) => {
                return Err(type_error(format!(
                    "can only concatenate list (not \"{}\") to list",
                    type_name(&b)
                )))
            }
            (Value::Tuple(x), Op::Add, Value::Tuple(y)) => {
                let mut v = x.clone();
                v.extend(y.iter().cloned());
                return Ok(Value::Tuple(v));
            }
            (Value::Str(s), Op::Mul, n) | (n, Op::Mul, Value::Str(s)) if num(n).is_some() => {
                let k = num(n).unwrap_or(0).clamp(0, 10_000) as usize;
                return Ok(Value::Str(s.repeat(k)));
            }
            (Value::List(s), Op::Mul, n) if num(n).is_some() => {
                let k = num(n).unwrap_or(0).clamp(0, 10_000) as usize;
                let mut out = Vec::new();
                for _ in 0..k {
                    out.extend(s.iter().cloned());
                }
                return Ok(Value::List(out));
            }
            (Value::Str(f), Op::Mod, _) => return self.percent(f, &b).map(Value::Str),
            (Value::Bytes(_), Op::Mod, _) => return Err(unsupported("bytes % formatting")),
            _ => {}
        }
        if let (Some(x), Some(y)) = (num(&a), num(&b)) {
            return match op {
                Op::Add => x.checked_add(y).map(Value::Int).ok_or_else(overflow),
                Op::Sub => x.checked_sub(y).map(Value::Int).ok_or_else(overflow),
                Op::Mul => x.checked_mul(y).map(Value::Int).ok_or_else(overflow),
                Op::Div if y == 0 => Err(Exc::new("ZeroDivisionError", "division by zero")),
                Op::Div => Ok(Value::Float(x as f64 / y as f64)),
                Op::FloorDiv if y == 0 => Err(Exc::new(
                    "ZeroDivisionError",
                    "integer division or modulo by zero",
                )),
                Op::FloorDiv => Ok(Value::Int(
                    x.div_euclid(y) - i64::from(y < 0 && x.rem_euclid(y) != 0),
                )),
                Op::Mod if y == 0 => Err(Exc::new("ZeroDivisionError", "integer modulo by zero")),
                Op::Mod => {
                    let r = x.rem_euclid(y);
                    Ok(Value::Int(if y < 0 && r != 0 { r + y } else { r }))
                }
                Op::Pow if y < 0 => Ok(Value::Float((x as f64).powf(y as f64))),
                Op::Pow => u32::try_from(y)
                    .ok()
                    .and_then(|y| x.checked_pow(y))
                    .map(Value::Int)
                    .ok_or_else(overflow),
            };
        }
        if let (Some(x), Some(y)) = (flt(&a), flt(&b)) {
            return match op {
                Op::Add => Ok(Value::Float(x + y)),
                Op::Sub => Ok(Value::Float(x - y)),
                Op::Mul => Ok(Value::Float(x * y)),
                Op::Div | Op::FloorDiv | Op::Mod if y == 0.0 => Err(Exc::new(
                    "ZeroDivisionError",
                    if op == Op::Div {
                        "float division by zero"
                    } else {
                        "float modulo"
                    },
                )),
                Op::Div => Ok(Value::Float(x / y)),
                Op::FloorDiv => Ok(Value::Float((x / y).floor())),
                Op::Mod => Ok(Value::Float(x - y * (x / y).floor())),
                Op::Pow => Ok(Value::Float(x.powf(y))),
            };
        }
        Err(unsupported_op(&a, &b))
    }

    fn index(&self, v: Value, k: Value) -> R<Value> {
        match &v {
            Value::Dict(d) => d
                .iter()
                .find(|x| py_eq(&x.0, &k))
                .map(|x| x.1.clone())
                .ok_or_else(|| Exc::new("KeyError", repr(&k))),
            Value::List(l) | Value::Tuple(l) => {
                let Value::Int(i) = k else {
                    return Err(type_error(format!(
                        "{} indices must be integers or slices, not {}",
                        type_name(&v),
                        type_name(&k)
                    )));
                };
                let n = l.len() as i64;
                let j = if i < 0 { i + n } else { i };
                l.get(usize::try_from(j).unwrap_or(usize::MAX))
                    .cloned()
                    .ok_or_else(|| {
                        Exc::new(
                            "IndexError",
                            format!("{} index out of range", type_name(&v)),
                        )
                    })
            }
            Value::Str(s) => {
                let Value::Int(i) = k else {
                    return Err(type_error("string indices must be integers, not 'str'"));
                };
                let chars: Vec<char> = s.chars().collect();
                let n = chars.len() as i64;
                let j = if i < 0 { i + n } else { i };
                chars
                    .get(usize::try_from(j).unwrap_or(usize::MAX))
                    .map(|c| Value::Str(c.to_string()))
                    .ok_or_else(|| Exc::new("IndexError", "string index out of range"))
            }
            Value::Bytes(b) => {
                let Value::Int(i) = k else {
                    return Err(type_error(
                        "byte indices must be integers or slices, not str",
                    ));
                };
                let n = b.len() as i64;
                let j = if i < 0 { i + n } else { i };
                b.get(usize::try_from(j).unwrap_or(usize::MAX))
                    .map(|&c| Value::Int(c.into()))
                    .ok_or_else(|| Exc::new("IndexError", "index out of range"))
            }
            Value::Obj(o) if o.starts_with("request.") || o == "os.environ" => {
                let Value::Str(key) = &k else {
                    return Err(Exc::new("KeyError", repr(&k)));
                };
                match self.multi_get(o, key) {
                    Some(v) => Ok(Value::Str(v)),
                    None if o == "os.environ" => Err(Exc::new("KeyError", repr(&k))),
                    None => {
                        let mut e = Exc::new(
                            "werkzeug.exceptions.BadRequestKeyError",
                            "400 Bad Request: The browser (or proxy) sent a request that this server could not understand.",
                        );
                        e.http = Some(400);
                        Err(e)
                    }
                }
            }
            Value::Obj(o) if o == "app.config" => Ok(Value::None),
            other => Err(type_error(format!(
                "'{}' object is not subscriptable",
                type_name(other)
            ))),
        }
    }

    /// The pairs of a request's multidict (`request.args`, `.form`, `.headers`) or the env.
    fn multidict(&self, o: &str) -> Vec<(String, String)> {
        match o {
            "request.args" => parse_form(&self.req.query),
            "request.form" => {
                let ct = header(&self.req.headers, "content-type").unwrap_or_default();
                if ct.starts_with("application/x-www-form-urlencoded") {
                    parse_form(&self.req.body)
                } else {
                    Vec::new()
                }
            }
            "request.values" => {
                let mut v = self.multidict("request.args");
                v.extend(self.multidict("request.form"));
                v
            }
            "request.headers" => self.req.headers.clone(),
            "request.cookies" => header(&self.req.headers, "cookie")
                .map(|c| {
                    c.split(';')
                        .filter_map(|p| {
                            let (k, v) = p.split_once('=')?;
                            Some((k.trim().to_string(), v.trim().to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn multi_get(&self, o: &str, k: &str) -> Option<String> {
        if o == "os.environ" {
            return self.host.env(k);
        }
        let pairs = self.multidict(o);
        if o == "request.headers" {
            return header(&pairs, k);
        }
        pairs.into_iter().find(|p| p.0 == k).map(|p| p.1)
    }

    fn attr(&mut self, v: Value, name: &str) -> R<Value> {
        let no_attr = |v: &Value| {
            Exc::new(
                "AttributeError",
                match v {
                    Value::Module(m) => format!("module '{m}' has no attribute '{name}'"),
                    _ => format!("'{}' object has no attribute '{name}'", type_name(v)),
                },
            )
        };
        match &v {
            Value::Module(m) => {
                return module_attr(m, name).ok_or_else(|| {
                    if matches!(
                        m.as_str(),
                        "datetime" | "random" | "logging" | "sys" | "os.path"
                    ) {
                        unsupported(format!("{m}.{name}"))
                    } else {
                        no_attr(&v)
                    }
                })
            }
            Value::Obj(o) if o == "request" => {
                let r = self.req;
                return Ok(match name {
                    "method" => Value::Str(r.method.clone()),
                    "path" => Value::Str(r.path.clone()),
                    "full_path" => Value::Str(format!("{}?{}", r.path, r.query)),
                    "remote_addr" => Value::Str(r.remote_addr.clone()),
                    "data" => Value::Bytes(r.body.as_bytes().to_vec()),
                    "query_string" => Value::Bytes(r.query.as_bytes().to_vec()),
                    "host" => Value::Str(header(&r.headers, "host").unwrap_or_default()),
                    "user_agent" => {
                        Value::Str(header(&r.headers, "user-agent").unwrap_or_default())
                    }
                    "content_type" => header(&r.headers, "content-type")
                        .map(Value::Str)
                        .unwrap_or(Value::None),
                    "is_json" => Value::Bool(self.is_json()),
                    "json" => return self.request_json(false),
                    "get_json" | "get_data" => Value::Method(Box::new(v.clone()), name.into()),
                    "args" | "form" | "headers" | "values" | "cookies" => {
                        Value::Obj(format!("request.{name}"))
                    }
                    _ => return Err(unsupported(format!("request.{name}"))),
                });
            }
            Value::Obj(o) if o == "app" || o == "flask.Flask" => {
                return Ok(match name {
                    "config" => Value::Obj("app.config".into()),
                    "logger" => Value::Obj("app.logger".into()),
                    _ => Value::Method(Box::new(Value::Obj("app".into())), name.into()),
                })
            }
            Value::Exc(e) if name == "args" => {
                return Ok(Value::Tuple(vec![Value::Str(e.msg.clone())]))
            }
            Value::Response(r) => {
                return match name {
                    "status_code" => Ok(Value::Int(r.status.into())),
                    "headers" => Ok(Value::Obj("response.headers".into())),
                    "data" => Ok(Value::Bytes(r.body.as_bytes().to_vec())),
                    _ => Err(unsupported(format!("Response.{name}"))),
                }
            }
            Value::Builtin(b) if b == "redis.Redis" && name == "from_url" => {
                return Ok(Value::Builtin("redis.from_url".into()))
            }
            _ => {}
        }
        if has_method(&v, name) {
            return Ok(Value::Method(Box::new(v), name.to_string()));
        }
        Err(no_attr(&v))
    }

    fn is_json(&self) -> bool {
        header(&self.req.headers, "content-type").is_some_and(|c| {
            let c = c
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            c == "application/json" || (c.starts_with("application/") && c.ends_with("+json"))
        })
    }

    /// `request.json` / `get_json()`: the body parsed, or werkzeug's 415 / 400.
    fn request_json(&self, silent: bool) -> R<Value> {
        if !self.is_json() {
            if silent {
                return Ok(Value::None);
            }
            let mut e = Exc::new(
                "werkzeug.exceptions.UnsupportedMediaType",
                "415 Unsupported Media Type: Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
            );
            e.http = Some(415);
            return Err(e);
        }
        match serde_json::from_str::<serde_json::Value>(&self.req.body) {
            Ok(j) => Ok(from_json(&j)),
            Err(_) if silent => Ok(Value::None),
            Err(_) => {
                let mut e = Exc::new(
                    "werkzeug.exceptions.BadRequest",
                    "400 Bad Request: The browser (or proxy) sent a request that this server could not understand.",
                );
                e.http = Some(400);
                Err(e)
            }
        }
    }

    /// Calls `f`.
    fn call(&mut self, f: &Value, pos: Vec<Value>, kw: Vec<(String, Value)>) -> R<Value> {
        match f {
            Value::Func(name) => {
                let module: &[Stmt] = self.module;
                let def = find_def_in(module, name).ok_or_else(|| {
                    Exc::new("NameError", format!("name '{name}' is not defined"))
                })?;
                self.call_def(def, pos, kw)
            }
            Value::Builtin(b) => self.builtin(b, pos, kw),
            Value::Method(recv, m) => self.method((**recv).clone(), m, pos, kw),
            Value::ExcType(k) => {
                let msg = match pos.first() {
                    None => String::new(),
                    Some(Value::Str(s)) => s.clone(),
                    Some(v) => str_of(v),
                };
                Ok(Value::Exc(Exc::new(k, msg)))
            }
            Value::Obj(o) if o == "app.logger" => Ok(Value::None),
            other => Err(type_error(format!(
                "'{}' object is not callable",
                type_name(other)
            ))),
        }
    }

    fn call_def(&mut self, def: &Def, pos: Vec<Value>, kw: Vec<(String, Value)>) -> R<Value> {
        if self.frames.len() > MAX_DEPTH {
            return Err(Exc::new(
                "RecursionError",
                "maximum recursion depth exceeded",
            ));
        }
        let name = &def.name;
        if pos.len() > def.params.len() {
            return Err(type_error(format!(
                "{name}() takes {} positional argument{} but {} {} given",
                def.params.len(),
                if def.params.len() == 1 { "" } else { "s" },
                pos.len(),
                if pos.len() == 1 { "was" } else { "were" }
            )));
        }
        let mut vars: Vec<(String, Value)> = Vec::new();
        for (p, v) in def.params.iter().zip(pos) {
            vars.push((p.0.clone(), v));
        }
        for (k, v) in kw {
            if !def.params.iter().any(|p| p.0 == k) {
                return Err(type_error(format!(
                    "{name}() got an unexpected keyword argument '{k}'"
                )));
            }
            if vars.iter().any(|x| x.0 == k) {
                return Err(type_error(format!(
                    "{name}() got multiple values for argument '{k}'"
                )));
            }
            vars.push((k, v));
        }
        let mut missing = Vec::new();
        for (p, d) in &def.params {
            if vars.iter().any(|x| &x.0 == p) {
                continue;
            }
            match d {
                Some(d) => {
                    let v = self.eval(d)?;
                    vars.push((p.clone(), v));
                }
                None => missing.push(format!("'{p}'")),
            }
        }
        if !missing.is_empty() {
            let n = missing.len();
            let list = match n {
                1 => missing[0].clone(),
                _ => format!("{} and {}", missing[..n - 1].join(", "), missing[n - 1]),
            };
            return Err(type_error(format!(
                "{name}() missing {n} required positional argument{}: {list}",
                if n == 1 { "" } else { "s" }
            )));
        }
        let mut locals = Vec::new();
        let mut globals = Vec::new();
        assigned(&def.body, &mut locals, &mut globals);
        locals.extend(def.params.iter().map(|p| p.0.clone()));
        self.scopes.push(Scope {
            vars,
            locals,
            globals,
        });
        self.frames.push((0, name.clone(), String::new()));
        let r = self.block(&def.body);
        self.frames.pop();
        self.scopes.pop();
        match r {
            Ok(()) => Ok(Value::None),
            Err(Flow::Return(v)) => Ok(v),
            Err(Flow::Raise(e)) => Err(e),
            Err(Flow::Break | Flow::Continue) => {
                Err(Exc::new("SyntaxError", "'break' outside loop"))
            }
        }
    }
}

fn find_def_in<'m>(stmts: &'m [Stmt], name: &str) -> Option<&'m Def> {
    for s in stmts {
        match &s.kind {
            S::Def(d) if d.name == name => return Some(d),
            S::If(arms, orelse) => {
                for (_, b) in arms {
                    if let Some(d) = find_def_in(b, name) {
                        return Some(d);
                    }
                }
                if let Some(d) = find_def_in(orelse, name) {
                    return Some(d);
                }
            }
            S::Try { body, .. } => {
                if let Some(d) = find_def_in(body, name) {
                    return Some(d);
                }
            }
            _ => {}
        }
    }
    None
}

/// The names a function body assigns, and those it declares `global`.
fn assigned(stmts: &[Stmt], locals: &mut Vec<String>, globals: &mut Vec<String>) {
    fn target(e: &Expr, out: &mut Vec<String>) {
        match e {
            Expr::Name(n) => out.push(n.clone()),
            Expr::Tuple(ts) | Expr::List(ts) => ts.iter().for_each(|t| target(t, out)),
            _ => {}
        }
    }
    for s in stmts {
        match &s.kind {
            S::Assign(ts, _) => ts.iter().for_each(|t| target(t, locals)),
            S::Aug(t, _, _) => target(t, locals),
            S::For(t, _, body) => {
                target(t, locals);
                assigned(body, locals, globals);
            }
            S::Global(ns) => globals.extend(ns.iter().cloned()),
            S::Import(ms) => locals.extend(ms.iter().map(|m| m.1.clone())),
            S::From(_, ns) => locals.extend(ns.iter().map(|n| n.1.clone())),
            S::Def(d) => locals.push(d.name.clone()),
            S::If(arms, orelse) => {
                for (_, b) in arms {
                    assigned(b, locals, globals);
                }
                assigned(orelse, locals, globals);
            }
            S::While(_, b) => assigned(b, locals, globals),
            S::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                assigned(body, locals, globals);
                for h in handlers {
                    if let Some(n) = &h.name {
                        locals.push(n.clone());
                    }
                    assigned(&h.body, locals, globals);
                }
                assigned(orelse, locals, globals);
                assigned(finally, locals, globals);
            }
            _ => {}
        }
    }
    locals.retain(|l| !globals.contains(l));
}

fn hashable(k: &Value) -> R<()> {
    match k {
        Value::List(_) | Value::Dict(_) => {
            Err(type_error(format!("unhashable type: '{}'", type_name(k))))
        }
        _ => Ok(()),
    }
}

pub fn py_eq(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| match v {
        Value::Int(n) => Some(*n as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| py_eq(k, k2) && py_eq(v, v2)))
        }
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

fn py_cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    let num = |v: &Value| match v {
        Value::Int(n) => Some(*n as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
            for (p, q) in x.iter().zip(y) {
                if !py_eq(p, q) {
                    return py_cmp(p, q);
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => num(a)?.partial_cmp(&num(b)?),
    }
}

fn slice(v: &Value, lo: Option<i64>, hi: Option<i64>, step: Option<i64>) -> R<Value> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(Exc::new("ValueError", "slice step cannot be zero"));
    }
    let pick = |n: usize| -> Vec<usize> {
        let n = n as i64;
        let norm = |x: i64| -> i64 {
            let x = if x < 0 { x + n } else { x };
            if step > 0 {
                x.clamp(0, n)
            } else {
                x.clamp(-1, n - 1)
            }
        };
        let mut out = Vec::new();
        if step > 0 {
            let (mut i, end) = (lo.map_or(0, norm), hi.map_or(n, norm));
            while i < end {
                out.push(i as usize);
                i += step;
            }
        } else {
            let (mut i, end) = (lo.map_or(n - 1, norm), hi.map_or(-1, norm));
            while i > end {
                out.push(i as usize);
                i += step;
            }
        }
        out
    };
    Ok(match v {
        Value::Str(s) => {
            let c: Vec<char> = s.chars().collect();
            Value::Str(pick(c.len()).into_iter().map(|i| c[i]).collect())
        }
        Value::Bytes(b) => Value::Bytes(pick(b.len()).into_iter().map(|i| b[i]).collect()),
        Value::List(l) => Value::List(pick(l.len()).into_iter().map(|i| l[i].clone()).collect()),
        Value::Tuple(l) => Value::Tuple(pick(l.len()).into_iter().map(|i| l[i].clone()).collect()),
        other => {
            return Err(type_error(format!(
                "'{}' object is not subscriptable",
                type_name(other)
            )))
        }
    })
}

/// Whether `v` has method `name` (the methods this Python knows).
fn has_method(v: &Value, name: &str) -> bool {
    let list: &[&str] = match v {
        Value::Str(_) => &[
            "upper",
            "lower",
            "strip",
            "lstrip",
            "rstrip",
            "split",
            "join",
            "replace",
            "startswith",
            "endswith",
            "format",
            "encode",
            "title",
            "capitalize",
            "isdigit",
            "isnumeric",
            "isalpha",
            "zfill",
            "count",
            "find",
            "splitlines",
            "ljust",
            "rjust",
            "center",
        ],
        Value::Bytes(_) => &["decode", "strip", "upper", "lower", "startswith", "split"],
        Value::List(_) => &[
            "append", "extend", "insert", "pop", "remove", "clear", "index", "count", "sort",
            "reverse", "copy",
        ],
        Value::Dict(_) => &[
            "get",
            "keys",
            "values",
            "items",
            "update",
            "pop",
            "setdefault",
            "clear",
            "copy",
        ],
        Value::Tuple(_) => &["index", "count"],
        Value::Redis(_) => return true,
        Value::Obj(o) if o.starts_with("request.") || o == "os.environ" => {
            &["get", "keys", "values", "items", "to_dict", "getlist"]
        }
        Value::Obj(o) if o == "app.logger" => &["info", "warning", "error", "debug"],
        _ => &[],
    };
    list.contains(&name)
}

/// A list or dict method that changes the value.
fn mutate(v: &mut Value, m: &str, pos: Vec<Value>, _kw: Vec<(String, Value)>) -> R<Value> {
    let argc = |n: usize, pos: &[Value]| -> R<()> {
        if pos.len() == n {
            Ok(())
        } else {
            Err(type_error(format!(
                "{m}() takes exactly {} argument{} ({} given)",
                n,
                if n == 1 { "" } else { "s" },
                pos.len()
            )))
        }
    };
    match v {
        Value::List(l) => match m {
            "append" => {
                argc(1, &pos)?;
                l.extend(pos);
                Ok(Value::None)
            }
            "extend" => {
                argc(1, &pos)?;
                match &pos[0] {
                    Value::List(x) | Value::Tuple(x) => l.extend(x.iter().cloned()),
                    other => {
                        return Err(type_error(format!(
                            "'{}' object is not iterable",
                            type_name(other)
                        )))
                    }
                }
                Ok(Value::None)
            }
            "insert" => {
                argc(2, &pos)?;
                let Value::Int(i) = pos[0] else {
                    return Err(type_error(
                        "'str' object cannot be interpreted as an integer",
                    ));
                };
                let n = l.len() as i64;
                let i = if i < 0 { (i + n).max(0) } else { i.min(n) };
                l.insert(i as usize, pos[1].clone());
                Ok(Value::None)
            }
            "pop" => {
                if l.is_empty() {
                    return Err(Exc::new("IndexError", "pop from empty list"));
                }
                let n = l.len() as i64;
                let i = match pos.first() {
                    Some(Value::Int(i)) => *i,
                    _ => -1,
                };
                let j = if i < 0 { i + n } else { i };
                if j < 0 || j >= n {
                    return Err(Exc::new("IndexError", "pop index out of range"));
                }
                Ok(l.remove(j as usize))
            }
            "remove" => {
                argc(1, &pos)?;
                match l.iter().position(|x| py_eq(x, &pos[0])) {
                    Some(i) => {
                        l.remove(i);
                        Ok(Value::None)
                    }
                    None => Err(Exc::new("ValueError", "list.remove(x): x not in list")),
                }
            }
            "clear" => {
                l.clear();
                Ok(Value::None)
            }
            "reverse" => {
                l.reverse();
                Ok(Value::None)
            }
            "sort" => {
                let mut err = None;
                l.sort_by(|a, b| {
                    py_cmp(a, b).unwrap_or_else(|| {
                        err = Some(());
                        std::cmp::Ordering::Equal
                    })
                });
                match err {
                    Some(()) => Err(type_error("'<' not supported between these instances")),
                    None => Ok(Value::None),
                }
            }
            _ => Err(unsupported(format!("list.{m}"))),
        },
        Value::Dict(d) => match m {
            "update" => {
                for p in pos {
                    match p {
                        Value::Dict(x) => {
                            for (k, val) in x {
                                match d.iter_mut().find(|i| py_eq(&i.0, &k)) {
                                    Some(i) => i.1 = val,
                                    None => d.push((k, val)),
                                }
                            }
                        }
                        other => {
                            return Err(type_error(format!(
                                "'{}' object is not iterable",
                                type_name(&other)
                            )))
                        }
                    }
                }
                for (k, val) in _kw {
                    let k = Value::Str(k);
                    match d.iter_mut().find(|i| i.0 == k) {
                        Some(i) => i.1 = val,
                        None => d.push((k, val)),
                    }
                }
                Ok(Value::None)
            }
            "pop" => {
                let Some(k) = pos.first() else {
                    return Err(type_error("pop expected at least 1 argument, got 0"));
                };
                match d.iter().position(|i| py_eq(&i.0, k)) {
                    Some(i) => Ok(d.remove(i).1),
                    None => pos
                        .get(1)
                        .cloned()
                        .ok_or_else(|| Exc::new("KeyError", repr(k))),
                }
            }
            "setdefault" => {
                let Some(k) = pos.first() else {
                    return Err(type_error("setdefault expected at least 1 argument, got 0"));
                };
                hashable(k)?;
                match d.iter().find(|i| py_eq(&i.0, k)) {
                    Some(i) => Ok(i.1.clone()),
                    None => {
                        let dv = pos.get(1).cloned().unwrap_or(Value::None);
                        d.push((k.clone(), dv.clone()));
                        Ok(dv)
                    }
                }
            }
            "clear" => {
                d.clear();
                Ok(Value::None)
            }
            _ => Err(unsupported(format!("dict.{m}"))),
        },
        _ => Err(unsupported(m)),
    }
}

/// Form or query pairs, decoded.
fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                crate::catalog::percent_decode(k, true),
                crate::catalog::percent_decode(v, true),
            )
        })
        .collect()
}

fn header(hs: &[(String, String)], name: &str) -> Option<String> {
    hs.iter()
        .find(|h| h.0.eq_ignore_ascii_case(name))
        .map(|h| h.1.clone())
}

fn from_json(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::None,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0))),
        J::String(s) => Value::Str(s.clone()),
        J::Array(a) => Value::List(a.iter().map(from_json).collect()),
        J::Object(o) => Value::Dict(
            o.iter()
                .map(|(k, v)| (Value::Str(k.clone()), from_json(v)))
                .collect(),
        ),
    }
}

pub use format::{float_repr, repr, str_of};

/// A werkzeug URL rule (`/hello/<name>`, `/item/<int:id>`, `/files/<path:p>`) matched
/// against `path`: the view's arguments, or `None` when it does not match.
pub fn match_rule(rule: &str, path: &str) -> Option<Vec<(String, Value)>> {
    let mut args = Vec::new();
    let mut rest = path;
    let mut r = rule;
    while !r.is_empty() {
        match r.find('<') {
            Some(0) => {
                let close = r.find('>')?;
                let spec = &r[1..close];
                r = &r[close + 1..];
                let (conv, name) = spec.split_once(':').unwrap_or(("default", spec));
                let conv = conv.split('(').next().unwrap_or("").trim();
                // The text this part takes: up to the rule's next literal.
                let next_lit = r.find('<').map_or(r, |i| &r[..i]);
                let take = |allow_slash: bool| -> Option<usize> {
                    if next_lit.is_empty() {
                        let end = if allow_slash {
                            rest.len()
                        } else {
                            rest.find('/').unwrap_or(rest.len())
                        };
                        return Some(end);
                    }
                    // The last place the literal fits (paths), or the first (others).
                    let cands: Vec<usize> = rest
                        .match_indices(next_lit)
                        .map(|m| m.0)
                        .filter(|&i| allow_slash || !rest[..i].contains('/'))
                        .collect();
                    if allow_slash {
                        cands.last().copied()
                    } else {
                        cands.first().copied()
                    }
                };
                let end = take(conv == "path")?;
                let raw = &rest[..end];
                if raw.is_empty() {
                    return None;
                }
                let text = crate::catalog::percent_decode(raw, false);
                let v = match conv {
                    "default" | "string" | "any" => {
                        (!raw.contains('/')).then_some(Value::Str(text))?
                    }
                    "path" => Value::Str(text),
                    "int" => {
                        if !raw.bytes().all(|b| b.is_ascii_digit()) {
                            return None;
                        }
                        Value::Int(raw.parse().ok()?)
                    }
                    "float" => {
                        let (a, b) = raw.split_once('.')?;
                        if a.is_empty()
                            || b.is_empty()
                            || !a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
                        {
                            return None;
                        }
                        Value::Float(raw.parse().ok()?)
                    }
                    "uuid" => Value::Str(text),
                    _ => return None,
                };
                args.push((name.trim().to_string(), v));
                rest = &rest[end..];
            }
            Some(i) => {
                rest = rest.strip_prefix(&r[..i])?;
                r = &r[i..];
            }
            None => {
                rest = rest.strip_prefix(r)?;
                r = "";
            }
        }
    }
    rest.is_empty().then_some(args)
}
