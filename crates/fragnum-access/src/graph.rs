//! The routable graph: a [`RoadNetwork`] with travel times from a [`SpeedProfile`], cut down to
//! its largest strongly connected component, stored as compressed sparse rows ([`Csr`], forward
//! and reversed) for Dijkstra, with its shape points contracted ([`Contraction`]) and its
//! segments indexed for snapping ([`SegmentIndex`]).
//!
//! Keeping only the largest strongly connected component guarantees that every kept node can
//! reach every other one: no point snapped to a dead-end fragment (a private car park, a piece
//! of road cut by the extract boundary) gets an "unreachable" time. What is dropped is counted in
//! [`GraphReport`].

use std::collections::HashMap;

use fragnum_core::geometry::LocalProjection;
use fragnum_core::network::{RoadEdge, RoadNetwork};

use crate::chains::Contraction;
use crate::csr::{Csr, Segment, neighbours};
use crate::dijkstra::{NearestSites, Source};
use crate::error::AccessError;
use crate::profile::{Mode, SpeedProfile};
use crate::spatial::{SegmentIndex, z_order};

/// What building the graph kept and dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphReport {
    /// The profile's name.
    pub profile: String,
    /// `car` or `walk`.
    pub mode: String,
    /// Nodes and directed edges in the network as read.
    pub network_nodes: usize,
    /// Directed edges as read.
    pub network_edges: usize,
    /// Directed edges usable by the mode and the profile's classes.
    pub usable_edges: usize,
    /// Strongly connected components among nodes touched by usable edges.
    pub components: usize,
    /// Nodes kept (largest strongly connected component).
    pub nodes: usize,
    /// Directed edges kept.
    pub edges: usize,
    /// Nodes touched by usable edges but outside the largest component.
    pub dropped_nodes: usize,
    /// Usable edges outside the largest component.
    pub dropped_edges: usize,
    /// Usable edges counted as urban (profile rule or data).
    pub urban_edges: usize,
    /// Kilometres of road kept (directed edges, so a two-way road counts twice).
    pub kept_km: f64,
}

/// The routable graph.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Node positions, lon/lat.
    pub coords: Vec<[f64; 2]>,
    /// Index of each node in the source [`RoadNetwork::nodes`].
    pub network_node: Vec<u32>,
    /// Outgoing edges.
    pub forward: Csr,
    /// Incoming edges (edge `u → v` stored in row `v` with head `u`).
    pub reverse: Csr,
    /// Undirected segments with their two travel times.
    pub segments: Vec<Segment>,
    /// The segments' R-tree, for snapping ([`crate::snap::Snapper`]).
    pub segment_index: SegmentIndex,
    /// The graph with its shape points contracted, for [`Graph::nearest_sites`].
    pub contraction: Contraction,
    /// The projection used for metric work on this graph.
    pub projection: LocalProjection,
    /// What was kept and dropped.
    pub report: GraphReport,
}

/// Marks urban edges by junction density (see [`crate::profile`]): an edge is urban when the
/// cell of its midpoint holds at least `urban_min_junctions` nodes with 3 or more neighbours.
fn urban_flags(net: &RoadNetwork, usable: &[usize], profile: &SpeedProfile, projection: &LocalProjection) -> Vec<bool> {
    // Distinct neighbours per node, from the usable edges grouped by node (counting sort).
    let n = net.nodes.len();
    let mut start = vec![0u32; n + 1];
    for &i in usable {
        let e = &net.edges[i];
        start[e.from as usize + 1] += 1;
        start[e.to as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut adjacent = vec![0u32; start[n] as usize];
    for &i in usable {
        let e = &net.edges[i];
        for (x, y) in [(e.from, e.to), (e.to, e.from)] {
            adjacent[fill[x as usize] as usize] = y;
            fill[x as usize] += 1;
        }
    }
    let cell = |p: [f64; 2]| {
        let xy = projection.forward(p);
        ((xy[0] / profile.urban_cell_m).floor() as i64, (xy[1] / profile.urban_cell_m).floor() as i64)
    };
    let mut junctions: HashMap<(i64, i64), u32> = HashMap::new();
    for node in 0..n {
        let list = &mut adjacent[start[node] as usize..start[node + 1] as usize];
        if list.len() < 3 {
            continue;
        }
        list.sort_unstable();
        if list.windows(2).filter(|w| w[0] != w[1]).count() + 1 >= 3 {
            *junctions.entry(cell(net.nodes[node])).or_default() += 1;
        }
    }
    // Cells as a dense grid when small enough (a lookup per edge), else hashed.
    let urban_cell = CellCounts::new(junctions, profile.urban_min_junctions);
    usable
        .iter()
        .map(|&i| {
            let e = &net.edges[i];
            e.urban.unwrap_or_else(|| {
                let (a, b) = (net.nodes[e.from as usize], net.nodes[e.to as usize]);
                urban_cell.is_urban(cell([f64::midpoint(a[0], b[0]), f64::midpoint(a[1], b[1])]))
            })
        })
        .collect()
}

/// Which cells hold enough junctions to be urban: a dense bitmap over the cells' bounding box
/// when it has at most 2^26 cells (8 MB), else the hashed counts.
enum CellCounts {
    Dense { lo: (i64, i64), width: i64, height: i64, urban: Vec<bool> },
    Hashed { counts: HashMap<(i64, i64), u32>, min: u32 },
}

impl CellCounts {
    fn new(counts: HashMap<(i64, i64), u32>, min: u32) -> Self {
        let (mut lo, mut hi) = ((i64::MAX, i64::MAX), (i64::MIN, i64::MIN));
        for &(x, y) in counts.keys() {
            lo = (lo.0.min(x), lo.1.min(y));
            hi = (hi.0.max(x), hi.1.max(y));
        }
        let (width, height) = (hi.0.saturating_sub(lo.0).saturating_add(1), hi.1.saturating_sub(lo.1).saturating_add(1));
        if counts.is_empty() || width.saturating_mul(height) > 1 << 26 {
            return CellCounts::Hashed { counts, min };
        }
        let mut urban = vec![false; (width * height) as usize];
        for (&(x, y), &c) in &counts {
            urban[((y - lo.1) * width + (x - lo.0)) as usize] = c >= min;
        }
        CellCounts::Dense { lo, width, height, urban }
    }

    fn is_urban(&self, (x, y): (i64, i64)) -> bool {
        match self {
            CellCounts::Dense { lo, width, height, urban } => {
                let (dx, dy) = (x - lo.0, y - lo.1);
                (0..*width).contains(&dx) && (0..*height).contains(&dy) && urban[(dy * width + dx) as usize]
            }
            CellCounts::Hashed { counts, min } => counts.get(&(x, y)).copied().unwrap_or(0) >= *min,
        }
    }
}

/// Labels each node with its strongly connected component (Kosaraju, iterative).
/// Returns (component of each node, number of components).
pub fn strongly_connected(forward: &Csr, reverse: &Csr) -> (Vec<u32>, usize) {
    let n = forward.len();
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    let mut stack: Vec<(u32, u32)> = Vec::new();
    for start in 0..n as u32 {
        if seen[start as usize] {
            continue;
        }
        seen[start as usize] = true;
        stack.push((start, forward.offsets[start as usize]));
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let end = forward.offsets[node as usize + 1];
            if *next < end {
                let head = forward.targets[*next as usize];
                *next += 1;
                if !seen[head as usize] {
                    seen[head as usize] = true;
                    stack.push((head, forward.offsets[head as usize]));
                }
            } else {
                order.push(node);
                stack.pop();
            }
        }
    }
    let mut component = vec![u32::MAX; n];
    let mut count = 0u32;
    let mut todo: Vec<u32> = Vec::new();
    for &root in order.iter().rev() {
        if component[root as usize] != u32::MAX {
            continue;
        }
        component[root as usize] = count;
        todo.push(root);
        while let Some(node) = todo.pop() {
            for (head, _) in reverse.row(node) {
                if component[head as usize] == u32::MAX {
                    component[head as usize] = count;
                    todo.push(head);
                }
            }
        }
        count += 1;
    }
    (component, count as usize)
}

/// The undirected segments of a graph, in `(a, b)` order with `a < b`: each pair of adjacent
/// nodes once, with the fastest time each way (`INFINITY` when closed). Rows are short, so the
/// neighbours of each node are gathered and deduplicated in place, without hashing.
fn segments_of(forward: &Csr, reverse: &Csr) -> Vec<Segment> {
    let mut segments = Vec::with_capacity(forward.targets.len() / 2 + 1);
    let mut list: Vec<u32> = Vec::new();
    for a in 0..forward.len() as u32 {
        neighbours(forward, reverse, a, &mut list);
        for &b in list.iter().filter(|&&b| b > a) {
            segments.push(Segment { a, b, ab: forward.fastest(a, b), ba: forward.fastest(b, a) });
        }
    }
    segments
}

impl Graph {
    /// Builds the graph of `net` for `profile`, keeping the largest strongly connected component.
    ///
    /// ```
    /// use fragnum_core::network::{RoadEdge, RoadNetwork};
    /// use fragnum_access::{graph::Graph, profile::SpeedProfile};
    /// let mut net = RoadNetwork::default();
    /// let (a, b) = (net.push_node(5.0, 45.0), net.push_node(5.01, 45.0));
    /// let class = net.class_index("primary");
    /// for (from, to) in [(a, b), (b, a)] {
    ///     net.edges.push(RoadEdge { from, to, length_m: 1000.0, class, maxspeed_kmh: None, car: true, walk: true, urban: None });
    /// }
    /// let p = SpeedProfile::parse("car", "name='c'\nmode='car'\n[rural]\nprimary=80\n").unwrap();
    /// let g = Graph::build(&net, &p).unwrap();
    /// assert_eq!(g.report.nodes, 2);
    /// assert!((g.forward.weights[0] - 45.0).abs() < 1e-9); // 1 km at 80 km/h
    /// ```
    pub fn build(net: &RoadNetwork, profile: &SpeedProfile) -> Result<Self, AccessError> {
        Graph::build_from(std::borrow::Cow::Borrowed(net), profile)
    }

    /// [`Graph::build`] for a caller that needs the network no more: its edges are freed as
    /// soon as the graph's own are made, before the segments, R-tree and contraction, so the
    /// two are not held together (1.8 GB less at the peak on a region-size network).
    pub fn build_owned(net: RoadNetwork, profile: &SpeedProfile) -> Result<Self, AccessError> {
        Graph::build_from(std::borrow::Cow::Owned(net), profile)
    }

    #[allow(clippy::too_many_lines)] // one pipeline, each intermediate freed where its use ends
    fn build_from(mut net: std::borrow::Cow<'_, RoadNetwork>, profile: &SpeedProfile) -> Result<Self, AccessError> {
        let projection = LocalProjection::metres_around(&net.nodes);
        let speeds = profile.class_speeds(&net.classes);
        let open = |e: &RoadEdge| match profile.mode {
            Mode::Car => e.car,
            Mode::Walk => e.walk,
        };
        let usable: Vec<usize> = net
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| open(e) && e.from != e.to && speeds.get(usize::from(e.class)).is_some_and(Option::is_some))
            .map(|(i, _)| i)
            .collect();
        let urban = urban_flags(&net, &usable, profile, &projection);
        // Compact node ids to the nodes touched by usable edges.
        let mut local = vec![u32::MAX; net.nodes.len()];
        let mut network_node: Vec<u32> = Vec::new();
        let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(usable.len());
        for (k, &i) in usable.iter().enumerate() {
            let e = &net.edges[i];
            let Some(class_kmh) = speeds[usize::from(e.class)] else { continue };
            let kmh = profile.with_maxspeed(class_kmh[usize::from(urban[k])], e.maxspeed_kmh);
            let mut id = |n: u32| {
                if local[n as usize] == u32::MAX {
                    local[n as usize] = network_node.len() as u32;
                    network_node.push(n);
                }
                local[n as usize]
            };
            let (a, b) = (id(e.from), id(e.to));
            edges.push((a, b, e.length_m / (kmh / 3.6)));
        }
        if edges.is_empty() {
            return Err(AccessError::EmptyNetwork {
                network: net.source.clone(),
                mode: profile.mode.as_str().into(),
                edges: net.edges.len(),
            });
        }
        let n = network_node.len();
        let (forward, reverse) = Csr::both_ways(n, &edges);
        let (component, components) = strongly_connected(&forward, &reverse);
        // What is not needed past this point is freed as soon as it is not: on a region-size
        // network every one of these is hundreds of megabytes, and they used to live until the end.
        drop((forward, reverse));
        let mut size = vec![0usize; components];
        for &c in &component {
            size[c as usize] += 1;
        }
        let largest = (0..components).max_by_key(|&c| (size[c], std::cmp::Reverse(c))).unwrap_or(0) as u32;
        // Kept nodes are numbered along a Z-order curve of their position: nodes near each other
        // on the map get near ids, so a Dijkstra's memory accesses stay in cache.
        let order: Vec<usize> = (0..n).filter(|&i| component[i] == largest).collect();
        let position = |i: usize| net.nodes[network_node[i] as usize];
        let order: Vec<usize> = z_order(&order.iter().map(|&i| position(i)).collect::<Vec<_>>()).into_iter().map(|k| order[k]).collect();
        let mut keep = vec![u32::MAX; n];
        let mut kept_nodes = Vec::with_capacity(order.len());
        for i in order {
            keep[i] = kept_nodes.len() as u32;
            kept_nodes.push(network_node[i]);
        }
        let mut kept_edges = Vec::with_capacity(edges.len());
        let mut kept_m = 0.0;
        for (k, &(a, b, w)) in edges.iter().enumerate() {
            let (ka, kb) = (keep[a as usize], keep[b as usize]);
            if ka != u32::MAX && kb != u32::MAX {
                kept_edges.push((ka, kb, w));
                kept_m += net.edges[usable[k]].length_m;
            }
        }
        let (usable_edges, urban_edges) = (edges.len(), urban.iter().filter(|u| **u).count());
        drop((edges, usable, urban, local, component, keep, network_node));
        let network_edges = net.edges.len();
        if let std::borrow::Cow::Owned(owned) = &mut net {
            owned.edges = Vec::new();
        }
        let m = kept_nodes.len();
        let (forward, reverse) = Csr::both_ways(m, &kept_edges);
        let kept_edge_count = kept_edges.len();
        drop(kept_edges);
        let coords: Vec<[f64; 2]> = kept_nodes.iter().map(|&i| net.nodes[i as usize]).collect();
        let projection = LocalProjection::metres_around(&coords);
        // The segments and their R-tree on one side, the contraction on the other.
        let ((segments, segment_index), contraction) = rayon::join(
            || {
                let segments = segments_of(&forward, &reverse);
                let index = SegmentIndex::new(&coords, &segments, &projection);
                (segments, index)
            },
            || Contraction::new(&forward, &reverse),
        );
        let report = GraphReport {
            profile: profile.name.clone(),
            mode: profile.mode.as_str().into(),
            network_nodes: net.nodes.len(),
            network_edges,
            usable_edges,
            components,
            nodes: m,
            edges: kept_edge_count,
            dropped_nodes: n - m,
            dropped_edges: usable_edges - kept_edge_count,
            urban_edges,
            kept_km: kept_m / 1000.0,
        };
        Ok(Graph { projection, coords, network_node: kept_nodes, forward, reverse, segments, segment_index, contraction, report })
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.coords.len()
    }

    /// Every node's time *to* its nearest site, and which site, from the sites' entry points
    /// (see [`crate::snap::Snapper::sources`]); `limit` in seconds, `INFINITY` for none. Runs
    /// the Dijkstra on the junctions only ([`Contraction`]).
    pub fn nearest_sites(&self, sources: &[Source], limit: f64) -> NearestSites {
        self.contraction.nearest_sites(sources, limit)
    }

    /// True when the graph has no node.
    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use fragnum_core::network::RoadEdge;

    /// A test profile: every class at 36 km/h (10 m/s), car mode.
    pub fn profile_10ms() -> SpeedProfile {
        SpeedProfile::parse("t", "name='t'\nmode='car'\n[rural]\nprimary=36\n").unwrap()
    }

    /// A network from (from, to, length) with both directions when `two_way`.
    pub fn network(points: &[[f64; 2]], edges: &[(u32, u32, f64, bool)]) -> RoadNetwork {
        let mut net = RoadNetwork::default();
        for p in points {
            net.push_node(p[0], p[1]);
        }
        let class = net.class_index("primary");
        for &(a, b, len, two_way) in edges {
            let e = |from, to, car| RoadEdge { from, to, length_m: len, class, maxspeed_kmh: None, car, walk: true, urban: None };
            net.edges.push(e(a, b, true));
            net.edges.push(e(b, a, two_way));
        }
        net
    }

    #[test]
    fn one_way_dead_end_and_island_are_dropped() {
        // 0 ⇄ 1 ⇄ 2, 2 → 3 (one-way into a dead end), island 4 ⇄ 5
        let pts = [[5.0, 45.0], [5.001, 45.0], [5.002, 45.0], [5.003, 45.0], [5.1, 45.1], [5.101, 45.1]];
        let net = network(&pts, &[(0, 1, 100.0, true), (1, 2, 100.0, true), (2, 3, 100.0, false), (4, 5, 100.0, true)]);
        let g = Graph::build(&net, &profile_10ms()).unwrap();
        assert_eq!(g.report.nodes, 3);
        assert_eq!(g.report.components, 3);
        assert_eq!(g.report.dropped_nodes, 3);
        assert_eq!(g.report.dropped_edges, 3);
        assert_eq!(g.network_node, vec![0, 1, 2]);
        assert_eq!(g.segments.len(), 2);
        assert!(g.segments.iter().all(|s| (s.ab - 10.0).abs() < 1e-12 && (s.ba - 10.0).abs() < 1e-12));
    }

    #[test]
    fn walk_mode_ignores_one_ways() {
        let pts = [[5.0, 45.0], [5.001, 45.0], [5.002, 45.0]];
        let net = network(&pts, &[(0, 1, 100.0, false), (1, 2, 100.0, false), (2, 0, 100.0, false)]);
        let car = Graph::build(&net, &profile_10ms()).unwrap();
        assert_eq!(car.report.edges, 3); // a one-way loop is strongly connected
        let walk = SpeedProfile::parse("w", "name='w'\nmode='walk'\n[rural]\nprimary=3.6\n").unwrap();
        let g = Graph::build(&net, &walk).unwrap();
        assert_eq!(g.report.edges, 6);
        assert!((g.forward.weights[0] - 100.0).abs() < 1e-9);
    }

    #[test]
    fn no_usable_edge_is_an_error() {
        let net = network(&[[5.0, 45.0], [5.001, 45.0]], &[(0, 1, 100.0, true)]);
        let p = SpeedProfile::parse("t", "name='t'\nmode='car'\n[rural]\nmotorway=130\n").unwrap();
        assert!(matches!(Graph::build(&net, &p), Err(AccessError::EmptyNetwork { .. })));
    }
}
