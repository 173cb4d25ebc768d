//! Renders a real map from the shared data: median disposable income (INSEE Filosofi 2019) by
//! IRIS over Grenoble-Alpes Métropole, with commune boundaries (ADMIN EXPRESS 2018) and advisor
//! sites, in every format, and prints timings.
//!
//! ```text
//! cargo run --release -p fragnum-render --example render_real -- [OUT_DIR]
//! ```
//! Exits with a message when /work/shared/data is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use fragnum_core::{Cell, Level, ZoneCode, ZoneGeometries};
use fragnum_render::classify::{Classification, Method};
use fragnum_render::format::Unit;
use fragnum_render::print::PageSize;
use fragnum_render::ramp::Ramp;
use fragnum_render::{render_layers, Formats, Layer, MapContext, SiteMark};
use geo_types::{Geometry, MultiPolygon};

const METRO: &str = "200040715"; // Grenoble-Alpes Métropole (SIREN)

fn multipolygon(g: geojson::Geometry) -> Option<MultiPolygon<f64>> {
    match Geometry::<f64>::try_from(g).ok()? {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        Geometry::MultiPolygon(mp) => Some(mp),
        _ => None,
    }
}

fn prop(f: &geojson::Feature, k: &str) -> Option<String> {
    f.property(k).and_then(|v| v.as_str()).map(str::to_string)
}

/// Splits one CSV line with `sep`, honouring double quotes.
fn split(line: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[allow(clippy::too_many_lines)] // a linear script: read three files, render
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !data.exists() {
        println!("skipping: {} absent", data.display());
        return Ok(());
    }
    let out = std::env::args().nth(1).map_or_else(|| std::env::temp_dir().join("fragnum-render-real"), PathBuf::from);
    let t0 = Instant::now();

    let iris_fc: geojson::FeatureCollection = std::fs::read_to_string(data.join("contours/iris_dep38_wgs84_mednum2016.geojson"))?.parse::<geojson::GeoJson>()?.try_into()?;
    let (mut zones, mut names) = (ZoneGeometries::new(), BTreeMap::new());
    let mut communes_wanted = std::collections::BTreeSet::new();
    for f in iris_fc.features {
        if prop(&f, "EPCI_SIREN").as_deref() != Some(METRO) {
            continue;
        }
        let (Some(code), Some(g)) = (prop(&f, "CODE_IRIS"), f.geometry.clone()) else { continue };
        let Ok(code) = ZoneCode::new(Level::Iris, &code) else { continue };
        if let Some(mp) = multipolygon(g) {
            communes_wanted.insert(code.as_str()[..5].to_string());
            if let Some(n) = prop(&f, "LIBIRIS") {
                names.insert(code.clone(), n);
            }
            zones.insert(code, mp);
        }
    }
    let com_fc: geojson::FeatureCollection = std::fs::read_to_string(data.join("communes/communes-38-isere.geojson"))?.parse::<geojson::GeoJson>()?.try_into()?;
    let mut communes = ZoneGeometries::new();
    for f in com_fc.features {
        let (Some(code), Some(g)) = (prop(&f, "code"), f.geometry.clone()) else { continue };
        if !communes_wanted.contains(&code) {
            continue;
        }
        if let (Ok(c), Some(mp)) = (ZoneCode::new(Level::Commune, &code), multipolygon(g)) {
            communes.insert(c, mp);
        }
    }
    // Filosofi 2019: ';' separated, decimal comma, 's'/'ns' = secret statistique.
    let text = std::fs::read_to_string(data.join("iris/BASE_TD_FILO_DISP_IRIS_2019_dep38_73.csv"))?;
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header = split(lines.next().unwrap_or_default(), ';');
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(ci), Some(cv)) = (col("IRIS"), col("DISP_MED19")) else { return Err("Filosofi columns missing".into()) };
    let mut values = BTreeMap::new();
    for line in lines {
        let f = split(line.trim_end_matches('\r'), ';');
        let (Some(code), Some(raw)) = (f.get(ci), f.get(cv)) else { continue };
        let Ok(code) = ZoneCode::new(Level::Iris, code) else { continue };
        if !zones.contains_key(&code) {
            continue;
        }
        let raw = raw.trim();
        let cell = match raw {
            "s" | "ns" | "nd" => Cell::Masked,
            "" => Cell::Missing,
            v => v.replace(',', ".").parse::<f64>().map_or(Cell::Missing, Cell::Value),
        };
        values.insert(code, cell);
    }
    // Advisor sites.
    let text = std::fs::read_to_string(data.join("places/advisor-sites.38-73.csv"))?;
    let mut lines = text.lines();
    let header = split(lines.next().unwrap_or_default(), ',');
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(usize::MAX);
    let (cn, ck, cc, cx, cy) = (col("name"), col("kind"), col("commune_insee"), col("lon"), col("lat"));
    let mut sites = Vec::new();
    for line in lines {
        let f = split(line, ',');
        let get = |i: usize| f.get(i).cloned().unwrap_or_default();
        if !communes_wanted.contains(&get(cc)) {
            continue;
        }
        if let (Ok(lon), Ok(lat)) = (get(cx).parse::<f64>(), get(cy).parse::<f64>()) {
            sites.push(SiteMark { name: get(cn), kind: get(ck), lon, lat });
        }
    }
    let read = t0.elapsed();
    let layer = Layer {
        id: "revenu_median_2019".into(),
        title: "Revenu disponible médian par unité de consommation".into(),
        unit: Unit::Euros,
        source: "INSEE, Filosofi 2019 (IRIS) ; IGN, contours IRIS et ADMIN EXPRESS 2018 ; ANCT, lieux d’accompagnement".into(),
        vintage: "2019".into(),
        values,
        classification: Classification { method: Method::FisherJenks, classes: 5, breaks: vec![] },
        ramp: Ramp::Blues,
        decimals: None,
    };
    let masked = layer.values.values().filter(|c| matches!(c, Cell::Masked)).count();
    let with_value = layer.values.values().filter(|c| c.is_value()).count();
    let ctx = MapContext { zones: &zones, names, communes: Some(&communes), sites: &sites, territory: "Grenoble-Alpes Métropole".into() };
    let formats = Formats { sizes: vec![PageSize::A4Portrait, PageSize::A4Landscape, PageSize::Web], ..Formats::default() };
    let t1 = Instant::now();
    let files = render_layers(&[layer], &ctx, &out, &formats)?;
    let drawn = t1.elapsed();
    println!(
        "{} IRIS ({} with a value, {} masked), {} communes, {} sites; read {:.2} s, rendered {} files in {:.2} s",
        zones.len(),
        with_value,
        masked,
        communes.len(),
        sites.len(),
        read.as_secs_f64(),
        files.len(),
        drawn.as_secs_f64()
    );
    for f in files {
        println!("  {} ({} bytes)", f.display(), std::fs::metadata(&f)?.len());
    }
    Ok(())
}
