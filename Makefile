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
# Chromium and Node.js (npm installs axe-core, see package.json) for the browser tests.
SYSTEM_PACKAGES_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk fonts-dejavu-core
# Debian's npm only where no npm is found (NodeSource's nodejs package brings its own).
NPM_PACKAGE := $(shell command -v npm >/dev/null 2>&1 || echo npm)
SYSTEM_PACKAGES_TEST := $(SYSTEM_PACKAGES_RUN) chromium poppler-utils nodejs $(NPM_PACKAGE)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint lock bench messages translations system-deps-run system-deps-test clean

# Every install comes from uv.lock (the whole dependency tree, pinned with hashes), so the
# same commit installs the same versions on any day. uv itself is pinned here and kept in
# its own small venv; `make lock` refreshes uv.lock on purpose (commit it on its own).
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_ENV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never
SYNC := $(UV_ENV) $(UV) sync --frozen --python $(PYTHON) --quiet

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q uv==$(UV_VERSION)

# `run` installs the application's dependencies (leaving test tools alone if present);
# `test` installs exactly the lock's application + test set.
$(VENV)/.app: pyproject.toml uv.lock | $(UV)
	$(SYNC) --inexact
	$(BIN)/pybabel -q compile -d assessment/translations
	touch $@

$(VENV)/.test: pyproject.toml uv.lock | $(UV)
	$(SYNC) --extra test
	$(BIN)/pybabel -q compile -d assessment/translations
	touch $@ $(VENV)/.app

lock: $(UV)
	$(UV_ENV) $(UV) lock --upgrade --python $(PYTHON)

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
	$(BIN)/assessment demo-accounts
	$(BIN)/assessment run --host $(HOST) --port $(PORT)

# axe-core for the browser tests' accessibility checks, exactly as package-lock.json pins it.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

test: system-deps-test $(VENV)/.test translations node_modules/.package-lock.json
	$(BIN)/python -m pytest

# ruff (with flake8-bandit's security rules), mypy, the layer contracts of pyproject.toml
# ([tool.importlinter]), and pip-audit over every package pinned in uv.lock: it fails on a
# known vulnerability that has a fixed release. pip-audit needs OSV (osv.dev) or PyPI's
# per-release JSON; where neither answers (this project's machines reach only package
# registries, and PyPI serves them no per-release JSON) it says so and is skipped;
# AUDIT_REQUIRED=1 makes that a failure. See scripts/audit_dependencies.py.
lint: $(VENV)/.test
	$(BIN)/ruff check assessment reports tests bench scripts
	$(BIN)/mypy assessment reports scripts
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/audit_dependencies.py

# Every bench, each bounded in time, then the table of bench/README.md rewritten.
bench: $(VENV)/.test
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(TOOLS) instance .pytest_cache .mypy_cache .ruff_cache node_modules

# Compile the translated catalogues (*.po -> *.mo); the app offers only compiled languages.
translations: $(VENV)/.app
	$(BIN)/pybabel -q compile -d assessment/translations

# Extract every user-visible string for translators and merge it into each catalogue.
messages: $(VENV)/.app
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o assessment/translations/messages.pot .
	$(BIN)/pybabel update -i assessment/translations/messages.pot -d assessment/translations
