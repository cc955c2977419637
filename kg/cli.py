"""The `kg` command: a thin argparse layer over kg.api.

Exit codes: 0 success (the graph conforms), 1 invalid data (record errors or SHACL
violations), 2 usage or tool error, 3 endpoint error.

Starting fast matters (`kg --help` should answer at once), so this module imports only the
standard library and kg.errors at the top. Each command's options are added when that command
is used, and each command imports what it needs: rdflib, pySHACL, pyoxigraph, SPARQLWrapper,
PyYAML and pycountry are loaded only by the commands that use them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import (
    EXIT_ENDPOINT_ERROR,
    EXIT_INVALID_DATA,
    EXIT_OK,
    EXIT_TOOL_ERROR,
    DataErrors,
    EndpointError,
    ToolError,
    relative,
)

if TYPE_CHECKING:
    from kg.progress import Progress, Step
    from kg.project import Project
    from kg.stores.remote import Endpoint

Handler = Callable[["Project", argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from kg.project import Project

        project = Project.from_environment().with_options(args.data, args.out, args.base_iri)
        handler: Handler = args.handler
        return handler(project, args)
    except DataErrors as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_INVALID_DATA
    except ToolError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return EXIT_TOOL_ERROR
    except EndpointError as exc:
        print(f"kg: endpoint error: {exc}", file=sys.stderr)
        return EXIT_ENDPOINT_ERROR
    except KeyboardInterrupt:
        if args.command == "serve":
            return EXIT_OK
        print("kg: interrupted", file=sys.stderr)
        return EXIT_TOOL_ERROR
    except BrokenPipeError:  # the reader (head, less) stopped early: not an error
        sys.stderr.close()
        return EXIT_OK


class _CommandParser(argparse.ArgumentParser):
    """The parser of one command, whose options are added when the command is used (parsed, or
    its help shown): they take their choices and defaults from the modules that implement the
    command, and those modules import heavy libraries."""

    def __init__(self, *args: Any, options: Callable[[argparse.ArgumentParser], None] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._options = options

    def _add_options(self) -> None:
        if self._options is not None:
            options, self._options = self._options, None
            options(self)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._add_options()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._add_options()
        return super().format_help()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Build, validate, query and export the border-kg knowledge graph.",
        epilog="Exit codes: 0 success, 1 invalid data (record errors or SHACL violations), 2 usage or tool error, "
        "3 endpoint error. Endpoint credentials: KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD, or a netrc file.",
    )
    parser.add_argument("--data", type=Path, help="folder of record files (default: data/)")
    parser.add_argument("--out", type=Path, help="output folder (default: out/)")
    parser.add_argument("--base-iri", help="base IRI of minted node IRIs (default: https://w3id.org/border-kg/id/)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser)

    def command(name: str, help: str, handler: Handler, options: Callable[[argparse.ArgumentParser], None] | None = None) -> None:
        commands.add_parser(name, help=help, options=options).set_defaults(handler=handler)

    command("build", "read data/, build the graph, validate it, write out/kg.ttl", _build, _build_options)
    command("validate", "SHACL-validate the built graph or an RDF file", _validate, _validate_options)
    command("queries", "list the stored queries", _queries, _queries_options)
    command("query", "run a stored query (by name) or a .rq file on the built graph", _query, _query_options)
    command("load", "publish the built graph (or imported shards) into a named graph of a triple store", _load, _load_options)
    command("export", "write the built graph in another RDF format", _export, _export_options)
    command("diff", "compare two imports, builds or RDF files: the change in words, or as an RDF Patch", _diff, _diff_options)
    command("import", "import an event table (ACLED export) into the ontology", _import, _import_options)
    command("store", "bulk-load the build and imported shards into an on-disk store", _store, _store_options)
    command("serve", "serve the built graph as a read-only SPARQL endpoint", _serve, _serve_options)
    command("stats", "count triples and instances of each class", _stats)
    return parser


# -- options of each command --------------------------------------------------------------------


def _validation_engine_option(parser: argparse.ArgumentParser) -> None:
    from kg import api

    parser.add_argument("--engine", choices=api.VALIDATION_ENGINES, default=api.DEFAULT_VALIDATION_ENGINE,
                        help="oxigraph (default: each constraint as one SPARQL query over all nodes) or pyshacl "
                        "(the reference, node by node; same results, slower)")


def _build_options(parser: argparse.ArgumentParser) -> None:
    _validation_engine_option(parser)


def _validate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", type=Path,
                        help="an RDF file or a folder of imported shards (default: the built graph)")
    _validation_engine_option(parser)
    parser.add_argument("--store-dir", type=Path, metavar="DIR", help="validate an on-disk store made by 'kg store'")
    parser.add_argument("--profile", type=int, nargs="?", const=10, metavar="N",
                        help="then print the N slowest checks (default 10) to stderr, with their seconds (oxigraph engine)")


def _query_engine_option(parser: argparse.ArgumentParser) -> None:
    from kg.query.engines import ENGINES
    from kg.query.run import DEFAULT_ENGINE

    parser.add_argument("--engine", choices=sorted(ENGINES), default=DEFAULT_ENGINE)


def _queries_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", action="store_true", help="also run each query without parameters and print its table")
    _query_engine_option(parser)


def _query_options(parser: argparse.ArgumentParser) -> None:
    from kg.query.results import RESULT_FORMATS

    parser.add_argument("query", metavar="NAME|FILE.rq")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="bind a query parameter")
    parser.add_argument("--format", choices=sorted(RESULT_FORMATS), default="table")
    _query_engine_option(parser)
    _endpoint_options(parser, required=False)
    parser.add_argument("--graph", help="with --endpoint: the named graph to query as the default graph")
    parser.add_argument("--store-dir", type=Path, metavar="DIR",
                        help="query an on-disk store made by 'kg store' instead of the built graph")


def _load_options(parser: argparse.ArgumentParser) -> None:
    from kg.stores.remote import DEFAULT_BATCH_SIZE, DEFAULT_GSP_BATCH_SIZE

    parser.add_argument("inputs", type=Path, nargs="*", metavar="PATH",
                        help="shard folders (from kg import) or N-Triples/Turtle files to load instead of the built graph, "
                        "read a chunk at a time (needs --graph)")
    _endpoint_options(parser, required=True)
    parser.add_argument("--graph", help="the named graph to replace (default: BASE-IRI + graph/kg)")
    parser.add_argument("--protocol", choices=("gsp", "update"), help="Graph Store protocol (PUT of the build; POSTs of "
                        "files' chunks), or SPARQL Update batches (default: gsp where the store has it)")
    parser.add_argument("--gsp-endpoint", help="Graph Store endpoint URL, for a generic store")
    parser.add_argument("--batch-size", type=int, help=f"triples per request: per SPARQL Update request (default "
                        f"{DEFAULT_BATCH_SIZE}), or per Graph Store POST of files (default {DEFAULT_GSP_BATCH_SIZE})")
    parser.add_argument("--in-place", action="store_true",
                        help="with PATH: empty the graph and fill it in bounded requests, without a staging graph moved onto "
                        "it at the end (a MOVE of millions of statements is one slow transaction on Oxigraph); a load that "
                        "fails on the way leaves the graph holding part of it, and says so")
    parser.add_argument("--dry-run", action="store_true", help="say what would be sent, send nothing")
    parser.add_argument("--patch", type=Path, metavar="FILE",
                        help="apply this RDF Patch (from kg import --previous or kg diff) to the store, in one update request, "
                        "instead of loading the built graph; statements without a graph go into --graph")
    parser.add_argument("--force", action="store_true",
                        help="with --patch: apply it even if the store is not at the patch's starting state")


def _diff_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", type=Path, metavar="A", help="the older import folder, build output folder or RDF file")
    parser.add_argument("new", type=Path, metavar="B", help="the newer one")
    parser.add_argument("--format", choices=["summary", "patch"], default="summary",
                        help="the change in words (default), or as an RDF Patch")
    parser.add_argument("-o", "--output", type=Path, help="with --format patch: the patch file (default: standard output)")


def _export_options(parser: argparse.ArgumentParser) -> None:
    from kg.export import FORMATS

    parser.add_argument("--format", choices=sorted(FORMATS), default="turtle")
    parser.add_argument("-o", "--output", type=Path, help="output file, or folder with --split (default: standard output)")
    parser.add_argument("--split", type=int, metavar="N",
                        help="ntriples/nquads only: write numbered gzip files of N statements each into the -o folder")


def _import_options(parser: argparse.ArgumentParser) -> None:
    from kg.importers.acled import DEFAULT_SHARD_LINES

    parser.add_argument("source", choices=["acled"], help="the layout of the table")
    parser.add_argument("file", type=Path, metavar="FILE.csv")
    parser.add_argument("-o", "--output", type=Path, help="folder of gzip shards (default: out/acled-FILE/)")
    parser.add_argument("--format", choices=["ntriples", "nquads"], default="ntriples",
                        help="shards of N-Triples, or N-Quads in the data set's named graph")
    parser.add_argument("--skip-bad-rows", action="store_true", help="import the good rows and report the bad ones")
    parser.add_argument("--shard-lines", type=int, default=DEFAULT_SHARD_LINES, metavar="N", help="statements per shard (at most)")
    parser.add_argument("--no-compress", action="store_true", help="write plain .nt/.nq shards instead of gzip")
    parser.add_argument("--no-cube", action="store_true",
                        help="do not write the statistics cube (cube-NNNNN shards: events and fatalities per country, region, "
                        "event type and month)")
    parser.add_argument("--validate", action="store_true",
                        help="then SHACL-validate the shards with the set-based engine (as kg validate --engine oxigraph)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="map the rows in parts on a local Dask cluster of N worker processes (default: 1, in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="map the rows in parts on the existing Dask cluster whose scheduler is at ADDRESS (e.g. "
                        "tcp://10.0.0.5:8786); its workers must see FILE and the output folder at the same paths")
    parser.add_argument("--previous", type=Path, metavar="DIR",
                        help="the import of an older export of the same data set: also write the change from it as an RDF "
                        "Patch (change.rdfp) and say it in words (default: the output folder, when it holds an import)")
    parser.add_argument("--deleted", type=Path, metavar="DELETED.csv",
                        help="ACLED's list of deleted events (event_id_cnty, deleted_timestamp), with --previous")


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, metavar="DIR", help="the store folder (replaced when complete)")
    parser.add_argument("inputs", type=Path, nargs="*", metavar="PATH", help="shard folders (from kg import) or RDF files")


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7879, help="port (default: 7879)")


def _endpoint_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    from kg.stores.remote import DEFAULT_TIMEOUT, PRESETS, RetryPolicy

    parser.add_argument("--endpoint", required=required, metavar="URL",
                        help="the store's URL (see --store) or, for a generic store, its SPARQL query endpoint")
    parser.add_argument("--store", choices=sorted(PRESETS), default="generic",
                        help="preset with the store's endpoint paths and quirks (default: generic)")
    parser.add_argument("--update-endpoint", metavar="URL", help="SPARQL Update endpoint URL, for a generic store")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for each request")
    parser.add_argument("--no-verify-tls", action="store_true",
                        help="do not verify the endpoint's TLS certificate (only for a test store you trust)")
    parser.add_argument("--retries", type=int, default=RetryPolicy().attempts, metavar="N",
                        help="attempts per request before giving up on transient failures (default: 5)")


def _endpoint(args: argparse.Namespace) -> Endpoint | None:
    from kg.stores.remote import Endpoint, RetryPolicy

    if not args.endpoint:
        return None
    if args.no_verify_tls:
        print("kg: warning: TLS certificates are not verified (--no-verify-tls)", file=sys.stderr)
    return Endpoint.resolve(
        args.endpoint,
        args.store,
        update_url=args.update_endpoint,
        gsp_url=getattr(args, "gsp_endpoint", None),
        timeout=args.timeout,
        retry=RetryPolicy(attempts=max(1, args.retries)),
        on_retry=lambda message: print(f"kg: {message}", file=sys.stderr, flush=True),
        verify_tls=not args.no_verify_tls,
    )


@contextmanager
def _progress_line() -> Iterator[Progress]:
    """The progress of a long command on one line of standard error, rewritten at each step, on
    a terminal only (logs and pipes get the command's closing summary); ended when the command
    ends, however it ends."""
    width = 0

    def show(step: Step) -> None:
        nonlocal width
        if sys.stderr.isatty():
            text = f"  {step}"
            print(f"\r{text.ljust(width)}", end="", file=sys.stderr, flush=True)
            width = len(text)

    try:
        yield show
    finally:
        if width:
            print(file=sys.stderr, flush=True)


# -- the commands -------------------------------------------------------------------------------


def _build(project: Project, args: argparse.Namespace) -> int:
    from kg import api

    result = api.build(project, engine=args.engine)
    print(f"Read {len(result.records.records)} records from {len(result.records.files)} files; {len(result.graph)} triples.")
    print(result.report.render())
    for warning in result.warnings:
        print(f"Warning: {warning.message}")
    if not result.conforms:
        print(f"Nothing written: {relative(project.out)} keeps its previous contents.")
        return EXIT_INVALID_DATA
    for path in result.written:
        print(f"Wrote {relative(path)}")
    return EXIT_OK


def _validate(project: Project, args: argparse.Namespace) -> int:
    from kg import api

    if args.profile is not None and args.engine == "pyshacl":
        raise ToolError("--profile times the checks of the oxigraph engine; pySHACL does not time its own: drop --profile or --engine pyshacl")
    if args.profile is not None and args.profile < 1:
        raise ToolError(f"--profile takes the number of checks to show, 1 or more, not {args.profile}")
    report = api.validate_file(project, args.file, engine=args.engine, store_dir=args.store_dir)
    print(report.render())
    if args.profile is not None:
        print(report.profile(args.profile), file=sys.stderr)
    return EXIT_OK if report.conforms else EXIT_INVALID_DATA


def _queries(project: Project, args: argparse.Namespace) -> int:
    from kg import api
    from kg.query.results import format_results

    prefixes = api.display_prefixes(project)
    for query in api.list_queries(project):
        params = "".join(f" --param {p.name}=..." for p in query.parameters)
        print(f"{query.name}{params}\n    {query.title}")
        if args.run and not query.parameters:
            table = api.run_query(project, query.name, engine=args.engine)
            print("\n" + format_results(table, "table", prefixes))
    return EXIT_OK


def _query(project: Project, args: argparse.Namespace) -> int:
    # Not kg.api, which loads every part of the pipeline: a query needs only kg.query.
    from kg.query.results import format_results
    from kg.query.run import display_prefixes, run_query

    params = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ToolError(f"--param takes NAME=VALUE, not '{item}'")
        params[name] = value
    table = run_query(project, args.query, params, engine=args.engine, endpoint=_endpoint(args), graph=args.graph,
                      store_dir=args.store_dir)
    sys.stdout.write(format_results(table, args.format, display_prefixes(project)))
    return EXIT_OK


def _load(project: Project, args: argparse.Namespace) -> int:
    from kg import api
    from kg.stores.remote import LoadPlan

    endpoint = _endpoint(args)
    assert endpoint is not None  # --endpoint is required
    if args.patch is not None:
        if args.protocol or args.gsp_endpoint or args.batch_size is not None:
            raise ToolError("--patch sends the patch as one SPARQL Update request: --protocol, --gsp-endpoint and "
                            "--batch-size do not apply to it")
        if args.inputs or args.in_place:
            raise ToolError("--patch applies the patch to the graph as it is: PATH and --in-place (loading files) do not "
                            "go with it; load the files first, then apply the patch")
        return _load_patch(project, args, endpoint)
    if args.force:
        raise ToolError("--force goes with --patch")
    with _progress_line() as progress:
        outcome = api.publish(project, endpoint, graph=args.graph, protocol=args.protocol, batch_size=args.batch_size,
                              dry_run=args.dry_run, progress=progress, inputs=args.inputs, in_place=args.in_place)
    if isinstance(outcome, LoadPlan):
        print(outcome.describe())
        return EXIT_OK
    print(
        f"Loaded {outcome.triples_sent} triples into <{outcome.graph}> by {outcome.protocol} in "
        f"{outcome.seconds:.2f} s; the store holds {outcome.triples_in_store} triples in that graph."
    )
    return EXIT_OK


def _load_patch(project: Project, args: argparse.Namespace, endpoint: Endpoint) -> int:
    from kg import api
    from kg.stores.patch import PatchPlan

    outcome = api.apply_patch(project, endpoint, args.patch, graph=args.graph, dry_run=args.dry_run, force=args.force)
    if isinstance(outcome, PatchPlan):
        print(outcome.describe())
        return EXIT_OK
    if outcome.already:
        print(f"The store is at the end state of {outcome.patch.file} already (it was applied before): nothing was sent.")
        return EXIT_OK
    if outcome.forced:
        print(f"kg: warning: {outcome.forced} rows of {outcome.patch.file} did not fit the store's state and changed nothing "
              "(--force)", file=sys.stderr)
    for change in outcome.graphs:
        print(f"Patched <{change.graph}>: {change.before} triples, {change.deleted} deleted, {change.added} added: {change.after} "
              "triples, as the patch says.")
    print(f"Applied {outcome.patch.file} ({outcome.patch.id or 'no id'}) in one request in {outcome.seconds:.2f} s.")
    return EXIT_OK


def _diff(project: Project, args: argparse.Namespace) -> int:
    """Exit codes as diff(1): 0 no change, 1 a change, 2 trouble."""
    import tempfile

    from kg import api

    if args.output is not None and args.format != "patch":
        raise ToolError("-o writes the patch: give --format patch too")
    if args.format == "summary":
        comparison = api.diff(project, args.old, args.new)
        print(comparison.summary.render())
    elif args.output is not None:
        comparison = api.diff(project, args.old, args.new, args.output)
        print(f"Wrote {relative(args.output)} ({comparison.patch_id}): {comparison.summary.deletions} deletions, "
              f"{comparison.summary.additions} additions.", file=sys.stderr)
    else:
        with tempfile.TemporaryDirectory(prefix=".kg-diff-patch.") as folder:
            patch = Path(folder) / "change.rdfp"
            comparison = api.diff(project, args.old, args.new, patch)
            sys.stdout.flush()
            with patch.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    sys.stdout.buffer.write(chunk)
    return EXIT_OK if comparison.summary.empty else EXIT_INVALID_DATA


def _export(project: Project, args: argparse.Namespace) -> int:
    from kg import api

    if args.split is not None:
        if args.output is None:
            raise ToolError("--split needs -o FOLDER")
        files = api.export_split(project, args.format, args.output, args.split)
        print(f"Wrote {len(files)} files into {relative(args.output)}: {files[0].name} .. {files[-1].name}", file=sys.stderr)
        return EXIT_OK
    data = api.export(project, args.format, args.output)
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    else:
        print(f"Wrote {relative(args.output)} ({len(data)} bytes)", file=sys.stderr)
    return EXIT_OK


def _import(project: Project, args: argparse.Namespace) -> int:
    from kg import api

    if args.validate and args.format == "nquads":
        # The validators read the default graph; N-Quads shards put every statement in a named graph.
        raise ToolError("--validate checks N-Triples shards only; import without --format nquads to validate")
    target = args.output or project.out / f"acled-{args.file.stem}"
    with _progress_line() as progress:
        living = api.import_acled(project, args.file, target, format_name=args.format, skip_bad_rows=args.skip_bad_rows,
                                  lines_per_shard=args.shard_lines, compress=not args.no_compress, cube=not args.no_cube,
                                  progress=progress, workers=args.workers, scheduler=args.scheduler, previous=args.previous,
                                  deleted=args.deleted)
    result = living.result
    if result.errors:
        shown = len(result.errors)
        first = f"; the first {shown}" if result.rejected > shown else ""
        print(f"Skipped {result.rejected} bad row{'s' if result.rejected != 1 else ''} of {result.rows}{first}:")
        for error in result.errors:
            print(f"  {error}")
    print(f"Imported {result.imported} of {result.rows} rows from {result.file} (read as {result.layout}): {result.lines} "
          f"statements in {len(result.files)} file{'s' if len(result.files) != 1 else ''} in {relative(target)} "
          f"({result.seconds:.1f} s, {result.rows_per_second:,.0f} rows/s).")
    if result.parts > 1:
        print(f"The rows were mapped in {result.parts} parts; a place or actor that several parts met is written by each, "
              "so the shards repeat some statements (a store keeps each once).")
    if result.cube_files:
        print(f"The statistics cube: {result.observations} observations of events and fatalities per country, region, event "
              f"type and month in {', '.join(file.name for file in result.cube_files)}.")
    for warning in result.warnings:
        print(f"Warning: {warning}.")
    if living.renamed_from is not None:
        print(f"The data set keeps the name '{living.renamed_from}' of the previous import ({living.manifest.dataset_iri}).")
    change = living.manifest.change
    if living.change is not None and living.previous is not None and living.patch is not None and change is not None:
        print(f"Compared with the previous import (of {change.previous_source}) in {relative(living.previous)}:")
        print(living.change.render())
        print(f"Wrote the change as an RDF Patch: {relative(living.patch)} (apply it with kg load --patch).")
    if args.validate:
        report = api.validate_file(project, target, engine="oxigraph")
        print(report.render())
        return EXIT_OK if report.conforms else EXIT_INVALID_DATA
    return EXIT_OK


def _store(project: Project, args: argparse.Namespace) -> int:
    from kg import api

    with _progress_line() as progress:
        report = api.make_store(project, args.folder, args.inputs, progress)
    print(f"Stored {report.quads:,} statements from {report.files} files in {relative(report.folder)} ({report.seconds:.1f} s).")
    return EXIT_OK


def _serve(project: Project, args: argparse.Namespace) -> int:
    import signal

    from kg.errors import require_built_graph
    from kg.stores.serve import make_server

    server = make_server(require_built_graph(project.graph_file), args.host, args.port)
    url = f"http://{args.host}:{server.server_port}/sparql"
    print(f"Serving {relative(project.graph_file)} read-only at {url} (Ctrl-C stops)", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(EXIT_OK))
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return EXIT_OK


def _stats(project: Project, args: argparse.Namespace) -> int:
    from kg import api

    result = api.stats(project)
    prefixes = api.display_prefixes(project)
    print(f"{result.triples} triples")
    for iri, count in result.classes:
        shown = next((f"{p}:{iri[len(ns):]}" for p, ns in prefixes.items() if iri.startswith(ns)), iri)
        print(f"{count:6d}  {shown}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
