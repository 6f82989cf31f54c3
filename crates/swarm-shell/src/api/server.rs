//! `swarmsh serve`: the Engine API of every machine over HTTP on loopback.
//!
//! One listener per machine: PORT answers as node1's engine, PORT+1 as node2's … (with port 0
//! every machine gets a free port). The startup lines on standard output name them:
//! `node1 tcp://127.0.0.1:23750`. Machines added later (`sim node add`) get the next port.
//!
//! The playground is not `Send` (it shares the world with its terminals through `Rc`), so one
//! thread owns it: it polls every listener, answers with [`super::handle`], and moves time.
//!
//! **Clock.** The docker CLI computes "5 seconds ago" against its own wall clock, so the
//! served times must sit on the wall clock. The server sets the shell's time shift
//! ([`crate::model::set_time_shift`]) so that the simulated *now* is the wall-clock now:
//!
//! - in real time (the default), the shift is fixed at start and simulated time follows the
//!   wall clock (a write that waited for its commit may run a few ms ahead; the clock then
//!   waits for the wall clock to catch up);
//! - with `--manual-clock`, simulated time moves only through `POST /_swarmsh/advance?ms=N`
//!   (and writes waiting for their commit), so that two reads see the same world. Before a
//!   read, `POST /_swarmsh/anchor` asks for the shift to be re-anchored to *now* at the next
//!   Engine API request (a CLI's first, `/_ping`), and the real CLI sees the simulated ages
//!   plus the few milliseconds it takes to ask its questions. To keep that latency from flipping a rounded age
//!   ("4 seconds" → "5 seconds"), anchoring first moves simulated time forward by the least
//!   amount (< 1 s, chosen only from the world's state, so runs stay deterministic) that puts
//!   every age the CLI shows at least [`MARGIN_MS`] short of its next rounding step. Our
//!   terminal computes ages from simulated time and absolute times through the same shift,
//!   so both print the same text.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // the server reads the wall clock

use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use swarm_core::{SimDuration, SimTime};

use super::{handle, Request, Response};
use crate::{model, Options, Playground};

/// The port of node1 unless `--listen` says otherwise (node2 is the next one, …).
pub const DEFAULT_PORT: u16 = 23750;

/// How far an age the CLI shows must stay from its next rounding step after anchoring.
pub const MARGIN_MS: u64 = 80;

/// How `swarmsh serve` runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    /// The playground to serve.
    pub playground: Options,
    /// The address of node1's listener (the others take the following ports).
    pub host: String,
    /// node1's port; 0 gives every machine a free port.
    pub port: u16,
    /// Freeze simulated time (it moves only through `/_swarmsh/advance` and writes).
    pub manual_clock: bool,
}

impl ServeOptions {
    /// Parses `serve`'s arguments: the playground's options, `--listen HOST:PORT` and
    /// `--manual-clock`.
    pub fn from_args(args: &[String]) -> Result<ServeOptions, String> {
        let mut rest = Vec::new();
        let mut host = "127.0.0.1".to_string();
        let mut port = DEFAULT_PORT;
        let mut manual_clock = false;
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            if a == "--manual-clock" {
                manual_clock = true;
            } else if a == "--listen" || a.starts_with("--listen=") {
                let v = match a.strip_prefix("--listen=") {
                    Some(v) => v.to_string(),
                    None => {
                        i += 1;
                        args.get(i).cloned().ok_or("--listen needs a value")?
                    }
                };
                let (h, p) = v
                    .rsplit_once(':')
                    .ok_or_else(|| format!("--listen: expected HOST:PORT, got {v}"))?;
                port = p
                    .parse()
                    .map_err(|_| format!("--listen: not a port: {p}"))?;
                host = h.to_string();
            } else {
                rest.push(args[i].clone());
            }
            i += 1;
        }
        let (playground, file) = Options::from_args(&rest)?;
        if let Some(f) = file {
            return Err(format!("serve takes no FILE (got {f})"));
        }
        Ok(ServeOptions {
            playground,
            host,
            port,
            manual_clock,
        })
    }
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The ages the real CLI prints from served times, as of `now`: task state times
/// (`service ps`, `node ps`) and update status times (`service inspect --pretty`).
fn shown_ages(pg: &Playground, now: SimTime) -> Vec<u64> {
    let w = pg.world();
    let mut out = Vec::new();
    for s in w.swarms() {
        for t in s.tasks.values() {
            out.push(now.saturating_since(t.timestamp).as_millis());
        }
        for svc in s.services.values() {
            if let Some(u) = &svc.update_status {
                out.push(now.saturating_since(u.started_at).as_millis());
                if let Some(c) = u.completed_at {
                    out.push(now.saturating_since(c).as_millis());
                }
            }
        }
    }
    out
}

/// How many of `ages` are within `MARGIN_MS` of the step where go-units' `HumanDuration`
/// changes its text.
fn near_steps(ages: &[u64], extra: u64) -> usize {
    ages.iter()
        .filter(|a| {
            let a = *a + extra;
            // Whole seconds below a minute, whole minutes below an hour, then hours rounded.
            let (a, g) = if a < 60_000 {
                (a, 1000)
            } else if a < 3_600_000 {
                (a, 60_000)
            } else {
                (a + 1_800_000, 3_600_000)
            };
            a % g + MARGIN_MS >= g
        })
        .count()
}

/// Moves simulated time forward by the least amount (in 10 ms steps, under a second) that
/// leaves the fewest shown ages near a rounding step; see the module docs.
pub(crate) fn settle_ages(pg: &mut Playground) {
    let ages = shown_ages(pg, pg.now());
    let mut best = (near_steps(&ages, 0), 0u64);
    if best.0 == 0 {
        return;
    }
    for extra in (10..1000).step_by(10) {
        let n = near_steps(&ages, extra);
        if n < best.0 {
            best = (n, extra);
            if n == 0 {
                break;
            }
        }
    }
    if best.1 > 0 {
        pg.advance(SimDuration::from_millis(best.1));
    }
}

/// Runs the server until the process is stopped.
pub fn serve(opts: &ServeOptions) -> Result<(), String> {
    let mut pg = Playground::new(&opts.playground)?;
    let anchor = |pg: &Playground| wall_ms() - pg.now().unix_ms();
    model::set_time_shift(anchor(&pg));
    let mut listeners: Vec<(tiny_http::Server, String)> = Vec::new();
    let bind_new =
        |pg: &Playground, listeners: &mut Vec<(tiny_http::Server, String)>| -> Result<(), String> {
            for name in pg.machine_names().into_iter().skip(listeners.len()) {
                let port = if opts.port == 0 {
                    0
                } else {
                    opts.port.saturating_add(listeners.len() as u16)
                };
                let addr = format!("{}:{port}", opts.host);
                let srv = tiny_http::Server::http(&addr).map_err(|e| format!("{addr}: {e}"))?;
                let actual = srv
                    .server_addr()
                    .to_ip()
                    .map(|a| a.to_string())
                    .unwrap_or(addr);
                let mut out = std::io::stdout();
                let _ = writeln!(out, "{name} tcp://{actual}");
                let _ = out.flush();
                listeners.push((srv, name));
            }
            Ok(())
        };
    bind_new(&pg, &mut listeners)?;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    let mut pending_anchor = false;
    loop {
        let mut served = false;
        for (srv, name) in &listeners {
            while let Ok(Some(rq)) = srv.try_recv() {
                served = true;
                answer(&mut pg, name, rq, opts.manual_clock, &mut pending_anchor);
            }
        }
        if !opts.manual_clock {
            let target = wall_ms() - model::time_shift();
            let now = pg.now().unix_ms();
            if target > now {
                pg.advance(SimDuration::from_millis((target - now) as u64));
            }
        }
        bind_new(&pg, &mut listeners)?;
        if !served {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Answers one request. With a manual clock, `POST /_swarmsh/anchor` settles the ages and
/// the next Engine API request (a CLI's first, `/_ping`) re-anchors the shift, so that the
/// CLI's own start-up time does not count against the ages it prints.
fn answer(
    pg: &mut Playground,
    machine: &str,
    mut rq: tiny_http::Request,
    manual: bool,
    pending_anchor: &mut bool,
) {
    let mut body = Vec::new();
    let _ = rq.as_reader().take(16 << 20).read_to_end(&mut body);
    let req = Request::new(&rq.method().to_string().to_uppercase(), rq.url(), &body);
    if manual && *pending_anchor && !req.path.starts_with("/_swarmsh/") {
        model::set_time_shift(wall_ms() - pg.now().unix_ms());
        *pending_anchor = false;
    }
    let resp = if req.method == "POST" && req.path == "/_swarmsh/anchor" {
        if manual {
            settle_ages(pg);
            model::set_time_shift(wall_ms() - pg.now().unix_ms());
            *pending_anchor = true;
        }
        Response::json(
            200,
            &serde_json::json!({"sim_ms": pg.now().as_millis(), "shift_ms": model::time_shift()}),
        )
    } else {
        handle(pg, machine, &req)
    };
    let head = req.method == "HEAD";
    let mut w = rq.into_writer();
    let _ = w.write_all(&http_bytes(&resp, head));
    let _ = w.flush();
}

/// The whole HTTP/1.1 answer, to be written in one piece: tiny_http writes its own answers in
/// 1 KiB pieces, and Nagle's algorithm with the client's delayed ACKs stalls each later piece
/// by 40 ms. `Connection: close`, so that a kept-alive connection never waits either.
fn http_bytes(resp: &Response, head: bool) -> Vec<u8> {
    let reason = match resp.status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    };
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", resp.status);
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    ));
    let mut bytes = out.into_bytes();
    if !head {
        bytes.extend_from_slice(&resp.body);
    }
    bytes
}
