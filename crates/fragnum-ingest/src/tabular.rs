//! A CSV reader that remembers where each cell came from.

use std::path::{Path, PathBuf};

use fragnum_core::Location;

use crate::text::{detect_separator, read_text};
use crate::{IngestError, Report, Severity};

/// A delimited table held as text, with its header normalised for matching.
#[derive(Debug, Clone)]
pub struct Tabular {
    /// The file it came from.
    pub path: PathBuf,
    /// Header names as written (BOM and surrounding spaces removed).
    pub header: Vec<String>,
    /// Header names normalised: uppercase, spaces and dashes as `_` (`"P16 Pop"` → `"P16_POP"`).
    pub keys: Vec<String>,
    /// Data rows: (1-based line number, fields).
    pub rows: Vec<(u64, Vec<String>)>,
    /// The separator used.
    pub separator: u8,
}

/// Normalises a header name for matching.
///
/// ```
/// assert_eq!(fragnum_ingest::tabular::normalise_key(" P16 Nscol15P Diplmin "), "P16_NSCOL15P_DIPLMIN");
/// ```
pub fn normalise_key(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| if c.is_whitespace() || c == '-' { '_' } else { c.to_ascii_uppercase() })
        .collect()
}

impl Tabular {
    /// Reads a delimited file. `separator` forces one; otherwise it is detected from the header.
    pub fn read(path: &Path, separator: Option<u8>, report: &mut Report) -> Result<Self, IngestError> {
        let text = read_text(path, report)?;
        let table = Self::parse(path, &text, separator)?;
        if table.rows.is_empty() {
            report.push(Severity::Warning, Location::file(path), "the table has a header but no data rows; nothing was read from it");
        }
        Ok(table)
    }

    /// Parses delimited text read from `path`.
    pub fn parse(path: &Path, text: &str, separator: Option<u8>) -> Result<Self, IngestError> {
        if text.trim().is_empty() {
            return Err(IngestError::Malformed { location: Location::file(path), message: "the file is empty".into() });
        }
        let detected = detect_separator(text);
        let separator = match (separator, detected) {
            (Some(s), _) if text.lines().next().is_some_and(|h| h.as_bytes().contains(&s)) => s,
            (Some(s), found) => {
                return Err(IngestError::Malformed {
                    location: Location::line(path, 1),
                    message: format!(
                        "wrong separator: the config says `{}` but the header has none{}",
                        s as char,
                        found.map_or(String::new(), |f| format!(" (it looks `{}`-separated)", f as char))
                    ),
                });
            }
            (None, Some(s)) => s,
            (None, None) => {
                return Err(IngestError::Malformed {
                    location: Location::line(path, 1),
                    message: "cannot find a separator (`;`, `,` or tab) in the header line".into(),
                });
            }
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(path, &e))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let keys = header.iter().map(|h| normalise_key(h)).collect();
        // Trailing unnamed columns (`A;B;;`) may be absent from a row; named ones may not.
        let named = header.iter().rposition(|h| !h.is_empty()).map_or(0, |i| i + 1);
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(path, &e))?;
            let line = record.position().map_or(0, csv::Position::line);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if let Some(column) = runaway_quote(&record, header.len(), named, separator) {
                let field = &record[column];
                let swallowed = field.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
                let start: String = field.chars().take(30).take_while(|&c| c != '\n' && c != '\r').collect();
                return Err(IngestError::Malformed {
                    location: Location::at(path, line, column as u64 + 1),
                    message: format!(
                        "a quote opened here is not closed on its line: field {} (`\"{start}…`) swallows the {swallowed} line(s) after it; remove the stray `\"` or close it",
                        column + 1
                    ),
                });
            }
            if record.len() < named {
                let missing = record.len();
                let quoted = record.iter().position(|f| f.contains(separator as char));
                return Err(IngestError::Malformed {
                    location: Location::at(path, line, missing as u64 + 1),
                    message: format!(
                        "row has {} field(s) but the header has {named}: `{}` and the columns after it are missing ({})",
                        record.len(),
                        header[missing],
                        quoted.map_or_else(
                            || "a truncated line?".to_string(),
                            |q| format!("field {} holds `{}` inside quotes: a stray `\"`?", q + 1, separator as char)
                        )
                    ),
                });
            }
            if record.len() > header.len() && record.iter().skip(header.len()).any(|f| !f.trim().is_empty()) {
                return Err(IngestError::Malformed {
                    location: Location::at(path, line, header.len() as u64 + 1),
                    message: format!(
                        "row has {} fields but the header has {}; is the separator `{}` right?",
                        record.len(),
                        header.len(),
                        separator as char
                    ),
                });
            }
            rows.push((line, record.iter().map(str::to_string).collect()));
        }
        Ok(Tabular { path: path.to_path_buf(), header, keys, rows, separator })
    }

    /// Index of the first column whose normalised name is in `candidates`.
    pub fn find(&self, candidates: &[&str]) -> Option<usize> {
        candidates.iter().find_map(|c| self.keys.iter().position(|k| k == &normalise_key(c)))
    }

    /// Like [`Tabular::find`], but a missing column is an error naming the header line.
    pub fn require(&self, candidates: &[&str]) -> Result<usize, IngestError> {
        self.find(candidates).ok_or_else(|| IngestError::MissingColumn {
            location: Location::line(&self.path, 1),
            column: candidates.join(" or "),
            found: abbreviate(&self.header),
        })
    }

    /// The field of a row, empty when the row is short.
    pub fn field(fields: &[String], index: usize) -> &str {
        fields.get(index).map_or("", String::as_str)
    }
}

/// The field where a stray opening quote swallowed the following rows: a field holding a line
/// break, in a row that then lacks fields or whose field holds a line shaped like a row (as many
/// separators as the header). Quoted multi-line text (addresses, descriptions) is not one.
fn runaway_quote(record: &csv::StringRecord, width: usize, named: usize, separator: u8) -> Option<usize> {
    let sep = separator as char;
    let row_like = width.saturating_sub(1).max(2);
    record.iter().position(|f| {
        f.lines().skip(1).any(|l| !l.trim().is_empty())
            && (record.len() < named || f.lines().skip(1).any(|l| l.matches(sep).count() >= row_like))
    })
}

fn abbreviate(header: &[String]) -> String {
    let shown: Vec<&str> = header.iter().filter(|h| !h.is_empty()).take(8).map(String::as_str).collect();
    let more = header.iter().filter(|h| !h.is_empty()).count().saturating_sub(shown.len());
    if more > 0 { format!("{}, … ({more} more)", shown.join(", ")) } else { shown.join(", ") }
}

fn csv_error(path: &Path, e: &csv::Error) -> IngestError {
    let location = match e.position() {
        Some(p) => Location::line(path, p.line()),
        None => Location::file(path),
    };
    IngestError::Malformed { location, message: format!("malformed CSV: {e}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_empty_columns_are_accepted() {
        let t = Tabular::parse(Path::new("q.csv"), "CODGEO;POP;;\nQP038001;2 785;;\n", None).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].0, 2);
        assert_eq!(t.find(&["pop"]), Some(1));
    }

    #[test]
    fn extra_fields_point_at_the_line() {
        let err = Tabular::parse(Path::new("q.csv"), "A;B\n1;2\n3;4;5\n", None).unwrap_err();
        assert!(err.to_string().starts_with("q.csv:3:3:"), "{err}");
    }

    #[test]
    fn forced_separator_absent_from_header() {
        let err = Tabular::parse(Path::new("q.csv"), "A,B\n1,2\n", Some(b';')).unwrap_err();
        assert!(err.to_string().contains("wrong separator"), "{err}");
        assert!(err.to_string().contains("`,`-separated"), "{err}");
    }
}
