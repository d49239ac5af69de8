//! Where the families go wrong on WMT test sets: each gold family split into several
//! predicted families, and each predicted family holding several gold ones, with the
//! signals of the pairs that decided (lead cosine and margin, anchor Dice, lengths,
//! languages). Lead vectors come from the vector cache when one is given.
//!
//! cargo run --release -p cognate --example wmt_errors -- ../shared/data/wmt22 [--cache DIR] [--no-model] [--thresholds FILE] [--pairs]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cognate::candidates::neighbours::{NeighbourSearch, nearest};
use cognate::document::Record;
use cognate::eval::wmt::{WmtDoc, WmtKind, WmtOptions, load_wmt_dir, run_families};
use cognate::pipeline::{Analysis, Config, Entry, Pipeline};
use cognate::score::{AnchorWeights, ArticleView, Judgement, judge, signals};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().ok_or(
        "usage: wmt_errors WMT_DIR [--cache DIR] [--no-model] [--thresholds FILE] [--pairs]",
    )?;
    let no_model = args.iter().any(|a| a == "--no-model");
    let cache = args
        .iter()
        .position(|a| a == "--cache")
        .and_then(|i| args.get(i + 1));
    let docs = load_wmt_dir(dir, &WmtOptions::default())?;
    let thresholds = match args.iter().position(|a| a == "--thresholds") {
        Some(i) => serde_json::from_str(&std::fs::read_to_string(
            args.get(i + 1).ok_or("--thresholds FILE")?,
        )?)?,
        None => cognate::score::Thresholds::default(),
    };
    let mut pipeline = Pipeline::new(Config {
        thresholds,
        ..Config::default()
    });
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
    let analyses: Vec<&Analysis> = entries
        .iter()
        .map(|e| match e {
            Entry::Ok(a) => a.as_ref(),
            Entry::Failed(f) => panic!("{} failed", f.id),
        })
        .collect();
    let started = std::time::Instant::now();
    let clustering = pipeline.cluster(&entries);
    eprintln!("clustered in {:.1}s", started.elapsed().as_secs_f64());
    let predicted: Vec<u32> = clustering.doc_family.clone();
    let report = run_families(&docs, |_| predicted.iter().map(|p| p.to_string()).collect());
    println!("{}", report.table());

    // The batch's view of each pair: anchor rarity over the batch, margins over the
    // nearest leads.
    let weights = AnchorWeights::from_corpus(analyses.iter().map(|a| &a.features.anchors[..]));
    let leads: Vec<_> = analyses.iter().map(|a| a.lead.as_ref()).collect();
    let langs: Vec<&str> = analyses.iter().map(|a| a.lang.as_str()).collect();
    let near = if leads.iter().any(Option::is_some) {
        nearest(&leads, &langs, 6, &NeighbourSearch::default()).0
    } else {
        vec![Default::default(); analyses.len()]
    };
    let view = |i: usize| ArticleView {
        neighbourhood_same: near[i].mean(true),
        neighbourhood_other: near[i].mean(false),
        ..analyses[i].view()
    };
    let jd = |i: usize, j: usize| {
        judge(
            &signals(&view(i), &view(j), &weights),
            &pipeline.config().thresholds,
        )
    };
    let describe = |i: usize| {
        let d: &WmtDoc = &docs[i];
        let kind = match &d.kind {
            WmtKind::Src => "src".to_string(),
            WmtKind::Ref { translator } => format!("ref-{translator}"),
            WmtKind::Hyp { system } => format!("hyp-{system}"),
        };
        let declared = if analyses[i].lang == d.lang {
            String::new()
        } else {
            format!(" (declared {})", d.lang)
        };
        format!(
            "{kind} {}{declared} {}ch",
            analyses[i].lang,
            d.text.chars().count()
        )
    };
    let pair = |j: &Judgement| {
        let s = &j.signals;
        format!(
            "{} cos {} margin {} dice {:.2} tdice {:.2} shared {}+{} lenratio {:.2} jacc {:.2}",
            j.relation.as_str(),
            s.encoder_cosine.map_or("-".into(), |c| format!("{c:.3}")),
            s.encoder_margin.map_or("-".into(), |c| format!("{c:.3}")),
            s.anchor_dice,
            s.translation_dice(),
            s.shared_numbers,
            s.shared_names,
            s.length_ratio,
            s.lexical_jaccard
        )
    };

    if args.iter().any(|a| a == "--pairs") {
        // Every pair within a file pair that the encoder's lead rule alone decides
        // (or nearly does): gold label and signals, for choosing the verification.
        let t = &pipeline.config().thresholds;
        for i in 0..docs.len() {
            for j in i + 1..docs.len() {
                if docs[i].file_pair != docs[j].file_pair {
                    continue;
                }
                let k = jd(i, j);
                let s = &k.signals;
                let lexical = s.exact_duplicate
                    || s.lexical_jaccard >= t.near_duplicate_jaccard
                    || (s.lexical_containment >= t.near_duplicate_containment
                        && s.anchor_containment >= 0.5);
                let anchors = s.translation_dice() >= t.translation_anchor_dice
                    && s.shared_numbers + s.shared_names >= t.translation_min_shared
                    && s.length_ratio >= 0.25;
                let (Some(c), Some(m)) = (s.encoder_cosine, s.encoder_margin) else {
                    continue;
                };
                if lexical || anchors || c < 0.80 || m < 0.93 {
                    continue;
                }
                println!(
                    "PAIR\t{}\t{}\t{}\t{}\t{c:.3}\t{m:.3}\t{:.3}\t{:.3}\t{:.2}\t{}\t{}\t{}",
                    (docs[i].family == docs[j].family) as u8,
                    s.same_language as u8,
                    analyses[i].lang,
                    analyses[j].lang,
                    s.lexical_jaccard,
                    s.translation_dice(),
                    s.length_ratio,
                    k.relation.as_str(),
                    docs[i].id,
                    docs[j].id
                );
            }
        }
        return Ok(());
    }
    let mut gold: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        gold.entry(d.family.as_str()).or_default().push(i);
    }
    let mut by_predicted: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, &p) in predicted.iter().enumerate() {
        by_predicted.entry(p).or_default().push(i);
    }

    println!("\n# Split gold families");
    for (family, members) in &gold {
        let mut pieces: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for &i in members {
            pieces.entry(predicted[i]).or_default().push(i);
        }
        if pieces.len() < 2 {
            continue;
        }
        let mut pieces: Vec<Vec<usize>> = pieces.into_values().collect();
        pieces.sort_by_key(|p| std::cmp::Reverse(p.len()));
        println!(
            "\n{family}: {} docs in {} pieces {:?}",
            members.len(),
            pieces.len(),
            pieces.iter().map(Vec::len).collect::<Vec<_>>()
        );
        let main = &pieces[0];
        for piece in &pieces[1..] {
            for &i in piece {
                // The best pair to the main piece, by lead cosine (anchor Dice without one).
                let best = main
                    .iter()
                    .map(|&j| (j, jd(i, j)))
                    .max_by(|a, b| {
                        let key = |j: &Judgement| {
                            j.signals.encoder_cosine.unwrap_or(j.signals.anchor_dice)
                        };
                        key(&a.1).total_cmp(&key(&b.1))
                    })
                    .expect("main piece not empty");
                let family_pairs = main
                    .iter()
                    .filter(|&&j| jd(i, j).relation.is_family())
                    .count();
                println!(
                    "  {} | best to main: {} {} | family pairs to main {}/{}",
                    describe(i),
                    describe(best.0),
                    pair(&best.1),
                    family_pairs,
                    main.len()
                );
            }
        }
    }

    println!("\n# Merged gold families");
    for members in by_predicted.values() {
        let mut golds: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in members {
            golds.entry(docs[i].family.as_str()).or_default().push(i);
        }
        if golds.len() < 2 {
            continue;
        }
        println!(
            "\npredicted family of {}: {:?}",
            members.len(),
            golds
                .iter()
                .map(|(g, m)| format!("{g} ×{}", m.len()))
                .collect::<Vec<_>>()
        );
        let groups: Vec<&Vec<usize>> = golds.values().collect();
        let mut shown: HashMap<(usize, usize), ()> = HashMap::new();
        for (x, gx) in groups.iter().enumerate() {
            for gy in &groups[x + 1..] {
                // Family-judged pairs across the two gold families: the links.
                let mut links: Vec<(usize, usize, Judgement)> = Vec::new();
                for &i in gx.iter() {
                    for &j in gy.iter() {
                        let k = jd(i, j);
                        if k.relation.is_family() {
                            links.push((i, j, k));
                        }
                    }
                }
                println!("  links {}", links.len());
                for (i, j, k) in links.iter().take(4) {
                    if shown.insert((*i, *j), ()).is_none() {
                        println!("    {} ~ {}: {}", describe(*i), describe(*j), pair(k));
                        println!("      {} | {}", docs[*i].id, docs[*j].id);
                    }
                }
            }
        }
    }
    Ok(())
}
