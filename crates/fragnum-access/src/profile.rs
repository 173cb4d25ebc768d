//! Speed profiles: road class → km/h, for built-up (urban) and open-road (rural) sections.
//!
//! A profile is a small TOML document (see `config/profiles/car.toml` and `walk.toml`):
//!
//! ```toml
//! name = "voiture"
//! mode = "car"            # which edges: "car" (drivable, one-ways respected) or "walk"
//! use_maxspeed = true     # a tagged speed limit overrides the class speed
//! urban_cell_m = 500      # urban when a cell of this size holds ≥ urban_min_junctions junctions
//! urban_min_junctions = 6
//! [rural]                 # km/h by highway class; classes absent here are not used
//! primary = 80
//! [urban]                 # optional; a class absent here uses its rural speed
//! primary = 50
//! ```
//!
//! When the data says nothing about built-up areas, the profile decides from junction density:
//! the network is cut into square cells and an edge is urban when the cell of its midpoint
//! holds at least `urban_min_junctions` nodes of degree ≥ 3. It is a proxy for the French
//! *agglomération* signs (which OSM rarely maps); document it where results are shown.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::AccessError;

/// Which edges a profile travels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Edges open to cars, in their allowed direction.
    Car,
    /// Edges open to walkers, both directions.
    Walk,
}

impl Mode {
    /// `"car"` or `"walk"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Car => "car",
            Mode::Walk => "walk",
        }
    }
}

/// A speed profile.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedProfile {
    /// Name shown in output metadata.
    pub name: String,
    /// Which edges are used.
    pub mode: Mode,
    /// Whether a tagged `maxspeed` overrides the class speed.
    #[serde(default)]
    pub use_maxspeed: bool,
    /// Cell size (m) of the junction-density rule for urban sections.
    #[serde(default = "default_cell")]
    pub urban_cell_m: f64,
    /// Junctions per cell from which a section is urban.
    #[serde(default = "default_junctions")]
    pub urban_min_junctions: u32,
    /// Speeds (km/h) by class on open roads.
    pub rural: BTreeMap<String, f64>,
    /// Speeds (km/h) by class in built-up areas; absent classes use the rural speed.
    #[serde(default)]
    pub urban: BTreeMap<String, f64>,
}

fn default_cell() -> f64 {
    500.0
}

fn default_junctions() -> u32 {
    6
}

impl SpeedProfile {
    /// Parses a profile. `name` names it in errors (usually the file).
    ///
    /// ```
    /// use fragnum_access::profile::SpeedProfile;
    /// let p = SpeedProfile::parse("walk.toml", "name='à pied'\nmode='walk'\n[rural]\nresidential=4.5\n").unwrap();
    /// assert_eq!(p.speed_kmh("residential", false, Some(50.0)), Some(4.5));
    /// assert_eq!(p.speed_kmh("motorway", false, None), None);
    /// ```
    pub fn parse(name: &str, text: &str) -> Result<Self, AccessError> {
        let file = || fragnum_core::Location::file(name);
        let profile: SpeedProfile = toml::from_str(text).map_err(|e| {
            let location = e.span().map_or_else(file, |span| {
                let before = &text[..span.start.min(text.len())];
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
                fragnum_core::Location::at(name, before.matches('\n').count() as u64 + 1, column)
            });
            AccessError::Profile { location, message: e.message().to_string() }
        })?;
        for (class, v) in profile.rural.iter().chain(&profile.urban) {
            if !v.is_finite() || *v <= 0.0 {
                return Err(AccessError::Profile { location: file(), message: format!("speed for `{class}` must be > 0 km/h, got {v}") });
            }
        }
        if profile.urban_cell_m <= 0.0 {
            return Err(AccessError::Profile { location: file(), message: "urban_cell_m must be > 0".into() });
        }
        Ok(profile)
    }

    /// The speed on a road of `class` (km/h), or `None` when the profile does not use that class.
    pub fn speed_kmh(&self, class: &str, urban: bool, maxspeed: Option<f64>) -> Option<f64> {
        let base = if urban { self.urban.get(class).or_else(|| self.rural.get(class)) } else { self.rural.get(class) };
        Some(self.with_maxspeed(*base?, maxspeed))
    }

    /// The class speed `base_kmh`, replaced by a tagged limit when the profile uses them.
    pub fn with_maxspeed(&self, base_kmh: f64, maxspeed: Option<f64>) -> f64 {
        match maxspeed {
            Some(m) if self.use_maxspeed && m > 0.0 => m,
            _ => base_kmh,
        }
    }

    /// Class speeds looked up once for a network's class list: `[rural, urban]` km/h for each
    /// class, `None` when the profile does not use the class (so edges need no string lookup).
    pub fn class_speeds(&self, classes: &[String]) -> Vec<Option<[f64; 2]>> {
        classes.iter().map(|c| Some([self.speed_kmh(c, false, None)?, self.speed_kmh(c, true, None)?])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urban_falls_back_to_rural_and_maxspeed_overrides() {
        let p = SpeedProfile::parse("car", "name='c'\nmode='car'\nuse_maxspeed=true\n[rural]\nprimary=80\ntrack=20\n[urban]\nprimary=50\n")
            .unwrap();
        assert_eq!(p.speed_kmh("primary", true, None), Some(50.0));
        assert_eq!(p.speed_kmh("track", true, None), Some(20.0));
        assert_eq!(p.speed_kmh("primary", false, Some(70.0)), Some(70.0));
        assert_eq!(p.speed_kmh("footway", false, Some(70.0)), None);
    }

    #[test]
    fn bad_profiles_are_refused() {
        assert!(SpeedProfile::parse("x", "name='c'\nmode='bike'\n[rural]\n").unwrap_err().to_string().contains("bike"));
        assert!(SpeedProfile::parse("x", "name='c'\nmode='car'\n[rural]\nprimary=0\n").is_err());
        assert!(SpeedProfile::parse("x", "name='c'\nmode='car'\nspeed=3\n[rural]\n").is_err());
    }

    #[test]
    fn shipped_profiles_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/profiles");
        for f in ["car.toml", "walk.toml"] {
            let text = std::fs::read_to_string(dir.join(f)).unwrap();
            SpeedProfile::parse(f, &text).unwrap();
        }
    }
}
