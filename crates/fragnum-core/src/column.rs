//! The values of one table column, as every stage hands them to the table writer
//! (`fragnum_render::tables`): the indices stage builds them, render writes them as Parquet and CSV.

use std::sync::Arc;

/// The values of one column; `None` is a null, never a zero.
///
/// ```
/// use fragnum_core::column::ColumnData;
/// let c = ColumnData::Float(vec![Some(1.5), None]);
/// assert_eq!(c.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Text (codes are always text).
    Text(Vec<Option<String>>),
    /// Floating-point values.
    Float(Vec<Option<f64>>),
    /// Integers.
    Int(Vec<Option<i64>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Text given as keys into shared labels, for text that repeats (zone codes, variable names,
    /// levels): 4 bytes a cell, no string per cell. Written as plain text, like [`Self::Text`].
    Dictionary {
        /// The texts.
        labels: Arc<[String]>,
        /// Per cell, the index of its text in `labels`; `None` is null.
        keys: Vec<Option<u32>>,
    },
}

impl ColumnData {
    /// Number of cells, nulls included.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Text(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Int(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
            ColumnData::Dictionary { keys, .. } => keys.len(),
        }
    }

    /// Whether the column has no cell.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
