//! The Alpine tools of a Play with Docker host (a `docker:dind` container on Alpine 3.21) that
//! labs reach for besides docker: `apk` to add a tool (`apk add apache2-utils` for `ab`),
//! `less`/`more` to read a file, BusyBox `nslookup` and `netstat -tln`.
//!
//! `apk` is the containers' package manager (`docker::packages`) over the machine's own
//! files, with the host's larger base system; installing `apache2-utils` puts `ab` in
//! `/usr/bin` (a marker file that runs [`crate::hey::ab`]). The pager prints the file, as
//! `less` does when its output is not a terminal.

use crate::exec::{Interp, Io};

/// What the host's `/etc/apk/world` holds before anything is added (docker:dind plus what
/// Play with Docker installs).
const HOST_WORLD: &str = "alpine-baselayout\napk-tools\nbash\nbusybox\nca-certificates\ncurl\ne2fsprogs\ngit\niptables\nless\nopenssh\nopenssl\npigz\nxz\n";

/// The host's system besides its world and what its packages need: (packages, KiB).
const HOST_BASE: (usize, u64) = (47, 161_200);

/// The machine's files, as the package manager sees them.
struct OnHost<'a> {
    interp: &'a Interp,
}

impl crate::docker::packages::Files for OnHost<'_> {
    fn read(&self, path: &str) -> String {
        match crate::fsutils::read_file(self.interp, path) {
            Ok(t) => t,
            Err(_) if path == "/etc/apk/world" => HOST_WORLD.to_string(),
            Err(_) => String::new(),
        }
    }

    fn write(&mut self, path: &str, text: &str) {
        if let Some((dir, _)) = path.rsplit_once('/') {
            let _ = crate::fsutils::mkdir_p(self.interp, dir);
        }
        let _ = crate::fsutils::write_file(self.interp, path, text, false);
    }

    fn has_entries(&self, dir: &str) -> bool {
        crate::fsutils::list_dir(self.interp, dir).is_some_and(|l| !l.is_empty())
    }

    /// The host's programs are the shell's own (and `ab`'s marker, below).
    fn install_program(&mut self, _path: &str) {}
}

/// `apk` on the host.
pub(crate) fn apk(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut files = OnHost { interp };
    let (out, err, code) = crate::docker::packages::apk(
        &mut files,
        args,
        crate::docker::packages::ApkSystem::alpine("3.21.3", HOST_BASE),
    );
    // apache2-utils brings ab.
    let world = crate::docker::packages::Files::read(&files, "/etc/apk/world");
    if world.lines().any(|l| l == "apache2-utils")
        && crate::fsutils::read_file(interp, "/usr/bin/ab").is_err()
    {
        let marker = String::from_utf8_lossy(crate::hey::AB_BINARY).into_owned();
        if crate::fsutils::write_file(interp, "/usr/bin/ab", &marker, false).is_ok() {
            let _ = crate::fsutils::declare_size(interp, "/usr/bin/ab", 67_984);
            let _ = crate::fsutils::set_mode(interp, "/usr/bin/ab", 0o755);
        }
    }
    io.out.write(&out);
    io.err.write(&err);
    code
}

/// `less FILE…` / `more FILE…`: the files' text (stdin with none), as a pager prints it
/// when its output is not a terminal.
pub(crate) fn pager(interp: &Interp, name: &str, args: &[String], io: &Io) -> i32 {
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if files.is_empty() {
        if io.stdin.is_empty() && name == "less" {
            io.err
                .write("Missing filename (\"less --help\" for help)\n");
            return 1;
        }
        io.out.write(io.stdin.as_ref());
        return 0;
    }
    let mut status = 0;
    for f in files {
        match crate::fsutils::read_file(interp, f) {
            Ok(t) => io.out.write(&t),
            Err(e) => {
                status = 1;
                if name == "less" {
                    io.err.write(&format!("{f}: {e}\n"));
                } else {
                    io.err.write(&format!("more: can't open '{f}': {e}\n"));
                }
            }
        }
    }
    status
}

/// BusyBox `nslookup NAME [SERVER]` on the host: its resolver (`/etc/resolv.conf`) knows
/// the machines of the playground; any other name is not found (there is no internet).
pub(crate) fn nslookup(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(name) = operands.first() else {
        // The host's BusyBox is Alpine 3.21's.
        let usage = swarm_core::catalog::NSLOOKUP_USAGE.replace(
            "v1.36.1 (2023-11-07 18:53:09 UTC)",
            "v1.37.0 (2025-01-17 18:12:01 UTC)",
        );
        io.err.write(&format!("{usage}\n"));
        return 1;
    };
    let server = operands.get(1).map(|s| s.to_string()).unwrap_or_else(|| {
        crate::fsutils::read_file(interp, "/etc/resolv.conf")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("nameserver ").map(|s| s.trim().to_string()))
            })
            .unwrap_or_else(|| "8.8.8.8".to_string())
    });
    let world = interp.world();
    let w = world.borrow();
    let addrs: Vec<String> = match name.as_str() {
        "localhost" => vec!["127.0.0.1".to_string()],
        n => w
            .machine_by_name(n)
            .map(|x| vec![x.ip.to_string()])
            .unwrap_or_default(),
    };
    let lookup = swarm_core::catalog::Lookup {
        server,
        addrs,
        ping: None,
        reachable: false,
    };
    let (out, code) = lookup.nslookup_text(name);
    io.out.write(&out);
    code
}

/// BusyBox `netstat` on the host: with `-l`, the TCP ports its daemons listen on (sshd,
/// dockerd's API and, in a swarm, its cluster ports and the services' published ports,
/// docker-proxy for a container's `-p`).
pub(crate) fn netstat(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut flags = String::new();
    for a in args {
        match a.strip_prefix('-') {
            Some(f) if !f.starts_with('-') => flags.push_str(f),
            _ => {
                io.err.write(&format!("netstat: invalid option -- '{}'\nBusyBox v1.37.0 (2025-01-17 18:12:01 UTC) multi-call binary.\n\nUsage: netstat [-ral] [-tuwx] [-enWp]\n", a.trim_start_matches('-')));
                return 1;
            }
        }
    }
    if let Some(bad) = flags.chars().find(|c| !"ralntuwxeWp".contains(*c)) {
        io.err.write(&format!("netstat: invalid option -- '{bad}'\nBusyBox v1.37.0 (2025-01-17 18:12:01 UTC) multi-call binary.\n\nUsage: netstat [-ral] [-tuwx] [-enWp]\n"));
        return 1;
    }
    let listening = flags.contains('l') || flags.contains('a');
    let programs = flags.contains('p');
    let tcp =
        flags.contains('t') || !(flags.contains('u') || flags.contains('w') || flags.contains('x'));
    let numeric = flags.contains('n');
    // (IPv6?, port, program)
    let mut rows: Vec<(bool, u16, &str)> = vec![
        (false, 22, "sshd"),
        (true, 22, "sshd"),
        (true, 2375, "dockerd"),
    ];
    {
        let m = interp.session.borrow().machine();
        let world = interp.world();
        let w = world.borrow();
        for c in w.containers(m).iter().filter(|c| c.is_running()) {
            for p in c.bound_ports.iter().filter(|p| p.proto == "tcp") {
                rows.push((false, p.host_port, "docker-proxy"));
                rows.push((true, p.host_port, "docker-proxy"));
            }
        }
        if let Some(mem) = w.membership(m) {
            if let Some(sw) = w.swarm(mem.cluster) {
                rows.push((true, 7946, "dockerd"));
                let manager = sw
                    .nodes
                    .get(&mem.node_id)
                    .is_some_and(|n| n.role == swarm_core::swarm::Role::Manager);
                if manager {
                    rows.push((true, 2377, "dockerd"));
                }
                for svc in sw.services.values() {
                    for p in &svc.endpoint_ports {
                        if p.protocol == "tcp" && p.mode != "host" && p.published > 0 {
                            rows.push((true, p.published, "dockerd"));
                        }
                    }
                }
            }
        }
    }
    rows.sort();
    rows.dedup();
    let mut out = format!(
        "Active Internet connections {}\nProto Recv-Q Send-Q Local Address           Foreign Address         State       {}\n",
        if flags.contains('a') {
            "(servers and established)"
        } else if listening {
            "(only servers)"
        } else {
            "(w/o servers)"
        },
        if programs { "PID/Program name" } else { "" }
    );
    if tcp && listening {
        for (v6, port, prog) in rows {
            let (local, remote) = if v6 {
                (format!(":::{}", service_name(port, numeric)), ":::*")
            } else {
                (
                    format!("0.0.0.0:{}", service_name(port, numeric)),
                    "0.0.0.0:*",
                )
            };
            let pid = match prog {
                "sshd" => "62",
                "docker-proxy" => "1184",
                _ => "47",
            };
            let tail = if programs {
                format!("{pid}/{prog}")
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{:<4}  {:>6} {:>6} {local:<23} {remote:<23} {:<12}{tail}\n",
                "tcp", 0, 0, "LISTEN"
            ));
        }
    }
    io.out.write(&out);
    0
}

/// A port as netstat shows it without `-n`: its name in `/etc/services` if it has one.
fn service_name(port: u16, numeric: bool) -> String {
    let name = match port {
        22 if !numeric => "ssh",
        80 if !numeric => "http",
        443 if !numeric => "https",
        _ => "",
    };
    if name.is_empty() {
        port.to_string()
    } else {
        name.to_string()
    }
}
