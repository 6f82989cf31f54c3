//! `docker stack deploy` against docker/cli's own stack test data and against random and
//! mutated compose files.
//!
//! - Every compose file in `docker-cli/e2e/stack/testdata` deploys into a fresh one-node
//!   swarm and `docker stack services` lists its services; the e2e goldens that cover deploy
//!   and rm output match ours (deploy lines compared sorted, as the e2e test does).
//! - A property test: mutations of the real compose files (the seed labs' stack files and
//!   the golden test data) and random YAML documents never panic and always end in either a
//!   deployment (its services listed by `stack services`) or an error that says where:
//!   YAML errors their line, schema errors the key path as docker prints it, conversion
//!   errors the service. A file the loader refuses leaves the cluster as it was.
//!
//! The golden files and seed labs are read at test time from `/work/shared/`.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use swarm_core::SimDuration;
use swarm_shell::{Options, Playground};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn testdata(name: &str) -> String {
    let p = shared()
        .join("reference/golden/docker-cli/e2e/stack/testdata")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// A one-node swarm, its terminal ready.
fn swarm() -> Playground {
    let mut pg = Playground::new(&Options {
        machines: 1,
        ..Options::default()
    })
    .expect("playground");
    let (_, err, status) = run(&mut pg, "docker swarm init");
    assert_eq!(status, 0, "{err}");
    pg
}

/// Runs one command line: (stdout, stderr, exit status).
fn run(pg: &mut Playground, line: &str) -> (String, String, i32) {
    pg.submit("node1", line);
    if !pg.run_until_idle("node1", SimDuration::from_secs(600)) {
        pg.interrupt("node1");
    }
    let t = pg.terminal_mut("node1").expect("node1");
    let (out, err) = t.drain_streams();
    (out, err, t.last_status())
}

const EOF: &str = "__COMPOSE_TEST_EOF__";

/// Writes `text` to `path` on node1 with a quoted heredoc (no expansion).
fn write(pg: &mut Playground, path: &str, text: &str) {
    assert!(!text.lines().any(|l| l == EOF));
    pg.submit("node1", &format!("cat > {path} << '{EOF}'"));
    for line in text.split('\n') {
        pg.submit("node1", line);
    }
    let (_, err, status) = run(pg, EOF);
    assert_eq!(status, 0, "writing {path}: {err}");
}

/// The names in `docker stack services NAME`.
fn stack_services(pg: &mut Playground, stack: &str) -> Vec<String> {
    let (out, _, _) = run(
        pg,
        &format!("docker stack services {stack} --format '{{{{.Name}}}}'"),
    );
    out.lines().map(String::from).collect()
}

#[test]
fn e2e_testdata_deploys() {
    let dir = shared().join("reference/golden/docker-cli/e2e/stack/testdata");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("testdata")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    for name in files {
        let mut pg = swarm();
        run(
            &mut pg,
            "mkdir -p /root/testdata && echo data > /root/testdata/data",
        );
        write(&mut pg, &format!("/root/testdata/{name}"), &testdata(&name));
        let (out, err, status) = run(
            &mut pg,
            &format!("docker stack deploy -c /root/testdata/{name} teststack"),
        );
        assert_eq!(status, 0, "{name}: {err}");
        let created: Vec<String> = out
            .lines()
            .filter_map(|l| l.strip_prefix("Creating service "))
            .map(String::from)
            .collect();
        assert!(!created.is_empty(), "{name}: {out}");
        let mut listed = stack_services(&mut pg, "teststack");
        listed.sort();
        assert_eq!(listed, created, "{name}");
    }
}

/// `TestDeployWithNamedResources`: the output lines, sorted.
#[test]
fn deploy_with_names_matches_golden() {
    let mut pg = swarm();
    run(
        &mut pg,
        "mkdir -p /root/testdata && echo data > /root/testdata/data",
    );
    write(
        &mut pg,
        "/root/testdata/stack-with-named-resources.yml",
        &testdata("stack-with-named-resources.yml"),
    );
    let (out, err, status) = run(
        &mut pg,
        "docker stack deploy -c /root/testdata/stack-with-named-resources.yml test-stack-deploy-with-names",
    );
    assert_eq!(status, 0, "{err}");
    let mut got: Vec<&str> = out.split('\n').collect();
    let golden = testdata("stack-deploy-with-names.golden");
    let mut want: Vec<&str> = golden.split('\n').collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

/// `TestRemove`: deploy full-stack.yml, wait for the services, remove, compare stdout.
#[test]
fn remove_matches_golden() {
    let mut pg = swarm();
    write(&mut pg, "/root/full-stack.yml", &testdata("full-stack.yml"));
    let (_, err, status) = run(
        &mut pg,
        "docker stack deploy -d -c /root/full-stack.yml test-stack-remove",
    );
    assert_eq!(status, 0, "{err}");
    run(&mut pg, "sleep 20");
    let (out, _, _) = run(
        &mut pg,
        "docker stack services test-stack-remove --format '{{.Replicas}}'",
    );
    assert_eq!(out, "1/1\n1/1\n");
    let (out, err, status) = run(&mut pg, "docker stack rm test-stack-remove");
    assert_eq!((status, err.as_str()), (0, ""));
    assert_eq!(out, testdata("stack-remove-success.golden"));
}

// ---------------------------------------------------------------------------------------
// The property test

/// The seed labs' compose files (```yaml blocks with services) and the golden test data.
fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    let seeds = shared().join("seeds");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .expect("seeds")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for p in names {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("```yaml\n") {
            let body = &rest[start + 8..];
            let Some(end) = body.find("```") else { break };
            let block = &body[..end];
            // Blocks are indented inside list items: drop the common indentation.
            let indent = block
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0);
            let yaml: Vec<&str> = block
                .lines()
                .map(|l| l.get(indent..).unwrap_or("").trim_end())
                .collect();
            let yaml = yaml.join("\n");
            if yaml.contains("services:") && yaml.contains("image:") {
                out.push(yaml + "\n");
            }
            rest = &body[end..];
        }
    }
    out.push(testdata("full-stack.yml"));
    out.push(testdata("stack-with-named-resources.yml"));
    out
}

/// Characters mutations insert: YAML's syntax, spaces and letters (no digits, so that a
/// mutation never asks for millions of replicas).
const CHARS: &[u8] = b" \n\t:-{}[],\"'&*!|>#$%@`?abcxyz_.=";

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
    DupLine(usize),
    DropLine(usize),
    Indent(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let c = (0..CHARS.len()).prop_map(|i| CHARS[i]);
    prop_oneof![
        (any::<usize>(), c.clone()).prop_map(|(p, c)| Edit::Insert(p, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), c).prop_map(|(p, c)| Edit::Replace(p, c)),
        any::<usize>().prop_map(Edit::DupLine),
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::Indent),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut b = text.as_bytes().to_vec();
    for e in edits {
        let n = b.len().max(1);
        match *e {
            Edit::Insert(p, c) => b.insert(p % (b.len() + 1), c),
            Edit::Delete(p) if !b.is_empty() => {
                b.remove(p % n);
            }
            Edit::Replace(p, c) if !b.is_empty() => b[p % n] = c,
            Edit::DupLine(p) | Edit::DropLine(p) | Edit::Indent(p) => {
                let s = String::from_utf8_lossy(&b).into_owned();
                let mut lines: Vec<String> = s.split('\n').map(String::from).collect();
                let i = p % lines.len();
                match e {
                    Edit::DupLine(_) => lines.insert(i, lines[i].clone()),
                    Edit::DropLine(_) => {
                        lines.remove(i);
                    }
                    _ => lines[i].insert_str(0, "  "),
                }
                b = lines.join("\n").into_bytes();
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// A random YAML value over compose's vocabulary, rendered in block style at `indent`.
#[derive(Debug, Clone)]
enum Node {
    Scalar(&'static str),
    List(Vec<Node>),
    Map(Vec<(&'static str, Node)>),
}

const KEYS: &[&str] = &[
    "services",
    "web",
    "db",
    "image",
    "deploy",
    "replicas",
    "mode",
    "ports",
    "networks",
    "environment",
    "command",
    "entrypoint",
    "healthcheck",
    "test",
    "interval",
    "retries",
    "labels",
    "volumes",
    "secrets",
    "configs",
    "external",
    "name",
    "driver",
    "target",
    "published",
    "protocol",
    "aliases",
    "update_config",
    "parallelism",
    "order",
    "placement",
    "constraints",
    "resources",
    "limits",
    "cpus",
    "memory",
    "restart_policy",
    "condition",
    "x-common",
    "version",
    "file",
    "source",
    "build",
    "restart",
    "depends_on",
    "foo",
];

const SCALARS: &[&str] = &[
    "nginx",
    "redis:7",
    "\"3.7\"",
    "3.8",
    "2",
    "0",
    "true",
    "null",
    "~",
    "80",
    "\"80:80\"",
    "8080:80",
    "1m30s",
    "10x",
    "global",
    "replicated",
    "any",
    "start-first",
    "\"0.50\"",
    "50M",
    "${TAG:-latest}",
    "${NOPE:?unset}",
    "$$HOME",
    "[]",
    "{}",
    "\"\"",
    "./data",
    "node.role==manager",
    "host",
    "ingress",
    "A=1",
    "sleep 1d",
    "[CMD, \"true\"]",
    "-1",
];

fn node() -> impl Strategy<Value = Node> {
    let leaf = (0..SCALARS.len()).prop_map(|i| Node::Scalar(SCALARS[i]));
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(Node::List),
            proptest::collection::vec(((0..KEYS.len()).prop_map(|i| KEYS[i]), inner), 1..4)
                .prop_map(Node::Map),
        ]
    })
}

fn render(n: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match n {
        Node::Scalar(s) => {
            out.push(' ');
            out.push_str(s);
            out.push('\n');
        }
        Node::List(items) => {
            out.push('\n');
            for x in items {
                out.push_str(&pad);
                out.push('-');
                render(x, indent + 2, out);
            }
        }
        Node::Map(entries) => {
            out.push('\n');
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(k);
                out.push(':');
                render(v, indent + 2, out);
            }
        }
    }
}

/// A document: a mapping at the top with a services section most of the time.
fn document() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(((0..KEYS.len()).prop_map(|i| KEYS[i]), node()), 1..4),
        node(),
    )
        .prop_map(|(top, svc)| {
            let mut out = String::from("services:\n  web:\n    image: nginx\n  app:");
            render(&svc, 4, &mut out);
            for (k, v) in top {
                out.push_str(k);
                out.push(':');
                render(&v, 2, &mut out);
            }
            out
        })
}

/// What the cluster holds, to compare before and after a refused deploy.
fn snapshot(pg: &Playground) -> String {
    let w = pg.world();
    let Some(s) = w.swarm(0) else {
        return String::new();
    };
    let mut parts: Vec<String> = Vec::new();
    parts.extend(
        s.services
            .values()
            .map(|x| format!("service {} v{}", x.spec.name, x.version)),
    );
    parts.extend(s.networks.values().map(|x| format!("network {}", x.name)));
    parts.extend(s.secrets.values().map(|x| format!("secret {}", x.name)));
    parts.extend(s.configs.values().map(|x| format!("config {}", x.name)));
    parts.sort();
    parts.join("\n")
}

fn services_only(snapshot: &str) -> String {
    snapshot
        .lines()
        .filter(|l| l.starts_with("service "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether an error says where the problem is: docker's texts with a YAML line, a key
/// path, a service, an object or a file.
fn located(err: &str) -> bool {
    let first = err.lines().next().unwrap_or("");
    let yaml_line = first.strip_prefix("yaml: line ").is_some_and(|r| {
        r.split(':')
            .next()
            .is_some_and(|n| n.parse::<u32>().is_ok())
    });
    let yaml_unmarshal = first == "yaml: unmarshal errors:"
        && err
            .lines()
            .nth(1)
            .is_some_and(|l| l.trim_start().starts_with("line "));
    // go-yaml leaves the line out when its mark is on the first line (0-based 0), and for
    // anchors, merges and map keys it names the thing instead.
    let yaml_first_line = first.starts_with("yaml: ") && !first.starts_with("yaml: line ");
    let path_prefixes = [
        "services.",
        "services ",
        // A top-level section of the wrong type: "secrets must be a mapping".
        "networks ",
        "volumes ",
        "secrets ",
        "configs ",
        "networks.",
        "volumes.",
        "secrets.",
        "configs.",
        "version ",
        "(root) ",
        "Non-string key in ",
        "Non-string key at top level",
        "top-level object must be a mapping",
        "invalid interpolation format for ",
        "invalid image reference for service ",
        "service ",
        "secret ",
        "config ",
        "network \"",
        "failed to create ",
        "failed to update ",
        "unsupported Compose file version: ",
        "Compose file contains unsupported options:",
        "decoding failed due to the following error(s):",
        "open /",
        "read /",
    ];
    yaml_line
        || yaml_unmarshal
        || yaml_first_line
        || path_prefixes.iter().any(|p| first.starts_with(p))
}

/// Errors the loader gives before anything is created.
fn loader_error(err: &str) -> bool {
    ![
        "service ",
        "failed to create ",
        "failed to update ",
        "open /",
        "read /",
        "secret ",
        "config ",
    ]
    .iter()
    .any(|p| err.starts_with(p))
}

/// Deploys `text` and checks the outcome (see the module doc).
fn check(text: &str) -> Result<(), TestCaseError> {
    let mut pg = swarm();
    run(&mut pg, "echo data > /root/data");
    if text.lines().any(|l| l == EOF) {
        return Ok(());
    }
    write(&mut pg, "/root/stack.yml", text);
    let before = snapshot(&pg);
    let (out, err, status) = run(&mut pg, "docker stack deploy -d -c /root/stack.yml st");
    if status == 0 {
        let mut created: Vec<String> = out
            .lines()
            .filter_map(|l| l.strip_prefix("Creating service "))
            .map(String::from)
            .collect();
        created.sort();
        let mut listed = stack_services(&mut pg, "st");
        listed.sort();
        prop_assert_eq!(listed, created, "deployed:\n{}\n{}", text, out);
    } else {
        prop_assert!(
            located(&err),
            "error without a location: {:?}\nfor:\n{}",
            err,
            text
        );
        let after = snapshot(&pg);
        if loader_error(&err) {
            prop_assert_eq!(&after, &before, "{} changed the cluster", err);
        } else {
            prop_assert_eq!(services_only(&after), services_only(&before), "{}", err);
        }
    }
    // The terminal still answers.
    let (out, _, _) = run(&mut pg, "echo still-ok");
    prop_assert_eq!(out, "still-ok\n");
    Ok(())
}

#[test]
fn corpus_deploys() {
    for (i, text) in corpus().iter().enumerate() {
        let mut pg = swarm();
        run(&mut pg, "echo data > /root/data");
        write(&mut pg, "/root/stack.yml", text);
        let (_, err, status) = run(&mut pg, "docker stack deploy -d -c /root/stack.yml st");
        // The seed labs' v3 and v4 todo files need external objects the lab creates first.
        assert!(
            status == 0 || err.contains("not found") || err.contains("could not be found"),
            "corpus {i}: {err}\n{text}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Mutated real compose files.
    #[test]
    fn mutated_compose_files(pick in any::<usize>(), edits in proptest::collection::vec(edit(), 1..6)) {
        let corpus = corpus();
        let text = apply(&corpus[pick % corpus.len()], &edits);
        check(&text)?;
    }

    /// Random documents over compose's vocabulary.
    #[test]
    fn random_compose_documents(text in document()) {
        check(&text)?;
    }
}
