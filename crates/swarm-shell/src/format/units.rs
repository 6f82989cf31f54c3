//! go-units: `HumanDuration`, `BytesSize` and `HumanSize`, as the docker CLI prints them.

const SECOND: u64 = 1000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// go-units' `HumanDuration` of an elapsed time in milliseconds.
///
/// Seconds and minutes are truncated, hours are rounded (half up), and the larger units are
/// whole multiples of the rounded hours: `Less than a second`, `1 second`, `N seconds`,
/// `About a minute` (60–119 s), `N minutes`, `About an hour` (0.5–1.5 h once past 60 min),
/// `N hours` (< 48 h), `N days` (< 14 days), `N weeks` (< 60 days), `N months` (30-day
/// months, < 2 years of 365 days), `N years`.
pub fn human_duration(elapsed_ms: u64) -> String {
    let seconds = elapsed_ms / SECOND;
    if seconds < 1 {
        return "Less than a second".to_string();
    }
    if seconds == 1 {
        return "1 second".to_string();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = elapsed_ms / MINUTE;
    if minutes == 1 {
        return "About a minute".to_string();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // Go: int(d.Hours() + 0.5).
    let hours = elapsed_ms.saturating_add(HOUR / 2) / HOUR;
    if hours == 1 {
        return "About an hour".to_string();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    // Go: int(d.Hours())/24/365, from the truncated hours.
    format!("{} years", elapsed_ms / HOUR / 24 / 365)
}

/// go-units' `BytesSize`: binary units, four significant digits (`20MiB`, `1.953GiB`, `512B`).
pub fn bytes_size(size: f64) -> String {
    custom_size(
        size,
        1024.0,
        &["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"],
    )
}

/// go-units' `HumanSize`: decimal units, four significant digits (`1.5kB`, `42.1MB`).
pub fn human_size(size: f64) -> String {
    custom_size(
        size,
        1000.0,
        &["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"],
    )
}

/// go-units' `CustomSize("%.4g%s", size, base, units)`.
fn custom_size(mut size: f64, base: f64, units: &[&str]) -> String {
    let mut i = 0;
    while size >= base && i + 1 < units.len() {
        size /= base;
        i += 1;
    }
    format!("{}{}", format_g4(size), units.get(i).copied().unwrap_or(""))
}

/// Go's `fmt.Sprintf("%.4g", v)`: four significant digits without trailing zeros, in
/// exponent form (`1.024e+04`) when the decimal exponent is below -4 or at least 4.
pub fn format_g4(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rounding to four significant digits first tells the exponent after rounding.
    let sci = format!("{v:.3e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..4).contains(&exp) {
        let mantissa = trim_fraction(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    let decimals = usize::try_from(3 - exp).unwrap_or(0);
    trim_fraction(&format!("{v:.decimals$}")).to_string()
}

/// Drops trailing zeros of a decimal fraction, and the point if nothing is left after it.
fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g4() {
        assert_eq!(format_g4(20.0), "20");
        assert_eq!(format_g4(1.953_125), "1.953");
        assert_eq!(format_g4(1000.0), "1000");
        assert_eq!(format_g4(1023.99), "1024");
        assert_eq!(format_g4(999.95), "1000");
        assert_eq!(format_g4(12345.0), "1.234e+04");
        assert_eq!(format_g4(0.5), "0.5");
        assert_eq!(format_g4(0.000_01), "1e-05");
        assert_eq!(format_g4(-5.0), "-5");
        assert_eq!(format_g4(1.5), "1.5");
        // Exact ties round half to even, as Go's strconv does.
        assert_eq!(format_g4(1.0625), "1.062");
        assert_eq!(format_g4(1.1875), "1.188");
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes_size(20.0 * 1024.0 * 1024.0), "20MiB");
        assert_eq!(bytes_size(2_096_857_088.0), "1.953GiB");
        assert_eq!(bytes_size(512.0), "512B");
        assert_eq!(bytes_size(0.0), "0B");
        assert_eq!(bytes_size(1536.0), "1.5KiB");
        assert_eq!(human_size(1500.0), "1.5kB");
        assert_eq!(human_size(1e30), "1e+06YB");
    }
}
