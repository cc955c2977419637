#!/usr/bin/env python3
"""Prepare a Morph-KGC run over one ACLED-layout CSV (run with the project's .venv python).

    .venv/bin/python bench/morph/prepare.py EVENTS.csv WORKDIR [--processes N]

writes into WORKDIR:
  lookups/*.csv      notation -> IRI tables for the RML joins, made from
                     ontology/acled-vocabulary.ttl (concepts) and ontology/acled.yaml (the actor
                     class of each actor type), the ISO numeric -> alpha-2 table (pycountry) and
                     the data set's IRI and label
  mapping.rml.ttl    bench/morph/acled.rml.ttl with the file paths and the data set IRI filled in
  morph.ini          the Morph-KGC configuration (N-Triples into WORKDIR/out/, one file per
                     mapping partition)
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from urllib.parse import quote

import pycountry
import yaml
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ONTOLOGY = ROOT / "ontology"
BASE = "https://w3id.org/border-kg/id/"  # the project's default base IRI (kg.project.DEFAULT_BASE_IRI)


def write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def prepare(events: Path, workdir: Path, processes: int | None = None) -> Path:
    events = events.resolve()
    workdir = workdir.resolve()
    lookups = workdir / "lookups"
    lookups.mkdir(parents=True, exist_ok=True)
    spec = yaml.safe_load((ONTOLOGY / "acled.yaml").read_text(encoding="utf-8"))
    prefixes = spec["prefixes"]

    def expand(curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return prefixes[prefix] + local

    vocabulary = Graph().parse(ONTOLOGY / "acled-vocabulary.ttl")
    schemes: dict[str, list[tuple[str, str, str]]] = {}
    for concept in vocabulary.subjects(RDF.type, SKOS.Concept):
        label = str(vocabulary.value(concept, RDFS.label) or "")
        for scheme in vocabulary.objects(concept, SKOS.inScheme):
            for notation in vocabulary.objects(concept, SKOS.notation):
                schemes.setdefault(str(scheme), []).append((str(notation), str(concept), label))
    acled = prefixes["acled"]
    for scheme, name in [("DisorderTypes", "disorder_types"), ("EventTypes", "event_types"), ("SubEventTypes", "sub_event_types")]:
        write_csv(lookups / f"{name}.csv", ["notation", "iri"], sorted((n, c) for n, c, _ in schemes[acled + scheme]))
    actors = spec["actors"]
    classes = {name: expand(kind["class"]) for name, kind in actors["kinds"].items()}
    default = expand(actors["default_class"])
    write_csv(lookups / "actor_types.csv", ["notation", "iri", "class"],
              sorted((n, c, classes.get(label, default)) for n, c, label in schemes[expand(actors["type_scheme"])]))
    write_csv(lookups / "countries.csv", ["numeric", "alpha2"], sorted((int(c.numeric), c.alpha_2) for c in pycountry.countries))
    name = events.stem
    dataset = BASE + spec["dataset"]["iri"].format(name=quote(name.strip(), safe=""))
    write_csv(lookups / "dataset.csv", ["iri", "label"], [(dataset, spec["dataset"]["label"].format(name=name))])

    mapping = (HERE / "acled.rml.ttl").read_text(encoding="utf-8")
    mapping = mapping.replace("__CSV__", str(events)).replace("__LOOKUPS__", str(lookups)).replace("__DATASET__", dataset)
    (workdir / "mapping.rml.ttl").write_text(mapping, encoding="utf-8")
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    config = [
        "[CONFIGURATION]",
        "output_format=N-TRIPLES",
        f"output_dir={out}",
        "output_file=knowledge-graph.nt",
        "logging_level=WARNING",
    ]
    if processes:
        config.append(f"number_of_processes={processes}")
    config += ["", "[ACLED]", f"mappings={workdir / 'mapping.rml.ttl'}", ""]
    ini = workdir / "morph.ini"
    ini.write_text("\n".join(config), encoding="utf-8")
    return ini


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--processes", type=int, help="Morph-KGC number_of_processes (default: its own, 2 x cores)")
    args = parser.parse_args()
    print(prepare(args.events, args.workdir, args.processes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
