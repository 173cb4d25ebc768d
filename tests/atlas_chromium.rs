//! The demo atlas in headless Chromium (Debian's `chromium`, WebGL through SwiftShader), opened
//! as `file://`: no console error, a map that is drawn (the screenshot's map area is not blank),
//! a layer switch through the URL hash that changes the legend, and a known zone linked to its
//! fact sheet. Skips with a message only when chromium is not installed. Without MapLibre GL JS
//! (`make maplibre`) the page must say so and still give its legend and table.
//!
//! Chromium's `--dump-dom` dumps at the page's load event (the layer's data script is loaded by
//! then, the WebGL map not necessarily), `--screenshot` after MapLibre has drawn. Set
//! `FRAGNUM_KEEP_SCREENSHOTS=<dir>` to keep the screenshot.

#![allow(clippy::unwrap_used, clippy::panic, clippy::doc_markdown)] // tests stop at the line that failed; product names

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{demo_project, fragnum, text};
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
        .args(["--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--timeout=8000", "--window-size=1400,900"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(mode)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            child.kill().unwrap();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
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
    let url = |hash: &str| format!("file://{}#{hash}", page.display());
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
    assert!(dom_a[row..].starts_with("data-code=\"001000105\"><th scope=\"row\"><a href=\"../sheets/001000105.html\">Bellevue</a>"), "{}", &dom_a[row..row + 200]);
    assert!(atlas.join("../sheets/001000105.html").is_file());
    if !with_map {
        assert!(dom_a.contains("lib/maplibre-gl.js) est absente"), "the page says the library is missing");
        return;
    }
    // The map is drawn: the map area of the screenshot holds the class colours, not only the
    // background (#f4f4f1) and the controls.
    let map_area = |png: &Path| {
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
    };
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
    if let Some(keep) = std::env::var_os("FRAGNUM_KEEP_SCREENSHOTS") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&png, Path::new(&keep).join("atlas.png")).unwrap();
    }
    assert!(painted > 20_000 && colours.len() >= 5, "map area looks blank: {painted} painted pixels, {} colours", colours.len());
    // The legend's colours are on the map (the first class of the illectronisme layer).
    let legend_colour = {
        let at = dom_a.find("background: rgb(").expect("legend swatch") + "background: rgb(".len();
        let rgb: Vec<u8> = dom_a[at..at + dom_a[at..].find(')').unwrap()].split(',').map(|v| v.trim().parse().unwrap()).collect();
        [rgb[0], rgb[1], rgb[2]]
    };
    let near = |p: [u8; 3]| p.iter().zip(legend_colour).all(|(a, b)| a.abs_diff(b) <= 12);
    assert!(colours.iter().any(|p| near(*p)), "first class colour {legend_colour:?} not drawn");
}
