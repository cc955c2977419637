"""The controlled vocabularies of the ontology (SKOS), as the record checker needs them:
concepts by scheme and notation, schemes by notation, and the class a kind of event or place
implies (its bk:kindClass, or its nearest broader concept's)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

BK = Namespace("https://w3id.org/border-kg/def#")


@dataclass(frozen=True)
class Vocabulary:
    concepts: dict[str, dict[str, URIRef]]  # scheme IRI -> {notation: concept IRI}, sorted
    schemes: dict[str, URIRef]  # scheme notation -> scheme IRI
    broader: dict[URIRef, tuple[URIRef, ...]]
    kind_classes: dict[URIRef, URIRef]  # concept -> the class it names directly
    extensible: frozenset[str]  # IRIs of the schemes that data/ may add concepts to
    synonyms: dict[str, dict[str, str]]  # scheme IRI -> {alternative word, lower case: notation}

    @classmethod
    def from_graph(cls, graph: Graph) -> "Vocabulary":
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
