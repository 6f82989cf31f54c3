//! The container runtime: lifecycle, restart policies, health, stop grace, power.

use std::collections::BTreeMap;

use swarm_core::catalog::{HealthConfig, Stream};
use swarm_core::container::{ContainerConfig, ContainerState, HealthStatus, RestartPolicy};
use swarm_core::{MachineId, SimDuration, SimTime, World};

fn world() -> (World, MachineId) {
    let mut w = World::new(7);
    let m = w.add_machine(None).expect("machine");
    w.advance(SimDuration::from_secs(1));
    (w, m)
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn config(image: &str, name: &str, args: &[&str]) -> ContainerConfig {
    ContainerConfig {
        name: name.into(),
        image: image.into(),
        args: s(args),
        labels: BTreeMap::new(),
        ..Default::default()
    }
}

fn run(w: &mut World, m: MachineId, cfg: ContainerConfig) -> String {
    w.image_pull(m, &cfg.image.clone()).expect("pull");
    let id = w.container_create(m, cfg).expect("create");
    w.container_start(m, &id).expect("start");
    id
}

fn state(w: &World, m: MachineId, id: &str) -> (ContainerState, i32) {
    let c = w.container(m, id).expect("container");
    (c.state, c.exit_code)
}

#[test]
fn a_program_that_exits_by_itself_is_exited_with_its_code_and_logs() {
    let (mut w, m) = world();
    let id = run(&mut w, m, config("alpine", "hi", &["echo", "hello"]));
    w.advance(SimDuration::from_millis(10));
    assert_eq!(state(&w, m, &id), (ContainerState::Exited, 0));
    let logs = w.container_logs(m, "hi", None, None, None).unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].text, "hello");
    assert_eq!(logs[0].stream, Stream::Stdout);
    let id2 = run(&mut w, m, config("alpine", "", &["sh", "-c", "exit 3"]));
    w.advance(SimDuration::from_millis(10));
    assert_eq!(state(&w, m, &id2), (ContainerState::Exited, 3));
    // A generated name, adjective_surname.
    let name = &w.container(m, &id2).unwrap().name;
    assert!(name.contains('_'), "{name}");
    // Lookup by unique prefix and by name.
    assert_eq!(w.find_container(m, &id2[..6]).unwrap().id, id2);
    assert_eq!(w.find_container(m, "/hi").unwrap().id, id);
    assert_eq!(
        w.find_container(m, "nope").unwrap_err(),
        "No such container: nope"
    );
}

#[test]
fn create_errors_are_dockers() {
    let (mut w, m) = world();
    assert_eq!(
        w.container_create(m, config("nginx:alpine", "web", &[]))
            .unwrap_err(),
        "No such image: nginx:alpine"
    );
    assert_eq!(
        w.image_pull(m, "nginx:doesnotexist").unwrap_err(),
        "manifest for nginx:doesnotexist not found: manifest unknown: manifest unknown"
    );
    // A registry of the playground that is not running: the daemon's dial error.
    assert_eq!(
        w.image_pull(m, "localhost:5000/ip").unwrap_err(),
        "Get \"http://localhost:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused"
    );
    // A registry outside the playground: pulled as a generic image.
    assert!(w.image_pull(m, "registry.example.com/team/ip").is_ok());
    let id = run(&mut w, m, config("nginx:alpine", "web", &[]));
    let err = w
        .container_create(m, config("nginx:alpine", "web", &[]))
        .unwrap_err();
    assert_eq!(err, format!("Conflict. The container name \"/web\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name."));
    assert_eq!(
        w.container_create(m, config("nginx:alpine", "bad name", &[]))
            .unwrap_err(),
        "Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
    );
    assert_eq!(
        w.container_remove(m, "web", false).unwrap_err(),
        "cannot remove container \"/web\": container is running: stop the container before removing or force remove"
    );
    w.container_remove(m, "web", true).unwrap();
    assert!(w.containers(m).is_empty());
}

#[test]
fn stop_waits_for_the_program_or_kills_at_the_grace_period() {
    let (mut w, m) = world();
    let nginx = run(&mut w, m, config("nginx:alpine", "web", &[]));
    let sleeper = run(&mut w, m, config("alpine", "sleeper", &["sleep", "1000"]));
    w.advance(SimDuration::from_secs(2));
    let t0 = w.now();
    let done = w.container_stop(m, "web", None).unwrap();
    assert!(done > t0 && done < t0 + SimDuration::from_secs(1));
    w.advance_to(done);
    assert_eq!(state(&w, m, &nginx), (ContainerState::Exited, 0));
    // nginx printed its shutdown notices.
    let logs = w.container_logs(m, "web", Some(t0), None, None).unwrap();
    assert!(!logs.is_empty());
    let done = w.container_stop(m, "sleeper", None).unwrap();
    assert_eq!(done, w.now() + SimDuration::from_secs(10));
    w.advance(SimDuration::from_secs(9));
    assert_eq!(state(&w, m, &sleeper).0, ContainerState::Running);
    w.advance(SimDuration::from_secs(1));
    assert_eq!(state(&w, m, &sleeper), (ContainerState::Exited, 137));
    // With -t 2.
    w.container_start(m, "sleeper").unwrap();
    let done = w.container_stop(m, "sleeper", Some(2_000)).unwrap();
    assert_eq!(done, w.now() + SimDuration::from_secs(2));
    // A stopped container stays stopped: no policy.
    w.advance(SimDuration::from_secs(60));
    assert_eq!(state(&w, m, &sleeper), (ContainerState::Exited, 137));
}

#[test]
fn kill_is_immediate_137_and_not_running_is_an_error() {
    let (mut w, m) = world();
    let id = run(&mut w, m, config("nginx:alpine", "web", &[]));
    w.container_kill(m, "web", "KILL").unwrap();
    assert_eq!(state(&w, m, &id), (ContainerState::Exited, 137));
    assert_eq!(
        w.container_kill(m, "web", "KILL").unwrap_err(),
        format!("cannot kill container: web: container {id} is not running")
    );
    assert_eq!(
        w.container_kill(m, "web", "BOGUS").unwrap_err(),
        "Invalid signal: BOGUS"
    );
}

#[test]
fn restart_policies_back_off_and_count() {
    let (mut w, m) = world();
    let mut cfg = config("alpine", "fail", &["sh", "-c", "exit 1"]);
    cfg.restart = RestartPolicy::OnFailure(2);
    let id = run(&mut w, m, cfg);
    w.advance(SimDuration::from_millis(1));
    assert_eq!(state(&w, m, &id), (ContainerState::Restarting, 1));
    w.advance(SimDuration::from_secs(5));
    let c = w.container(m, &id).unwrap();
    assert_eq!(
        (c.state, c.exit_code, c.restart_count),
        (ContainerState::Exited, 1, 2)
    );
    assert_eq!(c.runs.len(), 3);
    // Back-off: 100 ms, then 200 ms.
    assert_eq!(c.runs[1].0.as_millis() - c.runs[0].0.as_millis(), 100);
    assert_eq!(c.runs[2].0.as_millis() - c.runs[1].0.as_millis(), 200);

    let mut cfg = config("alpine", "ok", &["true"]);
    cfg.restart = RestartPolicy::OnFailure(0);
    let ok = run(&mut w, m, cfg);
    w.advance(SimDuration::from_secs(1));
    assert_eq!(state(&w, m, &ok), (ContainerState::Exited, 0));

    let mut cfg = config("alpine", "always", &["true"]);
    cfg.restart = RestartPolicy::Always;
    let always = run(&mut w, m, cfg);
    w.advance(SimDuration::from_secs(1));
    let c = w.container(m, &always).unwrap();
    // 100+200+400 = 700 ms: three restarts within the second.
    assert_eq!(c.restart_count, 4);
    w.container_stop(m, "always", None).unwrap();
    w.advance(SimDuration::from_secs(120));
    assert_eq!(state(&w, m, &always).0, ContainerState::Exited);

    let mut cfg = config("alpine", "gone", &["true"]);
    cfg.auto_remove = true;
    run(&mut w, m, cfg);
    w.advance(SimDuration::from_millis(1));
    assert!(w.find_container(m, "gone").is_err());
}

#[test]
fn health_goes_starting_healthy_and_unhealthy() {
    let (mut w, m) = world();
    let mut cfg = config("nginx:alpine", "web", &[]);
    cfg.healthcheck = Some(HealthConfig {
        test: s(&["CMD-SHELL", "curl -fs http://localhost/ || exit 1"]),
        interval_ms: 5_000,
        ..Default::default()
    });
    let id = run(&mut w, m, cfg);
    let status = |w: &World| w.container(m, &id).unwrap().health.clone().unwrap().status;
    assert_eq!(status(&w), HealthStatus::Starting);
    w.advance(SimDuration::from_secs(4));
    assert_eq!(status(&w), HealthStatus::Starting);
    w.advance(SimDuration::from_secs(2));
    assert_eq!(status(&w), HealthStatus::Healthy);

    let mut cfg = config("alpine", "sick", &["sleep", "1000"]);
    cfg.healthcheck = Some(HealthConfig {
        test: s(&["CMD-SHELL", "exit 1"]),
        interval_ms: 1_000,
        retries: 3,
        start_period_ms: 2_500,
        start_interval_ms: 500,
        ..Default::default()
    });
    let sick = run(&mut w, m, cfg);
    let health = |w: &World| w.container(m, &sick).unwrap().health.clone().unwrap();
    // Failures in the start period don't count while starting.
    w.advance(SimDuration::from_millis(2_400));
    assert_eq!(health(&w).status, HealthStatus::Starting);
    assert_eq!(health(&w).failing_streak, 0);
    w.advance(SimDuration::from_secs(10));
    let h = health(&w);
    assert_eq!(h.status, HealthStatus::Unhealthy);
    assert_eq!(h.log.len(), 5);
    assert_eq!(h.log[0].exit_code, 1);
}

#[test]
fn power_off_then_boot_records_255_and_restarts_always() {
    let mut w = World::new(3);
    let m = w.add_machine(Some("node1")).unwrap();
    w.advance(SimDuration::from_secs(1));
    let mut cfg = config("nginx:alpine", "web", &[]);
    cfg.restart = RestartPolicy::Always;
    let web = run(&mut w, m, cfg);
    let plain = run(&mut w, m, config("nginx:alpine", "plain", &[]));
    w.advance(SimDuration::from_secs(5));
    w.power_off("node1").unwrap();
    w.advance(SimDuration::from_secs(5));
    w.power_on("node1").unwrap();
    w.advance(SimDuration::from_secs(2));
    assert_eq!(state(&w, m, &plain), (ContainerState::Exited, 255));
    let c = w.container(m, &web).unwrap();
    assert_eq!(c.state, ContainerState::Running);
    assert_eq!(c.runs.len(), 2);
}

#[test]
fn a_stopped_container_stays_down_whatever_its_policy() {
    let (mut w, m) = world();
    let mut ids = Vec::new();
    for (name, policy) in [
        ("always", RestartPolicy::Always),
        ("unless", RestartPolicy::UnlessStopped),
        ("failure", RestartPolicy::OnFailure(0)),
    ] {
        let mut cfg = config("redis:alpine", name, &[]);
        cfg.restart = policy;
        ids.push(run(&mut w, m, cfg));
    }
    w.advance(SimDuration::from_secs(2));
    for id in &ids {
        let when = w.container_stop(m, id, Some(1_000)).unwrap();
        w.advance_to(when);
    }
    w.advance(SimDuration::from_secs(30));
    for id in &ids {
        assert_eq!(
            w.container(m, id).unwrap().state,
            ContainerState::Exited,
            "{id}"
        );
    }
}

#[test]
fn restart_stops_then_starts() {
    let (mut w, m) = world();
    let id = run(&mut w, m, config("alpine", "sl", &["sleep", "1000"]));
    let when = w.container_restart(m, "sl", Some(1_000)).unwrap();
    w.advance_to(when);
    let c = w.container(m, &id).unwrap();
    assert_eq!(c.state, ContainerState::Running);
    assert_eq!(c.runs.len(), 2);
    assert_eq!(c.runs[0].1, Some(when));
}

fn scenario(seed: u64) -> u64 {
    let mut w = World::new(seed);
    let m = w.add_machine(None).unwrap();
    w.advance(SimDuration::from_secs(1));
    for i in 0..5 {
        let mut cfg = config("alpine", "", &["sh", "-c", "sleep 2; exit 1"]);
        cfg.restart = RestartPolicy::OnFailure(i);
        run(&mut w, m, cfg);
    }
    run(&mut w, m, config("nginx:alpine", "web", &[]));
    w.advance(SimDuration::from_secs(30));
    let _ = w.container_stop(m, "web", None);
    w.advance_to(SimTime::from_millis(100_000));
    w.trace_hash()
}

#[test]
fn the_runtime_is_deterministic() {
    assert_eq!(scenario(11), scenario(11));
}
