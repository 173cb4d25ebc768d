//! Walking times on the real street graph of central Grenoble (`OSMnx` export in
//! ../shared/data/osm, read in place). Skips with a message when the data are absent.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

use std::path::{Path, PathBuf};

use fragnum_access::coverage::network_times;
use fragnum_access::dijkstra::nearest_sites;
use fragnum_access::graph::Graph;
use fragnum_access::profile::SpeedProfile;
use fragnum_access::snap::Snapper;
use fragnum_core::sites::{PopulationPoint, Site};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn walking_times_on_grenoble_streets() {
    let edges = root().join("../shared/data/osm/grenoble-streets-500m-geonetworkx.edges.geojson");
    if !edges.exists() {
        assert!(std::env::var_os("CI").is_none(), "{} absent: CI must have ../shared/data beside the project", edges.display());
        eprintln!("skipped: {} absent (CI and dev machines have ../shared/data beside the project)", edges.display());
        return;
    }
    let net = fragnum_ingest::roads::read_roads(&edges, &mut fragnum_ingest::Report::default()).unwrap();
    let walk = root().join("config/profiles/walk.toml");
    let profile = SpeedProfile::parse("walk.toml", &std::fs::read_to_string(walk).unwrap()).unwrap();
    let graph = Graph::build(&net, &profile).unwrap();
    assert!(graph.report.nodes > 1_000, "{:?}", graph.report);
    // Junctions only: shape points of curved streets are contracted.
    assert!(graph.contraction.core_len() < graph.len());

    // One site at Place Victor Hugo's corner of the graph, one at its east end (Île Verte).
    let sites = [Site::new("a", "ouest", "mediation", 5.7300, 45.1870), Site::new("b", "est", "mediation", 5.7415, 45.1900)];
    let snapper = Snapper::new(&graph);
    let points: Vec<PopulationPoint> =
        graph.coords.iter().map(|c| PopulationPoint { lon: c[0], lat: c[1], weight: 1.0, zone: None }).collect();
    let times = network_times(&graph, &snapper, &sites, &points, 500.0, 4.5 / 3.6);
    assert!(times.site_snaps.iter().all(Option::is_some));

    // The contracted Dijkstra gives the plain one's answer on a real graph.
    let sources = snapper.sources(&times.site_snaps);
    let plain = nearest_sites(&graph.reverse, &sources, f64::INFINITY);
    for (v, (a, b)) in plain.time.iter().zip(&times.nodes.time).enumerate() {
        assert!((a - b).abs() < 1e-9, "node {v}: plain {a} s, contracted {b} s");
    }
    assert_eq!(plain.site, times.nodes.site);

    // The area is about 1 km across: every node is within a 15-minute walk of one of the sites,
    // and the farthest is more than 5 minutes away.
    let worst = times.nodes.time.iter().copied().fold(0.0, f64::max);
    assert!(worst > 300.0 && worst < 900.0, "farthest node {worst} s");
    let within_10 = times.nodes.time.iter().filter(|t| **t <= 600.0).count() as f64 / graph.len() as f64;
    eprintln!(
        "Grenoble centre, walking: {} nodes ({} junctions), {:.1} % within 10 min of the 2 sites, farthest {:.1} min",
        graph.len(),
        graph.contraction.core_len(),
        within_10 * 100.0,
        worst / 60.0
    );
    assert!(times.points.iter().all(|p| p.time_s.is_some()));
}
