//! Calibrates the straight-line approximation ([`fragnum_access::Approximation`], GitHub issue 13)
//! on real mountain road networks, and reports its error on held-out origins.
//!
//! ```text
//! cargo run --release -p fragnum-access --example calibrate_approx -- \
//!     --car <extract.osm.pbf> [--car <extract.osm.pbf> …] [--car-profile <car.toml>] \
//!     [--walk <street lines .geojson|.shp|.pbf> --walk-sites <sites.csv>] [--walk-profile <walk.toml>] \
//!     [--out <dir>]
//! ```
//!
//! `make calibrate` runs it on the Andorra and Liechtenstein extracts (car) and the Grenoble street
//! graph (walk), and writes `<out>/approximation.toml`.
//!
//! Method, per car extract:
//! - sites: the extract's `amenity=townhall|post_office` nodes (as `bench_access`), those within
//!   2 km of a road (the pipeline's `max_snap_m`; farther ones are not used by the network method);
//! - origins: pseudo-random points (`SplitMix64`, fixed seed) uniform over the road graph's bounding
//!   box, kept when a road lies within 250 m: people live next to roads, and the cap keeps the
//!   glaciers and forests of the box out while allowing the short walk every network time holds;
//! - truth: the network time to the nearest site as the pipeline computes it (snapped, walked legs
//!   included; checked against `coverage::network_times`), and the length of that fastest path;
//! - model: `time = straight-line distance to the nearest site in straight line × detour / speed`,
//!   which is what `approx::straight_line` computes. Only `detour / speed` is identified by times,
//!   so the detour is fitted on distances (path length / straight distance) and the speeds on
//!   path length / time. Both fits are least absolute deviations through the origin, i.e.
//!   weighted medians: `detour` = median of `L / D` weighted by `D`, which minimises `Σ |L − k·D|`,
//!   the error in kilometres; `1 / speed` = median of `T / L` weighted by `L`, which minimises
//!   `Σ |T − L / v|`, the error in minutes that the report measures. The weights keep a 50 m
//!   straight line taking 2 km of road (a ratio of 40) from counting as much as a 10 km trip; the
//!   median keeps the few cut-off valleys (ratios of 3–10) from pulling the value as a mean or a
//!   ratio of sums would (all four are printed, with their held-out error);
//! - urban or rural: the pipeline calls a point urban when its zone has ≥ 1,000 people/km². With
//!   no population here, the proxy is the number of road junctions (graph nodes with ≥ 3 distinct
//!   neighbours) within 1 km: urban from 75 junctions, i.e. 24 junctions/km², the car profile's
//!   own built-up rule (6 junctions per 500 m cell) averaged over the 1 km disc. A sensitivity
//!   table shows other thresholds;
//! - split: origins alternate between the fit half and the held-out half;
//! - a variant with a constant access term per area type (`time = c + L / v`, fitted by least
//!   absolute deviations over a grid of `c`) is reported for comparison; it is not the default
//!   (the pipeline's approximation has no such term).
//!
//! Reported on the held-out half: mean absolute error (minutes), mean signed error (approximation
//! minus network: > 0 overstates times), and the mean absolute difference of the share of origins
//! within 20 minutes per zone, the zones being 5 km squares with at least 10 held-out origins —
//! for the old defaults (1.3, 30, 60) and the fitted values (rounded as they are written in the
//! code), per extract and pooled, plus a leave-one-extract-out check (fitted on the other
//! extract). Walking: the detour only, on the street graph, at 4.5 km/h, with the advisor sites of
//! `--walk-sites` that lie inside the graph's box as destinations.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fragnum_access::Approximation;
use fragnum_access::coverage::{network_times, weighted_median};
use fragnum_access::graph::Graph;
use fragnum_access::profile::SpeedProfile;
use fragnum_access::snap::{Snap, Snapper};
use fragnum_core::network::haversine_m;
use fragnum_core::rng::Rng;
use fragnum_core::sites::{PopulationPoint, Site};

type Error = Box<dyn std::error::Error>;

/// Walking speed of the legs between a point and the road (the pipeline's default), m/s.
const WALK_MS: f64 = 4.5 / 3.6;
/// The pipeline's default maximum snap distance (sites farther from a road are not used).
const MAX_SITE_SNAP_M: f64 = 2_000.0;
/// Origins farther than this from a road are drawn again.
const MAX_ORIGIN_SNAP_M: f64 = 250.0;
/// Origins per car extract (half fit, half held out).
const CAR_ORIGINS: usize = 8_000;
/// Origins on the walking graph.
const WALK_ORIGINS: usize = 4_000;
/// Radius of the junction count that stands in for population density.
const URBAN_RADIUS_M: f64 = 1_000.0;
/// Junctions within [`URBAN_RADIUS_M`] from which an origin is urban (24 per km²).
const URBAN_MIN_JUNCTIONS: usize = 75;
/// Side of the square zones of the share-within-20-minutes error.
const ZONE_M: f64 = 5_000.0;
/// Zones with fewer held-out origins are left out of the share error.
const MIN_ZONE_ORIGINS: usize = 10;
/// The threshold of the share error.
const THRESHOLD_S: f64 = 20.0 * 60.0;
/// The seed of every draw (issue number).
const SEED: u64 = 13;

/// One origin with its network truth.
#[derive(Debug, Clone)]
struct Origin {
    /// Index of the extract it was drawn on.
    extract: usize,
    /// Fit half (else held out).
    fit: bool,
    /// Junctions (nodes of ≥ 3 distinct neighbours) within [`URBAN_RADIUS_M`].
    junctions: usize,
    /// Urban by the junction proxy.
    urban: bool,
    /// The 5 km square it falls in.
    zone: (i64, i64),
    /// Network time to the nearest site (s), door to door.
    time_s: f64,
    /// Length of that fastest path (m), walked legs included.
    path_m: f64,
    /// Straight-line distance to the nearest site in straight line (what the approximation uses).
    straight_m: f64,
    /// Straight-line distance to the site the network reaches first.
    straight_same_m: f64,
}

/// Node labels of the multi-source Dijkstra: time to the nearest site, length of that path, site.
struct Labels {
    time: Vec<f64>,
    length: Vec<f64>,
    site: Vec<u32>,
}

/// Orders non-negative floats through their bits.
fn key(t: f64) -> u64 {
    (t + 0.0).to_bits()
}

/// Whether (t, s) beats (`old_t`, `old_s`): sooner, or as soon with a lower site (the pipeline's rule).
#[allow(clippy::float_cmp)]
fn better(t: f64, s: u32, old_t: f64, old_s: u32) -> bool {
    t < old_t || (t == old_t && s < old_s)
}

/// Multi-source Dijkstra on the reversed graph (times *to* the sites) that also carries the
/// length of each node's fastest path. Sources: (node, seconds, metres, site). The graph keeps
/// every vertex of the road geometry, so an edge's length is the distance between its ends.
fn nearest_with_lengths(graph: &Graph, sources: &[(u32, f64, f64, u32)]) -> Labels {
    let nodes = graph.len();
    let mut labels = Labels { time: vec![f64::INFINITY; nodes], length: vec![f64::INFINITY; nodes], site: vec![u32::MAX; nodes] };
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    for &(node, time, metres, site) in sources {
        let i = node as usize;
        if i < nodes && time.is_finite() && better(time, site, labels.time[i], labels.site[i]) {
            (labels.time[i], labels.length[i], labels.site[i]) = (time, metres, site);
            heap.push(Reverse((key(time), node)));
        }
    }
    while let Some(Reverse((packed, from))) = heap.pop() {
        let at = from as usize;
        let (time, metres, site) = (labels.time[at], labels.length[at], labels.site[at]);
        if packed != key(time) {
            continue; // stale entry
        }
        for (next, seconds) in graph.reverse.row(from) {
            let to = next as usize;
            let arrival = time + seconds;
            if better(arrival, site, labels.time[to], labels.site[to]) {
                let length = metres + haversine_m(graph.coords[at], graph.coords[to]);
                (labels.time[to], labels.length[to], labels.site[to]) = (arrival, length, site);
                heap.push(Reverse((key(arrival), next)));
            }
        }
    }
    labels
}

/// Length of a segment of the graph (m).
fn segment_m(graph: &Graph, segment: u32) -> f64 {
    let s = graph.segments[segment as usize];
    haversine_m(graph.coords[s.a as usize], graph.coords[s.b as usize])
}

/// Road junctions bucketed in square cells of [`URBAN_RADIUS_M`] (projected metres).
struct Junctions {
    cells: HashMap<(i64, i64), Vec<[f64; 2]>>,
}

impl Junctions {
    fn new(graph: &Graph) -> Self {
        let mut cells: HashMap<(i64, i64), Vec<[f64; 2]>> = HashMap::new();
        let mut around = Vec::new();
        for node in 0..graph.len() as u32 {
            around.clear();
            around.extend(graph.forward.row(node).map(|e| e.0).chain(graph.reverse.row(node).map(|e| e.0)));
            around.sort_unstable();
            around.dedup();
            if around.len() >= 3 {
                let xy = graph.projection.forward(graph.coords[node as usize]);
                cells.entry(cell(xy, URBAN_RADIUS_M)).or_default().push(xy);
            }
        }
        Junctions { cells }
    }

    /// Junctions within [`URBAN_RADIUS_M`] of `xy`.
    fn within(&self, xy: [f64; 2]) -> usize {
        let (cx, cy) = cell(xy, URBAN_RADIUS_M);
        let r2 = URBAN_RADIUS_M * URBAN_RADIUS_M;
        let mut n = 0;
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(list) = self.cells.get(&(cx + dx, cy + dy)) {
                    n += list.iter().filter(|p| (p[0] - xy[0]).powi(2) + (p[1] - xy[1]).powi(2) <= r2).count();
                }
            }
        }
        n
    }
}

fn cell(xy: [f64; 2], side: f64) -> (i64, i64) {
    ((xy[0] / side).floor() as i64, (xy[1] / side).floor() as i64)
}

/// What one network gives: its origins and a line about it.
struct Measured {
    origins: Vec<Origin>,
    summary: String,
}

/// Draws origins over `graph` (inside `bbox`, lon/lat), and measures each one's network truth to
/// the nearest of `sites` (already filtered to those the network can use).
fn measure(graph: &Graph, sites: &[Site], bbox: [[f64; 2]; 2], count: usize, extract: usize) -> Result<Measured, Error> {
    let snapper = Snapper::new(graph);
    let mut kept: Vec<(Site, Snap)> = Vec::new();
    for s in sites {
        if let Some(snap) = snapper.snap(s.position(), MAX_SITE_SNAP_M, WALK_MS) {
            kept.push((s.clone(), snap));
        }
    }
    if kept.is_empty() {
        return Err("no site within 2 km of the network".into());
    }
    // Sources with their lengths: from each end of the site's segment, the rest of the segment
    // and the walked leg.
    let mut sources = Vec::new();
    let mut on_segment: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, (_, snap)) in kept.iter().enumerate() {
        let len = segment_m(graph, snap.segment);
        let lengths = [snap.distance_m + snap.t * len, snap.distance_m + (1.0 - snap.t) * len];
        for ((node, t), m) in snapper.entries(snap).into_iter().zip(lengths) {
            sources.push((node, t, m, i as u32));
        }
        on_segment.entry(snap.segment).or_default().push(i);
    }
    let labels = nearest_with_lengths(graph, &sources);
    let junctions = Junctions::new(graph);

    let mut rng = Rng::new(SEED, extract as u64);
    let mut points: Vec<PopulationPoint> = Vec::new();
    let mut origins: Vec<Origin> = Vec::new();
    let mut draws = 0usize;
    while origins.len() < count && draws < 500 * count {
        draws += 1;
        let p = [rng.range(bbox[0][0], bbox[1][0]), rng.range(bbox[0][1], bbox[1][1])];
        let Some(snap) = snapper.snap(p, MAX_ORIGIN_SNAP_M, WALK_MS) else { continue };
        // The fastest way out: either end of the segment, or along it to a site on it.
        let len = segment_m(graph, snap.segment);
        let lengths = [snap.distance_m + snap.t * len, snap.distance_m + (1.0 - snap.t) * len];
        let mut best: Option<(f64, f64, u32)> = None;
        let mut consider = |t: f64, m: f64, s: u32| {
            if t.is_finite() && best.is_none_or(|(bt, _, bs)| better(t, s, bt, bs)) {
                best = Some((t, m, s));
            }
        };
        for ((node, leg), m) in snapper.exits(&snap).into_iter().zip(lengths) {
            let n = node as usize;
            if labels.site[n] != u32::MAX {
                consider(leg + labels.time[n], m + labels.length[n], labels.site[n]);
            }
        }
        for &s in on_segment.get(&snap.segment).map_or(&[][..], Vec::as_slice) {
            let to = &kept[s].1;
            if let Some(t) = snapper.along(&snap, to) {
                consider(t, snap.distance_m + (to.t - snap.t).abs() * len + to.distance_m, s as u32);
            }
        }
        let Some((time_s, path_m, site)) = best else { continue };
        let straight_m = kept.iter().map(|(s, _)| haversine_m(p, s.position())).fold(f64::INFINITY, f64::min);
        let straight_same_m = haversine_m(p, kept[site as usize].0.position());
        let xy = graph.projection.forward(p);
        let j = junctions.within(xy);
        origins.push(Origin {
            extract,
            fit: origins.len().is_multiple_of(2),
            junctions: j,
            urban: j >= URBAN_MIN_JUNCTIONS,
            zone: cell(xy, ZONE_M),
            time_s,
            path_m,
            straight_m,
            straight_same_m,
        });
        points.push(PopulationPoint { lon: p[0], lat: p[1], weight: 1.0, zone: None });
    }
    if origins.len() < count / 2 {
        return Err(format!("only {} origins within {MAX_ORIGIN_SNAP_M} m of a road after {draws} draws", origins.len()).into());
    }
    // The truth must be the pipeline's: same times as `network_times` on the same points.
    let site_list: Vec<Site> = kept.iter().map(|(s, _)| s.clone()).collect();
    let check = network_times(graph, &snapper, &site_list, &points, MAX_SITE_SNAP_M, WALK_MS);
    let worst =
        check.points.iter().zip(&origins).map(|(r, o)| r.time_s.map_or(f64::INFINITY, |t| (t - o.time_s).abs())).fold(0.0, f64::max);
    if worst > 1e-6 {
        return Err(format!("times differ from network_times by up to {worst} s").into());
    }
    let urban = origins.iter().filter(|o| o.urban).count();
    let summary = format!(
        "{} of {} sites within 2 km of a road, {} origins from {draws} draws, {urban} urban ({:.0} %); times identical to network_times (max |Δ| {worst:.1e} s)",
        kept.len(),
        sites.len(),
        origins.len(),
        100.0 * urban as f64 / origins.len() as f64
    );
    Ok(Measured { origins, summary })
}

/// Parameters of the model: detour, speeds and access terms (seconds, 0 for the default model).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Params {
    detour: f64,
    urban_kmh: f64,
    rural_kmh: f64,
    urban_access_s: f64,
    rural_access_s: f64,
}

impl Params {
    fn from_approximation(a: &Approximation) -> Self {
        Params { detour: a.detour, urban_kmh: a.urban_kmh, rural_kmh: a.rural_kmh, urban_access_s: 0.0, rural_access_s: 0.0 }
    }

    /// The approximation's time for an origin (s).
    fn predict(&self, o: &Origin) -> f64 {
        let (kmh, access) = if o.urban { (self.urban_kmh, self.urban_access_s) } else { (self.rural_kmh, self.rural_access_s) };
        access + o.straight_m * self.detour / (kmh / 3.6)
    }

    /// As written in the code: detour to 0.01, speeds to 1 km/h, access to 0.1 min.
    fn rounded(self) -> Self {
        Params {
            detour: (self.detour * 100.0).round() / 100.0,
            urban_kmh: self.urban_kmh.round(),
            rural_kmh: self.rural_kmh.round(),
            urban_access_s: (self.urban_access_s / 6.0).round() * 6.0,
            rural_access_s: (self.rural_access_s / 6.0).round() * 6.0,
        }
    }

    fn describe(&self) -> String {
        let mut s = format!("{:.2} / {:.0} / {:.0}", self.detour, self.urban_kmh, self.rural_kmh);
        if self.urban_access_s > 0.0 || self.rural_access_s > 0.0 {
            let _ = write!(s, " + {:.1} / {:.1} min", self.urban_access_s / 60.0, self.rural_access_s / 60.0);
        }
        s
    }
}

/// Least absolute deviations through the origin, `argmin_b Σ |y − b·x|` over pairs (y, x) with
/// x > 0: the median of y / x weighted by x.
fn lad_ratio(pairs: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let mut v: Vec<(f64, f64)> = pairs.filter(|(y, x)| *x > 0.0 && y.is_finite()).map(|(y, x)| (y / x, x)).collect();
    weighted_median(&mut v)
}

/// Least absolute deviations with a constant, `argmin_{c ≥ 0, b} Σ |y − c − b·x|`: the best slope
/// for each `c` of a 0.1-minute grid up to 15 minutes. Returns (c, b).
fn lad_with_constant(pairs: &[(f64, f64)]) -> Option<(f64, f64)> {
    let mut best: Option<(f64, f64, f64)> = None;
    for k in 0..=150 {
        let c = f64::from(k) * 6.0;
        let Some(b) = lad_ratio(pairs.iter().map(|&(y, x)| (y - c, x))) else { continue };
        let cost: f64 = pairs.iter().map(|&(y, x)| (y - c - b * x).abs()).sum();
        if best.is_none_or(|(_, _, bc)| cost < bc) {
            best = Some((c, b, cost));
        }
    }
    best.map(|(c, b, _)| (c, b))
}

/// How the detour is estimated from (path length, straight distance) pairs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Estimator {
    /// Median of L / D weighted by D (least absolute deviations): the default.
    Lad,
    /// Plain median of L / D.
    Median,
    /// Σ L / Σ D (least squares through the origin weighted by 1 / D).
    RatioOfSums,
    /// Mean of L / D.
    Mean,
}

fn detour(origins: &[&Origin], e: Estimator) -> Option<f64> {
    let pairs = origins.iter().filter(|o| o.straight_m > 0.0).map(|o| (o.path_m, o.straight_m));
    match e {
        Estimator::Lad => lad_ratio(pairs),
        Estimator::Median => weighted_median(&mut pairs.map(|(l, d)| (l / d, 1.0)).collect::<Vec<_>>()),
        Estimator::RatioOfSums => {
            let (l, d) = pairs.fold((0.0, 0.0), |(a, b), (l, d)| (a + l, b + d));
            (d > 0.0).then(|| l / d)
        }
        Estimator::Mean => {
            let v: Vec<f64> = pairs.map(|(l, d)| l / d).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        }
    }
}

/// Fits the model on `origins`: the detour on distances, then per area type the speed on
/// (time, path length), with or without a constant access term.
fn fit(origins: &[&Origin], estimator: Estimator, with_access: bool) -> Result<Params, Error> {
    let detour = detour(origins, estimator).ok_or("no origin to fit the detour on")?;
    let mut speed = [0.0; 2];
    let mut access = [0.0; 2];
    for (k, urban) in [true, false].into_iter().enumerate() {
        let pairs: Vec<(f64, f64)> = origins.iter().filter(|o| o.urban == urban).map(|o| (o.time_s, o.path_m)).collect();
        let (c, pace) = if with_access {
            lad_with_constant(&pairs).ok_or("no origin of an area type")?
        } else {
            (0.0, lad_ratio(pairs.into_iter()).ok_or("no origin of an area type")?)
        };
        if pace <= 0.0 {
            return Err("a fitted speed is not positive".into());
        }
        speed[k] = 3.6 / pace;
        access[k] = c;
    }
    Ok(Params { detour, urban_kmh: speed[0], rural_kmh: speed[1], urban_access_s: access[0], rural_access_s: access[1] })
}

/// Held-out errors of a parameter set.
#[derive(Debug, Clone, Copy, Default)]
struct Metrics {
    n: usize,
    mae_min: f64,
    bias_min: f64,
    share20_points: f64,
    zones: usize,
    /// Mean absolute error (minutes) of the urban and of the rural origins.
    mae_urban_min: f64,
    mae_rural_min: f64,
}

/// Per zone: origins, truly within 20 minutes, predicted within 20 minutes.
type ZoneCount = (usize, usize, usize);

fn evaluate(origins: &[&Origin], p: &Params) -> Metrics {
    if origins.is_empty() {
        return Metrics::default();
    }
    let (mut abs, mut signed) = (0.0, 0.0);
    let mut by_type = [(0.0, 0usize); 2];
    // (extract, zone) → (origins, truly within 20 min, predicted within 20 min)
    let mut zones: BTreeMap<(usize, (i64, i64)), ZoneCount> = BTreeMap::new();
    for o in origins {
        let t = p.predict(o);
        abs += (t - o.time_s).abs();
        let k = usize::from(!o.urban);
        by_type[k] = (by_type[k].0 + (t - o.time_s).abs(), by_type[k].1 + 1);
        signed += t - o.time_s;
        let z = zones.entry((o.extract, o.zone)).or_default();
        z.0 += 1;
        z.1 += usize::from(o.time_s <= THRESHOLD_S);
        z.2 += usize::from(t <= THRESHOLD_S);
    }
    let diffs: Vec<f64> = zones
        .values()
        .filter(|z| z.0 >= MIN_ZONE_ORIGINS)
        .map(|&(n, truth, pred)| 100.0 * (truth as f64 - pred as f64).abs() / n as f64)
        .collect();
    let n = origins.len() as f64;
    Metrics {
        n: origins.len(),
        mae_min: abs / n / 60.0,
        bias_min: signed / n / 60.0,
        share20_points: if diffs.is_empty() { 0.0 } else { diffs.iter().sum::<f64>() / diffs.len() as f64 },
        zones: diffs.len(),
        mae_urban_min: by_type[0].0 / by_type[0].1.max(1) as f64 / 60.0,
        mae_rural_min: by_type[1].0 / by_type[1].1.max(1) as f64 / 60.0,
    }
}

fn row(out: &mut String, extract: &str, model: &str, p: &Params, m: &Metrics) {
    let _ = writeln!(
        out,
        "  {extract:<14} {model:<24} {:<32} {:>5} {:>8.2} {:>5.2} / {:<5.2} {:>+8.2} {:>8.1} ({})",
        p.describe(),
        m.n,
        m.mae_min,
        m.mae_urban_min,
        m.mae_rural_min,
        m.bias_min,
        m.share20_points,
        m.zones
    );
}

fn header(out: &mut String) {
    let _ = writeln!(
        out,
        "  {:<14} {:<24} {:<32} {:>5} {:>8} {:>13} {:>8} {:>8}",
        "extract", "model", "detour / urban / rural km/h", "n", "MAE min", "urban / rural", "bias min", "Δshare20 pts (zones)"
    );
}

fn extract_name(path: &Path) -> String {
    let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    name.split(['.', '-']).next().unwrap_or(&name).to_string()
}

/// Quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

struct Args {
    car: Vec<PathBuf>,
    car_profile: PathBuf,
    walk: Option<PathBuf>,
    walk_sites: Option<PathBuf>,
    walk_profile: PathBuf,
    out: PathBuf,
}

fn parse_args() -> Result<Args, Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut a = Args {
        car: Vec::new(),
        car_profile: root.join("config/profiles/car.toml"),
        walk: None,
        walk_sites: None,
        walk_profile: root.join("config/profiles/walk.toml"),
        out: PathBuf::from("target/calibration"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().map(PathBuf::from).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--car" => a.car.push(value()?),
            "--car-profile" => a.car_profile = value()?,
            "--walk" => a.walk = Some(value()?),
            "--walk-sites" => a.walk_sites = Some(value()?),
            "--walk-profile" => a.walk_profile = value()?,
            "--out" => a.out = value()?,
            _ => return Err(format!("unknown argument {flag}").into()),
        }
    }
    if a.car.is_empty() {
        return Err("usage: calibrate_approx --car <extract.osm.pbf>… [--car-profile <toml>] [--walk <streets> --walk-sites <sites.csv>] [--walk-profile <toml>] [--out <dir>]".into());
    }
    Ok(a)
}

fn read_profile(path: &Path) -> Result<SpeedProfile, Error> {
    Ok(SpeedProfile::parse(&path.display().to_string(), &std::fs::read_to_string(path)?)?)
}

/// Walking: the detour on a street graph, destinations the advisor sites inside its box.
struct Walk {
    name: String,
    summary: String,
    detour: f64,
    pair_detour: f64,
    old: Metrics,
    fitted: Metrics,
}

fn walk(streets: &Path, sites_csv: &Path, profile: &SpeedProfile) -> Result<Walk, Error> {
    let mut report = fragnum_ingest::Report::default();
    let net = fragnum_ingest::roads::read_roads(streets, &mut report)?;
    let graph = Graph::build(&net, profile)?;
    let [lo, hi] = fragnum_core::geometry::bounding_box(graph.coords.iter().copied()).ok_or("empty street graph")?;
    let sites: Vec<Site> = fragnum_ingest::sites::read_sites(sites_csv, &mut report)?
        .into_iter()
        .filter(|s| (lo[0]..=hi[0]).contains(&s.lon) && (lo[1]..=hi[1]).contains(&s.lat))
        .collect();
    // Origins in the inner 80 % of the box: near its edge the graph is cut and paths run long.
    let (mx, my) = (0.1 * (hi[0] - lo[0]), 0.1 * (hi[1] - lo[1]));
    let inner = [[lo[0] + mx, lo[1] + my], [hi[0] - mx, hi[1] - my]];
    let measured = measure(&graph, &sites, inner, WALK_ORIGINS, usize::MAX)?;
    let notes: Vec<String> = report.problems.iter().map(|p| p.message.clone()).collect();
    let fit_half: Vec<&Origin> = measured.origins.iter().filter(|o| o.fit).collect();
    let held: Vec<&Origin> = measured.origins.iter().filter(|o| !o.fit).collect();
    let detour_fit = detour(&fit_half, Estimator::Lad).ok_or("no walking origin")?;
    let pair_detour = lad_ratio(fit_half.iter().map(|o| (o.path_m, o.straight_same_m))).ok_or("no walking origin")?;
    let at = |d: f64| Params { detour: d, urban_kmh: 4.5, rural_kmh: 4.5, urban_access_s: 0.0, rural_access_s: 0.0 };
    let detour = (detour_fit * 100.0).round() / 100.0;
    Ok(Walk {
        name: extract_name(streets),
        summary: format!(
            "{} nodes, {} edges (largest component), {} advisor sites inside the box; {}; reader notes: {}",
            graph.report.nodes,
            graph.report.edges,
            sites.len(),
            measured.summary,
            if notes.is_empty() { "none".into() } else { notes.join(" | ") }
        ),
        detour,
        pair_detour,
        old: evaluate(&held, &at(1.3)),
        fitted: evaluate(&held, &at(detour)),
    })
}

/// The urban proxy's distribution, and the detour estimators compared (each with its LAD speeds).
fn proxy_and_estimators(out: &mut String, origins: &[Origin], fit_half: &[&Origin], held: &[&Origin]) -> Result<(), Error> {
    // The urban proxy's distribution.
    let mut j: Vec<f64> = origins.iter().map(|o| o.junctions as f64).collect();
    j.sort_by(f64::total_cmp);
    let _ = writeln!(
        out,
        "\njunctions within 1 km of an origin: median {:.0}, 75th pct {:.0}, 90th {:.0}, 99th {:.0}; urban from {URBAN_MIN_JUNCTIONS}",
        quantile(&j, 0.5),
        quantile(&j, 0.75),
        quantile(&j, 0.9),
        quantile(&j, 0.99)
    );

    // Detour estimators, each with its LAD speeds: value and pooled held-out error.
    let _ = writeln!(out, "\ndetour estimators (fit half, pooled; speeds fitted by LAD; held-out error pooled):");
    for e in [Estimator::Lad, Estimator::Median, Estimator::RatioOfSums, Estimator::Mean] {
        let p = fit(fit_half, e, false)?;
        let m = evaluate(held, &p);
        let _ = writeln!(
            out,
            "  {:<12} {:<26} MAE {:.2} min, bias {:+.2} min, Δshare20 {:.1} pts",
            format!("{e:?}"),
            p.describe(),
            m.mae_min,
            m.bias_min,
            m.share20_points
        );
    }
    let pair = lad_ratio(fit_half.iter().map(|o| (o.path_m, o.straight_same_m))).unwrap_or(f64::NAN);
    let _ = writeln!(
        out,
        "  (path length / straight distance to the SAME site, the textbook detour: {pair:.2}; the fit uses the straight distance to the \
         straight-line nearest site, which is what the approximation measures)"
    );

    Ok(())
}

/// How much the urban threshold matters: refit with other thresholds.
fn sensitivity(out: &mut String, fit_half: &[&Origin], held: &[&Origin]) -> Result<(), Error> {
    let _ = writeln!(out, "\nurban proxy sensitivity (refit; pooled held-out):");
    for threshold in [40, 75, 150] {
        let relabel = |o: &Origin| Origin { urban: o.junctions >= threshold, ..o.clone() };
        let fit_t: Vec<Origin> = fit_half.iter().map(|o| relabel(o)).collect();
        let held_t: Vec<Origin> = held.iter().map(|o| relabel(o)).collect();
        let (fit_r, held_r): (Vec<&Origin>, Vec<&Origin>) = (fit_t.iter().collect(), held_t.iter().collect());
        let p = fit(&fit_r, Estimator::Lad, false)?.rounded();
        let m = evaluate(&held_r, &p);
        let share = 100.0 * held_r.iter().filter(|o| o.urban).count() as f64 / held_r.len().max(1) as f64;
        let _ = writeln!(
            out,
            "  ≥ {threshold:>3} junctions within 1 km: {share:>4.1} % urban → {}, MAE {:.2} min, Δshare20 {:.1} pts",
            p.describe(),
            m.mae_min,
            m.share20_points
        );
    }

    Ok(())
}

/// The TOML snippet of the fitted values.
fn snippet(names: &[String], profile: &str, fitted: &Params, pooled_fitted: &Metrics, walk: Option<&Walk>) -> String {
    let mut toml = String::new();
    let _ = writeln!(toml, "# Straight-line approximation fitted by `make calibrate` (crates/fragnum-access/examples/calibrate_approx.rs)");
    let _ = writeln!(
        toml,
        "# on the car networks of {} (profile {}): detour = LAD of path length on straight distance,",
        names.join(", "),
        profile
    );
    let _ = writeln!(toml, "# speeds = LAD of time on path length, urban = >= {URBAN_MIN_JUNCTIONS} road junctions within 1 km.");
    let _ = writeln!(
        toml,
        "# Held-out error (pooled, n = {}): mean absolute {:.2} min, mean signed {:+.2} min, share within 20 min per 5 km zone {:.1} points.",
        pooled_fitted.n, pooled_fitted.mae_min, pooled_fitted.bias_min, pooled_fitted.share20_points
    );
    let _ = writeln!(toml, "[access.approximation]");
    let _ = writeln!(toml, "detour = {:.2}\nurban_kmh = {:.0}\nrural_kmh = {:.0}", fitted.detour, fitted.urban_kmh, fitted.rural_kmh);
    if let Some(w) = walk {
        let _ = writeln!(toml, "\n# Walking detour on {} at 4.5 km/h (not read by the pipeline: the approximation is by car).", w.name);
        let _ = writeln!(toml, "# held-out mean absolute error {:.2} min (1.3: {:.2} min)", w.fitted.mae_min, w.old.mae_min);
        let _ = writeln!(toml, "# walk_detour = {:.2}", w.detour);
    }
    toml
}

fn main() -> Result<(), Error> {
    let args = parse_args()?;
    let car = read_profile(&args.car_profile)?;
    let mut out = String::new();
    let mut names: Vec<String> = Vec::new();
    let mut origins: Vec<Origin> = Vec::new();
    let _ = writeln!(out, "== Calibration of the straight-line approximation (issue 13) ==");
    for (i, pbf) in args.car.iter().enumerate() {
        let extract = fragnum_ingest::roads::read_osm_extract(pbf, &[("amenity", "townhall"), ("amenity", "post_office")])?;
        let graph = Graph::build(&extract.network, &car)?;
        let bbox = fragnum_core::geometry::bounding_box(graph.coords.iter().copied()).ok_or("empty graph")?;
        let m = measure(&graph, &extract.sites, bbox, CAR_ORIGINS, i).map_err(|e| format!("{}: {e}", pbf.display()))?;
        let name = extract_name(pbf);
        let _ = writeln!(
            out,
            "{name} (profile {}): graph {} nodes, {} edges; {} sites read, {}",
            car.name,
            graph.report.nodes,
            graph.report.edges,
            extract.sites.len(),
            m.summary
        );
        names.push(name);
        origins.extend(m.origins);
    }
    let fit_half: Vec<&Origin> = origins.iter().filter(|o| o.fit).collect();
    let held: Vec<&Origin> = origins.iter().filter(|o| !o.fit).collect();

    proxy_and_estimators(&mut out, &origins, &fit_half, &held)?;

    let old = Params::from_approximation(&Approximation { detour: 1.3, urban_kmh: 30.0, rural_kmh: 60.0 });
    let fitted = fit(&fit_half, Estimator::Lad, false)?.rounded();
    let with_access = fit(&fit_half, Estimator::Lad, true)?.rounded();
    let current = Params::from_approximation(&Approximation::default());

    let _ = writeln!(out, "\nheld-out half (approximation − network; zones: 5 km squares with ≥ {MIN_ZONE_ORIGINS} held-out origins):");
    header(&mut out);
    for (e, name) in names.iter().enumerate() {
        let h: Vec<&Origin> = held.iter().copied().filter(|o| o.extract == e).collect();
        row(&mut out, name, "old defaults", &old, &evaluate(&h, &old));
        row(&mut out, name, "fitted (pooled)", &fitted, &evaluate(&h, &fitted));
        row(&mut out, name, "fitted + access term", &with_access, &evaluate(&h, &with_access));
        if names.len() > 1 {
            let others: Vec<&Origin> = fit_half.iter().copied().filter(|o| o.extract != e).collect();
            let transfer = fit(&others, Estimator::Lad, false)?.rounded();
            row(&mut out, name, "fitted on the other(s)", &transfer, &evaluate(&h, &transfer));
        }
    }
    let pooled = "pooled";
    row(&mut out, pooled, "old defaults", &old, &evaluate(&held, &old));
    row(&mut out, pooled, "fitted (pooled)", &fitted, &evaluate(&held, &fitted));
    row(&mut out, pooled, "fitted + access term", &with_access, &evaluate(&held, &with_access));
    if current == fitted {
        let _ = writeln!(out, "  Approximation::default() holds these fitted values");
    } else {
        row(&mut out, pooled, "Approximation::default()", &current, &evaluate(&held, &current));
        let _ = writeln!(out, "  Approximation::default() differs from the fit: update crates/fragnum-access/src/approx.rs");
    }

    sensitivity(&mut out, &fit_half, &held)?;

    let pooled_fitted = evaluate(&held, &fitted);
    let walk = match (&args.walk, &args.walk_sites) {
        (Some(streets), Some(sites)) => Some(walk(streets, sites, &read_profile(&args.walk_profile)?)?),
        (None, None) => None,
        _ => return Err("--walk and --walk-sites go together".into()),
    };
    if let Some(w) = &walk {
        let _ = writeln!(out, "\nwalking on {} (4.5 km/h): {}", w.name, w.summary);
        let _ = writeln!(
            out,
            "  detour fitted (LAD, straight-line nearest site): {:.2}; to the same site: {:.2}\n  held-out: detour 1.3 → MAE {:.2} min, bias {:+.2} min; detour {:.2} → MAE {:.2} min, bias {:+.2} min (n = {})",
            w.detour, w.pair_detour, w.old.mae_min, w.old.bias_min, w.detour, w.fitted.mae_min, w.fitted.bias_min, w.fitted.n
        );
    }
    print!("{out}");

    let toml = snippet(&names, &car.name, &fitted, &pooled_fitted, walk.as_ref());
    std::fs::create_dir_all(&args.out)?;
    let path = args.out.join("approximation.toml");
    std::fs::write(&path, toml)?;
    println!("\nwrote {}", path.display());
    Ok(())
}
