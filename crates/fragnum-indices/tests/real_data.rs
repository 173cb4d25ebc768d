//! Real data: the shipped rate files applied to the real RP 2016 age bands of the Isère/Savoie
//! IRIS d'habitat subset (`shared/data/iris/epidia_IRIS_population_IR_Hab_2016_dep38_73.csv`).
//! Skips with a message when the shared data folder is absent.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use fragnum_core::{Cell, Level, Zone, ZoneCode, ZoneTable};
use fragnum_indices::{IndicesSettings, RateTable, compute};

#[test]
fn shipped_rates_on_real_iris_ages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let file = root.join("iris/epidia_IRIS_population_IR_Hab_2016_dep38_73.csv");
    if !file.exists() {
        assert!(std::env::var_os("CI").is_none(), "{} absent: CI must have ../shared/data beside the project", file.display());
        println!("skipped: {} is absent", file.display());
        return;
    }
    let mut table = ZoneTable::new();
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let vars = [
        ("P16_POP0014", "pop_0014"),
        ("P16_POP1529", "pop_1529"),
        ("P16_POP3044", "pop_3044"),
        ("P16_POP4559", "pop_4559"),
        ("P16_POP6074", "pop_6074"),
        ("P16_POP75P", "pop_75p"),
    ];
    for rec in reader.records() {
        let rec = rec.unwrap();
        let code = &rec[headers.iter().position(|h| h == "IRIS").unwrap()];
        let row = table.upsert_zone(Zone::new(ZoneCode::new(Level::Iris, code).unwrap()));
        let mut pop = 0.0;
        for (col, name) in vars {
            let v: f64 = rec[headers.iter().position(|h| h == col).unwrap()].parse().unwrap();
            pop += v;
            table.set(row, name, Cell::Value(v), Some(2016));
        }
        table.set(row, "pop", Cell::Value(pop), Some(2016));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/rates");
    let mut rates = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        rates.push(RateTable::parse(&std::fs::read_to_string(&path).unwrap(), &path.display().to_string()).unwrap());
    }
    let settings = IndicesSettings::default();
    let started = std::time::Instant::now();
    let out = compute(&table, &rates, &settings).unwrap();
    let elapsed = started.elapsed();
    let iris = out.rows_at(Level::Iris).count();
    println!("{iris} real IRIS (RP 2016 ages), {} output rows, computed in {:.1} ms", out.rows.len(), elapsed.as_secs_f64() * 1e3);
    for (i, name) in out.indicators.iter().enumerate() {
        for dep in out.rows_at(Level::Departement) {
            let e = &dep.digital[i];
            println!(
                "  {name:<20} dep {}: {:>7.0} of {:>7.0} people 15+ ({:.1} %), band {:.0}–{:.0}",
                dep.code,
                e.count.unwrap(),
                e.universe.unwrap(),
                100.0 * e.share().unwrap(),
                e.low.unwrap(),
                e.high.unwrap()
            );
        }
        let joint: f64 =
            out.rows_at(Level::Iris).filter_map(|r| r.digital[i].joint_share.zip(r.digital[i].universe).map(|(s, u)| s * u)).sum();
        let total = out.total(name, Level::Iris).unwrap();
        println!("  {name:<20} all IRIS: dimension mean {total:.0}, joint logit {joint:.0}");
        assert!((out.total(name, Level::Departement).unwrap() - total).abs() < 1e-6 * total);
    }
    for r in out.rows_at(Level::Iris) {
        for e in &r.digital {
            assert!(e.count.unwrap() >= 0.0 && e.count.unwrap() <= e.universe.unwrap() + 1e-9);
            assert_eq!(e.strata, vec!["age"], "{}", r.code);
        }
    }
}
