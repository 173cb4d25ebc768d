//! Social precarity score of the zones of one level.
//!
//! Each configured variable is expressed relative to its **arithmetic mean over the zones of the
//! level in the study perimeter** that have a value (`value / mean`, or `mean / value` for an
//! inverse variable such as median income), so 1 means "as the average zone". The score is
//! `100 × Σ w·relative / Σ w` over the variables the zone has: when a variable is missing in a
//! zone its weight is dropped and the others re-normalised, and the zone is flagged with the
//! missing names — never a silent zero. Rank 1 is the most precarious zone; classes are quantile
//! classes (1 = least precarious … `classes` = most).

use crate::settings::Direction;

/// One variable's definition as the scorer needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Name (for flags).
    pub name: String,
    /// Weight.
    pub weight: f64,
    /// Direction.
    pub direction: Direction,
}

/// The social result of one zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SocialScore {
    /// Score, base 100 = the average zone.
    pub score: Option<f64>,
    /// 1 = highest score within the level.
    pub rank: Option<usize>,
    /// Quantile class, 1 (least precarious) to `classes`.
    pub class: Option<usize>,
    /// Variables missing in this zone (weights re-normalised over the others).
    pub missing: Vec<String>,
}

/// Scores the zones of one level. `values[v][z]` is variable `v` in zone `z`.
///
/// ```
/// use fragnum_indices::settings::Direction;
/// use fragnum_indices::social::{score_level, Spec};
/// let specs = [Spec { name: "chomage".into(), weight: 1.0, direction: Direction::Direct }];
/// let s = score_level(&[vec![Some(0.1), Some(0.3)]], &specs, 2);
/// assert!((s[1].score.unwrap() - 150.0).abs() < 1e-9);
/// assert_eq!((s[1].rank, s[1].class), (Some(1), Some(2)));
/// ```
pub fn score_level(values: &[Vec<Option<f64>>], specs: &[Spec], classes: usize) -> Vec<SocialScore> {
    let n = values.first().map_or(0, Vec::len);
    let means: Vec<Option<f64>> = values
        .iter()
        .map(|v| {
            let present: Vec<f64> = v.iter().flatten().copied().collect();
            (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
        })
        .collect();
    let mut out: Vec<SocialScore> = (0..n)
        .map(|z| {
            let mut num = 0.0;
            let mut den = 0.0;
            let mut missing = Vec::new();
            for ((spec, vals), mean) in specs.iter().zip(values).zip(&means) {
                let relative = match (vals[z], mean) {
                    (Some(v), Some(m)) if *m != 0.0 => match spec.direction {
                        Direction::Direct => Some(v / m),
                        Direction::Inverse if v > 0.0 => Some(m / v),
                        Direction::Inverse => None,
                    },
                    _ => None,
                };
                match relative {
                    Some(r) => {
                        num += spec.weight * r;
                        den += spec.weight;
                    }
                    None => missing.push(spec.name.clone()),
                }
            }
            SocialScore { score: (den > 0.0).then(|| 100.0 * num / den), rank: None, class: None, missing }
        })
        .collect();
    let mut scores: Vec<f64> = out.iter().filter_map(|s| s.score).collect();
    scores.sort_by(f64::total_cmp);
    let count = scores.len();
    for s in &mut out {
        if let Some(v) = s.score {
            let less = scores.partition_point(|x| *x < v);
            let greater = count - scores.partition_point(|x| *x <= v);
            s.rank = Some(greater + 1);
            s.class = Some(less * classes.max(1) / count + 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<Spec> {
        vec![
            Spec { name: "chomage".into(), weight: 2.0, direction: Direction::Direct },
            Spec { name: "revenu".into(), weight: 1.0, direction: Direction::Inverse },
        ]
    }

    #[test]
    fn hand_computed_scores_with_renormalised_weights() {
        // chomage mean 0.2; revenu mean over the two zones that have it: 20 000.
        let values = vec![vec![Some(0.1), Some(0.3), Some(0.2)], vec![Some(25_000.0), Some(15_000.0), None]];
        let s = score_level(&values, &specs(), 3);
        // zone 0: (2 × 0.5 + 1 × 0.8) / 3 = 0.6
        assert!((s[0].score.unwrap() - 60.0).abs() < 1e-9);
        // zone 1: (2 × 1.5 + 1 × 4/3) / 3
        assert!((s[1].score.unwrap() - 100.0 * (3.0 + 4.0 / 3.0) / 3.0).abs() < 1e-9);
        // zone 2: revenu missing → chomage alone, flagged.
        assert!((s[2].score.unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(s[2].missing, vec!["revenu"]);
        assert_eq!(s.iter().map(|x| x.rank.unwrap()).collect::<Vec<_>>(), vec![3, 1, 2]);
        assert_eq!(s.iter().map(|x| x.class.unwrap()).collect::<Vec<_>>(), vec![1, 3, 2]);
    }

    #[test]
    fn zone_with_nothing_has_no_score_and_average_zone_scores_100() {
        let values = vec![vec![Some(0.2), Some(0.2), None], vec![Some(1.0), Some(1.0), None]];
        let s = score_level(&values, &specs(), 5);
        assert!((s[0].score.unwrap() - 100.0).abs() < 1e-12);
        assert_eq!(s[2].score, None);
        assert_eq!(s[2].missing.len(), 2);
        assert_eq!(s[0].rank, Some(1));
        assert_eq!(s[1].rank, Some(1));
    }
}
