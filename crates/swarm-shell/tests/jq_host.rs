//! `jq` through a host, as the page runs it: the engine is a second wasm module loaded on
//! first use, so the command waits (pending, polled on every tick) until the host has it,
//! Ctrl+C stops the wait, and a host that cannot load it makes `jq` fail with exit 2.
//! Natively the host is a fake that answers with `swarm_jq::run` after a few polls.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use swarm_core::SimDuration;
use swarm_shell::{set_jq_host, JqHost, JqPoll, JqRequest, Options, Playground};

/// Says "loading" `loading` times, then runs jq (or fails with `failure`).
struct FakeHost {
    loading: Cell<u32>,
    failure: Option<String>,
    polls: Cell<u32>,
    requests: RefCell<Vec<JqRequest>>,
}

impl FakeHost {
    fn install(loading: u32, failure: Option<&str>) -> Rc<FakeHost> {
        let host = Rc::new(FakeHost {
            loading: Cell::new(loading),
            failure: failure.map(str::to_string),
            polls: Cell::new(0),
            requests: RefCell::new(Vec::new()),
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
