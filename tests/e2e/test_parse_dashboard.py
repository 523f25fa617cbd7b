"""Parse Dashboard (npm `parse-dashboard`, pinned in console/), unmodified, driven in headless Chromium.

The server is the suite's live server (chalice's dev server in a thread, moto in-process); the
dashboard is `make console`'s node program pointed at `<server>/parse` with a private app's
master key; Playwright drives Debian's chromium (`/usr/bin/chromium`, `executable_path`: no
browser download). Screenshots of each screen land in tests/artifacts/ (git-ignored) for a
person to look at. Skipped, with the reason, only when node or chromium is missing; CI
(.ci/run) installs both, and the dashboard is installed here by `npm ci` if `make console-deps`
has not run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
APP_NAME = "acme-prod"
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _requirements() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (CI installs it; locally: apt-get install nodejs npm)")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (CI installs it; locally: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -r requirements-dev.txt")
    from scripts.console import DASHBOARD

    if not DASHBOARD.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--omit=dev", "--loglevel=error"],
                       cwd=ROOT / "console", check=True, timeout=600)


def _parse(base: str, keys: dict[str, str], method: str, path: str, body: Any = None) -> Any:
    req = urllib.request.Request(f"{base}/parse/{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"X-Parse-Application-Id": keys["appId"],
                                          "X-Parse-Master-Key": keys["masterKey"], "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture
def dashboard(live_server: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The dashboard process (stopped by its pid) and the keys of the app it manages, with some data."""
    _requirements()
    from chalicelib.bootstrap import services
    from scripts.console import app_keys, dashboard_command, dashboard_env

    services().tenancy.signup(organization="acme", username="boss", name="Boss", email="b@acme.test",
                              password="s3cret-pw")
    org = services().tenancy.org("acme")
    services().tenancy.create_app(org, "prod")
    keys = app_keys(live_server, "acme", "prod", "boss", "s3cret-pw")
    for i, (player, score) in enumerate([("ann", 1200), ("bob", 800)]):
        _parse(live_server, keys, "POST", "classes/GameScore", {"playerName": player, "score": score, "rank": i})
    _parse(live_server, keys, "PUT", "config", {"params": {"welcome": "hello dashboard", "level": 3},
                                                "masterKeyOnly": {"level": True}})
    port = _free_port()
    log = (tmp_path / "dashboard.log").open("w")
    proc = subprocess.Popen(dashboard_command(port), env=dashboard_env(f"{live_server}/parse", keys, APP_NAME),
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/parse-dashboard-config.json", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"the dashboard exited: {(tmp_path / 'dashboard.log').read_text()[-2000:]}")
            time.sleep(0.3)
    try:
        yield {"url": url, "server": live_server, "keys": keys}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def page(dashboard: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        pg = browser.new_page(viewport={"width": 1400, "height": 900})
        pg.set_default_timeout(30_000)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)


def test_dashboard_browses_edits_and_configures_an_app(dashboard: dict[str, Any], page: Any) -> None:
    base = dashboard["url"]
    # the app card: serverInfo answered (no "Server not reachable"), with a version
    page.goto(f"{base}/apps")
    page.get_by_text(APP_NAME).first.wait_for()
    page.get_by_text("Server version").first.wait_for()
    _shot(page, "apps")
    assert "not reachable" not in page.content()

    # the data browser: the class list (from /schemas) with the built-in classes and ours
    page.goto(f"{base}/apps/{APP_NAME}/browser/GameScore")
    for cls in ("_User", "_Role", "GameScore"):
        page.get_by_text(cls, exact=True).first.wait_for()
    page.get_by_text("ann", exact=True).first.wait_for()  # the rows of the class
    page.get_by_text("1200", exact=True).first.wait_for()
    _shot(page, "browser")

    # add a row (toolbar "Add Row", edit a cell, "Add"): the dashboard POSTs classes/GameScore
    page.get_by_text("Add Row", exact=True).first.click()
    page.get_by_role("button", name="Add", exact=True).wait_for()
    page.get_by_text("(undefined)").nth(3).dblclick()  # the new row's playerName (after objectId, dates)
    page.keyboard.type("zed")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("zed", exact=True).first.wait_for()
    _shot(page, "row-added")
    found = _parse(dashboard["server"], dashboard["keys"], "GET", "classes/GameScore?where=%7B%22playerName%22%3A%22zed%22%7D")
    assert len(found["results"]) == 1, found  # stored, for every client

    # edit a cell of an existing row: a PUT of that field
    page.get_by_text("bob", exact=True).first.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("robert")
    page.keyboard.press("Enter")
    page.get_by_text("robert", exact=True).first.wait_for()
    deadline = time.time() + 15
    while time.time() < deadline:
        names = {o["playerName"] for o in _parse(dashboard["server"], dashboard["keys"], "GET", "classes/GameScore")["results"]}
        if "robert" in names:
            break
        time.sleep(0.5)
    assert names == {"ann", "robert", "zed"}, names
    _shot(page, "row-edited")

    # the API console (header style, a CORS preflight first): a where query with the master key
    page.get_by_text("API Console", exact=True).first.click()
    endpoint = page.locator("input").first
    endpoint.fill("classes/GameScore")
    box, label = endpoint.bounding_box(), page.get_by_text("Use Master Key?").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, label["y"] + label["height"] / 2)  # the master key toggle
    page.locator("textarea").fill('where={"playerName":"ann"}')
    with page.expect_response(lambda r: "/parse/classes/GameScore?" in r.url and r.request.method == "GET") as got:
        page.get_by_text("Send Query", exact=True).click()
    answer = got.value
    assert answer.status == 200 and answer.request.headers.get("x-parse-master-key") == dashboard["keys"]["masterKey"]
    assert [o["playerName"] for o in answer.json()["results"]] == ["ann"], answer.json()
    page.get_by_text('"playerName"').first.wait_for()  # shown in the results pane
    _shot(page, "api-console")

    # the config page: parameters with their values and the master-key-only flag
    page.goto(f"{base}/apps/{APP_NAME}/config")
    page.get_by_text("welcome", exact=True).first.wait_for()
    page.get_by_text("hello dashboard").first.wait_for()
    page.get_by_text("level", exact=True).first.wait_for()
    _shot(page, "config")
    assert not page.errors, page.errors  # type: ignore[attr-defined]
