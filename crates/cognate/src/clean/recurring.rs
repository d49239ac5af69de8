//! Corpus-level evidence: lines that recur across many unrelated documents of a batch
//! (a site's slogan, its comment-form wording in a language the lexicon lacks, a
//! newsletter call) are boilerplate, whatever their wording.
//!
//! Copies of one article share their lines too, and they must keep them (finding
//! copies is what cognate is for). Two guards:
//!
//! * a document text is counted once: exact copies (after line normalisation) add
//!   nothing, so a line's count is the number of *distinct texts* it appears in;
//! * in a document, a line is recurring only when its count is at least `min_docs`
//!   *and* at least [`RATIO`] times the document's typical count (the lower median of
//!   its long lines' counts, or of all its lines when none is long). Lines of an
//!   article copied, edited or cut many times travel together, so they have about
//!   the same count; a boilerplate line stands out against the article it was put in.
//!
//! Lines are kept as 64-bit hashes with a 32-bit count: memory is about 16 bytes per
//! distinct line, and bounded by the window for a stream ([`RecurringWindow`]).
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
//! For a stream, [`RecurringWindow`] keeps the counts of the last documents seen: add a
//! chunk, clean it with the counts, and the oldest documents leave the window.

use std::collections::{HashMap, VecDeque};

use xxhash_rust::xxh3::xxh3_64;

use crate::document::{Content, Document};

/// Words a line needs to count as a "long" (article) line for the typical count.
const CONTENT_LINE_WORDS: usize = 12;
/// How many times a document's typical count a line's count must reach.
pub const RATIO: u32 = 3;
/// The default `min_docs` of batch runs.
pub const DEFAULT_MIN_DOCS: u32 = 5;

/// What one document contributed, so it can be taken out again (rolling window).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineKeys {
    /// Hash of the document's normalised lines in order: equal for exact copies.
    text_key: u64,
    lines: Vec<u64>,
}

/// Counts of normalised lines over the distinct texts of a batch or a window.
#[derive(Clone, Debug)]
pub struct RecurringLines {
    min_docs: u32,
    /// line hash → number of distinct texts with that line.
    counts: HashMap<u64, u32>,
    /// text hash → number of documents with that text.
    texts: HashMap<u64, u32>,
    documents: u64,
}

/// Lower case, digits folded to `0`, punctuation dropped, one space between words:
/// `Comments (3)` and `comments (12)` are the same line.
pub fn normalize_line_key(line: &str) -> String {
    // Written straight into one buffer (no string per word): every line of every
    // document passes here twice, once counted and once looked up.
    let mut out = String::with_capacity(line.len());
    for w in line.split_whitespace() {
        let before_space = out.len();
        if before_space > 0 {
            out.push(' ');
        }
        let word_start = out.len();
        for c in w.chars() {
            let digit = if c.is_ascii() {
                c.is_ascii_digit()
            } else {
                c.is_numeric()
            };
            if digit {
                if out.len() == word_start || !out.ends_with('0') {
                    out.push('0');
                }
            } else if c.is_ascii_alphabetic() {
                out.push(c.to_ascii_lowercase());
            } else if !c.is_ascii() && c.is_alphanumeric() {
                out.extend(c.to_lowercase());
            }
        }
        if out.len() == word_start {
            out.truncate(before_space);
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
    /// Lines seen in at least `min_docs` distinct texts can be recurring
    /// (`min_docs` below 2 is taken as 2).
    pub fn new(min_docs: u32) -> Self {
        RecurringLines {
            min_docs: min_docs.max(2),
            counts: HashMap::new(),
            texts: HashMap::new(),
            documents: 0,
        }
    }

    pub fn min_docs(&self) -> u32 {
        self.min_docs
    }

    /// Documents currently counted (copies included).
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// Distinct lines currently counted.
    pub fn distinct_lines(&self) -> usize {
        self.counts.len()
    }

    /// The keys of a text's lines (each line once), without counting them.
    pub fn keys_of(text: &str) -> LineKeys {
        let mut lines: Vec<u64> = Vec::new();
        let mut text_key = 0u64;
        for l in text.lines() {
            let Some(h) = line_hash(l) else { continue };
            lines.push(h);
            text_key = text_key.rotate_left(5) ^ h;
        }
        lines.sort_unstable();
        lines.dedup();
        LineKeys { text_key, lines }
    }

    /// The keys of a document's lines. For HTML, all visible text of the page
    /// (linear, no extraction): it holds the lines the extractor keeps.
    pub fn keys_of_document(doc: &Document) -> LineKeys {
        match &doc.content {
            Content::Text(t) => Self::keys_of(t),
            Content::Html(h) => {
                let page = super::html::cut_at_char_boundary(h, super::html::MAX_HTML_BYTES);
                Self::keys_of(&super::html::visible_text(page).1)
            }
        }
    }

    /// Counts a document's lines.
    pub fn add_document(&mut self, doc: &Document) -> LineKeys {
        let keys = Self::keys_of_document(doc);
        self.add_keys(&keys);
        keys
    }

    /// Counts the lines of one document's text.
    pub fn add_text(&mut self, text: &str) -> LineKeys {
        let keys = Self::keys_of(text);
        self.add_keys(&keys);
        keys
    }

    pub fn add_keys(&mut self, keys: &LineKeys) {
        self.documents += 1;
        let n = self.texts.entry(keys.text_key).or_default();
        *n += 1;
        if *n == 1 {
            for &h in &keys.lines {
                *self.counts.entry(h).or_default() += 1;
            }
        }
    }

    /// Takes a document's lines out again (when it leaves a rolling window).
    pub fn remove(&mut self, keys: &LineKeys) {
        let Some(n) = self.texts.get_mut(&keys.text_key) else {
            return;
        };
        self.documents = self.documents.saturating_sub(1);
        *n -= 1;
        if *n > 0 {
            return;
        }
        self.texts.remove(&keys.text_key);
        for h in &keys.lines {
            if let Some(c) = self.counts.get_mut(h) {
                *c -= 1;
                if *c == 0 {
                    self.counts.remove(h);
                }
            }
        }
    }

    /// Adds another counter's counts (for a first pass split over shards). A text
    /// counted in both is counted twice (the counters keep no line lists per text).
    pub fn merge(&mut self, other: RecurringLines) {
        self.documents += other.documents;
        for (k, n) in other.texts {
            *self.texts.entry(k).or_default() += n;
        }
        for (h, n) in other.counts {
            *self.counts.entry(h).or_default() += n;
        }
    }

    /// In how many distinct texts the line was seen.
    pub fn distinct_documents(&self, line: &str) -> u32 {
        line_hash(line).map_or(0, |h| self.count(h))
    }

    fn count(&self, h: u64) -> u32 {
        self.counts.get(&h).copied().unwrap_or(0)
    }

    /// Whether the line was seen in at least `min_docs` distinct texts (without the
    /// document's context: see [`RecurringLines::recurring_in`]).
    pub fn is_recurring(&self, line: &str) -> bool {
        self.distinct_documents(line) >= self.min_docs
    }

    /// Which of one document's lines are recurring: seen in at least `min_docs`
    /// distinct texts and in at least [`RATIO`] times as many as the document's
    /// typical line (see the module docs).
    pub fn recurring_in(&self, lines: &[&str]) -> Vec<bool> {
        let counts: Vec<Option<u32>> = lines
            .iter()
            .map(|l| line_hash(l).map(|h| self.count(h)))
            .collect();
        let lower_median = |mut v: Vec<u32>| -> Option<u32> {
            v.sort_unstable();
            (!v.is_empty()).then(|| v[(v.len() - 1) / 2])
        };
        let long: Vec<u32> = lines
            .iter()
            .zip(&counts)
            .filter(|(l, _)| l.split_whitespace().count() >= CONTENT_LINE_WORDS)
            .filter_map(|(_, c)| *c)
            .collect();
        let typical = lower_median(long)
            .or_else(|| lower_median(counts.iter().flatten().copied().collect()))
            .unwrap_or(0)
            .max(1);
        counts
            .iter()
            .map(|c| c.is_some_and(|c| c >= self.min_docs && c >= RATIO.saturating_mul(typical)))
            .collect()
    }
}

/// [`RecurringLines`] over the last `capacity` documents of a stream: memory bounded
/// by the window, whatever the stream's length.
#[derive(Clone, Debug)]
pub struct RecurringWindow {
    lines: RecurringLines,
    queue: VecDeque<LineKeys>,
    capacity: usize,
}

impl RecurringWindow {
    pub fn new(min_docs: u32, capacity: usize) -> Self {
        RecurringWindow {
            lines: RecurringLines::new(min_docs),
            queue: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Counts a document (its keys from [`RecurringLines::keys_of_document`]); the
    /// oldest documents beyond the window's capacity leave it.
    pub fn push(&mut self, keys: LineKeys) {
        self.lines.add_keys(&keys);
        self.queue.push_back(keys);
        while self.queue.len() > self.capacity {
            if let Some(old) = self.queue.pop_front() {
                self.lines.remove(&old);
            }
        }
    }

    /// The counts of the documents in the window.
    pub fn lines(&self) -> &RecurringLines {
        &self.lines
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
        assert_eq!(
            normalize_line_key("« 2024 »  A1b2 ÉTÉ٣٤ x"),
            "0 a0b0 été0 x"
        );
        assert_eq!(normalize_line_key(" ... 12,5% -- "), "0");
    }
}
