# The fixed interfaces: `make run`, `make test`, `make bench` (GUIDE §8).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint e2e clean bench

# pip, pinned. The venv is made without pip because Debian's python3 has no ensurepip unless
# python3-venv is installed; pip then comes from ensurepip when Python has it, else from this
# wheel on PyPI, checked against its sha256 (so a bare Debian 12 needs only python3, make, git
# and ca-certificates).
PIP_VERSION := 26.3
PIP_WHEEL := pip-$(PIP_VERSION)-py3-none-any.whl
PIP_URL := https://files.pythonhosted.org/packages/07/25/ee8c38ae72d66b844ce8eb9711ba905dba21ca1a8a0c960057c41cd23337/$(PIP_WHEEL)
PIP_SHA256 := f3b60b20ffaadd4415ed7957212a38ac63fa4c5fa375bd0f4a797777940fad13

define FETCH_PIP
import hashlib, sys, urllib.request
url, sha256, path = sys.argv[1:]
data = urllib.request.urlopen(url, timeout=120).read()
if hashlib.sha256(data).hexdigest() != sha256:
    sys.exit(f"{url}: sha256 differs from the one in the Makefile; not installing it.")
with open(path, "wb") as wheel:
    wheel.write(data)
endef
export FETCH_PIP

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Jalon needs Python 3.11 or newer; '$(PYTHON)' is: $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "Debian 12: apt-get install python3 (or run make PYTHON=/path/to/python3.11)." >&2; \
	  exit 1; }
	$(PYTHON) -m venv --without-pip $(VENV)
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	  if $(BIN)/python -c 'import ensurepip' 2>/dev/null; then \
	    $(BIN)/python -m ensurepip --default-pip >/dev/null; \
	  else \
	    echo "$(PYTHON) has no ensurepip (Debian without python3-venv): pip $(PIP_VERSION) from PyPI"; \
	    $(BIN)/python -c "$$FETCH_PIP" $(PIP_URL) $(PIP_SHA256) $(VENV)/$(PIP_WHEEL) && \
	    $(BIN)/python $(VENV)/$(PIP_WHEEL)/pip install --quiet --no-index $(VENV)/$(PIP_WHEEL) && \
	    rm $(VENV)/$(PIP_WHEEL); \
	  fi; \
	fi
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# axe-core for the accessibility tests (package.json, test-only; `make run` does not need node).
# Without npm, nothing is installed: `make test` says so, and the accessibility tests skip.
node_modules/.installed: package.json $(wildcard package-lock.json)
	@if ! command -v npm >/dev/null; then \
	  echo "npm not found: axe-core not installed, the accessibility tests will skip" \
	    "(Debian: apt-get install npm)."; \
	  exit 0; \
	fi; \
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi && \
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
	$(BIN)/lint-imports --no-cache  # the rooms import one way: [tool.importlinter] in pyproject.toml

# pytest -rs: the summary says why each skipped test was skipped.
test: install lint node_modules/.installed
	$(BIN)/bandit -c pyproject.toml -r jalon -q
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -rs

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
	$(BIN)/python manage.py makemessages -l fr --no-location --ignore=.venv --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l fr --ignore=.venv
