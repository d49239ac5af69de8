//! Ingest: read documents from JSONL (plain, gzip, zstd, stdin), folders, single
//! files and WARC, in one streaming pass, never losing a document.

use std::path::PathBuf;

use serde::Serialize;

use crate::document::{Origin, Record};

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
    pub documents_read: u64,
    pub documents_failed: u64,
    pub lossy_utf8: u64,
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

/// Reads every input in turn and yields one [`Record`] per input document.
pub struct Ingest {
    inputs: std::vec::IntoIter<Input>,
    #[allow(dead_code)]
    options: IngestOptions,
    problems: Problems,
}

impl Ingest {
    pub fn new(inputs: Vec<Input>, options: IngestOptions) -> Self {
        Ingest {
            inputs: inputs.into_iter(),
            options,
            problems: Problems::default(),
        }
    }

    pub fn problems(&self) -> &Problems {
        &self.problems
    }
}

impl Iterator for Ingest {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        // Placeholder until the readers land: nothing is read.
        let _ = self.inputs.next()?;
        None
    }
}
