//! Clean: the article's own text, without boilerplate, out of HTML or scraped text.

use serde::Serialize;

use crate::document::{Content, Document, Published};

#[derive(Clone, Debug, Default)]
pub struct CleanOptions {
    /// Keep the text as it came (only whitespace and Unicode normalised): no boilerplate removal.
    pub keep_raw: bool,
}

/// A piece of the input that cleaning dropped, and why, so a user can contest it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Removed {
    pub text: String,
    pub reason: String,
}

/// The article's own text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cleaned {
    pub title: Option<String>,
    /// Paragraphs separated by a blank line.
    pub text: String,
    pub removed: Vec<Removed>,
    /// A publication date the page itself states.
    pub published: Option<Published>,
}

/// Cleans one document.
pub fn clean_document(doc: &Document, options: &CleanOptions) -> Cleaned {
    let _ = options;
    let text = match &doc.content {
        Content::Text(t) => normalize_text(t),
        Content::Html(h) => normalize_text(h),
    };
    Cleaned {
        title: doc.title.clone(),
        text,
        removed: Vec::new(),
        published: None,
    }
}

/// Unicode NFC, one space between words, paragraphs separated by one blank line.
pub fn normalize_text(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line: String = line.nfc().collect();
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&words.join(" "));
    }
    out
}
