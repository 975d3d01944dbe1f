"""End-to-end: `proplens serve` and the HTML report in Debian's chromium, driven by Playwright.

The server runs the shipped default model when it loads; before one is shipped, it runs the
`LongWordPipeline` stand-in through the same `proplens serve --model module:callable` path.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STANDIN = "tests.fakes:LongWordPipeline"
LOADED = (
    "These cowardly traitors are destroying our great nation! Their reckless, disgraceful "
    "government must be stopped before it is too late."
)
XSS = 'Hello <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> traitors.'


def _model_args() -> list[str]:
    """`--model` for the server: $PROPLENS_TEST_MODEL, else the default model, else the stand-in."""
    if os.environ.get("PROPLENS_TEST_MODEL"):
        return ["--model", os.environ["PROPLENS_TEST_MODEL"]]
    from proplens.errors import ModelError
    from proplens.pipeline import DEFAULT_MODEL, load

    try:
        load(DEFAULT_MODEL)
    except ModelError:
        return ["--model", STANDIN]
    return []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def model_args() -> list[str]:
    return _model_args()


def _serve(*args: str):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "proplens", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"`proplens serve` did not start: {proc.stdout.read().decode()[-2000:]}")
        time.sleep(0.3)
    return base, proc


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server(model_args):
    base, proc = _serve(*model_args)
    yield base
    _stop(proc)


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory):
    from proplens.doc import Doc
    from proplens.storage import ModelId, Result, Store
    from tests.fakes import StandInPipeline

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'corpus.db'}"
    pipe = StandInPipeline()
    rows = [
        ("Reckless traitors everywhere", "The Daily", "2026-01-02"),
        ("A calm report", "The Weekly", "2026-02-03"),
        ("Disgraceful, reckless and shameful", "The Daily", "2026-03-04"),
    ]
    docs = [pipe(Doc(f"{t}. Some more words here.", title=t, source=s, date=d)) for t, s, d in rows]
    with Store(url) as store:
        store.write_batch(
            None, ModelId(pipe.name, pipe.version), [Result(origin=d.title, doc=d) for d in docs]
        )
    base, proc = _serve("--db", url, "--model", "tests.fakes:StandInPipeline")
    yield base
    _stop(proc)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def _page(browser, allowed_prefix: str, width: int = 1280):
    """A page that aborts (and records) requests outside `allowed_prefix`; records dialogs."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.blocked, page.dialogs, page.errors = [], [], []

    def gate(route):
        if route.request.url.startswith(allowed_prefix):
            route.continue_()
        else:
            page.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", gate)
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def _analyse(page, base: str, text: str):
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready]")
    page.fill("#pl-text", text)
    page.click("#pl-submit")
    page.wait_for_selector("#pl-result mark.pl-seg", timeout=60_000)


def _full_screenshot(page, hover, name: str) -> None:
    """Screenshot the whole page with `hover` hovered: the viewport grows to the page's height,
    so the sticky header and side panel sit where a reader sees them (not mid-page)."""
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
    page.evaluate("() => window.scrollTo(0, 0)")
    hover.hover()
    page.locator("#pl-tip").wait_for(state="visible")
    page.screenshot(path=str(ARTIFACTS / name))
    page.set_viewport_size({"width": page.viewport_size["width"], "height": 900})


def _chip_counts(page) -> dict[str, int]:
    chips = page.locator(".pl-legend .pl-chip[data-technique]")
    return {
        chips.nth(i).get_attribute("data-technique"): int(
            chips.nth(i).locator(".pl-count").inner_text()
        )
        for i in range(chips.count())
    }


def test_web_analyses_pasted_article(server, browser, sample_pdf_text):
    text = sample_pdf_text.read_text(encoding="utf-8")
    page = _page(browser, server)
    _analyse(page, server, text)
    data = json.loads(page.request.post(server + "/api/analyze", data={"text": text}).text())
    # By default the page shows the marks at or above `default_min_score`; weaker ones are
    # hidden and counted.
    shown_spans = [s for s in data["spans"] if s["score"] >= data["default_min_score"] - 1e-9]
    counts: dict[str, int] = {}
    for s in shown_spans:
        counts[s["technique"]] = counts.get(s["technique"], 0) + 1
    assert _chip_counts(page) == counts
    shown = page.locator(".pl-shown")
    assert shown.get_attribute("data-visible") == str(len(shown_spans))
    assert shown.get_attribute("data-hidden") == str(len(data["spans"]) - len(shown_spans))

    mark = page.locator("#pl-result mark.pl-seg[tabindex]").first
    mark.hover()
    tip = page.locator("#pl-tip")
    tip.wait_for(state="visible")
    first = shown_spans[0]
    assert first["title"] in tip.inner_text() and first["definition"] in tip.inner_text()
    assert "%" in tip.inner_text()
    _full_screenshot(page, mark, "web-analysis.png")

    low = min(s["score"] for s in data["spans"])
    cut = math.floor(low * 100 + 1) / 100  # the next slider step (0.01) above the weakest span
    page.locator(".pl-slider").fill(str(cut))
    expected = sum(s["score"] >= cut - 1e-9 for s in data["spans"])
    page.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
        "n => document.querySelector('.pl-shown').getAttribute('data-visible') === n",
        arg=str(expected),
    )
    assert expected < len(data["spans"])
    assert page.locator("#pl-result mark.pl-seg").count() < len(data["spans"]) * 3

    page.keyboard.press("Escape")
    page.locator(".pl-slider").fill("0")
    marks = page.locator("#pl-result mark.pl-seg[tabindex]")
    marks.first.focus()
    tip.wait_for(state="visible")
    page.keyboard.press("ArrowRight")
    assert marks.nth(1).evaluate("m => m === document.activeElement")
    assert page.blocked == [] and page.errors == []

    phone = _page(browser, server, width=390)
    _analyse(phone, server, text)
    phone.screenshot(path=str(ARTIFACTS / "web-phone.png"))


def test_web_legend_filters_view(server, browser):
    page = _page(browser, server)
    _analyse(page, server, LOADED)
    before = int(page.locator(".pl-shown").get_attribute("data-visible"))
    chip = page.locator(".pl-legend .pl-chip[data-technique]").first
    n = int(chip.locator(".pl-count").inner_text())
    chip.click()
    assert int(page.locator(".pl-shown").get_attribute("data-visible")) == before - n
    assert page.locator(".pl-legend .pl-chip[aria-pressed=false]").count() == 1


def test_web_download_report(server, browser, tmp_path):
    page = _page(browser, server)
    _analyse(page, server, LOADED)
    with page.expect_download() as download:
        page.click("#pl-download")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.endswith(".html") and "ProplensRender" in path.read_text(encoding="utf-8")


def test_web_article_with_script_shows_as_text(server, browser):
    page = _page(browser, server)
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready]")
    page.fill("#pl-text", XSS)
    page.click("#pl-submit")
    page.wait_for_selector("#pl-result .pl-text")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None and page.dialogs == []
    assert page.locator("#pl-result .pl-text").inner_text().strip() == XSS
    assert page.locator("#pl-result .pl-text img, #pl-result .pl-text script").count() == 0


def test_web_report_offline(browser, model_args, sample_pdf_text, tmp_path):
    report = tmp_path / "report.html"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "proplens",
        "analyze",
        str(sample_pdf_text),
        "--format",
        "html",
        "-o",
        str(report),
        *model_args,
    ]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    context = browser.new_context(offline=True)
    page = context.new_page()
    blocked = []
    page.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith("file://")
            else (blocked.append(r.request.url), r.abort())
        ),
    )
    page.goto(report.as_uri())
    page.wait_for_selector("mark.pl-seg")
    n_spans = int(page.locator(".pl-shown").get_attribute("data-visible"))
    assert n_spans > 0 and page.locator(".pl-chip[data-technique]").count() > 0
    assert page.locator("svg.pl-bars rect").count() > 0
    _full_screenshot(page, page.locator("mark.pl-seg[tabindex]").first, "report-offline.png")
    assert blocked == []
    context.close()

    static = browser.new_context(offline=True, java_script_enabled=False)
    page = static.new_page()
    page.goto(report.as_uri())
    assert page.locator(".pl-static mark.pl-seg").count() > 0
    static.close()


def test_web_corpus_view(corpus_server, browser):
    page = _page(browser, corpus_server)
    page.goto(corpus_server + "/#/corpus")
    page.wait_for_selector("#pl-table tbody tr td a")
    rows = page.locator("#pl-table tbody tr")
    assert rows.count() == 3
    page.wait_for_selector("#pl-chart-source svg rect")
    assert page.locator("#pl-chart-tech svg rect").count() == 2  # Loaded_Language, Name_Calling
    page.click("th[data-key=n_spans] button")
    assert rows.nth(0).locator("a").inner_text() == "Disgraceful, reckless and shameful"
    page.screenshot(path=str(ARTIFACTS / "web-corpus.png"))
    page.fill("#pl-f-source", "The Weekly")
    page.click("#pl-corpus-form button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#pl-table tbody tr').length === 1")
    page.click("#pl-table tbody tr td a")
    page.wait_for_selector("#pl-article .pl-title")
    assert page.locator("#pl-article .pl-title").inner_text() == "A calm report"
    assert page.blocked == [] and page.errors == []
