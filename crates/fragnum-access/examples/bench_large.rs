//! Scale check: nearest-site times on a synthetic road grid of about one million directed edges
//! (a 500 × 500 street grid, 100 m blocks, two-way, mixed classes), 20 sites.
//!
//! ```text
//! cargo run --release -p fragnum-access --example bench_large [-- <side>]
//! ```
//!
//! Prints the graph build time (largest component, CSR) and the multi-source Dijkstra time
//! (median of 7 runs). Target of the accessibility issue: under 1 s for about 1M edges.

use std::path::Path;
use std::time::Instant;

use fragnum_access::graph::Graph;
use fragnum_access::profile::SpeedProfile;
use fragnum_access::snap::Snapper;
use fragnum_core::network::{RoadEdge, RoadNetwork};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let side: usize = std::env::args().nth(1).map_or(Ok(500), |s| s.parse())?;
    let profile_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/profiles/car.toml");
    let profile = SpeedProfile::parse("car.toml", &std::fs::read_to_string(&profile_path)?)?;

    // Grid around 45° N: 100 m ≈ 0.00127° of longitude and 0.0009° of latitude.
    let (dx, dy) = (0.001_27, 0.000_9);
    let mut net = RoadNetwork {
        classes: vec!["residential".into(), "secondary".into(), "primary".into()],
        source: format!("synthetic {side}×{side} grid"),
        ..RoadNetwork::default()
    };
    for j in 0..side {
        for i in 0..side {
            net.nodes.push([5.0 + i as f64 * dx, 45.0 + j as f64 * dy]);
        }
    }
    let id = |i: usize, j: usize| (j * side + i) as u32;
    let mut add = |a: u32, b: u32, class: u16| {
        for (from, to) in [(a, b), (b, a)] {
            net.edges.push(RoadEdge { from, to, length_m: 100.0, class, maxspeed_kmh: None, car: true, walk: true, urban: None });
        }
    };
    for j in 0..side {
        for i in 0..side {
            let class = |k: usize| if k.is_multiple_of(50) { 2 } else { u16::from(k.is_multiple_of(10)) };
            if i + 1 < side {
                add(id(i, j), id(i + 1, j), class(j));
            }
            if j + 1 < side {
                add(id(i, j), id(i, j + 1), class(i));
            }
        }
    }
    println!("synthetic grid: {} nodes, {} directed edges", net.nodes.len(), net.edges.len());

    let t = Instant::now();
    let graph = Graph::build(&net, &profile)?;
    println!("graph build (largest SCC, CSR, urban detection): {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let snapper = Snapper::new(&graph);
    let snaps: Vec<_> = (0..20usize)
        .map(|k| {
            let at = [5.0 + ((k * 7919) % side) as f64 * dx + dx / 3.0, 45.0 + ((k * 104_729) % side) as f64 * dy];
            snapper.snap(at, 500.0, 4.5 / 3.6)
        })
        .collect();
    let sources = snapper.sources(&snaps);
    let mut runs = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let r = graph.nearest_sites(&sources, f64::INFINITY);
        runs.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(r);
    }
    runs.sort_by(f64::total_cmp);
    println!("multi-source Dijkstra, 20 sites, every node: median {:.0} ms (min {:.0}, max {:.0}) over 7 runs", runs[3], runs[0], runs[6]);
    Ok(())
}
