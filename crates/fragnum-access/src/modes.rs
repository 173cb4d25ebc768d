//! Travel modes: the car (the road network, or its calibrated straight-line approximation),
//! walking (the street network with a walk profile, or a straight line at walking speed) and
//! public transport (RAPTOR on a GTFS timetable, walking to and from the stops), and what maps
//! and sheets need of each: the share of the population within the thresholds, zone by zone.

use fragnum_core::network::RoadNetwork;
use fragnum_core::sites::{PopulationPoint, Site};
use fragnum_core::transit::{Seconds, Timetable};
use serde::Deserialize;

use crate::approx::{Approximation, french_number};
use crate::capacity::SiteTimes;
use crate::coverage::{PointResult, ZoneResult, network_times, zone_results};
use crate::error::AccessError;
use crate::graph::Graph;
use crate::input::Settings;
use crate::profile::SpeedProfile;
use crate::snap::{Snap, Snapper};
use crate::transit::{Legs, TransitResult, TransitSettings};

/// The walking detour; defined with the approximation it parameterises.
pub use crate::approx::WALK_DETOUR;

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
    let by_zone: std::collections::BTreeMap<&fragnum_core::ZoneCode, f64> = walk.iter().map(|w| (&w.zone, w.share_within[0])).collect();
    zones.iter().map(|z| by_zone.get(&z.zone).copied().unwrap_or(0.0)).collect()
}

/// Walking legs of the transit computation over a street network (with a walk profile): from
/// each origin to the stops within `settings.max_walk_m` of walking (the straight-line limit
/// turned into a time at `walk_kmh` × `walk_detour`, as the straight-line legs use), from stops to
/// each site within the same time, and each origin's walk to its nearest site. Origins, sites
/// and stops farther than `max_snap_m` from the network get no leg. Changes between stops keep
/// their straight-line walks ([`crate::transit::Footpaths::straight_line`]): they are short and
/// `transfers.txt` rules are written on them.
pub fn network_legs(
    net: &RoadNetwork,
    profile: &SpeedProfile,
    timetable: &Timetable,
    points: &[PopulationPoint],
    sites: &[Site],
    settings: &TransitSettings,
    max_snap_m: f64,
) -> Result<Legs, AccessError> {
    let graph = Graph::build(net, profile)?;
    let snapper = Snapper::new(&graph);
    let walk_ms = settings.walk_kmh / 3.6;
    let snap_all =
        |positions: Vec<[f64; 2]>| -> Vec<Option<Snap>> { positions.into_iter().map(|p| snapper.snap(p, max_snap_m, walk_ms)).collect() };
    let origin_snaps = snap_all(points.iter().map(PopulationPoint::position).collect());
    let site_snaps = snap_all(sites.iter().map(Site::position).collect());
    let stop_snaps = snap_all(timetable.stops.iter().map(|s| [s.lon, s.lat]).collect());
    let limit_s = f64::from(settings.walk_s(settings.max_walk_m));
    let seconds = |t: f64| t.round() as Seconds;
    // SiteTimes::network gives, per "site", the points that reach it: stops as sites give each
    // stop the origins that walk to it, turned round into per-origin lists.
    let to_stops = SiteTimes::network(&graph, &snapper, &stop_snaps, &origin_snaps, limit_s);
    let mut access: Vec<Vec<(u32, Seconds)>> = vec![Vec::new(); points.len()];
    for (stop, list) in to_stops.lists.iter().enumerate() {
        for &(origin, t) in list {
            access[origin as usize].push((stop as u32, seconds(t)));
        }
    }
    let egress = SiteTimes::network(&graph, &snapper, &site_snaps, &stop_snaps, limit_s)
        .lists
        .into_iter()
        .map(|list| list.into_iter().map(|(stop, t)| (stop, seconds(t))).collect())
        .collect();
    let nearest = network_times(&graph, &snapper, sites, points, max_snap_m, walk_ms);
    let direct = nearest.points.iter().map(|r| r.time_s.map(seconds)).collect();
    Ok(Legs { access, egress, direct })
}

/// French wording of the transit method for map notes and sheets.
///
/// ```
/// let s = fragnum_access::transit::TransitSettings::default();
/// let label = fragnum_access::modes::transit_label("SEM-GTFS.zip", "2023-04-18", &s, None);
/// assert!(label.contains("médiane des départs de 09:00 à 10:00"), "{label}");
/// ```
/// `streets` names the street network of the walking legs ([`network_legs`]), `None` for
/// straight-line legs.
pub fn transit_label(feed: &str, date: &str, s: &TransitSettings, streets: Option<&str>) -> String {
    let walks = match streets {
        Some(net) => format!(
            "marche sur le réseau de rues ({net}, profil à pied) jusqu'aux arrêts et depuis eux (au plus {} min)",
            french_number((f64::from(s.walk_s(s.max_walk_m)) / 60.0).round())
        ),
        None => format!(
            "marche à vol d'oiseau × {} à {} km/h jusqu'aux arrêts (au plus {} m) et depuis eux",
            french_number(s.walk_detour),
            french_number(s.walk_kmh),
            french_number(s.max_walk_m)
        ),
    };
    format!(
        "transports en commun (horaires GTFS {feed}, {date}) : médiane des départs de {} à {}, toutes les {} s, au plus {} correspondances ; {walks}",
        s.departure_from, s.departure_to, s.departure_step_s, s.max_transfers,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{network, profile_10ms};
    use fragnum_core::transit::{Date, FeedInfo, Stop};

    #[test]
    fn network_legs_follow_the_streets() {
        // one straight street of 4 nodes 100 m apart (east–west, ~0.00127° at 45° N); a stop
        // at its second node, a site at its last, an origin at its first
        let spacing = 0.001_27;
        let pts: Vec<[f64; 2]> = (0..4).map(|i| [5.0 + spacing * f64::from(i), 45.0]).collect();
        let net = network(&pts, &[(0, 1, 100.0, true), (1, 2, 100.0, true), (2, 3, 100.0, true)]);
        let stop = Stop { id: "A".into(), name: "A".into(), lon: pts[1][0], lat: 45.0, station: None };
        let tt = Timetable {
            date: Date::new(2023, 4, 18).unwrap(),
            feed: FeedInfo::default(),
            stops: vec![stop],
            stations: vec![],
            routes: vec![],
            patterns: vec![],
            transfers: vec![],
        };
        let points = [PopulationPoint { lon: pts[0][0], lat: 45.0, weight: 1.0, zone: None }];
        let sites = [Site::new("s", "", "k", pts[3][0], 45.0)];
        // the profile drives at 10 m/s: 100 m take 10 s
        let legs = network_legs(&net, &profile_10ms(), &tt, &points, &sites, &TransitSettings::default(), 50.0).unwrap();
        assert_eq!(legs.access[0].len(), 1);
        assert!((f64::from(legs.access[0][0].1) - 10.0).abs() <= 1.0, "{legs:?}");
        assert!((f64::from(legs.egress[0][0].1) - 20.0).abs() <= 1.0, "{legs:?}");
        assert!((f64::from(legs.direct[0].unwrap()) - 30.0).abs() <= 1.0, "{legs:?}");
    }

    #[test]
    fn walking_takes_the_walking_speed_and_no_siting() {
        let base = Settings { new_sites: 3, walk_kmh: 5.0, ..Settings::default() };
        let w = walking_settings(&base);
        assert_eq!((w.approximation.urban_kmh, w.approximation.rural_kmh, w.approximation.detour), (5.0, 5.0, WALK_DETOUR));
        assert_eq!(w.new_sites, 0);
        assert!(w.approximation.label().contains("à pied"), "{}", w.approximation.label());
        assert_eq!(Mode::Transit.suffix(), "_transit");
        let parsed: Vec<Mode> =
            toml::from_str::<std::collections::BTreeMap<String, Vec<Mode>>>("m = ['car', 'walk', 'transit']").unwrap()["m"].clone();
        assert_eq!(parsed, [Mode::Car, Mode::Walk, Mode::Transit]);
    }
}
