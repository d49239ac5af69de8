//! Embed the texts of a NUL-separated UTF-8 file and write the embeddings as
//! raw little-endian f32 (n × 384), for comparison with the reference engine.
//!
//! ```text
//! cargo run --release --example embed_file -- INPUT OUTPUT [--query] [--one-by-one] [--portable] [--batch N]
//! ```
use std::io::Write;
use std::time::Instant;

use cognate_encoder::{E5Model, InputKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: embed_file INPUT OUTPUT [--query] [--one-by-one] [--portable] [--batch N] [--tokens]");
        std::process::exit(2);
    }
    let flag = |f: &str| args.iter().any(|a| a == f);
    let batch: usize = args
        .iter()
        .position(|a| a == "--batch")
        .map(|i| args[i + 1].parse().expect("--batch N"))
        .unwrap_or(usize::MAX);
    let data = std::fs::read_to_string(&args[1])?;
    let texts: Vec<&str> = data.split('\0').collect();
    let t0 = Instant::now();
    let mut model = E5Model::load_default()?;
    if flag("--portable") {
        model.set_simd(false);
    }
    eprintln!(
        "loaded {} in {:.3}s, isa {:?}",
        model.path().display(),
        t0.elapsed().as_secs_f64(),
        model.isa()
    );
    let kind = if flag("--query") {
        InputKind::Query
    } else {
        InputKind::Passage
    };
    if flag("--tokens") {
        let mut out = std::fs::File::create(&args[2])?;
        for t in &texts {
            let ids: Vec<String> = model.tokenize(t).iter().map(|i| i.to_string()).collect();
            writeln!(out, "{}", ids.join(" "))?;
        }
        return Ok(());
    }
    let t0 = Instant::now();
    let embs = if flag("--one-by-one") {
        texts
            .iter()
            .flat_map(|t| model.embed(&[t], kind))
            .collect::<Vec<_>>()
    } else {
        texts
            .chunks(batch.max(1))
            .flat_map(|c| model.embed(c, kind))
            .collect::<Vec<_>>()
    };
    let dt = t0.elapsed().as_secs_f64();
    eprintln!(
        "embedded {} texts in {:.3}s ({:.1} texts/s)",
        texts.len(),
        dt,
        texts.len() as f64 / dt
    );
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args[2])?);
    for e in &embs {
        for v in e.as_slice() {
            out.write_all(&v.to_le_bytes())?;
        }
    }
    Ok(())
}
