//! Road lines in GeoJSON (WGS84) or ESRI shapefile (reprojected from its `.prj`) →
//! [`RoadNetwork`]: vertices with the same position become one node, attributes are read by
//! [`line_attributes`] whichever vocabulary the file uses.

use std::collections::HashMap;
use std::path::Path;

use fragnum_core::Location;
use fragnum_core::network::RoadNetwork;
use serde_json::Value;

use super::attributes::{LineAttributes, line_attributes};
use super::{check_position, display_name, way_edges};
use crate::text::read_text;
use crate::{IngestError, Report};

/// Reads a GeoJSON file of `LineString` / `MultiLineString` features (WGS84).
pub fn read_geojson_roads(path: &Path, report: &mut Report) -> Result<RoadNetwork, IngestError> {
    let text = read_text(path, report)?;
    parse_geojson_roads(path, &text)
}

/// A property as text: strings as is, numbers printed, lists (`OSMnx` exports) by their first item.
fn prop_text(props: &serde_json::Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| props.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).and_then(|(_, v)| value_text(v)))
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => {
            let s = s.trim();
            // OSMnx writes lists as Python reprs: "['residential', 'service']".
            if s.starts_with('[') {
                s.trim_matches(|c| c == '[' || c == ']').split(',').next().map(|x| x.trim().trim_matches(['\'', '"']).to_string())
            } else {
                Some(s.to_string())
            }
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "yes".into() } else { "no".into() }),
        Value::Array(items) => items.iter().find_map(value_text),
        _ => None,
    }
}

/// Parses GeoJSON road lines read from `path` (used in errors).
///
/// Properties are read by [`line_attributes`]. Vertices with identical coordinates become one
/// node, so lines that share an end are connected.
pub fn parse_geojson_roads(path: &Path, text: &str) -> Result<RoadNetwork, IngestError> {
    let geometry_error = |message: String| IngestError::Geometry { location: Location::file(path), message };
    let value: Value = serde_json::from_str(text).map_err(|e| IngestError::Geometry {
        location: Location::at(path, e.line() as u64, e.column() as u64),
        message: format!("not JSON: {e}"),
    })?;
    // Borrowed from the parsed document: a large road file is not copied feature by feature.
    let features: &[Value] = match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => value.get("features").and_then(Value::as_array).map_or(&[], Vec::as_slice),
        Some("Feature") => std::slice::from_ref(&value),
        other => return Err(geometry_error(format!("expected a GeoJSON FeatureCollection of road lines, found type {other:?}"))),
    };
    let mut lines = LineNetwork::new(format!("road lines {}", display_name(path)));
    let empty = serde_json::Map::new();
    let location = Location::file(path);
    for (i, f) in features.iter().enumerate() {
        lines.net.notes.features_read += 1;
        let props = f.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let Some(geometry) = f.get("geometry").filter(|g| !g.is_null()) else {
            lines.net.notes.drop("feature without geometry");
            continue;
        };
        let coords = geometry.get("coordinates").unwrap_or(&Value::Null);
        let parts: &[Value] = match geometry.get("type").and_then(Value::as_str) {
            Some("LineString") => std::slice::from_ref(coords),
            Some("MultiLineString") => coords.as_array().map_or(&[], Vec::as_slice),
            Some(other) => {
                lines.net.notes.drop(format!("{other} geometry (only lines are roads)"));
                continue;
            }
            None => return Err(geometry_error(format!("feature {}: geometry without a type", i + 1))),
        };
        let Some(attributes) = line_attributes(&|k| prop_text(props, &[k]), &mut lines.net.notes) else { continue };
        let mut positions: Vec<Vec<[f64; 2]>> = Vec::with_capacity(parts.len());
        for part in parts {
            let points = part.as_array().map(Vec::as_slice).unwrap_or_default();
            let mut line = Vec::with_capacity(points.len());
            for p in points {
                let (Some(lon), Some(lat)) = (p.get(0).and_then(Value::as_f64), p.get(1).and_then(Value::as_f64)) else {
                    return Err(geometry_error(format!("feature {}: a position is not [lon, lat]", i + 1)));
                };
                check_position(lon, lat, &location, &format!("feature {}", i + 1))?;
                line.push([lon, lat]);
            }
            positions.push(line);
        }
        lines.add_feature(&positions, &attributes);
    }
    Ok(lines.net)
}

/// Reads an ESRI shapefile of road lines (`PolyLine`, with or without Z/M), reprojected from the
/// CRS of its `.prj` (IGN files are Lambert-93) to WGS84. Attributes are read by
/// [`line_attributes`], so IGN BD TOPO `TRONCON_DE_ROUTE` and ROUTE 500 `TRONCON_ROUTE` layers
/// work as they are published.
pub fn read_shapefile_roads(path: &Path) -> Result<RoadNetwork, IngestError> {
    let (crs, proj) = crate::contours::shapefile_crs(path, None, "road shapefiles need their .prj (IGN layers ship one)")?;
    let lambert93 = crate::contours::is_lambert93(&crs);
    let shape_error = |i: usize, e: &dyn std::fmt::Display| IngestError::Geometry {
        location: Location::file(path),
        message: format!("cannot read shape {}: {e} (is the shapefile truncated or its .shx/.dbf missing?)", i + 1),
    };
    let mut reader = shapefile::Reader::from_path(path).map_err(|e| shape_error(0, &e))?;
    let mut lines = LineNetwork::new(format!("road lines {}", display_name(path)));
    let location = Location::file(path);
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) = item.map_err(|e| shape_error(i, &e))?;
        lines.net.notes.features_read += 1;
        let parts: Vec<Vec<(f64, f64)>> = match shape {
            shapefile::Shape::Polyline(l) => l.parts().iter().map(|p| p.iter().map(|q| (q.x, q.y)).collect()).collect(),
            shapefile::Shape::PolylineM(l) => l.parts().iter().map(|p| p.iter().map(|q| (q.x, q.y)).collect()).collect(),
            shapefile::Shape::PolylineZ(l) => l.parts().iter().map(|p| p.iter().map(|q| (q.x, q.y)).collect()).collect(),
            shapefile::Shape::NullShape => {
                lines.net.notes.drop("feature without geometry");
                continue;
            }
            other => {
                return Err(IngestError::Geometry {
                    location,
                    message: format!("shape {} is a {}, expected a polyline (road lines)", i + 1, other.shapetype()),
                });
            }
        };
        let fields: Vec<(String, String)> =
            record.into_iter().filter_map(|(k, v)| crate::contours::dbf_text(&v).filter(|t| !t.is_empty()).map(|t| (k, t))).collect();
        let get = |k: &str| fields.iter().find(|(name, _)| name.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
        let Some(attributes) = line_attributes(&get, &mut lines.net.notes) else { continue };
        let mut positions = Vec::with_capacity(parts.len());
        for part in parts {
            let mut line = Vec::with_capacity(part.len());
            for (x, y) in part {
                if let Some(why) = lambert93.then(|| crate::contours::lambert93_misfit(x, y)).flatten() {
                    let ((x0, x1), (y0, y1)) = (crate::contours::LAMBERT93_X, crate::contours::LAMBERT93_Y);
                    return Err(IngestError::Crs {
                        location: location.clone(),
                        message: format!(
                            "shape {}: coordinate ({x}, {y}) does not fit the CRS of its .prj, Lambert-93 (EPSG:2154): \
                             Lambert-93 metres are x {x0}–{x1}, y {y0}–{y1} and {why}; check the .prj beside the shapefile",
                            i + 1
                        ),
                    });
                }
                let (lon, lat) = proj.convert((x, y)).map_err(|e| IngestError::Crs {
                    location: location.clone(),
                    message: format!("shape {}: cannot reproject ({x}, {y}): {e}", i + 1),
                })?;
                check_position(lon, lat, &location, &format!("shape {}", i + 1))?;
                line.push([lon, lat]);
            }
            positions.push(line);
        }
        lines.add_feature(&positions, &attributes);
    }
    Ok(lines.net)
}

/// A road network being built from line features: vertices with the same position (to 1e-7°,
/// about 1 cm) become one node, so lines that share an end are connected.
struct LineNetwork {
    net: RoadNetwork,
    node_of: HashMap<(i64, i64), u32>,
}

impl LineNetwork {
    fn new(source: String) -> Self {
        LineNetwork { net: RoadNetwork { source, ..RoadNetwork::default() }, node_of: HashMap::new() }
    }

    /// Adds a feature's parts (each a polyline of WGS84 positions) and counts it kept or dropped.
    fn add_feature(&mut self, parts: &[Vec<[f64; 2]>], attributes: &LineAttributes) {
        let class = self.net.class_index(&attributes.class);
        let mut kept = false;
        for part in parts {
            let mut nodes: Vec<u32> = Vec::with_capacity(part.len());
            for &[lon, lat] in part {
                let key = ((lon * 1e7).round() as i64, (lat * 1e7).round() as i64);
                let next = self.net.nodes.len() as u32;
                let node = *self.node_of.entry(key).or_insert(next);
                if node == next {
                    self.net.push_node(lon, lat);
                }
                if nodes.last() != Some(&node) {
                    nodes.push(node);
                }
            }
            if nodes.len() >= 2 {
                let net = &mut self.net;
                way_edges(&net.nodes, &nodes, class, attributes.maxspeed, attributes.urban, attributes.access, &mut net.edges);
                kept = true;
            }
        }
        if kept {
            self.net.notes.features_kept += 1;
        } else {
            self.net.notes.drop("line with fewer than 2 distinct points");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"highway":"primary","maxspeed":"70","oneway":"yes"},
       "geometry":{"type":"LineString","coordinates":[[5.0,45.0],[5.01,45.0],[5.02,45.0]]}},
      {"type":"Feature","properties":{"highway":"residential"},
       "geometry":{"type":"MultiLineString","coordinates":[[[5.02,45.0],[5.02,45.01]]]}},
      {"type":"Feature","properties":{"name":"x"},
       "geometry":{"type":"LineString","coordinates":[[5.02,45.01],[5.03,45.01]]}},
      {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[5.0,45.0]}}
    ]}"#;

    #[test]
    fn geojson_lines_share_nodes_and_oneway_is_car_only() {
        let net = parse_geojson_roads(Path::new("r.geojson"), LINES).unwrap();
        assert_eq!(net.nodes.len(), 5);
        // one-way primary: 2 segments × (car forward + walk-only backward) = 4 edges
        let primary: Vec<_> = net.edges.iter().filter(|e| net.class_name(e) == "primary").collect();
        assert_eq!(primary.len(), 4);
        assert_eq!(primary.iter().filter(|e| e.car).count(), 2);
        assert!(primary.iter().all(|e| e.walk && e.maxspeed_kmh == Some(70.0)));
        let fwd = primary.iter().find(|e| e.car).unwrap();
        assert!(fwd.from < fwd.to);
        assert!((fwd.length_m - 786.0).abs() < 5.0, "{}", fwd.length_m);
        assert_eq!(net.notes.assumed["no road class: unclassified assumed"], 1);
        assert_eq!(net.notes.dropped["Point geometry (only lines are roads)"], 1);
        assert_eq!(net.notes.features_kept, 3);
    }

    #[test]
    fn projected_coordinates_are_refused() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
          "geometry":{"type":"LineString","coordinates":[[913000.0,6458000.0],[914000.0,6458000.0]]}}]}"#;
        let err = parse_geojson_roads(Path::new("r.geojson"), text).unwrap_err().to_string();
        assert!(err.contains("r.geojson") && err.contains("projected"), "{err}");
    }
}
