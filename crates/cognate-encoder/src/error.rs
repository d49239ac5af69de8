//! Typed errors of the encoder.

use std::path::PathBuf;

/// Everything that can go wrong while finding, loading or running the model.
///
/// Every variant about the model file names the file, and the variants about
/// its content name the byte offset at which the problem was found.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// The model file does not exist.
    #[error("model file {path} does not exist (run ./scripts/setup.sh to fetch the model)")]
    MissingFile {
        /// The path that was tried.
        path: PathBuf,
    },

    /// No model file was found in any of the default locations.
    #[error(
        "model file {file_name} not found; searched: {}. Run ./scripts/setup.sh to fetch the model, \
         or set COGNATE_MODEL_DIR to the folder holding it",
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    ModelNotFound {
        /// The file name looked for.
        file_name: &'static str,
        /// Every candidate path that was looked at.
        searched: Vec<PathBuf>,
    },

    /// The file exists but could not be read.
    #[error("cannot read model file {path}: {source}")]
    Io {
        /// The model file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The file does not start with the `E5S1` magic.
    #[error("{path}: bad magic at offset 0: expected \"E5S1\", found {found:?}")]
    BadMagic {
        /// The model file.
        path: PathBuf,
        /// The bytes found instead (at most four).
        found: Vec<u8>,
    },

    /// The file ends before a structure it announces.
    #[error(
        "{path}: truncated at offset {offset}: {what} needs {needed} bytes but only {available} remain"
    )]
    Truncated {
        /// The model file.
        path: PathBuf,
        /// Offset at which the missing structure starts.
        offset: u64,
        /// What was being read.
        what: String,
        /// Bytes needed.
        needed: u64,
        /// Bytes left in the file from `offset`.
        available: u64,
    },

    /// A header field or table has an impossible value.
    #[error("{path}: invalid {what} at offset {offset}: {detail}")]
    BadHeader {
        /// The model file.
        path: PathBuf,
        /// Offset of the offending field.
        offset: u64,
        /// Which field.
        what: String,
        /// Why it is wrong.
        detail: String,
    },

    /// A tensor is missing, has the wrong type or the wrong number of elements.
    #[error(
        "{path}: bad tensor shape for '{name}' (directory entry at offset {offset}): {detail}"
    )]
    BadTensorShape {
        /// The model file.
        path: PathBuf,
        /// Tensor name (e.g. `l3.fi.w`).
        name: String,
        /// Offset of the tensor's directory entry (or of the directory when the tensor is missing).
        offset: u64,
        /// What is wrong.
        detail: String,
    },
}
