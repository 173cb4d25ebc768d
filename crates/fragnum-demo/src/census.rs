//! Synthetic census, income and benefit counts for each area, from its population, remoteness
//! and poverty. Magnitudes follow INSEE orders of size (IRIS ≈ 2,000 residents, 2.1 people per
//! household, 7–25 % unemployment); the numbers themselves are invented.

use crate::territory::Area;
use fragnum_core::rng::Rng;

/// Every count the demo tables publish for one area.
pub struct Counts {
    /// Men by age band (see [`crate::territory::AGE_BANDS`]).
    pub men_by_age: [f64; 6],
    /// Women by age band.
    pub women_by_age: [f64; 6],
    /// People aged 15+ by socio-professional category CS1…CS8.
    pub cs: [f64; 8],
    /// People aged 15+ out of school, by highest diploma: none/CEP, BEPC, CAP-BEP, bac, bac+2, bac+3/4, bac+5.
    pub diplomas: [f64; 7],
    /// Residents aged 15–64.
    pub pop_1564: f64,
    /// Active residents 15–64.
    pub active: f64,
    /// Unemployed residents 15–64.
    pub unemployed: f64,
    /// Households.
    pub households: f64,
    /// One-person households.
    pub single: f64,
    /// Families.
    pub families: f64,
    /// Single-parent families.
    pub single_parent: f64,
    /// Median disposable income per consumption unit, euros.
    pub median_income: f64,
    /// Poverty rate at 60 % of the median, percent.
    pub poverty_rate: f64,
    /// Share of social benefits in disposable income, percent.
    pub benefits_share: f64,
    /// Share of minimum social benefits (RSA, AAH…) in disposable income, percent.
    pub minima_share: f64,
    /// CAF households receiving any benefit.
    pub caf_households: f64,
    /// CAF households receiving the RSA.
    pub caf_rsa: f64,
    /// CAF households receiving the AAH.
    pub caf_aah: f64,
    /// CAF households receiving the prime d'activité.
    pub caf_prime: f64,
    /// CAF households receiving housing aid.
    pub caf_housing: f64,
}

impl Counts {
    /// Total population.
    pub fn population(&self) -> f64 {
        self.men_by_age.iter().sum::<f64>() + self.women_by_age.iter().sum::<f64>()
    }

    /// Population of age band `i`.
    pub fn band(&self, i: usize) -> f64 {
        self.men_by_age[i] + self.women_by_age[i]
    }

    /// Residents aged 15 and over.
    pub fn pop_15p(&self) -> f64 {
        self.population() - self.band(0)
    }
}

fn normalise(shares: &mut [f64]) {
    let total: f64 = shares.iter().sum();
    for s in shares.iter_mut() {
        *s /= total;
    }
}

/// Draws the counts of one area.
pub fn counts(area: &Area, rng: &mut Rng) -> Counts {
    let r = area.remoteness;
    let p = area.poverty;
    // Age structure: a young city, an old valley; poorer neighbourhoods have more children.
    let young = [0.17, 0.21, 0.21, 0.18, 0.14, 0.09];
    let old = [0.11, 0.10, 0.14, 0.22, 0.24, 0.19];
    let mut ages: Vec<f64> = (0..6).map(|i| rng.jitter(young[i] * (1.0 - r) + old[i] * r, 0.08)).collect();
    ages[0] *= 1.0 + 0.3 * p;
    normalise(&mut ages);
    let female_share = [0.49, 0.50, 0.51, 0.51, 0.53, 0.62];
    let pop = area.population;
    let mut men_by_age = [0.0; 6];
    let mut women_by_age = [0.0; 6];
    for i in 0..6 {
        let band = pop * ages[i];
        let f = rng.jitter(female_share[i], 0.03).min(0.7);
        women_by_age[i] = band * f;
        men_by_age[i] = band * (1.0 - f);
    }
    let band = |i: usize| men_by_age[i] + women_by_age[i];
    let pop_15p = pop - band(0);
    let seniors = band(4) + band(5);

    // Socio-professional categories of people aged 15+.
    let mut cs = [
        0.002 + 0.04 * r * r,
        0.03 + 0.02 * r,
        0.16 * (1.0 - p) + 0.02,
        0.15 - 0.03 * p,
        0.15 + 0.04 * p,
        0.08 + 0.12 * p + 0.04 * r,
        seniors / pop_15p * 0.95,
        0.12 + 0.06 * p,
    ];
    for c in &mut cs {
        *c = rng.jitter(*c, 0.06);
    }
    normalise(&mut cs);
    let cs = cs.map(|c| c * pop_15p);

    // Diplomas of people out of school (students ≈ 60 % of the 15–29).
    let nscol = pop_15p - 0.6 * band(1) * (1.0 - 0.5 * r);
    let mut diplomas = [
        0.14 + 0.22 * p + 0.08 * r,
        0.05,
        0.20 + 0.08 * p + 0.06 * r,
        0.17,
        0.13 - 0.04 * p,
        0.13 * (1.0 - p) + 0.02,
        0.14 * (1.0 - p) * (1.0 - r) + 0.01,
    ];
    for d in &mut diplomas {
        *d = rng.jitter(*d, 0.06);
    }
    normalise(&mut diplomas);
    let diplomas = diplomas.map(|d| d * nscol);

    let pop_1564 = band(1) * 14.0 / 15.0 + band(2) + band(3) + band(4) / 3.0;
    let active = pop_1564 * rng.jitter(0.76 - 0.06 * p - 0.04 * r, 0.03);
    let unemployed = active * rng.jitter(0.06 + 0.18 * p, 0.08);

    let size = 2.25 - 0.25 * (1.0 - p) * (1.0 - r) - 0.15 * r;
    let households = pop * 0.985 / rng.jitter(size, 0.04);
    let single = households * rng.jitter(0.30 + 0.15 * (1.0 - r) + 0.05 * r, 0.06);
    let families = (households - single) * 0.93;
    let single_parent = families * rng.jitter(0.10 + 0.20 * p, 0.08);

    let median_income = rng.jitter(25_500.0 - 11_000.0 * p - 1_500.0 * r, 0.03);
    let poverty_rate = rng.jitter(6.0 + 34.0 * p * p + 4.0 * r, 0.06);
    let benefits_share = rng.jitter(3.0 + 20.0 * p * p + 2.0 * r, 0.06);
    let minima_share = rng.jitter(0.8 + 7.0 * p * p, 0.08);

    let caf_households = households * rng.jitter(0.22 + 0.30 * p - 0.06 * r, 0.05);
    let caf_rsa = caf_households * rng.jitter(0.04 + 0.22 * p * p, 0.08);
    let caf_aah = caf_households * rng.jitter(0.05 + 0.04 * p, 0.10);
    let caf_prime = caf_households * rng.jitter(0.20 + 0.12 * p, 0.06);
    let caf_housing = caf_households * rng.jitter(0.35 + 0.35 * p, 0.05);

    Counts {
        men_by_age,
        women_by_age,
        cs,
        diplomas,
        pop_1564,
        active,
        unemployed,
        households,
        single,
        families,
        single_parent,
        median_income,
        poverty_rate,
        benefits_share,
        minima_share,
        caf_households,
        caf_rsa,
        caf_aah,
        caf_prime,
        caf_housing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::territory::areas;

    #[test]
    fn counts_are_consistent() {
        let mut rng = Rng::new(42, 2);
        for area in areas(42) {
            let c = counts(&area, &mut rng);
            assert!((c.population() - area.population).abs() < 1e-6);
            assert!((c.cs.iter().sum::<f64>() - c.pop_15p()).abs() < 1e-6);
            assert!(c.diplomas.iter().sum::<f64>() <= c.pop_15p());
            assert!(c.unemployed < c.active && c.active < c.pop_1564);
            assert!(c.caf_rsa < c.caf_households && c.caf_households < c.households);
        }
    }
}
