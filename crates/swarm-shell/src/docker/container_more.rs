//! More engine commands: `docker cp`, `docker rename`, `docker wait`, `docker update` and
//! `docker system df`,
//! as docker/cli 28 runs them against the engine (the client's own checks and texts first,
//! then the daemon's).

use swarm_core::fs::{self, FsError, Metadata};
use swarm_core::{MachineId, SimDuration, World};

use super::cli::Parsed;
use super::swarm_cmd::daemon_error;
use crate::exec::{Dest, Interp, Io};
use crate::format::container::human_size3;

type Status = i32;

/// The commands this module runs.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "cp" | "container cp"
            | "rename"
            | "container rename"
            | "wait"
            | "container wait"
            | "system df"
            | "update"
            | "container update"
    )
}

pub(crate) async fn run(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    match path {
        "cp" | "container cp" => cp(interp, m, cmd, io),
        "rename" | "container rename" => rename(interp, m, cmd, io),
        "system df" => system_df(interp, m, cmd, io),
        "update" | "container update" => update(interp, m, cmd, io),
        _ => wait(interp, m, cmd, io).await,
    }
}

// ------------------------------------------------------------------------------------------
// docker cp

/// docker/cli's `splitCpArg`: `CONTAINER:PATH`, unless the argument is an absolute path or
/// starts with `.` (an explicit local path like `./file:name.txt`).
fn split_cp_arg(arg: &str) -> (Option<&str>, &str) {
    if arg.starts_with('/') {
        return (None, arg);
    }
    match arg.split_once(':') {
        Some((ctr, path)) if !ctr.starts_with('.') => (Some(ctr), path),
        _ => (None, arg),
    }
}

/// The bytes of the tar stream that carries these entries (what docker cp's progress counts):
/// a 512-byte header per entry, file data padded to 512, and the two zero blocks at the end.
fn tar_size<'a>(entries: impl Iterator<Item = &'a Metadata>) -> u64 {
    let body: u64 = entries
        .map(|meta| {
            512 + if meta.is_file() {
                meta.size.div_ceil(512) * 512
            } else {
                0
            }
        })
        .sum();
    body + 1024
}

/// `archive.PreserveTrailingDotOrSeparator`: the absolute path keeps a trailing `/.` or `/`.
fn preserve_trailing(abs: &str, original: &str) -> String {
    let abs = abs.trim_end_matches('/');
    let abs = if abs.is_empty() { "/" } else { abs };
    let sep = |s: &str| {
        if s.ends_with('/') {
            s.to_string()
        } else {
            format!("{s}/")
        }
    };
    if original == "." || original.ends_with("/.") {
        format!("{}.", sep(abs))
    } else if original.ends_with('/') {
        sep(abs)
    } else {
        abs.to_string()
    }
}

/// One entry to copy: its path below the copied root (`""` for the root), whether it is a
/// directory, its mode and its content.
struct Entry {
    rel: String,
    dir: bool,
    mode: u32,
    data: Vec<u8>,
}

/// A walked tree as entries to copy: whether its root is a directory, the size of its tar
/// stream, and the entries.
fn entries_of(walked: Vec<swarm_core::fs::WalkEntry>) -> (bool, u64, Vec<Entry>) {
    let root_dir = walked.first().is_some_and(|(_, meta, _)| meta.is_dir());
    let size = tar_size(walked.iter().map(|(_, meta, _)| meta));
    let entries = walked
        .into_iter()
        .map(|(rel, meta, data)| Entry {
            rel,
            dir: meta.is_dir(),
            mode: meta.mode,
            data: data.unwrap_or_default(),
        })
        .collect();
    (root_dir, size, entries)
}

fn cp(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let (src, dst) = (
        cmd.args.first().cloned().unwrap_or_default(),
        cmd.args.get(1).cloned().unwrap_or_default(),
    );
    let fail = |msg: &str| {
        io.err.write(&format!("{msg}\n"));
        1
    };
    if src.is_empty() {
        return fail("source can not be empty");
    }
    if dst.is_empty() {
        return fail("destination can not be empty");
    }
    let (src_ctr, src_path) = split_cp_arg(&src);
    let (dst_ctr, dst_path) = split_cp_arg(&dst);
    // Progress and the summary only when stdout is a terminal, unless -q says otherwise.
    let quiet = if cmd.flags.iter().any(|(k, _)| k == "quiet") {
        cmd.bool("quiet")
    } else {
        !matches!(io.out, Dest::Terminal(..))
    };
    match (src_ctr, dst_ctr) {
        (Some(_), Some(_)) => fail("copying between containers is not supported"),
        (None, None) => fail("must specify at least one container source"),
        (Some(c), None) => from_container(interp, m, c, src_path, dst_path, quiet, io),
        (None, Some(c)) => to_container(interp, m, src_path, c, dst_path, quiet, io),
    }
}

/// The container path as the daemon sees it: relative to `/`.
fn container_abs(path: &str) -> String {
    let p = fs::normalize(&fs::join("/", path));
    if (path.ends_with('/') || path.ends_with("/.") || path == ".") && p != "/" {
        format!("{p}/")
    } else {
        p
    }
}

fn from_container(
    interp: &Interp,
    m: MachineId,
    ctr: &str,
    src: &str,
    dst: &str,
    quiet: bool,
    io: &Io,
) -> Status {
    if dst == "-" {
        return fail_plain(
            io,
            "docker cp: a tar archive on standard output is not emulated by Swarm Playground",
        );
    }
    let local = fs::normalize(&crate::fsutils::abs_path(interp, dst));
    let shown_dst = preserve_trailing(&local, dst);
    let world = interp.world();
    let mut w = world.borrow_mut();
    let id = match w.find_container(m, ctr) {
        Ok(c) => c.id.clone(),
        Err(e) => return daemon_error(io, &e),
    };
    let src_abs = container_abs(src);
    let contents_only = src == "." || src.ends_with("/.");
    let src_norm = fs::normalize(&src_abs);
    let walked = match w.container_walk(m, &id, &src_norm) {
        Ok(v) => v,
        Err(_) => {
            return daemon_error(
                io,
                &format!("Could not find the file {src_norm} in container {ctr}"),
            )
        }
    };
    let (root_dir, size, entries) = entries_of(walked);
    if !root_dir && src_abs.ends_with('/') {
        return daemon_error(io, &format!("not a directory: {src_norm}"));
    }
    let name = fs::file_name(&src_norm).to_string();
    let now = w.now();
    let Some(hostfs) = w.fs_mut(m) else {
        return 1;
    };
    let target = match place(hostfs, &local, dst, &name, root_dir, contents_only) {
        Ok(t) => t,
        Err(msg) => return fail_plain(io, &msg),
    };
    if let Err(e) = write_entries(&entries, &target, |p, e| {
        if e.dir {
            hostfs.mkdir(p, true, now)
        } else {
            hostfs.write(p, &e.data, false, now)?;
            hostfs.set_mode(p, e.mode)
        }
    }) {
        return fail_plain(io, &format!("{}: {e}", target));
    }
    if !quiet {
        io.err.write(&format!(
            "Successfully copied {} to {shown_dst}\n",
            human_size3(size as f64)
        ));
    }
    0
}

fn fail_plain(io: &Io, msg: &str) -> Status {
    io.err.write(&format!("{msg}\n"));
    1
}

/// Where a copied root lands, as `archive.CopyTo`/`PrepareArchiveCopy` decide: into an
/// existing directory under its own name (or its contents, for `SRC/.`), over an existing
/// file, or as a new entry whose parent must exist.
fn place(
    dest: &swarm_core::fs::Fs,
    abs: &str,
    original: &str,
    name: &str,
    src_dir: bool,
    contents_only: bool,
) -> Result<String, String> {
    let abs_norm = fs::normalize(abs);
    match dest.stat(&abs_norm) {
        Ok(meta) if meta.is_dir() => {
            if contents_only {
                Ok(abs_norm)
            } else {
                Ok(fs::join(&abs_norm, name))
            }
        }
        Ok(_) if src_dir => Err(format!(
            "cannot copy directory to existing file: {abs_norm}"
        )),
        Ok(_) => Ok(abs_norm),
        Err(_) if original.ends_with('/') && !src_dir => Err("no such directory".to_string()),
        Err(_) => {
            let parent = fs::normalize(&fs::join(&abs_norm, ".."));
            match dest.stat(&parent) {
                Ok(meta) if meta.is_dir() => Ok(abs_norm),
                _ => Err(format!("lstat {parent}: no such file or directory")),
            }
        }
    }
}

fn write_entries(
    entries: &[Entry],
    target: &str,
    mut put: impl FnMut(&str, &Entry) -> Result<(), FsError>,
) -> Result<(), FsError> {
    for e in entries {
        let p = if e.rel.is_empty() {
            target.to_string()
        } else {
            format!("{}{}", target.trim_end_matches('/'), e.rel)
        };
        put(&p, e)?;
    }
    Ok(())
}

fn to_container(
    interp: &Interp,
    m: MachineId,
    src: &str,
    ctr: &str,
    dst: &str,
    quiet: bool,
    io: &Io,
) -> Status {
    if src == "-" {
        return fail_plain(
            io,
            "docker cp: a tar archive from standard input is not emulated by Swarm Playground",
        );
    }
    let local = crate::fsutils::abs_path(interp, src);
    let contents_only = src == "." || src.ends_with("/.");
    let world = interp.world();
    let mut w = world.borrow_mut();
    let norm = fs::normalize(&local);
    let walked = match w.machine(m).map(|mc| mc.fs.walk_with_data(&norm)) {
        Some(Ok(list)) => list,
        Some(Err(_)) => return fail_plain(io, &format!("lstat {norm}: no such file or directory")),
        None => return 1,
    };
    let id = match w.find_container(m, ctr) {
        Ok(c) => c.id.clone(),
        Err(e) => return daemon_error(io, &e),
    };
    let (src_dir, size, entries) = entries_of(walked);
    let dst_abs = container_abs(dst);
    let dst_norm = fs::normalize(&dst_abs);
    let name = fs::file_name(&fs::normalize(&local)).to_string();
    let target = match w.container_stat(m, &id, &dst_norm) {
        Ok(meta) if meta.is_dir() => {
            if contents_only {
                dst_norm.clone()
            } else {
                fs::join(&dst_norm, &name)
            }
        }
        Ok(_) if src_dir => {
            return daemon_error(
                io,
                &format!(
                    "cannot overwrite non-directory \"{dst_norm}\" with directory \"{dst_norm}\""
                ),
            )
        }
        Ok(_) => dst_norm.clone(),
        Err(_) => {
            let parent = fs::normalize(&fs::join(&dst_norm, ".."));
            let parent_ok = w
                .container_stat(m, &id, &parent)
                .is_ok_and(|meta| meta.is_dir());
            if !parent_ok || (dst.ends_with('/') && !src_dir) {
                return daemon_error(
                    io,
                    &format!("Could not find the file {parent} in container {ctr}"),
                );
            }
            dst_norm.clone()
        }
    };
    let result = write_entries(&entries, &target, |p, e| {
        if e.dir {
            w.container_mkdir(m, &id, p, true)
        } else {
            w.container_write(m, &id, p, &e.data, false)
        }
    });
    if let Err(e) = result {
        return match e {
            FsError::ReadOnly => daemon_error(io, "container rootfs is marked read-only"),
            other => daemon_error(io, &format!("{target}: {other}")),
        };
    }
    if !quiet {
        io.err.write(&format!(
            "Successfully copied {} to {ctr}:{dst}\n",
            human_size3(size as f64)
        ));
    }
    0
}

// ------------------------------------------------------------------------------------------
// docker rename

fn rename(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let old = cmd.args.first().map_or("", |s| s.trim());
    let new = cmd.args.get(1).map_or("", |s| s.trim());
    if old.is_empty() || new.is_empty() {
        io.err
            .write("Error: Neither old nor new names may be empty\n");
        return 1;
    }
    let r = interp.world().borrow_mut().container_rename_to(m, old, new);
    match r {
        Ok(()) => 0,
        Err(e) => {
            io.err.write(&format!(
                "Error response from daemon: {e}\nError: failed to rename container named {old}\n"
            ));
            1
        }
    }
}

// ------------------------------------------------------------------------------------------
// docker wait

/// How often `docker wait` looks again.
const POLL: SimDuration = SimDuration::from_millis(100);

fn exit_code_if_stopped(w: &World, m: MachineId, id: &str) -> Option<Option<i32>> {
    match w.container(m, id) {
        None => Some(None),
        Some(c)
            if c.is_running() || c.state == swarm_core::container::ContainerState::Restarting =>
        {
            None
        }
        Some(c) => Some(Some(c.exit_code)),
    }
}

async fn wait(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let world = interp.world();
    let mut errors: Vec<String> = Vec::new();
    for reference in &cmd.args {
        let id = match world.borrow().find_container(m, reference) {
            Ok(c) => c.id.clone(),
            Err(e) => {
                errors.push(format!("Error response from daemon: {e}"));
                continue;
            }
        };
        loop {
            let done = exit_code_if_stopped(&world.borrow(), m, &id);
            match done {
                Some(Some(code)) => {
                    io.out.write(&format!("{code}\n"));
                    break;
                }
                // Removed while waited for (`--rm`): the last exit code is gone with it.
                Some(None) => {
                    io.out.write("0\n");
                    break;
                }
                None => interp.sleep(POLL).await,
            }
        }
    }
    if errors.is_empty() {
        0
    } else {
        io.err.write(&format!("{}\n", errors.join("\n")));
        1
    }
}

// ------------------------------------------------------------------------------------------
// docker system df

/// docker/cli's `reclaimable (percent%)`, the percentage truncated as Go's integer division.
fn with_percent(reclaimable: u64, total: u64) -> String {
    let size = crate::format::units::human_size(reclaimable as f64);
    match (reclaimable * 100).checked_div(total) {
        Some(percent) => format!("{size} ({percent}%)"),
        None => size,
    }
}

fn system_df(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    if cmd.bool("verbose") {
        io.err
            .write("docker system df -v: not emulated by Swarm Playground yet\n");
        return 1;
    }
    let world = interp.world();
    let w = world.borrow();
    // Images, each ID once; a layer shared by several images counts once in the total
    // (images have no per-layer sizes here: an image built on another one shares that one's
    // size, as `image prune` reckons it).
    let mut images: Vec<&swarm_core::container::PulledImage> = Vec::new();
    for i in w.images(m) {
        if !images.iter().any(|j| j.id == i.id) {
            images.push(i);
        }
    }
    let contains = |outer: &swarm_core::container::PulledImage,
                    inner: &swarm_core::container::PulledImage| {
        !inner.layers.is_empty() && inner.layers.iter().all(|l| outer.layers.contains(l))
    };
    // What an image adds to the largest other image it is built on.
    let base = |i: &swarm_core::container::PulledImage| -> u64 {
        images
            .iter()
            .filter(|o| o.id != i.id && contains(i, o))
            .map(|o| o.size)
            .max()
            .unwrap_or(0)
            .min(i.size)
    };
    // moby's SharedSize: all of it when another image is built on it, else its base.
    let shared = |i: &swarm_core::container::PulledImage| -> u64 {
        if images.iter().any(|o| o.id != i.id && contains(o, i)) {
            i.size
        } else {
            base(i)
        }
    };
    let containers = w.containers(m);
    let used_by = |id: &str| containers.iter().filter(|c| c.image_id == id).count();
    let images_total: u64 = images.iter().map(|i| i.size - base(i)).sum();
    let images_used: u64 = images
        .iter()
        .filter(|i| used_by(&i.id) > 0)
        .map(|i| i.size - shared(i))
        .sum();
    let images_active = images.iter().filter(|i| used_by(&i.id) > 0).count();
    // Containers: the writable layers.
    let active = |c: &swarm_core::container::Container| {
        c.is_running() || c.state == swarm_core::container::ContainerState::Restarting
    };
    let size_rw =
        |c: &swarm_core::container::Container| w.container_size_rw(m, &c.id, c.created_at);
    let ctr_total: u64 = containers.iter().map(&size_rw).sum();
    let ctr_idle: u64 = containers.iter().filter(|c| !active(c)).map(&size_rw).sum();
    let ctr_active = containers.iter().filter(|c| active(c)).count();
    // Volumes: in use when a container mounts them.
    let volumes = w.volumes(m);
    let vol_used = |name: &str| !w.volume_users(m, name).is_empty();
    let vol_total: u64 = volumes.iter().map(|v| v.size()).sum();
    let vol_idle: u64 = volumes
        .iter()
        .filter(|v| !vol_used(&v.name))
        .map(|v| v.size())
        .sum();
    let vol_active = volumes.iter().filter(|v| vol_used(&v.name)).count();
    let hs = |n: u64| crate::format::units::human_size(n as f64);
    let row = |t: &str, total: usize, active: usize, size: String, reclaim: String| {
        serde_json::json!({
            "Type": t, "TotalCount": total.to_string(), "Active": active.to_string(),
            "Size": size, "Reclaimable": reclaim,
        })
    };
    let rows = vec![
        row(
            "Images",
            images.len(),
            images_active,
            hs(images_total),
            with_percent(images_total.saturating_sub(images_used), images_total),
        ),
        row(
            "Containers",
            containers.len(),
            ctr_active,
            hs(ctr_total),
            with_percent(ctr_idle, ctr_total),
        ),
        row(
            "Local Volumes",
            volumes.len(),
            vol_active,
            hs(vol_total),
            with_percent(vol_idle, vol_total),
        ),
        row("Build Cache", 0, 0, hs(0), hs(0)),
    ];
    let format = match cmd.value("format") {
        Some(f) if !f.is_empty() => f.to_string(),
        _ => {
            "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}".to_string()
        }
    };
    let header: &[(&str, &str)] = &[
        ("Type", "TYPE"),
        ("TotalCount", "TOTAL"),
        ("Active", "ACTIVE"),
        ("Size", "SIZE"),
        ("Reclaimable", "RECLAIMABLE"),
    ];
    super::template::write_table(io, &format, &rows, "formatter.diskUsageContext", header)
}

// ------------------------------------------------------------------------------------------
// docker update

fn update(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    if cmd.flags.is_empty() {
        io.err
            .write("you must provide one or more flags when using this command\n");
        return 1;
    }
    let mut change = swarm_core::container::ContainerUpdate {
        memory: cmd
            .value("memory")
            .and_then(|v| super::service_cmd::opts::ram_in_bytes(v).ok()),
        memory_swap: cmd.value("memory-swap").is_some(),
        nano_cpus: cmd
            .value("cpus")
            .and_then(|v| super::service_cmd::opts::nano_cpus(v).ok()),
        pids_limit: cmd.value("pids-limit").and_then(|v| v.parse::<i64>().ok()),
        restart: None,
    };
    let mut errors: Vec<String> = Vec::new();
    if let Some(v) = cmd.value("restart") {
        match super::container_cmd::parse_restart(v) {
            Ok(p) => change.restart = Some(p),
            Err((true, e)) => {
                io.err.write(&format!("{e}\n"));
                return 1;
            }
            Err((false, e)) => errors.push(format!("Error response from daemon: {e}")),
        }
    }
    if let Err(e) = swarm_core::container::verify_resources(0, change.nano_cpus.unwrap_or(0)) {
        errors.push(format!("Error response from daemon: {e}"));
    }
    if !errors.is_empty() {
        // The daemon answers each container with the same validation error.
        io.err.write(&format!("{}\n", errors.join("\n")));
        return 1;
    }
    let world = interp.world();
    super::container_cmd::each_container(io, &cmd.args, |reference| {
        world.borrow_mut().container_update(m, reference, &change)
    })
}
