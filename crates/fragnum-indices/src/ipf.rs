//! Iterative proportional fitting (raking): the joint table of a zone's strata (age × diploma × …)
//! estimated from its marginal counts.
//!
//! Cells are stored row-major over `sizes` (last dimension fastest). A margin covers one or more
//! dimensions (`[0]` for the age margin, `[0, 1]` for an age × sex table) and gives a target count
//! per cell of that sub-table. All margins must have the same total (callers rescale margins to a
//! common universe first). Starting from a seed (ones by default: no prior association), each
//! sweep scales the table to match every margin in turn, until every margin is met to `tolerance`.

use crate::IndicesError;

/// Target counts over a subset of the dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    /// Dimension indices covered, increasing.
    pub dims: Vec<usize>,
    /// Targets, row-major over the covered dimensions.
    pub targets: Vec<f64>,
}

/// A fitted joint table.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Cell counts, row-major over the sizes.
    pub cells: Vec<f64>,
    /// Sweeps done.
    pub iterations: usize,
    /// Largest absolute difference between a margin and its target after the last sweep.
    pub max_deviation: f64,
}

/// Every cell's category per dimension, in row-major order (the last dimension varies fastest):
/// the one enumeration of a joint table's cells, for IPF and the logit fit.
pub(crate) fn multi_indices(sizes: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = sizes.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut m = vec![0usize; sizes.len()];
    for _ in 0..n {
        out.push(m.clone());
        for d in (0..sizes.len()).rev() {
            m[d] += 1;
            if m[d] < sizes[d] {
                break;
            }
            m[d] = 0;
        }
    }
    out
}

/// For each cell, its index in the margin's sub-table.
fn margin_index(sizes: &[usize], dims: &[usize]) -> Vec<usize> {
    multi_indices(sizes).iter().map(|m| dims.iter().fold(0, |k, &d| k * sizes[d] + m[d])).collect()
}

/// Fits a joint table to `margins`.
///
/// ```
/// use fragnum_indices::ipf::{fit, Margin};
/// let age = Margin { dims: vec![0], targets: vec![30.0, 70.0] };
/// let diploma = Margin { dims: vec![1], targets: vec![60.0, 40.0] };
/// let t = fit(&[2, 2], None, &[age, diploma], 1e-12, 100).unwrap();
/// assert!((t.cells[0] - 18.0).abs() < 1e-9); // 30 × 60 / 100: independence from a flat seed
/// ```
pub fn fit(sizes: &[usize], seed: Option<&[f64]>, margins: &[Margin], tolerance: f64, max_iter: usize) -> Result<Fitted, IndicesError> {
    let n: usize = sizes.iter().product();
    if n == 0 || sizes.is_empty() {
        return Err(IndicesError::Ipf("the joint table has no cell".into()));
    }
    let mut cells = match seed {
        Some(s) if s.len() != n => return Err(IndicesError::Ipf(format!("seed has {} cells, the table {n}", s.len()))),
        Some(s) if s.iter().any(|v| !v.is_finite() || *v < 0.0) => {
            return Err(IndicesError::Ipf("seed cells must be finite and non-negative".into()));
        }
        Some(s) => s.to_vec(),
        None => vec![1.0; n],
    };
    let mut total: Option<f64> = None;
    let mut index = Vec::with_capacity(margins.len());
    for (m_no, m) in margins.iter().enumerate() {
        if m.dims.is_empty() || m.dims.windows(2).any(|w| w[0] >= w[1]) || m.dims.iter().any(|&d| d >= sizes.len()) {
            return Err(IndicesError::Ipf(format!(
                "margin {m_no}: dimensions {:?} are not increasing indices below {}",
                m.dims,
                sizes.len()
            )));
        }
        let len: usize = m.dims.iter().map(|&d| sizes[d]).product();
        if m.targets.len() != len {
            return Err(IndicesError::Ipf(format!("margin {m_no}: {} targets for {len} cells", m.targets.len())));
        }
        if m.targets.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(IndicesError::Ipf(format!("margin {m_no}: targets must be finite and non-negative")));
        }
        let t: f64 = m.targets.iter().sum();
        match total {
            Some(first) if (t - first).abs() > 1e-9 * first.abs().max(1.0) => {
                return Err(IndicesError::Ipf(format!(
                    "margin {m_no} totals {t}, margin 0 totals {first}: rescale margins to one universe first"
                )));
            }
            _ => total = total.or(Some(t)),
        }
        index.push(margin_index(sizes, &m.dims));
    }
    let scale = total.unwrap_or(0.0).abs().max(1.0);
    let mut sums = Vec::new();
    let mut max_deviation = f64::INFINITY;
    let mut iterations = 0;
    while iterations < max_iter {
        iterations += 1;
        for (m, idx) in margins.iter().zip(&index) {
            sums.clear();
            sums.resize(m.targets.len(), 0.0);
            for (c, &k) in cells.iter().zip(idx) {
                sums[k] += c;
            }
            for (c, &k) in cells.iter_mut().zip(idx) {
                if sums[k] > 0.0 {
                    *c *= m.targets[k] / sums[k];
                }
            }
        }
        max_deviation = 0.0;
        for (m, idx) in margins.iter().zip(&index) {
            sums.clear();
            sums.resize(m.targets.len(), 0.0);
            for (c, &k) in cells.iter().zip(idx) {
                sums[k] += c;
            }
            for (s, t) in sums.iter().zip(&m.targets) {
                max_deviation = max_deviation.max((s - t).abs());
            }
        }
        if max_deviation <= tolerance * scale {
            break;
        }
    }
    if max_deviation > 1e-6 * scale {
        return Err(IndicesError::Ipf(format!(
            "no convergence after {iterations} sweeps (largest margin gap {max_deviation:.3e}); the seed has zero cells where a margin needs people"
        )));
    }
    Ok(Fitted { cells, iterations, max_deviation })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn margin_sums(sizes: &[usize], cells: &[f64], dims: &[usize]) -> Vec<f64> {
        let idx = margin_index(sizes, dims);
        let len: usize = dims.iter().map(|&d| sizes[d]).product();
        let mut s = vec![0.0; len];
        for (c, k) in cells.iter().zip(idx) {
            s[k] += c;
        }
        s
    }

    #[test]
    fn reproduces_three_margins_to_1e9_with_a_seed() {
        let sizes = [3, 2, 4];
        let seed: Vec<f64> = (0..24).map(|i| 1.0 + f64::from(i % 7)).collect();
        let margins = vec![
            Margin { dims: vec![0], targets: vec![120.0, 300.5, 79.5] },
            Margin { dims: vec![1], targets: vec![260.0, 240.0] },
            Margin { dims: vec![2], targets: vec![50.0, 150.0, 200.0, 100.0] },
        ];
        let t = fit(&sizes, Some(&seed), &margins, 1e-13, 10_000).unwrap();
        for m in &margins {
            for (s, target) in margin_sums(&sizes, &t.cells, &m.dims).iter().zip(&m.targets) {
                assert!((s - target).abs() < 1e-9, "{s} vs {target}");
            }
        }
    }

    #[test]
    fn two_dimensional_margin_with_a_one_dimensional_one() {
        // age × sex known jointly, diploma separately.
        let sizes = [2, 2, 3];
        let margins = vec![
            Margin { dims: vec![0, 1], targets: vec![10.0, 20.0, 30.0, 40.0] },
            Margin { dims: vec![2], targets: vec![25.0, 25.0, 50.0] },
        ];
        let t = fit(&sizes, None, &margins, 1e-13, 1000).unwrap();
        let s = margin_sums(&sizes, &t.cells, &[0, 1]);
        for (a, b) in s.iter().zip(&margins[0].targets) {
            assert!((a - b).abs() < 1e-9);
        }
        assert!((t.cells[0] - 10.0 * 0.25).abs() < 1e-9);
    }

    #[test]
    fn inconsistent_totals_and_bad_targets_are_errors() {
        let m = vec![Margin { dims: vec![0], targets: vec![1.0, 2.0] }, Margin { dims: vec![1], targets: vec![1.0, 1.0] }];
        assert!(fit(&[2, 2], None, &m, 1e-12, 100).unwrap_err().to_string().contains("rescale"));
        let m = vec![Margin { dims: vec![0], targets: vec![-1.0, 2.0] }];
        assert!(fit(&[2], None, &m, 1e-12, 100).is_err());
        let m = vec![Margin { dims: vec![1, 0], targets: vec![1.0; 4] }];
        assert!(fit(&[2, 2], None, &m, 1e-12, 100).is_err());
    }

    #[test]
    fn zero_seed_where_people_are_needed_does_not_converge() {
        let m = vec![Margin { dims: vec![0], targets: vec![5.0, 5.0] }, Margin { dims: vec![1], targets: vec![5.0, 5.0] }];
        let seed = [1.0, 0.0, 0.0, 0.0];
        assert!(fit(&[2, 2], Some(&seed), &m, 1e-12, 50).is_err());
    }
}
