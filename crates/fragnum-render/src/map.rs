//! What every map needs besides the layer: outlines, names, communes, advisor sites, and the
//! projection from WGS84 lon/lat to the page.

use std::collections::BTreeMap;

use fragnum_core::sites::Site;
use fragnum_core::{ZoneCode, ZoneGeometries};
use geo_types::{LineString, MultiPolygon};

/// Everything drawn under and over the choropleth.
#[derive(Debug, Clone)]
pub struct MapContext<'a> {
    /// Outlines of the zones mapped (WGS84 lon/lat), keyed by code.
    pub zones: &'a ZoneGeometries,
    /// Zone names (`LIBIRIS`), by code.
    pub names: BTreeMap<ZoneCode, String>,
    /// Commune outlines drawn as boundaries over the zones, when available.
    pub communes: Option<&'a ZoneGeometries>,
    /// Advisor sites drawn as symbols (by `kind`: each [`fragnum_core::sites::SiteKind`] has its
    /// own, anything else is drawn as “autre”).
    pub sites: &'a [Site],
    /// The territory, shown under the title (`Grenoble-Alpes Métropole`).
    pub territory: String,
    /// Population of each commune, by commune code: print maps name the largest (at the point of
    /// their outline in `communes`, or in `zones` for a commune-level map). Empty: no names.
    pub populations: BTreeMap<ZoneCode, f64>,
}

/// Longitude/latitude bounding box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    /// West.
    pub min_lon: f64,
    /// South.
    pub min_lat: f64,
    /// East.
    pub max_lon: f64,
    /// North.
    pub max_lat: f64,
}

impl BBox {
    /// The box of every vertex of `geoms`; `None` when there is none.
    pub fn of<'g>(geoms: impl IntoIterator<Item = &'g MultiPolygon<f64>>) -> Option<BBox> {
        let mut b: Option<BBox> = None;
        for mp in geoms {
            for p in &mp.0 {
                for c in p.exterior().coords() {
                    if !(c.x.is_finite() && c.y.is_finite()) {
                        continue;
                    }
                    let bb = b.get_or_insert(BBox { min_lon: c.x, min_lat: c.y, max_lon: c.x, max_lat: c.y });
                    bb.min_lon = bb.min_lon.min(c.x);
                    bb.max_lon = bb.max_lon.max(c.x);
                    bb.min_lat = bb.min_lat.min(c.y);
                    bb.max_lat = bb.max_lat.max(c.y);
                }
            }
        }
        b
    }
}

/// The workspace's local projection ([`LocalProjection`](fragnum_core::geometry::LocalProjection),
/// in degrees of latitude, true along the mean latitude), fitted into a pixel box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Origin at the box's north-west corner, so `y` is ≤ 0 inside it.
    local: fragnum_core::geometry::LocalProjection,
    /// Pixels per degree of latitude.
    pub scale: f64,
    x0: f64,
    y0: f64,
}

pub use fragnum_core::network::METRES_PER_DEGREE;

impl Projection {
    /// Fits `bbox` into the pixel rectangle `(x, y, w, h)`, centred, keeping proportions.
    pub fn fit(bbox: BBox, x: f64, y: f64, w: f64, h: f64) -> Projection {
        let mean_lat = f64::midpoint(bbox.min_lat, bbox.max_lat);
        let local = fragnum_core::geometry::LocalProjection::new([bbox.min_lon, bbox.max_lat], mean_lat, 1.0);
        let south_east = local.forward([bbox.max_lon, bbox.min_lat]);
        let span_x = south_east[0].max(1e-9);
        let span_y = (-south_east[1]).max(1e-9);
        let scale = (w / span_x).min(h / span_y);
        let x0 = x + (w - span_x * scale) / 2.0;
        let y0 = y + (h - span_y * scale) / 2.0;
        Projection { local, scale, x0, y0 }
    }

    /// Page coordinates (x right, y down) of a lon/lat point.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let [x, y] = self.local.forward([lon, lat]);
        (self.x0 + x * self.scale, self.y0 - y * self.scale)
    }

    /// Metres represented by one pixel.
    pub fn metres_per_pixel(&self) -> f64 {
        METRES_PER_DEGREE / self.scale
    }
}

/// Twice the signed area of a closed ring (positive when counter-clockwise in lon/lat).
pub fn signed_area2(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2).map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1]).sum()
}

pub(crate) fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// A ring ready for RFC 7946: rounded to 6 decimals, consecutive duplicates removed, closed,
/// oriented counter-clockwise (`ccw`) or clockwise. `None` when nothing of area remains.
pub fn clean_ring(ring: &LineString<f64>, ccw: bool) -> Option<Vec<[f64; 2]>> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(ring.0.len() + 1);
    for c in &ring.0 {
        if !(c.x.is_finite() && c.y.is_finite()) {
            continue;
        }
        let p = [round6(c.x), round6(c.y)];
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    if out.len() < 3 {
        return None;
    }
    out.push(out[0]);
    let a = signed_area2(&out);
    if a == 0.0 {
        return None;
    }
    if (a > 0.0) != ccw {
        out.reverse();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, coord};

    #[test]
    fn clean_ring_orients_rounds_and_closes() {
        // Clockwise, open, with a duplicate and 8 decimals.
        let ring = LineString::from(vec![
            coord! { x: 5.0, y: 45.0 },
            coord! { x: 5.0, y: 45.123_456_789 },
            coord! { x: 5.0, y: 45.123_456_789 },
            coord! { x: 5.1, y: 45.1 },
        ]);
        let r = clean_ring(&ring, true).unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r.first(), r.last());
        assert!(signed_area2(&r) > 0.0);
        assert!(r.iter().any(|p| p[1] == 45.123_457));
        let h = clean_ring(&ring, false).unwrap();
        assert!(signed_area2(&h) < 0.0);
        let flat = LineString::from(vec![coord! { x: 5.0, y: 45.0 }, coord! { x: 5.0, y: 45.000_000_1 }, coord! { x: 5.0, y: 45.0 }]);
        assert!(clean_ring(&flat, true).is_none());
    }

    #[test]
    fn projection_keeps_proportions() {
        let b = BBox { min_lon: 5.0, min_lat: 45.0, max_lon: 6.0, max_lat: 46.0 };
        let p = Projection::fit(b, 0.0, 0.0, 1000.0, 1000.0);
        let (x0, y0) = p.project(5.0, 46.0);
        let (x1, y1) = p.project(6.0, 45.0);
        assert!((y1 - y0 - 1000.0).abs() < 1e-6);
        let ratio = (x1 - x0) / (y1 - y0);
        assert!((ratio - 45.5f64.to_radians().cos()).abs() < 1e-9);
        assert!(y0.abs() < 1e-9 && y1 > y0);
    }
}
