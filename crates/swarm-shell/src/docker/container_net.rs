//! A container's view of its network, as its tools print it: `ip addr|route|link`, `route -n`
//! and `netstat -tln` (BusyBox's texts in Alpine and BusyBox images, iproute2's where an image
//! has it), and `which`. The interfaces are the container's endpoints as `docker inspect`
//! shows them: `lo`, then `eth0`, `eth1` … in the order the container joined its networks (a
//! task's ingress first), each with the address and the MAC docker gives it.

use std::net::Ipv4Addr;

use swarm_core::container::Container;
use swarm_core::distro::Distro;
use swarm_core::{MachineId, World};

use super::image_programs::Outcome;
use crate::ipshow::{Cidr, Link};

/// One of the container's interfaces (not `lo`).
struct Iface {
    name: String,
    addr: Ipv4Addr,
    prefix: u8,
    gateway: Option<Ipv4Addr>,
    /// An overlay network (MTU 1450).
    overlay: bool,
}

impl Iface {
    fn cidr(&self) -> Cidr {
        Cidr {
            addr: self.addr,
            prefix: self.prefix,
        }
    }
    fn mask(&self) -> Ipv4Addr {
        self.cidr().mask()
    }
    fn network(&self) -> Ipv4Addr {
        self.cidr().network()
    }
    fn mtu(&self) -> u32 {
        if self.overlay {
            1450
        } else {
            1500
        }
    }
}

/// The container's interfaces while it runs: a task's addresses on its networks (ingress
/// first), a standalone container's live endpoints in the order it was connected.
fn interfaces(w: &World, m: MachineId, c: &Container) -> Vec<Iface> {
    let mut out = Vec::new();
    if !c.is_running() {
        return out;
    }
    if let Some(task_id) = &c.config.task_id {
        let Some((s, _)) = w.node_of(m) else {
            return out;
        };
        let Some(t) = s.tasks.get(task_id) else {
            return out;
        };
        let mut addrs: Vec<(bool, &String, Ipv4Addr)> = t
            .addresses
            .iter()
            .filter_map(|(nid, a)| {
                let n = s.networks.get(nid)?;
                Some((n.name != "ingress", nid, *a))
            })
            .collect();
        swarm_core::sort::sort_by_key(&mut addrs, |x| x.0);
        for (_, nid, a) in addrs {
            if let Some(n) = s.networks.get(nid) {
                out.push(Iface {
                    name: format!("eth{}", out.len()),
                    addr: a,
                    prefix: n.prefix,
                    gateway: None,
                    overlay: true,
                });
            }
        }
        return out;
    }
    let local: Vec<String> = w.local_networks(m).iter().map(|n| n.id.clone()).collect();
    let host = w.machine(m).map(|x| x.hostname.clone()).unwrap_or_default();
    let bridge = swarm_core::endpoints::predefined_id(&host, "bridge");
    for (_, e) in w.live_endpoints(m, &c.id) {
        let overlay = e.network_id != bridge && !local.contains(&e.network_id);
        out.push(Iface {
            name: format!("eth{}", out.len()),
            addr: e.addr,
            prefix: e.prefix,
            gateway: (!overlay).then_some(e.gateway),
            overlay,
        });
    }
    out
}

/// The interface index of the container's `k`th interface and of its peer (`eth0@if12`).
fn if_index(c: &Container, k: usize) -> (usize, usize) {
    let h = swarm_core::container::hex64(&format!("ifindex:{}", c.id));
    let base = 4 + 2 * (usize::from_str_radix(&h[..2], 16).unwrap_or(0) % 60);
    let own = base + 2 * k;
    (own, own + 1)
}

/// `ip`, `route`, `netstat` and `which` in container `c`; `None` for other commands.
pub(crate) fn run(
    w: &World,
    m: MachineId,
    c: &Container,
    distro: &Distro,
    name: &str,
    args: &[String],
    has: &dyn Fn(&str) -> bool,
) -> Option<Outcome> {
    let busybox = distro.is_busybox();
    match name {
        "ip" => Some(ip(w, m, c, busybox, args)),
        "route" => Some(route(w, m, c, args)),
        "netstat" => Some(netstat(c, args)),
        "which" => Some(which(distro, args, has)),
        _ => None,
    }
}

fn ok(s: String) -> Outcome {
    (s, String::new(), 0)
}

fn ip(w: &World, m: MachineId, c: &Container, busybox: bool, args: &[String]) -> Outcome {
    let all = interfaces(w, m, c);
    let group = if busybox { "" } else { "group default " };
    let mut links = vec![Link {
        index: 1,
        dev: "lo".into(),
        shown: "lo".into(),
        flags: "LOOPBACK,UP,LOWER_UP".into(),
        mtu: 65536,
        state: "UNKNOWN",
        tail: format!(" {group}qlen 1000"),
        link: "link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00".into(),
        inet: None,
    }];
    let (mdown, netns) = if busybox {
        (",M-DOWN", "")
    } else {
        ("", " link-netnsid 0")
    };
    for (k, i) in all.iter().enumerate() {
        let (own, peer) = if_index(c, k);
        links.push(Link {
            index: own,
            dev: i.name.clone(),
            shown: format!("{}@if{peer}", i.name),
            flags: format!("BROADCAST,MULTICAST,UP,LOWER_UP{mdown}"),
            mtu: i.mtu(),
            state: "UP",
            tail: format!(" {group}"),
            link: format!(
                "link/ether {} brd ff:ff:ff:ff:ff:ff{netns}",
                swarm_core::endpoints::mac_of(i.addr)
            ),
            inet: Some(i.cidr()),
        });
    }
    let mut routes = String::new();
    if let Some((i, gw)) = all.iter().find_map(|i| i.gateway.map(|g| (i, g))) {
        routes.push_str(&format!("default via {gw} dev {} \n", i.name));
    }
    let kernel = if busybox { "" } else { "proto kernel " };
    let src = if busybox { " src" } else { "src" };
    for i in &all {
        routes.push_str(&format!(
            "{}/{} dev {} {kernel}scope link {src} {} \n",
            i.network(),
            i.prefix,
            i.name,
            i.addr
        ));
    }
    crate::ipshow::ip(&links, &routes, busybox, args)
}

/// BusyBox `route [-n]`: the kernel's routing table.
fn route(w: &World, m: MachineId, c: &Container, args: &[String]) -> Outcome {
    let numeric = args.iter().any(|a| a == "-n" || a == "-e" || a == "-ne");
    let all = interfaces(w, m, c);
    let mut out = String::from(
        "Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n",
    );
    let name = |a: Ipv4Addr, zero: &str| {
        if a == Ipv4Addr::UNSPECIFIED && !numeric {
            zero.to_string()
        } else {
            a.to_string()
        }
    };
    if let Some((i, gw)) = all.iter().find_map(|i| i.gateway.map(|g| (i, g))) {
        out.push_str(&format!(
            "{:<15} {:<15} {:<16}{:<6}{:<6} {:<2} {:>7} {}\n",
            name(Ipv4Addr::UNSPECIFIED, "default"),
            gw,
            "0.0.0.0",
            "UG",
            0,
            0,
            0,
            i.name
        ));
    }
    for i in &all {
        out.push_str(&format!(
            "{:<15} {:<15} {:<16}{:<6}{:<6} {:<2} {:>7} {}\n",
            i.network(),
            name(Ipv4Addr::UNSPECIFIED, "*"),
            i.mask(),
            "U",
            0,
            0,
            0,
            i.name
        ));
    }
    ok(out)
}

/// BusyBox `netstat -tln`: the ports the container's program listens on.
fn netstat(c: &Container, args: &[String]) -> Outcome {
    let flags: String = args
        .iter()
        .filter_map(|a| a.strip_prefix('-'))
        .collect::<Vec<_>>()
        .concat();
    let listening = flags.contains('l');
    let all = flags.contains('a');
    let tcp = flags.contains('t') || !flags.contains('u');
    let mut out = format!(
        "Active Internet connections ({})\nProto Recv-Q Send-Q Local Address           Foreign Address         State       \n",
        if listening {
            "only servers"
        } else if all {
            "servers and established"
        } else {
            "w/o servers"
        }
    );
    if (listening || all) && tcp && c.is_running() {
        let numeric = flags.contains('n');
        for p in c.program.ports() {
            for (local, foreign) in [("0.0.0.0", "0.0.0.0:*"), (":::", ":::*")] {
                let local = if local == ":::" {
                    format!(":::{}", port_name(p, numeric))
                } else {
                    format!("{local}:{}", port_name(p, numeric))
                };
                out.push_str(&format!(
                    "tcp        0      0 {local:<23} {foreign:<23} LISTEN      \n"
                ));
            }
        }
    }
    ok(out)
}

/// A port as netstat names it without `-n` (`/etc/services`).
fn port_name(p: u16, numeric: bool) -> String {
    if numeric {
        return p.to_string();
    }
    match p {
        80 => "http".into(),
        443 => "https".into(),
        p => p.to_string(),
    }
}

/// Where a program lives in the image.
pub(crate) fn program_path(distro: &Distro, name: &str) -> String {
    const BIN: &[&str] = &[
        "ash", "busybox", "cat", "chmod", "chown", "cp", "date", "df", "echo", "egrep", "false",
        "grep", "gunzip", "gzip", "hostname", "kill", "ln", "ls", "mkdir", "more", "mount", "mv",
        "netstat", "ping", "ps", "pwd", "rm", "rmdir", "sed", "sh", "sleep", "stat", "tar",
        "touch", "true", "uname", "bash", "dash",
    ];
    const SBIN: &[&str] = &["ifconfig", "ip", "route", "apk"];
    const USR_SBIN: &[&str] = &["nginx", "redis-server"];
    // The first directory of the default $PATH that holds it in the base system.
    let dirs = distro.program_dirs();
    for dir in [
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ] {
        if let Some((_, entries)) = dirs.iter().find(|(d, _)| *d == dir) {
            if entries.binary_search_by(|e| e.0.cmp(name)).is_ok() {
                return format!("{dir}/{name}");
            }
        }
    }
    if distro.is_busybox() {
        if BIN.contains(&name) {
            return format!("/bin/{name}");
        }
        if SBIN.contains(&name) {
            return format!("/sbin/{name}");
        }
    }
    if USR_SBIN.contains(&name) {
        return format!("/usr/sbin/{name}");
    }
    if matches!(name, "node" | "python" | "python3" | "java") {
        return format!("/usr/local/bin/{name}");
    }
    format!("/usr/bin/{name}")
}

/// `which NAME…`: each program's path; status 1 when one is not there.
fn which(distro: &Distro, args: &[String], has: &dyn Fn(&str) -> bool) -> Outcome {
    let mut out = String::new();
    let mut code = 0;
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        if a.contains('/') {
            out.push_str(&format!("{a}\n"));
        } else if has(a) {
            out.push_str(&program_path(distro, a));
            out.push('\n');
        } else {
            code = 1;
        }
    }
    if args.is_empty() {
        code = 1;
    }
    (out, String::new(), code)
}
