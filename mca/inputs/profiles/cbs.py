"""CBS municipal and district boundaries (*Wijk- en buurtkaart*, *gebiedsindelingen*).

Published schema (CBS/Kadaster via PDOK, dataset "CBS Gebiedsindelingen", collections such as
``gemeente_gegeneraliseerd``): ``statcode`` (e.g. ``GM0917``), ``statnaam`` (e.g. ``Heerlen``),
``jrstatcode``, ``rubriek``. The *Wijk- en buurtkaart* layer ``wijken`` has ``wijkcode``,
``wijknaam``, ``gemeentecode``, ``gemeentenaam``; with ``level: wijk`` its districts are
dissolved into their municipalities. Documentation: CBS, "Toelichting Wijk- en buurtkaart"
(cbs.nl) and PDOK dataset page "CBS Gebiedsindelingen".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd

from mca.inputs.profiles.base import Mapped, Profile, frame, option, require_fields

OPTIONS = {"level": "gemeente (statcode/statnaam, default) or wijk (wijken dissolved by gemeentenaam)"}


def convert(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> Mapped:
    """Boundary features ``name``, ``code`` from statnaam/statcode or from dissolved wijken."""
    level = option(options, "level", "gemeente", OPTIONS, "cbs")
    if level == "wijk":
        require_fields(raw, ("wijkcode", "wijknaam", "gemeentecode", "gemeentenaam"), "cbs", where)
        merged = raw.dissolve(by=["gemeentecode", "gemeentenaam"], as_index=False, sort=True)
        out = frame({"name": merged["gemeentenaam"], "code": merged["gemeentecode"]}, merged.geometry, raw.crs)
        return Mapped(out, {"name": "gemeentenaam (wijken dissolved)", "code": "gemeentecode"})
    require_fields(raw, ("statcode", "statnaam"), "cbs", where)
    out = frame({"name": raw["statnaam"], "code": raw["statcode"]}, raw.geometry, raw.crs)
    return Mapped(out, {"name": "statnaam", "code": "statcode"})


PROFILE = Profile(
    name="cbs",
    layer="boundary",
    dataset="CBS/Kadaster gebiedsindelingen (gemeente_gegeneraliseerd) or Wijk- en buurtkaart (wijken)",
    documentation="CBS 'Toelichting Wijk- en buurtkaart'; PDOK dataset 'CBS Gebiedsindelingen'",
    fields=("statcode", "statnaam"),
    convert=convert,
    options=OPTIONS,
)
