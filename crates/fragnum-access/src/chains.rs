//! Shape points contracted away for the every-node multi-source Dijkstra.
//!
//! Most nodes of an OpenStreetMap road graph are shape points: exactly two neighbours, one road
//! through them. A shortest path can only turn at a junction, so the Dijkstra runs on the
//! junctions ("core" nodes) joined by one edge per chain of shape points, and each shape point's
//! time then follows from its chain's two ends in one linear sweep each way. On the Alpine
//! extracts of the benchmarks this leaves about a third of the nodes in the heap.
//!
//! Sites may be entered at a shape point: such a source seeds both ends of its chain before the
//! Dijkstra and takes part in the sweeps after it. The answer is the plain Dijkstra's
//! ([`crate::dijkstra::nearest_sites`] on the whole graph) up to floating-point rounding, since
//! a chain's length is summed once instead of edge after edge (about 1e-12 s on the benchmark
//! extracts). Rounding also decides between two sites that are exactly as far only on paper:
//! the lower index wins when the sums are bit-equal, either may when they differ in the last
//! bit. The unit tests compare the two on random graphs with whole-number weights, where sums
//! are exact.

use crate::csr::{Csr, neighbours};
use crate::dijkstra::{NearestSites, Source, better, nearest_sites};

const NONE: u32 = u32::MAX;

/// A chain of shape points `c_1 … c_k` between core nodes `a = c_0` and `b = c_{k+1}`.
#[derive(Debug, Clone, PartialEq)]
struct Chain {
    a: u32,
    b: u32,
    /// The shape points, in order from `a` to `b`, in [`Contraction::chain_nodes`].
    nodes: std::ops::Range<usize>,
    /// `k + 1` weights from `first_weight` in [`Contraction::toward_b`] / [`Contraction::toward_a`].
    first_weight: usize,
}

/// A graph with its chains of shape points contracted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contraction {
    /// Graph node of each core node.
    core: Vec<u32>,
    /// Core index of each graph node, `NONE` for shape points.
    core_of: Vec<u32>,
    /// Reversed edges between core nodes (direct edges and whole chains).
    reverse: Csr,
    chains: Vec<Chain>,
    chain_nodes: Vec<u32>,
    /// `w(c_i → c_{i+1})` for `i = 0..=k` of each chain (`INFINITY` when closed).
    toward_b: Vec<f64>,
    /// `w(c_{i+1} → c_i)` for `i = 0..=k` of each chain.
    toward_a: Vec<f64>,
    /// For each shape point: its chain and its position `1..=k` in it.
    place: Vec<(u32, u32)>,
}

/// The two neighbours of a shape point; `None` for a node with more or fewer distinct ones.
fn two_neighbours(forward: &Csr, reverse: &Csr, node: u32) -> Option<[u32; 2]> {
    let mut found = [NONE; 2];
    let mut count = 0;
    for v in forward.row(node).chain(reverse.row(node)).map(|e| e.0) {
        if v == node || found[..count].contains(&v) {
            continue;
        }
        if count == 2 {
            return None;
        }
        found[count] = v;
        count += 1;
    }
    (count == 2).then_some(found)
}

impl Contraction {
    /// Contracts the shape points of the graph given by its `forward` and `reverse` rows.
    pub fn new(forward: &Csr, reverse: &Csr) -> Self {
        let n = forward.len();
        let mut list = Vec::new();
        // The two neighbours of each shape point; `[NONE; 2]` marks a core node.
        let mut pairs: Vec<[u32; 2]> = (0..n as u32).map(|v| two_neighbours(forward, reverse, v).unwrap_or([NONE; 2])).collect();
        let mut c = Contraction { place: vec![(NONE, 0); n], ..Contraction::default() };
        let mut visited = vec![false; n];
        // Chains hang off core nodes; a ring made only of shape points (an isolated loop) gets
        // one of its nodes promoted to core first.
        for pass in 0..2 {
            for start in 0..n as u32 {
                let s = start as usize;
                let through = pairs[s][0] != NONE;
                if pass == 1 && through && !visited[s] {
                    pairs[s] = [NONE; 2];
                } else if through || pass == 1 {
                    continue;
                }
                neighbours(forward, reverse, start, &mut list);
                for &first in &list {
                    if pairs[first as usize][0] != NONE && !visited[first as usize] {
                        c.walk(forward, &pairs, &mut visited, start, first);
                    }
                }
            }
        }
        c.core_of = vec![NONE; n];
        for (node, pair) in pairs.iter().enumerate() {
            if pair[0] == NONE {
                c.core_of[node] = c.core.len() as u32;
                c.core.push(node as u32);
            }
        }
        let mut edges: Vec<(u32, u32, f64)> = Vec::new();
        for (cu, &u) in c.core.iter().enumerate() {
            for (v, w) in forward.row(u) {
                let cv = c.core_of[v as usize];
                if cv != NONE {
                    edges.push((cv, cu as u32, w));
                }
            }
        }
        for chain in &c.chains {
            if chain.a == chain.b {
                continue; // a loop back to its own junction never shortens a path
            }
            let weights = chain.first_weight..chain.first_weight + chain.nodes.len() + 1;
            let (ca, cb) = (c.core_of[chain.a as usize], c.core_of[chain.b as usize]);
            let ab: f64 = c.toward_b[weights.clone()].iter().sum();
            let ba: f64 = c.toward_a[weights].iter().sum();
            if ab.is_finite() {
                edges.push((cb, ca, ab));
            }
            if ba.is_finite() {
                edges.push((ca, cb, ba));
            }
        }
        c.reverse = Csr::from_edges(c.core.len(), &edges);
        c
    }

    /// Follows the shape points from core node `a` through `first` to the next core node.
    fn walk(&mut self, forward: &Csr, pairs: &[[u32; 2]], visited: &mut [bool], a: u32, first: u32) {
        let start = self.chain_nodes.len();
        let first_weight = self.toward_b.len();
        let index = self.chains.len() as u32;
        let (mut previous, mut current) = (a, first);
        while pairs[current as usize][0] != NONE && !visited[current as usize] {
            visited[current as usize] = true;
            self.place[current as usize] = (index, (self.chain_nodes.len() - start + 1) as u32);
            self.chain_nodes.push(current);
            self.toward_b.push(forward.fastest(previous, current));
            self.toward_a.push(forward.fastest(current, previous));
            let [x, y] = pairs[current as usize];
            let next = if x == previous { y } else { x };
            previous = current;
            current = next;
        }
        self.toward_b.push(forward.fastest(previous, current));
        self.toward_a.push(forward.fastest(current, previous));
        self.chains.push(Chain { a, b: current, nodes: start..self.chain_nodes.len(), first_weight });
    }

    /// Number of core nodes (junctions, dead ends and promoted ring nodes).
    pub fn core_len(&self) -> usize {
        self.core.len()
    }

    /// Every node's time to its nearest site and which site: the same answer as
    /// [`nearest_sites`] on the whole reversed graph, with the heap holding core nodes only.
    pub fn nearest_sites(&self, sources: &[Source], limit: f64) -> NearestSites {
        // A NaN limit admits nothing, as in the plain Dijkstra (`t <= NaN` is false).
        let limit = if limit.is_nan() { f64::NEG_INFINITY } else { limit };
        let n = self.core_of.len();
        let mut time = vec![f64::INFINITY; n];
        let mut site = vec![NONE; n];
        let mut core_sources = Vec::with_capacity(sources.len());
        let mut seeded: Vec<u32> = Vec::new();
        for s in sources {
            let i = s.node as usize;
            if i >= n || !s.time.is_finite() || s.time < 0.0 || s.time > limit {
                continue;
            }
            match self.core_of[i] {
                NONE => {
                    if better(s.time, s.site, time[i], site[i]) {
                        time[i] = s.time;
                        site[i] = s.site;
                    }
                    seeded.push(self.place[i].0);
                }
                core => core_sources.push(Source { node: core, ..*s }),
            }
        }
        seeded.sort_unstable();
        seeded.dedup();
        // A source on a chain reaches both ends of it: sweep its chain with unknown ends.
        for &chain in &seeded {
            let chain = &self.chains[chain as usize];
            let mut labels: Vec<(f64, u32)> =
                self.chain_nodes[chain.nodes.clone()].iter().map(|&v| (time[v as usize], site[v as usize])).collect();
            let to_a = self.sweep(chain, &mut labels, (f64::INFINITY, NONE), false, limit);
            let to_b = self.sweep(chain, &mut labels, (f64::INFINITY, NONE), true, limit);
            for (end, (t, s)) in [(chain.a, to_a), (chain.b, to_b)] {
                if t <= limit && s != NONE {
                    core_sources.push(Source { node: self.core_of[end as usize], time: t, site: s });
                }
            }
        }
        let core = nearest_sites(&self.reverse, &core_sources, limit);
        for (ci, &node) in self.core.iter().enumerate() {
            time[node as usize] = core.time[ci];
            site[node as usize] = core.site[ci];
        }
        let mut labels = Vec::new();
        for chain in &self.chains {
            labels.clear();
            labels.extend(self.chain_nodes[chain.nodes.clone()].iter().map(|&v| (time[v as usize], site[v as usize])));
            let from_b = (time[chain.b as usize], site[chain.b as usize]);
            let from_a = (time[chain.a as usize], site[chain.a as usize]);
            self.sweep(chain, &mut labels, from_b, false, limit);
            self.sweep(chain, &mut labels, from_a, true, limit);
            for (&v, &(t, s)) in self.chain_nodes[chain.nodes.clone()].iter().zip(&labels) {
                time[v as usize] = t;
                site[v as usize] = s;
            }
        }
        NearestSites { time, site }
    }

    /// One pass along a chain, improving each shape point's label (time, site) with the way
    /// through its neighbour on one side: from `b` backwards (`from_a == false`: a shape point
    /// reaches a site by driving towards `b`) or from `a` forwards. `end` is the label of the
    /// end the pass starts from. Returns the label reached at the other end.
    fn sweep(&self, chain: &Chain, labels: &mut [(f64, u32)], end: (f64, u32), from_a: bool, limit: f64) -> (f64, u32) {
        let k = labels.len();
        let w = chain.first_weight;
        let mut current = end;
        let relax = |label: &mut (f64, u32), weight: f64, current: &mut (f64, u32)| {
            let t = current.0 + weight;
            if current.1 != NONE && t.is_finite() && t <= limit && better(t, current.1, label.0, label.1) {
                *label = (t, current.1);
            }
            *current = *label;
        };
        if from_a {
            // c_i reaches c_{i-1} over w(c_i → c_{i-1}) = toward_a[i-1]
            for i in 1..=k {
                relax(&mut labels[i - 1], self.toward_a[w + i - 1], &mut current);
            }
            let mut at_b = (f64::INFINITY, NONE);
            relax(&mut at_b, self.toward_a[w + k], &mut current);
            at_b
        } else {
            // c_i reaches c_{i+1} over w(c_i → c_{i+1}) = toward_b[i]
            for i in (1..=k).rev() {
                relax(&mut labels[i - 1], self.toward_b[w + i], &mut current);
            }
            let mut at_a = (f64::INFINITY, NONE);
            relax(&mut at_a, self.toward_b[w], &mut current);
            at_a
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(n: usize, edges: &[(u32, u32, f64)], sources: &[Source], limit: f64) -> Contraction {
        let (forward, reverse) = Csr::both_ways(n, edges);
        let c = Contraction::new(&forward, &reverse);
        let plain = nearest_sites(&reverse, sources, limit);
        let fast = c.nearest_sites(sources, limit);
        for v in 0..n {
            let (p, f) = (plain.time[v], fast.time[v]);
            assert!((p.is_infinite() && f.is_infinite()) || (p - f).abs() < 1e-9, "node {v}: plain {p} contracted {f}");
            assert_eq!(plain.site[v], fast.site[v], "node {v}");
        }
        c
    }

    fn two_way(edges: &[(u32, u32, f64)]) -> Vec<(u32, u32, f64)> {
        edges.iter().flat_map(|&(a, b, w)| [(a, b, w), (b, a, w)]).collect()
    }

    #[test]
    fn a_line_is_one_chain_and_sources_inside_it_count() {
        // 0 - 1 - 2 - 3 - 4 - 5, junction-free: the two ends are the core.
        let e = two_way(&[(0, 1, 1.0), (1, 2, 2.0), (2, 3, 3.0), (3, 4, 4.0), (4, 5, 5.0)]);
        let c = check(6, &e, &[Source { node: 2, time: 0.5, site: 0 }], f64::INFINITY);
        assert_eq!(c.core_len(), 2);
        check(6, &e, &[Source { node: 2, time: 0.0, site: 1 }, Source { node: 4, time: 0.0, site: 0 }], f64::INFINITY);
        check(6, &e, &[Source { node: 2, time: 0.0, site: 1 }, Source { node: 4, time: 0.0, site: 0 }], 3.5);
    }

    #[test]
    fn one_way_chains_and_a_ring() {
        // A junction 0 with a two-way spur 0-1-2-3 and a one-way ring 0 → 4 → 5 → 6 → 0.
        let mut e = two_way(&[(0, 1, 10.0), (1, 2, 10.0), (2, 3, 10.0)]);
        e.extend([(0, 4, 5.0), (4, 5, 5.0), (5, 6, 5.0), (6, 0, 5.0)]);
        check(7, &e, &[Source { node: 5, time: 1.0, site: 0 }], f64::INFINITY);
        check(7, &e, &[Source { node: 3, time: 0.0, site: 0 }, Source { node: 6, time: 2.0, site: 1 }], f64::INFINITY);
        // An isolated ring of shape points: one node is promoted to core.
        let ring = [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 1.0)];
        let c = check(4, &ring, &[Source { node: 2, time: 0.0, site: 0 }], f64::INFINITY);
        assert_eq!(c.core_len(), 1);
    }

    #[test]
    fn random_graphs_match_the_plain_dijkstra() {
        let mut rng = fragnum_core::rng::Rng::new(7, 0);
        let mut next = |m: u64| rng.next_u64() % m;
        for round in 0..200 {
            let n = 3 + next(40) as usize;
            // a path through every node (many shape points) plus a few shortcuts, some one-way
            let mut edges = Vec::new();
            for v in 1..n as u32 {
                let w = 1.0 + next(20) as f64;
                edges.push((v - 1, v, w));
                if next(4) != 0 {
                    edges.push((v, v - 1, w));
                }
            }
            for _ in 0..next(1 + n as u64 / 4) {
                let (a, b) = (next(n as u64) as u32, next(n as u64) as u32);
                let w = 1.0 + next(30) as f64;
                edges.extend([(a, b, w), (b, a, w + next(3) as f64)]);
            }
            let sources: Vec<Source> =
                (0..=next(4)).map(|s| Source { node: next(n as u64) as u32, time: next(5) as f64, site: s as u32 }).collect();
            let limit = if round % 3 == 0 { 40.0 } else { f64::INFINITY };
            check(n, &edges, &sources, limit);
        }
    }
}
