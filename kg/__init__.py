"""border-kg: a knowledge-graph builder for conflict and cross-border displacement incidents."""

from kg.api import (
    BuildResult,
    GraphStats,
    build,
    build_graph,
    export,
    list_queries,
    publish,
    run_query,
    stats,
    validate_file,
)
from kg.errors import DataError, DataErrors, EndpointError, ToolError
from kg.remote import Endpoint
from kg.project import Project
from kg.results import ResultTable
from kg.shacl import ValidationReport, Violation

__all__ = [
    "BuildResult",
    "DataError",
    "DataErrors",
    "Endpoint",
    "EndpointError",
    "GraphStats",
    "Project",
    "ResultTable",
    "ToolError",
    "ValidationReport",
    "Violation",
    "build",
    "build_graph",
    "export",
    "list_queries",
    "publish",
    "run_query",
    "stats",
    "validate_file",
]

__version__ = "0.1.0"
