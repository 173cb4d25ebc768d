//! Geometry aliases. Every geometry held by fragnum is WGS84 longitude/latitude (EPSG:4326 axis
//! order lon, lat), whatever the source CRS was; ingest reprojects on reading.

use std::collections::BTreeMap;

use crate::ZoneCode;

/// The outline of one zone: always a multipolygon, so single polygons and archipelagos share a type.
pub type ZoneGeometry = geo_types::MultiPolygon<f64>;

/// Outlines keyed by zone code, in code order (deterministic output).
pub type ZoneGeometries = BTreeMap<ZoneCode, ZoneGeometry>;
