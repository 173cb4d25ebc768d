#!/usr/bin/env python3
"""Peer measurement for fragnum's Fisher-Jenks: mapclassify on the same values.

Usage (normally called by `cargo run --release -p fragnum-render --example bench_jenks`):
    python benches/jenks_mapclassify.py --values FILE --k K   # one value per line; prints JSON
    python benches/jenks_mapclassify.py --fixtures             # breaks typed into the Rust tests

Needs numpy and mapclassify (numba makes FisherJenks JIT-compiled; without it a 48,600-value
run takes hours): make target/bench-venv/bin/python (a venv under target/ with mapclassify, numpy, numba)
"""

import argparse
import json
import sys
import time

import mapclassify
import numpy as np

A = [1.0, 2.0, 2.5, 3.0, 4.0, 7.0, 8.0, 9.0, 9.5, 10.0, 15.0, 16.0, 16.5, 17.0, 30.0, 31.0, 33.0, 50.0, 52.0, 75.0]
B = [12.5, 3.25, 47.0, 8.0, 19.75, 22.0, 5.5, 31.0, 14.0, 40.5, 9.0, 27.25]


def fixtures():
    a, b = np.array(A), np.array(B)
    out = {
        "mapclassify": mapclassify.__version__,
        "numpy": np.__version__,
        "fj_A5": mapclassify.FisherJenks(a, 5).bins.tolist(),
        "fj_A3": mapclassify.FisherJenks(a, 3).bins.tolist(),
        "fj_B4": mapclassify.FisherJenks(b, 4).bins.tolist(),
        "q_A4": mapclassify.Quantiles(a, 4).bins.tolist(),
        "q_B5": mapclassify.Quantiles(b, 5).bins.tolist(),
        "ei_A5": mapclassify.EqualInterval(a, 5).bins.tolist(),
        "ei_B3": mapclassify.EqualInterval(b, 3).bins.tolist(),
        "sm_A": mapclassify.StdMean(a).bins.tolist(),
        "sm_B": mapclassify.StdMean(b).bins.tolist(),
        "ud_A": mapclassify.UserDefined(a, [10.0, 20.0, 40.0]).bins.tolist(),
        "yb_A5": mapclassify.FisherJenks(a, 5).yb.tolist(),
    }
    for key, val in out.items():
        print(f"{key}: {json.dumps(val)}")


def bench(path, k):
    values = np.loadtxt(path, dtype=np.float64)
    # Warm-up on a tiny array so a lazily compiled kernel is not charged to the run.
    mapclassify.FisherJenks(values[:50], k)
    start = time.perf_counter()
    fj = mapclassify.FisherJenks(values, k)
    seconds = time.perf_counter() - start
    try:
        import numba  # noqa: F401

        jit = True
    except ImportError:
        jit = False
    print(json.dumps({"seconds": seconds, "bins": fj.bins.tolist(), "n": int(values.size), "k": k,
                      "mapclassify": mapclassify.__version__, "numba": jit}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--values")
    p.add_argument("--k", type=int, default=7)
    p.add_argument("--fixtures", action="store_true")
    args = p.parse_args()
    if args.fixtures:
        fixtures()
    elif args.values:
        bench(args.values, args.k)
    else:
        p.print_help()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
