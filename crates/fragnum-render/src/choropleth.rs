//! Web outputs of a layer: an RFC 7946 GeoJSON choropleth and a MapLibre style beside it.
//!
//! The GeoJSON has WGS84 lon/lat coordinates with at most 6 decimals, exterior rings
//! counter-clockwise and holes clockwise, no `crs` member; each feature carries `code`, `name`,
//! `value`, `value_label`, `status`, `class`, `colour` and `label` (and `statut`, « calculé » or
//! « imputé », on layers that say how each figure was obtained); the legend is the top-level
//! foreign member `legend`. Every string is shown to people, so none keeps an input's control
//! characters ([`fragnum_core::text::printable`]). Outlines are drawn as given: the render stage simplifies them first
//! when `simplify_m` asks for it ([`crate::simplify`], shared borders kept shared).

use std::path::{Path, PathBuf};

use fragnum_core::{Status, atomic};
use serde_json::{Map, Value, json};

use crate::RenderError;
use crate::layer::{Assigned, Classified};
use crate::map::{MapContext, clean_ring};

/// The choropleth FeatureCollection of a classified layer over the zones of `ctx`.
pub fn choropleth_geojson(c: &Classified<'_>, ctx: &MapContext<'_>) -> Value {
    let mut features = Vec::with_capacity(ctx.zones.len());
    for (code, mp) in ctx.zones {
        let Some(geometry) = geometry_json(mp) else { continue };
        let props = feature_properties(c, &ctx.names, code);
        features.push(json!({ "type": "Feature", "geometry": geometry, "properties": props }));
    }
    let mut fc = json!({
        "type": "FeatureCollection",
        "name": c.layer.id,
        "legend": c.legend,
        "features": features,
    });
    printable_strings(&mut fc);
    fc
}

/// The GeoJSON properties of one zone of a classified layer: `code`, `name`, `value`,
/// `value_label`, `status`, `class`, `colour`, `label` (and `statut` on layers that say how each
/// figure was obtained). Strings are as given: [`printable_strings`] cleans the whole document.
pub fn feature_properties(
    c: &Classified<'_>,
    names: &std::collections::BTreeMap<fragnum_core::ZoneCode, String>,
    code: &fragnum_core::ZoneCode,
) -> Map<String, Value> {
    let assigned = c.assigned(code);
    let cell = c.layer.values.get(code).copied().unwrap_or_default();
    let (status, class) = match assigned {
        Assigned::Class(i) => ("value", json!(i)),
        Assigned::Missing => ("missing", Value::Null),
        Assigned::Masked => ("masked", Value::Null),
    };
    let value_label = match (assigned, cell.value()) {
        (Assigned::Class(_), Some(v)) => c.format(v),
        _ => c.label(assigned).to_string(),
    };
    let mut props = Map::new();
    props.insert("code".into(), json!(code.as_str()));
    props.insert("name".into(), names.get(code).map_or(Value::Null, |n| json!(n)));
    props.insert("value".into(), cell.value().map_or(Value::Null, |v| json!(v)));
    props.insert("value_label".into(), json!(value_label));
    props.insert("status".into(), json!(status));
    props.insert("class".into(), class);
    props.insert("colour".into(), json!(c.colour(assigned)));
    props.insert("label".into(), json!(c.label(assigned)));
    if !c.layer.statuses.is_empty() {
        props.insert("statut".into(), c.layer.statuses.get(code).map_or(Value::Null, |s| json!(s.label_fr())));
    }
    props
}

/// The RFC 7946 geometry of an outline (a `Polygon` when it has one part, else a
/// `MultiPolygon`; rings as [`clean_ring`] makes them); `None` when nothing of area remains.
pub fn geometry_json(mp: &geo_types::MultiPolygon<f64>) -> Option<Value> {
    let polygons: Vec<Value> =
        mp.0.iter()
            .filter_map(|p| {
                let outer = clean_ring(p.exterior(), true)?;
                let mut rings = vec![outer];
                rings.extend(p.interiors().iter().filter_map(|h| clean_ring(h, false)));
                Some(json!(rings))
            })
            .collect();
    match polygons.len() {
        0 => None,
        1 => Some(json!({ "type": "Polygon", "coordinates": polygons[0] })),
        _ => Some(json!({ "type": "MultiPolygon", "coordinates": polygons })),
    }
}

/// Drops control characters from every string of `v` ([`fragnum_core::text::printable`]).
pub fn printable_strings(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(clean) = fragnum_core::text::printable(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(printable_strings),
        Value::Object(map) => map.values_mut().for_each(printable_strings),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// A MapLibre GL style (version 8) drawing `<id>.geojson` (a URL relative to the page) with the
/// colour of each feature, white outlines (dashed dark ones on imputed zones) and the legend under
/// `metadata["fragnum:legend"]`.
pub fn maplibre_style(c: &Classified<'_>, data_url: &str) -> Value {
    let id = &c.layer.id;
    let mut style = json!({
        "version": 8,
        "name": c.layer.title,
        "metadata": { "fragnum:legend": c.legend, "fragnum:layer": id },
        "sources": {
            id.as_str(): {
                "type": "geojson",
                "data": data_url,
                "attribution": format!("{} ({})", c.layer.source, c.layer.vintage),
            }
        },
        "layers": [
            { "id": "fond", "type": "background", "paint": { "background-color": "#ffffff" } },
            {
                "id": format!("{id}-aplat"), "type": "fill", "source": id,
                "paint": { "fill-color": ["get", "colour"], "fill-opacity": 0.9 }
            },
            {
                "id": format!("{id}-contour"), "type": "line", "source": id,
                "paint": { "line-color": "#ffffff", "line-width": 0.6 }
            }
        ]
    });
    if !c.layer.statuses.is_empty()
        && let Some(layers) = style["layers"].as_array_mut()
    {
        layers.push(json!({
            "id": format!("{id}-impute"), "type": "line", "source": id,
            "filter": ["==", ["get", "statut"], Status::Imputed.label_fr()],
            "paint": { "line-color": "#4d4d4d", "line-width": 1.2, "line-dasharray": [1, 1.5] }
        }));
    }
    printable_strings(&mut style);
    style
}

/// Writes `<dir>/<id>.geojson` and `<dir>/<id>.style.json`; returns both paths.
pub fn write_web(c: &Classified<'_>, ctx: &MapContext<'_>, dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let id = &c.layer.id;
    let gj = dir.join(format!("{id}.geojson"));
    let style = dir.join(format!("{id}.style.json"));
    let body = serde_json::to_vec(&choropleth_geojson(c, ctx)).map_err(|e| RenderError::io(&gj, e.into()))?;
    atomic::write_bytes(&gj, &body).map_err(|e| RenderError::io(&gj, e))?;
    let body = serde_json::to_vec_pretty(&maplibre_style(c, &format!("{id}.geojson"))).map_err(|e| RenderError::io(&style, e.into()))?;
    atomic::write_bytes(&style, &body).map_err(|e| RenderError::io(&style, e))?;
    Ok(vec![gj, style])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::layer::classify_layer;
    use crate::layer::tests::{iris, layer};
    use crate::map::signed_area2;
    use fragnum_core::ZoneGeometries;
    use fragnum_core::sites::Site;
    use geo_types::{LineString, MultiPolygon, Polygon, coord};
    use std::collections::BTreeMap;

    /// A 3×3 grid of square IRIS near Grenoble, the centre one with a hole; clockwise input.
    pub(crate) fn grid() -> ZoneGeometries {
        let mut g = ZoneGeometries::new();
        for i in 0..9u32 {
            let (x, y) = (5.70 + f64::from(i % 3) * 0.01, 45.17 + f64::from(i / 3) * 0.01);
            let sq = |x: f64, y: f64, s: f64| {
                LineString::from(vec![
                    coord! { x: x, y: y },
                    coord! { x: x, y: y + s },
                    coord! { x: x + s, y: y + s },
                    coord! { x: x + s, y: y },
                    coord! { x: x, y: y },
                ])
            };
            let holes = if i == 4 { vec![sq(x + 0.003, y + 0.003, 0.002)] } else { vec![] };
            g.insert(iris(&format!("38185010{i}")), MultiPolygon(vec![Polygon::new(sq(x, y, 0.01), holes)]));
        }
        g
    }

    pub(crate) fn ctx<'a>(g: &'a ZoneGeometries, sites: &'a [Site]) -> MapContext<'a> {
        let names: BTreeMap<_, _> = g.keys().map(|c| (c.clone(), format!("Quartier {}", &c.as_str()[7..]))).collect();
        MapContext { zones: g, names, communes: None, sites, territory: "Grenoble".into(), populations: BTreeMap::new() }
    }

    #[test]
    fn geojson_is_rfc7946_with_legend_and_properties() {
        let g = grid();
        let l = layer();
        let codes: Vec<_> = g.keys().collect();
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let v = choropleth_geojson(&c, &ctx(&g, &[]));
        assert!(v.get("crs").is_none());
        assert_eq!(v["legend"]["entries"].as_array().unwrap().len(), 5);
        let feats = v["features"].as_array().unwrap();
        assert_eq!(feats.len(), 9);
        for f in feats {
            let rings = f["geometry"]["coordinates"].as_array().unwrap();
            for (i, r) in rings.iter().enumerate() {
                let pts: Vec<[f64; 2]> = serde_json::from_value(r.clone()).unwrap();
                assert_eq!(pts.first(), pts.last());
                assert_eq!(signed_area2(&pts) > 0.0, i == 0, "exterior ccw, holes cw");
            }
            for k in ["code", "name", "value", "class", "colour", "label"] {
                assert!(f["properties"].get(k).is_some(), "{k}");
            }
        }
        let masked = feats.iter().find(|f| f["properties"]["code"] == "381850107").unwrap();
        assert_eq!(masked["properties"]["status"], "masked");
        assert_eq!(masked["properties"]["label"], "Secret statistique");
        assert!(masked["properties"]["class"].is_null());
        let text = serde_json::to_string(&v["features"]).unwrap();
        // No coordinate with more than 6 decimals.
        for num in text.split(|ch: char| !(ch.is_ascii_digit() || ch == '.')) {
            if let Some((_, frac)) = num.split_once('.') {
                assert!(frac.len() <= 6, "{num}");
            }
        }
    }

    #[test]
    fn imputed_zones_say_so_in_features_legend_and_style() {
        let g = grid();
        let l = layer();
        let codes: Vec<_> = g.keys().collect();
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let v = choropleth_geojson(&c, &ctx(&g, &[]));
        assert!(v["features"].as_array().unwrap().iter().all(|f| f["properties"].get("statut").is_none()), "no status, no `statut`");
        assert_eq!(maplibre_style(&c, "p.geojson")["layers"].as_array().unwrap().len(), 3);

        let mut l = layer();
        l.statuses.insert(iris("381850100"), Status::Computed);
        l.statuses.insert(iris("381850103"), Status::Imputed);
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let v = choropleth_geojson(&c, &ctx(&g, &[]));
        let feature =
            |code: &str| v["features"].as_array().unwrap().iter().find(|f| f["properties"]["code"] == code).unwrap()["properties"].clone();
        assert_eq!(feature("381850100")["statut"], "calculé");
        let imputed = feature("381850103");
        assert_eq!(imputed["statut"], "imputé");
        assert_eq!(imputed["status"], "value", "the value is kept");
        assert_eq!(imputed["value"], 31.0);
        assert!(feature("381850108")["statut"].is_null());
        let entry = v["legend"]["entries"].as_array().unwrap().iter().find(|e| e["kind"] == "imputed").unwrap().clone();
        assert_eq!(entry["label"], "Estimation imputée");
        assert_eq!(entry["note"], "estimée à partir du territoire englobant");
        assert_eq!(entry["count"], 1);
        let s = maplibre_style(&c, "p.geojson");
        assert_eq!(s["layers"][3]["filter"], json!(["==", ["get", "statut"], "imputé"]));
    }

    #[test]
    fn control_characters_never_reach_the_web_map() {
        let g = grid();
        let mut l = layer();
        l.title = "Précarité\u{1b}[31m numérique\u{0}".into();
        l.source = "INSEE\u{7}".into();
        let codes: Vec<_> = g.keys().collect();
        let c = classify_layer(&l, Some(&codes)).unwrap();
        let mut context = ctx(&g, &[]);
        let first = g.keys().next().unwrap().clone();
        context.names.insert(first.clone(), "Bel\u{0}air\u{1b}".into());
        let v = choropleth_geojson(&c, &context);
        let style = maplibre_style(&c, "p.geojson");
        for text in [serde_json::to_string(&v).unwrap(), serde_json::to_string(&style).unwrap()] {
            assert!(!text.contains("\\u0000") && !text.contains("\\u001b") && !text.contains("\\u0007"), "{text}");
        }
        let feature = v["features"].as_array().unwrap().iter().find(|f| f["properties"]["code"] == first.as_str()).unwrap();
        assert_eq!(feature["properties"]["name"], "Belair");
        assert_eq!(style["name"], "Précarité[31m numérique");
        let mut raw = json!({ "a": ["x\u{0}y", { "b": "\u{1b}z\n" }], "n": 1 });
        printable_strings(&mut raw);
        assert_eq!(raw, json!({ "a": ["xy", { "b": "z\n" }], "n": 1 }));
    }

    #[test]
    fn style_reads_colour_property() {
        let l = layer();
        let c = classify_layer(&l, None).unwrap();
        let s = maplibre_style(&c, "precarite.geojson");
        assert_eq!(s["version"], 8);
        assert_eq!(s["layers"][1]["paint"]["fill-color"], json!(["get", "colour"]));
        assert_eq!(s["sources"]["precarite"]["data"], "precarite.geojson");
        assert!(s["metadata"]["fragnum:legend"]["entries"].is_array());
    }
}
