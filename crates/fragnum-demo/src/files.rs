//! Writers for each demo file, in the formats of the real sources: INSEE `;` CSV (some with a
//! BOM, decimal commas, spaces as thousands separators or Latin-1, as the real files come),
//! an IGN-style Lambert-93 shapefile, WGS84 GeoJSON, and sites CSV.

use std::fmt::Write as _;
use std::path::Path;

use crate::DemoError;
use crate::census::Counts;
use crate::network::Road;
use crate::sites::SiteRow;
use crate::territory::{AGE_BANDS, Area, CITY, DEPARTEMENT, EPCIS, QPV, REGION};

/// One table: a header and rows of already formatted cells.
pub struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    /// A table with this header.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Self {
        Csv { header: header.iter().map(|h| h.as_ref().to_string()).collect(), rows: Vec::new() }
    }

    /// Appends a row.
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.header.len());
        self.rows.push(cells);
    }

    /// The text, `sep`-separated, `\n` line ends; fields holding `sep` or quotes are quoted.
    pub fn text(&self, sep: char) -> String {
        let quote = |f: &String| {
            if f.contains(sep) || f.contains('"') { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() }
        };
        let mut out = String::new();
        for line in std::iter::once(&self.header).chain(&self.rows) {
            let fields: Vec<String> = line.iter().map(quote).collect();
            out.push_str(&fields.join(&sep.to_string()));
            out.push('\n');
        }
        out
    }
}

/// How a text file is encoded on disk.
#[derive(Clone, Copy)]
pub enum Encoding {
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with a byte-order mark (as INSEE's QPV and reference files come).
    Utf8Bom,
    /// ISO-8859-1 (as older INSEE downloads come).
    Latin1,
}

/// Encodes `text`.
pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        // Every character of the demo is in Latin-1; anything else would be a bug here.
        Encoding::Latin1 => text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect(),
    }
}

/// A count as INSEE writes IRIS counts (weighted estimates, dot decimal).
pub fn count(x: f64) -> String {
    format!("{x:.5}")
}

/// A decimal with a comma (Filosofi, QPV tables).
pub fn comma(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

/// A whole number with spaces as thousands separators (`"1 552"`, QPV and CAF tables).
pub fn spaced(x: f64) -> String {
    let digits = format!("{:.0}", x.round().abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

pub(crate) fn write(dir: &Path, name: &str, bytes: &[u8], files: &mut Vec<String>) -> Result<(), DemoError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| DemoError::Io { path, source: e })?;
    files.push(name.to_string());
    Ok(())
}

/// One row of the IRIS reference list (`CODE_IRIS` … `DEP`) for `a`, in urban unit `uu`.
pub(crate) fn reference_row(a: &Area, uu: &str, region: &str, departement: &str) -> Vec<String> {
    let name = if a.iris_type == 'Z' { format!("{} (commune non irisée)", a.iris_name) } else { a.iris_name.clone() };
    vec![
        a.iris.clone(),
        name,
        a.iris_type.to_string(),
        a.iris[..7].to_string(),
        a.commune.clone(),
        a.commune_name.clone(),
        uu.into(),
        region.into(),
        departement.into(),
    ]
}

/// Writes every census-like table.
pub fn write_tables(dir: &Path, areas: &[Area], counts: &[Counts], files: &mut Vec<String>) -> Result<(), DemoError> {
    write_census_tables(dir, areas, counts, files)?;
    let mut communes: Vec<(&str, &str)> = areas.iter().map(|a| (a.commune.as_str(), a.commune_name.as_str())).collect();
    communes.dedup();
    write_income_tables(dir, areas, counts, &communes, files)?;
    write_reference_tables(dir, areas, counts, &communes, files)?;
    write_qpv(dir, areas, counts, files)
}

/// The census tables per IRIS: population by age, sex and CSP, diplomas, activity, households.
pub(crate) fn write_census_tables(dir: &Path, areas: &[Area], counts: &[Counts], files: &mut Vec<String>) -> Result<(), DemoError> {
    let ident = |a: &Area| vec![a.iris.clone(), a.commune.clone(), a.iris_type.to_string()];

    // Population by age and sex, CSP.
    let mut header: Vec<String> = ["IRIS", "COM", "TYP_IRIS", "LIBIRIS", "P21_POP"].map(String::from).to_vec();
    header.extend(AGE_BANDS.iter().map(|b| format!("P21_POP{b}")));
    header.extend(["P21_POP15P", "P21_POP65P"].map(String::from));
    header.push("P21_POPH".into());
    header.extend(AGE_BANDS.iter().map(|b| format!("P21_H{b}")));
    header.push("P21_POPF".into());
    header.extend(AGE_BANDS.iter().map(|b| format!("P21_F{b}")));
    header.push("C21_POP15P".into());
    header.extend((1..=8).map(|k| format!("C21_POP15P_CS{k}")));
    let mut t = Csv::new(&header);
    for (a, c) in areas.iter().zip(counts) {
        let mut row = ident(a);
        row.push(a.iris_name.clone());
        row.push(count(c.population()));
        row.extend((0..6).map(|i| count(c.band(i))));
        // 65+ = two thirds of the 60–74 band (ages spread evenly within it) plus the 75+.
        row.extend([c.pop_15p(), c.band(4) * 2.0 / 3.0 + c.band(5)].map(count));
        row.push(count(c.men_by_age.iter().sum()));
        row.extend(c.men_by_age.iter().map(|&x| count(x)));
        row.push(count(c.women_by_age.iter().sum()));
        row.extend(c.women_by_age.iter().map(|&x| count(x)));
        row.push(count(c.pop_15p()));
        row.extend(c.cs.iter().map(|&x| count(x)));
        t.row(row);
    }
    write(dir, "base-ic-evol-struct-pop-2021.csv", t.text(';').as_bytes(), files)?;

    // Diplomas.
    let mut t = Csv::new(&[
        "IRIS",
        "COM",
        "TYP_IRIS",
        "P21_NSCOL15P",
        "P21_NSCOL15P_DIPLMIN",
        "P21_NSCOL15P_BEPC",
        "P21_NSCOL15P_CAPBEP",
        "P21_NSCOL15P_BAC",
        "P21_NSCOL15P_SUP2",
        "P21_NSCOL15P_SUP34",
        "P21_NSCOL15P_SUP5",
    ]);
    for (a, c) in areas.iter().zip(counts) {
        let mut row = ident(a);
        row.push(count(c.diplomas.iter().sum()));
        row.extend(c.diplomas.iter().map(|&x| count(x)));
        t.row(row);
    }
    write(dir, "base-ic-diplomes-formation-2021.csv", t.text(';').as_bytes(), files)?;

    // Activity: comma-separated, as some INSEE exports are.
    let mut t = Csv::new(&["IRIS", "COM", "TYP_IRIS", "P21_POP1564", "P21_ACT1564", "P21_ACTOCC1564", "P21_CHOM1564", "P21_INACT1564"]);
    for (a, c) in areas.iter().zip(counts) {
        let mut row = ident(a);
        row.extend([c.pop_1564, c.active, c.active - c.unemployed, c.unemployed, c.pop_1564 - c.active].map(count));
        t.row(row);
    }
    write(dir, "base-ic-activite-residents-2021.csv", t.text(',').as_bytes(), files)?;

    // Households.
    let mut t = Csv::new(&["IRIS", "COM", "TYP_IRIS", "C21_MEN", "C21_PMEN", "C21_MENPSEUL", "C21_MENFAM", "C21_FAM", "C21_FAMMONO"]);
    for (a, c) in areas.iter().zip(counts) {
        let mut row = ident(a);
        row.extend([c.households, c.population() * 0.985, c.single, c.households - c.single, c.families, c.single_parent].map(count));
        t.row(row);
    }
    write(dir, "base-ic-couples-familles-menages-2021.csv", t.text(';').as_bytes(), files)?;
    Ok(())
}

/// Filosofi per IRIS and per commune, CAF per IRIS.
fn write_income_tables(
    dir: &Path,
    areas: &[Area],
    counts: &[Counts],
    communes: &[(&str, &str)],
    files: &mut Vec<String>,
) -> Result<(), DemoError> {
    // Filosofi IRIS: the city's IRIS and the valley communes as pseudo-IRIS, the activity zone
    // and villages under 400 residents withheld (`s`), decimal commas.
    let mut t = Csv::new(&[
        "IRIS",
        "DISP_TP6021",
        "DISP_Q121",
        "DISP_MED21",
        "DISP_Q321",
        "DISP_D121",
        "DISP_D921",
        "DISP_GI21",
        "DISP_PPSOC21",
        "DISP_PPMINI21",
        "DISP_NOTE21",
    ]);
    for (a, c) in areas.iter().zip(counts) {
        let mut row = vec![a.iris.clone()];
        if a.iris_type == 'A' || c.population() < 400.0 {
            row.extend(std::iter::repeat_n("s".to_string(), 9));
            row.push("1".into());
        } else {
            let m = c.median_income;
            row.extend([
                comma(c.poverty_rate, 1),
                format!("{:.0}", (m * 0.68 / 10.0).round() * 10.0),
                format!("{:.0}", (m / 10.0).round() * 10.0),
                format!("{:.0}", (m * 1.36 / 10.0).round() * 10.0),
                format!("{:.0}", (m * 0.45 / 10.0).round() * 10.0),
                format!("{:.0}", (m * 1.95 / 10.0).round() * 10.0),
                comma(0.24 + 0.1 * a.poverty, 3),
                comma(c.benefits_share, 1),
                comma(c.minima_share, 1),
                "0".into(),
            ]);
        }
        t.row(row);
    }
    write(dir, "BASE_TD_FILO_DISP_IRIS_2021.csv", t.text(';').as_bytes(), files)?;

    // Filosofi communes (Latin-1, blanks where withheld for the smallest communes).
    let mut t = Csv::new(&["CODGEO", "LIBGEO", "NBMEN21", "NBPERS21", "Q221", "TP6021", "PPSOC21", "PPMINI21"]);
    for &(code, name) in communes {
        let members: Vec<(&Area, &Counts)> = areas.iter().zip(counts).filter(|(a, _)| a.commune == code).collect();
        let pop: f64 = members.iter().map(|(_, c)| c.population()).sum();
        let men: f64 = members.iter().map(|(_, c)| c.households).sum();
        let weighted = |f: &dyn Fn(&Counts) -> f64| members.iter().map(|(_, c)| f(c) * c.population()).sum::<f64>() / pop;
        let small = pop < 400.0;
        let secret = |s: String| if small { String::new() } else { s };
        t.row(vec![
            code.to_string(),
            name.to_string(),
            format!("{men:.0}"),
            format!("{:.0}", pop * 0.97),
            format!("{:.0}", (weighted(&|c| c.median_income) / 10.0).round() * 10.0),
            secret(comma(weighted(&|c| c.poverty_rate), 1)),
            secret(comma(weighted(&|c| c.benefits_share), 1)),
            secret(comma(weighted(&|c| c.minima_share), 1)),
        ]);
    }
    write(dir, "FILO2021_DISP_COM.csv", &encode(&t.text(';'), Encoding::Latin1), files)?;

    // CAF per IRIS: BOM, thousands with spaces, blanks below 5 (secret).
    let mut t = Csv::new(&["CODGEO", "NOTE", "A", "PERCOU", "AI", "AM", "AAL", "AAAH", "APPA", "ARSAS"]);
    for (a, c) in areas.iter().zip(counts) {
        let cell = |x: f64| if x < 5.0 { String::new() } else { spaced(x) };
        t.row(vec![
            a.iris.clone(),
            "0".into(),
            cell(c.caf_households),
            cell(c.caf_households * 2.3),
            cell(c.caf_households * 0.4),
            cell(c.single_parent * 0.6),
            cell(c.caf_housing),
            cell(c.caf_aah),
            cell(c.caf_prime),
            cell(c.caf_rsa),
        ]);
    }
    write(dir, "caf_allocataires_iris_2021.csv", &encode(&t.text(';'), Encoding::Utf8Bom), files)?;
    Ok(())
}

/// The IRIS reference list, the commune twin of the population table, commune → EPCI.
fn write_reference_tables(
    dir: &Path,
    areas: &[Area],
    counts: &[Counts],
    communes: &[(&str, &str)],
    files: &mut Vec<String>,
) -> Result<(), DemoError> {
    // IRIS reference list.
    let mut t = Csv::new(&["CODE_IRIS", "LIB_IRIS", "TYP_IRIS", "GRD_QUART", "DEPCOM", "LIBCOM", "UU2020", "REG", "DEP"]);
    for a in areas {
        let uu = if a.epci == 0 { "00701" } else { "00000" };
        t.row(reference_row(a, uu, REGION, DEPARTEMENT));
    }
    write(dir, "reference_IRIS_geo2021.csv", &encode(&t.text(';'), Encoding::Utf8Bom), files)?;

    // Commune twin of the population table (INSEE base-cc): the same counts summed per commune.
    let mut header: Vec<String> = ["CODGEO", "LIBGEO", "P21_POP"].map(String::from).to_vec();
    header.extend(AGE_BANDS.iter().map(|b| format!("P21_POP{b}")));
    let mut t = Csv::new(&header);
    for &(code, name) in communes {
        let members: Vec<&Counts> = areas.iter().zip(counts).filter(|(a, _)| a.commune == code).map(|(_, c)| c).collect();
        let mut row = vec![code.to_string(), name.to_string(), count(members.iter().map(|c| c.population()).sum())];
        row.extend((0..6).map(|i| count(members.iter().map(|c| c.band(i)).sum())));
        t.row(row);
    }
    write(dir, "base-cc-evol-struct-pop-2021.csv", t.text(';').as_bytes(), files)?;

    // Commune → EPCI.
    let mut t = Csv::new(&["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"]);
    for &(code, name) in communes {
        let epci = &EPCIS[areas.iter().find(|a| a.commune == code).map_or(0, |a| a.epci)];
        t.row(vec![code.into(), name.into(), epci.code.into(), epci.name.into(), DEPARTEMENT.into(), REGION.into()]);
    }
    write(dir, "EPCI_2021_communes.csv", &encode(&t.text(';'), Encoding::Utf8Bom), files)?;
    Ok(())
}

fn write_qpv(dir: &Path, areas: &[Area], counts: &[Counts], files: &mut Vec<String>) -> Result<(), DemoError> {
    // The QPV covers most of Bellevue and La Croix-Rouge: its figures are drawn from theirs.
    let members: Vec<&Counts> = areas.iter().zip(counts).filter(|(a, _)| a.in_qpv).map(|(_, c)| c).collect();
    let part = 0.85;
    let sum = |f: &dyn Fn(&Counts) -> f64| members.iter().map(|c| f(c)).sum::<f64>() * part;
    let pop = sum(&|c| c.population());
    let city_pop: f64 = areas.iter().zip(counts).filter(|(a, _)| a.commune == CITY.0).map(|(_, c)| c.population()).sum();
    let young = sum(&|c| c.band(0) + c.band(1) * 10.0 / 15.0);
    let seniors = sum(&|c| c.band(4) + c.band(5));
    let single = sum(&|c| c.single);
    let men = sum(&|c| c.households);
    let caf = sum(&|c| c.caf_households);

    let mut t = Csv::new(&[
        "CODGEO",
        "LIBGEO",
        "POP_MUN",
        "POP_COM_QP",
        "POP_COM",
        "LIB_COM",
        "TX_TOT_0A24",
        "TX_TOT_60ETPLUS",
        "TX_TOT_MEN1",
        "A",
        "PERCOU",
        "AM",
    ]);
    t.row(vec![
        QPV.0.into(),
        QPV.1.into(),
        spaced(pop),
        spaced(city_pop),
        spaced(city_pop),
        CITY.1.into(),
        comma(100.0 * young / pop, 1),
        comma(100.0 * seniors / pop, 1),
        comma(100.0 * single / men, 1),
        spaced(caf),
        spaced(caf * 2.4),
        spaced(sum(&|c| c.single_parent * 0.6)),
    ]);
    write(dir, "DEMO_2021_qpv.csv", &encode(&t.text(';'), Encoding::Utf8Bom), files)?;

    let seekers = sum(&|c| c.unemployed) * 1.15;
    let dipl_low = sum(&|c| c.diplomas[0] + c.diplomas[1]) / sum(&|c| c.diplomas.iter().sum());
    // Job seekers by diploma: the four levels add up to all seekers, as in INSEE's IPRO table.
    let seekers_low = (dipl_low * 1.3).min(0.5);
    let mut t = Csv::new(&[
        "CODGEO",
        "LIBGEO",
        "TX_TOT_EMPL",
        "ABC",
        "ABC_RSA",
        "ABC_INFCAPBEP",
        "ABC_CAPBEP",
        "ABC_BAC",
        "ABC_SUPBAC",
        "ABC_25",
        "ABC_50",
    ]);
    t.row(vec![
        QPV.0.into(),
        QPV.1.into(),
        comma(100.0 * sum(&|c| c.active - c.unemployed) / sum(&|c| c.pop_1564), 1),
        spaced(seekers),
        spaced(seekers * 0.33),
        spaced(seekers * seekers_low),
        spaced(seekers * 0.28),
        spaced(seekers * 0.22),
        spaced(seekers * (0.50 - seekers_low)),
        spaced(seekers * 0.13),
        spaced(seekers * 0.22),
    ]);
    write(dir, "IPRO_2021_qpv.csv", &encode(&t.text(';'), Encoding::Utf8Bom), files)?;

    let median = members.iter().map(|c| c.median_income).sum::<f64>() / members.len().max(1) as f64 * 0.92;
    let mut t = Csv::new(&["CODGEO", "LIBGEO", "DISP_Q2", "TP60", "PPSOC", "PPEN", "A", "APPA", "ARSAS", "AAAH"]);
    t.row(vec![
        QPV.0.into(),
        QPV.1.into(),
        spaced((median / 10.0).round() * 10.0),
        comma(members.iter().map(|c| c.poverty_rate).sum::<f64>() / members.len().max(1) as f64 * 1.1, 1),
        comma(members.iter().map(|c| c.benefits_share).sum::<f64>() / members.len().max(1) as f64 * 1.1, 1),
        comma(21.5, 1),
        spaced(caf),
        spaced(sum(&|c| c.caf_prime)),
        spaced(sum(&|c| c.caf_rsa)),
        spaced(sum(&|c| c.caf_aah)),
    ]);
    write(dir, "REVN_2021_qpv.csv", &encode(&t.text(';'), Encoding::Utf8Bom), files)
}

/// ESRI WKT of RGF93 / Lambert-93 (EPSG:2154), as IGN ships it beside CONTOURS-IRIS.
pub const LAMBERT93_PRJ: &str = "PROJCS[\"RGF_1993_Lambert_93\",GEOGCS[\"GCS_RGF_1993\",DATUM[\"D_RGF_1993\",SPHEROID[\"GRS_1980\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Lambert_Conformal_Conic\"],PARAMETER[\"False_Easting\",700000.0],PARAMETER[\"False_Northing\",6600000.0],PARAMETER[\"Central_Meridian\",3.0],PARAMETER[\"Standard_Parallel_1\",49.0],PARAMETER[\"Standard_Parallel_2\",44.0],PARAMETER[\"Latitude_Of_Origin\",46.5],UNIT[\"Meter\",1.0]]";

/// dBase headers carry today's date: pin it so the same seed gives the same bytes.
fn pin_dbf_date(dbf: &Path) -> Result<(), DemoError> {
    let mut bytes = std::fs::read(dbf).map_err(|e| DemoError::Io { path: dbf.to_path_buf(), source: e })?;
    if bytes.len() > 4 {
        bytes[1..4].copy_from_slice(&[121, 1, 1]);
    }
    std::fs::write(dbf, bytes).map_err(|e| DemoError::Io { path: dbf.to_path_buf(), source: e })
}

/// Writes the IRIS outlines as an IGN-style Lambert-93 shapefile (`.shp`, `.shx`, `.dbf`, `.prj`).
pub fn write_iris_shapefile(dir: &Path, areas: &[Area], files: &mut Vec<String>) -> Result<(), DemoError> {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let path = dir.join("contours-iris.shp");
    let shp_err = |e: shapefile::Error| DemoError::Shapefile { path: dir.join("contours-iris.shp"), message: e.to_string() };
    let field = |name: &str| FieldName::try_from(name).map_err(|e| DemoError::Shapefile { path: path.clone(), message: format!("{e:?}") });
    let builder = TableWriterBuilder::new()
        .add_character_field(field("CODE_IRIS")?, 9)
        .add_character_field(field("NOM_IRIS")?, 60)
        .add_character_field(field("INSEE_COM")?, 5)
        .add_character_field(field("NOM_COM")?, 60)
        .add_character_field(field("IRIS")?, 4)
        .add_character_field(field("TYP_IRIS")?, 1);
    let mut writer = shapefile::Writer::from_path(&path, builder).map_err(shp_err)?;
    for a in areas {
        let points: Vec<shapefile::Point> = a.ring.iter().map(|&(x, y)| shapefile::Point::new(x, y)).collect();
        let polygon = shapefile::Polygon::new(shapefile::PolygonRing::Outer(points));
        let mut record = Record::default();
        record.insert("CODE_IRIS".into(), FieldValue::Character(Some(a.iris.clone())));
        record.insert("NOM_IRIS".into(), FieldValue::Character(Some(a.iris_name.clone())));
        record.insert("INSEE_COM".into(), FieldValue::Character(Some(a.commune.clone())));
        record.insert("NOM_COM".into(), FieldValue::Character(Some(a.commune_name.clone())));
        record.insert("IRIS".into(), FieldValue::Character(Some(a.iris[5..].to_string())));
        record.insert("TYP_IRIS".into(), FieldValue::Character(Some(a.iris_type.to_string())));
        writer.write_shape_and_record(&polygon, &record).map_err(shp_err)?;
    }
    drop(writer);
    pin_dbf_date(&dir.join("contours-iris.dbf"))?;
    files.extend(["contours-iris.shp", "contours-iris.shx", "contours-iris.dbf"].map(String::from));
    write(dir, "contours-iris.prj", LAMBERT93_PRJ.as_bytes(), files)
}

/// A WGS84 position as GeoJSON writes it (7 decimals ≈ 1 cm).
pub fn position((lon, lat): (f64, f64)) -> serde_json::Value {
    serde_json::json!([(lon * 1e7).round() / 1e7, (lat * 1e7).round() / 1e7])
}

fn feature_collection(features: &[serde_json::Value]) -> Vec<u8> {
    let fc = serde_json::json!({ "type": "FeatureCollection", "features": features });
    let mut text = serde_json::to_string(&fc).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// Writes commune outlines (WGS84 GeoJSON): the city is the union of its IRIS squares.
pub fn write_communes_geojson(
    dir: &Path,
    areas: &[Area],
    to_wgs84: &dyn Fn((f64, f64)) -> (f64, f64),
    files: &mut Vec<String>,
) -> Result<(), DemoError> {
    let mut features = Vec::new();
    let city_ring = crate::territory::city_outline();
    let mut seen = Vec::new();
    for a in areas {
        if seen.contains(&a.commune) {
            continue;
        }
        seen.push(a.commune.clone());
        let ring = if a.commune == CITY.0 { &city_ring } else { &a.ring };
        let coords: Vec<serde_json::Value> = ring.iter().map(|&p| position(to_wgs84(p))).collect();
        features.push(serde_json::json!({
            "type": "Feature",
            "properties": { "code": a.commune, "nom": a.commune_name, "epci": EPCIS[a.epci].code },
            "geometry": { "type": "Polygon", "coordinates": [coords] }
        }));
    }
    write(dir, "contours-communes.geojson", &feature_collection(&features), files)
}

/// Writes the road network (WGS84 GeoJSON lines with OSM-like properties).
pub fn write_roads(
    dir: &Path,
    roads: &[Road],
    to_wgs84: &dyn Fn((f64, f64)) -> (f64, f64),
    files: &mut Vec<String>,
) -> Result<(), DemoError> {
    let features: Vec<serde_json::Value> = roads
        .iter()
        .map(|r| {
            let coords: Vec<serde_json::Value> = r.points.iter().map(|&p| position(to_wgs84(p))).collect();
            let mut props = serde_json::Map::new();
            props.insert("highway".into(), r.highway.into());
            if let Some(s) = r.maxspeed {
                props.insert("maxspeed".into(), s.to_string().into());
            }
            if r.oneway {
                props.insert("oneway".into(), "yes".into());
            }
            if let Some(n) = &r.name {
                props.insert("name".into(), n.clone().into());
            }
            serde_json::json!({ "type": "Feature", "properties": props, "geometry": { "type": "LineString", "coordinates": coords } })
        })
        .collect();
    write(dir, "roads.geojson", &feature_collection(&features), files)
}

/// BD TOPO `NATURE` and `IMPORTANCE` for a demo road class (the reader maps them back).
fn bd_topo_nature(highway: &str) -> (&'static str, f64) {
    match highway {
        "motorway" => ("Type autoroutier", 1.0),
        "primary" => ("Route à 1 chaussée", 2.0),
        "secondary" => ("Route à 1 chaussée", 3.0),
        "tertiary" => ("Route à 1 chaussée", 4.0),
        "residential" => ("Route à 1 chaussée", 5.0),
        "track" => ("Chemin", 5.0),
        _ => ("Route à 1 chaussée", 6.0),
    }
}

/// Writes the same roads as an IGN BD TOPO-style `troncon_de_route` shapefile in Lambert-93
/// (`NATURE`, `IMPORTANCE`, `SENS`, `VIT_MOY_VL`, `NOM_1_G`), the twin of `roads.geojson`.
pub fn write_roads_shapefile(dir: &Path, roads: &[Road], files: &mut Vec<String>) -> Result<(), DemoError> {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let path = dir.join("troncon_de_route.shp");
    let shp_err = |e: shapefile::Error| DemoError::Shapefile { path: path.clone(), message: e.to_string() };
    let field = |name: &str| FieldName::try_from(name).map_err(|e| DemoError::Shapefile { path: path.clone(), message: format!("{e:?}") });
    let builder = TableWriterBuilder::new()
        .add_character_field(field("NATURE")?, 40)
        .add_numeric_field(field("IMPORTANCE")?, 2, 0)
        .add_character_field(field("SENS")?, 20)
        .add_numeric_field(field("VIT_MOY_VL")?, 4, 0)
        .add_character_field(field("NOM_1_G")?, 60);
    let mut writer = shapefile::Writer::from_path(&path, builder).map_err(shp_err)?;
    for r in roads {
        let line = shapefile::Polyline::new(r.points.iter().map(|&(x, y)| shapefile::Point::new(x, y)).collect());
        let (nature, importance) = bd_topo_nature(r.highway);
        let mut record = Record::default();
        record.insert("NATURE".into(), FieldValue::Character(Some(nature.into())));
        record.insert("IMPORTANCE".into(), FieldValue::Numeric(Some(importance)));
        record.insert("SENS".into(), FieldValue::Character(Some(if r.oneway { "Sens direct" } else { "Double sens" }.into())));
        record.insert("VIT_MOY_VL".into(), FieldValue::Numeric(Some(r.maxspeed.map_or(0.0, f64::from))));
        record.insert("NOM_1_G".into(), FieldValue::Character(r.name.clone()));
        writer.write_shape_and_record(&line, &record).map_err(shp_err)?;
    }
    drop(writer);
    pin_dbf_date(&dir.join("troncon_de_route.dbf"))?;
    files.extend(["troncon_de_route.shp", "troncon_de_route.shx", "troncon_de_route.dbf"].map(String::from));
    write(dir, "troncon_de_route.prj", LAMBERT93_PRJ.as_bytes(), files)
}

/// Writes a sites CSV in the shape of `advisor-sites.38-73.csv` plus `services` and `horaires`
/// (France services only, in OpenStreetMap syntax as the conseiller-numérique file writes them).
pub fn write_sites(
    dir: &Path,
    name: &str,
    sites: &[SiteRow],
    to_wgs84: &dyn Fn((f64, f64)) -> (f64, f64),
    files: &mut Vec<String>,
) -> Result<(), DemoError> {
    let mut t = Csv::new(&["id", "name", "kind", "commune_insee", "postcode", "lon", "lat", "source", "services", "horaires"]);
    for s in sites {
        let (lon, lat) = to_wgs84(s.at);
        let mut lon_s = String::new();
        let mut lat_s = String::new();
        let _ = write!(lon_s, "{lon:.6}");
        let _ = write!(lat_s, "{lat:.6}");
        let hours = if s.kind == "france_services" { "Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00" } else { "" };
        t.row(vec![
            s.id.clone(),
            s.name.clone(),
            s.kind.into(),
            s.commune.clone(),
            s.commune.clone(),
            lon_s,
            lat_s,
            "fragnum demo (fictional)".into(),
            s.services.join("|"),
            hours.into(),
        ]);
    }
    write(dir, name, t.text(',').as_bytes(), files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_number_formats() {
        assert_eq!(spaced(1552.4), "1 552");
        assert_eq!(spaced(6490.0), "6 490");
        assert_eq!(spaced(123.0), "123");
        assert_eq!(spaced(1_234_567.0), "1 234 567");
        assert_eq!(comma(20.26, 1), "20,3");
        assert_eq!(encode("Î", Encoding::Latin1), vec![0xCE]);
    }

    #[test]
    fn csv_quotes_separators() {
        let mut t = Csv::new(&["a", "b"]);
        t.row(vec!["x,y".into(), "z".into()]);
        assert_eq!(t.text(','), "a,b\n\"x,y\",z\n");
    }
}
