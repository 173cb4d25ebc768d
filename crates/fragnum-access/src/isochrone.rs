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

use crate::csr::Segment;
use crate::dijkstra::{NearestSites, better};
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
pub fn rasterise(graph: &Graph, nodes: &NearestSites, settings: &IsochroneSettings) -> Option<Raster> {
    let projection = &graph.projection;
    let reached: Vec<usize> = (0..graph.segments.len())
        .filter(|&k| {
            let seg = graph.segments[k];
            nodes.time[seg.a as usize].min(nodes.time[seg.b as usize]) <= settings.threshold_s
        })
        .collect();
    if reached.is_empty() {
        return None;
    }
    let ends = reached.iter().flat_map(|&k| [graph.segments[k].a, graph.segments[k].b]);
    let [lo, hi] = bounding_box(ends.map(|node| projection.forward(graph.coords[node as usize])))?;
    let mut spread = Spread::new(lo, hi, settings);
    for &k in &reached {
        let seg = graph.segments[k];
        let ends = [projection.forward(graph.coords[seg.a as usize]), projection.forward(graph.coords[seg.b as usize])];
        spread.seed_segment(seg, ends, nodes);
    }
    spread.walk();
    Some(Raster { nx: spread.nx, ny: spread.ny, x0: spread.x0, y0: spread.y0, cell: spread.cell, label: spread.label })
}

/// The 8 neighbours of a cell: (column, row) offsets.
const NEIGHBOURS: [(isize, isize); 8] = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)];

/// The grid of step 2 while it is being labelled: per cell, the earliest time (seconds, `f32`
/// to halve the memory), the distance walked to it (metres) and the site it belongs to.
struct Spread {
    nx: usize,
    ny: usize,
    x0: f64,
    y0: f64,
    cell: f64,
    /// Threshold, seconds.
    limit: f64,
    /// Longest walk from the road, metres.
    margin: f64,
    walk_ms: f64,
    time: Vec<f32>,
    walked: Vec<f32>,
    label: Vec<u32>,
    /// Cells to expand: (time bits, site, cell index).
    heap: BinaryHeap<Reverse<(u32, u32, u32)>>,
}

impl Spread {
    /// An empty grid over the box `lo`–`hi` (projected metres) widened by the walking margin and
    /// one cell, the cell enlarged by half until there are at most `max_cells` cells.
    fn new(lo: [f64; 2], hi: [f64; 2], settings: &IsochroneSettings) -> Self {
        let mut cell = settings.cell_m.max(1.0);
        let margin = settings.max_walk_m.max(0.0);
        let dims = |cell: f64| {
            (((hi[0] - lo[0] + 2.0 * margin) / cell).ceil() as usize + 3, ((hi[1] - lo[1] + 2.0 * margin) / cell).ceil() as usize + 3)
        };
        while dims(cell).0 * dims(cell).1 > settings.max_cells.max(16) {
            cell *= 1.5;
        }
        let (nx, ny) = dims(cell);
        Spread {
            nx,
            ny,
            x0: lo[0] - margin - cell,
            y0: lo[1] - margin - cell,
            cell,
            limit: settings.threshold_s,
            margin,
            walk_ms: settings.walk_ms,
            time: vec![f32::INFINITY; nx * ny],
            walked: vec![0f32; nx * ny],
            label: vec![u32::MAX; nx * ny],
            heap: BinaryHeap::new(),
        }
    }

    /// Step 1 for one segment (projected ends `[a, b]`): samples every half cell, each timed
    /// through the faster of the segment's two ends, seeded when reached within the threshold.
    fn seed_segment(&mut self, seg: Segment, [a, b]: [[f64; 2]; 2], nodes: &NearestSites) {
        let length = (b[0] - a[0]).hypot(b[1] - a[1]);
        let steps = ((length / (self.cell / 2.0)).ceil() as usize).max(1);
        let (ta, tb) = (nodes.time[seg.a as usize], nodes.time[seg.b as usize]);
        for step in 0..=steps {
            let f = step as f64 / steps as f64;
            let via_a = (f * seg.ba + ta, nodes.site[seg.a as usize]);
            let via_b = ((1.0 - f) * seg.ab + tb, nodes.site[seg.b as usize]);
            // On an exact tie of both time and site the two labels are one, whichever is taken.
            let (time, site) = if better(via_a.0, via_a.1, via_b.0, via_b.1) { via_a } else { via_b };
            if time <= self.limit && site != u32::MAX {
                self.seed([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])], time, site);
            }
        }
    }

    /// Offers the cell under `xy` (projected metres) to `site`, reached at `time_s` on the road
    /// plus the walk from there to the cell's centre.
    fn seed(&mut self, xy: [f64; 2], time_s: f64, site: u32) {
        let (fi, fj) = ((xy[0] - self.x0) / self.cell, (xy[1] - self.y0) / self.cell);
        let (col, row) = (fi.floor() as usize, fj.floor() as usize);
        if col >= self.nx || row >= self.ny {
            return;
        }
        let walk = ((fi - col as f64 - 0.5).hypot(fj - row as f64 - 0.5)) * self.cell;
        let time = (time_s + walk / self.walk_ms) as f32;
        if f64::from(time) <= self.limit && walk <= self.margin {
            self.offer(row * self.nx + col, time, walk, site);
        }
    }

    /// Gives cell `index` to `site`, reached at `time` after walking `walk` metres, when that
    /// beats its label (sooner, or as soon with a lower site index).
    fn offer(&mut self, index: usize, time: f32, walk: f64, site: u32) {
        if better(time, site, self.time[index], self.label[index]) {
            self.time[index] = time;
            self.walked[index] = walk as f32;
            self.label[index] = site;
            self.heap.push(Reverse((time.to_bits(), site, index as u32)));
        }
    }

    /// Step 2: a Dijkstra over the 8-connected grid spreads each label at walking speed, within
    /// the threshold and the walking margin.
    fn walk(&mut self) {
        let diagonal = self.cell * std::f64::consts::SQRT_2;
        while let Some(Reverse((key, site, index))) = self.heap.pop() {
            let index = index as usize;
            if key != self.time[index].to_bits() || site != self.label[index] {
                continue; // stale entry
            }
            let (col, row) = (index % self.nx, index / self.nx);
            for (dc, dr) in NEIGHBOURS {
                let (Some(next_col), Some(next_row)) = (col.checked_add_signed(dc), row.checked_add_signed(dr)) else { continue };
                if next_col >= self.nx || next_row >= self.ny {
                    continue;
                }
                let step = if dc != 0 && dr != 0 { diagonal } else { self.cell };
                let walk = f64::from(self.walked[index]) + step;
                let time = f64::from(self.time[index]) + step / self.walk_ms;
                if time <= self.limit && walk <= self.margin {
                    self.offer(next_row * self.nx + next_col, time as f32, walk, site);
                }
            }
        }
    }
}

const DIRS: [(i64, i64); 4] = [(1, 0), (0, 1), (-1, 0), (0, -1)];

/// A cell corner `(i, j)`, in cell units.
type Corner = (i64, i64);

/// A boundary edge of a label's region: its start corner and direction (index in [`DIRS`]),
/// the region on its left.
type BoundaryEdge = (Corner, u8);

/// A closed ring of corners (last corner not repeated).
type Ring = Vec<Corner>;

/// Step 3 of the method: polygons per label, in cell units (corner `(i, j)` at `(i, j)`).
pub fn trace(r: &Raster) -> Vec<(u32, MultiPolygon<f64>)> {
    let mut edges: HashMap<u32, Vec<BoundaryEdge>> = HashMap::new();
    let at = |i: i64, j: i64| {
        if i < 0 || j < 0 || i as usize >= r.nx || j as usize >= r.ny { u32::MAX } else { r.label[j as usize * r.nx + i as usize] }
    };
    // Raster sizes are bounded by `max_cells`, so they always fit.
    let (nx, ny) = (i64::try_from(r.nx).unwrap_or(i64::MAX), i64::try_from(r.ny).unwrap_or(i64::MAX));
    for j in 0..ny {
        for i in 0..nx {
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

/// The rings traced from one label's boundary edges, holes given to the smallest shell around them.
fn polygons_from_edges(edges: &[BoundaryEdge]) -> MultiPolygon<f64> {
    let mut from: HashMap<Corner, [usize; 2]> = HashMap::with_capacity(edges.len());
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
    let mut rings: Vec<Ring> = Vec::new();
    for first in 0..edges.len() {
        if used[first] {
            continue;
        }
        let mut ring: Ring = Vec::new();
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
    let area2 = |r: &[Corner]| {
        let n = r.len();
        (0..n).map(|k| r[k].0 * r[(k + 1) % n].1 - r[(k + 1) % n].0 * r[k].1).sum::<i64>()
    };
    let (mut shells, mut holes): (Vec<(Ring, i64)>, Vec<Ring>) = (Vec::new(), Vec::new());
    for r in rings {
        let a = area2(&r);
        if a > 0 { shells.push((r, a)) } else { holes.push(r) }
    }
    let mut interiors: Vec<Vec<Ring>> = vec![Vec::new(); shells.len()];
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
    let line = |r: &[Corner]| {
        let mut pts: Vec<Coord<f64>> = r.iter().map(|&(i, j)| Coord { x: i as f64, y: j as f64 }).collect();
        pts.push(pts[0]);
        LineString::new(pts)
    };
    MultiPolygon(shells.iter().zip(interiors).map(|((s, _), hs)| Polygon::new(line(s), hs.iter().map(|h| line(h)).collect())).collect())
}

/// Ray casting; `probe` never lies on the ring (half-integer probe, integer ring).
fn contains(ring: &[Corner], probe: (f64, f64)) -> bool {
    let mut inside = false;
    let len = ring.len();
    for k in 0..len {
        let (from, to) = (ring[k], ring[(k + 1) % len]);
        let (from_y, to_y) = (from.1 as f64, to.1 as f64);
        if (from_y > probe.1) != (to_y > probe.1) {
            let crossing = from.0 as f64 + (probe.1 - from_y) / (to_y - from_y) * (to.0 - from.0) as f64;
            if probe.0 < crossing {
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
