//! The end-to-end test: the release bundle in headless Chromium, used as a person would.
//!
//! `dist/` is served under a sub-path (`/swarm-playground/`), which proves the page's asset paths
//! are relative, as they must be for hosting on any path. The test types into the terminal, adds a
//! machine, switches to it, and saves screenshots to `target/e2e/`: `node1.png` after the first
//! two commands, `playground.png` at the end. When a step fails it also saves `failure.png` and
//! `failure.html` there and prints the browser console.
//!
//! It relies on the page's `data-testid` contract: `terminal-input`, `terminal-output`,
//! `add-machine` and `machine-<hostname>`.

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
    for stale in ["node1.png", "playground.png", "failure.png", "failure.html"] {
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
    match scenario(&session, &url, &out) {
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

    save_screenshot(session, &out.join("playground.png"))
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
