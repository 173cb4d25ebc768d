//! Scale check of the readers on big inputs (issue 11, "no quadratic blow-ups"):
//!
//! - `outline`: reading one GeoJSON outline of 100,000 vertices (a commune with a detailed
//!   coastline or mountain border), its validity check included;
//! - `table`: ingesting a 1,000,000-row IRIS table in INSEE's `base-ic-evol-struct-pop` layout
//!   (66 columns, decimals as INSEE prints them) as `fragnum validate` does (`fragnum_ingest::load::load`).
//!
//! ```text
//! cargo run --release -p fragnum-ingest --example bench_big [-- <vertices> <rows>]
//! ```
//!
//! Inputs are generated once into `target/bench-big/` (relative to the working directory;
//! `make bench-big` runs from the workspace root). Each case runs in a child process of its own,
//! so that its peak memory (`VmHWM` of `/proc/self/status`) is its own; the time and peak memory
//! are printed, never asserted.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use fragnum_core::Level;
use fragnum_core::rng::Rng;
use fragnum_ingest::Report;
use fragnum_ingest::config::{ContourSource, PipelineConfig};
use fragnum_ingest::contours::read_contours;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from("target/bench-big");
    std::fs::create_dir_all(&dir)?;
    match args.first().map(String::as_str) {
        Some("outline") => {
            let vertices = parse(args.get(1), 100_000)?;
            write_outline(&dir.join(outline_name(vertices)), vertices)?;
            run_outline(&dir.join(outline_name(vertices)))
        }
        Some("table") => {
            let rows = parse(args.get(1), 1_000_000)?;
            write_table(&dir, rows)?;
            run_table(&dir.join(format!("big-{rows}.toml")))
        }
        _ => {
            let vertices = parse(args.first(), 100_000)?;
            let rows = parse(args.get(1), 1_000_000)?;
            let t = Instant::now();
            write_outline(&dir.join(outline_name(vertices)), vertices)?;
            write_table(&dir, rows)?;
            println!("inputs in {} ({:.1} s to generate)", dir.display(), t.elapsed().as_secs_f64());
            let me = std::env::current_exe()?;
            for (case, n) in [("outline", vertices), ("table", rows)] {
                let status = std::process::Command::new(&me).args([case, &n.to_string()]).status()?;
                if !status.success() {
                    return Err(format!("case `{case}` failed: {status}").into());
                }
            }
            Ok(())
        }
    }
}

fn parse(arg: Option<&String>, default: usize) -> Result<usize> {
    Ok(arg.map_or(Ok(default), |s| s.replace('_', "").parse())?)
}

fn outline_name(vertices: usize) -> String {
    format!("outline-{vertices}.geojson")
}

/// Peak resident memory of this process so far, in MB (`VmHWM`; `None` off Linux).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn print_peak() -> String {
    peak_mb().map_or_else(|| "peak memory unknown".into(), |mb| format!("peak memory {mb:.0} MB"))
}

// ------------------------------------------------------------------ outline

/// A simple (valid) polygon of `vertices` vertices around Grenoble: star-shaped, the radius
/// wobbling at several frequencies plus noise, as a real border does.
fn write_outline(path: &Path, vertices: usize) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut rng = Rng::new(11, 0);
    let (cx, cy, r0) = (5.72, 45.18, 0.05);
    let mut coords = String::with_capacity(vertices * 40);
    for i in 0..vertices {
        let a = std::f64::consts::TAU * i as f64 / vertices as f64;
        let r = r0 * (1.0 + 0.2 * (7.0 * a).sin() + 0.05 * (131.0 * a).sin() + 0.02 * rng.unit());
        write!(coords, "[{:.7},{:.7}],", cx + r * a.cos(), cy + r * a.sin())?;
    }
    // Closed on its first vertex.
    let first = coords.split_inclusive(',').take(2).collect::<String>();
    coords.push_str(first.trim_end_matches(','));
    let text = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{{\"type\":\"Feature\",\"properties\":{{\"CODE_IRIS\":\"381850101\",\"NOM_IRIS\":\"Grand contour\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{coords}]]}}}}]}}"
    );
    std::fs::write(path, text)?;
    Ok(())
}

fn run_outline(path: &Path) -> Result<()> {
    let source = ContourSource { path: path.to_path_buf(), level: Level::Iris, code_property: None, crs: None };
    let mut report = Report::default();
    let t = Instant::now();
    let features = read_contours(path, &source, &mut report)?;
    let seconds = t.elapsed().as_secs_f64();
    let vertices: usize =
        features.iter().filter_map(|f| f.geometry.as_ref()).flat_map(|g| g.0.iter()).map(|p| p.exterior().0.len() - 1).sum();
    let invalid = report.problems.iter().filter(|p| p.message.contains("not a valid polygon")).count();
    println!("outline: {vertices} vertices read and checked in {seconds:.3} s, {invalid} invalid, {}", print_peak());
    Ok(())
}

// ------------------------------------------------------------------ table

const AGES: [&str; 6] = ["0014", "1529", "3044", "4559", "6074", "75P"];
const FINE_AGES: [&str; 10] = ["0002", "0305", "0610", "1117", "1824", "2539", "4054", "5564", "6579", "80P"];

/// `rows` IRIS in INSEE's `base-ic-evol-struct-pop` layout (identity columns, then population
/// by fine and broad age bands, by sex, and the 15+ by socio-professional category), and the
/// pipeline config that reads it.
fn write_table(dir: &Path, rows: usize) -> Result<()> {
    let csv = dir.join(format!("base-ic-evol-struct-pop-{rows}.csv"));
    let config = dir.join(format!("big-{rows}.toml"));
    std::fs::write(
        &config,
        format!(
            "[project]\nname = \"bench-big\"\noutput = \"out-{rows}\"\nvariables = \"../../config/variables.toml\"\n\n[[table]]\npath = \"{}\"\nlevel = \"iris\"\n",
            csv.file_name().and_then(|n| n.to_str()).unwrap_or_default()
        ),
    )?;
    if csv.exists() {
        return Ok(());
    }
    let mut header: Vec<String> = [
        "IRIS",
        "REG",
        "DEP",
        "UU2020",
        "COM",
        "LIBCOM",
        "TRIRIS",
        "GRD_QUART",
        "LIBIRIS",
        "TYP_IRIS",
        "MODIF_IRIS",
        "LAB_IRIS",
        "P21_POP",
    ]
    .map(String::from)
    .to_vec();
    header.extend(FINE_AGES.iter().map(|a| format!("P21_POP{a}")));
    header.extend(AGES.iter().map(|a| format!("P21_POP{a}")));
    header.extend(["P21_POP0019", "P21_POP2064", "P21_POP65P", "P21_POP15P", "P21_POPH"].map(String::from));
    header.extend(AGES.iter().map(|a| format!("P21_H{a}")));
    header.push("P21_POPF".into());
    header.extend(AGES.iter().map(|a| format!("P21_F{a}")));
    header.push("C21_POP15P".into());
    header.extend((1..=8).map(|k| format!("C21_POP15P_CS{k}")));
    header.extend(["C21_H15P", "C21_F15P"].map(String::from));
    header.extend((1..=8).map(|k| format!("C21_H15P_CS{k}")));
    let values = header.len() - 12;
    let departements: Vec<u32> = (1..=95).filter(|d| *d != 20).collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv)?);
    writeln!(out, "{}", header.join(";"))?;
    let mut rng = Rng::new(42, 0);
    for i in 0..rows {
        let commune = i / 11;
        let dep = departements[(commune / 999) % departements.len()];
        let com = format!("{dep:02}{:03}", commune % 999 + 1);
        let iris = format!("{com}{:04}", i % 11 + 101);
        write!(out, "{iris};84;{dep:02};{dep:02}701;{com};Commune {com};{:04};{com}01;Quartier {};H;00;1", i % 9999, i % 11 + 1)?;
        let pop = 500.0 + 3_000.0 * rng.unit();
        write!(out, ";{pop:.8}")?;
        for _ in 1..values {
            write!(out, ";{:.8}", pop * 0.1 * rng.unit())?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

fn run_table(config: &Path) -> Result<()> {
    let config = PipelineConfig::load(config)?;
    let t = Instant::now();
    let loaded = fragnum_ingest::load::load(&config, &mut |_| {})?;
    let seconds = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(config.resolve(&config.tables[0].path)).map_or(0, |m| m.len());
    println!(
        "table: {} rows ({:.0} MB, {} variables) ingested in {seconds:.2} s, {} findings, {}",
        loaded.table.len(),
        size as f64 / 1e6,
        loaded.table.variables().len(),
        loaded.report.problems.len(),
        print_peak()
    );
    Ok(())
}
