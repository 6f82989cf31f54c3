//! Conformance: the real docker CLI (28.x) is the judge of our output.
//!
//! The suite starts `swarmsh serve --manual-clock` (one Engine API port per machine), forms
//! scenarios, and runs every read command twice against the same world: through the real CLI
//! (`docker -H tcp://127.0.0.1:PORT …`) and typed into our own terminal on the same machine
//! (`POST /_swarmsh/exec`). Both outputs (stdout, stderr, exit status) must be equal byte for
//! byte; a difference prints both side by side. Write commands run through the real CLI and
//! change the served world; the reads after them check the result. A second kind of check
//! runs the same writes in two twin worlds (same seed), through the real CLI in one and
//! typed into our terminal in the other, and requires the same answers and the same state.
//!
//! Simulated time is frozen (`--manual-clock`); before each read the server re-anchors the
//! time shift to the wall clock (`POST /_swarmsh/anchor`), so the CLI's "5 seconds ago"
//! matches ours (see `api::server`).
//!
//! Skipped, with a message, when no docker 28.x CLI is installed.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // a harness around processes

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running `swarmsh serve`.
struct Server {
    child: Child,
    ports: Vec<(String, u16)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_swarmsh"))
            .arg("serve")
            .args(["--manual-clock", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start swarmsh serve");
        let out = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(out).lines();
        let mut ports = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("read serve output");
            if line == "ready" {
                break;
            }
            let (name, url) = line.split_once(' ').expect("NAME URL");
            let port = url.rsplit(':').next().and_then(|p| p.parse().ok());
            ports.push((name.to_string(), port.expect("port")));
        }
        // Keep reading (and discarding) so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        assert!(!ports.is_empty(), "swarmsh serve printed no listener");
        Server { child, ports }
    }

    fn port(&self, machine: &str) -> u16 {
        self.ports
            .iter()
            .find(|(n, _)| n == machine)
            .map(|(_, p)| *p)
            .unwrap_or_else(|| panic!("no port for {machine}"))
    }

    /// A raw HTTP request to the server; the body of the answer.
    fn http(&self, machine: &str, method: &str, target: &str, body: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port(machine))).expect("connect");
        let req = format!(
            "{method} {target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).expect("send");
        // Read the head, then Content-Length bytes (the server may keep the socket open).
        let mut r = BufReader::new(s);
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).expect("receive") == 0 {
                break;
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).expect("receive body");
        String::from_utf8_lossy(&body).into_owned()
    }

    fn advance(&self, ms: u64) {
        self.http("node1", "POST", &format!("/_swarmsh/advance?ms={ms}"), "");
    }

    fn anchor(&self) {
        self.http("node1", "POST", "/_swarmsh/anchor", "");
    }

    /// A command line typed into `machine`'s terminal: (stdout, stderr, status).
    fn ours(&self, machine: &str, line: &str) -> (String, String, i64) {
        let body = self.http(machine, "POST", "/_swarmsh/exec", line);
        let v: Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("exec answer {body:?}: {e}"));
        (
            v["stdout"].as_str().unwrap_or("").to_string(),
            v["stderr"].as_str().unwrap_or("").to_string(),
            v["status"].as_i64().unwrap_or(-1),
        )
    }

    /// The real CLI against `machine`'s engine: (stdout, stderr, status).
    fn real(&self, machine: &str, args: &[&str]) -> (String, String, i64) {
        let out = Command::new("docker")
            .arg("-H")
            .arg(format!("tcp://127.0.0.1:{}", self.port(machine)))
            .args(args)
            .env("DOCKER_CONFIG", config_dir())
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_API_VERSION")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("run docker");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            i64::from(out.status.code().unwrap_or(-1)),
        )
    }
}

/// An empty docker config directory: no user contexts, aliases or plugins.
fn config_dir() -> String {
    let dir = std::env::temp_dir().join(format!("swarmsh-conformance-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.to_string_lossy().into_owned()
}

/// A shell word for our terminal.
fn quote(a: &str) -> String {
    if !a.is_empty()
        && a.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.,/:@%+".contains(&b))
    {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

/// Go randomises map iteration: `docker info` prints its runtimes in any order.
fn normalize(args: &[&str], s: &str) -> String {
    if args.first() != Some(&"info") {
        return s.to_string();
    }
    s.lines()
        .map(|l| match l.strip_prefix(" Runtimes: ") {
            Some(r) => {
                let mut v: Vec<&str> = r.split(' ').collect();
                v.sort_unstable();
                format!(" Runtimes: {}", v.join(" "))
            }
            None => l.to_string(),
        })
        .map(|l| l + "\n")
        .collect()
}

fn side_by_side(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let w = la
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(20, 90);
    let mut out = format!("{:<w$} | {}\n", "REAL DOCKER CLI", "OURS");
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i).copied(), lb.get(i).copied());
        let mark = if x == y { ' ' } else { '!' };
        out.push_str(&format!(
            "{:<w$} {mark} {}\n",
            x.unwrap_or("∅"),
            y.unwrap_or("∅")
        ));
    }
    out
}

/// The pairs compared and the differences found.
#[derive(Default)]
struct Judge {
    pairs: usize,
    failures: Vec<String>,
}

impl Judge {
    /// Runs `docker ARGS` on `machine` through the real CLI and in our terminal.
    fn read(&mut self, srv: &Server, scenario: &str, machine: &str, args: &[&str]) {
        srv.anchor();
        let real = srv.real(machine, args);
        let line = format!(
            "docker {}",
            args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
        );
        let ours = srv.ours(machine, &line);
        self.pairs += 1;
        let (ro, re) = (normalize(args, &real.0), normalize(args, &real.1));
        let (oo, oe) = (normalize(args, &ours.0), normalize(args, &ours.1));
        if ro != oo || re != oe || real.2 != ours.2 {
            let mut msg = format!("[{scenario}] {machine}$ {line}\n");
            if ro != oo {
                msg.push_str(&format!("stdout differs:\n{}", side_by_side(&ro, &oo)));
            }
            if re != oe {
                msg.push_str(&format!("stderr differs:\n{}", side_by_side(&re, &oe)));
            }
            if real.2 != ours.2 {
                msg.push_str(&format!("exit status: real {} ours {}\n", real.2, ours.2));
            }
            self.failures.push(msg);
        }
    }

    /// Runs a write through the real CLI; it must succeed.
    fn write(&mut self, srv: &Server, machine: &str, args: &[&str]) -> (String, String, i64) {
        srv.anchor();
        let r = srv.real(machine, args);
        if r.2 != 0 {
            self.failures.push(format!(
                "write failed: docker {}\n{}{}",
                args.join(" "),
                r.0,
                r.1
            ));
        }
        r
    }
}

fn docker_28() -> bool {
    Command::new("docker")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .is_some_and(|v| v.starts_with("Docker version 28."))
}

const NODE_READS: &[&[&str]] = &[
    &["node", "ls"],
    &["node", "ls", "-q"],
    &[
        "node",
        "ls",
        "--format",
        "{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}} {{.Self}}",
    ],
    &["node", "ls", "--filter", "role=manager"],
    &[
        "node",
        "ls",
        "--filter",
        "role=worker",
        "--format",
        "table {{.ID}}\t{{.Hostname}}",
    ],
    &["node", "ls", "--filter", "name=node"],
    &["node", "inspect", "self"],
    &["node", "inspect", "--pretty", "self"],
    &[
        "node",
        "inspect",
        "--format",
        "{{.Spec.Role}} {{.Status.Addr}}",
        "node2",
    ],
    &["node", "inspect", "--pretty", "node4"],
    &["node", "inspect", "nosuch"],
    &["node", "ps"],
    &["node", "ps", "node2"],
    &["node", "inspect", "--format", "{{json .Spec}}", "self"],
    &["info"],
    &[
        "info",
        "--format",
        "{{.Swarm.NodeID}} {{.Swarm.ControlAvailable}}",
    ],
    &["version"],
    &["version", "--format", "{{.Server.Version}}"],
    &["ps"],
    &["ps", "-a"],
];

/// Texts the CLI prints by itself (usage errors, help).
const CLI_TEXTS: &[&[&str]] = &[
    &["service", "create", "--bogus", "nginx"],
    &["service", "scale", "web"],
    &["service", "ps"],
    &["node", "ls", "--help"],
    &["node", "update"],
    &["service", "inspect", "--pretty", "--format", "x", "web"],
    &["swarm", "join-token", "nobody"],
    &["node", "ls", "--filter", "foo"],
    &["service", "ls", "-f", "foo"],
];

const SERVICE_READS: &[&[&str]] = &[
    &["service", "ls"],
    &["service", "ls", "-q"],
    &[
        "service",
        "ls",
        "--format",
        "{{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}",
    ],
    &["service", "ls", "--filter", "name=we"],
    &["service", "ps", "web"],
    &["service", "ps", "--no-trunc", "web"],
    &["service", "ps", "-q", "web"],
    &["service", "ps", "--filter", "desired-state=running", "web"],
    &["service", "ps", "--filter", "desired-state=Running", "web"],
    &["service", "ps", "--filter", "desired-state=foo", "web"],
    &["service", "ps", "--filter", "desired-state=", "web"],
    &["service", "ps", "--filter", "foo", "web"],
    &["node", "ps", "--filter", "desired-state=SHUTDOWN", "node1"],
    &[
        "node",
        "ps",
        "--filter",
        "desired-state=bar",
        "node1",
        "node2",
    ],
    &["service", "logs", "--tail", "x", "web"],
    &["service", "logs", "--tail", "-1", "web"],
    &["service", "logs", "--no-resolve", "--tail", "1", "web"],
    &[
        "service",
        "ps",
        "--format",
        "{{.Name}} {{.Node}} {{.CurrentState}}",
        "web",
    ],
    &["service", "inspect", "web"],
    &["service", "inspect", "--pretty", "web"],
    &[
        "service",
        "inspect",
        "--format",
        "{{.Spec.Mode.Replicated.Replicas}}",
        "web",
    ],
    &["service", "inspect", "nosuch"],
    &["service", "ps", "nosuch"],
    &["service", "logs", "web"],
    &["service", "logs", "--tail", "2", "--timestamps", "web"],
    &["service", "logs", "--no-task-ids", "--tail", "1", "web"],
    &["service", "ps", "--filter", "node=node1", "web"],
    &["ps", "--format", "{{.Names}} {{.Image}} {{.Status}}"],
];

fn reads(judge: &mut Judge, srv: &Server, scenario: &str, machine: &str, list: &[&[&str]]) {
    for args in list {
        judge.read(srv, scenario, machine, args);
    }
}

#[test]
fn the_real_cli_agrees_with_our_terminal() {
    if !docker_28() {
        eprintln!("conformance: SKIPPED: no docker 28.x CLI on this machine (`docker --version`)");
        return;
    }
    let mut judge = Judge::default();

    // Outside any swarm.
    let srv = Server::start(&["--machines", "2"]);
    for args in [
        &["info"][..],
        &["version"],
        &["node", "ls"],
        &["service", "ls"],
        &["ps"],
        &["swarm", "join-token", "worker"],
    ] {
        judge.read(&srv, "no swarm", "node1", args);
    }
    drop(srv);

    // Three managers and two workers; services created through the real CLI.
    let srv = Server::start(&["--template", "3m2w", "--seed", "7"]);
    reads(&mut judge, &srv, "3m2w", "node1", NODE_READS);
    reads(&mut judge, &srv, "3m2w", "node1", CLI_TEXTS);
    judge.read(&srv, "3m2w", "node4", &["info"]);
    judge.read(&srv, "3m2w", "node4", &["node", "ls"]);
    judge.read(&srv, "3m2w", "node2", &["node", "ls"]);
    judge.write(
        &srv,
        "node1",
        &[
            "service",
            "create",
            "--name",
            "web",
            "--replicas",
            "3",
            "-d",
            "nginx",
        ],
    );
    srv.advance(20_000);
    reads(&mut judge, &srv, "3m2w web", "node1", SERVICE_READS);
    reads(
        &mut judge,
        &srv,
        "3m2w web",
        "node1",
        &[&["node", "ps"], &["ps"], &["info"]],
    );

    // Drain a worker: its task moves.
    judge.write(
        &srv,
        "node1",
        &["node", "update", "--availability", "drain", "node5"],
    );
    srv.advance(10_000);
    reads(
        &mut judge,
        &srv,
        "drained",
        "node1",
        &[
            &["node", "ls"],
            &["service", "ps", "web"],
            &["node", "inspect", "--pretty", "node5"],
        ],
    );

    // Labels and constraints.
    judge.write(
        &srv,
        "node1",
        &["node", "update", "--label-add", "zone=east", "node4"],
    );
    judge.write(
        &srv,
        "node1",
        &[
            "service",
            "create",
            "--name",
            "east",
            "--constraint",
            "node.labels.zone==east",
            "--replicas",
            "2",
            "-d",
            "redis:alpine",
        ],
    );
    srv.advance(15_000);
    reads(
        &mut judge,
        &srv,
        "constraints",
        "node1",
        &[
            &["node", "inspect", "--pretty", "node4"],
            &["node", "ls", "--filter", "node.label=zone=east"],
            &["service", "ps", "east"],
            &["service", "inspect", "--pretty", "east"],
            &["service", "ls"],
        ],
    );

    // Updates, scaling and rollback.
    judge.write(
        &srv,
        "node1",
        &["service", "update", "--image", "nginx:alpine", "-d", "web"],
    );
    srv.advance(30_000);
    reads(
        &mut judge,
        &srv,
        "updated",
        "node1",
        &[
            &["service", "ps", "web"],
            &["service", "inspect", "--pretty", "web"],
            &["service", "ls"],
        ],
    );
    judge.write(&srv, "node1", &["service", "scale", "-d", "web=5"]);
    srv.advance(20_000);
    reads(
        &mut judge,
        &srv,
        "scaled",
        "node1",
        &[&["service", "ps", "web"], &["service", "ls"]],
    );
    judge.write(&srv, "node1", &["service", "rollback", "-d", "web"]);
    srv.advance(40_000);
    reads(&mut judge, &srv, "rolled back", "node1", SERVICE_READS);

    // A service whose tasks fail.
    judge.write(
        &srv,
        "node1",
        &[
            "service",
            "create",
            "--name",
            "crash",
            "--restart-max-attempts",
            "2",
            "-d",
            "alpine",
            "sh",
            "-c",
            "sleep 2; exit 3",
        ],
    );
    srv.advance(45_000);
    reads(
        &mut judge,
        &srv,
        "failing",
        "node1",
        &[
            &["service", "ps", "crash"],
            &["service", "ps", "--no-trunc", "crash"],
            &["service", "ls"],
            &["service", "inspect", "--pretty", "crash"],
            &["ps", "-a"],
        ],
    );

    // Token rotation through the real CLI.
    judge.write(
        &srv,
        "node1",
        &["swarm", "join-token", "--rotate", "-q", "worker"],
    );
    reads(
        &mut judge,
        &srv,
        "rotated",
        "node1",
        &[
            &["swarm", "join-token", "worker"],
            &["swarm", "join-token", "-q", "manager"],
        ],
    );
    drop(srv);

    twins(&mut judge);

    println!(
        "conformance: {} command/scenario pairs compared",
        judge.pairs
    );
    if !judge.failures.is_empty() {
        panic!(
            "{} of {} pairs differ:\n\n{}",
            judge.failures.len(),
            judge.pairs,
            judge.failures.join("\n")
        );
    }
}

/// The same writes in twin worlds (same seed): through the real CLI in one, typed into our
/// terminal in the other. The answers must be the same, and so must the worlds after them.
fn twins(judge: &mut Judge) {
    let a = Server::start(&["--template", "1m2w", "--seed", "11"]);
    let b = Server::start(&["--template", "1m2w", "--seed", "11"]);
    let writes: &[&[&str]] = &[
        &[
            "service",
            "create",
            "--name",
            "web",
            "--replicas",
            "3",
            "-d",
            "nginx",
        ],
        &[
            "service",
            "create",
            "--name",
            "all",
            "--mode",
            "global",
            "-d",
            "redis:alpine",
        ],
        &["service", "create", "--name", "odd", "-d", "nosuchimage:1"],
        &["service", "create", "--name", "web", "-d", "nginx"],
        &["node", "update", "--availability", "drain", "node3"],
        &[
            "node",
            "update",
            "--label-add",
            "tier=front",
            "--role",
            "manager",
            "node2",
        ],
        &[
            "service",
            "update",
            "--replicas",
            "4",
            "--update-parallelism",
            "2",
            "-d",
            "web",
        ],
        &["service", "scale", "-d", "web=2", "all=3"],
        &["service", "rollback", "-d", "web"],
        &["service", "rm", "odd"],
        &["node", "rm", "node1"],
    ];
    let state: &[&[&str]] = &[
        &[
            "service",
            "ls",
            "--format",
            "{{.ID}} {{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}",
        ],
        &[
            "service",
            "inspect",
            "--format",
            "{{.Version.Index}} {{json .Spec}} {{json .PreviousSpec}}",
            "web",
        ],
        &[
            "service",
            "ps",
            "--format",
            "{{.ID}} {{.Name}} {{.Node}} {{.DesiredState}}",
            "web",
            "all",
        ],
        &[
            "node",
            "ls",
            "--format",
            "{{.ID}} {{.Hostname}} {{.Availability}} {{.ManagerStatus}}",
        ],
        &[
            "node",
            "inspect",
            "--format",
            "{{.Version.Index}} {{json .Spec}}",
            "node2",
        ],
    ];
    for w in writes {
        // No anchoring here: it may move A's clock, and the twins must see the same times.
        let real = a.real("node1", w);
        let line = format!(
            "docker {}",
            w.iter().map(|x| quote(x)).collect::<Vec<_>>().join(" ")
        );
        let ours = b.ours("node1", &line);
        judge.pairs += 1;
        if real != ours {
            judge.failures.push(format!(
                "[twins] node1$ {line}\nstdout:\n{}stderr:\n{}exit status: real {} ours {}\n",
                side_by_side(&real.0, &ours.0),
                side_by_side(&real.1, &ours.1),
                real.2,
                ours.2
            ));
        }
        a.advance(5_000);
        b.advance(5_000);
        for q in state {
            let line = format!(
                "docker {}",
                q.iter().map(|x| quote(x)).collect::<Vec<_>>().join(" ")
            );
            let (x, y) = (a.ours("node1", &line), b.ours("node1", &line));
            judge.pairs += 1;
            if x != y {
                judge.failures.push(format!(
                    "[twins after `docker {}`] {line}\n{}{}",
                    w.join(" "),
                    side_by_side(&format!("{}{}", x.0, x.1), &format!("{}{}", y.0, y.1)),
                    "(left: world written by the real CLI; right: by our terminal)\n"
                ));
            }
        }
    }
}

/// A real CLI session end to end, as the README shows it: `swarm init`, `service create`,
/// `service ps`, `node update --availability drain`; each answer must be what our terminal
/// answers in a twin world.
#[test]
fn a_real_cli_session() {
    if !docker_28() {
        eprintln!("conformance: SKIPPED: no docker 28.x CLI on this machine (`docker --version`)");
        return;
    }
    let a = Server::start(&["--machines", "2", "--seed", "3"]);
    let b = Server::start(&["--machines", "2", "--seed", "3"]);
    let ip = b.ours("node1", "hostname -i").0;
    let ip = ip.trim();
    let join = format!("{ip}:2377");
    let session: Vec<(&str, Vec<String>)> = vec![
        (
            "node1",
            vec![
                "swarm".into(),
                "init".into(),
                "--advertise-addr".into(),
                ip.into(),
            ],
        ),
        (
            "node1",
            vec![
                "swarm".into(),
                "join-token".into(),
                "-q".into(),
                "worker".into(),
            ],
        ),
        (
            "node1",
            vec![
                "service".into(),
                "create".into(),
                "--name".into(),
                "web".into(),
                "--replicas".into(),
                "3".into(),
                "-d".into(),
                "nginx".into(),
            ],
        ),
        ("node1", vec!["service".into(), "ps".into(), "web".into()]),
        (
            "node1",
            vec![
                "node".into(),
                "update".into(),
                "--availability".into(),
                "drain".into(),
                "node2".into(),
            ],
        ),
        ("node1", vec!["service".into(), "ps".into(), "web".into()]),
        ("node1", vec!["node".into(), "ls".into()]),
    ];
    let mut transcript = String::new();
    let mut token = String::new();
    for (i, (m, args)) in session.iter().enumerate() {
        if i == 2 {
            // node2 joins with the token node1 printed (through the real CLI in world A).
            let j: Vec<&str> = vec!["swarm", "join", "--token", token.trim(), &join];
            let real = a.real("node2", &j);
            let ours = b.ours("node2", &format!("docker {}", j.join(" ")));
            assert_eq!(real, ours, "swarm join");
            a.advance(10_000);
            b.advance(10_000);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // Anchoring may move the clock (deterministically): both twins do it.
        a.anchor();
        b.anchor();
        let real = a.real(m, &args);
        let line = format!(
            "docker {}",
            args.iter().map(|x| quote(x)).collect::<Vec<_>>().join(" ")
        );
        let ours = b.ours(m, &line);
        if i == 1 {
            token = real.0.clone();
        }
        transcript.push_str(&format!(
            "{m}$ docker -H tcp://127.0.0.1:PORT {}\n{}{}",
            args.join(" "),
            real.0,
            real.1
        ));
        assert_eq!(
            real,
            ours,
            "`{line}` differs:\n{}",
            side_by_side(&real.0, &ours.0)
        );
        a.advance(15_000);
        b.advance(15_000);
    }
    println!("{transcript}");
}

/// Configs and secrets (seed lab 003 steps 44-60): created, used by a service and removed
/// through the real CLI in one world and typed into our terminal in its twin, with the same
/// answers; then every read of them compared in the first world.
#[test]
fn configs_and_secrets_agree() {
    if !docker_28() {
        eprintln!("conformance: SKIPPED: no docker 28.x CLI on this machine (`docker --version`)");
        return;
    }
    let mut judge = Judge::default();
    let a = Server::start(&["--template", "1m1w", "--seed", "5"]);
    let b = Server::start(&["--template", "1m1w", "--seed", "5"]);
    // The same files on the host (read by the real CLI) and on node1 of both worlds; not in
    // the CLI's config directory, whose config.json the other tests' CLI runs read.
    let dir = std::env::temp_dir()
        .join(format!(
            "swarmsh-conformance-objects-{}",
            std::process::id()
        ))
        .to_string_lossy()
        .into_owned();
    std::fs::create_dir_all(&dir).expect("create the files' directory");
    let config = "{\n  \"AllowedHosts\": \"*\"\n}\n";
    let secret = "{\"ConnectionStrings\": {\"ToDoDb\": \"Server=todo-db\"}}\n";
    std::fs::write(format!("{dir}/config.json"), config).expect("write config.json");
    std::fs::write(format!("{dir}/secret.json"), secret).expect("write secret.json");
    for srv in [&a, &b] {
        srv.ours("node1", &format!("mkdir -p {dir}"));
        srv.ours(
            "node1",
            &format!("printf '%s' {} > {dir}/config.json", quote(config)),
        );
        srv.ours(
            "node1",
            &format!("printf '%s' {} > {dir}/secret.json", quote(secret)),
        );
    }
    let cfg = format!("{dir}/config.json");
    let sec = format!("{dir}/secret.json");
    let missing = format!("{dir}/congif.json");
    let writes: Vec<Vec<&str>> = vec![
        vec!["config", "create", "todo-list-config", &missing],
        vec!["config", "create", "todo-list-config", &cfg],
        vec!["config", "create", "todo-list-config", &cfg],
        vec![
            "secret",
            "create",
            "-l",
            "env=prod",
            "todo-list-secret",
            &sec,
        ],
        vec!["secret", "create", "bad name", &sec],
        vec!["secret", "create", "spare", &sec],
        vec![
            "service",
            "create",
            "--name",
            "web",
            "--secret",
            "todo-list-secret",
            "--config",
            "source=todo-list-config,target=/app/config/config.json,mode=0400",
            "-d",
            "nginx",
        ],
        vec![
            "service", "create", "--name", "bad", "--secret", "nope", "-d", "nginx",
        ],
        vec![
            "service",
            "create",
            "--name",
            "bad",
            "--secret",
            "spare",
            "--secret",
            "source=todo-list-secret,target=spare",
            "-d",
            "nginx",
        ],
        vec!["secret", "rm", "todo-list-secret", "nosuch"],
        vec!["config", "rm", "todo-list-config"],
        vec!["service", "update", "--secret-add", "spare", "-d", "web"],
        vec!["service", "update", "--secret-rm", "spare", "-d", "web"],
        vec!["secret", "rm", "spare"],
    ];
    for w in &writes {
        let real = a.real("node1", w);
        let line = format!(
            "docker {}",
            w.iter().map(|x| quote(x)).collect::<Vec<_>>().join(" ")
        );
        let ours = b.ours("node1", &line);
        judge.pairs += 1;
        if real != ours {
            judge.failures.push(format!(
                "[objects twins] node1$ {line}\nstdout:\n{}stderr:\n{}exit status: real {} ours {}\n",
                side_by_side(&real.0, &ours.0),
                side_by_side(&real.1, &ours.1),
                real.2,
                ours.2
            ));
        }
        a.advance(2_000);
        b.advance(2_000);
    }
    drop(b);
    a.advance(20_000);
    let reads_1: &[&[&str]] = &[
        &["config", "ls"],
        &["config", "ls", "-q"],
        &["config", "ls", "--format", "{{.Name}} {{.Labels}}"],
        &["config", "ls", "--filter", "name=todo"],
        &["config", "ls", "--filter", "bogus=1"],
        &["config", "inspect", "todo-list-config"],
        &["config", "inspect", "--pretty", "todo-list-config"],
        &[
            "config",
            "inspect",
            "--format",
            "{{.Spec.Name}} {{.Version.Index}}",
            "todo-list-config",
        ],
        &["config", "inspect", "nosuch"],
        &["config", "inspect", "--pretty", "nosuch"],
        &["secret", "ls"],
        &["secret", "ls", "--filter", "label=env=prod"],
        &["secret", "ls", "--format", "json"],
        &["secret", "inspect", "todo-list-secret"],
        &["secret", "inspect", "--pretty", "todo-list-secret"],
        &["secret", "inspect", "todo-list-secret", "nosuch"],
        &[
            "secret",
            "inspect",
            "--format",
            "{{json .Spec.Labels}}",
            "todo-list-secret",
        ],
        &["service", "inspect", "--pretty", "web"],
        &["service", "inspect", "web"],
        &["service", "ps", "web"],
        &["inspect", "todo-list-config"],
        &["inspect", "todo-list-secret", "nosuch"],
        &["inspect", "web"],
        &[
            "inspect",
            "-s",
            "--format",
            "{{.Spec.Name}}",
            "web",
            "todo-list-config",
        ],
        &["inspect", "--type", "secret", "todo-list-config"],
    ];
    reads(&mut judge, &a, "objects", "node1", reads_1);
    reads(
        &mut judge,
        &a,
        "objects worker",
        "node2",
        &[
            &["secret", "ls"],
            &["config", "inspect", "todo-list-config"],
            &["inspect", "todo-list-config"],
        ],
    );
    drop(a);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "conformance: {} command/scenario pairs compared",
        judge.pairs
    );
    if !judge.failures.is_empty() {
        panic!(
            "{} of {} pairs differ:\n\n{}",
            judge.failures.len(),
            judge.pairs,
            judge.failures.join("\n")
        );
    }
}

/// Networks: local bridges and overlays created, connected and removed through the real CLI
/// in one world and typed into our terminal in its twin (same answers), then read through the
/// real CLI and our terminal (same output), on a manager and on a worker.
#[test]
fn networks_agree() {
    if !docker_28() {
        eprintln!("conformance: SKIPPED: no docker 28.x CLI on this machine (`docker --version`)");
        return;
    }
    let mut judge = Judge::default();
    let a = Server::start(&["--template", "1m2w", "--seed", "9"]);
    let b = Server::start(&["--template", "1m2w", "--seed", "9"]);
    // Standalone containers exist in both worlds before the writes (the API has no create).
    for srv in [&a, &b] {
        srv.ours("node1", "docker run -d --name c1 nginx:alpine");
        srv.ours("node1", "docker run -d --name c2 nginx:alpine");
    }
    let writes: &[&[&str]] = &[
        &[
            "network",
            "create",
            "-d",
            "overlay",
            "--attachable",
            "shared",
        ],
        &["network", "create", "-d", "overlay", "shared"],
        &["network", "create", "app"],
        &[
            "network",
            "create",
            "--subnet",
            "10.20.0.0/24",
            "--label",
            "team=blue",
            "fixed",
        ],
        &["network", "create", "app"],
        &["network", "create", "bridge"],
        &["network", "create", "--subnet", "10.20.0.1/24", "sloppy"],
        &["network", "connect", "app", "c1"],
        &["network", "connect", "app", "c1"],
        &["network", "connect", "--alias", "edge", "fixed", "c2"],
        &["network", "connect", "nope", "c2"],
        &["network", "connect", "app", "nosuch"],
        &["network", "disconnect", "fixed", "c1"],
        &["network", "connect", "shared", "c2"],
        &[
            "service",
            "create",
            "--name",
            "api",
            "--network",
            "shared",
            "-d",
            "nginx:alpine",
        ],
        &["network", "rm", "shared"],
        &["network", "rm", "app"],
        &["network", "disconnect", "app", "c1"],
        &["network", "rm", "app", "nope", "bridge"],
        &["network", "rm", "-f", "nope"],
    ];
    for w in writes {
        a.anchor();
        b.anchor();
        let real = a.real("node1", w);
        let line = format!(
            "docker {}",
            w.iter().map(|x| quote(x)).collect::<Vec<_>>().join(" ")
        );
        let ours = b.ours("node1", &line);
        judge.pairs += 1;
        if real != ours {
            judge.failures.push(format!(
                "[network twins] node1$ {line}\nstdout:\n{}stderr:\n{}exit status: real {} ours {}\n",
                side_by_side(&real.0, &ours.0),
                side_by_side(&real.1, &ours.1),
                real.2,
                ours.2
            ));
        }
        a.advance(2_000);
        b.advance(2_000);
    }
    a.advance(15_000);
    let net_reads: &[&[&str]] = &[
        &["network", "ls"],
        &["network", "ls", "-q"],
        &["network", "ls", "--no-trunc"],
        &["network", "ls", "--filter", "driver=bridge"],
        &[
            "network",
            "ls",
            "--filter",
            "scope=swarm",
            "--format",
            "{{.Name}} {{.Driver}}",
        ],
        &["network", "inspect", "fixed"],
        &["network", "inspect", "shared"],
        &["network", "inspect", "bridge"],
        &[
            "network",
            "inspect",
            "--format",
            "{{.Name}} {{.Scope}} {{json .Containers}}",
            "fixed",
            "ingress",
        ],
        &["network", "inspect", "nope"],
        &["network", "inspect", "--format", "{{.Name}}", "nope"],
        // The generic inspect finds networks too (after containers and images).
        &["inspect", "shared"],
        &[
            "inspect",
            "--format",
            "{{.Name}} {{.Driver}}",
            "fixed",
            "nope",
            "bridge",
        ],
        &["inspect", "--type", "network", "-s", "fixed"],
        &["inspect", "--type", "volume", "fixed"],
        &["inspect", "--type", "bogus", "fixed"],
        &[
            "inspect",
            "--format",
            "{{json .NetworkSettings.Networks}}",
            "c2",
        ],
        // `.Networks` joins a Go map's keys, so a container on several networks prints
        // them in a random order; only single-network containers compare.
        &[
            "ps",
            "--filter",
            "name=c1",
            "--format",
            "{{.Names}} {{.Networks}}",
        ],
        &[
            "ps",
            "--filter",
            "name=api",
            "--format",
            "{{.Names}} {{.Networks}}",
        ],
    ];
    reads(&mut judge, &a, "networks", "node1", net_reads);
    let worker: &[&[&str]] = &[
        &["network", "ls"],
        &["network", "inspect", "shared"],
        // A worker is no manager: the generic inspect skips the swarm kinds.
        &["inspect", "shared"],
        &["inspect", "--type", "service", "shared"],
    ];
    reads(&mut judge, &a, "networks", "node2", worker);
    println!("conformance: {} network pairs compared", judge.pairs);
    if !judge.failures.is_empty() {
        panic!(
            "{} of {} pairs differ:\n\n{}",
            judge.failures.len(),
            judge.pairs,
            judge.failures.join("\n")
        );
    }
}

/// Volumes: created, used and removed through the real CLI in one world and typed into our
/// terminal in its twin (same answers), then listed and inspected through the real CLI and
/// our terminal (same output), including a stack's volume on the node its task ran on.
#[test]
fn volumes_agree() {
    if !docker_28() {
        eprintln!("conformance: SKIPPED: no docker 28.x CLI on this machine (`docker --version`)");
        return;
    }
    let mut judge = Judge::default();
    let a = Server::start(&["--template", "1m1w", "--seed", "4"]);
    let b = Server::start(&["--template", "1m1w", "--seed", "4"]);
    // Containers that use volumes exist in both worlds before the writes (the API has no
    // container create).
    for srv in [&a, &b] {
        srv.ours(
            "node1",
            "docker run -d --name web -v site:/usr/share/nginx/html nginx:alpine",
        );
        srv.ours("node1", "docker run -d --name cache redis:7");
    }
    let writes: &[&[&str]] = &[
        &["volume", "create", "data"],
        &[
            "volume",
            "create",
            "--label",
            "env=lab",
            "-o",
            "type=tmpfs",
            "scratch",
        ],
        &["volume", "create", "data"],
        &["volume", "create", "x/y"],
        &["volume", "create", "-d", "flocker", "v1"],
        &["volume", "create", "-o", "bogus=1", "v2"],
        &["volume", "rm", "site"],
        &["volume", "rm", "nope"],
        &["volume", "rm", "-f", "nope"],
        &["volume", "rm", "data", "nope"],
        &["volume", "prune", "-f"],
        &["volume", "prune", "-f", "--filter", "label=env=lab"],
    ];
    for w in writes {
        a.anchor();
        b.anchor();
        let real = a.real("node1", w);
        let line = format!(
            "docker {}",
            w.iter().map(|x| quote(x)).collect::<Vec<_>>().join(" ")
        );
        let ours = b.ours("node1", &line);
        judge.pairs += 1;
        if real != ours {
            judge.failures.push(format!(
                "[volume twins] node1$ {line}\nstdout:\n{}stderr:\n{}exit status: real {} ours {}\n",
                side_by_side(&real.0, &ours.0),
                side_by_side(&real.1, &ours.1),
                real.2,
                ours.2
            ));
        }
        a.advance(1_000);
        b.advance(1_000);
    }
    a.ours("node1", "docker volume create kept");
    // One label only: `volume ls`'s `{{.Labels}}` joins a Go map's entries in random order.
    a.ours("node1", "docker volume create --label team=blue labelled");
    let reads_1: &[&[&str]] = &[
        &["volume", "ls"],
        &["volume", "ls", "-q"],
        &["volume", "ls", "--filter", "dangling=true"],
        &["volume", "ls", "--filter", "name=ke"],
        &[
            "volume",
            "ls",
            "--filter",
            "label=team=blue",
            "--format",
            "{{.Name}} {{.Driver}} {{.Labels}}",
        ],
        &[
            "volume",
            "ls",
            "--format",
            "table {{.Name}}\t{{.Scope}}\t{{.Mountpoint}}",
        ],
        &["volume", "ls", "--filter", "bogus=1"],
        &["volume", "inspect", "kept", "labelled"],
        &["volume", "inspect", "site"],
        &[
            "volume",
            "inspect",
            "--format",
            "{{.Name}} {{.Labels}}",
            "labelled",
        ],
        &["volume", "inspect", "nope"],
        &["volume", "inspect", "kept", "nope"],
        &["inspect", "--format", "{{json .Mounts}}", "web"],
    ];
    reads(&mut judge, &a, "volumes", "node1", reads_1);
    println!("conformance: {} volume pairs compared", judge.pairs);
    if !judge.failures.is_empty() {
        panic!(
            "{} of {} pairs differ:\n\n{}",
            judge.failures.len(),
            judge.pairs,
            judge.failures.join("\n")
        );
    }
}
