//! A CSV reader that remembers where each cell came from.

use std::path::{Path, PathBuf};

use fragnum_core::Location;
use fragnum_core::text::{Normalise, normalise};

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
    /// Data rows: (1-based line number, fields), every field's text in one buffer.
    pub rows: Rows,
    /// The separator used.
    pub separator: u8,
}

/// The data rows of a [`Tabular`]: every field's text back to back in one `String` and one
/// `u32` per field for where it ends, rather than a `String` per cell (a million-row INSEE table
/// of 70 columns is 70 million cells: about 4 GB as `String`s, the file's size plus 4 bytes a
/// field here). Iterating yields `(&line, row)` pairs.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Every field's text, row after row.
    text: String,
    /// End of each field in `text`, from the start of its row.
    ends: Vec<u32>,
    /// 1-based line number of each row.
    lines: Vec<u64>,
    /// Where each row starts in `text`, then the end of the last one.
    row_text: Vec<usize>,
    /// Where each row starts in `ends`, then the end of the last one.
    row_fields: Vec<usize>,
}

/// The fields of one data row.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    text: &'a str,
    ends: &'a [u32],
}

impl<'a> Row<'a> {
    /// The field `index`, empty when the row is short.
    pub fn get(&self, index: usize) -> &'a str {
        let Some(&end) = self.ends.get(index) else { return "" };
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.text[start as usize..end as usize]
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the row has no field.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

impl Rows {
    fn with_capacity(bytes: usize, fields: usize, rows: usize) -> Self {
        let mut r = Rows {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(fields),
            lines: Vec::with_capacity(rows),
            row_text: Vec::with_capacity(rows + 1),
            row_fields: Vec::with_capacity(rows + 1),
        };
        r.row_text.push(0);
        r.row_fields.push(0);
        r
    }

    /// Appends a row; `false` when it is too long to index (4 GB).
    fn push<'f>(&mut self, line: u64, fields: impl Iterator<Item = &'f str>) -> bool {
        let start = self.text.len();
        for f in fields {
            self.text.push_str(f);
            let Ok(end) = u32::try_from(self.text.len() - start) else { return false };
            self.ends.push(end);
        }
        self.lines.push(line);
        self.row_text.push(self.text.len());
        self.row_fields.push(self.ends.len());
        true
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Row `i` with its line number.
    pub fn get(&self, i: usize) -> Option<(u64, Row<'_>)> {
        let line = *self.lines.get(i)?;
        Some((
            line,
            Row { text: &self.text[self.row_text[i]..self.row_text[i + 1]], ends: &self.ends[self.row_fields[i]..self.row_fields[i + 1]] },
        ))
    }

    /// Every row with its line number.
    pub fn iter(&self) -> RowsIter<'_> {
        RowsIter { rows: self, next: 0 }
    }
}

/// Iterator over [`Rows`]: `(&line, row)`.
#[derive(Debug, Clone)]
pub struct RowsIter<'a> {
    rows: &'a Rows,
    next: usize,
}

impl<'a> Iterator for RowsIter<'a> {
    type Item = (&'a u64, Row<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let i = self.next;
        let (_, row) = self.rows.get(i)?;
        self.next += 1;
        Some((&self.rows.lines[i], row))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.rows.len() - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for RowsIter<'_> {}

impl<'a> IntoIterator for &'a Rows {
    type Item = (&'a u64, Row<'a>);
    type IntoIter = RowsIter<'a>;

    fn into_iter(self) -> RowsIter<'a> {
        self.iter()
    }
}

/// Normalises a header name for matching: [`Normalise::COLUMN`] (ASCII upper case, each space
/// and hyphen as `_`), the rule every reader of column names shares.
///
/// ```
/// assert_eq!(fragnum_ingest::tabular::normalise_key(" P16 Nscol15P Diplmin "), "P16_NSCOL15P_DIPLMIN");
/// ```
pub fn normalise_key(name: &str) -> String {
    normalise(name, Normalise::COLUMN)
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
        let mut reader = csv::ReaderBuilder::new().delimiter(separator).has_headers(true).flexible(true).from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().map_err(|e| csv_error(path, text, &e))?.iter().map(|h| h.trim().to_string()).collect();
        let keys = header.iter().map(|h| normalise_key(h)).collect();
        // Trailing unnamed columns (`A;B;;`) may be absent from a row; named ones may not.
        let named = header.iter().rposition(|h| !h.is_empty()).map_or(0, |i| i + 1);
        // Field texts are at most the file's bytes; one field per header column and line at most
        // is a close bound on INSEE tables (reserved once rather than grown by doubling).
        let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
        let mut rows = Rows::with_capacity(text.len(), lines.saturating_mul(header.len()), lines);
        // Line numbers are counted here from byte offsets: the csv crate's own count is one short
        // after a CRLF header (all INSEE and CAF downloads are CRLF).
        let mut lines_at = LineCounter::new(text);
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(path, text, &e))?;
            let line = record.position().map_or(0, |p| lines_at.line(p.byte()));
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
            if !rows.push(line, record.iter()) {
                return Err(IngestError::Malformed { location: Location::line(path, line), message: "row longer than 4 GB".into() });
            }
        }
        rows.shrink_to_fit();
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
    pub fn field(fields: Row<'_>, index: usize) -> &str {
        fields.get(index)
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

fn csv_error(path: &Path, text: &str, e: &csv::Error) -> IngestError {
    let location = match e.position() {
        Some(p) => Location::line(path, LineCounter::new(text).line(p.byte())),
        None => Location::file(path),
    };
    IngestError::Malformed { location, message: format!("malformed CSV: {e}") }
}

/// The 1-based line of the record starting at a byte offset of a text, for offsets met in
/// increasing order (each call counts only the newlines since the previous one).
struct LineCounter<'t> {
    text: &'t [u8],
    at: usize,
    line: u64,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter { text: text.as_bytes(), at: 0, line: 1 }
    }

    // The bytes between two record starts are few: not worth the `bytecount` crate.
    #[allow(clippy::naive_bytecount)]
    fn line(&mut self, byte: u64) -> u64 {
        let mut byte = (byte as usize).min(self.text.len());
        // After a CR the csv crate's record starts at the LF that ends the previous line.
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += self.text[self.at..byte].iter().filter(|&&b| b == b'\n').count() as u64;
        self.at = byte;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_right_with_crlf_line_ends() {
        let text = "CODGEO;P\r\n38185;1\r\n38186;2\r\n38187;x\r\n";
        let t = Tabular::parse(Path::new("t.csv"), text, None).unwrap();
        let lines: Vec<u64> = t.rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 3, 4]);
    }

    #[test]
    fn trailing_empty_columns_are_accepted() {
        let t = Tabular::parse(Path::new("q.csv"), "CODGEO;POP;;\nQP038001;2 785;;\n", None).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows.get(0).map(|(line, _)| line), Some(2));
        assert_eq!(t.rows.get(0).map(|(_, row)| (row.len(), row.get(1), row.get(9))), Some((4, "2 785", "")));
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
