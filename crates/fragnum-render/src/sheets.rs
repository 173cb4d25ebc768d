//! Fact sheets (« fiches quartier »): one self-contained HTML page per quartier plus an index.
//!
//! Pages are in French (`lang="fr"`), need no external resource (inline CSS and SVG; no script
//! in a sheet, a short inline one in the index for sorting, grouping and filtering),
//! print on A4 (`@page`), use `<th scope>` headers and an SVG `<title>`, and escape every input
//! string. What is missing in the offer of services is stated plainly.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fragnum_core::sites::SiteKind;
use fragnum_core::{Cell, Status, ZoneGeometry, atomic};

use crate::RenderError;
use crate::format::{NNBSP, Unit, number, value, with_unit};
use crate::map::{BBox, Projection};

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
#[derive(Debug, Clone, PartialEq)]
pub struct DigitalPrecarity {
    /// Estimated number of people.
    pub estimate: f64,
    /// The survey universe the share is of, as the rate file names it (`15 ans ou plus`).
    pub universe: String,
    /// Share of the survey universe, percent (0–100).
    pub share: f64,
    /// Low end of the 90 % interval of the share, percent.
    pub low: f64,
    /// High end of the 90 % interval of the share, percent.
    pub high: f64,
    /// The 90 % interval in people (low, high).
    pub interval: (f64, f64),
    /// Computed from the zone's own data, or imputed.
    pub status: Status,
    /// What an imputed zone borrowed, and from where, as the indices stage writes it
    /// (`universe: epci 200040715`, `age: departement 38 (known categories kept)`).
    pub imputed_from: Vec<String>,
    /// For a territory summed from zones (commune, EPCI, département, custom group): the part
    /// of its estimate that comes from imputed zones, percent. `None` for a single zone.
    pub imputed_share: Option<f64>,
    /// Standard errors in people: survey sampling, imputation, choice of estimator.
    pub standard_errors: [Option<f64>; 3],
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
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceOffer {
    /// The travel-time threshold the section speaks of (minutes): the access stage's
    /// `isochrone_min`, printed as written (« à moins de 20 minutes »).
    pub threshold_min: f64,
    /// Sites inside the quartier.
    pub in_zone: Vec<ServiceSite>,
    /// Sites that serve the quartier within the threshold (may include those inside).
    pub within: Vec<ServiceSite>,
    /// Share of the population within the threshold of a site, percent.
    pub share_within: Option<f64>,
    /// Nearest site and its travel time in minutes.
    pub nearest: Option<(String, f64)>,
    /// Whether the sites list the services they offer (wifi, free access, training…). When they
    /// do not (only their kind is known), those rows read « non renseigné » and no absence is
    /// claimed: an unknown offer is not a missing one.
    pub services_described: bool,
    /// Supply against need around the quartier, when the access stage computed it.
    pub supply: Option<SupplyLine>,
    /// Share of the population within the threshold by the other modes, percent, with how
    /// French says the mode (« à pied », « en transports en commun »).
    pub by_mode: Vec<(String, f64)>,
}

impl Default for ServiceOffer {
    fn default() -> Self {
        ServiceOffer {
            threshold_min: 20.0,
            in_zone: Vec::new(),
            within: Vec::new(),
            share_within: None,
            nearest: None,
            services_described: false,
            supply: None,
            by_mode: Vec::new(),
        }
    }
}

/// Supply weighed against need around a quartier (two-step floating catchment area).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SupplyLine {
    /// Supply per `per` people in need within the threshold (2SFCA).
    pub fca: Option<f64>,
    /// The same with a stepped distance decay (E2SFCA).
    pub e2sfca: Option<f64>,
    /// The reporting base (10,000).
    pub per: f64,
    /// What supply counts, in French, plural (« aidants »).
    pub unit: String,
    /// Who is in need, in French, plural (« habitants »).
    pub need: String,
    /// The catchment threshold (minutes).
    pub threshold_min: f64,
    /// Minutes to the 2nd nearest site.
    pub second_min: Option<f64>,
    /// Minutes to the 3rd nearest site.
    pub third_min: Option<f64>,
}

/// What a sheet is about: one zone, or a custom group of zones (`[indices.groups]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SheetKind {
    /// A zone: the sheet is named by its code (`381850101.html`).
    #[default]
    Zone,
    /// A custom group: named `groupe-<slug>.html`, so that no group name can take a zone's
    /// sheet or the index (see [`sheet_stems`]).
    Group,
}

/// Everything a sheet shows about one quartier.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetInput {
    /// Zone code, or the group's name (the file name is derived from it, see [`sheet_stems`]).
    pub code: String,
    /// A zone or a custom group.
    pub kind: SheetKind,
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
    /// The indices stage's notes on the estimate (`no population`, `2 member zone(s) without
    /// estimate`…): why there is none, or which members it leaves out; shown in French.
    pub digital_notes: Vec<String>,
    /// Social precarity rank.
    pub social: Option<SocialRank>,
    /// IFN scores.
    pub ifn: Option<IfnScores>,
    /// The IFN inputs the quartier lacks, in French (`revenu médian communal`, `part des 65 ans ou
    /// plus`), as the indices stage names them: said in words when there is no IFN.
    pub ifn_missing: Vec<String>,
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
    /// French name (a site kind's is its [`SiteKind::label`]).
    pub label: &'static str,
    /// The site kind this service is, for the three kinds every site is known by: their rows are
    /// filled even when sites do not describe their services.
    pub kind: Option<SiteKind>,
    /// Other spellings accepted (normalised); the label's own normalised form is the key or one
    /// of these (a unit test checks it), so lookups never normalise the table.
    pub aliases: &'static [&'static str],
    /// `aucune France Services`…
    pub none: &'static str,
}

impl ServiceType {
    /// The service type of a site kind: its key and label are the kind's.
    const fn site(kind: SiteKind, aliases: &'static [&'static str], none: &'static str) -> ServiceType {
        ServiceType { key: kind.key(), label: kind.label(), kind: Some(kind), aliases, none }
    }
}

/// The service types listed in every sheet, in order: the site kinds, then what sites offer.
pub const SERVICE_TYPES: [ServiceType; 7] = [
    ServiceType::site(SiteKind::FranceServices, &["fs", "maison_france_services"], "aucune France Services"),
    ServiceType::site(
        SiteKind::ConseillerNumerique,
        &["cnfs", "conseillers_numeriques", "conseiller_numerique_france_services"],
        "aucun conseiller numérique",
    ),
    ServiceType::site(
        SiteKind::Mediation,
        &["mediation_numerique", "lieu_de_mediation", "lieu_de_mediation_numerique"],
        "aucun lieu de médiation numérique",
    ),
    ServiceType {
        key: "wifi_public",
        label: "Wifi public",
        kind: None,
        aliases: &["wifi", "acces_wifi", "point_wifi"],
        none: "aucun point wifi public",
    },
    ServiceType {
        key: "acces_libre",
        label: "Accès libre à un poste",
        kind: None,
        aliases: &["libre_acces", "acces_libre_poste", "acces_libre_a_un_poste"],
        none: "aucun accès libre à un poste",
    },
    ServiceType {
        key: "acces_accompagne",
        label: "Accès accompagné",
        kind: None,
        aliases: &["accompagnement", "acces_accompagne_poste"],
        none: "aucun lieu d’accès accompagné",
    },
    ServiceType {
        key: "formation",
        label: "Formation au numérique",
        kind: None,
        aliases: &["formations", "formation_au_numerique", "atelier", "ateliers"],
        none: "aucune formation au numérique",
    },
];

/// Lowercase ASCII with accents removed and separators as `_`
/// ([`Normalise::SNAKE`](fragnum_core::text::Normalise::SNAKE)).
fn normalise(s: &str) -> String {
    fragnum_core::text::normalise(s, fragnum_core::text::Normalise::SNAKE)
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

/// The supply paragraph of the services section: 2SFCA, E2SFCA, 2nd and 3rd nearest sites.
fn supply_paragraph(l: &SupplyLine) -> String {
    let mut b = String::new();
    let base = format!("{} {}", number(l.per, 0), escape(&l.need));
    let minutes = number(l.threshold_min, 0);
    match l.fca {
        Some(v) => {
            let _ = write!(
                b,
                "<p>Offre rapportée au besoin (2SFCA, {minutes} minutes)&#160;: <strong>{} {}</strong> pour {base}",
                number(v, 1),
                escape(&l.unit)
            );
            if let Some(e) = l.e2sfca {
                let _ = write!(b, " ({} avec une pondération par la distance, E2SFCA)", number(e, 1));
            }
            b.push_str(".</p>\n");
        }
        None => {
            let _ = writeln!(b, "<p>Offre rapportée au besoin (2SFCA, {minutes} minutes)&#160;: non calculée.</p>");
        }
    }
    let time = |t: Option<f64>| t.map_or_else(|| "au-delà de la limite de calcul".to_string(), |t| with_unit(t, Unit::Minutes, 0));
    let _ = writeln!(b, "<p>Deuxième lieu le plus proche&#160;: {}&#160;; troisième&#160;: {}.</p>", time(l.second_min), time(l.third_min));
    b
}

/// Escapes text for HTML element content and attribute values, dropping the control characters
/// an input may carry ([`fragnum_core::text::printable`]: NUL, ESC…; tab and newline kept).
///
/// ```
/// use fragnum_render::sheets::escape;
/// assert_eq!(escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
/// assert_eq!(escape("Bel\u{0}air\u{1b}[2J"), "Belair[2J");
/// ```
pub fn escape(s: &str) -> String {
    let s = fragnum_core::text::printable(s);
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

/// Longest slug of a group name in a file name (the rest of a long name is cut).
const MAX_SLUG: usize = 60;

/// `Haute-Vallée` → `haute-vallee`: lower-case ASCII letters and digits, accents folded, any
/// other run of characters as one `-`, at most [`MAX_SLUG`] characters.
fn slug(name: &str) -> String {
    // `normalise` gives ASCII, so cutting at a byte count is safe.
    let mut out = normalise(name).replace('_', "-");
    out.truncate(MAX_SLUG);
    out.trim_end_matches('-').to_string()
}

/// The first 8 hexadecimal digits of the SHA-256 of `s`: stable across runs and machines.
fn short_hash(s: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(s.as_bytes()).iter().take(4).fold(String::new(), |mut h, b| {
        let _ = write!(h, "{b:02x}");
        h
    })
}

/// The file stem of each sheet (`<stem>.html` in `sheets/`), unique by construction, and never
/// `index`: a zone by its code ([`file_stem`]), a group as `groupe-<slug>`. Stems that would
/// collide — `Haute-Vallèe` and `Haute-Vallée`, codes differing only by case or punctuation
/// (equal on a case-insensitive disk), the reserved `index` — each get `-<8 hex digits>` of the
/// SHA-256 of their own name, so a sheet's name depends on its name and the names it collides
/// with, never on the order of the list; an exact duplicate is numbered (`-2`, `-3`…).
///
/// ```
/// use fragnum_render::sheets::{sheet_stems, SheetKind};
/// let stems = sheet_stems(&[("381850101", SheetKind::Zone), ("Haute-Vallée", SheetKind::Group), ("Centre", SheetKind::Group)]);
/// assert_eq!(stems, ["381850101", "groupe-haute-vallee", "groupe-centre"]);
/// let stems = sheet_stems(&[("Haute-Vallèe", SheetKind::Group), ("Haute-Vallée", SheetKind::Group)]);
/// assert!(stems[0].starts_with("groupe-haute-vallee-") && stems[0] != stems[1]);
/// ```
pub fn sheet_stems(sheets: &[(&str, SheetKind)]) -> Vec<String> {
    let base: Vec<String> = sheets
        .iter()
        .map(|&(code, kind)| match kind {
            SheetKind::Zone => file_stem(code),
            SheetKind::Group => match slug(code) {
                s if s.is_empty() => "groupe".into(),
                s => format!("groupe-{s}"),
            },
        })
        .collect();
    let key = |s: &str| s.to_ascii_lowercase();
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for b in &base {
        *count.entry(key(b)).or_default() += 1;
    }
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::from(["index".to_string()]);
    let mut stems = Vec::with_capacity(base.len());
    for (b, &(code, _)) in base.iter().zip(sheets) {
        let mut stem = if count[&key(b)] > 1 || key(b) == "index" { format!("{b}-{}", short_hash(code)) } else { b.clone() };
        let first = stem.clone();
        let mut n = 1;
        while !taken.insert(key(&stem)) {
            n += 1;
            stem = format!("{first}-{n}");
        }
        stems.push(stem);
    }
    stems
}

/// [`sheet_stems`] of a list of sheets.
/// The file name stem of each sheet of `sheets`, in order (see [`sheet_stems`]).
pub fn stems_of(sheets: &[SheetInput]) -> Vec<String> {
    sheet_stems(&sheets.iter().map(|s| (s.code.as_str(), s.kind)).collect::<Vec<_>>())
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
.impute { font-style: italic; }
.precision { font-size: 9pt; color: #333; }
ul.manques { padding-left: 5mm; }
.carte svg { width: 100%; max-width: 80mm; height: auto; border: 1px solid #bbb; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #333; border-top: 1px solid #bbb; padding-top: 2mm; }
section { break-inside: avoid; }
th button { font: inherit; font-weight: bold; background: none; border: none; padding: 0; cursor: pointer; color: inherit; text-align: inherit; }
th button::after { content: ' ⇅'; color: #555; }
tr.groupe th { background: #e8eef5; }
.outils { margin: 2mm 0; }
.outils input, .outils select { font: inherit; margin-right: 4mm; }
td.manque { font-size: 9pt; font-weight: normal; text-align: left; }
@media print { a { color: #1a1a1a; text-decoration: none; } .fil, .outils { display: none; } th button::after { content: ''; } }
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
                let _ = write!(
                    dots,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#1a1a1a\" stroke=\"#fff\" stroke-width=\"1.5\"><title>{}</title></circle>",
                    escape(&s.name)
                );
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

/// « des 15 ans ou plus » for a survey universe, « de la population » when none is named.
fn of_universe_fr(universe: &str) -> String {
    let u = universe.trim();
    if u.is_empty() { "de la population".into() } else { format!("des {u}") }
}

/// How an imputed universe was scaled (`(scaled to nscol15p)` from the indices stage), in French.
fn scaled_to_fr(proxy: &str) -> String {
    match proxy {
        "nscol15p" => "rapportée à ses 15 ans ou plus non scolarisés".into(),
        "pop" => "rapportée à sa population".into(),
        other => format!("rapportée à {other}"),
    }
}

/// What an imputation borrowed, in French: the survey universe or the strata of a dimension.
fn borrowed_fr(dimension: &str) -> String {
    match dimension {
        "universe" => "la population de 15 ans ou plus".into(),
        "age" => "la répartition par âge".into(),
        "csp" => "la répartition par catégorie socioprofessionnelle".into(),
        "diploma" => "la répartition par diplôme".into(),
        "income" => "la répartition par niveau de vie".into(),
        "" => "les données".into(),
        other => format!("la répartition par {other}"),
    }
}

/// The territory borrowed from, after « reprise » (`de la commune 38185`, `de l’EPCI 200040715`,
/// `du département 38`).
fn from_territory_fr(level: &str, code: &str) -> String {
    match level {
        "commune" => format!("de la commune {code}"),
        "epci" => format!("de l’EPCI {code}"),
        "departement" => format!("du département {code}"),
        "region" => format!("de la région {code}"),
        other => format!("de {other} {code}").trim_end().to_string(),
    }
}

/// `a`, `a et b`, `a, b et c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} et {last}", rest.join(", ")),
    }
}

/// What an imputed estimate borrowed and from where, in words, from the indices stage's
/// `imputed_from` (`universe: epci 200040715`, `age: departement 38 (known categories kept)`).
///
/// ```
/// use fragnum_render::sheets::imputation_sentence;
/// let s = imputation_sentence(&["universe: epci 200040715".into(), "age: epci 200040715".into()]);
/// assert_eq!(s, "Estimation imputée\u{a0}: la population de 15 ans ou plus et la répartition par âge sont reprises de l’EPCI 200040715 (zones voisines), faute de données propres à la zone.");
/// let s = imputation_sentence(&["universe: epci 200069110 (scaled to nscol15p)".into()]);
/// assert!(s.contains("la population de 15 ans ou plus (rapportée à ses 15 ans ou plus non scolarisés) est reprise de l’EPCI 200069110"), "{s}");
/// ```
pub fn imputation_sentence(imputed_from: &[String]) -> String {
    let mut by_source: Vec<(String, Vec<String>)> = Vec::new();
    for item in imputed_from {
        let (dimension, rest) = item.split_once(':').map_or(("", item.trim()), |(d, r)| (d.trim(), r.trim()));
        let (rest, partial) = rest.strip_suffix("(known categories kept)").map_or((rest, false), |r| (r.trim_end(), true));
        let (rest, scaled) = match rest.strip_suffix(')').and_then(|r| r.rsplit_once("(scaled to ")) {
            Some((r, proxy)) => (r.trim_end(), Some(scaled_to_fr(proxy.trim()))),
            None => (rest, None),
        };
        let source = rest.split_once(' ').map_or_else(|| format!("de {rest}"), |(level, code)| from_territory_fr(level, code.trim()));
        let mut what = borrowed_fr(dimension);
        if partial {
            what.push_str(" (pour ses catégories inconnues)");
        }
        if let Some(how) = scaled {
            what = format!("{what} ({how})");
        }
        match by_source.iter_mut().find(|(s, _)| *s == source) {
            Some((_, w)) => w.push(what),
            None => by_source.push((source, vec![what])),
        }
    }
    let Some(((_, first), _)) = by_source.split_first() else {
        return "Estimation imputée\u{a0}: estimée à partir du territoire englobant, faute de données propres à la zone.".into();
    };
    let plural = first.len() > 1 || first[0].starts_with("les ");
    let clauses: Vec<String> = by_source
        .iter()
        .enumerate()
        .map(|(i, (source, what))| {
            let verb = match (i, plural) {
                (0, true) => " sont reprises",
                (0, false) => " est reprise",
                _ => "",
            };
            format!("{}{verb} {source} (zones voisines)", and_list(what))
        })
        .collect();
    format!("Estimation imputée\u{a0}: {}, faute de données propres à la zone.", and_list(&clauses))
}

/// The part of a territory's estimate that comes from imputed zones, in words.
pub fn imputed_share_sentence(percent: f64) -> String {
    let part = match percent {
        p if p <= 0.0 => return "Somme des zones du territoire, toutes estimées à partir de leurs propres données.".into(),
        p if p >= 100.0 => return "Somme des zones du territoire, toutes imputées (estimées à partir du territoire englobant).".into(),
        p if p < 1.0 => format!("moins de 1{NNBSP}%"),
        p if p > 99.0 => format!("plus de 99{NNBSP}%"),
        p => with_unit(p.round(), Unit::Percent, 0),
    };
    format!("Somme des zones du territoire, dont {part} issus de zones imputées (estimées à partir du territoire englobant).")
}

/// The 90 % interval, in people and as shares.
pub fn interval_sentence(d: &DigitalPrecarity) -> String {
    format!(
        "Intervalle à 90{NNBSP}%\u{a0}: {} – {} personnes ({} – {}).",
        number(d.interval.0, 0),
        number(d.interval.1, 0),
        value(d.low, Unit::Percent),
        value(d.high, Unit::Percent)
    )
}

/// The three parts of the uncertainty, as standard errors in people.
pub fn standard_errors_sentence(d: &DigitalPrecarity) -> String {
    let own = d.status == Status::Computed && d.imputed_share.is_none_or(|p| p <= 0.0);
    let parts: Vec<String> = ["échantillonnage", "imputation", "choix de l’estimateur"]
        .iter()
        .zip(d.standard_errors)
        .map(|(name, se)| match se {
            Some(v) => format!("{name} {}", number(v, 0)),
            None if *name == "imputation" && own => format!("{name} sans objet"),
            None => format!("{name} non calculée"),
        })
        .collect();
    format!("Erreurs types, en personnes\u{a0}: {}.", parts.join(&format!("{NNBSP}; ")))
}

/// One note of the indices stage on an estimate, in French; `None` for notes not meant for readers.
fn note_fr(note: &str) -> Option<String> {
    match note {
        "no population" => return Some("la population de la zone n’est pas connue".into()),
        "no universe population, and no enclosing territory to impute it from" => {
            return Some("la population de 15 ans ou plus n’est pas connue, et aucun territoire englobant ne permet de l’estimer".into());
        }
        "zero population" => return Some("la zone ne compte aucun habitant".into()),
        _ => {}
    }
    if let Some(n) = note.strip_suffix(" member zone(s) without estimate").and_then(|n| n.parse::<usize>().ok()) {
        return Some(if n == 1 {
            "1 zone du territoire est sans estimation et n’est pas comptée".into()
        } else {
            format!("{n} zones du territoire sont sans estimation et ne sont pas comptées")
        });
    }
    let (dimension, what) = note.split_once(": ")?;
    let subject = borrowed_fr(dimension);
    if what == "strata missing" {
        return Some(format!("{subject} n’est pas connue"));
    }
    if what == "strata total zero" {
        return Some(format!("{subject} est nulle"));
    }
    if let Some((known, total)) = what.strip_suffix(" strata known").and_then(|w| w.split_once(" of ")) {
        return Some(format!("{subject} n’est connue que pour {known} catégories sur {total}"));
    }
    let cover = what.strip_prefix("strata cover ")?.strip_suffix(" % of the universe")?;
    Some(format!("{subject} couvre {cover}{NNBSP}% de la population de 15 ans ou plus seulement"))
}

/// Why a zone has no estimate, in words, from the indices stage's notes: the zone-wide reasons,
/// else those of its dimensions.
pub fn unavailable_sentence(notes: &[String]) -> String {
    let (zone_wide, dimensions): (Vec<&String>, Vec<&String>) = notes.iter().partition(|n| !n.contains(": "));
    let pick = |list: Vec<&String>| list.into_iter().filter_map(|n| note_fr(n)).collect::<Vec<String>>();
    let mut reasons = pick(zone_wide);
    if reasons.is_empty() {
        reasons = pick(dimensions);
    }
    if reasons.is_empty() {
        "Estimation non disponible pour ce quartier.".into()
    } else {
        format!("Estimation non disponible pour ce quartier\u{a0}: {}.", reasons.join(&format!("{NNBSP}; ")))
    }
}

/// The HTML of one sheet: the header, the outline map beside the two headline sections, then the
/// key figures, the IFN, the offer of services and the sources, one function each.
pub fn sheet_html(s: &SheetInput, perimeter_name: &str) -> String {
    let id = file_stem(&s.code);
    let mut b = sheet_header(s, perimeter_name);
    b.push_str("<main>\n");
    // Map and headline figures side by side.
    let _ = write!(
        b,
        "<div class=\"grid\">\n<div class=\"carte\">{}</div>\n<div>\n",
        outline_svg(&id, &s.name, s.outline.as_ref(), &s.services.in_zone)
    );
    b.push_str(&digital_section(s));
    b.push_str(&social_section(s.social.as_ref()));
    b.push_str("</div>\n</div>\n");
    b.push_str(&socio_section(s, perimeter_name));
    b.push_str(&ifn_section(s));
    b.push_str(&services_section(&s.services));
    b.push_str("</main>\n");
    b.push_str(&sheet_footer(&s.sources));
    page(&format!("{} — fiche quartier", s.name), &b)
}

/// One section of a sheet: its heading (a constant, not escaped) and its body.
fn section(title: &str, body: &str) -> String {
    format!("<section>\n<h2>{title}</h2>\n{body}</section>\n")
}

/// The header: a link back to the index, the name, commune, code and population.
fn sheet_header(s: &SheetInput, perimeter_name: &str) -> String {
    format!(
        "<header>\n<p class=\"fil\"><a href=\"index.html\">← Tous les quartiers de {}</a></p>\n<h1>{}</h1>\n<p class=\"meta\">{} — code {}{}</p>\n</header>\n",
        escape(perimeter_name),
        escape(&s.name),
        escape(&s.commune),
        escape(&s.code),
        s.population.map_or(String::new(), |p| format!(" — {} habitants", number(p, 0))),
    )
}

/// « Précarité numérique »: the share and number of people, the interval, how the figure was
/// imputed or summed, the standard errors; or why there is no estimate.
fn digital_section(s: &SheetInput) -> String {
    let mut b = String::new();
    match &s.digital {
        Some(d) => {
            let _ = write!(
                b,
                "<p><span class=\"chiffre\">{}</span> {}, soit environ {} personnes.</p>\n<p>{}</p>\n",
                value(d.share, Unit::Percent),
                escape(&of_universe_fr(&d.universe)),
                number(d.estimate, 0),
                escape(&interval_sentence(d)),
            );
            match d.imputed_share {
                Some(p) => {
                    let _ = writeln!(b, "<p>{}</p>", escape(&imputed_share_sentence(p)));
                }
                None if d.status == Status::Imputed => {
                    let _ = writeln!(b, "<p class=\"impute\">{}</p>", escape(&imputation_sentence(&d.imputed_from)));
                }
                None => {}
            }
            for note in s.digital_notes.iter().filter(|n| n.ends_with("without estimate")).filter_map(|n| note_fr(n)) {
                // « 2 zones du territoire… »: starts with a number.
                let _ = writeln!(b, "<p>{}.</p>", escape(&note));
            }
            let _ = writeln!(b, "<p class=\"precision\">{}</p>", escape(&standard_errors_sentence(d)));
        }
        None => {
            let _ = writeln!(b, "<p class=\"manque\">{}</p>", escape(&unavailable_sentence(&s.digital_notes)));
        }
    }
    section("Précarité numérique", &b)
}

/// « Précarité sociale »: the rank among the quartiers and the class.
fn social_section(rank: Option<&SocialRank>) -> String {
    let body = match rank {
        Some(r) => format!(
            "<p><span class=\"chiffre\">{}<sup>e</sup> sur {}</span> (1 = le plus précaire) — classe&#160;: {}.</p>\n",
            r.rank,
            r.of,
            escape(&r.class)
        ),
        None => "<p class=\"manque\">Rang non disponible pour ce quartier.</p>\n".into(),
    };
    section("Précarité sociale", &body)
}

/// « Chiffres clés »: the socio-demographic table, quartier against perimeter.
fn socio_section(s: &SheetInput, perimeter_name: &str) -> String {
    let mut b = String::new();
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
    section("Chiffres clés", &b)
}

/// « Indice de fragilité numérique »: the global score and the axes; or the inputs it lacks.
fn ifn_section(s: &SheetInput) -> String {
    let mut b = String::new();
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
        None if !s.ifn_missing.is_empty() => {
            let _ = writeln!(
                b,
                "<p class=\"manque\">IFN non calculé pour ce quartier\u{a0}: il manque {}.</p>",
                escape(&s.ifn_missing.join(", "))
            );
        }
        None => b.push_str("<p class=\"manque\">IFN non disponible pour ce quartier.</p>\n"),
    }
    section("Indice de fragilité numérique (IFN)", &b)
}

/// « Offre d’accompagnement au numérique »: places by service and what is missing, the shares
/// of the population within reach, the nearest place, supply against need, the places inside.
fn services_section(o: &ServiceOffer) -> String {
    let mut b = services_table(o);
    b.push_str(&reach_paragraphs(o));
    if let Some(line) = &o.supply {
        b.push_str(&supply_paragraph(line));
    }
    b.push_str(&sites_inside(&o.in_zone));
    section("Offre d’accompagnement au numérique", &b)
}

/// The number of places of each service type, inside and within the threshold, then the list
/// of what is missing (said plainly).
fn services_table(o: &ServiceOffer) -> String {
    let minutes = number(o.threshold_min, 0);
    let mut b = format!(
        "<table>\n<caption>Nombre de lieux par type de service</caption>\n<thead><tr><th scope=\"col\">Service</th><th scope=\"col\" class=\"n\">Dans le quartier</th><th scope=\"col\" class=\"n\">À moins de {minutes} minutes</th></tr></thead>\n<tbody>\n",
    );
    let mut missing = Vec::new();
    for t in &SERVICE_TYPES {
        // The site kinds are always known; the other services only when sites list them.
        if !o.services_described && t.kind.is_none() {
            let _ = writeln!(b, "<tr><th scope=\"row\">{}</th><td class=\"n\" colspan=\"2\">non renseigné</td></tr>", t.label);
            continue;
        }
        let inside = o.in_zone.iter().filter(|x| offers(x, t)).count();
        let near = o.within.iter().filter(|x| offers(x, t)).count();
        let _ = writeln!(b, "<tr><th scope=\"row\">{}</th><td class=\"n\">{inside}</td><td class=\"n\">{near}</td></tr>", t.label);
        if near == 0 {
            missing.push(format!("{} à moins de {minutes} minutes", t.none));
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
    b
}

/// The shares of the population within the threshold (by car, then by the other modes) and the
/// nearest place.
fn reach_paragraphs(o: &ServiceOffer) -> String {
    let mut b = String::new();
    let minutes = number(o.threshold_min, 0);
    match o.share_within {
        Some(p) => {
            let _ = writeln!(
                b,
                "<p>Part de la population à moins de {minutes} minutes d’un lieu&#160;: <strong>{}</strong>.</p>",
                value(p, Unit::Percent)
            );
        }
        None => {
            let _ = writeln!(b, "<p>Part de la population à moins de {minutes} minutes d’un lieu&#160;: non calculée.</p>");
        }
    }
    for (mode, share) in &o.by_mode {
        let _ = writeln!(
            b,
            "<p>Part à moins de {minutes} minutes {}&#160;: <strong>{}</strong>.</p>",
            escape(mode),
            value(*share, Unit::Percent)
        );
    }
    match &o.nearest {
        Some((name, minutes)) => {
            let _ = writeln!(b, "<p>Lieu le plus proche&#160;: {} ({}).</p>", escape(name), with_unit(*minutes, Unit::Minutes, 0));
        }
        None => b.push_str("<p class=\"manque\">Aucun lieu d’accompagnement connu à proximité.</p>\n"),
    }
    b
}

/// The places inside the quartier, or that there is none.
fn sites_inside(sites: &[ServiceSite]) -> String {
    if sites.is_empty() {
        return "<p class=\"manque\">Aucun lieu d’accompagnement dans le quartier.</p>\n".into();
    }
    let mut b = String::from("<p>Lieux dans le quartier&#160;:</p>\n<ul>\n");
    for x in sites {
        let _ = writeln!(b, "<li>{}</li>", site_line(x));
    }
    b.push_str("</ul>\n");
    b
}

/// The footer: sources and vintages, one line each, and what INSEE counts are.
fn sheet_footer(sources: &[String]) -> String {
    let mut b = String::from("<footer>\n");
    if sources.is_empty() {
        b.push_str("<p>Sources&#160;: non précisées.</p>\n");
    } else {
        b.push_str("<p>Sources&#160;:</p>\n<ul>\n");
        for src in sources {
            let _ = writeln!(b, "<li>{}</li>", escape(src));
        }
        b.push_str("</ul>\n");
    }
    b.push_str("<p>Fiche produite par fragnum. Les effectifs INSEE à l’IRIS sont des estimations.</p>\n</footer>\n");
    b
}

/// The index page's script: sorting by any column, grouping by commune or EPCI, filtering by name.
/// Rows carry their sort keys (`data-v`); blanks sort last whatever the direction.
const INDEX_JS: &str = r"
(function () {
  'use strict';
  var table = document.getElementById('fiches');
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = table.tHead.rows[0].cells;
  var sortCol = 4, sortDir = -1;
  function fold(s) { return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }
  function key(r, c) { var v = r.cells[c].getAttribute('data-v'); return v === null || v === '' ? null : v; }
  function cmp(a, b) {
    var x = key(a, sortCol), y = key(b, sortCol);
    if (x === null) { return y === null ? 0 : 1; }
    if (y === null) { return -1; }
    var nx = Number(x), ny = Number(y);
    var d = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y, 'fr') : nx - ny;
    return d * sortDir;
  }
  function render() {
    var q = fold(document.getElementById('filtre').value.trim());
    var by = document.getElementById('groupe').value;
    var shown = rows.filter(function (r) { return !q || fold(r.textContent).indexOf(q) >= 0; });
    shown.sort(cmp);
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var groups = {}, order = [];
    shown.forEach(function (r) {
      var g = by ? (r.getAttribute('data-' + by) || 'non renseigné') : '';
      if (!groups[g]) { groups[g] = []; order.push(g); }
      groups[g].push(r);
    });
    if (by) { order.sort(function (a, b) { return a.localeCompare(b, 'fr'); }); }
    order.forEach(function (g) {
      if (by) {
        var tr = document.createElement('tr');
        tr.className = 'groupe';
        var th = document.createElement('th');
        th.colSpan = heads.length;
        th.scope = 'rowgroup';
        th.textContent = g + ' — ' + groups[g].length + (groups[g].length > 1 ? ' zones' : ' zone');
        tr.appendChild(th);
        body.appendChild(tr);
      }
      groups[g].forEach(function (r, i) { r.cells[0].textContent = String(i + 1); body.appendChild(r); });
    });
    document.getElementById('compte').textContent = shown.length + ' zone(s) affichée(s) sur ' + rows.length + ', classées par « ' + heads[sortCol].textContent.trim() + ' » (' + (sortDir < 0 ? 'décroissant' : 'croissant') + ').';
    Array.prototype.forEach.call(heads, function (h, i) { if (h.querySelector('button')) { h.setAttribute('aria-sort', i === sortCol ? (sortDir < 0 ? 'descending' : 'ascending') : 'none'); } });
  }
  Array.prototype.forEach.call(heads, function (h, i) {
    var b = h.querySelector('button');
    if (!b) { return; }
    b.addEventListener('click', function () {
      if (sortCol === i) { sortDir = -sortDir; } else { sortCol = i; sortDir = h.classList.contains('n') ? -1 : 1; }
      document.getElementById('classer').value = String(sortCol);
      render();
    });
  });
  document.getElementById('classer').addEventListener('change', function (e) { sortCol = Number(e.target.value); sortDir = heads[sortCol].classList.contains('n') ? -1 : 1; render(); });
  document.getElementById('filtre').addEventListener('input', render);
  document.getElementById('groupe').addEventListener('change', render);
  document.getElementById('outils').hidden = false;
  render();
}());
";

/// A number as a sort key (`data-v`), the same on every machine.
fn sort_key(v: f64) -> String {
    format!("{v:.6}")
}

/// Why the digital estimate is blank, in a few words for a table cell.
fn digital_blank(s: &SheetInput) -> String {
    let sentence = unavailable_sentence(&s.digital_notes);
    match sentence.split_once("\u{a0}: ") {
        Some((_, reasons)) => format!("non disponible\u{a0}: {}", reasons.trim_end_matches('.')),
        None => "non disponible\u{a0}: pas d’estimation pour cette zone".into(),
    }
}

/// The HTML of the index page linking every sheet: one row per sheet, ranked by the share in
/// digital precarity; columns sortable, rows grouped by commune or EPCI and filtered by name
/// (a short inline script; without it the table reads as ranked). `epci` gives the EPCI of a
/// zone code, when known. Blanks say why in words.
pub fn index_html(sheets: &[SheetInput], perimeter_name: &str) -> String {
    index_html_with(sheets, perimeter_name, &std::collections::BTreeMap::new(), false)
}

/// [`index_html`] with the EPCI name of each zone code (grouping by EPCI), and a link to the
/// atlas (`../atlas/index.html`) when `atlas`.
pub fn index_html_with(
    sheets: &[SheetInput],
    perimeter_name: &str,
    epci: &std::collections::BTreeMap<String, String>,
    atlas: bool,
) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<header>\n{}<h1>Fiches quartier — {}</h1>\n<p class=\"meta\">{} fiches. Cliquer sur un en-tête de colonne pour trier&#160;; une case vide dit pourquoi.</p>\n</header>\n<main>\n",
        if atlas { "<p class=\"fil\"><a href=\"../atlas/index.html\">Voir l’atlas cartographique</a></p>\n" } else { "" },
        escape(perimeter_name),
        number(sheets.len() as f64, 0)
    );
    b.push_str(
        "<div id=\"outils\" class=\"outils\" hidden>\n<label for=\"filtre\">Filtrer (nom, commune, EPCI)</label> <input type=\"search\" id=\"filtre\">\n\
<label for=\"groupe\">Regrouper par</label> <select id=\"groupe\"><option value=\"\">aucun regroupement</option><option value=\"commune\">commune</option><option value=\"epci\">EPCI</option></select>\n\
<label for=\"classer\">Classer par</label> <select id=\"classer\"><option value=\"4\">précarité numérique</option><option value=\"3\">population</option><option value=\"5\">rang social</option><option value=\"6\">IFN</option><option value=\"1\">nom</option></select>\n\
<p id=\"compte\" role=\"status\"></p>\n</div>\n",
    );
    let col = |label: &str, numeric: bool| {
        let class = if numeric { " class=\"n\"" } else { "" };
        format!("<th scope=\"col\"{class}><button type=\"button\">{label}</button></th>")
    };
    let _ = write!(
        b,
        "<table id=\"fiches\">\n<caption>Zones du périmètre, de la plus forte à la plus faible part en précarité numérique</caption>\n<thead><tr><th scope=\"col\" class=\"n\">N°</th>{}{}{}{}{}{}</tr></thead>\n<tbody>\n",
        col("Quartier", false),
        col("Commune", false),
        col("Population", true),
        col("Précarité numérique", true),
        col("Rang social", true),
        col("IFN", true),
    );
    let mut rows: Vec<(&SheetInput, String)> = sheets.iter().zip(stems_of(sheets)).collect();
    // Ranked by the share in digital precarity (blanks last), then by name.
    rows.sort_by(|(a, _), (b, _)| match (&a.digital, &b.digital) {
        (Some(x), Some(y)) => y.share.total_cmp(&x.share),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    for (i, (s, stem)) in rows.iter().enumerate() {
        b.push_str(&index_row(i + 1, s, stem, epci));
    }
    let _ = write!(b, "</tbody>\n</table>\n</main>\n<script>{INDEX_JS}</script>\n");
    page(&format!("Fiches quartier — {perimeter_name}"), &b)
}

/// One row of the index: rank `n`, the sheet's link, commune, population, digital precarity,
/// social rank and IFN, each with its sort key; blanks say why.
fn index_row(n: usize, s: &SheetInput, stem: &str, epci: &std::collections::BTreeMap<String, String>) -> String {
    let group = s.kind == SheetKind::Group;
    let epci_name = epci.get(&s.code).map_or(String::new(), |e| escape(e));
    let commune_key = if group { "regroupements".to_string() } else { escape(&s.commune) };
    let population = match s.population {
        Some(p) => format!("<td class=\"n\" data-v=\"{}\">{}</td>", sort_key(p), number(p, 0)),
        None => "<td class=\"n manque\" data-v=\"\">population inconnue</td>".into(),
    };
    let digital = match &s.digital {
        Some(d) => {
            let imputed = if d.status == Status::Imputed && d.imputed_share.is_none() { " (imputée)" } else { "" };
            format!("<td class=\"n\" data-v=\"{}\">{}{imputed}</td>", sort_key(d.share), value(d.share, Unit::Percent))
        }
        None => format!("<td class=\"n manque\" data-v=\"\">{}</td>", escape(&digital_blank(s))),
    };
    let social = match &s.social {
        // Rank 1 is the most precarious: its key is the highest, so that « décroissant » lists it first.
        Some(r) => format!("<td class=\"n\" data-v=\"{}\">{} / {}</td>", sort_key(-(r.rank as f64)), r.rank, r.of),
        None => "<td class=\"n manque\" data-v=\"\">non classé&#160;: score social non calculé (variables manquantes)</td>".into(),
    };
    let ifn = match &s.ifn {
        Some(x) => format!("<td class=\"n\" data-v=\"{}\">{}</td>", sort_key(x.global), value(x.global, Unit::Index)),
        None if !s.ifn_missing.is_empty() => {
            format!("<td class=\"n manque\" data-v=\"\">non calculé&#160;: il manque {}</td>", escape(&s.ifn_missing.join(", ")))
        }
        None => "<td class=\"n manque\" data-v=\"\">non calculé pour cette zone</td>".into(),
    };
    format!(
        "<tr data-commune=\"{commune_key}\" data-epci=\"{epci_name}\"><td class=\"n\">{n}</td><th scope=\"row\" data-v=\"{}\"><a href=\"{stem}.html\">{}</a></th><td data-v=\"{}\">{}</td>{population}{digital}{social}{ifn}</tr>\n",
        escape(&s.name.to_lowercase()),
        escape(&s.name),
        escape(&s.commune.to_lowercase()),
        escape(&s.commune),
    )
}

/// Writes `<out_dir>/sheets/<stem>.html` for each quartier and group ([`sheet_stems`]: one file
/// each, none overwriting another) and `<out_dir>/sheets/index.html` linking them.
pub fn write_sheets(sheets: &[SheetInput], perimeter_name: &str, out_dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    write_sheets_with(sheets, perimeter_name, out_dir, &std::collections::BTreeMap::new(), false)
}

/// [`write_sheets`] with the EPCI name of each zone code, so that the index groups by EPCI, and
/// a link from the index to the atlas when `atlas`.
pub fn write_sheets_with(
    sheets: &[SheetInput],
    perimeter_name: &str,
    out_dir: &Path,
    epci: &std::collections::BTreeMap<String, String>,
    atlas: bool,
) -> Result<Vec<PathBuf>, RenderError> {
    write_pages(sheets, perimeter_name, out_dir, epci, atlas, &|s| sheet_html(s, perimeter_name))
}

/// Writes each sheet as `page` makes it, then the index: the one writer behind
/// [`write_sheets_with`] and the sheets with an « Évolution » section.
pub(crate) fn write_pages(
    sheets: &[SheetInput],
    perimeter_name: &str,
    out_dir: &Path,
    epci: &std::collections::BTreeMap<String, String>,
    atlas: bool,
    page: &dyn Fn(&SheetInput) -> String,
) -> Result<Vec<PathBuf>, RenderError> {
    let dir = out_dir.join("sheets");
    let mut files = Vec::with_capacity(sheets.len() + 1);
    for (s, stem) in sheets.iter().zip(stems_of(sheets)) {
        let path = dir.join(format!("{stem}.html"));
        atomic::write_bytes(&path, page(s).as_bytes()).map_err(|e| RenderError::io(&path, e))?;
        files.push(path);
    }
    let path = dir.join("index.html");
    atomic::write_bytes(&path, index_html_with(sheets, perimeter_name, epci, atlas).as_bytes()).map_err(|e| RenderError::io(&path, e))?;
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

    #[test]
    fn site_kinds_read_as_on_the_maps() {
        let kinds: Vec<SiteKind> = SERVICE_TYPES.iter().filter_map(|t| t.kind).collect();
        assert_eq!(kinds, SiteKind::ALL);
        for t in SERVICE_TYPES.iter().filter(|t| t.kind.is_some()) {
            let k = t.kind.unwrap();
            assert_eq!((t.key, t.label), (k.key(), k.label()));
            assert_eq!(service_type(k.key()).and_then(|x| x.kind), Some(k));
        }
        let html = sheet_html(&sample(), "Grenoble");
        assert!(
            html.contains("<tr><th scope=\"row\">Lieu de médiation numérique</th><td class=\"n\">1</td><td class=\"n\">1</td></tr>"),
            "{html}"
        );
        // Sites that do not describe their services still count by kind.
        let mut s = sample();
        s.services.services_described = false;
        let html = sheet_html(&s, "Grenoble");
        assert!(html.contains("<th scope=\"row\">Conseiller numérique</th><td class=\"n\">0</td><td class=\"n\">1</td>"), "{html}");
        assert!(html.contains("<th scope=\"row\">Wifi public</th><td class=\"n\" colspan=\"2\">non renseigné</td>"));
    }

    use super::*;
    use geo_types::{LineString, MultiPolygon, Polygon, coord};

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
            kind: SheetKind::Zone,
            name: "Villeneuve & Village Olympique".into(),
            commune: "Grenoble".into(),
            population: Some(12_345.0),
            socio: vec![
                SocioRow {
                    label: "Part des 75 ans ou plus".into(),
                    zone: Cell::Value(12.5),
                    perimeter: Cell::Value(9.1),
                    unit: Unit::Percent,
                },
                SocioRow { label: "Revenu médian".into(), zone: Cell::Masked, perimeter: Cell::Value(21_350.0), unit: Unit::Euros },
            ],
            digital: Some(DigitalPrecarity {
                estimate: 2_468.0,
                universe: "15 ans ou plus".into(),
                share: 20.0,
                low: 16.5,
                high: 24.0,
                interval: (2_037.0, 2_963.0),
                status: Status::Computed,
                imputed_from: vec![],
                imputed_share: None,
                standard_errors: [Some(210.4), None, Some(95.0)],
            }),
            digital_notes: vec!["csp: strata missing".into()],
            social: Some(SocialRank { rank: 3, of: 42, class: "Très forte".into() }),
            ifn: Some(IfnScores { global: 142.3, axes: vec![("Accès aux interfaces numériques".into(), 150.2)] }),
            ifn_missing: vec![],
            services: ServiceOffer {
                in_zone: vec![site("<script>alert(1)</script>", &["Médiation numérique", "Accès libre"], 4.0)],
                within: vec![
                    site("<script>alert(1)</script>", &["mediation", "acces_libre"], 4.0),
                    site("Maison des habitants", &["conseiller_numerique", "formation"], 12.0),
                ],
                share_within: Some(96.4),
                threshold_min: 20.0,
                nearest: Some(("<script>alert(1)</script>".into(), 4.0)),
                services_described: true,
                supply: Some(SupplyLine {
                    fca: Some(3.24),
                    e2sfca: Some(2.71),
                    per: 10_000.0,
                    unit: "aidants".into(),
                    need: "habitants".into(),
                    threshold_min: 20.0,
                    second_min: Some(14.2),
                    third_min: None,
                }),
                by_mode: vec![("à pied".into(), 61.5), ("en transports en commun".into(), 88.0)],
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
        assert!(html.contains("Offre rapportée au besoin (2SFCA, 20 minutes)&#160;: <strong>3,2 aidants</strong> pour 10"), "{html}");
        assert!(html.contains("(2,7 avec une pondération par la distance, E2SFCA)"));
        assert!(html.contains("troisième&#160;: au-delà de la limite de calcul"));
        assert!(html.contains("Part à moins de 20 minutes en transports en commun&#160;: <strong>88"), "{html}");
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
    fn digital_figure_has_its_interval_and_standard_errors() {
        let html = sheet_html(&sample(), "Grenoble");
        assert!(
            html.contains("Intervalle à 90\u{202F}%\u{a0}: 2\u{202F}037 – 2\u{202F}963 personnes (16,5\u{202F}% – 24,0\u{202F}%)."),
            "{html}"
        );
        assert!(html.contains(
            "Erreurs types, en personnes\u{a0}: échantillonnage 210\u{202F}; imputation sans objet\u{202F}; choix de l’estimateur 95."
        ));
        assert!(!html.contains("Estimation imputée") && !html.contains("Fourchette"));
        // Dimension notes of a computed figure are not shown.
        assert!(!html.contains("n’est pas connue"));
        let index = index_html(&[sample()], "Grenoble");
        assert!(index.contains("20,0\u{202F}%<") && !index.contains("(imputée)"));
    }

    #[test]
    fn imputed_figure_says_what_was_borrowed_and_from_where() {
        let mut s = sample();
        let d = s.digital.as_mut().unwrap();
        d.status = Status::Imputed;
        d.imputed_from = vec!["universe: epci 200040715".into(), "age: epci 200040715".into()];
        d.standard_errors[1] = Some(130.0);
        let html = sheet_html(&s, "Grenoble");
        assert!(html.contains(
            "<p class=\"impute\">Estimation imputée\u{a0}: la population de 15 ans ou plus et la répartition par âge sont reprises de l’EPCI 200040715 (zones voisines), faute de données propres à la zone.</p>"
        ), "{html}");
        assert!(html.contains("imputation 130"));
        assert!(index_html(&[s], "Grenoble").contains("20,0\u{202F}% (imputée)"));

        let mixed = imputation_sentence(&[
            "universe: commune 38185".into(),
            "diploma: departement 38 (known categories kept)".into(),
            "income: departement 38".into(),
            "csp: departement 38".into(),
        ]);
        assert_eq!(
            mixed,
            "Estimation imputée\u{a0}: la population de 15 ans ou plus est reprise de la commune 38185 (zones voisines) et la répartition par diplôme (pour ses catégories inconnues), la répartition par niveau de vie et la répartition par catégorie socioprofessionnelle du département 38 (zones voisines), faute de données propres à la zone."
        );
        assert_eq!(
            imputation_sentence(&["age: departement 38".into()]),
            "Estimation imputée\u{a0}: la répartition par âge est reprise du département 38 (zones voisines), faute de données propres à la zone."
        );
        assert!(imputation_sentence(&[]).contains("territoire englobant"));
    }

    #[test]
    fn territories_state_their_imputed_share_and_members_left_out() {
        let mut s = sample();
        let d = s.digital.as_mut().unwrap();
        d.status = Status::Imputed;
        d.imputed_share = Some(35.2);
        s.digital_notes = vec!["2 member zone(s) without estimate".into()];
        let html = sheet_html(&s, "Grenoble");
        assert!(
            html.contains(
                "Somme des zones du territoire, dont 35\u{202F}% issus de zones imputées (estimées à partir du territoire englobant)."
            ),
            "{html}"
        );
        assert!(html.contains("<p>2 zones du territoire sont sans estimation et ne sont pas comptées.</p>"));
        assert!(!html.contains("class=\"impute\""));
        assert!(!index_html(&[s], "Grenoble").contains("(imputée)"), "a territory is a sum, not an imputed figure");
        assert!(imputed_share_sentence(0.0).contains("toutes estimées à partir de leurs propres données"));
        assert!(imputed_share_sentence(0.4).contains("dont moins de 1\u{202F}% issus"));
        assert!(imputed_share_sentence(100.0).contains("toutes imputées"));
    }

    #[test]
    fn no_estimate_says_why() {
        let mut s = sample();
        s.digital = None;
        s.digital_notes = vec!["age: strata missing".into(), "no universe population, and no enclosing territory to impute it from".into()];
        let html = sheet_html(&s, "Grenoble");
        assert!(html.contains(
            "<p class=\"manque\">Estimation non disponible pour ce quartier\u{a0}: la population de 15 ans ou plus n’est pas connue, et aucun territoire englobant ne permet de l’estimer.</p>"
        ), "{html}");
        assert_eq!(
            unavailable_sentence(&["zero population".into()]),
            "Estimation non disponible pour ce quartier\u{a0}: la zone ne compte aucun habitant."
        );
        assert_eq!(
            unavailable_sentence(&["age: 2 of 4 strata known".into(), "diploma: strata cover 40 % of the universe".into()]),
            "Estimation non disponible pour ce quartier\u{a0}: la répartition par âge n’est connue que pour 2 catégories sur 4\u{202F}; la répartition par diplôme couvre 40\u{202F}% de la population de 15 ans ou plus seulement."
        );
        assert_eq!(unavailable_sentence(&[]), "Estimation non disponible pour ce quartier.");
        assert_eq!(unavailable_sentence(&["something new".into()]), "Estimation non disponible pour ce quartier.");
    }

    #[test]
    fn missing_ifn_inputs_are_said_in_words() {
        let mut s = sample();
        s.ifn = None;
        s.ifn_missing = vec!["revenu médian communal".into(), "part des 65 ans ou plus".into()];
        let html = sheet_html(&s, "Grenoble");
        assert!(
            html.contains(
                "<p class=\"manque\">IFN non calculé pour ce quartier\u{a0}: il manque revenu médian communal, part des 65 ans ou plus.</p>"
            ),
            "{html}"
        );
        let index = index_html(std::slice::from_ref(&s), "Grenoble");
        assert!(
            index.contains(
                "<td class=\"n manque\" data-v=\"\">non calculé&#160;: il manque revenu médian communal, part des 65 ans ou plus</td>"
            ),
            "{index}"
        );
        s.ifn_missing.clear();
        assert!(sheet_html(&s, "Grenoble").contains("IFN non disponible pour ce quartier."));
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

    #[test]
    fn colliding_names_get_a_sheet_each_and_the_index_links_them() {
        let dir = tempfile::tempdir().unwrap();
        let zone = |code: &str| SheetInput { code: code.into(), ..sample() };
        let group = |name: &str| SheetInput { code: name.into(), kind: SheetKind::Group, name: name.into(), ..sample() };
        let sheets = [
            zone("381850101"),
            zone("2A0040101"),
            zone("2a0040101"),
            group("Haute-Vallèe"),
            group("Haute-Vallée"),
            group("index"),
            group("Index"),
            group("381850101"),
            group("Centre"),
            group("***"),
        ];
        let files = write_sheets(&sheets, "Grenoble", dir.path()).unwrap();
        assert_eq!(files.len(), sheets.len() + 1);
        let on_disk = std::fs::read_dir(dir.path().join("sheets")).unwrap().count();
        assert_eq!(on_disk, sheets.len() + 1, "no sheet overwrote another");
        let stems = stems_of(&sheets);
        assert_eq!(stems[0], "381850101");
        assert_eq!(stems[7], "groupe-381850101", "a group named like a code keeps away from the zone's sheet");
        assert_eq!(stems[8], "groupe-centre");
        assert_eq!(stems[9], "groupe");
        for (i, prefix) in [
            (1, "2A0040101-"),
            (2, "2a0040101-"),
            (3, "groupe-haute-vallee-"),
            (4, "groupe-haute-vallee-"),
            (5, "groupe-index-"),
            (6, "groupe-index-"),
        ] {
            assert!(stems[i].starts_with(prefix) && stems[i].len() == prefix.len() + 8, "{}", stems[i]);
        }
        // Stable: the same names give the same files whatever the order.
        let mut reversed = sheets.to_vec();
        reversed.reverse();
        let mut again = stems_of(&reversed);
        again.reverse();
        assert_eq!(again, stems);
        // The index links each sheet's own file, and each file holds its own sheet.
        let index = std::fs::read_to_string(dir.path().join("sheets/index.html")).unwrap();
        for (s, stem) in sheets.iter().zip(&stems) {
            assert!(index.contains(&format!("href=\"{stem}.html\">{}</a>", escape(&s.name))), "{stem}");
            let html = std::fs::read_to_string(dir.path().join(format!("sheets/{stem}.html"))).unwrap();
            assert!(html.contains(&format!("<h1>{}</h1>", escape(&s.name))), "{stem}");
        }
        let html = std::fs::read_to_string(dir.path().join(format!("sheets/{}.html", stems[4]))).unwrap();
        assert!(html.contains("<h1>Haute-Vallée</h1>"));
    }

    #[test]
    fn control_characters_never_reach_a_sheet() {
        let mut s = sample();
        s.name = "Bel\u{0}air\u{1b}[31m".into();
        s.commune = "Gre\u{7f}noble\r".into();
        s.services.in_zone[0].name = "Maison\u{1b}]0;x\u{7}".into();
        s.sources.push("INSEE\u{85}, RP\u{0}".into());
        let html = sheet_html(&s, "Grenoble\u{1b}");
        let index = index_html(std::slice::from_ref(&s), "Grenoble\u{0}");
        for page in [&html, &index] {
            assert!(!page.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{page:?}");
            assert!(page.contains("Belair[31m"));
        }
        assert!(html.contains("Maison]0;x") && html.contains("<p class=\"meta\">Grenoble — code QP038001"), "{html}");
    }
}
