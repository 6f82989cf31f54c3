//! The scheduler: swarmkit's `manager/scheduler` as pure functions (spec §2).
//!
//! Nothing here touches the [`World`](crate::World): the orchestrator builds a [`NodeInfo`] per
//! node and a [`Demand`] per batch of identical tasks (one service and spec version) from the
//! store, calls [`schedule`] (replicated tasks) or [`confirm`] (global tasks, pre-assigned to a
//! node), and writes the outcome back. Both update the counters of the chosen nodes, so the next
//! batch can run on the same slice.
//!
//! The algorithm is swarmkit's:
//! - the filter pipeline of spec §2.2 ([`check`]); each filter counts the nodes it rejects, and
//!   every node that passes resets all counts, so a pending task's explanation describes the
//!   nodes rejected after the last success (§2.6, [`explain`]);
//! - the node order of §2.3 (`nodeLess`): a node with ≥ 5 recent failures of this service
//!   version loses against one with fewer, then fewer tasks of the service wins, then fewer
//!   tasks in total;
//! - the placement-preference tree of §2.5, one level per `spread` descriptor, whose leaves
//!   keep the `n` best nodes that pass the pipeline (a bounded max-heap);
//! - the batch fill of §2.3: the first pass stays on a node until the next one is better, later
//!   passes go round-robin, nodes that stop passing are skipped for the rest of the batch.
//!
//! Where Docker leaves the outcome to Go's map and heap order, this module is deterministic:
//! - nodes that `nodeLess` cannot tell apart are ordered by **hostname, then node ID** (then
//!   their index in the slice);
//! - preference branches are visited in ascending order of the label value (`""`, the branch
//!   of nodes without the label, first);
//! - the tree is built by visiting `nodes` in slice order, which only matters for the filter
//!   counts of an explanation when some nodes passed before others failed.
//!
//! One deliberate deviation: with nested preferences a branch is never asked for more tasks
//! than its parent still has to place (swarmkit can over-fill such a branch and then loop
//! forever when another branch already holds more than its share).
//!
//! Performance (`benches/scheduler.rs`): one task without preferences is a single scan that
//! reads each node's counters once and runs the pipeline only on nodes better than the best so
//! far, which is what swarmkit's one-node heap amounts to. The scan is bound by memory
//! traffic, hence the hot fields first in [`NodeInfo`] and the small-string helpers below.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::net::{IpAddr, Ipv4Addr};

/// A node with this many recent failures of a service version (or more) is underweighted.
pub const MAX_FAILURES: usize = 5;

/// One parsed placement constraint (`<key><op><value>`, spec §2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// The key as written (trimmed), e.g. `node.labels.zone`; matched case-insensitively,
    /// except the label name itself.
    pub key: String,
    /// `==` or `!=`.
    pub op: ConstraintOp,
    /// The value as written (trimmed); compared case-insensitively.
    pub value: String,
}

/// A constraint's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// Parses `--constraint` expressions with swarmkit's rules (spec §2.4). `==` is looked for
/// first, then `!=`; key and value are trimmed and checked against swarmkit's patterns. The
/// error is the bare text (the control API wraps it in `rpc error: code = Unknown desc = …`).
pub fn parse_constraints(exprs: &[String]) -> Result<Vec<Constraint>, String> {
    let mut out = Vec::with_capacity(exprs.len());
    for e in exprs {
        let (op, key, value) = if let Some((k, v)) = e.split_once("==") {
            (ConstraintOp::Eq, k, v)
        } else if let Some((k, v)) = e.split_once("!=") {
            (ConstraintOp::Ne, k, v)
        } else {
            return Err("constraint expected one operator from ==, !=".to_string());
        };
        let key = key.trim();
        if !valid_key(key) {
            return Err(format!("key '{key}' is invalid"));
        }
        let value = value.trim();
        if !valid_value(value) {
            return Err(format!("value '{value}' is invalid"));
        }
        out.push(Constraint {
            key: key.to_string(),
            op,
            value: value.to_string(),
        });
    }
    Ok(out)
}

/// Characters that Go's `(?i)` matches for `s` and `k` besides the ASCII ones (ſ and the
/// Kelvin sign), which swarmkit's patterns therefore accept.
fn folds_to_ascii_letter(c: char) -> bool {
    c == '\u{17F}' || c == '\u{212A}'
}

/// `^(?i)[a-z_][a-z0-9\-_.]+$`
fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || folds_to_ascii_letter(c));
    let mut rest = 0usize;
    let rest_ok = chars.all(|c| {
        rest += 1;
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') || folds_to_ascii_letter(c)
    });
    first_ok && rest_ok && rest >= 1
}

/// `^(?i)[a-z0-9:\-_\s\.\*\(\)\?\+\[\]\\\^\$\|\/]+$` (Go's `\s` is `[\t\n\f\r ]`).
fn valid_value(value: &str) -> bool {
    !value.is_empty()
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    ':' | '-'
                        | '_'
                        | '\t'
                        | '\n'
                        | '\x0C'
                        | '\r'
                        | ' '
                        | '.'
                        | '*'
                        | '('
                        | ')'
                        | '?'
                        | '+'
                        | '['
                        | ']'
                        | '\\'
                        | '^'
                        | '$'
                        | '|'
                        | '/'
                )
                || folds_to_ascii_letter(c)
        })
}

/// Go's `strings.EqualFold` (Unicode simple case folding), with an inlined ASCII fast path.
#[inline(always)]
fn fold_eq(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() != y.len() {
        return fold_eq_unicode(a, b);
    }
    let mut i = 0;
    while i < x.len() {
        let (p, q) = (x[i], y[i]);
        if p != q {
            if p >= 0x80 || q >= 0x80 {
                return fold_eq_unicode(a, b);
            }
            // Two different ASCII characters after an equal prefix: only an ASCII letter and
            // its other case fold together.
            if (p | 0x20) != (q | 0x20) || !(p | 0x20).is_ascii_lowercase() {
                return false;
            }
        }
        i += 1;
    }
    true
}

fn fold_eq_unicode(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return false;
    }
    let (mut x, mut y) = (a.chars(), b.chars());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(c), Some(d)) => {
                if c != d
                    && !c.to_lowercase().eq(d.to_lowercase())
                    && !c.to_uppercase().eq(d.to_uppercase())
                {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The rest of `s` after a case-insensitive `prefix`, if it is not empty (swarmkit's
/// `len(key) > len(prefix) && EqualFold(key[:len(prefix)], prefix)`).
fn strip_prefix_fold<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() <= prefix.len() {
        return None;
    }
    let head = s.get(..prefix.len())?;
    if fold_eq(head, prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// Whether a node matches the constraints alone (all of them, spec §2.4). The global
/// orchestrator uses this to decide on which nodes global tasks exist.
pub fn matches_constraints(node: &NodeInfo, cs: &[Constraint]) -> bool {
    cs.iter().all(|c| Compiled::new(c).matches(node))
}

/// A constraint with its key resolved (and a `node.ip` value parsed) once per batch.
struct Compiled<'c> {
    target: Target<'c>,
    value: &'c str,
    eq: bool,
}

/// What a constraint compares its value with.
enum Target<'c> {
    Id,
    Hostname,
    Role,
    Os,
    Arch,
    /// The label name (case-sensitive); a missing label is the empty string.
    NodeLabel(&'c str),
    EngineLabel(&'c str),
    Ip(IpRule),
    /// Unknown keys never match, whatever the operator.
    Never,
}

/// A `node.ip` value: an address (`None`: an IPv6 address no IPv4 node can have), a network
/// (`None`: an IPv6 network, which contains no IPv4 node), or malformed (never matches).
enum IpRule {
    Addr(Option<Ipv4Addr>),
    Net(Option<(u32, u32)>),
    Malformed,
}

impl<'c> Compiled<'c> {
    fn new(c: &'c Constraint) -> Self {
        let key = c.key.as_str();
        let target = if let Some(label) = strip_prefix_fold(key, "node.labels.") {
            Target::NodeLabel(label)
        } else if let Some(label) = strip_prefix_fold(key, "engine.labels.") {
            Target::EngineLabel(label)
        } else if fold_eq(key, "node.id") {
            Target::Id
        } else if fold_eq(key, "node.hostname") {
            Target::Hostname
        } else if fold_eq(key, "node.ip") {
            Target::Ip(ip_rule(&c.value))
        } else if fold_eq(key, "node.role") {
            Target::Role
        } else if fold_eq(key, "node.platform.os") {
            Target::Os
        } else if fold_eq(key, "node.platform.arch") {
            Target::Arch
        } else {
            Target::Never
        };
        Compiled {
            target,
            value: &c.value,
            eq: c.op == ConstraintOp::Eq,
        }
    }

    fn matches(&self, node: &NodeInfo) -> bool {
        let what: &str = match &self.target {
            Target::Id => &node.id,
            Target::Hostname => &node.hostname,
            Target::Role => &node.role,
            Target::Os => &node.os,
            Target::Arch => &node.arch,
            Target::NodeLabel(l) => small_get(&node.labels, l).map_or("", String::as_str),
            Target::EngineLabel(l) => small_get(&node.engine_labels, l).map_or("", String::as_str),
            Target::Ip(rule) => {
                let hit = match *rule {
                    IpRule::Addr(a) => a == Some(node.addr),
                    IpRule::Net(Some((net, mask))) => (u32::from(node.addr) ^ net) & mask == 0,
                    IpRule::Net(None) => false,
                    IpRule::Malformed => return false,
                };
                return hit == self.eq;
            }
            Target::Never => return false,
        };
        fold_eq(self.value, what) == self.eq
    }
}

fn ip_rule(v: &str) -> IpRule {
    if let Ok(ip) = v.parse::<IpAddr>() {
        return IpRule::Addr(match ip {
            IpAddr::V4(a) => Some(a),
            IpAddr::V6(a) => a.to_ipv4_mapped(),
        });
    }
    match cidr(v) {
        Some(net) => IpRule::Net(net),
        None => IpRule::Malformed,
    }
}

/// A CIDR network as `(network, mask)` for IPv4 (or an IPv4-mapped IPv6 network), `Some(None)`
/// for another IPv6 network, `None` if `v` is not a CIDR.
fn cidr(v: &str) -> Option<Option<(u32, u32)>> {
    let (ip, bits) = v.split_once('/')?;
    if bits.is_empty() || bits.len() > 3 || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bits: u32 = bits.parse().ok()?;
    let (net, bits) = match ip.parse::<IpAddr>().ok()? {
        IpAddr::V4(net) if bits <= 32 => (net, bits),
        IpAddr::V6(net) if bits <= 128 => {
            // Go only finds an IPv4 address in an IPv4-mapped IPv6 network.
            match net.to_ipv4_mapped() {
                Some(net) if bits >= 96 => (net, bits - 96),
                _ => return Some(None),
            }
        }
        _ => return None,
    };
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    Some(Some((u32::from(net) & mask, mask)))
}

// Small-string helpers for the per-node hot path: the maps of a node are small and its
// strings short, where calls into `memcmp` cost more than the comparison.

/// `map.get(key)`, faster for the common one-entry map: `BTreeMap::get` goes through a
/// `memcmp` call per key. (`inline(always)` here and below: the release profile optimises
/// for size and would otherwise call each helper.)
#[inline(always)]
fn small_get<'m, V>(map: &'m BTreeMap<String, V>, key: &str) -> Option<&'m V> {
    match map.len() {
        0 => None,
        1 => match map.first_key_value() {
            Some((k, v)) if k.len() == key.len() && k.as_bytes() == key.as_bytes() => Some(v),
            _ => None,
        },
        _ => map.get(key),
    }
}

/// The big-endian word at `s[i..i + 8]` (callers keep `i + 8 <= s.len()`).
#[inline(always)]
fn word(s: &[u8], i: usize) -> u64 {
    match s.get(i..i + 8) {
        Some(w) => u64::from_be_bytes(w.try_into().unwrap_or_default()),
        None => 0,
    }
}

/// The first 8 bytes of `s`, zero-padded, big-endian: comparing two of these orders two
/// strings whenever they differ (a difference in the first 8 bytes decides, and a shorter
/// string padded with zeros sorts first unless the other continues with zero bytes, which
/// then compare equal here and fall back to [`bytes_cmp`]).
#[inline(always)]
fn head_word(s: &[u8]) -> u64 {
    if s.len() >= 8 {
        return word(s, 0);
    }
    let mut w = 0u64;
    let mut i = 0;
    while i < 8 {
        w = (w << 8) | u64::from(s.get(i).copied().unwrap_or(0));
        i += 1;
    }
    w
}

/// `a.cmp(b)` for byte strings (so for `str`s).
#[inline(always)]
fn bytes_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let (p, q) = (word(a, i), word(b, i));
        if p != q {
            return p.cmp(&q);
        }
        i += 8;
    }
    while i < n {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

/// A node as the scheduler sees it.
///
/// `repr(C)` with the fields every scan reads first, so that they share a cache line or two
/// (the scan of `schedule(nodes, d, 1)` is bound by memory traffic).
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C)]
pub struct NodeInfo {
    /// Tasks with desired state ≤ complete and observed ≤ running, per service ID.
    pub active_by_service: BTreeMap<String, usize>,
    /// The same, all services.
    pub active_tasks: usize,
    /// Key: service ID + `/` + spec version; value: failures within the last 5 minutes.
    pub recent_failures: BTreeMap<String, usize>,
    pub hostname: String,
    pub id: String,
    /// `Status.State == ready` (availability is [`NodeInfo::active`]).
    pub ready: bool,
    /// `Availability == active`.
    pub active: bool,
    pub addr: Ipv4Addr,
    /// Capacity.
    pub nano_cpus: i64,
    pub memory_bytes: i64,
    /// Held by the node's non-terminal tasks.
    pub reserved_nano_cpus: i64,
    pub reserved_memory: i64,
    /// `"manager"` or `"worker"`.
    pub role: String,
    pub labels: BTreeMap<String, String>,
    pub engine_labels: BTreeMap<String, String>,
    /// E.g. `"linux"`.
    pub os: String,
    /// E.g. `"x86_64"`.
    pub arch: String,
    /// `(published port, "tcp"/"udp")` published in host mode on the node.
    pub host_ports: BTreeSet<(u16, String)>,
}

impl Default for NodeInfo {
    /// An empty node: no name, no capacity, not ready, not active.
    fn default() -> Self {
        NodeInfo {
            id: String::new(),
            hostname: String::new(),
            role: String::new(),
            addr: Ipv4Addr::UNSPECIFIED,
            ready: false,
            active: false,
            labels: BTreeMap::new(),
            engine_labels: BTreeMap::new(),
            os: String::new(),
            arch: String::new(),
            nano_cpus: 0,
            memory_bytes: 0,
            reserved_nano_cpus: 0,
            reserved_memory: 0,
            active_tasks: 0,
            active_by_service: BTreeMap::new(),
            recent_failures: BTreeMap::new(),
            host_ports: BTreeSet::new(),
        }
    }
}

/// What a batch of identical tasks needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demand {
    pub service_id: String,
    /// Service ID + `/` + spec version, the key of [`NodeInfo::recent_failures`].
    pub failure_key: String,
    pub constraints: Vec<Constraint>,
    /// Spread descriptors in order, e.g. `node.labels.zone`; ones not starting with
    /// `node.labels.` / `engine.labels.` are ignored.
    pub preferences: Vec<String>,
    /// 0 = unlimited.
    pub max_replicas: u64,
    pub reserve_nano_cpus: i64,
    pub reserve_memory: i64,
    /// `(published port, "tcp"/"udp")` in host mode; port 0 (dynamic) is ignored.
    pub host_ports: Vec<(u16, String)>,
    /// `(os, arch)`; empty = any.
    pub platforms: Vec<(String, String)>,
}

/// A filter of the pipeline, in pipeline order (spec §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Filter {
    Ready,
    Resources,
    /// Never fails here: the emulation has no plugins to miss.
    Plugin,
    Constraints,
    Platform,
    HostPort,
    MaxReplicas,
}

impl Filter {
    /// Every filter, in pipeline order.
    pub const ALL: [Filter; 7] = [
        Filter::Ready,
        Filter::Resources,
        Filter::Plugin,
        Filter::Constraints,
        Filter::Platform,
        Filter::HostPort,
        Filter::MaxReplicas,
    ];
}

/// The first filter the node fails for this demand, in pipeline order (spec §2.2), or `None`.
/// Filters a demand does not enable (no reservation, no constraints, …) always pass.
pub fn check(node: &NodeInfo, d: &Demand) -> Option<Filter> {
    Prepared::new(d).check(node)
}

/// A demand with its constraints compiled, for checking many nodes.
struct Prepared<'d> {
    d: &'d Demand,
    resources: bool,
    constraints: Vec<Compiled<'d>>,
}

impl<'d> Prepared<'d> {
    fn new(d: &'d Demand) -> Self {
        Prepared {
            d,
            resources: d.reserve_nano_cpus != 0 || d.reserve_memory != 0,
            constraints: d.constraints.iter().map(Compiled::new).collect(),
        }
    }

    fn check(&self, node: &NodeInfo) -> Option<Filter> {
        let d = self.d;
        if !(node.ready && node.active) {
            return Some(Filter::Ready);
        }
        if self.resources
            && (d.reserve_nano_cpus > node.nano_cpus.saturating_sub(node.reserved_nano_cpus)
                || d.reserve_memory > node.memory_bytes.saturating_sub(node.reserved_memory))
        {
            return Some(Filter::Resources);
        }
        if !self.constraints.iter().all(|c| c.matches(node)) {
            return Some(Filter::Constraints);
        }
        if !d.platforms.is_empty() && !d.platforms.iter().any(|p| platform_eq(p, node)) {
            return Some(Filter::Platform);
        }
        if d.host_ports
            .iter()
            .any(|p| p.0 != 0 && node.host_ports.contains(p))
        {
            return Some(Filter::HostPort);
        }
        if d.max_replicas > 0 && service_tasks(node, d) as u64 >= d.max_replicas {
            return Some(Filter::MaxReplicas);
        }
        None
    }
}

/// swarmkit's `platformEqual`: `x86_64` ≡ `amd64`, `aarch64` ≡ `arm64`, an empty field of the
/// wanted platform is a wildcard; otherwise exact (case-sensitive) equality.
fn platform_eq((os, arch): &(String, String), node: &NodeInfo) -> bool {
    fn norm(a: &str) -> &str {
        match a {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            a => a,
        }
    }
    (arch.is_empty() || norm(arch) == norm(&node.arch)) && (os.is_empty() || *os == node.os)
}

/// The explanation text of one filter for `n` nodes (spec §2.2).
pub fn explain(f: Filter, n: usize) -> String {
    let what = match f {
        Filter::Ready => {
            return if n == 1 {
                "1 node not available for new tasks".to_string()
            } else {
                format!("{n} nodes not available for new tasks")
            };
        }
        Filter::MaxReplicas => return "max replicas per node limit exceed".to_string(),
        Filter::Resources => "insufficient resources",
        Filter::Plugin => "missing plugin",
        Filter::Constraints => "scheduling constraints not satisfied",
        Filter::Platform => "unsupported platform",
        Filter::HostPort => "host-mode port already in use",
    };
    if n == 1 {
        format!("{what} on 1 node")
    } else {
        format!("{what} on {n} nodes")
    }
}

/// Outcome of one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Per task of the batch: index into `nodes`, `None` = stays pending. Assigned tasks come
    /// first, in the order they were placed.
    pub assignments: Vec<Option<usize>>,
    /// For the pending ones: `no suitable node (<explanation>)` or `no suitable node`
    /// (spec §2.6); `None` when every task was placed.
    pub error: Option<String>,
}

/// Schedules `n` identical tasks of one service (spec §2.3, §2.5, §2.6) and updates the
/// counters of the chosen nodes (`active_tasks`, `active_by_service`, `reserved_*`,
/// `host_ports`) for every assignment, so the caller can run the next batch on the same slice.
///
/// Ties that swarmkit leaves to Go's map/heap order are broken by hostname, then node ID (see
/// the module documentation).
pub fn schedule(nodes: &mut [NodeInfo], d: &Demand, n: usize) -> Placement {
    let mut run = Run {
        d,
        pipe: Pipeline::new(d),
        placed: Vec::with_capacity(n.min(1 << 16)),
        remaining: n,
    };
    if n > 0 {
        let spreads = spreads(d);
        if n == 1 && spreads.is_empty() {
            schedule_one(nodes, &mut run);
        } else {
            let mut tree = build_tree(nodes, d, &spreads, n, &mut run.pipe);
            schedule_subtree(nodes, &mut tree, 0, n, &mut run);
        }
    }
    let assigned = run.placed.len();
    let mut assignments: Vec<Option<usize>> = run.placed.into_iter().map(Some).collect();
    assignments.resize(n, None);
    let error = (assigned < n).then(|| {
        let why = run.pipe.explain();
        if why.is_empty() {
            "no suitable node".to_string()
        } else {
            format!("no suitable node ({why})")
        }
    });
    Placement { assignments, error }
}

/// For a global task pre-assigned to `nodes[i]`: checks the whole pipeline on that node and,
/// if it passes, counts the task on it. The error is the bare explanation (e.g.
/// `insufficient resources on 1 node`), without the `no suitable node` wrapper (spec §2.5).
/// An index out of range gives `no suitable node`.
pub fn confirm(nodes: &mut [NodeInfo], i: usize, d: &Demand) -> Result<(), String> {
    let Some(node) = nodes.get_mut(i) else {
        return Err("no suitable node".to_string());
    };
    match check(node, d) {
        Some(f) => Err(explain(f, 1)),
        None => {
            add_task(node, d);
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Internals.

#[inline(always)]
fn service_tasks(node: &NodeInfo, d: &Demand) -> usize {
    small_get(&node.active_by_service, &d.service_id)
        .copied()
        .unwrap_or(0)
}

/// swarmkit's `nodeInfo.addTask` for a new task of the demand.
fn add_task(node: &mut NodeInfo, d: &Demand) {
    node.active_tasks = node.active_tasks.saturating_add(1);
    match node.active_by_service.get_mut(d.service_id.as_str()) {
        Some(c) => *c = c.saturating_add(1),
        None => {
            node.active_by_service.insert(d.service_id.clone(), 1);
        }
    }
    node.reserved_nano_cpus = node.reserved_nano_cpus.saturating_add(d.reserve_nano_cpus);
    node.reserved_memory = node.reserved_memory.saturating_add(d.reserve_memory);
    for p in &d.host_ports {
        if p.0 != 0 && !node.host_ports.contains(p) {
            node.host_ports.insert(p.clone());
        }
    }
}

/// The part of a node's rank `nodeLess` looks at, packed into one integer so that comparing
/// two `Load`s is one comparison, and exactly `nodeLess`: recent failures (only when at least
/// [`MAX_FAILURES`]: below that they are 0 here, so either both sides are below, or the side
/// below loses to the side above), then the service's tasks, then all tasks. Each field
/// saturates (failures at 2^32 - 1, task counts at 2^48 - 1), far beyond any real count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Load(u128);

const COUNT_MAX: u128 = (1 << 48) - 1;

#[inline(always)]
fn load(node: &NodeInfo, d: &Demand) -> Load {
    let failures = if node.recent_failures.is_empty() {
        0
    } else {
        match small_get(&node.recent_failures, &d.failure_key) {
            Some(&f) if f >= MAX_FAILURES => (f as u128).min(u32::MAX as u128),
            _ => 0,
        }
    };
    let service = (service_tasks(node, d) as u128).min(COUNT_MAX);
    let total = (node.active_tasks as u128).min(COUNT_MAX);
    Load((failures << 96) | (service << 48) | total)
}

/// The total order on nodes: `nodeLess`, then hostname, node ID and slice index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank<'a> {
    load: Load,
    hostname: &'a str,
    id: &'a str,
    index: usize,
}

fn rank<'a>(nodes: &'a [NodeInfo], index: usize, d: &Demand) -> Rank<'a> {
    let node = &nodes[index];
    Rank {
        load: load(node, d),
        hostname: &node.hostname,
        id: &node.id,
        index,
    }
}

/// swarmkit's `Pipeline`: the filter counts of the current batch.
struct Pipeline<'d> {
    prepared: Prepared<'d>,
    failures: [usize; 7],
}

impl<'d> Pipeline<'d> {
    fn new(d: &'d Demand) -> Self {
        Pipeline {
            prepared: Prepared::new(d),
            failures: [0; 7],
        }
    }

    /// `Pipeline.Process`: counts the failing filter, or resets every count on success.
    fn process(&mut self, node: &NodeInfo) -> bool {
        match self.prepared.check(node) {
            Some(f) => {
                self.failures[f as usize] += 1;
                false
            }
            None => {
                self.failures = [0; 7];
                true
            }
        }
    }

    /// `Pipeline.Explain`: most failures first, ties in pipeline order.
    fn explain(&self) -> String {
        let mut entries: Vec<(Filter, usize)> = Filter::ALL
            .iter()
            .zip(self.failures)
            .filter(|&(_, c)| c > 0)
            .map(|(&f, c)| (f, c))
            .collect();
        crate::sort::sort_by_key(&mut entries, |e| std::cmp::Reverse(e.1)); // stable: ties keep pipeline order
        entries
            .iter()
            .map(|&(f, c)| explain(f, c))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The state of one `schedule` call.
struct Run<'d> {
    d: &'d Demand,
    pipe: Pipeline<'d>,
    /// Node index of every task placed so far.
    placed: Vec<usize>,
    /// Tasks of the batch not placed yet.
    remaining: usize,
}

/// One level of the preference tree: where a spread descriptor takes its value.
enum Spread<'a> {
    Node(&'a str),
    Engine(&'a str),
}

impl Spread<'_> {
    fn value<'n>(&self, node: &'n NodeInfo) -> &'n str {
        let labels = match self {
            Spread::Node(l) => node.labels.get(*l),
            Spread::Engine(l) => node.engine_labels.get(*l),
        };
        labels.map_or("", String::as_str)
    }
}

fn spreads(d: &Demand) -> Vec<Spread<'_>> {
    d.preferences
        .iter()
        .filter_map(|p| {
            if let Some(l) = strip_prefix_fold(p, "node.labels.") {
                Some(Spread::Node(l))
            } else {
                strip_prefix_fold(p, "engine.labels.").map(Spread::Engine)
            }
        })
        .collect()
}

/// One task, no preferences: the tree is a single leaf whose heap keeps the best node, i.e. a
/// linear scan that runs the pipeline only on nodes better than the best so far (as
/// swarmkit's bounded heap does).
fn schedule_one(nodes: &mut [NodeInfo], run: &mut Run<'_>) {
    let d = run.d;
    // The best node so far: index, load, and the first word of its hostname (most ties
    // between hostnames are decided there).
    let mut best: Option<(usize, Load, u64)> = None;
    for (i, node) in nodes.iter().enumerate() {
        let l = load(node, d);
        if let Some((b, bl, bw)) = best {
            if l > bl {
                continue;
            }
            if l == bl {
                let w = head_word(node.hostname.as_bytes());
                if w > bw {
                    continue;
                }
                if w == bw {
                    let other = &nodes[b];
                    let tie = bytes_cmp(node.hostname.as_bytes(), other.hostname.as_bytes())
                        .then_with(|| bytes_cmp(node.id.as_bytes(), other.id.as_bytes()));
                    // Equal names: the earlier index (`b`) stays.
                    if !tie.is_lt() {
                        continue;
                    }
                }
            }
        }
        if run.pipe.process(node) {
            best = Some((i, l, head_word(node.hostname.as_bytes())));
        }
    }
    if let Some((b, _, _)) = best {
        add_task(&mut nodes[b], d);
        run.placed.push(b);
        run.remaining -= 1;
    }
}

/// A node of swarmkit's `decisionTree`.
#[derive(Default)]
struct Branch {
    /// Active tasks of the service on all the branch's nodes (eligible or not).
    tasks: usize,
    /// Sub-branches in ascending order of their label value; empty for a leaf.
    children: Vec<usize>,
    /// Leaf: the best nodes that passed the pipeline, best first.
    nodes: Vec<usize>,
    /// Leaf: already handed out once (the next visit filters and sorts again).
    visited: bool,
}

/// swarmkit's `nodeSet.tree`: branches per preference level, and in each leaf a bounded
/// max-heap of the `max` best nodes that pass the pipeline. Branch 0 is the root.
fn build_tree(
    nodes: &[NodeInfo],
    d: &Demand,
    spreads: &[Spread<'_>],
    max: usize,
    pipe: &mut Pipeline<'_>,
) -> Vec<Branch> {
    let mut tree = vec![Branch::default()];
    let mut keys: Vec<BTreeMap<&str, usize>> = vec![BTreeMap::new()];
    let mut heaps: Vec<BinaryHeap<Rank<'_>>> = vec![BinaryHeap::new()];
    for (i, node) in nodes.iter().enumerate() {
        let tasks = service_tasks(node, d);
        let mut t = 0;
        for s in spreads {
            let value = s.value(node);
            tree[t].tasks = tree[t].tasks.saturating_add(tasks);
            t = match keys[t].get(value) {
                Some(&c) => c,
                None => {
                    let c = tree.len();
                    tree.push(Branch::default());
                    keys.push(BTreeMap::new());
                    heaps.push(BinaryHeap::new());
                    keys[t].insert(value, c);
                    c
                }
            };
        }
        tree[t].tasks = tree[t].tasks.saturating_add(tasks);
        let heap = &mut heaps[t];
        if heap.len() < max {
            if pipe.process(node) {
                heap.push(rank(nodes, i, d));
            }
        } else {
            let r = rank(nodes, i, d);
            if heap.peek().is_some_and(|worst| r < *worst) && pipe.process(node) {
                heap.pop();
                heap.push(r);
            }
        }
    }
    for ((branch, k), h) in tree.iter_mut().zip(keys).zip(heaps) {
        branch.children = k.into_values().collect();
        branch.nodes = h.into_sorted_vec().into_iter().map(|r| r.index).collect();
    }
    tree
}

/// swarmkit's `scheduleNTasksOnSubtree`: splits `n` tasks between the branches so that they
/// end up with equal numbers of the service's tasks; a branch that takes fewer than asked is
/// full and the others share the rest. Returns the number placed.
fn schedule_subtree(
    nodes: &mut [NodeInfo],
    tree: &mut [Branch],
    t: usize,
    n: usize,
    run: &mut Run<'_>,
) -> usize {
    if tree[t].children.is_empty() {
        let list = ordered_nodes(nodes, &mut tree[t], run);
        if list.is_empty() {
            return 0;
        }
        let placed = schedule_on_nodes(nodes, &list, n, run);
        tree[t].nodes = list;
        return placed;
    }
    let children = tree[t].children.clone();
    let k = children.len();
    let mut scheduled = 0usize;
    let mut usable_tasks = tree[t].tasks;
    let mut no_room = vec![false; k];
    let mut full = 0usize;
    while scheduled < n && full < k && run.remaining > 0 {
        // Every round places a task or fills a branch (unless the counts saturated).
        let progress = (scheduled, full);
        let share = usable_tasks.saturating_add(n - scheduled);
        let desired = share / (k - full);
        let mut remainder = share % (k - full);
        for (ci, &child) in children.iter().enumerate() {
            if no_room[ci] || scheduled >= n || run.remaining == 0 {
                continue;
            }
            let sub = tree[child].tasks;
            if sub < desired || (sub == desired && remainder > 0) {
                let mut want = desired - sub;
                if remainder > 0 {
                    want += 1;
                }
                // Deviation (module docs): never more than this subtree still has to place.
                let want = want.min(n - scheduled);
                let got = schedule_subtree(nodes, tree, child, want, run);
                if got < want {
                    no_room[ci] = true;
                    full += 1;
                    usable_tasks = usable_tasks.saturating_sub(sub);
                } else {
                    remainder = remainder.saturating_sub(1);
                }
                scheduled += got;
            }
        }
        if (scheduled, full) == progress {
            break;
        }
    }
    scheduled
}

/// swarmkit's `decisionTree.orderedNodes`: the leaf's nodes best first; on a later visit the
/// nodes are filtered again (with the pipeline counting) and re-sorted, as they may have
/// taken tasks since.
fn ordered_nodes(nodes: &[NodeInfo], leaf: &mut Branch, run: &mut Run<'_>) -> Vec<usize> {
    let mut list = std::mem::take(&mut leaf.nodes);
    if leaf.visited {
        let mut i = 0;
        while i < list.len() {
            if run.pipe.process(&nodes[list[i]]) {
                i += 1;
            } else {
                list.swap_remove(i);
            }
        }
        crate::sort::sort_by_cached_key(&mut list, |&i| rank(nodes, i, run.d));
    }
    leaf.visited = true;
    list
}

/// swarmkit's `scheduleNTasksOnNodes`: places up to `n` tasks on `list` (best first). The
/// first pass stays on a node until the next one is better (`nodeLess`); later passes go
/// round-robin; nodes that stop passing the pipeline are skipped for the rest of the batch.
fn schedule_on_nodes(nodes: &mut [NodeInfo], list: &[usize], n: usize, run: &mut Run<'_>) -> usize {
    let d = run.d;
    let count = list.len();
    if count == 0 || n == 0 {
        return 0;
    }
    let mut failed = vec![false; count];
    let mut iter = 0usize;
    let mut scheduled = 0usize;
    while run.remaining > 0 {
        let idx = list[iter % count];
        add_task(&mut nodes[idx], d);
        run.placed.push(idx);
        run.remaining -= 1;
        scheduled += 1;
        if scheduled == n {
            return scheduled;
        }
        if iter + 1 < count {
            let next = list[iter + 1];
            if load(&nodes[next], d) < load(&nodes[idx], d) {
                iter += 1;
            }
        } else {
            iter += 1;
        }
        let start = iter;
        while failed[iter % count] || !run.pipe.process(&nodes[list[iter % count]]) {
            failed[iter % count] = true;
            iter += 1;
            if iter - start == count {
                return scheduled;
            }
        }
    }
    scheduled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(host: &str) -> NodeInfo {
        NodeInfo {
            id: format!("id-{host}"),
            hostname: host.to_string(),
            role: "worker".to_string(),
            addr: Ipv4Addr::new(192, 168, 0, 10),
            ready: true,
            active: true,
            os: "linux".to_string(),
            arch: "x86_64".to_string(),
            nano_cpus: 2_000_000_000,
            memory_bytes: 2 << 30,
            ..NodeInfo::default()
        }
    }

    fn nodes(hosts: &[&str]) -> Vec<NodeInfo> {
        hosts.iter().map(|h| node(h)).collect()
    }

    fn demand() -> Demand {
        Demand {
            service_id: "svc".to_string(),
            failure_key: "svc/1".to_string(),
            ..Demand::default()
        }
    }

    fn with_constraints(exprs: &[&str]) -> Demand {
        let exprs: Vec<String> = exprs.iter().map(|s| s.to_string()).collect();
        Demand {
            constraints: parse_constraints(&exprs).expect("constraints"),
            ..demand()
        }
    }

    /// Tasks of the service per node, in slice order.
    fn per_node(nodes: &[NodeInfo]) -> Vec<usize> {
        nodes
            .iter()
            .map(|n| n.active_by_service.get("svc").copied().unwrap_or(0))
            .collect()
    }

    fn parse_err(e: &str) -> String {
        parse_constraints(&[e.to_string()]).expect_err(e)
    }

    #[test]
    fn parse_errors_have_swarmkit_texts() {
        assert_eq!(
            parse_err("node.role=manager"),
            "constraint expected one operator from ==, !="
        );
        assert_eq!(parse_err("x y==a"), "key 'x y' is invalid");
        assert_eq!(parse_err("1abc==a"), "key '1abc' is invalid");
        assert_eq!(parse_err("k==a"), "key 'k' is invalid");
        assert_eq!(parse_err("a!=b==c"), "key 'a!=b' is invalid"); // `==` is looked for first
        assert_eq!(parse_err("node.labels.a==x>y"), "value 'x>y' is invalid");
        assert_eq!(parse_err("node.labels.a== "), "value '' is invalid");
        assert_eq!(
            parse_err(" node.labels.a != a,b "),
            "value 'a,b' is invalid"
        );
        let ok = parse_constraints(&[
            " node.role == manager ".to_string(),
            "node.ip!=10.0.0.0/8".to_string(),
        ])
        .expect("valid");
        assert_eq!(
            ok,
            vec![
                Constraint {
                    key: "node.role".into(),
                    op: ConstraintOp::Eq,
                    value: "manager".into()
                },
                Constraint {
                    key: "node.ip".into(),
                    op: ConstraintOp::Ne,
                    value: "10.0.0.0/8".into()
                },
            ]
        );
        // The first bad expression wins.
        let many = [
            "node.role==manager".to_string(),
            "bad".to_string(),
            "x y==1".to_string(),
        ];
        assert_eq!(
            parse_constraints(&many).expect_err("bad"),
            "constraint expected one operator from ==, !="
        );
    }

    fn matches(n: &NodeInfo, expr: &str) -> bool {
        let c = parse_constraints(&[expr.to_string()]).expect(expr);
        matches_constraints(n, &c)
    }

    #[test]
    fn constraint_keys_and_operators() {
        let mut n = node("web-1");
        n.id = "abc123".into();
        n.role = "manager".into();
        n.addr = Ipv4Addr::new(10, 1, 2, 3);
        n.arch = "aarch64".into();
        n.labels.insert("zone".into(), "East".into());
        n.engine_labels.insert("disk".into(), "ssd".into());

        for (expr, want) in [
            ("node.id==abc123", true),
            ("node.id==ABC123", true),
            ("node.id!=abc123", false),
            ("node.id==abc", false),
            ("node.hostname==web-1", true),
            ("node.hostname!=web-2", true),
            ("NODE.HOSTNAME==WEB-1", true),
            ("node.role==manager", true),
            ("node.role==worker", false),
            ("node.role!=worker", true),
            ("node.platform.os==linux", true),
            ("node.platform.os!=linux", false),
            ("node.platform.arch==aarch64", true),
            ("node.platform.arch==arm64", false), // constraints compare the string as reported
            ("node.ip==10.1.2.3", true),
            ("node.ip!=10.1.2.3", false),
            ("node.ip==10.1.2.4", false),
            ("node.ip==10.0.0.0/8", true),
            ("node.ip!=10.0.0.0/8", false),
            ("node.ip==10.1.2.0/24", true),
            ("node.ip==10.1.3.0/24", false),
            ("node.ip!=192.168.0.0/16", true),
            ("node.ip==0.0.0.0/0", true),
            ("node.ip==::ffff:10.1.2.3", true),
            ("node.ip==not-an-ip", false),
            ("node.ip!=not-an-ip", false), // malformed never matches
            ("node.ip!=10.0.0.0/33", false),
            ("node.labels.zone==east", true),
            ("node.labels.zone!=east", false),
            ("node.labels.zone==west", false),
            ("NODE.LABELS.zone==east", true),
            ("node.labels.Zone==east", false), // the label name is case-sensitive
            ("node.labels.missing==x", false),
            ("node.labels.missing!=x", true), // a missing label is ""
            ("engine.labels.disk==SSD", true),
            ("engine.labels.disk!=ssd", false),
            ("engine.labels.missing!=ssd", true),
            ("engine.labels.missing==ssd", false),
            ("node.name==web-1", false), // unknown keys never match…
            ("node.name!=web-1", false), // …whatever the operator
            ("node.labels==x", false),
        ] {
            assert_eq!(matches(&n, expr), want, "{expr}");
        }
        // All constraints must hold.
        let both = with_constraints(&["node.role==manager", "node.labels.zone==west"]);
        assert!(!matches_constraints(&n, &both.constraints));
        let both = with_constraints(&["node.role==manager", "node.labels.zone==east"]);
        assert!(matches_constraints(&n, &both.constraints));
    }

    #[test]
    fn six_tasks_over_three_nodes_spread_two_each() {
        let mut ns = nodes(&["a", "b", "c"]);
        let p = schedule(&mut ns, &demand(), 6);
        assert_eq!(p.error, None);
        assert_eq!(p.assignments.len(), 6);
        assert!(p.assignments.iter().all(Option::is_some));
        assert_eq!(per_node(&ns), vec![2, 2, 2]);
        assert_eq!(
            ns.iter().map(|n| n.active_tasks).collect::<Vec<_>>(),
            vec![2, 2, 2]
        );
    }

    #[test]
    fn one_at_a_time_also_spreads() {
        let mut ns = nodes(&["a", "b", "c"]);
        let mut order = Vec::new();
        for _ in 0..6 {
            let p = schedule(&mut ns, &demand(), 1);
            assert_eq!(p.error, None);
            order.push(p.assignments[0].expect("placed"));
        }
        // Ties go by hostname.
        assert_eq!(order, vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(per_node(&ns), vec![2, 2, 2]);
    }

    #[test]
    fn ties_go_by_hostname_then_id() {
        let mut ns = nodes(&["c", "b", "a"]);
        assert_eq!(schedule(&mut ns, &demand(), 1).assignments, vec![Some(2)]);
        assert_eq!(
            schedule(&mut ns, &demand(), 2).assignments,
            vec![Some(1), Some(0)]
        );
        let mut same = nodes(&["web", "web"]);
        same[0].id = "z".into();
        same[1].id = "y".into();
        assert_eq!(schedule(&mut same, &demand(), 1).assignments, vec![Some(1)]);
        // Longer names sort after their prefixes, beyond the first 8 bytes too.
        let mut long = nodes(&["worker-node-10", "worker-node-1", "worker-node-2"]);
        assert_eq!(schedule(&mut long, &demand(), 1).assignments, vec![Some(1)]);
        assert_eq!(schedule(&mut long, &demand(), 1).assignments, vec![Some(0)]);
    }

    #[test]
    fn first_pass_fills_a_node_until_the_next_is_better() {
        // swarmkit's rule (spec §2.3): after a task, move on only if the next node is better
        // than the one just filled. C is never better than B, so B keeps taking tasks.
        let mut ns = nodes(&["a", "b", "c"]);
        ns[2].active_by_service.insert("svc".into(), 3);
        ns[2].active_tasks = 3;
        let p = schedule(&mut ns, &demand(), 4);
        assert_eq!(p.assignments, vec![Some(0), Some(1), Some(1), Some(1)]);
        assert_eq!(per_node(&ns), vec![1, 3, 3]);
    }

    #[test]
    fn node_with_more_tasks_of_the_service_gets_fewer() {
        let mut ns = nodes(&["a", "b", "c"]);
        ns[0].active_by_service.insert("svc".into(), 1);
        ns[0].active_tasks = 1;
        let p = schedule(&mut ns, &demand(), 5);
        assert_eq!(p.error, None);
        let new_on_a = p.assignments.iter().filter(|a| **a == Some(0)).count();
        assert_eq!(new_on_a, 1);
        assert_eq!(per_node(&ns), vec![2, 2, 2]);

        // One at a time, the loaded node is skipped until the others catch up.
        let mut ns = nodes(&["a", "b", "c"]);
        ns[0].active_by_service.insert("svc".into(), 2);
        ns[0].active_tasks = 2;
        for _ in 0..4 {
            assert_ne!(schedule(&mut ns, &demand(), 1).assignments, vec![Some(0)]);
        }
        assert_eq!(per_node(&ns), vec![2, 2, 2]);

        // Other services' tasks only break ties.
        let mut ns = nodes(&["a", "b"]);
        ns[0].active_tasks = 3;
        ns[0].active_by_service.insert("other".into(), 3);
        ns[1].active_by_service.insert("svc".into(), 1);
        ns[1].active_tasks = 1;
        assert_eq!(schedule(&mut ns, &demand(), 1).assignments, vec![Some(0)]);
    }

    #[test]
    fn recent_failures_underweight_a_node() {
        let mut ns = nodes(&["a", "b"]);
        ns[1].active_by_service.insert("svc".into(), 3);
        ns[1].active_tasks = 3;
        ns[0].recent_failures.insert("svc/1".into(), 4);
        // Below the threshold failures do not count.
        assert_eq!(
            schedule(&mut ns.clone(), &demand(), 1).assignments,
            vec![Some(0)]
        );
        ns[0].recent_failures.insert("svc/1".into(), 5);
        assert_eq!(
            schedule(&mut ns.clone(), &demand(), 1).assignments,
            vec![Some(1)]
        );
        // Failures of another spec version do not count.
        let d = Demand {
            failure_key: "svc/2".into(),
            ..demand()
        };
        assert_eq!(schedule(&mut ns, &d, 1).assignments, vec![Some(0)]);
    }

    #[test]
    fn unavailable_nodes_are_excluded_and_counted() {
        let mut ns = nodes(&["a", "b", "c"]);
        ns[0].active = false; // drained or paused
        ns[2].ready = false; // down
        let p = schedule(&mut ns, &demand(), 3);
        assert_eq!(p.assignments, vec![Some(1); 3]);
        assert_eq!(p.error, None);
        assert_eq!(per_node(&ns), vec![0, 3, 0]);

        ns[1].active = false;
        let p = schedule(&mut ns, &demand(), 2);
        assert_eq!(p.assignments, vec![None, None]);
        assert_eq!(
            p.error.as_deref(),
            Some("no suitable node (3 nodes not available for new tasks)")
        );
        let mut one = nodes(&["a"]);
        one[0].ready = false;
        assert_eq!(
            schedule(&mut one, &demand(), 1).error.as_deref(),
            Some("no suitable node (1 node not available for new tasks)")
        );
        assert_eq!(
            schedule(&mut [], &demand(), 1).error.as_deref(),
            Some("no suitable node")
        );
    }

    #[test]
    fn explanations_are_ordered_by_count_then_pipeline() {
        let d = with_constraints(&["node.role==manager"]);
        let mut ns = nodes(&["a", "b", "c"]);
        ns[2].active = false;
        let p = schedule(&mut ns, &d, 2);
        assert_eq!(
            p.error.as_deref(),
            Some("no suitable node (scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks)")
        );
        ns[1].ready = false;
        let p = schedule(&mut ns, &d, 1);
        assert_eq!(
            p.error.as_deref(),
            Some("no suitable node (2 nodes not available for new tasks; scheduling constraints not satisfied on 1 node)")
        );
        let mut ns = nodes(&["a", "b"]);
        ns[1].active = false;
        let p = schedule(&mut ns, &d, 1);
        assert_eq!(
            p.error.as_deref(),
            Some("no suitable node (1 node not available for new tasks; scheduling constraints not satisfied on 1 node)")
        );
    }

    #[test]
    fn explain_texts() {
        assert_eq!(
            explain(Filter::Ready, 1),
            "1 node not available for new tasks"
        );
        assert_eq!(
            explain(Filter::Ready, 4),
            "4 nodes not available for new tasks"
        );
        assert_eq!(
            explain(Filter::Resources, 3),
            "insufficient resources on 3 nodes"
        );
        assert_eq!(explain(Filter::Plugin, 1), "missing plugin on 1 node");
        assert_eq!(
            explain(Filter::Constraints, 2),
            "scheduling constraints not satisfied on 2 nodes"
        );
        assert_eq!(
            explain(Filter::Platform, 1),
            "unsupported platform on 1 node"
        );
        assert_eq!(
            explain(Filter::HostPort, 2),
            "host-mode port already in use on 2 nodes"
        );
        assert_eq!(
            explain(Filter::MaxReplicas, 5),
            "max replicas per node limit exceed"
        );
    }

    #[test]
    fn max_replicas_per_node() {
        let mut ns = nodes(&["a", "b"]);
        let d = Demand {
            max_replicas: 1,
            ..demand()
        };
        let p = schedule(&mut ns, &d, 3);
        assert_eq!(p.assignments, vec![Some(0), Some(1), None]);
        assert_eq!(
            p.error.as_deref(),
            Some("no suitable node (max replicas per node limit exceed)")
        );
        assert_eq!(per_node(&ns), vec![1, 1]);
        let d = Demand {
            max_replicas: 2,
            ..demand()
        };
        let p = schedule(&mut ns, &d, 3);
        assert_eq!(p.assignments, vec![Some(0), Some(1), None]);
    }

    #[test]
    fn resources_exhausted_mid_batch_leave_leftovers_pending() {
        let mut ns = nodes(&["a", "b", "c", "d"]);
        ns[3].active = false; // rejected before the last success: not counted
        let d = Demand {
            reserve_nano_cpus: 1_000_000_000,
            reserve_memory: 1 << 20,
            ..demand()
        };
        let p = schedule(&mut ns, &d, 8);
        assert_eq!(p.assignments.iter().filter(|a| a.is_some()).count(), 6);
        assert_eq!(&p.assignments[6..], &[None, None]);
        assert_eq!(
            p.error.as_deref(),
            Some("no suitable node (insufficient resources on 3 nodes)")
        );
        assert_eq!(per_node(&ns), vec![2, 2, 2, 0]);
        assert_eq!(ns[0].reserved_nano_cpus, 2_000_000_000);
        assert_eq!(ns[0].reserved_memory, 2 << 20);
        // The next batch sees the reservations.
        let p = schedule(&mut ns, &d, 1);
        assert_eq!(p.assignments, vec![None]);
        assert_eq!(
            p.error.as_deref(),
            Some("no suitable node (insufficient resources on 3 nodes; 1 node not available for new tasks)")
        );
        // Memory counts too.
        let mut ns = nodes(&["a"]);
        let d = Demand {
            reserve_memory: 3 << 30,
            ..demand()
        };
        assert_eq!(
            schedule(&mut ns, &d, 1).error.as_deref(),
            Some("no suitable node (insufficient resources on 1 node)")
        );
    }

    #[test]
    fn host_ports_and_platforms() {
        let mut ns = nodes(&["a", "b"]);
        let d = Demand {
            host_ports: vec![(8080, "tcp".into())],
            ..demand()
        };
        let p = schedule(&mut ns, &d, 3);
        assert_eq!(p.assignments, vec![Some(0), Some(1), None]);
        assert_eq!(
            p.error.as_deref(),
            Some("no suitable node (host-mode port already in use on 2 nodes)")
        );
        // Another protocol is another port.
        let udp = Demand {
            host_ports: vec![(8080, "udp".into())],
            ..demand()
        };
        assert_eq!(schedule(&mut ns, &udp, 1).error, None);

        let mut ns = nodes(&["a", "b"]);
        ns[1].arch = "aarch64".into();
        let arm = Demand {
            platforms: vec![("linux".into(), "arm64".into())],
            ..demand()
        };
        assert_eq!(
            schedule(&mut ns, &arm, 2).assignments,
            vec![Some(1), Some(1)]
        );
        let any_arch = Demand {
            platforms: vec![("linux".into(), String::new())],
            ..demand()
        };
        assert_eq!(schedule(&mut ns, &any_arch, 1).error, None);
        let windows = Demand {
            platforms: vec![("windows".into(), "amd64".into())],
            ..demand()
        };
        assert_eq!(
            schedule(&mut ns, &windows, 1).error.as_deref(),
            Some("no suitable node (unsupported platform on 2 nodes)")
        );
    }

    #[test]
    fn placement_preferences_spread_over_zones() {
        let mut ns = nodes(&["a1", "a2", "b1"]);
        ns[0].labels.insert("zone".into(), "a".into());
        ns[1].labels.insert("zone".into(), "a".into());
        ns[2].labels.insert("zone".into(), "b".into());
        let d = Demand {
            preferences: vec!["node.labels.zone".into()],
            ..demand()
        };
        let p = schedule(&mut ns.clone(), &d, 4);
        assert_eq!(p.error, None);
        let mut after = ns.clone();
        schedule(&mut after, &d, 4);
        assert_eq!(per_node(&after), vec![1, 1, 2]);
        // Without the preference the nodes share evenly instead.
        let mut plain = ns.clone();
        schedule(&mut plain, &demand(), 4);
        assert_eq!(per_node(&plain), vec![2, 1, 1]);
        // One at a time gives the same split.
        let mut one = ns.clone();
        for _ in 0..4 {
            schedule(&mut one, &d, 1);
        }
        assert_eq!(per_node(&one), vec![1, 1, 2]);
        // Existing tasks count: zone b already holds 2, so both new tasks go to zone a.
        let mut more = after.clone();
        for n in &mut more[..2] {
            n.active_by_service.clear();
            n.active_tasks = 0;
        }
        schedule(&mut more, &d, 2);
        assert_eq!(per_node(&more), vec![1, 1, 2]);
        // A full branch leaves the rest to the others; nodes without the label form a branch.
        let mut full = ns.clone();
        full[2].active = false;
        full.push(node("x"));
        let p = schedule(&mut full, &d, 6);
        assert_eq!(p.error, None);
        // Branches "" (x) and "a" end with 3 each.
        assert_eq!(per_node(&full), vec![2, 1, 0, 3]);
        // Ignored descriptors.
        let ignored = Demand {
            preferences: vec!["node.role".into()],
            ..demand()
        };
        let mut ig = ns.clone();
        schedule(&mut ig, &ignored, 4);
        assert_eq!(per_node(&ig), vec![2, 1, 1]);
    }

    #[test]
    fn nested_preferences_fill_evenly_and_terminate() {
        let mut ns = nodes(&["px", "py", "pz", "qw"]);
        for (n, (zone, rack)) in ns
            .iter_mut()
            .zip([("p", "x"), ("p", "y"), ("p", "z"), ("q", "w")])
        {
            n.labels.insert("zone".into(), zone.into());
            n.engine_labels.insert("rack".into(), rack.into());
        }
        ns[0].active_by_service.insert("svc".into(), 10);
        ns[0].active_tasks = 10;
        let d = Demand {
            preferences: vec!["node.labels.zone".into(), "engine.labels.rack".into()],
            ..demand()
        };
        // Zone p holds 10 (all in rack x): of 14 new tasks it takes 2, zone q 12. swarmkit
        // would ask rack y for 4 here and then loop forever (see the module docs).
        let p = schedule(&mut ns, &d, 14);
        assert_eq!(p.error, None);
        assert_eq!(per_node(&ns), vec![10, 2, 0, 12]);
    }

    #[test]
    fn case_folding_follows_go() {
        assert!(fold_eq("Zone", "zONE"));
        assert!(!fold_eq("zone", "zonf"));
        assert!(!fold_eq("a", "ab"));
        assert!(!fold_eq("@", "`")); // differ only in bit 0x20, but not letters
        assert!(fold_eq("k", "\u{212A}")); // Kelvin sign
        assert!(fold_eq("s", "\u{17F}")); // long s
        assert!(fold_eq("ÉTÉ", "été"));
        assert!(!fold_eq("été", "ete"));
        let mut n = node("a");
        n.labels.insert("unit".into(), "\u{212A}".into());
        assert!(matches(&n, "node.labels.unit==k"));
    }

    #[test]
    fn global_confirm_gives_bare_explanations() {
        let mut ns = nodes(&["a", "b"]);
        let d = Demand {
            reserve_nano_cpus: 1_500_000_000,
            ..demand()
        };
        assert_eq!(confirm(&mut ns, 0, &d), Ok(()));
        assert_eq!(per_node(&ns), vec![1, 0]);
        assert_eq!(ns[0].reserved_nano_cpus, 1_500_000_000);
        assert_eq!(
            confirm(&mut ns, 0, &d),
            Err("insufficient resources on 1 node".to_string())
        );
        ns[1].active = false;
        assert_eq!(
            confirm(&mut ns, 1, &d),
            Err("1 node not available for new tasks".to_string())
        );
        let c = Demand {
            reserve_nano_cpus: 0,
            ..with_constraints(&["node.role==manager"])
        };
        ns[1].active = true;
        assert_eq!(
            confirm(&mut ns, 1, &c),
            Err("scheduling constraints not satisfied on 1 node".to_string())
        );
        assert_eq!(confirm(&mut ns, 7, &c), Err("no suitable node".to_string()));
        assert_eq!(per_node(&ns), vec![1, 0]);
    }

    fn cluster(count: usize) -> Vec<NodeInfo> {
        // A small LCG: varied but fixed inputs.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as usize
        };
        (0..count)
            .map(|i| {
                let mut n = node(&format!("node-{}", next() % 7));
                n.id = format!("id{i:03}");
                n.labels
                    .insert("zone".into(), ["a", "b", "c"][next() % 3].into());
                n.ready = next() % 5 != 0;
                let t = next() % 4;
                n.active_tasks = t + next() % 3;
                if t > 0 {
                    n.active_by_service.insert("svc".into(), t);
                }
                if next() % 4 == 0 {
                    n.recent_failures.insert("svc/1".into(), 5 + next() % 3);
                }
                n
            })
            .collect()
    }

    #[test]
    fn same_input_same_output() {
        let d = Demand {
            preferences: vec!["node.labels.zone".into()],
            reserve_nano_cpus: 500_000_000,
            ..with_constraints(&["node.labels.zone!=c"])
        };
        for (dd, n) in [(&d, 25), (&demand(), 40), (&demand(), 1)] {
            let (mut x, mut y) = (cluster(30), cluster(30));
            let (px, py) = (schedule(&mut x, dd, n), schedule(&mut y, dd, n));
            assert_eq!(px, py);
            assert_eq!(x, y);
            // The slice order does not change which nodes are chosen.
            let mut rev = cluster(30);
            rev.reverse();
            let pr = schedule(&mut rev, dd, n);
            let hosts = |p: &Placement, ns: &[NodeInfo]| -> Vec<String> {
                let mut v: Vec<String> = p
                    .assignments
                    .iter()
                    .flatten()
                    .map(|&i| ns[i].id.clone())
                    .collect();
                v.sort();
                v
            };
            assert_eq!(hosts(&px, &x), hosts(&pr, &rev));
        }
    }

    #[test]
    fn zero_tasks_and_bad_counters_do_not_panic() {
        let mut ns = nodes(&["a"]);
        assert_eq!(
            schedule(&mut ns, &demand(), 0),
            Placement {
                assignments: vec![],
                error: None
            }
        );
        ns[0].reserved_nano_cpus = i64::MAX;
        ns[0].nano_cpus = i64::MIN;
        let d = Demand {
            reserve_nano_cpus: i64::MAX,
            ..demand()
        };
        assert!(schedule(&mut ns, &d, 3).error.is_some());
        ns[0].active_tasks = usize::MAX;
        assert_eq!(schedule(&mut ns, &demand(), 1).assignments, vec![Some(0)]);
    }
}
