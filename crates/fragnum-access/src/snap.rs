//! Snapping points (homes, sites, candidates) to the nearest point of the nearest road segment,
//! through the graph's R-tree of segments in projected metres ([`SegmentIndex`]).
//!
//! The leg between the point and the road is walked (at the settings' walking speed), whatever
//! the mode. A point farther than the maximum snap distance is not snapped and must be reported.

use fragnum_core::network::haversine_m;

use crate::dijkstra::Source;
use crate::graph::Graph;
use crate::spatial::{SearchHint, SegmentIndex};

/// A point's attachment to the graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// Segment index in [`Graph::segments`].
    pub segment: u32,
    /// Position along the segment, 0 at `a`, 1 at `b`.
    pub t: f64,
    /// Distance from the point to the road, metres.
    pub distance_m: f64,
    /// Seconds to walk that distance.
    pub leg_s: f64,
}

/// How far beyond `max_m` the search in projected metres reaches: the distance kept is the
/// haversine one, and the local projection's scale is off by up to about 8 % at the edges of a
/// France-wide graph, so no segment the haversine check would accept is ever out of reach. Points
/// far from every road stop searching at once instead of finding a segment to refuse.
const PROJECTED_MARGIN: f64 = 1.25;

/// Snaps points to a graph's segments (through the graph's [`SegmentIndex`]).
pub struct Snapper<'g> {
    graph: &'g Graph,
    index: &'g SegmentIndex,
}

impl<'g> Snapper<'g> {
    /// A snapper over `graph`'s segment index.
    pub fn new(graph: &'g Graph) -> Self {
        Snapper { graph, index: &graph.segment_index }
    }

    /// Snaps `[lon, lat]`; `None` when no segment lies within `max_m` metres.
    pub fn snap(&self, point: [f64; 2], max_m: f64, walk_ms: f64) -> Option<Snap> {
        self.snap_from(point, max_m, walk_ms, &mut SearchHint::default())
    }

    /// [`Snapper::snap`] for one of many points taken in map order, starting from where the
    /// point before was snapped (`hint`, updated); the snap does not depend on it.
    pub fn snap_from(&self, point: [f64; 2], max_m: f64, walk_ms: f64, hint: &mut SearchHint) -> Option<Snap> {
        let p = &self.graph.projection;
        let q = p.forward(point);
        let found = self.index.nearest_within_from(q, max_m * PROJECTED_MARGIN, hint)?;
        let distance_m = haversine_m(point, p.inverse(found.on));
        (distance_m <= max_m).then(|| Snap { segment: found.segment, t: found.t, distance_m, leg_s: distance_m / walk_ms })
    }

    /// The two ways from a snapped *origin* onto the graph: (node, seconds to reach it), the
    /// walking leg included. A closed direction gives `INFINITY`.
    pub fn exits(&self, s: &Snap) -> [(u32, f64); 2] {
        let seg = self.graph.segments[s.segment as usize];
        [(seg.a, s.leg_s + s.t * seg.ba), (seg.b, s.leg_s + (1.0 - s.t) * seg.ab)]
    }

    /// The two ways from the graph to a snapped *destination*: (node, seconds from it to the
    /// point), the walking leg included.
    pub fn entries(&self, s: &Snap) -> [(u32, f64); 2] {
        let seg = self.graph.segments[s.segment as usize];
        [(seg.a, s.leg_s + s.t * seg.ab), (seg.b, s.leg_s + (1.0 - s.t) * seg.ba)]
    }

    /// The multi-source Dijkstra's start points for snapped sites (`snaps[i]` is site `i`):
    /// each open way onto the graph with the seconds from there to the site. Unsnapped sites
    /// give none. The one place that turns site snaps into sources, so benchmarks start from
    /// exactly what [`crate::coverage::network_times`] uses.
    pub fn sources(&self, snaps: &[Option<Snap>]) -> Vec<Source> {
        let mut out = Vec::with_capacity(2 * snaps.len());
        for (i, snap) in snaps.iter().enumerate() {
            let Some(snap) = snap else { continue };
            for (node, time) in self.entries(snap) {
                if time.is_finite() {
                    out.push(Source { node, time, site: i as u32 });
                }
            }
        }
        out
    }

    /// Seconds from origin `from` to destination `to` along their common segment, when they
    /// share one and the direction is open.
    pub fn along(&self, from: &Snap, to: &Snap) -> Option<f64> {
        if from.segment != to.segment {
            return None;
        }
        let seg = self.graph.segments[from.segment as usize];
        let ride = if to.t >= from.t { (to.t - from.t) * seg.ab } else { (from.t - to.t) * seg.ba };
        ride.is_finite().then_some(from.leg_s + ride + to.leg_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{network, profile_10ms};

    #[test]
    fn snaps_to_the_segment_interior_with_a_walked_leg() {
        // 0 — 1 — 2 along the parallel, about 78.6 m apart; two-way.
        let pts = [[5.0, 45.0], [5.001, 45.0], [5.002, 45.0]];
        let net = network(&pts, &[(0, 1, 100.0, true), (1, 2, 100.0, true)]);
        let g = Graph::build(&net, &profile_10ms()).unwrap();
        let s = Snapper::new(&g);
        let snap = s.snap([5.0005, 45.0009], 500.0, 1.25).unwrap();
        assert!((snap.distance_m - 100.0).abs() < 1.0, "{}", snap.distance_m);
        assert!((snap.t - 0.5).abs() < 1e-6);
        assert!((snap.leg_s - 80.0).abs() < 1.0);
        let exits = s.exits(&snap);
        assert!((exits[0].1 - snap.leg_s - 5.0).abs() < 1e-6);
        assert!(s.snap([5.0005, 45.01], 500.0, 1.25).is_none());
    }

    #[test]
    fn one_way_segment_has_one_exit() {
        // a one-way loop 0 → 1 → 2 → 0
        let pts = [[5.0, 45.0], [5.001, 45.0], [5.0005, 45.001]];
        let net = network(&pts, &[(0, 1, 100.0, false), (1, 2, 100.0, false), (2, 0, 100.0, false)]);
        let g = Graph::build(&net, &profile_10ms()).unwrap();
        let s = Snapper::new(&g);
        let snap = s.snap([5.0005, 44.9999], 500.0, 1.0).unwrap();
        let exits = s.exits(&snap);
        assert_eq!(exits.iter().filter(|e| e.1.is_finite()).count(), 1);
    }
}
