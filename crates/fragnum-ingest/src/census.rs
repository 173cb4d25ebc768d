//! Statistical tables (INSEE census bases, Filosofi, CAF, QPV tables, reference lists) → zone table.
//!
//! Codes are read as text and checked against the table's level; identity columns (names,
//! commune, IRIS type, EPCI) are recognised by their usual INSEE names; value columns go through
//! the [`Mapping`]; unmapped columns are counted, not guessed. Every number must be finite and
//! every count (see [`is_count`]) between 0 and [`MAX_COUNT`], else the cell is a fatal finding;
//! [`Origins`] remembers where each cell was read and which figures two tables disagree on.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use fragnum_core::{Cell, Level, Location, Zone, ZoneCode, ZoneTable};

use crate::config::{OnConflict, TableSource};
use crate::mapping::{Mapped, Mapping};
use crate::number::{Blank, MAX_COUNT, Refused, is_count, parse_value};
use crate::tabular::{Row, Tabular};
use crate::{IngestError, Report, Severity};

/// What one table contributed.
#[derive(Debug, Clone, Default)]
pub struct TableSummary {
    /// Data rows read.
    pub rows: usize,
    /// Codes read, in file order.
    pub codes: Vec<ZoneCode>,
    /// Variables filled (vintage-free names).
    pub variables: Vec<String>,
    /// Columns neither identity nor mapped.
    pub ignored_columns: usize,
}

/// Where one cell of the zone table was read: file (an index into [`Origins`]), line, column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellOrigin {
    file: usize,
    line: u64,
    column: u64,
}

/// Two tables giving the same variable of the same zone at the same (or an unknown) vintage,
/// with figures that differ by more than printing round-off (10⁻⁶ relative): the rule of
/// [`ZoneTable::set`], or `on_conflict` in `[project]` ([`OnConflict`]), kept one of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The zone.
    pub zone: ZoneCode,
    /// The figure kept, and where it was read.
    pub kept: (f64, Option<u16>, CellOrigin),
    /// The figure set aside, and where it was read.
    pub dropped: (f64, Option<u16>, CellOrigin),
}

/// Where every cell read by [`read_table_traced`] came from, and the conflicts between tables.
/// Rows are those of the zone table before it is sorted.
///
/// Kept as columns, not one entry per cell: per variable the file of each row's cell (4 bytes a
/// cell), per file the line of each row it read and the column of each variable it filled.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    files: Vec<PathBuf>,
    /// Per variable, per row: index + 1 of the file its cell was read from, 0 when none.
    cells: HashMap<String, Vec<u32>>,
    /// Per file, per row: the line it was read on (0 when the file has no such row).
    lines: Vec<Vec<u64>>,
    /// Per file: the column each variable was read from (1-based).
    columns: Vec<HashMap<String, u64>>,
    /// Conflicts per variable, in reading order.
    pub conflicts: BTreeMap<String, Vec<Conflict>>,
    /// Which figure a conflict keeps, and whether it is an error.
    rule: OnConflict,
}

impl Origins {
    /// No cell read yet; conflicts follow `rule` (`on_conflict` in `[project]`).
    pub fn new(rule: OnConflict) -> Self {
        Origins { rule, ..Origins::default() }
    }

    /// The file, line and column a cell was read from (none for derived cells).
    pub fn location(&self, variable: &str, row: usize) -> Option<Location> {
        self.origin(variable, row).map(|o| self.at(o))
    }

    /// Where the cell of `variable` in `row` was read, when it was.
    fn origin(&self, variable: &str, row: usize) -> Option<CellOrigin> {
        let file = (*self.cells.get(variable)?.get(row)? as usize).checked_sub(1)?;
        let line = *self.lines.get(file)?.get(row)?;
        let column = *self.columns.get(file)?.get(variable)?;
        Some(CellOrigin { file, line, column })
    }

    /// Remembers that the cell of `variable` in `row` was read at `here`.
    fn record(&mut self, variable: &str, row: usize, here: CellOrigin) {
        if !self.cells.contains_key(variable) {
            self.cells.insert(variable.to_string(), Vec::new());
        }
        let (Some(cells), Ok(file)) = (self.cells.get_mut(variable), u32::try_from(here.file + 1)) else { return };
        if cells.len() <= row {
            cells.resize(row + 1, 0);
        }
        cells[row] = file;
        if self.lines.len() <= here.file {
            self.lines.resize_with(here.file + 1, Vec::new);
            self.columns.resize_with(here.file + 1, HashMap::new);
        }
        let lines = &mut self.lines[here.file];
        if lines.len() <= row {
            lines.resize(row + 1, 0);
        }
        lines[row] = here.line;
        if !self.columns[here.file].contains_key(variable) {
            self.columns[here.file].insert(variable.to_string(), here.column);
        }
    }

    /// Sets one cell by the rule of [`ZoneTable::set`] (with `keep_last`, a number at the same
    /// vintage replaces the one read before), remembering where it was read and recording a
    /// conflict when it differs from the figure another table gave.
    fn set(
        &mut self,
        table: &mut ZoneTable,
        (row, zone): (usize, &ZoneCode),
        variable: &str,
        (cell, vintage): (Cell, Option<u16>),
        here: CellOrigin,
    ) {
        let before = table.variable(variable).map(|v| (v.values[row], v.vintages[row]));
        let mut changed = table.set(row, variable, cell, vintage);
        if !changed
            && self.rule == OnConflict::KeepLast
            && let (Some((Cell::Value(_), old_vintage)), Cell::Value(_)) = (before, cell)
            && old_vintage == vintage
        {
            changed = table.replace(row, variable, cell, vintage);
        }
        // Where the first figure was read is looked up only once a conflict is found.
        if let (Some((Cell::Value(old), old_vintage)), Cell::Value(new)) = (before, cell)
            && (old_vintage == vintage || old_vintage.is_none() || vintage.is_none())
            && (old - new).abs() > 1e-6 * old.abs().max(new.abs()).max(1.0)
            && let Some(there) = self.origin(variable, row)
        {
            let (kept, dropped) =
                if changed { ((new, vintage, here), (old, old_vintage, there)) } else { ((old, old_vintage, there), (new, vintage, here)) };
            self.conflicts.entry(variable.to_string()).or_default().push(Conflict { zone: zone.clone(), kept, dropped });
        }
        if changed {
            self.record(variable, row, here);
        }
    }

    fn at(&self, o: CellOrigin) -> Location {
        Location::at(&self.files[o.file], o.line, o.column)
    }

    fn short(&self, o: CellOrigin) -> String {
        let path = &self.files[o.file];
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        format!("{name}:{}:{}", o.line, o.column)
    }

    /// One warning per variable whose figures conflict: how many zones, the largest
    /// difference and the first examples with both figures and both files, located at the first
    /// figure set aside. With `on_conflict = "error"`, one fatal finding per conflict instead,
    /// located at the second figure read, naming both files.
    pub fn report_conflicts(&self, report: &mut Report) {
        const EXAMPLES: usize = 3;
        let vintage = |v: Option<u16>| v.map_or_else(|| "no vintage".to_string(), |v| v.to_string());
        if self.rule == OnConflict::Error {
            for (variable, conflicts) in &self.conflicts {
                for c in conflicts {
                    // Files are numbered in reading order.
                    let (first, second) = if c.kept.2.file <= c.dropped.2.file { (&c.kept, &c.dropped) } else { (&c.dropped, &c.kept) };
                    report.push(
                        Severity::Fatal,
                        self.at(second.2),
                        format!(
                            "`{variable}`: zone {} gets two different figures from two tables: {} ({}, {}) and {} ({}, {}); `on_conflict = \"error\"` in [project] refuses them (`keep_first` or `keep_last` keeps one)",
                            c.zone,
                            figure(first.0),
                            vintage(first.1),
                            self.at(first.2),
                            figure(second.0),
                            vintage(second.1),
                            self.at(second.2),
                        ),
                    );
                }
            }
            return;
        }
        let which = if self.rule == OnConflict::KeepLast { "last" } else { "first" };
        for (variable, conflicts) in &self.conflicts {
            let Some(first) = conflicts.first() else { continue };
            let largest = conflicts.iter().map(|c| (c.kept.0 - c.dropped.0).abs()).fold(0.0, f64::max);
            let examples: Vec<String> = conflicts
                .iter()
                .take(EXAMPLES)
                .map(|c| {
                    format!(
                        "zone {}: {} ({}, {}) kept, {} ({}, {}) set aside",
                        c.zone,
                        figure(c.kept.0),
                        vintage(c.kept.1),
                        self.short(c.kept.2),
                        figure(c.dropped.0),
                        vintage(c.dropped.1),
                        self.short(c.dropped.2)
                    )
                })
                .collect();
            report.push(
                Severity::Warning,
                self.at(first.dropped.2),
                format!(
                    "`{variable}`: {} zone(s) get two different figures from two tables (largest difference {}); at equal vintage the {which} table read is kept: {}{}",
                    conflicts.len(),
                    figure(largest),
                    examples.join("; "),
                    if conflicts.len() > EXAMPLES { "; …" } else { "" }
                ),
            );
        }
    }
}

/// A figure as messages show it: integral counts without decimals, others with at most two.
pub(crate) fn figure(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Usual names of the code column, per level.
pub fn code_columns(level: Level) -> &'static [&'static str] {
    match level {
        Level::Iris => &["CODE_IRIS", "IRIS", "CODGEO", "DCOMIRIS", "CODE_IRIS_2016"],
        Level::Commune => &["CODGEO", "COM", "DEPCOM", "INSEE_COM", "CODE_COMMUNE", "CODE"],
        Level::Qpv => &["CODGEO", "CODE_QP", "QP"],
        Level::Epci => &["EPCI", "SIREN", "CODGEO", "CODE"],
        Level::Departement => &["DEP", "CODE_DEPT", "CODE"],
        Level::Region => &["REG", "CODE_REGION", "CODE"],
        Level::Group => &["GROUP", "CODE", "SECTEUR"],
    }
}

struct IdentityColumns {
    name: Option<usize>,
    commune: Option<usize>,
    commune_name: Option<usize>,
    iris_type: Option<usize>,
    epci: Option<usize>,
    epci_name: Option<usize>,
}

impl IdentityColumns {
    fn find(t: &Tabular, level: Level, code: usize) -> Self {
        let not_code = |i: Option<usize>| i.filter(|&i| i != code);
        let name = match level {
            Level::Iris => t.find(&["LIB_IRIS", "LIBIRIS", "NOM_IRIS", "LIBGEO"]),
            _ => t.find(&["LIBGEO", "NOM", "LIB"]),
        };
        IdentityColumns {
            name,
            commune: not_code(t.find(&["DEPCOM", "COM", "INSEE_COM", "CODE_COMMUNE"])),
            commune_name: t.find(&["LIBCOM", "NOM_COM", "LIB_COM"]),
            iris_type: t.find(&["TYP_IRIS", "TYPE_IRIS"]),
            epci: if level == Level::Epci { None } else { t.find(&["EPCI", "EPCI_SIREN"]) },
            epci_name: t.find(&["LIBEPCI"]),
        }
    }

    fn is_identity(&self, i: usize) -> bool {
        [self.name, self.commune, self.commune_name, self.iris_type, self.epci, self.epci_name].contains(&Some(i))
    }

    fn zone(&self, code: ZoneCode, fields: Row<'_>) -> Zone {
        let get = |i: Option<usize>| i.map(|i| Tabular::field(fields, i).trim().to_string()).filter(|s| !s.is_empty());
        let mut zone = Zone::new(code);
        zone.name = get(self.name);
        if zone.commune.is_none() {
            zone.commune = get(self.commune);
        }
        zone.commune_name = get(self.commune_name);
        zone.iris_type = get(self.iris_type);
        zone.epci = get(self.epci);
        zone.epci_name = get(self.epci_name);
        zone
    }
}

/// Reads one table into `table`. Structural problems (unreadable file, no code column, wrong
/// separator) are returned as errors; cell problems (bad code, duplicate, non-numeric value) are
/// recorded as fatal findings in `report` with their line and column, and reading goes on so that
/// every problem of the file is listed at once.
///
/// Counts (see [`is_count`]) must be ≥ 0 and at most [`MAX_COUNT`]; every number must be finite
/// (`NaN` is refused, never read as missing).
pub fn read_table(
    path: &Path,
    source: &TableSource,
    mapping: &Mapping,
    table: &mut ZoneTable,
    report: &mut Report,
) -> Result<TableSummary, IngestError> {
    read_table_traced(path, source, mapping, table, &mut Origins::default(), report)
}

/// [`read_table`], recording in `origins` where each cell came from and every figure that
/// differs from one another table gave for the same cell (see [`Origins::report_conflicts`]).
pub fn read_table_traced(
    path: &Path,
    source: &TableSource,
    mapping: &Mapping,
    table: &mut ZoneTable,
    origins: &mut Origins,
    report: &mut Report,
) -> Result<TableSummary, IngestError> {
    mapping.check_sets(&source.sets, &Location::file(path))?;
    let t = Tabular::read(path, source.separator.map(|c| c as u8), report)?;
    let code_col = match &source.code_column {
        Some(c) => t.require(&[c.as_str()])?,
        None => t.require(code_columns(source.level))?,
    };
    let identity = IdentityColumns::find(&t, source.level, code_col);

    // Value columns: first column wins when two map to the same name.
    let mut values: Vec<(usize, Mapped)> = Vec::new();
    let mut summary = TableSummary::default();
    for (i, key) in t.keys.iter().enumerate() {
        if i == code_col || identity.is_identity(i) || key.is_empty() {
            continue;
        }
        match mapping.resolve(key, &source.sets) {
            Some(m) if values.iter().any(|(_, v)| v.name == m.name) => {
                report.push(
                    Severity::Note,
                    Location::at(path, 1, i as u64 + 1),
                    format!("column `{}` also maps to `{}`; the first one is kept", t.header[i], m.name),
                );
            }
            Some(m) => values.push((i, m)),
            None => summary.ignored_columns += 1,
        }
    }
    if values.is_empty() && identity.name.is_none() {
        report.push(
            Severity::Warning,
            Location::line(path, 1),
            "no column of this table is in the variable mapping; nothing was read from it",
        );
    }
    summary.variables = values.iter().map(|(_, m)| m.name.clone()).collect();

    let file = origins.files.len();
    origins.files.push(path.to_path_buf());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, fields) in &t.rows {
        let raw = Tabular::field(fields, code_col);
        let code = match ZoneCode::new(source.level, raw) {
            Ok(c) => c,
            Err(e) => {
                report.push_error(&IngestError::BadCode { location: Location::at(path, *line, code_col as u64 + 1), source: e });
                continue;
            }
        };
        if let Some(&first_line) = seen.get(code.as_str()) {
            report.push_error(&IngestError::DuplicateCode {
                location: Location::at(path, *line, code_col as u64 + 1),
                code: code.to_string(),
                first_line,
            });
            continue;
        }
        seen.insert(code.to_string(), *line);
        let row = table.upsert_zone(identity.zone(code.clone(), fields));
        for (i, m) in &values {
            let text = Tabular::field(fields, *i);
            let location = || Location::at(path, *line, *i as u64 + 1);
            let Some(cell) = checked_cell(text, source.blank, &t.header[*i], &m.name, location, report) else { continue };
            let here = CellOrigin { file, line: *line, column: *i as u64 + 1 };
            origins.set(table, (row, &code), &m.name, (cell, m.vintage.or(source.vintage)), here);
        }
        summary.codes.push(code);
    }
    summary.rows = t.rows.len();
    Ok(summary)
}

/// Parses one value cell of `column` (mapped to `variable`): `None`, with a fatal finding at
/// `location` in `report`, when the text is not a number, not finite, or a count out of range.
fn checked_cell(
    text: &str,
    blank: Blank,
    column: &str,
    variable: &str,
    location: impl Fn() -> Location,
    report: &mut Report,
) -> Option<Cell> {
    let cell = match parse_value(text, blank) {
        Ok(cell) => cell,
        Err(Refused::NotANumber) => {
            report.push_error(&IngestError::NotANumber { location: location(), column: column.to_string(), text: text.to_string() });
            return None;
        }
        Err(Refused::NotFinite) => {
            report.push(
                Severity::Fatal,
                location(),
                format!("column `{column}`: `{}` is not a finite number; a figure that is not known must be an empty cell", text.trim()),
            );
            return None;
        }
    };
    // The range test first: the name test then runs for the rare out-of-range cell only.
    if let Cell::Value(v) = cell
        && !(0.0..=MAX_COUNT).contains(&v)
        && is_count(variable)
    {
        let why = if v < 0.0 { "is negative".to_string() } else { format!("is more than {} in one zone", figure(MAX_COUNT)) };
        report.push(
            Severity::Fatal,
            location(),
            format!(
                "column `{column}`: `{}` is out of range for a count (`{variable}` {why}; counts are between 0 and {})",
                text.trim(),
                figure(MAX_COUNT)
            ),
        );
        return None;
    }
    Some(cell)
}
