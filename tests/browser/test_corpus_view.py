"""The corpus view (`/corpus`) in Debian's chromium: outlets ranked with intervals, lean side by
side, a monthly trend, the outlet × technique heat map and the drill-down, from a small gzip JSON
Lines corpus written here and batched through the real input layer."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from tests.browser.test_web import ARTIFACTS, _page, _serve, _stop, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HOSTILE = 'Evil <img src=x onerror="window.__pwned=1"> News'
OUTLETS = [("Daily Herald", "left"), ("Morning Post", "center"), ("Evening Star", "right"),
           ("Weekly Ledger", "left"), (HOSTILE, "right")]  # fmt: skip
WORDS = ["traitors", "disaster", "always", "fear", "nation"]  # tests.fakes.KEYWORDS


def wait_count(page, selector: str, n: int, seconds: float = 30) -> None:
    """Wait until `selector` matches `n` elements (polled from Python: the page's CSP forbids
    the string evaluation `wait_for_function` uses)."""
    for _ in range(int(seconds * 10)):
        if page.locator(selector).count() == n:
            return
        page.wait_for_timeout(100)
    assert page.locator(selector).count() == n


def records():
    out = []
    for i in range(150):
        outlet, lean = OUTLETS[i % len(OUTLETS)]
        loud = " ".join(WORDS[: 1 + (i % len(OUTLETS)) % 4])
        text = f"Report {i} from {outlet}. The council met on Tuesday. They said {loud} today."
        date = "" if i % 13 == 0 else "1/21" if i % 17 == 0 else f"2019-{1 + i % 6:02d}-1{i % 9}"
        out.append({"id": f"r{i}", "text": text, "title": f"Story {i}", "source": outlet,
                    "date": date, "bias": lean, "topic": "council"})  # fmt: skip
    return out


@pytest.fixture(scope="module")
def corpus_view_server(tmp_path_factory):
    from proplens.runner import run_batch
    from proplens.storage import Store
    from tests.fakes import KeywordPipeline

    folder = tmp_path_factory.mktemp("corpus")
    with gzip.open(folder / "feed-00.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in records())
    url = f"sqlite:///{folder / 'corpus.db'}"
    with Store(url) as store:
        summary = run_batch([folder / "feed-00.jsonl.gz"], store, pipeline=KeywordPipeline(),
                            progress=False)  # fmt: skip
    assert (summary.done, summary.failed) == (150, 0)
    base, proc = _serve("--db", url, "--model", "tests.fakes:KeywordPipeline")
    yield base
    _stop(proc)


def test_corpus_view_renders_every_figure_and_drills_down(corpus_view_server, browser):  # noqa: F811
    base = corpus_view_server
    page = _page(browser, base, width=1280)
    page.goto(base + "/corpus")
    page.fill("#cv-min", "1")
    page.click("#cv-form button[type=submit]")
    page.wait_for_selector("body[data-ready]")
    wait_count(page, "#cv-heat tbody tr", 5)
    page.screenshot(path=str(ARTIFACTS / "corpus-view.png"), full_page=True)
    # ranked outlets, each with its number of articles and an interval
    top = page.locator("#cv-rank-top tbody tr")
    assert top.count() == 5 and page.locator("#cv-rank-bottom").is_hidden()  # few: all in one
    first = top.nth(0).inner_text()
    assert re.search(r"\d+\.\d \[\d+\.\d–\d+\.\d\]", first), first
    # the hostile outlet name is text, never markup
    assert page.locator("text=" + HOSTILE).count() >= 1
    assert page.evaluate("window.__pwned") is None
    # heat map: 5 outlets × the techniques found; lean side by side; monthly trend points
    assert page.locator("#cv-heat tbody tr").count() == 5
    assert page.locator("#cv-sides .cv-legend span").all_inner_texts() == [
        "left",
        "center",
        "right",
    ]
    assert page.locator("#cv-trend circle").count() >= 6
    note = page.locator("#cv-trend-note").inner_text()
    assert "12 articles without a date and 8 whose date could not be parsed" in note, note
    # keyboard: focus the first heat-map cell, press Enter, get its articles
    cell = page.locator("#cv-heat tbody tr").first.locator("button").first
    label = cell.get_attribute("aria-label")
    cell.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#cv-articles li")
    assert page.evaluate("document.activeElement.id") == "cv-drill-h"
    outlet = label.split(",")[0]
    metas = page.locator("#cv-articles .cv-meta").all_inner_texts()
    assert metas and all(m.startswith(outlet) for m in metas), (outlet, metas)
    link = page.locator("#cv-articles a").first
    assert re.fullmatch(r"/#/article/\d+", link.get_attribute("href"))
    page.locator("#cv-drill").screenshot(path=str(ARTIFACTS / "corpus-drill.png"))
    # from an article to its marked text, on the main page
    link.click()
    page.wait_for_selector("mark", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "corpus-article.png"))
    assert not page.errors and not page.blocked and not page.dialogs


def test_corpus_view_lean_filter_and_trend_by_point(corpus_view_server, browser):  # noqa: F811
    base = corpus_view_server
    page = _page(browser, base)
    page.goto(base + "/corpus")
    page.wait_for_selector("body[data-ready]")
    page.select_option("#cv-side", "left")
    page.fill("#cv-min", "1")
    page.click("#cv-form button[type=submit]")
    wait_count(page, "#cv-rank-top tbody tr", 2)
    names = page.locator("#cv-rank-top tbody tr button.cv-cell").all_inner_texts()
    assert set(names) <= {"Daily Herald", "Weekly Ledger"}
    dot = page.locator("#cv-trend circle").first
    dot.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#cv-articles li")
    assert re.match(r"left · 2019-0\d", page.locator("#cv-drill-what").inner_text())
    metas = page.locator("#cv-articles .cv-meta").all_inner_texts()
    assert metas and all(m.split(" · ")[0] in ("Daily Herald", "Weekly Ledger") for m in metas)
    assert not page.errors and not page.blocked
