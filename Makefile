# Two commands on a fresh machine with Python 3 and pip: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test docs graphviz chromium pictures bench clean

$(BIN)/activate: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

# The docs extra (MkDocs, Material, mkdocstrings) only when the docs are built, not for demo/test.
$(VENV)/.docs-installed: $(BIN)/activate setup.cfg
	$(BIN)/pip install --quiet -e '.[dev,docs]'
	touch $@

# Graphviz's `dot` renders the pictures; install it where we may (root on Debian/Ubuntu, as in CI).
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else echo "note: Graphviz 'dot' is missing; rendering tests will skip (install: apt-get install graphviz / brew install graphviz)"; fi; }

# Debian's chromium runs the browser tests (the explorer page, the docs' math); installed where we may, as Graphviz.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium is missing; the browser tests will skip (install: apt-get install chromium)"; fi; }

demo: $(BIN)/activate graphviz
	$(BIN)/python -m tinygrad_sm demo

# Lint, format, types, then the suite with a coverage report (fails under 90% of the package's lines).
test: $(BIN)/activate graphviz chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --cov=tinygrad_sm --cov-report=term --cov-fail-under=90

# Strict: any warning (broken link or anchor, missing include, docstring problem) fails the build.
docs: $(VENV)/.docs-installed chromium
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site
	$(BIN)/python scripts/check_docs_site.py site
	@echo "docs built: open site/index.html in a browser (it works from disk, search included)"

# The speed benchmark (about a minute; `make bench ARGS=--quick` for a few seconds). Not part of CI.
bench: $(BIN)/activate
	$(BIN)/python benchmarks/bench.py $(ARGS)

pictures: $(BIN)/activate graphviz
	$(BIN)/python scripts/make_pictures.py

clean:
	rm -rf $(VENV) runs site .pytest_cache .hypothesis
