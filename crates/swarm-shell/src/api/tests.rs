//! The API without sockets.

use super::*;
use crate::{Options, Playground};

fn pg(template: Option<&str>) -> Playground {
    let opts = Options {
        template: template.map(str::to_string),
        machines: 2,
        ..Options::default()
    };
    Playground::new(&opts).expect("playground")
}

fn get(pg: &mut Playground, m: &str, target: &str) -> Response {
    handle(pg, m, &Request::new("GET", target, b""))
}

#[test]
fn ping_says_swarm_state() {
    let mut p = pg(None);
    let r = handle(&mut p, "node1", &Request::new("HEAD", "/_ping", b""));
    assert_eq!(r.status, 200);
    let h = |k: &str| {
        r.headers
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(h("Swarm").as_deref(), Some("inactive"));
    assert_eq!(h("Api-Version").as_deref(), Some("1.50"));
    let mut p = pg(Some("1m1w"));
    let r = get(&mut p, "node2", "/v1.50/_ping");
    assert_eq!(r.text(), "OK");
    assert!(r
        .headers
        .contains(&("Swarm".into(), "active/worker".into())));
}

#[test]
fn versions_outside_the_range_are_refused() {
    let mut p = pg(None);
    let r = get(&mut p, "node1", "/v1.51/version");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("client version 1.51 is too new"));
    let r = get(&mut p, "node1", "/v1.12/version");
    assert!(r.text().contains("is too old"), "{}", r.text());
    assert_eq!(get(&mut p, "node1", "/v1.41/version").status, 200);
}

#[test]
fn errors_are_the_daemons() {
    let mut p = pg(None);
    let r = get(&mut p, "node1", "/v1.50/nodes");
    assert_eq!(r.status, 503);
    assert!(r
        .text()
        .starts_with("{\"message\":\"This node is not a swarm manager."));
    let mut p = pg(Some("1m1w"));
    let r = get(&mut p, "node1", "/v1.50/services/nope");
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), "{\"message\":\"service nope not found\"}\n");
    let r = get(&mut p, "node2", "/v1.50/services");
    assert_eq!(r.status, 503);
}

#[test]
fn services_round_trip_through_the_api() {
    let mut p = pg(Some("1m1w"));
    let spec = br#"{"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"nginx:latest"}},"Mode":{"Replicated":{"Replicas":3}}}"#;
    let r = handle(
        &mut p,
        "node1",
        &Request::new("POST", "/v1.50/services/create", spec),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    p.advance(swarm_core::SimDuration::from_secs(30));
    let r = get(&mut p, "node1", "/v1.50/services?status=true");
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v[0]["ServiceStatus"]["RunningTasks"], 3, "{v}");
    let r = get(
        &mut p,
        "node1",
        "/v1.50/tasks?filters=%7B%22service%22%3A%7B%22web%22%3Atrue%7D%7D",
    );
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(3));
    assert_eq!(v[0]["Status"]["State"], "running");
    // Our own inspect shows the same object the API serves.
    let r = get(&mut p, "node1", "/v1.50/services/web?insertDefaults=true");
    let served: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let r = handle(
        &mut p,
        "node1",
        &Request::new("POST", "/_swarmsh/exec", b"docker service inspect web"),
    );
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let ours: serde_json::Value = serde_json::from_str(v["stdout"].as_str().unwrap_or("")).unwrap();
    assert_eq!(ours[0], served);
}

#[test]
fn logs_are_multiplexed() {
    let mut p = pg(Some("1m1w"));
    let spec = br#"{"Name":"pinger","TaskTemplate":{"ContainerSpec":{"Image":"alpine","Args":["ping","127.0.0.1"]}},"Mode":{"Replicated":{"Replicas":1}}}"#;
    let r = handle(
        &mut p,
        "node1",
        &Request::new("POST", "/services/create", spec),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    p.advance(swarm_core::SimDuration::from_secs(20));
    let r = get(
        &mut p,
        "node1",
        "/v1.50/services/pinger/logs?stdout=1&details=1",
    );
    assert!(r.body.len() > 8, "{}", r.text());
    assert_eq!(r.body[0], 1);
    let len = u32::from_be_bytes([r.body[4], r.body[5], r.body[6], r.body[7]]) as usize;
    let line = String::from_utf8_lossy(&r.body[8..8 + len]).into_owned();
    assert!(line.starts_with("com.docker.swarm.node.id="), "{line}");
    assert!(line.ends_with('\n'));
}

#[test]
fn query_decoding() {
    assert_eq!(
        parse_query("a=1&filters=%7B%22x%22%7D&b=x+y&c"),
        vec![
            ("a".into(), "1".into()),
            ("filters".into(), "{\"x\"}".into()),
            ("b".into(), "x y".into()),
            ("c".into(), String::new()),
        ]
    );
    assert_eq!(parse_query("bad=%zz%"), vec![("bad".into(), "%zz%".into())]);
}

/// Types `line` at node1 and lets it finish.
fn type_at_node1(p: &mut Playground, line: &str) {
    p.submit("node1", line);
    assert!(p.run_until_idle("node1", crate::IDLE_LIMIT), "{line}");
}

#[test]
fn prunes_through_the_api() {
    let mut p = pg(None);
    for line in [
        "docker pull -q alpine",
        "docker run --name done alpine true",
        "docker network create spare",
        "echo one > a.txt",
        "printf 'FROM alpine\\nCOPY a.txt /\\n' > Dockerfile",
        "docker build -q -t app . 2>/dev/null",
        "echo two > a.txt",
        "docker build -q -t app . 2>/dev/null",
    ] {
        type_at_node1(&mut p, line);
    }
    let post = |p: &mut Playground, target: &str| {
        let r = handle(p, "node1", &Request::new("POST", target, b""));
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        serde_json::from_str::<serde_json::Value>(&r.text()).expect("json")
    };
    let c = post(&mut p, "/v1.50/containers/prune");
    assert_eq!(c["ContainersDeleted"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        post(&mut p, "/v1.50/containers/prune")["ContainersDeleted"],
        serde_json::Value::Null
    );
    let n = post(&mut p, "/v1.50/networks/prune");
    assert_eq!(n["NetworksDeleted"], serde_json::json!(["spare"]));
    // Only the dangling image (the first build) by default; with dangling=false every unused one.
    let i = post(&mut p, "/v1.50/images/prune");
    let deleted = i["ImagesDeleted"].as_array().cloned().unwrap_or_default();
    assert!(deleted.iter().all(|d| d.get("Untagged").is_none()), "{i}");
    assert!(!deleted.is_empty(), "{i}");
    let filters = "%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%7D";
    let i = post(&mut p, &format!("/v1.50/images/prune?filters={filters}"));
    let text = i.to_string();
    assert!(text.contains("\"Untagged\":\"app:latest\""), "{text}");
    assert!(text.contains("\"Untagged\":\"alpine:latest\""), "{text}");
    let bad = handle(
        &mut p,
        "node1",
        &Request::new(
            "POST",
            "/v1.50/containers/prune?filters=%7B%22color%22%3A%7B%22red%22%3Atrue%7D%7D",
            b"",
        ),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.text(), "{\"message\":\"invalid filter 'color'\"}\n");
}
