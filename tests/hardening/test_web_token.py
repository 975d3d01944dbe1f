"""The page asks once for the access token of a server started with `--token`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import StandInPipeline
from tests.hardening.test_server_limits import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture
def page():
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser.new_page()
        browser.close()


def test_web_asks_for_the_token_once_then_analyses(page):
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept("s3cret")

    page.on("dialog", answer)
    with LiveServer(StandInPipeline(), token="s3cret") as live:
        page.goto(live.url + "/")
        page.wait_for_selector("body[data-ready]")
        page.reload()
        page.wait_for_selector("body[data-ready]")
        page.fill("#pl-text", "They are reckless traitors, always.")
        page.click("#pl-submit")
        page.wait_for_selector("#pl-result mark", timeout=30_000)
    assert len(asked) == 1 and "needs an access token" in asked[0]
