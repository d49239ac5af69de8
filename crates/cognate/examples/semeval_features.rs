//! Writes the comparison features of every SemEval-2022 Task 8 training pair as JSON
//! lines (for exploring the score model; `cognate eval semeval --fit` does the fit).
//!
//! cargo run --release -p cognate --example semeval_features -- training_set.csv OUT.jsonl

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use cognate::eval::semeval::{folds, load_semeval};
use cognate::features::sentences::ArticleVectors;
use cognate::pipeline::{Analysis, Config, Pipeline};
use cognate::score::alignment::align;
use cognate::score::{AnchorWeights, signals};
use rayon::prelude::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (csv, out) = (&args[0], &args[1]);
    let pairs = load_semeval(csv)?;
    let pipeline = Pipeline::new(Config::default())
        .with_encoder(Arc::new(cognate_encoder::E5Model::load_default()?));
    let encoder = pipeline.encoder().unwrap();
    // Each distinct text once.
    let mut texts: HashMap<(String, String), usize> = HashMap::new();
    let mut docs = Vec::new();
    for p in &pairs {
        let (a, b) = p.documents();
        for d in [a, b] {
            let key = (
                d.lang.clone().unwrap_or_default(),
                d.content.as_str().to_string(),
            );
            let n = texts.len();
            texts.entry(key).or_insert_with(|| {
                docs.push(d);
                n
            });
        }
    }
    eprintln!("{} pairs, {} distinct texts", pairs.len(), docs.len());
    let started = std::time::Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let profiles: Vec<(Analysis, ArticleVectors)> = docs
        .par_iter()
        .map(|d| {
            let a = pipeline.analyze(d);
            let cleaned = pipeline.clean(d).cleaned.text;
            let v = ArticleVectors::embed(encoder, &cleaned).expect("encoder");
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if n % 100 == 0 {
                eprintln!("{n} texts, {:.0}s", started.elapsed().as_secs_f64());
            }
            (a, v)
        })
        .collect();
    let fold = folds(&pairs, 5, 2022);
    let weights = AnchorWeights::without_corpus();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    for (k, p) in pairs.iter().enumerate() {
        let (a, b) = p.documents();
        let ix = |d: &cognate::Document| {
            texts[&(
                d.lang.clone().unwrap_or_default(),
                d.content.as_str().to_string(),
            )]
        };
        let (pa, pb) = (&profiles[ix(&a)], &profiles[ix(&b)]);
        let s = signals(&pa.0.view(), &pb.0.view(), &weights);
        let al = align(
            pa.1.sentence_vectors.len(),
            pb.1.sentence_vectors.len(),
            |i, j| pa.1.sentence_vectors[i].dot(&pb.1.sentence_vectors[j]),
        );
        let tail = match (&pa.1.tail, &pb.1.tail) {
            (Some(x), Some(y)) => Some(x.dot(y)),
            _ => None,
        };
        let row = json!({
            "pair_id": p.pair_id, "base": p.base_pair(), "lang": p.lang_pair(), "augmented": p.augmented,
            "fold": fold[k], "overall": p.overall,
            "geography": p.geography, "entities": p.entities, "time": p.time, "narrative": p.narrative,
            "signals": s,
            "text_cosine": pa.1.text.dot(&pb.1.text),
            "tail_cosine": tail,
            "align": {"soft": al.soft_cosine, "share": al.matched_share, "order": al.order,
                       "n": al.matches.len(), "na": al.sentences_a, "nb": al.sentences_b},
        });
        writeln!(w, "{row}")?;
    }
    w.flush()?;
    eprintln!("done in {:.0}s", started.elapsed().as_secs_f64());
    Ok(())
}
