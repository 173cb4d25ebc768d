//! Travel modes: the car (the road network, or its calibrated straight-line approximation),
//! walking (the street network with a walk profile, or a straight line at walking speed) and
//! public transport (RAPTOR on a GTFS timetable, walking to and from the stops), and what maps
//! and sheets need of each: the share of the population within the thresholds, zone by zone.

use fragnum_core::sites::PopulationPoint;
use serde::Deserialize;

use crate::coverage::{PointResult, ZoneResult, zone_results};
use crate::transit::{TransitResult, TransitSettings};
use crate::{Approximation, Settings};

/// A way of travelling to a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// By car: the configured road network, or the calibrated straight-line approximation.
    Car,
    /// On foot: the road network with the walk profile, or a straight line at walking speed.
    Walk,
    /// By public transport, walking to the first stop and from the last one.
    Transit,
}

impl Mode {
    /// The name written in tables (`mode` column) and configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Car => "car",
            Mode::Walk => "walk",
            Mode::Transit => "transit",
        }
    }

    /// How French sentences say it (« à moins de 20 minutes à pied »).
    pub fn phrase_fr(self) -> &'static str {
        match self {
            Mode::Car => "en voiture",
            Mode::Walk => "à pied",
            Mode::Transit => "en transports en commun",
        }
    }

    /// Suffix of output files and map layers: the car keeps the historical names.
    pub fn suffix(self) -> &'static str {
        match self {
            Mode::Car => "",
            Mode::Walk => "_walk",
            Mode::Transit => "_transit",
        }
    }
}

/// The walking detour measured on the Grenoble street graph (`make calibrate`: least absolute
/// deviations of path length on straight-line distance, 1.35; held-out error 0.7 min).
pub const WALK_DETOUR: f64 = 1.35;

/// Settings of the walking run, from the car's: the straight line at walking speed with the
/// measured detour when there is no street network, and neither new sites nor capacity siting
/// (those answer the main mode's question).
pub fn walking_settings(base: &Settings) -> Settings {
    let mut s = base.clone();
    s.approximation = Approximation { detour: WALK_DETOUR, urban_kmh: base.walk_kmh, rural_kmh: base.walk_kmh };
    s.new_sites = 0;
    s.capacity.added_units = 0;
    s
}

/// One mode's results per zone, for maps and sheets.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeZones {
    /// The mode.
    pub mode: Mode,
    /// French wording of how times were obtained.
    pub method_label: String,
    /// Thresholds (minutes) of [`ZoneResult::share_within`].
    pub thresholds_min: Vec<f64>,
    /// One per zone, in code order.
    pub zones: Vec<ZoneResult>,
}

/// Per point and per zone results of a transit computation: a point's time is its median over
/// the departure window (as R5 reports), its nearest site is not known (`site` is `None`).
pub fn transit_results(points: &[PopulationPoint], result: &TransitResult, thresholds_min: &[f64]) -> (Vec<PointResult>, Vec<ZoneResult>) {
    let per_point: Vec<PointResult> =
        result.points.iter().map(|t| PointResult { time_s: t.median_s, site: None, snap_m: None, beyond_snap: false }).collect();
    let zones = zone_results(points, &per_point, thresholds_min);
    (per_point, zones)
}

/// Shares (0–1) of each zone's population within `threshold_min` by walking alone (the
/// transit computation's direct walk), in the order of [`transit_results`]' zones.
pub fn walk_only_shares(points: &[PopulationPoint], result: &TransitResult, zones: &[ZoneResult], threshold_min: f64) -> Vec<f64> {
    let per_point: Vec<PointResult> =
        result.points.iter().map(|t| PointResult { time_s: t.walk_only_s, site: None, snap_m: None, beyond_snap: false }).collect();
    let walk = zone_results(points, &per_point, &[threshold_min]);
    zones.iter().map(|z| walk.iter().find(|w| w.zone == z.zone).map_or(0.0, |w| w.share_within[0])).collect()
}

/// French wording of the transit method for map notes and sheets.
///
/// ```
/// let s = fragnum_access::transit::TransitSettings::default();
/// let label = fragnum_access::modes::transit_label("SEM-GTFS.zip", "2023-04-18", &s);
/// assert!(label.contains("médiane des départs de 09:00 à 10:00"), "{label}");
/// ```
pub fn transit_label(feed: &str, date: &str, s: &TransitSettings) -> String {
    format!(
        "transports en commun (horaires GTFS {feed}, {date}) : médiane des départs de {} à {}, toutes les {} s, au plus {} correspondances ; \
         marche à vol d'oiseau × {} à {} km/h jusqu'aux arrêts (au plus {} m) et depuis eux",
        s.departure_from,
        s.departure_to,
        s.departure_step_s,
        s.max_transfers,
        crate::french_number(s.walk_detour),
        crate::french_number(s.walk_kmh),
        crate::french_number(s.max_walk_m)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walking_takes_the_walking_speed_and_no_siting() {
        let base = Settings { new_sites: 3, walk_kmh: 5.0, ..Settings::default() };
        let w = walking_settings(&base);
        assert_eq!((w.approximation.urban_kmh, w.approximation.rural_kmh, w.approximation.detour), (5.0, 5.0, WALK_DETOUR));
        assert_eq!(w.new_sites, 0);
        assert!(w.approximation.label().contains("à pied"), "{}", w.approximation.label());
        assert_eq!(Mode::Transit.suffix(), "_transit");
        let parsed: Vec<Mode> = toml::from_str::<std::collections::BTreeMap<String, Vec<Mode>>>("m = ['car', 'walk', 'transit']").unwrap()["m"].clone();
        assert_eq!(parsed, [Mode::Car, Mode::Walk, Mode::Transit]);
    }
}
