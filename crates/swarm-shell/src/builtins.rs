//! The commands a machine's shell knows, apart from `docker` (see `docker`).
//!
//! Each behaves as its GNU/bash namesake for the options students use, with the same error
//! texts and exit statuses. Commands not listed here get bash's `command not found` (127).

use brush_parser::ast;
use swarm_core::{Power, SimDuration};

use crate::exec::{Context, Interp, Io, Session};
use crate::terminal::{emit, Output};

/// Names `help` lists and `which`/`type` know, with one line each.
pub(crate) const BUILTINS: &[(&str, &str)] = &[
    ("alias", "define or list aliases"),
    (
        "apk",
        "Alpine's package manager (apk add apache2-utils for ab)",
    ),
    ("base64", "encode or decode base64 (-d, -w COL)"),
    ("basename", "strip directory and suffix from a file name"),
    ("cat", "print files and standard input"),
    ("chmod", "change file modes (+x, 755, -R)"),
    ("cd", "change the current directory"),
    ("clear", "clear the screen (also Ctrl+L)"),
    ("command", "command -v NAME: where a command is"),
    ("cp", "copy files and directories (-r)"),
    ("date", "print the simulated date and time (+FORMAT)"),
    ("dirname", "strip the last part of a file name"),
    ("docker", "the Docker CLI, talking to this machine's engine"),
    ("docker-compose", "Docker Compose v2, the standalone binary"),
    ("dockerd", "the Docker daemon (already running)"),
    (
        "du",
        "disk usage of files and directories (-s, -h, -a, -c, -d N)",
    ),
    ("echo", "print arguments"),
    ("env", "print the environment"),
    ("exit", "leave this shell (returns from ssh)"),
    ("export", "set shell variables"),
    ("false", "do nothing, unsuccessfully"),
    ("find", "find files by -name and -type"),
    ("git", "clone the labs' repositories (example-voting-app)"),
    ("grep", "print lines that match a pattern"),
    ("head", "first lines of standard input (-n N)"),
    ("help", "this list"),
    ("history", "commands typed so far"),
    ("hostname", "print the machine's name (-i: its address)"),
    ("id", "print the user (root)"),
    ("ifconfig", "the machine's network interfaces"),
    (
        "ip",
        "addresses, routes and links of the machine (ip a, ip r)",
    ),
    ("ls", "list directory contents (-l, -a, -1, -R)"),
    ("local", "declare variables local to a shell function"),
    ("mkdir", "make directories (-p)"),
    ("mv", "move or rename files"),
    ("nano", "edit a file (in the page; scripts use heredocs)"),
    (
        "od",
        "dump a file in octal, hex or characters (-c, -A, -t x1)",
    ),
    (
        "openssl",
        "keys and certificates: req, x509, genrsa, rand, version",
    ),
    ("kill", "signal a process"),
    ("less", "print a file (also more)"),
    ("netstat", "the machine's listening ports (-tln)"),
    ("nslookup", "resolve a machine's name"),
    ("ping", "ping another machine (-c N, -q)"),
    ("ps", "the host's processes"),
    ("pgrep", "find the host's processes by name (also pkill)"),
    ("pkill", "signal the host's processes by name"),
    ("printf", "format and print"),
    ("pwd", "print the current directory"),
    ("read", "read a line into variables (-r, -p PROMPT, -s)"),
    ("return", "return from a shell function or sourced file"),
    ("rm", "remove files and directories (-r, -f)"),
    ("rmdir", "remove empty directories"),
    (
        "set",
        "list variables; set -- ARGS sets $1 …; shell options are accepted",
    ),
    ("sh", "run a script file (also bash FILE, sh -c)"),
    ("shift", "drop the first positional parameters ($1 …)"),
    (
        "sim",
        "control the playground: machines, power, partitions, time",
    ),
    ("sleep", "let simulated time pass"),
    ("source", "run a file's commands in this shell (also .)"),
    ("sudo", "run a command as root (the shell is root already)"),
    (
        "ssh",
        "open a shell on another machine, or run a command there",
    ),
    ("tail", "last lines of standard input (-n N)"),
    ("test", "evaluate a condition (also [ … ])"),
    ("touch", "create files or update their time"),
    ("tree", "list a directory tree (-a, -d, -L N, -f)"),
    ("true", "do nothing, successfully"),
    ("uname", "the system: -a, -r, -m"),
    ("unalias", "remove aliases"),
    ("unset", "remove shell variables"),
    ("uptime", "how long the machine has been up"),
    ("vi", "edit a file (in the page; also vim)"),
    ("wget", "fetch a URL (-qO- prints it)"),
    ("which", "locate a command"),
];

/// sudo 1.9's usage, for `sudo` with nothing to run.
const SUDO_USAGE: &str = "usage: sudo -h | -K | -k | -V
usage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]
usage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user]
            [-u user] [command [arg ...]]
usage: sudo [-ABbEHkNnPS] [-r role] [-t type] [-C num] [-D directory]
            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]
            [-u user] [VAR=value] [-i | -s] [command [arg ...]]
usage: sudo -e [-ABkNnS] [-r role] [-t type] [-C num] [-D directory]
            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]
            [-u user] file ...
";

/// The short options before the first operand of a command that stops there (`ssh HOST
/// CMD`, `sudo CMD`): each flag (its first letter) with its value, a flag of `with_value`
/// given alone taking the next word; and the index of the first operand (after `--`).
fn leading_options<'a>(
    args: &'a [String],
    with_value: &str,
) -> (Vec<(char, Option<&'a str>)>, usize) {
    let mut options = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a.len() < 2 {
            break;
        }
        let flag = a.chars().nth(1).unwrap_or(' ');
        if with_value.contains(flag) && a.len() == 2 {
            options.push((flag, args.get(i + 1).map(String::as_str)));
            i += 2;
        } else {
            options.push((flag, None));
            i += 1;
        }
    }
    (options, i)
}

/// `sudo [OPTIONS] COMMAND ARGS`: the machine's shell is root already (as on Play with
/// Docker), so the labs' `sudo tree registry-data` and `sudo mkdir /etc/docker/certs.d` run
/// the command as it is. `sudo -i`/`sudo -s` without a command: already a root shell.
async fn sudo(interp: &Interp, args: &[String], io: &Io) -> i32 {
    // Options that take a value: -u user, -g group, -h host, -p prompt, and the rest.
    let (options, i) = leading_options(args, "ughpCDRTrtU");
    let shell = options.iter().any(|(f, _)| matches!(f, 'i' | 's'));
    match args.get(i..) {
        Some(rest) if !rest.is_empty() => {
            let fut: crate::exec::LocalFuture<'_, i32> = Box::pin(run(interp, rest.to_vec(), io));
            fut.await
        }
        _ if shell => 0,
        _ => {
            io.err.write(SUDO_USAGE);
            1
        }
    }
}

/// bash's `read [-r] [-s] [-p PROMPT] [NAME…]`: one line of standard input (a typed line on
/// the terminal), split on blanks into the names, the last taking the rest; `REPLY` without
/// names. Without `-r`, a backslash escapes the next character and a trailing one joins the
/// next line. Status 1 at the end of input.
async fn read(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let (mut raw, mut secret, mut prompt) = (false, false, None);
    let mut names: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if !names.is_empty() || !a.starts_with('-') || a == "-" {
            names.push(a);
            continue;
        }
        let mut flags = a[1..].chars();
        while let Some(f) = flags.next() {
            match f {
                'r' => raw = true,
                's' => secret = true,
                'p' => {
                    let rest: String = flags.by_ref().collect();
                    prompt = Some(if rest.is_empty() {
                        i += 1;
                        args.get(i - 1).cloned().unwrap_or_default()
                    } else {
                        rest
                    });
                }
                _ => {
                    io.err.write(&format!(
                        "bash: read: -{f}: invalid option\nread: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]\n"
                    ));
                    return 2;
                }
            }
        }
    }
    if let Some(bad) = names.iter().find(|n| {
        n.is_empty()
            || n.starts_with(|c: char| c.is_ascii_digit())
            || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }) {
        io.err
            .write(&format!("bash: read: `{bad}': not a valid identifier\n"));
        return 1;
    }
    if let (Some(p), true) = (&prompt, io.stdin_tty) {
        io.err.write(p);
    }
    // A line, and with backslash continuation the lines it joins.
    let mut line = String::new();
    let mut got = false;
    while let Some(part) = interp.read_line(io, !secret).await {
        got = true;
        if !raw && part.ends_with('\\') && !part.ends_with("\\\\") {
            line.push_str(&part[..part.len() - 1]);
            continue;
        }
        line.push_str(&part);
        break;
    }
    // Fields: blanks separate, a backslash (without -r) quotes the next character.
    let mut fields: Vec<String> = Vec::new();
    let mut rest_from: Vec<usize> = Vec::new();
    let mut cur = String::new();
    let mut in_field = false;
    let mut chars = line.char_indices().peekable();
    let mut unescaped = String::new();
    while let Some((at, c)) = chars.next() {
        if c == '\\' && !raw {
            if let Some((_, n)) = chars.next() {
                if !in_field {
                    rest_from.push(at);
                    in_field = true;
                }
                cur.push(n);
                unescaped.push(n);
            }
            continue;
        }
        unescaped.push(c);
        if c == ' ' || c == '\t' {
            if in_field {
                fields.push(std::mem::take(&mut cur));
                in_field = false;
            }
        } else {
            if !in_field {
                rest_from.push(at);
                in_field = true;
            }
            cur.push(c);
        }
    }
    if in_field {
        fields.push(cur);
    }
    if names.is_empty() {
        interp.set_var("REPLY", if raw { line.clone() } else { unescaped });
    } else {
        for (k, name) in names.iter().enumerate() {
            let value = if k + 1 == names.len() && k < rest_from.len() {
                // The last name takes the rest of the line, trailing blanks removed.
                let tail = &line[rest_from[k]..];
                let tail = tail.trim_end_matches([' ', '\t']);
                if raw {
                    tail.to_string()
                } else {
                    let mut t = String::new();
                    let mut cs = tail.chars();
                    while let Some(c) = cs.next() {
                        if c == '\\' {
                            if let Some(n) = cs.next() {
                                t.push(n);
                            }
                        } else {
                            t.push(c);
                        }
                    }
                    t
                }
            } else {
                fields.get(k).cloned().unwrap_or_default()
            };
            interp.set_var(name, value);
        }
    }
    if got {
        0
    } else {
        1
    }
}

/// Runs one command; returns its exit status.
pub(crate) async fn run(interp: &Interp, argv: Vec<String>, io: &Io) -> i32 {
    let Some(name) = argv.first().cloned() else {
        return 0;
    };
    let args = &argv[1..];
    // Inside a container's shell (`docker exec -it C sh`): the container's commands.
    let in_container = interp.session.borrow().ctx().container.clone();
    if let Some(c) = in_container {
        const SHELL_BUILTINS: &[&str] = &[
            "exit", "echo", "printf", "true", "false", ":", "sleep", "clear", "export", "unset",
            "test", "[", "break", "continue", "grep", "head", "tail", "wc", "sort", "uniq", "cut",
            "tr", "sed", "awk", "seq", "date", "od",
        ];
        if !SHELL_BUILTINS.contains(&name.as_str()) {
            return crate::docker::container_cmd::shell_command(interp, &c, &argv, io).await;
        }
    }
    match name.as_str() {
        "echo" => echo(args, io),
        "printf" => printf(args, io),
        "true" | ":" => 0,
        "false" => 1,
        "hostname" => hostname(interp, args, io),
        "clear" => {
            match &io.out {
                crate::exec::Dest::Terminal(sink, _) => emit(sink, Output::Clear),
                other => other.write("\x1b[H\x1b[2J\x1b[3J"),
            }
            0
        }
        "help" => help(io),
        "history" => history(interp, io),
        "sleep" => sleep(interp, args, io).await,
        "exit" => exit(interp, args, io),
        "ssh" => ssh(interp, args, io).await,
        "grep" => grep(interp, args, io),
        "curl" if crate::hey::download_named(args) => {
            crate::hey::fetch(interp, args, io).unwrap_or(1)
        }
        "curl" => crate::net::curl(interp, args, io),
        "ping" => crate::net::host_ping(interp, args, io),
        "wget" => crate::hosttools::wget(interp, args, io),
        "apk" => crate::alpinehost::apk(interp, args, io),
        "less" | "more" => crate::alpinehost::pager(interp, &name, args, io),
        "nslookup" => crate::alpinehost::nslookup(interp, args, io),
        "netstat" => crate::alpinehost::netstat(interp, args, io),
        "chmod" => crate::fsutils::chmod(interp, args, io),
        "uname" => crate::hosttools::uname(interp, args, io),
        "ps" => crate::hosttools::ps(args, io),
        "free" | "df" => {
            // The host is Alpine: BusyBox's applets.
            let (out, err, code) = if name == "free" {
                crate::docker::image_programs::free(args, true)
            } else {
                crate::docker::image_programs::df(args, true)
            };
            io.out.write(&out);
            io.err.write(&err);
            code
        }
        "top" => crate::hosttools::top(args, io),
        "kill" => crate::hosttools::kill(args, io),
        "basename" | "dirname" => crate::hosttools::base_dir_name(&name, args, io),
        "command" => {
            if matches!(args.first().map(String::as_str), Some("-v") | Some("-V")) {
                which("command", &args[1..], io)
            } else {
                io.err.write(
                    "bash: command: only `command -v NAME` is supported in the playground\n",
                );
                2
            }
        }
        "cat" => crate::fsutils::cat(interp, args, io),
        "pwd" => crate::fsutils::pwd(interp, io),
        "cd" => crate::fsutils::cd(interp, args, io),
        "ls" => crate::fsutils::ls(interp, args, io),
        "mkdir" => crate::fsutils::mkdir(interp, args, io),
        "rmdir" => crate::fsutils::rmdir(interp, args, io),
        "touch" => crate::fsutils::touch(interp, args, io),
        "rm" => crate::fsutils::rm(interp, args, io),
        "cp" | "mv" => crate::fsutils::cp_mv(interp, &name, args, io),
        "find" => crate::fsutils::find(interp, args, io),
        "du" => crate::fsutils::du(interp, args, io),
        "ip" => crate::hosttools::ip(interp, args, io),
        "ifconfig" => crate::hosttools::ifconfig(interp, args, io),
        "whoami" => {
            io.out.write("root\n");
            0
        }
        "id" => {
            io.out.write("uid=0(root) gid=0(root) groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)\n");
            0
        }
        "alias" => crate::fsutils::alias(interp, args, io),
        "unalias" => crate::fsutils::unalias(interp, args, io),
        "date" => crate::fsutils::date(interp, args, io),
        "uptime" => crate::fsutils::uptime(interp, io),
        "source" | "." => crate::fsutils::source(interp, &name, args, io).await,
        "sh" | "bash" => crate::fsutils::sh(interp, &name, args, io).await,
        "nano" | "vi" | "vim" => crate::fsutils::editor(interp, &name, args, io),
        "env" => {
            // `env NAME=VALUE … COMMAND ARGS`: the command with those variables.
            let n = args
                .iter()
                .take_while(|a| a.contains('=') && !a.starts_with('='))
                .count();
            if n == args.len() {
                let mut vars = interp.session.borrow().ctx().vars.clone();
                for (k, v) in args.iter().filter_map(|a| a.split_once('=')) {
                    vars.insert(k.to_string(), v.to_string());
                }
                let text: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
                io.out.write(&text);
                0
            } else {
                let saved: Vec<(String, Option<String>)> = args[..n]
                    .iter()
                    .filter_map(|a| a.split_once('='))
                    .map(|(k, _)| (k.to_string(), interp.get_var(k)))
                    .collect();
                for (k, v) in args[..n].iter().filter_map(|a| a.split_once('=')) {
                    interp.set_var(k, v.to_string());
                }
                let fut: crate::exec::LocalFuture<'_, i32> =
                    Box::pin(run(interp, args[n..].to_vec(), io));
                let status = fut.await;
                for (k, old) in saved {
                    match old {
                        Some(v) => interp.set_var(&k, v),
                        None => interp.unset_var(&k),
                    }
                }
                status
            }
        }
        "head" | "tail" | "wc" | "sort" | "uniq" | "cut" | "tr" | "tee" | "sed" | "awk" | "seq" => {
            crate::textutils::run_in_shell(interp, &name, args, io)
        }
        "jq" => crate::jq_cmd::jq(interp, args, io).await,
        "xargs" => crate::textutils::xargs(interp, args, io).await,
        "watch" => crate::watch::watch(interp, args, io).await,
        "export" => export(interp, args, io),
        "unset" => {
            for a in args {
                interp.unset_var(a);
            }
            0
        }
        "return" => interp.request_return(args, io),
        "local" => interp.declare_local(args, io),
        "shift" => shift(interp, args, io),
        "break" | "continue" => {
            let n = args
                .first()
                .and_then(|a| a.parse::<usize>().ok())
                .unwrap_or(1)
                .max(1);
            interp.request_break(n, name == "continue");
            0
        }
        "test" => test_cmd(interp, args, io),
        "[" => {
            if args.last().map(String::as_str) != Some("]") {
                io.err.write("bash: [: missing `]'\n");
                return 2;
            }
            test_cmd(interp, &args[..args.len() - 1], io)
        }
        "docker" => crate::docker::run(interp, args, io).await,
        "docker-compose" => crate::docker::compose_standalone(interp, args, io).await,
        "tree" => crate::hosttools::tree(interp, args, io),
        "openssl" => crate::hosttools::openssl(interp, args, io).await,
        "base64" => crate::hosttools::base64(interp, args, io),
        "od" => crate::hosttools::od(interp, args, io),
        "pgrep" | "pkill" => crate::hosttools::pgrep_pkill(interp, &name, args, io),
        "dockerd" => crate::hosttools::dockerd(interp, args, io),
        "sudo" => sudo(interp, args, io).await,
        "read" => read(interp, args, io).await,
        "git" => crate::git::git(interp, args, io).await,
        "sim" => sim(interp, args, io).await,
        "which" | "type" => which(&name, args, io),
        "set" => set(interp, args, io),
        _ => match crate::hey::run_file(interp, &name, args, io).await {
            Some(status) => status,
            None => {
                io.err.write(&format!("bash: {name}: command not found\n"));
                127
            }
        },
    }
}

fn echo(args: &[String], io: &Io) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)) {
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut text = args[i..].join(" ");
    if escapes {
        let (t, stop) = backslash_escapes(&text);
        text = t;
        if stop {
            newline = false;
        }
    }
    if newline {
        text.push('\n');
    }
    io.out.write(&text);
    0
}

/// Interprets `\n`, `\t`, `\\` … as `echo -e` and `printf` do; `\c` stops output (true).
/// `s` with `echo -e`'s escapes replaced; true when `\\c` ended the output.
fn backslash_escapes(s: &str) -> (String, bool) {
    swarm_core::printf::escapes(s, swarm_core::printf::Escapes::Echo)
}

fn printf(args: &[String], io: &Io) -> i32 {
    let Some(fmt) = args.first() else {
        io.err
            .write("printf: usage: printf [-v var] format [arguments]\n");
        return 2;
    };
    let p = swarm_core::printf::printf(fmt, &args[1..]);
    // bash reports as it goes and writes its output at the end.
    io.err.write(&p.err);
    io.out.write(&p.out);
    p.status
}

fn hostname(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let world = interp.world();
    let w = world.borrow();
    let Some(m) = w.machine(interp.session.borrow().machine()) else {
        return 1;
    };
    match args.first().map(String::as_str) {
        None | Some("-s") | Some("-f") | Some("--short") | Some("--fqdn") => {
            io.out.write(&format!("{}\n", m.hostname))
        }
        Some("-i") | Some("--ip-address") => io.out.write(&format!("{}\n", m.ip)),
        Some("-I") | Some("--all-ip-addresses") => io.out.write(&format!("{} \n", m.ip)),
        Some(other) if other.starts_with('-') => {
            io.err.write(&format!(
                "hostname: invalid option -- '{}'\n",
                other.trim_start_matches('-')
            ));
            io.err
                .write("Usage: hostname [-fsiI] (see hostname --help)\n");
            return 1;
        }
        Some(_) => {
            io.err
                .write("hostname: you must be root to change the host name\n");
            return 1;
        }
    }
    0
}

fn help(io: &Io) -> i32 {
    let mut s = String::from("Swarm Playground shell. Commands on every machine:\n\n");
    for (name, what) in BUILTINS {
        s.push_str(&format!("  {name:<10} {what}\n"));
    }
    s.push_str(
        "\nShell syntax: pipes |, && ||, ;, quotes, $VAR, $(…), heredocs, if/for/while/case.\n",
    );
    s.push_str("Keys: ↑/↓ history, Ctrl+C interrupt, Ctrl+L clear.\n");
    io.out.write(&s);
    0
}

fn history(interp: &Interp, io: &Io) -> i32 {
    let lines = interp.session.borrow().history.clone();
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        s.push_str(&format!("{:>5}  {l}\n", i + 1));
    }
    io.out.write(&s);
    0
}

async fn sleep(interp: &Interp, args: &[String], io: &Io) -> i32 {
    if args.is_empty() {
        io.err
            .write("sleep: missing operand\nTry 'sleep --help' for more information.\n");
        return 1;
    }
    let mut total: u64 = 0;
    for a in args {
        if a == "infinity" {
            total = u64::MAX / 4;
            continue;
        }
        match crate::util::parse_interval(a) {
            Some(ms) => total = total.saturating_add(ms),
            None => {
                io.err.write(&format!("sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"));
                return 1;
            }
        }
    }
    interp.sleep(SimDuration::from_millis(total)).await;
    0
}

fn exit(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let code = match args.first() {
        None => interp.status(),
        Some(a) => match a.parse::<i64>() {
            Ok(n) => (n & 0xff) as i32,
            Err(_) => {
                io.err
                    .write(&format!("bash: exit: {a}: numeric argument required\n"));
                2
            }
        },
    };
    interp.exiting.set(Some(code));
    code
}

async fn ssh(interp: &Interp, args: &[String], io: &Io) -> i32 {
    // Options that take a value, as OpenSSH's client has them.
    let (options, i) = leading_options(args, "BbcDEeFIiJLlmOoPpQRSWw");
    let user = options
        .iter()
        .rev()
        .find_map(|(f, v)| (*f == 'l').then_some(*v).flatten())
        .map(str::to_string);
    let Some(dest) = args.get(i) else {
        io.err.write(
            "usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           [-c cipher_spec] [-D [bind_address:]port] [-E log_file]\n           [-e escape_char] [-F configfile] [-I pkcs11] [-i identity_file]\n           [-J destination] [-L address] [-l login_name] [-m mac_spec]\n           [-O ctl_cmd] [-o option] [-P tag] [-p port] [-R address]\n           [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]\n           destination [command [argument ...]]\n",
        );
        return 255;
    };
    let (login, host) = match dest.split_once('@') {
        Some((u, h)) => (Some(u.to_string()), h.to_string()),
        None => (user, dest.clone()),
    };
    let host = host.strip_prefix("ssh://").unwrap_or(&host).to_string();
    let world = interp.world();
    let target = {
        let w = world.borrow();
        let m = w
            .machine_by_name(&host)
            .or_else(|| host.parse().ok().and_then(|ip| w.machine_by_ip(ip)));
        m.map(|m| (m.id, m.power, m.hostname.clone()))
    };
    let Some((id, power, _name)) = target else {
        io.err.write(&format!(
            "ssh: Could not resolve hostname {host}: Name or service not known\n"
        ));
        return 255;
    };
    match power {
        Power::Off => {
            io.err.write(&format!(
                "ssh: connect to host {host} port 22: No route to host\n"
            ));
            return 255;
        }
        Power::Booting => {
            io.err.write(&format!(
                "ssh: connect to host {host} port 22: Connection refused\n"
            ));
            return 255;
        }
        Power::Running => {}
    }
    let here = interp.session.borrow().machine();
    if !world.borrow().can_reach(here, id) {
        io.err.write(&format!(
            "ssh: connect to host {host} port 22: Connection timed out\n"
        ));
        return 255;
    }
    if login.as_deref().is_some_and(|u| u != "root") {
        io.err.write(&format!(
            "{}@{host}: Permission denied (publickey).\n",
            login.unwrap_or_default()
        ));
        return 255;
    }
    let command: Vec<String> = args[i + 1..].to_vec();
    let ctx: Context = Session::login(&world.borrow(), id, Some(host.clone()));
    interp.session.borrow_mut().stack.push(ctx);
    if command.is_empty() {
        // An interactive login: the terminal stays on the other machine until `exit`.
        return 0;
    }
    let depth = interp.session.borrow().stack.len();
    let source = command.join(" ");
    let status = interp.run_source(&source, io).await;
    let code = interp.exiting.take().unwrap_or(status);
    let mut s = interp.session.borrow_mut();
    s.stack.truncate(depth - 1);
    code
}

fn export(interp: &Interp, args: &[String], io: &Io) -> i32 {
    if args.is_empty() || args.iter().all(|a| a == "-p") {
        let vars = interp.session.borrow().ctx().vars.clone();
        let mut s = String::new();
        for (k, v) in vars {
            s.push_str(&format!("declare -x {k}=\"{v}\"\n"));
        }
        io.out.write(&s);
        return 0;
    }
    let mut status = 0;
    for a in args {
        let (name, value) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || name.starts_with(|c: char| c.is_ascii_digit())
        {
            io.err
                .write(&format!("bash: export: `{a}': not a valid identifier\n"));
            status = 1;
            continue;
        }
        match value {
            Some(v) => interp.set_var(name, v),
            None => {
                if interp.get_var(name).is_none() {
                    interp.set_var(name, String::new());
                }
            }
        }
    }
    status
}

/// bash's `set`: without arguments the variables (`NAME=value`, quoted as bash quotes them);
/// `set -- A B` (or arguments after the options) the positional parameters. Options
/// (`-e`, `-o pipefail` …) are checked as bash checks them and accepted, without effect,
/// except `-x`/`-o xtrace` (see `Interp::xtrace`).
fn set(interp: &Interp, args: &[String], io: &Io) -> i32 {
    const LETTERS: &str = "abefhkmnptuvxBCEHPT";
    const NAMES: &[&str] = &[
        "allexport",
        "braceexpand",
        "emacs",
        "errexit",
        "errtrace",
        "functrace",
        "hashall",
        "histexpand",
        "history",
        "ignoreeof",
        "interactive-comments",
        "keyword",
        "monitor",
        "noclobber",
        "noexec",
        "noglob",
        "nolog",
        "notify",
        "nounset",
        "onecmd",
        "physical",
        "pipefail",
        "posix",
        "privileged",
        "verbose",
        "vi",
        "xtrace",
    ];
    const USAGE: &str =
        "set: usage: set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]\n";
    if args.is_empty() {
        let vars = interp.session.borrow().ctx().vars.clone();
        let mut s = String::new();
        for (k, v) in vars {
            s.push_str(&format!("{k}={}\n", bash_quote(&v)));
        }
        io.out.write(&s);
        return 0;
    }
    let mut i = 0;
    let mut rest: Option<Vec<String>> = None;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        if a == "--" {
            rest = Some(args[i..].to_vec());
            break;
        }
        if a == "-" || a == "+" {
            if i < args.len() {
                rest = Some(args[i..].to_vec());
            }
            break;
        }
        let Some(letters) = a.strip_prefix('-').or_else(|| a.strip_prefix('+')) else {
            rest = Some(args[i - 1..].to_vec());
            break;
        };
        let on = a.starts_with('-');
        for c in letters.chars() {
            if c == 'x' {
                interp.session.borrow_mut().ctx_mut().xtrace = on;
            }
            if c == 'o' {
                match args.get(i) {
                    Some(name) if NAMES.contains(&name.as_str()) => {
                        if name == "xtrace" {
                            interp.session.borrow_mut().ctx_mut().xtrace = on;
                        }
                        i += 1
                    }
                    Some(name) => {
                        io.err
                            .write(&format!("bash: set: {name}: invalid option name\n"));
                        return 1;
                    }
                    // `set -o` lists the options; `set +o` prints them as commands.
                    None => return 0,
                }
            } else if !LETTERS.contains(c) {
                let sign = &a[..1];
                io.err
                    .write(&format!("bash: set: {sign}{c}: invalid option\n{USAGE}"));
                return 2;
            }
        }
    }
    if let Some(rest) = rest {
        interp.session.borrow_mut().ctx_mut().positional = rest;
    }
    0
}

/// bash's `shift [N]`: drops the first N positional parameters (silently fails past them).
fn shift(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let n = match args {
        [] => 1,
        [n] => match n.trim().parse::<i64>() {
            Ok(v) if v < 0 => {
                io.err
                    .write(&format!("bash: shift: {n}: shift count out of range\n"));
                return 1;
            }
            Ok(v) => usize::try_from(v).unwrap_or(usize::MAX),
            Err(_) => {
                io.err
                    .write(&format!("bash: shift: {n}: numeric argument required\n"));
                return 1;
            }
        },
        _ => {
            io.err.write("bash: shift: too many arguments\n");
            return 1;
        }
    };
    let mut s = interp.session.borrow_mut();
    let positional = &mut s.ctx_mut().positional;
    if n > positional.len() {
        return 1;
    }
    positional.drain(..n);
    0
}

/// A value as `set` and `declare -p` print it: bare when it holds only safe characters,
/// else in single quotes (`'\''` for a quote).
fn bash_quote(v: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./:,@%+=-".contains(c);
    if !v.is_empty() && v.chars().all(safe) {
        v.to_string()
    } else if v.is_empty() {
        String::new()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

fn which(name: &str, args: &[String], io: &Io) -> i32 {
    // Commands only the shell has (no file on disk: `which` is silent, `type` says builtin).
    const SHELL_ONLY: &[&str] = &[
        "alias", "cd", "exit", "export", "help", "history", "source", ".", "unalias", "unset",
        "type", "sim", "break", "continue", "read", "set", "shift", "return", "local",
    ];
    // Where Alpine keeps the others (busybox applets in /bin, docker in /usr/local/bin).
    const IN_BIN: &[&str] = &[
        "bash", "cat", "cp", "date", "echo", "false", "grep", "hostname", "ls", "mkdir", "more",
        "mv", "netstat", "ping", "pwd", "rm", "rmdir", "sed", "sh", "sleep", "touch", "true", "vi",
    ];
    let mut status = 0;
    for a in args {
        let known = BUILTINS.iter().any(|(n, _)| n == a)
            || [
                "[", "which", "type", "bash", "vim", ".", "break", "continue", "curl", "awk",
                "sed", "cut", "sort", "uniq", "tr", "tee", "wc", "seq", "xargs", "jq", "watch",
                "ssh", "du", "df", "free", "top", "whoami",
            ]
            .contains(&a.as_str());
        let path = if a == "docker" || a == "dockerd" || a == "docker-compose" {
            format!("/usr/local/bin/{a}")
        } else if a == "apk" {
            "/sbin/apk".to_string()
        } else if IN_BIN.contains(&a.as_str()) {
            format!("/bin/{a}")
        } else {
            format!("/usr/bin/{a}")
        };
        let builtin = SHELL_ONLY.contains(&a.as_str())
            || ["echo", "printf", "test", "[", "true", "false", "pwd"].contains(&a.as_str());
        if name == "type" {
            if known && builtin {
                io.out.write(&format!("{a} is a shell builtin\n"));
            } else if known {
                io.out.write(&format!("{a} is {path}\n"));
            } else {
                io.err.write(&format!("bash: type: {a}: not found\n"));
                status = 1;
            }
        } else if known && !SHELL_ONLY.contains(&a.as_str()) {
            io.out.write(&format!("{path}\n"));
        } else if known && name == "command" {
            // `command -v cd`: a builtin is named by itself.
            io.out.write(&format!("{a}\n"));
        } else {
            status = 1;
        }
    }
    status
}

/// grep for text on standard input: -i -v -c -n -q -w -x -o -E -F -e.
fn grep(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut ignore_case = false;
    let mut invert = false;
    let mut count = false;
    let mut number = false;
    let mut quiet = false;
    let mut word = false;
    let mut line = false;
    let mut only = false;
    let mut extended = false;
    let mut fixed = false;
    let mut patterns: Vec<String> = Vec::new();
    let mut positional: Vec<String> = Vec::new();
    let (mut after, mut before) = (0usize, 0usize);
    let mut i = 0;
    let mut opts_done = false;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if opts_done || !a.starts_with('-') || a == "-" {
            positional.push(a.clone());
            continue;
        }
        if a == "--" {
            opts_done = true;
            continue;
        }
        match a.as_str() {
            "--ignore-case" => ignore_case = true,
            "--invert-match" => invert = true,
            "--count" => count = true,
            "--quiet" | "--silent" => quiet = true,
            "--color"
            | "--colour"
            | "--color=auto"
            | "--color=never"
            | "--color=always"
            | "--text"
            | "--binary-files=text" => {}
            _ if a.starts_with("--") => {
                io.err.write(&format!("grep: unrecognized option '{a}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"));
                return 2;
            }
            _ => {
                let flags: Vec<char> = a[1..].chars().collect();
                let mut k = 0;
                while k < flags.len() {
                    match flags[k] {
                        'i' | 'y' => ignore_case = true,
                        'v' => invert = true,
                        'c' => count = true,
                        'n' => number = true,
                        'q' | 's' => quiet = quiet || flags[k] == 'q',
                        'w' => word = true,
                        'x' => line = true,
                        'o' => only = true,
                        'E' => extended = true,
                        'F' => fixed = true,
                        // `-a`: binary files as text (the playground's files are text).
                        'G' | 'h' | 'H' | 'a' | 'I' => {}
                        'A' | 'B' | 'C' => {
                            let rest: String = flags[k + 1..].iter().collect();
                            let value = if !rest.is_empty() {
                                Some(rest)
                            } else {
                                i += 1;
                                args.get(i - 1).cloned()
                            };
                            let Some(n) = value.as_deref().and_then(|v| v.parse::<usize>().ok())
                            else {
                                io.err.write(&format!(
                                    "grep: {}: invalid context length argument\n",
                                    value.unwrap_or_default()
                                ));
                                return 2;
                            };
                            if flags[k] != 'B' {
                                after = n;
                            }
                            if flags[k] != 'A' {
                                before = n;
                            }
                            k = flags.len();
                            continue;
                        }
                        'e' => {
                            let rest: String = flags[k + 1..].iter().collect();
                            if !rest.is_empty() {
                                patterns.push(rest);
                            } else if let Some(p) = args.get(i) {
                                patterns.push(p.clone());
                                i += 1;
                            } else {
                                io.err.write("grep: option requires an argument -- 'e'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
                                return 2;
                            }
                            k = flags.len();
                            continue;
                        }
                        c => {
                            io.err.write(&format!("grep: invalid option -- '{c}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"));
                            return 2;
                        }
                    }
                    k += 1;
                }
            }
        }
    }
    // Without -e, the first operand is the pattern and the rest are files.
    if patterns.is_empty() && !positional.is_empty() {
        patterns.push(positional.remove(0));
    }
    let files = positional;
    if patterns.is_empty() {
        io.err.write(
            "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n",
        );
        return 2;
    }
    let mut alternatives = Vec::new();
    for p in patterns.iter().flat_map(|p| p.split('\n')) {
        let re = if fixed {
            escape_regex(p)
        } else if extended {
            p.to_string()
        } else {
            bre_to_ere(p)
        };
        alternatives.push(format!("(?:{re})"));
    }
    let mut re = alternatives.join("|");
    if word {
        re = format!(r"\b(?:{re})\b");
    }
    if line {
        re = format!("^(?:{re})$");
    }
    let re = match regex_lite::RegexBuilder::new(&re)
        .case_insensitive(ignore_case)
        .build()
    {
        Ok(r) => r,
        Err(_) => {
            io.err.write("grep: Unmatched ( or \\(\n");
            return 2;
        }
    };
    let mut status = 1;
    let mut missing = false;
    let mut inputs: Vec<(Option<String>, String)> = Vec::new();
    if files.is_empty() {
        inputs.push((None, io.stdin.to_string()));
    }
    let many = files.len() > 1;
    for f in &files {
        let label = many.then(|| {
            if f == "-" {
                "(standard input)".to_string()
            } else {
                f.clone()
            }
        });
        if f == "-" {
            inputs.push((label, io.stdin.to_string()));
            continue;
        }
        match crate::fsutils::read_file(interp, f) {
            Ok(text) => inputs.push((label, text)),
            Err(e) => {
                io.err.write(&format!("grep: {f}: {e}\n"));
                missing = true;
            }
        }
    }
    let mut out = String::new();
    let context = after > 0 || before > 0;
    // A line printed for context: `N-` before it with -n, as grep marks non-matching lines.
    let context_line = |i: usize, l: &str| {
        if number {
            format!("{}-{l}\n", i + 1)
        } else {
            format!("{l}\n")
        }
    };
    for (label, text) in &inputs {
        // With several files, each line starts with its file's name (`name:` / `name-`).
        let file_prefix = |sep: char| {
            label
                .as_ref()
                .map(|l| format!("{l}{sep}"))
                .unwrap_or_default()
        };
        let mut n = 0;
        let lines: Vec<&str> = text.lines().collect();
        // With context: the last line printed, to print each line once and `--` between groups.
        let mut last_printed: Option<usize> = None;
        let mut pending_after = 0usize;
        for (idx, l) in lines.iter().enumerate() {
            let l = *l;
            let hit = re.is_match(l) != invert;
            if !hit {
                if context && pending_after > 0 && !quiet && !count {
                    out.push_str(&file_prefix('-'));
                    out.push_str(&context_line(idx, l));
                    last_printed = Some(idx);
                    pending_after -= 1;
                }
                continue;
            }
            n += 1;
            status = 0;
            if quiet || count {
                continue;
            }
            if context {
                let start = idx.saturating_sub(before);
                let from = last_printed.map_or(start, |p| start.max(p + 1));
                if last_printed.is_some_and(|p| from > p + 1) {
                    out.push_str("--\n");
                }
                for (j, line) in lines.iter().enumerate().take(idx).skip(from) {
                    out.push_str(&file_prefix('-'));
                    out.push_str(&context_line(j, line));
                }
                last_printed = Some(idx);
                pending_after = after;
            }
            let prefix = if number {
                format!("{}{}:", file_prefix(':'), idx + 1)
            } else {
                file_prefix(':')
            };
            if only && !invert {
                for m in re.find_iter(l) {
                    if !m.as_str().is_empty() {
                        out.push_str(&format!("{prefix}{}\n", m.as_str()));
                    }
                }
            } else {
                out.push_str(&format!("{prefix}{l}\n"));
            }
        }
        if count && !quiet {
            out.push_str(&format!("{}{n}\n", file_prefix(':')));
        }
    }
    if quiet && status == 0 {
        return 0;
    }
    io.out.write(&out);
    if missing {
        2
    } else {
        status
    }
}

fn escape_regex(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Basic regular expressions (grep's default) to extended: `\|`, `\+`, `\?`, `\(`, `\)`,
/// `\{`, `\}` are operators, their bare forms literal.
fn bre_to_ere(p: &str) -> String {
    let mut out = String::new();
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('|' | '+' | '?' | '(' | ')' | '{' | '}')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push_str("\\\\"),
            },
            '|' | '+' | '?' | '(' | ')' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// `test` / `[`: strings, integers and the file tests that need no filesystem yet.
fn test_cmd(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = match a.as_slice() {
        [] => Some(false),
        [s] => Some(!s.is_empty()),
        ["!", rest @ ..] => {
            return i32::from(
                test_cmd(
                    interp,
                    &rest.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                    io,
                ) == 0,
            )
        }
        ["-n", s] => Some(!s.is_empty()),
        ["-z", s] => Some(s.is_empty()),
        [op @ ("-e" | "-a" | "-f" | "-d" | "-r" | "-s" | "-x" | "-w" | "-h" | "-L"), p] => {
            Some(crate::fsutils::file_test(interp, op, p))
        }
        [l, op, r] => match *op {
            "=" | "==" => Some(l == r),
            "!=" => Some(l != r),
            "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge" => {
                let (Ok(x), Ok(y)) = (l.trim().parse::<i64>(), r.trim().parse::<i64>()) else {
                    let bad = if l.trim().parse::<i64>().is_err() {
                        l
                    } else {
                        r
                    };
                    io.err
                        .write(&format!("bash: test: {bad}: integer expression expected\n"));
                    return 2;
                };
                Some(match *op {
                    "-eq" => x == y,
                    "-ne" => x != y,
                    "-lt" => x < y,
                    "-le" => x <= y,
                    "-gt" => x > y,
                    _ => x >= y,
                })
            }
            _ => None,
        },
        _ => None,
    };
    match r {
        Some(true) => 0,
        Some(false) => 1,
        None => {
            io.err.write("bash: test: too many arguments\n");
            2
        }
    }
}

/// `[[ -op word ]]`.
pub(crate) fn unary_test(interp: &Interp, p: &ast::UnaryPredicate, v: &str) -> i32 {
    use ast::UnaryPredicate as U;
    let r = match p {
        U::StringHasZeroLength => v.is_empty(),
        U::StringHasNonZeroLength => !v.is_empty(),
        U::FileExists | U::FileExistsAndIsReadable | U::FileExistsAndIsWritable => {
            crate::fsutils::file_test(interp, "-e", v)
        }
        U::FileExistsAndIsDir => crate::fsutils::file_test(interp, "-d", v),
        U::FileExistsAndIsRegularFile => crate::fsutils::file_test(interp, "-f", v),
        U::FileExistsAndIsExecutable => crate::fsutils::file_test(interp, "-x", v),
        U::FileExistsAndIsNotZeroLength => crate::fsutils::file_test(interp, "-s", v),
        _ => false,
    };
    i32::from(!r)
}

/// `[[ a op b ]]`.
pub(crate) fn binary_test(p: &ast::BinaryPredicate, l: &str, r: &str, io: &Io) -> i32 {
    use ast::BinaryPredicate as B;
    let num = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    let res = match p {
        B::StringExactlyMatchesPattern => crate::util::glob_match(r, l),
        B::StringDoesNotExactlyMatchPattern => !crate::util::glob_match(r, l),
        B::StringExactlyMatchesString => l == r,
        B::StringDoesNotExactlyMatchString => l != r,
        B::StringContainsSubstring => l.contains(r),
        B::StringMatchesRegex => match regex_lite::Regex::new(r) {
            Ok(re) => re.is_match(l),
            Err(_) => {
                io.err.write("bash: invalid regular expression\n");
                return 2;
            }
        },
        B::LeftSortsBeforeRight => l < r,
        B::LeftSortsAfterRight => l > r,
        B::ArithmeticEqualTo => num(l) == num(r),
        B::ArithmeticNotEqualTo => num(l) != num(r),
        B::ArithmeticLessThan => num(l) < num(r),
        B::ArithmeticLessThanOrEqualTo => num(l) <= num(r),
        B::ArithmeticGreaterThan => num(l) > num(r),
        B::ArithmeticGreaterThanOrEqualTo => num(l) >= num(r),
        _ => false,
    };
    i32::from(!res)
}

const SIM_USAGE: &str = "Usage: sim COMMAND

Controls the playground (the page's buttons run the same commands).

Commands:
  sim node add [NAME]          power on a new machine
  sim node kill NODE           power a machine off (it stops answering at once)
  sim node boot NODE           power it on again; it comes back with its state
  sim partition A,B C,D ...    split the network into groups that cannot reach each other
  sim heal                     end every partition
  sim health fail SERVICE      make the health probes of the service's running containers fail
                               (swarm replaces them once they are unhealthy)
  sim health ok SERVICE        let those probes pass again
  sim time                     print the simulated time
  sim trace on|off             print each request through the network (curl) and its route
";

/// `sim …`: the playground's own controls.
async fn sim(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let world = interp.world();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let fail = |msg: String| {
        io.err.write(&format!("sim: {msg}\n"));
        1
    };
    match words.as_slice() {
        ["trace", on @ ("on" | "off")] => {
            interp.session.borrow_mut().trace = *on == "on";
            0
        }
        ["trace"] => {
            let on = interp.session.borrow().trace;
            io.out.write(if on { "trace on\n" } else { "trace off\n" });
            0
        }
        ["time"] => {
            let t = world.borrow().now();
            io.out.write(&format!("{t}\n"));
            0
        }
        ["node", "add"] | ["node", "add", _] => {
            let r = world.borrow_mut().add_machine(words.get(2).copied());
            match r {
                Ok(id) => {
                    wait_booted(interp, id).await;
                    let name = world
                        .borrow()
                        .machine(id)
                        .map(|m| m.hostname.clone())
                        .unwrap_or_default();
                    io.out.write(&format!("{name}\n"));
                    0
                }
                Err(e) => fail(e.to_string()),
            }
        }
        ["node", "kill", name] => match world.borrow_mut().power_off(name) {
            Ok(_) => 0,
            Err(e) => fail(e.to_string()),
        },
        ["node", "boot", name] => {
            let r = world.borrow_mut().power_on(name);
            match r {
                Ok(id) => {
                    wait_booted(interp, id).await;
                    0
                }
                Err(e) => fail(e.to_string()),
            }
        }
        ["partition", groups @ ..] if !groups.is_empty() => {
            let mut ids = Vec::new();
            for g in groups {
                let mut group = Vec::new();
                for name in g.split(',').filter(|n| !n.is_empty()) {
                    match world.borrow().machine_by_name(name) {
                        Some(m) => group.push(m.id),
                        None => return fail(format!("no machine named {name}")),
                    }
                }
                ids.push(group);
            }
            world.borrow_mut().partition(&ids);
            0
        }
        ["heal"] => {
            world.borrow_mut().heal();
            0
        }
        ["health", how @ ("fail" | "ok"), service] => {
            let r = world.borrow_mut().set_health_fault(service, *how == "fail");
            match r {
                Ok(_) => 0,
                Err(e) => fail(e),
            }
        }
        [] | ["help"] | ["--help"] | ["-h"] => {
            io.out.write(SIM_USAGE);
            0
        }
        _ => {
            io.err.write(SIM_USAGE);
            2
        }
    }
}

/// Waits (in simulated time) until a machine's engine answers.
async fn wait_booted(interp: &Interp, id: swarm_core::MachineId) {
    for _ in 0..100 {
        if interp
            .world()
            .borrow()
            .machine(id)
            .is_some_and(|m| m.power == Power::Running)
        {
            return;
        }
        interp.sleep(SimDuration::from_millis(100)).await;
    }
}
