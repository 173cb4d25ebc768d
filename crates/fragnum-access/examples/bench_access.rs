//! Benchmark and reference export: nearest-site travel time for every node and every population
//! point on a real OSM extract, with sites = nodes tagged `amenity=townhall|post_office`.
//!
//! ```text
//! cargo run --release -p fragnum-access --example bench_access -- <extract.osm.pbf> <out_dir> [profile.toml]
//! ```
//!
//! Network loading (PBF reading) is excluded from the timings and reported separately. Every
//! timing is a median over repeated runs (5 reads, 5 graph builds, 21 queries, 7 end to end). Writes to
//! `<out_dir>`: `nodes.csv` (id,x,y), `edges.csv` (from,to,weight — seconds), `sources.csv`
//! (node,time,site: the multi-source start offsets), `sites.csv` (site,x,y — the node each site
//! is entered by, for pandana), `points.csv` (x,y), `times.csv` (node,time,site) and `bench.json`
//! (timings); `benches/access_pandana.py` reads them, checks times against networkx and times
//! pandana on the same graph.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use fragnum_access::coverage::{NetworkTimes, network_times};
use fragnum_access::dijkstra::{Source, nearest_sites};
use fragnum_access::graph::Graph;
use fragnum_access::profile::SpeedProfile;
use fragnum_access::snap::Snapper;
use fragnum_core::network::RoadNetwork;
use fragnum_core::sites::PopulationPoint;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

type Error = Box<dyn std::error::Error>;

/// Reads the roads and the site nodes in one pass over the file (median of 5 reads, ms).
fn read_extract(pbf: &Path) -> Result<(fragnum_ingest::roads::OsmExtract, f64), Error> {
    let mut loads = Vec::new();
    let mut extract = None;
    for _ in 0..5 {
        let t = Instant::now();
        extract = Some(fragnum_ingest::roads::read_osm_extract(pbf, &[("amenity", "townhall"), ("amenity", "post_office")])?);
        loads.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok((extract.ok_or("no read")?, median(loads)))
}

/// Builds the graph (median of 5 builds, ms) and times a snapper over it (ms).
fn build_graph(net: &RoadNetwork, profile: &SpeedProfile) -> Result<(Graph, f64, f64), Error> {
    let (mut graphs, mut indexes) = (Vec::new(), Vec::new());
    let mut built = None;
    for _ in 0..5 {
        let t = Instant::now();
        let graph = Graph::build(net, profile)?;
        graphs.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        std::hint::black_box(Snapper::new(&graph));
        indexes.push(t.elapsed().as_secs_f64() * 1e3);
        built = Some(graph);
    }
    Ok((built.ok_or("no graph")?, median(graphs), median(indexes)))
}

/// Writes the graph, the sources, the points and the times as CSV for `benches/access_pandana.py`.
fn write_reference(out: &Path, graph: &Graph, sources: &[Source], points: &[PopulationPoint], times: &NetworkTimes) -> Result<(), Error> {
    let mut s = String::from("id,x,y\n");
    for (i, c) in graph.coords.iter().enumerate() {
        writeln!(s, "{i},{},{}", c[0], c[1])?;
    }
    std::fs::write(out.join("nodes.csv"), s)?;
    let mut s = String::from("from,to,weight\n");
    for u in 0..graph.len() as u32 {
        for (v, w) in graph.forward.row(u) {
            writeln!(s, "{u},{v},{w:?}")?;
        }
    }
    std::fs::write(out.join("edges.csv"), s)?;
    let mut s = String::from("node,time,site\n");
    for src in sources {
        writeln!(s, "{},{:?},{}", src.node, src.time, src.site)?;
    }
    std::fs::write(out.join("sources.csv"), s)?;
    let mut s = String::from("site,x,y\n");
    for src in sources {
        let c = graph.coords[src.node as usize];
        writeln!(s, "{},{},{}", src.site, c[0], c[1])?;
    }
    std::fs::write(out.join("sites.csv"), s)?;
    let mut s = String::from("x,y\n");
    for p in points {
        writeln!(s, "{},{}", p.lon, p.lat)?;
    }
    std::fs::write(out.join("points.csv"), s)?;
    let mut s = String::from("node,time,site\n");
    for (i, (t, site)) in times.nodes.time.iter().zip(&times.nodes.site).enumerate() {
        writeln!(s, "{i},{t:?},{site}")?;
    }
    std::fs::write(out.join("times.csv"), s)?;
    Ok(())
}

fn main() -> Result<(), Error> {
    let (pbf, out, profile) = common::arguments("bench_access")?;

    let (extract, load_ms) = read_extract(&pbf)?;
    let (net, sites) = (extract.network, extract.sites);
    let (graph, graph_ms, index_ms) = build_graph(&net, &profile)?;
    let snapper = Snapper::new(&graph);

    // Deterministic pseudo-random population points over the graph's bounding box.
    let points = common::points(&graph)?;

    let walk_ms = 4.5 / 3.6;
    // End to end (after loading): snapping sites and points, Dijkstra, point times.
    let mut e2e = Vec::new();
    let mut times = None;
    for _ in 0..7 {
        let t = Instant::now();
        let r = network_times(&graph, &snapper, &sites, &points, 2_000.0, walk_ms);
        e2e.push(t.elapsed().as_secs_f64() * 1e3);
        times = Some(r);
    }
    let times = times.ok_or("no run")?;
    // The query alone: the multi-source Dijkstra over every node.
    let sources = snapper.sources(&times.site_snaps);
    let mut query = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let r = graph.nearest_sites(&sources, f64::INFINITY);
        query.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(r, times.nodes);
    }
    // The same Dijkstra without contracting shape points, as a check and for the record.
    let mut plain = Vec::new();
    let mut worst = 0.0f64;
    let mut other_site = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let r = nearest_sites(&graph.reverse, &sources, f64::INFINITY);
        plain.push(t.elapsed().as_secs_f64() * 1e3);
        worst = r
            .time
            .iter()
            .zip(&times.nodes.time)
            .filter(|(a, b)| a.is_finite() || b.is_finite())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        other_site = r.site.iter().zip(&times.nodes.site).filter(|(a, b)| a != b).count();
    }
    let n = graph.len();
    let within = |m: f64| times.nodes.time.iter().filter(|t| **t <= m * 60.0).count() as f64 / n as f64;
    let snapped_sites = times.site_snaps.iter().filter(|s| s.is_some()).count();
    let reached_points = times.points.iter().filter(|p| p.time_s.is_some()).count();
    let name = pbf.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    println!("== {name} (profile {}) ==", profile.name);
    println!(
        "network: {} nodes, {} edges read; graph (largest SCC): {} nodes, {} edges; dropped {} nodes in {} other components",
        net.nodes.len(),
        net.edges.len(),
        graph.report.nodes,
        graph.report.edges,
        graph.report.dropped_nodes,
        graph.report.components - 1
    );
    println!(
        "Dijkstra on the {} junctions of {} nodes (median of 21) {:.2} ms; plain, every node in the heap (median of 7) {:.2} ms; \
         max |difference| {worst:.1e} s, {other_site} nodes with another site (exact ties)",
        graph.contraction.core_len(),
        n,
        median(query.clone()),
        median(plain)
    );
    println!("sites (amenity=townhall|post_office): {} read, {snapped_sites} snapped within 2 km", sites.len());
    println!("points: {} generated, {reached_points} reached", points.len());
    println!("share of graph nodes within 10 min: {:.1} %, within 20 min: {:.1} %", within(10.0) * 100.0, within(20.0) * 100.0);
    println!(
        "timings (ms, medians; loading excluded: PBF read {load_ms:.0} ms): graph build with its R-tree {graph_ms:.1}, snapper {index_ms:.2}, \
         multi-source Dijkstra (median of 21) {:.2}, end to end snapping+Dijkstra+points (median of 7) {:.2}",
        median(query.clone()),
        median(e2e.clone())
    );

    write_reference(&out, &graph, &sources, &points, &times)?;
    let json = format!(
        "{{\"extract\":\"{name}\",\"nodes\":{n},\"edges\":{},\"sites\":{},\"points\":{},\"load_ms\":{load_ms},\"graph_ms\":{graph_ms},\"index_ms\":{index_ms},\"query_ms\":{},\"end_to_end_ms\":{},\"within10\":{},\"within20\":{}}}\n",
        graph.report.edges,
        snapped_sites,
        points.len(),
        median(query),
        graph_ms + index_ms + median(e2e),
        within(10.0),
        within(20.0)
    );
    std::fs::write(out.join("bench.json"), json)?;
    println!("wrote {}", out.display());
    Ok(())
}
