//! One statistical value as published: a number, missing, or masked by the secret statistique.

use serde::{Deserialize, Serialize};

/// A published count or rate.
///
/// INSEE and CAF tables leave a cell blank or write `s` / `ns` when the figure is
/// covered by the *secret statistique*; that is not zero and must never become zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum Cell {
    /// A published number (INSEE IRIS counts are weighted estimates, hence `f64`).
    Value(f64),
    /// No figure for this zone (the table does not cover it, or the cell was empty).
    #[default]
    Missing,
    /// The figure exists but is withheld (secret statistique, `s`, `ns`, `nd`).
    Masked,
}

impl Cell {
    /// The number, if there is one.
    ///
    /// ```
    /// use fragnum_core::Cell;
    /// assert_eq!(Cell::Value(2.5).value(), Some(2.5));
    /// assert_eq!(Cell::Masked.value(), None);
    /// ```
    pub fn value(self) -> Option<f64> {
        match self {
            Cell::Value(v) => Some(v),
            Cell::Missing | Cell::Masked => None,
        }
    }

    /// True when the cell holds a number.
    pub fn is_value(self) -> bool {
        matches!(self, Cell::Value(_))
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Missing, Cell::Value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_is_not_zero() {
        assert_ne!(Cell::Masked, Cell::Value(0.0));
        assert_eq!(Cell::Masked.value(), None);
        assert_eq!(Cell::from(None), Cell::Missing);
    }
}
