# The bounds a figure allows, from its qualifier's factors and offsets (ontology/vocabulary.ttl),
# rounded outwards and never below zero. No upper factor: no upper bound.
PREFIX bk:  <https://w3id.org/border-kg/def#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT { ?figure bk:minValue ?min }
WHERE {
  ?figure bk:value ?value ; bk:qualifier ?qualifier .
  ?qualifier bk:lowerFactor ?factor ; bk:lowerOffset ?offset .
  BIND (xsd:integer(FLOOR(?value * ?factor)) + ?offset AS ?raw)
  BIND (IF(?raw < 0, 0, ?raw) AS ?min)
} ;
INSERT { ?figure bk:maxValue ?max }
WHERE {
  ?figure bk:value ?value ; bk:qualifier ?qualifier .
  ?qualifier bk:upperFactor ?factor ; bk:upperOffset ?offset .
  OPTIONAL { ?qualifier bk:takesMaximum true . ?figure bk:maximum ?maximum }
  BIND (xsd:integer(CEIL(COALESCE(?maximum, ?value) * ?factor)) + ?offset AS ?raw)
  BIND (IF(?raw < 0, 0, ?raw) AS ?max)
}
