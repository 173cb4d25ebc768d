//! The exact optimum of maximum coverage, to measure how far the greedy choice is from it.
//!
//! Choosing k sites that cover the most (weighted) population is NP-hard, but the instances
//! planners pose are small once reduced: points covered by the same candidates are one element
//! (their weights summed), candidates that cover the same elements are one, and a candidate whose
//! coverage is contained in another's is never needed (swapping it for the larger one never
//! loses). The reduced problem is solved by depth-first branch and bound: candidates sorted by
//! coverage, each node extends the choice with a later candidate, and a node is cut when its
//! value plus the sum of the best remaining marginal gains (an upper bound, coverage being
//! submodular) cannot beat the incumbent, which starts as the greedy choice. A node budget keeps
//! the search bounded; past it the result says the optimum is not proven and gives an upper bound.

use std::collections::{HashMap, HashSet};

/// The best choice found and what is known of the optimum.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimum {
    /// Candidate indices (in the caller's list), ascending.
    pub chosen: Vec<usize>,
    /// Covered weight of `chosen`.
    pub value: f64,
    /// No choice of k candidates covers more than this (equals `value` when proven).
    pub upper_bound: f64,
    /// Whether the search finished within its node budget, so `value` is the optimum.
    pub proven: bool,
    /// Branch-and-bound nodes visited.
    pub nodes: u64,
    /// Candidates left after merging identical and dropping dominated ones.
    pub reduced_candidates: usize,
    /// Elements (groups of points covered by the same candidates) after reduction.
    pub reduced_elements: usize,
}

/// Exact maximum coverage: the `k` candidates of `cover` (point indices each covers) whose
/// union has the largest total `weight`; `start` is a known choice (e.g. the greedy's), used as
/// the first incumbent. At most `node_budget` nodes are explored.
///
/// ```
/// use fragnum_access::optimum::max_coverage;
/// // greedy takes 0 (4 points) then 1 or 2 (one more each): 5; the optimum is 1 + 2: 6
/// let cover = vec![vec![0, 1, 2, 3], vec![0, 1, 4], vec![2, 3, 5]];
/// let best = max_coverage(&cover, &[1.0; 6], 2, &[0, 1], 1_000_000);
/// assert_eq!(best.chosen, [1, 2]);
/// assert_eq!(best.value, 6.0);
/// assert!(best.proven);
/// ```
pub fn max_coverage(cover: &[Vec<u32>], weight: &[f64], k: usize, start: &[usize], node_budget: u64) -> Optimum {
    let reduced = Reduced::new(cover, weight);
    let incumbent_value = covered_weight(cover, weight, start);
    let mut search = Search {
        r: &reduced,
        k: k.min(reduced.sets.len()),
        count: vec![0u32; reduced.weight.len()],
        chosen: Vec::new(),
        best: Vec::new(),
        best_value: incumbent_value,
        nodes: 0,
        budget: node_budget,
        exhausted: false,
    };
    let root_bound = search.bound(0, 0.0);
    search.descend(0, 0.0);
    let (chosen, value) = if search.best.is_empty() {
        let mut s = start.to_vec();
        s.sort_unstable();
        (s, incumbent_value)
    } else {
        let mut s: Vec<usize> = search.best.iter().map(|&c| reduced.original[c]).collect();
        s.sort_unstable();
        (s, search.best_value)
    };
    let proven = !search.exhausted;
    Optimum {
        chosen,
        value,
        upper_bound: if proven { value } else { root_bound.max(value) },
        proven,
        nodes: search.nodes,
        reduced_candidates: reduced.sets.len(),
        reduced_elements: reduced.weight.len(),
    }
}

/// Total weight of the points covered by the candidates `chosen`.
pub fn covered_weight(cover: &[Vec<u32>], weight: &[f64], chosen: &[usize]) -> f64 {
    let mut seen = vec![false; weight.len()];
    let mut total = 0.0;
    for &c in chosen {
        for &p in cover.get(c).map_or(&[][..], Vec::as_slice) {
            if !std::mem::replace(&mut seen[p as usize], true) {
                total += weight[p as usize];
            }
        }
    }
    total
}

/// The problem after merging points into elements and dropping redundant candidates.
struct Reduced {
    /// Element weights.
    weight: Vec<f64>,
    /// Per kept candidate, its elements; sorted by decreasing total weight.
    sets: Vec<Vec<u32>>,
    /// Kept candidate → index in the caller's list.
    original: Vec<usize>,
}

impl Reduced {
    fn new(cover: &[Vec<u32>], weight: &[f64]) -> Self {
        // point → the candidates covering it (ascending, as candidates are visited in order)
        let mut by_point: HashMap<u32, Vec<u32>> = HashMap::new();
        for (c, list) in cover.iter().enumerate() {
            for &p in list {
                if weight[p as usize] > 0.0 {
                    by_point.entry(p).or_default().push(c as u32);
                }
            }
        }
        // points with the same covering candidates form one element
        let mut element_of: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut element_weight: Vec<f64> = Vec::new();
        let mut points: Vec<(&u32, &Vec<u32>)> = by_point.iter().collect();
        points.sort_unstable_by_key(|(p, _)| **p);
        let mut sets: Vec<Vec<u32>> = vec![Vec::new(); cover.len()];
        for (p, candidates) in points {
            let next = element_weight.len() as u32;
            let e = *element_of.entry(candidates.clone()).or_insert(next);
            if e == next {
                element_weight.push(0.0);
                for &c in candidates {
                    sets[c as usize].push(e);
                }
            }
            element_weight[e as usize] += weight[*p as usize];
        }
        for s in &mut sets {
            s.sort_unstable();
        }
        // identical sets: keep the first; empty sets: drop
        let mut seen: HashSet<&[u32]> = HashSet::new();
        let mut kept: Vec<usize> = Vec::new();
        for (c, s) in sets.iter().enumerate() {
            if !s.is_empty() && seen.insert(s.as_slice()) {
                kept.push(c);
            }
        }
        // dominated sets (strict subsets of another kept set): drop
        let total = |s: &[u32]| s.iter().map(|&e| element_weight[e as usize]).sum::<f64>();
        let undominated: Vec<usize> = kept
            .iter()
            .copied()
            .filter(|&a| !kept.iter().any(|&b| b != a && sets[b].len() > sets[a].len() && is_subset(&sets[a], &sets[b])))
            .collect();
        let mut order: Vec<(usize, f64)> = undominated.iter().map(|&c| (c, total(&sets[c]))).collect();
        order.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        Reduced {
            sets: order.iter().map(|(c, _)| sets[*c].clone()).collect(),
            original: order.iter().map(|(c, _)| *c).collect(),
            weight: element_weight,
        }
    }
}

/// Whether sorted `a` is contained in sorted `b`.
fn is_subset(a: &[u32], b: &[u32]) -> bool {
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j == b.len() || b[j] != x {
            return false;
        }
        j += 1;
    }
    true
}

struct Search<'a> {
    r: &'a Reduced,
    k: usize,
    /// How many chosen candidates cover each element.
    count: Vec<u32>,
    chosen: Vec<usize>,
    best: Vec<usize>,
    best_value: f64,
    nodes: u64,
    budget: u64,
    exhausted: bool,
}

impl Search<'_> {
    fn gain(&self, c: usize) -> f64 {
        self.r.sets[c].iter().filter(|&&e| self.count[e as usize] == 0).map(|&e| self.r.weight[e as usize]).sum()
    }

    /// `value` plus the sum of the best `k − chosen` marginal gains among candidates from `from`.
    fn bound(&self, from: usize, value: f64) -> f64 {
        let left = self.k - self.chosen.len();
        let mut gains: Vec<f64> = (from..self.r.sets.len()).map(|c| self.gain(c)).collect();
        let left = left.min(gains.len());
        if left == 0 {
            return value;
        }
        gains.select_nth_unstable_by(left - 1, |a, b| b.total_cmp(a));
        value + gains[..left].iter().sum::<f64>()
    }

    fn descend(&mut self, from: usize, value: f64) {
        self.nodes += 1;
        if value > self.best_value + 1e-9 * self.best_value.abs().max(1.0) {
            self.best_value = value;
            self.best = self.chosen.clone();
        }
        if self.chosen.len() == self.k || self.nodes >= self.budget {
            self.exhausted |= self.nodes >= self.budget && self.chosen.len() < self.k;
            return;
        }
        if self.bound(from, value) <= self.best_value * (1.0 + 1e-12) {
            return;
        }
        // children in decreasing marginal gain: good choices first tighten the incumbent early
        let mut children: Vec<(usize, f64)> = (from..self.r.sets.len()).map(|c| (c, self.gain(c))).collect();
        children.retain(|c| c.1 > 0.0);
        for (c, g) in children {
            if self.exhausted {
                return;
            }
            self.chosen.push(c);
            for &e in &self.r.sets[c] {
                self.count[e as usize] += 1;
            }
            self.descend(c + 1, value + g);
            for &e in &self.r.sets[c] {
                self.count[e as usize] -= 1;
            }
            self.chosen.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siting::greedy;

    /// All k-subsets, the plain way: the reference the search is checked against.
    fn brute_force(cover: &[Vec<u32>], weight: &[f64], k: usize) -> f64 {
        fn rec(cover: &[Vec<u32>], weight: &[f64], k: usize, from: usize, chosen: &mut Vec<usize>, best: &mut f64) {
            *best = best.max(covered_weight(cover, weight, chosen));
            if chosen.len() == k {
                return;
            }
            for c in from..cover.len() {
                chosen.push(c);
                rec(cover, weight, k, c + 1, chosen, best);
                chosen.pop();
            }
        }
        let mut best = 0.0;
        rec(cover, weight, k, 0, &mut Vec::new(), &mut best);
        best
    }

    /// A small deterministic generator (xorshift), so the test needs no crate.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn equals_brute_force_on_random_instances() {
        let mut s = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200 {
            let n_points = 5 + (next(&mut s) % 25) as usize;
            let n_cand = 2 + (next(&mut s) % 10) as usize;
            let weight: Vec<f64> = (0..n_points).map(|_| (next(&mut s) % 100) as f64).collect();
            let cover: Vec<Vec<u32>> =
                (0..n_cand).map(|_| (0..n_points as u32).filter(|_| next(&mut s).is_multiple_of(4)).collect()).collect();
            let k = 1 + (next(&mut s) % 4) as usize;
            let g = greedy(&cover, &weight, &weight, 0.0, k);
            let start: Vec<usize> = g.iter().map(|c| c.candidate).collect();
            let best = max_coverage(&cover, &weight, k, &start, u64::MAX);
            assert!(best.proven);
            assert!(best.chosen.len() <= k);
            assert!((best.value - brute_force(&cover, &weight, k)).abs() < 1e-9, "{cover:?} {weight:?} k={k}");
            assert!((covered_weight(&cover, &weight, &best.chosen) - best.value).abs() < 1e-9);
            let greedy_value: f64 = g.iter().map(|c| c.gain_weight).sum();
            assert!(best.value >= greedy_value - 1e-9);
        }
    }

    #[test]
    fn identical_and_dominated_candidates_are_merged_and_a_tight_budget_is_reported() {
        let cover = vec![vec![0, 1], vec![0, 1], vec![0], vec![2, 3], vec![], vec![1, 2, 3]];
        let w = [1.0, 2.0, 3.0, 4.0];
        let best = max_coverage(&cover, &w, 1, &[], 100);
        assert_eq!(best.reduced_candidates, 2); // {0,1} and {1,2,3}
        assert_eq!(best.chosen, [5]);
        assert!((best.value - 9.0).abs() < 1e-12);
        let cut = max_coverage(&cover, &w, 2, &[0], 1);
        assert!(!cut.proven);
        assert!(cut.upper_bound >= 10.0 && cut.value <= cut.upper_bound);
    }
}
