//! Advisor sites (France Services, conseillers numériques, médiation places) and candidate
//! locations for a new permanence. One site name is hostile HTML on purpose: every output that
//! shows names must escape it.

use crate::territory::Area;

/// One row of the sites CSV.
pub struct SiteRow {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `france_services`, `conseiller_numerique`, mediation, mairie.
    pub kind: &'static str,
    /// Commune code.
    pub commune: String,
    /// Position, Lambert-93 metres.
    pub at: (f64, f64),
    /// Services offered.
    pub services: Vec<&'static str>,
}

fn in_area<'a>(areas: &'a [Area], name: &str) -> Option<&'a Area> {
    areas.iter().find(|a| a.iris_name == name)
}

/// One planned site: id, name, kind, area (IRIS name), offset from its centre, services.
type Planned<'a> = (&'a str, &'a str, &'a str, &'a str, (f64, f64), &'a [&'a str]);

/// The advisor sites.
pub fn sites(areas: &[Area]) -> Vec<SiteRow> {
    let plan: [Planned; 8] = [
        (
            "fs-demo-1",
            "France services de Valbrune",
            "france_services",
            "Centre",
            (0.0, 0.0),
            &["demarches_administratives", "accompagnement", "acces_libre", "wifi_public"],
        ),
        (
            "fs-demo-2",
            "France services de Montrieux",
            "france_services",
            "Montrieux",
            (0.0, 0.0),
            &["demarches_administratives", "accompagnement"],
        ),
        (
            "cnfs-demo-1",
            "Médiathèque Louise-Michel",
            "conseiller_numerique",
            "Vieille Ville",
            (120.0, -80.0),
            &["accompagnement", "formation", "acces_libre", "wifi_public"],
        ),
        ("cnfs-demo-2", "Centre social de Bellevue", "conseiller_numerique", "Bellevue", (0.0, 0.0), &["accompagnement", "formation"]),
        (
            "med-demo-1",
            "Espace numérique de Saint-Alban",
            "mediation",
            "Saint-Alban-des-Eaux",
            (0.0, 0.0),
            &["acces_libre", "accompagnement"],
        ),
        ("med-demo-2", "Bibliothèque de Montrieux", "mediation", "Montrieux", (0.0, 0.0), &["wifi_public", "acces_libre"]),
        ("med-demo-3", "<script>alert(1)</script> Espace test", "mediation", "Les Granges", (0.0, 0.0), &["formation"]),
        (
            "med-demo-4",
            "Point numérique du CCAS",
            "mediation",
            "La Croix-Rouge",
            (-150.0, 100.0),
            &["accompagnement", "demarches_administratives"],
        ),
    ];
    plan.iter()
        .filter_map(|&(id, name, kind, area, (dx, dy), services)| {
            let a = in_area(areas, area)?;
            Some(SiteRow {
                id: id.into(),
                name: name.into(),
                kind,
                commune: a.commune.clone(),
                at: (a.centre.0 + dx, a.centre.1 + dy),
                services: services.to_vec(),
            })
        })
        .collect()
}

/// Candidate places for one more permanence: every valley town hall without a site, and two
/// city community centres.
pub fn candidates(areas: &[Area], existing: &[SiteRow]) -> Vec<SiteRow> {
    let mut out = Vec::new();
    for a in areas.iter().filter(|a| a.iris_type == 'Z') {
        if existing.iter().any(|s| s.commune == a.commune) {
            continue;
        }
        out.push(SiteRow {
            id: format!("mairie-{}", a.commune),
            name: format!("Mairie de {}", a.commune_name),
            kind: "mairie",
            commune: a.commune.clone(),
            at: a.centre,
            services: Vec::new(),
        });
    }
    for name in ["Pré-Fleuri", "Les Moulins"] {
        if let Some(a) = in_area(areas, name) {
            out.push(SiteRow {
                id: format!("mq-{}", a.iris),
                name: format!("Maison de quartier {name}"),
                kind: "maison_de_quartier",
                commune: a.commune.clone(),
                at: a.centre,
                services: Vec::new(),
            });
        }
    }
    out
}
