//! The renderers of `swarm_shell::format` against docker/cli's own golden files.
//!
//! Each test feeds the values of the fixture docker/cli's unit test uses (its node builders,
//! fake swarm and fake info) and compares the output with the golden file byte for byte. The
//! golden files are read at test time from `/work/shared/reference/golden/docker-cli/`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use swarm_shell::format::info::{swarm_info_section, ClusterInfo, SwarmInfo};
use swarm_shell::format::node::{
    node_ids, node_inspect_pretty, node_table, ManagerStatus, NodeInspect, NodeRow,
};
use swarm_shell::format::swarm::{
    join_token_quiet, join_token_rotated_text, join_token_text, swarm_init_text_with,
    swarm_updated_text, unlock_key_rotated_text, unlock_key_text, Role,
};
use swarm_shell::format::{go_time_utc, human_duration, tabwriter};

/// The text of a golden file under `docker-cli/cli/command/`.
fn golden(path: &str) -> String {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/golden/docker-cli/cli/command")
        .join(path);
    std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read golden file {}: {e}", file.display()))
}

/// Compares with a golden file, showing both texts with visible tabs on a mismatch.
fn assert_golden(actual: &str, path: &str) {
    let expected = golden(path);
    assert!(
        actual == expected,
        "{path} differs\n--- expected\n{}\n--- actual\n{}",
        expected.replace('\t', "→"),
        actual.replace('\t', "→")
    );
}

// ---------------------------------------------------------------------------------------
// docker node ls

/// `builders.Node(...)` as `TestNodeList` configures it.
fn list_node(id: &str, hostname: &str, manager_status: &str, engine: &str) -> NodeRow {
    NodeRow {
        id: id.to_string(),
        is_self: id == "nodeID1",
        hostname: hostname.to_string(),
        status: "ready".to_string(),
        availability: "active".to_string(),
        manager_status: manager_status.to_string(),
        engine_version: engine.to_string(),
    }
}

#[test]
fn node_list_sort() {
    let rows = [
        list_node("nodeID1", "node-2-foo", "leader", "."),
        list_node("nodeID2", "node-10-foo", "reachable", "18.03.0-ce"),
        list_node("nodeID3", "node-1-foo", "", "1.13.0"),
    ];
    assert_golden(&node_table(&rows), "node/testdata/node-list-sort.golden");
    assert_eq!(node_ids(&rows), "nodeID3\nnodeID1\nnodeID2\n");
}

// ---------------------------------------------------------------------------------------
// docker node inspect --pretty

/// `builders.Node()` defaults: what every `node-inspect-pretty.*` fixture starts from.
fn inspect_node() -> NodeInspect {
    NodeInspect {
        id: "nodeID".to_string(),
        name: "defaultNodeName".to_string(),
        labels: BTreeMap::new(),
        hostname: "defaultNodeHostname".to_string(),
        // time.Date(2009, time.November, 10, 23, 0, 0, 0, time.UTC)
        created_at: go_time_utc(1_257_894_000, 0),
        state: "ready".to_string(),
        message: String::new(),
        availability: "active".to_string(),
        addr: "127.0.0.1".to_string(),
        manager: None,
        os: "linux".to_string(),
        architecture: "x86_64".to_string(),
        // NanoCPUs 4: whole CPUs are printed, so 0.
        nano_cpus: 4,
        memory_bytes: 20 * 1024 * 1024,
        plugins: vec![
            ("Network".to_string(), "bridge".to_string()),
            ("Network".to_string(), "overlay".to_string()),
            ("Volume".to_string(), "local".to_string()),
        ],
        engine_version: "1.13.0".to_string(),
        engine_labels: BTreeMap::from([("engine".to_string(), "label".to_string())]),
        tls: None,
    }
}

#[test]
fn node_inspect_pretty_simple() {
    let node = NodeInspect {
        labels: BTreeMap::from([("lbl1".to_string(), "value1".to_string())]),
        ..inspect_node()
    };
    assert_golden(
        &node_inspect_pretty(&node),
        "node/testdata/node-inspect-pretty.simple.golden",
    );
}

#[test]
fn node_inspect_pretty_manager() {
    let node = NodeInspect {
        manager: Some(ManagerStatus {
            addr: "127.0.0.1".to_string(),
            reachability: "reachable".to_string(),
            leader: false,
        }),
        ..inspect_node()
    };
    assert_golden(
        &node_inspect_pretty(&node),
        "node/testdata/node-inspect-pretty.manager.golden",
    );
}

#[test]
fn node_inspect_pretty_manager_leader() {
    let node = NodeInspect {
        manager: Some(ManagerStatus {
            addr: "127.0.0.1".to_string(),
            reachability: "reachable".to_string(),
            leader: true,
        }),
        ..inspect_node()
    };
    assert_golden(
        &node_inspect_pretty(&node),
        "node/testdata/node-inspect-pretty.manager-leader.golden",
    );
}

// ---------------------------------------------------------------------------------------
// docker swarm init / join-token / unlock-key / update

#[test]
fn swarm_init() {
    // The fake node of TestSwarmInit has no manager status, so no worker join command.
    assert_golden(
        &swarm_init_text_with("nodeID", None, None),
        "swarm/testdata/init-init.golden",
    );
    assert_golden(
        &swarm_init_text_with("nodeID", None, Some("unlock-key")),
        "swarm/testdata/init-init-auto-lock.golden",
    );
}

#[test]
fn swarm_join_token() {
    assert_golden(
        &join_token_text(Role::Worker, "worker-join-token", "127.0.0.1"),
        "swarm/testdata/jointoken-worker.golden",
    );
    assert_golden(
        &join_token_text(Role::Manager, "manager-join-token", "127.0.0.1"),
        "swarm/testdata/jointoken-manager.golden",
    );
    assert_golden(
        &join_token_rotated_text(Role::Manager, "manager-join-token", "127.0.0.1"),
        "swarm/testdata/jointoken-manager-rotate.golden",
    );
    assert_golden(
        &join_token_quiet("worker-join-token"),
        "swarm/testdata/jointoken-worker-quiet.golden",
    );
    assert_golden(
        &join_token_quiet("manager-join-token"),
        "swarm/testdata/jointoken-manager-quiet.golden",
    );
}

#[test]
fn swarm_unlock_key_and_update() {
    assert_golden(
        &unlock_key_text("unlock-key"),
        "swarm/testdata/unlockkeys-unlock-key.golden",
    );
    assert_golden(
        &unlock_key_rotated_text("unlock-key"),
        "swarm/testdata/unlockkeys-unlock-key-rotate.golden",
    );
    assert_golden(
        &swarm_updated_text(None),
        "swarm/testdata/update-all-flags-quiet.golden",
    );
    assert_golden(
        &swarm_updated_text(Some("unlock-key")),
        "swarm/testdata/update-auto-lock-unlock-key.golden",
    );
}

// ---------------------------------------------------------------------------------------
// docker info

/// The lines of a `docker info` golden file from ` Swarm:` up to the next server line that
/// is not part of the swarm section (` Runtimes:`).
fn swarm_section_of(path: &str) -> String {
    let text = golden(path);
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with(" Swarm:") {
            inside = true;
        } else if inside && !line.starts_with("  ") {
            break;
        }
        if inside {
            out.push_str(line);
        }
    }
    assert!(!out.is_empty(), "no swarm section in {path}");
    out
}

#[test]
fn docker_info_with_swarm() {
    // The fixture of TestPrettyPrintInfo: no default address pool, no data path port,
    // election tick 3, autolock on.
    let info = SwarmInfo {
        local_node_state: "active".to_string(),
        node_id: "qo2dfdig9mmxqkawulggepdih".to_string(),
        error: String::new(),
        is_manager: true,
        cluster: Some(ClusterInfo {
            default_addr_pool: None,
            data_path_port: 0,
            election_tick: 3,
            autolock_managers: true,
            ..ClusterInfo::swarm_init_defaults("9vs5ygs0gguyyec4iqf2314c0", 1, 1)
        }),
        node_addr: "165.227.107.89".to_string(),
        manager_addrs: vec!["165.227.107.89:2377".to_string()],
    };
    let expected = swarm_section_of("system/testdata/docker-info-with-swarm.golden");
    let actual = swarm_info_section(&info);
    assert!(
        actual == expected,
        "--- expected\n{expected}--- actual\n{actual}"
    );
}

#[test]
fn docker_info_without_swarm() {
    let info = SwarmInfo {
        local_node_state: "inactive".to_string(),
        ..SwarmInfo::default()
    };
    assert_eq!(
        swarm_info_section(&info),
        swarm_section_of("system/testdata/docker-info-no-swarm.golden")
    );
}

// ---------------------------------------------------------------------------------------
// The table writer and HumanDuration on their own

#[test]
fn tabwriter_rules() {
    // Minimal width 10, padding 3.
    assert_eq!(tabwriter::render("a\tb\n"), "a         b\n");
    assert_eq!(tabwriter::render("0123456789\tb\n"), "0123456789   b\n");
    // An empty last column leaves the padding of the column before it.
    assert_eq!(
        tabwriter::render("NAME\tPORTS\nweb\t\n"),
        "NAME      PORTS\nweb       \n"
    );
    // Wide runes count two columns.
    assert_eq!(
        tabwriter::render("名前名前\tx\nab\ty\n"),
        "名前名前   x\nab         y\n"
    );
    // The last cell of a line is never padded, however long.
    assert_eq!(
        tabwriter::render("A\tB\nx\tvery-long-last-cell\n"),
        "A         B\nx         very-long-last-cell\n"
    );
}

#[test]
fn human_duration_thresholds() {
    const S: u64 = 1000;
    const M: u64 = 60 * S;
    const H: u64 = 60 * M;
    const D: u64 = 24 * H;
    let cases = [
        (0, "Less than a second"),
        (999, "Less than a second"),
        (S, "1 second"),
        (2 * S - 1, "1 second"),
        (2 * S, "2 seconds"),
        (59 * S + 999, "59 seconds"),
        (60 * S, "About a minute"),
        (119 * S, "About a minute"),
        (120 * S, "2 minutes"),
        (59 * M + 59 * S, "59 minutes"),
        (H, "About an hour"),
        (H + 29 * M, "About an hour"),
        (H + 30 * M, "2 hours"),
        (H + 31 * M, "2 hours"),
        (3 * H + 29 * M, "3 hours"),
        (3 * H + 31 * M, "4 hours"),
        (24 * H, "24 hours"),
        (D + 12 * H, "36 hours"),
        (47 * H + 29 * M, "47 hours"),
        (47 * H + 30 * M, "2 days"),
        (2 * D, "2 days"),
        (13 * D + 5 * H, "13 days"),
        (14 * D, "2 weeks"),
        (30 * D, "4 weeks"),
        (30 * D + 14 * D, "6 weeks"),
        (60 * D, "2 months"),
        (90 * D, "3 months"),
        (24 * 30 * D, "24 months"),
        (24 * 30 * D + 14 * D, "2 years"),
        (3 * 365 * D + 60 * D, "3 years"),
        (u64::MAX, "584942417 years"),
    ];
    for (ms, expected) in cases {
        assert_eq!(human_duration(ms), expected, "{ms} ms");
    }
}

// ---------------------------------------------------------------------------------------
// No input makes a renderer panic

mod no_panic {
    use std::cmp::Ordering;

    use proptest::prelude::*;
    use swarm_shell::format::node::{node_ids, node_table, NodeRow};
    use swarm_shell::format::{bytes_size, natural_cmp, pretty_print, tabwriter, truncate_id};

    proptest! {
        #[test]
        fn tabwriter_any_text(text in "[a-zé日🐳 \\t\\n\\x0b\\x0c\u{301}]{0,60}") {
            let out = tabwriter::render(&text);
            // Only padding is added: the text without tabs is kept.
            let strip = |s: &str| s.chars().filter(|c| !matches!(c, ' ' | '\t' | '\x0b')).collect::<String>();
            prop_assert_eq!(strip(&out).replace('\x0c', "\n"), strip(&text).replace('\x0c', "\n"));
        }

        #[test]
        fn text_without_tabs_is_unchanged(text in "[a-z日 \\n]{0,40}") {
            prop_assert_eq!(tabwriter::render(&text), text);
        }

        #[test]
        fn helpers_any_string(s in any::<String>(), t in any::<String>()) {
            let _ = pretty_print(&s);
            let _ = truncate_id(&s);
            prop_assert_eq!(natural_cmp(&s, &t), natural_cmp(&t, &s).reverse());
            prop_assert_eq!(natural_cmp(&s, &s), Ordering::Equal);
        }

        #[test]
        fn natural_order_sorts(mut names in proptest::collection::vec("[a0-9-]{0,6}", 0..30)) {
            names.sort_by(|a, b| natural_cmp(a, b));
            for pair in names.windows(2) {
                prop_assert_ne!(natural_cmp(&pair[0], &pair[1]), Ordering::Greater);
            }
        }

        #[test]
        fn node_table_any_values(
            rows in proptest::collection::vec(
                (any::<String>(), any::<bool>(), any::<String>(), any::<String>()),
                0..5,
            ),
            size in any::<f64>(),
        ) {
            let rows: Vec<NodeRow> = rows
                .into_iter()
                .map(|(id, is_self, hostname, status)| NodeRow {
                    id,
                    is_self,
                    hostname,
                    status: status.clone(),
                    availability: status.clone(),
                    manager_status: status,
                    engine_version: String::new(),
                })
                .collect();
            let _ = node_table(&rows);
            let _ = node_ids(&rows);
            let _ = bytes_size(size);
        }
    }
}
