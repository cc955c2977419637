"""The curated gazetteer: ISO 3166 codes checked against pycountry, the district -> region ->
country hierarchy, same-named places kept apart and spelling variants kept together."""

from __future__ import annotations

import pycountry
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.api import BuildResult
from kg.project import BK

PLACE = "https://w3id.org/border-kg/id/place/"


def place(record_id: str) -> URIRef:
    return URIRef(PLACE + record_id)


def country_of(built: BuildResult, node: URIRef) -> URIRef:
    graph = built.graph
    while (node, RDF.type, BK.Country) not in graph:
        parent = graph.value(node, BK.locatedIn)
        assert parent is not None, f"{node} is not inside a country"
        node = parent
    return node


def test_iso_codes_exist_in_pycountry_and_match_the_hierarchy(built: BuildResult) -> None:
    graph = built.graph
    coded = list(graph.subject_objects(BK.isoCode))
    assert len(coded) >= 13
    for node, code in coded:
        code = str(code)
        if (node, RDF.type, BK.Country) in graph:
            assert pycountry.countries.get(alpha_2=code) is not None, code
            continue
        subdivision = pycountry.subdivisions.get(code=code)
        assert subdivision is not None, f"{code} is not an ISO 3166-2 code"
        country_code = str(graph.value(country_of(built, node), BK.isoCode))
        assert subdivision.country_code == country_code, f"{code} lies in {country_code} in our hierarchy"


def test_the_design_codes_are_all_there(built: BuildResult) -> None:
    codes = {str(code) for code in built.graph.objects(None, BK.isoCode)}
    assert {"AF-BDS", "AF-BAL", "AF-KDZ", "AF-TAK", "AF-FYB", "AF-JOW", "TJ-KT", "TJ-GB"} <= codes


def test_every_district_lies_in_a_region_of_a_country(built: BuildResult) -> None:
    graph = built.graph
    districts = list(graph.subjects(RDF.type, BK.District))
    assert len(districts) == 25  # in the pinned fixture data
    for district in districts:
        region = graph.value(district, BK.locatedIn)
        assert (region, RDF.type, BK.Region) in graph, district
        assert (graph.value(region, BK.locatedIn), RDF.type, BK.Country) in graph, region


@pytest.mark.parametrize(
    ("afghan", "tajik"),
    [("af-sultan-ishkashim", "tj-ishkashim"), ("af-shighnan", "tj-shugnan")],
)
def test_same_names_across_the_river_are_different_places(built: BuildResult, afghan: str, tajik: str) -> None:
    assert afghan != tajik
    assert country_of(built, place(afghan)) == place("af")
    assert country_of(built, place(tajik)) == place("tj")


@pytest.mark.parametrize(
    ("record_id", "spellings"),
    [
        ("tj-shahritus", {"Shahritus", "Shahritous", "Shahrituz"}),
        ("af-khahan", {"Khahan", "Khwahan"}),
        ("af-shikai", {"Shikai", "Shekay"}),
        ("af-nusai", {"Nusai", "Nusay"}),
        ("af-mahimai", {"Mahimai", "Maimay"}),
        ("af-shortepa", {"Shortepa", "Shor Tepa"}),
        ("af-takhar", {"Takhar", "Takhlan"}),
    ],
)
def test_spelling_variants_are_one_place(built: BuildResult, record_id: str, spellings: set[str]) -> None:
    graph = built.graph
    names = {str(n) for n in graph.objects(place(record_id), RDFS.label)} | {
        str(n) for n in graph.objects(place(record_id), SKOS.altLabel)
    }
    assert spellings <= names
    for spelling in spellings:
        holders = set(graph.subjects(RDFS.label, Literal(spelling))) | set(graph.subjects(SKOS.altLabel, Literal(spelling)))
        assert holders == {place(record_id)}, spelling


def test_crossing_points_are_places_in_a_district_or_region(built: BuildResult) -> None:
    graph = built.graph
    outpost = place("tj-shahritus-outpost")
    assert (outpost, RDF.type, BK.BorderCrossingPoint) in graph
    assert graph.value(outpost, BK.locatedIn) == place("tj-shahritus")
    assert (place("sher-khan-bandar"), RDF.type, BK.BorderCrossingPoint) in graph
