//! The firehose frame decoder (header, body, CAR blocks, records) on arbitrary bytes: it must
//! answer a frame or an error, never panic, and never hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rapport_connectors::fuzzing::firehose_frame(data);
});
