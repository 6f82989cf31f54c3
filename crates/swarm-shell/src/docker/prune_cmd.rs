//! `docker container prune`, `docker image prune`, `docker network prune` and
//! `docker system prune` (docker/cli 28's `prune.go` files over moby's prune semantics, see
//! `swarm_core::prune`).
//!
//! Each asks its `[y/N]` question unless `-f/--force` (declining prints nothing, status 0),
//! then sends the filters to the daemon, which rejects unknown keys and bad `until` values
//! (after the question, as the real CLI does). Output: `Deleted Containers:` (full IDs),
//! `Deleted Images:` (`untagged: …`/`deleted: …`), `Deleted Networks:` (names, and no
//! reclaimed space), each followed by a blank line, then `Total reclaimed space: …`.

use swarm_core::prune::PruneFilter;
use swarm_core::volume::VolumeFilter;
use swarm_core::MachineId;

use super::cli::Parsed;
use super::swarm_cmd::daemon_error;
use super::Status;
use crate::exec::{Interp, Io};

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "container prune" | "image prune" | "network prune" | "system prune"
    )
}

/// Runs one of this module's commands against machine `m`'s engine.
pub(crate) async fn run(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let raw = match super::volume_cmd::filters(cmd, path, io) {
        Ok(f) => f,
        Err(s) => return s,
    };
    match path {
        "container prune" => container(interp, m, cmd, &raw, io).await,
        "image prune" => image(interp, m, cmd, &raw, io).await,
        "network prune" => network(interp, m, cmd, &raw, io).await,
        _ => system(interp, m, cmd, &raw, io).await,
    }
}

fn human(bytes: u64) -> String {
    crate::format::units::human_size(bytes as f64)
}

/// The filters as the daemon reads them (`key=value`, keys lower-cased and trimmed as the
/// CLI's `FilterOpt` does); only `accepted` keys; `until` as moby's `GetTimestamp` reads it.
pub(crate) fn parse_filter(
    now: swarm_core::SimTime,
    raw: &[String],
    accepted: &[&str],
) -> Result<PruneFilter, String> {
    let mut f = PruneFilter::default();
    let mut untils: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    for r in raw {
        let Some((k, v)) = r.split_once('=') else {
            return Err("bad format of filter (expected name=value)".into());
        };
        pairs.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !accepted.contains(&k.as_str())) {
        return Err(format!("invalid filter '{k}'"));
    }
    for (k, v) in pairs {
        match k.as_str() {
            "label" => f.labels.push(v),
            "label!" => f.not_labels.push(v),
            "until" if !untils.contains(&v) => untils.push(v),
            _ => {}
        }
    }
    if untils.len() > 1 {
        return Err("more than one until filter specified".into());
    }
    if let Some(v) = untils.first() {
        let Some(t) = super::container_cmd::parse_time_arg(v, now) else {
            return Err(format!(
                "failed to parse value as time or duration: \"{v}\""
            ));
        };
        f.until = Some(t);
        f.until_unix = Some(crate::model::unix_ms(t).div_euclid(1000));
    }
    Ok(f)
}

pub(crate) const CONTAINER_FILTERS: &[&str] = &["label", "label!", "until"];
pub(crate) const IMAGE_FILTERS: &[&str] = &["dangling", "label", "label!", "until"];
pub(crate) const NETWORK_FILTERS: &[&str] = &["label", "label!", "until"];

/// Whether every unused image goes: the CLI adds `dangling=<not all>` to the user's filters
/// and moby's `GetBoolOrDefault` reads them all (true and false together is an error).
pub(crate) fn dangling_all(all: bool, raw: &[String]) -> Result<bool, String> {
    let mut values: Vec<String> = vec![(!all).to_string()];
    for r in raw {
        if let Some((k, v)) = r.split_once('=') {
            let v = v.trim().to_string();
            if k.trim().eq_ignore_ascii_case("dangling") && !values.contains(&v) {
                values.push(v);
            }
        }
    }
    let is_true = values.iter().any(|v| v == "1" || v == "true");
    let is_false = values.iter().any(|v| v == "0" || v == "false");
    if is_true == is_false {
        values.sort();
        return Err(format!("invalid filter 'dangling={}'", values.join(",")));
    }
    Ok(is_false)
}

/// The container part: `Deleted Containers:` and the bytes, or the daemon's error.
fn prune_containers(
    interp: &Interp,
    m: MachineId,
    raw: &[String],
) -> Result<(String, u64), String> {
    let filter = parse_filter(interp.world().borrow().now(), raw, CONTAINER_FILTERS)?;
    let (ids, bytes) = interp.world().borrow_mut().container_prune(m, &filter);
    if ids.is_empty() {
        return Ok((String::new(), 0));
    }
    let mut out = String::from("Deleted Containers:\n");
    for id in ids {
        out.push_str(&id);
        out.push('\n');
    }
    Ok((out, bytes))
}

fn prune_images(
    interp: &Interp,
    m: MachineId,
    all: bool,
    raw: &[String],
) -> Result<(String, u64), String> {
    let filter = parse_filter(interp.world().borrow().now(), raw, IMAGE_FILTERS)?;
    let all = dangling_all(all, raw)?;
    let report = interp.world().borrow_mut().image_prune(m, all, &filter);
    if report.lines.is_empty() {
        return Ok((String::new(), 0));
    }
    let mut out = String::from("Deleted Images:\n");
    for (untagged, what) in &report.lines {
        out.push_str(if *untagged { "untagged: " } else { "deleted: " });
        out.push_str(what);
        out.push('\n');
    }
    Ok((out, report.bytes))
}

async fn prune_networks(interp: &Interp, m: MachineId, raw: &[String]) -> Result<String, String> {
    let filter = parse_filter(interp.world().borrow().now(), raw, NETWORK_FILTERS)?;
    let world = interp.world();
    // Swarm networks first (on a manager), then the local ones, as moby's NetworksPrune.
    let candidates = world.borrow().swarm_network_prune_candidates(m, &filter);
    let mut names = Vec::new();
    for (id, name) in candidates {
        let h = world.borrow_mut().network_remove(m, &id);
        if let Ok(h) = h {
            if super::swarm_cmd::wait(interp, h).await.is_ok() {
                names.push(name);
            }
        }
    }
    names.extend(world.borrow_mut().local_network_prune(m, &filter));
    if names.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from("Deleted Networks:\n");
    for n in names {
        out.push_str(&n);
        out.push('\n');
    }
    Ok(out)
}

/// Anonymous volumes, as `docker system prune --volumes` prunes them.
fn prune_volumes(interp: &Interp, m: MachineId, raw: &[String]) -> Result<(String, u64), String> {
    let filter = VolumeFilter::parse(raw, true)?;
    let (names, bytes) = interp.world().borrow_mut().volume_prune(m, false, &filter);
    if names.is_empty() {
        return Ok((String::new(), 0));
    }
    let mut out = String::from("Deleted Volumes:\n");
    for n in names {
        out.push_str(&n);
        out.push('\n');
    }
    Ok((out, bytes))
}

/// Prints a section as docker/cli does (`Fprintln(output)`: a blank line after it).
fn section(io: &Io, out: &str) {
    if !out.is_empty() {
        io.out.write(&format!("{out}\n"));
    }
}

async fn container(interp: &Interp, m: MachineId, cmd: &Parsed, raw: &[String], io: &Io) -> Status {
    if !cmd.bool("force")
        && !super::confirm(
            interp,
            io,
            "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?",
        )
        .await
    {
        return 0;
    }
    match prune_containers(interp, m, raw) {
        Ok((out, bytes)) => {
            section(io, &out);
            io.out
                .write(&format!("Total reclaimed space: {}\n", human(bytes)));
            0
        }
        Err(e) => daemon_error(io, &e),
    }
}

async fn image(interp: &Interp, m: MachineId, cmd: &Parsed, raw: &[String], io: &Io) -> Status {
    let all = cmd.bool("all");
    let warning = if all {
        "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?"
    } else {
        "WARNING! This will remove all dangling images.\nAre you sure you want to continue?"
    };
    if !cmd.bool("force") && !super::confirm(interp, io, warning).await {
        return 0;
    }
    match prune_images(interp, m, all, raw) {
        Ok((out, bytes)) => {
            section(io, &out);
            io.out
                .write(&format!("Total reclaimed space: {}\n", human(bytes)));
            0
        }
        Err(e) => daemon_error(io, &e),
    }
}

async fn network(interp: &Interp, m: MachineId, cmd: &Parsed, raw: &[String], io: &Io) -> Status {
    if !cmd.bool("force")
        && !super::confirm(
            interp,
            io,
            "WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?",
        )
        .await
    {
        return 0;
    }
    match prune_networks(interp, m, raw).await {
        Ok(out) => {
            section(io, &out);
            0
        }
        Err(e) => daemon_error(io, &e),
    }
}

/// docker/cli's `confirmationMessage`: what will go, and the filters (`label`, `label!`,
/// `until`, naturally sorted).
fn system_warning(all: bool, volumes: bool, raw: &[String]) -> String {
    let mut warnings = vec![
        "all stopped containers",
        "all networks not used by at least one container",
    ];
    if volumes {
        warnings.push("all anonymous volumes not used by at least one container");
    }
    warnings.push(if all {
        "all images without at least one container associated to them"
    } else {
        "all dangling images"
    });
    warnings.push(if all {
        "all build cache"
    } else {
        "unused build cache"
    });
    let mut text = String::from("WARNING! This will remove:");
    for w in warnings {
        text.push_str("\n  - ");
        text.push_str(w);
    }
    text.push('\n');
    let mut filters: Vec<String> = Vec::new();
    for name in ["label", "label!", "until"] {
        for r in raw {
            if let Some((k, v)) = r.split_once('=') {
                let f = format!("{name}={}", v.trim());
                if k.trim().eq_ignore_ascii_case(name) && !filters.contains(&f) {
                    filters.push(f);
                }
            }
        }
    }
    if !filters.is_empty() {
        filters.sort_by(|a, b| crate::format::text::natural_cmp(a, b));
        text.push_str("\n  Items to be pruned will be filtered with:");
        for f in filters {
            text.push_str("\n  - ");
            text.push_str(&f);
        }
        text.push('\n');
    }
    text.push_str("\nAre you sure you want to continue?");
    text
}

async fn system(interp: &Interp, m: MachineId, cmd: &Parsed, raw: &[String], io: &Io) -> Status {
    let all = cmd.bool("all");
    let volumes = cmd.bool("volumes");
    let has_until = raw.iter().any(|r| {
        r.split_once('=')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("until"))
    });
    if volumes && has_until {
        io.err
            .write("ERROR: The \"until\" filter is not supported with \"--volumes\"\n");
        return 1;
    }
    if !cmd.bool("force") && !super::confirm(interp, io, &system_warning(all, volumes, raw)).await {
        return 0;
    }
    let mut total = 0;
    match prune_containers(interp, m, raw) {
        Ok((out, bytes)) => {
            section(io, &out);
            total += bytes;
        }
        Err(e) => return daemon_error(io, &e),
    }
    match prune_networks(interp, m, raw).await {
        Ok(out) => section(io, &out),
        Err(e) => return daemon_error(io, &e),
    }
    if volumes {
        match prune_volumes(interp, m, raw) {
            Ok((out, bytes)) => {
                section(io, &out);
                total += bytes;
            }
            Err(e) => return daemon_error(io, &e),
        }
    }
    match prune_images(interp, m, all, raw) {
        Ok((out, bytes)) => {
            section(io, &out);
            total += bytes;
        }
        Err(e) => return daemon_error(io, &e),
    }
    io.out
        .write(&format!("Total reclaimed space: {}\n", human(total)));
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_warning_matches_docker_cli_28() {
        assert_eq!(
            system_warning(false, false, &[]),
            "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to continue?"
        );
        let raw: Vec<String> = ["label=a", "until=1h", "label!=b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            system_warning(true, false, &raw),
            "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n\n  Items to be pruned will be filtered with:\n  - label!=b\n  - label=a\n  - until=1h\n\nAre you sure you want to continue?"
        );
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(dangling_all(false, &[]), Ok(false));
        assert_eq!(dangling_all(true, &[]), Ok(true));
        assert_eq!(dangling_all(true, &f(&["dangling=false"])), Ok(true));
        assert_eq!(dangling_all(false, &f(&["dangling=maybe"])), Ok(false));
        assert_eq!(
            dangling_all(false, &f(&["dangling=false"])),
            Err("invalid filter 'dangling=false,true'".to_string())
        );
        assert!(system_warning(false, true, &[])
            .contains("  - all anonymous volumes not used by at least one container\n  - all dangling images\n"));
    }
}
