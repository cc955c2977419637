"""The competency questions of the design (questions.md), asserted fact by fact against the
stored queries on the curated data. The golden CSVs in queries/expected/ are checked in
test_stored_queries.py; these tests say in code what the answers must be."""

from __future__ import annotations

from collections import Counter

import pytest

from kg import Project, run_query
from kg.api import BuildResult


@pytest.fixture(scope="module")
def ask(project: Project, built: BuildResult):
    def run(query: str, /, **params: str) -> list[dict[str, str | None]]:
        return run_query(project, query, params).as_dicts()

    return run


def test_1_crossings_by_destination(ask) -> None:
    rows = ask("crossings_by_destination")
    by_district = {row["district"]: row for row in rows}
    assert {d: int(r["troops"]) for d, r in by_district.items()} == {
        "Shamsiddin-Shohin": 104,
        "Darvoz": 296,
        "Vanj": 173,
        "Shugnan": 312,
        "Ishkashim": 152,
        "Shahritus": 17,
    }
    assert by_district["Shahritus"]["date"] == "2021-06-27"
    assert all(r["date"] == "2021-07-05" for d, r in by_district.items() if d != "Shahritus")
    gbao = [r for r in rows if r["region"] == "Gorno-Badakhshan Autonomous Region"]
    assert {r["district"] for r in gbao} == {"Darvoz", "Vanj", "Shugnan", "Ishkashim"}
    assert {int(r["region_total"]) for r in gbao} == {933}
    assert all(r["country"] == "Tajikistan" and r["region"] for r in rows)


def test_2_crossings_timeline(ask) -> None:
    rows = ask("crossings_timeline")
    assert len(rows) == 7
    summary = [(r["date"] or r["start"], r["troops"], r["qualifier"], r["destination_country"], r["outcome"]) for r in rows]
    assert summary == [
        ("2021-06-22", "130", "more than", "Tajikistan", "admitted"),
        ("2021-06-23", "53", "exactly", "Uzbekistan", "returned"),
        ("2021-06-23", None, None, "Uzbekistan", "returned"),
        ("2021-06-27", "17", "exactly", "Tajikistan", "admitted"),
        ("2021-07-04", "300", "exactly", "Tajikistan", None),
        ("2021-07-04", "94", "exactly", "Tajikistan", None),
        ("2021-07-05", "1037", "exactly", "Tajikistan", None),
    ]
    attempts = rows[2]
    assert (attempts["start"], attempts["end"]) == ("2021-06-23", "2021-06-26")


def test_3_crossings_by_country(ask) -> None:
    rows = {r["country"]: r for r in ask("crossings_by_country")}
    assert set(rows) == {"Tajikistan", "Uzbekistan"}
    tajikistan, uzbekistan = rows["Tajikistan"], rows["Uzbekistan"]
    assert (tajikistan["cases"], tajikistan["troops"], tajikistan["troops_qualifier"]) == ("5", "1578", "at least")
    assert (uzbekistan["counted_cases"], uzbekistan["troops"], uzbekistan["troops_qualifier"]) == ("1", "53", "at least")
    assert int(uzbekistan["cases"]) > int(uzbekistan["counted_cases"]), "the attempts of unknown size are a case too"


def test_4_policies(ask) -> None:
    rows = ask("policies")
    by_country: dict[str, list[dict]] = {}
    for row in rows:
        by_country.setdefault(row["country"], []).append(row)
    tajik = by_country["Tajikistan"]
    assert {r["stance"] for r in tajik} == {"admit"}
    assert {r["quote"] for r in tajik} == {"humanity and good neighborliness"}
    assert sorted(r["applied_date"] for r in tajik) == ["2021-06-22", "2021-06-27"]
    uzbek = by_country["Uzbekistan"]
    assert {r["stance"] for r in uzbek} == {"return"}
    assert {(r["said_by"], r["on_behalf_of"], r["said_on"]) for r in uzbek} == {
        ("Sherzod Asadov", "Presidential Administration of Uzbekistan", "2021-06-28")
    }
    assert all("inviolab" in r["rationale"] and "international law" in r["rationale"] for r in uzbek)
    assert {r["applied_to"] for r in uzbek} == {
        "Afghan soldiers and militiamen cross into Uzbekistan from Shortepa",
        "Further attempts by Afghan troops to enter Uzbekistan",
    }


def test_5_territory_seized(ask) -> None:
    rows = ask("territory_seized")
    assert {r["district"] for r in rows} == {"Khahan", "Shikai", "Nusai", "Mahimai", "Shighnan", "Sultan Ishkashim"}
    assert {(r["date"], r["time_of_day"], r["province"], r["country"], r["seized_by"]) for r in rows} == {
        ("2021-07-05", "night", "Badakhshan", "Afghanistan", "Taliban")
    }


def test_6_reported_totals_check(ask) -> None:
    rows = {r["claim"]: r for r in ask("reported_totals_check")}
    two_weeks = rows["1,573 Afghan troops crossed into Tajikistan in two weeks"]
    assert (two_weeks["claimed"], two_weeks["computed"], two_weeks["computed_qualifier"]) == ("1573", "1578", "at least")
    assert two_weeks["verdict"] == "inconsistent"
    headline = rows["More than 1,000 Afghan troops fled into Tajikistan"]
    assert (headline["computed"], headline["verdict"]) == ("1037", "consistent")
    fifth = rows["The fifth known case in two weeks"]
    assert (fifth["measure"], fifth["computed"], fifth["verdict"]) == ("cases", "5", "consistent")


def test_7_incident_sources(ask) -> None:
    rows = ask("incident_sources")
    sources: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        sources.setdefault((row["date"], row["incident"]), set()).add(row["source"])
    report_june = "Afghan troops flee to Tajikistan and Uzbekistan (digest of 28 June 2021)"
    report_july = "Over a thousand Afghan troops cross into Tajikistan from Badakhshan (5 July 2021)"

    def of(date: str, word: str) -> set[str]:
        (found,) = [s for (d, i), s in sources.items() if d == date and word in i]
        return found

    assert of("2021-06-22", "cross") == {report_june, report_july}
    assert of("2021-06-27", "cross") == {report_june, report_july}
    assert of("2021-06-23", "Shortepa") == {report_june}
    assert report_july in of("2021-07-05", "cross") and report_june not in of("2021-07-05", "cross")
    through = {(r["source"], r["through"]) for r in rows if r["source_type"] == "report"}
    assert through == {(report_june, "Eurasianet"), (report_july, "Main Border Guard Directorate")}
    # One record per real-world incident: the 22 June crossing appears under one incident only.
    assert Counter(d for d, _ in sources)["2021-06-22"] == 1


def test_8_statements(ask) -> None:
    rows = {r["speaker"]: r for r in ask("statements")}
    asadov = rows["Sherzod Asadov"]
    assert (asadov["date"], asadov["via"], asadov["role"]) == ("2021-06-28", "Interfax", "spokesman")
    assert "26 June" in asadov["summary"] and "sent back" in asadov["summary"]
    border = rows["Main Border Guard Directorate"]
    assert border["date"] == "2021-07-05"
    assert "six Badakhshan districts" in border["summary"] and "1,037" in border["summary"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Shahrituz", {("Shahritus", "Tajikistan")}),
        ("Shahritous", {("Shahritus", "Tajikistan")}),
        ("shahritus", {("Shahritus", "Tajikistan")}),
        ("Ishkashim", {("Sultan Ishkashim", "Afghanistan"), ("Ishkashim", "Tajikistan")}),
        ("Takhlan", {("Takhar", "Afghanistan")}),
        ("Shugnan", {("Shugnan", "Tajikistan")}),
        ("Shighnan", {("Shighnan", "Afghanistan")}),
        ("Atlantis", set()),
    ],
)
def test_9_place_lookup(ask, name: str, expected: set[tuple[str, str]]) -> None:
    rows = ask("place_lookup", name=name)
    assert {(r["label"], r["country"]) for r in rows} == expected


def test_10_context_events(ask) -> None:
    rows = ask("context_events")
    gains = {r["place"] for r in rows if r["type"] == "conflict situation"}
    assert gains == {"Faryab", "Jowzjan", "Kunduz", "Balkh", "Takhar", "Badakhshan"}
    (drawdown,) = [r for r in rows if r["type"] == "announcement"]
    assert (drawdown["date"], drawdown["actor"], drawdown["deadline"]) == ("2021-04", "Joe Biden", "2021-09-11")
    assert (drawdown["troops"], drawdown["qualifier"]) == ("3000", "about")
