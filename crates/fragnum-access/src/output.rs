//! What [`crate::compute`] returns: [`AccessOutput`] and its parts that no other module owns
//! (the [`Method`], per-site results, the siting optimum, timings).

use fragnum_core::sites::Site;

use crate::coverage::{PointResult, ZoneResult};
use crate::graph::GraphReport;
use crate::isochrone::Isochrone;
use crate::optimum::Optimum;
use crate::siting::SitingChoice;
use crate::supply::SupplyOutput;

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
    pub supply: SupplyOutput,
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
    pub optimum: Optimum,
}

impl SitingOptimum {
    /// The greedy's gap to the optimum (0–1): (optimum − greedy) / optimum; an upper bound on
    /// the gap when the optimum is not proven.
    pub fn gap(&self) -> f64 {
        let best = if self.optimum.proven { self.optimum.value } else { self.optimum.upper_bound };
        if best > 0.0 { ((best - self.greedy_weight) / best).max(0.0) } else { 0.0 }
    }
}
