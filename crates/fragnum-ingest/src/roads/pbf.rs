//! OpenStreetMap PBF extracts → [`RoadNetwork`] and tagged points ([`OsmExtract`]), decoded in
//! parallel, in one pass or two ([`Passes`]) depending on the file's size.

use std::path::Path;

use fragnum_core::Location;
use fragnum_core::network::{NetworkNotes, RoadEdge, RoadNetwork};
use fragnum_core::sites::Site;
use osmpbf::{BlobDecode, BlobReader, Element};
use rayon::prelude::*;

use super::attributes::{ROUTABLE_CLASSES, SPEED_OUT_OF_RANGE, WayAccess, parse_maxspeed, read_maxspeed, way_access};
use super::{check_position, display_name, way_edges};
use crate::IngestError;

/// Opens a PBF file as a stream of blobs.
fn open(path: &Path) -> Result<BlobReader<std::io::BufReader<std::fs::File>>, IngestError> {
    BlobReader::from_path(path).map_err(|e| match e.kind() {
        osmpbf::ErrorKind::Io(_) => IngestError::Io { location: Location::file(path), source: std::io::Error::other(e.to_string()) },
        _ => pbf_error(path, &e),
    })
}

/// Checks that the first block of a PBF file decodes as the `OSMHeader` every extract starts
/// with, without decoding the rest (see [`check_roads`](super::check_roads)).
pub(super) fn check_header(path: &Path) -> Result<(), IngestError> {
    let mut reader = open(path)?;
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

/// A file `osmpbf` cannot read, with what it may be instead.
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
    let reader = open(path)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
        // Tagged points come from the same pass as the roads, which they leave as they are.
        let wanted = [("amenity", "townhall"), ("amenity", "post_office")];
        let extract = read_osm_extract(&data, &wanted).unwrap();
        assert_eq!(extract.network, net);
        assert!(!extract.sites.is_empty());
        assert!(extract.sites.iter().all(|s| ["townhall", "post_office"].contains(&s.kind.as_str()) && s.id.starts_with("osm-node-")));
        // Two passes (the large-file path) read exactly the same network and points.
        let two = read_osm_extract_in(&data, &wanted, Passes::Two).unwrap();
        assert_eq!(two, extract);
    }
}
