//! # fragnum-ingest
//!
//! Everything fragnum reads from disk, turned into [`fragnum_core`] types. It knows file formats
//! and nothing of indices. Every error names the file, and the line and column where it applies.
//!
//! - [`text`]: bytes → text (UTF-8 with or without BOM, Latin-1 fallback), separator detection;
//! - [`number`]: French-formatted numbers (`"6 490"`, `"20,3"`) and secret-statistique markers;
//! - [`tabular`]: a located CSV reader (header, rows, line numbers);
//! - [`mapping`]: INSEE column names with vintages (`P16_POP75P`, `DISP_MED20`) → vintage-free names;
//! - [`config`]: the pipeline config (`config/*.toml`);
//! - [`census`]: INSEE/CAF/Filosofi/QPV tables → the [`ZoneTable`](fragnum_core::ZoneTable);
//! - [`contours`]: IRIS/commune outlines from shapefile or GeoJSON, reprojected to WGS84 with PROJ;
//! - [`load`]: reads everything a config lists and joins tables with contours, with a report;
//! - [`roads`]: road networks (OpenStreetMap PBF, GeoJSON and shapefile lines, with the OSM/IGN
//!   attribute rules they share) → [`fragnum_core::network::RoadNetwork`];
//! - [`sites`]: advisor sites and candidate locations (CSV with lon/lat);
//! - [`opening_hours`]: weekly opening hours from OSM `opening_hours` and French day cells (site capacity);
//! - [`grid`]: population grids (Filosofi/Eurostat cells with lon/lat and a count);
//! - [`vintages`]: every vintage of every table kept apart (the zone table keeps the newest);
//! - [`passage`]: the passage table from any vintage's codes onto one target geography, and the figures carried across it;
//! - [`gtfs`]: public-transport feeds (GTFS `.zip` or folder) → a [`fragnum_core::transit::Timetable`] for one day.

pub mod census;
pub mod config;
pub mod contours;
pub mod error;
pub mod grid;
pub mod gtfs;
pub mod load;
pub mod mapping;
pub mod number;
pub mod opening_hours;
pub mod passage;
pub mod report;
pub mod roads;
pub mod sites;
pub mod tabular;
pub mod text;
pub mod vintages;

pub use error::IngestError;
pub use report::{Problem, Report, Severity};
