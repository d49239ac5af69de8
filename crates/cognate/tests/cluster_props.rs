//! Clustering invariants on generated corpora: every document in exactly one family
//! and one event, families nested inside events, ids deterministic and distinct.

use std::collections::{HashMap, HashSet};

use cognate::document::Record;
use cognate::pipeline::{Config, Entry, Pipeline};
use cognate::{Document, FailedDocument, Location, Origin};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "the",
    "minister",
    "said",
    "talks",
    "Geneva",
    "Brussels",
    "Stoltenberg",
    "troops",
    "border",
    "on",
    "Monday",
    "Lavrov",
    "agreement",
    "markets",
    "Tokyo",
    "rose",
    "percent",
    "NATO",
    "Kyiv",
    "and",
];

/// A document from word indices and numbers; some share text, numbers and names.
fn text(words: &[usize], numbers: &[u32]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        out.push_str(WORDS[w % WORDS.len()]);
        out.push(' ');
        if i % 5 == 4 {
            out.push_str(&numbers[i % numbers.len()].to_string());
            out.push_str(". ");
        }
    }
    out
}

fn corpus() -> impl Strategy<Value = Vec<(Vec<usize>, Vec<u32>, bool)>> {
    // (words, numbers, failed?) per document; small vocabularies make overlaps likely.
    prop::collection::vec(
        (
            prop::collection::vec(0usize..20, 0..60),
            prop::collection::vec(10u32..5000, 1..6),
            prop::bool::weighted(0.1),
        ),
        1..40,
    )
}

fn entries(pipeline: &Pipeline, spec: &[(Vec<usize>, Vec<u32>, bool)]) -> Vec<Entry> {
    let records = spec
        .iter()
        .enumerate()
        .map(|(i, (w, n, failed))| {
            if *failed {
                Record::Failed(FailedDocument {
                    id: format!("bad{i}"),
                    origin: Origin::new("gen", Location::Line(i as u64 + 1)),
                    error: "generated failure".into(),
                    extra: Default::default(),
                })
            } else {
                Record::Ok(Document::text(format!("d{i}"), text(w, n)))
            }
        })
        .collect();
    pipeline.analyze_records(records)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_document_in_one_family_and_one_event(spec in corpus()) {
        let pipeline = Pipeline::new(Config::default());
        let entries = entries(&pipeline, &spec);
        let c = pipeline.cluster(&entries);
        let ok = entries.iter().filter(|e| matches!(e, Entry::Ok(_))).count();
        prop_assert_eq!(c.doc_family.len(), ok);
        // Families partition the documents.
        let mut seen = HashSet::new();
        for (f, family) in c.families.iter().enumerate() {
            prop_assert!(!family.members.is_empty());
            prop_assert!(family.members.contains(&family.representative));
            for &m in &family.members {
                prop_assert!(seen.insert(m), "document {} in two families", m);
                prop_assert_eq!(c.doc_family[m as usize] as usize, f);
            }
        }
        prop_assert_eq!(seen.len(), ok);
        // Events partition the families, so families nest inside events.
        let mut families_seen = HashSet::new();
        for (e, event) in c.events.iter().enumerate() {
            for &f in &event.families {
                prop_assert!(families_seen.insert(f), "family {} in two events", f);
                prop_assert_eq!(c.family_event[f as usize] as usize, e);
            }
            prop_assert!(!event.related.contains(&(e as u32)));
        }
        prop_assert_eq!(families_seen.len(), c.families.len());
        // Ids are distinct.
        let ids: HashSet<&str> = c.families.iter().map(|f| f.id.as_str()).collect();
        prop_assert_eq!(ids.len(), c.families.len());
        let ids: HashSet<&str> = c.events.iter().map(|e| e.id.as_str()).collect();
        prop_assert_eq!(ids.len(), c.events.len());
    }

    #[test]
    fn ids_are_deterministic(spec in corpus()) {
        let pipeline = Pipeline::new(Config::default());
        let labels = |entries: &[Entry]| -> HashMap<String, (String, String)> {
            let c = pipeline.cluster(entries);
            let docs: Vec<&str> = entries.iter().filter_map(|e| match e {
                Entry::Ok(a) => Some(a.id.as_str()),
                Entry::Failed(_) => None,
            }).collect();
            docs.iter().enumerate().map(|(i, id)| {
                let f = c.doc_family[i] as usize;
                (id.to_string(), (c.families[f].id.clone(), c.events[c.family_event[f] as usize].id.clone()))
            }).collect()
        };
        let first = labels(&entries(&pipeline, &spec));
        let again = labels(&entries(&pipeline, &spec));
        prop_assert_eq!(&first, &again);
        // On one worker thread, the same ids.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let single = pool.install(|| labels(&entries(&pipeline, &spec)));
        prop_assert_eq!(&first, &single);
    }
}
