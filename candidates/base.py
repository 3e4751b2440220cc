"""The contract of a candidate source, checked once when the source is registered."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from candidates.settings import CandidateSettings
from mca.core.registry import NAME_PATTERN, Registry

PREFIX_PATTERN = re.compile(r"^[A-Z]{2,4}$")


@dataclass(frozen=True)
class SourceInputs:
    """What a source may build its sites from.

    Layers (EPSG:28992), the park table indexed by park_id, the settings, and the user's polygon
    files as read by the input edge (file, frame).
    """

    layers: dict[str, gpd.GeoDataFrame]
    parks: pd.DataFrame
    settings: CandidateSettings
    user_sites: Sequence[tuple[Path, gpd.GeoDataFrame]] = ()

    @property
    def parks_layer(self) -> gpd.GeoDataFrame:
        """The ``parks`` layer."""
        return self.layers["parks"]


@dataclass(frozen=True)
class CandidateSource:
    """One source of candidate sites: its site kind, site-id prefix, switch and build function.

    ``build(inputs)`` gives sites in the schema of `candidates.schema`, each of kind ``kind``
    with a ``site_id`` starting ``<prefix>-``. ``enable_flag`` names the boolean field of
    `CandidateSettings` that switches the source on or off (scenario key ``candidates.<flag>``);
    a source without one is always on.
    """

    name: str
    kind: str
    prefix: str
    description: str
    build: Callable[[SourceInputs], gpd.GeoDataFrame]
    enable_flag: str | None = None
    aliases: tuple[str, ...] = ()

    def enabled(self, settings: CandidateSettings) -> bool:
        """Whether the settings switch this source on."""
        return self.enable_flag is None or bool(getattr(settings, self.enable_flag))

    def sites(self, inputs: SourceInputs) -> gpd.GeoDataFrame:
        """The source's sites, after checking they carry its kind and site-id prefix."""
        sites = self.build(inputs)
        wrong_kind = sites.loc[sites["kind"] != self.kind, "site_id"]
        wrong_id = sites.loc[~sites["site_id"].astype(str).str.startswith(f"{self.prefix}-"), "site_id"]
        if len(wrong_kind) or len(wrong_id):
            raise TypeError(
                f"candidate source '{self.name}' must give sites of kind '{self.kind}' with ids "
                f"'{self.prefix}-…'; wrong: {sorted(set(wrong_kind) | set(wrong_id))[:5]}"
            )
        return sites


def check_source(source: Any, registry: Registry[CandidateSource]) -> None:
    """Refuse a source that breaks the contract of `CandidateSource`."""
    if not isinstance(source, CandidateSource):
        raise TypeError(f"expected a CandidateSource, got {type(source).__name__}")
    if not NAME_PATTERN.match(source.kind):
        raise ValueError(f"kind {source.kind!r} must match {NAME_PATTERN.pattern}")
    if not PREFIX_PATTERN.match(source.prefix):
        raise ValueError(f"site-id prefix {source.prefix!r} must be 2 to 4 capital letters")
    taken = {other.prefix: other.name for other in registry}
    if source.prefix in taken:
        raise ValueError(f"site-id prefix {source.prefix!r} is already used by {taken[source.prefix]!r}")
    if not source.description.strip():
        raise ValueError("needs a description")
    if not callable(source.build):
        raise TypeError("build must be a function of SourceInputs")
    flag = source.enable_flag
    field = CandidateSettings.model_fields.get(flag) if flag is not None else None
    if flag is not None and (field is None or field.annotation is not bool):
        raise ValueError(f"enable_flag {flag!r} is not a boolean setting of CandidateSettings")
