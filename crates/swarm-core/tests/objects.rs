//! Configs and secrets: cluster objects created, updated and removed through Raft, with the
//! daemon's refusals, and services that reference them.

use std::collections::BTreeMap;

use swarm_core::objects::{ObjectKind, ObjectSpec, MAX_CONFIG_SIZE, MAX_SECRET_SIZE};
use swarm_core::service::FileRef;
use swarm_core::{MachineId, Role, ServiceSpec, SimDuration, World};

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
        assert_eq!(w.op_result(h), Some(&Ok(())));
    }
    w.advance(SimDuration::from_secs(5));
    w
}

fn spec(name: &str, data: &str) -> ObjectSpec {
    ObjectSpec {
        name: name.into(),
        data: data.as_bytes().to_vec(),
        ..ObjectSpec::default()
    }
}

fn create(w: &mut World, kind: ObjectKind, name: &str, data: &str) -> String {
    let (id, h) = w
        .object_create(MachineId(0), kind, spec(name, data))
        .unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    id
}

fn service(w: &mut World, spec: ServiceSpec) -> Result<String, String> {
    let (id, h) = w.service_create(MachineId(0), spec)?;
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    Ok(id)
}

fn file_ref(w: &World, kind: ObjectKind, name: &str, target: &str) -> FileRef {
    FileRef {
        source: name.into(),
        id: w
            .object(kind, name)
            .map(|o| o.id.clone())
            .unwrap_or_default(),
        target: target.into(),
        ..FileRef::default()
    }
}

#[test]
fn objects_are_stored_through_raft_with_ids_and_versions() {
    let mut w = cluster(1, 3, 0);
    let (id, h) = w
        .secret_create(MachineId(0), spec("db_pass", "s3cr3t\n"))
        .unwrap();
    // Nothing is stored before the entry commits (three managers: a round trip).
    assert!(w.secret("db_pass").is_none());
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let s = w.secret(&id).unwrap();
    assert_eq!(s.id.len(), 25);
    assert!(s
        .id
        .bytes()
        .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
    assert_eq!(s.name, "db_pass");
    assert_eq!(s.data, b"s3cr3t\n");
    assert!(s.version > 0);
    assert_eq!(s.created_at, s.updated_at);
    assert_eq!(w.secret("db_pass").unwrap().id, id);
    // Secrets and configs are separate stores.
    assert!(w.config("db_pass").is_none());
    let cid = create(&mut w, ObjectKind::Config, "db_pass", "{}");
    assert_ne!(cid, id);
    assert_eq!(w.config("db_pass").unwrap().data, b"{}");
    // References resolve as the daemon's: ID, name, unique ID prefix.
    let sw = w.swarm(0).unwrap();
    assert_eq!(sw.find_object(ObjectKind::Secret, &id[..5]).unwrap().id, id);
    assert_eq!(
        sw.find_object(ObjectKind::Secret, "nope").unwrap_err(),
        "secret nope not found"
    );
}

#[test]
fn bad_specs_are_refused_with_the_daemons_texts_and_change_nothing() {
    let mut w = cluster(2, 1, 0);
    create(&mut w, ObjectKind::Secret, "a", "x");
    let before = w.swarm(0).unwrap().secrets.clone();
    let cases = [
        (
            spec("a", "y"),
            "rpc error: code = AlreadyExists desc = secret a already exists",
        ),
        (
            spec("", "y"),
            "rpc error: code = InvalidArgument desc = name must be provided",
        ),
        (
            spec("-bad", "y"),
            "rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
        ),
        (
            spec(&"a".repeat(65), "y"),
            "rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
        ),
        (
            spec("b", ""),
            "rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than 512000 bytes",
        ),
        (
            spec("b", &"x".repeat(MAX_SECRET_SIZE)),
            "rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than 512000 bytes",
        ),
    ];
    for (s, want) in cases {
        assert_eq!(w.secret_create(MachineId(0), s).unwrap_err(), want);
    }
    // Just under the limit is fine; configs allow more.
    create(
        &mut w,
        ObjectKind::Secret,
        "big",
        &"x".repeat(MAX_SECRET_SIZE - 1),
    );
    create(
        &mut w,
        ObjectKind::Config,
        "big",
        &"x".repeat(MAX_SECRET_SIZE),
    );
    assert_eq!(
        w.config_create(MachineId(0), spec("c", &"x".repeat(MAX_CONFIG_SIZE)))
            .unwrap_err(),
        "rpc error: code = InvalidArgument desc = config data must be larger than 0 and less than 1024000 bytes"
    );
    assert_eq!(
        w.config_create(MachineId(0), spec("big", "x")).unwrap_err(),
        "rpc error: code = AlreadyExists desc = config big already exists"
    );
    let after = w.swarm(0).unwrap().secrets.clone();
    assert_eq!(after.len(), before.len() + 1);
    assert!(before.keys().all(|k| after.contains_key(k)));
}

#[test]
fn workers_and_engines_outside_a_swarm_are_refused() {
    let mut w = cluster(3, 1, 1);
    let worker = w.secret_create(MachineId(1), spec("a", "x")).unwrap_err();
    assert!(worker.starts_with("This node is not a swarm manager. Worker nodes"));
    let mut alone = World::new(3);
    alone.add_machine(None).unwrap();
    let outside = alone
        .secret_create(MachineId(0), spec("a", "x"))
        .unwrap_err();
    assert!(outside.starts_with("This node is not a swarm manager. Use \"docker swarm init\""));
    assert_eq!(
        w.object_remove(MachineId(1), ObjectKind::Config, "a")
            .unwrap_err(),
        worker
    );
}

#[test]
fn services_need_existing_objects_and_keep_them_from_removal() {
    let mut w = cluster(4, 1, 1);
    let sid = create(&mut w, ObjectKind::Secret, "db_pass", "x");
    create(&mut w, ObjectKind::Config, "app", "{}");
    // An unknown reference (or a stale ID) is the daemon's InvalidArgument.
    let mut bad = ServiceSpec::new("web", "nginx:alpine");
    bad.secrets = vec![FileRef {
        source: "nope".into(),
        id: "0123456789abcdefghijklmno".into(),
        target: "nope".into(),
        ..FileRef::default()
    }];
    assert_eq!(
        service(&mut w, bad.clone()).unwrap_err(),
        "rpc error: code = InvalidArgument desc = secret not found: nope"
    );
    bad.secrets.push(FileRef {
        source: "other".into(),
        id: "x".into(),
        target: "other".into(),
        ..FileRef::default()
    });
    assert_eq!(
        service(&mut w, bad).unwrap_err(),
        "rpc error: code = InvalidArgument desc = secrets not found: nope, other"
    );
    // Two references on one target.
    let mut clash = ServiceSpec::new("web", "nginx:alpine");
    clash.configs = vec![
        file_ref(&w, ObjectKind::Config, "app", "/etc/app.json"),
        FileRef {
            source: "app".into(),
            id: w.config("app").unwrap().id.clone(),
            target: "/etc/app.json".into(),
            ..FileRef::default()
        },
    ];
    assert_eq!(
        service(&mut w, clash).unwrap_err(),
        "rpc error: code = InvalidArgument desc = config references 'app' and 'app' have a conflict on target '/etc/app.json'"
    );
    assert!(w.swarm(0).unwrap().services.is_empty());

    let mut web = ServiceSpec::new("web", "nginx:alpine");
    web.secrets = vec![file_ref(&w, ObjectKind::Secret, "db_pass", "db_pass")];
    web.configs = vec![file_ref(&w, ObjectKind::Config, "app", "/etc/app.json")];
    service(&mut w, web).unwrap();
    let mut api = ServiceSpec::new("api", "nginx:alpine");
    api.secrets = vec![file_ref(&w, ObjectKind::Secret, "db_pass", "/run/x")];
    service(&mut w, api).unwrap();
    let s = w.swarm(0).unwrap();
    // swarmkit lists the users in store order (by service ID).
    let mut by_id: Vec<(String, String)> = s
        .services
        .iter()
        .map(|(k, x)| (k.clone(), x.spec.name.clone()))
        .collect();
    by_id.sort();
    let listed: Vec<String> = by_id.into_iter().map(|(_, n)| n).collect();
    assert_eq!(
        w.secret_remove(MachineId(0), "db_pass").unwrap_err(),
        format!(
            "rpc error: code = InvalidArgument desc = secret 'db_pass' is in use by the following services: {}",
            listed.join(", ")
        )
    );
    assert_eq!(
        w.config_remove(MachineId(0), "app").unwrap_err(),
        "rpc error: code = InvalidArgument desc = config 'app' is in use by the following service: web"
    );
    assert_eq!(
        w.secret_remove(MachineId(0), "nope").unwrap_err(),
        "secret nope not found"
    );
    // Once the services are gone, so can the objects be.
    for svc in ["web", "api"] {
        let h = w.service_remove(MachineId(0), svc).unwrap();
        w.advance(SimDuration::from_millis(100));
        assert_eq!(w.op_result(h), Some(&Ok(())));
    }
    let h = w.secret_remove(MachineId(0), &sid).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    assert!(w.secret("db_pass").is_none());
    assert!(w.config("app").is_some());
}

#[test]
fn updates_change_labels_only() {
    let mut w = cluster(5, 1, 0);
    let id = create(&mut w, ObjectKind::Config, "app", "{}");
    let created = w.config("app").unwrap().clone();
    w.advance(SimDuration::from_secs(3));
    let mut labels = BTreeMap::new();
    labels.insert("env".to_string(), "prod".to_string());
    let same = ObjectSpec {
        labels: labels.clone(),
        ..spec("app", "{}")
    };
    let h = w
        .object_update(MachineId(0), ObjectKind::Config, &id, created.version, same)
        .unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let now = w.config("app").unwrap().clone();
    assert_eq!(now.labels, labels);
    assert!(now.version > created.version);
    assert_eq!(now.created_at, created.created_at);
    assert!(now.updated_at > created.updated_at);
    // New data, a new name, or a stale version are refused.
    let only = "rpc error: code = InvalidArgument desc = only updates to Labels are allowed";
    assert_eq!(
        w.object_update(
            MachineId(0),
            ObjectKind::Config,
            &id,
            now.version,
            spec("app", "[]")
        )
        .unwrap_err(),
        only
    );
    assert_eq!(
        w.object_update(
            MachineId(0),
            ObjectKind::Config,
            &id,
            now.version,
            spec("b", "{}")
        )
        .unwrap_err(),
        only
    );
    assert_eq!(
        w.object_update(
            MachineId(0),
            ObjectKind::Config,
            &id,
            created.version,
            spec("app", "{}")
        )
        .unwrap_err(),
        "rpc error: code = Unknown desc = update out of sequence"
    );
    assert_eq!(w.config("app").unwrap(), &now);
}

#[test]
fn mount_paths_follow_the_kind() {
    assert_eq!(ObjectKind::Secret.mount_path("db"), "/run/secrets/db");
    assert_eq!(ObjectKind::Secret.mount_path("/app/s.json"), "/app/s.json");
    assert_eq!(ObjectKind::Config.mount_path("app"), "/app");
    assert_eq!(ObjectKind::Config.mount_path("/etc/a"), "/etc/a");
    let r = FileRef::default();
    assert_eq!((r.uid.as_str(), r.gid.as_str(), r.mode), ("0", "0", 0o444));
}
