//! Metrics: correlations, clustering agreement, token overlap.
//!
//! Everything here is pure and deterministic; every result type is `Serialize` so the
//! `eval` commands can print it as JSON.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

// ---------------------------------------------------------------------------
// Correlation
// ---------------------------------------------------------------------------

/// Pearson's product-moment correlation of two equally long series.
///
/// `None` when the series differ in length, have fewer than two points, contain a
/// non-finite value, or when either series is constant (the correlation is undefined).
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n != y.len() || n < 2 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    let nf = n as f64;
    let mx = x.iter().sum::<f64>() / nf;
    let my = y.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Ranks of the values, 1-based, ties given the average of the ranks they span
/// (`[10, 20, 20, 30]` → `[1, 2.5, 2.5, 4]`). NaN values sort last.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && values[order[j]] == values[order[i]] {
            j += 1;
        }
        // Positions i..j (0-based) hold ranks i+1..=j; their mean is (i+1+j)/2.
        let rank = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = rank;
        }
        i = j;
    }
    ranks
}

/// Spearman's rank correlation: Pearson's correlation of the average ranks, so ties
/// are handled exactly. `None` in the same cases as [`pearson`].
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Pearson and Spearman of one set of predictions against gold, with its size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Correlation {
    pub n: usize,
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
}

impl Correlation {
    pub fn of(predicted: &[f64], gold: &[f64]) -> Self {
        Correlation {
            n: predicted.len(),
            pearson: pearson(predicted, gold),
            spearman: spearman(predicted, gold),
        }
    }
}

// ---------------------------------------------------------------------------
// Precision / recall / F1
// ---------------------------------------------------------------------------

/// Precision, recall and their harmonic mean.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    /// From precision and recall; F1 is 0 when both are 0.
    pub fn new(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }

    /// From counts: `tp / predicted` and `tp / gold`. An empty denominator gives 1.0
    /// (nothing was claimed, so nothing was claimed wrongly; nothing was to be found).
    pub fn from_counts(tp: u64, predicted: u64, gold: u64) -> Self {
        let ratio = |num: u64, den: u64| {
            if den == 0 {
                1.0
            } else {
                num as f64 / den as f64
            }
        };
        Prf::new(ratio(tp, predicted), ratio(tp, gold))
    }

    /// Component-wise mean of several scores (macro average); all zero when empty.
    pub fn mean(items: &[Prf]) -> Prf {
        if items.is_empty() {
            return Prf::default();
        }
        let n = items.len() as f64;
        Prf {
            precision: items.iter().map(|p| p.precision).sum::<f64>() / n,
            recall: items.iter().map(|p| p.recall).sum::<f64>() / n,
            f1: items.iter().map(|p| p.f1).sum::<f64>() / n,
        }
    }
}

// ---------------------------------------------------------------------------
// Clustering agreement
// ---------------------------------------------------------------------------

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// The contingency table of a predicted labelling against a gold one: how many items
/// carry each (gold, predicted) label combination. Every clustering metric here is a
/// function of it, so nothing is O(n²).
#[derive(Clone, Debug)]
pub struct Contingency {
    /// Size of each non-empty (gold, predicted) cell.
    pub cells: Vec<(usize, usize, u64)>,
    /// Size of each gold class, indexed by the gold class number of `cells`.
    pub gold_sizes: Vec<u64>,
    /// Size of each predicted cluster, indexed likewise.
    pub pred_sizes: Vec<u64>,
    pub n: u64,
}

impl Contingency {
    /// Builds the table from parallel label slices.
    ///
    /// # Panics
    /// When the slices differ in length.
    pub fn new<G: Hash + Eq, P: Hash + Eq>(gold: &[G], predicted: &[P]) -> Self {
        assert_eq!(
            gold.len(),
            predicted.len(),
            "gold and predicted labellings must label the same items"
        );
        Self::from_pairs(gold.iter().zip(predicted))
    }

    /// Builds the table from (gold, predicted) label pairs, one per item.
    pub fn from_pairs<G: Hash + Eq, P: Hash + Eq>(items: impl IntoIterator<Item = (G, P)>) -> Self {
        let mut gold_ix: HashMap<G, usize> = HashMap::new();
        let mut pred_ix: HashMap<P, usize> = HashMap::new();
        let mut cell_ix: HashMap<(usize, usize), usize> = HashMap::new();
        let mut cells: Vec<(usize, usize, u64)> = Vec::new();
        let mut gold_sizes = Vec::new();
        let mut pred_sizes = Vec::new();
        let mut n = 0;
        for (g, p) in items {
            let next = gold_ix.len();
            let gi = *gold_ix.entry(g).or_insert(next);
            if gi == gold_sizes.len() {
                gold_sizes.push(0);
            }
            let next = pred_ix.len();
            let pi = *pred_ix.entry(p).or_insert(next);
            if pi == pred_sizes.len() {
                pred_sizes.push(0);
            }
            gold_sizes[gi] += 1;
            pred_sizes[pi] += 1;
            let next = cells.len();
            let ci = *cell_ix.entry((gi, pi)).or_insert(next);
            if ci == cells.len() {
                cells.push((gi, pi, 0));
            }
            cells[ci].2 += 1;
            n += 1;
        }
        Contingency {
            cells,
            gold_sizes,
            pred_sizes,
            n,
        }
    }

    /// Pairs of items that share a predicted cluster and a gold class.
    pub fn true_pairs(&self) -> u64 {
        self.cells.iter().map(|c| pairs(c.2)).sum()
    }
    /// Pairs of items that share a predicted cluster.
    pub fn predicted_pairs(&self) -> u64 {
        self.pred_sizes.iter().map(|&s| pairs(s)).sum()
    }
    /// Pairs of items that share a gold class.
    pub fn gold_pairs(&self) -> u64 {
        self.gold_sizes.iter().map(|&s| pairs(s)).sum()
    }

    /// Pairwise precision, recall and F1 over all pairs of items: a pair is positive
    /// when both items share a cluster. Empty denominators count as 1.0 (see
    /// [`Prf::from_counts`]), so a perfect labelling always scores 1.
    pub fn pairwise(&self) -> Prf {
        Prf::from_counts(self.true_pairs(), self.predicted_pairs(), self.gold_pairs())
    }

    /// B-cubed precision, recall and F1 (Bagga & Baldwin; Amigó et al. 2009): for each
    /// item, precision is the share of its predicted cluster that is in its gold class,
    /// recall the share of its gold class that is in its predicted cluster; both are
    /// averaged over items and F1 is their harmonic mean. All 1.0 when there are no items.
    pub fn bcubed(&self) -> Prf {
        if self.n == 0 {
            return Prf::new(1.0, 1.0);
        }
        // Each of the n_ij items of a cell has precision n_ij / |pred_j| and recall
        // n_ij / |gold_i|; summing over the cell gives n_ij² / size.
        let (mut p, mut r) = (0.0, 0.0);
        for &(g, q, c) in &self.cells {
            let c2 = (c * c) as f64;
            p += c2 / self.pred_sizes[q] as f64;
            r += c2 / self.gold_sizes[g] as f64;
        }
        let n = self.n as f64;
        Prf::new(p / n, r / n)
    }
}

/// Agreement of a predicted clustering with gold classes, with the sizes behind it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterScores {
    pub items: u64,
    pub gold_classes: usize,
    pub predicted_clusters: usize,
    pub gold_pairs: u64,
    pub predicted_pairs: u64,
    pub true_pairs: u64,
    pub pairwise: Prf,
    pub bcubed: Prf,
}

impl ClusterScores {
    pub fn from_contingency(c: &Contingency) -> Self {
        ClusterScores {
            items: c.n,
            gold_classes: c.gold_sizes.len(),
            predicted_clusters: c.pred_sizes.len(),
            gold_pairs: c.gold_pairs(),
            predicted_pairs: c.predicted_pairs(),
            true_pairs: c.true_pairs(),
            pairwise: c.pairwise(),
            bcubed: c.bcubed(),
        }
    }

    /// Scores a predicted labelling against gold (parallel slices).
    pub fn of<G: Hash + Eq, P: Hash + Eq>(gold: &[G], predicted: &[P]) -> Self {
        Self::from_contingency(&Contingency::new(gold, predicted))
    }
}

// ---------------------------------------------------------------------------
// Token overlap
// ---------------------------------------------------------------------------

/// Lowercased Unicode words of a text (UAX #29 word boundaries, punctuation dropped).
pub fn tokens(text: &str) -> Vec<String> {
    text.unicode_words().map(|w| w.to_lowercase()).collect()
}

/// Bag-of-token overlap counts of an extracted text against a gold text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TokenCounts {
    /// Tokens in common, each counted as often as it occurs in both (multiset intersection).
    pub common: u64,
    pub extracted: u64,
    pub gold: u64,
}

impl TokenCounts {
    pub fn of(extracted: &str, gold: &str) -> Self {
        let mut bag: HashMap<String, i64> = HashMap::new();
        let mut n_gold = 0;
        for t in tokens(gold) {
            *bag.entry(t).or_insert(0) += 1;
            n_gold += 1;
        }
        let (mut common, mut n_ext) = (0, 0);
        for t in tokens(extracted) {
            n_ext += 1;
            if let Some(c) = bag.get_mut(&t)
                && *c > 0
            {
                *c -= 1;
                common += 1;
            }
        }
        TokenCounts {
            common,
            extracted: n_ext,
            gold: n_gold,
        }
    }

    /// Precision `common / extracted`, recall `common / gold`. When either side has no
    /// tokens all three are 1 if both are empty and 0 otherwise (the SQuAD convention).
    pub fn prf(&self) -> Prf {
        if self.extracted == 0 || self.gold == 0 {
            let v = if self.extracted == self.gold {
                1.0
            } else {
                0.0
            };
            return Prf {
                precision: v,
                recall: v,
                f1: v,
            };
        }
        Prf::new(
            self.common as f64 / self.extracted as f64,
            self.common as f64 / self.gold as f64,
        )
    }

    pub fn add(&mut self, other: TokenCounts) {
        self.common += other.common;
        self.extracted += other.extracted;
        self.gold += other.gold;
    }
}

/// Token-level precision/recall/F1 of an extracted text against a gold text
/// (bag of lowercased Unicode words).
pub fn token_prf(extracted: &str, gold: &str) -> Prf {
    TokenCounts::of(extracted, gold).prf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn pearson_of_known_series() {
        // x = 1..5, y = 2,4,5,4,5: mean x 3, mean y 4; sxy = (-2)(-2)+(-1)(0)+0+1*0+2*1 = 6,
        // sxx = 10, syy = 4+0+1+0+1 = 6 → r = 6 / sqrt(60) = 0.7745966692.
        let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 5.0, 4.0, 5.0]).unwrap();
        assert!(close(r, 6.0 / 60f64.sqrt()), "{r}");
        assert!(close(
            pearson(&[1.0, 2.0, 3.0], &[6.0, 4.0, 2.0]).unwrap(),
            -1.0
        ));
        assert!(close(
            pearson(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]).unwrap(),
            1.0
        ));
    }

    #[test]
    fn pearson_undefined_cases() {
        assert_eq!(pearson(&[1.0], &[1.0]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[3.0, 3.0]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[3.0]), None);
        assert_eq!(pearson(&[1.0, f64::NAN], &[3.0, 4.0]), None);
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 20.0, 30.0]),
            vec![1.0, 2.5, 2.5, 4.0]
        );
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 3.0]),
            vec![3.0, 1.0, 3.0, 3.0]
        );
        assert_eq!(average_ranks(&[]), Vec::<f64>::new());
    }

    #[test]
    fn spearman_with_ties() {
        // x ranks: [1, 2.5, 2.5, 4]; y = [1,2,3,4] ranks itself.
        // mean 2.5 both; dx = [-1.5,0,0,1.5], dy = [-1.5,-.5,.5,1.5]
        // sxy = 2.25+0+0+2.25 = 4.5; sxx = 4.5; syy = 5 → 4.5/sqrt(22.5) = 0.9486832981
        let r = spearman(&[10.0, 20.0, 20.0, 30.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(close(r, 4.5 / 22.5f64.sqrt()), "{r}");
        // Monotone but not linear: Spearman 1, Pearson below 1.
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 8.0, 27.0, 1000.0];
        assert!(close(spearman(&x, &y).unwrap(), 1.0));
        assert!(pearson(&x, &y).unwrap() < 0.99);
    }

    /// Five items: gold classes A = {1,2,3}, B = {4,5}; predicted clusters
    /// X = {1,2}, Y = {3,4,5}.
    ///
    /// Pairwise: gold pairs 3 + 1 = 4; predicted pairs 1 + 3 = 4; true pairs: (1,2) in
    /// A∩X, (4,5) in B∩Y = 2. P = 2/4, R = 2/4, F1 = 0.5.
    ///
    /// B-cubed per item (precision = |pred ∩ gold| / |pred|, recall = |pred ∩ gold| / |gold|):
    /// 1: P 2/2, R 2/3; 2: P 2/2, R 2/3; 3: P 1/3, R 1/3; 4: P 2/3, R 2/2; 5: P 2/3, R 2/2.
    /// P = (1 + 1 + 1/3 + 2/3 + 2/3) / 5 = (11/3)/5 = 11/15;
    /// R = (2/3 + 2/3 + 1/3 + 1 + 1) / 5 = (11/3)/5 = 11/15; F1 = 11/15.
    #[test]
    fn clustering_toy_example() {
        let gold = ["A", "A", "A", "B", "B"];
        let pred = ["X", "X", "Y", "Y", "Y"];
        let s = ClusterScores::of(&gold, &pred);
        assert_eq!((s.gold_pairs, s.predicted_pairs, s.true_pairs), (4, 4, 2));
        assert!(close(s.pairwise.precision, 0.5));
        assert!(close(s.pairwise.recall, 0.5));
        assert!(close(s.pairwise.f1, 0.5));
        assert!(close(s.bcubed.precision, 11.0 / 15.0));
        assert!(close(s.bcubed.recall, 11.0 / 15.0));
        assert!(close(s.bcubed.f1, 11.0 / 15.0));
        assert_eq!((s.gold_classes, s.predicted_clusters, s.items), (2, 2, 5));
    }

    /// Asymmetric case: gold {1,2,3,4} one class, predicted all singletons.
    /// Pairwise: predicted pairs 0 → P = 1 (vacuous), R = 0/6 = 0, F1 = 0.
    /// B-cubed: each item P = 1/1, R = 1/4 → P 1, R 0.25, F1 = 0.4.
    #[test]
    fn clustering_all_singletons() {
        let gold = [0, 0, 0, 0];
        let pred = [1, 2, 3, 4];
        let s = ClusterScores::of(&gold, &pred);
        assert!(close(s.pairwise.precision, 1.0));
        assert!(close(s.pairwise.recall, 0.0));
        assert!(close(s.pairwise.f1, 0.0));
        assert!(close(s.bcubed.precision, 1.0));
        assert!(close(s.bcubed.recall, 0.25));
        assert!(close(s.bcubed.f1, 0.4));
    }

    #[test]
    fn clustering_one_big_cluster() {
        // gold {a,a,b}, pred all one cluster: pairwise P = 1/3, R = 1/1.
        // B-cubed: a-items P 2/3 R 1, b-item P 1/3 R 1 → P = 5/9, R = 1.
        let s = ClusterScores::of(&["a", "a", "b"], &[7, 7, 7]);
        assert!(close(s.pairwise.precision, 1.0 / 3.0));
        assert!(close(s.pairwise.recall, 1.0));
        assert!(close(s.bcubed.precision, 5.0 / 9.0));
        assert!(close(s.bcubed.recall, 1.0));
    }

    #[test]
    fn perfect_clustering_scores_one_even_with_other_label_names() {
        let s = ClusterScores::of(&["a", "b", "a", "c"], &["x", "y", "x", "z"]);
        assert_eq!(s.pairwise, Prf::new(1.0, 1.0));
        assert_eq!(s.bcubed, Prf::new(1.0, 1.0));
        let empty: [&str; 0] = [];
        let s = ClusterScores::of(&empty, &empty);
        assert_eq!(s.bcubed.f1, 1.0);
    }

    #[test]
    fn pairwise_matches_brute_force() {
        let gold = [0, 0, 1, 1, 1, 2, 0, 2, 3];
        let pred = [5, 5, 5, 6, 6, 6, 7, 7, 7];
        let (mut tp, mut pp, mut gp) = (0, 0, 0);
        for i in 0..gold.len() {
            for j in i + 1..gold.len() {
                let same_g = gold[i] == gold[j];
                let same_p = pred[i] == pred[j];
                tp += (same_g && same_p) as u64;
                pp += same_p as u64;
                gp += same_g as u64;
            }
        }
        let c = Contingency::new(&gold, &pred);
        assert_eq!(
            (c.true_pairs(), c.predicted_pairs(), c.gold_pairs()),
            (tp, pp, gp)
        );
    }

    #[test]
    fn tokens_are_lowercased_unicode_words() {
        assert_eq!(
            tokens("Der Bär, der BÄR! l'été 3.5"),
            vec!["der", "bär", "der", "bär", "l'été", "3.5"]
        );
    }

    #[test]
    fn token_prf_bag_of_words() {
        // extracted: the cat the mat (4); gold: the cat sat on the mat (6).
        // common: the×2, cat, mat = 4 → P 4/4, R 4/6.
        let p = token_prf("The cat, the mat.", "the cat sat on the mat");
        assert!(close(p.precision, 1.0));
        assert!(close(p.recall, 4.0 / 6.0));
        assert!(close(p.f1, 0.8));
        // Repeated extracted tokens only count as often as gold has them.
        let c = TokenCounts::of("a a a b", "a b b");
        assert_eq!(
            c,
            TokenCounts {
                common: 2,
                extracted: 4,
                gold: 3
            }
        );
        assert_eq!(
            token_prf("", ""),
            Prf {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0
            }
        );
        assert_eq!(token_prf("", "x").f1, 0.0);
        assert_eq!(token_prf("x", "").f1, 0.0);
    }
}
