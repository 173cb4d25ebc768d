//! A hand-made GTFS feed, read by the project's reader and routed: a change between two
//! platforms of one station with its `transfers.txt` time, then the same change forbidden.

use std::path::Path;

use fragnum_access::transit::reference::Reference;
use fragnum_access::transit::{Footpaths, Legs, Router, TransitSettings, transit_times};
use fragnum_core::sites::{PopulationPoint, Site};
use fragnum_core::transit::{Date, parse_time};
use fragnum_ingest::Report;

/// Line A: S1 → S2 (08:00 → 08:10); line B: S2b → S4 (08:15 → 08:25, and 08:40 → 08:50).
/// S2 and S2b are platforms of station ST, 10 m apart; S1, S2 and S4 are 5.5 km apart.
fn write_feed(dir: &Path, transfers: &str) {
    let files = [
        ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nT,Test,https://example.invalid,Europe/Paris\n"),
        (
            "stops.txt",
            "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\nST,Gare,45.05,5.0,1,\nS1,Un,45.0,5.0,,\nS2,Gare A,45.05,5.0,,ST\nS2b,Gare B,45.0501,5.0,,ST\nS4,Quatre,45.1,5.0,,\n",
        ),
        ("routes.txt", "route_id,route_short_name,route_type\nA,A,0\nB,B,3\n"),
        ("trips.txt", "route_id,service_id,trip_id\nA,WK,A1\nB,WK,B1\nB,WK,B2\n"),
        (
            "stop_times.txt",
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nA1,08:00:00,08:00:00,S1,1\nA1,08:10:00,08:10:00,S2,2\n\
             B1,08:15:00,08:15:00,S2b,1\nB1,08:25:00,08:25:00,S4,2\nB2,08:40:00,08:40:00,S2b,1\nB2,08:50:00,08:50:00,S4,2\n",
        ),
        (
            "calendar.txt",
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20230403,20230430\n",
        ),
        ("transfers.txt", transfers),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

fn route(transfers: &str) -> (Vec<Option<u32>>, Option<f64>) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_feed(dir.path(), transfers);
    let tt = fragnum_ingest::gtfs::read_gtfs(dir.path(), Date::new(2023, 4, 18).expect("date"), &mut Report::default()).expect("feed");
    let settings = TransitSettings { departure_from: "07:56".into(), departure_to: "08:01".into(), ..TransitSettings::default() };
    let people = [PopulationPoint { lon: 5.0, lat: 45.0, weight: 1.0, zone: None }];
    let sites = [Site::new("s", "Maison France Services", "france_services", 5.0, 45.1)];
    let legs = Legs::straight_line(&tt, &[people[0].position()], &[sites[0].position()], &settings);
    let footpaths = Footpaths::straight_line(&tt, &settings);
    let departures = settings.departures().expect("window");
    let fast =
        Router::new(&tt, &footpaths, &legs.egress, &settings).expect("router").arrivals(&legs.access[0], legs.direct[0], &departures);
    let reference = Reference::new(&tt, &footpaths, &legs.egress, settings.max_transfers as usize + 1);
    let slow: Vec<Option<u32>> =
        departures.iter().map(|&d| reference.earliest_arrival(&legs.access[0], legs.direct[0], d, settings.max_travel_s())).collect();
    assert_eq!(fast, slow);
    let r = transit_times(&tt, &people, &sites, &settings).expect("times");
    (fast, r.points[0].median_s)
}

#[test]
fn transit_change_at_a_station_with_its_transfer_time() {
    // 120 s between the platforms: 08:10 + 2 min catches B1 at 08:15, at S4 (the site) at 08:25
    let (arrivals, median) = route("from_stop_id,to_stop_id,transfer_type,min_transfer_time\nS2,S2b,2,120\n");
    assert!(arrivals.iter().all(|&a| a == parse_time("08:25:00")), "{arrivals:?}");
    assert_eq!(median, Some(27.0 * 60.0)); // departures 07:56 … 08:00
    // 6 min: B1 missed, B2 at 08:50
    let (arrivals, _) = route("from_stop_id,to_stop_id,transfer_type,min_transfer_time\nS2,S2b,2,360\n");
    assert!(arrivals.iter().all(|&a| a == parse_time("08:50:00")), "{arrivals:?}");
    // no transfers.txt row: the platforms of a station are linked by a 10 m walk
    let (arrivals, _) = route("from_stop_id,to_stop_id,transfer_type,min_transfer_time\n");
    assert!(arrivals.iter().all(|&a| a == parse_time("08:25:00")), "{arrivals:?}");
    // forbidden: no journey (walking 11 km takes longer than max_travel_min)
    let (arrivals, median) = route("from_stop_id,to_stop_id,transfer_type\nS2,S2b,3\n");
    assert!(arrivals.iter().all(Option::is_none), "{arrivals:?}");
    assert_eq!(median, None);
}
