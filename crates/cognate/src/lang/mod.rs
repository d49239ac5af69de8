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
pub fn identify_body(identifier: &dyn LanguageIdentifier, text: &str) -> Option<LangGuess> {
    const SAMPLE_BYTES: usize = 4000;
    if text.len() <= SAMPLE_BYTES {
        return identifier.identify(text);
    }
    let mut paragraphs: Vec<&str> = text.split("\n\n").collect();
    // Longest first; stable so equal lengths keep text order.
    paragraphs.sort_by_key(|p| std::cmp::Reverse(p.len()));
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

#[cfg(test)]
mod tests {
    use super::*;

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
