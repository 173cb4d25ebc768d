//! Road network readers (being written).
