//! Measures how fast an importer reads a file and prints the result as one JSON object.
//!
//! ```text
//! cargo run --release -p rapport-connectors --example read_throughput -- FORMAT FILE [REPEAT]
//! ```
//!
//! With `REPEAT` > 1 the file is first written REPEAT times into a temporary file (a CSV keeps
//! its header once), so that a small real export becomes a workload large enough to time. The
//! file is read three times and the fastest run is reported, so the page cache is warm for all
//! but the first.

use rapport_connectors::{Format, Record, read_records};
use std::{
    fs::File,
    io::{BufReader, BufWriter, Write},
    path::PathBuf,
    time::Instant,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: read_throughput FORMAT FILE [REPEAT]";
    let format: Format = args.next().ok_or(usage)?.parse()?;
    let source = PathBuf::from(args.next().ok_or(usage)?);
    let repeat: usize = args.next().map_or(Ok(1), |r| r.parse())?;

    let dir = tempfile::tempdir()?;
    let path = if repeat > 1 {
        let path = dir.path().join("workload");
        write_repeated(
            &source,
            &path,
            repeat,
            matches!(format, Format::Twcs | Format::Airline),
        )?;
        path
    } else {
        source.clone()
    };
    let bytes = std::fs::metadata(&path)?.len();

    let mut best = f64::INFINITY;
    let mut counts = (0u64, 0u64, 0u64);
    for _ in 0..3 {
        let start = Instant::now();
        let reader = BufReader::with_capacity(256 * 1024, File::open(&path)?);
        let mut c = (0u64, 0u64, 0u64);
        for record in read_records(format, reader) {
            match record {
                Record::Post(_) => c.0 += 1,
                Record::Skipped { .. } => c.1 += 1,
                Record::Reject(_) => c.2 += 1,
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
        counts = c;
    }
    let report = serde_json::json!({
        "format": format.to_string(),
        "source": source.display().to_string(),
        "repeat": repeat,
        "bytes": bytes,
        "posts": counts.0,
        "skipped": counts.1,
        "rejects": counts.2,
        "seconds": best,
        "mb_per_sec": bytes as f64 / 1e6 / best,
        "posts_per_sec": counts.0 as f64 / best,
    });
    println!("{report}");
    Ok(())
}

/// Writes `source` `repeat` times to `dest`; with `csv`, the header line only once.
fn write_repeated(
    source: &PathBuf,
    dest: &PathBuf,
    repeat: usize,
    csv: bool,
) -> std::io::Result<()> {
    let data = std::fs::read(source)?;
    let body_start = if csv {
        memchr_newline(&data).map_or(data.len(), |i| i + 1)
    } else {
        0
    };
    let mut out = BufWriter::new(File::create(dest)?);
    out.write_all(&data[..body_start])?;
    for _ in 0..repeat {
        out.write_all(&data[body_start..])?;
        if !data.ends_with(b"\n") {
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

fn memchr_newline(data: &[u8]) -> Option<usize> {
    data.iter().position(|&b| b == b'\n')
}
