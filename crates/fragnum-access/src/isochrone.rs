//! Service areas ("isochrones"): the land from which a site is the nearest one and is reached
//! within a threshold, as valid polygons.
//!
//! Method (raster of what is really reached):
//! 1. every road segment with an end reached within the threshold is sampled every half cell;
//!    each sample gets its time to the nearest site (through either end of the segment);
//! 2. samples seed a grid (square cells of `cell_m` metres in a local projection), and a
//!    Dijkstra over the 8-connected grid spreads the remaining time at walking speed, up to the
//!    maximum walking distance (the snap distance), so that the area is the road buffered by what
//!    is left to walk — a farm 300 m from a road reached in 18 minutes is in, one 2 km away is not;
//! 3. each cell takes the label of the site that reaches it first; the cells of each site are
//!    traced into rings along cell edges. At a corner where two cells touch only diagonally the
//!    tracer turns left, so every ring is simple; counter-clockwise rings are shells, clockwise
//!    rings holes, each hole given to the smallest shell containing it. The polygons are valid
//!    (OGC): no self-intersection, holes may touch their shell at a corner.
//!
//! Known artefacts: staircase outlines at the cell size; walking buffers are octagons (the grid
//! distance overestimates true distance by up to 8 %); a road that crosses a cell without a
//! sample in it is still represented, since samples are every half cell; two sites' areas meet
//! along a stepped line; lakes and rivers are not obstacles to the walking buffer.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use fragnum_core::geometry::bounding_box;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

use crate::dijkstra::NearestSites;
use crate::graph::Graph;

/// How isochrones are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IsochroneSettings {
    /// Threshold, seconds.
    pub threshold_s: f64,
    /// Cell size, metres (enlarged when the area would need more than `max_cells`).
    pub cell_m: f64,
    /// Maximum walking distance from the road, metres.
    pub max_walk_m: f64,
    /// Walking speed, m/s.
    pub walk_ms: f64,
    /// Upper bound on the number of cells.
    pub max_cells: usize,
}

/// The service area of one site.
#[derive(Debug, Clone, PartialEq)]
pub struct Isochrone {
    /// Site index.
    pub site: usize,
    /// Threshold, minutes.
    pub threshold_min: f64,
    /// Area, WGS84 lon/lat; shells counter-clockwise.
    pub area: MultiPolygon<f64>,
}

/// A labelled raster: `label[j * nx + i]` (`u32::MAX` for empty), cell `(i, j)` covering
/// `[x0 + i·cell, x0 + (i+1)·cell] × [y0 + j·cell, …]` in projected metres.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// Origin x (metres).
    pub x0: f64,
    /// Origin y (metres).
    pub y0: f64,
    /// Cell size (metres).
    pub cell: f64,
    /// Site label of each cell.
    pub label: Vec<u32>,
}

/// Computes the service areas of all sites within `settings.threshold_s`.
/// Returns the areas (sites with an empty area are left out) and the cell size used.
pub fn isochrones(graph: &Graph, nodes: &NearestSites, settings: &IsochroneSettings) -> (Vec<Isochrone>, f64) {
    let Some(raster) = rasterise(graph, nodes, settings) else { return (Vec::new(), settings.cell_m) };
    let cell = raster.cell;
    let projection = graph.projection;
    let polygons = trace(&raster);
    let out = polygons
        .into_iter()
        .map(|(site, mp)| {
            let area = MultiPolygon(
                mp.0.into_iter()
                    .map(|p| {
                        let f = |ls: &LineString<f64>| {
                            LineString::new(
                                ls.0.iter()
                                    .map(|c| {
                                        let ll = projection.inverse([raster.x0 + c.x * cell, raster.y0 + c.y * cell]);
                                        Coord { x: ll[0], y: ll[1] }
                                    })
                                    .collect(),
                            )
                        };
                        Polygon::new(f(p.exterior()), p.interiors().iter().map(f).collect())
                    })
                    .collect(),
            );
            Isochrone { site: site as usize, threshold_min: settings.threshold_s / 60.0, area }
        })
        .collect();
    (out, cell)
}

/// Steps 1–2 of the method: the labelled raster.
pub fn rasterise(graph: &Graph, nodes: &NearestSites, s: &IsochroneSettings) -> Option<Raster> {
    let limit = s.threshold_s;
    let p = &graph.projection;
    let reached: Vec<usize> = (0..graph.segments.len())
        .filter(|&k| {
            let seg = graph.segments[k];
            nodes.time[seg.a as usize].min(nodes.time[seg.b as usize]) <= limit
        })
        .collect();
    if reached.is_empty() {
        return None;
    }
    let ends = reached.iter().flat_map(|&k| [graph.segments[k].a, graph.segments[k].b]);
    let [lo, hi] = bounding_box(ends.map(|n| p.forward(graph.coords[n as usize])))?;
    let mut cell = s.cell_m.max(1.0);
    let margin = s.max_walk_m.max(0.0);
    let dims = |cell: f64| {
        (((hi[0] - lo[0] + 2.0 * margin) / cell).ceil() as usize + 3, ((hi[1] - lo[1] + 2.0 * margin) / cell).ceil() as usize + 3)
    };
    while dims(cell).0 * dims(cell).1 > s.max_cells.max(16) {
        cell *= 1.5;
    }
    let (nx, ny) = dims(cell);
    let (x0, y0) = (lo[0] - margin - cell, lo[1] - margin - cell);
    let mut time = vec![f32::INFINITY; nx * ny];
    let mut walked = vec![0f32; nx * ny];
    let mut label = vec![u32::MAX; nx * ny];
    let mut heap: BinaryHeap<Reverse<(u32, u32, u32)>> = BinaryHeap::new();
    let key = |t: f32| t.to_bits();
    let mut seed = |xy: [f64; 2], t: f64, site: u32, time: &mut Vec<f32>, walked: &mut Vec<f32>, label: &mut Vec<u32>| {
        let (fi, fj) = ((xy[0] - x0) / cell, (xy[1] - y0) / cell);
        let (i, j) = (fi.floor() as usize, fj.floor() as usize);
        if i >= nx || j >= ny {
            return;
        }
        let d = ((fi - i as f64 - 0.5).hypot(fj - j as f64 - 0.5)) * cell;
        let t = (t + d / s.walk_ms) as f32;
        let c = j * nx + i;
        if f64::from(t) <= limit && d <= margin && (t < time[c] || (t == time[c] && site < label[c])) {
            time[c] = t;
            walked[c] = d as f32;
            label[c] = site;
            heap.push(Reverse((key(t), site, c as u32)));
        }
    };
    for &k in &reached {
        let seg = graph.segments[k];
        let (a, b) = (p.forward(graph.coords[seg.a as usize]), p.forward(graph.coords[seg.b as usize]));
        let length = (b[0] - a[0]).hypot(b[1] - a[1]);
        let steps = ((length / (cell / 2.0)).ceil() as usize).max(1);
        let (ta, tb) = (nodes.time[seg.a as usize], nodes.time[seg.b as usize]);
        for step in 0..=steps {
            let f = step as f64 / steps as f64;
            let via_a = (f * seg.ba + ta, nodes.site[seg.a as usize]);
            let via_b = ((1.0 - f) * seg.ab + tb, nodes.site[seg.b as usize]);
            let (t, site) = if via_a.0 < via_b.0 || (via_a.0 == via_b.0 && via_a.1 <= via_b.1) { via_a } else { via_b };
            if t <= limit && site != u32::MAX {
                seed([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])], t, site, &mut time, &mut walked, &mut label);
            }
        }
    }
    let diagonal = cell * std::f64::consts::SQRT_2;
    while let Some(Reverse((k, site, c))) = heap.pop() {
        let c = c as usize;
        if k != key(time[c]) || site != label[c] {
            continue;
        }
        let (i, j) = ((c % nx) as isize, (c / nx) as isize);
        for (di, dj) in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)] {
            let (ni, nj) = (i + di, j + dj);
            if ni < 0 || nj < 0 || ni as usize >= nx || nj as usize >= ny {
                continue;
            }
            let step = if di != 0 && dj != 0 { diagonal } else { cell };
            let w = f64::from(walked[c]) + step;
            let t = f64::from(time[c]) + step / s.walk_ms;
            let n = nj as usize * nx + ni as usize;
            let t32 = t as f32;
            if t <= limit && w <= margin && (t32 < time[n] || (t32 == time[n] && site < label[n])) {
                time[n] = t32;
                walked[n] = w as f32;
                label[n] = site;
                heap.push(Reverse((key(t32), site, n as u32)));
            }
        }
    }
    Some(Raster { nx, ny, x0, y0, cell, label })
}

const DIRS: [(i64, i64); 4] = [(1, 0), (0, 1), (-1, 0), (0, -1)];

/// Step 3 of the method: polygons per label, in cell units (corner `(i, j)` at `(i, j)`).
pub fn trace(r: &Raster) -> Vec<(u32, MultiPolygon<f64>)> {
    // Boundary edges per label: (start corner, direction), region on the left.
    let mut edges: HashMap<u32, Vec<((i64, i64), u8)>> = HashMap::new();
    let at = |i: i64, j: i64| {
        if i < 0 || j < 0 || i as usize >= r.nx || j as usize >= r.ny { u32::MAX } else { r.label[j as usize * r.nx + i as usize] }
    };
    for j in 0..r.ny as i64 {
        for i in 0..r.nx as i64 {
            let l = at(i, j);
            if l == u32::MAX {
                continue;
            }
            let list = edges.entry(l).or_default();
            if at(i, j - 1) != l {
                list.push(((i, j), 0));
            }
            if at(i + 1, j) != l {
                list.push(((i + 1, j), 1));
            }
            if at(i, j + 1) != l {
                list.push(((i + 1, j + 1), 2));
            }
            if at(i - 1, j) != l {
                list.push(((i, j + 1), 3));
            }
        }
    }
    let mut labels: Vec<u32> = edges.keys().copied().collect();
    labels.sort_unstable();
    labels.into_iter().map(|l| (l, polygons_from_edges(&edges[&l]))).collect()
}

fn polygons_from_edges(edges: &[((i64, i64), u8)]) -> MultiPolygon<f64> {
    let mut from: HashMap<(i64, i64), [usize; 2]> = HashMap::with_capacity(edges.len());
    for (k, (start, _)) in edges.iter().enumerate() {
        let slot = from.entry(*start).or_insert([usize::MAX; 2]);
        if slot[0] == usize::MAX { slot[0] = k } else { slot[1] = k }
    }
    let end = |k: usize| {
        let ((i, j), d) = edges[k];
        let (di, dj) = DIRS[d as usize];
        (i + di, j + dj)
    };
    let mut used = vec![false; edges.len()];
    let mut rings: Vec<Vec<(i64, i64)>> = Vec::new();
    for first in 0..edges.len() {
        if used[first] {
            continue;
        }
        let mut ring: Vec<(i64, i64)> = Vec::new();
        let mut dirs: Vec<u8> = Vec::new();
        let mut k = first;
        loop {
            used[k] = true;
            let d = edges[k].1;
            if dirs.last() != Some(&d) {
                ring.push(edges[k].0);
                dirs.push(d);
            }
            let v = end(k);
            let Some(out) = from.get(&v) else { break };
            let next = if out[1] == usize::MAX {
                out[0]
            } else {
                let left = (d + 1) % 4;
                if edges[out[0]].1 == left { out[0] } else { out[1] }
            };
            if next == first || used[next] {
                break;
            }
            k = next;
        }
        // merge the last run with the first when they go the same way
        if dirs.len() > 1 && dirs.last() == dirs.first() {
            ring.remove(0);
        }
        if ring.len() >= 4 {
            rings.push(ring);
        }
    }
    let area2 = |r: &[(i64, i64)]| {
        let n = r.len();
        (0..n).map(|k| r[k].0 * r[(k + 1) % n].1 - r[(k + 1) % n].0 * r[k].1).sum::<i64>()
    };
    let (mut shells, mut holes): (Vec<(Vec<(i64, i64)>, i64)>, Vec<Vec<(i64, i64)>>) = (Vec::new(), Vec::new());
    for r in rings {
        let a = area2(&r);
        if a > 0 { shells.push((r, a)) } else { holes.push(r) }
    }
    let mut interiors: Vec<Vec<Vec<(i64, i64)>>> = vec![Vec::new(); shells.len()];
    for h in holes {
        // The cell on the left of the hole's first edge is filled and belongs to the shell we want.
        let (d0, d1) = (h[0], h[1]);
        let (dx, dy) = ((d1.0 - d0.0).signum(), (d1.1 - d0.1).signum());
        let probe = (d0.0 as f64 + 0.5 * dx as f64 - 0.5 * dy as f64, d0.1 as f64 + 0.5 * dy as f64 + 0.5 * dx as f64);
        let owner = shells.iter().enumerate().filter(|(_, (s, _))| contains(s, probe)).min_by_key(|(_, (_, a))| *a).map(|(k, _)| k);
        if let Some(k) = owner {
            interiors[k].push(h);
        }
    }
    let line = |r: &[(i64, i64)]| {
        let mut pts: Vec<Coord<f64>> = r.iter().map(|&(i, j)| Coord { x: i as f64, y: j as f64 }).collect();
        pts.push(pts[0]);
        LineString::new(pts)
    };
    MultiPolygon(shells.iter().zip(interiors).map(|((s, _), hs)| Polygon::new(line(s), hs.iter().map(|h| line(h)).collect())).collect())
}

/// Ray casting; `p` never lies on the ring (half-integer probe, integer ring).
fn contains(ring: &[(i64, i64)], p: (f64, f64)) -> bool {
    let mut inside = false;
    let n = ring.len();
    for k in 0..n {
        let (a, b) = (ring[k], ring[(k + 1) % n]);
        let (ay, by) = (a.1 as f64, b.1 as f64);
        if (ay > p.1) != (by > p.1) {
            let x = a.0 as f64 + (p.1 - ay) / (by - ay) * (b.0 - a.0) as f64;
            if p.0 < x {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Validation};

    fn raster(rows: &[&str]) -> Raster {
        let ny = rows.len();
        let nx = rows[0].len();
        let mut label = vec![u32::MAX; nx * ny];
        for (r, row) in rows.iter().enumerate() {
            let j = ny - 1 - r; // first row is the top
            for (i, ch) in row.chars().enumerate() {
                if let Some(d) = ch.to_digit(10) {
                    label[j * nx + i] = d;
                }
            }
        }
        Raster { nx, ny, x0: 0.0, y0: 0.0, cell: 1.0, label }
    }

    #[test]
    fn ring_with_a_hole_and_a_diagonal_touch_is_valid() {
        let r = raster(&["000..", "0.0..", "000..", "...0.", "....0"]);
        let polys = trace(&r);
        assert_eq!(polys.len(), 1);
        let mp = &polys[0].1;
        assert!(mp.is_valid(), "{:?}", mp.validation_errors());
        assert_eq!(mp.0.len(), 3);
        assert!((mp.unsigned_area() - 10.0).abs() < 1e-12);
        let with_hole = mp.0.iter().find(|p| !p.interiors().is_empty()).unwrap();
        assert_eq!(with_hole.exterior().0.len(), 5); // a square, collinear corners removed
    }

    #[test]
    fn checkerboard_and_nested_islands_are_valid() {
        let r = raster(&["0.0.0", ".0.0.", "0.0.0"]);
        let mp = &trace(&r)[0].1;
        assert!(mp.is_valid(), "{:?}", mp.validation_errors());
        assert_eq!(mp.0.len(), 8);
        let r = raster(&["0000000", "0.....0", "0.000.0", "0.0.0.0", "0.000.0", "0.....0", "0000000"]);
        let mp = &trace(&r)[0].1;
        assert!(mp.is_valid(), "{:?}", mp.validation_errors());
        assert_eq!(mp.0.len(), 2);
        assert!(mp.0.iter().all(|p| p.interiors().len() == 1));
        assert!((mp.unsigned_area() - 32.0).abs() < 1e-12);
    }

    #[test]
    fn two_sites_share_a_border() {
        let r = raster(&["0011", "0011"]);
        let polys = trace(&r);
        assert_eq!(polys.len(), 2);
        assert!(polys.iter().all(|(_, mp)| mp.is_valid() && (mp.unsigned_area() - 4.0).abs() < 1e-12));
    }
}
