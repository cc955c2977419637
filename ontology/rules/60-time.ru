# One sortable day for every incident (its start, else its date, else its end; a month from its
# first day, a year from 1 January) and the precision of that date, from the date's form.
PREFIX bk:  <https://w3id.org/border-kg/def#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT { ?incident bk:sortDate ?day ; bk:datePrecision ?precision }
WHERE {
  ?incident a bk:Incident .
  OPTIONAL { ?incident bk:startDate ?start }
  OPTIONAL { ?incident bk:date ?date }
  OPTIONAL { ?incident bk:endDate ?end }
  BIND (COALESCE(?start, ?date, ?end) AS ?when)
  FILTER (BOUND(?when))
  BIND (DATATYPE(?when) AS ?type)
  BIND (STRDT(IF(?type = xsd:gYear, CONCAT(STR(?when), "-01-01"),
               IF(?type = xsd:gYearMonth, CONCAT(STR(?when), "-01"), SUBSTR(STR(?when), 1, 10))), xsd:date) AS ?day)
  BIND (IF(?type = xsd:gYear, bk:yearPrecision,
        IF(?type = xsd:gYearMonth, bk:monthPrecision,
        IF(?type = xsd:dateTime, bk:minutePrecision, bk:dayPrecision))) AS ?precision)
}
