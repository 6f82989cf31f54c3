//! `cargo xtask bench`, the page part: the release bundle in `dist/` measured in headless
//! Chromium, driven over WebDriver (see [`crate::webdriver`]).
//!
//! - **Loading**: [`LOADS`] fresh navigations of the page (each from `about:blank`, with the
//!   browser's storage cleared so no saved playground is restored; the HTTP cache is warm after
//!   the first). For each: first paint and first contentful paint
//!   (`performance.getEntriesByType('paint')`), the moment the page first rendered (the
//!   `swarm-ready` mark the app sets in its first `rendered`), and the time to a usable
//!   terminal: as soon as the terminal's input exists the test types `hostname`, and a
//!   `MutationObserver` (injected with `execute/sync`: the page's Content-Security-Policy forbids
//!   inline scripts, not WebDriver's) notes the `performance.now()` at which `node1` is printed.
//!   All from navigation start; the figures are the medians.
//! - **Convergence**: the page opened with `?bench=M` (see `web/src/query.rs`: a swarm of M
//!   machines, formed before the first render), then a `PerformanceObserver` for `longtask` entries watches the main thread while
//!   the tasks of [`CREATE`], typed into node1's terminal, converge ([`CONVERGE_SECS`] seconds
//!   at 1×), then the converged cluster for [`STEADY_SECS`] seconds at 10×, then paused with
//!   "+1 s" clicked [`STEPS`] times, and as many again after [`SCALE`] (the clock must show
//!   exactly that many seconds more each time). It reports the longest task, how many
//!   exceeded 50 ms, and where the main thread's time goes: the page times `advance` (the
//!   simulation, sliced per tick), `sync` (draining terminals, panels), `cluster` (a slice of
//!   the cluster picture) and `submit` (a typed command) as User Timing measures in bench
//!   mode, and marks each render of the app, a sidebar machine, the cluster view and a node
//!   card; each long task is broken down by the measures and renders inside it (what is left
//!   is yew's rendering and the browser's own work: style, layout, paint, garbage).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve::StaticServer;
use crate::webdriver::{ChromeDriver, Element, Session, ENTER};
use crate::Result;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const INPUT: &str = r#"[data-testid="terminal-input"]"#;

/// How many page loads the loading figures are the median of.
const LOADS: usize = 5;
/// The benchmark cluster: machines (the issue's 1,000 nodes; the world holds at most
/// `swarm_core::world::MAX_MACHINES`) and the replicas of [`CREATE`].
const BENCH_MACHINES: usize = 1_000;
const BENCH_TASKS: usize = 30_000;
/// The service the benchmark creates.
const CREATE: &str = "docker service create --detach --name bench --replicas 30000 nginx:alpine";
/// How long the convergence is watched (at 1x), then the converged cluster (at 10x), in seconds.
const CONVERGE_SECS: u64 = 60;
const STEADY_SECS: u64 = 20;
/// How many times "+1 s" is clicked on the paused, converged cluster (and again after
/// [`SCALE`]).
const STEPS: u64 = 5;
/// Typed on the paused, converged cluster before clicking "+1 s" again.
const SCALE: &str = "docker service scale --detach bench=40000";

/// The issue's goals, in milliseconds.
const GOAL_FIRST_PAINT_MS: f64 = 300.0;
const GOAL_USABLE_MS: f64 = 1_000.0;
const GOAL_LONG_TASK_MS: f64 = 50.0;

/// Installs the observer that notes when the typed `hostname` printed `node1`.
const WATCH_HOSTNAME: &str = r#"
const done = () => Array.from(document.querySelectorAll('[data-testid="terminal-output"]'))
  .some(o => o.innerText.split('\n').some(l => l.trim() === 'node1'));
window.__bench = { node1: null };
const note = () => { if (window.__bench.node1 === null && done()) window.__bench.node1 = performance.now(); };
new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
note();
"#;

/// Reads the loading figures of the current page.
const READ_LOAD: &str = r#"
const paint = {};
for (const e of performance.getEntriesByType('paint')) paint[e.name] = e.startTime;
const ready = performance.getEntriesByName('swarm-ready');
return {
  fp: paint['first-paint'] ?? null,
  fcp: paint['first-contentful-paint'] ?? null,
  ready: ready.length ? ready[0].startTime : null,
  usable: window.__bench ? window.__bench.node1 : null,
};
"#;

/// Starts watching long tasks (those before now are kept apart: building the cluster).
const WATCH_LONG_TASKS: &str = r#"
window.__lt = { t0: performance.now(), before: [], during: [] };
performance.clearMeasures();
new PerformanceObserver(list => {
  for (const e of list.getEntries()) {
    if (e.startTime >= window.__lt.t0) window.__lt.during.push([e.startTime, e.duration]);
    else window.__lt.before.push(e.duration);
  }
}).observe({ type: 'longtask', buffered: true });
return PerformanceObserver.supportedEntryTypes.includes('longtask');
"#;

/// Reads (and resets) the long tasks and the clock's measures since the last call.
const READ_LONG_TASKS: &str = r#"
const m = name => performance.getEntriesByName(name, 'measure').map(e => e.duration);
// Each long task with the time of each measure inside it and the renders in it (the fields of
// `LongTask`).
const inside = (name, start, end) => performance.getEntriesByName(name, 'measure')
  .map(e => Math.max(0, Math.min(end, e.startTime + e.duration) - Math.max(start, e.startTime)))
  .reduce((a, b) => a + b, 0);
const marks = (name, start, end) => performance.getEntriesByName(name, 'mark')
  .filter(e => e.startTime >= start && e.startTime <= end).length;
const out = {
  before: window.__lt.before,
  during: window.__lt.during.map(([s, d]) => ({
    duration: d, start: s - window.__lt.t0,
    advance: inside('advance', s, s + d), sync: inside('sync', s, s + d),
    cluster: inside('cluster', s, s + d), submit: inside('submit', s, s + d),
    view: inside('view', s, s + d),
    apps: marks('render-app', s, s + d), machines: marks('render-machine', s, s + d),
    cards: marks('render-card', s, s + d), terminals: marks('render-terminal', s, s + d),
  })),
  advance: m('advance'), sync: m('sync'), panels: m('panels'), cluster: m('cluster'),
  renders: ['render-app', 'render-machine', 'render-cluster', 'render-card']
    .map(n => performance.getEntriesByName(n, 'mark').length),
  running: Array.from(document.querySelectorAll('.legend-item[data-running]'))
    .reduce((n, e) => n + Number(e.dataset.running), 0),
};
window.__lt.before = []; window.__lt.during = [];
performance.clearMeasures();
for (const n of ['render-app', 'render-machine', 'render-cluster', 'render-card', 'render-terminal']) performance.clearMarks(n);
return out;
"#;

/// What one page load measured, in milliseconds from navigation start.
#[derive(Debug, Default, Clone, Copy)]
struct Load {
    first_paint: f64,
    first_contentful_paint: f64,
    ready: f64,
    usable: f64,
}

/// One long task and what ran inside it: the page's User Timing measures (ms) and component
/// renders (counts).
#[derive(Debug, Default, Clone, Copy)]
struct LongTask {
    duration: f64,
    /// When it started, in ms since the watch began.
    start: f64,
    advance: f64,
    sync: f64,
    cluster: f64,
    /// A typed command.
    submit: f64,
    /// The app's `view` function.
    view: f64,
    apps: u64,
    machines: u64,
    cards: u64,
    terminals: u64,
}

impl LongTask {
    fn from_json(t: &Value) -> LongTask {
        let ms = |key: &str| t[key].as_f64().unwrap_or(0.0);
        let count = |key: &str| t[key].as_u64().unwrap_or(0);
        LongTask {
            duration: ms("duration"),
            start: ms("start"),
            advance: ms("advance"),
            sync: ms("sync"),
            cluster: ms("cluster"),
            submit: ms("submit"),
            view: ms("view"),
            apps: count("apps"),
            machines: count("machines"),
            cards: count("cards"),
            terminals: count("terminals"),
        }
    }

    /// What no measure covers: yew's rendering and the browser's own work.
    fn rest(&self) -> f64 {
        self.duration - self.advance - self.sync - self.cluster - self.submit
    }
}

/// Long tasks and clock steps over one stretch of convergence.
#[derive(Debug, Default)]
struct Stretch {
    /// Long tasks since the last read.
    long_tasks: Vec<f64>,
    /// The same, each with the measures and renders inside it.
    breakdown: Vec<LongTask>,
    /// Long tasks that started before the watch began (buffered).
    before: Vec<f64>,
    advance: Vec<f64>,
    sync: Vec<f64>,
    panels: Vec<f64>,
    cluster: Vec<f64>,
    /// How many times the app, a sidebar machine, the cluster view and a node card rendered.
    renders: [u64; 4],
    running: u64,
}

/// Runs both page measurements against `dist/` and prints them.
pub fn run(root: &Path) -> Result<()> {
    let out = root.join("target").join("bench");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let profile = std::env::temp_dir().join(format!("xtask-bench-chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let result = (|| -> Result<()> {
        let server = StaticServer::start(&root.join("dist"), "/", "127.0.0.1:0", false)?;
        let driver = ChromeDriver::start(Path::new(CHROMEDRIVER), &out.join("chromedriver.log"))?;
        let session = driver.new_session(capabilities(&profile))?;
        session.set_timeouts(Duration::from_secs(600), Duration::from_secs(60))?;
        println!(
            "\nxtask bench: the page in headless Chromium ({})",
            chromium_version()
        );
        loading(&session, &server.url())?;
        convergence(&session, &server.url(), &out)?;
        session.delete()
    })();
    let _ = std::fs::remove_dir_all(&profile);
    result
}

fn capabilities(profile: &Path) -> Value {
    json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
                "--window-size=1280,800",
            ],
        },
    })
}

/// `chromium --version`, first line.
fn chromium_version() -> String {
    std::process::Command::new(CHROMIUM)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|text| text.lines().next().map(str::to_string))
        .unwrap_or_else(|| "version unknown".to_string())
}

fn loading(session: &Session, url: &str) -> Result<()> {
    let mut loads = Vec::new();
    for i in 0..LOADS {
        let load = one_load(session, url)?;
        println!(
            "load {}: first paint {:.0} ms, first contentful paint {:.0} ms, rendered {:.0} ms, \
             `hostname` answered {:.0} ms",
            i + 1,
            load.first_paint,
            load.first_contentful_paint,
            load.ready,
            load.usable
        );
        loads.push(load);
    }
    let fp = median(loads.iter().map(|l| l.first_paint).collect());
    let fcp = median(loads.iter().map(|l| l.first_contentful_paint).collect());
    let ready = median(loads.iter().map(|l| l.ready).collect());
    let usable = median(loads.iter().map(|l| l.usable).collect());
    println!("median of {LOADS} loads:");
    println!("  first paint             {fp:>7.0} ms  (goal: at most {GOAL_FIRST_PAINT_MS:.0} ms)");
    println!("  first contentful paint  {fcp:>7.0} ms");
    println!("  page rendered           {ready:>7.0} ms");
    println!("  usable terminal         {usable:>7.0} ms  (goal: at most {GOAL_USABLE_MS:.0} ms)");
    Ok(())
}

/// One fresh navigation: the figures of [`Load`]; leaves the browser's storage empty.
fn one_load(session: &Session, url: &str) -> Result<Load> {
    session.navigate("about:blank")?;
    session.navigate(url)?;
    let input = wait_element(session, INPUT, Duration::from_secs(30))?;
    session.execute(WATCH_HOSTNAME, json!([]))?;
    session.send_keys(&input, &format!("hostname{ENTER}"))?;
    let figures = wait_value(session, READ_LOAD, Duration::from_secs(30), |v| {
        !v["usable"].is_null()
    })?;
    session.execute("localStorage.clear(); sessionStorage.clear();", json!([]))?;
    let ms = |key: &str| {
        figures[key]
            .as_f64()
            .ok_or_else(|| format!("the page reported no `{key}`: {figures}"))
    };
    Ok(Load {
        first_paint: ms("fp")?,
        first_contentful_paint: ms("fcp")?,
        ready: ms("ready")?,
        usable: ms("usable")?,
    })
}

fn convergence(session: &Session, url: &str, out: &Path) -> Result<()> {
    let query = format!("?bench={BENCH_MACHINES}");
    println!(
        "\nconvergence: a swarm of {BENCH_MACHINES} machines ({query}), then \
         `{CREATE}` typed on node1"
    );
    let start = Instant::now();
    session.navigate("about:blank")?;
    session.navigate(&format!("{url}{query}"))?;
    wait_element(session, INPUT, Duration::from_secs(600))?;
    println!(
        "  the page formed the swarm and rendered after {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let supported = session.execute(WATCH_LONG_TASKS, json!([]))?;
    if supported != Value::Bool(true) {
        return Err("this Chromium does not report long tasks".into());
    }
    // Let the page settle; the long tasks of forming the swarm are buffered: read them apart.
    std::thread::sleep(Duration::from_secs(2));
    let setup = read_stretch(session)?;
    println!(
        "  forming the swarm, first render (not counted): longest task {:.0} ms",
        setup.before.iter().copied().fold(0.0, f64::max)
    );
    let input = session
        .find_displayed(INPUT)?
        .ok_or("no visible terminal input")?;
    session.send_keys(&input, &format!("{CREATE}{ENTER}"))?;
    let typed = Instant::now();
    let mut stretch = Stretch::default();
    let mut converged = None;
    while typed.elapsed() < Duration::from_secs(CONVERGE_SECS) {
        std::thread::sleep(Duration::from_secs(1));
        let more = read_stretch(session)?;
        stretch.add(more);
        if converged.is_none() && stretch.running == BENCH_TASKS as u64 {
            converged = Some(typed.elapsed().as_secs_f64());
        }
    }
    match converged {
        Some(secs) => println!("  all {BENCH_TASKS} tasks running after {secs:.1} s (1x speed)"),
        None => println!(
            "  after {CONVERGE_SECS} s, {} of {BENCH_TASKS} tasks running (1x speed)",
            stretch.running
        ),
    }
    report_stretch(
        &format!("{CONVERGE_SECS} s at 1x from typing the command"),
        &stretch,
    );
    let button = wait_element(
        session,
        r#"[data-testid="speed-10"]"#,
        Duration::from_secs(60),
    )?;
    session.click(&button)?;
    read_stretch(session)?;
    std::thread::sleep(Duration::from_secs(STEADY_SECS));
    let steady = read_stretch(session)?;
    report_stretch(
        &format!(
            "then {STEADY_SECS} s at 10x, {} tasks running",
            steady.running
        ),
        &steady,
    );
    steps(session)?;
    let png = session.screenshot()?;
    let path = out.join("converged.png");
    std::fs::write(&path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("  screenshot: {}", path.display());
    Ok(())
}

/// The simulated clock the page shows, in seconds.
const READ_CLOCK: &str = r#"
const t = document.querySelector('[data-testid="sim-clock"]').textContent.split(':').map(Number);
return t[0] * 3600 + t[1] * 60 + t[2];
"#;

/// Pauses the converged cluster and clicks "+1 s" [`STEPS`] times on it, then again after
/// typing [`SCALE`] (a busy second: thousands of tasks placed and started), and reports the
/// long tasks of each until the clock shows that many seconds more (checking it then stays
/// there).
fn steps(session: &Session) -> Result<()> {
    let pause = wait_element(
        session,
        r#"[data-testid="time-pause"]"#,
        Duration::from_secs(60),
    )?;
    session.click(&pause)?;
    std::thread::sleep(Duration::from_millis(500));
    click_steps(session, "then paused")?;
    let input = session
        .find_displayed(INPUT)?
        .ok_or("no visible terminal input")?;
    session.send_keys(&input, &format!("{SCALE}{ENTER}"))?;
    std::thread::sleep(Duration::from_millis(500));
    click_steps(session, &format!("then `{SCALE}`"))
}

/// Clicks "+1 s" [`STEPS`] times on the paused page and reports the long tasks until the
/// clock shows that many seconds more; an error if it does not show exactly that a second
/// later.
fn click_steps(session: &Session, title: &str) -> Result<()> {
    read_stretch(session)?;
    let clock = || -> Result<u64> {
        Ok(session
            .execute(READ_CLOCK, json!([]))?
            .as_u64()
            .unwrap_or(0))
    };
    let before = clock()?;
    let step = wait_element(
        session,
        r#"[data-testid="time-step"]"#,
        Duration::from_secs(60),
    )?;
    let clicked = Instant::now();
    for _ in 0..STEPS {
        session.click(&step)?;
    }
    let target = before + STEPS;
    let shown = wait_value(session, READ_CLOCK, Duration::from_secs(120), |v| {
        v.as_u64().is_some_and(|s| s >= target)
    })?;
    let paid = clicked.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(1));
    let after = clock()?;
    let stretch = read_stretch(session)?;
    report_stretch(
        &format!(
            "{title}, \"+1 s\" clicked {STEPS} times: the clock went {before} s → {} s in \
             {paid:.1} s, {after} s a second later",
            shown.as_u64().unwrap_or(0)
        ),
        &stretch,
    );
    if after != target {
        return Err(format!(
            "{STEPS} clicks on \"+1 s\" moved the paused clock from {before} s to {after} s"
        ));
    }
    Ok(())
}

impl Stretch {
    /// Appends a later stretch (its running count is the newer one).
    fn add(&mut self, later: Stretch) {
        self.long_tasks.extend(later.long_tasks);
        self.before.extend(later.before);
        self.advance.extend(later.advance);
        self.sync.extend(later.sync);
        self.panels.extend(later.panels);
        self.cluster.extend(later.cluster);
        self.breakdown.extend(later.breakdown);
        for (a, b) in self.renders.iter_mut().zip(later.renders) {
            *a += b;
        }
        self.running = later.running;
    }
}

fn read_stretch(session: &Session) -> Result<Stretch> {
    let v = session.execute(READ_LONG_TASKS, json!([]))?;
    let list = |key: &str| -> Vec<f64> {
        v[key]
            .as_array()
            .map(|items| items.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let breakdown: Vec<LongTask> = v["during"]
        .as_array()
        .map(|items| items.iter().map(LongTask::from_json).collect())
        .unwrap_or_default();
    Ok(Stretch {
        long_tasks: breakdown.iter().map(|b| b.duration).collect(),
        breakdown,
        before: list("before"),
        advance: list("advance"),
        sync: list("sync"),
        panels: list("panels"),
        cluster: list("cluster"),
        renders: [0, 1, 2, 3].map(|i| v["renders"][i].as_u64().unwrap_or(0)),
        running: v["running"].as_u64().unwrap_or(0),
    })
}

fn report_stretch(title: &str, s: &Stretch) {
    let longest = s.long_tasks.iter().copied().fold(0.0, f64::max);
    let over = s
        .long_tasks
        .iter()
        .filter(|d| **d > GOAL_LONG_TASK_MS)
        .count();
    // (An empty sum is -0.0.)
    let busy: f64 = s.long_tasks.iter().sum::<f64>() + 0.0;
    println!("  {title}:");
    println!(
        "    longest main-thread task {longest:.0} ms (goal: at most {GOAL_LONG_TASK_MS:.0} ms); \
         {over} tasks over 50 ms, {busy:.0} ms in long tasks"
    );
    for (name, times) in [
        ("advance", &s.advance),
        ("sync", &s.sync),
        ("  panels", &s.panels),
        ("cluster", &s.cluster),
    ] {
        // (An empty sum is -0.0.)
        let total: f64 = times.iter().sum::<f64>() + 0.0;
        let max = times.iter().copied().fold(0.0, f64::max);
        let med = median(times.clone());
        println!(
            "    {name:<12} {} times: median {med:.1} ms, longest {max:.0} ms, {total:.0} ms in all",
            times.len()
        );
    }
    // What the tasks over the goal were made of.
    let over: Vec<&LongTask> = s
        .breakdown
        .iter()
        .filter(|b| b.duration > GOAL_LONG_TASK_MS)
        .collect();
    if !over.is_empty() {
        let sum = |f: fn(&LongTask) -> f64| over.iter().map(|b| f(b)).sum::<f64>();
        let (all, advance, sync, cluster, submit) = (
            sum(|b| b.duration),
            sum(|b| b.advance),
            sum(|b| b.sync),
            sum(|b| b.cluster),
            sum(|b| b.submit),
        );
        println!(
            "    in the tasks over 50 ms: advance {advance:.0} ms, sync {sync:.0} ms, cluster \
             {cluster:.0} ms, a command {submit:.0} ms, the rest (rendering) {:.0} ms of \
             {all:.0} ms",
            sum(LongTask::rest)
        );
        let mut worst = over.clone();
        worst.sort_by(|a, b| b.duration.total_cmp(&a.duration));
        for b in worst.iter().take(3) {
            println!(
                "      a task of {:.0} ms at {:.1} s: advance {:.0}, sync {:.0}, cluster {:.0}, \
                 command {:.0}, rest {:.0} (the app's view function {:.0}); renders: app {}, \
                 machines {}, cards {}, terminals {}",
                b.duration,
                b.start / 1000.0,
                b.advance,
                b.sync,
                b.cluster,
                b.submit,
                b.rest(),
                b.view,
                b.apps,
                b.machines,
                b.cards,
                b.terminals
            );
        }
    }
    let [app, machines, view, cards] = s.renders;
    println!(
        "    renders: the app {app}, sidebar machines {machines}, the cluster view {view}, \
         node cards {cards}"
    );
    println!(
        "    running tasks (the cluster view's legend): {}",
        s.running
    );
}

/// Waits (polling every 5 ms) for an element matching `css`.
fn wait_element(session: &Session, css: &str, timeout: Duration) -> Result<Element> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(element) = session.find_all(css)?.into_iter().next() {
            return Ok(element);
        }
        if Instant::now() >= deadline {
            return Err(format!("no `{css}` after {} s", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `script` every 10 ms until `done` holds for its answer.
fn wait_value(
    session: &Session,
    script: &str,
    timeout: Duration,
    done: impl Fn(&Value) -> bool,
) -> Result<Value> {
    let deadline = Instant::now() + timeout;
    loop {
        let value = session.execute(script, json!([]))?;
        if done(&value) {
            return Ok(value);
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "the page did not answer in {} s: {value}",
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The median (the mean of the middle two for an even count); 0 for none.
fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(Vec::new()), 0.0);
    }
}
