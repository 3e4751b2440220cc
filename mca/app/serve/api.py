"""The workbench's HTTP interface (FastAPI): one page, its static files and a small JSON API.

Every request body is validated by `mca.app.serve.models`; a user error answers 400 with
``{"error": "<one line>"}``, which the page shows in its error bar, and no request can name a
path. With a token (``--host`` other than loopback) every request must carry it: as
``?token=`` (the printed URL; the page then keeps it in a same-site cookie) or in the
``X-Workbench-Token`` header.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from mca.app.serve.geometry import map_payload
from mca.app.serve.group import Group, Submission
from mca.app.serve.keep import now_text, record_html, save_scenario
from mca.app.serve.models import FactSheetRequest, RankRequest, SaveRequest, ScopedWeights, SubmitRequest
from mca.app.serve.workbench import Progress, Workbench
from mca.core.errors import UserError
from mca.core.vocabulary import ALL_SECTORS
from mca.scoring.weights import DirectWeights, WeightSet

STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 256_000
TOKEN_COOKIE = "mca_workbench"
TOKEN_HEADER = "x-workbench-token"


class AllocationJob:
    """One allocation at a time, run in a thread, with its current stage for the progress bar."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state: Literal["idle", "running", "done", "error"] = "idle"
        self.stage = ""
        self.started = 0.0
        self.seconds = 0.0
        self.result: dict[str, Any] | None = None
        self.error = ""

    def start(self, work: Callable[[Progress], dict[str, Any]]) -> None:
        """Run ``work`` in the background; refuses while another allocation runs."""
        with self._lock:
            if self.state == "running":
                raise UserError("an allocation is already running", source="request", field="allocate")
            self.state, self.stage, self.error, self.started = "running", "starting", "", time.perf_counter()
        threading.Thread(target=self._run, args=(work,), daemon=True).start()

    def _run(self, work: Callable[[Progress], dict[str, Any]]) -> None:
        def progress(stage: str) -> None:
            self.stage = stage

        try:
            result = work(progress)
        except Exception as exc:  # reported in the page; the server goes on
            self.error = exc.one_line() if isinstance(exc, UserError) else f"allocation failed: {exc}"
            self.state = "error"
        else:
            self.result, self.state = result, "done"
        self.seconds = time.perf_counter() - self.started

    def status(self) -> dict[str, Any]:
        """State, stage, seconds so far and, when done, the result."""
        running = self.state == "running"
        seconds = time.perf_counter() - self.started if running else self.seconds
        return {
            "state": self.state,
            "stage": self.stage,
            "seconds": round(seconds, 1),
            "error": self.error,
            "result": self.result if self.state == "done" else None,
        }


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    """The first validation error as one line: ``field: problem``."""
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return "the request is not valid JSON"
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body",))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid request"))


def _guard(app: FastAPI, token: str | None) -> None:
    """Body-size limit and, with a token, the access check on every request."""

    @app.middleware("http")
    async def check(request: Request, call_next: Callable[[Request], Any]) -> Response:
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            return _error(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        given = request.query_params.get("token") or request.headers.get(TOKEN_HEADER)
        given = given or request.cookies.get(TOKEN_COOKIE)
        if token is not None and not (given and secrets.compare_digest(given, token)):
            return _error(403, "this workbench needs the access token printed when it started (?token=…)")
        response: Response = await call_next(request)
        if token is not None and request.query_params.get("token"):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.exception_handler(UserError)
    async def user_error(_request: Request, exc: UserError) -> JSONResponse:
        return _error(400, exc.one_line())

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, _validation_message(exc))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return _error(500, f"internal error: {type(exc).__name__}: {exc}")


def create_app(workbench: Workbench, token: str | None = None) -> FastAPI:
    """The workbench app for one scored scenario; ``token`` guards every request when given."""
    app = FastAPI(title="mca workbench", docs_url=None, redoc_url=None, openapi_url=None)
    _guard(app, token)
    group = Group(workbench.criteria)
    job = AllocationJob()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _page_routes(app, workbench)
    _ranking_routes(app, workbench, job)
    _group_routes(app, workbench, group)
    _keep_routes(app, workbench, group, job)
    return app


def _page_routes(app: FastAPI, workbench: Workbench) -> None:
    """The page and what it loads once: the state and the map (both cached)."""
    cache: dict[str, Any] = {}

    @app.get("/", response_class=HTMLResponse)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    @app.get("/api/state")
    def state() -> dict[str, Any]:
        if "state" not in cache:
            cache["state"] = workbench.state()
        return cache["state"]

    @app.get("/api/map")
    def site_map() -> dict[str, Any]:
        if "map" not in cache:
            layers = workbench.served.inputs.layers if workbench.served else {}
            cache["map"] = map_payload(layers, workbench.sites.reset_index())
        return cache["map"]


def _ranking_routes(app: FastAPI, workbench: Workbench, job: AllocationJob) -> None:
    """Re-ranking, fact sheets and the allocation job."""

    @app.post("/api/rank")
    def rank(request: RankRequest) -> dict[str, Any]:
        return workbench.rank_payload(request.weights, request.scope)

    @app.post("/api/site")
    def fact_sheet(request: FactSheetRequest) -> dict[str, Any]:
        return workbench.fact_sheet(request.site_id, request.weights, request.scope)

    @app.post("/api/allocate")
    def allocate(request: ScopedWeights) -> dict[str, Any]:
        workbench.check(request.weights)
        job.start(lambda progress: workbench.allocate(request.weights, progress))
        return job.status()

    @app.get("/api/allocate")
    def allocation_status() -> dict[str, Any]:
        return job.status()


def _keep_routes(app: FastAPI, workbench: Workbench, group: Group, job: AllocationJob) -> None:
    """Saving the weights as a scenario file and exporting the session record."""

    @app.post("/api/save")
    def save(request: SaveRequest) -> dict[str, Any]:
        if workbench.served is None or workbench.served.loaded.path is None:
            raise UserError("this workbench serves no scenario file to extend", source="request", field="name")
        workbench.check(request.weights)
        served = workbench.served.loaded.path
        path = save_scenario(served, request.name, request.weights, workbench.scoring, request.note)
        return {"file": path.name, "extends": served.name}

    @app.post("/api/record")
    def record(request: ScopedWeights, fmt: Literal["json", "html"] = "json") -> Response:
        workbench.check(request.weights)
        content = session_record(workbench, group, request, job.result)
        if fmt == "html":
            return HTMLResponse(record_html(content))
        return JSONResponse(content)


def _group_routes(app: FastAPI, workbench: Workbench, group: Group) -> None:
    """Submissions, the group summary and SMAA-2 over the participants' weights."""

    @app.post("/api/group/submit")
    def submit(request: SubmitRequest) -> dict[str, Any]:
        group.submit(Submission(request.name, request.weights, workbench.resolve(request.weights)))
        return group.summary()

    @app.get("/api/group")
    def summary() -> dict[str, Any]:
        return group.summary()

    @app.post("/api/group/robustness")
    def robustness() -> dict[str, Any]:
        return group.robustness(workbench.ranker.value_frame(ALL_SECTORS), workbench.sites["name"])


def session_record(
    workbench: Workbench, group: Group, request: ScopedWeights, allocation: dict[str, Any] | None
) -> dict[str, Any]:
    """Submissions, aggregate, the ranking (group weights if any, else the page's) and the allocation."""
    summary = group.summary()
    weight_set: WeightSet
    if summary["aggregate"]:
        weight_set, source = DirectWeights(weights=summary["aggregate"]), f"group: {summary['rule']}"
    else:
        weight_set = request.weights.get(ALL_SECTORS) or next(iter(request.weights.values()))
        source = "the page's current weights"
    ranking = workbench.rank_payload(weight_set, ALL_SECTORS)
    return {
        "scenario": workbench.name,
        "created": now_text(),
        "schematic": workbench.state()["schematic"],
        "criteria": workbench.criteria,
        "group": summary,
        "weights_source": source,
        "weights": ranking["weights"],
        "page_weights": {scope: ws.model_dump(mode="json") for scope, ws in request.weights.items()},
        "ranking": ranking["table"],
        "allocation": allocation,
    }
