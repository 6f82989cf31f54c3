//! `hey`, the HTTP load generator of seed 001's scaling lab (`./hey_linux_amd64 -z 30s -c 10
//! http://localhost`), its download (`wget`/`curl -LO` of its release URL: the machines have
//! no internet, so the playground knows this one file), and running a file by its path.
//!
//! **The load model.** hey's requests go through the cluster like `curl`'s (the routing
//! mesh, each task's app, its logs and its effects, such as a counter in redis): [`PER_SLICE`]
//! of each second's for real, the rest counted like them (each status and size in the same
//! proportions). How fast they go is derived, not measured: a request costs its network
//! round trip (more when the mesh forwards it to another machine) plus the app's service time
//! ([`service_ms`]: a static server is cheap, an app server is not), stretched by the task's
//! CPU limit (`--limit-cpu`, `deploy.resources.limits.cpus`). With `-c` workers each waiting
//! for its answer, throughput is `c / mean latency`, capped by the slowest task's share of the
//! round-robin (each task gets an equal share, so one slow task holds the others back). More
//! replicas thus raise Requests/sec until the workers, not the tasks, are the limit. Latencies
//! vary deterministically around the mean (a hash of the request's number, never a global
//! RNG), and the command takes the test's duration of simulated time.

use crate::exec::{Interp, Io};
use swarm_core::{MachineId, SimDuration};

/// The address the download's host resolves to (`wget` prints it).
pub(crate) const DOWNLOAD_IP: &str = "52.219.94.26";

/// The release file hey's README links to.
const HEY_URLS: &[&str] = &[
    "hey-release.s3.us-east-2.amazonaws.com/hey_linux_amd64",
    "storage.googleapis.com/hey-release/hey_linux_amd64",
];

/// What the downloaded file holds: an ELF header and our marker.
const HEY_BINARY: &[u8] =
    b"\x7fELF\x02\x01\x01\x00 swarm-playground: rakyll/hey v0.1.4 (linux/amd64)\n";

/// The size the downloaded binary lists at (`ls -l`, wget's and curl's progress): hey v0.1.4's
/// linux/amd64 release. The file holds only [`HEY_BINARY`]; its size is declared
/// (`Fs::set_apparent_size`).
pub(crate) const HEY_SIZE: u64 = 9_101_824;

/// The known download a URL names, if any: (file name, content).
pub(crate) fn download(url: &str) -> Option<(&'static str, &'static [u8])> {
    let bare = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    HEY_URLS
        .contains(&bare)
        .then_some(("hey_linux_amd64", HEY_BINARY))
}

/// True when an argument is a known download.
pub(crate) fn download_named(args: &[String]) -> bool {
    args.iter().any(|a| download(a).is_some())
}

/// `curl` on the host when one of its arguments is a known download; `None` otherwise
/// (the command runs as usual). `wget` fetches it through its own path
/// (`hosttools::wget`).
pub(crate) fn fetch(interp: &Interp, args: &[String], io: &Io) -> Option<i32> {
    let (file, body) = args.iter().find_map(|a| download(a))?;
    let text = String::from_utf8_lossy(body).into_owned();
    let size = curl_size(HEY_SIZE);
    // About 0.7 s at S3's speed.
    let speed = curl_size(HEY_SIZE * 10 / 7);
    // curl: `-o FILE`, `-O` (the URL's name), or the terminal.
    let mut target: Option<String> = None;
    let mut silent = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if a == "--output" || a == "-o" {
            target = args.get(i).cloned();
            i += 1;
        } else if a == "--remote-name" {
            target = Some(file.to_string());
        } else if a == "--silent" {
            silent = true;
        } else if let Some(flags) = a.strip_prefix('-').filter(|f| !f.starts_with('-')) {
            for (k, c) in flags.char_indices() {
                match c {
                    's' => silent = true,
                    'O' => target = Some(file.to_string()),
                    'o' => {
                        target = crate::util::short_value(&flags[k + 1..], args, &mut i);
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    match target.filter(|t| t != "-") {
        Some(t) => {
            if let Err(e) = crate::fsutils::write_file(interp, &t, &text, false).and_then(|()| {
                crate::fsutils::declare_size(interp, &t, HEY_SIZE).map_err(|e| e.to_string())
            }) {
                io.err.write(&format!(
                    "curl: (23) Failure writing output to destination: {e}\n"
                ));
                return Some(23);
            }
            if !silent {
                io.err.write(&format!(
                    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n100 {size:>5}  100 {size:>5}    0     0  {speed:>5}      0 --:--:-- --:--:-- --:--:-- {speed:>5}\n"
                ));
            }
            Some(0)
        }
        None => {
            io.err.write("Warning: Binary output can mess up your terminal. Use \"--output -\" to tell \nWarning: curl to output it to your console anyway, or consider \"--output \nWarning: <FILE>\" to save to a file.\n");
            Some(23)
        }
    }
}

/// curl's five-character size (`max5data`): `12345`, `8888k`, `12.4M`.
pub(crate) fn curl_size(bytes: u64) -> String {
    const K: u64 = 1024;
    const M: u64 = 1024 * 1024;
    if bytes < 100_000 {
        bytes.to_string()
    } else if bytes < 10_000 * K {
        format!("{}k", bytes / K)
    } else if bytes < 100 * M {
        format!("{}.{}M", bytes / M, (bytes % M) / (M / 10))
    } else {
        format!("{}M", bytes / M)
    }
}

/// BusyBox's five-character size (`smart_ulltoa5`, wget's progress bar): `12345` up to
/// 99999, else scaled by 1024 with a unit: `8888k`, `12.3M`.
pub(crate) fn busybox_size(bytes: u64) -> String {
    if bytes <= 99_999 {
        return bytes.to_string();
    }
    let units = [' ', 'k', 'M', 'G', 'T', 'P', 'E'];
    let mut v = bytes.saturating_mul(10);
    let mut idx = 0;
    loop {
        v /= 1024;
        idx += 1;
        if v < 100_000 || idx + 1 >= units.len() {
            break;
        }
    }
    let (whole, tenth) = (v / 10, v % 10);
    if whole >= 100 {
        format!("{whole}{}", units[idx])
    } else {
        format!("{whole}.{tenth}{}", units[idx])
    }
}

/// A command named by a path (`./hey_linux_amd64`, `/usr/local/bin/hey`) or found in
/// `/usr/local/bin` or `/usr/bin`: hey's binary runs hey, a text file runs as a script.
/// `None` when there is no such file in the PATH (the caller says `command not found`).
pub(crate) async fn run_file(interp: &Interp, name: &str, args: &[String], io: &Io) -> Option<i32> {
    let path = if name.contains('/') {
        crate::fsutils::abs_path(interp, name)
    } else {
        let m = interp.session.borrow().machine();
        let world = interp.world();
        let w = world.borrow();
        let fs = &w.machine(m)?.fs;
        ["/usr/local/bin", "/usr/bin", "/bin"]
            .iter()
            .map(|d| format!("{d}/{name}"))
            .find(|p| fs.stat(p).is_ok_and(|s| s.is_file()))?
    };
    let (meta, content) = {
        let m = interp.session.borrow().machine();
        let world = interp.world();
        let w = world.borrow();
        let fs = &w.machine(m)?.fs;
        match fs.stat(&path) {
            Ok(meta) => (meta, fs.read(&path).map(<[u8]>::to_vec).unwrap_or_default()),
            Err(_) => {
                io.err
                    .write(&format!("bash: {name}: No such file or directory\n"));
                return Some(127);
            }
        }
    };
    if meta.is_dir() {
        io.err.write(&format!("bash: {name}: Is a directory\n"));
        return Some(126);
    }
    if meta.mode & 0o111 == 0 {
        io.err.write(&format!("bash: {name}: Permission denied\n"));
        return Some(126);
    }
    if content == HEY_BINARY {
        return Some(hey(interp, args, io).await);
    }
    if content == AB_BINARY {
        return Some(ab(interp, args, io).await);
    }
    if content.starts_with(b"\x7fELF") {
        io.err.write(&format!(
            "bash: {name}: cannot execute binary file: Exec format error\n"
        ));
        return Some(126);
    }
    let mut sh_args = vec![path];
    sh_args.extend(args.iter().cloned());
    Some(crate::fsutils::sh(interp, "bash", &sh_args, io).await)
}

const USAGE: &str = "Usage: hey [options...] <url>

Options:
  -n  Number of requests to run. Default is 200.
  -c  Number of workers to run concurrently. Total number of requests cannot
      be smaller than the concurrency level. Default is 50.
  -q  Rate limit, in queries per second (QPS) per worker. Default is no rate limit.
  -z  Duration of application to send requests. When duration is reached,
      application stops and exits. If duration is specified, n is ignored.
      Examples: -z 10s -z 3m.
  -o  Output type. If none provided, a summary is printed.
      \"csv\" is the only supported alternative. Dumps the response
      metrics in comma-separated values format.

  -m  HTTP method, one of GET, POST, PUT, DELETE, HEAD, OPTIONS.
  -H  Custom HTTP header. You can specify as many as needed by repeating the flag.
      For example, -H \"Accept: text/html\" -H \"Content-Type: application/xml\" .
  -t  Timeout for each request in seconds. Default is 20, use 0 for infinite.
  -A  HTTP Accept header.
  -d  HTTP request body.
  -D  HTTP request body from file. For example, /home/user/file.txt or ./file.txt.
  -T  Content-type, defaults to \"text/html\".
  -a  Basic authentication, username:password.
  -x  HTTP Proxy address as host:port.
  -h2 Enable HTTP/2.

  -host\tHTTP Host header.

  -disable-compression  Disable compression.
  -disable-keepalive    Disable keep-alive, prevents re-use of TCP
                        connections between different HTTP requests.
  -disable-redirects    Disable following of HTTP redirects
  -cpus                 Number of used cpu cores.
                        (default for current machine is 2 cores)
";

fn usage_error(io: &Io, msg: &str) -> i32 {
    if !msg.is_empty() {
        io.err.write(msg);
        io.err.write("\n\n");
    }
    io.err.write(USAGE);
    1
}

/// Go's `time.ParseDuration` for the forms hey's `-z` takes (`30s`, `1m30s`, `500ms`).
fn parse_duration(s: &str) -> Option<u64> {
    let mut total = 0f64;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let v: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let ms = match &rest[..u] {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "us" | "µs" => 0.001,
            "ns" => 0.000_001,
            _ => return None,
        };
        total += v * ms;
        rest = &rest[u..];
    }
    Some(total as u64)
}

/// The app's service time per request, in ms, before its CPU limit.
pub(crate) fn service_ms(image: &str) -> f64 {
    let repo = image.rsplit('/').next().unwrap_or(image);
    let repo = repo.split([':', '@']).next().unwrap_or(repo);
    match repo {
        "nginx" | "httpd" | "traefik" | "whoami" | "caddy" | "haproxy" => 0.3,
        "registry" => 1.0,
        _ => 4.0,
    }
}

/// SplitMix64 of a seed: a uniform number in [0, 1).
pub(crate) fn unit(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// One sampled request: its status and size, or why it got no answer; and its base latency
/// (ms).
#[derive(Clone)]
pub(crate) struct Sample {
    pub(crate) result: Result<(u16, usize), swarm_core::network::HttpError>,
    pub(crate) base_ms: f64,
    /// Which task answered (for the round-robin shares).
    server: Option<(MachineId, String)>,
    /// The reply's status line and headers, in bytes (ab's "Total transferred").
    head_bytes: usize,
    /// Its `Server` header (ab's "Server Software").
    pub(crate) software: String,
}

/// The CPU share a container may use (its task's `--limit-cpu`, its own `--cpus`, else 1).
fn cpu_share(w: &swarm_core::World, m: MachineId, container: &str) -> f64 {
    let Some(c) = w.container(m, container) else {
        return 1.0;
    };
    let limit = c.config.task_id.as_ref().and_then(|tid| {
        let cluster = w.membership(m)?.cluster;
        let t = w.swarm(cluster)?.tasks.get(tid.as_str())?;
        Some(t.spec.resources.limit_nano_cpus)
    });
    let limit = limit.or(Some(c.config.nano_cpus));
    match limit {
        Some(n) if n > 0 => (n as f64 / 1e9).min(1.0),
        _ => 1.0,
    }
}

/// Real requests per slice (about a second) of the test: up to 500 requests a second every
/// request is real (the counter lab counts each); above, the rest are counted like them.
pub(crate) const PER_SLICE: usize = 500;

/// The requests each slice sends first, to tell the rate.
pub(crate) const PROBE: usize = 10;

/// Where a load test's requests go: from machine `m`, or from its container `from` (Locust
/// runs in one, so names are the container's networks').
pub(crate) struct Target<'a> {
    pub(crate) m: MachineId,
    pub(crate) from: Option<&'a str>,
    pub(crate) u: &'a crate::net::Url,
    pub(crate) call: &'a swarm_core::network::HttpCall,
    pub(crate) head: bool,
}

impl Target<'_> {
    /// Sends `k` requests through the cluster.
    pub(crate) fn send(
        &self,
        world: &std::rc::Rc<std::cell::RefCell<swarm_core::World>>,
        k: usize,
    ) -> Vec<Sample> {
        let (m, u) = (self.m, self.u);
        let mut samples = Vec::with_capacity(k);
        for _ in 0..k {
            let r = world
                .borrow_mut()
                .http_request(m, self.from, &u.host, u.port, self.call);
            let w = world.borrow();
            samples.push(match r {
                Ok(out) => {
                    let (sm, cid) = &out.served_by;
                    let image = w
                        .container(*sm, cid)
                        .map(|c| c.config.image.clone())
                        .unwrap_or_default();
                    let rtt = if *sm == m { 0.25 } else { 0.55 };
                    let s = service_ms(&image) / cpu_share(&w, *sm, cid);
                    let size = if self.head { 0 } else { out.reply.body.len() };
                    let headers = out.reply.header_block();
                    let software = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("Server"))
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    let status_line = format!(
                        "HTTP/1.1 {} {}\r\n",
                        out.reply.status,
                        crate::net::reason(out.reply.status)
                    );
                    let head_bytes = status_line.len()
                        + headers
                            .iter()
                            .map(|(k, v)| k.len() + v.len() + 4)
                            .sum::<usize>()
                        + 2;
                    Sample {
                        result: Ok((out.reply.status, size)),
                        base_ms: rtt + s,
                        server: Some(out.served_by.clone()),
                        head_bytes,
                        software,
                    }
                }
                Err(e) => Sample {
                    base_ms: if e == swarm_core::network::HttpError::Timeout {
                        20_000.0
                    } else {
                        0.2
                    },
                    result: Err(e),
                    server: None,
                    head_bytes: 0,
                    software: String::new(),
                },
            });
        }
        samples
    }
}

/// Go's error text for a request that got no answer (hey's error distribution).
fn go_error(url: &str, u: &crate::net::Url, e: &swarm_core::network::HttpError) -> String {
    use swarm_core::network::HttpError;
    let addr = if u.host == "localhost" {
        format!("[::1]:{}", u.port)
    } else {
        format!("{}:{}", u.host, u.port)
    };
    match e {
        HttpError::CouldNotResolve => format!(
            "Get \"{url}\": dial tcp: lookup {} on 192.168.0.1:53: no such host",
            u.host
        ),
        HttpError::Timeout => format!(
            "Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        ),
        HttpError::EmptyReply => format!("Get \"{url}\": EOF"),
        _ => format!("Get \"{url}\": dial tcp {addr}: connect: connection refused"),
    }
}

/// The samples' mean base latency (ms) and what the tasks that answered can serve a second:
/// each task's own rate (its service time, without the network) over its share of the
/// round-robin, the slowest one holding the others back.
pub(crate) fn capacity(samples: &[Sample]) -> (f64, f64) {
    let mean_base = samples.iter().map(|s| s.base_ms).sum::<f64>() / samples.len().max(1) as f64;
    let mut per_server: Vec<(&(MachineId, String), usize, f64)> = Vec::new();
    for s in samples {
        if let Some(k) = &s.server {
            match per_server.iter_mut().find(|(x, ..)| *x == k) {
                Some(e) => e.1 += 1,
                None => per_server.push((k, 1, s.base_ms)),
            }
        }
    }
    let served: usize = per_server.iter().map(|e| e.1).sum();
    let capacity = per_server
        .iter()
        .map(|(_, count, base)| {
            let share = *count as f64 / served.max(1) as f64;
            1000.0 / (base - 0.2).max(0.05) / share
        })
        .fold(f64::INFINITY, f64::min);
    (mean_base, capacity)
}

/// Requests per second and how much the latencies stretch beyond their base: `c` workers
/// each waiting for its answer, capped by the tasks' [`capacity`] and by `-q` per worker.
fn rate(samples: &[Sample], c: usize, q: f64) -> (f64, f64) {
    let (mean_base, capacity) = capacity(samples);
    let mut rps = (c as f64 * 1000.0 / mean_base.max(0.01)).min(capacity);
    if q > 0.0 {
        rps = rps.min(q * c as f64);
    }
    let stretch = (c as f64 * 1000.0 / rps / mean_base.max(0.01)).max(1.0);
    (rps.max(0.001), stretch)
}

/// `hey [options] URL`.
pub(crate) async fn hey(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut n: usize = 200;
    let mut c: usize = 50;
    let mut q: f64 = 0.0;
    let mut z: Option<u64> = None;
    let mut method = "GET".to_string();
    let mut url: Option<String> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        let flag = a.trim_start_matches('-');
        if !a.starts_with('-') || a.len() == 1 {
            if url.is_none() {
                url = Some(a.clone());
            }
            continue;
        }
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (flag, None),
        };
        let takes = matches!(
            flag,
            "n" | "c"
                | "q"
                | "z"
                | "o"
                | "m"
                | "H"
                | "t"
                | "A"
                | "d"
                | "D"
                | "T"
                | "a"
                | "x"
                | "host"
                | "cpus"
        );
        let value = if takes {
            match inline.or_else(|| {
                i += 1;
                args.get(i - 1).cloned()
            }) {
                Some(v) => v,
                None => {
                    return usage_error(io, &format!("flag needs an argument: -{flag}"));
                }
            }
        } else {
            String::new()
        };
        let bad = |io: &Io| {
            usage_error(
                io,
                &format!("invalid value \"{value}\" for flag -{flag}: parse error"),
            )
        };
        match flag {
            "n" => match value.parse() {
                Ok(v) => n = v,
                Err(_) => return bad(io),
            },
            "c" => match value.parse() {
                Ok(v) => c = v,
                Err(_) => return bad(io),
            },
            "q" => match value.parse() {
                Ok(v) => q = v,
                Err(_) => return bad(io),
            },
            "z" => match parse_duration(&value) {
                Some(v) => z = Some(v),
                None => {
                    return usage_error(
                        io,
                        &format!("invalid value \"{value}\" for flag -z: parse error"),
                    )
                }
            },
            "m" => method = value.to_uppercase(),
            "o" | "H" | "t" | "A" | "d" | "D" | "T" | "a" | "x" | "host" | "cpus" => {}
            "h2" | "disable-compression" | "disable-keepalive" | "disable-redirects" => {}
            "h" | "help" => return usage_error(io, ""),
            other => {
                return usage_error(io, &format!("flag provided but not defined: -{other}"));
            }
        }
    }
    let Some(url) = url else {
        return usage_error(io, "");
    };
    if z.is_none() {
        if n == 0 || c == 0 {
            return usage_error(io, "-n and -c cannot be smaller than 1.");
        }
        if n < c {
            return usage_error(io, "-n cannot be less than -c.");
        }
    } else if c == 0 {
        return usage_error(io, "-n and -c cannot be smaller than 1.");
    }
    let scheme = url.starts_with("http://") || url.starts_with("https://");
    let Some(u) = crate::net::parse_url(&url).filter(|_| scheme) else {
        io.err.write(&format!(
            "Get \"{url}\": unsupported protocol scheme \"\"\n"
        ));
        return 1;
    };
    let m = interp.session.borrow().machine();
    let call = swarm_core::network::HttpCall {
        method: method.clone(),
        path: u.path.clone(),
        body: String::new(),
        headers: vec![("User-Agent".into(), "hey/0.0.1".into())],
        tls: u.tls,
    };
    let target = Target {
        m,
        from: None,
        u: &u,
        call: &call,
        head: method == "HEAD",
    };
    let mut run = load(interp, &target, &url, n, z, c, q).await;
    let total_ms = run.elapsed_ms + 0.5 + unit(run.sent as u64) * 2.0;
    io.out.write(&report(
        total_ms / 1000.0,
        run.sent,
        &mut run.lats,
        run.size_total,
        &mut run.codes,
        &mut run.errors,
    ));
    0
}

/// ab 2.3's usage (apache2-utils).
const AB_USAGE: &str = "Usage: ab [options] [http[s]://]hostname[:port]/path
Options are:
    -n requests     Number of requests to perform
    -c concurrency  Number of multiple requests to make at a time
    -t timelimit    Seconds to max. to spend on benchmarking
                    This implies -n 50000
    -s timeout      Seconds to max. wait for each response
                    Default is 30 seconds
    -b windowsize   Size of TCP send/receive buffer, in bytes
    -B address      Address to bind to when making outgoing connections
    -p postfile     File containing data to POST. Remember also to set -T
    -u putfile      File containing data to PUT. Remember also to set -T
    -T content-type Content-type header to use for POST/PUT data, eg.
                    'application/x-www-form-urlencoded'
                    Default is 'text/plain'
    -v verbosity    How much troubleshooting info to print
    -w              Print out results in HTML tables
    -i              Use HEAD instead of GET
    -x attributes   String to insert as table attributes
    -y attributes   String to insert as tr attributes
    -z attributes   String to insert as td or th attributes
    -C attribute    Add cookie, eg. 'Apache=1234'. (repeatable)
    -H attribute    Add Arbitrary header line, eg. 'Accept-Encoding: gzip'
                    Inserted after all normal header lines. (repeatable)
    -A attribute    Add Basic WWW Authentication, the attributes
                    are a colon separated username and password.
    -P attribute    Add Basic Proxy Authentication, the attributes
                    are a colon separated username and password.
    -X proxy:port   Proxyserver and port number to use
    -V              Print version number and exit
    -k              Use HTTP KeepAlive feature
    -d              Do not show percentiles served table.
    -S              Do not show confidence estimators and warnings.
    -q              Do not show progress when doing more than 150 requests
    -l              Accept variable document length (use this for dynamic pages)
    -g filename     Output collected data to gnuplot format file.
    -e filename     Output CSV file with percentages served
    -r              Don't exit on socket receive errors.
    -m method       Method name
    -h              Display usage information (this message)
    -I              Disable TLS Server Name Indication (SNI) extension
    -L              Use TLS renegotiation
    -4              Use IPv4 only
    -6              Use IPv6 only
";

const AB_BANNER: &str = "This is ApacheBench, Version 2.3 <$Revision: 1923142 $>
Copyright 1996 Adam Twiss, Zeus Technology Ltd, http://www.zeustech.net/
Licensed to The Apache Software Foundation, http://www.apache.org/
";

/// What the host's `ab` binary holds once `apk add apache2-utils` installed it.
pub(crate) const AB_BINARY: &[u8] =
    b"\x7fELF\x02\x01\x01\x00 swarm-playground: ApacheBench 2.3 (apache2-utils 2.4.65)\n";

/// `ab [options] URL`: ApacheBench, its requests through the cluster as hey's
/// ([`load`]), its report from what they saw.
pub(crate) async fn ab(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut n: usize = 1;
    let mut c: usize = 1;
    let mut t: Option<u64> = None;
    let mut head = false;
    let mut keepalive = false;
    let mut quiet = false;
    let mut variable = false;
    let mut method: Option<String> = None;
    let mut url: Option<String> = None;
    let usage = |io: &Io, msg: &str| {
        io.err.write(msg);
        io.err.write(AB_USAGE);
        22
    };
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) else {
            if url.is_some() {
                return usage(io, "ab: wrong number of arguments\n");
            }
            url = Some(a.clone());
            continue;
        };
        for (k, ch) in flags.char_indices() {
            let takes = "ncstbBpuTvxyzCHAPXgemf".contains(ch);
            if !takes {
                match ch {
                    'i' => head = true,
                    'k' => keepalive = true,
                    'q' => quiet = true,
                    'l' => variable = true,
                    'w' | 'd' | 'S' | 'r' | 'I' | 'L' | '4' | '6' => {}
                    'V' => {
                        io.out.write(AB_BANNER);
                        io.out.write("\n");
                        return 0;
                    }
                    'h' => return usage(io, ""),
                    other => return usage(io, &format!("ab: invalid option -- '{other}'\n")),
                }
                continue;
            }
            let Some(value) = crate::util::short_value(&flags[k + ch.len_utf8()..], args, &mut i)
            else {
                return usage(io, &format!("ab: option requires an argument -- '{ch}'\n"));
            };
            match ch {
                'n' => match value.parse::<usize>() {
                    Ok(v) if v > 0 => n = v,
                    _ => return usage(io, "ab: Invalid number of requests\n"),
                },
                'c' => match value.parse::<usize>() {
                    Ok(v) if v > 0 => c = v,
                    _ => return usage(io, "ab: Invalid Concurrency [Range 0..20000]\n"),
                },
                't' => match value.parse::<u64>() {
                    Ok(v) => {
                        t = Some(v * 1000);
                        n = 50_000;
                    }
                    Err(_) => return usage(io, ""),
                },
                'm' => method = Some(value.to_uppercase()),
                _ => {}
            }
            break;
        }
    }
    let Some(url) = url else {
        return usage(io, "ab: wrong number of arguments\n");
    };
    if c > n {
        io.err
            .write("ab: Cannot use concurrency level greater than total number of requests\n");
        io.err.write(AB_USAGE);
        return 22;
    }
    let parsed = crate::net::parse_url(&url).filter(|_| {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .unwrap_or(&url);
        rest.contains('/')
    });
    let Some(u) = parsed else {
        return usage(io, "ab: invalid URL\n");
    };
    io.out.write(AB_BANNER);
    io.out.write("\n");
    let progress = n > 150 && !quiet;
    io.out.write(&format!(
        "Benchmarking {} (be patient){}",
        u.host,
        if progress { "\n" } else { "..." }
    ));
    let m = interp.session.borrow().machine();
    let method = method.unwrap_or_else(|| if head { "HEAD".into() } else { "GET".into() });
    let call = swarm_core::network::HttpCall {
        method: method.clone(),
        path: u.path.clone(),
        body: String::new(),
        headers: vec![("User-Agent".into(), "ApacheBench/2.3".into())],
        tls: u.tls,
    };
    let target = Target {
        m,
        from: None,
        u: &u,
        call: &call,
        head: method == "HEAD",
    };
    let run = load(interp, &target, &url, n, t, c, 0.0).await;
    if run.lats.is_empty() {
        // Nothing answered: ab stops at the first failed connection.
        let (text, code) = match run.errors.first().map(|e| e.0.as_str()) {
            Some(e) if e.contains("no such host") => (
                format!(
                    "apr_sockaddr_info_get() for {}: Name or service not known (-3008)\n",
                    u.host
                ),
                1,
            ),
            Some(e) if e.contains("deadline") => (
                "apr_pollset_poll: The timeout specified has expired (70007)\n".to_string(),
                1,
            ),
            _ => (
                "apr_socket_recv: Connection refused (111)\n".to_string(),
                111,
            ),
        };
        io.err.write(&text);
        return code;
    }
    if progress {
        let step = (n / 10).max(100);
        let mut done = step;
        while done < run.sent {
            io.err.write(&format!("Completed {done} requests\n"));
            done += step;
        }
        io.err.write(&format!("Finished {} requests\n", run.sent));
    } else {
        io.out.write("..done\n");
    }
    io.out.write(&ab_report(&u, &run, c, keepalive, variable));
    0
}

/// ab's results for a load test.
fn ab_report(u: &crate::net::Url, run: &Load, c: usize, keepalive: bool, variable: bool) -> String {
    let done = run.lats.len();
    let secs = ((run.elapsed_ms + 0.5 + unit(run.sent as u64) * 2.0) / 1000.0).max(0.001);
    let doc_len = run.first_size.unwrap_or(0);
    let failed = if variable { 0 } else { run.length_failures };
    let exceptions = run.sent - done;
    let non_2xx: usize = run
        .codes
        .iter()
        .filter(|(code, _)| !(200..300).contains(code))
        .map(|e| e.1)
        .sum();
    let total_bytes = run.head_total + run.size_total;
    let mut s = format!(
        "\n\nServer Software:        {}\nServer Hostname:        {}\nServer Port:            {}\n",
        run.software, u.host, u.port
    );
    if u.tls {
        s.push_str("SSL/TLS Protocol:       TLSv1.3,TLS_AES_256_GCM_SHA384,2048,256\n");
    }
    s.push_str(&format!(
        "\nDocument Path:          {}\nDocument Length:        {doc_len} bytes{}\n\nConcurrency Level:      {c}\nTime taken for tests:   {secs:.3} seconds\nComplete requests:      {done}\nFailed requests:        {}\n",
        u.path,
        if variable { " (Variable)" } else { "" },
        failed + exceptions,
    ));
    if failed + exceptions > 0 {
        s.push_str(&format!(
            "   (Connect: 0, Receive: 0, Length: {failed}, Exceptions: {exceptions})\n"
        ));
    }
    if non_2xx > 0 {
        s.push_str(&format!("Non-2xx responses:      {non_2xx}\n"));
    }
    if keepalive {
        s.push_str(&format!("Keep-Alive requests:    {done}\n"));
    }
    s.push_str(&format!(
        "Total transferred:      {total_bytes} bytes\nHTML transferred:       {} bytes\nRequests per second:    {:.2} [#/sec] (mean)\nTime per request:       {:.3} [ms] (mean)\nTime per request:       {:.3} [ms] (mean, across all concurrent requests)\nTransfer rate:          {:.2} [Kbytes/sec] received\n",
        run.size_total,
        done as f64 / secs,
        c as f64 * secs * 1000.0 / done as f64,
        secs * 1000.0 / done as f64,
        total_bytes as f64 / 1024.0 / secs,
    ));
    // Connection times in whole ms, as ab keeps them.
    let mut ms: Vec<f64> = run.lats.iter().map(|l| l * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let stats = |v: &[f64]| {
        let n = v.len().max(1) as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt();
        // ab rounds its microseconds to whole ms (`ap_round_ms`).
        let ms = |x: f64| x.round() as u64;
        let min = ms(v.first().copied().unwrap_or(0.0));
        let max = ms(v.last().copied().unwrap_or(0.0));
        let median = ms(v.get(v.len() / 2).copied().unwrap_or(0.0));
        format!("{min:5} {:4} {sd:5.1} {median:6} {max:7}", ms(mean))
    };
    let connect: Vec<f64> = ms
        .iter()
        .map(|x| if *x > 5.0 { 1.0 } else { 0.0 })
        .collect();
    let waiting: Vec<f64> = ms.iter().map(|x| x * 0.97).collect();
    s.push_str(&format!(
        "\nConnection Times (ms)\n              min  mean[+/-sd] median   max\nConnect:    {}\nProcessing: {}\nWaiting:    {}\nTotal:      {}\n",
        stats(&connect),
        stats(&ms),
        stats(&waiting),
        stats(&ms),
    ));
    s.push_str("\nPercentage of the requests served within a certain time (ms)\n");
    for p in [50usize, 66, 75, 80, 90, 95, 98, 99, 100] {
        let idx = if p == 100 {
            ms.len() - 1
        } else {
            (ms.len() * p / 100).min(ms.len() - 1)
        };
        let v = ms[idx].round() as u64;
        if p == 100 {
            s.push_str(&format!(" 100%  {v:5} (longest request)\n"));
        } else {
            s.push_str(&format!("  {p}%  {v:5}\n"));
        }
    }
    s
}

/// What a load test saw: each request's latency (s), its status counts, its errors, the body
/// bytes, how many it sent and the simulated time it took; for ab, the size of the first
/// answer, how many answers differed in length, the header bytes and the server's name.
struct Load {
    lats: Vec<f64>,
    codes: Vec<(u16, usize)>,
    errors: Vec<(String, usize)>,
    size_total: usize,
    sent: usize,
    elapsed_ms: f64,
    first_size: Option<usize>,
    length_failures: usize,
    head_total: usize,
    pub(crate) software: String,
}

/// Sends `n` requests (or, with `z`, as many as fit in `z` ms) from `c` workers at most `q`
/// a second each, letting the simulated time pass.
async fn load(
    interp: &Interp,
    target: &Target<'_>,
    url: &str,
    n: usize,
    z: Option<u64>,
    c: usize,
    q: f64,
) -> Load {
    let world = interp.world();
    // The test runs in slices of about a second of simulated time: each slice sends its
    // share of real requests, counts the rest like them, then lets the slice's time pass
    // (so a task that fails during the test shows in the results).
    let mut lats: Vec<f64> = Vec::new();
    let mut codes: Vec<(u16, usize)> = Vec::new();
    let mut errors: Vec<(String, usize)> = Vec::new();
    let mut size_total = 0usize;
    let mut sent = 0usize;
    let mut elapsed_ms = 0f64;
    let mut slice = 0u64;
    let mut first_size: Option<usize> = None;
    let mut length_failures = 0usize;
    let mut head_total = 0usize;
    let mut software = String::new();
    loop {
        // A few requests tell the rate; then the slice's others, up to PER_SLICE, for real.
        let left = if z.is_some() {
            usize::MAX
        } else {
            n.saturating_sub(sent)
        };
        let mut samples = target.send(&world, PROBE.min(left));
        let first = rate(&samples, c, q);
        let (slice_ms, count) = match z {
            Some(total) => {
                let ms = (total as f64 - elapsed_ms).min(1000.0);
                (ms, ((first.0 * ms / 1000.0).round() as usize).max(1))
            }
            None => {
                let k = ((first.0).ceil() as usize).clamp(1, left);
                (k as f64 * 1000.0 / first.0, k)
            }
        };
        let more = count.min(PER_SLICE).saturating_sub(samples.len());
        samples.extend(target.send(&world, more));
        let rate = (first.0, rate(&samples, c, q).1);
        let texts: Vec<String> = samples
            .iter()
            .map(|s| {
                s.result
                    .as_ref()
                    .err()
                    .map_or_else(String::new, |e| go_error(url, target.u, e))
            })
            .collect();
        for k in 0..count {
            let s = &samples[k % samples.len()];
            let seed = (slice << 32) + k as u64;
            match &s.result {
                Ok((code, size)) => {
                    let first_len = *first_size.get_or_insert(*size);
                    if *size != first_len {
                        length_failures += 1;
                    }
                    head_total += s.head_bytes;
                    if software.is_empty() {
                        software = s.software.clone();
                    }
                    let tail = if unit(seed * 2 + 2) < 0.01 { 3.0 } else { 1.0 };
                    let ms = s.base_ms * rate.1 * (0.55 + 0.9 * unit(seed * 2 + 1)) * tail;
                    lats.push(ms / 1000.0);
                    size_total += size;
                    match codes.iter_mut().find(|(x, _)| x == code) {
                        Some(e) => e.1 += 1,
                        None => codes.push((*code, 1)),
                    }
                }
                Err(_) => {
                    let text = &texts[k % samples.len()];
                    match errors.iter_mut().find(|(x, _)| x == text) {
                        Some(e) => e.1 += 1,
                        None => errors.push((text.clone(), 1)),
                    }
                }
            }
        }
        sent += count;
        elapsed_ms += slice_ms;
        slice += 1;
        interp
            .sleep(SimDuration::from_millis(slice_ms.round() as u64))
            .await;
        let done = match z {
            Some(total) => elapsed_ms >= total as f64 - 0.5,
            None => sent >= n,
        };
        if done || interp.stopped() {
            break;
        }
    }
    Load {
        lats,
        codes,
        errors,
        size_total,
        sent,
        elapsed_ms,
        first_size,
        length_failures,
        head_total,
        software,
    }
}

/// hey's summary (its `defaultTmpl`, then the newline `print` adds).
fn report(
    total: f64,
    count: usize,
    lats: &mut [f64],
    size_total: usize,
    codes: &mut [(u16, usize)],
    errors: &mut [(String, usize)],
) -> String {
    let f = |x: f64| format!("{x:4.4}");
    let got = lats.len();
    let avg = if got == 0 {
        f64::NAN
    } else {
        lats.iter().sum::<f64>() / got as f64
    };
    lats.sort_by(f64::total_cmp);
    let fastest = lats.first().copied().unwrap_or(0.0);
    let slowest = lats.last().copied().unwrap_or(0.0);
    let mut s = format!(
        "\nSummary:\n  Total:\t{} secs\n  Slowest:\t{} secs\n  Fastest:\t{} secs\n  Average:\t{} secs\n  Requests/sec:\t{}\n  ",
        f(total),
        f(slowest),
        f(fastest),
        if avg.is_nan() { "NaN".into() } else { f(avg) },
        f(count as f64 / total)
    );
    if size_total > 0 {
        s.push_str(&format!(
            "\n  Total data:\t{size_total} bytes\n  Size/request:\t{} bytes",
            size_total / got.max(1)
        ));
    }
    s.push_str("\n\nResponse time histogram:\n");
    if got > 0 {
        let bs = (slowest - fastest) / 10.0;
        let marks: Vec<f64> = (0..=10)
            .map(|i| {
                if i == 10 {
                    slowest
                } else {
                    fastest + bs * i as f64
                }
            })
            .collect();
        let mut counts = [0usize; 11];
        let mut bi = 0;
        let mut i = 0;
        while i < lats.len() {
            if lats[i] <= marks[bi] {
                counts[bi] += 1;
                i += 1;
            } else if bi < 10 {
                bi += 1;
            } else {
                break;
            }
        }
        let max = counts.iter().copied().max().unwrap_or(0);
        for (mark, n) in marks.iter().zip(counts) {
            let bar = (n * 40 + max / 2).checked_div(max).unwrap_or(0);
            s.push_str(&format!("  {mark:4.3} [{n}]\t|{}\n", "■".repeat(bar)));
        }
    }
    s.push_str("\n\nLatency distribution:");
    let pctls = [10usize, 25, 50, 75, 90, 95, 99];
    let mut data = [0f64; 7];
    let mut j = 0;
    for (i, l) in lats.iter().enumerate() {
        if j >= pctls.len() {
            break;
        }
        if i * 100 / got >= pctls[j] {
            data[j] = *l;
            j += 1;
        }
    }
    // No answers at all: hey leaves the distribution out.
    for (p, d) in pctls.iter().zip(data).filter(|_| got > 0) {
        if d > 0.0 {
            s.push_str(&format!("\n  {p}% in {} secs", f(d)));
        } else {
            s.push_str("\n  0% in 0.0000 secs");
        }
    }
    // The stages: the connection once per worker, the rest is the wait for the answer.
    let avg_or_zero = if avg.is_nan() { 0.0 } else { avg };
    // hey divides by the number of answers: with none, every average is NaN.
    let share = |k: f64| {
        if got == 0 {
            "NaN".to_string()
        } else {
            f(avg * k)
        }
    };
    let wait = avg_or_zero * 0.97;
    s.push_str(&format!(
        "\n\nDetails (average, fastest, slowest):\n  DNS+dialup:\t{} secs, {} secs, {} secs\n  DNS-lookup:\t{} secs, 0.0000 secs, {} secs\n  req write:\t{} secs, 0.0000 secs, {} secs\n  resp wait:\t{} secs, {} secs, {} secs\n  resp read:\t{} secs, 0.0000 secs, {} secs\n\nStatus code distribution:",
        share(0.01),
        f(fastest),
        f(slowest),
        share(0.0),
        f(if got > 0 { 0.0003 } else { 0.0 }),
        share(0.0),
        f(if got > 0 { 0.0002 } else { 0.0 }),
        if got == 0 { share(0.0) } else { f(wait) },
        f(fastest * 0.95),
        f(slowest * 0.98),
        share(0.01),
        f(if got > 0 { 0.0011 } else { 0.0 }),
    ));
    codes.sort_by_key(|e| e.0);
    for (code, n) in codes.iter() {
        s.push_str(&format!("\n  [{code}]\t{n} responses"));
    }
    s.push_str("\n\n");
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.0.cmp(&b.0));
        s.push_str("Error distribution:");
        for (e, n) in errors.iter() {
            s.push_str(&format!("\n  [{n}]\t{e}"));
        }
    }
    s.push_str("\n\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_print_as_curl_and_busybox_do() {
        assert_eq!(curl_size(59), "59");
        assert_eq!(curl_size(HEY_SIZE), "8888k");
        assert_eq!(curl_size(13_002_605), "12.4M");
        assert_eq!(busybox_size(99_999), "99999");
        assert_eq!(busybox_size(HEY_SIZE), "8888k");
        assert_eq!(busybox_size(12_900_000), "12.3M");
    }

    #[test]
    fn durations_parse_as_go_does() {
        assert_eq!(parse_duration("30s"), Some(30_000));
        assert_eq!(parse_duration("1m30s"), Some(90_000));
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("x"), None);
    }

    #[test]
    fn the_report_counts_every_request_once() {
        let mut lats: Vec<f64> = (1..=100).map(|i| f64::from(i) / 1000.0).collect();
        let mut codes = vec![(200u16, 90usize), (500, 10)];
        let text = report(1.0, 100, &mut lats, 1000, &mut codes, &mut []);
        assert!(text.contains("  Requests/sec:\t100.0000\n"), "{text}");
        assert!(
            text.contains("  [200]\t90 responses\n  [500]\t10 responses"),
            "{text}"
        );
        assert!(text.contains("  50% in 0.0510 secs"), "{text}");
        assert!(text.contains("  Size/request:\t10 bytes"), "{text}");
    }
}
