//! Advisor sites and candidate locations from CSV, with their capacity (advisors, weekly hours).
//!
//! Generic header: `id,name,kind,commune_insee,postcode,lon,lat,source[,services][,horaires]
//! [,advisors][,hours_per_week]` (any separator, any column order; `services` is a `|`-separated
//! list; `horaires` or `opening_hours` in OSM syntax, as the conseiller-numérique file writes them,
//! kept as text and turned into weekly hours; `advisors` may be called `n_aidants`).
//!
//! The national exports are also recognised by their header ([`Layout`]), as downloaded:
//! the conseiller-numérique « lieux de médiation numérique » export (ids `cnfs-<id>`, advisors
//! from `n_aidants`, hours from `horaires`), the ANCT « Liste des France services » (`fs-<id_fs>`,
//! hours from `h_lundi`…`h_samedi`) and the Hinaura hub's export (`hinaura-<rank of the data
//! row>`, hours from `Lundi`…`Dimanche`; its rows without coordinates are a warning and dropped).
//! A capacity cell that cannot be read, or a negative or absurd value (more than
//! [`MAX_ADVISORS`] advisors, more than 168 hours a week), is a warning naming the cell, and the
//! site gets no figure; a note sums up what was read.
//!
//! Coordinates are WGS84 longitude/latitude;
//! projected values (Lambert-93 metres) are refused with the line and column, and so are lon and
//! lat swapped: when more than 90 % of the rows lie outside France ([`FRANCE`]) but inside it
//! with the two exchanged; a few such rows are a warning. A site id given
//! twice is a warning with both lines; the first row is kept.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use fragnum_core::sites::Site;
use fragnum_core::{Cell, Location};

use crate::number::{Blank, parse_cell, parse_value};
use crate::opening_hours::{day_hours, weekly_hours};
use crate::roads::check_position;
use crate::tabular::{Row, Tabular};
use crate::{IngestError, Report, Severity};

/// Reads a sites (or candidates) CSV.
pub fn read_sites(path: &Path, report: &mut Report) -> Result<Vec<Site>, IngestError> {
    let t = Tabular::read(path, None, report)?;
    sites_from(&t, report)
}

/// Parses sites CSV text read from `path` (used in errors).
///
/// ```
/// let text = "id,name,kind,commune_insee,postcode,lon,lat,source,services\n\
///             fs-1,Mairie,france_services,38185,38000,5.72,45.18,test,aide|impression\n";
/// let mut report = fragnum_ingest::Report::default();
/// let sites = fragnum_ingest::sites::parse_sites(std::path::Path::new("s.csv"), text, &mut report).unwrap();
/// assert_eq!(sites[0].services, ["aide", "impression"]);
/// assert_eq!(sites[0].commune.as_deref(), Some("38185"));
/// assert_eq!(sites[0].opening_hours, None);
/// ```
pub fn parse_sites(path: &Path, text: &str, report: &mut Report) -> Result<Vec<Site>, IngestError> {
    sites_from(&Tabular::parse(path, text, None)?, report)
}

/// Where French sites and population cells can be, as lon/lat boxes `[west, south, east,
/// north]`: metropolitan France with Corsica, then the overseas départements and collectivités.
pub const FRANCE: [[f64; 4]; 9] = [
    [-5.5, 41.0, 10.0, 51.5],       // metropolitan France and Corsica
    [-63.2, 14.3, -60.7, 18.2],     // Antilles: Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy
    [-54.7, 2.0, -51.5, 6.0],       // Guyane
    [55.1, -21.5, 55.9, -20.8],     // La Réunion
    [44.9, -13.1, 45.4, -12.5],     // Mayotte
    [-56.5, 46.7, -56.0, 47.2],     // Saint-Pierre-et-Miquelon
    [-178.3, -14.4, -176.0, -13.1], // Wallis-et-Futuna
    [-154.9, -27.7, -134.9, -7.8],  // Polynésie française
    [163.5, -22.8, 168.2, -19.5],   // Nouvelle-Calédonie
];

/// Whether (lon, lat) lies in one of the [`FRANCE`] boxes, each widened by `margin` degrees.
pub(crate) fn in_france(lon: f64, lat: f64, margin: f64) -> bool {
    FRANCE.iter().any(|[w, s, e, n]| lon >= w - margin && lon <= e + margin && lat >= s - margin && lat <= n + margin)
}

/// Checks that longitude and latitude are not swapped: `positions[i]` (lon, lat) was read from
/// line `lines[i]`; `what` names the rows (`sites`, `cells`), `name(i)` one row for the message.
/// More than 90 % of the rows outside France but inside it with lon and lat exchanged is an
/// error (at the first such row, column `lon`); fewer is a warning.
///
/// ```
/// let text = "id,lon,lat\na,45.18,5.72\nb,45.19,5.73\n";
/// let err = fragnum_ingest::sites::parse_sites(std::path::Path::new("s.csv"), text, &mut Default::default()).unwrap_err();
/// assert!(err.to_string().contains("lon and lat look swapped"), "{err}");
/// ```
pub(crate) fn check_swapped(
    t: &Tabular,
    positions: &[(f64, f64)],
    lines: &[u64],
    (lon, lat): (usize, usize),
    what: &str,
    name: &dyn Fn(usize) -> String,
    report: &mut Report,
) -> Result<(), IngestError> {
    let swapped: Vec<usize> = (0..positions.len())
        .filter(|&i| !in_france(positions[i].0, positions[i].1, 0.0) && in_france(positions[i].1, positions[i].0, 0.0))
        .collect();
    let Some(&first) = swapped.first() else { return Ok(()) };
    let (x, y) = positions[first];
    let location = Location::at(&t.path, lines[first], lon as u64 + 1);
    let (lon_name, lat_name) = (&t.header[lon], &t.header[lat]);
    if swapped.len() * 10 > positions.len() * 9 {
        return Err(IngestError::Crs {
            location,
            message: format!(
                "lon and lat look swapped: {} of {} {what} lie outside France but inside it with longitude and latitude exchanged \
                 (e.g. {} at lon {x}, lat {y}); exchange the columns `{lon_name}` and `{lat_name}`",
                swapped.len(),
                positions.len(),
                name(first)
            ),
        });
    }
    report.push(
        Severity::Warning,
        location,
        format!(
            "{} of {} {what} lie outside France but inside it with `{lon_name}` and `{lat_name}` exchanged (e.g. {} at lon {x}, lat {y}): are they swapped on these rows?",
            swapped.len(),
            positions.len(),
            name(first)
        ),
    );
    Ok(())
}

/// Reads the longitude and latitude cells of a row: numbers as French files write them
/// ([`parse_cell`]), then checked to be WGS84 degrees by the same rule as road networks
/// ([`check_position`]); an error points at the offending column.
pub(crate) fn lon_lat(t: &Tabular, line: u64, fields: Row<'_>, lon: usize, lat: usize) -> Result<(f64, f64), IngestError> {
    let number = |col: usize| {
        let text = Tabular::field(fields, col).trim();
        match parse_cell(text, Blank::Missing) {
            Ok(Cell::Value(v)) => Ok(v),
            _ => Err(IngestError::NotANumber {
                location: Location::at(&t.path, line, col as u64 + 1),
                column: t.header[col].clone(),
                text: text.to_string(),
            }),
        }
    };
    let (x, y) = (number(lon)?, number(lat)?);
    let col = if x.is_finite() && x.abs() <= 180.0 { lat } else { lon };
    check_position(x, y, &Location::at(&t.path, line, col as u64 + 1), &format!("columns `{}`, `{}`", t.header[lon], t.header[lat]))?;
    Ok((x, y))
}

/// More advisors than this at one site is a misread figure, not a staff.
pub const MAX_ADVISORS: f64 = 100.0;

/// Hours in a week: more opening hours than this is a misread figure.
const WEEK_HOURS: f64 = 168.0;

/// The sites file layouts [`read_sites`] recognises by their header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The project's own: `id,name,kind,commune_insee,postcode,lon,lat,source[,…]`.
    Generic,
    /// The conseiller-numérique « lieux de médiation numérique » export: `id,nom,services,pivot,…,
    /// latitude,longitude,…,horaires,…,n_aidants` (no `kind` column).
    ConseillerNumerique,
    /// The ANCT « Liste des France services »: `id_fs,…,lib_fs,…,insee_com,…,h_lundi…h_samedi`.
    FranceServices,
    /// The Hinaura hub's export: `Nom du lieu ou de la structure *`, `bf_latitude`,
    /// `bf_longitude`, `Lundi`…`Dimanche`.
    Hinaura,
}

impl Layout {
    /// Recognises the layout of a table by its header.
    ///
    /// ```
    /// use fragnum_ingest::sites::Layout;
    /// let t = fragnum_ingest::tabular::Tabular::parse(std::path::Path::new("fs.csv"), "id_fs,lib_fs,latitude,longitude\n1,A,45.1,5.7\n", None).unwrap();
    /// assert_eq!(Layout::of(&t), Layout::FranceServices);
    /// ```
    pub fn of(t: &Tabular) -> Self {
        let has = |names: &[&str]| names.iter().all(|n| t.find(&[n]).is_some());
        if has(&["id_fs", "lib_fs"]) {
            Layout::FranceServices
        } else if t.find(HINAURA_NAME).is_some() && has(&["bf_latitude", "bf_longitude"]) {
            Layout::Hinaura
        } else if t.find(&["kind", "type"]).is_none() && has(&["id", "nom", "pivot", "services", "latitude", "longitude"]) {
            Layout::ConseillerNumerique
        } else {
            Layout::Generic
        }
    }

    /// The layout's name in the report.
    fn describe(self) -> &'static str {
        match self {
            Layout::Generic => "generic layout",
            Layout::ConseillerNumerique => "conseiller-numérique « lieux de médiation numérique » export",
            Layout::FranceServices => "France Services export",
            Layout::Hinaura => "Hinaura export",
        }
    }
}

const HINAURA_NAME: &[&str] = &["nom du lieu ou de la structure *", "nom du lieu ou de la structure"];
const FS_DAYS: [&str; 7] = ["h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi", "h_dimanche"];
const HINAURA_DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

/// Where each field of a [`Site`] is in a table of a given [`Layout`].
struct Columns {
    layout: Layout,
    /// `None`: ids are the rank of the data row (Hinaura has no id column).
    id: Option<usize>,
    prefix: &'static str,
    lon: usize,
    lat: usize,
    name: Option<usize>,
    kind: Option<usize>,
    /// The kind of every row when there is no kind column (native layouts).
    fixed_kind: &'static str,
    commune: Option<usize>,
    source: Option<usize>,
    services: Option<(usize, char)>,
    /// OSM `opening_hours` text.
    opening_hours: Option<(usize, String)>,
    advisors: Option<(usize, String)>,
    /// A number of weekly hours.
    hours_per_week: Option<usize>,
    /// One column per weekday, with the tag naming them.
    days: Vec<usize>,
    days_tag: String,
}

impl Columns {
    fn of(t: &Tabular) -> Result<Self, IngestError> {
        let layout = Layout::of(t);
        let osm = |t: &Tabular| t.find(&["horaires", "opening_hours"]).map(|c| (c, format!("{} (OSM opening_hours)", t.header[c])));
        let days = |names: &[&str]| -> (Vec<usize>, String) {
            let found: Vec<usize> = names.iter().filter_map(|n| t.find(&[n])).collect();
            let tag = match (found.first(), found.last()) {
                (Some(&a), Some(&b)) if a != b => format!("{}…{}", t.header[a], t.header[b]),
                (Some(&a), _) => t.header[a].clone(),
                _ => String::new(),
            };
            (found, tag)
        };
        let empty = Columns {
            layout,
            id: None,
            prefix: "",
            lon: 0,
            lat: 0,
            name: None,
            kind: None,
            fixed_kind: "",
            commune: None,
            source: None,
            services: None,
            opening_hours: None,
            advisors: None,
            hours_per_week: None,
            days: Vec::new(),
            days_tag: String::new(),
        };
        Ok(match layout {
            Layout::Generic => Columns {
                id: Some(t.require(&["id"])?),
                lon: t.require(&["lon", "longitude", "x"])?,
                lat: t.require(&["lat", "latitude", "y"])?,
                name: t.find(&["name", "nom"]),
                kind: t.find(&["kind", "type"]),
                commune: t.find(&["commune_insee", "insee_com", "commune"]),
                source: t.find(&["source"]),
                services: t.find(&["services"]).map(|c| (c, '|')),
                opening_hours: osm(t),
                advisors: t
                    .find(&["advisors"])
                    .map(|c| (c, "advisors column".to_string()))
                    .or_else(|| t.find(&["n_aidants"]).map(|c| (c, "n_aidants".to_string()))),
                hours_per_week: t.find(&["hours_per_week"]),
                ..empty
            },
            Layout::ConseillerNumerique => Columns {
                id: Some(t.require(&["id"])?),
                prefix: "cnfs-",
                lon: t.require(&["longitude"])?,
                lat: t.require(&["latitude"])?,
                name: t.find(&["nom"]),
                fixed_kind: "conseiller_numerique",
                // `commune` is the commune's name here, not its code.
                commune: t.find(&["code_insee", "commune_insee", "insee_com"]),
                source: t.find(&["source"]),
                services: t.find(&["services"]).map(|c| (c, ';')),
                opening_hours: osm(t),
                advisors: t.find(&["n_aidants"]).map(|c| (c, "n_aidants".to_string())),
                ..empty
            },
            Layout::FranceServices => {
                let (days, days_tag) = days(&FS_DAYS);
                Columns {
                    id: Some(t.require(&["id_fs"])?),
                    prefix: "fs-",
                    lon: t.require(&["longitude"])?,
                    lat: t.require(&["latitude"])?,
                    name: t.find(&["lib_fs"]),
                    fixed_kind: "france_services",
                    commune: t.find(&["insee_com"]),
                    days,
                    days_tag,
                    ..empty
                }
            }
            Layout::Hinaura => {
                let (days, days_tag) = days(&HINAURA_DAYS);
                Columns {
                    prefix: "hinaura-",
                    lon: t.require(&["bf_longitude"])?,
                    lat: t.require(&["bf_latitude"])?,
                    name: t.find(HINAURA_NAME),
                    fixed_kind: "mediation",
                    days,
                    days_tag,
                    ..empty
                }
            }
        })
    }
}

/// What was read of the sites' capacity, for the summary note.
#[derive(Default)]
struct Tally {
    advisors: usize,
    advisors_total: f64,
    hours: BTreeMap<String, usize>,
    unreadable: usize,
    not_given: usize,
    dropped: usize,
}

fn sites_from(t: &Tabular, report: &mut Report) -> Result<Vec<Site>, IngestError> {
    let cols = Columns::of(t)?;
    let text = |fields: Row<'_>, col: Option<usize>| col.map(|c| Tabular::field(fields, c).trim().to_string()).filter(|s| !s.is_empty());
    let mut out = Vec::with_capacity(t.rows.len());
    let mut lines = Vec::with_capacity(t.rows.len());
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut tally = Tally::default();
    for (rank, (line, fields)) in t.rows.iter().enumerate() {
        let site_id = match cols.id {
            Some(id) => {
                let raw = Tabular::field(fields, id).trim();
                if raw.is_empty() {
                    return Err(IngestError::Malformed {
                        location: Location::at(&t.path, *line, id as u64 + 1),
                        message: "empty site id".into(),
                    });
                }
                format!("{}{raw}", cols.prefix)
            }
            None => format!("{}{}", cols.prefix, rank + 1),
        };
        if cols.layout == Layout::Hinaura {
            // Real Hinaura exports have places whose address was never geocoded.
            if let Some(col) = [cols.lon, cols.lat].into_iter().find(|&c| Tabular::field(fields, c).trim().is_empty()) {
                report.push(
                    Severity::Warning,
                    Location::at(&t.path, *line, col as u64 + 1),
                    format!("site `{site_id}` has no coordinates (`{}` is empty): this row is dropped", t.header[col]),
                );
                tally.dropped += 1;
                continue;
            }
        }
        let position = lon_lat(t, *line, fields, cols.lon, cols.lat)?;
        if let Some(first) = first_line.get(&site_id) {
            report.push(
                Severity::Warning,
                Location::at(&t.path, *line, cols.id.unwrap_or(0) as u64 + 1),
                format!("duplicate site id `{site_id}` (first seen on line {first}): this row is skipped, the first one kept"),
            );
            continue;
        }
        first_line.insert(site_id.clone(), *line);
        lines.push(*line);
        let kind = text(fields, cols.kind).unwrap_or_else(|| cols.fixed_kind.to_string());
        let mut site = Site::new(&site_id, &text(fields, cols.name).unwrap_or_default(), &kind, position.0, position.1);
        site.commune = text(fields, cols.commune);
        site.source = text(fields, cols.source);
        site.opening_hours = text(fields, cols.opening_hours.as_ref().map(|(c, _)| *c));
        site.services = cols
            .services
            .and_then(|(c, sep)| {
                text(fields, Some(c)).map(|s| s.split(sep).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
            })
            .unwrap_or_default();
        capacity(t, &cols, *line, fields, &mut site, &mut tally, report);
        out.push(site);
    }
    let positions: Vec<(f64, f64)> = out.iter().map(|s| (s.lon, s.lat)).collect();
    check_swapped(t, &positions, &lines, (cols.lon, cols.lat), "sites", &|i| format!("site `{}`", out[i].id), report)?;
    report.push(Severity::Note, Location::file(&t.path), summary(&cols, out.len(), &tally));
    Ok(out)
}

/// A number cell of the capacity: `Ok(None)` when blank, `Err(())` when refused (warned).
fn bounded(t: &Tabular, line: u64, fields: Row<'_>, col: usize, max: f64, site: &str, report: &mut Report) -> Result<Option<f64>, ()> {
    let raw = Tabular::field(fields, col).trim();
    let location = Location::at(&t.path, line, col as u64 + 1);
    let column = &t.header[col];
    match parse_value(raw, Blank::Missing) {
        Ok(Cell::Value(v)) if (0.0..=max).contains(&v) => Ok(Some(v)),
        Ok(Cell::Value(v)) => {
            let why = if v < 0.0 { "negative".to_string() } else { format!("more than {max}") };
            report.push(
                Severity::Warning,
                location,
                format!("column `{column}`: `{raw}` for site `{site}` is {why}: this site gets no figure from it"),
            );
            Err(())
        }
        // Blank, or a marker of a figure not given (`nd`, `so`).
        Ok(_) => Ok(None),
        Err(_) => {
            report.push(
                Severity::Warning,
                location,
                format!("column `{column}`: `{raw}` for site `{site}` is not a number: this site gets no figure from it"),
            );
            Err(())
        }
    }
}

/// Reads the advisors and weekly hours of one row into `site`: an explicit `hours_per_week`
/// wins over OSM `opening_hours`, which wins over day columns. What cannot be read is a
/// warning naming the cell, and the site gets no figure.
fn capacity(t: &Tabular, cols: &Columns, line: u64, fields: Row<'_>, site: &mut Site, tally: &mut Tally, report: &mut Report) {
    let mut sources = Vec::new();
    let advisors = cols.advisors.as_ref().map(|(col, tag)| (bounded(t, line, fields, *col, MAX_ADVISORS, &site.id, report), tag));
    if let Some((Ok(Some(v)), tag)) = advisors {
        site.advisors = Some(v);
        sources.push(tag.clone());
        tally.advisors += 1;
        tally.advisors_total += v;
    }
    let warn = |report: &mut Report, col: usize, raw: &str, e: &dyn std::fmt::Display| {
        report.push(
            Severity::Warning,
            Location::at(&t.path, line, col as u64 + 1),
            format!("column `{}`: cannot read opening hours from `{raw}` ({e}): site `{}` gets no weekly hours", t.header[col], site.id),
        );
    };
    let mut hours: Result<Option<(f64, String)>, ()> = Ok(None);
    if let Some(col) = cols.hours_per_week {
        hours = bounded(t, line, fields, col, WEEK_HOURS, &site.id, report).map(|v| v.map(|v| (v, "hours_per_week column".to_string())));
    }
    if let (Ok(None), Some((col, tag))) = (&hours, &cols.opening_hours) {
        let raw = Tabular::field(fields, *col).trim();
        if !raw.is_empty() {
            hours = match weekly_hours(raw) {
                Ok(h) => Ok(Some((h, tag.clone()))),
                Err(e) => {
                    warn(report, *col, raw, &e);
                    Err(())
                }
            };
        }
    }
    // Day columns: a row with every day blank (or `-`) gives no hours, not zero.
    let given =
        cols.days.iter().any(|&c| !Tabular::field(fields, c).trim().chars().all(|ch| ch.is_whitespace() || matches!(ch, '-' | '–')));
    if matches!(hours, Ok(None)) && given {
        let mut sum = Ok(0.0);
        for &col in &cols.days {
            let raw = Tabular::field(fields, col).trim();
            match day_hours(raw) {
                Ok(h) => sum = sum.map(|s| s + h),
                Err(e) => {
                    warn(report, col, raw, &e);
                    sum = Err(());
                }
            }
        }
        hours = sum.map(|h| Some((h, cols.days_tag.clone())));
    }
    match hours {
        Ok(Some((h, _))) if h > WEEK_HOURS => {
            report.push(
                Severity::Warning,
                Location::line(&t.path, line),
                format!("site `{}` would be open {h} hours a week, more than 168: it gets no weekly hours", site.id),
            );
            tally.unreadable += 1;
        }
        Ok(Some((h, tag))) => {
            site.hours_per_week = Some(h);
            *tally.hours.entry(tag.clone()).or_default() += 1;
            sources.push(tag);
        }
        Ok(None) => tally.not_given += 1,
        Err(()) => tally.unreadable += 1,
    }
    if !sources.is_empty() {
        site.capacity_source = Some(sources.join(" + "));
    }
}

/// The note that sums up a sites file: layout, rows dropped, advisors and hours read.
fn summary(cols: &Columns, read: usize, tally: &Tally) -> String {
    let mut parts = vec![format!("{read} sites read ({})", cols.layout.describe())];
    if tally.dropped > 0 {
        parts.push(format!("{} rows without coordinates dropped", tally.dropped));
    }
    if let Some((_, tag)) = &cols.advisors {
        parts.push(format!("advisors for {} ({tag}, {} in all)", tally.advisors, tally.advisors_total));
    }
    let hours_read = cols.hours_per_week.is_some() || cols.opening_hours.is_some() || !cols.days.is_empty();
    if hours_read {
        let by: Vec<String> = tally.hours.iter().map(|(tag, n)| format!("{n} from {tag}")).collect();
        let n: usize = tally.hours.values().sum();
        parts.push(if by.is_empty() { "weekly hours for none".to_string() } else { format!("weekly hours for {n} ({})", by.join(", ")) });
        parts.push(format!("{} with hours not understood (warnings above), {} with none given", tally.unreadable, tally.not_given));
    }
    if cols.advisors.is_none() && !hours_read {
        parts.push("no advisors or opening-hours column".to_string());
    }
    parts.join("; ")
}

/// Keeps the sites whose kind is in `kinds` (all sites when `kinds` is empty).
///
/// ```
/// use fragnum_core::sites::Site;
/// let sites = vec![Site::new("a", "", "mediation", 5.0, 45.0), Site::new("b", "", "france_services", 5.0, 45.0)];
/// let kept = fragnum_ingest::sites::filter_kinds(sites, &["france_services".to_string()]);
/// assert_eq!(kept.len(), 1);
/// ```
pub fn filter_kinds(sites: Vec<Site>, kinds: &[String]) -> Vec<Site> {
    if kinds.is_empty() {
        return sites;
    }
    sites.into_iter().filter(|s| kinds.iter().any(|k| k == &s.kind)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projected_coordinate_is_located() {
        let text = "id,name,kind,commune_insee,postcode,lon,lat,source\nfs-1,A,france_services,38185,38000,913000,6458000,x\n";
        let err = parse_sites(Path::new("s.csv"), text, &mut Report::default()).unwrap_err().to_string();
        assert!(err.starts_with("s.csv:2:6:"), "{err}");
        assert!(err.contains("projected"), "{err}");
    }

    #[test]
    fn bad_number_is_located() {
        let text = "id;lon;lat\na;5,7;abc\n";
        let err = parse_sites(Path::new("s.csv"), text, &mut Report::default()).unwrap_err().to_string();
        assert!(err.starts_with("s.csv:2:3:"), "{err}");
        let ok = parse_sites(Path::new("s.csv"), "id;lon;lat\na;5,7;45,1\n", &mut Report::default()).unwrap();
        assert!((ok[0].lon - 5.7).abs() < 1e-12);
    }

    #[test]
    fn opening_hours_are_read_when_given() {
        let text = "id,nom,longitude,latitude,horaires\na,PIMMS,5.73,45.18,\"Mo-We 09:00-12:00,13:00-17:00; Th 08:00-12:00\"\nb,Mairie,5.74,45.19,\n";
        let sites = parse_sites(Path::new("s.csv"), text, &mut Report::default()).unwrap();
        assert_eq!(sites[0].opening_hours.as_deref(), Some("Mo-We 09:00-12:00,13:00-17:00; Th 08:00-12:00"));
        assert_eq!(sites[1].opening_hours, None, "blank is not given");
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/places/conseiller-numerique-lieux-2022.38-73.csv");
        if data.exists() {
            let sites = read_sites(&data, &mut Report::default()).unwrap();
            assert!(sites.iter().any(|s| s.opening_hours.as_deref().is_some_and(|h| h.contains("09:00"))));
        }
    }

    fn warnings(report: &Report) -> Vec<String> {
        report.problems.iter().filter(|p| p.severity == Severity::Warning).map(ToString::to_string).collect()
    }

    fn note(report: &Report) -> String {
        report.problems.iter().filter(|p| p.severity == Severity::Note).map(|p| p.message.clone()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn generic_capacity_columns() {
        let text = "id,name,kind,lon,lat,advisors,hours_per_week,horaires\n\
                    a,A,mediation,5.7,45.1,2,,Mo-Fr 09:00-12:00\n\
                    b,B,mediation,5.7,45.1,,\"20,5\",Mo-Fr 09:00-12:00\n\
                    c,C,mediation,5.7,45.1,-1,200,\n\
                    d,D,mediation,5.7,45.1,deux,,Mo-Fr 9h-12h\n\
                    e,E,mediation,5.7,45.1,,,\n";
        let mut report = Report::default();
        let sites = parse_sites(Path::new("s.csv"), text, &mut report).unwrap();
        let capacity: Vec<_> = sites.iter().map(|s| (s.advisors, s.hours_per_week, s.capacity_source.as_deref())).collect();
        assert_eq!(
            capacity,
            [
                (Some(2.0), Some(15.0), Some("advisors column + horaires (OSM opening_hours)")),
                (None, Some(20.5), Some("hours_per_week column")),
                (None, None, None),
                (None, None, None),
                (None, None, None),
            ]
        );
        let w = warnings(&report);
        assert_eq!(w.len(), 4, "{w:#?}");
        assert!(w[0].starts_with("s.csv:4:6: warning: column `advisors`: `-1` for site `c` is negative"), "{}", w[0]);
        assert!(w[1].starts_with("s.csv:4:7: warning: column `hours_per_week`: `200` for site `c` is more than 168"), "{}", w[1]);
        assert!(w[2].starts_with("s.csv:5:6: warning: column `advisors`: `deux` for site `d` is not a number"), "{}", w[2]);
        assert!(
            w[3].starts_with("s.csv:5:8: warning: column `horaires`: cannot read opening hours from `Mo-Fr 9h-12h` (at character 7:"),
            "{}",
            w[3]
        );
        assert_eq!(
            note(&report),
            "5 sites read (generic layout); advisors for 1 (advisors column, 2 in all); weekly hours for 2 (1 from horaires (OSM opening_hours), \
             1 from hours_per_week column); 2 with hours not understood (warnings above), 1 with none given"
        );
    }

    #[test]
    fn generic_n_aidants_alias_and_no_capacity() {
        let mut report = Report::default();
        let sites = parse_sites(Path::new("s.csv"), "id;lon;lat;n_aidants\na;5,7;45,1;3\n", &mut report).unwrap();
        assert_eq!((sites[0].advisors, sites[0].capacity_source.as_deref()), (Some(3.0), Some("n_aidants")));
        let mut report = Report::default();
        let sites = parse_sites(Path::new("s.csv"), "id;lon;lat\na;5,7;45,1\n", &mut report).unwrap();
        assert_eq!((sites[0].advisors, sites[0].hours_per_week, sites[0].capacity_source.as_deref()), (None, None, None));
        assert_eq!(note(&report), "1 sites read (generic layout); no advisors or opening-hours column");
    }

    const CNFS: &str = "id,nom,services,pivot,commune,code_postal,adresse,latitude,longitude,horaires,source,n_aidants\n\
        62a1,PIMMS,Prendre en main un ordinateur;Utiliser le numérique au quotidien,000,GRENOBLE,38000,1 rue,45.18,5.73,\"Mo-We 09:00-12:00,13:00-17:00; Th 08:00-12:00\",conseiller-numerique,2\n\
        62a2,Mairie,,000,VOIRON,38500,2 rue,45.36,5.59,\"Tu 09:00-13:00; Fr 18:00\",conseiller-numerique,1\n\
        62a3,Poste,,000,CHAMBERY,73000,3 rue,45.57,5.92,,conseiller-numerique,\n";

    #[test]
    fn conseiller_numerique_layout() {
        let mut report = Report::default();
        let sites = parse_sites(Path::new("cnfs.csv"), CNFS, &mut report).unwrap();
        assert_eq!(sites.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["cnfs-62a1", "cnfs-62a2", "cnfs-62a3"]);
        let a = &sites[0];
        assert_eq!((a.name.as_str(), a.kind.as_str(), a.commune.as_deref()), ("PIMMS", "conseiller_numerique", None));
        assert_eq!(a.services, ["Prendre en main un ordinateur", "Utiliser le numérique au quotidien"]);
        assert_eq!((a.lon, a.lat), (5.73, 45.18));
        assert_eq!((a.advisors, a.hours_per_week), (Some(2.0), Some(25.0)));
        assert_eq!(a.capacity_source.as_deref(), Some("n_aidants + horaires (OSM opening_hours)"));
        assert_eq!((sites[1].advisors, sites[1].hours_per_week, sites[1].capacity_source.as_deref()), (Some(1.0), None, Some("n_aidants")));
        assert_eq!((sites[2].advisors, sites[2].hours_per_week, sites[2].capacity_source.as_deref()), (None, None, None));
        let w = warnings(&report);
        assert_eq!(w.len(), 1, "{w:#?}");
        assert!(w[0].starts_with("cnfs.csv:3:10: warning: column `horaires`: cannot read opening hours from `Tu 09:00-13:00; Fr 18:00` (at character 24: expected `-`"), "{}", w[0]);
        assert!(note(&report).starts_with("3 sites read (conseiller-numérique « lieux de médiation numérique » export); advisors for 2 (n_aidants, 3 in all); weekly hours for 1"), "{}", note(&report));
    }

    const FS: &str = "id_fs,insee_dep,lib_fs,insee_com,code_postal,latitude,longitude,h_lundi,h_mardi,h_mercredi,h_jeudi,h_vendredi,h_samedi\n\
        901,38,France services Exemple,38185,38100,45.17,5.73,09:00 - 12:00 / 13:00 - 17:00,09:00-12:00 14:00-16:30,08:30-12:30/13:30-17:00,,09:00 - 12:00,-\n\
        235,38,France services Saint Marcellin,38416,38160,45.15436,5.319521,,,,,,\n\
        236,73,France services Modane,73176,73500,45.2,6.67,09:00 - 12:00,sur rendez-vous,,,,\n\
        901,38,France services copie,38185,38100,45.17,5.73,,,,,,\n";

    #[test]
    fn france_services_layout() {
        let mut report = Report::default();
        let sites = parse_sites(Path::new("fs.csv"), FS, &mut report).unwrap();
        assert_eq!(sites.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["fs-901", "fs-235", "fs-236"]);
        let a = &sites[0];
        assert_eq!((a.name.as_str(), a.kind.as_str(), a.commune.as_deref()), ("France services Exemple", "france_services", Some("38185")));
        assert_eq!(
            (a.advisors, a.hours_per_week, a.capacity_source.as_deref()),
            (None, Some(7.0 + 5.5 + 7.5 + 3.0), Some("h_lundi…h_samedi"))
        );
        assert_eq!(sites[1].hours_per_week, None, "no day given: no hours, not zero");
        assert_eq!(sites[2].hours_per_week, None);
        let w = warnings(&report);
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(w[0].starts_with("fs.csv:4:9: warning: column `h_mardi`: cannot read opening hours from `sur rendez-vous`"), "{}", w[0]);
        assert_eq!(w[1], "fs.csv:5:1: warning: duplicate site id `fs-901` (first seen on line 2): this row is skipped, the first one kept");
        assert!(
            note(&report)
                .contains("weekly hours for 1 (1 from h_lundi…h_samedi); 1 with hours not understood (warnings above), 1 with none given")
        );
        // Projected coordinates are refused in native layouts too.
        let l93 = "id_fs,lib_fs,latitude,longitude\n1,A,6458000,913000\n";
        let err = parse_sites(Path::new("fs.csv"), l93, &mut Report::default()).unwrap_err().to_string();
        assert!(err.starts_with("fs.csv:2:4:") && err.contains("projected"), "{err}");
    }

    const HINAURA: &str = "datetime_create,Nom du lieu ou de la structure *,Code postal,bf_latitude,bf_longitude,Lundi,Mardi,Mercredi,Jeudi,Vendredi,Samedi,Dimanche\n\
        2021-05-01,Maison des services ,73220,45.5,6.3,8h30 à 12h - 13h30 à 17h,9h/12h - 13h/17h,Fermé,fermé,\"8h à 12h et de 13h30 à 17h\",,\n\
        2021-05-02,Sans position,38000,,,9h-12h,,,,,,\n\
        2021-05-03,Sur RDV,38000,45.19,5.72,Sur rendez-vous,14h-17h,,,,,\n\
        2021-05-04,Rien,38000,45.2,5.73,,,,,,,\n";

    #[test]
    fn hinaura_layout() {
        let mut report = Report::default();
        let sites = parse_sites(Path::new("h.csv"), HINAURA, &mut report).unwrap();
        assert_eq!(
            sites.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["hinaura-1", "hinaura-3", "hinaura-4"],
            "ids are data-row ranks"
        );
        let a = &sites[0];
        assert_eq!((a.name.as_str(), a.kind.as_str(), a.commune.as_deref()), ("Maison des services", "mediation", None));
        assert_eq!((a.hours_per_week, a.capacity_source.as_deref()), (Some(7.0 + 7.0 + 7.5), Some("Lundi…Dimanche")));
        assert_eq!((sites[1].hours_per_week, sites[2].hours_per_week), (None, None));
        let w = warnings(&report);
        assert_eq!(w.len(), 2, "{w:#?}");
        assert_eq!(w[0], "h.csv:3:5: warning: site `hinaura-2` has no coordinates (`bf_longitude` is empty): this row is dropped");
        assert!(w[1].starts_with("h.csv:4:6: warning: column `Lundi`: cannot read opening hours from `Sur rendez-vous`"), "{}", w[1]);
        assert_eq!(
            note(&report),
            "3 sites read (Hinaura export); 1 rows without coordinates dropped; weekly hours for 1 (1 from Lundi…Dimanche); \
             1 with hours not understood (warnings above), 1 with none given"
        );
        // A bad coordinate (not a missing one) is still an error, and swapped columns too.
        let bad = HINAURA.replace("45.19,5.72", "45.19,abc");
        let err = parse_sites(Path::new("h.csv"), &bad, &mut Report::default()).unwrap_err().to_string();
        assert!(err.starts_with("h.csv:4:5:"), "{err}");
        let swapped = "Nom du lieu ou de la structure *,bf_latitude,bf_longitude\nA,5.72,45.18\nB,5.73,45.19\n";
        let err = parse_sites(Path::new("h.csv"), swapped, &mut Report::default()).unwrap_err().to_string();
        assert!(err.contains("lon and lat look swapped"), "{err}");
    }

    #[test]
    fn layouts_are_told_by_header() {
        let layout = |header: &str| Layout::of(&Tabular::parse(Path::new("x.csv"), &format!("{header}\n"), None).unwrap());
        assert_eq!(layout("id,name,kind,commune_insee,postcode,lon,lat,source"), Layout::Generic);
        assert_eq!(layout("id,nom,longitude,latitude,horaires"), Layout::Generic, "no `pivot`: a generic file");
        assert_eq!(layout("id,nom,services,pivot,latitude,longitude,horaires,n_aidants"), Layout::ConseillerNumerique);
        assert_eq!(layout("id,kind,nom,services,pivot,latitude,longitude"), Layout::Generic, "a `kind` column: the project's layout");
        assert_eq!(layout("id_fs;lib_fs;latitude;longitude"), Layout::FranceServices);
        assert_eq!(layout("Nom du lieu ou de la structure *,bf_latitude,bf_longitude"), Layout::Hinaura);
    }

    #[test]
    fn real_sites_when_present() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/places/advisor-sites.38-73.csv");
        if !data.exists() {
            println!("skipped: {} absent", data.display());
            return;
        }
        let sites = read_sites(&data, &mut Report::default()).unwrap();
        assert_eq!(sites.len(), 525);
        assert_eq!(filter_kinds(sites, &["france_services".into()]).len(), 57);
    }
}
