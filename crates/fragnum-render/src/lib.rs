//! # fragnum-render
//!
//! Everything fragnum writes for people and notebooks. It reads results and never recomputes them.
//!
//! - [`tables`]: tidy tables as Parquet and CSV (one writer for every stage's tables);
//! - [`zones`]: the zone table and its outlines (`zones.parquet`, `zones.csv`, `zones_long.parquet`,
//!   `zones.geojson`);
//! - [`format`](mod@format): French number formatting (`1 234`, `12,5 %`), one convention everywhere;
//! - [`classify`]: quantiles, equal intervals, exact Fisher–Jenks (`O(k·n·log n)`), standard
//!   deviations, manual breaks — checked against mapclassify;
//! - [`layer`]: the [`Layer`] input type, its classification and French legend;
//! - [`simplify`]: simplification of outlines that keeps shared borders shared (`simplify_m`);
//! - [`map`]: [`MapContext`] (outlines, names, communes, sites) and the page projection;
//! - [`choropleth`]: RFC 7946 GeoJSON choropleths with their legend, and MapLibre styles;
//! - [`print`](mod@print): print maps (plotters, PNG and SVG) for A4 and the web, DejaVu Sans loaded at run time;
//! - [`ramp`]: colour-blind-safe ColorBrewer and viridis ramps, plus the missing/masked colours;
//! - [`render`]: the `[render]` config and [`render_layers`], which writes `maps/`;
//! - [`sheets`]: self-contained HTML fact sheets (« fiches quartier ») and their index;
//! - [`evolution`]: the « Évolution » section of the sheets (series over vintages, change in words);
//! - [`atlas`]: the web atlas (`atlas/index.html`, MapLibre GL JS, works as `file://`).
//!
//! Every file is written atomically through [`fragnum_core::atomic`].

// Product names (GeoJSON, MapLibre, ColorBrewer) read better without backticks; short maths
// names (x, y, w, h, k, n) are the clearest in geometry and classification code.
#![allow(clippy::doc_markdown, clippy::many_single_char_names)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic, clippy::float_cmp, clippy::unreadable_literal))]

pub mod atlas;
pub mod choropleth;
pub mod classify;
pub mod error;
pub mod evolution;
pub mod format;
pub mod layer;
pub mod map;
pub mod print;
pub mod ramp;
pub mod render;
pub mod sheets;
pub mod simplify;
pub mod tables;
pub mod zones;

pub use error::RenderError;
pub use format::Unit;
pub use layer::Layer;
pub use map::MapContext;
pub use render::{Formats, RenderConfig, render_layers};
pub use sheets::{SheetInput, write_sheets};
