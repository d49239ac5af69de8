//! Numeric kernels: Q4_0 weights × int8 (Q8_0) activations, attention,
//! activation functions. Every kernel has an AVX2+FMA version (chosen at
//! run time) and a portable version computing the same quantities.
//!
//! Determinism: every kernel computes each token with the same instruction
//! sequence whatever its position in a tile or a batch, so embedding texts in
//! a batch gives bit-identical results to embedding them one by one.

use rayon::prelude::*;

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2;
pub(crate) mod portable;

/// Elements per quantisation block (Q4_0 and Q8_0).
pub const QK: usize = 32;
/// Bytes of one Q4_0 block: f16 scale + 16 bytes of nibbles.
pub const Q4_BLOCK_BYTES: usize = 18;
/// Output rows per packed weight panel.
pub(crate) const PANEL: usize = 8;
/// Tokens per micro-kernel tile.
pub(crate) const MR: usize = 4;
/// Tokens per parallel task of the matmul (activations of one chunk stay in L2).
const MC: usize = 64;

/// Instruction set used by the kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// Plain Rust, any CPU.
    Portable,
    /// x86-64 AVX2 + FMA.
    Avx2,
}

impl Isa {
    /// The best instruction set this CPU supports.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Isa::Avx2;
            }
        }
        Isa::Portable
    }
}

/// IEEE half → single precision (exact).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1F);
    let man = u32::from(h & 0x3FF);
    let bits = if exp == 0 {
        if man == 0 {
            sign
        } else {
            // subnormal half: normalise (the reference engine is off by one
            // binade here; the shipped model has no subnormal scales)
            let mut e: i32 = 0;
            let mut m = man;
            while m & 0x400 == 0 {
                m <<= 1;
                e += 1;
            }
            m &= 0x3FF;
            sign | (((127 - 15 - e + 1) as u32) << 23) | (m << 13)
        }
    } else if exp == 31 {
        sign | 0x7F80_0000 | (man << 13)
    } else {
        sign | ((exp + 127 - 15) << 23) | (man << 13)
    };
    f32::from_bits(bits)
}

/// The 32 weights (0..=15, offset 8) of one Q4_0 block, in element order.
#[inline]
pub(crate) fn q4_block_nibbles(block: &[u8]) -> [u8; QK] {
    let qs = &block[2..18];
    let mut out = [0u8; QK];
    for j in 0..16 {
        out[j] = qs[j] & 0x0F;
        out[j + 16] = qs[j] >> 4;
    }
    out
}

/// Dequantise a row of Q4_0 blocks (`out.len()` weights) to f32.
pub fn dequantize_q4_row(blocks: &[u8], out: &mut [f32]) {
    for (b, o) in out.chunks_exact_mut(QK).enumerate() {
        let blk = &blocks[b * Q4_BLOCK_BYTES..(b + 1) * Q4_BLOCK_BYTES];
        let d = f16_to_f32(u16::from_le_bytes([blk[0], blk[1]]));
        let q = q4_block_nibbles(blk);
        for j in 0..QK {
            o[j] = (q[j] as i32 - 8) as f32 * d;
        }
    }
}

/// A Q4_0 weight matrix `[nout, nin]` re-packed for the kernels.
///
/// Rows are grouped in panels of 8. For panel `p` and block `b`, 256 bytes
/// hold the unsigned nibbles (0..=15) as 8 groups of 4 consecutive inputs ×
/// 8 rows: byte `g*32 + r*4 + k` is input `b*32 + g*4 + k` of row `p*8 + r`.
/// One 32-byte load then feeds a `maddubs` against 4 broadcast activation
/// bytes and yields 8 row partial sums at once.
#[derive(Debug, Clone)]
pub struct QMatrix {
    pub(crate) nout: usize,
    pub(crate) nin: usize,
    pub(crate) nb: usize,
    pub(crate) w: Vec<u8>,
    /// Block scales, `[panel][block][8 rows]`.
    pub(crate) d: Vec<f32>,
}

impl QMatrix {
    /// Pack from the raw Q4_0 bytes of `nout` rows of `nin` inputs
    /// (`nout % 8 == 0`, `nin % 32 == 0`, `raw.len() == nout * nin / 32 * 18`).
    pub fn from_q4(raw: &[u8], nout: usize, nin: usize) -> QMatrix {
        assert!(nout.is_multiple_of(PANEL) && nin.is_multiple_of(QK));
        let nb = nin / QK;
        assert_eq!(raw.len(), nout * nb * Q4_BLOCK_BYTES);
        let np = nout / PANEL;
        let mut w = vec![0u8; np * nb * 256];
        let mut d = vec![0f32; np * nb * PANEL];
        for row in 0..nout {
            let (p, r) = (row / PANEL, row % PANEL);
            for b in 0..nb {
                let off = (row * nb + b) * Q4_BLOCK_BYTES;
                let blk = &raw[off..off + Q4_BLOCK_BYTES];
                d[(p * nb + b) * PANEL + r] = f16_to_f32(u16::from_le_bytes([blk[0], blk[1]]));
                let q = q4_block_nibbles(blk);
                let base = (p * nb + b) * 256;
                for g in 0..8 {
                    for k in 0..4 {
                        w[base + g * 32 + r * 4 + k] = q[g * 4 + k];
                    }
                }
            }
        }
        QMatrix {
            nout,
            nin,
            nb,
            w,
            d,
        }
    }

    /// Stack matrices with the same `nin` vertically (e.g. Q, K, V into one).
    pub fn concat(parts: &[QMatrix]) -> QMatrix {
        let nin = parts[0].nin;
        assert!(parts.iter().all(|p| p.nin == nin));
        QMatrix {
            nout: parts.iter().map(|p| p.nout).sum(),
            nin,
            nb: parts[0].nb,
            w: parts.iter().flat_map(|p| p.w.iter().copied()).collect(),
            d: parts.iter().flat_map(|p| p.d.iter().copied()).collect(),
        }
    }

    /// Output rows.
    pub fn nout(&self) -> usize {
        self.nout
    }
}

/// Activations quantised per block of 32 to int8 (Q8_0): for token `t` and
/// block `b`, `x ≈ d[t*nb+b] * q[t*nin + b*32 ..]`; `s8` holds 8 × the block's
/// integer sum (it folds the −8 offset of the Q4 nibbles).
#[derive(Debug, Default, Clone)]
pub struct QuantActs {
    pub(crate) rows: usize,
    pub(crate) nin: usize,
    pub(crate) nb: usize,
    pub(crate) q: Vec<i8>,
    pub(crate) d: Vec<f32>,
    pub(crate) s8: Vec<i32>,
}

impl QuantActs {
    fn resize(&mut self, rows: usize, nin: usize) {
        self.rows = rows;
        self.nin = nin;
        self.nb = nin / QK;
        self.q.resize(rows * nin, 0);
        self.d.resize(rows * self.nb, 0.0);
        self.s8.resize(rows * self.nb, 0);
    }
}

/// Quantise `x` (`rows × nin`, row-major) into `out`.
pub fn quantize(isa: Isa, x: &[f32], rows: usize, nin: usize, out: &mut QuantActs) {
    assert!(nin.is_multiple_of(QK) && x.len() >= rows * nin);
    out.resize(rows, nin);
    let nb = nin / QK;
    let q = &mut out.q[..rows * nin];
    let d = &mut out.d[..rows * nb];
    let s8 = &mut out.s8[..rows * nb];
    type Row<'a> = (((&'a [f32], &'a mut [i8]), &'a mut [f32]), &'a mut [i32]);
    let work = |(((xr, qr), dr), sr): Row<'_>| {
        quantize_row(isa, xr, qr, dr, sr);
    };
    if rows >= 64 {
        x[..rows * nin]
            .par_chunks(nin)
            .zip(q.par_chunks_mut(nin))
            .zip(d.par_chunks_mut(nb))
            .zip(s8.par_chunks_mut(nb))
            .with_min_len(16)
            .for_each(work);
    } else {
        x[..rows * nin]
            .chunks(nin)
            .zip(q.chunks_mut(nin))
            .zip(d.chunks_mut(nb))
            .zip(s8.chunks_mut(nb))
            .for_each(work);
    }
}

#[inline]
fn quantize_row(isa: Isa, x: &[f32], q: &mut [i8], d: &mut [f32], s8: &mut [i32]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Isa::Avx2 is only chosen when the CPU has AVX2 and FMA.
        Isa::Avx2 => unsafe { avx2::quantize_row(x, q, d, s8) },
        _ => portable::quantize_row(x, q, d, s8),
    }
}

/// A raw pointer that tasks writing disjoint parts of one buffer can share.
#[derive(Clone, Copy)]
struct SyncPtr(*mut f32);
// SAFETY: only used for disjoint writes from parallel tasks.
unsafe impl Send for SyncPtr {}
unsafe impl Sync for SyncPtr {}
impl SyncPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// `y[t, o] = bias[o] + Σ_i W[o, i] · x[t, i]` with Q4_0 `W` and Q8_0 `x`.
/// `y` is `rows × nout`, row-major. Parallel over token chunks and, when there
/// are few tokens, over output panels.
pub fn matmul(isa: Isa, w: &QMatrix, bias: &[f32], a: &QuantActs, y: &mut [f32]) {
    let rows = a.rows;
    let nout = w.nout;
    assert_eq!(a.nin, w.nin, "matmul: input width mismatch");
    assert_eq!(bias.len(), nout);
    assert!(y.len() >= rows * nout);
    if rows == 0 {
        return;
    }
    let npanels = nout / PANEL;
    let nchunks = rows.div_ceil(MC);
    let threads = rayon::current_num_threads().max(1);
    let want = threads * 4;
    let splits = if nchunks >= want {
        1
    } else {
        want.div_ceil(nchunks).min(npanels)
    };
    let per = npanels.div_ceil(splits);
    let ptr = SyncPtr(y.as_mut_ptr());
    let task = |task: usize| {
        let (c, s) = (task / splits, task % splits);
        let (t0, t1) = (c * MC, ((c + 1) * MC).min(rows));
        let (p0, p1) = (s * per, ((s + 1) * per).min(npanels));
        for p in p0..p1 {
            let mut t = t0;
            while t < t1 {
                let mr = (t1 - t).min(MR);
                // SAFETY: task (c, s) writes only rows t0..t1, columns of panels p0..p1,
                // which no other task writes; y holds rows*nout elements.
                unsafe { tile(isa, w, p, a, t, mr, bias, ptr.get(), nout) };
                t += mr;
            }
        }
    };
    let ntasks = nchunks * splits;
    if threads == 1 || ntasks == 1 {
        (0..ntasks).for_each(task);
    } else {
        (0..ntasks).into_par_iter().for_each(task);
    }
}

/// One micro-tile: tokens `t..t+mr` × the 8 rows of panel `p`.
///
/// # Safety
/// `y` must be valid for writes of `(t + mr) * ystride` elements, `p < nout/8`,
/// `t + mr <= a.rows`, and no other thread may write the same outputs.
#[allow(clippy::too_many_arguments)]
#[inline]
unsafe fn tile(
    isa: Isa,
    w: &QMatrix,
    p: usize,
    a: &QuantActs,
    t: usize,
    mr: usize,
    bias: &[f32],
    y: *mut f32,
    ystride: usize,
) {
    let mut out = [[0f32; PANEL]; MR];
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Isa::Avx2 is only chosen when the CPU has AVX2 and FMA.
        Isa::Avx2 => unsafe { avx2::tile(w, p, a, t, mr, &mut out) },
        _ => portable::tile(w, p, a, t, mr, &mut out),
    }
    let bias = &bias[p * PANEL..(p + 1) * PANEL];
    for (i, row) in out.iter().enumerate().take(mr) {
        // SAFETY: see the function contract.
        let dst =
            unsafe { std::slice::from_raw_parts_mut(y.add((t + i) * ystride + p * PANEL), PANEL) };
        for r in 0..PANEL {
            dst[r] = row[r] + bias[r];
        }
    }
}

/// Scaled dot-product attention of one head over one segment.
///
/// `qkv` rows have stride `stride`; for token `i` of the segment the query is
/// `qkv[(start+i)*stride + qo ..][..hd]`, likewise keys at `ko` and values at
/// `vo`. Writes the `len × hd` context into `out`.
#[allow(clippy::too_many_arguments)]
pub fn attention(
    isa: Isa,
    qkv: &[f32],
    stride: usize,
    start: usize,
    len: usize,
    qo: usize,
    ko: usize,
    vo: usize,
    hd: usize,
    out: &mut [f32],
) {
    assert!(out.len() >= len * hd);
    assert!(len == 0 || (start + len - 1) * stride + qo.max(ko).max(vo) + hd <= qkv.len());
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Isa::Avx2 is only chosen when the CPU has AVX2 and FMA; bounds checked above.
        Isa::Avx2 if hd == 32 => unsafe {
            avx2::attention32(qkv, stride, start, len, qo, ko, vo, out)
        },
        _ => portable::attention(qkv, stride, start, len, qo, ko, vo, hd, out),
    }
}

/// In-place exact-erf GELU: `0.5·x·(1 + erf(x/√2))`.
pub fn gelu_inplace(isa: Isa, x: &mut [f32]) {
    let f = |c: &mut [f32]| match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Isa::Avx2 is only chosen when the CPU has AVX2 and FMA.
        Isa::Avx2 => unsafe { avx2::gelu(c) },
        _ => portable::gelu(c),
    };
    if x.len() >= 1 << 15 {
        x.par_chunks_mut(1 << 13).for_each(f);
    } else {
        f(x);
    }
}

/// Rational approximation of erf on f32 (Eigen's `generic_fast_erf_float`):
/// clamp to ±4, odd degree-13 numerator over even degree-8 denominator.
/// Absolute error below 1e-6 on the whole line.
#[allow(clippy::excessive_precision)] // coefficients as published
pub(crate) mod erf_coef {
    pub const A1: f32 = -1.609_603_3e-2;
    pub const A3: f32 = -2.954_599_8e-3;
    pub const A5: f32 = -7.349_906_3e-4;
    pub const A7: f32 = -5.692_506_4e-5;
    pub const A9: f32 = -2.101_024e-6;
    pub const A11: f32 = 2.770_681_4e-8;
    pub const A13: f32 = -2.726_142_3e-10;
    pub const B0: f32 = -1.426_473_9e-2;
    pub const B2: f32 = -7.373_329e-3;
    pub const B4: f32 = -1.682_827e-3;
    pub const B6: f32 = -2.133_740_6e-4;
    pub const B8: f32 = -1.456_607_2e-5;
}

/// erf(x) by a rational approximation (Eigen's `generic_fast_erf_float`:
/// clamp to ±4, odd degree-13 numerator over even degree-8 denominator);
/// absolute error below 1e-6.
#[inline]
pub fn erf(x: f32) -> f32 {
    use erf_coef::*;
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * A13 + A11;
    p = x2 * p + A9;
    p = x2 * p + A7;
    p = x2 * p + A5;
    p = x2 * p + A3;
    p = x2 * p + A1;
    p *= x;
    let mut q = x2 * B8 + B6;
    q = x2 * q + B4;
    q = x2 * q + B2;
    q = x2 * q + B0;
    p / q
}

#[cfg(test)]
mod tests;
