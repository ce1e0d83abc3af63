# RS Embed for QGIS. Every target installs what it is missing first, and is
# safe to re-run. `make demo` and `make test` are all a new user needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT     := $(abspath .)
BUILD    := $(ROOT)/.build
PKGDIR   := $(BUILD)/pkg
PLUGIN   := rs_embed_qgis
VERSION  := $(shell sed -n 's/^version=//p' metadata.txt)
APT_PKGS := qgis python3-qgis qgis-providers xvfb xauth python3-venv pyqt5-dev-tools qttools5-dev-tools
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The core's own environment (no system site packages: PyPI's wheels of numpy 2,
# rasterio, pyproj, torch as they are), built by the plugin's own set-up code.
CORE_ENV := $(BUILD)/core-env
CORE_PY  := $(CORE_ENV)/bin/python
ENVSETUP := PYTHONPATH=$(PKGDIR) /usr/bin/python3 -m $(PLUGIN).embedders.envsetup
# QGIS's Python plus the test tools only: QGIS's process stays light.
VENV     := $(ROOT)/.venv
PY       := $(VENV)/bin/python

# Headless QGIS: offscreen Qt, a private profile, our plugin on the plugin path,
# the core run by the worker with the environment built here.
export QT_QPA_PLATFORM ?= offscreen
export QGIS_CUSTOM_CONFIG_PATH ?= $(BUILD)/qgis-profile
export QGIS_PLUGINPATH := $(PKGDIR)
export RS_EMBED_PYTHON := $(CORE_PY)
unexport PYTHONPATH
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup apt link core-env venv test demo demo-gui deploy zip bench clean ts qm

help:
	@echo "make demo    run Embed ROI headless on the bundled sample (installs what is missing)"
	@echo "make test    run both test suites (installs what is missing)"
	@echo "make setup   Debian packages, the core's environment ($(notdir $(CORE_ENV))) and .venv"
	@echo "make deploy  install the plugin into your QGIS profile, set up its environment, enable it"
	@echo "make zip     build dist/$(PLUGIN)-$(VERSION).zip for Plugins > Install from ZIP"
	@echo "make bench   run the benchmarks (figures in bench/results/)"
	@echo "make demo-gui  screenshot of QGIS desktop (Xvfb) with an embedded extent loaded"
	@echo "make ts / qm   refresh / compile the translations"

setup: apt link core-env venv

# Debian packages: installed only when one is missing.
apt: $(BUILD)/apt.stamp
$(BUILD)/apt.stamp:
	@mkdir -p $(BUILD)
	@missing=$$(for p in $(APT_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

# The repository root as the package rs_embed_qgis (as tests/conftest.py does).
link: $(PKGDIR)/$(PLUGIN)
$(PKGDIR)/$(PLUGIN):
	@mkdir -p $(PKGDIR)
	@ln -sfn $(ROOT) $@

# Every family plus the core's test tools, pinned in embedders/packages.py.
# The set-up installs only what is missing, so re-running it is cheap.
core-env: apt link
	@$(ENVSETUP) --env $(CORE_ENV) --families all,dev

# A .venv of an earlier release (the core's packages in it) is made again.
venv: $(VENV)/.stamp-qgis-tests
$(VENV)/.stamp-qgis-tests: embedders/packages.py | apt link
	@[ -e $(VENV)/.stamp-qgis-tests ] || rm -rf $(VENV)
	@[ -x $(PY) ] || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	@$(ENVSETUP) --into $(PY) --families qgis_tests
	@touch $@

# Both suites run; the exit status is non-zero when either fails.
test: setup qm
	@set -o pipefail; rc=0; \
	echo "== core suite: $(CORE_PY) -m pytest -q tests/core"; \
	$(CORE_PY) -m pytest -q tests/core 2>&1 | tee $(BUILD)/test-core.log || rc=1; \
	echo "== QGIS suite: $(PY) -m pytest -q tests/qgis"; \
	$(PY) -m pytest -q tests/qgis 2>&1 | tee $(BUILD)/test-qgis.log || rc=1; \
	echo "== summary"; \
	echo "core: $$(tail -n 1 $(BUILD)/test-core.log)"; \
	echo "QGIS: $$(tail -n 1 $(BUILD)/test-qgis.log)"; \
	exit $$rc

demo: setup
	$(PY) scripts/demo.py

demo-gui: setup qm
	xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb $(PY) scripts/demo_gui.py

bench: setup
	@mkdir -p bench/results
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Install into the user's QGIS profile (desktop and qgis_process), set up the
# core's environment in the profile's data folder (or point the setting
# "Python of the core" at CORE_PYTHON=... when given) and enable it.
QGIS_PROFILE ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default
CORE_PYTHON ?=
deploy: apt link qm
	@mkdir -p "$(QGIS_PROFILE)/python/plugins"
	@rm -rf "$(QGIS_PROFILE)/python/plugins/$(PLUGIN)"
	@$(MAKE) --no-print-directory zip >/dev/null
	@cd "$(QGIS_PROFILE)/python/plugins" && /usr/bin/python3 -m zipfile -e "$(ROOT)/dist/$(PLUGIN)-$(VERSION).zip" .
	@[ -n "$(CORE_PYTHON)" ] || $(ENVSETUP) --env "$(QGIS_PROFILE)/rs_embed/core-env" --families default
	@QGIS_CUSTOM_CONFIG_PATH="$(dir $(patsubst %/,%,$(dir $(QGIS_PROFILE))))" \
	  /usr/bin/python3 scripts/deploy_settings.py "$(QGIS_PROFILE)" "$(CORE_PYTHON)"
	@echo "Installed into $(QGIS_PROFILE)/python/plugins/$(PLUGIN) and enabled."

zip: qm
	@mkdir -p dist
	/usr/bin/python3 scripts/make_zip.py dist/$(PLUGIN)-$(VERSION).zip

# Translations: refresh .ts from the sources, compile .qm.
# The catalog's model labels and option help come in through a generated file of tr() calls.
ts: apt link
	/usr/bin/python3 scripts/catalog_strings.py $(BUILD)/catalog_strings.py
	pylupdate5 -noobsolete $$(git ls-files '*.py' | grep -v -E '^(tests|bench|scripts)/') \
	  $(BUILD)/catalog_strings.py -ts i18n/rs_embed_de.ts

qm: $(BUILD)/apt.stamp
	@for ts in i18n/*.ts; do [ -e "$$ts" ] || continue; lrelease -silent "$$ts" -qm "$${ts%.ts}.qm"; done

clean:
	rm -rf $(BUILD) dist demo_output
