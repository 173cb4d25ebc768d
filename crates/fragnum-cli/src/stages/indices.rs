//! The indices stage: read the rate files named in `[indices]`, compute every index on the zone
//! table, write the `indices` table (Parquet + CSV) and print a short summary.

use anyhow::{Context as _, Result};
use fragnum_core::Level;
use fragnum_indices::{IndicesOutput, IndicesSettings};
use fragnum_render::tables::Table;

use super::Context;
use crate::progress::say;

/// Runs the stage; returns the output for later stages (render).
pub fn run(ctx: &Context, settings: &IndicesSettings) -> Result<IndicesOutput> {
    let started = std::time::Instant::now();
    // The rate files were read and checked before ingest (crate::inputs); rate rows are checked
    // against the names the column mapping can produce (typos are errors).
    let mut settings = settings.clone();
    settings.known_variables.clone_from(&ctx.inputs.known_variables);
    let rates = &ctx.inputs.rates;
    let output = fragnum_indices::compute(&ctx.loaded.table, rates, &settings).context("cannot compute the indices")?;
    let mut table = Table::default();
    for (name, values) in output.columns() {
        table.push(&name, values);
    }
    let files = table.write(&ctx.out_dir, "indices")?;
    print_summary(&output, &settings, rates.len());
    say!("indices: {} files written to {} in {:.2} s", files.len(), ctx.out_dir.display(), started.elapsed().as_secs_f64());
    Ok(output)
}

fn print_summary(output: &IndicesOutput, settings: &IndicesSettings, rate_files: usize) {
    let base = settings.base_level;
    let zones = output.rows_at(base).count();
    say!(
        "indices: {zones} {base} zones, {} rows in all, {rate_files} rate file(s), estimator {}",
        output.rows.len(),
        output.estimator.as_str()
    );
    let rows: Vec<_> = output.rows_at(base).collect();
    let sum = |f: &dyn Fn(&fragnum_indices::IndicesRow) -> Option<f64>| rows.iter().filter_map(|r| f(r)).sum::<f64>();
    for (i, name) in output.indicators.iter().enumerate() {
        let count = output.total(name, base).unwrap_or(0.0);
        let universe = sum(&|r| r.digital[i].count.and(r.digital[i].universe));
        let share = if universe > 0.0 { 100.0 * count / universe } else { 0.0 };
        let by_status = |s: fragnum_core::Status| rows.iter().filter(|r| r.digital[i].status == Some(s)).count();
        say!(
            "  {name:<22} {count:>10.0} people ({share:.1} % of the survey universe), both digitally and socially precarious: {:.0}; {base} zones computed {}, imputed {}, without estimate {}",
            sum(&|r| r.cross[i]),
            by_status(fragnum_core::Status::Computed),
            by_status(fragnum_core::Status::Imputed),
            rows.iter().filter(|r| r.digital[i].status.is_none()).count(),
        );
        for dep in output.rows_at(Level::Departement) {
            let e = &dep.digital[i];
            if let (Some(c), Some(lo), Some(hi)) = (e.count, e.low, e.high) {
                say!(
                    "    département {}: {c:.0} (90 % interval {lo:.0}–{hi:.0}, {:.0} % from imputed zones)",
                    dep.code,
                    100.0 * e.imputed_share().unwrap_or(0.0)
                );
            }
        }
    }
    let scored = output.rows_at(base).filter(|r| r.social.score.is_some()).count();
    let flagged = output.rows_at(base).filter(|r| !r.social.missing.is_empty()).count();
    say!("  social score: {scored} {base} zones scored, {flagged} with re-normalised weights (missing variables)");
    for (k, reference) in output.ifn_references.iter().enumerate() {
        let n = output.rows_at(base).filter(|r| r.ifn[k].is_some()).count();
        say!("  IFN ({}, reference {reference}): {n} {base} zones scored", output.ifn_variant.as_str());
    }
    for level in [Level::Commune, Level::Epci, Level::Departement, Level::Group] {
        let n = output.rows_at(level).count();
        if n > 0 {
            say!("  {n} {level} rows (sums of their {base} zones)");
        }
    }
    for note in &output.notes {
        say!("  note: {note}");
    }
}
