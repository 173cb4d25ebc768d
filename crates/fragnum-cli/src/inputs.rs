//! Every input file the stage sections of the config name, opened and checked before any output
//! is written: the rate files of `[indices]` (parsed and merged, their variables checked against
//! the column mapping), and the sites, candidates, population grids, road network and speed
//! profile of `[access]`. `fragnum validate` lists their problems with the config's and the
//! census tables'; `fragnum run` stops on them before the first output, and hands what it read
//! to the stages, so each file is read once.

use std::collections::BTreeSet;
use std::path::Path;

use fragnum_access::SpeedProfile;
use fragnum_core::Location;
use fragnum_core::network::RoadNetwork;
use fragnum_core::sites::{PopulationPoint, Site};
use fragnum_indices::RateTable;
use fragnum_ingest::report::Problem;
use fragnum_ingest::{IngestError, Report, Severity};

use crate::config::Config;

/// What the stages after ingest read from their own files.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The rate files of `[indices]`, parsed, in config order.
    pub rates: Vec<RateTable>,
    /// The variable names the column mapping can produce (rate rows are checked against them).
    pub known_variables: BTreeSet<String>,
    /// The sites of `[access]`, filtered to its `kinds`.
    pub sites: Vec<Site>,
    /// The candidate sites for siting.
    pub candidates: Vec<Site>,
    /// The cells of every population grid, in config order.
    pub grid: Vec<PopulationPoint>,
    /// The speed profile (with a network).
    pub profile: Option<SpeedProfile>,
    /// The road network, when read in full ([`Network::Full`]).
    pub network: Option<RoadNetwork>,
    /// The walk profile (with a network and the walk mode).
    pub walk_profile: Option<SpeedProfile>,
    /// The public-transport timetable of the configured day (the transit mode).
    pub timetable: Option<fragnum_core::transit::Timetable>,
    /// The target geography of `[trends]` (its year's IRIS list).
    pub trends_geography: Option<fragnum_ingest::passage::TargetGeography>,
    /// The national commune list of `[trends]` (mergers into communes nouvelles), when named.
    pub commune_history: Option<fragnum_ingest::passage::CommuneHistory>,
}

/// How much of the road network to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Check it only: a PBF's header block, road lines in full (then dropped). For `validate`.
    Check,
    /// Read it in full and keep it, for the access stage.
    Full,
}

/// Opens and checks every input of the stage sections; every problem goes to `report` (with a
/// note at the config key that names a file that failed). What could be read is returned.
pub fn read(config: &Config, network: Network, report: &mut Report) -> Inputs {
    let mut inputs = Inputs::default();
    if let Some(settings) = &config.indices {
        read_rates(config, settings, &mut inputs, report);
    }
    if let Some(access) = &config.access {
        read_access(config, access, network, &mut inputs, report);
    }
    if let Some(trends) = &config.trends {
        read_trends(config, trends, &mut inputs, report);
    }
    inputs
}

/// Reads the reference files of `[trends]` (the target year's IRIS list, the national commune
/// list), so that a bad one fails the run before its first output.
fn read_trends(config: &Config, trends: &fragnum_indices::trends::TrendsConfig, inputs: &mut Inputs, report: &mut Report) {
    let reference = config.resolve(&trends.reference);
    match fragnum_ingest::passage::TargetGeography::read(&reference, trends.geography_year, report) {
        Ok(g) => inputs.trends_geography = Some(g),
        Err(e) => failed(config, "trends.reference", &reference, &e, report),
    }
    if let Some(p) = &trends.communes {
        let path = config.resolve(p);
        match fragnum_ingest::passage::CommuneHistory::read(&path) {
            Ok(h) => inputs.commune_history = Some(h),
            Err(e) => failed(config, "trends.communes", &path, &e, report),
        }
    }
}

/// Records a file that failed, and where the config names it.
fn failed(config: &Config, key: &str, path: &Path, e: &IngestError, report: &mut Report) {
    report.push_error(e);
    named_by(config, key, path, report);
}

fn named_by(config: &Config, key: &str, path: &Path, report: &mut Report) {
    let (section, name) = key.split_once('.').unwrap_or(("", key));
    report.push(Severity::Note, config.locate(key), format!("[{section}] {name} names {}", path.display()));
}

fn read_rates(config: &Config, settings: &fragnum_indices::IndicesSettings, inputs: &mut Inputs, report: &mut Report) {
    let mut complete = true;
    for (i, p) in settings.rates.iter().enumerate() {
        let key = format!("indices.rates[{i}]");
        let path = config.resolve(p);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                report.push(Severity::Fatal, Location::file(&path), format!("cannot read rate file: {e}"));
                named_by(config, &key, &path, report);
                complete = false;
                continue;
            }
        };
        match RateTable::parse(&text, &path.display().to_string()) {
            Ok(t) => inputs.rates.push(t),
            Err(e) => {
                report.problems.push(config.indices_problem(&e));
                complete = false;
            }
        }
    }
    // The mapping's own errors are reported by ingest, which reads it too.
    let variables = config.resolve(&config.pipeline.project.variables);
    inputs.known_variables = fragnum_ingest::mapping::Mapping::load(&variables).map(|m| m.names()).unwrap_or_default();
    if !complete {
        return;
    }
    let mut checked = settings.clone();
    checked.known_variables.clone_from(&inputs.known_variables);
    match fragnum_indices::check_rates(&inputs.rates, &checked) {
        Err(e) => report.problems.push(config.indices_problem(&e)),
        Ok(indicators) => {
            let Some(access) = config.access.as_ref() else { return };
            for (key, indicator) in [("siting_weight", access.siting_weight.as_deref()), ("capacity.need", access.need_indicator())] {
                if let Some(w) = indicator
                    && !indicators.iter().any(|i| i == w)
                {
                    report.problems.push(config.problem(
                        &format!("access.{key}"),
                        format!("[access] {key}: `{w}` is not an indicator of the rate files ({})", indicators.join(", ")),
                    ));
                }
            }
        }
    }
}

fn read_access(config: &Config, access: &fragnum_access::config::AccessConfig, network: Network, inputs: &mut Inputs, report: &mut Report) {
    let sites_path = config.resolve(&access.sites);
    match fragnum_ingest::sites::read_sites(&sites_path, report) {
        Ok(sites) => {
            let read = sites.len();
            inputs.sites = fragnum_ingest::sites::filter_kinds(sites, &access.kinds);
            if inputs.sites.is_empty() {
                let what = if read == 0 {
                    "no site".to_string()
                } else {
                    format!("none of its {read} sites is of kinds {}", access.kinds.join(", "))
                };
                report.push(Severity::Fatal, Location::file(&sites_path), format!("{what}: accessibility needs at least one site"));
                named_by(config, if read == 0 { "access.sites" } else { "access.kinds" }, &sites_path, report);
            }
        }
        Err(e) => failed(config, "access.sites", &sites_path, &e, report),
    }
    if let Some(p) = &access.candidates {
        let path = config.resolve(p);
        match fragnum_ingest::sites::read_sites(&path, report) {
            Ok(c) => inputs.candidates = c,
            Err(e) => failed(config, "access.candidates", &path, &e, report),
        }
    }
    for (i, p) in access.population_grid.iter().enumerate() {
        let path = config.resolve(p);
        match fragnum_ingest::grid::read_population_grid(&path, report) {
            Ok(cells) => inputs.grid.extend(cells),
            Err(e) => failed(config, &format!("access.population_grid[{i}]"), &path, &e, report),
        }
    }
    let read_profile = |key: &str, p: &std::path::Path, report: &mut Report| {
        let path = config.resolve(p);
        match std::fs::read_to_string(&path) {
            Ok(text) => match SpeedProfile::parse(&path.display().to_string(), &text) {
                Ok(profile) => Some(profile),
                Err(e) => {
                    let location = match &e {
                        fragnum_access::AccessError::Profile { location, .. } => location.clone(),
                        _ => Location::file(&path),
                    };
                    let message = e.to_string().strip_prefix(&format!("{location}: ")).map_or_else(|| e.to_string(), str::to_string);
                    report.problems.push(Problem { severity: Severity::Fatal, location, message });
                    None
                }
            },
            Err(e) => {
                failed(config, key, &path, &IngestError::Io { location: Location::file(&path), source: e }, report);
                None
            }
        }
    };
    if let Some(p) = &access.profile {
        inputs.profile = read_profile("access.profile", p, report);
    }
    if let Some(p) = access.walk_profile.as_ref().filter(|_| access.modes.contains(&fragnum_access::modes::Mode::Walk)) {
        inputs.walk_profile = read_profile("access.walk_profile", p, report);
    }
    if let Some(t) = access.transit.as_ref().filter(|_| access.modes.contains(&fragnum_access::modes::Mode::Transit))
        && let Some(date) = fragnum_core::transit::Date::parse(&t.date)
    {
        let path = config.resolve(&t.gtfs);
        match fragnum_ingest::gtfs::read_gtfs(&path, date, report) {
            Ok(tt) => inputs.timetable = Some(tt),
            Err(e) => failed(config, "access.transit.gtfs", &path, &e, report),
        }
    }
    if let Some(p) = &access.network {
        let path = config.resolve(p);
        let read = match network {
            Network::Check => fragnum_ingest::roads::check_roads(&path, report),
            Network::Full => fragnum_ingest::roads::read_roads(&path, report).map(|n| inputs.network = Some(n)),
        };
        if let Err(e) = read {
            failed(config, "access.network", &path, &e, report);
        }
    }
}
