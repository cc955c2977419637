"""Querying: queries (the stored SPARQL queries under queries/), results (result tables and
their CSV form), engines (the same query on Oxigraph or rdflib)."""
