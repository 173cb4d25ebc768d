//! Non-fatal findings gathered while reading: skips, unmatched codes, encodings, coverage.

use std::fmt;

use fragnum_core::Location;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing (e.g. a file read as Latin-1).
    Note,
    /// Data was skipped or is incomplete; results are still produced.
    Warning,
    /// The input cannot be used.
    Fatal,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Fatal => "error",
        })
    }
}

/// One finding, located.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// How serious.
    pub severity: Severity,
    /// Where.
    pub location: Location,
    /// What, in one sentence.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.severity, self.message)
    }
}

/// All findings of one ingest run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Findings in the order they were made.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Records a finding.
    pub fn push(&mut self, severity: Severity, location: Location, message: impl Into<String>) {
        self.problems.push(Problem { severity, location, message: message.into() });
    }

    /// True when any finding is fatal.
    pub fn has_fatal(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Fatal)
    }

    /// Records a fatal error as a finding (used by `validate`, which goes on after errors).
    pub fn push_error(&mut self, err: &crate::IngestError) {
        self.problems.push(Problem {
            severity: Severity::Fatal,
            location: err.location().clone(),
            message: err.to_string().strip_prefix(&format!("{}: ", err.location())).map_or_else(|| err.to_string(), str::to_string),
        });
    }
}
