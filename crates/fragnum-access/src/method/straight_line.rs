//! Times under the labelled straight-line approximation ([`crate::approx`]).

use std::time::Instant;

use fragnum_core::sites::{PopulationPoint, Site};
use geo_types::MultiPolygon;

use crate::approx::{disc, straight_line};
use crate::capacity::SiteTimes;
use crate::input::{AccessInput, Settings};
use crate::isochrone::Isochrone;
use crate::method::{MethodRun, ms};
use crate::output::{Method, SiteResult, Timings};
use crate::siting::straight_line_coverage;

/// The nearest-site times of the approximation, its service areas (one disc per site), the
/// candidates' coverage and every site's times to the points. Always warns that times are an
/// approximation.
pub(crate) fn times(input: &AccessInput, settings: &Settings, timings: &mut Timings, warnings: &mut Vec<String>) -> MethodRun {
    let threshold_s = settings.threshold_s();
    let a = settings.approximation;
    let t = Instant::now();
    let points = straight_line(input.sites, input.points, input.urban, &a);
    timings.times_ms = ms(t);
    let coords: Vec<[f64; 2]> = input.points.iter().map(PopulationPoint::position).collect();
    let speeds: Vec<f64> = (0..coords.len()).map(|p| a.speed_ms(input.urban.is_some_and(|u| u[p]))).collect();
    let open: Vec<bool> = points.iter().map(|r| r.time_s.is_none_or(|t| t > threshold_s)).collect();
    let t = Instant::now();
    let cover = if settings.new_sites > 0 {
        straight_line_coverage(input.candidates, &coords, &speeds, a.detour, &open, threshold_s)
    } else {
        Vec::new()
    };
    let candidate_times =
        (settings.capacity.added_units > 0).then(|| SiteTimes::straight_line(input.candidates, &coords, &speeds, a.detour, threshold_s));
    timings.siting_ms = ms(t);
    let t = Instant::now();
    let site_times = SiteTimes::straight_line(input.sites, &coords, &speeds, a.detour, settings.times_limit_s());
    timings.site_cover_ms = ms(t);
    let result = |s: &Site| SiteResult { site: s.clone(), snapped: true, snap_m: None, population_nearest: 0.0, population_within: 0.0 };
    warnings.push("no road network configured: times are a straight-line approximation".into());
    // Service areas of the approximation: discs, one per site (they overlap).
    let isochrones = input
        .sites
        .iter()
        .enumerate()
        .map(|(site, s)| Isochrone {
            site,
            threshold_min: settings.isochrone_min,
            area: MultiPolygon(vec![disc(s.position(), threshold_s, &a)]),
        })
        .collect();
    MethodRun {
        method: Method::StraightLine,
        label: a.label(),
        points,
        sites: input.sites.iter().map(result).collect(),
        candidates: input.candidates.iter().map(result).collect(),
        isochrones,
        cell: 0.0,
        cover,
        site_times,
        candidate_times,
        network: None,
    }
}
