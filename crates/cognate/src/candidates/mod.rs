//! Candidates: the pairs worth scoring, without comparing every pair. Exact-text
//! hashes and MinHash bands find copies within a language; an inverted index of rare
//! anchors finds translations and articles on the same event across languages.

pub mod ann;
pub mod neighbours;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::features::{Features, MinHasher};
use crate::score::AnchorWeights;

/// Limits of candidate generation.
#[derive(Clone, Debug)]
pub struct CandidateOptions {
    /// Anchors in more documents than this are too common to index.
    pub max_anchor_frequency: u32,
    /// Per document, at most this many anchor candidates are kept (the strongest).
    pub max_anchor_candidates: usize,
    /// A pair must share at least this much rarity-weighted anchor mass.
    pub min_shared_weight: f32,
    /// MinHash band buckets larger than this are skipped (boilerplate-only texts).
    pub max_bucket: usize,
}

impl Default for CandidateOptions {
    fn default() -> Self {
        CandidateOptions {
            max_anchor_frequency: 500,
            max_anchor_candidates: 64,
            min_shared_weight: 0.8,
            max_bucket: 2000,
        }
    }
}

/// Pairs `(i, j)` with `i < j`, sorted and deduplicated.
pub fn candidate_pairs(
    features: &[&Features],
    hasher: &MinHasher,
    weights: &AnchorWeights,
    options: &CandidateOptions,
) -> Vec<(u32, u32)> {
    let mut pairs = lsh_pairs(features, hasher, options.max_bucket);
    pairs.extend(anchor_pairs(features, weights, options));
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Pairs that share a MinHash band (or the exact-text hash).
pub fn lsh_pairs(features: &[&Features], hasher: &MinHasher, max_bucket: usize) -> Vec<(u32, u32)> {
    let mut keys: Vec<(u64, u32)> = features
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, f)| {
            let exact = (!f.signature.is_empty()).then_some((f.exact, i as u32));
            let bands: Vec<(u64, u32)> = if f.signature.is_empty() {
                Vec::new()
            } else {
                hasher
                    .band_keys(&f.signature)
                    .map(|k| (k, i as u32))
                    .collect()
            };
            exact.into_iter().chain(bands)
        })
        .collect();
    keys.par_sort_unstable();
    let mut pairs = Vec::new();
    for bucket in keys.chunk_by(|a, b| a.0 == b.0) {
        if bucket.len() < 2 || bucket.len() > max_bucket {
            continue;
        }
        // Link each member to the bucket's first: enough for clustering, linear in size.
        let first = bucket[0].1;
        for &(_, d) in &bucket[1..] {
            if d != first {
                pairs.push((first.min(d), first.max(d)));
            }
        }
    }
    pairs
}

/// Pairs that share enough rare anchors.
pub fn anchor_pairs(
    features: &[&Features],
    weights: &AnchorWeights,
    options: &CandidateOptions,
) -> Vec<(u32, u32)> {
    // Postings (compressed rows) over the anchors worth indexing.
    let indexed: Vec<(u64, u32)> = weights
        .frequencies()
        .iter()
        .copied()
        .filter(|&(_, df)| df >= 2 && df <= options.max_anchor_frequency)
        .collect();
    let mut offsets = Vec::with_capacity(indexed.len() + 1);
    let mut total = 0usize;
    for &(_, df) in &indexed {
        offsets.push(total);
        total += df as usize;
    }
    offsets.push(total);
    let mut postings = vec![0u32; total];
    let mut fill = offsets.clone();
    for (d, f) in features.iter().enumerate() {
        for a in f.anchors.iter() {
            if let Ok(k) = indexed.binary_search_by_key(a, |&(h, _)| h) {
                postings[fill[k]] = d as u32;
                fill[k] += 1;
            }
        }
    }
    features
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, f)| {
            let mut shared: HashMap<u32, f32> = HashMap::new();
            for a in f.anchors.iter() {
                if let Ok(k) = indexed.binary_search_by_key(a, |&(h, _)| h) {
                    let w = weights.weight(*a);
                    for &d in &postings[offsets[k]..offsets[k + 1]] {
                        if d as usize > i {
                            *shared.entry(d).or_default() += w;
                        }
                    }
                }
            }
            let mut best: Vec<(u32, f32)> = shared
                .into_iter()
                .filter(|&(_, w)| w >= options.min_shared_weight)
                .collect();
            best.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            best.truncate(options.max_anchor_candidates);
            best.into_iter().map(move |(d, _)| (i as u32, d))
        })
        .collect()
}
