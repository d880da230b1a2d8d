"""Recognise a council however a file names it: Breckland DC, Breckland District, 33UB, E07000143.

Real files disagree: the Place Survey says ``Breckland DC`` and ``Kings Lynn and West Norfolk DC``,
IMD 2010 says ``Breckland District`` with the pre-2009 code ``33UB``, ONS says ``Breckland``
with ``E07000143``. Every spelling resolves to one :class:`Area` from the manifest.
"""

from __future__ import annotations

import re

from scs_refresh.evidence.manifest import Area

#: trailing words that say what kind of council it is, not which place
_SUFFIXES = {"dc", "cc", "ua", "md", "lb", "bc", "district", "council", "county", "borough"}


def name_key(name: object) -> str:
    """``"King's Lynn & West Norfolk DC"`` -> ``"kings lynn and west norfolk"``."""
    text = str(name).lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


class Gazetteer:
    """Look up an area by any code (current or old) or any spelling of its name."""

    def __init__(self, areas: tuple[Area, ...]):
        self.areas = areas
        self._by_code: dict[str, Area] = {}
        self._by_name: dict[str, Area] = {}
        for a in areas:
            for code in (a.code, *a.old_codes):
                self._by_code[code.upper()] = a
            for name in (a.name, *a.aliases):
                self._by_name[name_key(name)] = a

    def __getitem__(self, code: str) -> Area:
        return self._by_code[code.upper()]

    def resolve(self, code: object = None, name: object = None) -> Area | None:
        """The area a row refers to: by code first (codes are unambiguous), then by name."""
        if code is not None and str(code).strip():
            found = self._by_code.get(str(code).strip().upper())
            if found is not None:
                return found
        if name is not None and str(name).strip():
            return self._by_name.get(name_key(name))
        return None
