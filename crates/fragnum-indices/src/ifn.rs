//! Indice de fragilité numérique, `MedNum` 2020 (base 100), exactly as published.
//!
//! Six indicators in four axes. For a zone *i* and a reference territory *R*, each indicator's
//! point is `100 × value_i / value_R`, where `value_R` is the aggregate over *R* (Σ numerators /
//! Σ denominators, not a mean of zone shares):
//!
//! | axis | indicator | default expression |
//! |---|---|---|
//! | accès à l'information | one-person households | `men_pseul/men` |
//! | accès à l'information | single-parent families | `fam_mono/fam` (families, not households) |
//! | accès aux interfaces numériques | median disposable income | `disp_med` of the **commune** |
//! | compétences administratives | aged 15–29 | `pop_1529/pop` |
//! | compétences numériques / scolaires | aged 65+ | `pop_65p/pop` |
//! | compétences numériques / scolaires | no or low diploma | `nscol15p_diplmin/nscol15p` |
//!
//! Axis score = mean of its points; global access = (3 access points) / 3; global skills =
//! (3 skills points) / 3; global score = (6 points) / 6 — equal weight per indicator, not per axis.
//!
//! **Direction caveat.** The published 2020 scores use `100 × income / reference` too, so a richer
//! commune scores *higher* (more fragile) on the interfaces axis — most likely a design slip, but
//! [`IfnVariant::Ifn2020`] reproduces it for comparability; [`IfnVariant::Ifn2020IncomeInverted`]
//! uses `100 × reference / income`.
//!
//! **Assembly** (for [`crate::compute()`]). Each zone and group reads its six inputs from its own
//! cells (a group from its members' summed counts), income from the commune's row by default; an
//! income of zero is a missing income (`MedNum` writes it so). A reference kind listed in
//! `reference_values` is read from each zone's row (a group takes its members' values when they
//! all agree); any other is computed from the base zones of each territory of that kind (Σ
//! numerators / Σ denominators; income from `reference_income`, else the population-weighted mean
//! of the zones' incomes), and a group is scored against its members' territory when they share
//! one. A unit lacking an input is not scored, and `ifn_missing` names what it lacks; under
//! `missing_income = "zero_point"` a missing income is a 0 point, as in the published scores.

use std::collections::{BTreeMap, BTreeSet};

use fragnum_core::{Level, ZoneCode};

use crate::IndicesError;
use crate::expr::{Expr, Reader, Source, Term, VintageSpan};
use crate::settings::{IfnMissingIncome, IfnSettings, IfnVariant};
use crate::units::{Run, Unit};

/// The six indicator values of a zone or a reference territory (shares as proportions, income in
/// euros), in this order: one-person households, single-parent families, income, aged 15–29,
/// aged 65+, low diploma.
pub type IfnInputs = [f64; 6];

/// French names of the six inputs, in the order of [`IfnInputs`], as written in `ifn_missing` and
/// the fact sheets (the income one when it is read from the commune; [`INCOME_LABEL`] otherwise).
pub const INPUT_LABELS: [&str; 6] = [
    "part des ménages d’une personne",
    "part des familles monoparentales",
    "revenu médian communal",
    "part des 15–29 ans",
    "part des 65 ans ou plus",
    "part des non ou peu diplômés",
];

/// French name of the income input when it is read from the zone itself.
pub const INCOME_LABEL: &str = "revenu médian";

/// The published scores of one zone against one reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IfnScores {
    /// Accès à l'information (mean of 2 points).
    pub acces_information: f64,
    /// Accès aux interfaces numériques (income point).
    pub acces_interfaces_numeriques: f64,
    /// Compétences administratives (15–29 point).
    pub competences_administratives: f64,
    /// Compétences numériques / scolaires (mean of 2 points).
    pub competences_numeriques_scolaires: f64,
    /// Global access (3 points / 3).
    pub global_acces: f64,
    /// Global skills (3 points / 3).
    pub global_competences: f64,
    /// Global score (6 points / 6).
    pub score_global: f64,
}

impl IfnScores {
    /// Names of the scores, in the order of [`IfnScores::values`].
    pub const NAMES: [&'static str; 7] = [
        "acces_information",
        "acces_interfaces_numeriques",
        "competences_administratives",
        "competences_numeriques_scolaires",
        "global_acces",
        "global_competences",
        "score_global",
    ];

    /// The scores in the order of [`IfnScores::NAMES`].
    pub fn values(&self) -> [f64; 7] {
        [
            self.acces_information,
            self.acces_interfaces_numeriques,
            self.competences_administratives,
            self.competences_numeriques_scolaires,
            self.global_acces,
            self.global_competences,
            self.score_global,
        ]
    }
}

/// Scores `zone` against `reference`; `None` when a reference value is not positive or, for the
/// inverted variant, the zone's income is zero.
///
/// ```
/// use fragnum_indices::ifn::score;
/// use fragnum_indices::settings::IfnVariant;
/// let reference = [0.36, 0.14, 21_802.0, 0.16, 0.20, 0.25];
/// let s = score(&reference, &reference, IfnVariant::Ifn2020).unwrap();
/// assert!((s.score_global - 100.0).abs() < 1e-12);
/// ```
// Written `(a + b) / 2` as the published method is, not `f64::midpoint`.
#[allow(clippy::manual_midpoint)]
pub fn score(zone: &IfnInputs, reference: &IfnInputs, variant: IfnVariant) -> Option<IfnScores> {
    if reference.iter().any(|r| !(r.is_finite() && *r > 0.0)) || zone.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut p = [0.0; 6];
    for i in 0..6 {
        p[i] = 100.0 * zone[i] / reference[i];
    }
    if variant == IfnVariant::Ifn2020IncomeInverted {
        if zone[2] <= 0.0 {
            return None;
        }
        p[2] = 100.0 * reference[2] / zone[2];
    }
    Some(IfnScores {
        acces_information: (p[0] + p[1]) / 2.0,
        acces_interfaces_numeriques: p[2],
        competences_administratives: p[3],
        competences_numeriques_scolaires: (p[4] + p[5]) / 2.0,
        global_acces: (p[0] + p[1] + p[2]) / 3.0,
        global_competences: (p[3] + p[4] + p[5]) / 3.0,
        score_global: p.iter().sum::<f64>() / 6.0,
    })
}

/// Per unit: IFN scores per reference, and the French names of the inputs it lacks.
#[derive(Debug, Default)]
pub(crate) struct IfnResults {
    /// Scores per unit, aligned with the configured references.
    pub(crate) scores: Vec<Vec<Option<IfnScores>>>,
    /// The unit's `ifn_missing`.
    pub(crate) missing: Vec<Vec<String>>,
}

/// The six inputs of a unit, in the order of [`IfnInputs`]; `None` where missing.
type UnitInputs = [Option<f64>; 6];

/// IFN scores of every unit against every configured reference, and the inputs each unit lacks.
pub(crate) fn assemble(run: &Run<'_>, population: &[Option<f64>], notes: &mut Vec<String>) -> Result<IfnResults, IndicesError> {
    let s = &run.settings.ifn;
    let exprs = s.input_expressions()?;
    let published = s.published_references(run.reader.table())?;
    let inputs: Vec<UnitInputs> = run.units.all().iter().map(|unit| unit_inputs(run, &exprs, unit)).collect();
    let missing = inputs.iter().map(|v| missing_labels(s, v)).collect();
    let zero_income = run.units.zones().filter(|(u, _)| inputs[*u][2].is_none()).count();
    if s.missing_income == IfnMissingIncome::ZeroPoint && zero_income > 0 {
        notes.push(format!(
            "IFN: {zero_income} zone(s) without income get an income point of 0 (missing_income = \"zero_point\", as MedNum 2020)"
        ));
    }
    let mut scores = vec![vec![None; s.references.len()]; inputs.len()];
    for (k, kind) in s.references.iter().enumerate() {
        let references = match published.get(kind.as_str()) {
            Some(ref_exprs) => read_references(run, kind, ref_exprs, notes),
            None => computed_references(run, kind, &exprs, &inputs, population, notes),
        };
        for (u, v) in inputs.iter().enumerate() {
            let Some(reference) = &references[u] else { continue };
            scores[u][k] = score_unit(v, reference, s);
        }
    }
    Ok(IfnResults { scores, missing })
}

/// The six inputs of `unit`: income from [`unit_income`], the others from the unit's cells.
fn unit_inputs(run: &Run<'_>, exprs: &[Expr], unit: &Unit) -> UnitInputs {
    let mut v = [None; 6];
    for (i, e) in exprs.iter().enumerate() {
        v[i] = if i == 2 { unit_income(run, e, unit) } else { run.reader.eval(e, unit.source(), &mut VintageSpan::default()).map(|x| x.0) };
    }
    v
}

/// Income of a unit: at `income_level` (the commune's row for an IRIS), else the unit's own row.
/// Zero is no income (`MedNum` writes a missing income as 0).
fn unit_income(run: &Run<'_>, expr: &Expr, unit: &Unit) -> Option<f64> {
    let s = &run.settings.ifn;
    let table = run.reader.table();
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
        .and_then(|r| run.reader.eval(expr, Source::Row(r), &mut span))
        .or_else(|| run.reader.eval(expr, Source::Row(own), &mut span))
        .map(|x| x.0)
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// The French names of the inputs missing from `v`, the income marked « compté 0 » under
/// `missing_income = "zero_point"`.
fn missing_labels(s: &IfnSettings, v: &UnitInputs) -> Vec<String> {
    let zero_point = s.missing_income == IfnMissingIncome::ZeroPoint;
    let mut labels = INPUT_LABELS;
    if s.income_level != Level::Commune {
        labels[2] = INCOME_LABEL;
    }
    (0..6)
        .filter(|&i| v[i].is_none())
        .map(|i| if i == 2 && zero_point { format!("{} (compté 0)", labels[i]) } else { labels[i].to_string() })
        .collect()
}

/// A unit's scores against `reference`: `None` when an input other than income is missing, or
/// income is and `missing_income` is `unscored`.
fn score_unit(v: &UnitInputs, reference: &IfnInputs, s: &IfnSettings) -> Option<IfnScores> {
    let others = [0, 1, 3, 4, 5].iter().all(|&i| v[i].is_some());
    match (others, v[2]) {
        (true, Some(_)) => score(&v.map(Option::unwrap_or_default), reference, s.variant),
        // `MedNum` 2020: income point 0. Income 0 under the published formula gives exactly
        // that, and the five other points do not depend on the variant.
        (true, None) if s.missing_income == IfnMissingIncome::ZeroPoint => {
            score(&v.map(Option::unwrap_or_default), reference, IfnVariant::Ifn2020)
        }
        _ => None,
    }
}

/// Reference values of `kind` read from each zone's own row with `exprs`; a group takes its
/// members' values when they all agree.
fn read_references(run: &Run<'_>, kind: &str, exprs: &[Expr], notes: &mut Vec<String>) -> Vec<Option<IfnInputs>> {
    let mut refs: Vec<Option<IfnInputs>> = run
        .units
        .all()
        .iter()
        .map(|unit| {
            let row = unit.own.filter(|_| !unit.is_group())?;
            let mut r = [0.0; 6];
            for (i, e) in exprs.iter().enumerate() {
                r[i] = run.reader.eval(e, Source::Row(row), &mut VintageSpan::default())?.0;
            }
            Some(r)
        })
        .collect();
    let without = run.units.zones().filter(|(u, _)| refs[*u].is_none()).count();
    run.units.sum_into_groups(&mut refs, |group, members| {
        let first = members.first().and_then(|m| **m);
        *group = first.filter(|f| members.iter().all(|m| **m == Some(*f)));
    });
    if without > 0 {
        notes.push(format!(
            "IFN reference {kind} (values read from each zone's row): {without} zone(s) lack a reference value and are not scored against it"
        ));
    }
    refs
}

/// Reference values of `kind` computed from the base zones ([`territory_values`]): a zone takes
/// its territory's, a group its members' common territory's (none when they straddle two).
fn computed_references(
    run: &Run<'_>,
    kind: &str,
    exprs: &[Expr],
    inputs: &[UnitInputs],
    population: &[Option<f64>],
    notes: &mut Vec<String>,
) -> Vec<Option<IfnInputs>> {
    let references = territory_values(run, kind, exprs, inputs, population, notes);
    run.units
        .all()
        .iter()
        .map(|unit| {
            let keys: BTreeSet<Option<String>> = if unit.is_group() {
                unit.member_rows().iter().map(|&r| territory(run, kind, r)).collect()
            } else {
                unit.own.map(|r| territory(run, kind, r)).into_iter().collect()
            };
            let (Some(Some(key)), 1) = (keys.iter().next().cloned(), keys.len()) else { return None };
            references.get(&key).copied().flatten()
        })
        .collect()
}

/// The reference values of each territory of `kind`, from its base zones (`exprs`, the units'
/// `inputs` and `population`): shares as Σ numerators / Σ denominators, income from
/// `reference_income` or the population-weighted mean of the zones' incomes. `None` (and a
/// note) for a territory where an indicator has no value.
fn territory_values(
    run: &Run<'_>,
    kind: &str,
    exprs: &[Expr],
    inputs: &[UnitInputs],
    population: &[Option<f64>],
    notes: &mut Vec<String>,
) -> BTreeMap<String, Option<IfnInputs>> {
    let mut territories: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (u, row) in run.units.base() {
        if let Some(t) = territory(run, kind, row) {
            territories.entry(t).or_default().push((u, row));
        }
    }
    let mut references = BTreeMap::new();
    for (t, members) in &territories {
        let rows: Vec<usize> = members.iter().map(|&(_, row)| row).collect();
        let mut r = [0.0; 6];
        let mut complete = true;
        for (i, e) in exprs.iter().enumerate() {
            let v = if i == 2 {
                run.settings.ifn.reference_income.get(t).copied().or_else(|| {
                    // Population-weighted mean of the members' income: an approximation of the territory's median.
                    let (mut num, mut den) = (0.0, 0.0);
                    for &(u, _) in members {
                        if let (Some(inc), Some(p)) = (inputs[u][2], population[u]) {
                            num += inc * p;
                            den += p;
                        }
                    }
                    (den > 0.0).then(|| num / den)
                })
            } else {
                available_ratio(&run.reader, &rows, e)
            };
            match v {
                Some(v) => r[i] = v,
                None => complete = false,
            }
        }
        if !complete {
            notes.push(format!("IFN reference {kind} `{t}`: an indicator has no value in any of its zones; its zones are not scored"));
        }
        references.insert(t.clone(), complete.then_some(r));
    }
    references
}

/// The reference territory of kind `kind` of zone `row` (`departement`, `epci`, `perimeter`,
/// `group:<name>`).
fn territory(run: &Run<'_>, kind: &str, row: usize) -> Option<String> {
    let z = &run.reader.table().zones()[row];
    match kind {
        "departement" => z.code.departement().map(str::to_string),
        "epci" => run.geography.epci_of(row),
        "perimeter" => Some("perimeter".into()),
        _ => {
            let group = kind.strip_prefix("group:")?;
            let codes = run.settings.groups.get(group)?;
            run.geography.in_group(row, codes).then(|| group.to_string())
        }
    }
}

/// Σ numerators / Σ denominators over the `rows` that have both (first ratio alternative).
fn available_ratio(reader: &Reader<'_>, rows: &[usize], expr: &Expr) -> Option<f64> {
    expr.alternatives().iter().find_map(|t| {
        let Term::Ratio(n, d) = t else { return None };
        let (mut num, mut den) = (0.0, 0.0);
        for &m in rows {
            let mut span = VintageSpan::default();
            if let (Some(a), Some(b)) = (reader.sum(&[m], n, &mut span), reader.sum(&[m], d, &mut span)) {
                num += a;
                den += b;
            }
        }
        (den > 0.0).then(|| num / den)
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use fragnum_core::{Cell, ZoneTable};

    use super::*;
    use crate::compute::compute;
    use crate::compute::tests::{find, settings, table};
    use crate::rates::tests::sample;
    use crate::settings::IndicesSettings;

    #[test]
    fn hand_computed_scores() {
        let reference = [0.4, 0.1, 20_000.0, 0.2, 0.2, 0.25];
        let zone = [0.6, 0.1, 30_000.0, 0.1, 0.3, 0.25];
        // points 150, 100, 150, 50, 150, 100
        let s = score(&zone, &reference, IfnVariant::Ifn2020).unwrap();
        assert!((s.acces_information - 125.0).abs() < 1e-12);
        assert!((s.acces_interfaces_numeriques - 150.0).abs() < 1e-12);
        assert!((s.competences_administratives - 50.0).abs() < 1e-12);
        assert!((s.competences_numeriques_scolaires - 125.0).abs() < 1e-12);
        assert!((s.global_acces - 400.0 / 3.0).abs() < 1e-12);
        assert!((s.global_competences - 100.0).abs() < 1e-12);
        assert!((s.score_global - 700.0 / 6.0).abs() < 1e-12);
        let inv = score(&zone, &reference, IfnVariant::Ifn2020IncomeInverted).unwrap();
        assert!((inv.acces_interfaces_numeriques - 200.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn zone_equal_to_reference_scores_exactly_100_and_bad_reference_is_none() {
        let r = [0.3, 0.2, 18_000.0, 0.1, 0.3, 0.2];
        for v in [IfnVariant::Ifn2020, IfnVariant::Ifn2020IncomeInverted] {
            assert!(score(&r, &r, v).unwrap().values().iter().all(|s| (*s - 100.0).abs() < 1e-12));
        }
        assert!(score(&r, &[0.0, 0.2, 1.0, 0.1, 0.3, 0.2], IfnVariant::Ifn2020).is_none());
    }

    /// Reproduces the published Savoie scores from the raw counts and published reference shares.
    #[test]
    fn reproduces_published_ifn_2020_savoie() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/reference/ifn-2020.38-73.csv");
        if !data.exists() {
            println!("skipped: {} is absent", data.display());
            return;
        }
        let mut reader = csv::Reader::from_path(&data).unwrap();
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
        let num = |rec: &csv::StringRecord, name: &str| rec.get(col(name)).and_then(|v| v.parse::<f64>().ok());
        let (mut rows, mut max_diff, mut worst) = (0, 0.0_f64, String::new());
        for rec in reader.records() {
            let rec = rec.unwrap();
            let Some(pop) = num(&rec, "raw_P16_POP") else { continue };
            let zone = [
                num(&rec, "raw_C16_MENPSEUL").unwrap() / num(&rec, "raw_C16_MEN").unwrap(),
                num(&rec, "raw_C16_FAMMONO").unwrap() / num(&rec, "raw_C16_FAM").unwrap(),
                num(&rec, "raw_revenu_median_commune_MED15").unwrap(),
                num(&rec, "raw_P16_POP1529").unwrap() / pop,
                num(&rec, "raw_P16_POP65P").unwrap() / pop,
                num(&rec, "raw_P16_NSCOL15P_DIPLMIN").unwrap() / num(&rec, "raw_P16_NSCOL15P").unwrap(),
            ];
            for (suffix, prefix) in [("dep", "ref_dep_"), ("reg", "ref_reg_")] {
                let reference = [
                    num(&rec, &format!("{prefix}part_menages_1pers")).unwrap(),
                    num(&rec, &format!("{prefix}part_familles_monoparentales")).unwrap(),
                    num(&rec, &format!("{prefix}revenu_median")).unwrap(),
                    num(&rec, &format!("{prefix}part_15_29")).unwrap(),
                    num(&rec, &format!("{prefix}part_65plus")).unwrap(),
                    num(&rec, &format!("{prefix}part_non_peu_diplomes")).unwrap(),
                ];
                let s = score(&zone, &reference, IfnVariant::Ifn2020).unwrap();
                for (name, value) in IfnScores::NAMES.iter().zip(s.values()) {
                    let Some(published) = num(&rec, &format!("{name}_{suffix}")) else { continue };
                    let d = (value - published).abs();
                    if d > max_diff {
                        max_diff = d;
                        worst = format!("{} {name}_{suffix}: {value} vs {published}", &rec[0]);
                    }
                }
            }
            rows += 1;
        }
        println!("IFN 2020 reproduction: {rows} Savoie IRIS, 7 scores × 2 references, max |diff| = {max_diff:.3e} ({worst})");
        assert!(rows > 300, "only {rows} rows with raw inputs");
        assert!(max_diff <= 1e-6, "max |diff| = {max_diff} ({worst})");
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
        let expected = score(&inputs, &[0.4, 0.2, 22_000.0, 0.15, 0.2, 0.25], IfnVariant::Ifn2020).unwrap();
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
            let expected = score(&inputs, &[0.4, 0.2, 22_000.0, 0.15, 0.2, 0.25], IfnVariant::Ifn2020).unwrap();
            assert!((scores.score_global - expected.score_global).abs() < 1e-9);
            assert_eq!(zone.ifn_missing, vec!["revenu médian communal (compté 0)"]);
            assert!(out.notes.iter().any(|n| n.contains("income point of 0")));
            // Other missing inputs still leave the zone unscored.
            assert!(find(&out, Level::Iris, "001000103").ifn[0].is_none());
        }
    }
}
