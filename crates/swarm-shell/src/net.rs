//! Network tools: `curl` on a machine and `curl`, `wget`, `nslookup` inside containers, over
//! the world's simulated network (`World::http_get`, `World::dns_lookup`): the routing mesh,
//! VIPs, the embedded DNS. Texts and exit codes are curl 8's and BusyBox's.

use std::cell::RefCell;
use std::rc::Rc;

use swarm_core::network::HttpError;
use swarm_core::{MachineId, World};

use crate::exec::{Interp, Io};

/// A parsed `http://host:port/path`.
struct Url {
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Option<Url> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| (!url.contains("://")).then_some(url))?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().ok()?),
        None => (hostport.to_string(), 80),
    };
    if host.is_empty() {
        return None;
    }
    Some(Url { host, port, path })
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
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// What curl did: stdout, stderr, exit status, and the body for `-o FILE` (file, body).
type CurlResult = (String, String, i32, Option<(String, String)>);

/// curl's answer to one request.
fn curl_run(
    world: &Rc<RefCell<World>>,
    m: MachineId,
    container: Option<&str>,
    args: &[String],
) -> CurlResult {
    let mut silent = false;
    let mut show_error = false;
    let mut include = false;
    let mut fail = false;
    let mut url: Option<String> = None;
    let mut out_file: Option<String> = None;
    let mut write_out: Option<String> = None;
    let mut head = false;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if let Some(long) = a.strip_prefix("--") {
            match long {
                "silent" => silent = true,
                "show-error" => show_error = true,
                "include" => include = true,
                "head" => head = true,
                "fail" => fail = true,
                "output" => {
                    out_file = args.get(i).cloned();
                    i += 1;
                }
                "write-out" => {
                    write_out = args.get(i).cloned();
                    i += 1;
                }
                "request" | "header" | "data" | "max-time" | "connect-timeout" | "user-agent" => {
                    i += 1
                }
                _ => {}
            }
            continue;
        }
        let Some(cluster) = a.strip_prefix('-').filter(|c| !c.is_empty()) else {
            url = Some(a.clone());
            continue;
        };
        // Short options, possibly bundled (`-sSf`, `-sI`, `-o file`, `-ofile`).
        for (k, c) in cluster.char_indices() {
            let rest = &cluster[k + c.len_utf8()..];
            let value = |i: &mut usize| {
                if rest.is_empty() {
                    let v = args.get(*i).cloned();
                    *i += 1;
                    v
                } else {
                    Some(rest.to_string())
                }
            };
            match c {
                's' => silent = true,
                'S' => show_error = true,
                'i' => include = true,
                'I' => head = true,
                'f' => fail = true,
                'o' => {
                    out_file = value(&mut i);
                    break;
                }
                'w' => {
                    write_out = value(&mut i);
                    break;
                }
                'X' | 'H' | 'd' | 'm' | 'A' => {
                    let _ = value(&mut i);
                    break;
                }
                _ => {}
            }
        }
    }
    let Some(url) = url else {
        return (
            String::new(),
            "curl: try 'curl --help' or 'curl --manual' for more information\n".into(),
            2,
            None,
        );
    };
    let Some(u) = parse_url(&url) else {
        return (
            String::new(),
            "curl: (3) URL rejected: Malformed input to a URL function\n".into(),
            3,
            None,
        );
    };
    let quiet_err = silent && !show_error;
    let r = world
        .borrow_mut()
        .http_get(m, container, &u.host, u.port, &u.path);
    match r {
        Ok(out) => {
            let status = out.reply.status;
            if fail && status >= 400 {
                let err = if quiet_err {
                    String::new()
                } else {
                    format!("curl: (22) The requested URL returned error: {status}\n")
                };
                return (String::new(), err, 22, None);
            }
            let mut body = String::new();
            if include || head {
                body.push_str(&format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
                    reason(status),
                    out.reply.content_type,
                    out.reply.body.len()
                ));
            }
            if !head {
                body.push_str(&out.reply.body);
            }
            let extra = write_out
                .map(|f| {
                    f.replace("%{http_code}", &status.to_string())
                        .replace("\\n", "\n")
                })
                .unwrap_or_default();
            match out_file {
                Some(file) => (extra, String::new(), 0, Some((file, body))),
                None => (body + &extra, String::new(), 0, None),
            }
        }
        Err(e) => {
            let (text, code) = match e {
                HttpError::CouldNotResolve => {
                    (format!("curl: (6) Could not resolve host: {}\n", u.host), 6)
                }
                HttpError::Refused => (
                    format!(
                        "curl: (7) Failed to connect to {} port {} after 0 ms: Couldn't connect to server\n",
                        u.host, u.port
                    ),
                    7,
                ),
                HttpError::Timeout => (
                    format!(
                        "curl: (28) Failed to connect to {} port {} after 134000 ms: Couldn't connect to server\n",
                        u.host, u.port
                    ),
                    28,
                ),
            };
            let extra = write_out
                .map(|f| f.replace("%{http_code}", "000").replace("\\n", "\n"))
                .unwrap_or_default();
            (
                extra,
                if quiet_err { String::new() } else { text },
                code,
                None,
            )
        }
    }
}

/// A request as `sim trace on` shows it: where it left, what it asked for, how it was routed
/// and who answered.
fn trace_line(w: &World, ev: &swarm_core::network::TrafficEvent) -> String {
    let name = |m: MachineId| w.machine(m).map(|x| x.hostname.clone()).unwrap_or_default();
    let answer = match (&ev.task, ev.to) {
        (Some(t), Some(m)) => format!(
            " -> {} on {}",
            t.rsplit_once('.').map_or(t.as_str(), |(a, _)| a),
            name(m)
        ),
        (None, Some(m)) => format!(" -> a container on {}", name(m)),
        _ => String::new(),
    };
    format!(
        "trace: {} -> {}:{} ({}){answer}: {}\n",
        name(ev.from),
        ev.host,
        ev.port,
        ev.via,
        ev.outcome
    )
}

/// `curl` on a machine's shell.
pub(crate) fn curl(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let m = interp.session.borrow().machine();
    let world = interp.world();
    let before = world.borrow().traffic_count();
    let (out, mut err, mut code, file) = curl_run(&world, m, None, args);
    if interp.session.borrow().trace {
        let w = world.borrow();
        for ev in w.traffic_since(before) {
            err.push_str(&trace_line(&w, ev));
        }
    }
    if let Some((path, body)) = file {
        if let Err(e) = crate::fsutils::write_file(interp, &path, &body, false) {
            err.push_str(&format!(
                "curl: (23) Failure writing output to destination: {e}\n"
            ));
            code = 23;
        }
    }
    io.out.write(&out);
    io.err.write(&err);
    code
}

/// `curl`, `wget` and `nslookup` inside a container; `None` for other commands.
pub(crate) fn in_container(
    world: &Rc<RefCell<World>>,
    m: MachineId,
    container: &str,
    name: &str,
    args: &[String],
) -> Option<(String, String, i32)> {
    match name {
        "curl" => {
            let (out, err, code, _) = curl_run(world, m, Some(container), args);
            Some((out, err, code))
        }
        "wget" => Some(wget(world, m, container, args)),
        "nslookup" => Some(nslookup(world, m, container, args)),
        _ => None,
    }
}

fn wget(
    world: &Rc<RefCell<World>>,
    m: MachineId,
    container: &str,
    args: &[String],
) -> (String, String, i32) {
    let to_stdout = args
        .iter()
        .any(|a| a == "-O-" || a == "-qO-" || a == "-qO" || a == "-O");
    let quiet = args.iter().any(|a| a.starts_with("-q"));
    let Some(url) = args.iter().rfind(|a| !a.starts_with('-')) else {
        return (
            String::new(),
            "BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n".into(),
            1,
        );
    };
    let Some(u) = parse_url(url) else {
        return (String::new(), format!("wget: bad address '{url}'\n"), 1);
    };
    let r = world
        .borrow_mut()
        .http_get(m, Some(container), &u.host, u.port, &u.path);
    let hostport = format!("{}:{}", u.host, u.port);
    match r {
        Ok(out) => {
            let connecting = if quiet {
                String::new()
            } else {
                format!("Connecting to {hostport}\n")
            };
            if out.reply.status >= 400 {
                return (
                    String::new(),
                    format!(
                        "{connecting}wget: server returned error: HTTP/1.1 {} {}\n",
                        out.reply.status,
                        reason(out.reply.status)
                    ),
                    1,
                );
            }
            if to_stdout {
                let err = if quiet {
                    String::new()
                } else {
                    format!("{connecting}writing to stdout\n")
                };
                (out.reply.body, err, 0)
            } else {
                (
                    String::new(),
                    format!("{connecting}saving to 'index.html'\n'index.html' saved\n"),
                    0,
                )
            }
        }
        Err(HttpError::CouldNotResolve) => (
            String::new(),
            format!("wget: bad address '{}'\n", u.host),
            1,
        ),
        Err(_) => (
            String::new(),
            format!(
                "Connecting to {hostport}\nwget: can't connect to remote host: Connection refused\n"
            ),
            1,
        ),
    }
}

fn nslookup(
    world: &Rc<RefCell<World>>,
    m: MachineId,
    container: &str,
    args: &[String],
) -> (String, String, i32) {
    let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
        return (
            String::new(),
            "BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n".into(),
            1,
        );
    };
    let w = world.borrow();
    let cluster = w.membership(m).map(|ms| ms.cluster);
    let nets: Vec<String> = cluster
        .and_then(|c| w.swarm(c))
        .and_then(|s| {
            s.tasks
                .values()
                .find(|t| t.container_id.as_deref() == Some(container))
        })
        .map(|t| t.addresses.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    let header = "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n";
    let addrs = cluster.and_then(|c| w.dns_lookup(c, &nets, name));
    match addrs {
        Some(addrs) => {
            let mut out = String::from(header);
            out.push_str("Non-authoritative answer:\n");
            for a in &addrs {
                out.push_str(&format!("Name:\t{name}\nAddress: {a}\n"));
            }
            out.push('\n');
            (out, String::new(), 0)
        }
        None => (
            format!("{header}** server can't find {name}: NXDOMAIN\n\n"),
            String::new(),
            1,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_as_curl_reads_them() {
        let u = parse_url("http://localhost:8080/rng").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("localhost", 8080, "/rng")
        );
        let u = parse_url("iotd").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("iotd", 80, "/")
        );
        assert!(parse_url("http://:80/").is_none());
        assert!(parse_url("http://h:notaport/").is_none());
        assert!(parse_url("ftp://x").is_none());
    }
}
