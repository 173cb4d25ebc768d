//! Public-transport travel times: walk to a stop, ride, change, walk to the nearest site.
//!
//! Routing is round-based (RAPTOR, Delling, Pajor & Werneck, *Round-Based Public Transit Routing*,
//! 2012): round *k* finds the earliest arrivals with *k* rides by scanning each trip pattern once
//! from the stops improved in round *k − 1*. Over a departure window it runs as range-RAPTOR:
//! departures are processed latest first and labels are kept between them (a later departure's
//! arrival is reachable from an earlier one by waiting), so each run only explores what the
//! earlier start improves. As R5 does, each origin gets the median and quartiles, over the
//! window's departures, of the travel time (arrival − departure) to the *nearest* site: the
//! earliest arrival at any site.
//!
//! A journey is: one walk from the origin to a stop (an access leg), a ride, then any number of
//! (change, ride) up to `max_transfers` changes, then one walk to a site (an egress leg). A change
//! is either staying at the stop (the stop's change time from `transfers.txt`, 0 by default) or
//! one walk to another stop ([`Footpaths`]); after the last ride one such walk may also come
//! before the egress leg. Walking straight from the origin to a site counts too.
//!
//! Walks are inputs, as lists of `(stop, seconds)` ([`Legs`], [`Footpaths`]): built here from
//! straight-line distance × `walk_detour` at `walk_kmh`, they can be replaced by street-network
//! times. Stations: platforms of one station are linked by walks whatever their distance (as far
//! as straight line × detour says, never free: in the Grenoble feed a station's platforms are the
//! two sides of a street or the corners of a square, 26 m apart at the median and up to 406 m).
//!
//! [`reference`](mod@reference) is a separate, plainly correct time-dependent Dijkstra on the time-expanded
//! graph of the same timetable; tests and the benchmark check RAPTOR against it to the second.

#[path = "transit_reference.rs"]
pub mod reference;

use std::time::Instant;

use fragnum_core::geometry::LocalProjection;
use fragnum_core::network::haversine_m;
use fragnum_core::sites::{PopulationPoint, Site};
use fragnum_core::transit::{Seconds, Timetable, TransferKind, parse_time};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Deserialize;

use crate::approx::WALK_DETOUR;
use crate::error::AccessError;

/// No time: not reached, or (as a change time) no change possible.
pub const NEVER: Seconds = Seconds::MAX;

/// Settings of the transit computation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransitSettings {
    /// Walking speed (km/h).
    pub walk_kmh: f64,
    /// Walked distance / straight-line distance.
    pub walk_detour: f64,
    /// Longest straight-line walk from an origin to a stop, and from a stop to a site (m).
    pub max_walk_m: f64,
    /// Longest straight-line walk between two stops when changing (m); a station's platforms
    /// are linked whatever their distance.
    pub max_transfer_walk_m: f64,
    /// Most changes in a journey (rides − 1).
    pub max_transfers: u32,
    /// First departure of the window (`HH:MM` or `HH:MM:SS`, service-day time).
    pub departure_from: String,
    /// End of the window, excluded.
    pub departure_to: String,
    /// Time between two departures of the window (s).
    pub departure_step_s: u32,
    /// Longest journey counted (minutes); longer is "not reached".
    pub max_travel_min: f64,
}

impl Default for TransitSettings {
    fn default() -> Self {
        TransitSettings {
            walk_kmh: 4.5,
            walk_detour: WALK_DETOUR,
            max_walk_m: 1_000.0,
            max_transfer_walk_m: 500.0,
            max_transfers: 4,
            departure_from: "09:00".into(),
            departure_to: "10:00".into(),
            departure_step_s: 60,
            max_travel_min: 120.0,
        }
    }
}

impl TransitSettings {
    /// Walking speed (m/s).
    fn walk_ms(&self) -> f64 {
        self.walk_kmh / 3.6
    }

    /// Seconds to walk `metres` of straight line (rounded to the second).
    pub fn walk_s(&self, metres: f64) -> Seconds {
        (metres * self.walk_detour / self.walk_ms()).round() as Seconds
    }

    /// The longest journey counted (s).
    pub fn max_travel_s(&self) -> Seconds {
        (self.max_travel_min * 60.0).round() as Seconds
    }

    /// The departures of the window, earliest first.
    ///
    /// ```
    /// let s = fragnum_access::transit::TransitSettings::default();
    /// let d = s.departures().unwrap();
    /// assert_eq!((d.len(), d[0], d[59]), (60, 9 * 3600, 9 * 3600 + 59 * 60));
    /// ```
    // `!(x > 0.0)` is meant: unlike `x <= 0.0` it also refuses NaN.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn departures(&self) -> Result<Vec<Seconds>, AccessError> {
        let bad = |m: String| Err(AccessError::Settings(format!("transit: {m}")));
        if !(self.walk_kmh > 0.0) || !(self.walk_detour >= 1.0) || !(self.max_travel_min > 0.0) {
            return bad("walk_kmh and max_travel_min must be > 0, walk_detour ≥ 1".into());
        }
        if !(self.max_walk_m >= 0.0)
            || !(self.max_transfer_walk_m >= 0.0)
            || !self.max_walk_m.is_finite()
            || !self.max_transfer_walk_m.is_finite()
        {
            return bad("max_walk_m and max_transfer_walk_m must be finite and ≥ 0".into());
        }
        if self.max_transfers > 50 {
            return bad(format!("max_transfers = {} (at most 50)", self.max_transfers));
        }
        let Some(from) = parse_time(&self.departure_from) else {
            return bad(format!("departure_from `{}` is not HH:MM", self.departure_from));
        };
        let Some(to) = parse_time(&self.departure_to) else { return bad(format!("departure_to `{}` is not HH:MM", self.departure_to)) };
        if to <= from || self.departure_step_s == 0 {
            return bad(format!("empty window {}–{} or departure_step_s = 0", self.departure_from, self.departure_to));
        }
        Ok((from..to).step_by(self.departure_step_s as usize).collect())
    }
}

/// Walking legs between places and stops (stop indices in [`Timetable::stops`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Legs {
    /// Per origin: the stops it can walk to, with the time.
    pub access: Vec<Vec<(u32, Seconds)>>,
    /// Per site: the stops from which it can be walked to, with the time.
    pub egress: Vec<Vec<(u32, Seconds)>>,
    /// Per origin: the time to walk straight to its nearest site (no transit), if there is a site.
    pub direct: Vec<Option<Seconds>>,
}

/// Positions in a local metric projection, in an R-tree.
fn tree(projection: &LocalProjection, points: impl Iterator<Item = [f64; 2]>) -> RTree<GeomWithData<[f64; 2], usize>> {
    RTree::bulk_load(points.enumerate().map(|(i, p)| GeomWithData::new(projection.forward(p), i)).collect())
}

/// Indices and straight-line distances (m) of the points of `tree` (positions `positions`)
/// within `radius_m` of `p`.
fn within(
    tree: &RTree<GeomWithData<[f64; 2], usize>>,
    projection: &LocalProjection,
    positions: &[[f64; 2]],
    p: [f64; 2],
    radius_m: f64,
) -> Vec<(usize, f64)> {
    // The projection is exact to well under 1 % over a region; the margin keeps every candidate,
    // the great-circle distance decides.
    let r = radius_m * 1.01 + 1.0;
    let mut out: Vec<(usize, f64)> = tree
        .locate_within_distance(projection.forward(p), r * r)
        .map(|g| (g.data, haversine_m(p, positions[g.data])))
        .filter(|&(_, d)| d <= radius_m)
        .collect();
    out.sort_by_key(|&(i, _)| i);
    out
}

impl Legs {
    /// Straight-line legs: stops within `max_walk_m` of each origin and of each site, and the
    /// walk to each origin's nearest site, at `walk_kmh` × `walk_detour`.
    pub fn straight_line(timetable: &Timetable, origins: &[[f64; 2]], sites: &[[f64; 2]], settings: &TransitSettings) -> Self {
        let stops: Vec<[f64; 2]> = timetable.stops.iter().map(fragnum_core::transit::Stop::position).collect();
        let all: Vec<[f64; 2]> = stops.iter().chain(origins).chain(sites).copied().collect();
        let projection = LocalProjection::metres_around(&all);
        let stop_tree = tree(&projection, stops.iter().copied());
        let legs = |p: &[f64; 2]| -> Vec<(u32, Seconds)> {
            within(&stop_tree, &projection, &stops, *p, settings.max_walk_m)
                .into_iter()
                .map(|(s, d)| (s as u32, settings.walk_s(d)))
                .collect()
        };
        let site_tree = tree(&projection, sites.iter().copied());
        let direct =
            |p: &[f64; 2]| site_tree.nearest_neighbor(&projection.forward(*p)).map(|g| settings.walk_s(haversine_m(*p, sites[g.data])));
        Legs {
            access: origins.par_iter().map(legs).collect(),
            egress: sites.par_iter().map(legs).collect(),
            direct: origins.par_iter().map(direct).collect(),
        }
    }

    fn check(&self, stops: usize) -> Result<(), AccessError> {
        if self.access.len() != self.direct.len() {
            return Err(AccessError::Input("transit legs: access and direct lists differ in length".into()));
        }
        if self.access.iter().chain(&self.egress).flatten().any(|&(s, _)| s as usize >= stops) {
            return Err(AccessError::Input("transit legs: a stop index is out of range".into()));
        }
        Ok(())
    }
}

/// Changes between rides: walks between stops, and the time to change at a stop.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Footpaths {
    /// Per stop: the stops one may walk to after alighting there, with the time.
    pub walks: Vec<Vec<(u32, Seconds)>>,
    /// Per stop: the time needed to board again after alighting there ([`NEVER`]: no change).
    pub change_s: Vec<Seconds>,
}

impl Footpaths {
    /// Walks between stops within `max_transfer_walk_m` and between platforms of one station,
    /// at `walk_kmh` × `walk_detour`, then `transfers.txt`: a minimum time (type 2) replaces the
    /// walk (it is the time the operator says the change takes), recommended and timed
    /// transfers (0, 1) add the walk when it is beyond the distance, type 3 removes it; a row
    /// from a stop to itself sets its change time (type 3 there: no change at that stop).
    pub fn straight_line(timetable: &Timetable, settings: &TransitSettings) -> Self {
        let stops: Vec<[f64; 2]> = timetable.stops.iter().map(fragnum_core::transit::Stop::position).collect();
        let projection = LocalProjection::metres_around(&stops);
        let stop_tree = tree(&projection, stops.iter().copied());
        let mut by_station: Vec<Vec<u32>> = vec![Vec::new(); timetable.stations.len()];
        for (i, s) in timetable.stops.iter().enumerate() {
            if let Some(st) = s.station {
                by_station[st as usize].push(i as u32);
            }
        }
        let mut walks: Vec<Vec<(u32, Seconds)>> = (0..stops.len())
            .into_par_iter()
            .map(|p| {
                let mut out: Vec<(u32, Seconds)> = within(&stop_tree, &projection, &stops, stops[p], settings.max_transfer_walk_m)
                    .into_iter()
                    .filter(|&(q, _)| q != p)
                    .map(|(q, d)| (q as u32, settings.walk_s(d)))
                    .collect();
                if let Some(st) = timetable.stops[p].station {
                    for &q in &by_station[st as usize] {
                        if q as usize != p && !out.iter().any(|&(o, _)| o == q) {
                            out.push((q, settings.walk_s(haversine_m(stops[p], stops[q as usize]))));
                        }
                    }
                }
                out
            })
            .collect();
        let mut change_s = vec![0; stops.len()];
        for t in &timetable.transfers {
            let (from, to) = (t.from as usize, t.to as usize);
            if from >= stops.len() || to >= stops.len() {
                continue; // Timetable::check reports it
            }
            if from == to {
                change_s[from] = match t.kind {
                    TransferKind::Forbidden => NEVER,
                    _ => t.min_s.unwrap_or(0),
                };
                continue;
            }
            let list = &mut walks[from];
            let at = list.iter().position(|&(q, _)| q == t.to);
            let walk = settings.walk_s(haversine_m(stops[from], stops[to]));
            match (t.kind, at) {
                (TransferKind::Forbidden, Some(i)) => {
                    list.remove(i);
                }
                (TransferKind::Forbidden, None) => {}
                (kind, Some(i)) => list[i].1 = if kind == TransferKind::MinTime { t.min_s.unwrap_or(list[i].1) } else { list[i].1 },
                (kind, None) => list.push((t.to, if kind == TransferKind::MinTime { t.min_s.unwrap_or(walk) } else { walk })),
            }
        }
        for list in &mut walks {
            list.sort_unstable();
        }
        Footpaths { walks, change_s }
    }

    /// Number of walks.
    pub fn len(&self) -> usize {
        self.walks.iter().map(Vec::len).sum()
    }

    /// True when there is no walk.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check(&self, stops: usize) -> Result<(), AccessError> {
        if self.walks.len() != stops || self.change_s.len() != stops || self.walks.iter().flatten().any(|&(q, _)| q as usize >= stops) {
            return Err(AccessError::Input("transit footpaths: not one list per stop, or a stop index out of range".into()));
        }
        Ok(())
    }
}

/// Per stop, the shortest egress walk to any site ([`NEVER`] when none).
fn egress_by_stop(stops: usize, egress: &[Vec<(u32, Seconds)>]) -> Vec<Seconds> {
    let mut best = vec![NEVER; stops];
    for &(s, w) in egress.iter().flatten() {
        let b = &mut best[s as usize];
        *b = (*b).min(w);
    }
    best
}

/// The timetable prepared for RAPTOR: patterns through each stop, walks and egress by stop.
#[derive(Debug, Clone)]
pub struct Router<'a> {
    timetable: &'a Timetable,
    /// `(pattern, position)` of the stop's calls, from `stop_calls_start[p]`.
    stop_calls: Vec<(u32, u32)>,
    stop_calls_start: Vec<u32>,
    walks: Vec<(u32, Seconds)>,
    walks_start: Vec<u32>,
    change_s: Vec<Seconds>,
    egress: Vec<Seconds>,
    rounds: usize,
    max_travel_s: Seconds,
}

/// What one origin's search keeps between the departures of the window.
struct Labels {
    /// Earliest time one can board at each stop with at most k rides: `ready[k * n + p]`.
    ready: Vec<Seconds>,
    /// Earliest alighting at each stop in round k: `alighted[k * n + p]`.
    alighted: Vec<Seconds>,
    /// Stops whose `ready` improved in the round, and a flag per stop.
    marked: Vec<u32>,
    is_marked: Vec<bool>,
    /// Stops whose `alighted` improved in the round, and a flag per stop.
    improved: Vec<u32>,
    is_improved: Vec<bool>,
    /// Patterns to scan and the first position to scan each from (`u32::MAX`: not queued).
    queue: Vec<u32>,
    start: Vec<u32>,
}

impl<'a> Router<'a> {
    /// Prepares `timetable` with `footpaths` and the sites' `egress` legs.
    pub fn new(
        timetable: &'a Timetable,
        footpaths: &Footpaths,
        egress: &[Vec<(u32, Seconds)>],
        settings: &TransitSettings,
    ) -> Result<Self, AccessError> {
        settings.departures()?;
        let n = timetable.stops.len();
        timetable.check().map_err(|e| AccessError::Input(format!("timetable: {e}")))?;
        footpaths.check(n)?;
        if egress.iter().flatten().any(|&(s, _)| s as usize >= n) {
            return Err(AccessError::Input("transit legs: a stop index is out of range".into()));
        }
        let mut calls: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for (k, p) in timetable.patterns.iter().enumerate() {
            for (i, &s) in p.stops.iter().enumerate() {
                calls[s as usize].push((k as u32, i as u32));
            }
        }
        let (stop_calls_start, stop_calls) = csr(&calls);
        let (walks_start, walks) = csr(&footpaths.walks);
        Ok(Router {
            timetable,
            stop_calls,
            stop_calls_start,
            walks,
            walks_start,
            change_s: footpaths.change_s.clone(),
            egress: egress_by_stop(n, egress),
            rounds: settings.max_transfers as usize + 1,
            max_travel_s: settings.max_travel_s(),
        })
    }

    fn labels(&self) -> Labels {
        let n = self.timetable.stops.len();
        Labels {
            ready: vec![NEVER; (self.rounds + 1) * n],
            alighted: vec![NEVER; (self.rounds + 1) * n],
            marked: Vec::new(),
            is_marked: vec![false; n],
            improved: Vec::new(),
            is_improved: vec![false; n],
            queue: Vec::new(),
            start: vec![u32::MAX; self.timetable.patterns.len()],
        }
    }

    /// Earliest arrival at any site for each departure time (any order), from an origin with
    /// these `access` legs and `direct` walk; `None` when nothing arrives within
    /// `max_travel_min`.
    pub fn arrivals(&self, access: &[(u32, Seconds)], direct: Option<Seconds>, departures: &[Seconds]) -> Vec<Option<Seconds>> {
        let mut order: Vec<usize> = (0..departures.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(departures[i]));
        let mut labels = self.labels();
        let mut out = vec![None; departures.len()];
        let mut best = NEVER;
        for i in order {
            let t = departures[i];
            let limit = t.saturating_add(self.max_travel_s);
            if let Some(d) = direct {
                best = best.min(t.saturating_add(d));
            }
            best = self.run(&mut labels, access, t, best, limit.saturating_add(1));
            out[i] = (best <= limit).then_some(best);
        }
        out
    }

    /// One RAPTOR run departing at `t`, on labels kept from later departures; `best` is the
    /// earliest site arrival known, `cutoff` the first arrival not worth having. Returns the
    /// new best.
    fn run(&self, l: &mut Labels, access: &[(u32, Seconds)], t: Seconds, best: Seconds, cutoff: Seconds) -> Seconds {
        let mut goal = Goal { best, bound: best.min(cutoff) };
        for &(s, w) in access {
            let a = t.saturating_add(w);
            let s = s as usize;
            if a < l.ready[s] && a < goal.bound {
                l.ready[s] = a;
                mark(&mut l.marked, &mut l.is_marked, s);
            }
        }
        for k in 1..=self.rounds {
            self.queue_patterns(l, k);
            if l.queue.is_empty() {
                break;
            }
            let queue = std::mem::take(&mut l.queue);
            for &pattern in &queue {
                self.scan(l, k, pattern as usize, &mut goal);
            }
            l.queue = queue;
            l.queue.clear();
            self.walk_after_alighting(l, k, &mut goal);
        }
        for &p in &l.marked {
            l.is_marked[p as usize] = false;
        }
        l.marked.clear();
        for &p in &l.improved {
            l.is_improved[p as usize] = false;
        }
        l.improved.clear();
        goal.best
    }

    /// Queues the patterns through the stops marked in round `k − 1`, each from its first
    /// marked position. A label with fewer rides is valid with more: copying it into round `k`
    /// makes pruning as strong as RAPTOR's.
    fn queue_patterns(&self, l: &mut Labels, k: usize) {
        let n = self.timetable.stops.len();
        let (prev, cur) = ((k - 1) * n, k * n);
        for &p in &l.marked {
            let p = p as usize;
            l.is_marked[p] = false;
            l.ready[cur + p] = l.ready[cur + p].min(l.ready[prev + p]);
            for &(pattern, pos) in &self.stop_calls[self.stop_calls_start[p] as usize..self.stop_calls_start[p + 1] as usize] {
                let st = &mut l.start[pattern as usize];
                if *st == u32::MAX {
                    l.queue.push(pattern);
                }
                *st = (*st).min(pos);
            }
        }
        l.marked.clear();
        for &p in &l.improved {
            let p = p as usize;
            l.is_improved[p] = false;
            l.alighted[cur + p] = l.alighted[cur + p].min(l.alighted[prev + p]);
        }
        l.improved.clear();
    }

    /// Round `k` along one pattern: ride the earliest catchable trip, alight where it improves.
    // The paper's notation: k the round, p and q stops, a an arrival, r a ready time.
    #[allow(clippy::many_single_char_names)]
    fn scan(&self, l: &mut Labels, k: usize, index: usize, goal: &mut Goal) {
        let n = self.timetable.stops.len();
        let (prev, cur) = ((k - 1) * n, k * n);
        let first = std::mem::replace(&mut l.start[index], u32::MAX) as usize;
        let pattern = &self.timetable.patterns[index];
        let len = pattern.stops.len();
        let mut trip: Option<usize> = None;
        for i in first..len {
            let p = pattern.stops[i] as usize;
            if let Some(tr) = trip
                && pattern.drop_off[i]
            {
                let a = pattern.arrivals[tr * len + i];
                if a < l.alighted[cur + p] && a < goal.bound {
                    l.alighted[cur + p] = a;
                    mark(&mut l.improved, &mut l.is_improved, p);
                    goal.reach(a, self.egress[p]);
                    let r = a.saturating_add(self.change_s[p]);
                    if r < l.ready[cur + p] && r < goal.bound {
                        l.ready[cur + p] = r;
                        mark(&mut l.marked, &mut l.is_marked, p);
                    }
                }
            }
            if pattern.pickup[i] && i + 1 < len {
                let r = l.ready[prev + p];
                if r != NEVER && trip.is_none_or(|tr| r <= pattern.departures[tr * len + i]) {
                    // Trips of a pattern never overtake: departures at a stop are sorted.
                    let until = trip.unwrap_or(pattern.trips.len());
                    let j = partition(until, |j| pattern.departures[j * len + i] < r);
                    if j < until {
                        trip = Some(j);
                    }
                }
            }
        }
    }

    /// Walks after alighting in round `k`: to board elsewhere next round, or to reach a site.
    // The paper's notation: k the round, p and q stops, a an arrival, r a ready time.
    #[allow(clippy::many_single_char_names)]
    fn walk_after_alighting(&self, l: &mut Labels, k: usize, goal: &mut Goal) {
        let cur = k * self.timetable.stops.len();
        for idx in 0..l.improved.len() {
            let p = l.improved[idx] as usize;
            let a = l.alighted[cur + p];
            for &(q, w) in &self.walks[self.walks_start[p] as usize..self.walks_start[p + 1] as usize] {
                let f = a.saturating_add(w);
                if f >= goal.bound {
                    continue;
                }
                let q = q as usize;
                goal.reach(f, self.egress[q]);
                if f < l.ready[cur + q] && f < goal.bound {
                    l.ready[cur + q] = f;
                    mark(&mut l.marked, &mut l.is_marked, q);
                }
            }
        }
    }
}

/// The earliest site arrival of the run so far, and the first time not worth reaching anything.
struct Goal {
    best: Seconds,
    bound: Seconds,
}

impl Goal {
    /// At a stop at `t`, `egress` seconds from the nearest site.
    fn reach(&mut self, t: Seconds, egress: Seconds) {
        if egress != NEVER {
            self.best = self.best.min(t.saturating_add(egress));
            self.bound = self.bound.min(self.best);
        }
    }
}

fn mark(list: &mut Vec<u32>, flags: &mut [bool], p: usize) {
    if !flags[p] {
        flags[p] = true;
        list.push(p as u32);
    }
}

/// The first index in `0..len` where `below` is false (`below` true then false along the range).
fn partition(len: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Lists as one array and where each starts (then the end).
fn csr<T: Copy>(lists: &[Vec<T>]) -> (Vec<u32>, Vec<T>) {
    let mut start = Vec::with_capacity(lists.len() + 1);
    let mut flat = Vec::with_capacity(lists.iter().map(Vec::len).sum());
    start.push(0);
    for l in lists {
        flat.extend_from_slice(l);
        start.push(flat.len() as u32);
    }
    (start, flat)
}

/// The travel times of one origin over the window.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TransitPoint {
    /// Median over the window's departures of the time to the nearest site (s); `None` when
    /// more than half the departures reach no site within `max_travel_min`.
    pub median_s: Option<f64>,
    /// 25th percentile (s).
    pub p25_s: Option<f64>,
    /// 75th percentile (s).
    pub p75_s: Option<f64>,
    /// Time to walk straight to the nearest site (s), whatever the distance.
    pub walk_only_s: Option<f64>,
    /// Stops within walking distance of the origin.
    pub access_stops: usize,
}

/// Milliseconds spent in each step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TransitTimings {
    /// Access and egress legs, footpaths.
    pub walks_ms: f64,
    /// Router preparation and range-RAPTOR over every origin and departure.
    pub routing_ms: f64,
}

/// What [`transit_times`] returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransitResult {
    /// One per origin, in input order.
    pub points: Vec<TransitPoint>,
    /// The window's departures (service-day seconds), earliest first.
    pub departures: Vec<Seconds>,
    /// Walks between stops used for changes.
    pub footpaths: usize,
    /// Time spent.
    pub timings: TransitTimings,
}

/// The `q`-quantile (0–1) of sorted values, interpolated between the closest ranks (as numpy's
/// default); `None` when it involves an unreached departure (`NEVER`).
pub fn quantile(sorted: &[Seconds], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    if sorted[hi] == NEVER {
        return None;
    }
    Some(f64::from(sorted[lo]) + (h - lo as f64) * (f64::from(sorted[hi]) - f64::from(sorted[lo])))
}

/// Travel times by transit from each point to its nearest site over the departure window, with
/// straight-line walks.
///
/// ```
/// use fragnum_core::sites::{PopulationPoint, Site};
/// use fragnum_core::transit::{Date, FeedInfo, Timetable};
/// use fragnum_access::transit::{transit_times, TransitSettings};
/// let tt = Timetable { date: Date::new(2023, 4, 18).unwrap(), feed: FeedInfo::default(), stops: vec![], stations: vec![],
///                      routes: vec![], patterns: vec![], transfers: vec![] };
/// let people = [PopulationPoint { lon: 5.0, lat: 45.0, weight: 10.0, zone: None }];
/// let sites = [Site::new("s", "Mairie", "france_services", 5.0, 45.009)];
/// let s = TransitSettings { walk_detour: 1.3, ..TransitSettings::default() };
/// let r = transit_times(&tt, &people, &sites, &s).unwrap();
/// // no transit: walked, 1 km × 1.3 at 4.5 km/h ≈ 1040 s
/// let p = r.points[0];
/// assert_eq!(p.median_s, p.walk_only_s);
/// assert!((p.median_s.unwrap() - 1040.0).abs() < 2.0);
/// ```
pub fn transit_times(
    timetable: &Timetable,
    points: &[PopulationPoint],
    sites: &[Site],
    settings: &TransitSettings,
) -> Result<TransitResult, AccessError> {
    settings.departures()?;
    if let Some(i) = points.iter().position(|p| !p.lon.is_finite() || !p.lat.is_finite()) {
        return Err(AccessError::Input(format!("transit: population point {i} has a non-finite position")));
    }
    if let Some(s) = sites.iter().find(|s| !s.lon.is_finite() || !s.lat.is_finite()) {
        return Err(AccessError::Input(format!("transit: site {} has a non-finite position", s.id)));
    }
    let t = Instant::now();
    let origins: Vec<[f64; 2]> = points.iter().map(PopulationPoint::position).collect();
    let places: Vec<[f64; 2]> = sites.iter().map(Site::position).collect();
    let legs = Legs::straight_line(timetable, &origins, &places, settings);
    let footpaths = Footpaths::straight_line(timetable, settings);
    let walks_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut result = transit_times_with(timetable, &footpaths, &legs, settings)?;
    result.timings.walks_ms = walks_ms;
    Ok(result)
}

/// [`transit_times`] with walks given (street-network times, or any other).
pub fn transit_times_with(
    timetable: &Timetable,
    footpaths: &Footpaths,
    legs: &Legs,
    settings: &TransitSettings,
) -> Result<TransitResult, AccessError> {
    let departures = settings.departures()?;
    legs.check(timetable.stops.len())?;
    let t = Instant::now();
    let router = Router::new(timetable, footpaths, &legs.egress, settings)?;
    let points = legs
        .access
        .par_iter()
        .zip(&legs.direct)
        .map(|(access, &direct)| {
            let mut times: Vec<Seconds> = router
                .arrivals(access, direct, &departures)
                .iter()
                .zip(&departures)
                .map(|(a, d)| a.map_or(NEVER, |a| a.saturating_sub(*d)))
                .collect();
            times.sort_unstable();
            TransitPoint {
                median_s: quantile(&times, 0.5),
                p25_s: quantile(&times, 0.25),
                p75_s: quantile(&times, 0.75),
                walk_only_s: direct.map(f64::from),
                access_stops: access.len(),
            }
        })
        .collect();
    Ok(TransitResult {
        points,
        departures,
        footpaths: footpaths.len(),
        timings: TransitTimings { walks_ms: 0.0, routing_ms: t.elapsed().as_secs_f64() * 1e3 },
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use fragnum_core::rng::Rng;
    use fragnum_core::transit::{Date, FeedInfo, Pattern, Route, Station, Stop, Transfer, Trip};

    const H: Seconds = 3600;

    fn stop(id: &str, lon: f64, lat: f64, station: Option<u32>) -> Stop {
        Stop { id: id.into(), name: id.into(), lon, lat, station }
    }

    /// A pattern over `stops` with trips given by their departure at the first stop and a fixed
    /// time between stops (`hop` s) and dwell (`dwell` s).
    fn pattern(route: u32, stops: &[u32], starts: &[Seconds], hop: Seconds, dwell: Seconds) -> Pattern {
        let n = stops.len();
        let mut p = Pattern {
            route,
            stops: stops.to_vec(),
            pickup: vec![true; n],
            drop_off: vec![true; n],
            trips: Vec::new(),
            arrivals: Vec::new(),
            departures: Vec::new(),
        };
        for (k, &s) in starts.iter().enumerate() {
            p.trips.push(Trip { id: format!("{route}-{k}"), service_id: "S".into() });
            for i in 0..n as Seconds {
                let a = s + i * (hop + dwell);
                p.arrivals.push(a);
                p.departures.push(if i == 0 { a } else { a + dwell });
            }
        }
        p
    }

    pub(crate) fn timetable(stops: Vec<Stop>, patterns: Vec<Pattern>, transfers: Vec<Transfer>) -> Timetable {
        let routes = (0..patterns.iter().map(|p| p.route + 1).max().unwrap_or(0))
            .map(|r| Route { id: r.to_string(), short_name: r.to_string(), long_name: String::new(), route_type: 3 })
            .collect();
        let stations = (0..stops.iter().filter_map(|s| s.station).map(|s| s + 1).max().unwrap_or(0))
            .map(|s| Station { id: format!("ST{s}"), name: String::new(), lon: 0.0, lat: 0.0 })
            .collect();
        Timetable { date: Date::new(2023, 4, 18).unwrap(), feed: FeedInfo::default(), stops, stations, routes, patterns, transfers }
    }

    /// Access, egress and footpaths given by hand (no geometry).
    fn legs(access: Vec<(u32, Seconds)>, egress: Vec<(u32, Seconds)>, direct: Option<Seconds>) -> Legs {
        Legs { access: vec![access], egress: vec![egress], direct: vec![direct] }
    }

    fn no_walks(n: usize) -> Footpaths {
        Footpaths { walks: vec![Vec::new(); n], change_s: vec![0; n] }
    }

    fn both(tt: &Timetable, fp: &Footpaths, l: &Legs, s: &TransitSettings, departures: &[Seconds]) -> Vec<Option<Seconds>> {
        let router = Router::new(tt, fp, &l.egress, s).unwrap();
        let reference = reference::Reference::new(tt, fp, &l.egress, s.max_transfers as usize + 1);
        let fast = router.arrivals(&l.access[0], l.direct[0], departures);
        let slow: Vec<Option<Seconds>> =
            departures.iter().map(|&t| reference.earliest_arrival(&l.access[0], l.direct[0], t, s.max_travel_s())).collect();
        assert_eq!(fast, slow, "RAPTOR against the reference");
        fast
    }

    #[test]
    fn a_transfer_within_the_change_limit() {
        // line 0: S0 → S1 (10 min); line 1: S2 → S3; walk S1 → S2 in 2 min; site at S3.
        let stops = (0..4).map(|i| stop(&format!("S{i}"), 5.0, 45.0, None)).collect();
        let l0 = pattern(0, &[0, 1], &[8 * H, 8 * H + 1800], 600, 0);
        let l1 = pattern(1, &[2, 3], &[8 * H + 660, 8 * H + 780, 8 * H + 2400], 300, 0);
        let tt = timetable(stops, vec![l0, l1], vec![]);
        let mut fp = no_walks(4);
        fp.walks[1].push((2, 120));
        let l = legs(vec![(0, 60)], vec![(3, 30)], None);
        let s = TransitSettings::default();
        // leave 07:59 → walk 1 min → 08:00 ride → 08:10 → walk 2 min → 08:12 → miss 08:11, take 08:13 → 08:18 → +30 s
        let got = both(&tt, &fp, &l, &s, &[8 * H - 60]);
        assert_eq!(got, [Some(8 * H + 18 * 60 + 30)]);
        // without changes allowed, unreachable
        let s0 = TransitSettings { max_transfers: 0, ..s.clone() };
        assert_eq!(both(&tt, &fp, &l, &s0, &[8 * H - 60]), [None]);
        // a forbidden change at S1 does not stop walking away from it
        let mut fp2 = fp.clone();
        fp2.change_s[1] = NEVER;
        assert_eq!(both(&tt, &fp2, &l, &s, &[8 * H - 60]), [Some(8 * H + 18 * 60 + 30)]);
    }

    #[test]
    fn an_overnight_trip_past_midnight() {
        let stops = (0..2).map(|i| stop(&format!("S{i}"), 5.0, 45.0, None)).collect();
        let night = pattern(0, &[0, 1], &[23 * H + 50 * 60], 40 * 60, 0); // 23:50 → 24:30
        let tt = timetable(stops, vec![night], vec![]);
        let l = legs(vec![(0, 0)], vec![(1, 0)], None);
        let s = TransitSettings { departure_from: "23:40".into(), departure_to: "23:51".into(), ..TransitSettings::default() };
        let deps = s.departures().unwrap();
        let got = both(&tt, &no_walks(2), &l, &s, &deps);
        assert!(got.iter().all(|&a| a == Some(24 * H + 30 * 60)), "{got:?}");
        let r = transit_times_with(&tt, &no_walks(2), &l, &s).unwrap();
        // waits from 23:40 … 23:50 then 40 min: median 45 min
        assert_eq!(r.points[0].median_s, Some(45.0 * 60.0));
    }

    #[test]
    fn quantiles_and_unreached_departures() {
        assert_eq!(quantile(&[10, 20, 30, 40], 0.5), Some(25.0));
        assert_eq!(quantile(&[10, 20, 30, NEVER], 0.5), Some(25.0));
        assert_eq!(quantile(&[10, 20, NEVER, NEVER], 0.5), None);
        assert_eq!(quantile(&[10, 20, NEVER, NEVER], 0.25), Some(17.5));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn walking_straight_counts_and_legs_from_positions() {
        // one stop 500 m north, one 700 m further north, a site next to the second
        let stops = vec![stop("A", 5.0, 45.0045, None), stop("B", 5.0, 45.0108, None)];
        let p = pattern(0, &[0, 1], &[9 * H + 600], 120, 0);
        let tt = timetable(stops, vec![p], vec![]);
        let s = TransitSettings {
            departure_from: "09:00".into(),
            departure_to: "09:01".into(),
            walk_detour: 1.3,
            ..TransitSettings::default()
        };
        let people = [PopulationPoint { lon: 5.0, lat: 45.0, weight: 1.0, zone: None }];
        let sites = [Site::new("s", "", "k", 5.0, 45.0109)];
        let r = transit_times(&tt, &people, &sites, &s).unwrap();
        let pt = r.points[0];
        assert_eq!(pt.access_stops, 1);
        // walk ≈ 1212 m × 1.3 / 1.25 m/s ≈ 1261 s; transit: walk 520 s and wait to 09:10, 2 min ride, 11 m walk
        assert!((pt.walk_only_s.unwrap() - 1261.0).abs() < 3.0, "{pt:?}");
        assert!((pt.median_s.unwrap() - 731.0).abs() < 2.0, "{pt:?}");
        // too far to walk to any stop: the direct walk is the answer
        let far = TransitSettings { max_walk_m: 100.0, ..s };
        let r = transit_times(&tt, &people, &sites, &far).unwrap();
        assert_eq!(r.points[0].median_s, r.points[0].walk_only_s);
    }

    #[test]
    fn station_platforms_are_linked_and_transfers_apply() {
        // two platforms of one station 800 m apart, beyond max_transfer_walk_m
        let stops = vec![stop("P1", 5.0, 45.0, Some(0)), stop("P2", 5.0, 45.0072, Some(0)), stop("Q", 5.0, 45.05, None)];
        let forbidden = Transfer { from: 0, to: 2, kind: TransferKind::Forbidden, min_s: None };
        let timed = Transfer { from: 2, to: 0, kind: TransferKind::MinTime, min_s: Some(42) };
        let same = Transfer { from: 2, to: 2, kind: TransferKind::MinTime, min_s: Some(90) };
        let tt = timetable(stops, vec![], vec![forbidden, timed, same]);
        let fp = Footpaths::straight_line(&tt, &TransitSettings { walk_detour: 1.3, ..TransitSettings::default() });
        assert_eq!(fp.walks[0].len(), 1);
        assert_eq!(fp.walks[0][0].0, 1);
        assert!((f64::from(fp.walks[0][0].1) - 800.0 * 1.3 / 1.25).abs() < 3.0);
        assert_eq!(fp.walks[2], [(0, 42)]);
        assert_eq!(fp.change_s, [0, 0, 90]);
    }

    #[test]
    fn settings_are_checked_and_unknown_keys_refused() {
        let bad = TransitSettings { departure_from: "10:00".into(), ..TransitSettings::default() };
        assert!(bad.departures().is_err());
        let bad = TransitSettings { walk_detour: 0.5, ..TransitSettings::default() };
        assert!(bad.departures().is_err());
        let parsed: Result<TransitSettings, _> = toml::from_str("max_walk_m = 800\nmax_walkk = 3\n");
        assert!(parsed.is_err());
        let parsed: TransitSettings = toml::from_str("max_walk_m = 800\ndeparture_from = \"08:00\"").unwrap();
        assert_eq!(parsed.departures().unwrap().len(), 120);
    }

    /// A random network: stops on a line, patterns over random stop subsets with random trips,
    /// random walks, pickup / drop-off restrictions and change times.
    fn random_case(rng: &mut Rng) -> (Timetable, Footpaths, Legs) {
        let n = 12 + (rng.next_u64() % 20) as usize;
        let stops: Vec<Stop> = (0..n).map(|i| stop(&format!("S{i}"), 5.0, 45.0 + i as f64 * 1e-3, None)).collect();
        let mut patterns = Vec::new();
        for route in 0..(3 + rng.next_u64() % 6) as u32 {
            let len = 2 + (rng.next_u64() % 6) as usize;
            let mut seq: Vec<u32> = Vec::new();
            while seq.len() < len {
                let s = (rng.next_u64() % n as u64) as u32;
                if seq.last() != Some(&s) {
                    seq.push(s);
                }
            }
            let trips = 1 + rng.next_u64() % 8;
            let mut starts: Vec<Seconds> = (0..trips).map(|_| 8 * H + (rng.next_u64() % 5400) as Seconds).collect();
            starts.sort_unstable();
            let hop = 60 + (rng.next_u64() % 400) as Seconds;
            let dwell = (rng.next_u64() % 3) as Seconds * 30;
            let mut p = pattern(route, &seq, &starts, hop, dwell);
            for i in 0..len {
                p.pickup[i] = rng.unit() > 1.0 / 7.0;
                p.drop_off[i] = rng.unit() > 1.0 / 7.0;
            }
            patterns.push(p);
        }
        let mut fp = no_walks(n);
        for _ in 0..n {
            let (a, b) = ((rng.next_u64() % n as u64) as u32, (rng.next_u64() % n as u64) as u32);
            if a != b && !fp.walks[a as usize].iter().any(|&(q, _)| q == b) {
                fp.walks[a as usize].push((b, 30 + (rng.next_u64() % 600) as Seconds));
            }
        }
        for c in &mut fp.change_s {
            *c = match rng.next_u64() % 6 {
                0 => 120,
                1 => NEVER,
                _ => 0,
            };
        }
        let pick = |rng: &mut Rng, k: usize| -> Vec<(u32, Seconds)> {
            let mut v: Vec<(u32, Seconds)> =
                (0..k).map(|_| ((rng.next_u64() % n as u64) as u32, (rng.next_u64() % 900) as Seconds)).collect();
            v.sort_unstable();
            v.dedup_by_key(|x| x.0);
            v
        };
        let access = (0..4).map(|_| pick(rng, 3)).collect();
        let egress = (0..3).map(|_| pick(rng, 2)).collect();
        let direct = (0..4).map(|_| (rng.unit() < 1.0 / 3.0).then(|| 1800 + (rng.next_u64() % 5400) as Seconds)).collect();
        (timetable(stops, patterns, vec![]), fp, Legs { access, egress, direct })
    }

    #[test]
    fn raptor_equals_the_reference_on_random_networks() {
        let mut rng = Rng::new(14, 0);
        let mut reached = 0;
        for case in 0..150 {
            let (tt, fp, legs) = random_case(&mut rng);
            tt.check().unwrap();
            for max_transfers in [0, 1, 4] {
                let s = TransitSettings {
                    max_transfers,
                    max_travel_min: 90.0,
                    departure_from: "07:50".into(),
                    departure_to: "09:20".into(),
                    departure_step_s: 180,
                    ..TransitSettings::default()
                };
                let deps = s.departures().unwrap();
                let router = Router::new(&tt, &fp, &legs.egress, &s).unwrap();
                let reference = reference::Reference::new(&tt, &fp, &legs.egress, max_transfers as usize + 1);
                for o in 0..legs.access.len() {
                    let fast = router.arrivals(&legs.access[o], legs.direct[o], &deps);
                    for (d, f) in deps.iter().zip(&fast) {
                        let slow = reference.earliest_arrival(&legs.access[o], legs.direct[o], *d, s.max_travel_s());
                        assert_eq!(*f, slow, "case {case}, {max_transfers} transfers, origin {o}, departure {d}");
                        reached += usize::from(slow.is_some());
                    }
                }
            }
        }
        assert!(reached > 1000, "too few journeys to compare: {reached}");
    }
}
