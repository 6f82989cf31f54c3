//! Simulated time: the only notion of time the core knows.
//!
//! Time is an input. The core never reads a clock; whoever drives the simulation (the shell's
//! script runner, the page's frame loop, a test) says how far time has moved. Both types count
//! integer milliseconds so that arithmetic is exact and reproducible on every platform.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant of simulated time, in milliseconds since the world was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// A span of simulated time, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

/// The wall-clock moment a world starts at, in Unix milliseconds (2026-11-23 09:00:00 UTC):
/// what timestamps (`CreatedAt`, log times) show for [`SimTime::ZERO`].
pub const EPOCH_UNIX_MS: i64 = 1_795_424_400_000;

/// English month names, January first (C's `%B`; the first three letters are `%b`).
pub const MONTH_NAMES: [&str; 12] = [
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

/// English weekday names, Sunday first (C's `%A`; the first three letters are `%a`).
pub const WEEKDAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// The weekday of a day counted from 1970-01-01 (a Thursday), as an index into
/// [`WEEKDAY_NAMES`].
pub fn weekday(days: i64) -> usize {
    (days + 4).rem_euclid(7) as usize
}

/// The first three letters of a month or weekday name (`Jan`, `Thu`).
pub fn abbr(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

/// The proleptic Gregorian date (year, month 1-12, day 1-31) of a day counted from
/// 1970-01-01 (Howard Hinnant's `civil_from_days`); saturates instead of overflowing.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = era
        .saturating_mul(400)
        .saturating_add(yoe)
        .saturating_add(i64::from(month <= 2));
    // `day` is in 1..=31 and `month` in 1..=12 by construction.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// The day, counted from 1970-01-01, of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`); the inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y.saturating_sub(1) } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.saturating_mul(146_097).saturating_add(doe - 719_468)
}

impl SimTime {
    /// The moment the world was created.
    pub const ZERO: SimTime = SimTime(0);

    /// Unix milliseconds of this instant (see [`EPOCH_UNIX_MS`]).
    pub const fn unix_ms(self) -> i64 {
        EPOCH_UNIX_MS + self.0 as i64
    }

    /// An instant `ms` milliseconds after the world was created.
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms)
    }

    /// Milliseconds since the world was created.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The span from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A span of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms)
    }

    /// A span of `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s.saturating_mul(1000))
    }

    /// The span in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The span in whole seconds, rounded down.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.saturating_since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimTime {
    /// `T+hh:mm:ss.mmm`, the form traces and `sim time` print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 % 1000;
        let s = self.0 / 1000;
        write!(
            f,
            "T+{:02}:{:02}:{:02}.{:03}",
            s / 3600,
            (s / 60) % 60,
            s % 60,
            ms
        )
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn calendar_days_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_780), (2026, 11, 23));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        for d in (-800_000..800_000).step_by(997) {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
        // Extremes saturate instead of overflowing.
        let _ = civil_from_days(i64::MAX);
        let _ = days_from_civil(i64::MIN, 1, 1);
    }
    use super::*;

    #[test]
    fn arithmetic_saturates_and_displays() {
        let t = SimTime::from_millis(3_723_004);
        assert_eq!(t.to_string(), "T+01:02:03.004");
        assert_eq!(SimTime::ZERO - t, SimDuration::ZERO);
        assert_eq!((t + SimDuration::from_secs(1)).as_millis(), 3_724_004);
        assert_eq!(
            SimTime::from_millis(u64::MAX) + SimDuration::from_secs(5),
            SimTime::from_millis(u64::MAX)
        );
    }
}
