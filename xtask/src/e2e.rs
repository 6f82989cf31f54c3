//! The end-to-end test: the release bundle in headless Chromium, used as a person would.
//!
//! `dist/` is served under a sub-path (`/swarm-playground/`), which proves the page's asset paths
//! are relative, as they must be for hosting on any path. The test types into the terminal, adds a
//! machine, switches to it; then opens the 3-managers-2-workers template, creates a service of six
//! replicas, sees six task chips in the cluster view, powers node2 off with its button and sees
//! node2 go Down and its task re-created elsewhere. On the way it deploys a stack (an empty
//! service), asks for `docker stack --help` and pipes `docker node ls --format` into `jq`: the
//! compose file's YAML parser, the help texts, Go templates and jq are a second wasm module the
//! page loads by itself once it is up (proving the lazy module is built and found under the
//! sub-path, and its exports work). Those three steps run with the browser offline, after the
//! test saw the page fetch the module: a page that has loaded needs no network. It saves screenshots to `target/e2e/`:
//! `node1.png` after the first two commands, `playground.png` after switching machines,
//! `cluster.png` with the six chips, `browser.png` with nginx's welcome page opened from
//! node1's port badge in the browser view, `node2-down.png` after node2 is powered off,
//! `quorum.png` with the quorum view then. When a step fails it also saves
//! `failure.png` and `failure.html` there and prints the browser console.
//!
//! It relies on the page's `data-testid` contract: `terminal-input`, `terminal-output`,
//! `add-machine`, `machine-<hostname>`, `speed-<N>`, `node-<hostname>`, `node-power-<hostname>`
//! and `node-status`, `view-tab-<view>`, `port-badge-<hostname>-<port>` and `browser-page`, and
//! on the chip classes `chip` and `state-running`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::serve::StaticServer;
use crate::shell::Ctx;
use crate::webdriver::{poll, ChromeDriver, Element, Session, ENTER};
use crate::Result;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const MOUNT: &str = "/swarm-playground/";

const INPUT: &str = r#"[data-testid="terminal-input"]"#;
const OUTPUT: &str = r#"[data-testid="terminal-output"]"#;
const ADD_MACHINE: &str = r#"[data-testid="add-machine"]"#;
const NODE2: &str = r#"[data-testid="machine-node2"]"#;

/// How long the first render may take (a cold browser compiles the wasm).
const FIRST_RENDER: Duration = Duration::from_secs(30);
/// How long any later step may take.
const STEP: Duration = Duration::from_secs(20);

/// Runs the test against the bundle in `dist/`.
pub fn run(ctx: &Ctx) -> Result<()> {
    let out = ctx.root.join("target").join("e2e");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for stale in [
        "node1.png",
        "playground.png",
        "cluster.png",
        "node2-down.png",
        "quorum.png",
        "failure.png",
        "failure.html",
    ] {
        let _ = std::fs::remove_file(out.join(stale));
    }
    let profile = FreshDir::new(
        std::env::temp_dir().join(format!("xtask-e2e-chromium-{}", std::process::id())),
    )?;

    // Declared in this order so they drop in reverse: the session (closing the browser), then
    // chromedriver, then the server, on success and on every error path alike.
    let server = StaticServer::start(&ctx.root.join("dist"), MOUNT, "127.0.0.1:0", false)?;
    let driver = ChromeDriver::start(Path::new(CHROMEDRIVER), &out.join("chromedriver.log"))?;
    let session = driver.new_session(json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.0.display()),
                "--window-size=1280,800",
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    }))?;
    session.set_timeouts(Duration::from_secs(60), Duration::from_secs(30))?;

    let url = server.url();
    println!("xtask e2e: {url} in headless Chromium");
    match scenario(&session, &url, &out)
        .and_then(|()| reload_and_share(&driver, &session, &url, &out))
    {
        Ok(()) => {
            session.delete()?;
            println!("xtask e2e: passed");
            Ok(())
        }
        Err(error) => {
            save_failure(&session, &out);
            Err(format!("end-to-end test failed: {error}"))
        }
    }
}

/// The steps a person would take; each waits (bounded) for the page to answer.
fn scenario(session: &Session, url: &str, out: &Path) -> Result<()> {
    step("open the page");
    session.navigate(url)?;
    wait_for_displayed(session, INPUT, FIRST_RENDER)?;

    step("docker version");
    type_command(session, "docker version")?;
    wait_for_output(session, "the docker version report", |text| {
        text.contains("Server: Docker Engine - Community")
            && text.contains(" Version:           28.2.2")
    })?;

    step("hostname -i");
    type_command(session, "hostname -i")?;
    wait_for_output(session, "a line `192.168.0.11`", |text| {
        has_line(text, "192.168.0.11")
    })?;

    save_screenshot(session, &out.join("node1.png"))?;

    step("add a machine and switch to node2");
    let add = wait_for_displayed(session, ADD_MACHINE, STEP)?;
    session.click(&add)?;
    let node2 = wait_for_displayed(session, NODE2, STEP)?;
    session.click(&node2)?;

    step("hostname on node2");
    type_command(session, "hostname")?;
    wait_for_output(session, "a line `node2`", |text| has_line(text, "node2"))?;

    save_screenshot(session, &out.join("playground.png"))?;

    step("the 3m2w template at 10x speed");
    session.navigate(&format!("{url}?template=3m2w"))?;
    wait_for_displayed(session, INPUT, FIRST_RENDER)?;
    let fast = wait_for_displayed(session, r#"[data-testid="speed-10"]"#, STEP)?;
    session.click(&fast)?;

    step("the page loads its second module by itself, then goes offline");
    wait_for("the module `swarm-jq-web_bg.wasm` prefetched", || {
        let loaded = session.execute(
            "return performance.getEntriesByType('resource')\
               .some(e => e.name.includes('swarm-jq-web_bg.wasm') && e.responseEnd > 0);",
            json!([]),
        )?;
        Ok(loaded == json!(true))
    })?;
    session.set_offline(true)?;
    let probe = session.execute(
        "return fetch('index.html?probe=' + Date.now()).then(() => 'online', () => 'offline');",
        json!([]),
    )?;
    if probe != json!("offline") {
        return Err(format!(
            "the browser is still online after going offline: {probe}"
        ));
    }

    step("docker stack deploy offline, its YAML parsed by the prefetched module");
    type_command(
        session,
        r"printf 'services:\n  web:\n    image: nginx:alpine\n    deploy:\n      replicas: 0\n' > stack.yml",
    )?;
    type_command(session, "docker stack deploy -c stack.yml demo")?;
    wait_for_output(session, "`Creating service demo_web`", |text| {
        has_line(text, "Creating service demo_web")
    })?;

    step("docker's help texts, from the same module");
    type_command(session, "docker stack --help")?;
    wait_for_output(session, "`Usage:  docker stack COMMAND`", |text| {
        has_line(text, "Usage:  docker stack COMMAND")
    })?;

    step("jq, from the same module");
    type_command(
        session,
        "docker node ls --format '{{json .}}' | jq -r .Hostname",
    )?;
    wait_for_output(session, "the five hostnames from jq", |text| {
        NODES.iter().all(|node| has_line(text, node))
    })?;

    session.set_offline(false)?;

    step("a service of six replicas shows six running chips");
    type_command(
        session,
        "docker service create --name web --replicas 6 -p 8080:80 nginx",
    )?;
    wait_for_output(session, "`verify: Service converged`", |text| {
        text.contains("verify: Service converged")
    })?;
    wait_for("six running task chips", || {
        Ok(running_chips(session, NODES)? == 6)
    })?;
    save_screenshot(session, &out.join("cluster.png"))?;

    step("open port 8080 from node1's badge: nginx's welcome page in the browser view");
    let browser = wait_for_displayed(session, r#"[data-testid="view-tab-browser"]"#, STEP)?;
    session.click(&browser)?;
    let badge = wait_for_displayed(session, r#"[data-testid="port-badge-node1-8080"]"#, STEP)?;
    session.click(&badge)?;
    wait_for("nginx's welcome page", || {
        let page = session.find_all(r#"[data-testid="browser-page"]"#)?;
        Ok(match page.first() {
            Some(element) => session
                .text(element)?
                .is_some_and(|t| t.contains("Welcome to nginx!")),
            None => false,
        })
    })?;
    save_screenshot(session, &out.join("browser.png"))?;
    let cluster = wait_for_displayed(session, r#"[data-testid="view-tab-cluster"]"#, STEP)?;
    session.click(&cluster)?;

    step("power node2 off with its button");
    let on_node2 = running_chips(session, &["node2"])?;
    if on_node2 == 0 {
        return Err("no task runs on node2 to move".into());
    }
    let power = wait_for_displayed(session, r#"[data-testid="node-power-node2"]"#, STEP)?;
    session.click(&power)?;
    wait_for("node2 marked Down", || {
        let status =
            session.find_all(r#"[data-testid="node-node2"] [data-testid="node-status"]"#)?;
        Ok(match status.first() {
            Some(element) => session.text(element)?.as_deref() == Some("Down"),
            None => false,
        })
    })?;
    wait_for("six tasks running on the other nodes", || {
        Ok(running_chips(session, &["node1", "node3", "node4", "node5"])? == 6)
    })?;
    save_screenshot(session, &out.join("node2-down.png"))?;

    step("the quorum view: two of three managers reachable, quorum holds");
    let quorum = wait_for_displayed(session, r#"[data-testid="view-tab-quorum"]"#, STEP)?;
    session.click(&quorum)?;
    wait_for("the quorum summary", || {
        let summary = session.find_all(r#"[data-testid="quorum-summary"]"#)?;
        Ok(match summary.first() {
            Some(element) => session
                .text(element)?
                .is_some_and(|t| t.contains("2 of 3") && t.contains("quorum holds")),
            None => false,
        })
    })?;
    save_screenshot(session, &out.join("quorum.png"))?;
    let cluster = wait_for_displayed(session, r#"[data-testid="view-tab-cluster"]"#, STEP)?;
    session.click(&cluster)
}

/// After the cluster steps: reloading the page finds the same cluster (restored from
/// localStorage), and the "Share" link opened in a new WebDriver session (a fresh browser
/// profile, so nothing saved) rebuilds it again. Screenshots `reloaded.png` and `shared.png`.
fn reload_and_share(driver: &ChromeDriver, session: &Session, url: &str, out: &Path) -> Result<()> {
    for stale in ["reloaded.png", "shared.png"] {
        let _ = std::fs::remove_file(out.join(stale));
    }
    step("reload the page: the same cluster, restored from localStorage");
    session.navigate(&format!("{url}?template=3m2w"))?;
    wait_for_displayed(session, INPUT, FIRST_RENDER)?;
    wait_for_moved_cluster(session)?;
    wait_for_output(
        session,
        "the service's creation in node1's restored scrollback",
        |text| text.contains("verify: Service converged"),
    )?;
    save_screenshot(session, &out.join("reloaded.png"))?;

    step("share: a link with the replay in its fragment");
    let share = wait_for_displayed(session, r#"[data-testid="share"]"#, STEP)?;
    session.click(&share)?;
    let mut link = String::new();
    wait_for("the share link", || {
        if let Some(field) = session.find_displayed(r#"[data-testid="share-link"]"#)? {
            link = session.property(&field, "value")?.unwrap_or_default();
        }
        Ok(link.contains("#r=") || link.contains("#j="))
    })?;
    println!("xtask e2e: share link of {} characters", link.len());
    if !link.starts_with(url) {
        return Err(format!("the share link {link:.80} is not under {url}"));
    }

    step("open the share link in a fresh browser profile");
    let profile = FreshDir::new(
        std::env::temp_dir().join(format!("xtask-e2e-chromium-shared-{}", std::process::id())),
    )?;
    let fresh = driver.new_session(json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.0.display()),
                "--window-size=1280,800",
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    }))?;
    fresh.set_timeouts(Duration::from_secs(60), Duration::from_secs(30))?;
    let shown = (|| {
        fresh.navigate(&link)?;
        wait_for_displayed(&fresh, INPUT, FIRST_RENDER)?;
        wait_for_moved_cluster(&fresh)?;
        save_screenshot(&fresh, &out.join("shared.png"))
    })();
    if shown.is_err() {
        save_failure(&fresh, out);
    }
    fresh.delete()?;
    shown
}

/// Waits until node2 shows Down and six tasks run on the other nodes.
fn wait_for_moved_cluster(session: &Session) -> Result<()> {
    wait_for("node2 marked Down", || {
        let status =
            session.find_all(r#"[data-testid="node-node2"] [data-testid="node-status"]"#)?;
        Ok(match status.first() {
            Some(element) => session.text(element)?.as_deref() == Some("Down"),
            None => false,
        })
    })?;
    wait_for("six tasks running on the other nodes", || {
        Ok(running_chips(session, &["node1", "node3", "node4", "node5"])? == 6)
    })
}

/// The nodes of the 3m2w template.
const NODES: &[&str] = &["node1", "node2", "node3", "node4", "node5"];

/// How many running task chips the cluster view shows on `nodes` (tasks on their way out are
/// not counted).
fn running_chips(session: &Session, nodes: &[&str]) -> Result<usize> {
    let mut count = 0;
    for node in nodes {
        let css = format!(r#"[data-testid="node-{node}"] .chip.state-running:not(.stopping)"#);
        count += session.find_all(&css)?.len();
    }
    Ok(count)
}

/// Waits (up to [`STEP`]) until `check` holds.
fn wait_for(what: &str, check: impl FnMut() -> Result<bool>) -> Result<()> {
    if poll(STEP, check)? {
        Ok(())
    } else {
        Err(format!(
            "the page did not show {what} within {} s",
            STEP.as_secs()
        ))
    }
}

fn save_screenshot(session: &Session, path: &Path) -> Result<()> {
    let png = session.screenshot()?;
    std::fs::write(path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("xtask e2e: screenshot saved to {}", path.display());
    Ok(())
}

fn step(name: &str) {
    println!("xtask e2e: {name}");
}

/// Types `command` and Enter into the visible terminal input.
fn type_command(session: &Session, command: &str) -> Result<()> {
    let input = wait_for_displayed(session, INPUT, STEP)?;
    session.send_keys(&input, &format!("{command}{ENTER}"))
}

fn wait_for_displayed(session: &Session, css: &str, timeout: Duration) -> Result<Element> {
    let mut found = None;
    let appeared = poll(timeout, || {
        found = session.find_displayed(css)?;
        Ok(found.is_some())
    })?;
    match found {
        Some(element) if appeared => Ok(element),
        _ => Err(format!("no visible `{css}` after {} s", timeout.as_secs())),
    }
}

/// Waits until the visible terminal output satisfies `expected`.
fn wait_for_output(session: &Session, what: &str, expected: impl Fn(&str) -> bool) -> Result<()> {
    let mut last = String::new();
    let seen = poll(STEP, || {
        // Found afresh on every poll: the page may re-render the output element.
        let Some(output) = session.find_displayed(OUTPUT)? else {
            return Ok(false);
        };
        let Some(text) = session.text(&output)? else {
            return Ok(false);
        };
        let done = expected(&text);
        last = text;
        Ok(done)
    })?;
    if seen {
        Ok(())
    } else {
        let tail: Vec<&str> = last.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Err(format!(
            "the terminal output did not show {what} within {} s; its last lines:\n{}",
            STEP.as_secs(),
            tail.join("\n")
        ))
    }
}

/// Whether a line of `text`, trimmed, is exactly `line` (a command's own output line, not a
/// prompt that happens to contain it).
fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|candidate| candidate.trim() == line)
}

/// Saves what the browser shows, and prints its console, for diagnosing a failure.
fn save_failure(session: &Session, out: &Path) {
    let screenshot = out.join("failure.png");
    match session
        .screenshot()
        .and_then(|png| std::fs::write(&screenshot, png).map_err(|e| e.to_string()))
    {
        Ok(()) => println!("xtask e2e: failure screenshot: {}", screenshot.display()),
        Err(error) => println!("xtask e2e: could not save a failure screenshot: {error}"),
    }
    if let Ok(html) = session.source() {
        if std::fs::write(out.join("failure.html"), html).is_ok() {
            println!(
                "xtask e2e: failure page source: {}",
                out.join("failure.html").display()
            );
        }
    }
    if let Ok(lines) = session.console_log() {
        println!("xtask e2e: browser console ({} messages):", lines.len());
        for line in lines {
            println!("  {line}");
        }
    }
}

/// A directory created empty and removed when dropped (the browser profile).
struct FreshDir(PathBuf);

impl FreshDir {
    fn new(path: PathBuf) -> Result<Self> {
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(FreshDir(path))
    }
}

impl Drop for FreshDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_whole_and_trimmed() {
        let text = "[node2] (local) root@192.168.0.12 ~\n$ hostname\nnode2 \n";
        assert!(has_line(text, "node2"));
        assert!(!has_line(text, "192.168.0.12"));
    }
}
