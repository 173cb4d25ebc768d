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
//! [access.approximation]                      # used only without a network; default: calibrated
//! detour = 1.97                               # on the Andorra and Liechtenstein networks
//! urban_kmh = 46                              # (`make calibrate`)
//! rural_kmh = 41
//! [access.capacity]                           # supply against need (2SFCA, E2SFCA, equity)
//! supply = "advisors"                         # or "hours" (opening hours per week)
//! need = "population"                         # or an indicator of [indices]
//! added_units = 3                             # capacity-aware siting
//! ```

use std::collections::BTreeMap;

use crate::progress::say;
use anyhow::{Context as _, Result, bail};
use fragnum_access::coverage::ZoneResult;
use fragnum_access::modes::{Mode, ModeZones};
use fragnum_access::{AccessInput, AccessOutput};
use fragnum_core::sites::PopulationPoint;
use fragnum_render::tables::Table;

/// A number the French way with one decimal (`12,5`), as maps and sheets write it.
fn fr1(v: f64) -> String {
    fragnum_render::format::number(v, 1)
}

/// Runs the stage. `weights` (zone code → multiplier, e.g. a fragility score) weights the
/// siting: a point counts `population × weight` (× 1 when its zone is absent); `need` (zone
/// code → share of residents in need) gives the people in need of the supply measures the same
/// way (population when absent; a point whose zone has no estimate counts 0 and is reported).
/// Then each other mode of `modes` (walk, transit) on the same points and sites. Returns the
/// car's output and every mode's per-zone results for the render stage; `Ok(None)` when the
/// config has no `[access]`.
pub fn run(
    ctx: &super::Context,
    weights: Option<&BTreeMap<String, f64>>,
    need: Option<&BTreeMap<String, f64>>,
) -> Result<Option<(AccessOutput, Vec<ModeZones>)>> {
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
    let grid = (!cfg.population_grid.is_empty()).then_some(inputs.grid.as_slice());
    let people = fragnum_access::zones::population_points(&ctx.loaded.table, &ctx.loaded.geometries, grid, cfg.urban_density_km2);
    if grid.is_some() {
        say!(
            "  population grid: {} of {} cells in the territory ({:.0} people in the other cells left out)",
            people.points.len(),
            inputs.grid.len(),
            people.outside_people
        );
    }
    let (points, urban) = (people.points, people.urban);
    let table = &ctx.loaded.table;
    // Each point's population × its zone's multiplier (`absent` where the zone has none).
    let per_point = |by_zone: &BTreeMap<String, f64>, absent: f64| -> Vec<f64> {
        points.iter().map(|p| p.weight * p.zone.as_ref().and_then(|z| by_zone.get(z.as_str())).copied().unwrap_or(absent)).collect()
    };
    let point_weights: Option<Vec<f64>> = weights.map(|w| per_point(w, 1.0));
    let point_need: Option<Vec<f64>> = need.map(|n| per_point(n, 0.0));
    if let Some(n) = need {
        let missing: f64 = points.iter().filter(|p| p.zone.as_ref().is_none_or(|z| !n.contains_key(z.as_str()))).map(|p| p.weight).sum();
        if missing > 0.0 {
            eprintln!("access: warning: {missing:.0} people live in zones with no estimate of `{}`: they count no need", cfg.capacity.need);
        }
    }
    // The EPCI of each point's zone, for the equity table: ingest gave every sub-communal zone
    // its commune's (load::align_epci_with_communes).
    let epci_of = |z: &fragnum_core::ZoneCode| table.row(z).ok().and_then(|r| table.zones()[r].epci.clone());
    // A point whose commune no table places in an EPCI (a commune merged since the outlines'
    // vintage, say) is counted in a group of its own, so the EPCI rows add up to the territory.
    let mut groups: Vec<Option<String>> = points.iter().map(|p| p.zone.as_ref().and_then(epci_of)).collect();
    if groups.iter().any(Option::is_some) {
        let lost: Vec<usize> = (0..points.len()).filter(|&p| groups[p].is_none()).collect();
        if !lost.is_empty() {
            let people: f64 = lost.iter().map(|&p| points[p].weight).sum();
            let mut communes: Vec<&str> =
                lost.iter().filter_map(|&p| points[p].zone.as_ref().map(fragnum_core::ZoneCode::as_str)).collect();
            communes.sort_unstable();
            communes.dedup();
            eprintln!(
                "access: warning: {} population points ({people:.0} people) lie in {} zone(s) with no EPCI in the tables ({}{}): counted as EPCI `{UNKNOWN_EPCI}` in access_equity",
                lost.len(),
                communes.len(),
                communes.iter().take(8).copied().collect::<Vec<_>>().join(", "),
                if communes.len() > 8 { ", …" } else { "" }
            );
            for p in lost {
                groups[p] = Some(UNKNOWN_EPCI.to_string());
            }
        }
    }

    let input = AccessInput {
        network,
        profile,
        sites,
        points: &points,
        weights: point_weights.as_deref(),
        candidates,
        urban: Some(&urban),
        need: point_need.as_deref(),
        groups: groups.iter().any(Option::is_some).then_some(groups.as_slice()),
    };
    spinner.set_message("travel times, isochrones, siting");
    let out = fragnum_access::compute(&input, &settings)?;
    spinner.finish_and_clear();
    write_outputs(ctx, &out, &points)?;
    print_summary(&out, &points, network);
    say!("  computed in: {}", out.timings);
    let mut modes = vec![ModeZones {
        mode: Mode::Car,
        method_label: out.method_label.clone(),
        thresholds_min: out.thresholds_min.clone(),
        zones: out.zones.clone(),
    }];
    if cfg.modes.contains(&Mode::Walk) {
        let walk_network = inputs.walk_profile.as_ref().and(network);
        let walk_input =
            AccessInput { network: walk_network, profile: inputs.walk_profile.as_ref(), candidates: &[], weights: None, ..input };
        let walk = fragnum_access::compute(&walk_input, &fragnum_access::modes::walking_settings(&settings))?;
        let method = walk.method.as_str();
        zone_table(&walk.zones, &walk.thresholds_min, &walk.sites, method, Mode::Walk).write(&ctx.out_dir, "access_zones_walk")?;
        point_table(&points, &walk.points, &walk.sites, method, Mode::Walk).write(&ctx.out_dir, "access_points_walk")?;
        say!("access (walk): {}", walk.method_label);
        print_shares(&points, &walk.points, walk.isochrone_min);
        modes.push(ModeZones { mode: Mode::Walk, method_label: walk.method_label, thresholds_min: walk.thresholds_min, zones: walk.zones });
    }
    if let (Some(t), Some(tt)) = (cfg.transit.as_ref().filter(|_| cfg.modes.contains(&Mode::Transit)), inputs.timetable.as_ref()) {
        modes.push(transit(ctx, t, tt, &points, sites, &settings)?);
    }
    say!("access: outputs written to {} in {:.2} s", ctx.out_dir.display(), started.elapsed().as_secs_f64());
    Ok(Some((out, modes)))
}

/// The transit mode: RAPTOR over the departure window, per point and per zone, with the share
/// reached by walking alone beside it.
fn transit(
    ctx: &super::Context,
    t: &fragnum_access::config::TransitConfig,
    tt: &fragnum_core::transit::Timetable,
    points: &[PopulationPoint],
    sites: &[fragnum_core::sites::Site],
    settings: &fragnum_access::Settings,
) -> Result<ModeZones> {
    let spinner = crate::progress::spinner("access (transit)", ctx.show_progress);
    spinner.set_message("RAPTOR over the departure window");
    // Walking legs on the street network when the walk mode has one, else straight lines.
    let streets = ctx.inputs.network.as_ref().zip(ctx.inputs.walk_profile.as_ref());
    let result = match streets {
        Some((net, profile)) => {
            let legs = fragnum_access::modes::network_legs(net, profile, tt, points, sites, &t.routing, settings.max_snap_m)?;
            let footpaths = fragnum_access::transit::Footpaths::straight_line(tt, &t.routing);
            fragnum_access::transit::transit_times_with(tt, &footpaths, &legs, &t.routing)?
        }
        None => fragnum_access::transit::transit_times(tt, points, sites, &t.routing)?,
    };
    spinner.finish_and_clear();
    let (per_point, zones) = fragnum_access::modes::transit_results(points, &result, &settings.thresholds_min);
    let walk_only = fragnum_access::modes::walk_only_shares(points, &result, &zones, settings.isochrone_min);
    let feed = t.gtfs.file_name().map_or_else(|| t.gtfs.display().to_string(), |f| f.to_string_lossy().into_owned());
    let label = fragnum_access::modes::transit_label(&feed, &t.date, &t.routing, streets.map(|(net, _)| net.source.as_str()));
    let mut table = zone_table(&zones, &settings.thresholds_min, &[], "raptor_median_over_window", Mode::Transit);
    table.push(
        &format!("share_within_{}min_walk_only", settings.isochrone_min),
        fragnum_render::tables::ColumnData::Float(walk_only.iter().map(|v| Some(*v)).collect()),
    );
    table.write(&ctx.out_dir, "access_zones_transit")?;
    let minutes = |v: Option<f64>| v.map(|s| s / 60.0);
    point_table(points, &per_point, &[], "raptor_median_over_window", Mode::Transit)
        .float("p25_min", result.points.iter().map(|p| minutes(p.p25_s)).collect())
        .float("p75_min", result.points.iter().map(|p| minutes(p.p75_s)).collect())
        .float("walk_only_min", result.points.iter().map(|p| minutes(p.walk_only_s)).collect())
        .int("stops_within_walk", result.points.iter().map(|p| i64::try_from(p.access_stops).ok()).collect())
        .write(&ctx.out_dir, "access_points_transit")?;
    say!("access (transit): {label}");
    print_shares(points, &per_point, settings.isochrone_min);
    say!(
        "  {} departures × {} points routed in {:.0} ms (walks {:.0} ms)",
        result.departures.len(),
        points.len(),
        result.timings.routing_ms,
        result.timings.walks_ms
    );
    Ok(ModeZones { mode: Mode::Transit, method_label: label, thresholds_min: settings.thresholds_min.clone(), zones })
}

/// Prints the share of the population within `threshold_min`, per département.
fn print_shares(points: &[PopulationPoint], results: &[fragnum_access::PointResult], threshold_min: f64) {
    let mut by_dep: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (p, r) in points.iter().zip(results) {
        let dep = p.zone.as_ref().and_then(|z| z.departement()).unwrap_or("hors zones").to_string();
        let e = by_dep.entry(dep).or_default();
        e.0 += p.weight;
        if r.time_s.is_some_and(|t| t <= threshold_min * 60.0) {
            e.1 += p.weight;
        }
    }
    for (dep, (pop, within)) in &by_dep {
        let share = if *pop > 0.0 { within / pop * 100.0 } else { 0.0 };
        say!("  département {dep}: {} % of the population within {threshold_min} min", fr1(share));
    }
}

/// The per-zone table of one mode: shares within each threshold, mean and median times, the
/// nearest site (when the mode knows it), the population not reached.
fn zone_table(zones: &[ZoneResult], thresholds_min: &[f64], sites: &[fragnum_access::SiteResult], method: &str, mode: Mode) -> Table {
    let site = |s: Option<usize>| s.and_then(|s| sites.get(s)).map(|s| &s.site);
    let mut table = Table::default()
        .text("code", zones.iter().map(|z| Some(z.zone.as_str().to_string())).collect())
        .float("population", zones.iter().map(|z| Some(z.population)).collect());
    for (k, t) in thresholds_min.iter().enumerate() {
        table.push(
            &format!("share_within_{t}min"),
            fragnum_render::tables::ColumnData::Float(zones.iter().map(|z| Some(z.share_within[k])).collect()),
        );
    }
    table
        .float("mean_min", zones.iter().map(|z| z.mean_min).collect())
        .float("median_min", zones.iter().map(|z| z.median_min).collect())
        .text("nearest_site_id", zones.iter().map(|z| site(z.nearest_site).map(|s| s.id.clone())).collect())
        .text("nearest_site_name", zones.iter().map(|z| site(z.nearest_site).map(|s| s.name.clone())).collect())
        .float("unreached_population", zones.iter().map(|z| Some(z.unreached_population)).collect())
        .float("beyond_snap_population", zones.iter().map(|z| Some(z.beyond_snap_population)).collect())
        .text("method", zones.iter().map(|_| Some(method.to_string())).collect())
        .text("mode", zones.iter().map(|_| Some(mode.as_str().to_string())).collect())
}

/// The per-point table of one mode.
fn point_table(
    points: &[PopulationPoint],
    results: &[fragnum_access::PointResult],
    sites: &[fragnum_access::SiteResult],
    method: &str,
    mode: Mode,
) -> Table {
    Table::default()
        .float("lon", points.iter().map(|p| Some(p.lon)).collect())
        .float("lat", points.iter().map(|p| Some(p.lat)).collect())
        .float("population", points.iter().map(|p| Some(p.weight)).collect())
        .text("zone", points.iter().map(|p| p.zone.as_ref().map(|z| z.as_str().to_string())).collect())
        .float("time_min", results.iter().map(|r| r.time_s.map(|t| t / 60.0)).collect())
        .text("nearest_site_id", results.iter().map(|r| r.site.and_then(|s| sites.get(s)).map(|s| s.site.id.clone())).collect())
        .float("snap_m", results.iter().map(|r| r.snap_m).collect())
        .bool("beyond_snap", results.iter().map(|r| Some(r.beyond_snap)).collect())
        .text("method", results.iter().map(|_| Some(method.to_string())).collect())
        .text("mode", results.iter().map(|_| Some(mode.as_str().to_string())).collect())
}

fn write_outputs(ctx: &super::Context, out: &AccessOutput, points: &[PopulationPoint]) -> Result<()> {
    let method = out.method.as_str();
    let mut zones = zone_table(&out.zones, &out.thresholds_min, &out.sites, method, Mode::Car);
    // Supply against need, zone by zone (same zones, same order: both are in code order).
    let sup = &out.supply;
    let by_zone: BTreeMap<&str, &fragnum_access::supply::ZoneSupply> = sup.zones.iter().map(|z| (z.zone.as_str(), z)).collect();
    let zs: Vec<Option<&fragnum_access::supply::ZoneSupply>> = out.zones.iter().map(|z| by_zone.get(z.zone.as_str()).copied()).collect();
    let per = sup.per;
    let measure = sup.measure.as_str();
    zones = zones
        .float("need", zs.iter().map(|z| z.map(|z| z.need)).collect())
        .float(&format!("{measure}_per_{per}_2sfca"), zs.iter().map(|z| z.and_then(|z| z.fca)).collect())
        .float(&format!("{measure}_per_{per}_e2sfca"), zs.iter().map(|z| z.and_then(|z| z.e2sfca)).collect())
        .float(&format!("{measure}_within_{}min", sup.threshold_min), zs.iter().map(|z| z.and_then(|z| z.opportunities)).collect())
        .float("second_nearest_min", zs.iter().map(|z| z.and_then(|z| z.nearest_min[1])).collect())
        .float("third_nearest_min", zs.iter().map(|z| z.and_then(|z| z.nearest_min[2])).collect())
        .float(&format!("need_beyond_{}min_share", sup.threshold_min), zs.iter().map(|z| z.map(|z| z.need_beyond_share)).collect());
    zones.write(&ctx.out_dir, "access_zones")?;

    let epci_names: BTreeMap<&str, &str> =
        ctx.loaded.table.zones().iter().filter_map(|z| Some((z.epci.as_deref()?, z.epci_name.as_deref()?))).collect();
    let g = &sup.groups;
    Table::default()
        .text("group", g.iter().map(|e| Some(e.group.clone())).collect())
        .text(
            "name",
            g.iter()
                .map(|e| Some(epci_names.get(e.group.as_str()).map_or_else(|| territory_name(ctx, &e.group), |n| (*n).to_string())))
                .collect(),
        )
        .float("need", g.iter().map(|e| Some(e.need)).collect())
        .float(&format!("{measure}_per_{per}_2sfca"), g.iter().map(|e| e.fca).collect())
        .float(&format!("{measure}_per_{per}_e2sfca"), g.iter().map(|e| e.e2sfca).collect())
        .float("gini_time", g.iter().map(|e| e.gini_time).collect())
        .float(&format!("need_beyond_{}min_share", sup.threshold_min), g.iter().map(|e| Some(e.need_beyond_share)).collect())
        .float("unreached_need", g.iter().map(|e| Some(e.unreached_need)).collect())
        .text("need_of", g.iter().map(|_| Some(sup.need_label.clone())).collect())
        .text("method", g.iter().map(|_| Some(method.to_string())).collect())
        .write(&ctx.out_dir, "access_equity")?;

    point_table(points, &out.points, &out.sites, method, Mode::Car).write(&ctx.out_dir, "access_points")?;

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
    sites_table(&out.sites)
        .float(measure, sup.site_supply.iter().map(|v| Some(*v)).collect())
        .text(&format!("{measure}_source"), sup.site_supply_source.iter().map(|v| Some(v.clone())).collect())
        .float(&format!("{measure}_per_{per}_need_2sfca"), sup.site_ratio.clone())
        .write(&ctx.out_dir, "access_sites")?;

    write_siting(ctx, out)?;

    let geojson = fragnum_access::zones::isochrones_geojson(out);
    let path = ctx.out_dir.join("isochrones.geojson");
    fragnum_core::atomic::write_bytes(&path, geojson.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The siting tables: the greedy choice of new sites, its exact optimum, and the
/// capacity-aware placement of added supply.
fn write_siting(ctx: &super::Context, out: &AccessOutput) -> Result<()> {
    let sup = &out.supply;
    let (per, measure) = (sup.per, sup.measure.as_str());
    let chosen: Vec<&fragnum_access::SiteResult> = out.siting.iter().map(|c| &out.candidates[c.candidate]).collect();
    Table::default()
        .int("rank", out.siting.iter().map(|c| i64::try_from(c.rank).ok()).collect())
        .text("id", chosen.iter().map(|s| Some(s.site.id.clone())).collect())
        .text("name", chosen.iter().map(|s| Some(s.site.name.clone())).collect())
        .float("lon", chosen.iter().map(|s| Some(s.site.lon)).collect())
        .float("lat", chosen.iter().map(|s| Some(s.site.lat)).collect())
        .float("gain_population", out.siting.iter().map(|c| Some(c.gain_population)).collect())
        .float("gain_weight", out.siting.iter().map(|c| Some(c.gain_weight)).collect())
        .float("share_after", out.siting.iter().map(|c| Some(c.share_after)).collect())
        .write(&ctx.out_dir, "access_siting")?;

    if let Some(o) = &out.siting_optimum {
        let ids: Vec<String> = o.optimum.chosen.iter().map(|&c| out.candidates[c].site.id.clone()).collect();
        Table::default()
            .float("greedy_weight", vec![Some(o.greedy_weight)])
            .float("optimum_weight", vec![Some(o.optimum.value)])
            .float("upper_bound", vec![Some(o.optimum.upper_bound)])
            .bool("proven", vec![Some(o.optimum.proven)])
            .float("greedy_gap_share", vec![Some(o.gap())])
            .int("nodes", vec![i64::try_from(o.optimum.nodes).ok()])
            .text("optimum_ids", vec![Some(ids.join("|"))])
            .write(&ctx.out_dir, "access_siting_optimum")?;
    }

    let cs = &sup.capacity_siting;
    if !cs.is_empty() {
        use fragnum_access::capacity::Placement;
        let site_of = |p: Placement| match p {
            Placement::Existing(i) => ("existing", &out.sites[i].site),
            Placement::Candidate(i) => ("candidate", &out.candidates[i].site),
        };
        Table::default()
            .int("rank", cs.iter().map(|c| i64::try_from(c.rank).ok()).collect())
            .text("placement", cs.iter().map(|c| Some(site_of(c.placement).0.to_string())).collect())
            .text("id", cs.iter().map(|c| Some(site_of(c.placement).1.id.clone())).collect())
            .text("name", cs.iter().map(|c| Some(site_of(c.placement).1.name.clone())).collect())
            .float(
                &format!("added_{measure}"),
                cs.iter().map(|_| Some(ctx.config.access.as_ref().map_or(1.0, |a| a.capacity.unit()))).collect(),
            )
            .float("unmet_need_reduced", cs.iter().map(|c| Some(c.gain)).collect())
            .float("unmet_need_after", cs.iter().map(|c| Some(c.unmet_after)).collect())
            .float("need_newly_reached", cs.iter().map(|c| Some(c.newly_reached)).collect())
            .float(&format!("target_{measure}_per_{per}"), cs.iter().map(|_| Some(sup.target_per)).collect())
            .write(&ctx.out_dir, "access_capacity_siting")?;
    }
    Ok(())
}

/// The group of points whose zone no table places in an EPCI.
const UNKNOWN_EPCI: &str = "sans_epci";

/// The name of the whole territory, or of the points without EPCI, in the equity table.
fn territory_name(ctx: &super::Context, group: &str) -> String {
    match group {
        "ensemble" => ctx.config.render().territory.unwrap_or_else(|| "ensemble du territoire".into()),
        UNKNOWN_EPCI => "EPCI inconnu (commune absente des tables d'EPCI)".into(),
        other => other.to_string(),
    }
}

fn print_summary(out: &AccessOutput, points: &[PopulationPoint], network: Option<&fragnum_core::network::RoadNetwork>) {
    say!("access: {}", out.method_label);
    if let (Some(g), Some(net)) = (&out.network, network) {
        say!(
            "  network: {} nodes kept of {} ({} in {} smaller components dropped), {} features dropped by the reader",
            g.nodes,
            net.nodes.len(),
            g.dropped_nodes,
            g.components.saturating_sub(1),
            net.notes.dropped.values().sum::<usize>()
        );
    }
    let snapped = out.sites.iter().filter(|s| s.snapped).count();
    say!("  sites snapped: {snapped}/{}", out.sites.len());
    let threshold = out.isochrone_min;
    print_shares(points, &out.points, threshold);
    let beyond = out.points.iter().filter(|r| r.beyond_snap).count();
    if beyond > 0 {
        say!("  {beyond} population points beyond the snap distance (counted as not served)");
    }
    for c in &out.siting {
        say!("  new site #{}: {} (+{:.0} people within {threshold} min)", c.rank, out.candidates[c.candidate].site.id, c.gain_population);
    }
    if let Some(o) = &out.siting_optimum {
        let what = if o.optimum.proven { "optimum" } else { "upper bound of the optimum" };
        say!(
            "  greedy siting: {} % below the {what} ({} nodes, {} candidates after reduction)",
            fr1(o.gap() * 100.0),
            o.optimum.nodes,
            o.optimum.reduced_candidates
        );
    }
    let sup = &out.supply;
    if let Some(all) = sup.groups.first() {
        say!(
            "  supply: {} {} per {} people in need within {} min (2SFCA; E2SFCA {}), {} % of the need beyond, Gini of times {}",
            all.fca.map_or_else(|| "-".into(), fr1),
            sup.measure.as_str(),
            fragnum_render::format::number(sup.per, 0),
            sup.threshold_min,
            all.e2sfca.map_or_else(|| "-".into(), fr1),
            fr1(all.need_beyond_share * 100.0),
            all.gini_time.map_or_else(|| "-".into(), |g| fragnum_render::format::number(g, 3))
        );
    }
    for c in &sup.capacity_siting {
        let (what, site) = match c.placement {
            fragnum_access::capacity::Placement::Existing(i) => ("existing site", &out.sites[i].site),
            fragnum_access::capacity::Placement::Candidate(i) => ("candidate", &out.candidates[i].site),
        };
        say!(
            "  added supply #{}: {what} {} ({}), unmet need −{:.0}, {:.0} people in need reached who had no supply",
            c.rank,
            site.id,
            site.name,
            c.gain,
            c.newly_reached
        );
    }
    for w in &out.warnings {
        eprintln!("  warning: {w}");
    }
}
