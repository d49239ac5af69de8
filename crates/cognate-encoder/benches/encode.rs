//! Criterion benchmark: passages of 128 and 512 tokens (prefix and special
//! tokens included), one at a time and in batches of 8, with the current
//! rayon pool (set `RAYON_NUM_THREADS=2` to match the reference setup).
//!
//! ```text
//! RAYON_NUM_THREADS=2 cargo bench -p cognate-encoder --bench encode
//! ```

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use cognate_encoder::{E5Model, InputKind};

/// A deterministic multilingual text, cut to exactly `tokens` tokens
/// (passage prefix and `<s>`/`</s>` included) or just below.
fn text_of(model: &E5Model, tokens: usize, seed: usize) -> String {
    const WORDS: &[&str] = &[
        "Der",
        "Bundestag",
        "hat",
        "am",
        "Donnerstag",
        "das",
        "Gesetz",
        "beschlossen,",
        "le",
        "gouvernement",
        "français",
        "a",
        "annoncé",
        "une",
        "réforme",
        "the",
        "council",
        "voted",
        "to",
        "expand",
        "public",
        "transport",
        "services",
        "in",
        "2024.",
        "Правительство",
        "объявило",
        "о",
        "новых",
        "мерах.",
        "政府",
        "宣布了",
        "新的",
        "措施。",
        "Vlada",
        "je",
        "najavila",
        "nove",
        "mjere.",
    ];
    let mut s = String::new();
    let mut i = seed;
    loop {
        let w = WORDS[(i * 7 + seed) % WORDS.len()];
        let before = s.len();
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(w);
        if model.token_count(&s, InputKind::Passage) > tokens {
            s.truncate(before);
            return s;
        }
        i += 1;
    }
}

fn bench(c: &mut Criterion) {
    let model = E5Model::load_default().expect("model file missing: run ./scripts/setup.sh");
    for tokens in [128usize, 512] {
        let texts: Vec<String> = (0..8).map(|k| text_of(&model, tokens, k)).collect();
        let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
        let mut g = c.benchmark_group(format!("passage_{tokens}_tokens"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::new("one", tokens), |b| {
            b.iter(|| model.embed_passages(&refs[..1]))
        });
        g.throughput(Throughput::Elements(refs.len() as u64));
        g.bench_function(BenchmarkId::new("batch8", tokens), |b| {
            b.iter(|| model.embed_passages(&refs))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
