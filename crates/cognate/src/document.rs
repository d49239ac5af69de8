//! The document model shared by every stage: what ingest produces and what the
//! later stages read.

use std::fmt;

use serde_json::{Map, Value};

/// Where a document (or a problem) came from, precise enough for a user to find it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The input as the user named it (a path, or `-` for standard input).
    pub input: String,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The whole input (a single file).
    Whole,
    /// A 1-based line of a line-oriented input (JSONL).
    Line(u64),
    /// A byte offset into the (decompressed) stream, for record-oriented inputs (WARC).
    Offset(u64),
    /// A file inside a folder input, relative to the folder.
    File(String),
}

impl Origin {
    pub fn new(input: impl Into<String>, location: Location) -> Self {
        Self {
            input: input.into(),
            location,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::Whole => write!(f, "{}", self.input),
            Location::Line(n) => write!(f, "{}:{}", self.input, n),
            Location::Offset(o) => write!(f, "{}@{}", self.input, o),
            Location::File(p) => write!(f, "{}/{}", self.input.trim_end_matches('/'), p),
        }
    }
}

/// The body of a document as it arrived.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    /// Plain text (already extracted, perhaps with boilerplate).
    Text(String),
    /// An HTML page.
    Html(String),
}

impl Content {
    pub fn as_str(&self) -> &str {
        match self {
            Content::Text(s) | Content::Html(s) => s,
        }
    }

    pub fn is_html(&self) -> bool {
        matches!(self, Content::Html(_))
    }
}

/// A publication time, kept both as given and as seconds since the Unix epoch (UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub raw: String,
    pub timestamp: i64,
}

impl Published {
    /// Parses RFC 3339 (`2022-01-12T10:00:00Z`), a plain date (`2022-01-12`), or
    /// the common variants a web page or WARC header carries (space instead of `T`,
    /// no zone, which is read as UTC).
    pub fn parse(raw: &str) -> Option<Published> {
        use chrono::{DateTime, NaiveDate, NaiveDateTime};
        let s = raw.trim();
        if s.is_empty() {
            return None;
        }
        let timestamp = if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            t.timestamp()
        } else if let Ok(t) = DateTime::parse_from_rfc2822(s) {
            t.timestamp()
        } else if let Some(t) = [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        {
            t.and_utc().timestamp()
        } else if let Ok(d) = NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
            d.and_hms_opt(0, 0, 0)?.and_utc().timestamp()
        } else {
            return None;
        };
        Some(Published {
            raw: s.to_string(),
            timestamp,
        })
    }
}

/// One input document, read and decoded, before cleaning.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub id: String,
    pub content: Content,
    pub title: Option<String>,
    pub url: Option<String>,
    /// Language the input declared, if any (kept, and used when detection is unsure).
    pub lang: Option<String>,
    pub published: Option<Published>,
    /// Fields of the input object that cognate does not interpret, carried through untouched.
    pub extra: Map<String, Value>,
    pub origin: Origin,
    /// True when the bytes were not valid UTF-8 and were decoded lossily.
    pub lossy_utf8: bool,
}

impl Document {
    /// A plain-text document with no metadata, for tests and the library API.
    pub fn text(id: impl Into<String>, text: impl Into<String>) -> Self {
        let id = id.into();
        Document {
            origin: Origin::new(id.clone(), Location::Whole),
            id,
            content: Content::Text(text.into()),
            title: None,
            url: None,
            lang: None,
            published: None,
            extra: Map::new(),
            lossy_utf8: false,
        }
    }
}

/// An input document that could not be read; it still appears in every output,
/// with `"status": "error"`.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedDocument {
    /// The document's id when it could be read, otherwise one made from its origin.
    pub id: String,
    pub origin: Origin,
    pub error: String,
    pub extra: Map<String, Value>,
}

/// What ingest yields for each input document.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Ok(Document),
    Failed(FailedDocument),
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Ok(d) => &d.id,
            Record::Failed(f) => &f.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_date_forms() {
        let a = Published::parse("2022-01-12T10:00:00Z").unwrap();
        let b = Published::parse("2022-01-12T11:00:00+01:00").unwrap();
        assert_eq!(a.timestamp, b.timestamp);
        let d = Published::parse("2022-01-12").unwrap();
        assert_eq!(a.timestamp - d.timestamp, 10 * 3600);
        assert!(Published::parse("2022-01-12 10:00:00").is_some());
        assert!(Published::parse("Wed, 12 Jan 2022 10:00:00 GMT").is_some());
        assert!(Published::parse("yesterday").is_none());
        assert!(Published::parse("").is_none());
    }

    #[test]
    fn origin_display_names_the_place() {
        assert_eq!(
            Origin::new("a.jsonl", Location::Line(3)).to_string(),
            "a.jsonl:3"
        );
        assert_eq!(
            Origin::new("x.warc.gz", Location::Offset(10)).to_string(),
            "x.warc.gz@10"
        );
        assert_eq!(
            Origin::new("dir/", Location::File("a/b.txt".into())).to_string(),
            "dir/a/b.txt"
        );
    }
}
