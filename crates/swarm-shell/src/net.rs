//! Network tools: `curl` on a machine and `curl`, `wget`, `nslookup`, `ping`, `dig` inside
//! containers, over the world's simulated network (`World::http_get`, `World::container_dns`,
//! `World::ping_path`): the routing mesh, VIPs, the embedded DNS. Texts and exit codes are
//! curl 8's, BusyBox's, iputils' and BIND 9's.

use std::cell::RefCell;
use std::rc::Rc;

use swarm_core::endpoints::DnsAnswer;
use swarm_core::network::{HttpCall, HttpError};
use swarm_core::{MachineId, World};

use crate::exec::{Interp, Io};
use crate::hosttools::cert_subject;

/// A parsed `http://host:port/path` (or `https://…`).
pub(crate) struct Url {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path: String,
    pub(crate) tls: bool,
}

pub(crate) fn parse_url(url: &str) -> Option<Url> {
    let (rest, tls) = match url.strip_prefix("https://") {
        Some(r) => (r, true),
        None => (
            url.strip_prefix("http://")
                .or_else(|| (!url.contains("://")).then_some(url))?,
            false,
        ),
    };
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().ok()?),
        None => (hostport.to_string(), if tls { 443 } else { 80 }),
    };
    if host.is_empty() {
        return None;
    }
    Some(Url {
        host,
        port,
        path,
        tls,
    })
}

/// curl's `-v` lines for a TLS handshake that presented `cert` (verified or not).
fn tls_verbose(cert: &str, verified: bool) -> String {
    let mut v = String::from(
        "* ALPN: curl offers h2,http/1.1\n* TLSv1.3 (OUT), TLS handshake, Client hello (1):\n* TLSv1.3 (IN), TLS handshake, Server hello (2):\n* TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):\n* TLSv1.3 (IN), TLS handshake, Certificate (11):\n* TLSv1.3 (IN), TLS handshake, CERT verify (15):\n* TLSv1.3 (IN), TLS handshake, Finished (20):\n* TLSv1.3 (OUT), TLS change cipher, Change cipher spec (1):\n* TLSv1.3 (OUT), TLS handshake, Finished (20):\n* SSL connection using TLSv1.3 / TLS_AES_128_GCM_SHA256 / x25519 / RSASSA-PSS\n* ALPN: server accepted http/1.1\n* Server certificate:\n",
    );
    if let Some(subject) = cert_subject(cert) {
        let subject = subject.replace(" = ", "=").replace(", ", "; ");
        v.push_str(&format!("*  subject: {subject}\n"));
        v.push_str(&format!("*  issuer: {subject}\n"));
    }
    v.push_str(if verified {
        "*  SSL certificate verify ok.\n"
    } else {
        "*  SSL certificate verify result: self-signed certificate (18), continuing anyway.\n"
    });
    v.push_str("*   Certificate level 0: Public key type RSA (4096/152 Bits/secBits), signed using sha256WithRSAEncryption\n");
    v
}

/// curl's error for a certificate it does not trust.
const CURL_SELF_SIGNED: &str = "curl: (60) SSL certificate problem: self-signed certificate\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the webpage mentioned above.\n";

/// A reply's status line and headers as a client receives them (`wget -S`).
pub(crate) fn response_head(reply: &swarm_core::catalog::HttpReply) -> Vec<String> {
    let mut lines = vec![format!("HTTP/1.1 {} {}", reply.status, reply_reason(reply))];
    lines.extend(
        reply_headers(reply, false)
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}")),
    );
    lines
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// The status line's reason as the server sends it: werkzeug's in capitals (`404 NOT FOUND`).
fn reply_reason(reply: &swarm_core::catalog::HttpReply) -> String {
    let werkzeug = reply
        .headers
        .iter()
        .any(|(k, v)| k == "Server" && v.starts_with("Werkzeug/"));
    let r = reason(reply.status);
    if werkzeug {
        r.to_ascii_uppercase()
    } else {
        r.to_string()
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
    read_file: &dyn Fn(&str) -> Option<String>,
) -> CurlResult {
    let mut insecure = false;
    let mut verbose = false;
    let mut cacert: Option<String> = None;
    let mut user: Option<String> = None;
    let mut silent = false;
    let mut show_error = false;
    let mut include = false;
    let mut fail = false;
    let mut url: Option<String> = None;
    let mut out_file: Option<String> = None;
    let mut write_out: Option<String> = None;
    let mut head = false;
    let mut method: Option<String> = None;
    let mut data: Vec<String> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut follow = false;
    let mut i = 0;
    let header = |h: &str| {
        h.split_once(':')
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
    };
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
                "request" => {
                    method = args.get(i).cloned();
                    i += 1;
                }
                "data" | "data-raw" | "data-urlencode" => {
                    data.extend(args.get(i).cloned());
                    i += 1;
                }
                "header" => {
                    headers.extend(args.get(i).and_then(|h| header(h)));
                    i += 1;
                }
                "cookie" => {
                    headers.extend(args.get(i).map(|c| ("Cookie".to_string(), c.clone())));
                    i += 1;
                }
                "location" => follow = true,
                "insecure" => insecure = true,
                "verbose" => verbose = true,
                "cacert" => {
                    cacert = args.get(i).cloned();
                    i += 1;
                }
                "user" => {
                    user = args.get(i).cloned();
                    i += 1;
                }
                "max-time" | "connect-timeout" | "user-agent" => i += 1,
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
                'L' => follow = true,
                'k' => insecure = true,
                'v' => verbose = true,
                'u' => {
                    user = value(&mut i);
                    break;
                }
                'X' => {
                    method = value(&mut i);
                    break;
                }
                'd' => {
                    data.extend(value(&mut i));
                    break;
                }
                'H' => {
                    headers.extend(value(&mut i).and_then(|h| header(&h)));
                    break;
                }
                'b' => {
                    headers.extend(value(&mut i).map(|c| ("Cookie".to_string(), c)));
                    break;
                }
                'm' | 'A' => {
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
    let mut call = HttpCall {
        method: method.unwrap_or_else(|| {
            if !data.is_empty() {
                "POST"
            } else if head {
                "HEAD"
            } else {
                "GET"
            }
            .to_string()
        }),
        path: u.path.clone(),
        body: data.join("&"),
        headers,
        tls: u.tls,
    };
    if let Some(user) = &user {
        let pair = if user.contains(':') {
            user.clone()
        } else {
            format!("{user}:")
        };
        call.headers.push((
            "Authorization".into(),
            format!("Basic {}", swarm_core::base64::encode(pair.as_bytes())),
        ));
    }
    if !data.is_empty()
        && !call
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
    {
        call.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    let mut r = world
        .borrow_mut()
        .http_request(m, container, &u.host, u.port, &call);
    // `-L`: follow redirects to paths on the same server (curl turns a POST into a GET).
    let mut hops = 0;
    while follow && hops < 10 {
        let Ok(out) = &r else { break };
        let Some(loc) = (300..400)
            .contains(&out.reply.status)
            .then(|| {
                out.reply
                    .headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("Location"))
            })
            .flatten()
            .map(|(_, v)| v.clone())
            .filter(|l| l.starts_with('/'))
        else {
            break;
        };
        hops += 1;
        call.path = loc;
        if matches!(out.reply.status, 301..=303) {
            call.method = "GET".into();
            call.body.clear();
            call.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"));
        }
        r = world
            .borrow_mut()
            .http_request(m, container, &u.host, u.port, &call);
    }
    let mut trace = String::new();
    if verbose {
        let addr = world
            .borrow()
            .machine_by_name(&u.host)
            .map(|x| x.ip.to_string())
            .unwrap_or_else(|| {
                if u.host == "localhost" {
                    "127.0.0.1".to_string()
                } else {
                    u.host.clone()
                }
            });
        trace.push_str(&format!("*   Trying {addr}:{}...\n", u.port));
        if r.is_ok() || matches!(r, Err(HttpError::NotTls)) {
            trace.push_str(&format!(
                "* Connected to {} ({addr}) port {}\n",
                u.host, u.port
            ));
        }
    }
    if let (Ok(out), true) = (&r, u.tls) {
        let cert = out.cert.clone().unwrap_or_default();
        let ca = match &cacert {
            Some(f) => match read_file(f) {
                Some(text) => Some(text),
                None => {
                    return (
                        String::new(),
                        format!("curl: (77) error setting certificate file: {f}\n"),
                        77,
                        None,
                    );
                }
            },
            None => None,
        };
        let trusted = ca.is_some_and(|c| c.trim() == cert.trim());
        if !insecure && !trusted {
            if !quiet_err {
                trace.push_str(CURL_SELF_SIGNED);
            }
            return (String::new(), trace, 60, None);
        }
        if verbose {
            trace.push_str(&tls_verbose(&cert, trusted));
        }
    }
    match r {
        Ok(out) => {
            let status = out.reply.status;
            if verbose {
                trace.push_str(&format!(
                    "* using HTTP/1.x\n> {} {} HTTP/1.1\n> Host: {}:{}\n> User-Agent: curl/8.5.0\n> Accept: */*\n",
                    call.method, call.path, u.host, u.port
                ));
                for (k, v) in &call.headers {
                    trace.push_str(&format!("> {k}: {v}\n"));
                }
                trace.push_str(&format!(
                    "> \n* Request completely sent off\n< HTTP/1.1 {status} {}\n",
                    reply_reason(&out.reply)
                ));
                for (k, v) in reply_headers(&out.reply, true) {
                    trace.push_str(&format!("< {k}: {v}\n"));
                }
                trace.push_str("< \n");
            }
            let trailer = if verbose {
                format!("* Connection #0 to host {} left intact\n", u.host)
            } else {
                String::new()
            };
            if fail && status >= 400 {
                let err = if quiet_err {
                    String::new()
                } else {
                    format!("curl: (22) The requested URL returned error: {status}\n")
                };
                return (String::new(), trace + &err, 22, None);
            }
            let mut body = String::new();
            if include || head {
                body.push_str(&format!(
                    "HTTP/1.1 {status} {}\r\n",
                    reply_reason(&out.reply)
                ));
                for (k, v) in reply_headers(&out.reply, false) {
                    body.push_str(&format!("{k}: {v}\r\n"));
                }
                body.push_str("\r\n");
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
                Some(file) => (extra, trace + &trailer, 0, Some((file, body))),
                None => (body + &extra, trace + &trailer, 0, None),
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
                HttpError::NotTls => (
                    "curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number\n"
                        .to_string(),
                    35,
                ),
                HttpError::EmptyReply => ("curl: (52) Empty reply from server\n".to_string(), 52),
            };
            let extra = write_out
                .map(|f| f.replace("%{http_code}", "000").replace("\\n", "\n"))
                .unwrap_or_default();
            (
                extra,
                if quiet_err { trace } else { trace + &text },
                code,
                None,
            )
        }
    }
}

/// A reply's header block as curl shows it ([`HttpReply::header_block`]); `-v` puts a
/// made-up block's `Content-Length` last.
///
/// [`HttpReply::header_block`]: swarm_core::catalog::HttpReply::header_block
fn reply_headers(
    reply: &swarm_core::catalog::HttpReply,
    length_last: bool,
) -> Vec<(String, String)> {
    let mut hs = reply.header_block();
    if length_last && !reply.headers_whole() {
        if let Some(i) = hs.iter().position(|(k, _)| k == "Content-Length") {
            let l = hs.remove(i);
            hs.push(l);
        }
    }
    hs
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

/// `curl --version` of Alpine's curl (the hosts' and Alpine images').
const CURL_VERSION_ALPINE: &str = "curl 8.12.1 (x86_64-alpine-linux-musl) libcurl/8.12.1 OpenSSL/3.3.3 zlib/1.3.1 brotli/1.1.0 zstd/1.5.6 c-ares/1.34.5 libidn2/2.3.7 libpsl/0.21.5 nghttp2/1.64.0
Release-Date: 2025-02-13
Protocols: dict file ftp ftps gopher gophers http https imap imaps ipfs ipns mqtt pop3 pop3s rtsp smb smbs smtp smtps telnet tftp ws wss
Features: alt-svc AsynchDNS brotli HSTS HTTP2 HTTPS-proxy IDN IPv6 Largefile libz NTLM PSL SSL threadsafe TLS-SRP UnixSockets zstd
";

/// Debian 12's curl.
const CURL_VERSION_DEBIAN: &str = "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.15 zlib/1.2.13 brotli/1.0.9 zstd/1.5.4 libidn2/2.3.3 libpsl/0.21.2 (+libidn2/2.3.3) libssh2/1.10.0 nghttp2/1.52.0 librtmp/2.3 OpenLDAP/2.5.13
Release-Date: 2023-02-20
Protocols: dict file ftp ftps gopher gophers http https imap imaps ldap ldaps mqtt pop3 pop3s rtmp rtsp scp sftp smb smbs smtp smtps telnet tftp
Features: alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Kerberos Largefile libz NTLM NTLM_WB PSL SPNEGO SSL threadsafe TLS-SRP UnixSockets zstd
";

/// `curl --version` / `curl -V`.
fn asks_version(args: &[String]) -> bool {
    args.iter().any(|a| a == "--version" || a == "-V")
}

/// `curl` on a machine's shell.
pub(crate) fn curl(interp: &Interp, args: &[String], io: &Io) -> i32 {
    if asks_version(args) {
        io.out.write(CURL_VERSION_ALPINE);
        return 0;
    }
    let m = interp.session.borrow().machine();
    let world = interp.world();
    let before = world.borrow().traffic_count();
    let read = |p: &str| crate::fsutils::read_file(interp, p).ok();
    let (out, mut err, mut code, file) = curl_run(&world, m, None, args, &read);
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
    // `-v`: the trace comes before the body, the connection's last words after it.
    match err.find("* Connection #0 to host") {
        Some(i) => {
            io.err.write(&err[..i]);
            io.out.write(&out);
            io.err.write(&err[i..]);
        }
        None => {
            io.out.write(&out);
            io.err.write(&err);
        }
    }
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
        "curl" if asks_version(args) => {
            let busybox = world
                .borrow()
                .container(m, container)
                .is_none_or(|c| crate::docker::image_programs::distro_of(c).is_busybox());
            let text = if busybox {
                CURL_VERSION_ALPINE
            } else {
                CURL_VERSION_DEBIAN
            };
            Some((text.to_string(), String::new(), 0))
        }
        "curl" => {
            let read = |p: &str| {
                let path = if p.starts_with('/') {
                    p.to_string()
                } else {
                    format!("/{p}")
                };
                world
                    .borrow()
                    .container_read(m, container, &path)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            };
            let (out, err, code, _) = curl_run(world, m, Some(container), args, &read);
            Some((out, err, code))
        }
        "wget" => Some(wget(world, m, container, args)),
        "nslookup" => Some(nslookup(world, m, container, args)),
        "ping" => Some(ping(world, m, container, args)),
        "dig" => Some(dig(world, m, container, args)),
        _ => None,
    }
}

/// BusyBox `wget` in container `container`: the container's network and DNS (the address it
/// connects to is the first its embedded DNS answers); a saved file lands in the container's
/// working directory.
fn wget(
    world: &Rc<RefCell<World>>,
    m: MachineId,
    container: &str,
    args: &[String],
) -> (String, String, i32) {
    let mut fetch = |_: &str, u: &Url| {
        let got = world
            .borrow_mut()
            .http_get(m, Some(container), &u.host, u.port, &u.path);
        let head = got
            .as_ref()
            .map(|out| response_head(&out.reply))
            .unwrap_or_default();
        let result = got.map(|out| (out.reply.status, out.reply.body));
        let ip = if u.host.parse::<std::net::Ipv4Addr>().is_ok() {
            u.host.clone()
        } else if matches!(u.host.as_str(), "localhost") {
            "127.0.0.1".into()
        } else {
            world
                .borrow()
                .container_lookup(m, container, &u.host)
                .addrs
                .first()
                .cloned()
                .unwrap_or_else(|| u.host.clone())
        };
        crate::hosttools::Fetched {
            result,
            head,
            ip,
            declared: None,
        }
    };
    let answer = crate::hosttools::busybox_wget(args, &mut fetch);
    let mut err = answer.err;
    let mut code = answer.code;
    if let Some((file, body, _, saved)) = answer.save {
        let workdir = world
            .borrow()
            .container(m, container)
            .map(|c| c.config.workdir.clone())
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".into());
        let path = swarm_core::fs::normalize(&swarm_core::fs::join(&workdir, &file));
        let written = if path == "/dev/null" {
            Ok(())
        } else {
            world
                .borrow_mut()
                .container_write(m, container, &path, body.as_bytes(), false)
        };
        match written {
            Ok(()) => err.push_str(&saved),
            Err(e) => {
                err.push_str(&format!("wget: can't open '{file}': {e}\n"));
                code = 1;
            }
        }
    }
    (answer.out, err, code)
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
            format!("{}\n", swarm_core::catalog::NSLOOKUP_USAGE),
            1,
        );
    };
    // The same answer and text as a container whose own command is `nslookup NAME`.
    let (out, code) = world
        .borrow()
        .container_lookup(m, container, name)
        .nslookup_text(name);
    (out, String::new(), code)
}

/// Which `ping` an image has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PingFlavor {
    /// BusyBox (Alpine, BusyBox).
    BusyBox,
    /// iputils (Debian, Ubuntu, netshoot).
    Iputils,
    /// None (images built `FROM scratch`).
    Missing,
}

fn ping_flavor(image: &str) -> PingFlavor {
    let r = swarm_core::catalog::normalize(image)
        .unwrap_or_else(|| image.to_string())
        .to_ascii_lowercase();
    if r.contains("netshoot") {
        PingFlavor::Iputils
    } else if r.starts_with("traefik/whoami") || r.starts_with("hello-world") {
        PingFlavor::Missing
    } else if r.contains("alpine") || r.starts_with("busybox") || r.contains("/busybox") {
        PingFlavor::BusyBox
    } else if ["ubuntu", "debian", "nginx", "redis", "postgres"]
        .iter()
        .any(|b| r == *b || r.starts_with(&format!("{b}:")))
    {
        PingFlavor::Iputils
    } else {
        PingFlavor::BusyBox
    }
}

/// `executable file not found`, as `docker exec` reports a missing program (the shell turns it
/// into `sh: NAME: not found`).
fn missing(name: &str) -> (String, String, i32) {
    (
        String::new(),
        format!("OCI runtime exec failed: exec failed: unable to start container process: exec: \"{name}\": executable file not found in $PATH: unknown\n"),
        127,
    )
}

/// A deterministic round-trip time in microseconds: tens of µs on one machine, a few hundred
/// across the LAN.
fn rtt_us(seed: &str, same_host: bool) -> u64 {
    let h = swarm_core::container::hex64(seed);
    let n = u64::from_str_radix(&h[..8], 16).unwrap_or(0);
    if same_host {
        40 + n % 80
    } else {
        280 + n % 500
    }
}

fn ms3(us: u64) -> String {
    format!("{}.{:03}", us / 1000, us % 1000)
}

/// What `ping`'s arguments ask: `-c N` (at most 100), `-q`, the host (the last word that is
/// not an option; the options that take a value skip it).
struct PingArgs<'a> {
    count: Option<u64>,
    quiet: bool,
    host: Option<&'a str>,
}

/// Reads `ping`'s arguments as BusyBox and iputils do; `Err` is a count that is not a number.
fn ping_args(args: &[String]) -> Result<PingArgs<'_>, String> {
    let mut out = PingArgs {
        count: None,
        quiet: false,
        host: None,
    };
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        if let Some(v) = a.strip_prefix("-c") {
            let v = if v.is_empty() {
                i += 1;
                args.get(i - 1).map(String::as_str).unwrap_or("")
            } else {
                v
            };
            out.count = Some(v.parse::<u64>().map_err(|_| v.to_string())?.min(100));
        } else if a == "-q" {
            out.quiet = true;
        } else if matches!(a, "-W" | "-w" | "-i" | "-s" | "-t") {
            i += 1;
        } else if !a.starts_with('-') {
            out.host = Some(a);
        }
    }
    Ok(out)
}

/// `ping [-c N] [-q] HOST` on a playground machine, with BusyBox's texts (Play with Docker's
/// nodes are Alpine): another machine by name or address, the machine itself, `localhost`.
/// Replies come while the two machines can reach each other (not powered off, not
/// partitioned apart); an address no machine has gets none. Without `-c` it stops after four
/// replies, as inside containers. Exit 0 when a reply came, else 1.
pub(crate) fn host_ping(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let m = interp.session.borrow().machine();
    let world = interp.world();
    let w = world.borrow();
    let PingArgs { count, quiet, host } = match ping_args(args) {
        Ok(a) => a,
        Err(v) => {
            io.err.write(&format!("ping: invalid number '{v}'\n"));
            return 1;
        }
    };
    let count = count.unwrap_or(4);
    let Some(host) = host else {
        io.err.write(
            "BusyBox v1.37.0 (2025-01-17 18:12:01 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n",
        );
        return 1;
    };
    let me = w.machine(m).map(|x| x.ip);
    let addr: Option<std::net::Ipv4Addr> = match host {
        "localhost" => Some(std::net::Ipv4Addr::LOCALHOST),
        h => h
            .parse()
            .ok()
            .or_else(|| w.machine_by_name(h).map(|x| x.ip)),
    };
    let Some(addr) = addr else {
        io.err.write(&format!("ping: bad address '{host}'\n"));
        return 1;
    };
    let same = addr.is_loopback() || Some(addr) == me;
    let reachable = same || w.machine_by_ip(addr).is_some_and(|x| w.can_reach(m, x.id));
    let now = w.now().as_millis();
    let times: Vec<u64> = if reachable {
        (0..count)
            .map(|k| rtt_us(&format!("ping:{m}:{addr}:{now}:{k}"), same))
            .collect()
    } else {
        Vec::new()
    };
    io.out
        .write(&busybox_ping_report(host, addr, 64, count, quiet, &times));
    i32::from(times.is_empty())
}

/// What BusyBox's `ping` prints for `count` requests and the round trips (µs) of the replies.
fn busybox_ping_report(
    host: &str,
    addr: std::net::Ipv4Addr,
    ttl: u8,
    count: u64,
    quiet: bool,
    times: &[u64],
) -> String {
    let mut out = format!("PING {host} ({addr}): 56 data bytes\n");
    if !quiet {
        for (k, t) in times.iter().enumerate() {
            out.push_str(&format!(
                "64 bytes from {addr}: seq={k} ttl={ttl} time={} ms\n",
                ms3(*t)
            ));
        }
    }
    let received = times.len() as u64;
    let loss = (count.saturating_sub(received) * 100)
        .checked_div(count)
        .unwrap_or(0);
    out.push_str(&format!(
        "\n--- {host} ping statistics ---\n{count} packets transmitted, {received} packets received, {loss}% packet loss\n"
    ));
    if let Some(avg) = times.iter().sum::<u64>().checked_div(received) {
        let min = times.iter().copied().min().unwrap_or(0);
        let max = times.iter().copied().max().unwrap_or(0);
        out.push_str(&format!(
            "round-trip min/avg/max = {}/{}/{} ms\n",
            ms3(min),
            ms3(avg),
            ms3(max)
        ));
    }
    out
}

/// `ping [-c N] [-q] HOST` inside a container, with BusyBox's or iputils' texts. Without `-c`
/// it stops after four replies (the playground has no Ctrl+C for `docker exec`).
fn ping(
    world: &Rc<RefCell<World>>,
    m: MachineId,
    container: &str,
    args: &[String],
) -> (String, String, i32) {
    let w = world.borrow();
    let Some(c) = w.container(m, container) else {
        return (String::new(), String::new(), 137);
    };
    let flavor = ping_flavor(&c.config.image);
    if flavor == PingFlavor::Missing {
        return missing("ping");
    }
    let PingArgs { count, quiet, host } = match ping_args(args) {
        Ok(a) => a,
        Err(v) => {
            return match flavor {
                PingFlavor::BusyBox => (String::new(), format!("ping: invalid number '{v}'\n"), 1),
                _ => (String::new(), format!("ping: invalid argument: '{v}'\n"), 1),
            };
        }
    };
    let Some(host) = host else {
        return match flavor {
            PingFlavor::BusyBox => (
                String::new(),
                "BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n".into(),
                1,
            ),
            _ => (
                String::new(),
                "ping: usage error: Destination address required\n".into(),
                1,
            ),
        };
    };
    let count = count.unwrap_or(4);
    // The same resolver as a container whose own command is `ping NAME`.
    let lookup = w.container_lookup(m, container, host);
    let addr: Option<std::net::Ipv4Addr> = lookup.ping.as_deref().and_then(|a| a.parse().ok());
    let Some(addr) = addr else {
        return match flavor {
            PingFlavor::BusyBox => (String::new(), format!("ping: bad address '{host}'\n"), 1),
            _ => (
                String::new(),
                format!("ping: {host}: Name or service not known\n"),
                2,
            ),
        };
    };
    // An internet address the resolver gave answers from across the LAN's router.
    let path = w
        .ping_path(m, container, addr)
        .or_else(|| lookup.reachable.then_some(false));
    let now = w.now().as_millis();
    let times: Vec<u64> = match path {
        Some(same) => (0..count)
            .map(|k| rtt_us(&format!("ping:{container}:{addr}:{now}:{k}"), same))
            .collect(),
        None => Vec::new(),
    };
    let ttl = if path == Some(false) && w.machine_by_ip(addr).is_some() {
        63
    } else {
        64
    };
    let mut out = String::new();
    let received = times.len() as u64;
    let loss = ((count - received) * 100).checked_div(count).unwrap_or(0);
    let (min, max) = (
        times.iter().copied().min().unwrap_or(0),
        times.iter().copied().max().unwrap_or(0),
    );
    let avg = times.iter().sum::<u64>().checked_div(received).unwrap_or(0);
    match flavor {
        PingFlavor::BusyBox => {
            out.push_str(&busybox_ping_report(host, addr, ttl, count, quiet, &times));
        }
        _ => {
            out.push_str(&format!("PING {host} ({addr}) 56(84) bytes of data.\n"));
            // The embedded DNS's PTR record of a container on a user network: `NAME.NETWORK`.
            let ptr = w.containers(m).iter().find_map(|o| {
                w.live_endpoints(m, &o.id)
                    .into_iter()
                    .find(|(_, e)| e.addr == addr && e.network_name != "bridge")
                    .map(|(_, e)| format!("{}.{}", o.name, e.network_name))
            });
            let ptr = ptr.or_else(|| {
                let s = w.swarm(w.membership(m)?.cluster)?;
                s.networks.values().find_map(|n| {
                    let attached = n.attachments.iter().find_map(|(cid, a)| {
                        (a.addr == addr)
                            .then(|| w.container(a.machine, cid))
                            .flatten()
                            .map(|c| format!("{}.{}", c.name, n.name))
                    });
                    attached.or_else(|| {
                        s.tasks.values().find_map(|t| {
                            t.addresses
                                .iter()
                                .any(|(nid, a)| *nid == n.id && *a == addr && !n.ingress)
                                .then(|| format!("{}.{}", t.container_name(), n.name))
                        })
                    })
                })
            });
            let from = match ptr {
                Some(p) => format!("{p} ({addr})"),
                None if host.parse::<std::net::Ipv4Addr>().is_ok() => format!("{addr}"),
                None => format!("{host} ({addr})"),
            };
            if !quiet {
                for (k, t) in times.iter().enumerate() {
                    out.push_str(&format!(
                        "64 bytes from {from}: icmp_seq={} ttl={ttl} time={} ms\n",
                        k + 1,
                        ms3(*t)
                    ));
                }
            }
            let total = if count > 1 {
                (count - 1) * 1000 + rtt_us(&format!("ping-total:{now}"), true) / 4
            } else {
                0
            };
            out.push_str(&format!(
                "\n--- {host} ping statistics ---\n{count} packets transmitted, {received} received, {loss}% packet loss, time {total}ms\n"
            ));
            if let Some(mean_sq) = times
                .iter()
                .map(|t| t * t)
                .sum::<u64>()
                .checked_div(received)
            {
                let mdev = ((mean_sq.saturating_sub(avg * avg)) as f64).sqrt() as u64;
                out.push_str(&format!(
                    "rtt min/avg/max/mdev = {}/{}/{}/{} ms\n",
                    ms3(min),
                    ms3(avg),
                    ms3(max),
                    ms3(mdev)
                ));
            }
        }
    }
    let code = if received > 0 { 0 } else { 1 };
    (out, String::new(), code)
}

/// `dig [+short] NAME` inside a container that has it (nicolaka/netshoot): BIND 9.18's output
/// for the embedded DNS's answer.
fn dig(
    world: &Rc<RefCell<World>>,
    m: MachineId,
    container: &str,
    args: &[String],
) -> (String, String, i32) {
    let w = world.borrow();
    let Some(c) = w.container(m, container) else {
        return (String::new(), String::new(), 137);
    };
    if !c.config.image.to_ascii_lowercase().contains("netshoot") {
        return missing("dig");
    }
    let short = args.iter().any(|a| a == "+short");
    let name = args
        .iter()
        .find(|a| !a.starts_with('+') && !a.starts_with('-') && !a.starts_with('@'))
        .cloned()
        .unwrap_or_else(|| ".".to_string());
    let answer = w.container_dns(m, container, &name);
    let server = if answer == DnsAnswer::NoEmbeddedDns {
        "8.8.8.8"
    } else {
        "127.0.0.11"
    };
    let addrs = match &answer {
        DnsAnswer::Found(a) => a.clone(),
        _ => Vec::new(),
    };
    if short {
        let mut out = String::new();
        for a in &addrs {
            out.push_str(&format!("{a}\n"));
        }
        return (out, String::new(), 0);
    }
    let fqdn = format!("{}.", name.trim_end_matches('.'));
    let status = if addrs.is_empty() {
        "NXDOMAIN"
    } else {
        "NOERROR"
    };
    let now = w.now();
    let id = u32::from_str_radix(
        &swarm_core::container::hex64(&format!("dig:{container}:{name}:{}", now.as_millis()))[..4],
        16,
    )
    .unwrap_or(0);
    let mut out = format!(
        "\n; <<>> DiG 9.18.27 <<>> {}\n;; global options: +cmd\n;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: {status}, id: {id}\n;; flags: qr rd ra; QUERY: 1, ANSWER: {}, AUTHORITY: 0, ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;{fqdn}\t\t\tIN\tA\n\n",
        args.join(" "),
        addrs.len()
    );
    if !addrs.is_empty() {
        out.push_str(";; ANSWER SECTION:\n");
        for a in &addrs {
            out.push_str(&format!("{fqdn}\t\t600\tIN\tA\t{a}\n"));
        }
        out.push('\n');
    }
    let size = 12 + fqdn.len() + 1 + 4 + 16 * addrs.len();
    out.push_str(&format!(
        ";; Query time: 0 msec\n;; SERVER: {server}#53({server}) (UDP)\n;; WHEN: {}\n;; MSG SIZE  rcvd: {size}\n\n",
        dig_date(now.unix_ms())
    ));
    (out, String::new(), 0)
}

/// `Mon Nov 23 09:00:00 UTC 2026`, as dig's `WHEN` line prints it.
fn dig_date(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = swarm_core::time::civil_from_days(days);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(mo as usize).saturating_sub(1).min(11)];
    format!(
        "{wd} {month} {d:02} {:02}:{:02}:{:02} UTC {y}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
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
