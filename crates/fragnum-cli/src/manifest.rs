//! `manifest.json` in a run's output folder, so the folder never lies about what it holds.
//!
//! At the start of a run ([`begin`]) the temporary files a killed run left behind
//! (`.fragnum-*.part`, in the folder and its `maps/` and `sheets/`) are removed and the manifest is
//! written with `"complete": false` and no outputs; at the end of a successful run ([`Run::finish`])
//! it is rewritten with `"complete": true`, the fragnum version, the config's path and SHA-256,
//! every input (path as written in the config, size, SHA-256), the vintages read per variable of the
//! zone table ([`vintages`]) and every file the run wrote (path relative to the folder, size,
//! SHA-256). A folder whose manifest says `"complete": false` comes
//! from a run that failed or is still going: its files may mix that run's and an earlier one's.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use crate::progress::say;
use anyhow::{Context as _, Result};
use fragnum_core::{Cell, ZoneTable, atomic};
use fragnum_ingest::config::PipelineConfig;
use serde_json::{Value, json};
use sha2::Digest as _;

/// The manifest's file name in the output folder.
pub const FILE_NAME: &str = "manifest.json";

/// The subfolders the render stage writes into (cleaned of temporary files like the folder).
const SUBFOLDERS: [&str; 5] = ["maps", "sheets", "atlas", "atlas/data", "atlas/lib"];

/// A run in progress: its output folder and config.
pub struct Run {
    /// The output folder.
    pub out_dir: PathBuf,
    config: Value,
}

/// Starts a run of `config`: clears the temporary files a killed run left in the output folder,
/// writes the manifest with `"complete": false`, and starts recording the files written.
pub fn begin(config: &PipelineConfig) -> Result<Run> {
    let out_dir = config.output_dir();
    std::fs::create_dir_all(&out_dir).with_context(|| format!("cannot create the output folder {}", out_dir.display()))?;
    let mut removed = Vec::new();
    for dir in std::iter::once(out_dir.clone()).chain(SUBFOLDERS.iter().map(|s| out_dir.join(s))) {
        removed.extend(
            atomic::remove_leftovers(&dir).with_context(|| format!("cannot remove the temporary files left in {}", dir.display()))?,
        );
    }
    if !removed.is_empty() {
        say!("removed {} temporary file(s) left in {} by an interrupted run", removed.len(), out_dir.display());
    }
    let (size, sha256) = hash_file(&config.path)?;
    let config_entry = json!({ "path": path_text(&relative_to(&config.path, &out_dir)?), "size": size, "sha256": sha256 });
    let run = Run { out_dir, config: config_entry };
    run.write(false, &json!([]), &json!({}), &json!([]), &json!([]))?;
    atomic::start_recording();
    Ok(run)
}

impl Run {
    /// Rewrites the manifest with `"complete": true`, the inputs of `config`, the `vintages` of
    /// the zone table and every file written since [`begin`].
    pub fn finish(&self, config: &PipelineConfig, vintages: &Value) -> Result<()> {
        let written = atomic::take_recorded();
        let mut outputs: Vec<(String, PathBuf)> = written
            .iter()
            .filter_map(|p| Some((path_text(p.strip_prefix(&self.out_dir).ok()?), p.clone())))
            .filter(|(rel, _)| rel != FILE_NAME)
            .collect();
        outputs.sort();
        let mut listed = Vec::with_capacity(outputs.len());
        for (rel, path) in &outputs {
            let (size, sha256) = hash_file(path)?;
            listed.push(json!({ "path": rel, "size": size, "sha256": sha256 }));
        }
        let mut inputs = Vec::new();
        for (written_as, from, path) in inputs_of(config)? {
            let (size, sha256) = hash_file(&path)?;
            inputs.push(json!({ "path": written_as, "from": from, "size": size, "sha256": sha256 }));
        }
        // Files of the folder this run did not write (an earlier run's, or someone's): named, so
        // that nobody takes them for this run's.
        let mut others = Vec::new();
        for dir in std::iter::once(self.out_dir.clone()).chain(SUBFOLDERS.iter().map(|s| self.out_dir.join(s))) {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.filter_map(Result::ok) {
                let path = entry.path();
                let Ok(rel) = path.strip_prefix(&self.out_dir) else { continue };
                let rel = path_text(rel);
                if path.is_file() && rel != FILE_NAME && !outputs.iter().any(|(r, _)| *r == rel) {
                    others.push(rel);
                }
            }
        }
        others.sort();
        self.write(true, &Value::Array(inputs), vintages, &Value::Array(listed), &json!(others))
    }

    /// The sentence the CLI prints when the run fails.
    pub fn incomplete_message(&self) -> String {
        format!(
            "the output folder {} is incomplete: this run failed before the end, so its files may mix this run's and an earlier run's ({FILE_NAME} there says \"complete\": false)",
            self.out_dir.display()
        )
    }

    fn write(&self, complete: bool, inputs: &Value, vintages: &Value, outputs: &Value, others: &Value) -> Result<()> {
        let manifest = json!({
            "fragnum_version": env!("CARGO_PKG_VERSION"),
            "complete": complete,
            "paths": "config and outputs: relative to this folder; inputs: as written in the config (relative to the config's folder)",
            "config": self.config,
            "inputs": inputs,
            "vintages": vintages,
            "outputs": outputs,
            "not_from_this_run": others,
        });
        let path = self.out_dir.join(FILE_NAME);
        let mut bytes = serde_json::to_vec_pretty(&manifest)?;
        bytes.push(b'\n');
        atomic::write_bytes(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// The vintages read, per variable of the zone table: those of its figures (numbers and masked
/// cells, not missing ones), ascending, then `null` when some figure's vintage is unknown:
/// `{"disp_med": [2019, 2020], "pop": [2016]}`.
pub fn vintages(table: &ZoneTable) -> Value {
    let mut out = serde_json::Map::new();
    for (name, var) in table.variables() {
        let mut years = std::collections::BTreeSet::new();
        let mut unknown = false;
        for (cell, vintage) in var.values.iter().zip(&var.vintages) {
            match vintage {
                _ if *cell == Cell::Missing => {}
                Some(year) => {
                    years.insert(*year);
                }
                None => unknown = true,
            }
        }
        let mut list: Vec<Value> = years.into_iter().map(Value::from).collect();
        if unknown {
            list.push(Value::Null);
        }
        out.insert(name.clone(), Value::Array(list));
    }
    Value::Object(out)
}

/// Every file the config names: each string of the config that is the path of an existing file
/// (relative to the config's folder), with the key it was found under, plus the column mapping
/// (`project.variables`, written or by default) and a shapefile's companion files. Sorted by path.
fn inputs_of(config: &PipelineConfig) -> Result<Vec<(String, String, PathBuf)>> {
    let text = std::fs::read_to_string(&config.path).with_context(|| format!("cannot read {}", config.path.display()))?;
    let table: toml::Table = toml::from_str(&text).with_context(|| format!("cannot read {}", config.path.display()))?;
    let mut strings = Vec::new();
    collect_strings(&toml::Value::Table(table), "", &mut strings);
    strings.push(("project.variables".into(), config.project.variables.to_string_lossy().into_owned()));
    let mut found: Vec<(String, String, PathBuf)> = Vec::new();
    let mut add = |written_as: String, from: String| {
        let path = config.resolve(Path::new(&written_as));
        if path.is_file() && !found.iter().any(|(_, _, p)| *p == path) {
            found.push((written_as, from, path));
        }
    };
    for (from, s) in strings {
        if from == "project.output" {
            continue;
        }
        let is_shapefile = Path::new(&s).extension().is_some_and(|e| e.eq_ignore_ascii_case("shp"));
        add(s.clone(), from.clone());
        if is_shapefile {
            for ext in ["shx", "dbf", "prj", "cpg"] {
                let companion = Path::new(&s).with_extension(ext).to_string_lossy().into_owned();
                add(companion, format!("{from} (companion file)"));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Every string of a TOML value with its key path (`table.path`, `indices.rates`).
fn collect_strings(v: &toml::Value, key: &str, out: &mut Vec<(String, String)>) {
    match v {
        toml::Value::String(s) => out.push((key.to_string(), s.clone())),
        toml::Value::Array(items) => items.iter().for_each(|x| collect_strings(x, key, out)),
        toml::Value::Table(t) => {
            for (k, x) in t {
                collect_strings(x, &if key.is_empty() { k.clone() } else { format!("{key}.{k}") }, out);
            }
        }
        _ => {}
    }
}

/// Size and SHA-256 (lower-case hexadecimal) of a file, read in blocks.
pub fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    let hex = hasher.finalize().iter().fold(String::with_capacity(64), |mut h, b| {
        let _ = write!(h, "{b:02x}");
        h
    });
    Ok((size, hex))
}

/// A path with `/` separators, as JSON readers on every system expect.
fn path_text(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

/// `path` relative to the folder `base` (both made absolute against the working directory,
/// `..` removed without following links): `../../config/demo.toml`. On Windows, a path on another
/// drive stays absolute.
fn relative_to(path: &Path, base: &Path) -> Result<PathBuf> {
    let lexical = |p: &Path| -> Result<Vec<std::ffi::OsString>> {
        let abs = std::path::absolute(p).with_context(|| format!("cannot resolve {}", p.display()))?;
        let mut out: Vec<std::ffi::OsString> = Vec::new();
        for c in abs.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    if out.len() > 1 {
                        out.pop();
                    }
                }
                // The root (and a Windows drive) is the first element.
                other => out.push(other.as_os_str().to_os_string()),
            }
        }
        Ok(out)
    };
    let (p, b) = (lexical(path)?, lexical(base)?);
    if p.first() != b.first() {
        return Ok(path.to_path_buf());
    }
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel = PathBuf::new();
    for _ in common..b.len() {
        rel.push("..");
    }
    for c in &p[common..] {
        rel.push(c);
    }
    Ok(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_go_up_then_down() {
        assert_eq!(
            relative_to(Path::new("/p/config/demo.toml"), Path::new("/p/config/../notebooks-out/demo")).unwrap(),
            Path::new("../../config/demo.toml")
        );
        assert_eq!(relative_to(Path::new("/p/out/a.csv"), Path::new("/p/out")).unwrap(), Path::new("a.csv"));
        assert_eq!(path_text(Path::new("maps/a.geojson")), "maps/a.geojson");
    }

    #[test]
    fn vintages_are_those_of_the_figures_read() {
        use fragnum_core::{Level, Zone, ZoneCode};
        let mut table = ZoneTable::new();
        let rows: Vec<usize> = ["381850101", "381850102", "381850103"]
            .iter()
            .map(|c| table.upsert_zone(Zone::new(ZoneCode::new(Level::Iris, c).unwrap())))
            .collect();
        table.set(rows[0], "disp_med", Cell::Value(21_000.0), Some(2020));
        table.set(rows[1], "disp_med", Cell::Masked, Some(2019));
        table.set(rows[2], "disp_med", Cell::Value(19_000.0), Some(2020));
        table.set(rows[0], "pop", Cell::Value(1_200.0), None);
        table.set(rows[1], "pop", Cell::Missing, Some(2016)); // no figure: no vintage read
        table.set(rows[2], "pop", Cell::Value(900.0), Some(2016));
        assert_eq!(vintages(&table), json!({ "disp_med": [2019, 2020], "pop": [2016, null] }));
    }
}
