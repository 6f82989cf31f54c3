//! The flags of `service create` and `service update`: their values as pflag and docker's
//! option types parse them (with their error texts), and how they change a [`ServiceSpec`]
//! (docker/cli `service/opts.go` `ToService`, `service/update.go` `updateService`).

use std::collections::{BTreeMap, BTreeSet};
use swarm_core::sort::CollectBTree as _;

use swarm_core::service::{FileRef, HealthOverride, Mount};
use swarm_core::{
    FailureAction, Mode, PortConfig, RestartCondition, ServiceSpec, UpdateConfig, UpdateOrder,
};

use super::super::cli::{self, Parsed};

// ---------------------------------------------------------------------------------------
// Value parsers (the `Set` methods of pflag's and docker's option types)

/// Go's `time.ParseDuration`, in nanoseconds, with Go's error texts.
pub(crate) fn go_parse_duration(s: &str) -> Result<i64, String> {
    let orig = s;
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    let mut rest = s;
    let mut neg = false;
    if let Some(r) = rest.strip_prefix('-') {
        neg = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let b = rest.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let int_part = &rest[..int_end];
        rest = &rest[int_end..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let fe = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            frac_part = &r[..fe];
            rest = &r[fe..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_end = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        let mult: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(unit),
                    go_quote(orig)
                ))
            }
        };
        let v: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut add = v.checked_mul(mult).ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            let mut scale: u128 = 1;
            let mut f: u128 = 0;
            for c in frac_part.bytes().take(30) {
                f = f * 10 + u128::from(c - b'0');
                scale *= 10;
            }
            add += f * mult / scale;
        }
        total = total.checked_add(add).ok_or_else(invalid)?;
        if total > i64::MAX as u128 {
            return Err(invalid());
        }
    }
    let t = total as i64;
    Ok(if neg { -t } else { t })
}

/// Go's `strconv.Quote` for the ASCII texts seen here.
fn go_quote(s: &str) -> String {
    format!("{s:?}")
}

/// Go's `strconv.ParseUint(s, 0, 64)` (pflag's `uint`/`uint64`).
pub(crate) fn parse_uint(s: &str) -> Result<u64, String> {
    let err = |why: &str| format!("strconv.ParseUint: parsing {}: {why}", go_quote(s));
    let (digits, radix) = base0(s);
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(err("invalid syntax"));
    }
    u64::from_str_radix(&digits, radix).map_err(|_| err("value out of range"))
}

/// Go's `strconv.ParseInt(s, 0, 64)` (pflag's `int`/`int64`).
pub(crate) fn parse_int(s: &str) -> Result<i64, String> {
    let err = |why: &str| format!("strconv.ParseInt: parsing {}: {why}", go_quote(s));
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (digits, radix) = base0(body);
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(err("invalid syntax"));
    }
    let v = i128::from_str_radix(&digits, radix).map_err(|_| err("value out of range"))?;
    let v = if neg { -v } else { v };
    i64::try_from(v).map_err(|_| err("value out of range"))
}

fn base0(s: &str) -> (&str, u32) {
    let lower = s.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("0x") => (&s[2..], 16),
        Some("0o") => (&s[2..], 8),
        Some("0b") => (&s[2..], 2),
        _ if s.len() > 1 && s.starts_with('0') => (&s[1..], 8),
        _ => (s, 10),
    }
}

/// Go's `strconv.ParseFloat(s, 64)`.
pub(crate) fn parse_float(s: &str) -> Result<f64, String> {
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || "+-.eE_".contains(c) || c.is_ascii_alphabetic());
    match s.replace('_', "").parse::<f64>() {
        Ok(v) if ok => Ok(v),
        _ => Err(format!(
            "strconv.ParseFloat: parsing {}: invalid syntax",
            go_quote(s)
        )),
    }
}

/// go-units `RAMInBytes` (docker's `MemBytes`).
pub(crate) fn ram_in_bytes(s: &str) -> Result<i64, String> {
    let Some(sep) = s.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ') else {
        return Err(format!("invalid size: '{s}'"));
    };
    let (num, sfx) = if s.as_bytes()[sep] != b' ' {
        (&s[..=sep], &s[sep + 1..])
    } else {
        (&s[..sep], &s[sep + 1..])
    };
    let size = parse_float(num)?;
    if size < 0.0 {
        return Err(format!("invalid size: '{s}'"));
    }
    if sfx.is_empty() {
        return Ok(size as i64);
    }
    let bad = |x: &str| Err(format!("invalid suffix: '{x}'"));
    if sfx.chars().count() > 3 {
        return bad(sfx);
    }
    let l = sfx.to_lowercase();
    let b = l.as_bytes();
    if b[0] == b'b' {
        return if b.len() > 1 {
            bad(&l)
        } else {
            Ok(size as i64)
        };
    }
    let mul: f64 = match b[0] {
        b'k' => 1024.0,
        b'm' => 1024.0 * 1024.0,
        b'g' => 1024.0 * 1024.0 * 1024.0,
        b't' => 1024f64.powi(4),
        b'p' => 1024f64.powi(5),
        _ => return bad(&l),
    };
    if (b.len() == 2 && b[1] != b'b') || (b.len() == 3 && &l[1..] != "ib") {
        return bad(&l);
    }
    Ok((size * mul) as i64)
}

/// docker's `NanoCPUs`: a rational number of CPUs (`0.5`, `3/2`), in nano-CPUs.
pub(crate) fn nano_cpus(s: &str) -> Result<i64, String> {
    let bad = || format!("failed to parse {s} as a rational number");
    let (num, den) = match s.split_once('/') {
        Some((a, b)) => {
            let a: i128 = a.parse().map_err(|_| bad())?;
            let b: i128 = b.parse().map_err(|_| bad())?;
            if b == 0 {
                return Err(bad());
            }
            (a * 1_000_000_000, b)
        }
        None => {
            let (neg, body) = match s.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, s.strip_prefix('+').unwrap_or(s)),
            };
            let (i, f) = body.split_once('.').unwrap_or((body, ""));
            if (i.is_empty() && f.is_empty())
                || !i.bytes().all(|c| c.is_ascii_digit())
                || !f.bytes().all(|c| c.is_ascii_digit())
                || i.len() > 20
            {
                return Err(bad());
            }
            if f.trim_end_matches('0').len() > 9 {
                return Err("value is too precise".into());
            }
            let ip: i128 = if i.is_empty() {
                0
            } else {
                i.parse().map_err(|_| bad())?
            };
            let mut fp: i128 = 0;
            for (k, c) in f.bytes().take(9).enumerate() {
                fp += i128::from(c - b'0') * 10i128.pow(8 - k as u32);
            }
            let v = ip * 1_000_000_000 + fp;
            (if neg { -v } else { v }, 1)
        }
    };
    if num % den != 0 {
        return Err("value is too precise".into());
    }
    i64::try_from(num / den).map_err(|_| bad())
}

/// docker's `PortOpt.Set`: `8080:80`, `80`, `8080:80/udp`, `8080-8081:80-81`, or the long
/// form `published=8080,target=80,protocol=udp,mode=host`.
pub(crate) fn parse_publish(value: &str) -> Result<Vec<PortConfig>, String> {
    if is_long_syntax(value) {
        let mut p = PortConfig {
            protocol: String::new(),
            target: 0,
            published: 0,
            mode: String::new(),
        };
        for field in value.split(',') {
            let lower = field.to_lowercase();
            let Some((key, val)) = lower.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(format!("invalid field: {field}"));
            };
            match key {
                "protocol" => {
                    if !matches!(val, "tcp" | "udp" | "sctp") {
                        return Err(format!("invalid protocol value '{val}'"));
                    }
                    p.protocol = val.to_string();
                }
                "mode" => {
                    if !matches!(val, "ingress" | "host") {
                        return Err(format!("invalid publish mode value ({val}): must be either 'ingress' or 'host'"));
                    }
                    p.mode = val.to_string();
                }
                "target" => {
                    p.target = port16(val).map_err(|e| {
                        format!("invalid target port ({val}): value must be an integer: {e}")
                    })?;
                }
                "published" => {
                    p.published = port16(val).map_err(|e| {
                        format!("invalid published port ({val}): value must be an integer: {e}")
                    })?;
                }
                _ => return Err(format!("invalid field key: {key}")),
            }
        }
        if p.target == 0 {
            return Err("missing mandatory field 'target'".into());
        }
        if p.mode.is_empty() {
            p.mode = "ingress".into();
        }
        if p.protocol.is_empty() {
            p.protocol = "tcp".into();
        }
        return Ok(vec![p]);
    }
    // nat.ParsePortSpec.
    let (raw, proto) = match value.rsplit_once('/') {
        Some((r, p)) => (r, if p.is_empty() { "tcp" } else { p }),
        None => (value, "tcp"),
    };
    if !matches!(proto.to_lowercase().as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    let proto = proto.to_lowercase();
    let parts: Vec<&str> = raw.split(':').collect();
    let (ip, host, container) = match parts.as_slice() {
        [c] => ("", "", *c),
        [h, c] => ("", *h, *c),
        [i, h, c] => (*i, *h, *c),
        _ => {
            let (rest, c) = raw.rsplit_once(':').unwrap_or(("", raw));
            let (i, h) = rest.rsplit_once(':').unwrap_or(("", rest));
            (i, h, c)
        }
    };
    if !ip.is_empty() {
        let bare = ip.trim_start_matches('[').trim_end_matches(']');
        if bare.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("invalid IP address: {ip}"));
        }
    }
    if container.is_empty() {
        return Err(format!("no port specified: {raw}<empty>"));
    }
    let (c_start, c_end) =
        port_range(container).map_err(|_| format!("invalid containerPort: {container}"))?;
    let (h_start, h_end) = if host.is_empty() {
        (0, 0)
    } else {
        port_range(host).map_err(|_| format!("invalid hostPort: {host}"))?
    };
    if !host.is_empty() && (c_end - c_start) != (h_end - h_start) && h_end != h_start {
        return Err(format!(
            "invalid ranges specified for container and host Ports: {container} and {host}"
        ));
    }
    if !ip.is_empty() {
        return Err("hostip is not supported".into());
    }
    let mut out = Vec::new();
    for (i, c) in (c_start..=c_end).enumerate() {
        let published = if host.is_empty() {
            0
        } else if h_end == h_start {
            h_start
        } else {
            h_start + i as u16
        };
        out.push(PortConfig {
            protocol: proto.clone(),
            target: c,
            published,
            mode: "ingress".into(),
        });
    }
    Ok(out)
}

fn is_long_syntax(v: &str) -> bool {
    // `\w+=\w+(,\w+=\w+)*` somewhere in the value.
    let w = |c: char| c.is_ascii_alphanumeric() || c == '_';
    v.char_indices().any(|(i, c)| {
        c == '='
            && v[..i].chars().next_back().is_some_and(w)
            && v[i + 1..].chars().next().is_some_and(w)
    })
}

fn port16(v: &str) -> Result<u16, &'static str> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    v.parse::<u16>().map_err(|_| "value out of range")
}

fn port_range(v: &str) -> Result<(u16, u16), ()> {
    let (a, b) = v.split_once('-').unwrap_or((v, v));
    let a: u16 = a.parse().map_err(|_| ())?;
    let b: u16 = b.parse().map_err(|_| ())?;
    if b < a {
        return Err(());
    }
    Ok((a, b))
}

/// docker's `MountOpt.Set`: `type=volume,source=data,target=/data,readonly`.
pub(crate) fn parse_mount(value: &str) -> Result<Mount, String> {
    let mut m = Mount::default();
    for field in value.split(',') {
        let (key, val) = match field.split_once('=') {
            Some((k, v)) => (k.to_lowercase(), Some(v)),
            None => (field.to_lowercase(), None),
        };
        match (key.as_str(), val) {
            ("readonly" | "ro", None) => m.read_only = true,
            ("readonly" | "ro", Some(v)) => match v {
                "1" | "true" => m.read_only = true,
                "0" | "false" => m.read_only = false,
                _ => return Err(format!("invalid value for {key}: {v}")),
            },
            (_, None) => return Err(format!("invalid field '{field}' must be a key=value pair")),
            ("type", Some(v)) => m.kind = v.to_string(),
            ("source" | "src", Some(v)) => m.source = v.to_string(),
            ("target" | "dst" | "destination", Some(v)) => m.target = v.to_string(),
            ("volume-label", Some(v)) => {
                let (k, v) = v.split_once('=').unwrap_or((v, ""));
                m.labels.insert(k.to_string(), v.to_string());
            }
            (k, Some(_))
                if k.starts_with("volume-")
                    || k.starts_with("bind-")
                    || k.starts_with("tmpfs-")
                    || k == "consistency"
                    || k == "image-subpath" => {}
            (k, Some(_)) => return Err(format!("unexpected key '{k}' in '{field}'")),
        }
    }
    if m.kind.is_empty() {
        m.kind = "volume".into();
    }
    if m.target.is_empty() {
        return Err("target is required".into());
    }
    Ok(m)
}

/// docker's `placementPrefOpts.Set`: `spread=node.labels.zone` → the descriptor.
pub(crate) fn parse_pref(value: &str) -> Result<String, String> {
    let Some((strategy, arg)) = value.split_once('=') else {
        return Err("placement preference must be of the format \"<strategy>=<arg>\"".into());
    };
    if strategy != "spread" {
        return Err(format!(
            "unsupported placement preference {strategy} (only spread is supported)"
        ));
    }
    Ok(arg.to_string())
}

/// docker's `SecretOpt`/`ConfigOpt`: `name` or `source=name,target=path,uid=0,gid=0,mode=0444`.
/// The ID stays empty: the client resolves names later ([`crate::docker::objects_cmd`]).
pub(crate) fn parse_file_ref(value: &str, secret: bool) -> Result<FileRef, String> {
    let what = if secret { "secret" } else { "config" };
    if value.is_empty() {
        return Err("EOF".into());
    }
    let mut r = FileRef::default();
    let fields: Vec<&str> = value.split(',').collect();
    if fields.len() == 1 && !value.contains('=') {
        r.source = value.to_string();
        r.target = value.to_string();
        return Ok(r);
    }
    for field in fields {
        let Some((k, v)) = field.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!("invalid field '{field}' must be a key=value pair"));
        };
        match k.to_lowercase().as_str() {
            "source" | "src" => r.source = v.to_string(),
            "target" => r.target = v.to_string(),
            "uid" => r.uid = v.to_string(),
            "gid" => r.gid = v.to_string(),
            "mode" => {
                let m = parse_uint(v).and_then(|m| {
                    u32::try_from(m).map_err(|_| {
                        format!(
                            "strconv.ParseUint: parsing {}: value out of range",
                            go_quote(v)
                        )
                    })
                });
                match m {
                    Ok(m) => r.mode = m,
                    Err(e) => return Err(format!("invalid mode specified: {e}")),
                }
            }
            _ => return Err(format!("invalid field in {what} request: {k}")),
        }
    }
    if r.source.is_empty() {
        return Err("source is required".to_string());
    }
    if r.target.is_empty() {
        r.target = r.source.clone();
    }
    Ok(r)
}

/// `shlex.Split`, as docker's `ShellCommandOpt` (`--entrypoint`, `--args`) splits.
pub(crate) fn shell_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                have = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                have = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                cur.push(e);
                            }
                        }
                        _ => cur.push(d),
                    }
                }
            }
            '\\' => {
                have = true;
                if let Some(e) = chars.next() {
                    cur.push(e);
                }
            }
            c if c.is_whitespace() => {
                if have {
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            c => {
                have = true;
                cur.push(c);
            }
        }
    }
    if have {
        out.push(cur);
    }
    out
}

/// Flags whose durations must not be negative (docker's `PositiveDurationOpt`).
const POSITIVE_DURATIONS: &[&str] = &[
    "health-interval",
    "health-timeout",
    "health-start-period",
    "health-start-interval",
];

/// Checks every flag value as pflag would while parsing, in command-line order; the error is
/// docker/cli's `NetworkOpt`: a network name, or `name=N,alias=A,…` (fields lower-cased,
/// as the CLI does): (target, aliases). `Err` is the flag error's reason.
pub(crate) fn parse_network(value: &str) -> Result<(String, Vec<String>), String> {
    // The CLI's test for the long syntax: `\w+=\w+(,\w+=\w+)*` anywhere in the value.
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let long = value.char_indices().any(|(i, c)| {
        c == '='
            && value[..i].chars().next_back().is_some_and(word)
            && value[i + 1..].chars().next().is_some_and(word)
    });
    if !long {
        return Ok((value.to_string(), Vec::new()));
    }
    let (mut target, mut aliases) = (String::new(), Vec::new());
    for field in value.split(',') {
        let lower = field.to_lowercase();
        let Some((key, val)) = lower.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!("invalid field {field}"));
        };
        match key.trim() {
            "name" => target = val.to_string(),
            "alias" => aliases.push(val.to_string()),
            "driver-opt" | "ip" | "ip6" | "link-local-ip" | "mac-address" | "gw-priority" => {}
            other => return Err(format!("invalid field key {other}")),
        }
    }
    if target.is_empty() {
        return Err("network name/id is not specified".into());
    }
    Ok((target, aliases))
}

/// the usage error's first line.
pub(crate) fn check_values(path: &str, cmd: &Parsed) -> Result<(), String> {
    let specs = cli::flags(path);
    for (name, value) in &cmd.flags {
        let Some(spec) = specs.iter().find(|s| &s.long == name) else {
            continue;
        };
        let Some(kind) = spec.kind.as_deref() else {
            continue;
        };
        let r: Result<(), String> = match kind {
            "uint" => parse_uint(value).map(|_| ()),
            "int" => parse_int(value).map(|_| ()),
            "float" => parse_float(value).map(|_| ()),
            "duration" => go_parse_duration(value).and_then(|d| {
                if d < 0 && POSITIVE_DURATIONS.contains(&name.as_str()) {
                    Err("duration cannot be negative".into())
                } else {
                    Ok(())
                }
            }),
            "bytes" => ram_in_bytes(value).map(|_| ()),
            "decimal" => nano_cpus(value).map(|_| ()),
            "port" => parse_publish(value).map(|_| ()),
            "mount" => parse_mount(value).map(|_| ()),
            "pref" => parse_pref(value).map(|_| ()),
            "network" => parse_network(value).map(|_| ()),
            "secret" => parse_file_ref(value, true).map(|_| ()),
            "config" => parse_file_ref(value, false).map(|_| ()),
            "filter" => {
                if value.contains('=') {
                    Ok(())
                } else {
                    Err("bad format of filter (expected name=value)".into())
                }
            }
            "ulimit" => {
                if value.contains('=') {
                    Ok(())
                } else {
                    Err(format!("invalid ulimit argument: {value}"))
                }
            }
            _ => Ok(()),
        };
        if let Err(e) = r {
            let flag = match spec.short {
                Some(c) => format!("-{c}, --{}", spec.long),
                None => format!("--{}", spec.long),
            };
            return Err(format!(
                "invalid argument \"{value}\" for \"{flag}\" flag: {e}"
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Building and changing a spec

fn ms(nanos: i64) -> u64 {
    (nanos.max(0) / 1_000_000) as u64
}

fn dur(cmd: &Parsed, flag: &str) -> Option<i64> {
    cmd.value(flag).and_then(|v| go_parse_duration(v).ok())
}

fn uint(cmd: &Parsed, flag: &str) -> Option<u64> {
    cmd.value(flag).and_then(|v| parse_uint(v).ok())
}

fn changed(cmd: &Parsed, flag: &str) -> bool {
    cmd.value(flag).is_some()
}

/// `KEY=VALUE` strings as a map (`--label a` is `a` → ``).
fn kv_map(values: &[&str]) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|v| {
            let (k, v) = v.split_once('=').unwrap_or((v, ""));
            (k.to_string(), v.to_string())
        })
        .btree_map()
}

fn env_key(v: &str) -> &str {
    v.split_once('=').map(|(k, _)| k).unwrap_or(v)
}

/// A daemon-side check the core does not make; the text is the daemon's.
pub(crate) type DaemonError = String;

/// The CLI-side checks of `ToService` that run before the daemon is contacted (exit 1).
pub(crate) fn create_mode(cmd: &Parsed) -> Result<Mode, String> {
    let replicas = uint(cmd, "replicas");
    let max_concurrent = uint(cmd, "max-concurrent");
    let max_per_node = uint(cmd, "replicas-max-per-node").unwrap_or(0);
    let mode = cmd.value("mode").unwrap_or("replicated");
    let replicas_err = "replicas can only be used with replicated or replicated-job mode";
    let max_err = "replicas-max-per-node can only be used with replicated or replicated-job mode";
    let conc_err = "max-concurrent can only be used with replicated-job mode";
    match mode {
        "global" => {
            if replicas.is_some() {
                return Err(replicas_err.into());
            }
            if max_per_node > 0 {
                return Err(max_err.into());
            }
            if max_concurrent.is_some() {
                return Err(conc_err.into());
            }
            Ok(Mode::Global)
        }
        "replicated" => {
            if max_concurrent.is_some() {
                return Err(conc_err.into());
            }
            Ok(Mode::Replicated {
                replicas: replicas.unwrap_or(1),
            })
        }
        "replicated-job" => {
            let total = replicas.unwrap_or(1);
            Ok(Mode::ReplicatedJob {
                max_concurrent: max_concurrent.or(replicas).unwrap_or(1),
                total_completions: total,
            })
        }
        "global-job" => {
            if max_per_node > 0 {
                return Err(max_err.into());
            }
            if replicas.is_some() {
                return Err(replicas_err.into());
            }
            if max_concurrent.is_some() {
                return Err(conc_err.into());
            }
            Ok(Mode::GlobalJob)
        }
        other => Err(format!(
            "Unknown mode: {other}, only replicated and global supported"
        )),
    }
}

const HEALTH_FLAGS: &[&str] = &[
    "health-cmd",
    "health-interval",
    "health-timeout",
    "health-retries",
    "health-start-period",
    "health-start-interval",
];

/// The healthcheck flags (`toHealthConfig`); `Ok(None)` when none was given.
fn health(cmd: &Parsed, base: Option<HealthOverride>) -> Result<Option<HealthOverride>, String> {
    let have = HEALTH_FLAGS.iter().any(|f| changed(cmd, f));
    if cmd.bool("no-healthcheck") {
        if have {
            return Err("--no-healthcheck conflicts with --health-* options".into());
        }
        return Ok(Some(HealthOverride {
            test: vec!["NONE".into()],
            ..HealthOverride::default()
        }));
    }
    if !have {
        return Ok(base);
    }
    let mut h = base.unwrap_or_default();
    if h.test.first().map(String::as_str) == Some("NONE") {
        h.test.clear();
    }
    if let Some(c) = cmd.value("health-cmd") {
        h.test = if c.is_empty() {
            Vec::new()
        } else {
            vec!["CMD-SHELL".into(), c.to_string()]
        };
    }
    if let Some(d) = dur(cmd, "health-interval") {
        h.interval_ms = ms(d);
    }
    if let Some(d) = dur(cmd, "health-timeout") {
        h.timeout_ms = ms(d);
    }
    if let Some(d) = dur(cmd, "health-start-period") {
        h.start_period_ms = ms(d);
    }
    if let Some(d) = dur(cmd, "health-start-interval") {
        h.start_interval_ms = ms(d);
    }
    if let Some(r) = cmd.value("health-retries").and_then(|v| parse_int(v).ok()) {
        h.retries = r.clamp(0, i64::from(u32::MAX)) as u32;
    }
    Ok(Some(h))
}

/// `--update-*` or `--rollback-*` over `base` (the defaults when the spec had none).
fn update_config(
    cmd: &Parsed,
    prefix: &str,
    base: Option<UpdateConfig>,
) -> Result<Option<UpdateConfig>, DaemonError> {
    let names = [
        "parallelism",
        "delay",
        "monitor",
        "failure-action",
        "max-failure-ratio",
        "order",
    ];
    if !names.iter().any(|n| changed(cmd, &format!("{prefix}-{n}"))) {
        return Ok(base);
    }
    let mut c = base.unwrap_or_default();
    let f = |n: &str| format!("{prefix}-{n}");
    if let Some(p) = uint(cmd, &f("parallelism")) {
        c.parallelism = p;
    }
    if let Some(d) = dur(cmd, &f("delay")) {
        if d < 0 {
            return Err(swarm_core::swarm::rpc(
                "InvalidArgument",
                &format!("TaskSpec: {prefix}-delay cannot be negative"),
            ));
        }
        c.delay_ms = ms(d);
    }
    if let Some(d) = dur(cmd, &f("monitor")) {
        if d < 0 {
            return Err(swarm_core::swarm::rpc(
                "InvalidArgument",
                &format!("TaskSpec: {prefix}-monitor cannot be negative"),
            ));
        }
        c.monitor_ms = ms(d);
    }
    if let Some(a) = cmd.value(&f("failure-action")) {
        c.failure_action = match FailureAction::parse(a) {
            Some(x) => x,
            None if prefix == "update" => {
                return Err(format!("unrecognized update failure action {a}"))
            }
            None => return Err(format!("unrecognized rollback failure action {a}")),
        };
    }
    if let Some(r) = cmd
        .value(&f("max-failure-ratio"))
        .and_then(|v| parse_float(v).ok())
    {
        c.max_failure_ratio = r;
    }
    if let Some(o) = cmd.value(&f("order")) {
        c.order = match UpdateOrder::parse(o) {
            Some(x) => x,
            None => return Err(format!("unrecognized {prefix} order {o}")),
        };
    }
    Ok(Some(c))
}

/// The restart, resources, stop, container and endpoint flags shared by create and update.
fn common(cmd: &Parsed, spec: &mut ServiceSpec) -> Result<(), DaemonError> {
    if let Some(c) = cmd.value("restart-condition") {
        spec.restart.condition = match RestartCondition::parse(c) {
            Some(x) => Some(x),
            None => return Err(format!("invalid RestartCondition: \"{c}\"")),
        };
    }
    if let Some(d) = dur(cmd, "restart-delay") {
        if d < 0 {
            return Err(swarm_core::swarm::rpc(
                "InvalidArgument",
                "TaskSpec: restart-delay cannot be negative",
            ));
        }
        spec.restart.delay_ms = Some(ms(d));
    }
    if let Some(n) = uint(cmd, "restart-max-attempts") {
        spec.restart.max_attempts = Some(n);
    }
    if let Some(d) = dur(cmd, "restart-window") {
        spec.restart.window_ms = Some(ms(d));
    }
    spec.update = update_config(cmd, "update", spec.update.clone())?;
    spec.rollback = update_config(cmd, "rollback", spec.rollback.clone())?;
    // Changing any resource flag gives the spec both Limits and Reservations (docker/cli's
    // updateService `taskResources`).
    let resource_flags = [
        "reserve-cpu",
        "reserve-memory",
        "limit-cpu",
        "limit-memory",
        "limit-pids",
    ];
    if resource_flags.iter().any(|f| cmd.value(f).is_some()) {
        spec.resources.no_limits = false;
        spec.resources.no_reservations = false;
    }
    if let Some(v) = cmd.value("reserve-cpu").and_then(|v| nano_cpus(v).ok()) {
        spec.resources.reserve_nano_cpus = v;
    }
    if let Some(v) = cmd
        .value("reserve-memory")
        .and_then(|v| ram_in_bytes(v).ok())
    {
        spec.resources.reserve_memory = v;
    }
    if let Some(v) = cmd.value("limit-cpu").and_then(|v| nano_cpus(v).ok()) {
        spec.resources.limit_nano_cpus = v;
    }
    if let Some(v) = cmd.value("limit-memory").and_then(|v| ram_in_bytes(v).ok()) {
        spec.resources.limit_memory = v;
    }
    if let Some(v) = cmd.value("limit-pids").and_then(|v| parse_int(v).ok()) {
        spec.resources.limit_pids = v;
    }
    if let Some(d) = dur(cmd, "stop-grace-period") {
        spec.stop_grace_ms = Some(ms(d));
    }
    if let Some(s) = cmd.value("stop-signal") {
        spec.stop_signal = s.to_string();
    }
    if let Some(v) = cmd.value("hostname") {
        spec.hostname = v.to_string();
    }
    if let Some(v) = cmd.value("workdir") {
        spec.workdir = v.to_string();
    }
    if let Some(v) = cmd.value("user") {
        spec.user = v.to_string();
    }
    if changed(cmd, "tty") {
        spec.tty = cmd.bool("tty");
    }
    if let Some(e) = cmd.value("entrypoint") {
        spec.command = shell_split(e);
    }
    if let Some(n) = uint(cmd, "replicas-max-per-node") {
        spec.max_replicas_per_node = n;
    }
    if let Some(m) = cmd.value("endpoint-mode") {
        let m = m.to_lowercase();
        if m != "vip" && m != "dnsrr" {
            return Err(format!("invalid resolution mode: \"{m}\""));
        }
        spec.endpoint_mode = m;
    }
    spec.healthcheck = health(cmd, spec.healthcheck.clone())?;
    Ok(())
}

/// `docker service create`'s spec from its flags and arguments (`args[0]` is the image).
/// `Err` is a CLI-side error (exit 1, printed as is), checked before the daemon is contacted.
pub(crate) fn create_spec(cmd: &Parsed) -> Result<Result<ServiceSpec, DaemonError>, String> {
    let image = cmd.args.first().cloned().unwrap_or_default();
    let mut spec = ServiceSpec::new(cmd.value("name").unwrap_or(""), &image);
    // Environment: later values of a key replace earlier ones, in place of the first.
    let mut env: Vec<String> = Vec::new();
    for e in cmd.values("env") {
        let k = env_key(e);
        env.retain(|x| env_key(x) != k);
        env.push(e.to_string());
    }
    let health = health(cmd, None)?;
    let mode = create_mode(cmd)?;
    spec.env = env;
    spec.healthcheck = health;
    spec.mode = mode;
    spec.args = cmd.args.iter().skip(1).cloned().collect();
    spec.labels = kv_map(&cmd.values("label"));
    spec.container_labels = kv_map(&cmd.values("container-label"));
    spec.init = Some(cmd.bool("init"));
    spec.constraints = cmd
        .values("constraint")
        .iter()
        .map(|s| s.to_string())
        .collect();
    spec.preferences = cmd
        .values("placement-pref")
        .iter()
        .filter_map(|v| parse_pref(v).ok())
        .collect();
    for v in cmd.values("network") {
        if let Ok((target, aliases)) = parse_network(v) {
            if !aliases.is_empty() {
                spec.network_aliases.insert(target.clone(), aliases);
            }
            spec.networks.push(target);
        }
    }
    for p in cmd.values("publish") {
        spec.ports.extend(parse_publish(p).unwrap_or_default());
    }
    spec.mounts = cmd
        .values("mount")
        .iter()
        .filter_map(|v| parse_mount(v).ok())
        .collect();
    spec.secrets = cmd
        .values("secret")
        .iter()
        .filter_map(|v| parse_file_ref(v, true).ok())
        .collect();
    spec.configs = cmd
        .values("config")
        .iter()
        .filter_map(|v| parse_file_ref(v, false).ok())
        .collect();
    if let Err(e) = common(cmd, &mut spec) {
        return Ok(Err(e));
    }
    Ok(Ok(spec))
}

/// The flags `service update --rollback` may be combined with.
pub(crate) fn only_rollback_flags(cmd: &Parsed) -> bool {
    cmd.flags
        .iter()
        .all(|(k, _)| matches!(k.as_str(), "rollback" | "detach" | "quiet"))
}

/// `docker service update`'s changes to `spec` (`updateService`). `Err` is the daemon's or
/// the CLI's text.
pub(crate) fn apply_update(cmd: &Parsed, spec: &mut ServiceSpec) -> Result<(), String> {
    if let Some(r) = uint(cmd, "replicas") {
        match &mut spec.mode {
            Mode::Replicated { replicas } => *replicas = r,
            Mode::ReplicatedJob {
                total_completions, ..
            } => *total_completions = r,
            _ => {
                return Err(
                    "replicas can only be used with replicated or replicated-job mode".into(),
                )
            }
        }
    }
    if let Some(c) = uint(cmd, "max-concurrent") {
        match &mut spec.mode {
            Mode::ReplicatedJob { max_concurrent, .. } => *max_concurrent = c,
            _ => return Err("max-concurrent can only be used with replicated-job mode".into()),
        }
    }
    if let Some(i) = cmd.value("image") {
        spec.image = i.to_string();
    }
    if let Some(a) = cmd.value("args") {
        spec.args = shell_split(a);
    }
    if changed(cmd, "init") {
        spec.init = Some(cmd.bool("init"));
    }
    if cmd.bool("force") {
        spec.force_update += 1;
    }
    // Labels.
    for k in cmd.values("label-rm") {
        spec.labels.remove(k);
    }
    spec.labels.extend(kv_map(&cmd.values("label-add")));
    for k in cmd.values("container-label-rm") {
        spec.container_labels.remove(k);
    }
    spec.container_labels
        .extend(kv_map(&cmd.values("container-label-add")));
    // Environment (docker rebuilds it from a map; ordered by key here).
    let rm: BTreeSet<&str> = cmd.values("env-rm").iter().map(|v| env_key(v)).btree_set();
    spec.env.retain(|e| !rm.contains(env_key(e)));
    let adds = cmd.values("env-add");
    if !adds.is_empty() {
        let mut set: BTreeMap<String, String> = spec
            .env
            .iter()
            .map(|e| (env_key(e).to_string(), e.clone()))
            .btree_map();
        for a in adds {
            set.insert(env_key(a).to_string(), a.to_string());
        }
        spec.env = set.into_values().collect();
    }
    // Placement.
    spec.constraints
        .extend(cmd.values("constraint-add").iter().map(|s| s.to_string()));
    let rm: BTreeSet<&str> = cmd.values("constraint-rm").into_iter().btree_set();
    if changed(cmd, "constraint-add") || changed(cmd, "constraint-rm") {
        spec.constraints.retain(|c| !rm.contains(c.as_str()));
        swarm_core::sort::sort(&mut spec.constraints);
    }
    let rm: BTreeSet<String> = cmd
        .values("placement-pref-rm")
        .iter()
        .filter_map(|v| parse_pref(v).ok())
        .btree_set();
    spec.preferences.retain(|p| !rm.contains(p));
    spec.preferences.extend(
        cmd.values("placement-pref-add")
            .iter()
            .filter_map(|v| parse_pref(v).ok()),
    );
    // Ports.
    if changed(cmd, "publish-add") || changed(cmd, "publish-rm") {
        let rm: Vec<PortConfig> = cmd
            .values("publish-rm")
            .iter()
            .flat_map(|v| parse_publish(v).unwrap_or_default())
            .collect();
        let key =
            |p: &PortConfig| format!("{}:{}/{}/{}", p.published, p.target, p.protocol, p.mode);
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut ports: Vec<PortConfig> = Vec::new();
        for p in &spec.ports {
            if !seen.insert(key(p)) {
                continue;
            }
            if rm
                .iter()
                .any(|r| r.protocol == p.protocol && r.target == p.target && r.mode == p.mode)
            {
                continue;
            }
            ports.push(p.clone());
        }
        for v in cmd.values("publish-add") {
            for p in parse_publish(v).unwrap_or_default() {
                if seen.contains(&key(&p)) {
                    continue;
                }
                ports.push(p);
            }
        }
        swarm_core::sort::sort_by_key(&mut ports, key);
        spec.ports = ports;
    }
    // Networks, mounts, secrets, configs.
    let rm: BTreeSet<&str> = cmd.values("network-rm").into_iter().btree_set();
    spec.networks.retain(|n| !rm.contains(n.as_str()));
    spec.network_aliases.retain(|n, _| !rm.contains(n.as_str()));
    for v in cmd.values("network-add") {
        let Ok((n, aliases)) = parse_network(v) else {
            continue;
        };
        if !spec.networks.contains(&n) {
            if !aliases.is_empty() {
                spec.network_aliases.insert(n.clone(), aliases);
            }
            spec.networks.push(n);
        }
    }
    let rm: BTreeSet<&str> = cmd.values("mount-rm").into_iter().btree_set();
    spec.mounts.retain(|m| !rm.contains(m.target.as_str()));
    spec.mounts.extend(
        cmd.values("mount-add")
            .iter()
            .filter_map(|v| parse_mount(v).ok()),
    );
    let rm: BTreeSet<&str> = cmd.values("secret-rm").into_iter().btree_set();
    spec.secrets.retain(|s| !rm.contains(s.source.as_str()));
    spec.secrets.extend(
        cmd.values("secret-add")
            .iter()
            .filter_map(|v| parse_file_ref(v, true).ok()),
    );
    let rm: BTreeSet<&str> = cmd.values("config-rm").into_iter().btree_set();
    spec.configs.retain(|s| !rm.contains(s.source.as_str()));
    spec.configs.extend(
        cmd.values("config-add")
            .iter()
            .filter_map(|v| parse_file_ref(v, false).ok()),
    );
    common(cmd, spec).map_err(|e| format!("Error response from daemon: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_go() {
        assert_eq!(go_parse_duration("5s"), Ok(5_000_000_000));
        assert_eq!(go_parse_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(go_parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(go_parse_duration("-1s"), Ok(-1_000_000_000));
        assert_eq!(go_parse_duration("0"), Ok(0));
        assert_eq!(
            go_parse_duration("5"),
            Err("time: missing unit in duration \"5\"".into())
        );
        assert_eq!(
            go_parse_duration("1x"),
            Err("time: unknown unit \"x\" in duration \"1x\"".into())
        );
        assert_eq!(
            go_parse_duration("x"),
            Err("time: invalid duration \"x\"".into())
        );
        assert!(go_parse_duration("99999999999h").is_err());
    }

    #[test]
    fn numbers_as_go() {
        assert_eq!(parse_uint("3"), Ok(3));
        assert_eq!(
            parse_uint("-1"),
            Err("strconv.ParseUint: parsing \"-1\": invalid syntax".into())
        );
        assert_eq!(
            parse_uint("99999999999999999999"),
            Err("strconv.ParseUint: parsing \"99999999999999999999\": value out of range".into())
        );
        assert_eq!(parse_int("-3"), Ok(-3));
        assert_eq!(ram_in_bytes("512m"), Ok(512 * 1024 * 1024));
        assert_eq!(ram_in_bytes("1.5g"), Ok(1610612736));
        assert_eq!(ram_in_bytes("1x"), Err("invalid suffix: 'x'".into()));
        assert_eq!(ram_in_bytes("abc"), Err("invalid size: 'abc'".into()));
        assert_eq!(ram_in_bytes("-1"), Err("invalid size: '-1'".into()));
        assert_eq!(nano_cpus("0.5"), Ok(500_000_000));
        assert_eq!(nano_cpus("3/2"), Ok(1_500_000_000));
        assert_eq!(
            nano_cpus("1/0"),
            Err("failed to parse 1/0 as a rational number".into())
        );
    }

    #[test]
    fn publish_forms() {
        let p = parse_publish("8080:80").unwrap();
        assert_eq!(
            (p[0].published, p[0].target, p[0].mode.as_str()),
            (8080, 80, "ingress")
        );
        let p = parse_publish("published=8080,target=80,mode=host").unwrap();
        assert_eq!(
            (p[0].published, p[0].target, p[0].mode.as_str()),
            (8080, 80, "host")
        );
        assert_eq!(
            parse_publish("8080:80:90").unwrap_err(),
            "invalid IP address: 8080"
        );
        assert_eq!(
            parse_publish("published=8080").unwrap_err(),
            "missing mandatory field 'target'"
        );
        assert_eq!(parse_publish("x:80").unwrap_err(), "invalid hostPort: x");
        assert_eq!(
            parse_publish("80:x").unwrap_err(),
            "invalid containerPort: x"
        );
        assert_eq!(
            parse_publish("80:80/xyz").unwrap_err(),
            "invalid proto: xyz"
        );
        assert_eq!(
            parse_publish("target=x").unwrap_err(),
            "invalid target port (x): value must be an integer: invalid syntax"
        );
        assert_eq!(parse_publish("8080-8081:80-81").unwrap().len(), 2);
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_split("sh -c 'echo hi'"), vec!["sh", "-c", "echo hi"]);
        assert_eq!(shell_split(""), Vec::<String>::new());
    }
}
