#!/usr/bin/env python3
"""Seeded generator of synthetic ACLED-layout event tables (the CURRENT layout).

    python bench/generate_acled.py --rows 1000000 --seed 1 -o bench/work/acled-1000000.csv

The header is the one of tests/acled/events-current.csv. The data repeat the way a real export
does: a few hundred actors with Zipf-like frequencies, a place hierarchy of four real countries
(real ISO numeric codes, real Afghan provinces and districts where the project's gazetteer knows
them, made-up names elsewhere) with stable coordinates per location, event and sub-event types
taken only from the valid pairs of ontology/acled-vocabulary.ttl, dates 2017-2021, fatalities
mostly 0 with a long tail, short notes with commas and quotes, unique event ids.

Standard library only (runs with any Python 3.9+). Rows are streamed to the file in batches, so
memory stays small whatever the row count. The same --seed gives the same file.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import itertools
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "ontology" / "acled-vocabulary.ttl"

HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,"
    "admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,"
    "tags,timestamp"
).split(",")

# -- the vocabulary -----------------------------------------------------------------------------


def read_vocabulary(path: Path = VOCABULARY) -> dict[str, dict]:
    """The SKOS concepts of acled-vocabulary.ttl, without an RDF library: {local name: {scheme,
    notations, broader}}. The file is regular (one concept a statement, 'acled:' names)."""
    text = re.sub(r"(?m)^\s*#.*$", "", path.read_text(encoding="utf-8"))
    concepts: dict[str, dict] = {}
    for statement in re.split(r'\s\.\s*\n', text):
        match = re.match(r"\s*acled:([\w-]+)\s+a\s+skos:Concept\b", statement)
        if not match:
            continue
        scheme = re.search(r"skos:inScheme\s+acled:([\w-]+)", statement)
        broader = re.search(r"skos:broader\s+acled:([\w-]+)", statement)
        notation = re.search(r'skos:notation\s+((?:"[^"]*"\s*,?\s*)+)', statement)
        concepts[match.group(1)] = {
            "scheme": scheme.group(1) if scheme else None,
            "broader": broader.group(1) if broader else None,
            "notations": re.findall(r'"([^"]*)"', notation.group(1)) if notation else [],
        }
    return concepts


def event_pairs(concepts: dict[str, dict]) -> dict[str, list[str]]:
    """{event type notation: [its sub-event type notations]}, from skos:broader."""
    pairs: dict[str, list[str]] = {}
    for concept in concepts.values():
        if concept["scheme"] == "EventTypes":
            pairs.setdefault(concept["notations"][0], [])
    for concept in concepts.values():
        if concept["scheme"] == "SubEventTypes" and concept["broader"] in concepts:
            parent = concepts[concept["broader"]]["notations"][0]
            pairs.setdefault(parent, []).append(concept["notations"][0])
    return pairs


def scheme_notations(concepts: dict[str, dict], scheme: str) -> set[str]:
    return {n for c in concepts.values() if c["scheme"] == scheme for n in c["notations"]}


# ACLED's codebook: which disorder type an event of a given (event type, sub-event type) has.
# Checked against the DisorderTypes scheme of the vocabulary at start.
def disorder_for(event_type: str, sub_event: str) -> str:
    if event_type == "Protests":
        return "Political violence; Demonstrations" if sub_event == "Excessive force against protesters" else "Demonstrations"
    if event_type == "Riots":
        return "Demonstrations" if sub_event == "Violent demonstration" else "Political violence"
    if event_type == "Strategic developments":
        return "Strategic developments"
    return "Political violence"


# -- places ---------------------------------------------------------------------------------------

# name, ISO numeric, ACLED region, id prefix, weight, (lat min, lat max, lon min, lon max), has admin3
COUNTRIES = [
    ("Afghanistan", 4, "Caucasus and Central Asia", "AFG", 45, (31.0, 38.3, 61.5, 71.0), False),
    ("Pakistan", 586, "South Asia", "PAK", 30, (25.0, 35.5, 62.0, 75.0), True),
    ("Tajikistan", 762, "Caucasus and Central Asia", "TJK", 12, (36.8, 40.8, 67.5, 74.5), True),
    ("Iran", 364, "Middle East", "IRN", 13, (26.0, 38.5, 45.0, 61.0), True),
]

# Real first-level regions, with real districts where we know them (the Afghan ones the
# project's gazetteer curates among them, so that the importer's gazetteer linking runs).
ADMIN1 = {
    "Afghanistan": {
        "Badakhshan": ["Khahan", "Shighnan", "Shahri Buzurg", "Shikai", "Nusai", "Mahimai", "Faizabad", "Jurm", "Darwaz"],
        "Balkh": ["Kaldar", "Shortepa", "Mazar-e Sharif", "Dawlatabad", "Chahar Bolak"],
        "Kunduz": ["Imam Sahib", "Kunduz", "Chahar Dara", "Dasht-e Archi", "Qala-e Zal"],
        "Takhar": ["Taloqan", "Yangi Qala", "Dasht-e Qala", "Khwaja Bahauddin", "Rustaq"],
        "Faryab": ["Maymana", "Andkhoy", "Qaysar", "Dawlatabad"],
        "Jowzjan": ["Sheberghan", "Aqcha", "Qarqin"],
        "Kabul": ["Kabul", "Paghman", "Surobi"],
        "Kandahar": ["Kandahar", "Spin Boldak", "Arghandab", "Panjwai"],
        "Helmand": ["Lashkar Gah", "Nad Ali", "Sangin", "Musa Qala"],
        "Nangarhar": ["Jalalabad", "Achin", "Momand Dara", "Shinwar"],
        "Herat": ["Herat", "Shindand", "Islam Qala"],
        "Ghazni": ["Ghazni", "Andar", "Qarabagh"],
        "Paktika": [],
        "Baghlan": [],
        "Zabul": [],
    },
    "Pakistan": {
        "Khyber Pakhtunkhwa": ["Peshawar", "Khyber", "North Waziristan", "South Waziristan", "Bajaur", "Kurram"],
        "Balochistan": ["Quetta", "Chagai", "Kech", "Gwadar", "Panjgur"],
        "Punjab": ["Lahore", "Rawalpindi", "Multan", "Faisalabad"],
        "Sindh": ["Karachi South", "Karachi East", "Hyderabad", "Sukkur"],
        "Islamabad Capital Territory": ["Islamabad"],
        "Gilgit-Baltistan": [],
    },
    "Tajikistan": {
        "Khatlon": ["Shahritus", "Shamsiddin-Shohin", "Panj", "Farkhor", "Jayhun"],
        "Gorno-Badakhshan": ["Darvoz", "Vanj", "Shugnan", "Ishkashim", "Rushon"],
        "Sughd": ["Khujand", "Isfara", "Panjakent"],
        "Dushanbe": ["Dushanbe"],
        "Districts of Republican Subordination": ["Rasht", "Vahdat"],
    },
    "Iran": {
        "Sistan and Baluchestan": ["Zahedan", "Saravan", "Chabahar", "Khash"],
        "Khorasan-e Razavi": ["Mashhad", "Taybad", "Torbat-e Jam"],
        "Tehran": ["Tehran", "Shahriar"],
        "Kurdistan": ["Sanandaj", "Marivan", "Baneh"],
        "Khuzestan": ["Ahvaz", "Abadan"],
    },
}

SYLLABLES = ["ab", "dar", "kha", "shir", "zai", "kot", "abad", "pur", "gul", "qala", "bagh", "nar", "tep", "sang",
             "mir", "dasht", "kar", "rud", "chah", "khel", "ban", "jan", "sar", "deh", "oba"]


def made_up_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()
        if rng.random() < 0.15:
            name += rng.choice([" Bala", " Payin", " Kalan", " Khurd", "-e Kohna"])
        if name not in used:
            used.add(name)
            return name


def build_places(rng: random.Random) -> list[list[tuple]]:
    """Per country, its locations: tuples of the place columns, iso..longitude."""
    result = []
    used: set[str] = set()
    for name, iso, region, _, _, (lat0, lat1, lon0, lon1), has_admin3 in COUNTRIES:
        locations = []
        for admin1, districts in ADMIN1[name].items():
            districts = list(districts) + [made_up_name(rng, used) for _ in range(rng.randint(1, 4))]
            clat, clon = rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)
            for admin2 in districts:
                dlat, dlon = clat + rng.uniform(-1, 1), clon + rng.uniform(-1, 1)
                subdistricts = [made_up_name(rng, used) for _ in range(rng.randint(1, 3))] if has_admin3 else [""]
                for admin3 in subdistricts:
                    # the district centre usually has the district's name
                    names = [admin2] + [made_up_name(rng, used) for _ in range(rng.randint(1, 5))]
                    for location in names:
                        lat = round(min(max(dlat + rng.uniform(-0.3, 0.3), -90), 90), 4)
                        lon = round(min(max(dlon + rng.uniform(-0.3, 0.3), -180), 180), 4)
                        locations.append((str(iso), region, name, admin1, admin2, admin3, location, repr(lat), repr(lon)))
        rng.shuffle(locations)  # the Zipf rank of a location is then random
        result.append(locations)
    return result


# -- actors ---------------------------------------------------------------------------------------

STATE_PERIOD = {"Afghanistan": "(2004-2021)", "Pakistan": "(2018-)", "Tajikistan": "(1994-)", "Iran": "(1989-)"}
REAL_ARMED = {
    "Afghanistan": [("Taliban", "Rebel group"), ("Islamic State (Afghanistan)", "Rebel group"),
                    ("NRF: National Resistance Front", "Rebel group"), ("Unidentified Armed Group (Afghanistan)", "Political militia"),
                    ("Hazara Ethnic Militia (Afghanistan)", "Identity militia"), ("Pashtun Ethnic Militia (Afghanistan)", "Identity militia"),
                    ("Military Forces of the United States (2017-2021)", "External/Other forces"),
                    ("NATO: North Atlantic Treaty Organization (2001-2021)", "External/Other forces")],
    "Pakistan": [("TTP: Tehreek-i-Taliban Pakistan", "Rebel group"), ("BLA: Baloch Liberation Army", "Rebel group"),
                 ("Islamic State (Pakistan)", "Rebel group"), ("Unidentified Armed Group (Pakistan)", "Political militia"),
                 ("PTI: Pakistan Tehreek-e-Insaf", "Political militia"), ("Baloch Ethnic Militia (Pakistan)", "Identity militia"),
                 ("Private Security Forces (Pakistan)", "External/Other forces")],
    "Tajikistan": [("Unidentified Armed Group (Tajikistan)", "Political militia"), ("Pamiri Ethnic Militia (Tajikistan)", "Identity militia"),
                   ("Military Forces of Russia (2000-)", "External/Other forces")],
    "Iran": [("Jaish al-Adl", "Rebel group"), ("PJAK: Party of Free Life of Kurdistan", "Rebel group"),
             ("Unidentified Armed Group (Iran)", "Political militia"), ("Baloch Ethnic Militia (Iran)", "Identity militia"),
             ("Military Forces of Israel (2022-)", "External/Other forces")],
}
ARMED_TYPES = ["Rebel group", "Political militia", "Identity militia", "External/Other forces"]
MILITIA_WORDS = ["Tribal Militia", "Clan Militia", "Communal Militia", "Ethnic Militia", "Party Militia", "Front", "Brigade"]


def build_actors(rng: random.Random, actor_types: set[str]) -> dict:
    """Per country: {inter type: (names, cumulative Zipf weights)}."""
    pools: dict[str, dict[str, list[str]]] = {}
    used: set[str] = set()
    for country, *_ in COUNTRIES:
        pool: dict[str, list[str]] = {t: [] for t in actor_types}
        period = STATE_PERIOD[country]
        pool["State forces"] += [f"Military Forces of {country} {period}", f"Police Forces of {country} {period}",
                                 f"Military Forces of {country} {period} Border Guard",
                                 f"Government of {country} {period}"]
        pool["Rioters"] += [f"Rioters ({country})"] + [f"{made_up_name(rng, used)} Communal Group ({country})" for _ in range(3)]
        pool["Protesters"] += [f"Protesters ({country})", f"Students ({country})", f"Labour Group ({country})",
                               f"Women ({country})", f"Traders ({country})"]
        pool["Civilians"] += [f"Civilians ({country})", f"Health Workers ({country})", f"Journalists ({country})",
                              f"Refugees/IDPs ({country})", f"Teachers ({country})"]
        for name, kind in REAL_ARMED[country]:
            pool[kind].append(name)
        for _ in range(rng.randint(55, 75)):  # a long tail of small armed groups
            kind = rng.choice(ARMED_TYPES[:3])
            pool[kind].append(f"{made_up_name(rng, used)} {rng.choice(MILITIA_WORDS)} ({country})")
        pools[country] = {kind: names for kind, names in pool.items() if names}
        unknown = set(pools[country]) - actor_types
        if unknown:
            raise SystemExit(f"actor types not in the vocabulary: {unknown}")
    return {country: {kind: zipf(names) for kind, names in pool.items()} for country, pool in pools.items()}


def zipf(items: list, exponent: float = 1.1) -> tuple[list, list[float]]:
    weights = itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(len(items)))
    return items, list(weights)


def pick(rng: random.Random, pool: tuple[list, list[float]]):
    items, cumulative = pool
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


# -- rows -----------------------------------------------------------------------------------------

SOURCES = ["Pajhwok Afghan News", "Tolo News", "Ariana News", "Khaama Press", "Dawn", "The News International",
           "Express Tribune", "Asia-Plus", "Radio Ozodi", "IRNA", "Tasnim News Agency", "Halvash", "Eurasianet",
           "Reuters", "AFP", "BBC News", "Xinhua", "Twitter", "Local partner", "Hengaw"]
SCALES = ["National", "National", "National", "International", "Subnational", "Local partner-National",
          "National-International", "New media", "Other"]
VERBS = {
    "Battles": ["clashed with", "fought", "attacked positions of", "exchanged fire with"],
    "Explosions/Remote violence": ["shelled", "struck", "detonated an IED targeting", "launched a drone strike on"],
    "Violence against civilians": ["attacked", "abducted", "shot at", "beat"],
    "Protests": ["protested against", "demonstrated against", "held a rally against"],
    "Riots": ["rioted against", "clashed with", "stormed the office of"],
    "Strategic developments": ["arrested members of", "seized weapons from", "agreed a ceasefire with", "took over an outpost of"],
}
QUOTES = ['a local official said "the situation is under control"', 'residents described it as "heavy fighting"',
          'the group called it "a warning"', 'police said "an investigation is under way"']
SUB_EVENT_WEIGHTS = {"Armed clash": 12, "Attack": 6, "Shelling/artillery/missile attack": 6, "Air/drone strike": 4,
                     "Remote explosive/landmine/IED": 5, "Peaceful protest": 10, "Arrests": 3, "Other": 2}
EVENT_WEIGHTS = {"Battles": 30, "Explosions/Remote violence": 24, "Violence against civilians": 12,
                 "Protests": 18, "Riots": 5, "Strategic developments": 11}
START, END = dt.date(2017, 1, 1), dt.date(2021, 12, 31)


def generate(rows: int, seed: int, out, vocabulary: Path = VOCABULARY) -> int:
    rng = random.Random(seed)
    concepts = read_vocabulary(vocabulary)
    pairs = event_pairs(concepts)
    disorders = scheme_notations(concepts, "DisorderTypes")
    actor_types = {n for n in scheme_notations(concepts, "ActorTypes") if not n.isdigit()}
    if not pairs or not all(pairs.values()):
        raise SystemExit(f"could not read event/sub-event pairs from {vocabulary}")
    for event_type, subs in pairs.items():
        for sub in subs:
            if disorder_for(event_type, sub) not in disorders:
                raise SystemExit(f"disorder type for {event_type}/{sub} is not in the vocabulary")

    event_pool = (list(pairs), list(itertools.accumulate(EVENT_WEIGHTS.get(e, 5) for e in pairs)))
    sub_pools = {e: (subs, list(itertools.accumulate(SUB_EVENT_WEIGHTS.get(s, 1) for s in subs))) for e, subs in pairs.items()}
    places = [zipf(locations, 0.9) for locations in build_places(rng)]
    actors = build_actors(rng, actor_types)
    country_pool = (list(range(len(COUNTRIES))), list(itertools.accumulate(c[4] for c in COUNTRIES)))
    days = [(START + dt.timedelta(days=d)) for d in range((END - START).days + 1)]
    day_text = [d.isoformat() for d in days]
    day_epoch = [int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp()) for d in days]
    counters = [rng.randint(1000, 9000) for _ in COUNTRIES]
    armed = ["State forces", "State forces"] + ARMED_TYPES

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    batch = []
    rand = rng.random
    for _ in range(rows):
        ci = pick(rng, country_pool)
        country, _, _, prefix = COUNTRIES[ci][:4]
        counters[ci] += rng.randint(1, 3)
        event_id = f"{prefix}{counters[ci]}"
        pool = actors[country]
        event_type = pick(rng, event_pool)
        sub_event = pick(rng, sub_pools[event_type])

        # actors, by the kind of event
        if event_type == "Protests":
            inter1 = "Protesters"
            inter2 = "State forces" if sub_event != "Peaceful protest" else ""
        elif event_type == "Riots":
            inter1 = "Rioters"
            inter2 = rng.choice(["", "Rioters", "Civilians", "State forces"])
        elif event_type == "Violence against civilians":
            inter1 = rng.choice(armed + ["Rioters"])
            inter2 = "Civilians"
        elif event_type == "Battles":
            inter1 = rng.choice(armed)
            inter2 = rng.choice(armed)
        elif event_type == "Explosions/Remote violence":
            inter1 = rng.choice(armed)
            inter2 = rng.choice(["", "Civilians", "State forces"] + ARMED_TYPES)
        else:
            inter1 = rng.choice(armed)
            inter2 = rng.choice(["", ""] + armed)
        inter1 = inter1 if inter1 in pool else "Political militia"
        actor1 = pick(rng, pool[inter1])
        actor2 = ""
        if inter2:
            inter2 = inter2 if inter2 in pool else "Political militia"
            actor2 = pick(rng, pool[inter2])
            if actor2 == actor1 and inter2 not in ("Rioters", "Protesters", "Civilians"):
                actor2 = pool[inter2][0][0] if pool[inter2][0][0] != actor1 else ""
            if not actor2:
                inter2 = ""
        assoc1 = assoc2 = ""
        if rand() < 0.18:
            kinds = ["Protesters", "Civilians"] if inter1 in ("Protesters", "Rioters") else armed[1:]
            names = dict.fromkeys(pick(rng, pool[rng.choice(kinds)]) for _ in range(rng.choice((1, 1, 2, 3))))
            assoc1 = "; ".join(n for n in names if n not in (actor1, actor2))
        if actor2 and rand() < 0.12:
            names = dict.fromkeys(pick(rng, pool[rng.choice(["State forces", "Civilians", "Political militia"])]) for _ in range(rng.choice((1, 1, 2))))
            assoc2 = "; ".join(n for n in names if n not in (actor1, actor2) and n not in assoc1.split("; "))
        interaction = f"{inter1}-{inter2}" if inter2 else f"{inter1} only"
        civilian = "Civilian targeting" if inter2 == "Civilians" else ""

        place = pick(rng, places[ci])
        day = rng.randrange(len(days))
        date = day_text[day]
        stamp = day_epoch[day] + rng.randint(2, 60) * 86400 + rng.randrange(86400)

        if event_type in ("Protests", "Strategic developments") or rand() < 0.45:
            fatalities = 0
        else:
            fatalities = min(int(rng.paretovariate(1.2)) - 1 + (rand() < 0.3), 650)
        source = rng.choice(SOURCES) if rand() < 0.8 else "; ".join(rng.sample(SOURCES, 2))
        note = f"On {date}, {actor1} {rng.choice(VERBS[event_type])} {actor2 or 'unknown targets'} in {place[6]} ({place[4]}, {place[3]})."
        if rand() < 0.15:
            note += f" {rng.choice(QUOTES).capitalize()}."
        note += f" {fatalities} fatalities reported." if fatalities else " No fatalities reported."
        tags = ""
        if event_type == "Protests":
            tags = rng.choice(["crowd size=no report", "crowd size=around 50", "crowd size=hundreds", ""])
        elif rand() < 0.05:
            tags = "local administrators"

        batch.append((event_id, date, date[:4], rng.choice((1, 1, 1, 1, 2, 3)), disorder_for(event_type, sub_event),
                      event_type, sub_event, actor1, assoc1, inter1, actor2, assoc2, inter2, interaction, civilian,
                      place[0], place[1], place[2], place[3], place[4], place[5], place[6], place[7], place[8],
                      rng.choice((1, 1, 1, 2, 2, 3)), source, rng.choice(SCALES), note, fatalities, tags, stamp))
        if len(batch) >= 10_000:
            writer.writerows(batch)
            batch.clear()
    writer.writerows(batch)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True, help="the CSV file to write ('-' for stdout)")
    args = parser.parse_args(argv)
    if str(args.output) == "-":
        generate(args.rows, args.seed, sys.stdout)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", newline="", encoding="utf-8") as out:
            generate(args.rows, args.seed, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
