//! Cross (digital × social): people both digitally and socially precarious.
//!
//! Within a zone, digital and social precarity are taken as **independent** (no survey used here
//! gives rates conditional on income): people in both = (digital count / population) × socially
//! precarious people, the latter from the first proxy with a value (`[[indices.cross.proxies]]`;
//! default: poverty rate `disp_tp60` × population, else RSA socle recipients / population). The
//! result never exceeds either count. A group's counts are the sums of its zones', its proxy the
//! list of those its zones used (`taux_pauvrete_60+rsa_socle`).

use std::collections::BTreeSet;

use crate::IndicesError;
use crate::digital::{DigitalEstimate, sum_present};
use crate::expr::{Expr, Reader, Source, VintageSpan};
use crate::settings::ProxyKind;
use crate::units::Run;

/// The cross of every unit.
pub(crate) struct Cross {
    /// Per unit: socially precarious people, and the proxy (or proxies, for a group) they come from.
    pub(crate) social_count: Vec<Option<(f64, String)>>,
    /// Per unit and indicator: people both digitally and socially precarious.
    pub(crate) both: Vec<Vec<Option<f64>>>,
}

/// One configured proxy, parsed.
struct Proxy {
    name: String,
    expr: Expr,
    kind: ProxyKind,
}

/// Crosses every unit's digital estimates (`digital`, one per indicator) with its socially
/// precarious people; the vintages read are added to `spans`.
pub(crate) fn assemble(
    run: &Run<'_>,
    digital: &[Vec<DigitalEstimate>],
    population: &[Option<f64>],
    spans: &mut [VintageSpan],
    notes: &mut Vec<String>,
) -> Result<Cross, IndicesError> {
    let proxies: Vec<Proxy> = run
        .settings
        .cross
        .proxies
        .iter()
        .map(|p| Ok(Proxy { name: p.name.clone(), expr: Expr::parse(&p.expression)?, kind: p.kind }))
        .collect::<Result<_, IndicesError>>()?;
    let mut social_count: Vec<Option<(f64, String)>> = vec![None; run.units.all().len()];
    for (u, unit) in run.units.zones() {
        let Some(row) = unit.own else { continue };
        social_count[u] = socially_precarious(&run.reader, &proxies, row, population[u], &mut spans[u]);
    }
    if !proxies.is_empty() && run.units.zones().all(|(u, _)| social_count[u].is_none()) {
        notes.push("cross: no zone has any of the configured social proxies; cross counts are empty".into());
    }
    let mut both: Vec<Vec<Option<f64>>> = digital.iter().map(|d| vec![None; d.len()]).collect();
    for (u, _) in run.units.zones() {
        let social = social_count[u].as_ref().map(|x| x.0);
        both[u] = digital[u].iter().map(|e| in_both(e, social, population[u])).collect();
    }
    run.units.sum_into_groups(&mut social_count, |group, members| {
        let counts: Vec<f64> = members.iter().filter_map(|m| m.as_ref().map(|x| x.0)).collect();
        if !counts.is_empty() {
            let proxies_used: BTreeSet<&str> = members.iter().filter_map(|m| m.as_ref().map(|x| x.1.as_str())).collect();
            *group = Some((counts.iter().sum(), proxies_used.into_iter().collect::<Vec<_>>().join("+")));
        }
    });
    run.units.sum_into_groups(&mut both, |group, members| {
        for (k, v) in group.iter_mut().enumerate() {
            *v = sum_present(members.iter().map(|m| m[k]));
        }
    });
    Ok(Cross { social_count, both })
}

/// Socially precarious people of zone `row`, from the first proxy with a value, and its name.
fn socially_precarious(
    reader: &Reader<'_>,
    proxies: &[Proxy],
    row: usize,
    population: Option<f64>,
    span: &mut VintageSpan,
) -> Option<(f64, String)> {
    proxies.iter().find_map(|p| {
        let (v, _) = reader.eval(&p.expr, Source::Row(row), span)?;
        let people = match p.kind {
            ProxyKind::Percent => v / 100.0 * population?,
            ProxyKind::Share => v * population?,
            ProxyKind::Count => v,
        };
        Some((people, p.name.clone()))
    })
}

/// People of a zone both in `estimate` and among its `social` precarious people, under
/// independence; over the population, else the survey universe.
fn in_both(estimate: &DigitalEstimate, social: Option<f64>, population: Option<f64>) -> Option<f64> {
    let total = population.filter(|p| *p > 0.0).or(estimate.universe.filter(|p| *p > 0.0));
    match (estimate.count, social, total) {
        (Some(c), Some(s), Some(p)) => Some((c / p).min(1.0) * s.min(p)),
        (Some(_), Some(_), None) => Some(0.0),
        _ => None,
    }
}
