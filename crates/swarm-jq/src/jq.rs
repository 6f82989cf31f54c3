//! The engine: `jq` on jaq 2 (`jaq-core`, `jaq-std`, and `jq_val`, our copy of `jaq-json`),
//! with jq 1.7's options, output format and error texts.
//!
//! What jaq would take from the host is replaced: `now` is the simulated clock, `env` and
//! `$ENV` are the shell's variables, `localtime`/`strflocaltime` are UTC (the machines run in
//! UTC), `debug`/`stderr` write to the command's standard error, `halt`/`halt_error` end the
//! run as jq does instead of exiting the process. Output is printed by our own writer (jq's
//! 2-space indent, key order kept, no colours), not jaq's.
//!
//! Bounded: at most [`MAX_OUTPUT`] bytes of output. Natively a panic inside jaq would become
//! an error (`catch_unwind`); none is known: integer arithmetic falls back to floats (see
//! `jq_val`). Not bounded: a filter that loops without printing (`def f: f; f`,
//! `last(range(1e18))`) keeps the command running until Ctrl+C, and unbounded recursion that
//! is not a tail call (`def f: [f]; f`) overflows the stack, as it does in jq.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::jq_val::Val;
use crate::JqRun;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Native, RcIter};

/// The most output one `jq` run prints before it stops (`[repeat(1)]`-style filters).
pub(crate) const MAX_OUTPUT: usize = 4 << 20;

/// Where `jq` gets its environment: the simulated time and the shell's variables.
pub(crate) struct JqEnv<'a> {
    /// Seconds since the Unix epoch in the simulated world.
    pub now: f64,
    /// Exported shell variables (`$ENV`, `env`).
    pub vars: Vec<(String, String)>,
    /// Reads a file argument; `Err` is the `strerror` text.
    pub read: &'a dyn Fn(&str) -> Result<String, String>,
}

thread_local! {
    static NOW: Cell<f64> = const { Cell::new(0.0) };
    static STDERR: RefCell<String> = const { RefCell::new(String::new()) };
    static ENV: RefCell<Val> = const { RefCell::new(Val::Null) };
}

const HALT_KEY: &str = "\u{0}swarm-jq-halt";

const USAGE: &str = "Usage:\tjq [OPTIONS] FILTER [FILES...]\n\tjq [OPTIONS] --args FILTER [ARGUMENTS...]\n\tjq [OPTIONS] --jsonargs FILTER [JSON_VALUES...]\n\njq is a tool for processing JSON inputs, applying the given filter to\nits JSON text inputs and producing the filter's results as JSON on\nstandard output.\n\nThe simplest filter is ., which copies jq's input to its output\nunmodified except for formatting. For more advanced filters see\nthe jq(1) manpage (\"man jq\") and/or https://jqlang.github.io/jq/.\n\nExample:\n\n\t$ echo '{\"foo\": 0}' | jq .\n\t{\n\t  \"foo\": 0\n\t}\n\n";

const DIE: &str = "Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n";

#[derive(Default)]
struct Opts {
    raw: bool,
    join: bool,
    compact: bool,
    exit_status: bool,
    null_input: bool,
    slurp: bool,
    raw_input: bool,
    ascii: bool,
    sort_keys: bool,
    tab: bool,
    indent: usize,
    seq: bool,
    raw_output0: bool,
    named: Vec<(String, Val)>,
    positional: Vec<Val>,
}

fn die(msg: &str) -> JqRun {
    JqRun {
        out: String::new(),
        err: format!("jq: {msg}\n{DIE}"),
        status: 2,
        err_at: Vec::new(),
    }
}

/// Runs `jq ARGS` over `stdin`.
pub(crate) fn run(args: &[String], stdin: &str, env: &JqEnv) -> JqRun {
    let mut o = Opts {
        indent: 2,
        ..Opts::default()
    };
    let mut filter: Option<String> = None;
    let mut files: Vec<String> = Vec::new();
    // After `--args`/`--jsonargs`, operands after the filter are values, not files.
    let mut rest_mode: Option<bool> = None;
    let mut opts_done = false;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        let is_opt = !opts_done && a.starts_with('-') && a.len() > 1;
        if !is_opt {
            if filter.is_none() {
                filter = Some(a.clone());
            } else if let Some(json) = rest_mode {
                if json {
                    match parse_one(a) {
                        Some(v) => o.positional.push(v),
                        None => return die("Invalid JSON text passed to --jsonargs"),
                    }
                } else {
                    o.positional.push(Val::from(a.clone()));
                }
            } else {
                files.push(a.clone());
            }
            continue;
        }
        if a == "--" {
            opts_done = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            match long {
                "raw-output" => o.raw = true,
                "join-output" => {
                    o.raw = true;
                    o.join = true
                }
                "raw-output0" => {
                    o.raw = true;
                    o.raw_output0 = true
                }
                "compact-output" => o.compact = true,
                "exit-status" => o.exit_status = true,
                "null-input" => o.null_input = true,
                "slurp" => o.slurp = true,
                "raw-input" => o.raw_input = true,
                "ascii-output" => o.ascii = true,
                "sort-keys" => o.sort_keys = true,
                "color-output" | "monochrome-output" | "unbuffered" | "stream-errors" => {}
                "tab" => o.tab = true,
                "seq" => o.seq = true,
                "args" => rest_mode = Some(false),
                "jsonargs" => rest_mode = Some(true),
                "help" => {
                    return JqRun {
                        out: USAGE.to_string(),
                        err: String::new(),
                        status: 0,
                        err_at: Vec::new(),
                    }
                }
                "version" => {
                    return JqRun {
                        out: "jq-1.7.1\n".into(),
                        err: String::new(),
                        status: 0,
                        err_at: Vec::new(),
                    }
                }
                "indent" => {
                    let Some(n) = args.get(i) else {
                        return die("--indent takes one parameter");
                    };
                    i += 1;
                    match n.parse::<i64>() {
                        Ok(n) if n > 7 => return die("Cannot indent more than 7 characters"),
                        Ok(n) if n < 0 => return die("Cannot indent less than 0 characters"),
                        Ok(n) => o.indent = n as usize,
                        Err(_) => return die("--indent takes a number"),
                    }
                }
                "arg" | "argjson" | "slurpfile" | "rawfile" => {
                    let (Some(name), Some(value)) = (args.get(i), args.get(i + 1)) else {
                        let what = if long == "arg" || long == "argjson" {
                            "varname value"
                        } else {
                            "varname filename"
                        };
                        let eg = if long == "arg" || long == "argjson" {
                            format!("--{long} varname value")
                        } else {
                            format!("--{long} varname filename")
                        };
                        let _ = what;
                        return die(&format!("--{long} takes two parameters (e.g. {eg})"));
                    };
                    i += 2;
                    let v = match long {
                        "arg" => Val::from(value.clone()),
                        "argjson" => match parse_one(value) {
                            Some(v) => v,
                            None => return die("Invalid JSON text passed to --argjson"),
                        },
                        _ => match (env.read)(value) {
                            Ok(text) if long == "rawfile" => Val::from(text),
                            Ok(text) => match parse_all(&text) {
                                Ok(vs) => vs.into_iter().map(|(v, _)| v).collect(),
                                Err(e) => {
                                    return die(&format!(
                                        "Bad JSON in --{long} {name} {value}: {}",
                                        e.text
                                    ))
                                }
                            },
                            Err(e) => {
                                return die(&format!(
                                "Bad JSON in --{long} {name} {value}: Could not open {value}: {e}"
                            ))
                            }
                        },
                    };
                    o.named.push((name.clone(), v));
                }
                _ => return die(&format!("Unknown option: {a}")),
            }
            continue;
        }
        // Short options, possibly combined (`-rc`).
        for c in a[1..].chars() {
            match c {
                'r' => o.raw = true,
                'j' => {
                    o.raw = true;
                    o.join = true
                }
                'c' => o.compact = true,
                'e' => o.exit_status = true,
                'n' => o.null_input = true,
                's' => o.slurp = true,
                'R' => o.raw_input = true,
                'a' => o.ascii = true,
                'S' => o.sort_keys = true,
                'C' | 'M' => {}
                'h' => {
                    return JqRun {
                        out: USAGE.to_string(),
                        err: String::new(),
                        status: 0,
                        err_at: Vec::new(),
                    }
                }
                'V' => {
                    return JqRun {
                        out: "jq-1.7.1\n".into(),
                        err: String::new(),
                        status: 0,
                        err_at: Vec::new(),
                    }
                }
                _ => return die(&format!("Unknown option: {a}")),
            }
        }
    }
    // No filter, or an empty one, is `.` (jq 1.7).
    let filter = filter
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| ".".to_string());

    // The input text: stdin, or the files in order.
    let mut err = String::new();
    let (text, source) = if files.is_empty() {
        (stdin.to_string(), "<stdin>".to_string())
    } else {
        let mut t = String::new();
        let mut failed = false;
        for f in &files {
            match (env.read)(f) {
                Ok(s) => t.push_str(&s),
                Err(e) => {
                    err.push_str(&format!("jq: error: Could not open {f}: {e}\n"));
                    failed = true;
                }
            }
        }
        if failed && t.is_empty() {
            return JqRun {
                out: String::new(),
                err,
                status: 2,
                err_at: Vec::new(),
            };
        }
        (t, files.last().cloned().unwrap_or_default())
    };

    // Global variables: `--arg`s, `$ENV`, `$__prog_args`-free `$ARGS`, `$__loc__` is jaq's.
    let env_obj: Val = obj(env
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), Val::from(v.clone()))));
    let named = obj(o.named.iter().map(|(k, v)| (k.clone(), v.clone())));
    let args_obj = obj([
        (
            "positional".to_string(),
            o.positional.iter().cloned().collect(),
        ),
        ("named".to_string(), named),
    ]);
    let mut var_names: Vec<String> = vec!["$ENV".into(), "$ARGS".into()];
    let mut var_values: Vec<Val> = vec![env_obj, args_obj];
    for (k, v) in &o.named {
        var_names.push(format!("${k}"));
        var_values.push(v.clone());
    }

    NOW.with(|n| n.set(env.now));
    ENV.with(|e| *e.borrow_mut() = var_values[0].clone());
    STDERR.with(|s| s.borrow_mut().clear());

    let compiled = guard(|| compile_and_run(&filter, &var_names, &var_values, &text, &source, &o));
    let mut r = match compiled {
        Some(r) => r,
        None => JqRun {
            out: String::new(),
            err: "jq: error: the filter could not be evaluated (internal error)\n".into(),
            status: 5,
            err_at: Vec::new(),
        },
    };
    let debug = STDERR.with(|s| std::mem::take(&mut *s.borrow_mut()));
    err.push_str(&debug);
    err.push_str(&r.err);
    r.err = err;
    r
}

/// Runs `f`, turning a panic inside jaq into `None` where the platform can unwind.
#[cfg(not(target_arch = "wasm32"))]
fn guard<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

#[cfg(target_arch = "wasm32")]
fn guard<T>(f: impl FnOnce() -> T) -> Option<T> {
    Some(f())
}

fn obj(kvs: impl IntoIterator<Item = (String, Val)>) -> Val {
    Val::obj(kvs.into_iter().map(|(k, v)| (Rc::new(k), v)).collect())
}

/// Natives jaq takes from the host, replaced (see the module docs).
fn natives() -> impl Iterator<Item = jaq_std::Filter<Native<Val>>> {
    use jaq_core::box_iter::box_once;
    use jaq_core::{Error, Exn};
    const REPLACED: &[&str] = &[
        "now",
        "env",
        "halt",
        "halt_error",
        "localtime",
        "strflocaltime",
        "debug",
        "stderr",
        "input_filename",
    ];
    let ours: [jaq_std::Filter<jaq_core::RunPtr<Val>>; 7] = [
        ("now", jaq_std::v(0), |_, _| {
            box_once(Ok(Val::Float(NOW.with(Cell::get))))
        }),
        ("halt", jaq_std::v(0), |_, _| {
            let marker = obj([(HALT_KEY.to_string(), Val::Int(0))]);
            box_once(Err(Exn::from(Error::new(marker))))
        }),
        ("halt_error", jaq_std::v(1), |_, mut cv| {
            let code = cv.0.pop_var();
            let marker = obj([(HALT_KEY.to_string(), code), ("message".to_string(), cv.1)]);
            box_once(Err(Exn::from(Error::new(marker))))
        }),
        ("env", jaq_std::v(0), |_, _| {
            box_once(Ok(ENV.with(|e| e.borrow().clone())))
        }),
        ("debug", jaq_std::v(0), |_, cv| {
            let line = format!("[\"DEBUG:\",{}]\n", dump(&cv.1, &compact_style()));
            STDERR.with(|s| s.borrow_mut().push_str(&line));
            box_once(Ok(cv.1))
        }),
        ("stderr", jaq_std::v(0), |_, cv| {
            let text = dump(&cv.1, &compact_style());
            STDERR.with(|s| s.borrow_mut().push_str(&text));
            box_once(Ok(cv.1))
        }),
        ("input_filename", jaq_std::v(0), |_, _| {
            box_once(Ok(Val::Null))
        }),
    ];
    jaq_std::base_funs::<Val>()
        .chain(crate::jq_val::funs())
        .chain(crate::jq_regex::funs())
        .filter(|(name, _, _)| !REPLACED.contains(name) && !crate::jq_more::REPLACED.contains(name))
        .chain(crate::jq_more::funs())
        .chain(ours.into_iter().map(jaq_std::run))
}

/// Definitions that stand in for natives (machines run in UTC).
/// `todate` as jq's: whole seconds, whatever the fraction.
const OUR_DEFS: &str = "def localtime: gmtime; def strflocaltime(f): strftime(f); \
    def todateiso8601: strftime(\"%Y-%m-%dT%H:%M:%SZ\"); def todate: todateiso8601;";

/// Compiles `filter` and runs it over the inputs in `text`.
fn compile_and_run(
    filter: &str,
    var_names: &[String],
    var_values: &[Val],
    text: &str,
    source: &str,
    o: &Opts,
) -> JqRun {
    let ours = jaq_core::load::parse(OUR_DEFS, |p| p.defs()).unwrap_or_default();
    let defs = crate::jq_more::std_defs()
        .chain(crate::jq_val::defs())
        .chain(crate::jq_more::defs())
        .chain(ours);
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let program = File {
        code: filter,
        path: (),
    };
    let modules = match loader.load(&arena, program) {
        Ok(m) => m,
        Err(errs) => return syntax_errors(filter, errs),
    };
    let compiled = Compiler::default()
        .with_funs(natives())
        .with_global_vars(var_names.iter().map(String::as_str))
        .compile(modules);
    let program = match compiled {
        Ok(f) => f,
        Err(errs) => return undefined_errors(filter, errs),
    };

    // The inputs, each with the line jq's reader would be at once it has read it.
    let (values, parse_error): (Vec<(Val, usize)>, Option<InputError>) = if o.raw_input {
        if o.slurp {
            (
                vec![(Val::from(text.to_string()), text.matches('\n').count())],
                None,
            )
        } else {
            let lines = text
                .split_inclusive('\n')
                .enumerate()
                .map(|(i, l)| {
                    (
                        Val::from(l.strip_suffix('\n').unwrap_or(l).to_string()),
                        i + 1,
                    )
                })
                .collect();
            (lines, None)
        }
    } else {
        match parse_all(text) {
            Ok(v) => (v, None),
            Err(e) => (std::mem::take(&mut { e.values.clone() }), Some(e)),
        }
    };
    let (values, parse_error) = if o.slurp && !o.raw_input {
        if let Some(e) = parse_error {
            (Vec::new(), Some(e))
        } else {
            let line = values.last().map_or(0, |(_, l)| *l);
            let arr: Val = values.into_iter().map(|(v, _)| v).collect();
            (vec![(arr, line)], None)
        }
    } else {
        (values, parse_error)
    };

    let line = Rc::new(Cell::new(0usize));
    let line_in = line.clone();
    let iter = values.into_iter().map(move |(v, l)| {
        line_in.set(l);
        Ok::<Val, String>(v)
    });
    let inputs: RcIter<Box<dyn Iterator<Item = Result<Val, String>>>> = RcIter::new(Box::new(iter));

    let style = Style {
        indent: if o.tab {
            Indent::Tab
        } else if o.compact || o.indent == 0 {
            Indent::None
        } else {
            Indent::Spaces(o.indent)
        },
        sort_keys: o.sort_keys,
        ascii: o.ascii,
    };
    let mut out = String::new();
    let mut err = String::new();
    let mut failed = false;
    let mut last: Option<Val> = None;
    let where_ = |l: &Rc<Cell<usize>>, null_input: bool| {
        if null_input && l.get() == 0 {
            "<unknown>".to_string()
        } else {
            format!("{source}:{}", l.get())
        }
    };
    let mut err_at: Vec<(usize, String)> = Vec::new();
    let mut run_one = |input: Val, out: &mut String, err: &mut String| -> Option<i32> {
        let ctx = Ctx::new(var_values.iter().cloned(), &inputs);
        for r in program.run((ctx, input)) {
            match r {
                Ok(v) => {
                    if o.seq {
                        out.push('\x1e');
                    }
                    match (&v, o.raw) {
                        (Val::Str(s), true) => out.push_str(s),
                        _ => out.push_str(&dump(&v, &style)),
                    }
                    if o.raw_output0 {
                        out.push('\0');
                    } else if !o.join {
                        out.push('\n');
                    }
                    last = Some(v);
                    if out.len() > MAX_OUTPUT {
                        err.push_str("jq: error: output limit reached, stopping\n");
                        return Some(5);
                    }
                }
                Err(e) => {
                    let v = e.into_val();
                    if let Some(code) = halt_code(&v) {
                        if let Val::Obj(m) = &v {
                            match m.get(&Rc::new("message".to_string())) {
                                Some(Val::Str(s)) => err.push_str(s),
                                Some(other) => {
                                    err.push_str(&dump(other, &compact_style()));
                                    err.push('\n');
                                }
                                None => {}
                            }
                        }
                        return Some(code);
                    }
                    let text = runtime_error(&v, &where_(&line, o.null_input));
                    err_at.push((out.len(), text.clone()));
                    err.push_str(&text);
                    failed = true;
                    // An error ends the filter for this input, as in jq.
                    break;
                }
            }
        }
        None
    };
    if o.null_input {
        if let Some(code) = run_one(Val::Null, &mut out, &mut err) {
            return JqRun {
                out,
                err,
                status: code,
                err_at,
            };
        }
    } else {
        for input in &inputs {
            let Ok(input) = input else { continue };
            if let Some(code) = run_one(input, &mut out, &mut err) {
                return JqRun {
                    out,
                    err,
                    status: code,
                    err_at,
                };
            }
        }
    }
    if let Some(e) = parse_error {
        err.push_str(&format!("jq: parse error: {}\n", e.text));
        return JqRun {
            out,
            err,
            status: 2,
            err_at,
        };
    }
    let status = if failed {
        5
    } else if o.exit_status {
        match last {
            None => 4,
            Some(Val::Null) | Some(Val::Bool(false)) => 1,
            Some(_) => 0,
        }
    } else {
        0
    };
    JqRun {
        out,
        err,
        status,
        err_at,
    }
}

/// The exit code a `halt`/`halt_error` marker carries.
fn halt_code(v: &Val) -> Option<i32> {
    let Val::Obj(m) = v else { return None };
    match m.get(&Rc::new(HALT_KEY.to_string()))? {
        Val::Int(i) => Some((*i).clamp(0, 255) as i32),
        _ => Some(5),
    }
}

/// `jq: error (at <stdin>:N): …` in jq's words, from jaq's error value.
fn runtime_error(v: &Val, at: &str) -> String {
    let text = match v {
        Val::Str(s) => s.to_string(),
        other => {
            return format!(
                "jq: error (at {at}) (not a string): {}\n",
                dump(other, &compact_style())
            )
        }
    };
    format!("jq: error (at {at}): {}\n", jq_words(&text))
}

/// Rewrites jaq's messages (`cannot index [1] with "a"`) as jq's (`Cannot index array with "a"`).
fn jq_words(msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("cannot index ") {
        if let Some((l, rest)) = json_prefix(rest) {
            if let Some(r) = rest.strip_prefix(" with ").and_then(parse_one) {
                return match r {
                    Val::Str(s) => format!("Cannot index {} with \"{}\"", kind(&l), s),
                    other => format!("Cannot index {} with {}", kind(&l), kind(&other)),
                };
            }
        }
    }
    if let Some(rest) = msg.strip_prefix("cannot use ") {
        if let Some((v, rest)) = json_prefix(rest) {
            if rest == " as iterable (array or object)" {
                return match v {
                    Val::Null => "Cannot iterate over null".to_string(),
                    other => format!("Cannot iterate over {}", kind_value(&other)),
                };
            }
            if let Some(t) = rest.strip_prefix(" as ") {
                return format!("{} cannot be used as {t}", kind_value(&v));
            }
        }
    }
    if let Some(rest) = msg.strip_prefix("cannot calculate ") {
        if let Some((l, rest)) = json_prefix(rest) {
            let ops = [
                (" + ", "added"),
                (" - ", "subtracted"),
                (" * ", "multiplied"),
                (" / ", "divided"),
                (" % ", "divided"),
            ];
            for (op, word) in ops {
                if let Some(r) = rest.strip_prefix(op).and_then(parse_one) {
                    return format!("{} and {} cannot be {word}", kind_value(&l), kind_value(&r));
                }
            }
        }
    }
    if let Some(v) = msg.strip_suffix(" has no length").and_then(parse_one) {
        return format!("{} has no length", kind_value(&v));
    }
    msg.to_string()
}

/// Parses the longest JSON value at the start of `s`, returning it and the rest.
fn json_prefix(s: &str) -> Option<(Val, &str)> {
    let mut it = serde_json::Deserializer::from_str(s).into_iter::<serde_json::Value>();
    let v = it.next()?.ok()?;
    let rest = s.get(it.byte_offset()..)?;
    Some((from_json(v), rest))
}

/// jq's type names.
pub(crate) fn kind(v: &Val) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "boolean",
        Val::Int(_) | Val::Float(_) | Val::Num(_) => "number",
        Val::Str(_) => "string",
        Val::Arr(_) => "array",
        Val::Obj(_) => "object",
    }
}

/// `number (1)`, `string ("abcdefghij...)`: jq's type and a value cut to 11 characters.
pub(crate) fn kind_value(v: &Val) -> String {
    let text = dump(v, &compact_style());
    let chars: Vec<char> = text.chars().collect();
    let shown = if chars.len() > 14 {
        let mut s: String = chars[..11].iter().collect();
        s.push_str("...");
        s
    } else {
        text
    };
    format!("{} ({shown})", kind(v))
}

/// An input that is not JSON: what jq says, and the values read before it.
#[derive(Clone)]
struct InputError {
    text: String,
    values: Vec<(Val, usize)>,
}

/// One JSON value in jq's words for `fromjson` (`Err`: jq's parser message).
pub(crate) fn parse_json_value(s: &str) -> Result<Val, String> {
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(v) => Ok(from_json(v)),
        Err(e) => {
            let (msg, line, col) = input_error_text(s, &e);
            Err(format!("{msg} at line {line}, column {col}"))
        }
    }
}

/// One JSON value (for `--argjson`, `--jsonargs`).
fn parse_one(s: &str) -> Option<Val> {
    let v: serde_json::Value = serde_json::from_str(s).ok()?;
    Some(from_json(v))
}

/// Every JSON value in `text`, each with the line jq's reader is on after it.
fn parse_all(text: &str) -> Result<Vec<(Val, usize)>, InputError> {
    let mut values = Vec::new();
    let mut it = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    loop {
        match it.next() {
            None => return Ok(values),
            Some(Ok(v)) => {
                let end = it.byte_offset();
                values.push((from_json(v), reader_line(text, end)));
            }
            Some(Err(e)) => {
                let (msg, line, col) = input_error_text(text, &e);
                return Err(InputError {
                    text: format!("{msg} at line {line}, column {col}"),
                    values,
                });
            }
        }
    }
}

/// jq reads its input a line at a time: after a value ending at `end`, the line number is
/// that of the line holding `end`, counted once its newline has been read.
fn reader_line(text: &str, end: usize) -> usize {
    let before = text.get(..end).unwrap_or(text).matches('\n').count();
    let rest_has_newline = text.get(end..).is_some_and(|r| r.contains('\n'));
    before + usize::from(rest_has_newline)
}

/// jq's parser message for bad input, with its line and column.
fn input_error_text(text: &str, e: &serde_json::Error) -> (String, usize, usize) {
    use serde_json::error::Category;
    // The byte offset of serde's error position.
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == e.line() {
            offset += l
                .char_indices()
                .nth(e.column().saturating_sub(1))
                .map_or(l.len(), |(b, _)| b);
            break;
        }
        offset += l.len();
    }
    let position = |upto: usize| {
        let done = text.get(..upto).unwrap_or(text);
        let line = done.matches('\n').count() + 1;
        let col = done.rsplit('\n').next().map_or(0, |l| l.chars().count());
        (line, col)
    };
    if e.classify() == Category::Eof {
        let (l, c) = position(text.len());
        return ("Unfinished JSON term at EOF".into(), l, c);
    }
    let msg = e.to_string();
    let rest = text.get(offset..).unwrap_or("");
    let starts_word = rest
        .chars()
        .next()
        .is_some_and(|c| !"{}[],:\"".contains(c) && !c.is_whitespace());
    if msg.starts_with("expected value") || msg.starts_with("invalid number") || starts_word {
        // jq reads the bare word up to and including the character that ends it.
        let word_len = rest
            .find(|c: char| c.is_whitespace() || "{}[],:\"".contains(c))
            .unwrap_or(rest.len());
        let end = offset + word_len;
        if end >= text.len() {
            let (l, c) = position(text.len());
            return ("Unfinished JSON term at EOF".into(), l, c);
        }
        let next = text[end..].chars().next().map_or(0, char::len_utf8);
        let (l, c) = position(end + next);
        return ("Invalid numeric literal".into(), l, c);
    }
    let (l, c) = position(offset + rest.chars().next().map_or(0, char::len_utf8));
    let what = if msg.starts_with("expected `:`") {
        "Objects must consist of key:value pairs"
    } else if msg.starts_with("key must be a string") {
        "Object keys must be strings"
    } else if msg.starts_with("trailing comma") {
        "Expected another array element"
    } else if msg.starts_with("recursion limit") {
        "Exceeds depth limit for parsing"
    } else {
        "Expected separator between values"
    };
    (what.into(), l, c)
}

/// serde_json's value as jaq's, keeping key order.
fn from_json(v: serde_json::Value) -> Val {
    use serde_json::Value as J;
    match v {
        J::Null => Val::Null,
        J::Bool(b) => Val::Bool(b),
        J::Number(n) => match n.as_i64() {
            // Small integers only: jaq's integer arithmetic must not overflow `isize`
            // (32 bits in the browser); larger ones compute as floats, as jq's do.
            Some(i) if i.unsigned_abs() < (1 << 30) => Val::Int(i as isize),
            _ => match n.as_f64() {
                Some(f) if n.is_f64() => Val::Float(f),
                _ => Val::Num(Rc::new(n.to_string())),
            },
        },
        J::String(s) => Val::from(s),
        J::Array(a) => a.into_iter().map(from_json).collect(),
        J::Object(m) => obj(m.into_iter().map(|(k, v)| (k, from_json(v)))),
    }
}

/// How values are printed.
pub(crate) struct Style {
    indent: Indent,
    sort_keys: bool,
    ascii: bool,
}

enum Indent {
    None,
    Spaces(usize),
    Tab,
}

pub(crate) fn compact_style() -> Style {
    Style {
        indent: Indent::None,
        sort_keys: false,
        ascii: false,
    }
}

/// A value as jq prints it.
pub(crate) fn dump(v: &Val, style: &Style) -> String {
    let mut out = String::new();
    dump_into(&mut out, v, style, 0);
    out
}

fn newline(out: &mut String, style: &Style, level: usize) {
    match style.indent {
        Indent::None => {}
        Indent::Spaces(n) => {
            out.push('\n');
            out.push_str(&" ".repeat(n * level));
        }
        Indent::Tab => {
            out.push('\n');
            out.push_str(&"\t".repeat(level));
        }
    }
}

fn dump_into(out: &mut String, v: &Val, style: &Style, level: usize) {
    match v {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::Float(f) => out.push_str(&fmt_float(*f)),
        Val::Num(n) => match n.parse::<f64>() {
            Ok(f) if !f.is_finite() => out.push_str(&fmt_float(f)),
            _ => out.push_str(n),
        },
        Val::Str(s) => dump_str(out, s, style.ascii),
        Val::Arr(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, level + 1);
                dump_into(out, x, style, level + 1);
            }
            newline(out, style, level);
            out.push(']');
        }
        Val::Obj(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut entries: Vec<(&Rc<String>, &Val)> = m.iter().collect();
            if style.sort_keys {
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push('{');
            for (i, (k, x)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, level + 1);
                dump_str(out, k, style.ascii);
                out.push(':');
                if !matches!(style.indent, Indent::None) {
                    out.push(' ');
                }
                dump_into(out, x, style, level + 1);
            }
            newline(out, style, level);
            out.push('}');
        }
    }
}

fn dump_str(out: &mut String, s: &str, ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if ascii && !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// jq's number format: the shortest digits that read back, in exponent form when the decimal
/// point is far away (`1e-05`, `1e+17`); NaN is `null`, infinities the largest doubles.
pub(crate) fn fmt_float(f: f64) -> String {
    if f.is_nan() {
        return "null".into();
    }
    let f = if f.is_infinite() {
        f64::MAX.copysign(f)
    } else {
        f
    };
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let e = format!("{:e}", f.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let n = digits.len() as i32;
    let decpt = exp + 1;
    let sign = if f < 0.0 { "-" } else { "" };
    if decpt <= -4 || decpt > n + 15 {
        let mut m = digits[..1].to_string();
        if n > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let es = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{es}{:02}", exp.abs())
    } else if decpt <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        format!("{sign}{digits}{}", "0".repeat((decpt - n) as usize))
    } else {
        let (a, b) = digits.split_at(decpt as usize);
        format!("{sign}{a}.{b}")
    }
}

/// `jq: error: syntax error, …` for a filter that does not parse.
fn syntax_errors<P>(filter: &str, errs: jaq_core::load::Errors<&str, P>) -> JqRun {
    use jaq_core::load::Error as E;
    let mut err = String::new();
    let mut count = 0;
    for (_, e) in errs {
        let found: Vec<(String, &str)> = match e {
            E::Io(v) => v
                .into_iter()
                .map(|(_, m)| (format!("error: {m}"), ""))
                .collect(),
            E::Lex(v) => v
                .into_iter()
                .map(|(expect, at)| {
                    let what = match expect {
                        jaq_core::load::lex::Expect::Delim(_) => "end of file".to_string(),
                        _ => "INVALID_CHARACTER".to_string(),
                    };
                    (what, at)
                })
                .collect(),
            E::Parse(v) => v.into_iter().map(|(_, at)| (token_name(at), at)).collect(),
        };
        for (what, at) in found {
            count += 1;
            let offset = offset_in(filter, at);
            let line = filter[..offset].matches('\n').count() + 1;
            if let Some(m) = what.strip_prefix("error: ") {
                err.push_str(&format!("jq: error: {m}\n"));
            } else {
                err.push_str(&format!(
                    "jq: error: syntax error, unexpected {what} (Unix shell quoting issues?) at <top-level>, line {line}:\n{filter}\n"
                ));
            }
        }
    }
    let count = count.max(1);
    let plural = if count == 1 { "" } else { "s" };
    err.push_str(&format!("jq: {count} compile error{plural}\n"));
    JqRun {
        out: String::new(),
        err,
        status: 3,
        err_at: Vec::new(),
    }
}

/// Where `part` (a slice of `whole`, or not) starts in `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    let (w, p) = (whole.as_ptr() as usize, part.as_ptr() as usize);
    if p >= w && p <= w + whole.len() {
        p - w
    } else {
        whole.len()
    }
}

/// bison's name for the token jq's parser choked on.
fn token_name(at: &str) -> String {
    let t = at.trim_start();
    let Some(c) = t.chars().next() else {
        return "end of file".into();
    };
    const KEYWORDS: &[&str] = &[
        "def", "if", "then", "elif", "else", "end", "as", "reduce", "foreach", "try", "catch",
        "label", "import", "include", "and", "or", "not", "__loc__",
    ];
    if c.is_ascii_alphabetic() || c == '_' {
        let word: String = t
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if KEYWORDS.contains(&word.as_str()) {
            return word;
        }
        return "IDENT".into();
    }
    if c == '.' && t[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return "FIELD".into();
    }
    if c.is_ascii_digit() {
        return "LITERAL".into();
    }
    if c == '"' {
        return "QQSTRING_START".into();
    }
    if c == '$' {
        return "'$'".into();
    }
    for two in [
        "|=", "+=", "-=", "*=", "/=", "%=", "//=", "==", "!=", "<=", ">=", "//", "?//", "..",
    ] {
        if t.starts_with(two) {
            return format!("\"{two}\"");
        }
    }
    format!("'{c}'")
}

/// `jq: error: foo/0 is not defined …` for names the filter uses but nobody defines.
fn undefined_errors<P>(filter: &str, errs: jaq_core::compile::Errors<&str, P>) -> JqRun {
    use jaq_core::compile::Undefined;
    let mut err = String::new();
    let mut count = 0;
    for (_, list) in errs {
        for (name, what) in list {
            count += 1;
            let offset = offset_in(filter, name);
            let line = filter[..offset.min(filter.len())].matches('\n').count() + 1;
            let shown = match what {
                Undefined::Filter(arity) => format!("{name}/{arity}"),
                Undefined::Label => format!("$*label-{name}"),
                _ => name.to_string(),
            };
            err.push_str(&format!(
                "jq: error: {shown} is not defined at <top-level>, line {line}:\n{filter}\n"
            ));
        }
    }
    let count = count.max(1);
    let plural = if count == 1 { "" } else { "s" };
    err.push_str(&format!("jq: {count} compile error{plural}\n"));
    JqRun {
        out: String::new(),
        err,
        status: 3,
        err_at: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jq(args: &[&str], stdin: &str) -> JqRun {
        let read =
            |p: &str| -> Result<String, String> { Err(format!("No such file or directory ({p})")) };
        let env = JqEnv {
            now: 1_795_424_405.25,
            vars: vec![("HOME".into(), "/root".into())],
            read: &read,
        };
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run(&args, stdin, &env)
    }

    #[test]
    fn pretty_and_compact() {
        let input = "[{\"b\": 1, \"a\": [1, 2, {}], \"c\": \"x\\ny\", \"d\": []}]\n";
        let r = jq(&[".[0]"], input);
        assert_eq!(
            r.out,
            "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2,\n    {}\n  ],\n  \"c\": \"x\\ny\",\n  \"d\": []\n}\n"
        );
        assert_eq!(r.status, 0);
        let r = jq(&["-c", ".[0]"], input);
        assert_eq!(r.out, "{\"b\":1,\"a\":[1,2,{}],\"c\":\"x\\ny\",\"d\":[]}\n");
        let r = jq(&["-r", ".[0].c"], input);
        assert_eq!(r.out, "x\ny\n");
        let r = jq(&["-S", "-c", ".[0]"], input);
        assert_eq!(r.out, "{\"a\":[1,2,{}],\"b\":1,\"c\":\"x\\ny\",\"d\":[]}\n");
    }

    #[test]
    fn numbers() {
        assert_eq!(fmt_float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(fmt_float(1e17), "1e+17");
        assert_eq!(fmt_float(1e15), "1000000000000000");
        assert_eq!(fmt_float(-2.5), "-2.5");
        assert_eq!(fmt_float(1e-5), "1e-05");
        assert_eq!(fmt_float(0.0001), "0.0001");
        assert_eq!(fmt_float(1.5e300), "1.5e+300");
        assert_eq!(fmt_float(f64::INFINITY), "1.7976931348623157e+308");
        assert_eq!(jq(&["-n", "1/3"], "").out, "0.3333333333333333\n");
        assert_eq!(jq(&["-n", "[1,2,3] | add / 2"], "").out, "3\n");
    }

    #[test]
    fn options() {
        assert_eq!(jq(&["-n", "--arg", "x", "1", "$x"], "").out, "\"1\"\n");
        assert_eq!(
            jq(
                &[
                    "-n",
                    "--arg",
                    "a",
                    "1",
                    "--argjson",
                    "b",
                    "{\"c\":2}",
                    "[$a, $b.c]",
                    "-c"
                ],
                ""
            )
            .out,
            "[\"1\",2]\n"
        );
        assert_eq!(jq(&["-s", "-c", "."], "1 2\n3").out, "[1,2,3]\n");
        assert_eq!(jq(&["-e", ".a"], "{}").status, 1);
        assert_eq!(jq(&["-e", "empty"], "{}").status, 4);
        assert_eq!(jq(&["-e", ".a"], "{\"a\":1}").status, 0);
        assert_eq!(jq(&["-rn", "\"a\",\"b\""], "").out, "a\nb\n");
        assert_eq!(jq(&["-j", "-n", "\"a\",1"], "").out, "a1");
        assert_eq!(jq(&["-R", "."], "x\ny\n").out, "\"x\"\n\"y\"\n");
        assert_eq!(jq(&["-n", "$ENV.HOME"], "").out, "\"/root\"\n");
        assert_eq!(jq(&["-n", "now"], "").out, "1795424405.25\n");
        assert_eq!(
            jq(&["-n", "-r", "now | todate"], "").out,
            "2026-11-23T09:00:05Z\n"
        );
        assert_eq!(jq(&["-n", "[inputs]", "-c"], "1 2").out, "[1,2]\n");
        assert_eq!(jq(&["."], "").out, "");
        assert_eq!(jq(&[""], "1").out, "1\n");
    }

    #[test]
    fn errors_in_jqs_words() {
        let r = jq(&[".a"], "[1]\n");
        assert_eq!(
            r.err,
            "jq: error (at <stdin>:1): Cannot index array with \"a\"\n"
        );
        assert_eq!(r.status, 5);
        let r = jq(&[".[]"], "null\n");
        assert_eq!(
            r.err,
            "jq: error (at <stdin>:1): Cannot iterate over null\n"
        );
        let r = jq(&["-n", "{} + 1"], "");
        assert_eq!(
            r.err,
            "jq: error (at <unknown>): object ({}) and number (1) cannot be added\n"
        );
        let r = jq(&[".a.b"], "{\"a\": 1}");
        assert_eq!(
            r.err,
            "jq: error (at <stdin>:0): Cannot index number with \"b\"\n"
        );
        let r = jq(&[".[]"], "\"abcdefghijklmnop\"\n");
        assert_eq!(
            r.err,
            "jq: error (at <stdin>:1): Cannot iterate over string (\"abcdefghij...)\n"
        );
        let r = jq(&["-n", "1, error(\"x\"), 2"], "");
        assert_eq!((r.out.as_str(), r.status), ("1\n", 5));
        assert_eq!(
            r.err_at,
            vec![(2, "jq: error (at <unknown>): x\n".to_string())]
        );
        let r = jq(&["-n", "error(\"boom\")"], "");
        assert_eq!(r.err, "jq: error (at <unknown>): boom\n");
        let r = jq(&["-n", "error({\"a\":1})"], "");
        assert_eq!(
            r.err,
            "jq: error (at <unknown>) (not a string): {\"a\":1}\n"
        );
        let r = jq(&[".[0"], "");
        assert_eq!(r.status, 3);
        assert!(
            r.err
                .starts_with("jq: error: syntax error, unexpected end of file"),
            "{}",
            r.err
        );
        assert!(r.err.ends_with("jq: 1 compile error\n"), "{}", r.err);
        let r = jq(&["foo"], "");
        assert_eq!(
            r.err,
            "jq: error: foo/0 is not defined at <top-level>, line 1:\nfoo\njq: 1 compile error\n"
        );
        let r = jq(&["--bogus"], "");
        assert_eq!(r.status, 2);
        assert!(r
            .err
            .starts_with("jq: Unknown option: --bogus\nUse jq --help"));
        let r = jq(&["."], "{\"a\":1}\nhello\n");
        assert_eq!(r.out, "{\n  \"a\": 1\n}\n");
        assert_eq!(
            r.err,
            "jq: parse error: Invalid numeric literal at line 3, column 0\n"
        );
        assert_eq!(r.status, 2);
        let r = jq(&["--arg", "x"], "");
        assert_eq!(r.status, 2);
    }

    #[test]
    fn halts_and_debug() {
        let r = jq(&["-n", "\"bye\\n\" | halt_error(1)"], "");
        assert_eq!((r.err.as_str(), r.status), ("bye\n", 1));
        let r = jq(&["-n", "1, halt, 2"], "");
        assert_eq!((r.out.as_str(), r.status), ("1\n", 0));
        let r = jq(&["-n", "-c", "[1] | debug | length"], "");
        assert_eq!(
            (r.out.as_str(), r.err.as_str()),
            ("1\n", "[\"DEBUG:\",[1]]\n")
        );
    }

    #[test]
    fn null_indexes_and_big_integers_as_jq() {
        assert_eq!(jq(&[".a.b.c"], "{}").out, "null\n");
        assert_eq!(
            jq(&["-c", "[.[0], .[1:2], .a]"], "null").out,
            "[null,null,null]\n"
        );
        let r = jq(&[". * . * ."], "1000000000\n");
        assert_eq!((r.out.as_str(), r.status), ("1e+27\n", 0));
        let r = jq(
            &["-c", "[.[0] + .[0], .[0] * 3, -.[1], .[1] % 7]"],
            "[1073741823, -1073741824]",
        );
        assert_eq!(r.out, "[2147483646,3221225469,1073741824,-1]\n");
        assert_eq!(jq(&["-r", "fromjson | .a"], "\"{\\\"a\\\":1}\"").out, "1\n");
        assert_eq!(jq(&["fromjson"], "\"nope\"").status, 5);
    }

    #[test]
    fn bounded() {
        let r = jq(&["-n", "repeat(1)"], "");
        assert_eq!(r.status, 5);
        assert!(r.out.len() <= MAX_OUTPUT + 16);
    }
}
