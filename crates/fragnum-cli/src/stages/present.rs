//! Turns the results of the stages (zone table, indices, accessibility) into what the render
//! crate draws: map layers, fact-sheet inputs and site marks. It chooses *what* to show and with
//! which French titles; it computes nothing new beyond ratios of published counts.

use std::collections::BTreeMap;

use fragnum_access::AccessOutput;
use fragnum_access::modes::ModeZones;
use fragnum_core::geometry::finest_outlined_level;
use fragnum_core::{Cell, Level, Status, ZoneCode, ZoneTable};
use fragnum_indices::{IndicesOutput, IndicesRow};
use fragnum_render::classify::Classification;
use fragnum_render::ramp::Ramp;
use fragnum_render::sheets::{DigitalPrecarity, IfnScores, ServiceOffer, ServiceSite, SheetKind, SocialRank, SocioRow, SupplyLine};
use fragnum_render::{Layer, SheetInput, Unit};
use geo::Intersects;

use super::Context;

/// The French title of a digital-precarity indicator: the `title` column of its rate file
/// (config/rates/*.csv), else a plain wording of its name.
fn indicator_title(ctx: &Context, indicator: &str) -> String {
    ctx.inputs
        .rates
        .iter()
        .find_map(|r| r.title(indicator))
        .map_or_else(|| format!("Précarité numérique : {indicator} (estimation)"), str::to_string)
}

/// Who the supply is weighed against, in words (« habitants », « personnes en situation
/// d'illectronisme (estimation) »).
pub fn need_phrase(ctx: &Context, need: &str) -> String {
    match need {
        "population" => "habitants".into(),
        other => {
            let title = indicator_title(ctx, other);
            let what = title.trim_start_matches("Part des ").trim_start_matches("Part de la ");
            if what.starts_with("personnes") { what.to_string() } else { format!("personnes de {what}") }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The indicator shown first (maps, sheets, siting weights): daily use when computed, as in the
/// Grenoble diagnostic, else the first one.
pub fn headline_indicator(indices: &IndicesOutput) -> Option<(usize, &str)> {
    let i =
        indices.indicators.iter().position(|n| n == "no_daily_internet").or(if indices.indicators.is_empty() { None } else { Some(0) })?;
    Some((i, indices.indicators[i].as_str()))
}

/// Per-zone multipliers for the siting: the estimated share of residents in `indicator`.
pub fn siting_weights(indices: &IndicesOutput, indicator: &str) -> Option<BTreeMap<String, f64>> {
    let i = indices.indicators.iter().position(|n| n == indicator)?;
    Some(
        indices
            .rows
            .iter()
            .filter_map(|r| {
                let share = r.digital[i].count? / r.population.filter(|p| *p > 0.0)?;
                Some((r.code.clone(), share))
            })
            .collect(),
    )
}

fn vintage_of(table: &ZoneTable, variables: &[&str]) -> String {
    let mut years: Vec<u16> =
        variables.iter().filter_map(|v| table.variable(v)).flat_map(|v| v.vintages.iter().flatten().copied()).collect();
    years.sort_unstable();
    years.dedup();
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => String::new(),
    }
}

/// `num / den × scale` on each zone of `level` (`num` alone without `den`); masked stays masked.
fn ratio_layer_values(table: &ZoneTable, level: Level, num: &str, den: Option<&str>, scale: f64) -> BTreeMap<ZoneCode, Cell> {
    table.zones_at(level).map(|(_, z)| (z.code.clone(), ratio(table, &z.code, num, den, scale))).collect()
}

fn layer(id: &str, title: String, unit: Unit, source: &str, vintage: String, values: BTreeMap<ZoneCode, Cell>, ramp: Ramp) -> Layer {
    Layer {
        id: id.into(),
        title,
        unit,
        source: source.into(),
        vintage,
        values,
        classification: Classification::default(),
        ramp,
        decimals: None,
        statuses: BTreeMap::new(),
    }
}

/// Index of the isochrone threshold among the thresholds of the shares (the config checks it is
/// one of them).
fn isochrone_index(thresholds_min: &[f64], isochrone_min: f64) -> usize {
    thresholds_min.iter().position(|t| (*t - isochrone_min).abs() < 1e-9).unwrap_or(0)
}

fn rows_by_code(indices: &IndicesOutput, level: Level) -> BTreeMap<String, &IndicesRow> {
    indices.rows_at(level).map(|r| (r.code.clone(), r)).collect()
}

/// Every map layer the data allow, at the finest level with outlines (IRIS when present).
pub fn layers(ctx: &Context, indices: Option<&IndicesOutput>, access: Option<&AccessOutput>, modes: &[ModeZones]) -> Vec<Layer> {
    let table = &ctx.loaded.table;
    let level = finest_outlined_level(&ctx.loaded.geometries).unwrap_or(Level::Iris);
    let codes: Vec<ZoneCode> = table.zones_at(level).map(|(_, z)| z.code.clone()).collect();
    let mut out = Vec::new();
    let census = "INSEE, recensement de la population";

    if let Some(ix) = indices {
        out.extend(indices_layers(ctx, ix, level, &codes));
    }
    if let Some(ac) = access {
        out.extend(access_layers(ctx, ac, modes));
    }
    if table.variable("pop_75p").is_some() {
        out.push(layer(
            "part_75_ans_et_plus",
            "Part des 75 ans ou plus".into(),
            Unit::Percent,
            census,
            vintage_of(table, &["pop_75p"]),
            ratio_layer_values(table, level, "pop_75p", Some("pop"), 100.0),
            Ramp::YlOrRd,
        ));
    }
    if table.variable("disp_med").is_some() {
        out.push(layer(
            "revenu_median",
            "Revenu disponible médian par unité de consommation".into(),
            Unit::Euros,
            "INSEE, Filosofi",
            vintage_of(table, &["disp_med"]),
            ratio_layer_values(table, level, "disp_med", None, 1.0),
            Ramp::YlGnBu,
        ));
    }
    out.retain(|l| l.values.values().any(|c| c.is_value()));
    out
}

/// The layers of the indices stage: each indicator's share (and by commune when the maps are
/// finer), the headline indicator's count and its cross with social precarity, the social
/// score and the IFN.
fn indices_layers(ctx: &Context, ix: &IndicesOutput, level: Level, codes: &[ZoneCode]) -> Vec<Layer> {
    let mut out = Vec::new();
    let rows = rows_by_code(ix, level);
    let vintage = rows.values().find_map(|r| r.vintage.clone()).unwrap_or_default();
    let source =
        format!("Estimation fragnum : taux d'enquête (config/rates) × strates du recensement, estimateur {}", ix.estimator.as_str());
    let cells = |f: &dyn Fn(&IndicesRow) -> Option<f64>| -> BTreeMap<ZoneCode, Cell> {
        codes.iter().map(|c| (c.clone(), rows.get(c.as_str()).and_then(|r| f(r)).map_or(Cell::Missing, Cell::Value))).collect()
    };
    // Computed or imputed, per zone, for the layers drawn from indicator `i`.
    let statuses = |i: usize| -> BTreeMap<ZoneCode, Status> {
        codes.iter().filter_map(|c| Some((c.clone(), rows.get(c.as_str())?.digital[i].status?))).collect()
    };
    for (i, name) in ix.indicators.iter().enumerate() {
        let values = cells(&|r| r.digital[i].share().map(|s| 100.0 * s));
        out.push(Layer {
            statuses: statuses(i),
            ..layer(&format!("{name}_part"), indicator_title(ctx, name), Unit::Percent, &source, vintage.clone(), values, Ramp::YlOrRd)
        });
    }
    // The same shares by commune (`<id>_commune`: the atlas's level switch), when the maps
    // are finer than communes and commune outlines exist; summed by the indices stage.
    let commune_codes: Vec<&ZoneCode> = ctx.loaded.geometries.keys().filter(|c| c.level() == Level::Commune).collect();
    if level != Level::Commune && !commune_codes.is_empty() {
        let rows = rows_by_code(ix, Level::Commune);
        for (i, name) in ix.indicators.iter().enumerate() {
            let values: BTreeMap<ZoneCode, Cell> = commune_codes
                .iter()
                .map(|c| {
                    (
                        (*c).clone(),
                        rows.get(c.as_str()).and_then(|r| r.digital[i].share()).map_or(Cell::Missing, |s| Cell::Value(100.0 * s)),
                    )
                })
                .collect();
            let title = format!("{} — par commune", indicator_title(ctx, name));
            out.push(layer(&format!("{name}_part_commune"), title, Unit::Percent, &source, vintage.clone(), values, Ramp::YlOrRd));
        }
    }
    if let Some((i, name)) = headline_indicator(ix) {
        let title = format!("Nombre estimé de personnes : {}", indicator_title(ctx, name).trim_start_matches("Part des "));
        out.push(Layer {
            statuses: statuses(i),
            ..layer(&format!("{name}_nombre"), title, Unit::Count, &source, vintage.clone(), cells(&|r| r.digital[i].count), Ramp::Blues)
        });
        out.push(Layer {
            statuses: statuses(i),
            ..layer(
                "precarite_numerique_et_sociale_nombre",
                "Personnes en précarité numérique et sociale (estimation, indépendance dans la zone)".into(),
                Unit::Count,
                &source,
                vintage.clone(),
                cells(&|r| r.cross[i]),
                Ramp::Blues,
            )
        });
    }
    out.push(layer(
        "precarite_sociale_score",
        "Précarité sociale : score pondéré (écarts à la moyenne du périmètre)".into(),
        Unit::Index,
        "Calcul fragnum : chômage, RSA, minima sociaux, prestations, revenu médian (INSEE, CAF)",
        vintage.clone(),
        cells(&|r| r.social.score),
        Ramp::PuOr,
    ));
    if let Some(reference) = ix.ifn_references.first() {
        out.push(layer(
            "ifn_score_global",
            format!("Indice de fragilité numérique (MedNum 2020, base 100, référence {reference})"),
            Unit::Index,
            &format!("Méthode MedNum 2020 ({}), calcul fragnum", ix.ifn_variant.as_str()),
            vintage.clone(),
            cells(&|r| r.ifn[0].as_ref().map(|s| s.score_global)),
            Ramp::PuOr,
        ));
    }
    out
}

/// The accessibility layers: the share within 20 minutes per mode, then supply against need
/// (2SFCA and E2SFCA), at the level of the population points' zones.
fn access_layers(ctx: &Context, ac: &AccessOutput, modes: &[ModeZones]) -> Vec<Layer> {
    let mut out = Vec::new();
    // Access zones are those of the population points (IRIS, or communes for a grid):
    // the layer is drawn at that level.
    // One layer per mode; the car's keeps its name, and says « en voiture » only beside others.
    for m in modes {
        let k = isochrone_index(&m.thresholds_min, ac.isochrone_min);
        let phrase = if modes.len() > 1 { format!(" {}", m.mode.phrase_fr()) } else { String::new() };
        out.push(layer(
            &format!("acces_20min_part{}", m.mode.suffix()),
            format!(
                "Part de la population à moins de {} minutes{phrase} {}",
                fragnum_render::format::number(m.thresholds_min.get(k).copied().unwrap_or(20.0), 0),
                sites_phrase(ac)
            ),
            Unit::Percent,
            &format!("Calcul fragnum : {}", m.method_label),
            String::new(),
            m.zones.iter().map(|z| (z.zone.clone(), Cell::Value(100.0 * z.share_within[k]))).collect(),
            Ramp::YlGnBu,
        ));
    }
    let sup = &ac.supply;
    // A short title; who is in need is said in the source note under the legend.
    let (need, need_note) = match sup.need_label.as_str() {
        "population" => ("habitants", String::new()),
        _ => ("personnes dans le besoin", format!(" ; besoin : {}", need_phrase(ctx, &sup.need_label))),
    };
    for (id, name, pick) in [
        (
            "offre_2sfca",
            "2SFCA",
            (|z: &fragnum_access::supply::ZoneSupply| z.fca) as fn(&fragnum_access::supply::ZoneSupply) -> Option<f64>,
        ),
        ("offre_e2sfca", "E2SFCA, pondéré par la distance", |z| z.e2sfca),
    ] {
        out.push(layer(
            id,
            format!(
                "{} pour {} {need} à moins de {} minutes ({name})",
                capitalised(sup.measure.label_fr()),
                fragnum_render::format::number(sup.per, 0),
                fragnum_render::format::number(sup.threshold_min, 0),
            ),
            Unit::Index,
            &format!("Calcul fragnum : {}{need_note}", ac.method_label),
            String::new(),
            sup.zones.iter().map(|z| (z.zone.clone(), pick(z).map_or(Cell::Missing, Cell::Value))).collect(),
            Ramp::YlGnBu,
        ));
    }
    out
}

/// The sites of the access stage in words, naming their kind when they are all of one
/// (« d'un lieu accueillant un conseiller numérique » for a config that keeps only those).
fn sites_phrase(ac: &AccessOutput) -> &'static str {
    let first = ac.sites.first().map(|s| s.site.kind.as_str());
    match first.filter(|k| ac.sites.iter().all(|s| s.site.kind == *k)) {
        Some("conseiller_numerique") => "d'un lieu accueillant un conseiller numérique",
        Some("france_services") => "d'un espace France Services",
        Some("mediation") => "d'un lieu de médiation numérique",
        _ => "d'un lieu d'accompagnement",
    }
}

/// Sites drawn on maps: the accessibility stage's (after kind filtering) that lie inside the
/// territory's outlines. Sites beyond the border still count in travel times, but drawn on a
/// map of the territory they would fall outside it (and onto the legend or scale bar).
pub fn site_marks(ctx: &Context, access: Option<&AccessOutput>) -> Vec<fragnum_core::sites::Site> {
    use geo::BoundingRect;
    let outlines: Vec<(geo::Rect<f64>, &fragnum_core::ZoneGeometry)> =
        ctx.loaded.geometries.values().filter_map(|g| Some((g.bounding_rect()?, g))).collect();
    let inside = |p: geo::Point<f64>| outlines.iter().any(|(r, g)| r.intersects(&p) && g.intersects(&p));
    access
        .map(|a| a.sites.iter().filter(|s| inside(geo::Point::new(s.site.lon, s.site.lat))).map(|s| s.site.clone()).collect())
        .unwrap_or_default()
}

/// Key socio-demographic ratios: label, numerator, denominator, scale, unit.
const SOCIO: [(&str, &str, Option<&str>, f64, Unit); 8] = [
    ("Part des 75 ans ou plus", "pop_75p", Some("pop"), 100.0, Unit::Percent),
    ("Part des 15-29 ans", "pop_1529", Some("pop"), 100.0, Unit::Percent),
    ("Part des non ou peu diplômés (15 ans ou plus non scolarisés)", "nscol15p_diplmin", Some("nscol15p"), 100.0, Unit::Percent),
    ("Taux de chômage des 15-64 ans", "chom_1564", Some("act_1564"), 100.0, Unit::Percent),
    ("Part des ménages d'une personne", "men_pseul", Some("men"), 100.0, Unit::Percent),
    ("Part des familles monoparentales", "fam_mono", Some("fam"), 100.0, Unit::Percent),
    ("Taux de pauvreté (seuil à 60 %)", "disp_tp60", None, 1.0, Unit::Percent),
    ("Revenu disponible médian", "disp_med", None, 1.0, Unit::Euros),
];

/// Socio-demographic values over a set of zones: sums of numerators over sums of denominators
/// (never averaged shares); for published rates and medians, the population-weighted mean of the
/// zones with a value.
fn socio_over(table: &ZoneTable, zones: &[&fragnum_core::Zone]) -> Vec<Cell> {
    SOCIO
        .iter()
        .map(|&(_, num, den, scale, _)| {
            let mut a = 0.0;
            let mut b = 0.0;
            for z in zones {
                let n = table.get(&z.code, num).value();
                let d = table.get(&z.code, den.unwrap_or("pop")).value();
                if let (Some(n), Some(d)) = (n, d) {
                    a += if den.is_some() { n } else { n * d };
                    b += d;
                }
            }
            if b > 0.0 { Cell::Value(scale * a / b) } else { Cell::Missing }
        })
        .collect()
}

/// The indices stage's notes on the headline estimate: why there is none, or members left out.
fn digital_notes(row: Option<&IndicesRow>, headline: Option<usize>) -> Vec<String> {
    row.zip(headline).map(|(r, i)| r.digital[i].skipped.clone()).unwrap_or_default()
}

/// The digital, social and IFN parts of a sheet, from an indices row.
fn index_parts(
    row: Option<&IndicesRow>,
    headline: Option<usize>,
    scored: usize,
    universes: &[String],
) -> (Option<DigitalPrecarity>, Option<SocialRank>, Option<IfnScores>) {
    let digital = row.zip(headline).and_then(|(r, i)| {
        let d = &r.digital[i];
        let universe = d.universe.filter(|u| *u > 0.0)?;
        let (count, low, high) = (d.count?, d.low?, d.high?);
        // A territory summed from zones (an aggregate never names what it borrowed).
        let summed = r.level == Level::Group || r.members > 1 || (d.status == Some(Status::Imputed) && d.imputed_from.is_empty());
        Some(DigitalPrecarity {
            estimate: count,
            universe: universes.get(i).cloned().unwrap_or_default(),
            share: 100.0 * count / universe,
            low: 100.0 * low / universe,
            high: 100.0 * high / universe,
            interval: (low, high),
            status: d.status?,
            imputed_from: d.imputed_from.clone(),
            imputed_share: d.imputed_share().map(|s| 100.0 * s).filter(|_| summed),
            standard_errors: [d.se_sampling, d.se_imputation, d.se_estimator],
        })
    });
    let social = row.and_then(|r| {
        Some(SocialRank { rank: r.social.rank?, of: scored, class: r.social.class.map_or_else(String::new, |c| format!("classe {c}")) })
    });
    let ifn = row.and_then(|r| r.ifn.first()?.as_ref()).map(|s| IfnScores {
        global: s.score_global,
        axes: vec![
            ("Accès à l'information".into(), s.acces_information),
            ("Accès aux interfaces numériques".into(), s.acces_interfaces_numeriques),
            ("Compétences administratives".into(), s.competences_administratives),
            ("Compétences numériques / scolaires".into(), s.competences_numeriques_scolaires),
        ],
    });
    (digital, social, ifn)
}

/// One sheet per zone of the finest level with outlines that has an outline or is in a custom
/// group (never one per row of a national table), at most `[render] max_sheets` of them in code
/// order, then one per custom group of the indices stage (a city's *secteurs*, a study
/// perimeter), with the members that stage used. Says how many zones got no sheet.
pub fn sheets(ctx: &Context, indices: Option<&IndicesOutput>, access: Option<&AccessOutput>, modes: &[ModeZones]) -> Vec<SheetInput> {
    let table = &ctx.loaded.table;
    let level = finest_outlined_level(&ctx.loaded.geometries).unwrap_or(Level::Iris);
    let zones: Vec<&fragnum_core::Zone> = table.zones_at(level).map(|(_, z)| z).collect();
    let perimeter = socio_over(table, &zones);
    let rows = indices.map(|ix| rows_by_code(ix, level)).unwrap_or_default();
    let group_rows = indices.map(|ix| rows_by_code(ix, Level::Group)).unwrap_or_default();
    let headline = indices.and_then(headline_indicator).map(|(i, _)| i);
    let universes: &[String] = indices.map_or(&[], |ix| ix.universes.as_slice());
    let services = Services::new(access, modes);
    let mut sources: Vec<String> = ctx.loaded.sources.iter().filter_map(|s| s.source.clone()).collect();
    sources.dedup();
    if let Some(a) = access {
        sources.push(format!("Accessibilité : {}", a.method_label));
    }

    let scored = rows.values().filter(|r| r.social.rank.is_some()).count();
    let chosen = sheet_zones(ctx, indices, &zones, level);
    let mut out: Vec<SheetInput> = chosen
        .iter()
        .map(|z| {
            let code = &z.code;
            let socio = SOCIO
                .iter()
                .zip(&perimeter)
                .map(|(&(label, num, den, scale, unit), &p)| SocioRow {
                    label: label.into(),
                    zone: ratio(table, code, num, den, scale),
                    perimeter: p,
                    unit,
                })
                .collect();
            let (digital, social, ifn) = index_parts(rows.get(code.as_str()).copied(), headline, scored, universes);
            let outline = ctx.loaded.geometries.get(code).cloned();
            let services = services.offer(ctx, outline.as_ref(), &[(z, 1.0)]);
            SheetInput {
                code: code.as_str().to_string(),
                kind: SheetKind::Zone,
                name: z.name.clone().unwrap_or_else(|| code.as_str().to_string()),
                commune: z.commune_name.clone().or_else(|| z.commune.clone()).unwrap_or_default(),
                population: table.get(code, "pop").value(),
                socio,
                digital,
                digital_notes: digital_notes(rows.get(code.as_str()).copied(), headline),
                social,
                ifn,
                ifn_missing: rows.get(code.as_str()).map(|r| r.ifn_missing.clone()).unwrap_or_default(),
                services,
                outline,
                sources: sources.clone(),
            }
        })
        .collect();

    let group_scored = group_rows.values().filter(|r| r.social.rank.is_some()).count();
    for (name, codes) in indices.map(|ix| &ix.group_members).into_iter().flatten() {
        let members: Vec<&fragnum_core::Zone> = codes.iter().filter_map(|c| table.row(c).ok()).map(|r| &table.zones()[r]).collect();
        if members.is_empty() {
            continue;
        }
        let values = socio_over(table, &members);
        let socio = SOCIO
            .iter()
            .zip(values.iter().zip(&perimeter))
            .map(|(&(label, _, _, _, unit), (&v, &p))| SocioRow { label: label.into(), zone: v, perimeter: p, unit })
            .collect();
        let (digital, social, ifn) = index_parts(group_rows.get(name).copied(), headline, group_scored, universes);
        let outline: Option<fragnum_core::ZoneGeometry> = {
            let parts: Vec<_> =
                members.iter().filter_map(|z| ctx.loaded.geometries.get(&z.code)).flat_map(|g| g.0.iter().cloned()).collect();
            (!parts.is_empty()).then_some(geo::MultiPolygon(parts))
        };
        let weighted: Vec<_> = members.iter().map(|z| (*z, table.get(&z.code, "pop").value().unwrap_or(0.0))).collect();
        let services = services.offer(ctx, outline.as_ref(), &weighted);
        let population: f64 = members.iter().filter_map(|z| table.get(&z.code, "pop").value()).sum();
        out.push(SheetInput {
            code: name.clone(),
            kind: SheetKind::Group,
            name: name.clone(),
            commune: format!("regroupement de {} zones", members.len()),
            population: Some(population),
            socio,
            digital,
            digital_notes: digital_notes(group_rows.get(name).copied(), headline),
            social,
            ifn,
            ifn_missing: group_rows.get(name).map(|r| r.ifn_missing.clone()).unwrap_or_default(),
            services,
            outline,
            sources: sources.clone(),
        });
    }
    out
}

fn ratio(table: &ZoneTable, code: &ZoneCode, num: &str, den: Option<&str>, scale: f64) -> Cell {
    match den {
        None => table.get(code, num),
        Some(den) => match (table.get(code, num), table.get(code, den)) {
            (Cell::Value(a), Cell::Value(b)) if b > 0.0 => Cell::Value(scale * a / b),
            (Cell::Masked, _) | (_, Cell::Masked) => Cell::Masked,
            _ => Cell::Missing,
        },
    }
}

/// The zones that get a fact sheet: those with an outline or in a custom group, at most
/// `[render] max_sheets`; the others are counted on standard error.
fn sheet_zones<'z>(
    ctx: &Context,
    indices: Option<&IndicesOutput>,
    zones: &[&'z fragnum_core::Zone],
    level: Level,
) -> Vec<&'z fragnum_core::Zone> {
    let grouped: std::collections::BTreeSet<&ZoneCode> =
        indices.map(|ix| ix.group_members.values().flatten().collect()).unwrap_or_default();
    let mut chosen: Vec<&fragnum_core::Zone> =
        zones.iter().copied().filter(|z| ctx.loaded.geometries.contains_key(&z.code) || grouped.contains(&z.code)).collect();
    let unoutlined = zones.len() - chosen.len();
    let cap = ctx.config.render().max_sheets();
    let over = chosen.len().saturating_sub(cap);
    chosen.truncate(cap);
    if unoutlined > 0 || over > 0 {
        eprintln!(
            "render: {} of {} {level} zone(s) get no fact sheet: {unoutlined} without outline nor custom group, {over} over `max_sheets = {cap}` of [render]",
            unoutlined + over,
            zones.len()
        );
    }
    chosen
}

/// What the access stage says of the services around a zone, looked up per zone; a zone without
/// results of its own (population grid counted by commune) takes its commune's.
struct Services<'a> {
    access: Option<&'a AccessOutput>,
    modes: &'a [ModeZones],
    by_zone: BTreeMap<&'a str, &'a fragnum_access::coverage::ZoneResult>,
    supply_by_zone: BTreeMap<&'a str, &'a fragnum_access::supply::ZoneSupply>,
}

impl<'a> Services<'a> {
    fn new(access: Option<&'a AccessOutput>, modes: &'a [ModeZones]) -> Self {
        Services {
            access,
            modes,
            by_zone: access.map(|a| a.zones.iter().map(|z| (z.zone.as_str(), z)).collect()).unwrap_or_default(),
            supply_by_zone: access.map(|a| a.supply.zones.iter().map(|z| (z.zone.as_str(), z)).collect()).unwrap_or_default(),
        }
    }

    fn own<'m, T>(map: &'m BTreeMap<&'a str, &'a T>, z: &fragnum_core::Zone) -> Option<&'a T> {
        map.get(z.code.as_str()).or_else(|| z.commune.as_deref().and_then(|c| map.get(c))).copied()
    }

    /// The services section of a sheet about `members` (one zone, or a group's zones weighted
    /// by population) whose outline is `outline`.
    fn offer(&self, ctx: &Context, outline: Option<&fragnum_core::ZoneGeometry>, members: &[(&fragnum_core::Zone, f64)]) -> ServiceOffer {
        let Some(access) = self.access else { return ServiceOffer::default() };
        let weighted: Vec<_> = members.iter().map(|(z, w)| (Self::own(&self.by_zone, z), *w)).collect();
        let mut offer = service_offer(access, outline, &weighted);
        let supplies: Vec<_> = members.iter().map(|(z, _)| Self::own(&self.supply_by_zone, z)).collect();
        offer.supply = supply_line(ctx, access, &supplies);
        offer.by_mode = mode_shares(self.modes, members, access.isochrone_min);
        offer
    }
}

/// The share of the population within `threshold_min` by each mode other than the car (which the
/// services section gives already), over a zone or a group's zones weighted by population; a
/// zone without its own result takes its commune's.
fn mode_shares(modes: &[ModeZones], members: &[(&fragnum_core::Zone, f64)], threshold_min: f64) -> Vec<(String, f64)> {
    modes
        .iter()
        .filter(|m| m.mode != fragnum_access::modes::Mode::Car)
        .filter_map(|m| {
            let k = isochrone_index(&m.thresholds_min, threshold_min);
            let by_code: BTreeMap<&str, &fragnum_access::coverage::ZoneResult> = m.zones.iter().map(|z| (z.zone.as_str(), z)).collect();
            let (mut sum, mut weight) = (0.0, 0.0);
            for (z, w) in members {
                let own = by_code.get(z.code.as_str()).or_else(|| z.commune.as_deref().and_then(|c| by_code.get(c)));
                if let Some(r) = own {
                    sum += r.share_within[k] * w;
                    weight += w;
                }
            }
            (weight > 0.0).then(|| (m.mode.phrase_fr().to_string(), 100.0 * sum / weight))
        })
        .collect()
}

/// Supply against need over a zone or a group's zones (need-weighted means; medians of the
/// 2nd and 3rd nearest times weighted by need too, taken from the zones that have them).
fn supply_line(ctx: &Context, access: &AccessOutput, members: &[Option<&fragnum_access::supply::ZoneSupply>]) -> Option<SupplyLine> {
    let known: Vec<&fragnum_access::supply::ZoneSupply> = members.iter().flatten().copied().collect();
    let need: f64 = known.iter().map(|z| z.need).sum();
    if need <= 0.0 {
        return None;
    }
    let mean = |f: &dyn Fn(&fragnum_access::supply::ZoneSupply) -> Option<f64>| {
        let (sum, w) = known.iter().filter_map(|z| Some((f(z)? * z.need, z.need))).fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        (w > 0.0).then(|| sum / w)
    };
    let median = |k: usize| {
        let mut v: Vec<(f64, f64)> = known.iter().map(|z| (z.nearest_min[k].unwrap_or(f64::INFINITY), z.need)).collect();
        fragnum_access::coverage::weighted_median(&mut v).filter(|m| m.is_finite())
    };
    let sup = &access.supply;
    Some(SupplyLine {
        fca: mean(&|z| z.fca),
        e2sfca: mean(&|z| z.e2sfca),
        per: sup.per,
        unit: sup.measure.label_fr().into(),
        need: need_phrase(ctx, &sup.need_label),
        threshold_min: sup.threshold_min,
        second_min: median(1),
        third_min: median(2),
    })
}

/// Sites in the zone (its outline), and what the access stage says of its `members` (the zone,
/// or a group's zones, with their population weights): the sites serving it within the
/// isochrone threshold ([`fragnum_access::coverage::served_by`]), the share within it, the
/// nearest site.
fn service_offer(
    access: &AccessOutput,
    outline: Option<&fragnum_core::ZoneGeometry>,
    members: &[(Option<&fragnum_access::coverage::ZoneResult>, f64)],
) -> ServiceOffer {
    let as_service = |i: usize| {
        let s = &access.sites[i].site;
        let mut services = s.services.clone();
        services.push(s.kind.clone());
        ServiceSite { name: s.name.clone(), commune: s.commune.clone(), services, minutes: None, position: Some((s.lon, s.lat)) }
    };
    let mut offer = ServiceOffer {
        threshold_min: access.isochrone_min,
        services_described: access.sites.iter().any(|s| !s.site.services.is_empty()),
        ..ServiceOffer::default()
    };
    if let Some(outline) = outline {
        offer.in_zone = (0..access.sites.len())
            .filter(|&i| outline.intersects(&geo::Point::new(access.sites[i].site.lon, access.sites[i].site.lat)))
            .map(as_service)
            .collect();
    }
    let known: Vec<(&fragnum_access::coverage::ZoneResult, f64)> = members.iter().filter_map(|(z, w)| z.map(|z| (z, *w))).collect();
    if let Some(served) = fragnum_access::coverage::served_by(&known, isochrone_index(&access.thresholds_min, access.isochrone_min)) {
        offer.within = served.sites.into_iter().map(as_service).collect();
        offer.share_within = Some(100.0 * served.share_within);
        offer.nearest = served.nearest.map(|(i, minutes)| (access.sites[i].site.name.clone(), minutes));
    }
    offer
}

#[cfg(test)]
mod tests {
    use super::*;
    use fragnum_access::coverage::ZoneResult;
    use fragnum_access::modes::Mode;

    fn zone(code: &str, share20: f64) -> ZoneResult {
        ZoneResult {
            zone: ZoneCode::new(Level::Iris, code).unwrap(),
            population: 100.0,
            share_within: vec![1.0, share20, 1.0],
            mean_min: Some(12.0),
            median_min: Some(12.0),
            nearest_site: None,
            unreached_population: 0.0,
            beyond_snap_population: 0.0,
            sites_within: vec![],
        }
    }

    #[test]
    fn other_modes_are_weighted_by_population_and_fall_back_to_the_commune() {
        let thresholds = vec![10.0, 20.0, 30.0];
        let walk = ModeZones {
            mode: Mode::Walk,
            method_label: String::new(),
            thresholds_min: thresholds.clone(),
            zones: vec![zone("381850101", 0.5)],
        };
        let car =
            ModeZones { mode: Mode::Car, method_label: String::new(), thresholds_min: thresholds, zones: vec![zone("381850101", 1.0)] };
        let own = fragnum_core::Zone::new(ZoneCode::new(Level::Iris, "381850101").unwrap());
        let other = fragnum_core::Zone::new(ZoneCode::new(Level::Iris, "381850102").unwrap());
        // the car is said elsewhere; a zone without results of its own adds nothing
        let shares = mode_shares(&[car, walk], &[(&own, 300.0), (&other, 100.0)], 20.0);
        assert_eq!(shares, [("à pied".to_string(), 50.0)]);
    }

    #[test]
    fn the_isochrone_threshold_is_found_among_the_thresholds() {
        assert_eq!(isochrone_index(&[10.0, 20.0, 30.0], 20.0), 1);
        assert_eq!(isochrone_index(&[10.0, 20.0, 30.0], 30.0), 2);
        assert_eq!(capitalised("aidants"), "Aidants");
        assert_eq!(capitalised(""), "");
    }
}
