//! MinHash signatures of word shingles, for copies and near-copies within a language.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A MinHash signature: the minimum of each of `k` hash permutations over the shingles,
/// truncated to 32 bits (collisions at that width are far below the estimator's noise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature(pub Box<[u32]>);

impl Signature {
    /// Estimated Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Signature) -> f32 {
        let n = self.0.len().min(other.0.len());
        if n == 0 {
            return 0.0;
        }
        let equal = self
            .0
            .iter()
            .zip(other.0.iter())
            .filter(|(a, b)| a == b)
            .count();
        equal as f32 / n as f32
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&v| v == u32::MAX)
    }

    pub fn memory_bytes(&self) -> usize {
        self.0.len() * 4
    }
}

/// The hash of one token, as [`MinHasher::signature_of_hashes`] takes it.
pub fn token_hash(token: &str) -> u64 {
    xxh3_64_with_seed(token.as_bytes(), 0)
}

/// Computes signatures: `bands × rows` permutations over shingles of `shingle` words.
#[derive(Clone, Debug)]
pub struct MinHasher {
    pub shingle: usize,
    pub bands: usize,
    pub rows: usize,
    multipliers: Vec<u64>,
    increments: Vec<u64>,
}

impl Default for MinHasher {
    /// 2-word shingles (ICU words in unspaced scripts), 16 bands of 4 rows: 64 values,
    /// 256 bytes per document. Chosen by measured precision/recall on the near-duplicate
    /// corpus (`eval synth --near-dup`, see docs/measurements.md): shorter shingles
    /// survive edits better, and the scorer's Jaccard threshold, not the band
    /// structure, keeps precision. Pairs above Jaccard ≈ 0.5 become LSH candidates
    /// with high probability (the S-curve's midpoint is (1/16)^(1/4)).
    fn default() -> Self {
        MinHasher::new(2, 16, 4)
    }
}

impl MinHasher {
    pub fn new(shingle: usize, bands: usize, rows: usize) -> Self {
        let k = bands * rows;
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            // splitmix64: fixed constants, so signatures are stable across runs and machines.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let multipliers = (0..k).map(|_| next() | 1).collect();
        let increments = (0..k).map(|_| next()).collect();
        MinHasher {
            shingle: shingle.max(1),
            bands,
            rows,
            multipliers,
            increments,
        }
    }

    pub fn len(&self) -> usize {
        self.multipliers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.multipliers.is_empty()
    }

    /// The signature of a token sequence. A text shorter than one shingle is one shingle.
    pub fn signature(&self, tokens: &[String]) -> Signature {
        let hashes: Vec<u64> = tokens.iter().map(|t| token_hash(t)).collect();
        self.signature_of_hashes(&hashes)
    }

    /// The signature of a sequence of token hashes ([`token_hash`]), so callers that
    /// try several parameters tokenise once.
    pub fn signature_of_hashes(&self, hashes: &[u64]) -> Signature {
        let mut mins = vec![u32::MAX; self.len()];
        if hashes.is_empty() {
            return Signature(mins.into_boxed_slice());
        }
        let width = self.shingle.min(hashes.len());
        let mut shingles: Vec<u64> = hashes
            .windows(width)
            .map(|w| {
                w.iter()
                    .fold(0u64, |acc, &h| acc.rotate_left(17) ^ h)
                    .wrapping_mul(0x2545_F491_4F6C_DD1D)
            })
            .collect();
        shingles.sort_unstable();
        shingles.dedup();
        for &s in &shingles {
            for (i, m) in mins.iter_mut().enumerate() {
                let v = (s
                    .wrapping_mul(self.multipliers[i])
                    .wrapping_add(self.increments[i])
                    >> 32) as u32;
                if v < *m {
                    *m = v;
                }
            }
        }
        Signature(mins.into_boxed_slice())
    }

    /// One key per band; documents that share a key are candidate near-duplicates.
    pub fn band_keys<'a>(&'a self, signature: &'a Signature) -> impl Iterator<Item = u64> + 'a {
        signature
            .0
            .chunks(self.rows)
            .take(self.bands)
            .enumerate()
            .map(|(band, rows)| {
                let mut bytes = Vec::with_capacity(4 * rows.len() + 1);
                bytes.push(band as u8);
                for r in rows {
                    bytes.extend_from_slice(&r.to_le_bytes());
                }
                xxh3_64_with_seed(&bytes, 0x5EED)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::words;

    #[test]
    fn jaccard_estimate_tracks_overlap() {
        let h = MinHasher::default();
        let base: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
        let same = h.signature(&base);
        assert_eq!(same.jaccard(&h.signature(&base)), 1.0);
        // Change every 10th word: many shingles change, but far from all.
        let edited: Vec<String> = base
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i % 10 == 0 {
                    format!("x{i}")
                } else {
                    w.clone()
                }
            })
            .collect();
        let j = same.jaccard(&h.signature(&edited));
        assert!(j > 0.2 && j < 0.8, "{j}");
        let other: Vec<String> = (0..400).map(|i| format!("v{i}")).collect();
        assert!(same.jaccard(&h.signature(&other)) < 0.05);
    }

    #[test]
    fn short_and_empty_texts() {
        let h = MinHasher::default();
        let a = h.signature(&words("two words"));
        assert_eq!(a.jaccard(&h.signature(&words("Two, words!"))), 1.0);
        assert!(h.signature(&[]).is_empty());
        assert_eq!(h.band_keys(&a).count(), 16);
    }
}
