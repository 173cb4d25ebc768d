//! Additive logit model of a rate over joint strata, fitted to published marginal rates.
//!
//! `logit p(a, d, …) = β_age[a] + β_diploma[d] + …` (the intercept is folded into the first
//! dimension). Surveys publish one rate per category of each dimension; the model is the
//! smoothest joint table (no interaction) that reproduces them on a given population (`weights`,
//! the joint strata counts). Fitting is raking in logit space: each category's effect is moved,
//! in turn, until its weighted mean rate equals its target.
//!
//! Marginals published nationally need not be consistent on another population: the age rates
//! may imply 17 % overall on the study perimeter and the diploma rates 15 %. Before fitting,
//! each dimension's rates are shifted by one common logit offset so that all imply the same
//! overall rate: the mean of the implied rates (see [`Fit::overall`]). With one dimension nothing moves.

use crate::IndicesError;
use crate::ipf::multi_indices;

const EPS: f64 = 1e-9;

fn logit(p: f64) -> f64 {
    let p = p.clamp(EPS, 1.0 - EPS);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A fitted model and how well it met its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Category sizes per dimension.
    pub sizes: Vec<usize>,
    /// One effect per category per dimension.
    pub effects: Vec<Vec<f64>>,
    /// The overall rate all dimensions were harmonised to.
    pub overall: f64,
    /// The harmonised targets actually fitted (equal to the published rates with one dimension).
    pub targets: Vec<Vec<f64>>,
    /// Sweeps done.
    pub iterations: usize,
    /// Largest gap between a fitted marginal rate and its harmonised target.
    pub max_deviation: f64,
}

/// Solves `Σ w_i σ(x_i + δ) = target` for δ (the left side increases with δ).
fn shift(xs: &[(f64, f64)], target: f64) -> f64 {
    let total: f64 = xs.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let goal = target.clamp(EPS * total, (1.0 - EPS) * total);
    let f = |d: f64| xs.iter().map(|(x, w)| w * sigmoid(x + d)).sum::<f64>() - goal;
    let (mut lo, mut hi) = (-1.0, 1.0);
    while f(lo) > 0.0 {
        lo *= 2.0;
    }
    while f(hi) < 0.0 {
        hi *= 2.0;
    }
    let mut d = 0.0_f64.clamp(lo, hi);
    for _ in 0..200 {
        let v = f(d);
        if v.abs() <= 1e-14 * total {
            break;
        }
        if v > 0.0 {
            hi = d;
        } else {
            lo = d;
        }
        let slope: f64 = xs.iter().map(|(x, w)| w * sigmoid(x + d) * (1.0 - sigmoid(x + d))).sum();
        let newton = d - v / slope;
        d = if slope > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
    }
    d
}

impl Fit {
    /// Fits the model to `rates[d][k]` (proportions) on the joint `weights` (row-major over sizes).
    ///
    /// ```
    /// use fragnum_indices::logit::Fit;
    /// // One dimension: the model returns the published rates.
    /// let fit = Fit::new(&[2], &[30.0, 70.0], &[vec![0.1, 0.4]], 1e-12, 100).unwrap();
    /// assert!((fit.probability(&[1]) - 0.4).abs() < 1e-9);
    /// ```
    pub fn new(sizes: &[usize], weights: &[f64], rates: &[Vec<f64>], tolerance: f64, max_iter: usize) -> Result<Fit, IndicesError> {
        let n: usize = sizes.iter().product();
        if sizes.is_empty() || n == 0 || weights.len() != n || rates.len() != sizes.len() {
            return Err(IndicesError::Logit(format!("{} weights and {} rate vectors for sizes {sizes:?}", weights.len(), rates.len())));
        }
        for (d, r) in rates.iter().enumerate() {
            if r.len() != sizes[d] || r.iter().any(|p| !(0.0..=1.0).contains(p)) {
                return Err(IndicesError::Logit(format!("dimension {d}: rates must be {} proportions in 0–1", sizes[d])));
            }
        }
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(IndicesError::Logit("weights must be finite and non-negative".into()));
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Err(IndicesError::Logit("the population to fit on is empty".into()));
        }
        let cells = multi_indices(sizes);
        // Category weights per dimension.
        let mut cat_w: Vec<Vec<f64>> = sizes.iter().map(|&s| vec![0.0; s]).collect();
        for (m, w) in cells.iter().zip(weights) {
            for (d, &k) in m.iter().enumerate() {
                cat_w[d][k] += w;
            }
        }
        // Harmonise: each dimension's rates shifted to the mean implied overall rate.
        let implied: Vec<f64> = rates.iter().zip(&cat_w).map(|(r, w)| r.iter().zip(w).map(|(p, w)| p * w).sum::<f64>() / total).collect();
        let overall = implied.iter().sum::<f64>() / implied.len() as f64;
        let targets: Vec<Vec<f64>> = rates
            .iter()
            .zip(&cat_w)
            .map(|(r, w)| {
                let xs: Vec<(f64, f64)> = r.iter().zip(w).map(|(p, w)| (logit(*p), *w)).collect();
                let delta = if rates.len() == 1 { 0.0 } else { shift(&xs, overall * total) };
                r.iter().map(|p| if rates.len() == 1 { *p } else { sigmoid(logit(*p) + delta) }).collect()
            })
            .collect();
        let mut effects: Vec<Vec<f64>> = sizes.iter().map(|&s| vec![0.0; s]).collect();
        effects[0] = targets[0].iter().map(|p| logit(*p)).collect();
        let eta = |effects: &[Vec<f64>], m: &[usize]| m.iter().enumerate().map(|(d, &k)| effects[d][k]).sum::<f64>();
        let mut iterations = 0;
        let mut max_deviation = f64::INFINITY;
        while iterations < max_iter {
            iterations += 1;
            for d in 0..sizes.len() {
                for k in 0..sizes[d] {
                    if cat_w[d][k] <= 0.0 {
                        continue;
                    }
                    let xs: Vec<(f64, f64)> =
                        cells.iter().zip(weights).filter(|(m, _)| m[d] == k).map(|(m, w)| (eta(&effects, m), *w)).collect();
                    effects[d][k] += shift(&xs, targets[d][k] * cat_w[d][k]);
                }
            }
            let mut fitted: Vec<Vec<f64>> = sizes.iter().map(|&s| vec![0.0; s]).collect();
            for (m, w) in cells.iter().zip(weights) {
                let p = sigmoid(eta(&effects, m));
                for (d, &k) in m.iter().enumerate() {
                    fitted[d][k] += w * p;
                }
            }
            max_deviation = 0.0;
            for d in 0..sizes.len() {
                for k in 0..sizes[d] {
                    if cat_w[d][k] > 0.0 {
                        max_deviation = max_deviation.max((fitted[d][k] / cat_w[d][k] - targets[d][k]).abs());
                    }
                }
            }
            if max_deviation <= tolerance {
                break;
            }
        }
        Ok(Fit { sizes: sizes.to_vec(), effects, overall, targets, iterations, max_deviation })
    }

    /// The modelled rate of one joint stratum (one category per dimension).
    pub fn probability(&self, categories: &[usize]) -> f64 {
        sigmoid(categories.iter().enumerate().map(|(d, &k)| self.effects[d][k]).sum())
    }

    /// The modelled rate of every cell, row-major over the sizes.
    pub fn probabilities(&self) -> Vec<f64> {
        multi_indices(&self.sizes).iter().map(|m| self.probability(m)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_consistent_marginals() {
        // Build marginals from a known additive logit model so they are consistent.
        let sizes = [3, 2];
        let weights = [10.0, 30.0, 25.0, 5.0, 15.0, 15.0];
        let truth = [vec![-2.0, -1.0, 0.5], vec![0.0, 1.0]];
        let cells = multi_indices(&sizes);
        let mut num: Vec<Vec<f64>> = vec![vec![0.0; 3], vec![0.0; 2]];
        let mut den: Vec<Vec<f64>> = vec![vec![0.0; 3], vec![0.0; 2]];
        for (m, w) in cells.iter().zip(&weights) {
            let p = sigmoid(truth[0][m[0]] + truth[1][m[1]]);
            for d in 0..2 {
                num[d][m[d]] += w * p;
                den[d][m[d]] += w;
            }
        }
        let rates: Vec<Vec<f64>> = num.iter().zip(&den).map(|(n, d)| n.iter().zip(d).map(|(a, b)| a / b).collect()).collect();
        let fit = Fit::new(&sizes, &weights, &rates, 1e-12, 10_000).unwrap();
        assert!(fit.max_deviation < 1e-10, "{}", fit.max_deviation);
        for (t, r) in fit.targets.iter().flatten().zip(rates.iter().flatten()) {
            assert!((t - r).abs() < 1e-9, "consistent marginals must not move: {t} vs {r}");
        }
        // The joint rates are the true ones (the model is identified up to a constant).
        for m in &cells {
            assert!((fit.probability(m) - sigmoid(truth[0][m[0]] + truth[1][m[1]])).abs() < 1e-8);
        }
    }

    #[test]
    fn inconsistent_marginals_are_harmonised_then_met() {
        let sizes = [2, 2];
        let weights = [25.0, 25.0, 25.0, 25.0];
        // Age implies 20 % overall, diploma implies 30 %.
        let fit = Fit::new(&sizes, &weights, &[vec![0.1, 0.3], vec![0.2, 0.4]], 1e-12, 10_000).unwrap();
        assert!((fit.overall - 0.25).abs() < 1e-12);
        assert!(fit.max_deviation < 1e-10);
        let overall: f64 = fit.probabilities().iter().zip(&weights).map(|(p, w)| p * w).sum::<f64>() / 100.0;
        assert!((overall - 0.25).abs() < 1e-9);
        // Order of categories is kept.
        assert!(fit.targets[0][0] < fit.targets[0][1] && fit.targets[1][0] < fit.targets[1][1]);
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(Fit::new(&[2], &[1.0, 1.0], &[vec![0.1, 1.5]], 1e-12, 10).is_err());
        assert!(Fit::new(&[2], &[0.0, 0.0], &[vec![0.1, 0.5]], 1e-12, 10).is_err());
        assert!(Fit::new(&[2], &[1.0], &[vec![0.1, 0.5]], 1e-12, 10).is_err());
    }

    #[test]
    fn extreme_rates_stay_finite() {
        let fit = Fit::new(&[2, 2], &[1.0; 4], &[vec![0.0, 1.0], vec![0.5, 0.5]], 1e-9, 1000).unwrap();
        assert!(fit.probabilities().iter().all(|p| p.is_finite()));
    }
}
