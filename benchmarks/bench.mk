# Benchmarks: the course against its floor (not part of make test). Included by the Makefile.
#
#   make bench                      all four figures, table -> benchmarks/RESULTS.md (about 12 min on 2 cores with setup, on a quiet machine); exits 1 if a figure failed
#   make bench BENCH_N=12 BENCH_REPEATS=1 BENCH_BASELINES=   a quick look
#
# BENCH_N submissions to grade (40), BENCH_REPEATS (3) for the course, the floors and the
# fast path, BENCH_BASELINE_REPEATS (1) for the slow stock ways (BENCH_BASELINES:
# "unsandboxed,driver,serial,shards,per-student"; also jobs+1), BENCH_ASSIGNMENT (the first), BENCH_FIGURES (1,2,3,4), BENCH_JOBS (cores).

BENCH_N                ?= 40
BENCH_REPEATS          ?= 3
BENCH_BASELINE_REPEATS ?= 1
BENCH_BASELINES        ?= unsandboxed,driver,serial,shards,per-student
BENCH_ASSIGNMENT       ?=
BENCH_FIGURES          ?= 1,2,3,4
BENCH_JOBS             ?=

.PHONY: bench bench-deps

# Debian's valgrind counts figure 2 in instructions (its callgrind), which machine load does not change.
bench-deps:
	@if command -v valgrind >/dev/null 2>&1; then :; \
	elif [ "$(SUDO)" != NOSUDO ] && command -v apt-get >/dev/null 2>&1; then \
	  echo ">>> installing Debian's valgrind to count figure 2 in instructions"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends valgrind >/dev/null; \
	else echo "!!! valgrind is missing and cannot be installed here: figure 2 is timed only, not counted"; fi

bench: setup bench-deps sandbox-deps
	BENCH_N="$(BENCH_N)" BENCH_REPEATS="$(BENCH_REPEATS)" BENCH_BASELINE_REPEATS="$(BENCH_BASELINE_REPEATS)" \
	BENCH_BASELINES="$(BENCH_BASELINES)" BENCH_ASSIGNMENT="$(BENCH_ASSIGNMENT)" BENCH_FIGURES="$(BENCH_FIGURES)" \
	BENCH_JOBS="$(BENCH_JOBS)" $(BIN)/python benchmarks/run.py
