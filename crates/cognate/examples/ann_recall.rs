//! Recall and speed of the approximate neighbour search against the exact one.
//!
//! Synthetic vectors (a shared direction, a language offset, a topic and noise, so
//! cosines crowd into a high band as the encoder's do), side by side in one run:
//!
//!   cargo run --release -p cognate --example ann_recall -- synthetic 100000 [--exact]
//!
//! Real lead vectors of WMT documents (embedded once; with a vector cache folder,
//! later runs read them from it), with the family scores for exact and approximate
//! neighbourhoods:
//!
//!   cargo run --release -p cognate --example ann_recall -- wmt ../shared/data/wmt22 --cache DIR
//!
//! Recall@k is measured on a sample of 2,000 queries (or all of them): the share of
//! the exact k nearest (same language, other languages) that the index finds.

use std::sync::Arc;
use std::time::Instant;

use cognate::candidates::ann::{AnnParams, nearest_approx};
use cognate::candidates::neighbours::{NeighbourSearch, Neighbourhood, nearest_exact};
use cognate::document::Record;
use cognate::eval::wmt::{WmtOptions, load_wmt_dir, run_families};
use cognate::features::embedding::LeadVector;
use cognate::pipeline::{Config, Entry, Pipeline};

const K: usize = 6;
const SAMPLE: usize = 2_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("synthetic") => {
            let n: usize = args.get(1).ok_or("synthetic N")?.parse()?;
            synthetic(n, args.iter().any(|a| a == "--exact"));
            Ok(())
        }
        Some("wmt") => {
            let dir = args.get(1).ok_or("wmt DIR")?;
            let cache = args
                .iter()
                .position(|a| a == "--cache")
                .and_then(|i| args.get(i + 1));
            wmt(dir, cache.map(String::as_str))
        }
        _ => Err("usage: ann_recall synthetic N [--exact] | wmt DIR [--cache DIR]".into()),
    }
}

/// A small deterministic generator (xorshift) with Gaussian draws.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn gauss(&mut self) -> f32 {
        let (u, v) = (self.next().max(1e-12), self.next());
        ((-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()) as f32
    }
    fn unit(&mut self, dim: usize) -> Vec<f32> {
        let v: Vec<f32> = (0..dim).map(|_| self.gauss()).collect();
        normalise(v)
    }
}

fn normalise(v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / n).collect()
}

fn synthetic(n: usize, exact_all: bool) {
    let dim = 384;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let shared = rng.unit(dim);
    // Ten languages, the first much larger (as English is in news crawls).
    let shares = [0.35, 0.15, 0.1, 0.1, 0.08, 0.07, 0.05, 0.04, 0.03, 0.03];
    let names = ["en", "de", "fr", "ru", "zh", "ja", "cs", "uk", "hr", "is"];
    let offsets: Vec<Vec<f32>> = names.iter().map(|_| rng.unit(dim)).collect();
    let topics: Vec<Vec<f32>> = (0..(n / 20).max(1)).map(|_| rng.unit(dim)).collect();
    let mut langs = Vec::with_capacity(n);
    let mut vectors = Vec::with_capacity(n);
    for _ in 0..n {
        let r = rng.next();
        let mut acc = 0.0;
        let mut l = shares.len() - 1;
        for (i, s) in shares.iter().enumerate() {
            acc += s;
            if r < acc {
                l = i;
                break;
            }
        }
        let t = &topics[(rng.next() * topics.len() as f64) as usize % topics.len()];
        let noise = rng.unit(dim);
        let v: Vec<f32> = (0..dim)
            .map(|d| 2.0 * shared[d] + 0.6 * offsets[l][d] + 1.0 * t[d] + 0.8 * noise[d])
            .collect();
        langs.push(names[l]);
        vectors.push(LeadVector::quantize(&normalise(v)));
    }
    let refs: Vec<Option<&LeadVector>> = vectors.iter().map(Some).collect();
    compare(&refs, &langs, exact_all);
}

/// Exact (on a sample, or all with `exact_all`) against approximate, side by side.
fn compare(refs: &[Option<&LeadVector>], langs: &[&str], exact_all: bool) {
    let n = refs.len();
    let params = AnnParams::default();
    let started = Instant::now();
    let (approx, index_bytes) = nearest_approx(refs, langs, K, &params);
    let approx_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let exact = if exact_all {
        nearest_exact(refs, langs, K)
    } else {
        exact_sample(refs, langs, sample(n))
    };
    let exact_seconds = started.elapsed().as_secs_f64();
    let queries: Vec<usize> = if exact_all {
        (0..n).collect()
    } else {
        sample(n)
    };
    let (mut same, mut same_total, mut other, mut other_total) = (0, 0, 0, 0);
    for (q, &i) in queries.iter().enumerate() {
        let e = if exact_all { &exact[i] } else { &exact[q] };
        let a = &approx[i];
        let found = |list: &[(u32, f32)], j: u32| list.iter().any(|x| x.0 == j);
        same_total += e.same_language.len();
        same += e
            .same_language
            .iter()
            .filter(|x| found(&a.same_language, x.0))
            .count();
        other_total += e.other_languages.len();
        other += e
            .other_languages
            .iter()
            .filter(|x| found(&a.other_languages, x.0))
            .count();
    }
    let exact_label = if exact_all {
        "exact search, all".to_string()
    } else {
        format!(
            "exact search of {} queries (all {n} extrapolated: {:.1}s)",
            queries.len(),
            exact_seconds * n as f64 / queries.len() as f64
        )
    };
    println!(
        "n={n} k={K}: recall@{K} same language {:.4}, other languages {:.4}; \
         approximate (build + all queries) {approx_seconds:.1}s, {exact_label} {exact_seconds:.1}s; \
         index {:.0} bytes/vector (resident growth)",
        same as f64 / same_total.max(1) as f64,
        other as f64 / other_total.max(1) as f64,
        index_bytes as f64 / n as f64
    );
}

fn sample(n: usize) -> Vec<usize> {
    if n <= SAMPLE {
        return (0..n).collect();
    }
    (0..SAMPLE).map(|s| s * n / SAMPLE).collect()
}

/// Exact neighbourhoods of the sampled queries only.
fn exact_sample(
    refs: &[Option<&LeadVector>],
    langs: &[&str],
    queries: Vec<usize>,
) -> Vec<Neighbourhood> {
    use rayon::prelude::*;
    queries
        .par_iter()
        .map(|&i| {
            let v = refs[i].expect("synthetic vectors are all present");
            let mut same: Vec<(u32, f32)> = Vec::new();
            let mut other: Vec<(u32, f32)> = Vec::new();
            for (j, w) in refs.iter().enumerate() {
                let Some(w) = w else { continue };
                if j == i {
                    continue;
                }
                let list = if langs[i] == langs[j] {
                    &mut same
                } else {
                    &mut other
                };
                list.push((j as u32, v.cosine(w)));
            }
            let top = |mut l: Vec<(u32, f32)>| {
                l.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
                l.truncate(K);
                l
            };
            Neighbourhood {
                same_language: top(same),
                other_languages: top(other),
            }
        })
        .collect()
}

fn wmt(dir: &str, cache: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
    let docs = load_wmt_dir(dir, &WmtOptions::default())?;
    let model = cognate_encoder::E5Model::load_default()?;
    let mut pipeline = Pipeline::new(Config::default());
    if let Some(cache) = cache {
        pipeline = pipeline.with_vector_cache(
            cognate::features::vector_cache::VectorCache::open_for_model(cache.as_ref(), &model)?,
        );
    }
    let pipeline = pipeline.with_encoder(Arc::new(model));
    let started = Instant::now();
    let entries =
        pipeline.analyze_records(docs.iter().map(|d| Record::Ok(d.to_document())).collect());
    eprintln!(
        "analysed {} documents in {:.0}s",
        entries.len(),
        started.elapsed().as_secs_f64()
    );
    let analyses: Vec<&cognate::pipeline::Analysis> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Ok(a) => Some(a.as_ref()),
            Entry::Failed(_) => None,
        })
        .collect();
    let refs: Vec<Option<&LeadVector>> = analyses.iter().map(|a| a.lead.as_ref()).collect();
    let langs: Vec<&str> = analyses.iter().map(|a| a.lang.as_str()).collect();
    compare(&refs, &langs, true);
    // Family scores with exact and with (forced) approximate neighbourhoods; small
    // languages are then still scanned exactly, so force the graph for them too.
    for (label, exact_limit, exact_group) in [
        ("exact", usize::MAX, 0),
        ("approximate", 0, 5_000),
        ("approximate, graph for every language", 0, 0),
    ] {
        let p = Pipeline::with_identifier(
            Config {
                neighbours: NeighbourSearch {
                    exact_limit,
                    ann: AnnParams {
                        exact_group,
                        ..AnnParams::default()
                    },
                },
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
                    Entry::Failed(f) => format!("failed-{}", f.id),
                })
                .collect()
        });
        println!(
            "{label}: B3 P {:.3} R {:.3} F1 {:.3}",
            report.overall.bcubed.precision, report.overall.bcubed.recall, report.overall.bcubed.f1
        );
    }
    Ok(())
}
