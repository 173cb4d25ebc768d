//! Geometry aliases. Every geometry held by fragnum is WGS84 longitude/latitude (EPSG:4326 axis
//! order lon, lat), whatever the source CRS was; ingest reprojects on reading.

use std::collections::{BTreeMap, BTreeSet};

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
