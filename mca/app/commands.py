"""The commands of `mca`; `mca.app.cli` registers them on the Typer app.

Only Typer, Rich and the light modules of the app are imported here: each command imports
the pipeline, the data libraries and the writers when it runs, so ``mca --help`` (and the
help of every command) starts in a fraction of a second.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from contextlib import closing, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mca.app.console import (
    FormatOpt,
    MethodOpt,
    ScenarioArg,
    SitesFormatOpt,
    SolverOpt,
    View,
    check_format,
    emit,
    err,
    frame_to_table,
    frame_view,
    handle_errors,
    out,
    plain,
)
from mca.app.output import output_targets, staged_outputs
from mca.core.errors import UserError

if TYPE_CHECKING:
    from rich.status import Status

    from mca.app import pipeline
    from mca.app.results import RunResult
    from mca.app.run_cache import CachedRun, RunCache
    from mca.app.scenario import LoadedScenario
    from mca.app.stage_cache import StageCache
    from mca.app.writer_process import Writer

DEFAULT_WORKERS = 2
"""Worker processes of the local Dask cluster of ``mca sweep`` (as `mca.app.sweep.DEFAULT_WORKERS`)."""


@handle_errors
def demand(scenario: ScenarioArg = None, fmt: FormatOpt = "table") -> None:
    """Forecast business-land demand for Heerlen (001, Bijlage 3) and split it into segments."""
    from demand import forecast
    from mca.app.demand_view import forecast_table, forecast_to_dict, segments_csv
    from mca.app.scenario import load_scenario
    from mca.inputs import demand_source_path
    from mca.inputs.demand_source import load_demand_source

    loaded = load_scenario(scenario)
    source = load_demand_source(demand_source_path(loaded.scenario.demand_source, loaded.base_dir))
    fc = forecast(loaded.scenario.demand, source)
    notes = [f"[yellow]assumption:[/] {note}" for note in fc.assumptions]
    emit(View([*forecast_table(fc), *notes], forecast_to_dict(fc), segments_csv(fc)), fmt)


@handle_errors
def check_data(
    parks: Annotated[Path | None, typer.Option(help="Park table CSV; default: the bundled one.")] = None,
    strict: Annotated[bool, typer.Option(help="Exit with status 1 when anything is reported.")] = False,
) -> None:
    """Report where the source tables disagree (Tabel 4 vs Kerncijfers, totals, jobs/ha)."""
    from demand.forecast import tabel_7_disagreements
    from mca.inputs.dataset import check_data as run_check
    from mca.inputs.dataset import format_disagreements, load_parks
    from mca.inputs.demand_source import load_demand_source

    items = run_check(load_parks(parks))
    sys.stdout.write(format_disagreements(items) + "\n")
    issuance = tabel_7_disagreements(load_demand_source().tabel_7)
    for line in issuance:
        sys.stdout.write(f"Tabel 7: {line}\n")
    count = len(items) + len(issuance)
    err.print(f"{count} finding(s)")
    if strict and count:
        raise typer.Exit(1)


def _progress() -> Status:
    """A Rich status spinner on standard error."""
    return err.status("starting", spinner="dots")


def _scored(scenario: Path | None) -> tuple[pipeline.Inputs, pipeline.Scored]:
    """Load a scenario and run it up to the scores, with progress on standard error."""
    from mca.app import pipeline
    from mca.app.scenario import load_scenario

    loaded = load_scenario(scenario)
    with _progress() as status:
        inputs = pipeline.load_inputs(loaded)
        status.update("building candidate sites")
        sites = pipeline.candidate_sites(inputs)
        scored = pipeline.score_sites(inputs, sites, progress=status.update)
    return inputs, scored


SITE_COLUMNS = ["site_id", "name", "kind", "park", "area_ha", "capacity_ha", "contiguous_ha"]


@handle_errors
def candidates(
    scenario: ScenarioArg = None,
    fmt: SitesFormatOpt = "table",
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of standard output.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
) -> None:
    """List candidate sites with their criteria values, exclusion flags and reasons."""
    import pandas as pd

    from mca.app import pipeline, views
    from mca.core.csvio import csv_text

    check_format(fmt, out_path, force=force)
    inputs, scored = _scored(scenario)
    applied = pipeline.ranking_exclusions(inputs, scored)
    sites = views.sites_with_criteria(scored, applied)
    table = pd.DataFrame(sites.drop(columns="geometry"))
    shown = table[[*SITE_COLUMNS, "excluded", "exclusion_reasons"]]
    view = View(
        [frame_to_table(shown, title=f"{len(shown)} candidate sites")],
        {"sites": views.site_records(scored, applied)},
        csv_text(table),
        sites,
    )
    emit(view, fmt, out_path)


@handle_errors
def rank(
    scenario: ScenarioArg = None,
    weights: Annotated[str | None, typer.Option("--weights", "-w", help="Named weight set of the scenario.")] = None,
    method: MethodOpt = None,
    sector: Annotated[str | None, typer.Option(help="Rank for one sector (its weight set and exclusions).")] = None,
    compare_weights: Annotated[
        str | None, typer.Option("--compare-weights", help="Compare named weight sets, e.g. A,B,C.")
    ] = None,
    top: Annotated[int, typer.Option(help="Top-k for the overlap in --compare-weights.")] = 10,
    fmt: FormatOpt = "table",
) -> None:
    """Rank the candidate sites: score, contribution of each criterion, exclusions."""
    from mca.app import pipeline, views
    from mca.core.csvio import csv_text
    from mca.scoring.ranking import ranking_weights

    inputs, scored = _scored(scenario)
    if compare_weights:
        names = [n.strip() for n in compare_weights.split(",") if n.strip()]
        emit(_comparison_view(inputs, scored, names, plain(method), top), fmt)
        return
    ranking = pipeline.ranked_list(inputs, scored, weight_set=weights, method=plain(method), sector=sector)
    columns = [
        "rank",
        "site_id",
        "name",
        "kind",
        "score",
        *[c for c in ranking if c.startswith("contrib_")],
        "exclusion_reasons",
    ]
    shown = ranking[columns].rename(columns=lambda c: c.removeprefix("contrib_"))
    title = "Ranked sites (criterion columns: contribution to the score)"
    used = ranking_weights(inputs.scenario.scoring, weights, sector, list(scored.raw.columns))
    records = views.ranking_records(ranking, scored, used)
    emit(View([frame_to_table(shown, title=title)], records, csv_text(ranking)), fmt)


def _comparison_view(
    inputs: pipeline.Inputs, scored: pipeline.Scored, names: list[str], method: str | None, top: int
) -> View:
    """The rankings under several weight sets side by side, their agreement and the movers."""
    from mca.core.csvio import csv_text
    from mca.core.jsonable import records
    from mca.scoring import compare_weight_sets

    result = compare_weight_sets(
        scored.raw,
        scored.directions,
        scored.evaluation.exclusions,
        inputs.scenario.scoring,
        names,
        method=method,
        top_k=top,
    )
    tables = {
        "ranks": result.ranks.reset_index(),
        "kendall": result.kendall,
        "top_k": result.top_k,
        "movers": result.movers.reset_index(),
    }
    titles = {
        "ranks": "Rank per weight set",
        "kendall": "Kendall's tau between rankings",
        "top_k": f"Top-{top} overlap",
        "movers": "Sites whose rank moves most",
    }
    shown = [
        frame_to_table(frame.head(25) if key in {"ranks", "movers"} else frame, title=titles[key])
        for key, frame in tables.items()
    ]
    return View(shown, {key: records(frame) for key, frame in tables.items()}, csv_text(tables["ranks"]))


@handle_errors
def robustness(
    scenario: ScenarioArg = None,
    samples: Annotated[int | None, typer.Option(help="Weight samples; default from the scenario.")] = None,
    margin: Annotated[
        float | None, typer.Option(help="Sample within ± margin of the weight set; default: whole simplex.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """SMAA-2: how often each site reaches each rank when the weights vary."""
    from mca.app import pipeline
    from mca.core.jsonable import records

    if samples is not None and samples <= 0:
        raise UserError("--samples must be positive", field="--samples")
    if margin is not None and not 0 <= margin <= 1:
        raise UserError("--margin must be between 0 and 1", field="--margin")
    inputs, scored = _scored(scenario)
    settings = inputs.scenario.scoring.smaa
    result = pipeline.robustness(
        inputs,
        scored,
        samples if samples is not None else settings.samples,
        margin if margin is not None else settings.margin,
        seed if seed is not None else settings.seed,
    )
    data = {
        "samples": result.samples,
        "scheme": result.scheme,
        "acceptability": records(result.acceptability_full.reset_index()),
        "central_weights": records(result.central_weights.reset_index()),
        "expected_rank": records(result.expected_rank.rename("expected_rank").reset_index()),
    }
    table = result.acceptability.copy()
    table.columns = [f"rank {c}" for c in table.columns]
    table.insert(0, "expected_rank", result.expected_rank)
    table = table.join(result.central_weights.add_prefix("w_")).sort_values("expected_rank").reset_index()
    emit(frame_view(table, "Rank acceptability (share of weight samples) and central weights", data=data), fmt)


@handle_errors
def allocate(scenario: ScenarioArg = None, solver: SolverOpt = None, fmt: FormatOpt = "table") -> None:
    """Allocate the forecast demand to the sites with the integer program."""
    from mca.app import pipeline
    from mca.core.csvio import csv_text

    inputs, scored = _scored(scenario)
    fc = pipeline.demand_forecast(inputs)
    with err.status(f"solving ({plain(solver) or inputs.scenario.allocation.solver})"):
        result = pipeline.allocate(inputs, scored, fc, solver=plain(solver))
    summary = result.summary.pivot_table(index="kind", columns="period", values="hectares", aggfunc="sum")
    tables = {
        "Hectares by site kind and period": summary.reset_index(),
        "Allocation": result.allocation,
        "Shortfall": result.shortfall,
        "Binding constraints": result.binding,
        "Value of one more hectare (LP shadow price, integer decisions fixed)": result.shadow_prices.sort_values(
            "value_per_ha", ascending=False
        ).head(15),
    }
    gap = "n/a" if result.gap is None else f"{result.gap:.4%}"
    status = (
        f"solver {result.solver}: {result.status}, objective {result.objective:.3f}, gap {gap}, {result.seconds:.1f} s"
    )
    shown = [frame_to_table(frame, title=title) for title, frame in tables.items() if len(frame)]
    emit(View([*shown, status, *result.notes], result.to_dict(), csv_text(result.allocation)), fmt)


OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder; one sub-folder per scenario.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace existing output folders.")]


def _run_scenario(
    item: LoadedScenario,
    then: Callable[[RunResult, Callable[[str], None]], object] | None = None,
    stages: StageCache | None = None,
    ranked: Callable[[RunResult], None] | None = None,
) -> RunResult:
    """Run one scenario with a progress line on standard error, then ``then(result, progress)``.

    ``ranked``: given the run before its allocation is solved (`mca.app.pipeline.run_scenario`).
    """
    from mca.app import pipeline

    with err.status(f"{item.scenario.name}: starting") as status:

        def step(message: str) -> None:
            status.update(f"{item.scenario.name}: {message}")

        result = pipeline.run_scenario(item, progress=step, stages=stages, ranked=ranked)
        if then is not None:
            then(result, step)
    return result


CacheOpt = Annotated[
    bool,
    typer.Option(
        "--cache/--no-cache",
        help="Reuse the files of an earlier run of the same scenario whose inputs, code and software are unchanged.",
    ),
]


@handle_errors
def run(
    scenarios: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario YAML files; default: the bundled Heerlen base case.", show_default=False, metavar="FILE..."
        ),
    ] = None,
    out_dir: OutOpt = Path("output"),
    force: ForceOpt = False,
    cache: CacheOpt = True,
) -> None:
    """Run the whole chain and write ranking, allocation, maps, workbook, GeoPackage and report."""
    from mca.app.run_cache import CachedRun, RunCache
    from mca.app.writer_process import writer

    started = time.perf_counter()
    paths: list[Path | None] = list(scenarios) if scenarios else [None]
    store = RunCache() if cache else None
    found = [store.find(path) if store else None for path in paths]
    if None in found:  # the data libraries both processes need, imported once, before the helper is forked
        importlib.import_module("geopandas")
    # the first run to compute gets its writer helper now: it imports Matplotlib and the writers while this
    # process imports the scenario's modules, loads and computes
    drawings = store.root if store is not None else None
    with writer(drawings) if None in found else nullcontext(None) as first:
        plans = [hit or _load_recorded(path) for hit, path in zip(found, paths, strict=True)]
        names = [plan.name if isinstance(plan, CachedRun) else plan[0].scenario.name for plan in plans]
        targets = output_targets(out_dir, names)
        with staged_outputs(targets, force=force) as staging:
            for path, plan, folder in zip(paths, plans, staging, strict=True):
                if isinstance(plan, CachedRun):
                    _restore(plan, folder, started)
                else:
                    # the writer helper ends here, before the staging folders are cleaned up
                    with closing(first) if first is not None else writer(drawings) as outputs:
                        _compute(path, plan, folder, staging, store, outputs)
                    first = None
    for target in targets:
        err.print(f"wrote {target}")


def _restore(run: CachedRun, folder: Path, started: float) -> None:
    """Copy the files of the earlier ``run`` into ``folder`` and say so."""
    run.restore(folder, started)
    err.print(f"[green]✓[/] {run.name}: {run.summary}", highlight=False)
    err.print(f"  reused the files of the run of {run.finished_at}: inputs, code and software unchanged")


def _load_recorded(path: Path | None) -> tuple[LoadedScenario, set[Path]]:
    """The scenario of ``path`` and the files read to load it."""
    from mca.app.run_cache import recording_reads
    from mca.app.scenario import load_scenario

    with recording_reads() as reads:
        loaded = load_scenario(path)
    return loaded, reads


def _compute(
    path: Path | None,
    item: tuple[LoadedScenario, set[Path]],
    folder: Path,
    staging: list[Path],
    store: RunCache | None,
    outputs: Writer,
) -> None:
    """Run one scenario into ``folder`` and keep its files in ``store`` for an unchanged rerun.

    ``outputs`` writes it: the writing is prepared in a second process while the chain computes,
    which draws what reads nothing of the allocation while it is solved (`mca.app.writer_process`).
    """
    from mca.app import views
    from mca.app.run_cache import StoredRun, recording_reads
    from mca.app.stage_cache import StageCache

    written: list[Path] = []
    loaded, reads = item
    with recording_reads(exclude=[*staging, *([store.root] if store else [])]) as more:

        def write(result: RunResult, progress: Callable[[str], None]) -> None:
            progress("writing the outputs")
            written.extend(outputs.write(result, folder))

        stages = StageCache(store.root) if store is not None else None
        result = _run_scenario(loaded, write, stages, ranked=outputs.ahead)
    summary = views.one_line_summary(result)
    err.print(f"[green]✓[/] {loaded.scenario.name}: {summary}", highlight=False)
    if store is None:
        return
    run = StoredRun(loaded.scenario.name, summary, str(result.solver.get("status")), list(result.input_files))
    try:
        store.store(path, run, folder, written, reads | more)
    except OSError as exc:
        err.print(f"[yellow]note:[/] the run was not kept for reuse ({exc.strerror or exc}): {store.root}")


@handle_errors
def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Two or more scenario YAML files.", show_default=False, metavar="FILE...")
    ],
    out_dir: OutOpt = Path("output/compare"),
    share: Annotated[float, typer.Option(help="No-regret: sites chosen in at least this share of scenarios.")] = 0.8,
    force: ForceOpt = False,
) -> None:
    """Compare scenarios: ranks and allocations side by side, and the no-regret set of sites."""
    from mca.app.compare import compare_runs, write_comparison
    from mca.app.reports.comparison import write_comparison_outputs
    from mca.app.scenario import load_scenario

    if len(scenarios) < 2:
        raise UserError("compare needs at least two scenario files", field="SCENARIOS")
    if not 0 < share <= 1:
        raise UserError("--share must be in (0, 1]", field="--share")
    loaded = [load_scenario(path) for path in scenarios]
    names = [item.scenario.name for item in loaded]
    if len(set(names)) != len(names):
        raise UserError(f"scenario names must differ: {', '.join(names)}", field="name")
    targets = output_targets(out_dir.parent, [out_dir.name])
    with staged_outputs(targets, force=force) as (folder,):
        results = [_run_scenario(item) for item in loaded]
        comparison = compare_runs(results, share=share)
        write_comparison(comparison, folder)
        write_comparison_outputs(comparison, results, folder)
    title = f"Programme: {share:.0%} no-regret / rest flexible (002)"
    out.print(frame_to_table(comparison.programme_summary, title=title))
    out.print(
        frame_to_table(
            comparison.no_regret.reset_index(), title=f"No-regret sites (chosen in ≥ {share:.0%} of scenarios)"
        )
    )
    err.print(f"wrote {targets[0]}")


@handle_errors
def show(scenario: ScenarioArg = None) -> None:
    """Print the scenario with every default filled in (after `extends`)."""
    import yaml

    from mca.app.scenario import load_scenario

    loaded = load_scenario(scenario)
    data = loaded.scenario.model_dump(mode="json")
    sys.stdout.write(f"# resolved from: {', '.join(str(f) for f in loaded.files)}\n")
    sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@handle_errors
def sweep(
    spec_path: Annotated[Path, typer.Argument(help="Sweep file (YAML): base scenario, grid and/or variants.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the study's sub-folder.")] = Path(
        "output/sweeps"
    ),
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler; default: an embedded local cluster.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes of the local cluster.")] = DEFAULT_WORKERS,
    serial: Annotated[bool, typer.Option(help="Run the variants one by one in this process, without Dask.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
) -> None:
    """Run a study of scenario variants on Dask: one table of outcomes and the no-regret sites."""
    from rich.progress import Progress as Bar

    from mca.app.sweep import no_regret, run_sweep, write_sweep
    from mca.app.sweep_spec import load_sweep

    spec, base = load_sweep(spec_path)
    targets = output_targets(out_dir, [spec.name])
    with staged_outputs(targets, force=force) as (folder,), Bar(console=err, transient=True) as bar:
        task = bar.add_task(f"{spec.name}: variants", total=None)
        result = run_sweep(
            spec,
            base,
            scheduler=scheduler,
            workers=workers,
            serial=serial,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        write_sweep(result, folder)
    failed = [o for o in result.outcomes if not o.ok]
    for outcome in failed:
        err.print(f"[red]✗[/] {outcome.name}: {outcome.error}", highlight=False)
    title = f"No-regret sites (placed in ≥ {spec.no_regret_share:.0%} of the successful variants)"
    out.print(frame_to_table(no_regret(result), title=title))
    err.print(f"{len(result.outcomes) - len(failed)} of {len(result.outcomes)} variants ran; wrote {targets[0]}")
