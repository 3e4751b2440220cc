"""The criterion framework: `Criterion`, `CriterionResult`, `Context` and shared geometry helpers.

A criterion turns candidate sites (a GeoDataFrame in the candidate schema of
docs/architecture.md, with a unique ``site_id`` column) into one or more value columns and,
for exclusion criteria, into exclusion rows. Every module in this package that exposes
``CRITERION`` is one criterion; see `criteria.registry()`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pydantic import BaseModel

from mca.core.errors import DataError
from mca.core.sectors import DEFAULT_SECTORS, Sector
from mca.core.vocabulary import ALL_SECTORS, EXCLUSION_COLUMNS

if TYPE_CHECKING:
    from criteria.network import RoadNetwork


@dataclass
class Context:
    """What criteria share: layers, sectors, tables and a cached road network.

    ``tables`` holds the tables named by the criteria's file parameters
    (``"<criterion>.<parameter>"`` → frame, read by the input edge).
    """

    layers: dict[str, gpd.GeoDataFrame]
    sectors: tuple[Sector, ...] = DEFAULT_SECTORS
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    _nearest: dict[tuple[bytes, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def table(self, criterion: str, parameter: str) -> pd.DataFrame | None:
        """The table a criterion's file parameter names, or None when the parameter is not set."""
        return self.tables.get(f"{criterion}.{parameter}")

    @property
    def has_roads(self) -> bool:
        """Whether the road and junction layers are loaded, so that routes can be found."""
        return "roads" in self.layers and "junctions" in self.layers

    def layer(self, name: str, *, needed_by: str) -> gpd.GeoDataFrame:
        """The layer ``name``, or a DataError naming the criterion that needs it."""
        if name not in self.layers:
            raise DataError(
                f"criterion '{needed_by}' needs layer '{name}', which is not loaded "
                f"(loaded: {', '.join(sorted(self.layers)) or 'none'})",
                source=name,
            )
        return self.layers[name]

    def nearest(self, sites: gpd.GeoDataFrame, layer: str, *, needed_by: str) -> tuple[np.ndarray, np.ndarray]:
        """`nearest_distance` from ``sites`` to the whole layer ``layer``, as read-only arrays.

        Criteria asking for the same layer and the same site geometries share one search (e.g.
        natura2000 and nitrogen); only the searches for the latest sites are kept.
        """
        key = (geometry_key(sites.geometry.values), layer)
        if key not in self._nearest:
            features = self.layer(layer, needed_by=needed_by)
            self._nearest = {k: v for k, v in self._nearest.items() if k[0] == key[0]}
            distance, position = nearest_distance(sites, features)
            distance.flags.writeable = position.flags.writeable = False
            self._nearest[key] = (distance, position)
        return self._nearest[key]

    @cached_property
    def road_network(self) -> RoadNetwork:
        """The road graph of the ``roads`` and ``junctions`` layers, built on first use."""
        from criteria.network import RoadNetwork

        return RoadNetwork.from_layers(
            self.layer("roads", needed_by="road network"), self.layer("junctions", needed_by="road network")
        )


@dataclass(frozen=True)
class CriterionResult:
    """Output of one criterion for all sites.

    ``values`` is indexed by ``site_id`` with columns prefixed by the criterion name;
    ``primary`` is the column used for ranking; ``exclusions`` has `EXCLUSION_COLUMNS`;
    ``outputs`` holds what later stages use, under the names the criterion ``provides``
    (`mca.core.vocabulary`, e.g. ``MAX_ENV_CATEGORY``).
    """

    values: pd.DataFrame
    primary: str
    exclusions: pd.DataFrame = field(default_factory=lambda: empty_exclusions())
    outputs: Mapping[str, pd.Series | pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Criterion:
    """A spatial criterion: metadata, its parameter model and the function that computes it.

    ``files`` names the parameters that point to a table the input edge reads (the criterion
    gets it through `Context.table`); ``provides`` names the outputs later stages may use.
    An opt-in criterion (``enabled_by_default=False``) runs only where a scenario enables it.
    """

    name: str
    kind: Literal["exclusion", "ranking"]
    direction: Literal["max", "min"]
    unit: str
    layers: tuple[str, ...]
    description: str
    Params: type[BaseModel]
    compute: Callable[[gpd.GeoDataFrame, Context, Any], CriterionResult]
    files: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    enabled_by_default: bool = True

    def run(self, sites: gpd.GeoDataFrame, ctx: Context, params: BaseModel | None = None) -> CriterionResult:
        """The criterion's result, after checking the layers it needs (default params if none).

        The result must hold exactly the outputs the criterion declares.
        """
        for layer_name in self.layers:
            ctx.layer(layer_name, needed_by=self.name)
        result = self.compute(sites, ctx, params if params is not None else self.Params())
        if set(result.outputs) != set(self.provides):
            raise TypeError(
                f"criterion '{self.name}' returned outputs {sorted(result.outputs)}, declared {sorted(self.provides)}"
            )
        return result


def empty_exclusions() -> pd.DataFrame:
    """An exclusion frame without rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in EXCLUSION_COLUMNS})


def exclusion_frame(site_ids: Any, criterion: str, sector: Any, reasons: Any) -> pd.DataFrame:
    """Exclusion rows; ``sector`` and ``reasons`` may be scalars or sequences like ``site_ids``."""
    frame = pd.DataFrame({"site_id": list(site_ids)})
    if frame.empty:
        return empty_exclusions()
    frame["criterion"] = criterion
    frame["sector"] = sector if isinstance(sector, str) else list(sector)
    frame["reason"] = reasons if isinstance(reasons, str) else list(reasons)
    return frame[list(EXCLUSION_COLUMNS)].reset_index(drop=True)


def site_index(sites: gpd.GeoDataFrame) -> pd.Index:
    """The ``site_id`` values as an index, checked to be present and unique."""
    if "site_id" not in sites.columns:
        raise DataError("candidate sites have no 'site_id' column", source="candidates", field="site_id")
    ids = pd.Index(sites["site_id"], name="site_id")
    if ids.has_duplicates:
        dupes = ", ".join(map(str, ids[ids.duplicated()].unique()[:5]))
        raise DataError(f"duplicate site_id values: {dupes}", source="candidates", field="site_id")
    return ids


def development_ha(sites: gpd.GeoDataFrame) -> np.ndarray:
    """Hectares that would be developed per site: ``capacity_ha`` where given, else the polygon area."""
    area = shapely.area(sites.geometry.values) / 10_000.0
    if "capacity_ha" not in sites.columns:
        return area
    capacity = pd.to_numeric(sites["capacity_ha"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(capacity), area, capacity)


def geometry_key(geometries: np.ndarray) -> bytes:
    """A digest of the geometries' WKB: equal for equal geometries in the same order."""
    geoms = np.asarray(geometries, dtype=object)
    missing = shapely.is_missing(geoms)
    digest = hashlib.blake2b(np.packbits(missing).tobytes() + len(geoms).to_bytes(8, "little"), digest_size=16)
    digest.update(b"".join(shapely.to_wkb(geoms[~missing])))  # WKB is self-delimiting
    return digest.digest()


FAST_NODE_CAPACITY = 2
"""Node capacity of the STR-tree that finds nearest distances: a binary tree searches about 2–4×
faster than shapely's default of 10 on the benchmark region (benchmarks/bench_criteria.py)."""


def nearest_distance(
    sites: gpd.GeoDataFrame, features: gpd.GeoDataFrame, max_distance: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per site the distance (m) to the nearest feature and that feature's position (−1 if none).

    A site touching or overlapping a feature has distance 0. Among equally near features the
    answer is the one shapely's ``STRtree.query_nearest(..., all_matches=False)`` gives on the
    default tree (the first GEOS visits). A binary tree finds every nearest feature per site;
    only sites with several are searched again on the default tree for that choice. With
    ``max_distance`` (> 0) sites further than that from every feature get NaN / −1 and skip the
    search; the others get the same answer as without it.
    """
    n = len(sites)
    distance = np.full(n, np.nan)
    position = np.full(n, -1, dtype=np.int64)
    geoms = features.geometry.values
    valid = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if n == 0 or not valid.any():
        return distance, position
    valid_positions = np.flatnonzero(valid)
    site_geoms = sites.geometry.values
    fast = shapely.STRtree(geoms[valid], node_capacity=FAST_NODE_CAPACITY)
    (site_pos, feature_pos), dist = fast.query_nearest(
        site_geoms, max_distance=max_distance, return_distance=True, all_matches=True
    )
    tied = np.bincount(site_pos, minlength=n) > 1
    single = ~tied[site_pos]
    distance[site_pos[single]] = dist[single]
    position[site_pos[single]] = valid_positions[feature_pos[single]]
    if tied.any():
        ties = np.flatnonzero(tied)
        (tie_pos, feature_pos), dist = shapely.STRtree(geoms[valid]).query_nearest(
            site_geoms[ties], max_distance=max_distance, return_distance=True, all_matches=False
        )
        distance[ties[tie_pos]] = dist
        position[ties[tie_pos]] = valid_positions[feature_pos]
    return distance, position


def overlap_by_feature(sites: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> pd.DataFrame:
    """Site × feature intersections with a positive area: columns ``site_pos, feature_pos, overlap_m2``."""
    if len(sites) == 0 or len(features) == 0:
        return pd.DataFrame({"site_pos": [], "feature_pos": [], "overlap_m2": []})
    site_pos, feature_pos = features.sindex.query(sites.geometry.values, predicate="intersects")
    overlap = shapely.area(shapely.intersection(sites.geometry.values[site_pos], features.geometry.values[feature_pos]))
    pairs = pd.DataFrame({"site_pos": site_pos, "feature_pos": feature_pos, "overlap_m2": overlap})
    return pairs[pairs["overlap_m2"] > 0].reset_index(drop=True)


def fmt_m(metres: float) -> str:
    """A distance for a reason sentence, e.g. ``1,250 m``."""
    return f"{metres:,.0f} m"


def fmt_ha(hectares: float) -> str:
    """An area for a reason sentence, e.g. ``2.3 ha`` (``0.04 ha`` below 0.1 ha)."""
    return f"{hectares:,.2f} ha" if hectares < 0.1 else f"{hectares:,.1f} ha"


def protected_area_values(
    sites: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    prefix: str,
    known_nearest: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Overlap and distance of each site with a set of named protected areas.

    Returns the value frame (``<prefix>_overlap_ha``, ``<prefix>_overlap_share``,
    ``<prefix>_distance_m``, ``<prefix>_nearest_area``; indexed by site_id), the name of the area
    with the largest overlap per site (None without overlap) and the number of areas overlapped.
    ``known_nearest`` is the `nearest_distance` result when the caller already has it.
    """
    ids = site_index(sites)
    names = areas["name"].astype(str).to_numpy() if len(areas) else np.array([], dtype=object)
    pairs = overlap_by_feature(sites, areas)
    overlap_m2 = np.zeros(len(sites))
    np.add.at(overlap_m2, pairs["site_pos"].to_numpy(dtype=np.int64), pairs["overlap_m2"].to_numpy())
    largest = pairs.sort_values("overlap_m2", ascending=False, kind="stable").drop_duplicates("site_pos")
    largest_name = pd.Series(None, index=ids, dtype=object)
    largest_pos = largest["site_pos"].to_numpy(dtype=np.int64)
    largest_name.iloc[largest_pos] = names[largest["feature_pos"].to_numpy(dtype=np.int64)]
    n_overlapped = pd.Series(np.bincount(pairs["site_pos"].to_numpy(dtype=np.int64), minlength=len(sites)), index=ids)
    site_area = shapely.area(sites.geometry.values)
    distance, nearest = known_nearest if known_nearest is not None else nearest_distance(sites, areas)
    values = pd.DataFrame(
        {
            f"{prefix}_overlap_ha": overlap_m2 / 10_000.0,
            f"{prefix}_overlap_share": np.divide(
                overlap_m2, site_area, out=np.zeros(len(sites)), where=site_area > 0
            ).clip(0.0, 1.0),
            f"{prefix}_distance_m": distance,
            f"{prefix}_nearest_area": np.where(nearest >= 0, names[nearest.clip(0)] if len(names) else None, None),
        },
        index=ids,
    )
    return values, largest_name, n_overlapped


def protected_area_exclusions(
    values: pd.DataFrame,
    largest_name: pd.Series,
    n_overlapped: pd.Series,
    *,
    prefix: str,
    criterion: str,
    label: str,
    min_overlap_ha: float,
    buffer_m: float,
) -> pd.DataFrame:
    """Exclusion rows for sites overlapping an area (above ``min_overlap_ha``) or within ``buffer_m``."""
    overlap = values[f"{prefix}_overlap_ha"].to_numpy()
    share = values[f"{prefix}_overlap_share"].to_numpy()
    distance = values[f"{prefix}_distance_m"].to_numpy()
    nearest_area = values[f"{prefix}_nearest_area"].to_numpy()
    largest = largest_name.reindex(values.index).to_numpy()
    more = n_overlapped.reindex(values.index).to_numpy() - 1
    overlaps = np.flatnonzero(overlap > min_overlap_ha)
    near = np.flatnonzero(~(overlap > min_overlap_ha) & (distance < buffer_m)) if buffer_m > 0 else overlaps[:0]
    reasons = []
    for pos in overlaps:
        also = f" (and {more[pos]} more area{'s' if more[pos] > 1 else ''})" if more[pos] > 0 else ""
        reasons.append(
            f"overlaps {label} '{largest[pos]}'{also} by {fmt_ha(overlap[pos])} ({share[pos]:.0%} of the site)"
        )
    for pos in near:
        reasons.append(
            f"lies {fmt_m(distance[pos])} from {label} '{nearest_area[pos]}', within the {fmt_m(buffer_m)} buffer"
        )
    site_ids = list(values.index[overlaps]) + list(values.index[near])
    return exclusion_frame(site_ids, criterion, ALL_SECTORS, reasons)
