"""Output language: every label of the report, maps, fact sheets and workbook, and number formats.

`Language(code)` looks labels up in the one message catalogue (`mca.app.i18n.catalogue`) and
formats numbers for the language with Babel (``nl``: ``1.234,5``; ``en``: ``1,234.5``). The
scenario chooses the language with ``outputs.language``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from babel import Locale
from babel.numbers import format_decimal, format_percent

from mca.app.i18n.catalogue import LANGUAGES, MESSAGES, NAMED

__all__ = ["LANGUAGES", "Language", "language_of"]

_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
MISSING = "–"


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA (a scalar; containers are never missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


class Language:
    """Labels and number formats of one output language (``nl`` or ``en``)."""

    def __init__(self, code: str) -> None:
        if code not in LANGUAGES:
            raise ValueError(f"unknown output language {code!r}; choose one of {', '.join(LANGUAGES)}")
        self.code = code
        self.index = LANGUAGES.index(code)
        self.locale = Locale.parse(_LOCALES[code])  # parsed once: Babel parses a locale name at every number

    def __call__(self, key: str, **values: Any) -> str:
        """The message ``key`` in this language, with ``{name}`` fields filled from ``values``."""
        text = MESSAGES[key][self.index]
        return text.format(**values) if values else text

    def name(self, group: str, key: Any) -> str:
        """A named thing (sector, site kind, criterion, size class): its label, else the key made readable."""
        labels = NAMED.get(group, {}).get(str(key))
        return labels[self.index] if labels else str(key).replace("_", " ")

    def number(self, value: Any, decimals: int = 1) -> str:
        """``value`` with ``decimals`` decimals and the language's separators; ``–`` when missing."""
        if is_missing(value):
            return MISSING
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(float(value), format=pattern, locale=self.locale)

    def ha(self, value: Any, decimals: int = 1) -> str:
        """Hectares: ``12,3 ha``."""
        return MISSING if is_missing(value) else f"{self.number(value, decimals)} ha"

    def percent(self, value: Any, decimals: int = 0) -> str:
        """A share as a percentage: ``55%``."""
        if is_missing(value):
            return MISSING
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
        return format_percent(float(value), format=pattern, locale=self.locale)

    def integer(self, value: Any) -> str:
        """A whole number (ranks, counts)."""
        return MISSING if is_missing(value) else self.number(round(float(value)), 0)

    def yes_no(self, value: Any) -> str:
        """``ja``/``nee`` or ``yes``/``no``."""
        return self("yes") if bool(value) else self("no")

    def periods(self, periods: Sequence[str]) -> list[str]:
        """``tot en met 2030``, ``2031–2040``: each period runs from the year after the previous one."""
        labels = []
        for i, period in enumerate(periods):
            previous = periods[i - 1] if i else None
            if previous is not None and previous.isdigit() and period.isdigit():
                labels.append(f"{int(previous) + 1}–{period}")
            else:
                labels.append(self("period.up_to", year=period))
        return labels

    def ladder(self, phase: str) -> str:
        """A Ladder phase of the reason trail (``"1 existing stock …"``) in this language."""
        key = f"ladder.{phase[:1]}"
        return self(key) if key in MESSAGES else phase

    def count(self, n: int, singular: str, plural: str) -> str:
        """``1 locatie`` / ``3 locaties`` from two message keys holding ``{n}``."""
        return self(singular if n == 1 else plural, n=self.integer(n))


def language_of(scenario: dict[str, Any]) -> Language:
    """The output language a scenario asks for (``outputs.language``; Dutch when absent)."""
    outputs = scenario.get("outputs") or {}
    return Language(str(outputs.get("language") or "nl"))
