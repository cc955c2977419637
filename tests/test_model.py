"""The parts of the general model that the build derives or guards: the bounds each qualifier
allows, dates of every precision with one sortable day, loose name keys, vocabulary records
in data/, and the warnings for likely duplicates. Each test builds a small data set on the
bad-data corpus's minimal base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import Project, build, run_query
from kg.errors import DataErrors
from kg.build.names import name_key

from conftest import REPO

BASE = REPO / "tests" / "bad_data" / "_base"


def built_project(tmp_path: Path, text: str) -> tuple[Project, object]:
    data = tmp_path / "data"
    data.mkdir()
    for source in BASE.glob("*.yaml"):
        shutil.copyfile(source, data / source.name)
    (data / "case.yaml").write_text(text, encoding="utf-8")
    project = Project(root=REPO, data_dir=data, out_dir=tmp_path / "out")
    return project, build(project)


@pytest.mark.parametrize(
    ("spellings", "same"),
    [
        (["Khwahan", "Khahan", "Hohon", "KHWAHAN"], True),
        (["Shortepa", "Shor Tepa", "Shurtepa", "Shor-Tepa"], True),
        (["Shahritus", "Shahritous", "Shahrituz"], True),
        (["Ishkashim", "Eshkashem", "Ishqoshim", "Iškašim"], True),
        (["Darvoz", "Darwaz"], False),  # different districts on the two banks
        (["Vanj", "Kulob"], False),
    ],
)
def test_name_keys_fold_spellings(spellings: list[str], same: bool) -> None:
    keys = {name_key(spelling) for spelling in spellings}
    assert (len(keys) == 1) is same, keys


FIGURES = """\
incidents:
  - id: crossing-a
    type: crossing
    title: A crossing
    date: 2021-07-05
    from: af-badakhshan
    to: tj-vanj
    counts:
      - {measure: people-moved, value: 100, qualifier: exactly, sources: [report-a]}
      - {measure: people-moved, value: 600, qualifier: about, sources: [report-a]}
      - {measure: people-moved, value: 1600, qualifier: nearly, sources: [report-a]}
      - {measure: people-moved, value: 130, qualifier: more-than, sources: [report-a]}
      - {measure: people-moved, value: 300, qualifier: at-least, sources: [report-a]}
      - {measure: people-moved, value: 100, qualifier: up-to, sources: [report-a]}
      - {measure: people-moved, value: 10, qualifier: fewer-than, sources: [report-a]}
      - {measure: people-moved, value: 280, max: 300, qualifier: between, sources: [report-a]}
    sources: [report-a]
"""


def test_each_qualifier_allows_the_values_it_says(tmp_path: Path) -> None:
    project, result = built_project(tmp_path, FIGURES)
    assert result.conforms, result.report.render()
    bounds = {(r["qualifier"], r["value"]): (r["low"], r["high"]) for r in run_query(project, "figures_by_measure").as_dicts()}
    assert bounds == {
        ("exactly", "100"): ("100", "100"),
        ("about", "600"): ("540", "660"),
        ("nearly", "1600"): ("1440", "1599"),
        ("more than", "130"): ("131", None),
        ("at least", "300"): ("300", None),
        ("up to", "100"): ("0", "100"),
        ("fewer than", "10"): ("0", "9"),
        ("between", "280"): ("280", "300"),
    }


DATES = """\
incidents:
  - {id: fighting-hours, type: fighting, title: Fighting by the hour, start: 2021-06-21T19:00, end: 2021-06-22T09:00,
     places: [tj-vanj], sources: [report-a]}
  - {id: fighting-month, type: fighting, title: Fighting in a month, date: 2021-06, places: [tj-vanj], sources: [report-a]}
  - {id: fighting-year, type: fighting, title: Fighting in a year, date: 2021, places: [tj-vanj], sources: [report-a]}
  - {id: fighting-by, type: fighting, title: Fighting to end by a day, end: 2021-09-11, places: [tj-darvoz], sources: [report-a]}
"""


def test_every_precision_of_date_gets_one_sortable_day(tmp_path: Path) -> None:
    project, result = built_project(tmp_path, DATES)
    assert result.conforms, result.report.render()
    text = """PREFIX bk: <https://w3id.org/border-kg/def#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?title ?day ?precision ?week WHERE {
          ?e rdfs:label ?title ; bk:sortDate ?day ; bk:datePrecision/rdfs:label ?precision ; bk:weekStart ?week }"""
    query = tmp_path / "dates.rq"
    query.write_text(text, encoding="utf-8")
    rows = {r["title"]: (r["day"], r["precision"], r["week"]) for r in run_query(project, str(query)).as_dicts()}
    assert rows == {
        "Fighting by the hour": ("2021-06-21", "time of day", "2021-06-21"),
        "Fighting in a month": ("2021-06-01", "month", "2021-05-31"),
        "Fighting in a year": ("2021-01-01", "year", "2020-12-28"),
        "Fighting to end by a day": ("2021-09-11", "day", "2021-09-06"),
    }


def test_a_second_record_of_an_incident_and_a_place_spelt_differently_draw_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # files are named relative to the working folder
    project, result = built_project(tmp_path, """\
places:
  - {id: af-shortepa, type: district, name: Shortepa, in: af-badakhshan, point_source: "no point: test"}
  - {id: af-shurtepa, type: district, name: Shurtepa, in: af-badakhshan, point_source: "no point: test"}
incidents:
  - {id: crossing-a, type: crossing, title: A crossing, date: 2021-07-04, from: af-badakhshan, to: tj-vanj, sources: [report-a]}
  - {id: crossing-b, type: crossing, title: The same crossing told again, date: 2021-07-05, from: af-badakhshan, to: tj-vanj,
     sources: [report-a]}
  - {id: crossing-c, type: crossing, title: Another crossing, date: 2021-07-05, from: af-badakhshan, to: tj-vanj,
     distinct_from: [crossing-a, crossing-b], sources: [report-a]}
""")
    assert result.conforms, result.report.render()
    messages = sorted(warning.message for warning in result.warnings)
    assert messages == [
        "incident 'crossing-a' (data/case.yaml:5:5) and incident 'crossing-b' (data/case.yaml:6:5) may be one incident "
        "(crossing into a state, 1 day(s) apart, both into Vanj); merge them or mark them with distinct_from.",
        "place 'af-shortepa' (data/case.yaml:2:5) and place 'af-shurtepa' (data/case.yaml:3:5) may be one place "
        "(names alike: Shortepa and Shurtepa, both in Afghanistan); merge them, or keep both if they are different places.",
    ]
    assert result.written, "warnings do not stop the build"


def test_a_vocabulary_record_cannot_change_a_closed_list_or_repeat_a_concept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataErrors) as caught:
        built_project(tmp_path, """\
vocabulary:
  - {id: roughly-about, scheme: qualifiers, label: roughly, definition: A guess.}
  - {id: killed, scheme: measures, label: killed, definition: Again.}
  - {id: expelled, scheme: statuses, broader: returnd, label: expelled, definition: Sent out.}
""")
    messages = [str(error) for error in caught.value.errors]
    assert messages == [
        "data/case.yaml:2:5: concept 'roughly-about', field 'scheme': the vocabulary qualifiers cannot take new concepts "
        "from data: the build computes with its concepts' facts. Add the concept to ontology/vocabulary.ttl instead. "
        "Data may extend: accounts, event-kinds, measures, modes, person-categories, place-kinds, statuses.",
        "data/case.yaml:3:5: concept 'killed', field 'id': the concept 'killed' is already in the vocabulary measures. "
        "Use the existing concept, or give the new one another id.",
        "data/case.yaml:4:47: concept 'expelled', field 'broader': no concept 'returnd' in the vocabulary statuses. "
        "Did you mean 'returned'?",
    ]
