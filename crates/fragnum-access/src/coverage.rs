//! Per point and per zone results: time to the nearest site, which site, population shares
//! within thresholds, mean and median times.

use std::collections::{BTreeMap, HashMap};

use fragnum_core::ZoneCode;
use fragnum_core::sites::{PopulationPoint, Site};
use rayon::prelude::*;

use crate::dijkstra::{NearestSites, better};
use crate::graph::Graph;
use crate::snap::{Snap, Snapper};
use crate::spatial::{SearchHint, z_order};

/// The result for one population point.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PointResult {
    /// Seconds to the nearest site; `None` when unreached (beyond snap distance, or no site).
    pub time_s: Option<f64>,
    /// Index of the nearest site in the site list.
    pub site: Option<usize>,
    /// Distance from the point to the road it was snapped to (network method only).
    pub snap_m: Option<f64>,
    /// True when the point lies farther than the maximum snap distance from any road.
    pub beyond_snap: bool,
}

/// The result for one zone (points grouped by [`PopulationPoint::zone`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneResult {
    /// The zone.
    pub zone: ZoneCode,
    /// Population of its points.
    pub population: f64,
    /// Share (0–1) of the population within each threshold, in the order of the thresholds.
    pub share_within: Vec<f64>,
    /// Population-weighted mean time (minutes) over the reached population.
    pub mean_min: Option<f64>,
    /// Population-weighted median time (minutes) over the reached population.
    pub median_min: Option<f64>,
    /// The site nearest to the largest part of the zone's population.
    pub nearest_site: Option<usize>,
    /// Population with no time (beyond snap distance or unreachable).
    pub unreached_population: f64,
    /// Population beyond the maximum snap distance.
    pub beyond_snap_population: f64,
    /// Sites reaching part of the zone within the isochrone threshold: (site index, share of
    /// the zone's population within the threshold of that site), largest share first.
    pub sites_within: Vec<(usize, f64)>,
}

/// Everything the network method computes before aggregation.
#[derive(Debug, Clone)]
pub struct NetworkTimes {
    /// Time and nearest site of every graph node.
    pub nodes: NearestSites,
    /// Snap of each site (`None`: beyond the snap distance, not used).
    pub site_snaps: Vec<Option<Snap>>,
    /// Snap of each population point.
    pub point_snaps: Vec<Option<Snap>>,
    /// Result of each population point.
    pub points: Vec<PointResult>,
}

/// Snaps sites and points, runs one multi-source Dijkstra on the reversed graph, and gives every
/// point its time to the nearest site (walking legs included).
pub fn network_times(
    graph: &Graph,
    snapper: &Snapper,
    sites: &[Site],
    points: &[PopulationPoint],
    max_snap_m: f64,
    walk_ms: f64,
) -> NetworkTimes {
    let site_snaps: Vec<Option<Snap>> = sites.par_iter().map(|s| snapper.snap(s.position(), max_snap_m, walk_ms)).collect();
    let sources = snapper.sources(&site_snaps);
    let mut on_segment: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, snap) in site_snaps.iter().enumerate() {
        if let Some(snap) = snap {
            on_segment.entry(snap.segment).or_default().push(i);
        }
    }
    // The Dijkstra does not need the points: it runs while they are snapped.
    let (nodes, point_snaps) = rayon::join(
        || graph.nearest_sites(&sources, f64::INFINITY),
        || {
            // Snapped in Z-order, so consecutive searches walk the same R-tree nodes (25 % faster
            // on unordered points), then put back in input order.
            let order = z_order(&points.iter().map(PopulationPoint::position).collect::<Vec<_>>());
            let in_z_order: Vec<Option<Snap>> = order
                .par_iter()
                .map_init(SearchHint::default, |hint, &i| snapper.snap_from(points[i].position(), max_snap_m, walk_ms, hint))
                .collect();
            let mut in_input_order = vec![None; points.len()];
            for (&i, snap) in order.iter().zip(in_z_order) {
                in_input_order[i] = snap;
            }
            in_input_order
        },
    );
    let results = point_snaps
        .par_iter()
        .map(|snap| {
            let Some(snap) = snap else { return PointResult { beyond_snap: true, ..PointResult::default() } };
            let mut best: Option<(f64, usize)> = None;
            let mut consider = |t: f64, s: usize| {
                if t.is_finite() && best.is_none_or(|(bt, bs)| better(t, s as u32, bt, bs as u32)) {
                    best = Some((t, s));
                }
            };
            for (node, leg) in snapper.exits(snap) {
                let n = node as usize;
                if nodes.site[n] != u32::MAX {
                    consider(leg + nodes.time[n], nodes.site[n] as usize);
                }
            }
            if let Some(list) = on_segment.get(&snap.segment) {
                for &s in list {
                    if let Some(t) = site_snaps[s].and_then(|ss| snapper.along(snap, &ss)) {
                        consider(t, s);
                    }
                }
            }
            PointResult { time_s: best.map(|b| b.0), site: best.map(|b| b.1), snap_m: Some(snap.distance_m), beyond_snap: false }
        })
        .collect();
    NetworkTimes { nodes, site_snaps, point_snaps, points: results }
}

/// Fills each zone's [`ZoneResult::sites_within`] from per-site coverage (`cover[s]` = the points
/// site `s` reaches within the threshold).
pub fn attach_sites_within(zones: &mut [ZoneResult], points: &[PopulationPoint], cover: &[Vec<u32>]) {
    let index: BTreeMap<&ZoneCode, usize> = zones.iter().enumerate().map(|(i, z)| (&z.zone, i)).collect();
    let zone_of: Vec<Option<usize>> = points.iter().map(|p| p.zone.as_ref().and_then(|z| index.get(z).copied())).collect();
    let mut sums: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); zones.len()];
    for (s, covered) in cover.iter().enumerate() {
        for &p in covered {
            if let Some(z) = zone_of[p as usize] {
                *sums[z].entry(s).or_default() += points[p as usize].weight;
            }
        }
    }
    for (zone, sums) in zones.iter_mut().zip(sums) {
        if zone.population > 0.0 {
            let mut list: Vec<(usize, f64)> = sums.into_iter().map(|(s, w)| (s, w / zone.population)).collect();
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            zone.sites_within = list;
        }
    }
}

/// A site serves a zone (or a group of zones) when it brings at least this share of its
/// population within the isochrone threshold: one site reaching half the residents is one they
/// can use, a site reaching a corner of the zone is not listed.
pub const SERVING_SHARE: f64 = 0.5;

/// What the access results say of a zone, or of a group of zones weighted by population.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedBy {
    /// Sites serving it ([`SERVING_SHARE`]), in site order.
    pub sites: Vec<usize>,
    /// Share (0–1) of the population within the threshold of index `threshold` of
    /// [`ZoneResult::share_within`].
    pub share_within: f64,
    /// The site nearest to the largest part of the population, and the weighted mean time to
    /// the nearest site (minutes).
    pub nearest: Option<(usize, f64)>,
}

/// Aggregates the results of `members` (zone results and their weights, e.g. populations) into
/// what a fact sheet says; `None` when no member has results or the weights sum to 0.
///
/// ```
/// use fragnum_access::coverage::{served_by, ZoneResult};
/// use fragnum_core::{Level, ZoneCode};
/// let zone = |sites_within: Vec<(usize, f64)>| ZoneResult {
///     zone: ZoneCode::new(Level::Commune, "38185").unwrap(), population: 100.0, share_within: vec![0.8],
///     mean_min: Some(10.0), median_min: Some(10.0), nearest_site: Some(0), unreached_population: 0.0,
///     beyond_snap_population: 0.0, sites_within,
/// };
/// let (a, b) = (zone(vec![(0, 0.9), (1, 0.2)]), zone(vec![(0, 0.7), (1, 0.9)]));
/// let s = served_by(&[(&a, 1.0), (&b, 1.0)], 0).unwrap();
/// assert_eq!(s.sites, [0, 1]); // site 1 reaches (0.2 + 0.9) / 2 = 55 %
/// assert!((s.share_within - 0.8).abs() < 1e-12);
/// ```
pub fn served_by(members: &[(&ZoneResult, f64)], threshold: usize) -> Option<ServedBy> {
    let total: f64 = members.iter().map(|(_, w)| w).sum();
    if members.is_empty() || total <= 0.0 {
        return None;
    }
    let mut site_share: BTreeMap<usize, f64> = BTreeMap::new();
    let mut nearest: BTreeMap<usize, f64> = BTreeMap::new();
    let (mut share, mut minutes, mut timed) = (0.0, 0.0, 0.0);
    for (z, w) in members {
        for &(site, s) in &z.sites_within {
            *site_share.entry(site).or_default() += s * w / total;
        }
        share += z.share_within.get(threshold).copied().unwrap_or(0.0) * w / total;
        if let (Some(site), Some(m)) = (z.nearest_site, z.mean_min) {
            *nearest.entry(site).or_default() += w;
            minutes += m * w;
            timed += w;
        }
    }
    Some(ServedBy {
        sites: site_share.iter().filter(|(_, s)| **s >= SERVING_SHARE).map(|(&i, _)| i).collect(),
        share_within: share,
        nearest: nearest
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .filter(|_| timed > 0.0)
            .map(|(&i, _)| (i, minutes / timed)),
    })
}

/// Weighted median of (value, weight) pairs; `None` when the total weight is zero.
///
/// ```
/// assert_eq!(fragnum_access::coverage::weighted_median(&mut vec![(1.0, 1.0), (5.0, 3.0), (9.0, 1.0)]), Some(5.0));
/// ```
pub fn weighted_median(values: &mut [(f64, f64)]) -> Option<f64> {
    let total: f64 = values.iter().map(|v| v.1).sum();
    if total <= 0.0 {
        return None;
    }
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut acc = 0.0;
    for &(v, w) in values.iter() {
        acc += w;
        if acc >= total / 2.0 {
            return Some(v);
        }
    }
    values.last().map(|v| v.0)
}

/// Aggregates point results by zone. Points without a zone are left out of zone results (they
/// still have their point result).
pub fn zone_results(points: &[PopulationPoint], results: &[PointResult], thresholds_min: &[f64]) -> Vec<ZoneResult> {
    let mut groups: BTreeMap<&ZoneCode, Vec<usize>> = BTreeMap::new();
    for (i, p) in points.iter().enumerate() {
        if let Some(z) = &p.zone {
            groups.entry(z).or_default().push(i);
        }
    }
    groups
        .into_iter()
        .map(|(zone, idx)| {
            let population: f64 = idx.iter().map(|&i| points[i].weight).sum();
            let mut within = vec![0.0; thresholds_min.len()];
            let mut times: Vec<(f64, f64)> = Vec::new();
            let mut by_site: BTreeMap<usize, f64> = BTreeMap::new();
            let (mut unreached, mut beyond) = (0.0, 0.0);
            for &i in &idx {
                let (w, r) = (points[i].weight, results[i]);
                if r.beyond_snap {
                    beyond += w;
                }
                match r.time_s {
                    Some(t) => {
                        for (k, th) in thresholds_min.iter().enumerate() {
                            if t <= th * 60.0 {
                                within[k] += w;
                            }
                        }
                        times.push((t / 60.0, w));
                    }
                    None => unreached += w,
                }
                if let Some(s) = r.site {
                    *by_site.entry(s).or_default() += w;
                }
            }
            let reached: f64 = times.iter().map(|t| t.1).sum();
            let mean_min = (reached > 0.0).then(|| times.iter().map(|t| t.0 * t.1).sum::<f64>() / reached);
            ZoneResult {
                zone: zone.clone(),
                population,
                share_within: within.iter().map(|w| if population > 0.0 { w / population } else { 0.0 }).collect(),
                mean_min,
                median_min: weighted_median(&mut times),
                nearest_site: by_site.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0))).map(|(s, _)| *s),
                unreached_population: unreached,
                beyond_snap_population: beyond,
                sites_within: Vec::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{network, profile_10ms};
    use fragnum_core::Level;

    fn point(lon: f64, lat: f64, w: f64, zone: &str) -> PopulationPoint {
        PopulationPoint { lon, lat, weight: w, zone: Some(ZoneCode::new(Level::Commune, zone).unwrap()) }
    }

    #[test]
    fn site_off_the_network_and_point_beyond_snap() {
        // a straight road of 4 × ~78.6 m; car 10 m/s; walk 1 m/s
        let pts: Vec<[f64; 2]> = (0..5).map(|i| [5.0 + 0.001 * f64::from(i), 45.0]).collect();
        let net = network(&pts, &[(0, 1, 100.0, true), (1, 2, 100.0, true), (2, 3, 100.0, true), (3, 4, 100.0, true)]);
        let g = Graph::build(&net, &profile_10ms()).unwrap();
        let snapper = Snapper::new(&g);
        // site 50 m north of node 4 (off the network), one far away (not snapped)
        let sites = vec![Site::new("s", "", "k", 5.004, 45.00045), Site::new("far", "", "k", 6.0, 46.0)];
        let people = vec![point(5.0, 45.0, 10.0, "38185"), point(5.0, 45.1, 5.0, "38185")];
        let r = network_times(&g, &snapper, &sites, &people, 1000.0, 1.0);
        assert!(r.site_snaps[1].is_none());
        let t = r.points[0].time_s.unwrap();
        // 400 m by road at 10 m/s + ~50 m walked at 1 m/s
        assert!((t - 40.0 - 50.0).abs() < 0.5, "{t}");
        assert!(r.points[1].beyond_snap && r.points[1].time_s.is_none());
        let z = zone_results(&people, &r.points, &[1.0, 2.0]);
        assert_eq!(z.len(), 1);
        assert!((z[0].share_within[0] - 0.0).abs() < 1e-12);
        assert!((z[0].share_within[1] - 10.0 / 15.0).abs() < 1e-12);
        assert!((z[0].beyond_snap_population - 5.0).abs() < 1e-12);
        assert_eq!(z[0].nearest_site, Some(0));
    }

    #[test]
    fn point_and_site_on_the_same_one_way_segment() {
        // one-way loop 0 → 1 → 2 → 0, each ~100 m long at 10 m/s
        let pts = [[5.0, 45.0], [5.001, 45.0], [5.0005, 45.001]];
        let net = network(&pts, &[(0, 1, 100.0, false), (1, 2, 100.0, false), (2, 0, 100.0, false)]);
        let g = Graph::build(&net, &profile_10ms()).unwrap();
        let snapper = Snapper::new(&g);
        // site at 3/4 of 0→1, home at 1/4: 5 s forward; home at 0.9 (behind the site): must go round.
        let sites = vec![Site::new("s", "", "k", 5.00075, 45.0)];
        let people = vec![point(5.00025, 45.0, 1.0, "38185"), point(5.0009, 45.0, 1.0, "38185")];
        let r = network_times(&g, &snapper, &sites, &people, 100.0, 1.0);
        assert!((r.points[0].time_s.unwrap() - 5.0).abs() < 1e-6);
        assert!((r.points[1].time_s.unwrap() - (1.0 + 20.0 + 7.5)).abs() < 1e-6);
    }
}

#[cfg(test)]
mod sites_within_tests {
    use super::*;

    #[test]
    fn shares_per_zone_and_site() {
        let zone = ZoneCode::new(fragnum_core::Level::Iris, "001000101").unwrap();
        let point = |w: f64| PopulationPoint { lon: 0.0, lat: 0.0, weight: w, zone: Some(zone.clone()) };
        let points = [point(30.0), point(70.0), PopulationPoint { lon: 0.0, lat: 0.0, weight: 5.0, zone: None }];
        let results = [PointResult::default(); 3];
        let mut zones = zone_results(&points, &results, &[20.0]);
        // site 0 reaches the first point and the zone-less one; site 1 reaches both zone points.
        attach_sites_within(&mut zones, &points, &[vec![0, 2], vec![0, 1], vec![]]);
        assert_eq!(zones[0].sites_within, vec![(1, 1.0), (0, 0.3)]);
    }
}
