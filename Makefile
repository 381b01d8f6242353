# nenaudit: set-up, tests, reproduction. Every target is idempotent.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
R_DEBS := r-base-core r-base-dev r-cran-glmnet r-cran-proc r-cran-rms r-cran-mass r-cran-boot \
          r-cran-psych r-cran-caret r-cran-brglm2 r-cran-hmisc r-cran-survival r-cran-jsonlite
R_PKGS := glmnet pROC rms MASS boot psych caret brglm2 Hmisc survival jsonlite
export TZ ?= UTC

.PHONY: setup r-deps browser-deps venv venv-run venv-check lint test check reproduce audit clean references

setup: r-deps browser-deps venv

# R and its packages from Debian (no CRAN here). Installs only what is missing.
r-deps:
	@missing=0; command -v Rscript >/dev/null || missing=1; \
	if [ $$missing = 0 ]; then \
	  Rscript -e 'p <- commandArgs(TRUE); q(status = as.integer(!all(vapply(p, requireNamespace, NA, quietly = TRUE))))' $(R_PKGS) >/dev/null 2>&1 || missing=1; \
	  [ -f /usr/share/R/include/R.h ] || missing=1; \
	fi; \
	if [ $$missing = 1 ]; then \
	  echo "installing R and r-cran-* packages from Debian"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $(R_DEBS); \
	else echo "R and its packages: present"; fi

# Debian's chromium, for the headless-browser test of report.html (tests/test_report.py). Only when missing.
browser-deps:
	@if command -v chromium >/dev/null; then echo "chromium: present"; else \
	  echo "installing chromium from Debian (the report's browser test)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium; \
	fi

$(PY):
	python3 -m venv $(VENV)

# Installing into a venv ($(1): its python; $(2): what to install): with uv (PyPI's `uv` wheel, put into the
# venv first), which resolves and installs the test extra in about 7 s where pip takes about 60 s on 2 cores;
# with pip when uv cannot be had or fails (uv reads no pip.conf: an index that only pip is told about). uv
# writes no bytecode at install: modules are compiled on first import (the tests keep those caches, PYTEST).
# The index settings pip reads from the environment are handed to uv.
INSTALL = export UV_LINK_MODE=copy UV_NO_PROGRESS=1 \
	  $${PIP_INDEX_URL:+UV_INDEX_URL=$$PIP_INDEX_URL} $${PIP_EXTRA_INDEX_URL:+UV_EXTRA_INDEX_URL="$$PIP_EXTRA_INDEX_URL"}; \
	if $(1) -m pip install -q uv >/dev/null 2>&1 && $(dir $(1))uv pip install -q --python $(1) $(2); then :; \
	else echo "uv unavailable or failed: installing with pip"; \
	  $(1) -m pip install -q --upgrade pip && $(1) -m pip install -q $(2); fi

# The venv of the tests: the package with its test extras (rpy2 among them, which builds only where R is).
# Then the compiled kernels (the lasso's, the Wald fits') are built once into numba's on-disk cache, so
# that the first run does not pay their compilation; a no-op when the cache is current. The two compilations
# (about 6 s each on 2 cores) run side by side.
WARM = $(1) -c "from nenaudit.stats import _lognet; _lognet.warm()" & lasso=$$!; \
	$(1) -c "from nenaudit.stats import logistic; logistic.warm()" && wait $$lasso
venv: $(PY)
	$(call INSTALL,$(PY),-e '.[test]')
	$(call WARM,$(PY))

# The venv of the main job: the package and its run-time dependencies only, never rpy2, so that it
# installs on a machine without R (tests/test_quickstart.py builds it with R hidden from PATH).
venv-run: $(PY)
	$(call INSTALL,$(PY),-e .)
	$(call WARM,$(PY))

# The venv of `make check`: the package with the check extra only (the test extra less rpy2, pyradiomics and
# SimpleITK: the fast tier uses none of them), no byte-compilation at install (the tests import a fraction of
# what pip would compile; it is compiled on first import instead). Its own .gitignore keeps git and ruff out.
VENV_CHECK ?= .venv-check
PY_CHECK := $(VENV_CHECK)/bin/python

$(PY_CHECK):
	python3 -m venv $(VENV_CHECK)
	echo '*' > $(VENV_CHECK)/.gitignore

# installed again only when pyproject.toml changes (the stamp), so that a second `make check` starts at once
$(VENV_CHECK)/installed: pyproject.toml | $(PY_CHECK)
	$(call INSTALL,$(PY_CHECK),-e '.[check]')
	touch $@

venv-check: $(VENV_CHECK)/installed

# ruff ([tool.ruff] in pyproject.toml), before the tests of `make test` and `make check`: lint, then
# the formatter in check mode (it changes nothing; `ruff format` applies it). Either venv's ruff (the same pin).
RUFF ?= $(VENV)/bin/ruff
lint:
	@[ -x $(RUFF) ] || $(MAKE) --no-print-directory venv
	$(RUFF) check
	$(RUFF) format --check

# The tests write bytecode caches even where the environment says not to (PYTHONDONTWRITEBYTECODE): the
# suite starts hundreds of child interpreters (the CLI as a user runs it), and without the caches each one
# compiles numpy, pandas and scipy again (3.5 s instead of 1.7 s on 2 cores). They go to __pycache__ (ignored).
PYTEST = env -u PYTHONDONTWRITEBYTECODE $(1) -X utf8 -m pytest -q

# The whole suite (what CI runs: R, the browser, the wheel, Dask): the tests not marked serial on parallel
# workers, then the serial ones (signals and races timed by the clock: tests/conftest.py) on two workers, one
# file each (such a test shares the machine with one other of them at most, not with the whole suite);
# nonzero if either fails. Tiers: tests/conftest.py.
test: setup lint
	rc=0; $(call PYTEST,$(PY)) -n auto --dist loadfile --no-loadscope-reorder -m "not serial" || rc=1; \
	$(call PYTEST,$(PY)) -n 2 --dist loadfile -m serial || rc=1; exit $$rc

# The fast tier for development, in its own lean venv: no R, no browser, no radiomics extraction, no
# whole-pipeline runs, simulations or venv builds, no test of several seconds (tests/conftest.py).
check: venv-check
	$(MAKE) --no-print-directory lint RUFF=$(VENV_CHECK)/bin/ruff
	$(call PYTEST,$(PY_CHECK)) -n auto --dist loadfile --no-loadscope-reorder -m "not slow and not r and not serial"

audit: venv-run
	$(VENV)/bin/nenaudit audit

BOOT ?= 1000
JOBS ?= 2

# The main job: audit the published numbers, then run the paper's whole pipeline on the
# committed synthetic cohort with the paper's 1000 bootstrap resamples per scheme.
reproduce: venv-run
	$(VENV)/bin/nenaudit audit --markdown results/audit.md --json results/audit.json
	$(VENV)/bin/nenaudit reproduce --out results/reproduction --boot $(BOOT) --jobs $(JOBS)

clean:
	rm -rf $(VENV) $(VENV_CHECK) build *.egg-info src/*.egg-info .pytest_cache results

# The stored R references beside the live parity tests (tests/results/gen_*.R -> tests/results/*.json;
# read by tests/test_references.py when R is absent, compared with live R when present).
references:
	@for f in tests/results/gen_*.R; do echo "Rscript $$f"; TZ=UTC Rscript $$f tests/results || exit 1; done
