//! Snapshot tests: the demo's `indices.csv`, `access_zones.csv` and one print map (SVG) compared
//! with the copies committed in `tests/snapshots/`, so that a change of any figure, label or
//! drawing is seen in review as a diff. After an intended change: `INSTA_UPDATE=always cargo test
//! -p fragnum-cli --test snapshots`, then review the snapshot diff before committing it.

#![allow(clippy::unwrap_used, clippy::panic)] // tests stop at the line that failed

mod common;

use common::{demo_project, fragnum, text};

#[test]
fn demo_outputs_match_their_snapshots() {
    let (dir, config) = demo_project();
    let out = fragnum(&["run", "--quiet", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let outputs = dir.path().join("notebooks-out/demo");
    let read = |name: &str| std::fs::read_to_string(outputs.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    insta::assert_snapshot!("demo_indices_csv", read("indices.csv"));
    insta::assert_snapshot!("demo_access_zones_csv", read("access_zones.csv"));
    insta::assert_snapshot!("demo_access_map_svg", read("maps/acces_20min_part-web.svg"));
}
