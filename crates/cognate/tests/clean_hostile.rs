//! Hostile inputs: cleaning must return, within bounds, without panicking.

use std::time::Instant;

use cognate::clean::{CleanOptions, clean_document, html};
use cognate::{Content, Document};

fn html_doc(h: String) -> Document {
    let mut d = Document::text("h", "");
    d.content = Content::Html(h);
    d
}

/// Runs a hostile case. Its time is printed, not asserted: on shared, loaded machines a
/// wall-clock limit fails for reasons of its own; speed targets live in the clean bench
/// (`cargo bench -p cognate --bench clean`), and a hang still fails the run.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t0 = Instant::now();
    let out = f();
    eprintln!("{what}: {:?}", t0.elapsed());
    out
}

#[test]
fn deep_nesting_100k_levels() {
    let body = "<div>".repeat(100_000)
        + "<p>Deep text survives the guard.</p>"
        + &"</div>".repeat(100_000);
    let page = format!("<html><body>{body}</body></html>");
    assert!(html::nesting_depth(&page) > html::MAX_DEPTH);
    let c = timed("100,000 nested divs", || {
        clean_document(&html_doc(page), &CleanOptions::default())
    });
    assert!(
        c.text.contains("Deep text survives the guard."),
        "{:?}",
        c.text
    );
    // Unclosed, too.
    let c = clean_document(
        &html_doc("<span><b><i>".repeat(40_000) + "tail"),
        &CleanOptions::default(),
    );
    assert!(c.text.contains("tail"));
}

#[test]
fn page_of_20_mb_is_cut_with_a_note() {
    let para = "<p>The delegations met again on Thursday and agreed to continue the talks next month in Vienna.</p>\n";
    let mut page = String::from("<html><head><title>Big</title></head><body><article>");
    while page.len() < 20 * 1024 * 1024 {
        page.push_str(para);
    }
    page.push_str("</article></body></html>");
    let c = timed("20 MB page", || {
        clean_document(&html_doc(page), &CleanOptions::default())
    });
    let note = c
        .removed
        .iter()
        .find(|r| r.reason == "truncated")
        .expect("truncated note");
    assert!(
        note.text.contains("bytes after the first 8 MB"),
        "{}",
        note.text
    );
    assert!(c.text.contains("agreed to continue the talks"));
}

#[test]
fn text_of_20_mb_in_one_line_and_many_lines() {
    let line = "word … ".repeat(3_000_000);
    let c = timed("20 MB in one line", || {
        clean_document(&Document::text("t", line), &CleanOptions::default())
    });
    assert!(!c.text.is_empty());
    let many = "Short line here.\n".repeat(1_000_000);
    let c = timed("a million short lines", || {
        clean_document(&Document::text("t", many), &CleanOptions::default())
    });
    assert!(c.text.starts_with("Short line here."));
}

#[test]
fn binary_garbage() {
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let s = String::from_utf8_lossy(&bytes).into_owned();
    for opts in [
        CleanOptions::default(),
        CleanOptions {
            keep_raw: true,
            ..CleanOptions::default()
        },
    ] {
        let _ = clean_document(&html_doc(s.clone()), &opts);
        let _ = clean_document(&Document::text("t", s.clone()), &opts);
    }
    let with_tags = s.replace('a', "<").replace('b', ">").replace('c', "&#");
    let _ = clean_document(&html_doc(with_tags.clone()), &CleanOptions::default());
    let _ = clean_document(&Document::text("t", with_tags), &CleanOptions::default());
}

#[test]
fn no_body_empty_and_odd_pages() {
    for page in [
        "",
        " ",
        "<html></html>",
        "<html><head><title>Only a title</title></head></html>",
        "<!-- just a comment",
        "<script>var a = '<p>not text</p>';",
        "<p",
        "<<<<>>>>",
        "&#99999999999; &#x110000; &#0; &",
        "<meta property=\"article:published_time\" content=\"not a date\">",
    ] {
        let c = clean_document(&html_doc(page.into()), &CleanOptions::default());
        assert!(!c.text.contains("not text"), "{page:?}: {:?}", c.text);
        assert!(c.published.is_none());
    }
    let c = clean_document(
        &html_doc("<html><head><title>Only a title</title></head></html>".into()),
        &CleanOptions::default(),
    );
    assert_eq!(c.title.as_deref(), Some("Only a title"));
    assert_eq!(c.text, "");
    for t in ["", "\n\n\n", "   \t ", "\u{feff}\u{200b}", "…", "..."] {
        let c = clean_document(&Document::text("t", t), &CleanOptions::default());
        assert!(
            c.text.trim().is_empty() || c.text == "…" || c.text == "...",
            "{t:?}: {:?}",
            c.text
        );
    }
}
