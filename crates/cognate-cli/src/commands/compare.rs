use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cognate::document::{Document, Location, Origin, Record};
use cognate::features::anchors::AnchorKind;
use cognate::features::extract_anchors;
use cognate::ingest::{Ingest, IngestOptions, Input};
use cognate::output::write_line;
use cognate::pipeline::{Pipeline, Profile};
use cognate::score::AnchorWeights;
use rayon::prelude::*;
use serde_json::{Value, json};

use super::{CHUNK, Output, set_threads};
use crate::CompareArgs;

pub fn run(args: CompareArgs) -> Result<ExitCode> {
    set_threads(args.threads)?;
    let pipeline = super::pipeline(args.thresholds.as_deref(), args.no_model)?;
    if let Some(pairs) = &args.pairs {
        return compare_pairs(&pipeline, pairs, &args);
    }
    if args.docs.len() != 2 {
        bail!("compare needs two documents (files or ids with --input), or --pairs FILE");
    }
    let a = find(&args.docs[0], &args.inputs)?;
    let b = find(&args.docs[1], &args.inputs)?;
    let mut out = Output::open(args.output.as_deref())?;
    write_line(&mut out, &judge_with_evidence(&pipeline, &a, &b))?;
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// A document named on the command line: a file, or an id in the inputs.
fn find(name: &str, inputs: &[String]) -> Result<Document> {
    let take_one = |ingest: Ingest, what: &str| -> Result<Option<Document>> {
        for record in ingest {
            match record {
                Record::Ok(d) if what.is_empty() || d.id == what => return Ok(Some(d)),
                Record::Failed(f) if what.is_empty() || f.id == what => {
                    bail!("{}: {}", f.origin, f.error)
                }
                _ => {}
            }
        }
        Ok(None)
    };
    if std::path::Path::new(name).is_file() {
        let ingest = Ingest::new(vec![Input::parse(name)], IngestOptions::default());
        return take_one(ingest, "")?.with_context(|| format!("{name}: no document in the file"));
    }
    if inputs.is_empty() {
        bail!("{name}: no such file (to name a document by id, give --input)");
    }
    let ingest = Ingest::new(
        inputs.iter().map(|s| Input::parse(s)).collect(),
        IngestOptions::default(),
    );
    take_one(ingest, name)?
        .with_context(|| format!("no document with id {name:?} in {}", inputs.join(", ")))
}

/// The judgement with evidence a person can check: shared numbers and names as written,
/// the time gap, the encoder's similarities and the best-matching sentence pairs.
fn judge_with_evidence(pipeline: &Pipeline, a: &Document, b: &Document) -> Value {
    let (ca, cb) = (pipeline.clean(a), pipeline.clean(b));
    let (pa, pb) = (pipeline.profile(a), pipeline.profile(b));
    let (judgement, alignment) =
        pipeline.compare_profiles(&pa, &pb, &AnchorWeights::without_corpus());
    let (xa, xb) = (
        extract_anchors(&ca.cleaned.text),
        extract_anchors(&cb.cleaned.text),
    );
    let shared = |kind: AnchorKind| -> Vec<Value> {
        xa.iter()
            .filter(|p| p.kind == kind)
            .filter_map(|p| {
                xb.iter()
                    .find(|q| q.kind == kind && q.key == p.key)
                    .map(|q| json!([p.surface, q.surface]))
            })
            .collect()
    };
    let s = &judgement.signals;
    let sentence_pairs: Vec<Value> = match (&alignment, &pa.vectors, &pb.vectors) {
        (Some(al), Some(va), Some(vb)) => {
            let mut best = al.matches.clone();
            best.sort_by(|x, y| y.cosine.total_cmp(&x.cosine).then(x.a.cmp(&y.a)));
            best.truncate(EVIDENCE_SENTENCES);
            best.iter()
                .map(|m| {
                    json!({
                        "a": va.sentences[m.a as usize],
                        "b": vb.sentences[m.b as usize],
                        "cosine": round3(m.cosine),
                        "margin": round3(m.margin),
                    })
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let model = cognate::score::model::SimilarityModel::shipped()
        .score(s)
        .map(|(_, name)| name);
    json!({
        "a": a.id,
        "b": b.id,
        "relation": judgement.relation.as_str(),
        "score": round2(judgement.score),
        "evidence": {
            "mode": super::mode(pipeline),
            "score_model": model,
            "languages": [pa.analysis.lang, pb.analysis.lang],
            "published": [pa.analysis.published.as_ref().map(|p| &p.raw), pb.analysis.published.as_ref().map(|p| &p.raw)],
            "time_gap_days": s.time_gap_days,
            "shared_numbers": shared(AnchorKind::Number),
            "shared_names": shared(AnchorKind::Name),
            "encoder": {
                "lead_cosine": s.encoder_cosine,
                "text_cosine": s.text_cosine,
                "tail_cosine": s.tail_cosine,
            },
            "sentences": alignment.as_ref().map(|al| json!({
                "a": al.sentences_a,
                "b": al.sentences_b,
                "matched": al.matches.len(),
                "matched_share": round3(al.matched_share),
                "in_order": round3(al.order),
                "best_pairs": sentence_pairs,
            })),
            "signals": s,
        }
    })
}

/// Aligned sentence pairs shown as evidence.
const EVIDENCE_SENTENCES: usize = 5;

fn round3(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

fn round2(x: f32) -> f64 {
    (x as f64 * 100.0).round() / 100.0
}

fn compare_pairs(pipeline: &Pipeline, path: &str, args: &CompareArgs) -> Result<ExitCode> {
    let reader: Box<dyn BufRead> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("opening {path}"))?,
        ))
    };
    let mut out = Output::open(args.output.as_deref())?;
    let weights = AnchorWeights::without_corpus();
    let mut lines = reader.lines().enumerate();
    let (mut ok, mut failed) = (0u64, 0u64);
    loop {
        let chunk: Vec<(usize, std::io::Result<String>)> = lines.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Option<Value>> = chunk
            .into_par_iter()
            .map(|(n, line)| {
                let origin = Origin::new(path, Location::Line(n as u64 + 1));
                let line = match line {
                    Ok(l) if l.trim().is_empty() => return None,
                    Ok(l) => l,
                    Err(e) => return Some(json!({"id": origin.to_string(), "status": "error", "error": format!("{origin}: {e}")})),
                };
                Some(score_pair_line(pipeline, &weights, &line, &origin))
            })
            .collect();
        for value in results.into_iter().flatten() {
            if value.get("status").and_then(Value::as_str) == Some("error") {
                failed += 1;
            } else {
                ok += 1;
            }
            write_line(&mut out, &value)?;
        }
    }
    out.finish()?;
    eprintln!("cognate: {ok} pairs scored, {failed} failed");
    Ok(if ok == 0 && failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn score_pair_line(
    pipeline: &Pipeline,
    weights: &AnchorWeights,
    line: &str,
    origin: &Origin,
) -> Value {
    let error = |id: String, e: String| json!({"id": id, "status": "error", "error": format!("{origin}: {e}")});
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return error(origin.to_string(), format!("not JSON: {e}")),
    };
    let id = match value.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(v @ Value::Number(_)) => v.to_string(),
        _ => origin.to_string(),
    };
    let side = |key: &str| -> Result<Profile, String> {
        let doc = value.get(key).ok_or_else(|| format!("missing \"{key}\""))?;
        match cognate::ingest::read_document_json(doc.clone(), origin.clone()) {
            Record::Ok(d) => Ok(pipeline.profile(&d)),
            Record::Failed(f) => Err(format!("\"{key}\": {}", f.error)),
        }
    };
    match (side("a"), side("b")) {
        (Ok(a), Ok(b)) => {
            let j = pipeline.compare_profiles(&a, &b, weights).0;
            json!({"id": id, "relation": j.relation.as_str(), "score": round2(j.score)})
        }
        (Err(e), _) | (_, Err(e)) => error(id, e),
    }
}
