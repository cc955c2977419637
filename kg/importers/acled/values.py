"""Terms and values of the ACLED importer: N-Triples terms written by pyoxigraph (escaped by the
RDF library), names as IRI segments, ACLED's date styles, and the problem a row can raise."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS, XSD

RDF_TYPE = f"<{RDF.type}>"
RDFS_LABEL = f"<{RDFS.label}>"
XSD_INTEGER = str(XSD.integer)
XSD_BOOLEAN = str(XSD.boolean)
XSD_DATE = str(XSD.date)
XSD_DATE_TIME = str(XSD.dateTime)
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})


class RowProblem(Exception):
    """What is wrong with a row: the column (None for the whole row), the message, what to do."""

    def __init__(self, column: str | None, message: str, hint: str | None = None):
        super().__init__(message)
        self.column, self.message, self.hint = column, message, hint


def literal(value: str) -> str:
    """A plain literal as pyoxigraph writes it. Most texts need no escaping: a printable text
    without a quote or backslash is written as it is (the same bytes; pyoxigraph escapes only
    those two and control characters), twice as fast as building the term."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return str(ox.Literal(value))


@lru_cache(maxsize=65536)
def typed(value: str, datatype: str) -> str:
    return str(ox.Literal(value, datatype=ox.NamedNode(datatype)))


def generated(lexical: str, datatype: str) -> str:
    """A typed literal whose lexical form the importer wrote itself from numbers (a dateTime, a
    WKT point: digits, signs, '.', ':', '-', 'T', 'Z', 'e', spaces and brackets), which needs no
    escaping; faster than typed for values that never repeat."""
    return f'"{lexical}"^^<{datatype}>'


def iri(value: str) -> str:
    return str(ox.NamedNode(value))


@lru_cache(maxsize=65536)
def slug(name: str) -> str:
    """A place or actor name as an IRI path segment: percent-encoded, case kept."""
    return quote(name.strip(), safe="")


def normalised(name: str) -> str:
    """For matching names: no case, no accents, no punctuation or spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def listed(words: list[str], conjunction: str = "and") -> str:
    """a; a and b; a, b and c (or another conjunction)."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


@lru_cache(maxsize=65536)
def parse_date(text: str) -> str:
    """ACLED dates -> ISO: 2021-07-05, 05 July 2021, 9-May-20, 31-12-19, 15/01/2016 (day first)."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text).isoformat()
        match = re.fullmatch(r"(\d{1,2})[- ]([A-Za-z]+)[- ](\d{2}|\d{4})", text)
        if match:
            day, month_name, year = match.groups()
            month = MONTHS.get(month_name.lower())
            if month is None:
                raise RowProblem(None, f"'{month_name}' in '{text}' is not a month name",
                                 "Write the month in English (July or Jul).")
            return dt.date(_full_year(year), month, int(day)).isoformat()
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{2})|(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if match:
            day_number, month_number, year_number = (part for part in match.groups() if part is not None)
            return dt.date(_full_year(year_number), int(month_number), int(day_number)).isoformat()
    except ValueError:
        raise RowProblem(None, f"'{text}' is not a real date", "Correct the day or the month.") from None
    raise RowProblem(
        None,
        f"'{text}' is not a date ACLED writes",
        "Write it as 2021-07-05, 05 July 2021, 5-Jul-21, 05-07-21 or 05/07/2021 (day first).",
    )


def _full_year(year: str) -> int:
    number = int(year)
    if len(year) == 4:
        return number
    return 1900 + number if number >= 90 else 2000 + number  # ACLED starts in 1997
