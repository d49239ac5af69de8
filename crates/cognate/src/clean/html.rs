//! HTML pages: main-content extraction, title, publication date, then the text rules.
//!
//! The main content comes from cognate's own linear extractor ([`super::dense`]), or the
//! `trafilatura` crate when that finds nothing (see [`extract_main`]), run behind guards:
//! the page is cut at [`MAX_HTML_BYTES`] (reported as `truncated`), pages nested deeper
//! than [`MAX_DEPTH`] skip the crate (its tree walks are recursive; a stack overflow
//! cannot be caught; the own extractor's stack and ancestor walks are bounded), and a
//! panic inside either is caught.
//! When it fails or finds nothing, a linear tag-stripping pass ([`visible_text`]) stands
//! in, and the text rules do the boilerplate removal alone.
//!
//! # Choice of extractor
//! Measured on the trafilatura evaluation set (990 pages, 2951 must-contain and 2966
//! must-not-contain snippets; title + text scored), one core, deps at opt-level 2:
//!
//! | crate                 | kept   | dropped | F1    | pages/s | build (CPU s) |
//! |-----------------------|--------|---------|-------|---------|---------------|
//! | `trafilatura` 0.6.0   | 91.6 % | 89.8 %  | 0.907 | 109     | ~620          |
//! | `rs-trafilatura` 0.2.2| 93.5 % | 83.3 %  | 0.889 | 27 (*)  | ~610          |
//! | `dom_smoothie` 0.19.0 | 91.9 % | 85.1 %  | 0.888 | 66      | ~330          |
//!
//! (*) prints debug lines to stderr in builds with debug assertions.
//! With the text rules after it (this module), release build, same run:
//! cognate 91.4 % kept / 90.5 % dropped (F1 0.910) at 51 pages/s; Python trafilatura
//! 2.3.1: 94.7 % / 89.2 % (F1 0.921) at 26 pages/s. Reproduce with the `clean` bench
//! (`COGNATE_EVAL_TRAFILATURA=…/tests cargo bench -p cognate --bench clean`).
//!
//! Since then cognate's own extractor ([`super::dense`], [`Extractor::Dense`]) took the
//! lead, the crate staying as its fallback and as [`Extractor::Trafilatura`]: in one
//! side-by-side run (2 threads, docs/measurements.md) the whole HTML cleaning kept 92.5 % /
//! dropped 90.3 % (F1 0.914) in 4.85 CPU s for the 990 pages, against 91.2 % / 90.9 %
//! (F1 0.911) in 10.77 CPU s with the crate (main at bb09043); its rules were tuned on
//! that same set. Later (branch clean-speed2, one run on a loaded machine): 93.9 % / 90.6 %
//! (F1 0.924, Python trafilatura 0.921) in 2.91 CPU s, against 11.85 s with the crate alone
//! and 28.29 s for Python in one process; the date for pages whose tags state none now
//! comes from [`super::date`] instead of a second parse by the crate.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::entities::decode_entities;
use super::recurring::RecurringLines;
use super::text::{TextContext, clean_text};
use super::{CleanOptions, Cleaned, Extractor, Removed};
use crate::document::Published;

/// Pages longer than this are cut (at a character boundary) before anything else.
pub const MAX_HTML_BYTES: usize = 8 * 1024 * 1024;
/// Element nesting beyond which the extractor is not run.
pub const MAX_DEPTH: usize = 1000;

/// Elements whose end tag may be left out; they do not nest in the estimate.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody", "thead", "tfoot",
    "colgroup", "rb", "rt", "rp", "html", "head", "body",
];
pub(super) const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "command",
];
/// Elements whose content is not text.
pub(super) const RAW: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "textarea",
    "select",
];
pub(super) const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "nav",
    "main",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "form",
    "hr",
    "dd",
    "dt",
    "dl",
    "title",
    "address",
    "details",
    "summary",
    "fieldset",
    "legend",
    "caption",
    "td",
    "th",
    "body",
    "head",
    "html",
];

/// One tag found by the scanner.
pub(super) struct Tag<'a> {
    pub(super) name: String,
    pub(super) closing: bool,
    pub(super) self_closing: bool,
    /// The text between the name and `>`.
    pub(super) attrs: &'a str,
    /// Byte offsets of `<` and just after `>`.
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Scans tags linearly (comments, doctype and processing instructions skipped).
pub(super) struct TagScanner<'a> {
    html: &'a str,
    pos: usize,
}

impl<'a> TagScanner<'a> {
    pub(super) fn new(html: &'a str) -> Self {
        TagScanner { html, pos: 0 }
    }

    /// Where scanning resumes.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Moves past the end tag `</name`, for raw-text elements.
    pub(super) fn skip_raw(&mut self, name: &str) {
        let hay = &self.html.as_bytes()[self.pos..];
        let needle = format!("</{name}");
        let mut from = 0;
        while let Some(p) = memchr::memmem::find(&hay[from..], b"</") {
            let at = from + p;
            if hay[at..]
                .get(..needle.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(needle.as_bytes()))
            {
                self.pos += at;
                return;
            }
            from = at + 2;
        }
        self.pos = self.html.len();
    }
}

impl<'a> Iterator for TagScanner<'a> {
    type Item = Tag<'a>;
    fn next(&mut self) -> Option<Tag<'a>> {
        let b = self.html.as_bytes();
        loop {
            let p = self.pos + memchr::memchr(b'<', &b[self.pos..])?;
            let rest = &b[p..];
            // Comments, doctype, processing instructions: returned as `!`, no text.
            if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
                self.pos = if rest.starts_with(b"<!--") {
                    memchr::memmem::find(&rest[4..], b"-->").map_or(b.len(), |e| p + 4 + e + 3)
                } else {
                    memchr::memchr(b'>', rest).map_or(b.len(), |e| p + e + 1)
                };
                return Some(Tag {
                    name: "!".into(),
                    closing: false,
                    self_closing: true,
                    attrs: "",
                    start: p,
                    end: self.pos,
                });
            }
            let closing = rest.get(1) == Some(&b'/');
            let name_start = p + 1 + usize::from(closing);
            let name_len = b[name_start..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
                .count();
            if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
                self.pos = p + 1;
                continue;
            }
            // Find `>` outside quoted values. A quote opens a value only right after
            // `=` (as in the HTML tokenizer): a stray `"` elsewhere (`src="a" " type=…`,
            // seen on real pages) would otherwise swallow the rest of the page.
            let mut i = name_start + name_len;
            let mut quote = 0u8;
            let mut after_eq = false;
            while i < b.len() {
                let c = b[i];
                if quote != 0 {
                    if c == quote {
                        quote = 0;
                    }
                } else if (c == b'"' || c == b'\'') && after_eq {
                    quote = c;
                } else if c == b'>' {
                    break;
                }
                if quote == 0 && !c.is_ascii_whitespace() {
                    after_eq = c == b'=';
                } else if quote != 0 {
                    after_eq = false;
                }
                i += 1;
            }
            let end = (i + 1).min(b.len());
            self.pos = end;
            let attrs_end = i.min(b.len());
            let attrs = &self.html[name_start + name_len..attrs_end];
            return Some(Tag {
                name: self.html[name_start..name_start + name_len].to_ascii_lowercase(),
                closing,
                self_closing: attrs.ends_with('/'),
                attrs,
                start: p,
                end,
            });
        }
    }
}

/// Attribute value by name (case-insensitive), entities decoded.
pub(super) fn attr(attrs: &str, name: &str) -> Option<String> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let n = &attrs[ns..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = &attrs[vs..i.min(b.len())];
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = &attrs[vs..i];
            }
        }
        if n.eq_ignore_ascii_case(name) {
            return Some(decode_entities(value.trim()));
        }
        if ns == i {
            i += 1;
        }
    }
    None
}

/// Deepest element nesting, estimated from the tags (elements whose end tag may be
/// left out do not count). Linear, no tree built.
pub fn nesting_depth(html: &str) -> usize {
    let mut depth: usize = 0;
    let mut max = 0;
    let mut sc = TagScanner::new(html);
    while let Some(t) = sc.next() {
        if RAW.contains(&t.name.as_str()) && !t.closing && !t.self_closing {
            sc.skip_raw(&t.name);
            continue;
        }
        if t.name == "!"
            || VOID.contains(&t.name.as_str())
            || OPTIONAL_END.contains(&t.name.as_str())
        {
            continue;
        }
        if t.closing {
            depth = depth.saturating_sub(1);
        } else if !t.self_closing {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// All visible text of a page, one line per block, and its `<title>`. Linear, no tree:
/// the stand-in when the extractor cannot run, and the `keep_raw` view of a page.
pub fn visible_text(html: &str) -> (Option<String>, String) {
    let mut out = String::with_capacity(html.len() / 4);
    let mut title = None;
    let mut sc = TagScanner::new(html);
    let mut last = 0;
    let mut in_head = false;
    while let Some(t) = sc.next() {
        if !in_head {
            out.push_str(&html[last..t.start]);
        }
        last = t.end;
        let name = t.name.as_str();
        if name == "head" {
            in_head = !t.closing;
        }
        if name == "title" && !t.closing && title.is_none() {
            let from = t.end;
            sc.skip_raw("title");
            let raw = &html[from..sc.pos.max(from)];
            let tt = super::normalize_text(&decode_entities(raw)).replace("\n\n", " ");
            if !tt.is_empty() {
                title = Some(tt);
            }
            last = sc.pos;
            continue;
        }
        if name == "!" {
            continue;
        }
        if RAW.contains(&name) && !t.closing && !t.self_closing {
            sc.skip_raw(name);
            last = sc.pos;
        } else if BLOCK.contains(&name) {
            out.push('\n');
        } else {
            out.push(' ');
        }
        if name == "body" && !t.closing {
            in_head = false;
        }
    }
    if !in_head {
        out.push_str(&html[last.min(html.len())..]);
    }
    (title, decode_entities(&out))
}

/// Meta tags that carry a publication date, best first.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "article:published",
    "cxenseparse:recs:publishtime",
];

/// The publication date the page states: meta tags (`article:published_time`,
/// `itemprop=datePublished`, Dublin Core…), JSON-LD `datePublished`, then
/// `<time datetime>` (one marked as the publication date first).
pub fn published_date(html: &str) -> Option<Published> {
    let mut meta: Vec<(usize, String)> = Vec::new();
    let mut times: Vec<(bool, String)> = Vec::new();
    let mut sc = TagScanner::new(html);
    while let Some(t) = sc.next() {
        match t.name.as_str() {
            "meta" => {
                let key = attr(t.attrs, "property")
                    .or_else(|| attr(t.attrs, "name"))
                    .or_else(|| attr(t.attrs, "itemprop"));
                if let Some(key) = key {
                    let key = key.to_ascii_lowercase();
                    let rank = DATE_META.iter().position(|k| *k == key);
                    let value = || attr(t.attrs, "content").or_else(|| attr(t.attrs, "datetime"));
                    if let (Some(rank), Some(v)) = (rank, rank.and_then(|_| value())) {
                        meta.push((rank, v));
                    }
                }
            }
            "script" if !t.closing => {
                let json = attr(t.attrs, "type")
                    .is_some_and(|v| v.eq_ignore_ascii_case("application/ld+json"));
                let from = t.end;
                sc.skip_raw("script");
                if json {
                    let body = &html[from..sc.pos.max(from)];
                    if let Some(v) = json_ld_date(body) {
                        meta.push((DATE_META.len(), v));
                    }
                }
            }
            "style" | "noscript" | "template" if !t.closing => sc.skip_raw(&t.name.clone()),
            "time" if !t.closing => {
                if let Some(v) = attr(t.attrs, "datetime") {
                    let marked = attr(t.attrs, "itemprop")
                        .is_some_and(|p| p.eq_ignore_ascii_case("datepublished"))
                        || attr(t.attrs, "pubdate").is_some()
                        || attr(t.attrs, "class")
                            .is_some_and(|c| c.to_ascii_lowercase().contains("publish"));
                    times.push((marked, v));
                }
            }
            "span" | "div" | "p" | "abbr"
                if !t.closing
                    && attr(t.attrs, "itemprop")
                        .is_some_and(|p| p.eq_ignore_ascii_case("datepublished")) =>
            {
                if let Some(v) = attr(t.attrs, "content").or_else(|| attr(t.attrs, "datetime")) {
                    meta.push((3, v));
                }
            }
            _ => {}
        }
    }
    meta.sort_by_key(|(r, _)| *r);
    times.sort_by_key(|(marked, _)| !*marked);
    meta.iter()
        .map(|(_, v)| v)
        .chain(times.iter().map(|(_, v)| v))
        .find_map(|v| Published::parse(v))
}

/// `"datePublished": "…"` in a JSON-LD block (without parsing the JSON: pages get it wrong).
fn json_ld_date(body: &str) -> Option<String> {
    let p = body.find("\"datePublished\"")?;
    let rest = &body[p + "\"datePublished\"".len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest[..end].to_string())
}

/// What the extractor found.
pub struct Extracted {
    pub title: Option<String>,
    /// Paragraphs separated by newlines.
    pub text: String,
    /// The date the extractor's metadata found (used when the page's own tags give none).
    pub date: Option<chrono::NaiveDate>,
    /// Whether the extractor looked for a date at all (the crate does, [`super::dense`]
    /// does not).
    pub looked_for_date: bool,
}

/// Runs the main-content extractor, catching a panic. `None` when it failed or found
/// no text. [`Extractor::Dense`] falls back on the crate when it finds nothing.
pub fn extract_main(html: &str, extractor: Extractor) -> Option<Extracted> {
    let guarded = |f: fn(&str) -> Option<Extracted>| {
        let result = catch_unwind(AssertUnwindSafe(|| f(html))).ok()??;
        (!result.text.trim().is_empty()).then_some(result)
    };
    // Only the crate needs the depth check (a scan of the whole page).
    let crate_extractor = || {
        (nesting_depth(html) <= MAX_DEPTH)
            .then(|| guarded(run_extractor))
            .flatten()
    };
    match extractor {
        Extractor::Dense => guarded(super::dense::extract).or_else(crate_extractor),
        Extractor::Trafilatura => crate_extractor(),
    }
}

/// The extractor: the `trafilatura` crate (a Rust port of trafilatura's pipeline),
/// chosen on the trafilatura evaluation set (see the module docs).
fn run_extractor(html: &str) -> Option<Extracted> {
    // Reader comments are not the article: leaving them out raised both shares on the
    // evaluation set (kept 0.912 -> 0.914, dropped 0.909 -> 0.911).
    if std::env::var("COGNATE_EXP").is_ok_and(|v| v.contains("dense")) {
        return super::dense::extract(html);
    }
    let opts = trafilatura::Options::default().with_exclude_comments(true);
    let r = trafilatura::extract(html, &opts).ok()?;
    let title = Some(r.metadata.title.trim().to_string()).filter(|t| !t.is_empty());
    // The HTML of the main content keeps the paragraph structure that `content_text`
    // flattens into one line.
    let text = if r.content_html.is_empty() {
        r.content_text
    } else {
        visible_text(&r.content_html).1
    };
    Some(Extracted {
        title,
        text,
        date: r.metadata.date,
        looked_for_date: true,
    })
}

pub(crate) fn cut_at_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Cleans an HTML page (`url`: the document's, for a date in it when the page's tags
/// state none).
pub fn clean_html(
    html: &str,
    declared_title: Option<&str>,
    url: Option<&str>,
    options: &CleanOptions,
    recurring: Option<&RecurringLines>,
) -> Cleaned {
    let mut removed = Vec::new();
    let page = cut_at_char_boundary(html, MAX_HTML_BYTES);
    if page.len() < html.len() {
        removed.push(Removed {
            text: format!(
                "[{} bytes after the first {} MB of the page]",
                html.len() - page.len(),
                MAX_HTML_BYTES / (1024 * 1024)
            ),
            reason: "truncated".into(),
        });
    }
    let mut published = published_date(page);
    let (page_title, body, extracted) = if options.keep_raw {
        let (t, b) = visible_text(page);
        (t, b, false)
    } else {
        match extract_main(page, options.extractor) {
            Some(e) => {
                if published.is_none() {
                    let date = if e.looked_for_date {
                        e.date
                    } else {
                        super::date::fallback_date(page, url)
                    };
                    published =
                        date.and_then(|d| Published::parse(&d.format("%Y-%m-%d").to_string()));
                }
                let t = e.title.or_else(|| visible_text_title(page));
                (t, e.text, true)
            }
            None => {
                let (t, b) = visible_text(page);
                (t, b, false)
            }
        }
    };
    if extracted {
        removed.push(Removed {
            text: "[page outside the main content]".into(),
            reason: "extraction".into(),
        });
    }
    let title = declared_title
        .map(str::to_string)
        .or_else(|| page_title.map(|t| super::normalize_text(&t).replace("\n\n", " ")))
        .filter(|t| !t.is_empty());
    let out = clean_text(
        &body,
        &TextContext {
            keep_raw: options.keep_raw,
            title: title.as_deref(),
            find_title: false,
            recurring,
        },
    );
    removed.extend(out.removed);
    Cleaned {
        title: out.title,
        text: out.text,
        removed,
        published,
    }
}

fn visible_text_title(html: &str) -> Option<String> {
    let mut sc = TagScanner::new(html);
    while let Some(t) = sc.next() {
        if t.name == "title" && !t.closing {
            let from = t.end;
            sc.skip_raw("title");
            let tt = super::normalize_text(&decode_entities(&html[from..sc.pos.max(from)]));
            return (!tt.is_empty()).then(|| tt.replace("\n\n", " "));
        }
        if t.name == "body" {
            return None;
        }
    }
    None
}
