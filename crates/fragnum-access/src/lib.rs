//! # fragnum-access
//!
//! Travel time from where people live to the nearest advisor site, over a road network — or, when
//! no network is configured, an explicitly labelled straight-line approximation. Pure
//! computation: no file is read here (profiles are parsed from text the caller read).
//!
//! - [`profile`]: speed profiles (road class → km/h, urban/rural) from TOML text;
//! - [`graph`]: the routable graph (CSR, largest strongly connected component), local projection;
//! - [`snap`]: snapping points to the nearest road segment with an R-tree (rstar), walked legs;
//! - [`dijkstra`]: multi-source Dijkstra on the reversed graph (time to the nearest site);
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
//! The entry point is [`compute`].

pub mod approx;
pub mod capacity;
pub mod chains;
pub mod config;
pub mod coverage;
pub mod dijkstra;
pub mod error;
pub mod graph;
pub mod isochrone;
pub mod modes;
pub mod optimum;
pub mod profile;
pub mod siting;
pub mod snap;
pub mod transit;
pub mod supply;
pub mod zones;

use std::time::Instant;

use fragnum_core::network::RoadNetwork;
use fragnum_core::sites::{PopulationPoint, Site};
use serde::Deserialize;

pub use approx::Approximation;
pub use coverage::{PointResult, ZoneResult};
pub use error::AccessError;
pub use graph::GraphReport;
pub use isochrone::Isochrone;
pub use profile::SpeedProfile;
pub use siting::SitingChoice;

/// Settings of the computation (the `[access]` config keys that are not file paths).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Thresholds (minutes) for the population shares.
    pub thresholds_min: Vec<f64>,
    /// Threshold (minutes) of the isochrones and of siting coverage.
    pub isochrone_min: f64,
    /// Maximum distance (m) from a point to the road it is snapped to.
    pub max_snap_m: f64,
    /// Walking speed (km/h) of the legs between points and roads.
    pub walk_kmh: f64,
    /// Isochrone raster cell (m).
    pub isochrone_cell_m: f64,
    /// Isochrone raster size limit (cells); the cell grows beyond it.
    pub isochrone_max_cells: usize,
    /// How many new sites to choose among the candidates.
    pub new_sites: usize,
    /// The straight-line approximation, used only when no network is given.
    pub approximation: Approximation,
    /// Supply against need (`[access.capacity]`).
    pub capacity: supply::CapacitySettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            thresholds_min: vec![10.0, 20.0, 30.0],
            isochrone_min: 20.0,
            max_snap_m: 2_000.0,
            walk_kmh: 4.5,
            isochrone_cell_m: 100.0,
            isochrone_max_cells: 4_000_000,
            new_sites: 0,
            approximation: Approximation::default(),
            capacity: supply::CapacitySettings::default(),
        }
    }
}

impl Settings {
    // `!(x > 0.0)` is meant: unlike `x <= 0.0` it also refuses NaN.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    fn check(&self) -> Result<(), AccessError> {
        let bad = |m: &str| Err(AccessError::Settings(m.to_string()));
        if self.thresholds_min.iter().any(|t| !t.is_finite() || *t <= 0.0) || !(self.isochrone_min > 0.0) {
            return bad("thresholds must be > 0 minutes");
        }
        if !(self.walk_kmh > 0.0) || !(self.max_snap_m >= 0.0) || !(self.isochrone_cell_m > 0.0) {
            return bad("walk_kmh and isochrone_cell_m must be > 0, max_snap_m ≥ 0");
        }
        let a = &self.approximation;
        if !(a.detour >= 1.0) || !(a.urban_kmh > 0.0) || !(a.rural_kmh > 0.0) {
            return bad("approximation: detour must be ≥ 1 and speeds > 0");
        }
        if let Some((key, message)) = self.capacity.problems().into_iter().next() {
            return bad(&format!("capacity.{key}: {message}"));
        }
        Ok(())
    }
}

/// What the computation reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessInput<'a> {
    /// The road network; `None` selects the straight-line approximation.
    pub network: Option<&'a RoadNetwork>,
    /// The speed profile (required with a network).
    pub profile: Option<&'a SpeedProfile>,
    /// Existing sites.
    pub sites: &'a [Site],
    /// Where people live.
    pub points: &'a [PopulationPoint],
    /// Per-point siting weights (e.g. population × fragility); population when `None`.
    pub weights: Option<&'a [f64]>,
    /// Candidate locations for new sites.
    pub candidates: &'a [Site],
    /// Per-point area type for the approximation (`true` = urban); all rural when `None`.
    pub urban: Option<&'a [bool]>,
    /// People in need per point (e.g. population × the zone's estimated share of illectronisme)
    /// for the supply measures; the population when `None`.
    pub need: Option<&'a [f64]>,
    /// Group (EPCI code) of each point, for the equity of access per group.
    pub groups: Option<&'a [Option<String>]>,
}

/// How times were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Shortest paths over the road network.
    Network,
    /// Straight line × detour factor (no network configured).
    StraightLine,
}

impl Method {
    /// The name written in tables and GeoJSON metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Network => "network",
            Method::StraightLine => "straight_line_approximation",
        }
    }
}

/// One site (existing or candidate) with how it attached to the network and whom it serves.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteResult {
    /// The site as read.
    pub site: Site,
    /// Whether it was snapped (always true under the approximation).
    pub snapped: bool,
    /// Distance to the road it was snapped to (m).
    pub snap_m: Option<f64>,
    /// Population for which it is the nearest site.
    pub population_nearest: f64,
    /// Of which within the isochrone threshold.
    pub population_within: f64,
}

/// Milliseconds spent in each step (for logs and benchmarks).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timings {
    /// Profile applied, largest component, CSR, shape points contracted, segment R-tree.
    pub graph_ms: f64,
    /// Sites and points snapped, multi-source Dijkstra, point times.
    pub times_ms: f64,
    /// Isochrones.
    pub isochrones_ms: f64,
    /// Siting: candidates snapped and their coverage, greedy choice.
    pub siting_ms: f64,
    /// Each existing site's times to the points (coverage of each zone, supply measures).
    pub site_cover_ms: f64,
    /// Supply measures (2SFCA, E2SFCA, equity), capacity siting and the exact siting optimum.
    pub supply_ms: f64,
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "graph {:.0} ms, times {:.0} ms, isochrones {:.0} ms, siting {:.0} ms, site coverage {:.0} ms, supply {:.0} ms",
            self.graph_ms, self.times_ms, self.isochrones_ms, self.siting_ms, self.site_cover_ms, self.supply_ms
        )
    }
}

/// Everything the render stage needs.
#[derive(Debug, Clone)]
pub struct AccessOutput {
    /// How times were obtained.
    pub method: Method,
    /// French wording of the method for map notes and metadata; says "approximation" when it is one.
    pub method_label: String,
    /// Thresholds (minutes) of [`ZoneResult::share_within`].
    pub thresholds_min: Vec<f64>,
    /// Isochrone and siting threshold (minutes).
    pub isochrone_min: f64,
    /// Existing sites.
    pub sites: Vec<SiteResult>,
    /// Candidates (snapping info; population fields are zero).
    pub candidates: Vec<SiteResult>,
    /// One result per input point, in input order.
    pub points: Vec<PointResult>,
    /// One result per zone, in code order.
    pub zones: Vec<ZoneResult>,
    /// Service areas within `isochrone_min` (network method only).
    pub isochrones: Vec<Isochrone>,
    /// Raster cell used for the isochrones (m).
    pub isochrone_cell_m: f64,
    /// Chosen new sites, in order.
    pub siting: Vec<SitingChoice>,
    /// The exact optimum of the same siting problem, to measure the greedy's gap (when sites
    /// were chosen).
    pub siting_optimum: Option<SitingOptimum>,
    /// Supply against need.
    pub supply: supply::SupplyOutput,
    /// Share (0–1) of the population within `isochrone_min` before new sites.
    pub share_within_isochrone: f64,
    /// Graph statistics (network method only).
    pub network: Option<GraphReport>,
    /// Non-fatal findings, in English, for logs.
    pub warnings: Vec<String>,
    /// Time spent.
    pub timings: Timings,
}

/// The greedy siting against the exact optimum of the same problem.
#[derive(Debug, Clone, PartialEq)]
pub struct SitingOptimum {
    /// Weight the greedy choice brings within the threshold.
    pub greedy_weight: f64,
    /// The branch-and-bound result.
    pub optimum: optimum::Optimum,
}

impl SitingOptimum {
    /// The greedy's gap to the optimum (0–1): (optimum − greedy) / optimum; an upper bound on
    /// the gap when the optimum is not proven.
    pub fn gap(&self) -> f64 {
        let best = if self.optimum.proven { self.optimum.value } else { self.optimum.upper_bound };
        if best > 0.0 { ((best - self.greedy_weight) / best).max(0.0) } else { 0.0 }
    }
}

/// What one method (network or approximation) computes before the shared aggregation.
struct MethodRun {
    method: Method,
    label: String,
    points: Vec<PointResult>,
    sites: Vec<SiteResult>,
    candidates: Vec<SiteResult>,
    isochrones: Vec<Isochrone>,
    cell: f64,
    /// Candidates' coverage of the open points (siting).
    cover: Vec<Vec<u32>>,
    /// Existing sites' times to the points, up to the largest limit of the measures.
    site_times: capacity::SiteTimes,
    /// Candidates' times to the points within the threshold (capacity siting only).
    candidate_times: Option<capacity::SiteTimes>,
    network: Option<GraphReport>,
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

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
    let n = input.points.len();
    if input.weights.is_some_and(|w| w.len() != n) {
        return Err(AccessError::Input("weights and points differ in length".into()));
    }
    if input.urban.is_some_and(|u| u.len() != n) {
        return Err(AccessError::Input("urban flags and points differ in length".into()));
    }
    if input.need.is_some_and(|u| u.len() != n) || input.groups.is_some_and(|g| g.len() != n) {
        return Err(AccessError::Input("need or groups and points differ in length".into()));
    }
    let threshold_s = settings.isochrone_min * 60.0;
    let population: Vec<f64> = input.points.iter().map(|p| p.weight).collect();
    let weights: &[f64] = input.weights.unwrap_or(&population);
    let mut warnings = Vec::new();
    let mut timings = Timings::default();
    let run = match input.network {
        Some(net) => network_run(input, settings, net, &mut timings, &mut warnings)?,
        None => straight_line_run(input, settings, &mut timings, &mut warnings),
    };
    let MethodRun { method, label, points, mut sites, candidates, isochrones, cell, cover, site_times, candidate_times, network } = run;
    let unsnapped_sites = sites.iter().filter(|s| !s.snapped).count();
    if unsnapped_sites > 0 {
        warnings.push(format!("{unsnapped_sites} sites farther than {} m from any road were not used", settings.max_snap_m));
    }
    let beyond = points.iter().filter(|r| r.beyond_snap).count();
    if beyond > 0 {
        let pop: f64 = points.iter().zip(&population).filter(|(r, _)| r.beyond_snap).map(|(_, w)| w).sum();
        warnings.push(format!(
            "{beyond} population points ({pop:.0} people) farther than {} m from any road: counted as not served",
            settings.max_snap_m
        ));
    }
    let mut within = 0.0;
    for (r, w) in points.iter().zip(&population) {
        if let Some(s) = r.site {
            sites[s].population_nearest += w;
            if r.time_s.is_some_and(|t| t <= threshold_s) {
                sites[s].population_within += w;
                within += w;
            }
        }
    }
    let total: f64 = population.iter().sum();
    let t = Instant::now();
    let siting = siting::greedy(&cover, &population, weights, within, settings.new_sites.min(cover.len()));
    timings.siting_ms += ms(t);
    let site_cover: Vec<Vec<u32>> =
        site_times.lists.iter().map(|l| l.iter().filter(|(_, t)| *t <= threshold_s).map(|(p, _)| *p).collect()).collect();
    let mut zones = coverage::zone_results(input.points, &points, &settings.thresholds_min);
    coverage::attach_sites_within(&mut zones, input.points, &site_cover);
    let t = Instant::now();
    let siting_optimum = (!siting.is_empty()).then(|| {
        let start: Vec<usize> = siting.iter().map(|c| c.candidate).collect();
        SitingOptimum {
            greedy_weight: siting.iter().map(|c| c.gain_weight).sum(),
            optimum: optimum::max_coverage(&cover, weights, settings.new_sites, &start, settings.capacity.optimum_node_budget),
        }
    });
    if let Some(o) = &siting_optimum
        && !o.optimum.proven
    {
        warnings.push(format!(
            "siting optimum not proven within {} nodes: the greedy is within {:.1} % of it",
            settings.capacity.optimum_node_budget,
            o.gap() * 100.0
        ));
    }
    let supply = supply::measure(
        &supply::SupplyInput {
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

/// The largest time any measure needs from a site (seconds).
fn times_limit_s(settings: &Settings) -> f64 {
    let c = &settings.capacity;
    let decay = c.decay.iter().map(|d| d.0).fold(0.0, f64::max);
    settings.isochrone_min.max(decay).max(c.nearest_limit_min) * 60.0
}

/// Times over the road network.
fn network_run(
    input: &AccessInput,
    settings: &Settings,
    net: &RoadNetwork,
    timings: &mut Timings,
    warnings: &mut Vec<String>,
) -> Result<MethodRun, AccessError> {
    let walk_ms = settings.walk_kmh / 3.6;
    let threshold_s = settings.isochrone_min * 60.0;
    let profile = input.profile.ok_or_else(|| AccessError::Settings("a road network needs a speed profile".into()))?;
    let t = Instant::now();
    let graph = graph::Graph::build(net, profile)?;
    let snapper = snap::Snapper::new(&graph);
    timings.graph_ms = ms(t);
    let t = Instant::now();
    let times = coverage::network_times(&graph, &snapper, input.sites, input.points, settings.max_snap_m, walk_ms);
    timings.times_ms = ms(t);
    let t = Instant::now();
    let iso_settings = isochrone::IsochroneSettings {
        threshold_s,
        cell_m: settings.isochrone_cell_m,
        max_walk_m: settings.max_snap_m,
        walk_ms,
        max_cells: settings.isochrone_max_cells,
    };
    let (isochrones, cell) = isochrone::isochrones(&graph, &times.nodes, &iso_settings);
    if cell > settings.isochrone_cell_m {
        warnings.push(format!(
            "isochrone cell enlarged from {} m to {cell:.0} m to stay under {} cells",
            settings.isochrone_cell_m, settings.isochrone_max_cells
        ));
    }
    timings.isochrones_ms = ms(t);
    let t = Instant::now();
    let candidate_snaps: Vec<Option<snap::Snap>> =
        input.candidates.iter().map(|c| snapper.snap(c.position(), settings.max_snap_m, walk_ms)).collect();
    let open: Vec<bool> = times.points.iter().map(|r| r.time_s.is_none_or(|t| t > threshold_s)).collect();
    let cover = if settings.new_sites > 0 && !input.candidates.is_empty() {
        siting::network_coverage(&graph, &snapper, &candidate_snaps, &times.point_snaps, &open, threshold_s)
    } else {
        Vec::new()
    };
    let candidate_times = (settings.capacity.added_units > 0)
        .then(|| capacity::SiteTimes::network(&graph, &snapper, &candidate_snaps, &times.point_snaps, threshold_s));
    timings.siting_ms = ms(t);
    let t = Instant::now();
    let site_times = capacity::SiteTimes::network(&graph, &snapper, &times.site_snaps, &times.point_snaps, times_limit_s(settings));
    timings.site_cover_ms = ms(t);
    let result = |s: &Site, snap: Option<snap::Snap>| SiteResult {
        site: s.clone(),
        snapped: snap.is_some(),
        snap_m: snap.map(|x| x.distance_m),
        population_nearest: 0.0,
        population_within: 0.0,
    };
    let label = format!(
        "temps de trajet sur le réseau routier ({}, profil « {} »), plus le trajet à pied jusqu'à la route",
        net.source, profile.name
    );
    Ok(MethodRun {
        method: Method::Network,
        label,
        sites: input.sites.iter().zip(&times.site_snaps).map(|(s, snap)| result(s, *snap)).collect(),
        candidates: input.candidates.iter().zip(&candidate_snaps).map(|(s, snap)| result(s, *snap)).collect(),
        points: times.points,
        isochrones,
        cell,
        cover,
        site_times,
        candidate_times,
        network: Some(graph.report),
    })
}

/// Times under the labelled straight-line approximation.
fn straight_line_run(input: &AccessInput, settings: &Settings, timings: &mut Timings, warnings: &mut Vec<String>) -> MethodRun {
    let threshold_s = settings.isochrone_min * 60.0;
    let a = settings.approximation;
    let t = Instant::now();
    let points = approx::straight_line(input.sites, input.points, input.urban, &a);
    timings.times_ms = ms(t);
    let coords: Vec<[f64; 2]> = input.points.iter().map(PopulationPoint::position).collect();
    let speeds: Vec<f64> = (0..coords.len()).map(|p| a.speed_ms(input.urban.is_some_and(|u| u[p]))).collect();
    let open: Vec<bool> = points.iter().map(|r| r.time_s.is_none_or(|t| t > threshold_s)).collect();
    let t = Instant::now();
    let cover = if settings.new_sites > 0 {
        siting::straight_line_coverage(input.candidates, &coords, &speeds, a.detour, &open, threshold_s)
    } else {
        Vec::new()
    };
    let candidate_times = (settings.capacity.added_units > 0)
        .then(|| capacity::SiteTimes::straight_line(input.candidates, &coords, &speeds, a.detour, threshold_s));
    timings.siting_ms = ms(t);
    let t = Instant::now();
    let site_times = capacity::SiteTimes::straight_line(input.sites, &coords, &speeds, a.detour, times_limit_s(settings));
    timings.site_cover_ms = ms(t);
    let result = |s: &Site| SiteResult { site: s.clone(), snapped: true, snap_m: None, population_nearest: 0.0, population_within: 0.0 };
    warnings.push("no road network configured: times are a straight-line approximation".into());
    // Service areas of the approximation: discs, one per site (they overlap).
    let isochrones = input
        .sites
        .iter()
        .enumerate()
        .map(|(site, s)| isochrone::Isochrone {
            site,
            threshold_min: settings.isochrone_min,
            area: geo_types::MultiPolygon(vec![approx::disc(s.position(), threshold_s, &a)]),
        })
        .collect();
    MethodRun {
        method: Method::StraightLine,
        label: a.label(),
        points,
        sites: input.sites.iter().map(result).collect(),
        candidates: input.candidates.iter().map(result).collect(),
        isochrones,
        cell: 0.0,
        cover,
        site_times,
        candidate_times,
        network: None,
    }
}

/// A number the French way: decimal comma, no trailing zeros (`1,3`, `60`).
pub(crate) fn french_number(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{network, profile_10ms};
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
        assert_eq!(out.sites.iter().map(|s| s.population_nearest).sum::<f64>(), 25.0);
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
        assert_eq!(french_number(1.3), "1,3");
        assert_eq!(french_number(60.0), "60");
    }
}
