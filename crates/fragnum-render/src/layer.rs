//! A map layer as the render crate receives it, and its classification into coloured classes
//! with a French legend.
//!
//! The lead converts index and access results into [`Layer`]s; nothing here recomputes them.

use std::collections::BTreeMap;

use fragnum_core::{Cell, Status, ZoneCode};
use serde::Serialize;

use crate::RenderError;
use crate::classify::{Breaks, Classification, classify};
use crate::format::{Unit, with_unit};
use crate::ramp::{IMPUTED_COLOUR, MASKED_COLOUR, MISSING_COLOUR, Ramp};

/// Legend label of zones without a figure.
pub const MISSING_LABEL: &str = "Données manquantes";
/// Legend label of zones whose figure is withheld.
pub const MASKED_LABEL: &str = "Secret statistique";
/// Legend label of zones whose figure is imputed (drawn in their class colour, with a pattern).
pub const IMPUTED_LABEL: &str = "Estimation imputée";
/// What an imputed figure is, under its legend label.
pub const IMPUTED_NOTE: &str = "estimée à partir du territoire englobant";

/// One variable to map, with how to classify and colour it.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// File stem and identifier (`precarite_numerique`), ASCII.
    pub id: String,
    /// Title in French (`Part de la population en précarité numérique`).
    pub title: String,
    /// Unit of the values (percent values are 0–100).
    pub unit: Unit,
    /// Source line (`INSEE, RP 2019 ; calcul fragnum`).
    pub source: String,
    /// Vintage (`2019`, `2016–2020`).
    pub vintage: String,
    /// One cell per zone; zones of the map absent here are drawn as missing.
    pub values: BTreeMap<ZoneCode, Cell>,
    /// Method and class count.
    pub classification: Classification,
    /// Colour ramp.
    pub ramp: Ramp,
    /// Decimals in labels; `None` uses the unit's default.
    pub decimals: Option<usize>,
    /// How each zone's figure was obtained (computed or imputed), for layers that have the
    /// notion (digital precarity); empty otherwise. Imputed zones keep their value and class.
    pub statuses: BTreeMap<ZoneCode, Status>,
}

/// The state of one zone after classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assigned {
    /// In class `i` (0-based).
    Class(usize),
    /// No figure.
    Missing,
    /// Figure withheld (secret statistique).
    Masked,
}

/// One line of a legend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegendEntry {
    /// `class`, `missing`, `masked` or `imputed` (zones also counted in their class).
    pub kind: &'static str,
    /// French label (`12,5 % – 20,0 %`, `Données manquantes`).
    pub label: String,
    /// Fill colour `#rrggbb`.
    pub colour: String,
    /// Lower bound (classes only).
    pub lower: Option<f64>,
    /// Upper bound (classes only).
    pub upper: Option<f64>,
    /// Number of zones in this entry.
    pub count: usize,
    /// A short explanation of the entry (imputed zones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Everything a reader needs to decode the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Legend {
    /// Layer title.
    pub title: String,
    /// Unit phrase (`en %`).
    pub unit: String,
    /// Method in French.
    pub method: String,
    /// Class upper bounds.
    pub breaks: Vec<f64>,
    /// Classes, then missing, masked and imputed when some zone is in them.
    pub entries: Vec<LegendEntry>,
    /// Source line.
    pub source: String,
    /// Vintage.
    pub vintage: String,
}

/// A layer with its breaks, colours and per-zone class.
#[derive(Debug, Clone)]
pub struct Classified<'a> {
    /// The input layer.
    pub layer: &'a Layer,
    /// Class bounds.
    pub breaks: Breaks,
    /// One colour per class.
    pub colours: Vec<String>,
    /// The legend.
    pub legend: Legend,
}

impl Classified<'_> {
    /// State of a zone (missing when the layer has no cell for it).
    pub fn assigned(&self, code: &ZoneCode) -> Assigned {
        self.assign(self.layer.values.get(code).copied().unwrap_or(Cell::Missing))
    }

    /// State of a cell: its class, or missing (also when no class holds the value), or masked.
    fn assign(&self, cell: Cell) -> Assigned {
        match cell {
            Cell::Value(v) => self.breaks.class_of(v).map_or(Assigned::Missing, Assigned::Class),
            Cell::Missing => Assigned::Missing,
            Cell::Masked => Assigned::Masked,
        }
    }

    /// Whether a zone in a class has an imputed figure (drawn with the imputed pattern).
    pub fn is_imputed(&self, code: &ZoneCode) -> bool {
        matches!(self.assigned(code), Assigned::Class(_)) && self.layer.statuses.get(code) == Some(&Status::Imputed)
    }

    /// Fill colour of a state.
    pub fn colour(&self, a: Assigned) -> &str {
        match a {
            Assigned::Class(i) => &self.colours[i],
            Assigned::Missing => MISSING_COLOUR,
            Assigned::Masked => MASKED_COLOUR,
        }
    }

    /// Legend label of a state.
    pub fn label(&self, a: Assigned) -> &str {
        match a {
            Assigned::Class(i) => &self.legend.entries[i].label,
            Assigned::Missing => MISSING_LABEL,
            Assigned::Masked => MASKED_LABEL,
        }
    }

    /// A value formatted with the layer's unit and decimals.
    pub fn format(&self, v: f64) -> String {
        with_unit(v, self.layer.unit, self.decimals())
    }

    fn decimals(&self) -> usize {
        self.layer.decimals.unwrap_or(self.layer.unit.default_decimals())
    }
}

/// Classifies a layer over `zones` (the zones drawn; `None` means every zone of the layer) and
/// builds its legend.
pub fn classify_layer<'a>(layer: &'a Layer, zones: Option<&[&ZoneCode]>) -> Result<Classified<'a>, RenderError> {
    let codes: Vec<&ZoneCode> = zones.map_or_else(|| layer.values.keys().collect(), <[_]>::to_vec);
    let cells: Vec<Cell> = codes.iter().map(|c| layer.values.get(*c).copied().unwrap_or(Cell::Missing)).collect();
    let values: Vec<f64> = cells.iter().filter_map(|c| c.value()).collect();
    let breaks = classify(&values, &layer.classification).map_err(|source| RenderError::Classify { layer: layer.id.clone(), source })?;
    let colours = layer.ramp.colours(breaks.len());
    let mut classified = Classified {
        layer,
        legend: Legend {
            title: layer.title.clone(),
            unit: layer.unit.caption().to_string(),
            method: layer.classification.method.label_fr().to_string(),
            breaks: breaks.upper.clone(),
            entries: Vec::new(),
            source: layer.source.clone(),
            vintage: layer.vintage.clone(),
        },
        breaks,
        colours,
    };
    let mut counts = vec![0usize; classified.breaks.len()];
    let (mut missing, mut masked) = (0, 0);
    // Counted with the same rule the maps colour by, so legend counts match the drawing.
    for &c in &cells {
        match classified.assign(c) {
            Assigned::Class(i) => counts[i] += 1,
            Assigned::Missing => missing += 1,
            Assigned::Masked => masked += 1,
        }
    }
    let mut entries = Vec::with_capacity(counts.len() + 2);
    for (i, count) in counts.iter().enumerate() {
        let (lo, hi) = classified.breaks.bounds(i);
        let label = if lo > hi {
            format!("≤{}{}", crate::format::NNBSP, classified.format(hi))
        } else if i + 1 == counts.len() && lo >= hi {
            classified.format(hi)
        } else {
            format!("{} – {}", classified.format(lo), classified.format(hi))
        };
        entries.push(LegendEntry {
            kind: "class",
            label,
            colour: classified.colours[i].clone(),
            lower: Some(lo),
            upper: Some(hi),
            count: *count,
            note: None,
        });
    }
    if missing > 0 {
        entries.push(LegendEntry {
            kind: "missing",
            label: MISSING_LABEL.into(),
            colour: MISSING_COLOUR.into(),
            lower: None,
            upper: None,
            count: missing,
            note: None,
        });
    }
    if masked > 0 {
        entries.push(LegendEntry {
            kind: "masked",
            label: MASKED_LABEL.into(),
            colour: MASKED_COLOUR.into(),
            lower: None,
            upper: None,
            count: masked,
            note: None,
        });
    }
    let imputed = codes.iter().filter(|c| classified.is_imputed(c)).count();
    if imputed > 0 {
        entries.push(LegendEntry {
            kind: "imputed",
            label: IMPUTED_LABEL.into(),
            colour: IMPUTED_COLOUR.into(),
            lower: None,
            upper: None,
            count: imputed,
            note: Some(IMPUTED_NOTE.into()),
        });
    }
    classified.legend.entries = entries;
    Ok(classified)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::classify::Method;
    use fragnum_core::Level;

    pub(crate) fn iris(c: &str) -> ZoneCode {
        ZoneCode::new(Level::Iris, c).unwrap()
    }

    pub(crate) fn layer() -> Layer {
        let mut values = BTreeMap::new();
        for (i, v) in [5.0, 12.5, 20.0, 31.0, 44.5, 60.0].iter().enumerate() {
            values.insert(iris(&format!("38185010{i}")), Cell::Value(*v));
        }
        values.insert(iris("381850107"), Cell::Masked);
        Layer {
            id: "precarite".into(),
            title: "Part de la population en précarité numérique".into(),
            unit: Unit::Percent,
            source: "INSEE, RP 2019 ; calcul fragnum".into(),
            vintage: "2019".into(),
            values,
            classification: Classification { method: Method::Quantiles, classes: 3, breaks: vec![] },
            ramp: Ramp::YlOrRd,
            decimals: None,
            statuses: BTreeMap::new(),
        }
    }

    #[test]
    fn legend_has_french_labels_and_separate_missing_and_masked() {
        let l = layer();
        let codes: Vec<ZoneCode> = (0..9).map(|i| iris(&format!("38185010{i}"))).collect();
        let refs: Vec<&ZoneCode> = codes.iter().collect();
        let c = classify_layer(&l, Some(&refs)).unwrap();
        let labels: Vec<&str> = c.legend.entries.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels[0], "5,0\u{202F}% – 17,5\u{202F}%");
        assert_eq!(labels[3], MISSING_LABEL);
        assert_eq!(labels[4], MASKED_LABEL);
        assert_eq!(c.legend.entries[3].count, 2);
        assert_eq!(c.legend.entries[4].count, 1);
        assert_eq!(c.assigned(&iris("381850107")), Assigned::Masked);
        assert_eq!(c.assigned(&iris("381850108")), Assigned::Missing);
        assert_eq!(c.assigned(&iris("381850105")), Assigned::Class(2));
        assert_eq!(c.colour(Assigned::Class(0)), "#ffeda0");
        assert!(c.legend.entries.iter().all(|e| e.kind != "imputed"), "no status, no imputed entry");
    }

    #[test]
    fn imputed_zones_keep_their_class_and_get_a_legend_entry() {
        let mut l = layer();
        for (i, s) in [Status::Computed, Status::Imputed, Status::Imputed].into_iter().enumerate() {
            l.statuses.insert(iris(&format!("38185010{i}")), s);
        }
        // A zone with a status but no value is missing, not imputed.
        l.statuses.insert(iris("381850108"), Status::Imputed);
        let codes: Vec<ZoneCode> = (0..9).map(|i| iris(&format!("38185010{i}"))).collect();
        let refs: Vec<&ZoneCode> = codes.iter().collect();
        let c = classify_layer(&l, Some(&refs)).unwrap();
        assert_eq!(c.assigned(&iris("381850101")), Assigned::Class(0), "value and class kept");
        assert!(c.is_imputed(&iris("381850101")) && !c.is_imputed(&iris("381850100")) && !c.is_imputed(&iris("381850108")));
        let last = c.legend.entries.last().unwrap();
        assert_eq!((last.kind, last.label.as_str(), last.count), ("imputed", IMPUTED_LABEL, 2));
        assert_eq!(last.note.as_deref(), Some("estimée à partir du territoire englobant"));
        let classes: usize = c.legend.entries.iter().filter(|e| e.kind == "class").map(|e| e.count).sum();
        assert_eq!(classes, 6, "imputed zones are still counted in their class");
        let json = serde_json::to_value(&c.legend).unwrap();
        assert!(json["entries"][0].get("note").is_none());
        assert_eq!(json["entries"][5]["note"], IMPUTED_NOTE);
    }
}
