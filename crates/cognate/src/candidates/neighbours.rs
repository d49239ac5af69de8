//! Nearest neighbours of lead embeddings, for candidates no shared anchor finds
//! and for margin scoring (a pair's similarity relative to each side's neighbourhood,
//! as bitext mining does, because cosines of this encoder crowd into a high band).

use rayon::prelude::*;

use crate::features::embedding::LeadVector;

/// Each document's `k` nearest neighbours (index, cosine), best first, and the mean
/// cosine of those neighbours. Exact search: quadratic, for batches up to
/// [`EXACT_LIMIT`] documents.
pub fn nearest(vectors: &[Option<&LeadVector>], k: usize) -> Vec<(Vec<(u32, f32)>, f32)> {
    (0..vectors.len())
        .into_par_iter()
        .map(|i| {
            let Some(v) = vectors[i] else {
                return (Vec::new(), 0.0);
            };
            let mut best: Vec<(u32, f32)> = Vec::with_capacity(k + 1);
            for (j, w) in vectors.iter().enumerate() {
                let Some(w) = w else { continue };
                if j == i {
                    continue;
                }
                let c = v.cosine(w);
                if best.len() < k || c > best[best.len() - 1].1 {
                    let at =
                        best.partition_point(|&(bj, bc)| bc > c || (bc == c && (bj as usize) < j));
                    best.insert(at, (j as u32, c));
                    best.truncate(k);
                }
            }
            let mean = if best.is_empty() {
                0.0
            } else {
                best.iter().map(|b| b.1).sum::<f32>() / best.len() as f32
            };
            (best, mean)
        })
        .collect()
}

/// Above this many documents, exact neighbour search is too slow; the encoder then
/// only verifies pairs that other signals propose.
pub const EXACT_LIMIT: usize = 60_000;
