//! Fact sheets (« fiches quartier »): one self-contained HTML page per quartier plus an index.
//!
//! Pages are in French (`lang="fr"`), need no external resource (inline CSS and SVG, no script),
//! print on A4 (`@page`), use `<th scope>` headers and an SVG `<title>`, and escape every input
//! string. What is missing in the offer of services is stated plainly.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fragnum_core::{atomic, Cell, ZoneGeometry};

use crate::format::{number, value, with_unit, Unit, NNBSP};
use crate::map::{BBox, Projection};
use crate::RenderError;

/// One socio-demographic indicator, quartier against the perimeter.
#[derive(Debug, Clone, PartialEq)]
pub struct SocioRow {
    /// French label (`Part des 75 ans ou plus`).
    pub label: String,
    /// Value in the quartier.
    pub zone: Cell,
    /// Value over the whole perimeter (average or overall rate).
    pub perimeter: Cell,
    /// Unit of both values.
    pub unit: Unit,
}

/// Estimated digital precarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DigitalPrecarity {
    /// Estimated number of people.
    pub estimate: f64,
    /// Share of the population, percent (0–100).
    pub share: f64,
    /// Low end of the band of the share, percent.
    pub low: f64,
    /// High end of the band of the share, percent.
    pub high: f64,
}

/// Rank of the quartier on social precarity.
#[derive(Debug, Clone, PartialEq)]
pub struct SocialRank {
    /// 1 = most precarious.
    pub rank: usize,
    /// Number of quartiers ranked.
    pub of: usize,
    /// Class label in French (`Très forte`).
    pub class: String,
}

/// Indice de fragilité numérique: the global score and its axes.
#[derive(Debug, Clone, PartialEq)]
pub struct IfnScores {
    /// Global score.
    pub global: f64,
    /// Axes (French label, score).
    pub axes: Vec<(String, f64)>,
}

/// A site offering services, as listed in a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSite {
    /// Name of the place (escaped on output).
    pub name: String,
    /// Commune name, when known.
    pub commune: Option<String>,
    /// Services offered: keys of [`SERVICE_TYPES`] or their French names, any case/accents
    /// (`france_services`, `Conseiller numérique`, `wifi public`…).
    pub services: Vec<String>,
    /// Travel time from the quartier, minutes, when computed.
    pub minutes: Option<f64>,
    /// Position (lon, lat), drawn on the small map when inside the quartier.
    pub position: Option<(f64, f64)>,
}

/// The offer of services around a quartier.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceOffer {
    /// Sites inside the quartier.
    pub in_zone: Vec<ServiceSite>,
    /// Sites reachable within 20 minutes (may include those inside).
    pub within_20: Vec<ServiceSite>,
    /// Share of the population within 20 minutes of a site, percent.
    pub share_within_20: Option<f64>,
    /// Nearest site and its travel time in minutes.
    pub nearest: Option<(String, f64)>,
    /// Whether the sites list the services they offer (wifi, free access, training…). When they
    /// do not (only their kind is known), those rows read « non renseigné » and no absence is
    /// claimed: an unknown offer is not a missing one.
    pub services_described: bool,
}

/// Everything a sheet shows about one quartier.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetInput {
    /// Zone code (file name of the sheet).
    pub code: String,
    /// Quartier name.
    pub name: String,
    /// Commune name.
    pub commune: String,
    /// Population, when known.
    pub population: Option<f64>,
    /// Socio-demographic rows.
    pub socio: Vec<SocioRow>,
    /// Digital precarity estimate.
    pub digital: Option<DigitalPrecarity>,
    /// Social precarity rank.
    pub social: Option<SocialRank>,
    /// IFN scores.
    pub ifn: Option<IfnScores>,
    /// Services in and around the quartier.
    pub services: ServiceOffer,
    /// Outline (WGS84 lon/lat) for the small map.
    pub outline: Option<ZoneGeometry>,
    /// Sources and vintages, one line each.
    pub sources: Vec<String>,
}

/// A service type: key, French name, and how its absence is said in the quartier and within 20 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceType {
    /// Normalised key.
    pub key: &'static str,
    /// French name.
    pub label: &'static str,
    /// Other spellings accepted (normalised); the label's own normalised form is the key or one
    /// of these (a unit test checks it), so lookups never normalise the table.
    pub aliases: &'static [&'static str],
    /// `aucune France Services`…
    pub none: &'static str,
}

/// The service types listed in every sheet, in order.
pub const SERVICE_TYPES: [ServiceType; 7] = [
    ServiceType { key: "france_services", label: "France Services", aliases: &["fs", "maison_france_services"], none: "aucune France Services" },
    ServiceType {
        key: "conseiller_numerique",
        label: "Conseiller numérique",
        aliases: &["cnfs", "conseillers_numeriques", "conseiller_numerique_france_services"],
        none: "aucun conseiller numérique",
    },
    ServiceType { key: "mediation", label: "Médiation numérique", aliases: &["mediation_numerique", "lieu_de_mediation"], none: "aucun lieu de médiation numérique" },
    ServiceType { key: "wifi_public", label: "Wifi public", aliases: &["wifi", "acces_wifi", "point_wifi"], none: "aucun point wifi public" },
    ServiceType { key: "acces_libre", label: "Accès libre à un poste", aliases: &["libre_acces", "acces_libre_poste", "acces_libre_a_un_poste"], none: "aucun accès libre à un poste" },
    ServiceType {
        key: "acces_accompagne",
        label: "Accès accompagné",
        aliases: &["accompagnement", "acces_accompagne_poste"],
        none: "aucun lieu d’accès accompagné",
    },
    ServiceType { key: "formation", label: "Formation au numérique", aliases: &["formations", "formation_au_numerique", "atelier", "ateliers"], none: "aucune formation au numérique" },
];

/// Lowercase ASCII with accents removed and separators as `_`.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.trim().to_lowercase().chars() {
        let c = match fragnum_core::text::fold_accent(ch) {
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    out.trim_matches('_').to_string()
}

/// The service type a free-text service string denotes, if any.
///
/// ```
/// use fragnum_render::sheets::service_type;
/// assert_eq!(service_type("Wifi public").map(|t| t.key), Some("wifi_public"));
/// assert_eq!(service_type("CONSEILLER NUMÉRIQUE").map(|t| t.key), Some("conseiller_numerique"));
/// assert!(service_type("café").is_none());
/// ```
pub fn service_type(s: &str) -> Option<&'static ServiceType> {
    let n = normalise(s);
    SERVICE_TYPES.iter().find(|t| t.key == n || t.aliases.contains(&n.as_str()))
}

fn offers(site: &ServiceSite, t: &ServiceType) -> bool {
    site.services.iter().any(|s| service_type(s).is_some_and(|x| x.key == t.key))
}

/// Escapes text for HTML element content and attribute values.
///
/// ```
/// use fragnum_render::sheets::escape;
/// assert_eq!(escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A safe file stem for a zone code (ASCII letters, digits, `-`, `_`).
pub fn file_stem(code: &str) -> String {
    let s: String = code.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if s.is_empty() { "_".into() } else { s }
}

const CSS: &str = r"
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 190mm; padding: 8mm 6mm; font-size: 10.5pt; line-height: 1.4; }
a { color: #0b4f8a; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 2px solid #bd0026; padding-bottom: 1mm; }
.meta { color: #333; margin: 0; }
.grid { display: flex; gap: 6mm; align-items: flex-start; }
.grid > div { flex: 1; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; }
caption { text-align: left; font-weight: bold; padding-bottom: 1mm; }
th, td { border-bottom: 1px solid #bbb; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #f0f0f0; }
.chiffre { font-size: 15pt; font-weight: bold; }
.manque { color: #7a0019; font-weight: bold; }
ul.manques { padding-left: 5mm; }
.carte svg { width: 100%; max-width: 80mm; height: auto; border: 1px solid #bbb; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #333; border-top: 1px solid #bbb; padding-top: 2mm; }
section { break-inside: avoid; }
@media print { a { color: #1a1a1a; text-decoration: none; } .fil { display: none; } }
";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

fn cell(c: Cell, unit: Unit) -> String {
    match c {
        Cell::Value(v) => value(v, unit),
        Cell::Missing => "non disponible".into(),
        Cell::Masked => "secret statistique".into(),
    }
}

fn gap(zone: Cell, perimeter: Cell, unit: Unit) -> String {
    match (zone, perimeter) {
        (Cell::Value(a), Cell::Value(b)) => {
            let d = a - b;
            let unit_txt = if unit == Unit::Percent { format!("{NNBSP}pt") } else { String::new() };
            let s = number(d, unit.default_decimals());
            let s = if d > 0.0 && !s.chars().all(|c| c == '0' || c == ',') { format!("+{s}") } else { s };
            format!("{s}{unit_txt}")
        }
        _ => "–".into(),
    }
}

/// A small inline SVG of the outline (and sites inside) with a `<title>`.
fn outline_svg(id: &str, name: &str, outline: Option<&ZoneGeometry>, sites: &[ServiceSite]) -> String {
    let title = format!("Contour du quartier {name}");
    let Some(mp) = outline else {
        return format!("<p>Contour non disponible pour {}.</p>", escape(name));
    };
    let Some(bbox) = BBox::of([mp]) else {
        return format!("<p>Contour non disponible pour {}.</p>", escape(name));
    };
    let (w, h) = (320.0, 240.0);
    let proj = Projection::fit(bbox, 10.0, 10.0, w - 20.0, h - 20.0);
    let mut d = String::new();
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for (i, c) in ring.coords().enumerate() {
                let (x, y) = proj.project(c.x, c.y);
                let _ = write!(d, "{}{x:.1} {y:.1} ", if i == 0 { "M" } else { "L" });
            }
            d.push_str("Z ");
        }
    }
    let mut dots = String::new();
    for s in sites {
        if let Some((lon, lat)) = s.position {
            let (x, y) = proj.project(lon, lat);
            if (0.0..=w).contains(&x) && (0.0..=h).contains(&y) {
                let _ = write!(dots, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#1a1a1a\" stroke=\"#fff\" stroke-width=\"1.5\"><title>{}</title></circle>", escape(&s.name));
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"carte-{id}\"><title id=\"carte-{id}\">{}</title><path d=\"{}\" fill=\"#fdae61\" fill-rule=\"evenodd\" stroke=\"#7a0019\" stroke-width=\"1.5\"/>{dots}</svg>",
        escape(&title),
        d.trim_end()
    )
}

fn site_line(s: &ServiceSite) -> String {
    let mut line = escape(&s.name);
    if let Some(c) = &s.commune {
        let _ = write!(line, " ({})", escape(c));
    }
    if let Some(m) = s.minutes {
        let _ = write!(line, " — {}", with_unit(m, Unit::Minutes, 0));
    }
    line
}

/// The HTML of one sheet.
#[allow(clippy::too_many_lines)] // one linear page template, section after section
pub fn sheet_html(s: &SheetInput, perimeter_name: &str) -> String {
    let id = file_stem(&s.code);
    let mut b = String::new();
    let _ = write!(
        b,
        "<header>\n<p class=\"fil\"><a href=\"index.html\">← Tous les quartiers de {}</a></p>\n<h1>{}</h1>\n<p class=\"meta\">{} — code {}{}</p>\n</header>\n<main>\n",
        escape(perimeter_name),
        escape(&s.name),
        escape(&s.commune),
        escape(&s.code),
        s.population.map_or(String::new(), |p| format!(" — {} habitants", number(p, 0))),
    );
    // Map and headline figures side by side.
    let _ = write!(b, "<div class=\"grid\">\n<div class=\"carte\">{}</div>\n<div>\n", outline_svg(&id, &s.name, s.outline.as_ref(), &s.services.in_zone));
    b.push_str("<section>\n<h2>Précarité numérique</h2>\n");
    match s.digital {
        Some(d) => {
            let _ = write!(
                b,
                "<p><span class=\"chiffre\">{}</span> de la population, soit environ {} personnes.</p>\n<p>Fourchette d’estimation&#160;: de {} à {}.</p>\n",
                value(d.share, Unit::Percent),
                number(d.estimate, 0),
                value(d.low, Unit::Percent),
                value(d.high, Unit::Percent)
            );
        }
        None => b.push_str("<p class=\"manque\">Estimation non disponible pour ce quartier.</p>\n"),
    }
    b.push_str("</section>\n<section>\n<h2>Précarité sociale</h2>\n");
    match &s.social {
        Some(r) => {
            let _ = writeln!(
                b,
                "<p><span class=\"chiffre\">{}<sup>e</sup> sur {}</span> (1 = le plus précaire) — classe&#160;: {}.</p>",
                r.rank,
                r.of,
                escape(&r.class)
            );
        }
        None => b.push_str("<p class=\"manque\">Rang non disponible pour ce quartier.</p>\n"),
    }
    b.push_str("</section>\n</div>\n</div>\n");

    // Socio-demographics.
    b.push_str("<section>\n<h2>Chiffres clés</h2>\n");
    if s.socio.is_empty() {
        b.push_str("<p class=\"manque\">Aucun indicateur disponible.</p>\n");
    } else {
        let _ = write!(
            b,
            "<table>\n<caption>{} comparé à l’ensemble du périmètre ({})</caption>\n<thead><tr><th scope=\"col\">Indicateur</th><th scope=\"col\" class=\"n\">Quartier</th><th scope=\"col\" class=\"n\">Périmètre</th><th scope=\"col\" class=\"n\">Écart</th></tr></thead>\n<tbody>\n",
            escape(&s.name),
            escape(perimeter_name)
        );
        for r in &s.socio {
            let _ = writeln!(
                b,
                "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&r.label),
                cell(r.zone, r.unit),
                cell(r.perimeter, r.unit),
                gap(r.zone, r.perimeter, r.unit)
            );
        }
        b.push_str("</tbody>\n</table>\n");
    }
    b.push_str("</section>\n");

    // IFN.
    b.push_str("<section>\n<h2>Indice de fragilité numérique (IFN)</h2>\n");
    match &s.ifn {
        Some(ifn) => {
            let _ = writeln!(b, "<p>Score global&#160;: <span class=\"chiffre\">{}</span></p>", value(ifn.global, Unit::Index));
            if !ifn.axes.is_empty() {
                b.push_str("<table>\n<caption>Scores par axe</caption>\n<thead><tr><th scope=\"col\">Axe</th><th scope=\"col\" class=\"n\">Score</th></tr></thead>\n<tbody>\n");
                for (label, v) in &ifn.axes {
                    let _ = writeln!(b, "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td></tr>", escape(label), value(*v, Unit::Index));
                }
                b.push_str("</tbody>\n</table>\n");
            }
        }
        None => b.push_str("<p class=\"manque\">IFN non disponible pour ce quartier.</p>\n"),
    }
    b.push_str("</section>\n");

    // Services.
    let o = &s.services;
    b.push_str("<section>\n<h2>Offre d’accompagnement au numérique</h2>\n");
    b.push_str("<table>\n<caption>Nombre de lieux par type de service</caption>\n<thead><tr><th scope=\"col\">Service</th><th scope=\"col\" class=\"n\">Dans le quartier</th><th scope=\"col\" class=\"n\">À moins de 20 minutes</th></tr></thead>\n<tbody>\n");
    let mut missing = Vec::new();
    for t in &SERVICE_TYPES {
        // The three site kinds are always known; the other services only when sites list them.
        if !o.services_described && !crate::map::SITE_KINDS.iter().any(|(k, _)| *k == t.key) {
            let _ = writeln!(b, "<tr><th scope=\"row\">{}</th><td class=\"n\" colspan=\"2\">non renseigné</td></tr>", t.label);
            continue;
        }
        let inside = o.in_zone.iter().filter(|x| offers(x, t)).count();
        let near = o.within_20.iter().filter(|x| offers(x, t)).count();
        let _ = writeln!(b, "<tr><th scope=\"row\">{}</th><td class=\"n\">{inside}</td><td class=\"n\">{near}</td></tr>", t.label);
        if near == 0 {
            missing.push(format!("{} à moins de 20 minutes", t.none));
        } else if inside == 0 {
            missing.push(format!("{} dans le quartier", t.none));
        }
    }
    b.push_str("</tbody>\n</table>\n");
    if !missing.is_empty() {
        b.push_str("<p><strong>Ce qui manque&#160;:</strong></p>\n<ul class=\"manques\">\n");
        for m in &missing {
            let _ = writeln!(b, "<li class=\"manque\">{}{}</li>", m[..1].to_uppercase(), &m[1..]);
        }
        b.push_str("</ul>\n");
    }
    match o.share_within_20 {
        Some(p) => {
            let _ = writeln!(b, "<p>Part de la population à moins de 20 minutes d’un lieu&#160;: <strong>{}</strong>.</p>", value(p, Unit::Percent));
        }
        None => b.push_str("<p>Part de la population à moins de 20 minutes d’un lieu&#160;: non calculée.</p>\n"),
    }
    match &o.nearest {
        Some((name, minutes)) => {
            let _ = writeln!(b, "<p>Lieu le plus proche&#160;: {} ({}).</p>", escape(name), with_unit(*minutes, Unit::Minutes, 0));
        }
        None => b.push_str("<p class=\"manque\">Aucun lieu d’accompagnement connu à proximité.</p>\n"),
    }
    if o.in_zone.is_empty() {
        b.push_str("<p class=\"manque\">Aucun lieu d’accompagnement dans le quartier.</p>\n");
    } else {
        b.push_str("<p>Lieux dans le quartier&#160;:</p>\n<ul>\n");
        for x in &o.in_zone {
            let _ = writeln!(b, "<li>{}</li>", site_line(x));
        }
        b.push_str("</ul>\n");
    }
    b.push_str("</section>\n</main>\n<footer>\n");
    if s.sources.is_empty() {
        b.push_str("<p>Sources&#160;: non précisées.</p>\n");
    } else {
        b.push_str("<p>Sources&#160;:</p>\n<ul>\n");
        for src in &s.sources {
            let _ = writeln!(b, "<li>{}</li>", escape(src));
        }
        b.push_str("</ul>\n");
    }
    b.push_str("<p>Fiche produite par fragnum. Les effectifs INSEE à l’IRIS sont des estimations.</p>\n</footer>\n");
    page(&format!("{} — fiche quartier", s.name), &b)
}

/// The HTML of the index page linking every sheet.
pub fn index_html(sheets: &[SheetInput], perimeter_name: &str) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<header>\n<h1>Fiches quartier — {}</h1>\n<p class=\"meta\">{} quartiers</p>\n</header>\n<main>\n<table>\n<caption>Quartiers du périmètre</caption>\n<thead><tr><th scope=\"col\">Quartier</th><th scope=\"col\">Commune</th><th scope=\"col\" class=\"n\">Population</th><th scope=\"col\" class=\"n\">Précarité numérique</th><th scope=\"col\" class=\"n\">Rang social</th><th scope=\"col\" class=\"n\">IFN</th></tr></thead>\n<tbody>\n",
        escape(perimeter_name),
        number(sheets.len() as f64, 0)
    );
    for s in sheets {
        let _ = writeln!(
            b,
            "<tr><th scope=\"row\"><a href=\"{}.html\">{}</a></th><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            file_stem(&s.code),
            escape(&s.name),
            escape(&s.commune),
            s.population.map_or("–".into(), |p| number(p, 0)),
            s.digital.map_or("–".into(), |d| value(d.share, Unit::Percent)),
            s.social.as_ref().map_or("–".into(), |r| format!("{} / {}", r.rank, r.of)),
            s.ifn.as_ref().map_or("–".into(), |i| value(i.global, Unit::Index)),
        );
    }
    b.push_str("</tbody>\n</table>\n</main>\n");
    page(&format!("Fiches quartier — {perimeter_name}"), &b)
}

/// Writes `<out_dir>/sheets/<code>.html` for each quartier and `<out_dir>/sheets/index.html`.
pub fn write_sheets(sheets: &[SheetInput], perimeter_name: &str, out_dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let dir = out_dir.join("sheets");
    let mut files = Vec::with_capacity(sheets.len() + 1);
    for s in sheets {
        let path = dir.join(format!("{}.html", file_stem(&s.code)));
        atomic::write_bytes(&path, sheet_html(s, perimeter_name).as_bytes()).map_err(|e| RenderError::io(&path, e))?;
        files.push(path);
    }
    let path = dir.join("index.html");
    atomic::write_bytes(&path, index_html(sheets, perimeter_name).as_bytes()).map_err(|e| RenderError::io(&path, e))?;
    files.push(path);
    Ok(files)
}

#[cfg(test)]
pub(crate) mod tests {
    #[test]
    fn every_label_is_its_own_spelling() {
        for t in &SERVICE_TYPES {
            assert_eq!(service_type(t.label).map(|x| x.key), Some(t.key), "{}", t.label);
            assert!(t.aliases.iter().all(|a| normalise(a) == *a), "{:?}", t.aliases);
        }
    }

    use super::*;
    use geo_types::{coord, LineString, MultiPolygon, Polygon};

    pub(crate) fn sample() -> SheetInput {
        let ring = LineString::from(vec![
            coord! { x: 5.70, y: 45.17 },
            coord! { x: 5.72, y: 45.17 },
            coord! { x: 5.72, y: 45.19 },
            coord! { x: 5.70, y: 45.19 },
            coord! { x: 5.70, y: 45.17 },
        ]);
        let site = |name: &str, services: &[&str], minutes: f64| ServiceSite {
            name: name.into(),
            commune: Some("Grenoble".into()),
            services: services.iter().map(|s| (*s).to_string()).collect(),
            minutes: Some(minutes),
            position: Some((5.71, 45.18)),
        };
        SheetInput {
            code: "QP038001".into(),
            name: "Villeneuve & Village Olympique".into(),
            commune: "Grenoble".into(),
            population: Some(12_345.0),
            socio: vec![
                SocioRow { label: "Part des 75 ans ou plus".into(), zone: Cell::Value(12.5), perimeter: Cell::Value(9.1), unit: Unit::Percent },
                SocioRow { label: "Revenu médian".into(), zone: Cell::Masked, perimeter: Cell::Value(21_350.0), unit: Unit::Euros },
            ],
            digital: Some(DigitalPrecarity { estimate: 2_468.0, share: 20.0, low: 16.5, high: 24.0 }),
            social: Some(SocialRank { rank: 3, of: 42, class: "Très forte".into() }),
            ifn: Some(IfnScores { global: 142.3, axes: vec![("Accès aux interfaces numériques".into(), 150.2)] }),
            services: ServiceOffer {
                in_zone: vec![site("<script>alert(1)</script>", &["Médiation numérique", "Accès libre"], 4.0)],
                within_20: vec![
                    site("<script>alert(1)</script>", &["mediation", "acces_libre"], 4.0),
                    site("Maison des habitants", &["conseiller_numerique", "formation"], 12.0),
                ],
                share_within_20: Some(96.4),
                nearest: Some(("<script>alert(1)</script>".into(), 4.0)),
                services_described: true,
            },
            outline: Some(MultiPolygon(vec![Polygon::new(ring, vec![])])),
            sources: vec!["INSEE, RP 2019".into(), "ANCT, France Services 2023".into()],
        }
    }

    #[test]
    fn hostile_names_render_as_text() {
        let html = sheet_html(&sample(), "Grenoble <Alpes>");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("Villeneuve &amp; Village Olympique"));
        assert!(html.contains("Grenoble &lt;Alpes&gt;"));
        let index = index_html(&[sample()], "<b>x</b>");
        assert!(!index.contains("<b>x</b>"));
    }

    #[test]
    fn sheet_is_self_contained_accessible_and_french() {
        let html = sheet_html(&sample(), "Grenoble");
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
        assert!(html.contains("@page { size: A4"));
        assert!(html.contains("<th scope=\"col\">") && html.contains("<th scope=\"row\">"));
        assert!(html.contains("<svg") && html.contains("<title id=\"carte-QP038001\">Contour du quartier"));
        for bad in ["http://", "https://", "<script", "<link", "@import", "src="] {
            let ok = html.matches(bad).count() == usize::from(bad == "http://"); // the SVG xmlns only
            assert!(ok, "{bad}");
        }
        assert!(html.contains("12,5\u{202F}%") && html.contains("+3,4\u{202F}pt"));
        assert!(html.contains("secret statistique"));
        assert!(html.contains("20,0\u{202F}%") && html.contains("2\u{202F}468"));
        assert!(html.contains("3<sup>e</sup> sur 42"));
    }

    #[test]
    fn missing_offer_is_stated_plainly() {
        let html = sheet_html(&sample(), "Grenoble");
        assert!(html.contains("Aucune France Services à moins de 20 minutes"));
        assert!(html.contains("Aucun point wifi public à moins de 20 minutes"));
        assert!(html.contains("Aucun conseiller numérique dans le quartier"));
        assert!(!html.contains("Aucun lieu de médiation numérique"));
        let mut empty = sample();
        empty.services = ServiceOffer::default();
        let html = sheet_html(&empty, "Grenoble");
        assert!(html.contains("Aucun lieu d’accompagnement dans le quartier"));
        assert!(html.contains("non calculée"));
    }

    #[test]
    fn writes_one_page_per_quartier_and_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = sample();
        b.code = "381850101".into();
        let files = write_sheets(&[sample(), b], "Grenoble", dir.path()).unwrap();
        assert_eq!(files.len(), 3);
        let index = std::fs::read_to_string(dir.path().join("sheets/index.html")).unwrap();
        assert!(index.contains("href=\"QP038001.html\"") && index.contains("href=\"381850101.html\""));
    }
}
