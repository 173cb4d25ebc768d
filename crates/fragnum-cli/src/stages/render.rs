//! The render stage: maps (GeoJSON, MapLibre style, PNG, SVG) into `<out>/maps/` and fact sheets
//! into `<out>/sheets/`, configured by the `[render]` section:
//!
//! ```toml
//! [render]
//! formats = ["geojson", "png", "svg", "atlas"] # default: the first three; atlas: atlas/index.html
//! basemap = "https://…/style.json"      # optional MapLibre style under the atlas (default: none)
//! sizes = ["a4", "web"]                 # a4 | a4_paysage | web | <w>x<h>
//! territory = "Grenoble-Alpes Métropole" # under map titles (default: project name)
//! perimeter = "Grenoble-Alpes Métropole" # in fact sheets (default: territory)
//! method = "fisher_jenks"               # quantiles | equal_interval | fisher_jenks | std_mean | manual
//! classes = 5
//! ramp = "yl_or_rd"                      # yl_or_rd | yl_gn_bu | blues | viridis | pu_or | rd_bu
//! sheets = true
//!
//! [render.layers.precarite_numerique]    # per-layer overrides, by layer id
//! method = "quantiles"
//! classes = 6
//! breaks = [10.0, 20.0, 30.0]            # manual breaks (method becomes manual)
//! ramp = "viridis"
//! decimals = 1
//! title = "Part de la population en précarité numérique"
//! ```

use anyhow::{Context as _, Result};
use fragnum_access::AccessOutput;
use fragnum_core::sites::Site;
use fragnum_core::{Level, ZoneCode, ZoneGeometries};
use fragnum_render::atlas::{Atlas, AtlasLayer};
use fragnum_render::{Layer, MapContext, SheetInput, render_layers};
use rayon::prelude::*;

use super::Context;
use crate::progress::say;

/// Writes every layer's maps and the fact sheets; each layer is drawn over the outlines of the
/// zones it has cells for, with commune boundaries and `sites` on top; `access` (when the stage
/// ran) gives the atlas its isochrones.
/// `sheets` come with the « Évolution » section of each sheet that has one (by sheet code).
pub fn run(
    ctx: &Context,
    layers: &[Layer],
    sheets: &[SheetInput],
    evolutions: &std::collections::BTreeMap<String, fragnum_render::evolution::Evolution>,
    sites: &[Site],
    access: Option<&AccessOutput>,
) -> Result<()> {
    let started = std::time::Instant::now();
    let cfg = ctx.config.render();
    let formats = cfg.formats()?;
    let territory = cfg.territory.clone().unwrap_or_else(|| ctx.config.pipeline.project.name.clone());
    let names = ctx
        .loaded
        .table
        .zones()
        .iter()
        .filter_map(|z| Some((z.code.clone(), z.name.clone()?)))
        .collect::<std::collections::BTreeMap<_, _>>();
    // Outlines, simplified once for every map and sheet when `simplify_m` asks for it.
    let outlines: std::borrow::Cow<'_, ZoneGeometries> = match cfg.simplify_m {
        Some(m) if m > 0.0 => {
            let t = std::time::Instant::now();
            let (simple, r) = fragnum_render::simplify::simplify_shared(&ctx.loaded.geometries, m);
            say!(
                "  outlines simplified to {m} m with shared borders kept: {} → {} vertices ({} arcs; kept whole for {} zones that would collapse and {} that would be invalid) in {:.2} s",
                r.vertices_before,
                r.vertices_after,
                r.arcs,
                r.collapsing_zones,
                r.invalid_zones,
                t.elapsed().as_secs_f64()
            );
            std::borrow::Cow::Owned(simple)
        }
        _ => std::borrow::Cow::Borrowed(&ctx.loaded.geometries),
    };
    let communes: ZoneGeometries =
        outlines.iter().filter(|(c, _)| c.level() == Level::Commune).map(|(c, g)| (c.clone(), g.clone())).collect();
    let populations = commune_populations(ctx);
    let (zone_sets, prepared) = layer_zones(layers, &cfg, &outlines);
    let map_context = |set: usize| {
        let zones = &zone_sets[set].1;
        let draw_communes = !communes.is_empty() && zones.keys().all(|c| c.level() != Level::Commune);
        MapContext {
            zones,
            names: names.clone(),
            communes: draw_communes.then_some(&communes),
            sites,
            territory: territory.clone(),
            populations: populations.clone(),
        }
    };
    // Layers are independent: each one's maps and its part of the atlas are made in parallel,
    // then kept in order.
    let bar = crate::progress::bar(prepared.len() as u64, "maps", ctx.show_progress);
    let per_layer = prepared
        .par_iter()
        .map(|(layer, set)| -> Result<(Vec<std::path::PathBuf>, Option<AtlasLayer>)> {
            let map_ctx = map_context(*set);
            let files = render_layers(std::slice::from_ref(layer), &map_ctx, &ctx.out_dir, &formats)
                .with_context(|| format!("cannot render layer `{}`", layer.id))?;
            let part = if formats.atlas {
                Atlas::prepare(layer, &map_ctx).with_context(|| format!("cannot add layer `{}` to the atlas", layer.id))?
            } else {
                None
            };
            bar.set_message(layer.id.clone());
            bar.inc(1);
            Ok((files, part))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut files = Vec::new();
    let mut atlas = formats.atlas.then(Atlas::new);
    for ((_, set), (layer_files, part)) in prepared.iter().zip(per_layer) {
        files.extend(layer_files);
        if let (Some(a), Some(part)) = (atlas.as_mut(), part) {
            a.add(part, &zone_sets[*set].1, &names);
        }
    }
    bar.finish_and_clear();
    let mut sheet_count = 0;
    if cfg.sheets.unwrap_or(true) && !sheets.is_empty() {
        let perimeter = cfg.perimeter.clone().unwrap_or_else(|| territory.clone());
        let epci = ctx
            .loaded
            .table
            .zones()
            .iter()
            .filter_map(|z| Some((z.code.as_str().to_string(), z.epci_name.clone().or_else(|| z.epci.clone())?)))
            .collect();
        sheet_count =
            fragnum_render::evolution::write_sheets_with_evolutions(sheets, &perimeter, &ctx.out_dir, &epci, formats.atlas, evolutions)
                .context("cannot write fact sheets")?
                .len()
                - 1;
    }
    let atlas_line = match &atlas {
        Some(a) => write_atlas(ctx, a, &cfg, &territory, &names, &communes, sites, (sheet_count > 0).then_some(sheets), access)?,
        None => String::new(),
    };
    say!(
        "render: {} map file(s) in {}, {} fact sheet(s) in {}{atlas_line}, in {:.2} s",
        files.len(),
        ctx.out_dir.join("maps").display(),
        sheet_count,
        ctx.out_dir.join("sheets").display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Commune populations (the finest zones' `pop`, summed by commune): print maps name the largest.
fn commune_populations(ctx: &Context) -> std::collections::BTreeMap<ZoneCode, f64> {
    let finest = fragnum_core::geometry::finest_outlined_level(&ctx.loaded.geometries);
    let mut populations = std::collections::BTreeMap::<ZoneCode, f64>::new();
    for z in ctx.loaded.table.zones().iter().filter(|z| Some(z.code.level()) == finest) {
        let commune = z.code.commune().and_then(|c| ZoneCode::new(Level::Commune, c).ok());
        if let (Some(c), Some(p)) = (commune, ctx.loaded.table.get(&z.code, "pop").value()) {
            *populations.entry(c).or_default() += p;
        }
    }
    populations
}

/// The distinct sets of outlines the layers are drawn over, each with its codes.
type ZoneSets<'o> = Vec<(Vec<&'o ZoneCode>, ZoneGeometries)>;

/// Each layer with its config applied and the index of its outlines in the zone sets: layers with
/// the same zones (most of them) share one copy. Layers with no outlined zone are said and skipped.
fn layer_zones<'o>(
    layers: &[Layer],
    cfg: &fragnum_render::RenderConfig,
    outlines: &'o ZoneGeometries,
) -> (ZoneSets<'o>, Vec<(Layer, usize)>) {
    let mut zone_sets: ZoneSets<'o> = Vec::new();
    let mut prepared = Vec::with_capacity(layers.len());
    for layer in layers {
        let layer = cfg.apply(layer);
        let codes: Vec<&ZoneCode> = outlines.keys().filter(|c| layer.values.contains_key(*c)).collect();
        if codes.is_empty() {
            eprintln!("render: layer `{}` has no zone with an outline; skipped", layer.id);
            continue;
        }
        let set = if let Some(i) = zone_sets.iter().position(|(known, _)| *known == codes) {
            i
        } else {
            let zones = codes.iter().map(|&c| (c.clone(), outlines[c].clone())).collect();
            zone_sets.push((codes, zones));
            zone_sets.len() - 1
        };
        prepared.push((layer, set));
    }
    (zone_sets, prepared)
}

/// Writes `atlas/` (every layer added, sites, isochrones, links to the sheets written); returns the
/// part of the summary line that names it and its size. Without MapLibre GL JS it says how to get
/// it and writes the rest.
#[allow(clippy::too_many_arguments)] // the pieces of the render stage the atlas shows
fn write_atlas(
    ctx: &Context,
    atlas: &fragnum_render::atlas::Atlas,
    cfg: &fragnum_render::RenderConfig,
    territory: &str,
    names: &std::collections::BTreeMap<fragnum_core::ZoneCode, String>,
    communes: &ZoneGeometries,
    sites: &[Site],
    sheets: Option<&[SheetInput]>,
    access: Option<&AccessOutput>,
) -> Result<String> {
    use fragnum_render::atlas::{AtlasExtras, MAPLIBRE_HINT, find_maplibre};
    let mut starts = Vec::new();
    if let Some(dir) = ctx.config.path().parent() {
        starts.push(dir.to_path_buf());
    }
    starts.extend(std::env::current_dir().ok());
    starts.extend(std::env::current_exe().ok().and_then(|p| p.parent().map(std::path::Path::to_path_buf)));
    let maplibre = find_maplibre(&starts);
    let stems = sheets.map(|list| {
        list.iter()
            .zip(fragnum_render::sheets::stems_of(list))
            .filter(|(s, _)| s.kind == fragnum_render::sheets::SheetKind::Zone)
            .map(|(s, stem)| (s.code.clone(), stem))
            .collect()
    });
    // The access stage's isochrones, as it wrote them to isochrones.geojson.
    let isochrones = access
        .map(|a| serde_json::from_str(&fragnum_access::zones::isochrones_geojson(a)))
        .transpose()
        .context("cannot build the atlas's isochrones")?;
    let zone_communes =
        ctx.loaded.table.zones().iter().filter_map(|z| Some((z.code.as_str().to_string(), z.commune_name.clone()?))).collect();
    let extras = AtlasExtras {
        territory: territory.to_string(),
        basemap: cfg.basemap.clone(),
        sites,
        isochrones,
        sheets: stems.unwrap_or_default(),
        communes: (!communes.is_empty()).then_some(communes),
        names: names.clone(),
        zone_communes,
        maplibre: maplibre.clone(),
    };
    let report = atlas.write(&ctx.out_dir, &extras).context("cannot write the atlas")?;
    if maplibre.is_none() {
        eprintln!(
            "render: MapLibre GL JS not found, so {} has no map yet (its table, legend and search work): {MAPLIBRE_HINT}",
            ctx.out_dir.join("atlas/index.html").display()
        );
    }
    #[allow(clippy::cast_precision_loss)] // a size in megabytes
    let mb = report.bytes as f64 / 1e6;
    Ok(format!(
        ", atlas of {} layer(s) in {} ({} file(s), {mb:.1} MB{})",
        atlas.len(),
        ctx.out_dir.join("atlas").display(),
        report.files.len(),
        if report.maplibre { "" } else { ", without MapLibre GL JS" }
    ))
}
