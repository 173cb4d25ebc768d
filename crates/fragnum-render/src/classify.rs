//! Choropleth classification: quantiles, equal intervals, Fisher–Jenks natural breaks, standard
//! deviations around the mean, and manual breaks.
//!
//! Breaks follow mapclassify's convention so results can be checked against it: `upper[i]` is the
//! upper bound of class `i`, class 0 is `[min, upper[0]]` and class `i > 0` is
//! `(upper[i-1], upper[i]]`; the last upper bound is the maximum of the data.
//!
//! Fisher–Jenks is exact (no sampling): a dynamic programme over the sorted values with prefix
//! sums, each layer solved by divide and conquer over the monotone split point, so
//! `O(k·n·log n)` instead of the classic `O(k·n²)`. It minimises the same objective as
//! mapclassify (sum of squared deviations from the class means).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why values could not be classified.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ClassifyError {
    /// A value is NaN or infinite.
    #[error("value #{index} is not a finite number ({value})")]
    NonFinite {
        /// Position in the input.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The class count is outside 1–12.
    #[error("{0} classes requested; between 1 and 12 are supported")]
    ClassCount(usize),
    /// Manual breaks are empty, not finite or not strictly increasing.
    #[error("manual breaks must be finite and strictly increasing, got {0:?}")]
    ManualBreaks(Vec<f64>),
}

/// How class bounds are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Equal counts per class (linear interpolation between order statistics, as numpy).
    Quantiles,
    /// Classes of equal width between the minimum and the maximum.
    EqualInterval,
    /// Fisher–Jenks exact natural breaks (minimal within-class sum of squares).
    #[default]
    FisherJenks,
    /// Mean ± 1 and 2 standard deviations (sample standard deviation), then the maximum.
    StdMean,
    /// The breaks given in [`Classification::breaks`] (the maximum is added when above the last).
    Manual,
}

impl Method {
    /// The French name written in legends.
    pub fn label_fr(self) -> &'static str {
        match self {
            Method::Quantiles => "quantiles",
            Method::EqualInterval => "intervalles égaux",
            Method::FisherJenks => "seuils naturels (Fisher-Jenks)",
            Method::StdMean => "écarts à la moyenne",
            Method::Manual => "seuils choisis",
        }
    }
}

/// A classification request: method, number of classes and, for [`Method::Manual`], the breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The method.
    pub method: Method,
    /// Number of classes (ignored by `StdMean` and `Manual`).
    pub classes: usize,
    /// Upper bounds for `Manual`.
    #[serde(default)]
    pub breaks: Vec<f64>,
}

impl Default for Classification {
    fn default() -> Self {
        Classification { method: Method::FisherJenks, classes: 5, breaks: Vec::new() }
    }
}

/// The result: class upper bounds plus the data range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breaks {
    /// Smallest classified value.
    pub min: f64,
    /// Largest classified value.
    pub max: f64,
    /// Upper bound of each class, strictly increasing; empty when there was no value.
    pub upper: Vec<f64>,
}

impl Breaks {
    /// Number of classes.
    pub fn len(&self) -> usize {
        self.upper.len()
    }

    /// True when there is no class (no value to classify).
    pub fn is_empty(&self) -> bool {
        self.upper.is_empty()
    }

    /// The class of `v`: the first class whose upper bound is ≥ `v` (values above the last bound
    /// fall in the last class). `None` when there is no class.
    ///
    /// ```
    /// use fragnum_render::classify::Breaks;
    /// let b = Breaks { min: 0.0, max: 9.0, upper: vec![3.0, 6.0, 9.0] };
    /// assert_eq!(b.class_of(3.0), Some(0));
    /// assert_eq!(b.class_of(3.5), Some(1));
    /// assert_eq!(b.class_of(12.0), Some(2));
    /// ```
    pub fn class_of(&self, v: f64) -> Option<usize> {
        if self.upper.is_empty() {
            return None;
        }
        let i = self.upper.partition_point(|&b| b < v);
        Some(i.min(self.upper.len() - 1))
    }

    /// Lower and upper bound of class `i` (class 0 starts at the minimum).
    pub fn bounds(&self, i: usize) -> (f64, f64) {
        let lo = if i == 0 { self.min } else { self.upper[i - 1] };
        (lo, self.upper[i])
    }
}

/// Classifies `values` (any order). Non-finite values are refused.
///
/// ```
/// use fragnum_render::classify::{classify, Classification, Method};
/// let c = Classification { method: Method::EqualInterval, classes: 4, breaks: vec![] };
/// let b = classify(&[0.0, 1.0, 2.0, 8.0], &c).unwrap();
/// assert_eq!(b.upper, vec![2.0, 4.0, 6.0, 8.0]);
/// ```
pub fn classify(values: &[f64], c: &Classification) -> Result<Breaks, ClassifyError> {
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(ClassifyError::NonFinite { index, value });
    }
    if !(1..=12).contains(&c.classes) && !matches!(c.method, Method::Manual | Method::StdMean) {
        return Err(ClassifyError::ClassCount(c.classes));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        if c.method == Method::Manual {
            check_manual(&c.breaks)?;
        }
        return Ok(Breaks { min: f64::NAN, max: f64::NAN, upper: Vec::new() });
    };
    let raw = match c.method {
        Method::Quantiles => quantiles(&sorted, c.classes),
        Method::EqualInterval => equal_interval(min, max, c.classes),
        Method::FisherJenks => fisher_jenks(&sorted, c.classes),
        Method::StdMean => std_mean(&sorted),
        Method::Manual => {
            check_manual(&c.breaks)?;
            let mut b = c.breaks.clone();
            if b.last().is_some_and(|&l| l < max) {
                b.push(max);
            }
            b
        }
    };
    let mut upper: Vec<f64> = Vec::with_capacity(raw.len());
    for b in raw {
        if upper.last().is_none_or(|&l| b > l) {
            upper.push(b);
        }
    }
    Ok(Breaks { min, max, upper })
}

fn check_manual(breaks: &[f64]) -> Result<(), ClassifyError> {
    if breaks.is_empty() || breaks.iter().any(|b| !b.is_finite()) || breaks.windows(2).any(|w| w[1] <= w[0]) {
        return Err(ClassifyError::ManualBreaks(breaks.to_vec()));
    }
    Ok(())
}

/// Percentile of sorted values by linear interpolation (numpy's default, scipy's `fraction`).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    if lo + 1 >= sorted.len() {
        return sorted[sorted.len() - 1];
    }
    let frac = h - lo as f64;
    sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac
}

fn quantiles(sorted: &[f64], k: usize) -> Vec<f64> {
    (1..=k).map(|i| if i == k { percentile(sorted, 100.0) } else { percentile(sorted, 100.0 * i as f64 / k as f64) }).collect()
}

fn equal_interval(min: f64, max: f64, k: usize) -> Vec<f64> {
    let width = (max - min) / k as f64;
    (1..=k).map(|i| if i == k { max } else { min + width * i as f64 }).collect()
}

fn std_mean(sorted: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    let max = sorted[n - 1];
    if n < 2 {
        return vec![max];
    }
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let var = sorted.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    let s = var.sqrt();
    let mut cuts: Vec<f64> = [-2.0, -1.0, 1.0, 2.0].iter().map(|w| mean + s * w).collect();
    if cuts[3] < max {
        cuts.push(max);
    }
    cuts
}

/// Within-class sum of squares of `sorted[a..b]` from prefix sums (values shifted for accuracy).
struct Costs {
    s1: Vec<f64>,
    s2: Vec<f64>,
}

impl Costs {
    fn new(sorted: &[f64]) -> Self {
        let shift = sorted[sorted.len() / 2];
        let mut s1 = Vec::with_capacity(sorted.len() + 1);
        let mut s2 = Vec::with_capacity(sorted.len() + 1);
        let (mut a, mut b) = (0.0, 0.0);
        s1.push(0.0);
        s2.push(0.0);
        for &v in sorted {
            let d = v - shift;
            a += d;
            b += d * d;
            s1.push(a);
            s2.push(b);
        }
        Costs { s1, s2 }
    }

    #[inline]
    fn cost(&self, a: usize, b: usize) -> f64 {
        let n = (b - a) as f64;
        let s = self.s1[b] - self.s1[a];
        (self.s2[b] - self.s2[a] - s * s / n).max(0.0)
    }
}

/// Exact Fisher–Jenks breaks of sorted values into at most `k` classes (fewer when there are
/// fewer distinct values). Returns the upper bound (largest value) of each class.
///
/// ```
/// use fragnum_render::classify::fisher_jenks;
/// assert_eq!(fisher_jenks(&[1.0, 2.0, 3.0, 10.0, 11.0, 12.0], 2), vec![3.0, 12.0]);
/// ```
pub fn fisher_jenks(sorted: &[f64], k: usize) -> Vec<f64> {
    let n = sorted.len();
    if n == 0 || k == 0 {
        return Vec::new();
    }
    let mut distinct: Vec<f64> = sorted.to_vec();
    distinct.dedup();
    if distinct.len() <= k {
        return distinct;
    }
    let costs = Costs::new(sorted);
    // prev[i]: best cost of the first i values in j-1 classes; split[j][i]: start of the last class.
    let mut prev: Vec<f64> = (0..=n).map(|i| if i == 0 { 0.0 } else { costs.cost(0, i) }).collect();
    let mut split: Vec<Vec<usize>> = Vec::with_capacity(k);
    split.push(vec![0; n + 1]);
    for j in 2..=k {
        let mut cur = vec![f64::INFINITY; n + 1];
        let mut arg = vec![0usize; n + 1];
        // Prefixes of i values, j <= i <= n - (k - j) (the rest must still fill k - j classes).
        let hi = n - (k - j);
        solve_layer(&costs, &prev, &mut cur, &mut arg, j, hi, j - 1, hi - 1);
        split.push(arg);
        prev = cur;
    }
    // Walk back from the full prefix.
    let mut ends = Vec::with_capacity(k);
    let mut end = n;
    for j in (1..=k).rev() {
        ends.push(end);
        end = split[j - 1][end];
    }
    ends.reverse();
    ends.into_iter().map(|e| sorted[e - 1]).collect()
}

/// Fills `cur[i]` for `i` in `lo..=hi` knowing the optimal split lies in `opt_lo..=opt_hi`.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn solve_layer(costs: &Costs, prev: &[f64], cur: &mut [f64], arg: &mut [usize], lo: usize, hi: usize, opt_lo: usize, opt_hi: usize) {
    // Iterative stack instead of recursion: (lo, hi, opt_lo, opt_hi).
    let mut stack = vec![(lo, hi, opt_lo, opt_hi)];
    while let Some((lo, hi, opt_lo, opt_hi)) = stack.pop() {
        if lo > hi {
            continue;
        }
        let mid = lo + (hi - lo) / 2;
        let mut best = f64::INFINITY;
        let mut best_m = opt_lo;
        let upper = opt_hi.min(mid - 1);
        for m in opt_lo..=upper {
            let c = prev[m] + costs.cost(m, mid);
            if c < best {
                best = c;
                best_m = m;
            }
        }
        cur[mid] = best;
        arg[mid] = best_m;
        if mid > lo {
            stack.push((lo, mid - 1, opt_lo, best_m));
        }
        stack.push((mid + 1, hi, best_m, opt_hi));
    }
}

/// Sum of squared deviations from class means (the Fisher–Jenks objective) of `sorted` values
/// cut at `upper` bounds. Used to compare two sets of breaks.
pub fn sdcm(sorted: &[f64], upper: &[f64]) -> f64 {
    let mut total = 0.0;
    let mut start = 0;
    for &u in upper {
        let end = sorted.partition_point(|&v| v <= u);
        if end > start {
            let part = &sorted[start..end];
            let mean = part.iter().sum::<f64>() / part.len() as f64;
            total += part.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
        }
        start = end;
    }
    total
}

/// Reference `O(k·n²)` Fisher–Jenks, for tests only.
#[cfg(test)]
#[allow(clippy::needless_range_loop)]
pub(crate) fn fisher_jenks_quadratic(sorted: &[f64], k: usize) -> Vec<f64> {
    let n = sorted.len();
    let costs = Costs::new(sorted);
    let mut d = vec![vec![f64::INFINITY; n + 1]; k + 1];
    let mut s = vec![vec![0usize; n + 1]; k + 1];
    d[0][0] = 0.0;
    for j in 1..=k {
        for i in j..=n {
            for m in (j - 1)..i {
                let c = d[j - 1][m] + costs.cost(m, i);
                if c < d[j][i] {
                    d[j][i] = c;
                    s[j][i] = m;
                }
            }
        }
    }
    let mut ends = Vec::new();
    let mut end = n;
    for j in (1..=k).rev() {
        ends.push(end);
        end = s[j][end];
    }
    ends.reverse();
    ends.into_iter().map(|e| sorted[e - 1]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(method: Method, classes: usize) -> Classification {
        Classification { method, classes, breaks: vec![] }
    }

    fn assert_close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn empty_input_has_no_class() {
        let b = classify(&[], &c(Method::FisherJenks, 5)).unwrap();
        assert!(b.is_empty());
        assert_eq!(b.class_of(1.0), None);
    }

    #[test]
    fn non_finite_is_refused() {
        let err = classify(&[1.0, f64::NAN], &c(Method::Quantiles, 4)).unwrap_err();
        assert!(matches!(err, ClassifyError::NonFinite { index: 1, .. }));
    }

    #[test]
    fn few_distinct_values_give_fewer_classes() {
        let b = classify(&[1.0, 1.0, 2.0, 2.0], &c(Method::FisherJenks, 5)).unwrap();
        assert_eq!(b.upper, vec![1.0, 2.0]);
        let q = classify(&[3.0, 3.0, 3.0], &c(Method::Quantiles, 4)).unwrap();
        assert_eq!(q.upper, vec![3.0]);
    }

    #[test]
    fn manual_breaks_add_max_and_reject_disorder() {
        let mut m = c(Method::Manual, 0);
        m.breaks = vec![10.0, 20.0];
        let b = classify(&[5.0, 15.0, 30.0], &m).unwrap();
        assert_eq!(b.upper, vec![10.0, 20.0, 30.0]);
        m.breaks = vec![20.0, 10.0];
        assert!(classify(&[5.0], &m).is_err());
    }

    /// Pseudo-random values (xorshift), deterministic.
    pub(crate) fn sample(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = fragnum_core::rng::Rng::new(seed, 0);
        // Skewed, like rates and counts.
        (0..n).map(|_| (rng.unit().powi(2) * 1000.0).round() / 10.0).collect()
    }

    #[test]
    fn divide_and_conquer_matches_quadratic_optimum() {
        for seed in 1..30u64 {
            let mut v = sample(60 + seed as usize * 7, seed * 7919);
            v.sort_by(f64::total_cmp);
            for k in 2..=7 {
                let fast = fisher_jenks(&v, k);
                let slow = fisher_jenks_quadratic(&v, k);
                let (a, b) = (sdcm(&v, &fast), sdcm(&v, &slow));
                assert!((a - b).abs() <= 1e-9 * b.max(1.0), "seed {seed} k {k}: {a} vs {b}");
            }
        }
    }

    // Expected breaks below were printed by `benches/jenks_mapclassify.py --fixtures` with
    // mapclassify 2.10.0 and numpy 2.4.6 (the bench venv): FisherJenks(y, k).bins,
    // Quantiles(y, k).bins, EqualInterval(y, k).bins, StdMean(y).bins, UserDefined(y, bins).bins.
    // The same arrays are in that script (A and B); `mapclassify_fixtures_when_venv_present`
    // re-runs it when the venv exists.
    pub(crate) const A: [f64; 20] =
        [1.0, 2.0, 2.5, 3.0, 4.0, 7.0, 8.0, 9.0, 9.5, 10.0, 15.0, 16.0, 16.5, 17.0, 30.0, 31.0, 33.0, 50.0, 52.0, 75.0];
    pub(crate) const B: [f64; 12] = [12.5, 3.25, 47.0, 8.0, 19.75, 22.0, 5.5, 31.0, 14.0, 40.5, 9.0, 27.25];

    #[test]
    fn fisher_jenks_matches_mapclassify() {
        assert_close(&classify(&A, &c(Method::FisherJenks, 5)).unwrap().upper, &[10.0, 17.0, 33.0, 52.0, 75.0]);
        assert_close(&classify(&A, &c(Method::FisherJenks, 3)).unwrap().upper, &[17.0, 33.0, 75.0]);
        assert_close(&classify(&B, &c(Method::FisherJenks, 4)).unwrap().upper, &[9.0, 22.0, 31.0, 47.0]);
        // mapclassify's yb (class of each value) for A, k = 5.
        let b = classify(&A, &c(Method::FisherJenks, 5)).unwrap();
        let yb: Vec<usize> = A.iter().map(|&v| b.class_of(v).unwrap()).collect();
        assert_eq!(yb, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4]);
    }

    #[test]
    fn quantiles_match_mapclassify() {
        assert_close(&classify(&A, &c(Method::Quantiles, 4)).unwrap().upper, &[6.25, 12.5, 30.25, 75.0]);
        assert_close(&classify(&B, &c(Method::Quantiles, 5)).unwrap().upper, &[8.2, 13.100000000000001, 21.1, 30.250000000000004, 47.0]);
    }

    #[test]
    fn equal_interval_matches_mapclassify() {
        assert_close(&classify(&A, &c(Method::EqualInterval, 5)).unwrap().upper, &[15.8, 30.6, 45.400000000000006, 60.2, 75.0]);
        assert_close(&classify(&B, &c(Method::EqualInterval, 3)).unwrap().upper, &[17.833333333333336, 32.41666666666667, 47.0]);
    }

    /// Re-runs mapclassify on A and B when the bench venv the Makefile builds (`target/bench-venv`
    /// of the workspace) exists; skips otherwise.
    #[test]
    fn mapclassify_fixtures_when_venv_present() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let python = root.join("target/bench-venv/bin/python");
        if !python.exists() {
            eprintln!("skipping: target/bench-venv absent (`make target/bench-venv/bin/python` builds it, with mapclassify and numpy)");
            return;
        }
        let script = root.join("benches/jenks_mapclassify.py");
        let out = std::process::Command::new(python).arg(script).arg("--fixtures").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let get = |key: &str| -> Vec<f64> {
            let line = text.lines().find_map(|l| l.strip_prefix(&format!("{key}: "))).unwrap();
            serde_json::from_str(line).unwrap()
        };
        let check = |values: &[f64], method: Method, k: usize, key: &str| {
            assert_close(&classify(values, &c(method, k)).unwrap().upper, &get(key));
        };
        check(&A, Method::FisherJenks, 5, "fj_A5");
        check(&A, Method::FisherJenks, 3, "fj_A3");
        check(&B, Method::FisherJenks, 4, "fj_B4");
        check(&A, Method::Quantiles, 4, "q_A4");
        check(&B, Method::Quantiles, 5, "q_B5");
        check(&A, Method::EqualInterval, 5, "ei_A5");
        check(&B, Method::EqualInterval, 3, "ei_B3");
        check(&A, Method::StdMean, 5, "sm_A");
        check(&B, Method::StdMean, 5, "sm_B");
    }

    #[test]
    fn user_defined_matches_mapclassify() {
        let mut m = c(Method::Manual, 0);
        m.breaks = vec![10.0, 20.0, 40.0];
        assert_close(&classify(&A, &m).unwrap().upper, &[10.0, 20.0, 40.0, 75.0]);
    }

    #[test]
    fn std_mean_matches_mapclassify() {
        assert_close(
            &classify(&A, &c(Method::StdMean, 5)).unwrap().upper,
            &[-20.367425670220033, -0.3962128351100169, 39.54621283511001, 59.517425670220035, 75.0],
        );
        // No maximum appended when mean + 2 sd is above it.
        assert_close(
            &classify(&B, &c(Method::StdMean, 5)).unwrap().upper,
            &[-8.143501586843161, 5.917832539911753, 34.040500793421586, 48.1018349201765],
        );
    }
}
