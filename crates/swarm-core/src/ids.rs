//! Docker-looking identifiers drawn from a seeded stream.
//!
//! Swarm objects (nodes, services, tasks, swarm networks, secrets, configs, the cluster) use 25
//! characters of `[0-9a-z]`: a 128-bit random number in base 36, left-padded with `0`
//! (swarmkit `identity/randomid.go`). Containers, images and local networks use 64 lowercase hex
//! digits (moby `pkg/stringid`).

use crate::rng::SimRng;

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Writes `value` in base 36, left-padded with `0` to `width` characters.
pub fn base36(mut value: u128, width: usize) -> String {
    let mut digits = Vec::with_capacity(width.max(25));
    while value > 0 {
        digits.push(BASE36[(value % 36) as usize]);
        value /= 36;
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// A 25-character swarm object ID.
pub fn swarm_id(rng: &mut SimRng) -> String {
    let hi = u128::from(rng.next_u64());
    let lo = u128::from(rng.next_u64());
    base36((hi << 64) | lo, 25)
}

/// A 64-hex-digit container/image ID. Like moby, it never looks like a number in scientific
/// notation's shorthand: the 12-char prefix is not all digits.
pub fn hex_id(rng: &mut SimRng) -> String {
    loop {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        if !id[..12].bytes().all(|c| c.is_ascii_digit()) {
            return id;
        }
    }
}

/// A random (version 4) UUID, the form modern engines use for `docker info`'s `ID`.
pub fn uuid_v4(rng: &mut SimRng) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        h[0..4].concat(),
        h[4..6].concat(),
        h[6..8].concat(),
        h[8..10].concat(),
        h[10..16].concat()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let mut r = SimRng::stream(1, "ids");
        for _ in 0..200 {
            let s = swarm_id(&mut r);
            assert_eq!(s.len(), 25, "{s}");
            assert!(s
                .bytes()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
            let h = hex_id(&mut r);
            assert_eq!(h.len(), 64);
            assert!(h
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            let u = uuid_v4(&mut r);
            assert_eq!(u.len(), 36);
            assert_eq!(&u[14..15], "4");
        }
        assert_eq!(base36(35, 3), "00z");
        assert_eq!(base36(u128::MAX, 25).len(), 25);
    }
}
