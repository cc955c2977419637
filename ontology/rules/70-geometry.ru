# A GeoSPARQL point geometry for every place with coordinates.
PREFIX bk:   <https://w3id.org/border-kg/def#>
PREFIX geo:  <http://www.opengis.net/ont/geosparql#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT {
  ?place geo:hasGeometry ?geometry ; geo:hasDefaultGeometry ?geometry .
  ?geometry a geo:Geometry ; rdfs:label ?label ; geo:asWKT ?wkt .
}
WHERE {
  ?place bk:latitude ?latitude ; bk:longitude ?longitude ; rdfs:label ?name .
  BIND (IRI(CONCAT(STR(?place), "/point")) AS ?geometry)
  BIND (CONCAT("point of ", STR(?name)) AS ?label)
  BIND (STRDT(CONCAT("POINT(", STR(?longitude), " ", STR(?latitude), ")"), geo:wktLiteral) AS ?wkt)
}
