//! Stable sorting with one copy of the sort routine.
//!
//! `slice::sort_by` is generic over the element type *and* the comparator, so every call site
//! with its own closure gets its own monomorphized driftsort (~4 KB of wasm each; there were
//! ~60 of them in the page). These helpers sort a permutation of indices instead, through a
//! single non-generic function taking a `&dyn` comparator, and then apply the permutation in
//! place: the only per-call-site code left is the tiny comparator closure and the swap loop.
//!
//! The result is exactly `slice::sort_by`'s: a stable sort's output is fully determined by
//! the comparator (ties keep their input order), and the indices are sorted stably by the same
//! comparator. Use these in `swarm-core`, `swarm-shell` and the page instead of the slice
//! methods (plain `sort()`/`sort_unstable()` on one element type share a copy and may stay).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Stable sort of `v` by `cmp`; same result as [`slice::sort_by`].
pub fn sort_by<T, F: Fn(&T, &T) -> Ordering>(v: &mut [T], cmp: F) {
    let perm = {
        let s: &[T] = v;
        order(s.len(), &|a, b| cmp(&s[a], &s[b]))
    };
    permute(v, perm);
}

/// Stable sort of `v` in `Ord` order; same result as [`slice::sort`] (and, for elements
/// whose equal values are indistinguishable, as [`slice::sort_unstable`]).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Stable sort of `v` by `key`; same result as [`slice::sort_by_key`].
pub fn sort_by_key<T, K: Ord, F: Fn(&T) -> K>(v: &mut [T], key: F) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Stable sort of `v` by `key`, computing each key once; same result as
/// [`slice::sort_by_cached_key`].
pub fn sort_by_cached_key<T, K: Ord, F: FnMut(&T) -> K>(v: &mut [T], key: F) {
    let keys: Vec<K> = v.iter().map(key).collect();
    let perm = order(keys.len(), &|a, b| keys[a].cmp(&keys[b]));
    permute(v, perm);
}

/// `collect()` into a `BTreeSet`/`BTreeMap` without std's `FromIterator`, which stably sorts
/// the items first (one more copy of the sort per iterator type). Inserting one by one gives
/// the same set/map: a later duplicate key wins in both (set elements that compare equal are
/// assumed indistinguishable, as for strings, numbers and tuples of them).
pub trait CollectBTree: Iterator + Sized {
    /// Same result as `collect::<BTreeSet<_>>()`.
    fn btree_set(self) -> BTreeSet<Self::Item>
    where
        Self::Item: Ord,
    {
        let mut set = BTreeSet::new();
        set.extend(self);
        set
    }

    /// Same result as `collect::<BTreeMap<_, _>>()`.
    fn btree_map<K: Ord, V>(self) -> BTreeMap<K, V>
    where
        Self: Iterator<Item = (K, V)>,
    {
        let mut map = BTreeMap::new();
        map.extend(self);
        map
    }
}

impl<I: Iterator> CollectBTree for I {}

/// The indices `0..n`, stably sorted by `cmp`. The one instantiation of the std sort.
#[inline(never)]
fn order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|a, b| cmp(*a, *b));
    idx
}

/// Rearranges `v` so that the new `v[i]` is the old `v[perm[i]]`, following cycles with swaps.
fn permute<T>(v: &mut [T], mut perm: Vec<usize>) {
    for start in 0..perm.len() {
        let mut j = start;
        loop {
            let k = perm[j];
            perm[j] = j; // done
            if k == start || k == j {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (no global RNG in the core).
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    #[allow(clippy::unnecessary_sort_by)] // the point is comparing with `sort_by` itself
    fn matches_std_stable_sort_including_ties() {
        let mut seed = 7;
        for len in [0usize, 1, 2, 3, 5, 8, 17, 33, 100, 257, 1000] {
            for range in [1u64, 3, 10, 1000] {
                let v: Vec<(u64, usize)> = (0..len).map(|i| (lcg(&mut seed) % range, i)).collect();
                let mut ours = v.clone();
                let mut std = v.clone();
                sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
                std.sort_by(|a, b| a.0.cmp(&b.0));
                assert_eq!(ours, std, "len {len} range {range}");

                let mut ours = v.clone();
                let mut std = v.clone();
                sort_by_key(&mut ours, |x| std::cmp::Reverse(x.0));
                std.sort_by_key(|x| std::cmp::Reverse(x.0));
                assert_eq!(ours, std);

                let mut ours = v.clone();
                let mut std = v;
                sort_by_cached_key(&mut ours, |x| x.0 % 7);
                std.sort_by_cached_key(|x| x.0 % 7);
                assert_eq!(ours, std);
            }
        }
    }

    #[test]
    fn btree_collects_match_std() {
        let pairs = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)];
        let std: BTreeMap<&str, i32> = pairs.iter().copied().collect();
        assert_eq!(pairs.iter().copied().btree_map(), std);
        let std: BTreeSet<&str> = pairs.iter().map(|p| p.0).collect();
        assert_eq!(pairs.iter().map(|p| p.0).btree_set(), std);
    }

    #[test]
    fn permute_moves_owned_values() {
        let mut v: Vec<String> = ["d", "b", "a", "c", "b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_by(&mut v, |a, b| a.cmp(b));
        assert_eq!(v, ["a", "b", "b", "c", "d"]);
    }
}
