"""Analysis cost is bounded: long texts go in segments, paragraph context is capped, and an
analysis can be cancelled between model calls."""

from __future__ import annotations

import time

import pytest

import proplens
from proplens import long_text
from proplens.cancel import Cancel, Cancelled, cancellable
from proplens.long_text import segments
from proplens.normalize import normalize
from proplens.stages.features import DocStats
from proplens.stages.lexical import CONTEXT_CHARS, span_parts

A = (
    "The corrupt elite always lies to the people. Everyone knows they are traitors to this "
    "great nation, and only a fool would believe another word they say. "
) * 4
B = (
    "Critics call the plan a disaster. The minister said on Tuesday that the budget would be "
    "published next week, and that no decision had been taken yet on the new tax. "
) * 4


def nlp_clean(text: str) -> str:
    return normalize(text)[0]


@pytest.fixture(scope="module")
def nlp():
    return proplens.load()


@pytest.mark.parametrize(
    "text,size,first_end",
    [
        ("One. Two. Three.", 10, 10),  # after a sentence end
        ("aaaaaaa\n\nbbbb cccc", 12, 9),  # after a paragraph break
        ("x" * 25, 10, 10),  # no break at all: cut at the size
        ("short", 10, 5),
    ],
)
def test_segments_cover_the_text_and_end_at_breaks(text, size, first_end):
    cuts = segments(text, size)
    assert cuts[0][1] == first_end
    assert "".join(text[s:e] for s, e in cuts) == text
    assert all(e - s <= size for s, e in cuts)


def test_pipeline_long_text_in_segments_equals_its_parts_analysed_alone(nlp, monkeypatch):
    joined = A + "\n\n" + B
    alone = [(s.start, s.end, s.technique) for s in nlp(A + "\n\n").spans]
    shift = len(A) + 2
    alone += [(s.start + shift, s.end + shift, s.technique) for s in nlp(B).spans]
    size = max(len(A), len(B)) + 20
    monkeypatch.setattr(long_text, "SEGMENT_CHARS", size)
    assert [e - s for s, e in segments(nlp_clean(joined), size)] == [len(A) + 1, len(B) - 1]
    together = [(s.start, s.end, s.technique) for s in nlp(joined).spans]
    assert together == sorted(alone) and together


def test_pipeline_normal_article_takes_the_whole_text_path(nlp, ptc_dir):
    for path in sorted((ptc_dir / "dev-articles").glob("*.txt"))[:3]:
        doc = proplens.Doc(path.read_text(encoding="utf-8"))
        whole = nlp._decode([doc], *nlp._prepare([doc]))[0]
        assert nlp(doc).spans == whole.spans


def test_lexical_context_is_bounded_on_a_text_without_line_breaks():
    text = "The same sentence again and again. " * 2000
    stats = DocStats(text)
    _, context, _ = span_parts(stats, 35_000, 35_010)
    assert len(context) <= 2 * CONTEXT_CHARS + 1


@pytest.mark.parametrize("cancel", ["by hand", "deadline"])
def test_pipeline_cancelled_analysis_stops_before_the_next_model_call(nlp, cancel):
    token = Cancel(deadline=time.monotonic() - 1 if cancel == "deadline" else None)
    if cancel == "by hand":
        token.cancel("the client went away")
    with cancellable(token), pytest.raises(Cancelled, match="The analysis was stopped"):
        nlp(A)
    assert nlp(A).spans  # outside the block, the same pipeline analyses normally
