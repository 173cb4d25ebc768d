//! Series over time on one harmonised geography, and the change between two vintages.
//!
//! The input is a [`HarmonisedSeries`]: every vintage of every table carried onto the zones of
//! one target year by the passage of fragnum-ingest. From it, per indicator and vintage:
//!
//! - **zones**: each IRIS of the target geography (its harmonised cell; the status says how the
//!   passage got it: `published`, `recoded`, `merged`, `allocated`, `imputed`);
//! - **aggregates** (commune, EPCI, département, custom groups) built like the indices': counts
//!   are **sums** of the member zones with a value (plus, for a commune, the parts of merged
//!   communes that lie in none of its IRIS), shares are **recomputed** from the summed
//!   numerators and denominators, never averaged; level values (medians, rates) are not summed:
//!   a commune reads its own published row, other aggregates have none. An aggregate is
//!   `summed` when every member zone that has the indicator in some vintage has it in this one,
//!   else `partial` (its sum leaves those zones out, and says how many);
//! - **changes** between two vintages (the configured pair, by default the first and last
//!   available of each indicator): start, end, absolute change, change in points for shares
//!   and percentages, relative change, and `within_noise` with its reasons: small counts (below
//!   `small_count`, 11 by default: the CAF's secret threshold), masked cells or partial sums in
//!   either vintage, or a figure estimated by the passage (allocated or imputed).
//!
//! Optionally, the **social-precarity score per vintage** ([`crate::social`]) with the same
//! variables and weights as `[indices.social]`, on the vintages that every time-varying input
//! shares; inputs published once (RP 2016 population) are held at their only vintage, and a
//! note says so. Scores are relative to each vintage's mean, so their change is a change of
//! position, not of level.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use fragnum_core::harmonised::{Derivation, HarmonisedCell, HarmonisedSeries, VariableKind};
use fragnum_core::{Cell, Level, Zone, ZoneCode, ZoneTable};
use serde::Deserialize;
use thiserror::Error;

use crate::IndicesError;
use crate::expr::{Expr, Reader, Source, VintageSpan};
use crate::settings::SocialSettings;
use crate::social::{self, Spec};

/// The name of the per-vintage social-precarity score in the outputs.
pub const SOCIAL_SCORE: &str = "score_social";

/// Why the trends could not be computed.
#[derive(Debug, Error, PartialEq)]
pub enum TrendsError {
    /// A `[trends]` setting is wrong.
    #[error("[trends] {key}: {message}")]
    Setting {
        /// The key below `[trends]` (`vintages`, `shares[0].per`).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A custom group lists a code that is no zone, commune or EPCI of the target geography.
    #[error("[trends] groups.{group}: `{code}` is no IRIS, commune or EPCI of the {year} geography")]
    UnknownGroupMember {
        /// The group.
        group: String,
        /// The code as configured.
        code: String,
        /// The target geography's year.
        year: u16,
    },
    /// A social variable's expression cannot be parsed.
    #[error(transparent)]
    Indices(#[from] IndicesError),
}

impl TrendsError {
    fn setting(key: impl Into<String>, message: impl Into<String>) -> Self {
        TrendsError::Setting { key: key.into(), message: message.into() }
    }

    /// The config key the error is about, below `[trends]` (`vintages`, `groups.Nord`), for
    /// locating it in the config.
    pub fn key(&self) -> String {
        match self {
            TrendsError::Setting { key, .. } => key.clone(),
            TrendsError::UnknownGroupMember { group, .. } => format!("groups.{group}"),
            TrendsError::Indices(_) => String::new(),
        }
    }
}

/// A share recomputed from two harmonised counts: `per × numerator / denominator`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareSpec {
    /// The indicator's name in the outputs (`rsa_pour_100_allocataires`).
    pub name: String,
    /// The numerator variable (`caf_rsa_socle`).
    pub numerator: String,
    /// The denominator variable (`caf_allocataires`).
    pub denominator: String,
    /// The base (100: per 100 allocataires; changes are then in points).
    #[serde(default = "hundred")]
    pub per: f64,
}

fn hundred() -> f64 {
    100.0
}

fn default_population() -> String {
    "pop".into()
}

fn default_small_count() -> f64 {
    11.0
}

fn default_levels() -> Vec<Level> {
    vec![Level::Commune, Level::Epci, Level::Departement]
}

fn yes() -> bool {
    true
}

/// The `[trends]` section of a pipeline config.
///
/// ```toml
/// [trends]
/// geography_year = 2021
/// reference = "../../shared/data/iris/reference_IRIS_geo2021_dep38_73.csv"  # IRIS list of that year
/// communes = "../../shared/data/national/communes.json"   # former communes → communes nouvelles
/// indicators = ["caf_allocataires", "caf_rsa_socle", "disp_med"]
/// vintages = [2016, 2020]        # optional: default the first and last of each indicator
/// small_count = 11               # counts below are within noise (CAF secret threshold)
///
/// [[trends.shares]]
/// name = "rsa_pour_100_allocataires"
/// numerator = "caf_rsa_socle"
/// denominator = "caf_allocataires"
/// ```
///
/// Every vintage of the `[[table]]` entries is kept (the snapshot zone table keeps the newest).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendsConfig {
    /// The year of the target geography: every vintage is carried onto its codes.
    pub geography_year: u16,
    /// The IRIS reference list of that year (read by the CLI through fragnum-ingest).
    pub reference: PathBuf,
    /// The national commune list (communes déléguées and associées → their commune nouvelle);
    /// without it, codes of merged communes are unmapped (and reported).
    #[serde(default)]
    pub communes: Option<PathBuf>,
    /// Variables of `variables.toml` to follow (counts or level values).
    pub indicators: Vec<String>,
    /// Shares recomputed from two counts.
    #[serde(default)]
    pub shares: Vec<ShareSpec>,
    /// The two vintages compared; empty: the first and last available of each indicator.
    #[serde(default)]
    pub vintages: Vec<u16>,
    /// The population variable used to share out a split zone (by target zone).
    #[serde(default = "default_population")]
    pub population: String,
    /// Counts below this are within noise.
    #[serde(default = "default_small_count")]
    pub small_count: f64,
    /// Aggregation levels (commune, epci, departement).
    #[serde(default = "default_levels")]
    pub levels: Vec<Level>,
    /// Custom groups: name → IRIS, commune or EPCI codes (default: those of `[indices.groups]`).
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
    /// Compute the social-precarity score per vintage (with `[indices.social]` or its defaults).
    #[serde(default = "yes")]
    pub social: bool,
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl TrendsConfig {
    /// Checks every value that can be checked without the data; each error names its key
    /// below `[trends]`.
    ///
    /// ```
    /// let mut c: fragnum_indices::trends::TrendsConfig =
    ///     toml::from_str("geography_year = 2021\nreference = 'ref_geo2021.csv'\nindicators = ['caf_allocataires']").unwrap();
    /// assert!(c.validate().is_ok());
    /// c.vintages = vec![2020, 2016];
    /// assert!(c.validate().unwrap_err()[0].to_string().starts_with("[trends] vintages:"));
    /// ```
    // `!(x > 0.0)` is meant: unlike `x <= 0.0` it also refuses NaN.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn validate(&self) -> Result<(), Vec<TrendsError>> {
        let mut errors = Vec::new();
        let mut bad = |key: String, message: String| errors.push(TrendsError::setting(key, message));
        if !(1990..=2100).contains(&self.geography_year) {
            bad("geography_year".into(), format!("{} is not a year of INSEE's IRIS geography", self.geography_year));
        }
        // The reference list names its year (`reference_IRIS_geo2021`): it must be the target's.
        let file = self.reference.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if file.is_empty() {
            bad("reference".into(), "names no file".into());
        }
        let years: Vec<u16> = file
            .split(|c: char| !c.is_ascii_digit())
            .filter(|d| d.len() == 4)
            .filter_map(|d| d.parse().ok())
            .filter(|y| (1990..=2100).contains(y))
            .collect();
        if !years.is_empty() && !years.contains(&self.geography_year) {
            bad(
                "reference".into(),
                format!("`{file}` looks like the IRIS list of {}, not of geography_year = {}", years[0], self.geography_year),
            );
        }
        if self.indicators.is_empty() && self.shares.is_empty() {
            bad("indicators".into(), "names no variable to follow".into());
        }
        let mut seen = BTreeSet::new();
        for (i, name) in self.indicators.iter().enumerate() {
            if !is_name(name) {
                bad(format!("indicators[{i}]"), format!("`{name}` is not a variable name (letters, digits, `_`)"));
            } else if !seen.insert(name.clone()) {
                bad(format!("indicators[{i}]"), format!("`{name}` is listed twice"));
            }
        }
        for (i, s) in self.shares.iter().enumerate() {
            if !is_name(&s.name) || !seen.insert(s.name.clone()) {
                bad(format!("shares[{i}].name"), format!("`{}` is not a new indicator name (letters, digits, `_`)", s.name));
            }
            for (key, v) in [("numerator", &s.numerator), ("denominator", &s.denominator)] {
                if !is_name(v) {
                    bad(format!("shares[{i}].{key}"), format!("`{v}` is not a variable name"));
                }
            }
            if !(s.per > 0.0 && s.per.is_finite()) {
                bad(format!("shares[{i}].per"), format!("{} is not a positive number", s.per));
            }
        }
        match self.vintages.as_slice() {
            [] => {}
            [a, b] if a < b => {}
            other => bad(
                "vintages".into(),
                format!("{other:?}: give two vintages, the earlier first (or none for each indicator's first and last)"),
            ),
        }
        if !(self.small_count >= 0.0 && self.small_count.is_finite()) {
            bad("small_count".into(), format!("{} is not a non-negative number", self.small_count));
        }
        if !is_name(&self.population) {
            bad("population".into(), format!("`{}` is not a variable name", self.population));
        }
        for (i, l) in self.levels.iter().enumerate() {
            if !matches!(l, Level::Commune | Level::Epci | Level::Departement) {
                bad(format!("levels[{i}]"), format!("`{l}` cannot be built from IRIS (use commune, epci, departement, or groups)"));
            }
        }
        for (name, codes) in &self.groups {
            if codes.is_empty() {
                bad(format!("groups.{name}"), "the group has no member".into());
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Checks the variable names against those the column mapping can produce (`known`, from
    /// `variables.toml`): a typo is an error, not an empty series.
    pub fn check_variables(&self, known: &BTreeSet<String>) -> Result<(), Vec<TrendsError>> {
        let mut errors = Vec::new();
        let mut check = |key: String, v: &str| {
            if !known.contains(v) {
                errors.push(TrendsError::setting(key, format!("`{v}` is not a variable of the column mapping (variables.toml)")));
            }
        };
        for (i, v) in self.indicators.iter().enumerate() {
            check(format!("indicators[{i}]"), v);
        }
        for (i, s) in self.shares.iter().enumerate() {
            check(format!("shares[{i}].numerator"), &s.numerator);
            check(format!("shares[{i}].denominator"), &s.denominator);
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Every variable the trends read: indicators, share parts and the population.
    pub fn variables(&self) -> BTreeSet<String> {
        let mut v: BTreeSet<String> = self.indicators.iter().cloned().collect();
        for s in &self.shares {
            v.insert(s.numerator.clone());
            v.insert(s.denominator.clone());
        }
        v.insert(self.population.clone());
        v
    }
}

/// What an indicator is, for the arithmetic of its change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IndicatorKind {
    /// A count: summed over zones; its change is a number of people (or households…).
    Count,
    /// A share recomputed from two counts; its change is in points.
    Share,
    /// A level value in percent (a poverty rate): not summed; its change is in points.
    Percent,
    /// Another level value (a median income in euros): not summed.
    Level,
    /// The social-precarity score of a vintage (base 100 = the level's mean that vintage).
    Score,
}

impl IndicatorKind {
    /// The name written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Count => "count",
            IndicatorKind::Share => "share",
            IndicatorKind::Percent => "percent",
            IndicatorKind::Level => "level",
            IndicatorKind::Score => "score",
        }
    }

    /// True when a change is a difference of percentages (points).
    pub fn in_points(self) -> bool {
        matches!(self, IndicatorKind::Share | IndicatorKind::Percent)
    }
}

/// Level values published in percent (Filosofi's `DISP_TP60`, `DISP_PPSOC`…, QPV `TX_*`).
fn is_percent(variable: &str) -> bool {
    ["disp_tp", "disp_p", "part_", "taux_", "tx_"].iter().any(|p| variable.starts_with(p))
}

/// One indicator of the outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorInfo {
    /// Its name (a variable, a share's name, or [`SOCIAL_SCORE`]).
    pub name: String,
    /// What it is.
    pub kind: IndicatorKind,
    /// The vintages it has, ascending.
    pub vintages: Vec<u16>,
    /// The two vintages its changes compare, when it has them.
    pub compared: Option<(u16, u16)>,
    /// The share's base (100), for shares.
    pub per: Option<f64>,
    /// The sources of its figures.
    pub sources: Vec<String>,
}

/// One figure of the tidy series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    /// Zone or group code (group name for custom groups).
    pub code: String,
    /// Level.
    pub level: Level,
    /// Name, when known.
    pub name: Option<String>,
    /// Indicator.
    pub indicator: String,
    /// Vintage.
    pub vintage: u16,
    /// The figure (`None`: masked or missing, see `masked` and `status`).
    pub value: Option<f64>,
    /// True when the figure is withheld (secret statistique), for the zone or one of its members.
    pub masked: bool,
    /// For a zone, how the passage got its figure (`published`, `recoded`, `merged`,
    /// `commune_part`, `allocated`, `imputed`), or `masked` / `missing`; for an aggregate,
    /// `summed`, `partial`, `published` (a commune's own level value), `masked` or `missing`;
    /// for the score, `computed` or `reweighted` (a variable missing).
    pub status: &'static str,
    /// True when part of the figure was allocated or imputed by the passage.
    pub estimated: bool,
    /// Sources, `; `-separated.
    pub source: String,
    /// A share's summed numerator.
    pub numerator: Option<f64>,
    /// A share's summed denominator.
    pub denominator: Option<f64>,
    /// Member zones with a figure.
    pub zones: usize,
    /// Member zones masked.
    pub zones_masked: usize,
    /// Member zones that have the indicator in some vintage.
    pub zones_expected: usize,
}

/// Why a change may be noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoiseReason {
    /// A count (or a share's numerator or denominator) below `small_count` in either vintage.
    SmallCount,
    /// A masked cell (the zone's or a member's) in that vintage.
    Masked(u16),
    /// A partial sum in that vintage: some member zones have no figure.
    Coverage(u16),
    /// A figure allocated or imputed by the passage in that vintage.
    Estimated(u16),
    /// No figure in that vintage.
    NoFigure(u16),
}

impl NoiseReason {
    /// In words, for tables and logs.
    pub fn describe(self, small_count: f64) -> String {
        match self {
            NoiseReason::SmallCount => format!("small counts (below {small_count})"),
            NoiseReason::Masked(y) => format!("masked cells in {y}"),
            NoiseReason::Coverage(y) => format!("zones without a figure in {y}"),
            NoiseReason::Estimated(y) => format!("estimated by the passage in {y}"),
            NoiseReason::NoFigure(y) => format!("no figure in {y}"),
        }
    }
}

/// The change of one indicator in one zone or group between two vintages.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    /// Zone or group code.
    pub code: String,
    /// Level.
    pub level: Level,
    /// Name, when known.
    pub name: Option<String>,
    /// Indicator.
    pub indicator: String,
    /// What it is.
    pub kind: IndicatorKind,
    /// The earlier vintage.
    pub start_vintage: u16,
    /// The later vintage.
    pub end_vintage: u16,
    /// The figure at the start.
    pub start: Option<f64>,
    /// The figure at the end.
    pub end: Option<f64>,
    /// `end − start`.
    pub change: Option<f64>,
    /// The same for shares and percentages (points); `None` for other kinds.
    pub change_points: Option<f64>,
    /// `(end − start) / start`, when `start > 0`.
    pub relative_change: Option<f64>,
    /// True when the change may be noise (see `noise`); `None` without a change.
    pub within_noise: Option<bool>,
    /// The reasons.
    pub noise: Vec<NoiseReason>,
}

/// Everything the trends produce.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrendsOutput {
    /// The target geography's year.
    pub geography_year: u16,
    /// Indicators in output order.
    pub indicators: Vec<IndicatorInfo>,
    /// The tidy series.
    pub series: Vec<SeriesRow>,
    /// The changes.
    pub changes: Vec<ChangeRow>,
    /// The threshold of small counts.
    pub small_count: f64,
    /// What readers should know (constant inputs, skipped indicators, the digital estimate).
    pub notes: Vec<String>,
}

impl TrendsOutput {
    /// The change of `indicator` in zone or group `code`.
    pub fn change(&self, code: &str, indicator: &str) -> Option<&ChangeRow> {
        self.changes.iter().find(|c| c.code == code && c.indicator == indicator)
    }

    /// The series of `indicator` in `code`, by vintage.
    pub fn series_of<'a>(&'a self, code: &'a str, indicator: &'a str) -> impl Iterator<Item = &'a SeriesRow> {
        self.series.iter().filter(move |r| r.code == code && r.indicator == indicator)
    }
}

/// The territory around the target geography's communes.
#[derive(Debug, Clone, Copy)]
pub struct Territory<'a> {
    /// Commune code → EPCI SIREN and name (the composition table of the config).
    pub commune_epci: &'a BTreeMap<String, (String, Option<String>)>,
    /// Custom groups: name → IRIS, commune or EPCI codes.
    pub groups: &'a BTreeMap<String, Vec<String>>,
}

/// One output unit.
struct Unit {
    code: String,
    level: Level,
    name: Option<String>,
    /// Indices into the base keys.
    members: Vec<usize>,
    /// A zone of the geography (IRIS or, for level values, a commune's own row).
    zone: bool,
}

/// The base zones aggregates are summed from: each IRIS, and each commune as the holder of the
/// parts of merged communes that lie in none of its IRIS (and of figures published by commune).
struct Base {
    keys: Vec<String>,
    index: HashMap<String, usize>,
}

/// The harmonised cells of one variable, by base zone and vintage.
struct VariableCells<'a> {
    /// Cells summed into aggregates: IRIS cells and commune parts; for a variable published by
    /// commune only, the communes' own cells.
    base: HashMap<(usize, u16), &'a HarmonisedCell>,
    /// Communes' own cells (published by commune), for level values.
    own: HashMap<(String, u16), &'a HarmonisedCell>,
    /// Base zones with a cell in some vintage.
    present: HashSet<usize>,
    vintages: Vec<u16>,
}

fn index_cells<'a>(series: &'a HarmonisedSeries, base: &Base, variable: &str) -> VariableCells<'a> {
    let cells: Vec<&HarmonisedCell> = series.cells.iter().filter(|c| c.variable == variable).collect();
    let by_iris = cells.iter().any(|c| c.zone.level() == Level::Iris || c.derivation == Derivation::CommunePart);
    let mut out = VariableCells { base: HashMap::new(), own: HashMap::new(), present: HashSet::new(), vintages: Vec::new() };
    for c in cells {
        let is_part = c.zone.level() == Level::Iris || c.derivation == Derivation::CommunePart;
        if c.zone.level() == Level::Commune && c.derivation != Derivation::CommunePart {
            out.own.insert((c.zone.as_str().to_string(), c.vintage), c);
        }
        if (is_part || !by_iris)
            && let Some(&k) = base.index.get(c.zone.as_str())
        {
            out.base.insert((k, c.vintage), c);
            out.present.insert(k);
        }
        out.vintages.push(c.vintage);
    }
    out.vintages.sort_unstable();
    out.vintages.dedup();
    out
}

fn build_units(series: &HarmonisedSeries, territory: &Territory<'_>, config: &TrendsConfig) -> Result<(Base, Vec<Unit>), TrendsError> {
    let iris: Vec<&Zone> = series.zones.iter().filter(|z| z.code.level() == Level::Iris).collect();
    let communes: Vec<&Zone> = series.zones.iter().filter(|z| z.code.level() == Level::Commune).collect();
    let mut base = Base { keys: Vec::new(), index: HashMap::new() };
    for z in iris.iter().chain(&communes) {
        base.index.insert(z.code.as_str().to_string(), base.keys.len());
        base.keys.push(z.code.as_str().to_string());
    }
    let key = |code: &str| base.index.get(code).copied();
    let mut commune_members: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for z in &iris {
        if let (Some(c), Some(k)) = (z.code.commune(), key(z.code.as_str())) {
            commune_members.entry(c.to_string()).or_default().push(k);
        }
    }
    for z in &communes {
        if let Some(k) = key(z.code.as_str()) {
            commune_members.entry(z.code.as_str().to_string()).or_default().push(k);
        }
    }
    let commune_names: HashMap<&str, Option<String>> = communes
        .iter()
        .map(|z| (z.code.as_str(), z.name.clone()))
        .chain(iris.iter().filter_map(|z| Some((z.code.commune()?, z.commune_name.clone()))))
        .fold(HashMap::new(), |mut m, (k, v)| {
            let e: &mut Option<String> = m.entry(k).or_default();
            if e.is_none() {
                *e = v;
            }
            m
        });
    let mut units: Vec<Unit> = iris
        .iter()
        .filter_map(|z| {
            Some(Unit {
                code: z.code.as_str().to_string(),
                level: Level::Iris,
                name: z.name.clone(),
                members: vec![key(z.code.as_str())?],
                zone: true,
            })
        })
        .collect();
    for level in &config.levels {
        let mut groups: BTreeMap<String, (Option<String>, Vec<usize>)> = BTreeMap::new();
        for (commune, members) in &commune_members {
            let (k, name) = match level {
                Level::Commune => (Some(commune.clone()), commune_names.get(commune.as_str()).cloned().flatten()),
                Level::Epci => match territory.commune_epci.get(commune) {
                    Some((e, n)) => (Some(e.clone()), n.clone()),
                    None => (None, None),
                },
                Level::Departement => (ZoneCode::new(Level::Commune, commune).ok().and_then(|c| c.departement().map(str::to_string)), None),
                _ => (None, None),
            };
            if let Some(k) = k {
                let entry = groups.entry(k).or_insert_with(|| (name, Vec::new()));
                entry.1.extend(members);
            }
        }
        for (code, (name, mut members)) in groups {
            members.sort_unstable();
            units.push(Unit { code, level: *level, name, members, zone: false });
        }
    }
    for (group, codes) in territory.groups {
        let mut members = BTreeSet::new();
        for code in codes {
            let before = members.len();
            // A 9-character code is an IRIS (a commune's own key has 5).
            if code.len() == 9
                && let Some(k) = key(code)
            {
                members.insert(k);
            }
            if let Some(m) = commune_members.get(code) {
                members.extend(m);
            }
            for (commune, m) in &commune_members {
                if territory.commune_epci.get(commune).is_some_and(|(e, _)| e == code) {
                    members.extend(m);
                }
            }
            if members.len() == before {
                return Err(TrendsError::UnknownGroupMember { group: group.clone(), code: code.clone(), year: series.geography_year });
            }
        }
        units.push(Unit {
            code: group.clone(),
            level: Level::Group,
            name: Some(group.clone()),
            members: members.into_iter().collect(),
            zone: false,
        });
    }
    Ok((base, units))
}

fn sources_of<'a>(cells: impl IntoIterator<Item = &'a HarmonisedCell>) -> String {
    let set: BTreeSet<&str> = cells.into_iter().map(|c| c.source.as_str()).collect();
    set.into_iter().collect::<Vec<_>>().join("; ")
}

/// The state of one member cell in one vintage.
fn status_of_cell(c: &HarmonisedCell) -> &'static str {
    match c.cell {
        Cell::Value(_) => c.derivation.as_str(),
        Cell::Masked => "masked",
        Cell::Missing => "missing",
    }
}

/// A count summed over a unit's member zones in one vintage.
struct Summed {
    value: Option<f64>,
    masked: bool,
    status: &'static str,
    estimated: bool,
    source: String,
    /// Members with a value, masked, and with the indicator in some vintage.
    zones: [usize; 3],
}

/// A count's row in one unit and vintage.
fn count_row(unit: &Unit, cells: &VariableCells<'_>, vintage: u16) -> Option<Summed> {
    let expected: Vec<usize> = unit.members.iter().copied().filter(|m| cells.present.contains(m)).collect();
    if expected.is_empty() {
        return None;
    }
    let here: Vec<&HarmonisedCell> = expected.iter().filter_map(|m| cells.base.get(&(*m, vintage)).copied()).collect();
    let values: Vec<f64> = here.iter().filter_map(|c| c.cell.value()).collect();
    let masked = here.iter().filter(|c| c.cell == Cell::Masked).count();
    let estimated = here.iter().any(|c| c.derivation.is_estimate() && c.cell.is_value());
    let value = (!values.is_empty()).then(|| values.iter().sum());
    let status = if unit.zone {
        here.first().map_or("missing", |c| status_of_cell(c))
    } else if value.is_none() {
        if masked > 0 { "masked" } else { "missing" }
    } else if values.len() == expected.len() {
        "summed"
    } else {
        "partial"
    };
    Some(Summed {
        value,
        masked: masked > 0,
        status,
        estimated,
        source: sources_of(here.iter().copied()),
        zones: [values.len(), masked, expected.len()],
    })
}

/// The series row of a count summed over `unit`.
fn count_series_row(unit: &Unit, indicator: &str, vintage: u16, summed: Summed) -> SeriesRow {
    let Summed { value, masked, status, estimated, source, zones: [zones, zones_masked, zones_expected] } = summed;
    SeriesRow {
        code: unit.code.clone(),
        level: unit.level,
        name: unit.name.clone(),
        indicator: indicator.to_string(),
        vintage,
        value,
        masked,
        status,
        estimated,
        source,
        numerator: None,
        denominator: None,
        zones,
        zones_masked,
        zones_expected,
    }
}

/// Computes the series and changes of every indicator of `config` on `series`. `social` gives
/// the social score's variables and weights (`None`: no score).
pub fn compute(
    series: &HarmonisedSeries,
    territory: &Territory<'_>,
    config: &TrendsConfig,
    social: Option<&SocialSettings>,
) -> Result<TrendsOutput, TrendsError> {
    if let Err(mut errors) = config.validate() {
        return Err(errors.swap_remove(0));
    }
    let (base, units) = build_units(series, territory, config)?;
    let mut out = TrendsOutput { geography_year: series.geography_year, small_count: config.small_count, ..TrendsOutput::default() };
    let mut cache: BTreeMap<String, VariableCells<'_>> = BTreeMap::new();
    let mut cells_of = |v: &str| -> usize {
        if !cache.contains_key(v) {
            cache.insert(v.to_string(), index_cells(series, &base, v));
        }
        cache.get(v).map_or(0, |c| c.vintages.len())
    };
    for v in config.indicators.iter().chain(config.shares.iter().flat_map(|s| [&s.numerator, &s.denominator])) {
        if cells_of(v) == 0 {
            out.notes.push(format!("`{v}`: no table of the config gives it at IRIS or commune level; no series"));
        }
    }

    for name in &config.indicators {
        let cells = &cache[name];
        if cells.vintages.is_empty() {
            continue;
        }
        let count = series.cells.iter().find(|c| &c.variable == name).is_some_and(|c| c.kind == VariableKind::Count);
        let kind = if count {
            IndicatorKind::Count
        } else if is_percent(name) {
            IndicatorKind::Percent
        } else {
            IndicatorKind::Level
        };
        for unit in &units {
            for &y in &cells.vintages {
                let row = if count {
                    count_row(unit, cells, y).map(|summed| count_series_row(unit, name, y, summed))
                } else {
                    level_row(unit, cells, name, y)
                };
                out.series.extend(row);
            }
        }
        out.indicators.push(info(name, kind, cells.vintages.clone(), None, &out.series));
    }

    for share in &config.shares {
        let (num, den) = (&cache[&share.numerator], &cache[&share.denominator]);
        let vintages: Vec<u16> = num.vintages.iter().copied().filter(|y| den.vintages.contains(y)).collect();
        if vintages.is_empty() {
            out.notes.push(format!(
                "share `{}`: {} and {} have no vintage in common; no series",
                share.name, share.numerator, share.denominator
            ));
            continue;
        }
        for unit in &units {
            for &y in &vintages {
                out.series.extend(share_row(unit, share, (num, den), y));
            }
        }
        out.indicators.push(info(&share.name, IndicatorKind::Share, vintages, Some(share.per), &out.series));
    }

    if config.social
        && let Some(settings) = social
    {
        social_scores(series, &base, &units, settings, &mut out)?;
    }

    for ind in &mut out.indicators {
        ind.compared = match config.vintages.as_slice() {
            [a, b] if ind.vintages.contains(a) && ind.vintages.contains(b) => Some((*a, *b)),
            [a, b] => {
                out.notes.push(format!("`{}` lacks vintage {a} or {b} (it has {:?}): no change", ind.name, ind.vintages));
                None
            }
            _ => match (ind.vintages.first(), ind.vintages.last()) {
                (Some(a), Some(b)) if a < b => Some((*a, *b)),
                _ => {
                    out.notes.push(format!("`{}` has one vintage only ({:?}): no change", ind.name, ind.vintages));
                    None
                }
            },
        };
    }
    out.changes = changes(&out, config.small_count);
    out.notes.push(
        "no digital-precarity estimate per survey year: each indicator of the rate files has one survey year, so a change would mix a new survey with demographic change; the census strata are those of one vintage".into(),
    );
    Ok(out)
}

fn info(name: &str, kind: IndicatorKind, vintages: Vec<u16>, per: Option<f64>, rows: &[SeriesRow]) -> IndicatorInfo {
    let sources: BTreeSet<String> = rows
        .iter()
        .filter(|r| r.indicator == name)
        .flat_map(|r| r.source.split("; ").map(str::to_string).collect::<Vec<_>>())
        .filter(|s| !s.is_empty())
        .collect();
    IndicatorInfo { name: name.to_string(), kind, vintages, compared: None, per, sources: sources.into_iter().collect() }
}

/// A level value: a zone's own cell, a commune's own published row; none for other aggregates.
fn level_row(unit: &Unit, cells: &VariableCells<'_>, name: &str, vintage: u16) -> Option<SeriesRow> {
    let cell = if unit.zone {
        unit.members.first().and_then(|m| cells.base.get(&(*m, vintage)).copied())
    } else if unit.level == Level::Commune {
        cells.own.get(&(unit.code.clone(), vintage)).copied()
    } else {
        None
    }?;
    let status = if unit.zone {
        status_of_cell(cell)
    } else if cell.cell.is_value() {
        "published"
    } else {
        status_of_cell(cell)
    };
    Some(SeriesRow {
        code: unit.code.clone(),
        level: unit.level,
        name: unit.name.clone(),
        indicator: name.to_string(),
        vintage,
        value: cell.cell.value(),
        masked: cell.cell == Cell::Masked,
        status,
        estimated: cell.derivation.is_estimate(),
        source: cell.source.clone(),
        numerator: None,
        denominator: None,
        zones: usize::from(cell.cell.is_value()),
        zones_masked: usize::from(cell.cell == Cell::Masked),
        zones_expected: 1,
    })
}

/// A share: Σ numerators / Σ denominators over the member zones that have both.
fn share_row(unit: &Unit, share: &ShareSpec, (num, den): (&VariableCells<'_>, &VariableCells<'_>), vintage: u16) -> Option<SeriesRow> {
    let expected: Vec<usize> = unit.members.iter().copied().filter(|m| num.present.contains(m) && den.present.contains(m)).collect();
    if expected.is_empty() {
        return None;
    }
    let (mut sum_num, mut sum_den, mut zones, mut masked, mut estimated) = (0.0, 0.0, 0usize, 0usize, false);
    let mut used = Vec::new();
    let mut derivation = Derivation::Published;
    let mut first_state = None;
    for m in &expected {
        let (a, b) = (num.base.get(&(*m, vintage)), den.base.get(&(*m, vintage)));
        if first_state.is_none() {
            first_state = Some(match (a, b) {
                (Some(a), Some(b)) if a.cell.is_value() && b.cell.is_value() => "value",
                (Some(a), _) if a.cell == Cell::Masked => "masked",
                (_, Some(b)) if b.cell == Cell::Masked => "masked",
                _ => "missing",
            });
        }
        match (a, b) {
            (Some(a), Some(b)) => {
                used.push(*a);
                used.push(*b);
                if let (Some(x), Some(y)) = (a.cell.value(), b.cell.value()) {
                    sum_num += x;
                    sum_den += y;
                    zones += 1;
                    estimated |= a.derivation.is_estimate() || b.derivation.is_estimate();
                    derivation = derivation.max(a.derivation).max(b.derivation);
                } else if a.cell == Cell::Masked || b.cell == Cell::Masked {
                    masked += 1;
                }
            }
            (Some(c), None) | (None, Some(c)) if c.cell == Cell::Masked => masked += 1,
            _ => {}
        }
    }
    let value = (zones > 0 && sum_den > 0.0).then(|| share.per * sum_num / sum_den);
    let status = if unit.zone {
        match first_state {
            Some("value") if value.is_some() => derivation.as_str(),
            Some("masked") => "masked",
            _ => "missing",
        }
    } else if value.is_none() {
        if masked > 0 { "masked" } else { "missing" }
    } else if zones == expected.len() {
        "summed"
    } else {
        "partial"
    };
    Some(SeriesRow {
        code: unit.code.clone(),
        level: unit.level,
        name: unit.name.clone(),
        indicator: share.name.clone(),
        vintage,
        value,
        masked: masked > 0,
        status,
        estimated,
        source: sources_of(used),
        numerator: (zones > 0).then_some(sum_num),
        denominator: (zones > 0).then_some(sum_den),
        zones,
        zones_masked: masked,
        zones_expected: expected.len(),
    })
}

/// The social-precarity score per vintage, at every level, with `settings`' variables and weights.
// One zone table per vintage, then the scorer per level: one linear pass.
#[allow(clippy::too_many_lines)]
fn social_scores(
    series: &HarmonisedSeries,
    base: &Base,
    units: &[Unit],
    settings: &SocialSettings,
    out: &mut TrendsOutput,
) -> Result<(), TrendsError> {
    let mut exprs = Vec::new();
    for (name, var) in &settings.variables {
        exprs.push((name.clone(), Expr::parse(&var.expression)?, var));
    }
    let used: BTreeSet<&str> = exprs.iter().flat_map(|(_, e, _)| e.variables()).collect();
    let vintages: BTreeMap<&str, Vec<u16>> = used.iter().map(|v| (*v, series.vintages(v))).filter(|(_, y)| !y.is_empty()).collect();
    let varying: Vec<(&str, &Vec<u16>)> = vintages.iter().filter(|(_, y)| y.len() > 1).map(|(v, y)| (*v, y)).collect();
    let Some((_, first)) = varying.first() else {
        out.notes.push("social score per vintage: no input of [indices.social] has two vintages; not computed".into());
        return Ok(());
    };
    let common: Vec<u16> = first.iter().copied().filter(|y| varying.iter().all(|(_, ys)| ys.contains(y))).collect();
    if common.is_empty() {
        out.notes.push("social score per vintage: its time-varying inputs share no vintage; not computed".into());
        return Ok(());
    }
    let constant: Vec<String> = vintages.iter().filter(|(_, y)| y.len() == 1).map(|(v, y)| format!("{v} ({})", y[0])).collect();
    out.notes.push(format!(
        "social score per vintage {:?}: time-varying inputs {}; inputs published once held at their only vintage: {}; scores are relative to each vintage's mean over the level's zones, so a change is a change of position",
        common,
        varying.iter().map(|(v, _)| *v).collect::<Vec<_>>().join(", "),
        if constant.is_empty() { "none".to_string() } else { constant.join(", ") }
    ));
    // Base zones become rows of one zone table per vintage; a commune's parts lying in none of
    // its IRIS get a row of their own, apart from the commune's own (published) row.
    let mut owns: HashMap<String, usize> = HashMap::new();
    // Only the communes that hold such parts: an empty part would leave every commune's summed
    // ratio without a value.
    let with_parts: HashSet<usize> = series
        .cells
        .iter()
        .filter(|c| c.derivation == Derivation::CommunePart)
        .filter_map(|c| base.index.get(c.zone.as_str()).copied())
        .collect();
    for y in &common {
        let mut table = ZoneTable::new();
        let mut rows = Vec::with_capacity(base.keys.len());
        for key in &base.keys {
            // A commune's key holds the parts lying in none of its IRIS: a row apart from its own.
            let code = ZoneCode::new(Level::Iris, key).or_else(|_| ZoneCode::new(Level::Group, &format!("part:{key}")));
            match code {
                Ok(code) => rows.push(table.upsert_zone(Zone::new(code))),
                Err(e) => return Err(TrendsError::setting("geography", e.to_string())),
            }
        }
        for c in &series.cells {
            let Some(ys) = vintages.get(c.variable.as_str()) else { continue };
            let wanted = if ys.len() == 1 { ys[0] } else { *y };
            if c.vintage != wanted {
                continue;
            }
            let row = if c.zone.level() == Level::Commune && c.derivation != Derivation::CommunePart {
                let code = c.zone.as_str().to_string();
                *owns.entry(code).or_insert_with(|| table.upsert_zone(Zone::new(c.zone.clone())))
            } else {
                match base.index.get(c.zone.as_str()) {
                    Some(&k) => rows[k],
                    None => continue,
                }
            };
            table.set(row, &c.variable, c.cell, Some(c.vintage));
        }
        let reader = Reader::new(&table);
        let mut by_level: BTreeMap<Level, Vec<usize>> = BTreeMap::new();
        for (u, unit) in units.iter().enumerate() {
            by_level.entry(unit.level).or_default().push(u);
        }
        for us in by_level.values() {
            let mut specs = Vec::new();
            let mut values = Vec::new();
            for (name, expr, var) in &exprs {
                let v: Vec<Option<f64>> = us
                    .iter()
                    .map(|&u| {
                        let unit = &units[u];
                        let members: Vec<usize> = unit
                            .members
                            .iter()
                            .filter(|&&m| base.keys[m].len() == 9 || with_parts.contains(&m))
                            .map(|&m| rows[m])
                            .collect();
                        let own = if unit.level == Level::Commune { owns.get(&unit.code).copied() } else { None };
                        let source = if unit.zone { Source::Row(members[0]) } else { Source::Group { members: &members, own } };
                        reader.eval(expr, source, &mut VintageSpan::default()).map(|x| x.0)
                    })
                    .collect();
                if v.iter().any(Option::is_some) {
                    specs.push(Spec { name: name.clone(), weight: var.weight, direction: var.direction });
                    values.push(v);
                }
            }
            if specs.is_empty() {
                continue;
            }
            for (&u, s) in us.iter().zip(social::score_level(&values, &specs, settings.classes)) {
                let Some(score) = s.score else { continue };
                let unit = &units[u];
                out.series.push(SeriesRow {
                    code: unit.code.clone(),
                    level: unit.level,
                    name: unit.name.clone(),
                    indicator: SOCIAL_SCORE.into(),
                    vintage: *y,
                    value: Some(score),
                    masked: false,
                    status: if s.missing.is_empty() { "computed" } else { "reweighted" },
                    estimated: false,
                    source: "Calcul fragnum : variables et poids de [indices.social]".into(),
                    numerator: None,
                    denominator: None,
                    zones: unit.members.len(),
                    zones_masked: 0,
                    zones_expected: unit.members.len(),
                });
            }
        }
        owns.clear();
    }
    let rows = &out.series;
    let info = info(SOCIAL_SCORE, IndicatorKind::Score, common, None, rows);
    out.indicators.push(info);
    Ok(())
}

/// The changes of every indicator between its compared vintages.
fn changes(out: &TrendsOutput, small_count: f64) -> Vec<ChangeRow> {
    let mut by_key: HashMap<(&str, Level, &str, u16), &SeriesRow> = HashMap::new();
    let mut units: BTreeSet<(&str, usize, Level, &str)> = BTreeSet::new();
    let order: HashMap<&str, usize> = out.indicators.iter().enumerate().map(|(i, ind)| (ind.name.as_str(), i)).collect();
    for r in &out.series {
        by_key.insert((r.indicator.as_str(), r.level, r.code.as_str(), r.vintage), r);
        units.insert((r.indicator.as_str(), order.get(r.indicator.as_str()).copied().unwrap_or(usize::MAX), r.level, r.code.as_str()));
    }
    let mut keys: Vec<(&str, usize, Level, &str)> = units.into_iter().collect();
    keys.sort_by(|a, b| (a.1, a.2, a.3).cmp(&(b.1, b.2, b.3)));
    let mut rows = Vec::new();
    for (indicator, i, level, code) in keys {
        let Some(ind) = out.indicators.get(i) else { continue };
        let Some((from, to)) = ind.compared else { continue };
        let (s, e) = (by_key.get(&(indicator, level, code, from)), by_key.get(&(indicator, level, code, to)));
        if s.is_none() && e.is_none() {
            continue;
        }
        let start = s.and_then(|r| r.value);
        let end = e.and_then(|r| r.value);
        let change = start.zip(end).map(|(x, y)| y - x);
        let mut noise = Vec::new();
        for (y, r) in [(from, s), (to, e)] {
            match r {
                None => noise.push(NoiseReason::NoFigure(y)),
                Some(r) => {
                    if r.masked {
                        noise.push(NoiseReason::Masked(y));
                    }
                    if r.value.is_none() && !r.masked {
                        noise.push(NoiseReason::NoFigure(y));
                    }
                    if r.status == "partial" && r.zones + r.zones_masked < r.zones_expected {
                        noise.push(NoiseReason::Coverage(y));
                    }
                    if r.estimated {
                        noise.push(NoiseReason::Estimated(y));
                    }
                }
            }
        }
        let small = |r: Option<&&SeriesRow>| {
            r.is_some_and(|r| match ind.kind {
                IndicatorKind::Count => r.value.is_some_and(|v| v < small_count),
                IndicatorKind::Share => r.numerator.is_some_and(|v| v < small_count) || r.denominator.is_some_and(|v| v < small_count),
                _ => false,
            })
        };
        if small(s) || small(e) {
            noise.insert(0, NoiseReason::SmallCount);
        }
        let name = s.or(e).and_then(|r| r.name.clone());
        rows.push(ChangeRow {
            code: code.to_string(),
            level,
            name,
            indicator: indicator.to_string(),
            kind: ind.kind,
            start_vintage: from,
            end_vintage: to,
            start,
            end,
            change,
            change_points: change.filter(|_| ind.kind.in_points()),
            relative_change: change.zip(start).and_then(|(c, s)| (s > 0.0).then(|| c / s)),
            within_noise: change.map(|_| !noise.is_empty()),
            noise,
        });
    }
    rows
}

#[cfg(test)]
#[allow(clippy::many_single_char_names, clippy::float_cmp)] // short names for hand-made figures
mod tests {
    use fragnum_core::harmonised::HarmonisedCell;

    use super::*;

    fn code(c: &str) -> ZoneCode {
        let level = if c.len() == 9 { Level::Iris } else { Level::Commune };
        ZoneCode::new(level, c).unwrap()
    }

    fn cell(zone: &str, variable: &str, vintage: u16, cell: Cell, derivation: Derivation) -> HarmonisedCell {
        let kind = if variable.starts_with("caf_") || variable == "pop" { VariableKind::Count } else { VariableKind::Level };
        HarmonisedCell {
            zone: code(zone),
            variable: variable.into(),
            vintage,
            cell,
            kind,
            derivation,
            parts: 1,
            masked_parts: u32::from(cell == Cell::Masked),
            missing_parts: 0,
            known_part: 0.0,
            source: format!("CAF {vintage}"),
        }
    }

    fn config() -> TrendsConfig {
        let mut c: TrendsConfig = toml::from_str(
            "geography_year = 2021\nreference = 'reference_IRIS_geo2021.csv'\nindicators = ['caf_allocataires', 'caf_rsa_socle', 'disp_med', 'disp_tp60']\n\
             [[shares]]\nname = 'rsa_pour_100'\nnumerator = 'caf_rsa_socle'\ndenominator = 'caf_allocataires'\n",
        )
        .unwrap();
        c.social = false;
        c
    }

    /// Commune 38001 with IRIS 0101, 0102; commune 38002 (0000); commune 73003 split into IRIS
    /// with a part of a merged commune counted in the commune as a whole.
    fn series() -> HarmonisedSeries {
        use Derivation::{CommunePart, Merged, Published};
        let v = Cell::Value;
        let mut zones: Vec<Zone> = ["380010101", "380010102", "380020000", "730030101"].iter().map(|c| Zone::new(code(c))).collect();
        zones.extend(["38001", "38002", "73003"].iter().map(|c| Zone { name: Some(format!("Commune {c}")), ..Zone::new(code(c)) }));
        let cells = vec![
            cell("380010101", "caf_allocataires", 2016, v(200.0), Published),
            cell("380010101", "caf_allocataires", 2020, v(220.0), Published),
            cell("380010101", "caf_rsa_socle", 2016, v(20.0), Published),
            cell("380010101", "caf_rsa_socle", 2020, v(33.0), Published),
            cell("380010102", "caf_allocataires", 2016, v(100.0), Published),
            cell("380010102", "caf_allocataires", 2020, v(90.0), Published),
            cell("380010102", "caf_rsa_socle", 2016, Cell::Masked, Published),
            cell("380010102", "caf_rsa_socle", 2020, v(12.0), Published),
            cell("380020000", "caf_allocataires", 2016, v(8.0), Merged),
            cell("380020000", "caf_allocataires", 2020, v(9.0), Merged),
            cell("73003", "caf_allocataires", 2020, v(15.0), CommunePart),
            cell("730030101", "caf_allocataires", 2016, v(300.0), Published),
            cell("730030101", "caf_allocataires", 2020, v(310.0), Published),
            cell("380010101", "disp_med", 2019, v(20_000.0), Published),
            cell("380010101", "disp_med", 2020, v(20_600.0), Published),
            cell("38001", "disp_med", 2020, v(21_000.0), Published),
            cell("380010101", "disp_tp60", 2019, v(14.0), Published),
            cell("380010101", "disp_tp60", 2020, v(15.5), Published),
        ];
        HarmonisedSeries { geography_year: 2021, zones, cells }
    }

    fn epci() -> BTreeMap<String, (String, Option<String>)> {
        [("38001", "200000001"), ("38002", "200000001"), ("73003", "200000002")]
            .iter()
            .map(|(c, e)| ((*c).to_string(), ((*e).to_string(), Some(format!("EPCI {e}")))))
            .collect()
    }

    fn run(groups: &BTreeMap<String, Vec<String>>) -> TrendsOutput {
        let epci = epci();
        compute(&series(), &Territory { commune_epci: &epci, groups }, &config(), None).unwrap()
    }

    fn row<'a>(o: &'a TrendsOutput, code: &str, indicator: &str, vintage: u16) -> &'a SeriesRow {
        o.series.iter().find(|r| r.code == code && r.indicator == indicator && r.vintage == vintage).unwrap()
    }

    #[test]
    fn aggregates_sum_counts_and_recompute_shares() {
        let mut groups = BTreeMap::new();
        groups.insert("Nord".to_string(), vec!["380010101".to_string(), "38002".to_string()]);
        let o = run(&groups);
        // Commune 38001: 200 + 100 in 2016.
        let c = row(&o, "38001", "caf_allocataires", 2016);
        assert_eq!((c.value, c.status, c.zones), (Some(300.0), "summed", 2));
        // 73003: the merged commune's part counts in 2020 only: the 2016 sum is partial.
        assert_eq!(row(&o, "73003", "caf_allocataires", 2020).value, Some(325.0));
        let p = row(&o, "73003", "caf_allocataires", 2016);
        assert_eq!((p.value, p.status, p.zones, p.zones_expected), (Some(300.0), "partial", 1, 2));
        // EPCI and département sum their communes; the group its listed zones.
        assert_eq!(row(&o, "200000001", "caf_allocataires", 2020).value, Some(319.0));
        assert_eq!(row(&o, "38", "caf_allocataires", 2020).value, Some(319.0));
        assert_eq!(row(&o, "Nord", "caf_allocataires", 2020).value, Some(229.0));
        // Shares from summed counts (never averaged), over the zones that have both.
        let s = row(&o, "38001", "rsa_pour_100", 2020);
        assert!((s.value.unwrap() - 100.0 * 45.0 / 310.0).abs() < 1e-9);
        assert_eq!(s.status, "summed");
        let s16 = row(&o, "38001", "rsa_pour_100", 2016);
        assert!((s16.value.unwrap() - 10.0).abs() < 1e-9);
        assert!(s16.masked && s16.status == "partial");
        // Level values are not summed: the commune reads its own row, the EPCI has none.
        assert_eq!(row(&o, "38001", "disp_med", 2020).value, Some(21_000.0));
        assert!(!o.series.iter().any(|r| r.code == "200000001" && r.indicator == "disp_med"));
    }

    #[test]
    fn changes_flag_noise_with_reasons() {
        let o = run(&BTreeMap::new());
        let c = o.change("380010101", "caf_rsa_socle").unwrap();
        assert_eq!((c.start, c.end, c.change, c.within_noise), (Some(20.0), Some(33.0), Some(13.0), Some(false)));
        assert!((c.relative_change.unwrap() - 0.65).abs() < 1e-12);
        assert_eq!(c.change_points, None);
        // Share: change in points.
        let s = o.change("380010101", "rsa_pour_100").unwrap();
        assert!((s.change_points.unwrap() - (15.0 - 10.0)).abs() < 1e-9);
        // A masked start: no change, and said why.
        let m = o.change("380010102", "caf_rsa_socle").unwrap();
        assert_eq!((m.change, m.within_noise), (None, None));
        assert_eq!(m.noise, vec![NoiseReason::Masked(2016)]);
        // Small counts (below 11) are within noise.
        let small = o.change("380020000", "caf_allocataires").unwrap();
        assert_eq!((small.change, small.within_noise), (Some(1.0), Some(true)));
        assert_eq!(small.noise, vec![NoiseReason::SmallCount]);
        // A partial sum at the start.
        let p = o.change("73003", "caf_allocataires").unwrap();
        assert_eq!(p.noise, vec![NoiseReason::Coverage(2016)]);
        // A masked member makes the commune's 2016 share partial and masked.
        let cs = o.change("38001", "rsa_pour_100").unwrap();
        assert!(cs.noise.contains(&NoiseReason::Masked(2016)) && cs.within_noise == Some(true), "{:?}", cs.noise);
        // Percent level value: points; median: euros and relative.
        assert!((o.change("380010101", "disp_tp60").unwrap().change_points.unwrap() - 1.5).abs() < 1e-9);
        let med = o.change("380010101", "disp_med").unwrap();
        assert_eq!((med.start_vintage, med.end_vintage, med.change, med.change_points), (2019, 2020, Some(600.0), None));
        // The commune's own median exists in 2020 only: one vintage, a change with no start.
        let cm = o.change("38001", "disp_med").unwrap();
        assert_eq!((cm.change, cm.noise.clone()), (None, vec![NoiseReason::NoFigure(2019)]));
    }

    #[test]
    fn chosen_vintages_and_settings_are_checked() {
        let mut c = config();
        c.vintages = vec![2016, 2020];
        let epci = epci();
        let o = compute(&series(), &Territory { commune_epci: &epci, groups: &BTreeMap::new() }, &c, None).unwrap();
        assert!(o.notes.iter().any(|n| n.contains("`disp_med` lacks vintage 2016 or 2020")), "{:?}", o.notes);
        c.reference = "reference_IRIS_geo2019.csv".into();
        c.shares[0].per = 0.0;
        c.levels.push(Level::Qpv);
        let e: Vec<String> = c.validate().unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].contains("looks like the IRIS list of 2019"), "{e:?}");
        let known: BTreeSet<String> = ["caf_allocataires", "caf_rsa_socle", "disp_med"].iter().map(|s| (*s).to_string()).collect();
        let e = config().check_variables(&known).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].key(), "indicators[3]");
        let mut groups = BTreeMap::new();
        groups.insert("Sud".to_string(), vec!["99999".to_string()]);
        let err = compute(&series(), &Territory { commune_epci: &epci, groups: &groups }, &config(), None).unwrap_err();
        assert!(err.to_string().contains("`99999` is no IRIS"), "{err}");
    }

    #[test]
    fn social_score_per_vintage_on_common_vintages() {
        let mut s = series();
        // pop published once (2016): held constant.
        for (z, p) in [("380010101", 1000.0), ("380010102", 800.0), ("380020000", 50.0), ("730030101", 1200.0)] {
            s.cells.push(cell(z, "pop", 2016, Cell::Value(p), Derivation::Published));
        }
        let mut settings = SocialSettings::default();
        settings.variables.retain(|k, _| k == "rsa" || k == "revenu_median");
        let mut c = config();
        c.social = true;
        let epci = epci();
        let o = compute(&s, &Territory { commune_epci: &epci, groups: &BTreeMap::new() }, &c, Some(&settings)).unwrap();
        let info = o.indicators.iter().find(|i| i.name == SOCIAL_SCORE).unwrap();
        // caf_rsa_socle: 2016, 2020; disp_med: 2019, 2020 → common 2020 only.
        assert_eq!(info.vintages, vec![2020]);
        assert!(o.notes.iter().any(|n| n.contains("pop (2016)")), "{:?}", o.notes);
        let a = row(&o, "380010101", SOCIAL_SCORE, 2020);
        assert_eq!(a.status, "computed");
        // Two IRIS with rsa/pop = 0.033 and 0.015: relative to their mean.
        let b = row(&o, "380010102", SOCIAL_SCORE, 2020);
        assert!(a.value.unwrap() > b.value.unwrap());
    }
}
