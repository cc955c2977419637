"""Records in data/ -> typed, checked records.

Every YAML file under data/ holds sections (places:, incidents:, ...) of records. Each record
is checked against the mapping: known fields only, required fields present, values of the
right type, ids unique, references resolving. All problems of a run are collected and raised
together as DataErrors, each naming file, line, column and field.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from rdflib import XSD, URIRef

from kg.errors import DataError, DataErrors, SourceLocation, close_matches, did_you_mean, relative, suggestion
from kg.build.mapping import FieldSpec, KindSpec, Mapping
from kg.build.vocabulary import Vocabulary
from kg.build.yamlfile import Entry, Node, read_yaml

RECORD_FILE_SUFFIXES = (".yaml", ".yml")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")
_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})")
_DECIMAL = re.compile(r"[-+]?\d+(\.\d+)?")
VOCABULARY_SECTION = "vocabulary"
_AMBIGUOUS = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d")
_LOOSE_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


@dataclass(frozen=True)
class Ref:
    """A reference to another record by kind and id, with where it was written."""

    kind: str
    id: str
    location: SourceLocation | None = dataclasses.field(default=None, compare=False)


@dataclass(frozen=True)
class DateValue:
    lexical: str
    datatype: URIRef


@dataclass(frozen=True)
class Concept:
    iri: URIRef


@dataclass(frozen=True)
class Decimal:
    lexical: str


@dataclass(frozen=True)
class PendingBroader:
    """A concept record's broader concept, by notation, until the whole vocabulary is read."""

    notation: str
    location: SourceLocation


Value = Union[str, int, Ref, DateValue, Concept, Decimal, PendingBroader, "Record"]


@dataclass(frozen=True)
class FieldValue:
    spec: FieldSpec
    values: tuple[Value, ...]
    location: SourceLocation


@dataclass(frozen=True)
class Record:
    """A checked record. A nested record (a count in an incident) has the id PARENT.KIND-N and
    the label "incident 'PARENT', count N"."""

    kind: str
    id: str
    label: str
    rdf_class: URIRef
    fields: tuple[FieldValue, ...]
    location: SourceLocation


@dataclass(frozen=True)
class RecordSet:
    records: tuple[Record, ...]
    files: tuple[str, ...]


def load_records(data_dir: Path, mapping: Mapping, vocabulary: Vocabulary) -> RecordSet:
    """Read and check every record file under data_dir. Raises DataErrors listing every problem."""
    if not data_dir.is_dir():
        raise DataErrors([DataError(None, f"the data folder {data_dir} does not exist", hint="Pass --data DIR.")])
    paths = sorted(p for p in data_dir.rglob("*") if p.suffix in RECORD_FILE_SUFFIXES and p.is_file())
    if not paths:
        raise DataErrors(
            [
                DataError(
                    None,
                    f"the data folder {relative(data_dir)} holds no record files (*.yaml)",
                    hint="Add record files; see the README, 'Adding a report'.",
                )
            ]
        )
    checker = _Checker(mapping, vocabulary)
    files: list[Node] = []
    for path in paths:
        shown = relative(path)
        try:
            root, problems = read_yaml(path, shown)
        except DataErrors as exc:
            checker.errors.extend(exc.errors)
            checker.unreadable.append(shown)
            continue
        checker.errors.extend(problems)
        files.append(root)
    # The vocabulary records first: the other records may use the concepts they add.
    for root in files:
        checker.read_file(root, vocabulary_only=True)
    checker.add_data_concepts()
    for root in files:
        checker.read_file(root, vocabulary_only=False)
    checker.check_references()
    if checker.errors:
        raise DataErrors(checker.errors)
    return RecordSet(tuple(checker.records), tuple(relative(p) for p in paths))


def _a(word: str) -> str:
    """'a place', 'an incident'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _shown(node: Node) -> str:
    """A scalar as the user wrote it (true, not Python's True)."""
    return node.text if node.text is not None else str(node.value)


def _word(node: Node) -> str | None:
    """A scalar used as a word (an id, a reference): its text as written, so 007 stays 007."""
    if isinstance(node.value, (dict, list)) or node.value is None or isinstance(node.value, bool):
        return None
    return node.text if node.text is not None else str(node.value)


class _Checker:
    def __init__(self, mapping: Mapping, vocabulary: Vocabulary):
        self.mapping = mapping
        self.vocabulary = vocabulary
        # Concepts by scheme IRI and notation: the ontology's (IRIs) and, once the vocabulary
        # records are read, those of data/ (references to their records).
        self.concepts: dict[str, dict[str, URIRef | Ref]] = {s: dict(c) for s, c in vocabulary.concepts.items()}
        self.data_broader: dict[Ref, Concept | Ref] = {}
        self.errors: list[DataError] = []
        self.records: list[Record] = []
        # Every id seen, also of records that failed other checks: references to them are not
        # reported as unknown, and a second record with the same id is reported as a duplicate.
        self.seen: dict[tuple[str, str], SourceLocation] = {}
        # Every reference read, also from records that failed other checks, so that one run
        # reports unknown ids together with the other problems: (record label, field, ref).
        self.references: list[tuple[str, str, Ref]] = []
        self.unreadable: list[str] = []  # files that could not be parsed at all

    def error(self, location: SourceLocation | None, message: str, **kw: str | None) -> None:
        self.errors.append(DataError(location, message, **kw))

    # -- files and sections --------------------------------------------------------------
    def read_file(self, root: Node, *, vocabulary_only: bool) -> None:
        """Read the vocabulary sections of a file, or the others (each file is read twice)."""
        sections = self.mapping.sections
        start = f"Start it with a section name such as 'incidents:' and list the records under it ({', '.join(sections)})."
        if root.value is None:
            if not vocabulary_only:
                self.error(root.location, "the file holds no records (it is empty or only comments)", hint=start)
            return
        if not isinstance(root.value, dict):
            if not vocabulary_only:
                self.error(root.location, f"a record file must be a mapping of sections, not {_a(root.kind)}", hint=start)
            return
        for section, entry in root.value.items():
            if (section == VOCABULARY_SECTION) != vocabulary_only:
                continue
            kind = sections.get(section)
            if kind is None:
                hint = did_you_mean(section, sections) or f"Known sections: {', '.join(sections)}."
                self.error(entry.key_location, f"unknown section '{section}'", hint=hint)
                continue
            if entry.value.value is None:
                continue
            if not isinstance(entry.value.value, list):
                self.error(
                    entry.key_location,
                    f"the section '{section}' must be a list of records, not {_a(entry.value.kind)}",
                    hint="Start each record with '- ' under the section name.",
                )
                continue
            for item in entry.value.value:
                record = self.read_record(kind, item)
                if record is not None:
                    self.records.append(record)

    # -- records ---------------------------------------------------------------------------
    def read_record(self, kind: KindSpec, node: Node, parent: Record | None = None, index: int = 0) -> Record | None:
        """Check one record. For a nested record, parent is a stand-in holding the parent's id and label."""
        if not isinstance(node.value, dict):
            self.not_a_record(kind, node, parent)
            return None
        entries: dict[str, Entry] = node.value
        errors_before = len(self.errors)
        if parent is None:
            record_id = self.read_id(kind, entries, node)
            label = f"{kind.name} '{record_id}'"
            if record_id != "?" and not self.register(kind, record_id, label, node.location):
                return None
        else:
            record_id = f"{parent.id}.{kind.name}-{index}"
            label = f"{parent.label}, {kind.name} {index}"
        rdf_class, kind_field = self.read_class(kind, entries, node, label)
        suggested = self.check_unknown_fields(kind, entries, label)
        owner = Record(kind.name, record_id, label, URIRef(""), (), node.location)
        fields = [kind_field] if kind_field is not None else []
        for spec in kind.fields.values():
            entry = entries.get(spec.name)
            if entry is None or entry.value.value is None:
                if spec.required and spec.name not in suggested:
                    self.missing(spec, node, label)
                continue
            field = self.read_field(spec, entry, owner)
            if field is not None:
                fields.append(field)
        if len(self.errors) > errors_before or rdf_class is None:
            return None
        return Record(kind.name, record_id, label, rdf_class, tuple(fields), node.location)

    def not_a_record(self, kind: KindSpec, node: Node, parent: Record | None) -> None:
        found = f"'{_shown(node)}'" if node.kind == "scalar" else _a(node.kind)
        where = f"{parent.label}: " if parent else ""
        required = [name for name in kind.field_names if name not in kind.fields or kind.fields[name].required]
        example = ", ".join(f"{name}: ..." for name in required)
        self.error(
            node.location,
            f"{where}{_a(kind.name)} record must be a mapping of fields, not {found}",
            hint=f"Write it as {{{example}}}.",
        )

    def register(self, kind: KindSpec, record_id: str, label: str, location: SourceLocation) -> bool:
        first = self.seen.get((kind.name, record_id))
        if first is not None:
            self.error(
                location,
                f"the id '{record_id}' is used twice (first at {first})",
                record=label,
                field="id",
                hint="Give each record its own id, or merge the two records.",
            )
            return False
        self.seen[(kind.name, record_id)] = location
        return True

    def check_unknown_fields(self, kind: KindSpec, entries: dict[str, Entry], label: str) -> set[str]:
        """Report unknown fields; return the known fields they were suggested as (so that a
        misspelt required field is reported once, as misspelt, not also as missing)."""
        known = kind.field_names
        aliases = {alias: spec.name for spec in kind.fields.values() for alias in spec.aliases}
        suggested: set[str] = set()
        for name, entry in entries.items():
            if name in known:
                continue
            matches = [aliases[name]] if name in aliases else close_matches(name, known)
            suggested.update(match for match in matches if match not in entries)
            hint = suggestion(matches) or f"Fields of {_a(kind.name)}: {', '.join(known)}."
            self.error(entry.key_location, f"unknown field '{name}'", record=label, field=name, hint=hint)
        return suggested

    def missing(self, spec: FieldSpec, node: Node, label: str) -> None:
        hint = f"Add '{spec.name}:' to the record."
        if spec.value_type == "concept":
            hint = f"Add '{spec.name}:' with one of: {', '.join(self.concepts.get(spec.target or '', {}))}."
        self.error(node.location, f"the required field '{spec.name}' is missing", record=label, field=spec.name, hint=hint)

    def read_id(self, kind: KindSpec, entries: dict[str, Entry], node: Node) -> str:
        entry = entries.get("id")
        if entry is None or entry.value.value is None:
            self.error(node.location, f"{_a(kind.name)} record needs an 'id'", field="id", hint="Add 'id: some-stable-name'.")
            return "?"
        record_id = _word(entry.value)
        if record_id is None:
            self.error(entry.value.location, f"an id must be a single word, not {_a(entry.value.kind)}", field="id")
            return "?"
        if not self.mapping.id_pattern.fullmatch(record_id):
            self.error(
                entry.value.location,
                f"the id '{record_id}' has characters an id cannot hold",
                record=f"{kind.name} '{record_id}'",
                field="id",
                hint="Use letters (of any script), digits and hyphens, starting with a letter or digit, e.g. 'tj-shahritus'.",
            )
        return record_id

    def read_class(self, kind: KindSpec, entries: dict[str, Entry], node: Node, label: str) -> tuple[URIRef | None, FieldValue | None]:
        """The record's class and, for a kind whose class follows from a concept, that concept
        as a field (written with kind_predicate)."""
        if kind.fixed_class is not None:
            return kind.fixed_class, None
        assert kind.class_field is not None
        if kind.class_scheme is not None:
            return self.read_kind_concept(kind, entries, node, label)
        return self.read_class_name(kind, entries, node, label), None

    def read_kind_concept(self, kind: KindSpec, entries: dict[str, Entry], node: Node, label: str) -> tuple[URIRef | None, FieldValue | None]:
        assert kind.class_field is not None and kind.class_scheme is not None and kind.kind_predicate is not None
        spec = FieldSpec(kind.class_field, kind.kind_predicate, "concept", kind.class_scheme, False, True, ())
        entry = entries.get(kind.class_field)
        if entry is None or entry.value.value is None:
            self.missing(spec, node, label)
            return None, None
        owner = Record(kind.name, label, label, URIRef(""), (), node.location)
        value = self.read_value(spec, entry.value, owner, 1)
        if value is None:
            return None, None
        rdf_class = self.class_of(value)
        if rdf_class is None:
            self.error(entry.value.location, f"the {kind.class_field} '{_shown(entry.value)}' has no class", record=label,
                       field=kind.class_field, hint="Give its vocabulary record a 'broader' kind that has one.")
            return None, None
        return rdf_class, FieldValue(spec, (value,), entry.key_location)

    def class_of(self, concept: Value) -> URIRef | None:
        """The class a kind implies, following broader kinds through data concepts first."""
        seen: set[Ref] = set()
        while isinstance(concept, Ref) and concept not in seen:
            seen.add(concept)
            concept = self.data_broader.get(concept)  # type: ignore[assignment]
        return self.vocabulary.class_of(concept.iri) if isinstance(concept, Concept) else None

    def read_class_name(self, kind: KindSpec, entries: dict[str, Entry], node: Node, label: str) -> URIRef | None:
        assert kind.class_field is not None
        entry = entries.get(kind.class_field)
        choices = ", ".join(kind.classes)
        if entry is None or entry.value.value is None:
            self.error(
                node.location,
                f"the required field '{kind.class_field}' is missing",
                record=label,
                field=kind.class_field,
                hint=f"Choose one of: {choices}.",
            )
            return None
        value = entry.value.value
        if not isinstance(value, str) or value not in kind.classes:
            hint = (did_you_mean(value, kind.classes) if isinstance(value, str) else None) or f"Choose one of: {choices}."
            self.error(
                entry.value.location,
                f"unknown {kind.name} type '{_shown(entry.value)}'",
                record=label,
                field=kind.class_field,
                hint=hint,
            )
            return None
        return kind.classes[value]

    def read_field(self, spec: FieldSpec, entry: Entry, owner: Record) -> FieldValue | None:
        node = entry.value
        if isinstance(node.value, list):
            if not spec.many:
                self.error(node.location, "expects a single value, not a list", record=owner.label, field=spec.name)
                return None
            items = node.value
        else:
            items = [node]
        values = []
        for index, item in enumerate(items, start=1):
            value = self.read_value(spec, item, owner, index)
            if value is not None:
                values.append(value)
        if len(values) != len(items):
            return None
        return FieldValue(spec, tuple(values), entry.key_location)

    def read_value(self, spec: FieldSpec, item: Node, owner: Record, index: int) -> Value | None:
        def fail(message: str, hint: str | None = None) -> None:
            self.error(item.location, message, record=owner.label, field=spec.name, hint=hint)

        raw = item.value
        if spec.value_type == "nested":
            nested_kind = self.mapping.kinds[spec.target or ""]
            return self.read_record(nested_kind, item, parent=owner, index=index)
        if isinstance(raw, (dict, list)):
            fail(f"expects a single {spec.value_type} value, not {_a(item.kind)}")
            return None
        if spec.value_type == "text":
            if isinstance(raw, bool):
                fail(f"expects some text, not the value {_shown(item)}", f"Put it in quotes if it is meant as text: '{_shown(item)}'.")
                return None
            if raw is None or not str(raw).strip():
                fail("expects some text")
                return None
            return (item.text if item.text is not None else str(raw)).strip()
        if spec.value_type == "count":
            return self.read_count(item, fail)
        if spec.value_type in ("date", "day"):
            return self.read_date(spec, item, fail)
        if spec.value_type == "ref":
            word = _word(item)
            if word is None or isinstance(raw, float):
                fail(f"expects the id of {_a(spec.target or '')}")
                return None
            ref = Ref(spec.target or "", word, item.location)
            self.references.append((owner.label, spec.name, ref))
            return ref
        if spec.value_type == "concept":
            scheme = self.concepts.get(spec.target or "", {})
            word = _word(item)
            if word is not None and word in scheme:
                found = scheme[word]
                return found if isinstance(found, Ref) else Concept(found)
            choices = f"Choose one of: {', '.join(sorted(scheme))}."
            synonym = self.vocabulary.synonyms.get(spec.target or "", {}).get(_shown(item).strip().casefold())
            close = suggestion([synonym] if synonym else close_matches(_shown(item), scheme))
            elsewhere = [self.vocabulary.scheme_notation(other) for other, notations in self.concepts.items()
                         if other != spec.target and _shown(item) in notations]
            if elsewhere and not close:
                close = (f"'{_shown(item)}' is in the vocabulary {elsewhere[0]}, not "
                         f"{self.vocabulary.scheme_notation(spec.target or '')}: is it meant for another field?")
            if close:
                fail(f"unknown value '{_shown(item)}'", f"{close} {choices}")
            elif (spec.target or "") not in self.vocabulary.extensible:
                fail(f"unknown value '{_shown(item)}'", f"{choices} This list is closed: it changes only in "
                     "ontology/vocabulary.ttl.")
            else:
                fail(f"unknown value '{_shown(item)}'", f"{choices} Or add it to the vocabulary: a record under "
                     f"'vocabulary:' with id: {_shown(item)}, scheme: {self.vocabulary.scheme_notation(spec.target or '')}, "
                     "label, definition and broader.")
            return None
        if spec.value_type == "decimal":
            text = _shown(item).strip()
            if isinstance(raw, bool) or not _DECIMAL.fullmatch(text):
                fail(f"expects a decimal number such as 37.4912, not '{text}'")
                return None
            return Decimal(text)
        if spec.value_type == "scheme":
            word = _word(item)
            if word is not None and word in self.vocabulary.schemes:
                return Concept(self.vocabulary.schemes[word])
            choices = f"Choose one of: {', '.join(self.vocabulary.schemes)}."
            close = suggestion(close_matches(_shown(item), self.vocabulary.schemes))
            fail(f"unknown vocabulary '{_shown(item)}'", f"{close} {choices}" if close else choices)
            return None
        if spec.value_type == "broader":
            word = _word(item)
            if word is None:
                fail("expects the notation of a broader concept")
                return None
            return PendingBroader(word, item.location)
        raise AssertionError(spec.value_type)

    def read_count(self, item: Node, fail) -> int | None:  # type: ignore[no-untyped-def]
        raw = item.value
        how = ("Write the number alone (e.g. 300) and say how exact it is with 'qualifier' "
               "(exactly, about, nearly, more-than, at-least, up-to, fewer-than; between with 'max').")
        if isinstance(raw, bool) or not isinstance(raw, int):
            kind = "a decimal number" if isinstance(raw, float) else f"'{_shown(item)}'"
            fail(f"expects a whole number, not {kind}", how)
            return None
        if raw < 0:
            fail(f"a count cannot be negative ({raw})", "Write a whole number, 0 or more.")
            return None
        return raw

    def read_date(self, spec: FieldSpec, item: Node, fail) -> DateValue | None:  # type: ignore[no-untyped-def]
        forms = "YYYY-MM-DD"
        hint = "Write dates as YYYY-MM-DD, e.g. 2021-07-05"
        hint += "." if spec.value_type == "day" else "; a month as YYYY-MM, a year as YYYY, a local time as YYYY-MM-DDTHH:MM."
        if spec.value_type == "date" and isinstance(item.value, int) and _YEAR.fullmatch(_shown(item)):
            return DateValue(_shown(item), XSD.gYear)
        if not isinstance(item.value, str):
            fail(f"expects a date, not {'the number ' + _shown(item) if item.value is not None else 'nothing'}", hint)
            return None
        text = item.value.strip()
        day = _DAY.fullmatch(text)
        if day:
            year, month, date = (int(g) for g in day.groups())
            try:
                dt.date(year, month, date)
            except ValueError:
                if 1 <= month <= 12:
                    days = calendar.monthrange(year, month)[1]
                    fail(f"{text} is not a real date ({calendar.month_name[month]} {year} has {days} days)", hint)
                else:
                    fail(f"{text} is not a real date (there is no month {month})", hint)
                return None
            return DateValue(text, XSD.date)
        time_match = _TIME.fullmatch(text)
        if time_match and spec.value_type == "date":
            day_text, hour, minute = time_match.groups()
            if self.read_date(dataclasses.replace(spec, value_type="day"), Node(day_text, item.location, day_text), fail) is None:
                return None
            if int(hour) > 23 or int(minute) > 59:
                fail(f"{text} is not a real time of day", hint)
                return None
            return DateValue(f"{text}:00", XSD.dateTime)
        if _YEAR.fullmatch(text) and spec.value_type == "date":
            return DateValue(text, XSD.gYear)
        month_match = _MONTH.fullmatch(text)
        if month_match and spec.value_type == "date":
            if not 1 <= int(month_match.group(2)) <= 12:
                fail(f"{text} is not a real month", hint)
                return None
            return DateValue(text, XSD.gYearMonth)
        if month_match:
            fail(f"expects a full day, not the month {text}", hint)
        elif _AMBIGUOUS.fullmatch(text):
            fail(f"'{text}' is ambiguous: day and month could be read either way", hint)
        elif _DATE_TIME.match(text):
            fail(f"'{text}' is not a time in the form YYYY-MM-DDTHH:MM", f"{hint} Use 'time_of_day' for morning, evening or night.")
        elif _LOOSE_DAY.fullmatch(text):
            fail(f"'{text}' needs two digits for the month and the day", hint)
        else:
            fail(f"'{text}' is not a date in the form {forms}", hint)
        return None

    # -- vocabulary records ----------------------------------------------------------------
    def add_data_concepts(self) -> None:
        """Register the concepts of data/'s vocabulary records under their scheme and notation
        (the record id), then resolve their broader concepts within the same scheme."""
        concepts = [record for record in self.records if record.kind == "concept"]
        for record in concepts:
            scheme = _field(record, "scheme")
            if not isinstance(scheme, Concept):
                continue
            known = self.concepts.setdefault(str(scheme.iri), {})
            if str(scheme.iri) not in self.vocabulary.extensible:
                extensible = sorted(self.vocabulary.scheme_notation(s) for s in self.vocabulary.extensible)
                self.error(record.location, f"the vocabulary {self.vocabulary.scheme_notation(str(scheme.iri))} "
                           "cannot take new concepts from data: the build computes with its concepts' facts",
                           record=record.label, field="scheme",
                           hint=f"Add the concept to ontology/vocabulary.ttl instead. Data may extend: {', '.join(extensible)}.")
                continue
            if record.id in known:
                self.error(record.location, f"the concept '{record.id}' is already in the vocabulary "
                           f"{self.vocabulary.scheme_notation(str(scheme.iri))}", record=record.label, field="id",
                           hint="Use the existing concept, or give the new one another id.")
                continue
            known[record.id] = Ref("concept", record.id, record.location)
        for position, record in enumerate(self.records):
            pending = _field(record, "broader")
            scheme = _field(record, "scheme")
            if record.kind != "concept" or not isinstance(pending, PendingBroader) or not isinstance(scheme, Concept):
                continue
            choices = self.concepts.get(str(scheme.iri), {})
            found = choices.get(pending.notation)
            if found is None or found == Ref("concept", record.id):
                close = suggestion(close_matches(pending.notation, choices))
                self.error(pending.location, f"no concept '{pending.notation}' in the vocabulary "
                           f"{self.vocabulary.scheme_notation(str(scheme.iri))}", record=record.label, field="broader",
                           hint=close or f"Choose one of: {', '.join(sorted(choices))}.")
                continue
            wider = found if isinstance(found, Ref) else Concept(found)
            self.data_broader[Ref("concept", record.id)] = wider
            fields = tuple(
                dataclasses.replace(field, values=(wider,)) if field.spec.name == "broader" else field for field in record.fields
            )
            self.records[position] = dataclasses.replace(record, fields=fields)

    # -- references ------------------------------------------------------------------------
    def check_references(self) -> None:
        ids_by_kind: dict[str, list[str]] = {}
        for kind, record_id in self.seen:
            ids_by_kind.setdefault(kind, []).append(record_id)
        unreadable = f" It may also be in {', '.join(self.unreadable)}, which could not be read." if self.unreadable else ""
        for label, field_name, ref in self.references:
            if (ref.kind, ref.id) in self.seen:
                continue
            hint = did_you_mean(ref.id, ids_by_kind.get(ref.kind, ())) or f"Add {_a(ref.kind)} record with id '{ref.id}'."
            self.error(ref.location, f"no {ref.kind} has the id '{ref.id}'", record=label, field=field_name, hint=hint + unreadable)


def _field(record: Record, name: str) -> Value | None:
    """The first value of a record's field, or None."""
    for field in record.fields:
        if field.spec.name == name and field.values:
            return field.values[0]
    return None
