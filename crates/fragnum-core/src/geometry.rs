//! Geometry aliases and helpers. Every geometry held by fragnum is WGS84 longitude/latitude
//! (EPSG:4326 axis order lon, lat), whatever the source CRS was; ingest reprojects on reading.
//! Planar work (snapping, rasters, simplification, maps) goes through [`LocalProjection`].

use std::collections::{BTreeMap, BTreeSet};

use crate::network::METRES_PER_DEGREE;
use crate::{Level, ZoneCode};

/// The outline of one zone: always a multipolygon, so single polygons and archipelagos share a type.
pub type ZoneGeometry = geo_types::MultiPolygon<f64>;

/// Outlines keyed by zone code, in code order (deterministic output).
pub type ZoneGeometries = BTreeMap<ZoneCode, ZoneGeometry>;

/// The point of segment `a`–`b` nearest to `p` in planar coordinates, with its position along
/// the segment (0 at `a`, 1 at `b`): snapping to roads and simplifying outlines both measure
/// distances to a segment this way.
///
/// ```
/// let (t, q) = fragnum_core::geometry::nearest_on_segment([1.0, 1.0], [0.0, 0.0], [2.0, 0.0]);
/// assert_eq!((t, q), (0.5, [1.0, 0.0]));
/// assert_eq!(fragnum_core::geometry::nearest_on_segment([5.0, 1.0], [0.0, 0.0], [2.0, 0.0]).0, 1.0);
/// ```
pub fn nearest_on_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> (f64, [f64; 2]) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (t, [a[0] + t * dx, a[1] + t * dy])
}

/// A local equirectangular projection: `x = (lon − lon₀)·k·cos φ₁`, `y = (lat − lat₀)·k`, where
/// `φ₁` is the latitude whose parallel keeps its length and `k` the units per degree of latitude.
/// Accurate to about 0.5 % over a French département, which is enough for snapping, isochrone
/// rasters, simplification tolerances and maps. The one planar projection of the workspace: the
/// access graph, the outline simplifier and the maps all use it.
///
/// ```
/// use fragnum_core::geometry::LocalProjection;
/// let p = LocalProjection::metres([5.9, 45.3]);
/// let xy = p.forward([5.91, 45.3]);
/// assert!((xy[0] - 782.0).abs() < 2.0);
/// let back = p.inverse(xy);
/// assert!((back[0] - 5.91).abs() < 1e-12);
/// // In degrees of latitude (a map scales them to pixels itself): longitudes shrink by cos φ₁.
/// let d = LocalProjection::new([5.0, 46.0], 60.0, 1.0);
/// assert!((d.forward([6.0, 45.0])[0] - 0.5).abs() < 1e-12);
/// assert_eq!(d.forward([6.0, 45.0])[1], -1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalProjection {
    origin: [f64; 2],
    kx: f64,
    ky: f64,
}

impl LocalProjection {
    /// `origin` (lon/lat) maps to `[0, 0]`; lengths are true along the parallel `true_lat` and
    /// along meridians, in `units_per_degree` of latitude.
    pub fn new(origin: [f64; 2], true_lat: f64, units_per_degree: f64) -> Self {
        LocalProjection { origin, kx: units_per_degree * true_lat.to_radians().cos(), ky: units_per_degree }
    }

    /// In metres, centred on `centre` and true along its parallel.
    pub fn metres(centre: [f64; 2]) -> Self {
        LocalProjection::new(centre, centre[1], METRES_PER_DEGREE)
    }

    /// In metres, centred on the bounding box of `points` (on `[0, 0]` when there is none).
    pub fn metres_around(points: &[[f64; 2]]) -> Self {
        bounding_box(points.iter().copied()).map_or(LocalProjection::metres([0.0, 0.0]), |[lo, hi]| {
            LocalProjection::metres([f64::midpoint(lo[0], hi[0]), f64::midpoint(lo[1], hi[1])])
        })
    }

    /// lon/lat → projected units.
    pub fn forward(&self, p: [f64; 2]) -> [f64; 2] {
        [(p[0] - self.origin[0]) * self.kx, (p[1] - self.origin[1]) * self.ky]
    }

    /// Projected units → lon/lat.
    pub fn inverse(&self, p: [f64; 2]) -> [f64; 2] {
        [p[0] / self.kx + self.origin[0], p[1] / self.ky + self.origin[1]]
    }
}

/// The bounding box `[min, max]` of `[x, y]` points; `None` when there is none.
///
/// ```
/// let b = fragnum_core::geometry::bounding_box([[5.0, 45.5], [6.0, 45.0]]);
/// assert_eq!(b, Some([[5.0, 45.0], [6.0, 45.5]]));
/// assert_eq!(fragnum_core::geometry::bounding_box(std::iter::empty()), None);
/// ```
pub fn bounding_box(points: impl IntoIterator<Item = [f64; 2]>) -> Option<[[f64; 2]; 2]> {
    points.into_iter().fold(None, |b, p| {
        Some(match b {
            None => [p, p],
            Some([lo, hi]) => [[lo[0].min(p[0]), lo[1].min(p[1])], [hi[0].max(p[0]), hi[1].max(p[1])]],
        })
    })
}

/// The levels that have at least one outline.
pub fn outlined_levels(geometries: &ZoneGeometries) -> BTreeSet<Level> {
    geometries.keys().map(ZoneCode::level).collect()
}

/// The finest level that has outlines (IRIS before communes, and so on): the level maps and
/// sheets are drawn at.
///
/// ```
/// use fragnum_core::{Level, ZoneCode, ZoneGeometries};
/// use fragnum_core::geometry::finest_outlined_level;
/// let mut g = ZoneGeometries::new();
/// assert_eq!(finest_outlined_level(&g), None);
/// g.insert(ZoneCode::new(Level::Commune, "38185").unwrap(), geo_types::MultiPolygon(vec![]));
/// assert_eq!(finest_outlined_level(&g), Some(Level::Commune));
/// ```
pub fn finest_outlined_level(geometries: &ZoneGeometries) -> Option<Level> {
    outlined_levels(geometries).first().copied()
}
