//! A publication date for pages whose tags state none ([`super::html::published_date`]
//! finds nothing): htmldate's cascade, cut down to what one pass of the tag scanner and a
//! few searches of the raw page can do, with no DOM. In order, the first stage that
//! finds a date wins:
//!
//! 1. a `/2019/02/10/` date in the document's URL, the page's `og:url` or canonical link;
//! 2. other meta tags naming a date (modified, created, `last-modified`…) and JSON-LD
//!    `dateModified`/`dateCreated`/`uploadDate`;
//! 3. the text of date-ish elements (`footer`, `small`, class/id/itemprop with `date`,
//!    `time`, `publish`, `meta`, `byline`…), the first that parses;
//! 4. the `<title>` and `<h1>`;
//! 5. `<time>` elements' text (the newest date);
//! 6. an ISO date with a clock time anywhere in the source (`2019-01-07T17:27:31`);
//! 7. a date in the `og:image` URL;
//! 8. "posted on 3.2.2019", "Stand: 08.05.2019";
//! 9. the newest date among the page's short text pieces (7–51 characters);
//! 10. the first date in a longer piece of text.
//!
//! It replaced the `trafilatura` crate's metadata cascade (an html5ever parse of the
//! whole page plus htmldate), which cost about a third of HTML cleaning's time on the
//! trafilatura evaluation set; see docs/measurements.md for the dates kept and lost.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use super::entities::decode_entities;
use super::html::{RAW, TagScanner, attr};

/// Meta names and properties (lowercase) that name a date other than the publication
/// date [`super::html::published_date`] looks for (htmldate's extra names).
const OTHER_DATE_META: &[&str] = &[
    "article:modified_time",
    "article:modified",
    "og:updated_time",
    "og:modified_time",
    "datemodified",
    "datecreated",
    "dateupdate",
    "last-modified",
    "lastmod",
    "modified",
    "dcterms.modified",
    "dc.date.modified",
    "dc.date.created",
    "citation_date",
    "citation_publication_date",
    "created",
    "date_published",
    "date_created",
    "dateposted",
    "displaydate",
    "doc_date",
    "pub_date",
    "publication_date",
    "published_date",
    "release_date",
    "rnews:datepublished",
    "originalpublicationdate",
    "og:published_date",
    "og:regdate",
    "bt:pubdate",
    "analyticsattributes.articledate",
    "article_date_original",
    "article:post_date",
    "article:published_date",
    "article:publicationdate",
    "content_create_date",
    "timestamp",
    "uploaddate",
    "updated_time",
    "vr:published_time",
];

/// Class, id and itemprop parts of elements whose text often is the date.
const DATEISH: &[&str] = &[
    "date",
    "datum",
    "time",
    "publish",
    "publication",
    "meta",
    "byline",
    "subline",
    "posted",
    "submitted",
    "footer",
    "info",
    "post_detail",
    "block-content",
    "created-post",
    "author",
    "autor",
    "field-content",
    "fecha",
    "parution",
    "fa-clock-o",
    "fa-calendar",
];

/// Text segments read after a date-ish element opens (its text is short).
const ELEMENT_TEXT_BYTES: usize = 200;

fn plausible(d: NaiveDate) -> Option<NaiveDate> {
    let now = chrono::Utc::now().year();
    (1995..=now + 1).contains(&d.year()).then_some(d)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).and_then(plausible)
}

/// Two-digit years: 90–99 are the 1990s, the rest this century.
fn full_year(y: i32) -> i32 {
    match y {
        0..=89 => 2000 + y,
        90..=99 => 1900 + y,
        _ => y,
    }
}

/// Day and month from a numeric date, read day first unless that is impossible.
fn dmy(a: u32, b: u32, y: i32) -> Option<NaiveDate> {
    let y = full_year(y);
    if b > 12 { ymd(y, a, b) } else { ymd(y, b, a) }
}

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[^0-9](199[0-9]|20[0-3][0-9])[-/_]([01]?[0-9])[-/_]([0-3]?[0-9])(?:[^0-9]|$)")
        .expect("valid regex")
});
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(199[0-9]|20[0-3][0-9])-([01]?[0-9])-([0-3]?[0-9]).[0-9]{2}:[0-9]{2}:[0-9]{2}")
        .expect("valid regex")
});
static IDIOSYNCRATIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)(?:(?:date[^0-9"]{0,20}|updated|last-modified|published|posted|on)[ :]*"#,
        r"|(?:Datum|Stand|Ver[öÖ]ffentlicht am):? ?)",
        r"([0-9]{1,4})[./]([0-9]{1,2})[./]([0-9]{2,4})",
    ))
    .expect("valid regex")
});
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[^0-9])(?:(199[0-9]|20[0-3][0-9])[-/.]([01]?[0-9])[-/.]([0-3]?[0-9])",
        r"|([0-3]?[0-9])[-/.] ?([0-3]?[0-9])[-/.] ?((?:19|20)?[0-9]{2}))(?:[^0-9]|$)",
    ))
    .expect("valid regex")
});
const MONTHS: &str = concat!(
    r"(jan(?:uary|uar|vier|\.)?|feb(?:ruary|ruar|\.)?|f[ée]vrier|m[aä]r(?:ch|z|s|\.)?|apr(?:il|\.)?|avril",
    r"|ma[iy]|juni?|juin|june?|juli?|juillet|july|aug(?:ust|\.)?|ao[uû]t|sept?(?:ember|embre|\.)?",
    r"|o[ck]t(?:ober|obre|\.)?|nov(?:ember|embre|\.)?|d[eé][cz](?:ember|embre|\.)?|enero|febrero|marzo",
    r"|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)",
);
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        concat!(
            r"(?i)(?:\b([0-3]?[0-9])(?:st|nd|rd|th|er)?\.?\s+(?:de\s+|of\s+)?{m}\b\.?,?\s+(?:de\s+)?((?:19|20)[0-9]{{2}})",
            r"|\b{m}\b\.?\s+([0-3]?[0-9])(?:st|nd|rd|th)?,?\s+((?:19|20)[0-9]{{2}}))",
        ),
        m = MONTHS
    ))
    .expect("valid regex")
});

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_lowercase();
    let n = n.trim_end_matches('.');
    let m = match n {
        _ if n.starts_with("jan") || n == "enero" => 1,
        _ if n.starts_with("feb") || n.starts_with("fév") || n.starts_with("fev") => 2,
        _ if n.starts_with("mar") || n.starts_with("mär") => 3,
        _ if n.starts_with("apr") || n.starts_with("avr") || n == "abril" => 4,
        "mai" | "may" | "mayo" => 5,
        _ if n.starts_with("jun") || n == "juin" => 6,
        _ if n.starts_with("jul") || n == "juillet" => 7,
        _ if n.starts_with("aug") || n.starts_with("ao") || n == "agosto" => 8,
        _ if n.starts_with("sep") => 9,
        _ if n.starts_with("oct") || n.starts_with("okt") => 10,
        _ if n.starts_with("nov") => 11,
        _ if n.starts_with("dec")
            || n.starts_with("dez")
            || n.starts_with("déc")
            || n == "diciembre" =>
        {
            12
        }
        _ => return None,
    };
    Some(m)
}

/// The first date written in `text`: `2019-02-10`, `10.02.2019`, `10/2/19`,
/// `February 10, 2019`, `10. Februar 2019`, `10 février 2019`…
pub fn date_in_text(text: &str) -> Option<NaiveDate> {
    // Every form has a year of two or more digits: most text has none.
    if !text
        .as_bytes()
        .windows(2)
        .any(|w| w.iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    let numeric = NUMERIC.captures(text).and_then(|c| {
        let at = c.get(0)?.start();
        let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let d = if let (Some(y), Some(m), Some(d)) = (n(1), n(2), n(3)) {
            ymd(y as i32, m, d)
        } else {
            dmy(n(4)?, n(5)?, n(6)? as i32)
        };
        d.map(|d| (at, d))
    });
    let named = NAMED.captures(text).and_then(|c| {
        let at = c.get(0)?.start();
        let d = if let Some(day) = c.get(1) {
            ymd(
                c.get(3)?.as_str().parse().ok()?,
                month_number(c.get(2)?.as_str())?,
                day.as_str().parse().ok()?,
            )
        } else {
            ymd(
                c.get(6)?.as_str().parse().ok()?,
                month_number(c.get(4)?.as_str())?,
                c.get(5)?.as_str().parse().ok()?,
            )
        };
        d.map(|d| (at, d))
    });
    match (numeric, named) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b.1 } else { a.1 }),
        (a, b) => a.or(b).map(|(_, d)| d),
    }
}

/// A `/2019/02/10/` (or `-`, `_`) date in a URL.
fn url_date(url: &str) -> Option<NaiveDate> {
    let c = URL_DATE.captures(url)?;
    ymd(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
}

/// A date stated as a machine value (`2019-02-10T…`, `20190210`) or, failing that, as text.
fn value_date(v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    if let Some(p) = crate::document::Published::parse(v) {
        return chrono::DateTime::from_timestamp(p.timestamp, 0)
            .and_then(|t| plausible(t.date_naive()));
    }
    if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(
            v[..4].parse().ok()?,
            v[4..6].parse().ok()?,
            v[6..].parse().ok()?,
        );
    }
    date_in_text(v)
}

fn json_value<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    let p = body.find(key)?;
    let rest = body[p + key.len()..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

fn is_dateish(name: &str, attrs: &str) -> bool {
    if matches!(name, "footer" | "small") {
        return true;
    }
    if !matches!(
        name,
        "div" | "h2" | "h3" | "h4" | "li" | "p" | "span" | "time" | "ul" | "abbr" | "a" | "em"
    ) {
        return false;
    }
    let mut s = attr(attrs, "class").unwrap_or_default();
    for a in ["id", "itemprop"] {
        if let Some(v) = attr(attrs, a) {
            s.push(' ');
            s.push_str(&v);
        }
    }
    s.make_ascii_lowercase();
    !s.is_empty() && DATEISH.iter().any(|p| s.contains(p))
}

/// Normalised text, at most `max` characters.
fn short(text: &str, max: usize) -> String {
    let t = decode_entities(text);
    let mut out = String::new();
    for w in t.split_whitespace().take(max) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
        if out.len() >= max {
            break;
        }
    }
    out
}

/// Elements whose text is read for a date.
#[derive(Clone, Copy)]
enum Stage {
    /// Date-ish by tag, class, id or itemprop: the first date found wins.
    Element,
    /// `<title>` and `<h1>`: the first wins.
    Title,
    /// `<time>` without a `datetime`: the newest wins.
    Time,
}

#[derive(Default)]
struct ElementDates {
    element: Option<NaiveDate>,
    title: Option<NaiveDate>,
    time: Option<NaiveDate>,
}

impl ElementDates {
    fn add(&mut self, stage: Stage, text: &str) {
        let d = date_in_text(&short(text, 52));
        match stage {
            Stage::Element => self.element = self.element.or(d),
            Stage::Title => self.title = self.title.or(d),
            Stage::Time => self.time = self.time.max(d),
        }
    }
}

/// The publication date of a page whose tags state none (see the module docs), given the
/// document's URL when known.
pub fn fallback_date(html: &str, url: Option<&str>) -> Option<NaiveDate> {
    if let Some(d) = url.and_then(url_date) {
        return Some(d);
    }
    let mut page_urls: Vec<String> = Vec::new();
    let mut meta: Option<NaiveDate> = None;
    let mut og_image: Option<String> = None;
    let mut read = ElementDates::default();
    // The newest date in short text, the first in longer text (`None` sorts first, so
    // `max` keeps the newest).
    let mut free: Option<NaiveDate> = None;
    let mut first_in_text: Option<NaiveDate> = None;
    // The date-ish element (or title/h1/time) whose text is being read:
    // (name, same-name depth, stage, text so far).
    let mut reading: Option<(String, usize, Stage, String)> = None;
    let mut sc = TagScanner::new(html);
    let mut last = 0;
    let mut in_body = false;
    while let Some(t) = sc.next() {
        let segment = &html[last.min(t.start)..t.start];
        last = t.end;
        if !segment.trim().is_empty() {
            if let Some((_, _, _, text)) = reading.as_mut() {
                text.push_str(segment);
                text.push(' ');
            }
            if in_body {
                let s = segment.trim();
                if (7..52 * 4).contains(&s.len()) {
                    let s = short(s, 52);
                    if (7..52).contains(&s.chars().count()) {
                        free = free.max(date_in_text(&s));
                    }
                } else if first_in_text.is_none() && s.len() >= 7 {
                    first_in_text = date_in_text(&decode_entities(s));
                }
            }
        }
        let name = t.name.as_str();
        in_body |= !t.closing && matches!(name, "body" | "div" | "p" | "article" | "main");
        let mut done = false;
        if let Some((rname, depth, _, text)) = reading.as_mut() {
            if name == rname.as_str() && !t.self_closing {
                if !t.closing {
                    *depth += 1;
                } else if *depth > 0 {
                    *depth -= 1;
                } else {
                    done = true;
                }
            }
            done |= text.len() >= ELEMENT_TEXT_BYTES;
        }
        if done && let Some((_, _, stage, text)) = reading.take() {
            read.add(stage, &text);
        }
        match name {
            "meta" => {
                let key = attr(t.attrs, "property")
                    .or_else(|| attr(t.attrs, "name"))
                    .or_else(|| attr(t.attrs, "itemprop"))
                    .or_else(|| attr(t.attrs, "http-equiv"))
                    .map(|k| k.to_ascii_lowercase());
                let Some(key) = key else { continue };
                let value = || attr(t.attrs, "content").or_else(|| attr(t.attrs, "datetime"));
                if key == "og:url" {
                    page_urls.extend(value());
                } else if key == "og:image" {
                    og_image = og_image.or_else(value);
                } else if meta.is_none() && OTHER_DATE_META.contains(&key.as_str()) {
                    meta = value().as_deref().and_then(value_date);
                }
            }
            "link" if attr(t.attrs, "rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")) => {
                page_urls.extend(attr(t.attrs, "href"));
            }
            "script" if !t.closing => {
                let json = attr(t.attrs, "type")
                    .is_some_and(|v| v.eq_ignore_ascii_case("application/ld+json"));
                let from = t.end;
                sc.skip_raw("script");
                last = sc.pos();
                if json && meta.is_none() {
                    let body = &html[from..sc.pos().max(from)];
                    meta = ["\"dateModified\"", "\"dateCreated\"", "\"uploadDate\""]
                        .iter()
                        .find_map(|k| json_value(body, k).and_then(value_date));
                }
            }
            _ if RAW.contains(&name) && !t.closing && !t.self_closing => {
                sc.skip_raw(name);
                last = sc.pos();
            }
            _ if t.closing || t.self_closing || reading.is_some() => {}
            "title" | "h1" => reading = Some((t.name.clone(), 0, Stage::Title, String::new())),
            "time" if read.element.is_some() || !is_dateish(name, t.attrs) => {
                if let Some(v) = attr(t.attrs, "datetime").filter(|v| v.trim().len() > 6) {
                    read.time = read.time.max(value_date(&v));
                } else {
                    reading = Some((t.name.clone(), 0, Stage::Time, String::new()));
                }
            }
            _ if read.element.is_none() && is_dateish(name, t.attrs) => {
                if let Some(v) = attr(t.attrs, "datetime")
                    .and_then(|v| value_date(&v))
                    .or_else(|| attr(t.attrs, "title").and_then(|v| date_in_text(&v)))
                {
                    read.element = Some(v);
                } else {
                    reading = Some((t.name.clone(), 0, Stage::Element, String::new()));
                }
            }
            _ => {}
        }
    }
    if let Some((_, _, stage, text)) = reading {
        read.add(stage, &text);
    }
    page_urls
        .iter()
        .find_map(|u| url_date(u))
        .or(meta)
        .or(read.element)
        .or(read.title)
        .or(read.time)
        .or_else(|| {
            let c = TIMESTAMP.captures(html)?;
            ymd(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
        })
        .or_else(|| og_image.as_deref().and_then(url_date))
        .or_else(|| {
            let c = IDIOSYNCRATIC.captures(html)?;
            let (a, b, y) = (&c[1], &c[2], &c[3]);
            if a.len() == 4 {
                ymd(a.parse().ok()?, b.parse().ok()?, y.parse().ok()?)
            } else {
                dmy(a.parse().ok()?, b.parse().ok()?, y.parse().ok()?)
            }
        })
        .or(free)
        .or(first_in_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    #[test]
    fn dates_in_text() {
        assert_eq!(date_in_text("Posted 2019-02-10 by X"), d("2019-02-10"));
        assert_eq!(date_in_text("10.02.2019, 12:00"), d("2019-02-10"));
        assert_eq!(date_in_text("1/21/2019"), d("2019-01-21"));
        assert_eq!(date_in_text("February 10th, 2019"), d("2019-02-10"));
        assert_eq!(date_in_text("Sun 10 Feb. 2019"), d("2019-02-10"));
        assert_eq!(date_in_text("am 10. März 2019"), d("2019-03-10"));
        assert_eq!(date_in_text("le 3 février 2019"), d("2019-02-03"));
        assert_eq!(date_in_text("3 de mayo de 2019"), d("2019-05-03"));
        assert_eq!(date_in_text("call 555-1234"), None);
        assert_eq!(date_in_text("in 1850 and 3.4.1850"), None);
    }

    #[test]
    fn the_cascade() {
        let url = Some("https://example.org/news/2020/03/04/story.html");
        assert_eq!(fallback_date("<p>x</p>", url), d("2020-03-04"));
        let page = "<html><head><link rel=canonical href=\"https://e.org/2018-07-09/x\"></head>\
                    <body><div class=date>1 May 2019</div></body></html>";
        assert_eq!(fallback_date(page, None), d("2018-07-09"));
        let page =
            "<body><p>Text</p><span class=\"post-date\">Updated: <b>May 1, 2019</b></span></body>";
        assert_eq!(fallback_date(page, None), d("2019-05-01"));
        let page = "<body><p>First 3 March 2017</p><p>then 4 March 2018 here</p></body>";
        assert_eq!(fallback_date(page, None), d("2018-03-04"));
        let page = "<head><meta property=\"article:modified_time\" content=\"2021-06-07T08:00:00Z\"></head>";
        assert_eq!(fallback_date(page, None), d("2021-06-07"));
        assert_eq!(fallback_date("<body><p>nothing</p></body>", None), None);
    }
}
