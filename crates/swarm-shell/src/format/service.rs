//! Service and task formats: `docker service ls`, `service ps` / `node ps` / `stack ps`,
//! `service inspect --pretty`, the convergence progress of `service create/update/scale/
//! rollback`, and the line prefix of `service logs`.
//!
//! Everything takes the raw values of the engine API (lower-case states, nanosecond
//! durations, elapsed milliseconds) and formats them the way docker/cli's
//! `cli/command/service` and `cli/command/task` packages do.

use std::collections::BTreeMap;

use super::container::{ellipsis, ImageRef};
use super::tabwriter;
use super::text::{natural_cmp, pretty_print, truncate_id};
use super::units::{bytes_size, human_duration};

// ---------------------------------------------------------------------------------------
// Shared values

/// One `swarm.PortConfig`: a published port of a service (`Endpoint.Ports`) or of a task
/// (`Status.PortStatus.Ports`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortConfig {
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// The port inside the container.
    pub target_port: u32,
    /// The port published on the nodes (assigned from 30000 up when not given).
    pub published_port: u32,
    /// `ingress` or `host`.
    pub publish_mode: String,
}

/// A service's mode (`Spec.Mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServiceMode {
    /// `replicated`.
    #[default]
    Replicated,
    /// `global`.
    Global,
    /// `replicated job`.
    ReplicatedJob,
    /// `global job`.
    GlobalJob,
}

impl ServiceMode {
    /// The MODE column of `docker service ls`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceMode::Replicated => "replicated",
            ServiceMode::Global => "global",
            ServiceMode::ReplicatedJob => "replicated job",
            ServiceMode::GlobalJob => "global job",
        }
    }
}

/// The IMAGE column of `service ls` and (truncated) `service ps`: a reference with a tag loses
/// its digest and is shown in its familiar form (`nginx:latest@sha256:…` → `nginx:latest`,
/// `docker.io/library/redis:7` → `redis:7`). References without a tag (`nginx`,
/// `nginx@sha256:…`) and references that do not parse are shown as they are.
pub fn strip_image_digest(image: &str) -> String {
    match ImageRef::parse_normalized(image) {
        Some(reference) if reference.tag.is_some() => ImageRef {
            digest: None,
            ..reference
        }
        .familiar_string(),
        _ => image.to_string(),
    }
}

/// Go's `time.Duration.String()` of a number of nanoseconds: `0s`, `1ns`, `1.5µs`, `500ms`,
/// `5s`, `1m0s`, `1h30m0s`, `-2s`.
pub fn go_duration(nanos: i64) -> String {
    let negative = nanos < 0;
    let mut u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        if u == 0 {
            return "0s".to_string();
        }
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        let (frac, int) = go_fraction(u, prec);
        out.push_str(&int.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let (frac, seconds) = go_fraction(u, 9);
        u = seconds;
        let secs = u % 60;
        u /= 60;
        let mut tail = format!("{secs}{frac}s");
        if u > 0 {
            tail = format!("{}m{tail}", u % 60);
            u /= 60;
            if u > 0 {
                tail = format!("{u}h{tail}");
            }
        }
        out.push_str(&tail);
    }
    if negative {
        out.insert(0, '-');
    }
    out
}

/// Go's `fmtFrac`: the fraction of `v / 10^prec` without trailing zeros (`.5`, or empty), and
/// the integer part.
fn go_fraction(v: u64, prec: u32) -> (String, u64) {
    let divisor = 10u64.pow(prec);
    let frac = v % divisor;
    if frac == 0 {
        return (String::new(), v / divisor);
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    (format!(".{}", digits.trim_end_matches('0')), v / divisor)
}

/// Go's `%v` of a floating-point number (already converted to `f64`, or an `f32` through
/// [`go_float32`]): the shortest representation, in exponent form (`1e+21`, `1e-05`) when the
/// exponent is below -4 or at least 21.
pub fn go_float(v: f64) -> String {
    go_float_from(v == 0.0, format!("{v:e}"), format!("{v}"), v)
}

/// [`go_float`] for a `float32` (shortest representation of the 32-bit value: `0.1`, not
/// `0.10000000149011612`).
pub fn go_float32(v: f32) -> String {
    go_float_from(v == 0.0, format!("{v:e}"), format!("{v}"), f64::from(v))
}

fn go_float_from(zero: bool, sci: String, plain: String, v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if zero {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..21).contains(&exp) {
        return plain;
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
}

// ---------------------------------------------------------------------------------------
// docker service ls

/// One service of `docker service ls` / `docker stack services`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceRow {
    /// The full service ID (the table shows its first 12 characters).
    pub id: String,
    /// `Spec.Name`; the rows are sorted by it, naturally.
    pub name: String,
    /// `Spec.Mode`.
    pub mode: ServiceMode,
    /// `ServiceStatus.RunningTasks`: tasks observed running on a node that is not down.
    pub running: u64,
    /// `ServiceStatus.DesiredTasks`: the replicas (replicated), the tasks desired running
    /// (global), the tasks still to complete (jobs).
    pub desired: u64,
    /// `ServiceStatus.CompletedTasks` (jobs).
    pub completed: u64,
    /// `ReplicatedJob.TotalCompletions` (replicated jobs only).
    pub total_completions: u64,
    /// `Placement.MaxReplicas`; shown as `(max N per node)` for replicated services when > 0.
    pub max_replicas: u64,
    /// `ContainerSpec.Image`, as stored (usually `name:tag@sha256:…`).
    pub image: String,
    /// `Endpoint.Ports`; only the ingress-mode ones are shown.
    pub ports: Vec<PortConfig>,
}

impl ServiceRow {
    /// The REPLICAS cell: `2/4`, `3/3 (max 2 per node)`, `2/3 (5/10 completed)`.
    pub fn replicas(&self) -> String {
        let (running, desired, completed) = (self.running, self.desired, self.completed);
        match self.mode {
            ServiceMode::ReplicatedJob => format!(
                "{running}/{desired} ({completed}/{} completed)",
                self.total_completions
            ),
            ServiceMode::GlobalJob => format!(
                "{running}/{desired} ({completed}/{} completed)",
                desired.saturating_add(completed)
            ),
            ServiceMode::Replicated if self.max_replicas > 0 => {
                format!("{running}/{desired} (max {} per node)", self.max_replicas)
            }
            _ => format!("{running}/{desired}"),
        }
    }

    /// The PORTS cell: ingress ports as `*:8080->80/tcp`, consecutive ports grouped into ranges
    /// (`*:80-81->80-81/tcp`, `*:80-81->80/tcp`), sorted by protocol then published port,
    /// joined with `, `.
    pub fn ports_cell(&self) -> String {
        service_ports(&self.ports)
    }
}

/// docker/cli's `serviceContext.Ports`, with Go's unsigned wrap-around in the range checks.
fn service_ports(ports: &[PortConfig]) -> String {
    #[derive(Default)]
    struct Range<'a> {
        p_start: u32,
        p_end: u32,
        t_start: u32,
        t_end: u32,
        protocol: &'a str,
    }
    impl Range<'_> {
        fn render(&self) -> String {
            let publ = if self.p_end > self.p_start {
                format!("{}-{}", self.p_start, self.p_end)
            } else {
                self.p_start.to_string()
            };
            let target = if self.t_end > self.t_start {
                format!("{}-{}", self.t_start, self.t_end)
            } else {
                self.t_start.to_string()
            };
            format!("*:{publ}->{target}/{}", self.protocol)
        }
    }

    let mut sorted: Vec<&PortConfig> = ports.iter().collect();
    swarm_core::sort::sort_by(&mut sorted, |a, b| {
        a.protocol
            .cmp(&b.protocol)
            .then(a.published_port.cmp(&b.published_port))
    });
    let mut out = Vec::new();
    let mut range = Range::default();
    for p in sorted {
        if p.publish_mode != "ingress" {
            continue;
        }
        let is_range = range.t_end != range.t_start;
        let overlaps = p.target_port <= range.t_end;
        if p.protocol != range.protocol
            || p.published_port.wrapping_sub(range.p_end) > 1
            || p.target_port.wrapping_sub(range.t_end) > 1
            || (is_range && overlaps)
        {
            if range.p_start > 0 {
                out.push(range.render());
            }
            range = Range {
                p_start: p.published_port,
                p_end: p.published_port,
                t_start: p.target_port,
                t_end: p.target_port,
                protocol: &p.protocol,
            };
            continue;
        }
        range.p_end = p.published_port;
        range.t_end = p.target_port;
    }
    if range.p_start > 0 {
        out.push(range.render());
    }
    out.join(", ")
}

/// The services in natural order of their names; equal names keep their given order.
fn sorted_services(rows: &[ServiceRow]) -> Vec<&ServiceRow> {
    let mut sorted: Vec<&ServiceRow> = rows.iter().collect();
    swarm_core::sort::sort_by(&mut sorted, |a, b| natural_cmp(&a.name, &b.name));
    sorted
}

/// `docker service ls` (and `docker stack services`): the default table, sorted by name,
/// ending with a newline. The header is printed even when there are no services.
pub fn service_table(rows: &[ServiceRow]) -> String {
    let mut text = String::from("ID\tNAME\tMODE\tREPLICAS\tIMAGE\tPORTS\n");
    for row in sorted_services(rows) {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            truncate_id(&row.id),
            row.name,
            row.mode.as_str(),
            row.replicas(),
            strip_image_digest(&row.image),
            row.ports_cell(),
        ));
    }
    tabwriter::render(&text)
}

/// `docker service ls -q`: the IDs in table order, one per line. docker truncates them to 12
/// characters (`service ls` has no `--no-trunc`; pass `false`).
pub fn service_ids(rows: &[ServiceRow], no_trunc: bool) -> String {
    super::text::id_lines(
        sorted_services(rows).into_iter().map(|r| r.id.as_str()),
        no_trunc,
    )
}

/// `docker service ls --format raw`: one block per service, each followed by an empty line.
pub fn service_raw(rows: &[ServiceRow]) -> String {
    let mut out = String::new();
    for row in sorted_services(rows) {
        out.push_str(&format!(
            "id: {}\nname: {}\nmode: {}\nreplicas: {}\nimage: {}\nports: {}\n\n",
            truncate_id(&row.id),
            row.name,
            row.mode.as_str(),
            row.replicas(),
            strip_image_digest(&row.image),
            row.ports_cell(),
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// docker service ps / node ps / stack ps

/// One task of `docker service ps`, `docker node ps` or `docker stack ps`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskRow {
    /// The full task ID.
    pub id: String,
    /// `<service name>.<slot>`, or `<service name>.<node ID>` for global services (with
    /// `--no-resolve`, the service ID instead of its name).
    pub name: String,
    /// `Meta.CreatedAt` as any increasing number (e.g. milliseconds): tasks of the same name
    /// are listed newest first.
    pub created_at: i64,
    /// `Spec.ContainerSpec.Image`.
    pub image: String,
    /// The node's name (`Spec.Name`, else hostname, else its ID); empty when unassigned.
    pub node: String,
    /// `DesiredState`, lower-case (`running`, `shutdown`, …).
    pub desired_state: String,
    /// `Status.State`, lower-case.
    pub state: String,
    /// Milliseconds since `Status.Timestamp`.
    pub state_elapsed_ms: u64,
    /// `Status.Err`; empty when none.
    pub error: String,
    /// `Status.PortStatus.Ports` (host-mode published ports).
    pub ports: Vec<PortConfig>,
}

impl TaskRow {
    /// The CURRENT STATE cell: `Running 5 seconds ago`, `Running less than a second ago`.
    pub fn current_state(&self) -> String {
        format!(
            "{} {} ago",
            pretty_print(&self.state),
            human_duration(self.state_elapsed_ms).to_lowercase()
        )
    }

    /// The ERROR cell: the error in double quotes, ellipsised to 30 columns unless
    /// `no_trunc`; empty when there is no error.
    pub fn error_cell(&self, no_trunc: bool) -> String {
        let err = if no_trunc {
            self.error.clone()
        } else {
            ellipsis(&self.error, 30)
        };
        if err.is_empty() {
            err
        } else {
            format!("\"{err}\"")
        }
    }

    /// The PORTS cell: `*:53->53/udp`, joined with `,`.
    pub fn ports_cell(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("*:{}->{}/{}", p.published_port, p.target_port, p.protocol))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The tasks sorted as `task.Print` does: natural order of names, then newest first; stable.
fn sorted_tasks(rows: &[TaskRow]) -> Vec<&TaskRow> {
    let mut sorted: Vec<&TaskRow> = rows.iter().collect();
    swarm_core::sort::sort_by(&mut sorted, |a, b| {
        natural_cmp(&a.name, &b.name).then_with(|| b.created_at.cmp(&a.created_at))
    });
    sorted
}

/// The default `service ps` / `node ps` / `stack ps` table: tasks of the same name after the
/// first are indented with ` \_ `; IDs are cut to 12 characters, images lose their digest and
/// errors are ellipsised unless `no_trunc`. The header is printed even without tasks.
pub fn task_table(rows: &[TaskRow], no_trunc: bool) -> String {
    let mut text =
        String::from("ID\tNAME\tIMAGE\tNODE\tDESIRED STATE\tCURRENT STATE\tERROR\tPORTS\n");
    let mut previous: Option<&str> = None;
    for row in sorted_tasks(rows) {
        let name = if previous == Some(row.name.as_str()) {
            format!(" \\_ {}", row.name)
        } else {
            row.name.clone()
        };
        previous = Some(&row.name);
        let (id, image) = if no_trunc {
            (row.id.clone(), row.image.clone())
        } else {
            (
                truncate_id(&row.id).to_string(),
                strip_image_digest(&row.image),
            )
        };
        text.push_str(&format!(
            "{id}\t{name}\t{image}\t{}\t{}\t{}\t{}\t{}\n",
            row.node,
            pretty_print(&row.desired_state),
            row.current_state(),
            row.error_cell(no_trunc),
            row.ports_cell(),
        ));
    }
    tabwriter::render(&text)
}

/// `service ps -q` / `node ps -q` / `stack ps -q`: the task IDs in table order, one per
/// line, cut to 12 characters unless `no_trunc`.
pub fn task_ids(rows: &[TaskRow], no_trunc: bool) -> String {
    super::text::id_lines(
        sorted_tasks(rows).into_iter().map(|r| r.id.as_str()),
        no_trunc,
    )
}

// ---------------------------------------------------------------------------------------
// docker service inspect --pretty

/// The mode block of `service inspect --pretty`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrettyMode {
    /// `Service Mode:\tReplicated` and, when the replica count is set, ` Replicas:\tN`.
    Replicated(Option<u64>),
    /// `Service Mode:\tGlobal`.
    Global,
    /// Jobs: the template prints `Service Mode:` and nothing after it.
    ReplicatedJob,
    /// See [`PrettyMode::ReplicatedJob`].
    GlobalJob,
}

impl Default for PrettyMode {
    fn default() -> Self {
        PrettyMode::Replicated(Some(1))
    }
}

/// `UpdateStatus`, shown when its state is not empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateStatusPretty {
    /// `updating`, `paused`, `completed`, `rollback_started`, `rollback_paused`,
    /// `rollback_completed`.
    pub state: String,
    /// Milliseconds since `StartedAt`, when set.
    pub started_ago_ms: Option<u64>,
    /// Milliseconds since `CompletedAt`, when set (shown only for `completed`).
    pub completed_ago_ms: Option<u64>,
    /// `Message`, e.g. `update completed`.
    pub message: String,
}

/// `UpdateConfig` or `RollbackConfig`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateConfigPretty {
    /// `Parallelism`.
    pub parallelism: u64,
    /// `Delay` in nanoseconds; its line is left out when 0.
    pub delay_ns: i64,
    /// `FailureAction`: `pause`, `continue`, `rollback`.
    pub failure_action: String,
    /// `Monitor` in nanoseconds; its line is left out when 0.
    pub monitor_ns: i64,
    /// `MaxFailureRatio`.
    pub max_failure_ratio: f32,
    /// `Order`: `stop-first` or `start-first`.
    pub order: String,
}

/// A mount of the container spec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MountPretty {
    /// `Target`.
    pub target: String,
    /// `Source`.
    pub source: String,
    /// `ReadOnly`.
    pub read_only: bool,
    /// `Type`: `bind`, `volume`, `tmpfs`, …
    pub kind: String,
}

/// A config or secret reference: the file it becomes and the object's name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileRefPretty {
    /// `File.Name`, e.g. `/run/secrets/db` or `/app.conf`.
    pub target: String,
    /// `SecretName` / `ConfigName`.
    pub source: String,
}

/// `TaskTemplate.LogDriver`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogDriverPretty {
    /// `Name`; its line is left out when empty.
    pub name: String,
    /// `Options`, printed in key order.
    pub options: BTreeMap<String, String>,
}

/// `TaskTemplate.Resources` (present: the block header is printed even when all are 0).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourcesPretty {
    /// `Reservations.NanoCPUs`.
    pub reservation_nano_cpus: i64,
    /// `Reservations.MemoryBytes`.
    pub reservation_memory: i64,
    /// `Limits.NanoCPUs`.
    pub limit_nano_cpus: i64,
    /// `Limits.MemoryBytes`.
    pub limit_memory: i64,
    /// `Limits.Pids`.
    pub limit_pids: i64,
}

/// `ContainerSpec.Healthcheck`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthcheckPretty {
    /// `Interval` in nanoseconds.
    pub interval_ns: i64,
    /// `Retries`.
    pub retries: i64,
    /// `StartPeriod` in nanoseconds.
    pub start_period_ns: i64,
    /// `Timeout` in nanoseconds.
    pub timeout_ns: i64,
    /// `Test`, e.g. `["CMD-SHELL", "curl -f http://localhost/"]`.
    pub test: Vec<String>,
}

/// What `docker service inspect --pretty` shows of a service, with raw engine API values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServicePretty {
    /// The full service ID.
    pub id: String,
    /// `Spec.Name`.
    pub name: String,
    /// `Spec.Labels`, printed in key order as ` key=value` (or ` key`).
    pub labels: BTreeMap<String, String>,
    /// `Spec.Mode`.
    pub mode: PrettyMode,
    /// `UpdateStatus`.
    pub update_status: Option<UpdateStatusPretty>,
    /// `Placement.Constraints`, printed in Go's slice syntax (`[a b]`).
    pub constraints: Vec<String>,
    /// `Placement.Preferences` as `spread=<descriptor>`.
    pub preferences: Vec<String>,
    /// `Placement.MaxReplicas`; left out when 0.
    pub max_replicas: u64,
    /// `Spec.UpdateConfig` (the daemon fills in defaults, so it is usually set).
    pub update_config: Option<UpdateConfigPretty>,
    /// `Spec.RollbackConfig`.
    pub rollback_config: Option<UpdateConfigPretty>,
    /// `ContainerSpec.Image`, printed in full.
    pub image: String,
    /// `ContainerSpec.Args`.
    pub args: Vec<String>,
    /// `ContainerSpec.Env`.
    pub env: Vec<String>,
    /// `ContainerSpec.Dir`.
    pub dir: String,
    /// `ContainerSpec.Init` (`docker service create` always sets it).
    pub init: Option<bool>,
    /// `ContainerSpec.User`.
    pub user: String,
    /// `ContainerSpec.CapabilityAdd`.
    pub cap_add: Vec<String>,
    /// `ContainerSpec.CapabilityDrop`.
    pub cap_drop: Vec<String>,
    /// `ContainerSpec.Sysctls`.
    pub sysctls: BTreeMap<String, String>,
    /// `ContainerSpec.Ulimits` by name: `(soft, hard)`.
    pub ulimits: BTreeMap<String, (i64, i64)>,
    /// `ContainerSpec.Mounts`.
    pub mounts: Vec<MountPretty>,
    /// `ContainerSpec.Configs`.
    pub configs: Vec<FileRefPretty>,
    /// `ContainerSpec.Secrets`.
    pub secrets: Vec<FileRefPretty>,
    /// `TaskTemplate.LogDriver`.
    pub log_driver: Option<LogDriverPretty>,
    /// `TaskTemplate.Resources`.
    pub resources: Option<ResourcesPretty>,
    /// The attached networks' names (their IDs when they cannot be resolved).
    pub networks: Vec<String>,
    /// `Spec.EndpointSpec.Mode`: `vip` or `dnsrr` (empty without an endpoint spec).
    pub endpoint_mode: String,
    /// `Endpoint.Ports`, in order.
    pub ports: Vec<PortConfig>,
    /// `ContainerSpec.Healthcheck`.
    pub healthcheck: Option<HealthcheckPretty>,
}

/// `docker service inspect --pretty` of one service: docker/cli's
/// `serviceInspectPrettyTemplate` to the byte (real tabs, the empty first line, the odd
/// trailing spaces, the blank line after `Log Driver`), followed by the newline the formatter
/// adds after each service.
pub fn service_inspect_pretty(s: &ServicePretty) -> String {
    let mut o = String::new();
    o.push_str(&format!("\nID:\t\t{}\nName:\t\t{}", s.id, s.name));
    if !s.labels.is_empty() {
        o.push_str("\nLabels:");
        for (k, v) in &s.labels {
            o.push_str(&format!("\n {k}"));
            if !v.is_empty() {
                o.push_str(&format!("={v}"));
            }
        }
    }
    o.push_str("\nService Mode:");
    match s.mode {
        PrettyMode::Global => o.push_str("\tGlobal"),
        PrettyMode::Replicated(replicas) => {
            o.push_str("\tReplicated");
            if let Some(n) = replicas {
                o.push_str(&format!("\n Replicas:\t{n}"));
            }
        }
        PrettyMode::ReplicatedJob | PrettyMode::GlobalJob => {}
    }
    if let Some(us) = s.update_status.as_ref().filter(|us| !us.state.is_empty()) {
        o.push_str(&format!("\nUpdateStatus:\n State:\t\t{}", us.state));
        if let Some(ms) = us.started_ago_ms {
            o.push_str(&format!("\n Started:\t{} ago", human_duration(ms)));
        }
        if let (true, Some(ms)) = (us.state == "completed", us.completed_ago_ms) {
            o.push_str(&format!("\n Completed:\t{} ago", human_duration(ms)));
        }
        o.push_str(&format!("\n Message:\t{}", us.message));
    }
    o.push_str("\nPlacement:");
    if !s.constraints.is_empty() {
        o.push_str(&format!("\n Constraints:\t[{}]", s.constraints.join(" ")));
    }
    if !s.preferences.is_empty() {
        o.push_str(&format!("\n Preferences:   [{}]", s.preferences.join(" ")));
    }
    if s.max_replicas > 0 {
        o.push_str(&format!("\n Max Replicas Per Node:   {}", s.max_replicas));
    }
    if let Some(c) = &s.update_config {
        o.push_str("\nUpdateConfig:");
        update_config_lines(&mut o, c, " Update order:      ");
    }
    if let Some(c) = &s.rollback_config {
        o.push_str("\nRollbackConfig:");
        update_config_lines(&mut o, c, " Rollback order:    ");
    }
    o.push_str(&format!("\nContainerSpec:\n Image:\t\t{}", s.image));
    if !s.args.is_empty() {
        o.push_str("\n Args:\t\t");
        for arg in &s.args {
            o.push_str(arg);
            o.push(' ');
        }
    }
    if !s.env.is_empty() {
        o.push_str("\n Env:\t\t");
        for env in &s.env {
            o.push_str(env);
            o.push(' ');
        }
    }
    if !s.dir.is_empty() {
        o.push_str(&format!("\n Dir:\t\t{}", s.dir));
    }
    if let Some(init) = s.init {
        o.push_str(&format!("\n Init:\t\t{init}"));
    }
    if !s.user.is_empty() {
        o.push_str(&format!("\n User: {}", s.user));
    }
    if !s.cap_add.is_empty() || !s.cap_drop.is_empty() {
        o.push_str("\nCapabilities:");
        if !s.cap_add.is_empty() {
            o.push_str(&format!("\n Add: {}", s.cap_add.join(", ")));
        }
        if !s.cap_drop.is_empty() {
            o.push_str(&format!("\n Drop: {}", s.cap_drop.join(", ")));
        }
    }
    if !s.sysctls.is_empty() {
        o.push_str("\nSysCtls:");
        for (k, v) in &s.sysctls {
            o.push_str(&format!("\n {k}"));
            if !v.is_empty() {
                o.push_str(&format!(": {v}"));
            }
        }
    }
    if !s.ulimits.is_empty() {
        o.push_str("\nUlimits:");
        for (name, (soft, hard)) in &s.ulimits {
            o.push_str(&format!("\n {name}: {soft}:{hard}"));
        }
    }
    if !s.mounts.is_empty() {
        o.push_str("\nMounts:");
        for m in &s.mounts {
            o.push_str(&format!(
                "\n Target:\t{}\n  Source:\t{}\n  ReadOnly:\t{}\n  Type:\t\t{}",
                m.target, m.source, m.read_only, m.kind
            ));
        }
    }
    for (title, refs) in [("Configs", &s.configs), ("Secrets", &s.secrets)] {
        if !refs.is_empty() {
            o.push_str(&format!("\n{title}:"));
            for r in refs {
                o.push_str(&format!(
                    "\n Target:\t{}\n  Source:\t{}",
                    r.target, r.source
                ));
            }
        }
    }
    if let Some(log) = &s.log_driver {
        o.push_str("\nLog Driver:");
        if !log.name.is_empty() {
            o.push_str(&format!("\n Name:\t\t{}", log.name));
        }
        if !log.options.is_empty() {
            o.push_str("\n LogOpts:");
            for (k, v) in &log.options {
                o.push_str(&format!("\n  {k}"));
                if !v.is_empty() {
                    o.push_str(&format!(":       {v}"));
                }
            }
        }
        o.push('\n');
    }
    if let Some(r) = &s.resources {
        o.push_str("\nResources:");
        if r.reservation_nano_cpus > 0 || r.reservation_memory > 0 {
            o.push_str("\n Reservations:");
            if r.reservation_nano_cpus > 0 {
                o.push_str(&format!("\n  CPU:\t\t{}", cpus(r.reservation_nano_cpus)));
            }
            if r.reservation_memory != 0 {
                o.push_str(&format!(
                    "\n  Memory:\t{}",
                    bytes_size(r.reservation_memory as f64)
                ));
            }
        }
        if r.limit_nano_cpus > 0 || r.limit_memory > 0 || r.limit_pids > 0 {
            o.push_str("\n Limits:");
            if r.limit_nano_cpus > 0 {
                o.push_str(&format!("\n  CPU:\t\t{}", cpus(r.limit_nano_cpus)));
            }
            if r.limit_memory != 0 {
                o.push_str(&format!(
                    "\n  Memory:\t{}",
                    bytes_size(r.limit_memory as f64)
                ));
            }
        }
        // Outside the Limits block in docker's template, but only set with resources.
        if r.limit_pids > 0 {
            o.push_str(&format!("\n  PIDs:\t\t{}", r.limit_pids));
        }
    }
    if !s.networks.is_empty() {
        o.push_str("\nNetworks:");
        for n in &s.networks {
            o.push(' ');
            o.push_str(n);
        }
        o.push(' ');
    }
    o.push_str(&format!("\nEndpoint Mode:\t{}", s.endpoint_mode));
    if !s.ports.is_empty() {
        o.push_str("\nPorts:");
        for p in &s.ports {
            o.push_str(&format!(
                "\n PublishedPort = {}\n  Protocol = {}\n  TargetPort = {}\n  PublishMode = {}",
                p.published_port, p.protocol, p.target_port, p.publish_mode
            ));
        }
        o.push(' ');
    }
    if let Some(h) = &s.healthcheck {
        o.push_str(&format!(
            "\n Healthcheck:\n  Interval = {}\n  Retries = {}\n  StartPeriod =\t{}\n  Timeout =\t{}",
            go_duration(h.interval_ns),
            h.retries,
            go_duration(h.start_period_ns),
            go_duration(h.timeout_ns)
        ));
        if !h.test.is_empty() {
            o.push_str("\n  Tests:");
            for t in &h.test {
                o.push_str(&format!("\n\t Test = {t}"));
            }
            o.push(' ');
        }
    }
    // The template's last newline, and the one the formatter writes after each service.
    o.push_str("\n\n");
    o
}

/// The lines of an `UpdateConfig:` / `RollbackConfig:` block.
fn update_config_lines(o: &mut String, c: &UpdateConfigPretty, order_label: &str) {
    o.push_str(&format!("\n Parallelism:\t{}", c.parallelism));
    if c.delay_ns > 0 {
        o.push_str(&format!("\n Delay:\t\t{}", go_duration(c.delay_ns)));
    }
    o.push_str(&format!("\n On failure:\t{}", c.failure_action));
    if c.monitor_ns > 0 {
        o.push_str(&format!(
            "\n Monitoring Period: {}",
            go_duration(c.monitor_ns)
        ));
    }
    o.push_str(&format!(
        "\n Max failure ratio: {}\n{order_label}{}",
        go_float32(c.max_failure_ratio),
        c.order
    ));
}

/// NanoCPUs as the CPU count Go prints with `%v` (`0.5`, `100`).
fn cpus(nano: i64) -> String {
    go_float(nano as f64 / 1e9)
}

// ---------------------------------------------------------------------------------------
// Progress display (service create / update / scale / rollback without --detach)

/// `numberedStates` of docker/cli's progress package: the position of a task state on the
/// progress bars (`new` 1 … `running` 9, `complete` 10, `shutdown` 11, `failed` 12,
/// `rejected` 13); 0 for a state it does not know.
pub fn task_state_index(state: &str) -> u64 {
    match state {
        "new" => 1,
        "allocated" => 2,
        "pending" => 3,
        "assigned" => 4,
        "accepted" => 5,
        "preparing" => 6,
        "ready" => 7,
        "starting" => 8,
        "running" => 9,
        "complete" => 10,
        "shutdown" => 11,
        "failed" => 12,
        "rejected" => 13,
        _ => 0,
    }
}

/// The bar of a service task in `state_index` out of 9 (see [`task_state_index`]):
/// `[`, `=` × p, `>`, spaces × (50 − p), `] `, with p = ⌊⌊100·i/9⌋/2⌋.
pub fn progress_bar(state_index: u64) -> String {
    progress_bar_of(state_index, 9)
}

/// `JSONProgress.String()` with hidden counts on a terminal wider than 110 columns: the bar of
/// `current` out of `total` (at most full), or nothing when both are 0.
pub fn progress_bar_of(current: u64, total: u64) -> String {
    if total == 0 {
        // docker prints a size instead when only `current` is set; the progress display
        // never does that.
        return String::new();
    }
    // Go: int(float64(current)/float64(total)*100) / 2, capped at 50.
    let percent = ((current as f64 / total as f64) * 100.0) as u64 / 2;
    let filled = percent.min(50) as usize;
    format!("[{}>{}] ", "=".repeat(filled), " ".repeat(50 - filled))
}

/// The longest state name the progress lines pad to (`allocated`, `preparing`).
const LONGEST_STATE: usize = 9;

/// docker/cli's `truncError`: newlines become spaces and a message longer than 75 bytes is
/// cut to 74 bytes and `…` (here at a character boundary, where Go would split a character).
pub fn progress_error(err: &str) -> String {
    let err = err.replace('\n', " ");
    if err.len() <= 75 {
        return err;
    }
    let mut end = 74;
    while !err.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &err[..end])
}

/// What a slot (or node) line of the progress display shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotProgress {
    /// No task seen yet: the action is a single space (`1/3:   `).
    Waiting,
    /// A task's state, lower-case as the API spells it, with its bar.
    State(String),
    /// A task's `Status.Err` (cut by [`progress_error`]).
    Error(String),
}

/// One slot line: `1/3` (replicated, replicated jobs), the first 12 characters of the node ID
/// (global services) or the full node ID (global jobs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotLine {
    /// The line's ID, printed before `: `.
    pub label: String,
    /// What it shows.
    pub progress: SlotProgress,
}

/// The first line(s) of the progress display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OverallProgress {
    /// `overall progress: X out of N tasks` (or `rolling back update: X out of N tasks`).
    Tasks {
        /// Up-to-date tasks running.
        running: u64,
        /// Replicas, or nodes with a task (global).
        total: u64,
        /// Whether a rollback is in progress.
        rollback: bool,
    },
    /// A global service before its tasks exist: `overall progress: waiting for new tasks`.
    WaitingForNewTasks,
    /// A replicated job: `job progress: C out of T complete [bar]` and
    /// `active tasks: A out of D tasks`.
    ReplicatedJob {
        /// Completed tasks.
        completed: u64,
        /// `TotalCompletions`.
        total: u64,
        /// Tasks not yet complete (any non-terminal state).
        active: u64,
        /// `MaxConcurrent`.
        max_concurrent: u64,
    },
    /// A global job: `job progress: C out of T complete [bar]`.
    GlobalJob {
        /// Completed tasks.
        completed: u64,
        /// Nodes the job runs on.
        total: u64,
    },
    /// A global job before its tasks exist: `job progress: waiting for tasks`.
    GlobalJobWaiting,
}

impl OverallProgress {
    fn is_job(&self) -> bool {
        matches!(
            self,
            OverallProgress::ReplicatedJob { .. }
                | OverallProgress::GlobalJob { .. }
                | OverallProgress::GlobalJobWaiting
        )
    }
}

/// The screen of the progress display as a terminal shows it when the command ends: every
/// progress line rewritten in place to its last value, in the order the lines first appeared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressFrame {
    /// `rollback: <UpdateStatus.Message>` when the rollback was already under way when the
    /// CLI first looked (`docker service rollback`, `update --rollback`): printed first,
    /// e.g. `manually requested rollback`.
    pub rollback_before: Option<String>,
    /// The overall line(s).
    pub overall: OverallProgress,
    /// The slot lines (none for more than 20 replicas or nodes).
    pub slots: Vec<SlotLine>,
    /// `rollback: <message>` when an automatic rollback started during the update (it appears
    /// below the slot lines), e.g. `update rolled back due to failure or early termination of
    /// task …`.
    pub rollback_after: Option<String>,
    /// The text after `verify: `: `Waiting 5 seconds to verify that tasks are stable...`,
    /// `Detected task failure`, `Service converged`.
    pub verify: Option<String>,
    /// Plain messages printed below, without an ID and without a trailing space:
    /// `job complete`, `rollback: rollback completed`, `Operation continuing in background.`.
    pub messages: Vec<String>,
    /// Whether the terminal is wider than 110 columns, so that bars are drawn.
    pub bars: bool,
}

impl Default for ProgressFrame {
    fn default() -> Self {
        ProgressFrame {
            rollback_before: None,
            overall: OverallProgress::WaitingForNewTasks,
            slots: Vec::new(),
            rollback_after: None,
            verify: None,
            messages: Vec::new(),
            bars: true,
        }
    }
}

/// The number of decimal digits of `n`.
fn digits(n: u64) -> usize {
    n.to_string().len()
}

/// Renders a [`ProgressFrame`]: each progress line is `<id>: <action> <bar>` and so ends with
/// a space; every line ends with a newline.
pub fn progress_frame(frame: &ProgressFrame) -> String {
    let bar = |current: u64, total: u64| {
        if frame.bars {
            progress_bar_of(current, total)
        } else {
            String::new()
        }
    };
    let line = |id: &str, action: &str, bar: String| format!("{id}: {action} {bar}\n");
    let mut out = String::new();
    if let Some(message) = &frame.rollback_before {
        out.push_str(&line("rollback", message, String::new()));
    }
    match &frame.overall {
        OverallProgress::Tasks {
            running,
            total,
            rollback,
        } => {
            let action = if *rollback {
                format!("rolling back update: {running} out of {total} tasks")
            } else {
                format!("{running} out of {total} tasks")
            };
            out.push_str(&line("overall progress", &action, String::new()));
        }
        OverallProgress::WaitingForNewTasks => {
            out.push_str(&line(
                "overall progress",
                "waiting for new tasks",
                String::new(),
            ));
        }
        OverallProgress::ReplicatedJob {
            completed,
            total,
            active,
            max_concurrent,
        } => {
            let action = format!(
                "{completed:>width$} out of {total} complete",
                width = digits(*total)
            );
            out.push_str(&line("job progress", &action, bar(*completed, *total)));
            let desired = total.saturating_sub(*completed).min(*max_concurrent);
            let width = digits(*max_concurrent);
            let action = format!("{active:>width$} out of {desired:>width$} tasks");
            out.push_str(&line("active tasks", &action, String::new()));
        }
        OverallProgress::GlobalJob { completed, total } => {
            let action = format!(
                "{completed:>width$} out of {total} complete",
                width = digits(*total)
            );
            out.push_str(&line("job progress", &action, bar(*completed, *total)));
        }
        OverallProgress::GlobalJobWaiting => {
            out.push_str(&line("job progress", "waiting for tasks", String::new()));
        }
    }
    let state_total = if frame.overall.is_job() { 10 } else { 9 };
    for slot in &frame.slots {
        match &slot.progress {
            SlotProgress::Waiting => out.push_str(&line(&slot.label, " ", String::new())),
            SlotProgress::State(state) => {
                let action = format!("{state:<LONGEST_STATE$}");
                out.push_str(&line(
                    &slot.label,
                    &action,
                    bar(task_state_index(state), state_total),
                ));
            }
            SlotProgress::Error(err) => {
                out.push_str(&line(&slot.label, &progress_error(err), String::new()));
            }
        }
    }
    if let Some(message) = &frame.rollback_after {
        out.push_str(&line("rollback", message, String::new()));
    }
    if let Some(verify) = &frame.verify {
        out.push_str(&line("verify", verify, String::new()));
    }
    for message in &frame.messages {
        out.push_str(message);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------
// docker service logs

/// The number of digits `docker service logs` pads slots to: those of the replica count for a
/// replicated service, 1 otherwise (global services, jobs, `docker service logs <task>` uses
/// the task's own slot).
pub fn replicas_digits(replicas: Option<u64>) -> usize {
    replicas.map_or(1, digits)
}

/// The prefix of a `docker service logs` line, up to and including `| `:
/// `<service>.<slot>.<task ID>@<node><pad>    | `, the task ID cut to 12 characters unless
/// `no_trunc` and left out (with its dot) with `no_task_ids`. The pad is one space per digit
/// the slot has fewer than `replicas_digits`. Global tasks have slot 0 (`agent.0.…`).
pub fn log_prefix(
    service: &str,
    slot: u64,
    task_id: &str,
    node: &str,
    replicas_digits: usize,
    no_trunc: bool,
    no_task_ids: bool,
) -> String {
    let mut name = format!("{service}.{slot}");
    if !no_task_ids {
        name.push('.');
        name.push_str(if no_trunc {
            task_id
        } else {
            truncate_id(task_id)
        });
    }
    let pad = " ".repeat(replicas_digits.saturating_sub(digits(slot)));
    format!("{name}@{node}{pad}    | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(protocol: &str, target: u32, published: u32, mode: &str) -> PortConfig {
        PortConfig {
            protocol: protocol.to_string(),
            target_port: target,
            published_port: published,
            publish_mode: mode.to_string(),
        }
    }

    fn service(id: &str, name: &str, image: &str) -> ServiceRow {
        ServiceRow {
            id: id.to_string(),
            name: name.to_string(),
            image: image.to_string(),
            ..ServiceRow::default()
        }
    }

    #[test]
    fn service_table_realistic() {
        let rows = vec![
            ServiceRow {
                running: 2,
                desired: 4,
                max_replicas: 2,
                ..service(
                    "y7iyeqbmhiv8w2l1vx0z5b4kq",
                    "worker",
                    "redis:7.4.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                )
            },
            ServiceRow {
                running: 3,
                desired: 3,
                ports: vec![port("tcp", 80, 8080, "ingress")],
                ..service(
                    "x0vl4ff5pj1qp3m8o0o2r7q2a",
                    "web",
                    "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                )
            },
            ServiceRow {
                mode: ServiceMode::Global,
                running: 3,
                desired: 3,
                ..service(
                    "kqfxfvbrfpc4z3d0w4j1l9d2s",
                    "agent",
                    "docker.io/portainer/agent:latest",
                )
            },
        ];
        assert_eq!(
            service_table(&rows),
            "ID             NAME      MODE         REPLICAS               IMAGE                    PORTS\n\
             kqfxfvbrfpc4   agent     global       3/3                    portainer/agent:latest   \n\
             x0vl4ff5pj1q   web       replicated   3/3                    nginx:latest             *:8080->80/tcp\n\
             y7iyeqbmhiv8   worker    replicated   2/4 (max 2 per node)   redis:7.4.1              \n"
        );
        assert_eq!(
            service_ids(&rows, false),
            "kqfxfvbrfpc4\nx0vl4ff5pj1q\ny7iyeqbmhiv8\n"
        );
        assert_eq!(
            service_ids(&rows, true),
            "kqfxfvbrfpc4z3d0w4j1l9d2s\nx0vl4ff5pj1qp3m8o0o2r7q2a\ny7iyeqbmhiv8w2l1vx0z5b4kq\n"
        );
        assert_eq!(
            service_table(&[]),
            "ID        NAME      MODE      REPLICAS   IMAGE     PORTS\n"
        );
    }

    #[test]
    fn replicas_cells() {
        let mut row = ServiceRow {
            running: 2,
            desired: 3,
            completed: 5,
            total_completions: 10,
            max_replicas: 4,
            mode: ServiceMode::ReplicatedJob,
            ..ServiceRow::default()
        };
        // Jobs never show the max per node.
        assert_eq!(row.replicas(), "2/3 (5/10 completed)");
        row.mode = ServiceMode::GlobalJob;
        assert_eq!(row.replicas(), "2/3 (5/8 completed)");
        row.mode = ServiceMode::Global;
        assert_eq!(row.replicas(), "2/3");
        row.mode = ServiceMode::Replicated;
        assert_eq!(row.replicas(), "2/3 (max 4 per node)");
        row.max_replicas = 0;
        assert_eq!(row.replicas(), "2/3");
    }

    #[test]
    fn service_port_ranges() {
        // docker/cli's TestServiceContext_Ports.
        let spec = [
            ("tcp", 80, 81),
            ("tcp", 80, 80),
            ("tcp", 95, 95),
            ("tcp", 90, 90),
            ("tcp", 91, 91),
            ("tcp", 92, 92),
            ("tcp", 93, 93),
            ("tcp", 94, 94),
            ("udp", 95, 95),
            ("udp", 90, 90),
            ("udp", 96, 96),
            ("udp", 91, 91),
            ("udp", 92, 92),
            ("udp", 93, 93),
            ("udp", 94, 94),
            ("tcp", 60, 60),
            ("tcp", 61, 61),
            ("tcp", 61, 62),
            ("sctp", 97, 97),
            ("sctp", 98, 98),
        ];
        let ports: Vec<PortConfig> = spec
            .iter()
            .map(|&(proto, target, published)| port(proto, target, published, "ingress"))
            .collect();
        assert_eq!(
            service_ports(&ports),
            "*:97-98->97-98/sctp, *:60-61->60-61/tcp, *:62->61/tcp, *:80-81->80/tcp, \
             *:90-95->90-95/tcp, *:90-96->90-96/udp"
        );
        // Host-mode ports are not shown; a target below the range's end starts a new one.
        let ports = vec![
            port("tcp", 53, 53, "host"),
            port("tcp", 80, 8080, "ingress"),
            port("tcp", 70, 8081, "ingress"),
        ];
        assert_eq!(service_ports(&ports), "*:8080->80/tcp, *:8081->70/tcp");
        assert_eq!(service_ports(&[]), "");
    }

    #[test]
    fn image_digest_stripping() {
        assert_eq!(
            strip_image_digest("nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            "nginx:latest"
        );
        assert_eq!(
            strip_image_digest("docker.io/library/redis:7.4.1"),
            "redis:7.4.1"
        );
        assert_eq!(
            strip_image_digest("registry.example.com:5000/team/app:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            "registry.example.com:5000/team/app:1.0"
        );
        // No tag: shown as it is, digest and all.
        assert_eq!(
            strip_image_digest(
                "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            ),
            "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        );
        assert_eq!(strip_image_digest("nginx"), "nginx");
        // Not a valid reference: as it is.
        assert_eq!(strip_image_digest("Nginx:Latest"), "Nginx:Latest");
        assert_eq!(strip_image_digest(""), "");
    }

    fn task(id: &str, name: &str, created_at: i64) -> TaskRow {
        TaskRow {
            id: id.to_string(),
            name: name.to_string(),
            created_at,
            image: "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".to_string(),
            node: "worker1".to_string(),
            desired_state: "running".to_string(),
            state: "running".to_string(),
            state_elapsed_ms: 20_000,
            ..TaskRow::default()
        }
    }

    #[test]
    fn task_table_sorting_history_and_errors() {
        let mut crashed = task("b7n8m9k0j1h2q3w4e5r6t7y8u", "crash.1", 100);
        crashed.desired_state = "shutdown".to_string();
        crashed.state = "failed".to_string();
        crashed.state_elapsed_ms = 7_000;
        crashed.error = "task: non-zero exit (137): dockerexec: unhealthy container".to_string();
        let mut current = task("r1e2s3t4a5r6y7u8i9o0p1a2s", "crash.1", 200);
        current.desired_state = "ready".to_string();
        current.state = "ready".to_string();
        current.state_elapsed_ms = 999;
        let mut pending = task("w3e4r5t6y7u8i9o0p1a2s3d4f", "crash.10", 50);
        pending.node = String::new();
        pending.state = "pending".to_string();
        pending.state_elapsed_ms = 75_000;
        pending.error =
            "no suitable node (scheduling constraints not satisfied on 3 nodes)".to_string();
        let mut dns = task("g1l2o3b4a5l6z7x8c9v0b1n2m", "crash.2", 10);
        dns.ports = vec![port("udp", 53, 53, "host"), port("tcp", 53, 53, "host")];
        let rows = vec![pending, crashed, dns, current];
        assert_eq!(
            task_table(&rows, false),
            "ID             NAME          IMAGE          NODE      DESIRED STATE   CURRENT STATE                  ERROR                              PORTS\n\
             r1e2s3t4a5r6   crash.1       nginx:latest   worker1   Ready           Ready less than a second ago                                      \n\
             b7n8m9k0j1h2    \\_ crash.1   nginx:latest   worker1   Shutdown        Failed 7 seconds ago           \"task: non-zero exit (137): do…\"   \n\
             g1l2o3b4a5l6   crash.2       nginx:latest   worker1   Running         Running 20 seconds ago                                            *:53->53/udp,*:53->53/tcp\n\
             w3e4r5t6y7u8   crash.10      nginx:latest             Running         Pending about a minute ago     \"no suitable node (scheduling …\"   \n"
        );
        assert_eq!(
            task_ids(&rows, false),
            "r1e2s3t4a5r6\nb7n8m9k0j1h2\ng1l2o3b4a5l6\nw3e4r5t6y7u8\n"
        );
        let full = task_table(&rows, true);
        assert!(full
            .contains("b7n8m9k0j1h2q3w4e5r6t7y8u    \\_ crash.1   nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef   "));
        assert!(full.contains("\"task: non-zero exit (137): dockerexec: unhealthy container\""));
        assert_eq!(
            task_ids(&rows, true).lines().next(),
            Some("r1e2s3t4a5r6y7u8i9o0p1a2s")
        );
    }

    #[test]
    fn task_table_header_only_and_current_state() {
        assert_eq!(
            task_table(&[], false),
            "ID        NAME      IMAGE     NODE      DESIRED STATE   CURRENT STATE   ERROR     PORTS\n"
        );
        let mut t = task("a", "web.1", 0);
        t.state_elapsed_ms = 60_000;
        assert_eq!(t.current_state(), "Running about a minute ago");
        t.state_elapsed_ms = 2 * 3_600_000;
        t.state = "complete".to_string();
        assert_eq!(t.current_state(), "Complete 2 hours ago");
        assert_eq!(t.error_cell(false), "");
        t.error = "task: non-zero exit (1)".to_string();
        assert_eq!(t.error_cell(false), "\"task: non-zero exit (1)\"");
    }

    #[test]
    fn durations_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(1), "1ns");
        assert_eq!(go_duration(1_500), "1.5µs");
        assert_eq!(go_duration(500_000_000), "500ms");
        assert_eq!(go_duration(5_000_000_000), "5s");
        assert_eq!(go_duration(60_000_000_000), "1m0s");
        assert_eq!(go_duration(5_400_000_000_000), "1h30m0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(-2_000_000_000), "-2s");
        assert_eq!(go_duration(i64::MIN), "-2562047h47m16.854775808s");
    }

    #[test]
    fn floats_like_go() {
        assert_eq!(go_float(100.0), "100");
        assert_eq!(go_float(0.5), "0.5");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float32(0.1), "0.1");
        assert_eq!(go_float32(0.0), "0");
        assert_eq!(go_float32(0.25), "0.25");
    }

    #[test]
    fn pretty_default_create() {
        let s = ServicePretty {
            id: "x0vl4ff5pj1qp3m8o0o2r7q2a".to_string(),
            name: "web".to_string(),
            mode: PrettyMode::Replicated(Some(3)),
            update_config: Some(UpdateConfigPretty {
                parallelism: 1,
                failure_action: "pause".to_string(),
                monitor_ns: 5_000_000_000,
                order: "stop-first".to_string(),
                ..UpdateConfigPretty::default()
            }),
            rollback_config: Some(UpdateConfigPretty {
                parallelism: 1,
                failure_action: "pause".to_string(),
                monitor_ns: 5_000_000_000,
                order: "stop-first".to_string(),
                ..UpdateConfigPretty::default()
            }),
            image: "nginx:latest@sha256:d".to_string(),
            init: Some(false),
            resources: Some(ResourcesPretty::default()),
            endpoint_mode: "vip".to_string(),
            ports: vec![port("tcp", 80, 8080, "ingress")],
            ..ServicePretty::default()
        };
        assert_eq!(
            service_inspect_pretty(&s),
            "\nID:\t\tx0vl4ff5pj1qp3m8o0o2r7q2a\nName:\t\tweb\nService Mode:\tReplicated\n Replicas:\t3\n\
             Placement:\nUpdateConfig:\n Parallelism:\t1\n On failure:\tpause\n Monitoring Period: 5s\n\
             \x20Max failure ratio: 0\n Update order:      stop-first\n\
             RollbackConfig:\n Parallelism:\t1\n On failure:\tpause\n Monitoring Period: 5s\n\
             \x20Max failure ratio: 0\n Rollback order:    stop-first\n\
             ContainerSpec:\n Image:\t\tnginx:latest@sha256:d\n Init:\t\tfalse\n\
             Resources:\nEndpoint Mode:\tvip\nPorts:\n PublishedPort = 8080\n  Protocol = tcp\n\
             \x20 TargetPort = 80\n  PublishMode = ingress \n\n"
        );
    }

    #[test]
    fn pretty_optional_blocks() {
        let s = ServicePretty {
            id: "i".to_string(),
            name: "n".to_string(),
            labels: BTreeMap::from([
                ("a".to_string(), String::new()),
                ("b".to_string(), "2".to_string()),
            ]),
            mode: PrettyMode::Global,
            update_status: Some(UpdateStatusPretty {
                state: "completed".to_string(),
                started_ago_ms: Some(120_000),
                completed_ago_ms: Some(90_000),
                message: "update completed".to_string(),
            }),
            constraints: vec![
                "node.role==manager".to_string(),
                "node.labels.x==y".to_string(),
            ],
            preferences: vec!["spread=node.labels.zone".to_string()],
            max_replicas: 2,
            update_config: Some(UpdateConfigPretty {
                parallelism: 2,
                delay_ns: 10_000_000_000,
                failure_action: "rollback".to_string(),
                monitor_ns: 0,
                max_failure_ratio: 0.2,
                order: "start-first".to_string(),
            }),
            image: "busybox".to_string(),
            args: vec!["ping".to_string(), "docker.com".to_string()],
            env: vec!["A=1".to_string()],
            dir: "/srv".to_string(),
            user: "nobody".to_string(),
            cap_add: vec!["NET_ADMIN".to_string(), "SYS_TIME".to_string()],
            sysctls: BTreeMap::from([("net.core.somaxconn".to_string(), "1024".to_string())]),
            ulimits: BTreeMap::from([("nofile".to_string(), (1024, 2048))]),
            mounts: vec![MountPretty {
                target: "/data".to_string(),
                source: "db".to_string(),
                read_only: false,
                kind: "volume".to_string(),
            }],
            secrets: vec![FileRefPretty {
                target: "/run/secrets/pw".to_string(),
                source: "pw".to_string(),
            }],
            log_driver: Some(LogDriverPretty {
                name: String::new(),
                options: BTreeMap::from([("tag".to_string(), String::new())]),
            }),
            resources: Some(ResourcesPretty {
                reservation_nano_cpus: 500_000_000,
                reservation_memory: 512 * 1024 * 1024,
                limit_pids: 20,
                ..ResourcesPretty::default()
            }),
            networks: vec!["front".to_string(), "back".to_string()],
            endpoint_mode: "dnsrr".to_string(),
            healthcheck: Some(HealthcheckPretty {
                interval_ns: 30_000_000_000,
                retries: 3,
                start_period_ns: 0,
                timeout_ns: 30_000_000_000,
                test: Vec::new(),
            }),
            ..ServicePretty::default()
        };
        assert_eq!(
            service_inspect_pretty(&s),
            "\nID:\t\ti\nName:\t\tn\nLabels:\n a\n b=2\nService Mode:\tGlobal\n\
             UpdateStatus:\n State:\t\tcompleted\n Started:\t2 minutes ago\n\
             \x20Completed:\tAbout a minute ago\n Message:\tupdate completed\n\
             Placement:\n Constraints:\t[node.role==manager node.labels.x==y]\n\
             \x20Preferences:   [spread=node.labels.zone]\n Max Replicas Per Node:   2\n\
             UpdateConfig:\n Parallelism:\t2\n Delay:\t\t10s\n On failure:\trollback\n\
             \x20Max failure ratio: 0.2\n Update order:      start-first\n\
             ContainerSpec:\n Image:\t\tbusybox\n Args:\t\tping docker.com \n Env:\t\tA=1 \n\
             \x20Dir:\t\t/srv\n User: nobody\nCapabilities:\n Add: NET_ADMIN, SYS_TIME\n\
             SysCtls:\n net.core.somaxconn: 1024\nUlimits:\n nofile: 1024:2048\n\
             Mounts:\n Target:\t/data\n  Source:\tdb\n  ReadOnly:\tfalse\n  Type:\t\tvolume\n\
             Secrets:\n Target:\t/run/secrets/pw\n  Source:\tpw\n\
             Log Driver:\n LogOpts:\n  tag\n\n\
             Resources:\n Reservations:\n  CPU:\t\t0.5\n  Memory:\t512MiB\n Limits:\n  PIDs:\t\t20\n\
             Networks: front back \nEndpoint Mode:\tdnsrr\n\
             \x20Healthcheck:\n  Interval = 30s\n  Retries = 3\n  StartPeriod =\t0s\n  Timeout =\t30s\n\n"
        );
        // A job prints nothing after `Service Mode:`; an update status without a state is
        // left out; `Completed` only for a completed update.
        let job = ServicePretty {
            mode: PrettyMode::ReplicatedJob,
            update_status: Some(UpdateStatusPretty {
                state: "updating".to_string(),
                started_ago_ms: None,
                completed_ago_ms: Some(1),
                message: "update in progress".to_string(),
            }),
            ..ServicePretty::default()
        };
        assert!(service_inspect_pretty(&job).contains(
            "Service Mode:\nUpdateStatus:\n State:\t\tupdating\n Message:\tupdate in progress\nPlacement:"
        ));
        let no_state = ServicePretty {
            update_status: Some(UpdateStatusPretty::default()),
            mode: PrettyMode::Replicated(None),
            ..ServicePretty::default()
        };
        assert!(service_inspect_pretty(&no_state)
            .contains("Service Mode:\tReplicated\nPlacement:\nContainerSpec:"));
    }

    #[test]
    fn bars() {
        let expected = [
            (1, "[=====>                                             ] "),
            (3, "[================>                                  ] "),
            (4, "[======================>                            ] "),
            (5, "[===========================>                       ] "),
            (6, "[=================================>                 ] "),
            (7, "[======================================>            ] "),
            (8, "[============================================>      ] "),
            (9, "[==================================================>] "),
        ];
        for (index, bar) in expected {
            assert_eq!(progress_bar(index), bar, "state index {index}");
        }
        assert_eq!(progress_bar(0), format!("[>{}] ", " ".repeat(50)));
        // Past the end the bar stays full.
        assert_eq!(progress_bar(13), progress_bar(9));
        assert_eq!(progress_bar_of(0, 0), "");
        assert_eq!(progress_bar_of(10, 10), progress_bar(9));
        assert_eq!(task_state_index("preparing"), 6);
        assert_eq!(task_state_index("bogus"), 0);
    }

    #[test]
    fn progress_create_converged() {
        let frame = ProgressFrame {
            overall: OverallProgress::Tasks {
                running: 3,
                total: 3,
                rollback: false,
            },
            slots: (1..=3)
                .map(|i| SlotLine {
                    label: format!("{i}/3"),
                    progress: SlotProgress::State("running".to_string()),
                })
                .collect(),
            verify: Some("Service converged".to_string()),
            ..ProgressFrame::default()
        };
        let full = "[==================================================>] ";
        assert_eq!(
            progress_frame(&frame),
            format!(
                "overall progress: 3 out of 3 tasks \n\
                 1/3: running   {full}\n2/3: running   {full}\n3/3: running   {full}\n\
                 verify: Service converged \n"
            )
        );
        // Narrow terminal: no bars, the action still followed by a space.
        let narrow = ProgressFrame {
            bars: false,
            ..frame
        };
        assert!(progress_frame(&narrow).contains("\n1/3: running   \n"));
    }

    #[test]
    fn progress_waiting_errors_and_rollback() {
        let long = format!("no suitable node ({})\nmore", "x".repeat(80));
        let frame = ProgressFrame {
            rollback_before: Some("manually requested rollback".to_string()),
            overall: OverallProgress::Tasks {
                running: 0,
                total: 3,
                rollback: true,
            },
            slots: vec![
                SlotLine {
                    label: "1/3".to_string(),
                    progress: SlotProgress::Waiting,
                },
                SlotLine {
                    label: "2/3".to_string(),
                    progress: SlotProgress::Error(
                        "no suitable node (scheduling constraints not satisfied on 5 nodes)"
                            .to_string(),
                    ),
                },
                SlotLine {
                    label: "3/3".to_string(),
                    progress: SlotProgress::Error(long.clone()),
                },
            ],
            verify: Some("Detected task failure".to_string()),
            messages: vec!["rollback: rollback completed".to_string()],
            ..ProgressFrame::default()
        };
        let cut = format!("{}…", &long.replace('\n', " ")[..74]);
        assert_eq!(
            progress_frame(&frame),
            format!(
                "rollback: manually requested rollback \n\
                 overall progress: rolling back update: 0 out of 3 tasks \n\
                 1/3:   \n\
                 2/3: no suitable node (scheduling constraints not satisfied on 5 nodes) \n\
                 3/3: {cut} \n\
                 verify: Detected task failure \n\
                 rollback: rollback completed\n"
            )
        );
        assert_eq!(
            progress_error(&"é".repeat(40)),
            format!("{}…", "é".repeat(37))
        );
        // An automatic rollback shows up below the slots; a global service waits for tasks.
        let global = ProgressFrame {
            overall: OverallProgress::WaitingForNewTasks,
            slots: vec![SlotLine {
                label: truncate_id("dxn1zf6l61qsb1josjja83ngz").to_string(),
                progress: SlotProgress::State("preparing".to_string()),
            }],
            rollback_after: Some("update rolled back due to failure".to_string()),
            ..ProgressFrame::default()
        };
        assert_eq!(
            progress_frame(&global),
            "overall progress: waiting for new tasks \n\
             dxn1zf6l61qs: preparing [=================================>                 ] \n\
             rollback: update rolled back due to failure \n"
        );
    }

    #[test]
    fn progress_jobs() {
        let frame = ProgressFrame {
            overall: OverallProgress::ReplicatedJob {
                completed: 2,
                total: 10,
                active: 3,
                max_concurrent: 3,
            },
            slots: vec![
                SlotLine {
                    label: "1/10".to_string(),
                    progress: SlotProgress::State("complete".to_string()),
                },
                SlotLine {
                    label: "2/10".to_string(),
                    progress: SlotProgress::State("running".to_string()),
                },
            ],
            messages: vec!["job complete".to_string()],
            ..ProgressFrame::default()
        };
        assert_eq!(
            progress_frame(&frame),
            "job progress:  2 out of 10 complete [==========>                                        ] \n\
             active tasks: 3 out of 3 tasks \n\
             1/10: complete  [==================================================>] \n\
             2/10: running   [=============================================>     ] \n\
             job complete\n"
        );
        // Near the end fewer tasks are desired than the concurrency allows.
        let frame = ProgressFrame {
            overall: OverallProgress::ReplicatedJob {
                completed: 9,
                total: 10,
                active: 1,
                max_concurrent: 12,
            },
            bars: false,
            ..ProgressFrame::default()
        };
        assert_eq!(
            progress_frame(&frame),
            "job progress:  9 out of 10 complete \nactive tasks:  1 out of  1 tasks \n"
        );
        let global = ProgressFrame {
            overall: OverallProgress::GlobalJob {
                completed: 0,
                total: 3,
            },
            ..ProgressFrame::default()
        };
        assert_eq!(
            progress_frame(&global),
            format!("job progress: 0 out of 3 complete [>{}] \n", " ".repeat(50))
        );
        let waiting = ProgressFrame {
            overall: OverallProgress::GlobalJobWaiting,
            ..ProgressFrame::default()
        };
        assert_eq!(
            progress_frame(&waiting),
            "job progress: waiting for tasks \n"
        );
    }

    #[test]
    fn log_prefixes() {
        let id = "abcdefghijklmnopqrstuvwxy";
        assert_eq!(
            log_prefix("timecheck", 1, id, "node1", 1, false, false),
            "timecheck.1.abcdefghijkl@node1    | "
        );
        // Slot 3 of 12 replicas is padded by one space; slot 12 is not.
        assert_eq!(
            log_prefix(
                "web",
                3,
                id,
                "worker1",
                replicas_digits(Some(12)),
                false,
                false
            ),
            "web.3.abcdefghijkl@worker1     | "
        );
        assert_eq!(
            log_prefix(
                "web",
                12,
                id,
                "worker1",
                replicas_digits(Some(12)),
                true,
                false
            ),
            "web.12.abcdefghijklmnopqrstuvwxy@worker1    | "
        );
        assert_eq!(
            log_prefix("agent", 0, id, "m1", replicas_digits(None), false, true),
            "agent.0@m1    | "
        );
        assert_eq!(replicas_digits(Some(0)), 1);
        assert_eq!(replicas_digits(Some(100)), 3);
    }
}
