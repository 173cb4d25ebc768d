//! The main entry: every index on every zone and group, in one call.
//!
//! Zones of `base_level` (IRIS) and of each standalone level (QPV) are computed from their own
//! cells. Aggregation levels (commune, EPCI, département) and custom groups are built from base
//! zones: counts (digital estimates, bands, cross counts, population) are **sums of the members'**
//! — never averages — and shares are recomputed from those sums. Social and IFN shares of a group
//! come from summed numerators and denominators; level values (medians, percentages) from the
//! group's own row of the table when it has one (a commune's Filosofi row), else they are missing.
//!
//! Cross (digital × social): within a zone, digital and social precarity are taken as
//! **independent** (no survey used here gives rates conditional on income): people in both =
//! (digital count / population) × socially precarious people, the latter from the first proxy
//! with a value (default: poverty rate `disp_tp60` × population, else RSA socle recipients /
//! population). The result never exceeds either count.

use std::collections::{BTreeMap, BTreeSet};

use fragnum_core::{Level, ZoneCode, ZoneTable};

use crate::IndicesError;
use crate::derived;
use crate::digital::{self, DigitalEstimate, sum_present};
use crate::expr::{Expr, Reader, Source, Term, VintageSpan};
use crate::ifn::{self, IfnInputs, IfnScores};
use crate::output::{IndicesOutput, IndicesRow};
use crate::rates::{self, IndicatorRates, RateTable};
use crate::settings::{IfnMissingIncome, IfnVariant, IndicesSettings, ProxyKind};
use crate::social::{self, SocialScore, Spec};

/// One output unit before its indices are known.
struct Unit {
    code: String,
    level: Level,
    name: Option<String>,
    /// The table row of a zone, or a group's own row.
    own: Option<usize>,
    /// Positions in `base` of the members of a group; empty for zones.
    members: Vec<usize>,
    is_group: bool,
}

impl Unit {
    fn source<'a>(&self, member_rows: &'a [usize]) -> Source<'a> {
        match (self.is_group, self.own) {
            (false, Some(r)) => Source::Row(r),
            _ => Source::Group { members: member_rows, own: self.own },
        }
    }
}

fn known(list: impl IntoIterator<Item = String>) -> String {
    list.into_iter().collect::<Vec<_>>().join(", ")
}

/// Which indicators and dimensions to use, checked against the rate tables.
fn select_rates(tables: &[RateTable], settings: &IndicesSettings) -> Result<Vec<(IndicatorRates, Vec<String>)>, IndicesError> {
    let merged = rates::merge(tables)?;
    for name in &settings.indicators {
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
        if !settings.indicators.is_empty() && !settings.indicators.contains(&r.name) {
            continue;
        }
        let dims: Vec<String> =
            if settings.dimensions.is_empty() { r.dimensions.keys().cloned().collect() } else { settings.dimensions.clone() };
        for d in &dims {
            if !r.dimensions.contains_key(d) {
                return Err(IndicesError::MissingDimension {
                    indicator: r.name.clone(),
                    dimension: d.clone(),
                    available: known(r.dimensions.keys().cloned()),
                });
            }
        }
        out.push((r, dims));
    }
    Ok(out)
}

/// Checks the parsed rate files against the settings before any zone is read: merged
/// ([`rates::merge`]), the `indicators` and `dimensions` asked for present, and every variable a
/// row reads nameable (a census name of the mapping, `settings.known_variables`, a derived
/// variable or an income band; not checked when `known_variables` is empty). Returns the
/// indicators that [`compute`] will estimate, in order.
pub fn check_rates(rates: &[RateTable], settings: &IndicesSettings) -> Result<Vec<String>, IndicesError> {
    let selected = select_rates(rates, settings)?;
    check_variable_names(&selected, settings, &|_| false)?;
    Ok(selected.into_iter().map(|(r, _)| r.name).collect())
}

/// Every variable a selected rate row reads must be nameable: in the zone table (`in_table`), a
/// name the column mapping can produce (`settings.known_variables`; no check when empty), a derived
/// variable or an income band. Otherwise an error at the row (a misspelt name).
fn check_variable_names(
    selected: &[(IndicatorRates, Vec<String>)],
    settings: &IndicesSettings,
    in_table: &dyn Fn(&str) -> bool,
) -> Result<(), IndicesError> {
    let nameable = |v: &str| {
        settings.known_variables.is_empty()
            || in_table(v)
            || settings.known_variables.contains(v)
            || settings.derived.contains_key(v)
            || (settings.income.enabled && v.strip_prefix(settings.income.prefix.as_str()).is_some_and(|k| k.parse::<usize>().is_ok()))
    };
    for (rates, dims) in selected {
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

/// Checks the rate rows against the zone table and the mapping ([`check_variable_names`]); a
/// dimension no zone has is a note (the data are partial). A share dimension must have one
/// category per band (`income`: limits + 1).
fn check_rate_variables(
    table: &ZoneTable,
    selected: &[(IndicatorRates, Vec<String>)],
    settings: &IndicesSettings,
    notes: &mut Vec<String>,
) -> Result<(), IndicesError> {
    check_variable_names(selected, settings, &|v| table.variable(v).is_some())?;
    let present = |v: &str| table.variable(v).is_some_and(|x| x.count_values() > 0);
    for (rates, dims) in selected {
        for d in dims {
            let rows = &rates.dimensions[d];
            if !rows.iter().any(|r| r.variables.variables().iter().all(|v| present(v))) {
                notes.push(format!(
                    "indicator `{}`: no zone has the strata of dimension `{d}` ({}): not used",
                    rates.name, rows[0].location
                ));
            }
            if d == "income"
                && settings.share_dimensions.contains(d)
                && settings.income.enabled
                && rows.len() != settings.income.limits.len() + 1
            {
                return Err(IndicesError::Rates {
                    location: rows[0].location.clone(),
                    message: format!(
                        "indicator `{}` gives {} income categories but [indices.income] limits cut {} bands: the bands must match the survey's (quintiles: 4 limits)",
                        rates.name,
                        rows.len(),
                        settings.income.limits.len() + 1
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The EPCI of a zone: its own, else its commune's row's.
fn epci_of(table: &ZoneTable, commune_epci: &BTreeMap<String, String>, row: usize) -> Option<String> {
    let z = &table.zones()[row];
    z.epci.clone().or_else(|| z.commune.as_ref().and_then(|c| commune_epci.get(c).cloned()))
}

/// Whether base zone `row` belongs to a custom group listing `codes`: a code names the zone
/// itself, its commune or its EPCI. The one membership rule for groups and `group:` references.
fn in_group(table: &ZoneTable, commune_epci: &BTreeMap<String, String>, row: usize, codes: &[String]) -> bool {
    let z = &table.zones()[row];
    let epci = epci_of(table, commune_epci, row);
    codes.iter().any(|c| z.code.as_str() == c || z.code.commune() == Some(c.as_str()) || epci.as_deref() == Some(c.as_str()))
}

/// Builds zones and groups, in output order.
fn units(
    table: &ZoneTable,
    settings: &IndicesSettings,
    base: &[usize],
    commune_epci: &BTreeMap<String, String>,
) -> Result<Vec<Unit>, IndicesError> {
    let zones = table.zones();
    let zone_unit = |row: usize| Unit {
        code: zones[row].code.as_str().to_string(),
        level: zones[row].code.level(),
        name: zones[row].name.clone(),
        own: Some(row),
        members: Vec::new(),
        is_group: false,
    };
    let mut out: Vec<Unit> = base.iter().map(|&r| zone_unit(r)).collect();
    for level in &settings.standalone_levels {
        out.extend(table.zones_at(*level).map(|(r, _)| zone_unit(r)));
    }
    for &level in &settings.levels {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, &row) in base.iter().enumerate() {
            let z = &zones[row];
            let key = match level {
                Level::Commune => z.code.commune().map(str::to_string).or_else(|| z.commune.clone()),
                Level::Epci => epci_of(table, commune_epci, row),
                Level::Departement => z.code.departement().map(str::to_string),
                _ => {
                    return Err(IndicesError::settings(
                        "levels",
                        format!(
                            "`{level}` cannot be built from {} zones (use commune, epci, departement, or [indices.groups])",
                            settings.base_level
                        ),
                    ));
                }
            };
            if let Some(k) = key {
                groups.entry(k).or_default().push(i);
            }
        }
        for (code, members) in groups {
            let own = ZoneCode::new(level, &code).ok().and_then(|c| table.row(&c).ok());
            let first = &zones[base[members[0]]];
            let name = own.and_then(|r| zones[r].name.clone()).or_else(|| match level {
                Level::Commune => first.commune_name.clone(),
                Level::Epci => first.epci_name.clone(),
                _ => None,
            });
            out.push(Unit { code, level, name, own, members, is_group: true });
        }
    }
    for (name, codes) in &settings.groups {
        let mut members = BTreeSet::new();
        for code in codes {
            let before = members.len();
            for (i, &row) in base.iter().enumerate() {
                if in_group(table, commune_epci, row, std::slice::from_ref(code)) {
                    members.insert(i);
                }
            }
            if members.len() == before {
                return Err(IndicesError::UnknownGroupMember { group: name.clone(), code: code.clone() });
            }
        }
        out.push(Unit {
            code: name.clone(),
            level: Level::Group,
            name: Some(name.clone()),
            own: None,
            members: members.into_iter().collect(),
            is_group: true,
        });
    }
    Ok(out)
}

/// A reference territory key for a base zone.
fn territory(
    table: &ZoneTable,
    commune_epci: &BTreeMap<String, String>,
    settings: &IndicesSettings,
    kind: &str,
    row: usize,
) -> Option<String> {
    let z = &table.zones()[row];
    match kind {
        "departement" => z.code.departement().map(str::to_string),
        "epci" => epci_of(table, commune_epci, row),
        "perimeter" => Some("perimeter".into()),
        _ => {
            let group = kind.strip_prefix("group:")?;
            let codes = settings.groups.get(group)?;
            in_group(table, commune_epci, row, codes).then(|| group.to_string())
        }
    }
}

/// Σ numerators / Σ denominators over the members that have both (first ratio alternative).
fn available_ratio(reader: &Reader<'_>, members: &[usize], expr: &Expr) -> Option<f64> {
    expr.alternatives().iter().find_map(|t| {
        let Term::Ratio(n, d) = t else { return None };
        let (mut num, mut den) = (0.0, 0.0);
        for &m in members {
            let mut span = VintageSpan::default();
            if let (Some(a), Some(b)) = (reader.sum(&[m], n, &mut span), reader.sum(&[m], d, &mut span)) {
                num += a;
                den += b;
            }
        }
        (den > 0.0).then(|| num / den)
    })
}

/// Computes every index for every zone and group of `table`.
///
/// `rates` are the parsed rate files (the CLI reads the files listed in `settings.rates`).
// One pass per index, in pipeline order; splitting it would only thread the same dozen locals around.
#[allow(clippy::too_many_lines)]
pub fn compute(table: &ZoneTable, rates: &[RateTable], settings: &IndicesSettings) -> Result<IndicesOutput, IndicesError> {
    if let Err(mut errors) = settings.validate() {
        return Err(errors.swap_remove(0));
    }
    let selected = select_rates(rates, settings)?;
    let mut notes = Vec::new();
    let extended = derived::extend(table, &settings.income, &settings.derived, &mut notes)?;
    let table = &extended;
    check_rate_variables(table, &selected, settings, &mut notes)?;
    let reader = Reader::new(table);
    let commune_epci: BTreeMap<String, String> =
        table.zones_at(Level::Commune).filter_map(|(_, z)| Some((z.code.as_str().to_string(), z.epci.clone()?))).collect();
    let base: Vec<usize> = table.zones_at(settings.base_level).map(|(r, _)| r).collect();
    let units = units(table, settings, &base, &commune_epci)?;
    if settings.levels.contains(&Level::Epci) {
        let orphans: Vec<&str> =
            base.iter().filter(|&&r| epci_of(table, &commune_epci, r).is_none()).map(|&r| table.zones()[r].code.as_str()).collect();
        if !orphans.is_empty() {
            let shown: Vec<&str> = orphans.iter().take(8).copied().collect();
            notes.push(format!(
                "{} {} zone(s) without an EPCI (neither their own nor their commune's) are left out of the EPCI rows: {}{}",
                orphans.len(),
                settings.base_level,
                shown.join(", "),
                if orphans.len() > shown.len() { ", …" } else { "" }
            ));
        }
    }
    let member_rows: Vec<Vec<usize>> = units.iter().map(|u| u.members.iter().map(|&i| base[i]).collect()).collect();
    let mut spans = vec![VintageSpan::default(); units.len()];
    let zone_units: Vec<usize> = (0..units.len()).filter(|&u| !units[u].is_group).collect();
    let pop_expr = Expr::parse(&settings.population)?;

    // --- Digital precarity, zone by zone (per level), then summed into groups.
    let mut proxies: Vec<Expr> = settings.universe_proxies.iter().map(|p| Expr::parse(p)).collect::<Result<_, _>>()?;
    proxies.push(pop_expr.clone());
    let context = digital::Context {
        reader: &reader,
        universe_proxies: &proxies,
        min_coverage: settings.min_coverage,
        estimator: settings.estimator,
        share_dimensions: &settings.share_dimensions,
        uncertainty: &settings.uncertainty,
    };
    let z_score = digital::z_value(settings.uncertainty.level);
    let mut digital: Vec<Vec<DigitalEstimate>> = vec![Vec::new(); units.len()];
    // Rate variances of the base level, per indicator: groups are built from base zones.
    let mut base_variances: Vec<Option<Vec<f64>>> = Vec::new();
    for (rates, dims) in &selected {
        let mut levels: BTreeMap<Level, Vec<usize>> = BTreeMap::new();
        for &u in &zone_units {
            levels.entry(units[u].level).or_default().push(u);
        }
        let mut variances = None;
        for (level, us) in &levels {
            let rows: Vec<usize> = us.iter().filter_map(|&u| units[u].own).collect();
            // Enclosing territories to impute from (base zones only: QPV overlap IRIS and are not nested).
            let donors: Vec<digital::Donors> = rows
                .iter()
                .map(|&row| {
                    if *level != settings.base_level {
                        return Vec::new();
                    }
                    let code = &table.zones()[row].code;
                    let mut d = Vec::new();
                    if let Some(c) = code.commune() {
                        d.push((Level::Commune, c.to_string()));
                    }
                    if let Some(e) = epci_of(table, &commune_epci, row) {
                        d.push((Level::Epci, e));
                    }
                    if let Some(dep) = code.departement() {
                        d.push((Level::Departement, dep.to_string()));
                    }
                    d
                })
                .collect();
            let mut level_spans = vec![VintageSpan::default(); rows.len()];
            let est = digital::estimate(&context, &rows, &donors, rates, dims, &mut level_spans)?;
            if *level == settings.base_level {
                variances = est.rate_variances;
            }
            for ((&u, e), s) in us.iter().zip(est.estimates).zip(level_spans) {
                digital[u].push(e);
                spans[u].merge(s);
            }
        }
        base_variances.push(variances);
        let estimated = rates.estimated_rows();
        if estimated > 0 {
            notes.push(format!("indicator `{}`: {estimated} rate(s) marked `estimated` in the rate files", rates.name));
        }
        if rates.all.sample_size.is_none() {
            notes.push(format!("indicator `{}`: no `sample_size` in the rate files, so the interval has no sampling part", rates.name));
        }
    }
    // Members are indices into `base`, and base zones come first in `units`: member `m` is unit `m`.
    for (u, unit) in units.iter().enumerate().filter(|(_, u)| u.is_group) {
        for k in 0..selected.len() {
            let parts: Vec<&DigitalEstimate> = unit.members.iter().map(|&m| &digital[m][k]).collect();
            let e = digital::aggregate(&parts, base_variances[k].as_deref(), z_score);
            digital[u].push(e);
        }
        let merged = unit.members.iter().fold(VintageSpan::default(), |mut acc, &m| {
            acc.merge(spans[m]);
            acc
        });
        spans[u].merge(merged);
    }

    // --- Population.
    // Groups sum their members' populations, computed first (members are the leading units).
    let mut population: Vec<Option<f64>> = Vec::with_capacity(units.len());
    for (u, unit) in units.iter().enumerate() {
        let p = if unit.is_group {
            sum_present(unit.members.iter().map(|&m| population[m]))
        } else {
            unit.own.and_then(|r| reader.eval(&pop_expr, Source::Row(r), &mut spans[u]).map(|x| x.0))
        };
        population.push(p);
    }

    // --- Social precarity per level.
    let mut specs = Vec::new();
    let mut social_values: Vec<Vec<Option<f64>>> = Vec::new();
    for (name, var) in &settings.social.variables {
        let expr = Expr::parse(&var.expression)?;
        let values: Vec<Option<f64>> = units
            .iter()
            .enumerate()
            .map(|(u, unit)| reader.eval(&expr, unit.source(&member_rows[u]), &mut spans[u]).map(|x| x.0))
            .collect();
        if values.iter().all(Option::is_none) {
            if var.optional {
                notes.push(format!("social variable `{name}` ({}) has no value in any zone: skipped", var.expression));
                continue;
            }
            return Err(IndicesError::AllMissing { what: "social variable", name: name.clone(), expression: var.expression.clone() });
        }
        specs.push(Spec { name: name.clone(), weight: var.weight, direction: var.direction });
        social_values.push(values);
    }
    let mut social_scores: Vec<SocialScore> = vec![SocialScore::default(); units.len()];
    let mut by_level: BTreeMap<Level, Vec<usize>> = BTreeMap::new();
    for (u, unit) in units.iter().enumerate() {
        by_level.entry(unit.level).or_default().push(u);
    }
    for us in by_level.values() {
        let values: Vec<Vec<Option<f64>>> = social_values.iter().map(|v| us.iter().map(|&u| v[u]).collect()).collect();
        for (&u, s) in us.iter().zip(social::score_level(&values, &specs, settings.social.classes)) {
            social_scores[u] = s;
        }
    }

    // --- IFN.
    let (ifn_scores, ifn_missing) = if settings.ifn.enabled {
        ifn_all(&reader, settings, &units, &member_rows, &base, &commune_epci, &population, &mut notes)?
    } else {
        (Vec::new(), Vec::new())
    };

    // --- Cross.
    let proxies: Vec<(String, Expr, ProxyKind)> = settings
        .cross
        .proxies
        .iter()
        .map(|p| Ok((p.name.clone(), Expr::parse(&p.expression)?, p.kind)))
        .collect::<Result<_, IndicesError>>()?;
    let mut social_count: Vec<Option<(f64, String)>> = vec![None; units.len()];
    for &u in &zone_units {
        let Some(row) = units[u].own else { continue };
        social_count[u] = proxies.iter().find_map(|(name, expr, kind)| {
            let (v, _) = reader.eval(expr, Source::Row(row), &mut spans[u])?;
            let people = match kind {
                ProxyKind::Percent => v / 100.0 * population[u]?,
                ProxyKind::Share => v * population[u]?,
                ProxyKind::Count => v,
            };
            Some((people, name.clone()))
        });
    }
    if !proxies.is_empty() && zone_units.iter().all(|&u| social_count[u].is_none()) {
        notes.push("cross: no zone has any of the configured social proxies; cross counts are empty".into());
    }
    let mut cross: Vec<Vec<Option<f64>>> = vec![vec![None; selected.len()]; units.len()];
    for &u in &zone_units {
        for k in 0..selected.len() {
            let e = &digital[u][k];
            let total = population[u].filter(|p| *p > 0.0).or(e.universe.filter(|p| *p > 0.0));
            cross[u][k] = match (e.count, &social_count[u], total) {
                (Some(c), Some((s, _)), Some(p)) => Some((c / p).min(1.0) * s.min(p)),
                (Some(_), Some(_), None) => Some(0.0),
                _ => None,
            };
        }
    }
    for (u, unit) in units.iter().enumerate().filter(|(_, u)| u.is_group) {
        let members = &unit.members;
        let counts: Vec<f64> = members.iter().filter_map(|&m| social_count[m].as_ref().map(|x| x.0)).collect();
        if !counts.is_empty() {
            let proxies_used: BTreeSet<&str> = members.iter().filter_map(|&m| social_count[m].as_ref().map(|x| x.1.as_str())).collect();
            social_count[u] = Some((counts.iter().sum(), proxies_used.into_iter().collect::<Vec<_>>().join("+")));
        }
        cross[u] = (0..selected.len()).map(|k| sum_present(members.iter().map(|&m| cross[m][k]))).collect();
    }

    // --- Rows.
    let rows = units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            let mut row_notes = Vec::new();
            if population[u] == Some(0.0) {
                row_notes.push("zero population: shares undefined".to_string());
            }
            IndicesRow {
                code: unit.code.clone(),
                level: unit.level,
                name: unit.name.clone(),
                population: population[u],
                members: if unit.is_group { unit.members.len() } else { 1 },
                digital: digital[u].clone(),
                social: social_scores[u].clone(),
                ifn: ifn_scores.get(u).cloned().unwrap_or_default(),
                social_count: social_count[u].as_ref().map(|x| x.0),
                social_proxy: social_count[u].as_ref().map(|x| x.1.clone()),
                cross: cross[u].clone(),
                vintage: spans[u].label(),
                notes: row_notes,
                ifn_missing: ifn_missing.get(u).cloned().unwrap_or_default(),
            }
        })
        .collect();
    notes.push(format!(
        "digital precarity counts people of each survey universe only (e.g. 15+); central estimator `{}`; low/high = {:.0} % interval from sampling, imputation and estimator choice",
        settings.estimator.as_str(),
        100.0 * settings.uncertainty.level
    ));
    notes.push("cross = (digital count / population) × socially precarious people: independence within each zone".into());
    Ok(IndicesOutput {
        indicators: selected.iter().map(|(r, _)| r.name.clone()).collect(),
        universes: selected.iter().map(|(r, _)| r.universe.clone()).collect(),
        estimator: settings.estimator,
        ifn_references: if settings.ifn.enabled { settings.ifn.references.clone() } else { Vec::new() },
        ifn_variant: settings.ifn.variant,
        group_members: units
            .iter()
            .filter(|u| u.level == Level::Group)
            .map(|u| (u.code.clone(), u.members.iter().map(|&m| table.zones()[base[m]].code.clone()).collect()))
            .collect(),
        rows,
        notes,
    })
}

/// Per unit: IFN scores per reference, and the French names of the inputs it lacks.
type IfnResults = (Vec<Vec<Option<IfnScores>>>, Vec<Vec<String>>);

/// IFN scores of every unit against every configured reference, and the French names of the
/// inputs each unit lacks (its `ifn_missing`).
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn ifn_all(
    reader: &Reader<'_>,
    settings: &IndicesSettings,
    units: &[Unit],
    member_rows: &[Vec<usize>],
    base: &[usize],
    commune_epci: &BTreeMap<String, String>,
    population: &[Option<f64>],
    notes: &mut Vec<String>,
) -> Result<IfnResults, IndicesError> {
    let s = &settings.ifn;
    let exprs: Vec<Expr> = [&s.one_person_households, &s.single_parent_families, &s.income, &s.aged_15_29, &s.aged_65_plus, &s.low_diploma]
        .iter()
        .map(|e| Expr::parse(e))
        .collect::<Result<_, _>>()?;
    let table = reader.table();
    // Published reference values (read from each zone's row), checked against the table.
    let mut published: BTreeMap<&str, Vec<Expr>> = BTreeMap::new();
    for (kind, vars) in &s.reference_values {
        if !s.references.contains(kind) {
            return Err(IndicesError::settings(
                format!("ifn.reference_values.{kind}"),
                format!("`{kind}` is not in `references` ({})", s.references.join(", ")),
            ));
        }
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
    // Income of a unit: at income_level (the commune's row for an IRIS), else the unit's own row.
    // Zero is no income (`MedNum` writes a missing income as 0).
    let income = |unit: &Unit| -> Option<f64> {
        let own = unit.own?;
        let z = &table.zones()[own];
        let at_level = if z.code.level() == s.income_level {
            None
        } else if s.income_level == Level::Commune {
            z.code.commune().and_then(|c| ZoneCode::new(Level::Commune, c).ok()).and_then(|c| table.row(&c).ok())
        } else {
            None
        };
        let mut span = VintageSpan::default();
        at_level
            .and_then(|r| reader.eval(&exprs[2], Source::Row(r), &mut span))
            .or_else(|| reader.eval(&exprs[2], Source::Row(own), &mut span))
            .map(|x| x.0)
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let values: Vec<[Option<f64>; 6]> = units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            let mut v = [None; 6];
            for (i, e) in exprs.iter().enumerate() {
                v[i] = if i == 2 {
                    income(unit)
                } else {
                    reader.eval(e, unit.source(&member_rows[u]), &mut VintageSpan::default()).map(|x| x.0)
                };
            }
            v
        })
        .collect();
    let zero_point = s.missing_income == IfnMissingIncome::ZeroPoint;
    let labels: [&str; 6] = {
        let mut l = ifn::INPUT_LABELS;
        if s.income_level != Level::Commune {
            l[2] = ifn::INCOME_LABEL;
        }
        l
    };
    let missing: Vec<Vec<String>> = values
        .iter()
        .map(|v| {
            (0..6)
                .filter(|&i| v[i].is_none())
                .map(|i| if i == 2 && zero_point { format!("{} (compté 0)", labels[i]) } else { labels[i].to_string() })
                .collect()
        })
        .collect();
    let zero_income = (0..units.len()).filter(|&u| !units[u].is_group && values[u][2].is_none()).count();
    if zero_point && zero_income > 0 {
        notes.push(format!(
            "IFN: {zero_income} zone(s) without income get an income point of 0 (missing_income = \"zero_point\", as MedNum 2020)"
        ));
    }
    let mut out = vec![vec![None; s.references.len()]; units.len()];
    for (k, kind) in s.references.iter().enumerate() {
        // The reference values of each unit.
        let unit_refs: Vec<Option<IfnInputs>> = if let Some(ref_exprs) = published.get(kind.as_str()) {
            // Read from the zone's own row; a group takes its members' values when they all agree.
            let own_refs: Vec<Option<IfnInputs>> = units
                .iter()
                .map(|unit| {
                    let row = unit.own.filter(|_| !unit.is_group)?;
                    let mut r = [0.0; 6];
                    for (i, e) in ref_exprs.iter().enumerate() {
                        r[i] = reader.eval(e, Source::Row(row), &mut VintageSpan::default())?.0;
                    }
                    Some(r)
                })
                .collect();
            let mut without = 0;
            let refs: Vec<Option<IfnInputs>> = units
                .iter()
                .enumerate()
                .map(|(u, unit)| {
                    if !unit.is_group {
                        without += usize::from(own_refs[u].is_none());
                        return own_refs[u];
                    }
                    let first = own_refs.get(*unit.members.first()?).copied().flatten()?;
                    unit.members.iter().all(|&m| own_refs[m] == Some(first)).then_some(first)
                })
                .collect();
            if without > 0 {
                notes.push(format!("IFN reference {kind} (values read from each zone's row): {without} zone(s) lack a reference value and are not scored against it"));
            }
            refs
        } else {
            // Computed from the zones present: base zones by territory key.
            let mut territories: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, &row) in base.iter().enumerate() {
                if let Some(t) = territory(table, commune_epci, settings, kind, row) {
                    territories.entry(t).or_default().push(i);
                }
            }
            let mut references: BTreeMap<String, Option<IfnInputs>> = BTreeMap::new();
            for (t, members) in &territories {
                let rows: Vec<usize> = members.iter().map(|&i| base[i]).collect();
                let mut r = [0.0; 6];
                let mut complete = true;
                for (i, e) in exprs.iter().enumerate() {
                    let v = if i == 2 {
                        s.reference_income.get(t).copied().or_else(|| {
                            // Population-weighted mean of the members' income: an approximation of the territory's median.
                            let (mut num, mut den) = (0.0, 0.0);
                            for &m in members {
                                if let (Some(inc), Some(p)) = (values[m][2], population[m]) {
                                    num += inc * p;
                                    den += p;
                                }
                            }
                            (den > 0.0).then(|| num / den)
                        })
                    } else {
                        available_ratio(reader, &rows, e)
                    };
                    match v {
                        Some(v) => r[i] = v,
                        None => complete = false,
                    }
                }
                if !complete {
                    notes.push(format!(
                        "IFN reference {kind} `{t}`: an indicator has no value in any of its zones; its zones are not scored"
                    ));
                }
                references.insert(t.clone(), complete.then_some(r));
            }
            units
                .iter()
                .map(|unit| {
                    // The unit's territory: its own for zones (by code), the common one of its members for groups.
                    let keys: BTreeSet<Option<String>> = if unit.is_group {
                        unit.members.iter().map(|&m| territory(table, commune_epci, settings, kind, base[m])).collect()
                    } else {
                        unit.own.map(|r| territory(table, commune_epci, settings, kind, r)).into_iter().collect()
                    };
                    let (Some(Some(key)), 1) = (keys.iter().next().cloned(), keys.len()) else { return None };
                    references.get(&key).copied().flatten()
                })
                .collect()
        };
        for (u, v) in values.iter().enumerate() {
            let Some(reference) = &unit_refs[u] else { continue };
            let others = [0, 1, 3, 4, 5].iter().all(|&i| v[i].is_some());
            out[u][k] = match (others, v[2]) {
                (true, Some(_)) => ifn::score(&v.map(Option::unwrap_or_default), reference, s.variant),
                // `MedNum` 2020: income point 0. Income 0 under the published formula gives exactly
                // that, and the five other points do not depend on the variant.
                (true, None) if zero_point => ifn::score(&v.map(Option::unwrap_or_default), reference, IfnVariant::Ifn2020),
                _ => None,
            };
        }
    }
    Ok((out, missing))
}

#[cfg(test)]
mod tests {
    use fragnum_core::{Cell, Zone};

    use super::*;
    use crate::rates::RateTable;
    use crate::rates::tests::sample;
    use crate::settings::{Direction, SocialVariable};

    /// Three IRIS in commune 00100 (EPCI 200000001), one in 00200 (EPCI 200000002), commune rows with medians.
    fn table() -> ZoneTable {
        let mut t = ZoneTable::new();
        let iris = [
            ("001000101", 100.0, 30.0, 50.0, 20.0, 10.0, 0.1),
            ("001000102", 200.0, 60.0, 80.0, 40.0, 30.0, 0.2),
            ("001000103", 50.0, 10.0, 20.0, 5.0, 5.0, 0.3),
            ("002000000", 80.0, 20.0, 40.0, 20.0, 8.0, 0.1),
        ];
        for (code, pop, y, o, men1, fam1, tp) in iris {
            let r = t.upsert_zone(Zone::new(ZoneCode::new(Level::Iris, code).unwrap()));
            let set = |t: &mut ZoneTable, k: &str, v: f64| t.set(r, k, Cell::Value(v), Some(2016));
            set(&mut t, "pop", pop);
            set(&mut t, "pop_15p", y + o);
            set(&mut t, "pop_1529", y);
            set(&mut t, "pop_6074", o);
            set(&mut t, "pop_65p", o);
            set(&mut t, "men", pop / 2.0);
            set(&mut t, "men_pseul", men1);
            set(&mut t, "fam", pop / 4.0);
            set(&mut t, "fam_mono", fam1);
            set(&mut t, "nscol15p", 0.9 * (y + o));
            set(&mut t, "nscol15p_diplmin", 0.3 * (y + o));
            t.set(r, "disp_tp60", Cell::Value(100.0 * tp), Some(2020));
            t.set(r, "chom_1564", Cell::Value(tp * pop / 2.0), Some(2016));
            t.set(r, "act_1564", Cell::Value(pop / 2.0), Some(2016));
        }
        for (code, epci, med) in [("00100", "200000001", 20_000.0), ("00200", "200000002", 25_000.0)] {
            let c = t.upsert_zone(Zone { epci: Some(epci.into()), ..Zone::new(ZoneCode::new(Level::Commune, code).unwrap()) });
            t.set(c, "disp_med", Cell::Value(med), Some(2020));
        }
        t
    }

    fn settings() -> IndicesSettings {
        let mut s = IndicesSettings::default();
        s.groups.insert("Nord".into(), vec!["001000101".into(), "00200".into()]);
        s.ifn.references = vec!["departement".into(), "group:Nord".into()];
        s
    }

    fn find<'a>(o: &'a IndicesOutput, level: Level, code: &str) -> &'a IndicesRow {
        o.rows.iter().find(|r| r.level == level && r.code == code).unwrap()
    }

    #[test]
    fn aggregates_are_sums_of_their_parts_at_every_level() {
        let o = compute(&table(), &[sample()], &settings()).unwrap();
        assert_eq!(o.indicators, vec!["ill"]);
        let iris_total = o.total("ill", Level::Iris).unwrap();
        for level in [Level::Commune, Level::Epci, Level::Departement] {
            assert!((o.total("ill", level).unwrap() - iris_total).abs() < 1e-9, "{level}");
        }
        let c = find(&o, Level::Commune, "00100");
        let parts: f64 = ["001000101", "001000102", "001000103"].iter().map(|z| find(&o, Level::Iris, z).digital[0].count.unwrap()).sum();
        assert!((c.digital[0].count.unwrap() - parts).abs() < 1e-9);
        assert_eq!(c.members, 3);
        assert_eq!(c.population, Some(350.0));
        // The custom group takes one IRIS and a whole commune.
        let g = find(&o, Level::Group, "Nord");
        assert_eq!(g.members, 2);
        let parts = find(&o, Level::Iris, "001000101").cross[0].unwrap() + find(&o, Level::Iris, "002000000").cross[0].unwrap();
        assert!((g.cross[0].unwrap() - parts).abs() < 1e-9);
        // Shares are recomputed from sums.
        let d = &c.digital[0];
        assert!((d.share().unwrap() - d.count.unwrap() / d.universe.unwrap()).abs() < 1e-12);
    }

    #[test]
    fn invariants_hold_on_every_row() {
        let o = compute(&table(), &[sample()], &settings()).unwrap();
        for row in &o.rows {
            let est = &row.digital[0];
            let (count, universe) = (est.count.unwrap(), est.universe.unwrap());
            assert!((0.0..=universe).contains(&count), "{}: {count} / {universe}", row.code);
            assert!(est.low.unwrap() <= count + 1e-9 && count <= est.high.unwrap() + 1e-9);
            let both = row.cross[0].unwrap();
            assert!(both <= count + 1e-9 && both <= row.social_count.unwrap() + 1e-9, "{}", row.code);
        }
        let cols = o.columns();
        assert!(cols.iter().all(|(_, c)| c.len() == o.rows.len()));
        assert!(cols.iter().any(|(n, _)| n == "ifn_score_global_group_Nord"));
    }

    #[test]
    fn ifn_against_computed_references_and_exact_100() {
        let o = compute(&table(), &[sample()], &settings()).unwrap();
        // Département 001 (codes 001… → "00") holds all IRIS; the département row is the reference itself,
        // except for income, whose reference is the population-weighted mean of commune medians and which a
        // département row cannot read (no own row): not scored.
        let z = find(&o, Level::Iris, "001000102");
        let s = z.ifn[0].unwrap();
        // one-person households: zone 40/100, reference (20+40+5+20)/(50+100+25+40).
        let p1 = 100.0 * 0.4 / (85.0 / 215.0);
        let p2 = 100.0 * (30.0 / 50.0) / (53.0 / 107.5);
        assert!((s.acces_information - f64::midpoint(p1, p2)).abs() < 1e-9);
        let ref_income = (20_000.0 * 350.0 + 25_000.0 * 80.0) / 430.0;
        assert!((s.acces_interfaces_numeriques - 100.0 * 20_000.0 / ref_income).abs() < 1e-9);
        // A zone identical to its reference territory scores exactly 100: a one-zone custom reference.
        let mut st = settings();
        st.groups.insert("Seul".into(), vec!["002000000".into()]);
        st.ifn.references = vec!["group:Seul".into()];
        st.ifn.reference_income.insert("Seul".into(), 25_000.0);
        let o = compute(&table(), &[sample()], &st).unwrap();
        let s = find(&o, Level::Iris, "002000000").ifn[0].unwrap();
        for v in s.values() {
            assert!((v - 100.0).abs() < 1e-12, "{v}");
        }
        assert!(find(&o, Level::Iris, "001000101").ifn[0].is_none());
    }

    #[test]
    fn social_scores_per_level_with_flags() {
        let mut st = settings();
        st.social.variables.insert(
            "chomage".into(),
            SocialVariable { expression: "chom_1564/act_1564".into(), weight: 1.0, direction: Direction::Direct, optional: false },
        );
        let o = compute(&table(), &[sample()], &st).unwrap();
        // IRIS: chomage 0.1, 0.2, 0.3, 0.1 (mean 0.175); median (disp_med) missing at IRIS level → flagged.
        let z = find(&o, Level::Iris, "001000103");
        assert!(z.social.missing.contains(&"revenu_median".to_string()));
        // Variables absent from the whole table are skipped with a note, not flagged per zone.
        assert!(!z.social.missing.contains(&"rsa".to_string()));
        assert!(o.notes.iter().any(|n| n.contains("`rsa`")));
        let tp = 0.3 / 0.175;
        assert!((z.social.score.unwrap() - 100.0 * tp).abs() < 1e-9);
        assert_eq!(z.social.rank, Some(1));
        // Commune level: chomage from summed counts, median from the commune rows.
        let c = find(&o, Level::Commune, "00200");
        assert!(c.social.missing.iter().all(|m| m != "revenu_median" && m != "chomage"));
        assert!(o.notes.iter().any(|n| n.contains("hebergement_urgence")));
    }

    #[test]
    fn bad_inputs_give_clear_errors() {
        let mut st = settings();
        st.groups.insert("Sud".into(), vec!["009990000".into()]);
        let e = compute(&table(), &[sample()], &st).unwrap_err();
        assert_eq!(e.to_string(), "group `Sud`: member `009990000` is not a zone of the table");

        let mut st = settings();
        st.social.variables.insert(
            "logement".into(),
            SocialVariable { expression: "rp_loc_hlm/men".into(), weight: 1.0, direction: Direction::Direct, optional: false },
        );
        let e = compute(&table(), &[sample()], &st).unwrap_err();
        assert!(e.to_string().contains("social variable `logement`: no zone of the table has a value"), "{e}");

        let mut st = settings();
        st.dimensions = vec!["age".into(), "csp".into()];
        let e = compute(&table(), &[sample()], &st).unwrap_err();
        assert!(e.to_string().contains("dimension `csp`"), "{e}");

        let mut st = settings();
        st.ifn.references = vec!["group:Inconnu".into()];
        let e = compute(&table(), &[sample()], &st).unwrap_err();
        assert!(e.to_string().contains("unknown IFN reference `group:Inconnu`"), "{e}");

        let mut st = settings();
        st.indicators = vec!["illettrisme".into()];
        assert!(compute(&table(), &[sample()], &st).unwrap_err().to_string().contains("unknown indicator"));

        let mut st = settings();
        st.levels = vec![Level::Region];
        assert!(compute(&table(), &[sample()], &st).unwrap_err().to_string().contains("[indices] levels"));
    }

    #[test]
    fn a_misspelt_category_variable_is_an_error_and_an_absent_dimension_a_note() {
        let text = format!(
            "{}ill,all,15+,pop_15p,20,15+,t,2021,published,\nill,age,15-29,pop_1529,10,15+,t,2021,published,\nill,age,60+,pop_6O74,40,15+,t,2021,published,\n",
            crate::rates::tests::HEADER
        );
        let rates = RateTable::parse(&text, "typo.csv").unwrap();
        let mut st = settings();
        st.known_variables = ["pop_15p", "pop_1529", "pop_6074", "pop15p_cs1", "pop15p_cs2"].iter().map(|s| (*s).to_string()).collect();
        let e = compute(&table(), &[rates], &st).unwrap_err().to_string();
        assert!(e.starts_with("typo.csv:4: category `60+` reads `pop_6O74`"), "{e}");
        let text = format!(
            "{}ill,all,15+,pop_15p,20,15+,t,2021,published,\nill,csp,a,pop15p_cs1,10,15+,t,2021,published,\nill,csp,b,pop15p_cs2,40,15+,t,2021,published,\n",
            crate::rates::tests::HEADER
        );
        let o = compute(&table(), &[RateTable::parse(&text, "csp.csv").unwrap()], &st).unwrap();
        assert!(o.notes.iter().any(|n| n.contains("no zone has the strata of dimension `csp`")), "{:?}", o.notes);
    }

    #[test]
    fn income_categories_must_match_the_bands() {
        use std::fmt::Write as _;
        let mut text = format!("{}ill,all,15+,pop_15p,20,15+,t,2021,published,\n", crate::rates::tests::HEADER);
        for q in 1..=3 {
            writeln!(text, "ill,income,q{q},income_q{q},10,15+,t,2021,published,").unwrap();
        }
        let mut t = table();
        for (k, v) in
            ["disp_d1", "disp_d2", "disp_d3", "disp_d4", "disp_med", "disp_d6", "disp_d7", "disp_d8", "disp_d9"].iter().enumerate()
        {
            t.set(0, v, Cell::Value(10_000.0 + 2_000.0 * k as f64), Some(2019));
        }
        let e = compute(&t, &[RateTable::parse(&text, "inc.csv").unwrap()], &settings()).unwrap_err().to_string();
        assert!(e.contains("3 income categories but [indices.income] limits cut 5 bands"), "{e}");
    }

    #[test]
    fn zero_population_zone_is_flagged_not_fatal() {
        let mut t = table();
        let r = t.upsert_zone(Zone::new(ZoneCode::new(Level::Iris, "001000104").unwrap()));
        for k in ["pop", "pop_15p", "pop_1529", "pop_6074", "men", "fam"] {
            t.set(r, k, Cell::Value(0.0), Some(2016));
        }
        let o = compute(&t, &[sample()], &settings()).unwrap();
        let z = find(&o, Level::Iris, "001000104");
        assert_eq!(z.digital[0].count, Some(0.0));
        assert_eq!(z.digital[0].share(), None);
        assert!(z.notes[0].contains("zero population"));
        assert!(z.ifn[0].is_none());
        assert_eq!(z.vintage.as_deref(), Some("2016"));
    }

    /// Published reference values (`[indices.ifn.reference_values.<kind>]`) on every IRIS row:
    /// `region` (any name) for all, and one EPCI-like value that differs between communes.
    fn with_published_references(tab: &mut ZoneTable) -> IndicesSettings {
        let reference = [0.4, 0.2, 22_000.0, 0.15, 0.2, 0.25];
        let iris: Vec<(usize, bool)> = tab.zones_at(Level::Iris).map(|(r, z)| (r, z.code.as_str().starts_with("00200"))).collect();
        for (r, commune_00200) in iris {
            for (i, v) in reference.iter().enumerate() {
                tab.set(r, &format!("ref_region_{i}"), Cell::Value(*v), None);
                let local = if commune_00200 { v * 1.1 } else { *v };
                tab.set(r, &format!("ref_local_{i}"), Cell::Value(local), None);
            }
        }
        let vars = |prefix: &str| {
            let n = |i: usize| format!("{prefix}_{i}");
            crate::settings::IfnReferenceValues {
                one_person_households: n(0),
                single_parent_families: n(1),
                income: n(2),
                aged_15_29: n(3),
                aged_65_plus: n(4),
                low_diploma: n(5),
            }
        };
        let mut s = settings();
        s.ifn.references = vec!["region".into(), "local".into(), "departement".into()];
        s.ifn.reference_values.insert("region".into(), vars("ref_region"));
        s.ifn.reference_values.insert("local".into(), vars("ref_local"));
        s
    }

    #[test]
    fn ifn_reference_values_read_from_the_zone_row() {
        let mut tab = table();
        let st = with_published_references(&mut tab);
        let out = compute(&tab, &[sample()], &st).unwrap();
        assert_eq!(out.ifn_references, vec!["region", "local", "departement"]);
        // IRIS 001000102: zone shares from its counts, income from its commune, reference as read.
        let zone = find(&out, Level::Iris, "001000102");
        let inputs = [40.0 / 100.0, 30.0 / 50.0, 20_000.0, 60.0 / 200.0, 80.0 / 200.0, 0.3 / 0.9];
        let expected = ifn::score(&inputs, &[0.4, 0.2, 22_000.0, 0.15, 0.2, 0.25], IfnVariant::Ifn2020).unwrap();
        let got = zone.ifn[0].unwrap();
        for (a, b) in got.values().iter().zip(expected.values()) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        // The computed département reference is unchanged beside them.
        assert_eq!(
            zone.ifn[2],
            compute(&table(), &[sample()], &settings()).unwrap().rows.iter().find(|r| r.code == "001000102").unwrap().ifn[0]
        );
        // Groups: a commune takes its IRIS' common reference; the département mixes two `local` values: none.
        let commune = find(&out, Level::Commune, "00100");
        assert!(commune.ifn[0].is_some() && commune.ifn[1].is_some());
        let dep = out.rows.iter().find(|r| r.level == Level::Departement).unwrap();
        assert!(dep.ifn[1].is_none());
        assert!(out.columns().iter().any(|(n, _)| n == "ifn_score_global_region"));
    }

    #[test]
    fn ifn_reference_values_must_exist_and_be_referenced() {
        let mut tab = table();
        let mut st = with_published_references(&mut tab);
        st.ifn.reference_values.get_mut("region").unwrap().aged_65_plus = "ref_region_4|seuil_65p".into();
        let e = compute(&tab, &[sample()], &st).unwrap_err();
        assert!(matches!(e, IndicesError::Settings { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "[indices] ifn.reference_values.region.aged_65_plus: `seuil_65p` is not in the zone table (is the table that carries it read, with its mapping set?)"
        );
        let mut st = with_published_references(&mut tab);
        st.ifn.references.retain(|r| r != "local");
        let e = compute(&tab, &[sample()], &st).unwrap_err();
        assert!(e.to_string().contains("ifn.reference_values.local: `local` is not in `references`"), "{e}");
        // Without reference values, an unknown reference name is still refused.
        let mut st = settings();
        st.ifn.references = vec!["region".into()];
        assert!(compute(&tab, &[sample()], &st).unwrap_err().to_string().contains("unknown IFN reference `region`"));
    }

    #[test]
    fn ifn_missing_inputs_are_named_and_zero_income_is_missing_unless_zero_point() {
        let mut tab = table();
        // Commune 00200 has a zero income (MedNum's way of writing a missing one); IRIS 001000103 lacks diplomas.
        let commune = tab.row(&ZoneCode::new(Level::Commune, "00200").unwrap()).unwrap();
        tab.set(commune, "disp_med", Cell::Value(0.0), Some(2021));
        let iris = tab.row(&ZoneCode::new(Level::Iris, "001000103").unwrap()).unwrap();
        tab.set(iris, "nscol15p", Cell::Missing, Some(2017));
        let mut st = with_published_references(&mut tab);
        let out = compute(&tab, &[sample()], &st).unwrap();
        let zone = find(&out, Level::Iris, "002000000");
        assert!(zone.ifn.iter().all(Option::is_none), "{:?} {:?}", zone.ifn, zone.ifn_missing);
        assert_eq!(zone.ifn_missing, vec!["revenu médian communal"]);
        assert_eq!(find(&out, Level::Iris, "001000103").ifn_missing, vec!["part des non ou peu diplômés"]);
        assert!(find(&out, Level::Iris, "001000101").ifn_missing.is_empty());
        let col = out.columns().into_iter().find(|(n, _)| n == "ifn_missing").unwrap().1;
        let fragnum_core::column::ColumnData::Text(col) = col else { panic!("ifn_missing is text") };
        assert!(col.contains(&Some("revenu médian communal".into())) && col.contains(&None));

        // As MedNum: the income point is 0 and the five others count, whatever the variant.
        st.ifn.missing_income = IfnMissingIncome::ZeroPoint;
        for variant in [IfnVariant::Ifn2020, IfnVariant::Ifn2020IncomeInverted] {
            st.ifn.variant = variant;
            let out = compute(&tab, &[sample()], &st).unwrap();
            let zone = find(&out, Level::Iris, "002000000");
            let scores = zone.ifn[0].unwrap();
            assert!(scores.acces_interfaces_numeriques.abs() < 1e-12);
            let inputs = [20.0 / 40.0, 8.0 / 20.0, 0.0, 20.0 / 80.0, 40.0 / 80.0, 1.0 / 3.0];
            let expected = ifn::score(&inputs, &[0.4, 0.2, 22_000.0, 0.15, 0.2, 0.25], IfnVariant::Ifn2020).unwrap();
            assert!((scores.score_global - expected.score_global).abs() < 1e-9);
            assert_eq!(zone.ifn_missing, vec!["revenu médian communal (compté 0)"]);
            assert!(out.notes.iter().any(|n| n.contains("income point of 0")));
            // Other missing inputs still leave the zone unscored.
            assert!(find(&out, Level::Iris, "001000103").ifn[0].is_none());
        }
    }
}
