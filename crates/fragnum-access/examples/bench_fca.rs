//! Benchmark and reference export of the capacity measures: site-to-point travel times within
//! 30 minutes, 2SFCA (20 min) and E2SFCA (10/20/30 min weighted 1, 0.68, 0.22) on a real OSM
//! extract, with sites = nodes tagged `amenity=townhall|post_office` (as `bench_access`).
//!
//! ```text
//! cargo run --release -p fragnum-access --example bench_fca -- <extract.osm.pbf> <out_dir> [profile.toml]
//! ```
//!
//! 20,000 population points are drawn over the graph's bounding box exactly as `bench_access`
//! draws them, with a demand of 1–50 people in need each; each site has 1–3 advisors (both
//! deterministic). Loading, graph building and snapping are excluded from the timings; each
//! timing is a median (7 runs of the times, 21 of each measure). Writes to `<out_dir>`:
//! `times.csv` (site,point,minutes — the sparse times, minutes as `seconds / 60` written to round
//! trip), `supply.csv` (site,supply), `demand.csv` (point,demand), `sites_fca.csv`
//! (`site,ratio_2sfca,ratio_e2sfca`; empty when no demand reaches the site), `points_fca.csv`
//! (`point,access_2sfca,access_e2sfca`) and `bench_fca.json` (timings);
//! `benches/fca_pysal.py` runs `PySAL` `access` on the same times and compares.

mod common;

use std::fmt::Write as _;

use std::time::Instant;

use fragnum_access::capacity::{Decay, Fca, SiteTimes, fca};
use fragnum_access::coverage::network_times;
use fragnum_access::graph::Graph;
use fragnum_access::snap::Snapper;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `f` `runs` times; the median in ms and the last result.
fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut ms = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(std::hint::black_box(f()));
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    (median(ms), last.expect("runs > 0"))
}

fn optional(v: Option<f64>) -> String {
    v.map(|x| format!("{x:?}")).unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (pbf, out, profile) = common::arguments("bench_fca")?;
    let extract = fragnum_ingest::roads::read_osm_extract(&pbf, &[("amenity", "townhall"), ("amenity", "post_office")])?;
    let (net, sites) = (extract.network, extract.sites);
    let graph = Graph::build(&net, &profile)?;
    let snapper = Snapper::new(&graph);

    // The points of bench_access (same generator, same draws), then a demand per point.
    let points = common::points(&graph)?;
    let mut rng = fragnum_core::rng::Rng::new(1, 1);
    let demand: Vec<f64> = points.iter().map(|_| (1.0 + 50.0 * rng.unit()).floor()).collect();
    let mut rng = fragnum_core::rng::Rng::new(1, 2);
    let supply: Vec<f64> = sites.iter().map(|_| (1.0 + 3.0 * rng.unit()).floor()).collect();

    let walk_ms = 4.5 / 3.6;
    let nearest = network_times(&graph, &snapper, &sites, &points, 2_000.0, walk_ms);
    let limit_s = 30.0 * 60.0;
    let (times_ms, times) = timed(7, || SiteTimes::network(&graph, &snapper, &nearest.site_snaps, &nearest.point_snaps, limit_s));
    times.check(&supply, &demand)?;
    let two_step = Decay::two_step(20.0);
    let enhanced = Decay::new(vec![(10.0, 1.0), (20.0, 0.68), (30.0, 0.22)])?;
    let (fca2_ms, r2): (f64, Fca) = timed(21, || fca(&times, &supply, &demand, &two_step));
    let (e2_ms, re): (f64, Fca) = timed(21, || fca(&times, &supply, &demand, &enhanced));

    // Cross-check against the independent nearest-site search (multi-source, contracted graph).
    let first = times.nearest_k::<1>();
    let mut worst = 0.0f64;
    let mut reach_mismatch = 0;
    for (p, r) in nearest.points.iter().enumerate() {
        match (r.time_s.filter(|t| *t <= limit_s), first[p][0]) {
            (Some(a), Some(b)) => worst = worst.max((a - b).abs()),
            (None, None) => {}
            // a time within a hair of the limit may fall on either side
            (Some(a), None) | (None, Some(a)) if (a - limit_s).abs() < 1e-6 => {}
            _ => reach_mismatch += 1,
        }
    }

    let pairs: usize = times.lists.iter().map(Vec::len).sum();
    let sites_snapped = nearest.site_snaps.iter().filter(|s| s.is_some()).count();
    let reached = first.iter().filter(|f| f[0].is_some()).count();
    let name = pbf.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    println!("== {name} (profile {}) ==", profile.name);
    println!(
        "{} sites ({sites_snapped} snapped), {} points ({reached} within 30 min of a site), {pairs} (site, point) pairs within 30 min",
        sites.len(),
        points.len()
    );
    println!("nearest site from the lists vs network_times: max |difference| {worst:.1e} s, {reach_mismatch} points reached by one only");
    println!(
        "timings (ms, medians): site times within 30 min (7 runs) {times_ms:.2}, 2SFCA 20 min (21 runs) {fca2_ms:.3}, \
         E2SFCA 10/20/30 (21 runs) {e2_ms:.3}"
    );

    let mut s = String::from("site,point,minutes\n");
    for (site, list) in times.lists.iter().enumerate() {
        for &(p, t) in list {
            writeln!(s, "{site},{p},{:?}", t / 60.0)?;
        }
    }
    std::fs::write(out.join("times.csv"), s)?;
    let mut s = String::from("site,supply\n");
    for (site, v) in supply.iter().enumerate() {
        writeln!(s, "{site},{v:?}")?;
    }
    std::fs::write(out.join("supply.csv"), s)?;
    let mut s = String::from("point,demand\n");
    for (p, v) in demand.iter().enumerate() {
        writeln!(s, "{p},{v:?}")?;
    }
    std::fs::write(out.join("demand.csv"), s)?;
    let mut s = String::from("site,ratio_2sfca,ratio_e2sfca\n");
    for (site, (a, b)) in r2.site_ratio.iter().zip(&re.site_ratio).enumerate() {
        writeln!(s, "{site},{},{}", optional(*a), optional(*b))?;
    }
    std::fs::write(out.join("sites_fca.csv"), s)?;
    let mut s = String::from("point,access_2sfca,access_e2sfca\n");
    for (p, (a, b)) in r2.point_access.iter().zip(&re.point_access).enumerate() {
        writeln!(s, "{p},{a:?},{b:?}")?;
    }
    std::fs::write(out.join("points_fca.csv"), s)?;
    let json = format!(
        "{{\"extract\":\"{name}\",\"sites\":{},\"snapped_sites\":{sites_snapped},\"points\":{},\"pairs\":{pairs},\"limit_min\":30,\
         \"times_ms\":{times_ms},\"fca_2sfca_ms\":{fca2_ms},\"fca_e2sfca_ms\":{e2_ms},\"nearest_max_diff_s\":{worst},\
         \"nearest_reach_mismatch\":{reach_mismatch}}}\n",
        sites.len(),
        points.len()
    );
    std::fs::write(out.join("bench_fca.json"), json)?;
    println!("wrote {}", out.display());
    Ok(())
}
