# The two quick-start commands of the README:
#   make demo   build the graph from data/, validate it with SHACL and run every stored query
#   make test   run the whole test suite
# Each creates the virtual environment .venv and installs what it needs on first use.
# `make test` also installs Apache Jena from Debian's packages (a second SPARQL engine for the
# portability tests) when it runs as root with apt-get; elsewhere those tests are skipped.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
JENA_JAR := /usr/share/java/jena-arq.jar

.PHONY: demo test jena clean

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
	$(BIN)/python -m pytest

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
	rm -rf $(VENV) out .pytest_cache
