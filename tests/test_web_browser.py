"""The coordinators' walk in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

One server (``scheduler-api serve`` on a loopback port, temporary SQLite) and one browser
serve the whole module. Every page visited is checked with axe-core (no serious or critical
violation) and the main ones are photographed: into the folder ``CAREPATTERN_SCREENSHOTS``
names (``docs/screenshots`` refreshes the README's), else into a temporary folder. Requests anywhere but the
app are aborted, so the pages (and ``/docs``, ``/redoc``) are shown to work offline.
Without Chromium the tests are skipped, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from tests.test_api_server import Server, _free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text(encoding="utf-8") if AXE.exists() else ""
SCREENSHOTS = Path(os.environ.get("CAREPATTERN_SCREENSHOTS") or tempfile.mkdtemp(prefix="screenshots-"))
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
TIMINGS: dict[str, float] = {}


def _need(path: Path, what: str) -> None:
    if path.exists():
        return
    message = f"{what} is missing ({path}); scripts/test.sh installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREPATTERN_")}
    env["CAREPATTERN_DATABASE_URL"] = f"sqlite:///{database}"
    env["CAREPATTERN_MAX_TIME_LIMIT_S"] = "20"
    return env


def _issue_key(env: dict[str, str], tenant: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "api", "create-key", "--tenant", tenant, "--create-tenant"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """``(base URL, first tenant's key, second tenant's key)`` of a running server."""
    _need(CHROMIUM, "Chromium")
    _need(AXE, "axe-core (npm ci)")
    env = _env(tmp_path_factory.mktemp("web") / "web.sqlite")
    first, second = _issue_key(env, "north"), _issue_key(env, "south")
    port = _free_port()
    server = Server(["serve", "--port", str(port)], env)
    try:
        server.wait_for(r"Uvicorn running on")
        yield f"http://127.0.0.1:{port}", first, second
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _need(CHROMIUM, "Chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _context(browser: Browser, base: str) -> BrowserContext:
    """A fresh profile at tablet width that may use the clipboard and reaches only the app."""
    context = browser.new_context(viewport={"width": 1180, "height": 820}, base_url=base)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    def offline(route: Route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", offline)
    return context


def _accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is."""
    page.evaluate(AXE_SOURCE)  # through the DevTools protocol: the pages' CSP allows no inline script
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: " + "; ".join(bad)


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _visit(page: Page, name: str, action: Any) -> None:
    """Run ``action`` (a navigation), time it until the page has loaded, and check the page."""
    started = time.monotonic()
    with page.expect_navigation():
        action()
    page.wait_for_load_state("load")
    TIMINGS[name] = round(time.monotonic() - started, 3)
    _accessible(page)


def _fits_a_portrait_tablet(page: Page) -> None:
    """At 768 px wide the page needs no sideways scrolling (then back to landscape)."""
    page.set_viewport_size({"width": 768, "height": 1024})
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.set_viewport_size({"width": 1180, "height": 820})


def _sign_in(page: Page, key: str) -> None:
    page.goto("/signin")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Scenarios", exact=True)).to_be_visible()


def _planted(tmp_path: Path) -> Path:
    """The household example with a routine starting at 25:00."""
    document = json.loads((ROOT / "data" / "household.json").read_text(encoding="utf-8"))
    document["clients"][0]["routines"][0]["start"] = "25:00"
    path = tmp_path / "household-with-a-mistake.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _solve(page: Page, name: str) -> str:
    """Solve from the scenario page, watching the progress; the job page's URL."""
    started = time.monotonic()
    page.get_by_label("Time limit (seconds)").fill("20")
    page.get_by_role("button", name="Solve").click()
    expect(page.get_by_role("heading", name="Status:")).to_be_visible()
    page.wait_for_load_state("load")
    seen = [page.locator("#job-status").inner_text()]
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    deadline = time.monotonic() + 30
    while seen[-1] != "done" and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        seen.append(page.locator("#job-status").inner_text())
    TIMINGS[name] = round(time.monotonic() - started, 3)
    assert seen[0] in ("queued", "running"), seen
    assert seen[-1] == "done", seen
    assert not loads, "the progress was updated in place, without loading the page again"
    expect(page.locator("#fig-gap")).to_have_text(re.compile(r"^\d+\.\d %$"))
    expect(page.get_by_role("status")).to_contain_text(re.compile("proven optimal|not proven the best"))
    return page.url


def test_the_coordinators_walk(app: tuple[str, str, str], browser: Browser, tmp_path: Path) -> None:
    base, key, other_key = app
    context = _context(browser, base)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    _visit(page, "sign-in page", lambda: page.goto("/"))
    _shot(page, "sign-in")
    page.get_by_label("API key").fill("cpk_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That API key is not valid or has been revoked.")
    page.get_by_label("API key").fill("")
    page.keyboard.type(key)  # the key field has the focus; Enter submits
    _visit(page, "scenarios (after sign-in)", lambda: page.keyboard.press("Enter"))
    _shot(page, "scenarios")
    cookie = next(c for c in context.cookies() if c["name"] == "cp_session")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"

    page.get_by_label("Scenario file (JSON)").set_input_files(_planted(tmp_path))
    _visit(page, "upload into the editor", lambda: page.get_by_role("button", name="Upload").click())
    expect(page.get_by_role("heading", name="1 problem to fix before saving")).to_be_visible()
    start = page.locator("#f-clients-0-routines-0-start")
    expect(start).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-clients-0-routines-0-start-errors")).to_contain_text(
        '"25:00" is not a time of day'
    )
    _shot(page, "editor-with-a-problem")
    _fits_a_portrait_tablet(page)
    start.fill("08:45")
    _visit(
        page, "save (to the scenario page)", lambda: page.get_by_role("button", name="Check and save").click()
    )
    expect(page.get_by_role("status")).to_have_text("Saved as version 1.")
    scenario_url = page.url.split("?")[0]
    _shot(page, "scenario")

    job_url = _solve(page, "solve (submit to done on the page)")
    _accessible(page)
    _shot(page, "solve-done")

    _visit(
        page,
        "week before and after",
        lambda: page.get_by_role("link", name="See the week before and after").click(),
    )
    expect(page.get_by_role("heading", name="Today's bookings: Alfie Hughes")).to_be_visible()
    expect(page.get_by_role("heading", name="New pattern: Poppy Hughes")).to_be_visible()
    expect(page.locator(".block-journey").first).to_be_visible()
    expect(page.locator(".block-routine").first).to_be_visible()
    _shot(page, "week")
    _fits_a_portrait_tablet(page)

    page.goto(job_url)
    _visit(page, "whole picture", lambda: page.get_by_role("link", name="Whole picture").click())
    expect(page.get_by_role("heading", name="What the new pattern saves")).to_be_visible()
    expect(page.get_by_role("row", name="trips to appointments")).to_contain_text("fewer")
    expect(page.get_by_role("heading", name="Where the new pattern costs more, and why")).to_be_visible()
    _shot(page, "report")
    _fits_a_portrait_tablet(page)

    page.goto(job_url)
    _visit(page, "publish", lambda: page.get_by_role("button", name="Publish as calendar feeds").click())
    expect(page.get_by_role("status").first).to_contain_text("Published")
    row = page.locator("#feed-household-hughes")
    row.get_by_role("button", name="Copy link").click()
    expect(row.locator(".copied")).to_have_text("Copied")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link.startswith("webcal://127.0.0.1:")
    feed_url = "http://" + link.removeprefix("webcal://")
    assert httpx.get(feed_url).status_code == 200
    row.get_by_text("QR code for a phone").click()
    expect(row.locator(".qr svg")).to_be_visible()
    _shot(page, "sharing")
    page.goto(scenario_url + "/sharing")
    expect(page.locator("#feed-household-hughes")).not_to_contain_text("not fetched")
    expect(page.locator("#feed-client-alfie")).to_contain_text("not fetched")
    _accessible(page)
    row = page.locator("#feed-household-hughes")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("#feed-household-hughes")).to_contain_text("revoked")
    assert httpx.get(feed_url).status_code == 404

    _visit(page, "editor", lambda: page.goto(scenario_url + "/edit"))
    page.locator("#section-appointments > summary").click()
    page.locator("#f-appointments-0 > summary").click()
    page.locator("#f-appointments-0").get_by_role("button", name="Add a pinned session").click()
    expect(page.locator("#f-appointments-0-pinned-0-week")).to_be_focused()
    page.locator("#f-appointments-0-pinned-0-day").select_option("mon")
    page.locator("#f-appointments-0-pinned-0-start").fill("11:00")
    page.locator("#f-appointments-0-pinned-0-venue").fill("school-castlefields")
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_role("status")).to_have_text("Saved as version 2.")
    _solve(page, "solve with a pinned session")
    _visit(page, "compare", lambda: page.goto(scenario_url + "/compare"))
    expect(page.get_by_role("row", name="alfie-slt #1 moved")).to_contain_text("mon 11:00-11:45")
    expect(page.locator("tr.changed").first).to_contain_text("higher")
    _shot(page, "compare")

    _visit(page, "sign out", lambda: page.get_by_role("button", name="Sign out").click())
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(scenario_url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    _sign_in(page, other_key)
    for url in (
        scenario_url,
        scenario_url + "/edit",
        scenario_url + "/week",
        job_url,
        scenario_url + "/sharing",
    ):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    context.close()
    print("\nwalk timings (s):", json.dumps(TIMINGS, indent=1))


def test_api_docs_work_offline(app: tuple[str, str, str], browser: Browser) -> None:
    base, _, _ = app
    context = _context(browser, base)
    page = context.new_page()
    page.goto("/docs")
    expect(page.get_by_text("/v1/scenarios/{scenario_id}/picture").first).to_be_visible(timeout=20_000)
    page.goto("/redoc")
    expect(page.get_by_role("heading", name="carepattern (1.0.0)")).to_be_visible(timeout=20_000)
    context.close()
