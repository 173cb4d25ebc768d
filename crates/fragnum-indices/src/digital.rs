//! Digital precarity: survey rates applied to each zone's census strata.
//!
//! For one indicator and one zone:
//!
//! - the **universe population** `U` is the indicator's `all` row evaluated on the zone (e.g.
//!   `pop_15p`, or the sum of the age bands from 15); people outside the survey universe (children
//!   under 15 for INSEE TIC) are **not counted** as digitally precarious, and shares are given over
//!   `U`. When no alternative of the `all` row has a value, `U` is the largest stratum total;
//! - a **dimension** (age, diploma, CSP…) is used when every one of its categories has a value in
//!   the zone and its total `S` covers `U` within the coverage bounds; each category's count is
//!   multiplied by its rate. When `S ≠ U` (diplomas exclude pupils and students), the covered
//!   people's mean rate is applied to the whole universe: `share_d = Σ r_k n_k / S`;
//! - **dimension mean** (estimator 1, the Grenoble diagnostic): the mean of `share_d` over the
//!   dimensions used, times `U`;
//! - **joint logit** (estimator 2): the zone's joint strata are estimated by [`crate::ipf`] from its
//!   marginals (each rescaled to `U`); an additive [`crate::logit`] model is fitted to the
//!   published marginals on the sum of the joint tables of all zones of the level that use the same
//!   dimensions (the study perimeter's population structure), then applied cell by cell;
//! - the **band** (low/high) is the smallest and largest of the per-dimension shares and the two
//!   estimators, times `U`;
//! - a zone with no usable dimension gets the `all` rate (strata `all`, band of zero width).

use std::collections::BTreeMap;

use crate::expr::{Reader, Source, VintageSpan};
use crate::ipf::{self, Margin};
use crate::logit::Fit;
use crate::rates::IndicatorRates;
use crate::settings::Estimator;
use crate::IndicesError;

/// One indicator's estimate for one zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DigitalEstimate {
    /// Survey-universe population of the zone.
    pub universe: Option<f64>,
    /// Estimated people (central estimator).
    pub count: Option<f64>,
    /// Low end of the band (people).
    pub low: Option<f64>,
    /// High end of the band (people).
    pub high: Option<f64>,
    /// Estimator 1 share of the universe.
    pub dimension_mean_share: Option<f64>,
    /// Estimator 2 share of the universe.
    pub joint_share: Option<f64>,
    /// Share per dimension used.
    pub dimension_shares: Vec<(String, f64)>,
    /// Dimensions used (`all` when none could be).
    pub strata: Vec<String>,
    /// Dimensions not used, with the reason.
    pub skipped: Vec<String>,
}

impl DigitalEstimate {
    /// Central share of the universe population.
    pub fn share(&self) -> Option<f64> {
        match (self.count, self.universe) {
            (Some(c), Some(u)) if u > 0.0 => Some(c / u),
            _ => None,
        }
    }
}

struct ZoneStrata {
    universe: Option<f64>,
    /// (dimension index, category counts)
    dims: Vec<(usize, Vec<f64>)>,
    skipped: Vec<String>,
}

/// Estimates one indicator on `rows` (zones of one level).
///
/// `dims` are the dimension names to use (each present in `rates`); `spans[i]` collects the
/// vintages read for `rows[i]`.
pub fn estimate(
    reader: &Reader<'_>,
    rows: &[usize],
    rates: &IndicatorRates,
    dims: &[String],
    min_coverage: f64,
    estimator: Estimator,
    spans: &mut [VintageSpan],
) -> Result<Vec<DigitalEstimate>, IndicesError> {
    let dim_rows: Vec<&Vec<crate::rates::RateRow>> = dims
        .iter()
        .map(|d| {
            rates.dimensions.get(d).ok_or_else(|| IndicesError::MissingDimension {
                indicator: rates.name.clone(),
                dimension: d.clone(),
                available: rates.dimensions.keys().cloned().collect::<Vec<_>>().join(", "),
            })
        })
        .collect::<Result<_, _>>()?;
    let strata: Vec<ZoneStrata> = rows
        .iter()
        .zip(spans.iter_mut())
        .map(|(&row, span)| zone_strata(reader, row, rates, dims, &dim_rows, min_coverage, span))
        .collect();

    // Estimator 2: fit one model per set of dimensions used, on the sum of the zones' joint tables.
    let mut joints: Vec<Option<Vec<f64>>> = vec![None; rows.len()];
    let mut by_set: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for (i, z) in strata.iter().enumerate() {
        let (Some(u), false) = (z.universe, z.dims.is_empty()) else { continue };
        if u <= 0.0 {
            continue;
        }
        let sizes: Vec<usize> = z.dims.iter().map(|(_, c)| c.len()).collect();
        let margins: Vec<Margin> = z
            .dims
            .iter()
            .enumerate()
            .map(|(k, (_, counts))| {
                let s: f64 = counts.iter().sum();
                Margin { dims: vec![k], targets: counts.iter().map(|n| n * u / s).collect() }
            })
            .collect();
        joints[i] = Some(ipf::fit(&sizes, None, &margins, 1e-12, 1000)?.cells);
        by_set.entry(z.dims.iter().map(|(d, _)| *d).collect()).or_default().push(i);
    }
    let mut models: BTreeMap<Vec<usize>, Vec<f64>> = BTreeMap::new();
    for (set, members) in &by_set {
        let sizes: Vec<usize> = set.iter().map(|&d| dim_rows[d].len()).collect();
        let mut weights = vec![0.0; sizes.iter().product()];
        for &i in members {
            if let Some(j) = &joints[i] {
                weights.iter_mut().zip(j).for_each(|(w, c)| *w += c);
            }
        }
        let published: Vec<Vec<f64>> = set.iter().map(|&d| dim_rows[d].iter().map(|r| r.rate).collect()).collect();
        let fit = Fit::new(&sizes, &weights, &published, 1e-10, 2000)?;
        models.insert(set.clone(), fit.probabilities());
    }

    let mut out = Vec::with_capacity(rows.len());
    for (i, z) in strata.into_iter().enumerate() {
        let mut e = DigitalEstimate { universe: z.universe, skipped: z.skipped, ..DigitalEstimate::default() };
        let Some(u) = z.universe else {
            e.skipped.push("no universe population".into());
            out.push(e);
            continue;
        };
        if z.dims.is_empty() {
            e.strata = vec!["all".into()];
            e.dimension_mean_share = Some(rates.all.rate);
            e.count = Some(rates.all.rate * u);
            e.low = e.count;
            e.high = e.count;
            out.push(e);
            continue;
        }
        for (d, counts) in &z.dims {
            let s: f64 = counts.iter().sum();
            let share = counts.iter().zip(dim_rows[*d]).map(|(n, r)| n * r.rate).sum::<f64>() / s;
            e.strata.push(dims[*d].clone());
            e.dimension_shares.push((dims[*d].clone(), share));
        }
        let mean = e.dimension_shares.iter().map(|(_, s)| s).sum::<f64>() / e.dimension_shares.len() as f64;
        e.dimension_mean_share = Some(mean);
        if let Some(joint) = &joints[i] {
            let set: Vec<usize> = z.dims.iter().map(|(d, _)| *d).collect();
            if let Some(p) = models.get(&set) {
                e.joint_share = Some(joint.iter().zip(p).map(|(n, p)| n * p).sum::<f64>() / u);
            }
        }
        let central = match estimator {
            Estimator::DimensionMean => Some(mean),
            Estimator::JointLogit => e.joint_share.or(Some(mean)),
        };
        let candidates = e.dimension_shares.iter().map(|(_, s)| *s).chain(e.joint_share).chain(Some(mean));
        let (lo, hi) = candidates.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), s| (a.min(s), b.max(s)));
        e.count = central.map(|s| s * u);
        e.low = Some(lo * u);
        e.high = Some(hi * u);
        out.push(e);
    }
    Ok(out)
}

fn zone_strata(
    reader: &Reader<'_>,
    row: usize,
    rates: &IndicatorRates,
    dims: &[String],
    dim_rows: &[&Vec<crate::rates::RateRow>],
    min_coverage: f64,
    span: &mut VintageSpan,
) -> ZoneStrata {
    let mut universe = reader.eval(&rates.all.variables, Source::Row(row), span).map(|(v, _)| v);
    let mut found: Vec<(usize, Vec<f64>)> = Vec::new();
    let mut skipped = Vec::new();
    for (d, cats) in dim_rows.iter().enumerate() {
        let counts: Option<Vec<f64>> = cats.iter().map(|r| reader.eval(&r.variables, Source::Row(row), span).map(|(v, _)| v)).collect();
        match counts {
            Some(c) if c.iter().sum::<f64>() > 0.0 => found.push((d, c)),
            Some(_) => skipped.push(format!("{}: strata total zero", dims[d])),
            None => skipped.push(format!("{}: strata missing", dims[d])),
        }
    }
    if universe.is_none() {
        universe = found.iter().map(|(_, c)| c.iter().sum::<f64>()).reduce(f64::max);
    }
    let mut used = Vec::new();
    for (d, counts) in found {
        let s: f64 = counts.iter().sum();
        match universe {
            Some(u) if u > 0.0 && (s / u < min_coverage || u / s < min_coverage) => {
                skipped.push(format!("{}: strata cover {:.0} % of the universe", dims[d], 100.0 * s / u));
            }
            _ => used.push((d, counts)),
        }
    }
    if universe == Some(0.0) {
        used.clear();
        skipped.push("zero population".into());
    }
    ZoneStrata { universe, dims: used, skipped }
}

#[cfg(test)]
mod tests {
    use fragnum_core::{Cell, Level, Zone, ZoneCode, ZoneTable};

    use super::*;
    use crate::rates::{merge, tests::sample};

    fn zone_table(zones: &[&[(&str, f64)]]) -> ZoneTable {
        let mut t = ZoneTable::new();
        for (i, vars) in zones.iter().enumerate() {
            let r = t.upsert_zone(Zone::new(ZoneCode::new(Level::Iris, &format!("00100{:04}", i + 1)).unwrap()));
            for (k, v) in *vars {
                t.set(r, k, Cell::Value(*v), Some(2016));
            }
        }
        t
    }

    fn run(t: &ZoneTable, dims: &[&str], est: Estimator) -> Vec<DigitalEstimate> {
        let rates = merge(&[sample()]).unwrap();
        let rows: Vec<usize> = (0..t.len()).collect();
        let mut spans = vec![VintageSpan::default(); rows.len()];
        let dims: Vec<String> = dims.iter().map(|s| (*s).to_string()).collect();
        estimate(&Reader::new(t), &rows, &rates[0], &dims, 0.8, est, &mut spans).unwrap()
    }

    #[test]
    fn hand_computed_dimension_mean() {
        // Age: 60 × 10 % + 40 × 40 % = 22 of 100; diploma: 50 × 30 % + 40 × 5 % = 17 of 90 → 18.888… of 100.
        let t = zone_table(&[&[("pop_15p", 100.0), ("pop_1529", 60.0), ("pop_6074", 40.0), ("nscol15p_diplmin", 50.0), ("nscol15p_sup", 40.0)]]);
        let e = &run(&t, &["age", "diploma"], Estimator::DimensionMean)[0];
        let diploma = 17.0 / 90.0;
        assert!((e.count.unwrap() - 100.0 * (0.22 + diploma) / 2.0).abs() < 1e-9);
        assert!((e.low.unwrap() - 100.0 * diploma.min(e.joint_share.unwrap())).abs() < 1e-9);
        assert!((e.high.unwrap() - 22.0_f64.max(100.0 * e.joint_share.unwrap())).abs() < 1e-9);
        assert_eq!(e.strata, vec!["age", "diploma"]);
    }

    #[test]
    fn works_with_age_only_and_with_nothing_but_the_universe() {
        let t = zone_table(&[&[("pop_1529", 60.0), ("pop_6074", 40.0)], &[("pop_15p", 50.0)]]);
        let e = run(&t, &["age", "diploma"], Estimator::JointLogit);
        // Universe from the second alternative (pop_1529+pop_6074); one dimension: both estimators agree.
        assert!((e[0].count.unwrap() - 22.0).abs() < 1e-9);
        assert!((e[0].joint_share.unwrap() - 0.22).abs() < 1e-9);
        assert_eq!(e[0].skipped, vec!["diploma: strata missing"]);
        assert_eq!(e[1].strata, vec!["all"]);
        assert!((e[1].count.unwrap() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn low_coverage_dimension_and_zero_population_are_recorded_not_used() {
        let t = zone_table(&[
            &[("pop_15p", 100.0), ("pop_1529", 60.0), ("pop_6074", 40.0), ("nscol15p_diplmin", 5.0), ("nscol15p_sup", 5.0)],
            &[("pop_15p", 0.0), ("pop_1529", 0.0), ("pop_6074", 0.0)],
        ]);
        let e = run(&t, &["age", "diploma"], Estimator::DimensionMean);
        assert_eq!(e[0].strata, vec!["age"]);
        assert!(e[0].skipped[0].contains("cover 10 %"), "{:?}", e[0].skipped);
        assert_eq!(e[1].count, Some(0.0));
        assert_eq!(e[1].share(), None);
    }

    #[test]
    fn estimates_stay_within_zero_and_universe() {
        let t = zone_table(&[
            &[("pop_15p", 10.0), ("pop_1529", 1.0), ("pop_6074", 9.0), ("nscol15p_diplmin", 9.0), ("nscol15p_sup", 0.5)],
            &[("pop_15p", 1e4), ("pop_1529", 9e3), ("pop_6074", 1e3), ("nscol15p_diplmin", 1e2), ("nscol15p_sup", 8e3)],
        ]);
        for est in [Estimator::DimensionMean, Estimator::JointLogit] {
            for e in run(&t, &["age", "diploma"], est) {
                let u = e.universe.unwrap();
                for v in [e.count, e.low, e.high] {
                    let v = v.unwrap();
                    assert!((0.0..=u).contains(&v), "{v} not in 0..{u}");
                }
                assert!(e.low <= e.count && e.count <= e.high);
            }
        }
    }

    #[test]
    fn unknown_dimension_is_an_error() {
        let t = zone_table(&[&[("pop_15p", 1.0)]]);
        let rates = merge(&[sample()]).unwrap();
        let mut spans = vec![VintageSpan::default()];
        let e = estimate(&Reader::new(&t), &[0], &rates[0], &["csp".into()], 0.8, Estimator::DimensionMean, &mut spans).unwrap_err();
        assert!(e.to_string().contains("no rate table gives dimension `csp`"), "{e}");
    }
}
