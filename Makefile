# Two commands: `make run` (set up, demo data, serve) and `make test` (set up, whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The links the CLI prints point at the server `make run` starts.
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
export PUBLIC_BASE_URL
# Debian packages the project needs: pango for WeasyPrint, fonts that cover Polish,
# Latvian, Russian and Chinese for the PDF reports, poppler for checking PDFs, and
# Chromium for the browser tests.
SYSTEM_PACKAGES_RUN := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core fonts-noto-cjk fonts-dejavu-core
SYSTEM_PACKAGES_TEST := $(SYSTEM_PACKAGES_RUN) chromium poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint bench messages translations system-deps-run system-deps-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/pybabel -q compile -d assessment/translations
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pybabel -q compile -d assessment/translations
	touch $@ $(VENV)/.app

system-deps-run:
	@missing=$$(for p in $(SYSTEM_PACKAGES_RUN); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing $$missing"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; fi

system-deps-test:
	@missing=$$(for p in $(SYSTEM_PACKAGES_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing $$missing"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; fi

run: system-deps-run $(VENV)/.app translations
	$(BIN)/assessment db upgrade
	$(BIN)/assessment demo
	$(BIN)/assessment demo-campaign
	$(BIN)/assessment run --host $(HOST) --port $(PORT)

test: system-deps-test $(VENV)/.test translations
	$(BIN)/python -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check assessment reports tests bench
	$(BIN)/mypy assessment reports

bench: $(VENV)/.test
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

# Compile the translated catalogues (*.po -> *.mo); the app offers only compiled languages.
translations: $(VENV)/.app
	$(BIN)/pybabel -q compile -d assessment/translations

# Extract every user-visible string for translators and merge it into each catalogue.
messages: $(VENV)/.app
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o assessment/translations/messages.pot .
	$(BIN)/pybabel update -i assessment/translations/messages.pot -d assessment/translations
