//! # fragnum-render
//!
//! Everything fragnum writes for people and notebooks. It reads results and never recomputes them.
//!
//! - [`tables`]: tidy tables as Parquet and CSV (one writer for every stage's tables);
//! - [`zones`]: the zone table and its outlines (`zones.parquet`, `zones.csv`, `zones_long.parquet`,
//!   `zones.geojson`).
//!
//! Every file is written atomically through [`fragnum_core::atomic`].

pub mod error;
pub mod tables;
pub mod zones;

pub use error::RenderError;
