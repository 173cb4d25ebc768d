//! The demo road network, in Lambert-93 metres: a street grid in the city (two one-way streets,
//! 30 km/h in the centre), a dual-carriageway motorway arriving from the west, a primary road up
//! the valley, a local road to each village and a few forest tracks — one of them cut off from
//! everything, as real networks have islands.

use crate::territory::{Area, CITY_ORIGIN, IRIS_SIDE, VALLEY_STEP, valley_edges};

/// One road segment (a polyline between two junctions).
pub struct Road {
    /// OSM-like class: motorway, primary, secondary, residential, unclassified, track.
    pub highway: &'static str,
    /// Signed speed limit, km/h, when tagged.
    pub maxspeed: Option<u32>,
    /// One-way in the drawing direction.
    pub oneway: bool,
    /// Street name.
    pub name: Option<String>,
    /// Vertices, Lambert-93 metres.
    pub points: Vec<(f64, f64)>,
}

fn road(highway: &'static str, maxspeed: Option<u32>, name: Option<String>, points: Vec<(f64, f64)>) -> Road {
    Road { highway, maxspeed, oneway: false, name, points }
}

/// The valley road's centre line at easting `x`.
fn valley_axis(x: f64) -> f64 {
    let (s, n) = valley_edges(x);
    f64::midpoint(s, n)
}

/// Every road of the territory.
pub fn roads(areas: &[Area]) -> Vec<Road> {
    let mut out = Vec::new();
    let (x0, y0) = CITY_ORIGIN;
    let step = 500.0;
    let (nx, ny) = (8, 6); // 4 km × 3 km in 500 m blocks
    let node = |i: usize, j: usize| (x0 + step * i as f64, y0 + step * j as f64);
    let avenue_x = 4; // north–south avenue
    let avenue_y = 3; // east–west avenue, continues as the valley road
    for i in 0..=nx {
        for j in 0..ny {
            let central = (2..=6).contains(&i) && (1..=5).contains(&j);
            let (class, speed, name) = if i == avenue_x {
                ("secondary", Some(50), Some("Avenue de la Libération".to_string()))
            } else {
                ("residential", if central { Some(30) } else { None }, Some(format!("Rue {}", i + 1)))
            };
            out.push(road(class, speed, name, vec![node(i, j), node(i, j + 1)]));
        }
    }
    for j in 0..=ny {
        for i in 0..nx {
            let central = (2..=6).contains(&i) && (1..=5).contains(&j);
            let (class, speed, name) = if j == avenue_y {
                ("secondary", Some(50), Some("Boulevard du Rhône".to_string()))
            } else {
                ("residential", if central { Some(30) } else { None }, Some(format!("Avenue {}", j + 1)))
            };
            let mut r = road(class, speed, name, vec![node(i, j), node(i + 1, j)]);
            // Two one-way streets in the old town, in opposite directions.
            if (2..6).contains(&i) && j == 2 {
                r.oneway = true;
            }
            if (2..6).contains(&i) && j == 4 {
                r.oneway = true;
                r.points.reverse();
            }
            out.push(r);
        }
    }
    // Motorway from the west, one carriageway each way, ending on the boulevard.
    let west = (x0 - 12_000.0, y0 + 800.0);
    let entry = node(0, avenue_y);
    let mid = |dy: f64| (f64::midpoint(west.0, entry.0), f64::midpoint(west.1, entry.1) + dy);
    let mut east_bound = road("motorway", Some(130), Some("A 48".into()), vec![west, mid(-40.0), entry]);
    east_bound.oneway = true;
    let mut west_bound = road("motorway", Some(130), Some("A 48".into()), vec![entry, mid(40.0), west]);
    west_bound.oneway = true;
    out.extend([east_bound, west_bound]);

    // Valley road: from the boulevard's east end, one segment per kilometre.
    let start = node(nx, avenue_y);
    let x_start = x0 + 4.0 * IRIS_SIDE;
    let x_end = x_start + 8.0 * VALLEY_STEP;
    let mut prev = start;
    let mut x = x_start + 1_000.0;
    let mut axis = vec![start];
    while x <= x_end + 1.0 {
        let p = (x, valley_axis(x));
        // The upper valley is a winding mountain road.
        let speed = if x > x_end - 20_000.0 { Some(50) } else { None };
        out.push(road("primary", speed, Some("Route de la Vallée (D 1006)".into()), vec![prev, p]));
        axis.push(p);
        prev = p;
        x += 1_000.0;
    }
    // Each village: a local road from the nearest valley-road vertex to its centre, and a track
    // climbing 1.5 km to a hamlet.
    for a in areas.iter().filter(|a| a.iris_type == 'Z') {
        let Some(&junction) = axis.iter().min_by(|p, q| dist(**p, a.centre).total_cmp(&dist(**q, a.centre))) else { continue };
        let centre = a.centre;
        out.push(road(
            "unclassified",
            None,
            Some(format!("Route de {}", a.commune_name)),
            vec![junction, (f64::midpoint(junction.0, centre.0), f64::midpoint(junction.1, centre.1) + 60.0), centre],
        ));
        let hamlet = (centre.0 + 400.0, centre.1 + 1_500.0);
        out.push(road("track", None, None, vec![centre, (centre.0 + 150.0, centre.1 + 700.0), hamlet]));
    }
    // A forest track cut off from every other road (an island the graph builder must drop).
    let (_, north) = valley_edges(x_end - 3_000.0);
    out.push(road(
        "track",
        None,
        Some("Piste forestière du Grand Bois".into()),
        vec![(x_end - 3_000.0, north - 300.0), (x_end - 2_200.0, north - 150.0), (x_end - 1_500.0, north - 400.0)],
    ));
    out
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::territory::areas;

    #[test]
    fn network_has_grid_valley_and_island() {
        let r = roads(&areas(1));
        assert!(r.len() > 150, "{}", r.len());
        assert_eq!(r.iter().filter(|r| r.highway == "motorway").count(), 2);
        assert!(r.iter().filter(|r| r.oneway).count() >= 8);
        assert!(r.iter().all(|r| r.points.len() >= 2));
    }
}
