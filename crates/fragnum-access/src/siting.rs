//! Where to open new sites: greedy maximum coverage.
//!
//! Each candidate covers the population points it would bring within the threshold and that no
//! existing site already serves within it. The greedy choice takes, k times, the candidate that
//! adds the most (weighted) population; its marginal gain is reported. Greedy maximum coverage
//! is within (1 − 1/e) ≈ 63 % of the optimum, and in practice much closer.

use fragnum_core::sites::Site;

use crate::capacity::{SiteTimes, network_within, straight_line_within};
use crate::graph::Graph;
use crate::snap::{Snap, Snapper};

/// One chosen candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct SitingChoice {
    /// Rank (1 = first chosen).
    pub rank: usize,
    /// Index in the candidate list.
    pub candidate: usize,
    /// Population newly brought within the threshold.
    pub gain_population: f64,
    /// Weighted gain (equals the population gain when no weights are given).
    pub gain_weight: f64,
    /// Share (0–1) of the total population within the threshold after this choice.
    pub share_after: f64,
}

/// For each snapped candidate, the points (among those with `open[p]`) it reaches within
/// `threshold_s` over the network; unsnapped candidates cover nothing.
pub fn network_coverage(
    graph: &Graph,
    snapper: &Snapper,
    candidate_snaps: &[Option<Snap>],
    point_snaps: &[Option<Snap>],
    open: &[bool],
    threshold_s: f64,
) -> Vec<Vec<u32>> {
    // The bounded search of [`SiteTimes::network`](crate::capacity::SiteTimes::network),
    // restricted to the open points and stopped at the threshold: every listed point is covered.
    points_only(network_within(graph, snapper, candidate_snaps, point_snaps, Some(open), threshold_s))
}

/// The point indices of each site's list (times dropped).
fn points_only(times: SiteTimes) -> Vec<Vec<u32>> {
    times.lists.into_iter().map(|list| list.into_iter().map(|(p, _)| p).collect()).collect()
}

/// Greedy maximum coverage over precomputed coverage lists.
///
/// `population[p]` counts people, `weight[p]` is what is maximised; `already` is the population
/// within the threshold before any new site (for [`SitingChoice::share_after`]).
///
/// ```
/// use fragnum_access::siting::greedy;
/// let cover = vec![vec![0, 1], vec![1, 2, 3], vec![3]];
/// let pop = [10.0, 10.0, 10.0, 10.0];
/// let chosen = greedy(&cover, &pop, &pop, 0.0, 2);
/// assert_eq!(chosen[0].candidate, 1);
/// assert_eq!(chosen[1].candidate, 0);
/// assert_eq!(chosen[1].gain_population, 10.0); // point 1 was already covered
/// ```
pub fn greedy(cover: &[Vec<u32>], population: &[f64], weight: &[f64], already: f64, k: usize) -> Vec<SitingChoice> {
    let total: f64 = population.iter().sum();
    let mut taken = vec![false; population.len()];
    let mut chosen_set = vec![false; cover.len()];
    let mut within = already;
    let mut out = Vec::new();
    for rank in 1..=k {
        let best = cover
            .iter()
            .enumerate()
            .filter(|(c, _)| !chosen_set[*c])
            .map(|(c, list)| (c, list.iter().filter(|p| !taken[**p as usize]).map(|p| weight[*p as usize]).sum::<f64>()))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((c, gain_weight)) = best else { break };
        if gain_weight <= 0.0 {
            break;
        }
        chosen_set[c] = true;
        let mut gain_population = 0.0;
        for &p in &cover[c] {
            if !taken[p as usize] {
                taken[p as usize] = true;
                gain_population += population[p as usize];
            }
        }
        within += gain_population;
        out.push(SitingChoice {
            rank,
            candidate: c,
            gain_population,
            gain_weight,
            share_after: if total > 0.0 { within / total } else { 0.0 },
        });
    }
    out
}

/// Coverage lists under the straight-line approximation: a candidate covers a point when
/// `distance × detour / speed ≤ threshold`. `speed_ms[p]` is the point's speed.
pub fn straight_line_coverage(
    candidates: &[Site],
    points: &[[f64; 2]],
    speed_ms: &[f64],
    detour: f64,
    open: &[bool],
    threshold_s: f64,
) -> Vec<Vec<u32>> {
    points_only(straight_line_within(candidates, points, speed_ms, detour, Some(open), threshold_s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::tests::grid;
    use crate::coverage::network_times;

    #[test]
    fn weights_change_the_choice_and_zero_gain_stops() {
        let cover = vec![vec![0, 1], vec![2]];
        let pop = [10.0, 10.0, 5.0];
        let weight = [1.0, 1.0, 30.0];
        let chosen = greedy(&cover, &pop, &weight, 0.0, 5);
        assert_eq!(chosen.len(), 2);
        assert_eq!(chosen[0].candidate, 1);
        assert!((chosen[0].gain_population - 5.0).abs() < 1e-12);
        assert!((chosen[1].share_after - 1.0).abs() < 1e-12);
    }

    #[test]
    fn network_coverage_is_the_site_times_within_the_threshold() {
        let (g, sites, points) = grid();
        let snapper = Snapper::new(&g);
        let nearest = network_times(&g, &snapper, &sites, &points, 500.0, 1.25);
        let limited = SiteTimes::network(&g, &snapper, &nearest.site_snaps, &nearest.point_snaps, 60.0);
        let open: Vec<bool> = (0..points.len()).map(|p| p % 3 != 0).collect();
        let cover = network_coverage(&g, &snapper, &nearest.site_snaps, &nearest.point_snaps, &open, 60.0);
        for (site, c) in cover.iter().enumerate() {
            let expected: Vec<u32> = limited.within(site, 60.0).filter(|p| open[*p as usize]).collect();
            assert_eq!(c, &expected);
        }
        assert!(cover.iter().any(|c| !c.is_empty()));
    }

    #[test]
    fn straight_line_coverage_keeps_open_points_within_the_threshold() {
        let sites = [Site::new("a", "", "k", 5.0, 45.0)];
        let points = [[5.0, 45.09], [5.0, 45.3], [5.0, 45.0]];
        // 10 km × 1.3 at 60 km/h = 13 min (in); 33.4 km → 43 min (out); the third is not open
        let cover = straight_line_coverage(&sites, &points, &[60.0 / 3.6; 3], 1.3, &[true, true, false], 1800.0);
        assert_eq!(cover, vec![vec![0]]);
    }
}
