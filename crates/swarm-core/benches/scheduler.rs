//! Benchmark: the scheduler (`swarm_core::scheduler`) on the shapes of swarmkit's scheduler
//! benchmark (`BenchmarkScheduler1kNodes{1k,10k,100k}Tasks`): 1000 nodes with a few labels,
//! tasks of one service scheduled one at a time (`schedule(nodes, d, 1)`, counters updated
//! between calls). swarmkit took 98 ms / 548 ms / 6.16 s on 8 threads; the goal is at least
//! 10× faster natively on one thread. Plus one batched call of 10k tasks (goal ≤ 10 ms), and
//! 10k tasks one at a time with the constraint `node.labels.zone==a`, which half the nodes
//! match (swarmkit has no figure for it: it is shown against the unconstrained 10k goal).
//!
//! `cargo bench -p swarm-core --bench scheduler [-- <part of a shape's name>]`.

#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // a benchmark measures wall time

use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::time::Instant;

use swarm_core::scheduler::{parse_constraints, schedule, Demand, NodeInfo};

const NODES: usize = 1_000;

fn nodes() -> Vec<NodeInfo> {
    (0..NODES)
        .map(|i| {
            let mut labels = BTreeMap::new();
            let zone = if i % 2 == 0 { "a" } else { "b" };
            labels.insert("zone".to_string(), zone.to_string());
            labels.insert("rack".to_string(), format!("r{}", i % 10));
            labels.insert("tier".to_string(), "frontend".to_string());
            let mut engine_labels = BTreeMap::new();
            engine_labels.insert("disk".to_string(), "ssd".to_string());
            NodeInfo {
                // 25 characters, like swarm IDs.
                id: format!("{:025}", 7_919 * i as u64 + 13).replace('0', "q"),
                hostname: format!("node-{i:04}"),
                role: if i < 3 { "manager" } else { "worker" }.to_string(),
                addr: Ipv4Addr::new(10, 0, (i / 250) as u8, (i % 250) as u8 + 1),
                ready: true,
                active: true,
                labels,
                engine_labels,
                os: "linux".to_string(),
                arch: "x86_64".to_string(),
                nano_cpus: 4_000_000_000,
                memory_bytes: 8 << 30,
                ..NodeInfo::default()
            }
        })
        .collect()
}

fn demand(constraints: &[&str]) -> Demand {
    let exprs: Vec<String> = constraints.iter().map(|s| s.to_string()).collect();
    Demand {
        service_id: "xk3v9q2m7w1b5n8c4d6f0g2h1".to_string(),
        failure_key: "xk3v9q2m7w1b5n8c4d6f0g2h1/1".to_string(),
        constraints: parse_constraints(&exprs).expect("constraints"),
        ..Demand::default()
    }
}

struct Shape<'a> {
    name: &'a str,
    tasks: usize,
    demand: &'a Demand,
    one_at_a_time: bool,
    /// Seconds.
    goal: f64,
}

/// Runs a shape on fresh nodes; returns the seconds taken. Checks that every task was placed
/// and that the service is spread evenly over the nodes that may run it.
fn run(s: &Shape<'_>) -> f64 {
    let mut ns = nodes();
    let start = Instant::now();
    let mut placed = 0usize;
    if s.one_at_a_time {
        for _ in 0..s.tasks {
            let p = schedule(black_box(&mut ns), black_box(s.demand), 1);
            placed += usize::from(p.assignments[0].is_some());
        }
    } else {
        let p = schedule(black_box(&mut ns), black_box(s.demand), s.tasks);
        placed = p.assignments.iter().filter(|a| a.is_some()).count();
    }
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(placed, s.tasks, "{}: every task is placed", s.name);
    let eligible = if s.demand.constraints.is_empty() {
        NODES
    } else {
        NODES / 2
    };
    let per_node = s.tasks / eligible;
    for n in &ns {
        let count = n.active_tasks;
        let may = s.demand.constraints.is_empty() || n.labels["zone"] == "a";
        let want = if may { per_node } else { 0 };
        assert!(
            count == want || (may && count == want + 1),
            "{}: uneven",
            s.name
        );
    }
    wall
}

fn main() {
    let plain = demand(&[]);
    let zone_a = demand(&["node.labels.zone==a"]);
    let shape = |name, tasks, demand, one_at_a_time, goal| Shape {
        name,
        tasks,
        demand,
        one_at_a_time,
        goal,
    };
    let shapes = [
        shape(
            "1k nodes x 1k tasks, one at a time",
            1_000,
            &plain,
            true,
            0.098 / 10.0,
        ),
        shape(
            "1k nodes x 10k tasks, one at a time",
            10_000,
            &plain,
            true,
            0.548 / 10.0,
        ),
        shape(
            "1k nodes x 100k tasks, one at a time",
            100_000,
            &plain,
            true,
            6.16 / 10.0,
        ),
        shape(
            "1k nodes x 10k tasks, one batch",
            10_000,
            &plain,
            false,
            0.010,
        ),
        shape(
            "1k nodes x 10k tasks, zone==a, one at a time",
            10_000,
            &zone_a,
            true,
            0.548 / 10.0,
        ),
    ];
    // `cargo bench --bench scheduler -- zone` runs the shapes whose name contains "zone".
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    println!(
        "{:<46} {:>10} {:>10} {:>8}",
        "scheduler shape", "time", "goal", "of goal"
    );
    for s in &shapes {
        if !filter.is_empty() && !filter.iter().any(|f| s.name.contains(f.as_str())) {
            continue;
        }
        // The best of three runs, each on fresh nodes.
        let wall = (0..3).map(|_| run(s)).fold(f64::INFINITY, f64::min);
        println!(
            "{:<46} {:>8.2}ms {:>8.2}ms {:>7.0}%",
            s.name,
            wall * 1e3,
            s.goal * 1e3,
            100.0 * wall / s.goal
        );
    }
}
