//! bash's `printf` (and `echo -e`'s escapes): the format with its flags, widths and
//! precisions over C's conversions, reused while arguments remain. One engine for the
//! machines' shell and for the programs of containers (`sh -c 'printf …'` in a log).

/// What printf printed: its output, its complaints (bash's texts) and its status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Printed {
    pub out: String,
    pub err: String,
    pub status: i32,
}

/// Where a backslash escape is read: `echo -e` (octal only as `\0NNN`), printf's `%b`
/// (`\0NNN` and `\NNN`), or printf's format (`\NNN`, `\xHH`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Escapes {
    /// `echo -e`.
    Echo,
    /// printf's `%b`.
    PercentB,
    /// printf's format.
    Format,
}

/// `s` with its backslash escapes replaced; true when `\c` ended the output.
pub fn escapes(s: &str, mode: Escapes) -> (String, bool) {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    // Up to `max` digits of `radix` from `chars[i..]`: the value and how many were read.
    let digits = |i: usize, radix: u32, max: usize| {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match chars.get(i + n).and_then(|c| c.to_digit(radix)) {
                Some(d) => v = v * radix + d,
                None => break,
            }
            n += 1;
        }
        (v, n)
    };
    let byte = |v: u32| char::from_u32(v & 0xff).unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = chars.get(i) else {
            out.push('\\');
            break;
        };
        i += 1;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'c' if mode != Escapes::Format => return (out, true),
            '"' if mode == Escapes::Format => out.push('"'),
            '\'' if mode == Escapes::Format => out.push('\''),
            '0' if mode != Escapes::Format => {
                let (v, n) = digits(i, 8, 3);
                i += n;
                out.push(byte(v));
            }
            '0'..='7' if mode != Escapes::Echo => {
                let (v, n) = digits(i - 1, 8, 3);
                i += n - 1;
                out.push(byte(v));
            }
            'x' => {
                let (v, n) = digits(i, 16, 2);
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    i += n;
                    out.push(byte(v));
                }
            }
            o => {
                out.push('\\');
                out.push(o);
            }
        }
    }
    (out, false)
}

/// A numeric argument of printf: a number, or `'c`/`"c` for a character's code. Err: bash's
/// complaint (the value then counts as 0).
fn printf_number(arg: &str) -> Result<f64, String> {
    let t = arg.trim();
    if let Some(c) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return Ok(c.chars().next().map_or(0.0, |c| f64::from(c as u32)));
    }
    if t.is_empty() {
        return Ok(0.0);
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok().map(|v| v as f64)
    } else if body.len() > 1 && body.starts_with('0') && body.chars().all(|c| c.is_ascii_digit()) {
        i64::from_str_radix(body, 8).ok().map(|v| v as f64)
    } else {
        body.parse::<f64>()
            .ok()
            .filter(|_| !body.contains(['e', 'E']) || body.len() > 1)
    };
    match v {
        Some(v) => Ok(if neg { -v } else { v }),
        None => Err(format!("bash: printf: {arg}: invalid number\n")),
    }
}

/// C's `%e` mantissa and exponent: `3.141590e+00`.
fn c_exp(v: f64, prec: usize, upper: bool) -> String {
    let s = format!("{v:.prec$e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let sign = if e < 0 { '-' } else { '+' };
    let text = format!("{m}e{sign}{:02}", e.abs());
    if upper {
        text.to_uppercase()
    } else {
        text
    }
}

/// C's `%g`: `%e` or `%f` by the exponent, trailing zeros dropped (unless `#`).
fn c_general(v: f64, prec: usize, upper: bool, alt: bool) -> String {
    let p = if prec == 0 { 1 } else { prec };
    if v == 0.0 {
        return "0".into();
    }
    let x = v.abs().log10().floor() as i32;
    let trim = |s: String| {
        if alt || !s.contains('.') {
            return s;
        }
        let (m, e) = match s.find(['e', 'E']) {
            Some(i) => (s[..i].to_string(), s[i..].to_string()),
            None => (s.clone(), String::new()),
        };
        let m = m.trim_end_matches('0').trim_end_matches('.').to_string();
        format!("{m}{e}")
    };
    if x < -4 || x >= p as i32 {
        trim(c_exp(v, p - 1, upper))
    } else {
        let decimals = (p as i32 - 1 - x).max(0) as usize;
        trim(format!("{v:.decimals$}"))
    }
}

/// One `%` conversion of printf with its flags, width and precision.
fn printf_conversion(
    flags: &str,
    width: usize,
    prec: Option<usize>,
    conv: char,
    arg: &str,
    err: &mut String,
) -> String {
    let left = flags.contains('-');
    let zero = flags.contains('0') && !left;
    let plus = flags.contains('+');
    let space = flags.contains(' ');
    let alt = flags.contains('#');
    let number = |err: &mut String| match printf_number(arg) {
        Ok(v) => v,
        Err(e) => {
            err.push_str(&e);
            0.0
        }
    };
    let signed = |body: String, neg: bool| -> (String, String) {
        let sign = if neg {
            "-"
        } else if plus {
            "+"
        } else if space {
            " "
        } else {
            ""
        };
        (sign.to_string(), body)
    };
    let (sign, body, numeric) = match conv {
        'd' | 'i' => {
            let v = number(err).trunc() as i64;
            let mut digits = v.unsigned_abs().to_string();
            if let Some(p) = prec {
                if digits.len() < p {
                    digits = format!("{}{digits}", "0".repeat(p - digits.len()));
                }
            }
            let (s, b) = signed(digits, v < 0);
            (s, b, prec.is_none())
        }
        'o' | 'u' | 'x' | 'X' => {
            let v = number(err).trunc() as i64 as u64;
            let mut digits = match conv {
                'o' => format!("{v:o}"),
                'x' => format!("{v:x}"),
                'X' => format!("{v:X}"),
                _ => v.to_string(),
            };
            if let Some(p) = prec {
                if digits.len() < p {
                    digits = format!("{}{digits}", "0".repeat(p - digits.len()));
                }
            }
            if alt && v != 0 {
                digits = match conv {
                    'o' => format!("0{digits}"),
                    'x' => format!("0x{digits}"),
                    'X' => format!("0X{digits}"),
                    _ => digits,
                };
            }
            (String::new(), digits, prec.is_none())
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let v = number(err);
            let p = prec.unwrap_or(6);
            let a = v.abs();
            let body = match conv {
                'f' | 'F' => format!("{a:.p$}"),
                'e' | 'E' => c_exp(a, p, conv == 'E'),
                _ => c_general(a, p, conv == 'G', alt),
            };
            let (s, b) = signed(body, v.is_sign_negative() && v != 0.0);
            (s, b, true)
        }
        'c' => (String::new(), arg.chars().take(1).collect(), false),
        'b' => {
            let t = escapes(arg, Escapes::PercentB).0;
            let t = match prec {
                Some(p) => t.chars().take(p).collect(),
                None => t,
            };
            (String::new(), t, false)
        }
        // bash's `%q`: special characters behind a backslash, `''` for nothing.
        'q' => {
            let q = if arg.is_empty() {
                "''".to_string()
            } else {
                arg.chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c) {
                            c.to_string()
                        } else {
                            format!("\\{c}")
                        }
                    })
                    .collect()
            };
            (String::new(), q, false)
        }
        _ => {
            let t = match prec {
                Some(p) => arg.chars().take(p).collect(),
                None => arg.to_string(),
            };
            (String::new(), t, false)
        }
    };
    let len = sign.chars().count() + body.chars().count();
    let pad = width.saturating_sub(len);
    if left {
        format!("{sign}{body}{}", " ".repeat(pad))
    } else if zero && numeric {
        format!("{sign}{}{body}", "0".repeat(pad))
    } else {
        format!("{}{sign}{body}", " ".repeat(pad))
    }
}

/// `printf FORMAT [ARGUMENT…]`.
pub fn printf(fmt: &str, args: &[String]) -> Printed {
    let mut rest = args.iter();
    let mut out = String::new();
    let mut err = String::new();
    let fmt: Vec<char> = fmt.chars().collect();
    // The format is reused while arguments remain, as printf does.
    'reuse: loop {
        let mut used = false;
        let mut i = 0;
        while i < fmt.len() {
            let c = fmt[i];
            i += 1;
            if c != '%' {
                // A literal run up to the next `%`, its escapes read.
                let start = i - 1;
                while i < fmt.len() && fmt[i] != '%' {
                    i += 1;
                }
                let run: String = fmt[start..i].iter().collect();
                out.push_str(&escapes(&run, Escapes::Format).0);
                continue;
            }
            let mut flags = String::new();
            while let Some(&f) = fmt.get(i).filter(|f| "-+ 0#".contains(**f)) {
                flags.push(f);
                i += 1;
            }
            let take_number = |i: &mut usize, rest: &mut std::slice::Iter<String>| {
                if fmt.get(*i) == Some(&'*') {
                    *i += 1;
                    let v = rest
                        .next()
                        .map(|a| printf_number(a).unwrap_or(0.0))
                        .unwrap_or(0.0);
                    return Some(v as i64);
                }
                let start = *i;
                while fmt.get(*i).is_some_and(char::is_ascii_digit) {
                    *i += 1;
                }
                (*i > start).then(|| {
                    fmt[start..*i]
                        .iter()
                        .collect::<String>()
                        .parse()
                        .unwrap_or(0)
                })
            };
            let mut width = take_number(&mut i, &mut rest).unwrap_or(0);
            if width < 0 {
                flags.push('-');
                width = -width;
            }
            let prec = if fmt.get(i) == Some(&'.') {
                i += 1;
                Some(take_number(&mut i, &mut rest).unwrap_or(0).max(0) as usize)
            } else {
                None
            };
            let Some(&conv) = fmt.get(i) else {
                out.push('%');
                out.push_str(&flags);
                break;
            };
            i += 1;
            if conv == '%' {
                out.push('%');
                continue;
            }
            if !"diouxXfFeEgGcsbq".contains(conv) {
                err.push_str(&format!(
                    "bash: printf: `{conv}': invalid format character\n"
                ));
                return Printed {
                    out,
                    err,
                    status: 1,
                };
            }
            used = true;
            let arg = rest.next().cloned().unwrap_or_default();
            if conv == 'b' {
                let (t, stop) = escapes(&arg, Escapes::PercentB);
                if stop {
                    out.push_str(&t);
                    break 'reuse;
                }
            }
            out.push_str(&printf_conversion(
                &flags,
                width as usize,
                prec,
                conv,
                &arg,
                &mut err,
            ));
        }
        if !used || rest.len() == 0 {
            break;
        }
    }
    let status = i32::from(!err.is_empty());
    Printed { out, err, status }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(fmt: &str, args: &[&str]) -> String {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        printf(fmt, &args).out
    }

    #[test]
    fn conversions_as_bash_prints_them() {
        assert_eq!(
            run("%05d|%-5s|%5.2f|", &["42", "ab", "3.14159"]),
            "00042|ab   | 3.14|"
        );
        assert_eq!(
            run(
                "%x %X %o %#x %+d % d",
                &["255", "255", "8", "255", "5", "5"]
            ),
            "ff FF 10 0xff +5  5"
        );
        assert_eq!(
            run("%e %g %g", &["31415.9", "0.0001", "123456789"]),
            "3.141590e+04 0.0001 1.23457e+08"
        );
        assert_eq!(run("%c|%3s|%.2s", &["hello", "x", "abcdef"]), "h|  x|ab");
        assert_eq!(run("%*d|%-*d|", &["5", "1", "4", "2"]), "    1|2   |");
        assert_eq!(run("%d %d %d", &["'A", "0x1f", "010"]), "65 31 8");
        assert_eq!(run("%5.1f%%", &["45.678"]), " 45.7%");
    }

    #[test]
    fn the_format_is_reused_and_escapes_are_read() {
        assert_eq!(run("%s-%s\\n", &["a", "b", "c"]), "a-b\nc-\n");
        assert_eq!(run("a\\tb\\101\\0101\\x41\\n", &[]), "a\tbA\x081A\n");
        assert_eq!(run("%b|", &["x\\101", "y\\0101"]), "xA|yA|");
        assert_eq!(run("%b%s", &["z\\c", "never"]), "z");
        assert_eq!(run("%q %q", &["a b", ""]), "a\\ b ''");
    }

    #[test]
    fn bad_numbers_and_formats_are_reported() {
        let p = printf("%d\n", &["abc".to_string()]);
        assert_eq!((p.out.as_str(), p.status), ("0\n", 1));
        assert_eq!(p.err, "bash: printf: abc: invalid number\n");
        let p = printf("%z", &["1".to_string()]);
        assert_eq!(p.status, 1);
        assert!(p.err.contains("invalid format character"));
    }
}
