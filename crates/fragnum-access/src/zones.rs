//! Population points (the grid's cells in the territory, or points inside the zones), and the
//! GeoJSON of the isochrones.
//!
//! Each polygon of a zone gets one interior point (guaranteed inside, unlike a centroid), with the
//! zone's population split by polygon area. Zones are small (IRIS ≈ 2 000 people), so one point
//! per part is a fair first approximation; a grid gives better results where it exists.

use fragnum_core::sites::PopulationPoint;
use fragnum_core::text::printable_line;
use fragnum_core::{ZoneCode, ZoneGeometry};
use geo::orient::{Direction, Orient};
use geo::{Area, GeodesicArea, InteriorPoint, MapCoords};
use geo_types::Coord;
use geojson::{Feature, FeatureCollection, Geometry, GeometryValue};
use serde_json::json;

use crate::output::AccessOutput;

/// Where people live, for the accessibility computation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PopulationPoints {
    /// The points: grid cells in the territory, else points inside each zone.
    pub points: Vec<PopulationPoint>,
    /// Per point, whether its zone is urban (density ≥ the threshold), for the approximation.
    pub urban: Vec<bool>,
    /// People of the grid cells outside the territory, left out.
    pub outside_people: f64,
}

/// The population points of a territory. With a `grid`, its cells whose zone lies in the
/// territory — the zones with an outline at their level, else the zones of the table: cells
/// elsewhere would count people the territory's sites are not meant to serve. Without, one point
/// per polygon of each zone of the finest outlined level with a population ([`zone_points`]).
/// A point is urban when its zone (finest outlined level) has at least `urban_density_km2`
/// people per km².
pub fn population_points(
    table: &fragnum_core::ZoneTable,
    geometries: &fragnum_core::ZoneGeometries,
    grid: Option<&[PopulationPoint]>,
    urban_density_km2: f64,
) -> PopulationPoints {
    let mut out = PopulationPoints::default();
    let mut densities: std::collections::BTreeMap<&str, f64> = std::collections::BTreeMap::new();
    let finest = fragnum_core::geometry::finest_outlined_level(geometries);
    for (code, geometry) in geometries {
        if Some(code.level()) != finest {
            continue;
        }
        if let fragnum_core::Cell::Value(pop) = table.get(code, "pop") {
            if let Some(d) = density_per_km2(geometry, pop) {
                densities.insert(code.as_str(), d);
            }
            if grid.is_none() && pop > 0.0 {
                out.points.extend(zone_points(code, geometry, pop));
            }
        }
    }
    if let Some(cells) = grid {
        let outlined = fragnum_core::geometry::outlined_levels(geometries);
        let in_territory = |z: &ZoneCode| if outlined.contains(&z.level()) { geometries.contains_key(z) } else { table.row(z).is_ok() };
        for c in cells {
            if c.zone.as_ref().is_some_and(in_territory) {
                out.points.push(c.clone());
            } else {
                out.outside_people += c.weight;
            }
        }
    }
    out.urban = out
        .points
        .iter()
        .map(|p| p.zone.as_ref().and_then(|z| densities.get(z.as_str())).is_some_and(|d| *d >= urban_density_km2))
        .collect();
    out
}

/// One point per polygon of `geometry`, the population split by area.
///
/// ```
/// use geo_types::{polygon, MultiPolygon};
/// use fragnum_core::{Level, ZoneCode};
/// let square = polygon![(x: 5.0, y: 45.0), (x: 5.01, y: 45.0), (x: 5.01, y: 45.01), (x: 5.0, y: 45.01)];
/// let code = ZoneCode::new(Level::Commune, "38185").unwrap();
/// let pts = fragnum_access::zones::zone_points(&code, &MultiPolygon(vec![square]), 500.0);
/// assert_eq!(pts.len(), 1);
/// assert!((pts[0].lon - 5.005).abs() < 1e-9 && pts[0].weight == 500.0);
/// ```
pub fn zone_points(code: &ZoneCode, geometry: &ZoneGeometry, population: f64) -> Vec<PopulationPoint> {
    let areas: Vec<f64> = geometry.0.iter().map(Area::unsigned_area).collect();
    let total: f64 = areas.iter().sum();
    geometry
        .0
        .iter()
        .zip(&areas)
        .filter_map(|(p, a)| {
            let point = p.interior_point()?;
            let share = if total > 0.0 { a / total } else { 1.0 / geometry.0.len() as f64 };
            Some(PopulationPoint { lon: point.x(), lat: point.y(), weight: population * share, zone: Some(code.clone()) })
        })
        .collect()
}

/// People per km² of a zone (geodesic area); `None` for an empty outline.
pub fn density_per_km2(geometry: &ZoneGeometry, population: f64) -> Option<f64> {
    let km2 = geometry.geodesic_area_unsigned() / 1e6;
    (km2 > 0.0).then(|| population / km2)
}

/// The isochrones as a GeoJSON `FeatureCollection` (RFC 7946: WGS84, exterior rings
/// counter-clockwise and holes clockwise, 7 decimals), one feature per site, with the method in a
/// top-level `metadata` member and in every feature. Texts are written for people: without the
/// control characters an input may carry ([`printable_line`]: site id, name, kind, commune).
pub fn isochrones_geojson(out: &AccessOutput) -> String {
    let method = out.method.as_str();
    let text = |s: &str| printable_line(s).into_owned();
    let method_label = text(&out.method_label);
    let features = out
        .isochrones
        .iter()
        .map(|iso| {
            let site = &out.sites[iso.site].site;
            let area = iso.area.orient(Direction::Default).map_coords(|c| Coord { x: round7(c.x), y: round7(c.y) });
            let properties = json!({
                "site_id": text(&site.id), "name": text(&site.name), "kind": text(&site.kind),
                "commune": site.commune.as_deref().map(text),
                "threshold_min": iso.threshold_min, "method": method, "method_label": method_label,
                "population_within": out.sites[iso.site].population_within,
            });
            Feature {
                bbox: None,
                geometry: Some(Geometry::new(GeometryValue::from(&area))),
                id: None,
                properties: properties.as_object().cloned(),
                foreign_members: None,
            }
        })
        .collect();
    let metadata = json!({
        "method": method, "method_label": method_label, "threshold_min": out.isochrone_min,
        "cell_m": out.isochrone_cell_m,
        "construction": "raster of reached road samples buffered by the remaining walking time (8-connected grid), \
                         traced along cell edges; staircase outlines at the cell size",
    });
    let mut foreign = serde_json::Map::new();
    foreign.insert("metadata".into(), metadata);
    FeatureCollection { bbox: None, features, foreign_members: Some(foreign) }.to_string()
}

fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}
