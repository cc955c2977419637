"""How a long command says how far it has got: the library hands a Step to a Progress callback
after each unit of work (a batch of triples sent, a file loaded, a stretch of rows imported);
the kg command shows it on one line of standard error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Step:
    """`done` of `total` units (`total` None when not known in advance), e.g. 'sent 500/1,245
    triples (40%)' or 'imported 20,000 rows, 311,204 statements, 41,630 rows/s'."""

    action: str  # what is being done, as a past participle: "sent", "loaded", "imported"
    done: int
    total: int | None
    unit: str  # what is counted, plural: "triples", "files", "rows"
    detail: str = ""  # anything else worth showing: the current file, the rate

    def __str__(self) -> str:
        count = f"{self.done:,} {self.unit}" if self.total is None else f"{self.done:,}/{self.total:,} {self.unit}"
        share = f" ({100 * self.done // max(self.total, 1)}%)" if self.total is not None else ""
        detail = f", {self.detail}" if self.detail else ""
        return f"{self.action} {count}{share}{detail}"


class Progress(Protocol):
    """Called with each Step of a long command; must return quickly."""

    def __call__(self, step: Step, /) -> None: ...
