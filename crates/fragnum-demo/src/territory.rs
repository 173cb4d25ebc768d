//! The fictional territory itself: where each zone lies (Lambert-93 metres) and who lives there.
//!
//! Valbrune is a small prefecture-like city of twelve IRIS in a 4 × 3 km grid; east of it a valley
//! of eight non-IRIS communes climbs towards a pass, each smaller and older than the last. One
//! IRIS is an activity zone (type A, few residents) and two neighbourhoods form a QPV.

use fragnum_core::rng::Rng;

/// Lower-left corner of the city grid in Lambert-93 (EPSG:2154) metres.
pub const CITY_ORIGIN: (f64, f64) = (925_000.0, 6_455_000.0);
/// Side of one city IRIS square, metres.
pub const IRIS_SIDE: f64 = 1_000.0;
/// Width of one valley commune, metres.
pub const VALLEY_STEP: f64 = 5_000.0;
/// The fictional département.
pub const DEPARTEMENT: &str = "00";
/// The fictional région.
pub const REGION: &str = "00";

/// An EPCI (intercommunality).
pub struct Epci {
    /// SIREN code.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
}

/// The two EPCI: the city's agglomeration and the upper valley.
pub const EPCIS: [Epci; 2] =
    [Epci { code: "200000001", name: "CA Valbrune Agglomération" }, Epci { code: "200000002", name: "CC de la Haute-Vallée" }];

/// Six INSEE age bands, youngest first.
pub const AGE_BANDS: [&str; 6] = ["0014", "1529", "3044", "4559", "6074", "75P"];

/// One residential zone: an IRIS of the city or a whole (non-IRIS) valley commune.
pub struct Area {
    /// IRIS code (9 characters; `XXXXX0000` for a commune without IRIS).
    pub iris: String,
    /// IRIS name.
    pub iris_name: String,
    /// IRIS type: H (habitat), A (activity), Z (commune without IRIS).
    pub iris_type: char,
    /// Commune code.
    pub commune: String,
    /// Commune name.
    pub commune_name: String,
    /// Index into [`EPCIS`].
    pub epci: usize,
    /// Outline: a closed ring in Lambert-93 metres, counter-clockwise.
    pub ring: Vec<(f64, f64)>,
    /// Representative point (Lambert-93), used for the town hall and sites.
    pub centre: (f64, f64),
    /// Residents.
    pub population: f64,
    /// 0 = city centre, 1 = the last village under the pass: drives age and remoteness.
    pub remoteness: f64,
    /// 0 = well-off, 1 = the poorest neighbourhood: drives diplomas, jobs and incomes.
    pub poverty: f64,
    /// Whether the zone lies in the QPV.
    pub in_qpv: bool,
}

/// The city.
pub const CITY: (&str, &str) = ("00100", "Valbrune");

const CITY_IRIS: [(&str, char, f64, f64); 12] = [
    // name, type, population, poverty — row by row from the south-west corner
    ("Les Granges", 'H', 1_850.0, 0.35),
    ("Gare", 'H', 2_150.0, 0.45),
    ("Les Îles", 'A', 140.0, 0.40),
    ("Champ-du-Pont", 'H', 1_720.0, 0.30),
    ("Bellevue", 'H', 2_600.0, 0.95),
    ("Centre", 'H', 2_380.0, 0.40),
    ("Vieille Ville", 'H', 2_050.0, 0.50),
    ("Saint-Roch", 'H', 1_930.0, 0.20),
    ("La Croix-Rouge", 'H', 2_450.0, 0.85),
    ("Le Verney", 'H', 1_980.0, 0.25),
    ("Pré-Fleuri", 'H', 1_760.0, 0.10),
    ("Les Moulins", 'H', 1_540.0, 0.15),
];

const VALLEY: [(&str, &str, f64); 8] = [
    ("00101", "Saint-Alban-des-Eaux", 1_620.0),
    ("00102", "Montrieux", 1_240.0),
    ("00103", "La Chapelle-du-Col", 860.0),
    ("00104", "Villard-Sec", 690.0),
    ("00105", "Les Essarts-d'en-Haut", 470.0),
    ("00106", "Bonneval-la-Roche", 340.0),
    ("00107", "Le Planay", 230.0),
    ("00108", "Saint-Martin-des-Neiges", 160.0),
];

/// The QPV: code, name (two city IRIS, Bellevue and La Croix-Rouge).
pub const QPV: (&str, &str) = ("QP000001", "Bellevue - Croix-Rouge");

/// A closed counter-clockwise ring through `corners`, with a vertex every `step` metres so that
/// neighbouring zones share their border vertices exactly.
fn ring(corners: &[(f64, f64)], step: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for (i, &a) in corners.iter().enumerate() {
        let b = corners[(i + 1) % corners.len()];
        let n = ((b.0 - a.0).hypot(b.1 - a.1) / step).round().max(1.0) as usize;
        for k in 0..n {
            let t = k as f64 / n as f64;
            out.push((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t));
        }
    }
    out.push(out[0]);
    out
}

/// Southern and northern edge of the valley at easting `x`: the valley narrows and bends north.
pub fn valley_edges(x: f64) -> (f64, f64) {
    let t = (x - (CITY_ORIGIN.0 + 4.0 * IRIS_SIDE)) / (8.0 * VALLEY_STEP);
    let centre = CITY_ORIGIN.1 + 1_500.0 + 4_000.0 * t * t;
    let half = 2_500.0 - 800.0 * t;
    (centre - half, centre + half)
}

/// Builds every area, deterministic for `seed`.
pub fn areas(seed: u64) -> Vec<Area> {
    let mut rng = Rng::new(seed, 1);
    let mut out = Vec::new();
    for (k, &(name, iris_type, pop, poverty)) in CITY_IRIS.iter().enumerate() {
        let (col, row) = ((k % 4) as f64, (k / 4) as f64);
        let x0 = CITY_ORIGIN.0 + col * IRIS_SIDE;
        let y0 = CITY_ORIGIN.1 + row * IRIS_SIDE;
        let corners = [(x0, y0), (x0 + IRIS_SIDE, y0), (x0 + IRIS_SIDE, y0 + IRIS_SIDE), (x0, y0 + IRIS_SIDE)];
        let centre_dist = ((col - 1.5).abs() + (row - 1.0).abs()) / 2.5;
        out.push(Area {
            iris: format!("{}{:04}", CITY.0, 101 + k),
            iris_name: name.to_string(),
            iris_type,
            commune: CITY.0.to_string(),
            commune_name: CITY.1.to_string(),
            epci: 0,
            ring: ring(&corners, 250.0),
            centre: (x0 + IRIS_SIDE * rng.range(0.4, 0.6), y0 + IRIS_SIDE * rng.range(0.4, 0.6)),
            population: rng.jitter(pop, 0.04).round(),
            remoteness: 0.1 * centre_dist,
            poverty,
            in_qpv: matches!(name, "Bellevue" | "La Croix-Rouge"),
        });
    }
    let x_start = CITY_ORIGIN.0 + 4.0 * IRIS_SIDE;
    for (k, &(code, name, pop)) in VALLEY.iter().enumerate() {
        let x0 = x_start + k as f64 * VALLEY_STEP;
        let x1 = x0 + VALLEY_STEP;
        // The first commune is glued to the city's eastern edge (y from the city's south to north).
        let (s0, n0) = if k == 0 { (CITY_ORIGIN.1, CITY_ORIGIN.1 + 3.0 * IRIS_SIDE) } else { valley_edges(x0) };
        let (s1, n1) = valley_edges(x1);
        let mut corners = vec![(x0, s0), (x1, s1), (x1, n1), (x0, n0)];
        if k == 0 {
            // Widen the first commune south and north of the city edge.
            let (s, n) = valley_edges(x0);
            corners = vec![(x0, s.min(s0)), (x1, s1), (x1, n1), (x0, n.max(n0))];
        }
        let t = (k as f64 + 0.5) / VALLEY.len() as f64;
        let (sc, nc) = valley_edges(x0 + VALLEY_STEP * 0.5);
        out.push(Area {
            iris: format!("{code}0000"),
            iris_name: name.to_string(),
            iris_type: 'Z',
            commune: code.to_string(),
            commune_name: name.to_string(),
            epci: usize::from(k >= 2),
            ring: ring(&corners, 500.0),
            centre: (x0 + VALLEY_STEP * rng.range(0.35, 0.65), f64::midpoint(sc, nc) + rng.range(-300.0, 300.0)),
            population: rng.jitter(pop, 0.05).round(),
            remoteness: 0.3 + 0.7 * t,
            poverty: 0.25 + 0.35 * t + rng.range(-0.05, 0.05),
            in_qpv: false,
        });
    }
    out
}

/// The city's outline (union of its IRIS squares), with the same 250 m vertex spacing.
pub fn city_outline() -> Vec<(f64, f64)> {
    let (x0, y0) = CITY_ORIGIN;
    let (x1, y1) = (x0 + 4.0 * IRIS_SIDE, y0 + 3.0 * IRIS_SIDE);
    ring(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], 250.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn territory_has_the_documented_shape() {
        let a = areas(42);
        assert_eq!(a.len(), 20);
        assert_eq!(a.iter().filter(|z| z.commune == CITY.0).count(), 12);
        let city: f64 = a.iter().filter(|z| z.commune == CITY.0).map(|z| z.population).sum();
        assert!((20_000.0..30_000.0).contains(&city), "{city}");
        assert!(a.iter().all(|z| z.ring.first() == z.ring.last() && z.ring.len() >= 5));
    }
}
