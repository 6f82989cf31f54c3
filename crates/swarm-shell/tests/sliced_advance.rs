//! `Playground::advance_within`, the page's sliced clock: time moved in budget-interrupted
//! slices ends in the same world, the same terminal output and the same replay log as one big
//! `advance`, and each slice stops exactly where `advance` to that time would.

use std::collections::BTreeMap;

use swarm_core::{SimDuration, SimTime};
use swarm_shell::{Options, Output, Playground};

/// Everything each terminal showed, per machine (`\x0c` for a cleared screen).
type Screens = BTreeMap<String, String>;

fn drain(pg: &mut Playground, screens: &mut Screens) {
    for name in pg.machine_names() {
        let Some(t) = pg.terminal_mut(&name) else {
            continue;
        };
        let text = screens.entry(name).or_default();
        for o in t.drain_output() {
            match o {
                Output::Clear => text.push('\x0c'),
                o => text.push_str(o.text()),
            }
        }
    }
}

/// A playground with jobs that wake often and print what they see as time passes: a service
/// created with its progress display, a loop of short sleeps, a `watch`-like loop reading the
/// world, and a fault that makes the orchestrator work.
fn busy_playground() -> Playground {
    let mut pg = Playground::new(&Options {
        template: Some("1m2w".into()),
        seed: 11,
        ..Options::default()
    })
    .unwrap();
    pg.start_recording(false);
    pg.submit(
        "node1",
        "docker service create --name web --replicas 6 --update-delay 1s nginx",
    );
    pg.submit(
        "node2",
        "for i in 1 2 3 4 5 6 7 8; do sleep 0.7; echo tick $i; done",
    );
    pg.submit(
        "node3",
        "for i in 1 2 3 4 5; do sleep 2; ssh node1 docker service ls --format '{{.Replicas}}'; done",
    );
    pg
}

/// Submits the second half of the script: an update with its progress display and a crash.
fn second_half(pg: &mut Playground) {
    pg.submit(
        "node1",
        "docker service update --image nginx:alpine web; sim node kill node3",
    );
}

/// A budget that is over on every `k`-th question.
fn every(k: u64) -> impl FnMut() -> bool {
    let mut calls = 0u64;
    move || {
        calls += 1;
        calls.is_multiple_of(k)
    }
}

/// Moves `pg` by `d` in slices, each stopped by `budget`; returns how many slices it took.
/// After each slice the log's last entry is the time reached.
fn sliced(pg: &mut Playground, d: SimDuration, screens: &mut Screens, k: u64) -> usize {
    let target = pg.now() + d;
    let mut slices = 0;
    let mut budget = every(k);
    while pg.now() < target {
        let before = pg.now();
        let reached = pg.advance_within(target.saturating_since(before), &mut budget);
        slices += 1;
        assert!(reached > before || reached == target, "progress every time");
        assert_eq!(reached, pg.now());
        let log = pg.recording().unwrap().log();
        assert_eq!(
            log.entries.last().map(|e| e.at()),
            Some(reached.as_millis()),
            "the log says where time went"
        );
        drain(pg, screens);
    }
    slices
}

#[test]
fn slices_end_where_one_big_advance_ends() {
    let mut whole = busy_playground();
    let mut whole_screens = Screens::new();
    whole.advance(SimDuration::from_secs(20));
    drain(&mut whole, &mut whole_screens);
    second_half(&mut whole);
    whole.advance(SimDuration::from_secs(40));
    drain(&mut whole, &mut whole_screens);
    assert!(
        whole_screens["node2"].contains("tick 8"),
        "{:?}",
        whole_screens["node2"]
    );
    assert!(
        whole_screens["node1"].contains("verify: Service converged"),
        "{:?}",
        whole_screens["node1"]
    );

    for k in [1, 2, 3, 7, 50] {
        let mut pg = busy_playground();
        let mut screens = Screens::new();
        let first = sliced(&mut pg, SimDuration::from_secs(20), &mut screens, k);
        second_half(&mut pg);
        let second = sliced(&mut pg, SimDuration::from_secs(40), &mut screens, k);
        let least = if k < 10 { 10 } else { 2 };
        assert!(
            first >= least && second >= least,
            "k={k}: it was sliced ({first} and {second} slices)"
        );
        assert_eq!(pg.now(), whole.now(), "k={k}");
        assert_eq!(
            pg.world().trace_hash(),
            whole.world().trace_hash(),
            "k={k}: the same world"
        );
        assert_eq!(pg.world().trace_count(), whole.world().trace_count());
        assert_eq!(screens, whole_screens, "k={k}: the same terminal output");
        let log = pg.recording().unwrap().log();
        assert_eq!(
            log,
            whole.recording().unwrap().log(),
            "k={k}: slices merge into the same log"
        );
        let mut again = Playground::replay(&log).unwrap();
        let mut replayed = Screens::new();
        drain(&mut again, &mut replayed);
        assert_eq!(again.world().trace_hash(), pg.world().trace_hash());
        assert_eq!(replayed, screens, "k={k}: the replay shows the same");
        assert_eq!(again.cluster_view(), pg.cluster_view());
    }
}

#[test]
fn a_slice_is_an_advance_to_where_it_stopped() {
    // Each slice is compared with a fresh playground advanced in one go to the same time.
    let mut pg = busy_playground();
    let start = pg.now();
    let mut screens = Screens::new();
    let mut budget = every(5);
    let mut stops: Vec<SimTime> = Vec::new();
    for _ in 0..6 {
        let reached = pg.advance_within(SimDuration::from_secs(30), &mut budget);
        stops.push(reached);
        drain(&mut pg, &mut screens);
        let mut fresh = busy_playground();
        let mut fresh_screens = Screens::new();
        fresh.advance(reached.saturating_since(start));
        drain(&mut fresh, &mut fresh_screens);
        assert_eq!(fresh.now(), reached);
        assert_eq!(
            fresh.world().trace_hash(),
            pg.world().trace_hash(),
            "stopped at {reached:?}"
        );
        assert_eq!(fresh_screens, screens, "stopped at {reached:?}");
    }
    assert!(
        stops.windows(2).all(|w| w[0] < w[1]),
        "each slice moves on: {stops:?}"
    );
    assert!(
        stops.last().unwrap().saturating_since(start) < SimDuration::from_secs(30),
        "stopped early every time: {stops:?}"
    );
}

#[test]
fn a_budget_never_over_is_a_plain_advance() {
    let mut a = busy_playground();
    let mut b = busy_playground();
    a.advance(SimDuration::from_secs(12));
    let reached = b.advance_within(SimDuration::from_secs(12), &mut || false);
    assert_eq!(reached, a.now());
    assert_eq!(a.world().trace_hash(), b.world().trace_hash());
    // Always over budget: one timestamp per call, but every call moves on.
    let mut c = busy_playground();
    let target = c.now() + SimDuration::from_secs(2);
    let mut calls = 0;
    while c.now() < target {
        let before = c.now();
        let reached = c.advance_within(target.saturating_since(before), &mut || true);
        assert!(reached > before);
        calls += 1;
    }
    assert!(calls > 1, "{calls}");
    assert_eq!(c.now(), target);
}
