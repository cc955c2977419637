"""Adding a further report needs data files only, as the README's "Adding a report's facts"
tells it, step by step: a new kind of event, a new measure, a new kind of place and a new
status go in as vocabulary records beside the report's sources, places, incidents and
statuses; nothing under kg/, ontology/ or queries/ changes. The build conforms and the stored
queries show the new facts where an analyst looks for them, and a second figure for an
existing incident is kept beside the first, each with its source. The data folder is a copy
of the pinned fixture, so the expectations hold whatever data/ holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import Project, build, run_query

from conftest import FIXTURE_DATA, REPO

pytestmark = pytest.mark.slow

# The steps of the README, each a section of one new file (a made-up report, for this test).
FOLLOW_UP = """\
# Step 1: the words the report needs that the vocabularies lack.
vocabulary:
  - {id: handover, scheme: event-kinds, broader: repatriation, label: hand-over at the border,
     definition: People handed by the host state to their own state's officials at a border post.}
  - {id: vehicles, scheme: measures, label: vehicles,
     definition: Vehicles of any kind brought across.}
  - {id: bridge, scheme: place-kinds, broader: crossing-point, label: border bridge,
     definition: A bridge across a border river.}
  - {id: disarmed, scheme: statuses, label: disarmed,
     definition: Their weapons were taken from them by the host state.}

# Step 2: the report, and the statement it carries.
sources:
  - id: report-test-follow-up
    type: report
    title: Test follow-up report (8 July 2021)
    date: 2021-07-08
    via: [asia-plus]
  - id: statement-test-border-2021-07-08
    type: statement
    title: Test statement of the Tajik border service (8 July 2021)
    date: 2021-07-08
    speaker: [tj-border-directorate]
    reported_in: [report-test-follow-up]
    quotes: [an orderly hand-over]

# Step 3: new places, each in its parent, with a point or a word on why it has none.
places:
  - {id: tj-rushon, type: district, name: Rushon, alt_names: [Rushan], in: tj-gbao,
     point_source: "no point: not looked up for this test"}
  - {id: tj-test-bridge, type: bridge, name: Test border bridge, in: tj-rushon,
     point_source: "no point: not looked up for this test"}

# Step 4: the incidents, one record per real-world event, every figure with what it counts.
incidents:
  - id: crossing-test-rushon
    type: crossing
    title: Test crossing into Rushon over the bridge
    date: 2021-07-07
    actors: [afghan-forces]
    from: af-badakhshan
    to: tj-rushon
    crossing_points: [tj-test-bridge]
    counts:
      - {measure: people-moved, who: soldiers, value: 40, qualifier: about, sources: [statement-test-border-2021-07-08]}
      - {measure: vehicles, value: 6, qualifier: exactly, sources: [statement-test-border-2021-07-08]}
      - {measure: wounded, value: 2, qualifier: exactly, sources: [statement-test-border-2021-07-08]}
    sources: [report-test-follow-up]
  - id: handover-test-rushon
    type: handover
    title: Test hand-over of the Rushon group at the bridge
    date: 2021-07-08
    from: tj-rushon
    to: af-badakhshan
    crossing_points: [tj-test-bridge]
    returns: [crossing-test-rushon]
    counts:
      - {measure: people-moved, value: 38, qualifier: exactly, sources: [statement-test-border-2021-07-08]}
    sources: [report-test-follow-up]

# Step 5: what became of the people, with the day and the source.
statuses:
  - id: disarmed-test-rushon
    title: The Rushon group is disarmed
    of: [crossing-test-rushon]
    status: disarmed
    date: 2021-07-07
    where: tj-rushon
    sources: [statement-test-border-2021-07-08]
"""

# Step 6: a figure the new report gives for an incident already recorded goes into that
# incident's record, beside the figures of the other sources.
KHATLON_FIGURE = (
    "      - {measure: people-moved, value: 300, qualifier: exactly, sources: [report-2021-07-05]}\n"
)
SECOND_FIGURE = (
    "      - {measure: people-moved, value: 312, qualifier: exactly, sources: [statement-test-border-2021-07-08]}\n"
)


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("report")
    data = folder / "data"
    shutil.copytree(FIXTURE_DATA, data)
    (data / "2021-07-08-follow-up.yaml").write_text(FOLLOW_UP, encoding="utf-8")
    incidents = (data / "incidents.yaml").read_text(encoding="utf-8")
    assert incidents.count(KHATLON_FIGURE) == 1
    (data / "incidents.yaml").write_text(incidents.replace(KHATLON_FIGURE, KHATLON_FIGURE + SECOND_FIGURE), encoding="utf-8")
    project = Project(root=REPO, data_dir=data, out_dir=folder / "out")
    result = build(project)
    assert result.conforms, result.report.render()
    assert result.warnings == ()
    return project


def rows(project: Project, query: str, **params: str) -> list[dict[str, str | None]]:
    return run_query(project, query, params).as_dicts()


def test_the_new_words_are_not_in_the_ontology() -> None:
    # kg/, ontology/ and queries/ are the project's own, unchanged: the new kind, measure, place
    # kind and status exist only as vocabulary records of the data file.
    notations = {notation for concepts in Project(root=REPO).vocabulary.concepts.values() for notation in concepts}
    assert notations.isdisjoint({"handover", "vehicles", "bridge", "disarmed"})


def test_the_new_kinds_take_their_class_and_direction_from_their_broader_concepts(added: Project) -> None:
    timeline = {r["movement"]: r for r in rows(added, "crossings_timeline")}
    handover = timeline["Test hand-over of the Rushon group at the bridge"]
    assert (handover["direction"], handover["destination_country"], handover["people_low"]) == (
        "back to the state of origin", "Afghanistan", "38")
    crossing = timeline["Test crossing into Rushon over the bridge"]
    assert (crossing["direction"], crossing["people_low"], crossing["people_high"]) == ("into another state", "36", "44")


def test_the_new_measure_is_shown_and_never_counted_as_people(added: Project) -> None:
    figures = {(r["incident"], r["measure"]): r for r in rows(added, "figures_by_measure")}
    vehicles = figures[("Test crossing into Rushon over the bridge", "vehicles")]
    assert (vehicles["value"], vehicles["according_to"]) == ("6", "Main Border Guard Directorate")
    # Into Tajikistan: the crossings of the fixture plus about 40 (36 to 44); neither the
    # 6 vehicles nor the 2 wounded, and the hand-over back is counted apart.
    tajikistan = {r["country"]: r for r in rows(added, "crossings_by_country")}["Tajikistan"]
    assert (tajikistan["movements"], tajikistan["people_low"]) == ("6", str(1579 + 36))
    returns = {r["from_country"]: r for r in rows(added, "returns_by_country")}["Tajikistan"]
    assert (returns["movements"], returns["people_low"], returns["people_high"]) == ("2", str(280 + 38), str(2300 + 38))


def test_the_new_place_kind_is_found_through_the_hierarchy(added: Project) -> None:
    bridge = rows(added, "place_lookup", name="Test border bridge")
    assert [(r["type"], r["located_in"], r["country"]) for r in bridge] == [("border bridge", "Rushon", "Tajikistan")]
    in_gbao = rows(added, "events_in_place", name="GBAO")
    assert {(r["incident"], r["role"], r["location"]) for r in in_gbao if "Test" in (r["incident"] or "")} == {
        ("Test crossing into Rushon over the bridge", "destination", "Rushon"),
        ("Test crossing into Rushon over the bridge", "crossing point or entry area", "Test border bridge"),
        ("Test hand-over of the Rushon group at the bridge", "origin", "Rushon"),
        ("Test hand-over of the Rushon group at the bridge", "crossing point or entry area", "Test border bridge"),
    }


def test_the_new_status_is_in_the_group_status(added: Project) -> None:
    statuses = [r for r in rows(added, "group_status") if r["status"] == "disarmed"]
    assert [(r["date"], r["where"], r["first_movement"], r["according_to"]) for r in statuses] == [
        ("2021-07-07", "Rushon", "Test crossing into Rushon over the bridge", "Main Border Guard Directorate")
    ]


def test_a_second_figure_is_kept_beside_the_first_with_its_source(added: Project) -> None:
    khwahan = "Afghan border troops withdraw from Khwahan into Khatlon"
    figures = {(r["value"], r["qualifier"], r["according_to"])
               for r in rows(added, "figures_by_measure") if r["incident"] == khwahan and r["measure"] == "people who moved"}
    assert ("312", "exactly", "Main Border Guard Directorate") in figures
    assert ("300", "exactly", "Over a thousand Afghan troops cross into Tajikistan from Badakhshan (5 July 2021)") in figures
    disagreement = {r["claim"] for r in rows(added, "disagreements") if r["topic"] == khwahan and r["aspect"] == "people who moved"}
    assert {"exactly 312", "exactly 300", "more than 300", "at least 300"} <= disagreement
