"""The library API: the pipeline records -> typed records -> RDF -> SHACL -> files / queries.
The `kg` command is a thin layer over these functions; a notebook can call them too:

    from kg import Project, build, run_query
    result = build(Project())
    table = run_query(Project(), "crossings_by_destination")
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph

import pyoxigraph as ox

from kg.query.engines import open_engine, query_store
from kg.errors import ToolError, require_built_graph
from kg.export import ExportOptions, export_format, load_context, serialize, write_atomic, write_split
from kg.progress import Progress
from kg.project import Project
from kg.query.queries import StoredQuery, stored_queries
from kg.query.run import DEFAULT_ENGINE, display_prefixes, run_query
from kg.stores.remote import (BuiltTriples, Endpoint, LoadPlan, LoadReport, StatementFiles, StatementSource,
                              graph_iri, load, plan_load)
from kg.stores.patch import PatchPlan, PatchReport, read_patch
from kg.stores.patch import apply_patch as patch_store
from kg.build.rdfmap import RecordIndex, records_to_graph
from kg.build.records import RecordSet, load_records
from kg.build.rules import apply_rules
from kg.validate.shacl import ValidationReport, validate
from kg.validate.fast import validate_store
from kg.importers import acled
from kg.importers.acled.living import Comparison, LivingImport, compare, import_living
from kg.importers.acled.manifest import statement_counts
from kg.stores.store import OxigraphStoreEngine, StoreReport, build_store, load_files, opened, rdf_files, rdf_format
from kg.terms import to_oxigraph_quad

# SHACL validation engines: "oxigraph" (the default) runs each constraint as one set-based SPARQL
# query over all focus nodes on pyoxigraph (kg.validate.fast); "pyshacl" is the reference, node by
# node. The tests check that both report the same violations, field by field.
VALIDATION_ENGINES = ("oxigraph", "pyshacl")
DEFAULT_VALIDATION_ENGINE = "oxigraph"


@dataclass(frozen=True)
class BuildWarning:
    """A likely mistake that does not stop the build: a row of a stored query with a
    '# warning:' template (duplicate_candidates, duplicate_places), in words, with the records
    it names."""

    query: str
    message: str


@dataclass(frozen=True)
class BuildResult:
    graph: Graph
    index: RecordIndex
    records: RecordSet
    report: ValidationReport
    written: tuple[Path, ...]  # empty when the graph did not conform (out/ is left as it was)
    warnings: tuple[BuildWarning, ...] = ()

    @property
    def conforms(self) -> bool:
        return self.report.conforms


@dataclass(frozen=True)
class GraphStats:
    triples: int
    classes: tuple[tuple[str, int], ...]  # (class IRI, number of instances), most first


def build_graph(project: Project) -> tuple[Graph, RecordIndex, RecordSet]:
    """Records -> RDF, without validation or output. Raises DataErrors for bad records."""
    records = load_records(project.data, project.mapping, project.vocabulary)
    graph, index = records_to_graph(records, project.mapping, project.base_iri, project.ontology)
    apply_rules(graph, project.rules_dir)
    return graph, index, records


def build(project: Project, *, write: bool = True, engine: str = DEFAULT_VALIDATION_ENGINE) -> BuildResult:
    """Build and validate (with the validation engine named, see VALIDATION_ENGINES). Writes
    out/kg.ttl and out/kg.records.json only if the graph conforms, atomically, so a failed build
    leaves the previous output intact."""
    check_validation_engine(engine)
    graph, index, records = build_graph(project)
    # One pyoxigraph copy of the graph serves the fast validator and the warning queries.
    store = oxigraph_copy(graph)
    report = validate_graph(graph, project, index, engine=engine, store=store)
    warnings = build_warnings(project, store, index)
    written: tuple[Path, ...] = ()
    if write and report.conforms:
        turtle = serialize(graph, "turtle", export_options(project))
        # Each file is replaced atomically; the index names the graph file it belongs to, so an
        # interruption between the two renames is detected rather than misleading.
        write_atomic(project.index_file, index.to_json(turtle).encode("utf-8"))
        write_atomic(project.graph_file, turtle)
        written = (project.graph_file, project.index_file)
    return BuildResult(graph, index, records, report, written, warnings)


def oxigraph_copy(graph: Graph) -> ox.Store:
    """The graph's triples in an in-memory pyoxigraph store (the default graph)."""
    store = ox.Store()
    store.bulk_extend(to_oxigraph_quad(triple) for triple in graph)
    return store


def build_warnings(project: Project, store: ox.Store, index: RecordIndex) -> tuple[BuildWarning, ...]:
    """Run the stored queries that carry a warning template on the built graph (in store). A
    node that came from a record is named as the record, with its file and line."""
    queries = [query for query in stored_queries(project.queries_dir).values() if query.warning]
    found = []
    for query in queries:
        assert query.warning is not None
        for row in query_store(store, query.text).as_dicts():
            values = {name: _named(index, value) for name, value in row.items()}
            found.append(BuildWarning(query.name, query.warning.format_map(values)))
    return tuple(found)


def _named(index: RecordIndex, value: str | None) -> str:
    record, location = index.locate(value) if value else (None, None)
    if record is None:
        return value or ""
    return f"{record} ({location})"


def check_validation_engine(engine: str) -> None:
    if engine not in VALIDATION_ENGINES:
        raise ToolError(f"unknown validation engine '{engine}'; choose {' or '.join(VALIDATION_ENGINES)}")


def validate_graph(
    graph: Graph,
    project: Project,
    index: RecordIndex | None = None,
    *,
    engine: str = DEFAULT_VALIDATION_ENGINE,
    store: ox.Store | None = None,
) -> ValidationReport:
    """SHACL-validate an in-memory graph that holds the ontology (as a build does) against the
    project's shapes; terms are shown with the graph's prefixes. The fast engine uses store, a
    pyoxigraph copy of the graph, when the caller already has one."""
    check_validation_engine(engine)
    if engine == "pyshacl":
        return validate(graph, project.shapes, None, index)
    return validate_store(store or oxigraph_copy(graph), project.shapes, index, prefixes=graph)


def validate_file(
    project: Project,
    path: Path | None = None,
    *,
    engine: str = DEFAULT_VALIDATION_ENGINE,
    store_dir: Path | None = None,
) -> ValidationReport:
    """SHACL-validate the built graph (default), any RDF file, a folder of imported shards, or
    an on-disk store (always with the oxigraph engine). Violations in the built graph name the
    record file and line they came from. See VALIDATION_ENGINES."""
    check_validation_engine(engine)
    if store_dir is not None:
        if path is not None:
            raise ToolError("validate either a file or an on-disk store (--store-dir), not both")
        if engine != "oxigraph":
            raise ToolError(f"an on-disk store is validated with the oxigraph engine only, not {engine}")
        store = OxigraphStoreEngine(store_dir).store
        report = validate_store(store, project.shapes, prefixes=display_prefixes(project))
        named = sum(1 for _ in store.named_graphs())
        if named:
            # The shapes see the default graph only: say so rather than let "conforms" cover them.
            note = (f"the store also holds {named} named graph{'s' if named != 1 else ''} (N-Quads shards, "
                    "for example), which were not validated: import with --format ntriples to validate them.")
            report = dataclasses.replace(report, note=note)
        return report
    if path is None:
        target = require_built_graph(project.graph_file)
    elif not path.exists():
        raise ToolError(f"there is no file {path}; check the path")
    else:
        target = path
    files = rdf_files([target])
    built = target.resolve() == project.graph_file.resolve()
    index = RecordIndex.load(project.index_file) if built else RecordIndex()
    if engine == "oxigraph":
        store = ox.Store()
        # Quads (N-Quads, TriG shards) are validated as one graph: named graphs say who told a
        # fact, and the shapes apply to every fact whoever told it.
        load_files(store, files, merge_graphs=True)
        store.bulk_extend(to_oxigraph_quad(triple) for triple in project.ontology)
        report = validate_store(store, project.shapes, index, prefixes=display_prefixes(project))
    else:
        graph = Graph()
        for file in files:
            with opened(file) as handle:
                try:
                    if rdf_format(file).supports_datasets:
                        dataset = Dataset().parse(data=handle.read(), format=rdf_format(file).media_type)
                        for s, p, o, _ in dataset.quads():
                            graph.add((s, p, o))
                    else:
                        graph.parse(data=handle.read(), format=rdf_format(file).file_extension)
                except Exception as exc:  # rdflib raises parser-specific exceptions
                    raise ToolError(f"cannot parse {file}: {exc}") from exc
        report = validate(graph, project.shapes, project.ontology, index)
    if built and index.origins and not index.describes(target.read_bytes()):
        note = f"{target.name} has changed since it was built: record locations are those of the last build."
        report = dataclasses.replace(report, note=note)
    return report


def import_acled(
    project: Project,
    csv_file: Path,
    target: Path,
    *,
    format_name: str = "ntriples",
    skip_bad_rows: bool = False,
    lines_per_shard: int = acled.DEFAULT_SHARD_LINES,
    compress: bool = True,
    cube: bool = True,
    progress: Progress | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    previous: Path | None = None,
    deleted: Path | None = None,
) -> LivingImport:
    """Import an ACLED export into shards in the folder target (kg import acled), its places
    linked to the places of the curated graph (built from the records, not validated), with the
    import's manifest; compared with the previous import (the folder previous, or target when
    it holds one), also the change as an RDF Patch and in words (deleted: ACLED's list of
    deleted events); with workers > 1, or the address of a Dask scheduler, mapped in parts on a
    Dask cluster."""
    curated, _, _ = build_graph(project)
    return import_living(project, csv_file, target, curated, previous=previous, deleted=deleted, format_name=format_name,
                         skip_bad_rows=skip_bad_rows, lines_per_shard=lines_per_shard, compress=compress, cube=cube,
                         progress=progress, workers=workers, scheduler=scheduler)


def diff(project: Project, old: Path, new: Path, patch: Path | None = None) -> Comparison:
    """The change from old to new (two imports of a data set, two builds, or two RDF files or
    shard folders) in words (kg diff) and, with patch, as an RDF Patch file."""
    return compare(project, old, new, patch)


def apply_patch(
    project: Project, endpoint: Endpoint, patch_file: Path, *, graph: str | None = None, dry_run: bool = False, force: bool = False
) -> PatchPlan | PatchReport:
    """Apply an RDF Patch to a store (kg load --patch): statements without a graph go into graph
    (default: the project's graph). With dry_run, only say what would be sent."""
    target = graph or project.default_graph
    graph_iri(target)  # a ToolError for an invalid IRI
    plan = PatchPlan(read_patch(patch_file), endpoint, target)
    if dry_run:
        return plan
    return patch_store(plan, force=force)


def list_queries(project: Project) -> list[StoredQuery]:
    return list(stored_queries(project.queries_dir).values())


def make_store(project: Project, folder: Path, inputs: list[Path], progress: Progress | None = None) -> StoreReport:
    """An on-disk store holding the built graph and the given imported shards or RDF files."""
    return build_store(folder, [require_built_graph(project.graph_file), *inputs], progress)


def built_triples(project: Project) -> list[ox.Triple]:
    """The triples of the built graph, in file order, read with pyoxigraph's fast parser."""
    graph_file = require_built_graph(project.graph_file)
    return [quad.triple for quad in ox.parse(path=str(graph_file), format=ox.RdfFormat.TURTLE)]


def publish(
    project: Project,
    endpoint: Endpoint,
    *,
    graph: str | None = None,
    protocol: str | None = None,
    batch_size: int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    inputs: Sequence[Path] = (),
    in_place: bool = False,
) -> LoadPlan | LoadReport:
    """Load the built graph, or the statements of the inputs (shard folders of kg import, or
    N-Triples/Turtle files, read a chunk at a time), into a named graph of a triple store
    (replacing it), and check that the store then holds exactly them. With dry_run, only say
    what would be sent."""
    source: StatementSource
    if inputs:
        if graph is None:
            raise ToolError(f"kg load PATH... replaces the graph that --graph names: give it (the default graph "
                            f"<{project.default_graph}> holds the curated build)")
        source = StatementFiles.read(inputs, statement_counts)  # the import manifests' counts
    else:
        source = BuiltTriples(built_triples(project))
    plan = plan_load(endpoint, graph or project.default_graph, source, protocol, batch_size, in_place)
    if dry_run:
        return plan
    return load(plan, source, progress)


def export_options(project: Project) -> ExportOptions:
    return ExportOptions(
        reference_graph=project.base_iri + "graph/reference",
        jsonld_context=load_context(project.ontology_dir / "context.jsonld"),
        ontology_subjects=frozenset(project.ontology.subjects()),
    )


def export(project: Project, format_name: str, output: Path | None = None) -> bytes:
    """The built graph in another format; written atomically to output when given."""
    export_format(format_name)
    graph = Graph(bind_namespaces="none")
    graph.parse(require_built_graph(project.graph_file), format="turtle")
    data = serialize(graph, format_name, export_options(project))
    if output is not None:
        write_atomic(output, data)
    return data


def export_split(project: Project, format_name: str, folder: Path, lines_per_file: int) -> list[Path]:
    """The built graph as numbered gzip N-Triples or N-Quads files, for bulk loaders."""
    return write_split(export(project, format_name), format_name, folder, lines_per_file)


def stats(project: Project, *, engine: str = DEFAULT_ENGINE) -> GraphStats:
    store = open_engine(engine, project.graph_file)
    triples = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    classes = store.query(
        "SELECT ?class (COUNT(DISTINCT ?node) AS ?n) WHERE { ?node a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class"
    )
    return GraphStats(int(str(triples)), tuple((str(row[0]), int(str(row[1]))) for row in classes.rows))
