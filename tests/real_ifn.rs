//! Real data, end to end: `fragnum run` on `config/savoie-ifn-2020.toml` (MedNum's own IRIS input
//! file for Savoie, read in place from `../shared/data`; CI has it, so this test never skips) must
//! give back MedNum's published IFN 2020 scores (`reference/ifn-2020.38-73.csv`): the 7 scores
//! against the département, EPCI and région references, for every Savoie IRIS in both files.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

use std::collections::BTreeMap;

mod common;

use common::{Row, fragnum, num, read_rows, real_config, shared, text};
use fragnum_indices::ifn::IfnScores;

/// fragnum's reference name → the published files' suffix.
const REFERENCES: [(&str, &str); 3] = [("departement", "dep"), ("epci", "epci"), ("region", "reg")];

#[test]
fn savoie_reproduces_mednum_published_ifn_2020() {
    let published_path = shared().join("data/reference/ifn-2020.38-73.csv");
    assert!(published_path.is_file(), "{} is missing: real-data tests must run", published_path.display());
    let dir = tempfile::tempdir().unwrap();
    let config = real_config("savoie-ifn-2020", dir.path());
    let started = std::time::Instant::now();
    let out = fragnum(&["run", "--quiet", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    println!("fragnum run on MedNum's Savoie file: {:.1} s", started.elapsed().as_secs_f64());

    let ours: BTreeMap<String, Row> = read_rows(&dir.path().join("out/indices.csv"))
        .into_iter()
        .filter(|r| r["level"] == "iris")
        .map(|r| (r["code"].clone(), r))
        .collect();
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
            for name in IfnScores::NAMES {
                let Some(expected) = num(p, &format!("{name}_{suffix}")) else {
                    continue;
                };
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
    assert_eq!(values, compared * IfnScores::NAMES.len() * REFERENCES.len());
    for (reference, (d, at)) in &worst {
        assert!(*d < 1e-6, "reference {reference}: max |Δ| = {d:e} ({at})");
    }
}
