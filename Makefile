# RS Embed for QGIS. Every target installs what it is missing first, and is
# safe to re-run. `make demo` and `make test` are all a new user needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT     := $(abspath .)
VENV     := $(ROOT)/.venv
PY       := $(VENV)/bin/python
BUILD    := $(ROOT)/.build
PKGDIR   := $(BUILD)/pkg
PLUGIN   := rs_embed_qgis
VERSION  := $(shell sed -n 's/^version=//p' metadata.txt)
APT_PKGS := qgis python3-qgis qgis-providers xvfb xauth python3-venv python3-pip python3-dev g++ \
            libgdal-dev libproj-dev proj-bin pyqt5-dev-tools qttools5-dev-tools
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SITE     := $(VENV)/lib/python3.11/site-packages

# Headless QGIS: offscreen Qt, a private profile, our plugin on the plugin path.
export QT_QPA_PLATFORM ?= offscreen
export QGIS_CUSTOM_CONFIG_PATH ?= $(BUILD)/qgis-profile
export QGIS_PLUGINPATH := $(PKGDIR)
unexport PYTHONPATH
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup apt venv test demo demo-gui deploy zip bench clean ts qm

help:
	@echo "make demo    run Embed ROI headless on the bundled sample (installs what is missing)"
	@echo "make test    run the test suite (installs what is missing)"
	@echo "make setup   Debian packages, .venv and pinned Python requirements"
	@echo "make deploy  install the plugin into your QGIS profile and enable it"
	@echo "make zip     build dist/$(PLUGIN)-$(VERSION).zip for Plugins > Install from ZIP"
	@echo "make bench   run the benchmarks (figures in bench/results/)"
	@echo "make demo-gui  screenshot of QGIS desktop (Xvfb) with an embedded extent loaded"
	@echo "make ts / qm   refresh / compile the translations"

setup: apt venv $(PKGDIR)/$(PLUGIN)

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

# pyproj and rasterio are built from source against QGIS's own PROJ and GDAL:
# their PyPI wheels bundle a second PROJ whose static destructors clash with
# QGIS's at exit (qgis_process and QGIS desktop segfault after every run).
WHEELS := $(BUILD)/wheels
$(WHEELS)/.stamp: | $(BUILD)/apt.stamp
	@[ -x $(BUILD)/wheelenv/bin/pip ] || /usr/bin/python3 -m venv $(BUILD)/wheelenv
	$(BUILD)/wheelenv/bin/pip install -q "cython==3.0.12" "setuptools<72" wheel
	PROJ_DIR=/usr $(BUILD)/wheelenv/bin/pip wheel -q --no-deps --no-build-isolation --no-binary pyproj -w $(WHEELS) pyproj==3.6.1
	$(BUILD)/wheelenv/bin/pip wheel -q --no-deps --no-binary rasterio -w $(WHEELS) rasterio==1.4.4
	@touch $@

# The venv sees QGIS's Python packages (--system-site-packages); pins in the
# requirement files keep Debian's GDAL/numpy-1 builds importable.
venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements.txt requirements-models.txt requirements-dev.txt $(WHEELS)/.stamp
	@[ -x $(PY) ] || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(WHEELS)/pyproj-*.whl $(WHEELS)/rasterio-*.whl
	$(PY) -m pip install -q -r requirements.txt -r requirements-models.txt -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps --ignore-requires-python geotessera==0.11.0
	$(PY) scripts/check_native_libs.py
	@touch $@

$(PKGDIR)/$(PLUGIN):
	@mkdir -p $(PKGDIR)
	@ln -sfn $(ROOT) $@

test: setup qm
	$(PY) -m pytest -q

demo: setup
	$(PY) scripts/demo.py

demo-gui: setup qm
	xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb $(PY) scripts/demo_gui.py

bench: setup
	@mkdir -p bench/results
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Install into the user's QGIS profile (desktop and qgis_process) and enable it.
QGIS_PROFILE ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default
deploy: setup qm
	@mkdir -p "$(QGIS_PROFILE)/python/plugins"
	@rm -rf "$(QGIS_PROFILE)/python/plugins/$(PLUGIN)"
	@$(MAKE) --no-print-directory zip >/dev/null
	@cd "$(QGIS_PROFILE)/python/plugins" && $(PY) -m zipfile -e "$(ROOT)/dist/$(PLUGIN)-$(VERSION).zip" .
	@QGIS_CUSTOM_CONFIG_PATH="$(dir $(patsubst %/,%,$(dir $(QGIS_PROFILE))))" \
	  $(PY) scripts/deploy_settings.py "$(QGIS_PROFILE)" "$(SITE)"
	@echo "Installed into $(QGIS_PROFILE)/python/plugins/$(PLUGIN) and enabled."

zip: qm
	@mkdir -p dist
	$(PY) scripts/make_zip.py dist/$(PLUGIN)-$(VERSION).zip

# Translations: refresh .ts from the sources, compile .qm.
ts: apt
	pylupdate5 -noobsolete $$(git ls-files '*.py' | grep -v -E '^(tests|bench|scripts)/') -ts i18n/rs_embed_de.ts

qm: $(BUILD)/apt.stamp
	@for ts in i18n/*.ts; do [ -e "$$ts" ] || continue; lrelease -silent "$$ts" -qm "$${ts%.ts}.qm"; done

clean:
	rm -rf $(BUILD) dist demo_output
