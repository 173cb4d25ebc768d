//! French number formatting for everything people read: `1 234`, `12,5 %`, `18 min`, `1 250 €`.
//!
//! One convention everywhere: the thousands separator and the space before a unit are the
//! narrow no-break space U+202F (as recommended by the Imprimerie nationale; DejaVu Sans has
//! the glyph), the decimal mark is a comma, and the minus sign is U+2212.

use serde::{Deserialize, Serialize};

/// The narrow no-break space used between digit groups and before units.
pub const NNBSP: char = '\u{202F}';

/// What a figure measures; decides its unit sign and default number of decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A share in percent, stored as 0–100 (not 0–1).
    #[default]
    Percent,
    /// A number of people, households, sites…
    Count,
    /// A unitless score (IFN, composite indices).
    Index,
    /// A travel time in minutes.
    Minutes,
    /// An amount in euros.
    Euros,
}

impl Unit {
    /// Decimals shown by default (legends, tables).
    pub fn default_decimals(self) -> usize {
        match self {
            Unit::Percent | Unit::Index => 1,
            Unit::Count | Unit::Minutes | Unit::Euros => 0,
        }
    }

    /// The sign written after a number (`%`, `min`, `€`), empty for counts and indices.
    pub fn sign(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Minutes => "min",
            Unit::Euros => "€",
            Unit::Count | Unit::Index => "",
        }
    }

    /// A French phrase naming the unit, for legend titles (`en %`, `en minutes`…).
    pub fn caption(self) -> &'static str {
        match self {
            Unit::Percent => "en %",
            Unit::Count => "effectifs",
            Unit::Index => "indice",
            Unit::Minutes => "en minutes",
            Unit::Euros => "en euros",
        }
    }
}

/// Formats `v` with `decimals` decimals, a comma as decimal mark and U+202F between groups of three digits.
///
/// ```
/// use fragnum_render::format::number;
/// assert_eq!(number(1234.5, 1), "1\u{202F}234,5");
/// assert_eq!(number(-0.04, 1), "0,0");
/// assert_eq!(number(-1500.0, 0), "\u{2212}1\u{202F}500");
/// ```
pub fn number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let text = format!("{:.*}", decimals, v.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let is_zero = text.bytes().all(|b| b == b'0' || b == b'.');
    let mut out = String::with_capacity(text.len() + 8);
    if v < 0.0 && !is_zero {
        out.push('\u{2212}');
    }
    let digits = int_part.as_bytes();
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(NNBSP);
        }
        out.push(char::from(*d));
    }
    if let Some(f) = frac_part {
        out.push(',');
        out.push_str(f);
    }
    out
}

/// Formats `v` followed by the sign of `unit` (`12,5 %`, `18 min`, `1 234`).
///
/// ```
/// use fragnum_render::format::{with_unit, Unit};
/// assert_eq!(with_unit(12.5, Unit::Percent, 1), "12,5\u{202F}%");
/// assert_eq!(with_unit(1234.0, Unit::Count, 0), "1\u{202F}234");
/// ```
pub fn with_unit(v: f64, unit: Unit, decimals: usize) -> String {
    let n = number(v, decimals);
    match unit.sign() {
        "" => n,
        sign => format!("{n}{NNBSP}{sign}"),
    }
}

/// Formats `v` with the default decimals of `unit`.
pub fn value(v: f64, unit: Unit) -> String {
    with_unit(v, unit, unit.default_decimals())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_rounding() {
        assert_eq!(number(0.0, 0), "0");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1000.0, 0), "1\u{202F}000");
        assert_eq!(number(1_234_567.891, 2), "1\u{202F}234\u{202F}567,89");
        assert_eq!(number(12.45, 1), "12,4"); // 12.45 is 12.4499… in binary
        assert_eq!(number(f64::NAN, 1), "–");
    }

    #[test]
    fn units() {
        assert_eq!(value(18.4, Unit::Minutes), "18\u{202F}min");
        assert_eq!(value(21_350.0, Unit::Euros), "21\u{202F}350\u{202F}€");
        assert_eq!(value(104.25, Unit::Index), "104,2");
    }
}
