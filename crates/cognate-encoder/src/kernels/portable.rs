//! Portable (plain Rust) kernels. Same arithmetic as the AVX2 ones up to the
//! order of float additions.

use super::{erf, QMatrix, QuantActs, MR, PANEL, QK};

/// Quantise one token row to Q8_0 blocks.
pub(crate) fn quantize_row(x: &[f32], q: &mut [i8], d: &mut [f32], s8: &mut [i32]) {
    for (b, xb) in x.chunks_exact(QK).enumerate() {
        let amax = xb.iter().fold(0f32, |m, v| m.max(v.abs()));
        // as the reference binary computes it (GCC -ffast-math turned
        // amax/127 and 1/d into these two expressions)
        let dd = amax * (1.0 / 127.0);
        let id = if dd > 0.0 { 127.0 / amax } else { 0.0 };
        let mut sum = 0i32;
        for (j, &v) in xb.iter().enumerate() {
            let r = (v * id).round_ties_even().clamp(-128.0, 127.0) as i32;
            q[b * QK + j] = r as i8;
            sum += r;
        }
        d[b] = dd;
        s8[b] = 8 * sum;
    }
}

/// Micro-tile: tokens `t..t+mr` × rows of panel `p` (without bias).
pub(crate) fn tile(
    w: &QMatrix,
    p: usize,
    a: &QuantActs,
    t: usize,
    mr: usize,
    out: &mut [[f32; PANEL]; MR],
) {
    let nb = w.nb;
    let nin = w.nin;
    for (i, o) in out.iter_mut().enumerate().take(mr) {
        let tt = t + i;
        let act = &a.q[tt * nin..(tt + 1) * nin];
        let mut acc = [0f32; PANEL];
        for b in 0..nb {
            let wb = &w.w[(p * nb + b) * 256..(p * nb + b + 1) * 256];
            let dw = &w.d[(p * nb + b) * PANEL..(p * nb + b + 1) * PANEL];
            let ab = &act[b * QK..(b + 1) * QK];
            let da = a.d[tt * nb + b];
            let s8 = a.s8[tt * nb + b];
            for r in 0..PANEL {
                let mut isum = 0i32;
                for g in 0..8 {
                    for k in 0..4 {
                        isum += i32::from(wb[g * 32 + r * 4 + k]) * i32::from(ab[g * 4 + k]);
                    }
                }
                acc[r] += (isum - s8) as f32 * (dw[r] * da);
            }
        }
        *o = acc;
    }
}

/// Attention of one head over one segment, any head size.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention(
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
    let scale = 1.0 / (hd as f32).sqrt();
    let mut prob = vec![0f32; len];
    for i in 0..len {
        let q = &qkv[(start + i) * stride + qo..][..hd];
        let mut mx = -1e30f32;
        for (j, pj) in prob.iter_mut().enumerate() {
            let k = &qkv[(start + j) * stride + ko..][..hd];
            let mut dot = 0f32;
            for e in 0..hd {
                dot += q[e] * k[e];
            }
            let dot = dot * scale;
            *pj = dot;
            mx = mx.max(dot);
        }
        let mut sum = 0f32;
        for pj in prob.iter_mut() {
            *pj = (*pj - mx).exp();
            sum += *pj;
        }
        let inv = 1.0 / sum;
        let ctx = &mut out[i * hd..(i + 1) * hd];
        ctx.fill(0.0);
        for (j, &pj) in prob.iter().enumerate() {
            let p = pj * inv;
            let v = &qkv[(start + j) * stride + vo..][..hd];
            for e in 0..hd {
                ctx[e] += p * v[e];
            }
        }
    }
}

/// In-place GELU with the rational erf.
pub(crate) fn gelu(x: &mut [f32]) {
    for v in x {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}
