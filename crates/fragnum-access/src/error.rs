//! Errors of the access computations.

use thiserror::Error;

/// Why an accessibility computation could not run.
#[derive(Debug, Error)]
pub enum AccessError {
    /// The speed profile TOML is wrong.
    #[error("{location}: speed profile: {message}")]
    Profile {
        /// The profile's name or file, as given by the caller, with the line and column when known.
        location: fragnum_core::Location,
        /// What is wrong.
        message: String,
    },
    /// The settings are inconsistent (negative threshold, zero speed…).
    #[error("access settings: {0}")]
    Settings(String),
    /// One `[access]` key has a wrong value (see [`crate::config::AccessConfig::validate`]).
    #[error("[access] {key}: {message}")]
    Setting {
        /// The key below `[access]` (`walk_kmh`, `approximation.detour`, `thresholds_min[1]`).
        key: String,
        /// What is wrong, with the value.
        message: String,
    },
    /// The network has no edge usable by the profile's mode.
    #[error("{network}: no road usable on {mode} ({edges} edges read; check the file's road classes against the speed profile)")]
    EmptyNetwork {
        /// Where the network came from ([`fragnum_core::network::RoadNetwork::source`]).
        network: String,
        /// `car` or `walk`.
        mode: String,
        /// Edges in the network before filtering.
        edges: usize,
    },
    /// An input array does not match another (weights and points of different lengths…).
    #[error("access input: {0}")]
    Input(String),
}
