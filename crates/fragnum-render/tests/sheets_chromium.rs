//! Renders a fact sheet and the index in headless Chromium (Debian's `chromium`) and fails on
//! console errors. Skips with a message when chromium is not installed.
//!
//! Set `FRAGNUM_KEEP_SCREENSHOTS=<dir>` to keep the PNG screenshots.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fragnum_core::{Cell, Status};
use fragnum_render::format::Unit;
use fragnum_render::sheets::{DigitalPrecarity, IfnScores, ServiceOffer, ServiceSite, SheetInput, SheetKind, SocialRank, SocioRow};
use fragnum_render::write_sheets;
use geo_types::{LineString, MultiPolygon, Polygon, coord};

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.exists())
}

fn sheet() -> SheetInput {
    let ring = LineString::from(vec![
        coord! { x: 5.700, y: 45.170 },
        coord! { x: 5.716, y: 45.168 },
        coord! { x: 5.724, y: 45.181 },
        coord! { x: 5.712, y: 45.192 },
        coord! { x: 5.698, y: 45.184 },
        coord! { x: 5.700, y: 45.170 },
    ]);
    let site = |name: &str, services: &[&str], minutes: f64, position: Option<(f64, f64)>| ServiceSite {
        name: name.into(),
        commune: Some("Grenoble".into()),
        services: services.iter().map(|s| (*s).to_string()).collect(),
        minutes: Some(minutes),
        position,
    };
    SheetInput {
        code: "QP038001".into(),
        kind: SheetKind::Zone,
        name: "Villeneuve – Village Olympique".into(),
        commune: "Grenoble".into(),
        population: Some(12_345.0),
        socio: vec![
            SocioRow { label: "Part des 75 ans ou plus".into(), zone: Cell::Value(12.5), perimeter: Cell::Value(9.1), unit: Unit::Percent },
            SocioRow {
                label: "Part des ménages d’une personne".into(),
                zone: Cell::Value(41.0),
                perimeter: Cell::Value(44.2),
                unit: Unit::Percent,
            },
            SocioRow { label: "Revenu disponible médian".into(), zone: Cell::Masked, perimeter: Cell::Value(21_350.0), unit: Unit::Euros },
            SocioRow {
                label: "Non-diplômés (15 ans ou plus)".into(),
                zone: Cell::Missing,
                perimeter: Cell::Value(18.3),
                unit: Unit::Percent,
            },
        ],
        digital: Some(DigitalPrecarity {
            estimate: 2_468.0,
            universe: "15 ans ou plus".into(),
            share: 20.0,
            low: 16.5,
            high: 24.0,
            interval: (2_037.0, 2_963.0),
            status: Status::Imputed,
            imputed_from: vec!["universe: epci 200040715".into(), "age: epci 200040715".into()],
            imputed_share: None,
            standard_errors: [Some(210.0), Some(130.0), Some(95.0)],
        }),
        digital_notes: vec![],
        social: Some(SocialRank { rank: 3, of: 42, class: "Très forte".into() }),
        ifn: Some(IfnScores {
            global: 142.3,
            axes: vec![
                ("Accès aux interfaces numériques".into(), 150.2),
                ("Accès à l’information".into(), 131.0),
                ("Compétences administratives".into(), 128.4),
                ("Compétences numériques / scolaires".into(), 139.9),
            ],
        }),
        ifn_missing: vec![],
        services: ServiceOffer {
            in_zone: vec![site("<script>alert(1)</script>", &["Médiation numérique", "Accès libre"], 4.0, Some((5.710, 45.180)))],
            within: vec![
                site("<script>alert(1)</script>", &["mediation", "acces_libre"], 4.0, None),
                site("Maison des habitants Le Patio", &["conseiller_numerique", "formation"], 12.0, None),
            ],
            share_within: Some(96.4),
            threshold_min: 20.0,
            nearest: Some(("<script>alert(1)</script>".into(), 4.0)),
            services_described: true,
            supply: None,
            by_mode: Vec::new(),
        },
        outline: Some(MultiPolygon(vec![Polygon::new(ring, vec![])])),
        sources: vec!["INSEE, recensement de la population 2019".into(), "ANCT, France Services 2023".into()],
    }
}

/// Screenshots `page` to `png`; returns Chromium's stderr.
fn screenshot(chromium: &Path, page: &Path, png: &Path) -> String {
    let mut child = Command::new(chromium)
        // No sandbox, GPU or /dev/shm: CI containers run as root with a tiny /dev/shm; a
        // throwaway profile folder so parallel runs never share a lock.
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", png.with_extension("profile").display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1240,1754")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            child.kill().unwrap();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn sheet_and_index_render_in_chromium_without_console_errors() {
    let Some(chromium) = chromium() else {
        eprintln!("skipping: chromium not installed (apt-get install -y chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut other = sheet();
    other.code = "381850101".into();
    other.name = "Berriat".into();
    other.services = ServiceOffer::default();
    other.digital = None;
    write_sheets(&[sheet(), other], "Grenoble-Alpes Métropole", dir.path()).unwrap();
    for stem in ["QP038001", "index"] {
        let page = dir.path().join(format!("sheets/{stem}.html"));
        let png = dir.path().join(format!("{stem}.png"));
        let log = screenshot(&chromium, &page, &png);
        let bad: Vec<&str> = log.lines().filter(|l| l.contains("Uncaught") || l.contains("CONSOLE")).collect();
        assert!(bad.is_empty(), "console errors for {stem}: {bad:#?}");
        let img = image::open(&png).unwrap_or_else(|e| panic!("no screenshot for {stem}: {e}\n{log}"));
        assert_eq!((img.width(), img.height()), (1240, 1754));
        if let Some(keep) = std::env::var_os("FRAGNUM_KEEP_SCREENSHOTS") {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::copy(&png, Path::new(&keep).join(format!("{stem}.png"))).unwrap();
            std::fs::copy(&page, Path::new(&keep).join(format!("{stem}.html"))).unwrap();
        }
    }
}
