//! Fisher–Jenks: `fragnum`'s exact O(k·n·log n) dynamic programme against mapclassify's O(k·n²)
//! `FisherJenks` on the same values, measured in the same run.
//!
//! ```text
//! cargo run --release -p fragnum-render --example bench_jenks -- [--n 48600] [--k 7] [--python PATH]
//! ```
//! The peer runs `benches/jenks_mapclassify.py` with `--python`, `$FRAGNUM_PYTHON`, or the
//! bench venv the Makefile builds (`target/bench-venv/bin/python` of the workspace) when it exists.
//! Without Python the fragnum time alone is printed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use fragnum_render::classify::{fisher_jenks, sdcm};

/// Skewed pseudo-random rates in [0, 100] with 2 decimals (same values every run).
fn values(n: usize) -> Vec<f64> {
    let mut rng = fragnum_core::rng::Rng::new(0x2545_f491_4f6c_dd1d, 0);
    (0..n).map(|_| (rng.unit().powf(2.2) * 10_000.0).round() / 100.0).collect()
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--n").map_or(Ok(48_600), |s| s.parse())?;
    let k: usize = arg(&args, "--k").map_or(Ok(7), |s| s.parse())?;
    let v = values(n);

    let mut best = f64::INFINITY;
    let mut breaks = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        breaks = fisher_jenks(&sorted, k);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mut sorted = v.clone();
    sorted.sort_by(f64::total_cmp);
    println!("values: {n}, classes: {k}");
    println!("fragnum   FisherJenks: {best:>10.4} s  (best of 5, sort included)");
    println!("fragnum   breaks: {breaks:?}");
    println!("fragnum   SDCM:   {:.6}", sdcm(&sorted, &breaks));

    let python = arg(&args, "--python")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("FRAGNUM_PYTHON").map(PathBuf::from))
        .or_else(|| Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-venv/bin/python")).filter(|p| p.exists()));
    let Some(python) = python else {
        println!("mapclassify: skipped (no --python, $FRAGNUM_PYTHON or target/bench-venv)");
        return Ok(());
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/jenks_mapclassify.py");
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("values.txt");
    let text = v.iter().fold(String::new(), |mut acc, x| {
        use std::fmt::Write as _;
        let _ = writeln!(acc, "{x}");
        acc
    });
    std::fs::write(&file, text)?;
    let out = Command::new(&python).arg(&script).arg("--values").arg(&file).arg("--k").arg(k.to_string()).output()?;
    if !out.status.success() {
        println!("mapclassify: failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        return Ok(());
    }
    let peer: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let secs = peer["seconds"].as_f64().unwrap_or(f64::NAN);
    let bins: Vec<f64> = serde_json::from_value(peer["bins"].clone())?;
    println!("mapclassify {} FisherJenks: {:>10.4} s  (numba: {})", peer["mapclassify"].as_str().unwrap_or("?"), secs, peer["numba"]);
    println!("mapclassify breaks: {bins:?}");
    println!("mapclassify SDCM:   {:.6}", sdcm(&sorted, &bins));
    println!("same breaks: {}", bins == breaks);
    println!("ratio mapclassify / fragnum: {:.0}×", secs / best);
    Ok(())
}
