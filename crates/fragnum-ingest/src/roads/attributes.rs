//! The attribute rules every road reader shares: which OSM `highway` classes are roads, who may
//! use a way in which direction, what a `maxspeed` says, and how the line vocabularies of other
//! publishers (IGN BD TOPO and ROUTE 500, Geofabrik shapefiles, `OSMnx` exports) map onto them.
//!
//! OSM tags read: `highway`, `maxspeed` (`50`, `30 mph`, `FR:urban`, `FR:rural`, `FR:zone30`,
//! `walk`; a value ≤ 0, above 200 km/h or not finite, such as `1e9`, is dropped, counted and
//! reported, and the class speed used), `source:maxspeed` / `maxspeed:type` (urban hint), `oneway` (`yes`/`true`/`1`,
//! `-1`/`reverse`, `no`, `reversible`), `junction=roundabout|circular` (implied one-way),
//! `highway=motorway` (implied one-way), `access`, `vehicle`, `motor_vehicle`, `motorcar`, `foot`,
//! `area=yes` (dropped: a square is not a line).

use fragnum_core::network::NetworkNotes;
use fragnum_core::text::{Normalise, normalise};

/// `highway` values that are roads or paths someone can travel on. Anything else is dropped.
pub const ROUTABLE_CLASSES: [&str; 27] = [
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "track",
    "busway",
    "pedestrian",
    "footway",
    "path",
    "steps",
    "cycleway",
    "bridleway",
    "corridor",
    "crossing",
    "sidewalk",
    "via_ferrata",
];

/// Who may use a way, in which direction, as read from its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WayAccess {
    /// Cars may drive along the way's direction.
    pub car_forward: bool,
    /// Cars may drive against the way's direction.
    pub car_backward: bool,
    /// People may walk it (both directions).
    pub walk: bool,
}

fn is_no(v: Option<&str>) -> bool {
    matches!(v, Some("no" | "private" | "agricultural" | "forestry" | "delivery" | "military"))
}

fn is_yes(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "designated" | "permissive" | "destination" | "customers"))
}

/// Interprets access and one-way tags. `tag` looks a key up.
///
/// ```
/// use fragnum_ingest::roads::way_access;
/// let tags = [("highway", "primary"), ("oneway", "-1")];
/// let a = way_access("primary", |k| tags.iter().find(|t| t.0 == k).map(|t| t.1));
/// assert!(!a.car_forward && a.car_backward && a.walk);
/// ```
pub fn way_access<'a>(class: &str, tag: impl Fn(&str) -> Option<&'a str>) -> WayAccess {
    let general_no = is_no(tag("access"));
    let motor = ["motorcar", "motor_vehicle", "vehicle"].iter().find_map(|k| tag(k));
    let car_allowed = match motor {
        Some(v) if is_no(Some(v)) => false,
        Some(v) if is_yes(Some(v)) => true,
        _ => !general_no,
    };
    let foot = tag("foot");
    let walk = if is_no(foot) {
        false
    } else if is_yes(foot) {
        true
    } else {
        !general_no && !matches!(class, "motorway" | "motorway_link")
    };
    let oneway = tag("oneway");
    let implied = matches!(tag("junction"), Some("roundabout" | "circular")) || matches!(class, "motorway" | "motorway_link");
    let (forward, backward) = match oneway {
        Some("yes" | "true" | "1") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("reversible" | "alternating") => (false, false),
        Some("no" | "false" | "0") => (true, true),
        _ if implied => (true, false),
        _ => (true, true),
    };
    WayAccess { car_forward: car_allowed && forward, car_backward: car_allowed && backward, walk }
}

/// Highest speed (km/h) a tag or attribute may give. A value above it, ≤ 0 or not finite
/// (`maxspeed = "1e9"`, `"-30"`) is dropped, counted under [`SPEED_OUT_OF_RANGE`] and the class
/// speed of the profile is used.
pub const MAX_SPEED_KMH: f64 = 200.0;

/// The [`NetworkNotes::assumed`] reason counting speeds dropped as out of range.
pub const SPEED_OUT_OF_RANGE: &str = "speed out of range (≤ 0, > 200 km/h or not finite): class speed used";

/// Whether a speed (km/h) is one a road may have: finite, above 0, at most [`MAX_SPEED_KMH`].
pub(super) fn speed_in_range(kmh: f64) -> bool {
    kmh.is_finite() && kmh > 0.0 && kmh <= MAX_SPEED_KMH
}

/// The number at the start of `s` (`"1e9"` is 10⁹, not 1; `"50 km/h"` is 50), if any.
fn leading_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let prefix = |f: fn(char) -> bool| s.chars().take_while(|c| f(*c)).collect::<String>().parse::<f64>().ok();
    prefix(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-')).or_else(|| prefix(|c| c.is_ascii_digit() || c == '.'))
}

/// A `maxspeed` value read without any range check: km/h when a number is given, and an
/// urban/rural hint.
fn maxspeed_unchecked(raw: &str) -> (Option<f64>, Option<bool>) {
    let v = raw.trim().to_ascii_lowercase();
    if let Some((_, kind)) = v.split_once(':') {
        return match kind {
            "urban" => (None, Some(true)),
            "rural" => (None, Some(false)),
            k if k.starts_with("zone") => (leading_number(k.trim_start_matches("zone")), Some(true)),
            "living_street" => (Some(20.0), Some(true)),
            "walk" => (Some(6.0), Some(true)),
            _ => (None, None),
        };
    }
    if v == "walk" {
        return (Some(6.0), None);
    }
    // "50", "50 km/h", "30 mph", "50;30" (first value)
    let first = v.split([';', '|']).next().unwrap_or("");
    let kmh = leading_number(first).map(|n| if first.contains("mph") { n * 1.609_344 } else { n });
    (kmh, None)
}

/// Parses an OSM `maxspeed` value: km/h when a number in range is given (see
/// [`MAX_SPEED_KMH`]), and an urban/rural hint.
///
/// ```
/// use fragnum_ingest::roads::parse_maxspeed;
/// assert_eq!(parse_maxspeed("50"), (Some(50.0), None));
/// assert_eq!(parse_maxspeed("FR:urban"), (None, Some(true)));
/// assert_eq!(parse_maxspeed("FR:zone30"), (Some(30.0), Some(true)));
/// let (mph, _) = parse_maxspeed("30 mph");
/// assert!((mph.unwrap() - 48.28).abs() < 0.01);
/// assert_eq!(parse_maxspeed("none"), (None, None));
/// assert_eq!(parse_maxspeed("1e9"), (None, None)); // out of range, not 1 km/h
/// ```
pub fn parse_maxspeed(raw: &str) -> (Option<f64>, Option<bool>) {
    let (kmh, urban, _) = read_maxspeed(raw);
    (kmh, urban)
}

/// [`parse_maxspeed`] and whether the value gave a number out of range, from one parse.
pub(super) fn read_maxspeed(raw: &str) -> (Option<f64>, Option<bool>, bool) {
    let (kmh, urban) = maxspeed_unchecked(raw);
    let in_range = kmh.filter(|s| speed_in_range(*s));
    (in_range, urban, kmh.is_some() && in_range.is_none())
}

/// The speed a `maxspeed` value gives when it is out of range (≤ 0, above [`MAX_SPEED_KMH`] or
/// not finite), `None` when it is in range or gives no number.
///
/// ```
/// use fragnum_ingest::roads::maxspeed_out_of_range;
/// assert_eq!(maxspeed_out_of_range("1e9"), Some(1e9));
/// assert_eq!(maxspeed_out_of_range("0"), Some(0.0));
/// assert_eq!(maxspeed_out_of_range("130"), None);
/// assert_eq!(maxspeed_out_of_range("FR:urban"), None);
/// ```
pub fn maxspeed_out_of_range(raw: &str) -> Option<f64> {
    maxspeed_unchecked(raw).0.filter(|s| !speed_in_range(*s))
}

/// What a line feature's attributes say about the road.
#[derive(Debug, Clone, PartialEq)]
pub struct LineAttributes {
    /// OSM-style road class (`primary`, `residential`, `track`…).
    pub class: String,
    /// Speed (km/h) from a limit or a published average speed.
    pub maxspeed: Option<f64>,
    /// Urban / rural, when the data says.
    pub urban: Option<bool>,
    /// Who may use it, in which direction.
    pub access: WayAccess,
}

/// The OSM class of an IGN BD TOPO `NATURE` (with its `IMPORTANCE`, 1 = national to 5 = local)
/// or ROUTE 500 `VOCATION`; `None` for a ferry. Matched on accent-free fragments, so a
/// Latin-1 file read as UTF-8 still matches.
fn ign_class(nature: &str, importance: Option<u8>) -> Option<&'static str> {
    let n = normalise(nature, Normalise::COMPACT);
    let by_importance = || match importance {
        Some(1) => "trunk",
        Some(2) => "primary",
        Some(3) => "secondary",
        Some(4) => "tertiary",
        Some(5) => "residential",
        _ => "unclassified",
    };
    Some(if n.contains("bac") || n.contains("maritime") {
        return None;
    } else if n.contains("autorout") {
        if n.contains("quasi") { "trunk" } else { "motorway" }
    } else if n.contains("bretelle") {
        "motorway_link"
    } else if n.contains("2chauss") {
        "trunk"
    } else if n.contains("empierr") || n.contains("chemin") {
        "track"
    } else if n.contains("sentier") {
        "path"
    } else if n.contains("escalier") {
        "steps"
    } else if n.contains("cyclable") {
        "cycleway"
    } else if n.contains("liaisonprincipale") {
        "primary"
    } else if n.contains("gionale") {
        "secondary"
    } else if n.contains("liaisonlocale") {
        "tertiary"
    } else {
        // "Route à 1 chaussée", "Rond-point", "Place", anything newer: by importance.
        by_importance()
    })
}

/// Reads a line feature's road attributes, whichever vocabulary the file uses:
///
/// - OpenStreetMap-style keys (`OSMnx`, Geofabrik shapefiles): `highway` (or `class`, `fclass`,
///   `type`), `maxspeed`, `oneway`, `junction`, `access`, `motor_vehicle`, `motorcar`,
///   `vehicle`, `foot`; a list value (`['residential', 'service']`) counts by its first item;
/// - Geofabrik shapefiles: `fclass` (`track_grade1`…`5` read as `track`, `unknown` as
///   `unclassified`) and `oneway` `F` / `T` / `B` (with, against the line, both ways);
/// - IGN BD TOPO: `NATURE` and `IMPORTANCE` (class), `SENS` or `sens_de_circulation` (`Double
///   sens`, `Sens direct`, `Sens inverse`), `VIT_MOY_VL` or `vitesse_moyenne_vl` (average
///   speed), `ACCES_VL` or `acces_vehicule_leger` (`Physiquement impossible`, `Strictement
///   interdit`, `Restreint aux ayants droit`), `Rond-point` as a roundabout;
/// - IGN ROUTE 500: `VOCATION` (class), `SENS` (`Sens unique` = digitising direction);
/// - plain `speed_kmh` / `speed` numbers and an `urban` boolean.
///
/// `get` looks a property up by name, case-insensitively. A missing class is assumed
/// `unclassified` and counted in `notes`; `None` (counted as dropped) when nobody may use the
/// line, it is a ferry, an `area=yes` square, or of a class that is not a road (`highway=
/// construction`, `platform`…), as for OSM extracts.
pub fn line_attributes(get: &dyn Fn(&str) -> Option<String>, notes: &mut NetworkNotes) -> Option<LineAttributes> {
    let nature = get("nature").or_else(|| get("vocation"));
    // Geofabrik shapefiles: `fclass` with `track_grade1`…`5` and `unknown`, `oneway` F/T/B.
    let geofabrik = get("fclass").is_some();
    let class = if let Some(c) = ["highway", "class", "fclass", "type"].iter().find_map(|k| get(k)) {
        let c = c.to_ascii_lowercase();
        if ROUTABLE_CLASSES.contains(&c.as_str()) {
            c
        } else if c.starts_with("track") {
            "track".to_string()
        } else if c == "unknown" {
            notes.assume("road class unknown: unclassified assumed");
            "unclassified".to_string()
        } else {
            notes.drop(format!("highway={c} is not routable"));
            return None;
        }
    } else if let Some(n) = &nature {
        let importance = get("importance").and_then(|i| i.trim().parse::<f64>().ok()).map(|i| i as u8);
        let Some(c) = ign_class(n, importance) else {
            notes.drop("ferry (bac): not a road");
            return None;
        };
        c.to_string()
    } else {
        notes.assume("no road class: unclassified assumed");
        "unclassified".to_string()
    };
    if get("area").is_some_and(|a| a.eq_ignore_ascii_case("yes")) {
        notes.drop("area=yes (a square, not a line)");
        return None;
    }
    let mut tags: Vec<(&str, String)> = ["oneway", "junction", "access", "motor_vehicle", "motorcar", "vehicle", "foot"]
        .iter()
        .filter_map(|k| get(k).map(|v| (*k, v.to_ascii_lowercase())))
        .map(|(k, v)| match (k, v.as_str()) {
            ("oneway", "f") if geofabrik => (k, "yes".to_string()),
            ("oneway", "t") if geofabrik => (k, "-1".to_string()),
            ("oneway", "b") if geofabrik => (k, "no".to_string()),
            _ => (k, v),
        })
        .collect();
    // BD TOPO shapefiles use short column names, its GeoPackage and web service long ones.
    if let Some(sens) = get("sens").or_else(|| get("sens_de_circulation")).map(|s| normalise(&s, Normalise::COMPACT)) {
        let oneway = if sens.contains("double") || sens.contains("sansobjet") {
            "no"
        } else if sens.contains("inverse") {
            "-1"
        } else if sens.contains("direct") || sens.contains("unique") {
            "yes"
        } else {
            "no"
        };
        tags.push(("oneway", oneway.into()));
    }
    if nature.as_deref().map(|n| normalise(n, Normalise::COMPACT)).is_some_and(|n| n.contains("rondpoint")) {
        tags.push(("junction", "roundabout".into()));
    }
    if let Some(vl) = get("acces_vl").or_else(|| get("acces_vehicule_leger")).map(|a| normalise(&a, Normalise::COMPACT)) {
        if vl.contains("impossible") || vl.contains("interdit") {
            tags.push(("motor_vehicle", "no".into()));
        } else if vl.contains("restreint") || vl.contains("ayant") {
            tags.push(("motor_vehicle", "private".into()));
        }
    }
    let access = way_access(&class, |k| tags.iter().find(|t| t.0 == k).map(|t| t.1.as_str()));
    if !access.walk && !access.car_forward && !access.car_backward {
        notes.drop("no access for cars or walkers");
        return None;
    }
    let (mut maxspeed, mut urban, mut out_of_range) = get("maxspeed").map_or((None, None, false), |m| read_maxspeed(&m));
    if maxspeed.is_none() {
        // An average speed of 0 is BD TOPO's "none published" (paths, closed roads): no speed,
        // not counted; a negative, huge or non-finite one is out of range.
        let average = ["speed_kmh", "speed", "vit_moy_vl", "vitesse_moyenne_vl"]
            .iter()
            .find_map(|k| get(k))
            .and_then(|s| s.trim().replace(',', ".").parse::<f64>().ok())
            .filter(|s| *s != 0.0);
        out_of_range |= average.is_some_and(|s| !speed_in_range(s));
        maxspeed = average.filter(|s| speed_in_range(*s));
    }
    if out_of_range {
        notes.assume(SPEED_OUT_OF_RANGE);
    }
    if let Some(u) = get("urban").map(|u| u.to_ascii_lowercase()) {
        urban = match u.as_str() {
            "yes" | "true" | "1" | "oui" => Some(true),
            "no" | "false" | "0" | "non" => Some(false),
            _ => urban,
        };
    }
    Some(LineAttributes { class, maxspeed, urban, access })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ign_vocabularies() {
        let read = |props: &[(&str, &str)]| {
            let props: Vec<(String, String)> = props.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
            let get = move |k: &str| props.iter().find(|p| p.0.eq_ignore_ascii_case(k)).map(|p| p.1.clone());
            line_attributes(&get, &mut NetworkNotes::default())
        };
        // ROUTE 500: "Sens unique" is the digitising direction
        let a = read(&[("VOCATION", "Liaison régionale"), ("SENS", "Sens unique")]).unwrap();
        assert_eq!(a.class, "secondary");
        assert!(a.access.car_forward && !a.access.car_backward);
        // BD TOPO read with the wrong encoding still matches; a roundabout is one-way
        let a = read(&[("NATURE", "Rond-point"), ("IMPORTANCE", "4"), ("SENS", "Double sens")]).unwrap();
        assert_eq!(a.class, "tertiary");
        assert!(a.access.car_forward && a.access.car_backward, "explicit SENS wins over the implied one-way");
        let a = read(&[("NATURE", "Route \u{FFFD} 2 chauss\u{FFFD}es"), ("VIT_MOY_VL", "90")]).unwrap();
        assert_eq!((a.class.as_str(), a.maxspeed), ("trunk", Some(90.0)));
        assert_eq!(read(&[("NATURE", "Type autoroutier"), ("ACCES_VL", "A péage")]).unwrap().class, "motorway");
        // a private motorway is for nobody: dropped
        assert!(read(&[("NATURE", "Type autoroutier"), ("ACCES_VL", "Restreint aux ayants droit")]).is_none());
        assert!(read(&[("NATURE", "Bac ou liaison maritime")]).is_none());
        assert!(read(&[("NATURE", "Sentier"), ("urban", "oui")]).is_some_and(|a| a.class == "path" && a.urban == Some(true)));
        // BD TOPO GeoPackage names
        let a = read(&[
            ("nature", "Route à 1 chaussée"),
            ("importance", "3"),
            ("sens_de_circulation", "Sens inverse"),
            ("vitesse_moyenne_vl", "70"),
        ])
        .unwrap();
        assert!(!a.access.car_forward && a.access.car_backward && a.maxspeed == Some(70.0));
        // Geofabrik: T is against the line, track grades are tracks, unknown classes count
        let a = read(&[("fclass", "residential"), ("oneway", "T")]).unwrap();
        assert!(!a.access.car_forward && a.access.car_backward);
        assert_eq!(read(&[("fclass", "track_grade3")]).unwrap().class, "track");
        let mut notes = NetworkNotes::default();
        assert!(line_attributes(&|k: &str| (k == "highway").then(|| "construction".to_string()), &mut notes).is_none());
        assert_eq!(notes.dropped["highway=construction is not routable"], 1);
    }

    #[test]
    fn access_rules() {
        let get = |tags: &'static [(&'static str, &'static str)]| move |k: &str| tags.iter().find(|t| t.0 == k).map(|t| t.1);
        let a = way_access("residential", get(&[("access", "private")]));
        assert!(!a.car_forward && !a.walk);
        let a = way_access("track", get(&[("motor_vehicle", "no")]));
        assert!(!a.car_forward && !a.car_backward && a.walk);
        let a = way_access("primary", get(&[("junction", "roundabout")]));
        assert!(a.car_forward && !a.car_backward);
        let a = way_access("motorway", get(&[]));
        assert!(a.car_forward && !a.car_backward && !a.walk);
        let a = way_access("service", get(&[("access", "no"), ("foot", "yes")]));
        assert!(!a.car_forward && a.walk);
    }
}
