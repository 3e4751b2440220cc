"""The allocation problem as plain frames, its validation, (de)serialisation and random instances."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mca.core.errors import DataError, UserError
from mca.core.sectors import DEFAULT_SECTORS, PERIODS, SIZE_CLASSES, Sector, segment_id
from mca.core.vocabulary import SITE_KINDS

SOURCE = "allocation problem"


def capacity_column(period: str) -> str:
    """Column of the cumulative capacity available by ``period``, e.g. ``capacity_2030_ha``."""
    return f"capacity_{period}_ha"


def headroom_column(period: str) -> str:
    """Optional per-period column of a link's headroom, e.g. ``headroom_2040_veh_h``."""
    return f"headroom_{period}_veh_h"


@dataclass
class AllocationProblem:
    """Sites, demand and rules of one allocation run.

    - ``sites``: ``site_id, kind, contiguous_ha`` and for every period ``capacity_<period>_ha``,
      the cumulative capacity available by that period (0 before the site becomes available).
      Where a period column is missing, ``capacity_ha`` is used for it.
    - ``demand``: ``sector, size_class, period, hectares``; for a later period the increment.
    - ``compatibility``: bool frame indexed by ``site_id`` with one column per segment id
      (``"production/XXL"``); a missing column or ``None`` means "open".
    - ``suitability``: frame indexed by ``site_id`` with one column per sector, values in [0, 1].
    - ``links``: ``link_id, headroom_veh_h`` (optionally ``headroom_<period>_veh_h``);
      ``routes``: ``site_id, link_id``: the links whose headroom a site's traffic uses.
    - ``compatibility_reasons``: optional ``site_id, segment, rule, reason`` (why a pair is closed),
      used only to explain shortfalls.
    """

    sites: pd.DataFrame
    demand: pd.DataFrame
    suitability: pd.DataFrame
    compatibility: pd.DataFrame | None = None
    links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["link_id", "headroom_veh_h"]))
    routes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["site_id", "link_id"]))
    sectors: tuple[Sector, ...] = DEFAULT_SECTORS
    periods: tuple[str, ...] = PERIODS
    compatibility_reasons: pd.DataFrame | None = None
    expansion_cap_ha: float | None = None
    """Most hectares all expansion sites together may take (policy rule ``expansion_total_cap``)."""

    @property
    def segments(self) -> list[tuple[str, str]]:
        """All (sector, size class) pairs, sectors in the given order."""
        return [(s.id, size) for s in self.sectors for size in SIZE_CLASSES]

    @property
    def segment_ids(self) -> list[str]:
        """Segment ids in the order of :attr:`segments`."""
        return [segment_id(s, z) for s, z in self.segments]

    def capacities(self) -> pd.DataFrame:
        """Cumulative capacity per site (index ``site_id``) and period (columns)."""
        sites = self.sites.set_index("site_id")
        out = {}
        for p in self.periods:
            col = capacity_column(p)
            out[p] = sites[col] if col in sites else sites["capacity_ha"]
        return pd.DataFrame(out, index=sites.index).astype(float)

    def headrooms(self) -> pd.DataFrame:
        """Headroom per link (index ``link_id``) and period (columns)."""
        links = self.links.set_index("link_id")
        out = {}
        for p in self.periods:
            col = headroom_column(p)
            out[p] = links[col] if col in links else links["headroom_veh_h"]
        return pd.DataFrame(out, index=links.index).astype(float)

    def compatibility_matrix(self) -> pd.DataFrame:
        """Bool frame site × segment id, every segment present (missing = open)."""
        ids = self.sites["site_id"]
        comp = pd.DataFrame(True, index=pd.Index(ids, name="site_id"), columns=self.segment_ids)
        if self.compatibility is not None:
            given = self.compatibility.reindex(index=comp.index, columns=comp.columns)
            comp = given.fillna(True).astype(bool)
        return comp

    def demand_matrix(self) -> pd.Series:
        """Demand hectares indexed by (segment id, period), zero where not given."""
        d = self.demand.assign(
            segment=[segment_id(a, b) for a, b in zip(self.demand["sector"], self.demand["size_class"])]
        )
        d = d.groupby(["segment", "period"])["hectares"].sum()
        full = pd.MultiIndex.from_product([self.segment_ids, list(self.periods)], names=["segment", "period"])
        return d.reindex(full, fill_value=0.0).astype(float)

    def validate(self) -> AllocationProblem:
        """Check columns, ids, ranges and references; raise ``DataError`` naming the field."""
        if not self.periods:
            raise UserError("no planning periods given", source=SOURCE, field="periods")
        if not self.sectors:
            raise UserError("no sectors given", source=SOURCE, field="sectors")
        self._validate_sites()
        self._validate_capacities()
        _require(self.demand, ["sector", "size_class", "period", "hectares"], "demand")
        _members(self.demand["sector"], [s.id for s in self.sectors], "demand", "sector")
        _members(self.demand["size_class"], SIZE_CLASSES, "demand", "size_class")
        _members(self.demand["period"], self.periods, "demand", "period")
        _nonnegative(self.demand["hectares"], "demand", "hectares")
        self._validate_scores()
        _require(self.links, ["link_id", "headroom_veh_h"], "links")
        if self.links["link_id"].duplicated().any():
            raise DataError("duplicate link_id", source="links", field="link_id")
        _require(self.routes, ["site_id", "link_id"], "routes")
        _members(self.routes["site_id"], pd.Index(self.sites["site_id"]), "routes", "site_id")
        _members(self.routes["link_id"], self.links["link_id"], "routes", "link_id")
        return self

    def _validate_sites(self) -> None:
        """Site columns, unique ids and known kinds."""
        _require(self.sites, ["site_id", "kind", "contiguous_ha"], "sites")
        for p in self.periods:
            if capacity_column(p) not in self.sites and "capacity_ha" not in self.sites:
                raise DataError(
                    f"missing column {capacity_column(p)!r} (or capacity_ha)", source="sites", field=capacity_column(p)
                )
        if self.sites["site_id"].duplicated().any():
            dup = self.sites.loc[self.sites["site_id"].duplicated(), "site_id"].iloc[0]
            raise DataError(f"duplicate site_id {dup!r}", source="sites", field="site_id")
        bad_kind = ~self.sites["kind"].isin(SITE_KINDS)
        if bad_kind.any():
            raise DataError(
                f"unknown kind {self.sites.loc[bad_kind, 'kind'].iloc[0]!r}; expected one of {', '.join(SITE_KINDS)}",
                source="sites",
                field="kind",
            )

    def _validate_capacities(self) -> None:
        """Capacities and contiguous areas not negative, cumulative capacity never falling."""
        caps = self.capacities()
        for p in self.periods:
            _nonnegative(caps[p], "sites", capacity_column(p))
        _nonnegative(self.sites["contiguous_ha"], "sites", "contiguous_ha")
        for earlier, later in zip(self.periods, self.periods[1:]):
            shrink = caps[earlier] > caps[later] + 1e-9
            if shrink.any():
                raise DataError(
                    f"cumulative capacity falls from {earlier} to {later} at site {shrink.idxmax()!r}",
                    source="sites",
                    field=capacity_column(later),
                )

    def _validate_scores(self) -> None:
        """Suitability in [0, 1] for every site and sector; compatibility columns are known segments."""
        site_ids = pd.Index(self.sites["site_id"])
        missing = site_ids.difference(self.suitability.index)
        if len(missing):
            raise DataError(f"no suitability for site {missing[0]!r}", source="suitability", field="site_id")
        for s in (sector.id for sector in self.sectors):
            if s not in self.suitability:
                raise DataError(f"no suitability column for sector {s!r}", source="suitability", field=s)
            values = self.suitability.loc[site_ids, s]
            if values.isna().any() or (values < 0).any() or (values > 1).any():
                raise DataError("suitability must be in [0, 1] without gaps", source="suitability", field=s)
        if self.compatibility is not None:
            unknown = set(self.compatibility.columns) - set(self.segment_ids)
            if unknown:
                raise DataError(f"unknown segment {sorted(unknown)[0]!r}", source="compatibility", field="segment")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready inputs from which :func:`problem_from_dict` rebuilds this problem."""
        caps = self.capacities()
        final = caps[self.periods[-1]]
        sites = []
        for row, (sid, cap_row) in zip(self.sites.itertuples(index=False), caps.iterrows()):
            rec: dict[str, Any] = {
                "site_id": sid,
                "kind": row.kind,
                "capacity_ha": float(final[sid]),
                "contiguous_ha": float(row.contiguous_ha),
            }
            for p in self.periods:
                if cap_row[p] != final[sid]:
                    rec[capacity_column(p)] = float(cap_row[p])
            sites.append(rec)
        comp = self.compatibility_matrix()
        closed = comp.stack()
        closed = closed[~closed]
        heads = self.headrooms()
        base = self.links.set_index("link_id")["headroom_veh_h"]
        links = []
        for lid, h in heads.iterrows():
            rec = {"link_id": lid, "headroom_veh_h": float(base[lid])}
            rec.update({headroom_column(p): float(h[p]) for p in self.periods if h[p] != rec["headroom_veh_h"]})
            links.append(rec)
        return {
            "periods": list(self.periods),
            "sectors": [s.model_dump() for s in self.sectors],
            "sites": sites,
            "demand": _records(self.demand[["sector", "size_class", "period", "hectares"]]),
            "compatibility": {"closed": [{"site_id": s, "segment": g} for s, g in closed.index]},
            "compatibility_reasons": None
            if self.compatibility_reasons is None
            else _records(self.compatibility_reasons),
            "suitability": _records(
                self.suitability.loc[list(self.sites["site_id"]), [s.id for s in self.sectors]]
                .rename_axis("site_id")
                .reset_index()
            ),
            "links": links,
            "routes": _records(self.routes[["site_id", "link_id"]]),
        }


def problem_from_dict(d: dict[str, Any]) -> AllocationProblem:
    """Rebuild a problem from :meth:`AllocationProblem.to_dict` or a result's ``to_dict()``."""
    inputs = d.get("inputs", d)
    try:
        periods = tuple(inputs["periods"])
        sectors = tuple(Sector(**s) for s in inputs["sectors"])
        sites = pd.DataFrame(inputs["sites"])
        for p in periods:
            col = capacity_column(p)
            sites[col] = sites[col].fillna(sites["capacity_ha"]) if col in sites else sites["capacity_ha"]
        suit = pd.DataFrame(inputs["suitability"]).set_index("site_id")
        comp = pd.DataFrame(
            True,
            index=pd.Index(sites["site_id"], name="site_id"),
            columns=[segment_id(s.id, z) for s in sectors for z in SIZE_CLASSES],
        )
        for rec in inputs["compatibility"]["closed"]:
            comp.at[rec["site_id"], rec["segment"]] = False
        links = pd.DataFrame(inputs["links"], columns=None if inputs["links"] else ["link_id", "headroom_veh_h"])
        routes = pd.DataFrame(inputs["routes"], columns=["site_id", "link_id"])
        reasons = inputs.get("compatibility_reasons")
        return AllocationProblem(
            sites=sites,
            demand=pd.DataFrame(inputs["demand"], columns=["sector", "size_class", "period", "hectares"]),
            suitability=suit,
            compatibility=comp,
            links=links,
            routes=routes,
            sectors=sectors,
            periods=periods,
            compatibility_reasons=None if reasons is None else pd.DataFrame(reasons),
        ).validate()
    except KeyError as exc:
        raise DataError(
            f"missing key {exc.args[0]!r} in allocation inputs", source="allocation JSON", field=str(exc.args[0])
        ) from exc


def random_problem(
    n_sites: int,
    n_sectors: int = 4,
    periods: tuple[str, ...] = PERIODS,
    seed: int = 0,
    *,
    expansion_share: float = 0.15,
    demand_ratio: float = 0.5,
    sites_per_park: int = 40,
    open_share: float = 0.8,
) -> AllocationProblem:
    """A random but structured instance for tests and benchmarks.

    Capacities are log-uniform in 0.5–20 ha; sites are grouped in parks whose access link and
    one of a few shared arterial links carry their traffic (headroom limited); about
    ``expansion_share`` of the sites are expansion sites; some sites only become available in
    a later period. Total demand is ``demand_ratio`` × total capacity, split over sectors by the
    midpoints of 001 (Bijlage 3), half XXL, 60 % in the first period.
    """
    rng = np.random.default_rng(seed)
    sectors = _sectors(n_sectors)
    sites, cap = _random_sites(rng, n_sites, periods, expansion_share)
    compatibility, suitability = _random_scores(rng, list(sites["site_id"]), sectors, open_share)
    links, routes = _random_roads(rng, list(sites["site_id"]), sites_per_park)
    return AllocationProblem(
        sites=sites,
        demand=_random_demand(demand_ratio * float(cap.sum()), sectors, periods),
        suitability=suitability,
        compatibility=compatibility,
        links=links,
        routes=routes,
        sectors=sectors,
        periods=tuple(periods),
    ).validate()


def _random_sites(
    rng: np.random.Generator, n_sites: int, periods: tuple[str, ...], expansion_share: float
) -> tuple[pd.DataFrame, np.ndarray]:
    """Random sites (kinds, cumulative capacities, contiguous areas) and their full capacities."""
    ids = [f"S{i:05d}" for i in range(n_sites)]
    kind = rng.choice(
        ["available_plot", "intensification", "expansion"],
        size=n_sites,
        p=[(1 - expansion_share) * 0.35, (1 - expansion_share) * 0.65, expansion_share],
    )
    cap = np.round(np.exp(rng.uniform(np.log(0.5), np.log(20.0), n_sites)), 2)
    sites = pd.DataFrame({"site_id": ids, "kind": kind})
    avail_from = rng.choice(len(periods), size=n_sites, p=_first_period_weights(len(periods)))
    last = len(periods) - 1
    for k, p in enumerate(periods):
        share = np.where(k < avail_from, 0.0, 1.0)
        first_partly = (k == avail_from) & (k < last) & (kind == "intensification")
        sites[capacity_column(p)] = np.round(cap * np.where(first_partly, 0.6, share), 2)
    sites["contiguous_ha"] = np.round(cap * rng.uniform(0.3, 1.0, n_sites), 2)
    return sites, cap


def _random_scores(
    rng: np.random.Generator, ids: list[str], sectors: tuple[Sector, ...], open_share: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random compatibility (about ``open_share`` open) and suitability (site effect + sector effect + noise)."""
    n_sites = len(ids)
    segs = [segment_id(s.id, z) for s in sectors for z in SIZE_CLASSES]
    comp = pd.DataFrame(
        rng.random((n_sites, len(segs))) < open_share, index=pd.Index(ids, name="site_id"), columns=segs
    )
    site_effect = rng.uniform(0.1, 0.7, n_sites)[:, None]
    sector_effect = rng.uniform(0.0, 0.2, len(sectors))[None, :]
    suit = np.clip(site_effect + sector_effect + rng.normal(0, 0.1, (n_sites, len(sectors))), 0, 1)
    suitability = pd.DataFrame(np.round(suit, 3), index=pd.Index(ids, name="site_id"), columns=[s.id for s in sectors])
    return comp, suitability


def _random_roads(rng: np.random.Generator, ids: list[str], sites_per_park: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random links and routes: each park's access link and one of a few shared arterials."""
    n_sites = len(ids)
    n_parks = max(1, -(-n_sites // sites_per_park))
    n_arterials = max(1, n_parks // 8)
    park = rng.integers(0, n_parks, n_sites)
    park_arterial = rng.integers(0, n_arterials, n_parks)
    links = pd.DataFrame(
        {
            "link_id": [f"P{k:04d}" for k in range(n_parks)] + [f"A{k:03d}" for k in range(n_arterials)],
            "headroom_veh_h": np.concatenate(
                [
                    np.round(rng.uniform(150, 900, n_parks) * sites_per_park / 40, 0),
                    np.round(rng.uniform(1500, 4000, n_arterials) * n_parks / n_arterials / 4, 0),
                ]
            ),
        }
    )
    routes = pd.concat(
        [
            pd.DataFrame({"site_id": ids, "link_id": [f"P{k:04d}" for k in park]}),
            pd.DataFrame({"site_id": ids, "link_id": [f"A{park_arterial[k]:03d}" for k in park]}),
        ],
        ignore_index=True,
    )
    return links, routes


def _random_demand(total: float, sectors: tuple[Sector, ...], periods: tuple[str, ...]) -> pd.DataFrame:
    """``total`` hectares split over sectors (midpoints of 001, Bijlage 3), half XXL, 60 % in the first period."""
    n_sectors = len(sectors)
    sector_share = np.array([0.45, 0.225, 0.175, 0.10] + [0.05] * max(0, n_sectors - 4))[:n_sectors]
    sector_share = sector_share / sector_share.sum()
    period_share = np.array([0.6] + [0.4 / max(1, len(periods) - 1)] * (len(periods) - 1))
    rows = []
    for s, ss in zip(sectors, sector_share):
        for z, zs in zip(SIZE_CLASSES, (0.5, 0.5)):
            for p, ps in zip(periods, period_share):
                rows.append((s.id, z, p, round(total * ss * zs * ps, 1)))
    return pd.DataFrame(rows, columns=["sector", "size_class", "period", "hectares"])


def _sectors(n: int) -> tuple[Sector, ...]:
    base = list(DEFAULT_SECTORS[:n])
    for k in range(len(base), n):
        base.append(Sector(id=f"sector_{k}", label=f"Sector {k}", truck_trips_per_ha_day=10.0, min_env_category=3.0))
    return tuple(base)


def _first_period_weights(n_periods: int) -> list[float]:
    if n_periods == 1:
        return [1.0]
    return [0.8] + [0.2 / (n_periods - 1)] * (n_periods - 1)


def _require(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    for col in columns:
        if col not in frame:
            raise DataError(f"missing column {col!r}", source=source, field=col)


def _nonnegative(values: pd.Series, source: str, field_name: str) -> None:
    v = pd.to_numeric(values, errors="coerce")
    if v.isna().any() or (v < 0).any():
        raise DataError("values must be numbers ≥ 0", source=source, field=field_name)


def _members(values: pd.Series, allowed: Any, source: str, field_name: str) -> None:
    bad = ~pd.Series(values).isin(list(allowed))
    if bad.any():
        raise DataError(f"unknown value {pd.Series(values)[bad].iloc[0]!r}", source=source, field=field_name)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()} for rec in frame.to_dict("records")
    ]
