//! Language identification of cleaned text, behind a trait so the backend can vary.

mod iso;
mod whatlang_backend;

pub use iso::to_iso639_1;
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
