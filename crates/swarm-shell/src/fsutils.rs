//! The file commands: `pwd`, `cd`, `ls`, `mkdir`, `cat`, `touch`, `rm`, `rmdir`, `cp`, `mv`,
//! `find`, and the other builtins that need the machine's filesystem or the session
//! (`env`, `alias`, `unalias`, `date`, `uptime`, `source`, `sh FILE`, the editor stub).
//!
//! Each works on the filesystem of the machine the shell level runs on
//! ([`swarm_core::fs::Fs`]), with the texts and exit statuses of GNU coreutils 9 and bash 5.
//!
//! **The editor hook.** `nano FILE`, `vi FILE` and `vim FILE` cannot edit in a terminal
//! without a screen. In `swarmsh` (and any driver that has not said otherwise) they print a
//! message that editing needs the page and exit 1. A driver with an editor panel calls
//! [`Terminal::set_editor_available`](crate::Terminal::set_editor_available)`(true)`; then the
//! command exits 0 and leaves a request that [`Terminal::take_edit_request`] returns once:
//! `(absolute path, current content)` (empty for a new file). The panel saves with
//! [`Terminal::save_file`], which writes through the same filesystem (and its limits).

use std::rc::Rc;
use swarm_core::time::{abbr, MONTH_NAMES, WEEKDAY_NAMES};

use swarm_core::fs::{self, FsError, Kind, Metadata};
use swarm_core::{MachineId, SimTime, World};

use crate::exec::{Dest, Interp, Io, LocalFuture};
use crate::terminal::Terminal;

/// The machine the current shell level runs on, and its working directory.
fn here(interp: &Interp) -> (MachineId, String) {
    let s = interp.session.borrow();
    (s.machine(), s.ctx().cwd.clone())
}

/// `name` made absolute against the shell's working directory.
pub(crate) fn abs_path(interp: &Interp, name: &str) -> String {
    let (_, cwd) = here(interp);
    fs::join(&cwd, name)
}

/// Runs `f` on the current machine's filesystem (read-only).
fn with_fs<T>(interp: &Interp, f: impl FnOnce(&fs::Fs) -> T) -> Option<T> {
    let (m, _) = here(interp);
    let world = interp.world();
    let w = world.borrow();
    w.machine(m).map(|mc| f(&mc.fs))
}

/// Runs `f` on the current machine's filesystem with the simulated time.
fn with_fs_mut<T>(
    interp: &Interp,
    f: impl FnOnce(&mut fs::Fs, SimTime) -> Result<T, FsError>,
) -> Result<T, FsError> {
    let (m, _) = here(interp);
    let world = interp.world();
    let mut w = world.borrow_mut();
    let now = w.now();
    match w.fs_mut(m) {
        Some(fs) => f(fs, now),
        None => Err(FsError::NotFound),
    }
}

/// Writes (or appends to) a file for a command (`tee`, `sed -i` …); `Err` is the
/// `strerror` text.
pub(crate) fn write_file(
    interp: &Interp,
    name: &str,
    data: &str,
    append: bool,
) -> Result<(), String> {
    if name == "/dev/null" {
        return Ok(());
    }
    let p = abs_path(interp, name);
    with_fs_mut(interp, |fs, now| fs.write(&p, data.as_bytes(), append, now))
        .map_err(|e| e.to_string())
}

/// Makes a just-written file list at `size` bytes (a large download holding a marker).
pub(crate) fn declare_size(interp: &Interp, name: &str, size: u64) -> Result<(), FsError> {
    let p = abs_path(interp, name);
    with_fs_mut(interp, |fs, _| fs.set_apparent_size(&p, size))
}

/// The names in a directory of the machine, `None` if it is not one.
pub(crate) fn list_dir(interp: &Interp, name: &str) -> Option<Vec<String>> {
    let p = abs_path(interp, name);
    with_fs(interp, |fs| fs.list(&p).ok())
        .flatten()
        .map(|l| l.into_iter().map(|(n, _)| n).collect())
}

/// Sets a file's permission bits (an installed program's 755).
pub(crate) fn set_mode(interp: &Interp, name: &str, mode: u32) -> Result<(), FsError> {
    let p = abs_path(interp, name);
    with_fs_mut(interp, |fs, _| fs.set_mode(&p, mode))
}

/// `mkdir -p` for a command that needs a directory (`docker login`'s `~/.docker`).
pub(crate) fn mkdir_p(interp: &Interp, name: &str) -> Result<(), FsError> {
    let p = abs_path(interp, name);
    with_fs_mut(interp, |fs, now| fs.mkdir(&p, true, now))
}

/// The text of a file for a command that reads it (`cat`, `grep FILE`, `source`, `< FILE`;
/// also for `head FILE`, `wc FILE` …). `-` is not special here.
pub(crate) fn read_file(interp: &Interp, name: &str) -> Result<String, FsError> {
    match name {
        "/dev/null" => return Ok(String::new()),
        "" => return Err(FsError::NotFound),
        _ => {}
    }
    let p = abs_path(interp, name);
    // In a container's shell: the container's files (its layer, volumes, binds).
    let in_container = interp
        .session
        .borrow()
        .ctx()
        .container
        .as_ref()
        .map(|c| (c.machine, c.id.clone()));
    if let Some((m, id)) = in_container {
        let p = fs::normalize(&p);
        let r = interp.world().borrow().container_read(m, &id, &p);
        return r.map(|d| String::from_utf8_lossy(&d).into_owned());
    }
    with_fs(interp, |fs| fs.read_to_string(&p)).unwrap_or(Err(FsError::NotFound))
}

/// Removes directory `name` if it is empty (`rmdir`).
pub(crate) fn remove_empty_dir(interp: &Interp, name: &str) -> Result<(), FsError> {
    let p = abs_path(interp, name);
    with_fs_mut(interp, |fs, now| fs.rmdir(&p, now))
}

/// The entries of directory `name` (relative to the working directory), if it is one.
pub(crate) fn list(interp: &Interp, name: &str) -> Option<Vec<String>> {
    let p = abs_path(interp, name);
    with_fs(interp, |fs| fs.list(&p).ok())
        .flatten()
        .map(|l| l.into_iter().map(|(n, _)| n).collect())
}

/// Metadata of `name` (relative to the working directory).
pub(crate) fn stat(interp: &Interp, name: &str) -> Result<Metadata, FsError> {
    if name.is_empty() {
        return Err(FsError::NotFound);
    }
    let p = abs_path(interp, name);
    with_fs(interp, |fs| fs.stat(&p)).unwrap_or(Err(FsError::NotFound))
}

/// `test -e/-f/-d/-s/-r/-w/-x PATH` on the filesystem.
pub(crate) fn file_test(interp: &Interp, op: &str, name: &str) -> bool {
    if matches!(
        name,
        "/dev/null" | "/dev/stdin" | "/dev/stdout" | "/dev/stderr"
    ) {
        return matches!(op, "-e" | "-r" | "-w" | "-c");
    }
    let Ok(m) = stat(interp, name) else {
        return false;
    };
    match op {
        "-e" | "-a" | "-r" | "-w" => true,
        "-f" => m.is_file(),
        "-d" => m.is_dir(),
        "-s" => m.is_file() && m.size > 0 || m.is_dir(),
        "-x" => m.is_dir() || m.mode & 0o111 != 0,
        "-h" | "-L" | "-p" | "-S" | "-b" | "-c" => false,
        _ => false,
    }
}

/// A file that `>`/`>>` redirect into: opened (created or truncated) now; what the command
/// writes is appended as it comes. A write while the world is borrowed (a command printing
/// in the middle of a world operation) waits in `pending` until the next write or the end of
/// the command.
pub(crate) struct FileSink {
    world: Rc<std::cell::RefCell<World>>,
    machine: MachineId,
    path: String,
    pending: std::cell::RefCell<String>,
    error: std::cell::Cell<Option<FsError>>,
    /// The container whose filesystem the file is in (a redirection in its shell), if any.
    container: Option<String>,
}

impl FileSink {
    pub(crate) fn write(&self, s: &str) {
        self.pending.borrow_mut().push_str(s);
        self.flush();
    }

    /// Writes what is pending, if the world can be borrowed.
    pub(crate) fn flush(&self) {
        if self.pending.borrow().is_empty() || self.error.get().is_some() {
            return;
        }
        let Ok(mut w) = self.world.try_borrow_mut() else {
            return;
        };
        let now = w.now();
        let data = std::mem::take(&mut *self.pending.borrow_mut());
        if let Some(cid) = &self.container {
            if let Err(e) = w.container_write(self.machine, cid, &self.path, data.as_bytes(), true)
            {
                self.error.set(Some(e));
            }
            return;
        }
        if let Some(fs) = w.fs_mut(self.machine) {
            if let Err(e) = fs.write(&self.path, data.as_bytes(), true, now) {
                self.error.set(Some(e));
            }
        }
    }

    /// The first write error (`No space left on device`), once.
    pub(crate) fn take_error(&self) -> Option<FsError> {
        self.error.take()
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        self.flush();
    }
}

/// A redirection into file `path` (absolute) of container `id` on `machine`, already
/// created or truncated.
pub(crate) fn container_sink(interp: &Interp, machine: MachineId, id: &str, path: String) -> Dest {
    Dest::File(Rc::new(FileSink {
        world: interp.world(),
        machine,
        path,
        pending: Default::default(),
        error: Default::default(),
        container: Some(id.to_string()),
    }))
}

/// Opens `target` for `>` (`append` for `>>`): the file is created or truncated now.
/// Errors are bash's (`bash: x/y: No such file or directory`).
pub(crate) fn open_for_write(interp: &Interp, target: &str, append: bool) -> Result<Dest, String> {
    let p = abs_path(interp, target);
    let r = with_fs_mut(interp, |fs, now| fs.write(&p, b"", append, now));
    match r {
        Ok(()) => {
            let (machine, _) = here(interp);
            Ok(Dest::File(Rc::new(FileSink {
                world: interp.world(),
                machine,
                path: p,
                pending: Default::default(),
                error: Default::default(),
                container: None,
            })))
        }
        Err(e) => Err(format!("bash: {target}: {e}\n")),
    }
}

/// Quotes a name as coreutils does in messages: `'x'`, or `"it's"` with a single quote.
fn q(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

/// Splits `args` into single-letter flags (in `known`) and operands; `--` ends options.
/// Returns the unknown flag on error, with coreutils' message.
fn parse_flags(cmd: &str, args: &[String], known: &str) -> Result<(String, Vec<String>), String> {
    let mut flags = String::new();
    let mut ops = Vec::new();
    let mut done = false;
    for a in args {
        if done || a == "-" || !a.starts_with('-') {
            ops.push(a.clone());
        } else if a == "--" {
            done = true;
        } else if let Some(long) = a.strip_prefix("--") {
            let short = match (cmd, long) {
                ("ls", "recursive") => 'R',
                ("ls", "reverse") => 'r',
                (_, "recursive") => 'r',
                (_, "force") => 'f',
                (_, "parents") => 'p',
                (_, "all") => 'a',
                (_, "almost-all") => 'A',
                (_, "directory") => 'd',
                (_, "verbose") => 'v',
                (_, "human-readable") => 'h',
                (_, "number") => 'n',
                _ => {
                    return Err(format!(
                    "{cmd}: unrecognized option '{a}'\nTry '{cmd} --help' for more information.\n"
                ))
                }
            };
            if !known.contains(short) {
                return Err(format!(
                    "{cmd}: unrecognized option '{a}'\nTry '{cmd} --help' for more information.\n"
                ));
            }
            flags.push(short);
        } else {
            for c in a[1..].chars() {
                if !known.contains(c) {
                    return Err(format!(
                        "{cmd}: invalid option -- '{c}'\nTry '{cmd} --help' for more information.\n"
                    ));
                }
                flags.push(c);
            }
        }
    }
    Ok((flags, ops))
}

pub(crate) fn pwd(interp: &Interp, io: &Io) -> i32 {
    let (_, cwd) = here(interp);
    io.out.write(&format!("{cwd}\n"));
    0
}

pub(crate) fn cd(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let args: Vec<&String> = args.iter().filter(|a| *a != "-L" && *a != "-P").collect();
    if args.len() > 1 {
        io.err.write("bash: cd: too many arguments\n");
        return 1;
    }
    let (target, print) = match args.first().map(|s| s.as_str()) {
        None => match interp.get_var("HOME") {
            Some(h) => (h, false),
            None => {
                io.err.write("bash: cd: HOME not set\n");
                return 1;
            }
        },
        Some("-") => match interp.get_var("OLDPWD") {
            Some(o) if !o.is_empty() => (o, true),
            _ => {
                io.err.write("bash: cd: OLDPWD not set\n");
                return 1;
            }
        },
        Some("") => return 0,
        Some(d) => (d.to_string(), false),
    };
    let joined = abs_path(interp, &target);
    match with_fs(interp, |fs| fs.stat(&joined)).unwrap_or(Err(FsError::NotFound)) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            io.err
                .write(&format!("bash: cd: {target}: {}\n", FsError::NotADirectory));
            return 1;
        }
        Err(e) => {
            io.err.write(&format!("bash: cd: {target}: {e}\n"));
            return 1;
        }
    }
    let new = fs::normalize(&joined);
    let (_, old) = here(interp);
    {
        let mut s = interp.session.borrow_mut();
        let ctx = s.ctx_mut();
        ctx.cwd = new.clone();
        ctx.vars.insert("OLDPWD".into(), old);
        ctx.vars.insert("PWD".into(), new.clone());
    }
    if print {
        io.out.write(&format!("{new}\n"));
    }
    0
}

pub(crate) fn mkdir(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let (flags, ops) = match parse_flags("mkdir", args, "pv") {
        Ok(x) => x,
        Err(e) => {
            io.err.write(&e);
            return 1;
        }
    };
    if ops.is_empty() {
        io.err
            .write("mkdir: missing operand\nTry 'mkdir --help' for more information.\n");
        return 1;
    }
    let parents = flags.contains('p');
    let verbose = flags.contains('v');
    let mut status = 0;
    for d in &ops {
        let result = if parents {
            // Component by component, naming the one that failed, as coreutils does.
            let comps: Vec<&str> = d.split('/').filter(|c| !c.is_empty()).collect();
            let mut shown = if d.starts_with('/') {
                String::from("/")
            } else {
                String::new()
            };
            let mut r = Ok(());
            for (i, c) in comps.iter().enumerate() {
                if !shown.is_empty() && !shown.ends_with('/') {
                    shown.push('/');
                }
                shown.push_str(c);
                let p = abs_path(interp, &shown);
                let st = with_fs(interp, |fs| fs.stat(&p)).unwrap_or(Err(FsError::NotFound));
                let step = match st {
                    Ok(m) if m.is_dir() => Ok(()),
                    Ok(_) if i + 1 == comps.len() => Err(FsError::Exists),
                    Ok(_) => Err(FsError::NotADirectory),
                    Err(FsError::NotFound) if *c != "." && *c != ".." => {
                        let made = with_fs_mut(interp, |fs, now| fs.mkdir(&p, false, now));
                        if made.is_ok() && verbose {
                            io.out
                                .write(&format!("mkdir: created directory '{shown}'\n"));
                        }
                        made
                    }
                    Err(e) => Err(e),
                };
                if let Err(e) = step {
                    r = Err((shown.clone(), e));
                    break;
                }
            }
            r
        } else {
            let p = abs_path(interp, d);
            let made = with_fs_mut(interp, |fs, now| fs.mkdir(&p, false, now));
            if made.is_ok() && verbose {
                io.out.write(&format!("mkdir: created directory '{d}'\n"));
            }
            made.map_err(|e| (d.clone(), e))
        };
        if let Err((name, e)) = result {
            io.err
                .write(&format!("mkdir: cannot create directory ‘{name}’: {e}\n"));
            status = 1;
        }
    }
    status
}

pub(crate) fn rmdir(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let (_, ops) = match parse_flags("rmdir", args, "pv") {
        Ok(x) => x,
        Err(e) => {
            io.err.write(&e);
            return 1;
        }
    };
    if ops.is_empty() {
        io.err
            .write("rmdir: missing operand\nTry 'rmdir --help' for more information.\n");
        return 1;
    }
    let mut status = 0;
    for d in &ops {
        let p = abs_path(interp, d);
        if let Err(e) = with_fs_mut(interp, |fs, now| fs.rmdir(&p, now)) {
            io.err
                .write(&format!("rmdir: failed to remove {}: {e}\n", q(d)));
            status = 1;
        }
    }
    status
}

pub(crate) fn cat(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let (flags, mut ops) = match parse_flags("cat", args, "nAEsTuvbe") {
        Ok(x) => x,
        Err(e) => {
            io.err.write(&e);
            return 1;
        }
    };
    if ops.is_empty() {
        ops.push("-".into());
    }
    let number = flags.contains('n');
    let mut status = 0;
    let mut out = String::new();
    for a in &ops {
        let text = if a == "-" {
            Ok(io.stdin.to_string())
        } else {
            read_file(interp, a)
        };
        match text {
            Ok(t) => out.push_str(&t),
            Err(e) => {
                if !out.is_empty() {
                    io.out
                        .write(&number_lines(&std::mem::take(&mut out), number));
                }
                io.err.write(&format!("cat: {a}: {e}\n"));
                status = 1;
            }
        }
    }
    io.out.write(&number_lines(&out, number));
    status
}

fn number_lines(text: &str, number: bool) -> String {
    if !number {
        return text.to_string();
    }
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| format!("{:>6}\t{l}", i + 1))
        .collect()
}

pub(crate) fn touch(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let (_, ops) = match parse_flags("touch", args, "acm") {
        Ok(x) => x,
        Err(e) => {
            io.err.write(&e);
            return 1;
        }
    };
    if ops.is_empty() {
        io.err
            .write("touch: missing file operand\nTry 'touch --help' for more information.\n");
        return 1;
    }
    let mut status = 0;
    for f in &ops {
        let p = abs_path(interp, f);
        if let Err(e) = with_fs_mut(interp, |fs, now| fs.touch(&p, now)) {
            io.err
                .write(&format!("touch: cannot touch {}: {e}\n", q(f)));
            status = 1;
        }
    }
    status
}

pub(crate) fn rm(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let (flags, ops) = match parse_flags("rm", args, "rRfidv") {
        Ok(x) => x,
        Err(e) => {
            io.err.write(&e);
            return 1;
        }
    };
    let force = flags.contains('f');
    let recursive = flags.contains('r') || flags.contains('R');
    let dir_ok = flags.contains('d');
    if ops.is_empty() {
        if force {
            return 0;
        }
        io.err
            .write("rm: missing operand\nTry 'rm --help' for more information.\n");
        return 1;
    }
    let mut status = 0;
    for f in &ops {
        let p = abs_path(interp, f);
        let base = f.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if recursive && (base == "." || base == "..") {
            io.err.write(&format!(
                "rm: refusing to remove '.' or '..' directory: skipping {}\n",
                q(f)
            ));
            status = 1;
            continue;
        }
        let st = with_fs(interp, |fs| fs.stat(&p)).unwrap_or(Err(FsError::NotFound));
        match st {
            Err(FsError::NotFound) if force => continue,
            Err(e) => {
                io.err.write(&format!("rm: cannot remove {}: {e}\n", q(f)));
                status = 1;
                continue;
            }
            Ok(m) if m.is_dir() && recursive && fs::normalize(&p) == "/" => {
                io.err.write("rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n");
                status = 1;
                continue;
            }
            Ok(m) if m.is_dir() && !recursive => {
                let r = if dir_ok {
                    with_fs_mut(interp, |fs, now| fs.rmdir(&p, now))
                } else {
                    Err(FsError::IsADirectory)
                };
                if let Err(e) = r {
                    io.err.write(&format!("rm: cannot remove {}: {e}\n", q(f)));
                    status = 1;
                }
                continue;
            }
            Ok(_) => {}
        }
        if let Err(e) = with_fs_mut(interp, |fs, now| fs.remove(&p, true, now)) {
            io.err.write(&format!("rm: cannot remove {}: {e}\n", q(f)));
            status = 1;
        }
    }
    status
}

/// `cp` and `mv`: sources and a destination (a directory when there are several sources).
pub(crate) fn cp_mv(interp: &Interp, cmd: &str, args: &[String], io: &Io) -> i32 {
    let known = if cmd == "cp" { "rRapfivnT" } else { "fivnT" };
    let (flags, mut ops) = match parse_flags(cmd, args, known) {
        Ok(x) => x,
        Err(e) => {
            io.err.write(&e);
            return 1;
        }
    };
    let recursive =
        cmd == "mv" || flags.contains('r') || flags.contains('R') || flags.contains('a');
    if ops.is_empty() {
        io.err.write(&format!(
            "{cmd}: missing file operand\nTry '{cmd} --help' for more information.\n"
        ));
        return 1;
    }
    if ops.len() == 1 {
        io.err.write(&format!(
            "{cmd}: missing destination file operand after {}\nTry '{cmd} --help' for more information.\n",
            q(&ops[0])
        ));
        return 1;
    }
    let dest = ops.pop().unwrap_or_default();
    let dest_abs = abs_path(interp, &dest);
    let dest_meta = with_fs(interp, |fs| fs.stat(&dest_abs)).unwrap_or(Err(FsError::NotFound));
    let into_dir = matches!(dest_meta, Ok(m) if m.is_dir());
    if ops.len() > 1 && !into_dir {
        let e = match dest_meta {
            Ok(_) => FsError::NotADirectory,
            Err(e) => e,
        };
        io.err.write(&format!("{cmd}: target {}: {e}\n", q(&dest)));
        return 1;
    }
    let mut status = 0;
    for src in &ops {
        let src_abs = abs_path(interp, src);
        let sm = match with_fs(interp, |fs| fs.stat(&src_abs)).unwrap_or(Err(FsError::NotFound)) {
            Ok(m) => m,
            Err(e) => {
                io.err
                    .write(&format!("{cmd}: cannot stat {}: {e}\n", q(src)));
                status = 1;
                continue;
            }
        };
        if sm.is_dir() && !recursive {
            io.err.write(&format!(
                "cp: -r not specified; omitting directory {}\n",
                q(src)
            ));
            status = 1;
            continue;
        }
        let base = fs::file_name(&fs::normalize(&src_abs)).to_string();
        let (target, shown) = if into_dir {
            let shown = if dest.ends_with('/') {
                format!("{dest}{base}")
            } else {
                format!("{dest}/{base}")
            };
            (fs::join(&dest_abs, &base), shown)
        } else {
            (dest_abs.clone(), dest.clone())
        };
        let (sn, tn) = (fs::normalize(&src_abs), fs::normalize(&target));
        if sn == tn {
            io.err.write(&format!(
                "{cmd}: {} and {} are the same file\n",
                q(src),
                q(&shown)
            ));
            status = 1;
            continue;
        }
        if sm.is_dir() && tn.starts_with(&format!("{}/", sn.trim_end_matches('/'))) {
            if cmd == "cp" {
                io.err.write(&format!(
                    "cp: cannot copy a directory, {}, into itself, {}\n",
                    q(src),
                    q(&shown)
                ));
            } else {
                io.err.write(&format!(
                    "mv: cannot move {} to a subdirectory of itself, {}\n",
                    q(src),
                    q(&shown)
                ));
            }
            status = 1;
            continue;
        }
        let tm = with_fs(interp, |fs| fs.stat(&target)).unwrap_or(Err(FsError::NotFound));
        match tm {
            Ok(t) if t.is_file() && sm.is_dir() => {
                io.err.write(&format!(
                    "{cmd}: cannot overwrite non-directory {} with directory {}\n",
                    q(&shown),
                    q(src)
                ));
                status = 1;
                continue;
            }
            Ok(t) if t.is_dir() && sm.is_file() => {
                io.err.write(&format!(
                    "{cmd}: cannot overwrite directory {} with non-directory\n",
                    q(&shown)
                ));
                status = 1;
                continue;
            }
            _ => {}
        }
        let r = if cmd == "cp" {
            with_fs_mut(interp, |fs, now| fs.copy(&src_abs, &target, now))
        } else {
            with_fs_mut(interp, |fs, now| fs.rename(&src_abs, &target, now))
        };
        if let Err(e) = r {
            let what = if cmd == "mv" {
                format!("mv: cannot move {} to {}", q(src), q(&shown))
            } else if sm.is_dir() {
                format!("cp: cannot create directory {}", q(&shown))
            } else {
                format!("cp: cannot create regular file {}", q(&shown))
            };
            io.err.write(&format!("{what}: {e}\n"));
            status = 1;
        }
    }
    status
}

/// `find [PATH…] [-name P] [-iname P] [-type f|d] [-maxdepth N] [-mindepth N] [-print]`.
pub(crate) fn find(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut paths = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a.starts_with('-') && a.len() > 1 || a == "!" || a == "(" {
            break;
        }
        paths.push(a.clone());
        i += 1;
    }
    if paths.is_empty() {
        paths.push(".".into());
    }
    struct Test {
        name: Option<(String, bool)>,
        kind: Option<Kind>,
        max: Option<usize>,
        min: usize,
    }
    let mut t = Test {
        name: None,
        kind: None,
        max: None,
        min: 0,
    };
    while let Some(a) = args.get(i) {
        i += 1;
        let mut value = || {
            let v = args.get(i).cloned();
            i += 1;
            v
        };
        match a.as_str() {
            "-name" | "-iname" => match value() {
                Some(v) => t.name = Some((v, a == "-iname")),
                None => {
                    io.err.write(&format!("find: missing argument to `{a}'\n"));
                    return 1;
                }
            },
            "-type" => match value().as_deref() {
                Some("f") => t.kind = Some(Kind::File),
                Some("d") => t.kind = Some(Kind::Dir),
                Some(other) => {
                    io.err
                        .write(&format!("find: Unknown argument to -type: {other}\n"));
                    return 1;
                }
                None => {
                    io.err.write("find: missing argument to `-type'\n");
                    return 1;
                }
            },
            "-maxdepth" | "-mindepth" => {
                let v = value();
                match v.as_deref().and_then(|v| v.parse::<usize>().ok()) {
                    Some(n) if a == "-maxdepth" => t.max = Some(n),
                    Some(n) => t.min = n,
                    None => {
                        io.err.write(&format!(
                            "find: Expected a positive decimal integer argument to {a}, but got ‘{}’\n",
                            v.unwrap_or_default()
                        ));
                        return 1;
                    }
                }
            }
            "-print" => {}
            other => {
                io.err
                    .write(&format!("find: unknown predicate `{other}'\n"));
                return 1;
            }
        }
    }
    let mut status = 0;
    let mut out = String::new();
    for p in &paths {
        let start = abs_path(interp, p);
        let walked = with_fs(interp, |fs| {
            fs.resolve(&start).and_then(|n| fs.walk(&n).map(|w| (n, w)))
        })
        .unwrap_or(Err(FsError::NotFound));
        let (root, entries) = match walked {
            Ok(x) => x,
            Err(e) => {
                io.err.write(&format!("find: ‘{p}’: {e}\n"));
                status = 1;
                continue;
            }
        };
        let prefix = if root == "/" {
            "/".to_string()
        } else {
            format!("{root}/")
        };
        for (full, m) in entries {
            let rest = full.strip_prefix(&prefix).unwrap_or("");
            let depth = if full == root {
                0
            } else {
                rest.split('/').count()
            };
            if t.max.is_some_and(|mx| depth > mx) || depth < t.min {
                continue;
            }
            if t.kind.is_some_and(|k| k != m.kind) {
                continue;
            }
            let shown = if full == root {
                p.clone()
            } else {
                format!("{}/{rest}", p.trim_end_matches('/'))
            };
            if let Some((pat, fold)) = &t.name {
                let base = if full == root {
                    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p)
                } else {
                    fs::file_name(&full)
                };
                let hit = if *fold {
                    crate::util::glob_match(&pat.to_lowercase(), &base.to_lowercase())
                } else {
                    crate::util::glob_match(pat, base)
                };
                if !hit {
                    continue;
                }
            }
            out.push_str(&shown);
            out.push('\n');
        }
    }
    io.out.write(&out);
    status
}

// ------------------------------------------------------------------------------------------
// ls
// ------------------------------------------------------------------------------------------

/// `-rw-r--r--` for a mode.
fn mode_string(m: &Metadata) -> String {
    let mut s = String::with_capacity(10);
    s.push(if m.is_dir() { 'd' } else { '-' });
    let bits = m.mode;
    for (shift, special, lower, upper) in [
        (6, 0o4000, 's', 'S'),
        (3, 0o2000, 's', 'S'),
        (0, 0o1000, 't', 'T'),
    ] {
        let b = (bits >> shift) & 7;
        s.push(if b & 4 != 0 { 'r' } else { '-' });
        s.push(if b & 2 != 0 { 'w' } else { '-' });
        let x = b & 1 != 0;
        s.push(match (bits & special != 0, x) {
            (true, true) => lower,
            (true, false) => upper,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// `Nov 23 09:00`, or `Nov 23  2026` for a time more than six months from now.
fn ls_time(t: SimTime, now: SimTime) -> String {
    const SIX_MONTHS_MS: u64 = 31_556_952_000 / 2;
    let recent = t <= now && now.saturating_since(t).as_millis() < SIX_MONTHS_MS;
    if recent {
        strftime(t.unix_ms(), "%b %e %H:%M")
    } else {
        strftime(t.unix_ms(), "%b %e  %Y")
    }
}

/// Sizes as `ls -h` prints them: `4.0K`, `12K`, `1.5M`.
fn human(size: u64) -> String {
    if size < 1024 {
        return size.to_string();
    }
    let mut v = size as f64;
    let mut unit = 0;
    let units = ['K', 'M', 'G', 'T'];
    while v >= 1024.0 && unit < units.len() {
        v /= 1024.0;
        unit += 1;
    }
    let u = units[unit - 1];
    if v < 10.0 {
        let r = (v * 10.0).ceil() / 10.0;
        if r < 10.0 {
            return format!("{r:.1}{u}");
        }
    }
    format!("{}{u}", v.ceil() as u64)
}

/// Names in columns as GNU ls lays them out (`-C`, vertical) on a `width`-column terminal;
/// padded with spaces where ls would use tabs (the same on screen).
pub(crate) fn columns(names: &[String], width: usize) -> String {
    if names.is_empty() {
        return String::new();
    }
    const MIN_COLUMN_WIDTH: usize = 3;
    let n = names.len();
    let lens: Vec<usize> = names.iter().map(|s| s.chars().count()).collect();
    let max_cols = (width / MIN_COLUMN_WIDTH).max(1).min(n);
    // For each candidate number of columns: the widths of its columns.
    let mut best: (usize, Vec<usize>) = (1, vec![0]);
    for cols in (1..=max_cols).rev() {
        let rows = n.div_ceil(cols);
        if cols > 1 && n.div_ceil(rows) < cols {
            continue;
        }
        let mut widths = vec![0usize; cols];
        for (i, len) in lens.iter().enumerate() {
            let c = i / rows;
            let w = len + if c + 1 == cols { 0 } else { 2 };
            widths[c] = widths[c].max(w);
        }
        if widths.iter().sum::<usize>() < width || cols == 1 {
            best = (cols, widths);
            break;
        }
    }
    let (cols, widths) = best;
    let rows = n.div_ceil(cols);
    let mut out = String::new();
    for r in 0..rows {
        let mut line = String::new();
        for (c, w) in widths.iter().enumerate() {
            let i = r + c * rows;
            let Some(name) = names.get(i) else {
                break;
            };
            line.push_str(name);
            if i + rows < n {
                line.push_str(&" ".repeat(w.saturating_sub(lens[i])));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One entry of a listing.
struct LsEntry {
    name: String,
    meta: Metadata,
}

pub(crate) fn ls(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let (flags, ops) = match parse_flags("ls", args, "laA1dhrtCFpR") {
        Ok(x) => x,
        Err(e) => {
            io.err.write(&e);
            return 2;
        }
    };
    let long = flags.contains('l');
    let all = flags.contains('a');
    let almost = flags.contains('A');
    let one = flags.contains('1');
    let dir_only = flags.contains('d');
    let human_sizes = flags.contains('h');
    let reverse = flags.contains('r');
    let by_time = flags.contains('t');
    let classify = flags.contains('F') || flags.contains('p');
    let recursive = flags.contains('R') && !dir_only;
    let tty = matches!(io.out, Dest::Terminal(..));
    let cols = (tty || flags.contains('C')) && !one && !long;
    let now = interp.world().borrow().now();
    let ops = if ops.is_empty() {
        vec![".".to_string()]
    } else {
        ops
    };
    let mut status = 0;
    let mut files: Vec<LsEntry> = Vec::new();
    let mut dirs: Vec<(String, String)> = Vec::new();
    for o in &ops {
        let p = abs_path(interp, o);
        match with_fs(interp, |fs| fs.stat(&p)).unwrap_or(Err(FsError::NotFound)) {
            Ok(m) if m.is_dir() && !dir_only => dirs.push((o.clone(), p)),
            Ok(m) => files.push(LsEntry {
                name: o.clone(),
                meta: m,
            }),
            Err(e) => {
                io.err.write(&format!("ls: cannot access {}: {e}\n", q(o)));
                status = 2;
            }
        }
    }
    let sort = |v: &mut Vec<LsEntry>| {
        swarm_core::sort::sort_by(v, |a, b| a.name.cmp(&b.name));
        if by_time {
            swarm_core::sort::sort_by_key(v, |e| std::cmp::Reverse(e.meta.mtime));
        }
        if reverse {
            v.reverse();
        }
    };
    let render = |entries: &[LsEntry], with_total: bool| -> String {
        let shown: Vec<String> = entries
            .iter()
            .map(|e| {
                if classify && e.meta.is_dir() {
                    format!("{}/", e.name)
                } else {
                    e.name.clone()
                }
            })
            .collect();
        if long {
            let size_of = |m: &Metadata| {
                if human_sizes {
                    human(m.size)
                } else {
                    m.size.to_string()
                }
            };
            let lw = entries
                .iter()
                .map(|e| e.meta.nlink.to_string().len())
                .max()
                .unwrap_or(1);
            let sw = entries
                .iter()
                .map(|e| size_of(&e.meta).len())
                .max()
                .unwrap_or(1);
            let mut s = String::new();
            if with_total {
                let blocks: u64 = entries
                    .iter()
                    .map(|e| {
                        if e.meta.is_dir() {
                            4
                        } else {
                            e.meta.size.div_ceil(4096) * 4
                        }
                    })
                    .sum();
                if human_sizes {
                    s.push_str(&format!("total {}\n", human(blocks * 1024)));
                } else {
                    s.push_str(&format!("total {blocks}\n"));
                }
            }
            for (e, name) in entries.iter().zip(&shown) {
                s.push_str(&format!(
                    "{} {:>lw$} root root {:>sw$} {} {name}\n",
                    mode_string(&e.meta),
                    e.meta.nlink,
                    size_of(&e.meta),
                    ls_time(e.meta.mtime, now),
                ));
            }
            s
        } else if cols {
            columns(&shown, 80)
        } else {
            shown.iter().map(|n| format!("{n}\n")).collect()
        }
    };
    let mut out = String::new();
    sort(&mut files);
    if !files.is_empty() {
        out.push_str(&render(&files, false));
    }
    swarm_core::sort::sort_by(&mut dirs, |a, b| a.0.cmp(&b.0));
    if reverse {
        dirs.reverse();
    }
    let headers = ops.len() > 1 || recursive;
    // `-R`: each directory's subdirectories are listed right after it, in its order.
    let mut queue: std::collections::VecDeque<(String, String)> = dirs.into();
    let mut i = 0;
    while let Some((shown, p)) = queue.pop_front() {
        let (shown, p) = (&shown, &p);
        i += 1;
        let listed = with_fs(interp, |fs| {
            let mut v: Vec<LsEntry> = Vec::new();
            if all {
                for (n, rel) in [(".", p.clone()), ("..", format!("{p}/.."))] {
                    if let Ok(m) = fs.stat(&rel) {
                        v.push(LsEntry {
                            name: n.into(),
                            meta: m,
                        });
                    }
                }
            }
            fs.list(p).map(|entries| {
                v.extend(
                    entries
                        .into_iter()
                        .filter(|(n, _)| all || almost || !n.starts_with('.'))
                        .map(|(name, meta)| LsEntry { name, meta }),
                );
                v
            })
        })
        .unwrap_or(Err(FsError::NotFound));
        if !out.is_empty() || i > 1 {
            out.push('\n');
        }
        if headers {
            out.push_str(&format!("{shown}:\n"));
        }
        match listed {
            Ok(mut v) => {
                sort(&mut v);
                out.push_str(&render(&v, true));
                if recursive {
                    let base = shown.trim_end_matches('/');
                    let subdirs = v
                        .iter()
                        .filter(|e| e.meta.is_dir() && e.name != "." && e.name != "..")
                        .map(|e| (format!("{base}/{}", e.name), format!("{p}/{}", e.name)));
                    for (k, d) in subdirs.enumerate() {
                        queue.insert(k, d);
                    }
                }
            }
            Err(e) => {
                io.out.write(&std::mem::take(&mut out));
                io.err
                    .write(&format!("ls: cannot open directory {}: {e}\n", q(shown)));
                status = 2;
            }
        }
    }
    io.out.write(&out);
    status
}

// ------------------------------------------------------------------------------------------
// Session commands
// ------------------------------------------------------------------------------------------

/// `alias`, `alias NAME`, `alias NAME=VALUE …`.
pub(crate) fn alias(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let show = |k: &str, v: &str| format!("alias {k}='{}'\n", v.replace('\'', "'\\''"));
    let args: Vec<&String> = args.iter().filter(|a| *a != "-p").collect();
    if args.is_empty() {
        let aliases = interp.session.borrow().ctx().aliases.clone();
        let s: String = aliases.iter().map(|(k, v)| show(k, v)).collect();
        io.out.write(&s);
        return 0;
    }
    let mut status = 0;
    for a in args {
        match a.split_once('=') {
            Some((name, value)) => {
                if name.is_empty() || name.contains(['/', '$', '`', '=', ' ', '\'', '"']) {
                    io.err
                        .write(&format!("bash: alias: `{name}': invalid alias name\n"));
                    status = 1;
                    continue;
                }
                interp
                    .session
                    .borrow_mut()
                    .ctx_mut()
                    .aliases
                    .insert(name.to_string(), value.to_string());
            }
            None => {
                let v = interp
                    .session
                    .borrow()
                    .ctx()
                    .aliases
                    .get(a.as_str())
                    .cloned();
                match v {
                    Some(v) => io.out.write(&show(a, &v)),
                    None => {
                        io.err.write(&format!("bash: alias: {a}: not found\n"));
                        status = 1;
                    }
                }
            }
        }
    }
    status
}

pub(crate) fn unalias(interp: &Interp, args: &[String], io: &Io) -> i32 {
    if args.is_empty() {
        io.err
            .write("unalias: usage: unalias [-a] name [name ...]\n");
        return 2;
    }
    if args.iter().any(|a| a == "-a") {
        interp.session.borrow_mut().ctx_mut().aliases.clear();
        return 0;
    }
    let mut status = 0;
    for a in args {
        if interp
            .session
            .borrow_mut()
            .ctx_mut()
            .aliases
            .remove(a.as_str())
            .is_none()
        {
            io.err.write(&format!("bash: unalias: {a}: not found\n"));
            status = 1;
        }
    }
    status
}

/// `date [-u] [+FORMAT]`: the simulated time, in UTC as Play with Docker's machines had it.
pub(crate) fn date(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut fmt = "%a %b %e %H:%M:%S %Z %Y".to_string();
    for a in args {
        match a.as_str() {
            "-u" | "--utc" | "--universal" => {}
            "-R" | "--rfc-email" => fmt = "%a, %d %b %Y %H:%M:%S %z".into(),
            "-I" | "--iso-8601" | "--iso-8601=date" => fmt = "%F".into(),
            "--iso-8601=seconds" | "-Iseconds" => fmt = "%FT%T%:z".into(),
            f if f.starts_with('+') => fmt = f[1..].to_string(),
            f if f.starts_with('-') => {
                io.err.write(&format!(
                    "date: invalid option -- '{}'\nTry 'date --help' for more information.\n",
                    f.trim_start_matches('-').chars().next().unwrap_or('-')
                ));
                return 1;
            }
            other => {
                io.err.write(&format!("date: invalid date ‘{other}’\n"));
                return 1;
            }
        }
    }
    let now = interp.world().borrow().now();
    io.out
        .write(&format!("{}\n", strftime(now.unix_ms(), &fmt)));
    0
}

/// `uptime`: the time, how long the machine's engine has been up, one user, no load.
pub(crate) fn uptime(interp: &Interp, io: &Io) -> i32 {
    let world = interp.world();
    let w = world.borrow();
    let (m, _) = here(interp);
    let now = w.now();
    let since = w.machine(m).map(|mc| mc.engine.started_at).unwrap_or(now);
    let mins = now.saturating_since(since).as_millis() / 60_000;
    let (days, h, mi) = (mins / 1440, mins / 60 % 24, mins % 60);
    let mut up = String::new();
    if days > 0 {
        up.push_str(&format!("{days} day{}, ", if days == 1 { "" } else { "s" }));
    }
    if h > 0 {
        up.push_str(&format!("{h:>2}:{mi:02}"));
    } else {
        up.push_str(&format!("{mi} min"));
    }
    io.out.write(&format!(
        " {} up {up},  1 user,  load average: 0.00, 0.00, 0.00\n",
        strftime(now.unix_ms(), "%H:%M:%S")
    ));
    0
}

/// `source FILE` / `. FILE`: runs the file's commands in this shell.
pub(crate) fn source<'a>(
    interp: &'a Interp,
    name: &'a str,
    args: &'a [String],
    io: &'a Io,
) -> LocalFuture<'a, i32> {
    Box::pin(async move {
        let Some(file) = args.first() else {
            io.err.write(&format!(
                "bash: {name}: filename argument required\n{name}: usage: {name} filename [arguments]\n"
            ));
            return 2;
        };
        match read_file(interp, file) {
            Ok(text) => {
                // `source FILE ARGS`: the arguments are `$1 …` while it runs.
                let saved = (args.len() > 1).then(|| {
                    std::mem::replace(
                        &mut interp.session.borrow_mut().ctx_mut().positional,
                        args[1..].to_vec(),
                    )
                });
                let level = interp.session.borrow().stack.len();
                interp.enter_source();
                let status = interp.run_source(&text, io).await;
                interp.leave_source();
                if let Some(saved) = saved {
                    if interp.session.borrow().stack.len() == level {
                        interp.session.borrow_mut().ctx_mut().positional = saved;
                    }
                }
                if interp.stopped() {
                    interp.status()
                } else {
                    status
                }
            }
            Err(e) => {
                io.err.write(&format!("bash: {file}: {e}\n"));
                1
            }
        }
    })
}

/// `sh FILE`, `bash FILE`, `sh -c 'COMMANDS'`: runs in a child shell (its variables and
/// directory do not come back; `exit` ends only the child).
pub(crate) fn sh<'a>(
    interp: &'a Interp,
    name: &'a str,
    args: &'a [String],
    io: &'a Io,
) -> LocalFuture<'a, i32> {
    Box::pin(async move {
        let mut i = 0;
        let mut command: Option<String> = None;
        let mut xtrace = false;
        while let Some(a) = args.get(i) {
            if a == "--login" || a == "--" {
                i += 1;
                if a == "--" {
                    break;
                }
                continue;
            }
            let Some(letters) = a.strip_prefix(['-', '+']).filter(|l| {
                !l.is_empty() && l.chars().all(|c| "abceiklmnostuvxBCEHPT".contains(c))
            }) else {
                break;
            };
            let on = a.starts_with('-');
            i += 1;
            for c in letters.chars() {
                match c {
                    'x' => xtrace = on,
                    'o' => {
                        if args.get(i).map(String::as_str) == Some("xtrace") {
                            xtrace = on;
                        }
                        i += 1;
                    }
                    _ => {}
                }
            }
            if letters.contains('c') {
                let Some(c) = args.get(i) else {
                    io.err
                        .write(&format!("{name}: -c: option requires an argument\n"));
                    return 2;
                };
                command = Some(c.clone());
                i += 1;
                break;
            }
        }
        // `sh -c CMD NAME ARGS`: `$0` and `$1 …`; `sh FILE ARGS`: the file and `$1 …`.
        let argv0 = args.get(i).cloned();
        let positional = args
            .get(i + 1..)
            .map(<[String]>::to_vec)
            .unwrap_or_default();
        let source = match command {
            Some(c) => c,
            None => match args.get(i) {
                // An interactive child shell: nothing to emulate beyond staying here.
                None => return 0,
                Some(file) => match read_file(interp, file) {
                    Ok(t) => t,
                    Err(e) => {
                        io.err.write(&format!("{name}: {file}: {e}\n"));
                        return 127;
                    }
                },
            },
        };
        let saved = interp.session.borrow().ctx().clone();
        let depth = interp.session.borrow().stack.len();
        {
            // The child shell: its own `$0`, `$1 …`, options, and no functions.
            let mut s = interp.session.borrow_mut();
            let ctx = s.ctx_mut();
            ctx.argv0 = Some(argv0.unwrap_or_else(|| name.to_string()));
            ctx.positional = positional;
            ctx.functions.clear();
            ctx.xtrace = xtrace;
        }
        let pending_exit = interp.exiting.take();
        let status = interp.run_source(&source, io).await;
        let code = interp.exiting.take();
        interp.exiting.set(pending_exit);
        let mut s = interp.session.borrow_mut();
        s.stack.truncate(depth);
        *s.ctx_mut() = saved;
        code.unwrap_or(status)
    })
}

/// `nano FILE`, `vi FILE`, `vim FILE`: see the module documentation for the page's hook.
pub(crate) fn editor(interp: &Interp, name: &str, args: &[String], io: &Io) -> i32 {
    let file = args
        .iter()
        .find(|a| !a.starts_with('-') && !a.starts_with('+'));
    let available = interp.session.borrow().editor_available;
    let Some(file) = file else {
        io.err.write(&format!(
            "{name}: give a file to edit, as `{name} stack.yml`\n"
        ));
        return 1;
    };
    if !available {
        io.err.write(&format!(
            "{name}: editing a file needs the playground page; in a script, write the file with a heredoc:\n  cat > {file} << 'EOF'\n  …\n  EOF\n"
        ));
        return 1;
    }
    let p = fs::normalize(&abs_path(interp, file));
    let content = match read_file(interp, file) {
        Ok(t) => t,
        Err(FsError::NotFound) => {
            // A new file, if its directory exists.
            let parent = match p.rsplit_once('/') {
                Some(("", _)) | None => "/".to_string(),
                Some((dir, _)) => dir.to_string(),
            };
            match with_fs(interp, |fs| fs.stat(&parent)) {
                Some(Ok(m)) if m.is_dir() => String::new(),
                _ => {
                    io.err
                        .write(&format!("{name}: {file}: {}\n", FsError::NotFound));
                    return 1;
                }
            }
        }
        Err(e) => {
            io.err.write(&format!("{name}: {file}: {e}\n"));
            return 1;
        }
    };
    interp.session.borrow_mut().edit_request = Some((p, content));
    0
}

impl Terminal {
    /// Says whether the driver can show an editor panel (the page: yes; `swarmsh`: no). With
    /// it, `nano`/`vi`/`vim FILE` leave a request for [`Terminal::take_edit_request`] instead
    /// of printing that editing needs the page.
    pub fn set_editor_available(&mut self, available: bool) {
        self.session.borrow_mut().editor_available = available;
    }

    /// The file an editor command asked to open, once: (absolute path, its content; empty
    /// for a new file).
    pub fn take_edit_request(&mut self) -> Option<(String, String)> {
        self.session.borrow_mut().edit_request.take()
    }

    /// A file dropped onto the terminal in the page: written into the shell's working
    /// directory under its own name (overwriting), with a line in the terminal saying where.
    /// Returns the path, or the filesystem's error.
    pub fn upload(&mut self, name: &str, content: &str) -> Result<String, String> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
        if base.is_empty() || base == "." || base == ".." {
            return Err(format!("{name}: not a file name"));
        }
        let cwd = self.session.borrow().ctx().cwd.clone();
        let path = fs::join(&cwd, base);
        let r = self.save_file(&path, content);
        let line = match &r {
            Ok(()) => format!("uploaded {base} ({} bytes) to {path}\n", content.len()),
            Err(e) => format!("upload of {base} failed: {e}\n"),
        };
        crate::terminal::emit(&self.sink, crate::terminal::Output::Stdout(line));
        r.map(|()| path)
    }

    /// Saves an edited file on the machine the terminal's shell is on (the editor panel's
    /// Save). Errors are the filesystem's texts (`No space left on device` …).
    pub fn save_file(&mut self, path: &str, content: &str) -> Result<(), String> {
        let s = self.session.borrow();
        let m = s.machine();
        let Ok(mut w) = s.world.try_borrow_mut() else {
            return Err(format!("{path}: the machine is busy; try again"));
        };
        let now = w.now();
        match w.fs_mut(m) {
            Some(fs) => fs
                .write(path, content.as_bytes(), false, now)
                .map_err(|e| format!("{path}: {e}")),
            None => Err(format!("{path}: {}", FsError::NotFound)),
        }
    }
}

// ------------------------------------------------------------------------------------------
// Time formatting
// ------------------------------------------------------------------------------------------

/// strftime over unix milliseconds in UTC, for `date +FORMAT` and `ls -l`.
pub(crate) fn strftime(unix_ms: i64, fmt: &str) -> String {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = swarm_core::time::civil_from_days(days);
    let (hh, mm, ss) = (sod / 3600, sod / 60 % 60, sod % 60);
    let weekday = swarm_core::time::weekday(days);
    let mi = (m as usize).saturating_sub(1).min(11);
    let doy = days - swarm_core::time::days_from_civil(y, 1, 1) + 1;
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let colon = chars.peek() == Some(&':');
        if colon {
            chars.next();
        }
        match chars.next() {
            Some('Y') => out.push_str(&y.to_string()),
            Some('C') => out.push_str(&format!("{:02}", y / 100)),
            Some('y') => out.push_str(&format!("{:02}", y.rem_euclid(100))),
            Some('m') => out.push_str(&format!("{m:02}")),
            Some('d') => out.push_str(&format!("{d:02}")),
            Some('e') => out.push_str(&format!("{d:>2}")),
            Some('H') => out.push_str(&format!("{hh:02}")),
            Some('k') => out.push_str(&format!("{hh:>2}")),
            Some('I') => out.push_str(&format!("{:02}", (hh + 11) % 12 + 1)),
            Some('l') => out.push_str(&format!("{:>2}", (hh + 11) % 12 + 1)),
            Some('p') => out.push_str(if hh < 12 { "AM" } else { "PM" }),
            Some('P') => out.push_str(if hh < 12 { "am" } else { "pm" }),
            Some('M') => out.push_str(&format!("{mm:02}")),
            Some('S') => out.push_str(&format!("{ss:02}")),
            Some('T') => out.push_str(&format!("{hh:02}:{mm:02}:{ss:02}")),
            Some('R') => out.push_str(&format!("{hh:02}:{mm:02}")),
            Some('D') => out.push_str(&format!("{m:02}/{d:02}/{:02}", y.rem_euclid(100))),
            Some('F') => out.push_str(&format!("{y}-{m:02}-{d:02}")),
            Some('b') | Some('h') => out.push_str(abbr(MONTH_NAMES[mi])),
            Some('B') => out.push_str(MONTH_NAMES[mi]),
            Some('a') => out.push_str(abbr(WEEKDAY_NAMES[weekday])),
            Some('A') => out.push_str(WEEKDAY_NAMES[weekday]),
            Some('u') => out.push_str(&(if weekday == 0 { 7 } else { weekday }).to_string()),
            Some('w') => out.push_str(&weekday.to_string()),
            Some('j') => out.push_str(&format!("{doy:03}")),
            Some('s') => out.push_str(&secs.to_string()),
            Some('N') => out.push_str(&format!("{:09}", unix_ms.rem_euclid(1000) * 1_000_000)),
            Some('z') if colon => out.push_str("+00:00"),
            Some('z') => out.push_str("+0000"),
            Some('Z') => out.push_str("UTC"),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                if colon {
                    out.push(':');
                }
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// `du [-sahck] [-d N] [FILE…]` as GNU du counts: a directory takes 4 KiB, a file whole
/// 4 KiB blocks; each directory is printed after its contents, deepest first.
pub(crate) fn du(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut rest = Vec::new();
    let mut depth: Option<usize> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = if a == "-d" || a == "--max-depth" {
            Some(it.next().cloned().unwrap_or_default())
        } else if let Some(v) = a.strip_prefix("--max-depth=") {
            Some(v.to_string())
        } else if let Some(v) = a.strip_prefix("-d").filter(|v| !v.is_empty()) {
            Some(v.to_string())
        } else {
            rest.push(a.clone());
            None
        };
        if let Some(v) = value {
            match v.parse() {
                Ok(n) => depth = Some(n),
                Err(_) => {
                    io.err.write(&format!(
                        "du: invalid maximum depth {}\nTry 'du --help' for more information.\n",
                        q(&v)
                    ));
                    return 1;
                }
            }
        }
    }
    let rest: Vec<String> = rest
        .into_iter()
        .map(|a| match a.as_str() {
            "--summarize" => "-s".into(),
            "--total" => "-c".into(),
            _ => a,
        })
        .collect();
    let (flags, ops) = match parse_flags("du", &rest, "sahckm") {
        Ok(x) => x,
        Err(e) => {
            io.err.write(&e);
            return 1;
        }
    };
    let summarize = flags.contains('s');
    if summarize && depth.is_some_and(|d| d > 0) {
        io.err.write("du: warning: summarizing conflicts with --max-depth=0\nTry 'du --help' for more information.\n");
        return 1;
    }
    let depth = if summarize { Some(0) } else { depth };
    let all = flags.contains('a');
    let show = |kib: u64| -> String {
        if flags.contains('h') {
            if kib == 0 {
                "0".into()
            } else {
                human(kib * 1024)
            }
        } else if flags.contains('m') {
            kib.div_ceil(1024).to_string()
        } else {
            kib.to_string()
        }
    };
    let ops = if ops.is_empty() {
        vec![".".to_string()]
    } else {
        ops
    };
    // Walks `p` (shown as `shown`) and returns its KiB; lines are pushed after the contents.
    fn walk(
        fs: &fs::Fs,
        p: &str,
        shown: &str,
        level: usize,
        ctx: &mut (Option<usize>, bool, Vec<(u64, String)>),
    ) -> u64 {
        let Ok(meta) = fs.stat(p) else { return 0 };
        if !meta.is_dir() {
            let kib = meta.size.div_ceil(4096) * 4;
            if level == 0 || (ctx.1 && ctx.0.is_none_or(|d| level <= d)) {
                ctx.2.push((kib, shown.to_string()));
            }
            return kib;
        }
        let mut kib = 4;
        let mut entries = fs.list(p).unwrap_or_default();
        swarm_core::sort::sort_by(&mut entries, |a, b| a.0.cmp(&b.0));
        let base = if shown.ends_with('/') {
            shown.to_string()
        } else {
            format!("{shown}/")
        };
        for (name, _) in entries {
            kib += walk(
                fs,
                &format!("{}/{name}", p.trim_end_matches('/')),
                &format!("{base}{name}"),
                level + 1,
                ctx,
            );
        }
        if ctx.0.is_none_or(|d| level <= d) {
            ctx.2.push((kib, shown.to_string()));
        }
        kib
    }
    let mut status = 0;
    let mut total = 0;
    let mut out = String::new();
    for o in &ops {
        let p = abs_path(interp, o);
        let mut ctx = (depth, all, Vec::new());
        let found = with_fs(interp, |fs| match fs.stat(&p) {
            Ok(_) => Some(walk(fs, &p, o, 0, &mut ctx)),
            Err(_) => None,
        })
        .flatten();
        match found {
            Some(kib) => {
                total += kib;
                for (k, name) in ctx.2 {
                    out.push_str(&format!("{}\t{name}\n", show(k)));
                }
            }
            None => {
                io.out.write(&std::mem::take(&mut out));
                io.err.write(&format!(
                    "du: cannot access {}: No such file or directory\n",
                    q(o)
                ));
                status = 1;
            }
        }
    }
    if flags.contains('c') {
        out.push_str(&format!("{}\ttotal\n", show(total)));
    }
    io.out.write(&out);
    status
}

/// `chmod [-R] MODE FILE…`: octal modes and `[ugoa]*[+-=][rwxX]*` lists (GNU coreutils).
pub(crate) fn chmod(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let recursive = args.iter().any(|a| a == "-R" || a == "--recursive");
    let rest: Vec<&String> = args
        .iter()
        .filter(|a| !matches!(a.as_str(), "-R" | "--recursive" | "-v" | "-f" | "-c"))
        .collect();
    let Some((mode, files)) = rest.split_first() else {
        io.err
            .write("chmod: missing operand\nTry 'chmod --help' for more information.\n");
        return 1;
    };
    if files.is_empty() {
        io.err.write(&format!(
            "chmod: missing operand after '{mode}'\nTry 'chmod --help' for more information.\n"
        ));
        return 1;
    }
    // The new mode of an entry from its old one, or None when MODE is not valid.
    let apply = |old: u32, is_dir: bool| -> Option<u32> {
        if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
            return u32::from_str_radix(mode, 8).ok().filter(|m| *m <= 0o7777);
        }
        let mut m = old;
        for clause in mode.split(',') {
            let who_end = clause
                .find(|c: char| !"ugoa".contains(c))
                .unwrap_or(clause.len());
            let who = &clause[..who_end];
            let mut mask = 0u32;
            for c in if who.is_empty() { "a" } else { who }.chars() {
                mask |= match c {
                    'u' => 0o4700,
                    'g' => 0o2070,
                    'o' => 0o1007,
                    _ => 0o7777,
                };
            }
            let mut ops = &clause[who_end..];
            if ops.is_empty() {
                return None;
            }
            while let Some(op) = ops.chars().next().filter(|c| "+-=".contains(*c)) {
                let perm_end = ops[1..]
                    .find(|c: char| "+-=".contains(c))
                    .map_or(ops.len(), |k| k + 1);
                let perms = &ops[1..perm_end];
                let mut bits = 0u32;
                for c in perms.chars() {
                    bits |= match c {
                        'r' => 0o444,
                        'w' => 0o222,
                        'x' => 0o111,
                        'X' if is_dir || old & 0o111 != 0 => 0o111,
                        'X' => 0,
                        's' => 0o6000,
                        't' => 0o1000,
                        _ => return None,
                    };
                }
                let bits = bits & mask;
                match op {
                    '+' => m |= bits,
                    '-' => m &= !bits,
                    _ => m = (m & !(mask & 0o777)) | bits,
                }
                ops = &ops[perm_end..];
            }
            if !ops.is_empty() {
                return None;
            }
        }
        Some(m)
    };
    if apply(0o644, false).is_none() {
        io.err.write(&format!(
            "chmod: invalid mode: '{mode}'\nTry 'chmod --help' for more information.\n"
        ));
        return 1;
    }
    let mut status = 0;
    for f in files {
        let p = abs_path(interp, f);
        let targets: Vec<String> = match with_fs(interp, |fs| {
            fs.stat(&p).map(|meta| {
                if recursive && meta.is_dir() {
                    fs.walk(&p)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(q, _)| q)
                        .collect()
                } else {
                    vec![p.clone()]
                }
            })
        }) {
            Some(Ok(v)) => v,
            _ => {
                io.err.write(&format!(
                    "chmod: cannot access {}: No such file or directory\n",
                    q(f)
                ));
                status = 1;
                continue;
            }
        };
        for t in targets {
            let _ = with_fs_mut(interp, |fs, _| {
                let meta = fs.stat(&t)?;
                let new = apply(meta.mode, meta.is_dir()).unwrap_or(meta.mode);
                fs.set_mode(&t, new)
            });
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    // Expected layouts are what GNU ls 9.1 prints with COLUMNS=80 (tabs expanded).
    #[test]
    fn columns_match_gnu_ls() {
        assert_eq!(
            columns(&names(&["file28xx", "file63xxx", "file7x"]), 80),
            "file28xx  file63xxx  file7x\n"
        );
        let seven = names(&[
            "file15xxxx",
            "file28xx",
            "file52xxxxxxx",
            "file58xxxxxx",
            "file63xxx",
            "file78xxxxx",
            "file7x",
        ]);
        assert_eq!(
            columns(&seven, 80),
            "file15xxxx  file52xxxxxxx  file63xxx    file7x\nfile28xx    file58xxxxxx   file78xxxxx\n"
        );
        let many = names(&[
            ".",
            "..",
            ".hidden",
            "file10xxxxxxx",
            "file14xxxxx",
            "file15xxxx",
            "file17xxxxx",
            "file19xxxx",
            "file21x",
            "file23xxxxxx",
            "file28xx",
            "file37x",
            "file38xxx",
            "file46xxxxxxx",
            "file52xxxxxxx",
            "file55xxxxxx",
            "file58xxxxxx",
            "file5x",
            "file60xxxxxxxx",
            "file63xxx",
            "file71xx",
            "file78xxxxx",
            "file7x",
            "file80xxx",
            "file82x",
            "file83xxxxxxxx",
            "file84xx",
            "file90xxxx",
        ]);
        assert_eq!(
            columns(&many, 80),
            ".              file17xxxxx   file38xxx      file60xxxxxxxx  file82x
..             file19xxxx    file46xxxxxxx  file63xxx       file83xxxxxxxx
.hidden        file21x       file52xxxxxxx  file71xx        file84xx
file10xxxxxxx  file23xxxxxx  file55xxxxxx   file78xxxxx     file90xxxx
file14xxxxx    file28xx      file58xxxxxx   file7x
file15xxxx     file37x       file5x         file80xxx
"
        );
    }

    #[test]
    fn long_listing_pieces() {
        let m = Metadata {
            kind: Kind::Dir,
            size: 4096,
            mode: 0o1777,
            mtime: SimTime::ZERO,
            nlink: 2,
        };
        assert_eq!(mode_string(&m), "drwxrwxrwt");
        assert_eq!(ls_time(SimTime::ZERO, SimTime::ZERO), "Nov 23 09:00");
        let later = SimTime::from_millis(200 * 86_400_000);
        assert_eq!(ls_time(SimTime::ZERO, later), "Nov 23  2026");
        assert_eq!(human(1023), "1023");
        assert_eq!(human(4096), "4.0K");
        assert_eq!(human(1536), "1.5K");
        assert_eq!(human(123_456), "121K");
    }

    #[test]
    fn strftime_formats() {
        // 2026-11-23 09:00:00 UTC, a Monday, day 327.
        let t = swarm_core::time::EPOCH_UNIX_MS;
        assert_eq!(
            strftime(t, "%a %b %e %H:%M:%S %Z %Y"),
            "Mon Nov 23 09:00:00 UTC 2026"
        );
        assert_eq!(
            strftime(t, "%F %T %j %A %B %s"),
            "2026-11-23 09:00:00 327 Monday November 1795424400"
        );
        assert_eq!(strftime(t, "%%%q"), "%%q");
    }
}
