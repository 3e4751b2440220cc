"""AERIUS Calculator export (IMAER GML) → the nitrogen criterion's table ``site_id, deposition_mol_ha_yr``.

An AERIUS Calculator result is exported as IMAER GML (schema ``http://imaer.aerius.nl/<version>``;
documentation: AERIUS "IMAER" on github.com/aerius/IMAER and the IMAER.xsd). Results sit on
``imaer:ReceptorPoint`` features (attribute ``receptorPointId``, the hexagon receptors on the
nature areas) and on ``imaer:CalculationPoint`` features (custom calculation points, named by
``imaer:label``), each with ``imaer:GM_Point/gml:Point/gml:pos`` and one
``imaer:CalculationResult resultType="DEPOSITION" substance="NOX|NH3"`` per substance whose
``imaer:value`` is in mol N/ha/yr. The total deposition is the sum over the substances.

- **per site**: calculation points labelled with the site id (``by: site``): one row per label,
  the largest total if a label occurs more than once;
- **per receptor** (``by: receptor``): the receptors with their totals; with the candidate sites
  (``deposition_by_site``) each site gets the largest total of the receptors inside it, or of the
  nearest receptor when none lies inside (assumption: the nearest receptor stands for the site).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mca.core.errors import DataError

GML = "http://www.opengis.net/gml/3.2"
COLUMNS = ("site_id", "deposition_mol_ha_yr")


def _namespace(root: ET.Element) -> str:
    if not root.tag.startswith("{http://imaer.aerius.nl/"):
        raise DataError("not an AERIUS IMAER GML file (root element is not imaer:…)", source="aerius")
    return root.tag[1:].split("}")[0]


def read_imaer(path: Path) -> gpd.GeoDataFrame:
    """Receptor and calculation points with a deposition: ``kind, point_id, label, deposition_mol_ha_yr``."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise DataError(f"cannot read the AERIUS export: {exc}", source=str(path)) from None
    ns = _namespace(root)
    rows = []
    for kind in ("ReceptorPoint", "CalculationPoint"):
        for feature in root.iter(f"{{{ns}}}{kind}"):
            values = [
                float(result.findtext(f"{{{ns}}}value", "nan"))
                for result in feature.iter(f"{{{ns}}}CalculationResult")
                if result.get("resultType") == "DEPOSITION"
            ]
            pos = feature.findtext(f"{{{ns}}}GM_Point/{{{GML}}}Point/{{{GML}}}pos")
            if not values or pos is None:
                continue
            x, y = (float(v) for v in pos.split()[:2])
            rows.append(
                {
                    "kind": kind,
                    "point_id": feature.get("receptorPointId", ""),
                    "label": feature.findtext(f"{{{ns}}}label", ""),
                    "deposition_mol_ha_yr": float(np.nansum(values)),
                    "geometry": shapely.Point(x, y),
                }
            )
    if not rows:
        raise DataError("the AERIUS export holds no deposition results", source=str(path))
    return gpd.GeoDataFrame(rows, crs="EPSG:28992")


def deposition_per_site_label(points: gpd.GeoDataFrame, source: str = "aerius") -> pd.DataFrame:
    """The table from calculation points labelled with site ids (largest value per label)."""
    labelled = points[(points["kind"] == "CalculationPoint") & (points["label"].astype(str) != "")]
    if labelled.empty:
        raise DataError("the AERIUS export has no labelled calculation points (label = site_id)", source=source)
    table = labelled.groupby("label", sort=True)["deposition_mol_ha_yr"].max()
    return table.rename_axis("site_id").reset_index()


def deposition_by_site(points: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per site the largest receptor total inside it, or the nearest receptor's when none is inside."""
    receptors = points[points["kind"] == "ReceptorPoint"].reset_index(drop=True)
    if receptors.empty:
        raise DataError("the AERIUS export has no receptor results", source="aerius")
    values = []
    for geometry in sites.to_crs(points.crs).geometry:
        inside = receptors.within(geometry)
        chosen = receptors[inside] if inside.any() else receptors.iloc[[int(receptors.distance(geometry).argmin())]]
        values.append(float(chosen["deposition_mol_ha_yr"].max()))
    return pd.DataFrame({"site_id": sites["site_id"].astype(str).to_numpy(), "deposition_mol_ha_yr": values})
