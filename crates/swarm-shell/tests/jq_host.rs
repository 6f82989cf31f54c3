//! `jq` through a host, as the page runs it: the engine is a second wasm module loaded on
//! first use, so the command waits (pending, polled on every tick) until the host has it,
//! Ctrl+C stops the wait, and a host that cannot load it makes `jq` fail with exit 2.
//! Natively the host is a fake that answers with `swarm_jq::run` after a few polls.
//! `docker stack deploy` parses its compose files through the same host (the YAML parser is
//! in the same module): it waits the same way, and the deploy is the one without a host. So do
//! commands with `--format` (Go templates are in that module too): the docker dispatcher waits
//! for the module, then every template call crosses as text, with the same output as without a
//! host.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use swarm_core::SimDuration;
use swarm_shell::{
    set_jq_host, JqHost, JqPoll, JqRequest, LazyPoll, Options, Playground, YamlPoll,
};

/// Says "loading" `loading` times, then runs jq (or fails with `failure`).
struct FakeHost {
    loading: Cell<u32>,
    failure: Option<String>,
    polls: Cell<u32>,
    requests: RefCell<Vec<JqRequest>>,
    /// The YAML texts it was asked to parse.
    yaml: RefCell<Vec<String>>,
    /// How many template calls it answered.
    templates: Cell<u32>,
}

impl FakeHost {
    fn install(loading: u32, failure: Option<&str>) -> Rc<FakeHost> {
        let host = Rc::new(FakeHost {
            loading: Cell::new(loading),
            failure: failure.map(str::to_string),
            polls: Cell::new(0),
            requests: RefCell::new(Vec::new()),
            yaml: RefCell::new(Vec::new()),
            templates: Cell::new(0),
        });
        set_jq_host(host.clone());
        host
    }
}

impl JqHost for FakeHost {
    fn poll(&self, request: &JqRequest) -> JqPoll {
        self.polls.set(self.polls.get() + 1);
        self.requests.borrow_mut().push(request.clone());
        if self.loading.get() > 0 {
            self.loading.set(self.loading.get() - 1);
            return JqPoll::Loading;
        }
        match &self.failure {
            Some(why) => JqPoll::Failed(why.clone()),
            None => JqPoll::Ready(swarm_jq::run(request)),
        }
    }

    fn poll_yaml(&self, text: &str) -> YamlPoll {
        self.polls.set(self.polls.get() + 1);
        self.yaml.borrow_mut().push(text.to_string());
        if self.loading.get() > 0 {
            self.loading.set(self.loading.get() - 1);
            return LazyPoll::Loading;
        }
        match &self.failure {
            Some(why) => LazyPoll::Failed(why.clone()),
            // What the page's module answers: the parse, sent across as text.
            None => LazyPoll::Ready(swarm_shell::yaml_from_wire(
                &swarm_extras::yaml::parse_wire(text),
            )),
        }
    }

    fn poll_ready(&self) -> LazyPoll<()> {
        self.polls.set(self.polls.get() + 1);
        if self.loading.get() > 0 {
            self.loading.set(self.loading.get() - 1);
            return LazyPoll::Loading;
        }
        match &self.failure {
            Some(why) => LazyPoll::Failed(why.clone()),
            None => LazyPoll::Ready(()),
        }
    }

    fn poll_help(&self, path: &str) -> LazyPoll<Option<String>> {
        assert_eq!(
            self.loading.get(),
            0,
            "help asked for before the module loaded"
        );
        LazyPoll::Ready(swarm_extras::help::text(path).map(String::from))
    }

    fn poll_template(&self, call: &str) -> LazyPoll<String> {
        // Asked only once the module is ready (the dispatcher waited for it).
        assert_eq!(
            self.loading.get(),
            0,
            "a template call before the module loaded"
        );
        self.templates.set(self.templates.get() + 1);
        LazyPoll::Ready(swarm_extras::template::run_wire(call))
    }
}

fn playground() -> Playground {
    Playground::new(&Options::default()).expect("playground")
}

/// One tick of the page's clock.
fn tick(pg: &mut Playground) -> (String, String) {
    pg.advance(SimDuration::from_millis(100));
    pg.terminal_mut("node1").expect("node1").drain_streams()
}

#[test]
fn jq_waits_for_the_module_then_runs() {
    let host = FakeHost::install(3, None);
    let mut pg = playground();
    pg.submit(
        "node1",
        "echo '{\"a\": [1, 2]}' | jq -c .a; echo \"done $?\"",
    );
    let (out, err) = pg.terminal_mut("node1").unwrap().drain_streams();
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
    assert!(pg.busy(), "jq waits while the module loads");
    let mut ticks = 0;
    while pg.busy() && ticks < 10 {
        let (out, err) = tick(&mut pg);
        ticks += 1;
        if pg.busy() {
            assert_eq!(
                (out.as_str(), err.as_str()),
                ("", ""),
                "nothing while loading"
            );
        } else {
            assert_eq!((out.as_str(), err.as_str()), ("[1,2]\ndone 0\n", ""));
        }
    }
    assert!(!pg.busy());
    assert!(ticks >= 2, "waited {ticks} ticks");
    // Polled while loading, then once more for the result.
    assert_eq!(host.polls.get(), 4);
    // Loaded: the next jq answers at once.
    pg.submit("node1", "jq -n 1+1");
    let (out, _) = pg.terminal_mut("node1").unwrap().drain_streams();
    assert_eq!(out, "2\n");
    assert!(!pg.busy());
}

#[test]
fn the_request_carries_what_jq_reads() {
    let host = FakeHost::install(0, None);
    let mut pg = playground();
    pg.submit("node1", "echo '{\"x\": 2}' > /tmp/a.json");
    pg.submit("node1", "jq -r '.x, $ENV.HOME' /tmp/a.json nosuch");
    let (out, err) = pg.terminal_mut("node1").unwrap().drain_streams();
    assert_eq!(out, "2\n/root\n");
    assert_eq!(
        err,
        "jq: error: Could not open nosuch: No such file or directory\n"
    );
    let requests = host.requests.borrow();
    let request = requests.last().expect("a request");
    assert_eq!(
        request.args,
        ["-r", ".x, $ENV.HOME", "/tmp/a.json", "nosuch"].map(String::from)
    );
    assert_eq!(request.stdin, "");
    assert_eq!(request.now_ms, pg.now().unix_ms());
    assert!(request
        .vars
        .contains(&("HOME".to_string(), "/root".to_string())));
    let file = |path: &str| {
        request
            .files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, r)| r.clone())
    };
    assert_eq!(file("/tmp/a.json"), Some(Ok("{\"x\": 2}\n".to_string())));
    assert!(matches!(file("nosuch"), Some(Err(_))));
}

#[test]
fn ctrl_c_stops_the_wait() {
    let _host = FakeHost::install(u32::MAX, None);
    let mut pg = playground();
    pg.submit("node1", "jq -n 1");
    tick(&mut pg);
    assert!(pg.busy());
    pg.interrupt("node1");
    assert!(!pg.busy());
    pg.submit("node1", "echo $?");
    let (out, _) = pg.terminal_mut("node1").unwrap().drain_streams();
    assert_eq!(out, "^C\n130\n");
}

#[test]
fn a_module_that_cannot_load_is_an_error() {
    let _host = FakeHost::install(1, Some("network error"));
    let mut pg = playground();
    pg.submit("node1", "jq -n 1; echo \"status $?\"");
    let (out, err) = tick(&mut pg);
    assert_eq!(out, "status 2\n");
    assert_eq!(err, "jq: error: jq could not be loaded: network error\n");
}

const STACK: &str = "version: \"3.8\"\nservices:\n  web:\n    image: nginx:alpine\n    environment:\n      RATIO: 1.0715660391465826e-75\n    deploy:\n      replicas: 2\n";

/// Runs node1's job to its end (a minute of simulated time at most).
fn idle(pg: &mut Playground) {
    assert!(pg.run_until_idle("node1", SimDuration::from_millis(60_000)));
}

/// The same commands on a playground with no host (YAML parsed by the linked parser).
fn without_host(lines: &[&str]) -> String {
    let mut pg = playground();
    let mut out = String::new();
    for line in lines {
        pg.submit("node1", line);
        idle(&mut pg);
        let (o, e) = pg.terminal_mut("node1").unwrap().drain_streams();
        out.push_str(&o);
        out.push_str(&e);
    }
    out
}

#[test]
fn stack_deploy_waits_for_the_yaml_parser() {
    let lines = [
        "docker swarm init --advertise-addr 192.168.0.11 >/dev/null",
        &format!("printf '{}' > stack.yml", STACK.replace('\n', "\\n")),
        "docker stack deploy -c stack.yml app; echo \"status $?\"",
        "docker service inspect app_web --format '{{.Spec.TaskTemplate.ContainerSpec.Env}}'",
    ];
    let expected = without_host(&lines);
    assert!(expected.contains("Creating service app_web"), "{expected}");
    assert!(expected.contains("status 0"), "{expected}");
    // A float that serde_json's default parsing would read one bit off: it crosses exactly.
    assert!(
        expected.contains("[RATIO=1.0715660391465826e-75]"),
        "{expected}"
    );

    let host = FakeHost::install(3, None);
    let mut pg = playground();
    let mut out = String::new();
    for line in &lines[..2] {
        pg.submit("node1", line);
        idle(&mut pg);
    }
    let (o, e) = pg.terminal_mut("node1").unwrap().drain_streams();
    out.push_str(&o);
    out.push_str(&e);
    pg.submit("node1", lines[2]);
    let (o, e) = pg.terminal_mut("node1").unwrap().drain_streams();
    assert_eq!((o.as_str(), e.as_str()), ("", ""), "nothing while loading");
    assert!(pg.busy(), "the deploy waits while the module loads");
    let mut ticks = 0;
    while pg.busy() && ticks < 100 {
        let (o, e) = tick(&mut pg);
        out.push_str(&o);
        out.push_str(&e);
        ticks += 1;
    }
    assert!(!pg.busy());
    assert!(ticks >= 2, "waited {ticks} ticks");
    pg.submit("node1", lines[3]);
    idle(&mut pg);
    let (o, e) = pg.terminal_mut("node1").unwrap().drain_streams();
    out.push_str(&o);
    out.push_str(&e);
    assert_eq!(out, expected);
    assert_eq!(*host.yaml.borrow().last().unwrap(), STACK);
}

#[test]
fn stack_deploy_without_the_parser_is_an_error() {
    let _host = FakeHost::install(0, Some("network error"));
    let mut pg = playground();
    pg.submit(
        "node1",
        "docker swarm init --advertise-addr 192.168.0.11 >/dev/null",
    );
    pg.submit("node1", "echo 'services: {web: {image: nginx}}' > s.yml");
    pg.submit(
        "node1",
        "docker stack deploy -c s.yml app; echo \"status $?\"",
    );
    idle(&mut pg);
    let (out, err) = pg.terminal_mut("node1").unwrap().drain_streams();
    assert_eq!(out, "status 1\n");
    assert_eq!(err, "the YAML parser could not be loaded: network error\n");
}

/// Commands whose `--format` goes through Go templates: list tables, inspects, `version`, `info`,
/// errors in parsing and in execution.
const FORMATS: &[&str] = &[
    "docker swarm init --advertise-addr 192.168.0.11 >/dev/null",
    "docker service create -d --name web --replicas 2 --limit-cpu 0.3 -l a=1 nginx:alpine >/dev/null",
    "sleep 5",
    "docker node ls --format 'table {{.Hostname}}\\t{{.Status}}\\t{{.Nope}}'",
    "docker node ls --format 'table {{.Hostname}}\\t{{.Status}}\\t{{.ManagerStatus}}'",
    "docker service ls --format '{{json .}}'",
    "docker service ps web --format '{{.Name}} {{.DesiredState}}'",
    "docker service inspect web --format '{{.Spec.Labels}} {{.Spec.TaskTemplate.Resources.Limits.NanoCPUs}} {{index .Spec.Labels \"a\"}}'",
    "docker service inspect web --format '{{.Spec.Nope.X}}'; echo \"status $?\"",
    "docker network ls --format 'table {{.Name}}\\t{{.Driver}}'",
    "docker version --format '{{.Server.Version}} {{.Client.Os}}'",
    "docker info --format '{{.Swarm.LocalNodeState}} {{json .Swarm.Cluster.Spec.Name}}'",
    "docker inspect web --format '{{.Spec.Name'; echo \"status $?\"",
    "docker ps --format '{{.Image}}' | sort | uniq -c",
];

#[test]
fn formats_wait_for_the_module_then_render_the_same() {
    let expected = without_host(FORMATS);
    for piece in [
        "HOSTNAME   STATUS    MANAGER STATUS",
        "map[a:1] 300000000 1",
        "28.2.2 linux",
        "active \"default\"",
        "status 1",
        "web.1 Running",
    ] {
        assert!(expected.contains(piece), "{piece:?} in {expected}");
    }

    let host = FakeHost::install(2, None);
    // The first `--format` (the fourth line) waits for the module.
    let out = run_waiting_at(FORMATS, 3);
    assert_eq!(out, expected);
    assert!(host.templates.get() >= 11, "{} calls", host.templates.get());
}

#[test]
fn formats_without_the_module_are_an_error() {
    let host = FakeHost::install(0, Some("network error"));
    let mut pg = playground();
    pg.submit(
        "node1",
        "docker version --format '{{.Client.Os}}'; echo \"status $?\"",
    );
    idle(&mut pg);
    let (out, err) = pg.terminal_mut("node1").unwrap().drain_streams();
    assert_eq!(out, "status 1\n");
    assert_eq!(
        err,
        "template: the template engine could not be loaded: network error\n"
    );
    assert_eq!(host.templates.get(), 0);
}

#[test]
fn help_waits_for_the_module_then_prints_the_same() {
    let lines = [
        "docker service --help",
        "docker",
        "docker help node ls; echo \"status $?\"",
        "docker help nosuch; echo \"status $?\"",
        "docker version -h",
        "docker service create --bogus",
    ];
    let expected = without_host(&lines);
    assert!(
        expected.contains("Usage:  docker service COMMAND"),
        "{expected}"
    );
    assert!(
        expected.contains("status 1\nunknown help topic: nosuch\n"),
        "{expected}"
    );
    assert!(expected.contains("unknown flag: --bogus"), "{expected}");

    let _host = FakeHost::install(2, None);
    let out = run_waiting_at(&lines, 0);
    assert_eq!(out, expected);
}

/// Runs `lines` one after another on a fresh playground, each to the end; line `waits` must
/// wait for the module (busy, printing nothing) until ticks load it. Everything printed,
/// each line's output then its errors.
fn run_waiting_at(lines: &[&str], waits: usize) -> String {
    let mut pg = playground();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        pg.submit("node1", line);
        let (mut o, mut e) = pg.terminal_mut("node1").unwrap().drain_streams();
        if i == waits {
            assert!(pg.busy(), "`{line}` waits while the module loads");
            assert_eq!((o.as_str(), e.as_str()), ("", ""), "nothing while loading");
            let mut ticks = 0;
            while pg.busy() && ticks < 100 {
                let (to, te) = tick(&mut pg);
                o.push_str(&to);
                e.push_str(&te);
                ticks += 1;
            }
        }
        idle(&mut pg);
        let (to, te) = pg.terminal_mut("node1").unwrap().drain_streams();
        out.push_str(&(o + &to));
        out.push_str(&(e + &te));
    }
    out
}
