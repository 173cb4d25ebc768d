//! Numbers as INSEE, CAF and Filosofi publish them.
//!
//! Decimal comma (`20,3`), spaces, non-breaking or thin spaces as thousands separators
//! (`6 490`), `s` / `ns` / `nd` for the secret statistique, `so` (*sans objet*) for not applicable.

use fragnum_core::Cell;

/// What an empty cell means in a given table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Blank {
    /// Empty means no figure (the default).
    #[default]
    Missing,
    /// Empty means withheld by the secret statistique (CAF, QPV tables).
    Masked,
}

/// Parses one cell. `Err(())` means the text is not a number and not a known marker.
///
/// ```
/// use fragnum_core::Cell;
/// use fragnum_ingest::number::{parse_cell, Blank};
/// assert_eq!(parse_cell("6 490", Blank::Missing), Ok(Cell::Value(6490.0)));
/// assert_eq!(parse_cell("20,3", Blank::Missing), Ok(Cell::Value(20.3)));
/// assert_eq!(parse_cell("s", Blank::Missing), Ok(Cell::Masked));
/// assert_eq!(parse_cell("", Blank::Masked), Ok(Cell::Masked));
/// assert!(parse_cell("abc", Blank::Missing).is_err());
/// ```
#[allow(clippy::result_unit_err)]
pub fn parse_cell(text: &str, blank: Blank) -> Result<Cell, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(match blank {
            Blank::Missing => Cell::Missing,
            Blank::Masked => Cell::Masked,
        });
    }
    match t.to_ascii_lowercase().as_str() {
        "s" | "ns" | "nd" | "secret" | "c" => return Ok(Cell::Masked),
        "so" | "na" | "nan" | "null" => return Ok(Cell::Missing),
        _ => {}
    }
    let mut cleaned: String =
        t.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')).collect();
    if cleaned.contains(',') {
        if cleaned.contains('.') {
            return Err(());
        }
        cleaned = cleaned.replace(',', ".");
    }
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Cell::Value(v)),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_stays_zero_and_blank_is_not_zero() {
        assert_eq!(parse_cell("0", Blank::Missing), Ok(Cell::Value(0.0)));
        assert_eq!(parse_cell("  ", Blank::Missing), Ok(Cell::Missing));
        assert_eq!(parse_cell("-16,1", Blank::Missing), Ok(Cell::Value(-16.1)));
        assert_eq!(parse_cell("2\u{202f}256", Blank::Missing), Ok(Cell::Value(2256.0)));
    }

    #[test]
    fn ambiguous_or_infinite_is_refused() {
        assert!(parse_cell("1.234,5", Blank::Missing).is_err());
        assert!(parse_cell("inf", Blank::Missing).is_err());
        assert!(parse_cell("12 %", Blank::Missing).is_err());
    }
}
