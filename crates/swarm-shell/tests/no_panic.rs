//! Bad input never panics and never corrupts state: random bytes and random token soups go
//! into a terminal, and afterwards the machine is the same and the terminal still works.

use proptest::prelude::*;
use swarm_core::SimDuration;
use swarm_shell::{Options, Playground};

/// Types `text` line by line, pressing Ctrl+C if a line is still running after a minute of
/// simulated time; returns (stdout, stderr).
fn type_lines(pg: &mut Playground, text: &str) -> (String, String) {
    for line in text.split('\n') {
        pg.submit("node1", line);
        if !pg.run_until_idle("node1", SimDuration::from_secs(60)) {
            pg.interrupt("node1");
        }
    }
    // Abandon whatever is left open (a quote, a heredoc).
    pg.interrupt("node1");
    let t = pg.terminal_mut("node1").expect("node1");
    let (out, err) = t.drain_streams();
    (out, err)
}

/// The terminal answers a plain command correctly, on its own machine.
fn still_works(pg: &mut Playground) {
    while pg
        .terminal("node1")
        .is_some_and(|t| t.current_machine().0 != 0)
    {
        let (_, _) = type_lines(pg, "exit");
    }
    let (out, _) = type_lines(pg, "echo still-ok; hostname");
    assert!(
        out.ends_with("still-ok\nnode1\n"),
        "terminal broken afterwards: {out:?}"
    );
    assert_eq!(
        pg.machine_names(),
        vec!["node1".to_string(), "node2".to_string()]
    );
}

fn playground() -> Playground {
    Playground::new(&Options {
        machines: 2,
        ..Options::default()
    })
    .expect("playground")
}

const WORDS: &[&str] = &[
    "docker",
    "version",
    "info",
    "help",
    "--help",
    "-h",
    "--format",
    "-f",
    "{{.Server.Version}}",
    "{{",
    "}}",
    "json",
    "service",
    "create",
    "node",
    "ls",
    "swarm",
    "init",
    "--bogus",
    "-x",
    "echo",
    "hostname",
    "-i",
    "ssh",
    "node2",
    "exit",
    "grep",
    "-c",
    "-E",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "|",
    "||",
    "&&",
    ";",
    ";;",
    "&",
    "<",
    ">",
    ">>",
    "2>&1",
    "<<",
    "<<<",
    "EOF",
    "'",
    "\"",
    "`",
    "$",
    "$(",
    "$((",
    "${",
    "$?",
    "x=1",
    "$x",
    "\\",
    "if",
    "then",
    "else",
    "fi",
    "for",
    "in",
    "do",
    "done",
    "while",
    "until",
    "case",
    "esac",
    "!",
    "*",
    "sleep",
    "1",
    "0.5",
    "-1",
    "infinity",
    "cat",
    "printf",
    "%s",
    "%d",
    "\n",
    "test",
    "-eq",
    "break",
    "continue",
    "export",
    "unset",
    "function",
    "f()",
    "((",
    "))",
    "[[",
    "]]",
    "=~",
    "~",
    "/dev/null",
    "-",
    "join",
    "--token",
    "leave",
    "--force",
    "join-token",
    "worker",
    "manager",
    "-q",
    "--rotate",
    "promote",
    "demote",
    "update",
    "--availability",
    "drain",
    "--label-add",
    "a=b",
    "--label-rm",
    "rm",
    "inspect",
    "--pretty",
    "self",
    "node1",
    "192.168.0.11:2377",
    "--advertise-addr",
    "--filter",
    "role=manager",
    "head",
    "tail",
    "-n",
    "$(docker swarm join-token -q worker)",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,120}") {
        let mut pg = playground();
        let _ = type_lines(&mut pg, &text);
        still_works(&mut pg);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut pg = playground();
        let _ = type_lines(&mut pg, &String::from_utf8_lossy(&bytes));
        still_works(&mut pg);
    }

    #[test]
    fn token_soups_never_panic(tokens in proptest::collection::vec(proptest::sample::select(WORDS), 0..24)) {
        let mut pg = playground();
        let _ = type_lines(&mut pg, &tokens.join(" "));
        still_works(&mut pg);
    }

    #[test]
    fn unknown_docker_commands_get_dockers_error(word in "[a-z]{1,12}") {
        prop_assume!(swarm_like_command(&word).is_none());
        let mut pg = playground();
        let (out, err) = type_lines(&mut pg, &format!("docker {word}; echo status=$?"));
        prop_assert_eq!(err, format!("docker: unknown command: docker {word}\n\nRun 'docker --help' for more information\n"));
        prop_assert_eq!(out, "status=1\n");
    }

    #[test]
    fn unknown_flags_get_usage_and_125(flag in "[a-z][a-z-]{0,12}") {
        prop_assume!(flag != "format" && flag != "help");
        let mut pg = playground();
        let (out, err) = type_lines(&mut pg, &format!("docker version --{flag}; echo status=$?"));
        prop_assert!(err.starts_with(&format!("unknown flag: --{flag}\n\nUsage:  docker version [OPTIONS]")), "{err}");
        prop_assert_eq!(out, "status=125\n");
    }
}

/// Whether `word` is a docker command (then it is not "unknown").
fn swarm_like_command(word: &str) -> Option<()> {
    const KNOWN: &[&str] = &[
        "run",
        "exec",
        "ps",
        "build",
        "pull",
        "push",
        "images",
        "login",
        "logout",
        "search",
        "version",
        "info",
        "builder",
        "checkpoint",
        "container",
        "context",
        "image",
        "manifest",
        "network",
        "plugin",
        "system",
        "trust",
        "volume",
        "config",
        "node",
        "secret",
        "service",
        "stack",
        "swarm",
        "attach",
        "commit",
        "cp",
        "create",
        "diff",
        "events",
        "export",
        "history",
        "import",
        "inspect",
        "kill",
        "load",
        "logs",
        "pause",
        "port",
        "rename",
        "restart",
        "rm",
        "rmi",
        "save",
        "start",
        "stats",
        "stop",
        "tag",
        "top",
        "unpause",
        "update",
        "wait",
        "help",
    ];
    KNOWN.contains(&word).then_some(())
}
