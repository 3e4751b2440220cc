"""What an import profile is: a published schema mapped onto one of the engine's layers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from mca.core.errors import DataError


@dataclass
class Mapped:
    """A layer in the engine's schema, with how each column was obtained.

    ``mapped``: engine column → the published field or rule it comes from; ``defaults``: engine
    column → the default that was filled in (each an assumption, stated with its value);
    ``notes``: anything the user should know (e.g. unmatched park names).
    """

    frame: gpd.GeoDataFrame
    mapped: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


Convert = Callable[[gpd.GeoDataFrame, Mapping[str, Any], str], Mapped]


@dataclass(frozen=True)
class Profile:
    """One import profile: which dataset, which engine layer, which published fields it needs."""

    name: str
    layer: str
    dataset: str
    documentation: str
    fields: tuple[str, ...]
    convert: Convert
    options: Mapping[str, str] = field(default_factory=dict)
    file_options: tuple[str, ...] = ()
    """Options whose value is a file: resolved against the scenario folder and listed among the files read."""


def require_fields(raw: pd.DataFrame, names: Iterable[str], profile: str, where: str) -> None:
    """Raise DataError naming the first published field the file lacks."""
    for name in names:
        if name not in raw.columns:
            raise DataError(
                f"profile '{profile}': the file lacks the field '{name}' of the published schema "
                f"(it has: {', '.join(c for c in raw.columns if c != 'geometry')})",
                source=where,
                field=name,
            )


def option(options: Mapping[str, Any], key: str, default: Any, allowed: Mapping[str, str], profile: str) -> Any:
    """An option's value or its default; DataError for an option the profile does not know."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise DataError(
            f"profile '{profile}' has no option '{unknown[0]}' (options: {', '.join(sorted(allowed)) or 'none'})",
            source=profile,
            field=unknown[0],
        )
    return options.get(key, default)


def frame(data: Mapping[str, Any], geometry: Any, crs: Any) -> gpd.GeoDataFrame:
    """A GeoDataFrame from columns and a geometry array, with a fresh index."""
    gdf = gpd.GeoDataFrame(dict(data), geometry=gpd.GeoSeries(geometry).reset_index(drop=True), crs=crs)
    return gdf.reset_index(drop=True)
