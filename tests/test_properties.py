"""Property-based tests (hypothesis) over generated record sets.

1. Any record set built by the rules of the data format (places in a proper hierarchy,
   crossings between countries, composite crossings whose parts add up, policies applied to
   crossings into their own state, dates that exist, any text in names) builds a graph that
   conforms to the shapes, and its Turtle, N-Triples and JSON-LD parse back into the same graph.
2. Any record set at all (the same, with random damage) never crashes the pipeline: it fails
   with record errors that name a file and line, or with violations that each name the record,
   or it conforms.

The profile is fixed (derandomized, bounded) so CI runs the same examples every time.
"""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import yaml
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import DataErrors, Project, build
from kg.api import export_options
from kg.export import serialize

from conftest import REPO
from test_export import parse_back

pytestmark = pytest.mark.slow

settings.register_profile(
    "kg", max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("kg")

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029"),
    min_size=1,
    max_size=30,
).filter(lambda text: text.strip() != "")
DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
QUALIFIERS = st.sampled_from(["exactly", "more-than", "at-least", "lower-bound", "about", "nearly", "up-to", "at-most", "fewer-than"])


@st.composite
def record_sets(draw: st.DrawFn) -> dict[str, list[dict]]:
    letters = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2)
    codes = draw(st.lists(letters, min_size=2, max_size=3, unique=True))
    places, districts = [], {}
    for number, code in enumerate(codes):
        country = f"country-{number}"
        places.append({"id": country, "type": "country", "name": draw(TEXT), "iso_code": code})
        districts[country] = []
        for region_number in range(draw(st.integers(1, 2))):
            region = f"{country}-region-{region_number}"
            places.append({"id": region, "type": "region", "name": draw(TEXT), "in": country,
                           "iso_code": f"{code}-{draw(st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=3))}",
                           "alt_names": draw(st.lists(TEXT, max_size=2))})
            for district_number in range(draw(st.integers(1, 2))):
                district = f"{region}-district-{district_number}"
                places.append({"id": district, "type": "district", "name": draw(TEXT), "in": region})
                districts[country].append(district)
    sources = [{"id": f"report-{n}", "type": "report", "title": draw(TEXT), "date": draw(DAYS).isoformat(),
                "summary": draw(TEXT)} for n in range(draw(st.integers(1, 2)))]
    source_ids = [s["id"] for s in sources]
    countries = list(districts)
    incidents, policies, statuses = [], [], []
    for n in range(draw(st.integers(1, 4))):
        origin, destination = draw(st.permutations(countries))[:2]
        day = draw(DAYS)
        crossing = {
            "id": f"crossing-{n}", "type": "crossing", "title": draw(TEXT),
            "from": draw(st.sampled_from(districts[origin] + [origin])),
            "to": draw(st.sampled_from(districts[destination] + [destination])),
            "sources": draw(st.lists(st.sampled_from(source_ids), min_size=1, unique=True)),
        }
        if draw(st.booleans()):
            crossing["date"] = day.isoformat() if draw(st.booleans()) else day.strftime("%Y-%m")
        else:
            crossing["start"], crossing["end"] = day.isoformat(), (day + dt.timedelta(days=draw(st.integers(0, 9)))).isoformat()
        parts = []
        if draw(st.booleans()):
            for part_number in range(draw(st.integers(2, 3))):
                part = {"id": f"crossing-{n}-part-{part_number}", "type": "crossing", "title": draw(TEXT),
                        "date": day.isoformat(), "from": crossing["from"],
                        "to": draw(st.sampled_from(districts[destination] + [destination])),
                        "counts": [{"measure": "people-moved", "value": draw(st.integers(0, 5000)), "qualifier": "exactly", "sources": crossing["sources"]}],
                        "sources": crossing["sources"]}
                parts.append(part)
            crossing["parts"] = [p["id"] for p in parts]
            total = sum(p["counts"][0]["value"] for p in parts)
            crossing["counts"] = [{"measure": "people-moved", "value": total, "qualifier": "exactly", "sources": crossing["sources"]}]
        elif draw(st.booleans()):
            crossing["counts"] = [{"measure": "people-moved", "value": draw(st.integers(0, 10**6)), "qualifier": draw(QUALIFIERS),
                                   "sources": crossing["sources"]} for _ in range(draw(st.integers(1, 2)))]
        if draw(st.booleans()):
            statuses.append({"id": f"status-{n}", "title": draw(TEXT), "of": [crossing["id"]],
                             "status": draw(st.sampled_from(["admitted", "interned", "returned"])),
                             "date": day.isoformat(), "sources": [source_ids[0]]})
        incidents += [crossing, *parts]
        if draw(st.booleans()):
            policies.append({"id": f"policy-{n}", "title": draw(TEXT), "country": destination,
                             "stance": draw(st.sampled_from(["admit", "return"])), "applied_to": [crossing["id"]],
                             "sources": [source_ids[0]]})
    claims = [{"id": "claim-0", "title": draw(TEXT), "measure": draw(st.sampled_from(["people-moved", "cases"])),
               "value": draw(st.integers(0, 10**6)), "qualifier": draw(QUALIFIERS),
               "summarises": [incidents[0]["id"]], "sources": [source_ids[-1]]}]
    return {"places": places, "sources": sources, "incidents": incidents, "statuses": statuses, "claims": claims,
            "policies": policies}


def write(records: dict, folder: Path) -> Project:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("*.yaml"):
        old.unlink()
    (data / "records.yaml").write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return Project(root=REPO, data_dir=data, out_dir=folder / "out")


@given(records=record_sets())
def test_well_formed_record_sets_conform_and_round_trip(records: dict, tmp_path_factory) -> None:
    project = write(records, tmp_path_factory.mktemp("valid"))
    result = build(project)
    assert result.conforms, result.report.render()
    for format_name in ("turtle", "ntriples", "jsonld"):
        data = serialize(result.graph, format_name, export_options(project))
        assert isomorphic(parse_back(data, format_name), result.graph), format_name
    assert isomorphic(Graph().parse(project.graph_file), result.graph)


RECORD_DAMAGE = st.sampled_from([
    ("delete", "title"), ("delete", "sources"), ("delete", "to"), ("set", "date", "2021-02-30"),
    ("set", "date", "05/07/2021"), ("set", "to", "nowhere"), ("set", "from", "country-0-typo"),
    ("set", "mode", "by-car"), ("set", "type", "crosing"), ("set", "unknown_field", 1),
    ("set", "title", True), ("set", "to", ["a", "b"]), ("set", "start", "2021-07-05T25:00"),
    ("count", -1), ("count", "many"), ("count", 2.5),
])
# Damage that only the shapes can see: every record is well-formed on its own.
GRAPH_DAMAGE = st.sampled_from([("same-country", None), ("backwards", None), ("parts-off", None)])
DAMAGE = st.one_of(RECORD_DAMAGE, GRAPH_DAMAGE)


@given(records=record_sets(), damage=st.lists(DAMAGE, min_size=1, max_size=2))
def test_any_record_set_fails_cleanly_or_conforms(records: dict, damage: list, tmp_path_factory) -> None:
    crossing = records["incidents"][0]
    for change in damage:
        if change[0] == "delete":
            crossing.pop(change[1], None)
        elif change[0] == "set":
            crossing[change[1]] = change[2]
        elif change[0] == "count":
            crossing["counts"] = [{"measure": "people-moved", "value": change[1], "qualifier": "exactly", "sources": ["report-0"]}]
        elif change[0] == "same-country":
            crossing["from"] = crossing.get("to", "country-0")
        elif change[0] == "backwards":
            crossing.pop("date", None)
            crossing["start"], crossing["end"] = "2021-07-05", "2021-07-01"
        elif change[0] == "parts-off":
            crossing["parts"] = [other["id"] for other in records["incidents"][1:2]] or crossing.get("parts", [])
            crossing["counts"] = [{"measure": "people-moved", "value": 10**7, "qualifier": "exactly", "sources": ["report-0"]}]
    project = write(records, tmp_path_factory.mktemp("damaged"))
    try:
        result = build(project)
    except DataErrors as errors:
        event("record errors")
        assert errors.errors
        for error in errors.errors:
            assert error.location is not None and error.location.file.endswith("records.yaml"), str(error)
            assert error.location.line >= 1
        return
    event("conforms" if result.conforms else "SHACL violations")
    if not result.conforms:
        for violation in result.report.violations:
            assert violation.location is not None and violation.record, str(violation)
        assert not project.graph_file.exists()
