"""The GeoPackage of one run: candidate sites with their results, the allocation and context."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mca.app.reports import tables
from mca.app.reports.base import OutputWriter
from mca.app.reports.stamp import output_time
from mca.app.results import RunResult
from mca.core.errors import DataError

RD_NEW = "EPSG:28992"
CONTEXT_LAYERS: tuple[str, ...] = ("natura2000", "nnn", "roads", "junctions", "stations", "residential")


def gpkg_safe(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """``frame`` in RD New with scalar cells only and string column names."""
    if frame.crs is None:
        raise DataError("layer has no coordinate reference system", source=layer)
    out = tables.flatten_columns(frame.to_crs(RD_NEW))
    out.columns = [str(c) for c in out.columns]
    return out


def candidate_sites_layer(result: RunResult) -> gpd.GeoDataFrame:
    """Sites with scores, ranks, exclusion flag and reasons, suitability and allocated hectares."""
    sites = result.sites.sort_values("site_id", kind="mergesort", key=lambda s: s.astype(str))
    return gpkg_safe(sites.reset_index(drop=True), "sites")


def allocation_layer(result: RunResult) -> gpd.GeoDataFrame:
    """One polygon per site that receives land: total, per period and per sector hectares.

    One row per site (rather than per allocation row) keeps polygons from stacking in GIS;
    ``segments`` lists the individual allocation rows as text.
    """
    by_site = tables.allocation_by_site(result).rename(columns={"total": "allocated_ha"})
    by_site = by_site.rename(columns={p: f"ha_{p}" for p in tables.periods_of(result)})
    per_sector = tables.allocated_by_site_and_sector(result)
    rows = tables.allocation_table(result)
    text = pd.Series(
        {
            site_id: "; ".join(f"{r.sector}/{r.size_class} {r.period}: {r.hectares:.2f} ha" for r in group.itertuples())
            for site_id, group in rows.groupby("site_id", sort=True)
        },
        name="segments",
        dtype=object,
    )
    main_sector = pd.Series(name="main_sector", dtype=object)
    if not per_sector.empty:
        main_sector = per_sector.idxmax(axis=1).rename("main_sector")
    attributes = (
        by_site.set_index("site_id").join(per_sector.add_prefix("ha_")).join(main_sector).join(text).reset_index()
    )
    geometry = result.sites[["site_id", "geometry"]].drop_duplicates("site_id")
    layer = gpd.GeoDataFrame(
        geometry.merge(attributes, on="site_id", how="inner"), geometry="geometry", crs=result.sites.crs
    )
    layer = layer[[c for c in layer.columns if c != "geometry"] + ["geometry"]]
    layer = layer.sort_values("site_id", kind="mergesort", key=lambda s: s.astype(str))
    return gpkg_safe(layer.reset_index(drop=True), "allocation")


def geopackage_layers(result: RunResult) -> dict[str, gpd.GeoDataFrame]:
    """The layers of the GeoPackage, in writing order."""
    layers = {
        "candidate_sites": candidate_sites_layer(result),
        "allocation": allocation_layer(result),
        "parks": gpkg_safe(result.parks, "parks"),
    }
    for name in CONTEXT_LAYERS:
        if name in result.layers:
            layers[name] = gpkg_safe(result.layers[name], name)
    return layers


def write_geopackage(result: RunResult, path: Path) -> Path:
    """Write all layers to the GeoPackage ``path``, replacing an existing file."""
    path.unlink(missing_ok=True)
    for name, layer in geopackage_layers(result).items():
        layer.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    _fix_timestamps(path, output_time(result)[0])
    return path


def _fix_timestamps(path: Path, when: datetime) -> None:
    """Date every table of the GeoPackage ``when`` (GDAL writes the wall-clock time)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE gpkg_contents SET last_change = ?", (stamp,))
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_metadata_reference'").fetchone():
            db.execute("UPDATE gpkg_metadata_reference SET timestamp = ?", (stamp,))


WRITER = OutputWriter(
    name="geopackage",
    files="{stem}.gpkg",
    write=lambda folder: [write_geopackage(folder.result, folder.path("{stem}.gpkg"))],
)
