//! Container and image formats: `docker ps`, `docker stats --no-stream`, `docker image ls`,
//! the output of `docker pull`, and two helpers the other formats share: docker/cli's
//! `Ellipsis` and a parser for image references (`distribution/reference`).

use super::tabwriter::{self, char_width};
use super::text::truncate_id;
use super::units::{bytes_size, human_duration};

// ---------------------------------------------------------------------------------------
// Shared helpers

/// docker/cli's `formatter.Ellipsis`: cuts `s` to at most `max_width` display columns
/// (East-Asian wide and fullwidth characters count 2, all others 1), ending with `…`.
/// A width of 0 gives an empty string and a width of 1 the first character alone.
pub fn ellipsis(s: &str, max_width: usize) -> String {
    if max_width == 0 {
        return String::new();
    }
    let chars: Vec<char> = s.chars().collect();
    if max_width == 1 {
        return chars.first().map(|c| c.to_string()).unwrap_or_default();
    }
    if s.len() == chars.len() {
        // Plain ASCII: one column per byte.
        if s.len() <= max_width {
            return s.to_string();
        }
        return format!("{}…", &s[..max_width - 1]);
    }
    let mut ends = Vec::with_capacity(chars.len());
    let mut width = 0;
    for &c in &chars {
        width += if char_width(c) == 2 { 2 } else { 1 };
        ends.push(width);
    }
    if width <= max_width {
        return s.to_string();
    }
    for i in 0..ends.len().saturating_sub(1) {
        if ends[i] < max_width && ends[i + 1] >= max_width {
            let kept: String = chars[..=i].iter().collect();
            return format!("{kept}…");
        }
    }
    s.to_string()
}

/// Go's `strconv.Quote`: double quotes around the string, with `"` and `\` escaped, the usual
/// escapes for control characters (`\n`, `\t`, …), `\x..` for other control bytes and
/// `\u....` for other non-printable characters.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (0x80..0xa0).contains(&(c as u32))
                || c == '\u{ad}'
                || ('\u{200b}'..='\u{200f}').contains(&c)
                || ('\u{2028}'..='\u{202e}').contains(&c)
                || c == '\u{feff}' =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An image reference as `reference.ParseNormalizedNamed` understands it: `nginx` is
/// `docker.io/library/nginx`, `user/app:1` is `docker.io/user/app:1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry: `docker.io`, `registry.example.com:5000`, `localhost`, …
    pub domain: String,
    /// The repository path: `library/nginx`, `team/app`.
    pub path: String,
    /// The tag, without `:`.
    pub tag: Option<String>,
    /// The digest, `sha256:…`.
    pub digest: Option<String>,
}

/// A bare 64-hex image ID, which a reference may not be.
fn is_full_hex_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The CLI's own check of a reference (`reference.ParseNormalizedNamed`, as `docker tag`
/// runs it before it asks the daemon): its error text, or `None` when the reference is well
/// formed.
pub fn reference_error(s: &str) -> Option<String> {
    let why = if is_full_hex_id(s) {
        format!("invalid repository name ({s}), cannot specify 64-byte hexadecimal strings")
    } else {
        // distribution/reference's splitDockerDomain: a first component without `.` or `:`
        // that is not `localhost` (nor upper-case) is a Docker Hub path.
        let rest = match s.split_once('/') {
            Some((d, r)) if d.contains(['.', ':']) || d == "localhost" || d.to_lowercase() != d => {
                r.to_string()
            }
            Some(_) => s.to_string(),
            None => format!("library/{s}"),
        };
        let remote = rest.split_once(':').map_or(rest.as_str(), |(r, _)| r);
        if remote.to_lowercase() != remote {
            format!("invalid reference format: repository name ({remote}) must be lowercase")
        } else if ImageRef::parse_normalized(s).is_none() {
            "invalid reference format".to_string()
        } else {
            return None;
        }
    };
    Some(format!(
        "Error parsing reference: \"{s}\" is not a valid repository/tag: {why}"
    ))
}

impl ImageRef {
    /// Parses and normalizes a reference; `None` for what docker rejects (upper-case
    /// repository names, 64-hex IDs, empty or malformed parts).
    pub fn parse_normalized(s: &str) -> Option<ImageRef> {
        if is_full_hex_id(s) {
            return None;
        }
        let (name_and_tag, digest) = match s.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (s, None),
        };
        let (name, tag) = match name_and_tag.rfind(':') {
            Some(i) if !name_and_tag[i..].contains('/') => {
                (&name_and_tag[..i], Some(&name_and_tag[i + 1..]))
            }
            _ => (name_and_tag, None),
        };
        let (domain, mut path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.to_lowercase() != first =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let domain = if domain == "index.docker.io" {
            "docker.io".to_string()
        } else {
            domain
        };
        if domain == "docker.io" && !path.contains('/') {
            path = format!("library/{path}");
        }
        if !valid_domain(&domain) || !path.split('/').all(valid_path_component) {
            return None;
        }
        if let Some(tag) = tag {
            if !valid_tag(tag) {
                return None;
            }
        }
        if let Some(digest) = digest {
            if !valid_digest(digest) {
                return None;
            }
        }
        Some(ImageRef {
            domain,
            path,
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    /// `reference.FamiliarName`: `nginx`, `user/app`, `registry.example.com/team/app`.
    pub fn familiar_name(&self) -> String {
        if self.domain == "docker.io" {
            match self.path.strip_prefix("library/") {
                Some(rest) if !rest.contains('/') => rest.to_string(),
                _ => self.path.clone(),
            }
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// `reference.FamiliarString`: the familiar name with `:tag` and `@digest`.
    pub fn familiar_string(&self) -> String {
        self.with_name(self.familiar_name())
    }

    /// The full form: `docker.io/library/nginx:latest`.
    pub fn full_string(&self) -> String {
        self.with_name(format!("{}/{}", self.domain, self.path))
    }

    fn with_name(&self, mut name: String) -> String {
        if let Some(tag) = &self.tag {
            name.push(':');
            name.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            name.push('@');
            name.push_str(digest);
        }
        name
    }
}

fn valid_domain(domain: &str) -> bool {
    let host = match domain.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.starts_with('[') => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            host
        }
        _ => domain,
    };
    if host.starts_with('[') {
        return host.ends_with(']');
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
fn valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or a run of `-`.
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &component[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-')) {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    tag.len() <= 128
        && tag.bytes().next().is_some_and(word)
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

/// `algorithm:hex` with at least 32 hex characters.
fn valid_digest(digest: &str) -> bool {
    match digest.split_once(':') {
        Some((algorithm, hex)) => {
            !algorithm.is_empty()
                && algorithm
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+.-_".contains(&b))
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// Go's `%.<prec>g`: `prec` significant digits without trailing zeros, in exponent form
/// (`1e+03`) when the decimal exponent is below -4 or at least `prec`.
fn format_g(v: f64, prec: usize) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let prec = prec.max(1);
    let sci = format!("{v:.*e}", prec - 1);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if exp < -4 || exp >= prec as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim(mantissa), exp.unsigned_abs());
    }
    let decimals = usize::try_from(prec as i32 - 1 - exp).unwrap_or(0);
    trim(&format!("{v:.decimals$}"))
}

/// go-units' `HumanSizeWithPrecision(size, 3)`: decimal units, three significant digits
/// (`187MB`, `1.45kB`, `0B`).
pub fn human_size3(size: f64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = size;
    let mut i = 0;
    while size >= 1000.0 && i + 1 < UNITS.len() {
        size /= 1000.0;
        i += 1;
    }
    format!("{}{}", format_g(size, 3), UNITS[i])
}

// ---------------------------------------------------------------------------------------
// docker ps

/// A port of a container, as `docker ps` gets it from the API (`container.Port`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerPort {
    /// The host address it is published on (`0.0.0.0`, `::`); empty when only exposed.
    pub ip: String,
    /// The port inside the container.
    pub private_port: u16,
    /// The port on the host (0 when only exposed).
    pub public_port: u16,
    /// `tcp`, `udp` or `sctp`.
    pub kind: String,
}

/// The state behind a container's STATUS text (the daemon's `State.String()`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ContainerStatus {
    /// Never started: `Created`.
    #[default]
    Created,
    /// Running: `Up 5 seconds`, `Up 2 minutes (healthy)`, `Up 3 seconds (health: starting)`,
    /// `Up 1 second (Paused)`.
    Running {
        /// Milliseconds since it started.
        up_ms: u64,
        /// The health status (`starting`, `healthy`, `unhealthy`) when it has a healthcheck.
        health: Option<String>,
        /// Whether it is paused.
        paused: bool,
    },
    /// Waiting to be restarted: `Restarting (1) 2 seconds ago`.
    Restarting {
        /// The last exit code.
        exit_code: i64,
        /// Milliseconds since it exited.
        since_ms: u64,
    },
    /// Stopped: `Exited (137) 3 seconds ago`.
    Exited {
        /// The exit code.
        exit_code: i64,
        /// Milliseconds since it exited.
        since_ms: u64,
    },
    /// Being removed: `Removal In Progress`.
    RemovalInProgress,
    /// `Dead`.
    Dead,
}

/// The STATUS text of a container, as the daemon writes it.
pub fn container_status(status: &ContainerStatus) -> String {
    match status {
        ContainerStatus::Created => "Created".to_string(),
        ContainerStatus::Running {
            up_ms,
            health,
            paused,
        } => {
            let up = human_duration(*up_ms);
            if *paused {
                format!("Up {up} (Paused)")
            } else {
                match health.as_deref() {
                    Some("starting") => format!("Up {up} (health: starting)"),
                    Some(h) => format!("Up {up} ({h})"),
                    None => format!("Up {up}"),
                }
            }
        }
        ContainerStatus::Restarting {
            exit_code,
            since_ms,
        } => format!("Restarting ({exit_code}) {} ago", human_duration(*since_ms)),
        ContainerStatus::Exited {
            exit_code,
            since_ms,
        } => format!("Exited ({exit_code}) {} ago", human_duration(*since_ms)),
        ContainerStatus::RemovalInProgress => "Removal In Progress".to_string(),
        ContainerStatus::Dead => "Dead".to_string(),
    }
}

/// One container of `docker ps`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerRow {
    /// The full 64-hex container ID.
    pub id: String,
    /// `Image`: the reference the container was created from (or an image ID).
    pub image: String,
    /// `ImageID`: `sha256:…` of the image.
    pub image_id: String,
    /// `Command`: the entrypoint and command joined with spaces.
    pub command: String,
    /// Milliseconds since the container was created.
    pub created_ago_ms: u64,
    /// Its state.
    pub status: ContainerStatus,
    /// Its ports.
    pub ports: Vec<ContainerPort>,
    /// `Names`, as the API gives them (with or without the leading `/`).
    pub names: Vec<String>,
}

/// docker/cli's `DisplayablePorts`: ports published on another host port as
/// `0.0.0.0:8080->80/tcp`, ports published on the same port and exposed ports grouped into
/// ranges (`0.0.0.0:80-81->80-81/tcp`, `80/tcp`), joined with `, `.
pub fn displayable_ports(ports: &[ContainerPort]) -> String {
    let mut sorted: Vec<&ContainerPort> = ports.iter().collect();
    swarm_core::sort::sort_by(&mut sorted, |a, b| {
        a.private_port
            .cmp(&b.private_port)
            .then_with(|| a.ip.cmp(&b.ip))
            .then(a.public_port.cmp(&b.public_port))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    // Groups by key (`tcp`, or `0.0.0.0/tcp`), in the order the keys first appear.
    let mut groups: Vec<(String, u16, u16)> = Vec::new();
    let mut result = Vec::new();
    let mut host_mappings = Vec::new();
    for port in sorted {
        let current = port.private_port;
        let mut key = port.kind.clone();
        if !port.ip.is_empty() {
            if port.public_port != current {
                host_mappings.push(format!(
                    "{}->{}/{}",
                    join_host_port(&port.ip, &port.public_port.to_string()),
                    port.private_port,
                    port.kind
                ));
                continue;
            }
            key = format!("{}/{}", port.ip, port.kind);
        }
        match groups.iter_mut().find(|(k, _, _)| *k == key) {
            None => groups.push((key, current, current)),
            Some(group) => {
                if group.2.checked_add(1) == Some(current) {
                    group.2 = current;
                } else {
                    result.push(form_group(&group.0, group.1, group.2));
                    group.1 = current;
                    group.2 = current;
                }
            }
        }
    }
    for (key, first, last) in &groups {
        result.push(form_group(key, *first, *last));
    }
    result.extend(host_mappings);
    result.join(", ")
}

/// Go's `net.JoinHostPort`: IPv6 hosts in brackets.
fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn form_group(key: &str, first: u16, last: u16) -> String {
    let (ip, kind) = match key.split_once('/') {
        Some((ip, kind)) => (ip, kind),
        None => ("", key),
    };
    let mut group = first.to_string();
    if first != last {
        group = format!("{group}-{last}");
    }
    if !ip.is_empty() {
        group = format!("{}->{group}", join_host_port(ip, &group));
    }
    format!("{group}/{kind}")
}

impl ContainerRow {
    /// The IMAGE cell: the reference without its digest, in familiar form (truncated
    /// output), or as given (`--no-trunc`); `<no image>` when empty.
    pub fn image_cell(&self, no_trunc: bool) -> String {
        if self.image.is_empty() {
            return "<no image>".to_string();
        }
        if no_trunc {
            return self.image.clone();
        }
        let short_id = truncate_id(&self.image_id);
        if short_id == truncate_id(&self.image) {
            return short_id.to_string();
        }
        match ImageRef::parse_normalized(&self.image) {
            Some(reference) => ImageRef {
                digest: None,
                ..reference
            }
            .familiar_string(),
            None => self.image.clone(),
        }
    }

    /// The NAMES cell: the first name that is not a legacy link, or all names joined with
    /// `,` (`--no-trunc`), without their leading `/`.
    pub fn names_cell(&self, no_trunc: bool) -> String {
        let names = self.names.iter().map(|n| n.strip_prefix('/').unwrap_or(n));
        if no_trunc {
            return names.collect::<Vec<_>>().join(",");
        }
        names
            .into_iter()
            .find(|n| !n.contains('/'))
            .unwrap_or_default()
            .to_string()
    }
}

/// `docker ps` / `docker container ls` with the default table, in the given (daemon) order:
/// IDs cut to 12, commands ellipsised to 20 columns and quoted, unless `no_trunc`.
pub fn container_table(rows: &[ContainerRow], no_trunc: bool) -> String {
    let mut text = String::from("CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n");
    for row in rows {
        let (id, command) = if no_trunc {
            (row.id.as_str(), row.command.clone())
        } else {
            (truncate_id(&row.id), ellipsis(&row.command, 20))
        };
        text.push_str(&format!(
            "{id}\t{}\t{}\t{} ago\t{}\t{}\t{}\n",
            row.image_cell(no_trunc),
            go_quote(&command),
            human_duration(row.created_ago_ms),
            container_status(&row.status),
            displayable_ports(&row.ports),
            row.names_cell(no_trunc),
        ));
    }
    tabwriter::render(&text)
}

/// `docker ps -q`: the IDs, cut to 12 unless `no_trunc`, one per line.
pub fn container_ids(rows: &[ContainerRow], no_trunc: bool) -> String {
    super::text::id_lines(rows.iter().map(|r| r.id.as_str()), no_trunc)
}

// ---------------------------------------------------------------------------------------
// docker stats --no-stream

/// One container of `docker stats`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsRow {
    /// The full container ID.
    pub id: String,
    /// The container name without its leading `/` (`--` when empty).
    pub name: String,
    /// CPU usage in percent.
    pub cpu_percent: f64,
    /// Memory used, in bytes.
    pub memory: f64,
    /// The memory limit, in bytes.
    pub memory_limit: f64,
    /// Memory used in percent of the limit.
    pub memory_percent: f64,
    /// Bytes received.
    pub net_rx: f64,
    /// Bytes sent.
    pub net_tx: f64,
    /// Bytes read from block devices.
    pub block_read: f64,
    /// Bytes written to block devices.
    pub block_write: f64,
    /// Number of processes.
    pub pids: u64,
    /// When the stats could not be read: every value shows as `--`.
    pub invalid: bool,
}

/// `docker stats --no-stream`: `0.28%`, `5.629MiB / 1.952GiB`, `916B / 0B`, IDs cut to 12
/// unless `no_trunc`, in the given order.
pub fn stats_table(rows: &[StatsRow], no_trunc: bool) -> String {
    let mut text = String::from(
        "CONTAINER ID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tNET I/O\tBLOCK I/O\tPIDS\n",
    );
    for row in rows {
        let c = row.cells(no_trunc);
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            c.id, c.name, c.cpu, c.mem_usage, c.mem_percent, c.net_io, c.block_io, c.pids
        ));
    }
    tabwriter::render(&text)
}

/// The cells of one `docker stats` row, as docker/cli's stats formatter writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatsCells {
    /// `.ID`: 12 hex characters unless `no_trunc`.
    pub id: String,
    /// `.Name`, `--` when the container has none.
    pub name: String,
    /// `.CPUPerc`: `0.28%`.
    pub cpu: String,
    /// `.MemUsage`: `5.629MiB / 1.952GiB`.
    pub mem_usage: String,
    /// `.MemPerc`.
    pub mem_percent: String,
    /// `.NetIO`: `916B / 0B`.
    pub net_io: String,
    /// `.BlockIO`.
    pub block_io: String,
    /// `.PIDs`.
    pub pids: String,
}

impl StatsRow {
    /// The row's cells (`--` everywhere for a container whose stats could not be read).
    pub fn cells(&self, no_trunc: bool) -> StatsCells {
        let percent = |v: f64| format!("{v:.2}%");
        let id = if no_trunc {
            self.id.clone()
        } else {
            truncate_id(&self.id).to_string()
        };
        let name = if self.name.is_empty() {
            "--".to_string()
        } else {
            self.name.clone()
        };
        if self.invalid {
            let dash = || "--".to_string();
            return StatsCells {
                id,
                name,
                cpu: dash(),
                mem_usage: "-- / --".into(),
                mem_percent: dash(),
                net_io: dash(),
                block_io: dash(),
                pids: dash(),
            };
        }
        StatsCells {
            id,
            name,
            cpu: percent(self.cpu_percent),
            mem_usage: format!(
                "{} / {}",
                bytes_size(self.memory),
                bytes_size(self.memory_limit)
            ),
            mem_percent: percent(self.memory_percent),
            net_io: format!(
                "{} / {}",
                human_size3(self.net_rx),
                human_size3(self.net_tx)
            ),
            block_io: format!(
                "{} / {}",
                human_size3(self.block_read),
                human_size3(self.block_write)
            ),
            pids: self.pids.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// docker image ls

/// One row of `docker image ls` (an image with several tags has one row per tag).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageRow {
    /// The familiar repository name (`nginx`, `portainer/agent`), or `<none>`.
    pub repository: String,
    /// The tag, or `<none>`.
    pub tag: String,
    /// The image ID, `sha256:<64 hex>`.
    pub id: String,
    /// Milliseconds since the image was created; `None` shows `N/A`.
    pub created_ago_ms: Option<u64>,
    /// The image size in bytes.
    pub size: u64,
    /// The repository digest (`sha256:…`), or `<none>`; shown by `--digests`.
    pub digest: String,
}

impl ImageRow {
    /// The IMAGE ID cell: 12 hex characters unless `no_trunc`.
    pub fn id_cell(&self, no_trunc: bool) -> &str {
        if no_trunc {
            &self.id
        } else {
            truncate_id(&self.id)
        }
    }

    /// The CREATED cell: `2 years ago`, or `N/A`.
    pub fn created_cell(&self) -> String {
        self.created_ago_ms.map_or_else(
            || "N/A".to_string(),
            |ms| format!("{} ago", human_duration(ms)),
        )
    }

    /// The SIZE cell: `187MB`.
    pub fn size_cell(&self) -> String {
        human_size3(self.size as f64)
    }
}

/// `docker image ls` / `docker images`: IDs cut to 12 hex characters unless `no_trunc`,
/// `2 years ago`, `187MB`, in the given (daemon) order; `digests` adds docker/cli's DIGEST
/// column (`--digests`).
pub fn image_table(rows: &[ImageRow], no_trunc: bool, digests: bool) -> String {
    let mut text = String::from(if digests {
        "REPOSITORY\tTAG\tDIGEST\tIMAGE ID\tCREATED\tSIZE\n"
    } else {
        "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"
    });
    for row in rows {
        let digest = if digests {
            format!("{}\t", row.digest)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{}\t{}\t{digest}{}\t{}\t{}\n",
            row.repository,
            row.tag,
            row.id_cell(no_trunc),
            row.created_cell(),
            row.size_cell()
        ));
    }
    tabwriter::render(&text)
}

/// `docker image ls -q`: the IDs (12 hex characters unless `no_trunc`), one per line.
pub fn image_ids(rows: &[ImageRow], no_trunc: bool) -> String {
    super::text::id_lines(rows.iter().map(|r| r.id.as_str()), no_trunc)
}

// ---------------------------------------------------------------------------------------
// docker pull

/// The reference `docker pull` works with: the default tag added when there is neither a tag
/// nor a digest. `None` when the reference is invalid.
fn pull_reference(reference: &str) -> Option<(ImageRef, bool)> {
    let mut parsed = ImageRef::parse_normalized(reference)?;
    let defaulted = parsed.tag.is_none() && parsed.digest.is_none();
    if defaulted {
        parsed.tag = Some("latest".to_string());
    }
    Some((parsed, defaulted))
}

/// The lines before the layers: `Using default tag: latest` (when the reference had no tag)
/// and `<tag or digest>: Pulling from <path>`.
fn pull_header(parsed: &ImageRef, defaulted: bool) -> String {
    let mut out = String::new();
    if defaulted {
        out.push_str("Using default tag: latest\n");
    }
    let what = parsed
        .digest
        .clone()
        .or_else(|| parsed.tag.clone())
        .unwrap_or_default();
    out.push_str(&format!("{what}: Pulling from {}\n", parsed.path));
    out
}

/// The lines after the layers: the digest, the status and the full reference.
fn pull_footer(parsed: &ImageRef, digest: &str, status: &str) -> String {
    format!(
        "Digest: {digest}\nStatus: {status} for {}\n{}\n",
        parsed.familiar_string(),
        parsed.full_string()
    )
}

/// What `docker pull` prints when its output is not a terminal and the image was
/// downloaded: every layer's `Pulling fs layer`, `Waiting` for those beyond the three
/// concurrent downloads, `Verifying Checksum` and `Download complete` as each download ends,
/// and `Pull complete` as each is extracted, in layer order; then `Digest:`,
/// `Status: Downloaded newer image for nginx:latest` and the full reference.
///
/// Returns `None` for an invalid reference (the caller prints docker's error).
pub fn pull_output(reference: &str, layers: &[String], digest: &str) -> Option<String> {
    let (parsed, defaulted) = pull_reference(reference)?;
    let mut out = pull_header(&parsed, defaulted);
    for layer in layers {
        out.push_str(&format!("{}: Pulling fs layer\n", truncate_id(layer)));
    }
    for layer in layers.iter().skip(3) {
        out.push_str(&format!("{}: Waiting\n", truncate_id(layer)));
    }
    for layer in layers {
        let id = truncate_id(layer);
        out.push_str(&format!(
            "{id}: Verifying Checksum\n{id}: Download complete\n"
        ));
    }
    for layer in layers {
        out.push_str(&format!("{}: Pull complete\n", truncate_id(layer)));
    }
    out.push_str(&pull_footer(&parsed, digest, "Downloaded newer image"));
    Some(out)
}

/// The screen `docker pull` leaves on a terminal once done: one line per layer rewritten in
/// place to `<layer>: Pull complete ` (progress lines end with a space), then the digest,
/// status and full reference.
pub fn pull_output_tty(reference: &str, layers: &[String], digest: &str) -> Option<String> {
    let (parsed, defaulted) = pull_reference(reference)?;
    let mut out = pull_header(&parsed, defaulted);
    for layer in layers {
        out.push_str(&format!("{}: Pull complete \n", truncate_id(layer)));
    }
    out.push_str(&pull_footer(&parsed, digest, "Downloaded newer image"));
    Some(out)
}

/// `docker pull` of an image that is already present and current (the same on a terminal):
/// `Status: Image is up to date for nginx:latest`.
pub fn pull_up_to_date(reference: &str, digest: &str) -> Option<String> {
    let (parsed, defaulted) = pull_reference(reference)?;
    let mut out = pull_header(&parsed, defaulted);
    out.push_str(&pull_footer(&parsed, digest, "Image is up to date"));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f5c9e0e2a1b7d4c8e6f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d";

    #[test]
    fn ellipsis_like_docker() {
        assert_eq!(
            ellipsis("/docker-entrypoint.sh nginx -g 'daemon off;'", 20),
            "/docker-entrypoint.…"
        );
        assert_eq!(ellipsis("/app", 20), "/app");
        assert_eq!(ellipsis("12345678901234567890", 20), "12345678901234567890");
        assert_eq!(
            ellipsis("123456789012345678901", 20),
            "1234567890123456789…"
        );
        assert_eq!(ellipsis("abc", 0), "");
        assert_eq!(ellipsis("abc", 1), "a");
        assert_eq!(ellipsis("", 1), "");
        // Wide characters count two columns.
        assert_eq!(ellipsis("日本語日本語", 7), "日本語…");
        assert_eq!(ellipsis("日本語", 6), "日本語");
        assert_eq!(
            ellipsis("é".repeat(31).as_str(), 30),
            format!("{}…", "é".repeat(29))
        );
    }

    #[test]
    fn quoting_like_go() {
        assert_eq!(go_quote("/app"), "\"/app\"");
        assert_eq!(go_quote("sh -c \"x\"\t\\"), "\"sh -c \\\"x\\\"\\t\\\\\"");
        assert_eq!(go_quote("a\u{1}b…"), "\"a\\x01b…\"");
        assert_eq!(go_quote("\u{200b}"), "\"\\u200b\"");
    }

    #[test]
    fn references() {
        let r = ImageRef::parse_normalized("nginx").unwrap_or_default();
        assert_eq!(r.full_string(), "docker.io/library/nginx");
        assert_eq!(r.familiar_string(), "nginx");
        let r = ImageRef::parse_normalized(
            "localhost:5000/app:1@sha256:0123456789abcdef0123456789abcdef",
        )
        .unwrap_or_default();
        assert_eq!(r.domain, "localhost:5000");
        assert_eq!(r.path, "app");
        assert_eq!(r.tag.as_deref(), Some("1"));
        assert_eq!(r.familiar_name(), "localhost:5000/app");
        let r = ImageRef::parse_normalized("index.docker.io/library/a/b").unwrap_or_default();
        assert_eq!(r.familiar_name(), "library/a/b");
        assert_eq!(ImageRef::parse_normalized("Nginx"), None);
        assert_eq!(ImageRef::parse_normalized("nginx:"), None);
        assert_eq!(ImageRef::parse_normalized("nginx@sha256:short"), None);
        assert_eq!(
            ImageRef::parse_normalized("a--b__c.d"),
            ImageRef::parse_normalized("docker.io/library/a--b__c.d")
        );
        assert_eq!(ImageRef::parse_normalized("a..b"), None);
        assert_eq!(ImageRef::parse_normalized(&"a".repeat(64)), None);
    }

    #[test]
    fn ports_like_docker() {
        let p = |ip: &str, private, public, kind: &str| ContainerPort {
            ip: ip.to_string(),
            private_port: private,
            public_port: public,
            kind: kind.to_string(),
        };
        assert_eq!(
            displayable_ports(&[p("::", 80, 8080, "tcp"), p("0.0.0.0", 80, 8080, "tcp")]),
            "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp"
        );
        assert_eq!(displayable_ports(&[p("", 80, 0, "tcp")]), "80/tcp");
        assert_eq!(
            displayable_ports(&[
                p("", 81, 0, "tcp"),
                p("", 80, 0, "tcp"),
                p("", 83, 0, "tcp"),
                p("", 53, 0, "udp"),
                p("0.0.0.0", 9000, 9000, "tcp"),
                p("0.0.0.0", 9001, 9001, "tcp"),
            ]),
            "80-81/tcp, 53/udp, 83/tcp, 0.0.0.0:9000-9001->9000-9001/tcp"
        );
        assert_eq!(displayable_ports(&[]), "");
    }

    #[test]
    fn statuses() {
        let running = |up_ms, health: Option<&str>| ContainerStatus::Running {
            up_ms,
            health: health.map(str::to_string),
            paused: false,
        };
        assert_eq!(container_status(&running(5_000, None)), "Up 5 seconds");
        assert_eq!(
            container_status(&running(300, None)),
            "Up Less than a second"
        );
        assert_eq!(
            container_status(&running(120_000, Some("healthy"))),
            "Up 2 minutes (healthy)"
        );
        assert_eq!(
            container_status(&running(3_000, Some("starting"))),
            "Up 3 seconds (health: starting)"
        );
        assert_eq!(
            container_status(&ContainerStatus::Running {
                up_ms: 1_000,
                health: Some("healthy".to_string()),
                paused: true
            }),
            "Up 1 second (Paused)"
        );
        assert_eq!(
            container_status(&ContainerStatus::Exited {
                exit_code: 137,
                since_ms: 3_000
            }),
            "Exited (137) 3 seconds ago"
        );
        assert_eq!(
            container_status(&ContainerStatus::Restarting {
                exit_code: 1,
                since_ms: 2_500
            }),
            "Restarting (1) 2 seconds ago"
        );
        assert_eq!(container_status(&ContainerStatus::Created), "Created");
        assert_eq!(container_status(&ContainerStatus::Dead), "Dead");
    }

    fn rows() -> Vec<ContainerRow> {
        vec![
            ContainerRow {
                id: ID.to_string(),
                image: "nginx:1.27@sha256:0123456789abcdef0123456789abcdef".to_string(),
                image_id: "sha256:aaaa".to_string(),
                command: "/docker-entrypoint.sh nginx -g 'daemon off;'".to_string(),
                created_ago_ms: 20_000,
                status: ContainerStatus::Running {
                    up_ms: 19_000,
                    health: None,
                    paused: false,
                },
                ports: vec![ContainerPort {
                    kind: "tcp".to_string(),
                    private_port: 80,
                    ..ContainerPort::default()
                }],
                names: vec!["/web.1.ti1m2f7k9q3wd0c5b2x7yq4ae".to_string()],
            },
            ContainerRow {
                id: "9a8b7c6d5e4f".repeat(5) + "0123",
                image: "myapp:1.0".to_string(),
                image_id: "sha256:bbbb".to_string(),
                command: "/app".to_string(),
                created_ago_ms: 90_000,
                status: ContainerStatus::Running {
                    up_ms: 89_000,
                    health: Some("healthy".to_string()),
                    paused: false,
                },
                ports: Vec::new(),
                names: vec!["/api.2.k2j3h4g5f6d7s8a9p0o1i2u3y".to_string()],
            },
        ]
    }

    #[test]
    fn ps_table() {
        assert_eq!(
            container_table(&rows(), false),
            "CONTAINER ID   IMAGE        COMMAND                  CREATED              STATUS                        PORTS     NAMES\n\
             3f5c9e0e2a1b   nginx:1.27   \"/docker-entrypoint.…\"   20 seconds ago       Up 19 seconds                 80/tcp    web.1.ti1m2f7k9q3wd0c5b2x7yq4ae\n\
             9a8b7c6d5e4f   myapp:1.0    \"/app\"                   About a minute ago   Up About a minute (healthy)             api.2.k2j3h4g5f6d7s8a9p0o1i2u3y\n"
        );
        let full = container_table(&rows(), true);
        assert!(full.contains(&format!(
            "{ID}   nginx:1.27@sha256:0123456789abcdef0123456789abcdef   \"/docker-entrypoint.sh nginx -g 'daemon off;'\"   "
        )));
        assert_eq!(
            container_ids(&rows(), false),
            "3f5c9e0e2a1b\n9a8b7c6d5e4f\n"
        );
        assert_eq!(container_ids(&rows(), true).lines().next(), Some(ID));
        assert_eq!(
            container_table(&[], false),
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
        );
    }

    #[test]
    fn image_and_name_cells() {
        let mut row = ContainerRow {
            image: "sha256:abcdef0123456789".to_string(),
            image_id: "sha256:abcdef0123456789".to_string(),
            names: vec!["/other/link".to_string(), "/db".to_string()],
            ..ContainerRow::default()
        };
        assert_eq!(row.image_cell(false), "abcdef012345");
        assert_eq!(row.names_cell(false), "db");
        assert_eq!(row.names_cell(true), "other/link,db");
        row.image = "docker.io/library/redis@sha256:0123456789abcdef0123456789abcdef".to_string();
        assert_eq!(row.image_cell(false), "redis");
        row.image = String::new();
        assert_eq!(row.image_cell(false), "<no image>");
    }

    #[test]
    fn stats() {
        let rows = vec![
            StatsRow {
                id: ID.to_string(),
                name: "web.1.ti1m2f7k9q3wd0c5b2x7yq4ae".to_string(),
                cpu_percent: 0.275,
                memory: 5.629 * 1024.0 * 1024.0,
                memory_limit: 2_096_857_088.0,
                memory_percent: 0.28,
                net_rx: 916.0,
                net_tx: 0.0,
                block_read: 147_456.0,
                block_write: 999_999.0,
                pids: 9,
                invalid: false,
            },
            StatsRow {
                id: "b95a83497c91".to_string(),
                invalid: true,
                ..StatsRow::default()
            },
        ];
        assert_eq!(
            stats_table(&rows, false),
            "CONTAINER ID   NAME                              CPU %     MEM USAGE / LIMIT     MEM %     NET I/O     BLOCK I/O         PIDS\n\
             3f5c9e0e2a1b   web.1.ti1m2f7k9q3wd0c5b2x7yq4ae   0.28%     5.629MiB / 1.953GiB   0.28%     916B / 0B   147kB / 1e+03kB   9\n\
             b95a83497c91   --                                --        -- / --               --        --          --                --\n"
        );
    }

    #[test]
    fn sizes3() {
        assert_eq!(human_size3(187_000_000.0), "187MB");
        assert_eq!(human_size3(187_654_321.0), "188MB");
        assert_eq!(human_size3(1_450.0), "1.45kB");
        assert_eq!(human_size3(0.0), "0B");
        assert_eq!(human_size3(4_260_000.0), "4.26MB");
        assert_eq!(human_size3(999_500.0), "1e+03kB");
        assert_eq!(format_g(0.00001234, 3), "1.23e-05");
    }

    #[test]
    fn images() {
        let rows = vec![
            ImageRow {
                repository: "nginx".to_string(),
                tag: "latest".to_string(),
                id: format!("sha256:{}", &ID[..64]),
                created_ago_ms: Some(2 * 365 * 24 * 3_600_000 + 1),
                size: 187_000_000,
                digest: "sha256:1234".to_string(),
            },
            ImageRow {
                repository: "<none>".to_string(),
                tag: "<none>".to_string(),
                id: "sha256:0123456789abcdef".to_string(),
                created_ago_ms: None,
                size: 4_260_000,
                digest: "<none>".to_string(),
            },
        ];
        assert_eq!(
            image_table(&rows, false, false),
            "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n\
             nginx        latest    3f5c9e0e2a1b   2 years ago   187MB\n\
             <none>       <none>    0123456789ab   N/A           4.26MB\n"
        );
        assert_eq!(image_ids(&rows, false), "3f5c9e0e2a1b\n0123456789ab\n");
        assert!(image_table(&rows, true, false).contains(&format!("sha256:{ID}")));
        assert_eq!(
            image_table(&rows, false, true),
            "REPOSITORY   TAG       DIGEST        IMAGE ID       CREATED       SIZE\n\
             nginx        latest    sha256:1234   3f5c9e0e2a1b   2 years ago   187MB\n\
             <none>       <none>    <none>        0123456789ab   N/A           4.26MB\n"
        );
    }

    #[test]
    fn pulls() {
        let layers: Vec<String> = [
            "a2318d6c47ec0000",
            "095d327c79ae",
            "bbfaa25db775",
            "7bb6fb0cfb2b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let digest = "sha256:0e1e1a5d6a0b0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d";
        assert_eq!(
            pull_output("nginx", &layers, digest).unwrap_or_default(),
            format!(
                "Using default tag: latest\nlatest: Pulling from library/nginx\n\
                 a2318d6c47ec: Pulling fs layer\n095d327c79ae: Pulling fs layer\n\
                 bbfaa25db775: Pulling fs layer\n7bb6fb0cfb2b: Pulling fs layer\n\
                 7bb6fb0cfb2b: Waiting\n\
                 a2318d6c47ec: Verifying Checksum\na2318d6c47ec: Download complete\n\
                 095d327c79ae: Verifying Checksum\n095d327c79ae: Download complete\n\
                 bbfaa25db775: Verifying Checksum\nbbfaa25db775: Download complete\n\
                 7bb6fb0cfb2b: Verifying Checksum\n7bb6fb0cfb2b: Download complete\n\
                 a2318d6c47ec: Pull complete\n095d327c79ae: Pull complete\n\
                 bbfaa25db775: Pull complete\n7bb6fb0cfb2b: Pull complete\n\
                 Digest: {digest}\nStatus: Downloaded newer image for nginx:latest\n\
                 docker.io/library/nginx:latest\n"
            )
        );
        assert_eq!(
            pull_output_tty("redis:7.4.1", &layers[..1], digest).unwrap_or_default(),
            format!(
                "7.4.1: Pulling from library/redis\na2318d6c47ec: Pull complete \n\
                 Digest: {digest}\nStatus: Downloaded newer image for redis:7.4.1\n\
                 docker.io/library/redis:7.4.1\n"
            )
        );
        assert_eq!(
            pull_up_to_date("portainer/agent", digest).unwrap_or_default(),
            format!(
                "Using default tag: latest\nlatest: Pulling from portainer/agent\n\
                 Digest: {digest}\nStatus: Image is up to date for portainer/agent:latest\n\
                 docker.io/portainer/agent:latest\n"
            )
        );
        let by_digest = format!("nginx@{digest}");
        assert_eq!(
            pull_up_to_date(&by_digest, digest).unwrap_or_default(),
            format!(
                "{digest}: Pulling from library/nginx\nDigest: {digest}\n\
                 Status: Image is up to date for nginx@{digest}\ndocker.io/library/nginx@{digest}\n"
            )
        );
        assert_eq!(pull_output("Nginx", &layers, digest), None);
    }
}
