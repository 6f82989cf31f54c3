//! The docker CLI's own behaviour: help texts, flag parsing and usage errors.
//!
//! Help texts are data: `data/docker-help.txt` holds what the real docker CLI 28.2.2 prints
//! for `--help` of every command, captured from it (the `cli_oracle` test checks them against
//! the installed client and regenerates them). The flags of each command are read from its
//! help text, so flag errors (`unknown flag: --bogus`, exit 125) are right for every command,
//! implemented or not.
//!
//! The shell links only an index of that file (`build.rs`: each command's usage, aliases,
//! group headers and flags, without the prose); the whole text, needed only to print help, is
//! `swarm_extras::help` ([`help_text`]), in the page from the lazily loaded module.

use std::collections::BTreeMap;
use std::sync::OnceLock;

static HELP_INDEX: &str = include_str!(concat!(env!("OUT_DIR"), "/docker-help-index.txt"));

/// The index of every command path (`""` for `docker` itself, `"service create"` …): the lines
/// of its help text that this module reads.
pub(crate) fn help_texts() -> &'static BTreeMap<String, &'static str> {
    static MAP: OnceLock<BTreeMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| swarm_extras::help::blocks(HELP_INDEX))
}

/// The index entry of `docker <path>`.
fn help(path: &str) -> Option<&'static str> {
    help_texts().get(path).copied()
}

/// True when the CLI has a command `docker <path>`.
pub(crate) fn known(path: &str) -> bool {
    help_texts().contains_key(path)
}

/// The help text of `docker <path>` as the CLI prints it (in the page, once the lazily loaded
/// module is there); a line saying why when it cannot be had.
pub(crate) async fn help_text(path: &str) -> String {
    let text = match crate::jq_cmd::extras_ready().await {
        Ok(()) => crate::jq_cmd::docker_help(path),
        Err(why) => Err(why),
    };
    match text {
        Ok(text) => text.unwrap_or_default(),
        Err(why) => format!("docker: the help texts could not be loaded: {why}\n"),
    }
}

/// The canonical path of an alias (`node list` → `node ls`, `container ps` → `container ls`),
/// from the `Aliases:` sections of the help texts.
pub(crate) fn resolve_alias(path: &str) -> String {
    static MAP: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map = BTreeMap::new();
        for (canonical, text) in help_texts() {
            for alias in aliases_in(text) {
                let alias = alias
                    .trim()
                    .strip_prefix("docker ")
                    .unwrap_or(alias)
                    .to_string();
                // Only aliases within the same group: `docker ps` stays its own command.
                let same_group = alias.rsplit_once(' ').map(|(g, _)| g)
                    == canonical.rsplit_once(' ').map(|(g, _)| g);
                if alias != *canonical && same_group && !help_texts().contains_key(&alias) {
                    map.insert(alias, canonical.clone());
                }
            }
        }
        map
    });
    map.get(path).cloned().unwrap_or_else(|| path.to_string())
}

/// The `Aliases:` line of a help text, split (`docker container ls`, `docker container list` …).
fn aliases_in(text: &str) -> Vec<&str> {
    let Some(i) = text.find("\nAliases:\n  ") else {
        return Vec::new();
    };
    text[i + "\nAliases:\n  ".len()..]
        .lines()
        .next()
        .unwrap_or("")
        .split(", ")
        .collect()
}

/// True when `docker <path>` has subcommands.
pub(crate) fn is_group(path: &str) -> bool {
    help(path)
        .is_some_and(|h| h.contains("\nCommands:\n") || h.contains("\nManagement Commands:\n"))
}

/// The `Usage:` line's command part: `docker version [OPTIONS]`.
pub(crate) fn usage_line(path: &str) -> String {
    if path.is_empty() {
        // The root command's `UseLine`, which its help text shortens.
        return "docker [OPTIONS] COMMAND [ARG...]".to_string();
    }
    help(path)
        .and_then(usage_in)
        .unwrap_or_else(|| format!("docker {path}"))
}

/// The `Usage:` line of a help text; it may go on over lines that start with a tab (`docker
/// cp` has two forms).
fn usage_in(h: &str) -> Option<String> {
    let start = h.find("Usage:  ")? + "Usage:  ".len();
    let text = &h[start..];
    let mut end = text.find('\n').unwrap_or(text.len());
    while text[end..].starts_with("\n\t") {
        end += 1 + text[end + 1..].find('\n').unwrap_or(text.len() - end - 1);
    }
    Some(text[..end].to_string())
}

/// How many arguments a command takes, read from its usage line as cobra's validators
/// (`NoArgs`, `ExactArgs`, `RequiresMinArgs`, `RequiresMaxArgs`, `RequiresRangeArgs`) check it:
/// `[X]` is optional, `X` required, `...` means any number more.
fn arg_bounds(path: &str) -> (usize, Option<usize>) {
    // Commands whose validator says otherwise than their usage line.
    match path {
        "build" | "image build" => return (1, Some(1)),
        "cp" | "container cp" => return (2, Some(2)),
        "import" | "image import" | "top" | "container top" => return (1, None),
        "volume update" => return (1, Some(1)),
        _ => {}
    }
    let usage = usage_line(path);
    let usage = usage.lines().next().unwrap_or("");
    let rest = usage.strip_prefix(&format!("docker {path}")).unwrap_or("");
    let mut required = 0;
    let mut optional = 0;
    let mut unbounded = false;
    for tok in rest.split_whitespace().filter(|t| *t != "[OPTIONS]") {
        if tok.contains("...") {
            unbounded = true;
        } else if tok.starts_with('[') {
            optional += 1;
        } else {
            required += 1;
        }
    }
    (
        required,
        if unbounded {
            None
        } else {
            Some(required + optional)
        },
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "argument"
    } else {
        "arguments"
    }
}

/// Checks the number of arguments; on error, the whole text docker prints (exit status 1).
pub(crate) fn check_args(path: &str, n: usize) -> Result<(), String> {
    let (min, max) = arg_bounds(path);
    let cmd = format!("docker {path}");
    // The footers differ between validators in docker/cli's `cli/required.go`, down to a
    // stray "S" in `RequiresMaxArgs`: reproduced as printed.
    let (msg, footer) = match max {
        Some(0) if n > 0 => ("accepts no arguments".to_string(), "Run"),
        Some(m) if m == min && n != m => (format!("requires {m} {}", plural(m)), "Run"),
        Some(m) if min == 0 && n > m => (format!("requires at most {m} {}", plural(m)), "SRun"),
        Some(m) if min > 0 && m > min && (n < min || n > m) => (
            format!("requires at least {min} and at most {m} {}", plural(m)),
            "Run",
        ),
        None if n < min => (format!("requires at least {min} {}", plural(min)), "See"),
        _ => return Ok(()),
    };
    Err(format!(
        "docker: '{cmd}' {msg}\n\nUsage:  {}\n\n{footer} '{cmd} --help' for more information\n",
        usage_line(path)
    ))
}

/// One flag of a command, as its help text declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FlagSpec {
    pub long: String,
    pub short: Option<char>,
    /// The value's type word (`string`, `list`, `int` …); `None` for booleans.
    pub kind: Option<String>,
}

/// The flags of `docker <path>` (the root's are the global options).
pub(crate) fn flags(path: &str) -> Vec<FlagSpec> {
    help(path).map_or_else(Vec::new, |text| flags_in(text, path))
}

/// The flags a help text declares (`path` names the command, for its hidden flags).
fn flags_in(text: &str, path: &str) -> Vec<FlagSpec> {
    let mut out = Vec::new();
    let mut in_opts = false;
    for line in text.lines() {
        if line == "Options:" || line == "Global Options:" {
            in_opts = true;
            continue;
        }
        if in_opts && line.is_empty() {
            in_opts = false;
            continue;
        }
        if !in_opts {
            continue;
        }
        let t = line.trim_start();
        if !t.starts_with('-') || line.len() - t.len() > 6 {
            continue;
        }
        let (short, t) = match t.strip_prefix('-') {
            Some(r) if !r.starts_with('-') => {
                let c = r.chars().next();
                (c, r.get(1..).unwrap_or("").trim_start_matches(", "))
            }
            _ => (None, t),
        };
        let Some(t) = t.strip_prefix("--") else {
            continue;
        };
        let mut words = t.splitn(2, ' ');
        let long = words.next().unwrap_or("").to_string();
        let rest = words.next().unwrap_or("");
        // A type word follows after one space; the description after two or more.
        let kind = if rest.starts_with(' ') || rest.is_empty() {
            None
        } else {
            rest.split(' ').next().map(str::to_string)
        };
        out.push(FlagSpec { long, short, kind });
    }
    // Hidden (deprecated) flags the CLI still accepts; its help does not show them.
    if path == "volume create" {
        out.push(FlagSpec {
            long: "name".into(),
            short: None,
            kind: Some("string".into()),
        });
    }
    out
}

/// Flags and arguments of one command line.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// (long name, value) in the order given; booleans carry "true"/"false".
    pub flags: Vec<(String, String)>,
    pub args: Vec<String>,
    pub help: bool,
    /// `-h` was used (docker warns that it is deprecated).
    pub short_help: bool,
}

impl Parsed {
    /// The last value given for `long`.
    pub fn value(&self, long: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(k, _)| k == long)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `long` (list flags).
    pub fn values(&self, long: &str) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(k, _)| k == long)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean flag's value.
    pub fn bool(&self, long: &str) -> bool {
        self.value(long) == Some("true")
    }
}

/// A usage error, printed with the command's usage line; exit status 125.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FlagError(pub String);

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn flag_name(f: &FlagSpec) -> String {
    match f.short {
        Some(c) => format!("-{c}, --{}", f.long),
        None => format!("--{}", f.long),
    }
}

fn invalid_bool(f: &FlagSpec, v: &str) -> FlagError {
    FlagError(format!(
        "invalid argument \"{v}\" for \"{}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax",
        flag_name(f)
    ))
}

/// The check a typed flag's `Set` makes while pflag parses: the CLI's `FilterOpt` wants
/// `name=value`. `Ok(false)`: the value is dropped (`FilterOpt` ignores an empty one).
fn check_value(f: &FlagSpec, v: &str) -> Result<bool, FlagError> {
    if f.kind.as_deref() != Some("filter") {
        return Ok(true);
    }
    if v.is_empty() {
        return Ok(false);
    }
    if !v.contains('=') {
        return Err(FlagError(format!(
            "invalid argument \"{v}\" for \"{}\" flag: bad format of filter (expected name=value)",
            flag_name(f)
        )));
    }
    Ok(true)
}

/// Parses `args` as pflag does. With `interspersed` false, the first argument that is not a
/// flag ends flag parsing (the root command stops there to find its subcommand).
pub(crate) fn parse(
    specs: &[FlagSpec],
    args: &[String],
    interspersed: bool,
) -> Result<Parsed, FlagError> {
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            p.args.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            if name == "help" {
                p.help = true;
                continue;
            }
            let Some(spec) = specs.iter().find(|s| s.long == name) else {
                return Err(FlagError(format!("unknown flag: --{name}")));
            };
            let value = match (&spec.kind, inline) {
                (None, None) => "true".to_string(),
                (None, Some(v)) => match parse_bool(&v) {
                    Some(b) => b.to_string(),
                    None => return Err(invalid_bool(spec, &v)),
                },
                (Some(_), Some(v)) => v,
                (Some(_), None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => return Err(FlagError(format!("flag needs an argument: --{name}"))),
                },
            };
            if check_value(spec, &value)? {
                p.flags.push((spec.long.clone(), value));
            }
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                if c == 'h' && !specs.iter().any(|s| s.short == Some('h')) {
                    p.help = true;
                    p.short_help = true;
                    k += 1;
                    continue;
                }
                let Some(spec) = specs.iter().find(|s| s.short == Some(c)) else {
                    return Err(FlagError(format!("unknown shorthand flag: '{c}' in {a}")));
                };
                let rest: String = chars[k + 1..].iter().collect();
                match &spec.kind {
                    None => {
                        if let Some(v) = rest.strip_prefix('=') {
                            match parse_bool(v) {
                                Some(b) => p.flags.push((spec.long.clone(), b.to_string())),
                                None => return Err(invalid_bool(spec, v)),
                            }
                            break;
                        }
                        p.flags.push((spec.long.clone(), "true".into()));
                        k += 1;
                    }
                    Some(_) => {
                        let value = if !rest.is_empty() {
                            rest.strip_prefix('=').unwrap_or(&rest).to_string()
                        } else if let Some(v) = args.get(i) {
                            i += 1;
                            v.clone()
                        } else {
                            return Err(FlagError(format!(
                                "flag needs an argument: '{c}' in -{c}"
                            )));
                        };
                        if check_value(spec, &value)? {
                            p.flags.push((spec.long.clone(), value));
                        }
                        break;
                    }
                }
            }
            continue;
        }
        p.args.push(a.clone());
        if !interspersed {
            p.args.extend(args[i..].iter().cloned());
            break;
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn help_data_is_complete() {
        let root = swarm_extras::help::text("").unwrap();
        assert!(
            root.starts_with("\nUsage:  docker [OPTIONS] COMMAND")
                || root.starts_with("Usage:  docker [OPTIONS] COMMAND")
        );
        assert!(known("service create"));
        assert!(is_group("service"));
        assert!(!is_group("version"));
        assert_eq!(usage_line("version"), "docker version [OPTIONS]");
    }

    /// The index answers every question exactly as the whole help text does.
    #[test]
    fn the_index_reads_as_the_whole_text() {
        let full = swarm_extras::help::blocks(include_str!("../../data/docker-help.txt"));
        let index = help_texts();
        assert_eq!(
            full.keys().collect::<Vec<_>>(),
            index.keys().collect::<Vec<_>>()
        );
        assert!(full.len() > 100);
        // The same readers over the whole text.
        let on_full = |path: &str| -> (Vec<FlagSpec>, Option<String>, bool) {
            let text = full[path];
            (
                flags_in(text, path),
                usage_in(text),
                text.contains("\nCommands:\n") || text.contains("\nManagement Commands:\n"),
            )
        };
        for (path, text) in index {
            let (f, usage, group) = on_full(path);
            assert_eq!(flags(path), f, "{path}");
            assert_eq!(usage_in(text), usage, "{path}");
            assert_eq!(is_group(path), group, "{path}");
            assert_eq!(aliases_in(text), aliases_in(full[path.as_str()]), "{path}");
        }
        let index_size: usize = index.values().map(|t| t.len()).sum();
        assert!(index_size * 3 < include_str!("../../data/docker-help.txt").len());
    }

    #[test]
    fn flags_come_from_help() {
        let f = flags("version");
        assert_eq!(
            f,
            vec![FlagSpec {
                long: "format".into(),
                short: Some('f'),
                kind: Some("string".into())
            }]
        );
        let g = flags("");
        assert!(g
            .iter()
            .any(|x| x.long == "debug" && x.short == Some('D') && x.kind.is_none()));
        assert!(g
            .iter()
            .any(|x| x.long == "host" && x.kind.as_deref() == Some("list")));
        let c = flags("service create");
        assert!(c
            .iter()
            .any(|x| x.long == "replicas" && x.kind.as_deref() == Some("uint")));
        assert!(c
            .iter()
            .any(|x| x.long == "detach" && x.short == Some('d') && x.kind.is_none()));
    }

    #[test]
    fn pflag_rules() {
        let f = flags("version");
        assert_eq!(
            parse(&f, &s(&["--bogus"]), true).unwrap_err().0,
            "unknown flag: --bogus"
        );
        assert_eq!(
            parse(&f, &s(&["-abc"]), true).unwrap_err().0,
            "unknown shorthand flag: 'a' in -abc"
        );
        assert_eq!(
            parse(&f, &s(&["-f"]), true).unwrap_err().0,
            "flag needs an argument: 'f' in -f"
        );
        assert_eq!(
            parse(&f, &s(&["--format"]), true).unwrap_err().0,
            "flag needs an argument: --format"
        );
        let p = parse(&f, &s(&["-f", "{{.Server.Version}}", "x"]), true).unwrap();
        assert_eq!(p.value("format"), Some("{{.Server.Version}}"));
        assert_eq!(p.args, s(&["x"]));
        let p = parse(&f, &s(&["-f={{json .}}"]), true).unwrap();
        assert_eq!(p.value("format"), Some("{{json .}}"));
        let g = flags("");
        assert_eq!(
            parse(&g, &s(&["-D=x", "version"]), false).unwrap_err().0,
            "invalid argument \"x\" for \"-D, --debug\" flag: strconv.ParseBool: parsing \"x\": invalid syntax"
        );
        let p = parse(&g, &s(&["-D", "version", "--bogus"]), false).unwrap();
        assert!(p.bool("debug"));
        assert_eq!(p.args, s(&["version", "--bogus"]));
    }

    /// `--filter` values are checked while parsing, as the CLI's `FilterOpt.Set` does.
    #[test]
    fn filter_values_need_name_equals_value() {
        let f = flags("service ps");
        assert_eq!(
            parse(&f, &s(&["--filter", "foo", "web"]), true).unwrap_err().0,
            "invalid argument \"foo\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"
        );
        assert_eq!(
            parse(&f, &s(&["-fdesired-state", "web"]), true).unwrap_err().0,
            "invalid argument \"desired-state\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"
        );
        let p = parse(&f, &s(&["-f", "", "--filter=a=b", "web"]), true).unwrap();
        assert_eq!(p.values("filter"), vec!["a=b"]);
        let g = flags("image prune");
        assert_eq!(
            parse(&g, &s(&["--filter=x"]), true).unwrap_err().0,
            "invalid argument \"x\" for \"--filter\" flag: bad format of filter (expected name=value)"
        );
    }
}
