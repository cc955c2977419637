# The two quick-start commands of the README:
#   make demo   build the graph from data/, validate it with SHACL and run every stored query
#   make test   run the whole test suite
# Each creates the virtual environment .venv and installs what it needs on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/kg build
	$(BIN)/kg validate
	$(BIN)/kg queries --run

test: $(BIN)/.installed
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out .pytest_cache
