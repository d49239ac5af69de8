//! `cognate eval`: measure the pipeline on public data sets.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use cognate::document::{Content, Document, Record};
use cognate::eval::{extraction, langid, near_dup, semeval, synth, wmt};
use cognate::ingest::{Ingest, IngestOptions, Input};
use cognate::output::AtomicFile;
use cognate::pipeline::{Config, Entry, Pipeline, Profile};
use cognate::score::{AnchorWeights, Signals, judge};
use rayon::prelude::*;
use serde::Serialize;

use super::set_threads;

#[derive(Subcommand)]
pub enum EvalCommand {
    /// Families on WMT test sets: every src/ref/hyp of the chosen docs is a document;
    /// pairwise and B-cubed precision/recall/F1 against the doc ids.
    Wmt(WmtArgs),
    /// Pearson and Spearman of `score` against SemEval-2022 Task 8 `Overall`.
    Semeval(SemevalArgs),
    /// Main-content extraction on the trafilatura evaluation set (must / must-not snippets).
    Extraction(ExtractionArgs),
    /// Language identification on lingua's sentence test files.
    Langid(LangidArgs),
    /// Write a labelled synthetic corpus made from WMT documents (copies, edits,
    /// truncations, translations, boilerplate).
    Synth(SynthArgs),
    /// Families of a labelled corpus (`gold_family` per line) against cognate's.
    Labelled(LabelledArgs),
}

#[derive(Args)]
pub struct Shared {
    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[arg(long)]
    threads: Option<usize>,
    /// Thresholds that turn signals into relations, as JSON (any subset of the fields).
    #[arg(long, value_name = "FILE")]
    thresholds: Option<PathBuf>,
    /// Anchors alone, without the multilingual encoder.
    #[arg(long)]
    no_model: bool,
}

#[derive(Args)]
pub struct WmtArgs {
    /// WMT XML files or folders holding `*.xml`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Domains to keep (`news`, `social`, …, or `all`).
    #[arg(long, default_value = "news")]
    domain: String,
    /// At most this many system translations per doc.
    #[arg(long)]
    max_hyps: Option<usize>,
    #[command(flatten)]
    shared: Shared,
}

#[derive(Args)]
pub struct SemevalArgs {
    /// The SemEval CSV (e.g. training_set.csv).
    csv: PathBuf,
    /// Report the shipped model on the machine-translated (augmented) pairs too, not only
    /// on the original human-labelled ones (cross-validation always trains on both).
    #[arg(long)]
    with_augmented: bool,
    /// Write the weights refitted on all pairs to FILE (the format of
    /// crates/cognate/src/score/similarity_model.json).
    #[arg(long, value_name = "FILE")]
    fit: Option<PathBuf>,
    /// Folds of the grouped cross-validation.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    #[arg(long, default_value_t = 2022)]
    seed: u64,
    /// Write each pair's signals as JSON lines (`{"pair_id", "signals", "lead_product",
    /// "text_product"}`: the embedding products the model weighs) to FILE.
    #[arg(long, value_name = "FILE")]
    signals: Option<PathBuf>,
    /// Read the signals from such a file instead of computing them (refits in seconds;
    /// the clustering check still embeds the articles' leads).
    #[arg(long, value_name = "FILE", conflicts_with = "signals")]
    from_signals: Option<PathBuf>,
    #[command(flatten)]
    shared: Shared,
}

#[derive(Args)]
pub struct ExtractionArgs {
    /// The trafilatura `tests` folder (with `evaldata.json` and `eval/` or `cache/`).
    dir: PathBuf,
    /// Main-content extractor: cognate's own (`dense`) or the `trafilatura` crate alone.
    #[arg(long, value_enum, default_value_t = crate::ExtractorChoice::Dense)]
    extractor: crate::ExtractorChoice,
    #[command(flatten)]
    shared: Shared,
}

#[derive(Args)]
pub struct LangidArgs {
    /// A folder of `<language>.txt` files, one sentence per line (lingua's `language-testdata/sentences`).
    dir: PathBuf,
    /// At most this many sentences per language.
    #[arg(long)]
    max_per_language: Option<usize>,
    /// How many of the worst languages to list.
    #[arg(long, default_value_t = 10)]
    worst: usize,
    #[command(flatten)]
    shared: Shared,
}

#[derive(Args)]
pub struct SynthArgs {
    /// WMT XML files or folders (all domains are used).
    #[arg(long, required = true)]
    wmt: Vec<PathBuf>,
    /// Number of documents.
    #[arg(short, long)]
    n: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(short, long)]
    output: PathBuf,
    /// Write a within-language near-duplicate corpus instead: originals (one per WMT
    /// document and language) and variants with deletions, insertions, substitutions,
    /// boilerplate or truncation at known rates (`edit_rate`).
    #[arg(long)]
    near_dup: bool,
    /// Edit rates of the near-duplicate corpus (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [0.01, 0.05, 0.10, 0.20, 0.30])]
    rates: Vec<f64>,
    /// Join every K consecutive documents of a WMT file into one longer article (its
    /// translations joined alike), for corpora of longer documents: K = 4 gives about 3 KB.
    #[arg(long, value_name = "K", default_value_t = 1)]
    join: usize,
}

#[derive(Args)]
pub struct LabelledArgs {
    /// The labelled corpus (JSONL with `id`, `text`, `gold_family`).
    corpus: PathBuf,
    /// `cognate cluster` output for it; without it, the corpus is clustered now.
    #[arg(long)]
    predicted: Option<PathBuf>,
    /// Score as a near-duplicate corpus (`eval synth --near-dup`): within-language
    /// pairwise P/R/F1 per kind and rate, and across languages. `--predicted` may be any
    /// tool's `{"id", "family"}` lines.
    #[arg(long)]
    near_dup: bool,
    #[command(flatten)]
    shared: Shared,
}

pub fn run(command: EvalCommand) -> Result<ExitCode> {
    match command {
        EvalCommand::Wmt(a) => run_wmt(a),
        EvalCommand::Semeval(a) => run_semeval(a),
        EvalCommand::Extraction(a) => run_extraction(a),
        EvalCommand::Langid(a) => run_langid(a),
        EvalCommand::Synth(a) => run_synth(a),
        EvalCommand::Labelled(a) => run_labelled(a),
    }?;
    Ok(ExitCode::SUCCESS)
}

fn write_json(path: Option<&Path>, report: &impl Serialize) -> Result<()> {
    if let Some(path) = path {
        let mut file =
            AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?;
        serde_json::to_writer_pretty(&mut file, report)?;
        file.commit()?;
    }
    Ok(())
}

fn load_wmt(inputs: &[PathBuf], options: &wmt::WmtOptions) -> Result<Vec<wmt::WmtDoc>> {
    let mut docs = Vec::new();
    for input in inputs {
        if input.is_dir() {
            docs.extend(wmt::load_wmt_dir(input, options)?);
        } else {
            docs.extend(wmt::load_wmt_file(input, options)?);
        }
    }
    Ok(docs)
}

/// Clusters documents and returns each one's family id, in order.
fn cluster_families(pipeline: &Pipeline, docs: Vec<Document>) -> Vec<String> {
    let entries = pipeline.analyze_records(docs.into_iter().map(Record::Ok).collect());
    let clustering = pipeline.cluster(&entries);
    let mut k = 0;
    entries
        .iter()
        .map(|e| match e {
            Entry::Ok(_) => {
                let f = &clustering.families[clustering.doc_family[k] as usize];
                k += 1;
                f.id.clone()
            }
            Entry::Failed(f) => format!("failed:{}", f.id),
        })
        .collect()
}

fn run_wmt(a: WmtArgs) -> Result<()> {
    set_threads(a.shared.threads)?;
    let mut options = if a.domain == "all" {
        wmt::WmtOptions::all_domains()
    } else {
        wmt::WmtOptions {
            domains: Some(a.domain.split(',').map(str::to_string).collect()),
            ..Default::default()
        }
    };
    options.max_hyps_per_doc = a.max_hyps;
    let docs = load_wmt(&a.inputs, &options)?;
    let families = docs
        .iter()
        .map(|d| d.family.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    eprintln!(
        "wmt: {} documents in {} gold families",
        docs.len(),
        families
    );
    let pipeline = super::pipeline(a.shared.thresholds.as_deref(), a.shared.no_model)?;
    eprintln!("wmt: {}", super::mode(&pipeline));
    let started = std::time::Instant::now();
    let report = wmt::run_families(&docs, |docs| {
        cluster_families(
            &pipeline,
            docs.iter().map(wmt::WmtDoc::to_document).collect(),
        )
    });
    let seconds = started.elapsed().as_secs_f64();
    println!("{}", report.table());
    println!(
        "{} documents clustered in {:.1}s ({:.0} documents/s)",
        docs.len(),
        seconds,
        docs.len() as f64 / seconds
    );
    write_json(a.shared.json.as_deref(), &report)
}

fn run_semeval(a: SemevalArgs) -> Result<()> {
    set_threads(a.shared.threads)?;
    let pairs = semeval::load_semeval(&a.csv)?;
    let pipeline = super::pipeline(a.shared.thresholds.as_deref(), a.shared.no_model)?;
    let (docs, sides) = semeval::distinct_documents(&pairs);
    eprintln!(
        "semeval: {} pairs ({} original), {} distinct texts; {}",
        pairs.len(),
        pairs.iter().filter(|p| !p.augmented).count(),
        docs.len(),
        super::mode(&pipeline)
    );
    let started = std::time::Instant::now();
    let (profiles, signals) = match &a.from_signals {
        Some(path) => (Vec::new(), read_signals(path, &pairs)?),
        None => {
            let profiles: Vec<Profile> = docs.par_iter().map(|d| pipeline.profile(d)).collect();
            let weights = AnchorWeights::without_corpus();
            let signals: Vec<Signals> = sides
                .par_iter()
                .map(|&(i, j)| {
                    pipeline
                        .compare_profiles(&profiles[i], &profiles[j], &weights)
                        .0
                        .signals
                })
                .collect();
            (profiles, signals)
        }
    };
    let profile_seconds = started.elapsed().as_secs_f64();
    if let Some(path) = &a.signals {
        let mut file =
            AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?;
        for (p, s) in pairs.iter().zip(&signals) {
            // The embedding products, which `Signals` never writes, go beside them so
            // that a refit from this file can weigh them.
            cognate::output::write_line(
                &mut file,
                &serde_json::json!({"pair_id": p.pair_id, "signals": s,
                    "lead_product": s.lead_product.as_deref(),
                    "text_product": s.text_product.as_deref()}),
            )?;
        }
        file.commit()?;
    }
    let judgements: Vec<_> = signals
        .iter()
        .map(|s| judge(s, &pipeline.config().thresholds))
        .collect();
    let score_seconds = started.elapsed().as_secs_f64() - profile_seconds;

    // The shipped model, as `compare` scores.
    let keep: Vec<bool> = pairs
        .iter()
        .map(|p| a.with_augmented || !p.augmented)
        .collect();
    let kept: Vec<semeval::SemevalPair> = pairs
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| p.clone())
        .collect();
    let shipped_predictions: Vec<f64> = judgements
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(j, _)| j.score as f64)
        .collect();
    let shipped =
        semeval::SemevalReport::from_predictions(&kept, shipped_predictions, score_seconds);
    println!(
        "shipped model (fitted on this file: in-sample)\n{}",
        shipped.table()
    );

    // Grouped cross-validation of every model the signals allow, and the refit.
    let signals: Vec<_> = judgements.into_iter().map(|j| j.signals).collect();
    let fits = semeval::fit_models(&pairs, &signals, a.folds, a.seed);
    let mut t = cognate::eval::report::Table::new([
        "model",
        "ridge",
        "pairs",
        "pearson",
        "spearman",
        "(all pairs) pearson",
    ]);
    for f in &fits {
        t.row([
            f.name.clone(),
            f.ridge.to_string(),
            f.report.original.correlation.n.to_string(),
            cognate::eval::report::fmt_opt(f.report.original.correlation.pearson),
            cognate::eval::report::fmt_opt(f.report.original.correlation.spearman),
            cognate::eval::report::fmt_opt(f.report.overall.correlation.pearson),
        ]);
    }
    println!(
        "\n{}-fold cross-validation grouped by article (original pairs; trained on all)\n{t}",
        a.folds
    );
    if let Some(best) = fits.first() {
        let originals: Vec<_> = pairs.iter().filter(|p| !p.augmented).cloned().collect();
        let predictions: Vec<f64> = pairs
            .iter()
            .zip(&best.report.predictions)
            .filter(|(p, _)| !p.augmented)
            .map(|(_, &y)| y)
            .collect();
        let by_pair = semeval::SemevalReport::from_predictions(&originals, predictions, 0.0);
        println!(
            "\nmodel {}, out of fold, per language pair\n{}",
            best.name,
            by_pair.table()
        );
    }

    // The clustering check: events over the original pairs' articles.
    let originals: Vec<semeval::SemevalPair> =
        pairs.iter().filter(|p| !p.augmented).cloned().collect();
    let check = clustering_check(&pipeline, &pairs, &sides, &docs, &profiles);
    {
        println!(
            "\nclustering check: Overall <= 1.5 put together {:.3} of {}; Overall >= 3.0 kept apart {:.3} of {}",
            check.similar_together,
            check.similar_pairs,
            check.dissimilar_apart,
            check.dissimilar_pairs
        );
    }
    eprintln!(
        "semeval: signals of {} pairs ({} texts) in {profile_seconds:.1}s ({:.1} texts/s)",
        pairs.len(),
        docs.len(),
        docs.len() as f64 / profile_seconds.max(1e-9),
    );

    if let Some(path) = &a.fit {
        let fitted_on = format!(
            "{} ({} pairs, {} original); `cognate eval semeval {} --fit FILE`; {}",
            a.csv
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            pairs.len(),
            originals.len(),
            a.csv
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            super::mode(&pipeline)
        );
        let model = semeval::similarity_model(&fits, fitted_on);
        let mut file =
            AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?;
        file.write_all(model.to_json().as_bytes())?;
        file.commit()?;
        eprintln!("semeval: weights written to {}", path.display());
    }
    #[derive(Serialize)]
    struct Out<'a> {
        shipped: &'a semeval::SemevalReport,
        cross_validation: &'a [semeval::ModelFit],
        clustering_check: &'a semeval::ClusteringCheck,
    }
    write_json(
        a.shared.json.as_deref(),
        &Out {
            shipped: &shipped,
            cross_validation: &fits,
            clustering_check: &check,
        },
    )
}

/// Events over the original pairs' articles, judged against their labels.
fn clustering_check(
    pipeline: &Pipeline,
    pairs: &[semeval::SemevalPair],
    sides: &[(usize, usize)],
    texts: &[Document],
    profiles: &[Profile],
) -> semeval::ClusteringCheck {
    let mut docs: Vec<usize> = pairs
        .iter()
        .zip(sides)
        .filter(|(p, _)| !p.augmented)
        .flat_map(|(_, &(i, j))| [i, j])
        .collect();
    docs.sort_unstable();
    docs.dedup();
    // Signals read from a file come without the articles' analyses: analyse them
    // (leads only, as `cluster` does).
    let entries: Vec<Entry> = if profiles.is_empty() {
        pipeline.analyze_records(docs.iter().map(|&i| Record::Ok(texts[i].clone())).collect())
    } else {
        docs.iter()
            .map(|&i| Entry::Ok(Box::new(profiles[i].analysis.clone())))
            .collect()
    };
    let position: HashMap<usize, usize> = docs.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let clustering = pipeline.cluster(&entries);
    let event = |i: usize| clustering.family_event[clustering.doc_family[position[&i]] as usize];
    // By position, not by pair id: an id can occur twice with other texts.
    let (originals, original_sides): (Vec<semeval::SemevalPair>, Vec<(usize, usize)>) = pairs
        .iter()
        .zip(sides)
        .filter(|(p, _)| !p.augmented)
        .map(|(p, s)| (p.clone(), *s))
        .unzip();
    semeval::ClusteringCheck::of(&originals, |k, _| {
        let (i, j) = original_sides[k];
        event(i) == event(j)
    })
}

/// Signals written by `--signals`, one per pair of the CSV.
fn read_signals(path: &Path, pairs: &[semeval::SemevalPair]) -> Result<Vec<Signals>> {
    #[derive(serde::Deserialize)]
    struct Line {
        pair_id: String,
        signals: Signals,
        #[serde(default)]
        lead_product: Option<Vec<f32>>,
        #[serde(default)]
        text_product: Option<Vec<f32>>,
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    // A pair id can occur more than once in the CSV (40 ids in the training set, 37 of
    // them with other texts the second time): the n-th line of an id is its n-th pair's.
    let mut by_id: HashMap<String, std::collections::VecDeque<Signals>> = HashMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let l: Line = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a signals line", path.display(), n + 1))?;
        let mut signals = l.signals;
        signals.lead_product = l.lead_product.map(Into::into);
        signals.text_product = l.text_product.map(Into::into);
        by_id.entry(l.pair_id).or_default().push_back(signals);
    }
    pairs
        .iter()
        .map(|p| {
            by_id
                .get_mut(&p.pair_id)
                .and_then(|q| q.pop_front())
                .with_context(|| format!("{}: no signals for pair {}", path.display(), p.pair_id))
        })
        .collect()
}

fn run_extraction(a: ExtractionArgs) -> Result<()> {
    set_threads(a.shared.threads)?;
    let cases = extraction::load_trafilatura(&a.dir)?;
    let mut config = Config::default();
    config.clean.extractor = a.extractor.into();
    let pipeline = Pipeline::new(config);
    let report = extraction::run_extraction(&cases, |html| {
        let mut doc = Document::text("page", "");
        doc.content = Content::Html(html.to_string());
        pipeline.clean(&doc).cleaned.text
    });
    println!("{}", report.table());
    write_json(a.shared.json.as_deref(), &report)
}

fn run_langid(a: LangidArgs) -> Result<()> {
    set_threads(a.shared.threads)?;
    let cases = langid::load_lingua_sentences(&a.dir, a.max_per_language)?;
    let identifier = cognate::lang::default_identifier();
    eprintln!(
        "langid: {} sentences, identifier {}",
        cases.len(),
        identifier.name()
    );
    let report = langid::run_langid(&cases, |text| identifier.identify(text).map(|g| g.lang));
    println!("{}", report.table(Some(a.worst)));
    write_json(a.shared.json.as_deref(), &report)
}

fn run_synth(a: SynthArgs) -> Result<()> {
    let docs = synth::join_families(&load_wmt(&a.wmt, &wmt::WmtOptions::all_domains())?, a.join);
    let mut file = AtomicFile::create(&a.output)
        .with_context(|| format!("creating {}", a.output.display()))?;
    if a.near_dup {
        let options = near_dup::NearDupOptions {
            rates: a.rates.clone(),
            ..Default::default()
        };
        let stats = near_dup::generate(&docs, a.n, a.seed, &options, &mut file)?;
        file.commit()?;
        eprintln!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(());
    }
    let stats = synth::generate(&docs, a.n, a.seed, &mut file)?;
    file.commit()?;
    eprintln!("{}", serde_json::to_string_pretty(&stats)?);
    Ok(())
}

fn run_labelled(a: LabelledArgs) -> Result<()> {
    set_threads(a.shared.threads)?;
    let open = |p: &Path| -> Result<std::io::BufReader<std::fs::File>> {
        Ok(std::io::BufReader::new(
            std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?,
        ))
    };
    let gold = synth::read_gold_labels(open(&a.corpus)?, &a.corpus.display().to_string())?;
    let near_dup_labels = if a.near_dup {
        Some(near_dup::read_labels(
            open(&a.corpus)?,
            &a.corpus.display().to_string(),
        )?)
    } else {
        None
    };
    let mut predicted: HashMap<String, String> = HashMap::new();
    match &a.predicted {
        Some(path) => {
            use std::io::BufRead;
            for line in open(path)?.lines() {
                let v: serde_json::Value = serde_json::from_str(&line?)?;
                if let (Some(id), Some(f)) = (v["id"].as_str(), v["family"].as_str()) {
                    predicted.insert(id.to_string(), f.to_string());
                }
            }
        }
        None => {
            let pipeline = super::pipeline(a.shared.thresholds.as_deref(), a.shared.no_model)?;
            let docs: Vec<Document> = Ingest::new(
                vec![Input::Path(a.corpus.clone())],
                IngestOptions::default(),
            )
            .filter_map(|r| match r {
                Record::Ok(d) => Some(d),
                Record::Failed(_) => None,
            })
            .collect();
            let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
            predicted = ids
                .into_iter()
                .zip(cluster_families(&pipeline, docs))
                .collect();
        }
    }
    if let Some(labels) = near_dup_labels {
        let report = near_dup::evaluate(&labels, &predicted);
        println!("{}", report.table());
        return write_json(a.shared.json.as_deref(), &report);
    }
    let report = synth::run_labelled(&gold, &predicted);
    println!("{}", report.families.table());
    for k in &report.by_kind {
        println!("{k:?}");
    }
    write_json(a.shared.json.as_deref(), &report)
}
