"""The statistics cube of an import (W3C RDF Data Cube): events and fatalities per country,
first-level region, event type and month, counted while the rows stream and written as
qb:Observations after the last row. Memory holds one tally per combination, not the rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from rdflib.namespace import QB, XSD

from kg.importers.acled.values import RDF_TYPE, RDFS_LABEL, XSD_INTEGER, iri, literal, typed

QB_OBSERVATION = iri(str(QB.Observation))
QB_DATA_SET = iri(str(QB.DataSet))
QB_DATA_SET_LINK = iri(str(QB.dataSet))
QB_STRUCTURE = iri(str(QB.structure))
XSD_YEAR_MONTH = str(XSD.gYearMonth)
CUBE_SHARD_PREFIX = "cube"

Key = tuple[str, str, str]  # the region's node, the event type's concept, the month


@dataclass(frozen=True)
class CubeSpec:
    """cube: of acled.yaml, checked. Predicates and the structure are N-Triples IRIs; templates
    are full IRIs (or texts) with their placeholders."""

    template: str  # the data set: {name}
    label: str  # {name}
    structure: str
    observation_template: str  # {name}, {month}, {event_type}, {area}
    observation_label: str  # {event_type}, {area}, {month}
    country: str
    region: str
    event_type: str
    event_type_column: str
    month: str
    month_column: str
    events: str
    fatalities: str
    fatalities_column: str


@dataclass(frozen=True)
class CubeRule:
    """The cube's part of the plan for one file."""

    spec: CubeSpec
    dataset: str  # the qb:DataSet, an N-Triples IRI
    dataset_lines: tuple[str, ...]
    observation_template: str  # with the file's {name} filled in
    event_type_index: int
    concepts: dict[str, str]  # event type notation -> concept
    month_index: int
    fatalities_index: int


@dataclass
class Tally:
    """One observation, as it grows."""

    country: str
    label: str
    events: int = 0
    fatalities: int = 0


class CubeTally:
    """The observations of one import, counted row by row."""

    def __init__(self, rule: CubeRule, base: str):
        self.rule = rule
        self.base = base
        self.tallies: dict[Key, Tally] = {}

    def count(self, cells: list[str], month: str, country: str, region: str, area: str) -> None:
        """Count one good row (its cells as read, after any translation) of the given month, in
        the given country and region nodes (area: the names of region and country)."""
        rule = self.rule
        notation = cells[rule.event_type_index].strip()
        key = (region, rule.concepts[notation], month)
        tally = self.tallies.get(key)
        if tally is None:
            label = rule.spec.observation_label.format(event_type=notation, area=area, month=month)
            tally = self.tallies[key] = Tally(country, label)
        tally.events += 1
        dead = cells[rule.fatalities_index].strip()
        tally.fatalities += int(dead) if dead else 0

    def merge(self, later: dict[Key, Tally]) -> None:
        """Add the tallies of the rows that follow this tally's rows in the file (a part of a
        file mapped in parts); an observation keeps the label of its first row."""
        for key, tally in later.items():
            known = self.tallies.get(key)
            if known is None:
                self.tallies[key] = Tally(tally.country, tally.label, tally.events, tally.fatalities)
            else:
                known.events += tally.events
                known.fatalities += tally.fatalities

    def __len__(self) -> int:
        return len(self.tallies)

    def lines(self) -> Iterator[str]:
        """The data set and its observations, in the order of their IRIs."""
        spec, rule = self.rule.spec, self.rule
        yield from rule.dataset_lines
        nodes = sorted((iri(rule.observation_template.format(month=month, event_type=local_name(concept), area=self.area(region))),
                        (region, concept, month)) for region, concept, month in self.tallies)
        for node, key in nodes:
            region, concept, month = key
            tally = self.tallies[key]
            yield f"{node} {RDF_TYPE} {QB_OBSERVATION} .\n"
            yield f"{node} {QB_DATA_SET_LINK} {rule.dataset} .\n"
            yield f"{node} {RDFS_LABEL} {literal(tally.label)} .\n"
            yield f"{node} {spec.country} {tally.country} .\n"
            yield f"{node} {spec.region} {region} .\n"
            yield f"{node} {spec.event_type} {concept} .\n"
            yield f"{node} {spec.month} {typed(month, XSD_YEAR_MONTH)} .\n"
            yield f"{node} {spec.events} {typed(str(tally.events), XSD_INTEGER)} .\n"
            yield f"{node} {spec.fatalities} {typed(str(tally.fatalities), XSD_INTEGER)} .\n"

    def area(self, place: str) -> str:
        """A place's IRI (N-Triples) as the tail of an observation's IRI: after the base IRI."""
        value = place[1:-1]
        return value[len(self.base):] if value.startswith(self.base) else quote(value, safe="")


def local_name(concept: str) -> str:
    """<https://w3id.org/border-kg/acled#battles> -> battles"""
    value = concept[1:-1]
    return value[max(value.rfind("#"), value.rfind("/")) + 1:]

