//! Commands reading lines typed at their terminal (`Interp::read_line`), driven through the
//! `Playground` as the page and scripts drive it: `docker volume prune`'s `[y/N]`, lines typed
//! ahead, piped answers, secret reads, Ctrl+C while reading, scripts and replay.

use crate::playground::{Options, Playground};
use crate::terminal::{InputMode, Output};
use crate::{ReplayLog, IDLE_LIMIT};

const NODE: &str = "node1";
const QUESTION: &str = "WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ";

fn playground() -> Playground {
    Playground::new(&Options::default()).expect("a playground")
}

/// Everything the terminal showed since the last call, as text.
fn screen(pg: &mut Playground) -> String {
    let mut s = String::new();
    crate::drain_into(pg, NODE, &mut s);
    s
}

/// Types `line`, lets the job run until it is idle (done, or reading); returns what it showed.
fn type_line(pg: &mut Playground, line: &str) -> String {
    pg.submit(NODE, line);
    assert!(pg.run_until_idle(NODE, IDLE_LIMIT), "`{line}` went idle");
    screen(pg)
}

fn mode(pg: &Playground) -> InputMode {
    pg.terminal(NODE).map(|t| t.input_mode()).expect("node1")
}

/// The names `docker volume ls -q` lists now.
fn volumes(pg: &mut Playground) -> String {
    let shown = type_line(pg, "docker volume ls -q");
    shown
        .split_once('\n')
        .map(|x| x.1)
        .unwrap_or("")
        .to_string()
}

/// A playground with volume `data`, its terminal asking whether to prune all volumes.
fn asking() -> Playground {
    let mut pg = playground();
    type_line(&mut pg, "docker volume create data");
    let shown = type_line(&mut pg, "docker volume prune -a");
    assert!(shown.ends_with(QUESTION), "{shown:?}");
    assert_eq!(mode(&pg), InputMode::Line);
    assert!(pg.terminal(NODE).is_some_and(|t| t.busy()));
    assert_eq!(pg.terminal(NODE).map(|t| t.prompt()).as_deref(), Some(""));
    pg
}

#[test]
fn prune_answered_y_after_the_question_removes() {
    let mut pg = asking();
    let shown = type_line(&mut pg, "y");
    assert_eq!(
        shown,
        "y\nDeleted Volumes:\ndata\n\nTotal reclaimed space: 0B\n"
    );
    assert_eq!(mode(&pg), InputMode::Command);
    assert_eq!(pg.terminal(NODE).map(|t| t.last_status()), Some(0));
    assert_eq!(volumes(&mut pg), "");
    // The answer is no command: the history has only the commands.
    let history = pg.terminal(NODE).map(|t| t.history()).unwrap_or_default();
    assert!(!history.iter().any(|h| h == "y"), "{history:?}");
}

#[test]
fn prune_answers_as_docker_cli_reads_them() {
    // docker/cli's PromptForConfirmation: `y`/`Y` with spaces around; `yes` is a no.
    for (answer, removed) in [
        ("n", false),
        ("", false),
        ("N", false),
        ("yes", false),
        ("Y", true),
        ("  y ", true),
    ] {
        let mut pg = asking();
        let shown = type_line(&mut pg, answer);
        assert!(shown.starts_with(&format!("{answer}\n")), "{shown:?}");
        assert_eq!(mode(&pg), InputMode::Command, "{answer:?}");
        assert_eq!(pg.terminal(NODE).map(|t| t.last_status()), Some(0));
        let left = if removed { "" } else { "data\n" };
        assert_eq!(volumes(&mut pg), left, "answer {answer:?}");
    }
}

#[test]
fn lines_typed_ahead_answer_first_and_the_rest_run_after() {
    let mut pg = playground();
    type_line(&mut pg, "docker volume create data");
    pg.submit(NODE, "sleep 5; docker volume prune -a");
    assert_eq!(mode(&pg), InputMode::Busy);
    pg.submit(NODE, "y");
    pg.submit(NODE, "echo after");
    assert_eq!(mode(&pg), InputMode::Busy, "nothing reads yet");
    assert!(pg.run_until_idle(NODE, IDLE_LIMIT));
    let shown = screen(&mut pg);
    assert!(
        shown.contains(&format!("{QUESTION}y\nDeleted Volumes:\ndata\n")),
        "{shown:?}"
    );
    assert!(shown.ends_with("$ echo after\nafter\n"), "{shown:?}");
    assert_eq!(volumes(&mut pg), "");
}

#[test]
fn piped_and_redirected_answers_are_read_line_by_line() {
    let mut pg = playground();
    type_line(&mut pg, "docker volume create data");
    // Each read takes the next line of the pipe: `n` for the first prune, `y` for the second.
    let shown = type_line(
        &mut pg,
        "printf 'n\\ny\\n' | { docker volume prune -a; echo; docker volume ls -q; docker volume prune -a; }",
    );
    assert_eq!(mode(&pg), InputMode::Command);
    assert!(
        shown.ends_with(&format!(
            "{QUESTION}\ndata\n{QUESTION}Deleted Volumes:\ndata\n\nTotal reclaimed space: 0B\n"
        )),
        "{shown:?}"
    );
    type_line(&mut pg, "docker volume create data");
    // An empty stdin answers no (EOF), never the terminal.
    let shown = type_line(&mut pg, "docker volume prune -a < /dev/null");
    assert!(shown.ends_with(QUESTION), "{shown:?}");
    assert_eq!(mode(&pg), InputMode::Command);
    assert_eq!(volumes(&mut pg), "data\n");
    type_line(&mut pg, "docker volume prune -a <<< Y");
    assert_eq!(volumes(&mut pg), "");
}

#[test]
fn a_secret_read_echoes_only_the_newline() {
    let mut pg = playground();
    let t = pg.terminal_mut(NODE).expect("node1");
    crate::exec::start_questions(
        t,
        vec![("Username: ".into(), true), ("Password: ".into(), false)],
    );
    assert_eq!(mode(&pg), InputMode::Line);
    pg.submit(NODE, "moby");
    assert_eq!(mode(&pg), InputMode::Secret);
    assert_eq!(pg.terminal(NODE).map(|t| t.prompt()).as_deref(), Some(""));
    let shown = pg
        .terminal_mut(NODE)
        .map(|t| t.drain_output())
        .unwrap_or_default();
    assert_eq!(
        shown,
        vec![
            Output::Stdout("Username: ".into()),
            Output::Echo("moby\n".into()),
            Output::Stdout("moby\nPassword: ".into()),
        ]
    );
    pg.submit(NODE, "s3cret");
    assert_eq!(mode(&pg), InputMode::Command);
    let shown = pg
        .terminal_mut(NODE)
        .map(|t| t.drain_output())
        .unwrap_or_default();
    // The terminal shows only the newline; the job got the text.
    assert_eq!(
        shown,
        vec![Output::Echo("\n".into()), Output::Stdout("s3cret\n".into())]
    );
}

#[test]
fn ctrl_c_while_reading_stops_the_command() {
    let mut pg = asking();
    pg.interrupt_line(NODE, "ye");
    assert_eq!(screen(&mut pg), "ye^C\n");
    assert_eq!(mode(&pg), InputMode::Command);
    assert_eq!(pg.terminal(NODE).map(|t| t.last_status()), Some(130));
    assert_eq!(volumes(&mut pg), "data\n");
    // The next line is a command again, and the next question waits for a new answer.
    assert!(type_line(&mut pg, "docker volume prune -a").ends_with(QUESTION));
    assert_eq!(type_line(&mut pg, "n"), "n\n");

    // A secret half-typed is not shown.
    let t = pg.terminal_mut(NODE).expect("node1");
    crate::exec::start_questions(t, vec![("Password: ".into(), false)]);
    assert_eq!(mode(&pg), InputMode::Secret);
    pg.interrupt_line(NODE, "hunter2");
    assert_eq!(screen(&mut pg), "Password: ^C\n");
    assert_eq!(mode(&pg), InputMode::Command);
}

#[test]
fn a_script_answers_questions_with_its_next_lines() {
    let script = "docker volume create data\ndocker volume prune -a\nN\ndocker volume prune -a\ny\ndocker volume ls -q\n";
    let out = crate::run_script(&Options::default(), script).expect("runs");
    assert!(!out.contains("^C"), "{out}");
    assert!(out.contains(&format!("{QUESTION}N\n[node1]")), "{out}");
    assert!(
        out.contains(&format!("{QUESTION}y\nDeleted Volumes:\ndata\n")),
        "{out}"
    );
    assert!(out.ends_with("$ docker volume ls -q\n"), "{out}");
    // Re-running the transcript types the answers after the questions again.
    let again = crate::rerun_transcript(&out).expect("reruns");
    assert_eq!(again, out);
}

#[test]
fn replay_of_a_session_with_answers_rebuilds_it() {
    let mut pg = playground();
    pg.start_recording(false);
    let mut shown = String::new();
    for line in ["docker volume create v1", "docker volume create v2"] {
        shown.push_str(&type_line(&mut pg, line));
    }
    shown.push_str(&type_line(&mut pg, "docker volume prune -a"));
    shown.push_str(&type_line(&mut pg, "n"));
    // An answer typed ahead, while `sleep` runs.
    pg.submit(NODE, "sleep 3; docker volume prune -a");
    pg.submit(NODE, "y");
    pg.advance(swarm_core::SimDuration::from_secs(4));
    shown.push_str(&screen(&mut pg));
    shown.push_str(&type_line(&mut pg, "docker volume create v3"));
    shown.push_str(&type_line(&mut pg, "docker volume ls -q"));
    assert!(shown.ends_with("$ docker volume ls -q\nv3\n"), "{shown}");
    let log = pg.recording().map(|r| r.log()).expect("recording");
    let log = ReplayLog::from_json(&log.to_json()).expect("a good log");
    let mut again = Playground::replay(&log).expect("replays");
    assert_eq!(screen(&mut again), shown);
    assert_eq!(volumes(&mut again), "v3\n");
}

#[test]
fn docker_login_asks_for_the_name_then_a_secret_password() {
    let mut pg = playground();
    type_line(&mut pg, "mkdir auth");
    type_line(
        &mut pg,
        "docker run --rm --entrypoint htpasswd httpd:2 -Bbn moby gordon > auth/htpasswd",
    );
    type_line(
        &mut pg,
        "docker run -d -p 5000:5000 -v /root/auth:/auth -e REGISTRY_AUTH=htpasswd -e REGISTRY_AUTH_HTPASSWD_REALM=R -e REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd registry:2",
    );
    let shown = type_line(&mut pg, "docker login 127.0.0.1:5000");
    assert!(shown.ends_with("Username: "), "{shown:?}");
    assert_eq!(mode(&pg), InputMode::Line);
    assert_eq!(type_line(&mut pg, "moby"), "moby\nPassword: ");
    assert_eq!(mode(&pg), InputMode::Secret);
    // A wrong password: the daemon's refusal, nothing stored, the password never shown.
    let shown = type_line(&mut pg, "wrong");
    assert_eq!(
        shown,
        "\nError response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized\n"
    );
    assert_eq!(mode(&pg), InputMode::Command);
    assert_eq!(pg.terminal(NODE).map(|t| t.last_status()), Some(1));
    let shown = type_line(&mut pg, "cat /root/.docker/config.json");
    assert!(shown.contains("No such file"), "{shown:?}");
    // The right one: stored, and the screen holds the name but not the password.
    type_line(&mut pg, "docker login 127.0.0.1:5000");
    type_line(&mut pg, "moby");
    let shown = type_line(&mut pg, "gordon");
    assert!(shown.ends_with("Login Succeeded\n"), "{shown:?}");
    assert!(!shown.contains("gordon"), "{shown:?}");
    let shown = type_line(&mut pg, "cat /root/.docker/config.json");
    assert!(
        shown.contains("\"auth\": \"bW9ieTpnb3Jkb24=\""),
        "{shown:?}"
    );
}

#[test]
fn a_script_thinks_one_second_between_commands_but_not_inside_one() {
    // `date +%s` after each command: one second apart, as a person types; the heredoc's lines
    // and the answer to a question take no time of their own.
    let script = "date +%s\ndate +%s\ncat <<X\nline\nX\ndate +%s\n";
    let out = crate::run_script(&Options::default(), script).expect("runs");
    let stamps: Vec<u64> = out.lines().filter_map(|l| l.parse().ok()).collect();
    assert_eq!(stamps.len(), 3, "{out}");
    assert_eq!(stamps[1] - stamps[0], 1, "{out}");
    // Two commands (the date and the cat) end before the third date: two seconds.
    assert_eq!(stamps[2] - stamps[1], 2, "{out}");
    assert_eq!(crate::THINK_TIME, swarm_core::SimDuration::from_secs(1));
}

#[test]
fn a_script_waits_for_a_long_sleep_but_not_for_a_command_that_keeps_going() {
    let script = "date +%s\nsleep 600\ndate +%s\ndocker swarm init > /dev/null\ndocker service create --name p --constraint node.role==nobody nginx:alpine > /dev/null\ndate +%s\n";
    let out = crate::run_script(&Options::default(), script).expect("runs");
    let stamps: Vec<u64> = out.lines().filter_map(|l| l.parse().ok()).collect();
    assert_eq!(stamps.len(), 3, "{out}");
    // The sleep is waited for, with one second of thinking after `date` and after `sleep`.
    assert_eq!(stamps[1] - stamps[0], 602, "{out}");
    // The service that never converges gets Ctrl+C after PATIENCE.
    assert!(out.contains("^C"), "{out}");
    let waited = stamps[2] - stamps[1];
    assert!((120..=125).contains(&waited), "waited {waited} s: {out}");
}
