//! # fragnum-core
//!
//! The vocabulary every fragnum crate shares, and nothing else:
//!
//! - [`code`]: zone codes (IRIS, commune, EPCI, département, QPV, custom groups) and their [`Level`];
//! - [`cell`]: one statistical value, with *missing* and *masked* (secret statistique) kept apart from zero;
//! - [`column`](mod@column): the values of one output column (text, numbers, integers, booleans), nulls kept as nulls;
//! - [`table`]: the [`ZoneTable`], one row per zone, vintage-free variables, each cell with its vintage;
//! - [`harmonised`]: figures of several vintages carried onto one target geography, with how each got there;
//! - [`geometry`]: geometry aliases (WGS84 lon/lat multipolygons keyed by zone code), the local projection;
//! - [`validity`]: outline validity as `geo` judges it, in O(n log n) (segments in an R-tree);
//! - [`network`]: a road network as read from a file (nodes, directed edges with length and speed);
//! - [`rng`]: the deterministic random generator of the demo, tests and benchmarks;
//! - [`status`]: whether a figure is computed from a zone's own data or imputed from an enclosing level;
//! - [`sites`]: advisor sites, their [`sites::SiteKind`] with its French label, and population points (WGS84 lon/lat);
//! - [`transit`]: a public-transport timetable for one service day (stops, routes, trip patterns, transfers);
//! - [`text`]: accent folding for matching French free text, [`text::normalise`] (the one key
//!   normaliser: road attributes, service names and slugs, table headers), and [`text::printable`]
//!   (no control characters in text written for people);
//! - [`location`]: where in which file something was read, for errors that point at a line and column;
//! - [`atomic`]: the single helper every writer uses so no output is ever half-written.
//!
//! No file is read here; [`atomic`] is the one place that writes, so that ingest, demo and render share it.

pub mod atomic;
pub mod cell;
pub mod code;
pub mod column;
pub mod geometry;
pub mod harmonised;
pub mod location;
pub mod network;
pub mod rng;
pub mod sites;
pub mod status;
pub mod table;
pub mod text;
pub mod transit;
pub mod validity;

pub use cell::Cell;
pub use code::{CodeError, Level, ZoneCode};
pub use geometry::{ZoneGeometries, ZoneGeometry};
pub use location::Location;
pub use status::Status;
pub use table::{Variable, Zone, ZoneTable, ZoneTableError};
