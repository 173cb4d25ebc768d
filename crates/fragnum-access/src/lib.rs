//! # fragnum-access
//!
//! Travel time from where people live to the nearest advisor site, over a road network — or, when
//! no network is configured, an explicitly labelled straight-line approximation. Pure
//! computation: no file is read here (profiles are parsed from text the caller read).
//!
//! - [`profile`]: speed profiles (road class → km/h, urban/rural) from TOML text;
//! - [`csr`]: compressed sparse rows, segments and neighbour lists, the storage searches run on;
//! - [`graph`]: the routable graph (largest strongly connected component, urban edges);
//! - [`chains`]: the graph with its shape points contracted, for the every-node Dijkstra;
//! - [`dijkstra`]: multi-source Dijkstra on the reversed graph (time to the nearest site);
//! - [`spatial`]: the R-tree of the graph's segments, Z-order of points;
//! - [`snap`]: snapping points to the nearest road segment, walked legs;
//! - [`coverage`]: per point and per zone results (shares within thresholds, mean, median);
//! - [`isochrone`]: service areas as valid polygons (raster of what is reached, traced);
//! - [`siting`]: greedy maximum coverage for new sites;
//! - [`capacity`]: travel times from each site to the points it reaches, 2SFCA / E2SFCA, Gini, capacity-aware greedy;
//! - [`supply`]: supply against need (2SFCA, E2SFCA, equity, capacity-aware siting);
//! - [`optimum`]: the exact maximum coverage (branch and bound), to report the greedy's gap;
//! - [`transit`]: public transport: range-RAPTOR over a GTFS day, walk legs, a Dijkstra reference;
//! - [`approx`]: straight line × detour at a speed per area type;
//! - [`modes`]: car, walk and transit, and their per-zone shares for maps and sheets;
//! - [`zones`]: population points from zone outlines, isochrone GeoJSON;
//! - [`config`]: the `[access]` config section (paths + settings);
//! - [`error`]: the error type, [`AccessError`].
//!
//! The entry point is [`compute`]: it checks [`AccessInput`] and [`Settings`], gets times from
//! one of the two methods (the road network or the approximation) and aggregates them into an
//! [`AccessOutput`].
//!
//! ## Module graph
//!
//! Modules depend in one direction: building (`graph`) → contraction (`chains`) → search
//! (`dijkstra`), all on the rows of `csr`; snapping (`snap`) on top; then the measures; then the
//! two methods and [`compute`]. Each module and the modules its `use crate::` lines name, with
//! the extra ones of its tests in brackets (`transit::reference` counts as `transit`):
//!
//! ```text
//! error, csr               → (none)
//! dijkstra                 → csr
//! chains                   → csr, dijkstra
//! spatial                  → csr
//! profile                  → error
//! graph                    → chains, csr, dijkstra, error, profile, spatial
//! snap                     → dijkstra, graph, spatial
//! coverage                 → dijkstra, graph, snap, spatial
//! isochrone                → csr, dijkstra, graph
//! capacity                 → dijkstra, error, graph, snap                   [coverage]
//! siting                   → capacity, graph, snap                          [coverage]
//! optimum                  → (none)                                         [siting]
//! supply                   → capacity, coverage
//! approx                   → coverage
//! transit                  → approx, error
//! input                    → approx, error, profile, supply
//! output                   → coverage, graph, isochrone, optimum, siting, supply
//! modes                    → approx, capacity, coverage, error, graph, input, profile, snap, transit
//! config                   → approx, error, input, modes, supply, transit
//! zones                    → output
//! method                   → capacity, coverage, graph, isochrone, output
//! method::network          → capacity, coverage, error, graph, input, isochrone, method, output, siting, snap
//! method::straight_line    → approx, capacity, input, isochrone, method, output, siting
//! lib (compute)            → coverage, error, input, method, method::network, method::straight_line,
//!                            optimum, output, siting, supply                  [graph]
//! ```
//!
//! `input`, `output` and `method` are private; their public types are re-exported here.

pub mod approx;
pub mod capacity;
pub mod chains;
pub mod config;
pub mod coverage;
pub mod csr;
pub mod dijkstra;
pub mod error;
pub mod graph;
mod input;
pub mod isochrone;
mod method;
pub mod modes;
pub mod optimum;
mod output;
pub mod profile;
pub mod siting;
pub mod snap;
pub mod spatial;
pub mod supply;
pub mod transit;
pub mod zones;

use std::time::Instant;

use crate::coverage::{attach_sites_within, zone_results};
use crate::method::{MethodRun, ms};
use crate::optimum::max_coverage;
use crate::siting::greedy;
use crate::supply::SupplyInput;

pub use approx::Approximation;
pub use coverage::{PointResult, ZoneResult};
pub use error::AccessError;
pub use graph::GraphReport;
pub use input::{AccessInput, Settings};
pub use isochrone::Isochrone;
pub use output::{AccessOutput, Method, SiteResult, SitingOptimum, Timings};
pub use profile::SpeedProfile;
pub use siting::SitingChoice;

/// Runs the whole computation.
///
/// ```
/// use fragnum_core::sites::{PopulationPoint, Site};
/// use fragnum_access::{compute, AccessInput, Method, Settings};
/// let sites = [Site::new("a", "Mairie", "france_services", 5.0, 45.0)];
/// let points = [PopulationPoint { lon: 5.0, lat: 45.05, weight: 100.0, zone: None }];
/// let out = compute(&AccessInput { sites: &sites, points: &points, ..Default::default() }, &Settings::default()).unwrap();
/// assert_eq!(out.method, Method::StraightLine);
/// assert!(out.method_label.contains("approximation"));
/// assert!((out.share_within_isochrone - 1.0).abs() < 1e-12); // 5.6 km × 1.97 at 41 km/h ≈ 16 min
/// ```
pub fn compute(input: &AccessInput, settings: &Settings) -> Result<AccessOutput, AccessError> {
    settings.check()?;
    input.check()?;
    let population: Vec<f64> = input.points.iter().map(|p| p.weight).collect();
    let weights: &[f64] = input.weights.unwrap_or(&population);
    let mut warnings = Vec::new();
    let mut timings = Timings::default();
    let run = match input.network {
        Some(net) => method::network::times(input, settings, net, &mut timings, &mut warnings)?,
        None => method::straight_line::times(input, settings, &mut timings, &mut warnings),
    };
    let MethodRun { method, label, points, mut sites, candidates, isochrones, cell, cover, site_times, candidate_times, network } = run;
    warn_unsnapped(&sites, &points, &population, settings.max_snap_m, &mut warnings);
    let within = credit_sites(&mut sites, &points, &population, settings.threshold_s());
    let total: f64 = population.iter().sum();
    let t = Instant::now();
    let siting = greedy(&cover, &population, weights, within, settings.new_sites.min(cover.len()));
    timings.siting_ms += ms(t);
    let threshold_s = settings.threshold_s();
    let site_cover: Vec<Vec<u32>> =
        site_times.lists.iter().map(|l| l.iter().filter(|(_, t)| *t <= threshold_s).map(|(p, _)| *p).collect()).collect();
    let mut zones = zone_results(input.points, &points, &settings.thresholds_min);
    attach_sites_within(&mut zones, input.points, &site_cover);
    let t = Instant::now();
    let siting_optimum = siting_optimum(&siting, &cover, weights, settings, &mut warnings);
    let supply = supply::measure(
        &SupplyInput {
            sites: input.sites,
            points: input.points,
            results: &points,
            need: input.need.unwrap_or(&population),
            groups: input.groups,
            site_times: &site_times,
            candidate_times: candidate_times.as_ref(),
            threshold_min: settings.isochrone_min,
        },
        &settings.capacity,
    );
    timings.supply_ms = ms(t);
    Ok(AccessOutput {
        method,
        method_label: label,
        thresholds_min: settings.thresholds_min.clone(),
        isochrone_min: settings.isochrone_min,
        sites,
        candidates,
        points,
        zones,
        isochrones,
        isochrone_cell_m: cell,
        siting,
        siting_optimum,
        supply,
        share_within_isochrone: if total > 0.0 { within / total } else { 0.0 },
        network,
        warnings,
        timings,
    })
}

/// Warns of the sites and population points too far from any road to be snapped.
fn warn_unsnapped(sites: &[SiteResult], points: &[PointResult], population: &[f64], max_snap_m: f64, warnings: &mut Vec<String>) {
    let unsnapped_sites = sites.iter().filter(|s| !s.snapped).count();
    if unsnapped_sites > 0 {
        warnings.push(format!("{unsnapped_sites} sites farther than {max_snap_m} m from any road were not used"));
    }
    let beyond = points.iter().filter(|r| r.beyond_snap).count();
    if beyond > 0 {
        let pop: f64 = points.iter().zip(population).filter(|(r, _)| r.beyond_snap).map(|(_, w)| w).sum();
        warnings
            .push(format!("{beyond} population points ({pop:.0} people) farther than {max_snap_m} m from any road: counted as not served"));
    }
}

/// Credits each site with the population it is nearest to, and within `threshold_s` of it;
/// returns the population within the threshold of its nearest site.
fn credit_sites(sites: &mut [SiteResult], points: &[PointResult], population: &[f64], threshold_s: f64) -> f64 {
    let mut within = 0.0;
    for (r, w) in points.iter().zip(population) {
        if let Some(s) = r.site {
            sites[s].population_nearest += w;
            if r.time_s.is_some_and(|t| t <= threshold_s) {
                sites[s].population_within += w;
                within += w;
            }
        }
    }
    within
}

/// The exact optimum of the siting problem the greedy `siting` answered (`None` when no site
/// was chosen), with a warning when the search budget ran out before proving it.
fn siting_optimum(
    siting: &[SitingChoice],
    cover: &[Vec<u32>],
    weights: &[f64],
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Option<SitingOptimum> {
    if siting.is_empty() {
        return None;
    }
    let start: Vec<usize> = siting.iter().map(|c| c.candidate).collect();
    let optimum = SitingOptimum {
        greedy_weight: siting.iter().map(|c| c.gain_weight).sum(),
        optimum: max_coverage(cover, weights, settings.new_sites, &start, settings.capacity.optimum_node_budget),
    };
    if !optimum.optimum.proven {
        warnings.push(format!(
            "siting optimum not proven within {} nodes: the greedy is within {:.1} % of it",
            settings.capacity.optimum_node_budget,
            optimum.gap() * 100.0
        ));
    }
    Some(optimum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{network, profile_10ms};
    use fragnum_core::sites::{PopulationPoint, Site};
    use fragnum_core::{Level, ZoneCode};
    use geo::Validation;

    #[test]
    fn network_run_end_to_end_on_a_small_grid() {
        // a 5 × 5 grid of two-way streets ~78 m apart at 10 m/s, sites at two corners
        let mut pts = Vec::new();
        let mut edges = Vec::new();
        for j in 0..5u32 {
            for i in 0..5u32 {
                pts.push([5.0 + 0.001 * f64::from(i), 45.0 + 0.0007 * f64::from(j)]);
                if i < 4 {
                    edges.push((j * 5 + i, j * 5 + i + 1, 78.6, true));
                }
                if j < 4 {
                    edges.push((j * 5 + i, (j + 1) * 5 + i, 77.8, true));
                }
            }
        }
        let net = network(&pts, &edges);
        let profile = profile_10ms();
        let sites = [Site::new("a", "", "k", 5.0, 45.0), Site::new("b", "", "k", 5.004, 45.0028)];
        let zone = ZoneCode::new(Level::Commune, "38185").unwrap();
        let points: Vec<PopulationPoint> =
            pts.iter().map(|p| PopulationPoint { lon: p[0] + 0.0002, lat: p[1] + 0.0001, weight: 1.0, zone: Some(zone.clone()) }).collect();
        let candidates = [Site::new("c", "", "k", 5.002, 45.0014)];
        let settings = Settings {
            thresholds_min: vec![1.0, 2.0],
            isochrone_min: 0.5,
            isochrone_cell_m: 10.0,
            max_snap_m: 100.0,
            new_sites: 1,
            ..Settings::default()
        };
        let input = AccessInput {
            network: Some(&net),
            profile: Some(&profile),
            sites: &sites,
            points: &points,
            candidates: &candidates,
            ..Default::default()
        };
        let out = compute(&input, &settings).unwrap();
        assert_eq!(out.method, Method::Network);
        assert_eq!(out.zones.len(), 1);
        assert!(out.points.iter().all(|p| p.time_s.is_some()));
        assert!(out.sites.iter().all(|s| s.population_nearest > 0.0));
        assert!((out.sites.iter().map(|s| s.population_nearest).sum::<f64>() - 25.0).abs() < 1e-12);
        assert_eq!(out.isochrones.len(), 2);
        assert!(out.isochrones.iter().all(|i| i.area.is_valid()));
        let doc: serde_json::Value = serde_json::from_str(&zones::isochrones_geojson(&out)).unwrap();
        assert_eq!(doc["features"].as_array().unwrap().len(), 2);
        assert_eq!(doc["metadata"]["method"], "network");
        // RFC 7946 right-hand rule: exterior rings counter-clockwise (positive shoelace area)
        for f in doc["features"].as_array().unwrap() {
            assert_eq!(f["geometry"]["type"], "MultiPolygon");
            for polygon in f["geometry"]["coordinates"].as_array().unwrap() {
                let ring: Vec<(f64, f64)> =
                    polygon[0].as_array().unwrap().iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect();
                let twice_area: f64 = ring.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum();
                assert!(twice_area > 0.0, "exterior ring is clockwise");
            }
        }
        assert_eq!(out.siting.len(), 1);
        assert!(out.siting[0].gain_population > 0.0);
        assert!(out.siting[0].share_after > out.share_within_isochrone);
    }

    #[test]
    fn bad_settings_are_refused() {
        let s = Settings { walk_kmh: 0.0, ..Settings::default() };
        assert!(compute(&AccessInput::default(), &s).is_err());
        let parsed: Result<Settings, _> = toml::from_str("thresholds_min = [10]\nmax_snapp = 3\n");
        assert!(parsed.is_err());
    }
}
