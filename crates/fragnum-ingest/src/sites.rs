//! Sites CSV reader (being written).
