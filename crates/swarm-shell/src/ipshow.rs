//! `ip addr|link|route` as BusyBox (and iproute2) print them, for the machines' shells
//! (`hosttools`) and the containers' (`docker::container_net`): each caller describes its
//! interfaces and routes, this module reads the arguments and prints.

use std::net::Ipv4Addr;

/// An IPv4 address with its prefix: the arithmetic `ip`, `route` and `ifconfig` print.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cidr {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Cidr {
    pub(crate) fn mask(self) -> Ipv4Addr {
        if self.prefix == 0 {
            Ipv4Addr::from(0)
        } else {
            Ipv4Addr::from(u32::MAX << (32 - u32::from(self.prefix.min(32))))
        }
    }

    pub(crate) fn network(self) -> Ipv4Addr {
        (u32::from(self.addr) & u32::from(self.mask())).into()
    }

    pub(crate) fn broadcast(self) -> Ipv4Addr {
        (u32::from(self.addr) | !u32::from(self.mask())).into()
    }
}

/// One interface as `ip` lists it.
pub(crate) struct Link {
    /// Its number in the list (`1:` for lo).
    pub index: usize,
    /// The name `ip` matches a `dev` against (`eth0`).
    pub dev: String,
    /// The name as printed (`eth0@if13` for a veth).
    pub shown: String,
    /// `LOOPBACK,UP,LOWER_UP` …
    pub flags: String,
    pub mtu: u32,
    /// `UP`, `DOWN`, `UNKNOWN`.
    pub state: &'static str,
    /// What follows the state on the first line (` qlen 1000`, ` group default `, ` `).
    pub tail: String,
    /// The second line, after its indentation (`link/ether 02:42:… brd ff:ff:ff:ff:ff:ff`).
    pub link: String,
    /// Its address; `None` for lo (`inet 127.0.0.1/8 scope host lo`).
    pub inet: Option<Cidr>,
}

/// BusyBox's `ip` usage (on no arguments and `ip help`).
pub(crate) const IP_USAGE: &str = "BusyBox v1.37.0 (2025-01-17 18:12:01 UTC) multi-call binary.

Usage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]

OPTIONS := -f[amily] inet|inet6|link | -o[neline]

ip addr add|del IFADDR dev IFACE | show|flush [dev IFACE] [to PREFIX]
ip route list|flush|add|del|change|append|replace|test ROUTE
ip link set IFACE [up|down] [arp on|off] [multicast on|off]
	[promisc on|off] [mtu NUM] [name NAME] [qlen NUM] [address MAC]
	[master IFACE | nomaster] [netns PID]
ip tunnel add|change|del|show [NAME]
	[mode ipip|gre|sit] [remote ADDR] [local ADDR] [ttl TTL]
ip neigh show|flush [to PREFIX] [dev DEV] [nud STATE]
ip rule [list] | add|del SELECTOR ACTION
";

/// `ip ARGS` over `links` and the route lines `routes` (each with its newline): stdout,
/// stderr and the exit status; `busybox` picks BusyBox's error texts over iproute2's.
pub(crate) fn ip(
    links: &[Link],
    routes: &str,
    busybox: bool,
    args: &[String],
) -> (String, String, i32) {
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !matches!(*a, "-4" | "-c" | "-color" | "--color"))
        .collect();
    let Some(object) = args.first() else {
        return (String::new(), IP_USAGE.to_string(), 1);
    };
    let mut rest = &args[1..];
    if rest
        .first()
        .is_some_and(|a| matches!(*a, "show" | "list" | "lst" | "sh" | "ls"))
    {
        rest = &rest[1..];
    }
    if rest.first() == Some(&"dev") {
        rest = &rest[1..];
    }
    let pick: Vec<&Link> = match rest.first() {
        None => links.iter().collect(),
        Some(name) => match links.iter().find(|l| l.dev == *name) {
            Some(l) => vec![l],
            None => {
                let err = if busybox {
                    format!("ip: can't find device '{name}'\n")
                } else {
                    format!("Device \"{name}\" does not exist.\n")
                };
                return (String::new(), err, 1);
            }
        },
    };
    let head = |l: &Link| {
        format!(
            "{}: {}: <{}> mtu {} qdisc noqueue state {}{}\n    {}\n",
            l.index, l.shown, l.flags, l.mtu, l.state, l.tail, l.link
        )
    };
    let mut out = String::new();
    match *object {
        "a" | "addr" | "address" => {
            for l in pick {
                out.push_str(&head(l));
                match l.inet {
                    None => out.push_str("    inet 127.0.0.1/8 scope host lo\n"),
                    Some(c) => out.push_str(&format!(
                        "    inet {}/{} brd {} scope global {}\n",
                        c.addr,
                        c.prefix,
                        c.broadcast(),
                        l.dev
                    )),
                }
                out.push_str("       valid_lft forever preferred_lft forever\n");
            }
        }
        "l" | "link" => {
            for l in pick {
                out.push_str(&head(l));
            }
        }
        "r" | "ro" | "route" => out.push_str(routes),
        "help" if busybox => return (String::new(), IP_USAGE.to_string(), 1),
        other => {
            let err = if busybox {
                format!("ip: unknown command '{other}'\n")
            } else {
                format!("Object \"{other}\" is unknown, try \"ip help\".\n")
            };
            return (String::new(), err, if busybox { 1 } else { 255 });
        }
    }
    (out, String::new(), 0)
}
