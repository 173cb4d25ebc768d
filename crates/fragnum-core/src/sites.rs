//! Advisor sites and population points (being written).
