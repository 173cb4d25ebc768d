//! Shortest travel times: one multi-source Dijkstra on the reversed graph gives every node its
//! time *to* the nearest site and which site that is.
//!
//! Ties: when two sites are equally near, the one with the lower index wins, whatever the order of
//! exploration, so results are deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::csr::Csr;

/// A starting point: a node, the time already spent (the last piece of road and the walk from
/// the road to the door), and the site it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    /// Graph node.
    pub node: u32,
    /// Seconds from this node to the site.
    pub time: f64,
    /// Site index.
    pub site: u32,
}

/// Times and nearest sites of every node; `f64::INFINITY` and `u32::MAX` when unreached.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestSites {
    /// Seconds from each node to its nearest site.
    pub time: Vec<f64>,
    /// Index of the nearest site of each node.
    pub site: Vec<u32>,
}

/// Orders non-negative floats through their bit patterns (monotonic for values ≥ 0).
#[inline]
fn key(t: f64) -> u64 {
    // `+ 0.0` turns -0.0 (a valid start offset) into +0.0, whose bits order first.
    (t + 0.0).to_bits()
}

/// Multi-source Dijkstra over `graph` (pass the *reverse* graph to get times to the sites),
/// stopping at `limit` seconds (`f64::INFINITY` for none).
///
/// ```
/// use fragnum_access::csr::Csr;
/// use fragnum_access::dijkstra::{nearest_sites, Source};
/// // path 0 - 1 - 2, 10 s per edge, both ways; sites at nodes 0 and 2
/// let g = Csr::from_edges(3, &[(0, 1, 10.0), (1, 0, 10.0), (1, 2, 10.0), (2, 1, 10.0)]);
/// let r = nearest_sites(&g, &[Source { node: 2, time: 0.0, site: 1 }, Source { node: 0, time: 0.0, site: 0 }], f64::INFINITY);
/// assert_eq!(r.time, vec![0.0, 10.0, 0.0]);
/// assert_eq!(r.site, vec![0, 0, 1]); // node 1: tie, lower site index wins
/// ```
pub fn nearest_sites(graph: &Csr, sources: &[Source], limit: f64) -> NearestSites {
    let len = graph.len();
    let mut time = vec![f64::INFINITY; len];
    let mut site = vec![u32::MAX; len];
    // Heap entries pack (time bits, node) into one integer: one comparison per sift step. The
    // site is not in the entry: a node whose site improves at an equal time is pushed again
    // and expanded again, which only happens on exact ties.
    let entry = |t: f64, node: u32| Reverse((u128::from(key(t)) << 32) | u128::from(node));
    let mut heap: BinaryHeap<Reverse<u128>> = BinaryHeap::with_capacity(sources.len() + 1024);
    for s in sources {
        let i = s.node as usize;
        if i < len && s.time.is_finite() && s.time >= 0.0 && s.time <= limit && better(s.time, s.site, time[i], site[i]) {
            time[i] = s.time;
            site[i] = s.site;
            heap.push(entry(s.time, s.node));
        }
    }
    let (offsets, targets, weights) = (&graph.offsets, &graph.targets, &graph.weights);
    while let Some(Reverse(packed)) = heap.pop() {
        let node = (packed & 0xFFFF_FFFF) as usize;
        let at = time[node];
        if (packed >> 32) as u64 != key(at) {
            continue; // stale entry
        }
        let nearest = site[node];
        for edge in offsets[node] as usize..offsets[node + 1] as usize {
            let to = targets[edge] as usize;
            let t = at + weights[edge];
            if t <= limit && better(t, nearest, time[to], site[to]) {
                time[to] = t;
                site[to] = nearest;
                heap.push(entry(t, targets[edge]));
            }
        }
    }
    NearestSites { time, site }
}

/// Whether label (`t`, `s`) beats (`old_t`, `old_s`): sooner, or as soon with a lower site index.
/// Exact float equality is the point: only true ties go to the lower index. Generic so that the
/// isochrone raster's `f32` times follow the same rule.
#[inline]
pub(crate) fn better<T: PartialOrd + Copy>(t: T, s: u32, old_t: T, old_s: u32) -> bool {
    t < old_t || (t == old_t && s < old_s)
}

/// Single-source Dijkstra bounded by `limit`, reusing buffers: fills `time` (must be all
/// `INFINITY` on entry) and lists reached nodes in `touched` (reset them afterwards).
pub fn bounded(graph: &Csr, sources: &[(u32, f64)], limit: f64, time: &mut [f64], touched: &mut Vec<u32>) {
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    for &(node, t) in sources {
        if t <= limit && t < time[node as usize] {
            if time[node as usize].is_infinite() {
                touched.push(node);
            }
            time[node as usize] = t;
            heap.push(Reverse((key(t), node)));
        }
    }
    while let Some(Reverse((k, node))) = heap.pop() {
        let t = time[node as usize];
        if k != key(t) {
            continue;
        }
        for (v, w) in graph.row(node) {
            let nt = t + w;
            if nt <= limit && nt < time[v as usize] {
                if time[v as usize].is_infinite() {
                    touched.push(v);
                }
                time[v as usize] = nt;
                heap.push(Reverse((key(nt), v)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_way_changes_the_answer() {
        // 0 → 1 only (5 s); 1 → 0 via 2 (20 + 20 s). Site at node 0.
        let g = Csr::from_edges(3, &[(0, 1, 5.0), (1, 2, 20.0), (2, 0, 20.0)]);
        let rev = Csr::from_edges(3, &[(1, 0, 5.0), (2, 1, 20.0), (0, 2, 20.0)]);
        let r = nearest_sites(&rev, &[Source { node: 0, time: 0.0, site: 0 }], f64::INFINITY);
        assert_eq!(r.time, vec![0.0, 40.0, 20.0]); // from 1 to 0 must go round
        let f = nearest_sites(&g, &[Source { node: 0, time: 0.0, site: 0 }], f64::INFINITY);
        assert_eq!(f.time, vec![0.0, 5.0, 25.0]); // from 0 outwards
    }

    #[test]
    fn limit_and_unreached() {
        let g = Csr::from_edges(4, &[(0, 1, 10.0), (1, 0, 10.0), (1, 2, 10.0), (2, 1, 10.0)]);
        let r = nearest_sites(&g, &[Source { node: 0, time: 1.0, site: 7 }], 15.0);
        assert_eq!(r.time[..2], [1.0, 11.0]);
        assert!(r.time[2].is_infinite() && r.time[3].is_infinite());
        assert_eq!(r.site[3], u32::MAX);
        let mut time = vec![f64::INFINITY; 4];
        let mut touched = Vec::new();
        bounded(&g, &[(0, 0.0)], 15.0, &mut time, &mut touched);
        assert_eq!(touched, vec![0, 1]);
    }

    #[test]
    fn tie_is_independent_of_source_order() {
        let g = Csr::from_edges(3, &[(0, 1, 10.0), (1, 0, 10.0), (1, 2, 10.0), (2, 1, 10.0)]);
        let a = nearest_sites(&g, &[Source { node: 0, time: 0.0, site: 3 }, Source { node: 2, time: 0.0, site: 1 }], f64::INFINITY);
        let b = nearest_sites(&g, &[Source { node: 2, time: 0.0, site: 1 }, Source { node: 0, time: 0.0, site: 3 }], f64::INFINITY);
        assert_eq!(a, b);
        assert_eq!(a.site[1], 1);
    }
}
