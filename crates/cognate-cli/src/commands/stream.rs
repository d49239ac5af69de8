//! `cognate stream`: families and events assigned on arrival, within a time window;
//! events are written out as they close, so memory follows the window, not the stream.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use cognate::document::Record;
use cognate::output::{AtomicFile, write_line};
use cognate::pipeline::Entry;
use cognate::stream::{Emitted, StreamClusterer, StreamOptions};
use serde_json::json;

use super::{CHUNK, Output, ingest, set_threads, summarize};
use crate::StreamArgs;

pub fn run(args: StreamArgs) -> Result<ExitCode> {
    set_threads(args.common.threads)?;
    let mut config = super::config(args.common.thresholds.as_deref())?;
    config.clean.extractor = args.common.extractor.into();
    let pipeline = super::pipeline_from_env(config, args.common.no_model)?;
    let started = Instant::now();
    let mut reader = ingest(&args.common);
    let bar = crate::progress::documents("stream");
    let mut out = Output::open(args.common.output.as_deref())?;
    let mut clusters = match &args.clusters {
        Some(path) => {
            Some(AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?)
        }
        None => None,
    };
    let mut stream = StreamClusterer::new(
        &pipeline,
        StreamOptions {
            window_days: args.window_days,
            max_open_documents: args.max_open_documents,
            storyline_days: args.storyline_days,
            // Dates later than the run are errors of the source (see StreamOptions::now).
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_secs() as i64),
            ..StreamOptions::default()
        },
    );
    let mut emitted = Vec::new();
    let mut write = |emitted: &mut Vec<Emitted>| -> Result<()> {
        for e in emitted.drain(..) {
            match e {
                Emitted::Failed(line) => write_line(&mut out, &line)?,
                Emitted::Event { documents, record } => {
                    for line in &documents {
                        write_line(&mut out, line)?;
                    }
                    if let Some(file) = clusters.as_mut() {
                        write_line(file, &record)?;
                    }
                }
            }
        }
        Ok(())
    };
    // Analysis of the next chunk (in parallel) overlaps the assignment of this one.
    let mut next: Vec<Record> = reader.by_ref().take(CHUNK).collect();
    let mut current: Vec<Entry> = pipeline.analyze_records(std::mem::take(&mut next));
    while !current.is_empty() {
        next = reader.by_ref().take(CHUNK).collect();
        bar.inc(current.len() as u64);
        let (analysed, ()) = rayon::join(
            || pipeline.analyze_records(std::mem::take(&mut next)),
            || {
                for entry in current.drain(..) {
                    stream.push(entry, &mut emitted);
                }
            },
        );
        write(&mut emitted).context("writing output")?;
        current = analysed;
    }
    stream.finish(&mut emitted);
    write(&mut emitted).context("writing output")?;
    bar.finish_and_clear();
    out.finish()?;
    if let Some(file) = clusters {
        file.commit().context("writing the clusters file")?;
    }
    let s = stream.stats();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "cognate: {} documents streamed → {} families, {} events in {:.1}s ({:.0} documents/s), at most {} open at once ({} late, {} undated, {} dated in the future); {} storyline links to closed events; window {} days; {}",
        s.documents,
        s.families,
        s.events,
        seconds,
        s.documents as f64 / seconds,
        s.peak_open_documents,
        s.late,
        s.undated,
        s.future_dated,
        s.storyline_links,
        args.window_days,
        super::mode(&pipeline)
    );
    if let Some(path) = &args.stats {
        let stats = json!({
            "stream": s,
            "seconds": seconds,
            "documents_per_second": s.documents as f64 / seconds,
            "window_days": args.window_days,
            "max_open_documents": args.max_open_documents,
            "storyline_days": args.storyline_days,
            "mode": super::mode(&pipeline),
        });
        let mut file =
            AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?;
        writeln!(file, "{}", serde_json::to_string_pretty(&stats)?)?;
        file.commit()?;
    }
    Ok(summarize(reader.problems(), args.common.strict))
}
