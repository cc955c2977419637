"""The row loop: each ACLED row becomes the N-Triples lines of its event, places and actors."""

from __future__ import annotations

from urllib.parse import quote

import pycountry
import pyoxigraph as ox

from kg.importers.acled.gazetteer import Gazetteer
from kg.importers.acled.mapping import AcledMapping, Plan
from kg.importers.acled.values import (
    ACTOR_TYPE,
    AS_WKT,
    COUNTRY,
    GEOMETRY,
    HAS_GEOMETRY,
    ISO_CODE,
    LOCATED_IN,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT_LABEL,
    SOURCE,
    WKT,
    RowProblem,
    iri,
    literal,
    normalised,
    parse_date,
    slug,
)


class Importer:
    def __init__(self, mapping: AcledMapping, plan: Plan, gazetteer: Gazetteer, file: str):
        self.mapping = mapping
        self.plan = plan
        self.gazetteer = gazetteer
        self.file = file
        self.base = mapping.project.base_iri
        self.place_template = mapping.spec["places"]["iri"]
        self.actor_template = mapping.spec["actors"]["iri"]
        self.actor_classes = {name: iri(mapping.expand(cls)) for name, cls in mapping.spec["actors"]["classes"].items()}
        self.actor_default = iri(mapping.expand(mapping.spec["actors"]["default_class"]))
        self.actor_types = mapping.schemes[mapping.expand(mapping.spec["actors"]["type_scheme"])]
        self.places: dict[tuple[str, ...], str] = {}
        self.actors: dict[str, str] = {}
        self.actor_type_seen: set[tuple[str, str]] = set()
        self.linked: set[str] = set()  # curated places whose triples were written
        self.classed: set[str] = set()  # actors given a class from their actor type
        self.events: dict[str, int] = {}
        self.country_codes: dict[str, str] = {}

    def row(self, cells: list[str], line: int) -> list[str]:
        """The lines of one row; raises RowProblem for the first problem found. Places and
        actors first seen in a row are remembered only if the whole row is good: their
        triples are in that row's lines."""
        self.new_places: dict[tuple[str, ...], str] = {}
        self.new_actors: dict[str, str] = {}
        self.new_types: set[tuple[str, str]] = set()
        self.new_linked: set[str] = set()
        self.new_classed: set[str] = set()
        lines = self._row(cells)
        self.places.update(self.new_places)
        self.actors.update(self.new_actors)
        self.actor_type_seen.update(self.new_types)
        self.linked.update(self.new_linked)
        self.classed.update(self.new_classed)
        self.events[cells[self.plan.index["event_id_cnty"]].strip()] = line
        return lines

    def _row(self, cells: list[str]) -> list[str]:
        plan = self.plan
        if len(cells) != len(plan.header):
            raise RowProblem(None, f"the row has {len(cells)} cells, the header {len(plan.header)}", "Check for unquoted commas or a cut line.")
        event_id = cells[plan.index["event_id_cnty"]].strip()
        if not event_id:
            raise RowProblem("event_id_cnty", "the event id is empty")
        first = self.events.get(event_id)
        if first is not None:
            raise RowProblem("event_id_cnty", f"the event id {event_id} was already imported from line {first}")
        subject = iri(plan.event_iri_prefix + quote(event_id, safe=""))
        out = [f"{subject} {RDF_TYPE} {plan.event_class} .\n", f"{subject} {SOURCE} {plan.dataset} .\n"]
        for rule in plan.rules:
            value = cells[rule.index]
            if not value and rule.required:
                raise RowProblem(rule.column, f"the {rule.column.replace('_', ' ')} is empty", "ACLED fills this column in every row.")
            if value:
                try:
                    out.append(f"{subject} {rule.predicate} {rule.convert(value)} .\n")
                except RowProblem as problem:
                    problem.column = rule.column
                    raise
        if not cells[plan.index["actor1"]].strip():
            raise RowProblem("actor1", "the event has no actor1", "ACLED always names actor1; check the row.")
        if plan.year_index is not None and cells[plan.year_index]:
            year = parse_date(cells[plan.index["event_date"]])[:4]
            if cells[plan.year_index].strip() != year:
                raise RowProblem("year", f"the year {cells[plan.year_index]} does not match the event date ({year})")
        self.check_sub_event(cells)
        label = "".join(text if position is None else cells[position] for text, position in plan.label_parts)
        out.append(f"{subject} {RDFS_LABEL} {literal(label)} .\n")
        country = self.place(cells, subject, out)
        self.actor_lines(cells, subject, country, out)
        return out

    def place(self, cells: list[str], subject: str, out: list[str]) -> str:
        """The most precise place of the row (emitting any place not seen before); its country."""
        plan = self.plan
        path: tuple[str, ...] = ()
        parent = ""
        country = ""
        for depth, (column, cls, latitude, longitude) in enumerate(plan.place_levels):
            name = cells[column].strip()
            if not name:
                continue
            path = (*path, name)
            if latitude is not None and longitude is not None:
                self.check_coordinates(cells, latitude, longitude)
            node = self.places.get(path) or self.new_places.get(path)
            if node is None:
                node = self.new_place(path, name, depth, cls, parent, cells, latitude, longitude, out)
                self.new_places[path] = node
            if depth == 0:
                country = node
            parent = node
        if not parent:
            raise RowProblem("country", "the row names no place at all")
        out.append(f"{subject} {plan.place_predicate} {parent} .\n")
        return country

    def new_place(self, path, name, depth, cls, parent, cells, latitude, longitude, out) -> str:  # type: ignore[no-untyped-def]
        gazetteer = self.gazetteer
        linked = None
        if depth == 0:
            code = self.country_code(cells, name)
            linked = gazetteer.by_iso.get(code) if code else None
        else:
            linked = gazetteer.by_name.get((parent, normalised(name)))
        if linked is not None:
            # Two spellings can link to one curated place: its triples are written once.
            if linked not in self.linked and linked not in self.new_linked:
                self.new_linked.add(linked)
                out.extend(gazetteer.triples[linked])
            if not any(normalised(name) == normalised(label) for label in self._labels(linked)):
                out.append(f"{linked} {SKOS_ALT_LABEL} {literal(name)} .\n")
            node = linked
        else:
            node = iri(self.base + self.place_template.format(path="/".join(slug(part) for part in path)))
            out.append(f"{node} {RDF_TYPE} {cls} .\n")
            out.append(f"{node} {RDFS_LABEL} {literal(name)} .\n")
            if parent:
                out.append(f"{node} {LOCATED_IN} {parent} .\n")
            elif depth == 0:
                code = self.country_code(cells, name)
                if code:
                    out.append(f"{node} {ISO_CODE} {literal(code)} .\n")
        if (
            latitude is not None and longitude is not None and cells[latitude] and cells[longitude]
            and not any(f" {HAS_GEOMETRY} " in line for line in gazetteer.triples.get(node, ()))
        ):
            lat, lon = float(cells[latitude]), float(cells[longitude])
            geometry = iri(node[1:-1] + "/geometry")
            out.append(f"{node} {HAS_GEOMETRY} {geometry} .\n")
            out.append(f"{geometry} {RDF_TYPE} {GEOMETRY} .\n")
            out.append(f"{geometry} {AS_WKT} {str(ox.Literal(f'POINT({lon} {lat})', datatype=WKT))} .\n")
        return node

    def check_sub_event(self, cells: list[str]) -> None:
        event_type = cells[self.plan.index["event_type"]].strip()
        sub_event = cells[self.plan.index["sub_event_type"]].strip()
        belongs = self.mapping.sub_event_parent.get(sub_event)
        if belongs is not None and belongs != event_type:
            raise RowProblem("sub_event_type", f"the sub-event type '{sub_event}' belongs to '{belongs}', not '{event_type}'")

    @staticmethod
    def check_coordinates(cells: list[str], latitude: int, longitude: int) -> None:
        if not (cells[latitude] or cells[longitude]):
            return
        try:
            lat, lon = float(cells[latitude]), float(cells[longitude])
        except ValueError:
            raise RowProblem("latitude", f"'{cells[latitude]}, {cells[longitude]}' are not coordinates",
                             "Give latitude and longitude in decimal degrees.") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise RowProblem("latitude", f"{lat}, {lon} is outside the globe", "Latitude lies in -90..90, longitude in -180..180.")

    def _labels(self, node: str) -> list[str]:
        return [line.split(" ", 2)[2][:-3] for line in self.gazetteer.triples[node] if f" {RDFS_LABEL} " in line or f" {SKOS_ALT_LABEL} " in line]

    def country_code(self, cells: list[str], name: str) -> str | None:
        key = (cells[self.plan.iso_index] if self.plan.iso_index is not None else "") + "|" + name
        if key not in self.country_codes:
            country = None
            numeric = cells[self.plan.iso_index].strip() if self.plan.iso_index is not None else ""
            if numeric.isdigit():
                country = pycountry.countries.get(numeric=f"{int(numeric):03d}")
            if country is None:
                try:
                    country = pycountry.countries.lookup(name)
                except LookupError:
                    country = None
            self.country_codes[key] = country.alpha_2 if country else ""
        return self.country_codes[key] or None

    def actor_lines(self, cells: list[str], subject: str, country: str, out: list[str]) -> None:
        linked: set[tuple[str, str]] = set()  # an actor named twice in a row is linked once
        for column, type_column, split, predicate in self.plan.actor_roles:
            value = cells[column]
            if not value.strip():
                continue
            names = [part.strip() for part in value.split(split)] if split else [value.strip()]
            kind = cells[type_column].strip() if type_column is not None else ""
            for name in names:
                if not name:
                    continue
                node = self.actors.get(name) or self.new_actors.get(name)
                if node is None:
                    node = iri(self.base + self.actor_template.format(name=slug(name)))
                    self.new_actors[name] = node
                    out.append(f"{node} {RDF_TYPE} {self.actor_default} .\n")
                    out.append(f"{node} {RDFS_LABEL} {literal(name)} .\n")
                if kind and (node, kind) not in self.actor_type_seen and (node, kind) not in self.new_types:
                    self.new_types.add((node, kind))
                    self.type_lines(node, kind, type_column or 0, country, out)
                if (predicate, node) not in linked:
                    linked.add((predicate, node))
                    out.append(f"{subject} {predicate} {node} .\n")

    def type_lines(self, node: str, kind: str, type_column: int, country: str, out: list[str]) -> None:
        """The actor type, and the class it implies, the first time the actor is seen with a
        type (which may be after it was first seen without one, as an associated actor)."""
        concept = self.actor_types.get(kind)
        if concept is None:
            raise RowProblem(self.plan.header[type_column], f"unknown actor type '{kind}'",
                             f"ACLED uses: {', '.join(k for k in self.actor_types if not k.isdigit())} (or codes 1-8).")
        out.append(f"{node} {ACTOR_TYPE} {concept} .\n")
        type_name = self.mapping.concept_labels.get(concept)
        cls = self.actor_classes.get(type_name or "")
        if cls is not None and node not in self.classed and node not in self.new_classed:
            self.new_classed.add(node)
            out.append(f"{node} {RDF_TYPE} {cls} .\n")
            if type_name == "State forces" and country:
                out.append(f"{node} {COUNTRY} {country} .\n")
