"""Keeping the result: the room's weights as a new scenario file, and the session record.

The only files the workbench writes are new scenario files in the served scenario's folder,
created exclusively (an existing file is never replaced) and checked by loading them back; the
session record goes to the browser as a download (JSON, or a short HTML page for the minutes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape

from mca.app.scenario import load_scenario
from mca.app.serve.workbench import workshop_set_name
from mca.core.errors import UserError
from mca.core.vocabulary import ALL_SECTORS
from mca.scoring.settings import ScoringSettings
from mca.scoring.weights import WeightSet

HEADER = (
    "# Saved by the workshop workbench (mca serve): the room's weights on top of {base}.\n"
    "# An illustration of one workshop's views, not policy.\n"
)


def scenario_document(
    base: str, name: str, weights: Mapping[str, WeightSet], note: str, scoring: ScoringSettings
) -> dict[str, Any]:
    """The YAML document of a scenario that extends ``base`` with the room's weight sets.

    The served scenario's weight sets and sector mapping (``scoring``) are written in full, with
    the room's sets added: a mapping given in a file replaces the built-in defaults rather than
    merging with them.
    """
    description = f"Workshop weights from mca serve on {base}" + (f": {note}" if note else "")
    sets = {key: ws.model_dump(mode="json") for key, ws in scoring.weight_sets.items()}
    sector_sets = dict(scoring.sector_weight_sets)
    default = scoring.default_weight_set
    for scope, weight_set in weights.items():
        set_name = workshop_set_name(scope)
        sets[set_name] = weight_set.model_copy(update={"description": description}).model_dump(mode="json")
        if scope == ALL_SECTORS:
            default = set_name
        else:
            sector_sets[scope] = set_name
    return {
        "extends": base,
        "name": name,
        "description": description,
        "scoring": {"weight_sets": sets, "default_weight_set": default, "sector_weight_sets": sector_sets},
    }


def save_scenario(
    served: Path, name: str, weights: Mapping[str, WeightSet], scoring: ScoringSettings, note: str = ""
) -> Path:
    """Write ``<name>.yaml`` next to ``served`` (never over an existing file) and check it loads."""
    target = served.parent / f"{name}.yaml"
    document = scenario_document(served.name, name, weights, note, scoring)
    text = HEADER.format(base=served.name) + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UserError(f"{target.name} exists already; choose a new name", source=target.name, field="name") from None
    try:
        load_scenario(target)
    except UserError:
        target.unlink()
        raise
    return target


def record_html(record: Mapping[str, Any]) -> str:
    """A short, self-contained HTML page of the session record, for the minutes."""
    environment = Environment(loader=PackageLoader("mca.app.serve", "templates"), autoescape=select_autoescape())
    return environment.get_template("record.html.j2").render(record=record)


def now_text() -> str:
    """The current time (UTC, seconds) for the record."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
