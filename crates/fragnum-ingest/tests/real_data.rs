//! Ingest of the real Isère + Savoie data in ../shared/data (read in place, never copied).
//! Skips with a message when the data are absent.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

use std::path::{Path, PathBuf};

use fragnum_core::{Cell, Level, ZoneCode};
use fragnum_ingest::Severity;
use fragnum_ingest::config::PipelineConfig;
use fragnum_ingest::load::load;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared_data() -> Option<PathBuf> {
    let p = root().join("../shared/data");
    if p.join("README.md").exists() {
        Some(p)
    } else {
        assert!(std::env::var_os("CI").is_none(), "{} absent: CI must have ../shared/data beside the project", p.display());
        eprintln!("skipped: real data not found at {} (CI and dev machines have it beside the project)", p.display());
        None
    }
}

#[test]
fn real_isere_savoie_ingest() {
    if shared_data().is_none() {
        return;
    }
    let started = std::time::Instant::now();
    let config = PipelineConfig::load(&root().join("config/isere-savoie.toml")).unwrap();
    let loaded = load(&config, &mut |_| {}).unwrap();
    eprintln!("real ingest took {:.2} s", started.elapsed().as_secs_f64());
    let fatal: Vec<_> = loaded.report.problems.iter().filter(|p| p.severity == Severity::Fatal).collect();
    assert!(fatal.is_empty(), "{fatal:#?}");
    let t = &loaded.table;
    let iris_38 = t.zones_at(Level::Iris).filter(|(_, z)| z.code.departement() == Some("38")).count();
    let iris_73 = t.zones_at(Level::Iris).filter(|(_, z)| z.code.departement() == Some("73")).count();
    eprintln!("IRIS: 38 → {iris_38}, 73 → {iris_73}");
    assert!(iris_38 >= 728 && iris_73 >= 321, "{iris_38} {iris_73}");
    // A Grenoble habitat IRIS: population summed from the six age bands (no total in the file).
    let g = ZoneCode::new(Level::Iris, "381850102").unwrap();
    assert!(matches!(t.get(&g, "pop"), Cell::Value(v) if v > 500.0));
    assert_eq!(t.variable("disp_med").unwrap().vintages[t.row(&g).unwrap()], Some(2020));
    // QPV with spaces as thousands separators.
    let q = ZoneCode::new(Level::Qpv, "QP038001").unwrap();
    assert_eq!(t.get(&q, "pop"), Cell::Value(2785.0));
    // Secret statistique stays masked.
    assert!(t.variable("disp_ppmini").unwrap().count_masked() > 0 || t.variable("caf_rsa_socle").unwrap().count_masked() > 0);
    assert!(loaded.geometries.len() > 1000);
}

/// The small real `OSMnx` street graph of central Grenoble (latin-1 edges file, list-valued
/// `highway`, no one-way or speed attributes): read as GeoJSON lines, connected, every class known.
#[test]
fn grenoble_osmnx_streets_are_read() {
    let Some(data) = shared_data() else { return };
    let path = data.join("osm/grenoble-streets-500m-geonetworkx.edges.geojson");
    let mut report = fragnum_ingest::Report::default();
    let net = fragnum_ingest::roads::read_roads(&path, &mut report).unwrap();
    assert_eq!(net.notes.features_read, 2_075);
    assert_eq!(net.notes.features_kept, 2_075, "{:?}", net.notes);
    assert!(net.classes.iter().any(|c| c == "residential") && net.classes.iter().any(|c| c == "footway"), "{:?}", net.classes);
    assert!(net.classes.iter().all(|c| !c.contains('[')), "{:?}", net.classes);
    // OSMnx splits lines at junctions, so shared ends must merge into about its 1,330 nodes
    // plus the interior vertices of curved edges.
    assert!(net.nodes.len() >= 1_330 && net.nodes.len() < 5_000, "{}", net.nodes.len());
    let km: f64 = net.edges.iter().filter(|e| e.walk).map(|e| e.length_m).sum::<f64>() / 2_000.0;
    assert!((km - 56.8).abs() < 1.5, "{km} km walkable (OSMnx says 56.8 km of edges)");
}
