//! The demo atlas and the real Isère + Savoie atlas (read in place from ../shared/data) in headless
//! Chromium (Debian's `chromium`, WebGL through SwiftShader), opened as `file://`: no console
//! error, a map that is drawn (the screenshot's map area is not blank), a layer switch through
//! the URL hash that changes the legend, and a known zone linked to its fact sheet. Skips with a
//! message only when chromium is not installed. Without MapLibre GL JS (`make maplibre`) the page
//! must say so and still give its legend and table.
//!
//! Chromium's `--dump-dom` and `--screenshot` act at the page's load event; the pages are opened
//! as `index.html?mesure`, which holds that event until the map's first `idle` (every layer
//! drawn), so both see the drawn map. `bench_atlas_load_time_and_size` (ignored; `make
//! bench-atlas`) reads the times the page then records. Set `FRAGNUM_KEEP_SCREENSHOTS=<dir>` to
//! keep the screenshots.

#![allow(clippy::unwrap_used, clippy::panic, clippy::doc_markdown)] // tests stop at the line that failed; product names

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{demo_project, fragnum, real_config, text};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.exists())
}

/// Runs chromium on `url` with `mode` (`--screenshot=<png>` or `--dump-dom`); returns stdout
/// and stderr.
fn run_chromium(chromium: &Path, profile: &Path, url: &str, mode: &str) -> (String, String) {
    let mut child = Command::new(chromium)
        // The flags measured to draw MapLibre GL JS from file:// (see issue 12); no sandbox, no
        // /dev/shm (containers), a throwaway profile so parallel runs never share a lock.
        .args(["--headless", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox", "--disable-dev-shm-usage"])
        // `--timeout` only bounds the wait for the load event (held until the map is idle).
        .args(["--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--timeout=20000", "--window-size=1400,900"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(mode)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read while it runs: a large page's dump would fill the pipe and stall Chromium.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            r.read_to_end(&mut buf).unwrap();
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let (stdout, stderr) = (drain(Box::new(child.stdout.take().unwrap())), drain(Box::new(child.stderr.take().unwrap())));
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            child.kill().unwrap();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (stdout.join().unwrap(), stderr.join().unwrap())
}

fn console_errors(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught")).collect()
}

/// The text of the legend's title in a dumped page.
fn legend_title(dom: &str) -> String {
    let at = dom.find("<section id=\"legende\"").expect("legend section");
    let rest = &dom[at..];
    let start = rest.find("<h2>").expect("legend title") + 4;
    rest[start..start + rest[start..].find("</h2>").unwrap()].to_string()
}

/// Painted pixels of the screenshot's map area (not the background #f4f4f1 nor white) and their
/// colours.
fn map_area(png: &Path) -> (usize, std::collections::HashSet<[u8; 3]>) {
    let img = image::open(png).unwrap_or_else(|e| panic!("no screenshot: {e}")).to_rgb8();
    assert_eq!((img.width(), img.height()), (1400, 900));
    let mut colours = std::collections::HashSet::new();
    let mut painted = 0usize;
    for y in 60..650 {
        for x in 320..1380 {
            let p = img.get_pixel(x, y).0;
            if p != [0xf4, 0xf4, 0xf1] && p != [0xff, 0xff, 0xff] {
                painted += 1;
                colours.insert(p);
            }
        }
    }
    (painted, colours)
}

/// The colour of the legend's first swatch in a dumped page.
fn legend_colour(dom: &str) -> [u8; 3] {
    let at = dom.find("background: rgb(").expect("legend swatch") + "background: rgb(".len();
    let rgb: Vec<u8> = dom[at..at + dom[at..].find(')').unwrap()].split(',').map(|v| v.trim().parse().unwrap()).collect();
    [rgb[0], rgb[1], rgb[2]]
}

fn keep_screenshot(png: &Path, name: &str) {
    if let Some(keep) = std::env::var_os("FRAGNUM_KEEP_SCREENSHOTS") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(png, Path::new(&keep).join(name)).unwrap();
    }
}

/// The `file://` address of an atlas page in its measuring mode, at `hash`.
fn atlas_url(page: &Path, hash: &str) -> String {
    format!("file://{}?mesure#{hash}", page.display())
}

/// The value of attribute `name` of the dumped page's `<body>`.
fn body_attribute<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let body = &dom[dom.find("<body")?..];
    let body = &body[..body.find('>')?];
    let at = body.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&body[at..at + body[at..].find('"')?])
}

#[test]
fn demo_atlas_draws_in_chromium_switches_layers_and_links_sheets() {
    let Some(chromium) = chromium() else {
        eprintln!("skipping: chromium not installed (apt-get install -y chromium)");
        return;
    };
    let (dir, config) = demo_project();
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("atlas of ") && log.contains(" MB"), "the summary gives the atlas's size: {log}");
    let atlas = dir.path().join("notebooks-out/demo/atlas");
    let page = atlas.join("index.html");
    assert!(page.is_file());
    let with_map = atlas.join("lib/maplibre-gl.js").is_file();
    if !with_map {
        eprintln!("MapLibre GL JS absent (make maplibre): checking the page without its map");
    }
    let url = |hash: &str| atlas_url(&page, hash);
    let png = dir.path().join("atlas.png");
    let shot_arg = format!("--screenshot={}", png.display());
    let jobs: Vec<(String, String, PathBuf)> = vec![
        (url("couche=illectronisme_part&niveau=iris"), shot_arg.clone(), dir.path().join("p1")),
        (url("couche=illectronisme_part"), "--dump-dom".into(), dir.path().join("p2")),
        (url("couche=revenu_median"), "--dump-dom".into(), dir.path().join("p3")),
    ];
    // The three runs in parallel: the test takes one Chromium start, not three.
    let chromium = &chromium;
    let results: Vec<(String, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs.iter().map(|(u, m, p)| s.spawn(move || run_chromium(chromium, p, u, m))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, (_, log)) in results.iter().enumerate() {
        let bad = console_errors(log);
        assert!(bad.is_empty(), "console errors in run {i}: {bad:#?}");
    }
    let (dom_a, dom_b) = (&results[1].0, &results[2].0);
    assert!(dom_a.contains("<html lang=\"fr\">"), "{dom_a}");
    // The layer switch changes the legend (and the table).
    let (title_a, title_b) = (legend_title(dom_a), legend_title(dom_b));
    assert!(title_a.contains("illectronisme"), "{title_a}");
    assert!(title_b.contains("Revenu disponible médian"), "{title_b}");
    assert!(dom_a.contains("data-couche=\"illectronisme_part\"") && dom_b.contains("data-couche=\"revenu_median\""));
    assert!(dom_a.contains("<li data-sorte=\"class\">"), "legend classes");
    // A known zone (Bellevue, IRIS 001000105) links to its sheet in the table view.
    let row = dom_a.find("data-code=\"001000105\"").expect("zone row in the table");
    assert!(
        dom_a[row..].starts_with("data-code=\"001000105\"><th scope=\"row\"><a href=\"../sheets/001000105.html\">Bellevue</a>"),
        "{}",
        &dom_a[row..row + 200]
    );
    assert!(atlas.join("../sheets/001000105.html").is_file());
    if !with_map {
        assert!(dom_a.contains("lib/maplibre-gl.js) est absente"), "the page says the library is missing");
        return;
    }
    // The map is drawn: the map area of the screenshot holds the class colours, not only the
    // background (#f4f4f1) and the controls.
    let (mut painted, mut colours) = map_area(&png);
    // Chromium's screenshot is not tied to MapLibre's first frame: now and then it comes a little
    // early (about one run in five here); a map that never draws stays blank on every try.
    for attempt in 2..=4 {
        if painted > 20_000 {
            break;
        }
        eprintln!("screenshot {} blank, taking it again (try {attempt})", attempt - 1);
        let (_, log) = run_chromium(chromium, &dir.path().join(format!("p1-{attempt}")), &jobs[0].0, &shot_arg);
        assert!(console_errors(&log).is_empty(), "console errors: {log}");
        (painted, colours) = map_area(&png);
    }
    keep_screenshot(&png, "atlas.png");
    assert!(painted > 20_000 && colours.len() >= 5, "map area looks blank: {painted} painted pixels, {} colours", colours.len());
    // The legend's colours are on the map (the first class of the illectronisme layer).
    let legend_colour = legend_colour(dom_a);
    let near = |p: [u8; 3]| p.iter().zip(legend_colour).all(|(a, b)| a.abs_diff(b) <= 12);
    assert!(colours.iter().any(|p| near(*p)), "first class colour {legend_colour:?} not drawn");
}

/// Runs `config/isere-savoie.toml` on ../shared/data into `dir/out`, with only the atlas (and the
/// fact sheets it links) among the render formats when `atlas_only` (the print maps take most of
/// a debug run and are checked elsewhere); returns the atlas folder and the run's log.
fn real_atlas(dir: &Path, atlas_only: bool) -> (PathBuf, String) {
    let config = real_config("isere-savoie", dir);
    if atlas_only {
        let text = std::fs::read_to_string(&config).unwrap();
        let edited = text.replace("formats = [\"geojson\", \"png\", \"svg\", \"atlas\"]", "formats = [\"atlas\"]");
        assert_ne!(text, edited, "config/isere-savoie.toml no longer lists its formats as expected");
        std::fs::write(&config, edited).unwrap();
    }
    let out = fragnum(&["run", "--config", config.to_str().unwrap()]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    (dir.join("out/atlas"), log)
}

#[test]
fn real_isere_savoie_atlas_draws_in_chromium_switches_layers_and_links_sheets() {
    let Some(chromium) = chromium() else {
        eprintln!("skipping: chromium not installed (apt-get install -y chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (atlas, log) = real_atlas(dir.path(), true);
    assert!(log.contains("atlas of ") && log.contains(" MB"), "the summary gives the atlas's size: {log}");
    let page = atlas.join("index.html");
    let with_map = atlas.join("lib/maplibre-gl.js").is_file();
    // Not the first layer of the switcher (illectronisme): the hash chooses the layer.
    let url = atlas_url(&page, "couche=no_daily_internet_part&niveau=iris");
    let png = dir.path().join("atlas-isere-savoie.png");
    let shot_arg = format!("--screenshot={}", png.display());
    let jobs = [(shot_arg.clone(), dir.path().join("p1")), ("--dump-dom".to_string(), dir.path().join("p2"))];
    let chromium = &chromium;
    let results: Vec<(String, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs.iter().map(|(m, p)| s.spawn(|| run_chromium(chromium, p, &url, m))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, (_, log)) in results.iter().enumerate() {
        let bad = console_errors(log);
        assert!(bad.is_empty(), "console errors in run {i}: {bad:#?}");
    }
    let dom = &results[1].0;
    assert!(dom.contains("<html lang=\"fr\">"));
    let catalogue = std::fs::read_to_string(atlas.join("data/catalogue.js")).unwrap();
    assert!(catalogue.contains("\"illectronisme_part\":{") && catalogue.contains("\"no_daily_internet_part\":{"));
    let title = legend_title(dom);
    assert!(title.contains("sans usage quotidien d'internet") && !title.contains("illectronisme"), "{title}");
    assert_eq!(body_attribute(dom, "data-couche"), Some("no_daily_internet_part"));
    assert!(dom.contains("<li data-sorte=\"class\">"), "legend classes");
    // A known zone (Bellevue, IRIS 730650101 of Chambéry) links to its sheet in the table view.
    let row = dom.find("data-code=\"730650101\"").expect("zone row in the table");
    assert!(
        dom[row..].starts_with(
            "data-code=\"730650101\"><th scope=\"row\"><a href=\"../sheets/730650101.html\">Bellevue</a></th><td>Chambéry</td>"
        ),
        "{}",
        &dom[row..row + 200]
    );
    assert!(atlas.join("../sheets/730650101.html").is_file());
    if !with_map {
        eprintln!("MapLibre GL JS absent (make maplibre): checking the page without its map");
        assert!(dom.contains("lib/maplibre-gl.js) est absente"), "the page says the library is missing");
        return;
    }
    assert_eq!(body_attribute(dom, "data-etat"), Some("pret"), "the map reached idle");
    let (painted, colours) = map_area(&png);
    keep_screenshot(&png, "atlas-isere-savoie.png");
    // Isère and Savoie fill about half of the map area.
    assert!(painted > 150_000 && colours.len() >= 5, "map area looks blank: {painted} painted pixels, {} colours", colours.len());
    let legend_colour = legend_colour(dom);
    let near = |p: [u8; 3]| p.iter().zip(legend_colour).all(|(a, b)| a.abs_diff(b) <= 12);
    assert!(colours.iter().any(|p| near(*p)), "first class colour {legend_colour:?} not drawn");
}

/// Size on disk of the files under `dir` (bytes) and their count.
fn size_of(dir: &Path) -> (u64, usize) {
    let mut total = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            let (b, n) = size_of(&entry.path());
            total = (total.0 + b, total.1 + n);
        } else {
            total = (total.0 + entry.metadata().unwrap().len(), total.1 + 1);
        }
    }
    total
}

/// `make bench-atlas`: renders the demo and the real atlas, then opens each page `RUNS` times in
/// headless Chromium (one after the other, default view) and prints the median time from
/// navigation to MapLibre's `load` and first `idle` (every layer drawn) as the page records them
/// (`data-charge-ms`, `data-pret-ms` of `index.html?mesure`), the time of the whole Chromium run
/// (start-up included), and the atlas's size on disk.
#[test]
#[ignore = "a benchmark: make bench-atlas"]
fn bench_atlas_load_time_and_size() {
    const RUNS: usize = 5;
    let chromium = chromium().expect("chromium is needed (apt-get install -y chromium)");
    let (demo_dir, demo_config) = demo_project();
    let out = fragnum(&["run", "--quiet", "--config", demo_config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let real_dir = tempfile::tempdir().unwrap();
    let (real, _) = real_atlas(real_dir.path(), true);
    // Median (lowest–highest).
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        format!("{:.0} ms ({:.0}–{:.0})", v[v.len() / 2], v[0], v[v.len() - 1])
    };
    println!("\natlas in headless Chromium (SwiftShader, 1400 × 900), median (lowest–highest) of {RUNS} runs:");
    println!("| atlas | files | size on disk | of which MapLibre | map load | map idle | whole Chromium run |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (name, atlas) in [("demo", demo_dir.path().join("notebooks-out/demo/atlas")), ("Isère + Savoie", real)] {
        assert!(atlas.join("lib/maplibre-gl.js").is_file(), "MapLibre GL JS absent: make maplibre");
        let (bytes, files) = size_of(&atlas);
        let (lib, _) = size_of(&atlas.join("lib"));
        let (mut load, mut idle, mut wall) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..RUNS {
            let started = Instant::now();
            let (dom, log) = run_chromium(
                &chromium,
                &real_dir.path().join(format!("bench-{name}-{i}")),
                &atlas_url(&atlas.join("index.html"), ""),
                "--dump-dom",
            );
            wall.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(console_errors(&log).is_empty(), "console errors: {log}");
            let ms = |key: &str| {
                body_attribute(&dom, key)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or_else(|| panic!("no {key} on the page: the map never reached idle"))
            };
            load.push(ms("data-charge-ms"));
            idle.push(ms("data-pret-ms"));
        }
        #[allow(clippy::cast_precision_loss)] // sizes in megabytes
        let mb = |b: u64| b as f64 / 1e6;
        println!("| {name} | {files} | {:.1} MB | {:.1} MB | {} | {} | {} |", mb(bytes), mb(lib), median(load), median(idle), median(wall));
    }
}
