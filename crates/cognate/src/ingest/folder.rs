//! Folders (walked recursively in sorted path order) and single text/HTML files.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Map;

use super::decode::{check_body, check_text, decode_html, decode_text};
use super::stream::{Compression, open_file};
use super::{Ctx, Kind, Problem, Source, Step, open_stream_source};
use crate::document::{Content, Document, FailedDocument, Location, Origin, Record};

fn failed(id: String, origin: Origin, error: String) -> Record {
    Record::Failed(FailedDocument {
        id,
        error: format!("{origin}: {error}"),
        origin,
        extra: Map::new(),
    })
}

/// Reads one `.txt` or `.html` file as one document with the given id.
pub(crate) fn read_file_document(
    path: &Path,
    id: String,
    origin: Origin,
    kind: Kind,
    max: usize,
) -> Record {
    let (compression, _, reader) = match open_file(path) {
        Ok(opened) => opened,
        Err(e) => return failed(id, origin, format!("cannot open: {e}")),
    };
    if compression == Compression::None
        && let Ok(meta) = std::fs::metadata(path)
        && meta.len() > max as u64
    {
        let error = format!(
            "document too large: the file is {} bytes, more than max_document_bytes ({max})",
            meta.len()
        );
        return failed(id, origin, error);
    }
    let mut bytes = Vec::new();
    if let Err(e) = reader.take(max as u64 + 1).read_to_end(&mut bytes) {
        let error = match compression {
            Compression::None => format!("read error: {e}"),
            c => format!(
                "{} stream truncated or corrupt at byte {} of the decompressed stream: {e}",
                c.name(),
                bytes.len()
            ),
        };
        return failed(id, origin, error);
    }
    if bytes.len() > max {
        let error = format!("document too large: more than max_document_bytes ({max}) bytes");
        return failed(id, origin, error);
    }
    if bytes.is_empty() {
        return failed(id, origin, "empty file".to_string());
    }
    let html = kind == Kind::Html;
    let decoded = if html {
        decode_html(&bytes, None)
    } else {
        decode_text(&bytes)
    };
    if let Err(e) = check_body(decoded.text.as_bytes()).and_then(|_| check_text(&decoded.text)) {
        return failed(id, origin, e);
    }
    Record::Ok(Document {
        id,
        content: if html {
            Content::Html(decoded.text)
        } else {
            Content::Text(decoded.text)
        },
        title: None,
        url: None,
        lang: None,
        published: None,
        extra: Map::new(),
        origin,
        lossy_utf8: decoded.lossy,
    })
}

struct Entry {
    /// Path relative to the folder, with `/`.
    rel: String,
    path: PathBuf,
    error: Option<String>,
}

/// Walks a folder: text and HTML files are documents, JSONL and WARC files are
/// read as such, anything else is skipped and counted.
pub(crate) struct FolderSource {
    input: String,
    entries: std::vec::IntoIter<Entry>,
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl FolderSource {
    /// Lists the folder (paths only; files are read one at a time later).
    pub fn new(input: String, root: &Path) -> Self {
        let mut entries = Vec::new();
        for entry in walkdir::WalkDir::new(root).follow_links(true).min_depth(1) {
            match entry {
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) => entries.push(Entry {
                    rel: relative(root, e.path()),
                    path: e.path().to_path_buf(),
                    error: None,
                }),
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    entries.push(Entry {
                        rel: relative(root, &path),
                        path,
                        error: Some(e.to_string()),
                    })
                }
            }
        }
        entries.sort_by(|a, b| a.rel.cmp(&b.rel));
        FolderSource {
            input,
            entries: entries.into_iter(),
        }
    }
}

impl Source for FolderSource {
    fn next(&mut self, ctx: &mut Ctx) -> Option<Step> {
        loop {
            let entry = self.entries.next()?;
            let origin = Origin::new(self.input.clone(), Location::File(entry.rel.clone()));
            if let Some(error) = entry.error {
                return Some(Step::Record(failed(
                    entry.rel,
                    origin,
                    format!("cannot read: {error}"),
                )));
            }
            let kind = Kind::of(&entry.rel);
            match kind {
                Kind::Text | Kind::Html => {
                    let max = ctx.options.max_document_bytes;
                    return Some(Step::Record(read_file_document(
                        &entry.path,
                        entry.rel,
                        origin,
                        kind,
                        max,
                    )));
                }
                Kind::Jsonl | Kind::Warc => {
                    let name = origin.to_string();
                    return Some(match open_file(&entry.path) {
                        Ok((compression, head, reader)) => {
                            Step::Nested(open_stream_source(name, kind, compression, &head, reader))
                        }
                        Err(e) => {
                            Step::Record(failed(entry.rel, origin, format!("cannot open: {e}")))
                        }
                    });
                }
                Kind::Unknown => {
                    ctx.problems.skipped_files += 1;
                    ctx.problems.push(Problem::new(
                        &origin,
                        "skipped: not a .txt, .html, .htm, .jsonl or .warc file",
                    ));
                }
            }
        }
    }
}
