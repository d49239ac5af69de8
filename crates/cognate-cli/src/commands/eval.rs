//! `cognate eval`: measure the pipeline on public data sets.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use cognate::document::{Content, Document, Record};
use cognate::eval::{extraction, langid, near_dup, semeval, synth, wmt};
use cognate::ingest::{Ingest, IngestOptions, Input};
use cognate::output::AtomicFile;
use cognate::pipeline::{Config, Entry, Pipeline};
use cognate::score::AnchorWeights;
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
    /// Include the machine-translated (augmented) pairs, not only the original human-labelled ones.
    #[arg(long)]
    with_augmented: bool,
    #[command(flatten)]
    shared: Shared,
}

#[derive(Args)]
pub struct ExtractionArgs {
    /// The trafilatura `tests` folder (with `evaldata.json` and `eval/` or `cache/`).
    dir: PathBuf,
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
    let mut pairs = semeval::load_semeval(&a.csv)?;
    if !a.with_augmented {
        pairs.retain(|p| !p.augmented);
    }
    let pipeline = super::pipeline(a.shared.thresholds.as_deref(), a.shared.no_model)?;
    let weights = AnchorWeights::without_corpus();
    let report = semeval::run_semeval(&pairs, |p| {
        let (x, y) = p.documents();
        pipeline
            .compare(&pipeline.analyze(&x), &pipeline.analyze(&y), &weights)
            .score as f64
    });
    println!("{}", report.table());
    write_json(a.shared.json.as_deref(), &report)
}

fn run_extraction(a: ExtractionArgs) -> Result<()> {
    set_threads(a.shared.threads)?;
    let cases = extraction::load_trafilatura(&a.dir)?;
    let pipeline = Pipeline::new(Config::default());
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
    let docs = load_wmt(&a.wmt, &wmt::WmtOptions::all_domains())?;
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
