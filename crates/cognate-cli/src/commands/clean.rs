use std::process::ExitCode;

use anyhow::{Context, Result};
use cognate::document::Record;
use cognate::output::{clean_record, failed_record, write_line};
use cognate::pipeline::{Config, Pipeline};
use rayon::prelude::*;
use serde_json::Value;

use super::{CHUNK, Output, ingest, set_threads, summarize};
use crate::CleanArgs;

pub fn run(args: CleanArgs) -> Result<ExitCode> {
    set_threads(args.common.threads)?;
    let mut config = Config::default();
    config.clean.keep_raw = args.raw;
    config.clean.extractor = args.common.extractor.into();
    let pipeline = Pipeline::new(config);
    let mut out = Output::open(args.common.output.as_deref())?;
    let mut reader = ingest(&args.common);
    let bar = crate::progress::documents("clean");
    // `--raw` keeps everything, recurring lines too.
    let mut window = super::recurring_window(&args.common).filter(|_| !args.raw);
    loop {
        let chunk: Vec<Record> = reader.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        super::count_lines(window.as_mut(), &chunk);
        let recurring = window.as_ref().map(|w| w.lines());
        let lines: Vec<Value> = chunk
            .par_iter()
            .map(|r| match r {
                Record::Failed(f) => failed_record(f),
                Record::Ok(doc) => {
                    let c = pipeline.clean_with(doc, recurring);
                    let published = c
                        .cleaned
                        .published
                        .as_ref()
                        .or(doc.published.as_ref())
                        .map(|p| p.raw.as_str());
                    clean_record(
                        &doc.id,
                        &c.lang.lang,
                        c.lang.confidence,
                        c.cleaned.title.as_deref().or(doc.title.as_deref()),
                        &c.cleaned.text,
                        &c.cleaned.removed,
                        published,
                        &doc.extra,
                    )
                }
            })
            .collect();
        for line in &lines {
            write_line(&mut out, line).context("writing output")?;
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    out.finish()?;
    Ok(summarize(reader.problems(), args.common.strict))
}
