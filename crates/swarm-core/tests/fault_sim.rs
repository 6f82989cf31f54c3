//! Seeded fault simulation: random operations and faults on a five-machine swarm, the
//! invariants checked after every step, then faults healed and convergence required within a
//! bounded simulated time. A failing seed prints how to reproduce it; keep it as a named
//! regression test below.

use swarm_core::check::Checker;
use swarm_core::{
    Availability, MachineId, Mode, NodeChange, NodeState, Role, ServiceSpec, SimDuration, SimRng,
    TaskState, World,
};

const MACHINES: u32 = 5;

/// One random operation or fault.
#[derive(Debug, Clone)]
enum Step {
    Join(u32, Role),
    Promote(u32),
    Demote(u32),
    Drain(u32),
    Kill(u32),
    Boot(u32),
    Partition(Vec<u32>),
    Heal,
    Leave(u32),
    /// `docker service update --image` of the `web` service (alternating images).
    UpdateImage,
    /// `docker service scale web=N`.
    Scale(u64),
    Wait(u64),
}

fn random_step(r: &mut SimRng) -> Step {
    let m = r.range_inclusive(0, u64::from(MACHINES) - 1) as u32;
    match r.range_inclusive(0, 13) {
        0 | 1 => Step::Join(
            m,
            if r.range_inclusive(0, 1) == 0 {
                Role::Manager
            } else {
                Role::Worker
            },
        ),
        2 => Step::Promote(m),
        3 => Step::Demote(m),
        4 => Step::Drain(m),
        5 => Step::Kill(m),
        6 => Step::Boot(m),
        7 => {
            let group: Vec<u32> = (0..MACHINES)
                .filter(|_| r.range_inclusive(0, 1) == 0)
                .collect();
            Step::Partition(group)
        }
        8 => Step::Heal,
        9 => Step::Leave(m),
        10 => match r.range_inclusive(0, 1) {
            0 => Step::UpdateImage,
            _ => Step::Scale(r.range_inclusive(0, 6)),
        },
        _ => Step::Wait(r.range_inclusive(100, 8000)),
    }
}

fn name(m: u32) -> String {
    format!("node{}", m + 1)
}

/// Some manager that can reach the leader, to send control calls through.
fn a_manager(w: &World) -> Option<MachineId> {
    (0..MACHINES).map(MachineId).find(|m| w.control(*m).is_ok())
}

fn apply(w: &mut World, step: &Step) {
    // Every call may be refused; refusals are part of the test (the world must stay sound).
    match step {
        Step::Join(m, role) => {
            let Some(via) = a_manager(w) else { return };
            let Some(s) = w.swarm(0) else { return };
            let token = s.token(*role);
            let addr = w.machine(via).map(|x| x.ip.to_string()).unwrap_or_default();
            let _ = w.swarm_join(MachineId(*m), &token, &format!("{addr}:2377"));
        }
        Step::Promote(m) | Step::Demote(m) | Step::Drain(m) => {
            let Some(via) = a_manager(w) else { return };
            let change = match step {
                Step::Promote(_) => NodeChange {
                    role: Some(Role::Manager),
                    ..NodeChange::default()
                },
                Step::Demote(_) => NodeChange {
                    role: Some(Role::Worker),
                    ..NodeChange::default()
                },
                _ => NodeChange {
                    availability: Some(Availability::Drain),
                    ..NodeChange::default()
                },
            };
            let _ = w.node_update(via, &name(*m), change);
        }
        Step::Kill(m) => {
            // Keep node1 (the first manager) alive so the cluster can always recover.
            if *m != 0 {
                let _ = w.power_off(&name(*m));
            }
        }
        Step::Boot(m) => {
            let _ = w.power_on(&name(*m));
        }
        Step::Partition(g) => w.partition(&[g.iter().map(|m| MachineId(*m)).collect()]),
        Step::Heal => w.heal(),
        Step::Leave(m) => {
            if *m != 0 {
                let _ = w.swarm_leave(MachineId(*m), false);
            }
        }
        Step::UpdateImage | Step::Scale(_) => {
            let Some(via) = a_manager(w) else { return };
            let Some(svc) = w.swarm(0).and_then(|s| s.find_service("web").ok()).cloned() else {
                return;
            };
            let mut spec = svc.spec.clone();
            match step {
                Step::Scale(n) => spec.mode = Mode::Replicated { replicas: *n },
                _ => {
                    spec.image = if spec.image == "nginx:alpine" {
                        "nginx:latest".into()
                    } else {
                        "nginx:alpine".into()
                    }
                }
            }
            let _ = w.service_update(via, "web", svc.version, spec);
        }
        Step::Wait(ms) => w.advance(SimDuration::from_millis(*ms)),
    }
}

/// Runs one seed; Err carries the reproduction text.
fn run_seed(seed: u64, steps: usize) -> Result<(), String> {
    let mut w = World::new(seed);
    for _ in 0..MACHINES {
        w.add_machine(None).map_err(|e| e.to_string())?;
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None)?;
    let mut web = ServiceSpec::new("web", "nginx:alpine");
    web.mode = Mode::Replicated { replicas: 3 };
    w.service_create(MachineId(0), web)?;
    let mut checker = Checker::new();
    let mut r = SimRng::stream(seed, "fault-sim");
    let mut history = Vec::new();
    for i in 0..steps {
        let step = random_step(&mut r);
        history.push(step.clone());
        apply(&mut w, &step);
        w.advance(SimDuration::from_millis(r.range_inclusive(0, 1500)));
        checker
            .check(&w)
            .map_err(|e| format!("seed {seed}, step {i} ({step:?}): {e}\nsteps: {history:?}\nreproduce: run_seed({seed}, {})", i + 1))?;
    }
    // Heal everything and require convergence within two minutes of simulated time.
    w.heal();
    for m in 0..MACHINES {
        let _ = w.power_on(&name(m));
    }
    let mut converged = false;
    for _ in 0..120 {
        w.advance(SimDuration::from_secs(1));
        checker
            .check(&w)
            .map_err(|e| format!("seed {seed}, healing: {e}\nsteps: {history:?}"))?;
        let s = w.swarm(0).ok_or("no swarm")?;
        let leader = s.leader().is_some();
        let members_ready = s
            .nodes
            .values()
            .filter(|n| w.membership(n.machine).is_some_and(|ms| ms.node_id == n.id))
            .all(|n| n.state == NodeState::Ready);
        // The service runs its replicas wherever a node can take them.
        let service_ok = match s.find_service("web") {
            Ok(svc) => {
                let Mode::Replicated { replicas } = svc.spec.mode else {
                    return Err("web is not replicated".into());
                };
                let usable = s
                    .nodes
                    .values()
                    .filter(|n| w.membership(n.machine).is_some_and(|ms| ms.node_id == n.id))
                    .any(|n| n.state == NodeState::Ready && n.availability == Availability::Active);
                let running = s
                    .tasks_of(&svc.id)
                    .filter(|t| {
                        t.state == TaskState::Running
                            && t.desired == TaskState::Running
                            && t.node_id
                                .as_ref()
                                .and_then(|n| s.nodes.get(n))
                                .is_some_and(|n| n.state == NodeState::Ready)
                    })
                    .count() as u64;
                !usable || running == replicas
            }
            Err(_) => false,
        };
        if leader && members_ready && service_ok {
            converged = true;
            break;
        }
    }
    if !converged {
        let s = w.swarm(0).ok_or("no swarm")?;
        let states: Vec<String> = s
            .nodes
            .values()
            .map(|n| format!("{}:{:?}:{:?}:{:?}", n.hostname, n.state, n.role, n.raft_id))
            .collect();
        let raft: Vec<String> = s
            .raft_members()
            .iter()
            .map(|(m, id)| {
                format!(
                    "{m}=id{id} voters{:?} status{:?} power{:?}",
                    s.voters(*m),
                    s.raft_status(*m),
                    w.machine(*m).map(|x| x.power)
                )
            })
            .collect();
        let tasks: Vec<String> = s
            .tasks
            .values()
            .map(|t| {
                format!(
                    "{}.{} v{} {}/{} on {:?} err {:?}",
                    t.spec.name,
                    t.slot,
                    t.spec_version,
                    t.state.as_str(),
                    t.desired.as_str(),
                    t.node_id.as_ref().map(|n| s.node_name(n)),
                    t.err
                )
            })
            .collect();
        return Err(format!(
            "seed {seed}: no convergence 120 s after healing (leader {:?}, nodes {states:?}, raft {raft:?}, tasks {tasks:#?}, updates {:?})\nsteps: {history:?}",
            s.leader(),
            s.find_service("web").ok().map(|x| x.update_status.clone())
        ));
    }
    Ok(())
}

#[test]
fn random_faults_keep_invariants_and_converge() {
    let seeds: u64 = std::env::var("FAULT_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let mut failures = Vec::new();
    for seed in 0..seeds {
        if let Err(e) = run_seed(seed, 40) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {seeds} seeds failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn same_seed_same_history() {
    let trace = |seed| {
        let mut w = World::new(seed);
        for _ in 0..MACHINES {
            w.add_machine(None).unwrap();
        }
        w.advance(SimDuration::from_secs(1));
        w.swarm_init(MachineId(0), None).unwrap();
        let mut r = SimRng::stream(seed, "fault-sim");
        for _ in 0..30 {
            let step = random_step(&mut r);
            apply(&mut w, &step);
            w.advance(SimDuration::from_millis(700));
        }
        w.trace_hash()
    };
    assert_eq!(trace(11), trace(11));
    assert_ne!(trace(11), trace(12));
}

/// Debug aid: prints the state after a seed's run.
#[test]
#[ignore]
fn debug_seed() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(154);
    let r = run_seed(seed, 40);
    eprintln!("{r:?}");
}

/// Seed 154 once ended with three live managers in a split vote forever: each member had a
/// fixed election timeout, and two that shared one campaigned in lock step. Fixed by drawing a
/// new timeout from the member's seeded stream at every change of term or role.
#[test]
fn regression_seed_154_split_vote_forever() {
    run_seed(154, 40).unwrap();
}

/// Seed 16 once promoted a node that had left the swarm and gave its machine Raft state,
/// a worker holding a Raft member after it joined again. Only live nodes become voters now.
#[test]
fn regression_seed_16_promote_after_leave() {
    run_seed(16, 40).unwrap();
}

/// Seed 363 once kept a Raft member whose voter had been removed (the member sat on another
/// machine than the record that carried the id). Removal now goes by Raft id.
#[test]
fn regression_seed_363_stale_member_after_removal() {
    run_seed(363, 40).unwrap();
}

/// Debug aid: prints one seed's failure in full (`SEED=N`).
#[test]
#[ignore]
fn debug_seed_full() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(39);
    if let Err(e) = run_seed(seed, 40) {
        eprintln!("{e}");
    }
}
