//! Language identification on lingua's test sentences: fastText (lid.176) against
//! whatlang, with the project's harness (`cognate::eval::langid`), on one thread.
//!
//! ```text
//! cargo run --release -p cognate --example langid_eval -- \
//!     /work/data/lingua/language-testdata/sentences [MAX_PER_LANGUAGE] [--variants]
//! ```
//!
//! `--variants` also scores the raw fastText answer (no script rule, no whatlang
//! backstop), fastText without the backstop, and fastText on lower-cased text; `--short` scores "titles" (each sentence's first four words);
//! `--bodies` compares `identify_body` with `identify_paragraphs` on synthetic pages
//! (sentences of one language in paragraphs, English boilerplate lines and an
//! English paragraph mixed in). Needs `.cache/models/lid.176.ftz`
//! (scripts/fetch-models.sh).

use std::collections::BTreeMap;

use cognate::eval::langid::{
    LangIdCase, LangIdReport, load_lingua_sentences, run_langid, same_language,
};
use cognate::lang::{
    FastTextIdentifier, LanguageIdentifier, WhatlangIdentifier, identify_body, identify_paragraphs,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let variants = args.iter().any(|a| a == "--variants");
    let short = args.iter().any(|a| a == "--short");
    let bodies = args.iter().any(|a| a == "--bodies");
    let all = args.iter().any(|a| a == "--all");
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
        run("fasttext-no-backstop", &|t| {
            fasttext.predict(t, 1).into_iter().next().map(|g| g.lang)
        });
        run("fasttext-lowercase", &|t| {
            fasttext.identify(&t.to_lowercase()).map(|g| g.lang)
        });
    }
    if short {
        let titles: Vec<LangIdCase> = cases
            .iter()
            .map(|c| LangIdCase {
                lang: c.lang.clone(),
                text: c
                    .text
                    .split_whitespace()
                    .take(4)
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect();
        for id in [&fasttext as &dyn LanguageIdentifier, &whatlang] {
            let r = pool.install(|| run_langid(&titles, |t| id.identify(t).map(|g| g.lang)));
            runs.push((format!("{} on 4-word titles", id.name()), r));
        }
    }
    if bodies {
        let pages = synthetic_pages(&cases, 20);
        println!("\n## Synthetic pages ({} pages)\n", pages.len());
        println!("| identifier | method | short page | long page | 60/40 mixed |");
        println!("|---|---|---|---|---|");
        for id in [&fasttext as &dyn LanguageIdentifier, &whatlang] {
            for (method, f) in [
                ("identify_body", identify_body as fn(_, _) -> _),
                ("identify_paragraphs", identify_paragraphs),
            ] {
                let mut by_shape: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
                for (lang, shape, text) in &pages {
                    let e = by_shape.entry(shape).or_default();
                    e.0 += 1;
                    if f(id, text).is_some_and(|g| same_language(lang, &g.lang)) {
                        e.1 += 1;
                    }
                }
                let acc = |s: &str| {
                    let (n, k) = by_shape.get(s).copied().unwrap_or((0, 0));
                    k as f64 / n.max(1) as f64
                };
                println!(
                    "| {} | {method} | {:.3} | {:.3} | {:.3} |",
                    id.name(),
                    acc("short"),
                    acc("long"),
                    acc("mixed")
                );
            }
        }
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
        println!("{}", r.table(if all { None } else { Some(10) }));
    }
    Ok(())
}

const BOILERPLATE: [&str; 8] = [
    "Share",
    "Read more",
    "Sign up for our newsletter",
    "Advertisement",
    "All rights reserved.",
    "Cookie settings",
    "Follow us on Twitter",
    "Most popular",
];

/// Pages of `per_shape` kinds for each language: (gold language, shape, text).
/// `short`: one paragraph of two sentences, the boilerplate lines, one sentence of the
/// intruding language (English; French on English pages). `long`: eight paragraphs of
/// three sentences, the boilerplate, an intruding paragraph of four sentences.
/// `mixed`: three paragraphs of two sentences, two intruding paragraphs of two.
fn synthetic_pages(cases: &[LangIdCase], per_shape: usize) -> Vec<(String, &'static str, String)> {
    let mut by_lang: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in cases {
        by_lang.entry(&c.lang).or_default().push(&c.text);
    }
    let pool = |l: &str| by_lang.get(l).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (lang, sents) in &by_lang {
        let intruder = pool(if *lang == "en" { "fr" } else { "en" });
        if sents.is_empty() || intruder.is_empty() {
            continue;
        }
        let (mut i, mut j) = (0usize, 0usize);
        let take = |v: &Vec<&str>, k: &mut usize, n: usize| {
            let s: Vec<&str> = (0..n).map(|x| v[(*k + x) % v.len()]).collect();
            *k += n;
            s.join(" ")
        };
        for _ in 0..per_shape {
            let mut short = vec![take(sents, &mut i, 2)];
            short.extend(BOILERPLATE.iter().map(|b| b.to_string()));
            short.push(take(&intruder, &mut j, 1));
            out.push((lang.to_string(), "short", short.join("\n\n")));

            let mut long: Vec<String> = (0..8).map(|_| take(sents, &mut i, 3)).collect();
            long.extend(BOILERPLATE.iter().map(|b| b.to_string()));
            long.insert(2, take(&intruder, &mut j, 4));
            out.push((lang.to_string(), "long", long.join("\n\n")));

            let mut mixed: Vec<String> = (0..3).map(|_| take(sents, &mut i, 2)).collect();
            mixed.insert(0, take(&intruder, &mut j, 2));
            mixed.insert(2, take(&intruder, &mut j, 2));
            out.push((lang.to_string(), "mixed", mixed.join("\n\n")));
        }
    }
    out
}
