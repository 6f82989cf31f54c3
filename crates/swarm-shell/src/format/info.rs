//! The `Swarm:` section of `docker info` (docker/cli's `printSwarmInfo`).
//!
//! The section sits inside the `Server:` block, after `CDI spec directories`. Lines are Go
//! `fmt.Println` output: the label and the value separated by one space, so an empty value
//! leaves a trailing space (`  Node Address: `).

use super::units::human_duration;

/// The swarm part of `/info` (`info.Swarm`), with plain values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SwarmInfo {
    /// `LocalNodeState`: `inactive`, `pending`, `active`, `error` or `locked`.
    pub local_node_state: String,
    /// The ID of this node.
    pub node_id: String,
    /// `Error`: printed right after the node ID when not empty, and then the cluster block
    /// is left out.
    pub error: String,
    /// `ControlAvailable`: whether this node is a manager.
    pub is_manager: bool,
    /// `Cluster`: present on managers.
    pub cluster: Option<ClusterInfo>,
    /// `NodeAddr`: this node's address (IP without port).
    pub node_addr: String,
    /// `RemoteManagers[].Addr` (`ip:2377`); printed sorted.
    pub manager_addrs: Vec<String>,
}

/// The cluster part of `info.Swarm`, shown only on managers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterInfo {
    /// The cluster ID.
    pub id: String,
    /// `Managers`: the number of managers.
    pub managers: u64,
    /// `Nodes`: the number of nodes.
    pub nodes: u64,
    /// `DefaultAddrPool`; `None` leaves out the pool and subnet-size lines (each pool is
    /// followed by two spaces).
    pub default_addr_pool: Option<Vec<String>>,
    /// `SubnetSize`, printed with the address pool.
    pub subnet_size: u32,
    /// `DataPathPort`; left out when 0.
    pub data_path_port: u32,
    /// `Spec.Orchestration.TaskHistoryRetentionLimit`.
    pub task_history_retention_limit: i64,
    /// `Spec.Raft.SnapshotInterval`.
    pub snapshot_interval: u64,
    /// `Spec.Raft.KeepOldSnapshots`; left out when `None`.
    pub keep_old_snapshots: Option<u64>,
    /// `Spec.Raft.HeartbeatTick`.
    pub heartbeat_tick: u64,
    /// `Spec.Raft.ElectionTick`.
    pub election_tick: u64,
    /// `Spec.Dispatcher.HeartbeatPeriod` in milliseconds (printed with `HumanDuration`).
    pub heartbeat_period_ms: u64,
    /// `Spec.CAConfig.NodeCertExpiry` in milliseconds (printed with `HumanDuration`).
    pub node_cert_expiry_ms: u64,
    /// `Spec.CAConfig.ForceRotate`.
    pub force_rotate: u64,
    /// `Spec.CAConfig.SigningCACert` (PEM); left out when blank.
    pub signing_ca_cert: String,
    /// `Spec.CAConfig.ExternalCAs` as `(protocol, url)`.
    pub external_cas: Vec<(String, String)>,
    /// `Spec.EncryptionConfig.AutoLockManagers`.
    pub autolock_managers: bool,
    /// `RootRotationInProgress`.
    pub root_rotation_in_progress: bool,
}

impl ClusterInfo {
    /// What a plain `docker swarm init` produces: the default address pool `10.0.0.0/8`
    /// with /24 subnets, data path port 4789, 5 tasks of history, Raft snapshots every 10000
    /// entries keeping none, heartbeat tick 1, election tick 10, a 5 s dispatcher heartbeat,
    /// 90-day certificates, no autolock.
    pub fn swarm_init_defaults(id: &str, managers: u64, nodes: u64) -> ClusterInfo {
        ClusterInfo {
            id: id.to_string(),
            managers,
            nodes,
            default_addr_pool: Some(vec!["10.0.0.0/8".to_string()]),
            subnet_size: 24,
            data_path_port: 4789,
            task_history_retention_limit: 5,
            snapshot_interval: 10_000,
            keep_old_snapshots: Some(0),
            heartbeat_tick: 1,
            election_tick: 10,
            heartbeat_period_ms: 5_000,
            node_cert_expiry_ms: 90 * 24 * 3_600_000,
            force_rotate: 0,
            signing_ca_cert: String::new(),
            external_cas: Vec::new(),
            autolock_managers: false,
            root_rotation_in_progress: false,
        }
    }
}

/// The `Swarm:` lines of `docker info`, from ` Swarm: <state>` on, each ending with a newline.
///
/// An `inactive` or `locked` node prints only the state line. The cluster block is printed
/// for a manager with cluster information, no error and a state other than `error`.
pub fn swarm_info_section(info: &SwarmInfo) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(" Swarm: {}", info.local_node_state));
    if matches!(info.local_node_state.as_str(), "inactive" | "locked") {
        return out;
    }
    line(format!("  NodeID: {}", info.node_id));
    if !info.error.is_empty() {
        line(format!("  Error: {}", info.error));
    }
    line(format!("  Is Manager: {}", info.is_manager));
    if let Some(c) = &info.cluster {
        if info.is_manager && info.error.is_empty() && info.local_node_state != "error" {
            line(format!("  ClusterID: {}", c.id));
            line(format!("  Managers: {}", c.managers));
            line(format!("  Nodes: {}", c.nodes));
            if let Some(pools) = &c.default_addr_pool {
                let pools: String = pools.iter().map(|p| format!("{p}  ")).collect();
                line(format!("  Default Address Pool: {pools}"));
                line(format!("  SubnetSize: {}", c.subnet_size));
            }
            if c.data_path_port > 0 {
                line(format!("  Data Path Port: {}", c.data_path_port));
            }
            line("  Orchestration:".to_string());
            line(format!(
                "   Task History Retention Limit: {}",
                c.task_history_retention_limit
            ));
            line("  Raft:".to_string());
            line(format!("   Snapshot Interval: {}", c.snapshot_interval));
            if let Some(keep) = c.keep_old_snapshots {
                line(format!("   Number of Old Snapshots to Retain: {keep}"));
            }
            line(format!("   Heartbeat Tick: {}", c.heartbeat_tick));
            line(format!("   Election Tick: {}", c.election_tick));
            line("  Dispatcher:".to_string());
            line(format!(
                "   Heartbeat Period: {}",
                human_duration(c.heartbeat_period_ms)
            ));
            line("  CA Configuration:".to_string());
            line(format!(
                "   Expiry Duration: {}",
                human_duration(c.node_cert_expiry_ms)
            ));
            line(format!("   Force Rotate: {}", c.force_rotate));
            let ca_cert = c.signing_ca_cert.trim();
            if !ca_cert.is_empty() {
                line(format!("   Signing CA Certificate: \n{ca_cert}\n"));
            }
            if !c.external_cas.is_empty() {
                line("   External CAs:".to_string());
                for (protocol, url) in &c.external_cas {
                    line(format!("     {protocol}: {url}"));
                }
            }
            line(format!("  Autolock Managers: {}", c.autolock_managers));
            line(format!(
                "  Root Rotation In Progress: {}",
                c.root_rotation_in_progress
            ));
        }
    }
    line(format!("  Node Address: {}", info.node_addr));
    if !info.manager_addrs.is_empty() {
        let mut managers: Vec<&str> = info.manager_addrs.iter().map(String::as_str).collect();
        swarm_core::sort::sort(&mut managers);
        line("  Manager Addresses:".to_string());
        for addr in managers {
            line(format!("   {addr}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manager() -> SwarmInfo {
        SwarmInfo {
            local_node_state: "active".to_string(),
            node_id: "dxn1zf6l61qsb1josjja83ngz".to_string(),
            error: String::new(),
            is_manager: true,
            cluster: Some(ClusterInfo::swarm_init_defaults(
                "9vs5ygs0gguyyec4iqf2314c0",
                1,
                3,
            )),
            node_addr: "192.168.99.100".to_string(),
            manager_addrs: vec!["192.168.99.100:2377".to_string()],
        }
    }

    #[test]
    fn manager_after_init() {
        assert_eq!(
            swarm_info_section(&manager()),
            " Swarm: active\n  NodeID: dxn1zf6l61qsb1josjja83ngz\n  Is Manager: true\n  \
             ClusterID: 9vs5ygs0gguyyec4iqf2314c0\n  Managers: 1\n  Nodes: 3\n  \
             Default Address Pool: 10.0.0.0/8  \n  SubnetSize: 24\n  Data Path Port: 4789\n  \
             Orchestration:\n   Task History Retention Limit: 5\n  Raft:\n   \
             Snapshot Interval: 10000\n   Number of Old Snapshots to Retain: 0\n   \
             Heartbeat Tick: 1\n   Election Tick: 10\n  Dispatcher:\n   \
             Heartbeat Period: 5 seconds\n  CA Configuration:\n   \
             Expiry Duration: 3 months\n   Force Rotate: 0\n  Autolock Managers: false\n  \
             Root Rotation In Progress: false\n  Node Address: 192.168.99.100\n  \
             Manager Addresses:\n   192.168.99.100:2377\n"
        );
    }

    #[test]
    fn error_hides_the_cluster_block() {
        let mut info = manager();
        info.error = "rpc error: code = Unknown desc = The swarm does not have a leader".into();
        assert_eq!(
            swarm_info_section(&info),
            " Swarm: active\n  NodeID: dxn1zf6l61qsb1josjja83ngz\n  \
             Error: rpc error: code = Unknown desc = The swarm does not have a leader\n  \
             Is Manager: true\n  Node Address: 192.168.99.100\n  \
             Manager Addresses:\n   192.168.99.100:2377\n"
        );
    }

    #[test]
    fn worker_and_inactive() {
        let worker = SwarmInfo {
            local_node_state: "active".to_string(),
            node_id: "9j68exjopxe7wfl6yuxml7a7j".to_string(),
            node_addr: "192.168.99.101".to_string(),
            manager_addrs: vec![
                "192.168.99.102:2377".to_string(),
                "192.168.99.100:2377".to_string(),
            ],
            ..SwarmInfo::default()
        };
        assert_eq!(
            swarm_info_section(&worker),
            " Swarm: active\n  NodeID: 9j68exjopxe7wfl6yuxml7a7j\n  Is Manager: false\n  \
             Node Address: 192.168.99.101\n  Manager Addresses:\n   \
             192.168.99.100:2377\n   192.168.99.102:2377\n"
        );
        let inactive = SwarmInfo {
            local_node_state: "inactive".to_string(),
            ..SwarmInfo::default()
        };
        assert_eq!(swarm_info_section(&inactive), " Swarm: inactive\n");
    }
}
