//! Loading synthetic model files: a tiny valid one (which also runs a
//! forward pass), then truncated, garbage and inconsistent variants, which
//! must give typed errors naming the path and offset, never a panic.

use std::path::{Path, PathBuf};

use cognate_encoder::{E5Model, EncoderError};

/// A temporary directory removed on drop (no tempfile dependency).
struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("cognate-encoder-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const PIECES: &[(&str, f32)] = &[
    ("<s>", 0.0),
    ("<pad>", 0.0),
    ("</s>", 0.0),
    ("<unk>", 0.0),
    ("\u{2581}", -2.0),
    ("\u{2581}a", -1.0),
    ("b", -1.5),
    ("c", -3.0),
    ("\u{2581}b", -1.2),
    ("a", -2.5),
];

/// Layout facts of a built file, for targeted corruption.
struct Built {
    bytes: Vec<u8>,
    /// (name, offset of the entry's n_elements field)
    n_fields: Vec<(String, usize)>,
    dir_start: usize,
    data_start: usize,
}

/// A valid E5S1 file with `hidden`, `heads`, `ffn`, one layer.
fn build(hidden: usize, heads: usize, ffn: usize) -> Built {
    let (layers, maxp, vocab) = (1usize, 16usize, PIECES.len());
    let mut b = Vec::new();
    let i32s = |b: &mut Vec<u8>, v: &[i64]| {
        v.iter()
            .for_each(|x| b.extend_from_slice(&(*x as i32).to_le_bytes()))
    };
    b.extend_from_slice(b"E5S1");
    b.extend_from_slice(&1u32.to_le_bytes());
    i32s(
        &mut b,
        &[
            hidden as i64,
            layers as i64,
            heads as i64,
            ffn as i64,
            vocab as i64,
            maxp as i64,
            1,
        ],
    );
    b.extend_from_slice(&1e-12f32.to_le_bytes());
    i32s(&mut b, &[32, vocab as i64, 0, 2, 1, 3]);
    let blob: Vec<u8> = PIECES.iter().flat_map(|(p, _)| p.bytes()).collect();
    b.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    let mut off = 0u32;
    b.extend_from_slice(&off.to_le_bytes());
    for (p, _) in PIECES {
        off += p.len() as u32;
        b.extend_from_slice(&off.to_le_bytes());
    }
    for (_, s) in PIECES {
        b.extend_from_slice(&s.to_le_bytes());
    }
    b.extend_from_slice(&blob);
    // normalisation map: TAB -> space
    i32s(&mut b, &[1, 9]);
    b.extend_from_slice(&9u32.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&32u32.to_le_bytes());

    // tensors
    let (h, ff) = (hidden, ffn);
    let mut tensors: Vec<(String, u8, usize)> = vec![
        ("emb.word".into(), 1, vocab * h),
        ("emb.pos".into(), 0, maxp * h),
        ("emb.type".into(), 0, h),
        ("emb.ln.w".into(), 0, h),
        ("emb.ln.b".into(), 0, h),
    ];
    for l in 0..layers {
        for (s, dt, n) in [
            ("q.w", 1, h * h),
            ("q.b", 0, h),
            ("k.w", 1, h * h),
            ("k.b", 0, h),
            ("v.w", 1, h * h),
            ("v.b", 0, h),
            ("ao.w", 1, h * h),
            ("ao.b", 0, h),
            ("aln.w", 0, h),
            ("aln.b", 0, h),
            ("fi.w", 1, ff * h),
            ("fi.b", 0, ff),
            ("fo.w", 1, h * ff),
            ("fo.b", 0, h),
            ("oln.w", 0, h),
            ("oln.b", 0, h),
        ] {
            tensors.push((format!("l{l}.{s}"), dt, n));
        }
    }
    let nbytes = |dt: u8, n: usize| if dt == 0 { n * 4 } else { n / 32 * 18 };
    let dir_start = b.len();
    let dir_len: usize = 4 + tensors
        .iter()
        .map(|(n, _, _)| 2 + n.len() + 1 + 4 + 8 + 8)
        .sum::<usize>();
    let data_start = dir_start + dir_len;
    i32s(&mut b, &[tensors.len() as i64]);
    let mut pos = data_start;
    let mut n_fields = Vec::new();
    for (name, dt, n) in &tensors {
        b.extend_from_slice(&(name.len() as u16).to_le_bytes());
        b.extend_from_slice(name.as_bytes());
        b.push(*dt);
        n_fields.push((name.clone(), b.len()));
        b.extend_from_slice(&(*n as u32).to_le_bytes());
        b.extend_from_slice(&(pos as u64).to_le_bytes());
        b.extend_from_slice(&(nbytes(*dt, *n) as u64).to_le_bytes());
        pos += nbytes(*dt, *n);
    }
    assert_eq!(b.len(), data_start);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (name, dt, n) in &tensors {
        if *dt == 1 {
            for _ in 0..n / 32 {
                b.extend_from_slice(&0x2A66u16.to_le_bytes()); // ~0.05
                for _ in 0..16 {
                    b.push(rng.next() as u8);
                }
            }
        } else {
            let one = name.ends_with("ln.w") || name.ends_with(".w");
            for _ in 0..*n {
                let v = if one {
                    1.0f32
                } else {
                    ((rng.next() % 1000) as f32 / 1000.0 - 0.5) * 0.2
                };
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    Built {
        bytes: b,
        n_fields,
        dir_start,
        data_start,
    }
}

fn path_in_message(e: &EncoderError, p: &Path) {
    let msg = e.to_string();
    assert!(
        msg.contains(&p.display().to_string()),
        "message does not name the file: {msg}"
    );
}

#[test]
fn tiny_valid_model_loads_and_embeds() {
    let dir = TempDir::new("valid");
    for (hidden, heads) in [(32, 1), (64, 4)] {
        let built = build(hidden, heads, 64);
        let p = dir.write(&format!("tiny{hidden}.bin"), &built.bytes);
        let m = E5Model::load(&p).expect("valid synthetic model");
        assert_eq!(m.dim(), hidden);
        assert_eq!(m.tokenize("ab\tb"), vec![5, 6, 8]);
        let e = m.embed_passages(&["ab", "b a b a b a b a b a b a b a b a b a b a", ""]);
        assert_eq!(e.len(), 3);
        for v in &e {
            assert_eq!(v.len(), hidden);
            assert!(v.iter().all(|x| x.is_finite()));
            assert!((v.dot(v) - 1.0).abs() < 1e-4);
        }
        // the long one is windowed (14 content positions per window); one-by-one equals batched
        assert_eq!(
            m.embed_passages(&["b a b a b a b a b a b a b a b a b a b a"])[0],
            e[1]
        );
    }
}

#[test]
fn missing_file() {
    let dir = TempDir::new("missing");
    let p = dir.0.join("nope.bin");
    let e = E5Model::load(&p).unwrap_err();
    assert!(matches!(e, EncoderError::MissingFile { .. }), "{e:?}");
    path_in_message(&e, &p);
    assert!(e.to_string().contains("setup.sh"));
}

#[test]
fn bad_magic_and_garbage() {
    let dir = TempDir::new("garbage");
    let p = dir.write("empty.bin", b"");
    assert!(matches!(
        E5Model::load(&p),
        Err(EncoderError::BadMagic { .. })
    ));
    let p = dir.write("gguf.bin", b"GGUF\x03\x00\x00\x00 and more");
    let e = E5Model::load(&p).unwrap_err();
    assert!(matches!(e, EncoderError::BadMagic { .. }), "{e:?}");
    path_in_message(&e, &p);
    assert!(e.to_string().contains("offset 0"));
    // random bytes after a correct magic: an error, whatever it is, never a panic
    let mut rng = Rng(12345);
    for i in 0..200 {
        let len = (rng.next() % 4096) as usize;
        let mut b = b"E5S1".to_vec();
        b.extend((0..len).map(|_| rng.next() as u8));
        let p = dir.write(&format!("g{i}.bin"), &b);
        assert!(E5Model::load(&p).is_err());
    }
}

#[test]
fn every_truncation_is_a_typed_error() {
    let dir = TempDir::new("trunc");
    let built = build(32, 1, 32);
    let full = &built.bytes;
    let mut cuts: Vec<usize> = (0..built.data_start + 64).collect();
    cuts.extend((built.data_start..full.len()).step_by(97));
    cuts.push(full.len() - 1);
    let p = dir.0.join("t.bin");
    for cut in cuts {
        std::fs::write(&p, &full[..cut]).unwrap();
        match E5Model::load(&p) {
            Ok(_) => panic!("truncated at {cut} of {} loaded", full.len()),
            Err(EncoderError::BadMagic { .. }) => assert!(cut < 4),
            Err(e @ EncoderError::Truncated { offset, .. }) => {
                assert!(offset <= full.len() as u64);
                path_in_message(&e, &p);
                assert!(e.to_string().contains(&format!("offset {offset}")));
            }
            // a cut inside the piece blob shortens it below the announced length,
            // or a count field is cut in a way that reads as an impossible value
            Err(EncoderError::BadHeader { .. }) => {}
            Err(e) => panic!("cut {cut}: unexpected error {e:?}"),
        }
    }
}

#[test]
fn bad_tensor_shape_names_tensor_and_offset() {
    let dir = TempDir::new("shape");
    let built = build(32, 1, 32);
    // claim l0.fi.w has 32 more elements (and bytes stay those of the original)
    let (name, at) = built
        .n_fields
        .iter()
        .find(|(n, _)| n == "l0.fi.w")
        .unwrap()
        .clone();
    let mut b = built.bytes.clone();
    let n = u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    b[at..at + 4].copy_from_slice(&(n + 32).to_le_bytes());
    let p = dir.write("shape.bin", &b);
    let e = E5Model::load(&p).unwrap_err();
    match &e {
        EncoderError::BadTensorShape {
            name: n, offset, ..
        } => {
            assert_eq!(n, &name);
            assert!(*offset as usize >= built.dir_start && (*offset as usize) < at);
        }
        other => panic!("expected BadTensorShape, got {other:?}"),
    }
    path_in_message(&e, &p);

    // consistent bytes but the wrong element count for the hyper-parameters
    let mut b = built.bytes.clone();
    let (_, at) = built
        .n_fields
        .iter()
        .find(|(n, _)| n == "emb.ln.b")
        .unwrap()
        .clone();
    b[at..at + 4].copy_from_slice(&16u32.to_le_bytes());
    let nb_at = at + 4 + 8;
    b[nb_at..nb_at + 8].copy_from_slice(&64u64.to_le_bytes());
    let p = dir.write("shape2.bin", &b);
    let e = E5Model::load(&p).unwrap_err();
    assert!(
        matches!(&e, EncoderError::BadTensorShape { name, .. } if name == "emb.ln.b"),
        "{e:?}"
    );

    // a tensor pointing past the end of the file
    let mut b = built.bytes.clone();
    let off_at = at + 4;
    b[off_at..off_at + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let p = dir.write("past.bin", &b);
    assert!(matches!(
        E5Model::load(&p),
        Err(EncoderError::Truncated { .. })
    ));

    // a tensor missing: rename it
    let mut b = built.bytes.clone();
    let name_at = built
        .n_fields
        .iter()
        .find(|(n, _)| n == "l0.q.b")
        .unwrap()
        .1
        - 1
        - 6;
    assert_eq!(&b[name_at..name_at + 6], b"l0.q.b");
    b[name_at + 3] = b'x';
    let p = dir.write("missing_tensor.bin", &b);
    let e = E5Model::load(&p).unwrap_err();
    assert!(
        matches!(&e, EncoderError::BadTensorShape { name, .. } if name == "l0.q.b"),
        "{e:?}"
    );
}

#[test]
fn default_path_honours_env_and_reports_setup() {
    // Only the error text is checked here (the env var is process-global and
    // the model tests rely on the default search).
    let e = EncoderError::ModelNotFound {
        file_name: "e5-small-q4.bin",
        searched: vec![PathBuf::from("/x/.cache/models/e5-small-q4.bin")],
    };
    let msg = e.to_string();
    assert!(
        msg.contains("./scripts/setup.sh")
            && msg.contains("/x/.cache/models")
            && msg.contains("COGNATE_MODEL_DIR")
    );
}
