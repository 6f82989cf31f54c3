//! Services on the bare world: placement, restarts, node failure, drain, scaling, updates and
//! rollbacks, as the control loop works them out in simulated time.

use swarm_core::{
    Availability, FailureAction, MachineId, Mode, NodeChange, Role, ServiceSpec, SimDuration, Task,
    TaskState, UpdateConfig, UpdateOrder, UpdateState, World,
};

/// A swarm of `managers` managers and `workers` workers, formed by init and joins.
fn cluster(seed: u64, managers: u32, workers: u32) -> World {
    let mut w = World::new(seed);
    for _ in 0..managers + workers {
        w.add_machine(None).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None).unwrap();
    let s = w.swarm(0).unwrap();
    let (wt, mt) = (s.token(Role::Worker), s.token(Role::Manager));
    for i in 1..managers + workers {
        let token = if i < managers { &mt } else { &wt };
        let h = w
            .swarm_join(MachineId(i), token, "192.168.0.11:2377")
            .unwrap();
        w.advance(SimDuration::from_millis(300));
        assert_eq!(w.op_result(h), Some(&Ok(())), "join of machine {i}");
    }
    w.advance(SimDuration::from_secs(5));
    w
}

fn create(w: &mut World, spec: ServiceSpec) -> String {
    let (id, h) = w.service_create(MachineId(0), spec).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    id
}

fn tasks(w: &World, svc: &str) -> Vec<Task> {
    let mut v: Vec<Task> = w.swarm(0).unwrap().tasks_of(svc).cloned().collect();
    v.sort_by_key(|t| (t.slot, t.created_at));
    v
}

fn running(w: &World, svc: &str) -> Vec<Task> {
    tasks(w, svc)
        .into_iter()
        .filter(|t| t.state == TaskState::Running && t.desired == TaskState::Running)
        .collect()
}

fn hostname(w: &World, node: &str) -> String {
    w.swarm(0).unwrap().node_name(node)
}

fn update(w: &mut World, svc: &str, f: impl FnOnce(&mut ServiceSpec)) {
    let s = w.swarm(0).unwrap().find_service(svc).unwrap().clone();
    let mut spec = s.spec.clone();
    f(&mut spec);
    let h = w
        .service_update(MachineId(0), svc, s.version, spec)
        .unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
}

#[test]
fn replicas_spread_over_nodes_and_run() {
    let mut w = cluster(1, 1, 2);
    let mut spec = ServiceSpec::new("web", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 6 };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(20));
    let r = running(&w, &id);
    assert_eq!(r.len(), 6, "{:#?}", tasks(&w, &id));
    let mut per_node = std::collections::BTreeMap::new();
    for t in &r {
        *per_node
            .entry(hostname(&w, t.node_id.as_deref().unwrap()))
            .or_insert(0) += 1;
    }
    assert_eq!(
        per_node.values().copied().collect::<Vec<_>>(),
        vec![2, 2, 2]
    );
    let slots: Vec<u64> = r.iter().map(|t| t.slot).collect();
    assert_eq!(slots, vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn a_program_that_exits_is_restarted_after_the_delay() {
    let mut w = cluster(2, 1, 0);
    let mut spec = ServiceSpec::new("crash", "alpine:latest");
    spec.args = vec!["sh".into(), "-c".into(), "sleep 2; exit 1".into()];
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(30));
    let all = tasks(&w, &id);
    assert!(all.len() >= 3, "{all:#?}");
    let failed: Vec<&Task> = all
        .iter()
        .filter(|t| t.state == TaskState::Failed)
        .collect();
    assert!(!failed.is_empty());
    assert_eq!(failed[0].err, "task: non-zero exit (1)");
    assert!(all.iter().all(|t| t.slot == 1));
    // History is bounded by the retention limit (5).
    w.advance(SimDuration::from_secs(120));
    assert!(tasks(&w, &id).len() <= 5);
}

#[test]
fn restart_condition_none_leaves_the_slot_empty() {
    let mut w = cluster(3, 1, 0);
    let mut spec = ServiceSpec::new("once", "alpine:latest");
    spec.args = vec!["sh".into(), "-c".into(), "exit 3".into()];
    spec.restart.condition = Some(swarm_core::RestartCondition::None);
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(30));
    let all = tasks(&w, &id);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].state, TaskState::Failed);
    assert_eq!(all[0].desired, TaskState::Shutdown);
}

#[test]
fn tasks_of_a_dead_node_move_and_do_not_come_back() {
    let mut w = cluster(4, 1, 2);
    let mut spec = ServiceSpec::new("web", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 3 };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(10));
    assert_eq!(running(&w, &id).len(), 3);
    w.power_off("node3").unwrap();
    w.advance(SimDuration::from_secs(40));
    let r = running(&w, &id);
    assert_eq!(r.len(), 3, "{:#?}", tasks(&w, &id));
    assert!(r
        .iter()
        .all(|t| hostname(&w, t.node_id.as_deref().unwrap()) != "node3"));
    // The old task keeps its frozen observed state, desired shutdown.
    let stale: Vec<Task> = tasks(&w, &id)
        .into_iter()
        .filter(|t| t.desired == TaskState::Shutdown)
        .collect();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].state, TaskState::Running);
    w.power_on("node3").unwrap();
    w.advance(SimDuration::from_secs(30));
    let r = running(&w, &id);
    assert!(r
        .iter()
        .all(|t| hostname(&w, t.node_id.as_deref().unwrap()) != "node3"));
}

#[test]
fn drain_moves_tasks_at_once() {
    let mut w = cluster(5, 1, 2);
    let mut spec = ServiceSpec::new("web", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 3 };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(10));
    let h = w
        .node_update(
            MachineId(0),
            "node2",
            NodeChange {
                availability: Some(Availability::Drain),
                ..NodeChange::default()
            },
        )
        .unwrap();
    w.advance(SimDuration::from_secs(5));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let r = running(&w, &id);
    assert_eq!(r.len(), 3, "{:#?}", tasks(&w, &id));
    assert!(r
        .iter()
        .all(|t| hostname(&w, t.node_id.as_deref().unwrap()) != "node2"));
}

#[test]
fn scale_down_removes_tasks_and_up_reuses_slots() {
    let mut w = cluster(6, 1, 2);
    let mut spec = ServiceSpec::new("web", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 5 };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(10));
    update(&mut w, &id, |s| s.mode = Mode::Replicated { replicas: 2 });
    w.advance(SimDuration::from_secs(15));
    assert_eq!(running(&w, &id).len(), 2);
    assert_eq!(tasks(&w, &id).len(), 2, "removed tasks are deleted");
    update(&mut w, &id, |s| s.mode = Mode::Replicated { replicas: 4 });
    w.advance(SimDuration::from_secs(10));
    assert_eq!(running(&w, &id).len(), 4);
}

#[test]
fn constraint_keeps_a_task_pending_until_a_label_appears() {
    let mut w = cluster(7, 1, 1);
    let mut spec = ServiceSpec::new("db", "nginx:alpine");
    spec.constraints = vec!["node.labels.storage==raid".into()];
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(5));
    let t = &tasks(&w, &id)[0];
    assert_eq!(t.state, TaskState::Pending);
    assert_eq!(
        t.err,
        "no suitable node (scheduling constraints not satisfied on 2 nodes)"
    );
    let h = w
        .node_update(
            MachineId(0),
            "node2",
            NodeChange {
                labels_add: vec![("storage".into(), "raid".into())],
                ..NodeChange::default()
            },
        )
        .unwrap();
    w.advance(SimDuration::from_secs(5));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let r = running(&w, &id);
    assert_eq!(r.len(), 1);
    assert_eq!(hostname(&w, r[0].node_id.as_deref().unwrap()), "node2");
}

#[test]
fn global_service_runs_one_task_per_node() {
    let mut w = cluster(8, 1, 2);
    let mut spec = ServiceSpec::new("agent", "nginx:alpine");
    spec.mode = Mode::Global;
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(10));
    assert_eq!(running(&w, &id).len(), 3);
    assert!(running(&w, &id).iter().all(|t| t.slot == 0));
}

#[test]
fn rolling_update_replaces_every_task_and_rollback_returns() {
    let mut w = cluster(9, 1, 0);
    let mut spec = ServiceSpec::new("timecheck", "diamol/ch12-timecheck:1.0");
    spec.mode = Mode::Replicated { replicas: 1 };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(15));
    assert_eq!(running(&w, &id).len(), 1);
    update(&mut w, &id, |s| {
        s.image = "diamol/ch12-timecheck:2.0".into()
    });
    w.advance(SimDuration::from_secs(30));
    let r = running(&w, &id);
    assert_eq!(r.len(), 1, "{:#?}", tasks(&w, &id));
    assert_eq!(r[0].spec.image, "diamol/ch12-timecheck:2.0");
    let svc = w.swarm(0).unwrap().services.get(&id).unwrap().clone();
    let st = svc.update_status.unwrap();
    assert_eq!(st.state, UpdateState::Completed);
    assert_eq!(st.message, "update completed");
    assert_eq!(tasks(&w, &id).len(), 2);
    let h = w.service_rollback(MachineId(0), &id).unwrap();
    w.advance(SimDuration::from_secs(30));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let r = running(&w, &id);
    assert_eq!(r[0].spec.image, "diamol/ch12-timecheck:1.0");
    let st = w.swarm(0).unwrap().services[&id]
        .update_status
        .clone()
        .unwrap();
    assert_eq!(st.state, UpdateState::RollbackCompleted);
}

#[test]
fn a_failing_update_rolls_back_by_itself() {
    let mut w = cluster(10, 1, 1);
    let mut spec = ServiceSpec::new("api", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 2 };
    spec.update = Some(UpdateConfig {
        parallelism: 1,
        failure_action: FailureAction::Rollback,
        monitor_ms: 30_000,
        order: UpdateOrder::StartFirst,
        ..UpdateConfig::default()
    });
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(15));
    assert_eq!(running(&w, &id).len(), 2);
    update(&mut w, &id, |s| {
        s.image = "alpine:latest".into();
        s.args = vec!["sh".into(), "-c".into(), "sleep 3; exit 2".into()];
    });
    w.advance(SimDuration::from_secs(120));
    let svc = w.swarm(0).unwrap().services[&id].clone();
    let st = svc.update_status.unwrap();
    assert_eq!(st.state, UpdateState::RollbackCompleted, "{st:?}");
    let r = running(&w, &id);
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|t| t.spec.image == "nginx:alpine"));
}

#[test]
fn removing_a_service_removes_its_tasks() {
    let mut w = cluster(11, 1, 1);
    let mut spec = ServiceSpec::new("web", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 2 };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(10));
    let h = w.service_remove(MachineId(0), &id).unwrap();
    w.advance(SimDuration::from_secs(15));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    assert!(tasks(&w, &id).is_empty());
}

#[test]
fn bad_specs_are_refused_and_change_nothing() {
    let mut w = cluster(12, 1, 0);
    let mut spec = ServiceSpec::new("bad name!", "nginx");
    assert!(w.service_create(MachineId(0), spec.clone()).is_err());
    spec.name = "ok".into();
    spec.constraints = vec!["node.role=manager".into()];
    assert_eq!(
        w.service_create(MachineId(0), spec).unwrap_err(),
        "rpc error: code = Unknown desc = constraint expected one operator from ==, !="
    );
    assert!(w.swarm(0).unwrap().services.is_empty());
    assert!(w.swarm(0).unwrap().tasks.is_empty());
}

#[test]
fn removing_a_task_container_fails_the_task_and_it_is_replaced() {
    let mut w = cluster(13, 1, 0);
    let id = create(
        &mut w,
        ServiceSpec::new("timecheck", "diamol/ch12-timecheck:1.0"),
    );
    w.advance(SimDuration::from_secs(15));
    let t = running(&w, &id).remove(0);
    let cid = t.container_id.clone().unwrap();
    w.container_remove(MachineId(0), &cid, true).unwrap();
    w.advance(SimDuration::from_secs(1));
    let old = w.swarm(0).unwrap().tasks[&t.id].clone();
    assert_eq!(old.state, TaskState::Failed);
    assert_eq!(old.err, "task: non-zero exit (137)");
    assert_eq!(old.desired, TaskState::Shutdown);
    w.advance(SimDuration::from_secs(10));
    let r = running(&w, &id);
    assert_eq!(r.len(), 1);
    assert_ne!(r[0].id, t.id);
    assert_eq!(r[0].slot, 1);
}

#[test]
fn an_unhealthy_container_is_killed_and_replaced() {
    let mut w = cluster(14, 1, 0);
    let mut spec = ServiceSpec::new("api", "diamol/ch14-numbers-api:v5");
    spec.healthcheck = Some(swarm_core::service::HealthOverride {
        interval_ms: 2_000,
        timeout_ms: 3_000,
        retries: 2,
        start_period_ms: 5_000,
        ..Default::default()
    });
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(60));
    // The numbers API exits 0 on SIGTERM: moby's executor reports no exit error, so the
    // task completes (and the restart policy replaces it), without an error.
    let ended: Vec<Task> = tasks(&w, &id)
        .into_iter()
        .filter(|t| t.state.is_terminal())
        .collect();
    assert!(!ended.is_empty(), "{:#?}", tasks(&w, &id));
    for t in &ended {
        assert_eq!(
            (t.state, t.err.as_str()),
            (TaskState::Complete, ""),
            "{t:#?}"
        );
    }
    assert!(tasks(&w, &id).len() > ended.len());

    // A program that ignores SIGTERM is killed: exit 137 with the health error as cause.
    let mut spec = ServiceSpec::new("sleeper", "busybox");
    spec.args = vec!["sleep".into(), "1d".into()];
    spec.healthcheck = Some(swarm_core::service::HealthOverride {
        test: vec!["CMD-SHELL".into(), "exit 1".into()],
        interval_ms: 2_000,
        retries: 2,
        ..Default::default()
    });
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(40));
    let failed: Vec<Task> = tasks(&w, &id)
        .into_iter()
        .filter(|t| t.state == TaskState::Failed)
        .collect();
    assert!(!failed.is_empty(), "{:#?}", tasks(&w, &id));
    assert_eq!(
        failed[0].err,
        "task: non-zero exit (137): dockerexec: unhealthy container"
    );
}

#[test]
fn healthy_tasks_run_only_once_healthy() {
    let mut w = cluster(15, 1, 0);
    let mut spec = ServiceSpec::new("api", "diamol/ch14-numbers-api:v5");
    spec.env = vec!["Broken=false".into()];
    spec.healthcheck = Some(swarm_core::service::HealthOverride {
        interval_ms: 2_000,
        timeout_ms: 3_000,
        retries: 2,
        start_period_ms: 5_000,
        ..Default::default()
    });
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_millis(1_500));
    assert!(tasks(&w, &id)
        .iter()
        .all(|t| t.state <= TaskState::Starting));
    w.advance(SimDuration::from_secs(30));
    assert_eq!(running(&w, &id).len(), 1, "{:#?}", tasks(&w, &id));
    assert_eq!(tasks(&w, &id).len(), 1);
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let run = || {
        let mut w = cluster(16, 1, 2);
        let mut spec = ServiceSpec::new("web", "nginx:alpine");
        spec.mode = Mode::Replicated { replicas: 5 };
        let id = create(&mut w, spec);
        w.advance(SimDuration::from_secs(10));
        w.power_off("node2").unwrap();
        w.advance(SimDuration::from_secs(40));
        update(&mut w, &id, |s| s.image = "nginx:latest".into());
        w.advance(SimDuration::from_secs(60));
        w.trace_hash()
    };
    assert_eq!(run(), run());
}

#[test]
fn a_new_node_gets_the_global_task_and_nothing_else_moves() {
    let mut w = cluster(17, 1, 1);
    let mut g = ServiceSpec::new("agent", "nginx:alpine");
    g.mode = Mode::Global;
    let gid = create(&mut w, g);
    let mut r = ServiceSpec::new("web", "nginx:alpine");
    r.mode = Mode::Replicated { replicas: 4 };
    let rid = create(&mut w, r);
    w.advance(SimDuration::from_secs(10));
    let before: Vec<String> = running(&w, &rid).iter().map(|t| t.id.clone()).collect();
    let m = w.add_machine(None).unwrap();
    w.advance(SimDuration::from_secs(2));
    let token = w.swarm(0).unwrap().token(Role::Worker);
    let h = w.swarm_join(m, &token, "192.168.0.11:2377").unwrap();
    w.advance(SimDuration::from_secs(10));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    assert_eq!(running(&w, &gid).len(), 3);
    let after: Vec<String> = running(&w, &rid).iter().map(|t| t.id.clone()).collect();
    assert_eq!(before, after, "no rebalancing");
}

#[test]
fn force_update_replaces_tasks_one_by_one_stop_first() {
    let mut w = cluster(18, 1, 2);
    let mut spec = ServiceSpec::new("web", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 3 };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(10));
    update(&mut w, &id, |s| s.force_update += 1);
    // Stop-first, parallelism 1: never more than 3 running, never fewer than 2.
    for _ in 0..60 {
        w.advance(SimDuration::from_millis(500));
        let n = running(&w, &id).len();
        assert!((2..=3).contains(&n), "{n} running");
    }
    assert_eq!(running(&w, &id).len(), 3);
    assert_eq!(tasks(&w, &id).len(), 6);
    let st = w.swarm(0).unwrap().services[&id]
        .update_status
        .clone()
        .unwrap();
    assert_eq!(st.state, UpdateState::Completed);
}

#[test]
fn a_failing_update_pauses_by_default() {
    let mut w = cluster(19, 1, 1);
    let mut spec = ServiceSpec::new("api", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 3 };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(10));
    update(&mut w, &id, |s| {
        s.image = "alpine:latest".into();
        s.args = vec!["sh".into(), "-c".into(), "exit 1".into()];
    });
    w.advance(SimDuration::from_secs(60));
    let svc = w.swarm(0).unwrap().services[&id].clone();
    let st = svc.update_status.unwrap();
    assert_eq!(st.state, UpdateState::Paused);
    assert!(st
        .message
        .starts_with("update paused due to failure or early termination of task "));
    // Only the first slot was touched.
    let old = running(&w, &id)
        .iter()
        .filter(|t| t.spec.image == "nginx:alpine")
        .count();
    assert_eq!(old, 2);
}

#[test]
fn a_replicated_job_runs_to_completion() {
    let mut w = cluster(20, 1, 1);
    let mut spec = ServiceSpec::new("job", "alpine:latest");
    spec.args = vec!["sh".into(), "-c".into(), "sleep 1".into()];
    spec.mode = Mode::ReplicatedJob {
        max_concurrent: 2,
        total_completions: 5,
    };
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(60));
    let done = tasks(&w, &id)
        .iter()
        .filter(|t| t.state == TaskState::Complete)
        .count();
    assert_eq!(done, 5, "{:#?}", tasks(&w, &id));
    assert!(tasks(&w, &id).iter().all(|t| !t.is_runnable()));
}

/// A large service is created, placed and started in batches: no instant creates or assigns
/// more than a pass's batch (100 tasks), and every replica still ends up running.
#[test]
fn a_large_service_converges_in_bounded_batches() {
    let mut w = cluster(7, 1, 4);
    let mut spec = ServiceSpec::new("big", "nginx:alpine");
    spec.mode = Mode::Replicated { replicas: 600 };
    let (id, _) = w.service_create(MachineId(0), spec).unwrap();
    let until = w.now() + SimDuration::from_secs(60);
    let (mut creating, mut most_new, mut most_assigned) = (0, 0, 0);
    while let Some(t) = w.next_deadline().filter(|t| *t <= until) {
        let before = w.trace_count();
        w.advance_to(t);
        let lines = (w.trace_count() - before) as usize;
        let tail: Vec<&String> = w.trace().iter().rev().take(lines).collect();
        let new = tail.iter().filter(|l| l.contains(" task-new ")).count();
        let assigned = tail.iter().filter(|l| l.ends_with(" assigned")).count();
        creating += usize::from(new > 0);
        most_new = most_new.max(new);
        most_assigned = most_assigned.max(assigned);
    }
    let running = tasks(&w, &id)
        .iter()
        .filter(|t| t.state == TaskState::Running)
        .count();
    assert_eq!(running, 600);
    assert_eq!(most_new, 100, "the largest batch of new tasks");
    assert!(
        most_assigned <= 100,
        "{most_assigned} assigned at one instant"
    );
    assert!(creating >= 6, "created over {creating} instants");
}

fn node_change(w: &mut World, node: &str, change: NodeChange) {
    let h = w.node_update(MachineId(0), node, change).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())), "node update of {node}");
}

fn label(w: &mut World, node: &str, add: bool) {
    let change = if add {
        NodeChange {
            labels_add: vec![("storage".into(), "raid".into())],
            ..NodeChange::default()
        }
    } else {
        NodeChange {
            labels_rm: vec!["storage".into()],
            ..NodeChange::default()
        }
    };
    node_change(w, node, change);
}

/// The state of a task's container on its node.
fn container_state(w: &World, t: &Task) -> Option<swarm_core::container::ContainerState> {
    let node = t.node_id.as_deref()?;
    let m = w.swarm(0).unwrap().nodes.get(node)?.machine;
    let cid = t.container_id.as_deref()?;
    w.container(m, cid).map(|c| c.state)
}

#[test]
fn the_constraint_enforcer_rejects_a_task_whose_node_lost_its_label() {
    let mut w = cluster(21, 1, 2);
    label(&mut w, "node2", true);
    let mut spec = ServiceSpec::new("db", "nginx:alpine");
    spec.constraints = vec!["node.labels.storage == raid".into()];
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(10));
    let first = running(&w, &id);
    assert_eq!(first.len(), 1);
    assert_eq!(hostname(&w, first[0].node_id.as_deref().unwrap()), "node2");

    label(&mut w, "node2", false);
    w.advance(SimDuration::from_secs(1));
    let all = tasks(&w, &id);
    assert_eq!(all.len(), 2, "{all:#?}");
    let old = all.iter().find(|t| t.id == first[0].id).unwrap();
    assert_eq!(old.state, TaskState::Rejected);
    assert_eq!(old.desired, TaskState::Shutdown);
    assert_eq!(old.message, "task rejected by constraint enforcer");
    assert_eq!(old.err, "assigned node no longer meets constraints");
    assert_eq!(
        container_state(&w, old),
        Some(swarm_core::container::ContainerState::Exited),
        "the agent stops the rejected task's container"
    );
    let new = all.iter().find(|t| t.id != first[0].id).unwrap();
    assert_eq!((new.slot, new.state), (1, TaskState::Pending));
    assert_eq!(new.desired, TaskState::Ready, "the restart delay runs");
    assert_eq!(
        new.err,
        "no suitable node (scheduling constraints not satisfied on 3 nodes)"
    );
    w.advance(SimDuration::from_secs(10));
    let old = tasks(&w, &id).into_iter().find(|t| t.id == old.id).unwrap();
    assert_eq!(
        old.state,
        TaskState::Rejected,
        "the agent's shutdown is ignored"
    );
    assert!(running(&w, &id).is_empty());

    label(&mut w, "node3", true);
    w.advance(SimDuration::from_secs(5));
    let r = running(&w, &id);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].id, new.id);
    assert_eq!(hostname(&w, r[0].node_id.as_deref().unwrap()), "node3");
    assert_eq!(tasks(&w, &id).len(), 2, "nothing else is rejected");
}

#[test]
fn the_constraint_enforcer_leaves_paused_nodes_and_other_services_alone() {
    let mut w = cluster(22, 1, 1);
    label(&mut w, "node2", true);
    let mut db = ServiceSpec::new("db", "nginx:alpine");
    db.constraints = vec!["node.labels.storage==raid".into()];
    let db = create(&mut w, db);
    let mut web = ServiceSpec::new("web", "nginx:alpine");
    web.mode = Mode::Replicated { replicas: 2 };
    let web = create(&mut w, web);
    w.advance(SimDuration::from_secs(10));
    let before: Vec<String> = running(&w, &web).iter().map(|t| t.id.clone()).collect();
    assert_eq!(before.len(), 2);
    node_change(
        &mut w,
        "node2",
        NodeChange {
            availability: Some(Availability::Pause),
            labels_rm: vec!["storage".into()],
            ..NodeChange::default()
        },
    );
    w.advance(SimDuration::from_secs(10));
    assert_eq!(
        running(&w, &db).len(),
        1,
        "a paused node's tasks are not touched"
    );
    // Back to active: the node is written again, and the enforcer looks at it.
    node_change(
        &mut w,
        "node2",
        NodeChange {
            availability: Some(Availability::Active),
            ..NodeChange::default()
        },
    );
    w.advance(SimDuration::from_secs(1));
    assert!(running(&w, &db).is_empty());
    assert!(tasks(&w, &db)
        .iter()
        .any(|t| t.state == TaskState::Rejected && t.desired == TaskState::Shutdown));
    let after: Vec<String> = running(&w, &web).iter().map(|t| t.id.clone()).collect();
    assert_eq!(before, after, "tasks without constraints stay");
}

#[test]
fn a_promoted_node_loses_its_worker_only_tasks_and_a_global_one_is_not_replaced_there() {
    let mut w = cluster(23, 1, 2);
    let mut g = ServiceSpec::new("agent", "nginx:alpine");
    g.mode = Mode::Global;
    g.constraints = vec!["node.role==worker".into()];
    let gid = create(&mut w, g);
    let mut r = ServiceSpec::new("work", "nginx:alpine");
    r.constraints = vec!["node.role==worker".into()];
    r.restart.condition = Some(swarm_core::RestartCondition::None);
    let rid = create(&mut w, r);
    w.advance(SimDuration::from_secs(10));
    assert_eq!(running(&w, &gid).len(), 2);
    let work = running(&w, &rid);
    assert_eq!(work.len(), 1);
    let node = hostname(&w, work[0].node_id.as_deref().unwrap());
    node_change(
        &mut w,
        &node,
        NodeChange {
            role: Some(Role::Manager),
            ..NodeChange::default()
        },
    );
    w.advance(SimDuration::from_secs(10));
    // The global task there is rejected and shut down, with no replacement on that node.
    let on_node: Vec<Task> = tasks(&w, &gid)
        .into_iter()
        .filter(|t| hostname(&w, t.node_id.as_deref().unwrap()) == node)
        .collect();
    assert_eq!(on_node.len(), 1, "{on_node:#?}");
    assert_eq!(on_node[0].state, TaskState::Rejected);
    assert_eq!(on_node[0].desired, TaskState::Shutdown);
    assert_eq!(running(&w, &gid).len(), 1);
    // Restart condition none: the rejected replicated task is not replaced.
    assert_eq!(tasks(&w, &rid).len(), 1);
    assert_eq!(tasks(&w, &rid)[0].state, TaskState::Rejected);
    // Demoted again: the global service comes back there.
    node_change(
        &mut w,
        &node,
        NodeChange {
            role: Some(Role::Worker),
            ..NodeChange::default()
        },
    );
    w.advance(SimDuration::from_secs(10));
    assert_eq!(running(&w, &gid).len(), 2);
}

fn port(protocol: &str, target: u16, published: u16, mode: &str) -> swarm_core::PortConfig {
    swarm_core::PortConfig {
        protocol: protocol.into(),
        target,
        published,
        mode: mode.into(),
    }
}

#[test]
fn host_mode_ports_are_bindings_of_the_task_container_reported_in_port_status() {
    let mut w = cluster(21, 1, 0);
    let mut fixed = ServiceSpec::new("hm", "nginx:alpine");
    fixed.ports = vec![port("tcp", 80, 8088, "host")];
    let fixed = create(&mut w, fixed);
    let mut eph = ServiceSpec::new("eph", "nginx:alpine");
    eph.mode = Mode::Replicated { replicas: 2 };
    eph.ports = vec![port("tcp", 80, 0, "host")];
    let eph = create(&mut w, eph);
    w.advance(SimDuration::from_secs(15));
    let m = MachineId(0);
    let mut seen = Vec::new();
    for svc in [&fixed, &eph] {
        for t in running(&w, svc) {
            let c = w.container(m, t.container_id.as_deref().unwrap()).unwrap();
            // The executor's portBindings: the published number or none.
            assert_eq!(c.config.ports.len(), 1);
            assert_eq!(c.config.ports[0].host_port, t.spec.ports[0].published);
            assert_eq!(c.bound_ports.len(), 1);
            let bound = c.bound_ports[0].host_port;
            if svc == &fixed {
                assert_eq!(bound, 8088);
            } else {
                assert!(bound >= swarm_core::container::EPHEMERAL_PORT, "{bound}");
            }
            seen.push(bound);
            // One PortStatus entry per binding (IPv4 and IPv6).
            assert_eq!(t.port_status, vec![port("tcp", 80, bound, "host"); 2]);
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3, "each task its own host port: {seen:?}");
    // A stopped task's container holds no port: its PortStatus is empty.
    update(&mut w, &fixed, |s| s.image = "nginx:1.27".into());
    w.advance(SimDuration::from_secs(20));
    let all = tasks(&w, &fixed);
    let old = all.iter().find(|t| t.spec.image == "nginx:alpine").unwrap();
    assert_eq!(old.state, TaskState::Shutdown);
    assert!(old.port_status.is_empty(), "{:?}", old.port_status);
    let new = running(&w, &fixed);
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].port_status.len(), 2);
}

#[test]
fn the_daemon_maps_port_modes_and_protocols_through_the_enum_names() {
    let mut w = cluster(22, 1, 0);
    let mut spec = ServiceSpec::new("web", "nginx:alpine");
    spec.ports = vec![
        port("TCP", 80, 8090, "hots"),
        port("foo", 81, 8091, "HOST"),
        port("Udp", 82, 8092, ""),
    ];
    let id = create(&mut w, spec);
    let got = w.swarm(0).unwrap().services[&id].spec.ports.clone();
    assert_eq!(
        got,
        vec![
            port("tcp", 80, 8090, "ingress"),
            port("tcp", 81, 8091, "host"),
            port("udp", 82, 8092, "ingress"),
        ]
    );
}

#[test]
fn an_update_worker_stuck_on_a_dead_node_does_not_hold_the_other_workers() {
    let mut w = cluster(23, 1, 4);
    let mut spec = ServiceSpec::new("web", "nginx:1.26");
    spec.mode = Mode::Replicated { replicas: 6 };
    spec.update = Some(UpdateConfig {
        parallelism: 3,
        order: UpdateOrder::StartFirst,
        ..UpdateConfig::default()
    });
    let id = create(&mut w, spec);
    w.advance(SimDuration::from_secs(20));
    assert_eq!(running(&w, &id).len(), 6);
    update(&mut w, &id, |s| s.image = "nginx:1.27".into());
    w.power_off("node2").unwrap();
    w.advance(SimDuration::from_secs(90));
    let all = tasks(&w, &id);
    let node2 = |t: &Task| hostname(&w, t.node_id.as_deref().unwrap_or_default()) == "node2";
    // New tasks given to node2 before it was seen down never run: each holds its worker.
    let stuck: Vec<u64> = all
        .iter()
        .filter(|t| t.spec.image == "nginx:1.27" && node2(t) && t.state < TaskState::Running)
        .map(|t| t.slot)
        .collect();
    assert!(!stuck.is_empty() && stuck.len() < 3, "{stuck:?} {:#?}", all);
    // The free workers went on: every other slot runs only the new image.
    for slot in 1..=6u64 {
        let live: Vec<&Task> = all
            .iter()
            .filter(|t| t.slot == slot && t.state == TaskState::Running && !node2(t))
            .filter(|t| t.desired == TaskState::Running)
            .collect();
        assert!(
            live.iter().any(|t| t.spec.image == "nginx:1.27"),
            "slot {slot}: {all:#?}"
        );
        let old = live.iter().any(|t| t.spec.image == "nginx:1.26");
        assert_eq!(old, stuck.contains(&slot), "slot {slot}: {all:#?}");
    }
    // The update waits for every worker: it never completes.
    let st = w.swarm(0).unwrap().services[&id].update_status.clone();
    assert_eq!(st.unwrap().state, UpdateState::Updating);
}
