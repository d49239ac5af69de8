//! Tests of the whole ingest stage, with fixtures written to temporary folders.

use std::io::{Cursor, Write};
use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::document::{Content, Document, FailedDocument};

fn opts() -> IngestOptions {
    IngestOptions::default()
}

fn run(inputs: Vec<Input>, options: IngestOptions) -> (Vec<Record>, Problems) {
    let mut ingest = Ingest::new(inputs, options);
    let records: Vec<Record> = ingest.by_ref().collect();
    (records, ingest.problems().clone())
}

fn run_path(path: &Path) -> (Vec<Record>, Problems) {
    run(vec![Input::Path(path.to_path_buf())], opts())
}

fn run_bytes(name: &str, bytes: Vec<u8>, options: IngestOptions) -> (Vec<Record>, Problems) {
    let mut ingest = Ingest::from_reader(name, Cursor::new(bytes), options);
    let records: Vec<Record> = ingest.by_ref().collect();
    (records, ingest.problems().clone())
}

fn ok(r: &Record) -> &Document {
    match r {
        Record::Ok(d) => d,
        Record::Failed(f) => panic!("expected a document, got {f:?}"),
    }
}

fn err(r: &Record) -> &FailedDocument {
    match r {
        Record::Failed(f) => f,
        Record::Ok(d) => panic!("expected a failure, got {d:?}"),
    }
}

fn ids(records: &[Record]) -> Vec<&str> {
    records.iter().map(Record::id).collect()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).unwrap()
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

const JSONL: &str = concat!(
    "{\"id\":\"a\",\"text\":\"alpha\"}\n",
    "{\"id\":\"b\",\"html\":\"<p>beta</p>\",\"source\":\"x\"}\n",
    "{\"id\":3,\"text\":\"gamma\"}\n",
);

// ---------------------------------------------------------------- JSONL

#[test]
fn jsonl_reads_documents_and_skips_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!("\u{FEFF}\n   \r\n{}\n\n", JSONL.replace('\n', "\r\n"));
    let path = write(dir.path(), "in.jsonl", body.as_bytes());
    let (records, problems) = run_path(&path);
    assert_eq!(ids(&records), ["a", "b", "3"]);
    let b = ok(&records[1]);
    assert_eq!(b.content, Content::Html("<p>beta</p>".into()));
    assert_eq!(b.extra.get("source"), Some(&serde_json::json!("x")));
    assert_eq!(b.origin.to_string(), format!("{}:4", path.display()));
    assert_eq!(ok(&records[2]).origin.location, Location::Line(5));
    assert_eq!(problems.documents_read, 3);
    assert_eq!(problems.documents_failed, 0);
    assert!(problems.messages.is_empty(), "{:?}", problems.messages);
}

#[test]
fn jsonl_bom_on_first_document_line() {
    let (records, _) = run_bytes("bom", format!("\u{FEFF}{JSONL}").into_bytes(), opts());
    assert_eq!(ids(&records), ["a", "b", "3"]);
}

#[test]
fn jsonl_malformed_lines_fail_with_file_and_line_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        r#"{"id":"ok1","text":"fine"}"#,
        r#"{"id":"x","text":"unterminated"#,
        r#"[1,2,3]"#,
        r#"{"text":"no id"}"#,
        r#"{"id":"no-body","title":"t"}"#,
        r#"{"id":true,"text":"bool id"}"#,
        r#"{"id":7,"text":"number id"}"#,
        r#"not json at all"#,
        r#""a string""#,
        r#"{"id":"ok2","text":"fine"}"#,
    ];
    let path = write(dir.path(), "bad.jsonl", lines.join("\n").as_bytes());
    let name = path.display().to_string();
    let (records, problems) = run_path(&path);
    assert_eq!(records.len(), 10);
    assert_eq!(
        ids(&records),
        [
            "ok1".to_string(),
            "x".to_string(), // recovered from the broken line
            format!("{name}:3"),
            format!("{name}:4"),
            "no-body".to_string(),
            format!("{name}:6"),
            "7".to_string(),
            format!("{name}:8"),
            format!("{name}:9"),
            "ok2".to_string(),
        ]
    );
    assert!(
        err(&records[1])
            .error
            .starts_with(&format!("{name}:2: invalid JSON"))
    );
    assert_eq!(
        err(&records[2]).error,
        format!("{name}:3: not a JSON object (found an array)")
    );
    assert_eq!(err(&records[3]).error, format!("{name}:4: missing \"id\""));
    assert_eq!(
        err(&records[4]).error,
        format!("{name}:5: no \"text\" or \"html\" field")
    );
    assert!(
        err(&records[5])
            .error
            .contains("must be a string or a number")
    );
    assert_eq!(ok(&records[6]).content.as_str(), "number id");
    assert!(
        err(&records[7])
            .error
            .starts_with(&format!("{name}:8: invalid JSON"))
    );
    assert_eq!(problems.documents_read, 3);
    assert_eq!(problems.documents_failed, 7);
    assert_eq!(problems.messages.len(), 7);
    assert_eq!(problems.messages[0].place, format!("{name}:2"));
    assert!(problems.messages[0].message.starts_with("invalid JSON"));
}

#[test]
fn jsonl_invalid_utf8_is_decoded_lossily_and_counted() {
    let mut bytes = b"{\"id\":\"l\",\"text\":\"caf\xE9\"}\n".to_vec();
    bytes.extend_from_slice(JSONL.as_bytes());
    let (records, problems) = run_bytes("latin.jsonl", bytes, opts());
    assert_eq!(ids(&records), ["l", "a", "b", "3"]);
    let d = ok(&records[0]);
    assert!(d.lossy_utf8);
    assert_eq!(d.content.as_str(), "caf\u{FFFD}");
    assert!(!ok(&records[1]).lossy_utf8);
    assert_eq!(problems.lossy_utf8, 1);
    assert_eq!(problems.messages[0].place, "latin.jsonl:1");
}

#[test]
fn jsonl_compressed_files_by_extension_and_magic() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = vec![
        write(dir.path(), "a.jsonl.gz", &gz(JSONL.as_bytes())),
        write(dir.path(), "b.jsonl.zst", &zst(JSONL.as_bytes())),
        write(dir.path(), "c.ndjson", JSONL.as_bytes()),
        write(dir.path(), "d.json", JSONL.as_bytes()),
        // Compressed but named as plain: the magic bytes decide.
        write(dir.path(), "e.jsonl", &gz(JSONL.as_bytes())),
    ];
    let (records, problems) = run(inputs.into_iter().map(Input::Path).collect(), opts());
    assert_eq!(records.len(), 15);
    assert_eq!(problems.documents_read, 15);
    assert!(records.iter().all(|r| matches!(r, Record::Ok(_))));
}

#[test]
fn jsonl_multi_member_gzip() {
    let mut bytes = gz(b"{\"id\":\"m1\",\"text\":\"x\"}\n");
    bytes.extend(gz(b"{\"id\":\"m2\",\"text\":\"y\"}\n"));
    let (records, _) = run_bytes("-", bytes, opts());
    assert_eq!(ids(&records), ["m1", "m2"]);
}

#[test]
fn compressed_stdin_like_stream_is_detected() {
    let (records, _) = run_bytes("-", zst(JSONL.as_bytes()), opts());
    assert_eq!(ids(&records), ["a", "b", "3"]);
    assert_eq!(ok(&records[0]).origin.to_string(), "-:1");
    assert_eq!(Input::parse("-"), Input::Stdin);
    assert_eq!(Input::parse("x.jsonl"), Input::Path("x.jsonl".into()));
}

fn many_lines(n: usize) -> String {
    (0..n)
        .map(|i| format!("{{\"id\":\"d{i}\",\"text\":\"document number {i} with some words\"}}\n"))
        .collect()
}

#[test]
fn truncated_gzip_yields_what_was_read_then_one_failure() {
    let text = many_lines(2000);
    let full = gz(text.as_bytes());
    let cut = full[..full.len() / 2].to_vec();
    let (records, problems) = run_bytes("cut.jsonl.gz", cut, opts());
    let (last, read) = records.split_last().unwrap();
    assert!(read.len() > 10, "{}", read.len());
    for (i, r) in read.iter().enumerate() {
        assert_eq!(ok(r).id, format!("d{i}"));
    }
    let f = err(last);
    let line = read.len() + 1;
    assert!(
        f.error
            .contains(&format!("gzip stream truncated or corrupt at line {line}")),
        "{}",
        f.error
    );
    assert!(f.error.starts_with(&format!("cut.jsonl.gz:{line}: ")));
    assert_eq!(problems.documents_failed, 1);
}

#[test]
fn truncated_zstd_yields_what_was_read_then_one_failure() {
    let text = many_lines(20000);
    let full = zst(text.as_bytes());
    let cut = full[..full.len() * 2 / 3].to_vec();
    let (records, _) = run_bytes("cut.jsonl.zst", cut, opts());
    let (last, read) = records.split_last().unwrap();
    assert!(!read.is_empty());
    assert!(read.iter().all(|r| matches!(r, Record::Ok(_))));
    assert!(
        err(last)
            .error
            .contains("zstd stream truncated or corrupt at line"),
        "{}",
        err(last).error
    );
}

#[test]
fn oversized_line_fails_and_the_next_is_read() {
    let options = IngestOptions {
        max_document_bytes: 100,
    };
    let big = format!("{{\"id\":\"big\",\"text\":\"{}\"}}\n", "x".repeat(500));
    let body = format!("{big}{{\"id\":\"small\",\"text\":\"y\"}}\n");
    let (records, problems) = run_bytes("big.jsonl", body.into_bytes(), options);
    assert_eq!(ids(&records), ["big", "small"]);
    let f = err(&records[0]);
    assert_eq!(
        f.error,
        format!(
            "big.jsonl:1: document too large: the line is {} bytes, more than max_document_bytes (100)",
            big.len() - 1
        )
    );
    assert_eq!(problems.documents_failed, 1);
}

#[test]
fn empty_inputs_give_no_records_but_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.jsonl", b"");
    let blank = write(dir.path(), "blank.jsonl", b"\n\n  \n");
    let empty_gz = write(dir.path(), "empty.jsonl.gz", &gz(b""));
    let (records, problems) = run(
        vec![
            Input::Path(empty),
            Input::Path(blank),
            Input::Path(empty_gz),
        ],
        opts(),
    );
    assert!(records.is_empty());
    assert_eq!(problems.messages.len(), 3);
    assert_eq!(problems.messages[0].message, "empty input");
    assert_eq!(
        problems.messages[1].message,
        "no documents in input (only blank lines)"
    );
}

#[test]
fn missing_file_is_one_failure_and_other_inputs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.jsonl", JSONL.as_bytes());
    let missing = dir.path().join("nope.jsonl");
    let (records, problems) = run(
        vec![Input::Path(missing.clone()), Input::Path(good)],
        opts(),
    );
    assert_eq!(records.len(), 4);
    let f = err(&records[0]);
    assert_eq!(f.id, missing.display().to_string());
    assert!(f.error.contains("cannot open"), "{}", f.error);
    assert_eq!(problems.documents_failed, 1);
    assert_eq!(problems.messages[0].place, missing.display().to_string());
}

// ---------------------------------------------------------------- files and folders

#[test]
fn single_files_use_the_path_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let txt = write(dir.path(), "story.txt", "Hello, world.\n".as_bytes());
    let html = write(dir.path(), "page.HTM", b"<html><p>soup<b>unclosed");
    let (records, _) = run(
        vec![Input::Path(txt.clone()), Input::Path(html.clone())],
        opts(),
    );
    assert_eq!(ok(&records[0]).id, txt.display().to_string());
    assert_eq!(
        ok(&records[0]).content,
        Content::Text("Hello, world.\n".into())
    );
    assert_eq!(
        ok(&records[1]).content,
        Content::Html("<html><p>soup<b>unclosed".into())
    );
    assert_eq!(
        ok(&records[1]).origin.to_string(),
        html.display().to_string()
    );
}

#[test]
fn unknown_single_files_are_sniffed_or_fail() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(dir.path(), "data.dump", JSONL.as_bytes());
    let other = write(dir.path(), "image.png", b"\x89PNG\r\n\x1a\n");
    let (records, _) = run(vec![Input::Path(jsonl), Input::Path(other.clone())], opts());
    assert_eq!(records.len(), 4);
    let f = err(&records[3]);
    assert_eq!(f.id, other.display().to_string());
    assert!(f.error.contains("unknown input format"));
}

#[test]
fn folder_is_walked_in_sorted_order_with_relative_ids() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    write(&root, "b.txt", b"bee");
    write(&root, "a/z.html", b"<p>zed</p>");
    write(&root, "a/y.htm", b"<p>why</p>");
    write(&root, "a.txt", b"ay");
    write(&root, "c/docs.jsonl.gz", &gz(JSONL.as_bytes()));
    write(&root, "c/notes.md", b"# skipped");
    write(&root, "d/empty.txt", b"");
    write(&root, "d/binary.txt", b"ab\0cd");
    write(
        &root,
        "d/latin.html",
        b"<meta charset=iso-8859-1><p>caf\xE9</p>",
    );
    write(&root, "d/bad.txt", b"caf\xE9");
    let (records, problems) = run_path(&root);
    let name = root.display().to_string();
    assert_eq!(
        ids(&records),
        [
            "a.txt",
            "a/y.htm",
            "a/z.html",
            "b.txt",
            "a",
            "b",
            "3",
            "d/bad.txt",
            "d/binary.txt",
            "d/empty.txt",
            "d/latin.html"
        ]
    );
    assert_eq!(ok(&records[0]).content, Content::Text("ay".into()));
    assert_eq!(ok(&records[0]).origin.to_string(), format!("{name}/a.txt"));
    assert!(ok(&records[1]).content.is_html());
    assert_eq!(
        ok(&records[4]).origin.to_string(),
        format!("{name}/c/docs.jsonl.gz:1")
    );
    assert!(ok(&records[7]).lossy_utf8);
    assert_eq!(
        err(&records[8]).error,
        format!("{name}/d/binary.txt: binary content (NUL byte at offset 2), not a text document")
    );
    assert_eq!(
        err(&records[9]).error,
        format!("{name}/d/empty.txt: empty file")
    );
    assert_eq!(
        ok(&records[10]).content.as_str(),
        "<meta charset=iso-8859-1><p>café</p>"
    );
    assert!(!ok(&records[10]).lossy_utf8);
    assert_eq!(problems.documents_read, 9);
    assert_eq!(problems.documents_failed, 2);
    assert_eq!(problems.lossy_utf8, 1);
    assert_eq!(problems.skipped_files, 1);
    assert!(
        problems
            .messages
            .iter()
            .any(|p| p.place == format!("{name}/c/notes.md") && p.message.starts_with("skipped"))
    );
}

#[test]
fn folder_with_a_broken_link_and_a_too_large_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "big.txt", &[b'x'; 50]);
    write(root, "ok.txt", b"fine");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("missing-target"), root.join("link.txt")).unwrap();
    let options = IngestOptions {
        max_document_bytes: 10,
    };
    let (records, problems) = run(vec![Input::Path(root.to_path_buf())], options);
    let f = err(&records[0]);
    assert_eq!(f.id, "big.txt");
    assert!(
        f.error.ends_with(
            "document too large: the file is 50 bytes, more than max_document_bytes (10)"
        ),
        "{}",
        f.error
    );
    #[cfg(unix)]
    {
        assert_eq!(ids(&records), ["big.txt", "link.txt", "ok.txt"]);
        assert_eq!(err(&records[1]).id, "link.txt");
        assert_eq!(problems.documents_failed, 2);
    }
    assert_eq!(problems.documents_read, 1);
}

#[test]
fn utf16_text_file_with_bom() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "Grüße".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let path = write(dir.path(), "u16.txt", &bytes);
    let (records, _) = run_path(&path);
    assert_eq!(ok(&records[0]).content.as_str(), "Grüße");
}

// ---------------------------------------------------------------- WARC

struct WarcRec<'a> {
    ty: &'a str,
    id: &'a str,
    uri: &'a str,
    content_type: &'a str,
    block: Vec<u8>,
}

fn warc_record(r: &WarcRec) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {}\r\nWARC-Record-ID: {}\r\nWARC-Target-URI: {}\r\n\
         WARC-Date: 2024-03-01T12:00:00Z\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
        r.ty,
        r.id,
        r.uri,
        r.content_type,
        r.block.len()
    )
    .into_bytes();
    out.extend_from_slice(&r.block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn http(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n{headers}\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

fn response<'a>(id: &'a str, uri: &'a str, block: Vec<u8>) -> WarcRec<'a> {
    WarcRec {
        ty: "response",
        id,
        uri,
        content_type: "application/http; msgtype=response",
        block,
    }
}

fn page(body: &str) -> Vec<u8> {
    http(
        "200 OK",
        "Content-Type: text/html; charset=UTF-8\r\n",
        body.as_bytes(),
    )
}

fn sample_warc() -> Vec<Vec<u8>> {
    vec![
        warc_record(&WarcRec {
            ty: "warcinfo",
            id: "<urn:uuid:info>",
            uri: "",
            content_type: "application/warc-fields",
            block: b"software: test\r\n".to_vec(),
        }),
        warc_record(&WarcRec {
            ty: "request",
            id: "<urn:uuid:req>",
            uri: "http://a.example/",
            content_type: "application/http; msgtype=request",
            block: b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".to_vec(),
        }),
        warc_record(&response(
            "<urn:uuid:one>",
            "http://a.example/",
            page("<html><p>first page</p></html>"),
        )),
        warc_record(&WarcRec {
            ty: "metadata",
            id: "<urn:uuid:meta>",
            uri: "http://a.example/",
            content_type: "application/warc-fields",
            block: b"fetchTimeMs: 12\r\n".to_vec(),
        }),
        warc_record(&response(
            "<urn:uuid:pdf>",
            "http://a.example/x.pdf",
            http("200 OK", "Content-Type: application/pdf\r\n", b"%PDF-1.4"),
        )),
        warc_record(&response(
            "<urn:uuid:404>",
            "http://a.example/missing",
            http("404 Not Found", "Content-Type: text/html\r\n", b"<p>no</p>"),
        )),
        warc_record(&response(
            "<urn:uuid:two>",
            "http://b.example/",
            page("<html><p>second page</p></html>"),
        )),
    ]
}

#[test]
fn warc_reads_html_responses_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "crawl.warc", &sample_warc().concat());
    let (records, problems) = run_path(&path);
    assert_eq!(ids(&records), ["<urn:uuid:one>", "<urn:uuid:two>"]);
    let d = ok(&records[0]);
    assert_eq!(d.url.as_deref(), Some("http://a.example/"));
    assert_eq!(d.published.as_ref().unwrap().raw, "2024-03-01T12:00:00Z");
    assert_eq!(
        d.content,
        Content::Html("<html><p>first page</p></html>".into())
    );
    let first_len = sample_warc()[..2].concat().len() as u64;
    assert_eq!(d.origin.location, Location::Offset(first_len));
    assert_eq!(problems.skipped_records, 5);
    assert_eq!(problems.documents_read, 2);
    assert!(problems.messages.is_empty());
}

#[test]
fn warc_gz_with_one_member_per_record_and_zstd() {
    let dir = tempfile::tempdir().unwrap();
    let members: Vec<u8> = sample_warc().iter().flat_map(|r| gz(r)).collect();
    let a = write(dir.path(), "crawl.warc.gz", &members);
    let b = write(dir.path(), "crawl.warc.zst", &zst(&sample_warc().concat()));
    let (records, problems) = run(vec![Input::Path(a), Input::Path(b)], opts());
    assert_eq!(records.len(), 4);
    assert_eq!(problems.documents_read, 4);
    // Stdin-like: WARC found by its first bytes.
    let (records, _) = run_bytes("-", members, opts());
    assert_eq!(ids(&records), ["<urn:uuid:one>", "<urn:uuid:two>"]);
}

#[test]
fn warc_http_body_decoding_chunked_gzip_and_charset() {
    let body =
        b"<html><head><meta charset=windows-1251></head><p>\xCF\xF0\xE8\xE2\xE5\xF2</p></html>";
    let zipped = gz(body);
    let mut chunked = Vec::new();
    for chunk in zipped.chunks(7) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let block = http(
        "200 OK",
        "Content-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
        &chunked,
    );
    let warc = warc_record(&response("<urn:uuid:ru>", "http://ru.example/", block));
    let header_charset = warc_record(&response(
        "<urn:uuid:latin>",
        "http://fr.example/",
        http(
            "200 OK",
            "Content-Type: text/html; charset=ISO-8859-1\r\n",
            b"<p>caf\xE9</p>",
        ),
    ));
    let bad_utf8 = warc_record(&response(
        "<urn:uuid:lossy>",
        "http://x.example/",
        page("<p>ok</p>").into_iter().chain(*b"\xFF").collect(),
    ));
    let (records, problems) = run_bytes(
        "enc.warc",
        [warc, header_charset, bad_utf8].concat(),
        opts(),
    );
    assert_eq!(
        ids(&records),
        ["<urn:uuid:ru>", "<urn:uuid:latin>", "<urn:uuid:lossy>"]
    );
    assert!(ok(&records[0]).content.as_str().contains("<p>Привет</p>"));
    assert_eq!(ok(&records[1]).content.as_str(), "<p>café</p>");
    assert!(ok(&records[2]).lossy_utf8);
    assert_eq!(problems.lossy_utf8, 1);
}

#[test]
fn warc_malformed_records_are_reported_with_offset_and_reading_resumes() {
    let recs = sample_warc();
    let good1 = recs[2].clone();
    let good2 = recs[6].clone();
    // A record whose Content-Length is too long (it swallows the next record).
    let mut lying = warc_record(&response("<urn:uuid:liar>", "http://l/", page("<p>l</p>")));
    let s = String::from_utf8(lying.clone()).unwrap();
    let len = page("<p>l</p>").len();
    lying = s
        .replace(
            &format!("Content-Length: {len}"),
            &format!("Content-Length: {}", len + 40),
        )
        .into_bytes();
    let garbage = b"this is not a warc record\r\nnor is this\r\n".to_vec();
    let no_length = b"WARC/1.0\r\nWARC-Type: response\r\n\r\n".to_vec();
    let mut file = Vec::new();
    file.extend(&good1);
    let off_garbage = file.len();
    file.extend(&garbage);
    file.extend(&good2);
    let off_lying = file.len();
    file.extend(&lying);
    file.extend(&good1);
    let off_no_length = file.len();
    file.extend(&no_length);
    file.extend(&good2);
    let (records, problems) = run_bytes("bad.warc", file, opts());
    assert_eq!(
        ids(&records),
        [
            "<urn:uuid:one>".to_string(),
            format!("bad.warc@{off_garbage}"),
            "<urn:uuid:two>".to_string(),
            format!("bad.warc@{off_lying}"),
            "<urn:uuid:one>".to_string(),
            format!("bad.warc@{off_no_length}"),
            "<urn:uuid:two>".to_string(),
        ]
    );
    let e = &err(&records[1]).error;
    assert!(
        e.starts_with(&format!(
            "bad.warc@{off_garbage}: malformed WARC record: expected a WARC/1.x header"
        )),
        "{e}"
    );
    assert!(
        e.contains(&format!(
            "skipped {} bytes to the next WARC/1. header",
            garbage.len()
        )),
        "{e}"
    );
    assert!(
        err(&records[3])
            .error
            .contains("not followed by the record end")
    );
    assert!(
        err(&records[5])
            .error
            .contains("missing or invalid Content-Length")
    );
    assert_eq!(problems.documents_failed, 3);
    assert_eq!(problems.documents_read, 4);
}

#[test]
fn warc_truncated_block_and_truncated_gzip() {
    let recs = sample_warc();
    let mut file = recs[2].clone();
    let cut = &recs[6][..recs[6].len() - 20];
    let off = file.len();
    file.extend_from_slice(cut);
    let (records, _) = run_bytes("cut.warc", file, opts());
    assert_eq!(
        ids(&records),
        ["<urn:uuid:one>".to_string(), format!("cut.warc@{off}")]
    );
    assert!(
        err(&records[1])
            .error
            .contains("truncated: Content-Length is")
    );

    let members: Vec<u8> = recs.iter().flat_map(|r| gz(r)).collect();
    let (records, problems) = run_bytes(
        "cut.warc.gz",
        members[..members.len() - 30].to_vec(),
        opts(),
    );
    assert_eq!(records.len(), 2);
    assert_eq!(ok(&records[0]).id, "<urn:uuid:one>");
    let e = &err(&records[1]).error;
    assert!(
        e.contains("gzip stream truncated or corrupt at byte"),
        "{e}"
    );
    assert_eq!(problems.documents_failed, 1);
}

#[test]
fn warc_document_over_the_limit_fails_with_its_id() {
    let options = IngestOptions {
        max_document_bytes: 20,
    };
    let big = warc_record(&response(
        "<urn:uuid:big>",
        "http://big/",
        page(&format!("<p>{}</p>", "x".repeat(100))),
    ));
    let small = warc_record(&response("<urn:uuid:small>", "http://s/", page("<p>s</p>")));
    let (records, _) = run_bytes("lim.warc", [big, small].concat(), options);
    assert_eq!(ids(&records), ["<urn:uuid:big>", "<urn:uuid:small>"]);
    assert!(err(&records[0]).error.contains("document too large"));
}

#[test]
fn ingest_is_send() {
    fn send<T: Send>() {}
    send::<Ingest>();
}

// ---------------------------------------------------------------- properties

fn line_strategy() -> impl Strategy<Value = Vec<u8>> {
    let doc = ("[a-z0-9]{1,8}", "[ -~]{0,40}").prop_map(|(id, text)| {
        serde_json::json!({"id": id, "text": text, "k": 1})
            .to_string()
            .into_bytes()
    });
    let json = any::<i64>().prop_map(|n| format!("{{\"id\":{n}}}").into_bytes());
    let garbage = proptest::collection::vec(any::<u8>(), 0..60)
        .prop_map(|v| v.into_iter().filter(|&b| b != b'\n').collect());
    let blank = "[ \t\r]{0,3}".prop_map(String::into_bytes);
    prop_oneof![4 => doc, 1 => json, 3 => garbage, 1 => blank]
}

fn is_blank(line: &[u8], first: bool) -> bool {
    let line = if first { decode::strip_bom(line) } else { line };
    line.iter().all(u8::is_ascii_whitespace)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("INGEST_PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(200),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn jsonl_reader_never_panics_and_yields_one_record_per_line(
        lines in proptest::collection::vec(line_strategy(), 0..30),
        compress in any::<bool>(),
    ) {
        let bytes = lines.join(&b'\n');
        let expected = lines.iter().enumerate().filter(|(i, l)| !is_blank(l, *i == 0)).count();
        let input = if compress { gz(&bytes) } else { bytes };
        let (records, problems) = run_bytes("p.jsonl", input, opts());
        prop_assert_eq!(records.len(), expected);
        prop_assert_eq!((problems.documents_read + problems.documents_failed) as usize, expected);
        for (i, line) in lines.iter().enumerate() {
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) else {
                continue;
            };
            if let (Some(id), Some(text), Some(_)) = (v["id"].as_str(), v["text"].as_str(), v.get("k"))
                && !text.trim().is_empty()
            {
                let origin = format!("p.jsonl:{}", i + 1);
                prop_assert!(records.iter().any(|r| matches!(r, Record::Ok(d)
                    if d.id == id && d.origin.to_string() == origin)));
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let (records, _) = run_bytes("x", bytes.clone(), opts());
        let _ = records;
        let mut warc = b"WARC/1.0\r\n".to_vec();
        warc.extend_from_slice(&bytes);
        let _ = run_bytes("w", warc, opts());
    }

    #[test]
    fn warc_with_corruption_keeps_every_intact_record(
        bodies in proptest::collection::vec("[a-zA-Z0-9 <>/]{1,200}", 1..12),
        corruptions in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 0..4),
        gzip in any::<bool>(),
    ) {
        let ids: Vec<String> = (0..bodies.len()).map(|i| format!("<urn:uuid:r{i}>")).collect();
        let mut recs: Vec<Vec<u8>> = bodies
            .iter()
            .zip(&ids)
            .map(|(b, id)| warc_record(&response(id, "http://p/", page(&format!("<p>{b}</p>")))))
            .collect();
        let mut broken = vec![false; recs.len()];
        for (which, at, how, byte) in corruptions {
            let k = which.index(recs.len());
            let rec = &mut recs[k];
            broken[k] = true;
            if rec.is_empty() {
                continue;
            }
            let i = at.index(rec.len());
            match how {
                0 => rec[i] = byte,
                1 => rec.insert(i, byte),
                2 => { rec.remove(i); }
                _ => rec.truncate(i),
            }
            broken[k] = true;
        }
        let file: Vec<u8> = if gzip {
            recs.iter().flat_map(|r| gz(r)).collect()
        } else {
            recs.concat()
        };
        let (records, _) = run_bytes("p.warc", file, opts());
        for (k, id) in ids.iter().enumerate() {
            if !broken[k] {
                let want = format!("<p>{}</p>", bodies[k]);
                prop_assert!(
                    records.iter().any(|r| matches!(r, Record::Ok(d) if &d.id == id && d.content.as_str() == want)),
                    "record {} missing: {:?}", id, ids_of(&records)
                );
            }
        }
    }
}

fn ids_of(records: &[Record]) -> Vec<String> {
    records.iter().map(|r| r.id().to_string()).collect()
}

#[test]
fn warc_damage_at_any_byte_keeps_every_other_record() {
    let bodies = ["a", "<b>bb</b>", &"long body ".repeat(25), "d"];
    let ids: Vec<String> = (0..bodies.len())
        .map(|i| format!("<urn:uuid:r{i}>"))
        .collect();
    let recs: Vec<Vec<u8>> = bodies
        .iter()
        .zip(&ids)
        .map(|(b, id)| warc_record(&response(id, "http://p/", page(&format!("<p>{b}</p>")))))
        .collect();
    for (k, op, cut) in (0..recs.len())
        .flat_map(|k| (0..4).map(move |op| (k, op)))
        .flat_map(|(k, op)| (0..recs[k].len()).map(move |at| (k, op, at)))
    {
        {
            let mut r = recs.clone();
            match op {
                0 => r[k].truncate(cut),
                1 => {
                    r[k].remove(cut);
                }
                2 => r[k].insert(cut, b'7'),
                _ => r[k][cut] = b'\n',
            }
            let (records, problems) = run_bytes("p.warc", r.concat(), opts());
            for (j, id) in ids.iter().enumerate() {
                if j != k {
                    let want = format!("<p>{}</p>", bodies[j]);
                    assert!(
                        records.iter().any(|r| matches!(r, Record::Ok(d) if &d.id == id && d.content.as_str() == want)),
                        "record {k} damaged ({op}) at {cut}: {id} missing from {:?}",
                        ids_of(&records)
                    );
                }
            }
            if op == 0 && cut > 0 && k + 1 < recs.len() {
                // The cut record is reported, unless the cut fell in its final
                // line ends.
                assert!(
                    problems.documents_failed >= 1 || cut + 4 >= recs[k].len(),
                    "record {k} cut at {cut}: nothing reported"
                );
            }
        }
    }
}
