//! File commands inside a container (`docker exec C cat /data/x`, or typed in `docker exec
//! -it C sh`): `cat`, `ls [-l -a -1]`, `mkdir [-p]`, `touch`, `rm [-r -f]`, `rmdir`,
//! `cp [-r]`, `mv`, over the container's filesystem (`swarm_core::container_fs`: its layer,
//! its volumes, binds and secrets), with the texts of the image's tools: BusyBox for Alpine
//! and BusyBox images (`cat: can't open 'x': No such file or directory`), GNU coreutils for
//! the Debian-based ones (`cat: x: No such file or directory`).

use swarm_core::fs::{self, FsError, Metadata};
use swarm_core::{MachineId, SimTime, World};

use crate::exec::Interp;

/// What a command printed: (stdout, stderr, exit status).
pub(crate) type Outcome = (String, String, i32);

/// Where a file command runs: the container, its tools, its working directory, and whether
/// its output goes to a terminal (`ls` then prints columns).
pub(crate) struct Here<'a> {
    pub m: MachineId,
    pub id: &'a str,
    pub busybox: bool,
    pub cwd: String,
    pub tty: bool,
}

impl Here<'_> {
    fn abs(&self, p: &str) -> String {
        fs::normalize(&fs::join(&self.cwd, p))
    }
}

/// Splits `-la`-style flags (single letters) from operands; `--` ends the flags.
fn flags(args: &[String]) -> (String, Vec<String>) {
    let mut f = String::new();
    let mut ops = Vec::new();
    let mut done = false;
    for a in args {
        if done || a == "-" || !a.starts_with('-') {
            ops.push(a.clone());
        } else if a == "--" {
            done = true;
        } else if let Some(long) = a.strip_prefix("--") {
            match long {
                "recursive" => f.push('r'),
                "force" => f.push('f'),
                "parents" => f.push('p'),
                "all" => f.push('a'),
                _ => {}
            }
        } else {
            f.push_str(&a[1..]);
        }
    }
    (f, ops)
}

/// Runs `argv` if it is one of the file commands; `None` otherwise.
pub(crate) fn run(w: &mut World, here: &Here, argv: &[String]) -> Option<Outcome> {
    let name = argv.first()?;
    let base = name.rsplit('/').next().unwrap_or(name);
    let args = &argv[1..];
    Some(match base {
        "cat" => cat(w, here, args),
        "ls" => ls(w, here, args),
        "mkdir" => mkdir(w, here, args),
        "touch" => touch(w, here, args),
        "rm" => rm(w, here, args),
        "rmdir" => rmdir(w, here, args),
        "cp" | "mv" => cp_mv(w, here, base, args),
        _ => return None,
    })
}

/// `'x'`, as both tool sets quote names in most messages.
fn q(s: &str) -> String {
    format!("'{s}'")
}

fn cat(w: &World, h: &Here, args: &[String]) -> Outcome {
    let (_, ops) = flags(args);
    let mut out = String::new();
    let mut err = String::new();
    let mut code = 0;
    for a in &ops {
        match w.container_read(h.m, h.id, &h.abs(a)) {
            Ok(d) => out.push_str(&String::from_utf8_lossy(&d)),
            Err(e) => {
                code = 1;
                err.push_str(&match (h.busybox, e) {
                    (true, FsError::IsADirectory) => "cat: read error: Is a directory\n".into(),
                    (true, e) => format!("cat: can't open {}: {e}\n", q(a)),
                    (false, e) => format!("cat: {a}: {e}\n"),
                });
            }
        }
    }
    (out, err, code)
}

fn mode_string(m: &Metadata) -> String {
    let mut s = String::with_capacity(10);
    s.push(if m.is_dir() {
        'd'
    } else if m.is_symlink() {
        'l'
    } else {
        '-'
    });
    for (shift, special, lower, upper) in [
        (6, 0o4000, 's', 'S'),
        (3, 0o2000, 's', 'S'),
        (0, 0o1000, 't', 'T'),
    ] {
        let b = (m.mode >> shift) & 7;
        s.push(if b & 4 != 0 { 'r' } else { '-' });
        s.push(if b & 2 != 0 { 'w' } else { '-' });
        s.push(match (m.mode & special != 0, b & 1 != 0) {
            (true, true) => lower,
            (true, false) => upper,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}

fn ls_time(t: SimTime) -> String {
    crate::fsutils::strftime(crate::model::unix_ms(t), "%b %e %H:%M")
}

fn owner(w: &World, h: &Here, path: &str) -> (String, String) {
    let name = |id: &str| {
        if id == "0" {
            "root".to_string()
        } else {
            id.to_string()
        }
    };
    match w.container_fs(h.m, h.id).and_then(|c| c.owner(path)) {
        Some((u, g)) => (name(u), name(g)),
        None => ("root".into(), "root".into()),
    }
}

fn long_lines(w: &World, h: &Here, dir: Option<&str>, entries: &[(String, Metadata)]) -> String {
    let rows: Vec<(String, String, String, String, String, String, String)> = entries
        .iter()
        .map(|(n, m)| {
            let full = match dir {
                Some(d) => fs::normalize(&format!("{d}/{n}")),
                None => h.abs(n),
            };
            let (u, g) = owner(w, h, &full);
            let shown = match m.is_symlink() {
                true => match w.container_read_link(h.m, h.id, &full) {
                    Ok(t) => format!("{n} -> {t}"),
                    Err(_) => n.clone(),
                },
                false => n.clone(),
            };
            (
                mode_string(m),
                m.nlink.to_string(),
                u,
                g,
                m.size.to_string(),
                ls_time(m.mtime),
                shown,
            )
        })
        .collect();
    let mut out = String::new();
    if h.busybox {
        for (mode, links, u, g, size, t, n) in rows {
            out.push_str(&format!(
                "{mode} {links:>4} {u:<8} {g:<8} {size:>9} {t} {n}\n"
            ));
        }
        return out;
    }
    let wl = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let wu = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    let wg = rows.iter().map(|r| r.3.len()).max().unwrap_or(0);
    let ws = rows.iter().map(|r| r.4.len()).max().unwrap_or(0);
    for (mode, links, u, g, size, t, n) in rows {
        out.push_str(&format!(
            "{mode} {links:>wl$} {u:<wu$} {g:<wg$} {size:>ws$} {t} {n}\n"
        ));
    }
    out
}

/// BusyBox `ls` on a terminal: every column as wide as the longest name plus two, names
/// down the columns.
fn busybox_columns(names: &[String], width: usize) -> String {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let col = longest + 2;
    let cols = (width / col).max(1);
    let rows = names.len().div_ceil(cols);
    let mut out = String::new();
    for r in 0..rows {
        let mut line = String::new();
        for c in 0..cols {
            let i = c * rows + r;
            let Some(n) = names.get(i) else { break };
            line.push_str(n);
            if i + rows < names.len() {
                line.push_str(&" ".repeat(col - n.chars().count()));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn names_out(h: &Here, names: &[String], one: bool) -> String {
    if names.is_empty() {
        return String::new();
    }
    if h.tty && !one && h.busybox {
        busybox_columns(names, 80)
    } else if h.tty && !one {
        crate::fsutils::columns(names, 80)
    } else {
        names.iter().map(|n| format!("{n}\n")).collect()
    }
}

fn ls(w: &World, h: &Here, args: &[String]) -> Outcome {
    let (f, mut ops) = flags(args);
    let long = f.contains('l');
    let all = f.contains('a');
    let almost = f.contains('A');
    let one = f.contains('1');
    let dir_only = f.contains('d');
    if ops.is_empty() {
        ops.push(".".into());
    }
    let mut out = String::new();
    let mut err = String::new();
    let mut code = 0;
    let mut files: Vec<(String, Metadata)> = Vec::new();
    let mut dirs: Vec<(String, String)> = Vec::new();
    for a in &ops {
        let p = h.abs(a);
        // A link named on the command line is followed, unless `-l` or `-d` shows the link.
        let follow = !(long || dir_only) || a.ends_with('/');
        let stat = match w.container_lstat(h.m, h.id, &p) {
            Ok(m) if m.is_symlink() && follow => w.container_stat(h.m, h.id, &p),
            r => r,
        };
        match stat {
            Ok(m) if m.is_dir() && !dir_only => dirs.push((a.clone(), p)),
            Ok(m) => files.push((a.clone(), m)),
            Err(e) => {
                code = if h.busybox { 1 } else { 2 };
                err.push_str(&if h.busybox {
                    format!("ls: {a}: {e}\n")
                } else {
                    format!("ls: cannot access {}: {e}\n", q(a))
                });
            }
        }
    }
    // Operands are listed sorted, files first, as both tool sets do.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    dirs.sort_by(|a, b| a.0.cmp(&b.0));
    if !files.is_empty() {
        if long {
            out.push_str(&long_lines(w, h, None, &files));
        } else {
            let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
            out.push_str(&names_out(h, &names, one));
        }
    }
    let headers = ops.len() > 1;
    for (i, (shown, p)) in dirs.iter().enumerate() {
        if headers {
            if i > 0 || !files.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{shown}:\n"));
        }
        let mut entries = w.container_list(h.m, h.id, p).unwrap_or_default();
        entries.retain(|(n, _)| all || almost || !n.starts_with('.'));
        if all {
            let dot = w.container_stat(h.m, h.id, p).ok();
            let parent = w
                .container_stat(h.m, h.id, &fs::normalize(&format!("{p}/..")))
                .ok();
            let mut with_dots = Vec::new();
            if let Some(d) = dot {
                with_dots.push((".".to_string(), d));
            }
            if let Some(d) = parent {
                with_dots.push(("..".to_string(), d));
            }
            with_dots.extend(entries);
            entries = with_dots;
        }
        if long {
            let blocks: u64 = entries
                .iter()
                .map(|(_, m)| {
                    if m.is_dir() {
                        4
                    } else if m.is_symlink() {
                        0
                    } else {
                        m.size.div_ceil(4096) * 4
                    }
                })
                .sum();
            out.push_str(&format!("total {blocks}\n"));
            out.push_str(&long_lines(w, h, Some(p), &entries));
        } else {
            let names: Vec<String> = entries.into_iter().map(|(n, _)| n).collect();
            out.push_str(&names_out(h, &names, one));
        }
    }
    (out, err, code)
}

fn mkdir(w: &mut World, h: &Here, args: &[String]) -> Outcome {
    let (f, ops) = flags(args);
    let parents = f.contains('p');
    let mut err = String::new();
    let mut code = 0;
    for a in &ops {
        if let Err(e) = w.container_mkdir(h.m, h.id, &h.abs(a), parents) {
            code = 1;
            err.push_str(&if h.busybox {
                format!("mkdir: can't create directory {}: {e}\n", q(a))
            } else {
                format!("mkdir: cannot create directory {}: {e}\n", q(a))
            });
        }
    }
    (String::new(), err, code)
}

fn touch(w: &mut World, h: &Here, args: &[String]) -> Outcome {
    let (_, ops) = flags(args);
    let mut err = String::new();
    let mut code = 0;
    for a in &ops {
        if let Err(e) = w.container_touch(h.m, h.id, &h.abs(a)) {
            code = 1;
            err.push_str(&if h.busybox {
                format!("touch: {a}: {e}\n")
            } else {
                format!("touch: cannot touch {}: {e}\n", q(a))
            });
        }
    }
    (String::new(), err, code)
}

fn rm(w: &mut World, h: &Here, args: &[String]) -> Outcome {
    let (f, ops) = flags(args);
    let recursive = f.contains('r') || f.contains('R');
    let force = f.contains('f');
    let mut err = String::new();
    let mut code = 0;
    for a in &ops {
        let p = h.abs(a);
        match w.container_unlink(h.m, h.id, &p, recursive) {
            Ok(()) => {}
            Err(FsError::NotFound) if force => {}
            Err(FsError::IsADirectory) if !recursive => {
                code = 1;
                err.push_str(&if h.busybox {
                    format!("rm: {}: is a directory\n", q(a))
                } else {
                    format!("rm: cannot remove {}: Is a directory\n", q(a))
                });
            }
            Err(e) => {
                code = 1;
                err.push_str(&if h.busybox {
                    format!("rm: can't remove {}: {e}\n", q(a))
                } else {
                    format!("rm: cannot remove {}: {e}\n", q(a))
                });
            }
        }
    }
    (String::new(), err, code)
}

fn rmdir(w: &mut World, h: &Here, args: &[String]) -> Outcome {
    let (_, ops) = flags(args);
    let mut err = String::new();
    let mut code = 0;
    for a in &ops {
        if let Err(e) = w.container_rmdir(h.m, h.id, &h.abs(a)) {
            code = 1;
            err.push_str(&if h.busybox {
                format!("rmdir: {}: {e}\n", q(a))
            } else {
                format!("rmdir: failed to remove {}: {e}\n", q(a))
            });
        }
    }
    (String::new(), err, code)
}

fn cp_mv(w: &mut World, h: &Here, cmd: &str, args: &[String]) -> Outcome {
    let (f, ops) = flags(args);
    let recursive = f.contains('r') || f.contains('R') || f.contains('a');
    if ops.len() < 2 {
        let msg = if ops.is_empty() {
            format!("{cmd}: missing file operand\n")
        } else {
            format!(
                "{cmd}: missing destination file operand after {}\n",
                q(&ops[0])
            )
        };
        return (String::new(), msg, 1);
    }
    let (srcs, dst) = ops.split_at(ops.len() - 1);
    let dst = &dst[0];
    let dst_abs = h.abs(dst);
    let dst_is_dir = w
        .container_stat(h.m, h.id, &dst_abs)
        .is_ok_and(|m| m.is_dir());
    let mut err = String::new();
    let mut code = 0;
    for s in srcs {
        let src = h.abs(s);
        let target = if dst_is_dir {
            fs::normalize(&format!("{dst_abs}/{}", fs::file_name(&src)))
        } else {
            dst_abs.clone()
        };
        let meta = match w.container_stat(h.m, h.id, &src) {
            Ok(m) => m,
            Err(e) => {
                code = 1;
                err.push_str(&match (h.busybox, cmd) {
                    (true, "cp") => format!("cp: can't stat {}: {e}\n", q(s)),
                    (true, _) => format!("mv: can't rename {}: {e}\n", q(s)),
                    (false, _) => format!("{cmd}: cannot stat {}: {e}\n", q(s)),
                });
                continue;
            }
        };
        if cmd == "cp" && meta.is_dir() && !recursive {
            code = 1;
            err.push_str(&if h.busybox {
                format!("cp: omitting directory {}\n", q(s))
            } else {
                format!("cp: -r not specified; omitting directory {}\n", q(s))
            });
            continue;
        }
        let r = if cmd == "cp" {
            w.container_copy(h.m, h.id, &src, &target)
        } else {
            w.container_rename(h.m, h.id, &src, &target)
        };
        if let Err(e) = r {
            code = 1;
            err.push_str(&if h.busybox {
                format!("{cmd}: can't create {}: {e}\n", q(&target))
            } else {
                format!("{cmd}: cannot create regular file {}: {e}\n", q(dst))
            });
        }
    }
    (String::new(), err, code)
}

/// The working directory of a command run in container `id`: the shell level's when the
/// terminal is in that container's shell, else the container's workdir.
pub(crate) fn cwd_for(interp: &Interp, w: &World, m: MachineId, id: &str) -> String {
    {
        let s = interp.session.borrow();
        let ctx = s.ctx();
        if ctx.container.as_ref().is_some_and(|c| c.id == id) {
            return ctx.cwd.clone();
        }
    }
    match w.container(m, id) {
        Some(c) => workdir_of(c),
        None => "/".into(),
    }
}

/// The directory a process of `c` starts in: `docker run -w`, else its image's `WORKDIR`,
/// else `/`.
pub(crate) fn workdir_of(c: &swarm_core::container::Container) -> String {
    if !c.config.workdir.is_empty() {
        return c.config.workdir.clone();
    }
    swarm_core::catalog::Catalog::get()
        .lookup_or_id(&c.config.image, &c.image_id)
        .map(|i| i.workdir.clone())
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "/".into())
}

/// `redis-cli [-h HOST] [-p PORT] [--raw] COMMAND ARGS…` in a redis image: the command
/// against the container's own server, printed as redis-cli prints replies (quoted and typed
/// on a terminal, raw otherwise). `None` when the image has no redis-cli.
/// `pg_isready` in a postgres container: whether the server takes connections yet.
pub(crate) fn pg_isready(w: &World, h: &Here, argv: &[String]) -> Option<Outcome> {
    let name = argv.first()?;
    if name.rsplit('/').next() != Some("pg_isready") {
        return None;
    }
    let c = w.container(h.m, h.id)?;
    let repo = c.config.image.rsplit('/').next().unwrap_or(&c.config.image);
    if !repo.starts_with("postgres") {
        return None;
    }
    let mut host: Option<String> = None;
    let mut port = "5432".to_string();
    let mut quiet = false;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-h" | "--host" => host = argv.get(i + 1).cloned(),
            "-p" | "--port" => port = argv.get(i + 1).cloned().unwrap_or_default(),
            "-q" | "--quiet" => quiet = true,
            _ => {}
        }
        if matches!(
            a.as_str(),
            "-h" | "--host"
                | "-p"
                | "--port"
                | "-U"
                | "--username"
                | "-d"
                | "--dbname"
                | "-t"
                | "--timeout"
        ) {
            i += 1;
        }
        i += 1;
    }
    let local = host
        .as_deref()
        .is_none_or(|h| matches!(h, "localhost" | "127.0.0.1" | "/var/run/postgresql"))
        && port == "5432";
    let now = w.now();
    let up = local && c.is_running() && c.uptime_ms(now) >= c.program.startup_ms();
    let shown = match &host {
        Some(h) => format!("{h}:{port}"),
        None => format!("/var/run/postgresql:{port}"),
    };
    let (text, code) = if up {
        ("accepting connections", 0)
    } else {
        ("no response", 2)
    };
    let out = if quiet {
        String::new()
    } else {
        format!("{shown} - {text}\n")
    };
    Some((out, String::new(), code))
}

/// What psql's arguments ask for: the user (`postgres` by default), the database (the user's
/// name by default), a `-c` command, a `-h` host.
pub(crate) struct PsqlArgs {
    pub user: String,
    pub db: String,
    pub command: Option<String>,
    pub host: Option<String>,
}

impl PsqlArgs {
    pub(crate) fn parse(argv: &[String]) -> PsqlArgs {
        let mut user = "postgres".to_string();
        let mut db: Option<String> = None;
        let mut command: Option<String> = None;
        let mut host: Option<String> = None;
        let mut i = 1;
        while let Some(a) = argv.get(i) {
            let v = argv.get(i + 1).cloned();
            match a.as_str() {
                "-U" | "--username" => user = v.unwrap_or_default(),
                "-d" | "--dbname" => db = v,
                "-c" | "--command" => command = v,
                "-h" | "--host" => host = v,
                "-p" | "--port" => {}
                _ => {
                    if let Some(x) = a.strip_prefix("--username=") {
                        user = x.to_string();
                    } else if let Some(x) = a.strip_prefix("--dbname=") {
                        db = Some(x.to_string());
                    } else if !a.starts_with('-') && db.is_none() {
                        db = Some(a.clone());
                    }
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        let db = db.unwrap_or_else(|| user.clone());
        PsqlArgs {
            user,
            db,
            command,
            host,
        }
    }
}

/// `psql … -c SQL` in a postgres container, over the tables the apps keep there (the voting
/// app's `votes`, the to-do list's `ToDos`): `SELECT` of columns or `*` (with `WHERE col =
/// 'x'`), `COUNT(*)`, `GROUP BY` with counts, `SELECT 1`, and `\dt`, printed in psql's
/// aligned format. Other SQL, and psql's interactive prompt, say they are not emulated.
pub(crate) fn psql(w: &World, h: &Here, argv: &[String]) -> Option<Outcome> {
    let name = argv.first()?;
    if name.rsplit('/').next() != Some("psql") {
        return None;
    }
    let c = w.container(h.m, h.id)?;
    let repo = c.config.image.rsplit('/').next().unwrap_or(&c.config.image);
    if !repo.starts_with("postgres") {
        return None;
    }
    let PsqlArgs {
        user,
        db,
        command,
        host,
    } = PsqlArgs::parse(argv);
    let now = w.now();
    let up = c.is_running() && c.uptime_ms(now) >= c.program.startup_ms();
    let local = host
        .as_deref()
        .is_none_or(|h| matches!(h, "localhost" | "127.0.0.1"));
    if !up || !local {
        let at = match &host {
            Some(h) if !local => format!("server at \"{h}\", port 5432"),
            _ => "socket \"/var/run/postgresql/.s.PGSQL.5432\"".to_string(),
        };
        return Some((
            String::new(),
            format!("psql: error: connection to {at} failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n"),
            2,
        ));
    }
    let Some(sql) = command else {
        return Some((
            String::new(),
            "psql: the interactive prompt is not emulated by Swarm Playground yet; run a query with psql -U USER -c 'SQL'\n".into(),
            1,
        ));
    };
    let tables = w.pg_tables(h.m, h.id, &db);
    Some(
        match run_sql(sql.trim().trim_end_matches(';').trim(), &tables, &user) {
            Ok(out) => (out, String::new(), 0),
            Err(e) => (String::new(), e, 1),
        },
    )
}

type Table = (String, Vec<String>, Vec<Vec<String>>);

/// psql's aligned output: centred headers, numbers right-aligned, `(N rows)`.
fn psql_table(
    title: Option<&str>,
    header: &[String],
    rows: &[Vec<String>],
    numeric: &[bool],
) -> String {
    let widths: Vec<usize> = header
        .iter()
        .enumerate()
        .map(|(k, h)| {
            rows.iter()
                .map(|r| r.get(k).map_or(0, |c| c.chars().count()))
                .chain(std::iter::once(h.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let total: usize = widths
        .iter()
        .map(|w| w + 3)
        .sum::<usize>()
        .saturating_sub(1);
    if let Some(t) = title {
        let pad = total.saturating_sub(t.len()) / 2;
        out.push_str(&format!("{}{t}\n", " ".repeat(pad)));
    }
    let cells: Vec<String> = header
        .iter()
        .zip(&widths)
        .map(|(h, w)| {
            let left = (w - h.chars().count()) / 2;
            format!(
                " {}{h}{} ",
                " ".repeat(left),
                " ".repeat(w - h.chars().count() - left)
            )
        })
        .collect();
    // psql pads the header's last cell, not the rows'.
    out.push_str(&cells.join("|"));
    out.push('\n');
    let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
    out.push_str(&dashes.join("+"));
    out.push('\n');
    for r in rows {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let v = r.get(k).map(String::as_str).unwrap_or("");
                if numeric.get(k).copied().unwrap_or(false) {
                    format!(" {v:>w$} ")
                } else {
                    format!(" {v:<w$} ")
                }
            })
            .collect();
        out.push_str(cells.join("|").trim_end());
        out.push('\n');
    }
    let n = rows.len();
    out.push_str(&format!(
        "({n} {})\n\n",
        if n == 1 { "row" } else { "rows" }
    ));
    out
}

fn run_sql(sql: &str, tables: &[Table], user: &str) -> Result<String, String> {
    let not_emulated = || {
        Err(format!(
            "psql: this query is not emulated by Swarm Playground yet (SELECT columns, COUNT(*), GROUP BY and \\dt are): {sql}\n"
        ))
    };
    if sql == "\\dt" {
        if tables.is_empty() {
            return Ok("Did not find any relations.\n".into());
        }
        let rows: Vec<Vec<String>> = tables
            .iter()
            .map(|(n, _, _)| vec!["public".into(), n.clone(), "table".into(), user.to_string()])
            .collect();
        let header: Vec<String> = ["Schema", "Name", "Type", "Owner"]
            .map(String::from)
            .to_vec();
        return Ok(psql_table(Some("List of relations"), &header, &rows, &[]));
    }
    let lower = sql.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("select ") else {
        return not_emulated();
    };
    let Some(from) = rest.find(" from ") else {
        let v = rest.trim();
        if v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() {
            return Ok(psql_table(
                None,
                &["?column?".to_string()],
                &[vec![v.to_string()]],
                &[true],
            ));
        }
        return not_emulated();
    };
    let select = &sql["select ".len().."select ".len() + from];
    let after = &sql["select ".len() + from + " from ".len()..];
    let mut words = after.split_whitespace();
    let table_name = words.next().unwrap_or_default().trim_matches('"');
    let tail: Vec<&str> = words.collect();
    let Some((tname, columns, rows)) = tables
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(table_name))
    else {
        let at = lower.find(&table_name.to_ascii_lowercase()).unwrap_or(0);
        return Err(format!(
            "ERROR:  relation \"{}\" does not exist\nLINE 1: {sql}\n{}^\n",
            table_name.to_ascii_lowercase(),
            " ".repeat("LINE 1: ".len() + at)
        ));
    };
    let _ = tname;
    let col_index = |c: &str| {
        let c = c.trim().trim_matches('"');
        columns.iter().position(|x| x.eq_ignore_ascii_case(c))
    };
    // WHERE col = 'value'
    let mut rows: Vec<Vec<String>> = rows.clone();
    let tail_l: Vec<String> = tail.iter().map(|t| t.to_ascii_lowercase()).collect();
    let mut group: Option<usize> = None;
    let mut k = 0;
    while k < tail.len() {
        match tail_l[k].as_str() {
            "where" if k + 3 <= tail.len() && tail[k + 2] == "=" => {
                let Some(ci) = col_index(tail[k + 1]) else {
                    return not_emulated();
                };
                let v = tail[k + 3..].join(" ");
                let v = v.trim_matches('\'');
                rows.retain(|r| r.get(ci).is_some_and(|x| x == v));
                k = tail.len();
            }
            "group" if tail_l.get(k + 1).map(String::as_str) == Some("by") => {
                let Some(ci) = tail.get(k + 2).and_then(|c| col_index(c)) else {
                    return not_emulated();
                };
                group = Some(ci);
                k += 3;
            }
            _ => return not_emulated(),
        }
    }
    // The select list: `*`, columns, COUNT(…) [AS name].
    let mut header = Vec::new();
    let mut picks: Vec<Option<usize>> = Vec::new();
    for item in select.split(',') {
        let item = item.trim();
        let (expr, alias) = match item.to_ascii_lowercase().find(" as ") {
            Some(i) => (
                item[..i].trim(),
                Some(item[i + 4..].trim().trim_matches('"')),
            ),
            None => (item, None),
        };
        if expr == "*" {
            header.extend(columns.iter().cloned());
            picks.extend((0..columns.len()).map(Some));
        } else if expr.to_ascii_lowercase().starts_with("count(") {
            header.push(alias.unwrap_or("count").to_string());
            picks.push(None);
        } else if let Some(ci) = col_index(expr) {
            header.push(alias.map_or_else(|| columns[ci].to_ascii_lowercase(), str::to_string));
            picks.push(Some(ci));
        } else {
            return not_emulated();
        }
    }
    let numeric: Vec<bool> = picks.iter().map(Option::is_none).collect();
    let out_rows: Vec<Vec<String>> = match group {
        Some(g) => {
            let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
            for r in &rows {
                *counts
                    .entry(r.get(g).cloned().unwrap_or_default())
                    .or_default() += 1;
            }
            counts
                .into_iter()
                .map(|(key, n)| {
                    picks
                        .iter()
                        .map(|p| match p {
                            None => n.to_string(),
                            Some(ci) if *ci == g => key.clone(),
                            Some(_) => String::new(),
                        })
                        .collect()
                })
                .collect()
        }
        None if picks.iter().any(Option::is_none) => {
            if picks.iter().any(Option::is_some) {
                return Err(format!(
                    "ERROR:  column \"{}\" must appear in the GROUP BY clause or be used in an aggregate function\n",
                    header.first().cloned().unwrap_or_default()
                ));
            }
            vec![picks.iter().map(|_| rows.len().to_string()).collect()]
        }
        None => rows
            .iter()
            .map(|r| {
                picks
                    .iter()
                    .map(|p| p.and_then(|ci| r.get(ci).cloned()).unwrap_or_default())
                    .collect()
            })
            .collect(),
    };
    Ok(psql_table(None, &header, &out_rows, &numeric))
}

pub(crate) fn redis_cli(w: &mut World, h: &Here, argv: &[String]) -> Option<Outcome> {
    let name = argv.first()?;
    if name.rsplit('/').next() != Some("redis-cli") {
        return None;
    }
    let image = w.container(h.m, h.id)?.config.image.clone();
    let repo = image.rsplit('/').next().unwrap_or(&image);
    if !repo.starts_with("redis") {
        return None;
    }
    let a = RedisCliArgs::parse(argv, h.tty);
    redis_cli_request(w, h, &a, &a.words)
}

/// redis-cli's command line: `-h HOST`, `-p PORT`, `--raw`/`--no-raw`, then the command.
pub(crate) struct RedisCliArgs {
    pub host: String,
    pub port: String,
    pub raw: bool,
    pub words: Vec<String>,
}

impl RedisCliArgs {
    /// Reads redis-cli's arguments (`tty`: its output is a terminal, so replies are typed).
    pub(crate) fn parse(argv: &[String], tty: bool) -> RedisCliArgs {
        let mut a = RedisCliArgs {
            host: "127.0.0.1".to_string(),
            port: "6379".to_string(),
            raw: !tty,
            words: Vec::new(),
        };
        let mut i = 1;
        while i < argv.len() {
            let x = &argv[i];
            if !a.words.is_empty() {
                a.words.push(x.clone());
            } else if x == "-h" || x == "-p" || x == "-n" || x == "-a" {
                let v = argv.get(i + 1).cloned().unwrap_or_default();
                match x.as_str() {
                    "-h" => a.host = v,
                    "-p" => a.port = v,
                    _ => {}
                }
                i += 1;
            } else if x == "--raw" {
                a.raw = true;
            } else if x == "--no-raw" {
                a.raw = false;
            } else {
                a.words.push(x.clone());
            }
            i += 1;
        }
        a
    }
}

/// One redis-cli request (`words`; none: a connection check) to the server `a` names, as
/// container `h` reaches it: redis-cli's output, error and status.
pub(crate) fn redis_cli_request(
    w: &mut World,
    h: &Here,
    a: &RedisCliArgs,
    words: &[String],
) -> Option<Outcome> {
    let (host, port) = (&a.host, &a.port);
    let local = matches!(host.as_str(), "127.0.0.1" | "localhost");
    let fail = |why: &str| {
        let text = format!("Could not connect to Redis at {host}:{port}: {why}\n");
        Some((String::new(), text, 1))
    };
    let refused = || fail("Connection refused");
    if local && (port != "6379" || !w.redis_running(h.m, h.id)) {
        return refused();
    }
    let reply = if local {
        if words.is_empty() {
            return Some((String::new(), String::new(), 0));
        }
        w.redis_command(h.m, h.id, words)?
    } else {
        // Another container's server, through this container's networks.
        let Ok(p) = port.parse::<u16>() else {
            return refused();
        };
        use swarm_core::apps::ConnectError;
        let ping = ["ping".to_string()];
        let asked = if words.is_empty() { &ping[..] } else { words };
        let args: Vec<&str> = asked.iter().map(String::as_str).collect();
        match w.app_redis(h.m, h.id, host, p, &args) {
            Ok(_) if words.is_empty() => return Some((String::new(), String::new(), 0)),
            Ok(reply) => reply,
            Err(ConnectError::NameNotFound) if h.busybox => return fail("Name does not resolve"),
            Err(ConnectError::NameNotFound) => return fail("Name or service not known"),
            Err(ConnectError::Unreachable) => return fail("Connection timed out"),
            Err(ConnectError::Refused) => return refused(),
        }
    };
    Some((format_redis_reply(&reply, a.raw), String::new(), 0))
}

/// A reply as redis-cli prints it: typed and quoted on a terminal (`(integer) 1`, `"v"`,
/// nested arrays indented), raw otherwise; INFO's text as it is.
pub(crate) fn format_redis_reply(reply: &swarm_core::appdata::RedisReply, raw: bool) -> String {
    use swarm_core::appdata::RedisReply;
    match (reply, raw) {
        (RedisReply::Verbatim(v), _) => v.clone(),
        (r, true) => format!("{}\n", redis_raw(r)),
        (RedisReply::Array(v), false) if v.is_empty() => "(empty array)\n".into(),
        (RedisReply::Array(v), false) => {
            let width = v.len().to_string().len();
            v.iter()
                .enumerate()
                .map(|(i, x)| format!("{:>width$}) {}\n", i + 1, redis_quote(x)))
                .collect()
        }
        (r, false) => redis_tty(r, ""),
    }
}

fn redis_quote(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// redis-cli's `cliFormatReplyTTY`.
fn redis_tty(r: &swarm_core::appdata::RedisReply, prefix: &str) -> String {
    use swarm_core::appdata::RedisReply;
    match r {
        RedisReply::Status(s) => format!("{s}\n"),
        RedisReply::Error(e) => format!("(error) {e}\n"),
        RedisReply::Int(n) => format!("(integer) {n}\n"),
        RedisReply::Bulk(Some(v)) => format!("{}\n", redis_quote(v)),
        RedisReply::Bulk(None) => "(nil)\n".into(),
        RedisReply::Verbatim(v) => v.clone(),
        RedisReply::Array(v) => redis_tty(
            &RedisReply::Nested(
                v.iter()
                    .map(|x| RedisReply::Bulk(Some(x.clone())))
                    .collect(),
            ),
            prefix,
        ),
        RedisReply::Nested(v) if v.is_empty() => "(empty array)\n".into(),
        RedisReply::Nested(v) => {
            let idxlen = v.len().to_string().len();
            let inner = format!("{prefix}{}", " ".repeat(idxlen + 2));
            let mut out = String::new();
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    out.push_str(prefix);
                }
                out.push_str(&format!("{:>idxlen$}) ", i + 1));
                out.push_str(&redis_tty(x, &inner));
            }
            out
        }
    }
}

/// redis-cli's `cliFormatReplyRaw` (elements on their own lines).
fn redis_raw(r: &swarm_core::appdata::RedisReply) -> String {
    use swarm_core::appdata::RedisReply;
    match r {
        RedisReply::Status(s) | RedisReply::Error(s) | RedisReply::Verbatim(s) => s.clone(),
        RedisReply::Int(n) => n.to_string(),
        RedisReply::Bulk(v) => v.clone().unwrap_or_default(),
        RedisReply::Array(v) => v.join("\n"),
        RedisReply::Nested(v) => v.iter().map(redis_raw).collect::<Vec<_>>().join("\n"),
    }
}

/// The container shell level the terminal is in: (machine, container ID, shell, cwd).
fn shell_level(interp: &Interp) -> Option<(MachineId, String, String, String)> {
    let s = interp.session.borrow();
    let ctx = s.ctx();
    let c = ctx.container.as_ref()?;
    Some((c.machine, c.id.clone(), c.shell.clone(), ctx.cwd.clone()))
}

/// `> FILE` / `>> FILE` typed in a container's shell: the file is created (or truncated) in
/// the container's filesystem now. Errors are ash's (`sh: can't create x: …`) or bash's.
pub(crate) fn open_for_write(
    interp: &Interp,
    target: &str,
    append: bool,
) -> Result<crate::exec::Dest, String> {
    let Some((m, id, shell, cwd)) = shell_level(interp) else {
        return Err(format!(
            "sh: can't create {target}: No such file or directory\n"
        ));
    };
    let path = fs::normalize(&fs::join(&cwd, target));
    let world = interp.world();
    let r = world
        .borrow_mut()
        .container_write(m, &id, &path, b"", append);
    let busybox = world
        .borrow()
        .container(m, &id)
        .is_some_and(|c| swarm_core::container_fs::is_busybox_image(&c.config.image));
    match r {
        Ok(()) => Ok(crate::fsutils::container_sink(interp, m, &id, path)),
        Err(e) if shell == "bash" => Err(format!("bash: {target}: {e}\n")),
        // Debian's sh is dash.
        Err(FsError::NotFound) if !busybox => Err(format!(
            "sh: 1: cannot create {target}: Directory nonexistent\n"
        )),
        Err(e) if !busybox => Err(format!("sh: 1: cannot create {target}: {e}\n")),
        Err(FsError::NotFound) => Err(format!(
            "sh: can't create {target}: nonexistent directory\n"
        )),
        Err(e) => Err(format!("sh: can't create {target}: {e}\n")),
    }
}

/// `< FILE` typed in a container's shell: the file's text.
pub(crate) fn read_for_input(interp: &Interp, target: &str) -> Result<String, String> {
    let Some((m, id, shell, cwd)) = shell_level(interp) else {
        return Err(format!(
            "sh: can't open '{target}': No such file or directory\n"
        ));
    };
    let path = fs::normalize(&fs::join(&cwd, target));
    let r = interp.world().borrow().container_read(m, &id, &path);
    match r {
        Ok(d) => Ok(String::from_utf8_lossy(&d).into_owned()),
        Err(FsError::IsADirectory) => Ok(String::new()),
        Err(e) if shell == "bash" => Err(format!("bash: {target}: {e}\n")),
        Err(e) => Err(format!("sh: can't open '{target}': {e}\n")),
    }
}

/// The script of `sh -c SCRIPT` (also `bash`/`ash`, `/bin/sh`), if `argv` is one.
pub(crate) fn shell_script(argv: &[String]) -> Option<(&'static str, String)> {
    let first = argv.first()?;
    let shell = match first.rsplit('/').next().unwrap_or(first) {
        "sh" | "ash" => "sh",
        "bash" => "bash",
        _ => return None,
    };
    (argv.get(1)? == "-c").then(|| (shell, argv.get(2).cloned().unwrap_or_default()))
}

/// `docker exec C sh -c 'SCRIPT'`: the script runs in the playground's shell inside the
/// container (redirections write the container's files, pipes, `&&`, loops), in a shell level
/// pushed for it and popped after; `exit N` ends only the script.
pub(crate) async fn exec_script(
    interp: &Interp,
    m: MachineId,
    id: &str,
    shell: &str,
    script: &str,
    io: &crate::exec::Io,
) -> i32 {
    let ctx = {
        let world = interp.world();
        let w = world.borrow();
        let Some(c) = w.container(m, id) else {
            return 137;
        };
        let mut ctx = crate::exec::Session::container_login(&w, m, c, shell, false, "/");
        if let Some(shell) = ctx.container.as_mut() {
            shell.tty = false;
        }
        let cwd = cwd_for(interp, &w, m, id);
        ctx.vars.insert("PWD".into(), cwd.clone());
        ctx.cwd = cwd;
        ctx
    };
    let depth = interp.session.borrow().stack.len();
    interp.session.borrow_mut().stack.push(ctx);
    let pending_exit = interp.exiting.take();
    let status = interp.run_source(script, io).await;
    let code = interp.exiting.take();
    interp.exiting.set(pending_exit);
    interp.session.borrow_mut().stack.truncate(depth);
    code.unwrap_or(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes() -> Vec<Table> {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        vec![(
            "votes".into(),
            s(&["id", "vote"]),
            vec![s(&["alice", "a"]), s(&["bob", "b"]), s(&["carol", "b"])],
        )]
    }

    #[test]
    fn sql_forms_and_psql_layout() {
        let t = votes();
        assert_eq!(
            run_sql(
                "SELECT vote, COUNT(id) AS count FROM votes GROUP BY vote",
                &t,
                "postgres"
            ),
            Ok(" vote | count \n------+-------\n a    |     1\n b    |     2\n(2 rows)\n\n".into())
        );
        assert_eq!(
            run_sql(
                "select count(*) from votes where vote = 'b'",
                &t,
                "postgres"
            ),
            Ok(" count \n-------\n     2\n(1 row)\n\n".into())
        );
        assert!(run_sql("select * from nope", &t, "postgres")
            .is_err_and(|e| e.starts_with("ERROR:  relation \"nope\" does not exist")));
        assert!(run_sql("select vote, count(*) from votes", &t, "postgres")
            .is_err_and(|e| e.contains("must appear in the GROUP BY clause")));
    }

    #[test]
    fn odd_sql_never_panics() {
        let t = votes();
        for sql in [
            "",
            "select",
            "select ",
            "select  from votes",
            "select * from",
            "select * from votes where",
            "select * from votes where vote =",
            "select * from votes group by",
            "select * from votes group",
            "SELECT é FROM votes",
            "select count( from votes",
            "select * from \"votes\" where id = 'x y'",
            "select as from votes",
            "\\dt",
            "\\l",
            "select 12345678901234567890",
        ] {
            let _ = run_sql(sql, &t, "postgres");
            let _ = run_sql(sql, &[], "postgres");
        }
    }
}
