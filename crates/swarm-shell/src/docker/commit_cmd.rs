//! `docker diff`, `docker commit` and `docker history` (`image history`): a container's layer
//! against its image, a new image made of it, and the steps an image was made by.
//!
//! The changes are the core's (`World::container_changes`: the layer compared with the tree
//! its image gives, as overlay2 reports them). A commit is an image made as `docker build`
//! makes one (`Image::built_from` the container's image, `Catalog::register_built`,
//! `World::image_add_built`), with the container's configuration, the `--change`
//! instructions applied by `build_cmd::apply_metadata`, the layer's files, and one history row
//! for the commit over its image's rows.

use serde_json::{json, Value};
use swarm_core::catalog::{Catalog, Image};
use swarm_core::container::hex64;
use swarm_core::history::HistoryRow;
use swarm_core::MachineId;

use super::cli::Parsed;
use super::swarm_cmd::daemon_error;
use super::Status;
use crate::exec::{Interp, Io};
use crate::format;

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(
        path,
        "diff" | "container diff" | "commit" | "container commit" | "history" | "image history"
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
        "diff" | "container diff" => diff(interp, m, cmd, io),
        "commit" | "container commit" => commit(interp, m, cmd, io),
        _ => history(interp, m, cmd, io),
    }
}

// ------------------------------------------------------------------------------------------
// docker diff

fn diff(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let name = cmd.args.first().map_or("", String::as_str);
    let world = interp.world();
    let w = world.borrow();
    let id = match w.find_container(m, name) {
        Ok(c) => c.id.clone(),
        Err(e) => return daemon_error(io, &e),
    };
    let mut out = String::new();
    for (kind, path) in w.container_changes(m, &id).unwrap_or_default() {
        out.push_str(&format!("{} {path}\n", kind.letter()));
    }
    io.out.write(&out);
    0
}

// ------------------------------------------------------------------------------------------
// docker commit

/// The instructions moby's `BuildFromConfig` accepts in `--change`.
const CHANGE_COMMANDS: &[&str] = &[
    "cmd",
    "entrypoint",
    "healthcheck",
    "env",
    "expose",
    "label",
    "onbuild",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

fn commit(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let name = cmd.args.first().map_or("", String::as_str);
    let reference = cmd.args.get(1).map(String::as_str);
    // The client parses the reference before it asks the daemon.
    let tag = match reference {
        None => None,
        Some(r) if r.contains('@') && format::container::reference_error(r).is_none() => {
            io.err
                .write("refusing to create a tag with a digest reference\n");
            return 1;
        }
        Some(r) => match format::container::ImageRef::parse_normalized(r) {
            Some(mut parsed) => {
                if parsed.tag.is_none() {
                    parsed.tag = Some("latest".into());
                }
                Some(parsed.familiar_string())
            }
            None => {
                let e = format::container::reference_error(r)
                    .unwrap_or_else(|| "invalid reference format".to_string());
                let why = e.rsplit_once(": ").map_or(e.as_str(), |(_, w)| w);
                let why = if why.starts_with("repository name") {
                    format!("invalid reference format: {why}")
                } else {
                    why.to_string()
                };
                io.err.write(&format!("{why}\n"));
                return 1;
            }
        },
    };
    let world = interp.world();
    let (c, base) = {
        let w = world.borrow();
        let c = match w.find_container(m, name) {
            Ok(c) => c.clone(),
            Err(e) => return daemon_error(io, &e),
        };
        let base = Catalog::get().lookup_or_id(&c.config.image, &c.image_id);
        (c, base)
    };
    // `--change`: Dockerfile lines, each a command the commit may apply.
    let mut changes: Vec<(String, String)> = Vec::new();
    for line in cmd.values("change").iter().flat_map(|v| v.lines()) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, args) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let lower = word.to_ascii_lowercase();
        if !CHANGE_COMMANDS.contains(&lower.as_str()) {
            return daemon_error(io, &format!("{lower} is not a valid change command"));
        }
        changes.push((word.to_ascii_uppercase(), args.trim().to_string()));
    }
    let base_id = c.image_id.clone();
    let (base_size, base_created) = match base {
        Some(b) => (b.size, b.created_unix),
        None => world
            .borrow()
            .images(m)
            .into_iter()
            .find(|i| i.id == base_id)
            .map_or((0, 0), |i| (i.size, i.created_unix)),
    };
    let mut img = Image::built_from(base, "", "", &base_id, base_size, base_created);
    // The container's configuration, as `docker inspect` shows it, becomes the image's.
    let cmd_value: Vec<String> = if !c.config.args.is_empty() {
        c.config.args.clone()
    } else if c.config.entrypoint.is_some() {
        Vec::new()
    } else {
        img.cmd.clone()
    };
    let base_command = (img.entrypoint.clone(), img.cmd.clone());
    if let Some(e) = &c.config.entrypoint {
        img.entrypoint = e.clone();
    }
    img.cmd = cmd_value.clone();
    for e in &c.config.env {
        let key = e.split('=').next().unwrap_or("");
        img.env.retain(|x| x.split('=').next() != Some(key));
        img.env.push(e.clone());
    }
    if !c.config.workdir.is_empty() {
        img.workdir = c.config.workdir.clone();
    }
    if !c.config.user.is_empty() {
        img.user = c.config.user.clone();
    }
    img.labels.extend(c.config.labels.clone());
    for p in &c.config.ports {
        let key = format!("{}/{}", p.container_port, p.proto);
        if !img.exposed_ports.contains(&key) {
            img.exposed_ports.push(key);
        }
    }
    if c.config.healthcheck.is_some() {
        img.healthcheck = c.config.healthcheck.clone();
    }
    for (keyword, args) in &changes {
        if let Err(e) = super::build_cmd::apply_metadata(&mut img, keyword, args) {
            return daemon_error(io, &format!("dockerfile parse error line 1: {e}"));
        }
    }
    if (img.entrypoint.clone(), img.cmd.clone()) != base_command {
        img.retarget_behaviour();
    }
    // The layer: what the container changed, over what its image holds.
    let layer = world
        .borrow()
        .container_layer_changes(m, &c.id)
        .unwrap_or_default();
    let layer_bytes: u64 = layer.files.iter().map(|f| f.data.len() as u64).sum();
    {
        let files = std::sync::Arc::make_mut(&mut img.files);
        for p in &layer.removed {
            let below = format!("{p}/");
            files.retain(|f| f.path != *p && !f.path.starts_with(&below));
        }
        for f in &layer.files {
            files.retain(|o| o.path != f.path);
            files.push(f.clone());
        }
        let dirs = std::sync::Arc::make_mut(&mut img.dirs);
        for d in &layer.dirs {
            if !dirs.contains(d) {
                dirs.push(d.clone());
            }
        }
        let removed = std::sync::Arc::make_mut(&mut img.removed);
        for p in &layer.removed {
            if !removed.contains(p) {
                removed.push(p.clone());
            }
        }
    }
    let created = crate::model::unix_ms(world.borrow().now()) / 1000;
    // moby names the image by its config, which holds the time, the configuration and the
    // layer's digest.
    let layer_digest: String = layer
        .files
        .iter()
        .map(|f| {
            format!(
                "{}:{:o}:{}\n",
                f.path,
                f.mode,
                hex64(&String::from_utf8_lossy(&f.data))
            )
        })
        .chain(
            layer
                .dirs
                .iter()
                .map(|(d, mode)| format!("{d}/:{mode:o}\n")),
        )
        .chain(layer.removed.iter().map(|p| format!("-{p}\n")))
        .collect();
    let config_text = format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{}\n{}\n{:?}\n{:?}\n{:?}\n{:?}",
        img.entrypoint,
        img.cmd,
        img.env,
        img.labels,
        img.workdir,
        img.user,
        img.exposed_ports,
        img.volumes,
        img.healthcheck,
        cmd.value("author")
    );
    let comment = cmd.value("message").unwrap_or("").to_string();
    let id = format!(
        "sha256:{}",
        hex64(&format!(
            "commit\n{base_id}\n{}\n{created}\n{comment}\n{config_text}\n{layer_digest}",
            c.id
        ))
    );
    let mut rows = match base {
        Some(b) => b.history_rows(),
        None => vec![HistoryRow {
            created_unix: base_created,
            size: base_size,
            ..HistoryRow::default()
        }],
    };
    if let Some(top) = rows.last_mut() {
        top.image = base_id.clone();
    }
    rows.push(HistoryRow {
        created_unix: created,
        created_by: cmd_value.join(" "),
        comment,
        size: layer_bytes,
        image: id.clone(),
    });
    img.history = std::sync::Arc::new(rows);
    let built = Image::built_from(Some(&img), "", "", &id, base_size + layer_bytes, created);
    let recorded = Catalog::register_built(built.clone());
    let base_layers: Vec<String> = world
        .borrow()
        .images(m)
        .into_iter()
        .find(|i| i.id == base_id)
        .map(|i| i.layers.clone())
        .unwrap_or_default();
    let tags: Vec<String> = tag.into_iter().collect();
    world
        .borrow_mut()
        .image_add_built(m, recorded.unwrap_or(&built), &base_layers, 1, &tags);
    io.out.write(&format!("{id}\n"));
    0
}

// ------------------------------------------------------------------------------------------
// docker history

/// docker/cli's history headers.
const HISTORY_HEADER: &[(&str, &str)] = &[
    ("ID", "IMAGE"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("CreatedBy", "CREATED BY"),
    ("Size", "SIZE"),
    ("Comment", "COMMENT"),
];

/// Go's `time.RFC3339` of a Unix time, in UTC (the machines' zone).
fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, mo, d) = swarm_core::time::civil_from_days(days);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn history(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let reference = cmd.args.first().map_or("", String::as_str);
    if let Some(p) = cmd.value("platform").filter(|p| !p.is_empty()) {
        let os = p.split('/').next().unwrap_or("");
        if os.is_empty()
            || !os
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            io.err.write(&format!(
                "invalid platform: \"{p}\": unknown operating system or architecture: invalid argument\n"
            ));
            return 1;
        }
    }
    let world = interp.world();
    let w = world.borrow();
    let rows = match w.image_history(m, reference) {
        Ok(r) => r,
        Err(e) => return daemon_error(io, &e),
    };
    let now = crate::model::unix_ms(w.now()) / 1000;
    drop(w);
    let human = cmd.value("human") != Some("false");
    let trunc = !cmd.bool("no-trunc");
    let quiet = cmd.bool("quiet");
    let cells = |id: &str, row: &HistoryRow| {
        let id = if trunc {
            let hex = id.strip_prefix("sha256:").unwrap_or(id);
            hex.get(..12).unwrap_or(hex).to_string()
        } else {
            id.to_string()
        };
        let created_at = rfc3339(row.created_unix);
        let since = if !human {
            created_at.clone()
        } else if row.created_unix <= 946_684_800 {
            String::new()
        } else {
            let ms = (now - row.created_unix).max(0) as u64 * 1000;
            format!("{} ago", format::units::human_duration(ms))
        };
        let by = row.created_by.replace('\t', " ");
        let by = if trunc {
            format::container::ellipsis(&by, 45)
        } else {
            by
        };
        let size = if human {
            format::container::human_size3(row.size as f64)
        } else {
            row.size.to_string()
        };
        (id, since, created_at, by, size, row.comment.clone())
    };
    let format = cmd.value("format").unwrap_or("");
    if !format.is_empty() && format != "table" {
        let values: Vec<Value> = rows
            .iter()
            .map(|(id, row)| {
                let (id, since, at, by, size, comment) = cells(id, row);
                json!({
                    "Comment": comment,
                    "CreatedAt": at,
                    "CreatedBy": by,
                    "CreatedSince": since,
                    "ID": id,
                    "Size": size,
                })
            })
            .collect();
        return super::template::write_table(
            io,
            format,
            &values,
            "image.historyContext",
            HISTORY_HEADER,
        );
    }
    if quiet {
        let mut out = String::new();
        for (id, row) in &rows {
            out.push_str(&cells(id, row).0);
            out.push('\n');
        }
        io.out.write(&out);
        return 0;
    }
    let mut text = format!(
        "IMAGE\t{}\tCREATED BY\tSIZE\tCOMMENT\n",
        if human { "CREATED" } else { "CREATED AT" }
    );
    for (id, row) in &rows {
        let (id, since, _, by, size, comment) = cells(id, row);
        text.push_str(&format!("{id}\t{since}\t{by}\t{size}\t{comment}\n"));
    }
    io.out.write(&format::tabwriter::render(&text));
    0
}
