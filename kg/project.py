"""Where a project's files are, and the ontology resources read from them."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import ToolError, relative
from kg.build.mapping import Mapping, load_mapping
from kg.build.vocabulary import Vocabulary

BK = Namespace("https://w3id.org/border-kg/def#")
ACLED = Namespace("https://w3id.org/border-kg/acled#")
DEFAULT_BASE_IRI = "https://w3id.org/border-kg/id/"
ONTOLOGY_FILES = ("border-kg.ttl", "vocabulary.ttl", "acled-vocabulary.ttl")
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    """The folders of a border-kg project. Defaults: the checkout this package lives in."""

    root: Path = REPOSITORY_ROOT
    data_dir: Path | None = None
    out_dir: Path | None = None
    base_iri: str = DEFAULT_BASE_IRI

    @classmethod
    def from_environment(cls) -> "Project":
        root = Path(os.environ.get("KG_ROOT", REPOSITORY_ROOT))
        return cls(root=root, base_iri=os.environ.get("KG_BASE_IRI", DEFAULT_BASE_IRI))

    def with_options(self, data_dir: Path | None = None, out_dir: Path | None = None, base_iri: str | None = None) -> "Project":
        return replace(
            self,
            data_dir=data_dir or self.data_dir,
            out_dir=out_dir or self.out_dir,
            base_iri=base_iri or self.base_iri,
        )

    @property
    def data(self) -> Path:
        return self.data_dir or self.root / "data"

    @property
    def out(self) -> Path:
        return self.out_dir or self.root / "out"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def graph_file(self) -> Path:
        return self.out / "kg.ttl"

    @property
    def default_graph(self) -> str:
        """The named graph a build is loaded into when none is given."""
        return self.base_iri + "graph/kg"

    @property
    def index_file(self) -> Path:
        return self.out / "kg.records.json"

    @cached_property
    def mapping(self) -> Mapping:
        return load_mapping(self.ontology_dir / "mapping.yaml", self.vocabulary)

    @cached_property
    def ontology_files(self) -> dict[str, Graph]:
        """Each file of the ontology (named as in messages) and its triples."""
        return {relative(self.ontology_dir / name): _parse(self.ontology_dir / name) for name in ONTOLOGY_FILES}

    @cached_property
    def ontology(self) -> Graph:
        """The ontology with the controlled vocabularies it ships (ACLED's lists)."""
        graph = Graph(bind_namespaces="none")
        for part in self.ontology_files.values():
            graph += part
        for prefix, namespace in next(iter(self.ontology_files.values())).namespaces():
            graph.bind(prefix, namespace)
        graph.bind("acled", ACLED)
        return graph

    @cached_property
    def shapes(self) -> Graph:
        return _parse(self.ontology_dir / "shapes.ttl")

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The ontology's SKOS lists: concepts by scheme and notation, kinds and their classes."""
        return Vocabulary.from_graph(self.ontology, self.ontology_files)

    @property
    def rules_dir(self) -> Path:
        return self.ontology_dir / "rules"


def _parse(path: Path) -> Graph:
    if not path.is_file():
        raise ToolError(f"missing file {path}; is KG_ROOT set to a border-kg checkout?")
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as exc:
        # rdflib counts the lines before the one it stopped at.
        raise ToolError(f"{relative(path)}:{exc.lines + 1}: this is not valid Turtle: {exc._why}. "
                        "Fix that line (or the statement before it, which may not be closed with '.').") from None
    except Exception as exc:  # rdflib raises several other exception types (a bad IRI, a bad literal)
        raise ToolError(f"cannot parse {relative(path)}: {exc}") from exc
    return graph
