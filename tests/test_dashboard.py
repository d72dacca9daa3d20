"""The browser dashboard, driven in Debian's Chromium through Playwright.

The server runs as `sim dashboard` does, in a subprocess on a free port. A failing test saves a
screenshot under test-artifacts/dashboard/.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import HISTORICAL, ROOT
from tests.dashboard_server import dashboard

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytest.importorskip("solara", reason="the dashboard extra is not installed")
if not CHROMIUM.exists():
    if os.environ.get("SIM_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing; scripts/browser installs it")
    pytest.skip(f"{CHROMIUM} is missing (scripts/browser installs it)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from sim.app import DashboardModel, scaled, scenario_files  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


@pytest.fixture(scope="module")
def server():
    command = [sys.executable, "-m", "sim", "dashboard", str(HISTORICAL)]
    with dashboard(command, ROOT) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url: str, outside: list[str] | None = None) -> Page:
    """A new session on the dashboard; requests that leave the server or fail go to ``outside``.

    (Without solara-assets the server would fetch its JavaScript from a CDN and answer with an
    error here, where there is no internet.)
    """
    page = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    page.set_default_timeout(60_000)
    if outside is not None:
        local = (url, f"blob:{url}", "data:")
        page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
        page.on("requestfailed", lambda r: outside.append(f"failed: {r.url}"))
        page.on("response", lambda r: r.status < 400 or outside.append(f"{r.status}: {r.url}"))
    page.goto(url)
    expect(page.locator(".region-map")).to_be_visible()
    return page


@pytest.fixture
def page(browser, server, request):
    page = _open(browser, server)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    page.context.close()


def day(page: Page) -> int:
    return int(page.locator(".status .day").inner_text())


def step(page: Page, times: int = 1) -> None:
    for _ in range(times):
        before = day(page)
        page.get_by_role("button", name="Step").click()
        expect(page.locator(".status .day")).to_have_text(str(before + 1))


def test_the_page_shows_controls_map_charts_and_log(page):
    for name in ("Reset", "Step"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="▶")).to_be_visible()
    expect(page.get_by_text("Scenario", exact=True)).to_be_visible()
    expect(page.get_by_text("Providers: bar to send a force (x)")).to_be_visible()
    expect(page.locator(".region")).to_have_count(17)
    expect(page.locator(".region").first).to_contain_text("Mangystau")
    expect(page.locator(".status")).to_contain_text("historical: day 0, 2022-01-01")
    expect(page.locator(".troops")).to_have_text("No foreign troops present")
    expect(page.locator(".event-log")).to_be_visible()
    charts = page.locator("img")
    expect(charts).to_have_count(2)
    for i in range(2):
        expect(charts.nth(i)).to_be_visible()


def test_step_advances_the_date_and_the_log_grows(page):
    count = int(page.locator(".event-log .count").inner_text())
    step(page, 4)
    expect(page.locator(".status .date")).to_have_text("2022-01-05")
    assert int(page.locator(".event-log .count").inner_text()) > count
    newest = page.locator(".event-log li").first.inner_text()
    assert newest.startswith("2022-01-05") and ":" in newest  # newest first, with its reason


def test_play_runs_and_pause_stops(page):
    page.get_by_role("button", name="▶").click()
    expect(page.locator(".status .day")).not_to_have_text(re.compile(r"^[0-2]$"))
    page.get_by_role("button", name="❚❚").click()
    page.wait_for_timeout(1500)  # a step under way when Pause is pressed still finishes
    stopped = day(page)
    page.wait_for_timeout(2000)
    assert day(page) == stopped
    expect(page.get_by_role("button", name="Step")).to_be_enabled()


def test_troops_arrive_and_reset_returns_to_day_zero(page):
    step(page, 6)
    expect(page.locator(".troops")).to_contain_text("Foreign troops present")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".status .day")).to_have_text("0")
    expect(page.locator(".troops")).to_have_text("No foreign troops present")


def test_switching_scenario_changes_what_is_shown(page):
    page.get_by_text("historical", exact=True).first.click()
    page.get_by_role("option", name="no_outside_help").click()
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".status")).to_contain_text("no_outside_help: day 0")
    step(page, 8)
    expect(page.locator(".troops")).to_have_text("No foreign troops present")
    expect(page.locator(".event-log")).not_to_contain_text("request_help")


def test_the_page_needs_nothing_from_the_internet(browser, server):
    outside: list[str] = []
    page = _open(browser, server, outside)
    try:
        step(page, 2)
        page.wait_for_load_state("networkidle")
        assert outside == []
    finally:
        page.context.close()


def test_each_browser_session_has_its_own_model(page, browser, server):
    other = _open(browser, server)
    try:
        step(page, 3)
        other.wait_for_timeout(1000)
        assert day(other) == 0
        step(other, 1)
        assert day(page) == 3 and day(other) == 1
    finally:
        other.context.close()


def test_knobs_scale_the_chosen_parameter_only():
    historical = load_scenario(HISTORICAL)
    harder = scaled(historical, {"force_bar": 2.0, "suppression": 1.0})
    bar = historical.behaviour.provider.rungs.key_assets
    assert harder.behaviour.provider.rungs.key_assets == pytest.approx(2 * bar)
    assert harder.behaviour.unrest == historical.behaviour.unrest


def test_the_model_stops_at_the_horizon(monkeypatch):
    monkeypatch.setenv("SIM_DASHBOARD_SCENARIOS", str(HISTORICAL))
    assert list(scenario_files()) == ["historical"]
    m = DashboardModel(scenario_name="historical", seed=3)
    while m.running:
        m.step()
    assert m.time == m.scenario_spec.calendar.horizon_days


def test_the_region_map_stays_above_the_charts(page):
    step(page, 6)
    tiles = page.locator(".region")
    last = tiles.nth(tiles.count() - 1).bounding_box()
    chart = page.locator("img").first.bounding_box()
    assert last["y"] + last["height"] <= chart["y"], (last, chart)


def test_sliders_show_their_values_and_none_is_squeezed(page):
    sliders = page.locator(".v-slider")
    assert sliders.count() >= 8  # play and render intervals, seed, six knobs
    for i in range(sliders.count()):
        assert sliders.nth(i).bounding_box()["width"] > 150
    values = page.locator(".v-slider__thumb-label")
    assert values.count() == sliders.count()
    for i in range(values.count()):
        expect(values.nth(i)).to_be_visible()
    texts = [values.nth(i).inner_text() for i in range(values.count())]
    assert texts[-6:] == ["1"] * 6  # each knob at its scenario value


def test_the_tab_has_a_title(page):
    expect(page).to_have_title("crisis-sim: historical")


def test_sigterm_stops_the_server():
    command = [sys.executable, "-m", "sim", "dashboard", str(HISTORICAL)]
    with dashboard(command, ROOT) as (_, proc):
        assert proc.poll() is None  # serving; leaving the block sends SIGTERM and checks it ends
