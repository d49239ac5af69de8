//! Weights and the forward pass of the XLM-R / BERT encoder.

use std::path::Path;

use rayon::prelude::*;

use crate::error::EncoderError;
use crate::format::{DType, HyperParams, Parsed, TensorEntry};
use crate::kernels::{self, Isa, QMatrix, QuantActs, Q4_BLOCK_BYTES, QK};

pub(crate) struct Layer {
    qkv: QMatrix,
    qkv_b: Vec<f32>,
    ao: QMatrix,
    ao_b: Vec<f32>,
    aln_w: Vec<f32>,
    aln_b: Vec<f32>,
    fi: QMatrix,
    fi_b: Vec<f32>,
    fo: QMatrix,
    fo_b: Vec<f32>,
    oln_w: Vec<f32>,
    oln_b: Vec<f32>,
}

pub(crate) struct Weights {
    /// The whole file; the word-embedding table is read in place.
    data: Vec<u8>,
    word: std::ops::Range<usize>,
    pos: Vec<f32>,
    typ: Vec<f32>,
    eln_w: Vec<f32>,
    eln_b: Vec<f32>,
    layers: Vec<Layer>,
}

struct Dir<'a> {
    parsed: &'a Parsed,
    data: &'a [u8],
    path: &'a Path,
}

impl Dir<'_> {
    fn entry(&self, name: &str, dtype: DType, n: usize) -> Result<&TensorEntry, EncoderError> {
        let e = self
            .parsed
            .tensors
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| EncoderError::BadTensorShape {
                path: self.path.to_path_buf(),
                name: name.to_string(),
                offset: self.parsed.dir_offset,
                detail: "tensor missing from the directory".into(),
            })?;
        if e.dtype != dtype || e.n != n {
            return Err(EncoderError::BadTensorShape {
                path: self.path.to_path_buf(),
                name: name.to_string(),
                offset: e.entry_offset,
                detail: format!(
                    "found {:?} with {} elements, expected {:?} with {}",
                    e.dtype, e.n, dtype, n
                ),
            });
        }
        Ok(e)
    }

    fn f32s(&self, name: &str, n: usize) -> Result<Vec<f32>, EncoderError> {
        let e = self.entry(name, DType::F32, n)?;
        Ok(self.data[e.data.clone()]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }

    fn q4(&self, name: &str, nout: usize, nin: usize) -> Result<QMatrix, EncoderError> {
        let e = self.entry(name, DType::Q4, nout * nin)?;
        Ok(QMatrix::from_q4(&self.data[e.data.clone()], nout, nin))
    }
}

impl Weights {
    pub(crate) fn build(
        parsed: &Parsed,
        data: Vec<u8>,
        path: &Path,
    ) -> Result<Weights, EncoderError> {
        let hp = parsed.hp;
        let (h, ff) = (hp.hidden, hp.ffn);
        let dir = Dir {
            parsed,
            data: &data,
            path,
        };
        let word = dir.entry("emb.word", DType::Q4, hp.vocab * h)?.data.clone();
        let pos = dir.f32s("emb.pos", hp.max_positions * h)?;
        let typ = dir.f32s("emb.type", hp.type_vocab * h)?;
        let eln_w = dir.f32s("emb.ln.w", h)?;
        let eln_b = dir.f32s("emb.ln.b", h)?;
        let mut layers = Vec::with_capacity(hp.layers);
        for l in 0..hp.layers {
            let n = |s: &str| format!("l{l}.{s}");
            let q = dir.q4(&n("q.w"), h, h)?;
            let k = dir.q4(&n("k.w"), h, h)?;
            let v = dir.q4(&n("v.w"), h, h)?;
            let mut qkv_b = dir.f32s(&n("q.b"), h)?;
            qkv_b.extend(dir.f32s(&n("k.b"), h)?);
            qkv_b.extend(dir.f32s(&n("v.b"), h)?);
            layers.push(Layer {
                qkv: QMatrix::concat(&[q, k, v]),
                qkv_b,
                ao: dir.q4(&n("ao.w"), h, h)?,
                ao_b: dir.f32s(&n("ao.b"), h)?,
                aln_w: dir.f32s(&n("aln.w"), h)?,
                aln_b: dir.f32s(&n("aln.b"), h)?,
                fi: dir.q4(&n("fi.w"), ff, h)?,
                fi_b: dir.f32s(&n("fi.b"), ff)?,
                fo: dir.q4(&n("fo.w"), h, ff)?,
                fo_b: dir.f32s(&n("fo.b"), h)?,
                oln_w: dir.f32s(&n("oln.w"), h)?,
                oln_b: dir.f32s(&n("oln.b"), h)?,
            });
        }
        Ok(Weights {
            data,
            word,
            pos,
            typ,
            eln_w,
            eln_b,
            layers,
        })
    }
}

/// `r = LayerNorm(r)` (two-pass mean/variance, like the reference engine).
fn layernorm(r: &mut [f32], w: &[f32], b: &[f32], eps: f32) {
    let n = r.len() as f32;
    let mean = r.iter().sum::<f32>() / n;
    let var = r.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((v, w), b) in r.iter_mut().zip(w).zip(b) {
        *v = (*v - mean) * inv * w + b;
    }
}

/// Run `f` on every `h`-wide row of `x` (with its index), in parallel for many rows.
fn rows_mut(x: &mut [f32], h: usize, f: impl Fn(usize, &mut [f32]) + Sync + Send) {
    if x.len() / h >= 64 {
        x.par_chunks_mut(h)
            .enumerate()
            .with_min_len(16)
            .for_each(|(t, r)| f(t, r));
    } else {
        x.chunks_mut(h).enumerate().for_each(|(t, r)| f(t, r));
    }
}

/// One segment of a batch: tokens `start..start+len` attend only to each other.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment {
    pub start: usize,
    pub len: usize,
}

/// Forward pass over concatenated segments. `ids` and `pos` have one entry
/// per token; returns the mean of the final hidden states of each segment
/// (`segments.len() × hidden`, not normalised).
pub(crate) fn forward(
    hp: &HyperParams,
    wt: &Weights,
    isa: Isa,
    ids: &[u32],
    pos: &[u32],
    segments: &[Segment],
) -> Vec<f32> {
    let t = ids.len();
    let (h, ff, nh) = (hp.hidden, hp.ffn, hp.heads);
    let hd = h / nh;
    let eps = hp.eps;
    let nbw = h / QK;
    let word = &wt.data[wt.word.clone()];

    // embeddings: word + position + token type 0, then LayerNorm
    let mut x = vec![0f32; t * h];
    rows_mut(&mut x, h, |i, r| {
        let row = ids[i] as usize * nbw * Q4_BLOCK_BYTES;
        kernels::dequantize_q4_row(&word[row..row + nbw * Q4_BLOCK_BYTES], r);
        let p = &wt.pos[pos[i] as usize * h..][..h];
        for ((v, p), ty) in r.iter_mut().zip(p).zip(&wt.typ[..h]) {
            *v += p + ty;
        }
        layernorm(r, &wt.eln_w, &wt.eln_b, eps);
    });

    let mut acts = QuantActs::default();
    let mut qkv = vec![0f32; t * 3 * h];
    let mut ctx = vec![0f32; t * h];
    let mut tmp = vec![0f32; t * h];
    let mut mid = vec![0f32; t * ff];
    let tasks: Vec<(usize, usize)> = (0..segments.len())
        .flat_map(|s| (0..nh).map(move |hh| (s, hh)))
        .collect();

    for ly in &wt.layers {
        kernels::quantize(isa, &x, t, h, &mut acts);
        kernels::matmul(isa, &ly.qkv, &ly.qkv_b, &acts, &mut qkv);

        let heads: Vec<Vec<f32>> = tasks
            .par_iter()
            .map(|&(s, hh)| {
                let sg = segments[s];
                let mut o = vec![0f32; sg.len * hd];
                kernels::attention(
                    isa,
                    &qkv,
                    3 * h,
                    sg.start,
                    sg.len,
                    hh * hd,
                    h + hh * hd,
                    2 * h + hh * hd,
                    hd,
                    &mut o,
                );
                o
            })
            .collect();
        for (&(s, hh), o) in tasks.iter().zip(&heads) {
            let sg = segments[s];
            for i in 0..sg.len {
                ctx[(sg.start + i) * h + hh * hd..][..hd].copy_from_slice(&o[i * hd..(i + 1) * hd]);
            }
        }
        drop(heads);

        kernels::quantize(isa, &ctx, t, h, &mut acts);
        kernels::matmul(isa, &ly.ao, &ly.ao_b, &acts, &mut tmp);
        rows_mut(&mut x, h, |i, r| {
            for (v, y) in r.iter_mut().zip(&tmp[i * h..(i + 1) * h]) {
                *v += y;
            }
            layernorm(r, &ly.aln_w, &ly.aln_b, eps);
        });

        kernels::quantize(isa, &x, t, h, &mut acts);
        kernels::matmul(isa, &ly.fi, &ly.fi_b, &acts, &mut mid);
        kernels::gelu_inplace(isa, &mut mid);
        kernels::quantize(isa, &mid, t, ff, &mut acts);
        kernels::matmul(isa, &ly.fo, &ly.fo_b, &acts, &mut tmp);
        rows_mut(&mut x, h, |i, r| {
            for (v, y) in r.iter_mut().zip(&tmp[i * h..(i + 1) * h]) {
                *v += y;
            }
            layernorm(r, &ly.oln_w, &ly.oln_b, eps);
        });
    }

    // mean pooling per segment
    let mut out = vec![0f32; segments.len() * h];
    for (sg, o) in segments.iter().zip(out.chunks_mut(h)) {
        for r in x[sg.start * h..(sg.start + sg.len) * h].chunks(h) {
            for (a, v) in o.iter_mut().zip(r) {
                *a += v;
            }
        }
        let inv = 1.0 / sg.len as f32;
        for a in o.iter_mut() {
            *a *= inv;
        }
    }
    out
}
