from __future__ import annotations

import json
import re

import pytest

from proplens.render import (
    analysis,
    embed_json,
    marks_html,
    numbered_marks,
    render_markdown,
    render_plain,
    render_report,
    segments,
)
from tests.fakes import StandInPipeline

XSS = 'Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> you traitors & co.'


@pytest.fixture
def data():
    return analysis(StandInPipeline()("They are disgraceful reckless traitors."), {"name": "m"})


def test_render_analysis_has_definitions_and_summary(data):
    assert [s["technique"] for s in data["spans"]][:2] == [
        "Loaded_Language",
        "Exaggeration,Minimisation",
    ]
    assert all(s["definition"] and s["colour"].startswith("#") for s in data["spans"])
    assert data["spans"][0]["alternatives"][0] == {"technique": "Doubt", "score": 0.2}
    assert data["summary"]["n_spans"] == len(data["spans"]) == 4
    assert len(data["techniques"]) == 14 and data["model"] == {"name": "m"}


@pytest.mark.parametrize(
    "spans,expected",
    [
        ([], [(0, 10, [])]),
        ([(2, 5)], [(0, 2, []), (2, 5, [0]), (5, 10, [])]),
        ([(0, 6), (4, 10)], [(0, 4, [0]), (4, 6, [0, 1]), (6, 10, [1])]),
        ([(0, 10), (3, 5)], [(0, 3, [0]), (3, 5, [0, 1]), (5, 10, [0])]),
    ],
)
def test_render_segments_tile_text(spans, expected):
    assert segments("x" * 10, [{"start": s, "end": e} for s, e in spans]) == expected


def test_render_numbered_marks_crossing_spans():
    spans = [{"start": 0, "end": 6}, {"start": 4, "end": 10}]
    pieces = numbered_marks("abcdefghij", spans)
    flat = "".join(p if k == "text" else "[" if k == "open" else f"]{n}" for k, n, p in pieces)
    assert flat == "[abcd[ef]1ghij]2"


def test_render_plain_marks_and_summary(data):
    out = render_plain(data)
    assert "They are [[disgraceful]^1 [reckless]^3]^2 [traitors]^4." in out
    assert "Name_Calling,Labeling" in out and "4 spans, propaganda density" in out


def test_render_marks_html_escapes_article():
    doc = StandInPipeline()(XSS)
    out = marks_html(analysis(doc))
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "onerror=&quot;alert(2)&quot;" in out
    assert out.count("<mark") == 1


def test_render_embed_json_cannot_close_script():
    s = embed_json({"text": "</script><script>alert(1)</script>"})
    assert "</script" not in s and json.loads(s)["text"].startswith("</script>")


def test_render_report_is_self_contained_and_escaped():
    html = render_report(analysis(StandInPipeline()(XSS)))
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "ProplensRender" in html and ".pl-seg" in html
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    assert "Content-Security-Policy" in html


def test_render_markdown_inert_html(data):
    md = render_markdown(analysis(StandInPipeline()(XSS)))
    assert "<script>" not in md and "| Name calling / labeling | 1 |" in md
    assert "## Spans" in render_markdown(data)


def test_render_plain_hides_terminal_controls_keeps_offsets():
    text = "They are traitors.\x1b]0;PWNED\x07 \x1b[2J\x9b31m done"
    data = analysis(StandInPipeline()(text), {"name": "m"})
    out = render_plain(data)
    assert "[traitors]^" in out and "\ufffd]0;PWNED\ufffd" in out
    assert not any(c in out for c in "\x1b\x07\x9b")
    assert data["text"] == text and all(
        text[s["start"] : s["end"]] == s["text"] for s in data["spans"]
    )
