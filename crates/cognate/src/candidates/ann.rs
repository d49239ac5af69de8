//! Approximate nearest neighbours of lead embeddings, for batches where the exact
//! search (quadratic) is too slow: an HNSW graph (`hnsw_rs`) over the `i8` vectors.
//!
//! Deterministic whatever the thread count: the graph is built by inserting the
//! vectors one by one in input order on one thread (the level generator is seeded),
//! and each query only reads the finished graph, so queries can run in parallel.
//!
//! The neighbourhoods margin scoring needs are kept apart: the nearest articles of
//! the same language and of other languages. A language (or the set of other
//! languages) small enough is scanned exactly; otherwise the graph is searched with a
//! filter on the language.

use hnsw_rs::anndists::dist::Distance;
use hnsw_rs::hnsw::Hnsw;
use rayon::prelude::*;

use super::neighbours::{Neighbourhood, push};
use crate::features::embedding::LeadVector;

/// Graph parameters: links per node, candidate list while building and searching.
#[derive(Clone, Copy, Debug)]
pub struct AnnParams {
    pub max_connections: usize,
    pub ef_construction: usize,
    pub ef_search: usize,
    /// A language (or the other languages) with at most this many vectors is scanned exactly.
    pub exact_group: usize,
}

impl Default for AnnParams {
    fn default() -> Self {
        AnnParams {
            max_connections: 16,
            ef_construction: 100,
            ef_search: 64,
            exact_group: 5_000,
        }
    }
}

/// Cosine distance of two quantised vectors (each is a scaled unit vector, so the
/// norms are computed rather than assumed).
#[derive(Clone, Copy, Default)]
pub struct CosineI8;

impl Distance<i8> for CosineI8 {
    fn eval(&self, a: &[i8], b: &[i8]) -> f32 {
        let (mut dot, mut na, mut nb) = (0i32, 0i32, 0i32);
        for (&x, &y) in a.iter().zip(b) {
            let (x, y) = (x as i32, y as i32);
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        if na == 0 || nb == 0 {
            return 1.0;
        }
        (1.0 - dot as f32 / ((na as f32).sqrt() * (nb as f32).sqrt())).max(0.0)
    }
}

/// The built graph over a batch's vectors.
pub struct AnnIndex<'a> {
    hnsw: Hnsw<'a, i8, CosineI8>,
    len: usize,
}

impl<'a> AnnIndex<'a> {
    /// Inserts `(id, vector)` in the order given, on the calling thread.
    pub fn build(items: &[(usize, &'a LeadVector)], params: &AnnParams) -> AnnIndex<'a> {
        let layers = 16;
        let hnsw = Hnsw::new(
            params.max_connections,
            items.len().max(1),
            layers,
            params.ef_construction,
            CosineI8,
        );
        for &(id, v) in items {
            hnsw.insert_slice((v.values(), id));
        }
        AnnIndex {
            hnsw,
            len: items.len(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Up to `ef` near ids passing `keep`, nearest first (the caller keeps the best).
    /// All `ef` candidates are asked for: the library filters after cutting to the
    /// number asked, which would otherwise leave fewer than wanted.
    pub fn search(
        &self,
        v: &LeadVector,
        ef: usize,
        keep: &(dyn Fn(&usize) -> bool + Sync),
    ) -> Vec<(usize, f32)> {
        self.hnsw
            .search_filter(v.values(), ef, ef, Some(&keep))
            .into_iter()
            .map(|n| (n.d_id, n.distance))
            .collect()
    }
}

/// Each article's `k` nearest leads in its own language and in others, approximately.
/// Cosines in the result are the exact cosines of the pairs found.
pub fn nearest_approx(
    vectors: &[Option<&LeadVector>],
    langs: &[&str],
    k: usize,
    params: &AnnParams,
) -> (Vec<Neighbourhood>, usize) {
    // Languages as small integers, and the members of each.
    let mut names: Vec<&str> = langs.to_vec();
    names.sort_unstable();
    names.dedup();
    let code: Vec<u32> = langs
        .iter()
        .map(|l| names.binary_search(l).expect("every language is listed") as u32)
        .collect();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    let items: Vec<(usize, &LeadVector)> = vectors
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    for &(i, _) in &items {
        members[code[i] as usize].push(i as u32);
    }
    let total = items.len();
    let before = resident_bytes();
    let index = AnnIndex::build(&items, params);
    let index_bytes = resident_bytes()
        .zip(before)
        .map_or(0, |(after, before)| after.saturating_sub(before));
    let ef = params.ef_search.max(4 * k);
    let result = (0..vectors.len())
        .into_par_iter()
        .map(|i| {
            let Some(v) = vectors[i] else {
                return Neighbourhood::default();
            };
            let c = code[i];
            let mut n = Neighbourhood::default();
            // Same language.
            let own = &members[c as usize];
            if own.len() <= params.exact_group + 1 {
                for &j in own {
                    if j as usize != i {
                        let w = vectors[j as usize].expect("members have vectors");
                        push(&mut n.same_language, k, j as usize, v.cosine(w));
                    }
                }
            } else {
                let keep = |d: &usize| *d != i && code[*d] == c;
                for (j, _) in index.search(v, ef, &keep) {
                    let w = vectors[j].expect("indexed ids have vectors");
                    push(&mut n.same_language, k, j, v.cosine(w));
                }
            }
            // Other languages.
            if total - own.len() <= params.exact_group {
                for (l, group) in members.iter().enumerate() {
                    if l as u32 == c {
                        continue;
                    }
                    for &j in group {
                        let w = vectors[j as usize].expect("members have vectors");
                        push(&mut n.other_languages, k, j as usize, v.cosine(w));
                    }
                }
            } else {
                let keep = |d: &usize| code[*d] != c;
                for (j, _) in index.search(v, ef, &keep) {
                    let w = vectors[j].expect("indexed ids have vectors");
                    push(&mut n.other_languages, k, j, v.cosine(w));
                }
            }
            n
        })
        .collect();
    (result, index_bytes)
}

/// Resident memory of this process (Linux), to report what an index costs.
pub fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidates::neighbours::nearest_exact;

    /// Clustered unit vectors in three languages (deterministic).
    fn vectors(n: usize) -> (Vec<LeadVector>, Vec<&'static str>) {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f32 / (1u64 << 53) as f32 - 0.5
        };
        let topics: Vec<Vec<f32>> = (0..n / 10)
            .map(|_| (0..64).map(|_| next()).collect())
            .collect();
        let mut out = Vec::new();
        let mut langs = Vec::new();
        for i in 0..n {
            let t = &topics[i % topics.len()];
            let v: Vec<f32> = t.iter().map(|x| x + 0.5 * next()).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            out.push(LeadVector::quantize(
                &v.iter().map(|x| x / norm).collect::<Vec<_>>(),
            ));
            langs.push(["en", "de", "fr"][i % 3]);
        }
        (out, langs)
    }

    fn graph_only() -> AnnParams {
        AnnParams {
            exact_group: 0,
            ..AnnParams::default()
        }
    }

    #[test]
    fn same_result_with_one_or_two_threads() {
        let (vs, langs) = vectors(600);
        let refs: Vec<Option<&LeadVector>> = vs.iter().map(Some).collect();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| nearest_approx(&refs, &langs, 6, &graph_only()).0)
        };
        let (one, two) = (run(1), run(2));
        for (a, b) in one.iter().zip(&two) {
            assert_eq!(a.same_language, b.same_language);
            assert_eq!(a.other_languages, b.other_languages);
        }
    }

    #[test]
    fn finds_most_exact_neighbours_and_keeps_languages_apart() {
        let (vs, langs) = vectors(900);
        let mut refs: Vec<Option<&LeadVector>> = vs.iter().map(Some).collect();
        refs[7] = None;
        let exact = nearest_exact(&refs, &langs, 6);
        let (approx, _) = nearest_approx(&refs, &langs, 6, &graph_only());
        let (mut found, mut total) = (0, 0);
        for (i, (e, a)) in exact.iter().zip(&approx).enumerate() {
            for &(j, _) in &a.same_language {
                assert_eq!(langs[j as usize], langs[i]);
                assert_ne!(j as usize, i);
            }
            for &(j, _) in &a.other_languages {
                assert_ne!(langs[j as usize], langs[i]);
            }
            for list in [
                (&e.same_language, &a.same_language),
                (&e.other_languages, &a.other_languages),
            ] {
                total += list.0.len();
                found += list
                    .0
                    .iter()
                    .filter(|x| list.1.iter().any(|y| y.0 == x.0))
                    .count();
            }
        }
        assert!(approx[7].same_language.is_empty() && approx[7].other_languages.is_empty());
        let recall = found as f64 / total as f64;
        assert!(recall > 0.9, "recall {recall}");
        // Small groups are scanned exactly: the same result as the exact search.
        let (small, _) = nearest_approx(&refs, &langs, 6, &AnnParams::default());
        for (e, s) in exact.iter().zip(&small) {
            assert_eq!(e.same_language, s.same_language);
            assert_eq!(e.other_languages, s.other_languages);
        }
    }
}
