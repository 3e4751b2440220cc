"""Drawings reused by the data they draw: a view draws what the whole run draws, and changed data are redrawn."""

from __future__ import annotations

import dataclasses
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from mca.app import pipeline
from mca.app.i18n import Language
from mca.app.reports import charts, draw_ahead, maps, reuse, write_all
from mca.app.results import RunResult
from mca.app.run_cache import DrawingStore, drawing_store, reusing_drawings
from mca.app.scenario import load_scenario
from mca.core.paths import SCENARIO_DIR

EN = Language("en")


def draw_both(result: RunResult, folder: Path) -> dict[str, tuple[bytes, bytes]]:
    """Each reusable drawing made from the whole run and from its view: name → (whole, view)."""
    colours = maps.sector_colours(result)
    cases: list[tuple[str, Callable[..., Path], Callable[[RunResult], RunResult], tuple[object, ...]]] = [
        ("exclusions", maps.exclusions_map, reuse.exclusions_view, ()),
        ("criteria", maps.criteria_map, reuse.criteria_view, ()),
        ("demand", charts.demand_chart, reuse.demand_view, (colours,)),
        ("allocation", maps.allocation_map, reuse.allocation_view, ()),
        ("answer", maps.answer_map, reuse.allocation_view, ()),
        ("allocation_chart", charts.allocation_chart, reuse.allocation_chart_view, ()),
        ("acceptability", charts.acceptability_chart, reuse.acceptability_view, ()),
        ("suitability", maps.suitability_map, reuse.suitability_view, ()),
        ("stability", charts.stability_chart, reuse.stability_view, ()),
    ]
    images = {}
    for name, draw, view, extra in cases:
        whole, part = folder / f"{name}_whole.png", folder / f"{name}_view.png"
        draw(result, whole, EN, *extra)
        draw(view(result), part, EN, *extra)
        images[name] = (whole.read_bytes(), part.read_bytes())
    return images


@pytest.mark.parametrize("schematic", [True, False])
def test_a_view_draws_the_bytes_of_the_whole_run(make_run_result, tmp_path: Path, schematic: bool) -> None:
    result = make_run_result(tmp_path / "inputs", schematic=schematic)
    for name, (whole, view) in draw_both(result, tmp_path).items():
        assert whole == view, name


@pytest.fixture(scope="module")
def heerlen(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, RunResult]:
    """The Heerlen base case before its allocation (as handed to ``ranked``) and whole."""
    scenario = tmp_path_factory.mktemp("scenario") / "quick.yaml"
    scenario.write_text(f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: quick\n")
    before: list[RunResult] = []
    result = pipeline.run_scenario(load_scenario(scenario), ranked=before.append)
    return before[0], result


def test_a_view_draws_the_bytes_of_the_whole_heerlen_run(heerlen: tuple[RunResult, RunResult], tmp_path: Path) -> None:
    _, result = heerlen
    assert len(result.exclusions) and len(result.allocation) and result.acceptability is not None and result.schematic
    for name, (whole, view) in draw_both(result, tmp_path).items():
        assert whole == view, name


def stored(folder: Path) -> set[str]:
    """The keys of the drawing store under ``folder``."""
    return {p.name for p in (folder / "drawings").iterdir()} if (folder / "drawings").exists() else set()


def test_what_is_drawn_ahead_of_the_allocation_is_what_the_whole_run_draws(
    heerlen: tuple[RunResult, RunResult], tmp_path: Path
) -> None:
    """The drawings made from the run before its allocation are copied, unchanged, when the whole run is written."""
    before, result = heerlen
    assert tuple(maps.MAP_VIEWS) == maps.MAP_FILES and set(maps.AHEAD_FILES) <= {*maps.MAP_FILES, *charts.CHART_FILES}
    assert before.allocation.empty and before.solver == {} and result.ranking.equals(before.ranking)
    with reusing_drawings(tmp_path / "cache"):
        assert draw_ahead(before, until=lambda: True) == 0 and not stored(tmp_path / "cache")
        assert draw_ahead(before, until=lambda: False) == len(maps.AHEAD_FILES) == 5
        ahead = stored(tmp_path / "cache")
        write_all(result, tmp_path / "reused")
    # the whole run found each drawing made ahead: only the others are new, with the underlay of the answer
    # map's extent (zoomed to the allocated sites; the maps of the whole area share the one made ahead)
    new = stored(tmp_path / "cache") - ahead
    assert len(new) == len(maps.MAP_VIEWS) + len(charts.CHART_FILES) - len(maps.AHEAD_FILES) + 1 == 5
    serial = tmp_path / "drawn"
    write_all(result, serial)
    for name in maps.AHEAD_FILES:
        assert (tmp_path / "reused" / name).read_bytes() == (serial / name).read_bytes(), name


def test_a_change_of_weights_that_reorders_the_ranking_keeps_the_weight_free_views(
    heerlen: tuple[RunResult, RunResult], tmp_path: Path
) -> None:
    """The criteria and exclusions maps and the acceptability chart are reused across a workshop's weight changes."""
    _, result = heerlen
    scenario = tmp_path / "reweighted.yaml"
    others = ("road_access", "access_pressure", "env_space", "size_shape", "public_transport")
    weights = {"adjacency": 5.0, **dict.fromkeys(others, 1.0)}
    scenario.write_text(
        f"extends: {SCENARIO_DIR / 'heerlen_base.yaml'}\nname: quick\nscoring:\n  default_weight_set: workshop\n"
        f"  weight_sets:\n    workshop: {{method: direct, weights: {weights}}}\n",
        encoding="utf-8",
    )
    before: list[RunResult] = []
    pipeline.run_scenario(load_scenario(scenario), ranked=before.append)
    reweighted = before[0]
    assert list(reweighted.ranking["site_id"]) != list(result.ranking["site_id"])  # the ranking is reordered
    for view in (reuse.criteria_view, reuse.exclusions_view, reuse.acceptability_view):
        assert reuse.canonical_bytes(view(reweighted)) == reuse.canonical_bytes(view(result)), view.__name__


def test_maps_over_a_stored_underlay_are_the_maps_drawn_whole(
    heerlen: tuple[RunResult, RunResult], tmp_path: Path
) -> None:
    """Maps of the whole area share one stored underlay (context, notes), and drawn over it give the same bytes."""
    _, result = heerlen
    plain = maps.allocation_map(result, tmp_path / "plain.png", EN).read_bytes()
    with reusing_drawings(tmp_path / "cache"):
        maps.suitability_map(result, tmp_path / "suitability.png", EN)  # makes the underlay of the whole area
        underlays = stored(tmp_path / "cache")
        over = maps.allocation_map(result, tmp_path / "over.png", EN).read_bytes()
        assert len(underlays) == 1 and stored(tmp_path / "cache") == underlays  # reused, not made again
        maps.answer_map(result, tmp_path / "answer.png", EN)  # zoomed to the allocated sites: its own
        assert len(stored(tmp_path / "cache")) == 2
    assert over == plain


def counting() -> tuple[Callable[..., Path], list[int]]:
    """A drawing function that writes its view's exclusion reasons, and the list of its calls."""
    calls: list[int] = []

    def draw(view: RunResult, path: Path, lang: Language) -> Path:
        calls.append(1)
        path.write_text("|".join(view.exclusions["reason"].astype(str)) + lang.code, encoding="utf-8")
        return path

    return draw, calls


def test_a_drawing_is_reused_until_the_data_it_draws_change(make_run_result, tmp_path: Path) -> None:
    result = make_run_result(tmp_path / "inputs")
    (draw, calls), path = counting(), tmp_path / "out.png"
    reuse.drawn(draw, reuse.exclusions_view(result), path, EN)  # outside a block: always drawn
    assert len(calls) == 1 and drawing_store() is None
    with reusing_drawings(tmp_path / "cache") as store:
        assert drawing_store() is store
        reuse.drawn(draw, reuse.exclusions_view(result), path, EN)
        first = path.read_bytes()
        path.unlink()
        weights = {name: 2 * w for name, w in result.weights.items()}  # not drawn by the exclusions map
        reuse.drawn(draw, reuse.exclusions_view(dataclasses.replace(result, weights=weights)), path, EN)
        assert len(calls) == 2 and path.read_bytes() == first
        changed = result.exclusions.assign(reason=result.exclusions["reason"].astype(str) + " (edited)")
        reuse.drawn(draw, reuse.exclusions_view(dataclasses.replace(result, exclusions=changed)), path, EN)
        assert len(calls) == 3 and path.read_bytes() != first
        reuse.drawn(draw, reuse.exclusions_view(result), path, Language("nl"))  # another language
        assert len(calls) == 4
    assert drawing_store() is None


def test_keys_differ_by_data_and_the_store_keeps_the_most_recently_used(tmp_path: Path) -> None:
    store = DrawingStore(tmp_path)
    assert store.key(b"data") == DrawingStore(tmp_path).key(b"data") != store.key(b"other")
    for i in range(5):
        store.put(str(i), bytes([i]))
        os.utime(store.root / str(i), ns=(i * 10**9, i * 10**9))
    assert store.get("1") == bytes([1]) and store.get("missing") is None  # "1" is now the newest
    store.prune(keep=2)
    assert sorted(p.name for p in store.root.iterdir()) == ["1", "4"]
    damaged = store.root / "4"
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"\x05")
    assert store.get("4") is None  # a damaged image is a miss: it is drawn again


def test_a_view_is_reused_after_its_data_went_through_a_pickle(make_run_result, tmp_path: Path) -> None:
    """The stage cache and the writer process hand the data on pickled: the drawing's key stays the same."""
    result = make_run_result(tmp_path / "inputs")
    copied = pickle.loads(pickle.dumps(result, protocol=5))
    assert pickle.dumps(result.parks, protocol=5) != pickle.dumps(copied.parks, protocol=5)  # memo differs
    assert reuse.canonical_bytes(reuse.exclusions_view(result)) == reuse.canonical_bytes(reuse.exclusions_view(copied))
    (draw, calls), path = counting(), tmp_path / "out.png"
    with reusing_drawings(tmp_path / "cache"):
        reuse.drawn(draw, reuse.exclusions_view(result), path, EN)
        reuse.drawn(draw, reuse.exclusions_view(copied), path, EN)
    assert len(calls) == 1
