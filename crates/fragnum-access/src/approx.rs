//! The explicitly labelled fallback when no road network is configured: straight-line distance ×
//! a detour factor, at a speed that depends on the area type (urban or rural).
//!
//! It gives a territory without road data a first map. Every output made this way must say so;
//! [`crate::AccessOutput::method_label`] carries the wording ([`Approximation::label`]), with the
//! error measured by the calibration when the calibrated defaults are used
//! ([`Approximation::calibration`]).

use fragnum_core::network::{METRES_PER_DEGREE, haversine_m};
use fragnum_core::sites::{PopulationPoint, Site};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Deserialize;

use fragnum_core::geometry::LocalProjection;

use crate::coverage::PointResult;

/// Parameters of the approximation (`[access.approximation]`). Unset keys take the calibrated
/// defaults ([`Approximation::CALIBRATED`]).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Approximation {
    /// Road distance / straight-line distance to the nearest site.
    pub detour: f64,
    /// Speed in urban areas, km/h.
    pub urban_kmh: f64,
    /// Speed in rural areas, km/h.
    pub rural_kmh: f64,
}

/// How the calibrated defaults were obtained and how far they fall from network times.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Mean absolute error of the time to the nearest site (minutes), on held-out origins.
    pub mean_abs_error_min: f64,
    /// Mean signed error (minutes), approximation minus network: below 0, times are understated.
    pub mean_error_min: f64,
    /// Mean absolute difference of the share of origins within 20 minutes per 5 km square zone
    /// (percentage points).
    pub share_within_20_error_points: f64,
    /// What the values were fitted on, in French, as it reads after « calée sur » in labels.
    pub fitted_on: String,
}

/// Held-out errors of [`Approximation::CALIBRATED`] (pooled over both extracts, 8,000 origins),
/// printed by `make calibrate`.
const CALIBRATED_MEAN_ABS_ERROR_MIN: f64 = 5.30;
const CALIBRATED_MEAN_ERROR_MIN: f64 = -2.38;
const CALIBRATED_SHARE_WITHIN_20_ERROR_POINTS: f64 = 22.7;
const CALIBRATED_ON: &str = "les réseaux routiers d'Andorre et du Liechtenstein";

/// The walking detour measured on the Grenoble street graph (`make calibrate`: least absolute
/// deviations of path length on straight-line distance, 1.35; held-out error 0.7 min): the
/// walking mode's straight line ([`crate::modes::walking_settings`]) and the transit legs.
pub const WALK_DETOUR: f64 = 1.35;

impl Default for Approximation {
    /// The calibrated values, [`Approximation::CALIBRATED`].
    fn default() -> Self {
        Approximation::CALIBRATED
    }
}

impl Approximation {
    /// The values fitted by `make calibrate` (`crates/fragnum-access/examples/calibrate_approx.rs`)
    /// on the OpenStreetMap car networks of Andorra (2023) and Liechtenstein (2015), mountain
    /// valleys standing in for Savoie, with the car profile: pseudo-random origins within 250 m
    /// of a road, network time and path length to the nearest `townhall`/`post_office`; the detour
    /// is the least-absolute-deviations fit of path length on straight-line distance, each speed
    /// that of time on path length; urban means ≥ 75 road junctions within 1 km. Fitted on one
    /// half of the origins, errors measured on the other ([`Approximation::calibration`]).
    /// Urban is faster than rural there: the dense parts are valley floors on main roads, the
    /// sparse ones mountain roads and tracks, and the profile has no congestion. The former
    /// values (1.3, 30 and 60 km/h) were off by 8.5 minutes on average, 7.7 too short.
    pub const CALIBRATED: Approximation = Approximation { detour: 1.97, urban_kmh: 46.0, rural_kmh: 41.0 };

    /// The calibration behind these values: `Some` only for the calibrated defaults (a config
    /// that sets its own detour or speeds gets `None`, since its error is unknown).
    pub fn calibration(&self) -> Option<Calibration> {
        (*self == Approximation::CALIBRATED).then(|| Calibration {
            mean_abs_error_min: CALIBRATED_MEAN_ABS_ERROR_MIN,
            mean_error_min: CALIBRATED_MEAN_ERROR_MIN,
            share_within_20_error_points: CALIBRATED_SHARE_WITHIN_20_ERROR_POINTS,
            fitted_on: CALIBRATED_ON.to_string(),
        })
    }

    /// The French wording of the method for map notes and fact sheets, with the calibration's
    /// mean error when there is one.
    ///
    /// ```
    /// let label = fragnum_access::Approximation::default().label();
    /// assert!(label.starts_with("approximation sans réseau routier : distance à vol d'oiseau × 1,97"));
    /// ```
    pub fn label(&self) -> String {
        use std::fmt::Write as _;
        // One speed at walking pace: the walking mode's straight line (crate::modes).
        if self.is_walking() {
            let mut label = format!(
                "à pied, sans réseau de rues : distance à vol d'oiseau × {} à {} km/h",
                french_number(self.detour),
                french_number(self.urban_kmh)
            );
            if self.detour == WALK_DETOUR {
                label.push_str(" (détour calé sur les rues du centre de Grenoble : erreur moyenne 0,7 min)");
            }
            return label;
        }
        let mut label = format!(
            "approximation sans réseau routier : distance à vol d'oiseau × {} à {} km/h en zone urbaine, {} km/h en zone rurale",
            french_number(self.detour),
            french_number(self.urban_kmh),
            french_number(self.rural_kmh)
        );
        if let Some(c) = self.calibration() {
            // Writing to a String cannot fail.
            let _ = write!(
                label,
                " (calée sur {} : erreur moyenne {} min, {} points sur la part à moins de 20 minutes d'un carré de 5 km)",
                c.fitted_on,
                french_number((c.mean_abs_error_min * 10.0).round() / 10.0),
                french_number(c.share_within_20_error_points.round())
            );
        }
        label
    }

    /// One speed, at walking pace: the walking mode's straight line.
    // Both speeds are copied from one `walk_kmh` there: exact equality is what says "one speed".
    #[allow(clippy::float_cmp)]
    fn is_walking(&self) -> bool {
        self.urban_kmh == self.rural_kmh && self.urban_kmh <= 7.0
    }

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
/// // 10 km × 1.97 at 41 km/h (the calibrated rural speed) ≈ 28.85 min
/// assert!((r[0].time_s.unwrap() / 60.0 - 28.85).abs() < 0.05);
/// ```
pub fn straight_line(sites: &[Site], points: &[PopulationPoint], urban: Option<&[bool]>, a: &Approximation) -> Vec<PointResult> {
    let all: Vec<[f64; 2]> = sites.iter().map(Site::position).chain(points.iter().map(PopulationPoint::position)).collect();
    let projection = LocalProjection::metres_around(&all);
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
/// // 41 km/h × 20 min / 1.97 ≈ 6.94 km ≈ 0.0624° of latitude
/// let top = d.exterior().0.iter().map(|c| c.y).fold(f64::MIN, f64::max);
/// assert!((top - 45.0 - 0.0624).abs() < 1e-4);
/// ```
pub fn disc(centre: [f64; 2], threshold_s: f64, a: &Approximation) -> geo_types::Polygon<f64> {
    const SIDES: usize = 64;
    let radius_m = a.speed_ms(false) * threshold_s / a.detour;
    let dlat = radius_m / METRES_PER_DEGREE;
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

/// A number the French way: decimal comma, no trailing zeros (`1,3`, `60`), for the method labels.
pub(crate) fn french_number(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_calibrated_values_and_carry_their_calibration() {
        let a = Approximation::default();
        assert_eq!(a, Approximation::CALIBRATED);
        assert_eq!((a.detour, a.urban_kmh, a.rural_kmh), (1.97, 46.0, 41.0));
        let c = a.calibration().unwrap();
        assert!((c.mean_abs_error_min - 5.30).abs() < 1e-12);
        assert!(c.mean_error_min < 0.0);
        assert!((c.share_within_20_error_points - 22.7).abs() < 1e-12);
        assert!(c.fitted_on.contains("Andorre") && c.fitted_on.contains("Liechtenstein"));
    }

    #[test]
    fn own_values_have_no_calibration() {
        let own = Approximation { detour: 1.3, urban_kmh: 30.0, rural_kmh: 60.0 };
        assert_eq!(own.calibration(), None);
        // Changing one value is enough to lose the calibration.
        assert_eq!(Approximation { rural_kmh: 42.0, ..Approximation::default() }.calibration(), None);
    }

    #[test]
    fn toml_keys_are_unchanged() {
        let parse = |t: &str| toml::from_str::<Approximation>(t);
        assert_eq!(parse("").unwrap(), Approximation::CALIBRATED);
        assert!(parse("").unwrap().calibration().is_some());
        // The calibrated values written out are the calibrated values.
        assert!(parse("detour = 1.97\nurban_kmh = 46\nrural_kmh = 41\n").unwrap().calibration().is_some());
        let partial = parse("urban_kmh = 30\n").unwrap();
        assert_eq!((partial.detour, partial.urban_kmh, partial.rural_kmh), (1.97, 30.0, 41.0));
        assert_eq!(partial.calibration(), None);
        let old = parse("detour = 1.3\nurban_kmh = 30\nrural_kmh = 60\n").unwrap();
        assert_eq!(old, Approximation { detour: 1.3, urban_kmh: 30.0, rural_kmh: 60.0 });
        assert!(parse("detour = 1.3\naccess_min = 2\n").is_err());
    }

    #[test]
    fn label_states_values_and_error_in_french() {
        assert_eq!(
            Approximation::default().label(),
            "approximation sans réseau routier : distance à vol d'oiseau × 1,97 à 46 km/h en zone urbaine, 41 km/h en zone rurale \
             (calée sur les réseaux routiers d'Andorre et du Liechtenstein : erreur moyenne 5,3 min, 23 points sur la part à \
             moins de 20 minutes d'un carré de 5 km)"
        );
        assert_eq!(
            Approximation { detour: 1.3, urban_kmh: 30.0, rural_kmh: 60.0 }.label(),
            "approximation sans réseau routier : distance à vol d'oiseau × 1,3 à 30 km/h en zone urbaine, 60 km/h en zone rurale"
        );
        assert_eq!(Approximation { detour: 1.25, urban_kmh: 32.5, rural_kmh: 55.0 }.label().matches(',').count(), 3);
        assert_eq!((french_number(1.3), french_number(60.0)), ("1,3".to_string(), "60".to_string()));
    }

    #[test]
    fn straight_line_uses_the_speed_of_each_area_type() {
        let sites = [Site::new("a", "", "k", 5.0, 45.0)];
        let point = PopulationPoint { lon: 5.0, lat: 45.09, weight: 1.0, zone: None };
        let people = [point.clone(), point];
        let a = Approximation::default();
        let r = straight_line(&sites, &people, Some(&[true, false]), &a);
        let d = haversine_m(people[0].position(), sites[0].position());
        assert!((r[0].time_s.unwrap() - d * 1.97 / (46.0 / 3.6)).abs() < 1e-6);
        assert!((r[1].time_s.unwrap() - d * 1.97 / (41.0 / 3.6)).abs() < 1e-6);
    }
}
