//! Typed errors of the library. Only the binary prints.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{input}: {message}")]
    Format { input: String, message: String },
    #[error("model {path}: {message}")]
    Model { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn format(input: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Format {
            input: input.into(),
            message: message.into(),
        }
    }
}
