//! Tidy tables written as Parquet (for notebooks) and CSV (for spreadsheets), atomically.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fragnum_core::atomic;
use polars::prelude::{Column, CsvWriter, DataFrame, IntoColumn, NewChunkedArray, ParquetWriter, SerWriter, StringChunked};

use crate::RenderError;

/// The values of one column, shared with the stages that build tables (`None` is written as
/// null, never as zero).
pub use fragnum_core::column::ColumnData;

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

    /// Adds a text column given as keys into `labels` ([`ColumnData::Dictionary`]).
    #[must_use]
    pub fn dictionary(mut self, name: &str, labels: Arc<[String]>, keys: Vec<Option<u32>>) -> Self {
        self.columns.push((name.to_string(), ColumnData::Dictionary { labels, keys }));
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
        let error = |message: String| RenderError::Table { path: path.to_path_buf(), message };
        let columns: Vec<Column> = self
            .columns
            .iter()
            .map(|(name, data)| match data {
                ColumnData::Text(v) => Ok(Column::new(name.as_str().into(), v)),
                ColumnData::Float(v) => Ok(Column::new(name.as_str().into(), v)),
                ColumnData::Int(v) => Ok(Column::new(name.as_str().into(), v)),
                ColumnData::Bool(v) => Ok(Column::new(name.as_str().into(), v)),
                ColumnData::Dictionary { labels, keys } => {
                    if let Some(k) = keys.iter().flatten().find(|&&k| k as usize >= labels.len()) {
                        return Err(error(format!("column `{name}`: key {k} of {} labels", labels.len())));
                    }
                    let texts = keys.iter().map(|k| k.map(|k| labels[k as usize].as_str()));
                    Ok(StringChunked::from_iter_options(name.as_str().into(), texts).into_column())
                }
            })
            .collect::<Result<_, _>>()?;
        DataFrame::new(self.height(), columns).map_err(|e| error(e.to_string()))
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

/// Rows of a Parquet row group when polars writes a whole table (`ParquetWriter::finish`): 512².
const ROW_GROUP: usize = 512 * 512;

/// The row groups `ParquetWriter::finish` cuts a one-chunk table of `height` rows into, with
/// groups of `size` rows: one when shorter than two groups, else `height / size` groups of equal
/// length, the last one taking the remainder.
fn row_groups(height: usize, size: usize) -> Vec<Range<usize>> {
    let n = height / size.max(1);
    if n <= 1 {
        return vec![Range { start: 0, end: height }];
    }
    let len = height / n;
    (0..n).map(|i| i * len..if i + 1 == n { height } else { (i + 1) * len }).collect()
}

/// Writes a table too big to hold whole as `<dir>/<stem>.parquet` and `<dir>/<stem>.csv`, one
/// Parquet row group at a time; returns both paths.
///
/// `part` gives the rows in a range of the table's `height` rows; it is called with consecutive
/// ranges from 0 to `height`, once for the Parquet file and again for the CSV. Memory is that of
/// one row group (512² rows), and both files are byte for byte those [`Table::write`] would write
/// for the whole table.
///
/// ```
/// use fragnum_render::tables::{write_in_parts, Table};
/// let dir = tempfile::tempdir().unwrap();
/// let codes = ["a", "b", "c"];
/// write_in_parts(dir.path(), "exemple", codes.len(), |rows| {
///     Table::default().text("code", codes[rows].iter().map(|c| Some(c.to_string())).collect())
/// })
/// .unwrap();
/// let csv = std::fs::read_to_string(dir.path().join("exemple.csv")).unwrap();
/// assert_eq!(csv, "code\na\nb\nc\n");
/// ```
pub fn write_in_parts(dir: &Path, stem: &str, height: usize, part: impl FnMut(Range<usize>) -> Table) -> Result<Vec<PathBuf>, RenderError> {
    write_in_groups(dir, stem, height, ROW_GROUP, part)
}

fn write_in_groups(
    dir: &Path,
    stem: &str,
    height: usize,
    group_size: usize,
    mut part: impl FnMut(Range<usize>) -> Table,
) -> Result<Vec<PathBuf>, RenderError> {
    let parquet = dir.join(format!("{stem}.parquet"));
    let csv = dir.join(format!("{stem}.csv"));
    let groups = row_groups(height, group_size);
    if let [rows] = groups.as_slice() {
        // One group: the whole table, exactly as `Table::write` writes it.
        let table = part(rows.clone());
        check_height(&table, rows.len(), &parquet)?;
        return table.write(dir, stem);
    }
    write_parts(&parquet, Format::Parquet, &groups, &mut part)?;
    write_parts(&csv, Format::Csv, &groups, &mut part)?;
    Ok(vec![parquet, csv])
}

fn check_height(table: &Table, expected: usize, path: &Path) -> Result<(), RenderError> {
    if table.height() == expected {
        return Ok(());
    }
    Err(RenderError::Table {
        path: path.to_path_buf(),
        message: format!("a part of {} rows where {expected} were expected", table.height()),
    })
}

#[derive(Clone, Copy)]
enum Format {
    Parquet,
    Csv,
}

/// Writes `path` atomically from the parts of `groups` (at least one), one frame at a time.
fn write_parts(
    path: &Path,
    format: Format,
    groups: &[Range<usize>],
    part: &mut impl FnMut(Range<usize>) -> Table,
) -> Result<(), RenderError> {
    // An error building a part is kept here and returned as it is, not as an I/O error.
    let mut failed = None;
    let mut next = |rows: &Range<usize>| {
        let table = part(rows.clone());
        check_height(&table, rows.len(), path).and_then(|()| table.frame(path)).map_err(|e| {
            failed = Some(e);
            std::io::Error::other("a part of the table could not be built")
        })
    };
    let pe = |e: polars::error::PolarsError| std::io::Error::other(e.to_string());
    let written = atomic::write_with(path, |w: &mut dyn Write| {
        let (first, rest) = groups.split_first().ok_or_else(|| std::io::Error::other("no rows to write"))?;
        let df = next(first)?;
        match format {
            Format::Parquet => {
                let mut writer = ParquetWriter::new(w).batched(df.schema()).map_err(pe)?;
                writer.write_batch(&df).map_err(pe)?;
                drop(df);
                for rows in rest {
                    writer.write_batch(&next(rows)?).map_err(pe)?;
                }
                writer.finish().map(|_| ()).map_err(pe)
            }
            Format::Csv => {
                let mut writer = CsvWriter::new(w).include_header(true).batched(df.schema()).map_err(pe)?;
                writer.write_batch(&df).map_err(pe)?;
                drop(df);
                for rows in rest {
                    writer.write_batch(&next(rows)?).map_err(pe)?;
                }
                writer.finish().map_err(pe)
            }
        }
    });
    match (written, failed) {
        (_, Some(e)) => Err(e),
        (Err(e), None) => Err(RenderError::io(path, e)),
        (Ok(()), None) => Ok(()),
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

    /// A table of `rows` of a test table: text with repeats and nulls, floats, integers.
    fn rows(rows: Range<usize>) -> Table {
        let levels: Arc<[String]> = ["value".to_string(), "masked".to_string()].into();
        Table::default()
            .text("code", rows.clone().map(|i| (i % 11 != 0).then(|| format!("{:09}", i * 7 % 1_000))).collect())
            .dictionary("status", levels, rows.clone().map(|i| (i % 5 != 0).then_some(u32::from(i % 2 == 0))).collect())
            .float("value", rows.clone().map(|i| (i % 3 != 0).then(|| i as f64 / 7.0)).collect())
            .int("vintage", rows.map(|i| Some(if i < 2_000 { 2_016 } else { 2_021 })).collect())
    }

    #[test]
    fn a_table_written_in_parts_has_the_bytes_of_the_whole_table() {
        let dir = tempfile::tempdir().unwrap();
        let (height, group) = (3_500, 1_000); // groups of 1,166, 1,166 and 1,168 rows
        let whole = rows(0..height);
        let mut df = whole.frame(Path::new("whole")).unwrap();
        let mut parquet = Vec::new();
        ParquetWriter::new(&mut parquet).with_row_group_size(Some(group)).finish(&mut df).unwrap();
        whole.write_csv(&dir.path().join("whole.csv")).unwrap();
        let mut calls = Vec::new();
        write_in_groups(dir.path(), "parts", height, group, |r| {
            calls.push(r.clone());
            rows(r)
        })
        .unwrap();
        assert_eq!(calls, [0..1_166, 1_166..2_332, 2_332..3_500, 0..1_166, 1_166..2_332, 2_332..3_500]);
        assert!(std::fs::read(dir.path().join("parts.parquet")).unwrap() == parquet, "Parquet bytes differ");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("parts.csv")).unwrap(),
            std::fs::read_to_string(dir.path().join("whole.csv")).unwrap()
        );
        // Shorter than two groups: one part, the whole table.
        assert_eq!(row_groups(2 * ROW_GROUP - 1, ROW_GROUP), [Range { start: 0, end: 2 * ROW_GROUP - 1 }]);
        assert_eq!(row_groups(0, ROW_GROUP), [Range { start: 0, end: 0 }]);
    }

    #[test]
    fn a_dictionary_column_is_written_as_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let labels: Arc<[String]> = ["381850101".to_string(), "masked".to_string()].into();
        let keys = vec![Some(1), None, Some(0), Some(1)];
        let texts = keys.iter().map(|k: &Option<u32>| k.map(|k| labels[k as usize].clone())).collect();
        Table::default().dictionary("t", labels.clone(), keys).write(dir.path(), "dictionary").unwrap();
        Table::default().text("t", texts).write(dir.path(), "text").unwrap();
        for ext in ["parquet", "csv"] {
            let read = |stem: &str| std::fs::read(dir.path().join(format!("{stem}.{ext}"))).unwrap();
            assert!(read("dictionary") == read("text"), "{ext} differs");
        }
        let bad = Table::default().dictionary("t", labels, vec![Some(2)]).write(dir.path(), "bad").unwrap_err();
        assert!(bad.to_string().contains("key 2 of 2 labels"), "{bad}");
    }

    #[test]
    fn a_part_of_the_wrong_height_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_in_groups(dir.path(), "t", 30, 10, |r| rows(r.start..r.end + 1)).unwrap_err();
        assert!(err.to_string().contains("t.parquet") && err.to_string().contains("11 rows"), "{err}");
        assert!(!dir.path().join("t.parquet").exists());
    }

    #[test]
    fn ragged_columns_are_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let err = Table::default().text("a", vec![None]).float("b", vec![None, None]).write(dir.path(), "t").unwrap_err();
        assert!(err.to_string().contains("t.parquet"), "{err}");
    }
}
