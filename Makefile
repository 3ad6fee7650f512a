# hepbuilder: `make run` serves the app on http://127.0.0.1:5000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test quicktest bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/hepbuilder db upgrade
	$(BIN)/hepbuilder seed
	$(BIN)/hepbuilder serve --host 127.0.0.1 --port 5000

# One pytest-xdist worker per core and one more for make test, one per core for make quicktest
# (tests/conftest.py says why), each with its own database; a test file stays on one worker
# (its module fixtures, such as a live server, start once). The slowest tests are listed at the
# end. Python keeps its bytecode even where PYTHONDONTWRITEBYTECODE is set: the suite starts
# some 50 interpreters (workers, the layer checks' fresh ones, servers) that would each compile
# the same sources again, and pytest would rewrite every test module's asserts on every run.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n auto --dist loadfile

test: $(VENV)/.installed-test
	$(PYTEST) --durations=10

# Everything but the slow suites (other programs and servers, the exhaustive matrices; SLOW_SUITES
# in tests/conftest.py): for before every commit.
quicktest: $(VENV)/.installed-test
	$(PYTEST) -m "not slow" --durations=5

bench: $(VENV)/.installed-test
	$(BIN)/python bench/render.py
	$(BIN)/python bench/first_handout.py
	$(BIN)/python bench/illustrations.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/search_scale.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/history.py
	$(BIN)/python bench/issue.py
	$(BIN)/python bench/library.py
	$(BIN)/python bench/storage.py
	$(BIN)/python bench/load.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check hepbuilder tests bench
	$(BIN)/ruff format --check hepbuilder tests bench

clean:
	rm -rf $(VENV) build *.egg-info
