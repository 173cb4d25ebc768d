//! Range-RAPTOR against the time-dependent Dijkstra reference on the real Grenoble feed, to the
//! second, from real population cells to real advisor sites (all read in place from ../shared/data).

use std::path::PathBuf;

use fragnum_access::transit::reference::Reference;
use fragnum_access::transit::{Footpaths, Legs, Router, TransitSettings, transit_times_with};
use fragnum_core::sites::{PopulationPoint, Site};
use fragnum_core::transit::{Date, Seconds};
use fragnum_ingest::Report;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(path)
}

#[test]
fn transit_raptor_equals_the_reference_on_the_grenoble_feed() {
    let mut report = Report::default();
    let date = Date::new(2023, 4, 18).expect("a Tuesday");
    let tt = fragnum_ingest::gtfs::read_gtfs(&data("transit/SEM-GTFS-grenoble-2023.zip"), date, &mut report).expect("feed");
    let [west, south, east, north] = tt.stop_bbox().expect("stops");
    let cells: Vec<PopulationPoint> =
        fragnum_ingest::grid::read_population_grid(&data("population/filosofi2021_ind_1km_tile6-3_grenoble-savoie.csv"), &mut report)
            .expect("grid")
            .into_iter()
            .filter(|c| c.lon >= west && c.lon <= east && c.lat >= south && c.lat <= north)
            .collect();
    assert!(cells.len() > 500, "{} cells", cells.len());
    let all_sites = fragnum_ingest::sites::read_sites(&data("places/advisor-sites.38-73.csv"), &mut report).expect("sites");
    let france_services: Vec<Site> = all_sites.iter().filter(|s| s.kind == "france_services").cloned().collect();
    let settings = TransitSettings::default();
    let departures = settings.departures().expect("window");
    let origins: Vec<[f64; 2]> = cells.iter().map(PopulationPoint::position).collect();
    let footpaths = Footpaths::straight_line(&tt, &settings);
    for sites in [&all_sites, &france_services] {
        let places: Vec<[f64; 2]> = sites.iter().map(Site::position).collect();
        let legs = Legs::straight_line(&tt, &origins, &places, &settings);
        let router = Router::new(&tt, &footpaths, &legs.egress, &settings).expect("router");
        let reference = Reference::new(&tt, &footpaths, &legs.egress, settings.max_transfers as usize + 1);
        let (mut compared, mut rode) = (0, 0);
        // every 7th origin; RAPTOR over the whole window (labels carried between departures),
        // the reference on every 6th departure
        for o in (0..cells.len()).step_by(7) {
            let fast = router.arrivals(&legs.access[o], legs.direct[o], &departures);
            for i in (0..departures.len()).step_by(6) {
                let slow = reference.earliest_arrival(&legs.access[o], legs.direct[o], departures[i], settings.max_travel_s());
                assert_eq!(fast[i], slow, "{} sites, origin {o} ({:?}), departure {}", sites.len(), origins[o], departures[i]);
                compared += 1;
                let walked: Option<Seconds> = legs.direct[o].map(|d| departures[i] + d);
                rode += usize::from(slow.is_some() && slow != walked);
            }
        }
        assert!(rode > compared / 10, "{rode} of {compared} journeys ride: too few to test routing");
        // the summary agrees with the per-departure arrivals
        let result = transit_times_with(&tt, &footpaths, &legs, &settings).expect("times");
        assert_eq!(result.points.len(), cells.len());
        assert!(result.points.iter().all(|p| match (p.p25_s, p.median_s, p.p75_s) {
            (Some(a), Some(b), Some(c)) => a <= b && b <= c,
            (_, None, Some(_)) | (None, Some(_), _) => false,
            _ => true,
        }));
        let better = result.points.iter().filter(|p| p.median_s.zip(p.walk_only_s).is_some_and(|(t, w)| t < w)).count();
        assert!(better > cells.len() / 10, "transit beats walking for only {better} cells");
    }
}
