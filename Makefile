# nnlessons: build the course website and run every test.
#
#   make book     build the site into _build/html (warnings are errors)
#   make test     run every test: package, notebooks (strict nbval), hygiene, site and live JupyterLab in a browser
#   make lab      open JupyterLab on book/ for reading and running the notebooks
#   make outputs  re-execute every notebook in place (commit the result)
#   make sync-url rewrite the Colab install cell of every notebook from repository.url in _config.yml
#   make bench    time a training step of nnlessons against hand-written NumPy (prints ratios)
#   make assignments  student versions of the graded exercises, by nbgrader, into _build/assignments
#   make clean    remove the built site; make distclean also removes .venv
#
# Each target creates .venv from the pinned requirement files when it is missing or stale, with the
# interpreter PYTHON (default python3; e.g. `make PYTHON=python3.12 test`), which must be at least the
# version that pyproject.toml requires.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
NBGRADER_STAMP := $(VENV)/.installed-nbgrader
# The oldest Python the project supports: requires-python = ">=X.Y" in pyproject.toml.
PYTHON_MIN := $(shell sed -n 's/^requires-python *= *">=\([0-9.]*\)".*/\1/p' pyproject.toml)
NOTEBOOKS := $(sort $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*'))

# Notebooks run without a progress bar and with a fixed hash seed, so their outputs are reproducible,
# and with one BLAS thread: the matrices are small, and on a busy 2-core machine threads only fight.
NB_ENV := NNLESSONS_PROGRESS=0 PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help check-python venv book test lab outputs sync-url bench assignments clean distclean

help:
	@sed -n '3,15p' Makefile | sed 's/^# \{0,1\}//'

# Before any venv or pip work: one line that says which Python is needed and how to choose another.
# It checks .venv's interpreter when .venv exists, else PYTHON.
check-python:
	@py='$(PYTHON)'; redo=''; if test -x $(PY); then py=$(PY); redo='make distclean, then '; fi; \
	version=$$($$py -c 'import platform; print(platform.python_version())' 2>/dev/null) || true; \
	if ! $$py -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(PYTHON_MIN)".split("."))))' \
		2>/dev/null; then \
		echo "nnlessons needs Python >= $(PYTHON_MIN), but $$py is $${version:-not found}; choose another" \
			"interpreter: $${redo}make PYTHON=python3.12 $(or $(MAKECMDGOALS),test)" >&2; \
		exit 1; \
	fi

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

# nbgrader is an instructor's tool, kept out of requirements.txt; `make test` needs it for tests/test_assignments.py.
# Its JupyterLab and server extensions are switched off in .venv, so that `make lab` stays the students' view.
$(NBGRADER_STAMP): $(STAMP) requirements-nbgrader.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-nbgrader.txt -c constraints.txt
	for ext in formgrader validate_assignment assignment_list course_list; do \
		PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/jupyter server extension disable --sys-prefix \
			"nbgrader.server_extensions.$$ext" >/dev/null 2>&1; \
	done
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	touch $@

$(TEST_STAMP): $(STAMP) $(NBGRADER_STAMP) requirements-test.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt -c constraints.txt
	touch $@

# The site is built from the committed outputs (execute_notebooks: "off"); `make test` proves them current.
# The hygiene tests run first: a stored error, a warning or a missing alt text fails the build.
book: $(STAMP)
	$(PY) -m pytest -q -p no:xdist -p no:nbval tests/test_notebooks.py
	$(VENV)/bin/jupyter-book build . -W --keep-going

test: $(TEST_STAMP)
	$(NB_ENV) $(PY) -m pytest tests $(if $(NOTEBOOKS),$(NBVAL) $(NOTEBOOKS)) \
		--ignore-glob='tests/test_site*.py' --ignore=tests/test_live_jupyter.py -n 2 --dist loadfile
	$(MAKE) --no-print-directory book
	$(PY) -m pytest tests/test_live_jupyter.py tests/test_site*.py -p no:xdist

# .jupyter/ adds the course's server settings to the user's own (a save does not write the Python version).
lab: $(STAMP)
	cd book && JUPYTER_CONFIG_PATH="$(CURDIR)/.jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		../$(VENV)/bin/jupyter lab

outputs: $(STAMP)
	$(NB_ENV) $(PY) scripts/run_notebooks.py $(NOTEBOOKS)

sync-url: $(STAMP)
	$(PY) scripts/sync_colab_cell.py

bench: $(STAMP)
	$(PY) benchmarks/bench_training_step.py

# The student versions go to _build/assignments/<chapter>.ipynb; _build/nbgrader is the nbgrader course
# directory (source versions WITH solutions, release, gradebook) for `nbgrader autograde`.
assignments: $(NBGRADER_STAMP)
	$(PY) scripts/make_assignments.py

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
