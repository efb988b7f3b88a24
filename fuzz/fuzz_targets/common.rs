//! What every importer target checks on the records read from one input.

use rapport_connectors::import::MAX_RECORD_BYTES;
use rapport_connectors::{Format, Record, read_records};

/// Reads `data` as `format` to the end. Panics (a finding) when the importer panics, when a
/// line number goes past the input's lines or backwards, when a reject or post holds more
/// than the input could have given it, or when reading through a small read buffer (the
/// size taken from the input) gives other records than reading from one buffer: where the
/// reads happen to end must not change what is read.
#[allow(dead_code)]
pub fn check_records(format: Format, data: &[u8]) {
    let whole: Vec<Record> = read_records(format, std::io::Cursor::new(data.to_vec())).collect();
    let capacity = 1 + data.first().map_or(0, |b| usize::from(*b) % 64);
    let small = std::io::BufReader::with_capacity(capacity, std::io::Cursor::new(data.to_vec()));
    let pieces: Vec<Record> = read_records(format, small).collect();
    assert!(
        whole == pieces,
        "a {capacity}-byte read buffer reads other records than one buffer:\n{whole:#?}\n{pieces:#?}"
    );
    // `\r` alone ends a CSV line too: count both, an upper bound.
    let lines = data.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
    let mut last_line = 0u64;
    for record in whole {
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
            // Said at the end of the file, about the line where the array opened: the one
            // record whose line may go back (or, when nothing inside the array was read,
            // forward past the last one reported), but never past the input.
            Record::Reject(reject) if reject.reason.contains("the array opened here") => {
                assert!(
                    (1..=lines).contains(&reject.line),
                    "{reject:?} in an input of {lines} lines"
                );
                None
            }
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
