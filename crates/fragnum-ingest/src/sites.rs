//! Advisor sites and candidate locations from CSV.
//!
//! Header: `id,name,kind,commune_insee,postcode,lon,lat,source[,services][,horaires]` (any
//! separator, any column order; `services` is a `|`-separated list; `horaires` or `opening_hours`,
//! as the conseiller-numérique file writes them, kept as text). Coordinates are WGS84 longitude/latitude;
//! projected values (Lambert-93 metres) are refused with the line and column, and so are lon and
//! lat swapped: when more than 90 % of the rows lie outside France ([`FRANCE`]) but inside it
//! with the two exchanged; a few such rows are a warning. A site id given
//! twice is a warning with both lines; the first row is kept.

use std::collections::HashMap;
use std::path::Path;

use fragnum_core::sites::Site;
use fragnum_core::{Cell, Location};

use crate::number::{Blank, parse_cell};
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

fn sites_from(t: &Tabular, report: &mut Report) -> Result<Vec<Site>, IngestError> {
    let id = t.require(&["id"])?;
    let lon = t.require(&["lon", "longitude", "x"])?;
    let lat = t.require(&["lat", "latitude", "y"])?;
    let name = t.find(&["name", "nom"]);
    let kind = t.find(&["kind", "type"]);
    let commune = t.find(&["commune_insee", "insee_com", "commune"]);
    let source = t.find(&["source"]);
    let services = t.find(&["services"]);
    let hours = t.find(&["horaires", "opening_hours"]);
    let text = |fields: Row<'_>, col: Option<usize>| col.map(|c| Tabular::field(fields, c).trim().to_string()).filter(|s| !s.is_empty());
    let mut out = Vec::with_capacity(t.rows.len());
    let mut lines = Vec::with_capacity(t.rows.len());
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    for (line, fields) in &t.rows {
        let site_id = Tabular::field(fields, id).trim();
        if site_id.is_empty() {
            return Err(IngestError::Malformed { location: Location::at(&t.path, *line, id as u64 + 1), message: "empty site id".into() });
        }
        let position = lon_lat(t, *line, fields, lon, lat)?;
        if let Some(first) = first_line.get(site_id) {
            report.push(
                Severity::Warning,
                Location::at(&t.path, *line, id as u64 + 1),
                format!("duplicate site id `{site_id}` (first seen on line {first}): this row is skipped, the first one kept"),
            );
            continue;
        }
        first_line.insert(site_id, *line);
        lines.push(*line);
        let mut site =
            Site::new(site_id, &text(fields, name).unwrap_or_default(), &text(fields, kind).unwrap_or_default(), position.0, position.1);
        site.commune = text(fields, commune);
        site.source = text(fields, source);
        site.opening_hours = text(fields, hours);
        site.services = text(fields, services)
            .map(|s| s.split('|').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        out.push(site);
    }
    let positions: Vec<(f64, f64)> = out.iter().map(|s| (s.lon, s.lat)).collect();
    check_swapped(t, &positions, &lines, (lon, lat), "sites", &|i| format!("site `{}`", out[i].id), report)?;
    Ok(out)
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
