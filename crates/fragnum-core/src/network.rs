//! Road networks as read from a file (being written).
