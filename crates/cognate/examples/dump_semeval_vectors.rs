//! Research tool: embeds the distinct texts of a SemEval-2022 Task 8 CSV as a close
//! comparison does (whole text, lead with headline, tail, sentences) and writes the
//! vectors for offline study of new similarity signals.
//!
//! `cargo run --release --example dump_semeval_vectors -- CSV OUT_DIR` writes
//! `vectors.f32` (rows of little-endian f32), `docs.jsonl` (each text's rows) and
//! `pairs.jsonl` (each pair's two texts).

use std::io::Write;
use std::sync::Arc;

use cognate::eval::semeval::{distinct_documents, load_semeval};
use cognate::pipeline::{Config, Pipeline, Profile};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [csv, out] = args.as_slice() else {
        return Err("usage: dump_semeval_vectors CSV OUT_DIR".into());
    };
    let out = std::path::Path::new(out);
    let pairs = load_semeval(csv)?;
    let (docs, sides) = distinct_documents(&pairs);
    let model = cognate_encoder::E5Model::load_default()?;
    let pipeline = Pipeline::new(Config::default()).with_encoder(Arc::new(model));
    let profiles: Vec<Profile> = docs.par_iter().map(|d| pipeline.profile(d)).collect();
    let mut vectors = std::io::BufWriter::new(std::fs::File::create(out.join("vectors.f32"))?);
    let mut index = std::io::BufWriter::new(std::fs::File::create(out.join("docs.jsonl"))?);
    let mut row = 0usize;
    let mut put = |v: &cognate_encoder::Embedding| -> std::io::Result<usize> {
        for x in v.as_slice() {
            vectors.write_all(&x.to_le_bytes())?;
        }
        row += 1;
        Ok(row - 1)
    };
    for (k, p) in profiles.iter().enumerate() {
        let Some(v) = &p.vectors else {
            writeln!(
                index,
                "{}",
                serde_json::json!({"doc": k, "lang": p.analysis.lang})
            )?;
            continue;
        };
        let text = put(&v.text)?;
        let lead = put(&v.lead)?;
        let tail = v.tail.as_ref().map(&mut put).transpose()?;
        let mut sentences = Vec::new();
        for s in &v.sentence_vectors {
            sentences.push(put(s)?);
        }
        writeln!(
            index,
            "{}",
            serde_json::json!({"doc": k, "lang": p.analysis.lang, "text": text, "lead": lead,
                "tail": tail, "sentences": sentences, "sentence_text": v.sentences})
        )?;
    }
    let mut pf = std::io::BufWriter::new(std::fs::File::create(out.join("pairs.jsonl"))?);
    for (p, (i, j)) in pairs.iter().zip(&sides) {
        writeln!(
            pf,
            "{}",
            serde_json::json!({"pair_id": p.pair_id, "a": i, "b": j})
        )?;
    }
    Ok(())
}
