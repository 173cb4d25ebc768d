//! Digital precarity: survey rates applied to each zone's census strata, with gaps imputed and a
//! 90 % interval.
//!
//! For one indicator and one zone:
//!
//! - the **universe population** `U` is the indicator's `all` row evaluated on the zone (e.g.
//!   `pop_15p`, or the sum of the age bands from 15); people outside the survey universe (children
//!   under 15 for INSEE TIC) are **not counted** as digitally precarious, and shares are given over
//!   `U`. When no alternative of the `all` row has a value, `U` is the largest stratum total;
//! - a **dimension** (age, diploma, CSP, income…) is used when every one of its categories has a
//!   value in the zone and its total `S` covers `U` within the coverage bounds; each category's
//!   count is multiplied by its rate. When `S ≠ U` (diplomas exclude pupils and students), the
//!   covered people's mean rate is applied to the whole universe: `share_d = Σ r_k n_k / S`.
//!   *Share dimensions* (income bands) give proportions, scaled to `U`;
//! - **joint logit** (estimator 2, the default): the zone's joint strata are estimated by
//!   [`crate::ipf`] from its marginals (each rescaled to `U`); an additive [`crate::logit`] model is
//!   fitted to the published marginals on the sum of the joint tables of all zones of the level that
//!   use the same dimensions (the study perimeter's population structure), then applied cell by
//!   cell, so that effects combine;
//! - **dimension mean** (estimator 1, the Grenoble diagnostic's): the mean of `share_d` over the
//!   dimensions used, times `U`.
//!
//! **Imputation.** A zone without its survey universe gets `U = proxy × U/proxy` of the smallest
//! enclosing territory that has both, the proxy being the best known figure the zone has
//! (`universe_proxies`: people 15+ out of school, else the population; commune →
//! EPCI → département, from the zones that have their own figures). A dimension the zone lacks
//! (wholly, or some of its categories) is completed from the smallest enclosing territory that has
//! it: the categories the zone knows are kept, the rest of its universe is spread in that
//! territory's proportions. Such estimates are `imputed`, with what was borrowed and from where; a
//! zone with its own universe and every dimension of its own (or none anywhere around it) is
//! `computed`; a zone without population gets no estimate and says why.
//!
//! **The 90 % interval** has three parts, each a standard error in people, kept as its own column:
//!
//! - *sampling*: each rate `r_k` has variance `deff × r_k (1 − r_k) / n_k`, with `n_k` the survey's
//!   respondents (rate file `sample_size`) times the category's share of the perimeter's universe;
//!   rates marked `estimated` add `(ε r_k)²`. The estimate is linear in the rates,
//!   `count = Σ g_k r_k` (the joint estimate is linearised with the dimension-mean weights `g`), so
//!   its variance is `Σ g_k² var(r_k)`. The same survey is behind every zone: a group's variance is
//!   computed from its **summed** weights `Σ_zones g_k`, not summed from its members';
//! - *imputation*: for imputed strata, the spread (universe-weighted standard deviation) of the
//!   central shares of the zones computed in the territory borrowed from, times `U`; for an imputed
//!   universe, the spread of `U/population` there, times `population × share`. With fewer than two
//!   such zones, half the estimate. Independent between zones: a group's is the root of the sum of
//!   squares;
//! - *estimator*: half the gap between the two estimators (a group's from its summed counts).
//!
//! `low`/`high` = central ± z × √(sampling² + imputation² + estimator²) (z = 1.645 at 90 %),
//! clipped to `[0, U]`.

use std::collections::{BTreeMap, BTreeSet};

use fragnum_core::{Level, Status};

use crate::IndicesError;
use crate::expr::{Expr, Reader, Source, VintageSpan};
use crate::ipf::{self, Margin};
use crate::logit::Fit;
use crate::rates::{IndicatorRates, RateRow, RateStatus};
use crate::settings::{Estimator, UncertaintySettings};

/// One indicator's estimate for one zone or group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DigitalEstimate {
    /// Survey-universe population of the zone.
    pub universe: Option<f64>,
    /// Estimated people (central estimator).
    pub count: Option<f64>,
    /// Low end of the 90 % interval (people).
    pub low: Option<f64>,
    /// High end of the 90 % interval (people).
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
    /// Computed from the zone's own strata, imputed, or `None` (no estimate: see `skipped`).
    pub status: Option<Status>,
    /// What was borrowed, and from where (`universe: epci 200040715`).
    pub imputed_from: Vec<String>,
    /// People of the estimate that come from imputed zones (a group's imputed part).
    pub imputed_count: Option<f64>,
    /// Standard error from survey sampling (people).
    pub se_sampling: Option<f64>,
    /// Standard error from imputation (people).
    pub se_imputation: Option<f64>,
    /// Standard error from the estimator choice (people).
    pub se_estimator: Option<f64>,
    /// d count / d rate for each rate row (`all` first, then the dimensions' categories in order).
    pub rate_weights: Vec<f64>,
}

impl DigitalEstimate {
    /// Central share of the universe population.
    pub fn share(&self) -> Option<f64> {
        match (self.count, self.universe) {
            (Some(c), Some(u)) if u > 0.0 => Some(c / u),
            _ => None,
        }
    }

    /// Share of the estimate that comes from imputed zones.
    pub fn imputed_share(&self) -> Option<f64> {
        match (self.imputed_count, self.count) {
            (Some(i), Some(c)) if c > 0.0 => Some(i / c),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        }
    }

    /// The combined standard error (people), from the parts that are known.
    pub fn standard_error(&self) -> Option<f64> {
        let parts = [self.se_sampling, self.se_imputation, self.se_estimator];
        parts.iter().any(Option::is_some).then(|| parts.iter().flatten().map(|s| s * s).sum::<f64>().sqrt())
    }

    /// Sets `low`/`high` from the central count and the standard error.
    pub fn set_interval(&mut self, z: f64) {
        let (Some(c), Some(u)) = (self.count, self.universe) else { return };
        let half = z * self.standard_error().unwrap_or(0.0);
        self.low = Some((c - half).max(0.0));
        self.high = Some((c + half).min(u.max(c)));
    }
}

/// The fixed inputs of an estimation.
pub struct Context<'a> {
    /// The table reader.
    pub reader: &'a Reader<'a>,
    /// Known figures a missing universe is scaled from, best first, the population last
    /// (`nscol15p`, then `pop`): `U = proxy × U/proxy` of the enclosing territory.
    pub universe_proxies: &'a [Expr],
    /// Coverage bound of a dimension against the universe.
    pub min_coverage: f64,
    /// Central estimator.
    pub estimator: Estimator,
    /// Dimensions given as proportions of the universe.
    pub share_dimensions: &'a [String],
    /// Interval settings.
    pub uncertainty: &'a UncertaintySettings,
}

/// The enclosing territories of a zone, smallest first (`(Commune, "38185")`, `(Epci, …)`…).
pub type Donors = Vec<(Level, String)>;

/// The estimates of one level, and the variance of each rate row for groups built from it.
pub struct LevelEstimates {
    /// One estimate per row.
    pub estimates: Vec<DigitalEstimate>,
    /// Variance of each rate (same order as [`DigitalEstimate::rate_weights`]); `None` without a sample size.
    pub rate_variances: Option<Vec<f64>>,
}

/// The rate rows of an indicator in weight order: `all`, then each dimension's categories.
pub fn rate_rows<'r>(rates: &'r IndicatorRates, dims: &[String]) -> Vec<&'r RateRow> {
    std::iter::once(&rates.all).chain(dims.iter().filter_map(|d| rates.dimensions.get(d)).flatten()).collect()
}

/// The standard-normal quantile of a two-sided interval `level` (0.90 → 1.645), to 5e-4.
pub fn z_value(level: f64) -> f64 {
    let p = ((1.0 - level.clamp(1e-6, 1.0 - 1e-12)) / 2.0).max(1e-300);
    // Abramowitz & Stegun 26.2.23.
    let t = (-2.0 * p.ln()).sqrt();
    t - (2.515_517 + 0.802_853 * t + 0.010_328 * t * t) / (1.0 + 1.432_788 * t + 0.189_269 * t * t + 0.001_308 * t * t * t)
}

struct ZoneStrata {
    universe: Option<f64>,
    /// The largest own stratum total: the universe when nothing better can be had.
    largest_stratum: Option<f64>,
    /// The universe proxies' values (the population last).
    proxies: Vec<Option<f64>>,
    population: Option<f64>,
    /// (dimension index, category counts), own and usable.
    dims: Vec<(usize, Vec<f64>)>,
    /// Dimensions the zone lacks, with the categories it does know (candidates for imputation).
    missing: Vec<(usize, Vec<Option<f64>>)>,
    /// Own share dimensions waiting for an (imputed) universe to be scaled to.
    pending: Vec<(usize, Vec<f64>)>,
    skipped: Vec<String>,
    /// What an imputed universe says it borrowed, and the index in the zone's donors of the
    /// territory it came from.
    universe_imputed: Option<(String, usize)>,
    /// Which proxy an imputed universe was scaled to.
    universe_proxy: Option<usize>,
    /// The same for each borrowed dimension.
    dims_imputed: Vec<(String, usize)>,
}

/// Running sums for a universe-weighted mean and spread.
#[derive(Default, Clone, Copy)]
struct Spread {
    w: f64,
    wx: f64,
    wxx: f64,
    n: usize,
}

impl Spread {
    fn add(&mut self, x: f64, w: f64) {
        self.w += w;
        self.wx += w * x;
        self.wxx += w * x * x;
        self.n += 1;
    }

    fn sd(&self) -> Option<f64> {
        (self.n >= 2 && self.w > 0.0).then(|| {
            let mean = self.wx / self.w;
            (self.wxx / self.w - mean * mean).max(0.0).sqrt()
        })
    }
}

/// Estimates one indicator on `rows` (zones of one level).
///
/// `dims` are the dimension names to use (each present in `rates`); `donors[i]` are the enclosing
/// territories of `rows[i]`; `spans[i]` collects the vintages read for `rows[i]`.
pub fn estimate(
    ctx: &Context<'_>,
    rows: &[usize],
    donors: &[Donors],
    rates: &IndicatorRates,
    dims: &[String],
    spans: &mut [VintageSpan],
) -> Result<LevelEstimates, IndicesError> {
    let dim_rows: Vec<&Vec<RateRow>> = dims
        .iter()
        .map(|d| {
            rates.dimensions.get(d).ok_or_else(|| IndicesError::MissingDimension {
                indicator: rates.name.clone(),
                dimension: d.clone(),
                available: rates.dimensions.keys().cloned().collect::<Vec<_>>().join(", "),
            })
        })
        .collect::<Result<_, _>>()?;
    let is_share: Vec<bool> = dims.iter().map(|d| ctx.share_dimensions.contains(d)).collect();
    let mut strata: Vec<ZoneStrata> =
        rows.iter().zip(spans.iter_mut()).map(|(&row, span)| zone_strata(ctx, row, rates, dims, &dim_rows, &is_share, span)).collect();
    let proxy_names: Vec<String> = ctx.universe_proxies.iter().map(|e| e.variables().join("+")).collect();
    impute(&mut strata, donors, dims, &proxy_names);

    let rate_variances = rate_variances(ctx.uncertainty, rates, &dim_rows, &strata);
    let offsets: Vec<usize> = dim_rows
        .iter()
        .scan(1, |acc, r| {
            let o = *acc;
            *acc += r.len();
            Some(o)
        })
        .collect();
    let n_weights = 1 + dim_rows.iter().map(|r| r.len()).sum::<usize>();

    let (joints, models) = joint_models(&strata, &dim_rows)?;

    let mut out = Vec::with_capacity(rows.len());
    for (i, z) in strata.iter().enumerate() {
        let mut e = DigitalEstimate {
            universe: z.universe,
            skipped: z.skipped.clone(),
            rate_weights: vec![0.0; n_weights],
            ..DigitalEstimate::default()
        };
        e.imputed_from.extend(z.universe_imputed.iter().chain(&z.dims_imputed).map(|(text, _)| text.clone()));
        let Some(u) = z.universe else {
            e.skipped.push(
                if z.population.is_some() {
                    "no universe population, and no enclosing territory to impute it from"
                } else {
                    "no population"
                }
                .into(),
            );
            e.rate_weights.clear();
            out.push(e);
            continue;
        };
        e.status = Some(if e.imputed_from.is_empty() { Status::Computed } else { Status::Imputed });
        if u == 0.0 {
            e.count = Some(0.0);
        } else if z.dims.is_empty() {
            e.strata = vec!["all".into()];
            e.dimension_mean_share = Some(rates.all.rate);
            e.count = Some(rates.all.rate * u);
            e.rate_weights[0] = u;
        } else {
            let used = z.dims.len() as f64;
            for (d, counts) in &z.dims {
                let s: f64 = counts.iter().sum();
                let share = counts.iter().zip(dim_rows[*d]).map(|(n, r)| n * r.rate).sum::<f64>() / s;
                e.strata.push(dims[*d].clone());
                e.dimension_shares.push((dims[*d].clone(), share));
                for (k, n) in counts.iter().enumerate() {
                    e.rate_weights[offsets[*d] + k] = u * n / (s * used);
                }
            }
            let mean = e.dimension_shares.iter().map(|(_, s)| s).sum::<f64>() / used;
            e.dimension_mean_share = Some(mean);
            if let Some(joint) = &joints[i] {
                let set: Vec<usize> = z.dims.iter().map(|(d, _)| *d).collect();
                if let Some(p) = models.get(&set) {
                    e.joint_share = Some(joint.iter().zip(p).map(|(n, p)| n * p).sum::<f64>() / u);
                }
            }
            let central = match ctx.estimator {
                Estimator::DimensionMean => mean,
                Estimator::JointLogit => e.joint_share.unwrap_or(mean),
            };
            e.count = Some(central * u);
            e.se_estimator = e.joint_share.map(|j| (j - mean).abs() * u / 2.0);
        }
        e.se_sampling = rate_variances.as_ref().map(|v| e.rate_weights.iter().zip(v).map(|(g, v)| g * g * v).sum::<f64>().sqrt());
        e.imputed_count = Some(if e.status == Some(Status::Imputed) { e.count.unwrap_or(0.0) } else { 0.0 });
        out.push(e);
    }
    imputation_errors(&mut out, &strata, donors);
    let z = z_value(ctx.uncertainty.level);
    for e in &mut out {
        e.set_interval(z);
    }
    Ok(LevelEstimates { estimates: out, rate_variances })
}

/// The variance of each rate (weight order), from the survey's sample size split by each
/// category's share of the perimeter's universe; `None` without a sample size.
fn rate_variances(
    uncertainty: &UncertaintySettings,
    rates: &IndicatorRates,
    dim_rows: &[&Vec<RateRow>],
    strata: &[ZoneStrata],
) -> Option<Vec<f64>> {
    let n = rates.all.sample_size?;
    let mut totals: Vec<Vec<f64>> = dim_rows.iter().map(|r| vec![0.0; r.len()]).collect();
    for z in strata {
        for (d, counts) in &z.dims {
            totals[*d].iter_mut().zip(counts).for_each(|(t, c)| *t += c);
        }
    }
    let variance = |r: &RateRow, share: f64| {
        let n_k = (n * share).max(1.0);
        let mut v = uncertainty.design_effect * r.rate * (1.0 - r.rate) / n_k;
        if r.status == RateStatus::Estimated {
            v += (uncertainty.estimated_rate_relative_error * r.rate).powi(2);
        }
        v
    };
    let mut out = vec![variance(&rates.all, 1.0)];
    for (d, rows) in dim_rows.iter().enumerate() {
        let s: f64 = totals[d].iter().sum();
        for (k, r) in rows.iter().enumerate() {
            out.push(variance(r, if s > 0.0 { totals[d][k] / s } else { 1.0 / rows.len() as f64 }));
        }
    }
    Some(out)
}

/// Estimator 2: each zone's joint table by IPF on its own marginals, and one additive logit per
/// set of dimensions, fitted on the sum of the joint tables of the zones using that set.
type JointModels = (Vec<Option<Vec<f64>>>, BTreeMap<Vec<usize>, Vec<f64>>);

fn joint_models(strata: &[ZoneStrata], dim_rows: &[&Vec<RateRow>]) -> Result<JointModels, IndicesError> {
    let mut joints: Vec<Option<Vec<f64>>> = vec![None; strata.len()];
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

    Ok((joints, models))
}

/// What `impute` fills in one zone: the universe (value, what was borrowed, donor index, proxy
/// index), own share dimensions scaled to it, and borrowed dimensions (index, counts, what was
/// borrowed, donor index).
type Filled = (usize, Option<(f64, String, usize, usize)>, Vec<(usize, Vec<f64>)>, Vec<(usize, Vec<f64>, String, usize)>);

/// A territory and the index of a proxy or dimension.
type TerritoryKey<'a> = (&'a (Level, String), usize);

/// Fills the universe and strata that zones lack from their enclosing territories.
fn impute(strata: &mut [ZoneStrata], donors: &[Donors], dims: &[String], proxy_names: &[String]) {
    // Sums over the zones that have their own figures, per territory (and proxy).
    let mut ratio: BTreeMap<TerritoryKey<'_>, (f64, f64)> = BTreeMap::new();
    let mut categories: BTreeMap<TerritoryKey<'_>, Vec<f64>> = BTreeMap::new();
    for (z, ds) in strata.iter().zip(donors) {
        for key in ds {
            for (k, proxy) in z.proxies.iter().enumerate() {
                if let (Some(u), Some(p)) = (z.universe, *proxy)
                    && z.universe_imputed.is_none()
                    && p > 0.0
                {
                    let e = ratio.entry((key, k)).or_default();
                    e.0 += u;
                    e.1 += p;
                }
            }
            for (d, counts) in &z.dims {
                let e = categories.entry((key, *d)).or_insert_with(|| vec![0.0; counts.len()]);
                e.iter_mut().zip(counts).for_each(|(t, c)| *t += c);
            }
        }
    }
    let mut filled: Vec<Filled> = Vec::new();
    for (i, (z, ds)) in strata.iter().zip(donors).enumerate() {
        let mut universe = None;
        if z.universe.is_none() {
            // The smallest territory first; there, the best proxy the zone and the territory both have.
            universe = ds.iter().enumerate().find_map(|(j, key)| {
                z.proxies.iter().enumerate().find_map(|(k, p)| {
                    let p = (*p)?;
                    let (u, total) = ratio.get(&(key, k))?;
                    // A universe never exceeds the population (a proxy's ratio may overshoot on a small zone).
                    let scaled = (p * u / total).min(z.population.unwrap_or(f64::INFINITY));
                    (*total > 0.0).then(|| (scaled, format!("universe: {} {} (scaled to {})", key.0, key.1, proxy_names[k]), j, k))
                })
            });
        }
        let mut own_shares = Vec::new();
        let mut new_dims = Vec::new();
        if let Some(u) = z.universe.or(universe.as_ref().map(|x| x.0)).or(z.largest_stratum).filter(|u| *u > 0.0) {
            for (d, props) in &z.pending {
                let s: f64 = props.iter().sum();
                own_shares.push((*d, props.iter().map(|c| c / s * u).collect::<Vec<f64>>()));
            }
            for (d, known) in &z.missing {
                let donor = ds
                    .iter()
                    .enumerate()
                    .find_map(|(j, key)| categories.get(&(key, *d)).filter(|c| c.iter().sum::<f64>() > 0.0).map(|c| (j, key, c)));
                let Some((j, key, counts)) = donor else { continue };
                // Categories the zone knows are kept; the rest of its universe is spread in the donor's proportions.
                let known_sum: f64 = known.iter().flatten().sum();
                let unknown_donor: f64 = counts.iter().zip(known).filter(|(_, k)| k.is_none()).map(|(c, _)| c).sum();
                let rest = (u - known_sum).max(0.0);
                let filled_counts: Vec<f64> = counts
                    .iter()
                    .zip(known)
                    .map(|(c, k)| k.unwrap_or(if unknown_donor > 0.0 { rest * c / unknown_donor } else { 0.0 }))
                    .collect();
                if filled_counts.iter().sum::<f64>() > 0.0 {
                    let how = if known_sum > 0.0 { " (known categories kept)" } else { "" };
                    new_dims.push((*d, filled_counts, format!("{}: {} {}{how}", dims[*d], key.0, key.1), j));
                }
            }
        }
        filled.push((i, universe, own_shares, new_dims));
    }
    for (i, universe, own_shares, new_dims) in filled {
        let z = &mut strata[i];
        if let Some((u, from, j, k)) = universe {
            z.universe = Some(u);
            z.universe_imputed = Some((from, j));
            z.universe_proxy = Some(k);
        } else if z.universe.is_none()
            && let Some(u) = z.largest_stratum
        {
            z.universe = Some(u);
            z.skipped.push("universe taken as the largest stratum total (a lower bound)".into());
        }
        z.pending.clear();
        z.dims.extend(own_shares);
        for (d, counts, from, j) in new_dims {
            z.missing.retain(|(m, _)| *m != d);
            z.dims.push((d, counts));
            z.dims_imputed.push((from, j));
        }
        z.dims.sort_by_key(|(d, _)| *d);
    }
}

/// The imputation part of the interval: the spread of the computed zones of the territory borrowed from.
fn imputation_errors(out: &mut [DigitalEstimate], strata: &[ZoneStrata], donors: &[Donors]) {
    let mut shares: BTreeMap<&(Level, String), Spread> = BTreeMap::new();
    let mut ratios: BTreeMap<TerritoryKey<'_>, Spread> = BTreeMap::new();
    for ((e, z), ds) in out.iter().zip(strata).zip(donors) {
        if e.status != Some(Status::Computed) {
            continue;
        }
        for key in ds {
            if let (Some(s), Some(u)) = (e.share(), e.universe) {
                shares.entry(key).or_default().add(s, u);
            }
            for (k, proxy) in z.proxies.iter().enumerate() {
                if let (Some(u), Some(p)) = (e.universe, *proxy)
                    && p > 0.0
                {
                    ratios.entry((key, k)).or_default().add(u / p, p);
                }
            }
        }
    }
    for ((e, z), ds) in out.iter_mut().zip(strata).zip(donors) {
        if e.status != Some(Status::Imputed) {
            continue;
        }
        let (Some(u), Some(share)) = (e.universe, e.share()) else { continue };
        let mut var = 0.0;
        if let Some(from) = z.dims_imputed.first().map(|(_, j)| &ds[*j]) {
            // Scaled by the part of the zone's dimensions that were borrowed.
            let borrowed = z.dims_imputed.len() as f64 / z.dims.len().max(1) as f64;
            let sd = shares.get(from).and_then(Spread::sd).map_or(0.5 * share * u, |sd| sd * u) * borrowed;
            var += sd * sd;
        }
        if let Some((_, j)) = &z.universe_imputed {
            let k = z.universe_proxy.unwrap_or(0);
            let p = z.proxies.get(k).copied().flatten().unwrap_or(0.0);
            let sd = ratios.get(&(&ds[*j], k)).and_then(Spread::sd).map_or(0.5 * share * u, |sd| sd * p * share);
            var += sd * sd;
        }
        e.se_imputation = Some(var.sqrt());
    }
}

fn zone_strata(
    ctx: &Context<'_>,
    row: usize,
    rates: &IndicatorRates,
    dims: &[String],
    dim_rows: &[&Vec<RateRow>],
    is_share: &[bool],
    span: &mut VintageSpan,
) -> ZoneStrata {
    let reader = ctx.reader;
    let mut universe = reader.eval(&rates.all.variables, Source::Row(row), span).map(|(v, _)| v);
    let proxies: Vec<Option<f64>> =
        ctx.universe_proxies.iter().map(|e| reader.eval(e, Source::Row(row), &mut VintageSpan::default()).map(|(v, _)| v)).collect();
    let population = proxies.last().copied().flatten();
    let mut found: Vec<(usize, Vec<f64>)> = Vec::new();
    let mut skipped = Vec::new();
    let mut missing = Vec::new();
    let mut pending = Vec::new();
    for (d, cats) in dim_rows.iter().enumerate() {
        let values: Vec<Option<f64>> = cats.iter().map(|r| reader.eval(&r.variables, Source::Row(row), span).map(|(v, _)| v)).collect();
        let counts: Option<Vec<f64>> = values.iter().copied().collect();
        match counts {
            Some(c) if c.iter().sum::<f64>() > 0.0 => found.push((d, c)),
            Some(_) => skipped.push(format!("{}: strata total zero", dims[d])),
            None => {
                let known = values.iter().filter(|v| v.is_some()).count();
                skipped.push(if known == 0 {
                    format!("{}: strata missing", dims[d])
                } else {
                    format!("{}: {known} of {} strata known", dims[d], values.len())
                });
                // Share dimensions are proportions: a part of them says nothing without the rest.
                missing.push((d, if is_share[d] { vec![None; values.len()] } else { values }));
            }
        }
    }
    // Without its own universe, a zone is first scaled from an enclosing territory (see `impute`);
    // the largest stratum total (e.g. people 15+ out of school) is the last resort, a lower bound.
    let largest_stratum = found.iter().filter(|(d, _)| !is_share[*d]).map(|(_, c)| c.iter().sum::<f64>()).reduce(f64::max);
    if universe.is_none() && population == Some(0.0) {
        // Nobody lives there (activity IRIS): nothing to impute.
        universe = Some(0.0);
    }
    let mut used = Vec::new();
    for (d, counts) in found {
        let s: f64 = counts.iter().sum();
        if is_share[d] {
            // Proportions: scaled to the universe, once it is known (here or by imputation).
            match universe {
                Some(u) => used.push((d, counts.iter().map(|c| c / s * u).collect())),
                None => pending.push((d, counts)),
            }
            continue;
        }
        match universe {
            Some(u) if u > 0.0 && (s / u < ctx.min_coverage || u / s < ctx.min_coverage) => {
                skipped.push(format!("{}: strata cover {:.0} % of the universe", dims[d], 100.0 * s / u));
            }
            _ => used.push((d, counts)),
        }
    }
    if universe == Some(0.0) {
        used.clear();
        missing.clear();
        skipped.push("zero population".into());
    }
    ZoneStrata {
        universe,
        largest_stratum,
        proxies,
        population,
        dims: used,
        missing,
        pending,
        skipped,
        universe_imputed: None,
        universe_proxy: None,
        dims_imputed: Vec::new(),
    }
}

/// The sum of the values present; `None` when none is (a group of zones without the value has
/// no value, never zero).
pub fn sum_present(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    values.into_iter().flatten().fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
}

/// Sums member estimates into a group's: counts, universes and imputed parts are summed; the
/// sampling error is computed from the summed rate weights (one survey behind every member), the
/// imputation error as a root sum of squares (independent between zones), the estimator error
/// from the summed estimator counts.
pub fn aggregate(parts: &[&DigitalEstimate], rate_variances: Option<&[f64]>, z: f64) -> DigitalEstimate {
    let with: Vec<&&DigitalEstimate> = parts.iter().filter(|e| e.count.is_some()).collect();
    let sum = |f: &dyn Fn(&DigitalEstimate) -> Option<f64>| sum_present(with.iter().map(|e| f(e)));
    let strata: BTreeSet<String> = with.iter().flat_map(|e| e.strata.iter().cloned()).collect();
    let mut e = DigitalEstimate {
        universe: sum(&|e| e.universe),
        count: sum(&|e| e.count),
        imputed_count: sum(&|e| e.imputed_count),
        strata: strata.into_iter().collect(),
        ..DigitalEstimate::default()
    };
    if let Some(u) = e.universe.filter(|u| *u > 0.0) {
        let both: Vec<&&&DigitalEstimate> = with.iter().filter(|e| e.joint_share.is_some() && e.dimension_mean_share.is_some()).collect();
        let dm: f64 = with.iter().map(|e| e.dimension_mean_share.unwrap_or(0.0) * e.universe.unwrap_or(0.0)).sum();
        e.dimension_mean_share = Some(dm / u);
        if !both.is_empty() {
            let jo: f64 = with.iter().map(|e| e.joint_share.or(e.dimension_mean_share).unwrap_or(0.0) * e.universe.unwrap_or(0.0)).sum();
            e.joint_share = Some(jo / u);
            e.se_estimator = Some((jo - dm).abs() / 2.0);
        }
    }
    if let Some(v) = rate_variances {
        let mut weights = vec![0.0; v.len()];
        for p in &with {
            weights.iter_mut().zip(&p.rate_weights).for_each(|(w, g)| *w += g);
        }
        e.se_sampling = Some(weights.iter().zip(v).map(|(g, v)| g * g * v).sum::<f64>().sqrt());
        e.rate_weights = weights;
    }
    let imputation: Vec<f64> = with.iter().filter_map(|p| p.se_imputation).collect();
    if !imputation.is_empty() {
        e.se_imputation = Some(imputation.iter().map(|s| s * s).sum::<f64>().sqrt());
    }
    e.status = if with.is_empty() {
        None
    } else if with.iter().any(|p| p.status == Some(Status::Imputed)) {
        Some(Status::Imputed)
    } else {
        Some(Status::Computed)
    };
    let without = parts.len() - with.len();
    if without > 0 {
        e.skipped.push(format!("{without} member zone(s) without estimate"));
    }
    e.set_interval(z);
    e
}

#[cfg(test)]
mod tests {
    use fragnum_core::{Cell, Zone, ZoneCode, ZoneTable};

    use super::*;
    use crate::rates::{RateTable, merge, tests::sample};

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

    /// Every zone of `t` estimated with the test defaults (population `pop`, coverage 0.8); no
    /// donors when `donors` is empty.
    fn level_estimates(
        t: &ZoneTable,
        rates: &IndicatorRates,
        dims: &[&str],
        est: Estimator,
        donors: &[Donors],
    ) -> Result<LevelEstimates, IndicesError> {
        let rows: Vec<usize> = (0..t.len()).collect();
        let mut spans = vec![VintageSpan::default(); rows.len()];
        let dims: Vec<String> = dims.iter().map(|s| (*s).to_string()).collect();
        let reader = Reader::new(t);
        let pop = Expr::parse("pop").unwrap();
        let uncertainty = UncertaintySettings::default();
        let ctx = Context {
            reader: &reader,
            universe_proxies: std::slice::from_ref(&pop),
            min_coverage: 0.8,
            estimator: est,
            share_dimensions: &[],
            uncertainty: &uncertainty,
        };
        let donors: Vec<Donors> = if donors.is_empty() { vec![Vec::new(); rows.len()] } else { donors.to_vec() };
        estimate(&ctx, &rows, &donors, rates, &dims, &mut spans)
    }

    fn run_with(t: &ZoneTable, rates: &IndicatorRates, dims: &[&str], est: Estimator, donors: &[Donors]) -> Vec<DigitalEstimate> {
        level_estimates(t, rates, dims, est, donors).unwrap().estimates
    }

    fn run(t: &ZoneTable, dims: &[&str], est: Estimator) -> Vec<DigitalEstimate> {
        let rates = merge(&[sample()]).unwrap();
        run_with(t, &rates[0], dims, est, &[])
    }

    #[test]
    fn hand_computed_dimension_mean() {
        // Age: 60 × 10 % + 40 × 40 % = 22 of 100; diploma: 50 × 30 % + 40 × 5 % = 17 of 90 → 18.888… of 100.
        let t = zone_table(&[&[
            ("pop_15p", 100.0),
            ("pop_1529", 60.0),
            ("pop_6074", 40.0),
            ("nscol15p_diplmin", 50.0),
            ("nscol15p_sup", 40.0),
        ]]);
        let e = &run(&t, &["age", "diploma"], Estimator::DimensionMean)[0];
        let diploma = 17.0 / 90.0;
        assert!((e.count.unwrap() - 100.0 * (0.22 + diploma) / 2.0).abs() < 1e-9);
        assert_eq!(e.strata, vec!["age", "diploma"]);
        assert_eq!(e.status, Some(Status::Computed));
        // Estimator part: half the gap between the two estimators.
        assert!((e.se_estimator.unwrap() - 50.0 * (e.joint_share.unwrap() - e.dimension_mean_share.unwrap()).abs()).abs() < 1e-9);
        // No sample size in the test rates: no sampling part.
        assert_eq!(e.se_sampling, None);
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
        let e = level_estimates(&t, &rates[0], &["csp"], Estimator::DimensionMean, &[]).err().unwrap();
        assert!(e.to_string().contains("no rate table gives dimension `csp`"), "{e}");
    }

    /// Age and CSP strongly correlated within zones: a zone of old retirees and a zone of young
    /// workers. The true rates follow an additive logit; the published rates are its national
    /// marginals. Averaging the two dimensions' estimates is far off; the joint model is not.
    #[test]
    fn joint_model_combines_correlated_dimensions_where_averaging_is_wrong() {
        let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
        // True model: logit p = -2.5 + 2.0 [old] + 1.5 [retired].
        let p = |old: bool, retired: bool| sigmoid(-2.5 + if old { 2.0 } else { 0.0 } + if retired { 1.5 } else { 0.0 });
        // National population: independent age and CSP, 50/50 each; marginal rates from the model.
        let old_rate = f64::midpoint(p(true, true), p(true, false));
        let young_rate = f64::midpoint(p(false, true), p(false, false));
        let retired_rate = f64::midpoint(p(true, true), p(false, true));
        let working_rate = f64::midpoint(p(true, false), p(false, false));
        let all = 0.25 * (p(true, true) + p(true, false) + p(false, true) + p(false, false));
        let text = format!(
            "{}ill,all,15+,pop_15p,{},15+,t,2021,published,\nill,age,young,pop_young,{},15+,t,2021,published,\nill,age,old,pop_old,{},15+,t,2021,published,\n\
             ill,csp,working,pop_working,{},15+,t,2021,published,\nill,csp,retired,pop_retired,{},15+,t,2021,published,\n",
            crate::rates::tests::HEADER,
            100.0 * all,
            100.0 * young_rate,
            100.0 * old_rate,
            100.0 * working_rate,
            100.0 * retired_rate
        );
        let rates = merge(&[RateTable::parse(&text, "t.csv").unwrap()]).unwrap();
        // Four zones whose sum is the national structure (so the logit is fitted on it); in the first two,
        // age and CSP coincide: every old person is retired.
        let t = zone_table(&[
            &[("pop_15p", 100.0), ("pop_young", 0.0), ("pop_old", 100.0), ("pop_working", 0.0), ("pop_retired", 100.0)],
            &[("pop_15p", 100.0), ("pop_young", 100.0), ("pop_old", 0.0), ("pop_working", 100.0), ("pop_retired", 0.0)],
            &[("pop_15p", 100.0), ("pop_young", 0.0), ("pop_old", 100.0), ("pop_working", 100.0), ("pop_retired", 0.0)],
            &[("pop_15p", 100.0), ("pop_young", 100.0), ("pop_old", 0.0), ("pop_working", 0.0), ("pop_retired", 100.0)],
        ]);
        let joint = run_with(&t, &rates[0], &["age", "csp"], Estimator::JointLogit, &[]);
        let mean = run_with(&t, &rates[0], &["age", "csp"], Estimator::DimensionMean, &[]);
        let truth = [p(true, true), p(false, false), p(true, false), p(false, true)];
        for (k, truth) in truth.iter().enumerate() {
            let j = joint[k].share().unwrap();
            let m = mean[k].share().unwrap();
            assert!((j - truth).abs() < 1e-6, "zone {k}: joint {j} vs truth {truth}");
            if k == 0 {
                // Old retirees: truth 0.731; the mean of the two marginal rates (0.525 and 0.434) is far below.
                assert!((m - truth).abs() > 0.2, "zone {k}: mean {m} vs truth {truth}");
            }
        }
    }

    #[test]
    fn zones_without_strata_borrow_from_the_smallest_enclosing_territory() {
        // Zones 1 and 2 have their own strata (commune A); zone 3 only a population (commune A); zone 4
        // only a population in commune B, which no zone describes: it borrows from the département.
        let t = zone_table(&[
            &[("pop", 120.0), ("pop_15p", 100.0), ("pop_1529", 80.0), ("pop_6074", 20.0)],
            &[("pop", 110.0), ("pop_15p", 100.0), ("pop_1529", 40.0), ("pop_6074", 60.0)],
            &[("pop", 230.0)],
            &[("pop", 50.0)],
            &[],
        ]);
        let commune = |c: &str| vec![(Level::Commune, c.to_string()), (Level::Departement, "00".to_string())];
        let donors = vec![commune("A"), commune("A"), commune("A"), commune("B"), commune("B")];
        let rates = merge(&[sample()]).unwrap();
        let e = run_with(&t, &rates[0], &["age", "diploma"], Estimator::JointLogit, &donors);
        assert_eq!(e[0].status, Some(Status::Computed));
        let z = &e[2];
        assert_eq!(z.status, Some(Status::Imputed));
        // Universe: 230 × 200 / 230; age shares of commune A: 120 young, 80 old of 200 → 0.6 × 10 % + 0.4 × 40 %.
        assert!((z.universe.unwrap() - 200.0).abs() < 1e-9);
        assert!((z.share().unwrap() - 0.22).abs() < 1e-9);
        assert_eq!(z.imputed_from, vec!["universe: commune A (scaled to pop)", "age: commune A"]);
        assert!(z.se_imputation.unwrap() > 0.0);
        assert!(z.low.unwrap() < z.count.unwrap() && z.count.unwrap() < z.high.unwrap());
        assert_eq!(e[3].imputed_from, vec!["universe: departement 00 (scaled to pop)", "age: departement 00"]);
        // No population: no estimate, and it says why.
        assert_eq!(e[4].count, None);
        assert_eq!(e[4].status, None);
        assert!(e[4].skipped.iter().any(|s| s == "no population"), "{:?}", e[4].skipped);
    }

    #[test]
    fn sampling_error_of_a_group_is_computed_from_its_summed_strata_not_summed() {
        let text = "indicator,dimension,category,variables,rate_percent,universe,source,year,status,note,sample_size,sample_source\n\
             ill,all,15+,pop_15p,20,15+,t,2021,published,,1000,test\n\
             ill,age,15-29,pop_1529,10,15+,t,2021,published,,,\n\
             ill,age,60+,pop_6074,40,15+,t,2021,published,,,\n";
        let rates = merge(&[RateTable::parse(text, "t.csv").unwrap()]).unwrap();
        let t = zone_table(&[
            &[("pop_15p", 100.0), ("pop_1529", 60.0), ("pop_6074", 40.0)],
            &[("pop_15p", 100.0), ("pop_1529", 60.0), ("pop_6074", 40.0)],
        ]);
        let level = level_estimates(&t, &rates[0], &["age"], Estimator::JointLogit, &[]).unwrap();
        let zone = &level.estimates[0];
        // var(r_young) = 1.5 × 0.1 × 0.9 / 600; var(r_old) = 1.5 × 0.4 × 0.6 / 400.
        let expected = (60.0_f64.powi(2) * 1.5 * 0.09 / 600.0 + 40.0_f64.powi(2) * 1.5 * 0.24 / 400.0).sqrt();
        assert!((zone.se_sampling.unwrap() - expected).abs() < 1e-9);
        let parts: Vec<&DigitalEstimate> = level.estimates.iter().collect();
        let group = aggregate(&parts, level.rate_variances.as_deref(), 1.645);
        // Same survey behind both zones: the group's error is twice a zone's, not √2 times.
        assert!((group.se_sampling.unwrap() - 2.0 * expected).abs() < 1e-9);
        assert!((group.count.unwrap() - 44.0).abs() < 1e-9);
    }

    #[test]
    fn z_value_matches_the_normal_quantiles() {
        assert!((z_value(0.90) - 1.6449).abs() < 5e-4);
        assert!((z_value(0.95) - 1.9600).abs() < 5e-4);
    }
}
