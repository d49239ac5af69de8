//! Checks of the loaders on the real data sets, printed for a human. Ignored by default
//! (CI has no data); run with
//! `COGNATE_DATA=../shared/data cargo test -p cognate --lib eval::real_data -- --ignored --nocapture`.
//! Optional: `COGNATE_TRAFILATURA=/work/data/trafilatura/tests`,
//! `COGNATE_LINGUA=/work/data/lingua/language-testdata/sentences`.

use std::path::PathBuf;

use super::report::Table;
use super::*;

fn var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).map(PathBuf::from)
}

#[test]
#[ignore = "needs COGNATE_DATA"]
fn wmt_real_files() {
    let Some(dir) = var("COGNATE_DATA") else {
        return;
    };
    let dir = dir.join("wmt22");
    for (name, opts) in [
        ("news", wmt::WmtOptions::default()),
        ("all domains", wmt::WmtOptions::all_domains()),
    ] {
        let start = std::time::Instant::now();
        let docs = wmt::load_wmt_dir(&dir, &opts).unwrap();
        let mut t = Table::new(["file", "families", "src", "ref", "hyp"]);
        for (pair, c) in wmt::doc_counts(&docs) {
            t.row([
                pair,
                c[0].to_string(),
                c[1].to_string(),
                c[2].to_string(),
                c[3].to_string(),
            ]);
        }
        println!(
            "WMT22 {name}: {} docs in {:.2}s\n{t}",
            docs.len(),
            start.elapsed().as_secs_f64()
        );
        let mut domains: std::collections::BTreeMap<(String, String), usize> = Default::default();
        for d in docs.iter().filter(|d| d.kind == wmt::WmtKind::Src) {
            *domains
                .entry((
                    d.file_pair.clone(),
                    d.domain.clone().unwrap_or("(none)".into()),
                ))
                .or_default() += 1;
        }
        println!("{domains:?}");
        let ids: std::collections::HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), docs.len(), "ids unique");
        assert!(
            docs.iter()
                .all(|d| !d.text.trim().is_empty() && !d.lang.is_empty())
        );
    }
    let docs = wmt::load_wmt_dir(&dir, &wmt::WmtOptions::default()).unwrap();
    let d = &docs[0];
    println!(
        "example {} [{}]:\n{}\n",
        d.id,
        d.lang,
        &d.text[..d.text.len().min(600)]
    );
    // Baselines: every doc alone, and one cluster per language.
    let single = wmt::run_families(&docs, |d| d.iter().map(|x| x.id.clone()).collect());
    println!("singletons:\n{}", single.table());
    let src_lang = wmt::run_families(&docs, |d| d.iter().map(|x| x.lang.clone()).collect());
    println!("one cluster per language:\n{}", src_lang.table());
}

#[test]
#[ignore = "needs COGNATE_DATA"]
fn semeval_real_file() {
    let Some(dir) = var("COGNATE_DATA") else {
        return;
    };
    let pairs = semeval::load_semeval(dir.join("semeval2022-task8/training_set.csv")).unwrap();
    let original = pairs.iter().filter(|p| !p.augmented).count();
    let bases: std::collections::HashSet<String> = pairs.iter().map(|p| p.base_pair()).collect();
    println!(
        "SemEval: {} pairs, {} original, {} augmented, {} base pairs",
        pairs.len(),
        original,
        pairs.len() - original,
        bases.len()
    );
    let f = semeval::folds(&pairs, 5, 42);
    let mut sizes = [0usize; 5];
    for &x in &f {
        sizes[x] += 1;
    }
    println!("5 folds: {sizes:?}");
    // A trivial baseline: token overlap (Jaccard) of the two texts, mapped to 1..4.
    let jaccard = |p: &semeval::SemevalPair| {
        let a: std::collections::HashSet<String> = metrics::tokens(&p.text1).into_iter().collect();
        let b: std::collections::HashSet<String> = metrics::tokens(&p.text2).into_iter().collect();
        let j = a.intersection(&b).count() as f64 / a.union(&b).count().max(1) as f64;
        semeval::similarity_to_semeval(j)
    };
    let r = semeval::run_semeval(&pairs, jaccard);
    println!("token Jaccard baseline:\n{}", r.table());
    assert_eq!(r.overall.correlation.n, pairs.len());
}

#[test]
#[ignore = "needs COGNATE_TRAFILATURA"]
fn trafilatura_real_set() {
    let Some(dir) = var("COGNATE_TRAFILATURA") else {
        return;
    };
    let cases = extraction::load_trafilatura(&dir).unwrap();
    let transcoded = cases.iter().filter(|c| c.transcoded).count();
    let with: usize = cases.iter().map(|c| c.with.len()).sum();
    let without: usize = cases.iter().map(|c| c.without.len()).sum();
    println!(
        "trafilatura: {} pages ({} transcoded), {with} with / {without} without snippets",
        cases.len(),
        transcoded
    );
    // Baselines: the raw HTML (keeps everything), and a crude tag stripper.
    let raw = extraction::run_extraction(&cases, |h| h.to_string());
    println!("raw html:\n{}", raw.table());
    let strip = |h: &str| {
        let mut out = String::with_capacity(h.len());
        let mut in_tag = false;
        for c in h.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    };
    let r = extraction::run_extraction(&cases, strip);
    println!("tag stripper:\n{}", r.table());
    let empty = extraction::run_extraction(&cases, |_| String::new());
    println!("empty:\n{}", empty.table());
}

#[test]
#[ignore = "needs COGNATE_LINGUA"]
fn lingua_real_set() {
    let Some(dir) = var("COGNATE_LINGUA") else {
        return;
    };
    let cases = langid::load_lingua_sentences(&dir, None).unwrap();
    let langs: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.lang.as_str()).collect();
    println!(
        "lingua: {} sentences, {} languages: {langs:?}",
        cases.len(),
        langs.len()
    );
    use crate::lang::LanguageIdentifier;
    let id = crate::lang::WhatlangIdentifier;
    let r = langid::run_langid(&cases, |t| id.identify(t).map(|g| g.lang));
    println!("whatlang, worst ten:\n{}", r.table(Some(10)));
}

#[test]
#[ignore = "needs COGNATE_DATA"]
fn synth_from_real_wmt() {
    let Some(dir) = var("COGNATE_DATA") else {
        return;
    };
    let docs = wmt::load_wmt_dir(dir.join("wmt22"), &wmt::WmtOptions::all_domains()).unwrap();
    let n: usize = std::env::var("COGNATE_SYNTH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let out = std::env::temp_dir().join("cognate-synth.jsonl");
    let start = std::time::Instant::now();
    let f = std::fs::File::create(&out).unwrap();
    let stats = synth::generate(&docs, n, 2022, f).unwrap();
    println!(
        "synth: {} docs from {} WMT docs in {:.1}s → {} ({:.1} MB): {:?}",
        stats.documents,
        docs.len(),
        start.elapsed().as_secs_f64(),
        out.display(),
        stats.bytes as f64 / 1e6,
        stats
    );
    let gold = synth::read_gold_labels(
        std::io::BufReader::new(std::fs::File::open(&out).unwrap()),
        "synth",
    )
    .unwrap();
    // Sanity check of the runner: predicting the gold family scores 1.
    let pred: std::collections::HashMap<String, String> = gold
        .iter()
        .map(|g| (g.id.clone(), g.gold_family.clone()))
        .collect();
    let r = synth::run_labelled(&gold, &pred);
    assert_eq!(r.families.overall.bcubed.f1, 1.0);
    println!("{}", r.families.table());
}
