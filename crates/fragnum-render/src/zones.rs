//! The zone table and its outlines, as files.
//!
//! - `zones.parquet` / `zones.csv`: one row per zone, identity columns then, for each variable,
//!   its value (null when missing or masked) and `<variable>_vintage`;
//! - `zones_long.parquet` / `zones_long.csv`: tidy (zone, variable, value, status, vintage) rows,
//!   the only table that keeps *masked* (secret statistique) apart from *missing*;
//! - `zones.geojson`: outlines (RFC 7946, WGS84) with code, level and name (without control
//!   characters: [`fragnum_core::text::printable`]; the tables keep names as read).

use std::path::{Path, PathBuf};

use fragnum_core::{atomic, Cell, ZoneGeometries, ZoneTable};

use crate::tables::Table;
use crate::RenderError;

/// Writes the wide and long zone tables into `dir`; returns the files written.
pub fn write_zone_table(table: &ZoneTable, dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let zones = table.zones();
    let text = |f: &dyn Fn(usize) -> Option<String>| (0..zones.len()).map(f).collect::<Vec<_>>();
    let mut wide = Table::default()
        .text("code", text(&|i| Some(zones[i].code.to_string())))
        .text("level", text(&|i| Some(zones[i].code.level().to_string())))
        .text("name", text(&|i| zones[i].name.clone()))
        .text("commune", text(&|i| zones[i].commune.clone()))
        .text("commune_name", text(&|i| zones[i].commune_name.clone()))
        .text("iris_type", text(&|i| zones[i].iris_type.clone()))
        .text("epci", text(&|i| zones[i].epci.clone()))
        .text("departement", text(&|i| zones[i].code.departement().map(str::to_string)));
    let (mut l_code, mut l_var, mut l_value, mut l_status, mut l_vintage) = (vec![], vec![], vec![], vec![], vec![]);
    for (name, var) in table.variables() {
        wide.push(name, crate::tables::ColumnData::Float(var.values.iter().map(|c| c.value()).collect()));
        wide.push(
            &format!("{name}_vintage"),
            crate::tables::ColumnData::Int(var.vintages.iter().map(|v| v.map(i64::from)).collect()),
        );
        for (i, cell) in var.values.iter().enumerate() {
            if *cell == Cell::Missing {
                continue;
            }
            l_code.push(Some(zones[i].code.to_string()));
            l_var.push(Some(name.clone()));
            l_value.push(cell.value());
            l_status.push(Some(if cell.is_value() { "value" } else { "masked" }.to_string()));
            l_vintage.push(var.vintages[i].map(i64::from));
        }
    }
    let mut files = wide.write(dir, "zones")?;
    let long = Table::default()
        .text("code", l_code)
        .text("variable", l_var)
        .float("value", l_value)
        .text("status", l_status)
        .int("vintage", l_vintage);
    files.extend(long.write(dir, "zones_long")?);
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
            Some(geojson::Feature {
                geometry: Some(geojson::Geometry::from(g)),
                properties: Some(props),
                ..Default::default()
            })
        })
        .collect();
    let fc = geojson::FeatureCollection { features, bbox: None, foreign_members: None };
    atomic::write_bytes(&path, fc.to_string().as_bytes()).map_err(|e| RenderError::io(&path, e))?;
    Ok(path)
}
