# The two commands a newcomer needs:  make book   and   make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYDEVD_DISABLE_FILE_VALIDATION := 1
BUILD_FLAGS := -W -n --keep-going

.PHONY: venv book test test-unit test-notebooks test-build test-browser browser-deps lab bench clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## make book: create the venv, install the exact pins, build the HTML with every notebook executed
book: venv
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)
	@echo "Open _build/html/index.html in a browser."

## make test: unit tests (network blocked), every notebook with nbval, the book build, browser checks
test: venv browser-deps
	$(MAKE) test-unit test-notebooks test-build test-browser

test-unit: venv
	$(BIN)/python -m pytest tests/unit -q --disable-socket --allow-unix-socket

test-notebooks: venv
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=600 book/ -q

test-build: venv
	rm -rf _build/html
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)

test-browser: venv browser-deps
	$(BIN)/python -m pytest tests/browser -q

## Debian's chromium drives the real-browser tests (never `playwright install`)
browser-deps:
	@{ command -v chromium && fc-list | grep -qi wqy; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

lab: venv
	$(BIN)/jupyter lab book/

bench: venv
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf _build data/cache
