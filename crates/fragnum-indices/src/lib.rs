//! # fragnum-indices
//!
//! Pure computations on the zone table: digital precarity (survey rates × census strata), social
//! precarity, the `MedNum` 2020 IFN, their cross, and aggregation to any grouping. No file I/O (rate
//! files are parsed from text the caller read), no printing.
//!
//! - [`compute`](mod@compute): the main entry [`compute()`](compute::compute): every index on every zone and group,
//!   groups summed from their base zones;
//! - [`derived`]: strata derived before estimation (Filosofi deciles → national income bands,
//!   total − part categories);
//! - [`digital`]: digital precarity, two estimators (joint logit + IPF — the default — and the
//!   Grenoble diagnostic's dimension mean), imputation of missing strata from enclosing territories
//!   (flagged `imputed`), and a 90 % interval from sampling, imputation and estimator choice;
//! - [`social`]: social precarity score (relative to the level mean, weighted, re-normalised when a
//!   variable is missing), rank and quantile classes;
//! - [`ifn`]: indice de fragilité numérique, `MedNum` 2020 (base 100), as published (`ifn_2020`, with its
//!   un-inverted income direction) and `ifn_2020_income_inverted`, against computed or published references;
//! - [`cross`]: people both digitally and socially precarious, taking both as independent within a zone;
//! - [`ipf`]: iterative proportional fitting of a joint table to its margins;
//! - [`logit`]: additive logit model fitted to published marginal rates;
//! - [`rates`]: survey rate tables (`config/rates/*.csv`), parsed and merged per indicator;
//! - [`expr`]: variable expressions (`chom_1564/act_1564|de_abc/pop`) evaluated on zones and groups;
//! - [`settings`]: the `[indices]` config section ([`IndicesSettings`]), with defaults;
//! - [`output`]: [`IndicesOutput`], one row per zone and group, and its columns as plain vectors;
//! - [`trends`]: series over time on one harmonised geography (every vintage carried by the passage of
//!   fragnum-ingest), aggregated like the indices, and the change between two vintages with its noise flags;
//! - [`error`]: [`IndicesError`], naming the `file:line:column`, settings key, group or variable at fault.
//!
//! Conventions: counts are summed upwards, shares recomputed from sums, never averaged; a missing
//! input is a null and a flag, never a zero; people outside a survey's universe (e.g. under 15) are
//! not counted as digitally precarious.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic))]

pub mod compute;
pub mod cross;
pub mod derived;
pub mod digital;
pub mod error;
pub mod expr;
pub mod ifn;
pub mod ipf;
pub mod logit;
pub mod output;
pub mod rates;
pub mod settings;
pub mod social;
pub mod trends;
mod units;

pub use compute::{check_rates, compute};
pub use error::IndicesError;
pub use output::{IndicesOutput, IndicesRow};
pub use rates::RateTable;
pub use settings::IndicesSettings;
