"""The road graph of the ``roads`` layer and shortest-path trees from the motorway junctions.

Roads form a graph by their end points, rounded to 0.1 m (docs/architecture.md); every road
feature is one link (``link_id`` = its position in the layer) between its two end points.
Shortest paths to the nearest junction are one multi-source Dijkstra run from all junctions
at once (`scipy.sparse.csgraph.dijkstra` with ``min_only=True``), whose predecessor tree gives
the route of every site without a path query per site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from criteria.base import FAST_NODE_CAPACITY, geometry_key
from mca.core.errors import DataError

Weight = Literal["length", "time"]

NODE_ROUNDING_M = 0.1
"""Road end points closer than this are one node (docs/architecture.md)."""
JUNCTION_SNAP_M = 50.0
"""A junction further than this from every road end point is a data error (assumption)."""
MOTORWAY_CLASS = "motorway"
ROAD_COLUMNS = ("road_id", "road_class", "speed_kmh", "capacity_veh_h", "volume_veh_h")


@dataclass(frozen=True)
class ShortestPathTree:
    """Distances from the nearest junction and the predecessor tree back to it.

    ``pred_node[n]`` / ``pred_link[n]`` are the next node and link on the way from node ``n`` to
    its junction (−1 at junctions and unreachable nodes); ``junction[n]`` is the reached node.
    """

    distance: np.ndarray
    pred_node: np.ndarray
    pred_link: np.ndarray
    junction_node: np.ndarray

    @cached_property
    def depth(self) -> np.ndarray:
        """Links from each node to its junction (0 at junctions and unreachable nodes).

        By pointer jumping, in log₂ of the deepest route passes; invariant: ``depth[n]`` links
        lead from ``n`` to ``ancestor[n]`` (−1 once past the junction).
        """
        depth = (self.pred_node >= 0).astype(np.int64)
        ancestor = self.pred_node.copy()
        jumping = np.flatnonzero(ancestor >= 0)
        while len(jumping):
            up = ancestor[jumping]
            depth[jumping] += depth[up]
            ancestor[jumping] = ancestor[up]
            jumping = jumping[ancestor[jumping] >= 0]
        return depth

    def along_paths(self, link_values: np.ndarray, reduce: np.ufunc) -> np.ndarray:
        """Per node ``reduce`` (e.g. ``np.fmin``, which skips NaN) of ``link_values`` over its path's links.

        NaN for nodes without links. By pointer jumping like `depth`: ``value[n]`` is the reduction
        over the links from ``n`` to ``ancestor[n]``; exact for min and max, whatever the order.
        """
        has_link = self.pred_node >= 0
        value = np.where(has_link, np.asarray(link_values, dtype=float)[self.pred_link.clip(0)], np.nan)
        ancestor = self.pred_node.copy()
        jumping = np.flatnonzero(has_link)
        while len(jumping):
            up = ancestor[jumping]
            value[jumping] = reduce(value[jumping], value[up])
            ancestor[jumping] = ancestor[up]
            jumping = jumping[ancestor[jumping] >= 0]
        return value

    def route_links(self, start_nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All (start position, link) pairs on the paths from ``start_nodes`` (−1: none) to their junction.

        Pairs come sorted by start position and in route order per start. The routes' lengths
        (`depth`) fix where each link goes, so all starts are walked at once, one step of the
        predecessor tree per pass, straight into the result.
        """
        start = np.asarray(start_nodes, dtype=np.int64)
        length = np.where(start >= 0, self.depth[start.clip(0)], 0)
        offset = np.cumsum(length) - length
        position = np.repeat(np.arange(len(start), dtype=np.int64), length)
        link = np.empty(len(position), dtype=np.int64)
        active = np.flatnonzero(length > 0)
        current = start[active]
        step = 0
        while len(active):
            link[offset[active] + step] = self.pred_link[current]
            current = self.pred_node[current]
            step += 1
            going = length[active] > step
            active, current = active[going], current[going]
        return position, link


@dataclass(frozen=True)
class RoadNetwork:
    """Nodes, links and junctions of the road layer, with cached shortest-path trees."""

    node_xy: np.ndarray
    node_points: np.ndarray
    link_u: np.ndarray
    link_v: np.ndarray
    length_m: np.ndarray
    time_min: np.ndarray
    links: pd.DataFrame
    junction_nodes: np.ndarray
    junction_ids: pd.Series
    entry_nodes: np.ndarray
    _entry_queries: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _routes: dict[bytes, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_layers(cls, roads: gpd.GeoDataFrame, junctions: gpd.GeoDataFrame) -> RoadNetwork:
        """Build the graph; roads need `ROAD_COLUMNS`, junctions ``junction_id`` and a point geometry."""
        speed = _road_speeds(roads)
        node_xy, link_u, link_v = _link_end_nodes(roads)
        length_m = shapely.length(roads.geometry.values)
        capacity = pd.to_numeric(roads["capacity_veh_h"], errors="coerce").to_numpy(dtype=float)
        volume = pd.to_numeric(roads["volume_veh_h"], errors="coerce").to_numpy(dtype=float)
        n_links = len(roads)
        links = pd.DataFrame(
            {
                "link_id": np.arange(n_links),
                "road_id": roads["road_id"].to_numpy(),
                "road_class": roads["road_class"].astype(str).to_numpy(),
                "capacity_veh_h": capacity,
                "volume_veh_h": volume,
                "headroom_veh_h": capacity - volume,
                "volume_capacity": np.divide(volume, capacity, out=np.full(n_links, np.nan), where=capacity > 0),
            }
        )
        local = links["road_class"].to_numpy() != MOTORWAY_CLASS
        on_local_road = np.zeros(len(node_xy), dtype=bool)
        on_local_road[link_u[local]] = on_local_road[link_v[local]] = True
        entry_nodes = np.flatnonzero(on_local_road)
        if len(entry_nodes) == 0:
            entry_nodes = np.arange(len(node_xy))
        node_points = shapely.points(node_xy)
        node_pos, junction_ids = _snap_junctions(junctions, node_points)
        return cls(
            node_xy=node_xy,
            node_points=node_points,
            link_u=link_u,
            link_v=link_v,
            length_m=length_m,
            time_min=length_m / (speed * 1000.0 / 60.0),
            links=links,
            junction_nodes=np.unique(node_pos),
            junction_ids=junction_ids,
            entry_nodes=entry_nodes,
        )

    @property
    def n_nodes(self) -> int:
        """Number of graph nodes."""
        return len(self.node_xy)

    def nearest_entry(self, geometries: np.ndarray, tree: ShortestPathTree) -> tuple[np.ndarray, np.ndarray]:
        """Per geometry its entry node and the straight-line distance to it (m).

        The entry node is the nearest node on a non-motorway road; among equally near nodes
        (e.g. several inside the site) the one closest to a junction in ``tree``, then the lowest
        node number. −1 / NaN for empty geometries.
        """
        geom_pos, entry_pos, dist = self._nearest_entry_nodes(geometries)
        candidate = self.entry_nodes[entry_pos]
        order = np.lexsort((candidate, tree.distance[candidate], geom_pos))
        geom_pos, candidate, dist = geom_pos[order], candidate[order], dist[order]
        first = np.r_[True, geom_pos[1:] != geom_pos[:-1]][: len(geom_pos)]
        node = np.full(len(geometries), -1, dtype=np.int64)
        distance = np.full(len(geometries), np.nan)
        node[geom_pos[first]] = candidate[first]
        distance[geom_pos[first]] = dist[first]
        return node, distance

    def _nearest_entry_nodes(self, geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All nearest entry nodes per geometry (positions, entry positions, distances), cached by geometry.

        The query does not depend on the tree, so the criteria that need entry nodes for the same
        sites share one STR-tree search.
        """
        key = geometry_key(geometries)
        if key not in self._entry_queries:
            index = shapely.STRtree(self.node_points[self.entry_nodes], node_capacity=FAST_NODE_CAPACITY)
            (geom_pos, entry_pos), dist = index.query_nearest(geometries, return_distance=True, all_matches=True)
            self._entry_queries.clear()
            self._entry_queries[key] = (geom_pos, entry_pos, dist)
        return self._entry_queries[key]

    @cached_property
    def length_tree(self) -> ShortestPathTree:
        """Shortest paths by length (m) from every node to its nearest junction."""
        return self._tree(self.length_m)

    @cached_property
    def time_tree(self) -> ShortestPathTree:
        """Fastest paths by free-flow travel time (min) from every node to its nearest junction."""
        return self._tree(self.time_min)

    def tree(self, weight: Weight) -> ShortestPathTree:
        """The shortest-path tree for ``weight``."""
        return self.length_tree if weight == "length" else self.time_tree

    def _tree(self, weight: np.ndarray) -> ShortestPathTree:
        proper = self.link_u != self.link_v
        a = np.minimum(self.link_u, self.link_v)[proper]
        b = np.maximum(self.link_u, self.link_v)[proper]
        w = weight[proper]
        link = np.flatnonzero(proper)
        order = np.lexsort((w, b, a))  # per node pair the lightest link first
        a, b, w, link = a[order], b[order], w[order], link[order]
        first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
        a, b, w, link = a[first], b[first], w[first], link[first]
        from scipy.sparse import csr_matrix  # lazily: every scenario load imports this module
        from scipy.sparse.csgraph import dijkstra

        n = self.n_nodes
        # explicit zero weights would be dropped from the sparse matrix: keep them as tiny weights
        matrix = csr_matrix((np.maximum(w, 1e-9), (a, b)), shape=(n, n))
        distance, pred, source = dijkstra(
            matrix, directed=False, indices=self.junction_nodes, min_only=True, return_predecessors=True
        )
        pred_node = np.where(pred >= 0, pred, -1).astype(np.int64)
        pred_link = np.full(n, -1, dtype=np.int64)
        has_pred = pred_node >= 0
        nodes = np.flatnonzero(has_pred)
        query = np.minimum(nodes, pred_node[nodes]) * n + np.maximum(nodes, pred_node[nodes])
        pred_link[nodes] = link[np.searchsorted(a * n + b, query)]
        return ShortestPathTree(
            distance=distance,
            pred_node=pred_node,
            pred_link=pred_link,
            junction_node=np.where(np.isfinite(distance), source, -1).astype(np.int64),
        )

    def junction_routes(self, geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(geometry position, link) pairs on each geometry's fastest route to its junction.

        The route starts at the entry node of `nearest_entry` and follows the time tree. The
        arrays are cached for the same geometries and read-only.
        """
        key = geometry_key(geometries)
        if key not in self._routes:
            entry, _ = self.nearest_entry(geometries, self.time_tree)
            self._routes.clear()
            position, link = self.time_tree.route_links(entry)
            position.flags.writeable = link.flags.writeable = False  # shared by every caller
            self._routes[key] = (position, link)
        return self._routes[key]


def _road_speeds(roads: gpd.GeoDataFrame) -> np.ndarray:
    """The roads' speeds (km/h), after checking the columns, that there are roads and speeds > 0."""
    missing = [c for c in ROAD_COLUMNS if c not in roads.columns]
    if missing:
        raise DataError(f"roads layer lacks column(s) {', '.join(missing)}", source="roads", field=missing[0])
    if len(roads) == 0:
        raise DataError("the roads layer is empty", source="roads")
    speed = pd.to_numeric(roads["speed_kmh"], errors="coerce").to_numpy(dtype=float)
    if not (speed > 0).all():
        bad = roads["road_id"].to_numpy()[~(speed > 0)][:5]
        raise DataError(
            f"speed_kmh must be positive; not so for road_id {', '.join(map(str, bad))}",
            source="roads",
            field="speed_kmh",
        )
    return speed


def _link_end_nodes(roads: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node coordinates and each road's end nodes; ends within the rounding share a node."""
    coords, owner = shapely.get_coordinates(roads.geometry.values, return_index=True)
    if (np.bincount(owner, minlength=len(roads)) == 0).any():
        raise DataError("some roads have an empty or missing geometry", source="roads", field="geometry")
    first = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    last = np.r_[first[1:] - 1, len(owner) - 1]
    ends = np.vstack([coords[first], coords[last]])
    keys = np.round(ends / NODE_ROUNDING_M).astype(np.int64)
    unique_keys, inverse = np.unique(keys[:, 0] * (1 << 32) + keys[:, 1], return_inverse=True)
    node_xy = np.zeros((len(unique_keys), 2))
    node_xy[inverse] = ends
    return node_xy, inverse[: len(roads)], inverse[len(roads) :]


def _snap_junctions(junctions: gpd.GeoDataFrame, node_points: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Each junction's node and the junction id per node; a junction must lie on a road end."""
    if "junction_id" not in junctions.columns:
        raise DataError("junctions layer lacks column junction_id", source="junctions", field="junction_id")
    if len(junctions) == 0:
        raise DataError("no motorway junctions in the junctions layer", source="junctions")
    node_tree = shapely.STRtree(node_points)
    (j_pos, node_pos), snap = node_tree.query_nearest(
        junctions.geometry.values, return_distance=True, all_matches=False
    )
    if len(j_pos) < len(junctions) or (snap > JUNCTION_SNAP_M).any():
        far = junctions["junction_id"].to_numpy()[j_pos[snap > JUNCTION_SNAP_M]][:5]
        raise DataError(
            f"junction(s) {', '.join(map(str, far))} lie more than {JUNCTION_SNAP_M:.0f} m from every road end "
            "point (junctions must lie on a road vertex)",
            source="junctions",
            field="geometry",
        )
    junction_ids = pd.Series(junctions["junction_id"].to_numpy()[j_pos], index=node_pos)
    return node_pos, junction_ids[~junction_ids.index.duplicated()]
