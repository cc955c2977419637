"""kg import acled: the ACLED layouts (today's, its older numeric-code form, and the v6 layout of
2016-2018), broken rows and what the user is told, the gazetteer link, actors, points, shards,
and counts that match a direct count of the CSV once the import is stored and queried.

The fixtures in tests/acled/ are written for these tests in ACLED's layouts; their notes are
made up."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg import DataErrors, Project, run_query
from kg.api import BuildResult, make_store, validate_file
from kg.config import ConfigError
from kg.importers.acled import ImportResult, RowErrors, import_acled
from kg.importers.acled import rows as rows_module
from kg.importers.acled.gazetteer import Gazetteer
from kg.importers.acled.mapping import AcledMapping, alphanumeric_affixes
from kg.importers.acled.values import RowProblem, generated, literal, typed
from kg.validate.shacl import validate

from conftest import REPO, run_kg, unordered

FIXTURES = REPO / "tests" / "acled"
LAYOUTS = [FIXTURES / "events-current.csv", FIXTURES / "events-older.csv", FIXTURES / "events-multi-country.csv"]
OTHERS = [FIXTURES / f"events-{name}.csv" for name in ("flags", "two-points", "missing-id", "v6")]
CURRENT_HEADER = (FIXTURES / "events-current.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
ID = "https://w3id.org/border-kg/id/"
BK = "https://w3id.org/border-kg/def#"
ACLED = "https://w3id.org/border-kg/acled#"
GEO = "http://www.opengis.net/ont/geosparql#"


def graph_of(folder: Path) -> Graph:
    graph = Graph()
    for shard in sorted(folder.glob("*.nt.gz")):
        graph.parse(data=gzip.decompress(shard.read_bytes()), format="nt")
    return graph


def row(**cells: str) -> dict[str, str]:
    """A good row of today's layout (in Afghanistan), with the given cells."""
    base = {"event_date": "2021-07-05", "year": "2021", "time_precision": "1", "disorder_type": "Political violence",
            "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "Taliban", "inter1": "Rebel group", "iso": "4",
            "region": "Caucasus and Central Asia", "country": "Afghanistan", "admin1": "Balkh", "admin2": "Kaldar",
            "location": "Kaldar", "fatalities": "0", "source": "Test", "source_scale": "National", "notes": "Test row."}
    return base | cells


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = CURRENT_HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([cells.get(column, "") for column in header] for cells in rows)
    return path


def read_rows(*files: Path) -> list[dict[str, str]]:
    rows = []
    for csv_file in files:
        with csv_file.open(newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


@pytest.fixture(scope="module")
def results(project: Project, built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ImportResult]:
    imports = {}
    for csv_file in [*LAYOUTS, *OTHERS]:
        result = import_acled(project, csv_file, tmp_path_factory.mktemp("import") / csv_file.stem, built.graph)
        assert result.rejected == 0 and result.imported == result.rows > 0
        imports[csv_file.stem] = result
    return imports


@pytest.fixture(scope="module")
def imported(results: dict[str, ImportResult]) -> dict[str, Path]:
    return {name: result.files[0].parent for name, result in results.items()}


@pytest.fixture(scope="module")
def store(project: Project, imported: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store") / "store"
    make_store(project, folder, [imported[csv_file.stem] for csv_file in LAYOUTS])
    return folder


@pytest.mark.parametrize("fixture", [p.stem for p in [*LAYOUTS, *OTHERS]])
def test_each_fixture_imports_into_a_graph_that_conforms_with_both_engines(project: Project, imported: dict[str, Path],
                                                                           fixture: str) -> None:
    reference = validate(graph_of(imported[fixture]) + project.ontology, project.shapes)
    assert reference.conforms, reference.render()
    fast = validate_file(project, imported[fixture], engine="oxigraph")
    assert fast.conforms, fast.render()


def test_counts_match_a_direct_count_of_the_csv(project: Project, store: Path) -> None:
    rows = read_rows(*LAYOUTS)
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
    assert {r["country"] for r in regions} == {row["country"] for row in rows} == {"Afghanistan", "Greece", "Kenya", "Somalia"}
    # The curated questions still answer the same on the store with the import in it.
    def answers(**where: Path) -> list[dict[str, object]]:
        return [{k: unordered(v) for k, v in row.items()} for row in run_query(project, "crossings_by_country", **where).as_dicts()]

    assert answers(store_dir=store) == answers()


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
    # A curated district is linked by its name within its curated province ...
    assert any(str(o) == "https://w3id.org/border-kg/id/place/af-imam-sahib" for o in graph.objects(None, None))
    # ... and a district not in the gazetteer gets a place of its own, inside the curated province.
    older = graph_of(imported["events-older"])
    taloqan = [s for s in set(older.subjects()) if str(s).endswith("acled-Afghanistan/Takhar/Taloqan")]
    assert len(taloqan) == 1
    assert {str(o) for o in older.objects(taloqan[0], None) if "place/" in str(o)} == {
        "https://w3id.org/border-kg/id/place/af-takhar"
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


def test_an_event_id_over_two_lines_is_refused(tmp_path: Path) -> None:
    """The id is the events' table's key, one line of events.tsv.gz: a line break in it is a fault of the file."""
    header, first = (FIXTURES / "events-current.csv").read_text(encoding="utf-8").splitlines()[:2]
    broken = tmp_path / "broken.csv"
    broken.write_text(f'{header}\n"AFG\n7"{first[first.index(","):]}\n', encoding="utf-8")
    result = run_kg("import", "acled", str(broken), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert ("broken.csv:3: row 1, field 'event_id_cnty': the id 'AFG...' runs over more than one line. An id is one line, "
            "such as AFG12345: correct the cell (a quote may be missing in the file).") in result.stderr


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


# -- one event, every statement ---------------------------------------------------------------


def test_an_event_has_a_statement_for_each_of_its_cells(imported: dict[str, Path]) -> None:
    graph = graph_of(imported["events-multi-country"])
    event = URIRef(ID + "incident/acled-KEN1001")
    found = {(str(p).rsplit("/", 1)[-1].rsplit("#", 1)[-1], str(o)) for p, o in graph.predicate_objects(event)}
    assert found == {
        ("type", BK + "ConflictEvent"),
        ("source", ID + "source/acled-events-multi-country"),
        ("identifier", "KEN1001"),
        ("date", "2020-03-02"),
        ("disorderType", ACLED + "disorder-political-violence"),
        ("eventType", ACLED + "battles"),
        ("subEventType", ACLED + "battles--armed-clash"),
        ("fatalities", "3"),
        ("description", "Test row: gunmen fire on an army patrol outside the town."),
        ("sourceNote", "Daily Nation"),
        ("sourceScale", "National"),
        ("timePrecision", "1"),
        ("geoPrecision", "1"),
        ("modified", "2020-03-06T13:06:40+00:00"),  # the Unix time 1583500000 (as rdflib writes it)
        ("label", "Armed clash, Garissa, 2020-03-02"),
        ("hasGeometry", ID + "incident/acled-KEN1001/geometry"),
        ("place", ID + "place/acled-Kenya/Garissa/Garissa%20Township/Garissa"),
        ("actor", str(actor("Al Shabaab"))),
        ("counterpart", str(actor("Military Forces of Kenya (2013-2022)"))),
    }


# -- 1. flags read their cell --------------------------------------------------------------------


def test_a_flag_reads_its_cell(imported: dict[str, Path]) -> None:
    graph = graph_of(imported["events-flags"])
    flags = {str(s).rsplit("-", 1)[-1]: o for s, o in graph.subject_objects(URIRef(BK + "civilianTargeting"))}
    # 1 and ACLED's own words are yes; 0 is no; an empty cell says nothing.
    assert flags == {"KEN5001": Literal(True), "KEN5002": Literal(False), "KEN5004": Literal(True)}


def test_a_flag_with_another_value_is_a_located_row_error(project: Project, built: BuildResult, tmp_path: Path) -> None:
    csv_file = write_csv(tmp_path / "flags.csv", [row(event_id_cnty="F1", civilian_targeting="2")])
    with pytest.raises(DataErrors) as failure:
        import_acled(project, csv_file, tmp_path / "out", built.graph)
    assert [str(error) for error in failure.value.errors] == [
        f"{csv_file}:2: row 1, field 'civilian_targeting': '2' is neither yes nor no. "
        "For yes write Civilian targeting, 1 or true; for no 0, false or nothing."
    ]


# -- 2. what an actor is follows its actor type ------------------------------------------------------


def actor(name: str) -> URIRef:
    return URIRef(ID + "actor/acled-" + quote(name, safe=""))


ACTORS = {  # actor: (classes, actor types, country), as the multi-country fixture has them
    "Military Forces of Kenya (2013-2022)": ({"Actor", "MilitaryForce"}, {"state-forces", "external-other-forces"}, "Kenya"),
    "Police Forces of Greece (2019-)": ({"Actor", "MilitaryForce"}, {"state-forces"}, "Greece"),
    "Al Shabaab": ({"Actor", "ArmedGroup"}, {"rebel-group"}, None),
    "Taliban": ({"Actor", "ArmedGroup"}, {"rebel-group"}, None),
    "Unidentified Armed Group (Kenya)": ({"Actor", "ArmedGroup"}, {"political-militia"}, None),
    "Pokot Ethnic Militia (Kenya)": ({"Actor", "ArmedGroup"}, {"identity-militia"}, None),
    "Rioters (Kenya)": ({"Actor"}, {"rioters"}, None),
    "Protesters (Greece)": ({"Actor"}, {"protesters"}, None),
    "Civilians (Kenya)": ({"Actor"}, {"civilians"}, None),
    "WFP: World Food Programme": ({"Actor"}, {"external-other-forces"}, None),
    "NATO: North Atlantic Treaty Organization": ({"Actor"}, {"external-other-forces"}, None),
    "FRONTEX: European Border and Coast Guard Agency": ({"Actor"}, {"external-other-forces"}, None),
    "AMISOM: African Union Mission in Somalia (2007-2022)": ({"Actor"}, {"external-other-forces"}, None),
    "Private Security Forces (Kenya)": ({"Actor"}, {"external-other-forces"}, None),
}


def test_what_an_actor_is_follows_its_actor_type(imported: dict[str, Path]) -> None:
    graph = graph_of(imported["events-multi-country"])
    for name, (classes, types, country) in ACTORS.items():
        node = actor(name)
        assert {str(c).removeprefix(BK) for c in graph.objects(node, RDF.type)} == classes, name
        assert {str(c).removeprefix(ACLED + "actor-") for c in graph.objects(node, URIRef(BK + "actorType"))} == types, name
        countries = {str(c) for c in graph.objects(node, URIRef(BK + "country"))}
        assert countries == ({ID + "place/acled-" + country} if country else set()), name


def test_an_actor_given_two_countries_is_reported(project: Project, built: BuildResult, tmp_path: Path) -> None:
    forces = {"actor1": "Military Forces of Kenya (2013-2022)", "inter1": "State forces"}
    somalia = {"iso": "706", "region": "Eastern Africa", "country": "Somalia", "admin1": "Gedo", "admin2": "Belet Xaawo",
               "location": "Belet Xaawo"}
    csv_file = write_csv(tmp_path / "two-countries.csv", [
        row(event_id_cnty="K1", **forces, iso="404", region="Eastern Africa", country="Kenya", admin1="Lamu", admin2="Lamu West",
            location="Mpeketoni"),
        row(event_id_cnty="S1", **forces, **somalia),
    ])
    result = import_acled(project, csv_file, tmp_path / "out", built.graph)
    assert result.warnings == (
        "1 actor of a type that belongs to a country appears in events of another country too and keeps the country of the "
        "first event (Military Forces of Kenya (2013-2022): also Somalia at line 3)",
    )
    countries = set(graph_of(tmp_path / "out").objects(actor(forces["actor1"]), URIRef(BK + "country")))
    assert countries == {URIRef(ID + "place/acled-Kenya")}


# -- 3. each event keeps its own point -----------------------------------------------------------


def wkt(graph: Graph, node: URIRef) -> set[str]:
    return {str(graph.value(geometry, URIRef(GEO + "asWKT"))) for geometry in graph.objects(node, URIRef(GEO + "hasGeometry"))}


def test_each_event_keeps_its_own_point_and_a_location_with_two_points_keeps_none(results: dict[str, ImportResult],
                                                                                  imported: dict[str, Path]) -> None:
    graph = graph_of(imported["events-two-points"])
    event = {key: URIRef(ID + "incident/acled-" + key) for key in ("KEN6001", "KEN6002", "KEN6003", "KEN6004")}
    assert wkt(graph, event["KEN6001"]) == {"POINT(39.6461 -0.4532)"}
    assert wkt(graph, event["KEN6002"]) == {"POINT(39.7342 -0.5701)"}
    assert wkt(graph, event["KEN6003"]) == wkt(graph, event["KEN6004"]) == {"POINT(41.867 3.9366)"}
    assert [str(graph.value(event[key], URIRef(BK + "geoPrecision"))) for key in ("KEN6001", "KEN6002")] == ["1", "2"]
    garissa = URIRef(ID + "place/acled-Kenya/Garissa/Garissa%20Township/Garissa")
    mandera = URIRef(ID + "place/acled-Kenya/Mandera/Mandera%20East/Mandera")
    assert graph.value(event["KEN6001"], URIRef(BK + "place")) == graph.value(event["KEN6002"], URIRef(BK + "place")) == garissa
    assert wkt(graph, garissa) == set()  # two points: it keeps neither
    assert wkt(graph, mandera) == {"POINT(41.867 3.9366)"}  # every row gives it the same point
    assert results["events-two-points"].warnings == (
        "1 location was given different points in different rows and keeps no point of its own; each event keeps its own "
        "point (Garissa)",
    )


# -- 4. shards are as long as asked ----------------------------------------------------------------


def test_shard_lines_is_honoured_exactly(project: Project, built: BuildResult, results: dict[str, ImportResult],
                                         tmp_path: Path) -> None:
    whole = results["events-multi-country"]
    sharded = import_acled(project, FIXTURES / "events-multi-country.csv", tmp_path / "out", built.graph, lines_per_shard=10)
    sizes = [len(gzip.decompress(shard.read_bytes()).splitlines()) for shard in sharded.files]
    assert sizes == [10] * (whole.lines // 10) + ([whole.lines % 10] if whole.lines % 10 else [])
    lines = [line for shard in sharded.files for line in gzip.decompress(shard.read_bytes()).splitlines()]
    assert lines == gzip.decompress(whole.files[0].read_bytes()).splitlines()


# -- rows refused, and what the user is told -----------------------------------------------------


def test_an_event_without_an_id_is_named_from_its_data_id(results: dict[str, ImportResult], imported: dict[str, Path]) -> None:
    assert results["events-missing-id"].warnings == (
        "1 row had no event id (event_id_cnty); its event is named from data_id, which holds only within this export "
        "(line 3: 7001234)",
    )
    graph = graph_of(imported["events-missing-id"])
    events = set(graph.subjects(RDF.type, URIRef(BK + "ConflictEvent")))
    fallback = URIRef(ID + "incident/acled-events-missing-id/data-7001234")
    assert events == {URIRef(ID + "incident/acled-DRC15001"), URIRef(ID + "incident/acled-DRC15003"), fallback}
    assert graph.value(fallback, URIRef("http://purl.org/dc/terms/identifier")) is None
    assert str(graph.value(fallback, URIRef(BK + "date"))) == "2020-05-09"


def test_rows_that_cannot_be_imported_say_what_to_do(project: Project, built: BuildResult, tmp_path: Path) -> None:
    cut = row(event_id_cnty="C2") | {column: "" for column in CURRENT_HEADER[CURRENT_HEADER.index("notes") + 1:]}
    csv_file = write_csv(tmp_path / "bad.csv", [
        row(event_id_cnty=""),
        row(event_id_cnty="E1", event_type="", sub_event_type="", fatalities=""),
        row(event_id_cnty="C1"),
        cut,
    ])
    with pytest.raises(RowErrors) as failure:
        import_acled(project, csv_file, tmp_path / "out", built.graph)
    assert failure.value.render().splitlines() == [
        "3 problems in the data:",
        f"  {csv_file}:2: row 1, field 'event_id_cnty': the event id is empty, and the row has no data_id to name the event by. "
        "Fill in the event id, or import the other rows with --skip-bad-rows.",
        f"  {csv_file}:3: row 2: event_type, sub_event_type and fatalities are empty. ACLED fills these columns in every row: "
        "fill them in.",
        f"  {csv_file}:5: row 4: the row ends early, after notes: fatalities is empty. The line may have been cut off: export "
        "the file again from ACLED, or complete the row.",
        f"Nothing was imported from {csv_file}. Correct these rows, or import the other rows with --skip-bad-rows.",
    ]
    assert not (tmp_path / "out").exists()


def test_a_long_list_of_problems_says_it_is_cut_and_no_good_row_is_a_failure(tmp_path: Path) -> None:
    bad = [row(event_id_cnty=f"B{number}", fatalities="-1") for number in range(500)]
    csv_file = write_csv(tmp_path / "bad.csv", bad)
    refused = run_kg("import", "acled", str(csv_file), "-o", str(tmp_path / "out"), "--skip-bad-rows")
    assert refused.returncode == 1
    lines = refused.stderr.splitlines()
    assert lines[0] == "The first 200 of 500 problems in the data:"
    assert len(lines) == 202 and lines[200].startswith(f"  {csv_file}:201: row 200, field 'fatalities'")
    assert lines[-1] == f"None of the 500 rows of {csv_file} could be imported, so nothing was written."
    assert not (tmp_path / "out").exists()
    write_csv(csv_file, [*bad[:300], row(event_id_cnty="G1")])
    skipped = run_kg("import", "acled", str(csv_file), "-o", str(tmp_path / "out"), "--skip-bad-rows")
    assert skipped.returncode == 0, skipped.stderr
    assert skipped.stdout.splitlines()[0] == "Skipped 300 bad rows of 301; the first 200:"
    assert f"Imported 1 of 301 rows from {csv_file}" in skipped.stdout


def test_a_file_with_a_header_only_is_refused(project: Project, built: BuildResult, tmp_path: Path) -> None:
    csv_file = write_csv(tmp_path / "header.csv", [])
    with pytest.raises(DataErrors) as failure:
        import_acled(project, csv_file, tmp_path / "out", built.graph)
    assert [str(error) for error in failure.value.errors] == [
        f"{csv_file}:1: the file has a header but no rows. Export the events again from ACLED; there is nothing to import."
    ]


def test_a_reduced_export_is_refused_by_its_missing_columns(project: Project, built: BuildResult, tmp_path: Path) -> None:
    header = [column for column in CURRENT_HEADER if column not in ("event_id_cnty", "actor1")]
    csv_file = write_csv(tmp_path / "reduced.csv", [row()], header)
    with pytest.raises(DataErrors) as failure:
        import_acled(project, csv_file, tmp_path / "out", built.graph)
    (error,) = failure.value.errors
    assert error.message == "the header lacks the columns event_id_cnty, actor1"
    assert error.hint == ("The header was read as the ACLED layout of 2019 on; export the file from ACLED with all columns: the "
                          "header must name event_id_cnty, event_date, event_type, sub_event_type, actor1, country, fatalities.")


# -- the v6 layout of 2016-2018 ---------------------------------------------------------------------


V6_TYPES = {  # event: (today's event type, sub-event type or None), from ACLED's note on its 2019 types
    "KEN4101": ("battles", "battles--armed-clash"),
    "SOM4102": ("battles", "battles--government-regains-territory"),
    "SOM4103": ("battles", "battles--non-state-actor-overtakes-territory"),
    "NIG4104": ("explosions-remote-violence", None),
    "NIG4105": ("violence-against-civilians", None),
    "KEN4106": ("riots", None),  # Riots/Protests with rioters
    "NIG4107": ("protests", None),  # Riots/Protests with protesters only
    "SOM4108": ("strategic-developments", None),
    "SOM4109": ("strategic-developments", "strategic-developments--headquarters-or-base-established"),
    "SOM4110": ("strategic-developments", "strategic-developments--non-violent-transfer-of-territory"),
}


def test_the_v6_layout_is_read_through_its_table_of_event_types(project: Project, results: dict[str, ImportResult],
                                                                 imported: dict[str, Path], tmp_path: Path) -> None:
    assert results["events-v6"].layout == "the ACLED v6 layout of 2016-2018"
    graph = graph_of(imported["events-v6"])
    found = {}
    for event in graph.subjects(RDF.type, URIRef(BK + "ConflictEvent")):
        kind = graph.value(event, URIRef(BK + "eventType"))
        sub = graph.value(event, URIRef(BK + "subEventType"))
        found[str(event).rsplit("-", 1)[-1]] = (str(kind).removeprefix(ACLED), str(sub).removeprefix(ACLED) if sub else None)
    assert found == V6_TYPES
    # ally_actor_1 is today's associated actor; dates are day first.
    assert (URIRef(ID + "incident/acled-SOM4102"), URIRef(BK + "actor"), actor("Ras Kamboni Militia")) in graph
    assert str(graph.value(URIRef(ID + "incident/acled-KEN4101"), URIRef(BK + "date"))) == "2016-01-12"
    store_dir = tmp_path / "store"
    make_store(project, store_dir, [imported["events-v6"]])
    types = run_query(project, "events_by_type", store_dir=store_dir).as_dicts()
    assert {r["event_type"]: (int(r["events"]), int(r["fatalities"])) for r in types} == {
        "Battles": (3, 10), "Strategic developments": (3, 0), "Explosions/Remote violence": (1, 7),
        "Violence against civilians": (1, 12), "Riots": (1, 0), "Protests": (1, 0),
    }


def test_the_command_says_which_layout_it_read_and_validates_with_the_fast_engine(tmp_path: Path) -> None:
    result = run_kg("import", "acled", "tests/acled/events-v6.csv", "-o", str(tmp_path / "out"), "--validate")
    assert result.returncode == 0, result.stderr
    assert "Imported 10 of 10 rows from tests/acled/events-v6.csv (read as the ACLED v6 layout of 2016-2018)" in result.stdout
    assert result.stdout.splitlines()[-1] == "The graph conforms to the shapes."


def test_a_v6_row_that_the_table_cannot_place_is_refused(project: Project, built: BuildResult, tmp_path: Path) -> None:
    rows = read_rows(FIXTURES / "events-v6.csv")
    header = list(rows[0])
    riot_without_rioters = rows[5] | {"inter1": "1", "inter2": "2"}
    today = rows[0] | {"event_id_cnty": "KEN4199", "event_type": "Battles"}
    csv_file = write_csv(tmp_path / "v6.csv", [riot_without_rioters, today], header)
    with pytest.raises(DataErrors) as failure:
        import_acled(project, csv_file, tmp_path / "out", built.graph)
    assert [str(error) for error in failure.value.errors] == [
        f"{csv_file}:2: row 1, field 'event_type': a 'Riots/Protests' event needs Rioters or Protesters among its actor types "
        "(inter1, inter2) to tell which of today's types it is. Give inter1 the type Rioters or Protesters.",
        f"{csv_file}:3: row 2, field 'event_type': 'Battles' is not a value of event_type in the ACLED v6 layout of 2016-2018. "
        "The ACLED v6 layout of 2016-2018 has: Battle-No change of territory, Battle-Government regains territory, "
        "Battle-Non-state actor overtakes territory, Headquarters or base established, Non-violent transfer of territory, "
        "Strategic development, Remote violence, Violence against civilians, Riots/Protests.",
    ]


# -- a mistake in acled.yaml -------------------------------------------------------------------------


MAPPING_MISTAKES = [  # (a line of acled.yaml, the line written instead, the message, the column of the mistake)
    ("    fatalities: {predicate: bk:fatalities, type: count}", "    fatalities: {predicate: bk:fatalities, type: cnt}",
     "event.columns.fatalities.type: unknown value 'cnt'. Did you mean 'count'?", 50),
    ("    fatalities: {predicate: bk:fatalities, type: count}", "    fatalities: {predicat: bk:fatalities, type: count}",
     "event.columns.fatalities.predicat: unknown key. Did you mean 'predicate'?", 18),
    ("  class: bk:ConflictEvent", "  class: bx:ConflictEvent",
     "event.class: 'bx:ConflictEvent' does not start with a known prefix. Use one of acled:, bk:, dcterms:, geo:, rdfs:, "
     "skos: (see prefixes:).", 10),
    ("    event_type: {predicate: bk:eventType, type: concept, scheme: acled:EventTypes}",
     "    event_type: {predicate: bk:eventType, type: concept, scheme: acled:EventTypez}",
     "event.columns.event_type.scheme: there is no concept scheme acled:EventTypez in the vocabulary. "
     "Did you mean 'acled:EventTypes' or 'acled:SubEventTypes'?", 66),
    ("    State forces: {class: bk:MilitaryForce, country: bk:country}",
     "    State force: {class: bk:MilitaryForce, country: bk:country}",
     "actors.kinds.State force: 'State force' is not an actor type of the vocabulary. Did you mean 'State forces'?", 18),
    ("        Remote violence: {event_type: Explosions/Remote violence}",
     "        Remote violence: {event_type: Explosions/Remote violence, sub_event_type: Grenades}",
     "layouts.v6.translate.values.Remote violence.sub_event_type: 'Grenades' is not a sub event type of the vocabulary. "
     "Did you mean 'Grenade'?", 83),
    ("  month: {predicate: bk:refMonth, column: event_date}", "  month: {predicate: bk:refMonth, column: event_dat}",
     "cube.month.column: there is no column 'event_dat' among event.columns. Did you mean 'event_date' or 'event_type' or 'event_id_cnty'?", 43),
    ("  fatalities: {predicate: bk:fatalityCount, column: fatalities}", "  fatalities: {predicate: bk:fatalityCount, column: notes}",
     "cube.fatalities.column: the column notes is of type text. Name a column of type count.", 53),
    ("  event_type: {predicate: bk:refEventType, column: event_type}",
     "  event_type: {predicate: bk:refEventType, column: sub_event_type}",
     "cube.event_type.column: the ACLED v6 layout of 2016-2018 does not fill in sub_event_type in every row, so some events "
     "could not be counted. Name a column among the filled_columns of every layout.", 52),
]


@pytest.mark.parametrize(("line", "written", "message", "column"), MAPPING_MISTAKES, ids=[m[2].split(":")[0] for m in MAPPING_MISTAKES])
def test_a_mistake_in_the_acled_mapping_names_its_line_and_key(built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               line: str, written: str, message: str, column: int) -> None:
    shutil.copytree(REPO / "ontology", tmp_path / "ontology")
    mapping = tmp_path / "ontology" / "acled.yaml"
    text = mapping.read_text(encoding="utf-8")
    assert text.count(line + "\n") == 1
    mapping.write_text(text.replace(line + "\n", written + "\n"), encoding="utf-8")
    number = text[: text.index(line + "\n")].count("\n") + 1
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as failure:
        import_acled(Project(root=tmp_path), FIXTURES / "events-current.csv", tmp_path / "out", built.graph)
    assert str(failure.value) == f"ontology/acled.yaml:{number}:{column}: {message}"


@pytest.mark.parametrize("lexical, datatype", [
    ("2021-07-05T15:46:40Z", "http://www.w3.org/2001/XMLSchema#dateTime"),
    ("1969-12-31T23:59:55Z", "http://www.w3.org/2001/XMLSchema#dateTime"),
    ("POINT(70.9 37.6)", "http://www.opengis.net/ont/geosparql#wktLiteral"),
    ("POINT(-1e-05 -90.0)", "http://www.opengis.net/ont/geosparql#wktLiteral"),
])
def test_literals_written_from_numbers_are_the_terms_pyoxigraph_writes(lexical: str, datatype: str) -> None:
    assert generated(lexical, datatype) == typed(lexical, datatype)


def test_plain_literals_are_written_as_pyoxigraph_writes_them_for_every_character() -> None:
    """literal() writes most texts itself; each character, alone and between others, must give
    the bytes pyoxigraph gives (which escapes quotes, backslashes and control characters)."""
    for code in (*range(0xD800), *range(0xE000, 0x110000, 7)):
        text = f"a{chr(code)}b"
        assert literal(text) == str(ox.Literal(text)), hex(code)
    assert literal("") == str(ox.Literal(""))


@pytest.mark.parametrize("seconds", ["0", "-1", "-86400", "-86401", "59", "86399", "1625497600", "253402300799", "-62135596800"])
def test_a_unix_time_becomes_the_utc_moment_datetime_gives(project: Project, seconds: str) -> None:
    mapping = AcledMapping(project)
    timestamp = mapping.columns[mapping.timestamp_column]
    moment = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds))
    assert mapping.converter(timestamp)(seconds) == typed(f"{moment.isoformat()}Z", "http://www.w3.org/2001/XMLSchema#dateTime")


@pytest.mark.parametrize("seconds", ["253402300800", "1e9", "12:00", "9" * 5000])
def test_a_unix_time_out_of_range_or_not_a_number_is_refused(project: Project, seconds: str) -> None:
    mapping = AcledMapping(project)
    with pytest.raises(RowProblem, match="is not a Unix time in seconds"):
        mapping.converter(mapping.columns[mapping.timestamp_column])(seconds)


@pytest.mark.parametrize("template, affixes", [
    ("https://example.org/event/{id}", ("https://example.org/event/", "")),
    ("https://example.org/e/{id}#event", ("https://example.org/e/", "#event")),
    ("https://example.org:{id}/event", None),  # letters cannot stand in a port
    ("{id}:event", None),  # nor a digit first in a scheme
    ("https://example.org/{id}/{id}", None),
])
def test_event_iris_are_put_together_without_a_check_only_where_any_id_gives_a_valid_iri(
        template: str, affixes: tuple[str, str] | None) -> None:
    assert alphanumeric_affixes(template, "id") == affixes


@pytest.mark.parametrize("source", ["events-current.csv", "events-older.csv", "events-multi-country.csv",
                                    "events-two-points.csv", "events-v6.csv", "generated"])
def test_rows_looked_up_by_their_place_and_actor_cells_give_what_walking_them_gives(
        project: Project, built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    """The row loop remembers what known place cells and actor cells give; with a table of one
    entry (nearly every row walked) the import must be the same statements, warnings and errors."""
    csv_file = FIXTURES / source
    if source == "generated":
        csv_file = tmp_path / "generated.csv"
        subprocess.run([sys.executable, str(REPO / "bench" / "generate_acled.py"), "--rows", "2000", "--seed", "3", "-o", str(csv_file)],
                       check=True, capture_output=True)
    walks: list[int] = []
    walk_places = rows_module.RowConverter.walk_places

    def counted(self: rows_module.RowConverter, *args: Any) -> rows_module.KnownPlace:
        walks[-1] += 1
        return walk_places(self, *args)
    monkeypatch.setattr(rows_module.RowConverter, "walk_places", counted)
    walks.append(0)
    looked_up = import_acled(project, csv_file, tmp_path / "looked-up", built.graph, skip_bad_rows=True)
    monkeypatch.setattr(rows_module, "KNOWN_LIMIT", 1)
    walks.append(0)
    walked = import_acled(project, csv_file, tmp_path / "walked", built.graph, skip_bad_rows=True)
    if source == "generated":
        assert walks[0] < walked.rows // 2 < walks[1], "the lookups were not used"
    assert looked_up.rows == walked.rows and looked_up.imported == walked.imported
    assert shard_statements(looked_up.files) == shard_statements(walked.files)
    assert shard_statements(looked_up.cube_files) == shard_statements(walked.cube_files)
    assert looked_up.warnings == walked.warnings
    assert [str(error) for error in looked_up.errors] == [str(error) for error in walked.errors]


def shard_statements(files: tuple[Path, ...]) -> set[bytes]:
    return {line for file in files for line in gzip.decompress(file.read_bytes()).splitlines()}


def test_a_rejected_row_leaves_no_lookup_behind(project: Project, built: BuildResult, tmp_path: Path) -> None:
    """A rejected row's new actor, named in two of its roles, must be written by the next row
    that names it: a role that met the actor only in the rejected row's own additions is not
    remembered as adding nothing."""
    rows = [row(event_id_cnty="AFG1", actor1="Kaldar Militia", inter1="Identity militia", assoc_actor_1="Kaldar Militia",
                actor2="Police", inter2="Rebl group"),
            row(event_id_cnty="AFG2", assoc_actor_1="Kaldar Militia")]
    result = import_acled(project, write_csv(tmp_path / "events.csv", rows), tmp_path / "out", built.graph, skip_bad_rows=True)
    assert (result.imported, result.rejected) == (1, 1)
    militia = URIRef(f"{ID}actor/acled-Kaldar%20Militia")
    graph = graph_of(tmp_path / "out")
    assert (URIRef(f"{ID}incident/acled-AFG2"), URIRef(f"{BK}actor"), militia) in graph
    assert graph.value(militia, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) == Literal("Kaldar Militia")


@pytest.mark.parametrize("template", ["{node}/geometry", "{node}", "{node}#geometry", "{node}/geo metry", "https://example.org/geometry?of={node}"])
def test_a_geometry_iri_is_the_one_its_template_gives(project: Project, built: BuildResult, template: str) -> None:
    """Where the template adds characters that leave any IRI valid, the geometry's IRI is put
    together without pyoxigraph; elsewhere it is built and checked as before: the same lines."""
    mapping = AcledMapping(project)
    mapping.geometry = dataclasses.replace(mapping.geometry, template=template)
    converter = rows_module.RowConverter(mapping, mapping.compile(CURRENT_HEADER, "test", "test.csv"), Gazetteer(built.graph, mapping))
    node = "<https://w3id.org/border-kg/id/incident/acled-AFG1>"
    try:
        expected: str | None = str(ox.NamedNode(template.format(node=node[1:-1])))
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError):
            converter.geometry_lines(node, (36.5, 70.25))
        return
    assert converter.geometry_lines(node, (36.5, 70.25))[0] == f"{node} {mapping.geometry.predicate} {expected} .\n"
    assert (converter.geometry_tail is not None) == (template in ("{node}/geometry", "{node}"))
