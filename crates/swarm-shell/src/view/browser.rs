//! The in-page browser: each machine's published ports (the badges Play with Docker showed),
//! and pages fetched through the simulated network exactly as `curl` fetches them
//! (`World::http_request`, so every request is a traffic event), turned into data the page
//! renders with its own components. Nothing here is HTML for the page to insert: a reply is
//! read (title, headings, paragraphs, tables, forms) into a [`PageContent`], and whatever is
//! not a page we know becomes status, headers and body as plain text.
//!
//! The browser sits outside the cluster, on the student's computer, as the labs' host
//! browser does: it reaches every machine by name or address (partitions split the
//! machines, not the student's LAN), and nothing else resolves.

use std::collections::BTreeMap;

use swarm_core::network::{HttpCall, HttpError};
use swarm_core::{MachineId, Power, TaskState, World};

use crate::Playground;

/// Redirects a page load follows at most.
const MAX_REDIRECTS: usize = 10;
/// Bodies longer than this are cut in the raw view.
pub const RAW_BODY_MAX: usize = 64 * 1024;

// ------------------------------------------------------------------------------------------
// Published ports
// ------------------------------------------------------------------------------------------

/// One published port of a machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortBadge {
    /// The port.
    pub port: u16,
    /// `ingress` (the routing mesh), `host` (a task's host-mode port) or `container`
    /// (`docker run -p`).
    pub kind: &'static str,
    /// The service or container publishing it.
    pub owner: String,
    /// The address the badge opens: `http://node2:8080/`.
    pub url: String,
}

/// A machine and its published ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachinePorts {
    /// Hostname.
    pub machine: String,
    /// Powered on.
    pub on: bool,
    /// Its ports, by number.
    pub ports: Vec<PortBadge>,
}

/// `http://HOST:PORT/` (`:80` left out).
pub fn port_url(host: &str, port: u16) -> String {
    if port == 80 {
        format!("http://{host}/")
    } else {
        format!("http://{host}:{port}/")
    }
}

/// Every machine's published TCP ports: the ingress ports of its swarm's services (on every
/// node), host-mode ports of the tasks running there, and its containers' `-p` ports.
pub fn published_ports(w: &World) -> Vec<MachinePorts> {
    w.machines()
        .iter()
        .map(|m| {
            let mut ports: BTreeMap<u16, PortBadge> = BTreeMap::new();
            let mut add = |port: u16, kind: &'static str, owner: &str| {
                if port != 0 {
                    ports.entry(port).or_insert_with(|| PortBadge {
                        port,
                        kind,
                        owner: owner.to_string(),
                        url: port_url(&m.hostname, port),
                    });
                }
            };
            for c in w.containers(m.id) {
                if c.is_running() {
                    // A task's host-mode port is a binding of its container: badged below.
                    let task = c.config.task_id.is_some();
                    for p in c.bound_ports.iter().filter(|p| p.proto == "tcp" && !task) {
                        add(p.host_port, "container", &c.name);
                    }
                }
            }
            if let Some((s, node)) = w.node_of(m.id) {
                for svc in s.services.values() {
                    for p in &svc.endpoint_ports {
                        if p.mode != "host" && p.protocol == "tcp" {
                            add(p.published, "ingress", &svc.spec.name);
                        }
                    }
                }
                for t in s.tasks.values() {
                    if t.node_id.as_deref() == Some(node.id.as_str())
                        && t.state == TaskState::Running
                    {
                        for p in &t.port_status {
                            if p.protocol == "tcp" {
                                add(p.published, "host", &t.spec.name);
                            }
                        }
                    }
                }
            }
            MachinePorts {
                machine: m.hostname.clone(),
                on: m.power == Power::Running,
                ports: ports.into_values().collect(),
            }
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// Addresses
// ------------------------------------------------------------------------------------------

/// An address typed into the address bar, once understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// Host name or address.
    pub host: String,
    /// Port (80 when none is given).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl Address {
    /// `http://host[:port]/path`.
    pub fn url(&self) -> String {
        let mut u = port_url(&self.host, self.port);
        u.pop();
        u + &self.path
    }

    /// The same server, another path.
    fn with_path(&self, path: &str) -> Address {
        Address {
            path: path.to_string(),
            ..self.clone()
        }
    }
}

/// Why an address is not one the browser can load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressError {
    /// `https://`: nothing in the playground speaks TLS.
    Tls(String),
    /// Not an `http://` address at all.
    Invalid,
}

/// Reads `http://node2:8080/path`, `node2:8080`, `192.168.0.12`.
pub fn parse_address(text: &str) -> Result<Address, AddressError> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        &t[7..]
    } else if lower.starts_with("https://") {
        let host = t[8..].split(['/', ':']).next().unwrap_or("").to_string();
        return Err(AddressError::Tls(host));
    } else if t.contains("://") || lower.starts_with("javascript:") || lower.starts_with("data:") {
        return Err(AddressError::Invalid);
    } else {
        t
    };
    let (hostport, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| AddressError::Invalid)?),
        None => (hostport, 80),
    };
    let host = host.to_ascii_lowercase();
    let valid = !host.is_empty()
        && port != 0
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid || path.chars().any(char::is_whitespace) {
        return Err(AddressError::Invalid);
    }
    Ok(Address { host, port, path })
}

/// `application/x-www-form-urlencoded`, as browsers send forms.
pub fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// Pages
// ------------------------------------------------------------------------------------------

/// What a browser tab shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The address, as the address bar shows it after the load.
    pub url: String,
    /// The HTTP status, when a server answered.
    pub status: Option<u16>,
    /// The tab's title.
    pub title: String,
    /// What to draw.
    pub content: PageContent,
    /// The machine and container that served it (the Blazor app's server, for its buttons).
    pub served_by: Option<(MachineId, String)>,
}

/// A page, as data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageContent {
    /// Headings, paragraphs, tables and images: nginx's welcome page, the image gallery.
    Document(Vec<Block>),
    /// The diamol to-do list.
    Todo(TodoPage),
    /// The random-number page, with the last answer of its button: `Ok(number)` or
    /// `Err(message)`.
    Numbers(Option<Result<String, String>>),
    /// The voting page.
    Vote {
        /// Its question (`Cats vs Dogs!`).
        question: String,
        /// (value, label) of each button.
        options: Vec<(String, String)>,
        /// The option this browser voted for, once it has.
        chosen: Option<String>,
        /// `Processed by container ID …`.
        processed_by: String,
    },
    /// The voting results.
    Result {
        /// (label, percentage) per option.
        options: Vec<(String, String)>,
        /// `No votes yet`, `1 vote`, `N votes`.
        total: String,
    },
    /// Anything else: status line, headers and body as text.
    Raw {
        /// `HTTP/1.1 404 Not Found`.
        status_line: String,
        /// Headers, in order.
        headers: Vec<(String, String)>,
        /// The body (cut at [`RAW_BODY_MAX`] bytes).
        body: String,
    },
    /// The browser's own error page.
    Error {
        /// `This site can't be reached`.
        headline: String,
        /// `node2 refused to connect.`
        detail: String,
        /// `ERR_CONNECTION_REFUSED`.
        code: String,
    },
}

/// A block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A heading.
    Heading(String),
    /// A paragraph's text (links as their text).
    Paragraph(String),
    /// A table: header cells, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// An image: its alternative text and source (shown as text: the page loads nothing
    /// from other sites).
    Image {
        /// `alt`.
        alt: String,
        /// `src`.
        src: String,
    },
}

/// A page of the to-do app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TodoPage {
    /// The list: (item, date added) in order.
    List(Vec<(String, String)>),
    /// The form for a new item: the value it holds and the validation message.
    New {
        /// The input's value.
        value: String,
        /// The validation message, if the last submit was refused.
        error: Option<String>,
    },
    /// Other pages (diagnostics, not found).
    Other(Vec<Block>),
}

/// What the user did in a tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserAction {
    /// Load an address typed into the address bar (or opened from a badge).
    Open(String),
    /// Follow a link to a path on the same server.
    Follow(String),
    /// Reload the page.
    Reload,
    /// The to-do form's Submit.
    TodoSubmit(String),
    /// A vote button.
    Vote(String),
    /// "Get a random number".
    RandomNumber,
    /// Back: the tab's previous address, requested again (see [`Tabs`]).
    Back,
    /// Forward: the tab's next address, requested again.
    Forward,
    /// Close the tab (no request).
    Close,
}

/// A browser: its cookies, per server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Browser {
    cookies: BTreeMap<String, BTreeMap<String, String>>,
}

/// Most addresses a tab remembers for Back (older ones are forgotten).
pub const HISTORY_KEPT: usize = 50;

/// Most tabs open at once: opening one more closes the oldest.
pub const TABS_MAX: usize = 12;

/// One tab of the page's browser: its page and the addresses it visited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tab {
    /// Its number: stable while it is open, never reused, named by the replay log.
    pub id: u32,
    /// What it shows (nothing before its first load).
    pub page: Option<Page>,
    /// The addresses it visited, oldest first (at most [`HISTORY_KEPT`]).
    history: Vec<String>,
    /// Where in `history` it is now.
    at: usize,
}

impl Tab {
    fn new(id: u32) -> Tab {
        Tab {
            id,
            page: None,
            history: Vec::new(),
            at: 0,
        }
    }

    /// True if Back has somewhere to go.
    pub fn can_go_back(&self) -> bool {
        self.at > 0
    }

    /// True if Forward has somewhere to go.
    pub fn can_go_forward(&self) -> bool {
        self.at + 1 < self.history.len()
    }

    /// The addresses it visited, oldest first, and where it is among them.
    pub fn history(&self) -> (&[String], usize) {
        (&self.history, self.at)
    }

    /// A load ended at `url`: a new entry after the current one (dropping the forward
    /// ones), unless it is the address the tab already shows (a reload, a form posted back
    /// to its own page).
    fn visit(&mut self, url: &str) {
        if self.history.get(self.at).is_some_and(|u| u == url) {
            return;
        }
        if !self.history.is_empty() {
            self.history.truncate(self.at + 1);
        }
        self.history.push(url.to_string());
        if self.history.len() > HISTORY_KEPT {
            let extra = self.history.len() - HISTORY_KEPT;
            self.history.drain(..extra);
        }
        self.at = self.history.len() - 1;
    }
}

/// The page's browser: one set of cookies for all its tabs (one browser profile), and the
/// tabs, in the order they were opened. Every action names its tab; Back and Forward request
/// the address again, as a browser without a page cache does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tabs {
    browser: Browser,
    tabs: Vec<Tab>,
    next: u32,
}

impl Tabs {
    /// The open tabs, oldest first.
    pub fn tabs(&self) -> &[Tab] {
        &self.tabs
    }

    /// The tab numbered `id`, if open.
    pub fn get(&self, id: u32) -> Option<&Tab> {
        self.tabs.iter().find(|t| t.id == id)
    }

    /// The number the next new tab gets.
    pub fn next_id(&self) -> u32 {
        self.next
    }

    /// Does `action` in tab `id` (opened if it is not: a new tab's first action), through
    /// the simulated network, and returns what the tab shows next; `None` once closed.
    pub fn act(&mut self, w: &mut World, id: u32, action: BrowserAction) -> Option<Page> {
        if action == BrowserAction::Close {
            self.tabs.retain(|t| t.id != id);
            return None;
        }
        let i = match self.tabs.iter().position(|t| t.id == id) {
            Some(i) => i,
            None => {
                if self.tabs.len() >= TABS_MAX {
                    self.tabs.remove(0);
                }
                self.tabs.push(Tab::new(id));
                self.tabs.len() - 1
            }
        };
        self.next = self.next.max(id.saturating_add(1));
        let browser = &mut self.browser;
        let tab = &mut self.tabs[i];
        let page = match action {
            BrowserAction::Back | BrowserAction::Forward => {
                let to = if action == BrowserAction::Back {
                    tab.can_go_back().then(|| tab.at - 1)
                } else {
                    tab.can_go_forward().then(|| tab.at + 1)
                };
                let Some(to) = to else {
                    return tab.page.clone();
                };
                tab.at = to;
                let url = tab.history[to].clone();
                let page = browser.act(w, None, BrowserAction::Open(url));
                // A redirect on the way lands elsewhere: that is where the tab is now.
                if page.url != tab.history[to] {
                    tab.visit(&page.url);
                }
                page
            }
            BrowserAction::Reload | BrowserAction::RandomNumber => {
                browser.act(w, tab.page.as_ref(), action)
            }
            _ => {
                let page = browser.act(w, tab.page.as_ref(), action);
                tab.visit(&page.url);
                page
            }
        };
        tab.page = Some(page.clone());
        Some(page)
    }
}

/// The message the numbers page shows when the API fails.
pub const RNG_UNAVAILABLE: &str = "RNG service unavailable!";

fn error_page(url: String, headline: &str, detail: String, code: &str) -> Page {
    Page {
        title: headline.to_string(),
        url,
        status: None,
        content: PageContent::Error {
            headline: headline.to_string(),
            detail,
            code: code.to_string(),
        },
        served_by: None,
    }
}

impl Browser {
    /// What `action` on the tab showing `current` leads to.
    pub fn act(&mut self, w: &mut World, current: Option<&Page>, action: BrowserAction) -> Page {
        let here = current.and_then(|p| parse_address(&p.url).ok());
        match action {
            BrowserAction::Open(text) => match parse_address(&text) {
                Ok(a) => self.load(w, &a, "GET", ""),
                Err(AddressError::Tls(host)) => error_page(
                    text.trim().to_string(),
                    "This site can't provide a secure connection",
                    format!("{host} sent an invalid response."),
                    "ERR_SSL_PROTOCOL_ERROR",
                ),
                Err(AddressError::Invalid) => error_page(
                    text.trim().to_string(),
                    "This site can't be reached",
                    "The address is not a web address this browser can open.".into(),
                    "ERR_INVALID_URL",
                ),
            },
            BrowserAction::Follow(path) => match here {
                Some(a) => self.load(w, &a.with_path(&path), "GET", ""),
                None => self.act(w, None, BrowserAction::Open(path)),
            },
            BrowserAction::Reload => match (here, current) {
                (Some(a), _) => self.load(w, &a, "GET", ""),
                (None, Some(p)) => self.act(w, None, BrowserAction::Open(p.url.clone())),
                (None, None) => error_page(
                    String::new(),
                    "This site can't be reached",
                    "No address.".into(),
                    "ERR_INVALID_URL",
                ),
            },
            BrowserAction::TodoSubmit(item) => {
                let Some(a) = here else {
                    return self.act(w, None, BrowserAction::Reload);
                };
                let body = format!("item={}", form_encode(&item));
                self.load(w, &a.with_path("/new"), "POST", &body)
            }
            BrowserAction::Vote(v) => {
                let Some(a) = here else {
                    return self.act(w, None, BrowserAction::Reload);
                };
                let body = format!("vote={}", form_encode(&v));
                self.load(w, &a.with_path("/"), "POST", &body)
            }
            // Without a tab there is no history: Back and Forward reload, Close keeps the page.
            BrowserAction::Back | BrowserAction::Forward => {
                self.act(w, current, BrowserAction::Reload)
            }
            BrowserAction::Close => match current {
                Some(p) => p.clone(),
                None => self.act(w, None, BrowserAction::Reload),
            },
            BrowserAction::RandomNumber => {
                let Some(page) = current else {
                    return self.act(w, None, BrowserAction::Reload);
                };
                let mut page = page.clone();
                if matches!(page.content, PageContent::Numbers(_)) {
                    let answer = random_number(w, page.served_by.as_ref());
                    page.content = PageContent::Numbers(Some(answer));
                }
                page
            }
        }
    }

    /// Loads `a` (following redirects to the same server) and reads the reply.
    fn load(&mut self, w: &mut World, a: &Address, method: &str, body: &str) -> Page {
        let entry = w
            .machine_by_name(&a.host)
            .or_else(|| a.host.parse().ok().and_then(|ip| w.machine_by_ip(ip)))
            .map(|m| m.id);
        let Some(entry) = entry else {
            return if matches!(a.host.as_str(), "localhost" | "127.0.0.1") {
                error_page(
                    a.url(),
                    "This site can't be reached",
                    format!("{} refused to connect.", a.host),
                    "ERR_CONNECTION_REFUSED",
                )
            } else {
                error_page(
                    a.url(),
                    "This site can't be reached",
                    format!("Check if there is a typo in {}.", a.host),
                    "DNS_PROBE_FINISHED_NXDOMAIN",
                )
            };
        };
        let mut a = a.clone();
        let mut call = HttpCall {
            method: method.to_string(),
            path: a.path.clone(),
            body: body.to_string(),
            headers: Vec::new(),
            tls: false,
        };
        if !body.is_empty() {
            call.headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
        }
        let mut hops = 0;
        loop {
            let server = format!("{}:{}", a.host, a.port);
            call.headers.retain(|(k, _)| k != "Cookie");
            if let Some(jar) = self.cookies.get(&server).filter(|j| !j.is_empty()) {
                let line: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
                call.headers.push(("Cookie".into(), line.join("; ")));
            }
            let r = w.http_request(entry, None, &a.host, a.port, &call);
            let out = match r {
                Ok(out) => out,
                Err(HttpError::EmptyReply) => {
                    return error_page(
                        a.url(),
                        "This page isn't working",
                        format!("{} didn't send any data.", a.host),
                        "ERR_EMPTY_RESPONSE",
                    );
                }
                Err(e) => {
                    let (detail, code) = match e {
                        HttpError::Refused => (
                            format!("{} refused to connect.", a.host),
                            "ERR_CONNECTION_REFUSED",
                        ),
                        HttpError::NotTls => (
                            format!("{} sent an invalid response.", a.host),
                            "ERR_SSL_PROTOCOL_ERROR",
                        ),
                        HttpError::Timeout => (
                            format!("{} took too long to respond.", a.host),
                            "ERR_CONNECTION_TIMED_OUT",
                        ),
                        HttpError::CouldNotResolve | HttpError::EmptyReply => (
                            format!("Check if there is a typo in {}.", a.host),
                            "DNS_PROBE_FINISHED_NXDOMAIN",
                        ),
                    };
                    return error_page(a.url(), "This site can't be reached", detail, code);
                }
            };
            for (k, v) in &out.reply.headers {
                if k.eq_ignore_ascii_case("Set-Cookie") {
                    let pair = v.split(';').next().unwrap_or("");
                    if let Some((name, value)) = pair.split_once('=') {
                        self.cookies
                            .entry(server.clone())
                            .or_default()
                            .insert(name.trim().to_string(), value.trim().to_string());
                    }
                }
            }
            let location = (300..400)
                .contains(&out.reply.status)
                .then(|| {
                    out.reply
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("Location"))
                        .map(|(_, v)| v.clone())
                })
                .flatten()
                .filter(|l| l.starts_with('/'));
            match location {
                Some(loc) if hops < MAX_REDIRECTS => {
                    hops += 1;
                    a = a.with_path(&loc);
                    call.path = loc;
                    if matches!(out.reply.status, 301..=303) {
                        call.method = "GET".into();
                        call.body.clear();
                        call.headers.retain(|(k, _)| k != "Content-Type");
                    }
                }
                Some(_) => {
                    return error_page(
                        a.url(),
                        "This page isn't working",
                        format!("{} redirected you too many times.", a.host),
                        "ERR_TOO_MANY_REDIRECTS",
                    );
                }
                None => return read_page(&a, &out.reply, out.served_by),
            }
        }
    }
}

/// The numbers web app's server asks its API (`RngApi__Url`) for a number, through the
/// network, as the Blazor app's server does when its button is clicked.
fn random_number(w: &mut World, served_by: Option<&(MachineId, String)>) -> Result<String, String> {
    const RECONNECT: &str =
        "Could not reconnect to the server. Reload the page to restore functionality.";
    let Some((m, cid)) = served_by else {
        return Err(RECONNECT.into());
    };
    let up = w.machine(*m).is_some_and(|x| x.power == Power::Running);
    let Some(c) = w.container(*m, cid).filter(|c| up && c.is_running()) else {
        return Err(RECONNECT.into());
    };
    let url = c
        .program
        .env_var("RngApi__Url")
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "http://numbers-api/rng".into());
    let Ok(a) = parse_address(&url) else {
        return Err(RNG_UNAVAILABLE.into());
    };
    match w.http_get(*m, Some(cid), &a.host, a.port, &a.path) {
        Ok(out) if out.reply.status == 200 => Ok(out.reply.body.trim().to_string()),
        _ => Err(RNG_UNAVAILABLE.into()),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Reads a reply into a page.
fn read_page(a: &Address, reply: &swarm_core::catalog::HttpReply, by: (MachineId, String)) -> Page {
    let status = reply.status;
    let html = reply.content_type.starts_with("text/html");
    let mut page = Page {
        url: a.url(),
        status: Some(status),
        title: a.url(),
        content: PageContent::Raw {
            status_line: format!("HTTP/1.1 {status} {}", reason(status)),
            headers: raw_headers(reply),
            body: cut(&reply.body),
        },
        served_by: Some(by),
    };
    if status >= 400 && reply.body.trim().is_empty() {
        page.title = "This page isn't working".into();
        page.content = PageContent::Error {
            headline: "This page isn't working".into(),
            detail: format!("{} is currently unable to handle this request.", a.host),
            code: format!("HTTP ERROR {status}"),
        };
        return page;
    }
    if !html {
        return page;
    }
    let doc = Html::parse(&reply.body);
    let title = doc.text_of("title");
    if !title.is_empty() {
        page.title = title.clone();
    }
    let known = match title.as_str() {
        "Welcome to nginx!" | "Image Gallery" if status == 200 => {
            Some(PageContent::Document(doc.blocks()))
        }
        "To-Do List" if status == 200 => Some(PageContent::Todo(todo_page(&doc))),
        "Random Number Generator" if status == 200 => Some(PageContent::Numbers(None)),
        "Cats vs Dogs!" if status == 200 => {
            let options = doc
                .elements("button")
                .into_iter()
                .map(|(attrs, text)| (attr(&attrs, "value"), text))
                .collect();
            let chosen = reply
                .body
                .split("var vote = \"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .map(decode_entities);
            Some(PageContent::Vote {
                question: doc.text_of("h3"),
                options,
                chosen,
                processed_by: doc
                    .elements("div")
                    .into_iter()
                    .find(|(attrs, _)| attr(attrs, "id") == "hostname")
                    .map(|(_, t)| t)
                    .unwrap_or_default(),
            })
        }
        "Cats vs Dogs -- Result" if status == 200 => {
            let divs = doc.elements("div");
            let of_class = |c: &str| -> Vec<String> {
                divs.iter()
                    .filter(|(attrs, _)| attr(attrs, "class") == c)
                    .map(|(_, t)| t.clone())
                    .collect()
            };
            let options = of_class("label")
                .into_iter()
                .zip(of_class("stat"))
                .collect();
            Some(PageContent::Result {
                options,
                total: doc.text_of("span"),
            })
        }
        _ => None,
    };
    if let Some(content) = known {
        page.content = content;
    }
    page
}

fn raw_headers(reply: &swarm_core::catalog::HttpReply) -> Vec<(String, String)> {
    reply.header_block()
}

fn cut(body: &str) -> String {
    if body.len() <= RAW_BODY_MAX {
        return body.to_string();
    }
    let mut end = RAW_BODY_MAX;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end].to_string()
}

fn todo_page(doc: &Html) -> TodoPage {
    let h1 = doc.text_of("h1");
    match h1.as_str() {
        "TODO List" => {
            let rows = doc.table_rows();
            TodoPage::List(
                rows.into_iter()
                    .filter(|r| r.len() >= 2)
                    .map(|mut r| {
                        let date = r.swap_remove(1);
                        (r.swap_remove(0), date)
                    })
                    .collect(),
            )
        }
        "New Item" => {
            let value = doc
                .tags
                .iter()
                .find_map(|t| match t {
                    Tok::Open(name, attrs) if name == "input" => Some(attr(attrs, "value")),
                    _ => None,
                })
                .unwrap_or_default();
            let error = doc
                .elements("li")
                .into_iter()
                .find(|(attrs, _)| attr(attrs, "class") == "validation-message")
                .map(|(_, t)| t);
            TodoPage::New { value, error }
        }
        _ => {
            // Skip the app's navigation: only the main content's blocks.
            let blocks = doc
                .blocks()
                .into_iter()
                .filter(|b| !matches!(b, Block::Paragraph(p) if p.is_empty()))
                .collect();
            TodoPage::Other(blocks)
        }
    }
}

// ------------------------------------------------------------------------------------------
// A small reader of the HTML our images serve
// ------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Open(String, Vec<(String, String)>),
    Close(String),
    Text(String),
}

/// The tokens of an HTML document: tags with their attributes and text with entities
/// decoded; comments, doctype, scripts and styles left out.
struct Html {
    tags: Vec<Tok>,
}

fn attr(attrs: &[(String, String)], name: &str) -> String {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Decodes the entities the catalog's pages use.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "copy" => Some('©'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collapses runs of white space into one space, as a browser lays text out.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if start == i {
            break;
        }
        let name = s[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = decode_entities(&s[vs..i.min(s.len())]);
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = decode_entities(&s[vs..i]);
            }
        }
        out.push((name, value));
    }
    out
}

impl Html {
    fn parse(src: &str) -> Html {
        let mut tags = Vec::new();
        let mut rest = src;
        while !rest.is_empty() {
            let Some(lt) = rest.find('<') else {
                tags.push(Tok::Text(decode_entities(rest)));
                break;
            };
            if lt > 0 {
                tags.push(Tok::Text(decode_entities(&rest[..lt])));
            }
            rest = &rest[lt..];
            if let Some(after) = rest.strip_prefix("<!--") {
                rest = after.find("-->").map_or("", |e| &after[e + 3..]);
                continue;
            }
            let Some(gt) = rest.find('>') else {
                tags.push(Tok::Text(decode_entities(rest)));
                break;
            };
            let inner = &rest[1..gt];
            rest = &rest[gt + 1..];
            if inner.starts_with('!') || inner.starts_with('?') {
                continue;
            }
            if let Some(name) = inner.strip_prefix('/') {
                tags.push(Tok::Close(name.trim().to_ascii_lowercase()));
                continue;
            }
            let name_end = inner
                .find(|c: char| c.is_ascii_whitespace() || c == '/')
                .unwrap_or(inner.len());
            let name = inner[..name_end].to_ascii_lowercase();
            let attrs = parse_attrs(&inner[name_end..]);
            if matches!(name.as_str(), "script" | "style") {
                let close = format!("</{name}");
                let lower = rest.to_ascii_lowercase();
                rest = match lower.find(&close) {
                    Some(e) => rest[e..].find('>').map_or("", |g| &rest[e + g + 1..]),
                    None => "",
                };
                continue;
            }
            tags.push(Tok::Open(name, attrs));
        }
        Html { tags }
    }

    /// Every element named `name`: its attributes and its text (white space collapsed).
    fn elements(&self, name: &str) -> Vec<(Vec<(String, String)>, String)> {
        let mut out = Vec::new();
        for (i, t) in self.tags.iter().enumerate() {
            if let Tok::Open(n, attrs) = t {
                if n == name {
                    out.push((attrs.clone(), self.text_from(i + 1, name)));
                }
            }
        }
        out
    }

    /// The text from token `i` up to the closing tag of `name` (nested ones counted).
    fn text_from(&self, i: usize, name: &str) -> String {
        let mut depth = 0usize;
        let mut text = String::new();
        for t in &self.tags[i.min(self.tags.len())..] {
            match t {
                Tok::Open(n, _) if n == name => depth += 1,
                Tok::Close(n) if n == name => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                Tok::Open(n, _) if n == "br" => text.push(' '),
                Tok::Text(s) => text.push_str(s),
                _ => {}
            }
        }
        collapse(&text)
    }

    /// The text of the first element named `name` (empty if none).
    fn text_of(&self, name: &str) -> String {
        self.elements(name)
            .into_iter()
            .next()
            .map(|(_, t)| t)
            .unwrap_or_default()
    }

    /// The rows of the first table's body, each a list of cell texts.
    fn table_rows(&self) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut in_body = false;
        for (i, t) in self.tags.iter().enumerate() {
            match t {
                Tok::Open(n, _) if n == "tbody" => in_body = true,
                Tok::Close(n) if n == "tbody" => break,
                Tok::Open(n, _) if in_body && n == "tr" => rows.push(Vec::new()),
                Tok::Open(n, _) if in_body && n == "td" => {
                    let cell = self.text_from(i + 1, "td");
                    if let Some(r) = rows.last_mut() {
                        r.push(cell);
                    }
                }
                _ => {}
            }
        }
        rows
    }

    /// The body's headings, paragraphs, tables and images, in order (inside the app's
    /// main content when it has one).
    fn blocks(&self) -> Vec<Block> {
        let mut out = Vec::new();
        let mut skip_until: Option<usize> = None;
        let mut header: Vec<String> = Vec::new();
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut in_table = false;
        for (i, t) in self.tags.iter().enumerate() {
            if skip_until.is_some_and(|s| i < s) {
                continue;
            }
            match t {
                Tok::Open(n, attrs) if n == "div" && attr(attrs, "class") == "sidebar" => {
                    // The to-do app's navigation: drawn by the page's own component.
                    skip_until = Some(self.close_of(i, "div"));
                }
                Tok::Open(n, _) if matches!(n.as_str(), "h1" | "h2" | "h3" | "h4") && !in_table => {
                    out.push(Block::Heading(self.text_from(i + 1, n)));
                    skip_until = Some(self.close_of(i, n));
                }
                Tok::Open(n, _) if n == "p" && !in_table => {
                    out.push(Block::Paragraph(self.text_from(i + 1, "p")));
                    skip_until = Some(self.close_of(i, "p"));
                }
                Tok::Open(n, attrs) if n == "img" => out.push(Block::Image {
                    alt: attr(attrs, "alt"),
                    src: attr(attrs, "src"),
                }),
                Tok::Open(n, _) if n == "table" => {
                    in_table = true;
                    header.clear();
                    rows.clear();
                }
                Tok::Open(n, _) if in_table && n == "th" => {
                    header.push(self.text_from(i + 1, "th"))
                }
                Tok::Open(n, _) if in_table && n == "tr" => rows.push(Vec::new()),
                Tok::Open(n, _) if in_table && n == "td" => {
                    let cell = self.text_from(i + 1, "td");
                    if let Some(r) = rows.last_mut() {
                        r.push(cell);
                    }
                }
                Tok::Close(n) if n == "table" && in_table => {
                    in_table = false;
                    rows.retain(|r| !r.is_empty());
                    out.push(Block::Table(
                        std::mem::take(&mut header),
                        std::mem::take(&mut rows),
                    ));
                }
                _ => {}
            }
        }
        out
    }

    /// The index just past the closing tag matching the element opened at `i`.
    fn close_of(&self, i: usize, name: &str) -> usize {
        let mut depth = 0usize;
        for (k, t) in self.tags.iter().enumerate().skip(i + 1) {
            match t {
                Tok::Open(n, _) if n == name => depth += 1,
                Tok::Close(n) if n == name => {
                    if depth == 0 {
                        return k + 1;
                    }
                    depth -= 1;
                }
                _ => {}
            }
        }
        self.tags.len()
    }
}

impl Playground {
    /// Every machine's published ports, for the badges.
    pub fn published_ports(&self) -> Vec<MachinePorts> {
        published_ports(&self.world())
    }

    /// Does `action` in a browser tab showing `current`, through the simulated network, and
    /// returns what the tab shows next.
    pub fn browse(
        &mut self,
        browser: &mut Browser,
        current: Option<&Page>,
        action: BrowserAction,
    ) -> Page {
        let page = browser.act(&mut self.world.borrow_mut(), current, action);
        // Requests can wake jobs and app loops: let due work run at the current instant.
        self.advance(swarm_core::SimDuration::ZERO);
        page
    }

    /// Does `action` in tab `tab` of the page's browser, which the playground owns (its
    /// cookies, tabs, pages and histories; a tab not open yet opens), and returns what the
    /// tab shows next (`None` once closed). Unlike [`Playground::browse`] it is written into
    /// the replay log (a `browse` entry naming the tab), so a replay does the same requests
    /// with the same cookies at the same times, Back and Reload included.
    pub fn browse_in(&mut self, tab: u32, action: BrowserAction) -> Option<Page> {
        let url = self
            .tab
            .get(tab)
            .and_then(|t| t.page.as_ref())
            .map(|p| p.url.clone())
            .unwrap_or_default();
        let (kind, arg) = action.parts();
        self.record(|at| crate::replay::Entry::Browse {
            at,
            tab,
            action: kind.to_string(),
            arg,
            url,
        });
        let page = self.tab.act(&mut self.world.borrow_mut(), tab, action);
        // Requests can wake jobs and app loops: let due work run at the current instant.
        self.advance_unrecorded(swarm_core::SimDuration::ZERO);
        self.recorded();
        page
    }

    /// Does `action` in the first tab (number 0); see [`Playground::browse_in`].
    pub fn browse_tab(&mut self, action: BrowserAction) -> Page {
        self.browse_in(0, action).unwrap_or_else(|| Page {
            url: String::new(),
            status: None,
            title: String::new(),
            content: PageContent::Document(Vec::new()),
            served_by: None,
        })
    }

    /// What the first tab (number 0) shows.
    pub fn browser_tab(&self) -> Option<&Page> {
        self.tab.get(0).and_then(|t| t.page.as_ref())
    }

    /// The page's browser: its open tabs (see [`Playground::browse_in`]).
    pub fn browser_tabs(&self) -> &Tabs {
        &self.tab
    }
}

impl BrowserAction {
    /// The action's name and argument, as a replay log writes them.
    pub fn parts(&self) -> (&'static str, String) {
        match self {
            BrowserAction::Open(u) => ("open", u.clone()),
            BrowserAction::Follow(p) => ("follow", p.clone()),
            BrowserAction::Reload => ("reload", String::new()),
            BrowserAction::TodoSubmit(t) => ("todo", t.clone()),
            BrowserAction::Vote(v) => ("vote", v.clone()),
            BrowserAction::RandomNumber => ("number", String::new()),
            BrowserAction::Back => ("back", String::new()),
            BrowserAction::Forward => ("forward", String::new()),
            BrowserAction::Close => ("close", String::new()),
        }
    }

    /// The action [`BrowserAction::parts`] wrote, if `kind` is a known one.
    pub fn from_parts(kind: &str, arg: &str) -> Option<BrowserAction> {
        let arg = arg.to_string();
        Some(match kind {
            "open" => BrowserAction::Open(arg),
            "follow" => BrowserAction::Follow(arg),
            "reload" if arg.is_empty() => BrowserAction::Reload,
            "todo" => BrowserAction::TodoSubmit(arg),
            "vote" => BrowserAction::Vote(arg),
            "number" if arg.is_empty() => BrowserAction::RandomNumber,
            "back" if arg.is_empty() => BrowserAction::Back,
            "forward" if arg.is_empty() => BrowserAction::Forward,
            "close" if arg.is_empty() => BrowserAction::Close,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use swarm_core::SimDuration;

    fn template(name: &str) -> Playground {
        Playground::new(&Options {
            template: Some(name.into()),
            ..Options::default()
        })
        .unwrap()
    }

    fn run(pg: &mut Playground, machine: &str, line: &str) -> String {
        pg.submit(machine, line);
        assert!(pg.run_until_idle(machine, SimDuration::from_secs(300)));
        let (out, err) = pg.terminal_mut(machine).unwrap().drain_streams();
        out + &err
    }

    fn open(pg: &mut Playground, b: &mut Browser, url: &str) -> Page {
        pg.browse(b, None, BrowserAction::Open(url.into()))
    }

    #[test]
    fn addresses() {
        let a = parse_address("http://node2:8080/").unwrap();
        assert_eq!(
            (a.host.as_str(), a.port, a.path.as_str()),
            ("node2", 8080, "/")
        );
        assert_eq!(a.url(), "http://node2:8080/");
        let a = parse_address(" Node1 ").unwrap();
        assert_eq!(a.url(), "http://node1/");
        let a = parse_address("192.168.0.12:80/list?x=1").unwrap();
        assert_eq!(a.url(), "http://192.168.0.12/list?x=1");
        assert_eq!(parse_address("node1?q").unwrap().path, "/?q");
        assert_eq!(
            parse_address("https://node1/"),
            Err(AddressError::Tls("node1".into()))
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://x",
            "node1:99999",
            "",
            "a b",
            "<x>",
        ] {
            assert_eq!(parse_address(bad), Err(AddressError::Invalid), "{bad}");
        }
        assert_eq!(form_encode("a b&c=é"), "a+b%26c%3D%C3%A9");
        assert_eq!(
            decode_entities("&lt;b&gt; &amp;amp; &#x27;&copy;&bogus"),
            "<b> &amp; '©&bogus"
        );
    }

    #[test]
    fn badges_for_ingress_host_and_container_ports() {
        let mut pg = template("1m2w");
        run(
            &mut pg,
            "node1",
            "docker service create -q --name web --replicas 1 -p 8080:80 nginx",
        );
        run(
            &mut pg,
            "node1",
            "docker service create -q --name h --mode global --publish mode=host,target=80,published=8081 nginx",
        );
        run(
            &mut pg,
            "node2",
            "docker run -d -q --name site -p 9000:80 nginx",
        );
        pg.advance(SimDuration::from_secs(10));
        let ports = pg.published_ports();
        let of = |m: &str| -> Vec<(u16, &'static str, String)> {
            ports
                .iter()
                .find(|x| x.machine == m)
                .unwrap()
                .ports
                .iter()
                .map(|p| (p.port, p.kind, p.owner.clone()))
                .collect()
        };
        assert_eq!(
            of("node1"),
            [(8080, "ingress", "web".into()), (8081, "host", "h".into())]
        );
        assert_eq!(
            of("node2"),
            [
                (8080, "ingress", "web".into()),
                (8081, "host", "h".into()),
                (9000, "container", "site".into())
            ]
        );
        let b = &ports[1].ports[2];
        assert_eq!(b.url, "http://node2:9000/");
    }

    #[test]
    fn image_gallery_of_seed_lab_003() {
        let mut pg = template("1m2w");
        for line in [
            "docker network create -d overlay iotd-net",
            "docker service create -d -q --replicas 3 --network iotd-net --name iotd diamol/ch09-image-of-the-day",
            "docker service create -d -q --replicas 2 --network iotd-net --name accesslog diamol/ch09-access-log",
            "docker service create -d -q --replicas 2 --network iotd-net -p 8010:80 --name image-gallery diamol/ch09-image-gallery",
        ] {
            run(&mut pg, "node1", line);
        }
        pg.advance(SimDuration::from_secs(30));
        let mut b = Browser::default();
        // Through the routing mesh from any node: the gallery asks iotd for the picture.
        let page = open(&mut pg, &mut b, "http://node3:8010/");
        assert_eq!(page.status, Some(200), "{page:?}");
        assert_eq!(page.title, "Image Gallery");
        let PageContent::Document(blocks) = &page.content else {
            panic!("{page:?}")
        };
        assert_eq!(blocks[0], Block::Heading("Image Gallery".into()));
        assert_eq!(blocks[1], Block::Heading("Clouds of the Ophiuchus".into()));
        assert!(
            matches!(&blocks[2], Block::Image { src, .. } if src.starts_with("https://apod.nasa.gov/")),
            "{blocks:?}"
        );
        // Each page view is an access log entry.
        let logs = run(&mut pg, "node1", "docker service logs accesslog");
        assert_eq!(
            logs.matches("Access log, client IP: 10.0.0.").count(),
            1,
            "{logs}"
        );
        // Without the API the Go handler panics: the browser gets no data.
        run(&mut pg, "node1", "docker service rm iotd");
        pg.advance(SimDuration::from_secs(5));
        let page = open(&mut pg, &mut b, "http://node1:8010/");
        assert_eq!(page.title, "This page isn't working", "{page:?}");
    }

    #[test]
    fn nginx_through_the_mesh_and_errors() {
        let mut pg = template("1m2w");
        run(
            &mut pg,
            "node1",
            "docker service create -q --name web --replicas 1 -p 8080:80 nginx",
        );
        let mut b = Browser::default();
        let before = pg.traffic_count();
        let page = open(&mut pg, &mut b, "http://node3:8080/");
        assert_eq!(pg.traffic_count(), before + 1, "a traffic event, as curl's");
        assert_eq!(page.title, "Welcome to nginx!");
        assert_eq!(page.status, Some(200));
        let PageContent::Document(blocks) = &page.content else {
            panic!("{page:?}")
        };
        assert_eq!(blocks[0], Block::Heading("Welcome to nginx!".into()));
        assert_eq!(
            blocks[2],
            Block::Paragraph(
                "For online documentation and support please refer to nginx.org. Commercial support is available at nginx.com.".into()
            )
        );
        // Nothing there: refused; a machine that is off: timed out; no such host.
        let page = open(&mut pg, &mut b, "node2:8081");
        assert_eq!(
            page.content,
            PageContent::Error {
                headline: "This site can't be reached".into(),
                detail: "node2 refused to connect.".into(),
                code: "ERR_CONNECTION_REFUSED".into()
            }
        );
        run(&mut pg, "node1", "sim node kill node3");
        let page = open(&mut pg, &mut b, "node3:8080");
        assert!(
            matches!(&page.content, PageContent::Error { code, .. } if code == "ERR_CONNECTION_TIMED_OUT")
        );
        let page = open(&mut pg, &mut b, "numbers-api");
        assert!(
            matches!(&page.content, PageContent::Error { code, .. } if code == "DNS_PROBE_FINISHED_NXDOMAIN")
        );
        // A path nginx does not have: the raw view.
        let page = open(&mut pg, &mut b, "node1:8080/missing");
        let PageContent::Raw { status_line, .. } = &page.content else {
            panic!("{page:?}")
        };
        assert_eq!(status_line, "HTTP/1.1 404 Not Found");
    }

    #[test]
    fn todo_items_added_through_the_browser_show_in_curl() {
        let mut pg = template("1m1w");
        run(
            &mut pg,
            "node1",
            "docker service create -q --name todo -p 8080:80 diamol/ch06-todo-list",
        );
        pg.advance(SimDuration::from_secs(10));
        let mut b = Browser::default();
        let page = open(&mut pg, &mut b, "http://node1:8080/list");
        assert_eq!(page.content, PageContent::Todo(TodoPage::List(vec![])));
        let page = pg.browse(&mut b, Some(&page), BrowserAction::Follow("/new".into()));
        assert_eq!(
            page.content,
            PageContent::Todo(TodoPage::New {
                value: String::new(),
                error: None
            })
        );
        let xss = "<img src=x onerror=alert(1)> & more";
        let page = pg.browse(&mut b, Some(&page), BrowserAction::TodoSubmit(xss.into()));
        assert_eq!(page.url, "http://node1:8080/list", "redirected to the list");
        let PageContent::Todo(TodoPage::List(items)) = &page.content else {
            panic!("{page:?}")
        };
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].0, xss);
        let out = run(
            &mut pg,
            "node2",
            "curl -s node2:8080/list | grep '<td>&lt;'",
        );
        assert_eq!(
            out,
            "            <td>&lt;img src=x onerror=alert(1)&gt; &amp; more</td>\n"
        );
        // An empty item is refused with the app's message.
        let page = pg.browse(&mut b, Some(&page), BrowserAction::TodoSubmit(" ".into()));
        assert_eq!(
            page.content,
            PageContent::Todo(TodoPage::New {
                value: " ".into(),
                error: Some("The Item field is required.".into())
            })
        );
    }

    #[test]
    fn the_numbers_button_breaks_with_the_api() {
        let mut pg = template("1m1w");
        run(
            &mut pg,
            "node1",
            "docker network create -d overlay numbers-prod > /dev/null",
        );
        run(
            &mut pg,
            "node1",
            "docker service create -q --name numbers-api --network numbers-prod diamol/ch08-numbers-api",
        );
        run(
            &mut pg,
            "node1",
            "docker service create -q --name numbers-web --network numbers-prod -e RngApi__Url=http://numbers-api/rng -p 8090:80 diamol/ch08-numbers-web",
        );
        pg.advance(SimDuration::from_secs(10));
        let mut b = Browser::default();
        let mut page = open(&mut pg, &mut b, "node2:8090");
        assert_eq!(page.title, "Random Number Generator");
        assert_eq!(page.content, PageContent::Numbers(None));
        let mut answers = Vec::new();
        for _ in 0..5 {
            page = pg.browse(&mut b, Some(&page), BrowserAction::RandomNumber);
            let PageContent::Numbers(Some(a)) = &page.content else {
                panic!("{page:?}")
            };
            answers.push(a.clone());
        }
        // The API answers three times, then breaks.
        assert!(
            answers[..3].iter().all(|a| a
                .as_ref()
                .is_ok_and(|n| n.parse::<u32>().is_ok_and(|n| n < 100))),
            "{answers:?}"
        );
        assert_eq!(answers[3], Err(RNG_UNAVAILABLE.to_string()));
        assert_eq!(answers[4], Err(RNG_UNAVAILABLE.to_string()));
        let rows = pg.traffic(1);
        assert_eq!(
            (
                rows[0].target.as_str(),
                rows[0].via,
                rows[0].outcome.as_str()
            ),
            ("numbers-api:80", "vip", "500")
        );
    }

    #[test]
    fn voting_and_results() {
        let mut pg = template("1m1w");
        let stack = "version: '3.8'\nservices:\n  redis:\n    image: redis:alpine\n  db:\n    image: postgres:15-alpine\n    environment:\n      POSTGRES_USER: postgres\n      POSTGRES_PASSWORD: postgres\n  vote:\n    image: dockersamples/examplevotingapp_vote\n    ports: ['5000:80']\n  result:\n    image: dockersamples/examplevotingapp_result\n    ports: ['5001:80']\n  worker:\n    image: dockersamples/examplevotingapp_worker\n";
        run(
            &mut pg,
            "node1",
            &format!("cat > vote.yml << 'EOF'\n{stack}EOF"),
        );
        let out = run(
            &mut pg,
            "node1",
            "docker stack deploy -c vote.yml v 2>&1 | grep -i error; true",
        );
        assert!(!out.contains("rror"), "{out}");
        pg.advance(SimDuration::from_secs(30));
        let mut b = Browser::default();
        let page = open(&mut pg, &mut b, "node1:5000");
        let PageContent::Vote {
            question,
            options,
            chosen,
            processed_by,
        } = &page.content
        else {
            panic!("{page:?}")
        };
        assert_eq!(question, "Cats vs Dogs!");
        assert_eq!(
            options,
            &[
                ("a".to_string(), "Cats".to_string()),
                ("b".into(), "Dogs".into())
            ]
        );
        assert_eq!(chosen, &None);
        assert!(
            processed_by.starts_with("Processed by container ID "),
            "{processed_by}"
        );
        let page = pg.browse(&mut b, Some(&page), BrowserAction::Vote("b".into()));
        let PageContent::Vote { chosen, .. } = &page.content else {
            panic!("{page:?}")
        };
        assert_eq!(chosen.as_deref(), Some("b"));
        pg.advance(SimDuration::from_secs(5));
        let page = open(&mut pg, &mut b, "node2:5001");
        assert_eq!(
            page.content,
            PageContent::Result {
                options: vec![
                    ("Cats".into(), "0.0%".into()),
                    ("Dogs".into(), "100.0%".into())
                ],
                total: "1 vote".into()
            }
        );
        // The same browser votes again: its cookie makes it the same voter.
        let page = open(&mut pg, &mut b, "node1:5000");
        pg.browse(&mut b, Some(&page), BrowserAction::Vote("a".into()));
        pg.advance(SimDuration::from_secs(5));
        let page = open(&mut pg, &mut b, "node2:5001");
        let PageContent::Result { options, total } = &page.content else {
            panic!("{page:?}")
        };
        assert_eq!(
            (options[0].1.as_str(), total.as_str()),
            ("100.0%", "1 vote")
        );
    }
}
