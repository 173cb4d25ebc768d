//! Every vintage of every table, kept apart.
//!
//! The snapshot zone table ([`crate::load`]) keeps one figure per zone and variable: when two
//! tables give the same variable (CAF 2017 and CAF 2020), the newest vintage wins. Series over
//! time need all of them, each under the codes it was published with: [`read_published`] reads
//! each table of the config into a zone table of its own, with the line of each row, so that the
//! passage ([`crate::passage`]) can carry them onto one geography and locate every code it cannot.

use std::collections::BTreeSet;
use std::path::PathBuf;

use fragnum_core::{Level, ZoneTable};

use crate::census::{Origins, read_table_traced};
use crate::config::PipelineConfig;
use crate::mapping::Mapping;
use crate::{IngestError, Report};

/// One table of the config as published: its own codes, every vintage of its cells.
#[derive(Debug, Clone)]
pub struct PublishedTable {
    /// The file.
    pub path: PathBuf,
    /// The citation of the config's `source`, else the file name.
    pub source: String,
    /// The level of its codes.
    pub level: Level,
    /// Its zones and cells, rows in file order (never sorted).
    pub table: ZoneTable,
    /// The 1-based line of each row of `table` in the file.
    pub lines: Vec<u64>,
}

/// What [`read_published`] read and left aside.
#[derive(Debug, Clone, Default)]
pub struct PublishedTables {
    /// The tables that give at least one wanted variable, in config order.
    pub tables: Vec<PublishedTable>,
    /// Tables left aside because their level is neither IRIS nor commune (QPV, EPCI…): their
    /// codes are not harmonised.
    pub other_levels: Vec<PathBuf>,
}

/// Reads every `[[table]]` of `config` at IRIS or commune level that maps at least one of the
/// `wanted` variables, each into a zone table of its own. Problems of the files are recorded in
/// `report` (the snapshot ingest reads the same files and reports the same problems, so a caller
/// that ran it may pass a scratch report); a file that cannot be read at all is skipped.
pub fn read_published(config: &PipelineConfig, wanted: &BTreeSet<String>, report: &mut Report) -> Result<PublishedTables, IngestError> {
    let mapping = Mapping::load(&config.resolve(&config.project.variables))?;
    let mut out = PublishedTables::default();
    for source in &config.tables {
        let path = config.resolve(&source.path);
        if !matches!(source.level, Level::Iris | Level::Commune) {
            out.other_levels.push(path);
            continue;
        }
        let mut table = ZoneTable::new();
        let mut origins = Origins::default();
        let summary = match read_table_traced(&path, source, &mapping, &mut table, &mut origins, report) {
            Ok(s) => s,
            Err(e) => {
                report.push_error(&e);
                continue;
            }
        };
        let Some(first) = summary.variables.iter().find(|v| wanted.contains(*v)) else { continue };
        // Every row read sets every mapped variable (a blank one to missing), so the first wanted
        // one locates each row.
        let lines = (0..table.len()).map(|row| origins.location(first, row).and_then(|l| l.line).unwrap_or(0)).collect();
        let citation = source
            .source
            .clone()
            .unwrap_or_else(|| path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()));
        out.tables.push(PublishedTable { path, source: citation, level: source.level, table, lines });
    }
    Ok(out)
}
