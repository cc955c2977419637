# Every node gets the superclasses of its classes, so that queries by bk:Movement, sem:Event,
# geo:Feature or prov:Entity find it without a reasoner.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?node a ?wider }
WHERE {
  ?node a ?class .
  ?class rdfs:subClassOf+ ?wider .
  FILTER (isIRI(?wider))
}
