//! The three national advisor-site exports of Isère and Savoie, read in place in their native
//! layouts: row counts, advisors, how many sites got weekly hours, and the ids shared with the
//! merged `advisor-sites.38-73.csv` built from them.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fragnum_core::sites::Site;
use fragnum_ingest::{Report, Severity};

fn place(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/places").join(name);
    if p.exists() {
        Some(p)
    } else {
        assert!(std::env::var_os("CI").is_none(), "{} absent: CI must have ../shared/data beside the project", p.display());
        println!("skipped: {} absent", p.display());
        None
    }
}

fn read(path: &Path) -> (Vec<Site>, Report) {
    let mut report = Report::default();
    let sites = fragnum_ingest::sites::read_sites(path, &mut report).unwrap();
    (sites, report)
}

/// Warnings as `line:column`, and the summary note.
fn findings(report: &Report) -> (Vec<String>, String) {
    let warnings = report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .map(|p| format!("{}:{}", p.location.line.unwrap_or(0), p.location.column.unwrap_or(0)))
        .collect();
    let note = report.problems.iter().filter(|p| p.severity == Severity::Note).map(|p| p.message.clone()).collect::<Vec<_>>().join("\n");
    (warnings, note)
}

fn with_hours(sites: &[Site]) -> usize {
    sites.iter().filter(|s| s.hours_per_week.is_some()).count()
}

fn total_hours(sites: &[Site]) -> f64 {
    sites.iter().filter_map(|s| s.hours_per_week).sum()
}

/// The merged file's sites of one kind, by id.
fn merged(kind: &str) -> Option<BTreeMap<String, Site>> {
    let p = place("advisor-sites.38-73.csv")?;
    Some(read(&p).0.into_iter().filter(|s| s.kind == kind).map(|s| (s.id.clone(), s)).collect())
}

#[test]
fn conseiller_numerique_export() {
    let Some(p) = place("conseiller-numerique-lieux-2022.38-73.csv") else { return };
    let (sites, report) = read(&p);
    assert_eq!(sites.len(), 55);
    assert!(sites.iter().all(|s| s.kind == "conseiller_numerique" && s.id.starts_with("cnfs-")));
    assert_eq!(sites.iter().filter(|s| s.advisors.is_some()).count(), 55);
    assert!((sites.iter().filter_map(|s| s.advisors).sum::<f64>() - 58.0).abs() < 1e-9);
    // 8 rows have no `horaires`; 2 are not understood: `Fr 18:00` (no end) and `Th 12:00-12:00`.
    assert_eq!(with_hours(&sites), 45);
    assert!((total_hours(&sites) - 1217.05).abs() < 1e-9, "{}", total_hours(&sites));
    let (warnings, note) = findings(&report);
    assert_eq!(warnings, ["8:13", "15:13"]);
    assert_eq!(
        note,
        "55 sites read (conseiller-numérique « lieux de médiation numérique » export); advisors for 55 (n_aidants, 58 in all); \
         weekly hours for 45 (45 from horaires (OSM opening_hours)); 2 with hours not understood (warnings above), 8 with none given"
    );
    let with_both = sites.iter().filter(|s| s.capacity_source.as_deref() == Some("n_aidants + horaires (OSM opening_hours)")).count();
    assert_eq!(with_both, 45);
    if let Some(merged) = merged("conseiller_numerique") {
        assert_eq!(sites.iter().map(|s| s.id.clone()).collect::<BTreeSet<_>>(), merged.keys().cloned().collect());
        assert!(sites.iter().all(|s| (s.lon, s.lat) == (merged[&s.id].lon, merged[&s.id].lat)));
    }
}

#[test]
fn france_services_export() {
    let Some(p) = place("france-services-20221201.38-73.csv") else { return };
    let (sites, report) = read(&p);
    assert_eq!(sites.len(), 57);
    assert!(sites.iter().all(|s| s.kind == "france_services" && s.id.starts_with("fs-") && s.advisors.is_none()));
    // 3 sites have all six days blank: no hours rather than zero.
    assert_eq!(with_hours(&sites), 54);
    assert!((total_hours(&sites) - 1526.75).abs() < 1e-9, "{}", total_hours(&sites));
    assert!(sites.iter().filter(|s| s.hours_per_week.is_some()).all(|s| s.capacity_source.as_deref() == Some("h_lundi…h_samedi")));
    let (warnings, note) = findings(&report);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(
        note.ends_with("weekly hours for 54 (54 from h_lundi…h_samedi); 0 with hours not understood (warnings above), 3 with none given"),
        "{note}"
    );
    if let Some(merged) = merged("france_services") {
        assert_eq!(sites.iter().map(|s| s.id.clone()).collect::<BTreeSet<_>>(), merged.keys().cloned().collect());
        assert!(sites.iter().all(|s| s.commune == merged[&s.id].commune && (s.lon, s.lat) == (merged[&s.id].lon, merged[&s.id].lat)));
    }
}

#[test]
fn hinaura_export() {
    let Some(p) = place("hinaura-lieux-mediation-2021-2022.38-73.csv") else { return };
    let (sites, report) = read(&p);
    // Every row of this extract has coordinates: none is dropped.
    assert_eq!(sites.len(), 413);
    assert!(sites.iter().all(|s| s.kind == "mediation" && s.advisors.is_none()));
    // 98 rows fill at least one day; 13 of them hold text that is not a schedule.
    assert_eq!(with_hours(&sites), 85);
    assert!((total_hours(&sites) - 1881.0).abs() < 1e-9, "{}", total_hours(&sites));
    let (warnings, note) = findings(&report);
    assert_eq!(warnings.len(), 38, "{warnings:?}");
    assert!(warnings.iter().all(|w| !w.ends_with(":7") && !w.ends_with(":8")), "no coordinate warning: {warnings:?}");
    assert_eq!(
        note,
        "413 sites read (Hinaura export); weekly hours for 85 (85 from Lundi…Dimanche); 13 with hours not understood (warnings above), 315 with none given"
    );
    let by_id: BTreeMap<&str, &Site> = sites.iter().map(|s| (s.id.as_str(), s)).collect();
    assert_eq!(by_id["hinaura-6"].hours_per_week, Some(27.0));
    assert_eq!(by_id["hinaura-400"].hours_per_week, Some(45.0), "`8 à 18h`, `8 à 13h`");
    assert_eq!(by_id["hinaura-69"].hours_per_week, None, "« Sur rendez-vous »");
    if let Some(merged) = merged("mediation") {
        // The merged file numbers Hinaura places by their rank in the whole regional export, this
        // extract by rank in the extract: the two agree on the first 12 rows only.
        let merged: Vec<&Site> = merged.values().collect::<Vec<_>>();
        assert_eq!(merged.len(), sites.len());
        let same = sites.iter().filter(|s| merged.iter().any(|m| m.id == s.id && m.name == s.name)).count();
        assert_eq!(same, 12);
    }
}
