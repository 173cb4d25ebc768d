//! End-to-end: the `fragnum` binary on the demo territory, in a temporary copy of the project's
//! config folder, exactly as `make demo` runs it.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fragnum(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fragnum")).args(args).output().expect("the fragnum binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temporary project: config/ copied, the demo territory generated into data/demo.
fn demo_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    copy_dir(&root.join("config"), &dir.path().join("config"));
    let data = dir.path().join("data/demo");
    let out = fragnum(&["demo", "--out", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let config = dir.path().join("config/demo.toml");
    (dir, config)
}

#[test]
fn demo_pipeline_runs_end_to_end() {
    let (dir, config) = demo_project();
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("zones per département and level"), "{log}");
    let outputs = dir.path().join("notebooks-out/demo");
    for f in ["zones.parquet", "zones.csv", "zones_long.parquet", "zones_long.csv", "zones.geojson", "indices.parquet", "indices.csv"] {
        assert!(outputs.join(f).is_file(), "missing {f}; log:\n{log}");
    }
    for f in ["access_zones.csv", "access_points.parquet", "access_siting.csv", "isochrones.geojson", "maps/no_daily_internet_part.geojson", "maps/no_daily_internet_part-web.png", "maps/acces_20min_part-a4.svg", "sheets/index.html", "sheets/001000105.html", "sheets/Valbrune_Nord.html"] {
        assert!(outputs.join(f).is_file(), "missing {f}; log:\n{log}");
    }
    // Every sheet escapes the hostile site name of the demo.
    for entry in std::fs::read_dir(outputs.join("sheets")).unwrap() {
        let html = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!html.contains("<script>alert(1)</script>"), "unescaped site name");
    }
    let csv = std::fs::read_to_string(outputs.join("zones.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("001000101,iris,")), "{csv}");
    // No temporary file left behind by the atomic writers.
    let leftovers: Vec<_> = std::fs::read_dir(&outputs).unwrap().filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().ends_with(".part")).collect();
    assert!(leftovers.is_empty());
}

#[test]
fn demo_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [&a, &b] {
        let out = fragnum(&["demo", "--out", d.path().to_str().unwrap(), "--seed", "7"]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let mut names: Vec<_> = std::fs::read_dir(a.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(names.len() >= 10);
    for n in names {
        assert_eq!(std::fs::read(a.path().join(&n)).unwrap(), std::fs::read(b.path().join(&n)).unwrap(), "{n:?} differs");
    }
}

#[test]
fn validate_lists_every_problem_with_location_and_fails() {
    let (dir, config) = demo_project();
    // Break two inputs: a non-numeric count and a duplicated code.
    let pop = dir.path().join("data/demo/base-ic-evol-struct-pop-2021.csv");
    let mut lines: Vec<String> = std::fs::read_to_string(&pop).unwrap().lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(';').collect();
    let pop_col = header.iter().position(|h| *h == "P21_POP").unwrap();
    let mut fields: Vec<String> = lines[1].split(';').map(str::to_string).collect();
    fields[pop_col] = "douze".into();
    lines[1] = fields.join(";");
    let duplicate = lines[2].clone();
    lines.push(duplicate);
    std::fs::write(&pop, lines.join("\n") + "\n").unwrap();

    let out = fragnum(&["validate", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    let file = pop.display().to_string();
    assert!(log.contains(&format!("{file}:2:{}: error: column `P21_POP`: `douze` is not a number", pop_col + 1)), "{log}");
    assert!(log.contains("error: duplicate zone code"), "{log}");
    // ingest refuses to write outputs from bad inputs.
    let out = fragnum(&["ingest", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!dir.path().join("notebooks-out/demo/zones.parquet").exists());
}

#[test]
fn missing_config_is_a_clear_error() {
    let out = fragnum(&["ingest", "--config", "/nonexistent/fragnum.toml"]);
    let log = text(&out);
    assert!(!out.status.success());
    assert!(log.contains("/nonexistent/fragnum.toml"), "{log}");
}

#[test]
fn help_explains_the_commands() {
    let out = fragnum(&["--help"]);
    let log = text(&out);
    for c in ["demo", "validate", "ingest", "run"] {
        assert!(log.contains(c), "{log}");
    }
}

/// The demo roads as a BD TOPO-style Lambert-93 shapefile give the same accessibility as their
/// GeoJSON twin: same classes, one-ways and speeds, through a different reader and PROJ.
#[test]
fn road_shapefile_twin_gives_the_same_access() {
    let (dir, config) = demo_project();
    let run = |config: &Path| {
        let out = fragnum(&["access", "--config", config.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        std::fs::read_to_string(dir.path().join("notebooks-out/demo/access_zones.csv")).unwrap()
    };
    let from_geojson = run(&config);
    let toml = std::fs::read_to_string(&config).unwrap().replace("../data/demo/roads.geojson", "../data/demo/troncon_de_route.shp");
    std::fs::write(&config, toml).unwrap();
    let from_shapefile = run(&config);
    let rows = |csv: &str| csv.lines().map(|l| l.split(',').map(String::from).collect::<Vec<_>>()).collect::<Vec<_>>();
    let (a, b) = (rows(&from_geojson), rows(&from_shapefile));
    assert_eq!(a.len(), b.len());
    assert_eq!(a[0], b[0]);
    let header = &a[0];
    for (ra, rb) in a.iter().zip(&b).skip(1) {
        for ((name, x), y) in header.iter().zip(ra).zip(rb) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                // GeoJSON positions are rounded to 1e-7°: times may differ by a few milliseconds
                (Ok(x), Ok(y)) => assert!((x - y).abs() <= 1e-3 * x.abs().max(1.0), "{name}: {x} vs {y}"),
                _ => assert_eq!(x, y, "{name}"),
            }
        }
    }
}

/// A wrong `[render]` or `[access]` value fails `validate` and `run` at once, naming the config,
/// not after the indices and travel times.
#[test]
fn bad_render_section_fails_fast() {
    let (_dir, config) = demo_project();
    let toml = std::fs::read_to_string(&config).unwrap().replace("simplify_m = 10", "simplify_m = -10");
    std::fs::write(&config, toml).unwrap();
    for command in ["validate", "run"] {
        let out = fragnum(&[command, "--config", config.to_str().unwrap()]);
        let log = text(&out);
        assert!(!out.status.success(), "{command}: {log}");
        assert!(log.contains("demo.toml") && log.contains("simplify_m = -10"), "{command}: {log}");
        assert!(!log.contains("access: outputs written"), "{command} went on: {log}");
    }
}
