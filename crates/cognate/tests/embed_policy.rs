//! Which leads get embedded: exact copies once, near-duplicates not at all under the
//! `Undecided` policy, nothing twice across runs with a vector cache.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cognate::document::{Document, Record};
use cognate::features::vector_cache::VectorCache;
use cognate::lang::WhatlangIdentifier;
use cognate::pipeline::{Config, EmbedPolicy, Entry, Pipeline};
use cognate_encoder::{Embedding, Encoder, EncoderError};

/// A fake encoder: a vector from the text's bytes; counts the texts it embeds.
#[derive(Default)]
struct Counting {
    texts: AtomicUsize,
    seen: Mutex<Vec<String>>,
}

impl Encoder for Counting {
    fn dim(&self) -> usize {
        16
    }
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Embedding>, EncoderError> {
        self.texts.fetch_add(texts.len(), Ordering::SeqCst);
        self.seen
            .lock()
            .unwrap()
            .extend(texts.iter().map(|t| t.to_string()));
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0.1f32; 16];
                for (i, b) in t.bytes().enumerate() {
                    v[i % 16] += b as f32 / 255.0;
                }
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                Embedding::from_vec(v.into_iter().map(|x| x / n).collect())
            })
            .collect())
    }
    fn name(&self) -> &str {
        "counting"
    }
}

fn story(n: usize) -> String {
    (0..60)
        .map(|w| format!("word{}x{}", w * 7 + n * 1000, n))
        .collect::<Vec<_>>()
        .join(" ")
}

fn records() -> Vec<Record> {
    let a = story(1);
    let b = story(2);
    // A near-duplicate of `a`: one word changed near the end (Jaccard ≥ 0.9), so a
    // different lead text is not the cause of the skip.
    let near = format!("{a} extra");
    vec![
        Record::Ok(Document::text("a", a.clone())),
        Record::Ok(Document::text("b", b)),
        Record::Ok(Document::text("a-copy", a)),
        Record::Ok(Document::text("a-near", near)),
    ]
}

fn pipeline(encoder: Arc<Counting>, cache: Option<VectorCache>) -> Pipeline {
    let p = Pipeline::with_identifier(Config::default(), Box::new(WhatlangIdentifier))
        .with_encoder(encoder);
    match cache {
        Some(c) => p.with_vector_cache(c),
        None => p,
    }
}

fn leads(entries: &[Entry]) -> Vec<Option<cognate::features::embedding::LeadVector>> {
    entries
        .iter()
        .map(|e| match e {
            Entry::Ok(a) => a.lead.clone(),
            Entry::Failed(_) => None,
        })
        .collect()
}

#[test]
fn copies_are_embedded_once_and_near_duplicates_not_at_all() {
    let encoder = Arc::new(Counting::default());
    let p = pipeline(encoder.clone(), None);
    let (mut entries, texts) = p.analyze_records_deferred(records(), None);
    let stats = p.embed_entries(&mut entries, &texts, EmbedPolicy::All);
    assert_eq!(
        encoder.texts.load(Ordering::SeqCst),
        3,
        "the copy is embedded once"
    );
    assert_eq!(
        (stats.leads, stats.distinct_texts, stats.embedded),
        (4, 3, 3)
    );
    let all = leads(&entries);
    assert!(all.iter().all(Option::is_some));
    assert_eq!(all[0], all[2]);

    let encoder = Arc::new(Counting::default());
    let p = pipeline(encoder.clone(), None);
    let (mut entries, texts) = p.analyze_records_deferred(records(), None);
    let stats = p.embed_entries(&mut entries, &texts, EmbedPolicy::Undecided);
    assert_eq!(stats.reused_near_duplicate, 2, "{stats:?}");
    assert_eq!(encoder.texts.load(Ordering::SeqCst), 2);
    let undecided = leads(&entries);
    assert!(undecided.iter().all(Option::is_some));
    assert_eq!(
        undecided[3], undecided[0],
        "the near-duplicate takes a's vector"
    );
    assert_eq!(undecided[1], all[1]);
}

#[test]
fn a_warm_cache_embeds_nothing_and_gives_the_same_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let cold = Arc::new(Counting::default());
    let p = pipeline(
        cold.clone(),
        Some(VectorCache::open(dir.path(), "counting").unwrap()),
    );
    let first = leads(&p.analyze_records(records()));
    assert_eq!(cold.texts.load(Ordering::SeqCst), 3);
    drop(p);

    let warm = Arc::new(Counting::default());
    let p = pipeline(
        warm.clone(),
        Some(VectorCache::open(dir.path(), "counting").unwrap()),
    );
    let (mut entries, texts) = p.analyze_records_deferred(records(), None);
    let stats = p.embed_entries(&mut entries, &texts, EmbedPolicy::All);
    assert_eq!(warm.texts.load(Ordering::SeqCst), 0);
    assert_eq!((stats.cache_hits, stats.embedded), (3, 0));
    assert_eq!(leads(&entries), first);
    assert!(p.vector_cache().unwrap().take_warnings().is_empty());
}
