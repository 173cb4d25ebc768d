//! GTFS feeds (a `.zip`, read in place, or a folder) → a [`Timetable`] for one service day.
//!
//! Files read: `agency.txt`, `stops.txt`, `routes.txt`, `trips.txt`, `stop_times.txt`,
//! `calendar.txt` and `calendar_dates.txt` (either may be absent or empty, not both),
//! `frequencies.txt` and `transfers.txt` (optional). Each goes through the project's located CSV
//! reader ([`Tabular`]): UTF-8 with or without BOM, quoted fields, and every error names the file
//! (`feed.zip/stop_times.txt` for a zip member), the line and the column.
//!
//! Choices, where GTFS leaves room:
//! - **Service day.** Trips whose service runs on the date (`calendar.txt` weekdays within its
//!   range, then `calendar_dates.txt` exceptions: 1 adds, 2 removes). A date before the feed's
//!   first service date or after its last is an error that says which dates the feed covers; a
//!   date inside with no service is a warning. Trips of the day before that run past midnight are
//!   not included (they matter only to departures before about 04:00).
//! - **Times** are kept as written, past 24:00:00 included. A stop with only one of arrival and
//!   departure uses it for both; stops with neither are interpolated linearly by stop order
//!   between the timed stops around them (the first and last must be timed). A trip whose times
//!   go back is dropped with a warning.
//! - **Stations.** Routing is between platforms (`location_type` 0 or empty); stations
//!   (`location_type` 1) are kept as groups of platforms, not as places to board. Entrances,
//!   generic nodes and boarding areas (2–4) are skipped. A `stop_times.txt` row naming anything but
//!   a platform is an error. The router decides what a shared station means for transfers
//!   (`fragnum_access::transit`: walking between sibling platforms, not a free transfer).
//! - **Pickup / drop-off.** `pickup_type` / `drop_off_type` 1 forbids boarding / alighting;
//!   0, 2 (phone the agency) and 3 (tell the driver) are taken as allowed.
//! - **Frequencies.** A trip listed in `frequencies.txt` runs at each `headway_secs` from
//!   `start_time` (included) to `end_time` (excluded), its stop times shifted; the template itself
//!   does not run. `exact_times` 0 is read as a schedule too (no random offset).
//! - **Transfers.** Rows between stops (a station stands for each of its platforms); rows bound
//!   to routes or trips, and in-seat transfers (types 4, 5), are skipped with a note.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use fragnum_core::Location;
use fragnum_core::transit::{
    Date, FeedInfo, Pattern, Route, Seconds, Station, Stop, Timetable, Transfer, TransferKind, Trip, format_time, parse_time,
};

use crate::tabular::{Row, Tabular};
use crate::{IngestError, Report, Severity};

/// Reads the GTFS feed at `path` (a `.zip` or a folder) for the service day `date`.
///
/// ```no_run
/// use fragnum_core::transit::Date;
/// let mut report = fragnum_ingest::Report::default();
/// let date = Date::new(2023, 4, 18).unwrap();
/// let tt = fragnum_ingest::gtfs::read_gtfs("feed.zip".as_ref(), date, &mut report)?;
/// println!("{} trips on {date}", tt.trip_count());
/// # Ok::<(), fragnum_ingest::IngestError>(())
/// ```
pub fn read_gtfs(path: &Path, date: Date, report: &mut Report) -> Result<Timetable, IngestError> {
    let mut feed = Feed::open(path)?;
    let agencies = if let Some(t) = feed.table("agency.txt", report)? {
        let name = t.find(&["agency_name"]);
        t.rows.iter().filter_map(|(_, r)| name.map(|c| cell(r, c).to_string())).filter(|n| !n.is_empty()).collect()
    } else {
        report.push(
            Severity::Warning,
            Location::file(feed.member("agency.txt")),
            "agency.txt is absent (GTFS requires it); nothing else depends on it",
        );
        Vec::new()
    };
    let stops_t = feed.required("stops.txt", report)?;
    let stops = read_stops(&stops_t, report)?;
    drop(stops_t);
    let routes_t = feed.required("routes.txt", report)?;
    let (routes, route_index) = read_routes(&routes_t)?;
    drop(routes_t);
    let trips_t = feed.required("trips.txt", report)?;
    let trips = read_trips(&trips_t, &route_index)?;
    drop(trips_t);
    let calendar = feed.table("calendar.txt", report)?;
    let calendar_dates = feed.table("calendar_dates.txt", report)?;
    let services = Services::read(calendar.as_ref(), calendar_dates.as_ref())?;
    let (first_date, last_date, service_dates) = services.coverage();
    let (Some(first), Some(last)) = (first_date, last_date) else {
        return Err(IngestError::Malformed {
            location: Location::file(feed.member("calendar_dates.txt")),
            message: "the feed has no service date: calendar.txt and calendar_dates.txt are absent or add no date".into(),
        });
    };
    if date < first || date > last {
        return Err(IngestError::Config {
            location: Location::file(path),
            message: format!(
                "no service on {date}: the feed covers {first} to {last} ({service_dates} dates with service, from calendar.txt and calendar_dates.txt); choose a date in that range"
            ),
        });
    }
    let active = services.active_on(date);
    let active_trips: Vec<usize> = (0..trips.len()).filter(|&t| active.contains(trips.service_id[t].as_str())).collect();
    if active_trips.is_empty() {
        report.push(
            Severity::Warning,
            Location::file(path),
            format!("no trip runs on {date} (a day inside the feed's range {first} to {last} without service)"),
        );
    }
    let frequencies = match feed.table("frequencies.txt", report)? {
        Some(t) => read_frequencies(&t, &trips.index, report)?,
        None => HashMap::new(),
    };
    let stop_times_t = feed.required("stop_times.txt", report)?;
    let feed_stop_times = stop_times_t.rows.len();
    let calls = read_stop_times(&stop_times_t, &stops, &trips.index, &active_trips, report)?;
    drop(stop_times_t);
    let runs = schedule(&trips, &active_trips, calls, &frequencies, &feed.member("stop_times.txt"), report)?;
    let patterns = group_patterns(runs);
    let transfers = match feed.table("transfers.txt", report)? {
        Some(t) => read_transfers(&t, &stops, report)?,
        None => Vec::new(),
    };
    let timetable = Timetable {
        date,
        feed: FeedInfo {
            source: path.display().to_string(),
            agencies,
            first_date,
            last_date,
            service_dates,
            feed_trips: trips.len(),
            feed_stop_times,
        },
        stops: stops.platforms,
        stations: stops.stations,
        routes,
        patterns,
        transfers,
    };
    report.push(
        Severity::Note,
        Location::file(path),
        format!(
            "{date}: {} services, {} trips in {} patterns, {} platforms, {} transfers (feed covers {first} to {last})",
            active.len(),
            timetable.trip_count(),
            timetable.patterns.len(),
            timetable.stops.len(),
            timetable.transfers.len()
        ),
    );
    Ok(timetable)
}

/// Where the files are: a folder, or the members of a zip.
struct Feed {
    path: PathBuf,
    zip: Option<(zip::ZipArchive<std::fs::File>, HashMap<String, String>)>,
}

impl Feed {
    fn open(path: &Path) -> Result<Self, IngestError> {
        let meta = std::fs::metadata(path).map_err(|e| IngestError::io(path, e))?;
        if meta.is_dir() {
            return Ok(Feed { path: path.to_path_buf(), zip: None });
        }
        let file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
        let archive = zip::ZipArchive::new(file).map_err(|e| IngestError::Malformed {
            location: Location::file(path),
            message: format!("not a readable zip archive ({e}); a GTFS feed is a .zip or a folder of .txt files"),
        })?;
        // Members by file name: some feeds zip a folder (`gtfs/stops.txt`); the shallowest wins.
        let mut names: HashMap<String, String> = HashMap::new();
        for full in archive.file_names() {
            if full.ends_with('/') {
                continue;
            }
            let base = full.rsplit('/').next().unwrap_or(full).to_ascii_lowercase();
            let depth = full.matches('/').count();
            if names.get(&base).is_none_or(|old| old.matches('/').count() > depth) {
                names.insert(base, full.to_string());
            }
        }
        Ok(Feed { path: path.to_path_buf(), zip: Some((archive, names)) })
    }

    /// The path shown in errors for `name`: the file in the folder, or `feed.zip/member`.
    fn member(&self, name: &str) -> PathBuf {
        match &self.zip {
            Some((_, names)) => self.path.join(names.get(name).map_or(name, String::as_str)),
            None => self.path.join(name),
        }
    }

    /// The file's bytes, `None` when absent.
    fn bytes(&mut self, name: &str) -> Result<Option<Vec<u8>>, IngestError> {
        let shown = self.member(name);
        match &mut self.zip {
            None => match std::fs::read(&shown) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(IngestError::io(&shown, e)),
            },
            Some((archive, names)) => {
                let Some(full) = names.get(name) else { return Ok(None) };
                let bad = |e: &dyn std::fmt::Display| IngestError::Malformed {
                    location: Location::file(&shown),
                    message: format!("cannot read this zip member: {e}"),
                };
                let mut entry = archive.by_name(full).map_err(|e| bad(&e))?;
                let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 30));
                entry.read_to_end(&mut out).map_err(|e| bad(&e))?;
                Ok(Some(out))
            }
        }
    }

    /// The table `name`, `None` when the file is absent or holds nothing (not even a header).
    fn table(&mut self, name: &str, report: &mut Report) -> Result<Option<Tabular>, IngestError> {
        let Some(bytes) = self.bytes(name)? else { return Ok(None) };
        let shown = self.member(name);
        let text = crate::text::decode(&shown, &bytes, report);
        drop(bytes);
        if text.trim().is_empty() {
            report.push(Severity::Note, Location::file(&shown), "the file is empty; read as absent");
            return Ok(None);
        }
        Tabular::parse(&shown, &text, Some(b',')).map(Some)
    }

    /// Like [`Feed::table`], but the file must be there.
    fn required(&mut self, name: &str, report: &mut Report) -> Result<Tabular, IngestError> {
        self.table(name, report)?.ok_or_else(|| IngestError::Malformed {
            location: Location::file(self.member(name)),
            message: format!("{name} is required in a GTFS feed and is absent or empty"),
        })
    }
}

/// The trimmed text of a cell.
fn cell(row: Row<'_>, col: usize) -> &str {
    row.get(col).trim()
}

/// The trimmed text of an optional column (empty when the column is absent).
fn opt(row: Row<'_>, col: Option<usize>) -> &str {
    col.map_or("", |c| row.get(c).trim())
}

fn malformed(t: &Tabular, line: u64, col: usize, message: String) -> IngestError {
    IngestError::Malformed { location: Location::at(&t.path, line, col as u64 + 1), message }
}

fn not_a_number(t: &Tabular, line: u64, col: usize, text: &str) -> IngestError {
    IngestError::NotANumber { location: Location::at(&t.path, line, col as u64 + 1), column: t.header[col].clone(), text: text.to_string() }
}

/// A required, non-empty identifier.
fn id<'a>(t: &Tabular, line: u64, row: Row<'a>, col: usize) -> Result<&'a str, IngestError> {
    let v = cell(row, col);
    if v.is_empty() { Err(malformed(t, line, col, format!("`{}` is empty", t.header[col]))) } else { Ok(v) }
}

fn number<T: std::str::FromStr>(t: &Tabular, line: u64, row: Row<'_>, col: usize) -> Result<T, IngestError> {
    let v = cell(row, col);
    v.parse().map_err(|_| not_a_number(t, line, col, v))
}

/// An optional small integer code (`location_type`, `pickup_type`…): empty is 0.
fn code(t: &Tabular, line: u64, row: Row<'_>, col: Option<usize>, max: u8) -> Result<u8, IngestError> {
    let Some(c) = col else { return Ok(0) };
    let v = cell(row, c);
    if v.is_empty() {
        return Ok(0);
    }
    match v.parse::<u8>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(malformed(t, line, c, format!("`{}` is `{v}`; GTFS allows 0 to {max}", t.header[c]))),
    }
}

fn time(t: &Tabular, line: u64, row: Row<'_>, col: usize) -> Result<Option<Seconds>, IngestError> {
    let v = cell(row, col);
    if v.is_empty() {
        return Ok(None);
    }
    parse_time(v).map(Some).ok_or_else(|| malformed(t, line, col, format!("`{v}` is not a GTFS time (HH:MM:SS, hours may pass 24)")))
}

fn date(t: &Tabular, line: u64, row: Row<'_>, col: usize) -> Result<Date, IngestError> {
    let v = cell(row, col);
    Date::parse(v).ok_or_else(|| malformed(t, line, col, format!("`{v}` is not a date (YYYYMMDD)")))
}

/// What stops.txt holds that routing uses.
struct Stops {
    platforms: Vec<Stop>,
    stations: Vec<Station>,
    /// `stop_id` → platform index.
    platform_index: HashMap<String, u32>,
    /// `stop_id` → station index.
    station_index: HashMap<String, u32>,
    /// `stop_id`s of entrances, nodes and boarding areas (skipped).
    other: HashSet<String>,
}

fn read_stops(t: &Tabular, report: &mut Report) -> Result<Stops, IngestError> {
    let c_id = t.require(&["stop_id"])?;
    let c_name = t.find(&["stop_name"]);
    let c_lat = t.require(&["stop_lat"])?;
    let c_lon = t.require(&["stop_lon"])?;
    let c_type = t.find(&["location_type"]);
    let c_parent = t.find(&["parent_station"]);
    let mut s = Stops {
        platforms: Vec::new(),
        stations: Vec::new(),
        platform_index: HashMap::new(),
        station_index: HashMap::new(),
        other: HashSet::new(),
    };
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut parents: Vec<(u32, String, u64)> = Vec::new();
    for (&line, row) in &t.rows {
        let stop_id = id(t, line, row, c_id)?;
        if let Some(first) = first_line.insert(stop_id.to_string(), line) {
            return Err(malformed(t, line, c_id, format!("duplicate stop_id `{stop_id}` (first on line {first})")));
        }
        let kind = code(t, line, row, c_type, 4)?;
        if kind >= 2 {
            s.other.insert(stop_id.to_string());
            continue;
        }
        let coordinate = |col: usize, limit: f64| -> Result<f64, IngestError> {
            let v: f64 = number(t, line, row, col)?;
            if v.is_finite() && v.abs() <= limit {
                Ok(v)
            } else {
                Err(malformed(t, line, col, format!("`{}` = {v} is outside ±{limit} degrees (WGS84 expected)", t.header[col])))
            }
        };
        let (lat, lon) = (coordinate(c_lat, 90.0)?, coordinate(c_lon, 180.0)?);
        let name = opt(row, c_name).to_string();
        if kind == 1 {
            s.station_index.insert(stop_id.to_string(), s.stations.len() as u32);
            s.stations.push(Station { id: stop_id.to_string(), name, lon, lat });
        } else {
            let parent = opt(row, c_parent);
            if !parent.is_empty() {
                parents.push((s.platforms.len() as u32, parent.to_string(), line));
            }
            s.platform_index.insert(stop_id.to_string(), s.platforms.len() as u32);
            s.platforms.push(Stop { id: stop_id.to_string(), name, lon, lat, station: None });
        }
    }
    let mut orphans = (0usize, 0u64);
    for (platform, parent, line) in parents {
        if let Some(&st) = s.station_index.get(&parent) {
            s.platforms[platform as usize].station = Some(st);
        } else {
            if orphans.0 == 0 {
                orphans.1 = line;
            }
            orphans.0 += 1;
        }
    }
    if orphans.0 > 0 {
        let col = c_parent.map_or(1, |c| c as u64 + 1);
        report.push(
            Severity::Warning,
            Location::at(&t.path, orphans.1, col),
            format!(
                "{} platforms name a parent_station that is not a station (location_type 1) of the feed; read without station",
                orphans.0
            ),
        );
    }
    if !s.other.is_empty() {
        report.push(
            Severity::Note,
            Location::file(&t.path),
            format!("{} entrances, nodes or boarding areas (location_type 2–4) skipped: routing is between platforms", s.other.len()),
        );
    }
    Ok(s)
}

fn read_routes(t: &Tabular) -> Result<(Vec<Route>, HashMap<String, u32>), IngestError> {
    let c_id = t.require(&["route_id"])?;
    let c_short = t.find(&["route_short_name"]);
    let c_long = t.find(&["route_long_name"]);
    let c_type = t.require(&["route_type"])?;
    let mut routes = Vec::with_capacity(t.rows.len());
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut lines: Vec<u64> = Vec::new();
    for (&line, row) in &t.rows {
        let route_id = id(t, line, row, c_id)?;
        let route_type: u16 = number(t, line, row, c_type)?;
        if let Some(&first) = index.get(route_id) {
            return Err(malformed(t, line, c_id, format!("duplicate route_id `{route_id}` (first on line {})", lines[first as usize])));
        }
        index.insert(route_id.to_string(), routes.len() as u32);
        lines.push(line);
        routes.push(Route {
            id: route_id.to_string(),
            short_name: opt(row, c_short).to_string(),
            long_name: opt(row, c_long).to_string(),
            route_type,
        });
    }
    Ok((routes, index))
}

/// trips.txt, all days.
struct Trips {
    route: Vec<u32>,
    id: Vec<String>,
    service_id: Vec<String>,
    index: HashMap<String, u32>,
}

impl Trips {
    fn len(&self) -> usize {
        self.id.len()
    }
}

fn read_trips(t: &Tabular, routes: &HashMap<String, u32>) -> Result<Trips, IngestError> {
    let c_route = t.require(&["route_id"])?;
    let c_service = t.require(&["service_id"])?;
    let c_id = t.require(&["trip_id"])?;
    let n = t.rows.len();
    let mut trips = Trips {
        route: Vec::with_capacity(n),
        id: Vec::with_capacity(n),
        service_id: Vec::with_capacity(n),
        index: HashMap::with_capacity(n),
    };
    let mut lines: Vec<u64> = Vec::with_capacity(n);
    for (&line, row) in &t.rows {
        let trip_id = id(t, line, row, c_id)?;
        let route_id = id(t, line, row, c_route)?;
        let service_id = id(t, line, row, c_service)?;
        let Some(&route) = routes.get(route_id) else {
            return Err(malformed(t, line, c_route, format!("route_id `{route_id}` is not in routes.txt")));
        };
        if let Some(&first) = trips.index.get(trip_id) {
            return Err(malformed(t, line, c_id, format!("duplicate trip_id `{trip_id}` (first on line {})", lines[first as usize])));
        }
        trips.index.insert(trip_id.to_string(), trips.id.len() as u32);
        trips.route.push(route);
        trips.id.push(trip_id.to_string());
        trips.service_id.push(service_id.to_string());
        lines.push(line);
    }
    Ok(trips)
}

/// `calendar.txt` and `calendar_dates.txt`.
#[derive(Default)]
struct Services {
    /// service → (weekday flags Monday first, start, end).
    weekly: HashMap<String, Vec<([bool; 7], Date, Date)>>,
    /// service → date → added (`true`) or removed.
    exceptions: HashMap<String, HashMap<Date, bool>>,
}

impl Services {
    fn read(calendar: Option<&Tabular>, dates: Option<&Tabular>) -> Result<Self, IngestError> {
        let mut s = Services::default();
        if let Some(t) = calendar.filter(|t| !t.rows.is_empty()) {
            let c_service = t.require(&["service_id"])?;
            let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
            let mut c_days = [0usize; 7];
            for (c, d) in c_days.iter_mut().zip(days) {
                *c = t.require(&[d])?;
            }
            let c_start = t.require(&["start_date"])?;
            let c_end = t.require(&["end_date"])?;
            for (&line, row) in &t.rows {
                let service = id(t, line, row, c_service)?;
                let mut flags = [false; 7];
                for (f, &c) in flags.iter_mut().zip(&c_days) {
                    *f = code(t, line, row, Some(c), 1)? == 1;
                }
                let (start, end) = (date(t, line, row, c_start)?, date(t, line, row, c_end)?);
                if end < start {
                    return Err(malformed(t, line, c_end, format!("end_date {end} is before start_date {start}")));
                }
                s.weekly.entry(service.to_string()).or_default().push((flags, start, end));
            }
        }
        if let Some(t) = dates.filter(|t| !t.rows.is_empty()) {
            let c_service = t.require(&["service_id"])?;
            let c_date = t.require(&["date"])?;
            let c_type = t.require(&["exception_type"])?;
            for (&line, row) in &t.rows {
                let service = id(t, line, row, c_service)?;
                let day = date(t, line, row, c_date)?;
                let added = match cell(row, c_type) {
                    "1" => true,
                    "2" => false,
                    v => return Err(malformed(t, line, c_type, format!("exception_type is `{v}`; GTFS allows 1 (added) or 2 (removed)"))),
                };
                s.exceptions.entry(service.to_string()).or_default().insert(day, added);
            }
        }
        Ok(s)
    }

    fn runs(&self, service: &str, day: Date) -> bool {
        if let Some(&added) = self.exceptions.get(service).and_then(|e| e.get(&day)) {
            return added;
        }
        let weekday = day.weekday() as usize;
        self.weekly.get(service).is_some_and(|rows| rows.iter().any(|(f, a, b)| f[weekday] && *a <= day && day <= *b))
    }

    fn services(&self) -> HashSet<&str> {
        self.weekly.keys().map(String::as_str).chain(self.exceptions.keys().map(String::as_str)).collect()
    }

    /// Services running on `day`.
    fn active_on(&self, day: Date) -> HashSet<&str> {
        self.services().into_iter().filter(|s| self.runs(s, day)).collect()
    }

    /// First and last date with service, and how many dates between have some (counted over
    /// at most ten years from the first, so a far `end_date` like 2099 stays cheap).
    fn coverage(&self) -> (Option<Date>, Option<Date>, usize) {
        let weekly = self.weekly.values().flatten().filter(|(f, _, _)| f.iter().any(|&x| x));
        let added = self.exceptions.values().flatten().filter(|(_, a)| **a).map(|(d, _)| *d);
        let first = weekly.clone().map(|(_, a, _)| *a).chain(added.clone()).min();
        let last = weekly.map(|(_, _, b)| *b).chain(added).max();
        let (Some(a), Some(b)) = (first, last) else { return (None, None, 0) };
        let services = self.services();
        let span = (b.days() - a.days()).min(3660);
        let days: Vec<Date> = (0..=span).map(|k| a.add_days(k)).filter(|&d| services.iter().any(|s| self.runs(s, d))).collect();
        // The bounds may be weekly ranges' ends that fall on no running weekday (or all removed).
        let last = if span < b.days() - a.days() { last } else { days.last().copied() };
        (days.first().copied(), last, days.len())
    }
}

/// `frequencies.txt`: trip index → `(start, end, headway)` rows.
type Frequencies = HashMap<u32, Vec<(Seconds, Seconds, Seconds)>>;

fn read_frequencies(t: &Tabular, trips: &HashMap<String, u32>, report: &mut Report) -> Result<Frequencies, IngestError> {
    let mut out = Frequencies::new();
    if t.rows.is_empty() {
        return Ok(out);
    }
    let c_trip = t.require(&["trip_id"])?;
    let c_start = t.require(&["start_time"])?;
    let c_end = t.require(&["end_time"])?;
    let c_headway = t.require(&["headway_secs"])?;
    for (&line, row) in &t.rows {
        let trip_id = id(t, line, row, c_trip)?;
        let Some(&trip) = trips.get(trip_id) else {
            return Err(malformed(t, line, c_trip, format!("trip_id `{trip_id}` is not in trips.txt")));
        };
        let required = |c: usize| time(t, line, row, c)?.ok_or_else(|| malformed(t, line, c, format!("`{}` is empty", t.header[c])));
        let (start, end) = (required(c_start)?, required(c_end)?);
        let headway: Seconds = number(t, line, row, c_headway)?;
        if headway == 0 {
            return Err(malformed(t, line, c_headway, "headway_secs is 0".into()));
        }
        if end <= start {
            report.push(
                Severity::Warning,
                Location::at(&t.path, line, c_end as u64 + 1),
                "end_time is not after start_time: no trip from this row",
            );
            continue;
        }
        out.entry(trip).or_default().push((start, end, headway));
    }
    Ok(out)
}

/// One row of `stop_times.txt` for a trip of the day.
#[derive(Debug, Clone, Copy)]
struct Call {
    sequence: u32,
    stop: u32,
    arrival: Option<Seconds>,
    departure: Option<Seconds>,
    pickup: bool,
    drop_off: bool,
    line: u64,
}

/// Reads and checks every row of `stop_times.txt`; keeps the calls of `active` trips.
fn read_stop_times(
    t: &Tabular,
    stops: &Stops,
    trips: &HashMap<String, u32>,
    active: &[usize],
    report: &mut Report,
) -> Result<Vec<Vec<Call>>, IngestError> {
    let c_trip = t.require(&["trip_id"])?;
    let c_stop = t.require(&["stop_id"])?;
    let c_seq = t.require(&["stop_sequence"])?;
    let c_arr = t.require(&["arrival_time"])?;
    let c_dep = t.require(&["departure_time"])?;
    let c_pickup = t.find(&["pickup_type"]);
    let c_drop = t.find(&["drop_off_type"]);
    // trip index → slot among the active trips
    let mut slot: HashMap<u32, usize> = HashMap::with_capacity(active.len());
    for (k, &trip) in active.iter().enumerate() {
        slot.insert(trip as u32, k);
    }
    let mut calls: Vec<Vec<Call>> = vec![Vec::new(); active.len()];
    for (&line, row) in &t.rows {
        let trip_id = id(t, line, row, c_trip)?;
        let Some(&trip) = trips.get(trip_id) else {
            return Err(malformed(t, line, c_trip, format!("trip_id `{trip_id}` is not in trips.txt")));
        };
        let stop_id = id(t, line, row, c_stop)?;
        let stop = match stops.platform_index.get(stop_id) {
            Some(&s) => s,
            None if stops.station_index.contains_key(stop_id) || stops.other.contains(stop_id) => {
                return Err(malformed(
                    t,
                    line,
                    c_stop,
                    format!(
                        "stop_id `{stop_id}` is a station, entrance or node in stops.txt; stop_times.txt must name platforms (location_type 0)"
                    ),
                ));
            }
            None => return Err(malformed(t, line, c_stop, format!("stop_id `{stop_id}` is not in stops.txt"))),
        };
        let sequence: u32 = number(t, line, row, c_seq)?;
        let arrival = time(t, line, row, c_arr)?;
        let departure = time(t, line, row, c_dep)?;
        let pickup = code(t, line, row, c_pickup, 3)? != 1;
        let drop_off = code(t, line, row, c_drop, 3)? != 1;
        if let Some(&k) = slot.get(&trip) {
            calls[k].push(Call { sequence, stop, arrival, departure, pickup, drop_off, line });
        }
    }
    if t.rows.is_empty() {
        report.push(Severity::Warning, Location::file(&t.path), "stop_times.txt has no rows: no trip can be routed");
    }
    Ok(calls)
}

/// One vehicle run with its times, before grouping.
struct Run {
    route: u32,
    trip: Trip,
    stops: Vec<u32>,
    pickup: Vec<bool>,
    drop_off: Vec<bool>,
    arrivals: Vec<Seconds>,
    departures: Vec<Seconds>,
}

/// Orders each trip's calls, fills missing times, checks them, and expands frequencies.
fn schedule(
    trips: &Trips,
    active: &[usize],
    calls: Vec<Vec<Call>>,
    frequencies: &Frequencies,
    path: &Path,
    report: &mut Report,
) -> Result<Vec<Run>, IngestError> {
    let mut runs = Vec::with_capacity(active.len());
    let (mut short, mut backwards) = (Vec::new(), Vec::new());
    for (&trip, mut calls) in active.iter().zip(calls) {
        calls.sort_by_key(|c| c.sequence);
        if let Some(w) = calls.windows(2).find(|w| w[0].sequence == w[1].sequence) {
            return Err(IngestError::Malformed {
                location: Location::line(path, w[1].line),
                message: format!("trip `{}`: stop_sequence {} appears twice (also on line {})", &trips.id[trip], w[1].sequence, w[0].line),
            });
        }
        if calls.len() < 2 {
            short.push(trip);
            continue;
        }
        let n = calls.len();
        let mut arrivals: Vec<Option<Seconds>> = calls.iter().map(|c| c.arrival.or(c.departure)).collect();
        let mut departures: Vec<Option<Seconds>> = calls.iter().map(|c| c.departure.or(c.arrival)).collect();
        for end in [0, n - 1] {
            if arrivals[end].is_none() {
                return Err(IngestError::Malformed {
                    location: Location::line(path, calls[end].line),
                    message: format!(
                        "trip `{}`: its {} stop has no time (GTFS requires times at the first and last stops)",
                        &trips.id[trip],
                        if end == 0 { "first" } else { "last" }
                    ),
                });
            }
        }
        // Linear interpolation by stop order between the timed stops around each untimed run.
        let mut i = 0;
        while i < n {
            if arrivals[i].is_some() {
                i += 1;
                continue;
            }
            let before = i - 1;
            let after = (i..n).find(|&j| arrivals[j].is_some()).unwrap_or(n - 1);
            let (t0, t1) = (departures[before].unwrap_or(0), arrivals[after].unwrap_or(0));
            for j in i..after {
                let f = (j - before) as f64 / (after - before) as f64;
                let v = (f64::from(t0) + f * (f64::from(t1) - f64::from(t0))).round().max(0.0) as Seconds;
                arrivals[j] = Some(v);
                departures[j] = Some(v);
            }
            i = after;
        }
        let arrivals: Vec<Seconds> = arrivals.into_iter().map(|a| a.unwrap_or(0)).collect();
        let departures: Vec<Seconds> = departures.into_iter().map(|d| d.unwrap_or(0)).collect();
        if let Some(j) = (0..n).find(|&j| departures[j] < arrivals[j] || (j > 0 && arrivals[j] < departures[j - 1])) {
            backwards.push((trip, calls[j].line));
            continue;
        }
        let base = Run {
            route: trips.route[trip],
            trip: Trip { id: trips.id[trip].clone(), service_id: trips.service_id[trip].clone() },
            stops: calls.iter().map(|c| c.stop).collect(),
            pickup: calls.iter().map(|c| c.pickup).collect(),
            drop_off: calls.iter().map(|c| c.drop_off).collect(),
            arrivals,
            departures,
        };
        match frequencies.get(&(trip as u32)) {
            None => runs.push(base),
            Some(rows) => {
                let first = base.departures[0];
                for &(start, end, headway) in rows {
                    let mut at = start;
                    while at < end {
                        // A first stop may arrive before it departs: keep the offset signed.
                        let shift = |v: &Seconds| (i64::from(*v) - i64::from(first) + i64::from(at)).max(0) as Seconds;
                        runs.push(Run {
                            route: base.route,
                            trip: Trip { id: format!("{}@{}", base.trip.id, format_time(at)), service_id: base.trip.service_id.clone() },
                            stops: base.stops.clone(),
                            pickup: base.pickup.clone(),
                            drop_off: base.drop_off.clone(),
                            arrivals: base.arrivals.iter().map(shift).collect(),
                            departures: base.departures.iter().map(shift).collect(),
                        });
                        at += headway;
                    }
                }
            }
        }
    }
    if let Some(&first) = short.first() {
        report.push(
            Severity::Warning,
            Location::file(path),
            format!("{} trips of the day have fewer than 2 stop times and were dropped (first: `{}`)", short.len(), &trips.id[first]),
        );
    }
    if let Some(&(trip, line)) = backwards.first() {
        report.push(
            Severity::Warning,
            Location::line(path, line),
            format!("{} trips of the day have times that go back and were dropped (first: `{}`, here)", backwards.len(), &trips.id[trip]),
        );
    }
    Ok(runs)
}

/// Groups runs into patterns: same route, stops and pickup / drop-off rules, then split so that
/// no trip overtakes another (RAPTOR finds the earliest trip by its order).
fn group_patterns(runs: Vec<Run>) -> Vec<Pattern> {
    type Key = (u32, Vec<u32>, Vec<bool>, Vec<bool>);
    type Timed = (Trip, Vec<Seconds>, Vec<Seconds>);
    let mut groups: BTreeMap<Key, Vec<Timed>> = BTreeMap::new();
    for r in runs {
        groups.entry((r.route, r.stops, r.pickup, r.drop_off)).or_default().push((r.trip, r.arrivals, r.departures));
    }
    let mut patterns = Vec::new();
    for ((route, stops, pickup, drop_off), mut trips) in groups {
        trips.sort_by(|a, b| (a.2[0], &a.1, &a.2, &a.0.id).cmp(&(b.2[0], &b.1, &b.2, &b.0.id)));
        let mut split: Vec<Vec<Timed>> = Vec::new();
        for trip in trips {
            let fits = |g: &Vec<Timed>| {
                g.last()
                    .is_some_and(|last| last.1.iter().zip(&trip.1).all(|(a, b)| a <= b) && last.2.iter().zip(&trip.2).all(|(a, b)| a <= b))
            };
            match split.iter_mut().find(|g| fits(g)) {
                Some(g) => g.push(trip),
                None => split.push(vec![trip]),
            }
        }
        for g in split {
            let mut p = Pattern {
                route,
                stops: stops.clone(),
                pickup: pickup.clone(),
                drop_off: drop_off.clone(),
                trips: Vec::with_capacity(g.len()),
                arrivals: Vec::with_capacity(g.len() * stops.len()),
                departures: Vec::with_capacity(g.len() * stops.len()),
            };
            for (trip, arr, dep) in g {
                p.trips.push(trip);
                p.arrivals.extend(arr);
                p.departures.extend(dep);
            }
            patterns.push(p);
        }
    }
    patterns
}

fn read_transfers(t: &Tabular, stops: &Stops, report: &mut Report) -> Result<Vec<Transfer>, IngestError> {
    let mut out = Vec::new();
    if t.rows.is_empty() {
        return Ok(out);
    }
    let c_from = t.require(&["from_stop_id"])?;
    let c_to = t.require(&["to_stop_id"])?;
    let c_type = t.find(&["transfer_type"]);
    let c_min = t.find(&["min_transfer_time"]);
    let bound: Vec<usize> = ["from_route_id", "to_route_id", "from_trip_id", "to_trip_id"].iter().filter_map(|c| t.find(&[c])).collect();
    let mut platforms_of_station: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, s) in stops.platforms.iter().enumerate() {
        if let Some(st) = s.station {
            platforms_of_station.entry(st).or_default().push(i as u32);
        }
    }
    let resolve = |line: u64, row: Row<'_>, col: usize| -> Result<Vec<u32>, IngestError> {
        let v = id(t, line, row, col)?;
        if let Some(&p) = stops.platform_index.get(v) {
            Ok(vec![p])
        } else if let Some(st) = stops.station_index.get(v) {
            Ok(platforms_of_station.get(st).cloned().unwrap_or_default())
        } else {
            Err(malformed(t, line, col, format!("stop_id `{v}` is not a platform or station of stops.txt")))
        }
    };
    let mut skipped = 0usize;
    for (&line, row) in &t.rows {
        let kind = match code(t, line, row, c_type, 5)? {
            0 => TransferKind::Recommended,
            1 => TransferKind::Timed,
            2 => TransferKind::MinTime,
            3 => TransferKind::Forbidden,
            _ => {
                skipped += 1;
                continue;
            }
        };
        if bound.iter().any(|&c| !cell(row, c).is_empty()) {
            skipped += 1;
            continue;
        }
        let min_s = match c_min.map(|c| (c, cell(row, c))) {
            Some((c, v)) if !v.is_empty() => Some(v.parse::<Seconds>().map_err(|_| not_a_number(t, line, c, v))?),
            _ => None,
        };
        for &from in &resolve(line, row, c_from)? {
            for &to in &resolve(line, row, c_to)? {
                out.push(Transfer { from, to, kind, min_s });
            }
        }
    }
    if skipped > 0 {
        report.push(
            Severity::Note,
            Location::file(&t.path),
            format!(
                "{skipped} transfers bound to routes or trips, or in-seat (types 4–5), skipped: only stop-to-stop transfers are routed"
            ),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A small feed: line A (S1 → S2 → S3), line B (S2 → S4), weekday service WK and a Sunday
    /// service SU; S4 is served only by B, which runs on weekdays.
    pub(crate) fn files() -> Vec<(&'static str, String)> {
        vec![
            ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nT,Test,https://example.invalid,Europe/Paris\n".into()),
            (
                "stops.txt",
                "\u{feff}stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n\
                 ST2,\"Gare, centre\",45.001,5.001,1,\n\
                 S1,Un,45.000,5.000,0,\n\
                 S2,\"Gare, quai A\",45.001,5.001,,ST2\n\
                 S2b,\"Gare, quai B\",45.0011,5.0011,,ST2\n\
                 S3,Trois,45.002,5.002,,\n\
                 S4,Quatre,45.003,5.003,,\n"
                    .into(),
            ),
            ("routes.txt", "route_id,route_short_name,route_long_name,route_type\nA,A,Ligne A,0\nB,B,\"Ligne B, bus\",3\n".into()),
            (
                "trips.txt",
                "route_id,service_id,trip_id\nA,WK,A1\nA,WK,A2\nB,WK,B1\nA,SU,A9\nA,WK,NIGHT\n".into(),
            ),
            (
                "stop_times.txt",
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n\
                 A1,08:00:00,08:00:00,S1,1,0,1\n\
                 A1,08:10:00,08:11:00,S2,2,,\n\
                 A1,08:20:00,08:20:00,S3,3,1,0\n\
                 A2,08:30:00,08:30:00,S1,1,0,1\n\
                 A2,,,S2,2,,\n\
                 A2,08:50:00,08:50:00,S3,3,1,0\n\
                 B1,08:15:00,08:15:00,S2b,1,,\n\
                 B1,08:25:00,08:25:00,S4,2,,\n\
                 A9,10:00:00,10:00:00,S1,1,,\n\
                 A9,10:20:00,10:20:00,S3,2,,\n\
                 NIGHT,23:50:00,23:50:00,S1,2,,\n\
                 NIGHT,24:30:00,24:31:00,S3,3,,\n"
                    .into(),
            ),
            ("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20230403,20230430\nSU,0,0,0,0,0,0,1,20230403,20230430\n".into()),
            // Easter Monday: weekday service removed, Sunday service added.
            ("calendar_dates.txt", "service_id,date,exception_type\nWK,20230410,2\nSU,20230410,1\n".into()),
            ("frequencies.txt", "trip_id,start_time,end_time,headway_secs\n".into()),
            ("transfers.txt", "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nS2,S2b,2,120\nST2,S3,3,\n".into()),
        ]
    }

    fn write_dir(files: &[(&str, String)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        dir
    }

    fn write_zip(files: &[(&str, String)], folder: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("feed.zip");
        let mut w = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in files {
            w.start_file(format!("{folder}{name}"), options).expect("start");
            w.write_all(text.as_bytes()).expect("write");
        }
        w.finish().expect("finish");
        (dir, path)
    }

    fn with(name: &str, text: &str) -> Vec<(&'static str, String)> {
        files().into_iter().map(|(n, t)| if n == name { (n, text.to_string()) } else { (n, t) }).collect()
    }

    fn day(y: i32, m: u32, d: u32) -> Date {
        Date::new(y, m, d).expect("date")
    }

    fn trip_ids(tt: &Timetable) -> Vec<String> {
        let mut ids: Vec<String> = tt.patterns.iter().flat_map(|p| p.trips.iter().map(|t| t.id.clone())).collect();
        ids.sort();
        ids
    }

    #[test]
    fn weekday_from_a_zip_with_transfer_interpolation_and_overnight_trip() {
        let (_dir, path) = write_zip(&files(), "");
        let mut report = Report::default();
        let tt = read_gtfs(&path, day(2023, 4, 18), &mut report).unwrap();
        tt.check().unwrap();
        assert_eq!(trip_ids(&tt), ["A1", "A2", "B1", "NIGHT"]);
        assert_eq!(tt.stops.len(), 5);
        assert_eq!(tt.stations.len(), 1);
        assert_eq!(tt.stops[tt.stop_index("S2").unwrap() as usize].name, "Gare, quai A");
        assert_eq!(tt.stops[tt.stop_index("S1").unwrap() as usize].station, None);
        assert_eq!(tt.stops[tt.stop_index("S2b").unwrap() as usize].station, Some(0));
        assert_eq!(tt.routes[1].long_name, "Ligne B, bus");
        assert_eq!(tt.feed.agencies, ["Test"]);
        assert_eq!((tt.feed.first_date, tt.feed.last_date), (Some(day(2023, 4, 3)), Some(day(2023, 4, 30))));
        // A1 and A2 share a pattern; the untimed S2 of A2 is halfway between 08:30 and 08:50.
        let a = tt.patterns.iter().find(|p| p.trips.iter().any(|t| t.id == "A2")).unwrap();
        assert_eq!(a.trips.len(), 2);
        assert_eq!((a.arrival(1, 1), a.departure(1, 1)), (8 * 3600 + 40 * 60, 8 * 3600 + 40 * 60));
        assert_eq!(a.pickup, [true, true, false]);
        assert_eq!(a.drop_off, [false, true, true]);
        // the overnight trip keeps 24:30:00 on the day it started
        let night = tt.patterns.iter().find(|p| p.trips[0].id == "NIGHT").unwrap();
        assert_eq!((night.arrival(0, 1), night.departure(0, 1)), (88_200, 88_260));
        // S2 → S2b in 120 s; ST2 → S3 forbidden, for each platform of the station
        let s = |id: &str| tt.stop_index(id).unwrap();
        assert!(tt.transfers.contains(&Transfer { from: s("S2"), to: s("S2b"), kind: TransferKind::MinTime, min_s: Some(120) }));
        assert_eq!(tt.transfers.iter().filter(|t| t.kind == TransferKind::Forbidden && t.to == s("S3")).count(), 2);
    }

    #[test]
    fn calendar_exception_and_stop_served_some_days() {
        let dir = write_dir(&files());
        let mut report = Report::default();
        // Easter Monday 2023-04-10: WK removed, SU added.
        let holiday = read_gtfs(dir.path(), day(2023, 4, 10), &mut report).unwrap();
        assert_eq!(trip_ids(&holiday), ["A9"]);
        let sunday = read_gtfs(dir.path(), day(2023, 4, 16), &mut report).unwrap();
        assert_eq!(trip_ids(&sunday), ["A9"]);
        // S4 is served on weekdays (line B) but not on Sundays
        let served = |tt: &Timetable, id: &str| {
            let s = tt.stop_index(id).unwrap();
            tt.patterns.iter().any(|p| p.stops.contains(&s))
        };
        let tuesday = read_gtfs(dir.path(), day(2023, 4, 11), &mut report).unwrap();
        assert!(served(&tuesday, "S4"));
        assert!(!served(&sunday, "S4"));
        // an added date in calendar_dates only (no calendar.txt at all)
        let only_dates = with("calendar_dates.txt", "service_id,date,exception_type\nWK,20230601,1\n");
        let only_dates: Vec<_> = only_dates.into_iter().filter(|(n, _)| *n != "calendar.txt").collect();
        let dir2 = write_dir(&only_dates);
        let tt = read_gtfs(dir2.path(), day(2023, 6, 1), &mut report).unwrap();
        assert_eq!(trip_ids(&tt), ["A1", "A2", "B1", "NIGHT"]);
        assert_eq!(tt.feed.service_dates, 1);
    }

    #[test]
    fn date_outside_the_feed_says_what_it_covers() {
        let dir = write_dir(&files());
        let err = read_gtfs(dir.path(), day(2024, 1, 9), &mut Report::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("no service on 2024-01-09"), "{text}");
        assert!(text.contains("2023-04-03 to 2023-04-30"), "{text}");
        // a day inside the range without service is a warning, not an error
        let mut report = Report::default();
        let sat = read_gtfs(dir.path(), day(2023, 4, 15), &mut report).unwrap();
        assert_eq!(sat.trip_count(), 0);
        assert!(
            report.problems.iter().any(|p| p.severity == Severity::Warning && p.message.contains("no trip runs")),
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn frequencies_are_expanded() {
        let f = with("frequencies.txt", "trip_id,start_time,end_time,headway_secs,exact_times\nB1,07:00:00,07:30:00,600,1\n");
        let dir = write_dir(&f);
        let tt = read_gtfs(dir.path(), day(2023, 4, 18), &mut Report::default()).unwrap();
        let b = tt.patterns.iter().find(|p| p.trips[0].id.starts_with("B1")).unwrap();
        let ids: Vec<&str> = b.trips.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["B1@07:00:00", "B1@07:10:00", "B1@07:20:00"]);
        assert_eq!((b.departure(2, 0), b.arrival(2, 1)), (7 * 3600 + 1200, 7 * 3600 + 1800));
    }

    #[test]
    fn overtaking_trips_go_to_separate_patterns() {
        let st = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
                  A1,08:00:00,08:00:00,S1,1\nA1,08:30:00,08:30:00,S3,2\n\
                  A2,08:05:00,08:05:00,S1,1\nA2,08:20:00,08:20:00,S3,2\n";
        let dir = write_dir(&with("stop_times.txt", st));
        let tt = read_gtfs(dir.path(), day(2023, 4, 18), &mut Report::default()).unwrap();
        tt.check().unwrap();
        assert_eq!(tt.patterns.len(), 2);
    }

    #[test]
    fn malformed_rows_point_at_file_line_and_column() {
        let cases = [
            (
                "stop_times.txt",
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nA1,08:00:00,08:00:00,S1,1\nA1,8h10,08:11:00,S2,2\n",
                "stop_times.txt:3:2:",
            ),
            (
                "stop_times.txt",
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nA1,08:00:00,08:00:00,S9,1\n",
                "stop_times.txt:2:4:",
            ),
            (
                "stop_times.txt",
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nA1,08:00:00,08:00:00,ST2,1\n",
                "stop_times.txt:2:4:",
            ),
            (
                "stop_times.txt",
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nZZ,08:00:00,08:00:00,S1,1\n",
                "stop_times.txt:2:1:",
            ),
            (
                "stop_times.txt",
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nA1,08:00:00,08:00:00,S1,un\n",
                "stop_times.txt:2:5:",
            ),
            ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,Un,45.0,5.0\nS2,\"Deux\",quarante-cinq,5.0\n", "stops.txt:3:3:"),
            ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,Un,45.0,5.0\nS1,Bis,45.0,5.0\n", "stops.txt:3:1:"),
            ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,Un,45.0,500.0\n", "stops.txt:2:4:"),
            ("trips.txt", "route_id,service_id,trip_id\nA,WK,A1\nC,WK,A2\n", "trips.txt:3:1:"),
            (
                "calendar.txt",
                "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20230403,2023-13-01\n",
                "calendar.txt:2:10:",
            ),
            ("calendar_dates.txt", "service_id,date,exception_type\nWK,20230410,3\n", "calendar_dates.txt:2:3:"),
            ("routes.txt", "route_id,route_short_name,route_type\nA,A,tram\n", "routes.txt:2:3:"),
            (
                "stop_times.txt",
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nA1,08:00:00,08:00:00,S1,1\nA1,\"08:10:00,08:10:00,S2,2\nA1,08:20:00,08:20:00,S3,3\n",
                "stop_times.txt:3:2:",
            ),
        ];
        for (file, text, expected) in cases {
            let (_dir, path) = write_zip(&with(file, text), "");
            let err = read_gtfs(&path, day(2023, 4, 18), &mut Report::default()).unwrap_err().to_string();
            let want = format!("{}/{expected}", path.display());
            assert!(err.starts_with(&want), "{file}: expected `{want}…`, got `{err}`");
        }
        // zipped in a folder: the member path is shown as it is in the zip
        let (_dir, path) = write_zip(&with("stops.txt", "stop_id,stop_lat,stop_lon\nS1,x,5\n"), "gtfs/");
        let err = read_gtfs(&path, day(2023, 4, 18), &mut Report::default()).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}/gtfs/stops.txt:2:2:", path.display())), "{err}");
    }

    #[test]
    fn missing_files() {
        let no_stop_times: Vec<_> = files().into_iter().filter(|(n, _)| *n != "stop_times.txt").collect();
        let dir = write_dir(&no_stop_times);
        let err = read_gtfs(dir.path(), day(2023, 4, 18), &mut Report::default()).unwrap_err().to_string();
        assert!(err.contains("stop_times.txt is required"), "{err}");
        // optional files absent: fine
        let minimal: Vec<_> = files()
            .into_iter()
            .filter(|(n, _)| !matches!(*n, "agency.txt" | "frequencies.txt" | "transfers.txt" | "calendar_dates.txt"))
            .collect();
        let dir = write_dir(&minimal);
        let mut report = Report::default();
        let tt = read_gtfs(dir.path(), day(2023, 4, 10), &mut report).unwrap();
        assert_eq!(trip_ids(&tt), ["A1", "A2", "B1", "NIGHT"]); // no exception: Monday is a weekday
        assert!(tt.transfers.is_empty());
        let no_calendar: Vec<_> = files().into_iter().filter(|(n, _)| !n.starts_with("calendar")).collect();
        let dir = write_dir(&no_calendar);
        let err = read_gtfs(dir.path(), day(2023, 4, 18), &mut Report::default()).unwrap_err().to_string();
        assert!(err.contains("no service date"), "{err}");
        let err = read_gtfs(Path::new("no-such-feed.zip"), day(2023, 4, 18), &mut Report::default()).unwrap_err().to_string();
        assert!(err.starts_with("no-such-feed.zip: cannot read"), "{err}");
    }

    #[test]
    fn times_that_go_back_drop_the_trip() {
        let st = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
                  A1,08:00:00,08:00:00,S1,1\nA1,07:50:00,07:50:00,S3,2\n\
                  A2,08:05:00,08:05:00,S1,1\nA2,08:20:00,08:20:00,S3,2\n";
        let dir = write_dir(&with("stop_times.txt", st));
        let mut report = Report::default();
        let tt = read_gtfs(dir.path(), day(2023, 4, 18), &mut report).unwrap();
        assert_eq!(trip_ids(&tt), ["A2"]);
        let w = report.problems.iter().find(|p| p.message.contains("go back")).unwrap();
        assert_eq!(w.location.line, Some(3));
    }
}
