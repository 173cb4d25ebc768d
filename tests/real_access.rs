//! Real data, end to end: `fragnum access` on `config/savoie-conseillers-numeriques.toml`, the
//! conseiller-numérique export read in its native layout from `../shared/data` (in place), the
//! Filosofi 1 km grid as population, the calibrated straight-line approximation. It asserts the
//! supply columns (advisors from `n_aidants`, 2SFCA conserving supply, equity per EPCI), the
//! exact siting optimum and the capacity siting, and prints the figures of the closing note.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

mod common;

use common::{fragnum, num, read_rows, real_config, text};

#[test]
fn savoie_advisors_per_person_and_per_epci() {
    let dir = tempfile::tempdir().unwrap();
    let config = real_config("savoie-conseillers-numeriques", dir.path());
    let out = fragnum(&["access", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let outputs = dir.path().join("out");

    // The 55 places of the export (Isère and Savoie), 58 advisors, every count from `n_aidants`.
    let sites = read_rows(&outputs.join("access_sites.csv"));
    assert_eq!(sites.len(), 55);
    let advisors: f64 = sites.iter().map(|s| num(s, "advisors").unwrap()).sum();
    assert!((advisors - 58.0).abs() < 1e-9, "{advisors}");
    assert!(
        sites.iter().all(|s| s["advisors_source"].starts_with("file: n_aidants")),
        "{:?}",
        sites.iter().map(|s| &s["advisors_source"]).collect::<Vec<_>>()
    );

    // 2SFCA conserves supply: the advisors whose 20 minutes reach Savoie residents are shared
    // out among them, no more, no less.
    let equity = read_rows(&outputs.join("access_equity.csv"));
    let all = &equity[0];
    assert_eq!(all["group"], "ensemble");
    let serving: f64 =
        sites.iter().filter(|s| num(s, "advisors_per_10000_need_2sfca").is_some()).map(|s| num(s, "advisors").unwrap()).sum();
    let shared = num(all, "advisors_per_10000_2sfca").unwrap() * num(all, "need").unwrap() / 10_000.0;
    assert!((shared - serving).abs() < 1e-6, "{shared} advisors shared, {serving} serving");
    println!("Savoie: {serving} of the 58 advisors reach Savoie residents within 20 minutes");
    println!(
        "Savoie: {:.2} advisors per 10,000 inhabitants (2SFCA), {:.2} (E2SFCA), {:.1} % beyond 20 minutes, Gini of times {:.3}",
        num(all, "advisors_per_10000_2sfca").unwrap(),
        num(all, "advisors_per_10000_e2sfca").unwrap(),
        100.0 * num(all, "need_beyond_20min_share").unwrap(),
        num(all, "gini_time").unwrap()
    );
    // Every Savoie EPCI has its row, the zones' need adds up to the territory's.
    let epci: Vec<_> = equity.iter().skip(1).collect();
    assert!(epci.len() >= 17, "{} EPCI", epci.len());
    let need: f64 = epci.iter().map(|e| num(e, "need").unwrap()).sum();
    assert!((need - num(all, "need").unwrap()).abs() < 1e-6 * need);
    for e in &epci {
        let gini = num(e, "gini_time").unwrap();
        assert!((0.0..=1.0).contains(&gini));
        println!(
            "  {} {:<45} {:>8.0} inhabitants  {:>5.2} advisors per 10,000 (2SFCA)  {:>5.2} (E2SFCA)  {:>5.1} % beyond 20 min",
            e["group"],
            e["name"],
            num(e, "need").unwrap(),
            num(e, "advisors_per_10000_2sfca").unwrap(),
            num(e, "advisors_per_10000_e2sfca").unwrap(),
            100.0 * num(e, "need_beyond_20min_share").unwrap()
        );
    }

    // Five new sites: the greedy against the exact optimum of the same problem.
    let optimum = read_rows(&outputs.join("access_siting_optimum.csv"));
    assert_eq!(optimum[0]["proven"], "true");
    let (greedy, best) = (num(&optimum[0], "greedy_weight").unwrap(), num(&optimum[0], "optimum_weight").unwrap());
    assert!(best >= greedy - 1e-6);
    println!("5 new sites: greedy {greedy:.0} people, optimum {best:.0} (gap {:.2} %)", 100.0 * (best - greedy) / best);

    // Five more advisors, each where the shortfall is deepest.
    let added = read_rows(&outputs.join("access_capacity_siting.csv"));
    assert_eq!(added.len(), 5);
    for a in &added {
        println!(
            "  + 1 advisor: {} {} ({}), {:.0} people newly reached",
            a["placement"],
            a["id"],
            a["name"],
            num(a, "need_newly_reached").unwrap()
        );
    }
    assert!(num(&added[0], "need_newly_reached").unwrap() > 0.0);

    // The zones' table carries the columns, and the labels say it is a calibrated approximation.
    let zones = read_rows(&outputs.join("access_zones.csv"));
    assert!(zones.iter().all(|z| z["method"] == "straight_line_approximation"));
    assert!(zones.iter().any(|z| num(z, "advisors_per_10000_2sfca").is_some_and(|v| v > 0.0)));
    assert!(log.contains("calée sur les réseaux routiers d'Andorre et du Liechtenstein"), "{log}");
}

#[test]
fn grenoble_on_foot_and_by_public_transport() {
    let dir = tempfile::tempdir().unwrap();
    let config = real_config("grenoble-transit", dir.path());
    let out = fragnum(&["run", "--quiet", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let outputs = dir.path().join("out");
    let read = |name: &str| read_rows(&outputs.join(format!("{name}.csv")));
    let (car, walk, transit) = (read("access_zones"), read("access_zones_walk"), read("access_zones_transit"));
    // The 49 communes of the Métropole, each with its mode named.
    for (rows, mode) in [(&car, "car"), (&walk, "walk"), (&transit, "transit")] {
        assert_eq!(rows.len(), 49, "{mode}");
        assert!(rows.iter().all(|r| r["mode"] == mode));
    }
    let share = |rows: &[common::Row], col: &str| {
        let (mut within, mut all) = (0.0, 0.0);
        for r in rows {
            let pop = num(r, "population").unwrap();
            within += num(r, col).unwrap() * pop;
            all += pop;
        }
        100.0 * within / all
    };
    let population: f64 = transit.iter().map(|r| num(r, "population").unwrap()).sum();
    let (by_car, on_foot, by_transit) =
        (share(&car, "share_within_20min"), share(&walk, "share_within_20min"), share(&transit, "share_within_20min"));
    let walk_only = share(&transit, "share_within_20min_walk_only");
    println!(
        "Grenoble-Alpes Métropole ({population:.0} people on the grid): within 20 minutes of an advisor site {by_car:.1} % by car \
         (approximation), {on_foot:.1} % on foot, {by_transit:.1} % by public transport (median 9:00–10:00)"
    );
    // Two implementations of the same straight walk agree: the walk mode (fragnum-access's
    // approximation) and the transit computation's walk alone (its own legs), zone by zone.
    for (w, t) in walk.iter().zip(&transit) {
        assert_eq!(w["code"], t["code"]);
        let (a, b) = (num(w, "share_within_20min").unwrap(), num(t, "share_within_20min_walk_only").unwrap());
        assert!((a - b).abs() < 0.02, "{}: walk {a} vs transit's walk alone {b}", w["code"]);
        // Transit never does worse than walking alone: walking straight is one of its journeys.
        assert!(num(t, "share_within_20min").unwrap() >= b - 1e-9, "{}", t["code"]);
    }
    assert!((on_foot - walk_only).abs() < 1.0);
    assert!(by_transit >= walk_only);
    let points = read("access_points_transit");
    assert!(points.iter().any(|p| num(p, "p25_min").is_some() && num(p, "p75_min").unwrap() >= num(p, "p25_min").unwrap()));
    let sheet = std::fs::read_to_string(outputs.join("sheets/38185.html")).unwrap();
    assert!(sheet.contains("Part à moins de 20 minutes en transports en commun"), "Grenoble's sheet");
    for f in ["maps/acces_20min_part_transit.geojson", "maps/acces_20min_part_walk-a4.png"] {
        assert!(outputs.join(f).is_file(), "missing {f}");
    }
}
