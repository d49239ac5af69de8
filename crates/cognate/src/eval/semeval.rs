//! SemEval-2022 Task 8 (multilingual news article similarity): loader, grouped folds
//! and a correlation runner.
//!
//! Gold scores are crowd means on a 1–4 scale where **1 = very similar** and
//! **4 = very dissimilar**. [`run_semeval`] correlates predictions with `Overall` as
//! given, like the official scorer, so a scorer should predict on that scale (or use
//! [`similarity_to_semeval`] to map a similarity in [0, 1] onto it); a scorer that
//! returns a plain similarity gets negative correlations.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::metrics::Correlation;
use super::report::{Table, fmt_opt};
use super::rng::SplitMix64;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::score::Signals;
use crate::score::model::{self, LinearModel, NamedModel, SimilarityModel};
use crate::score::trees::{self, BoostParams, BoostedTrees};

/// One labelled article pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SemevalPair {
    /// As in the file, e.g. `1484039360it_1484180228it`.
    pub pair_id: String,
    pub lang1: String,
    pub lang2: String,
    pub text1: String,
    pub text2: String,
    /// The target: 1 = very similar … 4 = very dissimilar.
    pub overall: f64,
    pub geography: Option<f64>,
    pub entities: Option<f64>,
    pub time: Option<f64>,
    pub narrative: Option<f64>,
    pub style: Option<f64>,
    pub tone: Option<f64>,
    /// True when either article id carries a language suffix (`1498601317zh`): one side
    /// is a machine translation added by the data set's publishers, labels copied from
    /// the original pair.
    pub augmented: bool,
}

impl SemevalPair {
    /// The pair id with the language suffixes stripped from both article ids
    /// (`1484039360it_1484180228it` → `1484039360_1484180228`): all augmentations of
    /// one original pair share it.
    pub fn base_pair(&self) -> String {
        base_pair(&self.pair_id)
    }

    /// The two texts as pipeline documents (`<pair_id>/1`, `<pair_id>/2`) with their
    /// declared languages.
    pub fn documents(&self) -> (Document, Document) {
        let doc = |n: u8, text: &str, lang: &str| {
            let mut d = Document::text(format!("{}/{n}", self.pair_id), text);
            d.lang = Some(lang.to_string());
            d
        };
        (
            doc(1, &self.text1, &self.lang1),
            doc(2, &self.text2, &self.lang2),
        )
    }

    /// `lang1-lang2`, e.g. `de-en`.
    pub fn lang_pair(&self) -> String {
        format!("{}-{}", self.lang1, self.lang2)
    }
}

/// Splits an article id into its numeric part and its language suffix (may be empty).
fn split_suffix(id: &str) -> (&str, &str) {
    let cut = id.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    id.split_at(cut)
}

/// The two article ids of a pair id (`a_b`); the whole id and "" when there is no `_`.
fn article_ids(pair_id: &str) -> (&str, &str) {
    pair_id.split_once('_').unwrap_or((pair_id, ""))
}

/// See [`SemevalPair::base_pair`].
pub fn base_pair(pair_id: &str) -> String {
    let (a, b) = article_ids(pair_id);
    format!("{}_{}", split_suffix(a).0, split_suffix(b).0)
}

/// Whether either article id of a pair id carries a language suffix.
pub fn is_augmented(pair_id: &str) -> bool {
    let (a, b) = article_ids(pair_id);
    !split_suffix(a).1.is_empty() || !split_suffix(b).1.is_empty()
}

/// Maps a similarity in [0, 1] (1 = same story) onto the SemEval scale (1 = very
/// similar, 4 = very dissimilar): `4 − 3·s`.
pub fn similarity_to_semeval(similarity: f64) -> f64 {
    4.0 - 3.0 * similarity.clamp(0.0, 1.0)
}

/// Reads the task's CSV (RFC 4180, fields with newlines). Columns are found by header
/// name, so a leading index column (named or not) is ignored; `pair_id`, `lang1`,
/// `lang2`, `text1`, `text2` and `Overall` are required, the other dimensions optional.
pub fn read_semeval<R: Read>(reader: R, input: &str) -> Result<Vec<SemevalPair>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let header = rdr
        .headers()
        .map_err(|e| Error::format(input, e.to_string()))?
        .clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let need = |name: &str| {
        col(name).ok_or_else(|| Error::format(input, format!("no column {name:?} in the header")))
    };
    let (c_id, c_l1, c_l2, c_t1, c_t2, c_overall) = (
        need("pair_id")?,
        need("lang1")?,
        need("lang2")?,
        need("text1")?,
        need("text2")?,
        need("Overall")?,
    );
    let opt_cols = [
        "Geography",
        "Entities",
        "Time",
        "Narrative",
        "Style",
        "Tone",
    ]
    .map(col);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::format(input, e.to_string()))?;
        let row = i + 2;
        let get = |c: usize| rec.get(c).unwrap_or("");
        let num = |c: usize| -> Result<Option<f64>> {
            let s = get(c).trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<f64>().map(Some).map_err(|_| {
                Error::format(
                    input,
                    format!("row {row}: column {:?} is not a number: {s:?}", &header[c]),
                )
            })
        };
        let pair_id = get(c_id).trim().to_string();
        let overall = num(c_overall)?
            .ok_or_else(|| Error::format(input, format!("row {row} ({pair_id}): empty Overall")))?;
        let opt = |k: usize| -> Result<Option<f64>> {
            match opt_cols[k] {
                Some(c) => num(c),
                None => Ok(None),
            }
        };
        out.push(SemevalPair {
            augmented: is_augmented(&pair_id),
            lang1: get(c_l1).trim().to_string(),
            lang2: get(c_l2).trim().to_string(),
            text1: get(c_t1).to_string(),
            text2: get(c_t2).to_string(),
            overall,
            geography: opt(0)?,
            entities: opt(1)?,
            time: opt(2)?,
            narrative: opt(3)?,
            style: opt(4)?,
            tone: opt(5)?,
            pair_id,
        });
    }
    Ok(out)
}

/// Reads the task's CSV from a file (see [`read_semeval`]).
pub fn load_semeval(path: impl AsRef<Path>) -> Result<Vec<SemevalPair>> {
    let path = path.as_ref();
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_semeval(std::io::BufReader::new(f), &path.display().to_string())
}

/// A deterministic grouped k-fold split: the fold (`0..k`) of each pair.
///
/// Pairs are grouped so that no information crosses folds: all pairs sharing a base
/// pair (an original and its machine-translated augmentations) are in one fold, and
/// more strictly all pairs connected through a shared article (by its numeric id)
/// are in one fold, since the same article text then appears on both sides of a
/// split otherwise. Groups are shuffled with `seed` and dealt, largest first, to the
/// fold with the fewest pairs so far, so fold sizes stay balanced.
///
/// # Panics
/// When `k == 0`.
pub fn folds(pairs: &[SemevalPair], k: usize, seed: u64) -> Vec<usize> {
    assert!(k > 0, "folds: k must be positive");
    // Union-find over article ids.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut node = |id: &str, parent: &mut Vec<usize>| -> usize {
        let next = parent.len();
        let ix = *index.entry(id.to_string()).or_insert(next);
        if ix == next {
            parent.push(next);
        }
        ix
    };
    let mut pair_node = Vec::with_capacity(pairs.len());
    for p in pairs {
        let (a, b) = article_ids(&p.pair_id);
        let a = node(split_suffix(a).0, &mut parent);
        let b = node(split_suffix(b).0, &mut parent);
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
        pair_node.push(a);
    }
    // Groups keyed by their smallest article id string, for an order independent of
    // the input order of the pairs.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut root_key: HashMap<usize, String> = HashMap::new();
    for (i, p) in pairs.iter().enumerate() {
        let root = find(&mut parent, pair_node[i]);
        let key = base_pair(&p.pair_id);
        let e = root_key.entry(root).or_insert_with(|| key.clone());
        if key < *e {
            *e = key;
        }
    }
    for (i, &n) in pair_node.iter().enumerate() {
        let root = find(&mut parent, n);
        groups.entry(root_key[&root].clone()).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    SplitMix64::new(seed).shuffle(&mut groups);
    // Largest first (stable, so equal sizes keep the shuffled order).
    groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
    let mut sizes = vec![0usize; k];
    let mut fold = vec![0usize; pairs.len()];
    for g in groups {
        let f = (0..k).min_by_key(|&f| (sizes[f], f)).unwrap();
        sizes[f] += g.len();
        for i in g {
            fold[i] = f;
        }
    }
    fold
}

/// Correlations of one subset of pairs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorrelationRow {
    /// `all`, `original`, `augmented`, or a language pair such as `de-en`.
    pub subset: String,
    #[serde(flatten)]
    pub correlation: Correlation,
}

/// What [`run_semeval`] measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SemevalReport {
    /// All pairs.
    pub overall: CorrelationRow,
    /// The human-labelled pairs only (both ids numeric); the official evaluation set is
    /// of this kind.
    pub original: CorrelationRow,
    /// The machine-translated augmentations only.
    pub augmented: CorrelationRow,
    /// Per language pair (`de-en`, …), sorted by name.
    pub by_lang_pair: Vec<CorrelationRow>,
    /// The prediction for each pair, in input order (not serialized).
    #[serde(skip)]
    pub predictions: Vec<f64>,
    /// Seconds the scoring took (wall clock).
    pub seconds: f64,
}

impl SemevalReport {
    /// Correlates given predictions (one per pair, in order) with the gold `Overall`.
    ///
    /// # Panics
    /// When the lengths differ.
    pub fn from_predictions(pairs: &[SemevalPair], predictions: Vec<f64>, seconds: f64) -> Self {
        assert_eq!(pairs.len(), predictions.len(), "one prediction per pair");
        let subset = |name: &str, keep: &dyn Fn(&SemevalPair) -> bool| {
            let (p, g): (Vec<f64>, Vec<f64>) = pairs
                .iter()
                .zip(&predictions)
                .filter(|(sp, _)| keep(sp))
                .map(|(sp, &pr)| (pr, sp.overall))
                .unzip();
            CorrelationRow {
                subset: name.to_string(),
                correlation: Correlation::of(&p, &g),
            }
        };
        let langs: std::collections::BTreeSet<String> =
            pairs.iter().map(SemevalPair::lang_pair).collect();
        let by_lang_pair = langs
            .iter()
            .map(|l| subset(l, &|p: &SemevalPair| p.lang_pair() == *l))
            .collect();
        SemevalReport {
            overall: subset("all", &|_| true),
            original: subset("original", &|p| !p.augmented),
            augmented: subset("augmented", &|p| p.augmented),
            by_lang_pair,
            predictions,
            seconds,
        }
    }

    /// The report as an aligned table: language pairs, then original/augmented/all.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["subset", "pairs", "pearson", "spearman"]);
        for r in self
            .by_lang_pair
            .iter()
            .chain([&self.original, &self.augmented, &self.overall])
        {
            t.row([
                r.subset.clone(),
                r.correlation.n.to_string(),
                fmt_opt(r.correlation.pearson),
                fmt_opt(r.correlation.spearman),
            ]);
        }
        t
    }
}

/// Scores every pair (in parallel) and correlates the scores with the gold `Overall`.
/// `score` should predict on the SemEval scale (1 = very similar … 4 = very dissimilar).
pub fn run_semeval(
    pairs: &[SemevalPair],
    score: impl Fn(&SemevalPair) -> f64 + Sync,
) -> SemevalReport {
    let start = std::time::Instant::now();
    let predictions: Vec<f64> = pairs.par_iter().map(&score).collect();
    SemevalReport::from_predictions(pairs, predictions, start.elapsed().as_secs_f64())
}

/// Cross-validation: for each fold of [`folds`], calls `fit_predict(train, test)`, which
/// fits on the training pairs and returns one prediction per test pair; then reports
/// the pooled out-of-fold predictions.
///
/// # Panics
/// When `fit_predict` returns the wrong number of predictions.
pub fn cross_validate(
    pairs: &[SemevalPair],
    k: usize,
    seed: u64,
    mut fit_predict: impl FnMut(&[&SemevalPair], &[&SemevalPair]) -> Vec<f64>,
) -> SemevalReport {
    let start = std::time::Instant::now();
    let fold = folds(pairs, k, seed);
    let mut predictions = vec![f64::NAN; pairs.len()];
    for f in 0..k {
        let train: Vec<&SemevalPair> = pairs
            .iter()
            .zip(&fold)
            .filter(|(_, x)| **x != f)
            .map(|(p, _)| p)
            .collect();
        let test_ix: Vec<usize> = (0..pairs.len()).filter(|&i| fold[i] == f).collect();
        let test: Vec<&SemevalPair> = test_ix.iter().map(|&i| &pairs[i]).collect();
        let pred = fit_predict(&train, &test);
        assert_eq!(pred.len(), test.len(), "one prediction per test pair");
        for (i, p) in test_ix.into_iter().zip(pred) {
            predictions[i] = p;
        }
    }
    SemevalReport::from_predictions(pairs, predictions, start.elapsed().as_secs_f64())
}

/// The distinct texts of the pairs as documents (an article appears in several pairs),
/// and for each pair the indices of its two sides among them.
pub fn distinct_documents(pairs: &[SemevalPair]) -> (Vec<Document>, Vec<(usize, usize)>) {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut docs = Vec::new();
    let mut sides = Vec::with_capacity(pairs.len());
    for p in pairs {
        let (a, b) = p.documents();
        let mut ix = |d: Document| {
            let key = (
                d.lang.clone().unwrap_or_default(),
                d.content.as_str().to_string(),
            );
            let next = docs.len();
            *seen.entry(key).or_insert_with(|| {
                docs.push(d);
                next
            })
        };
        let i = ix(a);
        let j = ix(b);
        sides.push((i, j));
    }
    (docs, sides)
}

/// A fitted model's inputs: scalar signals, and embedding products it weighs
/// dimension by dimension when every pair has them ([`model::ProductWeights`]).
pub struct ModelSpec {
    pub name: &'static str,
    pub features: Vec<&'static str>,
    pub products: Vec<&'static str>,
}

/// Which signals each fitted model uses, richest first: everything a close comparison
/// with the encoder has; anchors with the lead embedding (what batch clustering has);
/// anchors alone (`--no-model`).
pub fn model_specs() -> Vec<ModelSpec> {
    let anchors: Vec<&str> = model::FEATURES[..10].to_vec();
    let mut lead = anchors.clone();
    lead.push("lead_cosine");
    vec![
        ModelSpec {
            name: "full",
            features: model::FEATURES.to_vec(),
            products: vec!["lead_product", "text_product"],
        },
        ModelSpec {
            name: "lead",
            features: lead,
            products: vec!["lead_product"],
        },
        ModelSpec {
            name: "anchors",
            features: anchors,
            products: Vec::new(),
        },
    ]
}

/// Ridge penalties tried for each model (on standardised features); the one with the
/// best out-of-fold Pearson on the original pairs is kept.
pub const RIDGE_GRID: [f64; 4] = [0.1, 1.0, 10.0, 100.0];

/// The penalty on the weights of embedding products (on standardised components):
/// strong, so that the learned weighting corrects the cosine without fitting the
/// training pairs' noise. Chosen out of fold on the training set in scikit-learn
/// on three fold draws (625 and 10,000 gave 0.001–0.004 less, and more than no products).
pub const PRODUCT_RIDGE: f64 = 2500.0;

/// The share of the boosted trees in a blended score: an even average, not tuned (on
/// the training set, shares of 0.3–0.7 were within 0.003 of each other out of fold).
pub const TREE_BLEND: f64 = 0.5;

/// The cross-validated figures of one model.
#[derive(Clone, Debug, Serialize)]
pub struct ModelFit {
    pub name: String,
    pub ridge: f64,
    /// Out of fold, as shipped: the blend when the trees are kept, else the linear model.
    pub report: SemevalReport,
    /// Out of fold, the linear model alone.
    pub linear_report: SemevalReport,
    /// Weights fitted on all pairs.
    pub model: LinearModel,
    /// Trees fitted on all pairs, kept when blending them in raised the out-of-fold
    /// Pearson on the original pairs.
    pub trees: Option<BoostedTrees>,
    /// The same-event cut calibrated on the out-of-fold scores of the original pairs
    /// ([`model::calibrate_event_cut`]).
    pub event_cut: f64,
}

/// Fits every model of [`model_specs`] whose features all pairs have, with `k`-fold
/// grouped cross-validation (trained on all training pairs, augmented ones included;
/// Pearson judged on the original ones), and refits each on all pairs.
pub fn fit_models(
    pairs: &[SemevalPair],
    signals: &[Signals],
    k: usize,
    seed: u64,
) -> Vec<ModelFit> {
    assert_eq!(pairs.len(), signals.len(), "one signal set per pair");
    let index: HashMap<*const SemevalPair, usize> = pairs
        .iter()
        .enumerate()
        .map(|(i, p)| (p as *const SemevalPair, i))
        .collect();
    let mut fits = Vec::new();
    for spec in model_specs() {
        let (name, features) = (spec.name, &spec.features);
        let rows: Option<Vec<Vec<f64>>> = signals
            .iter()
            .map(|s| features.iter().map(|f| model::feature(s, f)).collect())
            .collect();
        let Some(rows) = rows else { continue };
        // Products only when every pair has them all, of one width each.
        let product_rows: Vec<Vec<&[f32]>> = signals
            .iter()
            .map(|s| {
                spec.products
                    .iter()
                    .filter_map(|p| model::product(s, p))
                    .collect()
            })
            .collect();
        let products: &[&str] = match product_rows.first() {
            Some(first)
                if first.len() == spec.products.len()
                    && product_rows.iter().all(|r| {
                        r.len() == first.len()
                            && r.iter().zip(first).all(|(x, y)| x.len() == y.len())
                    }) =>
            {
                &spec.products
            }
            _ => &[],
        };
        let fit_linear = |ix: &[usize], ridge: f64| {
            let x: Vec<Vec<f64>> = ix.iter().map(|&i| rows[i].clone()).collect();
            let p: Vec<Vec<&[f32]>> = if products.is_empty() {
                Vec::new()
            } else {
                ix.iter().map(|&i| product_rows[i].clone()).collect()
            };
            let y: Vec<f64> = ix.iter().map(|&i| pairs[i].overall).collect();
            LinearModel::fit_with_products(features, &x, products, &p, &y, ridge, PRODUCT_RIDGE)
        };
        let ix_of = |ps: &[&SemevalPair]| -> Vec<usize> {
            ps.iter()
                .map(|p| index[&(*p as *const SemevalPair)])
                .collect()
        };
        let mut best: Option<(f64, f64, SemevalReport)> = None;
        for ridge in RIDGE_GRID {
            let report = cross_validate(pairs, k, seed, |train, test| {
                let m = fit_linear(&ix_of(train), ridge);
                ix_of(test)
                    .into_iter()
                    .map(|i| {
                        m.predict(&signals[i])
                            .expect("features present for every pair")
                    })
                    .collect()
            });
            let r = report.original.correlation.pearson.unwrap_or(f64::MIN);
            if best.as_ref().is_none_or(|b| r > b.0) {
                best = Some((r, ridge, report));
            }
        }
        let (linear_pearson, ridge, linear_report) = best.expect("the grid is not empty");
        let params = BoostParams::default();
        // The trees see the scalar signals alone: the products are too many and too weak
        // one by one for trees of this size.
        let fit_trees = |ix: &[usize]| {
            let x: Vec<Vec<f64>> = ix.iter().map(|&i| rows[i].clone()).collect();
            let y: Vec<f64> = ix.iter().map(|&i| pairs[i].overall).collect();
            trees::fit(&x, &y, &params, TREE_BLEND)
        };
        let blended = cross_validate(pairs, k, seed, |train, test| {
            let train = ix_of(train);
            let m = NamedModel {
                name: name.to_string(),
                model: fit_linear(&train, ridge),
                trees: Some(fit_trees(&train)),
                same_event_score: model::DEFAULT_EVENT_CUT,
            };
            ix_of(test)
                .into_iter()
                .map(|i| {
                    m.predict(&signals[i])
                        .expect("features present for every pair")
                })
                .collect()
        });
        let keep_trees = blended.original.correlation.pearson.unwrap_or(f64::MIN) > linear_pearson;
        let shipped = if keep_trees { &blended } else { &linear_report };
        let scored: Vec<(f64, f64)> = pairs
            .iter()
            .zip(&shipped.predictions)
            .filter(|(p, _)| !p.augmented)
            .map(|(p, &pred)| (pred, p.overall))
            .collect();
        let event_cut = model::calibrate_event_cut(&scored);
        let all: Vec<usize> = (0..pairs.len()).collect();
        fits.push(ModelFit {
            event_cut,
            name: name.to_string(),
            ridge,
            model: fit_linear(&all, ridge),
            trees: keep_trees.then(|| fit_trees(&all)),
            report: if keep_trees {
                blended
            } else {
                linear_report.clone()
            },
            linear_report,
        });
    }
    fits
}

/// The weights file of fitted models (see [`SimilarityModel`]).
pub fn similarity_model(fits: &[ModelFit], fitted_on: String) -> SimilarityModel {
    let cv = fits
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                serde_json::json!({
                    "ridge": f.ridge,
                    "same_event_score": f.event_cut,
                    "trees": f.trees.as_ref().map(|t| serde_json::json!({
                        "blend": t.blend,
                        "trees": t.trees.len(),
                        "learning_rate": t.learning_rate,
                    })),
                    "original": f.report.original.correlation,
                    "augmented": f.report.augmented.correlation,
                    "all": f.report.overall.correlation,
                    "linear_alone": {"original": f.linear_report.original.correlation},
                }),
            )
        })
        .collect::<serde_json::Map<_, _>>();
    SimilarityModel {
        format: model::FORMAT.to_string(),
        target: "SemEval-2022 Task 8 Overall: 1 = same story ... 4 = unrelated".to_string(),
        fitted_on,
        cross_validation: serde_json::Value::Object(cv),
        models: fits
            .iter()
            .map(|f| NamedModel {
                name: f.name.clone(),
                model: f.model.clone(),
                trees: f.trees.clone(),
                same_event_score: f.event_cut,
            })
            .collect(),
    }
}

/// The clustering check on labelled pairs: of the pairs with `Overall` ≤ 1.5, the share
/// put in one event; of those with `Overall` ≥ 3.0, the share kept apart.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClusteringCheck {
    pub similar_pairs: usize,
    pub similar_together: f64,
    pub dissimilar_pairs: usize,
    pub dissimilar_apart: f64,
}

impl ClusteringCheck {
    /// `same_event(p)`: whether the clustering put the pair's two articles in one event.
    /// `same_event(i, p)`: whether pair `i`, `p`, was put in one event.
    pub fn of(pairs: &[SemevalPair], same_event: impl Fn(usize, &SemevalPair) -> bool) -> Self {
        let (mut sim, mut sim_t, mut dis, mut dis_a) = (0usize, 0usize, 0usize, 0usize);
        for (i, p) in pairs.iter().enumerate() {
            if p.overall <= 1.5 {
                sim += 1;
                sim_t += same_event(i, p) as usize;
            } else if p.overall >= 3.0 {
                dis += 1;
                dis_a += !same_event(i, p) as usize;
            }
        }
        let share = |a: usize, n: usize| if n == 0 { 0.0 } else { a as f64 / n as f64 };
        ClusteringCheck {
            similar_pairs: sim,
            similar_together: share(sim_t, sim),
            dissimilar_pairs: dis,
            dissimilar_apart: share(dis_a, dis),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FIXTURE: &str = "Unnamed: 0,pair_id,lang1,lang2,text1,text2,Geography,Entities,Time,Narrative,Overall,Style,Tone\n\
6254,1586893419_1587582551,de,de,\"Titel\n\nErster Absatz, mit Komma.\",\"Er sagte \"\"nein\"\".\",1.0,2.0,1.0,1.5,1.25,2.0,1.0\n\
7,1484039360it_1484180228it,it,it,uno,due,4,4,4,4,4.0,,\n\
8,1484039360_1484180228,en,en,one,two,4,4,4,4,3.5,1,1\n";

    fn pairs() -> Vec<SemevalPair> {
        read_semeval(FIXTURE.as_bytes(), "fixture").unwrap()
    }

    #[test]
    fn reads_quoted_fields_with_newlines_and_quotes() {
        let p = pairs();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].pair_id, "1586893419_1587582551");
        assert_eq!(p[0].text1, "Titel\n\nErster Absatz, mit Komma.");
        assert_eq!(p[0].text2, "Er sagte \"nein\".");
        assert_eq!(p[0].overall, 1.25);
        assert_eq!(p[0].narrative, Some(1.5));
        assert_eq!(p[0].lang_pair(), "de-de");
        assert!(!p[0].augmented);
        assert!(p[1].augmented);
        assert_eq!(p[1].style, None);
        assert_eq!(p[1].base_pair(), "1484039360_1484180228");
        assert_eq!(p[2].base_pair(), p[1].base_pair());
        let (a, b) = p[1].documents();
        assert_eq!(
            (a.id.as_str(), b.lang.as_deref()),
            ("1484039360it_1484180228it/1", Some("it"))
        );
    }

    #[test]
    fn empty_leading_header_and_missing_columns() {
        let csv = ",pair_id,lang1,lang2,text1,text2,Overall\n0,1_2,en,de,a,b,2\n";
        let p = read_semeval(csv.as_bytes(), "x").unwrap();
        assert_eq!(p[0].overall, 2.0);
        assert_eq!(p[0].tone, None);
        let bad = "pair_id,lang1,lang2,text1,text2\n1_2,en,de,a,b\n";
        assert!(read_semeval(bad.as_bytes(), "x").is_err());
        let bad = "pair_id,lang1,lang2,text1,text2,Overall\n1_2,en,de,a,b,high\n";
        let e = read_semeval(bad.as_bytes(), "x").unwrap_err().to_string();
        assert!(e.contains("row 2"), "{e}");
    }

    #[test]
    fn suffixes() {
        assert_eq!(
            base_pair("1556488279_1573093212fr"),
            "1556488279_1573093212"
        );
        assert!(is_augmented("1556488279_1573093212fr"));
        assert!(is_augmented("1484012813zh_1483937746"));
        assert!(!is_augmented("1483772389_1483772403"));
        assert_eq!(similarity_to_semeval(1.0), 1.0);
        assert_eq!(similarity_to_semeval(0.0), 4.0);
    }

    #[test]
    fn runner_correlates_per_subset() {
        let p = pairs();
        // Predict the gold exactly: Pearson 1 overall.
        let r = run_semeval(&p, |x| x.overall);
        assert!((r.overall.correlation.pearson.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(r.overall.correlation.n, 3);
        assert_eq!(r.original.correlation.n, 2);
        assert_eq!(r.augmented.correlation.n, 1);
        assert_eq!(r.augmented.correlation.pearson, None);
        let names: Vec<&str> = r.by_lang_pair.iter().map(|x| x.subset.as_str()).collect();
        assert_eq!(names, ["de-de", "en-en", "it-it"]);
        // A similarity scorer gets a negative correlation.
        let r = run_semeval(&p, |x| 5.0 - x.overall);
        assert!(r.overall.correlation.pearson.unwrap() < -0.99);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["overall"]["n"], 3);
        assert!(r.table().to_string().contains("de-de"));
    }

    #[test]
    fn cross_validation_predicts_every_pair_once() {
        let p = pairs();
        let r = cross_validate(&p, 2, 7, |train, test| {
            let mean = train.iter().map(|x| x.overall).sum::<f64>() / train.len().max(1) as f64;
            vec![mean; test.len()]
        });
        assert!(r.predictions.iter().all(|x| x.is_finite()));
    }

    fn synthetic(ids: &[(u32, u32, bool)]) -> Vec<SemevalPair> {
        ids.iter()
            .map(|&(a, b, aug)| SemevalPair {
                pair_id: if aug {
                    format!("{a}zh_{b}")
                } else {
                    format!("{a}_{b}")
                },
                lang1: "en".into(),
                lang2: "en".into(),
                text1: String::new(),
                text2: String::new(),
                overall: 1.0,
                geography: None,
                entities: None,
                time: None,
                narrative: None,
                style: None,
                tone: None,
                augmented: aug,
            })
            .collect()
    }

    #[test]
    fn folds_keep_shared_articles_together_and_are_deterministic() {
        // 1_2 and 1zh_2 share a base pair; 2_3 shares article 2; 10_11 is alone.
        let p = synthetic(&[(1, 2, false), (1, 2, true), (2, 3, false), (10, 11, false)]);
        let f = folds(&p, 2, 3);
        assert_eq!(f[0], f[1]);
        assert_eq!(f[0], f[2]);
        assert_ne!(f[0], f[3]);
        assert_eq!(f, folds(&p, 2, 3));
    }

    #[test]
    fn fitting_learns_a_signal_out_of_fold_and_uses_only_present_features() {
        // 60 pairs over distinct articles; the anchor cosine tells the label, with noise.
        let ids: Vec<(u32, u32, bool)> = (0..60).map(|i| (2 * i, 2 * i + 1, false)).collect();
        let mut pairs = synthetic(&ids);
        let mut rng = SplitMix64::new(5);
        let signals: Vec<Signals> = pairs
            .iter_mut()
            .enumerate()
            .map(|(i, p)| {
                let x = (i % 10) as f32 / 10.0;
                p.overall = 4.0 - 3.0 * x as f64 + (rng.next_f64() - 0.5) * 0.3;
                Signals {
                    anchor_cosine: x,
                    anchor_dice: ((i * 7) % 10) as f32 / 10.0,
                    ..Signals::default()
                }
            })
            .collect();
        let fits = fit_models(&pairs, &signals, 5, 1);
        // No encoder signals: only the anchors model can be fitted.
        let names: Vec<&str> = fits.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["anchors"]);
        let r = fits[0].report.original.correlation.pearson.unwrap();
        assert!(r > 0.95, "out-of-fold pearson {r}");
        let m = similarity_model(&fits, "test".into());
        let json = serde_json::to_string(&m).unwrap();
        let back = SimilarityModel::from_json(&json, "roundtrip").unwrap();
        assert!(back.score(&signals[9]).unwrap().0 < back.score(&signals[0]).unwrap().0);
        // The clustering check counts pairs on both sides of the scale.
        let check = ClusteringCheck::of(&pairs, |_, p| p.overall < 2.0);
        assert_eq!(check.similar_together, 1.0);
        assert_eq!(check.dissimilar_apart, 1.0);
        assert!(check.similar_pairs > 0 && check.dissimilar_pairs > 0);
    }

    #[test]
    fn products_let_a_model_weigh_the_dimensions_that_matter() {
        // The lead cosine is noise; one of the product's eight dimensions tells the
        // label. Only the weighted product can find it.
        let ids: Vec<(u32, u32, bool)> = (0..200).map(|i| (2 * i, 2 * i + 1, false)).collect();
        let mut pairs = synthetic(&ids);
        let mut rng = SplitMix64::new(9);
        let signals: Vec<Signals> = pairs
            .iter_mut()
            .map(|p| {
                let product: Vec<f32> = (0..8).map(|_| rng.next_f64() as f32 * 0.2).collect();
                p.overall = 4.0 - 15.0 * product[3] as f64;
                Signals {
                    encoder_cosine: Some(rng.next_f64() as f32),
                    lead_product: Some(product.into()),
                    ..Signals::default()
                }
            })
            .collect();
        let fits = fit_models(&pairs, &signals, 5, 1);
        let names: Vec<&str> = fits.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["lead", "anchors"]);
        let lead = &fits[0];
        assert_eq!(lead.model.products.len(), 1);
        assert_eq!(lead.model.products[0].weights.len(), 8);
        let r = lead.linear_report.original.correlation.pearson.unwrap();
        assert!(r > 0.7, "out-of-fold pearson with products {r}");
        let without: Vec<Signals> = signals
            .iter()
            .map(|s| Signals {
                lead_product: None,
                ..s.clone()
            })
            .collect();
        let plain = fit_models(&pairs, &without, 5, 1);
        assert!(plain[0].model.products.is_empty());
        let r0 = plain[0].linear_report.original.correlation.pearson.unwrap();
        assert!(r0 < 0.3, "out-of-fold pearson without products {r0}");
        // The weights file keeps them, and a pair without the product falls back to
        // the next model.
        let m = similarity_model(&fits, "test".into());
        let back = SimilarityModel::from_json(&m.to_json(), "roundtrip").unwrap();
        assert_eq!(back.models[0].model.products, lead.model.products);
        let (_, name) = back.score(&signals[0]).unwrap();
        assert_eq!(name, "lead");
        let without = Signals {
            lead_product: None,
            ..signals[0].clone()
        };
        assert_eq!(back.score(&without).unwrap().1, "anchors");
    }

    proptest! {
        #[test]
        fn every_base_pair_in_exactly_one_fold(
            ids in proptest::collection::vec((0u32..40, 0u32..40, any::<bool>()), 1..120),
            k in 1usize..7,
            seed in any::<u64>(),
        ) {
            let p = synthetic(&ids);
            let f = folds(&p, k, seed);
            prop_assert_eq!(f.len(), p.len());
            let mut seen: HashMap<String, usize> = HashMap::new();
            let mut article: HashMap<u32, usize> = HashMap::new();
            for (i, pair) in p.iter().enumerate() {
                prop_assert!(f[i] < k);
                let e = *seen.entry(pair.base_pair()).or_insert(f[i]);
                prop_assert_eq!(e, f[i]);
                for a in [ids[i].0, ids[i].1] {
                    let e = *article.entry(a).or_insert(f[i]);
                    prop_assert_eq!(e, f[i]);
                }
            }
            prop_assert_eq!(f.clone(), folds(&p, k, seed));
        }
    }
}
