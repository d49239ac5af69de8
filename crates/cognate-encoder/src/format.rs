//! Parser of the `E5S1` model file (little-endian):
//!
//! ```text
//! "E5S1" u32 version
//! i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab ; f32 eps ; i32 block_size(32)
//! i32 n_pieces, bos, eos, pad, unk ; u64 blob_len
//! u32 offsets[n_pieces+1] ; f32 scores[n_pieces] ; u8 blob[blob_len]
//! i32 n_norm ; u32 norm_bytes ; n_norm × (u32 codepoint, u8 n_out, u32 out[n_out])
//! i32 n_tensors ; n_tensors × (u16 name_len, name, u8 dtype (0=f32, 1=Q4_0), u32 n_elements,
//!                              u64 offset, u64 n_bytes)
//! tensor data at the given offsets
//! ```

use std::path::Path;

use crate::error::EncoderError;
use crate::kernels::{Q4_BLOCK_BYTES, QK};
use crate::tokenizer::Tokenizer;

/// Hyper-parameters from the file header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HyperParams {
    /// Hidden size (384).
    pub hidden: usize,
    /// Transformer layers (12).
    pub layers: usize,
    /// Attention heads (12).
    pub heads: usize,
    /// Feed-forward size (1536).
    pub ffn: usize,
    /// Rows of the word-embedding table.
    pub vocab: usize,
    /// Position embeddings (512): the longest input, special tokens included.
    pub max_positions: usize,
    /// Token-type embeddings.
    pub type_vocab: usize,
    /// LayerNorm epsilon.
    pub eps: f32,
}

pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], path: &'a Path) -> Self {
        Reader { data, pos: 0, path }
    }

    pub(crate) fn offset(&self) -> u64 {
        self.pos as u64
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], EncoderError> {
        let available = self.data.len() - self.pos;
        if n > available {
            return Err(EncoderError::Truncated {
                path: self.path.to_path_buf(),
                offset: self.pos as u64,
                what: what.to_string(),
                needed: n as u64,
                available: available as u64,
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn arr<const N: usize>(&mut self, what: &str) -> Result<[u8; N], EncoderError> {
        Ok(self.take(N, what)?.try_into().expect("length checked"))
    }
    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, EncoderError> {
        Ok(self.arr::<1>(what)?[0])
    }
    pub(crate) fn u16(&mut self, what: &str) -> Result<u16, EncoderError> {
        Ok(u16::from_le_bytes(self.arr(what)?))
    }
    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, EncoderError> {
        Ok(u32::from_le_bytes(self.arr(what)?))
    }
    pub(crate) fn i32(&mut self, what: &str) -> Result<i32, EncoderError> {
        Ok(i32::from_le_bytes(self.arr(what)?))
    }
    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, EncoderError> {
        Ok(u64::from_le_bytes(self.arr(what)?))
    }
    pub(crate) fn f32(&mut self, what: &str) -> Result<f32, EncoderError> {
        Ok(f32::from_le_bytes(self.arr(what)?))
    }

    fn bad(&self, offset: u64, what: &str, detail: String) -> EncoderError {
        EncoderError::BadHeader {
            path: self.path.to_path_buf(),
            offset,
            what: what.to_string(),
            detail,
        }
    }

    /// A positive count no larger than `max`.
    fn count(&mut self, what: &str, min: i64, max: i64) -> Result<usize, EncoderError> {
        let off = self.offset();
        let v = i64::from(self.i32(what)?);
        if v < min || v > max {
            return Err(self.bad(off, what, format!("{v} is outside {min}..={max}")));
        }
        Ok(v as usize)
    }
}

/// Tensor element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DType {
    F32,
    Q4,
}

/// One tensor directory entry, validated against the file size.
#[derive(Debug, Clone)]
pub(crate) struct TensorEntry {
    pub name: String,
    pub dtype: DType,
    pub n: usize,
    pub data: std::ops::Range<usize>,
    /// Offset of the directory entry itself (for error messages).
    pub entry_offset: u64,
}

/// Everything read from the file, before weights are unpacked.
pub(crate) struct Parsed {
    pub hp: HyperParams,
    pub tokenizer: Tokenizer,
    pub tensors: Vec<TensorEntry>,
    pub dir_offset: u64,
}

pub(crate) fn parse(data: &[u8], path: &Path) -> Result<Parsed, EncoderError> {
    if data.len() < 4 || &data[..4] != b"E5S1" {
        return Err(EncoderError::BadMagic {
            path: path.to_path_buf(),
            found: data[..data.len().min(4)].to_vec(),
        });
    }
    let mut r = Reader::new(data, path);
    r.take(4, "magic")?;
    let _version = r.u32("version")?;
    let hidden = r.count("hidden size", 32, 1 << 16)?;
    let layers = r.count("layer count", 1, 1024)?;
    let heads = r.count("head count", 1, 1024)?;
    let ffn = r.count("feed-forward size", 32, 1 << 18)?;
    let vocab = r.count("vocabulary size", 1, 1 << 24)?;
    let max_positions = r.count("max positions", 3, 1 << 20)?;
    let type_vocab = r.count("token type count", 1, 1 << 16)?;
    let eps_off = r.offset();
    let eps = r.f32("layer-norm epsilon")?;
    if !(eps.is_finite() && eps >= 0.0) {
        return Err(r.bad(eps_off, "layer-norm epsilon", format!("{eps}")));
    }
    let qk_off = r.offset();
    let qk = r.i32("block size")?;
    if qk != QK as i32 {
        return Err(r.bad(qk_off, "block size", format!("{qk}, only 32 is supported")));
    }
    let shape_off = 8;
    if hidden % QK != 0 || ffn % QK != 0 || hidden % heads != 0 {
        return Err(r.bad(
            shape_off,
            "hyper-parameters",
            format!(
                "hidden {hidden} and ffn {ffn} must be multiples of 32 and hidden of heads {heads}"
            ),
        ));
    }
    let hp = HyperParams {
        hidden,
        layers,
        heads,
        ffn,
        vocab,
        max_positions,
        type_vocab,
        eps,
    };

    // ---- tokenizer
    let n_pieces = r.count("piece count", 4, vocab as i64)?;
    let mut special = [0u32; 4];
    for (i, name) in ["bos id", "eos id", "pad id", "unk id"].iter().enumerate() {
        let off = r.offset();
        let v = r.i32(name)?;
        if v < 0 || v as usize >= n_pieces || v as usize >= vocab {
            return Err(r.bad(off, name, format!("{v} is not a piece id (< {n_pieces})")));
        }
        special[i] = v as u32;
    }
    let blob_off = r.offset();
    let blob_len = r.u64("piece blob length")?;
    if blob_len > data.len() as u64 {
        return Err(r.bad(
            blob_off,
            "piece blob length",
            format!("{blob_len} exceeds the file size"),
        ));
    }
    let offs_off = r.offset();
    let offs_raw = r.take((n_pieces + 1) * 4, "piece offsets")?;
    let offs: Vec<u32> = offs_raw
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    if offs[0] != 0 || offs.windows(2).any(|w| w[1] < w[0]) || u64::from(offs[n_pieces]) != blob_len
    {
        return Err(r.bad(
            offs_off,
            "piece offsets",
            "not increasing from 0 to the blob length".into(),
        ));
    }
    let scores: Vec<f32> = r
        .take(n_pieces * 4, "piece scores")?
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let blob = r.take(blob_len as usize, "piece blob")?.to_vec();

    let n_norm = r.count("normalisation entry count", 0, 1 << 22)?;
    let nm_bytes = r.u32("normalisation map size")? as usize;
    let nm_off = r.offset();
    let nm = r.take(nm_bytes, "normalisation map")?;
    let mut nr = Reader::new(nm, path);
    let mut norm_cp = Vec::with_capacity(n_norm);
    let mut norm_off = Vec::with_capacity(n_norm + 1);
    let mut norm_out = Vec::new();
    for _ in 0..n_norm {
        let map_err = |e: EncoderError| match e {
            EncoderError::Truncated {
                path,
                offset,
                what,
                needed,
                available,
            } => EncoderError::Truncated {
                path,
                offset: offset + nm_off,
                what,
                needed,
                available,
            },
            other => other,
        };
        let cp = nr.u32("normalisation codepoint").map_err(map_err)?;
        let no = nr.u8("normalisation output count").map_err(map_err)?;
        norm_cp.push(cp);
        norm_off.push(norm_out.len() as u32);
        for _ in 0..no {
            let o = nr.u32("normalisation output").map_err(map_err)?;
            if o > 0x10FFFF {
                return Err(r.bad(
                    nm_off + nr.offset() - 4,
                    "normalisation output",
                    format!("{o:#x} is not a codepoint"),
                ));
            }
            norm_out.push(o);
        }
    }
    norm_off.push(norm_out.len() as u32);
    if norm_cp.windows(2).any(|w| w[1] <= w[0]) {
        return Err(r.bad(
            nm_off,
            "normalisation map",
            "codepoints not strictly increasing".into(),
        ));
    }
    let tokenizer = Tokenizer::new(
        offs, scores, blob, special[0], special[1], special[3], norm_cp, norm_off, norm_out,
    );

    // ---- tensor directory
    let dir_offset = r.offset();
    let ndir = r.count("tensor count", 1, 1 << 16)?;
    let mut tensors = Vec::with_capacity(ndir);
    for _ in 0..ndir {
        let entry_offset = r.offset();
        let nl = r.u16("tensor name length")? as usize;
        let name = String::from_utf8_lossy(r.take(nl, "tensor name")?).into_owned();
        let dt_off = r.offset();
        let dtype = match r.u8("tensor type")? {
            0 => DType::F32,
            1 => DType::Q4,
            d => {
                return Err(r.bad(
                    dt_off,
                    "tensor type",
                    format!("{d} for '{name}' (expected 0 or 1)"),
                ))
            }
        };
        let n = r.u32("tensor element count")? as usize;
        let off = r.u64("tensor offset")?;
        let nbytes = r.u64("tensor size")?;
        let shape_err = |detail: String| EncoderError::BadTensorShape {
            path: path.to_path_buf(),
            name: name.clone(),
            offset: entry_offset,
            detail,
        };
        let expect_bytes = match dtype {
            DType::F32 => n as u64 * 4,
            DType::Q4 => {
                if !n.is_multiple_of(QK) {
                    return Err(shape_err(format!(
                        "{n} Q4_0 elements is not a multiple of 32"
                    )));
                }
                (n / QK * Q4_BLOCK_BYTES) as u64
            }
        };
        if nbytes != expect_bytes {
            return Err(shape_err(format!(
                "{nbytes} bytes for {n} elements, expected {expect_bytes}"
            )));
        }
        match off.checked_add(nbytes) {
            Some(end) if end <= data.len() as u64 => {}
            _ => {
                return Err(EncoderError::Truncated {
                    path: path.to_path_buf(),
                    offset: off,
                    what: format!("data of tensor '{name}'"),
                    needed: nbytes,
                    available: (data.len() as u64).saturating_sub(off),
                })
            }
        }
        tensors.push(TensorEntry {
            name,
            dtype,
            n,
            data: off as usize..(off + nbytes) as usize,
            entry_offset,
        });
    }
    Ok(Parsed {
        hp,
        tokenizer,
        tensors,
        dir_offset,
    })
}
