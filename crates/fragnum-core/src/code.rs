//! Zone codes and levels.
//!
//! Codes are strings, always: `"381850101"`, `"2A004"`, `"QP038001"`. Leading zeros and the
//! Corsican `2A`/`2B` survive every step. A code is checked against its level when it is built.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The geographic level of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// INSEE infra-communal zone, 9 characters: commune code + 4 digits.
    Iris,
    /// Commune, 5 characters (`38185`, `2A004`).
    Commune,
    /// Quartier prioritaire de la politique de la ville (`QP038001`).
    Qpv,
    /// Inter-communal body, its 9-digit SIREN.
    Epci,
    /// Département (`38`, `2A`, `974`).
    Departement,
    /// Région, 2 digits.
    Region,
    /// Any grouping defined in a config (a city's *secteurs*, a study perimeter).
    Group,
}

impl Level {
    /// The lowercase name used in configs and output tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Iris => "iris",
            Level::Commune => "commune",
            Level::Qpv => "qpv",
            Level::Epci => "epci",
            Level::Departement => "departement",
            Level::Region => "region",
            Level::Group => "group",
        }
    }

    /// All levels, finest first.
    pub const ALL: [Level; 7] = [Level::Iris, Level::Commune, Level::Qpv, Level::Epci, Level::Departement, Level::Region, Level::Group];
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL.into_iter().find(|l| l.as_str() == s.trim().to_lowercase()).ok_or_else(|| CodeError::UnknownLevel(s.to_string()))
    }
}

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    /// The code does not have the shape its level requires.
    #[error("`{code}` is not a valid {level} code: {expected}")]
    Malformed {
        /// The code as read.
        code: String,
        /// The level it was read for.
        level: Level,
        /// What a code of that level looks like.
        expected: &'static str,
    },
    /// A level name that fragnum does not know.
    #[error("unknown zone level `{0}` (expected one of iris, commune, qpv, epci, departement, region, group)")]
    UnknownLevel(String),
}

/// A validated zone code with its level.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ZoneCode {
    level: Level,
    code: String,
}

fn is_commune(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && (b[..2].iter().all(u8::is_ascii_digit) || s.starts_with("2A") || s.starts_with("2B"))
        && b[2..].iter().all(u8::is_ascii_digit)
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

impl ZoneCode {
    /// Checks `raw` (surrounding spaces removed) against the shape of `level`.
    ///
    /// ```
    /// use fragnum_core::{Level, ZoneCode};
    /// let iris = ZoneCode::new(Level::Iris, "381850101").unwrap();
    /// assert_eq!(iris.commune(), Some("38185"));
    /// assert!(ZoneCode::new(Level::Iris, "38185010").is_err());
    /// assert!(ZoneCode::new(Level::Commune, "2A004").is_ok());
    /// ```
    pub fn new(level: Level, raw: &str) -> Result<Self, CodeError> {
        let code = raw.trim();
        let (ok, expected) = match level {
            Level::Iris => (
                code.len() == 9 && is_commune(&code[..5]) && all_digits(&code[5..], 4),
                "9 characters, a commune code followed by 4 digits",
            ),
            Level::Commune => (is_commune(code), "5 characters, digits (2A/2B for Corsica)"),
            Level::Qpv => (
                code.len() == 8
                    && (code.starts_with("QP") || code.starts_with("QN"))
                    && code[2..].bytes().all(|b| b.is_ascii_alphanumeric()),
                "8 characters starting with QP or QN",
            ),
            Level::Epci => (all_digits(code, 9), "a 9-digit SIREN"),
            Level::Departement => (
                all_digits(code, 2) || code == "2A" || code == "2B" || (all_digits(code, 3) && code.starts_with("97")),
                "2 characters (2A/2B) or 97x",
            ),
            Level::Region => (all_digits(code, 2), "2 digits"),
            Level::Group => (!code.is_empty(), "a non-empty name"),
        };
        if ok {
            Ok(ZoneCode { level, code: code.to_string() })
        } else {
            Err(CodeError::Malformed { code: raw.to_string(), level, expected })
        }
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The level of the zone.
    pub fn level(&self) -> Level {
        self.level
    }

    /// The commune this zone lies in, for IRIS and communes.
    pub fn commune(&self) -> Option<&str> {
        match self.level {
            Level::Iris => Some(&self.code[..5]),
            Level::Commune => Some(&self.code),
            _ => None,
        }
    }

    /// The département of an IRIS, commune or QPV (`QP038001` → `38`).
    ///
    /// ```
    /// use fragnum_core::{Level, ZoneCode};
    /// assert_eq!(ZoneCode::new(Level::Qpv, "QP073002").unwrap().departement(), Some("73"));
    /// assert_eq!(ZoneCode::new(Level::Commune, "97411").unwrap().departement(), Some("974"));
    /// ```
    pub fn departement(&self) -> Option<&str> {
        match self.level {
            Level::Iris | Level::Commune => {
                let c = &self.code;
                Some(if c.starts_with("97") { &c[..3] } else { &c[..2] })
            }
            Level::Qpv => {
                let d = &self.code[2..5];
                Some(d.strip_prefix('0').unwrap_or(d))
            }
            Level::Departement => Some(&self.code),
            _ => None,
        }
    }
}

impl fmt::Display for ZoneCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_length_iris_is_refused_with_reason() {
        let err = ZoneCode::new(Level::Iris, "3818501").unwrap_err();
        assert!(err.to_string().contains("9 characters"), "{err}");
    }

    #[test]
    fn corsican_iris_and_leading_zero() {
        assert_eq!(ZoneCode::new(Level::Iris, "2A0040000").unwrap().departement(), Some("2A"));
        assert_eq!(ZoneCode::new(Level::Commune, "01001").unwrap().as_str(), "01001");
    }

    #[test]
    fn levels_round_trip() {
        for l in Level::ALL {
            assert_eq!(l.as_str().parse::<Level>().unwrap(), l);
        }
        assert!("canton".parse::<Level>().is_err());
    }
}
