//! The pipeline stages, in order. Each stage module reads its `[section]` of the config, calls
//! its crate, writes its outputs through fragnum-render, and prints a short summary.

pub mod access;
pub mod indices;
pub mod ingest;
pub mod present;
pub mod render;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use fragnum_ingest::config::PipelineConfig;
use fragnum_ingest::load::Loaded;

/// What every stage after ingest receives.
pub struct Context {
    /// The config.
    pub config: PipelineConfig,
    /// The zone table, outlines and ingest report.
    pub loaded: Loaded,
    /// Output folder (created).
    pub out_dir: PathBuf,
    /// Whether to draw progress bars.
    pub show_progress: bool,
}

/// Loads a config, naming the file on error.
pub fn load_config(path: &Path) -> Result<PipelineConfig> {
    PipelineConfig::load(path).with_context(|| format!("cannot load config {}", path.display()))
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
}

/// Checks the `[access]` and `[render]` sections before any long work, so a typo there fails
/// in a second (and in `fragnum validate`) rather than after the indices and travel times.
pub fn check_sections(config: &PipelineConfig) -> Result<()> {
    if let Some(section) = &config.access {
        section
            .clone()
            .try_into::<fragnum_access::config::AccessConfig>()
            .map_err(|e| anyhow::anyhow!("{}: [access]: {}", config.path.display(), e.message()))?;
    }
    let render = fragnum_render::RenderConfig::from_table(config.render.as_ref()).with_context(|| config.path.display().to_string())?;
    render.formats().with_context(|| config.path.display().to_string())?;
    Ok(())
}

/// Runs the stages after ingest that the config enables, up to `until` (a stage runs when its
/// section is present; render runs when any of indices, access or render is configured).
pub fn run_all(ctx: &Context, until: Until) -> Result<()> {
    check_sections(&ctx.config)?;
    let weight_by = siting_weight(ctx)?;
    let want_indices = match until {
        Until::Indices => {
            anyhow::ensure!(ctx.config.indices.is_some(), "{}: no [indices] section: nothing to compute", ctx.config.path.display());
            true
        }
        Until::Access => weight_by.is_some(),
        Until::Render => true,
    };
    let indices = if want_indices && ctx.config.indices.is_some() { Some(indices::run(ctx)?) } else { None };
    if matches!(until, Until::Indices) {
        return Ok(());
    }
    let weights = match (&indices, weight_by) {
        (Some(ix), Some(indicator)) => Some(
            present::siting_weights(ix, &indicator)
                .with_context(|| format!("[access] siting_weight: `{indicator}` is not an indicator of the indices stage ({})", ix.indicators.join(", ")))?,
        ),
        (None, Some(indicator)) => anyhow::bail!("[access] siting_weight = \"{indicator}\" needs an [indices] section"),
        _ => None,
    };
    let access = access::run(ctx, weights.as_ref())?;
    if matches!(until, Until::Access) {
        anyhow::ensure!(access.is_some(), "{}: no [access] section: nothing to compute", ctx.config.path.display());
        return Ok(());
    }
    if ctx.config.render.is_some() || indices.is_some() || access.is_some() {
        let layers = present::layers(ctx, indices.as_ref(), access.as_ref());
        let sheets = present::sheets(ctx, indices.as_ref(), access.as_ref());
        render::run(ctx, &layers, &sheets, &present::site_marks(ctx, access.as_ref()))?;
    }
    Ok(())
}

/// The `siting_weight` key of `[access]`, read before the stage so indices can provide it.
fn siting_weight(ctx: &Context) -> Result<Option<String>> {
    let Some(section) = &ctx.config.access else { return Ok(None) };
    match section.get("siting_weight") {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => anyhow::bail!("[access] siting_weight must be an indicator name, not `{other}`"),
    }
}
