"""End to end in Debian's chromium: marks drawn by confidence, the hover card explains, a reader
rejects one mark and adds one, downloads the corrections, and the export holds exactly that.

Screenshots go to test-artifacts/ (1366 px and 390 px wide) for a developer to look at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from proplens.cli import app as cli
from proplens.corrections import article_id
from tests.browser.test_web import ARTIFACTS, _page, _serve, _stop, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = (
    "The reckless council sold the rail yard at midnight. These traitors never asked us.\n\n"
    "Their disgraceful plan betrays the nation, and the rail yard is gone for good."
)


@pytest.fixture(scope="module")
def db_server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'corrections.db'}"
    base, proc = _serve("--db", url, "--model", "tests.browser.banded:BandedPipeline")
    yield base, url
    _stop(proc)


def _select(page, needle: str, nth: int = 0) -> None:
    """Select the `nth` occurrence of `needle` in the article as a reader would, then release."""
    page.evaluate(
        """([needle, nth]) => {
          const root = document.querySelector('#pl-result .pl-text');
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          let seen = 0, node;
          while ((node = walker.nextNode())) {
            let at = node.data.indexOf(needle);
            while (at >= 0) {
              if (seen++ === nth) {
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + needle.length);
                const sel = window.getSelection();
                sel.removeAllRanges();
                sel.addRange(range);
                root.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                return;
              }
              at = node.data.indexOf(needle, at + 1);
            }
          }
          throw new Error('not found: ' + needle);
        }""",
        [needle, nth],
    )


def _shown_counts(page) -> list[int]:
    """The marks shown as the toolbar ("Showing N of M marks" and its `data-visible`), the
    summary ("N marks shown") and the chart (the sum of its bars) each count them."""
    toolbar = re.match(r"Showing (\d+) of ", page.inner_text(".pl-shown"))
    assert toolbar, page.inner_text(".pl-shown")
    chart = page.get_attribute("#pl-result svg.pl-bars", "aria-label") or ""
    return [
        int(toolbar.group(1)),
        int(page.get_attribute(".pl-shown", "data-visible") or -1),
        int(page.inner_text(".pl-stats .pl-n-spans")),
        sum(int(n) for n in re.findall(r" (\d+) \(\d+%\)", chart)),
    ]


def _screenshot(page, width: int, name: str) -> None:
    """The whole page at `width`, with the viewport as tall as the page so that the sticky
    header sits at the top, where a reader sees it."""
    page.set_viewport_size({"width": width, "height": 900})
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / name))
    page.set_viewport_size({"width": width, "height": 900})


def test_browser_mark_reject_add_export(db_server, browser, tmp_path):  # noqa: F811
    db_server, db_url = db_server
    page = _page(browser, db_server, width=1366)
    page.goto(db_server + "/")
    page.wait_for_selector("body[data-ready]")
    page.fill("#pl-text", TEXT)
    page.click("#pl-submit")
    page.wait_for_selector("#pl-result mark.pl-seg")

    # Marks are drawn by band; the weak one (12%) is hidden and counted until asked for.
    bands = page.eval_on_selector_all(
        "#pl-result mark.pl-seg", "ms => ms.map(m => [m.textContent, m.dataset.band])"
    )
    assert ["reckless", "likely"] in bands and ["disgraceful", "possible"] in bands
    assert "nation" not in [text for text, _ in bands]
    assert page.get_attribute(".pl-shown", "data-hidden") == "1"
    assert "How often this model is right: precision 34%, recall 50%" in page.inner_text(
        ".pl-stats"
    )
    page.click(".pl-show-weak")
    assert page.locator('#pl-result mark[data-band="weak"]').inner_text() == "nation"
    page.click(".pl-show-weak")

    # Hover explains: technique, band and its meaning, definition.
    page.hover('#pl-result mark[data-band="possible"]')
    tip = page.locator("#pl-tip")
    tip.wait_for(state="visible")
    assert "Possible · 35%" in tip.inner_text() and "Loaded language" in tip.inner_text()
    assert "emotional charge" in tip.inner_text()

    # Reject the likely "reckless" mark: still drawn, struck through, but no longer counted as
    # shown, by the toolbar, the summary and the chart alike.
    assert _shown_counts(page) == [3, 3, 3, 3]
    page.click('#pl-result mark[data-band="likely"]:text-is("reckless")')
    page.click("#pl-tip .pl-corr-wrong")
    assert "pl-verdict-reject" in page.get_attribute('mark:text-is("reckless")', "class")
    assert _shown_counts(page) == [2, 2, 2, 2]
    assert "1 rejected by you" in page.inner_text(".pl-shown")
    assert page.get_attribute(".pl-shown", "data-rejected") == "1"

    # Add a missed mark on the second "rail yard".
    _select(page, "rail yard", nth=1)
    page.locator(".pl-adder select").select_option("Appeal_to_fear-prejudice")
    page.wait_for_selector("#pl-result mark.pl-added")
    expect(page.locator(".pl-corr-note")).to_contain_text("2 corrections stored")
    items = page.eval_on_selector_all(".pl-corr-item", "ls => ls.map(l => l.dataset.action)")
    assert items == ["reject", "add"]
    assert _shown_counts(page) == [3, 3, 3, 3]  # the reader's own mark is shown and counted
    assert "(1 yours)" in page.inner_text(".pl-stats")

    for width in (1366, 390):
        _screenshot(page, width, f"corrections-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    with page.expect_download() as info:
        page.click(".pl-corr-download")
    saved = tmp_path / "corrections.json"
    info.value.save_as(saved)
    actions = [c["action"] for c in json.loads(saved.read_text())["articles"][0]["corrections"]]
    assert actions == ["reject", "add"]

    second = TEXT.index("rail yard", TEXT.index("rail yard") + 1)
    expected = [f"{article_id(TEXT)}\tAppeal_to_fear-prejudice\t{second}\t{second + 9}"]
    for source in ([str(saved)], ["--db", db_url]):
        out = tmp_path / ("file" if source[0] != "--db" else "db")
        result = CliRunner().invoke(cli, ["corrections", "export", *source, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert (out / "corrections-task-flc-tc.labels").read_text().splitlines() == expected
    assert page.errors == [] and page.blocked == []


def test_browser_pdf_sample_at_two_widths(browser, sample_pdf_text):  # noqa: F811
    """Screenshots of the shipped model on the PDF-extracted sample, for a developer to look at."""
    from tests.browser.test_web import _model_args

    base, proc = _serve(*_model_args())
    try:
        for width in (1366, 390):
            page = _page(browser, base, width=width)
            page.goto(base + "/")
            page.wait_for_selector("body[data-ready]")
            page.fill("#pl-text", Path(sample_pdf_text).read_text(encoding="utf-8"))
            page.click("#pl-submit")
            page.wait_for_selector("#pl-result mark.pl-seg", timeout=60_000)
            _screenshot(page, width, f"pdf-sample-{width}.png")
            page.locator("#pl-result mark.pl-seg[tabindex]").first.click()
            page.locator("#pl-tip").wait_for(state="visible")
            page.screenshot(path=str(ARTIFACTS / f"pdf-sample-{width}-card.png"))
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert page.errors == []
            page.close()
    finally:
        _stop(proc)


def test_browser_report_corrections_download_offline(browser, tmp_path):  # noqa: F811
    """The self-contained report (no server, no network) also takes corrections, as a file."""
    from proplens.views import analysis, model_info, render_report
    from tests.browser.banded import BandedPipeline

    pipe = BandedPipeline()
    report = tmp_path / "report.html"
    report.write_text(render_report(analysis(pipe(TEXT), model_info(pipe))), encoding="utf-8")
    page = _page(browser, "file://", width=1366)
    page.goto(report.as_uri())
    page.click('mark:text-is("traitors")')
    page.click("#pl-tip .pl-corr-right")
    with page.expect_download() as info:
        page.click(".pl-corr-download")
    saved = tmp_path / "from-report.json"
    info.value.save_as(saved)
    (article,) = json.loads(saved.read_text())["articles"]
    assert article["text"] == TEXT and [c["action"] for c in article["corrections"]] == ["confirm"]
    assert "Generated " in page.inner_text("#pl-report-head")
    assert page.errors == [] and page.blocked == []


def test_browser_keyboard_reaches_correction_buttons(db_server, browser):  # noqa: F811
    base, _ = db_server
    page = _page(browser, base, width=1366)
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready]")
    page.fill("#pl-text", TEXT)
    page.click("#pl-submit")
    mark = page.locator("#pl-result mark.pl-seg[tabindex]").first
    mark.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.className").startswith("pl-corr-btn")
    page.keyboard.press("Escape")
    assert mark.evaluate("m => m === document.activeElement")
    assert page.locator("#pl-tip .pl-corr-btn").count() == 0  # back to the unpinned card
