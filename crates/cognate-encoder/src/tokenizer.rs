//! XLM-R SentencePiece unigram tokenizer, as the reference engine runs it.
//!
//! Pipeline: per-codepoint normalisation map (from the model file), collapse of
//! runs of U+0020, metaspace (a leading `▁` unless the text starts with a
//! space; every space becomes `▁`), then a Viterbi search over the unigram
//! piece scores with a single-codepoint `<unk>` fallback scored
//! `min(score) - 10`.

const META: char = '\u{2581}';

/// The unigram vocabulary plus the normalisation map.
#[derive(Debug, Clone)]
pub(crate) struct Tokenizer {
    /// `offs[i]..offs[i+1]` is piece `i` in `blob`.
    offs: Vec<u32>,
    scores: Vec<f32>,
    blob: Vec<u8>,
    /// Open-addressing table of `piece index + 1` (0 = empty).
    table: Vec<u32>,
    mask: usize,
    max_piece_bytes: usize,
    unk_score: f32,
    pub(crate) bos: u32,
    pub(crate) eos: u32,
    pub(crate) unk: u32,
    /// Sorted codepoints that the normalisation map rewrites.
    norm_cp: Vec<u32>,
    /// `norm_off[i]..norm_off[i+1]` is the replacement of `norm_cp[i]` in `norm_out`.
    norm_off: Vec<u32>,
    norm_out: Vec<u32>,
}

fn fnv1a(s: &[u8]) -> u64 {
    let mut h: u64 = 1_469_598_103_934_665_603;
    for &b in s {
        h ^= u64::from(b);
        h = h.wrapping_mul(1_099_511_628_211);
    }
    h
}

impl Tokenizer {
    /// Build from validated parts (`offs` monotone, last offset == blob length,
    /// `norm_off` monotone and ending at `norm_out.len()`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        offs: Vec<u32>,
        scores: Vec<f32>,
        blob: Vec<u8>,
        bos: u32,
        eos: u32,
        unk: u32,
        norm_cp: Vec<u32>,
        norm_off: Vec<u32>,
        norm_out: Vec<u32>,
    ) -> Self {
        let n = scores.len();
        let mut min_score = 1e30f32;
        let mut max_piece_bytes = 1usize;
        for i in 0..n {
            if scores[i] < min_score {
                min_score = scores[i];
            }
            let len = (offs[i + 1] - offs[i]) as usize;
            max_piece_bytes = max_piece_bytes.max(len);
        }
        let size = (n * 2).max(2).next_power_of_two();
        let mask = size - 1;
        let mut table = vec![0u32; size];
        for i in 0..n {
            let piece = &blob[offs[i] as usize..offs[i + 1] as usize];
            if piece.is_empty() {
                continue;
            }
            let mut h = (fnv1a(piece) as usize) & mask;
            while table[h] != 0 {
                h = (h + 1) & mask;
            }
            table[h] = i as u32 + 1;
        }
        Tokenizer {
            offs,
            scores,
            blob,
            table,
            mask,
            max_piece_bytes,
            unk_score: min_score - 10.0,
            bos,
            eos,
            unk,
            norm_cp,
            norm_off,
            norm_out,
        }
    }

    /// Number of pieces in the vocabulary.
    pub(crate) fn vocab_size(&self) -> usize {
        self.scores.len()
    }

    /// The bytes of piece `id` (UTF-8).
    pub(crate) fn piece(&self, id: u32) -> &[u8] {
        let i = id as usize;
        &self.blob[self.offs[i] as usize..self.offs[i + 1] as usize]
    }

    fn lookup(&self, s: &[u8]) -> Option<u32> {
        let mut i = (fnv1a(s) as usize) & self.mask;
        loop {
            let v = self.table[i];
            if v == 0 {
                return None;
            }
            let idx = v - 1;
            if self.piece(idx) == s {
                return Some(idx);
            }
            i = (i + 1) & self.mask;
        }
    }

    fn normalise_into(&self, cp: u32, out: &mut Vec<u32>) {
        match self.norm_cp.binary_search(&cp) {
            Ok(i) => {
                let (a, b) = (self.norm_off[i] as usize, self.norm_off[i + 1] as usize);
                out.extend_from_slice(&self.norm_out[a..b]);
            }
            Err(_) => out.push(cp),
        }
    }

    /// Content token ids of `text` (no `<s>`/`</s>`), exactly as the reference
    /// engine's tokenizer. Text after an interior NUL is ignored (the engine
    /// sees C strings).
    pub(crate) fn encode(&self, text: &str) -> Vec<u32> {
        let text = match text.find('\0') {
            Some(i) => &text[..i],
            None => text,
        };
        // 1. normalisation map
        let mut cps: Vec<u32> = Vec::with_capacity(text.len() + 1);
        for c in text.chars() {
            self.normalise_into(c as u32, &mut cps);
        }
        // 2. collapse runs of spaces
        let mut w = 0;
        for i in 0..cps.len() {
            if cps[i] == 0x20 && w > 0 && cps[w - 1] == 0x20 {
                continue;
            }
            cps[w] = cps[i];
            w += 1;
        }
        cps.truncate(w);
        // 3. metaspace, with the byte offset of every character
        let mut buf: Vec<u8> = Vec::with_capacity(cps.len() * 3 + 3);
        let mut starts: Vec<usize> = Vec::with_capacity(cps.len() + 2);
        let mut tmp = [0u8; 4];
        if cps.first() != Some(&0x20) {
            starts.push(0);
            buf.extend_from_slice(META.encode_utf8(&mut tmp).as_bytes());
        }
        for &cp in &cps {
            starts.push(buf.len());
            let cp = if cp == 0x20 { META as u32 } else { cp };
            encode_utf8_raw(cp, &mut buf);
        }
        let n = starts.len();
        starts.push(buf.len());

        // 4. Viterbi
        let mut best = vec![-1e30f32; n + 1];
        let mut back_piece = vec![u32::MAX; n + 1]; // u32::MAX = unknown
        let mut back_from = vec![0usize; n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= -1e29 {
                continue;
            }
            let bi = starts[i];
            for e in i + 1..=n {
                let len = starts[e] - bi;
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(idx) = self.lookup(&buf[bi..bi + len]) {
                    if idx != self.unk {
                        let sc = best[i] + self.scores[idx as usize];
                        if sc > best[e] {
                            best[e] = sc;
                            back_piece[e] = idx;
                            back_from[e] = i;
                        }
                    }
                }
            }
            let us = best[i] + self.unk_score;
            if us > best[i + 1] {
                best[i + 1] = us;
                back_piece[i + 1] = u32::MAX;
                back_from[i + 1] = i;
            }
        }
        let mut ids = Vec::new();
        let mut i = n;
        while i > 0 {
            let p = back_piece[i];
            ids.push(if p == u32::MAX { self.unk } else { p });
            i = back_from[i];
        }
        ids.reverse();
        ids
    }
}

/// UTF-8 encoding of any codepoint below 2^21 (the map's output is trusted
/// to be codepoints, but a surrogate must not make us panic, so this does not
/// go through `char`).
fn encode_utf8_raw(cp: u32, out: &mut Vec<u8>) {
    if cp < 0x80 {
        out.push(cp as u8);
    } else if cp < 0x800 {
        out.extend_from_slice(&[0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8]);
    } else if cp < 0x10000 {
        out.extend_from_slice(&[
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    } else {
        out.extend_from_slice(&[
            0xF0 | ((cp >> 18) & 0x07) as u8,
            0x80 | ((cp >> 12) & 0x3F) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy vocabulary: specials, then pieces with scores.
    fn toy() -> Tokenizer {
        let pieces: &[(&str, f32)] = &[
            ("<s>", 0.0),
            ("<pad>", 0.0),
            ("</s>", 0.0),
            ("<unk>", 0.0),
            ("\u{2581}", -2.0),
            ("\u{2581}a", -1.0),
            ("b", -1.5),
            ("\u{2581}ab", -2.2),
            ("a", -3.0),
            ("\u{2581}ä", -1.0),
            ("中", -2.0),
            ("中国", -2.5),
        ];
        let mut offs = vec![0u32];
        let mut blob = Vec::new();
        let mut scores = Vec::new();
        for (p, s) in pieces {
            blob.extend_from_slice(p.as_bytes());
            offs.push(blob.len() as u32);
            scores.push(*s);
        }
        // normalisation: TAB -> space, U+00C4 (Ä) -> ä, U+0001 -> deleted
        let norm_cp = vec![0x01, 0x09, 0xC4];
        let norm_off = vec![0, 0, 1, 2];
        let norm_out = vec![0x20, 0xE4];
        Tokenizer::new(offs, scores, blob, 0, 2, 3, norm_cp, norm_off, norm_out)
    }

    #[test]
    fn viterbi_prefers_best_total_score() {
        let t = toy();
        // "▁ab" scores -2.2 (one piece) vs "▁a"+"b" = -2.5
        assert_eq!(t.encode("ab"), vec![7]);
        // "a" alone: "▁a"
        assert_eq!(t.encode("a"), vec![5]);
    }

    #[test]
    fn unknown_chars_fall_back_to_unk_per_codepoint() {
        let t = toy();
        // "▁" then 'z' unknown -> unk ; "▁z" is not a piece
        assert_eq!(t.encode("z"), vec![4, 3]);
        // emoji is unknown: one <unk> per codepoint
        assert_eq!(t.encode("a😀😀"), vec![5, 3, 3]);
    }

    #[test]
    fn normalisation_map_and_space_runs() {
        let t = toy();
        // TAB -> space, then runs collapse: "a \t  b" -> "▁a▁b"; "▁b" is not a
        // piece, so "▁" + "b"
        assert_eq!(t.encode("a \t  b"), vec![5, 4, 6]);
        // Ä -> ä via the map
        assert_eq!(t.encode("Ä"), vec![9]);
        // deleted control char
        assert_eq!(t.encode("\u{1}a"), vec![5]);
    }

    #[test]
    fn leading_space_gets_no_extra_meta() {
        let t = toy();
        assert_eq!(t.encode(" a"), t.encode("a"));
        assert_eq!(t.encode("   a"), t.encode("a"));
    }

    #[test]
    fn empty_and_nul() {
        let t = toy();
        assert_eq!(t.encode(""), vec![4]);
        assert_eq!(t.encode("a\0b"), t.encode("a"));
    }

    #[test]
    fn cjk_longest_useful_piece() {
        let t = toy();
        assert_eq!(t.encode("中国"), vec![4, 11]);
        assert_eq!(t.encode("中"), vec![4, 10]);
    }

    #[test]
    fn specials_are_matchable_but_unk_is_not() {
        let t = toy();
        // "<unk>" literally is never produced by matching the piece text
        let ids = t.encode("<unk>");
        assert!(ids.iter().all(|&i| i == 3 || i == 4));
        assert!(ids.len() > 2);
    }
}
