//! MinHash parameters and tokenisation measured on a near-duplicate corpus
//! (`cognate eval synth --near-dup`).
//!
//! ```sh
//! # P/R/F1 per shingle size, bands × rows and tokenisation of unspaced scripts:
//! cargo run --release -p cognate --example sweep_minhash -- sweep CORPUS.jsonl
//! # the same with threshold sets (JSON files of `score::Thresholds` fields) at one setting:
//! cargo run --release -p cognate --example sweep_minhash -- thresholds CORPUS.jsonl 5 20 5 A.json B.json…
//! # unspaced scripts as characters vs ICU words at one setting:
//! cargo run --release -p cognate --example sweep_minhash -- unspaced CORPUS.jsonl 2 16 4
//! # features throughput, unspaced scripts as characters vs ICU words, on WMT texts:
//! cargo run --release -p cognate --example sweep_minhash -- speed ../shared/data/wmt22
//! ```
//!
//! Documents are cleaned and analysed once (language, anchors); each setting only
//! recomputes the signatures from the stored token hashes and re-clusters
//! (`--no-model` mode), then is scored by `eval::near_dup::evaluate`.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::Instant;

use cognate::document::Record;
use cognate::eval::near_dup;
use cognate::features::minhash::token_hash;
use cognate::features::{MinHasher, Unspaced, extract_anchors, words_with};
use cognate::ingest::{Ingest, IngestOptions, Input};
use cognate::pipeline::{Config, Entry, MinHasherConfig, Pipeline};
use cognate::score::Thresholds;
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("sweep") => sweep(&args[1], None),
        Some("thresholds") => {
            let n = |i: usize| args[i].parse::<usize>().expect("a number");
            sweep(&args[1], Some(((n(2), n(3), n(4)), args[5..].to_vec())))
        }
        Some("unspaced") => {
            let n = |i: usize| args[i].parse::<usize>().expect("a number");
            sweep(
                &args[1],
                Some(((n(2), n(3), n(4)), vec!["chars".to_string()])),
            )
        }
        Some("speed") => speed(&args[1]),
        _ => eprintln!(
            "usage: sweep CORPUS | thresholds CORPUS S B R FILE… | unspaced CORPUS S B R | speed WMT_DIR"
        ),
    }
}

struct Loaded {
    entries: Vec<Entry>,
    /// Token hashes of each Ok entry, per tokenisation.
    tokens: [Vec<Vec<u64>>; 2],
    labels: Vec<near_dup::NearDupLabel>,
}

fn load(corpus: &str) -> Loaded {
    let t = Instant::now();
    let records: Vec<Record> = Ingest::new(
        vec![Input::Path(PathBuf::from(corpus))],
        IngestOptions::default(),
    )
    .collect();
    let pipeline = Pipeline::new(Config::default());
    let texts: Vec<String> = records
        .par_iter()
        .map(|r| match r {
            Record::Ok(d) => pipeline.clean(d).cleaned.text,
            Record::Failed(_) => String::new(),
        })
        .collect();
    let hashes = |mode: Unspaced| -> Vec<Vec<u64>> {
        texts
            .par_iter()
            .map(|t| words_with(t, mode).iter().map(|w| token_hash(w)).collect())
            .collect()
    };
    let tokens = [hashes(Unspaced::Characters), hashes(Unspaced::Words)];
    let entries = pipeline.analyze_records(records);
    let labels = near_dup::read_labels(
        BufReader::new(std::fs::File::open(corpus).expect("corpus")),
        corpus,
    )
    .expect("labels");
    eprintln!(
        "loaded {} documents in {:.1} s",
        entries.len(),
        t.elapsed().as_secs_f64()
    );
    Loaded {
        entries,
        tokens,
        labels,
    }
}

fn run(
    data: &Loaded,
    mode: usize,
    (shingle, bands, rows): (usize, usize, usize),
    thresholds: Thresholds,
) -> (near_dup::NearDupReport, f64) {
    let t = Instant::now();
    let config = Config {
        minhash: MinHasherConfig {
            shingle,
            bands,
            rows,
        },
        thresholds,
        ..Config::default()
    };
    let hasher = MinHasher::new(shingle, bands, rows);
    let pipeline = Pipeline::new(config);
    let entries: Vec<Entry> = data
        .entries
        .par_iter()
        .zip(&data.tokens[mode])
        .map(|(e, toks)| match e {
            Entry::Ok(a) => {
                let mut a = a.clone();
                a.features.signature = hasher.signature_of_hashes(toks);
                Entry::Ok(a)
            }
            Entry::Failed(f) => Entry::Failed(f.clone()),
        })
        .collect();
    let clustering = pipeline.cluster(&entries);
    let mut predicted = HashMap::new();
    let mut k = 0;
    for e in &entries {
        if let Entry::Ok(a) = e {
            let f = &clustering.families[clustering.doc_family[k] as usize];
            predicted.insert(a.id.clone(), f.id.clone());
            k += 1;
        }
    }
    let report = near_dup::evaluate(&data.labels, &predicted);
    (report, t.elapsed().as_secs_f64())
}

fn lang_f1(r: &near_dup::NearDupReport, langs: &[&str]) -> String {
    langs
        .iter()
        .map(|l| {
            r.by_lang
                .iter()
                .find(|(x, _)| x == l)
                .map_or("-".to_string(), |(_, p)| format!("{:.3}", p.f1))
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

fn rate_recall(r: &near_dup::NearDupReport) -> String {
    r.by_rate
        .iter()
        .map(|b| format!("{:.3}", b.pairwise.recall))
        .collect::<Vec<_>>()
        .join(" ")
}

fn sweep(corpus: &str, thresholds: Option<((usize, usize, usize), Vec<String>)>) {
    let data = load(corpus);
    println!(
        "| unspaced | shingle | bands×rows | bytes/doc | P | R | F1 | F1 rates ≤ 0.10 | zh / ja F1 | recall by rate (0.01 … 0.30) | across-language F1 | s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let row = |mode: usize, p: (usize, usize, usize), name: &str, t: Thresholds| {
        let (r, secs) = run(&data, mode, p, t);
        println!(
            "| {} | {} | {}×{} {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} | {:.3} | {:.1} |",
            ["chars", "words"][mode],
            p.0,
            p.1,
            p.2,
            name,
            4 * p.1 * p.2,
            r.within_language.precision,
            r.within_language.recall,
            r.within_language.f1,
            r.within_language_up_to_10.f1,
            lang_f1(&r, &["zh", "ja"]),
            rate_recall(&r),
            r.cross_language.f1,
            secs
        );
    };
    match thresholds {
        Some((p, files)) => {
            row(1, p, "defaults", Thresholds::default());
            if files == ["chars"] {
                row(0, p, "", Thresholds::default());
                return;
            }
            for f in files {
                let t: Thresholds =
                    serde_json::from_str(&std::fs::read_to_string(&f).expect("thresholds file"))
                        .expect("thresholds JSON");
                row(1, p, &f, t);
            }
        }
        None => {
            for mode in [0, 1] {
                row(mode, (5, 20, 5), "", Thresholds::default());
            }
            for shingle in [2, 3, 4, 5] {
                for (b, r) in [(20, 5), (25, 4), (14, 8), (9, 13), (32, 3), (16, 4)] {
                    if shingle == 5 && (b, r) == (20, 5) {
                        continue;
                    }
                    row(1, (shingle, b, r), "", Thresholds::default());
                }
            }
        }
    }
}

fn speed(wmt: &str) {
    let docs =
        cognate::eval::wmt::load_wmt_dir(wmt, &cognate::eval::wmt::WmtOptions::all_domains())
            .expect("WMT files")
            .into_iter()
            .filter(|d| d.lang == "zh" || d.lang == "ja")
            .map(|d| d.text)
            .collect::<Vec<_>>();
    let hasher = MinHasher::default();
    let chars: usize = docs.iter().map(|d| d.chars().count()).sum();
    println!("{} zh/ja WMT22 texts, {} characters", docs.len(), chars);
    let mut best = [f64::MAX; 2];
    let mut tokens = [0usize; 2];
    // Alternate the two modes, best of 5 each, on one thread.
    for _ in 0..5 {
        for (m, mode) in [Unspaced::Characters, Unspaced::Words]
            .into_iter()
            .enumerate()
        {
            let t = Instant::now();
            let mut n = 0;
            for d in &docs {
                let w = words_with(d, mode);
                n += w.len();
                std::hint::black_box(hasher.signature(&w));
                std::hint::black_box(extract_anchors(d));
            }
            best[m] = best[m].min(t.elapsed().as_secs_f64());
            tokens[m] = n;
        }
    }
    for (m, name) in ["characters", "ICU words"].iter().enumerate() {
        println!(
            "{name}: {} tokens, features {:.0} docs/s ({:.2} s)",
            tokens[m],
            docs.len() as f64 / best[m],
            best[m]
        );
    }
    println!("ratio words/characters time: {:.2}", best[1] / best[0]);
}
