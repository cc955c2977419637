# A movement takes the direction of its kind (or of the kind's broader kind).
PREFIX bk:   <https://w3id.org/border-kg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
INSERT { ?movement bk:direction ?direction }
WHERE {
  ?movement a bk:Movement ; bk:kind ?kind .
  ?kind skos:broader* ?wider .
  ?wider bk:direction ?direction .
}
