# fragnum — two commands on a fresh Debian machine that has Rust:
#   make demo   generate the fictional demo territory and run the whole pipeline on it
#   make test   build once (dev profile) and run every test
# System packages the build and tests need are installed with apt-get when missing.

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# cmake, libsqlite3-dev, sqlite3, pkg-config: the proj crate builds its bundled PROJ 9.6 (Debian 12 ships 9.1).
# fonts-dejavu-core: the font drawn into maps (read at run time, never committed).
SYSTEM_PACKAGES := cmake libsqlite3-dev sqlite3 pkg-config fonts-dejavu-core
# chromium: headless page checks of the fact sheets and the atlas (tests skip when it cannot be installed).
OPTIONAL_PACKAGES := chromium
# nodejs npm: MapLibre GL JS for the web atlas, from the npm package maplibre-gl, installed into
# target/npm (git-ignored, never committed); `fragnum render` copies it beside atlas/index.html.
NPM_PACKAGES := nodejs npm
MAPLIBRE_VERSION := 5
MAPLIBRE := target/npm/node_modules/maplibre-gl/dist/maplibre-gl.js
# Where cargo puts what it builds: honours CARGO_TARGET_DIR, as cargo does.
TARGET := $(or $(CARGO_TARGET_DIR),target)
BIN := $(TARGET)/debug/fragnum

.PHONY: all deps optional-deps maplibre build demo test real bench bench-access calibrate bench-big bench-transit bench-atlas bench-scale check-html clippy clean

all: test

deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

optional-deps:
	@missing=""; for p in $(OPTIONAL_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing optional packages:$$missing"; \
	  ( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing ) \
	    || echo "warning: could not install$$missing; the checks that need it will be skipped"; \
	fi

# MapLibre GL JS for the atlas. Without npm or the registry, the atlas is written without its map
# (render says how to get it), so this never fails the build.
maplibre: $(MAPLIBRE)
$(MAPLIBRE):
	@command -v npm >/dev/null 2>&1 || { echo "installing system packages: $(NPM_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(NPM_PACKAGES); } \
	  || echo "warning: could not install npm; the atlas will have no map"
	@mkdir -p target/npm
	npm install --prefix target/npm --no-audit --no-fund --silent maplibre-gl@$(MAPLIBRE_VERSION) \
	  || echo "warning: could not install maplibre-gl from npm; the atlas will have no map"

build: deps maplibre
	$(CARGO) build --workspace --locked

demo: build
	$(BIN) demo --out data/demo
	$(BIN) run --config config/demo.toml

# The real Isère + Savoie data, read in place from ../shared/data (release build: faster maps).
real: deps maplibre
	$(CARGO) build --release -p fragnum-cli
	$(TARGET)/release/fragnum run --config config/isere-savoie.toml
	$(TARGET)/release/fragnum run --config config/savoie-conseillers-numeriques.toml
	$(TARGET)/release/fragnum run --config config/savoie-ifn-2020.toml
	$(TARGET)/release/fragnum run --config config/isere-savoie-trends.toml
	$(TARGET)/release/fragnum run --config config/grenoble-transit.toml

# Peers for the benchmarks (mapclassify, pandana, networkx) live in a venv under target/: test
# tools only, never runtime dependencies.
BENCH_VENV := target/bench-venv
BENCH_PY := $(BENCH_VENV)/bin/python
$(BENCH_PY):
	@dpkg -s python3-venv >/dev/null 2>&1 || ( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv )
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q mapclassify numpy numba networkx pandana osmium access

# Fisher-Jenks on 48,600 values (France's IRIS count): fragnum vs mapclassify, same run.
bench: deps $(BENCH_PY)
	$(CARGO) run --release -p fragnum-render --example bench_jenks -- --python $(BENCH_PY)

# Nearest-site times on two real OSM extracts: fragnum vs pandana, same run (loading excluded);
# then 2SFCA / E2SFCA on the same extracts: fragnum vs PySAL access, checked equal within 1e-9 relative.
# Runs of the pandana comparison; the summary gives each ratio's median and spread over them.
BENCH_RUNS ?= 5
bench-access: deps $(BENCH_PY)
	$(CARGO) build --release -p fragnum-access --example bench_access --example bench_large --example bench_fca
	$(TARGET)/release/examples/bench_large
	@rm -f target/bench-access/ratios.jsonl
	@for run in $$(seq $(BENCH_RUNS)); do \
	  echo "--- run $$run of $(BENCH_RUNS) ---"; \
	  for x in liechtenstein andorra; do \
	    $(TARGET)/release/examples/bench_access ../shared/data/osm/$$x-latest.osm.pbf target/bench-access/$$x || exit 1; \
	  done; \
	  $(BENCH_PY) benches/access_pandana.py --pbf-dir ../shared/data/osm --record target/bench-access/ratios.jsonl \
	    target/bench-access/liechtenstein target/bench-access/andorra || exit 1; \
	done
	$(BENCH_PY) benches/access_pandana.py --summary target/bench-access/ratios.jsonl
	@for x in liechtenstein andorra; do \
	  $(TARGET)/release/examples/bench_fca ../shared/data/osm/$$x-latest.osm.pbf target/bench-access/$$x || exit 1; \
	done
	$(BENCH_PY) benches/fca_pysal.py target/bench-access/liechtenstein target/bench-access/andorra

# Fits the straight-line approximation's detour and speeds (issue 13) on the Andorra and
# Liechtenstein car networks and the walking detour on the Grenoble streets; prints the held-out
# error and writes target/calibration/approximation.toml.
calibrate: deps
	$(CARGO) build --release -p fragnum-access --example calibrate_approx
	$(TARGET)/release/examples/calibrate_approx \
	  --car ../shared/data/osm/andorra-latest.osm.pbf --car ../shared/data/osm/liechtenstein-latest.osm.pbf \
	  --car-profile config/profiles/car.toml \
	  --walk ../shared/data/osm/grenoble-streets-500m-geonetworkx.edges.geojson \
	  --walk-sites ../shared/data/places/advisor-sites.38-73.csv --walk-profile config/profiles/walk.toml \
	  --out target/calibration

# Public transport (issue 14): the Grenoble GTFS read in place, range-RAPTOR from the populated
# 1 km cells inside the feed to the nearest advisor site over 09:00–10:00 on a Tuesday, 2 threads,
# checked to the second against a time-dependent Dijkstra measured in the same run.
bench-transit: deps
	$(CARGO) run --release -p fragnum-access --example bench_transit -- ../shared/data/transit/SEM-GTFS-grenoble-2023.zip \
	  ../shared/data/population/filosofi2021_ind_1km_tile6-3_grenoble-savoie.csv ../shared/data/places/advisor-sites.38-73.csv

# Big inputs (issue 11): a 100,000-vertex outline and a 1,000,000-row IRIS table, generated into
# target/bench-big/; prints time and peak memory (VmHWM) of each, measured in its own process.
bench-big: deps
	$(CARGO) run --release -p fragnum-ingest --example bench_big

# France at scale (issue 17): every commune of ../shared/data/national/communes.json split into IRIS
# (48,548 zones), census, Filosofi, CAF, outlines and 6,895 sites generated into target/bench-scale
# in the real formats, then `fragnum ingest`, `indices`, `access` and `run` under /usr/bin/time -v:
# wall time and peak memory per stage, then the render broken down by output (--breakdown).
# Then a region-size road network (a generated 4,500 × 4,500 lattice: 20.25 M nodes, 2.2 M ways,
# written as OSM PBF) read by the two-pass reader, graph build and contraction, Dijkstra, 1 M points.
BENCH_SCALE_ARGS ?= --max-sheets 500 --breakdown
BENCH_REGION_SIDE ?= 4500
bench-scale: deps maplibre
	@[ -x /usr/bin/time ] || ( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq time )
	$(CARGO) build --release -p fragnum-cli
	$(CARGO) build --release -p fragnum-demo --example bench_scale --example bench_region
	$(TARGET)/release/examples/bench_scale --communes ../shared/data/national/communes.json \
	  --epci ../shared/data/national/epci.json --project-config config --out target/bench-scale \
	  --fragnum $(TARGET)/release/fragnum $(BENCH_SCALE_ARGS)
	$(TARGET)/release/examples/bench_region target/bench-region $(BENCH_REGION_SIDE)

# The demo and the Isère + Savoie atlas in headless Chromium: time to the map's load and first idle
# (as the page records them, median of 5 runs) and size on disk.
bench-atlas: deps optional-deps maplibre
	$(CARGO) test --release -p fragnum-cli --test atlas_chromium -- --ignored --nocapture bench_atlas

# Renders a fact sheet and the index in headless Chromium; fails on console errors.
check-html: deps optional-deps maplibre
	$(CARGO) test -p fragnum-render --test sheets_chromium -- --nocapture
	$(CARGO) test -p fragnum-cli --test atlas_chromium -- --nocapture

test: deps optional-deps maplibre
	$(CARGO) test --workspace --locked

clippy: deps
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	rm -rf data/demo notebooks-out/demo notebooks-out/isere-savoie
