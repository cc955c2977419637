"""Importers of external event tables into the ontology, one package per source."""
