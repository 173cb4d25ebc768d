//! # fragnum-demo
//!
//! The embedded demo territory: a fictional Alpine city (Valbrune, twelve IRIS) and a valley of
//! eight small communes, generated deterministically from a seed and written **in the formats of
//! the real sources** (INSEE IRIS and commune CSV, Filosofi, CAF, QPV tables, IRIS reference
//! list, an IGN-style Lambert-93 shapefile, commune GeoJSON, advisor sites, a road network as
//! GeoJSON lines and as its IGN BD TOPO-style shapefile twin), so that the same ingest code reads
//! it. Realistic in shape, fictional in content:
//! no value is taken from a real file.
//!
//! - [`territory`]: the zones, their outlines and profiles;
//! - [`census`]: synthetic counts per zone;
//! - [`network`]: the road network;
//! - [`sites`]: advisor sites and candidate locations;
//! - [`files`]: the writers, one per file format.
//!
//! ```no_run
//! let summary = fragnum_demo::generate(std::path::Path::new("data/demo"), &fragnum_demo::DemoOptions { seed: 42 }).unwrap();
//! assert_eq!(summary.iris, 20);
//! ```

pub mod census;
pub mod files;
pub mod france;
pub mod network;
pub mod sites;
pub mod territory;

use std::path::{Path, PathBuf};

/// What can go wrong while writing the demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file or folder could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The shapefile writer failed.
    #[error("{}: {message}", path.display())]
    Shapefile {
        /// The path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// PROJ could not build the Lambert-93 → WGS84 transformation.
    #[error("cannot reproject Lambert-93 to WGS84: {0}")]
    Projection(String),
}

/// Options of the generator.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// The same seed gives byte-identical files.
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { seed: 42 }
    }
}

/// What was written.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// File names, in writing order.
    pub files: Vec<String>,
    /// IRIS (including the `XXXXX0000` pseudo-IRIS of communes without IRIS).
    pub iris: usize,
    /// Communes.
    pub communes: usize,
    /// Total population.
    pub population: f64,
    /// Advisor sites.
    pub sites: usize,
    /// Road segments.
    pub road_segments: usize,
}

/// Generates the demo territory into `out` (created if needed). Files are first written into a
/// staging folder beside `out`, then renamed into place, so `out` never holds half a territory.
pub fn generate(out: &Path, options: &DemoOptions) -> Result<DemoSummary, DemoError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DemoError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let staging = tempfile::Builder::new().prefix(".demo-staging-").tempdir_in(out).map_err(io(out))?;
    let dir = staging.path();

    let areas = territory::areas(options.seed);
    let mut rng = fragnum_core::rng::Rng::new(options.seed, 2);
    let counts: Vec<census::Counts> = areas.iter().map(|a| census::counts(a, &mut rng)).collect();
    let roads = network::roads(&areas);
    let advisor_sites = sites::sites(&areas);
    let candidate_sites = sites::candidates(&areas, &advisor_sites);

    let proj = proj::Proj::new_known_crs("EPSG:2154", "EPSG:4326", None).map_err(|e| DemoError::Projection(e.to_string()))?;
    let to_wgs84 = |p: (f64, f64)| proj.convert(p).unwrap_or((f64::NAN, f64::NAN));

    let mut written = Vec::new();
    files::write_tables(dir, &areas, &counts, &mut written)?;
    files::write_iris_shapefile(dir, &areas, &mut written)?;
    files::write_communes_geojson(dir, &areas, &to_wgs84, &mut written)?;
    files::write_roads(dir, &roads, &to_wgs84, &mut written)?;
    files::write_roads_shapefile(dir, &roads, &mut written)?;
    files::write_sites(dir, "advisor-sites.csv", &advisor_sites, &to_wgs84, &mut written)?;
    files::write_sites(dir, "candidates.csv", &candidate_sites, &to_wgs84, &mut written)?;

    for name in &written {
        let target = out.join(name);
        std::fs::rename(dir.join(name), &target).map_err(io(&target))?;
    }
    let mut communes: Vec<&str> = areas.iter().map(|a| a.commune.as_str()).collect();
    communes.dedup();
    Ok(DemoSummary {
        files: written,
        iris: areas.len(),
        communes: communes.len(),
        population: counts.iter().map(census::Counts::population).sum(),
        sites: advisor_sites.len(),
        road_segments: roads.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let s = generate(dir.path(), &DemoOptions::default()).unwrap();
        assert_eq!(s.iris, 20);
        assert_eq!(s.communes, 9);
        let mut on_disk: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        on_disk.sort();
        let mut expected = s.files.clone();
        expected.sort();
        assert_eq!(on_disk, expected, "staging folder removed, nothing extra");
        let sites = std::fs::read_to_string(dir.path().join("advisor-sites.csv")).unwrap();
        assert!(sites.contains("<script>alert(1)</script> Espace test"));
        let roads = std::fs::read_to_string(dir.path().join("roads.geojson")).unwrap();
        assert!(roads.contains("\"oneway\":\"yes\""));
    }
}
