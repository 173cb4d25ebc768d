"""Peer benchmark and reference check for fragnum-access.

Reads the graph, sources and times that `bench_access` (Rust example) exported to OUT_DIR, then:
1. checks every node's Rust travel time against networkx (independent Dijkstra: a super-source
   linked to each site's entry nodes with the start offsets, on the reversed graph);
2. times pandana on the same graph and the same site nodes: Network build (contraction
   hierarchy), set_pois + nearest_pois (the query), and get_node_ids for the population points;
3. prints the speed ratios against the Rust timings in bench.json (network loading excluded on
   both sides);
4. with --pbf-dir DIR, also times the whole chain from the PBF file, as a Python user would run
   it: pyosmium parse (highway ways with node locations, townhall/post-office nodes), pandana
   network build (contraction), query and point lookup — against the Rust PBF read + graph +
   snapping + Dijkstra + points. The Python graph follows the same road classes and one-ways with
   class speeds only (no maxspeed, no urban rule), so it is of the same size, not identical.

5. with --record FILE, appends each extract's ratios to FILE (one JSON line per extract), and
   `--summary FILE` prints, per extract and ratio, the median of the recorded runs and their
   spread (min–max): what `make bench-access` reports after BENCH_RUNS runs.

usage: python benches/access_pandana.py [--pbf-dir DIR] [--record FILE] OUT_DIR [OUT_DIR ...]
       python benches/access_pandana.py --summary FILE
needs: python3 -m venv VENV && VENV/bin/pip install networkx pandana osmium
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


# Car speeds per highway class (km/h) for the Python chain: the same classes as
# config/profiles/car.toml routes, rural speeds.
CAR_KMH = {
    "motorway": 130, "motorway_link": 70, "trunk": 110, "trunk_link": 70, "primary": 80, "primary_link": 50,
    "secondary": 80, "secondary_link": 50, "tertiary": 80, "tertiary_link": 50, "unclassified": 50,
    "residential": 30, "living_street": 20, "service": 20, "road": 50,
}


def haversine_m(lon1, lat1, lon2, lat2):
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def python_chain(pbf, points):
    """PBF to nearest-site time per node and per point, the pyosmium + pandana way; returns ms."""
    import osmium

    class Roads(osmium.SimpleHandler):
        def __init__(self):
            super().__init__()
            self.coords, self.frm, self.to, self.w, self.sites = {}, [], [], [], []

        def node(self, n):
            if n.tags.get("amenity") in ("townhall", "post_office"):
                self.sites.append((n.location.lon, n.location.lat))

        def way(self, w):
            hw = w.tags.get("highway")
            if hw not in CAR_KMH or w.tags.get("access") in ("no", "private"):
                return
            oneway = w.tags.get("oneway") in ("yes", "1", "true") or w.tags.get("junction") == "roundabout"
            ms = CAR_KMH[hw] / 3.6
            prev = None
            for n in w.nodes:
                if not n.location.valid():
                    prev = None
                    continue
                cur = (n.ref, n.location.lon, n.location.lat)
                self.coords[n.ref] = (cur[1], cur[2])
                if prev is not None:
                    t = haversine_m(prev[1], prev[2], cur[1], cur[2]) / ms
                    self.frm.append(prev[0]); self.to.append(cur[0]); self.w.append(t)
                    if not oneway:
                        self.frm.append(cur[0]); self.to.append(prev[0]); self.w.append(t)
                prev = cur

    t0 = time.perf_counter()
    h = Roads()
    h.apply_file(pbf, locations=True)
    ids = list(h.coords)
    nodes = pd.DataFrame({"x": [h.coords[i][0] for i in ids], "y": [h.coords[i][1] for i in ids]}, index=ids)
    edges = pd.DataFrame({"from": h.frm, "to": h.to, "weight": h.w})
    parse_ms = (time.perf_counter() - t0) * 1e3
    net = pandana.Network(nodes["x"], nodes["y"], edges["from"], edges["to"], edges[["weight"]], twoway=False)
    sx = [s[0] for s in h.sites]
    sy = [s[1] for s in h.sites]
    net.set_pois("sites", 1e7, 1, sx, sy)
    res = net.nearest_pois(1e7, "sites", num_pois=1)
    node_ids = net.get_node_ids(points["x"], points["y"])
    _ = res[1].reindex(node_ids.values).values
    total_ms = (time.perf_counter() - t0) * 1e3
    return parse_ms, total_ms, len(nodes), len(edges)


def summary(path):
    """Median and spread (min–max) of each recorded ratio, per extract."""
    runs = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            runs.setdefault(r["extract"], []).append(r)
    names = {"query": "query", "end_to_end": "end to end (loading excluded)", "from_pbf": "from the PBF file"}
    for extract, rs in runs.items():
        print(f"== {extract}: pandana / rust over {len(rs)} runs (median, spread min–max) ==")
        for key, label in names.items():
            values = sorted(r[key] for r in rs if r.get(key) is not None)
            if values:
                print(f"  {label:32s} {statistics.median(values):6.1f}x  ({values[0]:.1f}–{values[-1]:.1f})")


def main():
    args = sys.argv[1:]
    if args[:1] == ["--summary"]:
        summary(args[1])
        return
    pbf_dir = None
    record = None
    while args[:1] in (["--pbf-dir"], ["--record"]):
        if args[0] == "--pbf-dir":
            pbf_dir = args[1]
        else:
            record = args[1]
        args = args[2:]
    for d in args:
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
        ratios = {"extract": bench["extract"], "query": q_ms / bench["query_ms"], "end_to_end": e2e_ms / bench["end_to_end_ms"], "from_pbf": None}
        if pbf_dir:
            points = pd.read_csv(f"{d}/points.csv")
            parse_ms, py_ms, py_nodes, py_edges = python_chain(f"{pbf_dir}/{bench['extract']}", points)
            rust_ms = bench["load_ms"] + bench["end_to_end_ms"]
            ratios["from_pbf"] = py_ms / rust_ms
            print(f"from the PBF file: pyosmium + pandana {py_ms:.0f} ms (parse {parse_ms:.0f} ms; {py_nodes} nodes, {py_edges} edges before contraction); "
                  f"rust {rust_ms:.0f} ms (PBF read {bench['load_ms']:.0f} ms + graph, snapping, Dijkstra, points); ratio {py_ms / rust_ms:.1f}x")
        if record:
            with open(record, "a") as f:
                f.write(json.dumps(ratios) + "\n")


if __name__ == "__main__":
    main()
