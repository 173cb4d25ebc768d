//! The accessibility stage: reads the `[access]` section, the sites, the road network (or uses
//! the labelled straight-line approximation), computes times with `fragnum-access`, writes
//! `access_zones`, `access_points`, `access_sites`, `access_siting` (Parquet + CSV) and
//! `isochrones.geojson`, and prints a short summary.
//!
//! ```toml
//! [access]
//! sites = "../data/demo/advisor-sites.csv"
//! kinds = ["france_services", "conseiller_numerique", "mediation"]   # optional filter
//! network = "../data/demo/roads.geojson"     # or a .osm.pbf; absent → labelled approximation
//! profile = "profiles/car.toml"
//! thresholds_min = [10, 20, 30]
//! isochrone_min = 20
//! max_snap_m = 2000
//! walk_kmh = 4.5
//! isochrone_cell_m = 100
//! candidates = "../data/demo/candidates.csv"  # optional
//! new_sites = 3
//! population_grid = ["..."]                   # optional; else points inside zones
//! urban_density_km2 = 1000                    # approximation only: urban above this density
//! [access.approximation]                      # used only without a network
//! detour = 1.3
//! urban_kmh = 30
//! rural_kmh = 60
//! ```

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, bail};
use fragnum_access::{AccessInput, AccessOutput};
use fragnum_core::Cell;
use fragnum_core::sites::PopulationPoint;
use fragnum_render::tables::Table;

/// A number the French way with one decimal (`12,5`), as maps and sheets write it.
fn fr1(v: f64) -> String {
    fragnum_render::format::number(v, 1)
}

/// Runs the stage. `weights` (zone code → multiplier, e.g. a fragility score) weights the
/// siting: a point counts `population × weight` (× 1 when its zone is absent). Returns the
/// computation's output for the render stage; `Ok(None)` when the config has no `[access]`.
pub fn run(ctx: &super::Context, weights: Option<&BTreeMap<String, f64>>) -> Result<Option<AccessOutput>> {
    let Some(cfg) = &ctx.config.access else { return Ok(None) };
    let started = std::time::Instant::now();
    let settings = cfg.settings();
    // Sites, candidates, grid, network and profile were read and checked before ingest
    // (crate::inputs): a bad file fails the run before its first output.
    let inputs = &ctx.inputs;
    let (sites, candidates) = (&inputs.sites, &inputs.candidates);
    let network = inputs.network.as_ref();
    let profile = match (network, &inputs.profile) {
        (Some(_), Some(p)) => Some(p),
        (Some(_), None) => bail!("[access]: `network` is set but `profile` is not (e.g. profile = \"profiles/car.toml\")"),
        (None, _) => None,
    };
    let spinner = crate::progress::spinner("access", ctx.show_progress);

    // Population points: the grid when given, else points inside each zone with its population.
    let table = &ctx.loaded.table;
    let mut points: Vec<PopulationPoint> = Vec::new();
    let mut densities: BTreeMap<String, f64> = BTreeMap::new();
    let finest = fragnum_core::geometry::finest_outlined_level(&ctx.loaded.geometries);
    for (code, geometry) in &ctx.loaded.geometries {
        if Some(code.level()) != finest {
            continue;
        }
        if let Cell::Value(pop) = table.get(code, "pop") {
            if let Some(d) = fragnum_access::zones::density_per_km2(geometry, pop) {
                densities.insert(code.as_str().to_string(), d);
            }
            if cfg.population_grid.is_empty() && pop > 0.0 {
                points.extend(fragnum_access::zones::zone_points(code, geometry, pop));
            }
        }
    }
    if !cfg.population_grid.is_empty() {
        let cells = &inputs.grid;
        // The study territory is the zones with an outline (else the zones of the table): grid
        // cells elsewhere would count people the territory's sites are not meant to serve.
        let outlined = fragnum_core::geometry::outlined_levels(&ctx.loaded.geometries);
        let in_territory = |z: &fragnum_core::ZoneCode| {
            if outlined.contains(&z.level()) { ctx.loaded.geometries.contains_key(z) } else { table.row(z).is_ok() }
        };
        let total = cells.len();
        let (inside, outside): (Vec<PopulationPoint>, Vec<PopulationPoint>) =
            cells.iter().cloned().partition(|c| c.zone.as_ref().is_some_and(in_territory));
        let outside: f64 = outside.iter().map(|c| c.weight).sum();
        let cells = inside;
        println!("  population grid: {} of {total} cells in the territory ({outside:.0} people in the other cells left out)", cells.len());
        points.extend(cells);
    }
    let point_weights: Option<Vec<f64>> = weights
        .map(|w| points.iter().map(|p| p.weight * p.zone.as_ref().and_then(|z| w.get(z.as_str())).copied().unwrap_or(1.0)).collect());
    let urban: Vec<bool> = points
        .iter()
        .map(|p| p.zone.as_ref().and_then(|z| densities.get(z.as_str())).is_some_and(|d| *d >= cfg.urban_density_km2))
        .collect();

    let input =
        AccessInput { network, profile, sites, points: &points, weights: point_weights.as_deref(), candidates, urban: Some(&urban) };
    spinner.set_message("travel times, isochrones, siting");
    let out = fragnum_access::compute(&input, &settings)?;
    spinner.finish_and_clear();
    write_outputs(ctx, &out, &points)?;
    print_summary(&out, &points, network);
    println!("  computed in: {}", out.timings);
    println!("access: outputs written to {} in {:.2} s", ctx.out_dir.display(), started.elapsed().as_secs_f64());
    Ok(Some(out))
}

fn write_outputs(ctx: &super::Context, out: &AccessOutput, points: &[PopulationPoint]) -> Result<()> {
    let method = out.method.as_str();
    let site_id = |s: Option<usize>| s.map(|s| out.sites[s].site.id.clone());
    let mut zones = Table::default()
        .text("code", out.zones.iter().map(|z| Some(z.zone.as_str().to_string())).collect())
        .float("population", out.zones.iter().map(|z| Some(z.population)).collect());
    for (k, t) in out.thresholds_min.iter().enumerate() {
        zones.push(
            &format!("share_within_{t}min"),
            fragnum_render::tables::ColumnData::Float(out.zones.iter().map(|z| Some(z.share_within[k])).collect()),
        );
    }
    zones = zones
        .float("mean_min", out.zones.iter().map(|z| z.mean_min).collect())
        .float("median_min", out.zones.iter().map(|z| z.median_min).collect())
        .text("nearest_site_id", out.zones.iter().map(|z| site_id(z.nearest_site)).collect())
        .text("nearest_site_name", out.zones.iter().map(|z| z.nearest_site.map(|s| out.sites[s].site.name.clone())).collect())
        .float("unreached_population", out.zones.iter().map(|z| Some(z.unreached_population)).collect())
        .float("beyond_snap_population", out.zones.iter().map(|z| Some(z.beyond_snap_population)).collect())
        .text("method", out.zones.iter().map(|_| Some(method.to_string())).collect());
    zones.write(&ctx.out_dir, "access_zones")?;

    Table::default()
        .float("lon", points.iter().map(|p| Some(p.lon)).collect())
        .float("lat", points.iter().map(|p| Some(p.lat)).collect())
        .float("population", points.iter().map(|p| Some(p.weight)).collect())
        .text("zone", points.iter().map(|p| p.zone.as_ref().map(|z| z.as_str().to_string())).collect())
        .float("time_min", out.points.iter().map(|r| r.time_s.map(|t| t / 60.0)).collect())
        .text("nearest_site_id", out.points.iter().map(|r| site_id(r.site)).collect())
        .float("snap_m", out.points.iter().map(|r| r.snap_m).collect())
        .bool("beyond_snap", out.points.iter().map(|r| Some(r.beyond_snap)).collect())
        .text("method", out.points.iter().map(|_| Some(method.to_string())).collect())
        .write(&ctx.out_dir, "access_points")?;

    let sites_table = |list: &[fragnum_access::SiteResult]| {
        Table::default()
            .text("id", list.iter().map(|s| Some(s.site.id.clone())).collect())
            .text("name", list.iter().map(|s| Some(s.site.name.clone())).collect())
            .text("kind", list.iter().map(|s| Some(s.site.kind.clone())).collect())
            .text("commune", list.iter().map(|s| s.site.commune.clone()).collect())
            .float("lon", list.iter().map(|s| Some(s.site.lon)).collect())
            .float("lat", list.iter().map(|s| Some(s.site.lat)).collect())
            .bool("snapped", list.iter().map(|s| Some(s.snapped)).collect())
            .float("snap_m", list.iter().map(|s| s.snap_m).collect())
            .float("population_nearest", list.iter().map(|s| Some(s.population_nearest)).collect())
            .float("population_within", list.iter().map(|s| Some(s.population_within)).collect())
    };
    sites_table(&out.sites).write(&ctx.out_dir, "access_sites")?;

    let chosen: Vec<&fragnum_access::SiteResult> = out.siting.iter().map(|c| &out.candidates[c.candidate]).collect();
    Table::default()
        .int("rank", out.siting.iter().map(|c| Some(c.rank as i64)).collect())
        .text("id", chosen.iter().map(|s| Some(s.site.id.clone())).collect())
        .text("name", chosen.iter().map(|s| Some(s.site.name.clone())).collect())
        .float("lon", chosen.iter().map(|s| Some(s.site.lon)).collect())
        .float("lat", chosen.iter().map(|s| Some(s.site.lat)).collect())
        .float("gain_population", out.siting.iter().map(|c| Some(c.gain_population)).collect())
        .float("gain_weight", out.siting.iter().map(|c| Some(c.gain_weight)).collect())
        .float("share_after", out.siting.iter().map(|c| Some(c.share_after)).collect())
        .write(&ctx.out_dir, "access_siting")?;

    let geojson = fragnum_access::zones::isochrones_geojson(out);
    let path = ctx.out_dir.join("isochrones.geojson");
    fragnum_core::atomic::write_bytes(&path, geojson.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn print_summary(out: &AccessOutput, points: &[PopulationPoint], network: Option<&fragnum_core::network::RoadNetwork>) {
    println!("access: {}", out.method_label);
    if let (Some(g), Some(net)) = (&out.network, network) {
        println!(
            "  network: {} nodes kept of {} ({} in {} smaller components dropped), {} features dropped by the reader",
            g.nodes,
            net.nodes.len(),
            g.dropped_nodes,
            g.components.saturating_sub(1),
            net.notes.dropped.values().sum::<usize>()
        );
    }
    let snapped = out.sites.iter().filter(|s| s.snapped).count();
    println!("  sites snapped: {snapped}/{}", out.sites.len());
    let threshold = out.isochrone_min;
    let mut by_dep: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (p, r) in points.iter().zip(&out.points) {
        let dep = p.zone.as_ref().and_then(|z| z.departement()).unwrap_or("hors zones").to_string();
        let e = by_dep.entry(dep).or_default();
        e.0 += p.weight;
        if r.time_s.is_some_and(|t| t <= threshold * 60.0) {
            e.1 += p.weight;
        }
    }
    for (dep, (pop, within)) in &by_dep {
        let share = if *pop > 0.0 { within / pop * 100.0 } else { 0.0 };
        println!("  département {dep}: {} % of the population within {threshold} min", fr1(share));
    }
    let beyond = out.points.iter().filter(|r| r.beyond_snap).count();
    if beyond > 0 {
        println!("  {beyond} population points beyond the snap distance (counted as not served)");
    }
    for c in &out.siting {
        println!(
            "  new site #{}: {} (+{:.0} people within {threshold} min)",
            c.rank, out.candidates[c.candidate].site.id, c.gain_population
        );
    }
    for w in &out.warnings {
        println!("  warning: {w}");
    }
}
