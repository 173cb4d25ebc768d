//! End-to-end: the `fragnum` binary on the demo territory, in a temporary copy of the project's
//! config folder, exactly as `make demo` runs it.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

mod common;

use std::path::{Path, PathBuf};

use common::{demo_project, fragnum, text};

#[test]
fn demo_pipeline_runs_end_to_end() {
    let (dir, config) = demo_project();
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("zones per département and level"), "{log}");
    let outputs = dir.path().join("notebooks-out/demo");
    for f in ["zones.parquet", "zones.csv", "zones_long.parquet", "zones_long.csv", "zones.geojson", "indices.parquet", "indices.csv"] {
        assert!(outputs.join(f).is_file(), "missing {f}; log:\n{log}");
    }
    for f in [
        "access_zones.csv",
        "access_points.parquet",
        "access_siting.csv",
        "isochrones.geojson",
        "maps/no_daily_internet_part.geojson",
        "maps/no_daily_internet_part-web.png",
        "maps/acces_20min_part-a4.svg",
        "sheets/index.html",
        "sheets/001000105.html",
        "sheets/groupe-valbrune-nord.html",
    ] {
        assert!(outputs.join(f).is_file(), "missing {f}; log:\n{log}");
    }
    // Every sheet escapes the hostile site name of the demo.
    for entry in std::fs::read_dir(outputs.join("sheets")).unwrap() {
        let html = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!html.contains("<script>alert(1)</script>"), "unescaped site name");
    }
    let csv = std::fs::read_to_string(outputs.join("zones.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("001000101,iris,")), "{csv}");
    // No temporary file left behind by the atomic writers.
    let leftovers: Vec<_> = std::fs::read_dir(&outputs)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn demo_weighs_supply_against_need() {
    let (dir, config) = demo_project();
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let outputs = dir.path().join("notebooks-out/demo");
    let equity = common::read_rows(&outputs.join("access_equity.csv"));
    assert_eq!(equity.iter().map(|r| r["group"].as_str()).collect::<Vec<_>>(), ["ensemble", "200000001", "200000002"]);
    // 2SFCA conserves supply: every advisor of the demo (2 per France Services, 1 elsewhere:
    // 10 in all, from the config's defaults) is shared out among the people in need it reaches.
    let all = &equity[0];
    let advisors = common::num(all, "advisors_per_10000_2sfca").unwrap() * common::num(all, "need").unwrap() / 10_000.0;
    assert!((advisors - 10.0).abs() < 1e-6, "{advisors}");
    assert_eq!(all["need_of"], "no_daily_internet");
    let sites = common::read_rows(&outputs.join("access_sites.csv"));
    assert!(sites.iter().all(|s| s["advisors_source"].starts_with("config default for ")), "{sites:?}");
    let optimum = common::read_rows(&outputs.join("access_siting_optimum.csv"));
    assert_eq!(optimum[0]["proven"], "true");
    assert!(common::num(&optimum[0], "optimum_weight") >= common::num(&optimum[0], "greedy_weight"));
    let added = common::read_rows(&outputs.join("access_capacity_siting.csv"));
    assert!(!added.is_empty() && common::num(&added[0], "unmet_need_reduced").unwrap() > 0.0, "{added:?}");
    for f in ["maps/offre_2sfca.geojson", "maps/offre_e2sfca-a4.svg"] {
        assert!(outputs.join(f).is_file(), "missing {f}");
    }
    let sheet = std::fs::read_to_string(outputs.join("sheets/001000105.html")).unwrap();
    assert!(sheet.contains("Offre rapportée au besoin (2SFCA, 20 minutes)"), "{sheet}");
    assert!(sheet.contains("Deuxième lieu le plus proche"));
}

#[test]
fn quiet_prints_nothing_but_problems() {
    let (_dir, config) = demo_project();
    let out = fragnum(&["run", "--quiet", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(out.stdout.is_empty(), "stdout under --quiet:\n{}", String::from_utf8_lossy(&out.stdout));
    // `render` is the same command as `run`.
    let out = fragnum(&["render", "--quiet", "--config", config.to_str().unwrap()]);
    assert!(out.status.success() && out.stdout.is_empty(), "{}", text(&out));
}

#[test]
fn demo_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [&a, &b] {
        let out = fragnum(&["demo", "--out", d.path().to_str().unwrap(), "--seed", "7"]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let mut names: Vec<_> = std::fs::read_dir(a.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(names.len() >= 10);
    for n in names {
        assert_eq!(std::fs::read(a.path().join(&n)).unwrap(), std::fs::read(b.path().join(&n)).unwrap(), "{n:?} differs");
    }
}

#[test]
fn validate_lists_every_problem_with_location_and_fails() {
    let (dir, config) = demo_project();
    // Break two inputs: a non-numeric count and a duplicated code.
    let pop = dir.path().join("data/demo/base-ic-evol-struct-pop-2021.csv");
    let mut lines: Vec<String> = std::fs::read_to_string(&pop).unwrap().lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(';').collect();
    let pop_col = header.iter().position(|h| *h == "P21_POP").unwrap();
    let mut fields: Vec<String> = lines[1].split(';').map(str::to_string).collect();
    fields[pop_col] = "douze".into();
    lines[1] = fields.join(";");
    let duplicate = lines[2].clone();
    lines.push(duplicate);
    std::fs::write(&pop, lines.join("\n") + "\n").unwrap();

    let out = fragnum(&["validate", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    let file = pop.display().to_string();
    assert!(log.contains(&format!("{file}:2:{}: error: column `P21_POP`: `douze` is not a number", pop_col + 1)), "{log}");
    assert!(log.contains("error: duplicate zone code"), "{log}");
    // ingest refuses to write outputs from bad inputs.
    let out = fragnum(&["ingest", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!dir.path().join("notebooks-out/demo/zones.parquet").exists());
}

#[test]
fn missing_config_is_a_clear_error() {
    let out = fragnum(&["ingest", "--config", "/nonexistent/fragnum.toml"]);
    let log = text(&out);
    assert!(!out.status.success());
    assert!(log.contains("/nonexistent/fragnum.toml"), "{log}");
}

#[test]
fn help_explains_the_commands() {
    let out = fragnum(&["--help"]);
    let log = text(&out);
    for c in ["demo", "validate", "ingest", "run"] {
        assert!(log.contains(c), "{log}");
    }
}

/// The demo roads as a BD TOPO-style Lambert-93 shapefile give the same accessibility as their
/// GeoJSON twin: same classes, one-ways and speeds, through a different reader and PROJ.
#[test]
fn road_shapefile_twin_gives_the_same_access() {
    let (dir, config) = demo_project();
    let run = |config: &Path| {
        let out = fragnum(&["access", "--config", config.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        std::fs::read_to_string(dir.path().join("notebooks-out/demo/access_zones.csv")).unwrap()
    };
    let from_geojson = run(&config);
    let toml = std::fs::read_to_string(&config).unwrap().replace("../data/demo/roads.geojson", "../data/demo/troncon_de_route.shp");
    std::fs::write(&config, toml).unwrap();
    let from_shapefile = run(&config);
    let rows = |csv: &str| csv.lines().map(|l| l.split(',').map(String::from).collect::<Vec<_>>()).collect::<Vec<_>>();
    let (a, b) = (rows(&from_geojson), rows(&from_shapefile));
    assert_eq!(a.len(), b.len());
    assert_eq!(a[0], b[0]);
    let header = &a[0];
    for (ra, rb) in a.iter().zip(&b).skip(1) {
        for ((name, x), y) in header.iter().zip(ra).zip(rb) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                // GeoJSON positions are rounded to 1e-7°: times may differ by a few milliseconds
                (Ok(x), Ok(y)) => assert!((x - y).abs() <= 1e-3 * x.abs().max(1.0), "{name}: {x} vs {y}"),
                _ => assert_eq!(x, y, "{name}"),
            }
        }
    }
}

/// A wrong `[render]` or `[access]` value fails `validate` and `run` at once, naming the config,
/// not after the indices and travel times.
#[test]
fn bad_render_section_fails_fast() {
    let (_dir, config) = demo_project();
    let toml = std::fs::read_to_string(&config).unwrap().replace("simplify_m = 10", "simplify_m = -10");
    std::fs::write(&config, toml).unwrap();
    for command in ["validate", "run"] {
        let out = fragnum(&[command, "--config", config.to_str().unwrap()]);
        let log = text(&out);
        assert!(!out.status.success(), "{command}: {log}");
        assert!(log.contains("demo.toml") && log.contains("simplify_m = -10"), "{command}: {log}");
        assert!(!log.contains("access: outputs written"), "{command} went on: {log}");
    }
}

/// Every `href="….html"` of a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"'))
        .map(|(l, _)| l.to_string())
        .filter(|l| Path::new(l).extension().is_some_and(|e| e == "html"))
        .collect()
}

/// Groups whose names fold to the same slug, differ only by case, are `index` or look like an
/// IRIS code each get their own sheet, and the index links each to its own file.
#[test]
fn sheet_names_never_collide() {
    let (dir, config) = demo_project();
    let toml = std::fs::read_to_string(&config).unwrap();
    let extra = "\"Haute-Vallée\" = [\"200000002\"]\n\"Haute-Vallèe\" = [\"001000101\", \"001000102\"]\n\"index\" = [\"001000103\"]\n\"001000105\" = [\"001000104\", \"001000106\"]\n\"Valbrune nord\" = [\"001000109\"]\n";
    let toml = toml.replacen("\"Haute-Vallée\" = [\"200000002\"]\n", extra, 1);
    assert!(toml.contains("\"index\" = "), "the demo config's groups changed");
    std::fs::write(&config, toml).unwrap();
    let out = fragnum(&["render", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let sheets = dir.path().join("notebooks-out/demo/sheets");
    let files: Vec<String> = std::fs::read_dir(&sheets).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    // 20 zones, 4 groups of the demo and 4 added, and the index.
    assert_eq!(files.len(), 20 + 8 + 1, "{files:?}");
    assert!(log.contains("28 fact sheet(s)"), "{log}");
    let index = std::fs::read_to_string(sheets.join("index.html")).unwrap();
    // The sheets the index links (it also links the atlas, `../atlas/index.html`).
    let mut linked: Vec<String> = links(&index).into_iter().filter(|l| !l.starts_with("../")).collect();
    assert_eq!(linked.len(), 28, "{linked:?}");
    linked.sort();
    linked.dedup();
    assert_eq!(linked.len(), 28, "two rows link the same file");
    for l in &linked {
        assert!(files.contains(l), "the index links {l}, which is not written");
    }
    let read = |f: &str| std::fs::read_to_string(sheets.join(f)).unwrap();
    // The zone keeps its sheet; the group named like its code has its own.
    assert!(read("001000105.html").contains("code 001000105") && !read("001000105.html").contains("regroupement"));
    assert!(
        read("groupe-001000105.html").contains("<h1>001000105</h1>") && read("groupe-001000105.html").contains("regroupement de 2 zones")
    );
    // `index` is reserved, and no group's name can reach it.
    assert!(read("groupe-index.html").contains("<h1>index</h1>"));
    for (prefix, title) in [
        ("groupe-haute-vallee-", "Haute-Vallée"),
        ("groupe-haute-vallee-", "Haute-Vallèe"),
        ("groupe-valbrune-nord-", "Valbrune Nord"),
        ("groupe-valbrune-nord-", "Valbrune nord"),
    ] {
        let found = files.iter().filter(|f| f.starts_with(prefix)).filter(|f| read(f).contains(&format!("<h1>{title}</h1>"))).count();
        assert_eq!(found, 1, "{title}: {files:?}");
    }
    assert!(read("index.html").contains("<h1>Fiches quartier"), "the index is the index");
}

/// NUL, ESC and BEL in a zone name and a site name never reach a sheet, a map or zones.geojson.
#[test]
fn control_characters_from_inputs_are_dropped_from_what_people_read() {
    let (dir, config) = demo_project();
    let data = dir.path().join("data/demo");
    let reference = data.join("reference_IRIS_geo2021.csv");
    let csv = std::fs::read_to_string(&reference).unwrap().replacen(";Gare;", ";Ga\u{0}re\u{1b}[31m;", 1);
    std::fs::write(&reference, csv).unwrap();
    let sites = data.join("advisor-sites.csv");
    let csv =
        std::fs::read_to_string(&sites).unwrap().replacen("France services de Valbrune", "France services\u{7} de \u{1b}]0;Valbrune", 1);
    std::fs::write(&sites, csv).unwrap();
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let outputs = dir.path().join("notebooks-out/demo");
    let mut people: Vec<PathBuf> = ["sheets", "maps"]
        .iter()
        .flat_map(|d| std::fs::read_dir(outputs.join(d)).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "geojson" || e == "json" || e == "svg"))
        .collect();
    people.push(outputs.join("zones.geojson"));
    people.push(outputs.join("isochrones.geojson"));
    for path in &people {
        let body = std::fs::read_to_string(path).unwrap();
        assert!(!body.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "raw control character in {}", path.display());
        for escaped in ["\\u0000", "\\u001b", "\\u0007"] {
            assert!(!body.contains(escaped), "{escaped} in {}", path.display());
        }
    }
    let sheet = std::fs::read_to_string(outputs.join("sheets/001000102.html")).unwrap();
    assert!(sheet.contains("<h1>Gare[31m</h1>"), "the name is kept, less its control characters");
    let valbrune = std::fs::read_to_string(outputs.join("sheets/001000106.html")).unwrap();
    assert!(valbrune.contains("<li>France services de ]0;Valbrune (00100)</li>"), "the site is listed, less its control characters");
    let isochrones: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(outputs.join("isochrones.geojson")).unwrap()).unwrap();
    let names: Vec<&str> = isochrones["features"].as_array().unwrap().iter().map(|f| f["properties"]["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"France services de ]0;Valbrune"),
        "the isochrone keeps the site's name, less its control characters: {names:?}"
    );
}

/// Hex SHA-256 of a file, as `sha256sum` prints it.
fn sha256(path: &Path) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).iter().fold(String::new(), |h, b| h + &format!("{b:02x}"))
}

/// A run clears what a killed run left, and ends with a complete manifest vouching for each
/// file; a run that fails afterwards marks the folder incomplete and says so.
#[test]
fn manifest_says_what_a_run_wrote_and_whether_it_finished() {
    let (dir, config) = demo_project();
    let outputs = dir.path().join("notebooks-out/demo");
    // What a kill during an earlier run leaves: temporary files beside the targets.
    for d in ["", "maps", "sheets"] {
        std::fs::create_dir_all(outputs.join(d)).unwrap();
        std::fs::write(outputs.join(d).join(".fragnum-Ab12Cd.part"), b"half a file").unwrap();
    }
    std::fs::write(outputs.join("maps/old_layer.geojson"), b"{}").unwrap();
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("removed 3 temporary file(s)"), "{log}");
    for d in ["", "maps", "sheets"] {
        assert!(!outputs.join(d).join(".fragnum-Ab12Cd.part").exists(), "leftover in {d}/");
    }
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(outputs.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["fragnum_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["config"]["path"], "../../config/demo.toml");
    assert_eq!(manifest["config"]["sha256"], sha256(&config).as_str());
    let entries = |key: &str| manifest[key].as_array().unwrap().clone();
    let find =
        |key: &str, path: &str| entries(key).into_iter().find(|e| e["path"] == path).unwrap_or_else(|| panic!("{path} not in {key}"));
    assert_eq!(find("outputs", "zones.csv")["sha256"], sha256(&outputs.join("zones.csv")).as_str());
    for e in entries("outputs") {
        let path = outputs.join(e["path"].as_str().unwrap());
        assert_eq!(e["sha256"], sha256(&path).as_str(), "{path:?}");
        assert_eq!(e["size"], std::fs::metadata(&path).unwrap().len());
    }
    for f in ["indices.csv", "isochrones.geojson", "maps/acces_20min_part-a4.svg", "sheets/index.html", "sheets/groupe-valbrune-nord.html"]
    {
        find("outputs", f);
    }
    assert!(entries("outputs").iter().all(|e| e["path"] != "manifest.json"));
    assert_eq!(manifest["not_from_this_run"], serde_json::json!(["maps/old_layer.geojson"]));
    // Inputs as written in the config, shapefile companions included.
    let pop = dir.path().join("data/demo/base-ic-evol-struct-pop-2021.csv");
    assert_eq!(find("inputs", "../data/demo/base-ic-evol-struct-pop-2021.csv")["sha256"], sha256(&pop).as_str());
    for f in [
        "../data/demo/contours-iris.shp",
        "../data/demo/contours-iris.dbf",
        "../data/demo/roads.geojson",
        "rates/insee-2021-illectronisme.csv",
        "profiles/car.toml",
        "variables.toml",
    ] {
        find("inputs", f);
    }
    assert!(!manifest.to_string().contains(dir.path().to_str().unwrap()), "no machine path in the manifest");

    // The same folder, now from a run whose input is broken: not complete, and said so.
    let csv = std::fs::read_to_string(&pop).unwrap().replacen(';', ";douze;", 2);
    std::fs::write(&pop, csv).unwrap();
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(!out.status.success(), "{log}");
    assert!(log.contains("is incomplete") && log.contains("\"complete\": false"), "{log}");
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(outputs.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert_eq!(manifest["outputs"], serde_json::json!([]));
    assert_eq!(manifest["vintages"], serde_json::json!({}));
}

/// The manifest gives, per variable of the zone table, the vintages its figures were read at.
#[test]
fn manifest_lists_the_vintages_read_per_variable() {
    let (dir, config) = demo_project();
    // A newer Filosofi table giving the median income of one zone: it wins there.
    std::fs::write(dir.path().join("data/demo/filo-2022.csv"), "IRIS;DISP_MED22\n001000101;22500\n").unwrap();
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n[[table]]\npath = \"../data/demo/filo-2022.csv\"\nlevel = \"iris\"\n");
    std::fs::write(&config, toml).unwrap();
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let outputs = dir.path().join("notebooks-out/demo");
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(outputs.join("manifest.json")).unwrap()).unwrap();
    let vintages = manifest["vintages"].as_object().unwrap();
    assert_eq!(vintages["disp_med"], serde_json::json!([2021, 2022]));
    assert_eq!(vintages["pop"], serde_json::json!([2021]));
    // Exactly the vintages of zones_long, variable by variable.
    let mut in_zones_long: std::collections::BTreeMap<String, std::collections::BTreeSet<u16>> = std::collections::BTreeMap::new();
    for row in common::read_rows(&outputs.join("zones_long.csv")) {
        in_zones_long.entry(row["variable"].clone()).or_default().insert(row["vintage"].parse().unwrap());
    }
    let listed: std::collections::BTreeMap<String, std::collections::BTreeSet<u16>> = vintages
        .iter()
        .filter(|(_, v)| !v.as_array().unwrap().is_empty())
        .map(|(k, v)| (k.clone(), v.as_array().unwrap().iter().map(|y| u16::try_from(y.as_u64().unwrap()).unwrap()).collect()))
        .collect();
    assert_eq!(listed, in_zones_long);
}

// ------------------------------------------------------------------ validate checks everything the config names

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("`{needle}` not found")) + 1
}

/// `validate` and `run` both fail on the demo with `config_text` as its config, every log line of
/// `expected` in both logs, and `run` writes nothing.
fn fails_before_any_output(dir: &Path, config: &Path, config_text: &str, expected: &[String]) {
    std::fs::write(config, config_text).unwrap();
    for command in ["validate", "run"] {
        let out = fragnum(&[command, "--config", config.to_str().unwrap()]);
        let log = text(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {log}");
        for e in expected {
            assert!(log.contains(e.as_str()), "{command}: `{e}` not in:\n{log}");
        }
        let outputs = dir.join("notebooks-out/demo");
        assert!(!outputs.join("zones.csv").exists() && !outputs.join("manifest.json").exists(), "{command} wrote outputs:\n{log}");
    }
}

/// Unknown keys and bad values of every section, bad rate rows, missing sites: `validate` names
/// each at its `file:line:column`, and `run` stops on the same before its first output.
#[test]
fn validate_and_run_check_every_section_and_file_the_config_names() {
    let (dir, config) = demo_project();
    let original = std::fs::read_to_string(&config).unwrap();
    let at = |text: &str, needle: &str, column: usize| format!("{}:{}:{column}: error: ", config.display(), line_of(text, needle));

    // An unknown [access] key is an error (it was only printed before, with "0 error(s)").
    let t = original.replace("new_sites = 3\n", "new_sites = 3\nwalk_kmph = 4\n");
    fails_before_any_output(dir.path(), &config, &t, &[at(&t, "walk_kmph", 1) + "unknown field `walk_kmph`"]);

    // A speed of zero, and thresholds out of order: both listed.
    let t = original
        .replace("new_sites = 3\n", "new_sites = 3\nwalk_kmh = 0\n")
        .replace("thresholds_min = [10, 20, 30]", "thresholds_min = [10, 30, 20]");
    fails_before_any_output(
        dir.path(),
        &config,
        &t,
        &[
            at(&t, "walk_kmh", 12) + "[access] walk_kmh: 0 km/h: must be > 0",
            at(&t, "thresholds_min", 27) + "[access] thresholds_min[2]: 20 min is not above",
        ],
    );

    // A bad value in [render], at its line.
    let t = original.replace("simplify_m = 10\n", "simplify_m = 10\nclasses = 40\n");
    fails_before_any_output(dir.path(), &config, &t, &[at(&t, "classes = 40", 11) + "[render] classes: 40 classes: expected 1 to 12"]);

    // A rate file with a bad row: the rate file and its line.
    let rates = dir.path().join("config/rates/insee-2021-illectronisme.csv");
    let good_rates = std::fs::read_to_string(&rates).unwrap();
    let bad_line = good_rates.lines().position(|l| l.starts_with("illectronisme,age,")).unwrap() + 1;
    let bad_rates: Vec<String> = good_rates
        .lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == bad_line { l.replacen(",published,", ",publie,", 1) } else { l.to_string() })
        .collect();
    std::fs::write(&rates, bad_rates.join("\n") + "\n").unwrap();
    fails_before_any_output(
        dir.path(),
        &config,
        &original,
        &[format!("{}:{bad_line}:", rates.display()), "status `publie` is neither `published` nor `estimated`".into()],
    );
    std::fs::write(&rates, good_rates).unwrap();

    // A missing sites file: named, and the config line that names it.
    let t = original.replace("advisor-sites.csv", "advisor-sites-absent.csv");
    let sites = dir.path().join("data/demo/advisor-sites-absent.csv");
    fails_before_any_output(
        dir.path(),
        &config,
        &t,
        &[
            format!("{}: error: cannot read file", sites.display()),
            format!("{}:{}:9: note: [access] sites names", config.display(), line_of(&t, "advisor-sites-absent")),
        ],
    );

    // Back to the untouched demo: 0 errors.
    std::fs::write(&config, &original).unwrap();
    let out = fragnum(&["validate", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success() && log.contains("0 error(s), 0 warning(s)"), "{log}");
}

/// The real-data config (public files read in place from ../shared/data) validates with no error.
#[test]
fn real_data_config_validates() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/isere-savoie.toml");
    let out = fragnum(&["validate", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("\n0 error(s), "), "{log}");
}

/// Zone fact sheets stop at `[render] max_sheets` (groups are always written), and the log says
/// how many zones got none and why.
#[test]
fn fact_sheets_are_capped_and_the_others_counted() {
    let (dir, config) = demo_project();
    let toml = std::fs::read_to_string(&config).unwrap().replace("simplify_m = 10", "simplify_m = 10\nmax_sheets = 5");
    std::fs::write(&config, toml).unwrap();
    let out = fragnum(&["render", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("15 of 20 iris zone(s) get no fact sheet: 0 without outline nor custom group, 15 over `max_sheets = 5`"), "{log}");
    // 5 zones and the 4 groups of the demo.
    assert!(log.contains("9 fact sheet(s)"), "{log}");
    assert!(dir.path().join("notebooks-out/demo/sheets/001000101.html").exists());
    assert!(!dir.path().join("notebooks-out/demo/sheets/001000106.html").exists());
}
