//! Zone outlines from an ESRI shapefile (IGN CONTOURS-IRIS, Lambert-93) or GeoJSON, reprojected
//! to WGS84 longitude/latitude with PROJ.
//!
//! The CRS comes from the `.prj` (any WKT PROJ understands), from a legacy GeoJSON `crs` member,
//! or from the config; GeoJSON without `crs` is RFC 7946 WGS84, and coordinates that cannot be
//! longitude/latitude are refused rather than drawn in the Atlantic. A declared CRS must fit the
//! numbers: under Lambert-93 (EPSG:2154) every vertex must lie in metropolitan France's
//! eastings/northings ([`LAMBERT93_X`], [`LAMBERT93_Y`]) and reproject to longitude −10..15,
//! latitude 41..52; under any other CRS reproject to valid longitude/latitude — else an error
//! names the file, the feature, the declared CRS and what the numbers look like. Empty
//! geometries are kept as zones without outline and reported; invalid ones are reported with
//! the reason; a file with no feature, or no feature with a geometry, is an error.

use std::path::Path;

use fragnum_core::{Level, Location, Zone, ZoneCode, ZoneGeometry};
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
    if features.is_empty() {
        return Err(IngestError::Geometry {
            location: Location::file(path),
            message: "no feature: the file holds no outline (an empty FeatureCollection or shapefile?)".into(),
        });
    }
    if features.iter().all(|f| f.geometry.is_none()) {
        return Err(IngestError::Geometry {
            location: Location::file(path),
            message: format!("none of its {} features has a geometry: the file holds no outline", features.len()),
        });
    }
    // Outlines are French zones: most of them elsewhere (e.g. at 0° N 0° E, where numbers in
    // degrees read as metres of a projection land) means a CRS that does not fit the numbers.
    let outlined: Vec<(usize, Coord<f64>)> = features
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.geometry.as_ref().and_then(|g| coords(g).next().copied()).map(|c| (i, c)))
        .collect();
    let abroad: Vec<&(usize, Coord<f64>)> = outlined.iter().filter(|(_, c)| !crate::sites::in_france(c.x, c.y, 1.0)).collect();
    if let Some((i, c)) = abroad.first().filter(|_| abroad.len() * 10 > outlined.len() * 9) {
        report.push(
            Severity::Warning,
            Location::file(path),
            format!(
                "{} of {} outlines fall outside France (metropolitan and overseas), e.g. feature {} (zone {}) at lon {:.5}, lat {:.5}: \
                 is the CRS right?",
                abroad.len(),
                outlined.len(),
                i + 1,
                features[*i].zone.code,
                c.x,
                c.y
            ),
        );
    }
    for (i, f) in features.iter().enumerate() {
        let at = || Location::file(path);
        match &f.geometry {
            None => report.push(
                Severity::Warning,
                at(),
                format!("feature {} (zone {}) has an empty geometry; the zone is kept without outline", i + 1, f.zone.code),
            ),
            Some(g) => {
                // geo's judgement, without its pairwise segment test (minutes at 100,000 vertices).
                if let Err(e) = fragnum_core::validity::check(g) {
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

/// Lambert-93 (EPSG:2154) eastings of metropolitan France with Corsica, metres (with margin).
pub const LAMBERT93_X: (f64, f64) = (0.0, 1_300_000.0);
/// Lambert-93 (EPSG:2154) northings of metropolitan France with Corsica, metres (with margin).
pub const LAMBERT93_Y: (f64, f64) = (6_000_000.0, 7_200_000.0);
/// Longitudes of metropolitan France, where an outline reprojected from Lambert-93 must fall.
const METROPOLE_LON: (f64, f64) = (-10.0, 15.0);
/// Latitudes of metropolitan France, where an outline reprojected from Lambert-93 must fall.
const METROPOLE_LAT: (f64, f64) = (41.0, 52.0);

/// True when a CRS definition (EPSG code, URN, WKT from a `.prj`) is Lambert-93.
pub(crate) fn is_lambert93(crs: &str) -> bool {
    let u: String = crs.to_ascii_uppercase().chars().filter(|c| !matches!(c, ' ' | '-' | '_')).collect();
    u == "EPSG:2154" || u.ends_with("EPSG::2154") || u.contains("LAMBERT93") || u.contains("\"EPSG\",2154]")
}

/// Why a coordinate cannot be Lambert-93 metres of metropolitan France (`None` when it can).
pub(crate) fn lambert93_misfit(x: f64, y: f64) -> Option<&'static str> {
    let inside = |v: f64, (lo, hi): (f64, f64)| v >= lo && v <= hi;
    if inside(x, LAMBERT93_X) && inside(y, LAMBERT93_Y) {
        None
    } else if x.abs() <= 180.0 && y.abs() <= 90.0 {
        Some("these numbers look like WGS84 longitude/latitude degrees")
    } else {
        Some("these numbers look like another projection")
    }
}

/// The declared CRS of an outline file, to check the coordinates against it.
struct Declared {
    /// The CRS as PROJ reads it.
    crs: String,
    /// Where it was declared: the `crs` member, the `.prj`, or `crs` of the contour source.
    by: String,
    /// How to fix a mismatch.
    fix: &'static str,
}

impl Declared {
    fn label(&self) -> String {
        let short: String = self.crs.chars().take(60).collect();
        let short = if short.len() < self.crs.len() { format!("{short}…") } else { short };
        if is_lambert93(&self.crs) { format!("Lambert-93 (EPSG:2154, {})", self.by) } else { format!("{short} ({})", self.by) }
    }

    /// Refuses coordinates the declared CRS cannot hold (Lambert-93: metropolitan France in
    /// metres), before reprojection.
    fn check_source(&self, g: &MultiPolygon<f64>, location: &Location, feature: usize, code: &str) -> Result<(), IngestError> {
        if !is_lambert93(&self.crs) {
            return Ok(());
        }
        let misfit = coords(g).find_map(|c| lambert93_misfit(c.x, c.y).map(|why| (c, why)));
        match misfit {
            Some((c, why)) => Err(IngestError::Crs {
                location: location.clone(),
                message: format!(
                    "feature {feature} (zone {code}): coordinate ({}, {}) does not fit the declared CRS {}: Lambert-93 metres are \
                     x {}–{}, y {}–{} and {why}; {}",
                    c.x,
                    c.y,
                    self.label(),
                    LAMBERT93_X.0,
                    LAMBERT93_X.1,
                    LAMBERT93_Y.0,
                    LAMBERT93_Y.1,
                    self.fix
                ),
            }),
            None => Ok(()),
        }
    }

    /// Refuses a reprojected outline outside WGS84 bounds (metropolitan France for Lambert-93).
    fn check_reprojected(&self, g: &MultiPolygon<f64>, location: &Location, feature: usize, code: &str) -> Result<(), IngestError> {
        let ((lon0, lon1), (lat0, lat1), area) = if is_lambert93(&self.crs) {
            (METROPOLE_LON, METROPOLE_LAT, "metropolitan France")
        } else {
            ((-180.0, 180.0), (-90.0, 90.0), "WGS84 longitude/latitude")
        };
        let bad = coords(g).find(|c| !(c.x >= lon0 && c.x <= lon1 && c.y >= lat0 && c.y <= lat1));
        match bad {
            Some(c) => Err(IngestError::Crs {
                location: location.clone(),
                message: format!(
                    "feature {feature} (zone {code}): reprojected from the declared CRS {} the outline falls at ({}, {}), \
                     outside {area} (lon {lon0}..{lon1}, lat {lat0}..{lat1}): the coordinates do not match the declared CRS; {}",
                    self.label(),
                    c.x,
                    c.y,
                    self.fix
                ),
            }),
            None => Ok(()),
        }
    }
}

/// Every vertex of an outline, holes included.
fn coords(g: &MultiPolygon<f64>) -> impl Iterator<Item = &Coord<f64>> {
    g.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()).flat_map(|r| r.0.iter()))
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

fn find_key<'a>(keys: &(impl Iterator<Item = &'a String> + Clone), source: &ContourSource) -> Option<String> {
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
/// Returns the CRS definition with it (to check coordinates against it).
pub(crate) fn shapefile_crs(path: &Path, configured: Option<&str>, fix: &str) -> Result<(String, Proj), IngestError> {
    let prj_path = path.with_extension("prj");
    let crs = match configured {
        Some(c) => c.to_string(),
        None => std::fs::read_to_string(&prj_path).map_err(|_| IngestError::Crs {
            location: Location::file(&prj_path),
            message: format!("missing .prj beside {}: the CRS is unknown; {fix}", path.display()),
        })?,
    };
    let proj = to_wgs84(crs.trim(), &Location::file(&prj_path))?;
    Ok((crs.trim().to_string(), proj))
}

fn read_shapefile(path: &Path, source: &ContourSource) -> Result<Vec<ContourFeature>, IngestError> {
    let (crs, proj) = shapefile_crs(path, source.crs.as_deref(), "add the .prj or set `crs = \"EPSG:2154\"` on this contour source")?;
    let declared = Declared {
        crs,
        by: if source.crs.is_some() { "`crs` of this contour source".into() } else { "its .prj".into() },
        fix: "check the .prj beside the shapefile (or set the right `crs` on this contour source)",
    };
    let geometry_error = |i: usize, e: &dyn std::fmt::Display| IngestError::Geometry {
        location: Location::file(path),
        message: format!("cannot read shape {}: {e} (is the shapefile truncated or its .shx/.dbf missing?)", i + 1),
    };
    let mut reader = shapefile::Reader::from_path(path).map_err(|e| geometry_error(0, &e))?;
    let mut out = Vec::new();
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) = item.map_err(|e| geometry_error(i, &e))?;
        let fields: Vec<(String, String)> = record.into_iter().filter_map(|(k, v)| dbf_text(&v).map(|t| (k, t))).collect();
        let location = Location::file(path);
        let key = find_key(&fields.iter().map(|(k, _)| k), source).ok_or_else(|| IngestError::MissingColumn {
            location: Location::file(path.with_extension("dbf")),
            column: source.code_property.clone().unwrap_or_else(|| code_columns(source.level).join(" or ")),
            found: fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", "),
        })?;
        let get = |names: &[&str]| names.iter().find_map(|n| fields.iter().find(|(k, _)| normalise_key(k) == *n).map(|(_, v)| v.clone()));
        let code = get(&[key.as_str()]).unwrap_or_default();
        let zone = zone_from(source.level, &code, &get, &Location::file(path.with_extension("dbf")))?;
        let geometry = match shape {
            shapefile::Shape::NullShape => None,
            shapefile::Shape::Polygon(p) => {
                let g = polygon_from_rings(p.rings());
                declared.check_source(&g, &location, i + 1, zone.code.as_str())?;
                let g = reproject(g, Some(&proj), &location)?;
                declared.check_reprojected(&g, &location, i + 1, zone.code.as_str())?;
                Some(g)
            }
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

/// How a GeoJSON file is read: the words saying why it is read as WGS84, or the declared CRS
/// to check its numbers against. `crs` is the CRS used, `configured` the contour source's,
/// `member` the file's legacy `crs` member.
fn geojson_declared(crs: Option<&str>, configured: Option<&str>, member: Option<&str>) -> (String, Option<Declared>) {
    let read_as = match (configured, member) {
        (Some(c), _) => format!("is read as `{c}` by `crs` of this contour source"),
        (None, Some(name)) => format!("declares `crs` `{name}` (WGS84)"),
        (None, None) => "declares no CRS".into(),
    };
    let declared = crs.filter(|c| *c != WGS84).map(|c| match (configured, member) {
        (None, Some(name)) => Declared {
            crs: c.to_string(),
            by: format!("the `crs` member `{name}`"),
            fix: "remove the `crs` member (RFC 7946 GeoJSON is WGS84) or set the right `crs` on this contour source (`crs = \"EPSG:4326\"` for longitude/latitude)",
        },
        _ => Declared {
            crs: c.to_string(),
            by: "`crs` of this contour source".into(),
            fix: "set the right `crs` on this contour source (`crs = \"EPSG:4326\"` for longitude/latitude)",
        },
    });
    (read_as, declared)
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
    let (read_as, declared) = geojson_declared(crs.as_deref(), source.crs.as_deref(), member.as_deref());
    let geojson = serde_json::from_value::<geojson::GeoJson>(value)
        .map_err(|e| IngestError::Geometry { location: Location::file(path), message: format!("not GeoJSON: {e}") })?;
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
        let key = find_key(&props.keys(), source).ok_or_else(|| IngestError::MissingColumn {
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
                    geojson::GeometryValue::MultiPolygon { coordinates: mp } => {
                        MultiPolygon(mp.iter().map(|p| polygon_from_geojson(p)).collect())
                    }
                    other => {
                        return Err(IngestError::Geometry {
                            location,
                            message: format!("feature {} (zone {code}) is a {}, expected a polygon", i + 1, other.type_name()),
                        });
                    }
                };
                let mp = MultiPolygon(mp.0.into_iter().filter(|p| !p.exterior().0.is_empty()).collect());
                match &declared {
                    None => check_lon_lat(&mp, &location, &code, &read_as)?,
                    Some(d) => d.check_source(&mp, &location, i + 1, &code)?,
                }
                let mp = reproject(mp, proj.as_ref(), &location)?;
                if let Some(d) = &declared {
                    d.check_reprojected(&mp, &location, i + 1, &code)?;
                }
                Some(mp)
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

/// Refuses coordinates that cannot be WGS84 longitude/latitude in a file read as WGS84;
/// `declares` says why it is (that the file declares no CRS, or CRS84).
fn check_lon_lat(g: &MultiPolygon<f64>, location: &Location, code: &str, declares: &str) -> Result<(), IngestError> {
    let bad = coords(g).find(|c| !(c.x.abs() <= 180.0 && c.y.abs() <= 90.0));
    match bad {
        Some(c) => Err(IngestError::Crs {
            location: location.clone(),
            message: format!(
                "zone {code}: coordinate ({}, {}) is not longitude/latitude; the file looks projected (Lambert-93?) \
                 but {declares}: set `crs = \"EPSG:2154\"` on this contour source",
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
