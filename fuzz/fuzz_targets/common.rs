//! What every importer target checks on the records read from one input.

use rapport_connectors::import::MAX_RECORD_BYTES;
use rapport_connectors::{Format, Record, read_records};

/// Reads `data` as `format` to the end. Panics (a finding) when the importer panics, when a
/// line number goes past the input's lines or backwards, or when a reject or post holds more
/// than the input could have given it.
#[allow(dead_code)]
pub fn check_records(format: Format, data: &[u8]) {
    // `\r` alone ends a CSV line too: count both, an upper bound.
    let lines = data.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
    let mut last_line = 0u64;
    for record in read_records(format, std::io::Cursor::new(data.to_vec())) {
        let line = match &record {
            Record::Post(post) => {
                assert!(
                    post.raw.len() <= MAX_RECORD_BYTES,
                    "a post's raw text is {} bytes, over the record limit",
                    post.raw.len()
                );
                None
            }
            Record::Skipped { line, .. } => Some(*line),
            Record::Reject(reject) => {
                assert!(!reject.reason.is_empty(), "a reject without a reason");
                Some(reject.line)
            }
        };
        if let Some(line) = line {
            assert!(
                (1..=lines).contains(&line),
                "record at line {line} of an input of {lines} lines"
            );
            assert!(line >= last_line, "line {line} after line {last_line}");
            last_line = line;
        }
    }
}
