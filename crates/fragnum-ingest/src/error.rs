//! Typed ingest errors. Each carries the [`Location`] that failed.

use fragnum_core::Location;
use thiserror::Error;

/// A fatal problem with one input.
#[derive(Debug, Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("{location}: cannot read file: {source}")]
    Io {
        /// The file.
        location: Location,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A required column is absent from the header.
    #[error("{location}: missing column `{column}` (header has: {found})")]
    MissingColumn {
        /// The header line.
        location: Location,
        /// The column that was looked for (or the list of accepted names).
        column: String,
        /// The columns found, abbreviated.
        found: String,
    },
    /// The file is not the CSV it should be (separator, quoting, ragged rows…).
    #[error("{location}: {message}")]
    Malformed {
        /// Where.
        location: Location,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A cell that should hold a number does not.
    #[error("{location}: column `{column}`: `{text}` is not a number")]
    NotANumber {
        /// Line and column of the cell.
        location: Location,
        /// The column name.
        column: String,
        /// The text found.
        text: String,
    },
    /// A zone code of the wrong shape.
    #[error("{location}: {source}")]
    BadCode {
        /// Line and column of the cell.
        location: Location,
        /// Why the code was refused.
        source: fragnum_core::CodeError,
    },
    /// The same zone code appears twice in one table.
    #[error("{location}: duplicate zone code `{code}` (first seen on line {first_line})")]
    DuplicateCode {
        /// The second occurrence.
        location: Location,
        /// The code.
        code: String,
        /// The line of the first occurrence.
        first_line: u64,
    },
    /// The coordinate reference system is missing, unknown or not what the coordinates say.
    #[error("{location}: {message}")]
    Crs {
        /// The file (or its `.prj`).
        location: Location,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A geometry or shapefile structure that cannot be read.
    #[error("{location}: {message}")]
    Geometry {
        /// The file and feature.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The config itself is wrong.
    #[error("{location}: {message}")]
    Config {
        /// The config file (and line when TOML reports it).
        location: Location,
        /// What is wrong.
        message: String,
    },
}

impl IngestError {
    /// Where the error is.
    pub fn location(&self) -> &Location {
        match self {
            IngestError::Io { location, .. }
            | IngestError::MissingColumn { location, .. }
            | IngestError::Malformed { location, .. }
            | IngestError::NotANumber { location, .. }
            | IngestError::BadCode { location, .. }
            | IngestError::DuplicateCode { location, .. }
            | IngestError::Crs { location, .. }
            | IngestError::Geometry { location, .. }
            | IngestError::Config { location, .. } => location,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        IngestError::Io { location: Location::file(path), source }
    }
}
