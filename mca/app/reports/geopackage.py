"""The GeoPackage of one run: candidate sites with their results, the allocation and context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from mca.app.reports import tables
from mca.app.reports.base import OutputWriter
from mca.app.reports.qgis_styles import (
    Symbol,
    categorized_qml,
    graduated_qml,
    single_qml,
    unsynced,
    write_layer_styles,
)
from mca.app.reports.stamp import output_time
from mca.app.results import RunResult
from mca.core.errors import DataError

RD_NEW = "EPSG:28992"
CONTEXT_LAYERS: tuple[str, ...] = ("natura2000", "nnn", "roads", "junctions", "stations", "residential", "boundary")
INTEGER_COLUMNS: tuple[str, ...] = ("rank", "shared_rank", "sector_rank", "plots")
CONTEXT_STYLES: dict[str, Symbol] = {
    "parks": Symbol("fill", "#ffffff", "#222222", 0.5, alpha=0.0),
    "natura2000": Symbol("fill", "#a6d96a", "#1a9641", alpha=0.45),
    "nnn": Symbol("fill", "#d9f0a3", "#78c679", alpha=0.6),
    "roads": Symbol("line", "#6e6e6e", width=0.5),
    "junctions": Symbol("marker", "#f0c000", shape="diamond", size=3.0),
    "stations": Symbol("marker", "#111111", "#ffffff", shape="square", size=2.6),
    "residential": Symbol("fill", "#ecd9d3", "#ecd9d3", 0.0),
    "boundary": Symbol("fill", "#ffffff", "#444444", 0.6, alpha=0.0),
}


def gpkg_safe(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """``frame`` in RD New with scalar cells only and string column names."""
    if frame.crs is None:
        raise DataError("layer has no coordinate reference system", source=layer)
    out = tables.flatten_columns(frame.to_crs(RD_NEW))
    out.columns = [str(c) for c in out.columns]
    for column in INTEGER_COLUMNS:
        if column in out.columns and pd.api.types.is_numeric_dtype(out[column]):
            out[column] = pd.to_numeric(out[column]).round().astype("Int64")
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


def exclusions_layer(result: RunResult) -> gpd.GeoDataFrame:
    """One polygon per site with an exclusion: closed to every sector or to which sectors, and why."""
    rows = tables.exclusions_table(result)
    excluded = set(result.sites.loc[result.sites["excluded"].astype(bool), "site_id"])
    ids = sorted(set(rows["site_id"]) | excluded)
    listed = rows[["site_id", "sector", "criterion"]].astype({"sector": str, "criterion": str}).groupby("site_id")
    joined = listed.agg(lambda values: ", ".join(sorted(set(values)))).reindex(ids)
    attributes = pd.DataFrame(
        {
            "site_id": ids,
            "excluded_all": [site in excluded for site in ids],
            "sectors": joined["sector"].fillna("*").to_numpy(),
            "criteria": joined["criterion"].fillna("").to_numpy(),
        }
    )
    geometry = result.sites[["site_id", "name", "geometry"]].drop_duplicates("site_id")
    layer = gpd.GeoDataFrame(
        geometry.merge(attributes, on="site_id", how="inner"), geometry="geometry", crs=result.sites.crs
    )
    layer = layer[[c for c in layer.columns if c != "geometry"] + ["geometry"]]
    return gpkg_safe(layer.reset_index(drop=True), "exclusions")


def layer_styles(result: RunResult, layers: dict[str, gpd.GeoDataFrame]) -> dict[str, tuple[str, str]]:
    """A QGIS style (name, QML) for every layer of the GeoPackage."""
    scores = pd.to_numeric(layers["candidate_sites"].get("score", pd.Series(dtype=float)), errors="coerce").dropna()
    low, high = (float(scores.min()), float(scores.max())) if len(scores) else (0.0, 1.0)
    palette = colormaps["tab10"]
    sectors = tables.sector_order(layers["allocation"].get("main_sector", pd.Series(dtype=str)).dropna())
    styles = {
        "candidate_sites": ("suitability (score)", graduated_qml("score", low, high)),
        "exclusions": (
            "exclusions",
            categorized_qml(
                "excluded_all",
                [
                    ("1", "excluded for every sector", Symbol("fill", "#ef3b2c", "#a50f15", alpha=0.65)),
                    ("0", "excluded for some sectors", Symbol("fill", "#fff2e0", "#e66101", 0.5)),
                ],
            ),
        ),
        "allocation": (
            "allocation by main sector",
            categorized_qml(
                "main_sector",
                [
                    (s, s.replace("_", " "), Symbol("fill", to_hex(palette(i % 10)), "#000000"))
                    for i, s in enumerate(sectors)
                ],
            ),
        ),
    }
    for name in layers:
        if name in CONTEXT_STYLES:
            styles[name] = (name, single_qml(CONTEXT_STYLES[name]))
    return styles


SQLITE_SYNC = "OGR_SQLITE_SYNCHRONOUS"
"""GDAL's setting for SQLite's wait for the disk after a commit."""


def geopackage_layers(result: RunResult) -> dict[str, gpd.GeoDataFrame]:
    """The layers of the GeoPackage, in writing order."""
    layers = {
        "candidate_sites": candidate_sites_layer(result),
        "allocation": allocation_layer(result),
        "exclusions": exclusions_layer(result),
        "parks": gpkg_safe(result.parks, "parks"),
    }
    for name in CONTEXT_LAYERS:
        if name in result.layers:
            layers[name] = gpkg_safe(result.layers[name], name)
    return layers


def write_geopackage(result: RunResult, path: Path) -> Path:
    """Write all layers to the GeoPackage ``path``, replacing an existing file."""
    path.unlink(missing_ok=True)
    layers = geopackage_layers(result)
    with gdal_unsynced():
        for name, layer in layers.items():
            layer.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    when = output_time(result)[0]
    write_layer_styles(path, layer_styles(result, layers), when.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    _fix_timestamps(path, when)
    _rewrite(path)
    return path


def _rewrite(path: Path) -> None:
    """Replace the GeoPackage ``path`` by a copy made by SQLite's ``VACUUM INTO``.

    GDAL does not always commit the same number of times (SQLite counts the commits in the
    file's header: two runs gave files differing only there), so the finished file is copied
    into a new one whose header and page order depend only on what it holds.
    """
    copy = path.with_name(f".{path.name}.copy")
    copy.unlink(missing_ok=True)
    with closing(unsynced(path)) as db:
        db.execute("VACUUM INTO ?", (str(copy),))
    copy.replace(path)


@contextmanager
def gdal_unsynced() -> Iterator[None]:
    """GDAL's SQLite does not wait for the disk after each layer in the block (as `unsynced`, same bytes).

    Measured on the Heerlen base case on a busy disk: 1.6 s to write the GeoPackage with the
    wait, 0.3 s without.
    """
    import pyogrio  # imported here: the writer helper imports it after it has started drawing ahead

    previous = pyogrio.get_gdal_config_option(SQLITE_SYNC)
    pyogrio.set_gdal_config_options({SQLITE_SYNC: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({SQLITE_SYNC: previous})


def _fix_timestamps(path: Path, when: datetime) -> None:
    """Date every table of the GeoPackage ``when`` (GDAL writes the wall-clock time)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with closing(unsynced(path)) as db, db:
        db.execute("UPDATE gpkg_contents SET last_change = ?", (stamp,))
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_metadata_reference'").fetchone():
            db.execute("UPDATE gpkg_metadata_reference SET timestamp = ?", (stamp,))


WRITER = OutputWriter(
    name="geopackage",
    files="{stem}.gpkg",
    write=lambda folder: [write_geopackage(folder.result, folder.path("{stem}.gpkg"))],
    independent=True,
)
