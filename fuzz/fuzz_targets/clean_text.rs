//! The text cleaner on arbitrary scraped text (and an arbitrary declared title): it
//! must not panic, and the text it keeps must be normalised.
#![no_main]

use cognate::Document;
use cognate::clean::{CleanOptions, clean_document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    // A first byte 0x01 splits off a declared title at the first newline.
    let (title, text) = match s.strip_prefix('\u{1}') {
        Some(rest) => match rest.split_once('\n') {
            Some((t, b)) => (Some(t), b),
            None => (None, rest),
        },
        None => (None, s.as_ref()),
    };
    let mut doc = Document::text("fuzz", text);
    doc.title = title.map(str::to_string);
    for keep_raw in [false, true] {
        let c = clean_document(&doc, &CleanOptions { keep_raw, ..CleanOptions::default() });
        for p in c.text.split("\n\n") {
            assert_eq!(p, p.trim(), "paragraph not trimmed: {p:?}");
        }
    }
});
