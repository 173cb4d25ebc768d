//! # fragnum
//!
//! The command line: parses arguments and the pipeline config, runs the stages in order, shows
//! progress and reports errors. It holds no domain logic: every stage lives in its own crate.

mod config;
mod inputs;
mod manifest;
mod progress;
mod stages;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};
use progress::say;

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
    /// Print neither progress bars nor the stages' summaries: only warnings and errors (on
    /// standard error). Progress bars are off anyway when output is not a terminal.
    #[arg(long, global = true)]
    quiet: bool,
}

/// The argument every pipeline command takes.
#[derive(Debug, clap::Args)]
struct ConfigArgs {
    /// The pipeline config (TOML; see config/*.toml and the README).
    #[arg(long, short)]
    config: PathBuf,
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
        #[command(flatten)]
        args: ConfigArgs,
    },
    /// Check the config and every input it names; list every problem as <file:line:column>.
    ///
    /// The config's keys and values (every section), the census tables and outlines, the rate
    /// files, sites, candidates, population grids, road network (a PBF's header) and speed
    /// profile. Exit 1 if any problem is fatal.
    Validate {
        #[command(flatten)]
        args: ConfigArgs,
    },
    /// Ingest, then compute the indices of the `[indices]` section (indices.parquet/.csv).
    ///
    /// Digital precarity (survey rates × census strata, with a low/high band), social precarity
    /// (score, rank, class), the MedNum IFN 2020 and their cross, per zone and aggregated to
    /// communes, EPCI, départements and the configured groups.
    Indices {
        #[command(flatten)]
        args: ConfigArgs,
    },
    /// Ingest, then compute travel times to the nearest advisor site (`[access]` section).
    ///
    /// Writes `access_zones`, `access_points`, `access_sites` and `access_siting` (Parquet + CSV) and
    /// isochrones.geojson. Without a `network`, times are a labelled straight-line approximation.
    Access {
        #[command(flatten)]
        args: ConfigArgs,
    },
    /// Ingest, then the series over vintages of the `[trends]` section.
    ///
    /// Every vintage of the tables is carried onto the geography of `geography_year` (passage
    /// table from the IRIS list and the national commune list; unmapped codes are listed with
    /// their file and line); writes trends, changes and passage (Parquet + CSV).
    Trends {
        #[command(flatten)]
        args: ConfigArgs,
    },
    /// Run every configured stage in order: ingest, indices, access, trends, maps and sheets.
    ///
    /// Then maps (maps/), fact sheets (sheets/) and the web atlas (atlas/) as `[render]` says.
    /// `render` is the same command.
    #[command(visible_alias = "render")]
    Run {
        #[command(flatten)]
        args: ConfigArgs,
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
    progress::set_quiet(cli.quiet);
    let show_progress = !cli.quiet && progress::is_terminal();
    match &cli.command {
        Command::Demo { out, seed } => {
            let summary = fragnum_demo::generate(out, &fragnum_demo::DemoOptions { seed: *seed })
                .with_context(|| format!("cannot generate the demo territory in {}", out.display()))?;
            say!(
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
        Command::Validate { args: ConfigArgs { config } } => {
            let mut report = fragnum_ingest::Report::default();
            let config = match config::Config::read(config) {
                Ok((config, problems)) => {
                    report.problems = problems;
                    config
                }
                Err(problems) => {
                    report.problems = problems;
                    return Ok(stages::ingest::print_problems(&report, true));
                }
            };
            inputs::read(&config, inputs::Network::Check, &mut report);
            match stages::ingest::read(&config.pipeline, show_progress) {
                Ok(loaded) => report.problems.extend(loaded.report.problems),
                Err(e) => match e.downcast_ref::<fragnum_ingest::IngestError>() {
                    Some(e) => report.push_error(e),
                    None => return Err(e),
                },
            }
            Ok(stages::ingest::print_problems(&report, true))
        }
        Command::Ingest { args: ConfigArgs { config } } => {
            let config = stages::load_config(config)?;
            with_manifest(&config.pipeline, || {
                stages::ingest::run(&config, inputs::Inputs::default(), show_progress).map(|ctx| manifest::vintages(&ctx.loaded.table))
            })
        }
        Command::Indices { args } => run_until(&args.config, show_progress, stages::Until::Indices),
        Command::Access { args } => run_until(&args.config, show_progress, stages::Until::Access),
        Command::Trends { args } => run_until(&args.config, show_progress, stages::Until::Trends),
        Command::Run { args } => run_until(&args.config, show_progress, stages::Until::Render),
    }
}

fn run_until(config: &std::path::Path, show_progress: bool, until: stages::Until) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let config = stages::load_config(config)?;
    // Every file the stage sections name is read and checked before the first output is written.
    let spinner = progress::spinner("inputs", show_progress);
    spinner.set_message("rate files, sites, population grids, road network");
    let mut report = fragnum_ingest::Report::default();
    let inputs = inputs::read(&config, inputs::Network::Full, &mut report);
    spinner.finish_and_clear();
    if report.has_fatal() {
        // Notes included: they say which key of the config names a file that failed.
        stages::ingest::print_problems(&report, true);
        anyhow::bail!(
            "the files named in {} have errors (listed above); nothing was written; run `fragnum validate` for the full list",
            config.path().display()
        );
    }
    for p in report.problems.iter().filter(|p| p.severity > fragnum_ingest::Severity::Note) {
        eprintln!("{p}");
    }
    let code = with_manifest(&config.pipeline, || {
        let ctx = stages::ingest::run(&config, inputs, show_progress)?;
        stages::run_all(&ctx, until)?;
        Ok(manifest::vintages(&ctx.loaded.table))
    })?;
    if code == ExitCode::SUCCESS {
        say!("done in {:.1} s; outputs in {}", started.elapsed().as_secs_f64(), config.output_dir().display());
    }
    Ok(code)
}

/// Runs `work`, which writes into the config's output folder, between the two writes of its
/// `manifest.json` (see [`manifest`]); `work` returns the vintages read ([`manifest::vintages`]).
/// On failure the error is reported with a sentence saying that the folder is incomplete.
fn with_manifest(config: &fragnum_ingest::config::PipelineConfig, work: impl FnOnce() -> Result<serde_json::Value>) -> Result<ExitCode> {
    let run = manifest::begin(config)?;
    match work().and_then(|vintages| run.finish(config, &vintages)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            report(&e);
            eprintln!("note: {}", run.incomplete_message());
            Ok(ExitCode::FAILURE)
        }
    }
}
