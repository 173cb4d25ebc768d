//! The real Grenoble feed (M réso / Tag, spring 2023), read in place from `../shared/data`.

use std::path::PathBuf;

use fragnum_core::transit::{Date, format_time};
use fragnum_ingest::Report;
use fragnum_ingest::gtfs::read_gtfs;

fn feed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/transit/SEM-GTFS-grenoble-2023.zip")
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::new(y, m, d).expect("valid date")
}

#[test]
fn grenoble_on_a_tuesday() {
    let mut report = Report::default();
    let tt = read_gtfs(&feed(), date(2023, 4, 18), &mut report).expect("the real feed reads");
    tt.check().expect("a routable timetable");
    assert_eq!(tt.routes.len(), 55);
    assert_eq!(tt.routes.iter().filter(|r| r.route_type == 0).count(), 5, "tram lines A–E");
    assert_eq!(tt.stops.len() + tt.stations.len(), 2_501);
    assert_eq!(tt.stops.len(), 1_739);
    assert_eq!(tt.stations.len(), 762);
    assert!(tt.stops.iter().all(|s| s.station.is_some()), "every platform has its station");
    assert_eq!(tt.feed.agencies, ["Mobilités M - Tag"]);
    assert_eq!(tt.feed.feed_trips, 19_669);
    assert_eq!(tt.feed.feed_stop_times, 447_215);
    assert_eq!((tt.feed.first_date, tt.feed.last_date), (Some(date(2023, 4, 10)), Some(date(2023, 6, 4))));
    assert_eq!(tt.feed.service_dates, 55);
    assert_eq!(tt.trip_count(), 4_245);
    assert!(tt.transfers.is_empty(), "transfers.txt has a header only");
    let latest = tt.patterns.iter().flat_map(|p| p.arrivals.iter().copied()).max().unwrap_or(0);
    assert!(latest > 24 * 3600, "trips past midnight keep their 24:xx times: latest {}", format_time(latest));
    let [w, s, e, n] = tt.stop_bbox().expect("stops");
    assert!(w > 5.59 && e < 5.88 && s > 44.96 && n < 45.30, "{w} {s} {e} {n}");
    assert!(!report.has_fatal());
    println!(
        "2023-04-18: {} trips in {} patterns, {} stop events, latest arrival {}",
        tt.trip_count(),
        tt.patterns.len(),
        tt.stop_event_count(),
        format_time(latest)
    );
}

#[test]
fn grenoble_on_a_sunday_on_may_day_and_outside_the_feed() {
    let mut report = Report::default();
    let sunday = read_gtfs(&feed(), date(2023, 4, 23), &mut report).expect("the real feed reads");
    assert_eq!(sunday.trip_count(), 1_819);
    // 1 May 2023: inside the feed's range, no service at all (the one day of 56 without)
    let mut report = Report::default();
    let may_day = read_gtfs(&feed(), date(2023, 5, 1), &mut report).expect("a day without service is not an error");
    assert_eq!(may_day.trip_count(), 0);
    assert!(report.problems.iter().any(|p| p.message.contains("no trip runs on 2023-05-01")), "{:?}", report.problems);
    let err = read_gtfs(&feed(), date(2023, 9, 12), &mut report).expect_err("September is outside the feed").to_string();
    assert!(err.contains("2023-04-10 to 2023-06-04"), "{err}");
    assert!(err.contains("SEM-GTFS-grenoble-2023.zip"), "{err}");
}
