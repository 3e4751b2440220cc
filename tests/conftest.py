"""Fixtures shared by the whole suite, defined once.

The bundled Heerlen data (park table, layers, demand source figures) is read once per session;
`make_run_result` builds a small hand-made RunResult for the report writers: six sites in and
around two parks near Heerlen (RD New, around x 196500, y 320500), a Natura 2000 area, an NNN
area and three roads; two sites are excluded, one only for a sector. All its figures are
invented for the tests; none comes from a source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, box

from demand import DemandSource
from mca.app.results import RunResult
from mca.inputs.dataset import load_parks
from mca.inputs.demand_source import load_demand_source
from mca.inputs.layers import load_layers


@pytest.fixture(scope="session")
def parks() -> pd.DataFrame:
    """The bundled park table (001), indexed by park_id."""
    return load_parks()


@pytest.fixture(scope="session")
def heerlen_layers() -> dict[str, gpd.GeoDataFrame]:
    """The bundled Heerlen layers, in EPSG:28992."""
    return load_layers()


@pytest.fixture(scope="session")
def demand_source() -> DemandSource:
    """The bundled demand source figures (001, Bijlage 3)."""
    return load_demand_source()


@pytest.fixture(scope="session")
def make_run_result() -> Callable[..., RunResult]:
    """The builder of the hand-made RunResult: ``make_run_result(input_dir, schematic=True)``."""
    return build_run_result


CRS = "EPSG:28992"
SITE_IDS = ("S1", "S2", "S3", "S4", "S5", "S6")


def build_run_result(input_dir: Path, *, schematic: bool = True) -> RunResult:
    """A complete RunResult whose input files are written into ``input_dir``."""
    input_dir.mkdir(parents=True, exist_ok=True)
    scenario_file = input_dir / "base.yaml"
    scenario_file.write_text("name: base\ndescription: test scenario\n", encoding="utf-8")
    layers_file = input_dir / "layers.gpkg.txt"
    layers_file.write_text("stand-in for a layer file\n", encoding="utf-8")

    parks = gpd.GeoDataFrame(
        {"park_id": ["avantis", "de-koumen"], "name": ["Avantis", "De Koumen"]},
        geometry=[box(196000, 320000, 196600, 320500), box(196900, 320300, 197400, 320800)],
        crs=CRS,
    )
    layers = {
        "natura2000": gpd.GeoDataFrame(
            {"name": ["Brunssummerheide"]}, geometry=[box(196100, 320650, 196650, 321100)], crs=CRS
        ),
        "nnn": gpd.GeoDataFrame(
            {"name": ["Beekdal"], "zone": ["goudgroen"]},
            geometry=[box(196650, 320820, 197000, 321150)],
            crs=CRS,
        ),
        "roads": gpd.GeoDataFrame(
            {
                "road_id": ["r1", "r2", "r3"],
                "name": ["Buitenring", "Koumenweg", "A76"],
                "road_class": ["main", "access", "motorway"],
                "speed_kmh": [80, 50, 100],
                "capacity_veh_h": [3600.0, 1200.0, 6000.0],
                "volume_veh_h": [2500.0, 400.0, 4500.0],
            },
            geometry=[
                LineString([(195800, 320580), (197900, 320580)]),
                LineString([(196850, 319900), (196850, 320580)]),
                LineString([(195800, 319850), (197900, 320150)]),
            ],
            crs=CRS,
        ),
    }

    geometries = [
        box(196100, 320100, 196250, 320250),
        box(196350, 320200, 196550, 320400),
        box(196600, 320000, 196800, 320300),
        box(197400, 320300, 197650, 320600),
        box(196200, 320700, 196450, 320950),
        box(196700, 320850, 196900, 321000),
    ]
    excluded = [False, False, False, False, True, True]
    reasons = [
        [],
        [],
        [],
        [],
        ["inside Natura 2000 (Brunssummerheide)"],
        ["inside NNN (goudgroen)", "nitrogen deposition above threshold"],
    ]
    sites = gpd.GeoDataFrame(
        {
            "site_id": list(SITE_IDS),
            "name": [
                "Plot Avantis-Noord",
                "Avantis intensification",
                "Avantis-Oost expansion",
                "Koumen-Oost expansion",
                "Heide-Zuid",
                "Beekdal-rand",
            ],
            "kind": ["available_plot", "intensification", "expansion", "expansion", "expansion", "user"],
            "park": ["avantis", "avantis", "avantis", "de-koumen", None, None],
            "area_ha": [g.area / 10_000 for g in geometries],
            "capacity_ha": [2.25, 2.4, 6.0, 7.5, 6.25, 3.0],
            "adjacency": [1.0, 1.0, 0.8, 0.7, 0.2, 0.0],
            "road_headroom": [900.0, 900.0, 800.0, 1100.0, 300.0, 200.0],
            "score": [0.71, 0.64, 0.52, 0.78, np.nan, np.nan],
            "rank": [2.0, 3.0, 4.0, 1.0, np.nan, np.nan],
            "excluded": excluded,
            "exclusion_reasons": reasons,
            "suit_wholesale_logistics": [0.6, 0.5, 0.7, 0.9, 0.0, 0.0],
            "suit_production": [0.8, 0.7, 0.0, 0.6, 0.0, 0.0],
            "allocated_ha": [1.5, 2.2, 2.0, 6.0, 0.0, 0.0],
        },
        geometry=geometries,
        crs=CRS,
    )
    ranking = pd.DataFrame(
        sites.drop(columns="geometry")[["site_id", "name", "kind", "park", "rank", "score", "excluded"]]
    )
    ranking["exclusion_reasons"] = ["; ".join(r) for r in reasons]
    ranking["contrib_adjacency"] = [0.40, 0.40, 0.32, 0.28, np.nan, np.nan]
    ranking["contrib_road_headroom"] = [0.31, 0.24, 0.20, 0.50, np.nan, np.nan]
    ranking["vs_adjacency"] = [0.12, 0.12, 0.04, 0.0, np.nan, np.nan]
    ranking["vs_road_headroom"] = [-0.19, -0.26, -0.30, 0.0, np.nan, np.nan]
    ranking = ranking.iloc[[5, 3, 0, 4, 2, 1]].reset_index(drop=True)  # unsorted on purpose

    exclusions = pd.DataFrame(
        {
            "site_id": ["S6", "S5", "S6", "S3"],
            "criterion": ["nnn", "natura2000", "nitrogen", "env_category"],
            "sector": ["*", "*", "*", "production"],
            "reason": [
                "inside NNN (goudgroen)",
                "inside Natura 2000 (Brunssummerheide)",
                "nitrogen deposition above threshold",
                "dwellings at 120 m allow category 3.2 at most",
            ],
        }
    )
    segments = pd.DataFrame(
        {
            "sector": ["wholesale_logistics"] * 4 + ["production"] * 4,
            "size_class": ["MKB", "MKB", "XXL", "XXL"] * 2,
            "period": ["2030", "2040"] * 4,
            "hectares": [2.0, 1.5, 6.0, 4.0, 1.5, 1.0, 0.0, 2.0],
        }
    )
    allocation = pd.DataFrame(
        {
            "site_id": ["S4", "S3", "S1", "S2", "S2"],
            "sector": ["wholesale_logistics", "wholesale_logistics", "wholesale_logistics", "production", "production"],
            "size_class": ["XXL", "MKB", "MKB", "MKB", "MKB"],
            "period": ["2030", "2030", "2040", "2030", "2040"],
            "hectares": [6.0, 2.0, 1.5, 1.2, 1.0],
        }
    )
    shortfall = pd.DataFrame(
        {
            "sector": ["production", "wholesale_logistics", "production"],
            "size_class": ["XXL", "XXL", "MKB"],
            "period": ["2040", "2040", "2030"],
            "hectares": [2.0, 4.0, 0.3],
            "explanation": [
                "no site with 5 ha contiguous capacity left",
                "no site with 5 ha contiguous capacity left",
                "remaining suitable capacity used",
            ],
        }
    )
    assumptions = pd.DataFrame(
        {
            "item": [
                "Heerlen share of Parkstad demand",
                "demand Parkstad 2030 (WLO hoog)",
                "truck trips per ha per day, logistics",
            ],
            "value": ["0.6", "84 ha", "40"],
            "basis": ["assumption", "001, Tabel 10", "assumption"],
        }
    )
    acceptability = pd.DataFrame(
        [[0.55, 0.30, 0.15], [0.30, 0.45, 0.25], [0.15, 0.25, 0.60]],
        index=pd.Index(["S4", "S1", "S2"], name="site_id"),
        columns=[1, 2, 3],
    )
    demand_total = float(segments["hectares"].sum())
    allocated_total = float(allocation["hectares"].sum())
    return RunResult(
        scenario_name="base case <test>",
        scenario_path=scenario_file,
        scenario={
            "name": "base case <test>",
            "description": "Test scenario & fixture",
            "demand": {"variant": "WLO hoog"},
            "outputs": {"dir": input_dir},
        },
        sites=sites,
        ranking=ranking,
        exclusions=exclusions,
        segments=segments,
        demand={"method": "employment", "variant": "WLO hoog", "heerlen_total_ha": demand_total},
        allocation=allocation,
        shortfall=shortfall,
        allocation_summary={
            "demand_ha": demand_total,
            "allocated_ha": allocated_total,
            "shortfall_ha": float(shortfall["hectares"].sum()),
        },
        assumptions=assumptions,
        parks=parks,
        layers=layers,
        schematic=schematic,
        criteria_meta={
            "adjacency": {
                "unit": "share",
                "direction": "max",
                "description": "share of the site boundary touching a park",
            },
            "road_headroom": {
                "unit": "veh/h",
                "direction": "max",
                "description": "spare peak-hour capacity on the access route",
            },
        },
        weights={"adjacency": 0.4, "road_headroom": 0.6},
        acceptability=acceptability,
        solver={"status": "Optimal", "gap": 0.0, "solver": "highs"},
        input_files=[scenario_file, layers_file],
    )
