use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use cognate::document::Record;
use cognate::output::{AtomicFile, cluster_records, event_records, write_line, write_report};
use cognate::pipeline::{EmbedPolicy, Entry};
use serde_json::json;

use super::{CHUNK, Output, ingest, set_threads, summarize};
use crate::{ClusterArgs, EmbedChoice};

pub fn run(args: ClusterArgs) -> Result<ExitCode> {
    set_threads(args.common.threads)?;
    let mut config = super::config(args.common.thresholds.as_deref())?;
    config.neighbours.exact_limit = args.exact_neighbours;
    config.clean.extractor = args.common.extractor.into();
    let policy = match args.embed {
        EmbedChoice::All => EmbedPolicy::All,
        EmbedChoice::Undecided => EmbedPolicy::Undecided,
    };
    let cache = args
        .vector_cache
        .clone()
        .or_else(|| std::env::var_os("COGNATE_VECTOR_CACHE").map(Into::into));
    let pipeline = super::pipeline_from(config, args.common.no_model, cache.as_deref())?;
    let started = Instant::now();
    let mut reader = ingest(&args.common);
    let bar = crate::progress::documents("analyse");
    let mut entries: Vec<Entry> = Vec::new();
    let mut window = super::recurring_window(&args.common);
    let mut leads = Vec::new();
    loop {
        let chunk: Vec<Record> = reader.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        bar.inc(chunk.len() as u64);
        super::count_lines(window.as_mut(), &chunk);
        let (analysed, chunk_leads) =
            pipeline.analyze_records_deferred(chunk, window.as_ref().map(|w| w.lines()));
        entries.extend(analysed);
        leads.extend(chunk_leads);
    }
    bar.finish_and_clear();
    let analysed = started.elapsed();
    // Leads are embedded once the whole batch is known, so that copies are embedded once.
    let embedding = pipeline.embed_entries(&mut entries, &leads, policy);
    drop(leads);
    if let Some(cache) = pipeline.vector_cache() {
        super::report_cache_warnings(cache);
    }
    let embedded = started.elapsed() - analysed;
    let clustering = pipeline.cluster(&entries);
    let clustered = started.elapsed() - analysed - embedded;

    let mut out = Output::open(args.common.output.as_deref())?;
    for line in cluster_records(&entries, &clustering) {
        write_line(&mut out, &line).context("writing output")?;
    }
    out.finish()?;
    if let Some(path) = &args.clusters {
        let mut file =
            AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?;
        for line in event_records(&entries, &clustering) {
            write_line(&mut file, &line)?;
        }
        file.commit()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    match args.report.as_deref() {
        None => {}
        Some("-") => write_report(&mut std::io::stderr().lock(), &entries, &clustering)?,
        Some(path) => {
            let mut file =
                AtomicFile::create(path.as_ref()).with_context(|| format!("creating {path}"))?;
            write_report(&mut file, &entries, &clustering)?;
            file.commit().with_context(|| format!("writing {path}"))?;
        }
    }
    let s = &clustering.stats;
    let docs = s.documents.max(1) as f64;
    let stats = json!({
        "documents": s.documents,
        "failed": entries.len() - s.documents,
        "families": s.families,
        "events": s.events,
        "candidate_pairs": s.candidate_pairs,
        "judged_pairs": s.judged_pairs,
        "seconds_analyse": analysed.as_secs_f64(),
        "seconds_embed": embedded.as_secs_f64(),
        "embedding": embedding,
        "neighbours": {
            "lead_vectors": s.lead_vectors,
            "approximate": s.neighbours_approximate,
        },
        "seconds_cluster": clustered.as_secs_f64(),
        "documents_per_second": docs / started.elapsed().as_secs_f64(),
        "bytes_per_document": {
            "features": s.features_bytes as f64 / docs,
            "anchor_frequencies": s.anchor_index_bytes as f64 / docs,
            "lead_embeddings": s.lead_bytes as f64 / docs,
            "lsh_band_table": s.lsh_table_bytes as f64 / docs,
            "ann_index": s.ann_index_bytes as f64 / docs,
        },
        "language_identifier": pipeline.identifier_name(),
        "mode": super::mode(&pipeline),
    });
    eprintln!(
        "cognate: {} documents → {} families, {} events in {:.1}s ({:.0} documents/s); {}",
        s.documents,
        s.families,
        s.events,
        started.elapsed().as_secs_f64(),
        docs / started.elapsed().as_secs_f64(),
        super::mode(&pipeline)
    );
    if let Some(path) = &args.stats {
        let mut file =
            AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?;
        writeln!(file, "{}", serde_json::to_string_pretty(&stats)?)?;
        file.commit()?;
    }
    Ok(summarize(reader.problems(), args.common.strict))
}
