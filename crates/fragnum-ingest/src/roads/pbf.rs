//! OpenStreetMap PBF extracts → [`RoadNetwork`] and tagged points ([`OsmExtract`]), decoded in
//! parallel, in one pass or two ([`Passes`]) depending on the file's size.

use std::path::Path;

use fragnum_core::Location;
use fragnum_core::network::{NetworkNotes, RoadEdge, RoadNetwork};
use fragnum_core::sites::Site;
use rayon::prelude::*;

use super::attributes::{ROUTABLE_CLASSES, SPEED_OUT_OF_RANGE, WayAccess, parse_maxspeed, read_maxspeed, way_access};
use super::pbf_format::{BlobKind, BlobStream, FormatError, Scratch, Tags, Visitor, Wanted, decode_data};
use super::{check_position, display_name, way_edges};
use crate::IngestError;

/// Opens a PBF file as a stream of blobs.
fn open(path: &Path) -> Result<BlobStream<std::io::BufReader<std::fs::File>>, IngestError> {
    let file = std::fs::File::open(path).map_err(|e| IngestError::Io { location: Location::file(path), source: e })?;
    Ok(BlobStream::new(std::io::BufReader::with_capacity(1 << 20, file)))
}

/// Checks that the first blob of a PBF file is the `OSMHeader` every extract starts with,
/// without decoding the rest (see [`check_roads`](super::check_roads)).
pub(super) fn check_header(path: &Path) -> Result<(), IngestError> {
    let first = open(path)?.next().ok_or_else(|| IngestError::Malformed {
        location: Location::file(path),
        message: "not an OpenStreetMap PBF extract: the file is empty".into(),
    })?;
    match first.map_err(|e| pbf_error(path, &e))?.kind {
        BlobKind::Header => Ok(()),
        _ => Err(IngestError::Malformed {
            location: Location::file(path),
            message: "not an OpenStreetMap PBF extract: it does not start with the OSMHeader block every .osm.pbf file starts with".into(),
        }),
    }
}

/// A file the PBF decoder cannot read, with where and what it may be instead.
fn pbf_error(path: &Path, e: &FormatError) -> IngestError {
    IngestError::Malformed {
        location: Location::file(path),
        message: format!(
            "cannot read OSM PBF (blob at byte {}): {} (is it a complete .osm.pbf extract? XML .osm files are not read)",
            e.offset, e.message
        ),
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
    // Exactly the used ids, in order (the second pass of a sorted file): nothing to look for.
    let total: usize = node_blocks.iter().map(|b| b.0.len()).sum();
    if total == used.len() && node_blocks.iter().flat_map(|b| b.0.iter()).zip(used).all(|(a, b)| a == b) {
        return node_blocks.into_iter().flat_map(|b| b.1).map(Some).collect();
    }
    // Else a merge: each used id takes the first node of that id at or after the last one.
    let mut out = Vec::with_capacity(used.len());
    let (mut block, mut at) = (0, 0);
    for &id in used {
        while let Some((ids, _)) = node_blocks.get(block) {
            if at == ids.len() {
                (block, at) = (block + 1, 0);
            } else if ids[at] < id {
                at += 1;
            } else {
                break;
            }
        }
        match node_blocks.get(block) {
            Some((ids, positions)) if ids[at] == id => {
                out.push(Some(positions[at]));
                at += 1;
            }
            _ => out.push(None),
        }
    }
    out
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

    fn visit_way(&mut self, way_tags: Tags<'_>, refs: &[i64]) {
        // Most ways are not roads (buildings, land use): look for `highway` before gathering tags.
        let Some(class) = way_tags.iter().find_map(|(k, v)| (k == "highway").then_some(v)) else { return };
        let notes = &mut self.notes;
        let tags: Vec<(&str, &str)> = way_tags.iter().collect();
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
        self.ways.push(PendingWay { refs: refs.to_vec(), class: class_index, maxspeed, urban, access });
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

/// The first pass: every wanted element into its block (node positions only when `keep_nodes`).
struct FullPass<'p> {
    block: Block,
    wanted: &'p [(&'p str, &'p str)],
    source: &'p str,
    keep_nodes: bool,
}

impl Visitor for FullPass<'_> {
    fn node(&mut self, id: i64, lon: f64, lat: f64, tags: Tags<'_>) {
        self.block.visit_node(id, lon, lat, || tags.iter(), self.wanted, self.source, self.keep_nodes);
    }

    fn way(&mut self, tags: Tags<'_>, refs: &[i64]) {
        self.block.visit_way(tags, refs);
    }
}

/// The second pass of [`Passes::Two`]: the positions of the road nodes `used` (sorted).
struct PositionPass<'p> {
    block: Block,
    used: &'p [i64],
    /// Where the last id was looked for in `used`: a block's nodes come in id order, so the
    /// next one is at or just after it.
    cursor: usize,
    /// The last id looked for (`i64::MAX` before the first).
    last: i64,
}

impl PositionPass<'_> {
    /// Whether `id` is a road node: a few steps forward from the last one, else a binary search.
    fn is_used(&mut self, id: i64) -> bool {
        let used = self.used;
        if id < self.last {
            self.cursor = used.partition_point(|&u| u < id);
        } else {
            let mut steps = 0;
            while self.cursor < used.len() && used[self.cursor] < id {
                self.cursor += 1;
                steps += 1;
                if steps == 8 {
                    self.cursor += used[self.cursor..].partition_point(|&u| u < id);
                    break;
                }
            }
        }
        self.last = id;
        used.get(self.cursor) == Some(&id)
    }
}

impl Visitor for PositionPass<'_> {
    fn node(&mut self, id: i64, lon: f64, lat: f64, _: Tags<'_>) {
        if self.is_used(id) {
            self.block.node_ids.push(id);
            self.block.node_positions.push([lon, lat]);
        }
    }

    fn way(&mut self, _: Tags<'_>, _: &[i64]) {}
}

/// Decodes every `OSMData` blob of the file in parallel, each into a visitor made by `make`
/// and fed the `wanted` elements, returning the blocks (`into_block`) in file order; refuses a
/// file without `OSMHeader`.
fn decode_blocks<V: Visitor + Send>(
    path: &Path,
    wanted: Wanted,
    make: impl Fn() -> V + Sync,
    into_block: impl Fn(V) -> Block + Sync,
) -> Result<Vec<Block>, IngestError> {
    let mut blocks: Vec<(usize, Block)> = open(path)?
        .enumerate()
        .par_bridge()
        .map_init(Scratch::default, |scratch, (index, blob)| -> Result<(usize, Block), FormatError> {
            let blob = blob?;
            let block = match blob.kind {
                BlobKind::Header => Block { header: true, ..Block::default() },
                BlobKind::Data => {
                    let mut visitor = make();
                    decode_data(&blob, wanted, scratch, &mut visitor)?;
                    into_block(visitor)
                }
                BlobKind::Other => Block::default(),
            };
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

/// The node references of the roads, numbered ([`number_references`]).
struct References {
    /// The distinct node ids the roads use, sorted.
    used: Vec<i64>,
    /// Where each way's references start in the list of all of them (one more than the ways).
    starts: Vec<usize>,
    /// The slot in `used` of each reference.
    slot_of: Vec<u32>,
}

/// The nodes the roads use, numbered in id order: every reference of every way, in way order,
/// sorted with its place, gives the distinct ids and the number of each reference at once (no
/// search per reference afterwards). The ways' ids are freed.
fn number_references(path: &Path, ways: &mut [PendingWay]) -> Result<References, IngestError> {
    let mut starts = Vec::with_capacity(ways.len() + 1);
    starts.push(0usize);
    for w in ways.iter() {
        starts.push(starts[starts.len() - 1] + w.refs.len());
    }
    let total = starts[ways.len()];
    if u32::try_from(total).is_err() {
        return Err(IngestError::Malformed {
            location: Location::file(path),
            message: format!("{total} node references in the roads: more than fragnum's 4,294,967,295 (split the extract)"),
        });
    }
    let mut references: Vec<(i64, u32)> = ways.iter().flat_map(|w| w.refs.iter().copied()).zip(0u32..).collect();
    references.par_sort_unstable();
    let mut used: Vec<i64> = Vec::with_capacity(total / 2);
    let mut slot_of = vec![0u32; total];
    for &(id, k) in &references {
        if used.last() != Some(&id) {
            used.push(id);
        }
        slot_of[k as usize] = (used.len() - 1) as u32;
    }
    for w in ways {
        w.refs = Vec::new();
    }
    Ok(References { used, starts, slot_of })
}

/// [`read_osm_extract`] with the number of passes chosen by the caller.
pub fn read_osm_extract_in(path: &Path, wanted: &[(&str, &str)], passes: Passes) -> Result<OsmExtract, IngestError> {
    let source = format!("OpenStreetMap extract {}", display_name(path));
    let keep_nodes = passes == Passes::One;
    // One pass needs nodes and ways; the first of two, ways only (and the nodes for `wanted`).
    let first = Wanted { nodes: keep_nodes || !wanted.is_empty(), ways: true };
    let blocks =
        decode_blocks(path, first, || FullPass { block: Block::default(), wanted, source: &source, keep_nodes }, |pass| pass.block)?;

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
    let References { used, starts, slot_of } = number_references(path, &mut ways)?;
    let positions: Vec<Option<[f64; 2]>> = match passes {
        Passes::One => join_positions(node_blocks, &used),
        Passes::Two => {
            let found = decode_blocks(
                path,
                Wanted { nodes: true, ways: false },
                || PositionPass { block: Block::default(), used: &used, cursor: 0, last: i64::MAX },
                |pass| pass.block,
            )?;
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
        .enumerate()
        .map(|(w, way)| {
            let slots = &slot_of[starts[w]..starts[w + 1]];
            let mut edges = Vec::with_capacity(2 * slots.len());
            let mut part: Vec<u32> = Vec::with_capacity(slots.len());
            let mut cut = false;
            let class = class_of[way.class];
            for &slot in slots {
                let node = index[slot as usize];
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

    #[test]
    fn a_cut_or_damaged_extract_is_an_error_naming_the_blob() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osm/liechtenstein-latest.osm.pbf");
        let Ok(bytes) = std::fs::read(&data) else {
            assert!(std::env::var_os("CI").is_none(), "{} absent: CI must have ../shared/data beside the project", data.display());
            println!("skipped: {} absent", data.display());
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        // Cut in the middle (an interrupted download).
        let cut = dir.path().join("cut.osm.pbf");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let message = read_osm_pbf(&cut).unwrap_err().to_string();
        assert!(message.contains("cut.osm.pbf") && message.contains("truncated") && message.contains("blob at byte"), "{message}");
        // A byte flipped inside the compressed data of the last blob.
        let damaged = dir.path().join("damaged.osm.pbf");
        let mut flipped = bytes.clone();
        let at = bytes.len() - 200;
        flipped[at] ^= 0x5a;
        std::fs::write(&damaged, &flipped).unwrap();
        let message = read_osm_pbf(&damaged).unwrap_err().to_string();
        assert!(message.contains("damaged.osm.pbf") && message.contains("cannot read OSM PBF"), "{message}");
    }
}
