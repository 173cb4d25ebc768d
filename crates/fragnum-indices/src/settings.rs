//! The `[indices]` section of a pipeline config, with defaults for every key.
//!
//! ```toml
//! [indices]
//! rates = ["rates/insee-tic-2021-illectronisme.csv"]   # relative to the config folder
//! estimator = "joint_logit"         # default; or "dimension_mean" (the Grenoble diagnostic's)
//! share_dimensions = ["income"]     # dimensions given as proportions (income bands), scaled to the universe
//!
//! [indices.income]                  # Filosofi deciles → shares in national income bands
//! limits = [14510, 19430, 24790, 32560]
//!
//! [indices.uncertainty]
//! design_effect = 1.5
//! population = "pop"
//! base_level = "iris"               # zones computed from their own strata, then summed upwards
//! standalone_levels = ["qpv"]       # computed zone by zone, never summed (QPV overlap IRIS)
//! levels = ["commune", "epci", "departement"]
//!
//! [indices.social.variables.rsa]
//! expression = "caf_rsa_socle/pop"
//! weight = 1.0
//! direction = "direct"              # "inverse" for median income
//!
//! [indices.ifn]
//! references = ["departement"]      # departement, epci, perimeter, group:<name>
//! variant = "ifn_2020"              # or "ifn_2020_income_inverted"
//! reference_income = { "73" = 21802 }
//! missing_income = "unscored"       # or "zero_point" (MedNum 2020: a missing income is a 0 point)
//!
//! [indices.ifn.reference_values.region]   # reference values read from each zone's row (MedNum's « SEUILS »)
//! one_person_households = "mednum_seuil_region_menages_1pers"
//! # … single_parent_families, income, aged_15_29, aged_65_plus, low_diploma
//!
//! [[indices.cross.proxies]]
//! name = "pauvrete"
//! expression = "disp_tp60"
//! kind = "percent"
//!
//! [indices.groups]
//! "Secteur 1" = ["001000101", "001000102"]
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use fragnum_core::{Level, ZoneTable};
use serde::Deserialize;

use crate::IndicesError;
use crate::expr::Expr;
use crate::rates::{self, RateTable, SelectedRates};

/// Which digital-precarity estimate is the central one (both are always computed, and their gap
/// is one part of the uncertainty band).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// One estimate per dimension (Σ rate × stratum count), averaged over the dimensions a zone
    /// has: the Grenoble diagnostic's own method, kept for comparison. Averaging does not combine
    /// effects: a zone both old and without diploma gets the mean of two rates, not their joint.
    DimensionMean,
    /// Default. Additive logit model fitted to the published marginals, applied to each zone's
    /// joint strata estimated by iterative proportional fitting on its own marginals: effects
    /// combine. With one dimension it equals the dimension estimate.
    #[default]
    JointLogit,
}

impl Estimator {
    /// The name written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Estimator::DimensionMean => "dimension_mean",
            Estimator::JointLogit => "joint_logit",
        }
    }
}

/// All indices settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndicesSettings {
    /// Rate files, relative to the config folder (read by the CLI, parsed with [`crate::rates::RateTable::parse`]).
    pub rates: Vec<PathBuf>,
    /// Central estimator.
    pub estimator: Estimator,
    /// Only these indicators (empty: every indicator of the rate files).
    pub indicators: Vec<String>,
    /// Only these dimensions (empty: every dimension of the rate files); each must exist for every indicator used.
    pub dimensions: Vec<String>,
    /// A dimension is used in a zone only when its strata cover at least this share of the universe
    /// population (and at most its inverse).
    pub min_coverage: f64,
    /// The population variable (outputs, cross, zero-population checks).
    pub population: String,
    /// Zones computed from their own strata and summed into the aggregation levels.
    pub base_level: Level,
    /// Levels computed zone by zone from their own strata, never summed (QPV overlap IRIS).
    pub standalone_levels: Vec<Level>,
    /// Aggregation levels built from the base zones (`commune`, `epci`, `departement`).
    pub levels: Vec<Level>,
    /// Custom groups: name → member codes (base-level zones).
    pub groups: BTreeMap<String, Vec<String>>,
    /// Social precarity.
    pub social: SocialSettings,
    /// Indice de fragilité numérique.
    pub ifn: IfnSettings,
    /// Digital × social cross.
    pub cross: CrossSettings,
    /// Dimensions whose rate-table variables are proportions of the universe (summing to one), not
    /// counts: scaled to each zone's universe, without the coverage check. Default `income`.
    pub share_dimensions: Vec<String>,
    /// Income bands derived from Filosofi deciles (see [`crate::derived`]).
    pub income: IncomeBands,
    /// Derived counts `name = "linear combination"` (`nscol15p - nscol15p_diplmin`, `0.2 * pop_0014`),
    /// see [`crate::derived`]; a derived variable cannot use another one.
    pub derived: BTreeMap<String, String>,
    /// The 90 % interval of digital-precarity estimates.
    pub uncertainty: UncertaintySettings,
    /// Figures a missing survey universe is scaled from, best first (default `nscol15p`, people 15+
    /// out of school, which MedNum's inputs give for every Savoie IRIS); the population is always
    /// tried last.
    pub universe_proxies: Vec<String>,
    /// The variable names the column mapping can produce (filled by the caller from
    /// `variables.toml`, never read from the config): a rate row reading a name outside it, the
    /// derived ones and the income bands is an error. Empty: no such check.
    #[serde(skip)]
    pub known_variables: std::collections::BTreeSet<String>,
}

/// The default derived counts: what the survey groups need and the census does not count directly.
fn default_derived() -> BTreeMap<String, String> {
    [
        // People 15+ out of school with more than a low diploma (CAP, BEP or more).
        ("nscol15p_not_low", "nscol15p - nscol15p_diplmin"),
        // Ages 12–14 (CREDOC's universe starts at 12): 3 of the 15 years of the 0–14 band, taken as even.
        ("pop_1214", "0.2 * pop_0014"),
        // Ages 70–74 and 60–69 within the 60–74 band: about a quarter and three quarters in France around
        // 2016 (60–64 ≈ 4.1 M, 65–69 ≈ 3.9 M, 70–74 ≈ 2.6 M; approximate, not read in a source).
        ("pop_7074", "0.25 * pop_6074"),
        ("pop_6069", "0.75 * pop_6074"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Income bands: a zone's Filosofi deciles turned into its shares of people in national bands.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncomeBands {
    /// Derive the bands at all.
    pub enabled: bool,
    /// The nine decile variables D1…D9 of the zone's distribution (default `disp_d1`…, the median `disp_med` as D5).
    pub deciles: Vec<String>,
    /// National band limits in euros per consumption unit and year, ascending (4 limits: quintiles).
    pub limits: Vec<f64>,
    /// Prefix of the derived variables (`income_q1`…).
    pub prefix: String,
    /// Where the limits come from (written in the log).
    pub source: String,
}

impl Default for IncomeBands {
    fn default() -> Self {
        IncomeBands {
            enabled: true,
            // Filosofi publishes D1…D4, the median and D6…D9.
            deciles: (1..=9).map(|k| if k == 5 { "disp_med".to_string() } else { format!("disp_d{k}") }).collect(),
            // Quintile limits of niveau de vie 2019, France métropolitaine: D1 11,660, median 22,040 and
            // D9 39,930 € are published (Insee Première 1875, ERFS 2019); the quintile limits between them
            // are interpolated on a log-normal curve through those three (σ 0.497 below, 0.464 above the
            // median), D2, D4, D6, D8 not having been found.
            limits: vec![14_510.0, 19_430.0, 24_790.0, 32_560.0],
            prefix: "income_q".into(),
            source: "quintiles of niveau de vie 2019 interpolated from Insee Première 1875 (D1, median, D9)".into(),
        }
    }
}

/// The parts of the 90 % interval of a digital-precarity estimate (see [`crate::digital`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UncertaintySettings {
    /// Design effect of the surveys (variance inflation of a clustered, weighted sample against a
    /// simple random one): applied to every rate's binomial variance.
    pub design_effect: f64,
    /// Relative standard error added to rates marked `estimated` (gap-fillers solved from other
    /// rates and approximate shares).
    pub estimated_rate_relative_error: f64,
    /// The two-sided level of the interval (0.90: ±1.645 standard errors).
    pub level: f64,
}

impl Default for UncertaintySettings {
    fn default() -> Self {
        UncertaintySettings { design_effect: 1.5, estimated_rate_relative_error: 0.25, level: 0.90 }
    }
}

impl Default for IndicesSettings {
    fn default() -> Self {
        IndicesSettings {
            rates: Vec::new(),
            estimator: Estimator::default(),
            indicators: Vec::new(),
            dimensions: Vec::new(),
            min_coverage: 0.8,
            population: "pop".into(),
            base_level: Level::Iris,
            standalone_levels: vec![Level::Qpv],
            levels: vec![Level::Commune, Level::Epci, Level::Departement],
            groups: BTreeMap::new(),
            social: SocialSettings::default(),
            ifn: IfnSettings::default(),
            cross: CrossSettings::default(),
            share_dimensions: vec!["income".into()],
            income: IncomeBands::default(),
            derived: default_derived(),
            uncertainty: UncertaintySettings::default(),
            known_variables: std::collections::BTreeSet::new(),
            universe_proxies: vec!["nscol15p".into()],
        }
    }
}

impl IndicesSettings {
    /// Checks every value that can be checked without the zone table and the rate files; each
    /// error names its key below `[indices]` (`uncertainty.design_effect`), so the caller can
    /// point at its line in the config. [`compute()`](crate::compute()) calls it too.
    ///
    /// ```
    /// let mut s = fragnum_indices::IndicesSettings::default();
    /// assert!(s.validate().is_ok());
    /// s.min_coverage = 0.0;
    /// s.uncertainty.design_effect = 0.5;
    /// let errors = s.validate().unwrap_err();
    /// assert_eq!(errors.len(), 2);
    /// assert!(errors[1].to_string().starts_with("[indices] uncertainty.design_effect:"));
    /// ```
    // `!(x > 0.0)` is meant: unlike `x <= 0.0` it also refuses NaN.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn validate(&self) -> Result<(), Vec<IndicesError>> {
        let mut errors = Vec::new();
        let mut bad = |key: String, message: String| errors.push(IndicesError::settings(key, message));
        if !(self.min_coverage > 0.0 && self.min_coverage <= 1.0) {
            bad("min_coverage".into(), format!("{} is not in (0, 1]", self.min_coverage));
        }
        for (name, v) in &self.social.variables {
            if !(v.weight.is_finite() && v.weight >= 0.0) {
                bad(format!("social.variables.{name}.weight"), format!("{} is not a non-negative number", v.weight));
            }
        }
        if self.social.classes == 0 {
            bad("social.classes".into(), "must be at least 1".into());
        }
        let u = &self.uncertainty;
        if !(u.design_effect >= 1.0 && u.design_effect.is_finite()) {
            bad(
                "uncertainty.design_effect".into(),
                format!("{} is below 1 (a design effect inflates the variance of a simple random sample)", u.design_effect),
            );
        }
        if !(u.estimated_rate_relative_error >= 0.0 && u.estimated_rate_relative_error.is_finite()) {
            bad(
                "uncertainty.estimated_rate_relative_error".into(),
                format!("{} is not a non-negative number", u.estimated_rate_relative_error),
            );
        }
        if !(u.level > 0.0 && u.level < 1.0) {
            bad("uncertainty.level".into(), format!("{} is not in (0, 1) (0.90 for a 90 % interval)", u.level));
        }
        if self.income.enabled {
            if self.income.deciles.len() != 9 {
                bad("income.deciles".into(), format!("needs the 9 deciles D1…D9, {} given", self.income.deciles.len()));
            }
            let l = &self.income.limits;
            if l.is_empty() || !l.windows(2).all(|w| w[0] < w[1]) || l.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
                bad("income.limits".into(), format!("{l:?}: must be positive, finite and strictly ascending"));
            }
        }
        for (code, v) in &self.ifn.reference_income {
            if !(v.is_finite() && *v > 0.0) {
                bad(format!("ifn.reference_income.{code}"), format!("{v} is not a positive income"));
            }
        }
        for reference in &self.ifn.references {
            let ok = matches!(reference.as_str(), "departement" | "epci" | "perimeter")
                || self.ifn.reference_values.contains_key(reference)
                || reference.strip_prefix("group:").is_some_and(|g| self.groups.contains_key(g));
            if !ok {
                let mut known: Vec<String> = ["departement", "epci", "perimeter"].iter().map(|s| (*s).to_string()).collect();
                known.extend(self.groups.keys().map(|g| format!("group:{g}")));
                bad("ifn.references".into(), format!("unknown IFN reference `{reference}` (known: {})", known.join(", ")));
            }
        }
        for kind in self.ifn.reference_values.keys() {
            if !self.ifn.references.contains(kind) {
                bad(
                    format!("ifn.reference_values.{kind}"),
                    format!("`{kind}` is not in `references` ({})", self.ifn.references.join(", ")),
                );
            }
        }
        for (name, codes) in &self.groups {
            if codes.is_empty() {
                bad(format!("groups.{name}"), "the group has no member".into());
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// Checks of the settings against the rate files and the zone table, which [`Self::validate`]
/// cannot see.
impl IndicesSettings {
    /// The indicators and dimensions to use, merged from the rate tables ([`rates::merge`]): every
    /// indicator of `indicators` must exist, and every dimension of `dimensions` (all of an
    /// indicator's when empty) for each indicator used.
    pub(crate) fn select_rates(&self, tables: &[RateTable]) -> Result<Vec<SelectedRates>, IndicesError> {
        let merged = rates::merge(tables)?;
        for name in &self.indicators {
            if !merged.iter().any(|r| &r.name == name) {
                return Err(IndicesError::UnknownLabel {
                    what: "indicator",
                    label: name.clone(),
                    known: known(merged.iter().map(|r| r.name.clone())),
                });
            }
        }
        let mut out = Vec::new();
        for r in merged {
            if !self.indicators.is_empty() && !self.indicators.contains(&r.name) {
                continue;
            }
            let dims: Vec<String> =
                if self.dimensions.is_empty() { r.dimensions.keys().cloned().collect() } else { self.dimensions.clone() };
            for d in &dims {
                if !r.dimensions.contains_key(d) {
                    return Err(IndicesError::MissingDimension {
                        indicator: r.name.clone(),
                        dimension: d.clone(),
                        available: known(r.dimensions.keys().cloned()),
                    });
                }
            }
            out.push(SelectedRates { rates: r, dims });
        }
        Ok(out)
    }

    /// Every variable a selected rate row reads must be nameable: in the zone table (`in_table`), a
    /// name the column mapping can produce (`known_variables`; no check when empty), a derived
    /// variable or an income band. Otherwise an error at the row (a misspelt name).
    pub(crate) fn check_variable_names(&self, selected: &[SelectedRates], in_table: &dyn Fn(&str) -> bool) -> Result<(), IndicesError> {
        let nameable = |v: &str| {
            self.known_variables.is_empty()
                || in_table(v)
                || self.known_variables.contains(v)
                || self.derived.contains_key(v)
                || (self.income.enabled && v.strip_prefix(self.income.prefix.as_str()).is_some_and(|k| k.parse::<usize>().is_ok()))
        };
        for SelectedRates { rates, dims } in selected {
            for r in std::iter::once(&rates.all).chain(dims.iter().flat_map(|d| rates.dimensions[d].iter())) {
                if let Some(v) = r.variables.variables().into_iter().find(|v| !nameable(v)) {
                    return Err(IndicesError::Rates {
                        location: r.location.clone(),
                        message: format!(
                            "category `{}` reads `{v}`, which is no census variable of variables.toml, derived variable or income band (misspelt?)",
                            r.category
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks the rate rows against the zone table and the mapping ([`Self::check_variable_names`]);
    /// a dimension no zone has is a note (the data are partial). A share dimension must have one
    /// category per band (`income`: limits + 1).
    pub(crate) fn check_rate_variables(
        &self,
        table: &ZoneTable,
        selected: &[SelectedRates],
        notes: &mut Vec<String>,
    ) -> Result<(), IndicesError> {
        self.check_variable_names(selected, &|v| table.variable(v).is_some())?;
        let present = |v: &str| table.variable(v).is_some_and(|x| x.count_values() > 0);
        for SelectedRates { rates, dims } in selected {
            for d in dims {
                let rows = &rates.dimensions[d];
                if !rows.iter().any(|r| r.variables.variables().iter().all(|v| present(v))) {
                    notes.push(format!(
                        "indicator `{}`: no zone has the strata of dimension `{d}` ({}): not used",
                        rates.name, rows[0].location
                    ));
                }
                if d == "income" && self.share_dimensions.contains(d) && self.income.enabled && rows.len() != self.income.limits.len() + 1 {
                    return Err(IndicesError::Rates {
                        location: rows[0].location.clone(),
                        message: format!(
                            "indicator `{}` gives {} income categories but [indices.income] limits cut {} bands: the bands must match the survey's (quintiles: 4 limits)",
                            rates.name,
                            rows.len(),
                            self.income.limits.len() + 1
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

fn known(list: impl IntoIterator<Item = String>) -> String {
    list.into_iter().collect::<Vec<_>>().join(", ")
}

/// Whether a higher value means more precarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is more precarious (unemployment): relative value = value / mean.
    #[default]
    Direct,
    /// Lower is more precarious (median income): relative value = mean / value.
    Inverse,
}

/// One social variable.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocialVariable {
    /// Expression (see [`crate::expr`]).
    pub expression: String,
    /// Weight in the score (re-normalised over the variables a zone has).
    #[serde(default = "one")]
    pub weight: f64,
    /// Direction.
    #[serde(default)]
    pub direction: Direction,
    /// When no zone has a value: skip with a note (true) or stop with an error (false).
    #[serde(default)]
    pub optional: bool,
}

fn one() -> f64 {
    1.0
}

/// Social precarity settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SocialSettings {
    /// Variables by name.
    pub variables: BTreeMap<String, SocialVariable>,
    /// Number of quantile classes per level (class 1 least, `classes` most precarious).
    pub classes: usize,
}

impl Default for SocialSettings {
    fn default() -> Self {
        let v = |expression: &str, direction| SocialVariable { expression: expression.into(), weight: 1.0, direction, optional: true };
        let variables = [
            ("chomage", v("chom_1564/act_1564|de_abc/pop", Direction::Direct)),
            ("rsa", v("caf_rsa_socle/pop", Direction::Direct)),
            ("minima_sociaux", v("disp_ppmini", Direction::Direct)),
            ("prestations_sociales", v("disp_ppsoc", Direction::Direct)),
            ("hebergement_urgence", v("places_hebergement_urgence/pop", Direction::Direct)),
            ("revenu_median", v("disp_med", Direction::Inverse)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        SocialSettings { variables, classes: 5 }
    }
}

/// The IFN variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum IfnVariant {
    /// As published by `MedNum` in 2020: income point = 100 × income / reference (a richer zone scores higher).
    #[default]
    #[serde(rename = "ifn_2020")]
    Ifn2020,
    /// Same, with the income point inverted: 100 × reference / income.
    #[serde(rename = "ifn_2020_income_inverted")]
    Ifn2020IncomeInverted,
}

impl IfnVariant {
    /// The name written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            IfnVariant::Ifn2020 => "ifn_2020",
            IfnVariant::Ifn2020IncomeInverted => "ifn_2020_income_inverted",
        }
    }
}

/// IFN settings: the six indicators' expressions and the reference territories.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IfnSettings {
    /// Compute the IFN at all.
    pub enabled: bool,
    /// Reference territories: `departement`, `epci`, `perimeter`, `group:<name>`.
    pub references: Vec<String>,
    /// Variant.
    pub variant: IfnVariant,
    /// One-person households.
    pub one_person_households: String,
    /// Single-parent families (over families, as published).
    pub single_parent_families: String,
    /// Median income (a level value, read at `income_level`).
    pub income: String,
    /// Where income is read: `commune` (as published: every IRIS gets its commune's median) or the zone itself (`iris`).
    pub income_level: Level,
    /// Aged 15–29.
    pub aged_15_29: String,
    /// Aged 65 and over.
    pub aged_65_plus: String,
    /// No or low diploma.
    pub low_diploma: String,
    /// Known reference medians by reference code (`"73" = 21802`); otherwise the population-weighted
    /// mean of the zones' income (an approximation of the territory's median). Not used for a
    /// reference kind listed in `reference_values`.
    pub reference_income: BTreeMap<String, f64>,
    /// Reference values read from each zone's own row instead of computed from the zones present,
    /// per reference kind: `[indices.ifn.reference_values.departement]` names the six variables (or
    /// expressions) that hold that reference's values, as `MedNum` publishes them beside each IRIS
    /// (its « SEUILS … » columns). A kind listed here may have any name (`region`) and must also be in
    /// `references`; each variable must be in the zone table (else an error). A group (commune,
    /// EPCI…) takes its members' values when they all agree. Empty (default): every reference is
    /// computed from the zones present.
    pub reference_values: BTreeMap<String, IfnReferenceValues>,
    /// What a zone whose income is absent, or zero (as `MedNum` writes a missing income), gets:
    /// `unscored` (default: no IFN, and `ifn_missing` names the income) or `zero_point` (as the
    /// published 2020 scores: income point 0, the five other points count as usual).
    pub missing_income: IfnMissingIncome,
}

impl IfnSettings {
    /// The six input expressions, in the order of [`crate::ifn::IfnInputs`].
    pub(crate) fn input_expressions(&self) -> Result<Vec<Expr>, IndicesError> {
        [&self.one_person_households, &self.single_parent_families, &self.income, &self.aged_15_29, &self.aged_65_plus, &self.low_diploma]
            .iter()
            .map(|e| Expr::parse(e))
            .collect()
    }

    /// The six expressions of each kind of `reference_values`, every variable they read checked
    /// to be in `table` (the key is in `references`: [`IndicesSettings::validate`] checks it).
    pub(crate) fn published_references(&self, table: &ZoneTable) -> Result<BTreeMap<&str, Vec<Expr>>, IndicesError> {
        let mut published = BTreeMap::new();
        for (kind, vars) in &self.reference_values {
            let mut parsed = Vec::with_capacity(6);
            for (field, text) in vars.fields() {
                let e = Expr::parse(text)?;
                let absent: Vec<&str> = e.variables().into_iter().filter(|v| table.variable(v).is_none()).collect();
                if !absent.is_empty() {
                    return Err(IndicesError::settings(
                        format!("ifn.reference_values.{kind}.{field}"),
                        format!(
                            "`{}` {} not in the zone table (is the table that carries {} read, with its mapping set?)",
                            absent.join("`, `"),
                            if absent.len() == 1 { "is" } else { "are" },
                            if absent.len() == 1 { "it" } else { "them" },
                        ),
                    ));
                }
                parsed.push(e);
            }
            published.insert(kind.as_str(), parsed);
        }
        Ok(published)
    }
}

/// The six variables (or expressions, see [`crate::expr`]) holding one reference's values on
/// each zone's row: shares as proportions (0–1), income in euros.
///
/// ```toml
/// [indices.ifn.reference_values.departement]
/// one_person_households = "mednum_seuil_dep_menages_1pers"
/// single_parent_families = "mednum_seuil_dep_familles_mono"
/// income = "mednum_seuil_dep_revenu_median"
/// aged_15_29 = "mednum_seuil_dep_part_1529"
/// aged_65_plus = "mednum_seuil_dep_part_65p"
/// low_diploma = "mednum_seuil_dep_non_peu_diplomes"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IfnReferenceValues {
    /// Reference share of one-person households.
    pub one_person_households: String,
    /// Reference share of single-parent families.
    pub single_parent_families: String,
    /// Reference median income.
    pub income: String,
    /// Reference share aged 15–29.
    pub aged_15_29: String,
    /// Reference share aged 65 and over.
    pub aged_65_plus: String,
    /// Reference share with no or low diploma.
    pub low_diploma: String,
}

impl IfnReferenceValues {
    /// The settings keys and expressions, in the order of [`crate::ifn::IfnInputs`].
    pub fn fields(&self) -> [(&'static str, &str); 6] {
        [
            ("one_person_households", &self.one_person_households),
            ("single_parent_families", &self.single_parent_families),
            ("income", &self.income),
            ("aged_15_29", &self.aged_15_29),
            ("aged_65_plus", &self.aged_65_plus),
            ("low_diploma", &self.low_diploma),
        ]
    }
}

/// What a missing income does to a zone's IFN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IfnMissingIncome {
    /// The zone is not scored; `ifn_missing` names the income.
    #[default]
    Unscored,
    /// Income point 0, as in the published `MedNum` 2020 scores (whatever the variant).
    ZeroPoint,
}

impl Default for IfnSettings {
    fn default() -> Self {
        IfnSettings {
            enabled: true,
            references: vec!["departement".into()],
            variant: IfnVariant::default(),
            one_person_households: "men_pseul/men".into(),
            single_parent_families: "fam_mono/fam".into(),
            income: "disp_med".into(),
            income_level: Level::Commune,
            aged_15_29: "pop_1529/pop".into(),
            aged_65_plus: "pop_65p/pop".into(),
            low_diploma: "nscol15p_diplmin/nscol15p".into(),
            reference_income: BTreeMap::new(),
            reference_values: BTreeMap::new(),
            missing_income: IfnMissingIncome::default(),
        }
    }
}

/// How a cross proxy's value becomes a number of people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProxyKind {
    /// A percentage of the population (`disp_tp60`): people = value / 100 × population.
    #[default]
    Percent,
    /// A proportion of the population (`caf_rsa_socle/pop`): people = value × population.
    Share,
    /// Already a number of people.
    Count,
}

/// One proxy for the number of socially precarious people.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossProxy {
    /// Name written in outputs.
    pub name: String,
    /// Expression.
    pub expression: String,
    /// How to turn it into people.
    #[serde(default)]
    pub kind: ProxyKind,
}

/// Cross settings: proxies tried in order, the first with a value in a zone is used.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrossSettings {
    /// Proxies in order of preference.
    pub proxies: Vec<CrossProxy>,
}

impl Default for CrossSettings {
    fn default() -> Self {
        CrossSettings {
            proxies: vec![
                CrossProxy { name: "taux_pauvrete_60".into(), expression: "disp_tp60".into(), kind: ProxyKind::Percent },
                CrossProxy { name: "rsa_socle".into(), expression: "caf_rsa_socle/pop".into(), kind: ProxyKind::Share },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_section_gives_defaults_and_unknown_keys_are_refused() {
        let s: IndicesSettings = toml::from_str("").unwrap();
        assert_eq!(s, IndicesSettings::default());
        assert_eq!(s.social.variables.len(), 6);
        let e = toml::from_str::<IndicesSettings>("estimater = \"joint_logit\"").unwrap_err();
        assert!(e.to_string().contains("estimater"), "{e}");
    }

    #[test]
    fn full_section_parses() {
        let text = r#"
            rates = ["rates/a.csv"]
            estimator = "joint_logit"
            levels = ["commune", "epci"]
            [social]
            classes = 4
            [social.variables.rsa]
            expression = "caf_rsa_socle/pop"
            weight = 2.0
            [social.variables.revenu]
            expression = "disp_med"
            direction = "inverse"
            [ifn]
            references = ["departement", "group:Ville"]
            variant = "ifn_2020_income_inverted"
            reference_income = { "73" = 21802 }
            [[cross.proxies]]
            name = "p"
            expression = "disp_tp60"
            [groups]
            "Ville" = ["001000101"]
        "#;
        let s: IndicesSettings = toml::from_str(text).unwrap();
        assert_eq!(s.estimator, Estimator::JointLogit);
        assert_eq!(s.social.variables["revenu"].direction, Direction::Inverse);
        assert!((s.social.variables["rsa"].weight - 2.0).abs() < 1e-12);
        assert_eq!(s.ifn.variant, IfnVariant::Ifn2020IncomeInverted);
        assert_eq!(s.cross.proxies[0].kind, ProxyKind::Percent);
        assert_eq!(s.groups["Ville"], vec!["001000101".to_string()]);
    }

    #[test]
    fn ifn_published_reference_values_and_missing_income_parse() {
        assert_eq!(IfnSettings::default().missing_income, IfnMissingIncome::Unscored);
        assert!(IfnSettings::default().reference_values.is_empty());
        let text = r#"
            references = ["region"]
            missing_income = "zero_point"
            [reference_values.region]
            one_person_households = "a"
            single_parent_families = "b"
            income = "c"
            aged_15_29 = "d"
            aged_65_plus = "e"
            low_diploma = "f|g"
        "#;
        let s: IfnSettings = toml::from_str(text).unwrap();
        assert_eq!(s.missing_income, IfnMissingIncome::ZeroPoint);
        let fields = s.reference_values["region"].fields();
        assert_eq!(fields[2], ("income", "c"));
        assert_eq!(fields[5], ("low_diploma", "f|g"));
        // All six are required, and a misspelt one is refused.
        let e = toml::from_str::<IfnSettings>(&text.replace("low_diploma = \"f|g\"", "")).unwrap_err();
        assert!(e.to_string().contains("low_diploma"), "{e}");
        let e = toml::from_str::<IfnSettings>(&text.replace("aged_65_plus", "aged_65p")).unwrap_err();
        assert!(e.to_string().contains("aged_65p"), "{e}");
        assert!(toml::from_str::<IfnSettings>("missing_income = \"zero\"").is_err());
    }
}
