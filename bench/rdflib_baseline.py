#!/usr/bin/env python3
"""The naive baseline: csv.DictReader + rdflib Graph.add for each triple, then N-Triples.

    .venv/bin/python bench/rdflib_baseline.py EVENTS.csv OUT.nt

Makes, for each row, roughly the triples `kg import acled` makes (the event with its own point,
its actors, its place hierarchy and the location's point; concepts looked up by skos:notation in the vocabulary), with no
gazetteer linking and no row checks. The Graph deduplicates actors and places. Everything is held
in memory and serialized at the end, as a first script would.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from urllib.parse import quote

import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parent.parent
BK = Namespace("https://w3id.org/border-kg/def#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
ID = "https://w3id.org/border-kg/id/"
ACLED = "https://w3id.org/border-kg/acled#"


def main(source: Path, target: Path) -> int:
    spec = yaml.safe_load((ROOT / "ontology" / "acled.yaml").read_text(encoding="utf-8"))
    vocabulary = Graph().parse(ROOT / "ontology" / "acled-vocabulary.ttl")
    schemes: dict[str, dict[str, URIRef]] = {}
    labels: dict[URIRef, str] = {}
    for concept in vocabulary.subjects(RDF.type, SKOS.Concept):
        labels[concept] = str(vocabulary.value(concept, RDFS.label))
        for scheme in vocabulary.objects(concept, SKOS.inScheme):
            for notation in vocabulary.objects(concept, SKOS.notation):
                schemes.setdefault(str(scheme)[len(ACLED):], {})[str(notation)] = concept
    kinds = spec["actors"]["kinds"]
    classes = {name: URIRef(BK + kind["class"].split(":")[1]) for name, kind in kinds.items()}
    with_country = {name for name, kind in kinds.items() if "country" in kind}

    g = Graph()
    dataset = URIRef(ID + "source/acled-" + quote(source.stem, safe=""))
    g.add((dataset, RDF.type, BK.Dataset))
    g.add((dataset, RDFS.label, Literal(f"ACLED export {source.stem}")))
    with source.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            event = URIRef(ID + "incident/acled-" + quote(row["event_id_cnty"], safe=""))
            g.add((event, RDF.type, BK.ConflictEvent))
            g.add((event, BK.source, dataset))
            g.add((event, DCTERMS.identifier, Literal(row["event_id_cnty"])))
            g.add((event, BK.date, Literal(row["event_date"], datatype=XSD.date)))
            g.add((event, BK.disorderType, schemes["DisorderTypes"][row["disorder_type"]]))
            g.add((event, BK.eventType, schemes["EventTypes"][row["event_type"]]))
            g.add((event, BK.subEventType, schemes["SubEventTypes"][row["sub_event_type"]]))
            g.add((event, BK.fatalities, Literal(int(row["fatalities"]))))
            for column, predicate in [("notes", DCTERMS.description), ("source", BK.sourceNote),
                                      ("source_scale", BK.sourceScale), ("tags", BK.tags)]:
                if row[column]:
                    g.add((event, predicate, Literal(row[column])))
            g.add((event, BK.timePrecision, Literal(int(row["time_precision"]))))
            g.add((event, BK.geoPrecision, Literal(int(row["geo_precision"]))))
            if row["civilian_targeting"]:
                g.add((event, BK.civilianTargeting, Literal(True)))
            stamp = dt.datetime.fromtimestamp(int(row["timestamp"]), tz=dt.timezone.utc)
            g.add((event, DCTERMS.modified, Literal(stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime, normalize=False)))
            g.add((event, RDFS.label, Literal(f"{row['sub_event_type']}, {row['location']}, {row['event_date']}")))

            parent = country = None
            path = []
            for column, cls in [("country", BK.Country), ("admin1", BK.Region), ("admin2", BK.District),
                                ("admin3", BK.Subdistrict), ("location", BK.Locality)]:
                name = row[column].strip()
                if not name:
                    continue
                path.append(quote(name, safe=""))
                place = URIRef(ID + "place/acled-" + "/".join(path))
                g.add((place, RDF.type, cls))
                g.add((place, RDFS.label, Literal(name)))
                if parent is not None:
                    g.add((place, BK.locatedIn, parent))
                country = country or place
                parent = place
            geometry = URIRef(parent + "/geometry")
            g.add((parent, GEO.hasGeometry, geometry))
            g.add((geometry, RDF.type, GEO.Geometry))
            g.add((geometry, GEO.asWKT, Literal(f"POINT({float(row['longitude'])} {float(row['latitude'])})", datatype=GEO.wktLiteral)))
            g.add((event, BK.place, parent))
            point = URIRef(event + "/geometry")
            g.add((event, GEO.hasGeometry, point))
            g.add((point, RDF.type, GEO.Geometry))
            g.add((point, GEO.asWKT, Literal(f"POINT({float(row['longitude'])} {float(row['latitude'])})", datatype=GEO.wktLiteral)))

            for column, type_column, predicate in [("actor1", "inter1", BK.actor), ("assoc_actor_1", None, BK.actor),
                                                   ("actor2", "inter2", BK.counterpart), ("assoc_actor_2", None, BK.counterpart)]:
                kind = row[type_column] if type_column else ""
                for name in (part.strip() for part in row[column].split(";")):
                    if not name:
                        continue
                    actor = URIRef(ID + "actor/acled-" + quote(name, safe=""))
                    concept = schemes["ActorTypes"].get(kind)
                    g.add((actor, RDF.type, classes.get(labels.get(concept, ""), BK.Actor)))
                    g.add((actor, RDFS.label, Literal(name)))
                    if concept is not None:
                        g.add((actor, BK.actorType, concept))
                        if kind in with_country:
                            g.add((actor, BK.country, country))
                    g.add((event, predicate, actor))
    g.serialize(destination=str(target), format="nt", encoding="utf-8")
    print(f"{len(g)} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
