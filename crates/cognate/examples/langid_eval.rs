//! Language identification on lingua's test sentences: fastText (lid.176) against
//! whatlang, with the project's harness (`cognate::eval::langid`), on one thread.
//!
//! ```text
//! cargo run --release -p cognate --example langid_eval -- \
//!     /work/data/lingua/language-testdata/sentences [MAX_PER_LANGUAGE] [--variants]
//! ```
//!
//! `--variants` also scores the raw fastText answer (no script rule) and fastText on
//! lower-cased text. Needs `.cache/models/lid.176.ftz` (scripts/fetch-models.sh).

use cognate::eval::langid::{LangIdReport, load_lingua_sentences, run_langid};
use cognate::lang::{FastTextIdentifier, LanguageIdentifier, WhatlangIdentifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let variants = args.iter().any(|a| a == "--variants");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let dir = positional
        .first()
        .ok_or("usage: langid_eval DIR [MAX_PER_LANGUAGE] [--variants]")?;
    let max = positional.get(1).map(|m| m.parse::<usize>()).transpose()?;
    let cases = load_lingua_sentences(dir, max)?;
    eprintln!("{} sentences", cases.len());
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;

    let fasttext = FastTextIdentifier::from_default_location()?;
    let whatlang = WhatlangIdentifier;
    let mut runs: Vec<(String, LangIdReport)> = Vec::new();
    let mut run = |name: &str, f: &(dyn Fn(&str) -> Option<String> + Sync)| {
        let r = pool.install(|| run_langid(&cases, f));
        eprintln!(
            "{name}: macro {:.3} micro {:.3} {:.0} sentences/s",
            r.macro_accuracy, r.micro_accuracy, r.sentences_per_sec
        );
        runs.push((name.to_string(), r));
    };
    run(fasttext.name(), &|t| fasttext.identify(t).map(|g| g.lang));
    run(whatlang.name(), &|t| whatlang.identify(t).map(|g| g.lang));
    if variants {
        run("fasttext-raw", &|t| {
            fasttext
                .predict_raw(t, 1)
                .into_iter()
                .next()
                .map(|g| g.lang)
        });
        run("fasttext-lowercase", &|t| {
            fasttext.identify(&t.to_lowercase()).map(|g| g.lang)
        });
    }
    for (name, r) in &runs {
        println!(
            "\n## {name}: {} sentences, {} languages, macro {:.3}, micro {:.3}, \
             {:.0} sentences/s (1 thread, {:.1} s)\n",
            r.cases,
            r.languages,
            r.macro_accuracy,
            r.micro_accuracy,
            r.sentences_per_sec,
            r.seconds
        );
        println!("{}", r.table(Some(10)));
    }
    Ok(())
}
