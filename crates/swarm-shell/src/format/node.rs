//! `docker node ls` and `docker node inspect --pretty`.
//!
//! Both take the values the engine API reports (`ready`, `active`, `reachable`, …) and
//! pretty-print them the way docker/cli's node formatter does.

use std::collections::BTreeMap;

use super::tabwriter;
use super::text::{natural_cmp, pretty_print};
use super::units::bytes_size;

/// docker/cli's default `docker node ls` format. The ID cell is the ID, a space and `*` for
/// the node the CLI talks to (a space otherwise), so the header cell is `ID` and two spaces.
/// The separators are real tab characters, as in Go's double-quoted constant.
pub const DEFAULT_NODE_TABLE_FORMAT: &str = "table {{.ID}} {{if .Self}}*{{else}} {{ end }}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}";

/// One node of `docker node ls`, with the raw values of the engine API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeRow {
    /// The full node ID (`node ls` does not truncate it).
    pub id: String,
    /// Whether this is the node the CLI is connected to (`info.Swarm.NodeID`).
    pub is_self: bool,
    /// `Description.Hostname`.
    pub hostname: String,
    /// `Status.State`: `ready`, `down`, `unknown` or `disconnected`.
    pub status: String,
    /// `Spec.Availability`: `active`, `pause` or `drain`.
    pub availability: String,
    /// `leader` for the leader, else `ManagerStatus.Reachability` (`reachable`,
    /// `unreachable`, `unknown`); empty for workers.
    pub manager_status: String,
    /// `Description.Engine.EngineVersion`.
    pub engine_version: String,
}

/// The default `docker node ls` table: a header, then the nodes in natural order of their
/// hostnames, ending with a newline. The header is printed even when there are no nodes.
pub fn node_table(rows: &[NodeRow]) -> String {
    let mut text =
        String::from("ID  \tHOSTNAME\tSTATUS\tAVAILABILITY\tMANAGER STATUS\tENGINE VERSION\n");
    for row in sorted(rows) {
        let star = if row.is_self { '*' } else { ' ' };
        text.push_str(&format!(
            "{} {star}\t{}\t{}\t{}\t{}\t{}\n",
            row.id,
            row.hostname,
            pretty_print(&row.status),
            pretty_print(&row.availability),
            pretty_print(&row.manager_status),
            row.engine_version,
        ));
    }
    tabwriter::render(&text)
}

/// `docker node ls -q`: the IDs in the same order as the table, one per line.
pub fn node_ids(rows: &[NodeRow]) -> String {
    let mut out = String::new();
    for row in sorted(rows) {
        out.push_str(&row.id);
        out.push('\n');
    }
    out
}

/// The rows in natural order of their hostnames; equal hostnames keep their given order.
fn sorted(rows: &[NodeRow]) -> Vec<&NodeRow> {
    let mut sorted: Vec<&NodeRow> = rows.iter().collect();
    swarm_core::sort::sort_by(&mut sorted, |a, b| natural_cmp(&a.hostname, &b.hostname));
    sorted
}

/// `ManagerStatus` of a manager node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManagerStatus {
    /// The Raft address, `<ip>:2377`.
    pub addr: String,
    /// `reachable`, `unreachable` or `unknown` (the leader is `reachable`).
    pub reachability: String,
    /// Whether this manager is the Raft leader.
    pub leader: bool,
}

/// `Description.TLSInfo` as printed: the trust root and the issuer, already base64-encoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsInfo {
    /// The root CA certificate (PEM, usually ending with a newline).
    pub trust_root: String,
    /// `base64(CertIssuerSubject)`.
    pub cert_issuer_subject: String,
    /// `base64(CertIssuerPublicKey)`.
    pub cert_issuer_public_key: String,
}

/// What `docker node inspect --pretty` shows of a node, with raw engine API values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeInspect {
    /// The full node ID.
    pub id: String,
    /// `Spec.Name`; its line is left out when empty.
    pub name: String,
    /// `Spec.Labels` (node labels), printed in key order.
    pub labels: BTreeMap<String, String>,
    /// `Description.Hostname`.
    pub hostname: String,
    /// `CreatedAt` as Go's `time.Time.String()` prints it (see
    /// [`go_time_utc`](super::text::go_time_utc)); it is pretty-printed here, which
    /// lower-cases `UTC`.
    pub created_at: String,
    /// `Status.State`: `ready`, `down`, …
    pub state: String,
    /// `Status.Message`; its line is left out when empty.
    pub message: String,
    /// `Spec.Availability`: `active`, `pause`, `drain`.
    pub availability: String,
    /// `Status.Addr`; its line is left out when empty.
    pub addr: String,
    /// `ManagerStatus`, for managers only.
    pub manager: Option<ManagerStatus>,
    /// `Description.Platform.OS`, e.g. `linux`.
    pub os: String,
    /// `Description.Platform.Architecture`, e.g. `x86_64`.
    pub architecture: String,
    /// `Description.Resources.NanoCPUs`; whole CPUs are printed (truncated).
    pub nano_cpus: i64,
    /// `Description.Resources.MemoryBytes`; printed with `BytesSize`, empty when 0.
    pub memory_bytes: i64,
    /// `Description.Engine.Plugins` as `(type, name)` pairs in engine order; printed one line
    /// per type, types in name order, names joined with `, ` in the given order.
    pub plugins: Vec<(String, String)>,
    /// `Description.Engine.EngineVersion`.
    pub engine_version: String,
    /// `Description.Engine.Labels`, printed in key order.
    pub engine_labels: BTreeMap<String, String>,
    /// `Description.TLSInfo`, left out when `None`.
    pub tls: Option<TlsInfo>,
}

/// `docker node inspect --pretty` of one node, ending with a newline; for several nodes the
/// CLI prints these one after the other.
///
/// This follows docker/cli's `nodeInspectPrettyTemplate` to the byte: real tabs, and the
/// odd `Hostname:              \t` alignment with spaces and a tab.
pub fn node_inspect_pretty(node: &NodeInspect) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    line(&format!("ID:\t\t\t{}", node.id));
    if !node.name.is_empty() {
        line(&format!("Name:\t\t\t{}", node.name));
    }
    if !node.labels.is_empty() {
        line("Labels:");
        for (k, v) in &node.labels {
            line(&label_line(k, v));
        }
    }
    line(&format!("Hostname:              \t{}", node.hostname));
    line(&format!(
        "Joined at:             \t{}",
        pretty_print(&node.created_at)
    ));
    line("Status:");
    line(&format!(" State:\t\t\t{}", pretty_print(&node.state)));
    if !node.message.is_empty() {
        line(&format!(
            " Message:              \t{}",
            pretty_print(&node.message)
        ));
    }
    line(&format!(
        " Availability:         \t{}",
        pretty_print(&node.availability)
    ));
    if !node.addr.is_empty() {
        line(&format!(" Address:\t\t{}", node.addr));
    }
    if let Some(manager) = &node.manager {
        line("Manager Status:");
        line(&format!(" Address:\t\t{}", manager.addr));
        line(&format!(
            " Raft Status:\t\t{}",
            pretty_print(&manager.reachability)
        ));
        line(if manager.leader {
            " Leader:\t\tYes"
        } else {
            " Leader:\t\tNo"
        });
    }
    line("Platform:");
    line(&format!(" Operating System:\t{}", node.os));
    line(&format!(" Architecture:\t\t{}", node.architecture));
    line("Resources:");
    line(&format!(" CPUs:\t\t\t{}", node.nano_cpus / 1_000_000_000));
    let memory = if node.memory_bytes == 0 {
        String::new()
    } else {
        bytes_size(node.memory_bytes as f64)
    };
    line(&format!(" Memory:\t\t{memory}"));
    if !node.plugins.is_empty() {
        line("Plugins:");
        let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (kind, name) in &node.plugins {
            by_type.entry(kind).or_default().push(name);
        }
        for (kind, names) in by_type {
            let names = names.join(", ");
            if names.is_empty() {
                line(&format!(" {kind}:"));
            } else {
                line(&format!(" {kind}:\t\t{names}"));
            }
        }
    }
    line(&format!("Engine Version:\t\t{}", node.engine_version));
    if !node.engine_labels.is_empty() {
        line("Engine Labels:");
        for (k, v) in &node.engine_labels {
            line(&label_line(k, v));
        }
    }
    if let Some(tls) = &node.tls {
        line("TLS Info:");
        line(" TrustRoot:");
        line(&tls.trust_root);
        line(&format!(" Issuer Subject:\t{}", tls.cert_issuer_subject));
        line(&format!(
            " Issuer Public Key:\t{}",
            tls.cert_issuer_public_key
        ));
    }
    out
}

/// ` - key=value`, or ` - key` for an empty value.
fn label_line(key: &str, value: &str) -> String {
    if value.is_empty() {
        format!(" - {key}")
    } else {
        format!(" - {key}={value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, hostname: &str, manager_status: &str) -> NodeRow {
        NodeRow {
            id: id.to_string(),
            is_self: false,
            hostname: hostname.to_string(),
            status: "ready".to_string(),
            availability: "active".to_string(),
            manager_status: manager_status.to_string(),
            engine_version: "28.3.3".to_string(),
        }
    }

    #[test]
    fn realistic_table() {
        let mut rows = vec![
            row("03g1y59jwfg7cf99w4lt0f662", "worker2", ""),
            row("9j68exjopxe7wfl6yuxml7a7j", "worker1", ""),
            row("dxn1zf6l61qsb1josjja83ngz", "manager1", "leader"),
        ];
        rows[0].status = "down".to_string();
        rows[0].availability = "drain".to_string();
        rows[2].is_self = true;
        assert_eq!(
            node_table(&rows),
            "ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n\
             dxn1zf6l61qsb1josjja83ngz *   manager1   Ready     Active         Leader           28.3.3\n\
             9j68exjopxe7wfl6yuxml7a7j     worker1    Ready     Active                          28.3.3\n\
             03g1y59jwfg7cf99w4lt0f662     worker2    Down      Drain                           28.3.3\n"
        );
        assert_eq!(
            node_ids(&rows),
            "dxn1zf6l61qsb1josjja83ngz\n9j68exjopxe7wfl6yuxml7a7j\n03g1y59jwfg7cf99w4lt0f662\n"
        );
    }

    #[test]
    fn empty_table_has_a_header() {
        assert_eq!(
            node_table(&[]),
            "ID        HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n"
        );
        assert_eq!(node_ids(&[]), "");
    }

    #[test]
    fn pretty_with_status_message_tls_and_empty_values() {
        let node = NodeInspect {
            id: "n".to_string(),
            hostname: "h".to_string(),
            created_at: "2025-01-10 09:12:44.99 +0000 UTC".to_string(),
            state: "down".to_string(),
            message: "Heartbeat failure".to_string(),
            availability: "drain".to_string(),
            os: "linux".to_string(),
            architecture: "x86_64".to_string(),
            nano_cpus: 2_500_000_000,
            plugins: vec![
                ("Volume".to_string(), "local".to_string()),
                ("Network".to_string(), "overlay".to_string()),
                ("Network".to_string(), "bridge".to_string()),
            ],
            engine_version: "28.3.3".to_string(),
            labels: BTreeMap::from([("zone".to_string(), String::new())]),
            tls: Some(TlsInfo {
                trust_root: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"
                    .to_string(),
                cert_issuer_subject: "c3ViamVjdA==".to_string(),
                cert_issuer_public_key: "a2V5".to_string(),
            }),
            ..NodeInspect::default()
        };
        assert_eq!(
            node_inspect_pretty(&node),
            "ID:\t\t\tn\n\
             Labels:\n - zone\n\
             Hostname:              \th\n\
             Joined at:             \t2025-01-10 09:12:44.99 +0000 utc\n\
             Status:\n State:\t\t\tDown\n Message:              \tHeartbeat failure\n\
             \x20Availability:         \tDrain\n\
             Platform:\n Operating System:\tlinux\n Architecture:\t\tx86_64\n\
             Resources:\n CPUs:\t\t\t2\n Memory:\t\t\n\
             Plugins:\n Network:\t\toverlay, bridge\n Volume:\t\tlocal\n\
             Engine Version:\t\t28.3.3\n\
             TLS Info:\n TrustRoot:\n-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n\n\
             \x20Issuer Subject:\tc3ViamVjdA==\n Issuer Public Key:\ta2V5\n"
        );
    }
}
