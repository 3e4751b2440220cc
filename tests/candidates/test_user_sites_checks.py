"""Team-drawn sites: overlaps with other candidates are flagged; the rounding bug of the default contiguous area."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from candidates import CandidateSettings


def test_a_drawn_site_over_an_expansion_zone_is_flagged_but_plots_in_their_park_are_not():
    from candidates import overlapping_sites

    sites = gpd.GeoDataFrame(
        {
            "site_id": ["AV-p", "EX-p-01", "IN-p", "US-team"],
            "kind": ["available_plot", "expansion", "intensification", "user"],
            "park": ["p", "p", "p", "p"],
        },
        geometry=[box(10, 10, 50, 50), box(200, 0, 400, 200), box(0, 0, 100, 100), box(300, 100, 500, 300)],
        crs="EPSG:28992",
    )
    flagged = overlapping_sites(sites)
    assert flagged[["site_id", "other_site_id"]].values.tolist() == [["EX-p-01", "US-team"]]
    assert flagged.loc[0, "overlap_ha"] == pytest.approx(100 * 100 / 10_000)
    assert flagged.loc[0, "share_of_smaller"] == pytest.approx(0.25)


def test_a_drawn_polygon_whose_default_contiguous_area_rounds_above_its_capacity_is_accepted(heerlen_layers, parks):
    """The reported bug: 'contiguous_ha 7.51741 exceeds capacity_ha 7.51741' (floating point)."""
    import shapely
    from shapely.geometry import Polygon

    from candidates.user import user_site_candidates

    polygon = Polygon([(198728.1, 318442.1), (198998.9, 318449.4), (198970.7, 318704.4), (198738.7, 318751.2)])
    area = polygon.area / 10_000
    largest = max(part.area for part in shapely.get_parts(polygon)) / 10_000
    capacity = area * CandidateSettings().net_to_gross
    assert capacity * largest / area > capacity  # the rounding that used to refuse the site
    drawn = gpd.GeoDataFrame({"name": ["team site"]}, geometry=[polygon], crs="EPSG:28992")
    sites = user_site_candidates(Path("team.gpkg"), drawn, heerlen_layers["parks"], parks, CandidateSettings())
    assert sites.loc[0, "contiguous_ha"] == pytest.approx(sites.loc[0, "capacity_ha"])
    assert sites.loc[0, "contiguous_ha"] <= sites.loc[0, "capacity_ha"]
