"""`mca layers …`: check a scenario's layers, fetch the official layers for an area.

Registered on the main app as a Typer sub-app (``app.add_typer(layers_app, name="layers")``).
The reading and downloading live in the input edge (`mca.inputs.layers`, `mca.inputs.fetch`);
this module shows progress and tables and writes the fetched GeoPackage. It imports the data
libraries only when a command runs, so that ``mca --help`` stays light.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mca.app.console import FormatOpt, ScenarioArg, View, emit, err, frame_to_table, handle_errors
from mca.core.errors import UserError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

layers_app = typer.Typer(
    help="Check a scenario's GIS layers; fetch the official layers for an area.", no_args_is_help=True
)


def _source_crs(path: Path, layer: str | None) -> str:
    """The CRS the file declares (before reprojection), as ``EPSG:<code>`` where possible."""
    import pyogrio

    try:
        crs = pyogrio.read_info(path, layer=layer).get("crs")
    except Exception:  # a file that cannot be read was reported by load_layers already
        return "?"
    return str(crs or "none")


def coverage(gdf: gpd.GeoDataFrame, municipality: gpd.GeoDataFrame | None) -> float | None:
    """Share (%) of the municipality inside the layer's extent (its features' bounding box)."""
    if municipality is None or gdf.empty:
        return None
    import shapely

    area = municipality.union_all()
    return round(100 * area.intersection(shapely.box(*gdf.total_bounds)).area / area.area, 1)


def check_rows(loaded: Any) -> list[dict[str, Any]]:
    """One row per layer of the scenario: source, profile, status, CRS, count, coverage, mapping."""
    from mca.inputs.layers import layer_status, load_layers

    settings = loaded.scenario.layers
    layers = load_layers(settings, base_dir=loaded.base_dir)
    rows = []
    for name, gdf in layers.items():
        source = settings.source_for(name, loaded.base_dir)
        profile = gdf.attrs.get("profile") or {}
        rows.append(
            {"layer": name, "file": str(source.path), "profile": source.profile or "-",
             "status": layer_status(gdf)["status"], "crs": _source_crs(source.path, source.layer or name),
             "features": len(gdf), "coverage_pct": coverage(gdf, layers.get("boundary")),
             "mapped": profile.get("mapped", {}), "defaults": profile.get("defaults", {}),
             "notes": profile.get("notes", [])}
        )  # fmt: skip
    return rows


@layers_app.command("check")
@handle_errors
def check(scenario: ScenarioArg = None, fmt: FormatOpt = "table") -> None:
    """Per layer: profile, CRS, feature count, coverage of the municipality, fields mapped, defaults filled in."""
    import pandas as pd

    from mca.app.scenario import load_scenario

    rows = check_rows(load_scenario(scenario))
    table = pd.DataFrame(rows)[["layer", "profile", "status", "crs", "features", "coverage_pct", "file"]]
    lines: list[Any] = [frame_to_table(table, "Layers")]
    for row in rows:
        lines += [f"[bold]{row['layer']}[/]: {col} ← {src}" for col, src in row["mapped"].items()]
        lines += [f"[yellow]default ({row['layer']}.{col}):[/] {text}" for col, text in row["defaults"].items()]
        lines += [f"[yellow]note ({row['layer']}):[/] {note}" for note in row["notes"]]
    if not any(r["layer"] == "boundary" for r in rows):
        lines.append("no boundary layer: coverage of the municipality cannot be measured")
    emit(View(lines, rows), fmt)


def parse_bbox(text: str) -> tuple[float, ...]:
    """``minx,miny,maxx,maxy`` in RD New metres."""
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or values[0] >= values[2] or values[1] >= values[3]:
        raise UserError("--bbox must be minx,miny,maxx,maxy in RD New metres (EPSG:28992)", field="--bbox")
    return values


def parse_endpoints(pairs: list[str]) -> dict[str, str]:
    """``NAME=URL`` overrides of the sources' service URLs."""
    result = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not url:
            raise UserError(f"--endpoint must be NAME=URL, got '{pair}'", field="--endpoint")
        result[name.strip()] = url.strip()
    return result


def write_geopackage(layers: dict[str, gpd.GeoDataFrame], provenance: pd.DataFrame, path: Path) -> None:
    """Write the layers (with their metadata) and the provenance table; moved into place when complete."""
    import pyogrio

    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    partial.unlink(missing_ok=True)
    for name, gdf in layers.items():
        metadata = {k: str(v) for k, v in (gdf.attrs.get("metadata") or {}).items()}
        pyogrio.write_dataframe(gdf, partial, layer=name, driver="GPKG", layer_metadata=metadata)
    pyogrio.write_dataframe(provenance, partial, layer="provenance", driver="GPKG")
    os.replace(partial, path)


@layers_app.command("fetch")
@handle_errors
def fetch(
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write (engine schema + provenance table).")],
    municipality: Annotated[str | None, typer.Option(help="Municipality (CBS name), e.g. Heerlen.")] = None,
    bbox: Annotated[str | None, typer.Option(help="minx,miny,maxx,maxy in RD New metres.")] = None,
    endpoint: Annotated[list[str] | None, typer.Option(help="NAME=URL: another URL for a source.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Download Natura 2000, NWB, BAG, CBS boundaries (PDOK) and OSM land use and stops for an area."""
    from dataclasses import replace

    from rich.progress import Progress, SpinnerColumn, TextColumn

    from mca.inputs import fetch as fetcher

    if (municipality is None) == (bbox is None):
        raise UserError("give either --municipality NAME or --bbox minx,miny,maxx,maxy", field="--municipality")
    if out.exists() and not force:
        raise UserError("the file exists; pass --force to overwrite it", source=out, field="--out")
    urls = parse_endpoints(endpoint or [])
    sources = [replace(s, url=urls.get(s.name, s.url)) for s in fetcher.SOURCES]
    area = parse_bbox(bbox) if bbox else fetcher.municipality_bbox(str(municipality), fetcher.http_get, sources[0].url)
    date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True) as bar:
        tasks = {s.name: bar.add_task(f"{s.name}: waiting") for s in sources}

        def progress(name: str, count: int) -> None:
            bar.update(tasks[name], description=f"{name}: {count} features")

        fetched = [fetcher.fetch_source(s, area, fetcher.http_get, progress) for s in sources]
    layers = fetcher.to_engine_layers(fetched, date)
    write_geopackage(layers, fetcher.provenance(fetched, date), out)
    err.print(f"wrote {out}: {', '.join(f'{k} ({len(v)})' for k, v in layers.items())}")
    missing = sorted({"parks", "natura2000", "nnn", "roads", "junctions", "residential", "stations"} - set(layers))
    if missing:
        err.print(f"not fetched (take them from another file in the scenario): {', '.join(missing)}")
