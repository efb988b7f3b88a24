//! The `x_v2` importer on arbitrary bytes: it must never panic, and every record it hands out
//! must keep its promises (see `common::check_records`).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::check_records(rapport_connectors::Format::XV2, data);
});
