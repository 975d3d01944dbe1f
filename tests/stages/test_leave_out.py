"""`--leave-out`: unlabelled text that repeats the articles we score on is kept out of training."""

from __future__ import annotations

import pytest

from proplens.distill import sample_inputs
from proplens.doc import Doc
from proplens.leave_out import LeaveOut

HELD_OUT = (
    "The mayor said on Tuesday that the new bridge over the river would open in the spring of "
    "next year, two years later than promised, because the steel ordered from abroad arrived "
    "late and the contractor had to rebuild the northern pier after an inspection found cracks."
)
OTHER = "Council members met to discuss parking fees and the budget of the city library. " * 3


@pytest.mark.parametrize(
    "text, kept",
    [
        (f"Local news. {HELD_OUT} More follows.", False),
        (f"LOCAL NEWS -- {HELD_OUT.upper().replace(',', ' ;')}", False),
        (f"{OTHER} The new bridge over the river would open in the spring.", True),
        (OTHER, True),
    ],
)
def test_an_article_repeating_a_held_out_passage_is_left_out(text, kept):
    leave_out = LeaveOut([HELD_OUT], source="dev")
    assert leave_out.keep(Doc(text, id="a")) is kept
    assert leave_out.dropped == ([] if kept else ["a"])


def test_the_sample_is_drawn_from_the_articles_left_in(tmp_path):
    for i, text in enumerate([HELD_OUT, OTHER, OTHER + " Again.", OTHER + " Once more."]):
        (tmp_path / f"a{i}.txt").write_text(text, encoding="utf-8")
    leave_out = LeaveOut([HELD_OUT], source="dev")
    chosen = sample_inputs([str(tmp_path)], None, leave_out=leave_out)
    assert len(chosen) == 3 and all("bridge" not in d.text for d in chosen)
    assert (
        leave_out.describe()
        == "Left out 1 articles that share 20 or more runs of 8 words with dev."
    )
