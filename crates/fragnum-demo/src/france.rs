//! A France-size batch for scale benchmarks: every commune of the national reference list (read
//! in place from `national/communes.json`, the `@etalab/decoupage-administratif` export) with its
//! real legal population, département, région and EPCI, split into IRIS where the commune is large,
//! and written in the formats of the real sources so that the real readers run:
//!
//! - INSEE IRIS census tables (population by age and sex with CSP, diplomas, activity,
//!   households), `;`-separated with the real `P21_`/`C21_` prefixes (activity `,`-separated, as
//!   the demo writes it);
//! - Filosofi per IRIS and per commune (Latin-1, decimal commas), CAF per IRIS (BOM, spaced
//!   thousands, blanks under 5), the IRIS reference list, the commune base-cc table and the
//!   commune → EPCI table;
//! - IRIS outlines as a Lambert-93 shapefile and commune outlines as WGS84 GeoJSON: a generated
//!   tessellation, not real geography. Each département is a square of a grid laid over
//!   metropolitan France's Lambert-93 extent (in code order, overseas ones included); its
//!   communes are squares of a grid inside it; a commune's IRIS are vertical strips of its square;
//! - advisor sites, one per [`FranceOptions::people_per_site`] residents, placed in the communes
//!   where the cumulative population crosses each multiple.
//!
//! Counts come from [`crate::census::counts`] (the demo's synthetic model), driven by a
//! remoteness that falls with the commune's population and a poverty drawn per zone. No QPV
//! tables are written. Only `commune-actuelle` rows with a population are used (Paris, Lyon and
//! Marseille as single communes, not their arrondissements).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fragnum_core::rng::Rng;

use crate::DemoError;
use crate::census::{self, Counts};
use crate::files::{self, Csv, Encoding, comma, count, encode, spaced};
use crate::sites::SiteRow;
use crate::territory::{AGE_BANDS, Area};

/// One commune of the national list.
#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    /// INSEE code (`"38185"`, `"2A004"`).
    pub code: String,
    /// Name.
    pub name: String,
    /// Département code.
    pub departement: String,
    /// Région code.
    pub region: String,
    /// Legal population.
    pub population: f64,
    /// EPCI (SIREN, name), if the commune belongs to one.
    pub epci: Option<(String, String)>,
}

/// Options of the France generator.
#[derive(Debug, Clone)]
pub struct FranceOptions {
    /// The same seed gives byte-identical files.
    pub seed: u64,
    /// Only these départements (all when empty): for short development runs.
    pub departements: Vec<String>,
    /// Communes above this population are split into IRIS.
    pub iris_above: f64,
    /// Residents per IRIS in split communes.
    pub people_per_iris: f64,
    /// Residents per advisor site.
    pub people_per_site: f64,
}

impl Default for FranceOptions {
    /// One IRIS per 2,750 residents above 5,000 (≈ 48,600 IRIS for France, as INSEE has), one
    /// site per 10,000 residents (≈ 6,900 sites, the order of France services + conseillers
    /// numériques places).
    fn default() -> Self {
        FranceOptions { seed: 42, departements: Vec::new(), iris_above: 5_000.0, people_per_iris: 2_750.0, people_per_site: 10_000.0 }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct FranceSummary {
    /// File names, in writing order.
    pub files: Vec<String>,
    /// Communes.
    pub communes: usize,
    /// IRIS (including the `XXXXX0000` pseudo-IRIS of communes without IRIS).
    pub iris: usize,
    /// Départements.
    pub departements: usize,
    /// Total population.
    pub population: f64,
    /// Advisor sites.
    pub sites: usize,
}

fn invalid(path: &Path, message: String) -> DemoError {
    DemoError::Io { path: path.to_path_buf(), source: std::io::Error::new(std::io::ErrorKind::InvalidData, message) }
}

fn read_json(path: &Path) -> Result<serde_json::Value, DemoError> {
    let bytes = std::fs::read(path).map_err(|e| DemoError::Io { path: path.to_path_buf(), source: e })?;
    serde_json::from_slice(&bytes).map_err(|e| invalid(path, e.to_string()))
}

/// Reads `communes.json` (and `epci.json` for memberships, when given): `commune-actuelle` rows
/// with a population, in code order.
pub fn read_communes(communes_json: &Path, epci_json: Option<&Path>) -> Result<Vec<Commune>, DemoError> {
    let mut epci_of: BTreeMap<String, (String, String)> = BTreeMap::new();
    if let Some(path) = epci_json {
        let list = read_json(path)?;
        for e in list.as_array().ok_or_else(|| invalid(path, "not a JSON array".into()))? {
            let code = e["code"].as_str().unwrap_or_default().to_string();
            let name = e["nom"].as_str().unwrap_or_default().to_string();
            for m in e["membres"].as_array().into_iter().flatten() {
                if let Some(c) = m["code"].as_str() {
                    epci_of.insert(c.to_string(), (code.clone(), name.clone()));
                }
            }
        }
    }
    let list = read_json(communes_json)?;
    let rows = list.as_array().ok_or_else(|| invalid(communes_json, "not a JSON array".into()))?;
    let mut out = Vec::new();
    for r in rows {
        let (Some(code), Some(pop)) = (r["code"].as_str(), r["population"].as_f64()) else { continue };
        if r["type"].as_str() != Some("commune-actuelle") || pop <= 0.0 {
            continue;
        }
        out.push(Commune {
            code: code.to_string(),
            name: r["nom"].as_str().unwrap_or(code).to_string(),
            departement: r["departement"].as_str().unwrap_or_default().to_string(),
            region: r["region"].as_str().unwrap_or_default().to_string(),
            population: pop,
            epci: epci_of.get(code).cloned(),
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// How many IRIS a commune of `population` residents is split into (1: a pseudo-IRIS).
pub fn iris_count(population: f64, options: &FranceOptions) -> usize {
    if population > options.iris_above && options.people_per_iris > 0.0 {
        // Bounded by the population itself, so the cast cannot overflow.
        (population / options.people_per_iris).round().clamp(2.0, population) as usize
    } else {
        1
    }
}

/// Lambert-93 extent the départements' grid is laid over (metropolitan France).
const EXTENT: ((f64, f64), (f64, f64)) = ((100_000.0, 6_050_000.0), (1_200_000.0, 7_110_000.0));

fn square(x0: f64, y0: f64, w: f64, h: f64) -> Vec<(f64, f64)> {
    vec![(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0, y0)]
}

/// The zones of `communes`: one [`Area`] per IRIS, in code order, with its outline and profile,
/// and the commune's index for each. `Area::epci` is unused (0): memberships are in [`Commune`].
pub fn areas(communes: &[Commune], options: &FranceOptions) -> (Vec<Area>, Vec<usize>) {
    let mut rng = Rng::new(options.seed, 11);
    let mut by_dep: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in communes.iter().enumerate() {
        by_dep.entry(c.departement.as_str()).or_default().push(i);
    }
    let cols = (by_dep.len() as f64).sqrt().ceil().max(1.0);
    let ((x_min, y_min), (x_max, y_max)) = EXTENT;
    let (dep_w, dep_h) = ((x_max - x_min) / cols, (y_max - y_min) / cols);
    let mut out = Vec::new();
    let mut owner = Vec::new();
    for (d, members) in by_dep.values().enumerate() {
        let (dc, dr) = ((d as f64 % cols).floor(), (d as f64 / cols).floor());
        let (dx, dy) = (x_min + dc * dep_w, y_max - (dr + 1.0) * dep_h);
        let k = (members.len() as f64).sqrt().ceil().max(1.0);
        // A 2 % margin between départements, so neighbouring ones do not share borders.
        let (cw, ch) = (dep_w * 0.98 / k, dep_h * 0.98 / k);
        for (j, &ci) in members.iter().enumerate() {
            let c = &communes[ci];
            let (x0, y0) = (dx + (j as f64 % k).floor() * cw, dy + (j as f64 / k).floor() * ch);
            let n = iris_count(c.population, options);
            // Remoteness falls with the commune's size: 1 for a hamlet, 0 for a city of 100,000+.
            let remoteness = (1.0 - (c.population.max(1.0).ln() / 100_000_f64.ln())).clamp(0.0, 1.0);
            let base_poverty = rng.range(0.1, 0.6);
            let strip = cw / n as f64;
            for s in 0..n {
                let (iris, name, kind) = if n == 1 {
                    (format!("{}0000", c.code), c.name.clone(), 'Z')
                } else {
                    (format!("{}{:04}", c.code, 101 + s), format!("{} {}", c.name, s + 1), 'H')
                };
                let poverty = if n == 1 { base_poverty } else { (base_poverty + rng.range(-0.1, 0.4)).clamp(0.0, 1.0) };
                let sx = x0 + s as f64 * strip;
                out.push(Area {
                    iris,
                    iris_name: name,
                    iris_type: kind,
                    commune: c.code.clone(),
                    commune_name: c.name.clone(),
                    epci: 0,
                    ring: square(sx, y0, strip, ch),
                    centre: (sx + strip * rng.range(0.4, 0.6), y0 + ch * rng.range(0.4, 0.6)),
                    population: c.population / n as f64,
                    remoteness: if n == 1 { remoteness } else { remoteness * rng.range(0.5, 1.0) },
                    poverty,
                    in_qpv: false,
                });
                owner.push(ci);
            }
        }
    }
    (out, owner)
}

/// Advisor sites: one each time the cumulative population (in code order) crosses a multiple of
/// `people_per_site`, at the centre of the IRIS where it does; kinds rotate France services,
/// conseiller numérique, two médiation places.
pub fn sites(areas: &[Area], people_per_site: f64) -> Vec<SiteRow> {
    const KINDS: [&str; 4] = ["france_services", "conseiller_numerique", "mediation", "mediation"];
    let mut out = Vec::new();
    let mut cumulative = 0.0;
    let mut next = people_per_site * 0.5;
    for a in areas {
        cumulative += a.population;
        let mut k = 0.0;
        while people_per_site > 0.0 && cumulative >= next {
            let kind = KINDS[out.len() % KINDS.len()];
            out.push(SiteRow {
                id: format!("gen-{}", out.len() + 1),
                name: format!("Lieu {} de {}", out.len() + 1, a.commune_name),
                kind,
                commune: a.commune.clone(),
                at: (a.centre.0 + 40.0 * k, a.centre.1),
                services: vec!["accompagnement", "demarches_administratives"],
            });
            next += people_per_site;
            k += 1.0;
        }
    }
    out
}

/// Writes the IRIS census tables, Filosofi, CAF and the reference list (columns as the demo's
/// [`files::write_tables`] writes them).
fn write_iris_tables(
    dir: &Path,
    areas: &[Area],
    counts: &[Counts],
    dep_reg: &[(&str, &str)],
    written: &mut Vec<String>,
) -> Result<(), DemoError> {
    // The four census tables are the demo's, written the same way.
    files::write_census_tables(dir, areas, counts, written)?;

    let mut header: Vec<String> = vec!["IRIS".into()];
    header.extend(["TP60", "Q1", "MED", "Q3", "D1", "D9", "GI", "PPSOC", "PPMINI", "NOTE"].map(|v| format!("DISP_{v}21")));
    let mut t = Csv::new(&header);
    for (a, c) in areas.iter().zip(counts) {
        let mut row = vec![a.iris.clone()];
        if c.population() < 400.0 {
            row.extend(std::iter::repeat_n("s".to_string(), 9));
            row.push("1".into());
        } else {
            let m = c.median_income;
            let tens = |f: f64| format!("{:.0}", (m * f / 10.0).round() * 10.0);
            row.extend([comma(c.poverty_rate, 1), tens(0.68), tens(1.0), tens(1.36), tens(0.45), tens(1.95)]);
            row.extend([comma(0.24 + 0.1 * a.poverty, 3), comma(c.benefits_share, 1), comma(c.minima_share, 1), "0".into()]);
        }
        t.row(row);
    }
    files::write(dir, "BASE_TD_FILO_DISP_IRIS_2021.csv", t.text(';').as_bytes(), written)?;

    let mut t = Csv::new(&["CODGEO", "NOTE", "A", "PERCOU", "AI", "AM", "AAL", "AAAH", "APPA", "ARSAS"]);
    for (a, c) in areas.iter().zip(counts) {
        let cell = |x: f64| if x < 5.0 { String::new() } else { spaced(x) };
        let h = c.caf_households;
        let mut row = vec![a.iris.clone(), "0".into()];
        row.extend([h, h * 2.3, h * 0.4, c.single_parent * 0.6, c.caf_housing, c.caf_aah, c.caf_prime, c.caf_rsa].map(cell));
        t.row(row);
    }
    files::write(dir, "caf_allocataires_iris_2021.csv", &encode(&t.text(';'), Encoding::Utf8Bom), written)?;

    let mut t = Csv::new(&["CODE_IRIS", "LIB_IRIS", "TYP_IRIS", "GRD_QUART", "DEPCOM", "LIBCOM", "UU2020", "REG", "DEP"]);
    for (a, &(dep, reg)) in areas.iter().zip(dep_reg) {
        let uu = if a.iris_type == 'Z' { "00000" } else { "00701" };
        t.row(files::reference_row(a, uu, reg, dep));
    }
    files::write(dir, "reference_IRIS_geo2021.csv", &encode(&t.text(';'), Encoding::Utf8Bom), written)
}

/// Per-commune sums of the IRIS counts, in commune order.
struct CommuneTotals {
    population: f64,
    households: f64,
    bands: [f64; 6],
    /// Population-weighted sums of median income, poverty rate, benefits share, minima share.
    weighted: [f64; 4],
}

fn write_commune_tables(
    dir: &Path,
    communes: &[Commune],
    areas: &[Area],
    owner: &[usize],
    counts: &[Counts],
    written: &mut Vec<String>,
) -> Result<(), DemoError> {
    let mut totals: BTreeMap<usize, CommuneTotals> = BTreeMap::new();
    for ((_, &ci), c) in areas.iter().zip(owner).zip(counts) {
        let t = totals.entry(ci).or_insert(CommuneTotals { population: 0.0, households: 0.0, bands: [0.0; 6], weighted: [0.0; 4] });
        let p = c.population();
        t.population += p;
        t.households += c.households;
        for (i, b) in t.bands.iter_mut().enumerate() {
            *b += c.band(i);
        }
        for (w, x) in t.weighted.iter_mut().zip([c.median_income, c.poverty_rate, c.benefits_share, c.minima_share]) {
            *w += x * p;
        }
    }
    let mut filo = Csv::new(&["CODGEO", "LIBGEO", "NBMEN21", "NBPERS21", "Q221", "TP6021", "PPSOC21", "PPMINI21"]);
    let mut header: Vec<String> = ["CODGEO", "LIBGEO", "P21_POP"].map(String::from).to_vec();
    header.extend(AGE_BANDS.iter().map(|b| format!("P21_POP{b}")));
    let mut cc = Csv::new(&header);
    let mut epci = Csv::new(&["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"]);
    for (&ci, t) in &totals {
        let c = &communes[ci];
        let pop = t.population.max(1.0);
        let w = t.weighted.map(|x| x / pop);
        let secret = |s: String| if t.population < 400.0 { String::new() } else { s };
        filo.row(vec![
            c.code.clone(),
            c.name.clone(),
            format!("{:.0}", t.households),
            format!("{:.0}", t.population * 0.97),
            format!("{:.0}", (w[0] / 10.0).round() * 10.0),
            secret(comma(w[1], 1)),
            secret(comma(w[2], 1)),
            secret(comma(w[3], 1)),
        ]);
        let mut row = vec![c.code.clone(), c.name.clone(), count(t.population)];
        row.extend(t.bands.iter().map(|&b| count(b)));
        cc.row(row);
        let (code, name) = c.epci.clone().unwrap_or_else(|| ("ZZZZZZZZZ".into(), "Sans objet".into()));
        epci.row(vec![c.code.clone(), c.name.clone(), code, name, c.departement.clone(), c.region.clone()]);
    }
    files::write(dir, "FILO2021_DISP_COM.csv", &encode(&filo.text(';'), Encoding::Latin1), written)?;
    files::write(dir, "base-cc-evol-struct-pop-2021.csv", cc.text(';').as_bytes(), written)?;
    files::write(dir, "EPCI_2021_communes.csv", &encode(&epci.text(';'), Encoding::Utf8Bom), written)
}

/// Commune outlines as WGS84 GeoJSON: the bounding square of its IRIS strips.
fn write_communes_geojson(
    dir: &Path,
    communes: &[Commune],
    areas: &[Area],
    owner: &[usize],
    to_wgs84: &dyn Fn((f64, f64)) -> (f64, f64),
    written: &mut Vec<String>,
) -> Result<(), DemoError> {
    let mut bounds: BTreeMap<usize, (f64, f64, f64, f64)> = BTreeMap::new();
    for (a, &ci) in areas.iter().zip(owner) {
        let b = bounds.entry(ci).or_insert((f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY));
        for &(x, y) in &a.ring {
            *b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
    }
    let features: Vec<serde_json::Value> = bounds
        .iter()
        .map(|(&ci, &(x0, y0, x1, y1))| {
            let c = &communes[ci];
            let ring = square(x0, y0, x1 - x0, y1 - y0);
            let coords: Vec<serde_json::Value> = ring.iter().map(|&p| files::position(to_wgs84(p))).collect();
            let epci = c.epci.as_ref().map_or("ZZZZZZZZZ", |e| e.0.as_str());
            serde_json::json!({
                "type": "Feature",
                "properties": { "code": c.code, "nom": c.name, "epci": epci },
                "geometry": { "type": "Polygon", "coordinates": [coords] }
            })
        })
        .collect();
    let fc = serde_json::json!({ "type": "FeatureCollection", "features": features });
    let mut text = serde_json::to_string(&fc).map_err(|e| invalid(&dir.join("contours-communes.geojson"), e.to_string()))?;
    text.push('\n');
    files::write(dir, "contours-communes.geojson", text.as_bytes(), written)
}

/// Generates the batch for `communes` into `out` (created if needed; files overwritten).
pub fn generate(communes: &[Commune], out: &Path, options: &FranceOptions) -> Result<FranceSummary, DemoError> {
    std::fs::create_dir_all(out).map_err(|e| DemoError::Io { path: out.to_path_buf(), source: e })?;
    let chosen: Vec<Commune> = if options.departements.is_empty() {
        communes.to_vec()
    } else {
        communes.iter().filter(|c| options.departements.contains(&c.departement)).cloned().collect()
    };
    let (areas, owner) = areas(&chosen, options);
    let mut rng = Rng::new(options.seed, 12);
    let counts: Vec<Counts> = areas.iter().map(|a| census::counts(a, &mut rng)).collect();
    let dep_reg: Vec<(&str, &str)> = owner.iter().map(|&ci| (chosen[ci].departement.as_str(), chosen[ci].region.as_str())).collect();
    let advisor_sites = sites(&areas, options.people_per_site);

    let proj = proj::Proj::new_known_crs("EPSG:2154", "EPSG:4326", None).map_err(|e| DemoError::Projection(e.to_string()))?;
    let to_wgs84 = |p: (f64, f64)| proj.convert(p).unwrap_or((f64::NAN, f64::NAN));

    let mut written = Vec::new();
    write_iris_tables(out, &areas, &counts, &dep_reg, &mut written)?;
    write_commune_tables(out, &chosen, &areas, &owner, &counts, &mut written)?;
    files::write_iris_shapefile(out, &areas, &mut written)?;
    write_communes_geojson(out, &chosen, &areas, &owner, &to_wgs84, &mut written)?;
    files::write_sites(out, "advisor-sites.csv", &advisor_sites, &to_wgs84, &mut written)?;
    let mut deps: Vec<&str> = chosen.iter().map(|c| c.departement.as_str()).collect();
    deps.dedup();
    Ok(FranceSummary {
        files: written,
        communes: chosen.len(),
        iris: areas.len(),
        departements: deps.len(),
        population: counts.iter().map(Counts::population).sum(),
        sites: advisor_sites.len(),
    })
}

/// `path` relative to `base` (both absolute or both relative to the same folder), with `/`.
pub fn relative(base: &Path, path: &Path) -> PathBuf {
    let b: Vec<_> = base.components().collect();
    let p: Vec<_> = path.components().collect();
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// The pipeline config for a batch in `data` (relative to the config's folder), reading the
/// project's `variables.toml` and survey rates from `project_config` (relative too): indices
/// with the joint estimator, access by the straight-line approximation from zone points,
/// the render `formats` given (`geojson`, `png`, `svg`, `atlas`), at most `max_sheets` zone sheets
/// (the first in code order).
pub fn config_toml(
    data: &Path,
    project_config: &Path,
    output: &Path,
    summary: &FranceSummary,
    formats: &[&str],
    max_sheets: usize,
) -> String {
    let d = |name: &str| data.join(name).to_string_lossy().replace('\\', "/");
    let c = |name: &str| project_config.join(name).to_string_lossy().replace('\\', "/");
    let mut s = String::new();
    let _ =
        writeln!(s, "# Generated by fragnum-demo's France batch (make bench-scale): {} communes, {} IRIS,", summary.communes, summary.iris);
    let _ = writeln!(
        s,
        "# {} départements, {} advisor sites. Fictional counts on real communes; outlines are a tessellation.",
        summary.departements, summary.sites
    );
    let _ = writeln!(s, "# Sheets: the first {max_sheets} zones in code order (a documented sample), plus every group sheet.\n");
    let _ = writeln!(
        s,
        "[project]\nname = \"France (lot de test synthétique)\"\noutput = \"{}\"\nvariables = \"{}\"\n",
        output.to_string_lossy(),
        c("variables.toml")
    );
    let tables: [(&str, &str, &str); 10] = [
        ("reference_IRIS_geo2021.csv", "iris", ""),
        ("base-ic-evol-struct-pop-2021.csv", "iris", ""),
        ("base-ic-diplomes-formation-2021.csv", "iris", ""),
        ("base-ic-activite-residents-2021.csv", "iris", ""),
        ("base-ic-couples-familles-menages-2021.csv", "iris", ""),
        ("BASE_TD_FILO_DISP_IRIS_2021.csv", "iris", ""),
        ("caf_allocataires_iris_2021.csv", "iris", "sets = [\"caf\"]\nvintage = 2021\nblank = \"masked\"\n"),
        ("base-cc-evol-struct-pop-2021.csv", "commune", ""),
        ("EPCI_2021_communes.csv", "commune", ""),
        ("FILO2021_DISP_COM.csv", "commune", "blank = \"masked\"\n"),
    ];
    for (file, level, extra) in tables {
        let _ = writeln!(
            s,
            "[[table]]\npath = \"{}\"\nlevel = \"{level}\"\n{extra}source = \"fragnum lot France : {file} (synthétique)\"\n",
            d(file)
        );
    }
    let _ = writeln!(s, "[[contours]]\npath = \"{}\"\nlevel = \"iris\"\n", d("contours-iris.shp"));
    let _ = writeln!(s, "[[contours]]\npath = \"{}\"\nlevel = \"commune\"\n", d("contours-communes.geojson"));
    let rates: Vec<String> = [
        "insee-tic-2019-no-daily-internet.csv",
        "insee-tic-2019-no-home-internet.csv",
        "insee-2021-illectronisme.csv",
        "credoc-2018-never-uses-internet.csv",
    ]
    .iter()
    .map(|r| format!("\"{}\"", c(&format!("rates/{r}"))))
    .collect();
    let _ = writeln!(
        s,
        "[indices]\nrates = [{}]\nestimator = \"joint_logit\"\nlevels = [\"commune\", \"epci\", \"departement\"]\n",
        rates.join(", ")
    );
    let _ = writeln!(s, "[indices.ifn]\nreferences = [\"departement\", \"epci\"]\nvariant = \"ifn_2020\"\n");
    let _ = writeln!(s, "# No network: the labelled straight-line approximation from each zone's point.");
    let _ = writeln!(
        s,
        "[access]\nsites = \"{}\"\nkinds = [\"france_services\", \"conseiller_numerique\", \"mediation\"]\nthresholds_min = [10, 20, 30]\nsiting_weight = \"no_daily_internet\"\n",
        d("advisor-sites.csv")
    );
    let formats: Vec<String> = formats.iter().map(|f| format!("\"{f}\"")).collect();
    let _ = writeln!(s, "[render]\nformats = [{}]\nsimplify_m = 10\nmax_sheets = {max_sheets}", formats.join(", "));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Vec<Commune> {
        let c = |code: &str, dep: &str, pop: f64| Commune {
            code: code.into(),
            name: format!("Commune {code}"),
            departement: dep.into(),
            region: "84".into(),
            population: pop,
            epci: Some(("200000001".into(), "CC Test".into())),
        };
        vec![c("01001", "01", 800.0), c("01002", "01", 12_000.0), c("73001", "73", 4_999.0), c("73002", "73", 26_000.0)]
    }

    #[test]
    fn iris_counts_follow_the_rule() {
        let o = FranceOptions::default();
        assert_eq!(iris_count(800.0, &o), 1);
        assert_eq!(iris_count(5_000.0, &o), 1);
        assert_eq!(iris_count(12_000.0, &o), 4);
        let (a, owner) = areas(&tiny(), &o);
        assert_eq!(a.len(), 1 + 4 + 1 + 9);
        assert_eq!(owner.len(), a.len());
        assert_eq!(a[0].iris, "010010000");
        assert_eq!(a[1].iris, "010020101");
        let total: f64 = a.iter().map(|z| z.population).sum();
        assert!((total - 43_799.0).abs() < 1e-6);
    }

    #[test]
    fn generation_is_deterministic() {
        let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let o = FranceOptions::default();
        let s1 = generate(&tiny(), d1.path(), &o).unwrap();
        let s2 = generate(&tiny(), d2.path(), &o).unwrap();
        assert_eq!(s1, s2);
        assert_eq!(s1.iris, 15);
        assert_eq!(s1.departements, 2);
        for f in &s1.files {
            assert_eq!(std::fs::read(d1.path().join(f)).unwrap(), std::fs::read(d2.path().join(f)).unwrap(), "{f}");
        }
    }
}
