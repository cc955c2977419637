# The two quick-start commands of the README:
#   make demo   build the graph from data/, validate it with SHACL and run every stored query
#   make test   run the whole test suite (what CI runs, through .ci/run)
# While working:
#   make check      the fast subset: every test not marked slow (under a minute)
#   make golden     rewrite the expected files the tests compare against from what the code now
#                   gives (queries/expected/, tests/bad_data/*/expected.txt,
#                   tests/shape_cases/*/expected.txt); review them with git diff
#   make typecheck  mypy on kg/ (also part of make test)
# Each creates the virtual environment .venv and installs what it needs on first use.
# make test and make check run the tests on every core (pytest-xdist); WORKERS=0 runs them in
# one process, WORKERS=N on N.
# `make test` also installs Apache Jena from Debian's packages (a second SPARQL engine for the
# portability tests) when it runs as root with apt-get; elsewhere those tests are skipped.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
JENA_JAR := /usr/share/java/jena-arq.jar
WORKERS  ?= auto

.PHONY: demo test check golden typecheck jena clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/kg build
	$(BIN)/kg validate
	$(BIN)/kg queries --run

test: $(BIN)/.installed jena
	$(BIN)/python -m pytest -n $(WORKERS)

check: $(BIN)/.installed
	$(BIN)/python -m pytest -n $(WORKERS) -m "not slow"

golden: $(BIN)/.installed
	$(BIN)/python -m pytest --update-golden tests/test_stored_queries.py tests/test_bad_data.py tests/test_shapes.py

typecheck: $(BIN)/.installed
	$(BIN)/python -m mypy

jena:
	@if [ ! -e $(JENA_JAR) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Apache Jena (libapache-jena-java) for the portability tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libapache-jena-java >/dev/null; \
	  else \
	    echo "Apache Jena is not installed and cannot be installed here: its tests will be skipped"; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache
