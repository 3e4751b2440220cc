"""The input edge: every file a run depends on is read here, and only here.

The app says which files a scenario names (`InputRequest`); `read_inputs` resolves relative
paths against the scenario's folder, reads and validates each file into frames, and records
every file it read for the manifest. The stages receive these frames and never open a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from demand import DemandSource
from mca.core.paths import resolve
from mca.inputs.dataset import PARKS_CSV, load_parks
from mca.inputs.demand_source import DEMAND_SOURCE_PATH, load_demand_source
from mca.inputs.layers import POLYGONAL, LayerSettings, load_layers, read_layer
from mca.inputs.tables import read_table


@dataclass(frozen=True)
class InputRequest:
    """The files one run reads; relative paths resolve against ``base_dir``.

    ``tables`` maps a setting (``"<criterion>.<parameter>"``) to the CSV it names.
    """

    base_dir: Path
    layers: LayerSettings = field(default_factory=LayerSettings)
    parks_table: Path | None = None
    demand_source: Path | None = None
    user_sites: tuple[Path, ...] = ()
    tables: Mapping[str, Path] = field(default_factory=dict)
    policy_table: Path | None = None
    grid_congestion_table: Path | None = None


@dataclass
class InputData:
    """What the files of a run hold, as frames, and the sorted list of files read."""

    parks: pd.DataFrame
    layers: dict[str, gpd.GeoDataFrame]
    demand_source: DemandSource
    user_sites: list[tuple[Path, gpd.GeoDataFrame]]
    tables: dict[str, pd.DataFrame]
    files: list[Path]
    policy: pd.DataFrame = field(default_factory=pd.DataFrame)
    grid_congestion: pd.DataFrame | None = None


def demand_source_path(path: Path | None, base_dir: Path) -> Path:
    """The demand source file a scenario names, or the bundled one."""
    return resolve(path, base_dir) if path else DEMAND_SOURCE_PATH


def read_user_sites(path: Path) -> gpd.GeoDataFrame:
    """The polygons a team drew, from a GeoPackage, GeoJSON or Shapefile (any CRS)."""
    return read_layer(path, f"user sites {path.name}", geom_types=POLYGONAL)


def read_inputs(request: InputRequest) -> InputData:
    """Read every file of ``request``: park table, layers, demand source, user sites, tables."""
    # imported here: the policy table's columns come from the solvers, which a process importing this
    # package for its layer functions (the writer helper of `mca run`) need not import
    from mca.inputs.policy import POLICY_CSV, load_grid_congestion, load_policy

    base = request.base_dir
    parks_path = resolve(request.parks_table, base) if request.parks_table else PARKS_CSV
    source_path = demand_source_path(request.demand_source, base)
    user_paths = [resolve(path, base) for path in request.user_sites]
    table_paths = {key: resolve(path, base) for key, path in sorted(request.tables.items())}
    layer_paths = request.layers.files(base)
    policy_path = resolve(request.policy_table, base) if request.policy_table else POLICY_CSV
    grid_path = resolve(request.grid_congestion_table, base) if request.grid_congestion_table else None
    files = [parks_path, source_path, *layer_paths, *user_paths, *table_paths.values(), policy_path]
    files += [grid_path] if grid_path else []
    return InputData(
        parks=load_parks(parks_path),
        layers=load_layers(request.layers, base_dir=base),
        demand_source=load_demand_source(source_path),
        user_sites=[(path, read_user_sites(path)) for path in user_paths],
        tables={key: read_table(path, field=key) for key, path in table_paths.items()},
        files=sorted({path.resolve() for path in files}, key=str),
        policy=load_policy(policy_path),
        grid_congestion=load_grid_congestion(grid_path) if grid_path else None,
    )
