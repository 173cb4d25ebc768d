//! Typed errors of the indices crate. Each names what failed: the rate file and its
//! `line:column`, the settings key, the zone or group.

use fragnum_core::Location;
use thiserror::Error;

/// Why an index could not be computed.
#[derive(Debug, Error, PartialEq)]
pub enum IndicesError {
    /// A rate table could not be read: where (the file name, or any label given to the parser,
    /// with the line and CSV field number) and why.
    #[error("{location}: {message}")]
    Rates {
        /// Where in the rate file.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The `[indices]` settings are inconsistent.
    #[error("[indices] {key}: {message}")]
    Settings {
        /// The settings key (`social.variables.rsa.weight`…).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A variable expression (`chom_1564/act_1564|de_abc/pop`) cannot be parsed.
    #[error("expression `{expression}`: {message}")]
    Expression {
        /// The text as configured.
        expression: String,
        /// What is wrong.
        message: String,
    },
    /// The settings ask for a dimension that no rate table gives for an indicator.
    #[error("indicator `{indicator}`: no rate table gives dimension `{dimension}` (rate tables give: {available})")]
    MissingDimension {
        /// The indicator.
        indicator: String,
        /// The dimension asked for.
        dimension: String,
        /// The dimensions that exist, comma separated.
        available: String,
    },
    /// A configured variable has no value in any zone of the table.
    #[error("{what} `{name}`: no zone of the table has a value for {expression} (mark it `optional = true` to skip it)")]
    AllMissing {
        /// Which kind of input (`social variable`, `cross proxy`).
        what: &'static str,
        /// Its configured name.
        name: String,
        /// The expression that was evaluated.
        expression: String,
    },
    /// A custom group lists a code that is not in the zone table.
    #[error("group `{group}`: member `{code}` is not a zone of the table")]
    UnknownGroupMember {
        /// The group name.
        group: String,
        /// The code as configured.
        code: String,
    },
    /// A label (group, reference territory, indicator) that the settings use but nothing defines.
    #[error("unknown {what} `{label}` (known: {known})")]
    UnknownLabel {
        /// What kind of label.
        what: &'static str,
        /// The label as written.
        label: String,
        /// The known labels, comma separated.
        known: String,
    },
    /// Iterative proportional fitting was given inconsistent or negative margins.
    #[error("IPF: {0}")]
    Ipf(String),
    /// The logit model could not be fitted.
    #[error("logit fit: {0}")]
    Logit(String),
}

impl IndicesError {
    /// A settings error.
    pub(crate) fn settings(key: impl Into<String>, message: impl Into<String>) -> Self {
        IndicesError::Settings { key: key.into(), message: message.into() }
    }
}
