# Every statement is also made with the super-properties of its property: bk:location for every
# place of an incident (so "everything in Badakhshan" is one path), sem:hasPlace, sem:hasActor,
# geo:sfWithin, dcterms:source, schema:startDate, so that the aligned vocabularies answer too.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?s ?wider ?o }
WHERE {
  ?property rdfs:subPropertyOf+ ?wider .
  ?s ?property ?o .
  FILTER (?wider != ?property)
}
