//! A public-transport timetable ready for routing on one service day.
//!
//! `fragnum_ingest::gtfs` builds it from a GTFS feed; `fragnum_access::transit` routes on it.
//! Only what routing needs is kept: platforms (where vehicles stop) and the stations that group
//! them, routes, the trips running on the day grouped into *patterns* (RAPTOR's "routes": trips
//! with the same stop sequence and the same pickup / drop-off rules, never overtaking each
//! other), and the transfers of `transfers.txt`.
//!
//! Times are [`Seconds`] since midnight of the service day (GTFS: "noon minus 12 h", the same
//! thing except on the two daylight-saving change days). They exceed 86 400 for trips that run past
//! midnight: GTFS writes `25:30:00` for 01:30 the next morning, on the day the trip started.

use std::fmt;

/// Seconds since midnight of the service day; may exceed 86 400 (a trip past midnight).
pub type Seconds = u32;

/// A calendar date (proleptic Gregorian), as GTFS writes them (`20230418`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (e.g. 2023).
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
}

impl Date {
    /// A date, `None` when the day does not exist (`2023-02-29`).
    ///
    /// ```
    /// use fragnum_core::transit::Date;
    /// assert!(Date::new(2024, 2, 29).is_some());
    /// assert!(Date::new(2023, 2, 29).is_none());
    /// ```
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date { year, month, day })
    }

    /// Parses `YYYYMMDD` (GTFS) or `YYYY-MM-DD` (ISO 8601).
    ///
    /// ```
    /// use fragnum_core::transit::Date;
    /// assert_eq!(Date::parse("20230418"), Date::new(2023, 4, 18));
    /// assert_eq!(Date::parse("2023-04-18"), Date::new(2023, 4, 18));
    /// assert_eq!(Date::parse("2023-4-18"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let digits: String = match t.len() {
            8 => t.to_string(),
            10 if t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' => format!("{}{}{}", &t[..4], &t[5..7], &t[8..]),
            _ => return None,
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Date::new(digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..].parse().ok()?)
    }

    /// Days since 1970-01-01 (negative before).
    ///
    /// ```
    /// use fragnum_core::transit::Date;
    /// assert_eq!(Date::new(1970, 1, 2).unwrap().days(), 1);
    /// assert_eq!(Date::from_days(Date::new(2023, 4, 18).unwrap().days()), Date::new(2023, 4, 18).unwrap());
    /// ```
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil: years start in March so the leap day comes last.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    ///
    /// ```
    /// use fragnum_core::transit::Date;
    /// assert_eq!(Date::new(2023, 4, 18).unwrap().weekday(), 1); // a Tuesday
    /// ```
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (self.days() + 3).rem_euclid(7) as u32
    }

    /// The date `n` days later (earlier when negative).
    #[must_use]
    pub fn add_days(self, n: i64) -> Self {
        Date::from_days(self.days() + n)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Parses a GTFS time `H:MM:SS` or `HH:MM:SS` (hours may exceed 23), or `HH:MM`.
///
/// ```
/// use fragnum_core::transit::parse_time;
/// assert_eq!(parse_time("25:30:00"), Some(91_800));
/// assert_eq!(parse_time(" 8:05:09"), Some(29_109));
/// assert_eq!(parse_time("09:00"), Some(32_400));
/// assert_eq!(parse_time("8:60:00"), None);
/// ```
pub fn parse_time(text: &str) -> Option<Seconds> {
    let mut parts = text.trim().split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    let s = parts.next().unwrap_or("00");
    if parts.next().is_some() || h.is_empty() || h.len() > 3 || m.len() != 2 || s.len() != 2 {
        return None;
    }
    if ![h, m, s].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (h, m, s): (u32, u32, u32) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    (m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

/// Formats seconds as `HH:MM:SS` (hours past 23 kept, as GTFS writes them).
///
/// ```
/// assert_eq!(fragnum_core::transit::format_time(91_800), "25:30:00");
/// ```
pub fn format_time(t: Seconds) -> String {
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// A platform: where vehicles stop and people board (GTFS `location_type` 0 or empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    /// `stop_id`.
    pub id: String,
    /// `stop_name`.
    pub name: String,
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
    /// Index in [`Timetable::stations`] of its `parent_station`, when it has one.
    pub station: Option<u32>,
}

impl Stop {
    /// The position as `[lon, lat]`.
    pub fn position(&self) -> [f64; 2] {
        [self.lon, self.lat]
    }
}

/// A station (GTFS `location_type` 1): a group of platforms, never boarded itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    /// `stop_id`.
    pub id: String,
    /// `stop_name`.
    pub name: String,
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
}

/// A line as passengers know it (GTFS `routes.txt`).
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// `route_id`.
    pub id: String,
    /// `route_short_name` (`"A"`, `"C1"`), possibly empty.
    pub short_name: String,
    /// `route_long_name`, possibly empty.
    pub long_name: String,
    /// `route_type`: 0 tram, 1 metro, 2 rail, 3 bus, 4 ferry, 5 cable tram, 6 aerial lift,
    /// 7 funicular, 11 trolleybus, 12 monorail (or an extended type, 100–1700).
    pub route_type: u16,
}

/// One run of a vehicle on the service day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trip {
    /// `trip_id`; trips expanded from `frequencies.txt` get `@HH:MM:SS` (their first departure)
    /// appended.
    pub id: String,
    /// `service_id` of `calendar.txt` / `calendar_dates.txt`.
    pub service_id: String,
}

/// Trips of one route that call at the same stops in the same order with the same pickup and
/// drop-off rules, sorted by departure, and that never overtake one another: at every stop
/// each trip arrives and departs no earlier than the one before it. This is what RAPTOR scans.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// Index in [`Timetable::routes`].
    pub route: u32,
    /// Stops called at, in order (indices in [`Timetable::stops`]; one may appear twice on a loop).
    pub stops: Vec<u32>,
    /// Whether people may board at each stop (`pickup_type` ≠ 1).
    pub pickup: Vec<bool>,
    /// Whether people may alight at each stop (`drop_off_type` ≠ 1).
    pub drop_off: Vec<bool>,
    /// The trips, earliest first.
    pub trips: Vec<Trip>,
    /// Arrival times, trip after trip: `arrivals[trip * stops.len() + i]`.
    pub arrivals: Vec<Seconds>,
    /// Departure times, laid out as [`Pattern::arrivals`].
    pub departures: Vec<Seconds>,
}

impl Pattern {
    /// Number of stops called at.
    pub fn len(&self) -> usize {
        self.stops.len()
    }

    /// True when the pattern calls at no stop.
    pub fn is_empty(&self) -> bool {
        self.stops.is_empty()
    }

    /// Arrival of trip `trip` at its `i`-th stop.
    pub fn arrival(&self, trip: usize, i: usize) -> Seconds {
        self.arrivals[trip * self.stops.len() + i]
    }

    /// Departure of trip `trip` from its `i`-th stop.
    pub fn departure(&self, trip: usize, i: usize) -> Seconds {
        self.departures[trip * self.stops.len() + i]
    }
}

/// What `transfers.txt` says of a pair of stops (`transfer_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferKind {
    /// 0: a recommended transfer point.
    Recommended,
    /// 1: a timed transfer (the departing vehicle waits).
    Timed,
    /// 2: a transfer that takes at least [`Transfer::min_s`].
    MinTime,
    /// 3: no transfer possible between these stops.
    Forbidden,
}

/// A transfer between two platforms, from `transfers.txt` (rows naming a station stand for each
/// of its platforms). `from == to` sets the time needed to change vehicles at one stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    /// Index in [`Timetable::stops`].
    pub from: u32,
    /// Index in [`Timetable::stops`].
    pub to: u32,
    /// The kind of transfer.
    pub kind: TransferKind,
    /// `min_transfer_time`, when given.
    pub min_s: Option<Seconds>,
}

/// Where a timetable came from and what the whole feed covers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeedInfo {
    /// The feed as the caller named it (a `.zip` or a folder).
    pub source: String,
    /// `agency_name` of each agency.
    pub agencies: Vec<String>,
    /// First date with service in `calendar.txt` / `calendar_dates.txt`.
    pub first_date: Option<Date>,
    /// Last date with service.
    pub last_date: Option<Date>,
    /// Number of dates from the first to the last on which at least one service runs.
    pub service_dates: usize,
    /// Trips in `trips.txt`, all days together.
    pub feed_trips: usize,
    /// Rows of `stop_times.txt`.
    pub feed_stop_times: usize,
}

/// A timetable for one service day.
#[derive(Debug, Clone, PartialEq)]
pub struct Timetable {
    /// The service day.
    pub date: Date,
    /// Source and coverage of the feed.
    pub feed: FeedInfo,
    /// Platforms (routing happens between them).
    pub stops: Vec<Stop>,
    /// Stations grouping platforms.
    pub stations: Vec<Station>,
    /// All routes of the feed (also those with no trip on the day).
    pub routes: Vec<Route>,
    /// Trips of the day, grouped.
    pub patterns: Vec<Pattern>,
    /// Transfers between platforms.
    pub transfers: Vec<Transfer>,
}

impl Timetable {
    /// Number of trips running on the day (frequency-based trips expanded).
    pub fn trip_count(&self) -> usize {
        self.patterns.iter().map(|p| p.trips.len()).sum()
    }

    /// Number of stop events (one per trip and stop called at).
    pub fn stop_event_count(&self) -> usize {
        self.patterns.iter().map(|p| p.trips.len() * p.stops.len()).sum()
    }

    /// Index of the platform with this `stop_id`.
    pub fn stop_index(&self, id: &str) -> Option<u32> {
        self.stops.iter().position(|s| s.id == id).map(|i| i as u32)
    }

    /// Bounding box of the platforms, `[west, south, east, north]`.
    pub fn stop_bbox(&self) -> Option<[f64; 4]> {
        crate::geometry::bounding_box(self.stops.iter().map(Stop::position)).map(|[lo, hi]| [lo[0], lo[1], hi[0], hi[1]])
    }

    /// Checks what routing relies on: indices in range, one time per trip and stop, times that
    /// never go back along a trip, trips of a pattern that never overtake. `Err` says the first
    /// breach.
    pub fn check(&self) -> Result<(), String> {
        let n_stops = self.stops.len();
        if let Some(s) = self.stops.iter().find(|s| s.station.is_some_and(|st| st as usize >= self.stations.len())) {
            return Err(format!("stop {}: station index out of range", s.id));
        }
        for (k, p) in self.patterns.iter().enumerate() {
            let n = p.stops.len();
            if p.route as usize >= self.routes.len() {
                return Err(format!("pattern {k}: route index out of range"));
            }
            if p.stops.iter().any(|&s| s as usize >= n_stops) {
                return Err(format!("pattern {k}: stop index out of range"));
            }
            if n < 2 || p.pickup.len() != n || p.drop_off.len() != n {
                return Err(format!("pattern {k}: fewer than 2 stops, or pickup / drop-off flags not one per stop"));
            }
            if p.arrivals.len() != n * p.trips.len() || p.departures.len() != n * p.trips.len() {
                return Err(format!("pattern {k}: times are not one per trip and stop"));
            }
            for t in 0..p.trips.len() {
                for i in 0..n {
                    let (a, d) = (p.arrival(t, i), p.departure(t, i));
                    if d < a || (i > 0 && a < p.departure(t, i - 1)) {
                        return Err(format!("pattern {k}, trip {}: times go back at stop {i}", p.trips[t].id));
                    }
                    if t > 0 && (a < p.arrival(t - 1, i) || d < p.departure(t - 1, i)) {
                        return Err(format!("pattern {k}: trip {} overtakes {} at stop {i}", p.trips[t].id, p.trips[t - 1].id));
                    }
                }
            }
        }
        if self.transfers.iter().any(|t| t.from as usize >= n_stops || t.to as usize >= n_stops) {
            return Err("transfer: stop index out of range".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_weekdays() {
        for days in [-800_000, -1, 0, 59, 60, 19_465, 2_932_896] {
            assert_eq!(Date::from_days(days).days(), days);
        }
        let d = Date::new(2023, 6, 4).unwrap();
        assert_eq!(d.weekday(), 6);
        assert_eq!(d.add_days(1).to_string(), "2023-06-05");
        assert_eq!(Date::new(2024, 2, 28).unwrap().add_days(1), Date::new(2024, 2, 29).unwrap());
        assert_eq!(Date::parse("2023013"), None);
        assert_eq!(Date::parse("20231301"), None);
    }

    #[test]
    fn times_past_midnight() {
        assert_eq!(parse_time("24:00:00"), Some(86_400));
        assert_eq!(format_time(86_399), "23:59:59");
        assert_eq!(parse_time("7:5:00"), None);
        assert_eq!(parse_time("x"), None);
        assert_eq!(parse_time(""), None);
    }
}
