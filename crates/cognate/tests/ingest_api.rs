//! The ingest stage through the public API only.

use std::io::{Cursor, Write};

use cognate::ingest::{Ingest, IngestOptions, Input, read_document_json};
use cognate::{Content, Location, Origin, Record};

#[test]
fn pairs_lines_use_read_document_json() {
    let line = r#"{"id":"p1","a":{"id":"x","text":"hello"},"b":{"id":"y","html":"<p>hola</p>","lang":"es"}}"#;
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let origin = Origin::new("pairs.jsonl", Location::Line(1));
    let a = read_document_json(v["a"].clone(), origin.clone());
    let b = read_document_json(v["b"].clone(), origin.clone());
    match (a, b) {
        (Record::Ok(a), Record::Ok(b)) => {
            assert_eq!(a.id, "x");
            assert_eq!(b.content, Content::Html("<p>hola</p>".into()));
            assert_eq!(b.lang.as_deref(), Some("es"));
        }
        other => panic!("{other:?}"),
    }
    match read_document_json(v["missing"].clone(), origin) {
        Record::Failed(f) => {
            assert_eq!(f.id, "pairs.jsonl:1");
            assert_eq!(f.error, "pairs.jsonl:1: not a JSON object (found null)");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_huge_line_is_failed_without_losing_its_neighbours() {
    let mut data = Vec::new();
    writeln!(data, r#"{{"id":"before","text":"a"}}"#).unwrap();
    write!(data, r#"{{"id":"huge","text":""#).unwrap();
    data.extend(std::iter::repeat_n(b'z', 5 << 20));
    writeln!(data, r#""}}"#).unwrap();
    writeln!(data, r#"{{"id":"after","text":"b"}}"#).unwrap();
    let options = IngestOptions {
        max_document_bytes: 1024,
    };
    let mut ingest = Ingest::from_reader("big.jsonl", Cursor::new(data), options);
    let records: Vec<Record> = ingest.by_ref().collect();
    let ids: Vec<&str> = records.iter().map(Record::id).collect();
    assert_eq!(ids, ["before", "huge", "after"]);
    match &records[1] {
        Record::Failed(f) => assert!(f.error.starts_with("big.jsonl:2: document too large")),
        other => panic!("{other:?}"),
    }
    let p = ingest.problems();
    assert_eq!((p.documents_read, p.documents_failed), (2, 1));
    assert_eq!(p.messages[0].place, "big.jsonl:2");
}

#[test]
fn mixed_inputs_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("f");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::fs::write(folder.join("sub/one.txt"), "one").unwrap();
    std::fs::write(folder.join("two.html"), "<p>two").unwrap();
    let jsonl = dir.path().join("x.jsonl");
    std::fs::write(&jsonl, "{\"id\":\"three\",\"text\":\"3\"}\n").unwrap();
    let inputs = vec![
        Input::Path(folder.clone()),
        Input::parse(jsonl.to_str().unwrap()),
        Input::Path(dir.path().join("absent.jsonl")),
    ];
    let mut ingest = Ingest::new(inputs, IngestOptions::default());
    let records: Vec<Record> = ingest.by_ref().collect();
    let ids: Vec<&str> = records.iter().map(Record::id).collect();
    let absent = dir.path().join("absent.jsonl").display().to_string();
    assert_eq!(ids, ["sub/one.txt", "two.html", "three", absent.as_str()]);
    assert!(matches!(records[3], Record::Failed(_)));
    assert_eq!(ingest.problems().documents_read, 3);
    assert_eq!(ingest.problems().documents_failed, 1);
}
