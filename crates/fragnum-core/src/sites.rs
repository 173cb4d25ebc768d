//! Advisor sites (France Services, conseillers numériques, médiation places) and population
//! points, in WGS84 lon/lat.

use crate::ZoneCode;

/// The kinds of site fragnum knows by name. Each has its own symbol on the maps and its own row
/// in the sheets, under one French label; a [`Site::kind`] outside these (a source's own word)
/// is drawn as « autre ».
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SiteKind {
    /// An espace France Services (`france_services`).
    FranceServices,
    /// A place where a conseiller numérique works (`conseiller_numerique`).
    ConseillerNumerique,
    /// A lieu de médiation numérique (`mediation`).
    Mediation,
}

impl SiteKind {
    /// Every kind, in the order legends and sheets list them.
    pub const ALL: [SiteKind; 3] = [SiteKind::FranceServices, SiteKind::ConseillerNumerique, SiteKind::Mediation];

    /// The key sources and configs write in [`Site::kind`] (`france_services`).
    pub const fn key(self) -> &'static str {
        match self {
            SiteKind::FranceServices => "france_services",
            SiteKind::ConseillerNumerique => "conseiller_numerique",
            SiteKind::Mediation => "mediation",
        }
    }

    /// The French label, the same in map legends, the atlas and the sheets.
    pub const fn label(self) -> &'static str {
        match self {
            SiteKind::FranceServices => "France Services",
            SiteKind::ConseillerNumerique => "Conseiller numérique",
            SiteKind::Mediation => "Lieu de médiation numérique",
        }
    }

    /// The kind a [`Site::kind`] key names, if it is one of these (exact key).
    ///
    /// ```
    /// use fragnum_core::sites::SiteKind;
    /// assert_eq!(SiteKind::from_key("mediation"), Some(SiteKind::Mediation));
    /// assert_eq!(SiteKind::from_key("mediation").map(SiteKind::label), Some("Lieu de médiation numérique"));
    /// assert_eq!(SiteKind::from_key("mairie"), None);
    /// ```
    pub fn from_key(key: &str) -> Option<SiteKind> {
        SiteKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// A place where people can get help, or a candidate location for a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Identifier from the source (`fs-234`).
    pub id: String,
    /// Name shown to users.
    pub name: String,
    /// Kind: the key of a [`SiteKind`] (`france_services`, `conseiller_numerique`, `mediation`),
    /// or anything the source says.
    pub kind: String,
    /// INSEE code of the commune, when known.
    pub commune: Option<String>,
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
    /// Services offered, when listed.
    pub services: Vec<String>,
    /// Citation of the source.
    pub source: Option<String>,
    /// Opening hours as the source writes them (`Mo-Fr 09:00-12:00`), when given.
    pub opening_hours: Option<String>,
    /// Number of advisors working at the site (conseiller-numérique `n_aidants`, an `advisors`
    /// column), when the file says it: one of the two supply measures of a 2SFCA.
    pub advisors: Option<f64>,
    /// Weekly opening hours, when they could be computed from the file (OSM `opening_hours`,
    /// one column per weekday, or an `hours_per_week` column): the other supply measure.
    pub hours_per_week: Option<f64>,
    /// Where [`Site::advisors`] and [`Site::hours_per_week`] came from, as a short tag written to
    /// tables (`n_aidants`, `horaires (OSM opening_hours)`, `h_lundi…h_samedi`); `None` when
    /// neither was read.
    pub capacity_source: Option<String>,
}

impl Site {
    /// A site with only the required fields set.
    ///
    /// ```
    /// let s = fragnum_core::sites::Site::new("fs-1", "Mairie", "france_services", 5.9, 45.3);
    /// assert!(s.services.is_empty());
    /// ```
    pub fn new(id: &str, name: &str, kind: &str, lon: f64, lat: f64) -> Self {
        Site {
            id: id.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            commune: None,
            lon,
            lat,
            services: Vec::new(),
            source: None,
            opening_hours: None,
            advisors: None,
            hours_per_week: None,
            capacity_source: None,
        }
    }

    /// The position as `[lon, lat]`.
    pub fn position(&self) -> [f64; 2] {
        [self.lon, self.lat]
    }
}

/// Where some people live: a grid cell centre or a point inside a zone, with how many.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationPoint {
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
    /// Number of people (or any non-negative weight).
    pub weight: f64,
    /// The zone the point belongs to, when known.
    pub zone: Option<ZoneCode>,
}

impl PopulationPoint {
    /// The position as `[lon, lat]`.
    pub fn position(&self) -> [f64; 2] {
        [self.lon, self.lat]
    }
}
