//! Small text helpers of docker/cli: `PrettyPrint`, `TruncateID`, natural sort order and Go's
//! `time.Time` string form.

use std::cmp::Ordering;

/// docker/cli's `formatter.PrettyPrint` of a string: the first character upper-cased and the
/// rest lower-cased (`ready` → `Ready`, `2009-11-10 23:00:00 +0000 UTC` → `… +0000 utc`).
///
/// Go's quirks are kept: a one-byte string is lower-cased entirely (`A` → `a`), and the first
/// character is taken as a *byte*, so a string starting with a non-ASCII character comes out
/// as the Latin-1 character of its first byte followed by one U+FFFD per remaining byte of
/// that character (what `strings.ToUpper(string(s[0])) + strings.ToLower(s[1:])` prints).
pub fn pretty_print(s: &str) -> String {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    if s.len() == 1 {
        return go_lower(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    if first.is_ascii() {
        out.push(first.to_ascii_uppercase());
    } else {
        // The first byte of a multi-byte character, read as a Latin-1 code point.
        let byte = s.as_bytes().first().copied().unwrap_or(b'?');
        out.push(simple_upper(char::from(byte)));
        for _ in 1..first.len_utf8() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    out.push_str(&go_lower(chars.as_str()));
    out
}

/// `strings.ToLower`: Unicode simple lower-case mapping, one character for one.
fn go_lower(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                // Only U+0130 maps to two characters; Go's simple mapping keeps the first.
                (Some(l), Some(_)) => l,
                (None, _) => c,
            }
        })
        .collect()
}

/// `unicode.ToUpper` for one character: the simple mapping, or the character itself when
/// the full mapping is not a single character (`ß`).
fn simple_upper(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// The `-q` output of a list command: each ID on its own line, cut to 12 characters by
/// [`truncate_id`] unless `no_trunc`.
pub fn id_lines<'a>(ids: impl IntoIterator<Item = &'a str>, no_trunc: bool) -> String {
    let mut out = String::new();
    for id in ids {
        out.push_str(if no_trunc { id } else { truncate_id(id) });
        out.push('\n');
    }
    out
}

/// docker's `stringid.TruncateID`: drops an algorithm prefix (`sha256:`) and keeps the first
/// 12 characters.
pub fn truncate_id(id: &str) -> &str {
    let id = match id.split_once(':') {
        Some((_, rest)) => rest,
        None => id,
    };
    match id.char_indices().nth(12) {
        Some((end, _)) => &id[..end],
        None => id,
    }
}

/// Natural ("human") order, as `sortorder.NaturalLess` that docker/cli sorts its lists with:
/// runs of ASCII digits compare numerically (`node-2` < `node-10`), with fewer leading zeros
/// first on a tie (`2` < `02`); a digit sorts before any other byte; other bytes compare
/// bytewise; a string that is a prefix of the other sorts first.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while let (Some(&c1), Some(&c2)) = (a.get(i), b.get(j)) {
        let (d1, d2) = (c1.is_ascii_digit(), c2.is_ascii_digit());
        if d1 != d2 {
            return if d1 {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        if !d1 {
            if c1 != c2 {
                return c1.cmp(&c2);
            }
            i += 1;
            j += 1;
            continue;
        }
        // Both are at a run of digits: skip the leading zeros, then compare the numbers by
        // length and, for equal lengths, digit by digit.
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let (nonzero1, nonzero2) = (i, j);
        while a.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        let by_len = (i - nonzero1).cmp(&(j - nonzero2));
        if by_len != Ordering::Equal {
            return by_len;
        }
        let by_digits = a.get(nonzero1..i).cmp(&b.get(nonzero2..j));
        if by_digits != Ordering::Equal {
            return by_digits;
        }
        // Equal numbers: the one with fewer leading zeros first. Everything before is
        // identical, so the positions after the zeros tell.
        if nonzero1 != nonzero2 {
            return nonzero1.cmp(&nonzero2);
        }
    }
    a.len().cmp(&b.len())
}

/// `2026-11-23T09:00:05Z`, `2026-11-23T09:00:05.5Z`, `2026-11-23` (UTC) → Unix ms: the
/// absolute times `--since`/`--until` take.
pub fn parse_rfc3339_ms(v: &str) -> Option<i64> {
    let (date, time) = v.split_once('T').unwrap_or((v, "00:00:00Z"));
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let mo: u32 = d.next()?.parse().ok()?;
    let da: u32 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&da) {
        return None;
    }
    let time = time.strip_suffix('Z').unwrap_or(time);
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next().unwrap_or("0").parse().ok()?;
    let s: i64 = t.next().unwrap_or("0").parse().ok()?;
    let mut ms = 0;
    for (i, c) in frac.bytes().take(3).enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        ms += i64::from(c - b'0') * 10i64.pow(2 - i as u32);
    }
    let days = swarm_core::time::days_from_civil(y, mo, da);
    Some(((days * 86_400 + h * 3600 + mi * 60 + s) * 1000) + ms)
}

/// Go's `time.Time.String()` of a UTC instant: `2006-01-02 15:04:05.999999999 +0000 UTC`, the
/// fraction without trailing zeros and left out when zero (e.g. `2009-11-10 23:00:00 +0000
/// UTC`, `2025-01-10 09:12:44.99 +0000 UTC`). Nanoseconds past a second carry over.
pub fn go_time_utc(unix_secs: i64, nanos: u32) -> String {
    let secs = unix_secs.saturating_add(i64::from(nanos / 1_000_000_000));
    let nanos = nanos % 1_000_000_000;
    let days = secs.div_euclid(86_400);
    let second_of_day = secs.rem_euclid(86_400);
    let (year, month, day) = swarm_core::time::civil_from_days(days);
    let (h, m, s) = (
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
    );
    let mut out = format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}");
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push_str(" +0000 UTC");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty() {
        assert_eq!(pretty_print("ready"), "Ready");
        assert_eq!(pretty_print("REACHABLE"), "Reachable");
        assert_eq!(pretty_print(""), "");
        assert_eq!(pretty_print("A"), "a");
        assert_eq!(
            pretty_print("2009-11-10 23:00:00 +0000 UTC"),
            "2009-11-10 23:00:00 +0000 utc"
        );
        // Go upper-cases the first byte as Latin-1: 'é' is C3 A9, so 'Ã' and one U+FFFD.
        assert_eq!(pretty_print("éTAT"), "Ã\u{FFFD}tat");
        assert_eq!(pretty_print("Éa"), "Ã\u{FFFD}a");
        assert_eq!(pretty_print("xİ"), "Xi");
    }

    #[test]
    fn truncate() {
        assert_eq!(truncate_id("dxn1zf6l61qsb1josjja83ngz"), "dxn1zf6l61qs");
        assert_eq!(truncate_id("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(truncate_id("short"), "short");
        assert_eq!(
            truncate_id("日本語日本語日本語日本語日本語"),
            "日本語日本語日本語日本語"
        );
    }

    #[test]
    fn natural() {
        let mut names = vec![
            "node-10-foo",
            "node-2-foo",
            "node-1-foo",
            "node-02-foo",
            "node",
        ];
        swarm_core::sort::sort_by(&mut names, |a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "node",
                "node-1-foo",
                "node-2-foo",
                "node-02-foo",
                "node-10-foo"
            ]
        );
        assert_eq!(natural_cmp("a1", "a-"), Ordering::Less);
        assert_eq!(natural_cmp("abc", "abc"), Ordering::Equal);
        assert_eq!(natural_cmp("worker10", "worker9"), Ordering::Greater);
        assert_eq!(natural_cmp("b", "a10"), Ordering::Greater);
    }

    #[test]
    fn go_time() {
        assert_eq!(
            go_time_utc(1_257_894_000, 0),
            "2009-11-10 23:00:00 +0000 UTC"
        );
        assert_eq!(
            go_time_utc(1_736_500_364, 990_000_000),
            "2025-01-10 09:12:44.99 +0000 UTC"
        );
        assert_eq!(go_time_utc(0, 1), "1970-01-01 00:00:00.000000001 +0000 UTC");
        assert_eq!(go_time_utc(-1, 0), "1969-12-31 23:59:59 +0000 UTC");
        assert_eq!(go_time_utc(951_782_400, 0), "2000-02-29 00:00:00 +0000 UTC");
        let _ = go_time_utc(i64::MAX, u32::MAX);
        let _ = go_time_utc(i64::MIN, 0);
    }
}
