//! The render stage: maps (GeoJSON, MapLibre style, PNG, SVG) into `<out>/maps/` and fact sheets
//! into `<out>/sheets/`, configured by the `[render]` section:
//!
//! ```toml
//! [render]
//! formats = ["geojson", "png", "svg"]   # default: all three
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
use fragnum_core::{Level, ZoneGeometries};
use fragnum_core::sites::Site;
use fragnum_render::{render_layers, write_sheets, Layer, MapContext, RenderConfig, SheetInput};

use super::Context;

/// Writes every layer's maps and the fact sheets; each layer is drawn over the outlines of the
/// zones it has cells for, with commune boundaries and `sites` on top.
pub fn run(ctx: &Context, layers: &[Layer], sheets: &[SheetInput], sites: &[Site]) -> Result<()> {
    let started = std::time::Instant::now();
    let cfg = RenderConfig::from_table(ctx.config.render.as_ref())?;
    let formats = cfg.formats()?;
    let territory = cfg.territory.clone().unwrap_or_else(|| ctx.config.project.name.clone());
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
            println!(
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
    let communes: ZoneGeometries = outlines
        .iter()
        .filter(|(c, _)| c.level() == Level::Commune)
        .map(|(c, g)| (c.clone(), g.clone()))
        .collect();
    let mut files = Vec::new();
    let bar = crate::progress::bar(layers.len() as u64, "maps", ctx.show_progress);
    for layer in layers {
        bar.set_message(layer.id.clone());
        bar.inc(1);
        let layer = cfg.apply(layer);
        let zones: ZoneGeometries =
            outlines.iter().filter(|(c, _)| layer.values.contains_key(*c)).map(|(c, g)| (c.clone(), g.clone())).collect();
        if zones.is_empty() {
            eprintln!("render: layer `{}` has no zone with an outline; skipped", layer.id);
            continue;
        }
        let draw_communes = !communes.is_empty() && zones.keys().all(|c| c.level() != Level::Commune);
        let map_ctx = MapContext {
            zones: &zones,
            names: names.clone(),
            communes: draw_communes.then_some(&communes),
            sites,
            territory: territory.clone(),
        };
        files.extend(
            render_layers(std::slice::from_ref(&layer), &map_ctx, &ctx.out_dir, &formats)
                .with_context(|| format!("cannot render layer `{}`", layer.id))?,
        );
    }
    bar.finish_and_clear();
    let mut sheet_count = 0;
    if cfg.sheets.unwrap_or(true) && !sheets.is_empty() {
        let perimeter = cfg.perimeter.clone().unwrap_or_else(|| territory.clone());
        sheet_count = write_sheets(sheets, &perimeter, &ctx.out_dir).context("cannot write fact sheets")?.len() - 1;
    }
    println!(
        "render: {} map file(s) in {}, {} fact sheet(s) in {}, in {:.2} s",
        files.len(),
        ctx.out_dir.join("maps").display(),
        sheet_count,
        ctx.out_dir.join("sheets").display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
