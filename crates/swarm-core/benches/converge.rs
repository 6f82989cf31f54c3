//! Benchmark: a large swarm converging. 1 manager and 999 workers (formed by init and joins),
//! then one service of 30,000 replicas of nginx:alpine, simulated time advanced one event
//! timestamp at a time (`World::next_deadline` / `advance_to`, as the page slices its frames)
//! until every task runs; then a rolling update, a scale-down to a third and the removal.
//! Reports, per phase, the longest timestamp, how many took over 10 ms, and the total. Times
//! are the thread's own (wall time less the time it waited for a CPU, from Linux's schedstat)
//! and, per timestamp, the best of `CONVERGE_RUNS` (3) runs: the simulation is deterministic,
//! so every run does the same work at the same instants. The goal: no timestamp over ~10 ms
//! natively (the page's budget is 50 ms per task and wasm in Chromium is 1.5-3x slower).
//!
//! `cargo bench -p swarm-core --bench converge -- [FILTER]`; the cases are
//! `converge_1000n_30k` and `converge_200n_6k` (for profilers). `CONVERGE_TOP=1` lists the
//! slowest instants of the convergence, `CONVERGE_DUMP='T+00:01:03.700'` prints the trace
//! lines of one instant.

#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // a benchmark measures wall time

use std::time::Instant;

use swarm_core::{MachineId, Mode, Role, ServiceSpec, SimDuration, SimTime, TaskState, World};

/// The process's resident memory in bytes (Linux; 0 elsewhere), to estimate memory per task.
fn rss() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// How long this thread has waited for a CPU while runnable, in ns (Linux's schedstat
/// `run_delay`, brought up to date whenever the thread is scheduled in; `None` elsewhere). On
/// a shared machine wall time counts other processes' turns: wall time less this is the time
/// the simulation itself took.
fn waited_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The times of single timestamps of one phase: (instant, own ms, wall ms, trace lines).
#[derive(Default)]
struct Steps {
    samples: Vec<(SimTime, f64, f64, u64)>,
}

impl Steps {
    /// The same phase of another run: the simulation is deterministic, so both ran the same
    /// instants with the same work; keep the faster time of each (what other processes on a
    /// shared machine cost a run is not the simulation's).
    fn best_of(&mut self, other: Steps) {
        if self.samples.is_empty() {
            *self = other;
            return;
        }
        assert_eq!(self.samples.len(), other.samples.len(), "runs differ");
        for (a, b) in self.samples.iter_mut().zip(other.samples) {
            assert_eq!((a.0, a.3), (b.0, b.3), "runs differ");
            a.1 = a.1.min(b.1);
            a.2 = a.2.min(b.2);
        }
    }

    /// The slowest timestamps, one per line (`CONVERGE_TOP=1`).
    fn top(&self) -> String {
        let mut v: Vec<&(SimTime, f64, f64, u64)> = self.samples.iter().collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v.iter()
            .take(8)
            .map(|(at, ms, _, lines)| format!("    {ms:.2} ms at {at}: {lines} trace lines\n"))
            .collect()
    }

    fn line(&self) -> String {
        let clock = if waited_ns().is_some() { "own" } else { "wall" };
        let max = self
            .samples
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .copied()
            .unwrap_or_default();
        let over = self.samples.iter().filter(|s| s.1 > 10.0).count();
        let total: f64 = self.samples.iter().map(|s| s.1).sum();
        let wall: f64 = self.samples.iter().map(|s| s.2).sum();
        format!(
            "{} timestamps, max {:.2} ms {clock} (at {}), {over} over 10 ms, {total:.0} ms {clock} in all ({wall:.0} ms wall)",
            self.samples.len(),
            max.1,
            max.0,
        )
    }
}

/// Runs every event up to `until`, one timestamp per `advance_to`, timing each.
fn step_until(w: &mut World, until: SimTime, steps: &mut Steps) {
    while let Some(t) = w.next_deadline() {
        if t > until {
            break;
        }
        let lines = w.trace_count();
        let waited = waited_ns();
        let start = Instant::now();
        w.advance_to(t);
        let wall = start.elapsed().as_secs_f64() * 1e3;
        let ms = match (waited, waited_ns()) {
            (Some(a), Some(b)) => (wall - b.saturating_sub(a) as f64 / 1e6).max(0.0),
            _ => wall,
        };
        steps.samples.push((t, ms, wall, w.trace_count() - lines));
        if std::env::var("CONVERGE_DUMP").ok() == Some(t.to_string()) {
            let n = (w.trace_count() - lines) as usize;
            for l in w.trace().iter().skip(w.trace().len().saturating_sub(n)) {
                println!("{l}");
            }
        }
    }
    w.advance_to(until);
}

/// One run: its phases, each with its timestamps and what to say after them.
fn run(machines: u32, replicas: u64) -> Vec<(&'static str, Steps, String)> {
    let mut out = Vec::new();
    let mut w = World::new(1);
    let mut joins = Steps::default();
    for _ in 0..machines {
        w.add_machine(None).expect("machine");
    }
    let t = w.now() + SimDuration::from_secs(1);
    step_until(&mut w, t, &mut joins);
    w.swarm_init(MachineId(0), None).expect("init");
    let token = w.swarm(0).expect("swarm").token(Role::Worker);
    for i in 1..machines {
        w.swarm_join(MachineId(i), &token, "192.168.0.11:2377")
            .expect("join");
        let t = w.now() + SimDuration::from_millis(20);
        step_until(&mut w, t, &mut joins);
    }
    let t = w.now() + SimDuration::from_secs(10);
    step_until(&mut w, t, &mut joins);
    let ready = w.swarm(0).map_or(0, |s| {
        s.nodes
            .values()
            .filter(|n| n.state == swarm_core::NodeState::Ready)
            .count()
    });
    out.push(("joins", joins, format!("{ready} of {machines} nodes ready")));

    let mut idle = Steps::default();
    let t = w.now() + SimDuration::from_secs(30);
    step_until(&mut w, t, &mut idle);
    out.push(("idle 30 s", idle, String::new()));

    let before = rss();
    let mut spec = ServiceSpec::new("bench", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas };
    let created = w.now();
    w.service_create(MachineId(0), spec).expect("create");
    let mut steps = Steps::default();
    let mut running = 0;
    let limit = created + SimDuration::from_secs(600);
    while w.now() < limit {
        let t = w.now() + SimDuration::from_millis(500);
        step_until(&mut w, t, &mut steps);
        running = w.swarm(0).map_or(0, |s| {
            s.tasks
                .values()
                .filter(|t| t.state == TaskState::Running)
                .count()
        }) as u64;
        if running >= replicas {
            break;
        }
    }
    let took = w.now().saturating_since(created).as_millis() as f64 / 1000.0;
    out.push((
        "converging",
        steps,
        format!("{running}/{replicas} running after {took:.1} s simulated"),
    ));
    let mut after = Steps::default();
    let t = w.now() + SimDuration::from_secs(30);
    step_until(&mut w, t, &mut after);
    let grown = rss().saturating_sub(before);
    out.push((
        "converged, 30 s more",
        after,
        format!(
            "resident memory grew {:.1} MiB: {:.0} bytes per task (task, container, its filesystem; first run only)",
            mib(grown),
            grown as f64 / replicas as f64
        ),
    ));
    // What a student does next, each phase timed the same way: a rolling update (the CLI's
    // defaults: one task at a time), a scale-down to a third, the removal.
    let mut phase = |w: &mut World, what: &'static str, secs: u64| {
        let mut steps = Steps::default();
        let t = w.now() + SimDuration::from_secs(secs);
        step_until(w, t, &mut steps);
        let tasks = w.swarm(0).map_or(0, |s| s.tasks.len());
        out.push((what, steps, format!("{tasks} tasks in the store")));
    };
    // The service's spec changed by `change`, as `docker service update` would send it.
    let update = |w: &mut World, change: &dyn Fn(&mut ServiceSpec)| {
        let svc = w.swarm(0)?.find_service("bench").ok()?.clone();
        let mut spec = svc.spec.clone();
        change(&mut spec);
        w.service_update(MachineId(0), "bench", svc.version, spec)
            .ok()
    };
    update(&mut w, &|spec| spec.image = "nginx:latest".into()).expect("update");
    phase(&mut w, "rolling update, 30 s", 30);
    update(&mut w, &|spec| {
        spec.mode = Mode::Replicated {
            replicas: replicas / 3,
        }
    })
    .expect("scale");
    phase(&mut w, "scaled to a third, 30 s", 30);
    w.service_remove(MachineId(0), "bench").expect("remove");
    phase(&mut w, "removed, 60 s", 60);
    out
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let runs: usize = std::env::var("CONVERGE_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);
    let cases: [(&str, u32, u64); 2] = [
        ("converge_1000n_30k", 1000, 30_000),
        ("converge_200n_6k", 200, 6_000),
    ];
    for (name, machines, replicas) in cases {
        if !name.contains(filter.as_str()) {
            continue;
        }
        let start = Instant::now();
        let mut best: Vec<(&str, Steps, String)> = Vec::new();
        for r in 0..runs {
            let phases = run(machines, replicas);
            if r == 0 {
                best = phases;
            } else {
                for (b, (_, steps, _)) in best.iter_mut().zip(phases) {
                    b.1.best_of(steps);
                }
            }
        }
        println!(
            "{name}: best of {runs} runs per timestamp ({:.1} s wall in all)",
            start.elapsed().as_secs_f64()
        );
        for (what, steps, note) in &best {
            println!("{name}: {what}: {}; {note}", steps.line());
            if *what == "converging" && std::env::var_os("CONVERGE_TOP").is_some() {
                print!("{}", steps.top());
            }
        }
    }
}
