//! What [`crate::compute`] reads: the data ([`AccessInput`]) and the settings ([`Settings`]).

use fragnum_core::network::RoadNetwork;
use fragnum_core::sites::{PopulationPoint, Site};
use serde::Deserialize;

use crate::approx::Approximation;
use crate::error::AccessError;
use crate::profile::SpeedProfile;
use crate::supply::CapacitySettings;

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
    pub capacity: CapacitySettings,
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
            capacity: CapacitySettings::default(),
        }
    }
}

impl Settings {
    /// Refuses settings the computation cannot run with.
    // `!(x > 0.0)` is meant: unlike `x <= 0.0` it also refuses NaN.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub(crate) fn check(&self) -> Result<(), AccessError> {
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

    /// The isochrone (and siting) threshold in seconds.
    pub(crate) fn threshold_s(&self) -> f64 {
        self.isochrone_min * 60.0
    }

    /// The largest time any measure needs from a site (seconds).
    pub(crate) fn times_limit_s(&self) -> f64 {
        let c = &self.capacity;
        let decay = c.decay.iter().map(|d| d.0).fold(0.0, f64::max);
        self.isochrone_min.max(decay).max(c.nearest_limit_min) * 60.0
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

impl AccessInput<'_> {
    /// Refuses per-point arrays that do not have one value per point.
    pub(crate) fn check(&self) -> Result<(), AccessError> {
        let n = self.points.len();
        if self.weights.is_some_and(|w| w.len() != n) {
            return Err(AccessError::Input("weights and points differ in length".into()));
        }
        if self.urban.is_some_and(|u| u.len() != n) {
            return Err(AccessError::Input("urban flags and points differ in length".into()));
        }
        if self.need.is_some_and(|u| u.len() != n) || self.groups.is_some_and(|g| g.len() != n) {
            return Err(AccessError::Input("need or groups and points differ in length".into()));
        }
        Ok(())
    }
}
