//! How the page's URL chooses the playground: `?seed=N&machines=N&template=NAME`.
//!
//! Every parameter is optional, and a value that does not parse falls back to its default, so
//! that a mistyped link still opens a playground.
//!
//! `?bench=M` is for `cargo xtask bench` (see `xtask/src/page_bench.rs`): a swarm of M
//! machines (node1 its manager, the others workers), unsaved, with the clock's `advance` and
//! `sync` and the slices of the cluster picture timed as User Timing measures.

use std::cell::Cell;

use swarm_core::SimDuration;
use swarm_shell::{Options, Playground, TEMPLATES};

/// The most machines a link may ask for at start; more can be added from the page.
pub const MAX_START_MACHINES: usize = 16;

/// The playground options named by a URL query string (with or without its leading `?`).
pub fn options_from_query(query: &str) -> Options {
    let mut opts = Options::default();
    let query = query.strip_prefix('?').unwrap_or(query);
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "seed" => {
                if let Ok(seed) = value.parse::<u64>() {
                    opts.seed = seed;
                }
            }
            "machines" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_START_MACHINES).contains(&n) => opts.machines = n,
                _ => {}
            },
            "template" if TEMPLATES.iter().any(|(name, _)| *name == value) => {
                opts.template = Some(value.to_string());
            }
            _ => {}
        }
    }
    opts
}

/// The `bench=M` parameter of a query string (a swarm of M machines), if there is a valid one.
pub fn bench_from_query(query: &str) -> Option<usize> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let machines: usize = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("bench="))?
        .parse()
        .ok()?;
    (1..=swarm_core::world::MAX_MACHINES)
        .contains(&machines)
        .then_some(machines)
}

thread_local! {
    /// Whether the page runs a benchmark cluster (then the clock's steps are timed).
    static BENCHING: Cell<bool> = const { Cell::new(false) };
}

/// Whether the page runs a `?bench=` cluster.
pub fn benching() -> bool {
    BENCHING.with(Cell::get)
}

/// Builds the benchmark cluster the way a person would, from each machine's terminal:
/// `docker swarm init` on node1, `docker swarm join` as a worker on every other machine. The
/// benchmark then types its service into node1's terminal.
pub fn bench_playground(machines: usize) -> Result<Playground, String> {
    BENCHING.with(|b| b.set(true));
    let mut pg = Playground::new(&Options {
        machines,
        ..Options::default()
    })?;
    let quietly = |pg: &mut Playground, machine: &str, line: &str| {
        pg.submit(machine, line);
        pg.run_until_idle(machine, SimDuration::from_secs(60));
        if let Some(t) = pg.terminal_mut(machine) {
            let out = t.drain_output();
            if t.last_status() != 0 {
                let text: String = out.iter().map(|o| o.text()).collect();
                return Err(format!("bench step failed on {machine}: {line}: {text}"));
            }
        }
        Ok(())
    };
    quietly(
        &mut pg,
        "node1",
        "docker swarm init --advertise-addr 192.168.0.11 > /dev/null",
    )?;
    for name in pg.machine_names().into_iter().skip(1) {
        let join = "docker swarm join --token $(ssh node1 docker swarm join-token -q worker) \
                    192.168.0.11:2377 > /dev/null";
        quietly(&mut pg, &name, join)?;
    }
    pg.advance(SimDuration::from_secs(5));
    Ok(pg)
}

/// Runs `f`, recorded as a User Timing measure named `name` while benchmarking.
pub fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let Some(performance) = bench_performance() else {
        return f();
    };
    let start = format!("{name}-start");
    let _ = performance.mark(&start);
    let value = f();
    let _ = performance.measure_with_start_mark(name, &start);
    performance.clear_marks_with_mark_name(&start);
    value
}

/// While benchmarking, notes that a component rendered: a User Timing mark named `name` (the
/// benchmark counts them).
pub fn rendered(name: &str) {
    if let Some(performance) = bench_performance() {
        let _ = performance.mark(name);
    }
}

/// The page's `performance`, while benchmarking.
fn bench_performance() -> Option<web_sys::Performance> {
    benching()
        .then(|| web_sys::window().and_then(|w| w.performance()))
        .flatten()
}

/// The options of the page's own URL.
pub fn options_from_location() -> Options {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    options_from_query(&search)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn reads_seed_and_machines() {
        let o = options_from_query("?seed=42&machines=3");
        assert_eq!((o.seed, o.machines, o.template), (42, 3, None));
        assert_eq!(options_from_query("machines=2").machines, 2);
    }

    #[test]
    fn reads_a_bench_cluster_within_bounds() {
        assert_eq!(bench_from_query("?seed=3&bench=256"), Some(256));
        let max = swarm_core::world::MAX_MACHINES;
        assert_eq!(bench_from_query(&format!("?bench={max}")), Some(max));
        let over = format!("?bench={}", max + 1);
        for q in ["", "?bench=", "?bench=x", "?bench=0", &over, "?bench=2x3"] {
            assert_eq!(bench_from_query(q), None, "{q}");
        }
        // A bench parameter does not change the ordinary options.
        assert_eq!(options_from_query("?bench=2"), Options::default());
    }

    #[test]
    fn bad_values_fall_back_to_defaults() {
        let d = Options::default();
        for q in [
            "",
            "?",
            "?seed=-1&machines=0",
            "?seed=x&machines=99",
            "?machines",
            "?a=b&&=",
        ] {
            assert_eq!(options_from_query(q), d, "{q}");
        }
        assert_eq!(options_from_query("?template=nope").template, None);
        let known = TEMPLATES[0].0;
        assert_eq!(
            options_from_query(&format!("?template={known}"))
                .template
                .as_deref(),
            Some(known)
        );
    }
}
