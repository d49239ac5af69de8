//! Sentence alignment of two articles from their sentence embeddings, as in bitext
//! mining: each sentence's best partner on the other side, judged by a margin over
//! its nearest neighbours (a sentence that resembles everything proves nothing), kept
//! when the choice is mutual; and whether the matches keep their order.

use serde::Serialize;

/// Neighbours on the other side whose mean cosine a match is measured against.
const MARGIN_NEIGHBOURS: usize = 4;
/// A mutual best match counts as a matched sentence above this cosine and margin.
pub const MATCH_COSINE: f32 = 0.86;
pub const MATCH_MARGIN: f32 = 1.0;

/// One aligned sentence pair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SentenceMatch {
    pub a: u32,
    pub b: u32,
    pub cosine: f32,
    pub margin: f32,
}

/// What the alignment of two articles' sentences shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SentenceAlignment {
    pub sentences_a: u32,
    pub sentences_b: u32,
    /// Mutual best matches above [`MATCH_COSINE`] and [`MATCH_MARGIN`], in the order of `a`.
    pub matches: Vec<SentenceMatch>,
    /// Matches per sentence of the shorter side (0..1): near 1 for a translation.
    pub matched_share: f32,
    /// Mean, over the sentences of both sides, of each one's best cosine on the other
    /// side: a soft overlap of meaning that needs no threshold.
    pub soft_cosine: f32,
    /// Share of the matches that keep their order (longest increasing run of `b`
    /// indices over the matches); 0 without matches.
    pub order: f32,
}

/// Aligns `na` sentences with `nb`, given their pairwise cosines.
pub fn align(na: usize, nb: usize, cosine: impl Fn(usize, usize) -> f32) -> SentenceAlignment {
    let mut out = SentenceAlignment {
        sentences_a: na as u32,
        sentences_b: nb as u32,
        ..SentenceAlignment::default()
    };
    if na == 0 || nb == 0 {
        return out;
    }
    let sim: Vec<f32> = (0..na * nb).map(|x| cosine(x / nb, x % nb)).collect();
    let at = |i: usize, j: usize| sim[i * nb + j];
    let top_mean = |values: &mut Vec<f32>| -> f32 {
        let k = MARGIN_NEIGHBOURS.min(values.len());
        values.sort_unstable_by(|x, y| y.total_cmp(x));
        values[..k].iter().sum::<f32>() / k as f32
    };
    let row_mean: Vec<f32> = (0..na)
        .map(|i| top_mean(&mut (0..nb).map(|j| at(i, j)).collect()))
        .collect();
    let col_mean: Vec<f32> = (0..nb)
        .map(|j| top_mean(&mut (0..na).map(|i| at(i, j)).collect()))
        .collect();
    let margin = |i: usize, j: usize| {
        let m = (row_mean[i] + col_mean[j]) / 2.0;
        if m > 0.0 { at(i, j) / m } else { 0.0 }
    };
    let best_b: Vec<usize> = (0..na)
        .map(|i| {
            (0..nb)
                .max_by(|&x, &y| margin(i, x).total_cmp(&margin(i, y)).then(y.cmp(&x)))
                .expect("nb > 0")
        })
        .collect();
    let best_a: Vec<usize> = (0..nb)
        .map(|j| {
            (0..na)
                .max_by(|&x, &y| margin(x, j).total_cmp(&margin(y, j)).then(y.cmp(&x)))
                .expect("na > 0")
        })
        .collect();
    for (i, &j) in best_b.iter().enumerate() {
        let (c, m) = (at(i, j), margin(i, j));
        if best_a[j] == i && c >= MATCH_COSINE && m >= MATCH_MARGIN {
            out.matches.push(SentenceMatch {
                a: i as u32,
                b: j as u32,
                cosine: c,
                margin: m,
            });
        }
    }
    out.matched_share = out.matches.len() as f32 / na.min(nb) as f32;
    let best_of_a: f32 = (0..na)
        .map(|i| (0..nb).map(|j| at(i, j)).fold(f32::MIN, f32::max))
        .sum();
    let best_of_b: f32 = (0..nb)
        .map(|j| (0..na).map(|i| at(i, j)).fold(f32::MIN, f32::max))
        .sum();
    out.soft_cosine = (best_of_a + best_of_b) / (na + nb) as f32;
    if !out.matches.is_empty() {
        let b: Vec<u32> = out.matches.iter().map(|m| m.b).collect();
        out.order = longest_increasing(&b) as f32 / b.len() as f32;
    }
    out
}

/// Length of the longest strictly increasing subsequence (patience sorting).
fn longest_increasing(xs: &[u32]) -> usize {
    let mut tails: Vec<u32> = Vec::new();
    for &x in xs {
        match tails.binary_search(&x) {
            Ok(_) => {}
            Err(p) if p == tails.len() => tails.push(x),
            Err(p) => tails[p] = x,
        }
    }
    tails.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permuted_translation_aligns_fully_and_order_shows_the_permutation() {
        // Sentence i of a is sentence p[i] of b; everything else is far.
        let p = [2usize, 0, 1, 3];
        let c = |i: usize, j: usize| if p[i] == j { 0.95 } else { 0.80 };
        let a = align(4, 4, c);
        assert_eq!(a.matches.len(), 4);
        assert_eq!(a.matched_share, 1.0);
        assert!((a.soft_cosine - 0.95).abs() < 1e-6);
        // b indices 2,0,1,3: the longest increasing run is 0,1,3.
        assert_eq!(a.order, 0.75);
    }

    #[test]
    fn a_sentence_close_to_everything_loses_to_a_specific_partner() {
        // Sentence 0 of a is 0.9 to all of b; sentence 1 matches b1 clearly.
        let c = |i: usize, j: usize| match (i, j) {
            (0, _) => 0.9,
            (1, 1) => 0.93,
            _ => 0.7,
        };
        let a = align(2, 3, c);
        let pairs: Vec<(u32, u32)> = a.matches.iter().map(|m| (m.a, m.b)).collect();
        assert!(pairs.contains(&(1, 1)));
        // Sentence 0 is as close to b1 as to anything: b1 goes to its specific partner.
        assert!(!pairs.contains(&(0, 1)), "{pairs:?}");
    }

    #[test]
    fn empty_sides() {
        let a = align(0, 3, |_, _| 1.0);
        assert_eq!(a.matched_share, 0.0);
        assert_eq!(a.sentences_b, 3);
        assert_eq!(longest_increasing(&[3, 1, 2, 5, 4]), 3);
    }
}
