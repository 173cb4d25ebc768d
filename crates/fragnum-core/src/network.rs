//! A road network as read from a file: node coordinates and directed edges with the raw attributes
//! a speed profile needs (road class, tagged speed limit, who may use the edge).
//!
//! Travel times are not computed here: the access crate turns these attributes into seconds with a
//! speed profile. A two-way road is two directed edges; a one-way road is one edge open to cars
//! plus its reverse open only to walkers, so both modes share one network.

use std::collections::BTreeMap;

/// One directed edge between two nodes of a [`RoadNetwork`].
#[derive(Debug, Clone, PartialEq)]
pub struct RoadEdge {
    /// Index of the start node in [`RoadNetwork::nodes`].
    pub from: u32,
    /// Index of the end node.
    pub to: u32,
    /// Length along the road, metres.
    pub length_m: f64,
    /// Index of the road class (`highway` value) in [`RoadNetwork::classes`].
    pub class: u16,
    /// Speed limit tagged on the road (km/h), when any.
    pub maxspeed_kmh: Option<f64>,
    /// Whether cars may drive this edge in this direction (one-ways, access restrictions).
    pub car: bool,
    /// Whether people may walk this edge.
    pub walk: bool,
    /// Whether the source says the road is in a built-up area (`maxspeed=FR:urban`, a property);
    /// `None` lets the speed profile decide.
    pub urban: Option<bool>,
}

/// What a reader dropped or assumed, counted by reason, so reports can say it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkNotes {
    /// Ways or features read from the file (before any filtering).
    pub features_read: usize,
    /// Ways or features kept as roads.
    pub features_kept: usize,
    /// Dropped features, by reason (`"not a road (highway=…)"`, `"fewer than 2 points"`).
    pub dropped: BTreeMap<String, usize>,
    /// Defaults applied, by reason (`"no highway class: unclassified assumed"`).
    pub assumed: BTreeMap<String, usize>,
}

impl NetworkNotes {
    /// Counts one dropped feature.
    pub fn drop(&mut self, reason: impl Into<String>) {
        *self.dropped.entry(reason.into()).or_default() += 1;
    }

    /// Counts one assumption.
    pub fn assume(&mut self, reason: impl Into<String>) {
        *self.assumed.entry(reason.into()).or_default() += 1;
    }

    /// Adds the counts of `other` (notes gathered in parallel, one part of a file each).
    ///
    /// ```
    /// let mut a = fragnum_core::network::NetworkNotes::default();
    /// a.drop("area=yes");
    /// let mut b = a.clone();
    /// b.assume("default speed");
    /// a.merge(b);
    /// assert_eq!((a.dropped["area=yes"], a.assumed["default speed"]), (2, 1));
    /// ```
    pub fn merge(&mut self, other: NetworkNotes) {
        self.features_read += other.features_read;
        self.features_kept += other.features_kept;
        for (reason, n) in other.dropped {
            *self.dropped.entry(reason).or_default() += n;
        }
        for (reason, n) in other.assumed {
            *self.assumed.entry(reason).or_default() += n;
        }
    }
}

/// A road network in WGS84 lon/lat with directed edges.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoadNetwork {
    /// Node coordinates, `[lon, lat]`.
    pub nodes: Vec<[f64; 2]>,
    /// Directed edges.
    pub edges: Vec<RoadEdge>,
    /// Road class names (`"motorway"`, `"residential"`…), indexed by [`RoadEdge::class`].
    pub classes: Vec<String>,
    /// What the reader dropped or assumed.
    pub notes: NetworkNotes,
    /// Where the network came from (file name, extract date), for output metadata.
    pub source: String,
}

impl RoadNetwork {
    /// The index of a road class, added when new.
    ///
    /// ```
    /// let mut net = fragnum_core::network::RoadNetwork::default();
    /// assert_eq!(net.class_index("primary"), 0);
    /// assert_eq!(net.class_index("residential"), 1);
    /// assert_eq!(net.class_index("primary"), 0);
    /// ```
    pub fn class_index(&mut self, class: &str) -> u16 {
        if let Some(i) = self.classes.iter().position(|c| c == class) {
            return i as u16;
        }
        self.classes.push(class.to_string());
        (self.classes.len() - 1) as u16
    }

    /// The class name of an edge (`"unclassified"` if the index is out of range).
    pub fn class_name(&self, edge: &RoadEdge) -> &str {
        self.classes.get(usize::from(edge.class)).map_or("unclassified", String::as_str)
    }

    /// Adds a node and returns its index.
    pub fn push_node(&mut self, lon: f64, lat: f64) -> u32 {
        self.nodes.push([lon, lat]);
        (self.nodes.len() - 1) as u32
    }
}

/// Mean Earth radius (IUGG), metres: the sphere every fragnum distance is measured on.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Metres in one degree of latitude on that sphere.
pub const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// Great-circle distance in metres between two `[lon, lat]` points (haversine, mean Earth radius).
///
/// ```
/// let d = fragnum_core::network::haversine_m([5.7245, 45.1885], [5.9178, 45.5646]);
/// assert!((d - 44_500.0).abs() < 1_000.0, "{d}"); // Grenoble – Chambéry, about 44 km
/// ```
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    const R: f64 = EARTH_RADIUS_M;
    let (lat1, lat2) = (a[1].to_radians(), b[1].to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b[0] - a[0]).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_count_by_reason() {
        let mut n = NetworkNotes::default();
        n.drop("footway");
        n.drop("footway");
        n.assume("speed");
        assert_eq!(n.dropped["footway"], 2);
        assert_eq!(n.assumed["speed"], 1);
    }

    #[test]
    fn haversine_zero_and_one_degree_of_latitude() {
        assert!(haversine_m([5.0, 45.0], [5.0, 45.0]).abs() < 1e-9);
        assert!((haversine_m([5.0, 45.0], [5.0, 46.0]) - 111_195.0).abs() < 10.0);
    }
}
