//! Corpus-level evidence: lines that recur across many unrelated documents of a batch
//! (a site's slogan, its comment-form wording in a language the lexicon lacks, a
//! newsletter call) are boilerplate, whatever their wording.
//!
//! Copies of one article share their lines too, and they must keep them (finding
//! copies is what cognate is for). So a line counts as recurring only when it is
//! seen in at least `min_docs` documents with *different content*: each document
//! has a content key (the smallest hash of its long lines, a one-permutation MinHash,
//! so copies of one article almost always share it), and a line's evidence is the
//! number of distinct content keys among the documents that contain it.
//!
//! # Use
//!
//! ```
//! use cognate::clean::{CleanOptions, RecurringLines, clean_document_with};
//! use cognate::Document;
//!
//! let stories = [
//!     "The council approved the new budget for schools and roads after a long debate.",
//!     "A storm brought heavy rain and strong winds to the coast on Sunday night.",
//!     "The local team won the cup final after a penalty shoot-out in front of its fans.",
//! ];
//! let docs: Vec<Document> = stories
//!     .iter()
//!     .enumerate()
//!     .map(|(i, s)| {
//!         Document::text(format!("d{i}"), format!("{s}\nPowered by ExampleCMS, the newsroom in your pocket"))
//!     })
//!     .collect();
//! // Pass 1: count (can run per shard and be merged with `merge`).
//! let mut recurring = RecurringLines::new(3);
//! for d in &docs {
//!     recurring.add_document(d);
//! }
//! // Pass 2: clean with the counts.
//! let cleaned = clean_document_with(&docs[0], &CleanOptions::default(), Some(&recurring));
//! assert!(!cleaned.text.contains("ExampleCMS"));
//! assert_eq!(cleaned.removed[0].reason, "recurring");
//! ```
//!
//! For a service, keep one `RecurringLines` over a rolling window: `add_document`
//! returns the document's [`LineKeys`]; keep them in a queue and `remove` them when
//! the document leaves the window. Counting is on HTML documents' extracted text
//! (see [`RecurringLines::add_text`]) as well as on plain text.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

use crate::document::{Content, Document};

/// Words a line needs to count as a "long" line for the content key.
const CONTENT_LINE_WORDS: usize = 12;

/// What one document contributed, so it can be taken out again (rolling window).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineKeys {
    content_key: u64,
    lines: Vec<u64>,
}

/// Document-frequency counts of normalised lines across a batch or a window.
#[derive(Clone, Debug)]
pub struct RecurringLines {
    min_docs: u32,
    /// line hash → (content key → number of documents with that key).
    counts: HashMap<u64, Vec<(u64, u32)>>,
    documents: u64,
}

/// Lower case, digits folded to `0`, punctuation dropped, one space between words:
/// `Comments (3)` and `comments (12)` are the same line.
pub fn normalize_line_key(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for w in line.split_whitespace() {
        let mut word = String::new();
        for c in w.chars() {
            if c.is_numeric() {
                if !word.ends_with('0') {
                    word.push('0');
                }
            } else if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            }
        }
        if !word.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
        }
    }
    out
}

fn line_hash(line: &str) -> Option<u64> {
    let key = normalize_line_key(line);
    // Too short to mean anything on its own ("0", "a"): the lexicon handles those.
    (key.chars().filter(|c| c.is_alphabetic()).count() >= 4).then(|| xxh3_64(key.as_bytes()))
}

impl RecurringLines {
    /// Lines seen in at least `min_docs` documents of different content are recurring
    /// (`min_docs` below 2 is taken as 2).
    pub fn new(min_docs: u32) -> Self {
        RecurringLines {
            min_docs: min_docs.max(2),
            counts: HashMap::new(),
            documents: 0,
        }
    }

    pub fn min_docs(&self) -> u32 {
        self.min_docs
    }

    /// Documents currently counted.
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// The keys of a text's lines (each line once), without counting them.
    pub fn keys_of(text: &str) -> LineKeys {
        let mut lines: Vec<u64> = Vec::new();
        let mut content_key = u64::MAX;
        for l in text.lines() {
            let Some(h) = line_hash(l) else { continue };
            lines.push(h);
            if l.split_whitespace().count() >= CONTENT_LINE_WORDS {
                content_key = content_key.min(h);
            }
        }
        lines.sort_unstable();
        lines.dedup();
        if content_key == u64::MAX {
            // No long line: the document's own lines together are its content.
            content_key = lines.iter().fold(0u64, |a, &h| a.rotate_left(5) ^ h);
        }
        LineKeys { content_key, lines }
    }

    /// Counts a document's lines. For HTML, the text is extracted first (without
    /// boilerplate removal) so the counts see the same lines cleaning will.
    pub fn add_document(&mut self, doc: &Document) -> LineKeys {
        match &doc.content {
            Content::Text(t) => self.add_text(t),
            Content::Html(_) => {
                let raw = super::clean_document(doc, &super::CleanOptions { keep_raw: true });
                self.add_text(&raw.text)
            }
        }
    }

    /// Counts the lines of one document's text.
    pub fn add_text(&mut self, text: &str) -> LineKeys {
        let keys = Self::keys_of(text);
        self.add_keys(&keys);
        keys
    }

    pub fn add_keys(&mut self, keys: &LineKeys) {
        self.documents += 1;
        for &h in &keys.lines {
            let e = self.counts.entry(h).or_default();
            match e.iter_mut().find(|(k, _)| *k == keys.content_key) {
                Some(x) => x.1 += 1,
                None => e.push((keys.content_key, 1)),
            }
        }
    }

    /// Takes a document's lines out again (when it leaves a rolling window).
    pub fn remove(&mut self, keys: &LineKeys) {
        self.documents = self.documents.saturating_sub(1);
        for h in &keys.lines {
            if let Some(e) = self.counts.get_mut(h) {
                if let Some(pos) = e.iter().position(|(k, _)| *k == keys.content_key) {
                    e[pos].1 -= 1;
                    if e[pos].1 == 0 {
                        e.swap_remove(pos);
                    }
                }
                if e.is_empty() {
                    self.counts.remove(h);
                }
            }
        }
    }

    /// Adds another counter's counts (for a first pass split over threads).
    pub fn merge(&mut self, other: RecurringLines) {
        self.documents += other.documents;
        for (h, v) in other.counts {
            let e = self.counts.entry(h).or_default();
            for (k, n) in v {
                match e.iter_mut().find(|(x, _)| *x == k) {
                    Some(x) => x.1 += n,
                    None => e.push((k, n)),
                }
            }
        }
    }

    /// In how many documents of different content the line was seen.
    pub fn distinct_documents(&self, line: &str) -> u32 {
        line_hash(line)
            .and_then(|h| self.counts.get(&h))
            .map_or(0, |v| v.len() as u32)
    }

    pub fn is_recurring(&self, line: &str) -> bool {
        self.distinct_documents(line) >= self.min_docs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_across_unrelated_documents_only() {
        let mut r = RecurringLines::new(3);
        let slogan = "Powered by ExampleCMS, the newsroom in your pocket";
        let article =
            "The minister said on Tuesday that the talks would continue next week in Geneva.";
        // Three copies of one article: its lines do not become recurring.
        for _ in 0..3 {
            r.add_text(&format!("{article}\n{slogan}"));
        }
        assert!(!r.is_recurring(article));
        assert!(!r.is_recurring(slogan));
        let k1 = r.add_text(&format!(
            "Another story entirely, with its own long sentence about a storm.\n{slogan}"
        ));
        assert!(!r.is_recurring(slogan));
        let k2 = r.add_text(&format!(
            "A third story, about football and a transfer that surprised every fan.\n{slogan}"
        ));
        assert!(r.is_recurring(slogan));
        assert!(r.is_recurring("powered by examplecms the newsroom in your pocket!"));
        assert_eq!(r.distinct_documents(slogan), 3);
        r.remove(&k2);
        assert!(!r.is_recurring(slogan));
        let mut other = RecurringLines::new(3);
        other.add_keys(&k2);
        other.add_keys(&k1);
        r.remove(&k1);
        r.merge(other);
        assert!(r.is_recurring(slogan));
        assert_eq!(r.documents(), 5);
    }

    #[test]
    fn normalises_digits_and_punctuation() {
        assert_eq!(normalize_line_key("Comments (12) »"), "comments 0");
        assert_eq!(normalize_line_key("comments 3"), "comments 0");
    }
}
