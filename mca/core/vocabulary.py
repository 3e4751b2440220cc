"""Words every stage uses, defined once: the all-sectors marker, frame columns, site kinds."""

from __future__ import annotations

from typing import Final

ALL_SECTORS: Final = "*"
"""The ``sector`` value of an exclusion (or rule) that holds for every sector."""

EXCLUSION_COLUMNS: Final[tuple[str, ...]] = ("site_id", "criterion", "sector", "reason")
"""Columns of an exclusion frame: which criterion closes which site to which sector, and why."""

AVAILABLE_PLOT: Final = "available_plot"
INTENSIFICATION: Final = "intensification"
EXPANSION: Final = "expansion"
USER: Final = "user"
SITE_KINDS: Final[tuple[str, ...]] = (AVAILABLE_PLOT, INTENSIFICATION, EXPANSION, USER)
"""Kinds of candidate site; every kind but ``expansion`` belongs to the existing stock."""

LINK_COLUMNS: Final[tuple[str, ...]] = ("link_id", "road_id", "capacity_veh_h", "volume_veh_h", "headroom_veh_h")
"""Columns of the road-link frame handed from the criteria stage to the allocation."""

ROUTE_COLUMNS: Final[tuple[str, ...]] = ("site_id", "link_id")
"""Columns of the route frame: the road links on each site's route to its motorway junction."""

PROFILES: Final[tuple[str, ...]] = ("industrieel", "logistiek", "regulier", "gemengd")
"""001 §3.3, profile table ('(medisch) logistiek' is stored as 'logistiek')."""

MAX_ENV_CATEGORY: Final = "max_env_category"
"""Named criteria output (and candidate column): the highest VNG category a site can host."""

ROAD_LINKS: Final = "road_links"
"""Named criteria output: the road links (`LINK_COLUMNS`) whose headroom the allocation may use."""

SITE_ROUTES: Final = "site_routes"
"""Named criteria output: the links on each site's route to its junction (`ROUTE_COLUMNS`)."""
