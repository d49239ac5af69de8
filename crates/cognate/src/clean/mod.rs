//! Clean: the article's own text, without boilerplate, out of HTML or scraped text.
//!
//! Every later stage sees only what this stage keeps, so it errs on the side of
//! keeping article sentences: a line goes only when a rule names it, and every piece
//! that goes is listed in [`Cleaned::removed`] with its reason, so a user can contest it.
//!
//! * Plain text ([`Content::Text`]): line rules ([`text`]) over a multilingual lexicon
//!   ([`rules`]): teasers (`READ …`), link lists (`More Stories` + headlines), comment
//!   forms, newsletter/share/cookie/copyright lines, media and ad labels, photo credits
//!   (also fused to a sentence: `…Ukraine.debtdebt…Pool photo of X`), datelines,
//!   bylines, breadcrumbs, duplicated headlines, lines in another script, author bios
//!   and other-language lines at the edges; broken entities and markup residue are
//!   repaired ([`entities`]).
//! * HTML ([`Content::Html`]): main-content extraction ([`html`]: cognate's own linear
//!   extractor [`dense`], the `trafilatura` crate when it finds nothing), publication
//!   date from the page's metadata (or, when that states none, from its URL and text:
//!   [`date`]), then the same text rules on the extracted text.
//! * Corpus evidence: [`RecurringLines`] counts lines across a batch (or
//!   [`RecurringWindow`], a rolling window of a stream); [`clean_document_with`] then
//!   also drops lines seen in many different documents, and far more often than the
//!   rest of the document (reason `recurring`). `cognate clean` and `cognate cluster`
//!   do this unless `--no-recurring` (or `--raw`).
//!
//! # Title
//! When the input declares a title, it is the title, and a first line repeating it is
//! dropped from `text` (reason `title`). When it declares none, the first line becomes
//! the title if it looks like a headline (2–30 words, no final full stop, followed by
//! longer lines); it is then *moved*: it is in `title`, not in `text`, and not listed in
//! `removed` (nothing was lost). So `text` is the body in both cases, and a consumer
//! wanting everything reads `title` + `text`.
//!
//! # Reasons
//! `teaser`, `link_list`, `comment_form`, `newsletter`, `share`, `cookies`,
//! `copyright`, `media_label`, `ad`, `photo_credit`, `dateline`, `byline`, `link`,
//! `navigation`, `html_residue`, `duplicate`, `other_language`, `bio`, `recurring`,
//! `title`, `truncated`, `extraction` (HTML outside the main content, summarised),
//! `glued_words` (a token split where a tag was cut out, `pipelineThe` → `pipeline The`:
//! nothing is lost, but the text differs from the input there).

mod date;
pub mod dense;
mod entities;
pub mod html;
mod recurring;
pub mod rules;
mod text;

use serde::Serialize;

use crate::document::{Content, Document, Published};

pub use entities::decode_entities;
pub use recurring::{
    DEFAULT_MIN_DOCS, LineKeys, RATIO, RecurringLines, RecurringWindow, normalize_line_key,
};

#[derive(Clone, Debug, Default)]
pub struct CleanOptions {
    /// Keep the text as it came (only whitespace and Unicode normalised): no boilerplate removal.
    /// For HTML, all visible text of the page is kept.
    pub keep_raw: bool,
    /// Which main-content extractor reads HTML pages.
    pub extractor: Extractor,
}

/// Main-content extractors for HTML pages (see [`html`] for the measurements).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Extractor {
    /// cognate's own linear extractor ([`dense`]), the `trafilatura` crate when it
    /// finds nothing.
    #[default]
    Dense,
    /// The `trafilatura` crate alone.
    Trafilatura,
}

/// A piece of the input that cleaning dropped, and why, so a user can contest it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Removed {
    pub text: String,
    pub reason: String,
}

/// The article's own text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cleaned {
    pub title: Option<String>,
    /// Paragraphs separated by a blank line.
    pub text: String,
    pub removed: Vec<Removed>,
    /// A publication date the page itself states.
    pub published: Option<Published>,
}

/// Cleans one document.
pub fn clean_document(doc: &Document, options: &CleanOptions) -> Cleaned {
    clean_document_with(doc, options, None)
}

/// Cleans one document, also dropping lines that `recurring` has seen in many
/// unrelated documents (see [`RecurringLines`] for the two-pass use).
pub fn clean_document_with(
    doc: &Document,
    options: &CleanOptions,
    recurring: Option<&RecurringLines>,
) -> Cleaned {
    let declared_title = doc
        .title
        .as_deref()
        .map(|t| normalize_text(&decode_entities(t)))
        .filter(|t| !t.is_empty());
    match &doc.content {
        Content::Text(t) => {
            let out = text::clean_text(
                t,
                &text::TextContext {
                    keep_raw: options.keep_raw,
                    title: declared_title.as_deref(),
                    find_title: true,
                    recurring,
                },
            );
            Cleaned {
                title: out.title,
                text: out.text,
                removed: out.removed,
                published: None,
            }
        }
        Content::Html(h) => html::clean_html(
            h,
            declared_title.as_deref(),
            doc.url.as_deref(),
            options,
            recurring,
        ),
    }
}

/// `text` in Unicode NFC; borrowed when it already is (the quick check settles almost
/// every line, and all ASCII, without composing anything).
pub(crate) fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    }
}

/// Unicode NFC, one space between words, paragraphs separated by one blank line.
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = nfc(line);
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&words.join(" "));
    }
    out
}

#[cfg(test)]
mod tests;
