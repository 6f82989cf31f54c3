//! Apps that talk to other services over the simulated network: the Flask counter of seeds
//! 001/002, the diamol to-do list (seed 003), and the voting app of seed 000 (vote, worker,
//! result).
//!
//! A catalog behaviour names its kind (`"app": "counter"` …,
//! [`crate::catalog::Program::app_kind`]);
//! [`World::container_serve`] hands that container's HTTP requests to [`World::app_serve`], and
//! apps with a life of their own (the worker's loop, the result's wait for its database, the
//! counter's banner) take steps on [`Timer::App`] timers set by [`World::app_started`].
//! What an app remembers during one run lives in [`AppProc`] (inside the container's
//! `ProcState`, so a new run starts afresh).
//!
//! - **Client path** ([`World::app_connect`]): a host name is resolved as the container
//!   would (`localhost`; its networks' embedded DNS: a service's VIP balanced over its serving
//!   tasks, `tasks.NAME`, container names; machine names and addresses with their published
//!   ports), then a TCP connect to the port: the peer container, or what the client library
//!   reports (name not found, connection refused while nothing listens or the task is still
//!   starting, a timeout across a partition or to a powered-off machine). Every connection is
//!   a [`TrafficEvent`], as HTTP requests are, so the UI can draw it.
//! - **Redis** is [`World::redis_command`] on the peer; **postgres** keeps each table as a
//!   text file under the server's data directory (`$PGDATA/base/DB/TABLE`: a header line,
//!   then one escaped tab-separated row a line), so rows live in its volume, survive an
//!   upgrade that mounts the same volume, and are absent on another node.
//! - **counter** (Flask, port 8000; a kind for behaviours given to built images, the catalog
//!   has no such image): `GET /` runs `INCR hits` in the redis at `$REDIS_HOST`
//!   (default `redis`) and answers `Hello World! I have been seen N times.`; without redis, a
//!   500 page and the traceback in the log, as Flask logs it.
//! - A **built web app** (`docker::webapp` in the shell) has no kind: a Flask route's view
//!   is run by [`World::py_serve`] with [`crate::pyeval`] (redis over the same client path as
//!   the counter's; an exception is Flask's 500 and traceback); an Express route's body may
//!   hold `{incr:KEY}`, which [`World::redis_counts`] runs as `INCR KEY` in the redis its
//!   script names, or answers its 500 page.
//! - **todo** (ASP.NET Core, port 80): configuration from `appsettings.json`'s defaults,
//!   then `/app/config/config.json`, then `/app/config/secrets.json` (keys ignore case).
//!   Provider `Sqlite` keeps the items in the container's own `/data/todo-list.db`; provider
//!   `Postgres` in table `ToDos` of the database its connection string names. `GET /` and
//!   `/list` show the items, `GET /new` the form, `POST /new` with `item=…` adds one and
//!   redirects to `/list`. A database it cannot use makes pages fail (500) and logs the .NET
//!   exception. [`World::todo_items`] gives the items as the page shows them.
//! - **vote** (gunicorn, port 80): `POST /` with `vote=a|b` pushes
//!   `{"voter_id": …, "vote": …}` onto redis list `votes` (the voter from the `voter_id`
//!   cookie, else a new one from the `voters` stream, set as a cookie).
//! - **worker**: waits for the database (`Waiting for db` every second), connects, resolves
//!   redis (`Found redis at IP`; a name that does not resolve ends the process with exit code
//!   1), then polls the list every 100 ms while it has votes (a vote pushed wakes it), moving
//!   each into table `votes` (one row per voter, the latest vote wins). It sleeps while the
//!   list is empty, so an idle worker costs no events.
//! - **result** (node, port 80): waits for the database like the worker; `GET /` shows the
//!   percentages and the vote count read from table `votes` at that moment (the page's
//!   Angular code would show the same).

use crate::time::{MONTH_NAMES, WEEKDAY_NAMES};
use std::net::Ipv4Addr;

use crate::appdata::RedisReply;
use crate::appdata::{escape, unescape};
use crate::catalog::{HttpReply, HttpRequest, Stream};
use crate::container::Timer;
use crate::endpoints::DnsAnswer;
use crate::machine::MachineId;
use crate::network::{HttpError, Target, TrafficEvent};
use crate::time::SimTime;
use crate::world::World;

/// Rows one postgres table holds at most (a bound on everything).
pub const MAX_TABLE_ROWS: usize = 10_000;
/// How many times the result app tries its database before it gives up (`async.retry`).
const RESULT_DB_TRIES: u32 = 1000;
/// The worker's poll period.
const WORKER_POLL_MS: u64 = 100;
/// The retry period of the start-up loops.
const RETRY_MS: u64 = 1000;

/// Where an app's start-up loop is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AppPhase {
    /// Not started its loop yet.
    #[default]
    Starting,
    /// Waiting for its database.
    WaitingDb,
    /// Waiting for redis.
    WaitingRedis,
    /// Connected, doing its work.
    Running,
    /// Gave up.
    GaveUp,
}

/// What an app remembers during one run of its container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppProc {
    /// Its start-up loop.
    pub phase: AppPhase,
    /// The worker: the redis address it resolved.
    pub redis_addr: Option<String>,
    /// A step is due at this time (at most one is scheduled).
    pub next_step: Option<SimTime>,
    /// Connection attempts so far.
    pub tries: u32,
    /// Requests served (gunicorn's worker rotation).
    pub served: u64,
    /// The result app: the last counts it read (a, b).
    pub last_counts: Option<(u64, u64)>,
    /// The image-of-the-day API: the image it fetched from NASA and caches.
    pub cached: bool,
    /// A built Flask app: its module's globals once it has run ([`crate::pyeval`]).
    pub py: Option<Vec<(String, crate::pyeval::Value)>>,
}

/// Why a connection failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectError {
    /// The name does not resolve (`Name or service not known`).
    NameNotFound,
    /// Nothing listens there, or the task is still starting (`Connection refused`).
    Refused,
    /// The packets go nowhere: a partition, a powered-off machine (a timeout).
    Unreachable,
}

/// The other end of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    /// Its machine.
    pub machine: MachineId,
    /// Its container.
    pub container: String,
}

/// One to-do item as the list page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TodoItem {
    /// `ToDoId`.
    pub id: u64,
    /// The text.
    pub item: String,
    /// `DateAdded.ToLongDateString()`: `Monday, 23 November 2026`.
    pub date_added: String,
}

/// A served request: the reply and the lines the app logged.
pub(crate) type Served = (HttpReply, Vec<(Stream, String)>);

// ------------------------------------------------------------------------------------------
// Small texts
// ------------------------------------------------------------------------------------------

/// (year, month, day, hour, minute, second, millisecond, weekday index from Sunday).
fn civil(unix_ms: i64) -> (i64, u32, u32, i64, i64, i64, i64, usize) {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = crate::time::civil_from_days(days);
    (
        y,
        mo,
        d,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        unix_ms.rem_euclid(1000),
        crate::time::weekday(days),
    )
}

fn month_abbr(mo: u32) -> &'static str {
    crate::time::abbr(MONTH_NAMES[(mo as usize).saturating_sub(1).min(11)])
}

/// werkzeug's access-log time: `23/Nov/2026 09:00:05`.
fn werkzeug_time(unix_ms: i64) -> String {
    let (y, mo, d, h, mi, s, _, _) = civil(unix_ms);
    format!("{d:02}/{}/{y} {h:02}:{mi:02}:{s:02}", month_abbr(mo))
}

/// Python logging's `asctime`: `2026-11-23 09:00:05,123`.
pub fn py_time(unix_ms: i64) -> String {
    let (y, mo, d, h, mi, s, ms, _) = civil(unix_ms);
    format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{ms:03}")
}

/// gunicorn's log time: `2026-11-23 09:00:05 +0000`.
fn gunicorn_time(unix_ms: i64) -> String {
    let (y, mo, d, h, mi, s, _, _) = civil(unix_ms);
    format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} +0000")
}

/// .NET's `ToLongDateString()` in the invariant culture: `Monday, 23 November 2026`.
pub fn long_date(unix_ms: i64) -> String {
    let (y, mo, d, _, _, _, _, wd) = civil(unix_ms);
    format!(
        "{}, {d:02} {} {y}",
        WEEKDAY_NAMES[wd],
        MONTH_NAMES[(mo as usize).saturating_sub(1).min(11)]
    )
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Decodes an `application/x-www-form-urlencoded` body (or a query string).
pub fn form_decode(body: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.as_bytes();
        let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    body.split('&')
        .filter(|p| !p.is_empty())
        .take(100)
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.header("Cookie")?.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

fn client_ip(req: &HttpRequest) -> String {
    let c = req.client;
    match c.rsplit_once(':') {
        Some((ip, port)) if !ip.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            ip.trim_start_matches('[').trim_end_matches(']').to_string()
        }
        _ => c.to_string(),
    }
}

fn route<'a>(req: &HttpRequest<'a>) -> &'a str {
    let p = req.path.split(['?', '#']).next().unwrap_or("/");
    if p.is_empty() {
        "/"
    } else {
        p
    }
}

fn reply(status: u16, content_type: &str, body: String) -> HttpReply {
    HttpReply {
        status,
        body,
        content_type: content_type.to_string(),
        headers: Vec::new(),
    }
}

/// The gallery's `index.html` as `html/template` renders it.
fn gallery_page(url: &str, caption: &str, copyright: &str) -> String {
    let esc = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&#34;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        out
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n    <meta charset=\"utf-8\" />\n    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\" />\n    <title>Image Gallery</title>\n        <link rel=\"stylesheet\" href=\"https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css\"\n              crossorigin=\"anonymous\"\n              integrity=\"sha384-ggOyR0iXCbMQv3Xipma34MD+dH/1fQ784/j6cY/iJTQUOhcWr7x9JvoRxT2MZw1T\"/>\n</head>\n<body>\n\n    <div class=\"text-center\">\n        <h1 class=\"display-4\">Image Gallery</h1>\n        <h2>{}</h2>\n        <img src=\"{}\"/>\n        <footer class=\"blockquote-footer\">&copy; {}</footer>\n    </div>\n    \n</body>\n</html>\n",
        esc(caption),
        esc(url),
        esc(copyright)
    )
}

/// A Go handler's nil-pointer panic at `main.go:LINE`, as net/http recovers it: the log lines
/// (stderr, `log`'s date prefix) and no reply (status 0: the connection closes).
fn go_panic(req: &HttpRequest, remote: &str, line: u32) -> Served {
    let ts = crate::catalog::strftime(req.now_unix_ms, "%Y/%m/%d %H:%M:%S");
    let lines = [
        format!("{ts} http: panic serving {remote}: runtime error: invalid memory address or nil pointer dereference"),
        "goroutine 6 [running]:".to_string(),
        "net/http.(*conn).serve.func1(0xc0000a0be0)".to_string(),
        "\t/usr/local/go/src/net/http/server.go:1767 +0x139".to_string(),
        "panic(0x6b2b00, 0xa5fc90)".to_string(),
        "\t/usr/local/go/src/runtime/panic.go:679 +0x1b2".to_string(),
        "main.main.func1(0x7c8ee0, 0xc0000f01c0, 0xc000118300)".to_string(),
        format!("\t/src/main.go:{line} +0x{:x}", 0x6b + (line - 38) * 0x2e),
        "net/http.HandlerFunc.ServeHTTP(0xc00009a0f0, 0x7c8ee0, 0xc0000f01c0, 0xc000118300)".to_string(),
        "\t/usr/local/go/src/net/http/server.go:2007 +0x44".to_string(),
        "net/http.(*ServeMux).ServeHTTP(0xa6e760, 0x7c8ee0, 0xc0000f01c0, 0xc000118300)".to_string(),
        "\t/usr/local/go/src/net/http/server.go:2387 +0x1bd".to_string(),
        "net/http.serverHandler.ServeHTTP(0xc0000f0000, 0x7c8ee0, 0xc0000f01c0, 0xc000118300)".to_string(),
        "\t/usr/local/go/src/net/http/server.go:2802 +0xa4".to_string(),
        "net/http.(*conn).serve(0xc0000a0be0, 0x7c9e20, 0xc000060140)".to_string(),
        "\t/usr/local/go/src/net/http/server.go:1890 +0x875".to_string(),
        "created by net/http.(*Server).Serve".to_string(),
        "\t/usr/local/go/src/net/http/server.go:2928 +0x384".to_string(),
    ];
    (
        reply(0, "", String::new()),
        lines.into_iter().map(|l| (Stream::Stderr, l)).collect(),
    )
}

/// A redis reply as a Python value: what redis-py returns.
#[derive(Clone, Debug, PartialEq)]
enum PyVal {
    Int(i64),
    Bool(bool),
    None,
    /// `bytes`, or `str` with `decode_responses=True`.
    Text(String, bool),
}

impl PyVal {
    fn of(r: &RedisReply, decode: bool) -> PyVal {
        match r {
            RedisReply::Int(n) => PyVal::Int(*n),
            RedisReply::Status(_) => PyVal::Bool(true),
            RedisReply::Bulk(None) => PyVal::None,
            RedisReply::Bulk(Some(s)) => PyVal::Text(s.clone(), decode),
            RedisReply::Array(a) => PyVal::Text(format!("{a:?}"), true),
            RedisReply::Nested(a) => PyVal::Text(format!("{a:?}"), true),
            RedisReply::Verbatim(s) => PyVal::Text(s.clone(), decode),
            RedisReply::Error(e) => PyVal::Text(e.clone(), true),
        }
    }

    fn repr(&self) -> String {
        match self {
            PyVal::Text(s, false) => format!("b'{s}'"),
            PyVal::Text(s, true) => format!("'{s}'"),
            other => other.str(),
        }
    }

    fn str(&self) -> String {
        match self {
            PyVal::Int(n) => n.to_string(),
            PyVal::Bool(true) => "True".into(),
            PyVal::Bool(false) => "False".into(),
            PyVal::None => "None".into(),
            PyVal::Text(s, true) => s.clone(),
            PyVal::Text(_, false) => self.repr(),
        }
    }

    /// `self or 0`.
    fn or0(self) -> PyVal {
        match &self {
            PyVal::None | PyVal::Bool(false) | PyVal::Int(0) => PyVal::Int(0),
            PyVal::Text(s, _) if s.is_empty() => PyVal::Int(0),
            _ => self,
        }
    }

    /// `int(self)`, or the exception.
    fn int(self) -> Result<PyVal, String> {
        match &self {
            PyVal::Int(_) => Ok(self),
            PyVal::Bool(b) => Ok(PyVal::Int(i64::from(*b))),
            PyVal::None => Err("TypeError: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'".into()),
            PyVal::Text(s, _) => s
                .trim()
                .replace('_', "")
                .parse()
                .map(PyVal::Int)
                .map_err(|_| format!("ValueError: invalid literal for int() with base 10: {}", self.repr())),
        }
    }

    /// The value in Flask's JSON, or the exception.
    fn json(&self) -> Result<String, String> {
        match self {
            PyVal::Bool(b) => Ok(b.to_string()),
            PyVal::None => Ok("null".into()),
            PyVal::Int(n) => Ok(n.to_string()),
            PyVal::Text(s, true) => Ok(serde_json::Value::from(s.as_str()).to_string()),
            PyVal::Text(_, false) => {
                Err("TypeError: Object of type bytes is not JSON serializable".into())
            }
        }
    }
}

/// `body` with its `{r:I|FORM}`/`{rj:I|FORM}` fields made from `replies` (see
/// [`World::redis_counts`]); `Err` with the command's index and the exception Python raises.
fn py_fill(body: &str, replies: &[RedisReply], decode: bool) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = rest.find("{r") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let field = after.find('}').and_then(|j| {
            let (kind, spec) = after[..j].split_once(':')?;
            let (n, form) = spec.split_once('|')?;
            let n: usize = n.parse().ok()?;
            matches!(kind, "r" | "rj").then_some((j, kind == "rj", n, form))
        });
        let Some((j, json, n, form)) = field else {
            out.push('{');
            rest = after;
            continue;
        };
        let v = PyVal::of(replies.get(n).unwrap_or(&RedisReply::Bulk(None)), decode);
        let v = match form {
            "or0" => Ok(v.or0()),
            "int" => v.int(),
            "int0" => v.or0().int(),
            "str" => Ok(PyVal::Text(v.str(), true)),
            _ => Ok(v),
        }
        .map_err(|e| (n, e))?;
        if json {
            out.push_str(&v.json().map_err(|e| (n, e))?);
        } else {
            out.push_str(&v.str());
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// werkzeug's error pages.
fn werkzeug_page(status: u16) -> String {
    let (title, text) = match status {
        400 => (
            "Bad Request",
            "The browser (or proxy) sent a request that this server could not understand.",
        ),
        404 => (
            "Not Found",
            "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
        ),
        405 => (
            "Method Not Allowed",
            "The method is not allowed for the requested URL.",
        ),
        401 => (
            "Unauthorized",
            "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn&#39;t understand how to supply the credentials required.",
        ),
        403 => (
            "Forbidden",
            "You don&#39;t have the permission to access the requested resource. It is either read-protected or not readable by the server.",
        ),
        409 => (
            "Conflict",
            "A conflict happened while processing the request. The resource might have been modified while the request was being processed.",
        ),
        415 => (
            "Unsupported Media Type",
            "Did not attempt to load JSON data because the request Content-Type was not &#39;application/json&#39;.",
        ),
        _ => (
            "Internal Server Error",
            "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
        ),
    };
    let code = if matches!(status, 400 | 401 | 403 | 404 | 405 | 409 | 415) {
        status
    } else {
        500
    };
    format!(
        "<!doctype html>\n<html lang=en>\n<title>{code} {title}</title>\n<h1>{title}</h1>\n<p>{text}</p>\n"
    )
}

/// What redis-py says when it cannot connect.
fn redis_py_error(e: ConnectError, host: &str, port: u16) -> String {
    match e {
        ConnectError::NameNotFound => format!(
            "redis.exceptions.ConnectionError: Error -2 connecting to {host}:{port}. Name or service not known."
        ),
        ConnectError::Refused => format!(
            "redis.exceptions.ConnectionError: Error 111 connecting to {host}:{port}. Connection refused."
        ),
        ConnectError::Unreachable => format!(
            "redis.exceptions.ConnectionError: Error 110 connecting to {host}:{port}. Connection timed out."
        ),
    }
}

/// A Python traceback of a request that failed in redis-py, as Flask logs it.
fn flask_traceback(app_file: &str, frames: &[(&str, u32, &str, &str)], last: &str) -> Vec<String> {
    let site = "/usr/local/lib/python3.12/site-packages";
    let mut lines = vec!["Traceback (most recent call last):".to_string()];
    // A view's return value Flask cannot make a response of: raised by `make_response`.
    if frames.is_empty() && last.contains("did not return a valid response") {
        for (file, line, func, code) in [
            (
                "flask/app.py",
                1511,
                "wsgi_app",
                "response = self.full_dispatch_request()",
            ),
            (
                "flask/app.py",
                920,
                "full_dispatch_request",
                "return self.finalize_request(rv)",
            ),
            (
                "flask/app.py",
                939,
                "finalize_request",
                "response = self.make_response(rv)",
            ),
            ("flask/app.py", 1212, "make_response", "raise TypeError("),
        ] {
            lines.push(format!("  File \"{site}/{file}\", line {line}, in {func}"));
            lines.push(format!("    {code}"));
        }
        lines.push(last.to_string());
        return lines;
    }
    for (file, line, func, code) in [
        (
            "flask/app.py",
            1511,
            "wsgi_app",
            "response = self.full_dispatch_request()",
        ),
        (
            "flask/app.py",
            919,
            "full_dispatch_request",
            "rv = self.handle_user_exception(e)",
        ),
        (
            "flask/app.py",
            917,
            "full_dispatch_request",
            "rv = self.dispatch_request()",
        ),
        (
            "flask/app.py",
            902,
            "dispatch_request",
            "return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]",
        ),
    ] {
        lines.push(format!("  File \"{site}/{file}\", line {line}, in {func}"));
        lines.push(format!("    {code}"));
    }
    for (line, func, code) in frames
        .iter()
        .filter(|f| f.0 == app_file)
        .map(|f| (f.1, f.2, f.3))
    {
        lines.push(format!("  File \"{app_file}\", line {line}, in {func}"));
        lines.push(format!("    {code}"));
    }
    let connect: &[(&str, u32, &str, &str)] =
        if last.starts_with("redis.exceptions.ConnectionError") {
            &[
                (
                    "redis/client.py",
                    559,
                    "execute_command",
                    "return self._execute_command(*args, **options)",
                ),
                (
                    "redis/client.py",
                    565,
                    "_execute_command",
                    "conn = self.connection or pool.get_connection(command_name, **options)",
                ),
                (
                    "redis/connection.py",
                    1422,
                    "get_connection",
                    "connection.connect()",
                ),
                (
                    "redis/connection.py",
                    363,
                    "connect",
                    "raise ConnectionError(self._error_message(e))",
                ),
            ]
        } else {
            &[]
        };
    for (file, line, func, code) in connect {
        lines.push(format!("  File \"{site}/{file}\", line {line}, in {func}"));
        lines.push(format!("    {code}"));
    }
    lines.push(last.to_string());
    lines
}

/// An Npgsql connection failure, as .NET prints the exception.
fn npgsql_error(e: ConnectError) -> Vec<String> {
    let inner = match e {
        ConnectError::NameNotFound => {
            " ---> System.Net.Sockets.SocketException (0xFFFDFFFE): Name or service not known"
        }
        ConnectError::Refused => {
            " ---> System.Net.Sockets.SocketException (111): Connection refused"
        }
        ConnectError::Unreachable => " ---> System.TimeoutException: The operation has timed out.",
    };
    vec![
        "Npgsql.NpgsqlException (0x80004005): Exception while connecting".to_string(),
        inner.to_string(),
        "   at Npgsql.NpgsqlConnector.Connect(NpgsqlTimeout timeout)".to_string(),
        "   at Npgsql.NpgsqlConnector.RawOpen(NpgsqlTimeout timeout, Boolean async, CancellationToken cancellationToken)".to_string(),
        "   at Npgsql.NpgsqlConnector.Open(NpgsqlTimeout timeout, Boolean async, CancellationToken cancellationToken)".to_string(),
        "   at Npgsql.ConnectorPool.AllocateLong(NpgsqlConnection conn, NpgsqlTimeout timeout, Boolean async, CancellationToken cancellationToken)".to_string(),
        "   at Npgsql.NpgsqlConnection.Open(Boolean async, CancellationToken cancellationToken)".to_string(),
    ]
}

// ------------------------------------------------------------------------------------------
// Tables
// ------------------------------------------------------------------------------------------

/// A table's file: a header naming the columns, then one row a line.
fn table_text(header: &str, columns: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!("{header} ({})\n", columns.join(", "));
    for r in rows.iter().take(MAX_TABLE_ROWS) {
        let cells: Vec<String> = r.iter().map(|c| escape(c)).collect();
        s.push_str(&cells.join("\t"));
        s.push('\n');
    }
    s
}

fn table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .take(MAX_TABLE_ROWS)
        .map(|l| l.split('\t').map(unescape).collect())
        .collect()
}

/// A parsed Npgsql connection string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct PgConn {
    host: String,
    port: u16,
    database: String,
    user: String,
    password: Option<String>,
}

/// Npgsql's reading of a connection string: `Err` is the exception's first line.
fn parse_npgsql(cs: &str) -> Result<PgConn, String> {
    let mut c = PgConn {
        port: 5432,
        ..PgConn::default()
    };
    for part in cs.split(';') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let key = k.trim().to_ascii_lowercase();
        let v = v.trim().to_string();
        match key.as_str() {
            "server" | "host" => c.host = v,
            "port" => {
                c.port = v.parse().map_err(|_| {
                    "System.ArgumentException: Couldn't set port (Parameter 'port')".to_string()
                })?
            }
            "database" | "db" => c.database = v,
            "user id" | "userid" | "username" | "user name" | "user" | "uid" => c.user = v,
            "password" | "psw" | "pwd" => c.password = Some(v),
            "sslmode"
            | "ssl mode"
            | "trust server certificate"
            | "pooling"
            | "timeout"
            | "command timeout"
            | "include error detail"
            | "maximum pool size"
            | "minimum pool size"
            | "search path"
            | "application name" => {}
            _ => {
                return Err(format!(
                    "System.ArgumentException: Keyword not supported: {key} (Parameter 'keyword')"
                ))
            }
        }
    }
    if c.host.is_empty() {
        return Err("System.ArgumentException: Host can't be null".to_string());
    }
    if c.database.is_empty() {
        c.database = if c.user.is_empty() {
            "postgres".into()
        } else {
            c.user.clone()
        };
    }
    Ok(c)
}

/// A .NET configuration value: `path` like `Database:Provider`, keys ignoring case, the last
/// document that has it winning.
fn config_value(docs: &[serde_json::Value], path: &str) -> Option<String> {
    docs.iter().rev().find_map(|doc| {
        let mut cur = doc;
        for part in path.split(':') {
            let obj = cur.as_object()?;
            cur = obj
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(part))
                .map(|(_, v)| v)?;
        }
        match cur {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
            _ => None,
        }
    })
}

/// Where the to-do list keeps its items.
enum TodoStore {
    /// SQLite: a file in the container's own filesystem.
    Sqlite(String),
    /// A postgres server: (its machine, container, database).
    Postgres(MachineId, String, String),
}

/// The lines an ASP.NET Core app logs for a request that threw.
fn aspnet_unhandled(exception: &[String]) -> Vec<(Stream, String)> {
    let mut out = vec![
        (
            Stream::Stdout,
            "fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]".to_string(),
        ),
        (
            Stream::Stdout,
            "      An unhandled exception has occurred while executing the request.".to_string(),
        ),
    ];
    out.extend(exception.iter().map(|l| (Stream::Stdout, l.clone())));
    out
}

const TODO_HEAD: &str = "<!DOCTYPE html>
<html lang=\"en\">
<head>
    <meta charset=\"utf-8\" />
    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\" />
    <title>To-Do List</title>
    <base href=\"/\" />
    <link rel=\"stylesheet\" href=\"css/bootstrap/bootstrap.min.css\" />
    <link href=\"css/site.css\" rel=\"stylesheet\" />
</head>
<body>
    <app>
        <div class=\"sidebar\">
            <div class=\"top-row pl-4 navbar navbar-dark\">
                <a class=\"navbar-brand\" href=\"\">DIAMOL To-Do List</a>
            </div>
            <ul class=\"nav flex-column\">
                <li class=\"nav-item px-3\"><a class=\"nav-link\" href=\"\">Home</a></li>
                <li class=\"nav-item px-3\"><a class=\"nav-link\" href=\"new\">New item</a></li>
                <li class=\"nav-item px-3\"><a class=\"nav-link\" href=\"list\">To-do list</a></li>
                <li class=\"nav-item px-3\"><a class=\"nav-link\" href=\"diagnostics\">Diagnostics</a></li>
            </ul>
        </div>
        <div class=\"main\">
            <div class=\"content px-4\">
";

const TODO_FOOT: &str = "            </div>
        </div>
    </app>
    <script src=\"_framework/blazor.server.js\"></script>
</body>
</html>
";

fn todo_page(content: &str) -> String {
    format!("{TODO_HEAD}{content}{TODO_FOOT}")
}

fn todo_list_html(items: &[TodoItem]) -> String {
    let mut s = String::from(
        "<h1>TODO List</h1>\n<p>There is much still to do.</p>\n<p>But there's always room to <a href=\"/new\">add more</a>.</p>\n<table class=\"table\">\n    <thead>\n        <tr>\n            <th>Item</th>\n            <th>Date Added</th>\n        </tr>\n    </thead>\n    <tbody>\n",
    );
    for i in items {
        s.push_str(&format!(
            "        <tr>\n            <td>{}</td>\n            <td>{}</td>\n        </tr>\n",
            html_escape(&i.item),
            i.date_added
        ));
    }
    s.push_str("    </tbody>\n</table>\n");
    s
}

fn todo_new_html(value: &str, error: Option<&str>) -> String {
    let mut s = String::from("<h1>New Item</h1>\n<form method=\"post\" action=\"/new\">\n");
    if let Some(e) = error {
        s.push_str(&format!(
            "    <ul class=\"validation-errors\"><li class=\"validation-message\">{e}</li></ul>\n"
        ));
    }
    s.push_str(&format!(
        "    <input id=\"item\" class=\"new-item{}\" name=\"item\" value=\"{}\" />\n    <button type=\"submit\">Submit</button>\n</form>\n",
        if error.is_some() { " invalid" } else { "" },
        html_escape(value)
    ));
    s
}

// ------------------------------------------------------------------------------------------
// The world's side
// ------------------------------------------------------------------------------------------

impl World {
    /// A TCP connection from container `id` on `m` to `host:port`, resolved as that container
    /// would (see the module documentation). Recorded as a traffic event.
    pub fn app_connect(
        &mut self,
        m: MachineId,
        id: &str,
        host: &str,
        port: u16,
    ) -> Result<Peer, ConnectError> {
        let r = self.connect_inner(m, id, host, port);
        self.record_connection(m, host, port, &r);
        r
    }

    fn connect_inner(
        &mut self,
        m: MachineId,
        id: &str,
        host: &str,
        port: u16,
    ) -> Result<Peer, ConnectError> {
        let from_err = |e: HttpError| match e {
            HttpError::CouldNotResolve => ConnectError::NameNotFound,
            HttpError::Refused | HttpError::NotTls | HttpError::EmptyReply => ConnectError::Refused,
            HttpError::Timeout => ConnectError::Unreachable,
        };
        if self.container(m, id).is_none() {
            return Err(ConnectError::Unreachable);
        }
        let cluster = self.membership(m).map(|ms| ms.cluster);
        let target = match host {
            "localhost" | "127.0.0.1" | "::1" => Target::Container(m, id.to_string(), port),
            _ => {
                let machine = self
                    .machine_by_name(host)
                    .or_else(|| host.parse().ok().and_then(|ip| self.machine_by_ip(ip)))
                    .map(|x| x.id);
                match machine {
                    Some(mm) => Target::Machine(mm),
                    None => {
                        let addr: Ipv4Addr = match host.parse() {
                            Ok(a) => a,
                            Err(_) => match self.container_dns(m, id, host) {
                                DnsAnswer::Found(ips) => {
                                    *ips.first().ok_or(ConnectError::NameNotFound)?
                                }
                                _ => return Err(ConnectError::NameNotFound),
                            },
                        };
                        match self.container_at(m, Some(id), addr) {
                            Some((cm, cid)) => Target::Container(cm, cid, port),
                            None => {
                                let cl = cluster.ok_or(ConnectError::Unreachable)?;
                                self.overlay_target(cl, addr, port).map_err(from_err)?
                            }
                        }
                    }
                }
            }
        };
        let (pm, pid, pport) = match target {
            Target::Container(pm, c, p) => (pm, c, p),
            Target::Machine(mm) => {
                if !self.can_reach(m, mm) {
                    return Err(ConnectError::Unreachable);
                }
                self.machine_port(mm, port).map_err(from_err)?
            }
        };
        if !self.can_reach(m, pm) {
            return Err(ConnectError::Unreachable);
        }
        let now = self.now();
        let c = self.container(pm, &pid).ok_or(ConnectError::Refused)?;
        let listening = c.is_running()
            && c.uptime_ms(now) >= c.program.startup_ms()
            && c.program.ports().contains(&pport);
        if !listening {
            return Err(ConnectError::Refused);
        }
        Ok(Peer {
            machine: pm,
            container: pid,
        })
    }

    fn record_connection(
        &mut self,
        from: MachineId,
        host: &str,
        port: u16,
        r: &Result<Peer, ConnectError>,
    ) {
        let (task, to, via) = match r {
            Ok(p) => {
                let task = self
                    .membership(p.machine)
                    .and_then(|ms| self.swarm(ms.cluster))
                    .and_then(|s| {
                        s.tasks
                            .values()
                            .find(|t| t.container_id.as_deref() == Some(p.container.as_str()))
                    })
                    .map(|t| t.container_name());
                let via = if task.is_none() || matches!(host, "localhost" | "127.0.0.1" | "::1") {
                    "container"
                } else if self.machine_by_name(host).is_some()
                    || host
                        .parse::<Ipv4Addr>()
                        .ok()
                        .is_some_and(|a| self.machine_by_ip(a).is_some())
                {
                    "mesh"
                } else if host.starts_with("tasks.") {
                    "task"
                } else {
                    "vip"
                };
                (task, Some(p.machine), via)
            }
            Err(_) => (None, None, "none"),
        };
        let outcome = match r {
            Ok(_) => "connected",
            Err(ConnectError::NameNotFound) => "could not resolve",
            Err(ConnectError::Refused) => "refused",
            Err(ConnectError::Unreachable) => "timeout",
        }
        .to_string();
        self.push_traffic(
            "connect",
            TrafficEvent {
                seq: 0,
                at: SimTime::ZERO,
                from,
                host: host.to_string(),
                port,
                via,
                task,
                to,
                outcome,
            },
        );
    }

    /// One redis command from container `id` to the redis at `host:port`.
    pub fn app_redis(
        &mut self,
        m: MachineId,
        id: &str,
        host: &str,
        port: u16,
        args: &[&str],
    ) -> Result<RedisReply, ConnectError> {
        let peer = self.app_connect(m, id, host, port)?;
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        self.redis_command(peer.machine, &peer.container, &args)
            .ok_or(ConnectError::Refused)
    }

    fn env_of(&self, m: MachineId, id: &str, name: &str) -> Option<String> {
        self.container(m, id)?
            .program
            .env_var(name)
            .filter(|v| !v.is_empty())
    }

    fn app_proc(&self, m: MachineId, id: &str) -> crate::apps::AppProc {
        self.container(m, id)
            .map(|c| c.proc.app.clone())
            .unwrap_or_default()
    }

    fn set_app_proc(&mut self, m: MachineId, id: &str, p: AppProc) {
        if let Some(c) = self.ctr_mut(m, id) {
            c.proc.app = p;
        }
    }

    fn log(&mut self, m: MachineId, id: &str, stream: Stream, text: &str) {
        self.container_log_append(m, id, stream, text);
    }

    // -------------------------------------------------------------------------------------
    // Postgres tables
    // -------------------------------------------------------------------------------------

    fn pg_dir(&self, m: MachineId, id: &str) -> String {
        self.container(m, id)
            .and_then(|c| c.program.data().map(|d| d.dir.clone()))
            .unwrap_or_else(|| "/var/lib/postgresql/data".to_string())
    }

    /// The rows of `table` in database `db` of the postgres server in container `id` on `m`;
    /// `None` when the table does not exist.
    pub fn pg_rows(
        &self,
        m: MachineId,
        id: &str,
        db: &str,
        table: &str,
    ) -> Option<Vec<Vec<String>>> {
        let path = format!("{}/base/{db}/{table}", self.pg_dir(m, id));
        let text = self.container_read(m, id, &path).ok()?;
        Some(table_rows(&String::from_utf8_lossy(&text)))
    }

    /// The tables of database `db` of the postgres server in container `id`, each with its
    /// columns and rows, sorted by name (what `psql` shows).
    pub fn pg_tables(
        &self,
        m: MachineId,
        id: &str,
        db: &str,
    ) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
        let dir = format!("{}/base/{db}", self.pg_dir(m, id));
        let mut out = Vec::new();
        for (name, meta) in self.container_list(m, id, &dir).unwrap_or_default() {
            if !meta.is_file() {
                continue;
            }
            let Ok(text) = self.container_read(m, id, &format!("{dir}/{name}")) else {
                continue;
            };
            let text = String::from_utf8_lossy(&text);
            let header = text.lines().next().unwrap_or_default();
            let columns = header
                .split_once('(')
                .map(|(_, c)| c.trim_end_matches(')'))
                .unwrap_or_default()
                .split(", ")
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            out.push((name, columns, table_rows(&text)));
        }
        out.sort();
        out
    }

    /// Writes `table` (its columns and rows) in database `db` of the server in container `id`.
    pub(crate) fn pg_write(
        &mut self,
        m: MachineId,
        id: &str,
        db: &str,
        table: &str,
        columns: &[&str],
        rows: &[Vec<String>],
    ) {
        let dir = format!("{}/base/{db}", self.pg_dir(m, id));
        let _ = self.container_mkdir(m, id, &dir, true);
        let text = table_text(&format!("TABLE {table}"), columns, rows);
        let _ = self.container_write(m, id, &format!("{dir}/{table}"), text.as_bytes(), false);
    }

    /// Checks a login against the server in container `id`: `Err` is the server's message.
    fn pg_login(
        &self,
        m: MachineId,
        id: &str,
        user: &str,
        password: Option<&str>,
    ) -> Result<(), String> {
        let trust = self
            .env_of(m, id, "POSTGRES_HOST_AUTH_METHOD")
            .is_some_and(|v| v.eq_ignore_ascii_case("trust"));
        match self.env_of(m, id, "POSTGRES_PASSWORD") {
            Some(want) if !trust && password != Some(want.as_str()) => Err(format!(
                "28P01: password authentication failed for user \"{user}\""
            )),
            _ => Ok(()),
        }
    }

    // -------------------------------------------------------------------------------------
    // Dispatch
    // -------------------------------------------------------------------------------------

    /// A run of container `id` started: apps with a life of their own schedule their first
    /// step.
    pub(crate) fn app_started(&mut self, m: MachineId, id: &str) {
        if self.redis_running(m, id) {
            self.redis_started(m, id);
            return;
        }
        let Some(c) = self.container(m, id) else {
            return;
        };
        let Some(kind) = c.program.app_kind() else {
            return;
        };
        let first = match kind {
            "worker" | "result" | "counter" => c.program.startup_ms(),
            _ => return,
        };
        self.schedule_app_step(m, id, first);
    }

    /// A redis server's next replication step (see [`crate::redis_repl`]).
    pub(crate) fn schedule_redis_step(&mut self, m: MachineId, id: &str, after_ms: u64) {
        self.schedule_app_step(m, id, after_ms);
    }

    fn schedule_app_step(&mut self, m: MachineId, id: &str, after_ms: u64) {
        let now = self.now();
        let Some(c) = self.ctr_mut(m, id) else {
            return;
        };
        let at = now + crate::time::SimDuration::from_millis(after_ms);
        if c.proc.app.next_step.is_some_and(|t| t <= at) {
            return;
        }
        c.proc.app.next_step = Some(at);
        let generation = c.generation;
        self.schedule_timer(m, id, after_ms, Timer::App { generation });
    }

    /// An app's timer fired.
    pub(crate) fn app_timer(&mut self, m: MachineId, id: &str) {
        let now = self.now();
        let Some(c) = self.container(m, id) else {
            return;
        };
        if c.proc.app.next_step != Some(now) {
            return;
        }
        if self.redis_running(m, id) {
            if let Some(c) = self.ctr_mut(m, id) {
                c.proc.app.next_step = None;
            }
            self.redis_step(m, id);
            return;
        }
        let Some(kind) = c.program.app_kind().map(str::to_string) else {
            return;
        };
        if let Some(c) = self.ctr_mut(m, id) {
            c.proc.app.next_step = None;
        }
        match kind.as_str() {
            "worker" => self.worker_step(m, id),
            "result" => self.result_step(m, id),
            "counter" => self.counter_banner(m, id),
            _ => {}
        }
    }

    /// A request from the network to an app's container (see [`World::container_serve`]).
    pub(crate) fn app_serve(
        &mut self,
        m: MachineId,
        id: &str,
        kind: &str,
        req: &HttpRequest,
    ) -> Option<HttpReply> {
        let now = self.now();
        let c = self.container(m, id)?;
        if !c.is_running()
            || c.uptime_ms(now) < c.program.startup_ms()
            || !c.program.ports().contains(&req.port)
        {
            return None;
        }
        let served = match kind {
            "counter" => Some(self.counter_serve(m, id, req)),
            "todo" => Some(self.todo_serve(m, id, req)),
            "vote" => self.vote_serve(m, id, req),
            "result" => self.result_serve(m, id, req),
            "registry" => Some(self.registry_serve(m, id, req)),
            "gallery" => self.gallery_serve(m, id, req),
            "iotd" => self.iotd_serve(m, id, req),
            _ => self.static_serve(m, id, req),
        };
        let (reply, logs) = served?;
        if let Some(c) = self.ctr_mut(m, id) {
            c.proc.app.served += 1;
        }
        for (stream, line) in logs {
            self.log(m, id, stream, &line);
        }
        Some(reply)
    }

    /// The image's own routes (what a program without app logic answers).
    fn static_serve(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> Option<Served> {
        let c = self.ctr_mut(m, id)?;
        let mut proc = c.proc.clone();
        let exchange = c.program.handle(&mut proc, req);
        c.proc = proc;
        exchange.map(|e| (e.reply, e.logs))
    }

    // -------------------------------------------------------------------------------------
    // image gallery (diamol ch09: iotd, accesslog, image-gallery)
    // -------------------------------------------------------------------------------------

    /// The image-of-the-day API: its first `/image` fetches from NASA (and logs it), later
    /// ones come from its cache (`CacheService`), logged at debug level only.
    fn iotd_serve(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> Option<Served> {
        let (reply, mut logs) = self.static_serve(m, id, req)?;
        if route(req) == "/image" && reply.status == 200 {
            let c = self.ctr_mut(m, id)?;
            if c.proc.app.cached {
                logs.clear();
            }
            c.proc.app.cached = true;
        }
        Some((reply, logs))
    }

    /// The Go image gallery (`ch09/exercises/image-gallery/main.go`): every request but
    /// `/metrics` GETs `$IMAGE_API_URL`, renders `index.html` with the JSON it got, then POSTs
    /// the client's address to `$ACCESS_API_URL`, both through the container's network. The
    /// handler ignores errors: a call that gets no response dereferences a nil response, and
    /// net/http logs the panic and drops the connection (curl: `Empty reply from server`).
    fn gallery_serve(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> Option<Served> {
        if route(req) == "/metrics" {
            return self.static_serve(m, id, req);
        }
        let served = self.container(m, id)?.proc.app.served;
        let remote = crate::catalog::remote_addr(
            req.client,
            served,
            id.as_bytes().get(..12).unwrap_or(id.as_bytes()),
        );
        let image_url = self.env_of(m, id, "IMAGE_API_URL").unwrap_or_default();
        let log_url = self.env_of(m, id, "ACCESS_API_URL").unwrap_or_default();
        let got = self.app_http(m, id, "GET", &image_url, "");
        let Some(image) = got else {
            return Some(go_panic(req, &remote, 38));
        };
        let field = |k: &str| -> String {
            serde_json::from_str::<serde_json::Value>(&image)
                .ok()
                .and_then(|v| v.get(k).and_then(|x| x.as_str()).map(str::to_string))
                .unwrap_or_default()
        };
        let page = gallery_page(&field("url"), &field("caption"), &field("copyright"));
        let body = serde_json::json!({ "clientIp": remote }).to_string();
        if self.app_http(m, id, "POST", &log_url, &body).is_none() {
            return Some(go_panic(req, &remote, 49));
        }
        Some((reply(200, "text/html; charset=utf-8", page), Vec::new()))
    }

    /// One HTTP call by an app's client from container `id`, resolved and routed as curl's
    /// from that container; the body of the response, `None` when there was none.
    fn app_http(
        &mut self,
        m: MachineId,
        id: &str,
        method: &str,
        url: &str,
        body: &str,
    ) -> Option<String> {
        thread_local! {
            static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        }
        let rest = url.strip_prefix("http://")?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, 80),
        };
        // An app that calls itself (a gallery whose API is its own address) gives up.
        if DEPTH.with(|d| d.get()) >= 4 {
            return None;
        }
        let call = crate::network::HttpCall {
            method: method.to_string(),
            path: path.to_string(),
            body: body.to_string(),
            headers: vec![
                ("User-Agent".into(), "Go-http-client/1.1".into()),
                ("Content-Type".into(), "application/json".into()),
            ],
            tls: false,
        };
        DEPTH.with(|d| d.set(d.get() + 1));
        let r = self.http_request(m, Some(id), host, port, &call);
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        r.ok().map(|o| o.reply.body)
    }

    // -------------------------------------------------------------------------------------
    // counter
    // -------------------------------------------------------------------------------------

    /// Flask's start-up banner, with the container's address.
    fn counter_banner(&mut self, m: MachineId, id: &str) {
        let Some(c) = self.container(m, id) else {
            return;
        };
        let port = c.program.ports().first().copied().unwrap_or(8000);
        let app = self
            .env_of(m, id, "FLASK_APP")
            .unwrap_or_else(|| "app.py".into());
        // The address on its own network (the last one: ingress comes first).
        let addr = c.config.addresses.last().cloned();
        let mut err = vec![
            "WARNING: This is a development server. Do not use it in a production deployment. Use a production WSGI server instead.".to_string(),
            " * Running on all addresses (0.0.0.0)".to_string(),
            format!(" * Running on http://127.0.0.1:{port}"),
        ];
        if let Some(a) = addr {
            err.push(format!(" * Running on http://{a}:{port}"));
        }
        err.push("Press CTRL+C to quit".to_string());
        self.log(
            m,
            id,
            Stream::Stdout,
            &format!(" * Serving Flask app '{app}'"),
        );
        self.log(m, id, Stream::Stdout, " * Debug mode: off");
        for l in err {
            self.log(m, id, Stream::Stderr, &l);
        }
    }

    fn counter_serve(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> Served {
        let now = self.now().unix_ms();
        let access = |status: u16| {
            (
                Stream::Stderr,
                format!(
                    "{} - - [{}] \"{} {} HTTP/1.1\" {status} -",
                    client_ip(req),
                    werkzeug_time(now),
                    req.method,
                    req.path
                ),
            )
        };
        let html = "text/html; charset=utf-8";
        if route(req) != "/" {
            return (reply(404, html, werkzeug_page(404)), vec![access(404)]);
        }
        if !matches!(req.method, "GET" | "HEAD" | "OPTIONS") {
            return (reply(405, html, werkzeug_page(405)), vec![access(405)]);
        }
        let host = self
            .env_of(m, id, "REDIS_HOST")
            .unwrap_or_else(|| "redis".into());
        let port = self
            .env_of(m, id, "REDIS_PORT")
            .and_then(|p| p.parse().ok())
            .unwrap_or(6379);
        let last = match self.app_redis(m, id, &host, port, &["INCR", "hits"]) {
            Ok(RedisReply::Int(n)) => {
                return (
                    reply(
                        200,
                        html,
                        format!("Hello World! I have been seen {n} times.\n"),
                    ),
                    vec![access(200)],
                );
            }
            Ok(RedisReply::Error(e)) => format!("redis.exceptions.ResponseError: {e}"),
            Ok(_) => "redis.exceptions.ResponseError: unexpected reply".to_string(),
            Err(e) => redis_py_error(e, &host, port),
        };
        let mut logs = vec![(
            Stream::Stderr,
            format!(
                "[{}] ERROR in app: Exception on / [{}]",
                py_time(now),
                req.method
            ),
        )];
        let frames = [
            ("/code/app.py", 23, "hello", "count = get_hit_count()"),
            ("/code/app.py", 17, "get_hit_count", "raise exc"),
            (
                "/code/app.py",
                13,
                "get_hit_count",
                "return cache.incr('hits')",
            ),
        ];
        logs.extend(
            flask_traceback("/code/app.py", &frames, &last)
                .into_iter()
                .map(|l| (Stream::Stderr, l)),
        );
        logs.push(access(500));
        (reply(500, html, werkzeug_page(500)), logs)
    }

    /// A built web app's reply with its redis work done: the route's commands run in order
    /// (`Route::redis`, a Flask view's `r.get`/`r.set`/`r.incr`…) and their replies put in
    /// the body as Python would render them (`{r:I|FORM}` as `str()`, `{rj:I|FORM}` as a
    /// JSON value; FORM `raw`, `or0` (`x or 0`), `int` (`int(x)`), `int0` (`int(x or 0)`),
    /// `str` (`str(x)`)),
    /// then each `{incr:KEY}` counted (`INCR KEY`, [`crate::catalog::Program::redis_use`]).
    /// When redis fails, or Python does with a reply (`int(None)`, `bytes` in JSON), Flask's
    /// 500 page and the exception in the log (an Express app's 500 page).
    pub(crate) fn redis_counts(
        &mut self,
        m: MachineId,
        id: &str,
        req: &HttpRequest,
        mut ex: crate::catalog::HttpExchange,
    ) -> crate::catalog::HttpExchange {
        let Some(r) = self
            .container(m, id)
            .and_then(|c| c.program.redis_use(req.method, req.path))
        else {
            return ex;
        };
        let mut replies = Vec::new();
        for call in &r.calls {
            let args: Vec<&str> = call.cmd.iter().map(String::as_str).collect();
            let last = match self.app_redis(m, id, &r.host, r.port, &args) {
                Ok(RedisReply::Error(e)) => format!("redis.exceptions.ResponseError: {e}"),
                Ok(reply) => {
                    replies.push(reply);
                    continue;
                }
                Err(e) => redis_py_error(e, &r.host, r.port),
            };
            return self.flask_500(m, id, req, ex, &r, &call.trace, &last);
        }
        if !replies.is_empty() {
            let body = std::mem::take(&mut ex.reply.body);
            match py_fill(&body, &replies, r.decode) {
                Ok(b) => ex.reply.body = b,
                Err((i, last)) => {
                    let trace = r.calls.get(i).map(|c| c.trace.clone()).unwrap_or_default();
                    return self.flask_500(m, id, req, ex, &r, &trace, &last);
                }
            }
        }
        if !ex.reply.body.contains("{incr:") {
            return ex;
        }
        let body = std::mem::take(&mut ex.reply.body);
        let mut rest = body.as_str();
        while let Some((i, j)) = rest
            .find("{incr:")
            .and_then(|i| Some((i, i + rest[i..].find('}')?)))
        {
            ex.reply.body.push_str(&rest[..i]);
            let last = match self.app_redis(m, id, &r.host, r.port, &["INCR", &rest[i + 6..j]]) {
                Ok(RedisReply::Int(n)) => {
                    ex.reply.body.push_str(&n.to_string());
                    rest = &rest[j + 1..];
                    continue;
                }
                Ok(RedisReply::Error(e)) => format!("redis.exceptions.ResponseError: {e}"),
                Ok(_) => "redis.exceptions.ResponseError: unexpected reply".to_string(),
                Err(e) => redis_py_error(e, &r.host, r.port),
            };
            let trace = r.trace.clone();
            return self.flask_500(m, id, req, ex, &r, &trace, &last);
        }
        ex.reply.body.push_str(rest);
        ex
    }

    /// A built Flask app's reply from its view ([`crate::pyeval`]): the module's state from
    /// the container's process (kept for the next request), the request as Flask sees it,
    /// redis commands run through the apps' client path. An exception is Flask's 500 page
    /// with `ERROR in app` and the traceback in the log; werkzeug's HTTP errors (`abort`, a
    /// missing form key, a body that is not JSON) their own page. The access line ends the
    /// request's log, with the status.
    pub(crate) fn py_serve(
        &mut self,
        m: MachineId,
        id: &str,
        req: &HttpRequest,
        mut ex: crate::catalog::HttpExchange,
        view: crate::catalog::PyView,
    ) -> crate::catalog::HttpExchange {
        use crate::pyeval;
        let globals = self.container(m, id).and_then(|c| c.proc.app.py.clone());
        let (path, query) = req.path.split_once('?').unwrap_or((req.path, ""));
        let mut headers = vec![("Host".to_string(), req.host.to_string())];
        if !req.user_agent.is_empty() {
            headers.push(("User-Agent".to_string(), req.user_agent.to_string()));
        }
        headers.extend(req.headers.iter().cloned());
        let request = pyeval::Request {
            method: req.method.to_string(),
            path: if path.is_empty() {
                "/".into()
            } else {
                path.to_string()
            },
            query: query.split('#').next().unwrap_or("").to_string(),
            body: req.body.to_string(),
            headers,
            remote_addr: client_ip(req),
        };
        let app = pyeval::App {
            source: &view.source,
            main: view.main,
            debug: view.debug,
            name: &view.module,
        };
        let mut host = PyHost {
            world: self,
            m,
            id,
            now: req.now_unix_ms,
        };
        let out = pyeval::run_view(&app, globals, &view.view, view.args, &request, &mut host);
        if let Some(c) = self.ctr_mut(m, id) {
            c.proc.app.py = Some(out.globals);
        }
        let mut logs: Vec<(Stream, String)> = out
            .stdout
            .into_iter()
            .map(|l| (Stream::Stdout, l))
            .collect();
        let html = "text/html; charset=utf-8";
        ex.reply = match out.result {
            Ok(r) => HttpReply {
                status: r.status,
                body: r.body,
                content_type: r.content_type,
                headers: r.headers,
            },
            Err(e) if e.http.is_some() => {
                let code = e.http.unwrap_or(500);
                reply(code, html, werkzeug_page(code))
            }
            Err(e) => {
                let now = self.now().unix_ms();
                let py = self
                    .env_of(m, id, "PYTHON_VERSION")
                    .and_then(|v| Some(format!("python{}", v.rsplit_once('.')?.0)));
                logs.push((
                    Stream::Stderr,
                    format!(
                        "[{}] ERROR in app: Exception on {} [{}]",
                        py_time(now),
                        route(req),
                        req.method
                    ),
                ));
                let frames: Vec<(&str, u32, &str, &str)> =
                    e.tb.iter()
                        .map(|(l, f, c)| (view.file.as_str(), *l, f.as_str(), c.as_str()))
                        .collect();
                for l in flask_traceback(&view.file, &frames, &e.line()) {
                    let l = match &py {
                        Some(py) => l.replace("python3.12", py),
                        None => l,
                    };
                    logs.push((Stream::Stderr, l));
                }
                reply(500, html, werkzeug_page(500))
            }
        };
        logs.push((
            Stream::Stderr,
            format!(
                "{} - - [{}] \"{} {} HTTP/1.1\" {} -",
                client_ip(req),
                werkzeug_time(req.now_unix_ms),
                req.method,
                req.path,
                ex.reply.status
            ),
        ));
        ex.logs = logs;
        ex
    }

    /// A built app's 500 for exception `last` raised at `trace` (the script's frames):
    /// Flask's page and its log (the access line included); Express's page.
    #[allow(clippy::too_many_arguments)]
    fn flask_500(
        &self,
        m: MachineId,
        id: &str,
        req: &HttpRequest,
        mut ex: crate::catalog::HttpExchange,
        r: &crate::catalog::RedisUse,
        trace: &[(u32, String, String)],
        last: &str,
    ) -> crate::catalog::HttpExchange {
        if r.file.is_empty() {
            let page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Internal Server Error</pre>\n</body>\n</html>\n";
            ex.reply = reply(500, "text/html; charset=utf-8", page.into());
            return ex;
        }
        let now = self.now().unix_ms();
        let py = self
            .env_of(m, id, "PYTHON_VERSION")
            .and_then(|v| Some(format!("python{}", v.rsplit_once('.')?.0)));
        let frames: Vec<(&str, u32, &str, &str)> = trace
            .iter()
            .map(|(l, f, c)| (r.file.as_str(), *l, f.as_str(), c.as_str()))
            .collect();
        let mut logs = vec![format!(
            "[{}] ERROR in app: Exception on {} [{}]",
            py_time(now),
            route(req),
            req.method
        )];
        logs.extend(
            flask_traceback(&r.file, &frames, last)
                .into_iter()
                .map(|l| match &py {
                    Some(py) => l.replace("python3.12", py),
                    None => l,
                }),
        );
        logs.push(format!(
            "{} - - [{}] \"{} {} HTTP/1.1\" 500 -",
            client_ip(req),
            werkzeug_time(now),
            req.method,
            req.path
        ));
        ex.reply = reply(500, "text/html; charset=utf-8", werkzeug_page(500));
        ex.logs = logs.into_iter().map(|l| (Stream::Stderr, l)).collect();
        ex
    }

    // -------------------------------------------------------------------------------------
    // todo
    // -------------------------------------------------------------------------------------

    /// The to-do list's configuration documents: appsettings.json, then the config and the
    /// secret files when they are there and parse.
    fn todo_config(&self, m: MachineId, id: &str) -> Vec<serde_json::Value> {
        let mut docs = vec![serde_json::json!({
            "Database": { "Provider": "Sqlite" },
            "ConnectionStrings": { "ToDoDb": "Filename=/data/todo-list.db" }
        })];
        for f in ["/app/config/config.json", "/app/config/secrets.json"] {
            if let Ok(bytes) = self.container_read(m, id, f) {
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    docs.push(v);
                }
            }
        }
        docs
    }

    /// Where the to-do list of container `id` keeps its items, or the exception it throws.
    fn todo_store(&mut self, m: MachineId, id: &str) -> Result<TodoStore, Vec<String>> {
        let docs = self.todo_config(m, id);
        let provider = config_value(&docs, "Database:Provider").unwrap_or_default();
        let cs = config_value(&docs, "ConnectionStrings:ToDoDb").unwrap_or_default();
        if provider.eq_ignore_ascii_case("sqlite") {
            let path = cs
                .split(';')
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    matches!(
                        k.trim().to_ascii_lowercase().as_str(),
                        "filename" | "data source" | "datasource"
                    )
                    .then(|| v.trim().to_string())
                })
                .unwrap_or_default();
            if !path.starts_with('/') {
                return Err(vec![
                    "System.ArgumentException: Connection string keyword 'filename' is not supported. For a possible alternative, see https://go.microsoft.com/fwlink/?linkid=2142181.".to_string(),
                ]);
            }
            return Ok(TodoStore::Sqlite(path));
        }
        if !provider.eq_ignore_ascii_case("postgres") {
            return Err(vec![
                "System.NotSupportedException: Supported providers: Sqlite and Posgtres"
                    .to_string(),
            ]);
        }
        let conn = parse_npgsql(&cs).map_err(|e| {
            vec![
                e,
                "   at Npgsql.NpgsqlConnectionStringBuilder.GetProperty(String keyword)".into(),
                "   at Npgsql.NpgsqlConnectionStringBuilder.set_Item(String keyword, Object value)".into(),
                "   at System.Data.Common.DbConnectionStringBuilder.set_ConnectionString(String value)".into(),
                "   at Npgsql.NpgsqlConnection.GetPoolAndSettings()".into(),
                "   at Npgsql.NpgsqlConnection.set_ConnectionString(String value)".into(),
                "   at Npgsql.NpgsqlConnection..ctor(String connectionString)".into(),
                "   at Npgsql.EntityFrameworkCore.PostgreSQL.Storage.Internal.NpgsqlRelationalConnection.CreateDbConnection()".into(),
            ]
        })?;
        let peer = match self.app_connect(m, id, &conn.host, conn.port) {
            Ok(p) => p,
            Err(e) => {
                let mut lines = vec![
                    "Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException: Maximum number of retries (6) exceeded while executing database operations with 'NpgsqlRetryingExecutionStrategy'. See inner exception for the most recent failure.".to_string(),
                ];
                let mut inner = npgsql_error(e);
                if let Some(first) = inner.first_mut() {
                    *first = format!(" ---> {first}");
                }
                lines.extend(inner);
                lines.push("   --- End of inner exception stack trace ---".into());
                lines.push("   at Npgsql.EntityFrameworkCore.PostgreSQL.Storage.Internal.NpgsqlExecutionStrategy.Execute[TState,TResult](TState state, Func`3 operation, Func`3 verifySucceeded)".into());
                lines.push("   at Microsoft.EntityFrameworkCore.Storage.RelationalDatabaseCreator.EnsureCreated()".into());
                lines.push(
                    "   at ToDoList.Model.ToDoContext..ctor(DbContextOptions options)".into(),
                );
                return Err(lines);
            }
        };
        if let Err(msg) = self.pg_login(
            peer.machine,
            &peer.container,
            &conn.user,
            conn.password.as_deref(),
        ) {
            return Err(vec![
                format!("Npgsql.PostgresException (0x80004005): {msg}"),
                "   at Npgsql.NpgsqlConnector.<>c__DisplayClass160_0.<<DoReadMessage>g__ReadMessageLong|0>d.MoveNext()".into(),
            ]);
        }
        Ok(TodoStore::Postgres(
            peer.machine,
            peer.container,
            conn.database,
        ))
    }

    fn todo_read(&self, m: MachineId, id: &str, store: &TodoStore) -> Vec<Vec<String>> {
        match store {
            TodoStore::Sqlite(path) => self
                .container_read(m, id, path)
                .map(|b| table_rows(&String::from_utf8_lossy(&b)))
                .unwrap_or_default(),
            TodoStore::Postgres(pm, pc, db) => {
                self.pg_rows(*pm, pc, db, "ToDos").unwrap_or_default()
            }
        }
    }

    fn todo_write(&mut self, m: MachineId, id: &str, store: &TodoStore, rows: &[Vec<String>]) {
        const COLUMNS: [&str; 3] = ["ToDoId", "Item", "DateAdded"];
        match store {
            TodoStore::Sqlite(path) => {
                if let Some((dir, _)) = path.rsplit_once('/') {
                    if !dir.is_empty() {
                        let _ = self.container_mkdir(m, id, dir, true);
                    }
                }
                let text = table_text("SQLite format 3: ToDos", &COLUMNS, rows);
                let _ = self.container_write(m, id, path, text.as_bytes(), false);
            }
            TodoStore::Postgres(pm, pc, db) => {
                let (pm, pc, db) = (*pm, pc.clone(), db.clone());
                self.pg_write(pm, &pc, &db, "ToDos", &COLUMNS, rows);
            }
        }
    }

    fn rows_to_items(rows: &[Vec<String>]) -> Vec<TodoItem> {
        rows.iter()
            .filter_map(|r| {
                Some(TodoItem {
                    id: r.first()?.parse().ok()?,
                    item: r.get(1)?.clone(),
                    date_added: r
                        .get(2)
                        .and_then(|d| d.parse::<i64>().ok())
                        .map(long_date)
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The to-do items that the list page of container `id` on `m` shows now (connecting to
    /// its database as a request would), or the exception's first line.
    pub fn todo_items(&mut self, m: MachineId, id: &str) -> Result<Vec<TodoItem>, String> {
        let store = self
            .todo_store(m, id)
            .map_err(|e| e.first().cloned().unwrap_or_default())?;
        Ok(Self::rows_to_items(&self.todo_read(m, id, &store)))
    }

    /// The to-do items of a service (`todo_todo-web`), as its page shows them through the
    /// service's load balancer: `Err` when no task serves, or the page fails.
    pub fn service_todo_items(
        &mut self,
        from: MachineId,
        service: &str,
    ) -> Result<Vec<TodoItem>, String> {
        let cluster = self
            .membership(from)
            .map(|ms| ms.cluster)
            .ok_or_else(|| "This node is not a swarm manager.".to_string())?;
        let svc = self
            .swarm(cluster)
            .ok_or_else(|| "no swarm".to_string())?
            .find_service(service)?
            .id
            .clone();
        let task = self
            .balance(cluster, &svc)
            .ok_or_else(|| "no task is serving".to_string())?;
        let (tm, cid) = {
            let s = self.swarm(cluster).ok_or_else(|| "no swarm".to_string())?;
            let t = s.tasks.get(&task).ok_or_else(|| "no task".to_string())?;
            let tm = t
                .node_id
                .as_ref()
                .and_then(|n| s.nodes.get(n))
                .map(|n| n.machine)
                .ok_or_else(|| "no node".to_string())?;
            (
                tm,
                t.container_id
                    .clone()
                    .ok_or_else(|| "no container".to_string())?,
            )
        };
        self.todo_items(tm, &cid)
    }

    fn todo_serve(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> Served {
        let html = "text/html; charset=utf-8";
        let path = route(req).to_ascii_lowercase();
        let last = path.rsplit('/').next().unwrap_or("");
        if last.contains('.') || path.starts_with("/_framework") || path.starts_with("/_blazor") {
            return (reply(404, "", String::new()), Vec::new());
        }
        let page_needs_db = matches!(path.as_str(), "/" | "/list" | "/new");
        if !page_needs_db {
            let body = if path == "/diagnostics" {
                let host = self
                    .container(m, id)
                    .map(|c| c.program.hostname().to_string())
                    .unwrap_or_default();
                format!("<h1>Diagnostics</h1>\n<table class=\"table\">\n    <thead>\n        <tr>\n            <th>Hostname</th>\n            <th>.NET Version</th>\n            <th>OS Architecture</th>\n            <th>OS Description</th>\n        </tr>\n    </thead>\n    <tbody>\n        <tr>\n            <td>{host}</td>\n            <td>.NET Core 3.0.1</td>\n            <td>X64</td>\n            <td>Linux 5.15.0-91-generic #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023</td>\n        </tr>\n    </tbody>\n</table>\n")
            } else {
                "<p>Sorry, there's nothing at this address.</p>\n".to_string()
            };
            return (reply(200, html, todo_page(&body)), Vec::new());
        }
        let store = match self.todo_store(m, id) {
            Ok(s) => s,
            Err(exception) => {
                return (reply(500, "", String::new()), aspnet_unhandled(&exception));
            }
        };
        let mut rows = self.todo_read(m, id, &store);
        if path == "/new" {
            if req.method != "POST" {
                return (
                    reply(200, html, todo_page(&todo_new_html("", None))),
                    Vec::new(),
                );
            }
            let form = form_decode(req.body);
            let text = form
                .iter()
                .find(|(k, _)| {
                    let k = k.to_ascii_lowercase();
                    k == "item" || k.ends_with(".item")
                })
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let error = if text.trim().is_empty() {
                Some("The Item field is required.")
            } else if text.chars().count() > 256 {
                Some("Item is too big")
            } else {
                None
            };
            if let Some(e) = error {
                return (
                    reply(200, html, todo_page(&todo_new_html(&text, Some(e)))),
                    Vec::new(),
                );
            }
            if rows.len() < MAX_TABLE_ROWS {
                let next = rows
                    .iter()
                    .filter_map(|r| r.first()?.parse::<u64>().ok())
                    .max()
                    .unwrap_or(0)
                    + 1;
                let day = self.now().unix_ms().div_euclid(86_400_000) * 86_400_000;
                rows.push(vec![next.to_string(), text, day.to_string()]);
                self.todo_write(m, id, &store, &rows);
            }
            let mut r = reply(302, "", String::new());
            r.headers.push(("Location".into(), "/list".into()));
            return (r, Vec::new());
        }
        if req.method == "POST" {
            return (reply(400, "", String::new()), Vec::new());
        }
        let items = Self::rows_to_items(&rows);
        (
            reply(200, html, todo_page(&todo_list_html(&items))),
            Vec::new(),
        )
    }

    // -------------------------------------------------------------------------------------
    // vote
    // -------------------------------------------------------------------------------------

    fn vote_serve(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> Option<Served> {
        if route(req) != "/" {
            return self.static_serve(m, id, req);
        }
        if !matches!(req.method, "GET" | "POST" | "HEAD") {
            let now = self.now().unix_ms();
            let html = "text/html; charset=utf-8";
            let body = werkzeug_page(405);
            let log = (
                Stream::Stdout,
                format!(
                    "{} - - [{}] \"{} {} HTTP/1.1\" 405 {} \"-\" \"{}\"",
                    client_ip(req),
                    now_access(now),
                    req.method,
                    req.path,
                    body.len(),
                    req.user_agent
                ),
            );
            return Some((reply(405, html, body), vec![log]));
        }
        let voter = match cookie(req, "voter_id") {
            Some(v) => v,
            None => {
                let n = self.rng("voters").next_u64();
                let hex = format!("{n:x}");
                hex[..hex.len() - 1].to_string()
            }
        };
        let proc = self.app_proc(m, id);
        let pid = 7 + proc.served % 4;
        let now = self.now().unix_ms();
        let mut logs = Vec::new();
        let mut vote = None;
        if req.method == "POST" {
            let form = form_decode(req.body);
            let Some((_, v)) = form.iter().find(|(k, _)| k == "vote") else {
                let html = "text/html; charset=utf-8";
                let body = werkzeug_page(400);
                let log = (
                    Stream::Stdout,
                    format!(
                        "{} - - [{}] \"POST {} HTTP/1.1\" 400 {} \"-\" \"{}\"",
                        client_ip(req),
                        now_access(now),
                        req.path,
                        body.len(),
                        req.user_agent
                    ),
                );
                return Some((reply(400, html, body), vec![log]));
            };
            logs.push((
                Stream::Stderr,
                format!(
                    "[{}] [{pid}] [INFO] Received vote for {v}",
                    gunicorn_time(now)
                ),
            ));
            let data = format!(
                "{{\"voter_id\": {}, \"vote\": {}}}",
                serde_json::Value::String(voter.clone()),
                serde_json::Value::String(v.clone())
            );
            match self.app_redis(m, id, "redis", 6379, &["RPUSH", "votes", &data]) {
                Ok(RedisReply::Int(_)) => {
                    self.wake_workers();
                    vote = Some(v.clone());
                }
                other => {
                    let last = match other {
                        Err(e) => redis_py_error(e, "redis", 6379),
                        Ok(RedisReply::Error(e)) => format!("redis.exceptions.ResponseError: {e}"),
                        Ok(_) => "redis.exceptions.ResponseError: unexpected reply".into(),
                    };
                    logs.push((
                        Stream::Stderr,
                        format!(
                            "[{}] [{pid}] [ERROR] Exception on / [POST]",
                            gunicorn_time(now)
                        ),
                    ));
                    let frames = [(
                        "/usr/local/app/app.py",
                        39,
                        "hello",
                        "redis.rpush('votes', data)",
                    )];
                    for l in flask_traceback("/usr/local/app/app.py", &frames, &last) {
                        logs.push((Stream::Stderr, l));
                    }
                    let body = werkzeug_page(500);
                    logs.push((
                        Stream::Stdout,
                        format!(
                            "{} - - [{}] \"POST {} HTTP/1.1\" 500 {} \"-\" \"{}\"",
                            client_ip(req),
                            now_access(now),
                            req.path,
                            body.len(),
                            req.user_agent
                        ),
                    ));
                    return Some((reply(500, "text/html; charset=utf-8", body), logs));
                }
            }
        }
        let (mut r, mut page_logs) = self.static_serve(m, id, req)?;
        if let Some(v) = &vote {
            let a = self
                .env_of(m, id, "OPTION_A")
                .unwrap_or_else(|| "Cats".into());
            let b = self
                .env_of(m, id, "OPTION_B")
                .unwrap_or_else(|| "Dogs".into());
            let (chosen, other, label) = if v == "b" {
                ("b", "a", b)
            } else {
                ("a", "b", a)
            };
            let script = format!(
                "    <script>\n      var vote = \"{v}\";\n      $(\".{chosen}\").prop('disabled', true);\n      $(\".{chosen}\").html('{label} <i class=\"fa fa-check-circle\"></i>');\n      $(\".{other}\").css('opacity','0.5');\n    </script>\n",
                v = html_escape(v),
                label = html_escape(&label),
            );
            if let Some(i) = r.body.rfind("  </body>") {
                r.body.insert_str(i, &script);
            }
            // The access log line counts the bytes actually sent.
            for (_, l) in page_logs.iter_mut() {
                if let Some(i) = l.find("\" 200 ") {
                    let rest = &l[i + 6..];
                    if let Some(sp) = rest.find(' ') {
                        *l = format!("{}\" 200 {}{}", &l[..i], r.body.len(), &rest[sp..]);
                    }
                }
            }
        }
        r.headers
            .push(("Set-Cookie".into(), format!("voter_id={voter}; Path=/")));
        logs.extend(page_logs);
        Some((r, logs))
    }

    /// Wakes every idle worker: a vote was pushed.
    fn wake_workers(&mut self) {
        let now = self.now();
        let mut due: Vec<(MachineId, String, u64)> = Vec::new();
        for mc in self.machines() {
            for c in self.containers(mc.id) {
                if c.is_running()
                    && c.program.app_kind() == Some("worker")
                    && c.proc.app.phase == AppPhase::Running
                    && c.proc.app.next_step.is_none()
                {
                    let up = c.uptime_ms(now);
                    let wait = WORKER_POLL_MS - up % WORKER_POLL_MS;
                    due.push((mc.id, c.id.clone(), wait));
                }
            }
        }
        for (m, id, wait) in due {
            self.schedule_app_step(m, &id, wait);
        }
    }

    // -------------------------------------------------------------------------------------
    // worker
    // -------------------------------------------------------------------------------------

    fn db_host(&self, m: MachineId, id: &str) -> String {
        self.env_of(m, id, "POSTGRES_HOST")
            .unwrap_or_else(|| "db".into())
    }

    /// Opens the worker's or the result's database connection: the server, or nothing.
    fn open_db(&mut self, m: MachineId, id: &str) -> Option<Peer> {
        let host = self.db_host(m, id);
        let peer = self.app_connect(m, id, &host, 5432).ok()?;
        self.pg_login(peer.machine, &peer.container, "postgres", Some("postgres"))
            .ok()?;
        Some(peer)
    }

    fn worker_step(&mut self, m: MachineId, id: &str) {
        let mut p = self.app_proc(m, id);
        match p.phase {
            AppPhase::Starting | AppPhase::WaitingDb => {
                p.tries += 1;
                let Some(db) = self.open_db(m, id) else {
                    p.phase = AppPhase::WaitingDb;
                    self.set_app_proc(m, id, p);
                    self.log(m, id, Stream::Stderr, "Waiting for db");
                    self.schedule_app_step(m, id, RETRY_MS);
                    return;
                };
                self.log(m, id, Stream::Stderr, "Connected to db");
                if self
                    .pg_rows(db.machine, &db.container, "postgres", "votes")
                    .is_none()
                {
                    self.pg_write(
                        db.machine,
                        &db.container,
                        "postgres",
                        "votes",
                        &["id", "vote"],
                        &[],
                    );
                }
                self.set_app_proc(m, id, p);
                self.worker_find_redis(m, id);
            }
            AppPhase::WaitingRedis => self.worker_connect_redis(m, id),
            AppPhase::Running => self.worker_poll(m, id),
            AppPhase::GaveUp => {}
        }
    }

    /// `OpenRedisConnection`: resolve the name (a failure ends the process), then connect.
    fn worker_find_redis(&mut self, m: MachineId, id: &str) {
        let host = self
            .env_of(m, id, "REDIS_HOST")
            .unwrap_or_else(|| "redis".into());
        let addr = match self.container_dns(m, id, &host) {
            DnsAnswer::Found(ips) => ips.first().map(|a| a.to_string()),
            _ => None,
        };
        let Some(addr) = addr else {
            for l in [
                "System.AggregateException: One or more errors occurred. (Name or service not known)",
                " ---> System.Net.Sockets.SocketException (0xFFFDFFFE): Name or service not known",
                "   at System.Net.Dns.GetHostEntryOrAddressesCore(String hostName, Boolean justAddresses, AddressFamily addressFamily, Nullable`1 startingTimestamp)",
                "   at System.Net.Dns.<>c.<GetHostEntryOrAddressesCoreAsync>b__33_0(Object s, Int64 startingTimestamp)",
                "   --- End of inner exception stack trace ---",
                "   at System.Threading.Tasks.Task`1.GetResultCore(Boolean waitCompletionNotification)",
                "   at Worker.Program.GetIp(String hostname) in /source/Program.cs:line 131",
                "   at Worker.Program.OpenRedisConnection(String hostname) in /source/Program.cs:line 107",
                "   at Worker.Program.Main(String[] args) in /source/Program.cs:line 21",
            ] {
                self.log(m, id, Stream::Stderr, l);
            }
            self.container_main_exited(m, id, 1);
            return;
        };
        self.log(m, id, Stream::Stdout, &format!("Found redis at {addr}"));
        let mut p = self.app_proc(m, id);
        p.redis_addr = Some(addr);
        p.phase = AppPhase::WaitingRedis;
        self.set_app_proc(m, id, p);
        self.worker_connect_redis(m, id);
    }

    fn worker_connect_redis(&mut self, m: MachineId, id: &str) {
        self.log(m, id, Stream::Stderr, "Connecting to redis");
        let addr = self.app_proc(m, id).redis_addr.unwrap_or_default();
        if self.app_connect(m, id, &addr, 6379).is_err() {
            self.log(m, id, Stream::Stderr, "Waiting for redis");
            self.schedule_app_step(m, id, RETRY_MS);
            return;
        }
        let mut p = self.app_proc(m, id);
        p.phase = AppPhase::Running;
        self.set_app_proc(m, id, p);
        self.schedule_app_step(m, id, WORKER_POLL_MS);
    }

    fn worker_poll(&mut self, m: MachineId, id: &str) {
        let addr = self.app_proc(m, id).redis_addr.unwrap_or_default();
        let json = match self.app_redis(m, id, &addr, 6379, &["LPOP", "votes"]) {
            Ok(RedisReply::Bulk(v)) => v,
            Ok(_) => None,
            Err(_) => {
                self.log(m, id, Stream::Stdout, "Reconnecting Redis");
                self.worker_find_redis(m, id);
                return;
            }
        };
        let Some(json) = json else {
            // Nothing queued: sleep until a vote wakes it.
            return;
        };
        let parsed: Option<(String, String)> = serde_json::from_str::<serde_json::Value>(&json)
            .ok()
            .and_then(|v| {
                let s = |k: &str| {
                    v.get(k).map(|x| match x {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                };
                Some((s("vote")?, s("voter_id")?))
            });
        let (vote, voter) = parsed.unwrap_or_default();
        self.log(
            m,
            id,
            Stream::Stdout,
            &format!("Processing vote for '{vote}' by '{voter}'"),
        );
        match self.open_db(m, id) {
            Some(db) => {
                let mut rows = self
                    .pg_rows(db.machine, &db.container, "postgres", "votes")
                    .unwrap_or_default();
                match rows.iter().position(|r| r.first() == Some(&voter)) {
                    Some(i) => rows[i] = vec![voter, vote],
                    None if rows.len() < MAX_TABLE_ROWS => rows.push(vec![voter, vote]),
                    None => {}
                }
                self.pg_write(
                    db.machine,
                    &db.container,
                    "postgres",
                    "votes",
                    &["id", "vote"],
                    &rows,
                );
                self.schedule_app_step(m, id, WORKER_POLL_MS);
            }
            None => {
                // The connection broke under it: the exception ends the process.
                for l in [
                    "Npgsql.NpgsqlException (0x80004005): Exception while reading from stream",
                    " ---> System.IO.EndOfStreamException: Attempted to read past the end of the stream.",
                    "   at Npgsql.NpgsqlReadBuffer.<>c__DisplayClass41_0.<<Ensure>g__EnsureLong|0>d.MoveNext()",
                    "   --- End of inner exception stack trace ---",
                    "   at Npgsql.NpgsqlCommand.ExecuteNonQuery()",
                    "   at Worker.Program.UpdateVote(NpgsqlConnection connection, String voterId, String vote) in /source/Program.cs:line 152",
                    "   at Worker.Program.Main(String[] args) in /source/Program.cs:line 49",
                ] {
                    self.log(m, id, Stream::Stderr, l);
                }
                self.container_main_exited(m, id, 1);
            }
        }
    }

    // -------------------------------------------------------------------------------------
    // result
    // -------------------------------------------------------------------------------------

    fn result_step(&mut self, m: MachineId, id: &str) {
        let mut p = self.app_proc(m, id);
        if p.phase == AppPhase::Running || p.phase == AppPhase::GaveUp {
            return;
        }
        p.tries += 1;
        if self.open_db(m, id).is_some() {
            p.phase = AppPhase::Running;
            self.set_app_proc(m, id, p);
            self.log(m, id, Stream::Stdout, "Connected to db");
            return;
        }
        self.log(m, id, Stream::Stderr, "Waiting for db");
        if p.tries >= RESULT_DB_TRIES {
            p.phase = AppPhase::GaveUp;
            self.set_app_proc(m, id, p);
            self.log(m, id, Stream::Stderr, "Giving up");
            return;
        }
        p.phase = AppPhase::WaitingDb;
        self.set_app_proc(m, id, p);
        self.schedule_app_step(m, id, RETRY_MS);
    }

    /// The vote counts (a, b) the result app of container `id` shows now.
    pub fn result_counts(&mut self, m: MachineId, id: &str) -> (u64, u64) {
        let mut p = self.app_proc(m, id);
        if p.phase != AppPhase::Running {
            return (0, 0);
        }
        if let Some(db) = self.open_db(m, id) {
            let rows = self
                .pg_rows(db.machine, &db.container, "postgres", "votes")
                .unwrap_or_default();
            let count = |x: &str| {
                rows.iter()
                    .filter(|r| r.get(1).map(String::as_str) == Some(x))
                    .count() as u64
            };
            p.last_counts = Some((count("a"), count("b")));
            self.set_app_proc(m, id, p.clone());
        }
        p.last_counts.unwrap_or((0, 0))
    }

    fn result_serve(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> Option<Served> {
        let (mut r, logs) = self.static_serve(m, id, req)?;
        if route(req) != "/" || r.status != 200 {
            return Some((r, logs));
        }
        let (a, b) = self.result_counts(m, id);
        let total = a + b;
        let (pa, pb) = if total > 0 {
            let x = (a as f64 / total as f64 * 100.0 + 0.5).floor();
            (x, 100.0 - x)
        } else {
            (50.0, 50.0)
        };
        let stat = |p: f64| format!("<div class=\"stat\">{p:.1}%</div>");
        if let Some(i) = r.body.find("<div class=\"stat\">50.0%</div>") {
            r.body.replace_range(i..i + stat(50.0).len(), &stat(pa));
        }
        if let Some(i) = r.body.rfind("<div class=\"stat\">50.0%</div>") {
            r.body.replace_range(i..i + stat(50.0).len(), &stat(pb));
        }
        let span = match total {
            0 => "No votes yet".to_string(),
            1 => "1 vote".to_string(),
            n => format!("{n} votes"),
        };
        r.body = r
            .body
            .replace("<span>No votes yet</span>", &format!("<span>{span}</span>"));
        Some((r, logs))
    }
}

/// The vote app's access-log time (gunicorn's `%(t)s`): `23/Nov/2026:09:00:05 +0000`.
fn now_access(unix_ms: i64) -> String {
    let (y, mo, d, h, mi, s, _, _) = civil(unix_ms);
    format!("{d:02}/{}/{y}:{h:02}:{mi:02}:{s:02} +0000", month_abbr(mo))
}

/// What a Flask view's process sees (see [`World::py_serve`]).
struct PyHost<'w> {
    world: &'w mut World,
    m: MachineId,
    id: &'w str,
    now: i64,
}

impl crate::pyeval::Host for PyHost<'_> {
    fn redis(&mut self, host: &str, port: u16, args: &[String]) -> Result<RedisReply, String> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.world
            .app_redis(self.m, self.id, host, port, &args)
            .map_err(|e| redis_py_error(e, host, port))
    }

    fn env(&self, name: &str) -> Option<String> {
        self.world.container(self.m, self.id)?.program.env_var(name)
    }

    fn hostname(&self) -> String {
        self.world
            .container(self.m, self.id)
            .map(|c| c.program.hostname().to_string())
            .unwrap_or_default()
    }

    fn ip(&self) -> String {
        self.world
            .container(self.m, self.id)
            .and_then(|c| c.program.address().map(str::to_string))
            .unwrap_or_else(|| "127.0.0.1".into())
    }

    fn now_ms(&self) -> i64 {
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_like_browsers_send_them() {
        assert_eq!(
            form_decode("item=Buy+milk%21&x"),
            vec![
                ("item".to_string(), "Buy milk!".to_string()),
                ("x".to_string(), String::new())
            ]
        );
        assert_eq!(form_decode("a=%zz%4"), vec![("a".into(), "%zz%4".into())]);
    }

    #[test]
    fn npgsql_reads_connection_strings() {
        let c = parse_npgsql("Server=todo-db;Database=todo;User Id=postgres;Password=postgres;")
            .unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.database.as_str()),
            ("todo-db", 5432, "todo")
        );
        assert_eq!(
            parse_npgsql("Filename=/data/todo-list.db").unwrap_err(),
            "System.ArgumentException: Keyword not supported: filename (Parameter 'keyword')"
        );
    }

    #[test]
    fn configuration_keys_ignore_case_and_later_files_win() {
        let docs = vec![
            serde_json::json!({"Database": {"Provider": "Sqlite"}}),
            serde_json::json!({"database": {"provider": "Postgres"}}),
        ];
        assert_eq!(
            config_value(&docs, "Database:Provider").as_deref(),
            Some("Postgres")
        );
        assert_eq!(config_value(&docs, "ConnectionStrings:ToDoDb"), None);
    }

    #[test]
    fn redis_replies_render_as_python_would() {
        let nil = RedisReply::Bulk(None);
        let five = RedisReply::Bulk(Some("5".into()));
        let body = "{\"a\":{rj:0|int0},\"b\":{rj:1|raw}} {r:1|raw} {r:0|raw} {r:2|raw} {\"c\":1}";
        let replies = [nil.clone(), five.clone(), RedisReply::Status("OK".into())];
        assert_eq!(
            py_fill(body, &replies, true).unwrap(),
            "{\"a\":0,\"b\":\"5\"} 5 None True {\"c\":1}"
        );
        // bytes: repr in text, not JSON serializable.
        assert_eq!(
            py_fill("{r:0|raw}", std::slice::from_ref(&five), false).unwrap(),
            "b'5'"
        );
        assert_eq!(
            py_fill("{rj:0|raw}", std::slice::from_ref(&five), false)
                .unwrap_err()
                .1,
            "TypeError: Object of type bytes is not JSON serializable"
        );
        assert_eq!(py_fill("{rj:0|int}", &[five], false).unwrap(), "5");
        assert!(py_fill("{r:0|int}", &[nil], true)
            .unwrap_err()
            .1
            .starts_with("TypeError: int() argument must be"));
        let abc = RedisReply::Bulk(Some("abc".into()));
        assert_eq!(
            py_fill("{r:0|int0}", &[abc], true).unwrap_err().1,
            "ValueError: invalid literal for int() with base 10: 'abc'"
        );
    }

    #[test]
    fn dates_read_as_dotnet_prints_them() {
        // 2026-11-23 is a Monday.
        assert_eq!(long_date(1_795_424_400_000), "Monday, 23 November 2026");
        assert_eq!(werkzeug_time(1_795_424_400_000), "23/Nov/2026 09:00:00");
    }

    #[test]
    fn tables_round_trip() {
        let rows = vec![vec!["1".to_string(), "tab\there".to_string()]];
        assert_eq!(table_rows(&table_text("T", &["a", "b"], &rows)), rows);
    }
}
