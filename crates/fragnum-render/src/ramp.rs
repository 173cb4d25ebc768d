//! Colour ramps for choropleths, all colour-blind safe.
//!
//! ColorBrewer schemes (Cynthia Brewer, colorbrewer2.org; the 3–9 class variants as published,
//! not interpolated) and matplotlib's viridis (256-entry table sampled at `i/(k-1)` as
//! `cmap(np.linspace(0, 1, k))` does). Missing and masked cells get two greys kept apart from
//! every ramp.

use serde::{Deserialize, Serialize};

/// Fill of zones without a figure.
pub const MISSING_COLOUR: &str = "#d9d9d9";
/// Fill of zones whose figure is withheld (secret statistique).
pub const MASKED_COLOUR: &str = "#969696";
/// Background of the legend swatch of imputed zones (the zones themselves keep their class
/// colour; print maps dot them, web styles dash their outline).
pub const IMPUTED_COLOUR: &str = "#ffffff";

/// A named ramp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Ramp {
    /// Sequential yellow → orange → red (the default for fragility: darker is more fragile).
    #[default]
    YlOrRd,
    /// Sequential yellow → green → blue.
    YlGnBu,
    /// Sequential light → dark blue.
    Blues,
    /// Sequential viridis, reversed so that high values are dark (yellow → purple).
    Viridis,
    /// Diverging orange ↔ purple (for values around a reference, such as a national mean).
    PuOr,
    /// Diverging red ↔ blue.
    RdBu,
    /// Diverging blue ↔ red (`RdBu` reversed): changes centred on zero where a rise is the
    /// worse direction (more RSA allocataires in red).
    BuRd,
}

// ColorBrewer, k = 3..=9, typed from the published scheme definitions.
const YL_OR_RD: [&[&str]; 7] = [
    &["#ffeda0", "#feb24c", "#f03b20"],
    &["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
    &["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    &["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
    &["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    &["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    &["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"],
];
const YL_GN_BU: [&[&str]; 7] = [
    &["#edf8b1", "#7fcdbb", "#2c7fb8"],
    &["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    &["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    &["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    &["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    &["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    &["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"],
];
const BLUES: [&[&str]; 7] = [
    &["#deebf7", "#9ecae1", "#3182bd"],
    &["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
    &["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    &["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
    &["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
    &["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
    &["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
];
const PU_OR: [&[&str]; 7] = [
    &["#f1a340", "#f7f7f7", "#998ec3"],
    &["#e66101", "#fdb863", "#b2abd2", "#5e3c99"],
    &["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"],
    &["#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"],
    &["#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788"],
    &["#b35806", "#e08214", "#fdb863", "#fee0b6", "#d8daeb", "#b2abd2", "#8073ac", "#542788"],
    &["#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb", "#b2abd2", "#8073ac", "#542788"],
];
const RD_BU: [&[&str]; 7] = [
    &["#ef8a62", "#f7f7f7", "#67a9cf"],
    &["#ca0020", "#f4a582", "#92c5de", "#0571b0"],
    &["#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0"],
    &["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"],
    &["#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"],
    &["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"],
    &["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"],
];
// viridis (matplotlib), entries int(i/(k-1)·256) (clipped to 255) of the 256-colour table.
const VIRIDIS: [&[&str]; 7] = [
    &["#440154", "#21918c", "#fde725"],
    &["#440154", "#31688e", "#35b779", "#fde725"],
    &["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
    &["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"],
    &["#440154", "#443983", "#31688e", "#21918c", "#35b779", "#90d743", "#fde725"],
    &["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725"],
    &["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"],
];

impl Ramp {
    /// `k` colours (`#rrggbb`), lightest (or first diverging end) first.
    ///
    /// ColorBrewer publishes 3 to 9 classes: for 1 or 2 classes the outer colours of the 3-class
    /// variant are used, and above 9 the 9-class variant is interpolated in sRGB.
    ///
    /// ```
    /// use fragnum_render::ramp::Ramp;
    /// assert_eq!(Ramp::YlOrRd.colours(5), ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]);
    /// ```
    pub fn colours(self, k: usize) -> Vec<String> {
        let table = match self {
            Ramp::YlOrRd => &YL_OR_RD,
            Ramp::YlGnBu => &YL_GN_BU,
            Ramp::Blues => &BLUES,
            Ramp::Viridis => &VIRIDIS,
            Ramp::PuOr => &PU_OR,
            Ramp::RdBu | Ramp::BuRd => &RD_BU,
        };
        let mut out: Vec<String> = match k {
            0 => Vec::new(),
            1 => vec![table[0][2].to_string()],
            2 => vec![table[0][0].to_string(), table[0][2].to_string()],
            3..=9 => table[k - 3].iter().map(|c| (*c).to_string()).collect(),
            _ => interpolate(table[6], k),
        };
        if matches!(self, Ramp::Viridis | Ramp::BuRd) {
            out.reverse();
        }
        out
    }
}

/// Parses `#rrggbb` into RGB bytes.
pub fn parse_hex(c: &str) -> Option<(u8, u8, u8)> {
    let h = c.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

fn interpolate(stops: &[&str], k: usize) -> Vec<String> {
    let rgb: Vec<(u8, u8, u8)> = stops.iter().filter_map(|c| parse_hex(c)).collect();
    (0..k)
        .map(|i| {
            let t = i as f64 / (k - 1) as f64 * (rgb.len() - 1) as f64;
            let lo = (t.floor() as usize).min(rgb.len() - 2);
            let f = t - lo as f64;
            let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
            let (a, b) = (rgb[lo], rgb[lo + 1]);
            format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
        })
        .collect()
}

/// Relative luminance (WCAG 2) of a `#rrggbb` colour, for choosing black or white text on it.
pub fn luminance(c: &str) -> f64 {
    let Some((r, g, b)) = parse_hex(c) else { return 1.0 };
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.039_28 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ramp_has_k_distinct_colours_apart_from_missing_and_masked() {
        for ramp in [Ramp::YlOrRd, Ramp::YlGnBu, Ramp::Blues, Ramp::Viridis, Ramp::PuOr, Ramp::RdBu, Ramp::BuRd] {
            for k in 1..=12 {
                let c = ramp.colours(k);
                assert_eq!(c.len(), k);
                let mut d = c.clone();
                d.sort();
                d.dedup();
                assert_eq!(d.len(), k, "{ramp:?} {k}");
                assert!(c.iter().all(|x| parse_hex(x).is_some()));
                assert!(!c.iter().any(|x| x == MISSING_COLOUR || x == MASKED_COLOUR));
            }
        }
    }

    #[test]
    fn viridis_high_values_are_dark() {
        let c = Ramp::Viridis.colours(5);
        assert_eq!(c[0], "#fde725");
        assert_eq!(c[4], "#440154");
        assert!(luminance(&c[0]) > luminance(&c[4]));
    }
}
