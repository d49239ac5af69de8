//! Features: what later stages compare. Word shingles summarised by MinHash (copies
//! within a language) and language-independent anchors (numbers, names) that survive
//! translation.

pub mod anchors;
pub mod embedding;
pub mod minhash;
pub mod sentences;
pub mod tokens;
pub mod vector_cache;

pub use anchors::{Anchor, AnchorKind, extract_anchors};
pub use minhash::{MinHasher, Signature};
pub use tokens::{Unspaced, words, words_with};

/// The compact per-document summary kept in memory for a whole batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    /// Hash of the normalised text: equal hashes are exact duplicates.
    pub exact: u64,
    pub signature: Signature,
    /// Sorted, deduplicated anchor hashes (kind in the top bits).
    pub anchors: Box<[u64]>,
    /// Salience of each anchor (same order as `anchors`), see [`Anchor::salience`].
    pub salience: Box<[u8]>,
    /// Number of word tokens.
    pub tokens: u32,
}

impl Features {
    /// Bytes of heap and inline memory this summary takes.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.signature.memory_bytes() + self.anchors.len() * 9
    }
}

/// Computes the features of a cleaned text.
pub fn extract(text: &str, hasher: &MinHasher) -> Features {
    let tokens = words(text);
    let exact = exact_hash(&tokens);
    let signature = hasher.signature(&tokens);
    let mut anchors: Vec<(u64, u8)> = extract_anchors(text)
        .iter()
        .map(|a| (a.hash(), a.salience()))
        .collect();
    anchors.sort_unstable();
    // Two keys may share a hash: keep the more salient.
    anchors.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 = kept.1.max(later.1);
        }
        same
    });
    Features {
        exact,
        signature,
        salience: anchors.iter().map(|a| a.1).collect(),
        anchors: anchors.iter().map(|a| a.0).collect(),
        tokens: tokens.len() as u32,
    }
}

/// Hash of the word sequence, so differences of case, punctuation and spacing do not count.
fn exact_hash(tokens: &[String]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for t in tokens {
        h.update(t.as_bytes());
        h.update(&[0]);
    }
    h.digest()
}
