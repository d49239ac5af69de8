//! Sentences of a cleaned text, for sentence-level comparison across languages: a
//! translation keeps the sentences of its original, one by one and in order, while a
//! different article on the same subject only shares some of their meaning.

use cognate_encoder::{Embedding, Encoder, EncoderError};

/// Sentences shorter than this (in Latin-character equivalents, see [`width`]) are headings, datelines or fragments
/// that match too easily.
pub const MIN_SENTENCE_CHARS: usize = 25;
/// Longer sentences are cut here: encoding cost grows with length, and the opening of
/// a sentence says what it is about.
pub const MAX_SENTENCE_CHARS: usize = 400;

/// The sentences of a text in order, at most `max` of them: split at sentence-final
/// punctuation followed by a space (or at CJK full stops) and at line breaks; fragments
/// shorter than [`MIN_SENTENCE_CHARS`] are joined to the next piece, or dropped at the end.
/// Past `max`, the first `max - max / 4` and the last `max / 4` are kept, since
/// articles state the story at the start and often conclude at the end.
pub fn split_sentences(text: &str, max: usize) -> Vec<&str> {
    let mut pieces: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let end = match c {
            '\n' => Some(i),
            '。' | '！' | '？' | '；' => Some(i + c.len_utf8()),
            '.' | '!' | '?' | '…' | '؟' | '।' => matches!(
                next,
                None | Some(' ' | '\n' | '\t' | '"' | '»' | '”' | '\'')
            )
            .then_some(i + c.len_utf8()),
            _ => None,
        };
        if let Some(end) = end {
            push_piece(&mut pieces, text, &mut start, end);
        }
    }
    push_piece(&mut pieces, text, &mut start, text.len());
    let mut sentences: Vec<&str> = Vec::new();
    let mut pending: Option<usize> = None;
    for p in pieces {
        // A short fragment is joined to what follows, within the original text.
        let begin = pending
            .take()
            .unwrap_or(p.as_ptr() as usize - text.as_ptr() as usize);
        let end = p.as_ptr() as usize - text.as_ptr() as usize + p.len();
        let joined = text[begin..end].trim();
        if width(joined) < MIN_SENTENCE_CHARS {
            pending = Some(begin);
        } else {
            sentences.push(truncate(joined, MAX_SENTENCE_CHARS));
        }
    }
    if sentences.len() > max {
        let tail = max / 4;
        let head = max - tail;
        let n = sentences.len();
        sentences.drain(head..n - tail);
    }
    sentences
}

/// Sentences per article that [`ArticleVectors`] embeds.
pub const MAX_SENTENCES: usize = 32;
/// Characters of the article's end embedded as its tail (as much as the lead).
pub const TAIL_CHARS: usize = crate::features::embedding::LEAD_CHARS;

/// The encoder's closer view of one article, for comparing two articles one to one
/// (`compare`, the SemEval evaluation): more than a batch keeps per document.
#[derive(Clone, Debug)]
pub struct ArticleVectors {
    /// The whole text as one passage: a text longer than the encoder's 512 tokens is cut
    /// into consecutive windows, whose vectors are averaged by their token counts.
    pub text: Embedding,
    /// The lead of the text as given (about [`LEAD_CHARS`] bytes): in `compare` the text
    /// starts with the headline, which the clustering lead leaves out (with it, different
    /// reports of one event pass the translation rule), though it is the best single
    /// statement of how close two stories are.
    ///
    /// [`LEAD_CHARS`]: crate::features::embedding::LEAD_CHARS
    pub lead: Embedding,
    /// The last [`TAIL_CHARS`] characters, when the text is longer than that.
    pub tail: Option<Embedding>,
    pub sentences: Vec<String>,
    pub sentence_vectors: Vec<Embedding>,
}

impl ArticleVectors {
    /// Embeds a cleaned text: whole, tail, and up to [`MAX_SENTENCES`] sentences, in one
    /// encoder call.
    pub fn embed(encoder: &dyn Encoder, text: &str) -> Result<ArticleVectors, EncoderError> {
        let sentences = split_sentences(text, MAX_SENTENCES);
        let tail = tail(text);
        let mut inputs: Vec<&str> = vec![text, crate::features::embedding::lead(text)];
        inputs.extend(tail);
        inputs.extend(sentences.iter().copied());
        let mut vectors = encoder.embed_passages(&inputs)?.into_iter();
        let mut next = || {
            vectors
                .next()
                .unwrap_or_else(|| Embedding::from_vec(Vec::new()))
        };
        let text_vector = next();
        let lead_vector = next();
        let tail_vector = tail.and_then(|_| vectors.next());
        Ok(ArticleVectors {
            text: text_vector,
            lead: lead_vector,
            tail: tail_vector,
            sentences: sentences.into_iter().map(str::to_string).collect(),
            sentence_vectors: vectors.collect(),
        })
    }
}

/// The end of a text longer than [`TAIL_CHARS`], cut at a word boundary.
pub fn tail(text: &str) -> Option<&str> {
    if text.len() <= 2 * TAIL_CHARS {
        return None;
    }
    let mut start = text.len() - TAIL_CHARS;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let cut = text[start..]
        .find(char::is_whitespace)
        .filter(|&i| i < TAIL_CHARS / 2)
        .map_or(start, |i| start + i);
    Some(text[cut..].trim_start())
}

fn push_piece<'a>(pieces: &mut Vec<&'a str>, text: &'a str, start: &mut usize, end: usize) {
    let piece = text[*start..end].trim();
    if !piece.is_empty() {
        pieces.push(piece);
    }
    *start = end;
}

/// Length in Latin-character equivalents: a Han, kana or Hangul character says about
/// as much as three Latin letters.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x11FF | 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF => 3,
            _ => 1,
        })
        .sum()
}

fn truncate(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_sentence_ends_in_several_scripts() {
        let t = "NATO and Russia met in Brussels on Wednesday. Stoltenberg said talks were difficult!\n\
                 北约秘书长斯托尔滕贝格周三在布鲁塞尔表示会谈很艰难。俄罗斯代表团由副外长率领出席了会议。";
        let s = split_sentences(t, 10);
        assert_eq!(
            s,
            [
                "NATO and Russia met in Brussels on Wednesday.",
                "Stoltenberg said talks were difficult!",
                "北约秘书长斯托尔滕贝格周三在布鲁塞尔表示会谈很艰难。",
                "俄罗斯代表团由副外长率领出席了会议。",
            ]
        );
    }

    #[test]
    fn numbers_and_abbreviations_do_not_split_and_fragments_join() {
        let t = "Update\nThe talks lasted 4.5 hours in Brussels, officials said on the record.";
        let s = split_sentences(t, 10);
        assert_eq!(
            s,
            ["Update\nThe talks lasted 4.5 hours in Brussels, officials said on the record."]
        );
    }

    #[test]
    fn keeps_head_and_tail_past_the_limit() {
        let t: String = (0..20)
            .map(|i| format!("This is sentence number {i} of the long text. "))
            .collect();
        let s = split_sentences(&t, 8);
        assert_eq!(s.len(), 8);
        assert!(s[0].contains("number 0 "));
        assert!(s[5].contains("number 5 "));
        assert!(s[6].contains("number 18 "));
        assert!(s[7].contains("number 19 "));
    }

    #[test]
    fn long_sentences_are_cut_on_a_char_boundary() {
        let t = "é".repeat(1000);
        let s = split_sentences(&t, 4);
        assert_eq!(s[0].chars().count(), MAX_SENTENCE_CHARS);
        assert!(split_sentences("", 4).is_empty());
        assert!(split_sentences("short.", 4).is_empty());
    }
}
