//! Real data, end to end: `fragnum indices` on `config/isere-savoie.toml`, reading Isère and Savoie's
//! public files in place from `../shared/data` (beside the project; CI has it, so this test never
//! skips). It asserts coverage — every zone with a population has a digital-precarity estimate,
//! computed or imputed, or says why not — that intervals hold their estimate, and that every
//! aggregate equals the sum of its parts; it prints the figures of the closing note.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Row, fragnum, num, read_rows, real_config, root, text};

const INDICATORS: [&str; 4] = ["illectronisme", "never_uses_internet", "no_daily_internet", "no_home_internet"];

#[test]
fn every_real_zone_gets_an_estimate_or_a_reason_and_aggregates_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let config = real_config("isere-savoie", dir.path());
    let started = std::time::Instant::now();
    let out = fragnum(&["indices", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    println!("ingest + indices on the real data: {:.1} s (debug build)", started.elapsed().as_secs_f64());
    let rows = read_rows(&dir.path().join("out/indices.csv"));
    let iris: Vec<&Row> = rows.iter().filter(|r| r["level"] == "iris").collect();

    // Every IRIS of INSEE's 2021 list has a population (census subsets, MedNum inputs, or the RP 2016
    // population redistributed with the published IFN for the others).
    assert!(iris.len() >= 1050, "{} IRIS", iris.len());
    let without_population: Vec<&str> = iris.iter().filter(|r| num(r, "population").is_none()).map(|r| r["code"].as_str()).collect();
    assert!(without_population.is_empty(), "IRIS without population: {without_population:?}");

    for ind in INDICATORS {
        estimates_hold_their_intervals(&iris, ind);
    }
    // The social gradient is used where the data has it: Isère's own strata include CSP and income.
    assert!(iris.iter().any(|r| r["code"].starts_with("38")
        && r["illectronisme_status"] == "computed"
        && r["illectronisme_strata"].contains("csp")
        && r["illectronisme_strata"].contains("income")));

    let epci_file = root().join("../shared/data/communes-stats/EPCI_2020_communes_dep38_73.csv");
    let epci_text = std::fs::read_to_string(epci_file).unwrap();
    aggregates_are_sums_of_their_parts(&rows, &iris, &epci_text, &log);
    // Grenoble-Alpes Métropole: its total with its interval, and its ten communes with the highest share.
    let metro = rows.iter().find(|r| r["code"] == "Grenoble-Alpes Métropole").unwrap();
    for ind in INDICATORS {
        println!(
            "Grenoble-Alpes Métropole {ind}: {:.0} people of the survey universe ({:.1} %), 90 % interval {:.0}–{:.0}, imputed share {:.1} %",
            num(metro, &format!("{ind}_count")).unwrap(),
            100.0 * num(metro, &format!("{ind}_share")).unwrap(),
            num(metro, &format!("{ind}_low")).unwrap(),
            num(metro, &format!("{ind}_high")).unwrap(),
            100.0 * num(metro, &format!("{ind}_imputed_share")).unwrap_or(0.0)
        );
    }
    // Against published figures (printed for the README, loosely asserted): Insee Analyses ARA 155 gives
    // 15 % illectronisme in Auvergne-Rhône-Alpes (TIC 2019); the Grenoble diagnostic (Emmaüs Connect,
    // 2015) counted 60,000 people in digital precarity, half of them also in social precarity.
    let deps: Vec<&Row> = rows.iter().filter(|r| r["level"] == "departement").collect();
    let (count, universe) = deps
        .iter()
        .fold((0.0, 0.0), |(c, u), r| (c + num(r, "illectronisme_count").unwrap(), u + num(r, "illectronisme_universe").unwrap()));
    println!("Isère + Savoie illectronisme: {:.1} % of people 15+ (Insee, AURA 2019: 15 %)", 100.0 * count / universe);
    assert!((0.10..0.20).contains(&(count / universe)), "{count} / {universe}");
    let grenoble = rows.iter().find(|r| r["level"] == "commune" && r["code"] == "38185").unwrap();
    for ind in INDICATORS {
        println!(
            "Grenoble (38185) {ind}: {:.0} ({:.0}–{:.0}), of whom socially precarious too: {:.0}; métropole cross {:.0} (Grenoble diagnostic 2015: 60,000 and 30,000)",
            num(grenoble, &format!("{ind}_count")).unwrap(),
            num(grenoble, &format!("{ind}_low")).unwrap(),
            num(grenoble, &format!("{ind}_high")).unwrap(),
            num(grenoble, &format!("{ind}_cross_count")).unwrap_or(f64::NAN),
            num(metro, &format!("{ind}_cross_count")).unwrap_or(f64::NAN),
        );
    }
    let members: BTreeSet<String> = epci_text
        .lines()
        .filter(|l| l.contains(";200040715;"))
        .filter_map(|l| l.trim_start_matches('\u{feff}').split(';').next().map(str::to_string))
        .collect();
    assert_eq!(members.len(), 49, "Grenoble-Alpes Métropole has 49 communes");
    let mut communes: Vec<&Row> = rows.iter().filter(|r| r["level"] == "commune" && members.contains(&r["code"])).collect();
    communes.sort_by(|a, b| num(b, "illectronisme_share").partial_cmp(&num(a, "illectronisme_share")).unwrap());
    for r in communes.iter().take(10) {
        println!(
            "  {} {}: illectronisme {:.1} % ({:.0}–{:.0} of {:.0}), strata {}, {}",
            r["code"],
            r["name"],
            100.0 * num(r, "illectronisme_share").unwrap(),
            num(r, "illectronisme_low").unwrap(),
            num(r, "illectronisme_high").unwrap(),
            num(r, "illectronisme_universe").unwrap(),
            r["illectronisme_strata"],
            r["illectronisme_status"]
        );
    }
}

/// Every IRIS with a population has an estimate (computed or imputed, imputed saying from
/// where) inside its 90 % interval, or a reason and no inhabitant; prints the counts by status.
fn estimates_hold_their_intervals(iris: &[&Row], ind: &str) {
    let mut by_status: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in iris {
        let status = r[&format!("{ind}_status")].clone();
        let dep = r["code"][..2].to_string();
        *by_status.entry((dep, if status.is_empty() { "none".into() } else { status.clone() })).or_default() += 1;
        let pop = num(r, "population").unwrap();
        if status.is_empty() {
            assert!(!r[&format!("{ind}_skipped")].is_empty(), "{ind} {}: no estimate and no reason", r["code"]);
            assert!(pop == 0.0, "{ind} {}: {pop} inhabitants and no estimate", r["code"]);
            continue;
        }
        let (count, low, high, universe) = (
            num(r, &format!("{ind}_count")).unwrap(),
            num(r, &format!("{ind}_low")).unwrap(),
            num(r, &format!("{ind}_high")).unwrap(),
            num(r, &format!("{ind}_universe")).unwrap(),
        );
        assert!(
            low <= count + 1e-9 && count <= high + 1e-9 && high <= universe + 1e-9 && low >= 0.0,
            "{ind} {}: {low} ≤ {count} ≤ {high} ≤ {universe}",
            r["code"]
        );
        if status == "imputed" {
            assert!(!r[&format!("{ind}_imputed_from")].is_empty(), "{ind} {}: imputed from nowhere", r["code"]);
        }
        if pop > 0.0 && count > 0.0 {
            assert!(high > low, "{ind} {}: an interval of zero width", r["code"]);
        }
    }
    println!("{ind}: IRIS by département and status {by_status:?}");
    let computed: usize = by_status.iter().filter(|((_, s), _)| s == "computed").map(|(_, n)| n).sum();
    assert!(computed >= 290, "{ind}: only {computed} IRIS computed from their own strata");
    let strata: BTreeSet<(String, String)> =
        iris.iter().map(|r| (r["code"][..2].to_string(), r[&format!("{ind}_strata")].clone())).collect();
    println!("{ind}: strata used by département {strata:?}");
}

/// Communes and départements equal the sum of their IRIS (by code), EPCI rows partition the IRIS
/// that have an EPCI, and a group's interval is computed rather than summed.
fn aggregates_are_sums_of_their_parts(rows: &[Row], iris: &[&Row], epci_text: &str, log: &str) {
    // Aggregates are sums of their parts: communes and départements from their IRIS codes, EPCI as a partition.
    let in_epci: BTreeSet<&str> = epci_text.lines().skip(1).filter_map(|l| l.split(';').next()).collect();
    let orphan_codes: Vec<String> = iris.iter().map(|r| r["code"].clone()).filter(|c| !in_epci.contains(&c[..5])).collect();
    assert!(log.contains(&format!("{} iris zone(s) without an EPCI", orphan_codes.len())), "{log}");
    println!("IRIS without an EPCI: {orphan_codes:?}");
    for ind in INDICATORS {
        let key = format!("{ind}_count");
        let mut by_commune: BTreeMap<&str, f64> = BTreeMap::new();
        let mut by_dep: BTreeMap<&str, f64> = BTreeMap::new();
        for r in iris {
            let c = num(r, &key).unwrap_or(0.0);
            *by_commune.entry(&r["code"][..5]).or_default() += c;
            *by_dep.entry(&r["code"][..2]).or_default() += c;
        }
        for r in rows.iter().filter(|r| r["level"] == "commune" || r["level"] == "departement") {
            let parts = if r["level"] == "commune" { by_commune[r["code"].as_str()] } else { by_dep[r["code"].as_str()] };
            let total = num(r, &key).unwrap_or(0.0);
            assert!((total - parts).abs() <= 1e-6 * parts.max(1.0), "{ind} {} {}: {total} vs Σ parts {parts}", r["level"], r["code"]);
        }
        // EPCI rows partition the IRIS that have an EPCI; the others (communes merged since 2016, absent
        // from the 2020 EPCI table) are named in the log, never dropped silently.
        let epci: f64 = rows.iter().filter(|r| r["level"] == "epci").filter_map(|r| num(r, &key)).sum();
        let all: f64 = by_dep.values().sum();
        let orphans: f64 =
            orphan_codes.iter().map(|c| iris.iter().find(|r| &r["code"] == c).and_then(|r| num(r, &key)).unwrap_or(0.0)).sum();
        assert!((epci + orphans - all).abs() <= 1e-6 * all, "{ind}: EPCI total {epci} + orphans {orphans} vs IRIS total {all}");
        // A group's interval is computed, not summed: narrower than the sum of its members' half-widths.
        let dep = rows.iter().find(|r| r["level"] == "departement" && r["code"] == "38").unwrap();
        let half = num(dep, &format!("{ind}_high")).unwrap() - num(dep, &key).unwrap();
        let summed: f64 =
            iris.iter().filter(|r| r["code"].starts_with("38")).filter_map(|r| Some(num(r, &format!("{ind}_high"))? - num(r, &key)?)).sum();
        assert!(half < summed, "{ind}: département half-width {half} vs summed {summed}");
    }
}
