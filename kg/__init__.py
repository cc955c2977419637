"""border-kg: a knowledge-graph builder for conflict and cross-border displacement incidents.

The public names below are imported on first use, so that `import kg.cli` (and `kg --help`)
does not load rdflib, pySHACL and the other heavy libraries; `from kg import build` works as
before."""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.api import BuildResult, GraphStats, build, build_graph, export, list_queries, publish, run_query, stats, validate_file
    from kg.errors import DataError, DataErrors, EndpointError, ToolError
    from kg.project import Project
    from kg.stores.remote import Endpoint
    from kg.query.results import ResultTable
    from kg.validate.shacl import ValidationReport, Violation

_HOME = {
    "kg.api": ("BuildResult", "GraphStats", "build", "build_graph", "export", "list_queries", "publish", "run_query", "stats",
               "validate_file"),
    "kg.errors": ("DataError", "DataErrors", "EndpointError", "ToolError"),
    "kg.project": ("Project",),
    "kg.stores.remote": ("Endpoint",),
    "kg.query.results": ("ResultTable",),
    "kg.validate.shacl": ("ValidationReport", "Violation"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = sorted(_MODULE_OF)

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


class _Package(types.ModuleType):
    """The package module. The function kg.export (from kg.api) shares its name with the module
    kg.export; when the import system first loads that module it sets it as an attribute of the
    package, which would hide the function. A public name is never replaced by a module."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _MODULE_OF and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
