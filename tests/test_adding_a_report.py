"""Adding a further report's facts needs data only (the README's recipe), and when two
sources disagree about one incident, the graph keeps both figures, each with its source."""

from __future__ import annotations

import shutil
from pathlib import Path

from kg import Project, build, run_query

from conftest import REPO

FOLLOW_UP = """\
# A made-up follow-up report, for this test only.
sources:
  - id: report-test-follow-up
    type: report
    title: Test follow-up report
    date: 2021-07-08
    via: [tj-border-directorate]
places:
  - {id: tj-rushon, type: district, name: Rushon, alt_names: [Rushan], in: tj-gbao}
incidents:
  - id: crossing-test-rushon
    type: crossing
    title: Test crossing into Rushon
    date: 2021-07-07
    actors: [afghan-forces]
    from: af-badakhshan
    to: tj-rushon
    counts:
      - {value: 40, qualifier: about, sources: [report-test-follow-up]}
    sources: [report-test-follow-up]
"""
KHATLON_COUNT = "      - {value: 300, qualifier: exactly, sources: [report-2021-07-05]}\n"
KHATLON_SOURCES = "    sources: [report-2021-07-05]\n\n  - id: crossing-2021-07-04-further"


def test_a_new_report_is_data_only_and_disagreement_is_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    (data / "2021-07-08-follow-up.yaml").write_text(FOLLOW_UP, encoding="utf-8")
    incidents = (data / "incidents.yaml").read_text(encoding="utf-8")
    assert incidents.count(KHATLON_COUNT) == 1 and incidents.count(KHATLON_SOURCES) == 1
    incidents = incidents.replace(
        KHATLON_COUNT, KHATLON_COUNT + "      - {value: 312, qualifier: exactly, sources: [report-test-follow-up]}\n"
    ).replace(KHATLON_SOURCES, "    sources: [report-2021-07-05, report-test-follow-up]\n\n  - id: crossing-2021-07-04-further")
    (data / "incidents.yaml").write_text(incidents, encoding="utf-8")

    project = Project(root=REPO, data_dir=data, out_dir=tmp_path / "out")
    result = build(project)
    assert result.conforms, result.report.render()

    figures = [r for r in run_query(project, "incident_figures").as_dicts() if "Khatlon" in r["incident"]]
    assert {(r["figure"], r["source"]) for r in figures} == {
        ("300", "Over a thousand Afghan troops cross into Tajikistan from Badakhshan (5 July 2021)"),
        ("312", "Test follow-up report"),
    }
    timeline = [r for r in run_query(project, "crossings_timeline").as_dicts() if "Khatlon" in r["crossing"]]
    assert sorted(r["troops"] for r in timeline) == ["300", "312"]

    rushon = run_query(project, "place_lookup", {"name": "Rushan"}).as_dicts()
    assert [(r["label"], r["located_in"]) for r in rushon] == [("Rushon", "Gorno-Badakhshan Autonomous Region")]
    districts = {r["district"]: r for r in run_query(project, "crossings_by_destination").as_dicts()}
    assert (districts["Rushon"]["troops"], districts["Rushon"]["qualifier"]) == ("40", "about")
    assert districts["Vanj"]["region_total"] == str(933 + 40)
