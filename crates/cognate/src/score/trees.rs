//! Gradient-boosted regression trees beside the ridge regression of the similarity
//! score: the signals act on the SemEval scale in ways no weighted sum follows (a high
//! encoder cosine means little when the anchors disagree, lexical overlap matters only
//! above a point), and on the task's training set the average of the two predicts
//! better out of fold than either (docs/score-model.md has the figures).
//!
//! The trees are small and complete (depth [`BoostParams::depth`], every internal node
//! in heap order), fitted by least squares on the residuals of the trees before them,
//! each on a deterministic subsample of the pairs. The same data and parameters give
//! the same trees on every machine and thread count.

use serde::{Deserialize, Serialize};

use crate::eval::rng::SplitMix64;

/// One complete tree of depth `d`: `2^d − 1` splits in heap order (the children of
/// node `i` are `2i + 1` and `2i + 2`) and `2^d` leaf values, left to right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    /// Per split: the index of its feature, or −1 for a node that does not split
    /// (every pair goes left).
    pub feature: Vec<i32>,
    /// Per split: a pair goes left when its feature is at most this value. Stored
    /// (and fitted) in single precision, which the signals have, to keep the file small.
    pub threshold: Vec<f32>,
    pub leaf: Vec<f32>,
}

impl Tree {
    fn depth(&self) -> usize {
        self.leaf.len().trailing_zeros() as usize
    }

    fn leaf_of(&self, x: &[f64]) -> usize {
        let mut node = 0usize;
        for _ in 0..self.depth() {
            let f = self.feature[node];
            let left = f < 0 || x[f as usize] <= self.threshold[node] as f64;
            node = 2 * node + if left { 1 } else { 2 };
        }
        node - self.feature.len()
    }

    pub fn predict(&self, x: &[f64]) -> f64 {
        self.leaf[self.leaf_of(x)] as f64
    }
}

/// A boosted ensemble: `base + learning_rate · Σ tree(x)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoostedTrees {
    /// The share of the score that comes from the trees; the rest is the linear model's.
    pub blend: f64,
    pub base: f64,
    pub learning_rate: f64,
    pub trees: Vec<Tree>,
}

impl BoostedTrees {
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.base + self.learning_rate * self.trees.iter().map(|t| t.predict(x)).sum::<f64>()
    }

    /// Whether every tree is complete and names only features below `features`.
    pub fn check(&self, features: usize) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.blend) {
            return Err(format!("blend {} is not in [0, 1]", self.blend));
        }
        for (k, t) in self.trees.iter().enumerate() {
            let leaves = t.leaf.len();
            if !leaves.is_power_of_two()
                || leaves < 2
                || t.feature.len() != leaves - 1
                || t.threshold.len() != leaves - 1
            {
                return Err(format!("tree {k} is not complete"));
            }
            if let Some(f) = t.feature.iter().find(|&&f| f >= features as i32) {
                return Err(format!("tree {k} splits on feature {f} of {features}"));
            }
        }
        Ok(())
    }
}

/// How the trees are grown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoostParams {
    pub trees: usize,
    pub depth: usize,
    pub learning_rate: f64,
    /// The share of the pairs each tree is fitted on, drawn without replacement.
    pub subsample: f64,
    /// Fewest pairs a leaf may hold.
    pub min_leaf: usize,
    pub seed: u64,
}

impl Default for BoostParams {
    /// Chosen by grouped cross-validation on the SemEval training set (depth 2–3,
    /// 200–600 trees, rates 0.02–0.05 were all within 0.005 of each other).
    fn default() -> Self {
        BoostParams {
            trees: 200,
            depth: 3,
            learning_rate: 0.03,
            subsample: 0.8,
            min_leaf: 10,
            seed: 2022,
        }
    }
}

/// Fits the ensemble by least squares; `blend` is stored as given.
///
/// # Panics
/// When rows and targets differ in number, rows differ in width, or there are none.
pub fn fit(rows: &[Vec<f64>], targets: &[f64], p: &BoostParams, blend: f64) -> BoostedTrees {
    assert_eq!(rows.len(), targets.len());
    assert!(!rows.is_empty(), "no rows to fit");
    let n = rows.len();
    let d = rows[0].len();
    assert!(rows.iter().all(|r| r.len() == d), "row width");
    let base = targets.iter().sum::<f64>() / n as f64;
    let mut fitted = vec![base; n];
    let mut rng = SplitMix64::new(p.seed);
    let take = ((n as f64 * p.subsample).round() as usize).clamp(1, n);
    let mut order: Vec<usize> = (0..n).collect();
    let mut trees = Vec::with_capacity(p.trees);
    for _ in 0..p.trees {
        // Partial Fisher–Yates: the first `take` of `order` are the subsample.
        for i in 0..take {
            let j = i + rng.below(n - i);
            order.swap(i, j);
        }
        let mut sample: Vec<usize> = order[..take].to_vec();
        sample.sort_unstable();
        let residual: Vec<f64> = targets.iter().zip(&fitted).map(|(y, f)| y - f).collect();
        let tree = grow(rows, &residual, sample, p.depth, p.min_leaf);
        for (f, r) in fitted.iter_mut().zip(rows) {
            *f += p.learning_rate * tree.predict(r);
        }
        trees.push(tree);
    }
    BoostedTrees {
        blend,
        base,
        learning_rate: p.learning_rate,
        trees,
    }
}

fn mean(residual: &[f64], members: &[usize]) -> Option<f64> {
    (!members.is_empty())
        .then(|| members.iter().map(|&i| residual[i]).sum::<f64>() / members.len() as f64)
}

fn grow(
    rows: &[Vec<f64>],
    residual: &[f64],
    sample: Vec<usize>,
    depth: usize,
    min_leaf: usize,
) -> Tree {
    let splits = (1usize << depth) - 1;
    let mut feature = vec![-1i32; splits];
    let mut threshold = vec![0.0f32; splits];
    let mut leaf = vec![0.0f32; splits + 1];
    // (members, the mean of the nearest ancestor with members) per node of a level.
    let mut level: Vec<(Vec<usize>, f64)> = vec![(sample, 0.0)];
    let mut first = 0usize;
    for _ in 0..depth {
        let mut next = Vec::with_capacity(level.len() * 2);
        for (k, (members, inherited)) in level.into_iter().enumerate() {
            let node = first + k;
            let here = mean(residual, &members).unwrap_or(inherited);
            match best_split(rows, residual, &members, min_leaf) {
                Some((f, t)) => {
                    let t = t as f32;
                    feature[node] = f as i32;
                    threshold[node] = t;
                    let (l, r): (Vec<usize>, Vec<usize>) =
                        members.into_iter().partition(|&i| rows[i][f] <= t as f64);
                    next.push((l, here));
                    next.push((r, here));
                }
                None => {
                    next.push((members, here));
                    next.push((Vec::new(), here));
                }
            }
        }
        first = 2 * first + 1;
        level = next;
    }
    for (k, (members, inherited)) in level.into_iter().enumerate() {
        leaf[k] = mean(residual, &members).unwrap_or(inherited) as f32;
    }
    Tree {
        feature,
        threshold,
        leaf,
    }
}

/// The split with the largest drop in squared error, as (feature, threshold), when
/// one leaves at least `min_leaf` members on each side.
// `f` is a column of every row, which the lint reads as an index into `rows`.
#[allow(clippy::needless_range_loop)]
fn best_split(
    rows: &[Vec<f64>],
    residual: &[f64],
    members: &[usize],
    min_leaf: usize,
) -> Option<(usize, f64)> {
    let n = members.len();
    if n < 2 * min_leaf.max(1) {
        return None;
    }
    let total: f64 = members.iter().map(|&i| residual[i]).sum();
    let parent = total * total / n as f64;
    let mut best: Option<(f64, usize, f64)> = None;
    let mut sorted = members.to_vec();
    let width = rows[members[0]].len();
    for f in 0..width {
        sorted.sort_by(|&a, &b| rows[a][f].total_cmp(&rows[b][f]).then(a.cmp(&b)));
        let mut left = 0.0;
        for cut in 1..n {
            left += residual[sorted[cut - 1]];
            let (lo, hi) = (rows[sorted[cut - 1]][f], rows[sorted[cut]][f]);
            if cut < min_leaf.max(1) || n - cut < min_leaf.max(1) || lo == hi {
                continue;
            }
            let right = total - left;
            let gain = left * left / cut as f64 + right * right / (n - cut) as f64 - parent;
            if gain > 1e-12 && best.is_none_or(|b| gain > b.0) {
                best = Some((gain, f, lo + (hi - lo) / 2.0));
            }
        }
    }
    best.map(|(_, f, t)| (f, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step_data() -> (Vec<Vec<f64>>, Vec<f64>) {
        // y depends on x0 through a step and on x1 only when x0 is high: no weighted
        // sum of x0 and x1 fits it.
        let rows: Vec<Vec<f64>> = (0..200)
            .map(|i| vec![(i % 20) as f64 / 20.0, ((i * 7) % 13) as f64 / 13.0])
            .collect();
        let y = rows
            .iter()
            .map(|r| if r[0] > 0.5 { 1.0 + 2.0 * r[1] } else { 3.5 })
            .collect();
        (rows, y)
    }

    #[test]
    fn trees_learn_a_step_with_an_interaction() {
        let (rows, y) = step_data();
        let m = fit(&rows, &y, &BoostParams::default(), 0.5);
        let mse = rows
            .iter()
            .zip(&y)
            .map(|(r, t)| (m.predict(r) - t).powi(2))
            .sum::<f64>()
            / y.len() as f64;
        let var = {
            let mu = y.iter().sum::<f64>() / y.len() as f64;
            y.iter().map(|t| (t - mu).powi(2)).sum::<f64>() / y.len() as f64
        };
        assert!(mse < 0.05 * var, "mse {mse} against variance {var}");
        assert!(m.check(2).is_ok());
        assert!(
            m.trees
                .iter()
                .all(|t| t.feature.len() == 7 && t.leaf.len() == 8)
        );
    }

    #[test]
    fn fitting_is_deterministic_and_the_seed_matters() {
        let (rows, y) = step_data();
        let p = BoostParams::default();
        assert_eq!(fit(&rows, &y, &p, 0.5), fit(&rows, &y, &p, 0.5));
        let other = BoostParams { seed: 7, ..p };
        assert_ne!(fit(&rows, &y, &p, 0.5), fit(&rows, &y, &other, 0.5));
    }

    #[test]
    fn small_nodes_do_not_split_and_leaves_inherit() {
        let rows = vec![vec![0.0], vec![1.0], vec![2.0]];
        let y = vec![1.0, 2.0, 3.0];
        let p = BoostParams {
            trees: 1,
            min_leaf: 2,
            subsample: 1.0,
            ..BoostParams::default()
        };
        let m = fit(&rows, &y, &p, 1.0);
        let t = &m.trees[0];
        assert!(t.feature.iter().all(|&f| f == -1));
        // Every pair reaches the leftmost leaf, whose value is the mean residual (0).
        assert!(t.leaf.iter().all(|&v| v.abs() < 1e-12));
        assert!((m.predict(&[5.0]) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn incomplete_or_foreign_trees_are_refused() {
        let (rows, y) = step_data();
        let mut m = fit(&rows, &y, &BoostParams::default(), 0.5);
        assert!(
            m.check(1).is_err(),
            "feature 1 does not exist in a 1-feature model"
        );
        m.trees[0].leaf.pop();
        assert!(m.check(2).is_err());
        m.blend = 1.5;
        assert!(m.check(2).is_err());
    }
}
