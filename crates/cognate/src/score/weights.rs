//! Anchor weights: prior weight by kind, times rarity in the corpus when one is known.

use crate::features::anchors::prior_weight;

/// Below this many documents, rarity is not measured: the prior weight decides.
const MIN_CORPUS: u32 = 20;

/// Weights of anchors. With a corpus, an anchor found in many documents counts less
/// (inverse document frequency); without one, the prior weight alone decides.
#[derive(Clone, Debug, Default)]
pub struct AnchorWeights {
    documents: u32,
    /// Sorted by anchor hash.
    frequencies: Vec<(u64, u32)>,
    /// The weight of each anchor in `frequencies`, computed once.
    weights: Vec<f32>,
}

impl AnchorWeights {
    pub fn without_corpus() -> Self {
        Self::default()
    }

    /// From every document's sorted, deduplicated anchors.
    pub fn from_corpus<'a>(anchor_lists: impl Iterator<Item = &'a [u64]>) -> Self {
        let mut all: Vec<u64> = Vec::new();
        let mut documents = 0u32;
        for list in anchor_lists {
            all.extend_from_slice(list);
            documents += 1;
        }
        all.sort_unstable();
        let mut frequencies: Vec<(u64, u32)> = Vec::new();
        for h in all {
            match frequencies.last_mut() {
                Some((last, n)) if *last == h => *n += 1,
                _ => frequencies.push((h, 1)),
            }
        }
        frequencies.shrink_to_fit();
        let weights = frequencies
            .iter()
            .map(|&(h, df)| Self::idf_weight(h, df, documents))
            .collect();
        AnchorWeights {
            documents,
            frequencies,
            weights,
        }
    }

    fn idf_weight(anchor: u64, df: u32, documents: u32) -> f32 {
        let prior = prior_weight(anchor);
        if documents < MIN_CORPUS {
            return prior;
        }
        let df = df.max(1) as f32;
        // Scaled so that an anchor in two documents of a corpus weighs about its prior.
        let idf = (1.0 + documents as f32 / df).ln() / (1.0 + documents as f32 / 2.0).ln();
        prior * idf
    }

    /// In how many documents of the corpus the anchor occurs (0 without a corpus).
    pub fn document_frequency(&self, anchor: u64) -> u32 {
        self.frequencies
            .binary_search_by_key(&anchor, |&(h, _)| h)
            .map(|i| self.frequencies[i].1)
            .unwrap_or(0)
    }

    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// Every anchor with its document frequency, sorted by anchor.
    pub fn frequencies(&self) -> &[(u64, u32)] {
        &self.frequencies
    }

    pub fn weight(&self, anchor: u64) -> f32 {
        match self.frequencies.binary_search_by_key(&anchor, |&(h, _)| h) {
            Ok(i) => self.weights[i],
            Err(_) => Self::idf_weight(anchor, 1, self.documents),
        }
    }

    pub fn memory_bytes(&self) -> usize {
        self.frequencies.capacity() * std::mem::size_of::<(u64, u32)>()
            + self.weights.capacity() * 4
    }
}
