//! Bytes to text, and CSV separator detection.
//!
//! INSEE files come as UTF-8 (with or without BOM) or Latin-1 (Windows-1252 in practice);
//! both are read without configuration, and a Latin-1 read is reported.

use std::path::Path;

use fragnum_core::Location;

use crate::{IngestError, Report, Severity};

/// Reads a whole file as text: UTF-8 (BOM removed) when valid, Windows-1252 otherwise.
pub fn read_text(path: &Path, report: &mut Report) -> Result<String, IngestError> {
    let mut bytes = std::fs::read(path).map_err(|e| IngestError::io(path, e))?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // UTF-8 is taken as it is, without a copy (a large table would briefly be held twice).
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => decode_without_bom(path, e.as_bytes(), report),
    })
}

/// Decodes bytes as [`read_text`] does.
pub fn decode(path: &Path, bytes: &[u8], report: &mut Report) -> String {
    decode_without_bom(path, bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes), report)
}

fn decode_without_bom(path: &Path, bytes: &[u8], report: &mut Report) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let (line, column) = line_column(bytes, e.valid_up_to());
            report.push(
                Severity::Note,
                Location::at(path, line, column),
                "not valid UTF-8 here; the file was read as Latin-1 (Windows-1252)",
            );
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text.into_owned()
        }
    }
}

// Runs only to locate an error for its message: not worth the `bytecount` crate.
#[allow(clippy::naive_bytecount)]
fn line_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    (line, (offset - start) as u64 + 1)
}

/// The separators fragnum accepts, in order of preference on ties.
pub const SEPARATORS: [u8; 3] = [b';', b',', b'\t'];

/// Picks the separator that splits the header line (outside quotes) into the most fields.
/// Returns `None` when none of `;`, `,` or tab occurs.
///
/// ```
/// assert_eq!(fragnum_ingest::text::detect_separator("IRIS;P21_POP\n1;2"), Some(b';'));
/// assert_eq!(fragnum_ingest::text::detect_separator("a|b"), None);
/// ```
pub fn detect_separator(text: &str) -> Option<u8> {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [0usize; SEPARATORS.len()];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = SEPARATORS.iter().position(|&s| s == b) {
            counts[i] += 1;
        }
    }
    let (best, &n) = counts.iter().enumerate().max_by_key(|&(i, n)| (*n, usize::MAX - i))?;
    (n > 0).then_some(SEPARATORS[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_is_decoded_and_reported() {
        let mut report = Report::default();
        let text = decode(Path::new("x.csv"), b"LIBCOM\nSaint-\xC9tienne\n", &mut report);
        assert_eq!(text, "LIBCOM\nSaint-Étienne\n");
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.problems[0].location.to_string(), "x.csv:2:7");
    }

    #[test]
    fn bom_is_removed() {
        let mut report = Report::default();
        assert_eq!(decode(Path::new("x"), b"\xEF\xBB\xBFCODGEO", &mut report), "CODGEO");
        assert!(report.problems.is_empty());
    }

    #[test]
    fn separator_inside_quotes_is_ignored() {
        assert_eq!(detect_separator("\"a;b;c\",d,e"), Some(b','));
    }
}
