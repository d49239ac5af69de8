//! WARC (plain, gzip — one member per record or not —, zstd): HTML pages from
//! `response` (and `resource`) records. Written by hand so that a malformed record
//! is reported with its byte offset and reading goes on at the next `WARC/1.` header.

use std::io::{self, Read};

use serde_json::Map;

use super::decode::{check_text, decode_html, utf8_lossy};
use super::stream::{Compression, Line, Stream};
use super::{Ctx, Problem, Source, Step};
use crate::document::{Content, Document, FailedDocument, Location, Origin, Published, Record};

const VERSION_PREFIX: &[u8] = b"WARC/1.";
/// Longest header line kept (WARC or HTTP).
const HEADER_LINE_LIMIT: usize = 64 << 10;
/// Largest WARC header section.
const HEADER_SECTION_LIMIT: usize = 1 << 20;
/// Largest HTTP header section; a block may exceed `max_document_bytes` by this.
const HTTP_HEADER_LIMIT: usize = 256 << 10;

type Headers = Vec<(String, String)>;

fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `WARC/1.0`, `WARC/1.1`…
fn is_version_line(line: &[u8]) -> bool {
    trim_cr(line)
        .strip_prefix(VERSION_PREFIX)
        .is_some_and(|minor| !minor.is_empty() && minor.iter().all(u8::is_ascii_digit))
}

/// Whether `bytes` hold a WARC version line (`WARC/1.0`, perhaps glued to the end
/// of a cut line, perhaps cut short by the end of `bytes`).
fn contains_version_line(bytes: &[u8]) -> bool {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&bytes[from..], VERSION_PREFIX) {
        let at = from + i;
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |j| at + j);
        // The minor version, or what the block's end left of it.
        if trim_cr(&bytes[at + VERSION_PREFIX.len()..end])
            .iter()
            .all(u8::is_ascii_digit)
        {
            return true;
        }
        from = at + 1;
    }
    false
}

/// A short, printable view of some bytes, for error messages.
fn preview(bytes: &[u8]) -> String {
    let s = utf8_lossy(&bytes[..bytes.len().min(40)]).text;
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let s = s.trim().to_string();
    if bytes.len() > 40 {
        format!("{s:?}…")
    } else {
        format!("{s:?}")
    }
}

/// Reads a WARC stream record by record.
pub(crate) struct WarcSource {
    input: String,
    compression: Compression,
    stream: Stream,
    buf: Vec<u8>,
    done: bool,
    records: u64,
}

#[allow(clippy::large_enum_variant)]
enum Outcome {
    /// A record to yield.
    Record(Record),
    /// A record skipped (counted) or the end of input: read on.
    Nothing,
}

impl WarcSource {
    pub fn new(input: String, compression: Compression, stream: Stream) -> Self {
        WarcSource {
            input,
            compression,
            stream,
            buf: Vec::new(),
            done: false,
            records: 0,
        }
    }

    fn origin(&self, offset: u64) -> Origin {
        Origin::new(self.input.clone(), Location::Offset(offset))
    }

    fn failed(&self, id: Option<String>, offset: u64, error: String) -> Record {
        let origin = self.origin(offset);
        Record::Failed(FailedDocument {
            id: id.unwrap_or_else(|| origin.to_string()),
            error: format!("{origin}: {error}"),
            origin,
            extra: Map::new(),
        })
    }

    /// If the line just read (in `self.buf`, started at `line_start`) holds
    /// `WARC/1.` at or after `from`, puts the line back from there: a record glued
    /// to the end of a cut one is found again.
    fn unread_version_in_line(&mut self, line_start: u64, from: usize) -> bool {
        let from = from.min(self.buf.len());
        let Some(i) = memchr::memmem::find(&self.buf[from..], VERSION_PREFIX) else {
            return false;
        };
        let mut again = self.buf[from + i..].to_vec();
        if self.stream.pos() - line_start > self.buf.len() as u64 {
            again.push(b'\n');
        }
        self.stream.unread(&again);
        true
    }

    /// Skips to the next `WARC/1.` (left unread) or the end of input, and reports
    /// the malformed record that started at `start`.
    fn malformed(&mut self, start: u64, reason: String) -> io::Result<Outcome> {
        self.stream.skip_to(VERSION_PREFIX)?;
        let skipped = self.stream.pos() - start;
        let to = if self.stream.at_eof()? {
            "the end of the input"
        } else {
            "the next WARC/1. header"
        };
        Ok(Outcome::Record(self.failed(
            None,
            start,
            format!("malformed WARC record: {reason}; skipped {skipped} bytes to {to}"),
        )))
    }

    /// After a block: the record end (`\r\n\r\n`, leniently any line ends), then
    /// the next record or the end of input. A block that holds a `WARC/1.x` line
    /// swallowed the start of the next record (its Content-Length is wrong). When
    /// something else follows, the record is still taken if it ended with line
    /// ends (the garbage after it is reported on its own). Otherwise the stream is
    /// left where it was and `false` returned.
    fn check_end(&mut self, block: &[u8]) -> io::Result<bool> {
        if contains_version_line(block) {
            return Ok(false);
        }
        let mut eols = Vec::new();
        while eols.len() < 64 {
            let mut b = Vec::with_capacity(1);
            if self.stream.read_upto(&mut b, 1)? == 0 {
                break;
            }
            if b[0] == b'\r' || b[0] == b'\n' {
                eols.push(b[0]);
            } else {
                self.stream.unread(&b);
                break;
            }
        }
        if eols.len() >= 2 || self.stream.at_eof()? || self.stream.starts_with(VERSION_PREFIX)? {
            return Ok(true);
        }
        self.stream.unread(&eols);
        Ok(false)
    }

    fn read_record(&mut self, ctx: &mut Ctx) -> io::Result<Outcome> {
        let max = ctx.options.max_document_bytes;
        // Blank lines between records are tolerated.
        let (start, first) = loop {
            let start = self.stream.pos();
            match self.stream.read_line(&mut self.buf, HEADER_LINE_LIMIT)? {
                Line::Eof => {
                    self.done = true;
                    if self.records == 0 {
                        let origin = Origin::new(self.input.clone(), Location::Whole);
                        ctx.problems
                            .push(Problem::new(&origin, "empty input (no WARC records)"));
                    }
                    return Ok(Outcome::Nothing);
                }
                Line::Complete if self.buf.iter().all(u8::is_ascii_whitespace) => continue,
                other => break (start, other),
            }
        };
        self.records += 1;
        if !is_version_line(&self.buf) {
            let reason = format!("expected a WARC/1.x header, found {}", preview(&self.buf));
            if !matches!(first, Line::TooLong(_)) {
                self.unread_version_in_line(start, 1);
            }
            return self.malformed(start, reason);
        }

        let mut headers: Headers = Vec::new();
        let mut total = 0usize;
        loop {
            let line_start = self.stream.pos();
            match self.stream.read_line(&mut self.buf, HEADER_LINE_LIMIT)? {
                Line::Eof => {
                    self.done = true;
                    let error =
                        "WARC record truncated: the input ends inside its headers".to_string();
                    return Ok(Outcome::Record(self.failed(None, start, error)));
                }
                Line::TooLong(n) => {
                    return self.malformed(start, format!("header line of {n} bytes"));
                }
                Line::Complete => {}
            }
            let line = trim_cr(&self.buf);
            if line.is_empty() {
                break;
            }
            if self.unread_version_in_line(line_start, 0) {
                let reason = "headers cut short by another WARC/1. header".to_string();
                return self.malformed(start, reason);
            }
            let line = trim_cr(&self.buf);
            total += line.len();
            if total > HEADER_SECTION_LIMIT {
                return self.malformed(start, "headers larger than 1 MiB".to_string());
            }
            let text = utf8_lossy(line).text;
            if (line[0] == b' ' || line[0] == b'\t')
                && let Some((_, v)) = headers.last_mut()
            {
                v.push(' ');
                v.push_str(text.trim());
                continue;
            }
            match text.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() => {
                    headers.push((name.trim().to_string(), value.trim().to_string()))
                }
                _ => {
                    let reason = format!("bad header line {}", preview(line));
                    return self.malformed(start, reason);
                }
            }
        }
        let Some(length) = header(&headers, "Content-Length").and_then(|v| v.parse::<u64>().ok())
        else {
            return self.malformed(start, "missing or invalid Content-Length".to_string());
        };

        let limit = (max + HTTP_HEADER_LIMIT) as u64;
        if length <= limit {
            let mut block = Vec::new();
            let got = self.stream.read_upto(&mut block, length)?;
            if got < length {
                self.stream.unread(&block);
                let reason = format!(
                    "truncated: Content-Length is {length} but the input ends after {got} bytes"
                );
                return self.malformed(start, reason);
            }
            if !self.check_end(&block)? {
                self.stream.unread(&block);
                let reason = format!(
                    "its block of Content-Length {length} is not followed by the record end"
                );
                return self.malformed(start, reason);
            }
            Ok(self.process(&headers, &block, start, ctx))
        } else {
            // Too large to keep: look at the HTTP headers only, skip the rest.
            let mut head = Vec::new();
            self.stream.read_upto(&mut head, HTTP_HEADER_LIMIT as u64)?;
            let wanted = self.is_html_record(&headers, &head);
            let rest = length - head.len() as u64;
            let got = self.stream.skip(rest)?;
            if got < rest {
                self.done = true;
                let error = format!(
                    "WARC record truncated: Content-Length is {length} but the input ends after {} bytes",
                    head.len() as u64 + got
                );
                return Ok(Outcome::Record(self.failed(None, start, error)));
            }
            if !self.check_end(&head)? {
                return self.malformed(
                    start,
                    format!(
                        "its block of Content-Length {length} is not followed by the record end"
                    ),
                );
            }
            if wanted {
                let id = header(&headers, "WARC-Record-ID").map(str::to_string);
                let error = format!(
                    "document too large: WARC record block is {length} bytes, more than max_document_bytes ({max})"
                );
                Ok(Outcome::Record(self.failed(id, start, error)))
            } else {
                ctx.problems.skipped_records += 1;
                Ok(Outcome::Nothing)
            }
        }
    }

    /// Whether a record (seen from its WARC headers and the start of its block)
    /// holds an HTML page we read.
    fn is_html_record(&self, headers: &Headers, block: &[u8]) -> bool {
        let ty = header(headers, "WARC-Type").unwrap_or("");
        if ty.eq_ignore_ascii_case("response") {
            match parse_http(block) {
                Some(http) => http.is_success() && is_html(http.content_type(), http.body),
                None => false,
            }
        } else if ty.eq_ignore_ascii_case("resource") {
            is_html(header(headers, "Content-Type"), block)
        } else {
            false
        }
    }

    fn process(&self, headers: &Headers, block: &[u8], start: u64, ctx: &mut Ctx) -> Outcome {
        let max = ctx.options.max_document_bytes;
        let ty = header(headers, "WARC-Type").unwrap_or("");
        let id = header(headers, "WARC-Record-ID")
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let (content_type, body) = if ty.eq_ignore_ascii_case("response") {
            let Some(http) = parse_http(block) else {
                ctx.problems.skipped_records += 1;
                return Outcome::Nothing;
            };
            if !http.is_success() || !is_html(http.content_type(), http.body) {
                ctx.problems.skipped_records += 1;
                return Outcome::Nothing;
            }
            let body = match http.decoded_body(max) {
                Ok(body) => body,
                Err(e) => return Outcome::Record(self.failed(id, start, e)),
            };
            (http.content_type().map(str::to_string), body)
        } else if ty.eq_ignore_ascii_case("resource")
            && is_html(header(headers, "Content-Type"), block)
        {
            (
                header(headers, "Content-Type").map(str::to_string),
                block.to_vec(),
            )
        } else {
            ctx.problems.skipped_records += 1;
            return Outcome::Nothing;
        };
        if body.len() > max {
            let error = format!(
                "document too large: the page is {} bytes, more than max_document_bytes ({max})",
                body.len()
            );
            return Outcome::Record(self.failed(id, start, error));
        }
        let decoded = decode_html(&body, content_type.as_deref());
        if let Err(e) = check_text(&decoded.text) {
            return Outcome::Record(self.failed(id, start, e));
        }
        let origin = self.origin(start);
        let url = header(headers, "WARC-Target-URI")
            .map(|u| u.trim_start_matches('<').trim_end_matches('>').to_string())
            .filter(|u| !u.is_empty());
        Outcome::Record(Record::Ok(Document {
            id: id.unwrap_or_else(|| origin.to_string()),
            content: Content::Html(decoded.text),
            title: None,
            url,
            lang: None,
            published: header(headers, "WARC-Date").and_then(Published::parse),
            extra: Map::new(),
            origin,
            lossy_utf8: decoded.lossy,
        }))
    }
}

impl Source for WarcSource {
    fn next(&mut self, ctx: &mut Ctx) -> Option<Step> {
        while !self.done {
            match self.read_record(ctx) {
                Ok(Outcome::Record(r)) => return Some(Step::Record(r)),
                Ok(Outcome::Nothing) => {}
                Err(e) => {
                    self.done = true;
                    let what = match self.compression {
                        Compression::None => "stream",
                        c => c.name(),
                    };
                    let offset = self.stream.pos();
                    let error = format!(
                        "{what} stream truncated or corrupt at byte {offset} of the decompressed stream: {e}"
                    );
                    return Some(Step::Record(self.failed(None, offset, error)));
                }
            }
        }
        None
    }
}

/// An HTTP response split into its parts.
struct Http<'a> {
    status: u16,
    headers: Headers,
    body: &'a [u8],
}

fn parse_http(block: &[u8]) -> Option<Http<'_>> {
    if !block.starts_with(b"HTTP/") {
        return None;
    }
    let head = &block[..block.len().min(HTTP_HEADER_LIMIT)];
    let (end, sep) = match (
        memchr::memmem::find(head, b"\r\n\r\n"),
        memchr::memmem::find(head, b"\n\n"),
    ) {
        (Some(a), Some(b)) if b < a => (b, 2),
        (Some(a), _) => (a, 4),
        (None, Some(b)) => (b, 2),
        // Headers only, no body.
        (None, None) => (block.len(), 0),
    };
    let text = utf8_lossy(&block[..end]).text;
    let mut lines = text.lines();
    let status = lines
        .next()?
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Http {
        status,
        headers,
        body: &block[(end + sep).min(block.len())..],
    })
}

impl Http<'_> {
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn content_type(&self) -> Option<&str> {
        header(&self.headers, "Content-Type")
    }

    /// The body with transfer and content encodings undone, at most `limit + 1` bytes.
    fn decoded_body(&self, limit: usize) -> Result<Vec<u8>, String> {
        let mut body = self.body.to_vec();
        if header(&self.headers, "Transfer-Encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            body = dechunk(&body);
        }
        if let Some(encodings) = header(&self.headers, "Content-Encoding") {
            for encoding in encodings.split(',').rev() {
                body = decode_content(body, &encoding.trim().to_ascii_lowercase(), limit)?;
            }
        }
        Ok(body)
    }
}

fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type {
        Some(ct) if !ct.trim().is_empty() => {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "text/html" || mime == "application/xhtml+xml"
        }
        _ => looks_like_html(body),
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = body[..body.len().min(1024)].to_ascii_lowercase();
    memchr::memmem::find(&head, b"<html").is_some()
        || memchr::memmem::find(&head, b"<!doctype html").is_some()
}

fn looks_like_text(body: &[u8]) -> bool {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    first == Some(&b'<')
}

/// Undoes chunked transfer encoding; a body that is not chunked after all (the
/// crawler already decoded it) is returned as is, a broken one as far as it goes.
fn dechunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut pos = 0;
    loop {
        let Some(eol) = memchr::memchr(b'\n', &body[pos..]) else {
            if pos == 0 {
                return body.to_vec();
            }
            break;
        };
        let line = utf8_lossy(trim_cr(&body[pos..pos + eol])).text;
        let size = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            if pos == 0 {
                return body.to_vec();
            }
            break;
        };
        if size == 0 {
            break;
        }
        let data = pos + eol + 1;
        let end = data.saturating_add(size).min(body.len());
        out.extend_from_slice(&body[data..end]);
        pos = end;
        if body[pos..].starts_with(b"\r\n") {
            pos += 2;
        } else if body[pos..].starts_with(b"\n") {
            pos += 1;
        }
        if pos >= body.len() {
            break;
        }
    }
    out
}

fn read_limited(reader: impl Read, limit: usize) -> (Vec<u8>, Option<io::Error>) {
    let mut out = Vec::new();
    let err = reader.take(limit as u64 + 1).read_to_end(&mut out).err();
    (out, err)
}

/// Undoes one `Content-Encoding`. A body that does not look encoded (the crawler
/// already decoded it) is kept; a truncated one is kept as far as it decodes.
fn decode_content(body: Vec<u8>, encoding: &str, limit: usize) -> Result<Vec<u8>, String> {
    let (out, err) = match encoding {
        "" | "identity" => return Ok(body),
        "gzip" | "x-gzip" => {
            if !body.starts_with(&[0x1f, 0x8b]) {
                return Ok(body);
            }
            read_limited(flate2::read::MultiGzDecoder::new(&body[..]), limit)
        }
        "deflate" => {
            if looks_like_text(&body) {
                return Ok(body);
            }
            match read_limited(flate2::read::ZlibDecoder::new(&body[..]), limit) {
                (out, None) => (out, None),
                _ => read_limited(flate2::read::DeflateDecoder::new(&body[..]), limit),
            }
        }
        "zstd" => {
            if !body.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                return Ok(body);
            }
            match zstd::stream::read::Decoder::new(&body[..]) {
                Ok(d) => read_limited(d, limit),
                Err(e) => (Vec::new(), Some(e)),
            }
        }
        other => {
            if looks_like_text(&body) {
                return Ok(body);
            }
            return Err(format!("unsupported Content-Encoding {other:?}"));
        }
    };
    match err {
        Some(e) if out.is_empty() => Err(format!("cannot undo Content-Encoding {encoding}: {e}")),
        _ => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_parts() {
        let http = parse_http(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>x</p>",
        )
        .unwrap();
        assert_eq!(http.status, 200);
        assert_eq!(http.content_type(), Some("text/html; charset=utf-8"));
        assert_eq!(http.body, b"<p>x</p>");
        assert!(parse_http(b"GET / HTTP/1.1\r\n\r\n").is_none());
    }

    #[test]
    fn dechunks() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n"),
            b"Wikipedia"
        );
        assert_eq!(dechunk(b"<html>not chunked"), b"<html>not chunked");
        // Cut short: what there is.
        assert_eq!(dechunk(b"4\r\nWiki\r\n9\r\nped"), b"Wikiped");
    }

    #[test]
    fn content_encodings() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<p>gz</p>").unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            decode_content(gz.clone(), "gzip", 100).unwrap(),
            b"<p>gz</p>"
        );
        // Truncated: what decodes.
        let cut = decode_content(gz[..gz.len() - 6].to_vec(), "gzip", 100).unwrap();
        assert!(b"<p>gz</p>".starts_with(&cut));
        // Already decoded.
        assert_eq!(
            decode_content(b"<p>".to_vec(), "gzip", 100).unwrap(),
            b"<p>"
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"<p>zl</p>").unwrap();
        assert_eq!(
            decode_content(z.finish().unwrap(), "deflate", 100).unwrap(),
            b"<p>zl</p>"
        );
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        d.write_all(b"<p>raw</p>").unwrap();
        assert_eq!(
            decode_content(d.finish().unwrap(), "deflate", 100).unwrap(),
            b"<p>raw</p>"
        );
        assert!(
            decode_content(vec![0xce, 1, 2], "br", 100)
                .unwrap_err()
                .contains("unsupported Content-Encoding \"br\"")
        );
        // The limit holds.
        let big = vec![b'a'; 1000];
        let zs = zstd::encode_all(&big[..], 1).unwrap();
        assert_eq!(decode_content(zs, "zstd", 10).unwrap().len(), 11);
    }
}
