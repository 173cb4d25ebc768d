//! Simplification that keeps shared borders shared, for lighter web maps.
//!
//! Simplifying each outline on its own (as `geo`'s `Simplify` would) moves the two copies of a
//! border between neighbours differently, leaving slivers and gaps on the map. Here the outlines
//! are first cut into *arcs*, the pieces of border between junctions (vertices where three or
//! more outlines meet, or where two only touch), as TopoJSON and mapshaper do. Each distinct arc
//! is simplified once, with Douglas–Peucker in metres and its two ends fixed, and every ring is
//! rebuilt from its simplified arcs, so both neighbours get the same border. A ring with no
//! junction (an island, an enclave and the hole it fills) is one closed arc cut at its smallest
//! vertex, which both copies share.
//!
//! Vertices match when equal to 1e-7° (about 1 cm), as in IGN's topologically clean contours;
//! output coordinates come from the shared arcs, so neighbours' borders are bit-identical. When
//! a ring would fall below four points, or a zone's simplified outline would not be valid, the
//! arcs involved are kept whole, for every ring that shares them, so the fallback never opens a
//! gap; both cases are counted in the report.

use std::collections::HashMap;

use fragnum_core::ZoneGeometries;
use fragnum_core::geometry::{LocalProjection, nearest_on_segment};
use fragnum_core::network::METRES_PER_DEGREE;
use fragnum_core::validity::is_valid;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

/// What simplification did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimplifyReport {
    /// Vertices before.
    pub vertices_before: usize,
    /// Vertices after.
    pub vertices_after: usize,
    /// Distinct arcs simplified.
    pub arcs: usize,
    /// Zones with a ring whose arcs were kept whole because it would have collapsed.
    pub collapsing_zones: usize,
    /// Zones whose arcs were kept whole because the simplified outline was not valid.
    pub invalid_zones: usize,
}

type Key = (i64, i64);

pub(crate) fn key(c: Coord<f64>) -> Key {
    ((c.x * 1e7).round() as i64, (c.y * 1e7).round() as i64)
}

/// Distinct neighbours of every vertex, over every ring (a vertex with other than two is a
/// junction, where arcs are cut).
fn vertex_neighbours<'r>(rings: impl Iterator<Item = &'r Vec<Coord<f64>>>) -> HashMap<Key, Vec<Key>> {
    let mut neighbours: HashMap<Key, Vec<Key>> = HashMap::new();
    for pts in rings {
        for i in 0..pts.len() {
            let (prev, here, next) = (key(pts[(i + pts.len() - 1) % pts.len()]), key(pts[i]), key(pts[(i + 1) % pts.len()]));
            let list = neighbours.entry(here).or_default();
            for n in [prev, next] {
                if n != here && !list.contains(&n) {
                    list.push(n);
                }
            }
        }
    }
    neighbours
}

/// Vertices of every ring of every zone, each ring counted open.
fn vertex_count(zones: &ZoneGeometries) -> usize {
    zones
        .values()
        .flat_map(|g| g.0.iter())
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| open_ring(r).len())
        .sum()
}

/// The outlines simplified to `tolerance_m` metres with shared borders kept shared.
///
/// ```
/// use fragnum_core::{Level, ZoneCode, ZoneGeometries};
/// use geo_types::{polygon, MultiPolygon};
/// let code = |c: &str| ZoneCode::new(Level::Commune, c).unwrap();
/// // Two squares sharing a border with a 1 m kink in it (0.00001° ≈ 1 m).
/// let west = polygon![(x: 5.0, y: 45.0), (x: 5.01, y: 45.0), (x: 5.01, y: 45.005), (x: 5.01001, y: 45.006), (x: 5.01, y: 45.01), (x: 5.0, y: 45.01)];
/// let east = polygon![(x: 5.01, y: 45.0), (x: 5.02, y: 45.0), (x: 5.02, y: 45.01), (x: 5.01, y: 45.01), (x: 5.01001, y: 45.006), (x: 5.01, y: 45.005)];
/// let zones: ZoneGeometries = [(code("38001"), MultiPolygon(vec![west])), (code("38002"), MultiPolygon(vec![east]))].into();
/// let (simple, report) = fragnum_render::simplify::simplify_shared(&zones, 10.0);
/// assert!(report.vertices_after < report.vertices_before);
/// // the kink is gone from both sides
/// assert!(simple.values().all(|g| g.0[0].exterior().0.iter().all(|c| c.x != 5.01001)));
/// ```
pub fn simplify_shared(zones: &ZoneGeometries, tolerance_m: f64) -> (ZoneGeometries, SimplifyReport) {
    let mut report = SimplifyReport::default();
    // Each ring's vertices, open, without consecutive repeats (equal to 1e-7°).
    let open: Vec<Vec<Vec<Vec<Coord<f64>>>>> = zones
        .values()
        .map(|g| g.0.iter().map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(distinct_vertices).collect()).collect())
        .collect();
    let rings = || open.iter().flatten().flatten().filter(|r| r.len() >= 3);
    let neighbours = vertex_neighbours(rings());
    let junction = |k: &Key| neighbours.get(k).is_none_or(|l| l.len() != 2);
    // Scale for distances in metres around the territory's mean latitude.
    let (sum, count) = rings().flatten().fold((0.0, 0usize), |(s, n), c| (s + c.y, n + 1));
    report.vertices_before = vertex_count(zones);
    let lat0 = sum / count.max(1) as f64;
    // Only distances matter here, so the origin stays at 0°, 0°.
    let projection = LocalProjection::new([0.0, 0.0], lat0, METRES_PER_DEGREE);

    // Cut every ring into arcs; each distinct arc is stored once, in its canonical direction.
    let mut arcs: Vec<SharedArc> = Vec::new();
    let mut arc_of: HashMap<Vec<Key>, usize> = HashMap::new();
    let mut cut = |pts: &[Coord<f64>]| -> Vec<(usize, bool)> {
        if pts.len() < 3 {
            return Vec::new();
        }
        // Start at a junction, or at the smallest vertex of a ring without one.
        let start =
            (0..pts.len()).find(|&i| junction(&key(pts[i]))).unwrap_or_else(|| (0..pts.len()).min_by_key(|&i| key(pts[i])).unwrap_or(0));
        let rotated: Vec<Coord<f64>> = (0..=pts.len()).map(|i| pts[(start + i) % pts.len()]).collect();
        let mut out = Vec::new();
        let mut from = 0;
        for to in 1..rotated.len() {
            if to + 1 < rotated.len() && !junction(&key(rotated[to])) {
                continue;
            }
            let arc = &rotated[from..=to];
            let keys: Vec<Key> = arc.iter().map(|&c| key(c)).collect();
            let reversed: Vec<Key> = keys.iter().rev().copied().collect();
            let forward = keys <= reversed;
            let canonical = if forward { keys } else { reversed };
            let id = *arc_of.entry(canonical).or_insert_with(|| {
                let coords: Vec<Coord<f64>> = if forward { arc.to_vec() } else { arc.iter().rev().copied().collect() };
                let keep = douglas_peucker(&coords, tolerance_m, &projection);
                arcs.push(SharedArc { coords, keep, whole: false });
                arcs.len() - 1
            });
            out.push((id, forward));
            from = to;
        }
        out
    };
    let cuts: Cuts = open.iter().map(|g| g.iter().map(|p| p.iter().map(|r| cut(r)).collect()).collect()).collect();
    report.arcs = arcs.len();

    // Rebuild; a ring that would collapse, or a zone whose outline would be invalid, gets its
    // arcs back whole, for every ring that shares them, until nothing changes.
    let (mut collapsed, mut invalid) = (vec![false; zones.len()], vec![false; zones.len()]);
    loop {
        let mut changed = false;
        let mut out = ZoneGeometries::new();
        for (z, ((code, geometry), zone_cuts)) in zones.iter().zip(&cuts).enumerate() {
            let mut polygons = Vec::with_capacity(geometry.0.len());
            for (p, polygon_cuts) in geometry.0.iter().zip(zone_cuts) {
                let originals: Vec<&LineString<f64>> = std::iter::once(p.exterior()).chain(p.interiors()).collect();
                let mut rings = Vec::with_capacity(originals.len());
                for (original, ring_cuts) in originals.into_iter().zip(polygon_cuts) {
                    let ring = rebuild(&arcs, ring_cuts);
                    match ring {
                        Some(r) if r.0.len() >= 4 => rings.push(r),
                        _ => {
                            let newly: Vec<usize> = ring_cuts.iter().map(|a| a.0).filter(|&a| !arcs[a].whole).collect();
                            if newly.is_empty() {
                                rings.push(ring.unwrap_or_else(|| original.clone()));
                            } else {
                                for a in newly {
                                    arcs[a].whole = true;
                                }
                                collapsed[z] = true;
                                changed = true;
                                rings.push(original.clone());
                            }
                        }
                    }
                }
                let exterior = rings.remove(0);
                polygons.push(Polygon::new(exterior, rings));
            }
            let simple = MultiPolygon(polygons);
            if !is_valid(&simple) && is_valid(geometry) {
                let newly: Vec<usize> = zone_cuts.iter().flatten().flatten().map(|a| a.0).filter(|&a| !arcs[a].whole).collect();
                if !newly.is_empty() {
                    for a in newly {
                        arcs[a].whole = true;
                    }
                    invalid[z] = true;
                    changed = true;
                }
            }
            out.insert(code.clone(), simple);
        }
        if !changed {
            report.collapsing_zones = collapsed.iter().filter(|c| **c).count();
            report.invalid_zones = invalid.iter().filter(|c| **c).count();
            report.vertices_after = vertex_count(&out);
            return (out, report);
        }
    }
}

/// One distinct piece of border: its vertices in canonical direction, which of them
/// Douglas–Peucker keeps, and whether it must be kept whole (a ring using it would collapse or
/// a zone would be invalid otherwise).
struct SharedArc {
    coords: Vec<Coord<f64>>,
    keep: Vec<bool>,
    whole: bool,
}

/// A ring from its arcs (`(arc, forward)` in ring order), closed; `None` for a ring not cut
/// into arcs (fewer than 3 distinct vertices). Coordinates come from the shared arcs, so
/// neighbours get bit-identical borders.
fn rebuild(arcs: &[SharedArc], ring: &[(usize, bool)]) -> Option<LineString<f64>> {
    let mut coords: Vec<Coord<f64>> = Vec::new();
    for &(id, forward) in ring {
        let arc = &arcs[id];
        let kept = arc.coords.iter().zip(&arc.keep).filter(|(_, k)| arc.whole || **k).map(|(c, _)| *c);
        let piece: Vec<Coord<f64>> = if forward { kept.collect() } else { kept.rev().collect() };
        let skip = usize::from(!coords.is_empty());
        coords.extend(piece.into_iter().skip(skip));
    }
    if coords.is_empty() {
        return None;
    }
    if coords.first() != coords.last() {
        coords.push(coords[0]);
    }
    Some(LineString::new(coords))
}

/// For each zone, polygon and ring, the ring's arcs in order: (arc index, forward).
type Cuts = Vec<Vec<Vec<Vec<(usize, bool)>>>>;

/// A ring's vertices, open, without consecutive repeats (equal to 1e-7°).
fn distinct_vertices(ring: &LineString<f64>) -> Vec<Coord<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    for &c in open_ring(ring) {
        if out.last().is_none_or(|&l| key(l) != key(c)) {
            out.push(c);
        }
    }
    while out.len() > 1 && out.first().map(|&c| key(c)) == out.last().map(|&c| key(c)) {
        out.pop();
    }
    out
}

/// A ring's vertices without the closing repeat of the first.
fn open_ring(ring: &LineString<f64>) -> &[Coord<f64>] {
    let pts = ring.0.as_slice();
    match pts {
        [first, .., last] if first == last => &pts[..pts.len() - 1],
        _ => pts,
    }
}

/// Douglas–Peucker on `pts` (both ends kept) with distances in metres (`projection`): which vertices to
/// keep. A closed arc (first = last) is split at its farthest vertex first, so it cannot
/// collapse onto its one end.
fn douglas_peucker(pts: &[Coord<f64>], tolerance_m: f64, projection: &LocalProjection) -> Vec<bool> {
    let n = pts.len();
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let xy = |c: Coord<f64>| projection.forward([c.x, c.y]);
    let distance = |p: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        let (_, on) = nearest_on_segment(p, a, b);
        (p[0] - on[0]).hypot(p[1] - on[1])
    };
    let mut stack = Vec::new();
    if n > 2 && pts[0] == pts[n - 1] {
        let far = (1..n - 1)
            .max_by(|&i, &j| distance(xy(pts[i]), xy(pts[0]), xy(pts[0])).total_cmp(&distance(xy(pts[j]), xy(pts[0]), xy(pts[0]))))
            .unwrap_or(1);
        keep[far] = true;
        stack.extend([(0, far), (far, n - 1)]);
    } else {
        stack.push((0, n - 1));
    }
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (pa, pb) = (xy(pts[a]), xy(pts[b]));
        let (mut worst, mut at) = (0.0, a);
        for (i, p) in pts.iter().enumerate().take(b).skip(a + 1) {
            let d = distance(xy(*p), pa, pb);
            if d > worst {
                (worst, at) = (d, i);
            }
        }
        if worst > tolerance_m {
            keep[at] = true;
            stack.extend([(a, at), (at, b)]);
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use fragnum_core::{Level, ZoneCode};
    use geo::Validation;
    use geo_types::polygon;

    fn code(c: &str) -> ZoneCode {
        ZoneCode::new(Level::Commune, c).unwrap()
    }

    /// Every undirected edge of every ring, quantized.
    fn edges(g: &ZoneGeometries) -> HashMap<(Key, Key), usize> {
        let mut out = HashMap::new();
        for ring in g.values().flat_map(|m| m.0.iter()).flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())) {
            for w in ring.0.windows(2) {
                let (a, b) = (key(w[0]), key(w[1]));
                *out.entry(if a < b { (a, b) } else { (b, a) }).or_default() += 1;
            }
        }
        out
    }

    #[test]
    fn a_wiggly_shared_border_stays_shared_and_an_enclave_still_fills_its_hole() {
        // West and east halves share a wiggly border; an enclave sits in a hole of the west.
        let mut border = Vec::new();
        for i in 0..=50 {
            let y = 45.0 + 0.0002 * f64::from(i);
            border.push((5.01 + if i % 2 == 0 { 0.0 } else { 0.00002 }, y));
        }
        let mut west: Vec<(f64, f64)> = vec![(5.0, 45.0)];
        west.extend(border.iter().copied());
        west.push((5.0, 45.01));
        let east: Vec<(f64, f64)> = [(5.02, 45.0), (5.02, 45.01)].into_iter().chain(border.iter().rev().copied()).collect();
        let ring = |v: &[(f64, f64)]| LineString::from(v.to_vec());
        let hole: Vec<(f64, f64)> = (0..40)
            .map(|i| {
                let a = f64::from(i) / 40.0 * std::f64::consts::TAU;
                (5.004 + 0.002 * a.cos() + if i % 2 == 0 { 0.0 } else { 0.00001 }, 45.005 + 0.002 * a.sin())
            })
            .collect();
        let zones: ZoneGeometries = [
            (code("38001"), MultiPolygon(vec![Polygon::new(ring(&west), vec![ring(&hole)])])),
            (code("38002"), MultiPolygon(vec![Polygon::new(ring(&east), vec![])])),
            (code("38003"), MultiPolygon(vec![Polygon::new(ring(&hole.iter().rev().copied().collect::<Vec<_>>()), vec![])])),
        ]
        .into();
        let (simple, report) = simplify_shared(&zones, 5.0);
        assert!(report.vertices_after * 2 < report.vertices_before, "{report:?}");
        assert_eq!(report.invalid_zones, 0);
        assert!(simple.values().all(Validation::is_valid));
        // Every edge is used by two rings (a shared border) or lies on the outer boundary.
        let counts = edges(&simple);
        let outer = |(a, b): &(Key, Key)| {
            [a.0, b.0].iter().all(|x| *x == 50_000_000 || *x == 50_200_000)
                || [a.1, b.1].iter().all(|y| *y == 450_000_000 || *y == 450_100_000)
        };
        for (edge, n) in &counts {
            assert!(*n == 2 || (*n == 1 && outer(edge)), "edge {edge:?} used {n} times: a sliver or a gap");
        }
        // The enclave's outline equals the hole's, vertex for vertex.
        let hole_after: Vec<Key> = simple[&code("38001")].0[0].interiors()[0].0.iter().map(|&c| key(c)).collect();
        let mut enclave: Vec<Key> = simple[&code("38003")].0[0].exterior().0.iter().map(|&c| key(c)).collect();
        enclave.reverse();
        let as_set = |v: &[Key]| {
            let mut s = v.to_vec();
            s.sort_unstable();
            s.dedup();
            s
        };
        assert_eq!(as_set(&hole_after), as_set(&enclave));
    }

    #[test]
    fn a_zone_that_would_collapse_keeps_its_arcs_and_its_neighbours_follow() {
        // C is a thin zone between A and B whose two borders both simplify to the chord J1–J2.
        let (j1, j2) = ((5.01, 45.002), (5.01, 45.008));
        let left = [(5.00999, 45.004), (5.00999, 45.006)];
        let right = [(5.01001, 45.004), (5.01001, 45.006)];
        let ring = |v: Vec<(f64, f64)>| LineString::from(v);
        let a = [vec![(5.0, 45.0), (5.01, 45.0), j1], left.to_vec(), vec![j2, (5.01, 45.01), (5.0, 45.01)]].concat();
        let b =
            [vec![(5.01, 45.0), (5.02, 45.0), (5.02, 45.01), (5.01, 45.01), j2], right.iter().rev().copied().collect(), vec![j1]].concat();
        let c = [vec![j1], right.to_vec(), vec![j2], left.iter().rev().copied().collect()].concat();
        let zones: ZoneGeometries = [
            (code("38001"), MultiPolygon(vec![Polygon::new(ring(a), vec![])])),
            (code("38002"), MultiPolygon(vec![Polygon::new(ring(b), vec![])])),
            (code("38003"), MultiPolygon(vec![Polygon::new(ring(c), vec![])])),
        ]
        .into();
        let (simple, report) = simplify_shared(&zones, 5.0);
        assert_eq!(report.collapsing_zones, 1, "{report:?}");
        assert!(simple.values().all(Validation::is_valid));
        assert_eq!(simple[&code("38003")].0[0].exterior().0.len(), 7, "C keeps its 6 vertices");
        let outer = |(a, b): &(Key, Key)| {
            [a.0, b.0].iter().all(|x| *x == 50_000_000 || *x == 50_200_000)
                || [a.1, b.1].iter().all(|y| *y == 450_000_000 || *y == 450_100_000)
        };
        for (edge, n) in &edges(&simple) {
            assert!(*n == 2 || (*n == 1 && outer(edge)), "edge {edge:?} used {n} times: a sliver or a gap");
        }
    }

    #[test]
    fn tiny_rings_are_kept_and_zero_tolerance_changes_nothing() {
        let tiny = polygon![(x: 5.0, y: 45.0), (x: 5.000001, y: 45.0), (x: 5.000001, y: 45.000001), (x: 5.0, y: 45.000001)];
        let zones: ZoneGeometries = [(code("38001"), MultiPolygon(vec![tiny.clone()]))].into();
        let (simple, report) = simplify_shared(&zones, 100.0);
        assert_eq!(simple[&code("38001")].0[0], tiny);
        assert_eq!(report.collapsing_zones, 1);
        let (same, r) = simplify_shared(&zones, 0.0);
        assert_eq!(same, zones);
        assert_eq!(r.vertices_after, r.vertices_before);
    }
}
