//! The ingest stage: read every input, print what was found, write the zone table.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Result, bail};
use fragnum_core::{Level, ZoneTable};
use fragnum_ingest::config::PipelineConfig;
use fragnum_ingest::load::{Loaded, load};
use fragnum_ingest::{Report, Severity};

use super::Context;
use crate::config::Config;
use crate::inputs::Inputs;
use crate::progress;
use crate::progress::say;

/// Reads every input of `config` with a progress bar.
pub fn read(config: &PipelineConfig, show_progress: bool) -> Result<Loaded> {
    let bar = progress::bar((config.tables.len() + config.contours.len()) as u64, "ingest", show_progress);
    let loaded = load(config, &mut |path| {
        bar.set_message(path.display().to_string());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    Ok(loaded)
}

/// Prints every finding as `file:line:column: severity: message`; the exit code is 1 when any is fatal.
pub fn print_problems(report: &Report, notes: bool) -> ExitCode {
    for p in &report.problems {
        if notes || p.severity > Severity::Note {
            eprintln!("{p}");
        }
    }
    let fatal = report.problems.iter().filter(|p| p.severity == Severity::Fatal).count();
    let warnings = report.problems.iter().filter(|p| p.severity == Severity::Warning).count();
    eprintln!("{fatal} error(s), {warnings} warning(s)");
    if fatal > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Reads the census tables and outlines, stops on fatal problems, prints a summary and writes
/// the zone table; `inputs` (the stage sections' files, read beforehand) go on to the stages.
pub fn run(config: &Config, inputs: Inputs, show_progress: bool) -> Result<Context> {
    let started = std::time::Instant::now();
    let loaded = read(&config.pipeline, show_progress)?;
    if loaded.report.has_fatal() {
        print_problems(&loaded.report, false);
        bail!("the inputs have errors (listed above); run `fragnum validate` for the full list");
    }
    let out_dir = config.output_dir();
    print_summary(&config.pipeline, &loaded);
    let mut files = fragnum_render::zones::write_zone_table(&loaded.table, &out_dir)?;
    files.push(fragnum_render::zones::write_zone_outlines(&loaded.table, &loaded.geometries, &out_dir)?);
    say!("ingest: {} files written to {} in {:.2} s", files.len(), out_dir.display(), started.elapsed().as_secs_f64());
    Ok(super::Context { config: config.clone(), inputs, loaded, out_dir, show_progress })
}

fn print_summary(config: &PipelineConfig, loaded: &Loaded) {
    let table = &loaded.table;
    say!("{} — {} zones", config.project.name, table.len());
    for s in &loaded.sources {
        say!("  {:<8} {:<11} {:>6} rows  {:>3} variables  {}", s.kind, s.level.as_str(), s.rows, s.variables.len(), s.path.display());
    }
    say!("zones per département and level (population = sum of `pop` over IRIS / communes / QPV with a value):");
    for (dep, levels) in per_departement(table) {
        let parts: Vec<String> = levels
            .iter()
            .map(|(level, (n, pop, with_pop))| format!("{n} {level} ({with_pop} with population, {pop:.0} inhabitants)"))
            .collect();
        say!("  {dep}: {}", parts.join("; "));
    }
    for j in &loaded.joins {
        if let Some(level) = j.level {
            say!(
                "join {level}: {} zones with statistics but no outline, {} outlines without statistics",
                j.without_outline.len(),
                j.without_statistics.len()
            );
        }
    }
    say!("variables (zones with a value / masked):");
    for (name, var) in table.variables() {
        say!("  {name:<32} {:>6} / {:>4}", var.count_values(), var.count_masked());
    }
    let warnings = loaded.report.problems.iter().filter(|p| p.severity == Severity::Warning).count();
    if warnings > 0 {
        say!("{warnings} warning(s); run `fragnum validate` to list them");
    }
}

type LevelCounts = BTreeMap<Level, (usize, f64, usize)>;

fn per_departement(table: &ZoneTable) -> BTreeMap<String, LevelCounts> {
    let mut out: BTreeMap<String, LevelCounts> = BTreeMap::new();
    let pop = table.variable("pop");
    for (i, z) in table.zones().iter().enumerate() {
        let dep = z.code.departement().unwrap_or("—").to_string();
        let entry = out.entry(dep).or_default().entry(z.code.level()).or_default();
        entry.0 += 1;
        if let Some(v) = pop.and_then(|p| p.values[i].value()) {
            entry.1 += v;
            entry.2 += 1;
        }
    }
    out
}
