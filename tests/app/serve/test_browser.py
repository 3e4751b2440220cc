"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright.

Playwright cannot download its own browsers here, so the tests launch the system Chromium
(``/usr/bin/chromium``, or ``MCA_CHROMIUM``); `.ci/browser-setup` installs it with apt. Without
it the tests skip with that reason, except under CI (``CI`` set), where they must run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mca.app.serve.api import create_app
from mca.app.serve.server import running
from mca.app.serve.workbench import Workbench
from mca.core.paths import SCENARIO_DIR

CHROMIUM = Path(os.environ.get("MCA_CHROMIUM", "/usr/bin/chromium"))


def _browser_or_skip() -> None:
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package is not installed (pip install playwright)"
    if missing is None and not CHROMIUM.exists():
        missing = f"no Chromium at {CHROMIUM}; run .ci/browser-setup (apt-get install chromium)"
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {missing}")
    if missing:
        pytest.skip(missing)


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser_room")
    base = (SCENARIO_DIR / "heerlen_base.yaml").resolve()
    (folder / "workshop.yaml").write_text(f"extends: {base}\nname: workshop\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def url(room):
    _browser_or_skip()
    with running(create_app(Workbench.from_scenario(room / "workshop.yaml"))) as base:
        yield base


@pytest.fixture(scope="module")
def browser(url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, url):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    yield page
    assert errors == []
    context.close()


def site_fills(page) -> list[str]:
    return page.eval_on_selector_all("#sites path", "paths => paths.map(p => p.getAttribute('fill'))")


def table_ids(page) -> list[str]:
    return page.eval_on_selector_all("#ranking tbody tr", "rows => rows.map(r => r.dataset.site)")


def wait_for_change(page, read, before, timeout_ms: int = 10_000):
    """Poll ``read(page)`` until it differs from ``before``; gives the new value."""
    for _ in range(timeout_ms // 100):
        now = read(page)
        if now != before:
            return now
        page.wait_for_timeout(100)
    raise AssertionError("the page did not change")


def test_moving_a_slider_reranks_and_recolours_the_map(page) -> None:
    fills, ids = site_fills(page), table_ids(page)
    assert len(set(fills)) > 5  # coloured by score, not one flat colour
    assert page.locator("#ranking tbody tr .up, #ranking tbody tr .down").count() == 0
    page.locator("#tab-direct input[data-criterion='road_access']").fill("95")
    new_ids = wait_for_change(page, table_ids, ids)
    assert new_ids != ids
    assert site_fills(page) != fills
    assert page.locator("#ranking tbody tr .up, #ranking tbody tr .down").count() > 0  # moves shown
    assert "road_access" in page.locator("#weight-bars").inner_text()


def test_clicking_a_site_opens_its_fact_sheet(page) -> None:
    first = page.locator("#ranking tbody tr").first
    name = first.locator("td").nth(2).inner_text()
    site = first.get_attribute("data-site")
    page.locator(f"#sites path[data-site='{site}']").dispatch_event("click")
    page.wait_for_selector("#factsheet h3")
    assert page.locator("#factsheet h3").inner_text() == name
    assert page.locator("#factsheet tbody tr").count() == 6


def test_ahp_mode_shows_the_consistency_ratio(page) -> None:
    page.locator("#tabs button[data-tab='ahp']").click()
    page.wait_for_function("document.getElementById('cr').textContent === '0.000'")
    pairs = page.locator("#ahp-rows input[type=range]")
    pairs.nth(0).fill("-8")  # first criterion of pair 0 far more important than the second …
    pairs.nth(5).fill("-8")  # … the second far more important than the third …
    pairs.nth(1).fill("8")  # … and yet the third far more important than the first
    page.wait_for_function("parseFloat(document.getElementById('cr').textContent) > 0.1")
    assert "revise" in page.locator("#cr-note").inner_text()


def test_allocation_runs_and_shows_hectares_on_the_map(page) -> None:
    page.locator("#allocate").click()
    page.wait_for_selector("#allocation-summary table", timeout=300_000)
    assert "done in" in page.locator("#allocation-status").inner_text()
    assert page.locator("#allocation-layer circle").count() > 0
    kinds = page.eval_on_selector_all("#allocation-summary tr[data-kind]", "rows => rows.map(r => r.dataset.kind)")
    assert "expansion" in kinds


def test_saving_weights_writes_a_new_scenario_and_refuses_bad_names(page, room) -> None:
    page.locator("#save-name").fill("room_browser")
    page.locator("#save").click()
    page.wait_for_selector("#save-result:has-text('saved room_browser.yaml')")
    assert (room / "room_browser.yaml").exists()
    page.locator("#save").click()  # the same name again
    page.wait_for_selector("#error:not([hidden])")
    assert "exists already" in page.locator("#error").inner_text()
    page.locator("#save-name").fill("../outside")
    page.locator("#save").click()
    page.wait_for_function("document.getElementById('error').textContent.includes('name')")
    assert not (room.parent / "outside.yaml").exists()


def test_group_mode_lists_participants_and_aggregates(page) -> None:
    page.locator("#tabs button[data-tab='group']").click()
    page.locator("#participant").fill("Anna")
    page.locator("#submit-weights").click()
    page.wait_for_selector("#group-table:has-text('Anna')")
    page.locator("#robustness").click()
    page.wait_for_selector("#robustness-result table")
    assert page.locator("#robustness-result tbody tr").count() > 0
