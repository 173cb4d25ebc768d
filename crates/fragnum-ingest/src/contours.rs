//! Zone outlines from an ESRI shapefile (IGN CONTOURS-IRIS, Lambert-93) or GeoJSON, reprojected
//! to WGS84 longitude/latitude with PROJ.
//!
//! The CRS comes from the `.prj` (any WKT PROJ understands), from a legacy GeoJSON `crs` member,
//! or from the config; GeoJSON without `crs` is RFC 7946 WGS84, and coordinates that cannot be
//! longitude/latitude are refused rather than drawn in the Atlantic. Empty geometries are kept
//! as zones without outline and reported; invalid ones are reported with the reason.

use std::path::Path;

use fragnum_core::{Level, Location, Zone, ZoneCode, ZoneGeometry};
use geo::Validation;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use proj::Proj;

use crate::census::code_columns;
use crate::config::ContourSource;
use crate::tabular::normalise_key;
use crate::text::read_text;
use crate::{IngestError, Report, Severity};

/// One outline as read.
#[derive(Debug, Clone)]
pub struct ContourFeature {
    /// Identity found in the attributes.
    pub zone: Zone,
    /// The outline in WGS84, `None` when the feature had no geometry.
    pub geometry: Option<ZoneGeometry>,
}

/// The CRS every geometry is converted to.
pub const WGS84: &str = "EPSG:4326";

/// Reads a contour file (`.shp` or `.geojson`/`.json`), reprojecting to WGS84.
pub fn read_contours(path: &Path, source: &ContourSource, report: &mut Report) -> Result<Vec<ContourFeature>, IngestError> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let features = match ext.as_deref() {
        Some("shp") => read_shapefile(path, source)?,
        Some("geojson" | "json") => read_geojson(path, source, report)?,
        _ => {
            return Err(IngestError::Geometry {
                location: Location::file(path),
                message: "unknown contour format: expected a .shp or .geojson file".into(),
            });
        }
    };
    for (i, f) in features.iter().enumerate() {
        let at = || Location::file(path);
        match &f.geometry {
            None => report.push(
                Severity::Warning,
                at(),
                format!("feature {} (zone {}) has an empty geometry; the zone is kept without outline", i + 1, f.zone.code),
            ),
            Some(g) => {
                if let Err(e) = g.check_validation() {
                    report.push(Severity::Warning, at(), format!("feature {} (zone {}) is not a valid polygon: {e}", i + 1, f.zone.code));
                }
            }
        }
    }
    Ok(features)
}

/// Builds a transformation to WGS84 from any CRS definition PROJ accepts (EPSG code, WKT, PROJ string).
pub fn to_wgs84(crs: &str, location: &Location) -> Result<Proj, IngestError> {
    Proj::new_known_crs(crs, WGS84, None).map_err(|e| IngestError::Crs {
        location: location.clone(),
        message: format!("unknown CRS `{}`: {e}", crs.chars().take(80).collect::<String>()),
    })
}

fn reproject(g: MultiPolygon<f64>, proj: Option<&Proj>, location: &Location) -> Result<MultiPolygon<f64>, IngestError> {
    let Some(proj) = proj else { return Ok(g) };
    let convert = |ls: &LineString<f64>| -> Result<LineString<f64>, IngestError> {
        ls.0.iter()
            .map(|c| {
                proj.convert((c.x, c.y)).map(|(x, y)| Coord { x, y }).map_err(|e| IngestError::Crs {
                    location: location.clone(),
                    message: format!("cannot reproject ({}, {}): {e}", c.x, c.y),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    };
    g.0.iter()
        .map(|p| {
            let exterior = convert(p.exterior())?;
            let interiors = p.interiors().iter().map(convert).collect::<Result<Vec<_>, _>>()?;
            Ok(Polygon::new(exterior, interiors))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(MultiPolygon)
}

fn find_key<'a>(keys: impl Iterator<Item = &'a String> + Clone, source: &ContourSource) -> Option<String> {
    let wanted: Vec<String> = match &source.code_property {
        Some(p) => vec![normalise_key(p)],
        None => code_columns(source.level).iter().map(|c| normalise_key(c)).collect(),
    };
    wanted.iter().find_map(|w| keys.clone().find(|k| &normalise_key(k) == w).cloned())
}

fn zone_from(level: Level, code: &str, get: &dyn Fn(&[&str]) -> Option<String>, location: &Location) -> Result<Zone, IngestError> {
    let code = ZoneCode::new(level, code).map_err(|e| IngestError::BadCode { location: location.clone(), source: e })?;
    let mut zone = Zone::new(code);
    zone.name = match level {
        Level::Iris => get(&["NOM_IRIS", "LIB_IRIS", "LIBIRIS"]),
        _ => get(&["NOM", "NOM_COM", "LIBGEO"]),
    };
    if zone.commune.is_none() {
        zone.commune = get(&["INSEE_COM", "DEPCOM"]);
    }
    zone.commune_name = get(&["NOM_COM", "LIBCOM"]);
    zone.iris_type = get(&["TYP_IRIS"]);
    zone.epci = get(&["EPCI_SIREN", "EPCI"]);
    zone.epci_name = get(&["LIBEPCI"]);
    Ok(zone)
}

// ---------------------------------------------------------------- shapefile

/// The projection from a shapefile's CRS to WGS84: `configured` when given, else its `.prj`
/// (any WKT PROJ understands). A missing `.prj` is an error that says how to fix it (`fix`).
pub(crate) fn shapefile_to_wgs84(path: &Path, configured: Option<&str>, fix: &str) -> Result<Proj, IngestError> {
    let prj_path = path.with_extension("prj");
    let crs = match configured {
        Some(c) => c.to_string(),
        None => std::fs::read_to_string(&prj_path).map_err(|_| IngestError::Crs {
            location: Location::file(&prj_path),
            message: format!("missing .prj beside {}: the CRS is unknown; {fix}", path.display()),
        })?,
    };
    to_wgs84(crs.trim(), &Location::file(&prj_path))
}

fn read_shapefile(path: &Path, source: &ContourSource) -> Result<Vec<ContourFeature>, IngestError> {
    let proj = shapefile_to_wgs84(path, source.crs.as_deref(), "add the .prj or set `crs = \"EPSG:2154\"` on this contour source")?;
    let geometry_error = |i: usize, e: &dyn std::fmt::Display| IngestError::Geometry {
        location: Location::file(path),
        message: format!("cannot read shape {}: {e} (is the shapefile truncated or its .shx/.dbf missing?)", i + 1),
    };
    let mut reader = shapefile::Reader::from_path(path).map_err(|e| geometry_error(0, &e))?;
    let mut out = Vec::new();
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) = item.map_err(|e| geometry_error(i, &e))?;
        let fields: Vec<(String, String)> = record
            .into_iter()
            .filter_map(|(k, v)| dbf_text(&v).map(|t| (k, t)))
            .collect();
        let location = Location::file(path);
        let key = find_key(fields.iter().map(|(k, _)| k), source).ok_or_else(|| IngestError::MissingColumn {
            location: Location::file(path.with_extension("dbf")),
            column: source.code_property.clone().unwrap_or_else(|| code_columns(source.level).join(" or ")),
            found: fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", "),
        })?;
        let get = |names: &[&str]| {
            names.iter().find_map(|n| fields.iter().find(|(k, _)| normalise_key(k) == *n).map(|(_, v)| v.clone()))
        };
        let code = get(&[key.as_str()]).unwrap_or_default();
        let zone = zone_from(source.level, &code, &get, &Location::file(path.with_extension("dbf")))?;
        let geometry = match shape {
            shapefile::Shape::NullShape => None,
            shapefile::Shape::Polygon(p) => Some(reproject(polygon_from_rings(p.rings()), Some(&proj), &location)?),
            other => {
                return Err(IngestError::Geometry {
                    location,
                    message: format!("shape {} is a {}, expected a polygon", i + 1, other.shapetype()),
                });
            }
        };
        out.push(ContourFeature { zone, geometry: geometry.filter(|g| !g.0.is_empty()) });
    }
    Ok(out)
}

/// A dBase value as text (`None` when blank or of a type no reader uses).
pub(crate) fn dbf_text(v: &shapefile::dbase::FieldValue) -> Option<String> {
    use shapefile::dbase::FieldValue;
    match v {
        FieldValue::Character(Some(s)) => Some(s.trim().to_string()),
        FieldValue::Numeric(Some(n)) | FieldValue::Double(n) => Some(n.to_string()),
        FieldValue::Float(Some(n)) => Some(n.to_string()),
        FieldValue::Integer(n) => Some(n.to_string()),
        FieldValue::Logical(Some(b)) => Some(if *b { "yes".into() } else { "no".into() }),
        _ => None,
    }
}

/// Shapefile rings: each outer ring starts a polygon; inner rings are holes of the polygon that
/// contains them (the previous outer ring when none does).
fn polygon_from_rings(rings: &[shapefile::PolygonRing<shapefile::Point>]) -> MultiPolygon<f64> {
    use geo::Contains;
    let line = |pts: &[shapefile::Point]| LineString::new(pts.iter().map(|p| Coord { x: p.x, y: p.y }).collect());
    let mut polygons: Vec<(LineString<f64>, Vec<LineString<f64>>)> = Vec::new();
    let mut holes = Vec::new();
    for ring in rings {
        match ring {
            shapefile::PolygonRing::Outer(pts) => polygons.push((line(pts), Vec::new())),
            shapefile::PolygonRing::Inner(pts) => holes.push((polygons.len(), line(pts))),
        }
    }
    for (after, hole) in holes {
        let owner = polygons
            .iter()
            .position(|(outer, _)| hole.0.first().is_some_and(|c| Polygon::new(outer.clone(), vec![]).contains(c)))
            .or(after.checked_sub(1));
        if let Some(o) = owner {
            polygons[o].1.push(hole);
        }
    }
    MultiPolygon(polygons.into_iter().map(|(e, i)| Polygon::new(e, i)).collect())
}

// ---------------------------------------------------------------- GeoJSON

/// What a legacy `crs` member says.
fn crs_member(value: &serde_json::Value) -> Option<String> {
    value.get("crs")?.get("properties")?.get("name")?.as_str().map(str::to_string)
}

/// `urn:ogc:def:crs:EPSG::2154` → `EPSG:2154`; CRS84 and EPSG:4326 → `None` (already WGS84).
fn crs_from_member(name: &str) -> Result<Option<String>, String> {
    let upper = name.to_ascii_uppercase();
    if upper.ends_with("CRS84") || upper.ends_with("EPSG::4326") || upper == "EPSG:4326" {
        return Ok(None);
    }
    let code = upper.rsplit(':').next().unwrap_or("");
    if upper.contains("EPSG") && !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(format!("EPSG:{code}")));
    }
    Err(format!("unknown `crs` member `{name}`; expected CRS84 or an EPSG code"))
}

fn read_geojson(path: &Path, source: &ContourSource, report: &mut Report) -> Result<Vec<ContourFeature>, IngestError> {
    let text = read_text(path, report)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| IngestError::Geometry {
        location: Location::at(path, e.line() as u64, e.column() as u64),
        message: format!("invalid JSON: {e}"),
    })?;
    let member = crs_member(&value);
    let crs = match (&source.crs, &member) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(name)) => {
            let crs = crs_from_member(name).map_err(|message| IngestError::Crs { location: Location::file(path), message })?;
            report.push(
                Severity::Note,
                Location::file(path),
                format!("legacy `crs` member `{name}` (RFC 7946 has none); read as {}", crs.as_deref().unwrap_or("WGS84")),
            );
            crs
        }
        (None, None) => None,
    };
    let proj = match &crs {
        Some(c) if c != WGS84 => Some(to_wgs84(c, &Location::file(path))?),
        _ => None,
    };
    let geojson = serde_json::from_value::<geojson::GeoJson>(value).map_err(|e| IngestError::Geometry {
        location: Location::file(path),
        message: format!("not GeoJSON: {e}"),
    })?;
    let features = match geojson {
        geojson::GeoJson::FeatureCollection(fc) => fc.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(_) => {
            return Err(IngestError::Geometry {
                location: Location::file(path),
                message: "a bare geometry has no zone code; expected a Feature or FeatureCollection".into(),
            });
        }
    };
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.into_iter().enumerate() {
        let location = Location::file(path);
        let props = f.properties.unwrap_or_default();
        let key = find_key(props.keys(), source).ok_or_else(|| IngestError::MissingColumn {
            location: location.clone(),
            column: source.code_property.clone().unwrap_or_else(|| code_columns(source.level).join(" or ")),
            found: props.keys().take(8).cloned().collect::<Vec<_>>().join(", "),
        })?;
        let get = |names: &[&str]| {
            names.iter().find_map(|n| {
                props.iter().find(|(k, _)| normalise_key(k) == normalise_key(n)).and_then(|(_, v)| match v {
                    serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
            })
        };
        let code = get(&[key.as_str()]).unwrap_or_default();
        let zone = zone_from(source.level, &code, &get, &location)?;
        let geometry = match f.geometry {
            None => None,
            Some(g) => {
                let mp = match g.value {
                    geojson::GeometryValue::Polygon { coordinates: p } => MultiPolygon(vec![polygon_from_geojson(&p)]),
                    geojson::GeometryValue::MultiPolygon { coordinates: mp } => MultiPolygon(mp.iter().map(|p| polygon_from_geojson(p)).collect()),
                    other => {
                        return Err(IngestError::Geometry {
                            location,
                            message: format!("feature {} (zone {code}) is a {}, expected a polygon", i + 1, other.type_name()),
                        });
                    }
                };
                let mp = MultiPolygon(mp.0.into_iter().filter(|p| !p.exterior().0.is_empty()).collect());
                if proj.is_none() {
                    check_lon_lat(&mp, &location, &code)?;
                }
                Some(reproject(mp, proj.as_ref(), &location)?)
            }
        };
        out.push(ContourFeature { zone, geometry: geometry.filter(|g| !g.0.is_empty()) });
    }
    Ok(out)
}

fn polygon_from_geojson(rings: &[Vec<geojson::Position>]) -> Polygon<f64> {
    let line = |r: &Vec<geojson::Position>| {
        LineString::new(r.iter().map(geojson::Position::as_slice).filter(|p| p.len() >= 2).map(|p| Coord { x: p[0], y: p[1] }).collect())
    };
    let mut it = rings.iter().map(line);
    let exterior = it.next().unwrap_or_else(|| LineString::new(vec![]));
    Polygon::new(exterior, it.collect())
}

fn check_lon_lat(g: &MultiPolygon<f64>, location: &Location, code: &str) -> Result<(), IngestError> {
    let bad = g.0.iter().flat_map(|p| p.exterior().0.iter()).find(|c| c.x.abs() > 180.0 || c.y.abs() > 90.0);
    match bad {
        Some(c) => Err(IngestError::Crs {
            location: location.clone(),
            message: format!(
                "zone {code}: coordinate ({}, {}) is not longitude/latitude; the file looks projected (Lambert-93?) \
                 but declares no CRS: set `crs = \"EPSG:2154\"` on this contour source",
                c.x, c.y
            ),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert93_to_wgs84_is_lon_lat() {
        let p = to_wgs84("EPSG:2154", &Location::file("x")).unwrap();
        let (lon, lat): (f64, f64) = p.convert((700_000.0, 6_600_000.0)).unwrap();
        assert!((lon - 3.0).abs() < 1e-6, "{lon}");
        assert!((lat - 46.5).abs() < 1e-6, "{lat}");
    }

    #[test]
    fn crs_members() {
        assert_eq!(crs_from_member("urn:ogc:def:crs:OGC:1.3:CRS84"), Ok(None));
        assert_eq!(crs_from_member("urn:ogc:def:crs:EPSG::2154"), Ok(Some("EPSG:2154".into())));
        assert!(crs_from_member("urn:x:local").is_err());
    }
}
