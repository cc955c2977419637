"""kg import acled: both ACLED layouts, broken rows, the gazetteer link, and counts that match
a direct count of the CSV once the import is stored and queried."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg import DataErrors, Project, run_query
from kg.importers.acled import import_acled
from kg.api import BuildResult, make_store
from kg.shacl import validate

from conftest import REPO, run_kg

FIXTURES = REPO / "tests" / "acled"
LAYOUTS = [FIXTURES / "events-current.csv", FIXTURES / "events-older.csv"]


def graph_of(folder: Path) -> Graph:
    graph = Graph()
    for shard in sorted(folder.glob("*.nt.gz")):
        graph.parse(data=gzip.decompress(shard.read_bytes()), format="nt")
    return graph


@pytest.fixture(scope="module")
def imported(project: Project, built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folders = {}
    for csv_file in LAYOUTS:
        folder = tmp_path_factory.mktemp("import") / csv_file.stem
        result = import_acled(project, csv_file, folder, built.graph)
        assert result.rejected == 0 and result.imported == result.rows > 0
        folders[csv_file.stem] = folder
    return folders


@pytest.fixture(scope="module")
def store(project: Project, imported: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store") / "store"
    make_store(project, folder, list(imported.values()))
    return folder


def csv_rows() -> list[dict[str, str]]:
    rows = []
    for csv_file in LAYOUTS:
        with csv_file.open(newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


@pytest.mark.parametrize("layout", [p.stem for p in LAYOUTS])
def test_each_layout_imports_into_a_conforming_graph(project: Project, imported: dict[str, Path], layout: str) -> None:
    graph = graph_of(imported[layout]) + project.ontology
    report = validate(graph, project.shapes)
    assert report.conforms, report.render()


def test_counts_match_a_direct_count_of_the_csv(project: Project, store: Path) -> None:
    rows = csv_rows()
    by_type = Counter(row["event_type"] for row in rows)
    dead_by_type = Counter()
    by_region, dead_by_region = Counter(), Counter()
    for row in rows:
        dead_by_type[row["event_type"]] += int(row["fatalities"])
        by_region[row["admin1"]] += 1
        dead_by_region[row["admin1"]] += int(row["fatalities"])
    types = run_query(project, "events_by_type", store_dir=store).as_dicts()
    assert {r["event_type"]: (int(r["events"]), int(r["fatalities"])) for r in types} == {
        name: (count, dead_by_type[name]) for name, count in by_type.items()
    }
    regions = run_query(project, "events_by_region", store_dir=store).as_dicts()
    assert {r["region"]: (int(r["events"]), int(r["fatalities"])) for r in regions} == {
        name: (count, dead_by_region[name]) for name, count in by_region.items()
    }
    assert {r["country"] for r in regions} == {"Afghanistan"}
    # The curated questions still answer the same on the store with the import in it.
    assert run_query(project, "crossings_by_country", store_dir=store) == run_query(project, "crossings_by_country")


def test_places_link_to_the_gazetteer(project: Project, imported: dict[str, Path]) -> None:
    graph = graph_of(imported["events-current"])
    khahan = "https://w3id.org/border-kg/id/place/af-khahan"
    rows = graph.query(
        """PREFIX bk: <https://w3id.org/border-kg/def#>
        SELECT ?place WHERE { <https://w3id.org/border-kg/id/incident/acled-AFG90001> bk:place ?place .
                              ?place bk:locatedIn ?district }""",
    )
    assert [str(r[0]).endswith("/Khahan/Khahan") for r in rows] == [True]
    assert any(str(o) == khahan for o in graph.objects(None, None))
    # A district not in the gazetteer gets a place of its own, inside the curated province.
    imam_sahib = [s for s in set(graph.subjects()) if str(s).endswith("acled-Afghanistan/Kunduz/Imam%20Sahib")]
    assert len(imam_sahib) == 1
    assert {str(o) for o in graph.objects(imam_sahib[0], None) if "place/" in str(o)} == {
        "https://w3id.org/border-kg/id/place/af-kunduz"
    }


def test_older_layout_codes_and_dates(project: Project, imported: dict[str, Path]) -> None:
    graph = graph_of(imported["events-older"])
    dates = {str(o) for s, p, o in graph if str(p).endswith("#date")}
    assert dates == {"2020-05-09", "2019-12-31", "2021-07-05"}
    taliban = "https://w3id.org/border-kg/id/actor/acled-Taliban"
    types = {str(o) for s, p, o in graph if str(s) == taliban and str(p).endswith("#actorType")}
    assert types == {"https://w3id.org/border-kg/acled#actor-rebel-group"}
    assert (URIRef(taliban), RDF.type, URIRef("https://w3id.org/border-kg/def#ArmedGroup")) in graph


BROKEN = FIXTURES / "events-broken.csv"
EXPECTED_PROBLEMS = [
    "tests/acled/events-broken.csv:3: row 2, field 'event_date': '2021-02-30' is not a real date. Correct the day or the month.",
    "tests/acled/events-broken.csv:4: row 3, field 'event_type': unknown event type 'Batles'. Did you mean 'Battles'?",
    "tests/acled/events-broken.csv:5: row 4, field 'fatalities': a count cannot be negative (-2). Write 0 or more.",
    "tests/acled/events-broken.csv:6: row 5, field 'event_id_cnty': the event id AFG70001 was already imported from line 2. "
    "An export lists each event once: remove the repeated row.",
    "tests/acled/events-broken.csv:7: row 6, field 'year': the year 2020 does not match the event date (2021). "
    "Correct the year or the date.",
    "tests/acled/events-broken.csv:8: row 7: the row has 14 cells, the header 31. Check for unquoted commas or a cut line.",
    "tests/acled/events-broken.csv:9: row 8, field 'inter1': unknown actor type 'Rebl group'. ACLED uses: Civilians, "
    "External/Other forces, Identity militia, Political militia, Protesters, Rebel group, Rioters, State forces (or codes 1-8).",
    "tests/acled/events-broken.csv:10: row 9, field 'latitude': 95.0, 70.9 is outside the globe. Latitude lies in -90..90, "
    "longitude in -180..180.",
    "tests/acled/events-broken.csv:11: row 10, field 'fatalities': 'many' is not a whole number. Write a whole number such as 0 or 12.",
]


def test_broken_rows_are_reported_and_nothing_is_written(tmp_path: Path) -> None:
    result = run_kg("import", "acled", str(BROKEN.relative_to(REPO)), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    printed = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert printed == EXPECTED_PROBLEMS
    assert result.stderr.splitlines()[0] == "9 problems in the data:"
    assert result.stderr.splitlines()[-1] == (
        "Nothing was imported from tests/acled/events-broken.csv. Correct these rows, or import the other rows with --skip-bad-rows."
    )
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.iterdir()), "no temporary folder is left behind"


def test_skip_bad_rows_imports_the_good_ones(tmp_path: Path) -> None:
    result = run_kg("import", "acled", str(BROKEN.relative_to(REPO)), "-o", str(tmp_path / "out"), "--skip-bad-rows")
    assert result.returncode == 0, result.stderr
    assert "Skipped 9 bad rows of 10:" in result.stdout
    assert "Imported 1 of 10 rows from tests/acled/events-broken.csv (read as the ACLED layout of 2019 on)" in result.stdout
    events = {str(s) for s, p, o in graph_of(tmp_path / "out") if str(o).endswith("#ConflictEvent")}
    assert events == {"https://w3id.org/border-kg/id/incident/acled-AFG70001"}


def test_missing_columns_are_named(built: BuildResult, tmp_path: Path) -> None:
    bad = tmp_path / "no-fatalities.csv"
    lines = (FIXTURES / "events-current.csv").read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join(line.replace("fatalities,", "deaths,", 1) for line in lines) + "\n", encoding="utf-8")
    with pytest.raises(DataErrors) as failure:
        import_acled(Project(root=REPO), bad, tmp_path / "out", built.graph)
    (error,) = failure.value.errors
    assert error.message == "the header lacks the column fatalities"
    assert error.location is not None and error.location.line == 1


def test_import_is_deterministic_and_quads_go_to_the_dataset_graph(project: Project, built: BuildResult, tmp_path: Path) -> None:
    first = import_acled(project, LAYOUTS[0], tmp_path / "a", built.graph)
    second = import_acled(project, LAYOUTS[0], tmp_path / "b", built.graph)
    assert [f.read_bytes() for f in first.files] == [f.read_bytes() for f in second.files]
    quads = import_acled(project, LAYOUTS[0], tmp_path / "q", built.graph, format_name="nquads")
    parsed = list(ox.parse(gzip.decompress(quads.files[0].read_bytes()), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in parsed} == {"https://w3id.org/border-kg/id/source/acled-events-current"}
    assert len(parsed) == first.lines


def test_actors_places_and_links_are_written_once_and_completely(project: Project, built: BuildResult, tmp_path: Path) -> None:
    header = (FIXTURES / "events-current.csv").read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")

    def row(**cells: str) -> str:
        base = {"event_date": "2021-07-05", "year": "2021", "time_precision": "1", "disorder_type": "Political violence",
                "event_type": "Battles", "sub_event_type": "Armed clash", "iso": "4", "region": "Caucasus and Central Asia",
                "country": "Afghanistan", "fatalities": "0", "source": "Test", "source_scale": "National", "notes": "Test row."}
        base.update(cells)
        return ",".join(f'"{base.get(column, "")}"' for column in columns)

    rows = [
        # An actor first seen as an associated actor (no type), then as actor1 with a type.
        row(event_id_cnty="T1", actor1="Taliban", inter1="Rebel group", assoc_actor_1="Group X",
            admin1="Balkh", admin2="Shortepa", location="Shortepa"),
        row(event_id_cnty="T2", actor1="Group X", inter1="Rebel group", admin1="Balkh", admin2="Shor Tepa", location="Shor Tepa"),
        # actor1 named again among the associated actors: one link.
        row(event_id_cnty="T3", actor1="Taliban", inter1="Rebel group", assoc_actor_1="Taliban", admin1="Balkh", admin2="Kaldar"),
        # A location that is a curated place keeps ACLED's point.
        row(event_id_cnty="T4", actor1="Taliban", inter1="Rebel group", iso="762", country="Tajikistan", admin1="Khatlon",
            admin2="Shahritus", location="Shahritus border outpost", latitude="37.25", longitude="68.1"),
    ]
    csv_file = tmp_path / "probe.csv"
    csv_file.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = import_acled(project, csv_file, tmp_path / "out", built.graph)
    lines = gzip.decompress(result.files[0].read_bytes()).decode("utf-8").splitlines()
    assert len(lines) == len(set(lines)), [line for line in lines if lines.count(line) > 1][:3]
    graph = graph_of(tmp_path / "out")
    group_x = URIRef("https://w3id.org/border-kg/id/actor/acled-Group%20X")
    assert (group_x, RDF.type, URIRef("https://w3id.org/border-kg/def#ArmedGroup")) in graph
    outpost = URIRef("https://w3id.org/border-kg/id/place/tj-shahritus-outpost")
    geometry = graph.value(outpost, URIRef("http://www.opengis.net/ont/geosparql#hasGeometry"))
    assert geometry is not None
    assert str(graph.value(geometry, URIRef("http://www.opengis.net/ont/geosparql#asWKT"))) == "POINT(68.1 37.25)"
    report = validate(graph + project.ontology, project.shapes)
    assert report.conforms, report.render()
