"""NWB Wegen (Nationaal Wegenbestand, Rijkswaterstaat): road sections (*wegvakken*).

Published schema (RWS "Productbeschrijving NWB-Wegen"; PDOK OGC API
``https://api.pdok.nl/rws/nationaal-wegenbestand-wegen/ogc/v1/`` collection ``wegvakken``):
``WVK_ID`` (section id), ``WEGBEHSRT`` (road manager type: ``R`` Rijk, ``P`` Provincie,
``G`` Gemeente, ``W`` Waterschap, ``T`` overig), ``WEGNUMMER`` (road number, e.g. ``076``),
``STT_NAAM`` (street name), ``BST_CODE`` (section subtype, e.g. ``HR`` main carriageway,
``OPR``/``AFR`` on/off ramp). The NWB has no capacity, speed or traffic volume: those come from
the class defaults below (ASSUMPTIONS) unless a traffic-model table gives them per WVK_ID.

Road class from the manager (assumption, the NWB records who manages a road, not its design):
Rijk → motorway; Provincie → main; Gemeente or Waterschap with a road number → main;
other Gemeente roads → access when ``BST_CODE`` is a ramp or the street is named in
``access_streets``, else local.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from mca.core.errors import DataError
from mca.inputs.profiles.base import Mapped, Profile, frame, option, require_fields

OPTIONS = {
    "traffic_table": "CSV with WVK_ID, capacity_veh_h, volume_veh_h (a traffic model) overriding the defaults",
    "access_streets": "street names (STT_NAAM) to class as access roads",
}
CLASS_DEFAULTS: dict[str, tuple[int, int, float]] = {
    # class: (speed km/h, capacity veh/h per direction at peak hour, volume/capacity ratio)
    # ASSUMPTIONS: 2 lanes x 2,100 veh/h on motorways, 1,800 on a provincial main road,
    # 1,200 on an access road, 600 on a local street; volumes at 70/60/50/30 % of capacity.
    "motorway": (100, 4200, 0.7),
    "main": (80, 1800, 0.6),
    "access": (50, 1200, 0.5),
    "local": (30, 600, 0.3),
}
RAMPS = ("OPR", "AFR", "VBD", "VBK", "VBR", "VBS", "VWG")


def road_class(manager: str, number: str, subtype: str, street: str, access: set[str]) -> str:
    """The engine's road class of one NWB section (rule in the module docstring)."""
    if manager == "R":
        return "motorway"
    if manager == "P" or (manager in ("G", "W") and number):
        return "main"
    if subtype in RAMPS or street in access:
        return "access"
    return "local"


def _road_name(manager: str, number: str, street: str) -> str:
    if number and number.isdigit():
        return f"{'A' if manager == 'R' else 'N'}{int(number)}"
    return street or number or "unnamed"


def _traffic(path: str | None, where: str) -> pd.DataFrame | None:
    if not path:
        return None
    table = pd.read_csv(path)
    for column in ("WVK_ID", "capacity_veh_h", "volume_veh_h"):
        if column not in table.columns:
            raise DataError(f"traffic table lacks the column '{column}'", source=str(path), field=column)
    return table.assign(WVK_ID=table["WVK_ID"].astype(str)).set_index("WVK_ID")


def convert(raw: gpd.GeoDataFrame, options: Mapping[str, Any], where: str) -> Mapped:
    """Roads in the engine's schema; multi-part sections split into ``<WVK_ID>-<n>``."""
    access = set(option(options, "access_streets", [], OPTIONS, "nwb"))
    require_fields(raw, ("WVK_ID", "WEGBEHSRT", "WEGNUMMER", "STT_NAAM"), "nwb", where)
    parts = raw.explode(index_parts=True).reset_index(level=1, names=["", "part"])
    text = {c: parts[c].fillna("").astype(str).str.strip() for c in ("WEGBEHSRT", "WEGNUMMER", "STT_NAAM")}
    subtype = parts["BST_CODE"].fillna("").astype(str) if "BST_CODE" in parts else pd.Series("", parts.index)
    ids = parts["WVK_ID"].astype(str).str.removesuffix(".0")
    classes = [
        road_class(m, n, b, s, access)
        for m, n, b, s in zip(text["WEGBEHSRT"], text["WEGNUMMER"], subtype, text["STT_NAAM"], strict=True)
    ]
    classes_s = pd.Series(classes, index=parts.index)
    capacity = classes_s.map(lambda c: CLASS_DEFAULTS[c][1]).astype(float)
    volume = classes_s.map(lambda c: CLASS_DEFAULTS[c][1] * CLASS_DEFAULTS[c][2]).astype(float)
    defaults = {
        "speed_kmh": "class default (assumption): " + ", ".join(f"{k} {v[0]}" for k, v in CLASS_DEFAULTS.items()),
        "capacity_veh_h": "class default (assumption): " + ", ".join(f"{k} {v[1]}" for k, v in CLASS_DEFAULTS.items()),
        "volume_veh_h": "class default (assumption): "
        + ", ".join(f"{k} {v[2]:.0%} of capacity" for k, v in CLASS_DEFAULTS.items()),
    }
    traffic = _traffic(options.get("traffic_table"), where)
    if traffic is not None:
        known = ids.isin(traffic.index).to_numpy()
        capacity[known] = traffic.loc[ids[known], "capacity_veh_h"].to_numpy(dtype=float)
        volume[known] = traffic.loc[ids[known], "volume_veh_h"].to_numpy(dtype=float)
        for column in ("capacity_veh_h", "volume_veh_h"):
            defaults[column] += f"; traffic table for {int(known.sum())} of {len(ids)} sections"
    multi = parts.groupby(level=0)["part"].transform("size") > 1
    road_id = ids.where(~multi, ids + "-" + (parts["part"] + 1).astype(str))
    out = frame(
        {
            "road_id": road_id.to_numpy(),
            "name": [_road_name(m, n, s) for m, n, s in zip(*text.values(), strict=True)],
            "road_class": classes,
            "speed_kmh": classes_s.map(lambda c: CLASS_DEFAULTS[c][0]).to_numpy(),
            "capacity_veh_h": capacity.to_numpy(),
            "volume_veh_h": volume.to_numpy(),
            "manager": text["WEGBEHSRT"].to_numpy(),
        },
        parts.geometry.to_numpy(),
        raw.crs,
    )
    mapped = {"road_id": "WVK_ID", "name": "WEGNUMMER (A/N + number) or STT_NAAM",
              "road_class": "WEGBEHSRT + WEGNUMMER + BST_CODE (rule, assumption)", "manager": "WEGBEHSRT"}  # fmt: skip
    return Mapped(out, mapped, defaults)


PROFILE = Profile(
    name="nwb",
    layer="roads",
    dataset="NWB Wegen, wegvakken (Rijkswaterstaat)",
    documentation="Rijkswaterstaat, 'Productbeschrijving NWB-Wegen'; PDOK OGC API nationaal-wegenbestand-wegen",
    fields=("WVK_ID", "WEGBEHSRT", "WEGNUMMER", "STT_NAAM"),
    convert=convert,
    options=OPTIONS,
    file_options=("traffic_table",),
)
