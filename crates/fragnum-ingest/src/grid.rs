//! Population grids: one row per cell with its centre (`lon`, `lat`, WGS84) and a count (`ind`).
//!
//! Filosofi 1 km tiles also carry `commune_insee_2018`; when present it becomes the point's zone
//! (level commune). Cells with no count or a zero count are skipped (zero people need no access).
//! Longitude and latitude swapped (nearly every cell outside France, inside it with the two
//! exchanged) is an error, as for sites.

use std::path::Path;

use fragnum_core::sites::PopulationPoint;
use fragnum_core::{Cell, Level, Location, ZoneCode};

use crate::number::{Blank, parse_cell};
use crate::sites::{check_swapped, lon_lat};
use crate::tabular::Tabular;
use crate::{IngestError, Report, Severity};

/// Reads a population grid CSV.
pub fn read_population_grid(path: &Path, report: &mut Report) -> Result<Vec<PopulationPoint>, IngestError> {
    let t = Tabular::read(path, None, report)?;
    points_from(&t, report)
}

/// Parses population grid text read from `path` (used in errors).
///
/// ```
/// let text = "lon,lat,ind,commune_insee_2018\n5.72,45.18,1 234,38185\n5.73,45.18,0,38185\n";
/// let mut report = fragnum_ingest::Report::default();
/// let pts = fragnum_ingest::grid::parse_population_grid(std::path::Path::new("g.csv"), text, &mut report).unwrap();
/// assert_eq!(pts.len(), 1);
/// assert_eq!(pts[0].weight, 1234.0);
/// assert_eq!(pts[0].zone.as_ref().unwrap().as_str(), "38185");
/// ```
pub fn parse_population_grid(path: &Path, text: &str, report: &mut Report) -> Result<Vec<PopulationPoint>, IngestError> {
    let t = Tabular::parse(path, text, None)?;
    points_from(&t, report)
}

fn points_from(t: &Tabular, report: &mut Report) -> Result<Vec<PopulationPoint>, IngestError> {
    let lon = t.require(&["lon", "longitude"])?;
    let lat = t.require(&["lat", "latitude"])?;
    let ind = t.require(&["ind", "pop", "population", "weight"])?;
    let commune = t.find(&["commune_insee_2018", "commune_insee", "commune"]);
    let mut out = Vec::with_capacity(t.rows.len());
    let mut skipped = 0usize;
    let mut lines = Vec::with_capacity(t.rows.len());
    for (line, fields) in &t.rows {
        let text = Tabular::field(fields, ind);
        let weight = match parse_cell(text, Blank::Missing) {
            Ok(Cell::Value(v)) if v < 0.0 => {
                return Err(IngestError::Malformed {
                    location: Location::at(&t.path, *line, ind as u64 + 1),
                    message: format!("negative population {v}"),
                });
            }
            Ok(Cell::Value(v)) => v,
            Ok(_) => {
                skipped += 1;
                continue;
            }
            Err(()) => {
                return Err(IngestError::NotANumber {
                    location: Location::at(&t.path, *line, ind as u64 + 1),
                    column: t.header[ind].clone(),
                    text: text.to_string(),
                });
            }
        };
        if weight == 0.0 {
            continue;
        }
        let zone =
            commune.map(|c| Tabular::field(fields, c).trim()).filter(|c| !c.is_empty()).and_then(|c| ZoneCode::new(Level::Commune, c).ok());
        let (x, y) = lon_lat(t, *line, fields, lon, lat)?;
        lines.push(*line);
        out.push(PopulationPoint { lon: x, lat: y, weight, zone });
    }
    let positions: Vec<(f64, f64)> = out.iter().map(|p| (p.lon, p.lat)).collect();
    check_swapped(t, &positions, &lines, (lon, lat), "cells", &|i| format!("the cell of line {}", lines[i]), report)?;
    if skipped > 0 {
        report.push(Severity::Warning, Location::file(&t.path), format!("{skipped} cells without a population count skipped"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_counts_are_reported_and_projected_refused() {
        let mut report = Report::default();
        let pts = parse_population_grid(Path::new("g.csv"), "lon;lat;ind\n5,7;45,1;s\n5,7;45,2;3\n", &mut report).unwrap();
        assert_eq!(pts.len(), 1);
        assert_eq!(report.problems.len(), 1);
        let err = parse_population_grid(Path::new("g.csv"), "x,lon,lat,ind\n1,3974000,2384000,4\n", &mut report).unwrap_err();
        assert!(err.to_string().starts_with("g.csv:2:2:"), "{err}");
    }

    #[test]
    fn real_grid_when_present() {
        let data =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/population/filosofi2021_ind_1km_tile6-3_grenoble-savoie.csv");
        if !data.exists() {
            println!("skipped: {} absent", data.display());
            return;
        }
        let pts = read_population_grid(&data, &mut Report::default()).unwrap();
        assert_eq!(pts.len(), 4_955);
        let total: f64 = pts.iter().map(|p| p.weight).sum();
        assert!((total - 1_109_919.0).abs() < 1_000.0, "{total}");
    }
}
