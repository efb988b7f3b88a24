//! The model file: a fixed header, then the weights, then a checksum; little-endian throughout.
//!
//! ```text
//! magic    8 bytes  "RAPSENT\0"
//! version  u32      FORMAT_VERSION: the layout of this file
//! features u32      FEATURES_VERSION: the feature extractor the weights were trained with
//! bits     u32      log2 of the number of buckets (8..=24)
//! groups   u32      feature groups the model uses
//! scale    f32      weight = stored i16 * scale
//! bias     3 x f32  negative, neutral, positive
//! weights  (1 << bits) * 3 x i16, bucket-major
//! words    u32      number of word-vector entries (0: none); version 2 on
//! wscale   f32      word score = stored i16 * wscale
//! entries  words x (u64 word hash, 3 x i16), sorted by hash
//! checksum u64      of everything before it
//! ```
//!
//! Version 1 files (no word-vector part) still load.

use super::SentimentModel;
use super::vectors::WordScores;

const MAGIC: &[u8; 8] = b"RAPSENT\0";
const FORMAT_VERSION: u32 = 2;
const ENTRY: usize = 8 + 3 * 2;
/// Bump when the features change: old weights would silently mean something else.
pub(crate) const FEATURES_VERSION: u32 = 3;
const HEADER: usize = 8 + 4 + 4 + 4 + 4 + 4 + 12;

pub(crate) fn encode(model: &SentimentModel) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + model.weights.len() * 2 + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&FEATURES_VERSION.to_le_bytes());
    out.extend_from_slice(&u32::from(model.bits).to_le_bytes());
    out.extend_from_slice(&model.groups.to_le_bytes());
    out.extend_from_slice(&model.scale.to_le_bytes());
    for b in model.bias {
        out.extend_from_slice(&b.to_le_bytes());
    }
    for w in &model.weights {
        out.extend_from_slice(&w.to_le_bytes());
    }
    let (scale, entries) = match &model.words {
        Some(words) => (words.scale, words.sorted()),
        None => (0.0, Vec::new()),
    };
    let count = entries.len();
    out.extend_from_slice(&(count as u32).to_le_bytes());
    out.extend_from_slice(&scale.to_le_bytes());
    for (hash, w) in &entries {
        out.extend_from_slice(&hash.to_le_bytes());
        for v in w {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

pub(crate) fn decode(bytes: &[u8]) -> Result<SentimentModel, String> {
    if bytes.len() < HEADER + 8 || &bytes[..8] != MAGIC {
        return Err("missing header".into());
    }
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let f32_at = |at: usize| f32::from_bits(u32_at(at));
    let version = u32_at(8);
    if !(1..=FORMAT_VERSION).contains(&version) {
        return Err(format!(
            "file format version {version}, expected {FORMAT_VERSION}"
        ));
    }
    let features = u32_at(12);
    if features != FEATURES_VERSION {
        return Err(format!(
            "trained with features version {features}, this build uses {FEATURES_VERSION}"
        ));
    }
    let bits = u32_at(16);
    if !(8..=24).contains(&bits) {
        return Err(format!("bucket bits {bits} out of range 8..=24"));
    }
    let n = (1usize << bits) * 3;
    let weights_end = HEADER + n * 2;
    let words_at = weights_end;
    let count = if version >= 2 {
        if bytes.len() < words_at + 8 {
            return Err(format!(
                "{} bytes, expected at least {}",
                bytes.len(),
                words_at + 8
            ));
        }
        u32_at(words_at) as usize
    } else {
        0
    };
    let table = if version >= 2 { 8 + count * ENTRY } else { 0 };
    let expected = weights_end + table + 8;
    if bytes.len() != expected {
        return Err(format!("{} bytes, expected {expected}", bytes.len()));
    }
    let body = &bytes[..expected - 8];
    let stored = u64::from_le_bytes(bytes[expected - 8..].try_into().expect("8 bytes"));
    if checksum(body) != stored {
        return Err("checksum mismatch (truncated or corrupted)".into());
    }
    let i16s = |b: &[u8]| -> Vec<i16> {
        b.chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect()
    };
    let weights = i16s(&body[HEADER..weights_end]);
    let words = (count > 0).then(|| {
        let entries = body[words_at + 8..]
            .chunks_exact(ENTRY)
            .map(|e| {
                let hash = u64::from_le_bytes(e[..8].try_into().expect("8 bytes"));
                let w = i16s(&e[8..]);
                (hash, [w[0], w[1], w[2]])
            })
            .collect::<Vec<_>>();
        WordScores::new(f32_at(words_at + 4), entries)
    });
    Ok(SentimentModel {
        bits: bits as u8,
        groups: u32_at(20),
        weights,
        scale: f32_at(24),
        bias: [f32_at(28), f32_at(32), f32_at(36)],
        words,
    })
}

/// FNV-1a over 8-byte words: enough to catch truncation and bit rot, not an integrity seal.
fn checksum(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for chunk in bytes.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_damage() {
        let model = SentimentModel {
            bits: 8,
            groups: 5,
            weights: (0..256 * 3).map(|i| (i as i16) - 300).collect(),
            scale: 0.01,
            bias: [-0.5, 0.25, 0.125],
            words: Some(WordScores::new(
                0.5,
                vec![(9, [1, -2, 3]), (3, [-4, 5, -6])],
            )),
        };
        let bytes = encode(&model);
        assert_eq!(decode(&bytes).unwrap(), model);
        let plain = SentimentModel {
            words: None,
            ..model.clone()
        };
        assert_eq!(decode(&encode(&plain)).unwrap(), plain);
        let mut flipped = bytes.clone();
        flipped[HEADER + 10] ^= 1;
        assert!(decode(&flipped).unwrap_err().contains("checksum"));
        assert!(
            decode(&bytes[..bytes.len() - 1])
                .unwrap_err()
                .contains("expected")
        );
        // A version 1 file (no word part) still loads.
        let mut v1 = encode(&plain);
        v1.truncate(v1.len() - 8 - 8);
        v1[8..12].copy_from_slice(&1u32.to_le_bytes());
        let sum = checksum(&v1);
        v1.extend_from_slice(&sum.to_le_bytes());
        assert_eq!(decode(&v1).unwrap(), plain);
        let mut future = bytes;
        future[8] = 9;
        assert!(decode(&future).unwrap_err().contains("format version 9"));
    }
}
