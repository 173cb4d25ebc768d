//! Real data over time: `fragnum trends` on `config/isere-savoie-trends.toml`, reading the CAF
//! allocataires per IRIS 2016–2020, Filosofi IRIS 2019–2020 and the RP 2016 population of every
//! IRIS (2016 geography, 21 codes of communes merged since) in place from `../shared/data`, all
//! carried onto the 2021 IRIS geography. It asserts how many zones are harmonised and how many
//! codes are unmapped, that the passage preserves totals, that masked cells stay masked, and
//! prints the figures of the closing note.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Row, fragnum, num, read_rows, real_config, shared, text};

/// One `;`-separated data file of `../shared/data`: code column → (column → raw text).
fn read_semicolon(path: &str, code: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let bytes = std::fs::read(shared().join("data").join(path)).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let at = headers.iter().position(|h| h == code).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[at].to_string(), headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        })
        .collect()
}

/// A CAF count as published (`1 552` with a thin or plain space); `None` when blank (secret).
fn caf_number(s: &str) -> Option<f64> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() { None } else { Some(digits.parse().unwrap()) }
}

#[test]
#[allow(clippy::too_many_lines)] // one real run, checked part by part
fn caf_and_filosofi_series_on_the_2021_geography() {
    let dir = tempfile::tempdir().unwrap();
    let config = real_config("isere-savoie-trends", dir.path());
    let out = fragnum(&["trends", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let outputs = dir.path().join("out");

    // --- The passage: every published code and where it went.
    let passage = read_rows(&outputs.join("passage.csv"));
    let unmapped: BTreeSet<&str> = passage.iter().filter(|r| r["rule"] == "unmapped").map(|r| r["code"].as_str()).collect();
    let merged: BTreeMap<&str, &str> =
        passage.iter().filter(|r| r["rule"] == "commune_nouvelle").map(|r| (r["code"].as_str(), r["target"].as_str())).collect();
    // Every CAF and Filosofi code is in the 2021 list; the 21 codes of merged communes of the
    // 2016 population file go to the whole-commune IRIS of their commune nouvelle.
    assert_eq!(unmapped.len(), 0, "unmapped: {unmapped:?}");
    assert_eq!(merged.len(), 21, "{merged:?}");
    assert!(log.contains("passage: 1071 distinct published codes: 21 commune_nouvelle, 1050 same; 0 unmapped"), "{log}");
    let reference = read_semicolon("iris/reference_IRIS_geo2021_dep38_73.csv", "CODE_IRIS");
    assert_eq!(reference.len(), 1050);
    for (from, to) in &merged {
        assert!(reference.contains_key(*to) && to.ends_with("0000") && !reference.contains_key(*from), "{from} → {to}");
    }
    assert_eq!(merged["380160000"], "384790000"); // Arzay → Porte-des-Bonnevaux

    // --- The series: every IRIS the CAF or Filosofi files publish, on the 2021 codes.
    let series = read_rows(&outputs.join("trends.csv"));
    let iris_with = |indicator: &str| -> BTreeSet<String> {
        series.iter().filter(|r| r["level"] == "iris" && r["indicator"] == indicator).map(|r| r["code"].clone()).collect()
    };
    let mut caf_codes = BTreeSet::new();
    let mut caf: BTreeMap<u16, BTreeMap<String, BTreeMap<String, String>>> = BTreeMap::new();
    for year in 2016..=2020 {
        let file = read_semicolon(&format!("iris/caf_allocataires_iris_{year}_dep38_73.csv"), "CODGEO");
        caf_codes.extend(file.keys().cloned());
        caf.insert(year, file);
    }
    let mut filosofi_codes = BTreeSet::new();
    for year in [2019, 2020] {
        filosofi_codes.extend(read_semicolon(&format!("iris/BASE_TD_FILO_DISP_IRIS_{year}_dep38_73.csv"), "IRIS").into_keys());
    }
    assert_eq!(iris_with("caf_allocataires"), caf_codes);
    assert_eq!(iris_with("rsa_pour_100_allocataires"), caf_codes);
    assert_eq!(iris_with("disp_med"), filosofi_codes);
    let zones: BTreeSet<&String> = caf_codes.union(&filosofi_codes).collect();
    assert_eq!((caf_codes.len(), filosofi_codes.len(), zones.len()), (235, 317, 317));
    assert!(log.contains("zones harmonised: 317 of the 1050 IRIS of 2021"), "{log}");
    assert_eq!(iris_with("pop").len(), 1050);

    // --- Totals preserved: Σ published = Σ harmonised, per vintage; masked stays masked.
    let value = |code: &str, indicator: &str, year: u16| -> Option<&Row> {
        series.iter().find(|r| r["code"] == code && r["indicator"] == indicator && r["vintage"] == year.to_string())
    };
    for (column, indicator) in [("A", "caf_allocataires"), ("ARSAS", "caf_rsa_socle"), ("APPA", "caf_prime_activite")] {
        for (year, file) in &caf {
            let published: f64 = file.values().filter_map(|r| caf_number(&r[column])).sum();
            let rows: Vec<&Row> =
                series.iter().filter(|r| r["level"] == "iris" && r["indicator"] == indicator && r["vintage"] == year.to_string()).collect();
            let harmonised: f64 = rows.iter().filter_map(|r| num(r, "value")).sum();
            assert!((published - harmonised).abs() < 1e-6, "{indicator} {year}: {published} published, {harmonised} harmonised");
            let masked_in_file = file.values().filter(|r| caf_number(&r[column]).is_none()).count();
            let masked_rows = rows.iter().filter(|r| r["masked"] == "true" && r["value"].is_empty()).count();
            assert_eq!(masked_in_file, masked_rows, "{indicator} {year}: masked cells");
            // Each département sums its IRIS.
            for dep in ["38", "73"] {
                let sum: f64 = rows.iter().filter(|r| r["code"].starts_with(dep)).filter_map(|r| num(r, "value")).sum();
                let row = value(dep, indicator, *year).unwrap();
                assert!((num(row, "value").unwrap() - sum).abs() < 1e-6, "{indicator} {year} {dep}");
            }
        }
    }
    // The 2016 population of the 1,071 IRIS of 2016 on the 1,050 of 2021: the same total.
    let ifn = read_rows(&shared().join("data/reference/ifn-2020.38-73.csv"));
    let published: f64 = ifn.iter().filter_map(|r| num(r, "population_p16")).sum();
    let harmonised: f64 = series.iter().filter(|r| r["level"] == "iris" && r["indicator"] == "pop").filter_map(|r| num(r, "value")).sum();
    assert!((published - harmonised).abs() < 1e-6, "population: {published} vs {harmonised}");
    assert_eq!(value("384790000", "pop", 2016).unwrap()["status"], "merged");

    // --- Changes: counts, points, noise flags.
    let changes = read_rows(&outputs.join("changes.csv"));
    let change = |code: &str, indicator: &str| changes.iter().find(|r| r["code"] == code && r["indicator"] == indicator);
    let mut rises: Vec<(&Row, f64)> = changes
        .iter()
        .filter(|r| r["level"] == "iris" && r["indicator"] == "caf_rsa_socle")
        .filter_map(|r| Some((r, num(r, "change")?)))
        .collect();
    rises.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0["code"].cmp(&b.0["code"])));
    for (r, c) in &rises {
        let (start, end) = (num(r, "start").unwrap(), num(r, "end").unwrap());
        assert!((end - start - c).abs() < 1e-9);
        assert_eq!((r["start_vintage"].as_str(), r["end_vintage"].as_str()), ("2016", "2020"));
    }
    for r in changes.iter().filter(|r| r["within_noise"] == "true") {
        assert!(!r["noise_reason"].is_empty(), "{r:?}");
    }
    // A masked start or end gives no change, and says why.
    for r in changes.iter().filter(|r| r["level"] == "iris" && r["indicator"] == "caf_rsa_socle" && r["change"].is_empty()) {
        assert!(r["noise_reason"].contains("masked") || r["noise_reason"].contains("no figure"), "{r:?}");
    }
    let share_points = |code: &str| change(code, "rsa_pour_100_allocataires").and_then(|r| num(r, "change_points"));

    // --- The closing note.
    println!(
        "zones harmonised: {} IRIS of the 2021 geography have a CAF or Filosofi series (CAF {}, Filosofi {}); all 1,050 have the RP 2016 population",
        zones.len(),
        caf_codes.len(),
        filosofi_codes.len()
    );
    println!(
        "codes unmapped: {} — every CAF 2016–2020 and Filosofi 2019–2020 code is in the 2021 IRIS list; the 21 codes of communes merged since 2016 (population file) go to the whole-commune IRIS of their commune nouvelle",
        unmapped.len()
    );
    println!("ten IRIS whose RSA allocataires rose most, 2016–2020 (count; per 100 allocataires):");
    for (r, c) in rises.iter().take(10) {
        let name = format!("{} ({})", r["name"], reference[&r["code"]]["LIBCOM"]);
        let s = change(&r["code"], "rsa_pour_100_allocataires").unwrap();
        println!(
            "  {} {:<44} {:>+5.0} ({:.0} → {:.0}); {:>+5.1} points ({:.1} → {:.1}){}",
            r["code"],
            name,
            c,
            num(r, "start").unwrap(),
            num(r, "end").unwrap(),
            share_points(&r["code"]).unwrap_or(f64::NAN),
            num(s, "start").unwrap_or(f64::NAN),
            num(s, "end").unwrap_or(f64::NAN),
            if r["within_noise"] == "true" { format!(" [within noise: {}]", r["noise_reason"]) } else { String::new() }
        );
    }
    let stage = log.lines().find(|l| l.starts_with("trends: ") && l.contains("files written")).unwrap_or("");
    println!("stage time: {stage} (debug build)");
}
