//! Volumes and container filesystems: data that outlives containers on one machine, and
//! only there; anonymous volumes that go with their container or task; mounts resolved by
//! path; postgres and redis keeping their data in their volumes.

use std::collections::BTreeMap;

use swarm_core::appdata::RedisReply;
use swarm_core::container::ContainerConfig;
use swarm_core::container_fs::{FileMount, MountSpec, MountType};
use swarm_core::fs::FsError;
use swarm_core::service::Mount;
use swarm_core::volume::VolumeFilter;
use swarm_core::{MachineId, Mode, NodeChange, Role, ServiceSpec, SimDuration, TaskState, World};

fn machine() -> (World, MachineId) {
    let mut w = World::new(11);
    let m = w.add_machine(None).unwrap();
    w.advance(SimDuration::from_secs(1));
    (w, m)
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn vol(source: &str, target: &str) -> MountSpec {
    MountSpec {
        kind: MountType::Volume,
        source: source.into(),
        target: target.into(),
        ..Default::default()
    }
}

fn run(w: &mut World, m: MachineId, image: &str, mounts: Vec<MountSpec>) -> String {
    w.image_pull(m, image).unwrap();
    let id = w
        .container_create(
            m,
            ContainerConfig {
                image: image.into(),
                args: s(&["sleep", "infinity"]),
                mounts,
                ..Default::default()
            },
        )
        .unwrap();
    w.container_start(m, &id).unwrap();
    id
}

#[test]
fn a_named_volume_keeps_what_a_container_wrote_after_it_is_removed() {
    let (mut w, m) = machine();
    let a = run(&mut w, m, "alpine", vec![vol("data", "/data")]);
    assert_eq!(w.volumes(m).len(), 1, "created on first use");
    w.container_write(m, &a, "/data/note.txt", b"hello\n", false)
        .unwrap();
    // Outside the mount it goes to the container's own layer.
    w.container_write(m, &a, "/tmp/x", b"layer\n", false)
        .unwrap();
    assert_eq!(
        w.volume(m, "data").unwrap().data.read("/note.txt").unwrap(),
        b"hello\n"
    );
    // In use: refused with docker's text.
    let err = w.volume_remove(m, "data", false).unwrap_err();
    assert_eq!(err, format!("remove data: volume is in use - [{a}]"));
    w.container_remove(m, &a, true).unwrap();
    let b = run(&mut w, m, "alpine", vec![vol("data", "/srv/x")]);
    assert_eq!(
        w.container_read(m, &b, "/srv/x/note.txt").unwrap(),
        b"hello\n"
    );
    assert_eq!(w.container_read(m, &b, "/tmp/x"), Err(FsError::NotFound));
    w.container_remove(m, &b, true).unwrap();
    w.volume_remove(m, "data", false).unwrap();
    assert_eq!(
        w.volume_remove(m, "data", false).unwrap_err(),
        "get data: no such volume"
    );
}

#[test]
fn anonymous_volumes_go_with_rm_v_and_prune_only_takes_unused_anonymous_ones() {
    let (mut w, m) = machine();
    // redis declares VOLUME /data: an anonymous volume.
    let r = run(&mut w, m, "redis:7", vec![]);
    let anon: Vec<String> = w.volumes(m).iter().map(|v| v.name.clone()).collect();
    assert_eq!(anon.len(), 1);
    assert_eq!(anon[0].len(), 64);
    assert!(w.volume(m, &anon[0]).unwrap().anonymous);
    w.volume_create(m, Some("named"), "local", BTreeMap::new(), BTreeMap::new())
        .unwrap();
    // Nothing to prune while the container exists.
    assert!(w
        .volume_prune(m, false, &VolumeFilter::default())
        .0
        .is_empty());
    w.container_remove(m, &r, true).unwrap();
    let (pruned, _) = w.volume_prune(m, false, &VolumeFilter::default());
    assert_eq!(pruned, anon);
    assert!(w.volume(m, "named").is_some(), "named volumes need -a");
    let r2 = run(&mut w, m, "redis:7", vec![]);
    assert_eq!(w.volumes(m).len(), 2);
    w.container_remove_volumes(m, &r2, true, true).unwrap();
    assert_eq!(w.volumes(m).len(), 1, "rm -v removes the anonymous volume");
    let (all, _) = w.volume_prune(m, true, &VolumeFilter::default());
    assert_eq!(all, vec!["named".to_string()]);
}

#[test]
fn bind_mounts_need_their_source_and_see_the_machines_files() {
    let (mut w, m) = machine();
    w.image_pull(m, "alpine").unwrap();
    let bind = MountSpec {
        kind: MountType::Bind,
        source: "/db".into(),
        target: "/var/db".into(),
        ..Default::default()
    };
    let err = w
        .container_create(
            m,
            ContainerConfig {
                image: "alpine".into(),
                mounts: vec![bind.clone()],
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        "invalid mount config for type \"bind\": bind source path does not exist: /db"
    );
    assert!(w.containers(m).is_empty(), "nothing created");
    let now = w.now();
    w.fs_mut(m).unwrap().mkdir("/db", false, now).unwrap();
    let id = run(&mut w, m, "alpine", vec![bind]);
    w.container_write(m, &id, "/var/db/x", b"1", false).unwrap();
    assert_eq!(w.machine(m).unwrap().fs.read("/db/x").unwrap(), b"1");
}

#[test]
fn secrets_are_read_only_files() {
    let (mut w, m) = machine();
    w.image_pull(m, "alpine").unwrap();
    let id = w
        .container_create(
            m,
            ContainerConfig {
                image: "alpine".into(),
                args: s(&["sleep", "infinity"]),
                files: vec![FileMount {
                    target: "/run/secrets/pw".into(),
                    data: b"s3cret".to_vec(),
                    uid: "0".into(),
                    gid: "0".into(),
                    mode: 0o444,
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        w.container_read(m, &id, "/run/secrets/pw").unwrap(),
        b"s3cret"
    );
    assert_eq!(
        w.container_write(m, &id, "/run/secrets/pw", b"x", false),
        Err(FsError::ReadOnly)
    );
    let meta = w.container_stat(m, &id, "/run/secrets/pw").unwrap();
    assert_eq!(meta.mode, 0o444);
}

#[test]
fn postgres_initialises_its_volume_once() {
    let (mut w, m) = machine();
    let pg = |w: &mut World| {
        w.image_pull(m, "postgres:15-alpine").unwrap();
        let id = w
            .container_create(
                m,
                ContainerConfig {
                    image: "postgres:15-alpine".into(),
                    env: s(&["POSTGRES_PASSWORD=pw"]),
                    mounts: vec![vol("pgdata", "/var/lib/postgresql/data")],
                    ..Default::default()
                },
            )
            .unwrap();
        w.container_start(m, &id).unwrap();
        w.advance(SimDuration::from_secs(5));
        id
    };
    let first = pg(&mut w);
    let logs: Vec<String> = w
        .container_logs(m, &first, None, None, None)
        .unwrap()
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert!(logs
        .iter()
        .any(|l| l.contains("PostgreSQL init process complete")));
    assert!(w.volume(m, "pgdata").unwrap().data.exists("/PG_VERSION"));
    w.container_remove(m, &first, true).unwrap();
    let second = pg(&mut w);
    let logs: Vec<String> = w
        .container_logs(m, &second, None, None, None)
        .unwrap()
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert!(
        logs.iter().any(|l| l
            == "PostgreSQL Database directory appears to contain a database; Skipping initialization"),
        "{logs:#?}"
    );
    assert!(!logs.iter().any(|l| l.contains("init process complete")));
    assert!(w.container(m, &second).unwrap().is_running());
}

#[test]
fn redis_keeps_keys_it_saved_and_loses_what_a_kill_did_not_save() {
    let (mut w, m) = machine();
    let r = run(&mut w, m, "redis:7", vec![vol("cache", "/data")]);
    // `run` overrides the command with sleep: start a real redis instead.
    w.container_remove(m, &r, true).unwrap();
    w.image_pull(m, "redis:7").unwrap();
    let start = |w: &mut World| {
        let id = w
            .container_create(
                m,
                ContainerConfig {
                    image: "redis:7".into(),
                    mounts: vec![vol("cache", "/data")],
                    ..Default::default()
                },
            )
            .unwrap();
        w.container_start(m, &id).unwrap();
        w.advance(SimDuration::from_millis(100));
        id
    };
    let a = start(&mut w);
    let cmd = |w: &mut World, id: &str, v: &[&str]| w.redis_command(m, id, &s(v)).unwrap();
    assert_eq!(
        cmd(&mut w, &a, &["set", "k", "v"]),
        RedisReply::Status("OK".into())
    );
    assert_eq!(cmd(&mut w, &a, &["incr", "hits"]), RedisReply::Int(1));
    // Killed without a save: gone.
    w.container_remove(m, &a, true).unwrap();
    let b = start(&mut w);
    assert_eq!(cmd(&mut w, &b, &["get", "k"]), RedisReply::Bulk(None));
    cmd(&mut w, &b, &["set", "k", "kept"]);
    // A graceful stop saves the dump into the volume.
    w.container_stop(m, &b, None).unwrap();
    w.advance(SimDuration::from_secs(1));
    w.container_remove(m, &b, false).unwrap();
    assert!(w.volume(m, "cache").unwrap().data.exists("/dump.rdb"));
    let c = start(&mut w);
    assert_eq!(
        cmd(&mut w, &c, &["get", "k"]),
        RedisReply::Bulk(Some("kept".into()))
    );
    let logs: Vec<String> = w
        .container_logs(m, &c, None, None, None)
        .unwrap()
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert!(
        logs.iter().any(|l| l.contains("DB loaded from disk")),
        "{logs:#?}"
    );
}

fn cluster() -> World {
    let mut w = World::new(5);
    for _ in 0..2 {
        w.add_machine(None).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None).unwrap();
    let token = w.swarm(0).unwrap().token(Role::Worker);
    let h = w
        .swarm_join(MachineId(1), &token, "192.168.0.11:2377")
        .unwrap();
    w.advance(SimDuration::from_secs(1));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    w.advance(SimDuration::from_secs(5));
    w
}

fn running_task(w: &World, svc: &str) -> Option<(MachineId, String)> {
    let s = w.swarm(0).unwrap();
    let t = s
        .tasks_of(svc)
        .find(|t| t.state == TaskState::Running && t.desired == TaskState::Running)?;
    let m = s.nodes.get(t.node_id.as_ref()?)?.machine;
    Some((m, t.container_id.clone()?))
}

#[test]
fn a_task_volume_lives_on_its_node_and_survives_a_new_task_there_only() {
    let mut w = cluster();
    let mut spec = ServiceSpec::new("db", "alpine");
    spec.args = s(&["sleep", "infinity"]);
    spec.mode = Mode::Replicated { replicas: 1 };
    spec.mounts = vec![Mount {
        kind: "volume".into(),
        source: "app_data".into(),
        target: "/data".into(),
        labels: [("com.docker.stack.namespace".to_string(), "app".to_string())].into(),
        ..Default::default()
    }];
    let (svc, h) = w.service_create(MachineId(0), spec).unwrap();
    w.advance(SimDuration::from_secs(10));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let (m1, c1) = running_task(&w, &svc).expect("running");
    let v = w
        .volume(m1, "app_data")
        .expect("created on the task's node");
    assert_eq!(v.labels.get("com.docker.stack.namespace").unwrap(), "app");
    w.container_write(m1, &c1, "/data/items", b"milk\n", false)
        .unwrap();
    let other = if m1 == MachineId(0) {
        MachineId(1)
    } else {
        MachineId(0)
    };
    assert!(w.volume(other, "app_data").is_none());
    // The task's container dies; the replacement on the same node sees the data.
    w.container_remove(m1, &c1, true).unwrap();
    w.advance(SimDuration::from_secs(15));
    let (m2, c2) = running_task(&w, &svc).expect("replaced");
    if m2 == m1 {
        assert_eq!(w.container_read(m2, &c2, "/data/items").unwrap(), b"milk\n");
    }
    // Drain the node: the task moves, and finds a new, empty volume there.
    let node = w
        .swarm(0)
        .unwrap()
        .nodes
        .values()
        .find(|n| n.machine == m2)
        .unwrap()
        .id
        .clone();
    let h = w
        .node_update(
            MachineId(0),
            &node,
            NodeChange {
                availability: Some(swarm_core::Availability::Drain),
                ..NodeChange::default()
            },
        )
        .unwrap();
    w.advance(SimDuration::from_secs(15));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let (m3, c3) = running_task(&w, &svc).expect("moved");
    assert_ne!(m3, m2);
    assert_eq!(
        w.container_read(m3, &c3, "/data/items"),
        Err(FsError::NotFound)
    );
    assert!(
        w.volume(m2, "app_data").is_some(),
        "the old node keeps its volume"
    );
}

#[test]
fn anonymous_volumes_of_a_task_go_when_the_task_is_removed() {
    let mut w = cluster();
    let mut spec = ServiceSpec::new("cache", "redis:7");
    spec.mode = Mode::Replicated { replicas: 1 };
    let (svc, _) = w.service_create(MachineId(0), spec).unwrap();
    w.advance(SimDuration::from_secs(15));
    let (m, _) = running_task(&w, &svc).expect("running");
    assert_eq!(w.volumes(m).len(), 1);
    assert!(w.volumes(m)[0].anonymous);
    let h = w.service_remove(MachineId(0), &svc).unwrap();
    w.advance(SimDuration::from_secs(15));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    assert!(w.volumes(m).is_empty(), "{:?}", w.volumes(m));
}
