"""The study behind `mca sweep SPEC.yaml`: run every variant on Dask and tabulate the outcomes.

Each variant is one scenario (the base scenario with the spec's overrides) run through the
pipeline's stage calls: demand, candidates, criteria, scores, ranking, allocation. Variants run
as tasks on a `dask.distributed` cluster: an embedded `LocalCluster` by default, or the
scheduler at ``--scheduler ADDRESS``; ``--serial`` runs them one by one in this process. Every
task is a pure function of (base scenario, overrides), so the tables are the same whichever
way they run. A variant that fails is reported with its error and the others go on.

Within one worker process, inputs and criteria evaluations are cached by the settings they
depend on, so variants that differ only in demand, weights or allocation do not re-read the
layers or re-run the criteria. On a cluster, variants go in chunks (one task runs several, in
order) so that the client, scheduler and workers handle fewer, larger tasks; a chunk that is
lost is run again variant by variant, so only a variant that breaks its worker fails.

On a cluster, each variant holds HiGHS to one thread unless the scenario sets
``allocation.threads`` (see `solver_threads`): the cluster is parallel across variants, and
HiGHS's default scheduler (here two threads on two cores) adds a thread that cost 20 of 144 CPU
seconds of 240 variants on two workers (``benchmarks/bench_sweep_overheads.py``), taken from the
other worker. Serially HiGHS keeps its default: there the second core is free and its thread
makes a variant ~4 % faster. The tables of 1,008 variants are the same either way.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd

from mca.app import pipeline
from mca.app.scenario import LoadedScenario, validate_scenario
from mca.app.sweep_spec import SweepSpec, Variant, variants
from mca.core.csvio import write_csv
from mca.core.errors import UserError
from mca.inputs.scenario_files import read_scenario_chain

CHOSEN_HA = 1e-6
"""A site counts as chosen in a variant when more than this many hectares are placed on it."""
CACHE_SIZE = 8
"""Inputs and criteria evaluations kept per worker process (assumption: a handful of layer sets)."""
DEFAULT_WORKERS = 2
SOLVER_THREADS = 1
"""HiGHS threads per variant on a cluster when the scenario sets none: it is parallel across variants."""
CHUNKS_PER_THREAD = 8
"""A cluster run splits the variants into at least this many tasks per worker thread where it can,
so that the last tasks leave no thread idle for long (assumption)."""
MAX_CHUNK = 8
"""Most variants in one task: enough to make the per-task cost small (measured: ~10 ms of client and
worker CPU per task), few enough that the progress bar moves every few seconds (assumption)."""
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}
"""Dask settings of the embedded cluster's workers: the statistical profiler (a stack sample every
10 ms, ~13 ms of worker CPU per variant measured) is off, as nobody reads it here."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class VariantOutcome:
    """What one variant gives: its totals, hectares per site and best-ranked sites, or its error."""

    number: int
    name: str
    overrides: dict[str, Any]
    error: str | None = None
    totals: dict[str, float] = field(default_factory=dict)
    site_hectares: dict[str, float] = field(default_factory=dict)
    top_sites: list[tuple[str, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the variant ran to the end."""
        return self.error is None


@dataclass(frozen=True)
class SweepResult:
    """The outcomes of all variants (in variant order) and the optional chunked SMAA."""

    spec: SweepSpec
    outcomes: list[VariantOutcome]
    smaa_acceptability: pd.DataFrame | None = None


# --- one variant (runs on a worker) -------------------------------------------------------------


@lru_cache(maxsize=4)
def _base_chain(base: str) -> tuple[dict[str, Any], dict[Any, tuple[Path, int]], tuple[Path, ...]]:
    """The base scenario's YAML chain, read once per process."""
    data, origin, files = read_scenario_chain(Path(base))
    data.setdefault("name", Path(base).stem)
    return data, origin, tuple(files)


def variant_scenario(base: str, variant: Variant) -> LoadedScenario:
    """The validated scenario of one variant (UserError naming the base file and field)."""
    from mca.app.sweep_spec import apply_overrides

    data, origin, files = _base_chain(base)
    data = apply_overrides(data, variant.overrides)
    data["name"] = variant.name
    scenario = validate_scenario(data, origin, Path(base))
    return LoadedScenario(scenario=scenario, path=Path(base), files=list(files))


_CACHE: dict[Hashable, Any] = {}


def _cached(key: Hashable, make: Callable[[], Any]) -> Any:
    """``make()`` once per key in this process, keeping the newest `CACHE_SIZE` entries."""
    if key not in _CACHE:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = make()
    return _CACHE[key]


def _settings_key(*parts: Any) -> str:
    """A cache key of settings (pydantic models or plain values), as canonical JSON."""
    dumped = [part.model_dump(mode="json") if hasattr(part, "model_dump") else part for part in parts]
    return json.dumps(dumped, sort_keys=True, default=str)


def _inputs_and_scores(loaded: LoadedScenario) -> tuple[pipeline.Inputs, pipeline.Scored]:
    """The variant's inputs and scores, from this process's cache when the settings match."""
    s = loaded.scenario
    input_key = _settings_key(str(loaded.base_dir), s.layers, s.parks_table, s.demand_source, s.candidates, s.criteria)
    data = _cached(("inputs", input_key), lambda: pipeline.load_inputs(loaded).data)
    inputs = pipeline.Inputs(loaded=loaded, data=data)
    score_key = ("scores", input_key, _settings_key(s.scoring, s.sectors))
    scored = _cached(score_key, lambda: pipeline.score_sites(inputs, pipeline.candidate_sites(inputs)))
    return inputs, scored


@contextmanager
def solver_threads(threads: int | None) -> Iterator[None]:
    """HiGHS held to ``threads`` (default `SOLVER_THREADS`) in this thread while the block runs.

    HiGHS makes a task scheduler for the calling thread at that thread's first solve and keeps
    it: a later ``threads`` option does not resize it (a different explicit value is an error).
    So the scheduler is dropped and made anew with the wanted size (an empty model solved), and
    dropped again afterwards, leaving the thread as before its first solve (~0.2 ms both ways).
    """
    highspy.Highs.resetGlobalScheduler(True)
    first = highspy.Highs()
    first.setOptionValue("output_flag", False)
    first.setOptionValue("threads", threads or SOLVER_THREADS)
    first.run()
    try:
        yield
    finally:
        highspy.Highs.resetGlobalScheduler(True)


def run_variant(base: str, variant: Variant, top_k: int, *, one_thread: bool = False) -> VariantOutcome:
    """Run one variant; any error becomes the outcome's ``error`` (one line), never an exception.

    ``one_thread``: HiGHS held to one thread (`solver_threads`) unless the scenario sets its threads.
    """
    try:
        return _run_variant(base, variant, top_k, one_thread)
    except UserError as exc:
        return VariantOutcome(variant.number, variant.name, variant.overrides, error=exc.one_line())
    except Exception as exc:  # a failed variant must not stop the sweep
        return VariantOutcome(variant.number, variant.name, variant.overrides, error=_one_line(exc))


def _one_line(exc: BaseException) -> str:
    """An exception as ``Type: first line of its message``."""
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {message}"


def run_chunk(base: str, chunk: list[Variant], top_k: int) -> list[VariantOutcome]:
    """Run variants one after the other (one cluster task), HiGHS held to one thread.

    Each variant's error stays in its outcome.
    """
    return [run_variant(base, variant, top_k, one_thread=True) for variant in chunk]


def _run_variant(base: str, variant: Variant, top_k: int, one_thread: bool) -> VariantOutcome:
    loaded = variant_scenario(base, variant)
    inputs, scored = _inputs_and_scores(loaded)
    fc = pipeline.demand_forecast(inputs)
    ranking = pipeline.ranked_list(inputs, scored)
    with solver_threads(loaded.scenario.allocation.threads) if one_thread else nullcontext():
        result = pipeline.allocate(inputs, scored, fc)
    allocation = result.allocation
    per_site = allocation.groupby("site_id")["hectares"].sum() if len(allocation) else pd.Series(dtype=float)
    placed = math.fsum(per_site.to_numpy(dtype=float))
    shortfall = math.fsum(result.shortfall["hectares"].to_numpy(dtype=float)) if len(result.shortfall) else 0.0
    outlet = result.shortfall.get("regional_outlet_ha")  # shortfall the policy sends to the regional outlet
    totals = {
        "demand_ha": fc.total_heerlen_ha,
        "placed_ha": placed,
        "shortfall_ha": shortfall,
        "regional_outlet_ha": math.fsum(outlet.to_numpy(dtype=float)) if outlet is not None else 0.0,
        "parkstad_demand_ha": fc.allocation.parkstad_2040_ha,
        "rounding_ha": math.fsum(result.rounding["hectares"].to_numpy(dtype=float)) if len(result.rounding) else 0.0,
        "sites_chosen": float((per_site > CHOSEN_HA).sum()),
        "objective": float(result.objective),
    }
    placed_sites = {str(k): float(v) for k, v in per_site.items() if v > CHOSEN_HA}
    best = ranking[~ranking["excluded"]].sort_values("rank", kind="stable").head(top_k)
    top = [(str(site), float(score)) for site, score in zip(best["site_id"], best["score"], strict=True)]
    return VariantOutcome(variant.number, variant.name, variant.overrides, None, totals, placed_sites, top)


# --- running the sweep ---------------------------------------------------------------------------


def run_sweep(
    spec: SweepSpec,
    base: Path,
    *,
    scheduler: str | None = None,
    workers: int = DEFAULT_WORKERS,
    serial: bool = False,
    progress: Progress | None = None,
    chunk: int | None = None,
) -> SweepResult:
    """Every variant's outcome, in variant order, run serially or on a Dask cluster.

    ``chunk`` is the number of variants per cluster task; default: `chunk_size` of the cluster.
    """
    todo = list(variants(spec))
    if serial:
        outcomes = []
        for done, variant in enumerate(todo, start=1):
            outcomes.append(run_variant(str(base), variant, spec.top_k))
            if progress:
                progress(done, len(todo))
        smaa_table = chunked_smaa(spec, base, map_chunks=lambda f, items: [f(*item) for item in items])
        return SweepResult(spec, outcomes, smaa_table)
    with _client(scheduler, workers) as client:
        size = chunk or chunk_size(len(todo), sum(client.nthreads().values()))
        outcomes = _run_on_cluster(client, str(base), todo, spec.top_k, size, progress)

        def on_cluster(function: Callable[..., Any], items: list[tuple[Any, ...]]) -> list[Any]:
            return client.gather([client.submit(function, *item, pure=False) for item in items])

        smaa_table = chunked_smaa(spec, base, map_chunks=on_cluster)
    return SweepResult(spec, outcomes, smaa_table)


def chunk_size(n_variants: int, threads: int) -> int:
    """Variants per task: `CHUNKS_PER_THREAD` tasks per worker thread or more, `MAX_CHUNK` at most."""
    return max(1, min(MAX_CHUNK, n_variants // (max(threads, 1) * CHUNKS_PER_THREAD)))


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A Dask client on ``scheduler``, or on an embedded local cluster of ``workers`` processes."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise UserError(f"cannot reach the Dask scheduler: {exc}", field="--scheduler") from None
        with client:
            yield client
        return
    with warnings.catch_warnings(), dask.config.set(WORKER_CONFIG):  # the nannies pass it to their workers
        warnings.simplefilter("ignore", UserWarning)  # "port 8787 is already in use": the dashboard is not used
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
    with cluster, Client(cluster) as client:
        yield client


def _run_on_cluster(
    client: Any, base: str, todo: list[Variant], top_k: int, size: int, progress: Progress | None
) -> list[VariantOutcome]:
    """Submit the variants in chunks of ``size`` and collect the outcomes in variant order.

    A chunk whose task is lost (its worker died, or it could not run) is submitted again one
    variant per task; a single variant that is lost becomes a failed outcome.
    """
    from dask.distributed import as_completed

    def submit(chunk: list[Variant]) -> Any:
        future = client.submit(run_chunk, base, chunk, top_k, key=f"sweep-{chunk[0].name}-{len(chunk)}")
        pending[future] = chunk
        return future

    pending: dict[Any, list[Variant]] = {}
    queue = as_completed([submit(todo[i : i + size]) for i in range(0, len(todo), size)])
    outcomes: dict[int, VariantOutcome] = {}
    for future in queue:
        chunk = pending.pop(future)
        try:
            results = future.result()
        except Exception as exc:  # a worker died or the task could not run
            if len(chunk) > 1:
                for variant in chunk:
                    queue.add(submit([variant]))
                continue
            variant = chunk[0]
            results = [VariantOutcome(variant.number, variant.name, variant.overrides, error=_one_line(exc))]
        outcomes.update((outcome.number, outcome) for outcome in results)
        if progress:
            progress(len(outcomes), len(todo))
    return [outcomes[variant.number] for variant in todo]


def smaa_chunk(base: str, samples: int, seed: int) -> tuple[pd.DataFrame, int]:
    """Rank-acceptability counts (site × rank) of ``samples`` SMAA-2 weight samples of the base scenario."""
    loaded = variant_scenario(base, Variant(number=0, name="smaa", overrides={}))
    inputs, scored = _inputs_and_scores(loaded)
    settings = loaded.scenario.scoring.smaa
    result = pipeline.robustness(inputs, scored, samples, settings.margin, seed)
    return result.acceptability_full * samples, samples


def chunked_smaa(
    spec: SweepSpec, base: Path, map_chunks: Callable[[Callable[..., Any], list[tuple[Any, ...]]], list[Any]]
) -> pd.DataFrame | None:
    """SMAA-2 rank acceptability of the base scenario over ``spec.smaa_samples``, in seeded chunks.

    Chunk ``i`` draws its samples with the ``i``-th seed of ``numpy.random.SeedSequence(base seed)``,
    so the table depends only on the spec, not on where the chunks run.
    """
    if not spec.smaa_samples:
        return None
    sizes = [min(spec.smaa_chunk, spec.smaa_samples - start) for start in range(0, spec.smaa_samples, spec.smaa_chunk)]
    base_seed = variant_scenario(str(base), Variant(number=0, name="smaa", overrides={})).scenario.scoring.smaa.seed
    seeds = np.random.SeedSequence(base_seed).generate_state(len(sizes), dtype=np.uint32)
    parts = map_chunks(smaa_chunk, [(str(base), size, int(seed)) for size, seed in zip(sizes, seeds, strict=True)])
    counts = sum(part[0] for part in parts)
    return counts / sum(part[1] for part in parts)


# --- tables --------------------------------------------------------------------------------------


def variant_table(result: SweepResult) -> pd.DataFrame:
    """One row per variant: its overrides, status, error and totals."""
    rows = []
    for outcome in result.outcomes:
        overrides = {path: _cell(value) for path, value in outcome.overrides.items()}
        status = {"status": "ok" if outcome.ok else "failed", "error": outcome.error or ""}
        rows.append({"variant": outcome.name, **overrides, **status, **outcome.totals})
    return pd.DataFrame(rows)


def tidy_table(result: SweepResult) -> pd.DataFrame:
    """The outputs of every successful variant in long form: ``variant, measure, site_id, value``.

    Measures: the totals (no site), ``site_ha`` (hectares placed per site), ``top_k_rank`` (the
    rank of each of the best-ranked sites) and ``top_k_score``.
    """
    rows: list[tuple[str, str, str, float]] = []
    for outcome in result.outcomes:
        if not outcome.ok:
            continue
        rows += [(outcome.name, measure, "", value) for measure, value in outcome.totals.items()]
        rows += [(outcome.name, "site_ha", site, ha) for site, ha in sorted(outcome.site_hectares.items())]
        for rank, (site, score) in enumerate(outcome.top_sites, start=1):
            rows += [(outcome.name, "top_k_rank", site, float(rank)), (outcome.name, "top_k_score", site, score)]
    return pd.DataFrame(rows, columns=["variant", "measure", "site_id", "value"])


def no_regret(result: SweepResult) -> pd.DataFrame:
    """Sites placed on in at least the spec's share of the successful variants, most often first."""
    ok = [outcome for outcome in result.outcomes if outcome.ok]
    hectares = pd.DataFrame({o.name: pd.Series(o.site_hectares, dtype=float) for o in ok}).fillna(0.0)
    columns = ["site_id", "chosen_in", "share_chosen", "mean_ha", "min_ha", "max_ha"]
    if hectares.empty:
        return pd.DataFrame(columns=columns)
    chosen = hectares > CHOSEN_HA
    table = pd.DataFrame(
        {
            "chosen_in": chosen.sum(axis=1).astype(int),
            "share_chosen": chosen.sum(axis=1) / len(ok),
            "mean_ha": hectares.sum(axis=1) / len(ok),
            "min_ha": hectares.reindex(columns=[o.name for o in ok]).min(axis=1),
            "max_ha": hectares.max(axis=1),
        }
    )
    table = table[table["share_chosen"] >= result.spec.no_regret_share - 1e-9]
    table = table.rename_axis("site_id").reset_index()
    return table.sort_values(["chosen_in", "mean_ha", "site_id"], ascending=[False, False, True], kind="stable")[
        columns
    ].reset_index(drop=True)


def _cell(value: Any) -> Any:
    """A scalar for a table cell (mappings and lists as compact JSON)."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def write_sweep(result: SweepResult, folder: Path) -> list[Path]:
    """The sweep's tables as CSV in ``folder``: variants, tidy results, no-regret programme (and SMAA)."""
    tables = {
        "variants.csv": variant_table(result),
        "results.csv": tidy_table(result),
        "no_regret.csv": no_regret(result),
    }
    if result.smaa_acceptability is not None:
        tables["smaa_acceptability.csv"] = result.smaa_acceptability.reset_index()
    return [write_csv(frame, folder / name) for name, frame in tables.items()]
