"""The build: curated YAML -> checked records -> RDF -> derived facts.

yamlfile (YAML with the position of every value), vocabulary (the ontology's SKOS lists),
mapping (ontology/mapping.yaml), records (the checked records), rdfmap (records -> RDF),
rules (ontology/rules/*.ru, the derived facts), names (loose keys of place names)."""
