//! Region-size road network benchmark (issue 17): writes a synthetic OSM PBF the size of a
//! regional extract with a minimal PBF writer (zlib blobs, `DenseNodes`, ways), then reads it
//! with the project's two-pass reader and times each step with its peak memory (`VmHWM`):
//! PBF read, graph build (largest component, contraction of shape points), R-tree (snapper),
//! multi-source Dijkstra for every node, and one million population points.
//!
//! ```text
//! cargo run --release -p fragnum-demo --example bench_region -- <out_dir> [side]
//! ```
//!
//! The network is a `side × side` lattice of nodes 30 m apart (default 4,500: 20.25 M nodes):
//! every row is a street cut into ways of 10 segments (residential, every 50th row secondary),
//! every 10th column a cross street (tertiary, every 100th primary), so that 9 nodes in 10 are
//! shape points; positions are jittered by about ±3 m so that the file has a real extract's
//! entropy. Every node is a road node (a real regional extract has many more nodes, most of them
//! buildings and land use, which the reader's second pass skips). Sites: 400 positions spread
//! over the lattice.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use fragnum_access::coverage::network_times;
use fragnum_access::graph::Graph;
use fragnum_access::profile::SpeedProfile;
use fragnum_access::snap::Snapper;
use fragnum_core::sites::{PopulationPoint, Site};

type Error = Box<dyn std::error::Error>;

const DX: f64 = 0.000_38; // 30 m of longitude at 45° N
const DY: f64 = 0.000_27; // 30 m of latitude
const LON0: f64 = 5.0;
const LAT0: f64 = 44.5;

/// Protobuf encoding, just what the PBF format needs.
mod pb {
    pub fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    pub fn zigzag(v: i64) -> u64 {
        ((v << 1) ^ (v >> 63)) as u64
    }
    pub fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
        varint(out, u64::from((field << 3) | wire));
    }
    pub fn bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
        key(out, field, 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
    pub fn uint(out: &mut Vec<u8>, field: u32, v: u64) {
        key(out, field, 0);
        varint(out, v);
    }
    /// Packed sint64 with delta coding.
    pub fn packed_delta(out: &mut Vec<u8>, field: u32, values: impl Iterator<Item = i64>) {
        let mut body = Vec::new();
        let mut last = 0;
        for v in values {
            varint(&mut body, zigzag(v - last));
            last = v;
        }
        bytes(out, field, &body);
    }
    pub fn packed_uint(out: &mut Vec<u8>, field: u32, values: impl Iterator<Item = u64>) {
        let mut body = Vec::new();
        for v in values {
            varint(&mut body, v);
        }
        bytes(out, field, &body);
    }
}

/// Writes one fileblock: `BlobHeader` length, `BlobHeader`, `Blob` (zlib).
fn write_blob(file: &mut impl std::io::Write, kind: &str, data: &[u8]) -> Result<(), Error> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(data)?;
    let compressed = z.finish()?;
    let mut blob = Vec::new();
    pb::uint(&mut blob, 2, data.len() as u64);
    pb::bytes(&mut blob, 3, &compressed);
    let mut header = Vec::new();
    pb::bytes(&mut header, 1, kind.as_bytes());
    pb::uint(&mut header, 3, blob.len() as u64);
    file.write_all(&u32::try_from(header.len())?.to_be_bytes())?;
    file.write_all(&header)?;
    file.write_all(&blob)?;
    Ok(())
}

const STRINGS: [&str; 7] = ["", "highway", "residential", "secondary", "tertiary", "primary", "name"];

fn primitive_block(group: &[u8]) -> Vec<u8> {
    let mut table = Vec::new();
    for s in STRINGS {
        pb::bytes(&mut table, 1, s.as_bytes());
    }
    let mut block = Vec::new();
    pb::bytes(&mut block, 1, &table);
    pb::bytes(&mut block, 2, group);
    block
}

/// A deterministic offset of up to ±300 units of 100 nanodegrees (about ±3 m) for node `k`, so
/// that coordinate deltas carry the entropy of real surveyed positions and the file compresses
/// as a real extract does, not as a perfect lattice.
fn jitter(k: usize, axis: u64) -> i64 {
    let mut z = (k as u64).wrapping_mul(2).wrapping_add(axis).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    i64::try_from(z % 601).unwrap_or(0) - 300
}

/// Node id of lattice position (i, j), 1-based as OSM ids are.
fn node_id(side: usize, i: usize, j: usize) -> i64 {
    i64::try_from(j * side + i + 1).unwrap_or(i64::MAX)
}

/// Writes the lattice as PBF; returns (nodes, ways, bytes).
fn write_pbf(path: &Path, side: usize) -> Result<(usize, usize, u64), Error> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut header = Vec::new();
    pb::bytes(&mut header, 4, b"OsmSchema-V0.6");
    pb::bytes(&mut header, 4, b"DenseNodes");
    pb::bytes(&mut header, 16, b"fragnum bench_region");
    write_blob(&mut file, "OSMHeader", &header)?;

    let total = side * side;
    let per_block = 8_000;
    let mut start = 0;
    while start < total {
        let end = (start + per_block).min(total);
        let ids = (start..end).map(|k| i64::try_from(k + 1).unwrap_or(i64::MAX));
        let lats = (start..end).map(|k| ((LAT0 + (k / side) as f64 * DY) * 1e7).round() as i64 + jitter(k, 0));
        let lons = (start..end).map(|k| ((LON0 + (k % side) as f64 * DX) * 1e7).round() as i64 + jitter(k, 1));
        let mut dense = Vec::new();
        pb::packed_delta(&mut dense, 1, ids);
        pb::packed_delta(&mut dense, 8, lats);
        pb::packed_delta(&mut dense, 9, lons);
        let mut group = Vec::new();
        pb::bytes(&mut group, 2, &dense);
        write_blob(&mut file, "OSMData", &primitive_block(&group))?;
        start = end;
    }

    // Ways: rows cut every 10 segments, then every 10th column.
    let mut ways: Vec<(Vec<i64>, u64)> = Vec::new();
    let mut way_count = 0;
    let mut next_id = 1_i64;
    let flush = |ways: &mut Vec<(Vec<i64>, u64)>, file: &mut std::io::BufWriter<std::fs::File>, next_id: &mut i64| -> Result<(), Error> {
        let mut group = Vec::new();
        for (refs, class) in ways.drain(..) {
            let mut w = Vec::new();
            pb::uint(&mut w, 1, *next_id as u64);
            *next_id += 1;
            pb::packed_uint(&mut w, 2, std::iter::once(1));
            pb::packed_uint(&mut w, 3, std::iter::once(class));
            pb::packed_delta(&mut w, 8, refs.into_iter());
            pb::bytes(&mut group, 3, &w);
        }
        write_blob(file, "OSMData", &primitive_block(&group))
    };
    // Each street: its class, whether it is a row, and the row or column it is.
    let rows = (0..side).map(|j| (if j % 50 == 0 { 3 } else { 2 }, true, j));
    let columns = (0..side).step_by(10).map(|i| (if i % 100 == 0 { 5 } else { 4 }, false, i));
    for (class, row, fixed) in rows.chain(columns) {
        let node = |k: usize| if row { node_id(side, k, fixed) } else { node_id(side, fixed, k) };
        let mut k = 0;
        while k + 1 < side {
            let end = (k + 10).min(side - 1);
            ways.push(((k..=end).map(node).collect(), class));
            way_count += 1;
            k = end;
            if ways.len() == per_block {
                flush(&mut ways, &mut file, &mut next_id)?;
            }
        }
    }
    if !ways.is_empty() {
        flush(&mut ways, &mut file, &mut next_id)?;
    }
    file.flush()?;
    drop(file);
    Ok((total, way_count, std::fs::metadata(path)?.len()))
}

/// Peak resident memory of this process so far (GiB), from `/proc/self/status`.
fn peak_gib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(f64::NAN, |kib| kib / 1024.0 / 1024.0)
}

fn step(name: &str, started: Instant) {
    println!("{name:<34} {:>8.2} s  peak {:>5.2} GiB", started.elapsed().as_secs_f64(), peak_gib());
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: bench_region <out_dir> [side]")?);
    let side: usize = args.next().map_or(Ok(4_500), |s| s.parse())?;
    std::fs::create_dir_all(&out)?;
    let pbf = out.join(format!("region-{side}.osm.pbf"));
    let t = Instant::now();
    let (nodes, ways, bytes) = write_pbf(&pbf, side)?;
    println!("wrote {} ({nodes} nodes, {ways} ways, {:.0} MB) in {:.1} s", pbf.display(), bytes as f64 / 1e6, t.elapsed().as_secs_f64());

    let profile_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/profiles/car.toml");
    let profile = SpeedProfile::parse("car.toml", &std::fs::read_to_string(&profile_path)?)?;
    let total = Instant::now();

    let t = Instant::now();
    let extract = fragnum_ingest::roads::read_osm_extract_in(&pbf, &[], fragnum_ingest::roads::Passes::Two)?;
    let net = extract.network;
    step(&format!("PBF read, two passes ({:.0} MB/s)", bytes as f64 / 1e6 / t.elapsed().as_secs_f64()), t);
    println!("  network: {} nodes, {} directed edges", net.nodes.len(), net.edges.len());

    let t = Instant::now();
    // The network is needed no more once its graph is built: given up as it is used.
    let graph = Graph::build_owned(net, &profile)?;
    step("graph build + contraction", t);
    println!("  graph: {} nodes, contracted core {}", graph.coords.len(), graph.contraction.core_len());

    let t = Instant::now();
    let snapper = Snapper::new(&graph);
    step("R-tree (snapper)", t);

    let sites: Vec<Site> = (0..400usize)
        .map(|k| {
            let (i, j) = ((k * 7_919) % side, (k * 104_729) % side);
            Site::new(
                &format!("s{k}"),
                &format!("Site {k}"),
                "france_services",
                LON0 + i as f64 * DX + DX / 3.0,
                LAT0 + j as f64 * DY + DY / 4.0,
            )
        })
        .collect();
    let t = Instant::now();
    let snaps: Vec<_> = sites.iter().map(|s| snapper.snap(s.position(), 2_000.0, 4.5 / 3.6)).collect();
    let sources = snapper.sources(&snaps);
    let r = graph.nearest_sites(&sources, f64::INFINITY);
    std::hint::black_box(&r);
    step("multi-source Dijkstra, every node", t);
    drop(r);

    let mut rng = fragnum_core::rng::Rng::new(1, 0);
    let span = (side - 1) as f64;
    let points: Vec<PopulationPoint> = (0..1_000_000)
        .map(|_| PopulationPoint { lon: LON0 + rng.range(0.0, span) * DX, lat: LAT0 + rng.range(0.0, span) * DY, weight: 1.0, zone: None })
        .collect();
    let t = Instant::now();
    let times = network_times(&graph, &snapper, &sites, &points, 2_000.0, 4.5 / 3.6);
    let reached = times.points.iter().filter(|p| p.time_s.is_some()).count();
    step("1 M points (snap + Dijkstra + times)", t);
    println!("  points reached: {reached} of {}", points.len());
    println!(
        "PBF to per-point table: {:.2} s, peak {:.2} GiB (target < 60 s, < 8 GiB: {})",
        total.elapsed().as_secs_f64(),
        peak_gib(),
        if total.elapsed().as_secs_f64() < 60.0 && peak_gib() < 8.0 { "met" } else { "NOT met" }
    );
    Ok(())
}
