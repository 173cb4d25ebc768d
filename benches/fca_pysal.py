"""Peer benchmark and reference check of fragnum's 2SFCA and E2SFCA against PySAL `access`.

Reads what `bench_fca` (Rust example) exported to each OUT_DIR — the sparse site-to-point times
within 30 min (minutes), supply per site, demand per point, fragnum's results and timings — then:
1. builds one `access.Access` on the same times (construction timed apart, once);
2. times `two_stage_fca(max_cost=20)` and `enhanced_two_stage_fca(weight_fn=step_fn({10: 1,
   20: 0.68, 30: 0.22}))`, median of RUNS calls each, in the same run as the Rust timings;
3. asserts that every point's access equals fragnum's within a RELATIVE tolerance of 1e-9
   (|a − b| ≤ 1e-9 · max(|a|, |b|); both zero passes). PySAL leaves NaN for a point that no site
   reaches; fragnum gives 0, so NaN is read as 0 (see fragnum_access::capacity);
4. prints a table: extract, measure, fragnum ms, PySAL ms, ratio PySAL / fragnum.

usage: python benches/fca_pysal.py OUT_DIR [OUT_DIR ...]
needs: python3 -m venv VENV && VENV/bin/pip install access
"""

import json
import logging
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd
from access import Access, weights

RUNS = 7
TOLERANCE = 1e-9  # relative


def timed(runs, f):
    ms, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms), out


def compare(name, pysal, rust):
    """Max absolute and relative differences; raises when one exceeds the relative tolerance."""
    a = pysal.to_numpy(dtype=float)
    b = rust.to_numpy(dtype=float)
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    bad = rel > TOLERANCE
    if bad.any():
        i = int(np.argmax(rel))
        raise AssertionError(f"{name}: {int(bad.sum())} points differ beyond {TOLERANCE} relative; worst point {i}: PySAL {a[i]!r}, fragnum {b[i]!r}")
    return float(diff.max()), float(rel.max())


def run(d):
    with open(f"{d}/bench_fca.json") as f:
        bench = json.load(f)
    times = pd.read_csv(f"{d}/times.csv")
    supply = pd.read_csv(f"{d}/supply.csv")
    demand = pd.read_csv(f"{d}/demand.csv")
    rust = pd.read_csv(f"{d}/points_fca.csv").set_index("point").sort_index()
    t0 = time.perf_counter()
    a = Access(
        demand_df=demand, demand_index="point", demand_value="demand",
        supply_df=supply, supply_index="site", supply_value="supply",
        cost_df=times, cost_origin="point", cost_dest="site", cost_name="minutes",
    )
    build_ms = (time.perf_counter() - t0) * 1e3
    a.log.setLevel(logging.WARNING)  # one "Overwriting" line per timed call otherwise
    step = weights.step_fn({10: 1, 20: 0.68, 30: 0.22})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ms2, r2 = timed(RUNS, lambda: a.two_stage_fca(name="2sfca", max_cost=20))
        mse, re = timed(RUNS, lambda: a.enhanced_two_stage_fca(name="e2sfca", weight_fn=step))
    rows = []
    for measure, ms, res, col, rust_ms in [
        ("2SFCA 20 min", ms2, r2, "2sfca_supply", bench["fca_2sfca_ms"]),
        ("E2SFCA 10/20/30", mse, re, "e2sfca_supply", bench["fca_e2sfca_ms"]),
    ]:
        raw = res[col].reindex(rust.index)
        rust_col = rust["access_2sfca" if measure.startswith("2") else "access_e2sfca"]
        worst_abs, worst_rel = compare(f"{bench['extract']} {measure}", raw.fillna(0.0), rust_col)
        served = int((rust_col > 0).sum())
        rows.append((bench["extract"], measure, rust_ms, ms, worst_abs, worst_rel, served, int(raw.isna().sum())))
    return bench, build_ms, rows


def main():
    dirs = sys.argv[1:]
    if not dirs:
        print(__doc__)
        sys.exit(2)
    table = []
    for d in dirs:
        bench, build_ms, rows = run(d)
        print(f"== {bench['extract']}: {bench['sites']} sites, {bench['points']} points, {bench['pairs']} (site, point) pairs within "
              f"{bench['limit_min']} min; fragnum site times {bench['times_ms']:.1f} ms (PySAL takes them as given); "
              f"Access() construction {build_ms:.1f} ms (excluded)")
        table.extend(rows)
    print(f"\n{'extract':<30} {'measure':<16} {'fragnum ms':>11} {'PySAL ms':>10} {'ratio':>8} {'max abs diff':>13} {'max rel diff':>13} {'access > 0':>11} {'PySAL NaN':>10}")
    for extract, measure, rust_ms, py_ms, worst_abs, worst_rel, served, nan in table:
        print(f"{extract:<30} {measure:<16} {rust_ms:>11.3f} {py_ms:>10.1f} {py_ms / rust_ms:>7.0f}x {worst_abs:>13.2e} {worst_rel:>13.2e} {served:>11} {nan:>10}")
    print(f"all points equal within {TOLERANCE:g} relative (PySAL NaN, no site reached, read as 0)")


if __name__ == "__main__":
    main()
