"""Names of the allocation model's variables and constraints, by site, segment, period and link.

A name is a family and its index labels, ``x(EX_avantis_05,production_XXL,2030)``, so an LP or
MPS file written from the model (``lp.writeLP``, ``lp.writeMPS``) and the binding-constraint
report read by name. Labels keep to letters, digits, ``_`` and ``.``: PuLP replaces
``-+[] ->/`` in names by ``_``, LP and MPS files allow no spaces, and the comma separates labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_.]")


def labels(values: Iterable[object]) -> list[str]:
    """One label per value, made of letters, digits, ``_`` and ``.``, distinct for distinct values.

    ``EX-avantis-05`` becomes ``EX_avantis_05``; a value whose label is already taken by an
    earlier one (``a_1`` after ``a-1``) gets a suffix ``_2``, ``_3``, … so names stay unique.
    """
    texts = [str(value) for value in values]
    if not _NOT_ALLOWED.search("_".join(texts)) and len(set(texts)) == len(texts):
        return texts  # the usual case, checked at once
    out: list[str] = []
    taken: set[str] = set()
    for value in texts:
        base = _NOT_ALLOWED.sub("_", value)
        label, count = base, 1
        while label in taken:
            count += 1
            label = f"{base}_{count}"
        taken.add(label)
        out.append(label)
    return out


def name(family: str, *index: str) -> str:
    """The name of one variable or constraint of ``family`` at ``index``: ``family(a,b,c)``."""
    return f"{family}({','.join(index)})"
