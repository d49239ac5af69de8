//! Eval: the project's own measurement harness over public data sets.
//!
//! Loaders, metrics and report tables are pure library code; each runner takes the
//! pipeline's work as a closure, so the `eval` commands only wire stages to runners:
//!
//! - [`metrics`]: Pearson/Spearman, pairwise and B-cubed clustering scores, token P/R/F1.
//! - [`semeval`]: SemEval-2022 Task 8 pairs, grouped folds, [`semeval::run_semeval`].
//! - [`wmt`]: WMT22 test sets as translation families, [`wmt::run_families`].
//! - [`extraction`]: the trafilatura evaluation set, [`extraction::run_extraction`].
//! - [`langid`]: lingua's sentence test data, [`langid::run_langid`].
//! - [`synth`]: a labelled synthetic corpus (copies, edits, truncations, translations,
//!   boilerplate) and [`synth::run_labelled`].
//! - [`near_dup`]: originals and near-duplicates with known edits at known rates, and
//!   within-language pairwise P/R/F1 per kind and rate ([`near_dup::evaluate`]).
//! - [`report`]: an aligned text table; every report is also `Serialize` for `--json`.

pub mod extraction;
pub mod families;
pub mod langid;
pub mod metrics;
pub mod near_dup;
#[cfg(test)]
mod real_data;
pub mod report;
pub mod rng;
pub mod semeval;
pub mod synth;
pub mod wmt;

pub use families::FamilyReport;
pub use metrics::{ClusterScores, Correlation, Prf, pearson, spearman, token_prf};
pub use report::Table;
