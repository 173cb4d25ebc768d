//! Bad input is a test case: each malformed input gives a clear error naming the file (and the
//! line and column where it applies) or a documented skip — never a panic, never a silent zero.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fragnum_core::{Cell, Level, ZoneCode, ZoneTable};
use fragnum_ingest::census::read_table;
use fragnum_ingest::config::{ContourSource, TableSource};
use fragnum_ingest::contours::read_contours;
use fragnum_ingest::mapping::Mapping;
use fragnum_ingest::number::Blank;
use fragnum_ingest::{IngestError, Report, Severity};

fn mapping() -> Mapping {
    Mapping::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/variables.toml")).unwrap()
}

fn source(path: &Path, level: Level) -> TableSource {
    TableSource {
        path: path.to_path_buf(),
        level,
        code_column: None,
        vintage: None,
        blank: Blank::Missing,
        separator: None,
        sets: vec![],
        source: None,
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn read(path: &Path, src: &TableSource) -> (Result<ZoneTable, IngestError>, Report) {
    let mut table = ZoneTable::new();
    let mut report = Report::default();
    let r = read_table(path, src, &mapping(), &mut table, &mut report).map(|_| table);
    (r, report)
}

fn fatal(report: &Report) -> Vec<String> {
    report.problems.iter().filter(|p| p.severity == Severity::Fatal).map(ToString::to_string).collect()
}

fn iris(c: &str) -> ZoneCode {
    ZoneCode::new(Level::Iris, c).unwrap()
}

#[test]
fn missing_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("absent.csv");
    let (r, _) = read(&p, &source(&p, Level::Iris));
    let err = r.unwrap_err().to_string();
    assert!(err.contains("absent.csv") && err.contains("cannot read file"), "{err}");
}

#[test]
fn missing_code_column_lists_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", b"ZONE;P21_POP\n381850101;12\n");
    let (r, _) = read(&p, &source(&p, Level::Iris));
    let err = r.unwrap_err().to_string();
    assert!(err.contains("t.csv:1: missing column `CODE_IRIS or IRIS"), "{err}");
    assert!(err.contains("ZONE, P21_POP"), "{err}");
}

#[test]
fn duplicate_codes_point_at_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", b"IRIS;P21_POP\n381850101;12\n381850102;3\n381850101;4\n");
    let (r, report) = read(&p, &source(&p, Level::Iris));
    r.unwrap();
    let f = fatal(&report);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("t.csv:4:1: error: duplicate zone code `381850101` (first seen on line 2)"), "{}", f[0]);
}

#[test]
fn non_numeric_count_is_located_and_not_zero() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", b"IRIS;P21_POP;P21_POP75P\n381850101;12;abc\n");
    let (r, report) = read(&p, &source(&p, Level::Iris));
    let table = r.unwrap();
    let f = fatal(&report);
    assert!(f[0].contains("t.csv:2:3: error: column `P21_POP75P`: `abc` is not a number"), "{f:?}");
    assert_eq!(table.get(&iris("381850101"), "pop_75p"), Cell::Missing);
    assert_eq!(table.get(&iris("381850101"), "pop"), Cell::Value(12.0));
}

#[test]
fn secret_statistique_is_masked_never_zero() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "caf.csv", "\u{feff}CODGEO;A;ARSAS;AAAH\n381850101;1 552;;s\n".as_bytes());
    let mut src = source(&p, Level::Iris);
    src.sets = vec!["caf".into()];
    src.blank = Blank::Masked;
    src.vintage = Some(2020);
    let (r, report) = read(&p, &src);
    let t = r.unwrap();
    assert!(fatal(&report).is_empty());
    let z = iris("381850101");
    assert_eq!(t.get(&z, "caf_allocataires"), Cell::Value(1552.0));
    assert_eq!(t.get(&z, "caf_rsa_socle"), Cell::Masked);
    assert_eq!(t.get(&z, "caf_aah"), Cell::Masked);
    assert_eq!(t.variable("caf_rsa_socle").unwrap().vintages[0], Some(2020));
}

#[test]
fn wrong_separator_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", b"IRIS,P21_POP\n381850101,12\n");
    let mut src = source(&p, Level::Iris);
    src.separator = Some(';');
    let err = read(&p, &src).0.unwrap_err().to_string();
    assert!(err.contains("t.csv:1: wrong separator") && err.contains("`,`-separated"), "{err}");
    let q = write(dir.path(), "pipe.csv", b"IRIS|P21_POP\n381850101|12\n");
    let err = read(&q, &source(&q, Level::Iris)).0.unwrap_err().to_string();
    assert!(err.contains("pipe.csv:1: cannot find a separator"), "{err}");
}

#[test]
fn latin1_file_is_read_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "ref.csv", b"CODE_IRIS;LIB_IRIS;DEPCOM\n381850102;Tr\xe8s-Clo\xeetres;38185\n");
    let (r, report) = read(&p, &source(&p, Level::Iris));
    let t = r.unwrap();
    assert_eq!(t.zones()[0].name.as_deref(), Some("Très-Cloîtres"));
    assert!(
        report.problems.iter().any(|p| p.severity == Severity::Note && p.to_string().contains("ref.csv:2:13: note")),
        "{:?}",
        report.problems
    );
}

#[test]
fn zone_code_of_wrong_length_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", b"P21_POP;IRIS\n12;38185010\n");
    let (_, report) = read(&p, &source(&p, Level::Iris));
    let f = fatal(&report);
    assert!(f[0].contains("t.csv:2:2: error: `38185010` is not a valid iris code: 9 characters"), "{f:?}");
}

#[test]
fn leading_zeros_and_corsica_survive() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "c.csv", b"CODGEO;NBMEN19\n01001;12,5\n2A004;3\n");
    let (r, _) = read(&p, &source(&p, Level::Commune));
    let t = r.unwrap();
    let codes: Vec<&str> = t.zones().iter().map(|z| z.code.as_str()).collect();
    assert_eq!(codes, ["01001", "2A004"]);
    assert_eq!(t.get(&ZoneCode::new(Level::Commune, "01001").unwrap(), "fisc_men"), Cell::Value(12.5));
}

#[test]
fn ragged_row_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", b"IRIS;P21_POP\n381850101;12;7\n");
    let err = read(&p, &source(&p, Level::Iris)).0.unwrap_err().to_string();
    assert!(err.contains("t.csv:2:3: row has 3 fields but the header has 2"), "{err}");
}

#[test]
fn short_row_is_an_error_at_its_first_missing_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", b"IRIS;P21_POP;P21_POP75P\n381850101;12;3\n381850102;7\n381850103;9;1\n");
    let err = read(&p, &source(&p, Level::Iris)).0.unwrap_err().to_string();
    assert!(
        err.contains(
            "t.csv:3:3: row has 2 field(s) but the header has 3: `P21_POP75P` and the columns after it are missing (a truncated line?)"
        ),
        "{err}"
    );
    // a file cut in the middle of its last line
    let q = write(dir.path(), "cut.csv", b"IRIS;P21_POP;P21_POP75P\n381850101;12;3\n3818501");
    let err = read(&q, &source(&q, Level::Iris)).0.unwrap_err().to_string();
    assert!(err.contains("cut.csv:3:2: row has 1 field(s) but the header has 3: `P21_POP`"), "{err}");
    // trailing unnamed columns may still be absent
    let r = write(dir.path(), "trail.csv", b"IRIS;P21_POP;;\n381850101;12\n");
    assert!(read(&r, &source(&r, Level::Iris)).0.is_ok());
}

#[test]
fn runaway_quote_is_located_where_it_opened() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("CODE_IRIS;LIB_IRIS;P21_POP\n381850101;Centre;120\n381850102;\"Les Granges;340\n");
    for i in 3..=20 {
        writeln!(text, "3818501{i:02};Quartier {i};{}", 100 + i).unwrap();
    }
    let p = write(dir.path(), "t.csv", text.as_bytes());
    let err = read(&p, &source(&p, Level::Iris)).0.unwrap_err().to_string();
    assert!(
        err.contains("t.csv:3:2: a quote opened here is not closed on its line: field 2 (`\"Les Granges;340…`) swallows the 18 line(s) after it; remove the stray `\"` or close it"),
        "{err}"
    );
    // on the last line it is a short row with a hint
    let q = write(dir.path(), "last.csv", b"CODE_IRIS;LIB_IRIS;P21_POP\n381850101;\"Les Granges;340\n");
    let err = read(&q, &source(&q, Level::Iris)).0.unwrap_err().to_string();
    assert!(err.contains("last.csv:2:3: row has 2 field(s) but the header has 3: `P21_POP` and the columns after it are missing (field 2 holds `;` inside quotes: a stray `\"`?)"), "{err}");
    // quoted text over two lines, separator included, is a name like any other
    let r = write(dir.path(), "ok.csv", b"CODE_IRIS;LIB_IRIS;P21_POP\n381850101;\"Les Granges;\nHaut\";12\n381850102;Gare;3\n");
    let (t, report) = read(&r, &source(&r, Level::Iris));
    let t = t.unwrap();
    assert_eq!(t.zones()[0].name.as_deref(), Some("Les Granges;\nHaut"));
    assert_eq!(t.get(&iris("381850102"), "pop"), Cell::Value(3.0));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn header_only_table_is_a_warning_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", b"IRIS;P21_POP\n\n");
    let (r, report) = read(&p, &source(&p, Level::Iris));
    assert!(r.unwrap().is_empty());
    let shown: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown, [format!("{}: warning: the table has a header but no data rows; nothing was read from it", p.display())]);
}

#[test]
fn implausible_counts_are_errors_at_their_cell() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "t.csv",
        b"IRIS;P21_POP;P21_POP75P;C21_MEN;C21_FAM\n381850101;-1 823;12;4;2\n381850102;NaN;inf;1e308;1e26\n381850103;1e309;-0,5;3;1\n",
    );
    let (r, report) = read(&p, &source(&p, Level::Iris));
    let t = r.unwrap();
    let f = fatal(&report);
    let expected = [
        "t.csv:2:2: error: column `P21_POP`: `-1 823` is out of range for a count (`pop` is negative; counts are between 0 and 1000000000)",
        "t.csv:3:2: error: column `P21_POP`: `NaN` is not a finite number; a figure that is not known must be an empty cell",
        "t.csv:3:3: error: column `P21_POP75P`: `inf` is not a finite number; a figure that is not known must be an empty cell",
        "t.csv:3:4: error: column `C21_MEN`: `1e308` is out of range for a count (`men` is more than 1000000000 in one zone; counts are between 0 and 1000000000)",
        "t.csv:3:5: error: column `C21_FAM`: `1e26` is out of range for a count (`fam` is more than 1000000000 in one zone; counts are between 0 and 1000000000)",
        "t.csv:4:2: error: column `P21_POP`: `1e309` is not a finite number; a figure that is not known must be an empty cell",
        "t.csv:4:3: error: column `P21_POP75P`: `-0,5` is out of range for a count (`pop_75p` is negative; counts are between 0 and 1000000000)",
    ];
    for e in expected {
        assert!(f.iter().any(|m| m.ends_with(e)), "{e}\n{f:#?}");
    }
    assert_eq!(f.len(), expected.len(), "{f:#?}");
    // refused cells are missing (and the run fatal), never zero
    assert_eq!(t.get(&iris("381850101"), "pop"), Cell::Missing);
    assert_eq!(t.get(&iris("381850102"), "pop"), Cell::Missing);
    assert_eq!(t.get(&iris("381850101"), "pop_75p"), Cell::Value(12.0));
}

#[test]
fn shares_and_incomes_may_be_negative_but_must_be_finite() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "filo.csv", b"IRIS;DISP_PPFAM20;DISP_MED20\n381850101;-0,4;21 480\n381850102;3,1;NaN\n");
    let (r, report) = read(&p, &source(&p, Level::Iris));
    let t = r.unwrap();
    assert_eq!(t.get(&iris("381850101"), "disp_ppfam"), Cell::Value(-0.4));
    let f = fatal(&report);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].ends_with(
            "filo.csv:3:3: error: column `DISP_MED20`: `NaN` is not a finite number; a figure that is not known must be an empty cell"
        ),
        "{f:?}"
    );
}

// ------------------------------------------------------------------ whole configs (load)

/// A config in `dir` listing `tables` (file name, extra TOML lines), with the project's mapping.
fn load_tables(dir: &Path, tables: &[(&str, &str)]) -> fragnum_ingest::load::Loaded {
    load_tables_with(dir, "", tables)
}

/// [`load_tables`] with more `[project]` lines.
fn load_tables_with(dir: &Path, project: &str, tables: &[(&str, &str)]) -> fragnum_ingest::load::Loaded {
    let config = fragnum_ingest::config::PipelineConfig::load(&config_with(dir, project, tables)).unwrap();
    fragnum_ingest::load::load(&config, &mut |_| {}).unwrap()
}

fn config_with(dir: &Path, project: &str, tables: &[(&str, &str)]) -> PathBuf {
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/variables.toml"), dir.join("variables.toml")).unwrap();
    let mut toml = format!("[project]\nname = \"t\"\n{project}");
    for (name, extra) in tables {
        writeln!(toml, "[[table]]\npath = \"{name}\"\nlevel = \"iris\"\n{extra}").unwrap();
    }
    write(dir, "t.toml", toml.as_bytes())
}

fn warnings(report: &Report) -> Vec<String> {
    report.problems.iter().filter(|p| p.severity == Severity::Warning).map(ToString::to_string).collect()
}

#[test]
fn stratum_above_its_total_is_a_warning_with_both_figures() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pop.csv",
        b"IRIS;P21_POP;P21_POP1529;P21_POP0014\n381850101;1000;1010;100\n381850102;1000;1012;100\n381850103;500;100;100\n",
    );
    write(dir.path(), "men.csv", b"IRIS;C21_FAM;C21_FAMMONO;C21_MEN;C21_MENPSEUL\n381850101;40;52,4;90;30\n381850102;s;12;90;30\n");
    let loaded = load_tables(dir.path(), &[("pop.csv", ""), ("men.csv", "")]);
    let w = warnings(&loaded.report);
    let pop = dir.path().join("pop.csv").display().to_string();
    let men = dir.path().join("men.csv").display().to_string();
    // 1010 ≤ 1000 × 1.01 + 1 is within the tolerance; 1012 is not
    assert!(w.contains(&format!("{pop}:3:3: warning: zone 381850102: pop_1529 = 1012 exceeds pop = 1000 by more than 1 % + 1")), "{w:#?}");
    assert!(w.contains(&format!("{men}:2:3: warning: zone 381850101: fam_mono = 52.4 exceeds fam = 40 by more than 1 % + 1")), "{w:#?}");
    assert_eq!(w.len(), 2, "{w:#?}");
    assert!(!loaded.report.has_fatal());
}

#[test]
fn age_bands_above_the_population_are_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pop.csv",
        b"IRIS;P21_POP;P21_POP0014;P21_POP1529;P21_POP3044;P21_POP4559;P21_POP6074;P21_POP75P\n381850101;600;100;100;100;100;100;120\n",
    );
    let loaded = load_tables(dir.path(), &[("pop.csv", "")]);
    let w = warnings(&loaded.report);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].ends_with("pop.csv:2:3: warning: zone 381850101: pop_0014 + … + pop_75p = 620 exceeds pop = 600 by more than 1 % + 1"),
        "{w:#?}"
    );
}

#[test]
fn conflicting_tables_are_one_warning_per_variable() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", b"IRIS;P21_POP;C21_MEN\n381850101;120;50\n381850102;80;30\n381850103;70;30\n");
    // same vintage: pop differs on two zones (round-off aside), men agrees
    write(dir.path(), "b.csv", b"IRIS;P21_POP;C21_MEN\n381850101;125;50\n381850102;80,0000001;30\n381850103;72;30\n");
    // a newer vintage is no conflict: it wins, as documented
    write(dir.path(), "c.csv", b"IRIS;P22_POP\n381850101;130\n");
    let loaded = load_tables(dir.path(), &[("a.csv", ""), ("b.csv", ""), ("c.csv", "")]);
    let w = warnings(&loaded.report);
    assert_eq!(w.len(), 1, "{w:#?}");
    let b = dir.path().join("b.csv").display().to_string();
    assert_eq!(
        w[0],
        format!(
            "{b}:2:2: warning: `pop`: 2 zone(s) get two different figures from two tables (largest difference 5); at equal vintage the first table read is kept: zone 381850101: 120 (2021, a.csv:2:2) kept, 125 (2021, b.csv:2:2) set aside; zone 381850103: 70 (2021, a.csv:4:2) kept, 72 (2021, b.csv:4:2) set aside"
        )
    );
    assert_eq!(loaded.table.get(&iris("381850101"), "pop"), Cell::Value(130.0));
    assert_eq!(loaded.table.get(&iris("381850103"), "pop"), Cell::Value(70.0));
}

/// The two tables of [`conflicting_tables_are_one_warning_per_variable`], and a third whose
/// newer vintage wins whatever the rule.
fn conflicting_tables(dir: &Path) {
    write(dir, "a.csv", b"IRIS;P21_POP;C21_MEN\n381850101;120;50\n381850102;80;30\n381850103;70;30\n");
    write(dir, "b.csv", b"IRIS;P21_POP;C21_MEN\n381850101;125;50\n381850102;80,0000001;30\n381850103;72;30\n");
    write(dir, "c.csv", b"IRIS;P22_POP\n381850102;90\n");
}

const CONFLICTING: [(&str, &str); 3] = [("a.csv", ""), ("b.csv", ""), ("c.csv", "")];

#[test]
fn on_conflict_keep_last_keeps_the_table_listed_last() {
    let dir = tempfile::tempdir().unwrap();
    conflicting_tables(dir.path());
    let loaded = load_tables_with(dir.path(), "on_conflict = \"keep_last\"\n", &CONFLICTING);
    let w = warnings(&loaded.report);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].contains("`pop`: 2 zone(s) get two different figures from two tables (largest difference 5); at equal vintage the last table read is kept: zone 381850101: 125 (2021, b.csv:2:2) kept, 120 (2021, a.csv:2:2) set aside; zone 381850103: 72 (2021, b.csv:4:2) kept, 70 (2021, a.csv:4:2) set aside"),
        "{w:#?}"
    );
    assert!(!loaded.report.has_fatal());
    assert_eq!(loaded.table.get(&iris("381850101"), "pop"), Cell::Value(125.0));
    assert_eq!(loaded.table.get(&iris("381850103"), "pop"), Cell::Value(72.0));
    // round-off is no conflict, and a newer vintage wins whatever the rule
    assert_eq!(loaded.table.get(&iris("381850102"), "pop"), Cell::Value(90.0));
    // The default is `keep_first`, as written.
    let first = load_tables_with(dir.path(), "on_conflict = \"keep_first\"\n", &CONFLICTING);
    let default = load_tables(dir.path(), &CONFLICTING);
    assert_eq!(warnings(&first.report), warnings(&default.report));
    assert_eq!(default.table.get(&iris("381850101"), "pop"), Cell::Value(120.0));
}

#[test]
fn on_conflict_error_makes_each_conflict_fatal_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    conflicting_tables(dir.path());
    let loaded = load_tables_with(dir.path(), "on_conflict = \"error\"\n", &CONFLICTING);
    let (a, b) = (dir.path().join("a.csv").display().to_string(), dir.path().join("b.csv").display().to_string());
    assert_eq!(
        fatal(&loaded.report),
        [
            format!(
                "{b}:2:2: error: `pop`: zone 381850101 gets two different figures from two tables: 120 (2021, {a}:2:2) and 125 (2021, {b}:2:2); `on_conflict = \"error\"` in [project] refuses them (`keep_first` or `keep_last` keeps one)"
            ),
            format!(
                "{b}:4:2: error: `pop`: zone 381850103 gets two different figures from two tables: 70 (2021, {a}:4:2) and 72 (2021, {b}:4:2); `on_conflict = \"error\"` in [project] refuses them (`keep_first` or `keep_last` keeps one)"
            ),
        ]
    );
    assert!(warnings(&loaded.report).iter().all(|w| !w.contains("two different figures")), "{:#?}", warnings(&loaded.report));
}

#[test]
fn on_conflict_takes_one_of_three_values() {
    let dir = tempfile::tempdir().unwrap();
    conflicting_tables(dir.path());
    let config = config_with(dir.path(), "on_conflict = \"newest\"\n", &CONFLICTING);
    let err = fragnum_ingest::config::PipelineConfig::load(&config).unwrap_err().to_string();
    assert!(err.contains("t.toml:3:") && err.contains("newest") && err.contains("keep_first"), "{err}");
}

// ------------------------------------------------------------------ contours

fn contour(path: &Path, level: Level) -> ContourSource {
    ContourSource { path: path.to_path_buf(), level, code_property: None, crs: None }
}

fn write_square_shapefile(dir: &Path, name: &str) -> PathBuf {
    use shapefile::dbase::{FieldValue, Record, TableWriterBuilder};
    let path = dir.join(name);
    let table = TableWriterBuilder::new().add_character_field("CODE_IRIS".try_into().unwrap(), 9);
    let mut w = shapefile::Writer::from_path(&path, table).unwrap();
    let ring = |x0: f64| {
        vec![
            shapefile::Point::new(x0, 6_600_000.0),
            shapefile::Point::new(x0, 6_601_000.0),
            shapefile::Point::new(x0 + 1000.0, 6_601_000.0),
            shapefile::Point::new(x0 + 1000.0, 6_600_000.0),
            shapefile::Point::new(x0, 6_600_000.0),
        ]
    };
    for (i, code) in ["381850101", "381850102"].iter().enumerate() {
        let poly = shapefile::Polygon::new(shapefile::PolygonRing::Outer(ring(700_000.0 + 1000.0 * i as f64)));
        let mut rec = Record::default();
        rec.insert("CODE_IRIS".into(), FieldValue::Character(Some((*code).into())));
        w.write_shape_and_record(&poly, &rec).unwrap();
    }
    drop(w);
    path
}

#[test]
fn shapefile_in_lambert93_is_reprojected() {
    let dir = tempfile::tempdir().unwrap();
    let shp = write_square_shapefile(dir.path(), "c.shp");
    std::fs::write(shp.with_extension("prj"), "EPSG:2154").unwrap();
    let mut report = Report::default();
    let f = read_contours(&shp, &contour(&shp, Level::Iris), &mut report).unwrap();
    assert_eq!(f.len(), 2);
    let c = f[0].geometry.as_ref().unwrap().0[0].exterior().0[0];
    assert!((c.x - 3.0).abs() < 1e-6 && (c.y - 46.5).abs() < 1e-6, "{c:?}");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn missing_or_unknown_prj_is_a_crs_error() {
    let dir = tempfile::tempdir().unwrap();
    let shp = write_square_shapefile(dir.path(), "c.shp");
    let mut report = Report::default();
    let err = read_contours(&shp, &contour(&shp, Level::Iris), &mut report).unwrap_err().to_string();
    assert!(err.contains("c.prj") && err.contains("missing .prj"), "{err}");
    std::fs::write(shp.with_extension("prj"), "PROJCS[\"nowhere\"]").unwrap();
    let err = read_contours(&shp, &contour(&shp, Level::Iris), &mut report).unwrap_err().to_string();
    assert!(err.contains("c.prj") && err.contains("unknown CRS"), "{err}");
}

#[test]
fn truncated_shapefile_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let shp = write_square_shapefile(dir.path(), "c.shp");
    std::fs::write(shp.with_extension("prj"), "EPSG:2154").unwrap();
    let bytes = std::fs::read(&shp).unwrap();
    std::fs::write(&shp, &bytes[..bytes.len() - 40]).unwrap();
    let mut report = Report::default();
    let err = read_contours(&shp, &contour(&shp, Level::Iris), &mut report).unwrap_err().to_string();
    assert!(err.contains("c.shp") && err.contains("cannot read shape"), "{err}");
}

const SQUARE: &str = "[[[5.7,45.1],[5.71,45.1],[5.71,45.11],[5.7,45.11],[5.7,45.1]]]";

#[test]
fn empty_geometry_is_kept_without_outline_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let json = format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","properties":{{"CODE_IRIS":"381850101"}},"geometry":null}},
        {{"type":"Feature","properties":{{"CODE_IRIS":"381850102"}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}}]}}"#
    );
    let p = write(dir.path(), "c.geojson", json.as_bytes());
    let mut report = Report::default();
    let f = read_contours(&p, &contour(&p, Level::Iris), &mut report).unwrap();
    assert!(f[0].geometry.is_none() && f[1].geometry.is_some());
    assert!(report.problems.iter().any(|p| p.to_string().contains("zone 381850101) has an empty geometry")), "{:?}", report.problems);
}

#[test]
fn geojson_crs_member_is_honoured_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let l93 = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},
        "features":[{"type":"Feature","properties":{"CODE_IRIS":"381850101"},
        "geometry":{"type":"Polygon","coordinates":[[[700000,6600000],[701000,6600000],[701000,6601000],[700000,6600000]]]}}]}"#;
    let p = write(dir.path(), "l93.geojson", l93.as_bytes());
    let mut report = Report::default();
    let f = read_contours(&p, &contour(&p, Level::Iris), &mut report).unwrap();
    let c = f[0].geometry.as_ref().unwrap().0[0].exterior().0[0];
    assert!((c.x - 3.0).abs() < 1e-6, "{c:?}");
    assert!(report.problems.iter().any(|p| p.to_string().contains("legacy `crs` member")));
    let odd = l93.replace("urn:ogc:def:crs:EPSG::2154", "urn:x-local:my-grid");
    let p = write(dir.path(), "odd.geojson", odd.as_bytes());
    let err = read_contours(&p, &contour(&p, Level::Iris), &mut report).unwrap_err().to_string();
    assert!(err.contains("odd.geojson") && err.contains("unknown `crs` member"), "{err}");
}

#[test]
fn projected_coordinates_without_crs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"type":"Feature","properties":{"CODE_IRIS":"381850101"},
        "geometry":{"type":"Polygon","coordinates":[[[700000,6600000],[701000,6600000],[701000,6601000],[700000,6600000]]]}}"#;
    let p = write(dir.path(), "nocrs.geojson", json.as_bytes());
    let mut report = Report::default();
    let err = read_contours(&p, &contour(&p, Level::Iris), &mut report).unwrap_err().to_string();
    assert!(err.contains("nocrs.geojson") && err.contains("not longitude/latitude") && err.contains("EPSG:2154"), "{err}");
}

#[test]
fn invalid_json_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.geojson", b"{\"type\": \"FeatureCollection\",\n \"features\": [,]}");
    let mut report = Report::default();
    let err = read_contours(&p, &contour(&p, Level::Iris), &mut report).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2:", p.display())), "{err}");
}

// ------------------------------------------------------------------ road shapefiles

/// A BD TOPO road row: (points, `NATURE`, `IMPORTANCE`, `SENS`, `VIT_MOY_VL`, `ACCES_VL`).
type Troncon<'a> = (&'a [(f64, f64)], &'a str, f64, &'a str, f64, &'a str);

/// A BD TOPO-style road layer in Lambert-93: a two-way primary road (700 000 → 701 000 m east),
/// a one-way street against its digitising direction, a ferry and a track closed to cars.
fn write_road_shapefile(dir: &Path, with_prj: bool) -> PathBuf {
    use shapefile::dbase::{FieldValue, Record, TableWriterBuilder};
    let path = dir.join("troncon_de_route.shp");
    let field = |n: &str| n.try_into().unwrap();
    let table = TableWriterBuilder::new()
        .add_character_field(field("NATURE"), 40)
        .add_numeric_field(field("IMPORTANCE"), 2, 0)
        .add_character_field(field("SENS"), 20)
        .add_numeric_field(field("VIT_MOY_VL"), 4, 0)
        .add_character_field(field("ACCES_VL"), 40);
    let mut w = shapefile::Writer::from_path(&path, table).unwrap();
    let line = |pts: &[(f64, f64)]| shapefile::Polyline::new(pts.iter().map(|&(x, y)| shapefile::Point::new(x, y)).collect());
    let rows: [Troncon<'_>; 4] = [
        (
            &[(700_000.0, 6_600_000.0), (700_500.0, 6_600_000.0), (701_000.0, 6_600_000.0)],
            "Route à 1 chaussée",
            2.0,
            "Double sens",
            70.0,
            "Libre",
        ),
        (&[(701_000.0, 6_600_000.0), (701_000.0, 6_600_500.0)], "Route à 1 chaussée", 5.0, "Sens inverse", 30.0, "Libre"),
        (&[(701_000.0, 6_600_500.0), (702_000.0, 6_600_500.0)], "Bac ou liaison maritime", 5.0, "Double sens", 10.0, "Libre"),
        (&[(700_000.0, 6_600_000.0), (700_000.0, 6_599_000.0)], "Chemin", 5.0, "Double sens", 0.0, "Physiquement impossible"),
    ];
    for (pts, nature, importance, sens, speed, access) in rows {
        let mut rec = Record::default();
        rec.insert("NATURE".into(), FieldValue::Character(Some(nature.into())));
        rec.insert("IMPORTANCE".into(), FieldValue::Numeric(Some(importance)));
        rec.insert("SENS".into(), FieldValue::Character(Some(sens.into())));
        rec.insert("VIT_MOY_VL".into(), FieldValue::Numeric(Some(speed)));
        rec.insert("ACCES_VL".into(), FieldValue::Character(Some(access.into())));
        w.write_shape_and_record(&line(pts), &rec).unwrap();
    }
    drop(w);
    if with_prj {
        std::fs::write(path.with_extension("prj"), "EPSG:2154").unwrap();
    }
    path
}

#[test]
fn bd_topo_road_shapefile_is_reprojected_and_understood() {
    let dir = tempfile::tempdir().unwrap();
    let shp = write_road_shapefile(dir.path(), true);
    let net = fragnum_ingest::roads::read_roads(&shp, &mut Report::default()).unwrap();
    // 700 000 / 6 600 000 m in Lambert-93 is the projection origin: 3° E, 46.5° N.
    assert!((net.nodes[0][0] - 3.0).abs() < 1e-6 && (net.nodes[0][1] - 46.5).abs() < 1e-6, "{:?}", net.nodes[0]);
    // lines sharing an end share the node: 3 + 1 + 1 (ferry dropped, its nodes never added)
    assert_eq!(net.nodes.len(), 5);
    assert_eq!(net.notes.dropped["ferry (bac): not a road"], 1);
    let class = |i: usize| net.class_name(&net.edges[i]).to_string();
    assert_eq!(class(0), "primary"); // IMPORTANCE 2
    assert!(net.edges[..4].iter().all(|e| e.car && e.maxspeed_kmh == Some(70.0)));
    // "Sens inverse": cars only from the second point to the first
    let street: Vec<_> = net.edges.iter().filter(|e| e.maxspeed_kmh == Some(30.0)).collect();
    assert_eq!(street.len(), 2);
    assert!(street.iter().all(|e| e.walk));
    assert_eq!(street.iter().filter(|e| e.car).map(|e| (e.from, e.to)).collect::<Vec<_>>(), vec![(3, 2)]);
    // the track is walkable, not drivable; VIT_MOY_VL 0 is no speed
    let track: Vec<_> = net.edges.iter().filter(|e| net.class_name(e) == "track").collect();
    assert!(track.len() == 2 && track.iter().all(|e| !e.car && e.walk && e.maxspeed_kmh.is_none()));
    let segment = net.edges[0].length_m;
    assert!((segment - 500.0).abs() < 1.0, "{segment}"); // Lambert-93 scale error is tiny at 46.5° N
}

#[test]
fn road_shapefile_without_prj_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let shp = write_road_shapefile(dir.path(), false);
    let err = fragnum_ingest::roads::read_roads(&shp, &mut Report::default()).unwrap_err().to_string();
    assert!(err.contains("troncon_de_route.prj") && err.contains("missing .prj"), "{err}");
}

#[test]
fn road_shapefile_of_polygons_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let shp = write_square_shapefile(dir.path(), "r.shp");
    std::fs::write(shp.with_extension("prj"), "EPSG:2154").unwrap();
    let err = fragnum_ingest::roads::read_roads(&shp, &mut Report::default()).unwrap_err().to_string();
    assert!(err.contains("r.shp") && err.contains("expected a polyline"), "{err}");
}

// ------------------------------------------------------------------ OSM PBF

#[test]
fn broken_pbf_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8]); 3] = [
        ("empty.osm.pbf", b""),
        ("text.osm.pbf", b"<?xml version='1.0'?><osm version='0.6'></osm>\n"),
        // a blob header announcing 1,000 bytes, then the end of the file
        ("truncated.osm.pbf", &[0, 0, 3, 232, 10, 9, b'O', b'S', b'M', b'H', b'e', b'a', b'd', b'e', b'r']),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = fragnum_ingest::roads::read_roads(&path, &mut Report::default()).unwrap_err().to_string();
        assert!(err.contains(name), "{name}: {err}");
    }
}
