"""Very repetitive text (one sentence over and over) is analysed in time linear in its length
(issue 20), with exactly the sentences and features of the slower code it replaced."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import pysbd
import pytest

from proplens.sentences import _segmenter, split_sentences
from proplens.stages.features import MEMO_FRAGMENTS, DocStats, span_features

SENTENCE = "The corrupt elite always lies to the people, and the people know it. "


def repetitive(n_chars: int) -> str:
    return (SENTENCE * (n_chars // len(SENTENCE) + 1))[:n_chars]


def test_sentences_of_a_long_repetitive_line_are_found_in_seconds():
    text = repetitive(200_000)
    started = time.process_time()
    spans = split_sentences(text)
    assert time.process_time() - started < 8  # 0.4 s; plain pysbd took 35 s of CPU
    assert len(spans) == text.count(SENTENCE.strip()) + 1  # the cut-off last one too
    assert {text[s:e] for s, e in spans[:-1]} == {SENTENCE.strip()}


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met Dr. Jones in the U.S. on Monday. They talked.",
        "It is no. 5 on p. 3 and pp. 4-6. No. 7 is next. Is it? No.",
        "At 9 a.m. the Gen. spoke. At 5 p.m. he left. Co. Inc. and Corp. too.",
        "He said e.g. this and i.e. that. E.G. also. {is} Is. {No} No. 3 is here.",
        "Rep. Ryan and Sen. Cruz met St. Paul reps. in Ariz. and Calif. on Jan. 5. Then mass. ",
        "\"Go.\" she said. 'Hi.' he replied. (Fig. 2) shows it. Ph.D. students v. staff.",
        "Same. Same. Same. " * 50,
        "He said no. 5 is no. " * 200,
    ],
)
def test_sentences_fast_pysbd_gives_exactly_pysbds_sentences(text):
    assert _segmenter().segment(text) == pysbd.Segmenter(language="en", clean=False).segment(text)


def test_features_of_repeated_spans_match_a_fresh_count():
    text = repetitive(30_000)
    shared = DocStats(text)
    spans = [(s, e) for s, e in split_sentences(text)][: MEMO_FRAGMENTS + 40]
    spans += [(s + 4, s + 11) for s, _ in spans]  # "corrupt" in every sentence
    for start, end in spans:
        again = span_features(shared, start, end, 3)  # answers kept between spans
        fresh = span_features(DocStats(text), start, end, 3)
        assert again.tobytes() == fresh.tobytes()


@pytest.mark.slow
def test_analyze_200k_repetitive_characters_takes_linear_time(tmp_path):
    """`proplens analyze` on 200,000 characters of one sentence, against 50,000: quadratic
    work made it 6.6 times the CPU (63.9 s against 9.7 s); linear work is about 4 times."""
    cpu = {}
    for size in (50_000, 200_000):
        path = tmp_path / f"{size}.txt"
        path.write_text(repetitive(size), encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, "-m", "proplens", "analyze", str(path), "-m", "fast", "-f", "json"],
            capture_output=True,
            text=True,
            timeout=900,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["spans"]
        cpu[size] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu[200_000] < 5.5 * cpu[50_000], cpu
    assert cpu[200_000] < 120, cpu  # 21.7 s of CPU on the 2-core development machine
