"""Peer benchmark and reference check for fragnum-access.

Reads the graph, sources and times that `bench_access` (Rust example) exported to OUT_DIR, then:
1. checks every node's Rust travel time against networkx (independent Dijkstra: a super-source
   linked to each site's entry nodes with the start offsets, on the reversed graph);
2. times pandana on the same graph and the same site nodes: Network build (contraction
   hierarchy), set_pois + nearest_pois (the query), and get_node_ids for the population points;
3. prints the speed ratios against the Rust timings in bench.json (network loading excluded on
   both sides).

usage: python benches/access_pandana.py OUT_DIR [OUT_DIR ...]
needs: python3 -m venv /tmp/venv-access && /tmp/venv-access/bin/pip install networkx pandana
"""

import json
import math
import statistics
import sys
import time

import networkx as nx
import pandas as pd
import pandana


def reference_check(d):
    edges = pd.read_csv(f"{d}/edges.csv")
    sources = pd.read_csv(f"{d}/sources.csv")
    times = pd.read_csv(f"{d}/times.csv")
    g = nx.DiGraph()
    g.add_nodes_from(range(len(times)))
    # reversed graph; keep the smaller weight on parallel edges
    for u, v, w in zip(edges["from"], edges["to"], edges["weight"]):
        if g.has_edge(v, u):
            g[v][u]["weight"] = min(g[v][u]["weight"], w)
        else:
            g.add_edge(v, u, weight=w)
    sup = -1
    for n, t in zip(sources["node"], sources["time"]):
        if g.has_edge(sup, n):
            g[sup][n]["weight"] = min(g[sup][n]["weight"], t)
        else:
            g.add_edge(sup, n, weight=t)
    t0 = time.perf_counter()
    ref = nx.single_source_dijkstra_path_length(g, sup, weight="weight")
    nx_ms = (time.perf_counter() - t0) * 1e3
    worst = 0.0
    mismatched_reach = 0
    for node, t in zip(times["node"], times["time"]):
        r = ref.get(node, math.inf)
        if math.isinf(r) or math.isinf(t):
            mismatched_reach += math.isinf(r) != math.isinf(t)
        else:
            worst = max(worst, abs(r - t))
    return worst, mismatched_reach, nx_ms


def pandana_bench(d, bench, runs=5):
    nodes = pd.read_csv(f"{d}/nodes.csv").set_index("id")
    edges = pd.read_csv(f"{d}/edges.csv")
    sites = pd.read_csv(f"{d}/sites.csv")
    points = pd.read_csv(f"{d}/points.csv")
    times = pd.read_csv(f"{d}/times.csv")
    finite = times["time"][times["time"] < math.inf]
    maxdist = float(finite.max()) + 1.0  # every node reached, as in the Rust run
    t0 = time.perf_counter()
    net = pandana.Network(nodes["x"], nodes["y"], edges["from"], edges["to"], edges[["weight"]], twoway=False)
    build_ms = (time.perf_counter() - t0) * 1e3
    query = []
    for _ in range(runs):
        t0 = time.perf_counter()
        net.set_pois("sites", maxdist, 1, sites["x"], sites["y"])
        res = net.nearest_pois(maxdist, "sites", num_pois=1)
        query.append((time.perf_counter() - t0) * 1e3)
    t0 = time.perf_counter()
    ids = net.get_node_ids(points["x"], points["y"])
    _ = res[1].reindex(ids.values).values
    points_ms = (time.perf_counter() - t0) * 1e3
    q = statistics.median(query)
    e2e = build_ms + q + points_ms
    return build_ms, q, points_ms, e2e


def main():
    for d in sys.argv[1:]:
        with open(f"{d}/bench.json") as f:
            bench = json.load(f)
        worst, reach, nx_ms = reference_check(d)
        build_ms, q_ms, points_ms, e2e_ms = pandana_bench(d, bench)
        print(f"== {bench['extract']}: {bench['nodes']} nodes, {bench['edges']} edges, {bench['sites']} sites, {bench['points']} points ==")
        print(f"reference (networkx, {nx_ms:.0f} ms): max |rust - networkx| = {worst:.3e} s over all nodes; reachability mismatches: {reach}")
        print(f"pandana: network build {build_ms:.1f} ms, query (set_pois + nearest_pois, median) {q_ms:.2f} ms, points {points_ms:.1f} ms")
        print(f"rust:    query (multi-source Dijkstra, median) {bench['query_ms']:.2f} ms; end to end (graph + R-tree + snapping + Dijkstra + points) {bench['end_to_end_ms']:.1f} ms")
        print(f"ratio pandana/rust: query {q_ms / bench['query_ms']:.1f}x, end to end {e2e_ms / bench['end_to_end_ms']:.1f}x (network loading excluded on both sides)")
        print(f"share of nodes within 10 min {bench['within10'] * 100:.1f} %, within 20 min {bench['within20'] * 100:.1f} %")


if __name__ == "__main__":
    main()
