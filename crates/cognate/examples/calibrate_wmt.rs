//! Calibrates the translation thresholds on WMT test sets: embeds every document
//! once (from the vector cache when one is given), then clusters with each
//! combination of the encoder rule's cosine and cross-language margin, every other
//! threshold at its default, and prints the family scores, best B-cubed F1 last.
//!
//! cargo run --release -p cognate --example calibrate_wmt -- ../shared/data/wmt22 [--cache DIR] [--no-model]

use std::sync::Arc;

use cognate::document::Record;
use cognate::eval::wmt::{WmtOptions, load_wmt_dir, run_families};
use cognate::pipeline::{Config, Entry, Pipeline};
use cognate::score::Thresholds;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .ok_or("usage: calibrate_wmt WMT_DIR [--cache DIR] [--no-model]")?;
    let no_model = args.iter().any(|a| a == "--no-model");
    let cache = args
        .iter()
        .position(|a| a == "--cache")
        .and_then(|i| args.get(i + 1));
    let docs = load_wmt_dir(dir, &WmtOptions::default())?;
    let mut pipeline = Pipeline::new(Config::default());
    if !no_model {
        let model = cognate_encoder::E5Model::load_default()?;
        if let Some(cache) = cache {
            pipeline = pipeline.with_vector_cache(
                cognate::features::vector_cache::VectorCache::open_for_model(
                    cache.as_ref(),
                    &model,
                )?,
            );
        }
        pipeline = pipeline.with_encoder(Arc::new(model));
    }
    let started = std::time::Instant::now();
    let entries =
        pipeline.analyze_records(docs.iter().map(|d| Record::Ok(d.to_document())).collect());
    eprintln!(
        "analysed {} documents in {:.0}s",
        entries.len(),
        started.elapsed().as_secs_f64()
    );

    let mut results = Vec::new();
    for dice in [0.45f32] {
        for cosine in [0.80f32, 0.83, 0.85, 0.87, 2.0] {
            for margin in [0.97f32, 0.99, 1.0, 1.01, 1.02] {
                if cosine > 1.0 && margin > 1.0 {
                    continue;
                }
                let thresholds = Thresholds {
                    translation_anchor_dice: dice,
                    translation_encoder_cosine: cosine,
                    translation_encoder_margin: margin,
                    ..Thresholds::default()
                };
                let p = Pipeline::with_identifier(
                    Config {
                        thresholds,
                        ..Config::default()
                    },
                    Box::new(cognate::lang::WhatlangIdentifier),
                );
                let report = run_families(&docs, |_| {
                    let c = p.cluster(&entries);
                    let mut k = 0;
                    entries
                        .iter()
                        .map(|e| match e {
                            Entry::Ok(_) => {
                                k += 1;
                                c.families[c.doc_family[k - 1] as usize].id.clone()
                            }
                            Entry::Failed(f) => f.id.clone(),
                        })
                        .collect()
                });
                let b = &report.overall.bcubed;
                println!(
                    "dice {dice:.2} cosine {cosine:.2} margin {margin:.2}: B3 P {:.3} R {:.3} F1 {:.3}",
                    b.precision, b.recall, b.f1
                );
                results.push((b.f1, dice, cosine, margin));
            }
        }
    }
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((f1, dice, cosine, margin)) = results.last() {
        println!(
            "best: translation_anchor_dice {dice}, translation_encoder_cosine {cosine}, translation_encoder_margin {margin} (B3 F1 {f1:.3})"
        );
    }
    Ok(())
}
