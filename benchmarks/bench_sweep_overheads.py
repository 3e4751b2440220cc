"""Benchmark: where a Dask sweep's CPU goes, thread by thread, with each throughput fix on and off.

Runs the first ``--variants`` of `bench_sweep.study` (default 240) in this process as one cluster
task (`mca.app.sweep.run_chunk`, HiGHS at its default and held to one thread) and on a
`LocalCluster` made here like the sweep's own (one thread per worker process), reached through
``run_sweep(scheduler=...)`` so that the worker threads can be read before it closes.
Each configuration adds one fix to the one before:

* ``highs default``: HiGHS sizes its per-thread scheduler itself (``SOLVER_THREADS = 0`` on the
  workers: half the cores, a second thread on this 2-core machine), the Dask profiler on, one
  variant per task: the sweep before the fixes;
* ``highs 1 thread``: `mca.app.sweep.solver_threads` holds HiGHS to one thread;
* ``no profiler``: the workers' statistical profiler (a stack sample every 10 ms) off;
* ``chunks``: the sweep's chunks (`mca.app.sweep.chunk_size`), i.e. the sweep as it is now.

The serial runs check that HiGHS on one thread gives the tables of its default.
For each it prints wall seconds and the CPU seconds (``/proc/<pid>/task/<tid>/stat``, user +
system) of the variants' task threads, the other Python threads of the workers (event loop,
profiler), the rest of the workers (native threads such as HiGHS's scheduler, and threads that
have ended) and this process (client, scheduler, nannies), and `uptime`'s load. With
``--lock FILE`` each timed run holds an exclusive lock on FILE.
CPU seconds are the finding; wall seconds are upper bounds when other work shares the machine.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_sweep_overheads.py [--variants 240] [--workers 2]
        [--lock /tmp/bench.lock]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import dask

import mca.app.sweep as sweep
from benchmarks.bench_sweep import BASE, held, study
from mca.app.sweep_spec import variants

CONFIGS = {  # name: (HiGHS threads per variant, worker profiler on, variants per task or None = the sweep's)
    "highs default": (0, True, 1),
    "highs 1 thread": (1, True, 1),
    "no profiler": (1, False, 1),
    "chunks": (1, False, None),
}
TICK = os.sysconf("SC_CLK_TCK")


def _cpu(stat: Path) -> float:
    """User + system seconds in a ``/proc`` stat file."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def thread_cpu() -> dict[str, float]:
    """CPU seconds of this process by kind of thread: ``task``, ``python`` and ``native``.

    ``task``: Dask's task threads; ``python``: the other live Python threads; ``native``: the rest
    (threads not started by Python, such as HiGHS's scheduler and BLAS, and threads that have ended).
    """
    python = {thread.native_id: thread.name for thread in threading.enumerate()}
    kinds = {"task": 0.0, "python": 0.0}
    for tid, name in python.items():
        stat = Path(f"/proc/self/task/{tid}/stat")
        if stat.exists():
            kinds["task" if "Dask-Default-Threads" in name else "python"] += _cpu(stat)
    kinds["native"] = _cpu(Path("/proc/self/stat")) - kinds["task"] - kinds["python"]
    return kinds


def set_solver_threads(threads: int) -> None:
    """``SOLVER_THREADS`` of the sweep in this process (0 = HiGHS's own default)."""
    sweep.SOLVER_THREADS = threads


def serial_run(n: int, threads: int, lock: Path | None) -> dict[str, Any]:
    """The variants in this process as one cluster task, HiGHS held to ``threads``: wall and CPU seconds."""
    set_solver_threads(threads)
    spec = study(n)
    with held(lock):
        before, load, begin = thread_cpu(), os.getloadavg()[0], time.perf_counter()
        outcomes = sweep.run_chunk(str(BASE), list(variants(spec)), spec.top_k)  # what a cluster task runs
        wall, after = time.perf_counter() - begin, thread_cpu()
    set_solver_threads(1)
    cpu = {kind: after[kind] - before[kind] for kind in after}
    return {
        "seconds": wall,
        "load": load,
        "this process": cpu,
        "tables": sweep.tidy_table(sweep.SweepResult(spec, outcomes)),
    }


def cluster_run(n: int, workers: int, config: tuple[int, bool, int | None], lock: Path | None) -> dict[str, Any]:
    """The variants on a fresh LocalCluster in one configuration: wall seconds, CPU by process and thread."""
    from dask.distributed import Client, LocalCluster

    threads, profiler, chunk = config
    spec = study(n)
    with held(lock):
        load, begin, own = os.getloadavg()[0], time.perf_counter(), thread_cpu()
        with dask.config.set({"distributed.worker.profile.enabled": profiler}):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            )
        with cluster, Client(cluster) as client:
            client.run(set_solver_threads, threads)
            sweep.run_sweep(spec, BASE, scheduler=cluster.scheduler_address, chunk=chunk)
            wall = time.perf_counter() - begin
            per_worker = client.run(thread_cpu)
        mine = thread_cpu()
    total = {kind: sum(cpu[kind] for cpu in per_worker.values()) for kind in ("task", "python", "native")}
    return {"seconds": wall, "load": load, "workers": total, "this process": sum(mine.values()) - sum(own.values())}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every configuration and print its figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--variants", type=int, default=240)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lock", type=Path, default=None)
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {}
    tables = []
    for label, threads in (("serial, highs default", 0), ("serial, highs 1 thread", 1)):
        figures[label] = run = serial_run(args.variants, threads, args.lock)
        tables.append(run.pop("tables"))
        cpu = run["this process"]
        print(
            f"{label:34} {run['seconds']:7.1f} s  CPU main {cpu['python']:6.1f}  native {cpu['native']:5.1f}"
            f"  load {run['load']:.2f}",
            flush=True,
        )
    print(f"results with HiGHS on one thread identical to its default: {tables[0].equals(tables[1])}", flush=True)
    for label, config in CONFIGS.items():
        figures[label] = run = cluster_run(args.variants, args.workers, config, args.lock)
        cpu = run["workers"]
        print(
            f"{args.workers} workers, {label:23} {run['seconds']:7.1f} s  CPU tasks {cpu['task']:6.1f}"
            f"  worker python {cpu['python']:5.1f}  native {cpu['native']:5.1f}"
            f"  this process {run['this process']:5.1f}  load {run['load']:.2f}",
            flush=True,
        )
    print(json.dumps({"benchmark": "sweep_overheads", "variants": args.variants, "figures": figures}, default=float))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
