# intake — the two commands of the README, and a few helpers.
#   make run    install, migrate, load demo data, serve on http://127.0.0.1:5000
#   make test   install, then run the whole suite on SQLite and on PostgreSQL

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The PostgreSQL run of the suite; set TEST_POSTGRES= (empty) to skip it on a laptop without one.
TEST_POSTGRES ?= postgresql://127.0.0.1:5432/test
# The proof harness's PostgreSQL: NAME_load, NAME_replays and NAME_tests are made and dropped there.
PROOF_POSTGRES ?= postgresql://127.0.0.1:5432/proof

.PHONY: run test test-sqlite test-sqlite-core test-browser test-postgres install browser translations bench proof

$(BIN)/flask: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,postgres,redis,brother]'
	touch $(BIN)/flask

# Browser libraries (qr-scanner), exactly as package-lock.json pins them; Lighthouse, a
# devDependency, only for `make bench`.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error

install: $(BIN)/flask node_modules/.package-lock.json

run: install
	INTAKE_ENV=development $(BIN)/flask --app intake upgrade
	INTAKE_ENV=development $(BIN)/flask --app intake demo
	INTAKE_ENV=development $(BIN)/flask --app intake run --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium (its fake camera is fed a video made by ffmpeg);
# install them, and an emoji font, when missing.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v ffmpeg >/dev/null 2>&1 && \
	  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium ffmpeg fonts-noto-color-emoji fonts-dejavu-core; }

# One pass after the other: side by side on two cores, each took twice as long (and the database's own
# work a share of the cores), so nothing was gained. The browser tests (SQLite) run last.
test: install browser
	$(MAKE) test-sqlite-core $(if $(TEST_POSTGRES),test-postgres) test-browser

test-sqlite: test-sqlite-core test-browser

test-sqlite-core:
	$(BIN)/python -m pytest --ignore=tests/browser

test-browser:
	$(BIN)/python -m pytest tests/browser

# Browser tests, the README's production steps and gunicorn's settings do not depend on the database:
# they run once, in the SQLite pass.
test-postgres:
	INTAKE_TEST_DATABASE_URL=$(TEST_POSTGRES) $(BIN)/python -m pytest --ignore=tests/browser \
	  --ignore=tests/test_production_setup.py --ignore=tests/test_gunicorn_settings.py

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o intake/translations/messages.pot .
	$(BIN)/pybabel update -i intake/translations/messages.pot -d intake/translations
	$(BIN)/pybabel compile -d intake/translations

bench: install browser
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python bench/intake_throughput.py
	$(BIN)/python bench/label_rendering.py
	$(BIN)/python bench/item_page.py
	$(BIN)/python bench/pwa_audit.py

# The proof harness (bench/proof.py, about 10 minutes): load with replays, killed workers and backups,
# then the CI proof tests at full size, on SQLite and PostgreSQL (PROOF_POSTGRES= for SQLite only).
proof: install
	$(BIN)/python bench/proof.py $(if $(PROOF_POSTGRES),--postgres $(PROOF_POSTGRES),--no-postgres)
