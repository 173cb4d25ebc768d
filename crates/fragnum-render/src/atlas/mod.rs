//! The web atlas: `atlas/index.html`, a MapLibre GL JS map of every layer, linked to the fact
//! sheets, that works from its folder alone — opened as `file://` or served by any static server.
//!
//! Nothing is fetched: every piece of data is a script (`data/*.js`) that assigns into the global
//! `FRAGNUM_ATLAS`, the page's own code is `atlas.js`, and MapLibre GL JS (`lib/maplibre-gl.js`,
//! `.css` and its licence) is copied from the npm package `maplibre-gl` installed at build time
//! ([`find_maplibre`]); it is never committed. Without it every other file is written and the page
//! says how to get it.
//!
//! Layers are those of the maps, reused as built by [`crate::choropleth::choropleth_geojson`]
//! (classes, colours, legend foreign member): their outlines are written once per zone level
//! (`data/zones-<level>.js`) and each layer's properties and legend in its own file
//! (`data/couche-<id>.js`, loaded when first shown), so ten layers do not repeat ten times the
//! same outlines. A layer `<id>_<level>` (`illectronisme_part_commune`) is the `<level>` view
//! of the layer `<id>`: the atlas offers a level switch for it.
//!
//! Layout:
//!
//! ```text
//! atlas/index.html            the page (French, lang="fr"; switcher, search, legend, table)
//! atlas/atlas.js, atlas.css   its code and style (fragnum's own)
//! atlas/data/catalogue.js     layers by theme and level, sheet links, site kinds, extent
//! atlas/data/zones-<level>.js outlines (code, name, commune)
//! atlas/data/couche-<id>.js   one layer: legend and per-zone value, label, class, colour
//! atlas/data/communes.js      commune boundaries drawn over finer zones, and searched
//! atlas/data/lieux.js         advisor sites; atlas/data/isochrones.js the isochrones
//! atlas/lib/                  MapLibre GL JS, copied from npm (BSD-3-Clause, LICENSE.txt)
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fragnum_core::sites::{Site, SiteKind};
use fragnum_core::{Level, ZoneCode, ZoneGeometries, atomic};
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::RenderError;
use crate::choropleth::{feature_properties, geometry_json, printable_strings};
use crate::layer::{Layer, classify_layer};
use crate::map::{BBox, MapContext, round6};
use crate::sheets::escape;

/// The page's code.
const ATLAS_JS: &str = include_str!("atlas.js");
/// The page's style.
const ATLAS_CSS: &str = include_str!("atlas.css");

/// Environment variable naming the folder that holds `maplibre-gl.js` and `maplibre-gl.css`
/// (the `dist` folder of the npm package).
pub const MAPLIBRE_ENV: &str = "FRAGNUM_MAPLIBRE_DIR";
/// Where the Makefile installs the npm package, relative to the project folder.
pub const MAPLIBRE_DEFAULT: &str = "target/npm/node_modules/maplibre-gl/dist";
/// How to get MapLibre GL JS, said when it cannot be found.
pub const MAPLIBRE_HINT: &str = "run `make maplibre` (npm install --prefix target/npm maplibre-gl@5) in the project folder, or set FRAGNUM_MAPLIBRE_DIR to the dist folder of the npm package maplibre-gl";

/// The themes of the switcher, in order: key and French title.
pub const THEMES: [(&str, &str); 5] = [
    ("numerique", "Précarité numérique"),
    ("sociale", "Précarité sociale"),
    ("ifn", "Indice de fragilité numérique (IFN)"),
    ("acces", "Accès aux lieux d'accompagnement"),
    ("demographie", "Démographie et revenus"),
];

/// The theme of a layer, from its id: `precarite_sociale*` social precarity, `ifn*` the IFN,
/// `acces*` access, the census ratios (`part_*`, `revenu*`) demography, anything else
/// (the indicators of digital precarity, their counts, the digital × social cross) digital precarity.
///
/// ```
/// use fragnum_render::atlas::theme_of;
/// assert_eq!(theme_of("illectronisme_part"), "numerique");
/// assert_eq!(theme_of("precarite_sociale_score"), "sociale");
/// assert_eq!(theme_of("part_75_ans_et_plus"), "demographie");
/// ```
pub fn theme_of(id: &str) -> &'static str {
    if id.starts_with("precarite_sociale") {
        "sociale"
    } else if id.starts_with("ifn") {
        "ifn"
    } else if id.starts_with("acces") {
        "acces"
    } else if id.starts_with("part_") || id.starts_with("revenu") || id.starts_with("pop") {
        "demographie"
    } else {
        "numerique"
    }
}

/// French name of a zone level in the level switch.
fn level_label(level: &str) -> &'static str {
    match level {
        "iris" => "IRIS",
        "commune" => "Communes",
        "qpv" => "Quartiers prioritaires",
        "epci" => "EPCI",
        "departement" => "Départements",
        "region" => "Régions",
        _ => "Regroupements",
    }
}

/// One layer as the atlas holds it ([`Atlas::prepare`]).
#[derive(Debug, Clone)]
pub struct AtlasLayer {
    id: String,
    group: String,
    theme: &'static str,
    level: &'static str,
    title: String,
    /// The legend foreign member of the layer's GeoJSON.
    legend: Value,
    /// Per zone code: the GeoJSON properties but `code` and `name`.
    zones: Map<String, Value>,
}

/// A `data/zones-<level>.js` FeatureCollection, serialised as it is held (fields in the sorted
/// order `serde_json`'s maps give, so the bytes are those of the `json!` it replaces).
#[derive(serde::Serialize)]
struct FeatureCollection<'a> {
    features: Vec<ZoneFeature<'a>>,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// One outline of a `data/zones-<level>.js` file.
#[derive(serde::Serialize)]
struct ZoneFeature<'a> {
    geometry: &'a Value,
    properties: ZoneProperties<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// An outline's properties: its code, name and commune.
#[derive(serde::Serialize)]
struct ZoneProperties<'a> {
    code: &'a str,
    commune: Option<std::borrow::Cow<'a, str>>,
    name: &'a Value,
}

/// A `data/couche-<id>.js` file: the layer as [`AtlasLayer`] holds it, borrowed.
#[derive(serde::Serialize)]
struct LayerFile<'a> {
    id: &'a str,
    legend: &'a Value,
    niveau: &'a str,
    titre: &'a str,
    zones: &'a Map<String, Value>,
}

/// What the atlas shows besides the layers.
#[derive(Debug, Clone, Default)]
pub struct AtlasExtras<'a> {
    /// Territory, in the page's title.
    pub territory: String,
    /// Optional MapLibre style URL drawn under the layers (`[render] basemap`); none: a plain background.
    pub basemap: Option<String>,
    /// Advisor sites, toggled by kind.
    pub sites: &'a [Site],
    /// The isochrones (`isochrones.geojson` of the access stage), toggled.
    pub isochrones: Option<Value>,
    /// Zone code → file stem of its fact sheet in `sheets/` ([`crate::sheets::sheet_stems`]).
    pub sheets: BTreeMap<String, String>,
    /// Commune outlines, drawn over finer zones and searched by name.
    pub communes: Option<&'a ZoneGeometries>,
    /// Zone and commune names by code.
    pub names: BTreeMap<ZoneCode, String>,
    /// Zone code → the name of its commune (tooltips and search results).
    pub zone_communes: BTreeMap<String, String>,
    /// The folder holding `maplibre-gl.js` and `.css` ([`find_maplibre`]); none: the page says how to get it.
    pub maplibre: Option<PathBuf>,
}

/// What [`Atlas::write`] did.
#[derive(Debug, Clone)]
pub struct AtlasReport {
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// Their total size in bytes (the atlas's size on disk).
    pub bytes: u64,
    /// Whether MapLibre GL JS was copied beside the page.
    pub maplibre: bool,
}

/// The atlas being assembled, one layer at a time, then written by [`Atlas::write`].
#[derive(Debug, Clone, Default)]
pub struct Atlas {
    layers: Vec<AtlasLayer>,
    /// Level → code → (geometry, name).
    zones: BTreeMap<&'static str, BTreeMap<String, (Value, Value)>>,
    bbox: Option<BBox>,
}

/// Finds MapLibre GL JS: the folder named by `FRAGNUM_MAPLIBRE_DIR`, else
/// [`MAPLIBRE_DEFAULT`] or `node_modules/maplibre-gl/dist` in one of `starts` or a folder above
/// it (the CLI passes the config's folder, the working folder and the binary's folder).
pub fn find_maplibre(starts: &[PathBuf]) -> Option<PathBuf> {
    let ok = |d: &Path| d.join("maplibre-gl.js").is_file() && d.join("maplibre-gl.css").is_file();
    if let Some(d) = std::env::var_os(MAPLIBRE_ENV) {
        let d = PathBuf::from(d);
        return ok(&d).then_some(d);
    }
    for start in starts {
        for dir in start.ancestors() {
            for rel in [MAPLIBRE_DEFAULT, "node_modules/maplibre-gl/dist"] {
                let d = dir.join(rel);
                if ok(&d) {
                    return Some(d);
                }
            }
        }
    }
    None
}

/// `FRAGNUM_ATLAS.<key> = <json>;` — a data file the page loads with a script tag.
fn data_script(key: &str, v: &impl serde::Serialize) -> String {
    // `</` never appears in a script file's JSON in a way that matters (no HTML parser reads
    // it), but U+2028/2029 and control characters are already valid or stripped.
    format!(
        "(window.FRAGNUM_ATLAS = window.FRAGNUM_ATLAS || {{}}).{key} = {};\n",
        serde_json::to_string(v).unwrap_or_else(|_| "null".into())
    )
}

fn keyed_script(key: &str, id: &str, v: &impl serde::Serialize) -> String {
    format!(
        "(function (a) {{ a.{key} = a.{key} || {{}}; a.{key}[{}] = {}; }})(window.FRAGNUM_ATLAS = window.FRAGNUM_ATLAS || {{}});\n",
        json!(id),
        serde_json::to_string(v).unwrap_or_else(|_| "null".into())
    )
}

impl Atlas {
    /// An empty atlas.
    pub fn new() -> Atlas {
        Atlas::default()
    }

    /// Number of layers added.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether no layer was added.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Adds a layer, classified over the zones of `ctx` as the maps are ([`Atlas::prepare`] then
    /// [`Atlas::add`]).
    pub fn add_layer(&mut self, layer: &Layer, ctx: &MapContext<'_>) -> Result<(), RenderError> {
        if let Some(prepared) = Atlas::prepare(layer, ctx)? {
            self.add(prepared, ctx.zones, &ctx.names);
        }
        Ok(())
    }

    /// A layer's part of the atlas — legend and per-zone properties, as the layer's GeoJSON has
    /// them — classified over the zones of `ctx`; `None` when `ctx` has no zone. Needs nothing of
    /// the atlas, so layers can be prepared in parallel and added in order.
    pub fn prepare(layer: &Layer, ctx: &MapContext<'_>) -> Result<Option<AtlasLayer>, RenderError> {
        let codes: Vec<&ZoneCode> = ctx.zones.keys().collect();
        let Some(first) = codes.first() else { return Ok(None) };
        let level = first.level().as_str();
        let c = classify_layer(layer, Some(&codes))?;
        let mut zones = Map::new();
        for code in codes {
            let mut props = feature_properties(&c, &ctx.names, code);
            props.remove("code");
            props.remove("name");
            props.values_mut().for_each(printable_strings);
            zones.insert(code.as_str().to_string(), Value::Object(props));
        }
        let mut legend = json!(c.legend);
        printable_strings(&mut legend);
        let suffix = format!("_{level}");
        let group = layer.id.strip_suffix(&suffix).unwrap_or(&layer.id).to_string();
        Ok(Some(AtlasLayer {
            id: layer.id.clone(),
            theme: theme_of(&group),
            group,
            level,
            title: fragnum_core::text::printable(&layer.title).into_owned(),
            legend,
            zones,
        }))
    }

    /// Adds a layer [`Atlas::prepare`]d over `zones` (the outlines of its map context, named by
    /// `names`): the outline of each zone not yet in the atlas at its level is built once, here;
    /// zones with nothing of area left are dropped from the layer as from its GeoJSON.
    pub fn add(&mut self, mut layer: AtlasLayer, zones: &ZoneGeometries, names: &BTreeMap<ZoneCode, String>) {
        let outlines = self.zones.entry(layer.level).or_default();
        let mut fresh = Vec::new();
        for (code, mp) in zones {
            if outlines.contains_key(code.as_str()) {
                continue;
            }
            fresh.push(mp);
            match geometry_json(mp) {
                Some(geometry) => {
                    let mut name = names.get(code).map_or(Value::Null, |n| json!(n));
                    printable_strings(&mut name);
                    outlines.insert(code.as_str().to_string(), (geometry, name));
                }
                None => {
                    layer.zones.remove(code.as_str());
                }
            }
        }
        if let Some(b) = BBox::of(fresh) {
            self.bbox = Some(match self.bbox {
                None => b,
                Some(a) => BBox {
                    min_lon: a.min_lon.min(b.min_lon),
                    min_lat: a.min_lat.min(b.min_lat),
                    max_lon: a.max_lon.max(b.max_lon),
                    max_lat: a.max_lat.max(b.max_lat),
                },
            });
        }
        self.layers.push(layer);
    }

    /// The catalogue the page reads first: themes → layer groups → levels, sheet links, site kinds.
    fn catalogue(&self, extras: &AtlasExtras<'_>) -> Value {
        let mut themes = Vec::new();
        for (key, label) in THEMES {
            let mut groups: Vec<Value> = Vec::new();
            let mut seen: Vec<&str> = Vec::new();
            for l in self.layers.iter().filter(|l| l.theme == key) {
                if seen.contains(&l.group.as_str()) {
                    continue;
                }
                seen.push(&l.group);
                let levels: Map<String, Value> =
                    self.layers.iter().filter(|m| m.group == l.group).map(|m| (m.level.to_string(), json!(m.id))).collect();
                groups.push(json!({ "id": l.group, "titre": l.title, "niveaux": levels }));
            }
            if !groups.is_empty() {
                themes.push(json!({ "id": key, "titre": label, "groupes": groups }));
            }
        }
        let layers: Map<String, Value> = self
            .layers
            .iter()
            .map(|l| {
                (
                    l.id.clone(),
                    json!({ "fichier": format!("data/couche-{}.js", l.id), "titre": l.title, "niveau": l.level, "groupe": l.group }),
                )
            })
            .collect();
        let levels: Vec<Value> = order_levels(self.zones.keys().copied())
            .into_iter()
            .map(|l| json!({ "id": l, "titre": level_label(l), "fichier": format!("data/zones-{l}.js") }))
            .collect();
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for s in extras.sites {
            *kinds.entry(site_kind_key(&s.kind).to_string()).or_default() += 1;
        }
        let kinds: Vec<Value> = kinds
            .iter()
            .map(|(k, n)| json!({ "id": k, "titre": site_kind_label(k), "couleur": site_kind_colour(k), "nombre": n }))
            .collect();
        let fiches: Map<String, Value> = extras.sheets.iter().map(|(c, s)| (c.clone(), json!(format!("../sheets/{s}.html")))).collect();
        let bbox = self.bbox.map(|b| json!([b.min_lon, b.min_lat, b.max_lon, b.max_lat]));
        let mut v = json!({
            "territoire": extras.territory,
            "fond": extras.basemap,
            "emprise": bbox,
            "niveaux": levels,
            "themes": themes,
            "couches": layers,
            "fiches": fiches,
            "sortes": kinds,
            "isochrones": extras.isochrones.is_some(),
            "communes": extras.communes.is_some_and(|c| !c.is_empty()),
            "maplibre": extras.maplibre.is_some(),
        });
        printable_strings(&mut v);
        v
    }

    /// Writes the atlas into `<out_dir>/atlas/`; returns the files and their total size.
    pub fn write(&self, out_dir: &Path, extras: &AtlasExtras<'_>) -> Result<AtlasReport, RenderError> {
        let dir = out_dir.join("atlas");
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        let mut put = |rel: &str, bytes: Vec<u8>| files.push((dir.join(rel), bytes));
        let catalogue = self.catalogue(extras);
        put("index.html", index_html(&catalogue, extras).into_bytes());
        put("atlas.js", ATLAS_JS.as_bytes().to_vec());
        put("atlas.css", ATLAS_CSS.as_bytes().to_vec());
        put("data/catalogue.js", data_script("catalogue", &catalogue).into_bytes());
        // The outlines of each level and the layers' files, the bulk of the atlas, serialised in
        // parallel (each file on its own), kept in order.
        let outline_files: Vec<(String, Vec<u8>)> = self
            .zones
            .par_iter()
            .map(|(level, zones)| {
                let features: Vec<ZoneFeature<'_>> = zones
                    .iter()
                    .map(|(code, (geometry, name))| ZoneFeature {
                        geometry,
                        properties: ZoneProperties {
                            code,
                            commune: extras.zone_communes.get(code).map(|c| fragnum_core::text::printable(c)),
                            name,
                        },
                        kind: "Feature",
                    })
                    .collect();
                let fc = FeatureCollection { features, kind: "FeatureCollection" };
                (format!("data/zones-{level}.js"), keyed_script("zones", level, &fc).into_bytes())
            })
            .collect();
        let layer_files: Vec<(String, Vec<u8>)> = self
            .layers
            .par_iter()
            .map(|l| {
                let v = LayerFile { id: &l.id, legend: &l.legend, niveau: l.level, titre: &l.title, zones: &l.zones };
                (format!("data/couche-{}.js", l.id), keyed_script("couches", &l.id, &v).into_bytes())
            })
            .collect();
        for (rel, bytes) in outline_files.into_iter().chain(layer_files) {
            put(&rel, bytes);
        }
        if let Some(communes) = extras.communes.filter(|c| !c.is_empty()) {
            let features: Vec<Value> = communes
                .iter()
                .filter_map(|(code, mp)| {
                    let name = extras.names.get(code).map_or(Value::Null, |n| json!(n));
                    Some(
                        json!({ "type": "Feature", "geometry": geometry_json(mp)?, "properties": { "code": code.as_str(), "name": name } }),
                    )
                })
                .collect();
            let mut fc = json!({ "type": "FeatureCollection", "features": features });
            printable_strings(&mut fc);
            put("data/communes.js", data_script("communes", &fc).into_bytes());
        }
        let sites: Vec<Value> = extras
            .sites
            .iter()
            .map(|s| {
                let kind = site_kind_key(&s.kind);
                let commune = s.commune.as_ref().map(|c| ZoneCode::new(Level::Commune, c).ok().and_then(|z| extras.names.get(&z).cloned()).unwrap_or_else(|| c.clone()));
                json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [round6(s.lon), round6(s.lat)] },
                    "properties": { "nom": s.name, "sorte": kind, "sorte_titre": site_kind_label(kind), "couleur": site_kind_colour(kind),
                        "services": s.services.iter().map(|x| service_label(x)).collect::<Vec<_>>(), "commune": commune, "source": s.source, "horaires": s.opening_hours.as_deref().map(opening_hours_fr) } })
            })
            .collect();
        let mut fc = json!({ "type": "FeatureCollection", "features": sites });
        printable_strings(&mut fc);
        put("data/lieux.js", data_script("lieux", &fc).into_bytes());
        if let Some(iso) = &extras.isochrones {
            let mut iso = iso.clone();
            printable_strings(&mut iso);
            put("data/isochrones.js", data_script("isochrones", &iso).into_bytes());
        }
        let mut copied = false;
        if let Some(src) = &extras.maplibre {
            for (from, to) in
                [("maplibre-gl.js", "lib/maplibre-gl.js"), ("maplibre-gl.css", "lib/maplibre-gl.css"), ("LICENSE.txt", "lib/LICENSE.txt")]
            {
                match std::fs::read(src.join(from)) {
                    Ok(bytes) => put(to, bytes),
                    Err(e) if from == "LICENSE.txt" && e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(RenderError::io(&src.join(from), e)),
                }
            }
            copied = true;
        }
        files.par_iter().try_for_each(|(path, bytes)| atomic::write_bytes(path, bytes).map_err(|e| RenderError::io(path, e)))?;
        Ok(AtlasReport {
            bytes: files.iter().map(|(_, b)| b.len() as u64).sum(),
            files: files.into_iter().map(|(p, _)| p).collect(),
            maplibre: copied,
        })
    }
}

/// Levels finest first.
fn order_levels(levels: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = levels.collect();
    v.sort_by_key(|l| Level::ALL.iter().position(|x| x.as_str() == *l).unwrap_or(usize::MAX));
    v
}

/// A site kind as drawn: the key of its [`SiteKind`], else `autre`.
fn site_kind_key(kind: &str) -> &'static str {
    SiteKind::from_key(kind).map_or("autre", SiteKind::key)
}

fn site_kind_label(kind: &str) -> &'static str {
    SiteKind::from_key(kind).map_or("Autre lieu d'accompagnement", SiteKind::label)
}

/// Colours of the site kinds (dark enough on the light choropleth classes, and told apart
/// by colour-blind readers: blue, orange, purple, grey).
fn site_kind_colour(kind: &str) -> &'static str {
    match SiteKind::from_key(kind) {
        Some(SiteKind::FranceServices) => "#1f4e9c",
        Some(SiteKind::ConseillerNumerique) => "#d35400",
        Some(SiteKind::Mediation) => "#6a3d9a",
        None => "#4d4d4d",
    }
}

/// Opening hours in French: the day and holiday words of OpenStreetMap's `opening_hours` syntax,
/// which the conseiller-numérique file uses (`Mo-We 09:00-12:00; Sa off` → `lun.-mer. 09:00-12:00;
/// sam. fermé`), are translated; anything else is kept as written.
fn opening_hours_fr(s: &str) -> String {
    const WORDS: [(&str, &str); 10] = [
        ("Mo", "lun."),
        ("Tu", "mar."),
        ("We", "mer."),
        ("Th", "jeu."),
        ("Fr", "ven."),
        ("Sa", "sam."),
        ("Su", "dim."),
        ("PH", "jours fériés"),
        ("off", "fermé"),
        ("closed", "fermé"),
    ];
    let mut out = String::with_capacity(s.len() + 8);
    let mut word = String::new();
    for ch in s.chars().chain(std::iter::once(' ')) {
        if ch.is_alphanumeric() {
            word.push(ch);
            continue;
        }
        out.push_str(WORDS.iter().find(|(k, _)| *k == word).map_or(word.as_str(), |(_, v)| v));
        word.clear();
        out.push(ch);
    }
    out.pop();
    out
}

/// A service as the sheets name it (`wifi` → « Wifi public »), else as the source wrote it.
fn service_label(s: &str) -> String {
    crate::sheets::service_type(s).map_or_else(|| s.to_string(), |t| t.label.to_string())
}

/// The page: header, controls (search, levels, themes, sites, isochrones), map, legend, table.
fn index_html(catalogue: &Value, extras: &AtlasExtras<'_>) -> String {
    let territory = escape(&extras.territory);
    let mut themes = String::new();
    for t in catalogue["themes"].as_array().into_iter().flatten() {
        let _ = write!(themes, "<fieldset class=\"theme\">\n<legend>{}</legend>\n", escape(t["titre"].as_str().unwrap_or_default()));
        for g in t["groupes"].as_array().into_iter().flatten() {
            let id = g["id"].as_str().unwrap_or_default();
            let _ = writeln!(
                themes,
                "<label><input type=\"radio\" name=\"couche\" value=\"{}\"> {}</label>",
                escape(id),
                escape(g["titre"].as_str().unwrap_or_default())
            );
        }
        themes.push_str("</fieldset>\n");
    }
    let mut overlays = String::new();
    let kinds = catalogue["sortes"].as_array().cloned().unwrap_or_default();
    if !kinds.is_empty() {
        overlays.push_str("<fieldset>\n<legend>Lieux d'accompagnement</legend>\n");
        for k in &kinds {
            let _ = writeln!(
                overlays,
                "<label><input type=\"checkbox\" name=\"lieux\" value=\"{}\" checked> <span class=\"puce\" style=\"background:{}\"></span> {} ({})</label>",
                escape(k["id"].as_str().unwrap_or_default()),
                escape(k["couleur"].as_str().unwrap_or_default()),
                escape(k["titre"].as_str().unwrap_or_default()),
                k["nombre"]
            );
        }
        overlays.push_str("</fieldset>\n");
    }
    if extras.isochrones.is_some() {
        overlays.push_str("<fieldset>\n<legend>Isochrones</legend>\n<label><input type=\"checkbox\" id=\"isochrones\"> Zone atteinte depuis un lieu</label>\n</fieldset>\n");
    }
    let sheets_link =
        if extras.sheets.is_empty() { String::new() } else { " · <a href=\"../sheets/index.html\">Toutes les fiches quartier</a>".into() };
    format!(
        r##"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atlas de la fragilité numérique — {territory}</title>
<link rel="stylesheet" href="lib/maplibre-gl.css">
<link rel="stylesheet" href="atlas.css">
</head>
<body data-etat="chargement">
<a class="evitement" href="#tableau">Aller au tableau des valeurs</a>
<header>
<h1>Atlas de la fragilité numérique — {territory}</h1>
</header>
<div class="atlas">
<aside id="panneau" aria-label="Choix de la carte">
<form id="recherche-form" role="search" autocomplete="off">
<label for="recherche">Rechercher une commune ou un IRIS</label>
<input type="search" id="recherche" aria-describedby="recherche-aide" aria-controls="resultats">
<p id="recherche-aide" class="aide">Entrée : aller au premier résultat.</p>
<ul id="resultats" aria-live="polite"></ul>
</form>
<fieldset id="niveaux" hidden>
<legend>Niveau</legend>
<div id="niveaux-choix"></div>
</fieldset>
<div id="couches">
{themes}</div>
{overlays}</aside>
<main>
<div id="carte" role="region" aria-label="Carte de la couche choisie (le tableau sous la carte en donne les valeurs)" tabindex="0"></div>
<p id="message" role="status" hidden></p>
<section id="legende" aria-live="polite" aria-label="Légende"></section>
<details id="tableau">
<summary>Tableau des valeurs de la couche</summary>
<div id="tableau-contenu"></div>
</details>
</main>
</div>
<footer>
<p>Produit par fragnum{sheets_link}. Fond de carte&#160;: aucun (contours des zones). Carte dessinée avec <a href="lib/LICENSE.txt">MapLibre GL JS</a> (licence BSD).</p>
</footer>
<script src="lib/maplibre-gl.js"></script>
<script src="data/catalogue.js"></script>
{zone_scripts}<script src="atlas.js"></script>
</body>
</html>
"##,
        zone_scripts = {
            let mut s = String::new();
            for l in catalogue["niveaux"].as_array().into_iter().flatten() {
                let _ = writeln!(s, "<script src=\"{}\"></script>", escape(l["fichier"].as_str().unwrap_or_default()));
            }
            if catalogue["communes"] == true {
                s.push_str("<script src=\"data/communes.js\"></script>\n");
            }
            s.push_str("<script src=\"data/lieux.js\"></script>\n");
            if extras.isochrones.is_some() {
                s.push_str("<script src=\"data/isochrones.js\"></script>\n");
            }
            s
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choropleth::tests::{ctx, grid};
    use crate::layer::tests::layer;

    #[test]
    fn atlas_writes_one_outline_file_per_level_and_one_file_per_layer() {
        let g = grid();
        let mut open = Site::new("s2", "France services", "france_services", 5.715, 45.185);
        open.opening_hours = Some("Mo-Fr 09:00-12:00".into());
        let sites = [Site::new("s1", "Mairie <b>", "conseiller_numerique", 5.705, 45.175), open];
        let context = ctx(&g, &sites);
        let mut atlas = Atlas::new();
        let l = layer();
        atlas.add_layer(&l, &context).unwrap();
        let mut other = layer();
        other.id = "ifn_score_global".into();
        other.title = "Indice de fragilité numérique".into();
        atlas.add_layer(&other, &context).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut sheets = BTreeMap::new();
        sheets.insert("381850101".to_string(), "381850101".to_string());
        let extras = AtlasExtras { territory: "Grenoble".into(), sites: &sites, sheets, ..AtlasExtras::default() };
        let report = atlas.write(dir.path(), &extras).unwrap();
        assert!(!report.maplibre);
        let names: Vec<String> = report.files.iter().map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string()).collect();
        assert!(names.contains(&"atlas/index.html".to_string()));
        assert!(names.contains(&"atlas/data/zones-iris.js".to_string()));
        assert!(names.contains(&"atlas/data/couche-precarite.js".to_string()));
        assert!(names.contains(&"atlas/data/couche-ifn_score_global.js".to_string()));
        assert_eq!(report.bytes, report.files.iter().map(|p| std::fs::metadata(p).unwrap().len()).sum::<u64>());
        let html = std::fs::read_to_string(dir.path().join("atlas/index.html")).unwrap();
        assert!(html.contains("<html lang=\"fr\">") && html.contains("value=\"precarite\"") && html.contains("Conseiller numérique (1)"));
        let cat = std::fs::read_to_string(dir.path().join("atlas/data/catalogue.js")).unwrap();
        assert!(cat.contains("\"381850101\":\"../sheets/381850101.html\""), "{cat}");
        assert!(cat.contains("\"id\":\"ifn\""), "{cat}");
        let couche = std::fs::read_to_string(dir.path().join("atlas/data/couche-precarite.js")).unwrap();
        assert!(couche.contains("\"legend\"") && couche.contains("Secret statistique") && !couche.contains("\"geometry\""));
        let lieux = std::fs::read_to_string(dir.path().join("atlas/data/lieux.js")).unwrap();
        assert!(lieux.contains("Mairie <b>"), "kept as text; the page writes it with textContent");
        assert!(lieux.contains("\"horaires\":\"lun.-ven. 09:00-12:00\"") && lieux.contains("\"horaires\":null"), "{lieux}");
    }

    #[test]
    fn a_level_suffix_makes_a_view_of_the_same_layer() {
        use fragnum_core::Cell;
        use geo_types::{LineString, MultiPolygon, Polygon, coord};
        let g = grid();
        let mut atlas = Atlas::new();
        atlas.add_layer(&layer(), &ctx(&g, &[])).unwrap();
        let commune = ZoneCode::new(Level::Commune, "38185").unwrap();
        let mut communes = ZoneGeometries::new();
        let ring = LineString::from(vec![
            coord! { x: 5.7, y: 45.17 },
            coord! { x: 5.73, y: 45.17 },
            coord! { x: 5.73, y: 45.2 },
            coord! { x: 5.7, y: 45.17 },
        ]);
        communes.insert(commune.clone(), MultiPolygon(vec![Polygon::new(ring, vec![])]));
        let mut l = layer();
        l.id = "precarite_commune".into();
        l.values = std::iter::once((commune, Cell::Value(20.0))).collect();
        let commune_ctx = MapContext {
            zones: &communes,
            names: BTreeMap::new(),
            communes: None,
            sites: &[],
            territory: String::new(),
            populations: BTreeMap::new(),
        };
        atlas.add_layer(&l, &commune_ctx).unwrap();
        let cat = atlas.catalogue(&AtlasExtras::default());
        let groups = cat["themes"][0]["groupes"].as_array().unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0]["niveaux"], json!({ "iris": "precarite", "commune": "precarite_commune" }));
        assert_eq!(cat["niveaux"][0]["id"], "iris");
        assert_eq!(cat["niveaux"][1]["id"], "commune");
    }

    #[test]
    fn opening_hours_speak_french() {
        assert_eq!(
            opening_hours_fr("Mo-We 09:00-12:00,13:00-17:00; Th 08:00-12:00; Sa off; PH closed"),
            "lun.-mer. 09:00-12:00,13:00-17:00; jeu. 08:00-12:00; sam. fermé; jours fériés fermé"
        );
        assert_eq!(opening_hours_fr("Lundi 9h-12h (Mo)"), "Lundi 9h-12h (lun.)");
    }

    #[test]
    fn maplibre_is_found_by_env_or_above_a_start_folder() {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join(MAPLIBRE_DEFAULT);
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("maplibre-gl.js"), "x").unwrap();
        std::fs::write(dist.join("maplibre-gl.css"), "x").unwrap();
        if std::env::var_os(MAPLIBRE_ENV).is_none() {
            let deep = dir.path().join("config/sub");
            std::fs::create_dir_all(&deep).unwrap();
            assert_eq!(find_maplibre(&[deep]), Some(dist));
            assert_eq!(find_maplibre(&[PathBuf::from("/nonexistent-fragnum")]), None);
        }
    }
}
