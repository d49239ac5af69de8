//! cognate: find copies, translations and same-event articles in multilingual news.
//!
//! The pipeline runs one way, and each stage is a module:
//! [`ingest`] → [`clean`] → [`lang`] → [`features`] → [`candidates`] → [`score`] →
//! [`cluster`] → [`output`]. [`pipeline`] ties them together; [`eval`] measures them
//! on public data sets.

pub mod candidates;
pub mod clean;
pub mod cluster;
pub mod document;
pub mod error;
pub mod eval;
pub mod features;
pub mod ingest;
pub mod lang;
pub mod output;
pub mod pipeline;
pub mod score;
pub mod stream;

pub use document::{Content, Document, FailedDocument, Location, Origin, Published, Record};
pub use error::{Error, Result};
