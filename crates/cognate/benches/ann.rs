//! Nearest-neighbour search of lead embeddings: exact against the HNSW index.
//!
//! `cargo bench -p cognate --bench ann`: building and querying each on 5,000
//! synthetic unit vectors of 384 dimensions in three languages (the graph forced for
//! every language, so the two are compared on the same work).
//! Recall and larger sizes: `cargo run --release -p cognate --example ann_recall`.

use std::hint::black_box;

use cognate::candidates::ann::{AnnParams, nearest_approx};
use cognate::candidates::neighbours::nearest_exact;
use cognate::features::embedding::LeadVector;
use criterion::Criterion;

fn vectors(n: usize) -> Vec<LeadVector> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1u64 << 53) as f32 - 0.5
    };
    let topics: Vec<Vec<f32>> = (0..n / 20)
        .map(|_| (0..384).map(|_| next()).collect())
        .collect();
    (0..n)
        .map(|i| {
            let v: Vec<f32> = topics[i % topics.len()]
                .iter()
                .map(|x| x + 0.7 * next() + 0.5)
                .collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            LeadVector::quantize(&v.iter().map(|x| x / norm).collect::<Vec<_>>())
        })
        .collect()
}

fn main() {
    let vs = vectors(5_000);
    let refs: Vec<Option<&LeadVector>> = vs.iter().map(Some).collect();
    let langs: Vec<&str> = (0..vs.len()).map(|i| ["en", "de", "fr"][i % 3]).collect();
    let graph = AnnParams {
        exact_group: 0,
        ..AnnParams::default()
    };
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    c.bench_function("neighbours exact 5k", |b| {
        b.iter(|| black_box(nearest_exact(&refs, &langs, 6)))
    });
    c.bench_function("neighbours hnsw 5k", |b| {
        b.iter(|| black_box(nearest_approx(&refs, &langs, 6, &graph)))
    });
    c.final_summary();
}
