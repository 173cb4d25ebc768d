//! # fragnum
//!
//! The command line: parses arguments and the pipeline config, runs the stages in order, shows
//! progress and reports errors. It holds no domain logic: every stage lives in its own crate.

mod manifest;
mod progress;
mod stages;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};

/// Maps digital fragility (fragilité numérique) across French territories.
///
/// fragnum reads INSEE IRIS tables, contours, advisor sites and a road network, computes
/// digital and social precarity indices and 20-minute accessibility, and writes maps, fact
/// sheets and tidy tables. Every command takes a pipeline config (see config/*.toml).
#[derive(Debug, Parser)]
#[command(name = "fragnum", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Never draw progress bars (they are off anyway when output is not a terminal).
    #[arg(long, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the fictional demo territory (census tables, contours, sites, roads).
    ///
    /// Files are written in the same formats as the real sources (INSEE CSV, Lambert-93
    /// shapefile, GeoJSON), so the same ingest code reads them; config/demo.toml points at them.
    Demo {
        /// Folder to write into.
        #[arg(long, default_value = "data/demo")]
        out: PathBuf,
        /// Random seed: the same seed gives byte-identical files.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Read every input of a config, print what was found, and write the zone table.
    ///
    /// Writes zones.parquet/.csv (one row per zone), `zones_long.parquet/.csv` (tidy, keeps masked
    /// cells apart from missing ones) and zones.geojson into the config's output folder.
    Ingest {
        /// The pipeline config.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Check every input and list every problem as <file:line:column>; exit 1 if any is fatal.
    Validate {
        /// The pipeline config.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Ingest, then compute the indices of the `[indices]` section (indices.parquet/.csv).
    ///
    /// Digital precarity (survey rates × census strata, with a low/high band), social precarity
    /// (score, rank, class), the MedNum IFN 2020 and their cross, per zone and aggregated to
    /// communes, EPCI, départements and the configured groups.
    Indices {
        /// The pipeline config.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Ingest, then compute travel times to the nearest advisor site (`[access]` section).
    ///
    /// Writes `access_zones`, `access_points`, `access_sites` and `access_siting` (Parquet + CSV) and
    /// isochrones.geojson. Without a `network`, times are a labelled straight-line approximation.
    Access {
        /// The pipeline config.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Ingest, compute every configured stage, then draw maps (maps/) and fact sheets (sheets/).
    Render {
        /// The pipeline config.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Run every configured stage in order: ingest, indices, access, render.
    Run {
        /// The pipeline config.
        #[arg(long, short)]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            ExitCode::FAILURE
        }
    }
}

/// Prints an error and its causes.
fn report(e: &anyhow::Error) {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

fn run(cli: &Cli) -> Result<ExitCode> {
    let show_progress = !cli.quiet && progress::is_terminal();
    match &cli.command {
        Command::Demo { out, seed } => {
            let summary = fragnum_demo::generate(out, &fragnum_demo::DemoOptions { seed: *seed })
                .with_context(|| format!("cannot generate the demo territory in {}", out.display()))?;
            println!(
                "demo territory written to {}: {} IRIS in {} communes, {:.0} inhabitants, {} advisor sites, {} road segments ({} files)",
                out.display(),
                summary.iris,
                summary.communes,
                summary.population,
                summary.sites,
                summary.road_segments,
                summary.files.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { config } => {
            let config = stages::load_config(config)?;
            let sections = stages::check_sections(&config);
            if let Err(e) = &sections {
                eprintln!("{e:#}");
            }
            let loaded = stages::ingest::read(&config, show_progress)?;
            let code = stages::ingest::print_problems(&loaded.report, true);
            Ok(if sections.is_err() { ExitCode::FAILURE } else { code })
        }
        Command::Ingest { config } => {
            let config = stages::load_config(config)?;
            with_manifest(&config, || stages::ingest::run(&config, show_progress).map(drop))
        }
        Command::Indices { config } => run_until(config, show_progress, stages::Until::Indices),
        Command::Access { config } => run_until(config, show_progress, stages::Until::Access),
        Command::Render { config } | Command::Run { config } => run_until(config, show_progress, stages::Until::Render),
    }
}

fn run_until(config: &std::path::Path, show_progress: bool, until: stages::Until) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let config = stages::load_config(config)?;
    let code = with_manifest(&config, || stages::run_all(&stages::ingest::run(&config, show_progress)?, until))?;
    if code == ExitCode::SUCCESS {
        println!("done in {:.1} s; outputs in {}", started.elapsed().as_secs_f64(), config.output_dir().display());
    }
    Ok(code)
}

/// Runs `work`, which writes into the config's output folder, between the two writes of its
/// `manifest.json` (see [`manifest`]): on failure the error is reported with a sentence saying
/// that the folder is incomplete.
fn with_manifest(config: &fragnum_ingest::config::PipelineConfig, work: impl FnOnce() -> Result<()>) -> Result<ExitCode> {
    let run = manifest::begin(config)?;
    match work().and_then(|()| run.finish(config)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            report(&e);
            eprintln!("note: {}", run.incomplete_message());
            Ok(ExitCode::FAILURE)
        }
    }
}
