# Parts are marked both ways: a record may list its parts (parts:) or name its whole (part_of:).
PREFIX bk: <https://w3id.org/border-kg/def#>
INSERT { ?part bk:isPartOf ?whole } WHERE { ?whole bk:hasPart ?part } ;
INSERT { ?whole bk:hasPart ?part } WHERE { ?part bk:isPartOf ?whole }
