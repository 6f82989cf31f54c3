//! What a container's image has besides files: its own program's version answers (`nginx -v`,
//! `node -v`, `java -version`, `python --version`, `redis-server --version`, `psql --version`),
//! taken from the versions the image's environment declares (`NGINX_VERSION`, `NODE_VERSION`
//! …, the same the program's banner uses), and the system tools of its distribution (`free`,
//! `df`, `top -bn1`, `hostname -i`, `uname -a`) with BusyBox's or GNU/procps' texts. A common
//! tool the distribution does not ship is not found (`nslookup` in Debian slim).

use swarm_core::catalog::Image;
use swarm_core::container::Container;
use swarm_core::distro::Distro;
use swarm_core::machine::build;

/// (stdout, stderr, status).
pub(crate) type Outcome = (String, String, i32);

fn ok(s: String) -> Option<Outcome> {
    Some((s, String::new(), 0))
}

fn env_value<'a>(image: Option<&'a Image>, c: &'a Container, key: &str) -> Option<&'a str> {
    let prefix = format!("{key}=");
    c.config
        .env
        .iter()
        .chain(image.map(|i| i.env.iter()).into_iter().flatten())
        .find_map(|e| e.strip_prefix(prefix.as_str()))
        .filter(|v| !v.is_empty())
}

/// The distribution of container `c`'s image.
pub(crate) fn distro_of(c: &Container) -> Distro {
    swarm_core::catalog::Catalog::get()
        .lookup_or_id(&c.config.image, &c.image_id)
        .map(|i| i.distro.clone())
        .unwrap_or_else(|| Distro::guess(&c.config.image))
}

/// Every program the playground knows the name of that an image may lack: a command of this
/// name the distribution does not ship is not found.
const KNOWN_TOOLS: &[&str] = &[
    "ps", "free", "top", "df", "nslookup", "dig", "ping", "ip", "ifconfig", "netstat", "pgrep",
    "pkill", "killall", "watch", "less", "vi", "bash", "which", "stat", "uptime", "seq", "date",
    "head", "tail", "grep", "sed", "awk", "wc", "sort", "uniq", "cut", "tr", "tee", "xargs",
    "find", "kill", "hostname", "nc", "route", "curl", "od",
];

/// An image's own program answering a version question, or a system tool; `None` when it is
/// for someone else (the caller's table, then runc's `executable file not found`).
pub(crate) fn run(
    c: &Container,
    image: Option<&Image>,
    distro: &Distro,
    name: &str,
    args: &[String],
    hosts: Option<&str>,
    installed: &[&str],
) -> Option<Outcome> {
    if let Some(r) = program(c, image, distro, name, args) {
        return Some(r);
    }
    if KNOWN_TOOLS.contains(&name) && !has_program(image, distro, installed, name) {
        return Some(not_found(name));
    }
    match name {
        "free" => Some(free(args, distro.is_busybox())),
        "df" => Some(df(args, distro.is_busybox())),
        "top" => Some(top(c, args, distro.is_busybox())),
        "hostname" if args.iter().any(|a| a == "-i" || a == "-I") => {
            let ips: Vec<&str> = hosts
                .unwrap_or("")
                .lines()
                .filter(|l| l.split_whitespace().skip(1).any(|n| n == c.config.hostname))
                .filter_map(|l| l.split_whitespace().next())
                .collect();
            if ips.is_empty() {
                let h = &c.config.hostname;
                return Some(if distro.is_busybox() {
                    (String::new(), format!("hostname: bad address '{h}'\n"), 1)
                } else {
                    (
                        String::new(),
                        "hostname: Name or service not known\n".into(),
                        1,
                    )
                });
            }
            if args.iter().any(|a| a == "-I") && !distro.is_busybox() {
                return ok(format!("{} \n", ips.join(" ")));
            }
            ok(format!("{}\n", ips.join(" ")))
        }
        "uname" if args.iter().any(|a| a == "-a") => ok(format!(
            "Linux {} {} #1 SMP PREEMPT_DYNAMIC x86_64 {}\n",
            c.config.hostname,
            build::KERNEL,
            distro.uname_os()
        )),
        _ => None,
    }
}

/// The image has curl: Debian-based images as the playground runs them, an Alpine or BusyBox
/// one only when it adds curl (nginx:alpine, curlimages/curl) or `apk add curl` installed it.
fn has_curl(image: Option<&Image>, distro: &Distro) -> bool {
    if !distro.is_busybox() {
        return !matches!(distro.family, swarm_core::distro::Family::Scratch);
    }
    image.is_some_and(|i| {
        let repo = i.repository.rsplit('/').next().unwrap_or(&i.repository);
        matches!(repo, "nginx" | "curl" | "netshoot")
    })
}

/// The container has program `name`: its distribution's tool, one its image adds, one a
/// package manager installed, its package manager, or the image's own program.
pub(crate) fn has_program(
    image: Option<&Image>,
    distro: &Distro,
    installed: &[&str],
    name: &str,
) -> bool {
    use swarm_core::distro::Family;
    if name == "curl" {
        return has_curl(image, distro) || installed.contains(&name);
    }
    let manager = match distro.family {
        Family::Alpine => name == "apk",
        Family::Debian | Family::Ubuntu => matches!(name, "apt-get" | "apt" | "dpkg"),
        _ => false,
    };
    let own = image.is_some_and(|i| {
        i.entrypoint
            .iter()
            .chain(i.cmd.first())
            .any(|p| p.rsplit('/').next() == Some(name))
    });
    manager
        || own
        || distro.has_tool(name)
        || image.is_some_and(|i| i.tools.iter().any(|t| t == name))
        || installed.contains(&name)
}

/// The tools of the packages a package manager installed in the container (the package names
/// in `/var/lib/dpkg/status` or `/etc/apk/world`).
pub(crate) fn installed_tools(dpkg_status: &str, apk_world: &str) -> Vec<&'static str> {
    const TOOLS: &[(&str, &[&str])] = &[
        ("iputils-ping", &["ping"]),
        ("dnsutils", &["dig", "nslookup"]),
        ("bind-tools", &["dig", "nslookup"]),
        ("net-tools", &["ifconfig", "netstat", "route"]),
        ("curl", &["curl"]),
        ("iproute2", &["ip"]),
        ("netcat-openbsd", &["nc"]),
        (
            "procps",
            &[
                "ps", "free", "top", "kill", "pgrep", "pkill", "uptime", "watch",
            ],
        ),
        ("vim", &["vi"]),
        ("bash", &["bash"]),
    ];
    let mut out = Vec::new();
    let packages = dpkg_status
        .lines()
        .filter_map(|l| l.strip_prefix("Package: "))
        .chain(apk_world.lines());
    for p in packages {
        if let Some((_, tools)) = TOOLS.iter().find(|(n, _)| *n == p.trim()) {
            out.extend_from_slice(tools);
        }
    }
    out
}

/// runc's answer for a program that is not there (the shell turns it into its own text).
pub(crate) fn not_found(name: &str) -> Outcome {
    (
        String::new(),
        format!("OCI runtime exec failed: exec failed: unable to start container process: exec: \"{name}\": executable file not found in $PATH: unknown\n"),
        127,
    )
}

/// What an image's own program answers by itself and then ends (`redis-server --version`,
/// `node -v`, `psql --version`): the answer `docker exec` gives, without the not-emulated
/// rest (a server, a script), which is for the caller to run.
pub(crate) fn answer(
    c: &Container,
    image: Option<&Image>,
    distro: &Distro,
    name: &str,
    args: &[String],
) -> Option<Outcome> {
    program(c, image, distro, name, args).filter(|r| *r != not_emulated(name).unwrap_or_default())
}

/// The playground answers only the version questions of an image's programs.
fn not_emulated(name: &str) -> Option<Outcome> {
    Some((
        String::new(),
        format!("{name}: not emulated by Swarm Playground yet\n"),
        1,
    ))
}

/// `python -c 'print(…)'` of a string literal or of integer arithmetic (`+ - * // %`, brackets):
/// the printed line; `None` for any other program.
fn python_print(code: &str) -> Option<String> {
    let inner = code
        .trim()
        .strip_prefix("print(")?
        .strip_suffix(')')?
        .trim();
    for q in ['\'', '"'] {
        if let Some(text) = inner.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return (!text.contains([q, '\\'])).then(|| text.to_string());
        }
    }
    let tokens: Vec<String> = {
        let mut t = Vec::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                ' ' => {}
                '0'..='9' => {
                    let mut n = c.to_string();
                    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                        n.push(*d);
                        chars.next();
                    }
                    t.push(n);
                }
                '/' if chars.peek() == Some(&'/') => {
                    chars.next();
                    t.push("//".into());
                }
                '+' | '-' | '*' | '%' | '(' | ')' => t.push(c.to_string()),
                _ => return None,
            }
        }
        t
    };
    fn expr(t: &[String], i: &mut usize) -> Option<i128> {
        let mut v = term(t, i)?;
        while let Some(op) = t.get(*i).filter(|o| *o == "+" || *o == "-") {
            *i += 1;
            let r = term(t, i)?;
            v = if op == "+" {
                v.checked_add(r)?
            } else {
                v.checked_sub(r)?
            };
        }
        Some(v)
    }
    fn term(t: &[String], i: &mut usize) -> Option<i128> {
        let mut v = atom(t, i)?;
        while let Some(op) = t.get(*i).filter(|o| matches!(o.as_str(), "*" | "//" | "%")) {
            *i += 1;
            let r = atom(t, i)?;
            v = match op.as_str() {
                "*" => v.checked_mul(r)?,
                "//" => v.checked_div_euclid(r)?,
                _ => v.checked_rem_euclid(r)?,
            };
        }
        Some(v)
    }
    fn atom(t: &[String], i: &mut usize) -> Option<i128> {
        let tok = t.get(*i)?;
        *i += 1;
        match tok.as_str() {
            "-" => atom(t, i)?.checked_neg(),
            "(" => {
                let v = expr(t, i)?;
                (t.get(*i)? == ")").then_some(())?;
                *i += 1;
                Some(v)
            }
            n => n.parse().ok(),
        }
    }
    let mut i = 0;
    let v = expr(&tokens, &mut i)?;
    (i == tokens.len()).then(|| v.to_string())
}

/// Java builds: (version, GA date, build number) of the `openjdk` images the catalog has.
const JAVA_BUILDS: &[(&str, &str, &str)] = &[("11.0.6", "2020-01-14", "10")];

fn program(
    c: &Container,
    image: Option<&Image>,
    distro: &Distro,
    name: &str,
    args: &[String],
) -> Option<Outcome> {
    let env = |k: &str| env_value(image, c, k);
    let first = args.first().map(String::as_str).unwrap_or("");
    match name {
        "nginx" => {
            let v = env("NGINX_VERSION")?;
            match first {
                "-v" => Some((String::new(), format!("nginx version: nginx/{v}\n"), 0)),
                "-t" => Some((
                    String::new(),
                    "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n".into(),
                    0,
                )),
                _ => not_emulated(name),
            }
        }
        "node" | "nodejs" => {
            let v = env("NODE_VERSION")?;
            match first {
                "-v" | "--version" => ok(format!("v{v}\n")),
                _ => not_emulated(name),
            }
        }
        "yarn" => {
            let v = env("YARN_VERSION")?;
            match first {
                "-v" | "--version" => ok(format!("{v}\n")),
                _ => not_emulated(name),
            }
        }
        "java" => {
            let v = env("JAVA_VERSION")?;
            let (date, b) = JAVA_BUILDS
                .iter()
                .find(|j| j.0 == v)
                .map_or(("", "1"), |j| (j.1, j.2));
            let text = |word: &str| {
                format!(
                    "{word} {v} {date}\nOpenJDK Runtime Environment 18.9 (build {v}+{b})\nOpenJDK 64-Bit Server VM 18.9 (build {v}+{b}, mixed mode)\n"
                )
            };
            match first {
                "-version" => Some((
                    String::new(),
                    text("openjdk version").replacen(
                        &format!("version {v}"),
                        &format!("version \"{v}\""),
                        1,
                    ),
                    0,
                )),
                "--version" => ok(text("openjdk")),
                _ => not_emulated(name),
            }
        }
        "python" | "python3" => {
            let v = env("PYTHON_VERSION")?;
            match first {
                "-V" | "--version" => ok(format!("Python {v}\n")),
                "-c" => match args.get(1).and_then(|code| python_print(code)) {
                    Some(line) => ok(format!("{line}\n")),
                    None => not_emulated(name),
                },
                _ => not_emulated(name),
            }
        }
        "redis-server" => {
            let v = env("REDIS_VERSION")?;
            match first {
                "-v" | "--version" => {
                    let id = image.map(|i| i.id.as_str()).unwrap_or(&c.image_id);
                    let hex = id.trim_start_matches("sha256:");
                    let jemalloc = if v.starts_with("3.") {
                        "3.6.0"
                    } else {
                        "5.3.0"
                    };
                    ok(format!(
                        "Redis server v={v} sha=00000000:0 malloc=jemalloc-{jemalloc} bits=64 build={}\n",
                        hex.get(..16).unwrap_or("0000000000000000")
                    ))
                }
                _ => not_emulated(name),
            }
        }
        "redis-cli" if first == "-v" || first == "--version" => {
            let v = env("REDIS_VERSION")?;
            ok(format!("redis-cli {v}\n"))
        }
        "psql" | "postgres" | "pg_dump" | "initdb" if first == "-V" || first == "--version" => {
            let v = env("PG_VERSION")?;
            let short = v.split('-').next().unwrap_or(v);
            if v.contains('-') && !distro.is_busybox() {
                ok(format!("{name} (PostgreSQL) {short} (Debian {v})\n"))
            } else {
                ok(format!("{name} (PostgreSQL) {short}\n"))
            }
        }
        "dotnet" => {
            let v = env("ASPNETCORE_VERSION").or_else(|| env("DOTNET_VERSION"))?;
            match first {
                "--list-runtimes" => {
                    let mut s = String::new();
                    if env("ASPNETCORE_VERSION").is_some() {
                        s.push_str(&format!(
                            "Microsoft.AspNetCore.App {v} [/usr/share/dotnet/shared/Microsoft.AspNetCore.App]\n"
                        ));
                    }
                    s.push_str(&format!(
                        "Microsoft.NETCore.App {v} [/usr/share/dotnet/shared/Microsoft.NETCore.App]\n"
                    ));
                    ok(s)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

// ------------------------------------------------------------------------------------------
// free, df, top: the machine's memory and disk, as a container (or the host) sees them

/// Memory in KiB: (total, used, free, shared, buff/cache, available).
fn memory() -> [u64; 6] {
    let total = build::MEMORY_BYTES / 1024;
    let used = total * 28 / 100;
    let cache = total * 27 / 100;
    let shared = 5212;
    [
        total,
        used,
        total - used - cache,
        shared,
        cache,
        total - used,
    ]
}

/// `free` (`-k` default, `-m`, `-g`, `-h`): BusyBox's or procps' layout.
pub(crate) fn free(args: &[String], busybox: bool) -> Outcome {
    let mut unit = 'k';
    for a in args {
        match a.as_str() {
            "-k" | "-m" | "-g" | "-h" | "-b" => unit = a.chars().nth(1).unwrap_or('k'),
            "--mega" => unit = 'm',
            "--giga" => unit = 'g',
            "--human" => unit = 'h',
            "-t" | "-w" => {}
            other => {
                let c = other.trim_start_matches('-').chars().next().unwrap_or('-');
                return if busybox {
                    (String::new(), format!("free: unrecognized option: {c}\nBusyBox v1.37.0 (2025-01-17 18:12:01 UTC) multi-call binary.\n\nUsage: free [-bkmgh]\n\nDisplay free and used memory\n"), 1)
                } else {
                    (
                        String::new(),
                        format!("free: invalid option -- '{c}'\n\nUsage:\n free [options]\n"),
                        1,
                    )
                };
            }
        }
    }
    let show = |kib: u64| -> String {
        match unit {
            'b' => (kib * 1024).to_string(),
            'm' => (kib / 1024).to_string(),
            'g' => (kib / 1024 / 1024).to_string(),
            'h' => {
                let (v, u) = if kib >= 1024 * 1024 {
                    (kib as f64 / 1024.0 / 1024.0, "G")
                } else if kib >= 1024 {
                    (kib as f64 / 1024.0, "M")
                } else {
                    (kib as f64, "K")
                };
                if kib == 0 {
                    if busybox {
                        "0".into()
                    } else {
                        "0B".into()
                    }
                } else if busybox {
                    format!("{v:.1}{u}")
                } else {
                    format!("{v:.1}{u}i")
                }
            }
            _ => kib.to_string(),
        }
    };
    let m = memory();
    let (pre, w) = if busybox { (7, 12) } else { (8, 12) };
    let mut out = format!(
        "{:pre$}{:>w$}{:>w$}{:>w$}{:>w$}{:>w$}{:>w$}\n",
        "", "total", "used", "free", "shared", "buff/cache", "available"
    );
    out.push_str(&format!("{:<pre$}", "Mem:"));
    for v in m {
        out.push_str(&format!("{:>w$}", show(v)));
    }
    out.push('\n');
    out.push_str(&format!(
        "{:<pre$}{:>w$}{:>w$}{:>w$}\n",
        "Swap:",
        show(0),
        show(0),
        show(0)
    ));
    (out, String::new(), 0)
}

/// Disk of the machines, KiB: (size, used).
const DISK_KB: (u64, u64) = (61_202_244, 10_548_148);

/// `df` (`-h`): the container's overlay root and the engine's mounts.
pub(crate) fn df(args: &[String], busybox: bool) -> Outcome {
    let human = args.iter().any(|a| a == "-h" || a == "--human-readable");
    let (size, used) = DISK_KB;
    let rows: &[(&str, u64, u64, &str)] = &[
        ("overlay", size, used, "/"),
        ("tmpfs", 65536, 0, "/dev"),
        ("shm", 65536, 0, "/dev/shm"),
        ("/dev/sda1", size, used, "/etc/resolv.conf"),
        ("/dev/sda1", size, used, "/etc/hostname"),
        ("/dev/sda1", size, used, "/etc/hosts"),
    ];
    let hum = |kib: u64| -> String {
        if busybox {
            if kib == 0 {
                return "0".into();
            }
            let (v, u) = if kib >= 1024 * 1024 {
                (kib as f64 / 1048576.0, "G")
            } else if kib >= 1024 {
                (kib as f64 / 1024.0, "M")
            } else {
                (kib as f64, "K")
            };
            format!("{v:.1}{u}")
        } else {
            if kib == 0 {
                return "0".into();
            }
            let (v, u) = if kib >= 1024 * 1024 {
                (kib as f64 / 1048576.0, "G")
            } else {
                (kib as f64 / 1024.0, "M")
            };
            if v < 10.0 {
                format!("{:.1}{u}", (v * 10.0).ceil() / 10.0)
            } else {
                format!("{}{u}", v.ceil() as u64)
            }
        }
    };
    let pct = |used: u64, size: u64| {
        let avail = size - used - size / 20;
        if used == 0 {
            0
        } else {
            (used * 100).div_ceil(used + avail)
        }
    };
    let mut out = String::new();
    for (i, (fs, size, used, on)) in rows.iter().enumerate() {
        let avail = size - used - if *used > 0 { size / 20 } else { 0 };
        let p = pct(*used, *size);
        if busybox {
            if i == 0 {
                out.push_str(if human {
                    "Filesystem                Size      Used Available Use% Mounted on\n"
                } else {
                    "Filesystem           1K-blocks      Used Available Use% Mounted on\n"
                });
            }
            if human {
                out.push_str(&format!(
                    "{fs:<20}{:>10}{:>10}{:>10}{:>4}% {on}\n",
                    hum(*size),
                    hum(*used),
                    hum(avail),
                    p
                ));
            } else {
                out.push_str(&format!(
                    "{fs:<20}{size:>10}{used:>10}{avail:>10}{p:>4}% {on}\n"
                ));
            }
        } else {
            if i == 0 {
                out.push_str(if human {
                    "Filesystem      Size  Used Avail Use% Mounted on\n"
                } else {
                    "Filesystem     1K-blocks     Used Available Use% Mounted on\n"
                });
            }
            if human {
                out.push_str(&format!(
                    "{fs:<15}{:>5}{:>6}{:>6}{:>4}% {on}\n",
                    hum(*size),
                    hum(*used),
                    hum(avail),
                    p
                ));
            } else {
                out.push_str(&format!(
                    "{fs:<14}{size:>10}{used:>9}{avail:>10}{p:>4}% {on}\n"
                ));
            }
        }
    }
    (out, String::new(), 0)
}

/// `top -bn1` in a container: the header, its main process and top itself.
fn top(c: &Container, args: &[String], busybox: bool) -> Outcome {
    let cmd = c.program.argv().join(" ");
    let me = format!("top {}", args.join(" "));
    let pid = c.pid % 1000 + 7;
    top_text(
        &[(1, cmd.as_str(), 'S'), (pid, me.trim_end(), 'R')],
        busybox,
    )
}

/// `top`'s one batch screen over these processes (pid, command line, state).
pub(crate) fn top_text(procs: &[(u32, &str, char)], busybox: bool) -> Outcome {
    let [total, used, free, shared, cache, avail] = memory();
    let mut out = String::new();
    if busybox {
        out.push_str(&format!(
            "Mem: {}K used, {free}K free, {shared}K shrd, 0K buff, {cache}K cached\nCPU:   0% usr   0% sys   0% nic 100% idle   0% io   0% irq   0% sirq\nLoad average: 0.00 0.00 0.00 1/{} {}\n  PID  PPID USER     STAT   VSZ %VSZ CPU %CPU COMMAND\n",
            total - free,
            procs.len(),
            procs.last().map_or(1, |p| p.0)
        ));
        for (pid, cmd, st) in procs {
            out.push_str(&format!(
                "{pid:>5}     0 root     {st}     1636   0%   0   0% {cmd}\n"
            ));
        }
    } else {
        let mib = |k: u64| k as f64 / 1024.0;
        let running = procs.iter().filter(|p| p.2 == 'R').count();
        out.push_str(&format!(
            "top - 00:00:00 up 0 min,  0 user,  load average: 0.00, 0.00, 0.00\nTasks: {:>3} total, {running:>3} running, {:>3} sleeping,   0 stopped,   0 zombie\n%Cpu(s):  0.0 us,  0.0 sy,  0.0 ni,100.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st \nMiB Mem : {:>8.1} total, {:>8.1} free, {:>8.1} used, {:>8.1} buff/cache     \nMiB Swap:      0.0 total,      0.0 free,      0.0 used. {:>8.1} avail Mem \n\n    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n",
            procs.len(),
            procs.len() - running,
            mib(total),
            mib(free),
            mib(used),
            mib(cache),
            mib(avail)
        ));
        for (pid, cmd, st) in procs {
            let name = cmd.split_whitespace().next().unwrap_or("");
            let name = name.rsplit('/').next().unwrap_or(name);
            out.push_str(&format!(
                "{pid:>7} root      20   0    4624   3712   3200 {st}   0.0   0.1   0:00.00 {name}\n"
            ));
        }
    }
    (out, String::new(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_columns_line_up_with_the_header() {
        for busybox in [true, false] {
            let (out, _, code) = free(&[], busybox);
            assert_eq!(code, 0);
            let lines: Vec<&str> = out.lines().collect();
            let end = |l: &str, word: &str| l.find(word).map(|i| i + word.len());
            let total_end = end(lines[0], "total").unwrap();
            let first_num = lines[1]
                .char_indices()
                .skip(4)
                .find(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .unwrap();
            let num_end = lines[1][first_num..]
                .find(' ')
                .map_or(lines[1].len(), |i| first_num + i);
            assert_eq!(total_end, num_end, "{out}");
        }
        assert_eq!(free(&["-x".into()], true).2, 1);
    }

    #[test]
    fn df_percent_is_sane() {
        let (out, _, _) = df(&[], true);
        assert!(out.contains("% /\n"));
        let (h, _, _) = df(&["-h".into()], false);
        assert!(h.starts_with("Filesystem      Size"));
    }
}
