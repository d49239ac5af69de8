//! AVX2 + FMA kernels. Every function here must only be called after
//! checking that the CPU supports both (see [`super::Isa::detect`]).

use std::arch::x86_64::*;

use super::{erf_coef, QMatrix, QuantActs, MR, PANEL, QK};

#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn hsum_ps(v: __m256) -> f32 {
    let lo = _mm256_castps256_ps128(v);
    let hi = _mm256_extractf128_ps(v, 1);
    let s = _mm_add_ps(lo, hi);
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    _mm_cvtss_f32(s)
}

#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn hmax_ps(v: __m256) -> f32 {
    let lo = _mm256_castps256_ps128(v);
    let hi = _mm256_extractf128_ps(v, 1);
    let s = _mm_max_ps(lo, hi);
    let s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
    _mm_cvtss_f32(s)
}

#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn hsum_epi32(v: __m256i) -> i32 {
    let s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    let s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0b01_00_11_10));
    let s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0b10_11_00_01));
    _mm_cvtsi128_si32(s)
}

/// Quantise one token row to Q8_0 blocks (bit-identical to the portable one).
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn quantize_row(x: &[f32], q: &mut [i8], d: &mut [f32], s8: &mut [i32]) {
    let nb = x.len() / QK;
    assert!(q.len() >= nb * QK && d.len() >= nb && s8.len() >= nb);
    let sign = _mm256_set1_ps(-0.0);
    let perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for b in 0..nb {
        let p = x.as_ptr().add(b * QK);
        let v0 = _mm256_loadu_ps(p);
        let v1 = _mm256_loadu_ps(p.add(8));
        let v2 = _mm256_loadu_ps(p.add(16));
        let v3 = _mm256_loadu_ps(p.add(24));
        let m = _mm256_max_ps(
            _mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
            _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)),
        );
        let amax = hmax_ps(m);
        // as the reference binary computes it (GCC -ffast-math turned
        // amax/127 and 1/d into these two expressions)
        let dd = amax * (1.0 / 127.0);
        let id = if dd > 0.0 { 127.0 / amax } else { 0.0 };
        let idv = _mm256_set1_ps(id);
        // cvtps rounds to nearest even (default MXCSR), like lrintf
        let i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, idv));
        let i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, idv));
        let i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, idv));
        let i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, idv));
        let p01 = _mm256_packs_epi32(i0, i1);
        let p23 = _mm256_packs_epi32(i2, i3);
        let p8 = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23), perm);
        _mm256_storeu_si256(q.as_mut_ptr().add(b * QK) as *mut __m256i, p8);
        // sum of the (saturated) int8 values
        let w = _mm256_madd_epi16(
            _mm256_add_epi16(
                _mm256_cvtepi8_epi16(_mm256_castsi256_si128(p8)),
                _mm256_cvtepi8_epi16(_mm256_extracti128_si256(p8, 1)),
            ),
            _mm256_set1_epi16(1),
        );
        d[b] = dd;
        s8[b] = 8 * hsum_epi32(w);
    }
}

/// Micro-tile: tokens `t..t+mr` × rows of panel `p` (without bias).
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn tile(
    w: &QMatrix,
    p: usize,
    a: &QuantActs,
    t: usize,
    mr: usize,
    out: &mut [[f32; PANEL]; MR],
) {
    assert!(p < w.nout / PANEL && t + mr <= a.rows && a.nin == w.nin && mr <= MR);
    match mr {
        1 => tile_n::<1>(w, p, a, t, out),
        2 => tile_n::<2>(w, p, a, t, out),
        3 => tile_n::<3>(w, p, a, t, out),
        _ => tile_n::<4>(w, p, a, t, out),
    }
}

#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile_n<const N: usize>(
    w: &QMatrix,
    p: usize,
    a: &QuantActs,
    t: usize,
    out: &mut [[f32; PANEL]; MR],
) {
    let nb = w.nb;
    let nin = w.nin;
    let wp = w.w.as_ptr().add(p * nb * 256);
    let dp = w.d.as_ptr().add(p * nb * PANEL);
    let aq = a.q.as_ptr().add(t * nin);
    let ad = a.d.as_ptr().add(t * nb);
    let as8 = a.s8.as_ptr().add(t * nb);
    let ones = _mm256_set1_epi16(1);
    let mut facc = [_mm256_setzero_ps(); N];
    for b in 0..nb {
        let wb = wp.add(b * 256);
        let ab = aq.add(b * QK);
        // i16 accumulation is exact: |Σ over 8 groups| <= 8 * 2 * 15 * 128 = 30720
        let mut acc = [_mm256_setzero_si256(); N];
        for g in 0..8 {
            let wv = _mm256_loadu_si256(wb.add(g * 32) as *const __m256i);
            for (i, acc) in acc.iter_mut().enumerate() {
                let av =
                    _mm256_set1_epi32((ab.add(i * nin + g * 4) as *const i32).read_unaligned());
                *acc = _mm256_add_epi16(*acc, _mm256_maddubs_epi16(wv, av));
            }
        }
        let dw = _mm256_loadu_ps(dp.add(b * PANEL));
        for (i, f) in facc.iter_mut().enumerate() {
            let s = _mm256_sub_epi32(
                _mm256_madd_epi16(acc[i], ones),
                _mm256_set1_epi32(*as8.add(i * nb + b)),
            );
            let sc = _mm256_mul_ps(dw, _mm256_set1_ps(*ad.add(i * nb + b)));
            *f = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), sc, *f);
        }
    }
    for (o, f) in out.iter_mut().zip(facc.iter()) {
        _mm256_storeu_ps(o.as_mut_ptr(), *f);
    }
}

/// exp(x) for x in [-87.3, 88.3] (clamped), Cephes polynomial, ~1 ulp.
#[allow(clippy::excessive_precision)] // coefficients as published
#[inline]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn exp256(x: __m256) -> __m256 {
    let x = _mm256_min_ps(
        _mm256_max_ps(x, _mm256_set1_ps(-87.3)),
        _mm256_set1_ps(88.3),
    );
    let fx = _mm256_round_ps(
        _mm256_mul_ps(x, _mm256_set1_ps(std::f32::consts::LOG2_E)),
        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC,
    );
    let r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693_359_4), x);
    let r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.121_944_4e-4), r);
    let mut y = _mm256_set1_ps(1.987_569_1e-4);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.398_199_9e-3));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.333_452e-3));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.166_579_6e-2));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.666_666_5e-1));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.000_000_1e-1));
    let r2 = _mm256_mul_ps(r, r);
    y = _mm256_fmadd_ps(y, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0)));
    let n = _mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127));
    _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(n, 23)))
}

/// Vector erf, same rational approximation as [`super::erf`].
#[inline]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn erf256(x: __m256) -> __m256 {
    use erf_coef::*;
    let x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-4.0)), _mm256_set1_ps(4.0));
    let x2 = _mm256_mul_ps(x, x);
    let mut p = _mm256_fmadd_ps(x2, _mm256_set1_ps(A13), _mm256_set1_ps(A11));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(A9));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(A7));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(A5));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(A3));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(A1));
    p = _mm256_mul_ps(x, p);
    let mut q = _mm256_fmadd_ps(x2, _mm256_set1_ps(B8), _mm256_set1_ps(B6));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(B4));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(B2));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(B0));
    _mm256_div_ps(p, q)
}

/// In-place GELU.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn gelu(x: &mut [f32]) {
    let half = _mm256_set1_ps(0.5);
    let one = _mm256_set1_ps(1.0);
    let s = _mm256_set1_ps(std::f32::consts::FRAC_1_SQRT_2);
    let mut chunks = x.chunks_exact_mut(8);
    for c in &mut chunks {
        let v = _mm256_loadu_ps(c.as_ptr());
        let e = erf256(_mm256_mul_ps(v, s));
        let r = _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e));
        _mm256_storeu_ps(c.as_mut_ptr(), r);
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let mut buf = [0f32; 8];
        buf[..rest.len()].copy_from_slice(rest);
        gelu(&mut buf);
        let n = rest.len();
        rest.copy_from_slice(&buf[..n]);
    }
}

/// Attention of one head (head size 32) over one segment.
///
/// Keys are copied into tiles of 16 keys × 32 dims (`kt[tile][e][16]`, each
/// tile 2 KB contiguous) and queries/values into contiguous rows, so the
/// inner loops stream memory linearly (strided rows alias in L1).
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn attention32(
    qkv: &[f32],
    stride: usize,
    start: usize,
    len: usize,
    qo: usize,
    ko: usize,
    vo: usize,
    out: &mut [f32],
) {
    const HD: usize = 32;
    const KT: usize = 16;
    if len == 0 {
        return;
    }
    let lp = len.div_ceil(KT) * KT;
    let mut kt = vec![0f32; HD * lp];
    let mut qv = vec![0f32; len * HD];
    let mut vv = vec![0f32; len * HD];
    for j in 0..len {
        let row = &qkv[(start + j) * stride..];
        let k = &row[ko..ko + HD];
        let tile = &mut kt[(j / KT) * HD * KT..][..HD * KT];
        for e in 0..HD {
            tile[e * KT + j % KT] = k[e];
        }
        qv[j * HD..(j + 1) * HD].copy_from_slice(&row[qo..qo + HD]);
        vv[j * HD..(j + 1) * HD].copy_from_slice(&row[vo..vo + HD]);
    }
    let scale = _mm256_set1_ps(1.0 / (HD as f32).sqrt());
    let mut sc = vec![0f32; 4 * lp];
    let ktp = kt.as_ptr();
    let vp = vv.as_ptr();
    let mut i = 0;
    while i < len {
        let nq = (len - i).min(4);
        // query rows (missing queries of the last tile repeat query i)
        let qp: [*const f32; 4] =
            std::array::from_fn(|x| qv.as_ptr().add((i + if x < nq { x } else { 0 }) * HD));
        let sp = sc.as_mut_ptr();
        for jt in 0..lp / KT {
            let mut a = [_mm256_setzero_ps(); 8];
            let tp = ktp.add(jt * HD * KT);
            for e in 0..HD {
                let k0 = _mm256_loadu_ps(tp.add(e * KT));
                let k1 = _mm256_loadu_ps(tp.add(e * KT + 8));
                for x in 0..4 {
                    let q = _mm256_set1_ps(*qp[x].add(e));
                    a[2 * x] = _mm256_fmadd_ps(q, k0, a[2 * x]);
                    a[2 * x + 1] = _mm256_fmadd_ps(q, k1, a[2 * x + 1]);
                }
            }
            for x in 0..4 {
                _mm256_storeu_ps(sp.add(x * lp + jt * KT), _mm256_mul_ps(a[2 * x], scale));
                _mm256_storeu_ps(
                    sp.add(x * lp + jt * KT + 8),
                    _mm256_mul_ps(a[2 * x + 1], scale),
                );
            }
        }
        // softmax of each row over 0..len (unnormalised; 1/sum kept)
        let mut inv = [0f32; 4];
        for (x, invx) in inv.iter_mut().enumerate().take(nq) {
            let row = &mut sc[x * lp..(x + 1) * lp];
            for v in &mut row[len..] {
                *v = -1e30;
            }
            let mut mv = _mm256_set1_ps(-1e30);
            for c in row.chunks_exact(8) {
                mv = _mm256_max_ps(mv, _mm256_loadu_ps(c.as_ptr()));
            }
            let mx = _mm256_set1_ps(hmax_ps(mv));
            for c in row.chunks_exact_mut(8) {
                let e = exp256(_mm256_sub_ps(_mm256_loadu_ps(c.as_ptr()), mx));
                _mm256_storeu_ps(c.as_mut_ptr(), e);
            }
            for v in &mut row[len..] {
                *v = 0.0;
            }
            let mut sv = _mm256_setzero_ps();
            for c in row.chunks_exact(8) {
                sv = _mm256_add_ps(sv, _mm256_loadu_ps(c.as_ptr()));
            }
            *invx = 1.0 / hsum_ps(sv);
        }
        // context = Σ_j p_j v_j, two queries at a time
        let mut x = 0;
        while x < nq {
            let two = x + 1 < nq;
            let r0 = sc.as_ptr().add(x * lp);
            let r1 = sc.as_ptr().add(if two { x + 1 } else { x } * lp);
            let mut c = [_mm256_setzero_ps(); 8];
            for jj in 0..len {
                let v = vp.add(jj * HD);
                let v0 = _mm256_loadu_ps(v);
                let v1 = _mm256_loadu_ps(v.add(8));
                let v2 = _mm256_loadu_ps(v.add(16));
                let v3 = _mm256_loadu_ps(v.add(24));
                let p0 = _mm256_set1_ps(*r0.add(jj));
                let p1 = _mm256_set1_ps(*r1.add(jj));
                c[0] = _mm256_fmadd_ps(p0, v0, c[0]);
                c[1] = _mm256_fmadd_ps(p0, v1, c[1]);
                c[2] = _mm256_fmadd_ps(p0, v2, c[2]);
                c[3] = _mm256_fmadd_ps(p0, v3, c[3]);
                c[4] = _mm256_fmadd_ps(p1, v0, c[4]);
                c[5] = _mm256_fmadd_ps(p1, v1, c[5]);
                c[6] = _mm256_fmadd_ps(p1, v2, c[6]);
                c[7] = _mm256_fmadd_ps(p1, v3, c[7]);
            }
            let i0 = _mm256_set1_ps(inv[x]);
            let o = out.as_mut_ptr().add((i + x) * HD);
            for (k, ck) in c[..4].iter().enumerate() {
                _mm256_storeu_ps(o.add(8 * k), _mm256_mul_ps(*ck, i0));
            }
            if two {
                let i1 = _mm256_set1_ps(inv[x + 1]);
                let o = out.as_mut_ptr().add((i + x + 1) * HD);
                for (k, ck) in c[4..].iter().enumerate() {
                    _mm256_storeu_ps(o.add(8 * k), _mm256_mul_ps(*ck, i1));
                }
            }
            x += 2;
        }
        i += nq;
    }
}
