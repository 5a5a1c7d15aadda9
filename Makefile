# The Korean Thaw course. Two commands matter:
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up and run every test
# Everything else is for instructors (see course/instructor-guide.md) and maintainers.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
STAMP  := $(VENV)/.koreathaw-setup
ARGS   ?=
PYTEST_ARGS ?=
FIRST_LESSON := notebooks/00-welcome.ipynb

# nbgrader shells out to `alembic` and friends: the venv's bin/ must be on PATH.
export PATH := $(BIN):$(PATH)
export PYTHONNOUSERSITE := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
SUDO := $(shell [ "$$(id -u)" = 0 ] && echo "" || (sudo -n true 2>/dev/null && echo sudo -n || echo NOSUDO))

.PHONY: help setup lab test test-fast system-deps sandbox-deps clean-venv site

help:
	@echo "make lab     set up (first time: a few minutes) and open the course in JupyterLab"
	@echo "             headless: make lab ARGS=--no-browser"
	@echo "make test    set up and run the whole test suite"
	@echo "make test-fast  unit tests only (no notebooks, grading or browser)"
	@echo "make site    build the course website into site/ (open site/index.html; works offline)"

# --- setup -----------------------------------------------------------------
$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	@$(PYTHON) -m venv $(VENV) || { \
	  echo ">>> '$(PYTHON) -m venv' failed; trying to install Debian's python3-venv"; \
	  if [ "$(SUDO)" != NOSUDO ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	  else echo ">>> cannot install python3-venv without root or sudo: install it and run make again"; exit 1; fi; }

$(STAMP): $(VENV)/bin/python pyproject.toml requirements.lock postBuild .jupyter/overrides.json .jupyter/jupyter_server_config.json .jupyter/jupyter_server_config.py .jupyter/nbgrader_config.py src/koreathaw_grading/templates/mathjax.html.j2 $(wildcard website/nbconvert/koreathaw/*) website/nbconvert/jupyter_nbconvert_config.json website/_static/koreathaw-widgets.js
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[course,test,site,hub]"
	KOREATHAW_PYTHON=$(BIN)/python ./postBuild --config-only >/dev/null
	touch $@

# The library is byte-compiled here, not left to its first import: a kernel whose
# environment forbids writing bytecode (PYTHONDONTWRITEBYTECODE, the grading sandbox's
# read-only view of src/) would otherwise compile it again on every start.
# The venv must run this checkout's library with its own kernel: an editable install
# or a kernelspec made from another folder (a copied or moved checkout, a venv borrowed
# through a symlink) is redone here.
setup: $(STAMP)
	@$(BIN)/python -c 'import json, pathlib, sys, importlib.metadata as md; \
	  url = json.loads(md.distribution("koreathaw").read_text("direct_url.json") or "{}").get("url"); \
	  spec = pathlib.Path(sys.prefix, "share/jupyter/kernels/koreathaw/kernel.json"); \
	  argv = json.loads(spec.read_text())["argv"] if spec.exists() else [""]; \
	  sys.exit(url != pathlib.Path.cwd().resolve().as_uri() or argv[0] != sys.executable)' 2>/dev/null || { \
	  echo ">>> the venv's koreathaw library or kernel is not this checkout's ($(CURDIR)): reinstalling them"; \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -c requirements.lock -e . && \
	  $(BIN)/python -m ipykernel install --sys-prefix --name koreathaw --display-name "Python 3 (Korean Thaw)" >/dev/null; }
	@$(BIN)/python -m compileall -q src >/dev/null || echo "!!! could not byte-compile src/: every kernel will compile the library afresh"

# The grading sandbox: Debian's bubblewrap (util-linux's unshare, setpriv, prlimit are there already).
sandbox-deps:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$(SUDO)" != NOSUDO ] && command -v apt-get >/dev/null 2>&1; then \
	  echo ">>> installing Debian's bubblewrap, the sandbox student code is graded in"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null; \
	else echo "!!! bubblewrap (bwrap) is missing and cannot be installed here: autograde will refuse to run student code (install 'bubblewrap')"; fi

# Debian's chromium for the browser tests (never `playwright install`), and the sandbox.
system-deps: sandbox-deps
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$(SUDO)" != NOSUDO ]; then \
	  echo ">>> installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	else echo "!!! chromium is missing and cannot be installed without root or sudo: the browser tests will be SKIPPED (install Debian's 'chromium')"; fi

# --- the two commands --------------------------------------------------------
lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=$(CURDIR) $(FIRST_LESSON) $(ARGS)

# The fast suite runs under coverage (the grading package must keep >= 85 % of its lines
# covered there, pyproject.toml [tool.coverage]); then everything slower.
FAST := not slow and not browser and not grading and not notebooks and not hub

test: setup system-deps
	$(BIN)/python -m pytest --doctest-modules src/koreathaw $(PYTEST_ARGS)
	rm -rf artifacts/coverage
	$(BIN)/python -m coverage run -m pytest tests -m "$(FAST)" $(PYTEST_ARGS)
	$(BIN)/python -m coverage combine -q && $(BIN)/python -m coverage report
	$(BIN)/python -m pytest tests -m "not ($(FAST)) and not hub" $(PYTEST_ARGS)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with tests/notebooks/sanitize.cfg notebooks/ $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory hub-test

test-fast: setup
	$(BIN)/python -m pytest --doctest-modules src/koreathaw $(PYTEST_ARGS)
	$(BIN)/python -m pytest tests -m "$(FAST)" $(PYTEST_ARGS)

# The course website: the lessons executed afresh, read with the syllabus and guides
# (website/conf.py). -E: every page is re-read, so outputs follow the library and data.
site: setup
	$(BIN)/python -m sphinx -E -b html -c website -d build/site-doctrees . site
	@echo ">>> the website is in site/: open site/index.html in a browser (no network needed)"

clean-venv:
	rm -rf $(VENV)

# Instructor targets (release, collect, autograde, feedback, export): see course/grading.md
-include tools/grading.mk
# Benchmarks (not part of make test)
-include benchmarks/bench.mk
# The course on a real JupyterHub (hub/, course/hub.md): make hub-test (part of make test), make hub-load
-include hub/hub.mk
