//! Host tools of the Alpine machines that the registry labs use: `tree`, `openssl` (`req`,
//! `x509`, `genrsa`, `rand`, `version`), `base64`, `pgrep`/`pkill` and `dockerd`.
//!
//! Texts are those of tree 2.1, OpenSSL 3 and BusyBox as the lab's Alpine hosts print them.
//!
//! **Keys and certificates are not real.** `openssl req`/`genrsa` write PEM files whose bytes
//! are deterministic pseudo-random (FNV-1a of the machine, the path, the subject and the key
//! size, stretched with SplitMix64; never a clock or a global RNG). The base64 payload of a
//! certificate decodes to a DER-looking header followed by a small text record of our own
//! (`SWARMCERT 1`: the subject fields, serial, validity from the simulated clock, key size and
//! the key's fingerprint), so `openssl x509` can answer from it and the rest of the program can
//! read the subject with [`cert_subject`] / [`cert_common_name`].

use crate::exec::{Interp, Io};
use crate::fsutils;

// ---------------------------------------------------------------------------------------
// Deterministic bytes

/// FNV-1a 64 over several byte strings (each followed by a separator byte).
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.iter().chain(std::iter::once(&0xffu8)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// SplitMix64: a stream of bytes from one seed.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

/// A pseudo digest of `data`, `n` bytes long (a stand-in for SHA-1/SHA-256).
fn digest(data: &[u8], n: usize) -> Vec<u8> {
    Mix(fnv(&[data, &(n as u64).to_le_bytes()])).bytes(n)
}

fn hex_colon(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect::<Vec<_>>()
        .join(":")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

// ---------------------------------------------------------------------------------------
// base64

fn b64_encode(data: &[u8]) -> String {
    swarm_core::base64::encode(data)
}

/// Decodes base64, ignoring whitespace; `None` on any other bad character or a bad length.
fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let s: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let body = s.trim_end_matches('=');
    let pad = s.len() - body.len();
    if pad > 2 || body.contains('=') || (pad > 0 && !s.len().is_multiple_of(4)) {
        return None;
    }
    swarm_core::base64::decode(body)
}

/// `data` base64-encoded in lines of `width` characters, each ending in `\n` (0: one
/// line, no `\n`).
fn b64_lines(data: &[u8], width: usize) -> String {
    let enc = b64_encode(data);
    if enc.is_empty() {
        return String::new();
    }
    if width == 0 {
        // `base64 -w 0`: one line, without a newline at the end.
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / width + 1);
    for chunk in enc.as_bytes().chunks(width) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out
}

fn pem(label: &str, der: &[u8]) -> String {
    format!(
        "-----BEGIN {label}-----\n{}-----END {label}-----\n",
        b64_lines(der, 64)
    )
}

/// The payload of the first `label` block of a PEM text.
fn pem_payload(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    b64_decode(&text[start..stop])
}

// ---------------------------------------------------------------------------------------
// The machine

fn hostname(interp: &Interp) -> String {
    let m = interp.session.borrow().machine();
    let world = interp.world();
    let w = world.borrow();
    w.machine(m)
        .map(|mc| mc.hostname.clone())
        .unwrap_or_default()
}

fn now_ms(interp: &Interp) -> i64 {
    interp.world().borrow().now().unix_ms()
}

/// The bytes of a file (relative to the working directory).
fn read_bytes(interp: &Interp, name: &str) -> Result<Vec<u8>, swarm_core::fs::FsError> {
    if name == "/dev/null" {
        return Ok(Vec::new());
    }
    let p = fsutils::abs_path(interp, name);
    let m = interp.session.borrow().machine();
    let world = interp.world();
    let w = world.borrow();
    match w.machine(m) {
        Some(mc) => mc.fs.read(&p).map(<[u8]>::to_vec),
        None => Err(swarm_core::fs::FsError::NotFound),
    }
}

// ---------------------------------------------------------------------------------------
// tree

/// What `tree` found below the directories it listed.
#[derive(Debug, Default, PartialEq, Eq)]
struct TreeCount {
    dirs: usize,
    files: usize,
}

struct TreeOpts {
    all: bool,
    dirs_only: bool,
    full: bool,
    level: Option<usize>,
}

const TREE_USAGE: &str = "usage: tree [-acdfghilnpqrstuvxACDFJQNSUX] [-L level [-R]] [-H  baseHREF]\n\t[-T title] [-o filename] [-P pattern] [-I pattern] [--gitignore]\n\t[--gitfile[=]file] [--matchdirs] [--metafirst] [--ignore-case]\n\t[--nolinks] [--hintro[=]file] [--houtro[=]file] [--inodes] [--device]\n\t[--sort[=]<name>] [--dirsfirst] [--filesfirst] [--filelimit #] [--si]\n\t[--du] [--prune] [--charset[=]X] [--timefmt[=]format] [--fromfile]\n\t[--fflinks] [--info] [--infofile[=]file] [--noreport] [--version]\n\t[--help] [--] [directory ...]\n";

/// Entries of a directory as `tree` orders them: by name, byte by byte (`LC_COLLATE=C`, which
/// is also what musl's `strcoll` does on Alpine).
fn tree_sort(names: &mut [(String, bool)]) {
    names.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
}

/// The `N directories, M files` line (without the leading blank line).
fn tree_report(c: &TreeCount, dirs_only: bool) -> String {
    let d = format!(
        "{} director{}",
        c.dirs,
        if c.dirs == 1 { "y" } else { "ies" }
    );
    if dirs_only {
        format!("{d}\n")
    } else {
        format!(
            "{d}, {} file{}\n",
            c.files,
            if c.files == 1 { "" } else { "s" }
        )
    }
}

/// Lists `dir` (absolute) below a line already printed; `shown` is its path as printed with
/// `-f`. Returns whether anything was listed.
#[allow(clippy::too_many_arguments)]
fn tree_walk(
    fs: &swarm_core::fs::Fs,
    dir: &str,
    shown: &str,
    prefix: &str,
    depth: usize,
    o: &TreeOpts,
    count: &mut TreeCount,
    out: &mut String,
) -> bool {
    if o.level.is_some_and(|l| depth > l) || depth > 4096 {
        return false;
    }
    let Ok(list) = fs.list(dir) else {
        return false;
    };
    let mut names: Vec<(String, bool)> = list
        .into_iter()
        .filter(|(n, _)| o.all || !n.starts_with('.'))
        .filter(|(_, m)| !o.dirs_only || m.is_dir())
        .map(|(n, m)| (n, m.is_dir()))
        .collect();
    tree_sort(&mut names);
    let n = names.len();
    for (i, (name, is_dir)) in names.into_iter().enumerate() {
        let last = i + 1 == n;
        let child_shown = if shown.ends_with('/') {
            format!("{shown}{name}")
        } else {
            format!("{shown}/{name}")
        };
        out.push_str(prefix);
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(if o.full { &child_shown } else { &name });
        out.push('\n');
        if is_dir {
            count.dirs += 1;
            let p = swarm_core::fs::join(dir, &name);
            let next = format!("{prefix}{}", if last { "    " } else { "│   " });
            tree_walk(fs, &p, &child_shown, &next, depth + 1, o, count, out);
        } else {
            count.files += 1;
        }
    }
    n > 0
}

/// `tree [-adf] [-L N] [--noreport] [DIR…]`, as tree 2.1 prints it.
pub(crate) fn tree(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut o = TreeOpts {
        all: false,
        dirs_only: false,
        full: false,
        level: None,
    };
    let mut report = true;
    let mut dirs: Vec<String> = Vec::new();
    let mut i = 0;
    let mut options = true;
    let bad_level = |io: &Io| {
        io.err
            .write("tree: Invalid level, must be greater than 0.\n");
        1
    };
    while let Some(a) = args.get(i) {
        i += 1;
        if !options || !a.starts_with('-') || a == "-" {
            dirs.push(a.clone());
            continue;
        }
        if a == "--" {
            options = false;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            match long {
                "noreport" => report = false,
                "version" => {
                    io.out.write("tree v2.1.1 © 1996 - 2023 by Steve Baker, Thomas Moore, Francesc Rocher, Florian Sesser, Kyosuke Tokoro\n");
                    return 0;
                }
                "help" => {
                    io.out.write(TREE_USAGE);
                    return 0;
                }
                "dirsfirst" | "filesfirst" | "prune" | "nolinks" | "ignore-case" | "matchdirs" => {}
                _ => {
                    io.err.write(&format!("tree: Invalid argument `{a}'.\n"));
                    io.err.write(TREE_USAGE);
                    return 1;
                }
            }
            continue;
        }
        let flags: Vec<char> = a[1..].chars().collect();
        for (j, c) in flags.iter().enumerate() {
            match c {
                'a' => o.all = true,
                'd' => o.dirs_only = true,
                'f' => o.full = true,
                'L' => {
                    // The level is the next argument (tree 2 also takes `-L2`).
                    let rest: String = flags[j + 1..].iter().collect();
                    let v = if !rest.is_empty() {
                        rest
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        v.clone()
                    } else {
                        io.err.write("tree: Missing argument to -L option.\n");
                        return 1;
                    };
                    match v.parse::<usize>() {
                        Ok(n) if n > 0 => o.level = Some(n),
                        _ => return bad_level(io),
                    }
                    break;
                }
                c if "cghilnpqrstuvxACDFJQNSUX".contains(*c) => {}
                _ => {
                    io.err.write(&format!("tree: Invalid argument -`{c}'.\n"));
                    io.err.write(TREE_USAGE);
                    return 1;
                }
            }
        }
    }
    if dirs.is_empty() {
        dirs.push(".".into());
    }
    let world = interp.world();
    let w = world.borrow();
    let m = interp.session.borrow().machine();
    let Some(mc) = w.machine(m) else {
        return 1;
    };
    let mut out = String::new();
    let mut total = TreeCount::default();
    let mut status = 0;
    for d in &dirs {
        let p = fsutils::abs_path(interp, d);
        match mc.fs.stat(&p) {
            Ok(meta) if meta.is_dir() => {
                out.push_str(d);
                out.push('\n');
                let mut c = TreeCount::default();
                if tree_walk(&mc.fs, &p, d, "", 1, &o, &mut c, &mut out) {
                    // tree 2 counts a listed directory that has entries itself.
                    c.dirs += 1;
                }
                total.dirs += c.dirs;
                total.files += c.files;
            }
            Ok(_) => {
                // tree 2.1 on a file: the error marker, but the file counts.
                out.push_str(&format!("{d}  [error opening dir]\n"));
                total.files += 1;
            }
            Err(_) => {
                out.push_str(&format!("{d}  [error opening dir]\n"));
                status = 2;
            }
        }
    }
    if report {
        out.push('\n');
        out.push_str(&tree_report(&total, o.dirs_only));
    }
    drop(w);
    io.out.write(&out);
    status
}

// ---------------------------------------------------------------------------------------
// Certificates

/// What our certificate payload carries.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Cert {
    /// `(type, value)` in order: `C`, `ST`, `L`, `O`, `OU`, `CN`, `emailAddress` …
    subject: Vec<(String, String)>,
    serial: Vec<u8>,
    not_before_ms: i64,
    not_after_ms: i64,
    bits: u32,
    digest: String,
    /// 20 bytes: the key's identifier.
    key_id: Vec<u8>,
    /// `subjectAltName` as `-addext` gave it (`IP:127.0.0.1, DNS:localhost`), if any.
    san: Option<String>,
    /// A certificate signing request (`req` without `-x509`) rather than a certificate.
    request: bool,
}

const CERT_MAGIC: &str = "SWARMCERT 1\n";

/// `C = US, O = Docker, CN = 127.0.0.1`, as OpenSSL 3 prints names by default.
fn dn_text(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn clean(v: &str) -> String {
    v.replace(['\n', '\r', '\0'], " ")
}

impl Cert {
    /// The DER-looking bytes of the certificate: a SEQUENCE header, our record, a NUL, then
    /// pseudo-random bytes to a plausible length for the key size.
    fn to_der(&self) -> Vec<u8> {
        let mut rec = String::from(CERT_MAGIC);
        for (k, v) in &self.subject {
            rec.push_str(&format!("dn:{}={}\n", clean(k), clean(v)));
        }
        rec.push_str(&format!("serial:{}\n", hex(&self.serial)));
        rec.push_str(&format!("notBefore:{}\n", self.not_before_ms));
        rec.push_str(&format!("notAfter:{}\n", self.not_after_ms));
        rec.push_str(&format!("bits:{}\n", self.bits));
        rec.push_str(&format!("digest:{}\n", clean(&self.digest)));
        rec.push_str(&format!("key:{}\n", hex(&self.key_id)));
        if let Some(s) = &self.san {
            rec.push_str(&format!("san:{}\n", clean(s)));
        }
        if self.request {
            rec.push_str("request:1\n");
        }
        let total = 380 + self.bits as usize / 4;
        let mut body = rec.into_bytes();
        body.push(0);
        if body.len() + 4 < total {
            let seed = fnv(&[&body]);
            body.extend(Mix(seed).bytes(total - 4 - body.len()));
        }
        let len = body.len().min(0xffff) as u16;
        let mut der = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
        der.extend(body);
        der
    }

    fn from_der(der: &[u8]) -> Option<Cert> {
        if der.len() < 4 || der[0] != 0x30 {
            return None;
        }
        let rest = &der[4..];
        let rest = rest.strip_prefix(CERT_MAGIC.as_bytes())?;
        let end = rest.iter().position(|&b| b == 0)?;
        let text = std::str::from_utf8(&rest[..end]).ok()?;
        let mut c = Cert {
            subject: Vec::new(),
            serial: Vec::new(),
            not_before_ms: 0,
            not_after_ms: 0,
            bits: 2048,
            digest: "sha256".into(),
            key_id: Vec::new(),
            san: None,
            request: false,
        };
        for line in text.lines() {
            let (k, v) = line.split_once(':')?;
            match k {
                "dn" => {
                    let (t, val) = v.split_once('=')?;
                    c.subject.push((t.to_string(), val.to_string()));
                }
                "serial" => c.serial = unhex(v)?,
                "notBefore" => c.not_before_ms = v.parse().ok()?,
                "notAfter" => c.not_after_ms = v.parse().ok()?,
                "bits" => c.bits = v.parse().ok()?,
                "digest" => c.digest = v.to_string(),
                "key" => c.key_id = unhex(v)?,
                "san" => c.san = Some(v.to_string()),
                "request" => c.request = true,
                _ => {}
            }
        }
        Some(c)
    }

    fn from_pem(text: &str) -> Option<Cert> {
        Cert::from_der(&pem_payload(text, "CERTIFICATE")?).filter(|c| !c.request)
    }

    fn to_pem(&self) -> String {
        if self.request {
            pem("CERTIFICATE REQUEST", &self.to_der())
        } else {
            pem("CERTIFICATE", &self.to_der())
        }
    }
}

/// The subject of a PEM certificate written by our `openssl req`, as OpenSSL 3 prints it
/// (`C = US, O = Docker, CN = 127.0.0.1`); `None` if the text holds no such certificate.
#[allow(dead_code)] // read by the registry's TLS check (another part of the program)
pub(crate) fn cert_subject(pem: &str) -> Option<String> {
    Cert::from_pem(pem).map(|c| dn_text(&c.subject))
}

/// The common name (`CN`) of a PEM certificate written by our `openssl req`.
#[allow(dead_code)] // read by the registry's TLS check (another part of the program)
pub(crate) fn cert_common_name(pem: &str) -> Option<String> {
    Cert::from_pem(pem)?
        .subject
        .into_iter()
        .rev()
        .find(|(k, _)| k == "CN")
        .map(|(_, v)| v)
}

/// A PKCS#8 RSA private key of `bits` bits, pseudo-random from `seed`: the DER header of a
/// real one (so the PEM starts `MIIEv…` for 2048 bits as openssl's do), then noise.
fn private_key_der(bits: u32, seed: u64) -> Vec<u8> {
    let inner_len = bits as usize * 9 / 16 + 34;
    let octet_len = inner_len + 4;
    let total_len = octet_len + 4 + 3 + 15;
    let mut d = vec![0x30, 0x82, (total_len >> 8) as u8, total_len as u8];
    d.extend_from_slice(&[0x02, 0x01, 0x00]);
    d.extend_from_slice(&[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ]);
    d.extend_from_slice(&[0x04, 0x82, (octet_len >> 8) as u8, octet_len as u8]);
    d.extend_from_slice(&[0x30, 0x82, (inner_len >> 8) as u8, inner_len as u8]);
    d.extend_from_slice(&[0x02, 0x01, 0x00]);
    let mlen = bits as usize / 8 + 1;
    d.extend_from_slice(&[0x02, 0x82, (mlen >> 8) as u8, mlen as u8, 0x00]);
    let mut mix = Mix(seed);
    let mut modulus = mix.bytes(bits as usize / 8);
    if let Some(b) = modulus.first_mut() {
        *b |= 0x80;
    }
    d.extend(modulus);
    d.extend_from_slice(&[0x02, 0x03, 0x01, 0x00, 0x01]);
    let want = total_len + 4;
    if d.len() < want {
        let n = want - d.len();
        d.extend(mix.bytes(n));
    }
    d
}

/// The modulus bytes in a key made by [`private_key_der`] (for `-text` and the key id).
fn key_modulus(der: &[u8], bits: u32) -> Vec<u8> {
    // Header (4) + version (3) + algorithm (15) + octet header (4) + seq (4) + version (3) +
    // integer header (4) + leading zero (1).
    let start = 38;
    der.get(start..start + bits as usize / 8)
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| digest(der, bits as usize / 8))
}

/// The two lines of `.+…+++*` that OpenSSL 3 prints while it looks for primes.
fn keygen_progress(seed: u64) -> String {
    let mut mix = Mix(seed ^ 0x5eed);
    let mut out = String::new();
    for _ in 0..2 {
        for run in 0..3 {
            let groups = 2 + mix.next() % 6;
            for _ in 0..groups {
                let dots = 1 + mix.next() % 5;
                out.push_str(&".".repeat(dots as usize));
                out.push('+');
            }
            out.push_str(&"+".repeat(65));
            if run < 2 {
                out.push('*');
            }
        }
        out.push('\n');
    }
    out
}

fn strftime_gmt(ms: i64) -> String {
    fsutils::strftime(ms, "%b %e %H:%M:%S %Y GMT")
}

/// Hex bytes in rows of `per_row`, each row indented, with the trailing `:` openssl puts on
/// all but the last.
fn hex_rows(bytes: &[u8], per_row: usize, indent: usize) -> String {
    let mut out = String::new();
    let rows: Vec<&[u8]> = bytes.chunks(per_row).collect();
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&" ".repeat(indent));
        out.push_str(&hex_colon(r, false));
        if i + 1 < rows.len() {
            out.push(':');
        }
        out.push('\n');
    }
    out
}

fn sig_algorithm(digest: &str) -> String {
    format!("{digest}WithRSAEncryption")
}

/// `openssl x509 -text`.
fn cert_text(c: &Cert, der: &[u8]) -> String {
    let name = dn_text(&c.subject);
    let mut modulus = vec![0u8];
    modulus.extend(Mix(fnv(&[&c.key_id])).bytes(c.bits as usize / 8));
    if let Some(b) = modulus.get_mut(1) {
        *b |= 0x80;
    }
    let sig = digest(der, c.bits as usize / 8);
    let kid = hex_colon(&c.key_id, true);
    let mut s = String::from("Certificate:\n    Data:\n        Version: 3 (0x2)\n");
    s.push_str(&format!(
        "        Serial Number:\n            {}\n",
        hex_colon(&c.serial, false)
    ));
    s.push_str(&format!(
        "        Signature Algorithm: {}\n",
        sig_algorithm(&c.digest)
    ));
    s.push_str(&format!("        Issuer: {name}\n"));
    s.push_str(&format!(
        "        Validity\n            Not Before: {}\n            Not After : {}\n",
        strftime_gmt(c.not_before_ms),
        strftime_gmt(c.not_after_ms)
    ));
    s.push_str(&format!("        Subject: {name}\n"));
    s.push_str(
        "        Subject Public Key Info:\n            Public Key Algorithm: rsaEncryption\n",
    );
    s.push_str(&format!(
        "                Public-Key: ({} bit)\n                Modulus:\n",
        c.bits
    ));
    s.push_str(&hex_rows(&modulus, 15, 20));
    s.push_str("                Exponent: 65537 (0x10001)\n");
    s.push_str("        X509v3 extensions:\n");
    s.push_str(&format!(
        "            X509v3 Subject Key Identifier: \n                {kid}\n"
    ));
    s.push_str(&format!(
        "            X509v3 Authority Key Identifier: \n                {kid}\n"
    ));
    s.push_str("            X509v3 Basic Constraints: critical\n                CA:TRUE\n");
    if let Some(san) = &c.san {
        s.push_str(&format!(
            "            X509v3 Subject Alternative Name: \n                {}\n",
            san_text(san)
        ));
    }
    s.push_str(&format!(
        "    Signature Algorithm: {}\n    Signature Value:\n",
        sig_algorithm(&c.digest)
    ));
    s.push_str(&hex_rows(&sig, 18, 8));
    s
}

/// `IP:1.2.3.4,DNS:x` as `-text` shows it: `IP Address:1.2.3.4, DNS:x`.
fn san_text(san: &str) -> String {
    san.split(',')
        .map(|p| {
            let p = p.trim();
            match p.split_once(':') {
                Some((k, v)) if k.trim() == "IP" => format!("IP Address:{}", v.trim()),
                Some((k, v)) => format!("{}:{}", k.trim(), v.trim()),
                None => p.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------
// openssl

/// Shows `prompt` and returns the answer: a line typed in the terminal, or the next line of
/// the command's standard input when that is a pipe or a file (a missing line is an empty
/// answer: the default, as OpenSSL takes end of input; `eof` is then set).
async fn ask(interp: &Interp, io: &Io, prompt: &str, eof: &mut bool) -> String {
    // OpenSSL writes its prompts on standard error.
    io.err.write(prompt);
    match interp.read_line(io, true).await {
        Some(line) => line,
        None => {
            *eof = true;
            String::new()
        }
    }
}

const DN_INTRO: &str = "You are about to be asked to enter information that will be incorporated\ninto your certificate request.\nWhat you are about to enter is what is called a Distinguished Name or a DN.\nThere are quite a few fields but you can leave some blank\nFor some fields there will be a default value,\nIf you enter '.', the field will be left blank.\n-----\n";

/// The questions of OpenSSL's default `openssl.cnf`: (type, prompt, default, min, max).
const DN_FIELDS: &[(&str, &str, &str, usize, usize)] = &[
    ("C", "Country Name (2 letter code)", "AU", 2, 2),
    (
        "ST",
        "State or Province Name (full name)",
        "Some-State",
        0,
        0,
    ),
    ("L", "Locality Name (eg, city)", "", 0, 0),
    (
        "O",
        "Organization Name (eg, company)",
        "Internet Widgits Pty Ltd",
        0,
        0,
    ),
    ("OU", "Organizational Unit Name (eg, section)", "", 0, 64),
    (
        "CN",
        "Common Name (e.g. server FQDN or YOUR name)",
        "",
        0,
        64,
    ),
    ("emailAddress", "Email Address", "", 0, 64),
];

/// Asks the DN questions; `Err` is the error text (the command fails).
async fn ask_subject(
    interp: &Interp,
    io: &Io,
    batch: bool,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut eof = false;
    if !batch {
        io.err.write(DN_INTRO);
    }
    for (t, prompt, default, min, max) in DN_FIELDS {
        let mut tries = 0;
        let value = loop {
            let v = if batch {
                String::new()
            } else {
                ask(interp, io, &format!("{prompt} [{default}]:"), &mut eof).await
            };
            let v = v.trim_end_matches('\r').to_string();
            let v = if v.is_empty() {
                default.to_string()
            } else if v == "." {
                String::new()
            } else {
                v
            };
            let n = v.len();
            if !v.is_empty() && *min > 0 && n < *min {
                io.err.write(&format!(
                    "String too short, must be at least {min} bytes long\n"
                ));
            } else if !v.is_empty() && *max > 0 && n > *max {
                io.err.write(&format!(
                    "String too long, must be at most {max} bytes long\n"
                ));
            } else {
                break v;
            }
            tries += 1;
            if tries > 16 || eof {
                return Err("Error making certificate request\n".into());
            }
        };
        if !value.is_empty() {
            out.push((t.to_string(), value));
        }
    }
    if !batch && !io.stdin_tty {
        // Typed answers end their lines; answers from a pipe are not echoed, so end the
        // prompts' line here rather than glue the shell's next prompt to it.
        io.err.write("\n");
    }
    if out.is_empty() {
        return Err(
            "Error: No objects specified in config file\nError making certificate request\n".into(),
        );
    }
    Ok(out)
}

/// `/C=US/O=Docker/CN=127.0.0.1` (`\` escapes a `/`).
fn parse_subj(s: &str) -> Option<Vec<(String, String)>> {
    let rest = s.strip_prefix('/')?;
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.push(chars.next().unwrap_or('\\')),
            '/' => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    let mut out = Vec::new();
    for p in parts {
        let (k, v) = p.split_once('=')?;
        if k.is_empty() {
            return None;
        }
        let k = match k {
            "email" | "Email" | "E" => "emailAddress",
            other => other,
        };
        if !v.is_empty() {
            out.push((k.to_string(), v.to_string()));
        }
    }
    Some(out)
}

fn openssl_file_error(cmd: &str, path: &str, e: &str) -> String {
    format!("{cmd}: Can't open \"{path}\" for writing, {e}\n")
}

/// `openssl SUBCOMMAND …`.
pub(crate) async fn openssl(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let Some(sub) = args.first() else {
        return openssl_help(io);
    };
    let rest = &args[1..];
    match sub.as_str() {
        "version" => {
            io.out
                .write("OpenSSL 3.3.2 3 Sep 2024 (Library: OpenSSL 3.3.2 3 Sep 2024)\n");
            0
        }
        "help" | "-help" | "--help" => openssl_help(io),
        "req" => req(interp, rest, io).await,
        "x509" => x509(interp, rest, io),
        "genrsa" => genrsa(interp, rest, io),
        "rand" => rand(interp, rest, io),
        other => {
            io.err.write(&format!(
                "Invalid command '{other}'; type \"help\" for a list.\n"
            ));
            1
        }
    }
}

fn openssl_help(io: &Io) -> i32 {
    const CMDS: &[&str] = &[
        "asn1parse",
        "ca",
        "ciphers",
        "dgst",
        "enc",
        "genrsa",
        "rand",
        "req",
        "rsa",
        "s_client",
        "verify",
        "version",
        "x509",
    ];
    let mut s = String::from("help:\n\nStandard commands\n");
    for row in CMDS.chunks(4) {
        let line: String = row.iter().map(|c| format!("{c:<18}")).collect();
        s.push_str(line.trim_end());
        s.push('\n');
    }
    io.out.write(&s);
    0
}

/// Takes the value of option `name` at `args[*i]`; prints openssl's error if it is missing.
fn opt_value(cmd: &str, name: &str, args: &[String], i: &mut usize, io: &Io) -> Option<String> {
    *i += 1;
    match args.get(*i) {
        Some(v) => Some(v.clone()),
        None => {
            io.err.write(&format!(
                "{cmd}: Option -{name} needs a value\n{cmd}: Use -help for summary.\n"
            ));
            None
        }
    }
}

fn parse_bits(cmd: &str, v: &str, io: &Io) -> Option<u32> {
    match v.parse::<u32>() {
        Ok(b) if (512..=16384).contains(&b) => Some(b),
        Ok(_) => {
            io.err.write(&format!(
                "{cmd}: Error generating RSA key: key size must be between 512 and 16384 bits\n"
            ));
            None
        }
        Err(_) => {
            io.err.write(&format!(
                "{cmd}: Can't parse \"{v}\" as a number\n{cmd}: Use -help for summary.\n"
            ));
            None
        }
    }
}

fn key_seed(interp: &Interp, path: &str, subject: &str, bits: u32) -> u64 {
    fnv(&[
        hostname(interp).as_bytes(),
        fsutils::abs_path(interp, path).as_bytes(),
        subject.as_bytes(),
        &bits.to_le_bytes(),
    ])
}

/// `openssl req -newkey rsa:BITS -nodes [-sha256] -keyout KEY [-x509] [-days N] -out CRT
/// [-subj /…] [-addext …]`.
async fn req(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut bits: Option<u32> = None;
    let mut keyout: Option<String> = None;
    let mut key_in: Option<String> = None;
    let mut out: Option<String> = None;
    let mut subj: Option<String> = None;
    let mut days: i64 = 30;
    let mut x509 = false;
    let mut batch = false;
    let mut san: Option<String> = None;
    let mut digest_name = "sha256".to_string();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let name = a.trim_start_matches('-');
        match a.as_str() {
            "-new" | "-nodes" | "-noenc" | "-verbose" | "-utf8" | "-text" | "-noout" => {}
            "-x509" => x509 = true,
            "-batch" => batch = true,
            "-sha1" | "-sha224" | "-sha256" | "-sha384" | "-sha512" | "-md5" => {
                digest_name = name.to_string()
            }
            "-newkey" => {
                let Some(v) = opt_value("req", name, args, &mut i, io) else {
                    return 1;
                };
                let b = match v.strip_prefix("rsa") {
                    Some("") => "2048".to_string(),
                    Some(rest) if rest.starts_with(':') => rest[1..].to_string(),
                    _ => {
                        io.err.write(&format!("Cannot open parameter file {v}\n"));
                        return 1;
                    }
                };
                match parse_bits("req", &b, io) {
                    Some(b) => bits = Some(b),
                    None => return 1,
                }
            }
            "-keyout" | "-out" | "-subj" | "-days" | "-addext" | "-key" | "-config"
            | "-passout" | "-extensions" | "-reqexts" | "-set_serial" => {
                let Some(v) = opt_value("req", name, args, &mut i, io) else {
                    return 1;
                };
                match name {
                    "keyout" => keyout = Some(v),
                    "out" => out = Some(v),
                    "subj" => subj = Some(v),
                    "key" => key_in = Some(v),
                    "days" => match v.parse::<i64>() {
                        Ok(d) if (-100_000..=100_000).contains(&d) => days = d,
                        _ => {
                            io.err.write(&format!(
                                "req: Invalid number \"{v}\" for option -days\nreq: Use -help for summary.\n"
                            ));
                            return 1;
                        }
                    },
                    "addext" => {
                        if let Some((k, val)) = v.split_once('=') {
                            if k.trim() == "subjectAltName" {
                                san = Some(val.trim().to_string());
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {
                io.err.write(&format!(
                    "req: Unknown option or message digest: {name}\nreq: Use -help for summary.\n"
                ));
                return 1;
            }
        }
        i += 1;
    }
    // The key: a new one (-newkey), or the one in -key.
    let mut key_pem: Option<String> = None;
    let key_bits;
    let key_der: Vec<u8>;
    if let Some(b) = bits {
        key_bits = b;
        let kpath = keyout.clone().unwrap_or_else(|| "privkey.pem".into());
        let seed = key_seed(interp, &kpath, subj.as_deref().unwrap_or(""), b);
        key_der = private_key_der(b, seed);
        io.err.write(&keygen_progress(seed));
        let text = pem("PRIVATE KEY", &key_der);
        if let Err(e) = fsutils::write_file(interp, &kpath, &text, false) {
            io.err.write(&openssl_file_error("req", &kpath, &e));
            return 1;
        }
        io.err.write("-----\n");
        key_pem = Some(text);
    } else if let Some(k) = &key_in {
        match fsutils::read_file(interp, k) {
            Ok(t) => match pem_payload(&t, "PRIVATE KEY") {
                Some(d) => {
                    key_bits = key_bits_of(&d);
                    key_der = d;
                }
                None => {
                    io.err.write(&format!(
                        "Could not read private key from {k}\nreq: Error loading private key\n"
                    ));
                    return 1;
                }
            },
            Err(e) => {
                io.err.write(&format!(
                    "Could not open file or uri for loading private key from {k}: {e}\n"
                ));
                return 1;
            }
        }
    } else {
        io.err.write("req: Use -help for summary.\n");
        return 1;
    }
    let _ = key_pem;
    let subject = match &subj {
        Some(s) => match parse_subj(s) {
            Some(f) => f,
            None => {
                io.err.write(&format!("req: subject name is expected to be in the format /type0=value0/type1=value1/type2=... where characters may be escaped by \\. This name is not in that format: '{s}'\n"));
                return 1;
            }
        },
        None => match ask_subject(interp, io, batch).await {
            Ok(f) => f,
            Err(e) => {
                io.err.write(&e);
                return 1;
            }
        },
    };
    let key_id = digest(&key_modulus(&key_der, key_bits), 20);
    let now = now_ms(interp);
    let serial_seed = fnv(&[&key_id, dn_text(&subject).as_bytes(), &now.to_le_bytes()]);
    let mut serial = Mix(serial_seed).bytes(20);
    if let Some(b) = serial.first_mut() {
        *b &= 0x7f;
    }
    let cert = Cert {
        subject,
        serial,
        not_before_ms: now,
        not_after_ms: now.saturating_add(days.saturating_mul(86_400_000)),
        bits: key_bits,
        digest: digest_name,
        key_id,
        san,
        request: !x509,
    };
    let text = cert.to_pem();
    match &out {
        Some(path) => {
            if let Err(e) = fsutils::write_file(interp, path, &text, false) {
                io.err.write(&openssl_file_error("req", path, &e));
                return 1;
            }
        }
        None => io.out.write(&text),
    }
    0
}

/// The key size of a key made by [`private_key_der`], from its modulus length.
fn key_bits_of(der: &[u8]) -> u32 {
    match der.get(35..37) {
        Some(&[hi, lo]) => {
            let mlen = (usize::from(hi) << 8) | usize::from(lo);
            ((mlen.saturating_sub(1)) * 8).clamp(512, 16384) as u32
        }
        _ => 2048,
    }
}

/// `openssl genrsa [-out FILE] [BITS]`.
fn genrsa(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut out: Option<String> = None;
    let mut bits = 2048;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-out" => match opt_value("genrsa", "out", args, &mut i, io) {
                Some(v) => out = Some(v),
                None => return 1,
            },
            "-verbose" | "-quiet" | "-traditional" => {}
            s if s.starts_with('-') => {
                io.err.write(&format!(
                    "genrsa: Unknown cipher: {}\n",
                    s.trim_start_matches('-')
                ));
                return 1;
            }
            v => match parse_bits("genrsa", v, io) {
                Some(b) => bits = b,
                None => return 1,
            },
        }
        i += 1;
    }
    let path = out.clone().unwrap_or_else(|| "-".into());
    let seed = key_seed(interp, &path, "", bits);
    let text = pem("PRIVATE KEY", &private_key_der(bits, seed));
    io.err.write(&keygen_progress(seed));
    match out {
        Some(p) => {
            if let Err(e) = fsutils::write_file(interp, &p, &text, false) {
                io.err.write(&openssl_file_error("genrsa", &p, &e));
                return 1;
            }
        }
        None => io.out.write(&text),
    }
    0
}

/// `openssl rand [-hex|-base64] [-out FILE] N`: bytes from the world's seeded `openssl`
/// stream (the same seed gives the same bytes).
fn rand(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut hex_out = false;
    let mut b64_out = false;
    let mut out: Option<String> = None;
    let mut n: Option<usize> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-hex" => hex_out = true,
            "-base64" => b64_out = true,
            "-out" => match opt_value("rand", "out", args, &mut i, io) {
                Some(v) => out = Some(v),
                None => return 1,
            },
            s if s.starts_with('-') && s.len() > 1 => {
                io.err.write(&format!(
                    "rand: Unknown option: {s}\nrand: Use -help for summary.\n"
                ));
                return 1;
            }
            v => match v.parse::<usize>() {
                Ok(x) if x <= 1 << 20 => n = Some(x),
                Ok(_) => {
                    io.err
                        .write("rand: at most 1048576 bytes in the playground\n");
                    return 1;
                }
                Err(_) => {
                    io.err.write(&format!(
                        "rand: Can't parse \"{v}\" as a number\nrand: Use -help for summary.\n"
                    ));
                    return 1;
                }
            },
        }
        i += 1;
    }
    let count = n.unwrap_or(0);
    let mut buf = vec![0u8; count];
    interp
        .world()
        .borrow_mut()
        .rng("openssl")
        .fill_bytes(&mut buf);
    let text = if hex_out {
        format!(
            "{}\n",
            buf.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )
    } else if b64_out {
        b64_lines(&buf, 64)
    } else {
        String::from_utf8_lossy(&buf).into_owned()
    };
    match out {
        Some(p) => match fsutils::write_file(interp, &p, &text, false) {
            Ok(()) => 0,
            Err(e) => {
                io.err.write(&openssl_file_error("rand", &p, &e));
                1
            }
        },
        None => {
            io.out.write(&text);
            0
        }
    }
}

/// The error lines OpenSSL 3 prints when `-in FILE` cannot be opened.
fn load_error(what: &str, path: &str, e: &str) -> String {
    format!(
        "Could not open file or uri for loading {what} from {path}\n\
         40F7C1B2E27F0000:error:16000069:STORE routines:ossl_store_get0_loader_int:unregistered scheme:crypto/store/store_register.c:237:scheme=file\n\
         40F7C1B2E27F0000:error:80000002:system library:file_open:{e}:providers/implementations/storemgmt/file_store.c:263:calling stat({path})\n\
         Unable to load {what}\n"
    )
}

/// `openssl x509 [-in FILE] [-noout] [-subject] [-issuer] [-dates] [-startdate] [-enddate]
/// [-serial] [-fingerprint [-sha256]] [-text]`; outputs in the order asked, as openssl does.
fn x509(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut input: Option<String> = None;
    let mut noout = false;
    let mut wants: Vec<&str> = Vec::new();
    let mut fp_digest = "sha1";
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-in" => match opt_value("x509", "in", args, &mut i, io) {
                Some(v) => input = Some(v),
                None => return 1,
            },
            "-noout" => noout = true,
            "-subject" | "-issuer" | "-dates" | "-startdate" | "-enddate" | "-serial"
            | "-fingerprint" | "-text" | "-pubkey" | "-ext" => {
                wants.push(&a[1..]);
                if a == "-ext" {
                    i += 1;
                }
            }
            "-sha1" | "-sha256" | "-md5" | "-sha512" => fp_digest = &a[1..],
            "-nameopt" | "-inform" | "-outform" => i += 1,
            s => {
                io.err.write(&format!(
                    "x509: Unknown option or message digest: {}\nx509: Use -help for summary.\n",
                    s.trim_start_matches('-')
                ));
                return 1;
            }
        }
        i += 1;
    }
    let (text, shown) = match &input {
        Some(p) if p != "-" => match fsutils::read_file(interp, p) {
            Ok(t) => (t, p.clone()),
            Err(e) => {
                io.err.write(&load_error("certificate", p, &e.to_string()));
                return 1;
            }
        },
        _ => (io.stdin.to_string(), "<stdin>".to_string()),
    };
    let der = pem_payload(&text, "CERTIFICATE");
    let Some((der, cert)) = der.and_then(|d| Cert::from_der(&d).map(|c| (d, c))) else {
        io.err.write(&format!(
            "Could not read certificate from {shown}\nUnable to load certificate\n"
        ));
        return 1;
    };
    let name = dn_text(&cert.subject);
    let mut s = String::new();
    for w in wants {
        match w {
            "subject" => s.push_str(&format!("subject={name}\n")),
            "issuer" => s.push_str(&format!("issuer={name}\n")),
            "dates" => s.push_str(&format!(
                "notBefore={}\nnotAfter={}\n",
                strftime_gmt(cert.not_before_ms),
                strftime_gmt(cert.not_after_ms)
            )),
            "startdate" => s.push_str(&format!("notBefore={}\n", strftime_gmt(cert.not_before_ms))),
            "enddate" => s.push_str(&format!("notAfter={}\n", strftime_gmt(cert.not_after_ms))),
            "serial" => s.push_str(&format!("serial={}\n", hex(&cert.serial))),
            "fingerprint" => {
                let (label, n) = match fp_digest {
                    "sha256" => ("sha256", 32),
                    "sha512" => ("sha512", 64),
                    "md5" => ("MD5", 16),
                    _ => ("SHA1", 20),
                };
                s.push_str(&format!(
                    "{label} Fingerprint={}\n",
                    hex_colon(&digest(&der, n), true)
                ));
            }
            "text" => s.push_str(&cert_text(&cert, &der)),
            "pubkey" => {
                let mut k = vec![0x30, 0x82, 0x01, 0x22];
                k.extend(Mix(fnv(&[&cert.key_id])).bytes(cert.bits as usize / 8 + 34));
                s.push_str(&pem("PUBLIC KEY", &k));
            }
            _ => {}
        }
    }
    if !noout {
        s.push_str(&cert.to_pem());
    }
    io.out.write(&s);
    0
}

// ---------------------------------------------------------------------------------------
// base64

const BASE64_USAGE: &str = "Usage: base64 [-d] [-w COL] [FILE]\n";

/// `base64 [-d] [-w COL] [FILE]`, as BusyBox has it.
pub(crate) fn base64(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut decode = false;
    let mut wrap = 76usize;
    let mut file: Option<String> = None;
    let mut i = 0;
    let bad_wrap = |io: &Io, v: &str| {
        io.err.write(&format!("base64: invalid number '{v}'\n"));
        1
    };
    while let Some(a) = args.get(i) {
        i += 1;
        match a.as_str() {
            "-d" | "--decode" => decode = true,
            "-i" | "--ignore-garbage" => {}
            "-w" | "--wrap" => {
                let Some(v) = args.get(i) else {
                    io.err.write("base64: option requires an argument: w\n");
                    io.err.write(BASE64_USAGE);
                    return 1;
                };
                i += 1;
                match v.parse() {
                    Ok(n) => wrap = n,
                    Err(_) => return bad_wrap(io, v),
                }
            }
            s if s.starts_with("--wrap=") => match s["--wrap=".len()..].parse() {
                Ok(n) => wrap = n,
                Err(_) => return bad_wrap(io, &s["--wrap=".len()..]),
            },
            s if s.starts_with("-w") => match s[2..].parse() {
                Ok(n) => wrap = n,
                Err(_) => return bad_wrap(io, &s[2..]),
            },
            s if s.starts_with('-') && s.len() > 1 => {
                io.err.write(&format!(
                    "base64: unrecognized option: {}\n",
                    s.trim_start_matches('-')
                ));
                io.err.write(BASE64_USAGE);
                return 1;
            }
            s => {
                if file.is_some() {
                    io.err.write(BASE64_USAGE);
                    return 1;
                }
                file = Some(s.to_string());
            }
        }
    }
    let data: Vec<u8> = match &file {
        None => io.stdin.as_bytes().to_vec(),
        Some(f) if f == "-" => io.stdin.as_bytes().to_vec(),
        Some(f) => match read_bytes(interp, f) {
            Ok(d) => d,
            Err(e) => {
                io.err.write(&format!("base64: can't open '{f}': {e}\n"));
                return 1;
            }
        },
    };
    if decode {
        match b64_decode(&String::from_utf8_lossy(&data)) {
            Some(bytes) => {
                io.out.write(&String::from_utf8_lossy(&bytes));
                0
            }
            None => {
                io.err.write("base64: invalid input\n");
                1
            }
        }
    } else {
        io.out.write(&b64_lines(&data, wrap));
        0
    }
}

// ---------------------------------------------------------------------------------------
// od

/// One output type of `od -t`: bytes per item and how an item prints.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum OdType {
    /// `c`: characters, C escapes, octal for the rest.
    Char,
    /// `a`: named characters.
    Named,
    /// `o`, `x`, `d`, `u` with a size.
    Int(char, usize),
}

impl OdType {
    fn parse(spec: &str) -> Option<Vec<OdType>> {
        let mut out = Vec::new();
        let mut chars = spec.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                'c' => out.push(OdType::Char),
                'a' => out.push(OdType::Named),
                'o' | 'x' | 'd' | 'u' => {
                    let mut digits = String::new();
                    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                        digits.push(*d);
                        chars.next();
                    }
                    let size = match chars.peek() {
                        Some('C') => {
                            chars.next();
                            1
                        }
                        Some('S') => {
                            chars.next();
                            2
                        }
                        Some('I') => {
                            chars.next();
                            4
                        }
                        Some('L') => {
                            chars.next();
                            8
                        }
                        _ if digits.is_empty() => 4,
                        _ => digits.parse().ok()?,
                    };
                    if ![1, 2, 4, 8].contains(&size) {
                        return None;
                    }
                    out.push(OdType::Int(c, size));
                }
                _ => return None,
            }
        }
        Some(out)
    }

    fn size(self) -> usize {
        match self {
            OdType::Int(_, n) => n,
            _ => 1,
        }
    }

    /// Column width of one item (GNU od: the widest value plus one space).
    fn width(self) -> usize {
        match self {
            OdType::Char | OdType::Named => 4,
            OdType::Int(k, n) => {
                let bits = 8 * n as u32;
                let max = if bits == 64 {
                    u64::MAX
                } else {
                    (1u64 << bits) - 1
                };
                1 + match k {
                    'o' => format!("{max:o}").len(),
                    'x' => 2 * n,
                    'u' => max.to_string().len(),
                    _ => (max / 2 + 1).to_string().len() + 1,
                }
            }
        }
    }

    /// One item in a column `w` wide.
    fn item(self, b: &[u8], w: usize) -> String {
        match self {
            OdType::Char => {
                let text = match b[0] {
                    0 => "\\0".to_string(),
                    7 => "\\a".to_string(),
                    8 => "\\b".to_string(),
                    9 => "\\t".to_string(),
                    10 => "\\n".to_string(),
                    11 => "\\v".to_string(),
                    12 => "\\f".to_string(),
                    13 => "\\r".to_string(),
                    c if (0x20..0x7f).contains(&c) => (c as char).to_string(),
                    c => format!("{c:03o}"),
                };
                format!("{text:>w$}")
            }
            OdType::Named => {
                const NAMES: [&str; 33] = [
                    "nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs", "ht", "nl", "vt",
                    "ff", "cr", "so", "si", "dle", "dc1", "dc2", "dc3", "dc4", "nak", "syn", "etb",
                    "can", "em", "sub", "esc", "fs", "gs", "rs", "us", "sp",
                ];
                let c = b[0] & 0x7f;
                let text = match c {
                    0..=32 => NAMES[c as usize].to_string(),
                    127 => "del".to_string(),
                    c => (c as char).to_string(),
                };
                format!("{text:>w$}")
            }
            OdType::Int(k, n) => {
                let mut v: u64 = 0;
                for (i, byte) in b.iter().take(n).enumerate() {
                    v |= u64::from(*byte) << (8 * i);
                }
                match k {
                    'o' => format!("{:>w$}", format!("{v:0>width$o}", width = self.width() - 1)),
                    'x' => format!("{:>w$}", format!("{v:0>width$x}", width = self.width() - 1)),
                    'u' => format!("{v:>w$}"),
                    _ => {
                        let bits = 8 * n as u32;
                        let signed = if bits == 64 {
                            v as i64
                        } else if v >> (bits - 1) & 1 == 1 {
                            v as i64 - (1i64 << bits)
                        } else {
                            v as i64
                        };
                        format!("{signed:>w$}")
                    }
                }
            }
        }
    }
}

/// `od [-A RADIX] [-t TYPE] [-bcdox] [-v] [FILE…]` as GNU coreutils (and BusyBox, built
/// like it) print it: 16 bytes a line, a repeated line as `*` unless `-v`, the address of
/// the end last.
pub(crate) fn od(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut radix = 'o';
    let mut types: Vec<OdType> = Vec::new();
    let mut verbose = false;
    let mut files: Vec<String> = Vec::new();
    let mut i = 0;
    let invalid_type = |io: &Io, t: &str| {
        io.err.write(&format!("od: invalid type string '{t}'\n"));
        1
    };
    while let Some(a) = args.get(i) {
        i += 1;
        if a == "-" || !a.starts_with('-') {
            files.push(a.clone());
            continue;
        }
        let mut flags = a[1..].chars();
        while let Some(f) = flags.next() {
            match f {
                'A' | 't' => {
                    let rest: String = flags.by_ref().collect();
                    let v = if rest.is_empty() {
                        i += 1;
                        args.get(i - 1).cloned().unwrap_or_default()
                    } else {
                        rest
                    };
                    if f == 'A' {
                        match v.as_str() {
                            "o" | "d" | "x" | "n" => radix = v.chars().next().unwrap_or('o'),
                            _ => {
                                io.err.write(&format!("od: invalid output address radix '{v}'; it must be one character from [doxn]\n"));
                                return 1;
                            }
                        }
                    } else {
                        match OdType::parse(&v) {
                            Some(t) => types.extend(t),
                            None => return invalid_type(io, &v),
                        }
                    }
                }
                'b' => types.push(OdType::Int('o', 1)),
                'c' => types.push(OdType::Char),
                'd' => types.push(OdType::Int('u', 2)),
                'o' => types.push(OdType::Int('o', 2)),
                'x' => types.push(OdType::Int('x', 2)),
                'v' => verbose = true,
                _ => {
                    io.err.write(&format!(
                        "od: invalid option -- '{f}'\nTry 'od --help' for more information.\n"
                    ));
                    return 1;
                }
            }
        }
    }
    if types.is_empty() {
        types.push(OdType::Int('o', 2));
    }
    let mut data: Vec<u8> = Vec::new();
    if files.is_empty() {
        files.push("-".into());
    }
    let mut status = 0;
    for f in &files {
        if f == "-" {
            data.extend_from_slice(io.stdin.as_bytes());
            continue;
        }
        // The shell's files: the machine's, or the container's inside one.
        match crate::fsutils::read_file(interp, f) {
            Ok(d) => data.extend(d.into_bytes()),
            Err(e) => {
                io.err.write(&format!("od: {f}: {e}\n"));
                status = 1;
            }
        }
    }
    let address = |n: usize| match radix {
        'd' => format!("{n:07}"),
        'x' => format!("{n:06x}"),
        'n' => String::new(),
        _ => format!("{n:07o}"),
    };
    // With several types, every type's items line up over the same bytes (GNU od widens the
    // narrower columns).
    let per_byte = types
        .iter()
        .map(|t| t.width().div_ceil(t.size()))
        .max()
        .unwrap_or(4);
    let mut out = String::new();
    let mut previous: Option<&[u8]> = None;
    let mut starred = false;
    for (k, line) in data.chunks(16).enumerate() {
        if !verbose && line.len() == 16 && previous == Some(line) {
            if !starred {
                out.push_str("*\n");
                starred = true;
            }
            continue;
        }
        previous = Some(line);
        starred = false;
        for (j, t) in types.iter().enumerate() {
            out.push_str(&if j == 0 {
                address(k * 16)
            } else {
                " ".repeat(address(0).len())
            });
            let mut padded = line.to_vec();
            padded.resize(line.len().div_ceil(t.size()) * t.size(), 0);
            for item in padded.chunks(t.size()) {
                let w = if types.len() > 1 {
                    per_byte * t.size()
                } else {
                    t.width()
                };
                out.push_str(&t.item(item, w));
            }
            out.push('\n');
        }
    }
    if radix != 'n' {
        out.push_str(&address(data.len()));
        out.push('\n');
    }
    io.out.write(&out);
    status
}

// ---------------------------------------------------------------------------------------
// Processes

/// The host's processes: (pid, name). There are no others on a playground machine.
const HOST_PROCESSES: &[(u32, &str)] = &[
    (12, "sshd"),
    (42, "dockerd"),
    (57, "containerd"),
    (88, "bash"),
];

fn matching(pattern: &str, exact: bool) -> Vec<(u32, &'static str)> {
    HOST_PROCESSES
        .iter()
        .filter(|(_, n)| {
            if exact {
                *n == pattern
            } else {
                n.contains(pattern)
            }
        })
        .copied()
        .collect()
}

/// `pgrep [-lx] PATTERN` / `pkill [-SIGNAL] [-x] PATTERN` (BusyBox).
pub(crate) fn pgrep_pkill(interp: &Interp, name: &str, args: &[String], io: &Io) -> i32 {
    let mut list_names = false;
    let mut exact = false;
    let mut pattern: Option<&str> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        match a.as_str() {
            "-l" if name == "pgrep" => list_names = true,
            "-x" => exact = true,
            "-f" | "-o" | "-n" | "-v" => {}
            "-s" | "-P" | "--signal" => i += 1,
            s if s.starts_with('-') && s.len() > 1 && name == "pkill" => {}
            s if s.starts_with('-') && s.len() > 1 => {
                io.err.write(&format!(
                    "{name}: unrecognized option: {}\nUsage: {name} [-flnovx] [-s SID|-P PPID|PATTERN]\n",
                    s.trim_start_matches('-')
                ));
                return 1;
            }
            s => pattern = Some(s),
        }
    }
    let Some(pattern) = pattern else {
        io.err.write(&format!(
            "Usage: {name} [-flnovx] [-s SID|-P PPID|PATTERN]\n"
        ));
        return 1;
    };
    let found = matching(pattern, exact);
    if found.is_empty() {
        return 1;
    }
    if name == "pkill" {
        for (_, n) in &found {
            if *n == "dockerd" {
                stop_dockerd(interp);
            }
        }
        return 0;
    }
    let text: String = found
        .iter()
        .map(|(pid, n)| {
            if list_names {
                format!("{pid} {n}\n")
            } else {
                format!("{pid}\n")
            }
        })
        .collect();
    io.out.write(&text);
    0
}

/// `pkill dockerd`: stopping the Docker daemon. For now the daemon is not stopped (the
/// simulated engine has no restart yet); this is where it will be.
fn stop_dockerd(_interp: &Interp) {}

/// `dockerd`: the daemon is already running, so it fails as dockerd does on a second start.
/// (`dockerd > /dev/null 2>&1 &` in the lab shows nothing.) This is where a restart of the
/// simulated engine will go.
pub(crate) fn dockerd(_interp: &Interp, _args: &[String], io: &Io) -> i32 {
    io.err.write("failed to start daemon: pid file found, ensure docker is not running or delete /var/run/docker.pid\n");
    1
}

// ---------------------------------------------------------------------------------------
// ip, ifconfig

/// A host network interface as BusyBox's `ip` and `ifconfig` show it.
struct Iface {
    name: String,
    addr: std::net::Ipv4Addr,
    prefix: u8,
    /// Has a carrier (eth0 always; a bridge while a container is connected).
    carrier: bool,
}

impl Iface {
    fn loopback(&self) -> bool {
        self.name == "lo"
    }

    /// Docker's MAC for an address (`02:42` and the address's bytes); zero for loopback.
    fn mac(&self) -> String {
        if self.loopback() {
            return "00:00:00:00:00:00".into();
        }
        let o = self.addr.octets();
        format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
    }

    fn cidr(&self) -> crate::ipshow::Cidr {
        crate::ipshow::Cidr {
            addr: self.addr,
            prefix: self.prefix,
        }
    }

    fn mask(&self) -> std::net::Ipv4Addr {
        self.cidr().mask()
    }

    fn broadcast(&self) -> std::net::Ipv4Addr {
        self.cidr().broadcast()
    }

    fn network(&self) -> std::net::Ipv4Addr {
        self.cidr().network()
    }
}

/// The current machine's interfaces: lo, eth0 (its LAN address), docker0, docker_gwbridge
/// while in a swarm, and a `br-<id>` per user-defined bridge network.
fn interfaces(interp: &Interp) -> Vec<Iface> {
    let world = interp.world();
    let w = world.borrow();
    let m = interp.session.borrow().machine();
    interfaces_of(&w, m)
}

/// The address of machine `m`'s interface `name` (`eth0`, `lo`, `docker0`, …), as the
/// daemon resolves `--advertise-addr eth0`; None when `m` has no such interface.
pub(crate) fn interface_addr(
    w: &swarm_core::World,
    m: swarm_core::MachineId,
    name: &str,
) -> Option<std::net::Ipv4Addr> {
    interfaces_of(w, m)
        .into_iter()
        .find(|i| i.name == name)
        .map(|i| i.addr)
}

fn interfaces_of(w: &swarm_core::World, m: swarm_core::MachineId) -> Vec<Iface> {
    use std::net::Ipv4Addr;
    let mut v = vec![Iface {
        name: "lo".into(),
        addr: Ipv4Addr::LOCALHOST,
        prefix: 8,
        carrier: true,
    }];
    let Some(mc) = w.machine(m) else { return v };
    v.push(Iface {
        name: "eth0".into(),
        addr: mc.ip,
        prefix: 23,
        carrier: true,
    });
    let running = w.containers(m).iter().any(|c| c.is_running());
    let gw = |(net, prefix): (Ipv4Addr, u8)| (Ipv4Addr::from(u32::from(net) + 1), prefix);
    let (addr, prefix) = gw(swarm_core::endpoints::BRIDGE_SUBNET);
    v.push(Iface {
        name: "docker0".into(),
        addr,
        prefix,
        carrier: running,
    });
    if let Some(sub) = w.gwbridge_subnet(m) {
        let (addr, prefix) = gw(sub);
        v.push(Iface {
            name: "docker_gwbridge".into(),
            addr,
            prefix,
            carrier: running,
        });
    }
    for n in w.local_networks(m) {
        v.push(Iface {
            name: format!("br-{}", n.id.get(..12).unwrap_or(&n.id)),
            addr: n.gateway,
            prefix: n.prefix,
            carrier: false,
        });
    }
    v
}

/// BusyBox `ip`: `addr` (`a`, `address`, `show [dev] NAME`), `route` (`r`), `link` (`l`).
pub(crate) fn ip(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let all = interfaces(interp);
    let links: Vec<crate::ipshow::Link> = all
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let (flags, mtu, state) = if i.loopback() {
                ("LOOPBACK,UP,LOWER_UP", 65536, "UNKNOWN")
            } else if i.carrier {
                ("BROADCAST,MULTICAST,UP,LOWER_UP", 1500, "UP")
            } else {
                ("NO-CARRIER,BROADCAST,MULTICAST,UP", 1500, "DOWN")
            };
            let (kind, brd) = if i.loopback() {
                ("loopback", "00:00:00:00:00:00")
            } else {
                ("ether", "ff:ff:ff:ff:ff:ff")
            };
            crate::ipshow::Link {
                index: k + 1,
                dev: i.name.clone(),
                shown: i.name.clone(),
                flags: flags.into(),
                mtu,
                state,
                tail: if i.loopback() { " qlen 1000" } else { "" }.into(),
                link: format!("link/{kind} {} brd {brd}", i.mac()),
                inet: (!i.loopback()).then(|| i.cidr()),
            }
        })
        .collect();
    let mut routes = String::new();
    if let Some(e) = all.iter().find(|i| i.name == "eth0") {
        let gw = std::net::Ipv4Addr::from(u32::from(e.network()) + 1);
        routes.push_str(&format!("default via {gw} dev eth0 \n"));
    }
    let mut nets: Vec<&Iface> = all.iter().filter(|i| !i.loopback()).collect();
    swarm_core::sort::sort_by_key(&mut nets, |i| u32::from(i.network()));
    for i in nets {
        let down = if i.carrier { "" } else { " linkdown" };
        routes.push_str(&format!(
            "{}/{} dev {} scope link  src {}{down} \n",
            i.network(),
            i.prefix,
            i.name,
            i.addr
        ));
    }
    let (out, err, code) = crate::ipshow::ip(&links, &routes, true, args);
    io.out.write(&out);
    io.err.write(&err);
    code
}

/// BusyBox `ifconfig [-a] [IFACE]`.
pub(crate) fn ifconfig(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let all = interfaces(interp);
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if names.len() > 1 {
        io.err
            .write("ifconfig: changing interfaces is not emulated by Swarm Playground\n");
        return 1;
    }
    let mut pick: Vec<&Iface> = match names.first() {
        None => all.iter().collect(),
        Some(n) => match all.iter().find(|i| &&i.name == n) {
            Some(i) => vec![i],
            None => {
                io.err.write(&format!(
                    "ifconfig: {n}: error fetching interface information: Device not found\n"
                ));
                return 1;
            }
        },
    };
    swarm_core::sort::sort_by(&mut pick, |a, b| a.name.cmp(&b.name));
    let mut out = String::new();
    for i in pick {
        let pad = |s: &str| format!("{s:<10}");
        if i.loopback() {
            out.push_str(&format!(
                "{}Link encap:Local Loopback  \n          inet addr:127.0.0.1  Mask:255.0.0.0\n          UP LOOPBACK RUNNING  MTU:65536  Metric:1\n",
                pad(&i.name)
            ));
        } else {
            let running = if i.carrier { "RUNNING " } else { "" };
            out.push_str(&format!(
                "{}Link encap:Ethernet  HWaddr {}  \n          inet addr:{}  Bcast:{}  Mask:{}\n          UP BROADCAST {running}MULTICAST  MTU:1500  Metric:1\n",
                pad(&i.name),
                i.mac().to_uppercase(),
                i.addr,
                i.broadcast(),
                i.mask()
            ));
        }
        out.push_str("          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n");
        let q = if i.loopback() { 1000 } else { 0 };
        out.push_str(&format!(
            "          collisions:0 txqueuelen:{q} \n          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n\n"
        ));
    }
    io.out.write(&out);
    0
}

// ---------------------------------------------------------------------------------------
// uname, ps, kill, basename, dirname, wget

/// `uname [-asnrm]` of the machine (the kernel docker info reports).
pub(crate) fn uname(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let host = {
        let world = interp.world();
        let w = world.borrow();
        w.machine(interp.session.borrow().machine())
            .map(|m| m.hostname.clone())
            .unwrap_or_default()
    };
    let kernel = swarm_core::machine::build::KERNEL;
    let flags: String = args
        .iter()
        .filter_map(|a| a.strip_prefix('-'))
        .collect::<Vec<_>>()
        .concat();
    if let Some(c) = flags.chars().find(|c| !"asnrvmpio".contains(*c)) {
        io.err.write(&format!(
            "uname: unrecognized option: {c}\nBusyBox v1.37.0 (2025-01-17 18:12:01 UTC) multi-call binary.\n\nUsage: uname [-amnrspvio]\n"
        ));
        return 1;
    }
    let all = flags.contains('a');
    let mut parts: Vec<String> = Vec::new();
    if all || flags.contains('s') || flags.is_empty() {
        parts.push("Linux".into());
    }
    if all || flags.contains('n') {
        parts.push(host);
    }
    if all || flags.contains('r') {
        parts.push(kernel.to_string());
    }
    if all || flags.contains('v') {
        parts.push("#1 SMP PREEMPT_DYNAMIC".into());
    }
    if all || flags.contains('m') {
        parts.push("x86_64".into());
    }
    if all || flags.contains('o') {
        // BusyBox on Alpine is built with CONFIG_UNAME_OSNAME="Linux".
        parts.push("Linux".into());
    }
    io.out.write(&format!("{}\n", parts.join(" ")));
    0
}

/// BusyBox `top`: only its batch form (`top -bn1`) prints a screen; interactively the
/// playground has no full-screen programs.
pub(crate) fn top(args: &[String], io: &Io) -> i32 {
    let batch = args.iter().any(|a| a.starts_with('-') && a.contains('b'));
    if !batch {
        io.err
            .write("top: only `top -b -n 1` is emulated by Swarm Playground\n");
        return 1;
    }
    let mut procs: Vec<(u32, String, char)> = vec![(
        1,
        "/bin/sh -c dockerd &>/var/log/docker.log & sshd -D".to_string(),
        'S',
    )];
    for (pid, name) in HOST_PROCESSES {
        procs.push((*pid, name.to_string(), 'S'));
    }
    procs.push((104, format!("top {}", args.join(" ")), 'R'));
    let refs: Vec<(u32, &str, char)> = procs.iter().map(|(p, c, s)| (*p, c.as_str(), *s)).collect();
    let (out, _, code) = crate::docker::image_programs::top_text(&refs, true);
    io.out.write(&out);
    code
}

/// BusyBox `ps` (every option is accepted; `ps aux` prints the same).
pub(crate) fn ps(_args: &[String], io: &Io) -> i32 {
    let mut s = String::from("PID   USER     TIME  COMMAND\n    1 root      0:00 /bin/sh -c dockerd &>/var/log/docker.log & sshd -D\n");
    for (pid, name) in HOST_PROCESSES {
        let cmd = match *name {
            "dockerd" => "dockerd",
            "containerd" => "containerd --config /var/run/docker/containerd/containerd.toml",
            "sshd" => "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups",
            "bash" => "bash",
            other => other,
        };
        s.push_str(&format!("{pid:>5} root      0:00 {cmd}\n"));
    }
    s.push_str("  104 root      0:00 ps\n");
    io.out.write(&s);
    0
}

/// bash's `kill`: the host's processes exist, others do not.
pub(crate) fn kill(args: &[String], io: &Io) -> i32 {
    let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if targets.is_empty() {
        if args.iter().any(|a| a == "-l") {
            io.out.write(" 1) SIGHUP\t 2) SIGINT\t 3) SIGQUIT\t 4) SIGILL\t 5) SIGTRAP\n 6) SIGABRT\t 7) SIGBUS\t 8) SIGFPE\t 9) SIGKILL\t10) SIGUSR1\n11) SIGSEGV\t12) SIGUSR2\t13) SIGPIPE\t14) SIGALRM\t15) SIGTERM\n");
            return 0;
        }
        io.err.write("bash: kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n");
        return 2;
    }
    let mut status = 0;
    for t in targets {
        if let Some(job) = t.strip_prefix('%') {
            io.err.write(&format!("bash: kill: %{job}: no such job\n"));
            status = 1;
        } else if let Ok(pid) = t.parse::<u32>() {
            if !HOST_PROCESSES.iter().any(|(p, _)| *p == pid) && pid != 1 {
                io.err
                    .write(&format!("bash: kill: ({pid}) - No such process\n"));
                status = 1;
            }
        } else {
            io.err.write(&format!(
                "bash: kill: {t}: arguments must be process or job IDs\n"
            ));
            status = 1;
        }
    }
    status
}

/// `basename NAME [SUFFIX]` and `dirname NAME…` (GNU coreutils).
pub(crate) fn base_dir_name(name: &str, args: &[String], io: &Io) -> i32 {
    if args.is_empty() {
        io.err.write(&format!(
            "{name}: missing operand\nTry '{name} --help' for more information.\n"
        ));
        return 1;
    }
    let dir = |p: &str| -> String {
        let t = p.trim_end_matches('/');
        if t.is_empty() {
            return if p.is_empty() { ".".into() } else { "/".into() };
        }
        match t.rfind('/') {
            Some(i) => {
                let d = t[..i].trim_end_matches('/');
                if d.is_empty() {
                    "/".into()
                } else {
                    d.to_string()
                }
            }
            None => ".".into(),
        }
    };
    if name == "dirname" {
        let out: String = args.iter().map(|a| format!("{}\n", dir(a))).collect();
        io.out.write(&out);
        return 0;
    }
    let p = &args[0];
    let t = p.trim_end_matches('/');
    let mut base = if t.is_empty() && !p.is_empty() {
        "/".to_string()
    } else {
        t.rsplit('/').next().unwrap_or(t).to_string()
    };
    if let Some(suffix) = args.get(1) {
        if base.len() > suffix.len() && base.ends_with(suffix.as_str()) {
            base.truncate(base.len() - suffix.len());
        }
    }
    io.out.write(&format!("{base}\n"));
    0
}

/// BusyBox `wget` on the host: `-qO- URL` prints the page, `wget URL` saves it (`-O FILE`).
/// What BusyBox `wget` fetched: the HTTP status and body, or the network's error; the
/// address it connected to; the size the file declares (hey's 9 MB download), if any.
pub(crate) struct Fetched {
    pub result: Result<(u16, String), swarm_core::network::HttpError>,
    /// The response's status line and headers (what `-S` prints).
    pub head: Vec<String>,
    pub ip: String,
    pub declared: Option<u64>,
}

/// BusyBox `wget`'s answer, before any file is written: stdout, stderr and the status, and
/// the file to save (its name, content and declared size) with the lines printed once it is.
pub(crate) struct WgetAnswer {
    pub out: String,
    pub err: String,
    pub code: i32,
    pub save: Option<(String, String, Option<u64>, String)>,
}

/// BusyBox 1.37's `wget [-q] [-O FILE] URL` over `fetch` (the machine's or a container's
/// network): its lines on stderr (`Connecting to …`, `saving to …`, the progress line, `saved`),
/// the body on stdout for `-O -`.
pub(crate) fn busybox_wget(
    args: &[String],
    fetch: &mut dyn FnMut(&str, &crate::net::Url) -> Fetched,
) -> WgetAnswer {
    let fail = |err: String| WgetAnswer {
        out: String::new(),
        err,
        code: 1,
        save: None,
    };
    let mut quiet = false;
    let mut server_response = false;
    let mut target: Option<String> = None;
    let mut url: Option<&String> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) {
            if let Some(f) = flags.strip_prefix('-') {
                if let Some(v) = f.strip_prefix("output-document=") {
                    target = Some(v.to_string());
                } else if f == "quiet" {
                    quiet = true;
                } else if f == "server-response" {
                    server_response = true;
                }
                continue;
            }
            for (k, c) in flags.char_indices() {
                match c {
                    'q' => quiet = true,
                    'S' => server_response = true,
                    'O' => {
                        target = crate::util::short_value(&flags[k + 1..], args, &mut i);
                        break;
                    }
                    _ => {}
                }
            }
        } else {
            url = Some(a);
        }
    }
    let Some(url) = url else {
        return fail("BusyBox v1.37.0 (2025-01-17 18:12:01 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n".into());
    };
    let Some(u) = crate::net::parse_url(url) else {
        return fail(format!("wget: bad address '{url}'\n"));
    };
    let Fetched {
        result,
        head,
        ip,
        declared,
    } = fetch(url, &u);
    let mut connecting = if quiet {
        String::new()
    } else {
        format!("Connecting to {} ({ip}:{})\n", u.host, u.port)
    };
    // `-S`: the response's head, each line indented by two spaces (even with -q).
    if server_response {
        for line in &head {
            connecting.push_str(&format!("  {line}\n"));
        }
    }
    match result {
        Ok((status, _)) if status >= 400 => fail(format!(
            "{connecting}wget: server returned error: HTTP/1.1 {status} {}\n",
            crate::net::reason(status)
        )),
        Ok((_, body)) => {
            let file = target.unwrap_or_else(|| {
                let last = u.path.split('?').next().unwrap_or("").rsplit('/').next();
                last.filter(|l| !l.is_empty())
                    .unwrap_or("index.html")
                    .to_string()
            });
            if file == "-" {
                let err = if quiet {
                    String::new()
                } else {
                    format!(
                        "{connecting}writing to stdout\n-                    100% |********************************| {:>5}  0:00:00 ETA\nwritten to stdout\n",
                        crate::hey::busybox_size(body.len() as u64)
                    )
                };
                return WgetAnswer {
                    out: body,
                    err,
                    code: 0,
                    save: None,
                };
            }
            let saved = if quiet {
                String::new()
            } else {
                let size = declared.unwrap_or(body.len() as u64);
                format!(
                    "{connecting}saving to '{file}'\n{:<20} 100% |********************************| {:>5}  0:00:00 ETA\n'{file}' saved\n",
                    file.rsplit('/').next().unwrap_or(&file),
                    crate::hey::busybox_size(size)
                )
            };
            WgetAnswer {
                out: String::new(),
                err: String::new(),
                code: 0,
                save: Some((file, body, declared, saved)),
            }
        }
        Err(swarm_core::network::HttpError::CouldNotResolve) => {
            fail(format!("wget: bad address '{}'\n", u.host))
        }
        Err(swarm_core::network::HttpError::Timeout) => {
            fail(format!("{connecting}wget: download timed out\n"))
        }
        Err(swarm_core::network::HttpError::EmptyReply) => {
            fail(format!("{connecting}wget: error getting response\n"))
        }
        Err(_) => fail(format!(
            "{connecting}wget: can't connect to remote host ({ip}): Connection refused\n"
        )),
    }
}

/// BusyBox `wget` on a machine: the one file of the internet the machines can fetch (hey),
/// else the cluster's network; the file lands in the machine's filesystem.
pub(crate) fn wget(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let m = interp.session.borrow().machine();
    let world = interp.world();
    let mut fetch = |url: &str, u: &crate::net::Url| {
        if let Some((_, body)) = crate::hey::download(url) {
            return Fetched {
                result: Ok((200, String::from_utf8_lossy(body).into_owned())),
                head: vec!["HTTP/1.1 200 OK".into()],
                ip: crate::hey::DOWNLOAD_IP.to_string(),
                declared: Some(crate::hey::HEY_SIZE),
            };
        }
        let got = world
            .borrow_mut()
            .http_get(m, None, &u.host, u.port, &u.path);
        let head = got
            .as_ref()
            .map(|out| crate::net::response_head(&out.reply))
            .unwrap_or_default();
        let result = got.map(|out| (out.reply.status, out.reply.body));
        let ip = world
            .borrow()
            .machine_by_name(&u.host)
            .map(|x| x.ip.to_string())
            .unwrap_or_else(|| {
                if u.host == "localhost" {
                    "127.0.0.1".into()
                } else {
                    u.host.clone()
                }
            });
        Fetched {
            result,
            head,
            ip,
            declared: None,
        }
    };
    let answer = busybox_wget(args, &mut fetch);
    io.out.write(&answer.out);
    io.err.write(&answer.err);
    if let Some((file, body, declared, saved)) = answer.save {
        if let Err(e) = crate::fsutils::write_file(interp, &file, &body, false) {
            io.err.write(&format!("wget: can't open '{file}': {e}\n"));
            return 1;
        }
        if let Some(size) = declared {
            let _ = crate::fsutils::declare_size(interp, &file, size);
        }
        io.err.write(&saved);
    }
    answer.code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(subject: &[(&str, &str)]) -> Cert {
        Cert {
            subject: subject
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            serial: vec![0x12, 0x34],
            not_before_ms: 1_700_000_000_000,
            not_after_ms: 1_731_536_000_000,
            bits: 4096,
            digest: "sha256".into(),
            key_id: vec![7; 20],
            san: None,
            request: false,
        }
    }

    #[test]
    fn cert_subject_and_common_name_round_trip() {
        let c = cert(&[("C", "US"), ("O", "Docker"), ("CN", "127.0.0.1")]);
        let text = c.to_pem();
        assert!(text.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(text.lines().all(|l| l.len() <= 64));
        assert_eq!(
            cert_subject(&text).as_deref(),
            Some("C = US, O = Docker, CN = 127.0.0.1")
        );
        assert_eq!(cert_common_name(&text).as_deref(), Some("127.0.0.1"));
        assert_eq!(Cert::from_pem(&text), Some(c));
        // A 4096-bit certificate is about as long as openssl's.
        assert!((1500..2200).contains(&text.len()), "{}", text.len());
    }

    #[test]
    fn no_subject_from_other_texts() {
        assert_eq!(cert_subject("hello"), None);
        assert_eq!(cert_common_name(""), None);
        let no_cn = cert(&[("C", "US")]).to_pem();
        assert_eq!(cert_common_name(&no_cn), None);
        assert_eq!(cert_subject(&no_cn).as_deref(), Some("C = US"));
        // A request is not a certificate.
        let mut r = cert(&[("CN", "x")]);
        r.request = true;
        assert_eq!(cert_subject(&r.to_pem()), None);
        // Garbage inside the markers.
        assert_eq!(
            cert_subject("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
            None
        );
        let key = pem("PRIVATE KEY", &private_key_der(2048, 1));
        assert_eq!(cert_subject(&key), None);
    }

    #[test]
    fn subj_parsing() {
        assert_eq!(
            parse_subj("/C=US/O=Do\\/cker/CN=127.0.0.1"),
            Some(vec![
                ("C".to_string(), "US".to_string()),
                ("O".to_string(), "Do/cker".to_string()),
                ("CN".to_string(), "127.0.0.1".to_string()),
            ])
        );
        assert_eq!(parse_subj("CN=x"), None);
        assert_eq!(parse_subj("/CN"), None);
    }

    #[test]
    fn private_key_looks_like_openssls() {
        let k = pem("PRIVATE KEY", &private_key_der(2048, 42));
        let body: Vec<&str> = k.lines().collect();
        // openssl's 2048-bit PKCS#8 keys start like this and are 28 lines of base64.
        assert!(body[1].starts_with("MIIEv"), "{}", body[1]);
        assert!((26..=30).contains(&(body.len() - 2)), "{}", body.len());
        let k4 = pem("PRIVATE KEY", &private_key_der(4096, 42));
        assert!(k4.lines().nth(1).unwrap_or("").starts_with("MIIJ"));
        assert_eq!(key_bits_of(&private_key_der(4096, 1)), 4096);
        assert_ne!(private_key_der(2048, 1), private_key_der(2048, 2));
    }

    #[test]
    fn base64_both_ways() {
        assert_eq!(b64_encode(b"moby:gordon"), "bW9ieTpnb3Jkb24=");
        assert_eq!(
            b64_decode("bW9ieTpnb3Jkb24=\n"),
            Some(b"moby:gordon".to_vec())
        );
        assert_eq!(b64_decode("bW9i\neTpn"), Some(b"moby:g".to_vec()));
        assert_eq!(b64_decode("bW9*"), None);
        assert_eq!(b64_decode("bW9ie"), None);
        assert_eq!(b64_decode("bQ=x"), None);
        let long = vec![b'a'; 100];
        let l = b64_lines(&long, 76);
        assert_eq!(l.lines().map(str::len).collect::<Vec<_>>(), vec![76, 60]);
        assert_eq!(b64_lines(&long, 0).lines().count(), 1);
    }

    #[test]
    fn tree_sorts_bytewise_and_counts() {
        let mut names = vec![
            ("b".to_string(), true),
            ("_u".to_string(), false),
            ("B".to_string(), true),
            ("10".to_string(), false),
            ("9".to_string(), false),
            ("a.txt".to_string(), false),
        ];
        tree_sort(&mut names);
        let order: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(order, ["10", "9", "B", "_u", "a.txt", "b"]);

        let t = swarm_core::SimTime::ZERO;
        let mut fs = swarm_core::fs::Fs::new(t);
        fs.mkdir("/r/a/b", true, t).unwrap();
        fs.mkdir("/r/e", true, t).unwrap();
        fs.write("/r/a/f", b"x", false, t).unwrap();
        fs.write("/r/.h", b"x", false, t).unwrap();
        let o = TreeOpts {
            all: false,
            dirs_only: false,
            full: false,
            level: None,
        };
        let mut c = TreeCount::default();
        let mut out = String::new();
        assert!(tree_walk(&fs, "/r", "r", "", 1, &o, &mut c, &mut out));
        assert_eq!(out, "├── a\n│   ├── b\n│   └── f\n└── e\n");
        assert_eq!(c, TreeCount { dirs: 3, files: 1 });
        assert_eq!(
            tree_report(&TreeCount { dirs: 4, files: 1 }, false),
            "4 directories, 1 file\n"
        );
        assert_eq!(
            tree_report(&TreeCount { dirs: 1, files: 0 }, true),
            "1 directory\n"
        );

        let o = TreeOpts {
            all: true,
            dirs_only: false,
            full: true,
            level: Some(1),
        };
        let mut c = TreeCount::default();
        let mut out = String::new();
        tree_walk(&fs, "/r", "r", "", 1, &o, &mut c, &mut out);
        assert_eq!(out, "├── r/.h\n├── r/a\n└── r/e\n");
        assert_eq!(c, TreeCount { dirs: 2, files: 1 });
    }

    #[test]
    fn progress_is_deterministic() {
        assert_eq!(keygen_progress(5), keygen_progress(5));
        assert_eq!(keygen_progress(5).lines().count(), 2);
        assert_eq!(keygen_progress(5).matches('*').count(), 4);
    }
}
