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
    parse_value(text, blank).map_err(|_| ())
}

/// Why a cell was refused by [`parse_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a number and not a known marker (`abc`, `12 %`, `1.234,5`).
    NotANumber,
    /// A number that is not finite (`NaN`, `inf`, `1e400`): never read as missing.
    NotFinite,
}

/// Like [`parse_cell`], saying why a cell is refused.
///
/// ```
/// use fragnum_ingest::number::{parse_value, Blank, Refused};
/// assert_eq!(parse_value("NaN", Blank::Missing), Err(Refused::NotFinite));
/// assert_eq!(parse_value("douze", Blank::Missing), Err(Refused::NotANumber));
/// ```
pub fn parse_value(text: &str, blank: Blank) -> Result<Cell, Refused> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(match blank {
            Blank::Missing => Cell::Missing,
            Blank::Masked => Cell::Masked,
        });
    }
    match t.to_ascii_lowercase().as_str() {
        "s" | "ns" | "nd" | "secret" | "c" => return Ok(Cell::Masked),
        "so" | "na" | "null" => return Ok(Cell::Missing),
        _ => {}
    }
    let mut cleaned: String = t.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')).collect();
    if cleaned.contains(',') {
        if cleaned.contains('.') {
            return Err(Refused::NotANumber);
        }
        cleaned = cleaned.replace(',', ".");
    }
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Cell::Value(v)),
        Ok(_) => Err(Refused::NotFinite),
        Err(_) => Err(Refused::NotANumber),
    }
}

/// Largest count accepted in one zone: more people (or households, claimants…) than this is a
/// misplaced decimal or exponent, not a figure.
pub const MAX_COUNT: f64 = 1e9;

/// True when a vintage-free variable is a count (people, households, families, claimants, job
/// seekers, dwellings), which must be ≥ 0 and at most [`MAX_COUNT`]; shares, rates and incomes
/// (`part_*`, `taux_*`, `tx_*`, `disp_*`, `dec_*`, `mednum_*`) need only be finite.
///
/// ```
/// use fragnum_ingest::number::is_count;
/// assert!(is_count("pop_1529") && is_count("caf_rsa_socle") && is_count("men_pseul") && is_count("fisc_men"));
/// assert!(!is_count("disp_pimpot") && !is_count("part_60p") && !is_count("taux_emploi") && !is_count("mednum_seuil_dep_part_65p"));
/// ```
pub fn is_count(variable: &str) -> bool {
    const NOT_COUNTS: [&str; 6] = ["part_", "taux_", "tx_", "disp_", "dec_", "mednum_"];
    const COUNTS: [&str; 12] = ["pop", "nscol", "men", "pmen", "fam", "caf_", "de_", "rp_", "act", "chom", "inact", "fisc_"];
    !NOT_COUNTS.iter().any(|p| variable.starts_with(p)) && COUNTS.iter().any(|p| variable.starts_with(p))
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

    #[test]
    fn nan_is_refused_not_missing() {
        for t in ["NaN", "nan", "-inf", "Infinity", "1e309"] {
            assert_eq!(parse_value(t, Blank::Missing), Err(Refused::NotFinite), "{t}");
        }
        assert_eq!(parse_value("1e308", Blank::Missing), Ok(Cell::Value(1e308)));
        assert_eq!(parse_value("so", Blank::Missing), Ok(Cell::Missing));
    }
}
