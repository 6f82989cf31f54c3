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
