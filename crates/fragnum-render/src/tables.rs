//! Tidy tables written as Parquet (for notebooks) and CSV (for spreadsheets), atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use fragnum_core::atomic;
use polars::prelude::{Column, CsvWriter, DataFrame, ParquetWriter, SerWriter};

use crate::RenderError;

/// The values of one column; `None` is written as null (never as zero).
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
}

impl ColumnData {
    fn len(&self) -> usize {
        match self {
            ColumnData::Text(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Int(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
        }
    }
}

/// A table being built column by column.
///
/// ```
/// use fragnum_render::tables::Table;
/// let dir = tempfile::tempdir().unwrap();
/// let files = Table::default()
///     .text("code", vec![Some("381850101".into())])
///     .float("pop", vec![Some(2_104.5)])
///     .write(dir.path(), "exemple")
///     .unwrap();
/// assert_eq!(files.len(), 2);
/// let csv = std::fs::read_to_string(dir.path().join("exemple.csv")).unwrap();
/// assert!(csv.starts_with("code,pop\n381850101,2104.5"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Table {
    columns: Vec<(String, ColumnData)>,
}

impl Table {
    /// Adds a text column.
    #[must_use]
    pub fn text(mut self, name: &str, values: Vec<Option<String>>) -> Self {
        self.columns.push((name.to_string(), ColumnData::Text(values)));
        self
    }

    /// Adds a float column.
    #[must_use]
    pub fn float(mut self, name: &str, values: Vec<Option<f64>>) -> Self {
        self.columns.push((name.to_string(), ColumnData::Float(values)));
        self
    }

    /// Adds an integer column.
    #[must_use]
    pub fn int(mut self, name: &str, values: Vec<Option<i64>>) -> Self {
        self.columns.push((name.to_string(), ColumnData::Int(values)));
        self
    }

    /// Adds a boolean column.
    #[must_use]
    pub fn bool(mut self, name: &str, values: Vec<Option<bool>>) -> Self {
        self.columns.push((name.to_string(), ColumnData::Bool(values)));
        self
    }

    /// Adds a column of any kind.
    pub fn push(&mut self, name: &str, data: ColumnData) {
        self.columns.push((name.to_string(), data));
    }

    /// Number of rows (of the first column).
    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    fn frame(&self, path: &Path) -> Result<DataFrame, RenderError> {
        let columns: Vec<Column> = self
            .columns
            .iter()
            .map(|(name, data)| match data {
                ColumnData::Text(v) => Column::new(name.as_str().into(), v),
                ColumnData::Float(v) => Column::new(name.as_str().into(), v),
                ColumnData::Int(v) => Column::new(name.as_str().into(), v),
                ColumnData::Bool(v) => Column::new(name.as_str().into(), v),
            })
            .collect();
        DataFrame::new(self.height(), columns)
            .map_err(|e| RenderError::Table { path: path.to_path_buf(), message: e.to_string() })
    }

    /// Writes `<dir>/<stem>.parquet` and `<dir>/<stem>.csv`; returns both paths.
    pub fn write(&self, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, RenderError> {
        let parquet = dir.join(format!("{stem}.parquet"));
        let csv = dir.join(format!("{stem}.csv"));
        self.write_parquet(&parquet)?;
        self.write_csv(&csv)?;
        Ok(vec![parquet, csv])
    }

    /// Writes Parquet only.
    pub fn write_parquet(&self, path: &Path) -> Result<(), RenderError> {
        let mut df = self.frame(path)?;
        let table_error = |e: polars::error::PolarsError| std::io::Error::other(e.to_string());
        atomic::write_with(path, |w: &mut dyn Write| ParquetWriter::new(w).finish(&mut df).map(|_| ()).map_err(table_error))
            .map_err(|e| RenderError::io(path, e))
    }

    /// Writes CSV only (comma separated, UTF-8, header, nulls as empty cells).
    pub fn write_csv(&self, path: &Path) -> Result<(), RenderError> {
        let mut df = self.frame(path)?;
        atomic::write_with(path, |w: &mut dyn Write| {
            CsvWriter::new(w).include_header(true).finish(&mut df).map_err(|e| std::io::Error::other(e.to_string()))
        })
        .map_err(|e| RenderError::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_stay_empty_not_zero() {
        let dir = tempfile::tempdir().unwrap();
        Table::default()
            .text("code", vec![Some("a".into()), Some("b".into())])
            .float("v", vec![None, Some(0.0)])
            .write(dir.path(), "t")
            .unwrap();
        let csv = std::fs::read_to_string(dir.path().join("t.csv")).unwrap();
        assert_eq!(csv, "code,v\na,\nb,0.0\n");
    }

    #[test]
    fn ragged_columns_are_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let err = Table::default()
            .text("a", vec![None])
            .float("b", vec![None, None])
            .write(dir.path(), "t")
            .unwrap_err();
        assert!(err.to_string().contains("t.parquet"), "{err}");
    }
}
