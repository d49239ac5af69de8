//! Nearest neighbours of lead embeddings, for candidates no shared anchor finds
//! and for margin scoring: a pair's similarity relative to each side's neighbourhood,
//! as bitext mining does. The neighbourhood is measured separately among articles of
//! the same language and of other languages, because this encoder's cosines depend on
//! the language pair: translations across languages score below unrelated articles
//! within one language.

use rayon::prelude::*;

use super::ann::{AnnParams, nearest_approx};
use crate::features::embedding::LeadVector;

/// One article's nearest leads.
#[derive(Clone, Debug, Default)]
pub struct Neighbourhood {
    /// Nearest articles of the same language and of other languages (index, cosine), best first.
    pub same_language: Vec<(u32, f32)>,
    pub other_languages: Vec<(u32, f32)>,
}

impl Neighbourhood {
    /// Mean cosine of the nearest articles of the same or of other languages; `None`
    /// with fewer than [`MIN_NEIGHBOURS`], where a margin would mean nothing (with one
    /// neighbour, every pair's margin is 1).
    pub fn mean(&self, same_language: bool) -> Option<f32> {
        let list = if same_language {
            &self.same_language
        } else {
            &self.other_languages
        };
        (list.len() >= MIN_NEIGHBOURS)
            .then(|| list.iter().map(|n| n.1).sum::<f32>() / list.len() as f32)
    }
}

/// Neighbours needed before a margin is measured.
pub const MIN_NEIGHBOURS: usize = 3;

pub(crate) fn push(best: &mut Vec<(u32, f32)>, k: usize, j: usize, c: f32) {
    if best.len() < k || c > best[best.len() - 1].1 {
        let at = best.partition_point(|&(bj, bc)| bc > c || (bc == c && (bj as usize) < j));
        best.insert(at, (j as u32, c));
        best.truncate(k);
    }
}

/// Each article's `k` nearest leads in its own language and in others. Exact search:
/// quadratic, for batches up to [`EXACT_LIMIT`] articles.
pub fn nearest_exact(
    vectors: &[Option<&LeadVector>],
    langs: &[&str],
    k: usize,
) -> Vec<Neighbourhood> {
    (0..vectors.len())
        .into_par_iter()
        .map(|i| {
            let Some(v) = vectors[i] else {
                return Neighbourhood::default();
            };
            let mut n = Neighbourhood::default();
            for (j, w) in vectors.iter().enumerate() {
                let Some(w) = w else { continue };
                if j == i {
                    continue;
                }
                let list = if langs[i] == langs[j] {
                    &mut n.same_language
                } else {
                    &mut n.other_languages
                };
                push(list, k, j, v.cosine(w));
            }
            n
        })
        .collect()
}

/// Up to this many vectors, exact search; above, the approximate index
/// ([`super::ann`]). A chosen value, not yet a measured crossover: on 3,464 WMT
/// vectors the exact search was faster, and it grows quadratically while the graph
/// grows as n log n.
pub const EXACT_LIMIT: usize = 20_000;

/// How neighbours are searched.
#[derive(Clone, Debug)]
pub struct NeighbourSearch {
    /// Exact search up to this many vectors, approximate above.
    pub exact_limit: usize,
    pub ann: AnnParams,
}

impl Default for NeighbourSearch {
    fn default() -> Self {
        NeighbourSearch {
            exact_limit: EXACT_LIMIT,
            ann: AnnParams::default(),
        }
    }
}

/// What the search cost.
#[derive(Clone, Debug, Default)]
pub struct NeighbourStats {
    pub vectors: usize,
    /// Whether the approximate index was used.
    pub approximate: bool,
    /// Resident memory the approximate index took (0 for exact search).
    pub index_bytes: usize,
}

/// Each article's `k` nearest leads in its own language and in others: exact up to
/// `search.exact_limit` vectors, approximate above. The result does not depend on the
/// thread count.
pub fn nearest(
    vectors: &[Option<&LeadVector>],
    langs: &[&str],
    k: usize,
    search: &NeighbourSearch,
) -> (Vec<Neighbourhood>, NeighbourStats) {
    let count = vectors.iter().filter(|v| v.is_some()).count();
    if count <= search.exact_limit {
        let stats = NeighbourStats {
            vectors: count,
            ..NeighbourStats::default()
        };
        return (nearest_exact(vectors, langs, k), stats);
    }
    let (result, index_bytes) = nearest_approx(vectors, langs, k, &search.ann);
    let stats = NeighbourStats {
        vectors: count,
        approximate: true,
        index_bytes,
    };
    (result, stats)
}
