//! The fitted similarity score: a ridge regression from a pair's signals onto the
//! SemEval-2022 Task 8 `Overall` scale (1 = same story … 4 = unrelated), averaged with
//! boosted trees over the same signals ([`super::trees`]).
//!
//! The weights live in `similarity_model.json` next to this file (documented in
//! `docs/score-model.md`), fitted on the task's training set by
//! `cognate eval semeval … --fit FILE`. A file holds one model per set of signals that
//! a comparison can have: anchors alone (`--no-model`), anchors with the lead embedding
//! (batch clustering with the encoder), and everything (`compare`, with whole-text,
//! tail and sentence-alignment similarities). A comparison uses the richest model
//! whose features it has.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::Signals;
use super::trees::BoostedTrees;
use crate::error::{Error, Result};

/// The signals a model can use, by name (the names in the weights file).
pub const FEATURES: &[&str] = &[
    "same_language",
    "lexical",
    "anchor_dice",
    "anchor_containment",
    "anchor_cosine",
    "number_dice",
    "shared_numbers_log",
    "shared_names_log",
    "names_comparable",
    "length_ratio",
    "lead_cosine",
    "headline_lead_cosine",
    "text_cosine",
    "tail_cosine",
    "sentence_soft_cosine",
    "sentence_matched_share",
    "sentence_ordered_share",
];

/// The componentwise products of embeddings a model can weigh, by name.
pub const PRODUCTS: &[&str] = &["lead_product", "text_product"];

/// A named product of a pair's embeddings, or `None` when the pair lacks it.
pub fn product<'a>(s: &'a Signals, name: &str) -> Option<&'a [f32]> {
    match name {
        "lead_product" => s.lead_product.as_deref(),
        "text_product" => s.text_product.as_deref(),
        _ => None,
    }
}

/// The value of a named feature of a pair, or `None` when the pair lacks it.
pub fn feature(s: &Signals, name: &str) -> Option<f64> {
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    let v = match name {
        "same_language" => b(s.same_language),
        "lexical" => {
            if s.same_language {
                s.lexical_jaccard.max(s.lexical_containment) as f64
            } else {
                0.0
            }
        }
        "anchor_dice" => s.anchor_dice as f64,
        "anchor_containment" => s.anchor_containment as f64,
        "anchor_cosine" => s.anchor_cosine as f64,
        "number_dice" => s.number_dice as f64,
        "shared_numbers_log" => (s.shared_numbers as f64).ln_1p(),
        "shared_names_log" => (s.shared_names as f64).ln_1p(),
        "names_comparable" => b(s.names_comparable),
        "length_ratio" => s.length_ratio as f64,
        "lead_cosine" => s.encoder_cosine? as f64,
        "headline_lead_cosine" => s.headline_lead_cosine? as f64,
        "text_cosine" => s.text_cosine? as f64,
        // Short texts have no separate tail: their whole text stands for it.
        "tail_cosine" => s.tail_cosine.or(s.text_cosine)? as f64,
        "sentence_soft_cosine" => s.sentence_soft_cosine? as f64,
        "sentence_matched_share" => s.sentence_matched_share? as f64,
        "sentence_ordered_share" => (s.sentence_matched_share? * s.sentence_order?) as f64,
        _ => return None,
    };
    Some(v)
}

/// One linear model over standardised features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearModel {
    pub features: Vec<String>,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub weights: Vec<f64>,
    pub intercept: f64,
    /// The ridge penalty it was fitted with (on standardised features).
    pub ridge: f64,
    /// Weights of the dimensions of embedding products: a cosine learned on the
    /// training pairs, added to the weighted sum (absent: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<ProductWeights>,
}

/// A linear term over the componentwise product of two embeddings (one of
/// [`PRODUCTS`]): the cosine is the plain sum of those components; these weights let
/// the dimensions that tell stories apart count more. Fitted jointly with the model's
/// other weights under a much stronger penalty (`ridge`), so it corrects the plain
/// cosine rather than replacing it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductWeights {
    pub product: String,
    /// Per dimension, in single precision (the products themselves are): a third of
    /// the file's size otherwise.
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    pub weights: Vec<f32>,
    pub ridge: f64,
}

impl ProductWeights {
    /// The term for a pair's product, or `None` when its dimension differs.
    fn term(&self, p: &[f32]) -> Option<f64> {
        if p.len() != self.weights.len() {
            return None;
        }
        let mut y = 0.0;
        for (k, &v) in p.iter().enumerate() {
            y += self.weights[k] as f64 * (v as f64 - self.mean[k] as f64) / self.scale[k] as f64;
        }
        Some(y)
    }
}

impl LinearModel {
    /// The prediction on the 1–4 scale, or `None` when a feature is missing.
    pub fn predict(&self, s: &Signals) -> Option<f64> {
        Some((self.predict_row(&self.row(s)?) + self.product_terms(s)?).clamp(1.0, 4.0))
    }

    /// The sum of the product terms of a pair, or `None` when it lacks a product.
    pub fn product_terms(&self, s: &Signals) -> Option<f64> {
        self.products
            .iter()
            .map(|p| p.term(product(s, &p.product)?))
            .sum()
    }

    /// The model's features of a pair, in its order, or `None` when one is missing.
    pub fn row(&self, s: &Signals) -> Option<Vec<f64>> {
        self.features.iter().map(|name| feature(s, name)).collect()
    }

    /// The weighted sum for a row of feature values, not clamped to the scale.
    pub fn predict_row(&self, x: &[f64]) -> f64 {
        let mut y = self.intercept;
        for (k, v) in x.iter().enumerate() {
            y += self.weights[k] * (v - self.mean[k]) / self.scale[k];
        }
        y
    }

    /// Fits by ridge regression (closed form) on rows of feature values.
    ///
    /// # Panics
    /// When rows and targets differ in number, or a row has the wrong width.
    pub fn fit(features: &[&str], rows: &[Vec<f64>], targets: &[f64], ridge: f64) -> LinearModel {
        LinearModel::fit_with_products(features, rows, &[], &[], targets, ridge, 0.0)
    }

    /// Fits by ridge regression on rows of feature values and, for each pair, its
    /// embedding products (`product_rows[i][k]` is product `products[k]` of pair `i`),
    /// penalised by `ridge` and `product_ridge` (on standardised values).
    ///
    /// # Panics
    /// When rows, product rows and targets differ in number, or a row has the wrong width.
    pub fn fit_with_products(
        features: &[&str],
        rows: &[Vec<f64>],
        products: &[&str],
        product_rows: &[Vec<&[f32]>],
        targets: &[f64],
        ridge: f64,
        product_ridge: f64,
    ) -> LinearModel {
        assert_eq!(rows.len(), targets.len());
        let d0 = features.len();
        let widths: Vec<usize> = match product_rows.first() {
            Some(first) if !products.is_empty() => first.iter().map(|p| p.len()).collect(),
            _ => vec![0; products.len()],
        };
        if !products.is_empty() {
            assert_eq!(product_rows.len(), rows.len(), "one product row per row");
        }
        let d = d0 + widths.iter().sum::<usize>();
        let full_row = |i: usize| -> Vec<f64> {
            let mut r = rows[i].clone();
            assert_eq!(r.len(), d0, "row width");
            for (k, &w) in widths.iter().enumerate() {
                let p = product_rows[i][k];
                assert_eq!(p.len(), w, "product width");
                r.extend(p.iter().map(|&v| v as f64));
            }
            r
        };
        let mut penalties = vec![ridge; d0];
        penalties.resize(d, product_ridge);
        let (mean, scale, weights, intercept) = fit_penalised(
            (0..rows.len()).map(full_row),
            rows.len(),
            d,
            targets,
            &penalties,
        );
        let mut start = d0;
        let product_weights = products
            .iter()
            .zip(&widths)
            .map(|(name, &w)| {
                let r = start..start + w;
                start += w;
                let single = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
                ProductWeights {
                    product: name.to_string(),
                    mean: single(&mean[r.clone()]),
                    scale: single(&scale[r.clone()]),
                    weights: single(&weights[r]),
                    ridge: product_ridge,
                }
            })
            .collect();
        LinearModel {
            features: features.iter().map(|s| s.to_string()).collect(),
            mean: mean[..d0].to_vec(),
            scale: scale[..d0].to_vec(),
            weights: weights[..d0].to_vec(),
            intercept,
            ridge,
            products: product_weights,
        }
    }
}

/// Ridge regression on standardised columns with a penalty per column: the means,
/// scales, weights and intercept.
fn fit_penalised(
    rows: impl Iterator<Item = Vec<f64>> + Clone,
    n_rows: usize,
    d: usize,
    targets: &[f64],
    penalties: &[f64],
) -> (Vec<f64>, Vec<f64>, Vec<f64>, f64) {
    let n = n_rows.max(1) as f64;
    let mut mean = vec![0.0; d];
    for r in rows.clone() {
        for k in 0..d {
            mean[k] += r[k] / n;
        }
    }
    let mut scale = vec![0.0; d];
    for r in rows.clone() {
        for k in 0..d {
            scale[k] += (r[k] - mean[k]).powi(2) / n;
        }
    }
    // A constant feature gets scale 1 and weight 0 (its centred values are 0).
    let scale: Vec<f64> = scale
        .into_iter()
        .map(|v| if v > 1e-12 { v.sqrt() } else { 1.0 })
        .collect();
    let y_mean = targets.iter().sum::<f64>() / n;
    // Normal equations (XᵀX + Λ) w = Xᵀy on standardised X and centred y; XᵀX is
    // symmetric, so only its upper triangle is summed.
    let mut a = vec![vec![0.0; d]; d];
    let mut b = vec![0.0; d];
    let mut z = vec![0.0; d];
    for (r, &y) in rows.zip(targets) {
        for k in 0..d {
            z[k] = (r[k] - mean[k]) / scale[k];
        }
        for i in 0..d {
            b[i] += z[i] * (y - y_mean);
            let zi = z[i];
            for (x, &zj) in a[i][i..].iter_mut().zip(&z[i..]) {
                *x += zi * zj;
            }
        }
    }
    for i in 0..d {
        let (upper, lower) = a.split_at_mut(i);
        for (j, row) in upper.iter().enumerate() {
            lower[0][j] = row[i];
        }
        a[i][i] += penalties[i];
    }
    let weights = solve(a, b);
    (mean, scale, weights, y_mean)
}

/// Solves a symmetric positive definite system by Gaussian elimination with partial
/// pivoting (the systems here are a few dozen wide).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let d = b.len();
    for col in 0..d {
        let pivot = (col..d)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-12 {
            continue;
        }
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (k, row) in rest.iter_mut().enumerate() {
            let f = row[col] / p;
            if f != 0.0 {
                for (x, &y) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * y;
                }
                b[col + 1 + k] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0; d];
    for r in (0..d).rev() {
        let s: f64 = (r + 1..d).map(|c| a[r][c] * x[c]).sum();
        x[r] = if a[r][r].abs() < 1e-12 {
            0.0
        } else {
            (b[r] - s) / a[r][r]
        };
    }
    x
}

/// The weights file: models by name, richest first, with how they were fitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimilarityModel {
    pub format: String,
    pub target: String,
    /// Where the weights come from: data, pairs, the command.
    pub fitted_on: String,
    /// Out-of-fold figures of each model (JSON as `cognate eval semeval` reports them).
    pub cross_validation: serde_json::Value,
    /// Tried in order: the first whose features a pair has scores it.
    pub models: Vec<NamedModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedModel {
    pub name: String,
    #[serde(flatten)]
    pub model: LinearModel,
    /// Boosted trees over the same features, averaged with the linear model by their
    /// `blend` share (absent: the linear model alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trees: Option<BoostedTrees>,
    /// The score at or below which this model's pairs are one event: the highest cut
    /// (in steps of 0.01) at which, out of fold, at least [`APART_SHARE`] of the pairs
    /// rated ≥ 3.0 stay above it.
    #[serde(default = "default_event_cut")]
    pub same_event_score: f64,
}

/// The cut of a model that was fitted without one.
pub const DEFAULT_EVENT_CUT: f64 = 2.1;

/// The share of pairs rated ≥ 3.0 (different stories) that a model's same-event cut
/// must keep apart out of fold: errors here merge events, and merges propagate.
pub const APART_SHARE: f64 = 0.93;

fn default_event_cut() -> f64 {
    DEFAULT_EVENT_CUT
}

/// The highest cut in steps of 0.01 on [1.5, 3.0] at which at least [`APART_SHARE`]
/// of the `(prediction, gold)` pairs with gold ≥ 3.0 score above it.
pub fn calibrate_event_cut(scored: &[(f64, f64)]) -> f64 {
    let apart: Vec<f64> = scored
        .iter()
        .filter(|(_, gold)| *gold >= 3.0)
        .map(|(p, _)| *p)
        .collect();
    if apart.is_empty() {
        return DEFAULT_EVENT_CUT;
    }
    let mut best = 1.5;
    for step in 0..=150 {
        let cut = 1.5 + 0.01 * step as f64;
        let kept = apart.iter().filter(|&&p| p > cut).count() as f64 / apart.len() as f64;
        if kept >= APART_SHARE {
            best = cut;
        }
    }
    (best * 100.0).round() / 100.0
}

impl NamedModel {
    /// The score on the 1–4 scale, or `None` when a feature is missing.
    pub fn predict(&self, s: &Signals) -> Option<f64> {
        let x = self.model.row(s)?;
        let linear = self.model.predict_row(&x) + self.model.product_terms(s)?;
        let y = match &self.trees {
            Some(t) => (1.0 - t.blend) * linear + t.blend * t.predict(&x),
            None => linear,
        };
        Some(y.clamp(1.0, 4.0))
    }
}

pub const FORMAT: &str = "cognate-similarity-model/1";

impl SimilarityModel {
    /// The model shipped with cognate.
    pub fn shipped() -> &'static SimilarityModel {
        static MODEL: OnceLock<SimilarityModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            SimilarityModel::from_json(include_str!("similarity_model.json"), "shipped model")
                .expect("the shipped similarity model parses")
        })
    }

    pub fn from_json(json: &str, source: &str) -> Result<SimilarityModel> {
        let m: SimilarityModel =
            serde_json::from_str(json).map_err(|e| Error::format(source, e.to_string()))?;
        if m.format != FORMAT {
            return Err(Error::format(
                source,
                format!("format {:?}, expected {FORMAT:?}", m.format),
            ));
        }
        for nm in &m.models {
            let d = nm.model.features.len();
            if nm.model.mean.len() != d || nm.model.scale.len() != d || nm.model.weights.len() != d
            {
                return Err(Error::format(
                    source,
                    format!("model {:?}: vectors differ in length", nm.name),
                ));
            }
            for p in &nm.model.products {
                let w = p.weights.len();
                if !PRODUCTS.contains(&p.product.as_str()) {
                    return Err(Error::format(
                        source,
                        format!("model {:?}: unknown product {:?}", nm.name, p.product),
                    ));
                }
                if p.mean.len() != w || p.scale.len() != w {
                    return Err(Error::format(
                        source,
                        format!(
                            "model {:?}: {} vectors differ in length",
                            nm.name, p.product
                        ),
                    ));
                }
            }
            if let Some(Err(e)) = nm.trees.as_ref().map(|t| t.check(d)) {
                return Err(Error::format(source, format!("model {:?}: {e}", nm.name)));
            }
            if let Some(f) = nm
                .model
                .features
                .iter()
                .find(|f| !FEATURES.contains(&f.as_str()))
            {
                return Err(Error::format(
                    source,
                    format!("model {:?}: unknown feature {f:?}", nm.name),
                ));
            }
        }
        Ok(m)
    }

    /// The file's text: indented JSON with every array of numbers on one line (a
    /// tree per few lines instead of one number per line).
    pub fn to_json(&self) -> String {
        let pretty = serde_json::to_string_pretty(self).expect("a model serializes");
        let mut out = String::with_capacity(pretty.len());
        // The lines of an open array read so far, while they are all numbers.
        let mut open: Option<Vec<&str>> = None;
        for line in pretty.lines() {
            let t = line.trim();
            if let Some(lines) = open.as_mut() {
                if t.starts_with(']') {
                    let items: Vec<&str> = lines
                        .iter()
                        .map(|l| l.trim().trim_end_matches(','))
                        .collect();
                    out.push_str(&items.join(", "));
                    out.push_str(t);
                    out.push('\n');
                    open = None;
                    continue;
                }
                if t.trim_end_matches(',').parse::<f64>().is_ok() {
                    lines.push(line);
                    continue;
                }
                out.push('\n');
                for l in lines.drain(..) {
                    out.push_str(l);
                    out.push('\n');
                }
                open = None;
            }
            out.push_str(line);
            if t.ends_with('[') {
                open = Some(Vec::new());
            } else {
                out.push('\n');
            }
        }
        out
    }

    /// The score of a pair on the 1–4 scale and the model that gave it.
    pub fn score(&self, s: &Signals) -> Option<(f64, &str)> {
        self.score_with(s).map(|(y, m)| (y, m.name.as_str()))
    }

    /// The score of a pair and the model that gave it, with its cuts.
    pub fn score_with(&self, s: &Signals) -> Option<(f64, &NamedModel)> {
        self.models
            .iter()
            .find_map(|m| m.predict(s).map(|y| (y, m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ridge_recovers_a_linear_relation() {
        // y = 2 + 0.5 a - 1.5 b, no noise; a tiny penalty.
        let rows: Vec<Vec<f64>> = (0..50)
            .map(|i| vec![(i % 7) as f64, ((i * 3) % 11) as f64 / 10.0])
            .collect();
        let y: Vec<f64> = rows.iter().map(|r| 2.0 + 0.5 * r[0] - 1.5 * r[1]).collect();
        let m = LinearModel::fit(&["anchor_dice", "lexical"], &rows, &y, 1e-9);
        for (r, &t) in rows.iter().zip(&y) {
            let z: f64 = m.intercept
                + (0..2)
                    .map(|k| m.weights[k] * (r[k] - m.mean[k]) / m.scale[k])
                    .sum::<f64>();
            assert!((z - t).abs() < 1e-6, "{z} vs {t}");
        }
    }

    #[test]
    fn ridge_with_products_recovers_their_weights_and_needs_them() {
        // y = 1 + 2 p0 - 3 p2 + 0.5 a, no noise; tiny penalties.
        let products: Vec<Vec<f32>> = (0..60)
            .map(|i| vec![(i % 5) as f32, ((i * 7) % 13) as f32, ((i * 3) % 11) as f32])
            .collect();
        let rows: Vec<Vec<f64>> = (0..60).map(|i| vec![((i * 11) % 17) as f64]).collect();
        let y: Vec<f64> = (0..60)
            .map(|i| {
                1.0 + 2.0 * products[i][0] as f64 - 3.0 * products[i][2] as f64 + 0.5 * rows[i][0]
            })
            .collect();
        let product_rows: Vec<Vec<&[f32]>> = products.iter().map(|p| vec![p.as_slice()]).collect();
        let m = LinearModel::fit_with_products(
            &["anchor_dice"],
            &rows,
            &["lead_product"],
            &product_rows,
            &y,
            1e-9,
            1e-9,
        );
        assert_eq!(m.products.len(), 1);
        for i in 0..60 {
            let s = Signals {
                anchor_dice: rows[i][0] as f32,
                lead_product: Some(products[i].clone().into()),
                ..Signals::default()
            };
            let z = m.predict_row(&rows[i]) + m.product_terms(&s).unwrap();
            assert!((z - y[i]).abs() < 1e-4, "{z} vs {}", y[i]);
        }
        let missing = Signals::default();
        assert_eq!(m.predict(&missing), None);
        // A product of another dimension is not this model's either.
        let short = Signals {
            lead_product: Some(vec![1.0f32; 2].into()),
            ..Signals::default()
        };
        assert_eq!(m.predict(&short), None);
    }

    #[test]
    fn constant_features_get_no_weight_and_predictions_stay_on_the_scale() {
        let rows = vec![vec![1.0, 0.0], vec![1.0, 1.0], vec![1.0, 2.0]];
        let y = vec![1.0, 2.5, 4.0];
        let m = LinearModel::fit(&["same_language", "anchor_dice"], &rows, &y, 1e-9);
        assert_eq!(m.weights[0], 0.0);
        let s = Signals {
            same_language: true,
            anchor_dice: 10.0,
            ..Signals::default()
        };
        assert_eq!(m.predict(&s), Some(4.0));
    }

    #[test]
    fn the_shipped_model_parses_and_needs_only_known_features() {
        let m = SimilarityModel::shipped();
        assert!(!m.models.is_empty());
        // Anchors alone are always there: the last model needs nothing else.
        let s = Signals::default();
        assert!(m.score(&s).is_some());
        // A similar pair scores nearer 1 than an unrelated one.
        let close = Signals {
            same_language: true,
            lexical_jaccard: 0.95,
            lexical_containment: 1.0,
            anchor_dice: 0.9,
            anchor_containment: 0.95,
            anchor_cosine: 0.95,
            number_dice: 0.9,
            shared_numbers: 6,
            shared_names: 8,
            names_comparable: true,
            length_ratio: 0.95,
            ..Signals::default()
        };
        assert!(m.score(&close).unwrap().0 < m.score(&s).unwrap().0);
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let e = SimilarityModel::from_json("{}", "w.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("w.json"), "{e}");
        let bad = r#"{"format":"cognate-similarity-model/1","target":"","fitted_on":"","cross_validation":null,
            "models":[{"name":"x","features":["nope"],"mean":[0],"scale":[1],"weights":[1],"intercept":2,"ridge":1}]}"#;
        let e = SimilarityModel::from_json(bad, "w.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope"), "{e}");
        let bad = r#"{"format":"cognate-similarity-model/1","target":"","fitted_on":"","cross_validation":null,
            "models":[{"name":"x","features":[],"mean":[],"scale":[],"weights":[],"intercept":2,"ridge":1,
            "products":[{"product":"tail_product","mean":[0],"scale":[1],"weights":[1],"ridge":1}]}]}"#;
        let e = SimilarityModel::from_json(bad, "w.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("tail_product"), "{e}");
    }
}
