//! Statistical tables (INSEE census bases, Filosofi, CAF, QPV tables, reference lists) → zone table.
//!
//! Codes are read as text and checked against the table's level; identity columns (names,
//! commune, IRIS type, EPCI) are recognised by their usual INSEE names; value columns go through
//! the [`Mapping`]; unmapped columns are counted, not guessed.

use std::collections::HashMap;
use std::path::Path;

use fragnum_core::{Level, Location, Zone, ZoneCode, ZoneTable};

use crate::config::TableSource;
use crate::mapping::{Mapped, Mapping};
use crate::number::parse_cell;
use crate::tabular::Tabular;
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

    fn zone(&self, code: ZoneCode, fields: &[String]) -> Zone {
        let get = |i: Option<usize>| {
            i.map(|i| Tabular::field(fields, i).trim().to_string()).filter(|s| !s.is_empty())
        };
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
pub fn read_table(
    path: &Path,
    source: &TableSource,
    mapping: &Mapping,
    table: &mut ZoneTable,
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
            match parse_cell(text, source.blank) {
                Ok(cell) => {
                    table.set(row, &m.name, cell, m.vintage.or(source.vintage));
                }
                Err(()) => report.push_error(&IngestError::NotANumber {
                    location: Location::at(path, *line, *i as u64 + 1),
                    column: t.header[*i].clone(),
                    text: text.to_string(),
                }),
            }
        }
        summary.codes.push(code);
    }
    summary.rows = t.rows.len();
    Ok(summary)
}
