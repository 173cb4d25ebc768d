//! Supply meets need: each site's capacity (advisors or weekly opening hours), the two-step
//! floating catchment area measures per point and per zone, the equity of access across the
//! territory and per group (EPCI), and where one more unit of supply would serve the most
//! unmet need.
//!
//! A site's capacity comes, in this order, from its file (`n_aidants`, `horaires`, day columns:
//! [`Site::advisors`], [`Site::hours_per_week`]), from the config's default for its kind, from
//! the median of the sites of the same kind whose file gave it, and else one advisor (for
//! hours: the median of all sites that have hours); each site records which rule gave its
//! value, so a map of supply never hides an assumption.

use std::collections::BTreeMap;

use fragnum_core::ZoneCode;
use fragnum_core::sites::{PopulationPoint, Site};
use serde::Deserialize;

use crate::capacity::{CapacityChoice, Decay, Fca, SiteTimes, capacity_greedy, fca, gini};
use crate::coverage::{PointResult, weighted_median};

/// What a site's supply counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SupplyMeasure {
    /// Advisors (conseillers numériques, agents France Services) at the site.
    #[default]
    Advisors,
    /// Opening hours per week.
    Hours,
}

impl SupplyMeasure {
    /// The name written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            SupplyMeasure::Advisors => "advisors",
            SupplyMeasure::Hours => "hours_per_week",
        }
    }

    /// French wording of one unit, plural (« conseillers », « heures d'ouverture hebdomadaires »).
    pub fn label_fr(self) -> &'static str {
        match self {
            SupplyMeasure::Advisors => "aidants",
            SupplyMeasure::Hours => "heures d'ouverture par semaine",
        }
    }
}

/// The `[access.capacity]` settings.
///
/// ```
/// let s: fragnum_access::supply::CapacitySettings = toml::from_str(
///     "supply = 'hours'\ndecay = [[10, 1.0], [20, 0.5]]\ndefault_hours = { mediation = 12 }\n",
/// ).unwrap();
/// assert_eq!(s.per, 10_000.0);
/// assert_eq!(s.decay.len(), 2);
/// assert!(toml::from_str::<fragnum_access::supply::CapacitySettings>("suply = 'hours'").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CapacitySettings {
    /// What supply counts.
    pub supply: SupplyMeasure,
    /// Who is in need: `"population"`, or an indicator of the indices stage (its estimated
    /// count per zone spread over the zone's points); the caller resolves it into
    /// [`crate::AccessInput::need`].
    pub need: String,
    /// Supply is reported per this many people in need.
    pub per: f64,
    /// Distance decay of the enhanced 2SFCA: `[[minutes, weight], …]`, ascending.
    pub decay: Vec<(f64, f64)>,
    /// Advisors per site of a kind when the file does not say.
    pub default_advisors: BTreeMap<String, f64>,
    /// Weekly opening hours per site of a kind when the file does not say.
    pub default_hours: BTreeMap<String, f64>,
    /// Capacity-aware siting: how many units of supply to place (0: none).
    pub added_units: usize,
    /// One unit of supply for the siting (default 1 advisor, or 7 hours: an advisor-day).
    pub unit: Option<f64>,
    /// Supply per `per` people in need deemed sufficient (default: the territory's average).
    pub target_per: Option<f64>,
    /// Times to the 2nd and 3rd nearest sites are looked for up to this many minutes.
    pub nearest_limit_min: f64,
    /// Node budget of the exact siting search (past it the gap is a bound).
    pub optimum_node_budget: u64,
}

impl Default for CapacitySettings {
    fn default() -> Self {
        CapacitySettings {
            supply: SupplyMeasure::Advisors,
            need: "population".into(),
            per: 10_000.0,
            // Luo & Qi (2009): weights of a Gaussian decay at the middle of each 10-minute band.
            decay: vec![(10.0, 1.0), (20.0, 0.68), (30.0, 0.22)],
            default_advisors: BTreeMap::new(),
            default_hours: BTreeMap::new(),
            added_units: 0,
            unit: None,
            target_per: None,
            nearest_limit_min: 60.0,
            optimum_node_budget: 2_000_000,
        }
    }
}

impl CapacitySettings {
    /// The problems of the values, each naming its key (`decay[1]`, `per`).
    // `!(x > 0.0)` is meant: unlike `x <= 0.0` it also refuses NaN.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !(self.per > 0.0 && self.per.is_finite()) {
            out.push(("per".into(), format!("{}: must be > 0", self.per)));
        }
        if self.decay.is_empty() {
            out.push(("decay".into(), "needs at least one [minutes, weight] step".into()));
        }
        for (i, (m, w)) in self.decay.iter().enumerate() {
            if !(*m > 0.0 && m.is_finite()) || (i > 0 && !(self.decay[i - 1].0 < *m)) {
                out.push((format!("decay[{i}]"), format!("{m} min: steps must be > 0 minutes and ascending")));
            }
            if !(*w >= 0.0 && *w <= 1.0) {
                out.push((format!("decay[{i}]"), format!("weight {w}: must be between 0 and 1")));
            }
        }
        for (key, map) in [("default_advisors", &self.default_advisors), ("default_hours", &self.default_hours)] {
            for (kind, v) in map {
                if !(*v >= 0.0 && v.is_finite()) {
                    out.push((format!("{key}.{kind}"), format!("{v}: must be ≥ 0")));
                }
            }
        }
        if let Some(u) = self.unit
            && !(u > 0.0 && u.is_finite())
        {
            out.push(("unit".into(), format!("{u}: must be > 0")));
        }
        if let Some(t) = self.target_per
            && !(t > 0.0 && t.is_finite())
        {
            out.push(("target_per".into(), format!("{t}: must be > 0")));
        }
        if !(self.nearest_limit_min > 0.0 && self.nearest_limit_min.is_finite()) {
            out.push(("nearest_limit_min".into(), format!("{} min: must be > 0", self.nearest_limit_min)));
        }
        out
    }

    /// One unit of supply for the siting.
    pub fn unit(&self) -> f64 {
        self.unit.unwrap_or(match self.supply {
            SupplyMeasure::Advisors => 1.0,
            SupplyMeasure::Hours => 7.0,
        })
    }
}

/// Each site's supply and the rule that gave it (`file: n_aidants`, `config default for
/// mediation`, `median of the file's france_services sites`, `one advisor assumed`).
pub fn site_supply(sites: &[Site], s: &CapacitySettings) -> (Vec<f64>, Vec<String>) {
    let read = |site: &Site| match s.supply {
        SupplyMeasure::Advisors => site.advisors,
        SupplyMeasure::Hours => site.hours_per_week,
    };
    let defaults = match s.supply {
        SupplyMeasure::Advisors => &s.default_advisors,
        SupplyMeasure::Hours => &s.default_hours,
    };
    let median = |values: Vec<f64>| {
        let mut v: Vec<(f64, f64)> = values.into_iter().map(|x| (x, 1.0)).collect();
        weighted_median(&mut v)
    };
    let mut by_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for site in sites {
        if let Some(v) = read(site) {
            by_kind.entry(site.kind.as_str()).or_default().push(v);
        }
    }
    let kind_median: BTreeMap<&str, f64> = by_kind.iter().filter_map(|(k, v)| Some((*k, median(v.clone())?))).collect();
    let all_median = median(by_kind.values().flatten().copied().collect());
    sites
        .iter()
        .map(|site| {
            if let Some(v) = read(site) {
                (v, format!("file: {}", site.capacity_source.as_deref().unwrap_or("capacity column")))
            } else if let Some(v) = defaults.get(&site.kind) {
                (*v, format!("config default for {}", site.kind))
            } else if let Some(v) = kind_median.get(site.kind.as_str()) {
                (*v, format!("median of the file's {} sites", site.kind))
            } else {
                match (s.supply, all_median) {
                    (SupplyMeasure::Hours, Some(v)) => (v, "median of the file's sites".to_string()),
                    _ => (1.0, "one advisor assumed".to_string()),
                }
            }
        })
        .unzip()
}

/// Supply measures of one population point.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PointSupply {
    /// 2SFCA: supply per `per` people in need within the threshold.
    pub fca: f64,
    /// Enhanced 2SFCA (stepped decay), per `per` people in need.
    pub e2sfca: f64,
    /// Cumulative opportunities: supply units of the sites within the threshold.
    pub opportunities: f64,
    /// Seconds to the nearest, 2nd and 3rd nearest sites (within `nearest_limit_min`).
    pub nearest_s: [Option<f64>; 3],
}

/// Supply measures of one zone (need-weighted over its points).
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneSupply {
    /// The zone.
    pub zone: ZoneCode,
    /// People in need.
    pub need: f64,
    /// 2SFCA per `per` people in need.
    pub fca: Option<f64>,
    /// Enhanced 2SFCA per `per` people in need.
    pub e2sfca: Option<f64>,
    /// Mean supply units within the threshold.
    pub opportunities: Option<f64>,
    /// Need-weighted median minutes to the nearest, 2nd and 3rd nearest sites (None when fewer
    /// than half of the need reaches one within `nearest_limit_min`).
    pub nearest_min: [Option<f64>; 3],
    /// Share (0–1) of the need beyond the threshold of every site (or unreached).
    pub need_beyond_share: f64,
}

/// Equity of access in a group of zones (an EPCI, or the whole territory).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupEquity {
    /// Group code (`ensemble` for the territory).
    pub group: String,
    /// People in need.
    pub need: f64,
    /// 2SFCA per `per` people in need (need-weighted mean).
    pub fca: Option<f64>,
    /// Enhanced 2SFCA per `per` people in need.
    pub e2sfca: Option<f64>,
    /// Gini coefficient of the need-weighted times to the nearest site (reached need only).
    pub gini_time: Option<f64>,
    /// Share (0–1) of the need beyond the threshold (unreached included).
    pub need_beyond_share: f64,
    /// People in need with no time at all (beyond snap distance, no site).
    pub unreached_need: f64,
}

/// Everything the supply measures produce.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyOutput {
    /// What supply counts.
    pub measure: SupplyMeasure,
    /// Reporting base (people in need).
    pub per: f64,
    /// Who is in need (`population` or an indicator).
    pub need_label: String,
    /// The threshold of the 2SFCA (minutes).
    pub threshold_min: f64,
    /// The enhanced 2SFCA decay.
    pub decay: Decay,
    /// Supply of each site, and the rule that gave it.
    pub site_supply: Vec<f64>,
    /// See [`site_supply`].
    pub site_supply_source: Vec<String>,
    /// 2SFCA supply-to-demand ratio of each site, per `per` people in need.
    pub site_ratio: Vec<Option<f64>>,
    /// One per input point.
    pub points: Vec<PointSupply>,
    /// One per zone, in code order.
    pub zones: Vec<ZoneSupply>,
    /// The territory (`ensemble`) first, then each group in code order.
    pub groups: Vec<GroupEquity>,
    /// Sufficient supply per `per` people in need (the target of the capacity siting).
    pub target_per: f64,
    /// Capacity-aware siting, in order.
    pub capacity_siting: Vec<CapacityChoice>,
}

/// What [`measure`] reads.
pub struct SupplyInput<'a> {
    /// Existing sites.
    pub sites: &'a [Site],
    /// Where people live.
    pub points: &'a [PopulationPoint],
    /// Times to the nearest site (the main computation's).
    pub results: &'a [PointResult],
    /// People in need per point.
    pub need: &'a [f64],
    /// Group (EPCI) of each point, for the equity table.
    pub groups: Option<&'a [Option<String>]>,
    /// Existing sites' times to points, up to the largest of the limits.
    pub site_times: &'a SiteTimes,
    /// Candidates' times to points (capacity siting), when any.
    pub candidate_times: Option<&'a SiteTimes>,
    /// The 2SFCA threshold (minutes).
    pub threshold_min: f64,
}

/// The supply measures.
pub fn measure(input: &SupplyInput, s: &CapacitySettings) -> SupplyOutput {
    let (supply, source) = site_supply(input.sites, s);
    let threshold_s = input.threshold_min * 60.0;
    let two_step = Decay::two_step(input.threshold_min);
    let plain: Fca = fca(input.site_times, &supply, input.need, &two_step);
    let decay = Decay { steps: s.decay.clone() };
    let enhanced: Fca = fca(input.site_times, &supply, input.need, &decay);
    let points = point_supply(input, s, &supply, [&plain, &enhanced], threshold_s);
    let zones = zone_supply(input, &points, threshold_s);
    let groups = group_equity(input, &points, threshold_s);
    let (target_per, capacity_siting) = siting_towards_target(input, s, &supply, &two_step, threshold_s);
    SupplyOutput {
        measure: s.supply,
        per: s.per,
        need_label: s.need.clone(),
        threshold_min: input.threshold_min,
        decay,
        site_ratio: plain.site_ratio.iter().map(|r| r.map(|r| r * s.per)).collect(),
        site_supply: supply,
        site_supply_source: source,
        points,
        zones,
        groups,
        target_per,
        capacity_siting,
    }
}

/// Each point's access under the 2SFCA and the E2SFCA (`[plain, enhanced]`), the supply it
/// reaches within the threshold and the times to its nearest sites.
fn point_supply(
    input: &SupplyInput,
    s: &CapacitySettings,
    supply: &[f64],
    [plain, enhanced]: [&Fca; 2],
    threshold_s: f64,
) -> Vec<PointSupply> {
    let nearest = input.site_times.nearest_k::<3>();
    let limit_s = s.nearest_limit_min * 60.0;
    let mut opportunities = vec![0.0; input.points.len()];
    for (site, list) in input.site_times.lists.iter().enumerate() {
        for &(p, t) in list {
            if t <= threshold_s {
                opportunities[p as usize] += supply[site];
            }
        }
    }
    (0..input.points.len())
        .map(|p| PointSupply {
            fca: plain.point_access[p] * s.per,
            e2sfca: enhanced.point_access[p] * s.per,
            opportunities: opportunities[p],
            nearest_s: nearest[p].map(|t| t.filter(|t| *t <= limit_s)),
        })
        .collect()
}

/// The need-weighted mean of `f` over the points `idx`; `None` when they have no need.
fn need_mean(need: &[f64], idx: &[usize], f: impl Fn(usize) -> f64) -> Option<f64> {
    let total: f64 = idx.iter().map(|&p| need[p]).sum();
    (total > 0.0).then(|| idx.iter().map(|&p| f(p) * need[p]).sum::<f64>() / total)
}

/// The share (0–1) of `need` (the need of the points `idx`) farther than the threshold from
/// its nearest site, or not reached.
fn need_beyond_share(input: &SupplyInput, idx: &[usize], need: f64, threshold_s: f64) -> f64 {
    let beyond = |p: usize| input.results[p].time_s.is_none_or(|t| t > threshold_s);
    if need > 0.0 { idx.iter().filter(|&&p| beyond(p)).map(|&p| input.need[p]).fold(0.0, |a, b| a + b) / need } else { 0.0 }
}

/// The measures per zone, need-weighted, in code order.
fn zone_supply(input: &SupplyInput, points: &[PointSupply], threshold_s: f64) -> Vec<ZoneSupply> {
    let mut by_zone: BTreeMap<&ZoneCode, Vec<usize>> = BTreeMap::new();
    for (p, point) in input.points.iter().enumerate() {
        if let Some(z) = &point.zone {
            by_zone.entry(z).or_default().push(p);
        }
    }
    by_zone
        .into_iter()
        .map(|(zone, idx)| {
            let need: f64 = idx.iter().map(|&p| input.need[p]).sum();
            let nearest_min = std::array::from_fn(|k| {
                let mut v: Vec<(f64, f64)> =
                    idx.iter().map(|&p| (points[p].nearest_s[k].map_or(f64::INFINITY, |t| t / 60.0), input.need[p])).collect();
                weighted_median(&mut v).filter(|m| m.is_finite())
            });
            ZoneSupply {
                zone: zone.clone(),
                need,
                fca: need_mean(input.need, &idx, |p| points[p].fca),
                e2sfca: need_mean(input.need, &idx, |p| points[p].e2sfca),
                opportunities: need_mean(input.need, &idx, |p| points[p].opportunities),
                nearest_min,
                need_beyond_share: need_beyond_share(input, &idx, need, threshold_s),
            }
        })
        .collect()
}

/// The equity of access: the territory (`ensemble`) first, then each group in code order.
fn group_equity(input: &SupplyInput, points: &[PointSupply], threshold_s: f64) -> Vec<GroupEquity> {
    let mut members: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    members.insert("ensemble".into(), (0..input.points.len()).collect());
    if let Some(groups) = input.groups {
        for (p, g) in groups.iter().enumerate() {
            if let Some(g) = g {
                members.entry(g.clone()).or_default().push(p);
            }
        }
    }
    let equity = |group: String, idx: &[usize]| {
        let need: f64 = idx.iter().map(|&p| input.need[p]).sum();
        let (times, weights): (Vec<f64>, Vec<f64>) =
            idx.iter().filter_map(|&p| input.results[p].time_s.map(|t| (t / 60.0, input.need[p]))).unzip();
        let unreached: f64 = idx.iter().filter(|&&p| input.results[p].time_s.is_none()).map(|&p| input.need[p]).fold(0.0, |a, b| a + b);
        GroupEquity {
            group,
            need,
            fca: need_mean(input.need, idx, |p| points[p].fca),
            e2sfca: need_mean(input.need, idx, |p| points[p].e2sfca),
            gini_time: gini(&times, &weights),
            need_beyond_share: need_beyond_share(input, idx, need, threshold_s),
            unreached_need: unreached,
        }
    };
    let mut groups = Vec::with_capacity(members.len());
    if let Some(all) = members.remove("ensemble") {
        groups.push(equity("ensemble".into(), &all));
    }
    groups.extend(members.into_iter().map(|(g, idx)| equity(g, &idx)));
    groups
}

/// The target (units per `per` people in need: the setting, else the territory's current ratio)
/// and the capacity-aware siting towards it.
fn siting_towards_target(
    input: &SupplyInput,
    s: &CapacitySettings,
    supply: &[f64],
    two_step: &Decay,
    threshold_s: f64,
) -> (f64, Vec<CapacityChoice>) {
    let total_need: f64 = input.need.iter().sum();
    let total_supply: f64 = supply.iter().sum();
    let target_per = s.target_per.unwrap_or(if total_need > 0.0 { total_supply / total_need * s.per } else { 0.0 });
    let empty = SiteTimes { lists: Vec::new(), limit_s: threshold_s, n_points: input.points.len() };
    let siting = if s.added_units > 0 && target_per > 0.0 {
        capacity_greedy(
            input.site_times,
            input.candidate_times.unwrap_or(&empty),
            supply,
            input.need,
            input.need,
            two_step,
            target_per / s.per,
            s.unit(),
            s.added_units,
        )
    } else {
        Vec::new()
    };
    (target_per, siting)
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // hand-computed values, exact in binary
mod tests {
    use super::*;

    fn site(kind: &str, advisors: Option<f64>) -> Site {
        let mut s = Site::new("x", "x", kind, 5.0, 45.0);
        s.advisors = advisors;
        if advisors.is_some() {
            s.capacity_source = Some("n_aidants".into());
        }
        s
    }

    #[test]
    fn supply_comes_from_the_file_then_the_config_then_the_kind_median() {
        let sites = [site("cnfs", Some(2.0)), site("cnfs", Some(4.0)), site("cnfs", None), site("fs", None), site("other", None)];
        let s = CapacitySettings { default_advisors: [("fs".to_string(), 3.0)].into(), ..CapacitySettings::default() };
        let (v, why) = site_supply(&sites, &s);
        assert_eq!(v, [2.0, 4.0, 2.0, 3.0, 1.0]);
        assert_eq!(why[0], "file: n_aidants");
        assert_eq!(why[2], "median of the file's cnfs sites");
        assert_eq!(why[3], "config default for fs");
        assert_eq!(why[4], "one advisor assumed");
    }

    #[test]
    fn hours_fall_back_to_the_median_of_all_sites_with_hours() {
        let mut a = site("fs", None);
        a.hours_per_week = Some(30.0);
        a.capacity_source = Some("h_lundi…h_samedi".into());
        let mut b = site("cnfs", None);
        b.hours_per_week = Some(10.0);
        let sites = [a, b, site("mediation", None)];
        let s = CapacitySettings { supply: SupplyMeasure::Hours, ..CapacitySettings::default() };
        let (v, why) = site_supply(&sites, &s);
        assert_eq!(v, [30.0, 10.0, 10.0]);
        assert_eq!(why[0], "file: h_lundi…h_samedi");
        assert_eq!(why[1], "file: capacity column");
        assert_eq!(why[2], "median of the file's sites");
        assert_eq!(s.unit(), 7.0);
    }

    #[test]
    fn bad_settings_name_their_key() {
        let s = CapacitySettings { per: 0.0, decay: vec![(20.0, 1.0), (10.0, 2.0)], ..CapacitySettings::default() };
        let keys: Vec<String> = s.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(keys, ["per", "decay[1]", "decay[1]"]);
    }

    #[test]
    fn zones_and_groups_weigh_by_need() {
        let z = ZoneCode::new(fragnum_core::Level::Commune, "73065").unwrap();
        let points: Vec<PopulationPoint> =
            (0..3).map(|i| PopulationPoint { lon: 5.0 + f64::from(i) * 0.01, lat: 45.0, weight: 100.0, zone: Some(z.clone()) }).collect();
        let sites = [site("cnfs", Some(2.0))];
        // site reaches points 0 (5 min) and 1 (15 min); point 2 is 40 min away
        let times = SiteTimes { lists: vec![vec![(0, 300.0), (1, 900.0), (2, 2400.0)]], limit_s: 3600.0, n_points: 3 };
        let results: Vec<PointResult> =
            [300.0, 900.0, 2400.0].iter().map(|t| PointResult { time_s: Some(*t), site: Some(0), ..PointResult::default() }).collect();
        let need = [10.0, 30.0, 60.0];
        let input = SupplyInput {
            sites: &sites,
            points: &points,
            results: &results,
            need: &need,
            groups: Some(&[Some("e1".into()), Some("e1".into()), None]),
            site_times: &times,
            candidate_times: None,
            threshold_min: 20.0,
        };
        let out = measure(&input, &CapacitySettings::default());
        // 2 advisors for the 40 people in need within 20 minutes: 500 per 10,000
        assert!((out.points[0].fca - 500.0).abs() < 1e-9);
        assert_eq!(out.points[2].fca, 0.0);
        assert!((out.zones[0].fca.unwrap() - 200.0).abs() < 1e-9); // (10 + 30) × 500 / 100
        assert!((out.zones[0].need_beyond_share - 0.6).abs() < 1e-12);
        assert_eq!(out.groups[0].group, "ensemble");
        assert_eq!(out.groups[1].group, "e1");
        assert!((out.groups[1].fca.unwrap() - 500.0).abs() < 1e-9);
        assert_eq!(out.zones[0].nearest_min[1], None);
        assert_eq!(out.points[1].opportunities, 2.0);
    }
}
