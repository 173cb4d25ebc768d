//! Times over the road network.

use std::time::Instant;

use fragnum_core::network::RoadNetwork;
use fragnum_core::sites::Site;

use crate::capacity::SiteTimes;
use crate::coverage::network_times;
use crate::error::AccessError;
use crate::graph::Graph;
use crate::input::{AccessInput, Settings};
use crate::isochrone::{self, IsochroneSettings};
use crate::method::{MethodRun, ms};
use crate::output::{Method, SiteResult, Timings};
use crate::siting::network_coverage;
use crate::snap::{Snap, Snapper};

/// Builds the graph of `net`, snaps sites, points and candidates, and computes the nearest-site
/// times, the isochrones, the candidates' coverage and every site's times to the points.
pub(crate) fn times(
    input: &AccessInput,
    settings: &Settings,
    net: &RoadNetwork,
    timings: &mut Timings,
    warnings: &mut Vec<String>,
) -> Result<MethodRun, AccessError> {
    let walk_ms = settings.walk_kmh / 3.6;
    let threshold_s = settings.threshold_s();
    let profile = input.profile.ok_or_else(|| AccessError::Settings("a road network needs a speed profile".into()))?;
    let t = Instant::now();
    let graph = Graph::build(net, profile)?;
    let snapper = Snapper::new(&graph);
    timings.graph_ms = ms(t);
    let t = Instant::now();
    let times = network_times(&graph, &snapper, input.sites, input.points, settings.max_snap_m, walk_ms);
    timings.times_ms = ms(t);
    let t = Instant::now();
    let iso_settings = IsochroneSettings {
        threshold_s,
        cell_m: settings.isochrone_cell_m,
        max_walk_m: settings.max_snap_m,
        walk_ms,
        max_cells: settings.isochrone_max_cells,
    };
    let (isochrones, cell) = isochrone::isochrones(&graph, &times.nodes, &iso_settings);
    if cell > settings.isochrone_cell_m {
        warnings.push(format!(
            "isochrone cell enlarged from {} m to {cell:.0} m to stay under {} cells",
            settings.isochrone_cell_m, settings.isochrone_max_cells
        ));
    }
    timings.isochrones_ms = ms(t);
    let t = Instant::now();
    let candidate_snaps: Vec<Option<Snap>> =
        input.candidates.iter().map(|c| snapper.snap(c.position(), settings.max_snap_m, walk_ms)).collect();
    let open: Vec<bool> = times.points.iter().map(|r| r.time_s.is_none_or(|t| t > threshold_s)).collect();
    let cover = if settings.new_sites > 0 && !input.candidates.is_empty() {
        network_coverage(&graph, &snapper, &candidate_snaps, &times.point_snaps, &open, threshold_s)
    } else {
        Vec::new()
    };
    let candidate_times = (settings.capacity.added_units > 0)
        .then(|| SiteTimes::network(&graph, &snapper, &candidate_snaps, &times.point_snaps, threshold_s));
    timings.siting_ms = ms(t);
    let t = Instant::now();
    let site_times = SiteTimes::network(&graph, &snapper, &times.site_snaps, &times.point_snaps, settings.times_limit_s());
    timings.site_cover_ms = ms(t);
    let result = |s: &Site, snap: Option<Snap>| SiteResult {
        site: s.clone(),
        snapped: snap.is_some(),
        snap_m: snap.map(|x| x.distance_m),
        population_nearest: 0.0,
        population_within: 0.0,
    };
    let label = format!(
        "temps de trajet sur le réseau routier ({}, profil « {} »), plus le trajet à pied jusqu'à la route",
        net.source, profile.name
    );
    Ok(MethodRun {
        method: Method::Network,
        label,
        sites: input.sites.iter().zip(&times.site_snaps).map(|(s, snap)| result(s, *snap)).collect(),
        candidates: input.candidates.iter().zip(&candidate_snaps).map(|(s, snap)| result(s, *snap)).collect(),
        points: times.points,
        isochrones,
        cell,
        cover,
        site_times,
        candidate_times,
        network: Some(graph.report),
    })
}
