# The course on a real JupyterHub (course/hub.md). Included by the Makefile.
#
#   make hub-test    ten students through a real hub on 127.0.0.1: round trip, grades, feedback, isolation
#                    (part of make test; needs root or password-less sudo: it makes unix users and a
#                    PostgreSQL cluster, and removes them afterwards)
#   make hub-load    the same with HUB_LOAD_STUDENTS (30) students, timed; figures -> benchmarks/RESULTS.md
#
# The hub's shared environment is cached in /var/tmp/koreathaw-hubtest/venv (rebuilt when the lock,
# the library or the data change; the first build takes a few minutes).

HUB_LOAD_STUDENTS ?= 30
# root runs pytest from the venv; a sudoer runs the same command under sudo
HUB_PYTEST = $(if $(filter NOSUDO,$(SUDO)),,$(SUDO) env PATH="$(PATH)") $(BIN)/python -m pytest

.PHONY: hub-test hub-load

hub-test: setup sandbox-deps
	@if [ "$(SUDO)" = NOSUDO ]; then \
	  echo "!!! make hub-test SKIPPED: it creates unix users and a PostgreSQL cluster, so it needs root or password-less sudo (you are $$(id -un) without sudo)"; \
	else $(HUB_PYTEST) tests/hub -m hub -p no:cacheprovider $(PYTEST_ARGS); fi

hub-load: setup sandbox-deps
	@if [ "$(SUDO)" = NOSUDO ]; then echo "!!! make hub-load needs root or password-less sudo"; exit 2; fi
	$(if $(filter NOSUDO,$(SUDO)),,$(SUDO) env PATH="$(PATH)") $(BIN)/python tests/hub/load.py $(HUB_LOAD_STUDENTS)
