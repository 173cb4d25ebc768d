//! The result of [`crate::compute()`]: one row per zone and per group, and its columns as plain vectors
//! ([`ColumnData`] of fragnum-core, which the renderer writes as Parquet/CSV; this crate does not
//! depend on the renderer).

use fragnum_core::Level;
use fragnum_core::column::ColumnData;

use crate::digital::DigitalEstimate;
use crate::ifn::IfnScores;
use crate::settings::{Estimator, IfnVariant};
use crate::social::SocialScore;

/// One output row: a zone of the table, or a group built from base zones.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicesRow {
    /// Zone or group code (group name for custom groups).
    pub code: String,
    /// Level.
    pub level: Level,
    /// Name, when known.
    pub name: Option<String>,
    /// Population (`pop`; for groups the sum over members with a value).
    pub population: Option<f64>,
    /// Number of base zones summed (1 for a zone).
    pub members: usize,
    /// One estimate per indicator, aligned with [`IndicesOutput::indicators`].
    pub digital: Vec<DigitalEstimate>,
    /// Social precarity within the row's level.
    pub social: SocialScore,
    /// IFN scores per reference, aligned with [`IndicesOutput::ifn_references`].
    pub ifn: Vec<Option<IfnScores>>,
    /// Socially precarious people (from the first proxy with a value).
    pub social_count: Option<f64>,
    /// The proxy used.
    pub social_proxy: Option<String>,
    /// People both digitally and socially precarious, per indicator.
    pub cross: Vec<Option<f64>>,
    /// Vintages of the inputs read (`2016-2020`).
    pub vintage: Option<String>,
    /// Row-level notes (members without estimate, zero population…).
    pub notes: Vec<String>,
    /// The IFN inputs this row lacks, in French ([`crate::ifn::INPUT_LABELS`]): why it has no IFN
    /// (a missing income counted as a 0 point under `missing_income = "zero_point"` is listed too,
    /// marked « compté 0 »). Empty when every input is there.
    pub ifn_missing: Vec<String>,
}

/// All results.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicesOutput {
    /// Digital-precarity indicators computed.
    pub indicators: Vec<String>,
    /// Each indicator's survey universe as its rate file names it (`15 ans ou plus`), aligned with `indicators`.
    pub universes: Vec<String>,
    /// Central estimator.
    pub estimator: Estimator,
    /// IFN reference kinds (`departement`, `group:Ville`…).
    pub ifn_references: Vec<String>,
    /// IFN variant.
    pub ifn_variant: IfnVariant,
    /// Rows: base zones, standalone zones, then aggregation levels and custom groups.
    pub rows: Vec<IndicesRow>,
    /// The base zones of each custom group (`[indices.groups]`), by group name.
    pub group_members: std::collections::BTreeMap<String, Vec<fragnum_core::ZoneCode>>,
    /// Run-level notes: assumptions and skipped inputs, in English, for the log.
    pub notes: Vec<String>,
}

fn ref_suffix(reference: &str) -> String {
    reference.replace(':', "_").replace(|c: char| !(c.is_ascii_alphanumeric() || c == '_'), "_")
}

fn int(v: Option<usize>) -> Option<i64> {
    v.and_then(|v| i64::try_from(v).ok())
}

impl IndicesOutput {
    /// Rows of one level.
    pub fn rows_at(&self, level: Level) -> impl Iterator<Item = &IndicesRow> {
        self.rows.iter().filter(move |r| r.level == level)
    }

    /// The estimated total of an indicator over the rows of one level.
    pub fn total(&self, indicator: &str, level: Level) -> Option<f64> {
        let i = self.indicators.iter().position(|n| n == indicator)?;
        Some(self.rows_at(level).filter_map(|r| r.digital[i].count).sum())
    }

    /// Every column, in output order: identity, per-indicator digital columns, social, IFN, cross, vintage, notes.
    pub fn columns(&self) -> Vec<(String, ColumnData)> {
        let rows = &self.rows;
        let text = |f: &dyn Fn(&IndicesRow) -> Option<String>| ColumnData::Text(rows.iter().map(f).collect());
        let float = |f: &dyn Fn(&IndicesRow) -> Option<f64>| ColumnData::Float(rows.iter().map(f).collect());
        let mut cols = vec![
            ("code".to_string(), text(&|r| Some(r.code.clone()))),
            ("level".to_string(), text(&|r| Some(r.level.as_str().to_string()))),
            ("name".to_string(), text(&|r| r.name.clone())),
            ("population".to_string(), float(&|r| r.population)),
            ("members".to_string(), ColumnData::Int(rows.iter().map(|r| int(Some(r.members))).collect())),
            ("estimator".to_string(), text(&|_| Some(self.estimator.as_str().to_string()))),
        ];
        for (i, ind) in self.indicators.iter().enumerate() {
            let d = |f: &dyn Fn(&DigitalEstimate) -> Option<f64>| ColumnData::Float(rows.iter().map(|r| f(&r.digital[i])).collect());
            cols.push((format!("{ind}_universe"), d(&|e| e.universe)));
            cols.push((format!("{ind}_count"), d(&|e| e.count)));
            cols.push((format!("{ind}_share"), d(&DigitalEstimate::share)));
            cols.push((format!("{ind}_low"), d(&|e| e.low)));
            cols.push((format!("{ind}_high"), d(&|e| e.high)));
            cols.push((format!("{ind}_se_sampling"), d(&|e| e.se_sampling)));
            cols.push((format!("{ind}_se_imputation"), d(&|e| e.se_imputation)));
            cols.push((format!("{ind}_se_estimator"), d(&|e| e.se_estimator)));
            cols.push((format!("{ind}_status"), text(&|r| r.digital[i].status.map(|s| s.as_str().to_string()))));
            cols.push((format!("{ind}_imputed_from"), text(&|r| Some(r.digital[i].imputed_from.join("; ")).filter(|s| !s.is_empty()))));
            cols.push((format!("{ind}_imputed_share"), d(&DigitalEstimate::imputed_share)));
            cols.push((format!("{ind}_share_dimension_mean"), d(&|e| e.dimension_mean_share)));
            cols.push((format!("{ind}_share_joint"), d(&|e| e.joint_share)));
            cols.push((format!("{ind}_strata"), text(&|r| Some(r.digital[i].strata.join("+")).filter(|s| !s.is_empty()))));
            cols.push((format!("{ind}_skipped"), text(&|r| Some(r.digital[i].skipped.join("; ")).filter(|s| !s.is_empty()))));
        }
        cols.push(("social_score".into(), float(&|r| r.social.score)));
        cols.push(("social_rank".into(), ColumnData::Int(rows.iter().map(|r| int(r.social.rank)).collect())));
        cols.push(("social_class".into(), ColumnData::Int(rows.iter().map(|r| int(r.social.class)).collect())));
        cols.push(("social_complete".into(), ColumnData::Bool(rows.iter().map(|r| Some(r.social.missing.is_empty())).collect())));
        cols.push(("social_missing".into(), text(&|r| Some(r.social.missing.join("+")).filter(|s| !s.is_empty()))));
        for (k, reference) in self.ifn_references.iter().enumerate() {
            for (j, name) in IfnScores::NAMES.iter().enumerate() {
                cols.push((
                    format!("ifn_{name}_{}", ref_suffix(reference)),
                    ColumnData::Float(rows.iter().map(|r| r.ifn[k].map(|s| s.values()[j])).collect()),
                ));
            }
        }
        if !self.ifn_references.is_empty() {
            cols.push(("ifn_missing".into(), text(&|r| Some(r.ifn_missing.join(", ")).filter(|s| !s.is_empty()))));
        }
        cols.push(("social_count".into(), float(&|r| r.social_count)));
        cols.push(("social_proxy".into(), text(&|r| r.social_proxy.clone())));
        for (i, ind) in self.indicators.iter().enumerate() {
            cols.push((format!("{ind}_cross_count"), ColumnData::Float(rows.iter().map(|r| r.cross[i]).collect())));
        }
        cols.push(("vintage".into(), text(&|r| r.vintage.clone())));
        cols.push(("notes".into(), text(&|r| Some(r.notes.join("; ")).filter(|s| !s.is_empty()))));
        cols
    }
}
