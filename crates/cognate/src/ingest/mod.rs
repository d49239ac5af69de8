//! Ingest: read documents from JSONL (plain, gzip, zstd, stdin), folders, single
//! files and WARC, in one streaming pass, never losing a document.
//!
//! Every input document gives exactly one [`Record`]: [`Record::Ok`] or, when it
//! cannot be read, [`Record::Failed`] with an error naming its place (`file:line`,
//! `file@offset`, `folder/file`). [`Ingest::problems`] counts what happened.

mod decode;
mod folder;
mod jsonl;
mod stream;
mod warc;

use std::collections::VecDeque;
use std::io::Read;
use std::path::PathBuf;

use serde::Serialize;

use crate::document::{Location, Origin, Record};

pub(crate) use decode::{decode_html, meta_charset};
pub use jsonl::read_document_json;

use stream::{Compression, DynRead, Stream};

/// One input the user named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

impl Input {
    /// `-` is standard input; anything else a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// A document larger than this (in bytes, decoded) is reported as failed instead of read.
    pub max_document_bytes: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_document_bytes: 64 << 20,
        }
    }
}

/// A problem met while reading, with the place it happened.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub place: String,
    pub message: String,
}

impl Problem {
    pub fn new(origin: &Origin, message: impl Into<String>) -> Self {
        Problem {
            place: origin.to_string(),
            message: message.into(),
        }
    }
}

/// Counts and first messages of what went wrong during a run, for the summary that ends it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Problems {
    /// Documents read ([`Record::Ok`]).
    pub documents_read: u64,
    /// Documents that could not be read ([`Record::Failed`]).
    pub documents_failed: u64,
    /// Documents read whose bytes were not valid in their encoding (decoded lossily).
    pub lossy_utf8: u64,
    /// Files inside folders that are not documents (not `.txt`, `.html`, `.jsonl`, `.warc`).
    pub skipped_files: u64,
    /// WARC records that are not HTML pages: requests, metadata, warcinfo, non-HTML or
    /// non-2xx responses.
    pub skipped_records: u64,
    /// The first problems met (at most [`Problems::KEPT`]); `dropped` counts the rest.
    pub messages: Vec<Problem>,
    pub dropped: u64,
}

impl Problems {
    pub const KEPT: usize = 1000;

    pub fn push(&mut self, problem: Problem) {
        if self.messages.len() < Self::KEPT {
            self.messages.push(problem);
        } else {
            self.dropped += 1;
        }
    }
}

/// What kind of input a file name says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Jsonl,
    Warc,
    Text,
    Html,
    Unknown,
}

impl Kind {
    /// From a file name: `.jsonl`, `.ndjson`, `.json` (JSON lines), `.warc`, `.txt`,
    /// `.html`/`.htm`, each optionally followed by `.gz`, `.zst` or `.zstd`.
    pub(crate) fn of(name: &str) -> Kind {
        let lower = name.to_ascii_lowercase();
        let base = [".gz", ".zst", ".zstd"]
            .iter()
            .find_map(|ext| lower.strip_suffix(ext))
            .unwrap_or(&lower);
        let has = |exts: &[&str]| exts.iter().any(|e| base.ends_with(e));
        if has(&[".jsonl", ".ndjson", ".json"]) {
            Kind::Jsonl
        } else if has(&[".warc"]) {
            Kind::Warc
        } else if has(&[".txt"]) {
            Kind::Text
        } else if has(&[".html", ".htm", ".xhtml"]) {
            Kind::Html
        } else {
            Kind::Unknown
        }
    }

    /// From the first bytes of a (decompressed) stream.
    fn sniff(head: &[u8]) -> Kind {
        let head = decode::strip_bom(head);
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        let head = &head[start..];
        if head.starts_with(b"WARC/") {
            Kind::Warc
        } else if head.starts_with(b"{") {
            Kind::Jsonl
        } else {
            Kind::Unknown
        }
    }
}

/// What a reader gives for its next step.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Step {
    Record(Record),
    /// A reader for an input found inside this one (a JSONL or WARC file in a folder).
    Nested(Box<dyn Source>),
}

pub(crate) struct Ctx<'a> {
    pub options: &'a IngestOptions,
    pub problems: &'a mut Problems,
}

/// A reader of one input.
pub(crate) trait Source: Send {
    /// The next step, `None` when the input is exhausted.
    fn next(&mut self, ctx: &mut Ctx) -> Option<Step>;
}

/// A reader for an opened JSONL or WARC stream.
pub(crate) fn open_stream_source(
    name: String,
    kind: Kind,
    compression: Compression,
    head: &[u8],
    reader: DynRead,
) -> Box<dyn Source> {
    let stream = Stream::new(reader);
    let is_warc = kind == Kind::Warc || (kind != Kind::Jsonl && Kind::sniff(head) == Kind::Warc);
    if is_warc {
        Box::new(warc::WarcSource::new(name, compression, stream))
    } else {
        Box::new(jsonl::JsonlSource::new(name, compression, stream))
    }
}

enum Pending {
    Input(Input),
    Reader(String, DynRead),
}

/// Reads every input in turn and yields one [`Record`] per input document.
pub struct Ingest {
    inputs: VecDeque<Pending>,
    options: IngestOptions,
    problems: Problems,
    /// Readers in progress: a folder, then a JSONL or WARC file inside it.
    stack: Vec<Box<dyn Source>>,
}

impl Ingest {
    pub fn new(inputs: Vec<Input>, options: IngestOptions) -> Self {
        Ingest {
            inputs: inputs.into_iter().map(Pending::Input).collect(),
            options,
            problems: Problems::default(),
            stack: Vec::new(),
        }
    }

    /// Reads a JSONL or WARC stream that is already open, naming it `name` in
    /// origins. The format comes from `name`'s extension if it has one (`.jsonl`,
    /// `.warc`…), else from the first bytes; gzip and zstd are found by magic bytes.
    pub fn from_reader(
        name: impl Into<String>,
        reader: impl Read + Send + 'static,
        options: IngestOptions,
    ) -> Self {
        let mut ingest = Ingest::new(Vec::new(), options);
        ingest
            .inputs
            .push_back(Pending::Reader(name.into(), Box::new(reader)));
        ingest
    }

    pub fn problems(&self) -> &Problems {
        &self.problems
    }

    fn failed_input(name: String, error: String) -> Record {
        let origin = Origin::new(name.clone(), Location::Whole);
        Record::Failed(crate::document::FailedDocument {
            id: name,
            error: format!("{origin}: {error}"),
            origin,
            extra: serde_json::Map::new(),
        })
    }

    #[allow(clippy::result_large_err)]
    fn open_reader(name: String, reader: DynRead) -> Result<Box<dyn Source>, Record> {
        match stream::decompress(reader) {
            Ok((compression, head, reader)) => {
                let kind = Kind::of(&name);
                Ok(open_stream_source(name, kind, compression, &head, reader))
            }
            Err(e) => Err(Self::failed_input(name, format!("cannot read: {e}"))),
        }
    }

    /// Opens an input: a reader for it, or the record that says it failed.
    #[allow(clippy::result_large_err)]
    fn open(&mut self, pending: Pending) -> Result<Box<dyn Source>, Record> {
        let path = match pending {
            Pending::Reader(name, reader) => return Self::open_reader(name, reader),
            Pending::Input(Input::Stdin) => {
                return Self::open_reader("-".to_string(), Box::new(std::io::stdin()));
            }
            Pending::Input(Input::Path(path)) => path,
        };
        let name = path.to_string_lossy().into_owned();
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) => return Err(Self::failed_input(name, format!("cannot open: {e}"))),
        };
        if meta.is_dir() {
            return Ok(Box::new(folder::FolderSource::new(name, &path)));
        }
        let kind = Kind::of(&name);
        match kind {
            Kind::Text | Kind::Html => {
                let origin = Origin::new(name.clone(), Location::Whole);
                Err(folder::read_file_document(
                    &path,
                    name,
                    origin,
                    kind,
                    self.options.max_document_bytes,
                ))
            }
            Kind::Jsonl | Kind::Warc | Kind::Unknown => match stream::open_file(&path) {
                Ok((compression, head, reader)) => {
                    if kind == Kind::Unknown && Kind::sniff(&head) == Kind::Unknown {
                        let error = "unknown input format: expected a folder or a .jsonl, \
                                     .warc, .txt or .html file"
                            .to_string();
                        return Err(Self::failed_input(name, error));
                    }
                    Ok(open_stream_source(name, kind, compression, &head, reader))
                }
                Err(e) => Err(Self::failed_input(name, format!("cannot open: {e}"))),
            },
        }
    }

    /// Counts a record in the problems before handing it out.
    fn account(&mut self, record: Record) -> Record {
        match &record {
            Record::Ok(d) => {
                self.problems.documents_read += 1;
                if d.lossy_utf8 {
                    self.problems.lossy_utf8 += 1;
                    self.problems.push(Problem::new(
                        &d.origin,
                        format!("document {:?}: invalid UTF-8, decoded lossily", d.id),
                    ));
                }
            }
            Record::Failed(f) => {
                self.problems.documents_failed += 1;
                let place = f.origin.to_string();
                let message = f
                    .error
                    .strip_prefix(&place)
                    .and_then(|m| m.strip_prefix(": "))
                    .unwrap_or(&f.error);
                self.problems.push(Problem {
                    place,
                    message: message.to_string(),
                });
            }
        }
        record
    }
}

impl Iterator for Ingest {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(source) = self.stack.last_mut() {
                let mut ctx = Ctx {
                    options: &self.options,
                    problems: &mut self.problems,
                };
                match source.next(&mut ctx) {
                    Some(Step::Record(record)) => return Some(self.account(record)),
                    Some(Step::Nested(source)) => self.stack.push(source),
                    None => {
                        self.stack.pop();
                    }
                }
                continue;
            }
            let pending = self.inputs.pop_front()?;
            match self.open(pending) {
                Ok(source) => self.stack.push(source),
                Err(record) => return Some(self.account(record)),
            }
        }
    }
}

#[cfg(test)]
mod tests;
