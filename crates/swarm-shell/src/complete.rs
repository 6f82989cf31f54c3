//! Tab completion, as bash with docker's completion script does it: command names, docker
//! subcommands and flags (from the CLI's own help texts), and the names of what a command
//! takes (nodes, services, containers, machines).
//!
//! [`complete`] looks only at the text before the cursor. One candidate completes the word
//! (and adds a space); several extend it to their longest common prefix and are returned so
//! that a second Tab can list them ([`Playground::complete`](crate::Playground::complete)
//! prints them as bash does).

use std::collections::BTreeSet;

use swarm_core::{MachineId, World};

use crate::docker::cli;

/// What Tab does to a line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// The line after completion (the input as it was when nothing matched).
    pub line: String,
    /// Every candidate when more than one matched (sorted), for a listing; empty otherwise.
    pub candidates: Vec<String>,
}

/// Commands the shell runs, for the first word.
const COMMANDS: &[&str] = &[
    // `dockerd` is left out: `doc` + Tab must complete `docker `.
    "alias", "apk", "awk", "base64", "basename", "bash", "cat", "cd", "chmod", "clear", "command",
    "cp", "curl", "cut", "date", "dirname", "docker", "du", "echo", "env", "exit", "export",
    "false", "find", "grep", "head", "help", "history", "hostname", "id", "ifconfig", "ip", "jq",
    "kill", "less", "ls", "mkdir", "more", "mv", "nano", "netstat", "nslookup", "od", "openssl",
    "pgrep", "pkill", "printf", "ps", "pwd", "rm", "sed", "seq", "sh", "sim", "sleep", "sort",
    "ssh", "tail", "tee", "test", "touch", "tr", "tree", "true", "uname", "uniq", "unset",
    "uptime", "vi", "vim", "watch", "wc", "wget", "which", "whoami", "xargs",
];

/// What an argument of a docker command names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Node,
    Service,
    Container,
    Image,
    None,
}

fn arg_kind(path: &str) -> Kind {
    let group = path.split(' ').next().unwrap_or("");
    match (group, path) {
        (_, "node ls" | "service ls" | "service create" | "swarm init" | "swarm join") => {
            Kind::None
        }
        ("node", _) => Kind::Node,
        ("service", _) => Kind::Service,
        (
            _,
            "ps" | "container ls" | "images" | "image ls" | "run" | "create" | "container run"
            | "container create" | "version" | "info",
        ) => {
            if matches!(
                path,
                "run" | "create" | "container run" | "container create"
            ) {
                Kind::Image
            } else {
                Kind::None
            }
        }
        (_, "pull" | "image pull" | "rmi" | "image rm" | "image inspect" | "tag" | "image tag") => {
            Kind::Image
        }
        ("container", _)
        | (
            _,
            "rm" | "stop" | "start" | "restart" | "kill" | "logs" | "exec" | "inspect" | "top"
            | "stats" | "attach" | "port" | "pause" | "unpause" | "wait" | "rename",
        ) => Kind::Container,
        _ => Kind::None,
    }
}

/// The subcommands of `docker <path>` (`""` for the top level).
fn subcommands(path: &str) -> Vec<String> {
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path} ")
    };
    let mut out = BTreeSet::new();
    for p in cli::help_texts().keys() {
        if let Some(rest) = p.strip_prefix(&prefix) {
            if !rest.is_empty() && !rest.contains(' ') {
                out.insert(rest.to_string());
            }
        }
        if path.is_empty() && !p.is_empty() && !p.contains(' ') {
            out.insert(p.clone());
        }
    }
    out.into_iter().collect()
}

/// Splits the text before the cursor into words; the last one is the word being completed
/// (empty after a space). Quotes are dropped, which is enough for completion.
fn words(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => out.last_mut().map(|w| w.push(c)).unwrap_or(()),
            (None, '\'' | '"') => quote = Some(c),
            (None, ' ' | '\t') => {
                if out.last().is_some_and(|w| !w.is_empty()) {
                    out.push(String::new());
                }
            }
            (None, '|' | ';' | '&' | '(' | ')') => {
                // A new command starts: completion only sees the current one.
                out.clear();
                out.push(String::new());
            }
            (None, c) => out.last_mut().map(|w| w.push(c)).unwrap_or(()),
        }
    }
    out
}

/// Names the world knows for an argument kind, as seen from `machine`.
fn names(world: &World, machine: MachineId, kind: Kind) -> Vec<String> {
    let mut out = BTreeSet::new();
    match kind {
        Kind::Node | Kind::Service => {
            if let Ok((_, s)) = world.control_swarm(machine) {
                if kind == Kind::Node {
                    for n in s.nodes.values() {
                        out.insert(n.hostname.clone());
                    }
                    out.insert("self".to_string());
                } else {
                    for svc in s.services.values() {
                        out.insert(svc.spec.name.clone());
                    }
                }
            }
        }
        Kind::Container => {
            for c in world.containers(machine) {
                out.insert(c.name.clone());
            }
        }
        Kind::Image => {
            for i in world.images(machine) {
                out.insert(i.reference());
            }
        }
        Kind::None => {}
    }
    out.into_iter().collect()
}

/// Completes `text` (the line up to the cursor) typed on `machine`'s terminal.
pub fn complete(world: &World, machine: MachineId, text: &str) -> Completion {
    let ws = words(text);
    let partial = ws.last().cloned().unwrap_or_default();
    let before = &ws[..ws.len().saturating_sub(1)];
    let mut pool: Vec<String> = Vec::new();
    let mut add_space = true;
    match before.first().map(String::as_str) {
        None => pool = COMMANDS.iter().map(|s| s.to_string()).collect(),
        Some("docker") => {
            // The command path so far (skipping flags and their values is approximate: a
            // flag's value is not a subcommand because subcommands must match the help).
            let mut path = String::new();
            for w in &before[1..] {
                if w.starts_with('-') {
                    continue;
                }
                let candidate = if path.is_empty() {
                    w.clone()
                } else {
                    format!("{path} {w}")
                };
                let candidate = cli::resolve_alias(&candidate);
                if (path.is_empty() || cli::is_group(&path)) && cli::known(&candidate) {
                    path = candidate;
                }
            }
            if partial.starts_with('-') {
                pool = cli::flags(&path)
                    .into_iter()
                    .flat_map(|f| {
                        let mut v = vec![format!("--{}", f.long)];
                        if let Some(s) = f.short {
                            v.push(format!("-{s}"));
                        }
                        v
                    })
                    .collect();
            } else if path.is_empty() || cli::is_group(&path) {
                pool = subcommands(&path);
            } else {
                let kind = arg_kind(&path);
                pool = names(world, machine, kind);
                if path == "service scale" {
                    pool = pool.into_iter().map(|n| format!("{n}=")).collect();
                    add_space = false;
                }
            }
        }
        Some("ssh") if before.len() == 1 => {
            pool = world
                .machines()
                .iter()
                .map(|m| m.hostname.clone())
                .collect();
        }
        Some("sim") => match before.len() {
            1 => {
                pool = ["node", "partition", "heal", "time"]
                    .map(String::from)
                    .to_vec()
            }
            2 if before[1] == "node" => pool = ["add", "kill", "boot"].map(String::from).to_vec(),
            3 if before[1] == "node" => {
                pool = world
                    .machines()
                    .iter()
                    .map(|m| m.hostname.clone())
                    .collect()
            }
            _ => {}
        },
        Some(_) => {}
    }
    let mut matches: Vec<String> = pool
        .into_iter()
        .filter(|c| c.starts_with(&partial))
        .collect();
    swarm_core::sort::sort(&mut matches);
    matches.dedup();
    let head = &text[..text.len() - partial.len().min(text.len())];
    // The partial word as typed may carry quotes; only complete plain words.
    if !text.ends_with(partial.as_str()) {
        return Completion {
            line: text.to_string(),
            candidates: Vec::new(),
        };
    }
    match matches.len() {
        0 => Completion {
            line: text.to_string(),
            candidates: Vec::new(),
        },
        1 => {
            let mut line = format!("{head}{}", matches[0]);
            if add_space {
                line.push(' ');
            }
            Completion {
                line,
                candidates: Vec::new(),
            }
        }
        _ => {
            let common = common_prefix(&matches);
            Completion {
                line: format!("{head}{common}"),
                candidates: matches,
            }
        }
    }
}

fn common_prefix(items: &[String]) -> String {
    let Some(first) = items.first() else {
        return String::new();
    };
    let mut end = first.len();
    for s in &items[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(s.chars())
                .take_while(|((_, a), b)| a == b)
                .map(|((i, a), _)| i + a.len_utf8())
                .last()
                .unwrap_or(0),
        );
    }
    first[..end].to_string()
}

/// Lays candidates out in columns as bash lists them (an 80-column terminal).
pub fn columns(candidates: &[String]) -> String {
    let width = candidates
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let per_row = (80 / width.max(1)).max(1);
    let rows = candidates.len().div_ceil(per_row);
    let mut out = String::new();
    for r in 0..rows {
        let mut line = String::new();
        for c in 0..per_row {
            // bash fills columns first.
            if let Some(item) = candidates.get(c * rows + r) {
                line.push_str(item);
                let pad = width - item.chars().count();
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarm_core::SimDuration;

    fn world() -> World {
        let mut w = World::new(1);
        w.add_machine(None).unwrap();
        w.add_machine(None).unwrap();
        w.advance(SimDuration::from_secs(1));
        w
    }

    #[test]
    fn first_word_completes_commands() {
        let w = world();
        assert_eq!(complete(&w, MachineId(0), "doc").line, "docker ");
        let c = complete(&w, MachineId(0), "s");
        assert_eq!(c.line, "s");
        assert!(c.candidates.contains(&"ssh".to_string()));
        assert!(c.candidates.contains(&"sleep".to_string()));
    }

    #[test]
    fn docker_subcommands_and_flags_come_from_the_help() {
        let w = world();
        assert_eq!(
            complete(&w, MachineId(0), "docker serv").line,
            "docker service "
        );
        assert_eq!(
            complete(&w, MachineId(0), "docker service cr").line,
            "docker service create "
        );
        let c = complete(&w, MachineId(0), "docker service create --repl");
        assert_eq!(c.line, "docker service create --replicas");
        assert_eq!(c.candidates, vec!["--replicas", "--replicas-max-per-node"]);
        assert_eq!(
            complete(&w, MachineId(0), "docker node ls --fo").line,
            "docker node ls --format "
        );
    }

    #[test]
    fn arguments_complete_to_names() {
        let mut w = world();
        w.swarm_init(MachineId(0), None).unwrap();
        w.advance(SimDuration::from_secs(2));
        let (_, h) = w
            .service_create(
                MachineId(0),
                swarm_core::ServiceSpec::new("webapp", "nginx:alpine"),
            )
            .unwrap();
        w.advance(SimDuration::from_secs(3));
        assert!(w.op_result(h).is_some());
        assert_eq!(
            complete(&w, MachineId(0), "docker service ps we").line,
            "docker service ps webapp "
        );
        assert_eq!(
            complete(&w, MachineId(0), "docker service scale we").line,
            "docker service scale webapp="
        );
        assert_eq!(
            complete(&w, MachineId(0), "docker node inspect no").line,
            "docker node inspect node1 "
        );
        assert_eq!(
            complete(&w, MachineId(0), "ssh node").candidates,
            vec!["node1", "node2"]
        );
        assert_eq!(
            complete(&w, MachineId(0), "docker ps | gr").line,
            "docker ps | grep "
        );
    }

    #[test]
    fn nothing_to_complete_leaves_the_line() {
        let w = world();
        for line in [
            "",
            "zzz",
            "docker zzz",
            "echo 'a b",
            "docker service ps nope",
        ] {
            let c = complete(&w, MachineId(0), line);
            if line.is_empty() {
                assert!(c.candidates.len() > 10);
            } else {
                assert_eq!(c.line, line, "{line}");
            }
        }
    }

    #[test]
    fn columns_fill_down_first() {
        let items: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(columns(&items), "a  b  c\n");
    }
}
