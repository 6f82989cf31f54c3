//! The text tools, jq and watch as a terminal runs them: on pipes of docker output, with
//! simulated time (never the host's clock), bounded, and without panics on odd input.

use proptest::prelude::*;
use swarm_core::SimDuration;
use swarm_shell::{Options, Output, Playground};

fn playground() -> Playground {
    Playground::new(&Options::default()).expect("playground")
}

/// Types one line and fast-forwards until it is done (Ctrl+C after `limit`); (stdout, stderr).
fn run(pg: &mut Playground, line: &str, limit: u64) -> (String, String) {
    pg.submit("node1", line);
    if !pg.run_until_idle("node1", SimDuration::from_secs(limit)) {
        pg.interrupt("node1");
    }
    pg.terminal_mut("node1").expect("node1").drain_streams()
}

#[test]
fn jq_now_is_the_simulated_clock() {
    let mut pg = playground();
    let (out, _) = run(&mut pg, "jq -nr 'now | todate'", 10);
    assert_eq!(out, "2026-11-23T09:00:00Z\n");
    run(&mut pg, "sleep 3661", 4000);
    let (out, _) = run(&mut pg, "jq -nr 'now | floor | todate'", 10);
    assert_eq!(out, "2026-11-23T10:01:01Z\n");
}

#[test]
fn jq_in_pipelines_and_status() {
    let mut pg = playground();
    let (out, err) = run(&mut pg, "echo '{\"a\":[1,2]}' | jq -c '.a' | wc -c", 10);
    assert_eq!((out.as_str(), err.as_str()), ("6\n", ""));
    let (_, err) = run(&mut pg, "echo '[1]' | jq .a; echo \"status $?\"", 10);
    assert_eq!(
        err,
        "jq: error (at <stdin>:1): Cannot index array with \"a\"\n"
    );
    let (out, _) = run(&mut pg, "jq -n '$ENV.HOME, env.USER' -r", 10);
    assert_eq!(out, "/root\nroot\n");
    // The host's environment never leaks in.
    let (out, _) = run(&mut pg, "jq -n 'env | has(\"CARGO\")'", 10);
    assert_eq!(out, "false\n");
}

#[test]
fn xargs_runs_docker() {
    let mut pg = playground();
    run(&mut pg, "docker run -d --name one alpine sleep 1000", 60);
    run(&mut pg, "docker run -d --name two alpine sleep 1000", 60);
    let (out, _) = run(&mut pg, "docker ps -q | wc -l", 10);
    assert_eq!(out, "2\n");
    let (out, err) = run(&mut pg, "docker ps -q | xargs docker rm -f", 60);
    assert_eq!((out.lines().count(), err.as_str()), (2, ""));
    let (out, _) = run(&mut pg, "docker ps -aq | wc -l", 10);
    assert_eq!(out, "0\n");
    let (_, err) = run(&mut pg, "echo x | xargs nosuchcommand; echo $?", 10);
    assert_eq!(err, "bash: nosuchcommand: command not found\n");
}

#[test]
fn watch_redraws_until_ctrl_c_in_the_page() {
    let mut pg = playground();
    pg.submit("node1", "watch -n 0.5 'sim time'");
    // The page: time passes in small steps; each refresh clears the screen first.
    for _ in 0..20 {
        pg.advance(SimDuration::from_millis(100));
    }
    let t = pg.terminal_mut("node1").expect("node1");
    assert!(t.busy(), "watch runs until interrupted");
    let pieces = t.drain_output();
    let clears = pieces.iter().filter(|o| matches!(o, Output::Clear)).count();
    assert_eq!(
        clears, 5,
        "one screen per 0.5 s over 2 s, and the first at once"
    );
    let last = pieces.last().expect("a screen").text().to_string();
    assert!(
        last.starts_with("Every 0.5s: sim time")
            && last.contains("node1: Mon Nov 23 09:00:02 2026\n\nT+00:00:02"),
        "{last:?}"
    );
    pg.interrupt("node1");
    let t = pg.terminal_mut("node1").expect("node1");
    assert!(!t.busy());
    assert_eq!(t.last_status(), 130);
}

#[test]
fn watch_stops_after_the_refreshes_a_script_asks_for() {
    let mut pg = playground();
    run(&mut pg, "export WATCH_MAX_REFRESHES=4", 10);
    let start = pg.now().as_millis();
    pg.submit("node1", "watch -t -n 2 'echo hi'");
    assert!(pg.run_until_idle("node1", SimDuration::from_secs(60)));
    let (out, _) = pg.terminal_mut("node1").expect("node1").drain_streams();
    assert_eq!(out, "hi\nhi\nhi\nhi\n");
    assert_eq!(
        pg.now().as_millis() - start,
        6000,
        "three waits of 2 s between four screens"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Filters and inputs made of jq's own tokens never panic and always finish.
    #[test]
    fn jq_survives_token_soup(
        filter in proptest::collection::vec(
            prop_oneof![
                Just("."), Just(".a"), Just(".[]"), Just(".[0]"), Just("|"), Just(","),
                Just("("), Just(")"), Just("["), Just("]"), Just("{"), Just("}"), Just(":"),
                Just("+"), Just("-"), Just("*"), Just("/"), Just("%"), Just("1"), Just("\"s\""),
                Just("null"), Just("length"), Just("keys"), Just("map(.)"), Just("select(.)"),
                Just("tostring"), Just("tonumber"), Just("as $x"), Just("$x"), Just("if"),
                Just("then"), Just("else"), Just("end"), Just("reduce"), Just("?"), Just("//"),
                Just("limit(3; repeat(1))"), Just("2147483647"), Just("-2147483648"),
                Just("@base64"), Just("@csv"), Just("test(\"a\")"), Just("now"), Just("env"),
                Just("input"), Just("halt_error"), Just("splits(\"a\")"), Just("ltrimstr(1)"),
            ],
            0..12,
        ),
        input in prop_oneof![
            Just("null"), Just("{\"a\": [1, 2147483647, -2147483648]}"), Just("[[], {}, \"a\"]"),
            Just("1 2 3"), Just("{\"a\":"), Just("\"\\u0000\""), Just("-0"), Just("1e400"),
        ],
    ) {
        let mut pg = playground();
        let line = format!("echo '{}' | jq -c '{}'", input, filter.join(" ").replace('\'', ""));
        pg.submit("node1", &line);
        prop_assert!(pg.run_until_idle("node1", SimDuration::from_secs(10)));
        if std::env::var("SHOW_SOUP").is_ok() {
            eprintln!("{line} => {:?}", pg.terminal_mut("node1").map(|t| t.drain_streams()));
        }
        let (out, _) = run(&mut pg, "echo still-ok", 10);
        prop_assert!(out.ends_with("still-ok\n"));
    }

    /// The text tools never panic on any arguments and input.
    #[test]
    fn text_tools_survive_odd_arguments(
        tool in prop_oneof![
            Just("head"), Just("tail"), Just("wc"), Just("sort"), Just("uniq"), Just("cut"),
            Just("tr"), Just("sed"), Just("awk"), Just("seq"), Just("tee"), Just("xargs"),
        ],
        args in proptest::collection::vec("[-a-z0-9:,/$ {}()!\\[\\]+]{0,6}", 0..4),
        input in "[a-z0-9 :\\n]{0,40}",
    ) {
        let mut pg = playground();
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let line = format!("printf '{}' | {tool} {}", input.replace('\n', "\\n"), quoted.join(" "));
        pg.submit("node1", &line);
        if !pg.run_until_idle("node1", SimDuration::from_secs(10)) {
            pg.interrupt("node1");
        }
        let (out, _) = run(&mut pg, "echo still-ok", 10);
        prop_assert!(out.ends_with("still-ok\n"));
    }
}
