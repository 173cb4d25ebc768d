//! Advisor sites and candidate locations from CSV.
//!
//! Header: `id,name,kind,commune_insee,postcode,lon,lat,source[,services]` (any separator, any
//! column order; `services` is a `|`-separated list). Coordinates are WGS84 longitude/latitude;
//! projected values (Lambert-93 metres) are refused with the line and column.

use std::path::Path;

use fragnum_core::sites::Site;
use fragnum_core::{Cell, Location};

use crate::number::{Blank, parse_cell};
use crate::roads::check_position;
use crate::tabular::Tabular;
use crate::{IngestError, Report};

/// Reads a sites (or candidates) CSV.
pub fn read_sites(path: &Path, report: &mut Report) -> Result<Vec<Site>, IngestError> {
    let t = Tabular::read(path, None, report)?;
    sites_from(&t)
}

/// Parses sites CSV text read from `path` (used in errors).
///
/// ```
/// let text = "id,name,kind,commune_insee,postcode,lon,lat,source,services\n\
///             fs-1,Mairie,france_services,38185,38000,5.72,45.18,test,aide|impression\n";
/// let sites = fragnum_ingest::sites::parse_sites(std::path::Path::new("s.csv"), text).unwrap();
/// assert_eq!(sites[0].services, ["aide", "impression"]);
/// assert_eq!(sites[0].commune.as_deref(), Some("38185"));
/// ```
pub fn parse_sites(path: &Path, text: &str) -> Result<Vec<Site>, IngestError> {
    sites_from(&Tabular::parse(path, text, None)?)
}

/// Reads the longitude and latitude cells of a row: numbers as French files write them
/// ([`parse_cell`]), then checked to be WGS84 degrees by the same rule as road networks
/// ([`check_position`]); an error points at the offending column.
pub(crate) fn lon_lat(t: &Tabular, line: u64, fields: &[String], lon: usize, lat: usize) -> Result<(f64, f64), IngestError> {
    let number = |col: usize| {
        let text = Tabular::field(fields, col).trim();
        match parse_cell(text, Blank::Missing) {
            Ok(Cell::Value(v)) => Ok(v),
            _ => Err(IngestError::NotANumber { location: Location::at(&t.path, line, col as u64 + 1), column: t.header[col].clone(), text: text.to_string() }),
        }
    };
    let (x, y) = (number(lon)?, number(lat)?);
    let col = if x.is_finite() && x.abs() <= 180.0 { lat } else { lon };
    check_position(x, y, &Location::at(&t.path, line, col as u64 + 1), &format!("columns `{}`, `{}`", t.header[lon], t.header[lat]))?;
    Ok((x, y))
}

fn sites_from(t: &Tabular) -> Result<Vec<Site>, IngestError> {
    let id = t.require(&["id"])?;
    let lon = t.require(&["lon", "longitude", "x"])?;
    let lat = t.require(&["lat", "latitude", "y"])?;
    let name = t.find(&["name", "nom"]);
    let kind = t.find(&["kind", "type"]);
    let commune = t.find(&["commune_insee", "insee_com", "commune"]);
    let source = t.find(&["source"]);
    let services = t.find(&["services"]);
    let text = |fields: &[String], col: Option<usize>| col.map(|c| Tabular::field(fields, c).trim().to_string()).filter(|s| !s.is_empty());
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, fields) in &t.rows {
        let site_id = Tabular::field(fields, id).trim();
        if site_id.is_empty() {
            return Err(IngestError::Malformed { location: Location::at(&t.path, *line, id as u64 + 1), message: "empty site id".into() });
        }
        let position = lon_lat(t, *line, fields, lon, lat)?;
        let mut site = Site::new(
            site_id,
            &text(fields, name).unwrap_or_default(),
            &text(fields, kind).unwrap_or_default(),
            position.0,
            position.1,
        );
        site.commune = text(fields, commune);
        site.source = text(fields, source);
        site.services = text(fields, services)
            .map(|s| s.split('|').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        out.push(site);
    }
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
        let err = parse_sites(Path::new("s.csv"), text).unwrap_err().to_string();
        assert!(err.starts_with("s.csv:2:6:"), "{err}");
        assert!(err.contains("projected"), "{err}");
    }

    #[test]
    fn bad_number_is_located() {
        let text = "id;lon;lat\na;5,7;abc\n";
        let err = parse_sites(Path::new("s.csv"), text).unwrap_err().to_string();
        assert!(err.starts_with("s.csv:2:3:"), "{err}");
        let ok = parse_sites(Path::new("s.csv"), "id;lon;lat\na;5,7;45,1\n").unwrap();
        assert!((ok[0].lon - 5.7).abs() < 1e-12);
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
