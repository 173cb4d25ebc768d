//! The two ways of obtaining travel times, each a `times` function that [`crate::compute`]
//! calls and whose [`MethodRun`] it then aggregates the same way:
//!
//! - [`network::times`]: shortest paths over the road network (snapping, contracted Dijkstra,
//!   isochrones, bounded searches from sites and candidates);
//! - [`straight_line::times`]: the labelled straight-line approximation ([`crate::approx`]).

pub(crate) mod network;
pub(crate) mod straight_line;

use std::time::Instant;

use crate::capacity::SiteTimes;
use crate::coverage::PointResult;
use crate::graph::GraphReport;
use crate::isochrone::Isochrone;
use crate::output::{Method, SiteResult};

/// What one method computes before the shared aggregation.
pub(crate) struct MethodRun {
    pub(crate) method: Method,
    /// French wording of the method ([`crate::AccessOutput::method_label`]).
    pub(crate) label: String,
    pub(crate) points: Vec<PointResult>,
    pub(crate) sites: Vec<SiteResult>,
    pub(crate) candidates: Vec<SiteResult>,
    pub(crate) isochrones: Vec<Isochrone>,
    /// Raster cell of the isochrones (m); 0 when they are not rasterised.
    pub(crate) cell: f64,
    /// Candidates' coverage of the open points (siting).
    pub(crate) cover: Vec<Vec<u32>>,
    /// Existing sites' times to the points, up to the largest limit of the measures.
    pub(crate) site_times: SiteTimes,
    /// Candidates' times to the points within the threshold (capacity siting only).
    pub(crate) candidate_times: Option<SiteTimes>,
    pub(crate) network: Option<GraphReport>,
}

/// Milliseconds since `t`.
pub(crate) fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}
