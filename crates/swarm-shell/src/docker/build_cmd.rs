//! `docker build` (`image build`), as the legacy builder does it (the CLI of these machines has
//! no buildx, so docker 28 uses the classic builder and prints its deprecation notice).
//!
//! The Dockerfile is read from the machine's filesystem (`-f FILE`, else `CONTEXT/Dockerfile`,
//! or standard input for `docker build -`); `COPY`/`ADD` sources must exist in the context.
//! Nothing is executed: `RUN` steps succeed without output. The image is the base image's
//! configuration with the Dockerfile's `CMD`, `ENTRYPOINT`, `ENV`, `EXPOSE`, `WORKDIR`,
//! `USER`, `LABEL`, `VOLUME` and `HEALTHCHECK` applied, and its base's behaviour while its
//! command still starts the base's program (`swarm_core::catalog::Image::retarget_behaviour`).
//! Its ID is derived from the base's ID, the instructions and the copied files
//! (`Catalog::register_built`), so the same build gives the same image everywhere and a
//! pushed image runs the same on every node.

use swarm_core::catalog::{Catalog, HealthConfig, Image, ImageFile};
use swarm_core::container::hex64;
use swarm_core::history::HistoryRow;
use swarm_core::MachineId;

use super::cli::Parsed;
use super::swarm_cmd::parse_go_duration;
use super::Status;
use crate::exec::{Interp, Io};
use crate::format;

const DEPRECATED: &str = "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\n";

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(path, "build" | "image build" | "builder build")
}

/// One instruction of a Dockerfile: its keyword (upper case), its arguments as written, and
/// the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Instruction {
    pub(crate) keyword: String,
    pub(crate) args: String,
    line: usize,
}

const KNOWN: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// Splits a Dockerfile into instructions: `\` continues a line, `#` lines are comments.
/// Err is the daemon's parse error.
pub(crate) fn parse_dockerfile(text: &str) -> Result<Vec<Instruction>, String> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_none()) {
            continue;
        }
        let (start, mut acc) = current.take().unwrap_or((i + 1, String::new()));
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        if !acc.is_empty() && !body.is_empty() {
            acc.push(' ');
        }
        acc.push_str(body.trim());
        if continues {
            current = Some((start, acc));
            continue;
        }
        if acc.is_empty() {
            continue;
        }
        let (word, args) = acc.split_once(char::is_whitespace).unwrap_or((&acc, ""));
        let keyword = word.to_ascii_uppercase();
        if !KNOWN.contains(&keyword.as_str()) {
            return Err(format!(
                "dockerfile parse error line {start}: unknown instruction: {word}"
            ));
        }
        out.push(Instruction {
            keyword,
            args: args.trim().to_string(),
            line: start,
        });
    }
    if let Some((start, acc)) = current {
        let (word, args) = acc.split_once(char::is_whitespace).unwrap_or((&acc, ""));
        out.push(Instruction {
            keyword: word.to_ascii_uppercase(),
            args: args.trim().to_string(),
            line: start,
        });
    }
    Ok(out)
}

/// `["a", "b"]` (exec form) or a shell command (`/bin/sh -c '…'`).
fn command_form(args: &str) -> Vec<String> {
    if args.trim_start().starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(args) {
            return v;
        }
    }
    vec!["/bin/sh".into(), "-c".into(), args.to_string()]
}

/// An instruction's operands in exec form (a JSON array) or as shell words (`COPY`, `ADD`,
/// `VOLUME`).
fn json_or_words(args: &str) -> Vec<String> {
    if args.trim_start().starts_with('[') {
        serde_json::from_str(args).unwrap_or_default()
    } else {
        shell_words(args)
    }
}

/// `EXPOSE`'s port with its protocol (`80` is `80/tcp`).
fn port_proto(p: String) -> String {
    if p.contains('/') {
        p
    } else {
        format!("{p}/tcp")
    }
}

/// `KEY=VALUE KEY2="V 2"` or the old `KEY VALUE` form, quotes removed.
fn key_values(args: &str) -> Vec<(String, String)> {
    let words = shell_words(args);
    if words.first().is_some_and(|w| !w.contains('=')) {
        let (k, v) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        return vec![(k.to_string(), unquote(v.trim()))];
    }
    words
        .iter()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn unquote(s: &str) -> String {
    shell_words(s).join(" ")
}

/// Words split at blanks outside quotes, quotes removed.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (_, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        words.push(cur);
    }
    words
}

/// The short ID a step shows.
fn short(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    hex.get(..12).unwrap_or(hex)
}

fn join_path(dir: &str, name: &str) -> String {
    if name.starts_with('/') {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// What a `RUN` step prints and the files it writes, for the commands whose effect the
/// playground knows: `echo` (printed, or written with `>`/`>>` to a file of the image, as
/// `RUN echo '<h1>Hi</h1>' > /usr/share/nginx/html/index.html` does) and the base image's
/// package manager (`apt-get update`, `apk add curl`: `docker::packages`) in `a; b`, `a && b`
/// lists, and `rm` of the files the image holds (the third part: paths removed). The step
/// fails (the fourth part: its exit code) only where the failure is certain: `exit N`,
/// `false`, and `pip install -r FILE` of a file the image does not hold (a requirements file
/// copied after the step). Other commands (`pip install flask`, `npm install` …) succeed
/// quietly: the image's programs are the catalog's, whatever a build installs. `&&`, `||`
/// and `;` run the commands as the shell does.
fn run_step(
    script: &str,
    workdir: &str,
    before: &[ImageFile],
    base: &str,
) -> (String, Vec<ImageFile>, Vec<String>, i32) {
    let mut printed = String::new();
    if script.trim_start().starts_with('[') {
        let argv: Vec<String> = serde_json::from_str(script).unwrap_or_default();
        if argv.first().is_some_and(|a| a == "echo") {
            printed.push_str(&argv[1..].join(" "));
            printed.push('\n');
        }
        let code = i32::from(argv.first().is_some_and(|a| a == "false"));
        return (printed, Vec::new(), Vec::new(), code);
    }
    // Split at `&&`, `||` and `;` outside quotes; each command with the operator before it.
    let mut commands: Vec<(char, String)> = Vec::new();
    let mut op = ';';
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (None, ';') => {
                commands.push((op, std::mem::take(&mut cur)));
                op = ';';
            }
            (None, '&' | '|') if chars.peek() == Some(&c) => {
                chars.next();
                commands.push((op, std::mem::take(&mut cur)));
                op = c;
            }
            (_, c) => cur.push(c),
        }
    }
    commands.push((op, cur));
    let mut status = 0;
    let workdir = if workdir.is_empty() { "/" } else { workdir };
    let mut view: Vec<ImageFile> = before.to_vec();
    let mut removed: Vec<String> = Vec::new();
    for (op, command) in commands {
        if (op == '&' && status != 0) || (op == '|' && status == 0) {
            continue;
        }
        let prev = std::mem::take(&mut status);
        let mut words = shell_words(command.trim());
        // `> FILE`, `>> FILE`, `>FILE`.
        let mut target: Option<(String, bool)> = None;
        let mut i = 0;
        while i < words.len() {
            let w = words[i].clone();
            let (append, rest) = match w.strip_prefix(">>") {
                Some(r) => (true, r.to_string()),
                None => match w.strip_prefix('>') {
                    Some(r) => (false, r.to_string()),
                    None => {
                        i += 1;
                        continue;
                    }
                },
            };
            words.remove(i);
            let path = if rest.is_empty() && i < words.len() {
                words.remove(i)
            } else {
                rest
            };
            target = Some((path, append));
        }
        let Some(name) = words.first().map(String::as_str) else {
            continue;
        };
        match name {
            "exit" => {
                status = words
                    .get(1)
                    .map_or(prev, |c| c.parse::<i32>().unwrap_or(2) & 0xff);
                break;
            }
            "false" => {
                status = 1;
                continue;
            }
            "pip" | "pip3" if words.get(1).is_some_and(|w| w == "install") => {
                let requirements = words
                    .iter()
                    .position(|w| w == "-r" || w == "--requirement")
                    .and_then(|i| words.get(i + 1));
                if let Some(file) = requirements {
                    let path = swarm_core::fs::normalize(&join_path(workdir, file));
                    if !view.iter().any(|f| f.path == path) {
                        printed.push_str(&format!(
                            "ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{file}'\n"
                        ));
                        status = 1;
                    }
                }
                continue;
            }
            _ => {}
        }
        if matches!(name, "apt-get" | "apt" | "apk") {
            // The package manager of the base image, over the image's files; a failure
            // (a package the playground does not know) leaves the step quiet, as other
            // commands are.
            if let Some((out, err, 0)) =
                super::packages::run_on(&mut view, base, name, &words[1..], false)
            {
                printed.push_str(&out);
                printed.push_str(&err);
            }
            continue;
        }
        if name == "rm" {
            // `rm -rf /var/lib/apt/lists/*`: the files go from the image.
            for operand in words[1..].iter().filter(|w| !w.starts_with('-')) {
                let (dir_only, operand) = match operand.strip_suffix("/*") {
                    Some(d) => (true, d),
                    None => (false, operand.as_str()),
                };
                let path = swarm_core::fs::normalize(&join_path(workdir, operand));
                let under = format!("{}/", path.trim_end_matches('/'));
                view.retain(|f| {
                    let gone = f.path.starts_with(&under) || (!dir_only && f.path == path);
                    if gone {
                        removed.push(f.path.clone());
                    }
                    !gone
                });
            }
            continue;
        }
        if name != "echo" {
            continue;
        }
        let mut args = &words[1..];
        let mut newline = true;
        if args.first().is_some_and(|a| a == "-n") {
            newline = false;
            args = &args[1..];
        }
        let mut text = args.join(" ");
        if newline {
            text.push('\n');
        }
        match target {
            None => printed.push_str(&text),
            Some((path, _)) if path == "/dev/null" => {}
            Some((path, append)) => {
                let path = swarm_core::fs::normalize(&join_path(workdir, &path));
                let mut data = Vec::new();
                if append {
                    if let Some(old) = view.iter().find(|f| f.path == path) {
                        data = old.data.clone();
                    }
                }
                data.extend_from_slice(text.as_bytes());
                view.retain(|f| f.path != path);
                view.push(ImageFile {
                    path,
                    data,
                    mode: 0o644,
                });
            }
        }
    }
    let written = view
        .into_iter()
        .filter(|f| {
            before
                .iter()
                .find(|b| b.path == f.path)
                .is_none_or(|b| b.data != f.data)
        })
        .collect();
    (printed, written, removed, status)
}

/// What `COPY`/`ADD` SOURCES… DEST puts in the image, as the builder places it: a file to
/// DEST (or into it when DEST ends with `/`, is `.`, or there are several sources), a
/// directory's (or the whole context's, `.`) contents below DEST, a wildcard's matches into
/// DEST. A relative DEST is below the image's working directory.
fn copied_files(
    files: &[(String, Vec<u8>)],
    sources: &[&str],
    dest: &str,
    workdir: &str,
    mode: Option<u32>,
) -> Vec<ImageFile> {
    let workdir = if workdir.is_empty() { "/" } else { workdir };
    let base = swarm_core::fs::normalize(&join_path(workdir, dest));
    let into_dir = dest.ends_with('/') || dest == "." || sources.len() > 1;
    let at = |rel: &str| {
        if base == "/" {
            format!("/{rel}")
        } else {
            format!("{base}/{rel}")
        }
    };
    let file = |path: String, data: &[u8]| ImageFile {
        path,
        data: data.to_vec(),
        mode: mode.unwrap_or(0o644),
    };
    let name_of = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let mut out = Vec::new();
    for src in sources {
        let s = src.trim_start_matches("./").trim_end_matches('/');
        if s.starts_with("http://") || s.starts_with("https://") {
            continue;
        }
        if s.is_empty() || s == "." {
            out.extend(files.iter().map(|(p, d)| file(at(p), d)));
        } else if s.contains(['*', '?', '[']) {
            let matched: Vec<&(String, Vec<u8>)> = files
                .iter()
                .filter(|(p, _)| crate::util::path_match(s, p))
                .collect();
            let many = into_dir || matched.len() > 1;
            for (p, d) in matched {
                out.push(file(if many { at(&name_of(p)) } else { base.clone() }, d));
            }
        } else if let Some((_, d)) = files.iter().find(|(p, _)| p == s) {
            out.push(file(
                if into_dir {
                    at(&name_of(s))
                } else {
                    base.clone()
                },
                d,
            ));
        } else {
            let prefix = format!("{s}/");
            for (p, d) in files {
                if let Some(rest) = p.strip_prefix(&prefix) {
                    out.push(file(at(rest), d));
                }
            }
        }
    }
    out
}

/// Every file below `dir` on the machine (path relative to it, content), sorted.
pub(crate) fn context_files(interp: &Interp, dir: &str) -> Vec<(String, Vec<u8>)> {
    let m = interp.session.borrow().machine();
    let world = interp.world();
    let w = world.borrow();
    let Some(machine) = w.machine(m) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let path = if rel.is_empty() {
            dir.to_string()
        } else {
            join_path(dir, &rel)
        };
        let Ok(entries) = machine.fs.list(&path) else {
            continue;
        };
        for (name, meta) in entries {
            let r = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if meta.is_dir() {
                if out.len() < 10_000 {
                    stack.push(r);
                }
            } else {
                let data = machine
                    .fs
                    .read(&join_path(dir, &r))
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                out.push((r, data));
            }
        }
    }
    out.sort();
    out
}

/// Go's `%q` of a list of strings (`["python" "app.py"]`).
fn go_list(v: &[String]) -> String {
    let quoted: Vec<String> = v.iter().map(|s| format::container::go_quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `%q` of an image's healthcheck (`&{["CMD-SHELL" "curl …"] "30s" "3s" "0s" "0s" '\x03'}`).
fn go_health(h: &HealthConfig) -> String {
    let d = |ms: u64| {
        format::container::go_quote(&format::service::go_duration(
            i64::try_from(ms).unwrap_or(i64::MAX / 1_000_000) * 1_000_000,
        ))
    };
    let retries = match char::from_u32(h.retries) {
        Some(c) if (' '..='~').contains(&c) && c != '\'' && c != '\\' => format!("'{c}'"),
        Some('\'') => "'\\''".to_string(),
        Some('\\') => "'\\\\'".to_string(),
        _ if h.retries < 0x100 => format!("'\\x{:02x}'", h.retries),
        _ => format!("'\\u{:04x}'", h.retries),
    };
    format!(
        "&{{{} {} {} {} {} {retries}}}",
        go_list(&h.test),
        d(h.interval_ms),
        d(h.timeout_ms),
        d(h.start_period_ms),
        d(h.start_interval_ms)
    )
}

/// What a step's history row says it did (`CreatedBy`) and the size of its layer. The legacy
/// builder's texts are the command of the container it committed: `/bin/sh -c pip install …`
/// for `RUN`, `/bin/sh -c #(nop)  CMD ["python" "app.py"]` for a metadata step, `/bin/sh -c
/// #(nop) COPY dir:<hash> in /app ` for a copy; BuildKit's are the instruction
/// (`RUN /bin/sh -c pip install … # buildkit`, `COPY . . # buildkit`, `WORKDIR /app`,
/// `EXPOSE map[5000/tcp:{}]`). A `RUN` with build arguments in scope says them first
/// (`|1 VERSION=2 /bin/sh -c …`).
#[allow(clippy::too_many_arguments)]
fn created_by(
    step: &Instruction,
    args: &str,
    img: &Image,
    workdir_before: &str,
    context: &[(String, Vec<u8>)],
    build_args: &[(String, String)],
    buildkit: bool,
    layer_bytes: Option<u64>,
) -> (String, u64) {
    let size = layer_bytes.unwrap_or(0);
    let k = step.keyword.as_str();
    let nop = |text: String| {
        if buildkit {
            text
        } else {
            format!("/bin/sh -c #(nop)  {text}")
        }
    };
    let by = match k {
        "RUN" => {
            let mut words: Vec<String> = Vec::new();
            let set: Vec<&(String, String)> =
                build_args.iter().filter(|(_, v)| !v.is_empty()).collect();
            if !set.is_empty() {
                words.push(format!("|{}", set.len()));
                words.extend(set.iter().map(|(k, v)| format!("{k}={v}")));
            }
            words.extend(command_form(args));
            let text = words.join(" ");
            if buildkit {
                format!("RUN {text} # buildkit")
            } else {
                text
            }
        }
        "COPY" | "ADD" => {
            let words: Vec<String> = json_or_words(args);
            let operands: Vec<&String> = words.iter().filter(|w| !w.starts_with("--")).collect();
            if buildkit {
                let list: Vec<&str> = operands.iter().map(|s| s.as_str()).collect();
                format!("{k} {} # buildkit", list.join(" "))
            } else {
                let (sources, dest) = match operands.split_last() {
                    Some((d, s)) => (s.to_vec(), d.as_str()),
                    None => (Vec::new(), ""),
                };
                // The legacy builder names the source by a hash of what it copies.
                let kind = match sources.as_slice() {
                    [one] => {
                        let s = one.trim_start_matches("./").trim_end_matches('/');
                        if context.iter().any(|(p, _)| p == s) {
                            "file"
                        } else {
                            "dir"
                        }
                    }
                    _ => "multi",
                };
                let digest: String = sources
                    .iter()
                    .map(|s| {
                        let s = s.trim_start_matches("./").trim_end_matches('/');
                        context
                            .iter()
                            .filter(|(p, _)| {
                                s.is_empty()
                                    || s == "."
                                    || p == s
                                    || p.starts_with(&format!("{s}/"))
                            })
                            .map(|(p, d)| {
                                format!(
                                    "{p}:{}\n",
                                    swarm_core::container::hex64(&String::from_utf8_lossy(d))
                                )
                            })
                            .collect::<String>()
                    })
                    .collect();
                let mut to = if dest.starts_with('/') {
                    dest.to_string()
                } else {
                    let wd = if workdir_before.is_empty() {
                        "/"
                    } else {
                        workdir_before
                    };
                    swarm_core::fs::normalize(&join_path(wd, dest))
                };
                if dest.ends_with('/') && !to.ends_with('/') {
                    to.push('/');
                }
                format!(
                    "/bin/sh -c #(nop) {k} {kind}:{} in {to} ",
                    swarm_core::container::hex64(&digest)
                )
            }
        }
        "WORKDIR" => {
            if buildkit {
                format!("WORKDIR {}", img.workdir)
            } else {
                format!("/bin/sh -c #(nop) WORKDIR {}", img.workdir)
            }
        }
        "CMD" => nop(format!("CMD {}", go_list(&img.cmd))),
        "ENTRYPOINT" => nop(format!("ENTRYPOINT {}", go_list(&img.entrypoint))),
        "ENV" | "LABEL" => {
            let pairs: Vec<String> = key_values(args)
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            nop(format!("{k} {}", pairs.join(" ")))
        }
        "EXPOSE" => {
            if buildkit {
                let mut ports: Vec<String> =
                    shell_words(args).into_iter().map(port_proto).collect();
                ports.sort();
                ports.dedup();
                let map: Vec<String> = ports.iter().map(|p| format!("{p}:{{}}")).collect();
                format!("EXPOSE map[{}]", map.join(" "))
            } else {
                nop(format!("EXPOSE {}", shell_words(args).join(" ")))
            }
        }
        "VOLUME" => {
            let v: Vec<String> = json_or_words(args);
            nop(format!("VOLUME [{}]", v.join(" ")))
        }
        "USER" => nop(format!("USER {}", unquote(args))),
        "HEALTHCHECK" => match &img.healthcheck {
            Some(h) => nop(format!("HEALTHCHECK {}", go_health(h))),
            None => nop("HEALTHCHECK <nil>".to_string()),
        },
        "SHELL" => {
            let v: Vec<String> = serde_json::from_str(args).unwrap_or_default();
            nop(format!("SHELL [{}]", v.join(" ")))
        }
        other => nop(format!("{other} {args}")),
    };
    (by, size)
}

/// A metadata instruction (`CMD`, `ENTRYPOINT`, `ENV`, `LABEL`, `EXPOSE`, `WORKDIR`, `USER`,
/// `VOLUME`, `HEALTHCHECK`) applied to an image's configuration, as a Dockerfile step or a
/// `docker commit --change` does it. Ok(true) when it changed the image's command; Err is a
/// `HEALTHCHECK` that does not parse.
pub(crate) fn apply_metadata(img: &mut Image, keyword: &str, a: &str) -> Result<bool, String> {
    match keyword {
        "CMD" => {
            img.cmd = command_form(a);
            return Ok(true);
        }
        "ENTRYPOINT" => {
            img.entrypoint = command_form(a);
            img.cmd.clear();
            return Ok(true);
        }
        "ENV" => {
            for (k, v) in key_values(a) {
                img.env.retain(|e| e.split('=').next() != Some(k.as_str()));
                img.env.push(format!("{k}={v}"));
            }
        }
        "LABEL" => {
            for (k, v) in key_values(a) {
                img.labels.insert(k, v);
            }
        }
        "EXPOSE" => {
            for p in shell_words(a).into_iter().map(port_proto) {
                if !img.exposed_ports.contains(&p) {
                    img.exposed_ports.push(p);
                }
            }
        }
        "WORKDIR" => {
            let dir = unquote(a);
            img.workdir = if dir.starts_with('/') || img.workdir.is_empty() {
                join_path("/", &dir)
            } else {
                join_path(&img.workdir, &dir)
            };
        }
        "USER" => img.user = unquote(a),
        "VOLUME" => {
            let v: Vec<String> = json_or_words(a);
            for p in v {
                if !img.volumes.contains(&p) {
                    img.volumes.push(p);
                }
            }
        }
        "HEALTHCHECK" => img.healthcheck = parse_health(a)?,
        _ => {}
    }
    Ok(false)
}

fn parse_health(args: &str) -> Result<Option<HealthConfig>, String> {
    let words = shell_words(args);
    if words
        .first()
        .is_some_and(|w| w.eq_ignore_ascii_case("NONE"))
    {
        return Ok(Some(HealthConfig {
            test: vec!["NONE".into()],
            ..HealthConfig::default()
        }));
    }
    let mut h = HealthConfig::default();
    let mut rest = args.trim();
    while let Some(opt) = rest.strip_prefix("--") {
        let (flag, after) = opt.split_once(char::is_whitespace).unwrap_or((opt, ""));
        let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
        let ms = || {
            parse_go_duration(value)
                .map(|d| d.as_millis())
                .ok_or_else(|| format!("time: invalid duration \"{value}\""))
        };
        match name {
            "interval" => h.interval_ms = ms()?,
            "timeout" => h.timeout_ms = ms()?,
            "start-period" => h.start_period_ms = ms()?,
            "start-interval" => h.start_interval_ms = ms()?,
            "retries" => {
                h.retries = value
                    .parse()
                    .map_err(|_| format!("strconv.ParseInt: parsing \"{value}\": invalid syntax"))?
            }
            other => return Err(format!("Unknown flag: {other}")),
        }
        rest = after.trim_start();
    }
    let Some(cmd) = rest
        .strip_prefix("CMD")
        .or_else(|| rest.strip_prefix("cmd"))
    else {
        return Err("Unknown type \"\" in HEALTHCHECK (try CMD)".into());
    };
    let cmd = cmd.trim();
    h.test = if cmd.starts_with('[') {
        let mut v = vec!["CMD".to_string()];
        v.extend(serde_json::from_str::<Vec<String>>(cmd).unwrap_or_default());
        v
    } else {
        vec!["CMD-SHELL".into(), cmd.to_string()]
    };
    Ok(Some(h))
}

pub(crate) async fn run(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    run_builder(interp, m, cmd, io, false).await
}

/// `docker build`, by the legacy builder, or by BuildKit (`buildkit`: compose's builds), which
/// differ here only in the history the image records (see [`created_by`]).
pub(crate) async fn run_builder(
    interp: &Interp,
    m: MachineId,
    cmd: &Parsed,
    io: &Io,
    buildkit: bool,
) -> Status {
    let context = cmd.args.first().cloned().unwrap_or_default();
    let tags: Vec<String> = cmd.values("tag").iter().map(|s| s.to_string()).collect();
    let quiet = cmd.bool("quiet");
    for t in &tags {
        if let Some(e) = format::container::reference_error(t) {
            io.err.write(&format!(
                "invalid argument \"{t}\" for \"-t, --tag\" flag: {}\n\nSee 'docker build --help'.\n",
                e.trim_start_matches("Error parsing reference: ")
            ));
            return 125;
        }
    }
    io.err.write(DEPRECATED);
    let from_stdin = context == "-";
    let (context_dir, files) = if from_stdin {
        (String::new(), Vec::new())
    } else {
        let dir = crate::fsutils::abs_path(interp, &context);
        match crate::fsutils::stat(interp, &context) {
            Ok(meta) if meta.is_dir() => {}
            _ => {
                io.err.write(&format!(
                    "unable to prepare context: path \"{context}\" not found\n"
                ));
                return 1;
            }
        }
        let files = context_files(interp, &dir);
        (dir, files)
    };
    let dockerfile_text = if from_stdin {
        io.stdin.to_string()
    } else {
        let path = match cmd.value("file") {
            Some(f) => crate::fsutils::abs_path(interp, f),
            None => join_path(&context_dir, "Dockerfile"),
        };
        match crate::fsutils::read_file(interp, &path) {
            Ok(t) => t,
            Err(_) => {
                io.err.write(&format!(
                    "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {path}: no such file or directory\n"
                ));
                return 1;
            }
        }
    };
    // The context goes to the daemon as a tar: a 512-byte header per file, its data padded
    // to 512 bytes, two empty blocks at the end.
    let context_bytes: usize = if from_stdin {
        2048
    } else {
        files
            .iter()
            .map(|(_, d)| 512 + d.len().div_ceil(512) * 512)
            .sum::<usize>()
            + 1024
    };
    if !quiet {
        io.out.write(&format!(
            "Sending build context to Docker daemon  {}\n",
            format::units::human_size(context_bytes as f64)
        ));
    }
    let steps = match parse_dockerfile(&dockerfile_text) {
        Ok(s) if s.is_empty() => {
            io.err.write(&format!(
                "Error response from daemon: the Dockerfile ({}) cannot be empty\n",
                cmd.value("file").unwrap_or("Dockerfile")
            ));
            return 1;
        }
        Ok(s) => s,
        Err(e) => {
            io.err.write(&format!("Error response from daemon: {e}\n"));
            return 1;
        }
    };
    // Instructions before the first FROM may only be ARGs.
    if steps
        .iter()
        .take_while(|s| s.keyword != "FROM")
        .any(|s| s.keyword != "ARG")
    {
        io.err
            .write("Error response from daemon: no build stage in current context\n");
        return 1;
    }
    if !steps.iter().any(|s| s.keyword == "FROM") {
        io.err
            .write("Error response from daemon: no build stage in current context\n");
        return 1;
    }
    let counted: Vec<&Instruction> = steps.iter().collect();
    let total = counted.len();
    let world = interp.world();
    let mut image: Option<Image> = None;
    let mut base_layers: Vec<String> = Vec::new();
    // The FROM image's name: which package manager a RUN step finds.
    let mut base_ref = String::new();
    let mut new_layers = 0usize;
    let mut id = String::new();
    let mut args: Vec<(String, String)> = Vec::new();
    let mut command_changed = false;
    // The final stage's history: its base's rows, then one per step.
    let mut history: Vec<HistoryRow> = Vec::new();
    // With `-q` the CLI keeps the output, and shows it (on stderr) only if the build fails.
    let kept = std::cell::RefCell::new(String::new());
    let say = |s: String| {
        if quiet {
            kept.borrow_mut().push_str(&s);
        } else {
            io.out.write(&s);
        }
    };
    for (n, step) in counted.iter().enumerate() {
        say(format!(
            "Step {}/{total} : {} {}\n",
            n + 1,
            step.keyword,
            step.args
        ));
        let expand = |s: &str, args: &[(String, String)]| {
            let mut out = s.to_string();
            for (k, v) in args {
                out = out
                    .replace(&format!("${{{k}}}"), v)
                    .replace(&format!("${k}"), v);
            }
            out
        };
        match step.keyword.as_str() {
            "FROM" => {
                let words = shell_words(&expand(&step.args, &args));
                let reference = words
                    .iter()
                    .find(|w| !w.starts_with("--"))
                    .cloned()
                    .unwrap_or_default();
                if reference.eq_ignore_ascii_case("scratch") {
                    image = Some(Image::built_from(None, "", "", "", 0, 0));
                    history.clear();
                    base_layers.clear();
                    id = format!("sha256:{}", hex64("scratch"));
                    say(" ---> \n".to_string());
                    continue;
                }
                if !world.borrow().image_present(m, &reference) {
                    let pulled = super::container_cmd::pull_image(
                        interp, m, &reference, &io.out, quiet, false,
                    )
                    .await;
                    if let Err(e) = pulled {
                        io.err.write(&format!("{e}\n"));
                        return 1;
                    }
                }
                let found = world.borrow().find_image(m, &reference).cloned();
                let Some(pulled) = found else {
                    io.err.write(&format!(
                        "pull access denied for {reference}, repository does not exist or may require 'docker login'\n"
                    ));
                    return 1;
                };
                let base = Catalog::get().lookup_or_id(&pulled.reference(), &pulled.id);
                history = match base {
                    Some(b) => b.history_rows(),
                    None => vec![HistoryRow {
                        created_unix: pulled.created_unix,
                        size: pulled.size,
                        ..HistoryRow::default()
                    }],
                };
                if let Some(top) = history.last_mut() {
                    top.image = pulled.id.clone();
                }
                image = Some(Image::built_from(
                    base,
                    "",
                    "",
                    &pulled.id,
                    pulled.size,
                    pulled.created_unix,
                ));
                base_layers = pulled.layers.clone();
                base_ref = pulled.reference();
                new_layers = 0;
                command_changed = false;
                id = pulled.id.clone();
                say(format!(" ---> {}\n", short(&id)));
                continue;
            }
            "ARG" => {
                let a = expand(&step.args, &args);
                let (k, v) = a.split_once('=').unwrap_or((a.as_str(), ""));
                args.push((k.trim().to_string(), unquote(v)));
            }
            _ => {}
        }
        let Some(img) = image.as_mut() else {
            continue;
        };
        let a = expand(&step.args, &args);
        let mut runs_container = true;
        let mut run_output = String::new();
        // Bytes of the layer the step makes (none for a metadata step).
        let mut layer_bytes: Option<u64> = None;
        let workdir_before = img.workdir.clone();
        match step.keyword.as_str() {
            "RUN" => {
                new_layers += 1;
                let (printed, written, removed, code) =
                    run_step(&a, &img.workdir, &img.layer_files(), &base_ref);
                if code != 0 {
                    let shown = command_form(&a).join(" ");
                    if buildkit {
                        // BuildKit's words; its caller says `failed to solve: ` first.
                        io.err.write(&format!(
                            "process \"{shown}\" did not complete successfully: exit code: {code}\n"
                        ));
                        return code;
                    }
                    // The legacy builder's error (the CLI exits with the step's code).
                    let cid = hex64(&format!("container:{id}\n{a}"));
                    say(format!(" ---> Running in {}\n{printed}", &cid[..12]));
                    io.err.write(&kept.borrow());
                    io.err.write(&format!(
                        "The command '{shown}' returned a non-zero code: {code}\n"
                    ));
                    return code;
                }
                run_output = printed;
                layer_bytes = Some(4096 + written.iter().map(|f| f.data.len() as u64).sum::<u64>());
                let own = std::sync::Arc::make_mut(&mut img.files);
                own.retain(|o| !removed.contains(&o.path));
                for f in written {
                    own.retain(|o| o.path != f.path);
                    own.push(f);
                }
            }
            "COPY" | "ADD" => {
                runs_container = false;
                new_layers += 1;
                let words: Vec<String> = json_or_words(&a);
                let operands: Vec<&String> =
                    words.iter().filter(|w| !w.starts_with("--")).collect();
                let from_stage = words.iter().any(|w| w.starts_with("--from"));
                if operands.len() < 2 {
                    io.err.write(&format!(
                        "Error response from daemon: dockerfile parse error line {}: {} requires at least two arguments, but only one was provided. Destination could not be determined\n",
                        step.line, step.keyword
                    ));
                    return 1;
                }
                if !from_stage {
                    let sources: Vec<&str> = operands[..operands.len() - 1]
                        .iter()
                        .map(|s| s.as_str())
                        .collect();
                    let dest = operands[operands.len() - 1].as_str();
                    let mode = words
                        .iter()
                        .find_map(|w| w.strip_prefix("--chmod="))
                        .and_then(|m| u32::from_str_radix(m, 8).ok())
                        .filter(|m| *m <= 0o7777);
                    let added = copied_files(&files, &sources, dest, &img.workdir, mode);
                    layer_bytes =
                        Some(4096 + added.iter().map(|f| f.data.len() as u64).sum::<u64>());
                    let own = std::sync::Arc::make_mut(&mut img.files);
                    for f in added {
                        own.retain(|o| o.path != f.path);
                        own.push(f);
                    }
                    for src in &operands[..operands.len() - 1] {
                        let src = src.trim_start_matches("./").trim_end_matches('/');
                        if src.starts_with("http://") || src.starts_with("https://") {
                            continue;
                        }
                        let exists = src == "."
                            || src.is_empty()
                            || src.contains('*')
                            || files
                                .iter()
                                .any(|(p, _)| p == src || p.starts_with(&format!("{src}/")));
                        if !exists {
                            io.err.write(&format!(
                                "{} failed: file not found in build context or excluded by .dockerignore: stat {src}: file does not exist\n",
                                step.keyword
                            ));
                            return 1;
                        }
                    }
                }
            }
            "CMD" | "ENTRYPOINT" | "ENV" | "LABEL" | "EXPOSE" | "WORKDIR" | "USER" | "VOLUME"
            | "HEALTHCHECK" => match apply_metadata(img, &step.keyword, &a) {
                Ok(changed) => command_changed |= changed,
                Err(e) => {
                    io.err.write(&format!(
                        "Error response from daemon: dockerfile parse error line {}: {e}\n",
                        step.line
                    ));
                    return 1;
                }
            },
            _ => {}
        }
        // Each step's image: derived from the one before, the instruction and what it copies.
        let copied: String = if matches!(step.keyword.as_str(), "COPY" | "ADD") {
            files
                .iter()
                .map(|(p, d)| format!("{p}:{}", hex64(&String::from_utf8_lossy(d))))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            String::new()
        };
        id = format!(
            "sha256:{}",
            hex64(&format!("{id}\n{} {}\n{copied}", step.keyword, a))
        );
        let cached = world.borrow_mut().build_cache_hit(m, &id) && !cmd.bool("no-cache");
        if cached {
            say(" ---> Using cache\n".to_string());
        } else if runs_container {
            let cid = hex64(&format!("container:{id}"));
            say(format!(
                " ---> Running in {}\n{run_output} ---> Removed intermediate container {}\n",
                &cid[..12],
                &cid[..12]
            ));
        }
        say(format!(" ---> {}\n", short(&id)));
        let (by, size) = created_by(
            step,
            &a,
            &*img,
            &workdir_before,
            &files,
            &args,
            buildkit,
            layer_bytes,
        );
        history.push(HistoryRow {
            created_unix: crate::model::unix_ms(world.borrow().now()) / 1000,
            created_by: by,
            comment: if buildkit {
                swarm_core::history::BUILDKIT.to_string()
            } else {
                String::new()
            },
            size,
            // The legacy builder keeps each step's image (the next one's parent); BuildKit
            // keeps none.
            image: if buildkit { String::new() } else { id.clone() },
        });
    }
    let Some(mut img) = image else {
        return 1;
    };
    img.history = std::sync::Arc::new(history);
    if command_changed {
        img.retarget_behaviour();
    }
    if !img.has_behaviour() {
        // A small web app copied in (`node server.js`, Flask) serves as its script says.
        if let Some(spec) = super::webapp::infer(&img) {
            let _ = img.set_behaviour(spec);
        }
    }
    let created = crate::model::unix_ms(world.borrow().now()) / 1000;
    let copied_bytes: u64 = files.iter().map(|(_, d)| d.len() as u64).sum();
    let built = Image::built_from(
        Some(&img),
        "",
        "",
        &id,
        img.size + copied_bytes + 4096 * new_layers as u64,
        created,
    );
    let recorded = Catalog::register_built(built.clone());
    let normalized: Vec<String> = tags
        .iter()
        .filter_map(|t| format::container::ImageRef::parse_normalized(t))
        .map(|mut r| {
            if r.tag.is_none() {
                r.tag = Some("latest".into());
            }
            r.familiar_string()
        })
        .collect();
    world.borrow_mut().image_add_built(
        m,
        recorded.unwrap_or(&built),
        &base_layers,
        new_layers,
        &normalized,
    );
    if quiet {
        io.out.write(&format!("{id}\n"));
    } else {
        io.out
            .write(&format!("Successfully built {}\n", short(&id)));
        for t in &normalized {
            io.out.write(&format!("Successfully tagged {t}\n"));
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_parse() {
        let text = "# comment\nFROM python:3.12-alpine AS base\nWORKDIR /app\nRUN pip install \\\n    flask redis\nCMD [\"python\", \"app.py\"]\n";
        let steps = parse_dockerfile(text).unwrap();
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[2].args, "pip install flask redis");
        assert_eq!(steps[2].line, 4);
        assert_eq!(
            parse_dockerfile("FORM alpine").unwrap_err(),
            "dockerfile parse error line 1: unknown instruction: FORM"
        );
        assert_eq!(
            command_form("[\"python\", \"app.py\"]"),
            vec!["python", "app.py"]
        );
        assert_eq!(
            command_form("npm start"),
            vec!["/bin/sh", "-c", "npm start"]
        );
        assert_eq!(
            key_values("A=1 B=\"two words\""),
            vec![("A".into(), "1".into()), ("B".into(), "two words".into())]
        );
        assert_eq!(
            key_values("A one two"),
            vec![("A".into(), "one two".into())]
        );
    }

    #[test]
    fn healthchecks_parse() {
        let h = parse_health(
            "--interval=5s --timeout=3s --retries=2 CMD curl -f http://localhost:3000 || exit 1",
        )
        .unwrap()
        .unwrap();
        assert_eq!((h.interval_ms, h.timeout_ms, h.retries), (5000, 3000, 2));
        assert_eq!(h.test[0], "CMD-SHELL");
        assert!(parse_health("--bogus=1 CMD true").is_err());
        assert_eq!(parse_health("NONE").unwrap().unwrap().test, vec!["NONE"]);
    }
}
