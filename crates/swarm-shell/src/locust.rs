//! Locust, as the `locustio/locust` image runs it (`docker run -v "$PWD":/mnt/locust
//! locustio/locust -f /mnt/locust/locustfile.py --headless -u 20 -r 5 -t 30s -H URL`): the
//! locustfile's subset students write (HttpUser/FastHttpUser classes, `wait_time`, `host`,
//! `@task(N)` methods calling `self.client.get/post/put/delete`, `on_start`), its requests sent
//! from the container through the cluster by hey's load engine ([`crate::hey::Target`],
//! [`crate::hey::capacity`]), and Locust 2.32's console: the log lines, the stats table every
//! 2 s, the final stats, percentiles and error report (`locust/stats.py` with
//! `STATS_NAME_WIDTH` 80, as without a terminal). Without `--headless` it logs its web
//! interface and keeps running.

use std::collections::BTreeMap;

use crate::exec::{Interp, Io};
use crate::hey::{capacity, unit, Sample, Target, PER_SLICE, PROBE};
use swarm_core::catalog::Stream;
use swarm_core::network::{HttpCall, HttpError};
use swarm_core::{MachineId, SimDuration};

/// The image's Locust.
pub(crate) const VERSION: &str = "2.32.4";

/// One `self.client.METHOD(path, name=…, json=…)`.
#[derive(Clone)]
struct Call {
    method: String,
    path: String,
    name: String,
    body: String,
}

struct Task {
    weight: u32,
    calls: Vec<Call>,
}

enum Wait {
    /// Seconds after each task: `between(a, b)`'s mean, `constant(x)`.
    After(f64),
    /// At most this many tasks a second (`constant_throughput`, `constant_pacing`'s inverse).
    Rate(f64),
}

struct UserClass {
    name: String,
    fast: bool,
    host: Option<String>,
    weight: u32,
    wait: Wait,
    tasks: Vec<Task>,
    on_start: Vec<Call>,
}

/// A Python string literal's text (`"…"`, `'…'`, `f"…"`).
fn literal(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix(['f', 'r', 'b']).unwrap_or(s);
    let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &s[1..];
    rest.find(q).map(|end| rest[..end].to_string())
}

/// The numbers in `between(1, 2.5)`.
fn numbers(s: &str) -> Vec<f64> {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|x| x.parse().ok())
        .collect()
}

/// The value of keyword `key=` in a call's arguments.
fn kwarg<'a>(args: &'a str, key: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = args[from..].find(key) {
        let at = from + i;
        let before = args[..at].chars().last();
        let after = args[at + key.len()..].trim_start();
        if before.is_none_or(|c| c == ' ' || c == ',' || c == '(') && after.starts_with('=') {
            return Some(after[1..].trim_start());
        }
        from = at + key.len();
    }
    None
}

/// The User classes of a locustfile, read as Locust imports the subset students write.
fn parse(src: &str) -> Vec<UserClass> {
    let mut classes: Vec<UserClass> = Vec::new();
    let mut in_class = false;
    let mut weight: Option<u32> = None;
    // Where the calls go: the last task, or on_start.
    let mut into_start = false;
    let mut in_method = false;
    for raw in src.lines() {
        let line = raw.split(" #").next().unwrap_or(raw).trim_end();
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let indent = line.len() - t.len();
        if indent == 0 {
            in_class = false;
            in_method = false;
            if let Some(rest) = t.strip_prefix("class ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let bases = rest.split_once('(').map_or("", |x| x.1);
                if bases.contains("HttpUser") {
                    in_class = true;
                    classes.push(UserClass {
                        name,
                        fast: bases.contains("FastHttpUser"),
                        host: None,
                        weight: 1,
                        wait: Wait::After(0.0),
                        tasks: Vec::new(),
                        on_start: Vec::new(),
                    });
                }
            }
            continue;
        }
        let Some(class) = classes.last_mut().filter(|_| in_class) else {
            continue;
        };
        if let Some(d) = t.strip_prefix("@task") {
            weight = Some(numbers(d).first().map_or(1, |w| *w as u32));
            continue;
        }
        if let Some(def) = t.strip_prefix("def ") {
            in_method = true;
            into_start = def.starts_with("on_start");
            if let Some(w) = weight.take() {
                class.tasks.push(Task {
                    weight: w,
                    calls: Vec::new(),
                });
            } else if !into_start {
                in_method = false;
            }
            continue;
        }
        if let Some((key, value)) = t.split_once('=').filter(|_| !in_method || indent <= 4) {
            let value = value.trim();
            match key.trim() {
                "host" => class.host = literal(value),
                "weight" => class.weight = numbers(value).first().map_or(1, |w| *w as u32),
                "abstract" if value == "True" => class.name.clear(),
                "wait_time" => {
                    let n = numbers(value);
                    let first = n.first().copied().unwrap_or(0.0);
                    class.wait = if value.starts_with("between") {
                        Wait::After((first + n.get(1).copied().unwrap_or(first)) / 2.0)
                    } else if value.starts_with("constant_throughput") {
                        Wait::Rate(first)
                    } else if value.starts_with("constant_pacing") {
                        Wait::Rate(1.0 / first.max(0.001))
                    } else {
                        Wait::After(first)
                    };
                }
                _ => {}
            }
            in_method = false;
            continue;
        }
        if !in_method {
            continue;
        }
        let mut rest = t;
        while let Some(i) = rest.find("self.client.") {
            rest = &rest[i + "self.client.".len()..];
            let Some((method, args)) = rest.split_once('(') else {
                break;
            };
            let method = method.to_uppercase();
            if !matches!(
                method.as_str(),
                "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS"
            ) {
                continue;
            }
            let Some(path) = literal(args) else { continue };
            let name = kwarg(args, "name")
                .and_then(literal)
                .unwrap_or_else(|| path.clone());
            let body = kwarg(args, "json").map_or(String::new(), |j| {
                // The literal up to its closing bracket (or the call's end).
                let mut depth = 0i32;
                let end = j
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += match c {
                            '{' | '[' | '(' => 1,
                            '}' | ']' | ')' => -1,
                            _ => 0,
                        };
                        depth < 0 || (depth == 0 && (c == '}' || c == ']' || c == ','))
                    })
                    .map_or(
                        j.len(),
                        |(i, c)| if c == '}' || c == ']' { i + 1 } else { i },
                    );
                let j = &j[..end];
                j.replace('\'', "\"")
                    .replace("True", "true")
                    .replace("False", "false")
            });
            let call = Call {
                method,
                path,
                name,
                body,
            };
            if into_start {
                class.on_start.push(call);
            } else if let Some(task) = class.tasks.last_mut() {
                task.calls.push(call);
            }
        }
    }
    classes.retain(|c| !c.name.is_empty());
    classes
}

/// Locust's options as its argument parser takes them.
struct Opts {
    file: String,
    host: Option<String>,
    users: u64,
    rate: f64,
    run_time: Option<u64>,
    headless: bool,
    only_summary: bool,
    csv: Option<String>,
    web_port: String,
}

/// Locust's `parse_timespan`: `30`, `30s`, `2m`, `1h30m10s`.
fn timespan(s: &str) -> Option<u64> {
    if let Ok(n) = s.parse::<u64>() {
        return Some(n);
    }
    let mut total = 0;
    let mut num = String::new();
    let mut last = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let (k, order) = match c {
            'h' => (3600, 1),
            'm' => (60, 2),
            's' => (1, 3),
            _ => return None,
        };
        if num.is_empty() || order <= last {
            return None;
        }
        last = order;
        total += num.parse::<u64>().ok()? * k;
        num.clear();
    }
    (num.is_empty() && last > 0).then_some(total)
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        file: "locustfile.py".into(),
        host: None,
        users: 1,
        rate: 1.0,
        run_time: None,
        headless: false,
        only_summary: false,
        csv: None,
        web_port: "8089".into(),
    };
    let mut unknown: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        let (flag, inline) = match a.split_once('=').filter(|_| a.starts_with("--")) {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let (long, short) = match flag {
            "-f" | "--locustfile" => ("locustfile", "-f"),
            "-H" | "--host" => ("host", "-H"),
            "-u" | "--users" => ("users", "-u"),
            "-r" | "--spawn-rate" => ("spawn-rate", "-r"),
            "-t" | "--run-time" => ("run-time", "-t"),
            "-P" | "--web-port" => ("web-port", "-P"),
            "-L" | "--loglevel" => ("loglevel", "-L"),
            "--csv"
            | "--html"
            | "--web-host"
            | "--logfile"
            | "--stop-timeout"
            | "--exit-code-on-error"
            | "--processes"
            | "--expect-workers"
            | "--master-host"
            | "--master-port" => (&flag[2..], ""),
            "--headless" => {
                o.headless = true;
                continue;
            }
            "--only-summary" => {
                o.only_summary = true;
                continue;
            }
            "--autostart" | "--print-stats" | "--csv-full-history" | "--reset-stats"
            | "--skip-log-setup" => continue,
            f if f.starts_with('-') && f.len() > 1 => {
                unknown.push(a);
                continue;
            }
            // User classes to run.
            _ => continue,
        };
        let names = if short.is_empty() {
            format!("--{long}")
        } else {
            format!("{short}/--{long}")
        };
        let Some(v) = inline.or_else(|| {
            i += 1;
            args.get(i - 1).filter(|v| !v.starts_with('-')).cloned()
        }) else {
            return Err(format!("argument {names}: expected one argument"));
        };
        match long {
            "locustfile" => o.file = v,
            "host" => o.host = Some(v),
            "users" => {
                o.users = v
                    .parse()
                    .map_err(|_| format!("argument {names}: invalid int value: '{v}'"))?
            }
            "spawn-rate" => {
                o.rate = v
                    .parse()
                    .map_err(|_| format!("argument {names}: invalid float value: '{v}'"))?
            }
            "run-time" => {
                o.run_time = Some(
                    timespan(&v)
                        .ok_or_else(|| format!("argument {names}: Invalid time span format"))?,
                )
            }
            "web-port" => o.web_port = v,
            "csv" => o.csv = Some(v),
            _ => {}
        }
    }
    if !unknown.is_empty() {
        return Err(format!("unrecognized arguments: {}", unknown.join(" ")));
    }
    Ok(o)
}

/// One stats row (`StatsEntry`): times in ms.
#[derive(Default)]
struct Entry {
    reqs: u64,
    fails: u64,
    total_ms: f64,
    min: Option<f64>,
    max: f64,
    bytes: u64,
    /// Rounded response time → count.
    times: BTreeMap<u64, u64>,
    /// Unix second → requests, failures.
    per_sec: BTreeMap<i64, (u64, u64)>,
}

impl Entry {
    fn log(&mut self, ms: f64, sec: i64, failed: bool, bytes: u64) {
        self.reqs += 1;
        self.total_ms += ms;
        self.min = Some(self.min.map_or(ms, |m| m.min(ms)));
        self.max = self.max.max(ms);
        self.bytes += bytes;
        let key = if ms < 100.0 {
            ms.round_ties_even()
        } else if ms < 1000.0 {
            (ms / 10.0).round_ties_even() * 10.0
        } else if ms < 10_000.0 {
            (ms / 100.0).round_ties_even() * 100.0
        } else {
            (ms / 1000.0).round_ties_even() * 1000.0
        } as u64;
        *self.times.entry(key).or_default() += 1;
        let s = self.per_sec.entry(sec).or_default();
        s.0 += 1;
        if failed {
            self.fails += 1;
            s.1 += 1;
        }
    }

    fn avg(&self) -> f64 {
        if self.reqs == 0 {
            0.0
        } else {
            self.total_ms / self.reqs as f64
        }
    }

    fn median(&self) -> f64 {
        if self.times.is_empty() {
            return 0.0;
        }
        let mut pos = (self.reqs as f64 - 1.0) / 2.0;
        let mut k = 0;
        for (t, n) in &self.times {
            k = *t;
            if pos < *n as f64 {
                break;
            }
            pos -= *n as f64;
        }
        (k as f64).min(self.max).max(self.min.unwrap_or(0.0))
    }

    fn percentile(&self, p: f64) -> u64 {
        let want = (self.reqs as f64 * p) as u64;
        let mut done = 0;
        for (t, n) in self.times.iter().rev() {
            done += n;
            if self.reqs - done <= want {
                return *t;
            }
        }
        0
    }

    /// `current_rps`/`current_fail_per_sec`: the seconds from 12 to 2 before the last request.
    fn current(&self, start: i64, last: i64) -> (f64, f64) {
        let from = (last - 12).max(start);
        let n = (last - 2 - from).max(0);
        let (mut r, mut f) = (0, 0);
        for s in from..last - 2 {
            let e = self.per_sec.get(&s).copied().unwrap_or_default();
            r += e.0;
            f += e.1;
        }
        let d = n.max(1) as f64;
        (r as f64 / d, f as f64 / d)
    }
}

const PERCENTILES: [f64; 11] = [
    0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];
const PERCENTILE_NAMES: [&str; 11] = [
    "50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%",
];

#[derive(Default)]
struct Stats {
    /// By (name, method), as Locust sorts them.
    entries: BTreeMap<(String, String), Entry>,
    total: Entry,
    /// (method, name, error) and occurrences, in order of first occurrence.
    errors: Vec<(String, u64)>,
    /// Unix ms of the start and of the last request.
    start_ms: i64,
    last_ms: i64,
}

impl Stats {
    fn row(&self, method: &str, name: &str, e: &Entry, current: bool) -> String {
        let (rps, fps) = if current {
            e.current(
                self.start_ms.div_euclid(1000),
                self.last_ms.div_euclid(1000),
            )
        } else {
            let secs = (self.last_ms - self.start_ms) as f64 / 1000.0;
            if secs <= 0.0 || self.total.reqs == 0 {
                (0.0, 0.0)
            } else {
                (e.reqs as f64 / secs, e.fails as f64 / secs)
            }
        };
        let ratio = if e.reqs == 0 {
            if e.fails > 0 {
                1.0
            } else {
                0.0
            }
        } else {
            e.fails as f64 / e.reqs as f64
        };
        let fails = format!("{}({:.2}%)", e.fails, ratio * 100.0);
        let ty = if method.is_empty() {
            String::new()
        } else {
            format!("{method} ")
        };
        format!(
            "{ty:<8} {name:<76} {:>7} {fails:>12} |{:>7} {:>7} {:>7}{:>7} | {rps:>7.2} {fps:>11.2}",
            e.reqs,
            e.avg() as u64,
            e.min.unwrap_or(0.0) as u64,
            e.max as u64,
            e.median() as u64,
        )
    }

    /// `get_stats_summary`, then the empty line `print_stats` adds.
    fn table(&self, current: bool) -> Vec<String> {
        let sep = format!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
            "-".repeat(8),
            "-".repeat(76),
            "-".repeat(7),
            "-".repeat(13),
            "-".repeat(7),
            "-".repeat(7),
            "-".repeat(7),
            "-".repeat(7),
            "-".repeat(8),
            "-".repeat(11)
        );
        let mut out = vec![
            format!(
                "{:<8} {:<76} {:>7} {:>12} |{:>7} {:>7} {:>7}{:>7} | {:>7} {:>11}",
                "Type",
                "Name",
                "# reqs",
                "# fails",
                "Avg",
                "Min",
                "Max",
                "Med",
                "req/s",
                "failures/s"
            ),
            sep.clone(),
        ];
        for ((name, method), e) in &self.entries {
            out.push(self.row(method, name, e, current));
        }
        out.push(sep);
        out.push(self.row("", "Aggregated", &self.total, current));
        out.push(String::new());
        out
    }

    fn percentile_row(method: &str, name: &str, e: &Entry) -> String {
        let mut s = format!("{method:<8} {name:<80} {:>8}", e.percentile(PERCENTILES[0]));
        for p in &PERCENTILES[1..] {
            s.push_str(&format!(" {:>6}", e.percentile(*p)));
        }
        s.push_str(&format!(" {:>6}", e.reqs));
        s
    }

    /// `print_percentile_stats` and `print_error_report`.
    fn percentiles_and_errors(&self) -> Vec<String> {
        let mut sep = format!("{}|{}|{}|", "-".repeat(8), "-".repeat(80), "-".repeat(8));
        sep.push_str(&"------|".repeat(11));
        sep.pop();
        let mut head = format!("{:<8} {:<80} {:>8}", "Type", "Name", PERCENTILE_NAMES[0]);
        for p in &PERCENTILE_NAMES[1..] {
            head.push_str(&format!(" {p:>6}"));
        }
        head.push_str(&format!(" {:>6}", "# reqs"));
        let mut out = vec![
            "Response time percentiles (approximated)".to_string(),
            head,
            sep.clone(),
        ];
        for ((name, method), e) in &self.entries {
            out.push(Self::percentile_row(method, name, e));
        }
        out.push(sep);
        if self.total.reqs > 0 {
            out.push(Self::percentile_row("", "Aggregated", &self.total));
        }
        out.push(String::new());
        if !self.errors.is_empty() {
            let sep = format!("{}|{}", "-".repeat(18), "-".repeat(141));
            out.push("Error report".into());
            out.push(format!("{:<18} {:<100}", "# occurrences", "Error"));
            out.push(sep.clone());
            for (e, n) in &self.errors {
                out.push(format!("{n:<18} {e:<100}"));
            }
            out.push(sep);
            out.push(String::new());
        }
        out
    }
}

/// Where the output goes: the terminal's stderr (Locust logs there) and the container's log.
struct Out<'a> {
    interp: &'a Interp,
    m: MachineId,
    id: String,
    host: String,
    io: Option<&'a Io>,
}

impl Out<'_> {
    fn line(&self, text: &str) {
        if let Some(io) = self.io {
            io.err.write(&format!("{text}\n"));
        }
        self.interp.world().borrow_mut().container_log_append(
            self.m,
            &self.id,
            Stream::Stderr,
            text,
        );
    }

    /// Python logging's `[2024-11-02 23:39:09,700] host/INFO/logger: message`.
    fn log(&self, level: &str, logger: &str, msg: &str) {
        let ms = self.interp.world().borrow().now().unix_ms();
        self.line(&format!(
            "[{}] {}/{level}/locust.{logger}: {msg}",
            swarm_core::apps::py_time(ms),
            self.host
        ));
    }
}

/// The argv of a Locust container (`locust …`), if this is one.
fn locust_argv(interp: &Interp, m: MachineId, id: &str) -> Option<(Vec<String>, String)> {
    let world = interp.world();
    let w = world.borrow();
    let c = w.container(m, id)?;
    let argv = c.program.argv();
    let first = argv.first()?;
    if first.rsplit('/').next() != Some("locust") {
        return None;
    }
    let host = if c.config.hostname.is_empty() {
        c.id.chars().take(12).collect()
    } else {
        c.config.hostname.clone()
    };
    Some((argv[1..].to_vec(), host))
}

/// Runs a Locust container just started: `None` when it is not one, or when it goes on as a
/// server (the web interface, or a detached start); else its exit status, the container
/// ended.
pub(crate) async fn start(
    interp: &Interp,
    m: MachineId,
    id: &str,
    detach: bool,
    io: &Io,
) -> Option<i32> {
    let (args, host) = locust_argv(interp, m, id)?;
    let out = Out {
        interp,
        m,
        id: id.to_string(),
        host,
        io: (!detach).then_some(io),
    };
    let end = |code: i32| {
        interp
            .world()
            .borrow_mut()
            .container_main_exited(m, id, code);
        Some(code)
    };
    if args.iter().any(|a| a == "-V" || a == "--version") {
        out.line(&format!(
            "locust {VERSION} from /opt/venv/lib/python3.12/site-packages/locust (Python 3.12.8)"
        ));
        return end(0);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        out.line("locust --help: not emulated by Swarm Playground yet");
        return end(1);
    }
    let o = match parse_opts(&args) {
        Ok(o) => o,
        Err(e) => {
            out.line(&format!("locust: error: {e}"));
            return end(2);
        }
    };
    let path = if o.file.starts_with('/') {
        o.file.clone()
    } else {
        format!("/home/locust/{}", o.file)
    };
    let src = interp.world().borrow().container_read(m, id, &path);
    let src = match src {
        Ok(s) if o.file.ends_with(".py") => String::from_utf8_lossy(&s).into_owned(),
        _ => {
            out.line(&format!("Could not find '{}'. Ensure your locustfile ends with '.py' or is a directory with locustfiles. See --help for available options.", o.file));
            return end(1);
        }
    };
    // Python imports Locust and the locustfile.
    interp.sleep(SimDuration::from_millis(850)).await;
    let classes = parse(&src);
    if classes.is_empty() {
        out.log("ERROR", "main", "No User class found!");
        return end(1);
    }
    out.log("INFO", "main", &format!("Starting Locust {VERSION}"));
    if !o.headless {
        out.log(
            "INFO",
            "main",
            &format!("Starting web interface at http://0.0.0.0:{}", o.web_port),
        );
        return None;
    }
    if detach {
        return None;
    }
    let code = headless(&out, &o, &classes).await;
    end(code)
}

/// A class's calls with their targets, and each call's share of its tasks.
struct Plan {
    calls: Vec<(Call, Option<crate::net::Url>)>,
    /// Call indices repeated by their task's weight.
    table: Vec<usize>,
    /// Calls per task, on average.
    per_task: f64,
    start: Vec<usize>,
}

fn plan(class: &UserClass, host: Option<&str>) -> Plan {
    let base = class.host.as_deref().or(host).unwrap_or("");
    let base = base.trim_end_matches('/');
    let mut calls = Vec::new();
    let mut table = Vec::new();
    let (mut weights, mut weighted_calls) = (0u32, 0u32);
    let mut add = |c: &Call| {
        let url = if c.path.starts_with("http") {
            c.path.clone()
        } else {
            format!("{base}{}", c.path)
        };
        calls.push((c.clone(), crate::net::parse_url(&url)));
        calls.len() - 1
    };
    for t in &class.tasks {
        weights += t.weight;
        weighted_calls += t.weight * t.calls.len() as u32;
        for c in &t.calls {
            let k = add(c);
            table.extend(std::iter::repeat_n(k, t.weight as usize));
        }
    }
    let start = class.on_start.iter().map(&mut add).collect();
    Plan {
        calls,
        table,
        per_task: weighted_calls as f64 / weights.max(1) as f64,
        start,
    }
}

/// Sends `n` of a call's requests from the container through the cluster.
fn send(
    world: &std::rc::Rc<std::cell::RefCell<swarm_core::World>>,
    m: MachineId,
    from: &str,
    (call, u): &(Call, Option<crate::net::Url>),
    n: usize,
) -> Vec<Sample> {
    let Some(u) = u else { return Vec::new() };
    let mut headers = vec![("User-Agent".into(), "python-requests/2.32.3".into())];
    if !call.body.is_empty() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    let hc = HttpCall {
        method: call.method.clone(),
        path: u.path.clone(),
        body: call.body.clone(),
        headers,
        tls: u.tls,
    };
    let target = Target {
        m,
        from: Some(from),
        u,
        call: &hc,
        head: call.method == "HEAD",
    };
    target.send(world, n)
}

/// The exception Locust's client reports for a request.
fn error_text(fast: bool, call: &Call, u: &crate::net::Url, s: &Sample, addr: &str) -> String {
    let obj = format!("<urllib3.connection.HTTPConnection object at {addr}>");
    let pool = format!(
        "HTTPConnectionPool(host='{}', port={}): Max retries exceeded with url: {}",
        u.host, u.port, u.path
    );
    match &s.result {
        Ok((status, _)) => {
            let reason = crate::net::reason(*status);
            let reason = if s.software.starts_with("Werkzeug") {
                reason.to_uppercase()
            } else {
                reason.to_string()
            };
            let kind = if *status < 500 { "Client" } else { "Server" };
            format!("HTTPError('{status} {kind} Error: {reason} for url: {}')", call.name)
        }
        Err(e) if fast => match e {
            HttpError::CouldNotResolve => "gaierror(-2, 'Name or service not known')".into(),
            HttpError::Timeout => "TimeoutError('timed out')".into(),
            HttpError::EmptyReply => "ConnectionResetError(104, 'Connection reset by peer')".into(),
            _ => "ConnectionRefusedError(111, 'Connection refused')".into(),
        },
        Err(HttpError::CouldNotResolve) => format!(
            "ConnectionError(MaxRetryError(\"{pool} (Caused by NameResolutionError(\\\"{obj}: Failed to resolve '{}' ([Errno -2] Name or service not known)\\\"))\"))",
            u.host
        ),
        Err(HttpError::Timeout) => format!(
            "ConnectionError(MaxRetryError(\"{pool} (Caused by ConnectTimeoutError({obj}, 'Connection to {} timed out. (connect timeout=None)'))\"))",
            u.host
        ),
        Err(HttpError::EmptyReply) => "ConnectionError(ProtocolError('Connection aborted.', RemoteDisconnected('Remote end closed connection without response')))".into(),
        Err(_) => format!(
            "ConnectionError(MaxRetryError(\"{pool} (Caused by NewConnectionError('{obj}: Failed to establish a new connection: [Errno 111] Connection refused'))\"))"
        ),
    }
}

/// A headless run: users spawned at the spawn rate, each running its class's tasks by weight
/// with its wait time, in one-second slices of simulated time (hey's engine: a sample of real
/// requests, the rest counted like them); the stats every 2 s, the summary at the end.
async fn headless(out: &Out<'_>, o: &Opts, classes: &[UserClass]) -> i32 {
    let interp = out.interp;
    let world = interp.world();
    let mut stats = Stats::default();
    interp.sleep(SimDuration::from_millis(1)).await;
    if let Some(t) = o.run_time {
        out.log(
            "INFO",
            "main",
            &format!("Run time limit set to {t} seconds"),
        );
    } else {
        out.log(
            "INFO",
            "main",
            "No run time limit set, use CTRL+C to interrupt",
        );
    }
    let start_ms = world.borrow().now().unix_ms();
    stats.start_ms = start_ms;
    stats.last_ms = start_ms;
    if !o.only_summary {
        for l in stats.table(true) {
            out.line(&l);
        }
    }
    out.log(
        "INFO",
        "runners",
        &format!(
            "Ramping to {} users at a rate of {:.2} per second",
            o.users, o.rate
        ),
    );
    // Users per class by weight (largest remainders).
    let wsum: u32 = classes.iter().map(|c| c.weight.max(1)).sum();
    let mut counts: Vec<u64> = classes
        .iter()
        .map(|c| o.users * c.weight.max(1) as u64 / wsum as u64)
        .collect();
    let mut k = 0;
    while counts.iter().sum::<u64>() < o.users {
        let n = counts.len();
        counts[k % n] += 1;
        k += 1;
    }
    let plans: Vec<Plan> = classes.iter().map(|c| plan(c, o.host.as_deref())).collect();
    let addr = format!(
        "0x7f{:010x}",
        (unit(out.id.len() as u64 + start_ms as u64) * 1e12) as u64
    );
    let m = out.m;
    let mut carry = vec![0f64; classes.len()];
    let mut spawned = 0u64;
    let mut sec = 0u64;
    let mut interrupted = false;
    loop {
        let slice_ms = o
            .run_time
            .map_or(1000, |t| (t * 1000).saturating_sub(sec * 1000).min(1000));
        if slice_ms == 0 {
            break;
        }
        let now_users = ((o.rate * (sec + 1) as f64).floor() as u64).clamp(1, o.users.max(1));
        let now_users = now_users.min(o.users);
        let fresh = now_users.saturating_sub(spawned);
        spawned = now_users;
        if fresh > 0 && now_users == o.users {
            interp.sleep(SimDuration::from_millis(1)).await;
            out.log(
                "INFO",
                "runners",
                &format!(
                    "All users spawned: {{{}}} ({} total users)",
                    classes
                        .iter()
                        .zip(&counts)
                        .map(|(c, n)| format!("\"{}\": {n}", c.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                    o.users
                ),
            );
        }
        let t0 = world.borrow().now().unix_ms();
        // Each class's share of the users; a probe of its calls tells the rate.
        let mut all: Vec<Sample> = Vec::new();
        let mut per_class: Vec<Vec<Vec<Sample>>> = Vec::new();
        let mut desired = Vec::new();
        for (ci, (class, p)) in classes.iter().zip(&plans).enumerate() {
            let users = now_users * counts[ci] / o.users.max(1);
            let mut by_call: Vec<Vec<Sample>> = (0..p.calls.len()).map(|_| Vec::new()).collect();
            // The new users' on_start requests.
            for _ in 0..fresh * counts[ci] / o.users.max(1) {
                for &k in &p.start {
                    if let Some(s) = send(&world, m, &out.id, &p.calls[k], 1).pop() {
                        record(
                            &mut stats,
                            class.fast,
                            &p.calls[k],
                            &s,
                            s.base_ms,
                            t0,
                            &addr,
                        );
                    }
                }
            }
            if users == 0 || p.table.is_empty() {
                per_class.push(by_call);
                desired.push((0.0, 0.0, 0.0));
                continue;
            }
            for j in 0..PROBE {
                let k = p.table[j * 7919 % p.table.len()];
                by_call[k].extend(send(&world, m, &out.id, &p.calls[k], 1));
            }
            let samples: Vec<&Sample> = by_call.iter().flatten().collect();
            let mean = samples.iter().map(|s| s.base_ms).sum::<f64>() / samples.len().max(1) as f64;
            let task_ms = mean * p.per_task;
            let tasks = match class.wait {
                Wait::After(w) => users as f64 * 1000.0 / (task_ms + w * 1000.0).max(0.01),
                Wait::Rate(r) => users as f64 * r.min(1000.0 / task_ms.max(0.01)),
            };
            let wait_ms = match class.wait {
                Wait::After(w) => w * 1000.0,
                Wait::Rate(r) => (1000.0 / r.max(0.001) - task_ms).max(0.0),
            };
            desired.push((tasks * p.per_task, users as f64, wait_ms));
            per_class.push(by_call);
        }
        all.extend(per_class.iter().flatten().flatten().cloned());
        let (_, cap) = capacity(&all);
        let want: f64 = desired.iter().map(|d| d.0).sum();
        let scale = if want > cap { cap / want } else { 1.0 };
        let mut budget = PER_SLICE.saturating_sub(all.len());
        for (ci, (class, p)) in classes.iter().zip(&plans).enumerate() {
            let (rate, users, wait_ms) = desired[ci];
            if rate <= 0.0 {
                continue;
            }
            let exact = rate * scale * slice_ms as f64 / 1000.0 + carry[ci];
            let count = exact.floor() as usize;
            carry[ci] = exact - count as f64;
            // Little's law: the users' cycle at the served rate gives the latency.
            let mean: f64 = {
                let v: Vec<f64> = per_class[ci].iter().flatten().map(|s| s.base_ms).collect();
                v.iter().sum::<f64>() / v.len().max(1) as f64
            };
            let cycle = users * 1000.0 * p.per_task / (rate * scale).max(0.001);
            let stretch = ((cycle - wait_ms) / p.per_task.max(0.01) / mean.max(0.01)).max(1.0);
            let by_call = &mut per_class[ci];
            for j in 0..count {
                let seed = (sec << 32) + j as u64 + ((ci as u64) << 56);
                let k = p.table[(unit(seed * 3) * p.table.len() as f64) as usize % p.table.len()];
                if by_call[k].is_empty() || (budget > 0 && j < PER_SLICE) {
                    by_call[k].extend(send(&world, m, &out.id, &p.calls[k], 1));
                    budget = budget.saturating_sub(1);
                }
                let Some(s) = by_call[k]
                    .last()
                    .filter(|_| by_call[k].len() == 1)
                    .or_else(|| {
                        by_call[k].get((unit(seed * 3 + 1) * by_call[k].len() as f64) as usize)
                    })
                else {
                    continue;
                };
                let tail = if unit(seed * 3 + 2) < 0.01 { 3.0 } else { 1.0 };
                let ms = if s.result.is_ok() {
                    s.base_ms * stretch * (0.55 + 0.9 * unit(seed * 5 + 1)) * tail
                } else {
                    s.base_ms * (0.8 + 0.4 * unit(seed * 5 + 1))
                };
                let at = t0 + (j as f64 + 0.5) as i64 * slice_ms as i64 / count.max(1) as i64;
                record(&mut stats, class.fast, &p.calls[k], s, ms, at, &addr);
            }
        }
        interp.sleep(SimDuration::from_millis(slice_ms)).await;
        stats.last_ms = world.borrow().now().unix_ms() - 3;
        sec += 1;
        if interp.stopped() {
            interrupted = true;
            break;
        }
        let last = o.run_time.is_some_and(|t| sec >= t);
        if !o.only_summary && sec.is_multiple_of(2) && !last {
            for l in stats.table(true) {
                out.line(&l);
            }
        }
        if last {
            break;
        }
    }
    if interrupted {
        let ms = world.borrow().now().unix_ms();
        out.line("KeyboardInterrupt");
        // The second, as `2026-11-23T09:00:05Z`.
        let asctime = swarm_core::apps::py_time(ms);
        let second = asctime.split(',').next().unwrap_or("");
        out.line(&format!("{}Z", second.replacen(' ', "T", 1)));
    } else if o.run_time.is_some() {
        out.log("INFO", "main", "--run-time limit reached, shutting down");
    }
    let code = i32::from(!stats.errors.is_empty());
    interp.sleep(SimDuration::from_millis(31)).await;
    out.log("INFO", "main", &format!("Shutting down (exit code {code})"));
    for l in stats
        .table(false)
        .iter()
        .chain(&stats.percentiles_and_errors())
    {
        out.line(l);
    }
    if let Some(prefix) = &o.csv {
        write_csv(out, prefix, &stats);
    }
    code
}

/// Counts one request in its row and the total (a failure also in the error report).
fn record(
    stats: &mut Stats,
    fast: bool,
    (call, u): &(Call, Option<crate::net::Url>),
    s: &Sample,
    ms: f64,
    at_ms: i64,
    addr: &str,
) {
    let failed = match &s.result {
        Ok((status, _)) => *status >= 400,
        Err(_) => true,
    };
    let bytes = s.result.as_ref().map_or(0, |r| r.1 as u64);
    let sec = at_ms.div_euclid(1000);
    stats
        .entries
        .entry((call.name.clone(), call.method.clone()))
        .or_default()
        .log(ms, sec, failed, bytes);
    stats.total.log(ms, sec, failed, bytes);
    stats.last_ms = stats.last_ms.max(at_ms);
    if failed {
        let text = match u {
            Some(u) => format!(
                "{} {}: {}",
                call.method,
                call.name,
                error_text(fast, call, u, s, addr)
            ),
            None => format!(
                "{} {}: MissingSchema(\"Invalid URL '{}': No scheme supplied. Perhaps you meant https://{}?\")",
                call.method, call.name, call.path, call.path
            ),
        };
        match stats.errors.iter_mut().find(|e| e.0 == text) {
            Some(e) => e.1 += 1,
            None => stats.errors.push((text, 1)),
        }
    }
}

/// `--csv PREFIX`: the stats, failures and exceptions files as the run ends.
fn write_csv(out: &Out<'_>, prefix: &str, stats: &Stats) {
    let path = if prefix.starts_with('/') {
        prefix.to_string()
    } else {
        format!("/home/locust/{prefix}")
    };
    let q = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let secs = ((stats.last_ms - stats.start_ms) as f64 / 1000.0).max(0.001);
    let mut rows = String::from("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s");
    for p in PERCENTILE_NAMES {
        rows.push(',');
        rows.push_str(p);
    }
    rows.push_str("\r\n");
    let mut add = |method: &str, name: &str, e: &Entry| {
        let pct: Vec<String> = PERCENTILES
            .iter()
            .map(|p| {
                if e.reqs == 0 {
                    "N/A".into()
                } else {
                    e.percentile(*p).to_string()
                }
            })
            .collect();
        let median = e.median();
        rows.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            method,
            q(name),
            e.reqs,
            e.fails,
            if median.fract() == 0.0 {
                format!("{}", median as u64)
            } else {
                swarm_core::pyeval::float_repr(median)
            },
            swarm_core::pyeval::float_repr(e.avg()),
            swarm_core::pyeval::float_repr(e.min.unwrap_or(0.0)),
            swarm_core::pyeval::float_repr(e.max),
            swarm_core::pyeval::float_repr(if e.reqs == 0 {
                0.0
            } else {
                e.bytes as f64 / e.reqs as f64
            }),
            swarm_core::pyeval::float_repr(e.reqs as f64 / secs),
            swarm_core::pyeval::float_repr(e.fails as f64 / secs),
            pct.join(",")
        ));
    };
    for ((name, method), e) in &stats.entries {
        add(method, name, e);
    }
    add("", "Aggregated", &stats.total);
    let mut failures = String::from("Method,Name,Error,Occurrences\r\n");
    for (text, n) in &stats.errors {
        let (method, rest) = text.split_once(' ').unwrap_or(("", text));
        let (name, err) = rest.split_once(": ").unwrap_or((rest, ""));
        failures.push_str(&format!("{method},{},{},{n}\r\n", q(name), q(err)));
    }
    let world = out.interp.world();
    let mut w = world.borrow_mut();
    for (suffix, text) in [
        ("_stats.csv", rows),
        ("_failures.csv", failures),
        (
            "_exceptions.csv",
            "Count,Message,Traceback,Nodes\r\n".to_string(),
        ),
    ] {
        let _ = w.container_write(
            out.m,
            &out.id,
            &format!("{path}{suffix}"),
            text.as_bytes(),
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_students_locustfile_parses() {
        let src = "from locust import HttpUser, task, between\n\nclass CounterUser(HttpUser):\n    wait_time = between(1, 3)\n    host = \"http://web:5000\"\n\n    def on_start(self):\n        self.client.post(\"/api/counter/reset\")\n\n    @task(3)\n    def get_counter(self):\n        self.client.get(\"/api/counter\")\n\n    @task\n    def increment(self):\n        self.client.post('/api/counter/increment', json={'by': 1}, name=\"inc\")\n\n    def helper(self):\n        self.client.get(\"/never\")\n";
        let c = parse(src);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "CounterUser");
        assert_eq!(c[0].host.as_deref(), Some("http://web:5000"));
        assert!(matches!(c[0].wait, Wait::After(w) if w == 2.0));
        assert_eq!(c[0].tasks.len(), 2);
        assert_eq!(c[0].tasks[0].weight, 3);
        assert_eq!(c[0].tasks[1].calls[0].name, "inc");
        assert_eq!(c[0].tasks[1].calls[0].body, "{\"by\": 1}");
        assert_eq!(c[0].on_start.len(), 1);
        assert!(parse("class X(object):\n    pass\n").is_empty());
    }

    #[test]
    fn timespans_and_options_parse_as_locust_does() {
        assert_eq!(timespan("30s"), Some(30));
        assert_eq!(timespan("1h30m10s"), Some(5410));
        assert_eq!(timespan("20"), Some(20));
        assert_eq!(timespan("x"), None);
        let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            parse_opts(&args("-u x")).err().as_deref(),
            Some("argument -u/--users: invalid int value: 'x'")
        );
        assert_eq!(
            parse_opts(&args("--bogus -u 3")).err().as_deref(),
            Some("unrecognized arguments: --bogus")
        );
        let o = parse_opts(&args("--headless --users=20 -r 5 -t 1m")).unwrap();
        assert_eq!((o.users, o.rate, o.run_time), (20, 5.0, Some(60)));
    }

    #[test]
    fn the_table_rows_are_locusts() {
        let mut e = Entry::default();
        for ms in [10.0, 20.0, 30.0, 140.0] {
            e.log(ms, 0, false, 10);
        }
        assert_eq!(e.median(), 20.0);
        assert_eq!(e.percentile(1.0), 140);
        // Locust's percentile counts down from the slowest: the 2nd of 4 from the top.
        assert_eq!(e.percentile(0.5), 30);
        let s = Stats::default();
        let row = s.row("GET", "/api/counter", &e, false);
        assert_eq!(
            row.len(),
            8 + 1 + 76 + 1 + 7 + 1 + 12 + 2 + 7 + 1 + 7 + 1 + 7 + 7 + 3 + 7 + 1 + 11
        );
        assert!(
            row.contains("      4     0(0.00%) |     50      10     140     20 |"),
            "{row}"
        );
    }
}
