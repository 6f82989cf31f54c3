//! Benchmark: simulated time per wall-clock second for an idle cluster of 5 managers and 100
//! workers over one simulated hour (heartbeats, Raft ticks and messages; no services yet).
//! Run by `cargo xtask bench`; the goal is at least 3600× (an hour in a second), natively.

#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // a benchmark measures wall time

use std::time::Instant;

use swarm_core::{MachineId, Role, SimDuration, World};

fn cluster(managers: u32, workers: u32) -> World {
    let mut w = World::new(1);
    for _ in 0..managers + workers {
        w.add_machine(None).expect("machine");
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None).expect("init");
    let s = w.swarm(0).expect("swarm");
    let (mt, wt) = (s.token(Role::Manager), s.token(Role::Worker));
    for i in 1..managers + workers {
        let token = if i < managers { &mt } else { &wt };
        w.swarm_join(MachineId(i), token, "192.168.0.11:2377")
            .expect("join");
        w.advance(SimDuration::from_millis(50));
    }
    w.advance(SimDuration::from_secs(10));
    w
}

fn main() {
    let mut w = cluster(5, 100);
    let nodes = w.swarm(0).map(|s| s.nodes.len()).unwrap_or(0);
    let events_before = w.trace_count();
    let start = Instant::now();
    w.advance(SimDuration::from_secs(3600));
    let wall = start.elapsed().as_secs_f64();
    let events = w.trace_count() - events_before;
    println!("idle_cluster_5m_100w_1h: {nodes} nodes, {events} events, {wall:.3} s wall, {:.0}x real time", 3600.0 / wall);
}
