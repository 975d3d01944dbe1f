"""End to end in Debian's chromium: a web address in the page's URL field is fetched by the
server (a local HTTP server on 127.0.0.1 stands in for a news site) and analysed."""

from __future__ import annotations

import pytest

from tests.browser.test_web import _page, _serve, _stop, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def banded_server():
    base, proc = _serve("--model", "tests.browser.banded:BandedPipeline")
    yield base
    _stop(proc)


@pytest.mark.parametrize(
    "path,expected",
    [("/story.html", "mark.pl-seg"), ("/gone", ".pl-status.pl-error")],
)
def test_browser_url_field_fetches_article(banded_server, browser, site, path, expected):  # noqa: F811
    page = _page(browser, banded_server, width=1366)
    page.goto(banded_server + "/")
    page.wait_for_selector("body[data-ready]")
    page.fill("#pl-url", site + path)
    page.click("#pl-submit")
    page.wait_for_selector(expected)
    if path == "/gone":
        assert "answered 404 Not Found" in page.inner_text("#pl-status")
    else:
        assert "traitors" in page.inner_text("#pl-result .pl-text")
        assert page.get_attribute("#pl-result .pl-url", "href") == site + path
    assert page.errors == [] and page.blocked == []
