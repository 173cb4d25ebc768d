//! France-size batch benchmark (`make bench-scale`): generates every French commune split into
//! IRIS ([`fragnum_demo::france`]) in the real sources' formats, writes a pipeline config beside
//! it, then (with `--fragnum`) runs the real binary on it under `/usr/bin/time -v` and prints wall
//! time and peak memory per stage.
//!
//! ```text
//! cargo run --release -p fragnum-demo --example bench_scale -- \
//!     --communes ../shared/data/national/communes.json --epci ../shared/data/national/epci.json \
//!     --project-config config --out target/bench-scale [--departements 38,73] [--max-sheets 500] \
//!     [--fragnum target/release/fragnum] [--breakdown]
//! ```
//!
//! Peak memory per stage: the binary's own commands are run one after the other —
//! `ingest`, `indices` (ingest + indices), `access` (ingest + access), then `run` (everything,
//! render included) — each its own process, so each peak is that of the stage with what it needs
//! before it. Stage times come from the CLI's own log lines (`<stage>: … in X s`); each command's
//! log is kept beside the config (`france.<command>.log`). `--breakdown` then runs the whole
//! pipeline once per render output (GeoJSON, PNG, SVG, atlas, zone sheets) to say which dominates.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use fragnum_demo::france::{self, FranceOptions};

struct Args {
    communes: PathBuf,
    epci: Option<PathBuf>,
    project_config: PathBuf,
    out: PathBuf,
    departements: Vec<String>,
    max_sheets: usize,
    fragnum: Option<PathBuf>,
    breakdown: bool,
}

/// Every render output.
const ALL_FORMATS: [&str; 4] = ["geojson", "png", "svg", "atlas"];

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        communes: PathBuf::new(),
        epci: None,
        project_config: PathBuf::from("config"),
        out: PathBuf::from("target/bench-scale"),
        departements: Vec::new(),
        max_sheets: 500,
        fragnum: None,
        breakdown: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--communes" => a.communes = value()?.into(),
            "--epci" => a.epci = Some(value()?.into()),
            "--project-config" => a.project_config = value()?.into(),
            "--out" => a.out = value()?.into(),
            "--departements" => a.departements = value()?.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
            "--max-sheets" => a.max_sheets = value()?.parse().map_err(|e| format!("--max-sheets: {e}"))?,
            "--fragnum" => a.fragnum = Some(value()?.into()),
            "--breakdown" => a.breakdown = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.communes.as_os_str().is_empty() {
        return Err("--communes <national/communes.json> is required".into());
    }
    Ok(a)
}

/// Stage times from the CLI's log: lines `<stage>: … in X s` and `render …`/`done in X s`.
fn stage_times(stdout: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for line in stdout.lines() {
        let Some(pos) = line.rfind(" in ") else { continue };
        let rest = &line[pos + 4..];
        let Some(num) = rest.strip_suffix(" s").or_else(|| rest.split(" s;").next().filter(|_| rest.contains(" s;"))) else { continue };
        let Ok(secs) = num.trim().parse::<f64>() else { continue };
        // Indented lines are steps within the stage above (`  outlines simplified … in X s`).
        let word = line.trim_start().split([':', ' ']).next().unwrap_or_default();
        let stage = if line.starts_with(' ') { format!("  {word}") } else { word.to_string() };
        out.push((stage, secs));
    }
    out
}

/// Wall time (s) and maximum resident set (KiB) from `/usr/bin/time -v`'s report.
fn time_report(stderr: &str) -> (Option<f64>, Option<u64>) {
    let mut wall = None;
    let mut rss = None;
    for line in stderr.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("Maximum resident set size (kbytes): ") {
            rss = v.trim().parse().ok();
        }
        if let Some(v) = line.strip_prefix("Elapsed (wall clock) time (h:mm:ss or m:ss): ") {
            wall = v.split(':').try_fold(0.0, |acc, p| p.parse::<f64>().ok().map(|x| acc * 60.0 + x));
        }
    }
    (wall, rss)
}

/// One command's wall time (s), peak resident set (KiB) and the stage times of its log.
type StageRun = (f64, u64, Vec<(String, f64)>);

/// A command, its wall time (s), peak (KiB) and stage times.
type Row<'a> = (&'a str, f64, u64, Vec<(String, f64)>);

fn run_stage(fragnum: &Path, command: &str, config: &Path) -> Result<StageRun, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time").arg("-v").arg(fragnum).arg(command).arg("--config").arg(config).output()?;
    let wall_here = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("fragnum {command} failed ({}):\n{stdout}\n{stderr}", output.status).into());
    }
    // The whole log beside the config, for reading what each stage did.
    let log = config.with_file_name(format!("{}.{command}.log", config.file_stem().and_then(|s| s.to_str()).unwrap_or("run")));
    std::fs::write(&log, format!("{stdout}\n--- stderr ---\n{stderr}"))?;
    let (wall, rss) = time_report(&stderr);
    Ok((wall.unwrap_or(wall_here), rss.unwrap_or(0), stage_times(&stdout)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let data = args.out.join("data");
    let started = Instant::now();
    let communes = france::read_communes(&args.communes, args.epci.as_deref())?;
    let options = FranceOptions { departements: args.departements.clone(), ..FranceOptions::default() };
    let summary = france::generate(&communes, &data, &options)?;
    let generated = started.elapsed().as_secs_f64();
    println!(
        "generated {} communes, {} IRIS, {} départements, {} sites, population {:.0} in {generated:.1} s ({})",
        summary.communes,
        summary.iris,
        summary.departements,
        summary.sites,
        summary.population,
        data.display()
    );

    // Paths in the config are relative to its folder, as in config/*.toml.
    let cwd = std::env::current_dir()?;
    let abs = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { cwd.join(p) };
    let config_dir = abs(&args.out);
    let text = france::config_toml(
        &france::relative(&config_dir, &abs(&data)),
        &france::relative(&config_dir, &abs(&args.project_config)),
        Path::new("out"),
        &summary,
        &ALL_FORMATS,
        args.max_sheets,
    );
    let config = args.out.join("france.toml");
    std::fs::write(&config, text)?;
    println!("config: {}", config.display());
    // Render broken down by output: one config per format without zone sheets, one with sheets only.
    let mut variants = Vec::new();
    if args.breakdown {
        for (name, formats, sheets) in [
            ("geojson", &["geojson"][..], 0),
            ("png", &["png"], 0),
            ("svg", &["svg"], 0),
            ("atlas", &["atlas"], 0),
            ("sheets", &["geojson"], args.max_sheets),
        ] {
            let out = PathBuf::from(format!("out-{name}"));
            let text = france::config_toml(
                &france::relative(&config_dir, &abs(&data)),
                &france::relative(&config_dir, &abs(&args.project_config)),
                &out,
                &summary,
                formats,
                sheets,
            );
            let path = args.out.join(format!("france-{name}.toml"));
            std::fs::write(&path, text)?;
            variants.push((name, path));
        }
    }

    let Some(fragnum) = args.fragnum else { return Ok(()) };
    let gib = |kib: u64| kib as f64 / 1024.0 / 1024.0;
    let mut rows = Vec::new();
    for command in ["ingest", "indices", "access", "run"] {
        let (wall, rss, stages) = run_stage(&fragnum, command, &config)?;
        let detail: Vec<String> = stages.iter().map(|(s, t)| format!("{s} {t:.2} s")).collect();
        println!("fragnum {command:<8} wall {wall:>7.2} s  peak {:>6.2} GiB  [{}]", gib(rss), detail.join(", "));
        rows.push((command, wall, rss, stages));
    }
    let mut breakdown = Vec::new();
    for (name, path) in &variants {
        let (wall, rss, stages) = run_stage(&fragnum, "run", path)?;
        let render = stages.iter().find(|s| s.0 == "render").map_or(0.0, |s| s.1);
        println!("render {name:<8} render {render:>7.2} s  (run wall {wall:.2} s, peak {:.2} GiB)", gib(rss));
        breakdown.push((*name, render, rss));
    }
    print_table(&summary, args.max_sheets, &rows, &breakdown);
    Ok(())
}

/// The per-stage table of the full run, with the peaks of the separate commands.
fn print_table(summary: &france::FranceSummary, max_sheets: usize, rows: &[Row<'_>], breakdown: &[(&str, f64, u64)]) {
    let gib = |kib: u64| kib as f64 / 1024.0 / 1024.0;
    println!();
    println!(
        "France batch: {} zones (IRIS), {} communes, {} sites, {} sheets max",
        summary.iris, summary.communes, summary.sites, max_sheets
    );
    println!("{:<10} {:>10} {:>12}", "stage", "time (s)", "peak (GiB)");
    let full = rows.iter().find(|r| r.0 == "run");
    if let Some((_, wall, rss, stages)) = full {
        let peak_of = |cmd: &str| rows.iter().find(|r| r.0 == cmd).map(|r| gib(r.2));
        for (stage, t) in stages {
            let peak = match stage.as_str() {
                "ingest" => peak_of("ingest"),
                "indices" => peak_of("indices"),
                "access" => peak_of("access"),
                _ => None,
            };
            println!("{stage:<10} {t:>10.2} {:>12}", peak.map_or_else(|| "-".to_string(), |p| format!("{p:.2}")));
        }
        println!("{:<10} {wall:>10.2} {:>12.2}", "total", gib(*rss));
        if !breakdown.is_empty() {
            println!("render by output (one run each, that output alone, no zone sheet; sheets = geojson + {max_sheets} zone sheets):");
            for (name, t, rss) in breakdown {
                println!("  {name:<8} {t:>10.2} {:>12.2}", gib(*rss));
            }
        }
        let ok_time = *wall < 120.0;
        let ok_mem = gib(*rss) < 8.0;
        println!(
            "targets (< 120 s, < 8 GiB on 2 cores): time {}, memory {}",
            if ok_time { "met" } else { "NOT met" },
            if ok_mem { "met" } else { "NOT met" }
        );
    }
}
