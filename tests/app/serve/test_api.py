"""The workbench's HTTP API on a real server (uvicorn on 127.0.0.1), without a browser."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from mca.app import pipeline
from mca.app.scenario import load_scenario
from mca.app.serve import access_url, is_loopback
from mca.app.serve.api import create_app
from mca.app.serve.server import running
from mca.app.serve.workbench import Workbench
from mca.core.paths import SCENARIO_DIR


def call(base: str, path: str, body: object = None, *, raw: bytes | None = None, headers: dict | None = None):
    """(status, decoded JSON or text) of one request."""
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("room")
    base = (SCENARIO_DIR / "heerlen_base.yaml").resolve()
    (folder / "workshop.yaml").write_text(f"extends: {base}\nname: workshop\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def workbench(scenario_dir) -> Workbench:
    return Workbench.from_scenario(scenario_dir / "workshop.yaml")


@pytest.fixture(scope="module")
def base(workbench):
    with running(create_app(workbench)) as url:
        yield url


def direct(state: dict, name: str) -> dict:
    return {"method": "direct", "weights": state["weight_sets"][name]["weights"]}


def test_page_and_static_files_are_served_by_the_app(base) -> None:
    status, page = call(base, "")
    assert status == 200
    assert "static/app.js" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing loaded from elsewhere
    for name in ("app.js", "app.css"):
        status, text = call(base, f"static/{name}")
        assert status == 200
        assert "://" not in text.replace("http://www.w3.org/2000/svg", "")


def test_ranking_with_the_scenario_weights_equals_ranked_list(base, workbench) -> None:
    _, state = call(base, "api/state")
    status, result = call(base, "api/rank", {"weights": direct(state, "balanced")})
    assert status == 200
    reference = pipeline.ranked_list(workbench.served.inputs, workbench.scored)
    top = [row["site_id"] for row in result["table"]]
    assert top == reference["site_id"].head(len(top)).tolist()
    assert all(row["move"] == 0 for row in result["table"])
    assert len(result["scores"]) == len(state["sites"])


def test_a_weight_change_moves_sites_against_the_start(base) -> None:
    _, state = call(base, "api/state")
    roads = {
        "method": "direct",
        "weights": {c["name"]: 1.0 + 9 * (c["name"] == "road_access") for c in state["criteria"]},
    }
    _, start = call(base, "api/rank", {"weights": direct(state, "balanced")})
    _, moved = call(base, "api/rank", {"weights": roads})
    assert moved["ranks"] != start["ranks"]
    # a move is the starting rank minus the new rank, for every ranked site
    for rank0, rank1, move in zip(start["ranks"], moved["ranks"], moved["moves"]):
        assert move == (rank0 - rank1 if rank1 else 0)


def test_ahp_request_reports_its_consistency_ratio(base) -> None:
    _, state = call(base, "api/state")
    names = [c["name"] for c in state["criteria"]]
    consistent = {a: dict.fromkeys(names[i + 1 :], 1.0) for i, a in enumerate(names[:-1])}
    _, result = call(base, "api/rank", {"weights": {"method": "ahp", "judgments": consistent}})
    assert result["consistency_ratio"] == pytest.approx(0.0, abs=1e-9)
    inconsistent = json.loads(json.dumps(consistent))
    inconsistent[names[0]][names[1]] = 9.0
    inconsistent[names[1]][names[2]] = 9.0
    inconsistent[names[0]][names[2]] = 1 / 9
    _, result = call(base, "api/rank", {"weights": {"method": "ahp", "judgments": inconsistent}})
    assert result["consistency_ratio"] > 0.1
    assert result["warnings"]


def test_sector_scope_applies_that_sectors_exclusions(base, workbench) -> None:
    _, state = call(base, "api/state")
    _, everyone = call(base, "api/rank", {"weights": direct(state, "balanced")})
    _, logistics = call(base, "api/rank", {"weights": direct(state, "balanced"), "scope": "wholesale_logistics"})
    closed = set(workbench.scored.evaluation.exclusions.query("sector == 'wholesale_logistics'")["site_id"])
    ids = [s["site_id"] for s in state["sites"]]
    assert closed
    assert all(logistics["ranks"][ids.index(s)] == 0 for s in closed)
    assert sum(r > 0 for r in logistics["ranks"]) < sum(r > 0 for r in everyone["ranks"])


def test_fact_sheet_contributions_add_up_to_the_score(base) -> None:
    _, state = call(base, "api/state")
    _, ranking = call(base, "api/rank", {"weights": direct(state, "nature_first")})
    site = ranking["table"][0]["site_id"]
    _, sheet = call(base, "api/site", {"site_id": site, "weights": direct(state, "nature_first")})
    assert sheet["rank"] == 1
    assert sum(c["contribution"] for c in sheet["criteria"]) == pytest.approx(sheet["score"], abs=1e-3)
    excluded = next(s["site_id"] for s, r in zip(state["sites"], ranking["ranks"]) if r == 0)
    _, sheet = call(base, "api/site", {"site_id": excluded, "weights": direct(state, "nature_first")})
    assert sheet["rank"] is None
    assert sheet["exclusions"]
    assert {"criterion", "sector", "reason", "rule", "citation"} <= set(sheet["exclusions"][0])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"weights": {"method": "direct", "weights": {"road_access": -1}}}, "greater than or equal to 0"),
        ({"weights": {"method": "direct", "weights": {"nonsense": 1}}}, "unknown criteria"),
        ({"weights": {"method": "direct", "weights": {"road_access": 1}}, "scope": "../etc"}, "scope"),
        ({"weights": {"method": "shell", "weights": {}}}, "method"),
        ({"weights": {"method": "direct", "weights": {"road_access": 1}}, "path": "/tmp/x"}, "path"),
    ],
)
def test_bad_requests_get_one_clear_error(base, body, message) -> None:
    status, result = call(base, "api/rank", body)
    assert status == 400
    assert message in result["error"]


def test_server_survives_malformed_and_non_finite_requests(base) -> None:
    status, result = call(base, "api/rank", raw=b"{not json")
    assert (status, result["error"]) == (400, "the request is not valid JSON")
    names = ["access_pressure", "adjacency", "env_space", "public_transport", "road_access", "size_shape"]
    weights = ", ".join(f'"{n}": {"1e999" if i == 0 else "1"}' for i, n in enumerate(names))
    status, result = call(
        base, "api/rank", raw=('{"weights": {"method": "direct", "weights": {' + weights + "}}}").encode()
    )
    assert status == 400
    assert "finite" in result["error"]
    status, result = call(base, "api/rank", raw=b"x" * 300_000)
    assert status == 413
    assert call(base, "api/state")[0] == 200


def test_allocation_runs_in_the_background_with_progress(base, workbench) -> None:
    _, state = call(base, "api/state")
    status, started = call(base, "api/allocate", {"weights": {"*": direct(state, "balanced")}})
    assert status == 200
    assert started["state"] in ("running", "done")
    result = _wait(base)
    assert result["state"] == "done", result["error"]
    allocation = result["result"]
    assert allocation["solver"]["status"] == "optimal"
    assert sum(allocation["hectares"].values()) == pytest.approx(allocation["placed_ha"], abs=0.05)
    placed = sum(r["total"] for r in allocation["summary"] if r["kind"] != "shortfall")
    assert placed == pytest.approx(allocation["placed_ha"], abs=0.05)


def _wait(base: str) -> dict:
    for _ in range(3000):  # five minutes: a bound for a loaded machine, not a speed requirement
        _, status = call(base, "api/allocate")
        if status["state"] != "running":
            return status
        time.sleep(0.1)
    raise AssertionError("allocation did not finish in five minutes")


def test_group_submissions_aggregate_and_robustness(base) -> None:
    _, state = call(base, "api/state")
    status, summary = call(base, "api/group/submit", {"name": "Anna", "weights": direct(state, "nature_first")})
    assert status == 200
    _, summary = call(base, "api/group/submit", {"name": "Bram", "weights": direct(state, "economy_first")})
    names = [p["name"] for p in summary["participants"]]
    assert {"Anna", "Bram"} <= set(names)
    assert sum(summary["aggregate"].values()) == pytest.approx(1.0, abs=1e-5)
    status, _ = call(base, "api/group/submit", {"name": "<script>", "weights": direct(state, "balanced")})
    assert status == 400
    _, robust = call(base, "api/group/robustness", {})
    assert robust["margin"] > 0
    assert robust["sites"][0]["expected_rank"] <= robust["sites"][-1]["expected_rank"]


def test_save_writes_a_new_scenario_that_extends_the_served_one(base, scenario_dir, workbench) -> None:
    _, state = call(base, "api/state")
    weights = {"*": direct(state, "nature_first"), "production": direct(state, "economy_first")}
    status, saved = call(base, "api/save", {"name": "room_one", "weights": weights, "note": "test"})
    assert status == 200, saved
    path = scenario_dir / saved["file"]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["extends"] == "workshop.yaml"
    loaded = load_scenario(path).scenario
    assert loaded.scoring.default_weight_set == "workshop"
    assert loaded.scoring.sector_weight_sets["production"] == "workshop_production"
    assert loaded.scoring.sector_weight_sets["wholesale_logistics"] == "logistics"  # kept from the base
    _, live = call(base, "api/rank", {"weights": direct(state, "nature_first")})
    rebuilt = Workbench(workbench.scored, loaded.scoring, workbench.sectors, workbench.served)
    assert rebuilt.baseline["*"].ranks.tolist() == live["ranks"]
    before = path.read_bytes()
    status, again = call(base, "api/save", {"name": "room_one", "weights": weights})
    assert status == 400
    assert "exists already" in again["error"]
    assert path.read_bytes() == before
    for bad in ("../escape", "a/b", "UPPER", ".hidden", "x" * 61):
        status, _ = call(base, "api/save", {"name": bad, "weights": weights})
        assert status == 400
    assert sorted(p.name for p in scenario_dir.iterdir()) == ["room_one.yaml", "workshop.yaml"]


def test_session_record_as_json_and_html(base) -> None:
    _, state = call(base, "api/state")
    status, record = call(base, "api/record", {"weights": {"*": direct(state, "balanced")}})
    assert status == 200
    assert record["scenario"] == "workshop"
    assert record["ranking"][0]["rank"] == 1
    status, page = call(base, "api/record?fmt=html", {"weights": {"*": direct(state, "balanced")}})
    assert status == 200
    assert "<h1>Workshop record: workshop</h1>" in page


def test_shared_workbench_needs_its_token(workbench) -> None:
    with running(create_app(workbench, token="s3cret")) as url:
        assert call(url, "api/state")[0] == 403
        assert call(url, "static/app.js")[0] == 403
        assert call(url, "api/state?token=wrong")[0] == 403
        assert call(url, "api/state?token=s3cret")[0] == 200
        assert call(url, "api/state", headers={"X-Workbench-Token": "s3cret"})[0] == 200
        assert call(url, "api/state", headers={"Cookie": "mca_workbench=s3cret"})[0] == 200


def test_binding_and_printed_address() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert access_url("127.0.0.1", 8765, None) == "http://127.0.0.1:8765/"
    assert access_url("0.0.0.0", 8000, "tok").endswith(":8000/?token=tok")


def test_cli_help_does_not_load_the_web_stack() -> None:
    code = "import sys, mca.app.cli; print(sorted({'fastapi', 'uvicorn'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_mca_serve_shared_in_the_room_prints_a_token_url_and_requires_it() -> None:
    from mca.app.serve.server import free_port

    port = free_port()
    command = [sys.executable, "-m", "mca", "serve", "--host", "0.0.0.0", "--port", str(port), "--no-open"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        token = None
        deadline = time.monotonic() + 120
        while token is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            assert line or process.poll() is None, "mca serve stopped before printing its address"
            match = re.search(rf":{port}/\?token=([A-Za-z0-9_-]+)", line)
            token = match.group(1) if match else None
        assert token, "no URL with a token printed"
        base = f"http://127.0.0.1:{port}/"
        for _ in range(200):
            try:
                status, _ = call(base, "api/state")
                break
            except urllib.error.URLError:
                time.sleep(0.1)
        assert status == 403
        assert call(base, f"api/state?token={token}")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
