//! The zone table and its outlines, as files.
//!
//! - `zones.parquet` / `zones.csv`: one row per zone, identity columns then, for each variable,
//!   its value (null when missing or masked) and `<variable>_vintage`;
//! - `zones_long.parquet` / `zones_long.csv`: tidy (zone, variable, value, status, vintage) rows,
//!   the only table that keeps *masked* (secret statistique) apart from *missing*;
//! - `zones.geojson`: outlines (RFC 7946, WGS84) with code, level and name (without control
//!   characters: [`fragnum_core::text::printable`]; the tables keep names as read).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fragnum_core::{Cell, Variable, Zone, ZoneGeometries, ZoneTable, atomic};

use crate::RenderError;
use crate::tables::{ColumnData, Table, write_in_parts};

/// Writes the wide and long zone tables into `dir`; returns the files written.
///
/// Both are written a row group at a time ([`write_in_parts`]): `zones_long` has a row per
/// variable and zone (33 million for a 1-million-row table of 33 variables), and only the rows
/// of one group exist at once, their texts as keys into the zone codes, variable names and
/// statuses ([`ColumnData::Dictionary`]).
pub fn write_zone_table(table: &ZoneTable, dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let zones = table.zones();
    let variables: Vec<(&String, &Variable)> = table.variables().iter().collect();
    let wide = |rows: Range<usize>| {
        let part = &zones[rows.clone()];
        let text = |f: &dyn Fn(&Zone) -> Option<String>| part.iter().map(f).collect::<Vec<_>>();
        let mut wide = Table::default()
            .text("code", text(&|z| Some(z.code.to_string())))
            .text("level", text(&|z| Some(z.code.level().to_string())))
            .text("name", text(&|z| z.name.clone()))
            .text("commune", text(&|z| z.commune.clone()))
            .text("commune_name", text(&|z| z.commune_name.clone()))
            .text("iris_type", text(&|z| z.iris_type.clone()))
            .text("epci", text(&|z| z.epci.clone()))
            .text("departement", text(&|z| z.code.departement().map(str::to_string)));
        for (name, var) in &variables {
            wide.push(name, ColumnData::Float(var.values[rows.clone()].iter().map(|c| c.value()).collect()));
            wide.push(&format!("{name}_vintage"), ColumnData::Int(var.vintages[rows.clone()].iter().map(|v| v.map(i64::from)).collect()));
        }
        wide
    };
    let mut files = write_in_parts(dir, "zones", zones.len(), wide)?;
    // zones_long: a row per variable (in name order) and zone whose cell is not missing. Its text
    // columns are keys into the zone codes, the variable names and the two statuses.
    let height = variables.iter().map(|(_, var)| var.values.iter().filter(|c| **c != Cell::Missing).count()).sum();
    let codes: Arc<[String]> = zones.iter().map(|z| z.code.to_string()).collect();
    let names: Arc<[String]> = variables.iter().map(|(name, _)| (*name).clone()).collect();
    let statuses: Arc<[String]> = ["value".to_string(), "masked".to_string()].into();
    if u32::try_from(zones.len().max(variables.len())).is_err() {
        let message = "more zones or variables than 32-bit keys can number".to_string();
        return Err(RenderError::Table { path: dir.join("zones_long.parquet"), message });
    }
    let key = |i: usize| u32::try_from(i).ok(); // always `Some` (checked above)
    let mut next = (0, 0); // the (variable, zone) to look at next
    let long = |rows: Range<usize>| {
        if rows.start == 0 {
            next = (0, 0);
        }
        let n = rows.len();
        let (mut code, mut variable, mut value, mut status, mut vintage) =
            (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        while code.len() < n {
            let (v, i) = next;
            let Some((_, var)) = variables.get(v) else { break };
            let Some(&cell) = var.values.get(i) else {
                next = (v + 1, 0);
                continue;
            };
            next = (v, i + 1);
            if cell == Cell::Missing {
                continue;
            }
            code.push(key(i));
            variable.push(key(v));
            value.push(cell.value());
            status.push(Some(u32::from(!cell.is_value())));
            vintage.push(var.vintages[i].map(i64::from));
        }
        Table::default()
            .dictionary("code", codes.clone(), code)
            .dictionary("variable", names.clone(), variable)
            .float("value", value)
            .dictionary("status", statuses.clone(), status)
            .int("vintage", vintage)
    };
    files.extend(write_in_parts(dir, "zones_long", height, long)?);
    Ok(files)
}

/// Writes the outlines of every zone that has one as `dir/zones.geojson`.
pub fn write_zone_outlines(table: &ZoneTable, geometries: &ZoneGeometries, dir: &Path) -> Result<PathBuf, RenderError> {
    let path = dir.join("zones.geojson");
    let features: Vec<geojson::Feature> = table
        .zones()
        .iter()
        .filter_map(|z| {
            let g = geometries.get(&z.code)?;
            let mut props = geojson::JsonObject::new();
            props.insert("code".into(), z.code.to_string().into());
            props.insert("level".into(), z.code.level().as_str().into());
            props.insert("name".into(), z.name.as_deref().map(|n| fragnum_core::text::printable(n).into_owned()).into());
            Some(geojson::Feature { geometry: Some(geojson::Geometry::from(g)), properties: Some(props), ..Default::default() })
        })
        .collect();
    let fc = geojson::FeatureCollection { features, bbox: None, foreign_members: None };
    atomic::write_bytes(&path, fc.to_string().as_bytes()).map_err(|e| RenderError::io(&path, e))?;
    Ok(path)
}
