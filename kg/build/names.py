"""Loose matching of place names across spellings and transliterations.

Reports spell the same place many ways: Khwahan, Khahan and Hohon; Shortepa, Shor Tepa and
Shurtepa; Shahritus and Shahrituz. ``name_key`` folds a name to a key they share: no case, no
accents or punctuation, the common transliteration pairs made one (kh/h, gh/g, sh/s, q/k, z/s,
w dropped) and no vowels. Different places can share a key (Shighnan and Shugnan, facing each
other across the Panj), so a key is a reason to look, never a reason to merge.
"""

from __future__ import annotations

import re
import unicodedata

_FOLDS = (("kh", "h"), ("gh", "g"), ("sh", "s"), ("zh", "z"), ("ch", "c"), ("q", "k"), ("z", "s"), ("w", ""))
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")


def name_key(name: str) -> str:
    """The loose key of a name; "" for a name with no consonant letters."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c))
    for spelling, folded in _FOLDS:
        letters = letters.replace(spelling, folded)
    return _REPEATS.sub(r"\1", _VOWELS.sub("", letters))
