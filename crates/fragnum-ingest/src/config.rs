//! The pipeline config: which files to read, at which level, and where outputs go.
//!
//! Paths in a config are relative to the config file's own folder, so a config works from any
//! working directory. Unknown keys are refused, so a typo is an error rather than a silent default.

use std::path::{Path, PathBuf};

use fragnum_core::{Level, Location};
use serde::Deserialize;

use crate::IngestError;
use crate::number::Blank;

/// A whole config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Project-wide settings.
    pub project: Project,
    /// Statistical tables (census, Filosofi, CAF, QPV, reference lists).
    #[serde(default, rename = "table")]
    pub tables: Vec<TableSource>,
    /// Zone outlines.
    #[serde(default)]
    pub contours: Vec<ContourSource>,
    /// The stage sections `[indices]`, `[access]` and `[render]`: not read here (ingest knows
    /// nothing of the stages). The CLI deserialises them from the same text into each stage's
    /// typed settings; they are only named here so that this struct can refuse unknown keys.
    #[serde(default, rename = "indices")]
    _indices: serde::de::IgnoredAny,
    #[serde(default, rename = "access")]
    _access: serde::de::IgnoredAny,
    #[serde(default, rename = "render")]
    _render: serde::de::IgnoredAny,
    #[serde(default, rename = "trends")]
    _trends: serde::de::IgnoredAny,
    /// The folder of the config file (set on loading; relative paths are resolved against it).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The config file itself.
    #[serde(skip)]
    pub path: PathBuf,
}

/// Project-wide settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Human name of the territory, shown in reports and maps.
    pub name: String,
    /// Output folder (default `notebooks-out` beside the config folder).
    #[serde(default = "default_output")]
    pub output: PathBuf,
    /// The column mapping table (default `variables.toml` beside the config).
    #[serde(default = "default_variables")]
    pub variables: PathBuf,
    /// Which figure is kept when two tables give the same variable of the same zone, at the same
    /// vintage, with different figures (a newer vintage always wins).
    #[serde(default)]
    pub on_conflict: OnConflict,
    /// The study territory, when the files cover more: codes of départements (`38`), EPCI
    /// (SIREN, `200040715`) or communes (`38185`). Zones outside are left out after reading
    /// (counted in the report); empty keeps every zone.
    #[serde(default)]
    pub territory: Vec<String>,
}

/// The rule for two tables giving different figures for the same cell at the same vintage
/// (`on_conflict` in `[project]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// The table listed first wins; one warning per variable lists the conflicts.
    #[default]
    KeepFirst,
    /// The table listed last wins; one warning per variable lists the conflicts.
    KeepLast,
    /// Every conflict is a fatal finding naming both files (the first figure is kept meanwhile).
    Error,
}

fn default_output() -> PathBuf {
    PathBuf::from("../notebooks-out")
}

fn default_variables() -> PathBuf {
    PathBuf::from("variables.toml")
}

/// One statistical table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSource {
    /// The file.
    pub path: PathBuf,
    /// Level of the zones in its code column.
    pub level: Level,
    /// The code column; detected among the usual INSEE names when absent.
    pub code_column: Option<String>,
    /// Vintage for columns whose names carry none (CAF, QPV tables).
    pub vintage: Option<u16>,
    /// What an empty cell means.
    #[serde(default)]
    pub blank: Blank,
    /// Forces the separator; detected from the header when absent.
    pub separator: Option<char>,
    /// Named mapping sets this table opts into (see `variables.toml`).
    #[serde(default)]
    pub sets: Vec<String>,
    /// Citation shown in outputs.
    pub source: Option<String>,
}

/// One file of zone outlines.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContourSource {
    /// A shapefile (`.shp`, with `.dbf`, `.shx` and `.prj` beside it) or a GeoJSON file.
    pub path: PathBuf,
    /// Level of the zones.
    pub level: Level,
    /// The property holding the zone code; detected among the usual names when absent.
    pub code_property: Option<String>,
    /// Overrides the CRS (`EPSG:2154`) when the file does not say or says wrongly.
    pub crs: Option<String>,
}

impl PipelineConfig {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Self, IngestError> {
        let text = std::fs::read_to_string(path).map_err(|e| IngestError::io(path, e))?;
        Self::parse(path, &text)
    }

    /// Parses and checks the text of the config file `path` (errors are located in `text`).
    pub fn parse(path: &Path, text: &str) -> Result<Self, IngestError> {
        let mut config: PipelineConfig = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        config.path = path.to_path_buf();
        config.base_dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        for t in &config.tables {
            if let Some(sep) = t.separator
                && !crate::text::SEPARATORS.contains(&(sep as u8))
            {
                return Err(IngestError::Config {
                    location: Location::file(path),
                    message: format!("table {}: separator `{sep}` is not one of `;`, `,` or tab", t.path.display()),
                });
            }
        }
        Ok(config)
    }

    /// Resolves a path from the config against the config's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        let joined = if path.is_absolute() { path.to_path_buf() } else { self.base_dir.join(path) };
        normalise(&joined)
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        self.resolve(&self.project.output)
    }
}

/// Turns a TOML error into a located config error.
pub(crate) fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> IngestError {
    let location = e.span().map_or_else(|| Location::file(path), |span| span_location(path, text, span.start));
    IngestError::Config { location, message: e.message().to_string() }
}

/// The `file:line:column` of byte `offset` of `text` (the contents of `path`); columns count
/// characters, from 1.
///
/// ```
/// use fragnum_ingest::config::span_location;
/// assert_eq!(span_location("c.toml".as_ref(), "[a]\nx = 1\n", 8).to_string(), "c.toml:2:5");
/// ```
pub fn span_location(path: &Path, text: &str, offset: usize) -> Location {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Location::at(path, line, column)
}

/// Removes `.` and `name/..` pairs without touching the file system, so messages show
/// `data/demo/x.csv` rather than `config/../data/demo/x.csv` (symlinks are not resolved on purpose:
/// the path shown is the one the user wrote, made readable).
fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() { PathBuf::from(".") } else { out.iter().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_in_config_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[project]\nname = 'x'\n\n[[table]]\npath = 'a.csv'\nlevel = 'iris'\nvintge = 2016\n").unwrap();
        let err = PipelineConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("c.toml:7:1"), "{err}");
        assert!(err.contains("vintge"), "{err}");
    }

    #[test]
    fn paths_are_resolved_and_normalised() {
        assert_eq!(super::normalise(Path::new("config/../data/./demo/x.csv")), PathBuf::from("data/demo/x.csv"));
        assert_eq!(super::normalise(Path::new("../../shared/x")), PathBuf::from("../../shared/x"));
        assert_eq!(super::normalise(Path::new("/a/b/../c")), PathBuf::from("/a/c"));
    }

    #[test]
    fn unknown_level_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[project]\nname = 'x'\n[[table]]\npath = 'a.csv'\nlevel = 'canton'\n").unwrap();
        assert!(PipelineConfig::load(&path).unwrap_err().to_string().contains("canton"));
    }
}
