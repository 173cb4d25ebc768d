//! What the benchmark examples share: their arguments (an OSM extract, an output folder, an
//! optional speed profile) and the 20,000 pseudo-random population points over the graph.

use std::path::{Path, PathBuf};

use fragnum_access::graph::Graph;
use fragnum_access::profile::SpeedProfile;
use fragnum_core::sites::PopulationPoint;

/// `<extract.osm.pbf> <out_dir> [profile.toml]`: the extract, the output folder (created) and
/// the speed profile (default `config/profiles/car.toml`); prints the usage and exits when
/// arguments are missing.
pub fn arguments(example: &str) -> Result<(PathBuf, PathBuf, SpeedProfile), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: {example} <extract.osm.pbf> <out_dir> [profile.toml]");
        std::process::exit(2);
    }
    let pbf = PathBuf::from(&args[1]);
    let out = PathBuf::from(&args[2]);
    let profile_path =
        args.get(3).map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/profiles/car.toml"), PathBuf::from);
    std::fs::create_dir_all(&out)?;
    let profile = SpeedProfile::parse(&profile_path.display().to_string(), &std::fs::read_to_string(&profile_path)?)?;
    Ok((pbf, out, profile))
}

/// 20,000 deterministic pseudo-random population points over the graph's bounding box (the
/// same draws in every benchmark, so their results can be compared).
pub fn points(graph: &Graph) -> Result<Vec<PopulationPoint>, Box<dyn std::error::Error>> {
    let [lo, hi] = fragnum_core::geometry::bounding_box(graph.coords.iter().copied()).ok_or("empty graph")?;
    let mut rng = fragnum_core::rng::Rng::new(1, 0);
    Ok((0..20_000)
        .map(|_| PopulationPoint { lon: rng.range(lo[0], hi[0]), lat: rng.range(lo[1], hi[1]), weight: 1.0, zone: None })
        .collect())
}
