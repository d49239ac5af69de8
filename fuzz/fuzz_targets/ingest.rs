//! The JSONL and WARC readers on arbitrary bytes: they must not panic, and must end.
#![no_main]

use cognate::ingest::{Ingest, IngestOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = IngestOptions {
        max_document_bytes: 1 << 16,
    };
    for name in ["fuzz.jsonl", "fuzz.warc"] {
        let mut ingest =
            Ingest::from_reader(name, std::io::Cursor::new(data.to_vec()), options.clone());
        for _ in ingest.by_ref().take(10_000) {}
    }
});
