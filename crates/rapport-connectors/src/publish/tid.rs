//! AT Protocol record keys of the `tid` kind: 13 characters of base32-sortable holding the
//! microseconds since the epoch (53 bits) and a 10-bit clock id, so keys sort by time.

use std::sync::atomic::{AtomicU64, Ordering};

const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// The last timestamp handed out, so that two keys made in the same microsecond differ.
static LAST: AtomicU64 = AtomicU64::new(0);

/// A new record key, chosen once per outbox entry before its first attempt.
pub fn new_tid() -> String {
    let now = chrono::Utc::now().timestamp_micros().max(0) as u64;
    let mut micros = now;
    loop {
        let last = LAST.load(Ordering::Relaxed);
        let next = micros.max(last + 1);
        if LAST
            .compare_exchange(last, next, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            micros = next;
            break;
        }
    }
    let clock_id: u64 = rand::random_range(0..1024);
    encode(((micros & ((1 << 53) - 1)) << 10) | clock_id)
}

fn encode(mut v: u64) -> String {
    let mut out = [b'2'; 13];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8(out.to_vec()).expect("the alphabet is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_valid_tids_and_grow() {
        let a = new_tid();
        let b = new_tid();
        for k in [&a, &b] {
            assert_eq!(k.len(), 13);
            assert!(k.bytes().all(|c| ALPHABET.contains(&c)));
            // The top bit is zero: the first character is one of the first 16.
            assert!(b"234567abcdefghij".contains(&k.as_bytes()[0]), "{k}");
        }
        assert!(b > a, "{b} after {a}");
        assert_eq!(encode(0), "2222222222222");
    }
}
