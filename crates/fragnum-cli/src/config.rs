//! The one typed config of a run, parsed once from the config file's text: the ingest
//! [`PipelineConfig`] (`[project]`, `[[table]]`, `[[contours]]`) and each stage's own settings,
//! [`IndicesSettings`], [`AccessConfig`] and [`RenderConfig`]. Unknown keys are refused
//! everywhere, and every value is checked on loading by the crate that owns it (its `validate`);
//! each problem is located at the `file:line:column` of the config where the key is written.
//!
//! The assembly lives here, not in fragnum-ingest, which knows nothing of the stages.

use std::path::{Path, PathBuf};

use fragnum_access::AccessError;
use fragnum_access::config::AccessConfig;
use fragnum_core::Location;
use fragnum_indices::trends::TrendsConfig;
use fragnum_indices::{IndicesError, IndicesSettings};
use fragnum_ingest::config::{PipelineConfig, span_location};
use fragnum_ingest::report::Problem;
use fragnum_ingest::{Report, Severity};
use fragnum_render::{RenderConfig, RenderError};
use serde::Deserialize;

/// A whole config file, typed.
#[derive(Debug, Clone)]
pub struct Config {
    /// What ingest reads: project, tables, outlines (and the config's path and folder).
    pub pipeline: PipelineConfig,
    /// `[indices]`; absent: no indices stage.
    pub indices: Option<IndicesSettings>,
    /// `[access]`; absent: no accessibility stage.
    pub access: Option<AccessConfig>,
    /// `[render]`; absent: the defaults (see [`Config::render`]).
    pub render: Option<RenderConfig>,
    /// `[trends]`; absent: no series over vintages.
    pub trends: Option<TrendsConfig>,
    /// The file's text, to locate keys in messages.
    text: String,
}

/// The stage sections, deserialised from the same text as the [`PipelineConfig`] (which refuses
/// unknown top-level keys; each section refuses its own).
#[derive(Deserialize)]
struct Stages {
    indices: Option<IndicesSettings>,
    access: Option<AccessConfig>,
    render: Option<RenderConfig>,
    trends: Option<TrendsConfig>,
}

/// A fatal problem at `location`.
fn fatal(location: Location, message: impl Into<String>) -> Problem {
    Problem { severity: Severity::Fatal, location, message: message.into() }
}

impl Config {
    /// Reads and checks the config file `path`. `Err` when it cannot be read or does not parse
    /// into the typed sections (every such problem, located); otherwise the config and the
    /// problems of its values (empty when every value is good).
    pub fn read(path: &Path) -> Result<(Config, Vec<Problem>), Vec<Problem>> {
        let text = std::fs::read_to_string(path).map_err(|e| vec![fatal(Location::file(path), format!("cannot read the config: {e}"))])?;
        let pipeline = PipelineConfig::parse(path, &text).map_err(|e| {
            let mut report = Report::default();
            report.push_error(&e);
            report.problems
        });
        let stages = toml::from_str::<Stages>(&text).map_err(|e| {
            let location = e.span().map_or_else(|| Location::file(path), |span| span_location(path, &text, span.start));
            fatal(location, e.message())
        });
        let (pipeline, stages) = match (pipeline, stages) {
            (Ok(p), Ok(s)) => (p, s),
            (p, s) => {
                let mut problems = p.err().unwrap_or_default();
                // Both parsers see the same syntax error: say it once.
                if let Err(e) = s
                    && !problems.contains(&e)
                {
                    problems.push(e);
                }
                return Err(problems);
            }
        };
        let mut render = stages.render;
        // The map font is a path like the others: relative to the config's folder.
        if let Some(font) = render.as_mut().and_then(|r| r.font.as_mut()) {
            *font = pipeline.resolve(font);
        }
        let config = Config { pipeline, indices: stages.indices, access: stages.access, render, trends: stages.trends, text };
        let problems = config.check();
        Ok((config, problems))
    }

    /// The config file.
    pub fn path(&self) -> &Path {
        &self.pipeline.path
    }

    /// A path of the config, resolved against the config's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        self.pipeline.resolve(path)
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        self.pipeline.output_dir()
    }

    /// The `[render]` settings (the defaults when the section is absent).
    pub fn render(&self) -> RenderConfig {
        self.render.clone().unwrap_or_default()
    }

    /// Where `key` (`access.walk_kmh`, `indices.social.variables.rsa.weight`,
    /// `access.thresholds_min[1]`) is written in the config: at its value when it is there, else
    /// at the nearest enclosing key that is (a default value is reported at its section), else
    /// the whole file.
    pub fn locate(&self, key: &str) -> Location {
        let path = &self.pipeline.path;
        let Ok(root) = toml::de::DeTable::parse(&self.text) else { return Location::file(path) };
        let mut table = Some(root.get_ref());
        let mut offset = None;
        for segment in key.split('.') {
            let (name, indexes) = match segment.split_once('[') {
                Some((name, rest)) => (name, rest.split('[').filter_map(|i| i.trim_end_matches(']').parse::<usize>().ok()).collect()),
                None => (segment, Vec::new()),
            };
            let Some((k, mut v)) = table.and_then(|t| t.get_key_value(name)) else { break };
            offset = Some(k.span().start);
            let mut complete = true;
            for i in indexes {
                let Some(item) = v.get_ref().as_array().and_then(|a| a.get(i)) else {
                    complete = false;
                    break;
                };
                v = item;
            }
            table = v.get_ref().as_table();
            if complete && table.is_none() {
                // A value (not a table, whose span may be its header): point at the value itself.
                offset = Some(v.span().start);
            }
            if !complete {
                break;
            }
        }
        offset.map_or_else(|| Location::file(path), |o| span_location(path, &self.text, o))
    }

    /// A fatal problem at `key` of the config.
    pub fn problem(&self, key: &str, message: impl Into<String>) -> Problem {
        fatal(self.locate(key), message)
    }

    /// A problem for an indices error: rate-file errors where they are, settings at their key.
    pub fn indices_problem(&self, e: &IndicesError) -> Problem {
        let key = match e {
            IndicesError::Rates { location, message } => return fatal(location.clone(), message.clone()),
            IndicesError::Settings { key, .. } => format!("indices.{key}"),
            IndicesError::UnknownLabel { what: "indicator", .. } => "indices.indicators".into(),
            IndicesError::MissingDimension { .. } => "indices.dimensions".into(),
            _ => "indices".into(),
        };
        self.problem(&key, e.to_string())
    }

    /// Every problem of the values: each section's `validate`, then what spans sections.
    fn check(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Some(Err(errors)) = self.indices.as_ref().map(IndicesSettings::validate) {
            out.extend(errors.iter().map(|e| self.indices_problem(e)));
        }
        if let Some(access) = &self.access {
            for e in access.validate().err().unwrap_or_default() {
                let key = match &e {
                    AccessError::Setting { key, .. } => format!("access.{key}"),
                    _ => "access".into(),
                };
                out.push(self.problem(&key, e.to_string()));
            }
            let by_indicator = [("siting_weight", access.siting_weight.as_deref()), ("capacity.need", access.need_indicator())];
            for (key, indicator) in by_indicator {
                if let Some(w) = indicator
                    && self.indices.is_none()
                {
                    out.push(self.problem(
                        &format!("access.{key}"),
                        format!("[access] {key} = \"{w}\" needs an [indices] section, which estimates it"),
                    ));
                }
            }
        }
        if let Some(trends) = &self.trends {
            // Indicator names are checked against the column mapping (its own errors are ingest's).
            let known = fragnum_ingest::mapping::Mapping::load(&self.resolve(&self.pipeline.project.variables)).map(|m| m.names());
            let errors = trends.validate().err().unwrap_or_default().into_iter();
            let unknown = known.ok().and_then(|k| trends.check_variables(&k).err()).unwrap_or_default();
            out.extend(errors.chain(unknown).map(|e| self.problem(&format!("trends.{}", e.key()), e.to_string())));
        }
        if let Some(Err(errors)) = self.render.as_ref().map(RenderConfig::validate) {
            for e in errors {
                let key = match &e {
                    RenderError::Setting { key, .. } => format!("render.{key}"),
                    _ => "render".into(),
                };
                out.push(self.problem(&key, e.to_string()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<(Config, Vec<Problem>), Vec<Problem>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, text).unwrap();
        Config::read(&path)
    }

    fn shown(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(|p| format!("{}:{}: {}", p.location.line.unwrap_or(0), p.location.column.unwrap_or(0), p.message)).collect()
    }

    const HEAD: &str = "[project]\nname = 'x'\n";

    #[test]
    fn unknown_keys_of_every_section_are_located() {
        let e = config(&format!("{HEAD}[access]\nsites = 's.csv'\nwalk_kmph = 4\n")).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(shown(&e)[0].starts_with("5:1: unknown field `walk_kmph`"), "{:?}", shown(&e));
        let e = config(&format!("{HEAD}[render]\nclases = 4\n")).unwrap_err();
        assert!(shown(&e)[0].starts_with("4:1: unknown field `clases`"), "{:?}", shown(&e));
        let e = config(&format!("{HEAD}[indices.uncertainty]\ndesign_efect = 2\n")).unwrap_err();
        assert!(shown(&e)[0].starts_with("4:1: unknown field `design_efect`"), "{:?}", shown(&e));
        let e = config(&format!("{HEAD}[acces]\nsites = 's.csv'\n")).unwrap_err();
        assert!(shown(&e)[0].starts_with("3:2: unknown field `acces`"), "{:?}", shown(&e));
    }

    #[test]
    fn bad_values_are_all_listed_at_their_line_and_column() {
        let text = format!(
            "{HEAD}[indices]\nmin_coverage = 1.5\n[indices.uncertainty]\ndesign_effect = 0.8\n[indices.social.variables.rsa]\nexpression = 'a/b'\nweight = -1\n\
             [access]\nsites = 's.csv'\nthresholds_min = [10, 30, 20]\nwalk_kmh = 0\napproximation = {{ detour = 0.9 }}\nsiting_weight = 'x'\n[render]\nsimplify_m = -1\n"
        );
        let (c, problems) = config(&text).unwrap();
        let shown = shown(&problems);
        let expected = [
            "4:16: [indices] min_coverage: 1.5 is not in (0, 1]",
            "9:10: [indices] social.variables.rsa.weight: -1 is not a non-negative number",
            "6:17: [indices] uncertainty.design_effect: 0.8 is below 1",
            "12:27: [access] thresholds_min[2]: 20 min is not above",
            "13:12: [access] walk_kmh: 0 km/h: must be > 0",
            "14:28: [access] approximation.detour: 0.9",
            "17:14: [render] simplify_m: simplify_m = -1",
        ];
        assert_eq!(shown.len(), expected.len(), "{shown:#?}");
        for (s, e) in shown.iter().zip(expected) {
            assert!(s.starts_with(e), "{s} vs {e}");
        }
        // A default value is reported at its section.
        assert_eq!(c.locate("access.isochrone_min").to_string(), format!("{}:10:2", c.path().display()));
        assert_eq!(c.locate("nothing.here").to_string(), c.path().display().to_string());
    }

    #[test]
    fn siting_weight_needs_indices() {
        let (_, problems) = config(&format!("{HEAD}[access]\nsites = 's.csv'\nsiting_weight = 'x'\n")).unwrap();
        assert_eq!(shown(&problems), ["5:17: [access] siting_weight = \"x\" needs an [indices] section, which estimates it"]);
    }
}
