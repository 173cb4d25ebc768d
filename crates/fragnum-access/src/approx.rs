//! The explicitly labelled fallback when no road network is configured: straight-line distance ×
//! a detour factor, at a speed that depends on the area type (urban or rural).
//!
//! It gives a territory without road data a first map. Every output made this way must say so;
//! [`crate::AccessOutput::method_label`] carries the wording.

use fragnum_core::network::haversine_m;
use fragnum_core::sites::{PopulationPoint, Site};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Deserialize;

use crate::coverage::PointResult;
use crate::graph::Projection;

/// Parameters of the approximation (`[access.approximation]`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Approximation {
    /// Road distance / straight-line distance (1.3 is a common French average by road).
    pub detour: f64,
    /// Speed in urban areas, km/h.
    pub urban_kmh: f64,
    /// Speed in rural areas, km/h.
    pub rural_kmh: f64,
}

impl Default for Approximation {
    fn default() -> Self {
        Approximation { detour: 1.3, urban_kmh: 30.0, rural_kmh: 60.0 }
    }
}

impl Approximation {
    /// Speed (m/s) for a point.
    pub fn speed_ms(&self, urban: bool) -> f64 {
        (if urban { self.urban_kmh } else { self.rural_kmh }) / 3.6
    }
}

/// Time to the nearest site for each point. `urban[p]` says the point's area type (all rural
/// when `None`). The nearest site is the nearest in straight line (same detour and speed for all
/// sites of a point).
///
/// ```
/// use fragnum_core::sites::{PopulationPoint, Site};
/// use fragnum_access::approx::{straight_line, Approximation};
/// let sites = [Site::new("a", "", "k", 5.0, 45.0)];
/// let people = [PopulationPoint { lon: 5.0, lat: 45.09, weight: 1.0, zone: None }];
/// let r = straight_line(&sites, &people, None, &Approximation::default());
/// // 10 km × 1.3 at 60 km/h = 13 min
/// assert!((r[0].time_s.unwrap() / 60.0 - 13.0).abs() < 0.1);
/// ```
pub fn straight_line(sites: &[Site], points: &[PopulationPoint], urban: Option<&[bool]>, a: &Approximation) -> Vec<PointResult> {
    let all: Vec<[f64; 2]> = sites.iter().map(Site::position).chain(points.iter().map(PopulationPoint::position)).collect();
    let projection = Projection::around(&all);
    let tree = RTree::bulk_load(sites.iter().enumerate().map(|(i, s)| GeomWithData::new(projection.forward(s.position()), i)).collect());
    points
        .par_iter()
        .enumerate()
        .map(|(p, point)| {
            let Some(nearest) = tree.nearest_neighbor(&projection.forward(point.position())) else { return PointResult::default() };
            let site = nearest.data;
            let d = haversine_m(point.position(), sites[site].position());
            let speed = a.speed_ms(urban.is_some_and(|u| u.get(p).copied().unwrap_or(false)));
            PointResult { time_s: Some(d * a.detour / speed), site: Some(site), snap_m: None, beyond_snap: false }
        })
        .collect()
}

/// The approximation's service area of a site: a disc of radius `speed × threshold / detour`
/// at the rural speed (an outer bound: urban points are slower), as a 64-sided polygon in lon/lat
/// (longitudes stretched by 1 / cos latitude). Labelled as an approximation wherever it is written.
///
/// ```
/// use fragnum_access::approx::{disc, Approximation};
/// let d = disc([6.0, 45.0], 20.0 * 60.0, &Approximation::default());
/// // 60 km/h × 20 min / 1.3 ≈ 15.4 km ≈ 0.138° of latitude
/// let top = d.exterior().0.iter().map(|c| c.y).fold(f64::MIN, f64::max);
/// assert!((top - 45.0 - 0.1384).abs() < 1e-3);
/// ```
pub fn disc(centre: [f64; 2], threshold_s: f64, a: &Approximation) -> geo_types::Polygon<f64> {
    const SIDES: usize = 64;
    let radius_m = a.speed_ms(false) * threshold_s / a.detour;
    let dlat = radius_m / fragnum_core::network::METRES_PER_DEGREE;
    let dlon = dlat / centre[1].to_radians().cos().max(1e-6);
    let mut ring: Vec<geo_types::Coord<f64>> = (0..SIDES)
        .map(|k| {
            let angle = std::f64::consts::TAU * k as f64 / SIDES as f64;
            geo_types::Coord { x: centre[0] + dlon * angle.cos(), y: centre[1] + dlat * angle.sin() }
        })
        .collect();
    ring.push(ring[0]);
    geo_types::Polygon::new(geo_types::LineString(ring), Vec::new())
}
