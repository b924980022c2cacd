# Everything a fresh machine needs: Python 3.11+, git and make. The targets create their own venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all venv lint test demo bench clean item-types

all: test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fabric-git needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# Byte-compile up front: commands start faster, even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q src
	@touch $(STAMP)

venv: $(STAMP)

# The GitHub Actions handed to users: the workflow templates, and the action where there is one.
WORKFLOWS := $(wildcard examples/github-actions/*.yml)
ACTIONS := $(wildcard action.yml action.yaml)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench action
	$(BIN)/ruff format --check src tests bench action
	$(BIN)/mypy
	@# actionlint reads workflows only; zizmor audits the action too. Both offline.
	$(BIN)/actionlint -shellcheck=$(BIN)/shellcheck -pyflakes= $(WORKFLOWS)
	$(BIN)/zizmor --offline --quiet $(WORKFLOWS) $(ACTIONS)

# The tests read the Fabric REST spec vendored in specs/fabric-api.
test: lint
	$(BIN)/pytest -n 2 --dist loadgroup -q

demo: $(STAMP)
	$(BIN)/fabric-git demo

bench: $(STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The emulator's item-type path table, derived from the vendored spec (a test checks it).
item-types: $(STAMP)
	cd tests && ../$(BIN)/python item_type_table.py
	$(BIN)/ruff format -q src/fabric_git/emulator/item_types.py
