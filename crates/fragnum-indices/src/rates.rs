//! Survey rate tables (`config/rates/*.csv`): published marginal rates per population group.
//!
//! A file is CSV (comma separated, UTF-8) whose first lines may be `#` comments (the citation).
//! The header names these columns, in any order:
//!
//! | column | meaning |
//! |---|---|
//! | `indicator` | `illectronisme`, `no_daily_internet`, `no_computer_and_internet`… (free text; one output column set per indicator) |
//! | `dimension` | `all` (the whole universe), `age`, `sex`, `diploma`, `csp`, `income`… |
//! | `category` | the survey's label (`75 ans ou plus`) |
//! | `variables` | the zone-table variables whose population *is* that group: `pop_1529+pop_3044`; for `all`, alternatives are allowed (`pop_15p\|pop_1529+pop_3044+pop_4559+pop_6074+pop_75p`) |
//! | `rate_percent` | 0–100, `.` or `,` as decimal mark |
//! | `universe` | the survey population the rate applies to (`15 ans ou plus`), the same for every row of an indicator |
//! | `source` | publication and where the figure was read |
//! | `year` | survey year |
//! | `status` | `published`, or `estimated` (then `note` must give the reasoning) |
//! | `note` | free text |
//! | `sample_size` | optional: the survey's respondents in the universe, for the sampling part of the 90 % interval (read on the `all` row) |
//! | `sample_source` | where the sample size was read, or how it was assumed (required with `sample_size`) |
//! | `title` | optional: the indicator's French title on maps and sheets (read on the `all` row) |
//!
//! The categories of one dimension must partition the universe (the estimators check the census
//! coverage zone by zone). Every indicator needs one `all` row: its variables define the universe
//! population of a zone, and its rate is the fallback when a zone has no usable dimension.

use std::collections::BTreeMap;

use fragnum_core::Location;

use crate::IndicesError;
use crate::expr::{Expr, Term};

/// Whether a rate was read in a publication or filled in by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateStatus {
    /// Read in a publication (the `source` column says where).
    Published,
    /// Filled in to complete a partition; the `note` column says how.
    Estimated,
}

/// One published (or estimated) rate.
#[derive(Debug, Clone, PartialEq)]
pub struct RateRow {
    /// Indicator name.
    pub indicator: String,
    /// Dimension (`all`, `age`, `diploma`…).
    pub dimension: String,
    /// Category label as published.
    pub category: String,
    /// Zone-table variables making up the group.
    pub variables: Expr,
    /// The rate as a proportion (0–1).
    pub rate: f64,
    /// Survey universe (`15 ans ou plus`).
    pub universe: String,
    /// Where the figure was read.
    pub source: String,
    /// Survey year.
    pub year: Option<u16>,
    /// Published or estimated.
    pub status: RateStatus,
    /// Free note (reasoning for estimated rows).
    pub note: String,
    /// Where the row was read (file and line), for messages.
    pub location: Location,
    /// Respondents of the survey in its universe (optional column `sample_size`).
    pub sample_size: Option<f64>,
    /// Where the sample size was read (column `sample_source`).
    pub sample_source: String,
    /// The indicator's French title for maps and sheets (optional column `title`, `all` row).
    pub title: String,
}

/// The rows of one rate file.
#[derive(Debug, Clone, PartialEq)]
pub struct RateTable {
    /// File name or label the table was parsed from.
    pub origin: String,
    /// The rows, in file order.
    pub rows: Vec<RateRow>,
}

const COLUMNS: [&str; 10] =
    ["indicator", "dimension", "category", "variables", "rate_percent", "universe", "source", "year", "status", "note"];

/// An error at `line` (0: unknown) and 0-based CSV field `column` of `origin`.
fn err(origin: &str, line: u64, column: usize, message: impl Into<String>) -> IndicesError {
    let location = if line == 0 { Location::file(origin) } else { Location::at(origin, line, column as u64 + 1) };
    IndicesError::Rates { location, message: message.into() }
}

impl RateTable {
    /// The French title of `indicator` (the `title` of its `all` row), when the file gives one.
    ///
    /// ```
    /// use fragnum_indices::rates::RateTable;
    /// let text = "indicator,dimension,category,variables,rate_percent,universe,source,year,status,note,title\n\
    ///             x,all,15 ans ou plus,pop_15p,15,15 ans ou plus,s,2021,published,,Part des 15 ans ou plus en situation x\n";
    /// let t = RateTable::parse(text, "x.csv").unwrap();
    /// assert_eq!(t.title("x"), Some("Part des 15 ans ou plus en situation x"));
    /// assert_eq!(t.title("y"), None);
    /// ```
    pub fn title(&self, indicator: &str) -> Option<&str> {
        self.rows.iter().find(|r| r.indicator == indicator && r.dimension == "all" && !r.title.is_empty()).map(|r| r.title.as_str())
    }

    /// Parses a rate file. `origin` names it in errors (`config/rates/x.csv:12:5: …`).
    ///
    /// ```
    /// use fragnum_indices::rates::RateTable;
    /// let text = "# INSEE TIC 2021\nindicator,dimension,category,variables,rate_percent,universe,source,year,status,note\n\
    ///             illectronisme,all,15 ans ou plus,pop_15p,\"15,4\",15 ans ou plus,Insee Première 1953,2021,published,\n";
    /// let t = RateTable::parse(text, "x.csv").unwrap();
    /// assert!((t.rows[0].rate - 0.154).abs() < 1e-12);
    /// let bad = text.replace("\"15,4\"", "115");
    /// assert!(RateTable::parse(&bad, "x.csv").unwrap_err().to_string().starts_with("x.csv:3:5:"));
    /// ```
    pub fn parse(text: &str, origin: &str) -> Result<RateTable, IndicesError> {
        let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).flexible(false).trim(csv::Trim::All).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| csv_error(origin, &e))?.clone();
        let header_line = headers.position().map_or(1, csv::Position::line);
        let mut index = [0usize; 10];
        for (i, name) in COLUMNS.iter().enumerate() {
            index[i] = headers.iter().position(|h| h.eq_ignore_ascii_case(name)).ok_or_else(|| {
                err(origin, header_line, headers.len(), format!("missing column `{name}` (expected {})", COLUMNS.join(",")))
            })?;
        }
        let optional = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (size_index, size_source_index, title_index) = (optional("sample_size"), optional("sample_source"), optional("title"));
        let mut rows = Vec::new();
        let mut seen: BTreeMap<(String, String, String), u64> = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(origin, &e))?;
            let line = record.position().map_or(0, csv::Position::line);
            let field = |k: usize| record.get(index[k]).unwrap_or("").to_string();
            let required = |k: usize| {
                let v = field(k);
                if v.is_empty() { Err(err(origin, line, index[k], format!("`{}` is empty", COLUMNS[k]))) } else { Ok(v) }
            };
            let indicator = required(0)?;
            let dimension = required(1)?.to_lowercase();
            let category = required(2)?;
            let variables = Expr::parse(&required(3)?).map_err(|e| err(origin, line, index[3], e.to_string()))?;
            if variables.alternatives().iter().any(|t| matches!(t, Term::Ratio(..))) {
                return Err(err(origin, line, index[3], "strata are sums of counts (`a+b`), not ratios"));
            }
            if dimension != "all" && variables.alternatives().len() > 1 {
                return Err(err(origin, line, index[3], "alternatives (`|`) are only allowed on the `all` row"));
            }
            let raw_rate = required(4)?;
            let percent: f64 = raw_rate
                .replace(',', ".")
                .trim_end_matches('%')
                .trim()
                .parse()
                .map_err(|_| err(origin, line, index[4], format!("`{raw_rate}` is not a number")))?;
            if !(0.0..=100.0).contains(&percent) {
                return Err(err(origin, line, index[4], format!("rate {percent} % is outside 0–100 %")));
            }
            let universe = required(5)?;
            let source = required(6)?;
            let year_text = field(7);
            let year = if year_text.is_empty() {
                None
            } else {
                Some(year_text.parse::<u16>().map_err(|_| err(origin, line, index[7], format!("`{year_text}` is not a year")))?)
            };
            let note = field(9);
            let status = match required(8)?.to_lowercase().as_str() {
                "published" => RateStatus::Published,
                "estimated" if note.is_empty() => {
                    return Err(err(origin, line, index[9], "an `estimated` rate must give its reasoning in `note`"));
                }
                "estimated" => RateStatus::Estimated,
                other => return Err(err(origin, line, index[8], format!("status `{other}` is neither `published` nor `estimated`"))),
            };
            let optional_field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_string();
            let size_text = optional_field(size_index);
            let sample_source = optional_field(size_source_index);
            let sample_size = sample_size(&size_text, &sample_source).map_err(|m| err(origin, line, size_index.unwrap_or(0), m))?;
            let key = (indicator.clone(), dimension.clone(), category.clone());
            if let Some(first) = seen.insert(key, line) {
                return Err(err(
                    origin,
                    line,
                    index[2],
                    format!("`{indicator}` / `{dimension}` / `{category}` already given on line {first}"),
                ));
            }
            rows.push(RateRow {
                indicator,
                dimension,
                category,
                variables,
                rate: percent / 100.0,
                universe,
                source,
                year,
                status,
                note,
                location: Location::line(origin, line),
                sample_size,
                sample_source,
                title: optional_field(title_index),
            });
        }
        Ok(RateTable { origin: origin.to_string(), rows })
    }
}

/// The optional `sample_size` cell (`15 000` allowed), which needs its `sample_source`.
fn sample_size(text: &str, source: &str) -> Result<Option<f64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let n: f64 = text.replace([' ', '\u{a0}', '\u{202f}'], "").parse().map_err(|_| format!("sample size `{text}` is not a number"))?;
    if !(n.is_finite() && n >= 1.0) {
        return Err(format!("sample size {n} must be at least 1"));
    }
    if source.is_empty() {
        return Err("a `sample_size` needs its `sample_source`".into());
    }
    Ok(Some(n))
}

fn csv_error(origin: &str, e: &csv::Error) -> IndicesError {
    let line = e.position().map_or(0, csv::Position::line);
    err(origin, line, 0, e.to_string())
}

/// The rates of one indicator, by dimension, checked for consistency across files.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRates {
    /// Indicator name.
    pub name: String,
    /// Survey universe (`15 ans ou plus`).
    pub universe: String,
    /// The `all` row (universe variables and overall rate).
    pub all: RateRow,
    /// Category rows per dimension (dimension name → rows), `all` excluded.
    pub dimensions: BTreeMap<String, Vec<RateRow>>,
}

impl IndicatorRates {
    /// Number of rows marked `estimated` (including the `all` row).
    pub fn estimated_rows(&self) -> usize {
        self.dimensions.values().flatten().chain(std::iter::once(&self.all)).filter(|r| r.status == RateStatus::Estimated).count()
    }
}

/// One indicator's merged rates and the dimensions the settings use for it (chosen by
/// `IndicesSettings::select_rates`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SelectedRates {
    /// The indicator's rates.
    pub(crate) rates: IndicatorRates,
    /// The dimensions used, each one of `rates.dimensions`.
    pub(crate) dims: Vec<String>,
}

/// Merges several rate tables into one entry per indicator.
///
/// Errors when a row is given twice across files, when an indicator has no `all` row, when
/// its rows disagree on the universe, or when a dimension lists a single category.
pub fn merge(tables: &[RateTable]) -> Result<Vec<IndicatorRates>, IndicesError> {
    let mut by_indicator: BTreeMap<String, Vec<&RateRow>> = BTreeMap::new();
    for t in tables {
        for r in &t.rows {
            by_indicator.entry(r.indicator.clone()).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for (name, rows) in by_indicator {
        let mut seen: BTreeMap<(&str, &str), &Location> = BTreeMap::new();
        let mut all = None;
        let mut dimensions: BTreeMap<String, Vec<RateRow>> = BTreeMap::new();
        let universe = rows[0].universe.clone();
        for r in &rows {
            if let Some(first) = seen.insert((&r.dimension, &r.category), &r.location) {
                return Err(row_error(r, format!("`{name}` / `{}` / `{}` is also given at {first}", r.dimension, r.category)));
            }
            if r.universe != universe {
                return Err(row_error(r, format!("universe `{}` differs from `{universe}` ({})", r.universe, rows[0].location)));
            }
            if r.dimension == "all" {
                if all.is_some() {
                    return Err(row_error(r, format!("indicator `{name}` has two `all` rows")));
                }
                all = Some((*r).clone());
            } else {
                dimensions.entry(r.dimension.clone()).or_default().push((*r).clone());
            }
        }
        let all = all.ok_or_else(|| {
            row_error(rows[0], format!("indicator `{name}` has no `all` row (it defines the universe population and the overall rate)"))
        })?;
        for (dim, rows) in &dimensions {
            if rows.len() < 2 {
                return Err(row_error(
                    &rows[0],
                    format!("dimension `{dim}` of `{name}` has a single category; categories must partition the universe"),
                ));
            }
        }
        out.push(IndicatorRates { name, universe, all, dimensions });
    }
    Ok(out)
}

fn row_error(r: &RateRow, message: String) -> IndicesError {
    IndicesError::Rates { location: r.location.clone(), message }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const HEADER: &str = "indicator,dimension,category,variables,rate_percent,universe,source,year,status,note\n";

    pub(crate) fn sample() -> RateTable {
        let text = format!(
            "# test rates\n{HEADER}\
             ill,all,15+,pop_15p|pop_1529+pop_6074,20,15+,test,2021,published,\n\
             ill,age,15-29,pop_1529,10,15+,test,2021,published,\n\
             ill,age,60+,pop_6074,40,15+,test,2021,published,\n\
             ill,diploma,low,nscol15p_diplmin,30,15+,test,2021,published,\n\
             ill,diploma,high,nscol15p_sup,5,15+,test,2021,estimated,by subtraction\n"
        );
        RateTable::parse(&text, "t.csv").unwrap()
    }

    #[test]
    fn parses_and_merges() {
        let m = merge(&[sample()]).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].dimensions.len(), 2);
        assert_eq!(m[0].estimated_rows(), 1);
        assert_eq!(m[0].all.location.to_string(), "t.csv:3");
    }

    #[test]
    fn rate_above_100_names_file_line_and_column() {
        let text = format!("{HEADER}ill,all,15+,pop_15p,100.5,15+,s,2021,published,\n");
        let e = RateTable::parse(&text, "r.csv").unwrap_err();
        assert_eq!(e.to_string(), "r.csv:2:5: rate 100.5 % is outside 0–100 %");
    }

    #[test]
    fn estimated_without_reasoning_and_unknown_status_are_refused() {
        let text = format!("{HEADER}ill,all,15+,pop_15p,10,15+,s,2021,estimated,\n");
        assert!(RateTable::parse(&text, "r.csv").unwrap_err().to_string().contains("reasoning"));
        let text = format!("{HEADER}ill,all,15+,pop_15p,10,15+,s,2021,guessed,x\n");
        assert!(RateTable::parse(&text, "r.csv").unwrap_err().to_string().contains("r.csv:2:9"));
    }

    #[test]
    fn sample_sizes_need_a_source_and_a_number() {
        let head = "indicator,dimension,category,variables,rate_percent,universe,source,year,status,note,sample_size,sample_source\n";
        let ok = format!("{head}ill,all,15+,pop_15p,10,15+,s,2021,published,,15 000,assumed\n");
        assert_eq!(RateTable::parse(&ok, "r.csv").unwrap().rows[0].sample_size, Some(15_000.0));
        let e = RateTable::parse(&format!("{head}ill,all,15+,pop_15p,10,15+,s,2021,published,,1500,\n"), "r.csv").unwrap_err();
        assert_eq!(e.to_string(), "r.csv:2:11: a `sample_size` needs its `sample_source`");
        let e = RateTable::parse(&format!("{head}ill,all,15+,pop_15p,10,15+,s,2021,published,,beaucoup,x\n"), "r.csv").unwrap_err();
        assert!(e.to_string().contains("`beaucoup` is not a number"), "{e}");
    }

    #[test]
    fn missing_column_and_ratio_strata_are_refused() {
        let e = RateTable::parse("indicator,dimension\n", "r.csv").unwrap_err();
        assert!(e.to_string().contains("missing column `category`"), "{e}");
        let text = format!("{HEADER}ill,age,a,pop_1529/pop,10,15+,s,2021,published,\n");
        assert!(RateTable::parse(&text, "r.csv").unwrap_err().to_string().contains("not ratios"));
    }

    #[test]
    fn merge_checks_all_row_duplicates_and_universe() {
        let no_all = format!("{HEADER}ill,age,a,pop_1529,10,15+,s,2021,published,\nill,age,b,pop_75p,10,15+,s,2021,published,\n");
        let e = merge(&[RateTable::parse(&no_all, "a.csv").unwrap()]).unwrap_err();
        assert!(e.to_string().contains("no `all` row"), "{e}");
        let e = merge(&[sample(), sample()]).unwrap_err();
        assert!(e.to_string().contains("also given at t.csv:3"), "{e}");
        let other = format!("{HEADER}ill,sex,h,pop_h,10,12+,s,2021,published,\nill,sex,f,pop_f,10,12+,s,2021,published,\n");
        let e = merge(&[sample(), RateTable::parse(&other, "b.csv").unwrap()]).unwrap_err();
        assert!(e.to_string().contains("universe `12+`"), "{e}");
    }
}

#[cfg(test)]
mod shipped {
    use std::path::Path;

    use super::*;

    /// The rate files shipped in `config/rates/` parse, merge, and cite a source on every row.
    #[test]
    fn shipped_rate_files_are_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/rates");
        let mut tables = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(text.starts_with('#'), "{}: no citation header", path.display());
                tables.push(RateTable::parse(&text, &path.display().to_string()).unwrap());
            }
        }
        let merged = merge(&tables).unwrap();
        let names: Vec<&str> = merged.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["illectronisme", "never_uses_internet", "no_daily_internet", "no_home_internet"]);
        for ind in &merged {
            assert!(ind.all.rate > 0.0);
            for rows in ind.dimensions.values() {
                assert!(rows.iter().all(|r| !r.source.is_empty()));
            }
        }
    }
}
