//! The HTML cleaner on arbitrary pages: cleaning must not panic, and a cleaned page's
//! text must be normalised (no blank-only paragraphs, no leading or trailing spaces).
#![no_main]

use cognate::clean::{CleanOptions, clean_document};
use cognate::{Content, Document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let mut doc = Document::text("fuzz", "");
    doc.content = Content::Html(html.into_owned());
    for keep_raw in [false, true] {
        let c = clean_document(&doc, &CleanOptions { keep_raw, ..CleanOptions::default() });
        check(&c.text);
    }
});

fn check(text: &str) {
    for p in text.split("\n\n") {
        assert_eq!(p, p.trim(), "paragraph not trimmed: {p:?}");
    }
}
