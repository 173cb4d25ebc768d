//! # fragnum-access (being written)
