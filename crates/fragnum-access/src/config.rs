//! The `[access]` config section as the CLI stage reads it: file paths (resolved by the caller
//! against the config folder) and the computation [`Settings`]. Unknown keys are refused.

use std::path::PathBuf;

use serde::Deserialize;

use crate::approx::Approximation;
use crate::error::AccessError;
use crate::input::Settings;
use crate::modes::Mode;
use crate::supply::CapacitySettings;
use crate::transit::TransitSettings;

/// The `[access]` section.
///
/// ```
/// let c: fragnum_access::config::AccessConfig = toml::from_str(
///     "sites = 's.csv'\nnetwork = 'roads.geojson'\nprofile = 'profiles/car.toml'\nnew_sites = 3\n",
/// ).unwrap();
/// assert_eq!(c.settings().new_sites, 3);
/// assert_eq!(c.settings().thresholds_min, [10.0, 20.0, 30.0]);
/// assert!(toml::from_str::<fragnum_access::config::AccessConfig>("sites = 's.csv'\nnetwrok = 'r'\n").is_err());
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    /// Sites CSV.
    pub sites: PathBuf,
    /// Kinds of sites kept (all when empty).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Road network (`.osm.pbf`, or road lines as `.shp` or GeoJSON); absent → straight-line
    /// approximation.
    pub network: Option<PathBuf>,
    /// Speed profile TOML (required with a network).
    pub profile: Option<PathBuf>,
    /// Candidate locations CSV for siting.
    pub candidates: Option<PathBuf>,
    /// Population grid CSVs; absent → points inside zones.
    #[serde(default)]
    pub population_grid: Vec<PathBuf>,
    /// Approximation only: a zone is urban from this many people per km².
    #[serde(default = "default_density")]
    pub urban_density_km2: f64,
    /// See [`Settings::thresholds_min`].
    pub thresholds_min: Option<Vec<f64>>,
    /// See [`Settings::isochrone_min`].
    pub isochrone_min: Option<f64>,
    /// See [`Settings::max_snap_m`].
    pub max_snap_m: Option<f64>,
    /// See [`Settings::walk_kmh`].
    pub walk_kmh: Option<f64>,
    /// See [`Settings::isochrone_cell_m`].
    pub isochrone_cell_m: Option<f64>,
    /// See [`Settings::isochrone_max_cells`].
    pub isochrone_max_cells: Option<usize>,
    /// See [`Settings::new_sites`].
    pub new_sites: Option<usize>,
    /// Weights the siting by an indices indicator (e.g. `"no_daily_internet"`): each point counts
    /// its population × the zone's estimated share of people in that situation, so new sites go
    /// where the most digitally precarious people would gain access. Needs an `[indices]` section.
    pub siting_weight: Option<String>,
    /// See [`Settings::approximation`].
    pub approximation: Option<Approximation>,
    /// Supply against need: `[access.capacity]` (see [`CapacitySettings`]).
    #[serde(default)]
    pub capacity: CapacitySettings,
    /// Travel modes (default `["car"]`): `"car"` (always computed: siting, capacity and
    /// isochrones rest on it), `"walk"`, `"transit"` (needs `[access.transit]`).
    #[serde(default = "default_modes")]
    pub modes: Vec<Mode>,
    /// Speed profile of walking on the road network (with `network` and the walk mode).
    pub walk_profile: Option<PathBuf>,
    /// The public-transport timetable and routing settings: `[access.transit]`.
    pub transit: Option<TransitConfig>,
}

/// The `[access.transit]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitConfig {
    /// The GTFS feed (`.zip` or a folder).
    pub gtfs: PathBuf,
    /// The service day (`YYYY-MM-DD`), within the feed's dates.
    pub date: String,
    /// Walking legs, transfers and departure window: `[access.transit.routing]`.
    #[serde(default)]
    pub routing: TransitSettings,
}

fn default_modes() -> Vec<Mode> {
    vec![Mode::Car]
}

fn default_density() -> f64 {
    1_000.0
}

impl AccessConfig {
    /// Checks every value of the section; each error names its key (`walk_kmh`,
    /// `thresholds_min[1]`, `approximation.detour`) so the caller can point at its line.
    ///
    /// ```
    /// let c: fragnum_access::config::AccessConfig = toml::from_str("sites = 's.csv'\nwalk_kmh = 0\nthresholds_min = [20, 10]\n").unwrap();
    /// let errors = c.validate().unwrap_err();
    /// assert_eq!(errors[0].to_string(), "[access] thresholds_min[1]: 10 min is not above the threshold before it (20 min): thresholds must be > 0 and ascending");
    /// assert!(errors[1].to_string().starts_with("[access] walk_kmh: 0 km/h"));
    /// ```
    // `!(x > 0.0)` is meant: unlike `x <= 0.0` it also refuses NaN.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn validate(&self) -> Result<(), Vec<AccessError>> {
        let mut errors = Vec::new();
        let mut bad = |key: &str, message: String| errors.push(AccessError::Setting { key: key.to_string(), message });
        if let Some(t) = &self.thresholds_min {
            if t.is_empty() {
                bad("thresholds_min", "needs at least one threshold (minutes)".into());
            }
            for (i, v) in t.iter().enumerate() {
                if !(v.is_finite() && *v > 0.0) {
                    bad(&format!("thresholds_min[{i}]"), format!("{v} min: thresholds must be > 0 and ascending"));
                } else if i > 0 && !(t[i - 1] < *v) {
                    bad(
                        &format!("thresholds_min[{i}]"),
                        format!("{v} min is not above the threshold before it ({} min): thresholds must be > 0 and ascending", t[i - 1]),
                    );
                }
            }
        }
        let positive = [
            ("isochrone_min", self.isochrone_min, "min"),
            ("walk_kmh", self.walk_kmh, "km/h"),
            ("isochrone_cell_m", self.isochrone_cell_m, "m"),
        ];
        for (key, value, unit) in positive {
            if let Some(v) = value
                && !(v.is_finite() && v > 0.0)
            {
                bad(key, format!("{v} {unit}: must be > 0"));
            }
        }
        if let Some(v) = self.max_snap_m
            && !(v.is_finite() && v >= 0.0)
        {
            bad("max_snap_m", format!("{v} m: must be ≥ 0"));
        }
        if self.isochrone_max_cells == Some(0) {
            bad("isochrone_max_cells", "0: must be at least 1".into());
        }
        if !(self.urban_density_km2.is_finite() && self.urban_density_km2 > 0.0) {
            bad("urban_density_km2", format!("{} people per km²: must be > 0", self.urban_density_km2));
        }
        if let Some(a) = &self.approximation {
            if !(a.detour >= 1.0 && a.detour.is_finite()) {
                bad(
                    "approximation.detour",
                    format!("{}: a detour factor is ≥ 1 (roads are never shorter than the straight line)", a.detour),
                );
            }
            for (key, v) in [("approximation.urban_kmh", a.urban_kmh), ("approximation.rural_kmh", a.rural_kmh)] {
                if !(v.is_finite() && v > 0.0) {
                    bad(key, format!("{v} km/h: must be > 0"));
                }
            }
        }
        for (key, message) in self.capacity.problems() {
            bad(&format!("capacity.{key}"), message);
        }
        let (thresholds, isochrone) = (
            self.thresholds_min.clone().unwrap_or_else(|| Settings::default().thresholds_min),
            self.isochrone_min.unwrap_or(Settings::default().isochrone_min),
        );
        if !thresholds.iter().any(|t| (t - isochrone).abs() < 1e-9) {
            bad(
                "isochrone_min",
                format!(
                    "{isochrone} min is not one of thresholds_min {thresholds:?}: maps and sheets give the share within it, which needs it among the thresholds"
                ),
            );
        }
        if !self.modes.contains(&Mode::Car) {
            bad("modes", "must include \"car\": siting, capacity and isochrones rest on it".into());
        }
        if self.modes.contains(&Mode::Transit) && self.transit.is_none() {
            bad("modes", "\"transit\" needs an [access.transit] section with `gtfs` and `date`".into());
        }
        if self.modes.contains(&Mode::Walk) && self.network.is_some() && self.walk_profile.is_none() {
            bad("modes", "walking on the road network needs `walk_profile = \"profiles/walk.toml\"`".into());
        }
        if let Some(t) = &self.transit {
            if fragnum_core::transit::Date::parse(&t.date).is_none() {
                bad("transit.date", format!("`{}` is not a date (YYYY-MM-DD)", t.date));
            }
            if let Err(e) = t.routing.departures() {
                bad("transit.routing", e.to_string());
            }
        }
        if self.network.is_some() && self.profile.is_none() {
            bad("network", "a road network needs a speed profile: add `profile = \"profiles/car.toml\"`".into());
        }
        if self.new_sites.is_some_and(|n| n > 0) && self.candidates.is_none() {
            bad("new_sites", "new sites are chosen among `candidates`, which is not set".into());
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The indices indicator whose estimated count is the need of the supply measures, when
    /// `[access.capacity] need` names one (not `population`).
    pub fn need_indicator(&self) -> Option<&str> {
        Some(self.capacity.need.as_str()).filter(|n| *n != "population")
    }

    /// The computation settings, defaults filled in.
    pub fn settings(&self) -> Settings {
        let d = Settings::default();
        Settings {
            thresholds_min: self.thresholds_min.clone().unwrap_or(d.thresholds_min),
            isochrone_min: self.isochrone_min.unwrap_or(d.isochrone_min),
            max_snap_m: self.max_snap_m.unwrap_or(d.max_snap_m),
            walk_kmh: self.walk_kmh.unwrap_or(d.walk_kmh),
            isochrone_cell_m: self.isochrone_cell_m.unwrap_or(d.isochrone_cell_m),
            isochrone_max_cells: self.isochrone_max_cells.unwrap_or(d.isochrone_max_cells),
            new_sites: self.new_sites.unwrap_or(d.new_sites),
            approximation: self.approximation.unwrap_or(d.approximation),
            capacity: self.capacity.clone(),
        }
    }
}
