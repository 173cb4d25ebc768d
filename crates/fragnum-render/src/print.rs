//! Print maps drawn with plotters, as PNG and SVG: choropleth, commune boundaries, advisor sites,
//! legend, title, scale bar, and the source and vintage line, all labels in French.
//!
//! Text uses the TrueType font of the `[render] font` setting, read at run time (default
//! [`DEFAULT_FONT`], DejaVu Sans of the Debian package `fonts-dejavu-core`); its bytes are leaked
//! once and registered with plotters' `ab_glyph` backend as the `sans-serif` family. Lon/lat are projected with an equirectangular projection scaled by the
//! cosine of the mean latitude ([`crate::map::Projection`]).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use fragnum_core::atomic;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use crate::format::{NNBSP, number};
use crate::layer::{Assigned, Classified};
use fragnum_core::sites::{Site, SiteKind};

use crate::RenderError;
use crate::map::{BBox, MapContext, Projection};
use crate::ramp::parse_hex;

/// The regular font when `[render] font` is not set: DejaVu Sans where the Debian package
/// `fonts-dejavu-core` puts it.
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// A page size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageSize {
    /// A4 portrait at 300 dpi, 2480 × 3508 px.
    A4Portrait,
    /// A4 landscape at 300 dpi, 3508 × 2480 px.
    A4Landscape,
    /// Web, 1200 × 1400 px.
    Web,
    /// Any size (width, height).
    Custom(u32, u32),
}

impl PageSize {
    /// Width and height in pixels.
    pub fn pixels(self) -> (u32, u32) {
        match self {
            PageSize::A4Portrait => (2480, 3508),
            PageSize::A4Landscape => (3508, 2480),
            PageSize::Web => (1200, 1400),
            PageSize::Custom(w, h) => (w.max(200), h.max(200)),
        }
    }

    /// File-name suffix (`a4`, `a4-paysage`, `web`, `800x600`).
    pub fn suffix(self) -> String {
        match self {
            PageSize::A4Portrait => "a4".into(),
            PageSize::A4Landscape => "a4-paysage".into(),
            PageSize::Web => "web".into(),
            PageSize::Custom(w, h) => format!("{w}x{h}"),
        }
    }
}

/// The font file registered last and how loading it went, so that each file is read once per
/// process (plotters' font registry is global).
static FONT: Mutex<Option<(PathBuf, Result<(), String>)>> = Mutex::new(None);

/// The bold face looked for beside a regular font: `DejaVuSans.ttf` → `DejaVuSans-Bold.ttf`.
///
/// ```
/// use std::path::Path;
/// let bold = fragnum_render::print::bold_face(Path::new("fonts/DejaVuSans.ttf"));
/// assert_eq!(bold, Path::new("fonts/DejaVuSans-Bold.ttf"));
/// ```
pub fn bold_face(regular: &Path) -> PathBuf {
    let stem = regular.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let name = match regular.extension() {
        Some(ext) => format!("{stem}-Bold.{}", ext.to_string_lossy()),
        None => format!("{stem}-Bold"),
    };
    regular.with_file_name(name)
}

fn register_font(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let leaked: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, leaked).map_err(|_| "not a usable TrueType font".to_string())?;
    if let Ok(bold) = std::fs::read(bold_face(path)) {
        let leaked: &'static [u8] = Box::leak(bold.into_boxed_slice());
        // Optional: a failure leaves the regular face for titles.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, leaked);
    }
    Ok(())
}

/// Loads and registers the font at `path` (with its [`bold_face`] when there is one) for every
/// map drawn afterwards; a path already registered is not read again. The error names the path.
pub fn ensure_font(path: &Path) -> Result<(), RenderError> {
    let mut registered = FONT.lock().unwrap_or_else(PoisonError::into_inner);
    let res = match registered.as_ref() {
        Some((p, res)) if p == path => res.clone(),
        _ => {
            let res = register_font(path);
            *registered = Some((path.to_path_buf(), res.clone()));
            res
        }
    };
    res.map_err(|message| RenderError::Font { path: path.to_path_buf(), message })
}

/// Makes sure a font is registered before drawing: the last [`ensure_font`]'s, else [`DEFAULT_FONT`].
fn font_ready() -> Result<(), RenderError> {
    let last = FONT.lock().unwrap_or_else(PoisonError::into_inner).as_ref().map(|(p, _)| p.clone());
    ensure_font(last.as_deref().unwrap_or(Path::new(DEFAULT_FONT)))
}

/// Where things go on the page, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Page width and height.
    pub page: (u32, u32),
    /// One layout unit (1 px on a 1200 px-wide page).
    pub u: f64,
    /// Map frame (x, y, w, h).
    pub map: (f64, f64, f64, f64),
    /// Legend frame (x, y, w, h).
    pub legend: (f64, f64, f64, f64),
}

impl Layout {
    /// The layout of a page: legend in a right column on landscape pages, a bottom band otherwise.
    pub fn of(size: PageSize) -> Layout {
        let (w, h) = size.pixels();
        let (wf, hf) = (f64::from(w), f64::from(h));
        let u = wf.min(hf) / 1200.0;
        let m = 40.0 * u;
        let top = 150.0 * u;
        let footer = 70.0 * u;
        if w > h {
            let lw = 420.0 * u;
            Layout {
                page: (w, h),
                u,
                map: (m, top, wf - lw - 3.0 * m, hf - top - footer),
                legend: (wf - lw - m, top, lw, hf - top - footer),
            }
        } else {
            let lh = 430.0 * u;
            Layout {
                page: (w, h),
                u,
                map: (m, top, wf - 2.0 * m, hf - top - lh - footer - 30.0 * u),
                legend: (m, hf - lh - footer, wf - 2.0 * m, lh),
            }
        }
    }

    /// The projection of the zones of `ctx` into the map frame.
    pub fn projection(&self, ctx: &MapContext<'_>) -> Option<Projection> {
        let b = BBox::of(ctx.zones.values())?;
        let (x, y, w, h) = self.map;
        Some(Projection::fit(b, x, y, w, h))
    }
}

/// Ink of the hatching that marks secret-statistique zones, so they read as such in black and
/// white too, not only by their grey.
const HATCH_INK: RGBColor = RGBColor(90, 90, 90);

/// Diagonal hatching (45°, `spacing` pixels apart) inside a polygon given by its rings in pixels
/// (outline and holes): the pieces of each line between successive ring crossings, taken in
/// pairs (even–odd rule), so holes stay clear.
fn hatch_segments(rings: &[Vec<(i32, i32)>], spacing: f64) -> Vec<[(i32, i32); 2]> {
    // Lines x − y = k; along a line, points are ordered by x + y.
    let diagonal = |p: (i32, i32)| f64::from(p.0) - f64::from(p.1);
    let (lo, hi) =
        rings.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| (lo.min(diagonal(p)), hi.max(diagonal(p))));
    let mut out = Vec::new();
    if spacing.is_nan() || spacing <= 0.0 || lo > hi {
        return out;
    }
    let mut k = (lo / spacing).ceil() * spacing;
    let mut crossings: Vec<(f64, f64)> = Vec::new();
    while k <= hi {
        crossings.clear();
        for ring in rings {
            for w in ring.windows(2) {
                let (da, db) = (diagonal(w[0]) - k, diagonal(w[1]) - k);
                if (da <= 0.0) != (db <= 0.0) {
                    let t = da / (da - db);
                    let x = f64::from(w[0].0) + t * f64::from(w[1].0 - w[0].0);
                    crossings.push((x, x - k));
                }
            }
        }
        crossings.sort_by(|a, b| (a.0 + a.1).total_cmp(&(b.0 + b.1)));
        for pair in crossings.chunks_exact(2) {
            out.push([(pair[0].0.round() as i32, pair[0].1.round() as i32), (pair[1].0.round() as i32, pair[1].1.round() as i32)]);
        }
        k += spacing;
    }
    out
}

/// Ink of the dots that mark imputed zones over their class colour (small and sparse, distinct from the
/// masked hatching).
const DOT_INK: RGBColor = RGBColor(60, 60, 60);
/// Distance between the lines of dots, in layout units.
const DOT_SPACING: f64 = 16.0;

/// A lattice of dots inside a polygon (same rings and even–odd rule as [`hatch_segments`]): on
/// the hatching lines `spacing` apart, the points where `x + y` is a multiple of `spacing`.
fn dot_points(rings: &[Vec<(i32, i32)>], spacing: f64) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    for [a, b] in hatch_segments(rings, spacing) {
        let k = f64::from(a.0 - a.1);
        let (s0, s1) = (f64::from(a.0 + a.1).min(f64::from(b.0 + b.1)), f64::from(a.0 + a.1).max(f64::from(b.0 + b.1)));
        let mut m = (s0 / spacing).ceil() * spacing;
        while m <= s1 {
            out.push((f64::midpoint(m, k).round() as i32, f64::midpoint(m, -k).round() as i32));
            m += spacing;
        }
    }
    out
}

/// The pattern over a zone's fill, given by its rings in pixels: dots when `imputed`, else the
/// masked hatching (`hatch_line`, built once per map).
fn draw_pattern<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rings: &[Vec<(i32, i32)>],
    imputed: bool,
    hatch_line: ShapeStyle,
    u: f64,
) -> DrawResult {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    if imputed {
        let r = (1.6 * u).round().max(1.0) as i32;
        for dot in dot_points(rings, DOT_SPACING * u) {
            root.draw(&Circle::new(dot, r, DOT_INK.filled())).map_err(e)?;
        }
    } else {
        for segment in hatch_segments(rings, 12.0 * u) {
            root.draw(&PathElement::new(segment.to_vec(), hatch_line)).map_err(e)?;
        }
    }
    Ok(())
}

fn rgb(hex: &str) -> RGBColor {
    let (r, g, b) = parse_hex(hex).unwrap_or((0, 0, 0));
    RGBColor(r, g, b)
}

fn px(p: (f64, f64)) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

type DrawResult = Result<(), String>;

fn font(size: f64, bold: bool) -> TextStyle<'static> {
    let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
    FontDesc::new(FontFamily::SansSerif, size, style).color(&RGBColor(33, 33, 33))
}

/// Draws one line of text, without the control characters an input may carry (NUL, ESC…;
/// tab and newline as spaces): every text of a print map goes through here.
fn text<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &str, at: (f64, f64), style: &TextStyle<'_>) -> DrawResult {
    root.draw(&Text::new(fragnum_core::text::printable_line(s).into_owned(), px(at), style.clone())).map_err(|e| e.to_string())
}

/// A nice scale-bar length (1, 2 or 5 × 10ⁿ metres) close to `target` metres.
pub fn nice_length(target: f64) -> f64 {
    let p = 10f64.powf(target.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * p).find(|&l| l <= target).unwrap_or(p)
}

/// French label of a length in metres (`500 m`, `2 km`, `1 000 km`).
pub fn length_label(metres: f64) -> String {
    if metres >= 1000.0 { format!("{}{NNBSP}km", number(metres / 1000.0, 0)) } else { format!("{}{NNBSP}m", number(metres, 0)) }
}

/// The symbol of a site kind (`None`: a kind of the source's own, drawn as « autre »).
fn draw_site<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, kind: Option<SiteKind>, at: (i32, i32), r: i32) -> DrawResult {
    let ink = RGBColor(20, 20, 20);
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    match kind {
        Some(SiteKind::FranceServices) => {
            root.draw(&Rectangle::new([(at.0 - r - 1, at.1 - r - 1), (at.0 + r + 1, at.1 + r + 1)], WHITE.filled())).map_err(e)?;
            root.draw(&Rectangle::new([(at.0 - r, at.1 - r), (at.0 + r, at.1 + r)], ink.filled())).map_err(e)
        }
        Some(SiteKind::ConseillerNumerique) => {
            root.draw(&Circle::new(at, r + 1, WHITE.filled())).map_err(e)?;
            root.draw(&Circle::new(at, r, ink.filled())).map_err(e)
        }
        Some(SiteKind::Mediation) => {
            let tri = |s: i32| vec![(at.0, at.1 - s), (at.0 - s, at.1 + s * 3 / 4), (at.0 + s, at.1 + s * 3 / 4)];
            root.draw(&Polygon::new(tri(r + 2), ink.filled())).map_err(e)?;
            root.draw(&Polygon::new(tri(r - 1), WHITE.filled())).map_err(e)
        }
        None => root.draw(&Circle::new(at, r, ink.stroke_width(2))).map_err(e),
    }
}

/// The département boundaries of `outlines` (WGS84), dissolved: the pieces of ring between two
/// vertices that belong to one outline only among those of its département (a border between two
/// communes of the same département is met twice and dropped), as polylines. Needs neighbours to
/// share their vertices, as raw IGN outlines and the shared-border simplification do.
pub fn departement_boundaries(outlines: &fragnum_core::ZoneGeometries) -> Vec<Vec<(f64, f64)>> {
    use std::collections::HashMap;
    type Key = ((i64, i64), (i64, i64));
    // Vertices are matched as the shared-border simplification matches them.
    let q = |x: f64, y: f64| crate::simplify::key(geo::Coord { x, y });
    let key = |a: (i64, i64), b: (i64, i64)| -> Key { if a <= b { (a, b) } else { (b, a) } };
    let rings = || {
        outlines.iter().flat_map(|(code, mp)| {
            let dep = code.departement().unwrap_or(code.as_str());
            mp.0.iter().flat_map(move |p| std::iter::once(p.exterior()).chain(p.interiors()).map(move |r| (dep, r)))
        })
    };
    let mut count: HashMap<(&str, Key), u32> = HashMap::new();
    for (dep, ring) in rings() {
        for w in ring.0.windows(2) {
            let (a, b) = (q(w[0].x, w[0].y), q(w[1].x, w[1].y));
            if a != b {
                *count.entry((dep, key(a, b))).or_default() += 1;
            }
        }
    }
    let mut out = Vec::new();
    for (dep, ring) in rings() {
        let mut run: Vec<(f64, f64)> = Vec::new();
        for w in ring.0.windows(2) {
            let (a, b) = (q(w[0].x, w[0].y), q(w[1].x, w[1].y));
            if a != b && count.get(&(dep, key(a, b))) == Some(&1) {
                if run.is_empty() {
                    run.push((w[0].x, w[0].y));
                }
                run.push((w[1].x, w[1].y));
            } else if run.len() > 1 {
                out.push(std::mem::take(&mut run));
            }
        }
        if run.len() > 1 {
            out.push(run);
        }
    }
    out
}

/// A commune that may be named on a print map.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelCandidate {
    /// The name.
    pub name: String,
    /// Its population (the largest are named first).
    pub population: f64,
    /// Where the name is centred, in pixels: a point inside its outline.
    pub anchor: (f64, f64),
}

/// A name placed on a print map.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedLabel {
    /// The name.
    pub name: String,
    /// Its centre, in pixels.
    pub at: (f64, f64),
    /// Font size in pixels.
    pub size: f64,
    /// Drawn in bold (the three largest communes).
    pub bold: bool,
    /// Its box with the halo margin, `[x0, y0, x1, y1]` in pixels.
    pub rect: [f64; 4],
}

/// At most this many commune names on a print map.
pub const MAX_LABELS: usize = 14;

fn overlaps(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Greedy placement of commune names: by decreasing population, each name is centred on its anchor,
/// moved inside `frame` (`[x0, y0, x1, y1]`) when it would cross its edge (the anchor staying in
/// its box), and kept when it then meets neither an earlier name nor one of the `occupied` boxes
/// (scale bar…); at most `max` names. `measure(name, size,
/// bold)` gives a text's width and height in pixels; `u` is the page's layout unit.
pub fn place_labels(
    candidates: &[LabelCandidate],
    frame: [f64; 4],
    occupied: &[[f64; 4]],
    max: usize,
    u: f64,
    measure: &dyn Fn(&str, f64, bool) -> (f64, f64),
) -> Vec<PlacedLabel> {
    let mut order: Vec<&LabelCandidate> = candidates.iter().filter(|c| c.population > 0.0 && !c.name.trim().is_empty()).collect();
    order.sort_by(|a, b| b.population.total_cmp(&a.population).then_with(|| a.name.cmp(&b.name)));
    let mut placed: Vec<PlacedLabel> = Vec::new();
    for (rank, c) in order.iter().enumerate() {
        if placed.len() >= max {
            break;
        }
        let bold = rank < 3;
        let size = if bold { 25.0 * u } else { 21.0 * u };
        let (w, h) = measure(&c.name, size, bold);
        let pad = 4.0 * u;
        // The shift that brings the box [a − half, a + half] inside [lo, hi], if the anchor stays in it.
        let shift = |a: f64, half: f64, lo: f64, hi: f64| {
            let d = (lo - (a - half)).max(0.0) + (hi - (a + half)).min(0.0);
            (d.abs() <= half && 2.0 * half <= hi - lo).then_some(d)
        };
        let (Some(dx), Some(dy)) =
            (shift(c.anchor.0, w / 2.0 + pad, frame[0], frame[2]), shift(c.anchor.1, h / 2.0 + pad, frame[1], frame[3]))
        else {
            continue;
        };
        let (x, y) = (c.anchor.0 + dx, c.anchor.1 + dy);
        let rect = [x - w / 2.0 - pad, y - h / 2.0 - pad, x + w / 2.0 + pad, y + h / 2.0 + pad];
        if !occupied.iter().chain(placed.iter().map(|p| &p.rect)).any(|o| overlaps(o, &rect)) {
            placed.push(PlacedLabel { name: c.name.clone(), at: (x, y), size, bold, rect });
        }
    }
    placed
}

/// The communes of `ctx` that may be named, largest first (at most 4 × [`MAX_LABELS`]): those with
/// a population, a name and an outline (`ctx.communes`, else the commune zones of the map), each
/// anchored at the centroid of its largest polygon, or a point inside it when the centroid is not.
fn label_candidates(ctx: &MapContext<'_>, proj: &Projection) -> Vec<LabelCandidate> {
    use geo::{Area as _, Centroid as _, Contains as _, InteriorPoint as _};
    let outlines = ctx.communes.unwrap_or(ctx.zones);
    let mut communes: Vec<(&fragnum_core::ZoneCode, f64)> = ctx
        .populations
        .iter()
        .filter(|(c, p)| **p > 0.0 && c.level() == fragnum_core::Level::Commune && outlines.contains_key(*c) && ctx.names.contains_key(*c))
        .map(|(c, p)| (c, *p))
        .collect();
    communes.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    communes.truncate(4 * MAX_LABELS);
    communes
        .into_iter()
        .filter_map(|(code, population)| {
            let largest = outlines.get(code)?.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
            let point = largest.centroid().filter(|c| largest.contains(c)).or_else(|| largest.interior_point())?;
            Some(LabelCandidate { name: ctx.names.get(code)?.clone(), population, anchor: proj.project(point.x(), point.y()) })
        })
        .collect()
}

/// Draws `label` dark on a light halo (the text in white, shifted around its place).
fn draw_label<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, label: &PlacedLabel, u: f64) -> DrawResult {
    let pos = Pos::new(HPos::Center, VPos::Center);
    let halo = font(label.size, label.bold).color(&WHITE).pos(pos);
    let r = 2.5 * u;
    for k in 0..8 {
        let a = f64::from(k) * std::f64::consts::FRAC_PI_4;
        text(root, &label.name, (label.at.0 + r * a.cos(), label.at.1 + r * a.sin()), &halo)?;
    }
    text(root, &label.name, label.at, &font(label.size, label.bold).color(&RGBColor(17, 17, 17)).pos(pos))
}

/// The scale bar, bottom left of the map frame `(mx, my, mw, mh)`, and the north arrow above it
/// (maps are drawn north up); returns the box they take (x0, y0, x1, y1), which labels keep clear of.
fn draw_scale_and_north<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    proj: &Projection,
    (mx, my, mw, mh): (f64, f64, f64, f64),
    u: f64,
) -> Result<[f64; 4], String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let len = nice_length(mw * 0.2 * proj.metres_per_pixel());
    let bar = len / proj.metres_per_pixel();
    let (bx, by) = (mx + 10.0 * u, my + mh - 20.0 * u);
    let ink = RGBColor(33, 33, 33);
    root.draw(&Rectangle::new([px((bx, by - 6.0 * u)), px((bx + bar, by))], ink.filled())).map_err(e)?;
    root.draw(&Rectangle::new([px((bx + bar / 2.0, by - 6.0 * u)), px((bx + bar, by))], WHITE.filled())).map_err(e)?;
    root.draw(&Rectangle::new([px((bx, by - 6.0 * u)), px((bx + bar, by))], ink.stroke_width(1))).map_err(e)?;
    text(root, "0", (bx, by - 30.0 * u), &font(20.0 * u, false))?;
    let lbl = font(20.0 * u, false).pos(Pos::new(HPos::Right, VPos::Top));
    text(root, &length_label(len), (bx + bar, by - 30.0 * u), &lbl)?;
    let (ax, ay) = (bx + 14.0 * u, by - 58.0 * u);
    let arrow = vec![px((ax, ay - 44.0 * u)), px((ax + 11.0 * u, ay)), px((ax, ay - 11.0 * u)), px((ax - 11.0 * u, ay))];
    root.draw(&Polygon::new(arrow, ink.filled())).map_err(e)?;
    text(root, "N", (ax, ay - 48.0 * u), &font(22.0 * u, true).pos(Pos::new(HPos::Center, VPos::Bottom)))?;
    Ok([mx, ay - 80.0 * u, bx + bar.max(60.0 * u) + 20.0 * u, my + mh])
}

/// The title and, under it, the territory and vintage, from the left margin `m` of a page `width` wide.
fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &Classified<'_>,
    ctx: &MapContext<'_>,
    width: u32,
    m: f64,
    u: f64,
) -> DrawResult {
    // Long titles shrink to the page width (bold DejaVu Sans ≈ 0.62 em per character) rather than
    // running off the page; they never grow.
    let title_chars = c.layer.title.chars().count().max(1) as f64;
    let title_size = (40.0 * u).min((f64::from(width) - 2.0 * m) / (title_chars * 0.62));
    text(root, &c.layer.title, (m, 40.0 * u), &font(title_size, true))?;
    let sub = [ctx.territory.as_str(), c.layer.vintage.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" — ");
    text(root, &sub, (m, 95.0 * u), &font(26.0 * u, false))
}

/// Draws the whole map on `root` (any plotters backend).
pub fn draw_map<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Classified<'_>, ctx: &MapContext<'_>, size: PageSize) -> DrawResult {
    let lay = Layout::of(size);
    // Sites outside the zones' bounding box are neither drawn (they would land on the legend or
    // scale bar) nor listed in the legend.
    let bbox = BBox::of(ctx.zones.values());
    let shown: Vec<&Site> = ctx
        .sites
        .iter()
        .filter(|s| bbox.is_some_and(|b| (b.min_lon..=b.max_lon).contains(&s.lon) && (b.min_lat..=b.max_lat).contains(&s.lat)))
        .collect();
    let u = lay.u;
    let hatch_line = HATCH_INK.stroke_width((1.5 * u).round().max(1.0) as u32);
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let m = 40.0 * u;
    draw_title(root, c, ctx, lay.page.0, m, u)?;

    if let Some(proj) = lay.projection(ctx) {
        // Fills, largest polygons first so zones lying in another's hole are drawn on top.
        let mut parts: Vec<(f64, &fragnum_core::ZoneCode, &geo_types::Polygon<f64>)> = Vec::new();
        for (code, mp) in ctx.zones {
            for p in &mp.0 {
                let pts: Vec<[f64; 2]> = p.exterior().coords().map(|c| [c.x, c.y]).collect();
                parts.push((crate::map::signed_area2(&pts).abs(), code, p));
            }
        }
        parts.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let ring_px =
            |ring: &geo_types::LineString<f64>| -> Vec<(i32, i32)> { ring.coords().map(|c| px(proj.project(c.x, c.y))).collect() };
        for (_, code, p) in &parts {
            let assigned = c.assigned(code);
            root.draw(&Polygon::new(ring_px(p.exterior()), rgb(c.colour(assigned)).filled())).map_err(e)?;
            for hole in p.interiors() {
                root.draw(&Polygon::new(ring_px(hole), WHITE.filled())).map_err(e)?;
            }
            if assigned == Assigned::Masked || c.is_imputed(code) {
                let rings: Vec<Vec<(i32, i32)>> = std::iter::once(p.exterior()).chain(p.interiors()).map(ring_px).collect();
                draw_pattern(root, &rings, assigned != Assigned::Masked, hatch_line, u)?;
            }
        }
        let zone_line = RGBColor(255, 255, 255).stroke_width((1.5 * u).round().max(1.0) as u32);
        for (_, _, p) in &parts {
            root.draw(&PathElement::new(ring_px(p.exterior()), zone_line)).map_err(e)?;
            for hole in p.interiors() {
                root.draw(&PathElement::new(ring_px(hole), zone_line)).map_err(e)?;
            }
        }
        if let Some(communes) = ctx.communes {
            let line = RGBColor(64, 64, 64).stroke_width((2.5 * u).round().max(1.0) as u32);
            for mp in communes.values() {
                for p in &mp.0 {
                    root.draw(&PathElement::new(ring_px(p.exterior()), line)).map_err(e)?;
                }
            }
        }
        // Département outlines above the zones and communes, dissolved from the finest outlines drawn.
        let departement = RGBColor(17, 17, 17).stroke_width((4.5 * u).round().max(2.0) as u32);
        for run in departement_boundaries(ctx.communes.unwrap_or(ctx.zones)) {
            root.draw(&PathElement::new(run.into_iter().map(|(x, y)| px(proj.project(x, y))).collect::<Vec<_>>(), departement))
                .map_err(e)?;
        }
        let r = (7.0 * u).round().max(2.0) as i32;
        let (mx, my, mw, mh) = lay.map;
        for s in &shown {
            draw_site(root, SiteKind::from_key(&s.kind), px(proj.project(s.lon, s.lat)), r)?;
        }
        let corner = draw_scale_and_north(root, &proj, lay.map, u)?;
        // The names of the largest communes, clear of each other and of the scale bar and arrow.
        let measure = |name: &str, size: f64, bold: bool| {
            let (w, h) = root.estimate_text_size(name, &font(size, bold)).unwrap_or((0, 0));
            (f64::from(w), f64::from(h))
        };
        let frame = [mx, my, mx + mw, my + mh];
        for label in place_labels(&label_candidates(ctx, &proj), frame, &[corner], MAX_LABELS, u, &measure) {
            draw_label(root, &label, u)?;
        }
    } else {
        text(root, "Aucun contour à cartographier", (lay.map.0, lay.map.1), &font(28.0 * u, false))?;
    }

    // Legend.
    let (lx, ly, lw, _) = lay.legend;
    let row = 36.0 * u;
    // A title that already says its unit (« …, 2016–2020 (points) ») is not given a second one.
    let heading =
        if c.legend.title.ends_with("(points)") { c.legend.title.clone() } else { format!("{} ({})", c.legend.title, c.legend.unit) };
    text(root, &heading, (lx, ly), &font(24.0 * u, true))?;
    text(root, &format!("Classes : {}", c.legend.method), (lx, ly + 32.0 * u), &font(20.0 * u, false))?;
    let mut y = ly + 72.0 * u;
    for entry in &c.legend.entries {
        let sw = rgb(&entry.colour);
        root.draw(&Rectangle::new([px((lx, y)), px((lx + 44.0 * u, y + 26.0 * u))], sw.filled())).map_err(e)?;
        if entry.kind == "masked" || entry.kind == "imputed" {
            let (a, b) = (px((lx, y)), px((lx + 44.0 * u, y + 26.0 * u)));
            let swatch = vec![a, (b.0, a.1), b, (a.0, b.1), a];
            draw_pattern(root, &[swatch], entry.kind == "imputed", hatch_line, u)?;
        }
        root.draw(&Rectangle::new([px((lx, y)), px((lx + 44.0 * u, y + 26.0 * u))], RGBColor(120, 120, 120).stroke_width(1))).map_err(e)?;
        let count = format!("{} ({} zone{})", entry.label, number(entry.count as f64, 0), if entry.count > 1 { "s" } else { "" });
        text(root, &count, (lx + 58.0 * u, y + 2.0 * u), &font(22.0 * u, false))?;
        if let Some(note) = &entry.note {
            text(root, note, (lx + 58.0 * u, y + 28.0 * u), &font(18.0 * u, false))?;
            y += 24.0 * u;
        }
        y += row;
    }
    // Site symbols (only kinds drawn), in the second column of a bottom band or below classes.
    let at = if lw > 900.0 * u { (lx + lw / 2.0 + 20.0 * u, ly + 72.0 * u) } else { (lx, y + 20.0 * u) };
    draw_sites_legend(root, &shown, at, u, row)?;
    draw_source(root, c, lay.page, m, u)
}

/// The legend of the site symbols, from `(sx, sy)` down, one `row` each: the kinds of
/// [`SiteKind`] among `shown` under their label, then « Autre lieu » for any other kind.
fn draw_sites_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shown: &[&Site],
    (sx, mut sy): (f64, f64),
    u: f64,
    row: f64,
) -> DrawResult {
    let kinds: Vec<SiteKind> = SiteKind::ALL.into_iter().filter(|k| shown.iter().any(|s| s.kind == k.key())).collect();
    let others = shown.iter().any(|s| SiteKind::from_key(&s.kind).is_none());
    if kinds.is_empty() && !others {
        return Ok(());
    }
    // The kinds the config kept, by name when only one is drawn (« Lieux avec conseiller numérique »).
    let heading = match (kinds.as_slice(), others) {
        ([SiteKind::ConseillerNumerique], false) => "Lieux avec conseiller numérique",
        ([SiteKind::FranceServices], false) => "Espaces France Services",
        ([SiteKind::Mediation], false) => "Lieux de médiation numérique",
        _ => "Lieux d’accompagnement",
    };
    text(root, heading, (sx, sy - 40.0 * u), &font(22.0 * u, true))?;
    let r = (9.0 * u).round().max(2.0) as i32;
    for (k, label) in kinds.iter().map(|&k| (Some(k), k.label())).chain(others.then_some((None, "Autre lieu"))) {
        draw_site(root, k, px((sx + 22.0 * u, sy + 13.0 * u)), r)?;
        text(root, label, (sx + 58.0 * u, sy + 2.0 * u), &font(22.0 * u, false))?;
        sy += row;
    }
    Ok(())
}

/// The source and vintage line at the foot of a `page`, wrapped to its width less the margins `m`.
fn draw_source<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Classified<'_>, (w, h): (u32, u32), m: f64, u: f64) -> DrawResult {
    let source = if c.legend.vintage.is_empty() {
        format!("Source : {}", c.legend.source)
    } else {
        format!("Source : {} — millésime {}", c.legend.source, c.legend.vintage)
    };
    // About 0.55 em per character in DejaVu Sans at this size.
    let per_line = ((f64::from(w) - 2.0 * m) / (19.0 * u / 1.24 * 0.58)).max(20.0) as usize;
    let lines = wrap(&source, per_line);
    let n = lines.len() as f64;
    for (i, line) in lines.iter().enumerate() {
        text(root, line, (m, f64::from(h) - 30.0 * u - (n - i as f64) * 24.0 * u), &font(19.0 * u, false))?;
    }
    Ok(())
}

/// Splits `s` into lines of at most `width` characters at spaces (longer words stay whole).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// The map as PNG bytes, its text in the font of the last [`ensure_font`] (else [`DEFAULT_FONT`]).
pub fn render_png(c: &Classified<'_>, ctx: &MapContext<'_>, size: PageSize) -> Result<Vec<u8>, RenderError> {
    use image::ImageEncoder as _;
    font_ready()?;
    let (w, h) = size.pixels();
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    let err = |message: String| RenderError::Draw { path: PathBuf::from(format!("{}.png", c.layer.id)), message };
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw_map(&root, c, ctx, size).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png).write_image(&buf, w, h, image::ColorType::Rgb8).map_err(|e| err(e.to_string()))?;
    Ok(png)
}

/// The map as an SVG document, its text in the font of the last [`ensure_font`] (else [`DEFAULT_FONT`]).
pub fn render_svg(c: &Classified<'_>, ctx: &MapContext<'_>, size: PageSize) -> Result<String, RenderError> {
    font_ready()?;
    let (w, h) = size.pixels();
    let mut s = String::new();
    let err = |message: String| RenderError::Draw { path: PathBuf::from(format!("{}.svg", c.layer.id)), message };
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        draw_map(&root, c, ctx, size).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(s)
}

/// Writes `<dir>/<id>-<size>.png` and/or `.svg` for each size; returns the files written.
pub fn write_print(
    c: &Classified<'_>,
    ctx: &MapContext<'_>,
    dir: &Path,
    sizes: &[PageSize],
    png: bool,
    svg: bool,
) -> Result<Vec<PathBuf>, RenderError> {
    let mut files = Vec::new();
    for &size in sizes {
        let stem = format!("{}-{}", c.layer.id, size.suffix());
        if png {
            let path = dir.join(format!("{stem}.png"));
            let bytes = render_png(c, ctx, size).map_err(|e| with_path(e, &path))?;
            atomic::write_bytes(&path, &bytes).map_err(|e| RenderError::io(&path, e))?;
            files.push(path);
        }
        if svg {
            let path = dir.join(format!("{stem}.svg"));
            let text = render_svg(c, ctx, size).map_err(|e| with_path(e, &path))?;
            atomic::write_bytes(&path, text.as_bytes()).map_err(|e| RenderError::io(&path, e))?;
            files.push(path);
        }
    }
    Ok(files)
}

fn with_path(e: RenderError, path: &Path) -> RenderError {
    match e {
        RenderError::Draw { message, .. } => RenderError::Draw { path: path.to_path_buf(), message },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choropleth::tests::{ctx, grid};
    use crate::layer::classify_layer;
    use crate::layer::tests::layer;

    #[test]
    fn hatching_stays_inside_the_outline_and_out_of_holes() {
        let square = |a: i32, b: i32| vec![(a, a), (b, a), (b, b), (a, b), (a, a)];
        let rings = [square(0, 100), square(30, 70)];
        let segments = hatch_segments(&rings, 10.0);
        assert!(segments.len() > 15, "{}", segments.len());
        for [a, b] in &segments {
            let mid = (i32::midpoint(a.0, b.0), i32::midpoint(a.1, b.1));
            assert!([a, b].iter().all(|p| (0..=100).contains(&p.0) && (0..=100).contains(&p.1)), "{a:?} {b:?}");
            assert!(!((31..70).contains(&mid.0) && (31..70).contains(&mid.1)), "segment {a:?}–{b:?} crosses the hole");
        }
        assert!(hatch_segments(&[], 10.0).is_empty());
        assert!(hatch_segments(&rings, 0.0).is_empty());
    }

    #[test]
    fn dots_stay_inside_the_outline_and_out_of_holes() {
        let square = |a: i32, b: i32| vec![(a, a), (b, a), (b, b), (a, b), (a, a)];
        let rings = [square(0, 100), square(30, 70)];
        let dots = dot_points(&rings, 10.0);
        assert!(dots.len() > 100, "{}", dots.len());
        for p in &dots {
            assert!((0..=100).contains(&p.0) && (0..=100).contains(&p.1), "{p:?}");
            assert!(!((31..70).contains(&p.0) && (31..70).contains(&p.1)), "{p:?} in the hole");
        }
        assert!(dot_points(&rings, 0.0).is_empty());
    }

    #[test]
    fn imputed_zones_keep_their_colour_with_dots_and_a_legend_swatch() {
        if !font_present() {
            return;
        }
        let g = grid();
        let mut l = layer();
        l.statuses.insert(crate::layer::tests::iris("381850100"), fragnum_core::Status::Imputed);
        let codes: Vec<_> = g.keys().collect();
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let context = ctx(&g, &[]);
        let svg = render_svg(&c, &context, PageSize::Web).unwrap();
        assert!(svg.contains("Estimation imputée (1 zone)") && svg.contains("estimée à partir du territoire englobant"));
        assert!(svg.contains("<circle"), "dots");
        let size = PageSize::Custom(600, 700);
        let img = image::load_from_memory(&render_png(&c, &context, size).unwrap()).unwrap().to_rgb8();
        let proj = Layout::of(size).projection(&context).unwrap();
        // Zone 0 (5.70–5.71, 45.17–45.18): mostly its class colour, with dark dots.
        let (x0, y0) = proj.project(5.7015, 45.1785);
        let (x1, y1) = proj.project(5.7085, 45.1715);
        let (mut class, mut ink) = (0, 0);
        for x in x0 as u32..x1 as u32 {
            for y in y0 as u32..y1 as u32 {
                let p = img.get_pixel(x, y);
                if format!("#{:02x}{:02x}{:02x}", p[0], p[1], p[2]) == c.colours[0] {
                    class += 1;
                } else if p[0] < 120 {
                    ink += 1;
                }
            }
        }
        assert!(class > 4 * ink && ink > 0, "class {class}, ink {ink}");
    }

    fn font_present() -> bool {
        let ok = Path::new(DEFAULT_FONT).exists();
        if !ok {
            eprintln!("skipping: {DEFAULT_FONT} absent (apt-get install fonts-dejavu-core)");
        }
        ok
    }

    fn sites() -> Vec<Site> {
        vec![
            Site::new("a", "France Services", "france_services", 5.705, 45.175),
            Site::new("b", "CNFS", "conseiller_numerique", 5.725, 45.195),
            Site::new("c", "Médiathèque", "mediation", 5.715, 45.185),
        ]
    }

    #[test]
    fn commune_names_never_overlap_and_the_largest_is_named() {
        // 40 communes crowded around a few points, populations not in input order.
        let candidates: Vec<LabelCandidate> = (0..40)
            .map(|i| LabelCandidate {
                name: format!("Commune-{i}"),
                population: f64::from((i * 37) % 41 + 1) * 1000.0,
                anchor: (100.0 + f64::from(i % 5) * 37.0, 100.0 + f64::from(i % 7) * 23.0),
            })
            .collect();
        let largest = candidates.iter().max_by(|a, b| a.population.total_cmp(&b.population)).unwrap().name.clone();
        let measure = |s: &str, size: f64, _: bool| (s.chars().count() as f64 * 0.6 * size, 1.2 * size);
        let frame = [0.0, 0.0, 400.0, 400.0];
        let corner = [0.0, 300.0, 120.0, 400.0];
        let placed = place_labels(&candidates, frame, &[corner], MAX_LABELS, 1.0, &measure);
        assert!(placed.len() >= 3 && placed.len() <= MAX_LABELS, "{}", placed.len());
        assert_eq!(placed[0].name, largest);
        assert!(placed[0].bold);
        for (i, a) in placed.iter().enumerate() {
            assert!(a.rect[0] >= 0.0 && a.rect[1] >= 0.0 && a.rect[2] <= 400.0 && a.rect[3] <= 400.0, "{a:?} leaves the map");
            assert!(!overlaps(&a.rect, &corner), "{a:?} on the scale bar");
            for b in &placed[i + 1..] {
                assert!(!overlaps(&a.rect, &b.rect), "{a:?} overlaps {b:?}");
            }
        }
        // A name at the map's edge is moved inside, over its anchor; one wider than the map is skipped.
        let edge = [LabelCandidate { name: "Bord".into(), population: 1.0, anchor: (2.0, 200.0) }];
        let moved = place_labels(&edge, frame, &[], MAX_LABELS, 1.0, &measure);
        assert!(moved.len() == 1 && moved[0].rect[0] >= 0.0 && moved[0].rect[0] <= 2.0 && moved[0].rect[2] >= 2.0, "{moved:?}");
        let wide = [LabelCandidate { name: "x".repeat(40), population: 1.0, anchor: (200.0, 200.0) }];
        assert!(place_labels(&wide, frame, &[], MAX_LABELS, 1.0, &measure).is_empty());
    }

    #[test]
    fn departement_outline_dissolves_the_borders_inside_a_departement() {
        use geo_types::{LineString, MultiPolygon, Polygon, coord};
        let square = |x: f64| {
            let ring = LineString::from(vec![
                coord! { x: x, y: 0.0 },
                coord! { x: x + 1.0, y: 0.0 },
                coord! { x: x + 1.0, y: 1.0 },
                coord! { x: x, y: 1.0 },
                coord! { x: x, y: 0.0 },
            ]);
            MultiPolygon(vec![Polygon::new(ring, vec![])])
        };
        let commune = |c: &str| fragnum_core::ZoneCode::new(fragnum_core::Level::Commune, c).unwrap();
        let length = |runs: &[Vec<(f64, f64)>]| {
            runs.iter().flat_map(|r| r.windows(2)).map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1)).sum::<f64>()
        };
        let on_shared = |runs: &[Vec<(f64, f64)>]| runs.iter().flat_map(|r| r.windows(2)).any(|w| w[0].0 == 1.0 && w[1].0 == 1.0);
        let same: fragnum_core::ZoneGeometries = [(commune("38001"), square(0.0)), (commune("38002"), square(1.0))].into_iter().collect();
        let runs = departement_boundaries(&same);
        assert!((length(&runs) - 6.0).abs() < 1e-9 && !on_shared(&runs), "{runs:?}");
        let two: fragnum_core::ZoneGeometries = [(commune("38001"), square(0.0)), (commune("73001"), square(1.0))].into_iter().collect();
        let runs = departement_boundaries(&two);
        assert!((length(&runs) - 8.0).abs() < 1e-9 && on_shared(&runs), "{runs:?}");
    }

    #[test]
    fn print_map_names_the_largest_communes_over_the_departement_outline() {
        use geo_types::{LineString, MultiPolygon, Polygon, coord};
        if !font_present() {
            return;
        }
        let g = grid();
        let commune = |c: &str| fragnum_core::ZoneCode::new(fragnum_core::Level::Commune, c).unwrap();
        // Three communes, one column of the IRIS grid each.
        let strip = |x: f64| {
            let ring = LineString::from(vec![
                coord! { x: x, y: 45.17 },
                coord! { x: x + 0.01, y: 45.17 },
                coord! { x: x + 0.01, y: 45.2 },
                coord! { x: x, y: 45.2 },
                coord! { x: x, y: 45.17 },
            ]);
            MultiPolygon(vec![Polygon::new(ring, vec![])])
        };
        let towns = [("38185", "Grenoble", 158_000.0), ("38421", "Saint-Martin-d’Hères", 38_000.0), ("38151", "Échirolles", 36_000.0)];
        let communes: fragnum_core::ZoneGeometries =
            towns.iter().enumerate().map(|(i, t)| (commune(t.0), strip(5.7 + 0.01 * i as f64))).collect();
        let l = layer();
        let codes: Vec<_> = g.keys().collect();
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let mut context = ctx(&g, &[]);
        context.territory = "Isère".into();
        context.communes = Some(&communes);
        for (code, name, population) in towns {
            context.names.insert(commune(code), name.into());
            context.populations.insert(commune(code), population);
        }
        let svg = render_svg(&c, &context, PageSize::Web).unwrap();
        // Nine times a name: eight in white for the halo, one in ink. Saint-Martin-d’Hères, second
        // by population, is left out: its name is wider than its commune and would cover Grenoble's.
        let times = |name: &str| svg.matches(&format!("\n{name}\n")).count();
        assert_eq!((times("Grenoble"), times("Échirolles"), times("Saint-Martin-d’Hères")), (9, 9, 0));
        assert!(svg.contains("fill=\"#FFFFFF\""), "halo");
        let without = render_svg(&c, &ctx(&g, &[]), PageSize::Web).unwrap();
        assert!(!without.contains("\nGrenoble\n"), "no populations, no names");
    }

    #[test]
    fn wrap_keeps_words() {
        assert_eq!(wrap("Source : INSEE, RP 2019", 10), ["Source :", "INSEE, RP", "2019"]);
        assert_eq!(wrap("court", 10), ["court"]);
    }

    #[test]
    fn scale_bar_lengths() {
        assert_eq!(nice_length(3_700.0), 2_000.0);
        assert_eq!(nice_length(640.0), 500.0);
        assert_eq!(length_label(2_000.0), "2\u{202F}km");
        assert_eq!(length_label(500.0), "500\u{202F}m");
    }

    #[test]
    fn svg_snapshot_has_expected_elements_and_is_deterministic() {
        if !font_present() {
            return;
        }
        let g = grid();
        let s = sites();
        let l = layer();
        let codes: Vec<_> = g.keys().collect();
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let a = render_svg(&c, &ctx(&g, &s), PageSize::Web).unwrap();
        let b = render_svg(&c, &ctx(&g, &s), PageSize::Web).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with("<svg"));
        assert!(a.contains("width=\"1200\"") && a.contains("height=\"1400\""));
        assert!(a.contains("Part de la population en précarité numérique"));
        assert!(a.contains("Secret statistique") && a.contains("Données manquantes"));
        assert!(a.contains("Source : INSEE, RP 2019"));
        assert!(a.contains("France Services") && a.contains("Lieux d’accompagnement"));
        assert!(a.contains("\u{202F}m\n") || a.contains("\u{202F}km\n"), "scale bar label");
        // Class colours appear as fills (plotters writes them as #RRGGBB).
        for col in &c.colours {
            assert!(a.to_lowercase().contains(col.as_str()), "{col}");
        }
        assert!(a.matches("<polygon").count() >= 9);
    }

    #[test]
    fn control_characters_never_reach_a_print_map() {
        if !font_present() {
            return;
        }
        let g = grid();
        let mut l = layer();
        l.title = "Précarité\u{1b}[31m\u{0} numérique".into();
        l.source = "INSEE\u{7}\nRP".into();
        let codes: Vec<_> = g.keys().collect();
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let mut context = ctx(&g, &[]);
        context.territory = "Grenoble\u{0}\u{1b}".into();
        let svg = render_svg(&c, &context, PageSize::Web).unwrap();
        assert!(!svg.chars().any(|ch| ch.is_control() && ch != '\n'), "control character in the SVG");
        assert!(svg.contains("Précarité[31m numérique") && svg.contains("INSEE RP"));
    }

    #[test]
    fn png_has_size_and_class_colours_where_expected() {
        if !font_present() {
            return;
        }
        let g = grid();
        let l = layer();
        let codes: Vec<_> = g.keys().collect();
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let size = PageSize::Custom(600, 700);
        let context = ctx(&g, &[]);
        let png = render_png(&c, &context, size).unwrap();
        assert_eq!(png, render_png(&c, &context, size).unwrap(), "deterministic bytes");
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (600, 700));
        let proj = Layout::of(size).projection(&context).unwrap();
        // Centre of zone 0 (5.705, 45.175): value 5 → class 0; zone 7 (masked); zone 8 (missing).
        let probe = |lon: f64, lat: f64| {
            let (x, y) = proj.project(lon, lat);
            let p = img.get_pixel(x as u32, y as u32);
            format!("#{:02x}{:02x}{:02x}", p[0], p[1], p[2])
        };
        assert_eq!(probe(5.705, 45.175), c.colours[0]);
        assert_eq!(probe(5.715, 45.195), crate::ramp::MASKED_COLOUR);
        assert_eq!(probe(5.725, 45.195), crate::ramp::MISSING_COLOUR);
        // The hole in zone 4 is white.
        assert_eq!(probe(5.714, 45.184), "#ffffff");
        // Top-left corner is page background.
        assert_eq!(img.get_pixel(2, 2).0, [255, 255, 255]);
    }
}
