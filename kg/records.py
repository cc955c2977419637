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
from kg.mapping import FieldSpec, KindSpec, Mapping
from kg.yamlfile import Entry, Node, read_yaml

RECORD_FILE_SUFFIXES = (".yaml", ".yml")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
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


Value = Union[str, int, Ref, DateValue, Concept, "Record"]


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


def load_records(data_dir: Path, mapping: Mapping, concepts: dict[str, dict[str, URIRef]]) -> RecordSet:
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
    checker = _Checker(mapping, concepts)
    for path in paths:
        shown = relative(path)
        try:
            root, problems = read_yaml(path, shown)
        except DataErrors as exc:
            checker.errors.extend(exc.errors)
            checker.unreadable.append(shown)
            continue
        checker.errors.extend(problems)
        checker.read_file(root, shown)
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
    def __init__(self, mapping: Mapping, concepts: dict[str, dict[str, URIRef]]):
        self.mapping = mapping
        self.concepts = concepts
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
    def read_file(self, root: Node, shown: str) -> None:
        sections = self.mapping.sections
        start = f"Start it with a section name such as 'incidents:' and list the records under it ({', '.join(sections)})."
        if root.value is None:
            self.error(root.location, "the file holds no records (it is empty or only comments)", hint=start)
            return
        if not isinstance(root.value, dict):
            self.error(root.location, f"a record file must be a mapping of sections, not {_a(root.kind)}", hint=start)
            return
        for section, entry in root.value.items():
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
        rdf_class = self.read_class(kind, entries, node, label)
        suggested = self.check_unknown_fields(kind, entries, label)
        owner = Record(kind.name, record_id, label, URIRef(""), (), node.location)
        fields = []
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

    def read_class(self, kind: KindSpec, entries: dict[str, Entry], node: Node, label: str) -> URIRef | None:
        if kind.fixed_class is not None:
            return kind.fixed_class
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
            if isinstance(raw, str) and raw in scheme:
                return Concept(scheme[raw])
            choices = f"Choose one of: {', '.join(scheme)}."
            close = suggestion(close_matches(_shown(item), scheme))
            fail(f"unknown value '{_shown(item)}'", f"{close} {choices}" if close else choices)
            return None
        raise AssertionError(spec.value_type)

    def read_count(self, item: Node, fail) -> int | None:  # type: ignore[no-untyped-def]
        raw = item.value
        how = "Write the number alone (e.g. 300) and say how exact it is with 'qualifier' (exactly, more-than, at-least, about)."
        if isinstance(raw, bool) or not isinstance(raw, int):
            kind = "a decimal number" if isinstance(raw, float) else f"'{_shown(item)}'"
            fail(f"expects a whole number of people, not {kind}", how)
            return None
        if raw < 0:
            fail(f"a count cannot be negative ({raw})", "Write the number of people, 0 or more.")
            return None
        return raw

    def read_date(self, spec: FieldSpec, item: Node, fail) -> DateValue | None:  # type: ignore[no-untyped-def]
        forms = "YYYY-MM-DD" if spec.value_type == "day" else "YYYY-MM-DD (or YYYY-MM for a month)"
        hint = f"Write dates as {forms}, e.g. 2021-07-05."
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
            fail(f"'{text}' has a time of day; give the day only", f"{hint} Use 'time_of_day' for morning, evening or night.")
        elif _LOOSE_DAY.fullmatch(text):
            fail(f"'{text}' needs two digits for the month and the day", hint)
        else:
            fail(f"'{text}' is not a date in the form {forms}", hint)
        return None

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
