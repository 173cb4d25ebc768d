//! Where something was read, so errors can say `file:line:column`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an input file. Lines and columns are 1-based; either may be unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when the format has lines.
    pub line: Option<u64>,
    /// 1-based column (a field number in CSV, a character column in text).
    pub column: Option<u64>,
}

impl Location {
    /// The whole file.
    pub fn file(path: impl AsRef<Path>) -> Self {
        Location { path: path.as_ref().to_path_buf(), line: None, column: None }
    }

    /// A line of the file.
    pub fn line(path: impl AsRef<Path>, line: u64) -> Self {
        Location { line: Some(line), ..Location::file(path) }
    }

    /// A line and column of the file.
    ///
    /// ```
    /// use fragnum_core::Location;
    /// assert_eq!(Location::at("a.csv", 3, 7).to_string(), "a.csv:3:7");
    /// ```
    pub fn at(path: impl AsRef<Path>, line: u64, column: u64) -> Self {
        Location { line: Some(line), column: Some(column), ..Location::file(path) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}
