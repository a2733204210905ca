# mrdguide: the two commands a newcomer needs are `make demo` and `make test`.
# Both build .venv from scratch if it is missing, so a fresh machine with only
# Python 3.11, pip and apt is enough.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# pip stays quiet: only errors and real warnings reach the screen. The machine's package index
# prints harmless "WARNING: Location 'file:///…' is ignored" lines; they are filtered, and
# pipefail keeps a pip failure failing make.
PIP_FLAGS := --quiet --disable-pip-version-check
pip_install = bash -o pipefail -c '$(PIP) install $(PIP_FLAGS) $(1) 2>&1 | { grep -v "^WARNING: Location .file:" || true; }'
EXTRAS_RUN   := .[all,pdf]
EXTRAS_TEST  := .[all,pdf,test]
EXTRAS_BENCH := .[all,test,bench]
# Stamp files make re-runs fast: the venv is refreshed when pyproject.toml changes.
STAMP_RUN  := $(VENV)/.stamp-run
STAMP_TEST := $(VENV)/.stamp-test

.PHONY: demo test pango reference-r bench r-bench postgres-help clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	@$(call pip_install,--upgrade pip)

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	@echo "pip install -e '$(EXTRAS_RUN)' (quiet)"
	@$(call pip_install,-e "$(EXTRAS_RUN)")
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	@echo "pip install -e '$(EXTRAS_TEST)' (quiet)"
	@$(call pip_install,-e "$(EXTRAS_TEST)")
	touch $@ $(STAMP_RUN)

## demo: create .venv, install mrdguide and run the main job
demo: $(STAMP_RUN) pango
	$(BIN)/mrdguide demo --pdf

## pango: the PDF report needs Debian's Pango; install it when missing (best effort, needs root)
pango:
	@dpkg -s libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; } || \
	  echo "Pango not installed: the demo will write HTML reports but no PDF."

## chromium: the browser tests drive Debian's Chromium; install it when missing (best effort, needs
## root). Without it the browser tests fail loudly (they never skip).
chromium:
	@[ -x /usr/bin/chromium ] || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "Chromium not installed: tests/web/test_browser.py will fail (apt-get install chromium)."

## test: create/refresh .venv with test dependencies; lint, type-check, layering, whole suite
test: $(STAMP_TEST) chromium
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider tests
# PostgreSQL integration tests run when MRDGUIDE_TEST_POSTGRES_URL is set; see `make postgres-help`.

.PHONY: chromium bench-web

## bench-web: loopback load test of the web app on the 3,000-patient demo registry (SQLite, and
## PostgreSQL when MRDGUIDE_BENCH_POSTGRES_URL names a database; an empty one is filled first)
BENCH_WEB_DIR ?= /tmp/mrdguide-bench-web
bench-web: $(STAMP_TEST)
	@mkdir -p $(BENCH_WEB_DIR)
	$(BIN)/python benchmarks/web_load.py --db sqlite:///$(BENCH_WEB_DIR)/registry.sqlite \
	  $(if $(MRDGUIDE_BENCH_POSTGRES_URL),--db $(MRDGUIDE_BENCH_POSTGRES_URL)) \
	  --out $(BENCH_WEB_DIR)/web-load.json

## postgres-help: how to run the PostgreSQL integration tests locally
postgres-help:
	@echo "apt-get install -y postgresql"
	@echo "pg_ctlcluster 15 main start   # or: su postgres -c 'pg_ctl -D DIR start'"
	@echo "su postgres -c \"psql -c \\\"CREATE USER mrd PASSWORD 'mrd' CREATEDB\\\"\" && su postgres -c 'createdb -O mrd mrdtest'"
	@echo "MRDGUIDE_TEST_POSTGRES_URL=postgresql+psycopg://mrd:mrd@localhost/mrdtest make test"

## reference-r: regenerate the committed R reference JSON (needs Rscript + survival, cmprsk, jsonlite)
reference-r:
	cd tests/reference && for f in r/*.R; do Rscript $$f || exit 1; done

## bench: one run against R (installed here when possible), lifelines and statsmodels, ONE table
## (benchmarks/run_all.py; minutes at n = 1e6). `make bench BENCH_ARGS=--quick` is a smoke test.
BENCH_ARGS ?=
bench: $(STAMP_TEST) r-bench
	@echo "pip install -e '$(EXTRAS_BENCH)' (quiet)"
	@$(call pip_install,-e "$(EXTRAS_BENCH)")
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

## r-bench: R with survival, cmprsk and jsonlite for the benchmarks and references (best effort:
## apt-get as root when Rscript or a package is missing; benchmarks/run_all.py then warns on
## stderr and prints "not measured (reason)" in the R cells instead of dropping R silently)
r-bench:
	@if command -v Rscript >/dev/null 2>&1 && \
	    Rscript -e 'for (p in c("survival", "cmprsk", "jsonlite")) if (!requireNamespace(p, quietly = TRUE)) quit(status = 1)' >/dev/null 2>&1; \
	then echo "R with survival, cmprsk and jsonlite found."; \
	elif [ "$$(id -u)" = 0 ]; then \
	    echo "Installing R (r-base-core r-cran-survival r-cran-cmprsk r-cran-jsonlite) ..."; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        r-base-core r-cran-survival r-cran-cmprsk r-cran-jsonlite >/dev/null; } || \
	    echo "R could not be installed: the benchmark table will say 'R not measured'."; \
	else echo "R or an R package is missing and this is not root: the benchmark table will say 'R not measured'."; fi

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
