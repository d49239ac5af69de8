//! JSONL: one JSON object per line, plain or compressed, from a file or stdin.

use serde::de::{self, Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::decode::{check_text, strip_bom, utf8_lossy};
use super::stream::{Compression, Line, Stream};
use super::{Ctx, Problem, Source, Step};
use crate::document::{Content, Document, FailedDocument, Location, Origin, Published, Record};

/// Turns one JSON value into a document: `{"id", "text" | "html", "title"?, "url"?,
/// "lang"?, "published"?}`, every other field kept in [`Document::extra`] in order.
///
/// The id may be a string or a number (stringified). `text` wins when both `text`
/// and `html` are present (`html` then stays in `extra`). `title`, `url`, `lang`
/// and `published` are read when they are strings (`published` when it parses as a
/// date); otherwise they stay in `extra` untouched. Anything that makes the value
/// unusable gives a [`Record::Failed`] whose error starts with the origin; its id is
/// the document's when it could be read, else the origin (`file:line`).
pub fn read_document_json(value: Value, origin: Origin) -> Record {
    document_from_json(value, origin, false)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn failed(id: Option<String>, origin: Origin, error: String, extra: Map<String, Value>) -> Record {
    Record::Failed(FailedDocument {
        id: id.unwrap_or_else(|| origin.to_string()),
        error: format!("{origin}: {error}"),
        origin,
        extra,
    })
}

/// A JSON id as a string: strings as they are, numbers stringified.
fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Takes `key` out of `map` if it holds a string (or null, giving `None`).
fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Value::String(_)) => match map.shift_remove(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
        Some(Value::Null) => {
            map.shift_remove(key);
            None
        }
        _ => None,
    }
}

pub(crate) fn document_from_json(value: Value, origin: Origin, lossy_utf8: bool) -> Record {
    let mut map = match value {
        Value::Object(map) => map,
        other => {
            return failed(
                None,
                origin,
                format!("not a JSON object (found {})", kind(&other)),
                Map::new(),
            );
        }
    };
    let id = match map.shift_remove("id") {
        None | Some(Value::Null) => {
            return failed(None, origin, "missing \"id\"".to_string(), map);
        }
        Some(v) => match id_string(&v) {
            Some(id) => id,
            None => {
                let error = match &v {
                    Value::String(_) => "empty \"id\"".to_string(),
                    other => format!("\"id\" must be a string or a number, found {}", kind(other)),
                };
                return failed(None, origin, error, map);
            }
        },
    };
    let text_kind = map.get("text").map(kind);
    let html_kind = map.get("html").map(kind);
    let content = match (text_kind, html_kind) {
        (Some("a string"), _) => Content::Text(take_string(&mut map, "text").unwrap_or_default()),
        (Some(k), _) if k != "null" => {
            return failed(
                Some(id),
                origin,
                format!("\"text\" must be a string, found {k}"),
                map,
            );
        }
        (_, Some("a string")) => {
            if text_kind.is_some() {
                map.shift_remove("text");
            }
            Content::Html(take_string(&mut map, "html").unwrap_or_default())
        }
        (_, Some(k)) if k != "null" => {
            return failed(
                Some(id),
                origin,
                format!("\"html\" must be a string, found {k}"),
                map,
            );
        }
        _ => {
            return failed(
                Some(id),
                origin,
                "no \"text\" or \"html\" field".to_string(),
                map,
            );
        }
    };
    if let Err(e) = check_text(content.as_str()) {
        return failed(Some(id), origin, e, map);
    }
    let title = take_string(&mut map, "title");
    let url = take_string(&mut map, "url");
    let lang = take_string(&mut map, "lang");
    let published = match map.get("published") {
        Some(Value::String(s)) => {
            let p = Published::parse(s);
            if p.is_some() {
                map.shift_remove("published");
            }
            p
        }
        Some(Value::Null) => {
            map.shift_remove("published");
            None
        }
        _ => None,
    };
    Record::Ok(Document {
        id,
        content,
        title,
        url,
        lang,
        published,
        extra: map,
        origin,
        lossy_utf8,
    })
}

/// Best effort: the `id` of a JSON object whose text is cut short or broken after
/// the id (a line over the size limit, a syntax error further on).
pub(crate) fn id_from_prefix(bytes: &[u8]) -> Option<String> {
    struct Finder<'a>(&'a mut Option<String>);
    impl<'de> Visitor<'de> for Finder<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "id" {
                    let v: Value = map.next_value()?;
                    *self.0 = id_string(&v);
                    // Stop here: the rest may be cut short.
                    return Err(de::Error::custom("found"));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let mut out = None;
    let mut de = serde_json::Deserializer::from_slice(strip_bom(bytes));
    let _ = de.deserialize_map(Finder(&mut out));
    out
}

/// Reads a JSONL stream line by line.
pub(crate) struct JsonlSource {
    input: String,
    compression: Compression,
    stream: Stream,
    line: u64,
    documents: u64,
    buf: Vec<u8>,
    done: bool,
}

impl JsonlSource {
    pub fn new(input: String, compression: Compression, stream: Stream) -> Self {
        JsonlSource {
            input,
            compression,
            stream,
            line: 0,
            documents: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    fn origin(&self) -> Origin {
        Origin::new(self.input.clone(), Location::Line(self.line))
    }
}

impl Source for JsonlSource {
    fn next(&mut self, ctx: &mut Ctx) -> Option<Step> {
        let max = ctx.options.max_document_bytes;
        loop {
            if self.done {
                return None;
            }
            let read = self.stream.read_line(&mut self.buf, max);
            let record = match read {
                Err(e) => {
                    self.done = true;
                    self.line += 1;
                    let what = match self.compression {
                        Compression::None => "stream",
                        c => c.name(),
                    };
                    let error = format!(
                        "{what} stream truncated or corrupt at line {} (byte {} of the decompressed stream): {e}",
                        self.line,
                        self.stream.pos()
                    );
                    failed(id_from_prefix(&self.buf), self.origin(), error, Map::new())
                }
                Ok(Line::Eof) => {
                    self.done = true;
                    if self.documents == 0 {
                        let origin = Origin::new(self.input.clone(), Location::Whole);
                        let what = if self.line == 0 {
                            "empty input"
                        } else {
                            "no documents in input (only blank lines)"
                        };
                        ctx.problems.push(Problem::new(&origin, what));
                    }
                    return None;
                }
                Ok(Line::TooLong(len)) => {
                    self.line += 1;
                    failed(
                        id_from_prefix(&self.buf),
                        self.origin(),
                        format!(
                            "document too large: the line is {len} bytes, more than max_document_bytes ({max})"
                        ),
                        Map::new(),
                    )
                }
                Ok(Line::Complete) => {
                    self.line += 1;
                    let mut bytes = &self.buf[..];
                    if self.line == 1 {
                        bytes = strip_bom(bytes);
                    }
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let decoded = utf8_lossy(bytes);
                    match serde_json::from_str::<Value>(&decoded.text) {
                        Ok(value) => document_from_json(value, self.origin(), decoded.lossy),
                        Err(e) => failed(
                            id_from_prefix(decoded.text.as_bytes()),
                            self.origin(),
                            format!("invalid JSON: {e}"),
                            Map::new(),
                        ),
                    }
                }
            };
            self.documents += 1;
            return Some(Step::Record(record));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn origin() -> Origin {
        Origin::new("in.jsonl", Location::Line(7))
    }

    fn ok(r: Record) -> Document {
        match r {
            Record::Ok(d) => d,
            Record::Failed(f) => panic!("failed: {f:?}"),
        }
    }

    fn err(r: Record) -> FailedDocument {
        match r {
            Record::Failed(f) => f,
            Record::Ok(d) => panic!("not failed: {d:?}"),
        }
    }

    #[test]
    fn reads_all_fields_and_keeps_the_rest_in_order() {
        let v = json!({"z": 1, "id": "a", "text": "hello", "title": "T", "url": "http://x",
                       "lang": "fr", "published": "2022-01-12", "a": [1], "m": {"k": true}});
        let d = ok(read_document_json(v, origin()));
        assert_eq!(d.id, "a");
        assert_eq!(d.content, Content::Text("hello".into()));
        assert_eq!(d.title.as_deref(), Some("T"));
        assert_eq!(d.url.as_deref(), Some("http://x"));
        assert_eq!(d.lang.as_deref(), Some("fr"));
        assert_eq!(d.published.unwrap().raw, "2022-01-12");
        assert_eq!(d.extra.keys().collect::<Vec<_>>(), ["z", "a", "m"]);
        assert!(!d.lossy_utf8);
    }

    #[test]
    fn html_documents_and_numeric_ids() {
        let d = ok(read_document_json(
            json!({"id": 42, "html": "<p>x</p>"}),
            origin(),
        ));
        assert_eq!(d.id, "42");
        assert!(d.content.is_html());
        let d = ok(read_document_json(
            json!({"id": 1.5, "text": null, "html": "<b>y"}),
            origin(),
        ));
        assert_eq!(d.id, "1.5");
        assert_eq!(d.content, Content::Html("<b>y".into()));
        // Both: text wins, html carried through.
        let d = ok(read_document_json(
            json!({"id": "b", "html": "<p>h</p>", "text": "t"}),
            origin(),
        ));
        assert_eq!(d.content, Content::Text("t".into()));
        assert_eq!(d.extra.get("html"), Some(&json!("<p>h</p>")));
    }

    #[test]
    fn odd_metadata_stays_in_extra() {
        let d = ok(read_document_json(
            json!({"id": "a", "text": "x", "title": 3, "published": "someday", "url": null}),
            origin(),
        ));
        assert_eq!(d.title, None);
        assert_eq!(d.published, None);
        assert_eq!(d.url, None);
        assert_eq!(d.extra.get("title"), Some(&json!(3)));
        assert_eq!(d.extra.get("published"), Some(&json!("someday")));
        assert!(!d.extra.contains_key("url"));
    }

    #[test]
    fn unusable_objects_fail_with_place() {
        let f = err(read_document_json(json!([1, 2]), origin()));
        assert_eq!(f.id, "in.jsonl:7");
        assert_eq!(f.error, "in.jsonl:7: not a JSON object (found an array)");

        let f = err(read_document_json(json!({"text": "x", "k": 1}), origin()));
        assert_eq!(f.id, "in.jsonl:7");
        assert!(f.error.contains("missing \"id\""), "{}", f.error);
        assert_eq!(f.extra.get("k"), Some(&json!(1)));

        for bad in [json!(true), json!([]), json!({}), json!("")] {
            let f = err(read_document_json(
                json!({"id": bad, "text": "x"}),
                origin(),
            ));
            assert_eq!(f.id, "in.jsonl:7");
            assert!(f.error.starts_with("in.jsonl:7: "), "{}", f.error);
        }

        let f = err(read_document_json(
            json!({"id": "d", "title": "t"}),
            origin(),
        ));
        assert_eq!(f.id, "d");
        assert_eq!(f.error, "in.jsonl:7: no \"text\" or \"html\" field");

        let f = err(read_document_json(json!({"id": "d", "text": 5}), origin()));
        assert!(
            f.error
                .contains("\"text\" must be a string, found a number")
        );
        let f = err(read_document_json(
            json!({"id": "d", "html": [1]}),
            origin(),
        ));
        assert!(
            f.error
                .contains("\"html\" must be a string, found an array")
        );
        let f = err(read_document_json(
            json!({"id": "d", "text": " \n"}),
            origin(),
        ));
        assert!(f.error.contains("empty document"));
    }

    #[test]
    fn id_from_a_cut_prefix() {
        assert_eq!(
            id_from_prefix(br#"{"id": "abc", "text": "very lo"#).as_deref(),
            Some("abc")
        );
        assert_eq!(
            id_from_prefix(br#"{"url": "u", "id": 12, "text": "very lo"#).as_deref(),
            Some("12")
        );
        assert_eq!(id_from_prefix(br#"{"text": "very lo"#), None);
        assert_eq!(id_from_prefix(b"garbage"), None);
    }
}
