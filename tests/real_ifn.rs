//! Real data, end to end: `fragnum run` on `config/savoie-ifn-2020.toml` (MedNum's own IRIS input
//! file for Savoie, read in place from `../shared/data`; CI has it, so this test never skips) must
//! give back MedNum's published IFN 2020 scores (`reference/ifn-2020.38-73.csv`): the 7 scores
//! against the département, EPCI and région references, for every Savoie IRIS in both files.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCORES: [&str; 7] = [
    "acces_information",
    "acces_interfaces_numeriques",
    "competences_administratives",
    "competences_numeriques_scolaires",
    "global_acces",
    "global_competences",
    "score_global",
];

/// fragnum's reference name → the published files' suffix.
const REFERENCES: [(&str, &str); 3] = [("departement", "dep"), ("epci", "epci"), ("region", "reg")];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> PathBuf {
    let shared = root().canonicalize().unwrap().join("../shared");
    assert!(shared.join("data/README.md").is_file(), "../shared/data is missing beside the project: real-data tests must run");
    shared
}

/// The real config with its paths made absolute and its output sent to `out`.
fn real_config(out: &Path) -> PathBuf {
    let config = root().canonicalize().unwrap().join("config");
    let text = std::fs::read_to_string(config.join("savoie-ifn-2020.toml")).unwrap();
    let edited = text
        .replace("\"../../shared/", &format!("\"{}/", shared().display()))
        .replace("output = \"../notebooks-out/savoie-ifn-2020\"", &format!("output = \"{}\"", out.join("out").display()))
        .replace("variables = \"variables.toml\"", &format!("variables = \"{}\"", config.join("variables.toml").display()));
    assert!(!edited.contains("\"../"), "a relative path is left in the config:\n{edited}");
    let path = out.join("savoie-ifn-2020.toml");
    std::fs::write(&path, edited).unwrap();
    path
}

type Row = BTreeMap<String, String>;

fn read_rows(path: &Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader.records().map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
}

fn num(row: &Row, key: &str) -> Option<f64> {
    row.get(key).unwrap_or_else(|| panic!("no column {key}")).parse().ok()
}

#[test]
fn savoie_reproduces_mednum_published_ifn_2020() {
    let published_path = shared().join("data/reference/ifn-2020.38-73.csv");
    assert!(published_path.is_file(), "{} is missing: real-data tests must run", published_path.display());
    let dir = tempfile::tempdir().unwrap();
    let config = real_config(dir.path());
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_fragnum")).args(["run", "--quiet", "--config", config.to_str().unwrap()]).output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{log}");
    println!("fragnum run on MedNum's Savoie file: {:.1} s", started.elapsed().as_secs_f64());

    let ours: BTreeMap<String, Row> =
        read_rows(&dir.path().join("out/indices.csv")).into_iter().filter(|r| r["level"] == "iris").map(|r| (r["code"].clone(), r)).collect();
    let published: BTreeMap<String, Row> =
        read_rows(&published_path).into_iter().filter(|r| r["dep"] == "73").map(|r| (r["code_iris"].clone(), r)).collect();
    let mut compared = 0;
    let mut values = 0;
    let mut unscored = Vec::new();
    let mut worst: BTreeMap<&str, (f64, String)> = BTreeMap::new();
    for (code, p) in &published {
        let Some(z) = ours.get(code) else { continue };
        compared += 1;
        for (reference, suffix) in REFERENCES {
            for name in SCORES {
                let Some(expected) = num(p, &format!("{name}_{suffix}")) else { continue };
                let Some(got) = num(z, &format!("ifn_{name}_{reference}")) else {
                    unscored.push(format!("{code} {name} {reference} (ifn_missing: {})", z["ifn_missing"]));
                    continue;
                };
                values += 1;
                let d = (got - expected).abs();
                let w = worst.entry(reference).or_insert((0.0, String::new()));
                if d > w.0 {
                    *w = (d, format!("{code} {name}: {got} vs {expected}"));
                }
            }
        }
    }
    let zero_point = ours.values().filter(|z| z["ifn_missing"].contains("compté 0")).count();
    println!(
        "IFN 2020, Savoie: {} IRIS in fragnum's output, {} published, {compared} compared ({values} values, {zero_point} with MedNum's income point 0)",
        ours.len(),
        published.len()
    );
    for (reference, (d, at)) in &worst {
        println!("  reference {reference}: max |Δ| = {d:.2e} ({at})");
    }
    assert!(unscored.is_empty(), "published but not scored: {unscored:?}");
    assert!(compared >= 315, "only {compared} Savoie IRIS compared");
    assert_eq!(values, compared * SCORES.len() * REFERENCES.len());
    for (reference, (d, at)) in &worst {
        assert!(*d < 1e-6, "reference {reference}: max |Δ| = {d:e} ({at})");
    }
}
