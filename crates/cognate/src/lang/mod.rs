//! Language identification of cleaned text, behind a trait so the backend can vary;
//! script-aware word segmentation ([`segment_words`]) and names in ASCII
//! ([`to_ascii_name`]).
//!
//! Two identifiers: [`FastTextIdentifier`] (fastText's lid.176 model, 176 languages,
//! needs the model file) and [`WhatlangIdentifier`] (no model, 69 languages).
//! [`default_identifier`] picks the first when the model is found.

mod fasttext_backend;
mod iso;
mod segment;
mod translit;
mod whatlang_backend;

use std::path::Path;

pub use fasttext_backend::{
    FASTTEXT_MODEL_FILE, FastTextIdentifier, MODEL_DIR_ENV, fasttext_label_to_code, find_model,
};
pub use iso::to_iso639_1;
pub use segment::{segment_words, word_slices};
pub use translit::{name_key, to_ascii_name};
pub use whatlang_backend::WhatlangIdentifier;

/// A language and how sure the identifier is of it.
#[derive(Clone, Debug, PartialEq)]
pub struct LangGuess {
    /// ISO 639-1 where the language has one (`en`, `it`, `vi`), else ISO 639-3.
    pub lang: String,
    /// In [0, 1].
    pub confidence: f32,
}

/// Identifies the language of a text.
pub trait LanguageIdentifier: Send + Sync {
    /// `None` when the text has no letters to judge by.
    fn identify(&self, text: &str) -> Option<LangGuess>;
    /// A short name for reports (`whatlang`, `fasttext-lid176`).
    fn name(&self) -> &str;
    /// Whether a sure answer on a short sample can be taken for the whole text
    /// ([`identify_body`]'s quick look). fastText's can; whatlang's confidence is not
    /// calibrated for it (the quick look lowered its accuracy on synthetic pages).
    fn trusts_short_samples(&self) -> bool {
        false
    }
}

/// The best identifier available: fastText's lid.176 when [`find_model`] finds
/// `lid.176.ftz` and it loads, whatlang otherwise. `name()` tells which
/// (`fasttext-lid176` / `whatlang`).
pub fn default_identifier() -> Box<dyn LanguageIdentifier> {
    match find_model(FASTTEXT_MODEL_FILE) {
        Some(path) => identifier_from(&path),
        None => Box::new(WhatlangIdentifier),
    }
}

/// fastText with the model at `path`, or whatlang when that file is missing or is not
/// a fastText model.
pub fn identifier_from(path: &Path) -> Box<dyn LanguageIdentifier> {
    match FastTextIdentifier::load(path) {
        Ok(id) => Box::new(id),
        Err(_) => Box::new(WhatlangIdentifier),
    }
}

/// The code cognate uses for text whose language could not be told.
pub const UNDETERMINED: &str = "und";

/// Identifies the language of an article body: judges a bounded sample taken from
/// the longest paragraphs, so short boilerplate lines in another language do not decide.
///
/// A quick look comes first on longer bodies: the start of each of the longest
/// paragraphs ([`QUICK_PER_PARAGRAPH`] bytes at most, so one paragraph in another
/// language cannot fill it), [`QUICK_BYTES`] in all. When the identifier is sure of that
/// ([`QUICK_SURE`]), it is the answer; otherwise the whole sample decides. fastText's cost
/// grows with the text, and most bodies are settled by the quick look.
pub fn identify_body(identifier: &dyn LanguageIdentifier, text: &str) -> Option<LangGuess> {
    const SAMPLE_BYTES: usize = 4000;
    let quick_look = identifier.trusts_short_samples() && text.len() > 2 * QUICK_BYTES;
    if !quick_look && text.len() <= SAMPLE_BYTES {
        return identifier.identify(text);
    }
    let mut paragraphs: Vec<&str> = text.split("\n\n").collect();
    // Longest first; stable so equal lengths keep text order.
    paragraphs.sort_by_key(|p| std::cmp::Reverse(p.len()));
    if quick_look {
        let mut quick = String::with_capacity(QUICK_BYTES + QUICK_PER_PARAGRAPH + 1);
        for p in &paragraphs {
            if quick.len() >= QUICK_BYTES {
                break;
            }
            let head = crate::clean::html::cut_at_char_boundary(p, QUICK_PER_PARAGRAPH);
            // End at a word boundary when the paragraph was cut.
            let head = match head.len() < p.len() {
                true => head
                    .rsplit_once(char::is_whitespace)
                    .map_or(head, |(h, _)| h),
                false => head,
            };
            quick.push_str(head);
            quick.push('\n');
        }
        if let Some(g) = identifier.identify(&quick)
            && g.confidence >= QUICK_SURE
        {
            return Some(g);
        }
    }
    if text.len() <= SAMPLE_BYTES {
        return identifier.identify(text);
    }
    let mut sample = String::with_capacity(SAMPLE_BYTES + 200);
    for p in paragraphs {
        if sample.len() >= SAMPLE_BYTES {
            break;
        }
        sample.push_str(p);
        sample.push('\n');
    }
    identifier.identify(&sample)
}

/// [`identify_body`]'s quick look: bytes in all, and at most from one paragraph.
pub const QUICK_BYTES: usize = 1200;
pub const QUICK_PER_PARAGRAPH: usize = 300;
/// The confidence at which the quick look is the answer.
pub const QUICK_SURE: f32 = 0.9;

/// Identifies the language of an article body paragraph by paragraph: each of the
/// longest paragraphs (up to about 4000 bytes in all) is identified alone, and the
/// language whose paragraphs weigh most wins. A paragraph weighs its UTF-8 bytes,
/// which evens out scripts somewhat (a Chinese character, three bytes, says about as
/// much as two or three Latin letters). Paragraphs of fewer than 20 letters (bylines,
/// share buttons) are judged only when there is nothing else. The confidence is the
/// winner's share of the weight times its paragraphs' mean confidence.
pub fn identify_paragraphs(identifier: &dyn LanguageIdentifier, text: &str) -> Option<LangGuess> {
    const SAMPLE_BYTES: usize = 4000;
    const MIN_LETTERS: usize = 20;
    let mut paragraphs: Vec<(&str, usize)> = text
        .split("\n\n")
        .map(|p| (p, p.chars().filter(|c| c.is_alphabetic()).count()))
        .filter(|(_, letters)| *letters > 0)
        .collect();
    if paragraphs.is_empty() {
        return None;
    }
    paragraphs.sort_by_key(|(_, letters)| std::cmp::Reverse(*letters));
    if paragraphs[0].1 < MIN_LETTERS {
        return identifier.identify(text);
    }
    // (language, weight, weight × confidence), in order of first appearance.
    let mut votes: Vec<(String, usize, f64)> = Vec::new();
    let (mut total, mut bytes) = (0usize, 0usize);
    for (p, letters) in paragraphs {
        if letters < MIN_LETTERS || bytes >= SAMPLE_BYTES {
            break;
        }
        bytes += p.len();
        let Some(g) = identifier.identify(p) else {
            continue;
        };
        let weight = p.len();
        total += weight;
        let w_conf = weight as f64 * f64::from(g.confidence);
        match votes.iter_mut().find(|v| v.0 == g.lang) {
            Some(v) => {
                v.1 += weight;
                v.2 += w_conf;
            }
            None => votes.push((g.lang, weight, w_conf)),
        }
    }
    let best = votes
        .into_iter()
        .reduce(|a, b| if b.1 > a.1 { b } else { a })?;
    let share = best.1 as f64 / total as f64;
    let mean_confidence = best.2 / best.1 as f64;
    Some(LangGuess {
        lang: best.0,
        confidence: (share * mean_confidence).clamp(0.0, 1.0) as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Says `en` for text with "the", `de` otherwise, sure of paragraphs only.
    struct Toy;
    impl LanguageIdentifier for Toy {
        fn identify(&self, text: &str) -> Option<LangGuess> {
            if !text.chars().any(char::is_alphabetic) {
                return None;
            }
            Some(LangGuess {
                lang: if text.contains("the ") { "en" } else { "de" }.to_string(),
                confidence: if text.len() > 40 { 0.9 } else { 0.3 },
            })
        }
        fn name(&self) -> &str {
            "toy"
        }
    }

    #[test]
    fn paragraphs_vote_by_size() {
        let de = "Der Generalsekretär der Nato sagte am Mittwoch, es gebe weiterhin Differenzen.";
        let en = "Read the full story and the rest of the news on the website.";
        let body = format!("Share the story\n\n{de}\n\n{en}\n\n{de}\n\nRead the rest");
        let g = identify_paragraphs(&Toy, &body).unwrap();
        assert_eq!(g.lang, "de");
        let share = (2 * de.len()) as f32 / (2 * de.len() + en.len()) as f32;
        assert!((g.confidence - 0.9 * share).abs() < 1e-4, "{g:?}");
        // English wins once it is the bigger part.
        let body = format!("{de}\n\n{en}\n\n{en}");
        assert_eq!(identify_paragraphs(&Toy, &body).unwrap().lang, "en");
        // Only short lines: the whole text is judged.
        assert_eq!(
            identify_paragraphs(&Toy, "the a\n\nb c").unwrap().lang,
            "en"
        );
        assert!(identify_paragraphs(&Toy, "12\n\n34 ---").is_none());
        assert!(identify_paragraphs(&Toy, "").is_none());
    }

    #[test]
    fn falls_back_to_whatlang_without_the_model() {
        let id = identifier_from(Path::new("/nonexistent/models/lid.176.ftz"));
        assert_eq!(id.name(), "whatlang");
        assert_eq!(
            id.identify("Der Generalsekretär der Nato sagte am Mittwoch, es gebe Differenzen.")
                .unwrap()
                .lang,
            "de"
        );
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join(FASTTEXT_MODEL_FILE);
        std::fs::write(&junk, [0u8; 64]).unwrap();
        assert_eq!(identifier_from(&junk).name(), "whatlang");
    }

    #[test]
    fn default_is_fasttext_when_the_model_is_there() {
        let path = find_model(FASTTEXT_MODEL_FILE)
            .expect("lid.176.ftz is needed by this test (run scripts/fetch-models.sh)");
        assert_eq!(identifier_from(&path).name(), "fasttext-lid176");
        assert_eq!(default_identifier().name(), "fasttext-lid176");
    }
}
