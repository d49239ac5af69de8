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
    let Some(dir) = var("COGNATE_DATA") else { return };
    let dir = dir.join("wmt22");
    for (name, opts) in [
        ("news", wmt::WmtOptions::default()),
        ("all domains", wmt::WmtOptions::all_domains()),
    ] {
        let start = std::time::Instant::now();
        let docs = wmt::load_wmt_dir(&dir, &opts).unwrap();
        let mut t = Table::new(["file", "families", "src", "ref", "hyp"]);
        for (pair, c) in wmt::doc_counts(&docs) {
            t.row([pair, c[0].to_string(), c[1].to_string(), c[2].to_string(), c[3].to_string()]);
        }
        println!("WMT22 {name}: {} docs in {:.2}s\n{t}", docs.len(), start.elapsed().as_secs_f64());
        let mut domains: std::collections::BTreeMap<(String, String), usize> = Default::default();
        for d in docs.iter().filter(|d| d.kind == wmt::WmtKind::Src) {
            *domains
                .entry((d.file_pair.clone(), d.domain.clone().unwrap_or("(none)".into())))
                .or_default() += 1;
        }
        println!("{domains:?}");
        let ids: std::collections::HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), docs.len(), "ids unique");
        assert!(docs.iter().all(|d| !d.text.trim().is_empty() && !d.lang.is_empty()));
    }
    let docs = wmt::load_wmt_dir(&dir, &wmt::WmtOptions::default()).unwrap();
    let d = &docs[0];
    println!("example {} [{}]:\n{}\n", d.id, d.lang, &d.text[..d.text.len().min(600)]);
    // Baselines: every doc alone, and one cluster per language.
    let single = wmt::run_families(&docs, |d| d.iter().map(|x| x.id.clone()).collect());
    println!("singletons:\n{}", single.table());
    let src_lang = wmt::run_families(&docs, |d| d.iter().map(|x| x.lang.clone()).collect());
    println!("one cluster per language:\n{}", src_lang.table());
}
