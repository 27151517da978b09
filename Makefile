# Two commands matter: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev migrate seed serve scheduler bench fuzz e2e-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	chmod 600 $@

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask scm seed-demo --if-empty

# Web server and scheduler side by side; Ctrl-C stops both.
run: install instance/secret_key seed
	@echo "SCM on http://$(HOST):$(PORT)  (demo logins in README.md)"
	@SECRET_KEY=$$(cat instance/secret_key) ; export SECRET_KEY ; \
	  $(BIN)/flask scm scheduler & SCHED=$$! ; \
	  trap "kill $$SCHED 2>/dev/null" EXIT INT TERM ; \
	  $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - wsgi:app

# SQLite tests use one database file per test, so two workers are safe; the PostgreSQL pass shares
# one database and runs serially.
TEST_WORKERS ?= $(if $(SCM_TEST_DATABASE_URL),0,2)

test: install-dev
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) tests

bench: install-dev
	$(BIN)/python -m benchmarks.run_all

fuzz: install-dev
	SCM_FUZZ_EXAMPLES=$${SCM_FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest -q -p no:cacheprovider tests -m fuzz

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
