//! Errors of the access computations.

use thiserror::Error;

/// Why an accessibility computation could not run.
#[derive(Debug, Error)]
pub enum AccessError {
    /// The speed profile TOML is wrong.
    #[error("speed profile {name}: {message}")]
    Profile {
        /// The profile's name or file, as given by the caller.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The settings are inconsistent (negative threshold, zero speed…).
    #[error("access settings: {0}")]
    Settings(String),
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
