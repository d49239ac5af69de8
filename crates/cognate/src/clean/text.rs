//! Line and paragraph rules for text that has already been extracted.
//!
//! A line (a paragraph of the input) is the unit: it is kept whole or dropped whole,
//! except for photo credits fused to the end of a sentence and markup residue, which
//! are cut out of the line. Every drop is reported with a reason.
//!
//! Order: markup/entity repair → fused credits → whole-line rules (lexicon, shape) →
//! block rules (link lists, comment-form tails, duplicated headlines, other script,
//! bio and other-language lines at the edges) → corpus-level recurring lines → title.

use super::recurring::RecurringLines;
use super::{Removed, entities, rules};

/// Writing systems, coarse: enough to tell a Cyrillic comment form on an English page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Devanagari,
    Bengali,
    Thai,
    Hangul,
    /// Han, Hiragana, Katakana: one group, Japanese mixes them.
    Cjk,
    Georgian,
    Armenian,
    Other,
}

pub(crate) fn script_of(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    let u = c as u32;
    Some(match u {
        0x41..=0x5a | 0x61..=0x7a | 0xc0..=0x24f | 0x1e00..=0x1eff | 0x2c60..=0x2c7f => {
            Script::Latin
        }
        0x370..=0x3ff | 0x1f00..=0x1fff => Script::Greek,
        0x400..=0x52f | 0x1c80..=0x1c8f | 0x2de0..=0x2dff | 0xa640..=0xa69f => Script::Cyrillic,
        0x530..=0x58f => Script::Armenian,
        0x590..=0x5ff | 0xfb1d..=0xfb4f => Script::Hebrew,
        0x600..=0x6ff | 0x750..=0x77f | 0x8a0..=0x8ff | 0xfb50..=0xfdff | 0xfe70..=0xfeff => {
            Script::Arabic
        }
        0x900..=0x97f => Script::Devanagari,
        0x980..=0x9ff => Script::Bengali,
        0xe00..=0xe7f => Script::Thai,
        0x10a0..=0x10ff => Script::Georgian,
        0x1100..=0x11ff | 0x3130..=0x318f | 0xac00..=0xd7af => Script::Hangul,
        0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0x20000.. => {
            Script::Cjk
        }
        _ => Script::Other,
    })
}

/// Words in a line; scripts written without spaces count one word per two characters.
pub(crate) fn word_count(line: &str) -> usize {
    let mut n = 0;
    for tok in line.split_whitespace() {
        let dense = tok
            .chars()
            .filter(|&c| matches!(script_of(c), Some(Script::Cjk | Script::Thai)))
            .count();
        n += if dense > 2 { dense.div_ceil(2) } else { 1 };
    }
    n
}

/// True when the line ends like a sentence (full stop, possibly inside quotes).
fn ends_with_period(line: &str) -> bool {
    let t = line.trim_end_matches(['"', '”', '»', '’', '\'', ')', ' ', '*']);
    t.ends_with(['.', '。', '।', '؛']) && !t.ends_with("...") && !t.ends_with('…')
}

fn ends_sentence(line: &str) -> bool {
    ends_with_period(line) || {
        let t = line.trim_end_matches(['"', '”', '»', '’', '\'', ')', ' ']);
        t.ends_with(['!', '?', '！', '？', '؟'])
    }
}

/// The line lower-cased, without the punctuation, quotes and asterisks around it.
fn bare(lower: &str) -> &str {
    lower.trim_matches(|c: char| !c.is_alphanumeric())
}

fn starts_with_phrase(lower: &str, phrase: &str) -> bool {
    lower.strip_prefix(phrase).is_some_and(|rest| {
        phrase.ends_with([':', '：', ' '])
            || rest.is_empty()
            || rest.starts_with(|c: char| !c.is_alphanumeric())
    })
}

/// A phrase long enough to be matched inside longer lines.
fn strong_phrase(p: &str) -> bool {
    p.split_whitespace().count() >= 3
        || (!p.contains(' ')
            && p.chars().count() >= 4
            && p.chars()
                .any(|c| matches!(script_of(c), Some(Script::Cjk | Script::Hangul))))
}

/// Lexicon categories matched inside lines, in the order their reasons win.
const CATEGORIES: &[(&str, &[&str])] = &[
    ("comment_form", rules::COMMENT_FORM),
    ("cookies", rules::COOKIES),
    ("copyright", rules::COPYRIGHT),
    ("newsletter", rules::NEWSLETTER),
    ("share", rules::SHARE),
];

/// All in-line phrases in one automaton: one pass over a line finds every category.
struct Lexicon {
    ac: aho_corasick::AhoCorasick,
    /// Per pattern: category index, strong.
    meta: Vec<(usize, bool)>,
}

fn lexicon() -> &'static Lexicon {
    static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEX.get_or_init(|| {
        let mut pats = Vec::new();
        let mut meta = Vec::new();
        for (ci, (_, phrases)) in CATEGORIES.iter().enumerate() {
            for p in *phrases {
                pats.push(*p);
                meta.push((ci, strong_phrase(p)));
            }
        }
        Lexicon {
            ac: aho_corasick::AhoCorasick::new(&pats).expect("lexicon patterns build"),
            meta,
        }
    })
}

/// The first category (in [`CATEGORIES`] order) with a phrase in the line that fits
/// its length: strong phrases in lines up to 25 words, short ones only in lines up to
/// 12 words that do not end like a sentence.
fn lexicon_category(lower: &str, words: usize, period: bool) -> Option<&'static str> {
    if words > 25 {
        return None;
    }
    let lex = lexicon();
    let mut best: Option<usize> = None;
    for m in lex.ac.find_overlapping_iter(lower) {
        let (ci, strong) = lex.meta[m.pattern().as_usize()];
        let fits = if strong {
            words <= 25
        } else {
            words <= 12 && !period
        };
        if fits && best.is_none_or(|b| ci < b) {
            best = Some(ci);
        }
    }
    best.map(|ci| CATEGORIES[ci].0)
}

/// One line of the input and what became of it.
#[derive(Clone, Debug)]
struct Line {
    text: String,
    lower: String,
    words: usize,
    reason: Option<&'static str>,
    /// Set on the heading of a link list or bio block (the lines after it go too).
    heading: bool,
}

impl Line {
    fn new(text: String) -> Line {
        let lower = text.to_lowercase();
        let words = word_count(&text);
        Line {
            text,
            lower,
            words,
            reason: None,
            heading: false,
        }
    }
    fn kept(&self) -> bool {
        self.reason.is_none()
    }
}

/// A photo credit fused to the end of a line: `…of Ukraine.debtdebt…Pool photo of X`
/// (a doubled "Credit" label as machine translation renders it), `Credit…X`, or a
/// trailing `. Foto: X`. Returns the byte offset where the credit starts.
pub(crate) fn fused_credit_start(line: &str) -> Option<usize> {
    let ellipses = line
        .match_indices('…')
        .map(|(i, _)| (i, 3))
        .chain(line.match_indices("...").map(|(i, _)| (i, 3)));
    for (pos, len) in ellipses {
        if line.len() - pos > 300 {
            continue;
        }
        let before = &line[..pos];
        let after = line[pos + len..].trim();
        if after.is_empty() || word_count(after) > 12 || after.contains(['…', '!', '?']) {
            continue;
        }
        let after_lower = after.to_lowercase();
        let credit_like = rules::CREDIT_TAIL_LEADS
            .iter()
            .any(|l| after_lower.starts_with(l) || after_lower.contains(&format!(" {l}")))
            || after.split_whitespace().all(|w| {
                w.starts_with(|c: char| c.is_uppercase()) || w.contains('/') || w.len() <= 3
            });
        if !credit_like {
            continue;
        }
        if let Some(start) = doubled_label_start(before) {
            return Some(start);
        }
        // `Credit…Name` without doubling.
        let bl = lowercase_in_place(before);
        for label in [
            "credit",
            "crédit",
            "crédito",
            "credito",
            "kredit",
            "tín dụng",
            "debt",
        ] {
            if bl.ends_with(label) {
                let start = before.len() - label.len();
                if before[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
                {
                    return Some(start);
                }
            }
        }
    }
    // `…in Brussels. Foto: ANSA` at the end of a line.
    let lower = lowercase_in_place(line);
    {
        for lead in [
            "photo:",
            "photo by ",
            "foto:",
            "foto di ",
            "foto de ",
            "фото:",
            "ảnh:",
            "image:",
            "credit:",
            "bild:",
            "pool photo",
        ] {
            if let Some(p) = lower.rfind(lead) {
                let head = line[..p].trim_end();
                let tail = &line[p..];
                if head.len() > 20
                    && ends_sentence(head)
                    && word_count(tail) <= 10
                    && !ends_sentence(tail)
                {
                    return Some(p);
                }
            }
        }
    }
    None
}

/// Lower case that keeps every byte offset: a character whose lower case is written
/// in another number of bytes (`Ƛ` → `ƛ`, `Ⱥ` → `ⱥ`) stays as it is, so that a position
/// found in the result is a position in `s` (equal total lengths do not prove that).
fn lowercase_in_place(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
                _ => c,
            }
        })
        .collect()
}

/// Where a doubled label (`debtdebt`, `tín dụngtín dụng`) ending `before` starts.
fn doubled_label_start(before: &str) -> Option<usize> {
    let chars: Vec<(usize, char)> = before.char_indices().rev().take(50).collect::<Vec<_>>();
    let chars: Vec<(usize, char)> = chars.into_iter().rev().collect();
    let n = chars.len();
    for unit in (2..=24).rev() {
        if 2 * unit > n {
            continue;
        }
        let a = &chars[n - 2 * unit..n - unit];
        let b = &chars[n - unit..];
        if a.iter().zip(b).any(|(x, y)| x.1 != y.1) {
            continue;
        }
        if a.iter().filter(|(_, c)| c.is_alphabetic()).count() < 2 || !a[0].1.is_alphabetic() {
            continue;
        }
        let start = a[0].0;
        if before[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
            && (start > 0 || n < 50)
        {
            return Some(start);
        }
    }
    None
}

fn is_dateline(line: &Line) -> bool {
    if line.words > 12 || !line.text.chars().any(|c| c.is_numeric()) {
        return false;
    }
    line.lower
        .split(|c: char| c.is_whitespace() || ",;|()[]/–—-•·".contains(c))
        .filter(|t| !t.is_empty())
        .all(|tok| {
            let t = tok.trim_matches(|c: char| matches!(c, '.' | ':' | '\'' | '"'));
            t.is_empty()
                || t.chars().all(|c| {
                    c.is_numeric()
                        || ".:/".contains(c)
                        || "年月日時时分秒년월일시분".contains(c)
                })
                || rules::DATE_WORDS.contains(&t)
                // 12th, 4h, 10:30am
                || (t.chars().next().is_some_and(|c| c.is_numeric())
                    && rules::DATE_WORDS.contains(&t.trim_start_matches(|c: char| c.is_numeric() || c == ':')))
        })
}

fn is_byline(line: &Line) -> bool {
    if line.words > 10 || ends_with_period(&line.text) {
        return false;
    }
    for lead in rules::BYLINE_LEADS {
        if !starts_with_phrase(&line.lower, lead) {
            continue;
        }
        let rest = line.text[lead.len().min(line.text.len())..].trim_start_matches([':', ' ']);
        if !line.text.is_char_boundary(lead.len()) {
            continue;
        }
        let toks: Vec<&str> = rest.split_whitespace().collect();
        let names = toks
            .iter()
            .filter(|t| t.starts_with(|c: char| c.is_uppercase()))
            .count();
        let min_names = if matches!(*lead, "di" | "de" | "da") {
            2
        } else {
            1
        };
        if names >= min_names
            && toks
                .first()
                .is_some_and(|t| t.starts_with(|c: char| c.is_uppercase()))
            && toks.iter().all(|t| {
                t.starts_with(|c: char| c.is_uppercase() || !c.is_alphabetic())
                    || rules::BYLINE_CONNECTORS.contains(&t.to_lowercase().trim_matches(','))
            })
        {
            return true;
        }
    }
    false
}

fn is_share_line(line: &Line) -> bool {
    if line.words > 12 {
        return false;
    }
    let toks: Vec<&str> = line
        .lower
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric() && !"|·•-/".contains(c)))
        .filter(|t| !t.is_empty())
        .collect();
    !toks.is_empty()
        && toks.iter().all(|t| rules::SOCIAL_WORDS.contains(t))
        && toks.iter().any(|t| {
            !matches!(
                *t,
                "x" | "ok" | "line" | "link" | "copy" | "mail" | "-" | "|" | "/" | "·" | "•"
            )
        })
}

fn is_teaser(line: &Line) -> bool {
    if line.words > 30 {
        return false;
    }
    let mut toks = line.text.split_whitespace();
    if let (Some(first), Some(second)) = (toks.next(), toks.next()) {
        let first = first.trim_end_matches([':', '.', '|', '»', '>']);
        let shouting = second.chars().filter(|c| c.is_alphabetic()).count() > 1
            && second.chars().all(|c| !c.is_lowercase());
        if rules::TEASER_CAPS.contains(&first) && !shouting {
            return true;
        }
    }
    rules::TEASER_LEADS
        .iter()
        .any(|l| starts_with_phrase(&line.lower, l))
        && line.words > 2
}

fn is_photo_credit_line(line: &Line) -> bool {
    line.words <= 15
        && (!ends_with_period(&line.text) || line.words <= 8)
        && rules::PHOTO_CREDIT_LEADS
            .iter()
            .any(|l| starts_with_phrase(&line.lower, l))
}

fn is_url_line(line: &Line) -> bool {
    let toks: Vec<&str> = line.text.split_whitespace().collect();
    !toks.is_empty()
        && toks.iter().all(|t| {
            let t = t.to_lowercase();
            t.starts_with("http://")
                || t.starts_with("https://")
                || t.starts_with("www.")
                || (t.contains('@') && t.contains('.'))
        })
}

fn is_navigation(line: &Line) -> bool {
    if line.words > 20 || ends_sentence(&line.text) {
        return false;
    }
    line.text
        .split_whitespace()
        .filter(|t| matches!(*t, ">" | "»" | "›" | "|" | "/" | "→" | "•" | "·" | ">>"))
        .count()
        >= 2
}

fn is_code(line: &Line) -> bool {
    let t = &line.text;
    if t.len() < 15 {
        return false;
    }
    let sym = t.chars().filter(|c| "{}();=<>[]".contains(*c)).count();
    sym * 12 >= t.chars().count()
        && [
            "function(",
            "function ",
            "var ",
            "window.",
            "document.",
            "googletag",
            "adsbygoogle",
            "});",
            "@media",
            "px;",
            "{display",
            ":none",
        ]
        .iter()
        .any(|k| t.contains(k))
}

/// The whole-line rules; the first that matches names the reason.
fn classify(line: &mut Line) {
    let lower = line.lower.as_str();
    let b = bare(lower);
    let words = line.words;
    let period = ends_with_period(&line.text);
    if words <= 6 {
        if rules::AD_LABELS.contains(&b) {
            line.reason = Some("ad");
            return;
        }
        if rules::MEDIA_LABELS.contains(&b) {
            line.reason = Some("media_label");
            return;
        }
        if rules::COMMENT_LABELS.contains(&b) {
            line.reason = Some("comment_form");
            return;
        }
        if rules::LINK_LIST_HEADINGS.contains(&b) {
            line.reason = Some("link_list");
            line.heading = true;
            return;
        }
        if rules::BIO_HEADINGS.contains(&b) {
            line.reason = Some("bio");
            line.heading = true;
            return;
        }
    }
    let category = lexicon_category(lower, words, period);
    let reason = if let Some(c) = category.filter(|c| *c != "share" || words <= 12) {
        c
    } else if words <= 30 && (lower.starts_with('©') || lower.starts_with("copyright")) {
        "copyright"
    } else if words <= 8
        && !period
        && rules::NEWSLETTER_WEAK
            .iter()
            .any(|w| lower.split_whitespace().any(|t| bare(t) == *w))
    {
        "newsletter"
    } else if is_share_line(line) {
        "share"
    } else if is_teaser(line) {
        "teaser"
    } else if is_photo_credit_line(line) {
        "photo_credit"
    } else if is_dateline(line) {
        "dateline"
    } else if is_byline(line) {
        "byline"
    } else if is_url_line(line) {
        "link"
    } else if is_navigation(line) {
        "navigation"
    } else if is_code(line) {
        "html_residue"
    } else {
        return;
    };
    line.reason = Some(reason);
}

/// A self-description of 3+ fragments of a few words each ("Pop culture advocate.
/// Food scholar. Web evangelist.") with a word typical of bios.
fn is_bio(line: &Line) -> bool {
    if line.words > 45 || line.words < 4 {
        return false;
    }
    let t: String = line
        .text
        .chars()
        .filter(|c| !"«»“”\"„".contains(*c))
        .collect();
    let frags: Vec<&str> = t
        .split(['.', '!', '|'])
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    frags.len() >= 3
        && frags.iter().all(|f| word_count(f) <= 7)
        && line.lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
            rules::BIO_WORDS
                .iter()
                .any(|b| w == *b || (w.len() > b.len() && w.starts_with(b) && b.len() >= 5))
        })
}

fn dominant_script<'a>(texts: impl Iterator<Item = &'a str>) -> Option<(Script, usize, usize)> {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    let mut total = 0;
    for t in texts {
        for c in t.chars() {
            if let Some(s) = script_of(c) {
                total += 1;
                match counts.iter_mut().find(|(x, _)| *x == s) {
                    Some(e) => e.1 += 1,
                    None => counts.push((s, 1)),
                }
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .map(|(s, n)| (s, n, total))
}

/// Bytes of body text whatlang judges the body's language on.
const BODY_LANG_SAMPLE_BYTES: usize = 2000;

/// Language of a single line, when whatlang is sure of it.
fn line_lang(text: &str) -> Option<whatlang::Lang> {
    let info = whatlang::detect(text)?;
    (info.is_reliable() && info.confidence() >= 0.5).then(|| info.lang())
}

/// Everything text cleaning needs besides the text.
#[derive(Default)]
pub(crate) struct TextContext<'a> {
    pub keep_raw: bool,
    /// The title the input declared.
    pub title: Option<&'a str>,
    /// Look for a headline in the first line when no title was declared.
    pub find_title: bool,
    pub recurring: Option<&'a RecurringLines>,
}

pub(crate) struct TextOutcome {
    pub title: Option<String>,
    pub text: String,
    pub removed: Vec<Removed>,
}

fn normalize_line(line: &str) -> String {
    let nfc = super::nfc(line);
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn same_title(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (ka, kb) = (key(a), key(b));
    !ka.is_empty() && ka == kb
}

fn looks_like_headline(line: &Line, rest: &[&Line]) -> bool {
    let t = line.text.as_str();
    (2..=30).contains(&line.words)
        && t.chars().count() <= 250
        && !ends_with_period(t)
        && !t.ends_with([':', ',', ';', '…'])
        && !t.starts_with(|c: char| c.is_lowercase())
        && rest.iter().any(|l| l.words > line.words)
}

/// Texts longer than this are cut (at a character boundary) before cleaning.
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;

/// Cleans already-extracted text.
pub(crate) fn clean_text(raw: &str, ctx: &TextContext) -> TextOutcome {
    let mut removed = Vec::new();
    if ctx.keep_raw {
        return TextOutcome {
            title: ctx.title.map(str::to_string),
            text: super::normalize_text(raw),
            removed,
        };
    }
    let cut = super::html::cut_at_char_boundary(raw, MAX_TEXT_BYTES);
    if cut.len() < raw.len() {
        removed.push(Removed {
            text: format!(
                "[{} bytes after the first {} MB of the text]",
                raw.len() - cut.len(),
                MAX_TEXT_BYTES / (1024 * 1024)
            ),
            reason: "truncated".into(),
        });
    }
    let repaired = entities::repair(cut, &mut removed);
    let mut lines: Vec<Line> = Vec::new();
    for l in repaired.lines() {
        let mut t = normalize_line(l);
        if t.is_empty() {
            continue;
        }
        if let Some(p) = fused_credit_start(&t) {
            removed.push(Removed {
                text: t[p..].trim().to_string(),
                reason: "photo_credit".into(),
            });
            t.truncate(p);
            t = t.trim_end().to_string();
            if t.is_empty() {
                continue;
            }
        }
        lines.push(Line::new(entities::unglue(&t, &mut removed)));
    }

    for l in lines.iter_mut() {
        classify(l);
    }
    let n = lines.len();

    // Link lists and bio blocks: the short headline-like lines after the heading.
    for i in 0..n {
        if !lines[i].heading {
            continue;
        }
        let reason = lines[i].reason;
        for l in lines[i + 1..].iter_mut() {
            if l.heading {
                break;
            }
            let limit = if reason == Some("bio") { 80 } else { 25 };
            if l.words > limit || (reason != Some("bio") && ends_with_period(&l.text)) {
                break;
            }
            if l.kept() {
                l.reason = reason;
            }
        }
    }

    // A comment form near the end takes the short lines after it along.
    if let Some(i) = (n / 2..n).find(|&i| {
        lines[i].reason == Some("comment_form") && lines[i + 1..].iter().all(|l| l.words <= 20)
    }) {
        for l in lines[i + 1..].iter_mut().filter(|l| l.kept()) {
            l.reason = Some("comment_form");
        }
    }

    // Duplicated headline: `SITE.ruSectionHeadline` followed by `Headline`, or a line
    // repeated right after itself.
    let mut prev: Option<usize> = None;
    for j in 0..n {
        if !lines[j].kept() {
            continue;
        }
        if let Some(i) = prev {
            let (a, b) = (&lines[i].text, &lines[j].text);
            if a == b {
                lines[j].reason = Some("duplicate");
                continue;
            }
            if lines[j].words >= 3
                && a.ends_with(b.as_str())
                && a[..a.len() - b.len()].chars().count() <= 60
            {
                lines[i].reason = Some("duplicate");
            }
        }
        prev = Some(j);
    }

    // The body's script, when one clearly dominates (≥ 60 % of the letters).
    let doc_script = dominant_script(lines.iter().filter(|l| l.kept()).map(|l| l.text.as_str()))
        .filter(|&(_, k, total)| k * 5 >= total * 3)
        .map(|(s, _, _)| s);
    let other_script = |l: &Line| -> bool {
        let Some(doc_script) = doc_script else {
            return false;
        };
        let Some((s, k, total)) = dominant_script(std::iter::once(l.text.as_str())) else {
            return false;
        };
        let doc_share = l
            .text
            .chars()
            .filter(|&c| script_of(c) == Some(doc_script))
            .count();
        total >= 8 && s != doc_script && k * 10 >= total * 7 && doc_share * 5 < total
    };

    // Body language, from the first longer kept lines (a bounded sample: whatlang's
    // time grows with the text, and a few paragraphs tell the language). Judged only
    // when an edge line has a language of its own to compare: most documents never
    // need it, and whatlang was a quarter of text cleaning's time.
    let mut body_sample = String::new();
    for l in lines.iter().filter(|l| l.kept() && l.words >= 8).take(40) {
        if body_sample.len() >= BODY_LANG_SAMPLE_BYTES {
            break;
        }
        if !body_sample.is_empty() {
            body_sample.push('\n');
        }
        body_sample.push_str(&l.text);
    }
    let body_sample = super::html::cut_at_char_boundary(&body_sample, BODY_LANG_SAMPLE_BYTES);
    let body_lang_cell = std::cell::OnceCell::new();
    let body_lang = || {
        *body_lang_cell.get_or_init(|| {
            whatlang::detect(body_sample)
                .filter(|i| i.is_reliable())
                .map(|i| i.lang())
        })
    };

    // Bios and lines in another language or script at the end, then lines in another
    // script at the start. (In the middle of the body, a line in another language is
    // more often a quote than boilerplate: it stays.)
    let kept_idx: Vec<usize> = (0..n).filter(|&i| lines[i].kept()).collect();
    let body_words: usize = kept_idx.iter().map(|&i| lines[i].words).sum();
    let mut edge_budget = body_words / 3;
    for (k, &i) in kept_idx.iter().enumerate().rev() {
        let l = &lines[i];
        if l.words > edge_budget || k == 0 {
            break;
        }
        let reason = if is_bio(l) {
            "bio"
        } else if other_script(l)
            || (l.words >= 5
                && line_lang(&l.text).is_some_and(|x| body_lang().is_some_and(|b| b != x)))
        {
            "other_language"
        } else {
            break;
        };
        edge_budget -= l.words;
        lines[i].reason = Some(reason);
    }
    let kept_idx: Vec<usize> = (0..n).filter(|&i| lines[i].kept()).collect();
    let mut edge_budget = body_words / 3;
    for (k, &i) in kept_idx.iter().enumerate() {
        let l = &lines[i];
        if l.words > edge_budget || k + 1 == kept_idx.len() {
            break;
        }
        // At the start only another script counts: an epigraph or a quote in another
        // language of the same script opens articles often enough.
        if other_script(l) {
            edge_budget -= l.words;
            lines[i].reason = Some("other_language");
        } else {
            break;
        }
    }

    // Corpus evidence: lines seen in many unrelated documents.
    if let Some(rec) = ctx.recurring {
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let recurring = rec.recurring_in(&texts);
        for (l, r) in lines.iter_mut().zip(recurring) {
            if r && l.kept() {
                l.reason = Some("recurring");
            }
        }
    }

    // A line dropped as boilerplate here is boilerplate wherever it repeats in the
    // document (position-dependent rules would otherwise keep its other copies).
    let dropped: std::collections::HashMap<&str, &'static str> = lines
        .iter()
        .filter_map(|l| match l.reason {
            Some(r) if r != "duplicate" => Some((l.text.as_str(), r)),
            _ => None,
        })
        .collect();
    let copies: Vec<(usize, &'static str)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kept())
        .filter_map(|(i, l)| dropped.get(l.text.as_str()).map(|&r| (i, r)))
        .collect();
    for (i, r) in copies {
        lines[i].reason = Some(r);
    }

    // Title.
    let mut title = ctx.title.map(str::to_string);
    let kept_idx: Vec<usize> = (0..n).filter(|&i| lines[i].kept()).collect();
    if let Some(&first) = kept_idx.first() {
        if let Some(t) = ctx.title {
            if same_title(t, &lines[first].text) {
                lines[first].reason = Some("title");
            }
        } else if ctx.find_title {
            let rest: Vec<&Line> = kept_idx[1..].iter().map(|&i| &lines[i]).collect();
            if looks_like_headline(&lines[first], &rest) {
                title = Some(lines[first].text.clone());
                lines[first].reason = Some("");
            }
        }
    }

    let mut text = String::with_capacity(raw.len());
    for l in &lines {
        match l.reason {
            None => {
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                text.push_str(&l.text);
            }
            Some("") => {} // moved to the title
            Some(r) => removed.push(Removed {
                text: l.text.clone(),
                reason: r.to_string(),
            }),
        }
    }
    TextOutcome {
        title,
        text,
        removed,
    }
}
