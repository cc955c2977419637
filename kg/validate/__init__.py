"""Validation with SHACL: shacl (the report, its Violations with record locations, and the
pySHACL adapter, the reference engine), fast (the default, set-based engine on Oxigraph)."""
