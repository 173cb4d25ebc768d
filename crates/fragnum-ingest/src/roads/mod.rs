//! Road networks → [`RoadNetwork`]: OpenStreetMap PBF extracts, and line layers in GeoJSON or
//! ESRI shapefile (OSM-style attributes, IGN BD TOPO or ROUTE 500; see [`line_attributes`]).
//!
//! Every reader keeps every vertex as a node (no contraction), so travel times exist for every
//! point of the road geometry. They record the raw attributes a speed profile needs — road class,
//! tagged speed limit, one-way direction, who may use the road — and count in
//! [`RoadNetwork::notes`] every feature they dropped and every default they assumed.
//!
//! One idea a file:
//!
//! - `pbf`: OpenStreetMap PBF extracts ([`read_osm_extract`]: roads and tagged points, decoded in
//!   parallel, in one or two [`Passes`]);
//! - `lines`: road lines in GeoJSON ([`read_geojson_roads`]) and ESRI shapefile
//!   ([`read_shapefile_roads`]);
//! - `attributes`: the rules they share — routable classes, access and one-way tags, `maxspeed`
//!   ([`way_access`], [`parse_maxspeed`]), and the line vocabularies of IGN, Geofabrik and `OSMnx`
//!   ([`line_attributes`]);
//!
//! and here, what they all use: [`read_roads`] and [`check_roads`], which pick the reader by
//! file name, the WGS84 position check and the edges of a polyline.

mod attributes;
mod lines;
mod pbf;
mod pbf_format;

use std::path::Path;

use fragnum_core::Location;
use fragnum_core::network::{RoadEdge, RoadNetwork, haversine_m};

use crate::{IngestError, Report, Severity};

pub use attributes::{
    LineAttributes, MAX_SPEED_KMH, ROUTABLE_CLASSES, SPEED_OUT_OF_RANGE, WayAccess, line_attributes, maxspeed_out_of_range, parse_maxspeed,
    way_access,
};
pub use lines::{parse_geojson_roads, read_geojson_roads, read_shapefile_roads};
pub use pbf::{ONE_PASS_MAX_BYTES, OsmExtract, Passes, read_osm_extract, read_osm_extract_in, read_osm_pbf};

/// Reads a road network, choosing the reader from the file name: `.pbf` → OSM, `.shp` → ESRI
/// shapefile, otherwise GeoJSON.
pub fn read_roads(path: &Path, report: &mut Report) -> Result<RoadNetwork, IngestError> {
    let net = match path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).as_deref() {
        Some("pbf") => read_osm_pbf(path),
        Some("shp") => read_shapefile_roads(path),
        _ => read_geojson_roads(path, report),
    }?;
    if let Some(n) = net.notes.assumed.get(SPEED_OUT_OF_RANGE) {
        report.push(
            Severity::Warning,
            Location::file(path),
            format!("{n} road(s) with a speed out of range (≤ 0, > {MAX_SPEED_KMH} km/h or not finite): the value is dropped and the class speed of the profile used"),
        );
    }
    Ok(net)
}

/// Checks a road network file without keeping it, as `fragnum validate` does: an OSM PBF is
/// opened and its first block must decode as the `OSMHeader` every extract starts with (a
/// regional extract is not decoded whole); road lines (shapefile, GeoJSON) are read in full.
pub fn check_roads(path: &Path, report: &mut Report) -> Result<(), IngestError> {
    let is_pbf = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pbf"));
    if is_pbf { pbf::check_header(path) } else { read_roads(path, report).map(drop) }
}

/// Refuses a position that is not WGS84 longitude/latitude, saying whether it looks projected
/// or swapped; `what` names the feature, row or node in the error. Every reader of positions
/// (roads, sites) uses it.
pub(crate) fn check_position(lon: f64, lat: f64, location: &Location, what: &str) -> Result<(), IngestError> {
    if !lon.is_finite() || !lat.is_finite() || lon.abs() > 180.0 || lat.abs() > 90.0 {
        let hint = if lon.abs() > 1_000.0 || lat.abs() > 1_000.0 {
            "; the values look projected (metres, e.g. Lambert-93 EPSG:2154): reproject the file to WGS84 lon/lat (EPSG:4326)"
        } else {
            "; expected WGS84 longitude in −180..180 and latitude in −90..90 (are lon and lat swapped?)"
        };
        return Err(IngestError::Crs {
            location: location.clone(),
            message: format!("{what}: coordinate ({lon}, {lat}) is not longitude/latitude{hint}"),
        });
    }
    Ok(())
}

/// The directed edges of one way (a polyline of indices into `positions`), appended to `out`.
fn way_edges(
    positions: &[[f64; 2]],
    nodes: &[u32],
    class: u16,
    maxspeed: Option<f64>,
    urban: Option<bool>,
    access: WayAccess,
    out: &mut Vec<RoadEdge>,
) {
    for pair in nodes.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a == b {
            continue;
        }
        let length_m = haversine_m(positions[a as usize], positions[b as usize]);
        let edge = |from, to, car| RoadEdge { from, to, length_m, class, maxspeed_kmh: maxspeed, car, walk: access.walk, urban };
        if access.car_forward || access.walk {
            out.push(edge(a, b, access.car_forward));
        }
        if access.car_backward || access.walk {
            out.push(edge(b, a, access.car_backward));
        }
    }
}

/// The file name of `path`, for the source of a network.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_roads_reads_a_pbf_header_only_and_refuses_what_is_not_one() {
        let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osm/liechtenstein-latest.osm.pbf");
        let mut report = Report::default();
        check_roads(&real, &mut report).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("x.osm.pbf");
        std::fs::write(&fake, b"not a pbf at all").unwrap();
        let e = check_roads(&fake, &mut report).unwrap_err().to_string();
        assert!(e.starts_with(&fake.display().to_string()), "{e}");
        std::fs::write(&fake, b"").unwrap();
        assert!(check_roads(&fake, &mut report).unwrap_err().to_string().contains("the file is empty"));
        assert!(check_roads(&dir.path().join("absent.geojson"), &mut report).is_err());
    }
}
