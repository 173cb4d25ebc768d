//! # fragnum-indices (being written)
