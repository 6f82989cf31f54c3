//! Apps that talk to each other: the Flask counter and its redis, the to-do list and its
//! postgres, the voting app (vote → redis → worker → postgres → result).

use swarm_core::apps::ConnectError;
use swarm_core::catalog::Stream;
use swarm_core::network::{HttpCall, HttpError, NetworkSpec};
use swarm_core::objects::ObjectSpec;
use swarm_core::service::{FileRef, Mount};
use swarm_core::{MachineId, Mode, PortConfig, Role, ServiceSpec, SimDuration, TaskState, World};

fn cluster(seed: u64, machines: u32) -> World {
    let mut w = World::new(seed);
    for _ in 0..machines {
        w.add_machine(None).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None).unwrap();
    let token = w.swarm(0).unwrap().token(Role::Worker);
    for i in 1..machines {
        let h = w
            .swarm_join(MachineId(i), &token, "192.168.0.11:2377")
            .unwrap();
        w.advance(SimDuration::from_millis(500));
        assert_eq!(w.op_result(h), Some(&Ok(())));
    }
    w.advance(SimDuration::from_secs(5));
    w
}

fn network(w: &mut World, name: &str) {
    let spec = NetworkSpec {
        name: name.into(),
        driver: "overlay".into(),
        ..NetworkSpec::default()
    };
    let (_, h) = w.network_create(MachineId(0), spec).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
}

fn service(w: &mut World, spec: ServiceSpec) -> String {
    let (id, h) = w.service_create(MachineId(0), spec).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    id
}

fn update(w: &mut World, svc: &str, f: impl FnOnce(&mut ServiceSpec)) {
    let s = w.swarm(0).unwrap().services[svc].clone();
    let mut spec = s.spec.clone();
    f(&mut spec);
    let h = w
        .service_update(MachineId(0), svc, s.version, spec)
        .unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
}

fn port(published: u16, target: u16) -> PortConfig {
    PortConfig {
        protocol: "tcp".into(),
        target,
        published,
        mode: "ingress".into(),
    }
}

fn volume(source: &str, target: &str) -> Mount {
    Mount {
        kind: "volume".into(),
        source: source.into(),
        target: target.into(),
        ..Default::default()
    }
}

fn running(w: &World, svc: &str) -> Vec<(MachineId, String)> {
    let s = w.swarm(0).unwrap();
    s.tasks_of(svc)
        .filter(|t| t.state == TaskState::Running && t.desired == TaskState::Running)
        .filter_map(|t| {
            Some((
                s.nodes.get(t.node_id.as_ref()?)?.machine,
                t.container_id.clone()?,
            ))
        })
        .collect()
}

fn get(w: &mut World, port: u16, path: &str) -> (u16, String) {
    let out = w
        .http_get(MachineId(0), None, "localhost", port, path)
        .unwrap();
    (out.reply.status, out.reply.body)
}

fn post(w: &mut World, port: u16, path: &str, body: &str, cookie: Option<&str>) -> u16 {
    let mut call = HttpCall {
        method: "POST".into(),
        path: path.into(),
        body: body.into(),
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        tls: false,
    };
    if let Some(c) = cookie {
        call.headers.push(("Cookie".into(), c.into()));
    }
    w.http_request(MachineId(0), None, "localhost", port, &call)
        .unwrap()
        .reply
        .status
}

fn logs(w: &World, m: MachineId, id: &str) -> Vec<(Stream, String)> {
    w.container_logs(m, id, None, None, None)
        .unwrap()
        .into_iter()
        .map(|l| (l.stream, l.text))
        .collect()
}

/// The seeds' counter as a student builds it (`docker build -t counter .`), on machine `m`:
/// Docker Hub has no such image.
fn build_counter(w: &mut World, m: MachineId) {
    use swarm_core::catalog::{Catalog, Image};
    let base = Catalog::get().lookup("python:3.12-slim").cloned();
    let id = format!("sha256:{}", "c0".repeat(32));
    let mut img = Image::built_from(base.as_ref(), "counter", "latest", &id, 71_235_584, 0);
    img.cmd = ["flask", "run", "--host=0.0.0.0", "--port=8000"]
        .map(String::from)
        .to_vec();
    img.workdir = "/code".into();
    img.env.push("FLASK_APP=app.py".into());
    let page = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";
    img.set_behaviour(serde_json::json!({
        "programs": ["flask", "python", "python3"],
        "app": "counter",
        "startup_ms": 350,
        "ports": [8000],
        "sigterm": { "ignore": true },
        "http": {
            "routes": [{ "path": "/", "content_type": "text/html; charset=utf-8", "body": "Hello World! I have been seen {requests} times.\n" }],
            "not_found": { "status": 404, "content_type": "text/html; charset=utf-8", "body": page }
        }
    }))
    .unwrap();
    let img = Catalog::register_built(img).unwrap();
    w.image_add_built(m, img, &[], 1, &["counter:latest".to_string()]);
}

fn counter_stack(w: &mut World) -> (String, String) {
    build_counter(w, MachineId(0));
    network(w, "app-net");
    let mut redis = ServiceSpec::new("redis", "redis:7");
    redis.networks = vec!["app-net".into()];
    redis.mounts = vec![volume("redis-data", "/data")];
    let redis = service(w, redis);
    let mut web = ServiceSpec::new("web", "counter:latest");
    web.mode = Mode::Replicated { replicas: 4 };
    web.env = vec!["REDIS_HOST=redis".into()];
    web.networks = vec!["app-net".into()];
    web.ports = vec![port(80, 8000)];
    let web = service(w, web);
    w.advance(SimDuration::from_secs(20));
    (redis, web)
}

#[test]
fn the_counter_counts_in_one_redis_across_replicas_and_keeps_the_count_in_its_volume() {
    let mut w = cluster(21, 1);
    let (redis, web) = counter_stack(&mut w);
    assert_eq!(running(&w, &web).len(), 4);
    let mut served_by = Vec::new();
    for n in 1..=4 {
        let out = w
            .http_get(MachineId(0), None, "localhost", 80, "/")
            .unwrap();
        assert_eq!(out.reply.status, 200);
        assert_eq!(
            out.reply.body,
            format!("Hello World! I have been seen {n} times.\n")
        );
        served_by.push(out.served_by.1);
    }
    served_by.sort();
    served_by.dedup();
    assert_eq!(served_by.len(), 4, "the mesh spreads the requests");
    // The replica's log has Flask's banner and werkzeug's access lines.
    let (m, c) = running(&w, &web)[0].clone();
    let lines = logs(&w, m, &c);
    assert!(lines.contains(&(Stream::Stdout, " * Serving Flask app 'app.py'".into())));
    assert!(lines
        .iter()
        .any(|(s, l)| *s == Stream::Stderr && l.ends_with("\"GET / HTTP/1.1\" 200 -")));
    // A graceful stop saves; the replacement task on the same node loads the count.
    let (rm, rc) = running(&w, &redis)[0].clone();
    w.container_stop(rm, &rc, None).unwrap();
    w.advance(SimDuration::from_secs(15));
    assert_eq!(running(&w, &redis).len(), 1);
    assert_ne!(running(&w, &redis)[0].1, rc);
    assert_eq!(
        get(&mut w, 80, "/").1,
        "Hello World! I have been seen 5 times.\n"
    );
}

#[test]
fn without_redis_the_counter_fails_with_flasks_error_page_and_traceback() {
    let mut w = cluster(22, 1);
    let (redis, web) = counter_stack(&mut w);
    update(&mut w, &redis, |s| {
        s.mode = Mode::Replicated { replicas: 0 }
    });
    w.advance(SimDuration::from_secs(5));
    let (status, body) = get(&mut w, 80, "/");
    assert_eq!(status, 500);
    assert!(body.contains("<title>500 Internal Server Error</title>"));
    let all: Vec<String> = running(&w, &web)
        .iter()
        .flat_map(|(m, c)| logs(&w, *m, c))
        .map(|(_, l)| l)
        .collect();
    assert!(all.contains(
        &"redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused."
            .to_string()
    ));
    assert!(all
        .iter()
        .any(|l| l.contains("ERROR in app: Exception on / [GET]")));
    // The service gone: the name does not resolve.
    let h = w.service_remove(MachineId(0), &redis).unwrap();
    w.advance(SimDuration::from_secs(2));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let (m, c) = running(&w, &web)[0].clone();
    assert_eq!(
        w.app_connect(m, &c, "redis", 6379),
        Err(ConnectError::NameNotFound)
    );
    assert_eq!(get(&mut w, 80, "/").0, 500);
    // A port nothing listens on is refused; the traffic log records the attempts.
    let before = w.traffic_count();
    assert_eq!(
        w.app_connect(m, &c, "localhost", 6379),
        Err(ConnectError::Refused)
    );
    let ev = w.traffic_since(before).next().unwrap();
    assert_eq!(ev.outcome, "refused");
}

fn todo_stack(w: &mut World, with_secret: bool, db_constraint: &str) -> (String, String) {
    network(w, "app-net");
    let config = br#"{ "Database": { "Provider": "Postgres" } }"#;
    let (config_id, h) = w
        .config_create(
            MachineId(0),
            ObjectSpec {
                name: "todo-list-config".into(),
                data: config.to_vec(),
                ..ObjectSpec::default()
            },
        )
        .unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let secret = br#"{ "ConnectionStrings": { "ToDoDb": "Server=todo-db;Database=todo;User Id=postgres;Password=postgres;" } }"#;
    let (secret_id, h) = w
        .secret_create(
            MachineId(0),
            ObjectSpec {
                name: "todo-list-secret".into(),
                data: secret.to_vec(),
                ..ObjectSpec::default()
            },
        )
        .unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let mut db = ServiceSpec::new("todo-db", "diamol/postgres:11.5");
    db.networks = vec!["app-net".into()];
    db.env = vec!["PGDATA=/var/lib/postgresql/data/pgdata".into()];
    db.mounts = vec![volume("todo-db-data", "/var/lib/postgresql/data")];
    db.constraints = vec![db_constraint.into()];
    let db = service(w, db);
    let mut web = ServiceSpec::new("todo-web", "diamol/ch06-todo-list");
    web.networks = vec!["app-net".into()];
    web.ports = vec![port(8080, 80)];
    web.configs = vec![FileRef {
        source: "todo-list-config".into(),
        id: config_id,
        target: "/app/config/config.json".into(),
        ..FileRef::default()
    }];
    if with_secret {
        web.secrets = vec![FileRef {
            source: "todo-list-secret".into(),
            id: secret_id,
            target: "/app/config/secrets.json".into(),
            ..FileRef::default()
        }];
    }
    let web = service(w, web);
    w.advance(SimDuration::from_secs(20));
    (db, web)
}

fn items(w: &mut World) -> Vec<String> {
    w.service_todo_items(MachineId(0), "todo-web")
        .unwrap()
        .into_iter()
        .map(|i| i.item)
        .collect()
}

#[test]
fn todo_items_live_in_postgres_and_survive_its_upgrade_on_the_same_node_only() {
    let mut w = cluster(23, 2);
    let (db, _) = todo_stack(&mut w, true, "node.role==manager");
    assert!(items(&mut w).is_empty());
    let (status, _) = get(&mut w, 8080, "/new");
    assert_eq!(status, 200);
    let out = w
        .http_request(
            MachineId(0),
            None,
            "localhost",
            8080,
            &HttpCall {
                method: "POST".into(),
                path: "/new".into(),
                body: "item=Buy+milk".into(),
                ..HttpCall::default()
            },
        )
        .unwrap();
    assert_eq!(out.reply.status, 302);
    assert_eq!(
        out.reply.headers,
        vec![("Location".to_string(), "/list".to_string())]
    );
    assert_eq!(post(&mut w, 8080, "/new", "item=Learn+swarm", None), 302);
    assert_eq!(
        post(&mut w, 8080, "/new", "item=", None),
        200,
        "invalid: the form again"
    );
    assert_eq!(items(&mut w), vec!["Buy milk", "Learn swarm"]);
    let (_, page) = get(&mut w, 8080, "/");
    assert!(page.contains("<td>Buy milk</td>"));
    assert!(page.contains("<td>Monday, 23 November 2026</td>"));
    // The rows are files under PGDATA, in the volume.
    let (m, c) = running(&w, &db)[0].clone();
    assert_eq!(m, MachineId(0));
    let rows = w.pg_rows(m, &c, "todo", "ToDos").unwrap();
    assert_eq!(rows.len(), 2);
    assert!(w
        .container_stat(m, &c, "/var/lib/postgresql/data/pgdata/base/todo/ToDos")
        .is_ok());
    // 11.5 → 11.6 on the same node: the new server finds the data.
    update(&mut w, &db, |s| s.image = "diamol/postgres:11.6".into());
    w.advance(SimDuration::from_secs(30));
    let (m2, c2) = running(&w, &db)[0].clone();
    assert_ne!(c2, c);
    assert_eq!(m2, m);
    assert_eq!(items(&mut w), vec!["Buy milk", "Learn swarm"]);
    // Placed on the other node, it starts with an empty volume there.
    update(&mut w, &db, |s| {
        s.constraints = vec!["node.role==worker".into()]
    });
    w.advance(SimDuration::from_secs(30));
    let (m3, _) = running(&w, &db)[0].clone();
    assert_eq!(m3, MachineId(1));
    assert!(items(&mut w).is_empty());
}

#[test]
fn without_the_secret_the_todo_app_fails_and_logs_the_exception() {
    let mut w = cluster(24, 1);
    let (_, web) = todo_stack(&mut w, false, "node.role==manager");
    let (status, body) = get(&mut w, 8080, "/");
    assert_eq!((status, body.as_str()), (500, ""));
    let (m, c) = running(&w, &web)[0].clone();
    let lines: Vec<String> = logs(&w, m, &c).into_iter().map(|(_, l)| l).collect();
    assert!(lines.contains(
        &"fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]".to_string()
    ));
    assert!(lines.contains(
        &"System.ArgumentException: Keyword not supported: filename (Parameter 'keyword')"
            .to_string()
    ));
    assert!(w
        .service_todo_items(MachineId(0), "todo-web")
        .unwrap_err()
        .contains("Keyword not supported"));
}

#[test]
fn without_config_each_todo_replica_keeps_its_own_list_in_its_container() {
    let mut w = cluster(25, 1);
    let mut web = ServiceSpec::new("todo-web", "diamol/ch06-todo-list");
    web.mode = Mode::Replicated { replicas: 2 };
    web.ports = vec![port(8080, 80)];
    let web = service(&mut w, web);
    w.advance(SimDuration::from_secs(20));
    assert_eq!(post(&mut w, 8080, "/new", "item=only+here", None), 302);
    let tasks = running(&w, &web);
    let mut counts: Vec<usize> = tasks
        .iter()
        .map(|(m, c)| w.todo_items(*m, c).unwrap().len())
        .collect();
    counts.sort();
    assert_eq!(counts, vec![0, 1]);
}

#[test]
fn votes_go_through_redis_and_the_worker_into_postgres_and_the_result_page() {
    let mut w = cluster(26, 2);
    network(&mut w, "frontend");
    network(&mut w, "backend");
    let mut redis = ServiceSpec::new("redis", "redis:alpine");
    redis.networks = vec!["frontend".into()];
    service(&mut w, redis);
    let mut db = ServiceSpec::new("db", "postgres:15-alpine");
    db.networks = vec!["backend".into()];
    db.env = vec![
        "POSTGRES_USER=postgres".into(),
        "POSTGRES_PASSWORD=postgres".into(),
    ];
    db.mounts = vec![volume("db-data", "/var/lib/postgresql/data")];
    service(&mut w, db);
    let mut vote = ServiceSpec::new("vote", "dockersamples/examplevotingapp_vote");
    vote.networks = vec!["frontend".into()];
    vote.ports = vec![port(8080, 80)];
    vote.mode = Mode::Replicated { replicas: 2 };
    service(&mut w, vote);
    let mut result = ServiceSpec::new("result", "dockersamples/examplevotingapp_result");
    result.networks = vec!["backend".into()];
    result.ports = vec![port(8081, 80)];
    let result = service(&mut w, result);
    let mut worker = ServiceSpec::new("worker", "dockersamples/examplevotingapp_worker");
    worker.networks = vec!["frontend".into(), "backend".into()];
    let worker = service(&mut w, worker);
    w.advance(SimDuration::from_secs(30));
    let (_, page) = get(&mut w, 8081, "/");
    assert!(page.contains("<span>No votes yet</span>"));
    // A first visit gets a voter id.
    let out = w
        .http_get(MachineId(0), None, "localhost", 8080, "/")
        .unwrap();
    assert!(out.reply.body.contains("Cats vs Dogs!"));
    assert!(out
        .reply
        .headers
        .iter()
        .any(|(k, v)| k == "Set-Cookie" && v.starts_with("voter_id=")));
    assert_eq!(post(&mut w, 8080, "/", "vote=a", Some("voter_id=x1")), 200);
    assert_eq!(post(&mut w, 8080, "/", "vote=b", Some("voter_id=x2")), 200);
    assert_eq!(post(&mut w, 8080, "/", "vote=b", Some("voter_id=x3")), 200);
    assert_eq!(post(&mut w, 8080, "/", "vote=a", Some("voter_id=x3")), 200);
    assert_eq!(post(&mut w, 8080, "/", "novote=1", None), 400);
    w.advance(SimDuration::from_secs(2));
    let (_, page) = get(&mut w, 8081, "/");
    assert!(page.contains("<div class=\"stat\">67.0%</div>"), "{page}");
    assert!(page.contains("<div class=\"stat\">33.0%</div>"));
    assert!(page.contains("<span>3 votes</span>"));
    let (m, c) = running(&w, &worker)[0].clone();
    let lines: Vec<String> = logs(&w, m, &c).into_iter().map(|(_, l)| l).collect();
    assert!(lines.contains(&"Connected to db".to_string()), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("Found redis at 10.0.")));
    assert!(lines.contains(&"Processing vote for 'a' by 'x1'".to_string()));
    let (rm, rc) = running(&w, &result)[0].clone();
    assert!(logs(&w, rm, &rc).contains(&(Stream::Stdout, "Connected to db".into())));
    // An idle worker sleeps until a vote wakes it: no step is scheduled.
    assert_eq!(w.container(m, &c).unwrap().proc.app.next_step, None);
}

#[test]
fn a_partition_makes_connections_time_out() {
    let mut w = cluster(27, 2);
    network(&mut w, "app-net");
    let mut redis = ServiceSpec::new("redis", "redis:7");
    redis.networks = vec!["app-net".into()];
    redis.constraints = vec!["node.role==worker".into()];
    service(&mut w, redis);
    build_counter(&mut w, MachineId(0));
    let mut web = ServiceSpec::new("web", "counter");
    web.networks = vec!["app-net".into()];
    web.constraints = vec!["node.role==manager".into()];
    let web = service(&mut w, web);
    w.advance(SimDuration::from_secs(20));
    let (m, c) = running(&w, &web)[0].clone();
    assert!(w.app_connect(m, &c, "redis", 6379).is_ok());
    w.partition(&[vec![MachineId(0)], vec![MachineId(1)]]);
    assert_eq!(
        w.app_connect(m, &c, "redis", 6379),
        Err(ConnectError::Unreachable)
    );
    assert!(matches!(
        w.http_get(MachineId(0), Some(&c), "localhost", 8000, "/"),
        Ok(out) if out.reply.status == 500
    ));
    let _ = HttpError::Timeout;
}
