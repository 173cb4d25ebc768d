//! Bad geographic input is a test case (issue 11, "no silent wrong output"): outlines whose
//! declared CRS does not fit their numbers, empty outline files, duplicate or swapped sites,
//! swapped grid cells, out-of-range road speeds. Each gives an error naming the file (and the
//! line, column or feature where it applies) or a warning in the report — never a panic, never
//! a silent loss.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

use std::path::{Path, PathBuf};

use fragnum_core::Level;
use fragnum_ingest::config::ContourSource;
use fragnum_ingest::contours::read_contours;
use fragnum_ingest::roads::{SPEED_OUT_OF_RANGE, read_roads};
use fragnum_ingest::{Report, Severity};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn contour(path: &Path) -> ContourSource {
    ContourSource { path: path.to_path_buf(), level: Level::Iris, code_property: None, crs: None }
}

fn warnings(report: &Report) -> Vec<String> {
    report.problems.iter().filter(|p| p.severity == Severity::Warning).map(ToString::to_string).collect()
}

const L93_MEMBER: &str = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}}"#;
const SQUARE_DEGREES: &str = "[[[5.7,45.1],[5.71,45.1],[5.71,45.11],[5.7,45.11],[5.7,45.1]]]";

fn collection(member: &str, features: &[(&str, &str)]) -> String {
    let features: Vec<String> = features
        .iter()
        .map(|(code, coords)| {
            format!(r#"{{"type":"Feature","properties":{{"CODE_IRIS":"{code}"}},"geometry":{{"type":"Polygon","coordinates":{coords}}}}}"#)
        })
        .collect();
    let member = if member.is_empty() { String::new() } else { format!("{member},") };
    format!(r#"{{"type":"FeatureCollection",{member}"features":[{}]}}"#, features.join(","))
}

// ------------------------------------------------------------------ outlines: declared CRS

#[test]
fn lambert93_member_over_degrees_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "c.geojson", collection(L93_MEMBER, &[("381850101", SQUARE_DEGREES)]).as_bytes());
    let err = read_contours(&p, &contour(&p), &mut Report::default()).unwrap_err().to_string();
    let expected = format!(
        "{}: feature 1 (zone 381850101): coordinate (5.7, 45.1) does not fit the declared CRS Lambert-93 (EPSG:2154, the `crs` \
         member `urn:ogc:def:crs:EPSG::2154`): Lambert-93 metres are x 0–1300000, y 6000000–7200000 and these numbers look like \
         WGS84 longitude/latitude degrees; remove the `crs` member (RFC 7946 GeoJSON is WGS84) or set the right `crs` on this \
         contour source (`crs = \"EPSG:4326\"` for longitude/latitude)",
        p.display()
    );
    assert_eq!(err, expected);
}

#[test]
fn lambert93_from_config_over_other_numbers_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // UTM 31N numbers (EPSG:32631) under a Lambert-93 config: metres, but not Lambert-93's
    let utm = "[[[500000,5000000],[501000,5000000],[501000,5001000],[500000,5000000]]]";
    let p = write(dir.path(), "utm.geojson", collection("", &[("381850101", utm)]).as_bytes());
    let mut src = contour(&p);
    src.crs = Some("EPSG:2154".into());
    let err = read_contours(&p, &src, &mut Report::default()).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: feature 1 (zone 381850101): coordinate (500000, 5000000)", p.display())), "{err}");
    assert!(err.contains("Lambert-93 (EPSG:2154, `crs` of this contour source)") && err.contains("look like another projection"), "{err}");
}

#[test]
fn lambert93_numbers_are_checked_on_every_feature_and_hole() {
    let dir = tempfile::tempdir().unwrap();
    let ok = "[[[700000,6600000],[701000,6600000],[701000,6601000],[700000,6600000]]]";
    // the second feature's hole is in degrees
    let holed = "[[[700000,6600000],[701000,6600000],[701000,6601000],[700000,6600000]],[[5.7,45.1],[5.71,45.1],[5.7,45.11],[5.7,45.1]]]";
    let p = write(dir.path(), "h.geojson", collection(L93_MEMBER, &[("381850101", ok), ("381850102", holed)]).as_bytes());
    let err = read_contours(&p, &contour(&p), &mut Report::default()).unwrap_err().to_string();
    assert!(err.contains("h.geojson: feature 2 (zone 381850102): coordinate (5.7, 45.1) does not fit"), "{err}");
}

#[test]
fn good_lambert93_member_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let ok = "[[[700000,6600000],[701000,6600000],[701000,6601000],[700000,6600000]]]";
    let p = write(dir.path(), "ok.geojson", collection(L93_MEMBER, &[("381850101", ok)]).as_bytes());
    let mut report = Report::default();
    let f = read_contours(&p, &contour(&p), &mut report).unwrap();
    let c = f[0].geometry.as_ref().unwrap().0[0].exterior().0[0];
    assert!((c.x - 3.0).abs() < 1e-6 && (c.y - 46.5).abs() < 1e-6, "{c:?}");
    assert!(warnings(&report).is_empty(), "{:?}", report.problems);
}

#[test]
fn crs84_member_over_projected_numbers_says_what_it_declares() {
    let dir = tempfile::tempdir().unwrap();
    let member = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}"#;
    let l93 = "[[[700000,6600000],[701000,6600000],[701000,6601000],[700000,6600000]]]";
    let p = write(dir.path(), "w.geojson", collection(member, &[("381850101", l93)]).as_bytes());
    let err = read_contours(&p, &contour(&p), &mut Report::default()).unwrap_err().to_string();
    assert!(err.contains("w.geojson: zone 381850101: coordinate (700000, 6600000) is not longitude/latitude"), "{err}");
    assert!(err.contains("but declares `crs` `urn:ogc:def:crs:OGC:1.3:CRS84` (WGS84)"), "{err}");
}

#[test]
fn other_projection_over_degrees_lands_at_null_island_and_is_reported() {
    // Web Mercator metres read from numbers in degrees: every outline a few metres from 0° N 0° E.
    let dir = tempfile::tempdir().unwrap();
    let member = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}}"#;
    let p = write(dir.path(), "m.geojson", collection(member, &[("381850101", SQUARE_DEGREES)]).as_bytes());
    let mut report = Report::default();
    read_contours(&p, &contour(&p), &mut report).unwrap();
    let w = warnings(&report);
    assert!(
        w.iter().any(|m| m.starts_with(&format!("{}: warning: 1 of 1 outlines fall outside France (metropolitan and overseas), e.g. feature 1 (zone 381850101) at lon 0.00005, lat 0.00041: is the CRS right?", p.display()))),
        "{w:?}"
    );
}

#[test]
fn reprojection_outside_wgs84_bounds_is_refused() {
    // UTM zone 31N metres far beyond the zone: PROJ either fails or returns no valid lon/lat.
    let dir = tempfile::tempdir().unwrap();
    let member = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32631"}}"#;
    let far = "[[[1e12,1e12],[1.1e12,1e12],[1.1e12,1.1e12],[1e12,1e12]]]";
    let p = write(dir.path(), "far.geojson", collection(member, &[("381850101", far)]).as_bytes());
    let err = read_contours(&p, &contour(&p), &mut Report::default()).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: ", p.display())), "{err}");
    assert!(err.contains("cannot reproject") || err.contains("outside WGS84 longitude/latitude"), "{err}");
}

#[test]
fn shapefile_prj_over_degrees_is_refused() {
    use shapefile::dbase::{FieldValue, Record, TableWriterBuilder};
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("c.shp");
    let table = TableWriterBuilder::new().add_character_field("CODE_IRIS".try_into().unwrap(), 9);
    let mut w = shapefile::Writer::from_path(&shp, table).unwrap();
    let ring: Vec<shapefile::Point> =
        [(5.7, 45.1), (5.7, 45.11), (5.71, 45.11), (5.71, 45.1), (5.7, 45.1)].iter().map(|&(x, y)| shapefile::Point::new(x, y)).collect();
    let mut rec = Record::default();
    rec.insert("CODE_IRIS".into(), FieldValue::Character(Some("381850101".into())));
    w.write_shape_and_record(&shapefile::Polygon::new(shapefile::PolygonRing::Outer(ring)), &rec).unwrap();
    drop(w);
    std::fs::write(shp.with_extension("prj"), "EPSG:2154").unwrap();
    let err = read_contours(&shp, &contour(&shp), &mut Report::default()).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}: feature 1 (zone 381850101): coordinate (5.7, 45.1) does not fit the declared CRS Lambert-93 (EPSG:2154, its .prj)",
            shp.display()
        )),
        "{err}"
    );
    assert!(err.contains("look like WGS84 longitude/latitude degrees; check the .prj beside the shapefile"), "{err}");
}

// ------------------------------------------------------------------ outlines: nothing to read

#[test]
fn empty_feature_collection_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "empty.geojson", br#"{"type":"FeatureCollection","features":[]}"#);
    let err = read_contours(&p, &contour(&p), &mut Report::default()).unwrap_err().to_string();
    assert_eq!(err, format!("{}: no feature: the file holds no outline (an empty FeatureCollection or shapefile?)", p.display()));
}

#[test]
fn file_without_any_geometry_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"CODE_IRIS":"381850101"},"geometry":null},
        {"type":"Feature","properties":{"CODE_IRIS":"381850102"},"geometry":null}]}"#;
    let p = write(dir.path(), "nogeom.geojson", json.as_bytes());
    let err = read_contours(&p, &contour(&p), &mut Report::default()).unwrap_err().to_string();
    assert_eq!(err, format!("{}: none of its 2 features has a geometry: the file holds no outline", p.display()));
}

// ------------------------------------------------------------------ sites

#[test]
fn duplicate_site_ids_are_reported_and_the_first_kept() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.csv", b"id,name,lon,lat\nfs-1,Mairie,5.72,45.18\nfs-2,Poste,5.73,45.19\nfs-1,Copie,5.9,45.5\n");
    let mut report = Report::default();
    let sites = fragnum_ingest::sites::read_sites(&p, &mut report).unwrap();
    assert_eq!(sites.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["fs-1", "fs-2"]);
    assert_eq!(sites[0].name, "Mairie");
    assert_eq!(
        warnings(&report),
        [format!("{}:4:1: warning: duplicate site id `fs-1` (first seen on line 2): this row is skipped, the first one kept", p.display())]
    );
}

#[test]
fn swapped_lon_lat_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.csv", b"id,name,lon,lat\nfs-1,Mairie,45.18,5.72\nfs-2,Poste,45.19,5.73\nfs-3,Gare,45.57,5.92\n");
    let err = fragnum_ingest::sites::read_sites(&p, &mut Report::default()).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}:2:3: lon and lat look swapped: 3 of 3 sites lie outside France but inside it with longitude and latitude exchanged \
             (e.g. site `fs-1` at lon 45.18, lat 5.72); exchange the columns `lon` and `lat`",
            p.display()
        )
    );
}

#[test]
fn a_few_swapped_sites_are_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.csv", b"id;lon;lat\na;5,72;45,18\nb;45,19;5,73\nc;5,9;45,5\n");
    let mut report = Report::default();
    let sites = fragnum_ingest::sites::read_sites(&p, &mut report).unwrap();
    assert_eq!(sites.len(), 3);
    assert_eq!(
        warnings(&report),
        [format!(
            "{}:3:2: warning: 1 of 3 sites lie outside France but inside it with `lon` and `lat` exchanged (e.g. site `b` at lon 45.19, lat 5.73): are they swapped on these rows?",
            p.display()
        )]
    );
}

#[test]
fn swapped_population_grid_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "g.csv", b"ind,lat,lon\n12,5.72,45.18\n3,5.73,45.19\n");
    let err = fragnum_ingest::grid::read_population_grid(&p, &mut Report::default()).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2:3: lon and lat look swapped: 2 of 2 cells", p.display())), "{err}");
    assert!(err.contains("(e.g. the cell of line 2 at lon 45.18, lat 5.72); exchange the columns `lon` and `lat`"), "{err}");
}

// ------------------------------------------------------------------ road speeds

#[test]
fn out_of_range_speeds_are_dropped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let line = |i: usize, props: &str| {
        let x = 5.0 + 0.01 * i as f64;
        format!(
            r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"LineString","coordinates":[[{x},45.0],[{},45.0]]}}}}"#,
            x + 0.01
        )
    };
    let props = [
        r#""highway":"primary","maxspeed":"1e9""#,
        r#""highway":"primary","maxspeed":"-30""#,
        r#""highway":"primary","maxspeed":"250""#,
        r#""highway":"primary","maxspeed":"FR:zone1e9""#,
        r#""highway":"primary","speed_kmh":1e12"#,
        r#""highway":"primary","maxspeed":"0""#,
        r#""highway":"primary","maxspeed":"90""#,
    ];
    let features: Vec<String> = props.iter().enumerate().map(|(i, p)| line(i, p)).collect();
    let p = write(dir.path(), "r.geojson", format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(",")).as_bytes());
    let mut report = Report::default();
    let net = read_roads(&p, &mut report).unwrap();
    assert_eq!(net.notes.features_kept, 7);
    assert_eq!(net.notes.assumed[SPEED_OUT_OF_RANGE], 6, "{:?}", net.notes);
    let speeds: Vec<Option<f64>> = net.edges.iter().step_by(2).map(|e| e.maxspeed_kmh).collect();
    assert_eq!(speeds, [None, None, None, None, None, None, Some(90.0)]);
    assert_eq!(
        warnings(&report),
        [format!(
            "{}: warning: 6 road(s) with a speed out of range (≤ 0, > 200 km/h or not finite): the value is dropped and the class speed of the profile used",
            p.display()
        )]
    );
}

#[test]
fn road_shapefile_prj_over_degrees_is_refused() {
    use shapefile::dbase::{FieldValue, Record, TableWriterBuilder};
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("troncon.shp");
    let table = TableWriterBuilder::new().add_character_field("NATURE".try_into().unwrap(), 40);
    let mut w = shapefile::Writer::from_path(&shp, table).unwrap();
    let line = shapefile::Polyline::new(vec![shapefile::Point::new(5.7, 45.1), shapefile::Point::new(5.71, 45.1)]);
    let mut rec = Record::default();
    rec.insert("NATURE".into(), FieldValue::Character(Some("Route à 1 chaussée".into())));
    w.write_shape_and_record(&line, &rec).unwrap();
    drop(w);
    std::fs::write(shp.with_extension("prj"), "PROJCS[\"RGF93_Lambert_93\",GEOGCS[\"GCS_RGF_1993\",DATUM[\"D_RGF_1993\",SPHEROID[\"GRS_1980\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Lambert_Conformal_Conic\"],PARAMETER[\"False_Easting\",700000.0],PARAMETER[\"False_Northing\",6600000.0],PARAMETER[\"Central_Meridian\",3.0],PARAMETER[\"Standard_Parallel_1\",49.0],PARAMETER[\"Standard_Parallel_2\",44.0],PARAMETER[\"Latitude_Of_Origin\",46.5],UNIT[\"Meter\",1.0]]").unwrap();
    let err = read_roads(&shp, &mut Report::default()).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}: shape 1: coordinate (5.7, 45.1) does not fit the CRS of its .prj, Lambert-93 (EPSG:2154): Lambert-93 metres are \
             x 0–1300000, y 6000000–7200000 and these numbers look like WGS84 longitude/latitude degrees; check the .prj beside the shapefile",
            shp.display()
        )
    );
}
