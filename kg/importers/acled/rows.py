"""The row loop: each ACLED row becomes the N-Triples lines of its event, its point, and the
places and actors not seen in an earlier row. Memory holds the deduplication tables (actors,
places, event ids, place points) and bounded lookups of the place and actor cells already met,
not the rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Protocol

import pycountry

from kg.errors import did_you_mean
from kg.importers.acled.cube import CubeTally
from kg.importers.acled.eventtable import EventRuns, row_digest
from kg.importers.acled.gazetteer import Gazetteer
from kg.importers.acled.mapping import AcledMapping, LevelRule, Plan, RoleRule
from kg.importers.acled.values import RDF_TYPE, RDFS_LABEL, RowProblem, generated, iri, listed, literal, normalised, parse_date, slug, typed

Point = tuple[float, float]  # latitude, longitude
SHOWN = 5  # how many examples a warning names
KNOWN_LIMIT = 100_000  # lookups of place and actor cells kept; beyond, the table starts again (bounded memory)
SAFE_TAIL = re.compile(r"[A-Za-z0-9._~/-]*")  # added to any IRI, these characters leave it valid


class Table(Protocol):
    """A dict or set of what was written: a row's additions are merged in, then cleared."""

    def update(self, other: Any, /) -> None: ...

    def clear(self) -> None: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Classed:
    """The first row that gave an actor a type with a class: what it wrote after the last row."""

    line: int
    country: str  # the country node the actor was given, or "" for a kind without a country
    lines: tuple[str, ...]  # the class and the country, as N-Triples lines


@dataclass
class RowState:
    """What the rows tell that holds across rows and decides the closing lines and the warnings.
    The state of consecutive parts of a file merges into the state of the whole file (merge),
    so a file mapped in parts (kg.importers.acled.parallel) ends as one mapped whole."""

    events: dict[str, int] = field(default_factory=dict)  # the event's IRI -> line
    points: dict[str, Point | None] = field(default_factory=dict)  # place -> its one point, None if rows disagree
    point_names: dict[str, str] = field(default_factory=dict)
    classed: dict[str, Classed] = field(default_factory=dict)  # actor node -> its first class
    # (actor name, node, country node) -> the first line and country cell of a row that gave the
    # actor a kind that belongs to a country, in that country
    countries: dict[tuple[str, str, str], tuple[int, str]] = field(default_factory=dict)
    fallbacks: list[tuple[int, str]] = field(default_factory=list)  # (line, data_id)

    def merge(self, later: RowState) -> None:
        """Add the state of the rows that follow this state's rows in the file, but for the
        event ids: the caller checks those against each other (kg.importers.acled.parallel)."""
        for place, point in later.points.items():
            known = self.points.get(place, point)
            self.points[place] = point if known == point else None
        for place, name in later.point_names.items():
            self.point_names.setdefault(place, name)
        for node, classed in later.classed.items():
            self.classed.setdefault(node, classed)
        for actor_country, seen in later.countries.items():
            self.countries.setdefault(actor_country, seen)
        self.fallbacks.extend(later.fallbacks)

    def other_countries(self) -> dict[str, tuple[str, int]]:
        """Actor name -> the country cell and line of the first row that gave it a country other
        than its first, in line order."""
        found: dict[str, tuple[int, str]] = {}
        for (name, node, country), (line, cell) in self.countries.items():
            first = self.classed[node]
            if first.country and country != first.country and line < found.get(name, (line + 1, ""))[0]:
                found[name] = (line, cell)
        return {name: (cell, line) for name, (line, cell) in sorted(found.items(), key=lambda item: item[1][0])}


@dataclass(slots=True)
class Pending:
    """What a row adds to the tables; kept only if the whole row is good (its lines carry it).
    One is reused from row to row (emptied after each), as most rows add nothing."""

    places: dict[tuple[str, ...], str] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)
    actor_types: set[tuple[str, str]] = field(default_factory=set)
    linked: set[str] = field(default_factory=set)
    alt_names: set[tuple[str, str]] = field(default_factory=set)
    points: list[tuple[str, str, Point]] = field(default_factory=list)  # place, its name, the row's point
    classed_now: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # actor -> its country, class lines
    countries: list[tuple[str, str, str, str]] = field(default_factory=list)  # actor name, node, country node, country cell
    fallback: str | None = None  # the data_id that names the event
    counted: tuple[list[str], str, str, str, str] | None = None  # for the cube: the row's cells (translated), month, country, region, area

    def clear(self) -> None:
        for table in (self.places, self.actors, self.actor_types, self.linked, self.alt_names, self.points, self.classed_now,
                      self.countries):
            table.clear()
        self.fallback = self.counted = None


@dataclass(frozen=True)
class KnownPlace:
    """What the place cells of a row give once every place they name is known: the most precise
    place, the country, the region (the country's node if none) and their names, and the places
    (with their names) that take the row's point."""

    node: str
    country: str
    region: str
    area: str
    pointed: tuple[tuple[str, str], ...]


class RowConverter:
    """Maps the rows of one file (or one part of it); with events, records each imported event
    in the import's events table."""

    def __init__(self, mapping: AcledMapping, plan: Plan, gazetteer: Gazetteer, cube: CubeTally | None = None,
                 events: EventRuns | None = None):
        self.mapping = mapping
        self.cube = cube
        self.events = events
        self.stamp_index = plan.index.get(mapping.timestamp_column)
        self.plan = plan
        self.gazetteer = gazetteer
        self.geometry = mapping.geometry
        self.places_spec = mapping.places
        self.region_index = plan.index.get(mapping.places.levels[1].column)  # the first-level region's column
        # Which places, actors and links were written already: each is written once (once per
        # part of a file mapped in parts, the same lines each time).
        self.places: dict[tuple[str, ...], str] = {}
        self.actors: dict[str, str] = {}
        self.actor_types: set[tuple[str, str]] = set()
        self.linked: set[str] = set()  # curated places whose statements were written
        self.alt_names: set[tuple[str, str]] = set()
        self.country_codes: dict[tuple[str, str], str] = {}
        self.state = RowState()
        self.pending = Pending()
        # Each table of what was written, with the pending additions a good row adds to it.
        self.committed: tuple[tuple[Table, Table], ...] = (
            (self.places, self.pending.places), (self.actors, self.pending.actors), (self.actor_types, self.pending.actor_types),
            (self.linked, self.pending.linked), (self.alt_names, self.pending.alt_names))
        # Prepared once, for the loop: (position, " predicate ", converter) of each column rule,
        # the ends of the event's first lines, the label as a format of its cells, the geometry's
        # IRI as the event's with a tail, and rows' place and actor cells as lookup keys.
        self.rule_terms = tuple((rule.index, f" {rule.predicate} ", rule.convert) for rule in plan.rules)
        self.event_tails = (f" {RDF_TYPE} {mapping.event_class} .\n", f" {mapping.source_predicate} {plan.dataset} .\n",
                            f" {RDFS_LABEL} ")
        label_positions = [position for _, position in plan.label_parts if position is not None]
        self.label_format = "".join(text.replace("{", "{{").replace("}", "}}") if position is None else "{}"
                                    for text, position in plan.label_parts)
        self.label_cells = cells_getter(label_positions)
        tail = self.geometry.template.removeprefix("{node}")
        self.geometry_tail = tail if self.geometry.template.startswith("{node}") and SAFE_TAIL.fullmatch(tail) else None
        self.geometry_terms = (f" {self.geometry.predicate} ", f" {RDF_TYPE} {self.geometry.cls} .\n", f" {self.geometry.wkt_predicate} ")
        self.filled_cells = cells_getter([position for _, position in plan.filled])
        self.place_cells = cells_getter([level.index for level in plan.levels])
        self.place_link = f" {self.places_spec.event_predicate} "
        self.known_places: dict[tuple[str, ...], KnownPlace] = {}
        self.known_actors: dict[tuple[int, str, str, str, str], tuple[str, ...]] = {}  # (role, its cells, country node and cell) -> links

    # -- one row -------------------------------------------------------------------------------

    def row(self, cells: list[str], line: int) -> list[str]:
        """The lines of one row; raises RowProblem for the first problem found."""
        pending = self.pending
        digest = row_digest(cells) if self.events is not None else ""  # of the cells as read
        try:
            out, subject, event_id = self._row(cells, pending)
        except RowProblem:
            pending.clear()
            raise
        if self.events is not None:
            stamp = cells[self.stamp_index].strip() if self.stamp_index is not None else ""
            self.events.add(subject, event_id, str(int(stamp)) if stamp.isdecimal() else "", digest, line)
        state = self.state
        for table, added in self.committed:
            if added:  # most rows name known places and actors: nothing to add
                table.update(added)
                added.clear()
        state.events[subject] = line
        if pending.points:
            for place, name, point in pending.points:
                known = state.points.get(place, point)
                state.points[place] = point if known == point else None
                state.point_names.setdefault(place, name)
            pending.points.clear()
        if pending.classed_now:
            for node, (country, lines) in pending.classed_now.items():
                state.classed[node] = Classed(line, country, lines)
            pending.classed_now.clear()
        if pending.countries:
            for name, node, country, cell in pending.countries:
                state.countries.setdefault((name, node, country), (line, cell))
            pending.countries.clear()
        if pending.fallback is not None:
            state.fallbacks.append((line, pending.fallback))
            pending.fallback = None
        if pending.counted is not None:
            assert self.cube is not None
            self.cube.count(*pending.counted)
            pending.counted = None
        return out

    def _row(self, cells: list[str], pending: Pending) -> tuple[list[str], str, str]:
        """The lines of a row, its event's IRI and the id it is named by."""
        plan = self.plan
        if len(cells) != plan.width:
            raise RowProblem(None, f"the row has {len(cells)} cells, the header {plan.width}", "Check for unquoted commas or a cut line.")
        if plan.padding:
            cells = [*cells, *plan.padding]
        self.check_filled(cells)
        label = self.label_format.format(*self.label_cells(cells))  # of the cells as read
        if plan.translation is not None:
            self.translate(cells)
        subject, event_id = self.event(cells, pending)
        typed_as, sourced, labelled = self.event_tails
        out = [subject + typed_as, subject + sourced]
        for index, predicate, convert in self.rule_terms:
            value = cells[index]
            if value:
                out.append(f"{subject}{predicate}{convert(value)} .\n")
        self.check_year(cells)
        self.check_within(cells)
        out.append(f"{subject}{labelled}{literal(label)} .\n")
        point = self.point(cells)
        if point is not None:
            out.extend(self.geometry_lines(subject, point))
        country, region, area = self.place(cells, subject, point, out, pending)
        self.actor_lines(cells, subject, country, out, pending)
        if self.cube is not None:
            pending.counted = (cells, parse_date(cells[plan.cube.month_index])[:7], country, region, area)
        return out, subject, event_id

    def check_filled(self, cells: list[str]) -> None:
        filled = self.filled_cells(cells)
        if "" not in filled and not any(map(str.isspace, filled)):  # the usual row, without a loop in Python
            return
        empty = [(column, position) for column, position in self.plan.filled if not cells[position].strip()]
        if not empty:
            return
        names = [column for column, _ in empty]
        verb = "is" if len(names) == 1 else "are"
        last = max((position for position in range(self.plan.width) if cells[position].strip()), default=-1)
        if last < 0:
            raise RowProblem(None, "every cell of the row is empty", "Remove the line, or fill it in.")
        if last < min(position for _, position in empty):
            raise RowProblem(None, f"the row ends early, after {self.plan.columns[last]}: {listed(names)} {verb} empty",
                             "The line may have been cut off: export the file again from ACLED, or complete the row.")
        if len(names) == 1:
            raise RowProblem(names[0], "the cell is empty", "ACLED fills this column in every row: fill it in.")
        raise RowProblem(None, f"{listed(names)} are empty", "ACLED fills these columns in every row: fill them in.")

    def translate(self, cells: list[str]) -> None:
        """Replace an older layout's value by today's values of the columns it stands for."""
        rule = self.plan.translation
        assert rule is not None
        value = cells[rule.index].strip()
        translation = rule.table.get(value)
        if translation is None:
            title = self.plan.layout.title
            hint = did_you_mean(value, rule.table) or f"{title[0].upper()}{title[1:]} has: {', '.join(rule.table)}."
            raise RowProblem(rule.column, f"'{value}' is not a value of {rule.column} in {title}", hint)
        values = translation.values
        if translation.by_actor_type:
            present = {self.mapping.actor_types.get(cells[role.type_index].strip()) for role in self.plan.roles
                       if role.type_index is not None}
            chosen = next((values for concept, values in translation.by_actor_type if concept in present), None)
            if chosen is None:
                kinds = [self.mapping.label(concept) for concept, _ in translation.by_actor_type]
                columns = [self.plan.columns[role.type_index] for role in self.plan.roles if role.type_index is not None]
                raise RowProblem(rule.column, f"a '{value}' event needs {' or '.join(kinds)} among its actor types "
                                 f"({', '.join(columns)}) to tell which of today's types it is",
                                 f"Give {columns[0] if columns else 'an actor'} the type {' or '.join(kinds)}.")
            values = chosen
        for position, column in zip(rule.into, self.plan.layout.translated_into):
            cells[position] = values.get(column, "")

    def event(self, cells: list[str], pending: Pending) -> tuple[str, str]:
        """The event's IRI and the id (the event id, else the data_id) it is named by."""
        plan = self.plan
        id_column = self.mapping.id_column
        event_id = cells[plan.id_index].strip()
        if event_id:
            self.check_one_line(event_id, id_column)
            subject = self.mapping.event_iri(event_id)
            first = self.state.events.get(subject)
            if first is not None:
                raise RowProblem(id_column, f"the event id {event_id} was already imported from line {first}",
                                 "An export lists each event once: remove the repeated row.")
            return subject, event_id
        fallback = self.mapping.fallback_id_column
        data_id = cells[plan.fallback_index].strip() if plan.fallback_index is not None else ""
        if not data_id:
            also = f", and the row has no {fallback} to name the event by" if fallback else ""
            raise RowProblem(id_column, f"the event id is empty{also}",
                             "Fill in the event id, or import the other rows with --skip-bad-rows.")
        self.check_one_line(data_id, fallback)
        subject = plan.fallback_iri(data_id)
        first = self.state.events.get(subject)
        if first is not None:
            raise RowProblem(fallback, f"the row has no event id, and its {fallback} {data_id} was already used at line {first}",
                             "Fill in the event id, or import the other rows with --skip-bad-rows.")
        pending.fallback = data_id
        return subject, data_id

    @staticmethod
    def check_one_line(event_id: str, column: str | None) -> None:
        """An id that names an event is one line (a line break in it is a cut or merged line)."""
        if "\n" in event_id or "\r" in event_id:
            raise RowProblem(column, f"the id '{event_id.splitlines()[0]}...' runs over more than one line",
                             "An id is one line, such as AFG12345: correct the cell (a quote may be missing in the file).")

    def check_year(self, cells: list[str]) -> None:
        if self.plan.year_check is None:
            return
        column, year_position, date_position = self.plan.year_check
        given = cells[year_position].strip()
        if given and cells[date_position].strip():
            year = parse_date(cells[date_position])[:4]
            if given != year:
                raise RowProblem(column, f"the year {given} does not match the event date ({year})", "Correct the year or the date.")

    def check_within(self, cells: list[str]) -> None:
        for rule in self.plan.within:
            narrower, broader = cells[rule.index].strip(), cells[rule.parent_index].strip()
            belongs = rule.broader.get(narrower)
            if broader and belongs is not None and belongs[0] != rule.parent_concepts.get(broader):
                raise RowProblem(rule.column, f"'{narrower}' belongs to the {rule.parent_column} '{belongs[1]}', not '{broader}'",
                                 f"Correct the {rule.parent_column} or the {rule.column}.")

    # -- points --------------------------------------------------------------------------------

    def point(self, cells: list[str]) -> Point | None:
        if self.plan.point is None:
            return None
        latitude, longitude = (cells[position].strip() for position in self.plan.point)
        if not (latitude or longitude):
            return None
        column = self.geometry.latitude
        try:
            lat, lon = float(latitude), float(longitude)
        except ValueError:
            raise RowProblem(column, f"'{latitude}, {longitude}' are not coordinates", "Give latitude and longitude in decimal degrees.") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise RowProblem(column, f"{lat}, {lon} is outside the globe", "Latitude lies in -90..90, longitude in -180..180.")
        return lat, lon

    def geometry_lines(self, node: str, point: Point) -> list[str]:
        spec = self.geometry
        tail = self.geometry_tail
        geometry = f"{node[:-1]}{tail}>" if tail is not None else iri(spec.template.format(node=node[1:-1]))
        wkt = generated(f"POINT({point[1]} {point[0]})", spec.wkt_datatype)
        linked, typed_as, shaped = self.geometry_terms
        return [f"{node}{linked}{geometry} .\n", geometry + typed_as, f"{geometry}{shaped}{wkt} .\n"]

    def closing_lines(self) -> list[str]:
        """After the last row: the points of the places every row gave the same point, and the
        class (and country) of each actor, from the first row that gave it a type with a class
        (written at the end, so that a file mapped in parts writes the first row's)."""
        state = self.state
        points = [line for place, point in state.points.items() if point is not None for line in self.geometry_lines(place, point)]
        return [*points, *(line for classed in state.classed.values() for line in classed.lines)]

    # -- places --------------------------------------------------------------------------------

    def place(self, cells: list[str], subject: str, point: Point | None, out: list[str],
              pending: Pending) -> tuple[str, str, str]:
        """Link the event to the most precise place of the row (writing the places not seen
        before); the country's node, the first-level region's (the country's if the row names
        none) and their names (region, country), for the cube. Rows that name the same known
        places are looked up, not walked again."""
        key = self.place_cells(cells)
        known = self.known_places.get(key)
        if known is None:
            known = self.walk_places(cells, out, pending)
            if not pending.places:  # every place was known before this row: the same for any later row
                if len(self.known_places) >= KNOWN_LIMIT:
                    self.known_places.clear()
                self.known_places[key] = known
        if point is not None:
            for node, name in known.pointed:
                pending.points.append((node, name, point))
        out.append(f"{subject}{self.place_link}{known.node} .\n")
        return known.country, known.region, known.area

    def walk_places(self, cells: list[str], out: list[str], pending: Pending) -> KnownPlace:
        path: tuple[str, ...] = ()
        parent = country = region = ""
        names: list[str] = []  # of the country and the region
        pointed: list[tuple[str, str]] = []
        for depth, level in enumerate(self.plan.levels):
            name = cells[level.index].strip()
            if not name:
                continue
            path = (*path, name)
            node = self.places.get(path) or pending.places.get(path)
            if node is None:
                node = self.new_place(cells, path, depth, level, parent, out, pending)
                pending.places[path] = node
            if level.point and node not in self.gazetteer.with_geometry:
                pointed.append((node, name))
            if depth == 0:
                country = node
                names.insert(0, name)
            elif level.index == self.region_index:
                region = node
                names.insert(0, name)
            parent = node
        if not parent:
            raise RowProblem(self.plan.columns[self.plan.levels[0].index], "the row names no place at all", "Fill in the country.")
        return KnownPlace(parent, country, region or country, ", ".join(names), tuple(pointed))

    def new_place(self, cells: list[str], path: tuple[str, ...], depth: int, level: LevelRule, parent: str, out: list[str],
                  pending: Pending) -> str:
        spec = self.places_spec
        name = path[-1]
        code = self.country_code(cells, level, name) if depth == 0 else None
        curated = self.gazetteer.by_iso.get(code or "") if depth == 0 else self.gazetteer.by_name.get((parent, normalised(name)))
        if curated is not None:
            # Two spellings can link to one curated place: its statements are written once.
            if curated.node not in self.linked and curated.node not in pending.linked:
                pending.linked.add(curated.node)
                out.extend(curated.lines)
            spelling = (curated.node, normalised(name))
            if spelling[1] not in curated.names and spelling not in self.alt_names and spelling not in pending.alt_names:
                pending.alt_names.add(spelling)
                out.append(f"{curated.node} {spec.alt_label} {literal(name)} .\n")
            return curated.node
        node = iri(spec.template.format(path="/".join(slug(part) for part in path)))
        out.append(f"{node} {RDF_TYPE} {level.cls} .\n")
        out.append(f"{node} {RDFS_LABEL} {literal(name)} .\n")
        if parent:
            out.append(f"{node} {spec.located_in} {parent} .\n")
        elif code:
            out.append(f"{node} {spec.iso_code} {literal(code)} .\n")
        return node

    def country_code(self, cells: list[str], level: LevelRule, name: str) -> str | None:
        """The ISO 3166 alpha-2 code of a country: from ACLED's numeric code, else the name."""
        numeric = cells[level.iso_index].strip() if level.iso_index is not None else ""
        key = (numeric, name)
        if key not in self.country_codes:
            country = pycountry.countries.get(numeric=f"{int(numeric):03d}") if numeric.isdigit() else None
            if country is None:
                try:
                    country = pycountry.countries.lookup(name)
                except LookupError:
                    country = None
            self.country_codes[key] = country.alpha_2 if country else ""
        return self.country_codes[key] or None

    # -- actors --------------------------------------------------------------------------------

    def actor_lines(self, cells: list[str], subject: str, country: str, out: list[str], pending: Pending) -> None:
        """The event's links to its actors (writing the actors, types and classes not seen
        before). A role's cells that add nothing new are looked up the next time, not walked."""
        country_cell = cells[self.plan.levels[0].index] if self.plan.levels else ""
        tails: list[str] = []
        for number, role in enumerate(self.plan.roles):
            value = cells[role.index]
            if not value or value.isspace():
                continue
            kind = cells[role.type_index] if role.type_index is not None else ""
            key = (number, value, kind, country, country_cell)
            known = self.known_actors.get(key)
            if known is None:
                known, new = self.walk_role(role, value, kind, cells, country, out, pending)
                if not new:  # the same cells in the same country add nothing later either
                    if len(self.known_actors) >= KNOWN_LIMIT:
                        self.known_actors.clear()
                    self.known_actors[key] = known
            tails.extend(known)
        if len(tails) > 1:
            tails = list(dict.fromkeys(tails))  # an actor named twice in a row is linked once
        out.extend([subject + tail for tail in tails])

    def walk_role(self, role: RoleRule, value: str, kind: str, cells: list[str], country: str, out: list[str],
                  pending: Pending) -> tuple[tuple[str, ...], bool]:
        """The lines of the role's actors not seen before; the event's links to them as tails
        after the event's IRI (" predicate actor .\\n"), and whether the role added anything."""
        before = len(pending.countries)
        names = [part.strip() for part in value.split(role.split)] if role.split else [value.strip()]
        concept = self.actor_type(kind.strip(), role) if kind.strip() else None
        tails: list[str] = []
        for name in names:
            if not name:
                continue
            node = self.actors.get(name) or pending.actors.get(name)
            if node is None:
                node = iri(self.mapping.actors.template.format(name=slug(name)))
                pending.actors[name] = node
                out.append(f"{node} {RDF_TYPE} {self.mapping.actors.default_class} .\n")
                out.append(f"{node} {RDFS_LABEL} {literal(name)} .\n")
            if concept is not None:
                self.type_lines(node, name, concept, cells, country, out, pending)
            tails.append(f" {role.predicate} {node} .\n")
        # New is anything not in the tables of accepted rows, this row's own additions included:
        # the row may still be refused.
        countries = self.state.countries
        new = bool(pending.actors or pending.actor_types or pending.classed_now) or \
            any((name, node, place) not in countries for name, node, place, _ in pending.countries[before:])
        return tuple(dict.fromkeys(tails)), new

    def actor_type(self, kind: str, role: RoleRule) -> str:
        concept = self.mapping.actor_types.get(kind)
        if concept is None:
            words = [notation for notation in self.mapping.actor_types if not notation.isdigit()]
            codes = sorted(int(notation) for notation in self.mapping.actor_types if notation.isdigit())
            also = f" (or codes {codes[0]}-{codes[-1]})" if codes and codes == list(range(codes[0], codes[-1] + 1)) else ""
            column = self.plan.columns[role.type_index] if role.type_index is not None else role.column
            raise RowProblem(column, f"unknown actor type '{kind}'", f"ACLED uses: {', '.join(words)}{also}.")
        return concept

    def type_lines(self, node: str, name: str, concept: str, cells: list[str], country: str, out: list[str],
                   pending: Pending) -> None:
        """The actor type, and the first time an actor has a type with a class (which may be
        after it was first seen without a type, as an associated actor) that class and, for a
        kind that belongs to a country, the country of the event."""
        if (node, concept) not in self.actor_types and (node, concept) not in pending.actor_types:
            pending.actor_types.add((node, concept))
            out.append(f"{node} {self.mapping.actors.type_predicate} {concept} .\n")
        kind = self.mapping.actors.kinds.get(concept)
        if kind is None:
            return
        if kind.country_predicate:
            pending.countries.append((name, node, country, cells[self.plan.levels[0].index].strip()))
        if node not in self.state.classed and node not in pending.classed_now:
            lines = [f"{node} {RDF_TYPE} {kind.cls} .\n"]
            if kind.country_predicate and country:
                lines.append(f"{node} {kind.country_predicate} {country} .\n")
            pending.classed_now[node] = (country if kind.country_predicate else "", tuple(lines))

    # -- what the import says at the end -------------------------------------------------------

    def warnings(self) -> list[str]:
        notes = []
        state = self.state
        if state.fallbacks:
            count = len(state.fallbacks)
            shown = "; ".join(f"line {line}: {data_id}" for line, data_id in state.fallbacks[:SHOWN])
            notes.append(f"{_rows(count)} had no event id ({self.mapping.id_column}); {'its event is' if count == 1 else 'their events are'} "
                         f"named from {self.mapping.fallback_id_column}, which holds only within this export ({shown}{_more(count)})")
        torn = [state.point_names[place] for place, point in state.points.items() if point is None]
        if torn:
            count = len(torn)
            notes.append(f"{count} location{'s were' if count > 1 else ' was'} given different points in different rows "
                         f"and keep{'' if count > 1 else 's'} no point of {'their' if count > 1 else 'its'} own; each event keeps "
                         f"its own point ({', '.join(torn[:SHOWN])}{_more(count)})")
        other_countries = state.other_countries()
        if other_countries:
            count = len(other_countries)
            shown = "; ".join(f"{name}: also {other} at line {line}" for name, (other, line) in list(other_countries.items())[:SHOWN])
            notes.append(f"{count} actor{'s' if count > 1 else ''} of a type that belongs to a country appear{'' if count > 1 else 's'} "
                         f"in events of another country too and keep{'' if count > 1 else 's'} the country of the first event "
                         f"({shown}{_more(count)})")
        return notes


def cells_getter(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at these positions of a row, as a tuple (itemgetter's speed, any count)."""
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        position = positions[0]
        return lambda cells: (cells[position],)
    return lambda cells: ()


def _rows(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''}"


def _more(count: int) -> str:
    return f"; and {count - SHOWN} more" if count > SHOWN else ""

