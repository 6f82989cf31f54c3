//! Seeded randomness with named sub-streams.
//!
//! One `u64` seed reproduces a whole world. Each subsystem draws from its own stream, derived
//! from the seed and the stream's name, so adding a draw in one subsystem never shifts the
//! numbers another one sees (the idea of madsim's and TigerBeetle's simulators).

use rand::{Rng, RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// A deterministic random stream.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: Pcg64Mcg,
}

/// FNV-1a, used to turn a stream name into a number. Stable across platforms and releases,
/// unlike `std`'s hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// SplitMix64 finaliser: spreads the bits of a seed so that near seeds give unrelated streams.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl SimRng {
    /// The stream named `name` of the world seeded with `seed`.
    pub fn stream(seed: u64, name: &str) -> Self {
        SimRng {
            inner: Pcg64Mcg::seed_from_u64(mix(seed ^ fnv1a(name.as_bytes()))),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A number in `lo..=hi` (returns `lo` when the range is empty).
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        self.inner.random_range(lo..=hi)
    }

    /// Fills `buf` with random bytes.
    pub fn fill_bytes(&mut self, buf: &mut [u8]) {
        self.inner.fill_bytes(buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let a1: Vec<u64> = (0..4)
            .map({
                let mut r = SimRng::stream(7, "ids");
                move |_| r.next_u64()
            })
            .collect();
        let mut r = SimRng::stream(7, "ids");
        let a2: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(a1, a2);
        let mut other = SimRng::stream(7, "scheduler");
        assert_ne!(a1[0], other.next_u64());
        let mut seed8 = SimRng::stream(8, "ids");
        assert_ne!(a1[0], seed8.next_u64());
    }

    #[test]
    fn range_stays_inside() {
        let mut r = SimRng::stream(1, "t");
        for _ in 0..1000 {
            let v = r.range_inclusive(4500, 5500);
            assert!((4500..=5500).contains(&v));
        }
        assert_eq!(r.range_inclusive(9, 3), 9);
    }
}
