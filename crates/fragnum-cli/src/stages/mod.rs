//! The pipeline stages, in order. Each stage module reads its `[section]` of the config, calls
//! its crate, writes its outputs through fragnum-render, and prints a short summary.

pub mod indices;
pub mod ingest;

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

/// Runs every stage after ingest that the config enables (a stage runs when its section is present).
pub fn run_all(ctx: &Context) -> Result<()> {
    if ctx.config.indices.is_some() {
        indices::run(ctx)?;
    }
    Ok(())
}
