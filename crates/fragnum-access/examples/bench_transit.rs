//! Public transport on the real Grenoble feed (issue 14): range-RAPTOR from every populated
//! 1 km cell inside the feed's stops to the nearest advisor site, 60 departures (09:00–09:59) on
//! a Tuesday, on 2 threads, checked against the time-dependent Dijkstra reference in the same run.
//!
//! ```text
//! cargo run --release -p fragnum-access --example bench_transit -- FEED.zip GRID.csv SITES.csv \
//!     [--date 2023-04-18] [--sample N]
//! ```
//!
//! Two sets of sites: all advisor sites, then France Services only (fewer, so journeys are longer
//! and ride more). The reference (one Dijkstra per origin and departure) runs on every N-th origin
//! (default 1: all of them; it takes about a second here), all departures, and RAPTOR is timed
//! again on the same origins for the ratio.

use std::path::PathBuf;
use std::time::Instant;

use fragnum_access::transit::reference::Reference;
use fragnum_access::transit::{Footpaths, Legs, Router, TransitPoint, TransitSettings, transit_times_with};
use fragnum_core::sites::{PopulationPoint, Site};
use fragnum_core::transit::{Date, Seconds, Timetable};
use fragnum_ingest::Report;
use rayon::prelude::*;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut date = Date::new(2023, 4, 18).ok_or("date")?;
    let mut sample = 1usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--date" => date = args.next().as_deref().and_then(Date::parse).ok_or("--date YYYY-MM-DD")?,
            "--sample" => sample = args.next().and_then(|s| s.parse().ok()).filter(|&n| n > 0).ok_or("--sample N (≥ 1)")?,
            _ => paths.push(a.into()),
        }
    }
    let [feed, grid, sites] =
        <[PathBuf; 3]>::try_from(paths).map_err(|_| "usage: bench_transit FEED.zip GRID.csv SITES.csv [--date D] [--sample N]")?;
    rayon::ThreadPoolBuilder::new().num_threads(2).build_global()?;

    let mut report = Report::default();
    let t = Instant::now();
    let tt = fragnum_ingest::gtfs::read_gtfs(&feed, date, &mut report)?;
    let load_s = t.elapsed().as_secs_f64();
    println!(
        "feed: {} — {} routes, {} platforms + {} stations, {} trips on {date} (weekday {}) in {} patterns, {} stop events; service {} to {}",
        feed.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
        tt.routes.len(),
        tt.stops.len(),
        tt.stations.len(),
        tt.trip_count(),
        date.weekday() + 1,
        tt.patterns.len(),
        tt.stop_event_count(),
        tt.feed.first_date.map(|d| d.to_string()).unwrap_or_default(),
        tt.feed.last_date.map(|d| d.to_string()).unwrap_or_default(),
    );
    println!("feed load (zip read in place, parse, calendar, patterns): {load_s:.2} s");

    let [west, south, east, north] = tt.stop_bbox().ok_or("the feed has no stops")?;
    let all_cells = fragnum_ingest::grid::read_population_grid(&grid, &mut report)?;
    let cells: Vec<PopulationPoint> =
        all_cells.into_iter().filter(|c| c.lon >= west && c.lon <= east && c.lat >= south && c.lat <= north).collect();
    let sites = fragnum_ingest::sites::read_sites(&sites, &mut report)?;
    let population: f64 = cells.iter().map(|c| c.weight).sum();
    println!(
        "origins: {} populated 1 km cells inside the stops' bbox ({population:.0} people); {} advisor sites",
        cells.len(),
        sites.len()
    );

    let settings = TransitSettings::default();
    let all = scenario("all advisor sites", &tt, &cells, &sites, &settings, sample)?;
    let fs: Vec<Site> = sites.iter().filter(|s| s.kind == "france_services").cloned().collect();
    let france_services =
        scenario("France Services only (fewer sites: longer journeys, more transit)", &tt, &cells, &fs, &settings, sample)?;
    for p in report.problems.iter().filter(|p| p.severity >= fragnum_ingest::Severity::Warning) {
        println!("  {p}");
    }
    if !(all && france_services) {
        return Err("RAPTOR and the reference disagree".into());
    }
    Ok(())
}

/// One set of sites: times, the reference, agreement and shares; `false` on any disagreement.
fn scenario(
    name: &str,
    tt: &Timetable,
    cells: &[PopulationPoint],
    sites: &[Site],
    settings: &TransitSettings,
    sample: usize,
) -> Result<bool, Box<dyn std::error::Error>> {
    println!("\n== {name}: {} sites", sites.len());
    let population: f64 = cells.iter().map(|c| c.weight).sum();
    let departures = settings.departures()?;
    let t = Instant::now();
    let origins: Vec<[f64; 2]> = cells.iter().map(PopulationPoint::position).collect();
    let places: Vec<[f64; 2]> = sites.iter().map(Site::position).collect();
    let legs = Legs::straight_line(tt, &origins, &places, settings);
    let footpaths = Footpaths::straight_line(tt, settings);
    let walks_s = t.elapsed().as_secs_f64();
    let result = transit_times_with(tt, &footpaths, &legs, settings)?;
    let raptor_s = result.timings.routing_ms / 1e3;
    let queries = cells.len() * departures.len();
    println!(
        "walks: {walks_s:.3} s ({} footpaths between stops, {:.1} access stops per origin, {:.1} egress stops per site)",
        footpaths.len(),
        legs.access.iter().map(Vec::len).sum::<usize>() as f64 / cells.len().max(1) as f64,
        legs.egress.iter().map(Vec::len).sum::<usize>() as f64 / sites.len().max(1) as f64
    );
    println!(
        "RAPTOR (range-RAPTOR, {} departures × {} origins = {queries} queries, ≤ {} transfers, 2 threads): {raptor_s:.3} s ({:.1} µs per query)",
        departures.len(),
        cells.len(),
        settings.max_transfers,
        raptor_s * 1e6 / queries.max(1) as f64
    );

    // The reference on every `sample`-th origin, all departures; RAPTOR again on the same origins.
    let picked: Vec<usize> = (0..cells.len()).step_by(sample).collect();
    let router = Router::new(tt, &footpaths, &legs.egress, settings)?;
    let t = Instant::now();
    let fast: Vec<Vec<Option<Seconds>>> =
        picked.par_iter().map(|&o| router.arrivals(&legs.access[o], legs.direct[o], &departures)).collect();
    let fast_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let reference = Reference::new(tt, &footpaths, &legs.egress, settings.max_transfers as usize + 1);
    let slow: Vec<Vec<Option<Seconds>>> = picked
        .par_iter()
        .map(|&o| {
            departures.iter().map(|&d| reference.earliest_arrival(&legs.access[o], legs.direct[o], d, settings.max_travel_s())).collect()
        })
        .collect();
    let slow_s = t.elapsed().as_secs_f64();
    let compared = picked.len() * departures.len();
    let (mut equal, mut by_transit, mut shown) = (0usize, 0usize, 0);
    for (k, (f, r)) in fast.iter().zip(&slow).enumerate() {
        for (i, (a, b)) in f.iter().zip(r).enumerate() {
            if a == b {
                equal += 1;
            } else if shown < 5 {
                shown += 1;
                println!("  MISMATCH origin {} departure {}: RAPTOR {a:?}, reference {b:?}", picked[k], departures[i]);
            }
            let walked = legs.direct[picked[k]].map(|w| departures[i] + w);
            by_transit += usize::from(b.is_some() && *b != walked);
        }
    }
    let which = if sample == 1 { "all origins".to_string() } else { format!("a sample: every {sample}th origin") };
    println!(
        "reference (time-dependent Dijkstra on the time-expanded graph, build included) on {which}, {} × {} = {compared} queries: {slow_s:.3} s; RAPTOR on the same: {fast_s:.4} s",
        picked.len(),
        departures.len()
    );
    println!("ratio reference / RAPTOR: {:.0}× on the same queries", slow_s / fast_s.max(1e-9));
    println!(
        "agreement: {equal} / {compared} earliest arrivals equal to the second ({:.2} %); in {by_transit} the journey rides (beats walking straight)",
        100.0 * equal as f64 / compared.max(1) as f64
    );
    let within = |f: &dyn Fn(&TransitPoint) -> Option<f64>| -> f64 {
        cells.iter().zip(&result.points).filter(|(_, p)| f(p).is_some_and(|t| t <= 20.0 * 60.0)).map(|(c, _)| c.weight).sum::<f64>()
            / population.max(1.0)
    };
    println!(
        "population within 20 min of a site: transit + walking (median over {}–{}) {:.1} %, walking only {:.1} %",
        settings.departure_from,
        settings.departure_to,
        100.0 * within(&|p| p.median_s),
        100.0 * within(&|p| p.walk_only_s)
    );
    let reached = result.points.iter().filter(|p| p.median_s.is_some()).count();
    let spread: Vec<f64> = result.points.iter().filter_map(|p| Some(p.p75_s? - p.p25_s?)).collect();
    println!(
        "origins with a median within {} min: {reached} / {}; mean p75 − p25 spread over the window: {:.1} min",
        settings.max_travel_min,
        cells.len(),
        spread.iter().sum::<f64>() / spread.len().max(1) as f64 / 60.0
    );
    Ok(equal == compared)
}
