//! A registry container of the playground: push, pull, its storage, TLS and Basic auth, as
//! the daemon of another machine sees them.

use std::collections::BTreeMap;

use swarm_core::container::{ContainerConfig, PortBinding};
use swarm_core::network::{HttpCall, HttpError};
use swarm_core::registry::htpasswd_line;
use swarm_core::{MachineId, SimDuration, World};

fn world() -> (World, MachineId, MachineId) {
    let mut w = World::new(11);
    let a = w.add_machine(None).expect("machine");
    let b = w.add_machine(None).expect("machine");
    w.advance(SimDuration::from_secs(1));
    (w, a, b)
}

fn registry(w: &mut World, m: MachineId, env: &[&str]) -> String {
    w.image_pull(m, "registry:2").expect("pull");
    let id = w
        .container_create(
            m,
            ContainerConfig {
                name: "registry".into(),
                image: "registry:2".into(),
                env: env.iter().map(|s| s.to_string()).collect(),
                ports: vec![PortBinding {
                    host_ip: String::new(),
                    host_port: 5000,
                    container_port: 5000,
                    proto: "tcp".into(),
                }],
                labels: BTreeMap::new(),
                ..Default::default()
            },
        )
        .expect("create");
    w.container_start(m, &id).expect("start");
    w.advance(SimDuration::from_secs(1));
    id
}

fn tagged(w: &mut World, m: MachineId, name: &str) {
    w.image_pull(m, "hello-world").expect("pull");
    w.image_tag(m, "hello-world", name).expect("tag");
}

#[test]
fn a_pushed_image_is_stored_and_pulled_back_on_another_machine() {
    let (mut w, a, b) = world();
    let reg = registry(&mut w, a, &[]);
    tagged(&mut w, a, "127.0.0.1:5000/hello-world");
    let report = w
        .image_push(a, "127.0.0.1:5000/hello-world", None)
        .expect("push");
    assert_eq!(report.repository, "127.0.0.1:5000/hello-world");
    assert!(
        report.layers.iter().all(|(_, s)| s == "Pushed"),
        "{report:?}"
    );
    // Again: the registry has every layer.
    let again = w
        .image_push(a, "127.0.0.1:5000/hello-world", None)
        .expect("push");
    assert!(again
        .layers
        .iter()
        .all(|(_, s)| s == "Layer already exists"));
    assert_eq!(again.digest, report.digest);
    // The storage, as distribution lays it out.
    let tag_link = "/var/lib/registry/docker/registry/v2/repositories/hello-world/_manifests/tags/latest/current/link";
    let link = w.container_read(a, &reg, tag_link).expect("tag link");
    assert_eq!(String::from_utf8_lossy(&link), report.digest);
    // Another machine reaches it by the first one's name; not on loopback, so HTTPS only.
    let err = w.image_pull(b, "node1:5000/hello-world").unwrap_err();
    assert_eq!(
        err,
        "Get \"https://node1:5000/v2/\": http: server gave HTTP response to HTTPS client"
    );
    // The same image, by ID, after a pull on the first machine.
    w.image_remove(a, "127.0.0.1:5000/hello-world", false)
        .expect("untag");
    w.image_pull(a, "127.0.0.1:5000/hello-world").expect("pull");
    let pulled = w
        .find_image(a, "127.0.0.1:5000/hello-world")
        .expect("image");
    let original = w.find_image(a, "hello-world").expect("image");
    assert_eq!(pulled.id, original.id);
    assert_eq!(pulled.digest, report.digest);
    // A tag the registry does not have.
    assert_eq!(
        w.image_pull(a, "127.0.0.1:5000/hello-world:v9")
            .unwrap_err(),
        "manifest for 127.0.0.1:5000/hello-world:v9 not found: manifest unknown: manifest unknown"
    );
    // Its API over curl's path.
    let out = w
        .http_get(a, None, "127.0.0.1", 5000, "/v2/_catalog")
        .expect("reply");
    assert_eq!(out.reply.body, "{\"repositories\":[\"hello-world\"]}\n");
}

#[test]
fn nothing_listening_is_the_dial_error() {
    let (mut w, a, _) = world();
    tagged(&mut w, a, "127.0.0.1:5000/hello-world");
    let err = w
        .image_push(a, "127.0.0.1:5000/hello-world", None)
        .unwrap_err();
    assert_eq!(
        err.message,
        "Get \"http://127.0.0.1:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused"
    );
    // The pusher's ping fails before any layer is prepared.
    assert!(err.layers.is_empty(), "{err:?}");
    let err = w.image_push(a, "127.0.0.1:5000/nothere", None).unwrap_err();
    assert_eq!(
        err.message,
        "An image does not exist locally with the tag: 127.0.0.1:5000/nothere"
    );
}

#[test]
fn tls_and_basic_auth() {
    let (mut w, a, _) = world();
    let line = htpasswd_line("moby", "gordon", "seed");
    let reg = registry(
        &mut w,
        a,
        &[
            "REGISTRY_HTTP_TLS_CERTIFICATE=/certs/domain.crt",
            "REGISTRY_AUTH=htpasswd",
            "REGISTRY_AUTH_HTPASSWD_REALM=Registry Realm",
            "REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd",
        ],
    );
    w.container_mkdir(a, &reg, "/certs", true).expect("mkdir");
    w.container_write(a, &reg, "/certs/domain.crt", b"CERT\n", false)
        .expect("cert");
    w.container_mkdir(a, &reg, "/auth", true).expect("mkdir");
    w.container_write(a, &reg, "/auth/htpasswd", line.as_bytes(), false)
        .expect("htpasswd");
    // Plain HTTP to it: Go's 400; HTTPS: the certificate, and a 401 without credentials.
    let plain = w
        .http_get(a, None, "127.0.0.1", 5000, "/v2/")
        .expect("reply");
    assert_eq!(plain.reply.status, 400);
    let call = HttpCall {
        tls: true,
        ..HttpCall::get("/v2/")
    };
    let tls = w
        .http_request(a, None, "127.0.0.1", 5000, &call)
        .expect("reply");
    assert_eq!(tls.reply.status, 401);
    assert_eq!(tls.cert.as_deref(), Some("CERT\n"));
    // HTTPS to a plain server fails the handshake.
    assert_eq!(
        w.http_request(a, None, "127.0.0.1", 5001, &call),
        Err(HttpError::Refused)
    );
    tagged(&mut w, a, "127.0.0.1:5000/hello-world");
    let err = w
        .image_push(a, "127.0.0.1:5000/hello-world", None)
        .unwrap_err();
    assert_eq!(err.message, "no basic auth credentials");
    let wrong = swarm_core::base64::encode(b"moby:nope");
    assert_eq!(
        w.registry_login(a, "127.0.0.1:5000", &wrong).unwrap_err(),
        "login attempt to https://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized"
    );
    let right = swarm_core::base64::encode(b"moby:gordon");
    w.registry_login(a, "127.0.0.1:5000", &right)
        .expect("login");
    w.image_push(a, "127.0.0.1:5000/hello-world", Some(&right))
        .expect("push with credentials");
    assert_eq!(
        w.image_pull(a, "127.0.0.1:5000/hello-world").unwrap_err(),
        "Head \"https://127.0.0.1:5000/v2/hello-world/manifests/latest\": no basic auth credentials"
    );
}

#[test]
fn an_image_without_htpasswd_cannot_start_it() {
    let (mut w, a, _) = world();
    w.image_pull(a, "registry:2").expect("pull");
    let id = w
        .container_create(
            a,
            ContainerConfig {
                image: "registry:2".into(),
                entrypoint: Some(vec!["htpasswd".into()]),
                args: vec!["-Bbn".into(), "moby".into(), "gordon".into()],
                ..Default::default()
            },
        )
        .expect("create");
    let err = w.container_start(a, &id).unwrap_err();
    assert!(
        err.ends_with("exec: \"htpasswd\": executable file not found in $PATH: unknown"),
        "{err}"
    );
    assert_eq!(w.container(a, &id).expect("container").exit_code, 127);
}

#[test]
fn a_push_to_a_stopped_registry_fails_before_any_layer() {
    let (mut w, a, _) = world();
    let reg = registry(&mut w, a, &[]);
    tagged(&mut w, a, "127.0.0.1:5000/hello-world");
    w.container_kill(a, &reg, "KILL").expect("kill");
    w.advance(SimDuration::from_secs(1));
    let err = w
        .image_push(a, "127.0.0.1:5000/hello-world", None)
        .unwrap_err();
    assert_eq!(
        err.repository.as_deref(),
        Some("127.0.0.1:5000/hello-world")
    );
    // The pusher's ping fails first, so no `Preparing` line.
    assert!(err.layers.is_empty(), "{err:?}");
    assert!(
        err.message.ends_with("connect: connection refused"),
        "{}",
        err.message
    );
}
