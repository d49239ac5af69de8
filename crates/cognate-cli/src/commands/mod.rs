//! The subcommands, and what they share: threads, inputs, outputs, the problem summary.

pub mod clean;
pub mod cluster;
pub mod compare;
pub mod eval;
pub mod stream;

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use cognate::clean::{RecurringLines, RecurringWindow};
use cognate::document::Record;
use cognate::ingest::{Ingest, IngestOptions, Input, Problems};
use cognate::output::AtomicFile;

use crate::Common;

/// Documents handed to the workers at a time: large enough to keep both cores busy,
/// small enough that memory stays bounded while streaming.
pub const CHUNK: usize = 512;

/// Documents whose lines are counted for recurring-line removal: the last this many
/// of the stream (about 16 bytes per distinct line, so memory stays bounded).
pub const RECURRING_WINDOW: usize = 20_000;

/// Counts of lines over a window of the stream, unless `--no-recurring`.
pub fn recurring_window(common: &Common) -> Option<RecurringWindow> {
    (!common.no_recurring)
        .then(|| RecurringWindow::new(cognate::clean::DEFAULT_MIN_DOCS, RECURRING_WINDOW))
}

/// Counts a chunk's lines before it is cleaned, so each document is judged against
/// the window that holds it and the documents before it.
pub fn count_lines(window: Option<&mut RecurringWindow>, chunk: &[Record]) {
    use rayon::prelude::*;
    let Some(window) = window else { return };
    let keys: Vec<_> = chunk
        .par_iter()
        .filter_map(|r| match r {
            Record::Ok(doc) => Some(RecurringLines::keys_of_document(doc)),
            Record::Failed(_) => None,
        })
        .collect();
    for k in keys {
        window.push(k);
    }
}

/// The pipeline: with the multilingual encoder unless `no_model`, and thresholds from
/// a JSON file when given. Lead vectors are cached in `$COGNATE_VECTOR_CACHE` when set.
pub fn pipeline(thresholds: Option<&Path>, no_model: bool) -> Result<cognate::pipeline::Pipeline> {
    pipeline_from_env(config(thresholds)?, no_model)
}

/// The pipeline of a given configuration, with the vector cache `COGNATE_VECTOR_CACHE` names.
pub fn pipeline_from_env(
    config: cognate::pipeline::Config,
    no_model: bool,
) -> Result<cognate::pipeline::Pipeline> {
    let cache = std::env::var_os("COGNATE_VECTOR_CACHE").map(std::path::PathBuf::from);
    pipeline_from(config, no_model, cache.as_deref())
}

/// The pipeline of a given configuration.
pub fn pipeline_from(
    config: cognate::pipeline::Config,
    no_model: bool,
    vector_cache: Option<&Path>,
) -> Result<cognate::pipeline::Pipeline> {
    let pipeline = cognate::pipeline::Pipeline::new(config);
    if no_model {
        return Ok(pipeline);
    }
    let model = cognate_encoder::E5Model::load_default()
        .context("loading the encoder (run ./scripts/setup.sh to fetch it, or pass --no-model for anchors alone)")?;
    let cache = match vector_cache {
        None => None,
        Some(dir) => {
            let cache = cognate::features::vector_cache::VectorCache::open_for_model(dir, &model)
                .with_context(|| format!("opening the vector cache {}", dir.display()))?;
            report_cache_warnings(&cache);
            Some(cache)
        }
    };
    let pipeline = pipeline.with_encoder(std::sync::Arc::new(model));
    Ok(match cache {
        Some(cache) => pipeline.with_vector_cache(cache),
        None => pipeline,
    })
}

/// Prints what went wrong with the vector cache (damaged records are ignored, never used).
pub fn report_cache_warnings(cache: &cognate::features::vector_cache::VectorCache) {
    for w in cache.take_warnings() {
        eprintln!("cognate: warning: vector cache: {w}");
    }
}

/// How the run compares articles and tells languages, for summaries and reports.
pub fn mode(pipeline: &cognate::pipeline::Pipeline) -> String {
    let language = match pipeline.identifier_name() {
        "whatlang" => "language by whatlang (lid.176.ftz not found)".to_string(),
        other => format!("language by {other}"),
    };
    match pipeline.encoder_name() {
        Some(name) => format!("anchors + encoder {name}; {language}"),
        None => format!("anchors only (--no-model); {language}"),
    }
}

/// The pipeline's settings, with thresholds from a JSON file when given.
pub fn config(thresholds: Option<&Path>) -> Result<cognate::pipeline::Config> {
    let mut config = cognate::pipeline::Config::default();
    if let Some(path) = thresholds {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        config.thresholds = serde_json::from_str(&text)
            .with_context(|| format!("{}: not valid thresholds", path.display()))?;
    }
    Ok(config)
}

pub fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("setting up worker threads")?;
    }
    Ok(())
}

pub fn ingest(common: &Common) -> Ingest {
    let inputs = common.inputs.iter().map(|s| Input::parse(s)).collect();
    Ingest::new(
        inputs,
        IngestOptions {
            max_document_bytes: common.max_document_bytes,
        },
    )
}

/// Where the main output goes: stdout, or a file written whole on success.
pub enum Output {
    Stdout(io::BufWriter<io::Stdout>),
    File(AtomicFile),
}

impl Output {
    pub fn open(path: Option<&Path>) -> Result<Output> {
        Ok(match path {
            None => Output::Stdout(io::BufWriter::with_capacity(1 << 20, io::stdout())),
            Some(p) => Output::File(
                AtomicFile::create(p).with_context(|| format!("creating {}", p.display()))?,
            ),
        })
    }

    pub fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush().context("writing to stdout")?,
            Output::File(f) => f.commit().context("finishing the output file")?,
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File(f) => f.flush(),
        }
    }
}

/// Prints the problem summary that ends every run, and decides the exit status:
/// non-zero only under `--strict` with failures, or when nothing could be read.
pub fn summarize(problems: &Problems, strict: bool) -> ExitCode {
    let mut err = io::stderr().lock();
    let _ = writeln!(
        err,
        "cognate: {} documents read, {} failed, {} decoded lossily (invalid UTF-8)",
        problems.documents_read, problems.documents_failed, problems.lossy_utf8
    );
    for p in problems.messages.iter().take(20) {
        let _ = writeln!(err, "  {}: {}", p.place, p.message);
    }
    let more = problems.messages.len().saturating_sub(20) as u64 + problems.dropped;
    if more > 0 {
        let _ = writeln!(err, "  … and {more} more problems");
    }
    if problems.documents_read == 0 && problems.documents_failed == 0 {
        let _ = writeln!(err, "cognate: no documents found in the inputs");
        return ExitCode::from(1);
    }
    if problems.documents_read == 0 {
        let _ = writeln!(err, "cognate: no document could be read");
        return ExitCode::from(1);
    }
    if strict && problems.documents_failed > 0 {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
