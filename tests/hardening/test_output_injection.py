"""Hostile article text must stay inert in every output: HTML reports, Markdown, the terminal."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from proplens.doc import Doc

XSS = (
    'Hi </script><script>alert(1)</script><img src=x onerror="alert(2)"> traitors '
    "<iframe src=javascript:alert(3)></iframe> <!-- --> ]]> \u2028 &lt;b&gt; {{7*7}} ${x}"
)
ANSI = (
    "They are traitors.\x1b]0;PWNED\x07 \x1b[2J\x1b[31mred\x1b[0m "
    "\x1b]52;c;ZXZpbA==\x07 \x9b31m done."
)


def hostile_analysis():
    from proplens.views.analysis import analysis

    doc = Doc(
        XSS,
        title="<script>alert('t')</script>",
        source='"><svg onload=alert(4)>',
        url="javascript:alert(5)",
        author="<b onmouseover=alert(6)>x</b>",
    )
    start = XSS.index("traitors")
    doc.add_span(start, start + 8, "Name_Calling,Labeling", 0.9)
    doc.add_span(0, len(XSS), "Doubt", 0.3)
    return analysis(doc, {"name": "<i>m</i>", "version": "1<script>"})


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.data_blocks, self._in = [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        self._in = tag

    def handle_data(self, data):
        if self._in == "script":
            self.data_blocks.append(data)


def test_render_report_keeps_hostile_text_inert():
    from proplens.views.html import render_report

    page = render_report(hostile_analysis())
    parser = Tags()
    parser.feed(page)
    assert parser.tags.count("script") == 3  # data, renderer, bootstrap: none from the article
    assert not {"iframe", "img", "svg", "object", "embed"} & set(parser.tags)
    assert not [a for a in parser.attrs if a[1].lower().startswith("on")]
    assert not [a for a in parser.attrs if (a[2] or "").strip().lower().startswith("javascript:")]
    data = page.split('id="pl-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data and "\u2028" not in data
    csp = re.search(r'Content-Security-Policy"\s+content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "connect-src" not in csp


def test_render_markdown_keeps_hostile_text_inert():
    from proplens.views.markdown import render_markdown

    md = render_markdown(hostile_analysis())
    assert not re.search(r"<(script|img|iframe|svg|b)\b", md, re.I)
    assert "](javascript:" not in md


def test_web_renderer_links_only_http_urls():
    from proplens.views.html import web_asset

    js = web_asset("render.js")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js
    assert re.search(r"/\^https\?:", js), "article URLs must be checked for http(s) before linking"


def run_cli(args, monkeypatch):
    from proplens.cli import app
    from tests.fakes import StandInPipeline

    monkeypatch.setattr("proplens.cli.analyze.load_pipeline", lambda m, t: StandInPipeline())
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "args",
    [["extract"], ["analyze", "--no-color"], ["analyze", "--color"], ["analyze", "--format", "md"]],
    ids=["extract", "analyze-plain", "analyze-colour", "analyze-md"],
)
def test_cli_terminal_output_strips_escape_sequences_from_articles(tmp_path, monkeypatch, args):
    """An article must not be able to drive the reader's terminal (retitle it, clear it, write the
    clipboard with OSC 52): control characters from the article never reach stdout raw."""
    path = tmp_path / "ansi.txt"
    path.write_bytes(ANSI.encode())
    out = run_cli([*args, str(path)], monkeypatch)
    article_part = out[out.find("They") :]
    assert "traitors" in article_part
    assert not re.search(r"\x1b[\]P^_]|\x07|\x9b|\x1b\[2J", article_part), repr(article_part[:200])
    if "--color" not in args:
        assert "\x1b" not in out
