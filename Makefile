# The fixed interfaces: `make run`, `make test`, `make bench` (GUIDE §8).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint e2e clean bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# axe-core for the accessibility tests (package.json, test-only; `make run` does not need node).
node_modules/.installed: package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo
	@echo "  Jalon: http://127.0.0.1:$(PORT)/"
	@echo "  Demo login: demo@example.org / jalon-demo"
	@echo
	JALON_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install lint node_modules/.installed
	$(BIN)/bandit -c pyproject.toml -r jalon -q
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache

# Against gunicorn on a fresh database (SQLite, and PostgreSQL too when DATABASE_URL is set: that
# database is emptied): warm load, every request a cache miss, readers while a colleague saves;
# in process, pages right after an edit; each report's first build after an edit; page weight.
# Installs wrk with apt-get when missing. Writes bench/results.json and BENCHMARKS.md; about 12
# minutes on 2 cores, 17 with PostgreSQL. BENCH_QUICK=1: short runs, to try it out.
# BENCH_NOTE="…": a sentence for the head of BENCHMARKS.md (e.g. « measured on a busy machine »).
bench: install
	$(BIN)/python -m bench.run

# Extract the French UI strings into locale/fr/LC_MESSAGES/django.po, then compile django.mo.
# Needs Debian's gettext (apt-get install gettext). The compiled .mo is committed, so nothing
# else (run, test, deployment) needs gettext.
.PHONY: messages
messages: install
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l fr --ignore=.venv
