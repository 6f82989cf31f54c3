//! `swarmsh`: the playground's shell on the command line.
//!
//! With a file, or with standard input that is not a terminal, it types each line into
//! node1's terminal and prints the transcript (the form the transcript tests compare). On a
//! terminal, it is a REPL. Simulated time passes when a command waits (`sleep`), and then at
//! once, and one second ([`swarm_shell::THINK_TIME`]) after each command, as a person reads
//! and types: no wall-clock time is spent.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

use swarm_shell::{run_script, Options, Playground};

const USAGE: &str = "Usage: swarmsh [--seed N] [--machines N | --template NAME] [FILE]
       swarmsh serve [--seed N] [--machines N | --template NAME] [--listen HOST:PORT] [--manual-clock]

Runs the Swarm Playground shell. With FILE (or piped standard input) each line is typed into
node1's terminal and the transcript is printed; on a terminal it starts an interactive shell.

Options:
  --seed N         seed of every random choice (default 1)
  --machines N     machines to start with (default 1)
  --template NAME  start from a template instead: 3m2w, 5m, 1m1w, 1m2w
  -h, --help       print this help

serve: answers the Docker Engine API for every machine, node1 on PORT (default
127.0.0.1:23750), node2 on PORT+1 …, so a real docker CLI can drive the cluster:
  docker -H tcp://127.0.0.1:23750 node ls
  --listen HOST:PORT  where node1 listens (port 0: a free port for every machine)
  --manual-clock      simulated time moves only by POST /_swarmsh/advance?ms=N
";

fn repl(opts: &Options) -> ExitCode {
    let mut pg = match Playground::new(opts) {
        Ok(pg) => pg,
        Err(e) => {
            eprintln!("swarmsh: {e}");
            return ExitCode::from(2);
        }
    };
    let first = pg.machine_names().into_iter().next().unwrap_or_default();
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    loop {
        let prompt = pg.terminal(&first).map(|t| t.prompt()).unwrap_or_default();
        let _ = write!(out, "{prompt}");
        let _ = out.flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                println!();
                return ExitCode::SUCCESS;
            }
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\n', '\r']);
        pg.submit(&first, line);
        swarm_shell::settle(&mut pg, &first);
        // The terminal echoes the typed line after its prompt; a REPL has shown both already.
        let mut text = String::new();
        if let Some(t) = pg.terminal_mut(&first) {
            for o in t.drain_output() {
                match o {
                    swarm_shell::Output::Echo(_) | swarm_shell::Output::Clear => {}
                    other => text.push_str(other.text()),
                }
            }
        }
        let _ = write!(out, "{text}");
        if pg.terminal(&first).is_some_and(|t| t.exited()) {
            return ExitCode::SUCCESS;
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.first().map(String::as_str) == Some("serve") {
        return serve(&args[1..]);
    }
    let (opts, file) = match Options::from_args(&args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("swarmsh: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let input = match file.as_deref() {
        Some("-") | None if !std::io::stdin().is_terminal() || file.is_some() => {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("swarmsh: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
            s
        }
        Some(path) => match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("swarmsh: {path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => return repl(&opts),
    };
    match run_script(&opts, &input) {
        Ok(t) => {
            print!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("swarmsh: {e}");
            ExitCode::from(2)
        }
    }
}

/// `swarmsh serve …`: the Engine API on loopback (native builds only).
#[cfg(not(target_arch = "wasm32"))]
fn serve(args: &[String]) -> ExitCode {
    let opts = match swarm_shell::api::ServeOptions::from_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("swarmsh: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match swarm_shell::api::serve(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("swarmsh: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn serve(_args: &[String]) -> ExitCode {
    eprintln!("swarmsh: serve needs a native build");
    ExitCode::from(2)
}
