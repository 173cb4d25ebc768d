//! The storage every search runs on: weighted edges in compressed sparse rows ([`Csr`]), the
//! undirected [`Segment`]s between adjacent nodes, and the neighbour lists that both building
//! ([`crate::graph`]) and contraction ([`crate::chains`]) read. Depends on nothing else in the
//! crate, so building, contraction and search can all sit above it.

/// Compressed sparse rows: the edges leaving node `n` are `offsets[n]..offsets[n + 1]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    /// Row starts, one more than the number of nodes.
    pub offsets: Vec<u32>,
    /// Edge heads.
    pub targets: Vec<u32>,
    /// Edge weights (seconds).
    pub weights: Vec<f64>,
}

impl Csr {
    /// Builds rows from `(from, to, weight)` triples over `n` nodes.
    ///
    /// ```
    /// let g = fragnum_access::csr::Csr::from_edges(3, &[(0, 1, 5.0), (0, 2, 7.0), (2, 0, 1.0)]);
    /// assert_eq!(g.row(0).collect::<Vec<_>>(), [(1, 5.0), (2, 7.0)]);
    /// assert_eq!((g.len(), g.fastest(2, 0), g.fastest(1, 0)), (3, 1.0, f64::INFINITY));
    /// ```
    pub fn from_edges(n: usize, edges: &[(u32, u32, f64)]) -> Self {
        let mut offsets = vec![0u32; n + 1];
        for e in edges {
            offsets[e.0 as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut next: Vec<u32> = offsets[..n].to_vec();
        let mut targets = vec![0u32; edges.len()];
        let mut weights = vec![0.0; edges.len()];
        for &(a, b, w) in edges {
            let slot = next[a as usize] as usize;
            targets[slot] = b;
            weights[slot] = w;
            next[a as usize] += 1;
        }
        Csr { offsets, targets, weights }
    }

    /// The rows of `edges` and of the same edges reversed (built side by side).
    pub fn both_ways(n: usize, edges: &[(u32, u32, f64)]) -> (Csr, Csr) {
        rayon::join(|| Csr::from_edges(n, edges), || Csr::from_edges(n, &edges.iter().map(|&(a, b, w)| (b, a, w)).collect::<Vec<_>>()))
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there is no node.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The fastest edge from `from` to `to` (`INFINITY` when there is none).
    pub fn fastest(&self, from: u32, to: u32) -> f64 {
        self.row(from).filter(|e| e.0 == to).map(|e| e.1).fold(f64::INFINITY, f64::min)
    }

    /// The edges leaving `node`: (head, weight).
    pub fn row(&self, node: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        let (s, e) = (self.offsets[node as usize] as usize, self.offsets[node as usize + 1] as usize);
        self.targets[s..e].iter().copied().zip(self.weights[s..e].iter().copied())
    }
}

/// An undirected piece of road between two graph nodes, with the time to travel it each way
/// (`f64::INFINITY` when that direction is closed). Used for snapping and isochrones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// One end (graph node).
    pub a: u32,
    /// The other end (graph node).
    pub b: u32,
    /// Seconds from `a` to `b`.
    pub ab: f64,
    /// Seconds from `b` to `a`.
    pub ba: f64,
}

/// The distinct neighbours of `node` in either direction, itself excluded, sorted, into `out`.
pub(crate) fn neighbours(forward: &Csr, reverse: &Csr, node: u32, out: &mut Vec<u32>) {
    out.clear();
    out.extend(forward.row(node).chain(reverse.row(node)).map(|e| e.0).filter(|&v| v != node));
    out.sort_unstable();
    out.dedup();
}
