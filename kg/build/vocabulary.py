"""The controlled vocabularies of the ontology (SKOS), as the record checker needs them:
concepts by scheme and notation, schemes by notation, and the class a kind of event or place
implies (its bk:kindClass, or its nearest broader concept's).

The lists are checked when they are read: a concept without a notation or a scheme, a scheme
without a notation, two concepts with one notation in one scheme, or a concept without the
properties its scheme needs raise a ToolError naming the concept and the file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from kg.errors import ToolError

BK = Namespace("https://w3id.org/border-kg/def#")



@dataclass(frozen=True)
class Needed:
    """Properties every concept of a scheme must have, and why."""

    properties: tuple[URIRef, ...]
    because: str


# The build computes with these properties, so a concept without them would silently drop out.
REQUIRED_BY_SCHEME = {
    BK.CountQualifiers: Needed((BK.lowerFactor, BK.lowerOffset), "the build computes figure bounds from it (ontology/rules/50-figure-bounds.ru)"),
}


@dataclass(frozen=True)
class Vocabulary:
    concepts: dict[str, dict[str, URIRef]]  # scheme IRI -> {notation: concept IRI}, sorted
    schemes: dict[str, URIRef]  # scheme notation -> scheme IRI
    broader: dict[URIRef, tuple[URIRef, ...]]
    kind_classes: dict[URIRef, URIRef]  # concept -> the class it names directly
    extensible: frozenset[str]  # IRIs of the schemes that data/ may add concepts to
    synonyms: dict[str, dict[str, str]]  # scheme IRI -> {alternative word, lower case: notation}

    @classmethod
    def from_graph(cls, graph: Graph, files: Mapping[str, Graph]) -> "Vocabulary":
        """The vocabulary of graph, the union of files (file name as shown -> its triples),
        which name where a faulty concept is."""
        problems = sorted(set(_problems(graph, files)))
        if problems:
            count = len(problems)
            raise ToolError("\n  ".join([f"{count} problem{'s' if count != 1 else ''} in the ontology's vocabularies:", *problems]))
        concepts: dict[str, dict[str, URIRef]] = {}
        for concept in graph.subjects(RDF.type, SKOS.Concept):
            for scheme in graph.objects(concept, SKOS.inScheme):
                for notation in graph.objects(concept, SKOS.notation):
                    concepts.setdefault(str(scheme), {})[str(notation)] = URIRef(str(concept))
        schemes = {
            str(notation): URIRef(str(scheme))
            for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme)
            for notation in graph.objects(scheme, SKOS.notation)
        }
        broader: dict[URIRef, tuple[URIRef, ...]] = {}
        for narrower, wider in sorted(graph.subject_objects(SKOS.broader)):
            broader[URIRef(str(narrower))] = (*broader.get(URIRef(str(narrower)), ()), URIRef(str(wider)))
        kind_classes = {URIRef(str(c)): URIRef(str(k)) for c, k in graph.subject_objects(BK.kindClass)}
        extensible = frozenset(
            str(s) for s, flag in graph.subject_objects(BK.extensible) if isinstance(flag, Literal) and flag.toPython() is True
        )
        synonyms: dict[str, dict[str, str]] = {}
        for concept, word in graph.subject_objects(SKOS.altLabel):
            for scheme in graph.objects(concept, SKOS.inScheme):
                for notation in graph.objects(concept, SKOS.notation):
                    synonyms.setdefault(str(scheme), {})[str(word).casefold()] = str(notation)
        # Sorted, so that messages listing the choices read the same in every run.
        return cls(
            {scheme: dict(sorted(notations.items())) for scheme, notations in sorted(concepts.items())},
            dict(sorted(schemes.items())),
            broader,
            kind_classes,
            extensible,
            synonyms,
        )

    def class_of(self, concept: URIRef) -> URIRef | None:
        """The class named by the concept or, failing that, by its nearest broader concept."""
        frontier, seen = [concept], set()
        while frontier:
            for node in frontier:
                if node in self.kind_classes:
                    return self.kind_classes[node]
            seen.update(frontier)
            frontier = [wider for node in frontier for wider in self.broader.get(node, ()) if wider not in seen]
        return None

    def scheme_notation(self, scheme_iri: str) -> str:
        for notation, iri in self.schemes.items():
            if str(iri) == scheme_iri:
                return notation
        return scheme_iri


def _problems(graph: Graph, files: Mapping[str, Graph]) -> Iterator[str]:
    def where(subject: Node) -> str:
        described = [name for name, part in files.items() if (subject, RDF.type, None) in part]
        return ", ".join(described or [name for name, part in files.items() if (subject, None, None) in part])

    def shown(term: Node) -> str:
        return term.n3(graph.namespace_manager)

    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        if (scheme, SKOS.notation, None) not in graph:
            yield (f"{where(scheme)}: the concept scheme {shown(scheme)} has no skos:notation. "
                   f"Add skos:notation \"WORD\" (the word data/ uses to name the scheme).")
    holders: dict[tuple[Node, str], list[Node]] = {}
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        schemes = list(graph.objects(concept, SKOS.inScheme))
        notations = list(graph.objects(concept, SKOS.notation))
        if not schemes:
            yield f"{where(concept)}: the concept {shown(concept)} has no skos:inScheme. Add skos:inScheme and the scheme it belongs to."
        if not notations:
            yield (f"{where(concept)}: the concept {shown(concept)} has no skos:notation. "
                   f"Add skos:notation \"WORD\" (the word records use for it).")
        for scheme in schemes:
            for notation in notations:
                holders.setdefault((scheme, str(notation)), []).append(concept)
            needed = REQUIRED_BY_SCHEME.get(URIRef(str(scheme)))
            if needed is None:
                continue
            for prop in needed.properties:
                if (concept, prop, None) not in graph:
                    yield (f"{where(concept)}: the concept {shown(concept)} of {shown(scheme)} has no {shown(prop)}. "
                           f"Add it: {needed.because}.")
    for (scheme, word), concepts in holders.items():
        if len(concepts) > 1:
            named = sorted(shown(concept) for concept in concepts)
            files_named = ", ".join(sorted({where(concept) for concept in concepts}))
            yield (f"{files_named}: the concepts {' and '.join(named)} have the same notation '{word}' "
                   f"in {shown(scheme)}. Give each concept of a scheme its own notation.")
