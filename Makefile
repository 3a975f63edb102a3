# Uplift — two commands: `make demo` runs the system, `make test` runs the checks.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format messages bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/uplift demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/uplift makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	bash scripts/system-packages.sh
	$(BIN)/pytest

# Refresh the Chinese catalogue after changing user-facing strings, translate, then run again.
messages: $(STAMP)
	$(BIN)/python -c "import opencc" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,dev]'
	cd uplift && ../$(BIN)/uplift makemessages -l zh_Hans --no-location -i "locale/*"
	$(BIN)/python scripts/hant_from_hans.py
	cd uplift && ../$(BIN)/uplift compilemessages -l zh_Hans -l zh_Hant

# The README's screenshots (needs Debian's chromium): the pages of a demo running on
# 127.0.0.1:8000, then the browser journeys' own shots into docs/screenshots/e2e/.
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py
	UPLIFT_TEST_ARTIFACTS=docs/screenshots $(BIN)/pytest tests/e2e -p no:cacheprovider

# Page timings on the demo dataset (see bench/README.md); results go to bench/RESULTS.md by hand.
# With DATABASE_URL naming a PostgreSQL database that holds the demo, also the load test: 50 users
# against gunicorn on loopback.
bench: $(STAMP)
	$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/pages.py
	@if echo "$$DATABASE_URL" | grep -q '^postgres'; then $(BIN)/python bench/load.py; \
	else echo "Load test skipped: set DATABASE_URL to a PostgreSQL database holding the demo (bench/load.py)."; fi

clean:
	rm -rf $(VENV) var .pytest_cache
