//! Population grid reader (being written).
