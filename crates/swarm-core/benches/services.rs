//! Benchmark: the control loop under load. A lab-sized swarm (3 managers, 2 workers) and a
//! large one (5 managers, 100 workers), each running services with rolling updates, a crash
//! loop and a node failure, advanced through simulated time. Reports simulated time per
//! wall-clock second; the goal is at least 60× real time for the large case (a page must keep
//! up with real time with room to spare) and 3600× for the lab-sized one.
//! Run by `cargo xtask bench`.

#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // a benchmark measures wall time

use std::time::Instant;

use swarm_core::{MachineId, Mode, Role, ServiceSpec, SimDuration, World};

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

fn run(name: &str, managers: u32, workers: u32, services: u32, replicas: u64, minutes: u64) {
    let mut w = cluster(managers, workers);
    let events_before = w.trace_count();
    let start = Instant::now();
    for i in 0..services {
        let mut spec = ServiceSpec::new(&format!("web{i}"), "nginx:alpine");
        spec.mode = Mode::Replicated { replicas };
        w.service_create(MachineId(0), spec).expect("create");
    }
    let mut crash = ServiceSpec::new("crash", "alpine:latest");
    crash.args = vec!["sh".into(), "-c".into(), "sleep 3; exit 1".into()];
    w.service_create(MachineId(0), crash).expect("create");
    w.advance(SimDuration::from_secs(60));
    for i in 0..services {
        let name = format!("web{i}");
        let Some(svc) = w.swarm(0).and_then(|s| s.find_service(&name).ok()).cloned() else {
            continue;
        };
        let mut spec = svc.spec.clone();
        spec.image = "nginx:latest".into();
        let _ = w.service_update(MachineId(0), &name, svc.version, spec);
    }
    w.advance(SimDuration::from_secs(30));
    let last = format!("node{}", managers + workers);
    w.power_off(&last).expect("power off");
    let total = minutes * 60;
    w.advance(SimDuration::from_secs(total.saturating_sub(90)));
    let wall = start.elapsed().as_secs_f64();
    let events = w.trace_count() - events_before;
    let tasks = w.swarm(0).map(|s| s.tasks.len()).unwrap_or(0);
    println!(
        "{name}: {services} services x {replicas}, {tasks} tasks at the end, {events} events, {wall:.3} s wall, {:.0}x real time",
        total as f64 / wall
    );
}

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let cases: [(&str, u32, u32, u32, u64, u64); 2] = [
        ("services_lab_3m2w_10x3_30min", 3, 2, 10, 3, 30),
        ("services_large_5m100w_50x20_10min", 5, 100, 50, 20, 10),
    ];
    for (name, m, wk, s, r, min) in cases {
        if name.contains(filter.as_str()) || filter.starts_with('-') {
            run(name, m, wk, s, r, min);
        }
    }
}
