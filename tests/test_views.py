"""Tests for proplens.views: the analysis JSON and its terminal, HTML and Markdown views."""

from __future__ import annotations

import json
import re

import pytest

from proplens.doc import Doc
from proplens.techniques import BY_NAME, LABELS
from proplens.views.analysis import analysis, model_info
from proplens.views.html import embed_json, marks_html, render_report, segments
from proplens.views.markdown import render_markdown
from proplens.views.terminal import TERMINAL_COLOURS, numbered_marks, reflow, render_plain
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


def test_render_plain_numbers_marks_apart_with_titles_and_definitions(data):
    out = render_plain(data)
    assert "They are [[disgraceful](1) [reckless](3)](2) [traitors](4)." in out
    assert "(4) Name calling / labeling · likely, 90%" in out
    assert BY_NAME["Name_Calling,Labeling"].definition[:40] in " ".join(out.split())
    assert "Name_Calling,Labeling" not in out and "density" not in out


def test_render_plain_hides_weak_marks_and_says_how_many():
    doc = Doc("Everyone knows they are traitors.")
    doc.add_span(0, 14, "Bandwagon,Reductio_ad_hitlerum", 0.12)
    doc.add_span(24, 32, "Name_Calling,Labeling", 0.9)
    data = analysis(doc, {"name": "m"})
    out = render_plain(data)
    assert "[Everyone knows]" not in out and "[traitors](1)" in out
    assert "1 weaker mark (under 25%) is not shown; add `--show-weak` to see it." in out
    assert "[Everyone knows](1)" in render_plain(data, min_score=0)


def test_render_plain_bars_are_shares_of_marks():
    doc = Doc("a b c d e f g h")
    for i, tech in enumerate(["Doubt", "Slogans", "Repetition", "Flag-Waving"]):
        doc.add_span(2 * i, 2 * i + 1, tech, 0.9)
    lines = render_plain(analysis(doc), cols=80).splitlines()
    bars = [line for line in lines if line.rstrip().endswith("#")]
    assert len(bars) == 4 and all("25%" in b and b.count("#") == 8 for b in bars)


def test_render_plain_reflows_hard_wrapped_text_keeps_paragraphs():
    line = "This line was hard wrapped by a PDF extractor at a fixed width of sixty"
    text = (
        "\n".join([line] * 6) + "\n\nA second para-\ngraph follows here, also long enough to count."
    )
    out = render_plain(analysis(Doc(text)), cols=200)
    assert f"{line} {line}" in out and "\n\nA second para-graph follows" in out
    assert len(reflow(text)) == len(text) and reflow("short\nlines\n") == "short\nlines\n"


def test_render_terminal_colours_distinct_per_technique():
    assert set(TERMINAL_COLOURS) == set(LABELS)
    assert len(set(TERMINAL_COLOURS.values())) == len(LABELS)


@pytest.mark.parametrize(
    "meta,needles",
    [
        (
            {"dev_protocol_scores": {"si_p": 0.336, "si_r": 0.502, "tc_f1": 0.598}},
            ["about 34% of the text", "about 50% of what they marked", "technique 60%"],
        ),
        ({}, ["model's estimate, not a finding"]),
    ],
)
def test_render_reading_guide_quotes_measured_quality(meta, needles):
    info = model_info(type("P", (), {"name": "m", "version": "1", "meta": meta})())
    guide = analysis(Doc("x"), info)["reading_guide"]
    assert all(n in guide for n in needles)


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
    assert "<script>" not in md and "| Name calling / labeling | 1 | 100% |" in md
    assert "## Marks" in render_markdown(data)


def test_render_reports_carry_date_model_threshold_and_guide(data):
    data["model"] = {"name": "m", "version": "7", "threshold": 0.05}
    md, page = render_markdown(data), render_report(data)
    for out in (md, page):
        assert "model m 7 · threshold 0.05" in out and "Generated 20" in out
    assert "How to read this" in md and "density" not in md


def test_render_plain_hides_terminal_controls_keeps_offsets():
    text = "They are traitors.\x1b]0;PWNED\x07 \x1b[2J\x9b31m done"
    data = analysis(StandInPipeline()(text), {"name": "m"})
    out = render_plain(data)
    assert "[traitors](" in out and "\ufffd]0;PWNED\ufffd" in out
    assert not any(c in out for c in "\x1b\x07\x9b")
    assert data["text"] == text and all(
        text[s["start"] : s["end"]] == s["text"] for s in data["spans"]
    )
