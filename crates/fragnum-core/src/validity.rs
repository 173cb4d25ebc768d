//! Validity of outlines in O(n log n): the answer of `geo`'s [`Validation`] (OGC simple features:
//! rings closed with at least 3 distinct points, not self-intersecting, holes inside the
//! exterior, polygons of a multipolygon not overlapping nor touching on a line), the same first
//! error, without its quadratic steps.
//!
//! `geo` 0.33 tests every segment of a ring against every other (10¹⁰ tests for a commune of
//! 100,000 vertices, minutes) and relates every pair of polygons and of holes. Here the segments
//! of a ring go into an R-tree and only those whose bounding boxes meet are tested, with the same
//! predicate; pairs of polygons (and of holes) are related only when their bounding boxes meet,
//! since polygons with disjoint boxes can neither overlap nor touch. Everything else (ring sizes,
//! containment of holes, the DE-9IM relations) is `geo`'s own code, called as `geo` calls it.
//! Geometries with a non-finite coordinate are handed to `geo` whole.
//!
//! Still linear per hole: each hole is related to its exterior (as `geo` does), so a polygon of
//! *n* vertices with *h* holes costs O(h · n).

use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::validation::{GeometryIndex, InvalidMultiPolygon, InvalidPolygon, RingRole};
use geo::{HasDimensions, Intersects, PreparedGeometry, Relate, RemoveRepeatedPoints, Validation};
use geo_types::{Coord, Line, LineString, MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Rings with at most this many segments are checked pair by pair (faster than building a tree).
const PAIRWISE_MAX: usize = 32;

/// The first reason `g` is not a valid multipolygon, exactly as
/// [`Validation::check_validation`] reports it, in O(n log n) for n vertices.
///
/// ```
/// use geo_types::{MultiPolygon, polygon};
/// let square = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
/// assert!(fragnum_core::validity::check(&MultiPolygon(vec![square])).is_ok());
/// let bowtie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
/// let e = fragnum_core::validity::check(&MultiPolygon(vec![bowtie])).unwrap_err();
/// assert_eq!(e.to_string(), "polygon at index 0 is invalid: exterior ring has a self-intersection");
/// ```
pub fn check(g: &MultiPolygon<f64>) -> Result<(), InvalidMultiPolygon> {
    if !finite(g) {
        return g.check_validation();
    }
    let boxes: Vec<Option<AABB<[f64; 2]>>> = g.0.iter().map(|p| envelope(rings(p).flat_map(|r| r.0.iter()))).collect();
    let tree = box_tree(&boxes);
    for (i, polygon) in g.0.iter().enumerate() {
        check_polygon(polygon).map_err(|e| InvalidMultiPolygon::InvalidPolygon(GeometryIndex(i), e))?;
        for j in later_neighbours(&tree, boxes[i].as_ref(), i) {
            let im = polygon.relate(&g.0[j]);
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                return Err(InvalidMultiPolygon::ElementsOverlaps(GeometryIndex(i), GeometryIndex(j)));
            }
            if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
                return Err(InvalidMultiPolygon::ElementsTouchOnALine(GeometryIndex(i), GeometryIndex(j)));
            }
        }
    }
    Ok(())
}

/// True when [`check`] finds nothing wrong.
pub fn is_valid(g: &MultiPolygon<f64>) -> bool {
    check(g).is_ok()
}

/// One polygon, as `geo` checks it (its first error).
fn check_polygon(p: &Polygon<f64>) -> Result<(), InvalidPolygon> {
    if p.is_empty() {
        return Ok(());
    }
    for (k, ring) in rings(p).enumerate() {
        if ring.0.is_empty() {
            continue;
        }
        let role = if k == 0 { RingRole::Exterior } else { RingRole::Interior(k - 1) };
        if ring.remove_repeated_points().0.len() < 4 {
            return Err(InvalidPolygon::TooFewPointsInRing(role));
        }
        if ring_self_intersects(ring) {
            return Err(InvalidPolygon::SelfIntersection(role));
        }
    }
    if p.interiors().iter().all(|r| r.0.is_empty()) {
        return Ok(());
    }
    let exterior = Polygon::new(p.exterior().clone(), vec![]);
    let prepared_exterior = PreparedGeometry::from(&exterior);
    let boxes: Vec<Option<AABB<[f64; 2]>>> = p.interiors().iter().map(|r| envelope(r.0.iter())).collect();
    let tree = box_tree(&boxes);
    for (i, hole) in p.interiors().iter().enumerate() {
        if hole.0.is_empty() {
            continue;
        }
        let role = RingRole::Interior(i);
        let hole_polygon = Polygon::new(hole.clone(), vec![]);
        let prepared_hole = PreparedGeometry::from(&hole_polygon);
        let im = prepared_exterior.relate(&prepared_hole);
        if !im.is_contains() {
            return Err(InvalidPolygon::InteriorRingNotContainedInExteriorRing(role));
        }
        if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
            return Err(InvalidPolygon::IntersectingRingsOnALine(RingRole::Exterior, role));
        }
        for j in later_neighbours(&tree, boxes[i].as_ref(), i) {
            let other = &p.interiors()[j];
            if other.0.is_empty() {
                continue;
            }
            let im = prepared_hole.relate(&Polygon::new(other.clone(), vec![]));
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                return Err(InvalidPolygon::IntersectingRingsOnAnArea(role, RingRole::Interior(j)));
            }
            if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
                return Err(InvalidPolygon::IntersectingRingsOnALine(role, RingRole::Interior(j)));
            }
        }
    }
    Ok(())
}

/// Whether two segments of a ring cross or touch other than where one ends and the other starts:
/// `geo`'s predicate, taken both ways as `geo` takes every ordered pair.
fn segments_meet(a: &Line<f64>, b: &Line<f64>) -> bool {
    a.start != b.end && a.end != b.start && (a.intersects(b) || b.intersects(a))
}

/// Whether a ring has a self-intersection, as `geo` decides it (every pair of segments), with
/// only the pairs whose bounding boxes meet tested.
fn ring_self_intersects(ring: &LineString<f64>) -> bool {
    let lines: Vec<Line<f64>> = ring.lines().collect();
    if lines.len() <= PAIRWISE_MAX { pairwise_self_intersects(&lines) } else { indexed_self_intersects(&lines) }
}

fn pairwise_self_intersects(lines: &[Line<f64>]) -> bool {
    lines.iter().enumerate().any(|(i, a)| lines[i + 1..].iter().any(|b| segments_meet(a, b)))
}

fn indexed_self_intersects(lines: &[Line<f64>]) -> bool {
    let corners = |l: &Line<f64>| ([l.start.x.min(l.end.x), l.start.y.min(l.end.y)], [l.start.x.max(l.end.x), l.start.y.max(l.end.y)]);
    let tree = RTree::bulk_load(
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (lo, hi) = corners(l);
                GeomWithData::new(Rectangle::from_corners(lo, hi), i)
            })
            .collect(),
    );
    lines.iter().enumerate().any(|(i, a)| {
        let (lo, hi) = corners(a);
        tree.locate_in_envelope_intersecting(&AABB::from_corners(lo, hi)).any(|c| c.data > i && segments_meet(a, &lines[c.data]))
    })
}

/// The exterior, then the holes.
fn rings(p: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(p.exterior()).chain(p.interiors())
}

fn finite(g: &MultiPolygon<f64>) -> bool {
    g.0.iter().flat_map(|p| rings(p).flat_map(|r| r.0.iter())).all(|c| c.x.is_finite() && c.y.is_finite())
}

fn envelope<'a>(coords: impl Iterator<Item = &'a Coord<f64>>) -> Option<AABB<[f64; 2]>> {
    crate::geometry::bounding_box(coords.map(|c| [c.x, c.y])).map(|[lo, hi]| AABB::from_corners(lo, hi))
}

fn box_tree(boxes: &[Option<AABB<[f64; 2]>>]) -> RTree<GeomWithData<Rectangle<[f64; 2]>, usize>> {
    RTree::bulk_load(boxes.iter().enumerate().filter_map(|(i, b)| b.map(|b| GeomWithData::new(Rectangle::from_aabb(b), i))).collect())
}

/// Indices after `i` whose boxes meet `b`, in increasing order (the order `geo` reports in).
fn later_neighbours(tree: &RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>, b: Option<&AABB<[f64; 2]>>, i: usize) -> Vec<usize> {
    let mut out: Vec<usize> =
        b.map(|b| tree.locate_in_envelope_intersecting(b).map(|c| c.data).filter(|&j| j > i).collect()).unwrap_or_default();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// `geo` 0.33's ring test as written there: every ordered pair of distinct segments.
    fn reference_self_intersects(ring: &LineString<f64>) -> bool {
        ring.lines()
            .enumerate()
            .any(|(i, a)| ring.lines().enumerate().any(|(j, b)| i != j && a.intersects(&b) && a.start != b.end && a.end != b.start))
    }

    /// A closed ring of `n` vertices: star-shaped around `c` (simple) when `star`, else random
    /// points in a box (self-intersecting more often than not). Coordinates on a coarse grid so
    /// that touching, collinear and repeated vertices occur.
    fn ring(rng: &mut Rng, n: usize, c: [f64; 2], size: f64, star: bool) -> LineString<f64> {
        let grid = |v: f64| (v * 8.0).round() / 8.0;
        let mut pts: Vec<Coord<f64>> = (0..n)
            .map(|k| {
                if star {
                    let a = std::f64::consts::TAU * (k as f64 + 0.5 * rng.unit()) / n as f64;
                    let r = size * rng.range(0.3, 1.0);
                    Coord { x: c[0] + r * a.cos(), y: c[1] + r * a.sin() }
                } else {
                    Coord { x: grid(c[0] + size * rng.range(-1.0, 1.0)), y: grid(c[1] + size * rng.range(-1.0, 1.0)) }
                }
            })
            .collect();
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
        LineString::new(pts)
    }

    fn random_multipolygon(rng: &mut Rng) -> MultiPolygon<f64> {
        let polygons = 1 + (rng.next_u64() % 3) as usize;
        MultiPolygon(
            (0..polygons)
                .map(|_| {
                    let c = [rng.range(0.0, 6.0), rng.range(0.0, 6.0)];
                    let n = 3 + (rng.next_u64() % 12) as usize;
                    let star = rng.unit() < 0.6;
                    let exterior = ring(rng, n, c, 3.0, star);
                    let holes = (0..rng.next_u64() % 3)
                        .map(|_| {
                            let h = [c[0] + rng.range(-1.5, 1.5), c[1] + rng.range(-1.5, 1.5)];
                            let (n, size, star) = (3 + (rng.next_u64() % 5) as usize, rng.range(0.2, 1.2), rng.unit() < 0.7);
                            ring(rng, n, h, size, star)
                        })
                        .collect();
                    Polygon::new(exterior, holes)
                })
                .collect(),
        )
    }

    #[test]
    fn same_first_error_as_geo_on_random_multipolygons() {
        let mut rng = Rng::new(11, 1);
        let (mut valid, mut invalid) = (0, 0);
        for case in 0..3_000 {
            let g = random_multipolygon(&mut rng);
            let expected = g.check_validation();
            assert_eq!(check(&g), expected, "case {case}: {g:?}");
            if expected.is_ok() { valid += 1 } else { invalid += 1 }
        }
        assert!(valid > 300 && invalid > 300, "{valid} valid, {invalid} invalid");
    }

    #[test]
    fn indexed_ring_test_matches_geo_pairwise() {
        let mut rng = Rng::new(11, 2);
        let (mut crossing, mut simple) = (0, 0);
        for case in 0..2_000 {
            let n = 3 + (rng.next_u64() % 60) as usize;
            let star = rng.unit() < 0.5;
            let r = ring(&mut rng, n, [0.0, 0.0], 2.0, star);
            let lines: Vec<Line<f64>> = r.lines().collect();
            let expected = reference_self_intersects(&r);
            assert_eq!(indexed_self_intersects(&lines), expected, "case {case}: {r:?}");
            assert_eq!(pairwise_self_intersects(&lines), expected, "case {case}: {r:?}");
            if expected { crossing += 1 } else { simple += 1 }
        }
        assert!(crossing > 200 && simple > 200, "{crossing} crossing, {simple} simple");
    }

    #[test]
    fn spikes_repeated_points_and_non_finite_coordinates_as_geo() {
        let line = |pts: &[(f64, f64)]| LineString::new(pts.iter().map(|&(x, y)| Coord { x, y }).collect());
        for pts in [
            vec![(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (2.0, 3.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)],
            vec![(0.0, 0.0), (2.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)],
            vec![(0.0, 0.0), (2.0, 0.0), (0.0, 0.0)],
            vec![(0.0, 0.0), (f64::NAN, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)],
        ] {
            let g = MultiPolygon(vec![Polygon::new(line(&pts), vec![])]);
            assert_eq!(check(&g), g.check_validation(), "{pts:?}");
        }
    }

    #[test]
    fn a_large_simple_ring_is_valid_and_a_crossing_is_found() {
        let n: u32 = 20_000;
        let pts: Vec<Coord<f64>> = (0..=n)
            .map(|k| {
                let a = std::f64::consts::TAU * f64::from(k % n) / f64::from(n);
                let r = 1.0 + 0.2 * (7.0 * a).sin();
                Coord { x: r * a.cos(), y: r * a.sin() }
            })
            .collect();
        let mut g = MultiPolygon(vec![Polygon::new(LineString::new(pts), vec![])]);
        assert!(is_valid(&g));
        g.0[0].exterior_mut(|r| r.0.swap(10, 5_000));
        assert_eq!(
            check(&g),
            Err(InvalidMultiPolygon::InvalidPolygon(GeometryIndex(0), InvalidPolygon::SelfIntersection(RingRole::Exterior)))
        );
    }
}
