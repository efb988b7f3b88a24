//! Helpers shared by the importer tests.

#![allow(dead_code)]

use rapport_connectors::{Format, Record, Reject, read_records};
use rapport_domain::Post;
use std::{fs::File, io::BufReader, path::PathBuf};

pub fn data(path: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/"
    ))
    .join(path)
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/")).join(name)
}

/// Everything read from a file, sorted by kind.
#[derive(Debug, Default)]
pub struct Read {
    pub posts: Vec<Post>,
    pub skipped: Vec<(u64, String)>,
    pub rejects: Vec<Reject>,
}

pub fn collect(records: impl Iterator<Item = Record>) -> Read {
    let mut read = Read::default();
    for record in records {
        match record {
            Record::Post(p) => read.posts.push(p),
            Record::Skipped { line, what } => read.skipped.push((line, what)),
            Record::Reject(r) => read.rejects.push(r),
        }
    }
    read
}

pub fn read_file(format: Format, path: &PathBuf) -> Read {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    collect(read_records(format, BufReader::new(file)))
}

pub fn read_bytes(format: Format, bytes: &[u8]) -> Read {
    collect(read_records(format, std::io::Cursor::new(bytes.to_vec())))
}

pub fn post<'a>(read: &'a Read, native_id: &str) -> &'a Post {
    read.posts
        .iter()
        .find(|p| p.native_id == native_id)
        .unwrap_or_else(|| panic!("no post {native_id}"))
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
