//! The Go values with methods that docker's structs hold: `time.Time` (`String()`, `Format`
//! with Go's reference layout, `Unix`, …), `time.Duration` (`String()`: `1m0s`) and the base64
//! text `encoding/json` makes of a `[]byte`.

use std::fmt::Write;

/// A `time.Time` as decoded from RFC 3339 JSON: wall clock fields in its zone, nanoseconds,
/// the zone's offset in seconds east of UTC, and its name (`UTC` for `Z`, none for a numeric
/// offset: Go's `FixedZone("", off)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct GoTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
    nanos: u32,
    offset: i32,
    utc: bool,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl GoTime {
    /// Go's zero `time.Time`: `0001-01-01 00:00:00 +0000 UTC`.
    pub(super) const ZERO: GoTime = GoTime {
        year: 1,
        month: 1,
        day: 1,
        hour: 0,
        min: 0,
        sec: 0,
        nanos: 0,
        offset: 0,
        utc: true,
    };

    /// `time.Time.UnmarshalJSON`'s RFC 3339: `2026-11-23T09:00:01.665Z`, `…+01:00`.
    pub(super) fn parse_rfc3339(s: &str) -> Option<GoTime> {
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let year = i64::from(digits(s.get(0..4)?)?);
        let month = digits(s.get(5..7)?)?;
        let day = digits(s.get(8..10)?)?;
        let hour = digits(s.get(11..13)?)?;
        let min = digits(s.get(14..16)?)?;
        let sec = digits(s.get(17..19)?)?;
        let mut rest = s.get(19..)?;
        let mut nanos = 0u32;
        if let Some(r) = rest.strip_prefix(['.', ',']) {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let frac = &r[..n];
            let mut padded: String = frac.chars().take(9).collect();
            while padded.len() < 9 {
                padded.push('0');
            }
            nanos = padded.parse().ok()?;
            rest = &r[n..];
        }
        let (offset, utc) = match rest {
            "Z" | "z" => (0, true),
            _ => {
                let sign = match rest.as_bytes().first()? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let (h, m) = rest.get(1..)?.split_once(':')?;
                if h.len() != 2 || m.len() != 2 {
                    return None;
                }
                let (h, m) = (digits(h)?, digits(m)?);
                if h > 23 || m > 59 {
                    return None;
                }
                (sign * (h as i32 * 3600 + m as i32 * 60), false)
            }
        };
        let mdays = [
            31,
            if is_leap(year) { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        if !(1..=12).contains(&month)
            || day < 1
            || day > mdays[month as usize - 1]
            || hour > 23
            || min > 59
            || sec > 59
        {
            return None;
        }
        Some(GoTime {
            year,
            month,
            day,
            hour,
            min,
            sec,
            nanos,
            offset,
            utc,
        })
    }

    fn days(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// Seconds since the Unix epoch (`Unix()`).
    pub(super) fn unix(&self) -> i64 {
        self.days() * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.min) * 60
            + i64::from(self.sec)
            - i64::from(self.offset)
    }

    pub(super) fn nanos(&self) -> u32 {
        self.nanos
    }

    pub(super) fn is_zero(&self) -> bool {
        self.unix() == GoTime::ZERO.unix() && self.nanos == 0
    }

    /// The same instant in UTC (`UTC()`).
    pub(super) fn utc(&self) -> GoTime {
        let secs = self.unix();
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let s = secs.rem_euclid(86_400);
        GoTime {
            year,
            month,
            day,
            hour: (s / 3600) as u32,
            min: (s / 60 % 60) as u32,
            sec: (s % 60) as u32,
            nanos: self.nanos,
            offset: 0,
            utc: true,
        }
    }

    pub(super) fn year(&self) -> i64 {
        self.year
    }
    pub(super) fn day(&self) -> u32 {
        self.day
    }
    pub(super) fn hour(&self) -> u32 {
        self.hour
    }
    pub(super) fn minute(&self) -> u32 {
        self.min
    }
    pub(super) fn second(&self) -> u32 {
        self.sec
    }
    /// 0 for Sunday.
    pub(super) fn weekday(&self) -> usize {
        (self.days() + 4).rem_euclid(7) as usize
    }
    pub(super) fn year_day(&self) -> i64 {
        self.days() - days_from_civil(self.year, 1, 1) + 1
    }

    /// `Time.String()`.
    pub(super) fn string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// `Time.GoString()`: `time.Date(2026, time.November, 23, 9, 0, 1, 665000000, time.UTC)`.
    pub(super) fn go_string(&self) -> String {
        let loc = if self.utc {
            "time.UTC".to_string()
        } else {
            format!("time.Location({:?})", "")
        };
        format!(
            "time.Date({}, time.{}, {}, {}, {}, {}, {}, {loc})",
            self.year,
            MONTHS[self.month as usize - 1],
            self.day,
            self.hour,
            self.min,
            self.sec,
            self.nanos
        )
    }

    /// `Time.Format(layout)` with Go's reference time `Mon Jan 2 15:04:05 MST 2006`.
    pub(super) fn format(&self, layout: &str) -> String {
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, std, suffix) = next_std_chunk(rest);
            out.push_str(prefix);
            if let Some(std) = std {
                self.append(&mut out, std);
            }
            rest = suffix;
        }
        out
    }

    fn append(&self, b: &mut String, std: Std) {
        let hour12 = match self.hour % 12 {
            0 => 12,
            h => h,
        };
        match std {
            Std::LongMonth => b.push_str(MONTHS[self.month as usize - 1]),
            Std::Month => b.push_str(&MONTHS[self.month as usize - 1][..3]),
            Std::NumMonth => push_int(b, i64::from(self.month), 0),
            Std::ZeroMonth => push_int(b, i64::from(self.month), 2),
            Std::LongWeekDay => b.push_str(DAYS[self.weekday()]),
            Std::WeekDay => b.push_str(&DAYS[self.weekday()][..3]),
            Std::Day => push_int(b, i64::from(self.day), 0),
            Std::UnderDay => {
                if self.day < 10 {
                    b.push(' ');
                }
                push_int(b, i64::from(self.day), 0);
            }
            Std::ZeroDay => push_int(b, i64::from(self.day), 2),
            Std::UnderYearDay => {
                let yd = self.year_day();
                if yd < 100 {
                    b.push(' ');
                    if yd < 10 {
                        b.push(' ');
                    }
                }
                push_int(b, yd, 0);
            }
            Std::ZeroYearDay => push_int(b, self.year_day(), 3),
            Std::Hour => push_int(b, i64::from(self.hour), 2),
            Std::Hour12 => push_int(b, i64::from(hour12), 0),
            Std::ZeroHour12 => push_int(b, i64::from(hour12), 2),
            Std::Minute => push_int(b, i64::from(self.min), 0),
            Std::ZeroMinute => push_int(b, i64::from(self.min), 2),
            Std::Second => push_int(b, i64::from(self.sec), 0),
            Std::ZeroSecond => push_int(b, i64::from(self.sec), 2),
            Std::LongYear => push_int(b, self.year, 4),
            Std::Year => push_int(b, self.year.rem_euclid(100), 2),
            Std::PM => b.push_str(if self.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => b.push_str(if self.hour >= 12 { "pm" } else { "am" }),
            Std::TZ if self.utc => b.push_str("UTC"),
            Std::TZ => push_zone(b, self.offset, false, false, false),
            Std::Iso(..) if self.offset == 0 => b.push('Z'),
            Std::Iso(colon, secs, short) | Std::Num(colon, secs, short) => {
                push_zone(b, self.offset, colon, secs, short)
            }
            Std::Frac(sep, n, trim) => {
                let d = format!("{:09}", self.nanos);
                let mut d = &d[..n.min(9)];
                if trim {
                    d = d.trim_end_matches('0');
                    if d.is_empty() {
                        return;
                    }
                }
                b.push(sep);
                b.push_str(d);
            }
        }
    }
}

fn push_int(b: &mut String, x: i64, width: usize) {
    if x < 0 {
        b.push('-');
    }
    let _ = write!(b, "{:0width$}", x.unsigned_abs());
}

fn push_zone(b: &mut String, offset: i32, colon: bool, secs: bool, short: bool) {
    let zone = offset / 60;
    let abs = zone.unsigned_abs();
    b.push(if zone < 0 { '-' } else { '+' });
    let _ = write!(b, "{:02}", abs / 60);
    if !short {
        if colon {
            b.push(':');
        }
        let _ = write!(b, "{:02}", abs % 60);
    }
    if secs {
        if colon {
            b.push(':');
        }
        let _ = write!(b, "{:02}", offset.unsigned_abs() % 60);
    }
}

/// A layout element (Go's `std*` constants).
#[derive(Clone, Copy, Debug)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    /// `Z07:00` and friends: (colon, seconds, hours only).
    Iso(bool, bool, bool),
    /// `-07:00` and friends.
    Num(bool, bool, bool),
    /// Separator, digits, trailing zeros trimmed (`.999`) or not (`.000`).
    Frac(char, usize, bool),
}

fn starts_with_lower(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
}

/// Go's `nextStdChunk`: the text before the first layout element, the element, the rest.
fn next_std_chunk(layout: &str) -> (&str, Option<Std>, &str) {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| layout.get(i..).is_some_and(|r| r.starts_with(s));
    for i in 0..b.len() {
        let hit = |n: usize, std: Std| Some((&layout[..i], Some(std), &layout[i + n..]));
        let found = match b[i] {
            b'J' if at(i, "Jan") => {
                if at(i, "January") {
                    hit(7, Std::LongMonth)
                } else if !starts_with_lower(&layout[i + 3..]) {
                    hit(3, Std::Month)
                } else {
                    None
                }
            }
            b'M' if at(i, "Mon") => {
                if at(i, "Monday") {
                    hit(6, Std::LongWeekDay)
                } else if !starts_with_lower(&layout[i + 3..]) {
                    hit(3, Std::WeekDay)
                } else {
                    None
                }
            }
            b'M' if at(i, "MST") => hit(3, Std::TZ),
            b'0' if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) => {
                let std = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][usize::from(b[i + 1] - b'1')];
                hit(2, std)
            }
            b'0' if at(i, "002") => hit(3, Std::ZeroYearDay),
            b'1' if at(i, "15") => hit(2, Std::Hour),
            b'1' => hit(1, Std::NumMonth),
            b'2' if at(i, "2006") => hit(4, Std::LongYear),
            b'2' => hit(1, Std::Day),
            b'_' if at(i, "_2") => {
                if at(i, "_2006") {
                    Some((&layout[..i + 1], Some(Std::LongYear), &layout[i + 5..]))
                } else {
                    hit(2, Std::UnderDay)
                }
            }
            b'_' if at(i, "__2") => hit(3, Std::UnderYearDay),
            b'3' => hit(1, Std::Hour12),
            b'4' => hit(1, Std::Minute),
            b'5' => hit(1, Std::Second),
            b'P' if at(i, "PM") => hit(2, Std::PM),
            b'p' if at(i, "pm") => hit(2, Std::Pm),
            b'-' => [
                ("-070000", false, true, false),
                ("-07:00:00", true, true, false),
                ("-0700", false, false, false),
                ("-07:00", true, false, false),
                ("-07", false, false, true),
            ]
            .iter()
            .find(|(s, ..)| at(i, s))
            .and_then(|&(s, c, secs, short)| hit(s.len(), Std::Num(c, secs, short))),
            b'Z' => [
                ("Z070000", false, true, false),
                ("Z07:00:00", true, true, false),
                ("Z0700", false, false, false),
                ("Z07:00", true, false, false),
                ("Z07", false, false, true),
            ]
            .iter()
            .find(|(s, ..)| at(i, s))
            .and_then(|&(s, c, secs, short)| hit(s.len(), Std::Iso(c, secs, short))),
            c @ (b'.' | b',') if i + 1 < b.len() && matches!(b[i + 1], b'0' | b'9') => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == ch {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    None
                } else {
                    let std = Std::Frac(char::from(c), j - (i + 1), ch == b'9');
                    Some((&layout[..i], Some(std), &layout[j..]))
                }
            }
            _ => None,
        };
        if let Some(f) = found {
            return f;
        }
    }
    (layout, None, "")
}

/// `time.Duration.String()`: `1h2m3.5s`, `500ms`, `1.5µs`, `0s`.
pub(super) fn go_duration(d: i64) -> String {
    let neg = d < 0;
    let u = d.unsigned_abs();
    let frac = |u: u64, prec: u32| -> (String, u64) {
        let p = 10u64.pow(prec);
        let f = format!("{:0width$}", u % p, width = prec as usize);
        let f = f.trim_end_matches('0');
        let f = if f.is_empty() {
            String::new()
        } else {
            format!(".{f}")
        };
        (f, u / p)
    };
    let mut out = if u == 0 {
        return "0s".into();
    } else if u < 1_000_000_000 {
        let (prec, unit) = match u {
            _ if u < 1_000 => (0, "ns"),
            _ if u < 1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let (f, i) = frac(u, prec);
        format!("{i}{f}{unit}")
    } else {
        let (f, secs) = frac(u, 9);
        let mut s = format!("{}{f}s", secs % 60);
        let mins = secs / 60;
        if mins > 0 {
            s = format!("{}m{s}", mins % 60);
            let hours = mins / 60;
            if hours > 0 {
                s = format!("{hours}h{s}");
            }
        }
        s
    };
    if neg {
        out.insert(0, '-');
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `encoding/json`'s text of a `[]byte`: standard base64 with padding.
pub(super) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= n {
                out.push(char::from(B64[(v >> (18 - 6 * k) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes of standard base64 text (padding optional, as Go's decoder for `[]byte` fields
/// wants it: `None` for anything else).
pub(super) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let t = text.trim_end_matches('=');
    if text.len() - t.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in t.bytes() {
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if t.len() % 4 == 1 {
        return None;
    }
    Some(out)
}
