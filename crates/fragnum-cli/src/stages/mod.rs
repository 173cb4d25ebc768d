//! The pipeline stages, in order. Each stage module takes its typed section of the [`Config`]
//! and the inputs read beforehand ([`Inputs`]), calls its crate, writes its outputs through
//! fragnum-render, and prints a short summary.

pub mod access;
pub mod indices;
pub mod ingest;
pub mod present;
pub mod render;
pub mod trends;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use fragnum_ingest::load::Loaded;

use crate::config::Config;
use crate::inputs::Inputs;

/// What every stage after ingest receives.
pub struct Context {
    /// The config, typed and checked.
    pub config: Config,
    /// The files the stage sections name, read before ingest.
    pub inputs: Inputs,
    /// The zone table, outlines and ingest report.
    pub loaded: Loaded,
    /// Output folder (created).
    pub out_dir: PathBuf,
    /// Whether to draw progress bars.
    pub show_progress: bool,
}

/// Loads and checks a config; on any problem, prints them all (`file:line:column: error: …`)
/// and fails.
pub fn load_config(path: &Path) -> Result<Config> {
    match Config::read(path) {
        Ok((config, problems)) if problems.is_empty() => Ok(config),
        Ok((_, problems)) | Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            anyhow::bail!("cannot load config {}: {} error(s), listed above", path.display(), problems.len())
        }
    }
}

/// Which stages to run after ingest.
#[derive(Debug, Clone, Copy)]
pub enum Until {
    /// Only the indices.
    Indices,
    /// Accessibility (and the indices first when the siting is weighted by them).
    Access,
    /// Everything the config enables, then maps and sheets.
    Render,
    /// Only the series over vintages (`[trends]`).
    Trends,
}

/// Runs the stages after ingest that the config enables, up to `until` (a stage runs when its
/// section is present; render runs when any of indices, access or render is configured).
pub fn run_all(ctx: &Context, until: Until) -> Result<()> {
    // Checked on loading: a siting weight or a need indicator comes with an [indices] section
    // that estimates it.
    let weight_by = ctx.config.access.as_ref().and_then(|a| a.siting_weight.clone());
    let need_by = ctx.config.access.as_ref().and_then(|a| a.need_indicator().map(str::to_string));
    if matches!(until, Until::Trends) {
        let settings = ctx.config.trends.as_ref();
        let settings = settings.with_context(|| format!("{}: no [trends] section: nothing to compute", ctx.config.path().display()))?;
        trends::run(ctx, settings)?;
        return Ok(());
    }
    let want_indices = match until {
        Until::Indices => {
            anyhow::ensure!(ctx.config.indices.is_some(), "{}: no [indices] section: nothing to compute", ctx.config.path().display());
            true
        }
        Until::Access => weight_by.is_some() || need_by.is_some(),
        Until::Render | Until::Trends => true,
    };
    let indices = match &ctx.config.indices {
        Some(settings) if want_indices => Some(indices::run(ctx, settings)?),
        _ => None,
    };
    if matches!(until, Until::Indices) {
        return Ok(());
    }
    let shares = |key: &str, by: Option<String>| -> Result<Option<BTreeMap<String, f64>>> {
        match (&indices, by) {
            (Some(ix), Some(indicator)) => Ok(Some(present::siting_weights(ix, &indicator).with_context(|| {
                format!("[access] {key}: `{indicator}` is not an indicator of the indices stage ({})", ix.indicators.join(", "))
            })?)),
            (None, Some(indicator)) => anyhow::bail!("[access] {key} = \"{indicator}\" needs an [indices] section"),
            _ => Ok(None),
        }
    };
    let weights = shares("siting_weight", weight_by)?;
    let need = shares("capacity.need", need_by)?;
    let (access, modes) = match access::run(ctx, weights.as_ref(), need.as_ref())? {
        Some((out, modes)) => (Some(out), modes),
        None => (None, Vec::new()),
    };
    if matches!(until, Until::Access) {
        anyhow::ensure!(access.is_some(), "{}: no [access] section: nothing to compute", ctx.config.path().display());
        return Ok(());
    }
    let trends = ctx.config.trends.as_ref().map(|t| trends::run(ctx, t)).transpose()?;
    if ctx.config.render.is_some() || indices.is_some() || access.is_some() || trends.is_some() {
        let mut layers = present::layers(ctx, indices.as_ref(), access.as_ref(), &modes);
        layers.extend(trends.iter().flat_map(|t| trends::layers(ctx, t)));
        let evolutions = trends.as_ref().map(|t| trends::evolutions(ctx, t)).unwrap_or_default();
        let sheets = present::sheets(ctx, indices.as_ref(), access.as_ref(), &modes);
        render::run(ctx, &layers, &sheets, &evolutions, &present::site_marks(ctx, access.as_ref()), access.as_ref())?;
    }
    Ok(())
}
