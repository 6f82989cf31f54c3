//! The real docker CLI as the judge of what the CLI prints by itself.
//!
//! The machines of this project ship the docker CLI 28.2.2 (client only). Everything it prints
//! before it talks to a daemon — help, usage errors, unknown commands, exit codes — must come
//! out of our `docker` byte for byte. Without a 28.x client on PATH these tests say so and
//! pass without comparing (CI machines have one). `UPDATE_HELP=1` regenerates
//! `data/docker-help.txt` from the installed client.

use std::path::Path;
use std::process::Command;

use swarm_shell::{Options, Playground, IDLE_LIMIT};

/// The real client, if it is docker 28.x.
fn real_docker() -> Option<&'static str> {
    let out = Command::new("docker").arg("--version").output().ok()?;
    let v = String::from_utf8_lossy(&out.stdout);
    if v.starts_with("Docker version 28.") {
        Some("docker")
    } else {
        eprintln!(
            "skipped: no docker 28.x CLI on PATH (found: {:?})",
            v.trim()
        );
        None
    }
}

/// Runs the real client with no daemon to reach and a fixed home (help texts show it).
fn real(args: &[&str]) -> (String, String, i32) {
    let out = Command::new("docker")
        .args(args)
        .env("HOME", "/root")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env_remove("DOCKER_CONTEXT")
        .env("COLUMNS", "80")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("docker runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn quote(a: &str) -> String {
    format!("'{}'", a.replace('\'', "'\\''"))
}

/// Runs `docker ARGS` in a playground terminal.
fn ours(pg: &mut Playground, args: &[&str]) -> (String, String, i32) {
    let line = std::iter::once("docker".to_string())
        .chain(args.iter().map(|a| quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    // The real CLI runs with stdin from /dev/null: a `[y/N]` question reads EOF there too,
    // instead of waiting for the next line typed at the terminal.
    let line = format!("{line} < /dev/null");
    pg.submit("node1", &line);
    assert!(pg.run_until_idle("node1", IDLE_LIMIT));
    let t = pg.terminal_mut("node1").expect("node1");
    let (out, err) = t.drain_streams();
    (out, err, t.last_status())
}

/// Invocations the CLI answers without a daemon.
const CASES: &[&[&str]] = &[
    &["foo"],
    &["--bogus"],
    &["-x"],
    &["-D=x", "version"],
    // `docker --help` itself is not compared here: the real client lists the swarm commands
    // when it reaches no daemon, ours hides them as it does for an engine outside swarm mode.
    // Its text is checked by `captured_help_texts_are_current`.
    &["help", "foo"],
    &["help", "version"],
    &["-v"],
    &["--version"],
    &["version", "--bogus"],
    &["version", "-x"],
    &["version", "-abc"],
    &["version", "--format"],
    &["version", "-f"],
    &["version", "extra"],
    &["version", "--help"],
    &["version", "--help", "extra"],
    &["info", "extra"],
    &["info", "--bogus"],
    &["info", "-h"],
    &["swarm", "foo"],
    &["swarm", "--help"],
    &["node", "--help"],
    &["node", "ls", "--bogus"],
    &["node", "ls", "--help"],
    &["service", "create", "--bogus"],
    &["service", "create", "--help"],
    &["service", "--help"],
    &["service", "ps", "-x"],
    &["stack", "deploy", "--help"],
    &["network", "create", "--help"],
    &["container", "ls", "--help"],
    &["system", "info", "--help"],
    // Typed flag values are checked while parsing, before the argument count; a group's
    // flags before its unknown-subcommand check; a group's own usage line.
    &["service", "create", "--replicas", "nginx"],
    &["service", "update", "--update-parallelism", "x"],
    &["run", "--stop-timeout", "x"],
    &["service", "craete", "--name", "x"],
    &["service", "craete"],
    &["service", "--foo"],
    &["stack", "--foo"],
    &["volume", "--foo"],
    &["node", "lss", "-q"],
];

#[test]
fn usage_errors_and_help_match_the_real_cli() {
    if real_docker().is_none() {
        return;
    }
    let mut pg = Playground::new(&Options::default()).expect("playground");
    let mut diffs = Vec::new();
    for args in CASES {
        let want = real(args);
        let got = ours(&mut pg, args);
        if want != got {
            diffs.push(format!(
                "docker {}\n--- real (exit {}):\n{}{}\n--- ours (exit {}):\n{}{}",
                args.join(" "),
                want.2,
                want.0,
                want.1,
                got.2,
                got.0,
                got.1
            ));
        }
    }
    eprintln!(
        "{} docker invocations compared with the real CLI, {} differ",
        CASES.len(),
        diffs.len()
    );
    assert!(diffs.is_empty(), "{}", diffs.join("\n\n"));
}

/// Every leaf command, with no arguments and with too many: where the real CLI refuses the
/// count (an error starting `docker: '`), ours must print the same; where it doesn't, ours
/// must not refuse the count either.
#[test]
fn argument_counts_match_the_real_cli() {
    if real_docker().is_none() {
        return;
    }
    let data =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/docker-help.txt"))
            .expect("help data");
    let mut pg = Playground::new(&Options::default()).expect("playground");
    let mut compared = 0;
    let mut diffs = Vec::new();
    for section in data.split("### docker").skip(1) {
        let (header, body) = section.split_once('\n').unwrap_or((section, ""));
        let words: Vec<&str> = header.split_whitespace().collect();
        // `build` prints the legacy builder's deprecation banner first, which depends on
        // whether the buildx plugin is installed; skip it.
        if words.is_empty() || body.contains("\nCommands:\n") || words.ends_with(&["build"]) {
            continue;
        }
        for extra in [&[][..], &["a1", "a2", "a3", "a4", "a5"][..]] {
            let args: Vec<&str> = words.iter().chain(extra.iter()).copied().collect();
            let want = real(&args);
            let real_refused = want.2 == 1 && want.1.starts_with("docker: '");
            let got = ours(&mut pg, &args);
            let ours_refused = got.2 == 1 && got.1.starts_with("docker: '");
            compared += 1;
            if real_refused != ours_refused || (real_refused && want.1 != got.1) {
                diffs.push(format!(
                    "docker {}\n--- real:\n{}--- ours:\n{}",
                    args.join(" "),
                    want.1,
                    got.1
                ));
            }
        }
    }
    eprintln!(
        "{compared} argument counts compared with the real CLI, {} differ",
        diffs.len()
    );
    assert!(compared > 200, "too few commands compared: {compared}");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn captured_help_texts_are_current() {
    if real_docker().is_none() {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/docker-help.txt");
    let data = std::fs::read_to_string(&path).expect("help data");
    let mut regenerated = String::new();
    let mut stale = Vec::new();
    for section in data.split("### docker").skip(1) {
        let (header, body) = section.split_once('\n').unwrap_or((section, ""));
        let words: Vec<&str> = header.split_whitespace().collect();
        let mut args = words.clone();
        args.push("--help");
        let (out, _, _) = real(&args);
        if out != body {
            stale.push(format!("docker {}", words.join(" ")));
        }
        regenerated.push_str(&format!("### docker{header}\n{out}"));
    }
    let preamble = data.split("### docker").next().unwrap_or("");
    if std::env::var_os("UPDATE_HELP").is_some() {
        std::fs::write(&path, format!("{preamble}{regenerated}")).expect("write help data");
        return;
    }
    assert!(
        stale.is_empty(),
        "help texts differ from the installed CLI (UPDATE_HELP=1 to refresh): {stale:?}"
    );
}
