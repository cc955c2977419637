"""The constraint components the fast engine implements, one module per family as in pySHACL's
constraints/, and the table from SHACL parameter to component that the compiler follows."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import SH

from kg.validate.fast.checks import SH_class, SH_in, SH_or, Component
from kg.validate.fast.components.cardinality import max_count, min_count
from kg.validate.fast.components.logical import or_check
from kg.validate.fast.components.other import in_check
from kg.validate.fast.components.string_based import max_length_check, pattern_check
from kg.validate.fast.components.value_range import min_inclusive_check
from kg.validate.fast.components.value_type import class_check, datatype_check

# Of a property shape only: how many values its path has.
COUNT_COMPONENTS: dict[URIRef, Component] = {SH.minCount: min_count, SH.maxCount: max_count}

# Of node and property shapes alike: a test of each value node, compiled in this order.
VALUE_COMPONENTS: dict[URIRef, Component] = {
    SH_class: class_check,
    SH.datatype: datatype_check,
    SH_in: in_check,
    SH.pattern: pattern_check,
    SH.minInclusive: min_inclusive_check,
    SH.maxLength: max_length_check,
    SH_or: or_check,
}
