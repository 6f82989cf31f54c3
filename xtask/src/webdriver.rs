//! A small W3C WebDriver client for the end-to-end test: chromedriver on loopback, driven over
//! plain HTTP with `ureq` and `serde_json`.
//!
//! [`ChromeDriver`] owns the chromedriver process and [`Session`] one browser session; both clean
//! up when dropped, so a failing test leaves no browser behind.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use crate::Result;

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The WebDriver code for the Enter key.
pub const ENTER: char = '\u{E007}';

/// A failed WebDriver command: the protocol's error code (empty when the request itself failed)
/// and its message.
#[derive(Debug)]
pub struct WdError {
    pub code: String,
    pub message: String,
}

impl From<WdError> for String {
    fn from(error: WdError) -> String {
        if error.code.is_empty() {
            error.message
        } else {
            format!("WebDriver error `{}`: {}", error.code, error.message)
        }
    }
}

fn transport_error(message: String) -> WdError {
    WdError {
        code: String::new(),
        message,
    }
}

/// A running chromedriver on a free loopback port; killed when dropped.
pub struct ChromeDriver {
    child: Child,
    url: String,
    agent: ureq::Agent,
}

impl ChromeDriver {
    /// Starts `binary` and waits (up to 20 s) until it reports ready; its log goes to `log`.
    pub fn start(binary: &Path, log: &Path) -> Result<Self> {
        let port = free_port()?;
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let driver = ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            agent: agent(),
        };
        let ready = poll(Duration::from_secs(20), || {
            let status = request(
                &driver.agent,
                "GET",
                &format!("{}/status", driver.url),
                None,
            );
            Ok(status.ok().and_then(|value| value["ready"].as_bool()) == Some(true))
        });
        match ready {
            Ok(true) => Ok(driver),
            Ok(false) => Err(format!(
                "chromedriver did not report ready within 20 s (log: {})",
                log.display()
            )),
            Err(error) => Err(error),
        }
    }

    /// Opens a browser session with these capabilities (the `alwaysMatch` object).
    pub fn new_session(&self, capabilities: Value) -> Result<Session> {
        let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let value = request(
            &self.agent,
            "POST",
            &format!("{}/session", self.url),
            Some(&body),
        )?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("chromedriver answered a new session without an id: {value}"))?;
        Ok(Session {
            agent: self.agent.clone(),
            url: format!("{}/session/{id}", self.url),
            open: true,
        })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // Killing an exited process fails harmlessly; `wait` reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An element reference, valid until the page re-renders it.
#[derive(Debug, Clone)]
pub struct Element(String);

/// One browser session; deleted (which closes the browser) when dropped.
pub struct Session {
    agent: ureq::Agent,
    url: String,
    open: bool,
}

impl Session {
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, WdError> {
        request(&self.agent, method, &format!("{}{path}", self.url), body)
    }

    pub fn set_timeouts(&self, page_load: Duration, script: Duration) -> Result<()> {
        let body = json!({
            "pageLoad": page_load.as_millis() as u64,
            "script": script.as_millis() as u64,
            "implicit": 0,
        });
        self.call("POST", "/timeouts", Some(&body))?;
        Ok(())
    }

    /// Takes the browser off the network (or back on): chromedriver's network conditions.
    pub fn set_offline(&self, offline: bool) -> Result<()> {
        let body = json!({ "network_conditions": {
            "offline": offline,
            "latency": 0,
            "download_throughput": -1,
            "upload_throughput": -1,
        }});
        self.call("POST", "/chromium/network_conditions", Some(&body))?;
        Ok(())
    }

    pub fn navigate(&self, url: &str) -> Result<()> {
        self.call("POST", "/url", Some(&json!({ "url": url })))?;
        Ok(())
    }

    /// The elements matching a CSS selector, in document order.
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let body = json!({ "using": "css selector", "value": css });
        let value = self.call("POST", "/elements", Some(&body))?;
        let list = value
            .as_array()
            .ok_or_else(|| format!("finding `{css}` answered {value} instead of a list"))?;
        list.iter()
            .map(|item| {
                item[ELEMENT_KEY]
                    .as_str()
                    .map(|id| Element(id.to_string()))
                    .ok_or_else(|| format!("finding `{css}` answered a non-element {item}"))
            })
            .collect()
    }

    /// The first displayed element matching a CSS selector, if there is one now.
    ///
    /// A page may keep hidden copies (for instance one terminal per machine); the visible one is
    /// what a person types into.
    pub fn find_displayed(&self, css: &str) -> Result<Option<Element>> {
        for element in self.find_all(css)? {
            match self.call("GET", &format!("/element/{}/displayed", element.0), None) {
                Ok(Value::Bool(true)) => return Ok(Some(element)),
                Ok(_) => {}
                // The page re-rendered between the two calls: look again on the next poll.
                Err(error) if error.code == "stale element reference" => return Ok(None),
                Err(error) => return Err(error.into()),
            }
        }
        Ok(None)
    }

    pub fn click(&self, element: &Element) -> Result<()> {
        self.call(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(&json!({})),
        )?;
        Ok(())
    }

    pub fn send_keys(&self, element: &Element, text: &str) -> Result<()> {
        self.call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(&json!({ "text": text })),
        )?;
        Ok(())
    }

    /// The rendered text of an element, or `None` when the page replaced it meanwhile.
    pub fn text(&self, element: &Element) -> Result<Option<String>> {
        match self.call("GET", &format!("/element/{}/text", element.0), None) {
            Ok(Value::String(text)) => Ok(Some(text)),
            Ok(other) => Err(format!("element text answered {other} instead of a string")),
            Err(error) if error.code == "stale element reference" => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// A DOM property of an element as text (`value` of an input), `None` when it is not a
    /// string or the page replaced the element meanwhile.
    pub fn property(&self, element: &Element, name: &str) -> Result<Option<String>> {
        match self.call(
            "GET",
            &format!("/element/{}/property/{name}", element.0),
            None,
        ) {
            Ok(Value::String(text)) => Ok(Some(text)),
            Ok(_) => Ok(None),
            Err(error) if error.code == "stale element reference" => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and answers what it
    /// returns (WebDriver's `execute/sync`).
    pub fn execute(&self, script: &str, args: Value) -> Result<Value> {
        let body = json!({ "script": script, "args": args });
        Ok(self.call("POST", "/execute/sync", Some(&body))?)
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let value = self.call("GET", "/screenshot", None)?;
        let encoded = value
            .as_str()
            .ok_or_else(|| format!("the screenshot answer is not a string: {value}"))?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| format!("the screenshot is not valid base64: {e}"))
    }

    /// The page's current HTML.
    pub fn source(&self) -> Result<String> {
        match self.call("GET", "/source", None)? {
            Value::String(html) => Ok(html),
            other => Err(format!("the page source answer is not a string: {other}")),
        }
    }

    /// The browser console's messages so far (chromedriver's log extension; needs the
    /// `goog:loggingPrefs` capability).
    pub fn console_log(&self) -> Result<Vec<String>> {
        let value = self.call("POST", "/se/log", Some(&json!({ "type": "browser" })))?;
        Ok(value
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| {
                        format!(
                            "{} {}",
                            entry["level"].as_str().unwrap_or("?"),
                            entry["message"].as_str().unwrap_or_default()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Ends the session and closes the browser.
    pub fn delete(mut self) -> Result<()> {
        self.open = false;
        self.call("DELETE", "", None)?;
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.open {
            // Best effort on an error path: chromedriver is killed right after anyway.
            let _ = self.call("DELETE", "", None);
        }
    }
}

/// Calls `check` every 100 ms until it answers `true` or `timeout` passes; `Ok(false)` on
/// timeout. An error from `check` ends the wait at once.
pub fn poll(timeout: Duration, mut check: impl FnMut() -> Result<bool>) -> Result<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        if check()? {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        // WebDriver reports errors as 4xx/5xx with a JSON body that we want to read.
        .http_status_as_error(false)
        // Loopback only: never through a proxy from the environment.
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// One WebDriver command; answers the response's `value`.
fn request(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<Value, WdError> {
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        ("POST", body) => agent
            .post(url)
            .header("Content-Type", "application/json; charset=utf-8")
            .send(body.unwrap_or(&json!({})).to_string()),
        _ => return Err(transport_error(format!("unsupported method {method}"))),
    };
    let mut response =
        response.map_err(|e| transport_error(format!("{method} {url} failed: {e}")))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| transport_error(format!("{method} {url}: cannot read the answer: {e}")))?;
    let mut answer: Value = serde_json::from_str(&text).map_err(|e| {
        transport_error(format!(
            "{method} {url}: the answer (HTTP {status}) is not JSON ({e}): {}",
            text.chars().take(300).collect::<String>()
        ))
    })?;
    let value = answer["value"].take();
    if (200..300).contains(&status) {
        Ok(value)
    } else {
        Err(WdError {
            code: value["error"]
                .as_str()
                .unwrap_or("unknown error")
                .to_string(),
            message: format!(
                "{method} {url} (HTTP {status}): {}",
                value["message"].as_str().unwrap_or_default()
            ),
        })
    }
}

/// A loopback port that was free a moment ago (chromedriver needs a number up front).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot find a free loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot read the free port: {e}"))
}
