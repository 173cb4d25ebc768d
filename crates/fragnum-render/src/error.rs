//! Typed render errors, each naming the output that failed.

use std::path::PathBuf;

use thiserror::Error;

/// Why an output could not be written.
#[derive(Debug, Error)]
pub enum RenderError {
    /// Writing the file failed.
    #[error("{path}: cannot write: {source}")]
    Io {
        /// The output file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Building or serialising a table failed.
    #[error("{path}: cannot build table: {message}")]
    Table {
        /// The output file.
        path: PathBuf,
        /// What polars said.
        message: String,
    },
}

impl RenderError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        RenderError::Io { path: path.to_path_buf(), source }
    }
}
