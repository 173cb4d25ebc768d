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
    /// A layer's values could not be classified.
    #[error("layer `{layer}`: cannot classify: {source}")]
    Classify {
        /// The layer id.
        layer: String,
        /// Why.
        source: crate::classify::ClassifyError,
    },
    /// The font for print maps is missing or unreadable.
    #[error("font {path}: {message} (set `font` in [render], or install the Debian package fonts-dejavu-core for the default)")]
    Font {
        /// The font file looked for.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Drawing a print map failed.
    #[error("{path}: cannot draw map: {message}")]
    Draw {
        /// The output file.
        path: PathBuf,
        /// What the drawing backend said.
        message: String,
    },
    /// A `[render]` config value is wrong.
    #[error("[render] config: {0}")]
    Config(String),
    /// One `[render]` key has a wrong value (see [`crate::RenderConfig::validate`]).
    #[error("[render] {key}: {message}")]
    Setting {
        /// The key below `[render]` (`simplify_m`, `formats[1]`, `layers.ifn.breaks`).
        key: String,
        /// What is wrong, with the value.
        message: String,
    },
}

impl RenderError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        RenderError::Io { path: path.to_path_buf(), source }
    }
}
