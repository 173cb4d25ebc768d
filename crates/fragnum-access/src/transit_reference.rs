//! The reference for [`super::Router`]: earliest arrival by Dijkstra on the time-expanded graph.
//!
//! Written apart from RAPTOR and as plainly as possible, for tests and the benchmark, not for
//! speed. It relies neither on patterns being free of overtaking nor on rounds: every stop event
//! is a node. Per number of rides so far (a layer), the nodes are
//! - `Ready(p)`: able to board at stop `p`;
//! - `Wait(e)`: waiting at stop `p` for its departure event `e` (departures of each stop sorted
//!   by time and chained: waiting for the next one is an edge);
//! - `Ride(trip, i)`: on board, arriving at the trip's `i`-th stop;
//! - `Alighted(p)`, `Walked(p)` (after the walk that follows alighting);
//! - `Site`: at a site, any of them.
//!
//! Edges: origin → `Ready` (access legs); `Ready(p)` at `t` → the first `Wait` of `p` at or after
//! `t`; `Wait(e)` → next `Wait` of the stop, and → `Ride(trip, i + 1)` one layer up (boarding;
//! where pickup is allowed); `Ride` → next `Ride`, and → `Alighted` where drop-off is allowed;
//! `Alighted(p)` → `Ready(p)` after the change time, → `Walked(q)` (footpaths), → `Site` (egress);
//! `Walked(q)` → `Ready(q)`, → `Site`. Every edge is a non-decreasing function of the time, so
//! Dijkstra by time is exact; the first `Site` settled is the answer. Walking straight to a site
//! is compared at the end.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use fragnum_core::transit::{Seconds, Timetable};

use super::{Footpaths, NEVER};

/// The time-expanded graph of a timetable with its walks.
#[derive(Debug, Clone)]
pub struct Reference<'a> {
    timetable: &'a Timetable,
    /// Departure events of each stop, by time: `(time, pattern, trip, position)`, from `wait_start[p]`.
    waits: Vec<(Seconds, u32, u32, u32)>,
    wait_start: Vec<usize>,
    /// First `Ride` node offset of each pattern.
    ride_base: Vec<usize>,
    rides_total: usize,
    walks: Vec<Vec<(u32, Seconds)>>,
    change_s: Vec<Seconds>,
    /// Per stop: `(site, seconds)` egress legs.
    to_sites: Vec<Vec<(u32, Seconds)>>,
    /// Most rides in a journey.
    max_rides: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Ready(usize),
    Alighted(usize),
    Walked(usize),
    Wait(usize),
    Ride(usize),
    Site,
}

impl<'a> Reference<'a> {
    /// The graph of `timetable` with `footpaths` and the sites' `egress` legs, for journeys of at
    /// most `max_rides` rides.
    pub fn new(timetable: &'a Timetable, footpaths: &Footpaths, egress: &[Vec<(u32, Seconds)>], max_rides: usize) -> Self {
        let n = timetable.stops.len();
        let mut per_stop: Vec<Vec<(Seconds, u32, u32, u32)>> = vec![Vec::new(); n];
        let mut ride_base = Vec::with_capacity(timetable.patterns.len());
        let mut rides_total = 0;
        for (k, p) in timetable.patterns.iter().enumerate() {
            ride_base.push(rides_total);
            rides_total += p.trips.len() * p.stops.len();
            for trip in 0..p.trips.len() {
                // boarding at the last stop leads nowhere
                for i in 0..p.stops.len().saturating_sub(1) {
                    if p.pickup[i] {
                        per_stop[p.stops[i] as usize].push((p.departure(trip, i), k as u32, trip as u32, i as u32));
                    }
                }
            }
        }
        let mut waits = Vec::new();
        let mut wait_start = vec![0];
        for mut list in per_stop {
            list.sort_unstable();
            waits.extend(list);
            wait_start.push(waits.len());
        }
        let mut to_sites: Vec<Vec<(u32, Seconds)>> = vec![Vec::new(); n];
        for (j, legs) in egress.iter().enumerate() {
            for &(s, w) in legs {
                if let Some(list) = to_sites.get_mut(s as usize) {
                    list.push((j as u32, w));
                }
            }
        }
        Reference {
            timetable,
            waits,
            wait_start,
            ride_base,
            rides_total,
            walks: footpaths.walks.clone(),
            change_s: footpaths.change_s.clone(),
            to_sites,
            max_rides,
        }
    }

    fn layer_size(&self) -> usize {
        3 * self.timetable.stops.len() + self.waits.len() + self.rides_total + 1
    }

    fn id(&self, layer: usize, node: Node) -> usize {
        let n = self.timetable.stops.len();
        let offset = match node {
            Node::Ready(p) => p,
            Node::Alighted(p) => n + p,
            Node::Walked(p) => 2 * n + p,
            Node::Wait(e) => 3 * n + e,
            Node::Ride(r) => 3 * n + self.waits.len() + r,
            Node::Site => 3 * n + self.waits.len() + self.rides_total,
        };
        layer * self.layer_size() + offset
    }

    fn node(&self, id: usize) -> (usize, Node) {
        let n = self.timetable.stops.len();
        let size = self.layer_size();
        let (layer, o) = (id / size, id % size);
        let node = if o < n {
            Node::Ready(o)
        } else if o < 2 * n {
            Node::Alighted(o - n)
        } else if o < 3 * n {
            Node::Walked(o - 2 * n)
        } else if o < 3 * n + self.waits.len() {
            Node::Wait(o - 3 * n)
        } else if o < 3 * n + self.waits.len() + self.rides_total {
            Node::Ride(o - 3 * n - self.waits.len())
        } else {
            Node::Site
        };
        (layer, node)
    }

    /// `(pattern, trip, position)` of a `Ride` node.
    fn ride(&self, r: usize) -> (usize, usize, usize) {
        let k = self.ride_base.partition_point(|&b| b <= r) - 1;
        let len = self.timetable.patterns[k].stops.len();
        let o = r - self.ride_base[k];
        (k, o / len, o % len)
    }

    /// Earliest arrival at any site leaving at `departure` with these `access` legs, or walking
    /// `direct`; `None` when it is later than `departure + max_travel_s`.
    // Graph notation: t a time, p and q stops, e an event, r a ride node, w a walk.
    #[allow(clippy::many_single_char_names)]
    pub fn earliest_arrival(
        &self,
        access: &[(u32, Seconds)],
        direct: Option<Seconds>,
        departure: Seconds,
        max_travel_s: Seconds,
    ) -> Option<Seconds> {
        let walked = direct.map_or(NEVER, |d| departure.saturating_add(d));
        let horizon = departure.saturating_add(max_travel_s).min(walked);
        let mut dist: HashMap<usize, Seconds> = HashMap::new();
        let mut heap = BinaryHeap::new();
        let push = |dist: &mut HashMap<usize, Seconds>, heap: &mut BinaryHeap<Reverse<(Seconds, usize)>>, id: usize, t: Seconds| {
            if t <= horizon && dist.get(&id).is_none_or(|&d| t < d) {
                dist.insert(id, t);
                heap.push(Reverse((t, id)));
            }
        };
        for &(s, w) in access {
            push(&mut dist, &mut heap, self.id(0, Node::Ready(s as usize)), departure.saturating_add(w));
        }
        let mut found = NEVER;
        while let Some(Reverse((t, id))) = heap.pop() {
            if dist.get(&id).is_some_and(|&d| d < t) {
                continue;
            }
            let (layer, node) = self.node(id);
            match node {
                Node::Site => {
                    found = t;
                    break;
                }
                Node::Ready(p) => {
                    let events = &self.waits[self.wait_start[p]..self.wait_start[p + 1]];
                    let first = events.partition_point(|e| e.0 < t);
                    if first < events.len() {
                        push(&mut dist, &mut heap, self.id(layer, Node::Wait(self.wait_start[p] + first)), events[first].0);
                    }
                }
                Node::Wait(e) => {
                    let (time, k, trip, i) = self.waits[e];
                    debug_assert!(time >= t);
                    let stop = self.timetable.patterns[k as usize].stops[i as usize] as usize;
                    if e + 1 < self.wait_start[stop + 1] {
                        push(&mut dist, &mut heap, self.id(layer, Node::Wait(e + 1)), self.waits[e + 1].0);
                    }
                    if layer < self.max_rides {
                        let p = &self.timetable.patterns[k as usize];
                        let (trip, next) = (trip as usize, i as usize + 1);
                        let r = self.ride_base[k as usize] + trip * p.stops.len() + next;
                        push(&mut dist, &mut heap, self.id(layer + 1, Node::Ride(r)), p.arrival(trip, next));
                    }
                }
                Node::Ride(r) => {
                    let (k, trip, i) = self.ride(r);
                    let p = &self.timetable.patterns[k];
                    if i + 1 < p.stops.len() {
                        push(&mut dist, &mut heap, self.id(layer, Node::Ride(r + 1)), p.arrival(trip, i + 1));
                    }
                    if p.drop_off[i] {
                        push(&mut dist, &mut heap, self.id(layer, Node::Alighted(p.stops[i] as usize)), t);
                    }
                }
                Node::Alighted(p) => {
                    if self.change_s[p] != NEVER {
                        push(&mut dist, &mut heap, self.id(layer, Node::Ready(p)), t.saturating_add(self.change_s[p]));
                    }
                    for &(q, w) in &self.walks[p] {
                        push(&mut dist, &mut heap, self.id(layer, Node::Walked(q as usize)), t.saturating_add(w));
                    }
                    for &(_, w) in &self.to_sites[p] {
                        push(&mut dist, &mut heap, self.id(layer, Node::Site), t.saturating_add(w));
                    }
                }
                Node::Walked(q) => {
                    push(&mut dist, &mut heap, self.id(layer, Node::Ready(q)), t);
                    for &(_, w) in &self.to_sites[q] {
                        push(&mut dist, &mut heap, self.id(layer, Node::Site), t.saturating_add(w));
                    }
                }
            }
        }
        let best = found.min(walked);
        (best <= departure.saturating_add(max_travel_s)).then_some(best)
    }
}
