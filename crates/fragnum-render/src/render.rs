//! The entry points the CLI calls: the `[render]` config, and [`render_layers`] which writes every
//! layer's GeoJSON, MapLibre style, PNG and SVG into `<out>/maps/`.

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fragnum_core::ZoneCode;
use serde::Deserialize;

use crate::RenderError;
use crate::choropleth::write_web;
use crate::classify::{Classification, Method};
use crate::layer::{Layer, classify_layer};
use crate::map::MapContext;
use crate::print::{DEFAULT_FONT, PageSize, ensure_font, write_print};
use crate::ramp::Ramp;

/// Which files to write for each layer.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::struct_excessive_bools)] // one switch per output format, as the config lists them
pub struct Formats {
    /// GeoJSON choropleth and MapLibre style.
    pub geojson: bool,
    /// PNG print maps.
    pub png: bool,
    /// SVG print maps.
    pub svg: bool,
    /// Page sizes of the print maps.
    pub sizes: Vec<PageSize>,
    /// The web atlas `atlas/index.html` ([`crate::atlas`]).
    pub atlas: bool,
    /// The TrueType font of the print maps ([`RenderConfig::font`]).
    pub font: PathBuf,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            geojson: true,
            png: true,
            svg: true,
            sizes: vec![PageSize::A4Portrait, PageSize::Web],
            atlas: false,
            font: PathBuf::from(DEFAULT_FONT),
        }
    }
}

/// Per-layer overrides from `[render.layers.<id>]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerOverride {
    /// Classification method.
    pub method: Option<Method>,
    /// Class count.
    pub classes: Option<usize>,
    /// Manual breaks (implies `method = "manual"` when no method is given).
    pub breaks: Option<Vec<f64>>,
    /// Colour ramp.
    pub ramp: Option<Ramp>,
    /// Decimals in labels.
    pub decimals: Option<usize>,
    /// French title.
    pub title: Option<String>,
}

/// Zone fact sheets written at most when `max_sheets` is not set: a region's IRIS (Auvergne-Rhône-
/// Alpes has about 5,000), not a whole national table's.
pub const DEFAULT_MAX_SHEETS: usize = 5_000;

/// The `[render]` section of a pipeline config.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderConfig {
    /// `geojson`, `png`, `svg`, `atlas` (default: the first three).
    pub formats: Option<Vec<String>>,
    /// MapLibre style URL drawn under the atlas's layers (default: none, a plain background).
    pub basemap: Option<String>,
    /// `a4`, `a4_paysage`, `web` or `<w>x<h>` (default: `a4`, `web`).
    pub sizes: Option<Vec<String>>,
    /// Territory named under map titles.
    pub territory: Option<String>,
    /// Perimeter named in fact sheets.
    pub perimeter: Option<String>,
    /// Default method for every layer.
    pub method: Option<Method>,
    /// Default class count.
    pub classes: Option<usize>,
    /// Default ramp.
    pub ramp: Option<Ramp>,
    /// Whether to write fact sheets (default true).
    pub sheets: Option<bool>,
    /// At most this many zone fact sheets (default [`DEFAULT_MAX_SHEETS`]), in code order. Zone
    /// sheets are only for zones with an outline or in a custom group; group sheets are always
    /// written.
    pub max_sheets: Option<usize>,
    /// The TrueType font of the print maps' text (default [`DEFAULT_FONT`]); its bold face is
    /// looked for beside it ([`crate::print::bold_face`]). Used as written: the caller resolves a
    /// relative path against the config's folder.
    pub font: Option<PathBuf>,
    /// Simplify outlines to this many metres before drawing, keeping shared borders shared
    /// ([`crate::simplify`]); absent or 0: outlines as read. 10–30 m suits web maps of IRIS.
    pub simplify_m: Option<f64>,
    /// Overrides by layer id.
    #[serde(default)]
    pub layers: BTreeMap<String, LayerOverride>,
}

impl RenderConfig {
    /// The cap on zone fact sheets: `max_sheets`, else [`DEFAULT_MAX_SHEETS`].
    pub fn max_sheets(&self) -> usize {
        self.max_sheets.unwrap_or(DEFAULT_MAX_SHEETS)
    }

    /// The font of the print maps: `font`, else [`DEFAULT_FONT`].
    pub fn font(&self) -> &Path {
        self.font.as_deref().unwrap_or(Path::new(DEFAULT_FONT))
    }

    /// Reads the `[render]` table (absent: defaults).
    ///
    /// ```
    /// use fragnum_render::render::RenderConfig;
    /// let t: toml::Table = toml::from_str("formats = [\"geojson\"]\n[layers.ifn]\nmethod = \"quantiles\"\nclasses = 4").unwrap();
    /// let c = RenderConfig::from_table(Some(&t)).unwrap();
    /// assert!(!c.formats().unwrap().png);
    /// ```
    pub fn from_table(table: Option<&toml::Table>) -> Result<RenderConfig, RenderError> {
        match table {
            None => Ok(RenderConfig::default()),
            Some(t) => {
                let c = RenderConfig::deserialize(toml::Value::Table(t.clone())).map_err(|e| RenderError::Config(e.to_string()))?;
                c.validate().map_err(|mut e| e.swap_remove(0))?;
                Ok(c)
            }
        }
    }

    /// Checks every value of the section; each error names its key (`simplify_m`, `sizes[0]`,
    /// `layers.<id>.breaks`) so the caller can point at its line.
    ///
    /// ```
    /// use fragnum_render::render::RenderConfig;
    /// let c: RenderConfig = toml::from_str("simplify_m = -10\nformats = [\"pdf\"]\n").unwrap();
    /// let errors = c.validate().unwrap_err();
    /// assert_eq!(errors[0].to_string(), "[render] formats[0]: unknown format `pdf` (expected geojson, png, svg, atlas)");
    /// assert_eq!(errors[1].to_string(), "[render] simplify_m: simplify_m = -10: expected metres ≥ 0");
    /// ```
    pub fn validate(&self) -> Result<(), Vec<RenderError>> {
        let mut errors = Vec::new();
        let mut bad = |key: String, message: String| errors.push(RenderError::Setting { key, message });
        for (i, f) in self.formats.iter().flatten().enumerate() {
            // Each format alone through `formats()`, so the two never disagree on the names.
            let one = RenderConfig { formats: Some(vec![f.clone()]), ..RenderConfig::default() };
            if let Err(RenderError::Config(m)) = one.formats() {
                bad(format!("formats[{i}]"), m);
            }
        }
        for (i, s) in self.sizes.iter().flatten().enumerate() {
            if let Err(RenderError::Config(m)) = parse_size(s) {
                bad(format!("sizes[{i}]"), m);
            }
        }
        if let Some(font) = &self.font
            && !font.is_file()
        {
            bad("font".into(), format!("{}: no such font file", font.display()));
        }
        if let Some(m) = self.simplify_m
            && (!m.is_finite() || m < 0.0)
        {
            bad("simplify_m".into(), format!("simplify_m = {m}: expected metres ≥ 0"));
        }
        let classes_ok = |k: usize| (1..=12).contains(&k);
        if let Some(k) = self.classes
            && !classes_ok(k)
        {
            bad("classes".into(), format!("{k} classes: expected 1 to 12"));
        }
        for (id, o) in &self.layers {
            if let Some(k) = o.classes
                && !classes_ok(k)
            {
                bad(format!("layers.{id}.classes"), format!("{k} classes: expected 1 to 12"));
            }
            if let Some(b) = &o.breaks
                && (b.is_empty() || b.iter().any(|x| !x.is_finite()) || b.windows(2).any(|w| w[1] <= w[0]))
            {
                bad(format!("layers.{id}.breaks"), format!("{b:?}: manual breaks must be finite and strictly ascending"));
            }
            if o.method == Some(Method::Manual) && o.breaks.is_none() {
                bad(format!("layers.{id}.method"), "`manual` needs `breaks`".into());
            }
        }
        if self.method == Some(Method::Manual) {
            bad("method".into(), "`manual` is set per layer, with its `breaks` ([render.layers.<id>])".into());
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The formats and sizes asked for.
    pub fn formats(&self) -> Result<Formats, RenderError> {
        let mut f = Formats::default();
        if let Some(list) = &self.formats {
            f.geojson = false;
            f.png = false;
            f.svg = false;
            for x in list {
                match x.trim().to_lowercase().as_str() {
                    "geojson" | "web" | "style" => f.geojson = true,
                    "png" => f.png = true,
                    "svg" => f.svg = true,
                    "atlas" => f.atlas = true,
                    other => return Err(RenderError::Config(format!("unknown format `{other}` (expected geojson, png, svg, atlas)"))),
                }
            }
        }
        if let Some(sizes) = &self.sizes {
            f.sizes = sizes.iter().map(|s| parse_size(s)).collect::<Result<_, _>>()?;
        }
        f.font = self.font().to_path_buf();
        Ok(f)
    }

    /// `layer` with the defaults and its overrides applied.
    pub fn apply(&self, layer: &Layer) -> Layer {
        let mut l = layer.clone();
        if let Some(m) = self.method {
            l.classification.method = m;
        }
        if let Some(k) = self.classes {
            l.classification.classes = k;
        }
        if let Some(r) = self.ramp {
            l.ramp = r;
        }
        if let Some(o) = self.layers.get(&l.id) {
            if let Some(b) = &o.breaks {
                l.classification = Classification { method: Method::Manual, classes: b.len() + 1, breaks: b.clone() };
            }
            if let Some(m) = o.method {
                l.classification.method = m;
            }
            if let Some(k) = o.classes {
                l.classification.classes = k;
            }
            if let Some(r) = o.ramp {
                l.ramp = r;
            }
            if o.decimals.is_some() {
                l.decimals = o.decimals;
            }
            if let Some(t) = &o.title {
                l.title.clone_from(t);
            }
        }
        l
    }
}

fn parse_size(s: &str) -> Result<PageSize, RenderError> {
    match s.trim().to_lowercase().as_str() {
        "a4" | "a4_portrait" => Ok(PageSize::A4Portrait),
        "a4_paysage" | "a4-paysage" | "a4_landscape" => Ok(PageSize::A4Landscape),
        "web" => Ok(PageSize::Web),
        other => {
            let parsed = other.split_once('x').and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)));
            match parsed {
                Some((w, h)) if (200..=10_000).contains(&w) && (200..=10_000).contains(&h) => Ok(PageSize::Custom(w, h)),
                _ => Err(RenderError::Config(format!("unknown size `{s}` (expected a4, a4_paysage, web or <w>x<h>)"))),
            }
        }
    }
}

/// Writes, for each layer, `<out_dir>/maps/<id>.geojson`, `<id>.style.json` and the print maps
/// `<id>-<size>.png|svg`; returns every file written. Layers are classified over the zones of
/// `ctx` (zones without a cell are drawn as missing).
pub fn render_layers(layers: &[Layer], ctx: &MapContext<'_>, out_dir: &Path, formats: &Formats) -> Result<Vec<PathBuf>, RenderError> {
    let dir = out_dir.join("maps");
    if formats.png || formats.svg {
        ensure_font(&formats.font)?;
    }
    let codes: Vec<&ZoneCode> = ctx.zones.keys().collect();
    // Layers are independent (each writes its own files): drawn in parallel, listed in order.
    let per_layer = layers
        .par_iter()
        .map(|layer| -> Result<Vec<PathBuf>, RenderError> {
            let c = classify_layer(layer, Some(&codes))?;
            let mut files = Vec::new();
            if formats.geojson {
                files.extend(write_web(&c, ctx, &dir)?);
            }
            if formats.png || formats.svg {
                files.extend(write_print(&c, ctx, &dir, &formats.sizes, formats.png, formats.svg)?);
            }
            Ok(files)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(per_layer.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choropleth::tests::{ctx, grid};
    use crate::layer::tests::layer;

    #[test]
    fn config_overrides_apply_per_layer() {
        let t: toml::Table = toml::from_str(
            "sizes = [\"web\", \"800x600\"]\nramp = \"blues\"\n[layers.precarite]\nbreaks = [10.0, 30.0]\nramp = \"viridis\"\n",
        )
        .unwrap();
        let c = RenderConfig::from_table(Some(&t)).unwrap();
        assert_eq!(c.formats().unwrap().sizes, vec![PageSize::Web, PageSize::Custom(800, 600)]);
        let l = c.apply(&layer());
        assert_eq!(l.classification.method, Method::Manual);
        assert_eq!(l.ramp, Ramp::Viridis);
        let bad: toml::Table = toml::from_str("formats = [\"pdf\"]").unwrap();
        // Checked when read (`validate`), not when first used.
        assert!(RenderConfig::from_table(Some(&bad)).is_err());
        assert!(RenderConfig { formats: Some(vec!["pdf".into()]), ..RenderConfig::default() }.formats().is_err());
        let typo: toml::Table = toml::from_str("clases = 4").unwrap();
        assert!(RenderConfig::from_table(Some(&typo)).is_err());
    }

    #[test]
    fn the_font_is_a_setting_checked_when_read() {
        assert_eq!(RenderConfig::default().formats().unwrap().font, Path::new(DEFAULT_FONT));
        let dir = tempfile::tempdir().unwrap();
        let font = dir.path().join("Police.ttf");
        std::fs::write(&font, b"not checked here").unwrap();
        let c = RenderConfig { font: Some(font.clone()), ..RenderConfig::default() };
        assert!(c.validate().is_ok());
        assert_eq!(c.formats().unwrap().font, font);
        let missing = RenderConfig { font: Some(dir.path().join("absente.ttf")), ..RenderConfig::default() };
        let errors = missing.validate().unwrap_err();
        assert!(matches!(&errors[0], RenderError::Setting { key, .. } if key == "font"), "{errors:?}");
        assert!(errors[0].to_string().starts_with("[render] font: ") && errors[0].to_string().ends_with("absente.ttf: no such font file"));
        let t: toml::Table = toml::from_str(&format!("font = {:?}", dir.path().join("absente.ttf").display().to_string())).unwrap();
        assert!(RenderConfig::from_table(Some(&t)).is_err());
    }

    #[test]
    fn render_layers_writes_every_format() {
        if !Path::new(DEFAULT_FONT).exists() {
            eprintln!("skipping: font absent");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let g = grid();
        let f = Formats { sizes: vec![PageSize::Custom(400, 500)], ..Formats::default() };
        let files = render_layers(&[layer()], &ctx(&g, &[]), dir.path(), &f).unwrap();
        let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["precarite.geojson", "precarite.style.json", "precarite-400x500.png", "precarite-400x500.svg"]);
        assert!(files.iter().all(|p| p.starts_with(dir.path().join("maps")) && p.exists()));
    }
}
