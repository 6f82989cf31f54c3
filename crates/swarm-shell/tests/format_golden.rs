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

// ---------------------------------------------------------------------------------------
// docker service ls / ps, node ps, stack ps / services, service inspect --pretty

mod service_and_task_goldens {
    use std::collections::BTreeMap;

    use swarm_shell::format::service::{
        service_ids, service_inspect_pretty, service_raw, service_table, task_ids, task_table,
        FileRefPretty, HealthcheckPretty, LogDriverPretty, PortConfig, PrettyMode, ResourcesPretty,
        ServiceMode, ServicePretty, ServiceRow, TaskRow, UpdateStatusPretty,
    };

    use super::{assert_golden, golden};

    const HOUR_MS: u64 = 3_600_000;

    fn port(protocol: &str, target: u32, published: u32, mode: &str) -> PortConfig {
        PortConfig {
            protocol: protocol.to_string(),
            target_port: target,
            published_port: published,
            publish_mode: mode.to_string(),
        }
    }

    /// `builders.Task(...)` defaults: ID `taskID`, image `myimage:mytag`, slot 1, desired
    /// `ready`, state `ready` (an hour after the default creation time), all created at the
    /// same `defaultTime`.
    fn task(id: &str, name: &str, node: &str) -> TaskRow {
        TaskRow {
            id: id.to_string(),
            name: name.to_string(),
            created_at: 1_257_894_000_000,
            image: "myimage:mytag".to_string(),
            node: node.to_string(),
            desired_state: "ready".to_string(),
            state: "ready".to_string(),
            state_elapsed_ms: 2 * HOUR_MS,
            error: String::new(),
            ports: Vec::new(),
        }
    }

    /// `TestTaskPrintWithIndentation` / `TestStackPs` "WithoutFormat": a failed task two
    /// hours ago.
    fn failed(id: &str, name: &str, node: &str) -> TaskRow {
        TaskRow {
            state: "failed".to_string(),
            ..task(id, name, node)
        }
    }

    #[test]
    fn task_print_sorted() {
        // TestTaskPrintSorted: service-id-ten resolves to service-name-10, listed first.
        // task.Print is called with trunc=false.
        let rows = [
            failed("id-foo", "service-name-10.1", "id-node"),
            failed("id-bar", "service-name-1.1", "id-node"),
        ];
        assert_golden(
            &task_table(&rows, true),
            "task/testdata/task-print-sorted.golden",
        );
    }

    #[test]
    fn task_print_with_indentation() {
        let rows = [
            failed("id-foo", "service-name-foo.1", "node-name-bar"),
            failed("id-bar", "service-name-foo.1", "node-name-bar"),
        ];
        assert_golden(
            &task_table(&rows, true),
            "task/testdata/task-print-with-indentation.golden",
        );
    }

    #[test]
    fn task_print_quiet_and_no_trunc() {
        // -q, trunc=false.
        assert_golden(
            &task_ids(&[task("id-foo", "x.1", "")], true),
            "task/testdata/task-print-with-quiet-option.golden",
        );
        // `--format '{{ .ID }}'` with trunc=false is the quiet format: the full ID.
        assert_golden(
            &task_ids(&[task("id-foo-yov6omdek8fg3k5stosyp2m50", "x.1", "")], true),
            "task/testdata/task-print-with-no-trunc-option.golden",
        );
    }

    #[test]
    fn node_ps_simple() {
        // TestNodePs "simple": the default task, its service resolved to its own ID, a
        // published port in its status.
        let rows = [TaskRow {
            ports: vec![port("tcp", 80, 80, "")],
            ..task("taskID", "rl02d5gwz6chzu7il5fhtb8be.1", "defaultNodeName")
        }];
        assert_golden(
            &task_table(&rows, false),
            "node/testdata/node-ps.simple.golden",
        );
    }

    #[test]
    fn node_ps_with_errors() {
        let rows: Vec<TaskRow> = [("taskID1", 2), ("taskID2", 3), ("taskID3", 4)]
            .iter()
            .map(|&(id, hours)| TaskRow {
                state_elapsed_ms: hours * HOUR_MS,
                error: "a task error".to_string(),
                ..task(id, "failure.1", "defaultNodeName")
            })
            .collect();
        assert_golden(
            &task_table(&rows, false),
            "node/testdata/node-ps.with-errors.golden",
        );
    }

    #[test]
    fn stack_ps() {
        assert_golden(
            &task_table(
                &[failed("id-foo", "service-id-foo.1", "node-name-bar")],
                false,
            ),
            "stack/testdata/stack-ps-without-format.golden",
        );
        assert_golden(
            &task_ids(&[task("id-foo", "x.1", "")], false),
            "stack/testdata/stack-ps-with-quiet-option.golden",
        );
        // `--no-trunc --format '{{ .ID }}'`: the full 25-character ID.
        assert_golden(
            &task_ids(&[task("xn4cypcov06f2w8gsbaf2lst3", "x.1", "")], true),
            "stack/testdata/stack-ps-with-no-trunc-option.golden",
        );
    }

    #[test]
    fn stack_services() {
        // TestStackServicesWithoutFormat: ReplicatedService(2) sets DesiredTasks 2; the port
        // without a published port is assigned 30000.
        let rows = [ServiceRow {
            id: "id-foo".to_string(),
            name: "name-foo".to_string(),
            mode: ServiceMode::Replicated,
            running: 0,
            desired: 2,
            image: "busybox:latest".to_string(),
            ports: vec![port("tcp", 3232, 30000, "ingress")],
            ..ServiceRow::default()
        }];
        assert_golden(
            &service_table(&rows),
            "stack/testdata/stack-services-without-format.golden",
        );
        assert_golden(
            &service_ids(&rows, false),
            "stack/testdata/stack-services-with-quiet-option.golden",
        );
    }

    /// The services of docker/cli's `TestServiceContextWrite`.
    fn context_write_services() -> Vec<ServiceRow> {
        let row = |id: &str, name: &str, mode, running, desired| ServiceRow {
            id: id.to_string(),
            name: name.to_string(),
            mode,
            running,
            desired,
            ..ServiceRow::default()
        };
        vec![
            ServiceRow {
                ports: vec![port("tcp", 8080, 80, "ingress")],
                ..row("01_baz", "baz", ServiceMode::Global, 1, 3)
            },
            ServiceRow {
                ports: vec![port("udp", 8090, 80, "ingress")],
                ..row("02_bar", "bar", ServiceMode::Replicated, 2, 4)
            },
            ServiceRow {
                max_replicas: 1,
                ..row("03_qux10", "qux10", ServiceMode::Replicated, 2, 3)
            },
            ServiceRow {
                max_replicas: 2,
                ..row("04_qux2", "qux2", ServiceMode::Replicated, 3, 3)
            },
            ServiceRow {
                completed: 5,
                total_completions: 10,
                ..row("05_job1", "zarp1", ServiceMode::ReplicatedJob, 2, 3)
            },
            ServiceRow {
                completed: 3,
                ..row("06_job2", "zarp2", ServiceMode::GlobalJob, 1, 1)
            },
        ]
    }

    #[test]
    fn service_context_write() {
        let services = context_write_services();
        // The table the test expects inline.
        assert_eq!(
            service_table(&services),
            "ID         NAME      MODE             REPLICAS               IMAGE     PORTS\n\
             02_bar     bar       replicated       2/4                              *:80->8090/udp\n\
             01_baz     baz       global           1/3                              *:80->8080/tcp\n\
             04_qux2    qux2      replicated       3/3 (max 2 per node)             \n\
             03_qux10   qux10     replicated       2/3 (max 1 per node)             \n\
             05_job1    zarp1     replicated job   2/3 (5/10 completed)             \n\
             06_job2    zarp2     global job       1/1 (3/4 completed)              \n"
        );
        assert_eq!(
            service_ids(&services, false),
            "02_bar\n01_baz\n04_qux2\n03_qux10\n05_job1\n06_job2\n"
        );
        assert_golden(
            &service_raw(&services),
            "service/testdata/service-context-write-raw.golden",
        );
    }

    #[test]
    fn service_list_sort() {
        // TestServiceListOrder prints `{{.Name}}`; the table's NAME column has the same order.
        let rows: Vec<ServiceRow> = [
            ("a57dbe8", "service-1-foo"),
            ("a57dbdd", "service-10-foo"),
            ("aaaaaaa", "service-2-foo"),
        ]
        .iter()
        .map(|&(id, name)| ServiceRow {
            id: id.to_string(),
            name: name.to_string(),
            ..ServiceRow::default()
        })
        .collect();
        let names: String = service_table(&rows)
            .lines()
            .skip(1)
            .filter_map(|line| line.split_whitespace().nth(1))
            .map(|name| format!("{name}\n"))
            .collect();
        assert_eq!(names, golden("service/testdata/service-list-sort.golden"));
    }

    #[test]
    fn service_inspect_pretty_golden() {
        // formatServiceInspect in docker/cli's inspect_test.go. Its UpdateStatus has times but
        // no state, so it is not shown; there is no UpdateConfig.
        let s = ServicePretty {
            id: "de179gar9d0o7ltdybungplod".to_string(),
            name: "my_service".to_string(),
            labels: BTreeMap::from([("com.label".to_string(), "foo".to_string())]),
            mode: PrettyMode::Replicated(Some(2)),
            update_status: Some(UpdateStatusPretty {
                state: String::new(),
                started_ago_ms: Some(0),
                completed_ago_ms: Some(0),
                message: String::new(),
            }),
            image: "foo/bar@sha256:this_is_a_test".to_string(),
            configs: vec![FileRefPretty {
                target: "/configtest.conf".to_string(),
                source: "configtest.conf".to_string(),
            }],
            secrets: vec![FileRefPretty {
                target: "/secrettest.conf".to_string(),
                source: "secrettest.conf".to_string(),
            }],
            log_driver: Some(LogDriverPretty {
                name: "driver".to_string(),
                options: BTreeMap::from([("max-file".to_string(), "5".to_string())]),
            }),
            resources: Some(ResourcesPretty {
                limit_nano_cpus: 100_000_000_000,
                limit_memory: 10_490_000,
                limit_pids: 20,
                ..ResourcesPretty::default()
            }),
            // The network 5vpyomhb6ievnk0i0o60gcnei resolves to mynetwork.
            networks: vec!["mynetwork".to_string()],
            endpoint_mode: "vip".to_string(),
            ports: vec![port("tcp", 5000, 30000, "")],
            healthcheck: Some(HealthcheckPretty {
                interval_ns: 4,
                retries: 3,
                start_period_ns: 2,
                timeout_ns: 1,
                test: vec!["CMD-SHELL".to_string(), "curl".to_string()],
            }),
            ..ServicePretty::default()
        };
        assert_golden(
            &service_inspect_pretty(&s),
            "service/testdata/service-inspect-pretty.golden",
        );
    }
}

mod no_panic_services_and_containers {
    use proptest::prelude::*;
    use swarm_shell::format::container::{
        container_table, displayable_ports, ellipsis, go_quote, human_size3, pull_output,
        ContainerPort, ContainerRow, ContainerStatus, ImageRef,
    };
    use swarm_shell::format::service::{
        go_duration, log_prefix, progress_bar_of, progress_error, progress_frame, service_table,
        strip_image_digest, task_table, OverallProgress, PortConfig, ProgressFrame, ServiceRow,
        SlotLine, SlotProgress, TaskRow,
    };
    use swarm_shell::format::tabwriter::display_width;

    proptest! {
        #[test]
        fn ellipsis_fits(s in "[a-z日é🐳\u{301} ]{0,40}", width in 2usize..40) {
            let cut = ellipsis(&s, width);
            // Never wider than asked (wide characters count 2, everything else 1).
            let columns: usize = cut.chars().map(|c| if display_width(&c.to_string()) == 2 { 2 } else { 1 }).sum();
            prop_assert!(columns <= width || cut == s, "{cut:?} for {s:?} at {width}");
            let _ = go_quote(&s);
            let _ = progress_error(&s);
        }

        #[test]
        fn references_and_images(s in "[a-zA-Z0-9:/@._-]{0,40}") {
            if let Some(r) = ImageRef::parse_normalized(&s) {
                // The full form parses back to the same reference.
                prop_assert_eq!(ImageRef::parse_normalized(&r.full_string()), Some(r.clone()));
                let _ = r.familiar_string();
            }
            let _ = strip_image_digest(&s);
            let _ = pull_output(&s, std::slice::from_ref(&s), &s);
        }

        #[test]
        fn tables_any_values(
            text in "[a-z0-9.:@/ \\t\\n]{0,20}",
            numbers in proptest::collection::vec(any::<u64>(), 6),
            port in (any::<u32>(), any::<u32>(), any::<u16>(), any::<u16>()),
            nanos in any::<i64>(),
            size in any::<f64>(),
        ) {
            let service = ServiceRow {
                id: text.clone(),
                name: text.clone(),
                running: numbers[0],
                desired: numbers[1],
                completed: numbers[2],
                total_completions: numbers[3],
                max_replicas: numbers[4],
                image: text.clone(),
                ports: vec![
                    PortConfig { protocol: text.clone(), target_port: port.0, published_port: port.1, publish_mode: "ingress".to_string() },
                    PortConfig { protocol: text.clone(), target_port: port.1, published_port: port.0, publish_mode: "ingress".to_string() },
                ],
                ..ServiceRow::default()
            };
            let _ = service_table(&[service.clone(), service]);
            let task = TaskRow {
                id: text.clone(),
                name: text.clone(),
                created_at: nanos,
                image: text.clone(),
                state: text.clone(),
                state_elapsed_ms: numbers[5],
                error: text.clone(),
                ..TaskRow::default()
            };
            let _ = task_table(&[task.clone(), task], false);
            let container = ContainerRow {
                id: text.clone(),
                image: text.clone(),
                image_id: text.clone(),
                command: text.clone(),
                created_ago_ms: numbers[0],
                status: ContainerStatus::Exited { exit_code: nanos, since_ms: numbers[1] },
                ports: vec![ContainerPort { ip: text.clone(), private_port: port.2, public_port: port.3, kind: text.clone() }],
                names: vec![text.clone()],
            };
            let _ = container_table(&[container], false);
            let _ = displayable_ports(&[
                ContainerPort { ip: String::new(), private_port: u16::MAX, public_port: 0, kind: "tcp".to_string() },
                ContainerPort { ip: String::new(), private_port: port.2, public_port: 0, kind: "tcp".to_string() },
            ]);
            let _ = go_duration(nanos);
            let _ = human_size3(size);
            let _ = progress_bar_of(numbers[0], numbers[1]);
            let _ = log_prefix(&text, numbers[0], &text, &text, numbers[1] as usize % 64, false, false);
            let frame = ProgressFrame {
                overall: OverallProgress::ReplicatedJob {
                    completed: numbers[0],
                    total: numbers[1],
                    active: numbers[2],
                    max_concurrent: numbers[3],
                },
                slots: vec![SlotLine { label: text.clone(), progress: SlotProgress::State(text.clone()) }],
                ..ProgressFrame::default()
            };
            let _ = progress_frame(&frame);
        }
    }
}
