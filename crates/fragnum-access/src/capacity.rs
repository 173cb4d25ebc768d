//! Capacity-aware accessibility: two-step floating catchment areas (2SFCA, Luo & Wang 2003;
//! enhanced E2SFCA, Luo & Qi 2009), the Gini coefficient of access, and where one more unit of
//! supply (an advisor, an advisor-day) reduces unmet need the most.
//!
//! Nearest-site time says how far the nearest advisor is, not whether that advisor can see
//! everyone who depends on them. A floating catchment divides each site's supply by the
//! (decay-weighted) people in need who reach it, then sums, for each point, the ratios of the
//! sites it reaches:
//!
//! - step 1: `R_j = S_j / Σ_p D_p W(t_pj)`;
//! - step 2: `A_p = Σ_j R_j W(t_pj)` — supply units per person in need.
//!
//! [`SiteTimes`] holds the travel times from each site to the points it reaches within a limit:
//! the one bounded search from sites to points of the crate (siting coverage is built on it too).
//!
//! # Conventions (those of `PySAL` `access` 1.1, `Access.two_stage_fca` / `enhanced_two_stage_fca`)
//!
//! - **Bounds are inclusive**: a time `t` gets the weight of the first step with `t ≤ bound`
//!   (`weights.step_fn` tests `cost <= k`; the 2SFCA cut-off is `cost <= max_cost`), 0 beyond the
//!   last step. Bounds are in minutes and the comparison is made on `time_s / 60`, so a cost
//!   table exported in minutes as `t / 60` gives `PySAL` the same bound decisions bit for bit.
//! - **The same weight in both steps**: `PySAL` applies `weight_fn` to the demand in step 1 and to
//!   the ratio in step 2; so does [`fca`].
//! - **Demand** is the per-point value given (`demand_value`), multiplied by the weight of each
//!   (point, site) pair and summed per site; there is no population threshold or capping.
//! - **A site that no weighted demand reaches** gets no ratio: `PySAL` drops it from the ratio table
//!   (right join on the demand sums) when no pair reaches it, and divides by zero (→ ∞ or NaN,
//!   then skipped or propagated by pandas) when pairs exist but weigh 0. Here
//!   [`Fca::site_ratio`] is `None` and the site contributes nothing to step 2.
//! - **A missing supply counts as 0** (`PySAL` `fillna(0)` on the supply join).
//! - **A point that no site reaches** (no pair with a non-zero weight) has access 0 here; `PySAL`
//!   leaves it NaN. The two agree once NaN is read as 0.
//! - **No normalisation** (`PySAL`'s default `normalize=False`); [`Fca::normalized`] gives `PySAL`'s
//!   `normalize=True` (access divided by its demand-weighted mean).
//!
//! Times beyond [`SiteTimes::limit_s`] are not listed, so a decay that reaches beyond the limit is
//! cut there: build the times with at least [`Decay::limit_min`] minutes.

use std::collections::HashMap;

use fragnum_core::network::haversine_m;
use fragnum_core::sites::Site;
use rayon::prelude::*;
use serde::Deserialize;
use thiserror::Error;

use crate::dijkstra::bounded;
use crate::error::AccessError;
use crate::graph::Graph;
use crate::snap::{Snap, Snapper};

/// Why capacity inputs were refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CapacityError {
    /// An input vector does not have one value per site or per point.
    #[error("{what}: {found} values for {expected} {per}")]
    Length {
        /// The vector (`supply`, `demand`, `need`).
        what: &'static str,
        /// How many values were expected.
        expected: usize,
        /// How many were given.
        found: usize,
        /// `sites` or `points`.
        per: &'static str,
    },
    /// A value is negative, infinite or NaN.
    #[error("{what}[{index}] = {value}: must be finite and ≥ 0")]
    Value {
        /// The vector.
        what: &'static str,
        /// Index of the value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A parameter is not a finite positive number.
    #[error("{what} = {value}: must be finite and > 0")]
    Parameter {
        /// The parameter (`target`, `step`).
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// A times list is inconsistent (point index out of range, unsorted, bad time).
    #[error("times of site {site}: {message}")]
    Times {
        /// Site index.
        site: usize,
        /// What is wrong.
        message: String,
    },
    /// The decay steps are unusable.
    #[error("decay: {0}")]
    Decay(String),
}

impl From<CapacityError> for AccessError {
    fn from(e: CapacityError) -> Self {
        AccessError::Input(e.to_string())
    }
}

/// Travel times from each site to the points it reaches within a limit: `lists[site]` holds
/// `(point index, seconds)` sorted by point index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteTimes {
    /// Per site, the points reached within `limit_s` and their times (seconds), by point index.
    pub lists: Vec<Vec<(u32, f64)>>,
    /// The limit (seconds) the lists were built with: times are ≤ it.
    pub limit_s: f64,
    /// Number of points the indices refer to.
    pub n_points: usize,
}

impl SiteTimes {
    /// Over the road network, with the walking legs and snap semantics of
    /// [`crate::siting::network_coverage`]: a bounded Dijkstra on `graph.reverse` from the site's
    /// entries, each point timed through its two exits, plus the same-segment case
    /// ([`Snapper::along`]). Unsnapped sites reach nothing; unsnapped points are never reached.
    pub fn network(graph: &Graph, snapper: &Snapper, site_snaps: &[Option<Snap>], point_snaps: &[Option<Snap>], limit_s: f64) -> Self {
        network_within(graph, snapper, site_snaps, point_snaps, None, limit_s)
    }

    /// Straight line: `haversine × detour / speed_ms[p] ≤ limit`. A point without a speed
    /// (`speed_ms` shorter than `points`) is never reached.
    pub fn straight_line(sites: &[Site], points: &[[f64; 2]], speed_ms: &[f64], detour: f64, limit_s: f64) -> Self {
        straight_line_within(sites, points, speed_ms, detour, None, limit_s)
    }

    /// The `K` smallest times per point: `out[p][i]` = seconds to the (i+1)-th nearest site within
    /// the limit, `None` beyond.
    ///
    /// ```
    /// use fragnum_access::capacity::SiteTimes;
    /// let t = SiteTimes { lists: vec![vec![(0, 60.0), (1, 300.0)], vec![(1, 120.0)]], limit_s: 600.0, n_points: 2 };
    /// assert_eq!(t.nearest_k::<2>(), vec![[Some(60.0), None], [Some(120.0), Some(300.0)]]);
    /// ```
    pub fn nearest_k<const K: usize>(&self) -> Vec<[Option<f64>; K]> {
        let mut out = vec![[None; K]; self.n_points];
        for list in &self.lists {
            for &(p, t) in list {
                let Some(slots) = out.get_mut(p as usize) else { continue };
                // insertion into a sorted array of K: carry the displaced time rightwards
                let mut carry = t;
                for slot in slots.iter_mut() {
                    match *slot {
                        None => {
                            *slot = Some(carry);
                            break;
                        }
                        Some(x) if carry < x => {
                            *slot = Some(carry);
                            carry = x;
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        out
    }

    /// Number of sites.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether there is no site.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// The points site `site` reaches within `threshold_s` (an empty iterator for an unknown site).
    pub fn within(&self, site: usize, threshold_s: f64) -> impl Iterator<Item = u32> + '_ {
        self.lists.get(site).into_iter().flatten().filter(move |e| e.1 <= threshold_s).map(|e| e.0)
    }

    /// Checks the lists (indices below `n_points`, sorted, times finite, ≥ 0 and within the
    /// limit) and that `supply` has one finite value ≥ 0 per site and `demand` one per point.
    /// [`fca`] and [`capacity_greedy`] do not panic on unchecked inputs (a missing value counts
    /// as 0, an out-of-range index is skipped), but their results are then meaningless.
    pub fn check(&self, supply: &[f64], demand: &[f64]) -> Result<(), CapacityError> {
        for (site, list) in self.lists.iter().enumerate() {
            let bad = |message: String| Err(CapacityError::Times { site, message });
            if let Some(&(p, _)) = list.iter().find(|e| e.0 as usize >= self.n_points) {
                return bad(format!("point index {p} ≥ {} points", self.n_points));
            }
            if list.windows(2).any(|w| w[0].0 >= w[1].0) {
                return bad("point indices not strictly increasing".into());
            }
            if let Some(&(p, t)) = list.iter().find(|e| !e.1.is_finite() || e.1 < 0.0 || e.1 > self.limit_s) {
                return bad(format!("point {p}: time {t} s not within [0, {}]", self.limit_s));
            }
        }
        check_values("supply", supply, self.lists.len(), "sites")?;
        check_values("demand", demand, self.n_points, "points")
    }
}

/// Checks one value per item, each finite and ≥ 0.
fn check_values(what: &'static str, values: &[f64], expected: usize, per: &'static str) -> Result<(), CapacityError> {
    if values.len() != expected {
        return Err(CapacityError::Length { what, expected, found: values.len(), per });
    }
    match values.iter().position(|v| !v.is_finite() || *v < 0.0) {
        Some(index) => Err(CapacityError::Value { what, index, value: values[index] }),
        None => Ok(()),
    }
}

/// [`SiteTimes::network`] restricted to the points with `open[p]` (all when `None`; a point
/// beyond `open`'s length is closed): the bounded search that siting coverage shares.
pub(crate) fn network_within(
    graph: &Graph,
    snapper: &Snapper,
    site_snaps: &[Option<Snap>],
    point_snaps: &[Option<Snap>],
    open: Option<&[bool]>,
    limit_s: f64,
) -> SiteTimes {
    let n = graph.len();
    let is_open = |p: usize| open.is_none_or(|o| o.get(p).copied().unwrap_or(false));
    let exits: Vec<Option<[(u32, f64); 2]>> =
        point_snaps.iter().enumerate().map(|(p, s)| s.as_ref().filter(|_| is_open(p)).map(|s| snapper.exits(s))).collect();
    // node → points that leave the road network through it (CSR)
    let mut counts = vec![0u32; n + 1];
    for e in exits.iter().flatten() {
        for (node, _) in e {
            counts[*node as usize + 1] += 1;
        }
    }
    for i in 0..n {
        counts[i + 1] += counts[i];
    }
    let mut next = counts[..n].to_vec();
    let mut members = vec![0u32; counts[n] as usize];
    for (p, e) in exits.iter().enumerate() {
        if let Some(e) = e {
            for (node, _) in e {
                members[next[*node as usize] as usize] = p as u32;
                next[*node as usize] += 1;
            }
        }
    }
    // segment → points snapped on it, for the same-segment case (a scan of every point per site
    // before: quadratic in sites × points)
    let mut on_segment: HashMap<u32, Vec<u32>> = HashMap::new();
    for (p, s) in point_snaps.iter().enumerate() {
        if let Some(s) = s.filter(|_| is_open(p)) {
            on_segment.entry(s.segment).or_default().push(p as u32);
        }
    }
    let lists = site_snaps
        .par_iter()
        .map_init(
            || (vec![f64::INFINITY; n], Vec::new()),
            |(time, touched), snap| {
                let Some(snap) = snap else { return Vec::new() };
                let sources: Vec<(u32, f64)> = snapper.entries(snap).into_iter().filter(|e| e.1.is_finite()).collect();
                bounded(&graph.reverse, &sources, limit_s, time, touched);
                let mut list = Vec::new();
                for &node in touched.iter() {
                    for &p in &members[counts[node as usize] as usize..counts[node as usize + 1] as usize] {
                        let Some(ex) = exits[p as usize] else { continue };
                        let t = ex.iter().map(|(m, leg)| leg + time[*m as usize]).fold(f64::INFINITY, f64::min);
                        if t <= limit_s {
                            list.push((p, t));
                        }
                    }
                }
                for &p in on_segment.get(&snap.segment).into_iter().flatten() {
                    if let Some(t) = point_snaps[p as usize].and_then(|s| snapper.along(&s, snap))
                        && t <= limit_s
                    {
                        list.push((p, t));
                    }
                }
                for &node in touched.iter() {
                    time[node as usize] = f64::INFINITY;
                }
                touched.clear();
                // a point listed twice (both exits reached, or also along the segment): keep its
                // smallest time
                list.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                list.dedup_by_key(|e| e.0);
                list
            },
        )
        .collect();
    SiteTimes { lists, limit_s, n_points: point_snaps.len() }
}

/// [`SiteTimes::straight_line`] restricted to the points with `open[p]` (all when `None`).
pub(crate) fn straight_line_within(
    sites: &[Site],
    points: &[[f64; 2]],
    speed_ms: &[f64],
    detour: f64,
    open: Option<&[bool]>,
    limit_s: f64,
) -> SiteTimes {
    let is_open = |p: usize| open.is_none_or(|o| o.get(p).copied().unwrap_or(false));
    // The one test of a point: its time from the site, when within the limit.
    let reached = |site: &Site, p: u32| {
        let t = haversine_m(site.position(), points[p as usize]) * detour / speed_ms[p as usize];
        (t <= limit_s).then_some((p, t))
    };
    // The farthest a point can be and still be reached: `limit × fastest speed / detour` metres.
    // Points are sorted by latitude so that each site reads only the band of latitudes that far
    // (a point within `d` metres is within `d / R` radians of latitude), then its longitudes; the
    // exact test is the same as reading them all, and each list stays in point order.
    let usable = points.len().min(speed_ms.len());
    let fastest = speed_ms[..usable].iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let reach_m = limit_s * fastest / detour;
    // A little wider than exact, so that rounding never drops a point the exact test keeps.
    let reach_deg = (reach_m / fragnum_core::network::EARTH_RADIUS_M).to_degrees() * 1.001 + 1e-9;
    let mut by_lat: Vec<u32> = (0..usable as u32).filter(|&p| is_open(p as usize) && points[p as usize][1].is_finite()).collect();
    by_lat.sort_unstable_by(|&a, &b| points[a as usize][1].total_cmp(&points[b as usize][1]).then(a.cmp(&b)));
    // Only with positive finite speeds and detour is the reach a bound; else every point is read.
    let banded = reach_deg.is_finite() && reach_deg < 10.0 && detour > 0.0 && speed_ms[..usable].iter().all(|v| v.is_finite() && *v > 0.0);
    let lists = sites
        .par_iter()
        .map(|site| {
            let [lon, lat] = site.position();
            let top = lat.abs() + reach_deg;
            if !banded || top >= 89.0 || !lon.is_finite() || !lat.is_finite() {
                return (0..usable as u32).filter(|&p| is_open(p as usize)).filter_map(|p| reached(site, p)).collect();
            }
            let lon_reach = reach_deg / top.to_radians().cos();
            let first = by_lat.partition_point(|&p| points[p as usize][1] < lat - reach_deg);
            let mut list: Vec<(u32, f64)> = by_lat[first..]
                .iter()
                .take_while(|&&p| points[p as usize][1] <= lat + reach_deg)
                .filter(|&&p| {
                    let dlon = (points[p as usize][0] - lon).abs();
                    dlon.min(360.0 - dlon) <= lon_reach
                })
                .filter_map(|&p| reached(site, p))
                .collect();
            list.sort_unstable_by_key(|e| e.0);
            list
        })
        .collect();
    SiteTimes { lists, limit_s, n_points: points.len() }
}

/// Distance decay of the catchment: steps `(upper bound in minutes, weight)`, ascending; a time
/// `t` gets the weight of the first step with `t ≤ bound`, 0 beyond the last. 2SFCA is one step
/// `(threshold, 1.0)`; E2SFCA e.g. `[(10, 1.0), (20, 0.68), (30, 0.22)]` (Luo & Qi 2009).
///
/// Read from TOML as `steps = [[10, 1.0], [20, 0.68], [30, 0.22]]`, checked by [`Decay::new`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "DecaySpec")]
pub struct Decay {
    /// `(upper bound in minutes, weight)`, bounds strictly ascending.
    pub steps: Vec<(f64, f64)>,
}

/// The TOML shape of a [`Decay`], before its checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecaySpec {
    steps: Vec<(f64, f64)>,
}

impl TryFrom<DecaySpec> for Decay {
    type Error = CapacityError;

    fn try_from(spec: DecaySpec) -> Result<Self, Self::Error> {
        Decay::new(spec.steps)
    }
}

impl Decay {
    /// A checked decay: at least one step, bounds finite, > 0 and strictly ascending, weights
    /// finite and ≥ 0.
    pub fn new(steps: Vec<(f64, f64)>) -> Result<Self, CapacityError> {
        let bad = |m: String| Err(CapacityError::Decay(m));
        if steps.is_empty() {
            return bad("no step".into());
        }
        if let Some(s) = steps.iter().find(|s| !s.0.is_finite() || s.0 <= 0.0 || !s.1.is_finite() || s.1 < 0.0) {
            return bad(format!("step ({}, {}): bounds must be finite and > 0 minutes, weights finite and ≥ 0", s.0, s.1));
        }
        if steps.windows(2).any(|w| w[0].0 >= w[1].0) {
            return bad("bounds must be strictly ascending".into());
        }
        Ok(Decay { steps })
    }

    /// The plain 2SFCA catchment: weight 1 within `threshold_min` minutes, 0 beyond.
    pub fn two_step(threshold_min: f64) -> Self {
        Decay { steps: vec![(threshold_min, 1.0)] }
    }

    /// The E2SFCA steps of Luo & Qi (2009), `PySAL`'s default: 10, 20, 30 min weighted 1, 0.68, 0.22.
    pub fn luo_qi() -> Self {
        Decay { steps: vec![(10.0, 1.0), (20.0, 0.68), (30.0, 0.22)] }
    }

    /// The weight of a time in seconds (compared in minutes, `time_s / 60 ≤ bound`, as `PySAL`
    /// compares a cost table in minutes); 0 beyond the last step and for NaN.
    ///
    /// ```
    /// use fragnum_access::capacity::Decay;
    /// let d = Decay::luo_qi();
    /// assert_eq!((d.weight(600.0), d.weight(601.0), d.weight(1800.0), d.weight(1801.0)), (1.0, 0.68, 0.22, 0.0));
    /// ```
    pub fn weight(&self, time_s: f64) -> f64 {
        let minutes = time_s / 60.0;
        self.steps.iter().find(|s| minutes <= s.0).map_or(0.0, |s| s.1)
    }

    /// The largest bound (minutes): beyond it every weight is 0. 0 without steps.
    pub fn limit_min(&self) -> f64 {
        self.steps.iter().map(|s| s.0).fold(0.0, f64::max)
    }
}

/// Result of a (enhanced) two-step floating catchment area computation.
#[derive(Debug, Clone, PartialEq)]
pub struct Fca {
    /// Supply / decay-weighted demand in each site's catchment (None when no demand reaches it).
    pub site_ratio: Vec<Option<f64>>,
    /// Per point: Σ over sites of ratio × decay weight — supply units per person in need.
    pub point_access: Vec<f64>,
}

impl Fca {
    /// `PySAL`'s `normalize=True`: access divided by its demand-weighted mean; `None` when that
    /// mean is 0 or the demand sums to 0.
    pub fn normalized(&self, demand: &[f64]) -> Option<Vec<f64>> {
        let total: f64 = demand.iter().take(self.point_access.len()).sum();
        let mean = self.point_access.iter().zip(demand).map(|(a, d)| a * d).sum::<f64>() / total;
        (total > 0.0 && mean > 0.0 && mean.is_finite()).then(|| self.point_access.iter().map(|a| a / mean).collect())
    }
}

/// One site's catchment: the points it reaches with a non-zero weight, and its weighted demand.
struct Catchment {
    points: Vec<(u32, f64)>,
    demand: f64,
}

fn catchment(list: &[(u32, f64)], demand: &[f64], decay: &Decay) -> Catchment {
    // Pairs of weight 0 are left out: they add nothing to either step (PySAL keeps them, which
    // only matters when it divides by a zero demand, see the module doc).
    let points: Vec<(u32, f64)> = list.iter().map(|&(p, t)| (p, decay.weight(t))).filter(|e| e.1 > 0.0).collect();
    let demand = points.iter().map(|&(p, w)| demand.get(p as usize).copied().unwrap_or(0.0) * w).sum();
    Catchment { points, demand }
}

/// Step 1: `R_j = S_j / Σ_p D_p W(t_pj)`; step 2: `A_p = Σ_j R_j W(t_pj)`.
///
/// `supply[j]` is site `j`'s supply (advisors, advisor-days), `demand[p]` the people in need at
/// point `p`. See the module doc for the conventions (`PySAL`'s).
///
/// ```
/// use fragnum_access::capacity::{fca, Decay, SiteTimes};
/// // one site with 2 advisors reaching 100 people at 5 min and 300 at 25 min
/// let t = SiteTimes { lists: vec![vec![(0, 300.0), (1, 1500.0)]], limit_s: 1800.0, n_points: 2 };
/// let r = fca(&t, &[2.0], &[100.0, 300.0], &Decay::two_step(20.0));
/// assert_eq!(r.site_ratio, vec![Some(0.02)]);
/// assert_eq!(r.point_access, vec![0.02, 0.0]);
/// ```
pub fn fca(times: &SiteTimes, supply: &[f64], demand: &[f64], decay: &Decay) -> Fca {
    let catchments: Vec<Catchment> = times.lists.par_iter().map(|list| catchment(list, demand, decay)).collect();
    let site_ratio: Vec<Option<f64>> =
        catchments.iter().enumerate().map(|(j, c)| (c.demand > 0.0).then(|| supply.get(j).copied().unwrap_or(0.0) / c.demand)).collect();
    let mut point_access = vec![0.0; times.n_points];
    for (c, ratio) in catchments.iter().zip(&site_ratio) {
        let Some(r) = ratio else { continue };
        for &(p, w) in &c.points {
            if let Some(a) = point_access.get_mut(p as usize) {
                *a += r * w;
            }
        }
    }
    Fca { site_ratio, point_access }
}

/// Gini coefficient of `values` weighted by `weights` (e.g. travel times weighted by need):
/// `Σ_i Σ_j w_i w_j |x_i − x_j| / (2 W Σ w x)`, 0 for equal values, `(n − 1) / n` when one of `n`
/// equally weighted holders has everything. `None` when the weights sum to 0, when the lengths
/// differ, or on a negative or non-finite value or weight. All values 0 give 0.
///
/// ```
/// use fragnum_access::capacity::gini;
/// assert_eq!(gini(&[1.0, 0.0, 0.0, 0.0], &[1.0; 4]), Some(0.75));
/// ```
pub fn gini(values: &[f64], weights: &[f64]) -> Option<f64> {
    let valid = |v: &f64| v.is_finite() && *v >= 0.0;
    if values.len() != weights.len() || !values.iter().all(valid) || !weights.iter().all(valid) {
        return None;
    }
    let mut pairs: Vec<(f64, f64)> = values.iter().copied().zip(weights.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total_w: f64 = pairs.iter().map(|p| p.1).sum();
    if total_w <= 0.0 {
        return None;
    }
    let total_wx: f64 = pairs.iter().map(|p| p.0 * p.1).sum();
    if total_wx <= 0.0 {
        return Some(0.0);
    }
    // Sorted ascending, Σ_{i<j} w_i w_j (x_j − x_i) = Σ_k w_k x_k (W_before − W_after): O(n log n).
    let mut before = 0.0;
    let mut half = 0.0;
    for &(x, w) in &pairs {
        let after = total_w - before - w;
        half += w * x * (before - after);
        before += w;
    }
    Some((half / (total_w * total_wx)).clamp(0.0, 1.0))
}

/// Where a unit of supply goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// An existing site (index in the existing sites).
    Existing(usize),
    /// A candidate site (index in the candidates); opened by its first choice.
    Candidate(usize),
}

/// One step of [`capacity_greedy`].
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityChoice {
    /// Rank (1 = first chosen).
    pub rank: usize,
    /// Where the supply goes.
    pub placement: Placement,
    /// Unmet need removed by this step (people in need, [`unmet_need`]).
    pub gain: f64,
    /// Unmet need after this step.
    pub unmet_after: f64,
    /// People in need this step brings within reach of any supply (they had none).
    pub newly_reached: f64,
    /// Whether this step opens a candidate (its first unit of supply).
    pub opens: bool,
}

/// Unmet need `U = Σ_p need_p × max(0, 1 − A_p / target)`.
pub fn unmet_need(access: &[f64], need: &[f64], target: f64) -> f64 {
    access.iter().zip(need).map(|(a, n)| n * shortfall(*a, target)).sum()
}

#[inline]
fn shortfall(access: f64, target: f64) -> f64 {
    (1.0 - access / target).max(0.0)
}

/// The choice criterion: need × squared shortfall, so the deepest shortfalls weigh most.
#[inline]
fn depth(access: f64, target: f64) -> f64 {
    shortfall(access, target).powi(2)
}

/// Checks the inputs of [`capacity_greedy`]: both times ([`SiteTimes::check`]) over the same
/// points, `need` per point, `target` and `step` finite and > 0.
#[allow(clippy::too_many_arguments)]
pub fn check_capacity_inputs(
    existing: &SiteTimes,
    candidates: &SiteTimes,
    supply: &[f64],
    demand: &[f64],
    need: &[f64],
    target: f64,
    step: f64,
) -> Result<(), CapacityError> {
    existing.check(supply, demand)?;
    candidates.check(&vec![0.0; candidates.len()], demand)?;
    check_values("need", need, existing.n_points, "points")?;
    for (what, value) in [("target", target), ("step", step)] {
        if !value.is_finite() || value <= 0.0 {
            return Err(CapacityError::Parameter { what, value });
        }
    }
    Ok(())
}

/// Capacity-aware siting: where one more unit of supply (an advisor, or an advisor-day of
/// opening hours) reduces unmet need the most.
///
/// Unmet need `U = Σ_p need_p × max(0, 1 − A_p / target)` where `A_p` is the point's FCA access
/// (existing sites with `supply`) and `target` the access level deemed sufficient (supply units
/// per person in need). Greedy: `k` steps, each adds `step` units to the existing site or
/// candidate that lowers the need-weighted *squared* shortfall `Σ need_p × max(0, 1 − A_p /
/// target)²` the most; a candidate once opened is a site like the others for the next steps.
/// Stops early when no option lowers it. Ties go to existing sites, then to the lower index.
/// The square is why: under 2SFCA one unit lowers the linear `U` by exactly `step / target`
/// wherever every person it reaches stays below the target, so `U` alone cannot tell a valley
/// with no advisor from a town slightly short of one; squared, the people furthest from the
/// target come first. Each choice reports the linear `U` it removes.
///
/// A site's weighted demand does not depend on any supply, so adding Δ at site `j` raises `A_p`
/// by `Δ·W(t_pj)/D_j` on its catchment only: each option is evaluated in O(catchment). `U` is
/// convex in the supplies, so returns diminish and a site may be chosen several times.
///
/// Nothing is chosen when `target` or `step` is not finite and > 0; see
/// [`check_capacity_inputs`] to refuse bad inputs with an error.
///
/// ```
/// use fragnum_access::capacity::{capacity_greedy, Decay, Placement, SiteTimes};
/// // an existing site (1 advisor) serving 100 people; a candidate alone reaching 50 others
/// let existing = SiteTimes { lists: vec![vec![(0, 60.0)]], limit_s: 1800.0, n_points: 2 };
/// let candidates = SiteTimes { lists: vec![vec![(1, 60.0)]], limit_s: 1800.0, n_points: 2 };
/// let need = [100.0, 50.0];
/// let c = capacity_greedy(&existing, &candidates, &[1.0], &need, &need, &Decay::two_step(20.0), 0.01, 1.0, 3);
/// assert_eq!(c.len(), 1); // the 100 are served at the target already
/// assert_eq!((c[0].placement, c[0].gain, c[0].unmet_after), (Placement::Candidate(0), 50.0, 0.0));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn capacity_greedy(
    existing: &SiteTimes,
    candidates: &SiteTimes,
    supply: &[f64],
    demand: &[f64],
    need: &[f64],
    decay: &Decay,
    target: f64,
    step: f64,
    k: usize,
) -> Vec<CapacityChoice> {
    if !target.is_finite() || target <= 0.0 || !step.is_finite() || step <= 0.0 {
        return Vec::new();
    }
    let mut access = fca(existing, supply, demand, decay).point_access;
    let options: Vec<Catchment> =
        existing.lists.par_iter().chain(candidates.lists.par_iter()).map(|list| catchment(list, demand, decay)).collect();
    let need_of = |p: u32| need.get(p as usize).copied().unwrap_or(0.0);
    let mut opened = vec![false; candidates.len()];
    let mut out = Vec::new();
    for rank in 1..=k {
        let gains: Vec<f64> = options
            .par_iter()
            .map(|c| {
                if c.demand <= 0.0 {
                    return 0.0; // nobody in need reaches it: more supply there serves no one
                }
                let per = step / c.demand;
                c.points
                    .iter()
                    .filter_map(|&(p, w)| access.get(p as usize).map(|&a| need_of(p) * (depth(a, target) - depth(a + per * w, target))))
                    .sum()
            })
            .collect();
        let best = gains.iter().enumerate().filter(|g| g.1.is_finite()).max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)));
        let Some((o, &criterion)) = best else { break };
        if criterion <= 0.0 {
            break;
        }
        let before = unmet_need(&access, need, target);
        let c = &options[o];
        let newly_reached: f64 = c
            .points
            .iter()
            .filter(|&&(p, w)| w > 0.0 && access.get(p as usize).is_some_and(|a| *a <= 0.0))
            .map(|&(p, _)| need_of(p))
            .sum::<f64>()
            + 0.0;
        let per = step / c.demand;
        for &(p, w) in &c.points {
            if let Some(a) = access.get_mut(p as usize) {
                *a += per * w;
            }
        }
        let (placement, opens) = if o < existing.len() {
            (Placement::Existing(o), false)
        } else {
            let i = o - existing.len();
            (Placement::Candidate(i), !std::mem::replace(&mut opened[i], true))
        };
        let unmet_after = unmet_need(&access, need, target);
        out.push(CapacityChoice { rank, placement, gain: before - unmet_after, unmet_after, newly_reached, opens });
    }
    out
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // hand-computed values, exact in binary
pub(crate) mod tests {
    use super::*;

    #[test]
    fn straight_line_times_read_only_the_reachable_band_and_match_reading_all() {
        let mut rng = fragnum_core::rng::Rng::new(5, 0);
        // Points over France and a few over the antimeridian, two speeds; sites among them.
        let mut points: Vec<[f64; 2]> = (0..3_000).map(|_| [rng.range(-5.0, 9.0), rng.range(41.0, 51.0)]).collect();
        points.extend((0..200).map(|k| [rng.range(179.7, 180.0) * if k % 2 == 0 { 1.0 } else { -1.0 }, rng.range(-17.5, -16.5)]));
        points.push([f64::NAN, 45.0]);
        let speeds: Vec<f64> = (0..points.len()).map(|p| if p % 3 == 0 { 12.8 } else { 11.4 }).collect();
        let mut sites: Vec<Site> =
            (0..40).map(|k| Site::new(&format!("s{k}"), "", "autre", points[k * 79][0], points[k * 79][1])).collect();
        sites.push(Site::new("wrap", "", "autre", 179.95, -17.0));
        let open: Vec<bool> = (0..points.len()).map(|p| p % 7 != 0).collect();
        for (limit_s, open) in [(1_800.0, None), (3_600.0, Some(&open[..])), (600.0, None)] {
            let banded = straight_line_within(&sites, &points, &speeds, 1.97, open, limit_s);
            // Every point read: a speed of 0 for one point turns the band off.
            let mut slow = speeds.clone();
            slow[1] = 0.0;
            let all = straight_line_within(&sites, &points, &slow, 1.97, open, limit_s);
            for (b, a) in banded.lists.iter().zip(&all.lists) {
                let a: Vec<_> = a.iter().filter(|e| e.0 != 1).collect();
                let b: Vec<_> = b.iter().filter(|e| e.0 != 1).collect();
                assert_eq!(a, b);
            }
            assert!(banded.lists.iter().any(|l| l.len() > 1));
            if limit_s >= 1_800.0 {
                assert!(banded.lists.last().is_some_and(|l| l.iter().any(|e| points[e.0 as usize][0] < 0.0)), "across the antimeridian");
            }
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    /// Two sites, three points (minutes): site 0 → p0 5, p1 15; site 1 → p1 12, p2 25.
    fn two_sites() -> SiteTimes {
        SiteTimes { lists: vec![vec![(0, 300.0), (1, 900.0)], vec![(1, 720.0), (2, 1500.0)]], limit_s: 1800.0, n_points: 3 }
    }

    /// A 6 × 6 grid of streets ~78 m apart at 10 m/s, every third one one-way, with three sites
    /// and 80 points scattered over it (some on the sites' own segments).
    pub(crate) fn grid() -> (Graph, Vec<Site>, Vec<fragnum_core::sites::PopulationPoint>) {
        use crate::graph::tests::{network, profile_10ms};
        let mut pts = Vec::new();
        let mut edges = Vec::new();
        for j in 0..6u32 {
            for i in 0..6u32 {
                pts.push([5.0 + 0.001 * f64::from(i), 45.0 + 0.0007 * f64::from(j)]);
                if i < 5 {
                    edges.push((j * 6 + i, j * 6 + i + 1, 78.6, (i + j) % 3 != 0));
                }
                if j < 5 {
                    edges.push((j * 6 + i, (j + 1) * 6 + i, 77.8, (i + 2 * j) % 3 != 1));
                }
            }
        }
        let g = Graph::build(&network(&pts, &edges), &profile_10ms()).unwrap();
        let sites =
            vec![Site::new("a", "", "k", 5.0002, 45.0), Site::new("b", "", "k", 5.004, 45.0029), Site::new("c", "", "k", 5.0031, 45.0)];
        let mut rng = fragnum_core::rng::Rng::new(3, 0);
        let mut points: Vec<_> = (0..80)
            .map(|_| fragnum_core::sites::PopulationPoint {
                lon: rng.range(4.9995, 5.0055),
                lat: rng.range(44.9995, 45.004),
                weight: 1.0,
                zone: None,
            })
            .collect();
        // on site a's and site c's segments, both sides
        for lon in [5.0001, 5.0006, 5.0025, 5.0036] {
            points.push(fragnum_core::sites::PopulationPoint { lon, lat: 45.00002, weight: 1.0, zone: None });
        }
        (g, sites, points)
    }

    #[test]
    fn network_times_agree_with_the_nearest_site_search() {
        let (g, sites, points) = grid();
        let snapper = Snapper::new(&g);
        let nearest = crate::coverage::network_times(&g, &snapper, &sites, &points, 500.0, 1.25);
        let t = SiteTimes::network(&g, &snapper, &nearest.site_snaps, &nearest.point_snaps, f64::INFINITY);
        assert_eq!((t.len(), t.n_points), (3, points.len()));
        t.check(&[1.0; 3], &vec![1.0; points.len()]).unwrap();
        let first = t.nearest_k::<1>();
        for (p, r) in nearest.points.iter().enumerate() {
            match (r.time_s, first[p][0]) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "point {p}: {a} vs {b}"),
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "point {p}"),
            }
        }
        // a limit keeps exactly the times within it
        let limited = SiteTimes::network(&g, &snapper, &nearest.site_snaps, &nearest.point_snaps, 60.0);
        for (full, cut) in t.lists.iter().zip(&limited.lists) {
            let kept: Vec<(u32, f64)> = full.iter().copied().filter(|e| e.1 <= 60.0).collect();
            assert_eq!(&kept, cut);
        }
    }

    #[test]
    fn straight_line_times() {
        let sites = [Site::new("a", "", "k", 5.0, 45.0)];
        let points = [[5.0, 45.09], [5.0, 45.3], [5.0, 45.0]];
        // 10 km × 1.3 at 60 km/h = 13 min; 33.4 km → 43 min (out); the third point has no speed
        let t = SiteTimes::straight_line(&sites, &points, &[60.0 / 3.6; 2], 1.3, 1800.0);
        assert_eq!(t.lists[0].len(), 1);
        assert!((t.lists[0][0].1 / 60.0 - 13.0).abs() < 0.1);
    }

    #[test]
    fn two_step_fca_by_hand() {
        let r = fca(&two_sites(), &[2.0, 1.0], &[100.0, 200.0, 50.0], &Decay::two_step(20.0));
        // site 0: 100 + 200 in 20 min; site 1: p1 only (p2 at 25 min is out)
        assert_eq!(r.site_ratio, vec![Some(2.0 / 300.0), Some(1.0 / 200.0)]);
        assert!(close(r.point_access[0], 2.0 / 300.0));
        assert!(close(r.point_access[1], 2.0 / 300.0 + 1.0 / 200.0));
        assert_eq!(r.point_access[2], 0.0);
    }

    #[test]
    fn enhanced_two_step_fca_by_hand() {
        let r = fca(&two_sites(), &[2.0, 1.0], &[100.0, 200.0, 50.0], &Decay::luo_qi());
        // site 0: 100 × 1 + 200 × 0.68 = 236; site 1: 200 × 0.68 + 50 × 0.22 = 147
        let (r0, r1) = (2.0 / 236.0, 1.0 / 147.0);
        assert!(close(r.site_ratio[0].unwrap(), r0) && close(r.site_ratio[1].unwrap(), r1));
        assert!(close(r.point_access[0], r0));
        assert!(close(r.point_access[1], 0.68 * r0 + 0.68 * r1));
        assert!(close(r.point_access[2], 0.22 * r1));
        // the supply-weighted mean of access equals supply / demand overall (2SFCA conserves supply)
        let total: f64 = r.point_access.iter().zip([100.0, 200.0, 50.0]).map(|(a, d)| a * d).sum();
        assert!(close(total, 3.0));
        let n = r.normalized(&[100.0, 200.0, 50.0]).unwrap();
        assert!(close(n[0], r0 / (3.0 / 350.0)));
    }

    #[test]
    fn bounds_are_inclusive_and_sites_without_demand_have_no_ratio() {
        let d = Decay::two_step(20.0);
        assert_eq!((d.weight(1200.0), d.weight(1200.001), d.weight(f64::NAN)), (1.0, 0.0, 0.0));
        let t = SiteTimes { lists: vec![vec![(0, 1200.0)], vec![(1, 1300.0)], vec![]], limit_s: 1800.0, n_points: 2 };
        let r = fca(&t, &[1.0, 1.0, 1.0], &[10.0, 10.0], &d);
        assert_eq!(r.site_ratio, vec![Some(0.1), None, None]);
        assert_eq!(r.point_access, vec![0.1, 0.0]);
        // unchecked short inputs do not panic: missing supply and demand count as 0
        assert_eq!(fca(&t, &[], &[10.0], &d).site_ratio, vec![Some(0.0), None, None]);
        assert!(t.check(&[1.0, 1.0], &[10.0, 10.0]).is_err());
        assert!(t.check(&[1.0, 1.0, -1.0], &[10.0, 10.0]).is_err());
        assert!(t.check(&[1.0, 1.0, 1.0], &[10.0, 10.0]).is_ok());
        let bad = SiteTimes { lists: vec![vec![(1, 1.0), (0, 2.0)]], limit_s: 10.0, n_points: 2 };
        assert!(matches!(bad.check(&[1.0], &[1.0, 1.0]), Err(CapacityError::Times { site: 0, .. })));
    }

    #[test]
    fn decay_checks_and_toml() {
        assert!(Decay::new(vec![]).is_err());
        assert!(Decay::new(vec![(20.0, 1.0), (10.0, 0.5)]).is_err());
        assert!(Decay::new(vec![(10.0, -1.0)]).is_err());
        let d: Decay = toml::from_str("steps = [[10, 1], [20, 0.68], [30, 0.22]]").unwrap();
        assert_eq!(d, Decay::luo_qi());
        assert_eq!(d.limit_min(), 30.0);
        assert!(toml::from_str::<Decay>("steps = [[20, 1], [10, 0.5]]").is_err());
        assert!(toml::from_str::<Decay>("steps = [[20, 1]]\nother = 1").is_err());
    }

    #[test]
    fn nearest_k_orders_each_point_s_sites() {
        let t = two_sites();
        assert_eq!(t.nearest_k::<3>(), vec![[Some(300.0), None, None], [Some(720.0), Some(900.0), None], [Some(1500.0), None, None]]);
        assert_eq!(t.nearest_k::<1>()[1], [Some(720.0)]);
        // three sites on one point, listed out of order, K = 2 keeps the two smallest
        let t = SiteTimes { lists: vec![vec![(0, 50.0)], vec![(0, 10.0)], vec![(0, 30.0)]], limit_s: 100.0, n_points: 1 };
        assert_eq!(t.nearest_k::<2>(), vec![[Some(10.0), Some(30.0)]]);
    }

    #[test]
    fn gini_of_known_values() {
        assert_eq!(gini(&[3.0, 3.0, 3.0], &[1.0, 2.0, 5.0]), Some(0.0));
        assert!(close(gini(&[0.0, 0.0, 7.0, 0.0, 0.0], &[1.0; 5]).unwrap(), 4.0 / 5.0));
        // integer weights are repetitions
        assert!(close(gini(&[1.0, 0.0], &[1.0, 3.0]).unwrap(), 0.75));
        assert_eq!(gini(&[1.0, 2.0], &[0.0, 0.0]), None);
        assert_eq!(gini(&[1.0], &[1.0, 1.0]), None);
        assert_eq!(gini(&[0.0, 0.0], &[1.0, 1.0]), Some(0.0));
        // against the O(n²) definition
        let mut rng = fragnum_core::rng::Rng::new(7, 0);
        let x: Vec<f64> = (0..50).map(|_| rng.range(0.0, 40.0)).collect();
        let w: Vec<f64> = (0..50).map(|_| rng.range(0.0, 5.0)).collect();
        let (sw, swx): (f64, f64) = (w.iter().sum(), x.iter().zip(&w).map(|(a, b)| a * b).sum());
        let mut pairs = 0.0;
        for i in 0..50 {
            for j in 0..50 {
                pairs += w[i] * w[j] * (x[i] - x[j]).abs();
            }
        }
        assert!(close(gini(&x, &w).unwrap(), pairs / (2.0 * sw * swx)));
    }

    #[test]
    fn adding_to_an_existing_site_beats_opening_a_candidate() {
        // existing site: 1 advisor for 100 people at 5 min → access 0.01, half the 0.02 target
        // (unmet 50); candidate: 1 person alone (unmet 1)
        let existing = SiteTimes { lists: vec![vec![(0, 300.0)]], limit_s: 1800.0, n_points: 2 };
        let candidates = SiteTimes { lists: vec![vec![(1, 300.0)]], limit_s: 1800.0, n_points: 2 };
        let need = [100.0, 1.0];
        let d = Decay::two_step(20.0);
        check_capacity_inputs(&existing, &candidates, &[1.0], &need, &need, 0.02, 1.0).unwrap();
        let c = capacity_greedy(&existing, &candidates, &[1.0], &need, &need, &d, 0.02, 1.0, 5);
        assert_eq!(c.len(), 2);
        assert_eq!(
            c[0],
            CapacityChoice { rank: 1, placement: Placement::Existing(0), gain: 50.0, unmet_after: 1.0, newly_reached: 0.0, opens: false }
        );
        assert_eq!(c[1].placement, Placement::Candidate(0));
        assert!(c[1].opens && close(c[1].gain, 1.0) && c[1].unmet_after.abs() < 1e-12);
    }

    #[test]
    fn opening_a_candidate_beats_adding_to_an_existing_site() {
        // existing: 1 advisor for 20 people (target reached) and a shared point of 80 at 25 min;
        // candidate: 100 people within 10 min, none served
        let existing = SiteTimes { lists: vec![vec![(0, 300.0), (1, 1500.0)]], limit_s: 1800.0, n_points: 3 };
        let candidates = SiteTimes { lists: vec![vec![(1, 400.0), (2, 500.0)]], limit_s: 1800.0, n_points: 3 };
        let demand = [20.0, 80.0, 20.0];
        let d = Decay::two_step(20.0);
        let c = capacity_greedy(&existing, &candidates, &[1.0], &demand, &demand, &d, 0.02, 1.0, 3);
        // candidate: 1 unit for 100 people → access 0.01, unmet 100 → 50; existing: nothing unmet
        assert_eq!(c[0].placement, Placement::Candidate(0));
        assert!(c[0].opens && close(c[0].gain, 50.0) && close(c[0].unmet_after, 50.0));
        // the opened candidate is a site like the others: the second unit goes there too
        assert_eq!(c[1].placement, Placement::Candidate(0));
        assert!(!c[1].opens && close(c[1].gain, 50.0) && c[1].unmet_after.abs() < 1e-12);
        assert_eq!(c.len(), 2, "stops when nothing is unmet");
        // the final unmet need equals a full recomputation with the candidate as a site
        let all = SiteTimes { lists: [existing.lists.clone(), candidates.lists.clone()].concat(), limit_s: 1800.0, n_points: 3 };
        let access = fca(&all, &[1.0, 2.0], &demand, &d).point_access;
        assert!(unmet_need(&access, &demand, 0.02).abs() < 1e-12);
        assert!(capacity_greedy(&existing, &candidates, &[1.0], &demand, &demand, &d, 0.0, 1.0, 3).is_empty());
    }

    #[test]
    fn the_deepest_shortfall_comes_first() {
        // site 0 serves points 0 (100 people) at half the target; candidates 0 and 1 each reach
        // 100 people: candidate 0 those of point 0, candidate 1 those of point 1, who have nothing.
        // One unit lowers the linear unmet need by 25 either way; the square prefers point 1.
        let existing = SiteTimes { lists: vec![vec![(0, 60.0)]], limit_s: 1800.0, n_points: 2 };
        let candidates = SiteTimes { lists: vec![vec![(0, 60.0)], vec![(1, 60.0)]], limit_s: 1800.0, n_points: 2 };
        let need = [100.0, 100.0];
        let c = capacity_greedy(&existing, &candidates, &[1.0], &need, &need, &Decay::two_step(20.0), 0.02, 0.5, 1);
        assert_eq!(c[0].placement, Placement::Candidate(1));
        assert!(close(c[0].gain, 25.0), "{}", c[0].gain);
    }
}
