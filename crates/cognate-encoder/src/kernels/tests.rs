use super::*;

/// xorshift64* — deterministic test data without a rand dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// uniform in [-1, 1)
    fn f(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// Random Q4_0 matrix bytes with scales of varied magnitude.
fn random_q4(rng: &mut Rng, nout: usize, nin: usize) -> Vec<u8> {
    let mut raw = Vec::new();
    for _ in 0..nout * nin / QK {
        // half: sign 0, exponent 8..=17 (2^-7 .. 2^2), random mantissa
        let exp = 8 + (rng.next() % 10) as u16;
        let h: u16 = (exp << 10) | (rng.next() as u16 & 0x3FF);
        raw.extend_from_slice(&h.to_le_bytes());
        for _ in 0..16 {
            raw.push(rng.next() as u8);
        }
    }
    raw
}

fn isas() -> Vec<Isa> {
    let mut v = vec![Isa::Portable];
    if Isa::detect() == Isa::Avx2 {
        v.push(Isa::Avx2);
    }
    v
}

#[test]
fn f16_conversion() {
    assert_eq!(f16_to_f32(0x3C00), 1.0);
    assert_eq!(f16_to_f32(0xC000), -2.0);
    assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
    assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8); // smallest subnormal
    assert_eq!(f16_to_f32(0x03FF), 6.097_555e-5); // largest subnormal
    assert_eq!(f16_to_f32(0x7BFF), 65504.0);
    assert!(f16_to_f32(0x7C00).is_infinite());
    assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
}

#[test]
fn dequantize_matches_definition() {
    // block: scale 0.5, byte j = (j % 16) | ((15 - j % 16) << 4)
    let mut blk = vec![0x00, 0x38];
    for j in 0..16u8 {
        blk.push(j | ((15 - j) << 4));
    }
    let mut out = [0f32; 32];
    dequantize_q4_row(&blk, &mut out);
    for j in 0..16 {
        assert_eq!(out[j], (j as f32 - 8.0) * 0.5);
        assert_eq!(out[j + 16], ((15 - j) as f32 - 8.0) * 0.5);
    }
}

#[test]
fn quantize_isas_agree_bitwise_and_bound_error() {
    let mut rng = Rng(7);
    let (rows, nin) = (5, 96);
    let mut x: Vec<f32> = (0..rows * nin).map(|_| rng.f() * 3.0).collect();
    x[40] = 0.0; // a block with zeros, and an all-zero block:
    for v in &mut x[64..96] {
        *v = 0.0;
    }
    let mut outs = Vec::new();
    for isa in isas() {
        let mut a = QuantActs::default();
        quantize(isa, &x, rows, nin, &mut a);
        outs.push(a);
    }
    let a = &outs[0];
    for b in &outs[1..] {
        assert_eq!(a.q, b.q);
        assert_eq!(a.d, b.d);
        assert_eq!(a.s8, b.s8);
    }
    for t in 0..rows {
        for b in 0..nin / QK {
            let d = a.d[t * 3 + b];
            let mut sum = 0;
            for j in 0..QK {
                let i = t * nin + b * QK + j;
                let back = a.q[i] as f32 * d;
                assert!((back - x[i]).abs() <= d * 0.5 + 1e-6, "t{t} b{b} j{j}");
                sum += a.q[i] as i32;
            }
            assert_eq!(a.s8[t * 3 + b], 8 * sum);
        }
    }
    assert_eq!(a.d[2], 0.0);
    assert!(a.q[64..96].iter().all(|&q| q == 0));
}

/// Plain f32 reference of `bias + W x` with dequantised weights and
/// (optionally) dequantised activations.
fn reference(
    raw: &[u8],
    bias: &[f32],
    x: &[f32],
    rows: usize,
    nout: usize,
    nin: usize,
) -> Vec<f32> {
    let nb = nin / QK;
    let mut wrow = vec![0f32; nin];
    let mut y = vec![0f32; rows * nout];
    for o in 0..nout {
        dequantize_q4_row(
            &raw[o * nb * Q4_BLOCK_BYTES..(o + 1) * nb * Q4_BLOCK_BYTES],
            &mut wrow,
        );
        for t in 0..rows {
            let mut s = 0f64;
            for i in 0..nin {
                s += f64::from(wrow[i]) * f64::from(x[t * nin + i]);
            }
            y[t * nout + o] = bias[o] + s as f32;
        }
    }
    y
}

#[test]
fn matmul_matches_f32_reference() {
    let mut rng = Rng(42);
    for &(rows, nout, nin) in &[
        (1, 8, 32),
        (3, 16, 64),
        (9, 24, 384),
        (70, 40, 160),
        (5, 8, 1536),
    ] {
        let raw = random_q4(&mut rng, nout, nin);
        let w = QMatrix::from_q4(&raw, nout, nin);
        let bias: Vec<f32> = (0..nout).map(|_| rng.f()).collect();
        let x: Vec<f32> = (0..rows * nin).map(|_| rng.f() * 2.0).collect();
        let mut results = Vec::new();
        for isa in isas() {
            let mut a = QuantActs::default();
            quantize(isa, &x, rows, nin, &mut a);
            // exact reference on the quantised activations
            let xq: Vec<f32> = (0..rows * nin)
                .map(|i| a.q[i] as f32 * a.d[i / QK])
                .collect();
            let exact = reference(&raw, &bias, &xq, rows, nout, nin);
            // reference on the raw activations (quantisation error allowed)
            let loose = reference(&raw, &bias, &x, rows, nout, nin);
            let mut y = vec![f32::NAN; rows * nout];
            matmul(isa, &w, &bias, &a, &mut y);
            let scale = exact.iter().fold(1f32, |m, v| m.max(v.abs()));
            for i in 0..y.len() {
                assert!(
                    (y[i] - exact[i]).abs() <= 2e-5 * scale,
                    "{isa:?} {rows}x{nout}x{nin} i{i}: {} vs {}",
                    y[i],
                    exact[i]
                );
                assert!(
                    (y[i] - loose[i]).abs() <= 2e-2 * scale,
                    "{isa:?} loose i{i}: {} vs {}",
                    y[i],
                    loose[i]
                );
            }
            results.push(y);
        }
        for r in &results[1..] {
            for (a, b) in results[0].iter().zip(r) {
                assert!(
                    (a - b).abs() <= 1e-5 * (1.0 + a.abs()),
                    "portable {a} vs simd {b}"
                );
            }
        }
    }
}

#[test]
fn matmul_row_independent_of_batch_position() {
    let mut rng = Rng(3);
    let (nout, nin) = (16, 128);
    let raw = random_q4(&mut rng, nout, nin);
    let w = QMatrix::from_q4(&raw, nout, nin);
    let bias = vec![0.25f32; nout];
    let x: Vec<f32> = (0..7 * nin).map(|_| rng.f()).collect();
    for isa in isas() {
        let mut a = QuantActs::default();
        quantize(isa, &x, 7, nin, &mut a);
        let mut all = vec![0f32; 7 * nout];
        matmul(isa, &w, &bias, &a, &mut all);
        for t in 0..7 {
            let mut one = QuantActs::default();
            quantize(isa, &x[t * nin..(t + 1) * nin], 1, nin, &mut one);
            let mut y = vec![0f32; nout];
            matmul(isa, &w, &bias, &one, &mut y);
            assert_eq!(&all[t * nout..(t + 1) * nout], &y[..], "{isa:?} token {t}");
        }
    }
}

#[test]
fn attention_isas_agree() {
    let mut rng = Rng(11);
    let hd = 32;
    let stride = 3 * 64;
    for &len in &[1usize, 2, 3, 5, 8, 17, 64, 130] {
        let start = 2;
        let qkv: Vec<f32> = (0..(start + len) * stride).map(|_| rng.f() * 2.0).collect();
        let mut outs = Vec::new();
        for isa in isas() {
            let mut o = vec![0f32; len * hd];
            attention(
                isa,
                &qkv,
                stride,
                start,
                len,
                32,
                64 + 32,
                128 + 32,
                hd,
                &mut o,
            );
            outs.push(o);
        }
        // softmax rows sum to one: context of constant values is that constant
        for r in &outs[1..] {
            for (a, b) in outs[0].iter().zip(r) {
                assert!((a - b).abs() < 1e-5, "len {len}: {a} vs {b}");
            }
        }
        if len == 1 {
            // a single token attends only to itself
            assert!(outs[0]
                .iter()
                .zip(&qkv[start * stride + 160..][..32])
                .all(|(a, b)| (a - b).abs() < 1e-6));
        }
    }
}

/// erf by its Taylor series in f64 (accurate to ~1e-12 for |x| <= 4).
fn erf_ref(x: f64) -> f64 {
    if x.abs() > 4.0 {
        return erf_ref(4.0 * x.signum()) + (1.0 - erf_ref(4.0)) * x.signum();
    }
    let mut term = x;
    let mut sum = x;
    for n in 1..200 {
        term *= -x * x / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

#[test]
fn erf_and_gelu_are_accurate() {
    for i in -1200..=1200 {
        let x = i as f32 / 200.0;
        let e = erf(x);
        assert!(
            (f64::from(e) - erf_ref(f64::from(x))).abs() < 1e-6,
            "erf({x}) = {e}"
        );
    }
    let xs: Vec<f32> = (-300..300).map(|i| i as f32 / 37.0).collect();
    for isa in isas() {
        let mut g = xs.clone();
        gelu_inplace(isa, &mut g);
        for (x, g) in xs.iter().zip(&g) {
            let r = 0.5 * f64::from(*x) * (1.0 + erf_ref(f64::from(*x) / 2f64.sqrt()));
            assert!(
                (f64::from(*g) - r).abs() < 2e-6 * (1.0 + r.abs()),
                "{isa:?} gelu({x}) = {g} vs {r}"
            );
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn simd_exp_is_accurate() {
    if Isa::detect() != Isa::Avx2 {
        return;
    }
    use std::arch::x86_64::*;
    for i in -1000..=100 {
        let x = i as f32 / 11.0;
        let mut out = [0f32; 8];
        // SAFETY: AVX2 and FMA checked above.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), avx2::exp256(_mm256_set1_ps(x))) };
        let r = f64::from(x).exp();
        assert!(
            (f64::from(out[0]) - r).abs() <= 3e-7 * r + 1e-37,
            "exp({x}) = {} vs {r}",
            out[0]
        );
    }
}
