//! Road networks → [`RoadNetwork`]: OpenStreetMap PBF extracts, and line layers in GeoJSON or
//! ESRI shapefile (OSM-style attributes, IGN BD TOPO or ROUTE 500; see [`line_attributes`]).
//!
//! Every reader keeps every vertex as a node (no contraction), so travel times exist for every
//! point of the road geometry. They record the raw attributes a speed profile needs — road class,
//! tagged speed limit, one-way direction, who may use the road — and count in
//! [`RoadNetwork::notes`] every feature they dropped and every default they assumed.
//!
//! OSM tags read: `highway`, `maxspeed` (`50`, `30 mph`, `FR:urban`, `FR:rural`, `FR:zone30`,
//! `walk`; a value ≤ 0, above 200 km/h or not finite, such as `1e9`, is dropped, counted and
//! reported, and the class speed used), `source:maxspeed` / `maxspeed:type` (urban hint), `oneway` (`yes`/`true`/`1`,
//! `-1`/`reverse`, `no`, `reversible`), `junction=roundabout|circular` (implied one-way),
//! `highway=motorway` (implied one-way), `access`, `vehicle`, `motor_vehicle`, `motorcar`, `foot`,
//! `area=yes` (dropped: a square is not a line).

use std::collections::HashMap;
use std::path::Path;

use fragnum_core::Location;
use fragnum_core::network::{NetworkNotes, RoadEdge, RoadNetwork, haversine_m};
use fragnum_core::sites::Site;
use fragnum_core::text::fold_accent;
use osmpbf::{BlobDecode, BlobReader, Element};
use rayon::prelude::*;
use serde_json::Value;

use crate::text::read_text;
use crate::{IngestError, Report, Severity};

/// `highway` values that are roads or paths someone can travel on. Anything else is dropped.
pub const ROUTABLE_CLASSES: [&str; 27] = [
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "track",
    "busway",
    "pedestrian",
    "footway",
    "path",
    "steps",
    "cycleway",
    "bridleway",
    "corridor",
    "crossing",
    "sidewalk",
    "via_ferrata",
];

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
    if !is_pbf {
        return read_roads(path, report).map(drop);
    }
    let mut reader = BlobReader::from_path(path).map_err(|e| match e.kind() {
        osmpbf::ErrorKind::Io(_) => IngestError::Io { location: Location::file(path), source: std::io::Error::other(e.to_string()) },
        _ => pbf_error(path, &e),
    })?;
    let first = reader.next().ok_or_else(|| IngestError::Malformed {
        location: Location::file(path),
        message: "not an OpenStreetMap PBF extract: the file is empty".into(),
    })?;
    let blob = first.map_err(|e| pbf_error(path, &e))?;
    match blob.decode().map_err(|e| pbf_error(path, &e))? {
        BlobDecode::OsmHeader(_) => Ok(()),
        _ => Err(IngestError::Malformed {
            location: Location::file(path),
            message: "not an OpenStreetMap PBF extract: it does not start with the OSMHeader block every .osm.pbf file starts with".into(),
        }),
    }
}

/// Who may use a way, in which direction, as read from its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WayAccess {
    /// Cars may drive along the way's direction.
    pub car_forward: bool,
    /// Cars may drive against the way's direction.
    pub car_backward: bool,
    /// People may walk it (both directions).
    pub walk: bool,
}

fn is_no(v: Option<&str>) -> bool {
    matches!(v, Some("no" | "private" | "agricultural" | "forestry" | "delivery" | "military"))
}

fn is_yes(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "designated" | "permissive" | "destination" | "customers"))
}

/// Interprets access and one-way tags. `tag` looks a key up.
///
/// ```
/// use fragnum_ingest::roads::way_access;
/// let tags = [("highway", "primary"), ("oneway", "-1")];
/// let a = way_access("primary", |k| tags.iter().find(|t| t.0 == k).map(|t| t.1));
/// assert!(!a.car_forward && a.car_backward && a.walk);
/// ```
pub fn way_access<'a>(class: &str, tag: impl Fn(&str) -> Option<&'a str>) -> WayAccess {
    let general_no = is_no(tag("access"));
    let motor = ["motorcar", "motor_vehicle", "vehicle"].iter().find_map(|k| tag(k));
    let car_allowed = match motor {
        Some(v) if is_no(Some(v)) => false,
        Some(v) if is_yes(Some(v)) => true,
        _ => !general_no,
    };
    let foot = tag("foot");
    let walk = if is_no(foot) {
        false
    } else if is_yes(foot) {
        true
    } else {
        !general_no && !matches!(class, "motorway" | "motorway_link")
    };
    let oneway = tag("oneway");
    let implied = matches!(tag("junction"), Some("roundabout" | "circular")) || matches!(class, "motorway" | "motorway_link");
    let (forward, backward) = match oneway {
        Some("yes" | "true" | "1") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("reversible" | "alternating") => (false, false),
        Some("no" | "false" | "0") => (true, true),
        _ if implied => (true, false),
        _ => (true, true),
    };
    WayAccess { car_forward: car_allowed && forward, car_backward: car_allowed && backward, walk }
}

/// Highest speed (km/h) a tag or attribute may give. A value above it, ≤ 0 or not finite
/// (`maxspeed = "1e9"`, `"-30"`) is dropped, counted under [`SPEED_OUT_OF_RANGE`] and the class
/// speed of the profile is used.
pub const MAX_SPEED_KMH: f64 = 200.0;

/// The [`NetworkNotes::assumed`] reason counting speeds dropped as out of range.
pub const SPEED_OUT_OF_RANGE: &str = "speed out of range (≤ 0, > 200 km/h or not finite): class speed used";

fn speed_in_range(kmh: f64) -> bool {
    kmh.is_finite() && kmh > 0.0 && kmh <= MAX_SPEED_KMH
}

/// The number at the start of `s` (`"1e9"` is 10⁹, not 1; `"50 km/h"` is 50), if any.
fn leading_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let prefix = |f: fn(char) -> bool| s.chars().take_while(|c| f(*c)).collect::<String>().parse::<f64>().ok();
    prefix(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-')).or_else(|| prefix(|c| c.is_ascii_digit() || c == '.'))
}

/// A `maxspeed` value read without any range check: km/h when a number is given, and an
/// urban/rural hint.
fn maxspeed_unchecked(raw: &str) -> (Option<f64>, Option<bool>) {
    let v = raw.trim().to_ascii_lowercase();
    if let Some((_, kind)) = v.split_once(':') {
        return match kind {
            "urban" => (None, Some(true)),
            "rural" => (None, Some(false)),
            k if k.starts_with("zone") => (leading_number(k.trim_start_matches("zone")), Some(true)),
            "living_street" => (Some(20.0), Some(true)),
            "walk" => (Some(6.0), Some(true)),
            _ => (None, None),
        };
    }
    if v == "walk" {
        return (Some(6.0), None);
    }
    // "50", "50 km/h", "30 mph", "50;30" (first value)
    let first = v.split([';', '|']).next().unwrap_or("");
    let kmh = leading_number(first).map(|n| if first.contains("mph") { n * 1.609_344 } else { n });
    (kmh, None)
}

/// Parses an OSM `maxspeed` value: km/h when a number in range is given (see
/// [`MAX_SPEED_KMH`]), and an urban/rural hint.
///
/// ```
/// use fragnum_ingest::roads::parse_maxspeed;
/// assert_eq!(parse_maxspeed("50"), (Some(50.0), None));
/// assert_eq!(parse_maxspeed("FR:urban"), (None, Some(true)));
/// assert_eq!(parse_maxspeed("FR:zone30"), (Some(30.0), Some(true)));
/// let (mph, _) = parse_maxspeed("30 mph");
/// assert!((mph.unwrap() - 48.28).abs() < 0.01);
/// assert_eq!(parse_maxspeed("none"), (None, None));
/// assert_eq!(parse_maxspeed("1e9"), (None, None)); // out of range, not 1 km/h
/// ```
pub fn parse_maxspeed(raw: &str) -> (Option<f64>, Option<bool>) {
    let (kmh, urban, _) = read_maxspeed(raw);
    (kmh, urban)
}

/// [`parse_maxspeed`] and whether the value gave a number out of range, from one parse.
fn read_maxspeed(raw: &str) -> (Option<f64>, Option<bool>, bool) {
    let (kmh, urban) = maxspeed_unchecked(raw);
    let in_range = kmh.filter(|s| speed_in_range(*s));
    (in_range, urban, kmh.is_some() && in_range.is_none())
}

/// The speed a `maxspeed` value gives when it is out of range (≤ 0, above [`MAX_SPEED_KMH`] or
/// not finite), `None` when it is in range or gives no number.
///
/// ```
/// use fragnum_ingest::roads::maxspeed_out_of_range;
/// assert_eq!(maxspeed_out_of_range("1e9"), Some(1e9));
/// assert_eq!(maxspeed_out_of_range("0"), Some(0.0));
/// assert_eq!(maxspeed_out_of_range("130"), None);
/// assert_eq!(maxspeed_out_of_range("FR:urban"), None);
/// ```
pub fn maxspeed_out_of_range(raw: &str) -> Option<f64> {
    maxspeed_unchecked(raw).0.filter(|s| !speed_in_range(*s))
}

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

fn pbf_error(path: &Path, e: &osmpbf::Error) -> IngestError {
    IngestError::Malformed {
        location: Location::file(path),
        message: format!("cannot read OSM PBF: {e} (is it a complete .osm.pbf extract? XML .osm files are not read)"),
    }
}

/// The positions of the `used` node ids (sorted) from the blocks' nodes, `None` for a node not
/// in the file. Extracts are usually sorted by id, so the blocks are walked in order without
/// being gathered; when they are not, they are gathered and sorted first.
fn join_positions(mut node_blocks: Vec<(Vec<i64>, Vec<[f64; 2]>)>, used: &[i64]) -> Vec<Option<[f64; 2]>> {
    let in_order = node_blocks.iter().all(|b| b.0.is_sorted()) && node_blocks.windows(2).all(|w| w[0].0.last() <= w[1].0.first());
    if !in_order {
        let (mut ids, mut positions): (Vec<i64>, Vec<[f64; 2]>) = (Vec::new(), Vec::new());
        for (i, p) in node_blocks.drain(..) {
            ids.extend(i);
            positions.extend(p);
        }
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ids[i]); // stable: of a node given twice, the first in the file wins
        node_blocks.push((order.iter().map(|&i| ids[i]).collect(), order.iter().map(|&i| positions[i]).collect()));
    }
    let mut nodes = node_blocks.iter().flat_map(|(ids, positions)| ids.iter().copied().zip(positions.iter().copied())).peekable();
    used.iter()
        .map(|&id| {
            while nodes.next_if(|n| n.0 < id).is_some() {}
            nodes.next_if(|n| n.0 == id).map(|n| n.1)
        })
        .collect()
}

/// A road way as read from one PBF block, waiting for its node positions.
struct PendingWay {
    refs: Vec<i64>,
    /// Index in [`ROUTABLE_CLASSES`].
    class: usize,
    maxspeed: Option<f64>,
    urban: Option<bool>,
    access: WayAccess,
}

/// What one PBF block holds that the network needs: every node's position (ways are only known
/// later in the file, so all are kept), the road ways, the wanted points of interest.
#[derive(Default)]
struct Block {
    /// The block is the file's `OSMHeader` (every PBF file starts with one).
    header: bool,
    node_ids: Vec<i64>,
    node_positions: Vec<[f64; 2]>,
    ways: Vec<PendingWay>,
    pois: Vec<Site>,
    notes: NetworkNotes,
}

impl Block {
    /// Keeps a node's position; `tags` gives its tags afresh on each call (a cheap iterator),
    /// so the common untagged or unwanted node costs no allocation.
    #[allow(clippy::too_many_arguments)] // the node's fields, what to look for, whether to keep it
    fn visit_node<'t, I: Iterator<Item = (&'t str, &'t str)>>(
        &mut self,
        id: i64,
        lon: f64,
        lat: f64,
        tags: impl Fn() -> I,
        wanted: &[(&str, &str)],
        source: &str,
        keep: bool,
    ) {
        if keep {
            self.node_ids.push(id);
            self.node_positions.push([lon, lat]);
        }
        if wanted.is_empty() {
            return;
        }
        if let Some((_, kind)) = tags().find(|t| wanted.contains(t)) {
            let name = tags().find(|t| t.0 == "name").map_or("", |t| t.1);
            let mut site = Site::new(&format!("osm-node-{id}"), name, kind, lon, lat);
            site.source = Some(source.to_string());
            self.pois.push(site);
        }
    }

    fn visit_way(&mut self, way: &osmpbf::Way<'_>) {
        // Most ways are not roads (buildings, land use): look for `highway` before gathering tags.
        let Some(class) = way.tags().find_map(|(k, v)| (k == "highway").then_some(v)) else { return };
        let notes = &mut self.notes;
        let tags: Vec<(&str, &str)> = way.tags().collect();
        let tag = |k: &str| tags.iter().find(|t| t.0 == k).map(|t| t.1);
        notes.features_read += 1;
        let Some(class_index) = ROUTABLE_CLASSES.iter().position(|c| *c == class) else {
            notes.drop(format!("highway={class} is not routable"));
            return;
        };
        if tag("area") == Some("yes") {
            notes.drop("area=yes (a square, not a line)");
            return;
        }
        let access = way_access(class, tag);
        if !access.walk && !access.car_forward && !access.car_backward {
            notes.drop("no access for cars or walkers (access=no/private, oneway=reversible)");
            return;
        }
        let (mut maxspeed, mut urban, out_of_range) = tag("maxspeed").map_or((None, None, false), read_maxspeed);
        if let Some(hint) = tag("source:maxspeed").or_else(|| tag("maxspeed:type")) {
            let (s, u) = parse_maxspeed(hint);
            maxspeed = maxspeed.or(s);
            urban = urban.or(u);
        }
        if out_of_range {
            notes.assume(SPEED_OUT_OF_RANGE);
        } else if tag("maxspeed").is_some() && maxspeed.is_none() && urban.is_none() {
            notes.assume("maxspeed not understood: class default used");
        }
        notes.features_kept += 1;
        self.ways.push(PendingWay { refs: way.refs().collect(), class: class_index, maxspeed, urban, access });
    }
}

/// What one pass over an OpenStreetMap PBF extract gives: its roads and its tagged points.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OsmExtract {
    /// The road network.
    pub network: RoadNetwork,
    /// Nodes carrying one of the wanted `key=value` tags, in file order.
    pub sites: Vec<Site>,
}

/// Reads the roads of an OpenStreetMap PBF extract (see [`read_osm_extract`]).
pub fn read_osm_pbf(path: &Path) -> Result<RoadNetwork, IngestError> {
    read_osm_extract(path, &[]).map(|e| e.network)
}

/// Reads OSM nodes carrying one of the given `key=value` tags as sites (`kind` = the value).
///
/// ```no_run
/// let sites = fragnum_ingest::roads::read_osm_pois(
///     std::path::Path::new("andorra-latest.osm.pbf"),
///     &[("amenity", "townhall"), ("amenity", "post_office")],
/// ).unwrap();
/// ```
pub fn read_osm_pois(path: &Path, wanted: &[(&str, &str)]) -> Result<Vec<Site>, IngestError> {
    read_osm_extract(path, wanted).map(|e| e.sites)
}

/// Reads the roads of an OpenStreetMap PBF extract and the nodes tagged with one of `wanted`
/// (`key=value`) as sites.
///
/// Blocks are decompressed and decoded in parallel (decoding is most of the read time). Node
/// positions come before the ways that use them, so a file up to [`ONE_PASS_MAX_BYTES`] is read
/// in one pass keeping every node position (about 24 bytes a node), and a larger one in two
/// passes keeping only road nodes ([`Passes`]): a 70-million-node regional extract would
/// otherwise hold 1.7 GB. Ways cut by the extract boundary keep their parts whose nodes are in
/// the file. The result does not depend on the order blocks finish in, nor on the passes.
pub fn read_osm_extract(path: &Path, wanted: &[(&str, &str)]) -> Result<OsmExtract, IngestError> {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    let passes = if size > ONE_PASS_MAX_BYTES { Passes::Two } else { Passes::One };
    read_osm_extract_in(path, wanted, passes)
}

/// Files up to this size are read in one pass, holding every node position; larger ones (a
/// regional extract) in two, holding only the positions of road nodes.
pub const ONE_PASS_MAX_BYTES: u64 = 256 << 20;

/// How [`read_osm_extract_in`] gets node positions, which come before the ways in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passes {
    /// Decode every block once, keeping every node position (about 24 bytes a node).
    One,
    /// Decode the ways first, then the blocks again for the positions of road nodes only:
    /// about twice the time, a fraction of the memory.
    Two,
}

/// Decodes every block of the file in parallel with `visit` (which fills one [`Block`] from an
/// `OSMData` block), returning the blocks in file order; refuses a file without `OSMHeader`.
fn decode_blocks<F>(path: &Path, visit: F) -> Result<Vec<Block>, IngestError>
where
    F: Fn(&osmpbf::PrimitiveBlock, &mut Block) + Sync,
{
    let reader = BlobReader::from_path(path).map_err(|e| match e.kind() {
        osmpbf::ErrorKind::Io(_) => IngestError::Io { location: Location::file(path), source: std::io::Error::other(e.to_string()) },
        _ => pbf_error(path, &e),
    })?;
    let mut blocks: Vec<(usize, Block)> = reader
        .enumerate()
        .par_bridge()
        .map(|(index, blob)| -> Result<(usize, Block), osmpbf::Error> {
            let mut block = Block::default();
            match blob?.decode()? {
                BlobDecode::OsmHeader(_) => block.header = true,
                BlobDecode::OsmData(data) => visit(&data, &mut block),
                BlobDecode::Unknown(_) => {}
            }
            Ok((index, block))
        })
        .collect::<Result<_, _>>()
        .map_err(|e| pbf_error(path, &e))?;
    blocks.sort_unstable_by_key(|b| b.0);
    if !blocks.iter().any(|b| b.1.header) {
        let what = if blocks.is_empty() { "the file is empty" } else { "it has no OSMHeader block, which every .osm.pbf file starts with" };
        return Err(IngestError::Malformed {
            location: Location::file(path),
            message: format!("not an OpenStreetMap PBF extract: {what}"),
        });
    }
    Ok(blocks.into_iter().map(|b| b.1).collect())
}

/// [`read_osm_extract`] with the number of passes chosen by the caller.
pub fn read_osm_extract_in(path: &Path, wanted: &[(&str, &str)], passes: Passes) -> Result<OsmExtract, IngestError> {
    let source = format!("OpenStreetMap extract {}", display_name(path));
    let keep_nodes = passes == Passes::One;
    let blocks = decode_blocks(path, |data, block| {
        for element in data.elements() {
            match element {
                Element::DenseNode(n) => block.visit_node(n.id(), n.lon(), n.lat(), || n.tags(), wanted, &source, keep_nodes),
                Element::Node(n) => block.visit_node(n.id(), n.lon(), n.lat(), || n.tags(), wanted, &source, keep_nodes),
                Element::Way(w) => block.visit_way(&w),
                Element::Relation(_) => {}
            }
        }
    })?;

    let mut net = RoadNetwork { source: source.clone(), ..RoadNetwork::default() };
    let mut sites = Vec::new();
    let mut ways = Vec::new();
    let mut node_blocks = Vec::with_capacity(blocks.len());
    for block in blocks {
        net.notes.merge(block.notes);
        sites.extend(block.pois);
        ways.extend(block.ways);
        if !block.node_ids.is_empty() {
            node_blocks.push((block.node_ids, block.node_positions));
        }
    }
    // The nodes the roads use, numbered in id order.
    let mut used: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    used.sort_unstable();
    used.dedup();
    let positions: Vec<Option<[f64; 2]>> = match passes {
        Passes::One => join_positions(node_blocks, &used),
        Passes::Two => {
            let found = decode_blocks(path, |data, block| {
                for element in data.elements() {
                    let (id, lon, lat) = match element {
                        Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                        Element::Node(n) => (n.id(), n.lon(), n.lat()),
                        _ => continue,
                    };
                    if used.binary_search(&id).is_ok() {
                        block.node_ids.push(id);
                        block.node_positions.push([lon, lat]);
                    }
                }
            })?;
            // The road nodes only, joined exactly as in one pass (so a node given twice resolves
            // the same way).
            join_positions(found.into_iter().map(|b| (b.node_ids, b.node_positions)).collect(), &used)
        }
    };
    let mut index = vec![u32::MAX; used.len()];
    let mut bad: Option<(i64, [f64; 2])> = None;
    for (slot, position) in positions.into_iter().enumerate() {
        if let Some([lon, lat]) = position {
            if (lon.abs() > 180.0 || lat.abs() > 90.0) && bad.is_none() {
                bad = Some((used[slot], [lon, lat]));
            }
            index[slot] = net.push_node(lon, lat);
        }
    }
    if let Some((id, [lon, lat])) = bad {
        check_position(lon, lat, &Location::file(path), &format!("node {id}"))?;
    }
    // Classes are numbered in order of first use, as a sequential reader would.
    let mut class_of = [u16::MAX; ROUTABLE_CLASSES.len()];
    for way in &ways {
        if class_of[way.class] == u16::MAX {
            class_of[way.class] = net.class_index(ROUTABLE_CLASSES[way.class]);
        }
    }
    // Each way's edges are independent of the others: built in parallel, kept in file order.
    let nodes = &net.nodes;
    let parts: Vec<(Vec<RoadEdge>, bool)> = ways
        .par_iter()
        .map(|way| {
            let mut edges = Vec::with_capacity(2 * way.refs.len());
            let mut part: Vec<u32> = Vec::with_capacity(way.refs.len());
            let mut cut = false;
            let class = class_of[way.class];
            for r in &way.refs {
                let node = used.binary_search(r).map_or(u32::MAX, |i| index[i]);
                if node == u32::MAX {
                    cut = true;
                    way_edges(nodes, &part, class, way.maxspeed, way.urban, way.access, &mut edges);
                    part.clear();
                } else {
                    part.push(node);
                }
            }
            way_edges(nodes, &part, class, way.maxspeed, way.urban, way.access, &mut edges);
            (edges, cut)
        })
        .collect();
    for (edges, cut) in parts {
        net.edges.extend(edges);
        if cut {
            net.notes.assume("way cut by the extract boundary: parts inside kept");
        }
    }
    Ok(OsmExtract { network: net, sites })
}

fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

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

/// What a line feature's attributes say about the road.
#[derive(Debug, Clone, PartialEq)]
pub struct LineAttributes {
    /// OSM-style road class (`primary`, `residential`, `track`…).
    pub class: String,
    /// Speed (km/h) from a limit or a published average speed.
    pub maxspeed: Option<f64>,
    /// Urban / rural, when the data says.
    pub urban: Option<bool>,
    /// Who may use it, in which direction.
    pub access: WayAccess,
}

/// Lower-case ASCII letters and digits of a French attribute value, accents folded and
/// anything else (including characters lost to a wrong encoding) dropped: `"Route à 2
/// chaussées"` → `"routea2chaussees"`.
fn folded(value: &str) -> String {
    value
        .chars()
        .filter_map(|c| {
            let c = fold_accent(c.to_lowercase().next().unwrap_or(c));
            c.is_ascii_alphanumeric().then_some(c)
        })
        .collect()
}

/// The OSM class of an IGN BD TOPO `NATURE` (with its `IMPORTANCE`, 1 = national to 5 = local)
/// or ROUTE 500 `VOCATION`; `None` for a ferry. Matched on accent-free fragments, so a
/// Latin-1 file read as UTF-8 still matches.
fn ign_class(nature: &str, importance: Option<u8>) -> Option<&'static str> {
    let n = folded(nature);
    let by_importance = || match importance {
        Some(1) => "trunk",
        Some(2) => "primary",
        Some(3) => "secondary",
        Some(4) => "tertiary",
        Some(5) => "residential",
        _ => "unclassified",
    };
    Some(if n.contains("bac") || n.contains("maritime") {
        return None;
    } else if n.contains("autorout") {
        if n.contains("quasi") { "trunk" } else { "motorway" }
    } else if n.contains("bretelle") {
        "motorway_link"
    } else if n.contains("2chauss") {
        "trunk"
    } else if n.contains("empierr") || n.contains("chemin") {
        "track"
    } else if n.contains("sentier") {
        "path"
    } else if n.contains("escalier") {
        "steps"
    } else if n.contains("cyclable") {
        "cycleway"
    } else if n.contains("liaisonprincipale") {
        "primary"
    } else if n.contains("gionale") {
        "secondary"
    } else if n.contains("liaisonlocale") {
        "tertiary"
    } else {
        // "Route à 1 chaussée", "Rond-point", "Place", anything newer: by importance.
        by_importance()
    })
}

/// Reads a line feature's road attributes, whichever vocabulary the file uses:
///
/// - OpenStreetMap-style keys (`OSMnx`, Geofabrik shapefiles): `highway` (or `class`, `fclass`,
///   `type`), `maxspeed`, `oneway`, `junction`, `access`, `motor_vehicle`, `motorcar`,
///   `vehicle`, `foot`; a list value (`['residential', 'service']`) counts by its first item;
/// - Geofabrik shapefiles: `fclass` (`track_grade1`…`5` read as `track`, `unknown` as
///   `unclassified`) and `oneway` `F` / `T` / `B` (with, against the line, both ways);
/// - IGN BD TOPO: `NATURE` and `IMPORTANCE` (class), `SENS` or `sens_de_circulation` (`Double
///   sens`, `Sens direct`, `Sens inverse`), `VIT_MOY_VL` or `vitesse_moyenne_vl` (average
///   speed), `ACCES_VL` or `acces_vehicule_leger` (`Physiquement impossible`, `Strictement
///   interdit`, `Restreint aux ayants droit`), `Rond-point` as a roundabout;
/// - IGN ROUTE 500: `VOCATION` (class), `SENS` (`Sens unique` = digitising direction);
/// - plain `speed_kmh` / `speed` numbers and an `urban` boolean.
///
/// `get` looks a property up by name, case-insensitively. A missing class is assumed
/// `unclassified` and counted in `notes`; `None` (counted as dropped) when nobody may use the
/// line, it is a ferry, an `area=yes` square, or of a class that is not a road (`highway=
/// construction`, `platform`…), as for OSM extracts.
pub fn line_attributes(get: &dyn Fn(&str) -> Option<String>, notes: &mut NetworkNotes) -> Option<LineAttributes> {
    let nature = get("nature").or_else(|| get("vocation"));
    // Geofabrik shapefiles: `fclass` with `track_grade1`…`5` and `unknown`, `oneway` F/T/B.
    let geofabrik = get("fclass").is_some();
    let class = if let Some(c) = ["highway", "class", "fclass", "type"].iter().find_map(|k| get(k)) {
        let c = c.to_ascii_lowercase();
        if ROUTABLE_CLASSES.contains(&c.as_str()) {
            c
        } else if c.starts_with("track") {
            "track".to_string()
        } else if c == "unknown" {
            notes.assume("road class unknown: unclassified assumed");
            "unclassified".to_string()
        } else {
            notes.drop(format!("highway={c} is not routable"));
            return None;
        }
    } else if let Some(n) = &nature {
        let importance = get("importance").and_then(|i| i.trim().parse::<f64>().ok()).map(|i| i as u8);
        let Some(c) = ign_class(n, importance) else {
            notes.drop("ferry (bac): not a road");
            return None;
        };
        c.to_string()
    } else {
        notes.assume("no road class: unclassified assumed");
        "unclassified".to_string()
    };
    if get("area").is_some_and(|a| a.eq_ignore_ascii_case("yes")) {
        notes.drop("area=yes (a square, not a line)");
        return None;
    }
    let mut tags: Vec<(&str, String)> = ["oneway", "junction", "access", "motor_vehicle", "motorcar", "vehicle", "foot"]
        .iter()
        .filter_map(|k| get(k).map(|v| (*k, v.to_ascii_lowercase())))
        .map(|(k, v)| match (k, v.as_str()) {
            ("oneway", "f") if geofabrik => (k, "yes".to_string()),
            ("oneway", "t") if geofabrik => (k, "-1".to_string()),
            ("oneway", "b") if geofabrik => (k, "no".to_string()),
            _ => (k, v),
        })
        .collect();
    // BD TOPO shapefiles use short column names, its GeoPackage and web service long ones.
    if let Some(sens) = get("sens").or_else(|| get("sens_de_circulation")).map(|s| folded(&s)) {
        let oneway = if sens.contains("double") || sens.contains("sansobjet") {
            "no"
        } else if sens.contains("inverse") {
            "-1"
        } else if sens.contains("direct") || sens.contains("unique") {
            "yes"
        } else {
            "no"
        };
        tags.push(("oneway", oneway.into()));
    }
    if nature.as_deref().map(folded).is_some_and(|n| n.contains("rondpoint")) {
        tags.push(("junction", "roundabout".into()));
    }
    if let Some(vl) = get("acces_vl").or_else(|| get("acces_vehicule_leger")).map(|a| folded(&a)) {
        if vl.contains("impossible") || vl.contains("interdit") {
            tags.push(("motor_vehicle", "no".into()));
        } else if vl.contains("restreint") || vl.contains("ayant") {
            tags.push(("motor_vehicle", "private".into()));
        }
    }
    let access = way_access(&class, |k| tags.iter().find(|t| t.0 == k).map(|t| t.1.as_str()));
    if !access.walk && !access.car_forward && !access.car_backward {
        notes.drop("no access for cars or walkers");
        return None;
    }
    let (mut maxspeed, mut urban, mut out_of_range) = get("maxspeed").map_or((None, None, false), |m| read_maxspeed(&m));
    if maxspeed.is_none() {
        // An average speed of 0 is BD TOPO's "none published" (paths, closed roads): no speed,
        // not counted; a negative, huge or non-finite one is out of range.
        let average = ["speed_kmh", "speed", "vit_moy_vl", "vitesse_moyenne_vl"]
            .iter()
            .find_map(|k| get(k))
            .and_then(|s| s.trim().replace(',', ".").parse::<f64>().ok())
            .filter(|s| *s != 0.0);
        out_of_range |= average.is_some_and(|s| !speed_in_range(s));
        maxspeed = average.filter(|s| speed_in_range(*s));
    }
    if out_of_range {
        notes.assume(SPEED_OUT_OF_RANGE);
    }
    if let Some(u) = get("urban").map(|u| u.to_ascii_lowercase()) {
        urban = match u.as_str() {
            "yes" | "true" | "1" | "oui" => Some(true),
            "no" | "false" | "0" | "non" => Some(false),
            _ => urban,
        };
    }
    Some(LineAttributes { class, maxspeed, urban, access })
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

    #[test]
    fn ign_vocabularies() {
        let read = |props: &[(&str, &str)]| {
            let props: Vec<(String, String)> = props.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
            let get = move |k: &str| props.iter().find(|p| p.0.eq_ignore_ascii_case(k)).map(|p| p.1.clone());
            line_attributes(&get, &mut NetworkNotes::default())
        };
        // ROUTE 500: "Sens unique" is the digitising direction
        let a = read(&[("VOCATION", "Liaison régionale"), ("SENS", "Sens unique")]).unwrap();
        assert_eq!(a.class, "secondary");
        assert!(a.access.car_forward && !a.access.car_backward);
        // BD TOPO read with the wrong encoding still matches; a roundabout is one-way
        let a = read(&[("NATURE", "Rond-point"), ("IMPORTANCE", "4"), ("SENS", "Double sens")]).unwrap();
        assert_eq!(a.class, "tertiary");
        assert!(a.access.car_forward && a.access.car_backward, "explicit SENS wins over the implied one-way");
        let a = read(&[("NATURE", "Route \u{FFFD} 2 chauss\u{FFFD}es"), ("VIT_MOY_VL", "90")]).unwrap();
        assert_eq!((a.class.as_str(), a.maxspeed), ("trunk", Some(90.0)));
        assert_eq!(read(&[("NATURE", "Type autoroutier"), ("ACCES_VL", "A péage")]).unwrap().class, "motorway");
        // a private motorway is for nobody: dropped
        assert!(read(&[("NATURE", "Type autoroutier"), ("ACCES_VL", "Restreint aux ayants droit")]).is_none());
        assert!(read(&[("NATURE", "Bac ou liaison maritime")]).is_none());
        assert!(read(&[("NATURE", "Sentier"), ("urban", "oui")]).is_some_and(|a| a.class == "path" && a.urban == Some(true)));
        // BD TOPO GeoPackage names
        let a = read(&[
            ("nature", "Route à 1 chaussée"),
            ("importance", "3"),
            ("sens_de_circulation", "Sens inverse"),
            ("vitesse_moyenne_vl", "70"),
        ])
        .unwrap();
        assert!(!a.access.car_forward && a.access.car_backward && a.maxspeed == Some(70.0));
        // Geofabrik: T is against the line, track grades are tracks, unknown classes count
        let a = read(&[("fclass", "residential"), ("oneway", "T")]).unwrap();
        assert!(!a.access.car_forward && a.access.car_backward);
        assert_eq!(read(&[("fclass", "track_grade3")]).unwrap().class, "track");
        let mut notes = NetworkNotes::default();
        assert!(line_attributes(&|k: &str| (k == "highway").then(|| "construction".to_string()), &mut notes).is_none());
        assert_eq!(notes.dropped["highway=construction is not routable"], 1);
    }

    #[test]
    fn access_rules() {
        let get = |tags: &'static [(&'static str, &'static str)]| move |k: &str| tags.iter().find(|t| t.0 == k).map(|t| t.1);
        let a = way_access("residential", get(&[("access", "private")]));
        assert!(!a.car_forward && !a.walk);
        let a = way_access("track", get(&[("motor_vehicle", "no")]));
        assert!(!a.car_forward && !a.car_backward && a.walk);
        let a = way_access("primary", get(&[("junction", "roundabout")]));
        assert!(a.car_forward && !a.car_backward);
        let a = way_access("motorway", get(&[]));
        assert!(a.car_forward && !a.car_backward && !a.walk);
        let a = way_access("service", get(&[("access", "no"), ("foot", "yes")]));
        assert!(!a.car_forward && a.walk);
    }

    #[test]
    fn osm_extract_when_present() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osm/liechtenstein-latest.osm.pbf");
        if !data.exists() {
            println!("skipped: {} absent", data.display());
            return;
        }
        let net = read_osm_pbf(&data).unwrap();
        assert!(net.nodes.len() > 10_000, "{}", net.nodes.len());
        assert!(net.edges.iter().all(|e| (e.from as usize) < net.nodes.len() && e.length_m >= 0.0));
        assert!(net.notes.features_kept > 3_000);
        let pois = read_osm_pois(&data, &[("amenity", "townhall"), ("amenity", "post_office")]).unwrap();
        assert!(!pois.is_empty());
        // Two passes (the large-file path) read exactly the same network.
        let two = read_osm_extract_in(&data, &[], Passes::Two).unwrap();
        assert_eq!(two.network, net);
    }
}
