//! Helpers shared by the real-data end-to-end tests: the project's configs run on the files of
//! `../shared/data` in place, with their outputs in a temporary folder.

#![allow(dead_code, clippy::unwrap_used, clippy::panic)] // each test uses part of them

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// `../shared` beside the project; real-data tests fail, never skip, when it is absent.
pub fn shared() -> PathBuf {
    let shared = root().join("../shared");
    assert!(shared.join("data/README.md").is_file(), "../shared/data is missing beside the project: real-data tests must run");
    shared
}

/// A copy of `config/<name>.toml` in `out` whose relative paths are made absolute and whose
/// output goes to `out/out`.
pub fn real_config(name: &str, out: &Path) -> PathBuf {
    let config = root().join("config");
    let text = std::fs::read_to_string(config.join(format!("{name}.toml"))).unwrap();
    let edited = text
        .replace("\"../../shared/", &format!("\"{}/", shared().display()))
        .replace(&format!("output = \"../notebooks-out/{name}\""), &format!("output = \"{}\"", out.join("out").display()))
        .replace("variables = \"variables.toml\"", &format!("variables = \"{}\"", config.join("variables.toml").display()))
        .replace("\"rates/", &format!("\"{}/rates/", config.display()))
        .replace("\"profiles/", &format!("\"{}/profiles/", config.display()));
    assert!(!edited.contains("\"../"), "a relative path is left in the config:\n{edited}");
    let path = out.join(format!("{name}.toml"));
    std::fs::write(&path, edited).unwrap();
    path
}

/// One CSV row by column name.
pub type Row = BTreeMap<String, String>;

/// Every row of a CSV file.
pub fn read_rows(path: &Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader.records().map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
}

/// A number cell (`None` when empty or not a number; a missing column is a failure).
pub fn num(row: &Row, key: &str) -> Option<f64> {
    row.get(key).unwrap_or_else(|| panic!("no column {key}")).parse().ok()
}

/// Runs the `fragnum` binary.
pub fn fragnum(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fragnum")).args(args).output().expect("the fragnum binary runs")
}

/// Standard output then standard error, as text.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Copies a folder, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
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

/// A temporary project: config/ copied, the demo territory generated into data/demo; returns
/// the folder and its `config/demo.toml`.
pub fn demo_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("config"), &dir.path().join("config"));
    let data = dir.path().join("data/demo");
    let out = fragnum(&["demo", "--out", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let config = dir.path().join("config/demo.toml");
    (dir, config)
}
