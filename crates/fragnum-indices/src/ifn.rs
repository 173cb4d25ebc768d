//! Indice de fragilité numérique, `MedNum` 2020 (base 100), exactly as published.
//!
//! Six indicators in four axes. For a zone *i* and a reference territory *R*, each indicator's
//! point is `100 × value_i / value_R`, where `value_R` is the aggregate over *R* (Σ numerators /
//! Σ denominators, not a mean of zone shares):
//!
//! | axis | indicator | default expression |
//! |---|---|---|
//! | accès à l'information | one-person households | `men_pseul/men` |
//! | accès à l'information | single-parent families | `fam_mono/fam` (families, not households) |
//! | accès aux interfaces numériques | median disposable income | `disp_med` of the **commune** |
//! | compétences administratives | aged 15–29 | `pop_1529/pop` |
//! | compétences numériques / scolaires | aged 65+ | `pop_65p/pop` |
//! | compétences numériques / scolaires | no or low diploma | `nscol15p_diplmin/nscol15p` |
//!
//! Axis score = mean of its points; global access = (3 access points) / 3; global skills =
//! (3 skills points) / 3; global score = (6 points) / 6 — equal weight per indicator, not per axis.
//!
//! **Direction caveat.** The published 2020 scores use `100 × income / reference` too, so a richer
//! commune scores *higher* (more fragile) on the interfaces axis — most likely a design slip, but
//! [`IfnVariant::Ifn2020`] reproduces it for comparability; [`IfnVariant::Ifn2020IncomeInverted`]
//! uses `100 × reference / income`.

use crate::settings::IfnVariant;

/// The six indicator values of a zone or a reference territory (shares as proportions, income in
/// euros), in this order: one-person households, single-parent families, income, aged 15–29,
/// aged 65+, low diploma.
pub type IfnInputs = [f64; 6];

/// French names of the six inputs, in the order of [`IfnInputs`], as written in `ifn_missing` and
/// the fact sheets (the income one when it is read from the commune; [`INCOME_LABEL`] otherwise).
pub const INPUT_LABELS: [&str; 6] = [
    "part des ménages d’une personne",
    "part des familles monoparentales",
    "revenu médian communal",
    "part des 15–29 ans",
    "part des 65 ans ou plus",
    "part des non ou peu diplômés",
];

/// French name of the income input when it is read from the zone itself.
pub const INCOME_LABEL: &str = "revenu médian";

/// The published scores of one zone against one reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IfnScores {
    /// Accès à l'information (mean of 2 points).
    pub acces_information: f64,
    /// Accès aux interfaces numériques (income point).
    pub acces_interfaces_numeriques: f64,
    /// Compétences administratives (15–29 point).
    pub competences_administratives: f64,
    /// Compétences numériques / scolaires (mean of 2 points).
    pub competences_numeriques_scolaires: f64,
    /// Global access (3 points / 3).
    pub global_acces: f64,
    /// Global skills (3 points / 3).
    pub global_competences: f64,
    /// Global score (6 points / 6).
    pub score_global: f64,
}

impl IfnScores {
    /// Names of the scores, in the order of [`IfnScores::values`].
    pub const NAMES: [&'static str; 7] = [
        "acces_information",
        "acces_interfaces_numeriques",
        "competences_administratives",
        "competences_numeriques_scolaires",
        "global_acces",
        "global_competences",
        "score_global",
    ];

    /// The scores in the order of [`IfnScores::NAMES`].
    pub fn values(&self) -> [f64; 7] {
        [
            self.acces_information,
            self.acces_interfaces_numeriques,
            self.competences_administratives,
            self.competences_numeriques_scolaires,
            self.global_acces,
            self.global_competences,
            self.score_global,
        ]
    }
}

/// Scores `zone` against `reference`; `None` when a reference value is not positive or, for the
/// inverted variant, the zone's income is zero.
///
/// ```
/// use fragnum_indices::ifn::score;
/// use fragnum_indices::settings::IfnVariant;
/// let reference = [0.36, 0.14, 21_802.0, 0.16, 0.20, 0.25];
/// let s = score(&reference, &reference, IfnVariant::Ifn2020).unwrap();
/// assert!((s.score_global - 100.0).abs() < 1e-12);
/// ```
// Written `(a + b) / 2` as the published method is, not `f64::midpoint`.
#[allow(clippy::manual_midpoint)]
pub fn score(zone: &IfnInputs, reference: &IfnInputs, variant: IfnVariant) -> Option<IfnScores> {
    if reference.iter().any(|r| !(r.is_finite() && *r > 0.0)) || zone.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut p = [0.0; 6];
    for i in 0..6 {
        p[i] = 100.0 * zone[i] / reference[i];
    }
    if variant == IfnVariant::Ifn2020IncomeInverted {
        if zone[2] <= 0.0 {
            return None;
        }
        p[2] = 100.0 * reference[2] / zone[2];
    }
    Some(IfnScores {
        acces_information: (p[0] + p[1]) / 2.0,
        acces_interfaces_numeriques: p[2],
        competences_administratives: p[3],
        competences_numeriques_scolaires: (p[4] + p[5]) / 2.0,
        global_acces: (p[0] + p[1] + p[2]) / 3.0,
        global_competences: (p[3] + p[4] + p[5]) / 3.0,
        score_global: p.iter().sum::<f64>() / 6.0,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn hand_computed_scores() {
        let reference = [0.4, 0.1, 20_000.0, 0.2, 0.2, 0.25];
        let zone = [0.6, 0.1, 30_000.0, 0.1, 0.3, 0.25];
        // points 150, 100, 150, 50, 150, 100
        let s = score(&zone, &reference, IfnVariant::Ifn2020).unwrap();
        assert!((s.acces_information - 125.0).abs() < 1e-12);
        assert!((s.acces_interfaces_numeriques - 150.0).abs() < 1e-12);
        assert!((s.competences_administratives - 50.0).abs() < 1e-12);
        assert!((s.competences_numeriques_scolaires - 125.0).abs() < 1e-12);
        assert!((s.global_acces - 400.0 / 3.0).abs() < 1e-12);
        assert!((s.global_competences - 100.0).abs() < 1e-12);
        assert!((s.score_global - 700.0 / 6.0).abs() < 1e-12);
        let inv = score(&zone, &reference, IfnVariant::Ifn2020IncomeInverted).unwrap();
        assert!((inv.acces_interfaces_numeriques - 200.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn zone_equal_to_reference_scores_exactly_100_and_bad_reference_is_none() {
        let r = [0.3, 0.2, 18_000.0, 0.1, 0.3, 0.2];
        for v in [IfnVariant::Ifn2020, IfnVariant::Ifn2020IncomeInverted] {
            assert!(score(&r, &r, v).unwrap().values().iter().all(|s| (*s - 100.0).abs() < 1e-12));
        }
        assert!(score(&r, &[0.0, 0.2, 1.0, 0.1, 0.3, 0.2], IfnVariant::Ifn2020).is_none());
    }

    /// Reproduces the published Savoie scores from the raw counts and published reference shares.
    #[test]
    fn reproduces_published_ifn_2020_savoie() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/reference/ifn-2020.38-73.csv");
        if !data.exists() {
            println!("skipped: {} is absent", data.display());
            return;
        }
        let mut reader = csv::Reader::from_path(&data).unwrap();
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
        let num = |rec: &csv::StringRecord, name: &str| rec.get(col(name)).and_then(|v| v.parse::<f64>().ok());
        let (mut rows, mut max_diff, mut worst) = (0, 0.0_f64, String::new());
        for rec in reader.records() {
            let rec = rec.unwrap();
            let Some(pop) = num(&rec, "raw_P16_POP") else { continue };
            let zone = [
                num(&rec, "raw_C16_MENPSEUL").unwrap() / num(&rec, "raw_C16_MEN").unwrap(),
                num(&rec, "raw_C16_FAMMONO").unwrap() / num(&rec, "raw_C16_FAM").unwrap(),
                num(&rec, "raw_revenu_median_commune_MED15").unwrap(),
                num(&rec, "raw_P16_POP1529").unwrap() / pop,
                num(&rec, "raw_P16_POP65P").unwrap() / pop,
                num(&rec, "raw_P16_NSCOL15P_DIPLMIN").unwrap() / num(&rec, "raw_P16_NSCOL15P").unwrap(),
            ];
            for (suffix, prefix) in [("dep", "ref_dep_"), ("reg", "ref_reg_")] {
                let reference = [
                    num(&rec, &format!("{prefix}part_menages_1pers")).unwrap(),
                    num(&rec, &format!("{prefix}part_familles_monoparentales")).unwrap(),
                    num(&rec, &format!("{prefix}revenu_median")).unwrap(),
                    num(&rec, &format!("{prefix}part_15_29")).unwrap(),
                    num(&rec, &format!("{prefix}part_65plus")).unwrap(),
                    num(&rec, &format!("{prefix}part_non_peu_diplomes")).unwrap(),
                ];
                let s = score(&zone, &reference, IfnVariant::Ifn2020).unwrap();
                for (name, value) in IfnScores::NAMES.iter().zip(s.values()) {
                    let Some(published) = num(&rec, &format!("{name}_{suffix}")) else { continue };
                    let d = (value - published).abs();
                    if d > max_diff {
                        max_diff = d;
                        worst = format!("{} {name}_{suffix}: {value} vs {published}", &rec[0]);
                    }
                }
            }
            rows += 1;
        }
        println!("IFN 2020 reproduction: {rows} Savoie IRIS, 7 scores × 2 references, max |diff| = {max_diff:.3e} ({worst})");
        assert!(rows > 300, "only {rows} rows with raw inputs");
        assert!(max_diff <= 1e-6, "max |diff| = {max_diff} ({worst})");
    }
}
