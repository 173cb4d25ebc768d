//! The main entry: every index on every zone and group, in one call.
//!
//! Zones of `base_level` (IRIS) and of each standalone level (QPV) are computed from their own
//! cells. Aggregation levels (commune, EPCI, département) and custom groups are built from base
//! zones: counts (digital estimates, bands, cross counts, population) are **sums of the members'**
//! — never averages — and shares are recomputed from those sums. Social and IFN shares of a group
//! come from summed numerators and denominators; level values (medians, percentages) from the
//! group's own row of the table when it has one (a commune's Filosofi row), else they are missing.
//!
//! The passes, in order: digital precarity ([`crate::digital`]), population, social precarity
//! ([`crate::social`]), the IFN ([`crate::ifn`]) and the cross ([`crate::cross`]).

use std::collections::BTreeMap;

use fragnum_core::{Level, ZoneTable};

use crate::IndicesError;
use crate::cross::{self, Cross};
use crate::derived;
use crate::digital::{self, DigitalEstimate, Donors, sum_present};
use crate::expr::{Expr, Reader, Source, VintageSpan};
use crate::ifn::{self, IfnResults};
use crate::output::{IndicesOutput, IndicesRow};
use crate::rates::{RateTable, SelectedRates};
use crate::settings::IndicesSettings;
use crate::social::{self, SocialScore, Spec};
use crate::units::{Geography, Run, Units};

/// Checks the parsed rate files against the settings before any zone is read: merged
/// ([`crate::rates::merge`]), the `indicators` and `dimensions` asked for present, and every
/// variable a row reads nameable (a census name of the mapping, `settings.known_variables`, a
/// derived variable or an income band; not checked when `known_variables` is empty). Returns the
/// indicators that [`compute()`] will estimate, in order.
pub fn check_rates(rates: &[RateTable], settings: &IndicesSettings) -> Result<Vec<String>, IndicesError> {
    let selected = settings.select_rates(rates)?;
    settings.check_variable_names(&selected, &|_| false)?;
    Ok(selected.into_iter().map(|s| s.rates.name).collect())
}

/// Computes every index for every zone and group of `table`.
///
/// `rates` are the parsed rate files (the CLI reads the files listed in `settings.rates`).
pub fn compute(table: &ZoneTable, rates: &[RateTable], settings: &IndicesSettings) -> Result<IndicesOutput, IndicesError> {
    if let Err(mut errors) = settings.validate() {
        return Err(errors.swap_remove(0));
    }
    let selected = settings.select_rates(rates)?;
    let mut notes = Vec::new();
    let extended = derived::extend(table, &settings.income, &settings.derived, &mut notes)?;
    settings.check_rate_variables(&extended, &selected, &mut notes)?;
    let geography = Geography::new(&extended);
    let units = Units::build(&geography, settings)?;
    if settings.levels.contains(&Level::Epci) {
        notes.extend(epci_orphans(&geography, &units, settings));
    }
    let run = Run { reader: Reader::new(&extended), geography, units, settings };
    let mut spans = vec![VintageSpan::default(); run.units.all().len()];
    let pop_expr = Expr::parse(&settings.population)?;
    let digital = digital_estimates(&run, &selected, &pop_expr, &mut spans, &mut notes)?;
    let population = population(&run, &pop_expr, &mut spans);
    let social = social_scores(&run, &mut spans, &mut notes)?;
    let ifn = if settings.ifn.enabled { ifn::assemble(&run, &population, &mut notes)? } else { IfnResults::default() };
    let cross = cross::assemble(&run, &digital, &population, &mut spans, &mut notes)?;
    let rows = rows(&run.units, &PerUnit { digital, population, social, ifn, cross, spans });
    notes.push(format!(
        "digital precarity counts people of each survey universe only (e.g. 15+); central estimator `{}`; low/high = {:.0} % interval from sampling, imputation and estimator choice",
        settings.estimator.as_str(),
        100.0 * settings.uncertainty.level
    ));
    notes.push("cross = (digital count / population) × socially precarious people: independence within each zone".into());
    Ok(IndicesOutput {
        indicators: selected.iter().map(|s| s.rates.name.clone()).collect(),
        universes: selected.iter().map(|s| s.rates.universe.clone()).collect(),
        estimator: settings.estimator,
        ifn_references: if settings.ifn.enabled { settings.ifn.references.clone() } else { Vec::new() },
        ifn_variant: settings.ifn.variant,
        group_members: run
            .units
            .all()
            .iter()
            .filter(|u| u.level == Level::Group)
            .map(|u| (u.code.clone(), u.member_rows().iter().map(|&r| extended.zones()[r].code.clone()).collect()))
            .collect(),
        rows,
        notes,
    })
}

/// The note naming the base zones that EPCI rows leave out (neither their own EPCI nor their
/// commune's), if any.
fn epci_orphans(geography: &Geography<'_>, units: &Units, settings: &IndicesSettings) -> Option<String> {
    let orphans: Vec<&str> =
        units.base().filter(|&(_, r)| geography.epci_of(r).is_none()).map(|(_, r)| geography.table().zones()[r].code.as_str()).collect();
    if orphans.is_empty() {
        return None;
    }
    let shown: Vec<&str> = orphans.iter().take(8).copied().collect();
    Some(format!(
        "{} {} zone(s) without an EPCI (neither their own nor their commune's) are left out of the EPCI rows: {}{}",
        orphans.len(),
        settings.base_level,
        shown.join(", "),
        if orphans.len() > shown.len() { ", …" } else { "" }
    ))
}

/// Digital precarity of every unit, one estimate per selected indicator: zones level by level
/// from their own strata (base zones imputed from their enclosing territories), then groups
/// summed from their members ([`digital::aggregate`]). `population` is the universe proxy tried
/// last.
fn digital_estimates(
    run: &Run<'_>,
    selected: &[SelectedRates],
    population: &Expr,
    spans: &mut [VintageSpan],
    notes: &mut Vec<String>,
) -> Result<Vec<Vec<DigitalEstimate>>, IndicesError> {
    let settings = run.settings;
    let mut proxies: Vec<Expr> = settings.universe_proxies.iter().map(|p| Expr::parse(p)).collect::<Result<_, _>>()?;
    proxies.push(population.clone());
    let context = digital::Context {
        reader: &run.reader,
        universe_proxies: &proxies,
        min_coverage: settings.min_coverage,
        estimator: settings.estimator,
        share_dimensions: &settings.share_dimensions,
        uncertainty: &settings.uncertainty,
    };
    let mut levels: BTreeMap<Level, Vec<usize>> = BTreeMap::new();
    for (u, unit) in run.units.zones() {
        levels.entry(unit.level).or_default().push(u);
    }
    let mut digital: Vec<Vec<DigitalEstimate>> = vec![Vec::new(); run.units.all().len()];
    // Rate variances of the base level, per indicator: groups are built from base zones.
    let mut base_variances: Vec<Option<Vec<f64>>> = Vec::new();
    for SelectedRates { rates, dims } in selected {
        let mut variances = None;
        for (level, us) in &levels {
            let rows: Vec<usize> = us.iter().filter_map(|&u| run.units.all()[u].own).collect();
            // Enclosing territories to impute from (base zones only: QPV overlap IRIS and are not nested).
            let donors: Vec<Donors> =
                rows.iter().map(|&row| if *level == settings.base_level { donors(&run.geography, row) } else { Vec::new() }).collect();
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
    let z_score = digital::z_value(settings.uncertainty.level);
    run.units.sum_into_groups(&mut digital, |group, members| {
        for (k, variances) in base_variances.iter().enumerate() {
            let parts: Vec<&DigitalEstimate> = members.iter().map(|m| &m[k]).collect();
            group.push(digital::aggregate(&parts, variances.as_deref(), z_score));
        }
    });
    run.units.sum_into_groups(spans, |span, members| {
        for m in members {
            span.merge(**m);
        }
    });
    Ok(digital)
}

/// The enclosing territories of base zone `row`, smallest first: commune, EPCI, département.
fn donors(geography: &Geography<'_>, row: usize) -> Donors {
    let code = &geography.table().zones()[row].code;
    let mut d = Vec::new();
    if let Some(c) = code.commune() {
        d.push((Level::Commune, c.to_string()));
    }
    if let Some(e) = geography.epci_of(row) {
        d.push((Level::Epci, e));
    }
    if let Some(dep) = code.departement() {
        d.push((Level::Departement, dep.to_string()));
    }
    d
}

/// The population of every unit: a zone's from its row, a group's the sum of its members'.
fn population(run: &Run<'_>, expr: &Expr, spans: &mut [VintageSpan]) -> Vec<Option<f64>> {
    let mut population: Vec<Option<f64>> = run
        .units
        .all()
        .iter()
        .zip(spans.iter_mut())
        .map(|(unit, span)| {
            let row = unit.own.filter(|_| !unit.is_group())?;
            run.reader.eval(expr, Source::Row(row), span).map(|x| x.0)
        })
        .collect();
    run.units.sum_into_groups(&mut population, |p, members| *p = sum_present(members.iter().map(|m| **m)));
    population
}

/// Social precarity of every unit within its level. A variable no unit has a value of is an
/// error, or skipped with a note when `optional`.
fn social_scores(run: &Run<'_>, spans: &mut [VintageSpan], notes: &mut Vec<String>) -> Result<Vec<SocialScore>, IndicesError> {
    let units = run.units.all();
    let mut specs = Vec::new();
    let mut social_values: Vec<Vec<Option<f64>>> = Vec::new();
    for (name, var) in &run.settings.social.variables {
        let expr = Expr::parse(&var.expression)?;
        let values: Vec<Option<f64>> =
            units.iter().zip(spans.iter_mut()).map(|(unit, span)| run.reader.eval(&expr, unit.source(), span).map(|x| x.0)).collect();
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
    let mut scores: Vec<SocialScore> = vec![SocialScore::default(); units.len()];
    let mut by_level: BTreeMap<Level, Vec<usize>> = BTreeMap::new();
    for (u, unit) in units.iter().enumerate() {
        by_level.entry(unit.level).or_default().push(u);
    }
    for us in by_level.values() {
        let values: Vec<Vec<Option<f64>>> = social_values.iter().map(|v| us.iter().map(|&u| v[u]).collect()).collect();
        for (&u, s) in us.iter().zip(social::score_level(&values, &specs, run.settings.social.classes)) {
            scores[u] = s;
        }
    }
    Ok(scores)
}

/// Every pass's result, one entry per unit.
struct PerUnit {
    digital: Vec<Vec<DigitalEstimate>>,
    population: Vec<Option<f64>>,
    social: Vec<SocialScore>,
    ifn: IfnResults,
    cross: Cross,
    spans: Vec<VintageSpan>,
}

/// The output rows, one per unit.
fn rows(units: &Units, r: &PerUnit) -> Vec<IndicesRow> {
    units
        .all()
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            let mut row_notes = Vec::new();
            if r.population[u] == Some(0.0) {
                row_notes.push("zero population: shares undefined".to_string());
            }
            IndicesRow {
                code: unit.code.clone(),
                level: unit.level,
                name: unit.name.clone(),
                population: r.population[u],
                members: unit.size(),
                digital: r.digital[u].clone(),
                social: r.social[u].clone(),
                ifn: r.ifn.scores.get(u).cloned().unwrap_or_default(),
                social_count: r.cross.social_count[u].as_ref().map(|x| x.0),
                social_proxy: r.cross.social_count[u].as_ref().map(|x| x.1.clone()),
                cross: r.cross.both[u].clone(),
                vintage: r.spans[u].label(),
                notes: row_notes,
                ifn_missing: r.ifn.missing.get(u).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use fragnum_core::{Cell, Zone, ZoneCode};

    use super::*;
    use crate::rates::tests::sample;
    use crate::settings::{Direction, SocialVariable};

    /// Three IRIS in commune 00100 (EPCI 200000001), one in 00200 (EPCI 200000002), commune rows with medians.
    pub(crate) fn table() -> ZoneTable {
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

    /// A custom group `Nord` (one IRIS and a commune), IFN against the département and `Nord`.
    pub(crate) fn settings() -> IndicesSettings {
        let mut s = IndicesSettings::default();
        s.groups.insert("Nord".into(), vec!["001000101".into(), "00200".into()]);
        s.ifn.references = vec!["departement".into(), "group:Nord".into()];
        s
    }

    /// The row of `code` at `level`.
    pub(crate) fn find<'a>(o: &'a IndicesOutput, level: Level, code: &str) -> &'a IndicesRow {
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
}
