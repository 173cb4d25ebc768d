//! The `[access]` config section as the CLI stage reads it: file paths (resolved by the caller
//! against the config folder) and the computation [`Settings`]. Unknown keys are refused.

use std::path::PathBuf;

use serde::Deserialize;

use crate::{Approximation, Settings};

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
}

fn default_density() -> f64 {
    1_000.0
}

impl AccessConfig {
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
        }
    }
}
