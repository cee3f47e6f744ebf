# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench translations messages clean fonts

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP) translations fonts

# The certificates and sign-in lists (PDF) embed DejaVu: Debian's fonts-dejavu-core.
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || apt-get install -y -q fonts-dejavu-core >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q fonts-dejavu-core) || echo "install: the PDFs need fonts-dejavu-core (apt-get install fonts-dejavu-core)"

# Compiled catalogues (.mo) are build output; the .po sources are in git.
translations: $(STAMP)
	@if [ -d trajectories/translations ]; then $(BIN)/pybabel -q compile -d trajectories/translations; fi

# After changing user-facing strings: extract them and update the English catalogue (then translate).
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k _nl:1,2 -o trajectories/translations/messages.pot .
	$(BIN)/pybabel -q update -i trajectories/translations/messages.pot -d trajectories/translations -l en --no-fuzzy-matching --ignore-obsolete

run: install
	$(BIN)/trajectories init-db
	$(BIN)/trajectories demo
	@# The development mailbox (aiosmtpd on 127.0.0.1:8025, mails in var/mailbox/) runs beside
	@# the app and stops with it.
	$(BIN)/trajectories mailbox & MAILBOX=$$!; trap 'kill $$MAILBOX' EXIT INT TERM; \
	$(BIN)/trajectories serve --scheduler

# Two runs, both always: the fast tests, then the slow ones (marker `slow`: real processes), each
# with its own summary. Fails if either fails; "no tests ran" (exit 5: PYTEST_ARGS chose none of
# that half) is no failure. A marker expression of your own goes in TEST_MARK, not in PYTEST_ARGS:
# `make test TEST_MARK="not postgres" PYTEST_ARGS="tests/mail"`.
# The fast half runs on every core (pytest-xdist: TEST_WORKERS, `0` for one process; each worker
# has a PostgreSQL database of its own); the slow half, whose tests time real processes, in one.
TEST_MARK ?=
TEST_WORKERS ?= auto
test: install
	@status=0; \
	for part in "not slow" "slow"; do \
	  workers=$(TEST_WORKERS); [ "$$part" = "slow" ] && workers=0; \
	  echo "=== make test: $$part ==="; \
	  $(BIN)/python -m pytest -n $$workers -m "($$part)$(if $(TEST_MARK), and ($(TEST_MARK)))" $(PYTEST_ARGS); \
	  code=$$?; \
	  [ $$code -eq 0 ] || [ $$code -eq 5 ] || status=1; \
	  echo "=== make test: $$part: exit $$code ==="; \
	done; \
	exit $$status

lint: install
	$(BIN)/ruff check .

bench: install
	@# wrk drives the load benches (feeds, latency, load); Debian packages it.
	@command -v wrk >/dev/null || (apt-get install -y -q wrk >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q wrk)) || echo "bench: install wrk (apt-get install wrk) for the load benches"
	@# nginx serves the published feeds in bench/nginx.py, as docs/deploy.md configures it.
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || (apt-get install -y -q nginx-light >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q nginx-light)) || echo "bench: install nginx (apt-get install nginx-light) for bench/nginx.py"
	@# Every script with a main; common.py and the hello-world apps are their helpers.
	@for script in $$(grep -l '__main__' bench/*.py); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
