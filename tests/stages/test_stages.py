"""Pure pieces of the detector: window planning, decoding, trimming, ranking, features."""

from __future__ import annotations

import numpy as np
import pytest

from proplens.doc import Doc
from proplens.encoder import Encoded, char_to_tokens, owner_windows, plan_windows
from proplens.stages.features import N_FEATURES, DocStats, span_features
from proplens.stages.span_detector import SpanDetector, snap, softmax
from proplens.stages.technique_classifier import TechniqueClassifier, assign_ranked


@pytest.mark.parametrize("n", [0, 1, 100, 254, 255, 479, 988, 5000])
@pytest.mark.parametrize("short_tail", [False, True])
def test_encoder_windows_cover_every_token_once_owned(n, short_tail):
    plan = plan_windows(n, 256, 224, short_tail)
    covered = np.zeros(n, int)
    for s, e in plan:
        assert 0 <= s <= e <= n and e - s <= 254
        covered[s:e] += 1
    assert (covered >= 1).all()
    if n:
        win, pos = owner_windows(plan, n)
        starts = np.array([plan[w][0] for w in win])
        assert (starts + pos - 1 == np.arange(n)).all()


def test_encoder_owner_prefers_central_window():
    plan = [(0, 254), (224, 478)]
    win, _ = owner_windows(plan, 478)
    assert win[230] == 0 and win[250] == 1


@pytest.mark.parametrize(
    "text,start,end,expected",
    [
        ("They are cowards, truly.", 9, 17, "cowards"),
        ("They are cowards, truly.", 11, 14, "cowards"),
        ("  lies, lies and lies.  ", 0, 24, "lies, lies and lies"),
        ("a: b;", 0, 5, "a: b"),
        ("Why? This is betrayal!", 3, 22, "This is betrayal!"),
        ("He said “go” (now", 8, 14, "“go”"),
        ("He said “go” (now", 3, 14, "said “go”"),
    ],
)
def test_span_detector_snap_widens_and_trims(text, start, end, expected):
    s, e = snap(text, start, end)
    assert text[s:e] == expected


def _encoded(tags: list[int], offsets: list[tuple[int, int]]) -> Encoded:
    n = len(tags)
    return Encoded(
        np.arange(n), np.array(offsets), np.zeros((n, 4), np.float32), np.eye(3)[tags] * 8.0
    )


def test_span_detector_decodes_bio_runs():
    text = "You are a dirty liar and a thief ."
    offsets = [(0, 3), (4, 7), (8, 9), (10, 15), (16, 20), (21, 24), (25, 26), (27, 32), (33, 34)]
    enc = _encoded([0, 0, 1, 2, 2, 0, 1, 2, 0], offsets)
    cands = SpanDetector(0.5).predict([text], [enc])[0]
    assert [text[c.start : c.end] for c in cands] == ["a dirty liar", "a thief"]
    assert all(0.0 < c.score < 1.0 for c in cands)
    doc = Doc(text)
    SpanDetector().set_annotations([doc], [cands], [_Identity()])
    assert [s.text for s in doc.span_groups["candidates"]] == ["a dirty liar", "a thief"]
    assert doc.spans == []


def test_span_detector_split_on_b_switch():
    text = "bad evil"
    enc = _encoded([1, 1], [(0, 3), (4, 8)])
    assert len(SpanDetector(0.5, split_on_b=True).predict([text], [enc])[0]) == 2
    assert len(SpanDetector(0.5, split_on_b=False).predict([text], [enc])[0]) == 1


def _encoded_p(p_inside: list[float], text: str) -> Encoded:
    """Tokens = the words of `text`, with P(I) = p_inside (P(B) tiny, P(O) the rest)."""
    import re

    offsets = [m.span() for m in re.finditer(r"\S+", text)]
    p = np.array([[1 - q - 1e-4, 1e-4, q] for q in p_inside])
    return Encoded(np.arange(len(p)), np.array(offsets), np.zeros((len(p), 4)), np.log(p))


@pytest.mark.parametrize(
    "low,expected",
    [
        (None, ["liar"]),  # one threshold: only the confident word
        (0.2, ["filthy liar and cheat"]),  # grows over less confident neighbours
        (0.5, ["liar"]),  # a low threshold at the high one changes nothing
    ],
)
def test_span_detector_hysteresis_grows_spans_from_confident_tokens(low, expected):
    text = "what a filthy liar and cheat , said Tom . calm words"
    p = [0.05, 0.1, 0.3, 0.9, 0.25, 0.3, 0.05, 0.05, 0.05, 0.05, 0.3, 0.3]
    cands = SpanDetector(0.5, low_threshold=low).predict([text], [_encoded_p(p, text)])[0]
    assert [text[c.start : c.end] for c in cands] == expected


@pytest.mark.parametrize(
    "bound, edge, expected",
    [
        (False, 0.3, ["is a corrupt coward. His disgusting plan will ruin us"]),
        (True, 0.3, ["is a corrupt coward", "His disgusting plan will ruin us"]),
        (True, 0.9, ["is a corrupt coward. His disgusting plan will ruin us"]),  # confident
    ],
)
def test_span_detector_keeps_weak_growth_within_a_sentence(bound, edge, expected):
    text = "He is a corrupt coward. His disgusting plan will ruin us."
    p = [0.1, 0.3, 0.3, 0.9, edge, edge, 0.9, 0.3, 0.3, 0.3, 0.3]
    det = SpanDetector.from_config(
        SpanDetector(0.5, low_threshold=0.2, sentence_bound=bound).to_config()
    )
    cands = det.predict([text], [_encoded_p(p, text)])[0]
    assert [text[c.start : c.end] for c in cands] == expected


def test_span_detector_low_threshold_round_trips_through_config():
    det = SpanDetector.from_config(SpanDetector(0.45, low_threshold=0.2).to_config())
    assert (det.token_threshold, det.low_threshold) == (0.45, 0.2)
    assert SpanDetector.from_config({"token_threshold": 0.3}).low_threshold is None


@pytest.mark.parametrize(
    "trim, expected",
    [(False, ["filthy liar and", "hope for an"]), (True, ["filthy liar", "hope"])],
)
def test_span_detector_can_cut_trailing_stop_words_off_spans(trim, expected):
    text = "what a filthy liar and . we hope for an end"
    p = [0.05, 0.1, 0.9, 0.9, 0.9, 0.05, 0.05, 0.9, 0.9, 0.9, 0.05]
    det = SpanDetector.from_config(SpanDetector(0.5, trim_stop_end=trim).to_config())
    cands = det.predict([text], [_encoded_p(p, text)])[0]
    assert [text[c.start : c.end] for c in cands] == expected
    assert [text[c.start : c.end].split()[-1] for c in cands] == [
        text.split()[c.tok_end] for c in cands
    ]


class _Identity:
    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        return start, end


def test_technique_classifier_repeats_get_next_technique():
    labels = ("A", "B", "C")
    probs = np.array([[0.6, 0.3, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7]])
    assert assign_ranked([(0, 5), (0, 5), (6, 9)], probs, labels) == ["A", "B", "C"]


def _random_head(hidden: int, seed: int = 0) -> TechniqueClassifier:
    rng = np.random.default_rng(seed)
    shapes = {"fc1.weight": (8, 3 * hidden + N_FEATURES), "fc1.bias": (8,)}
    shapes.update({"fc2.weight": (3, 8), "fc2.bias": (3,)})
    weights = {k: rng.normal(size=v).astype(np.float32) for k, v in shapes.items()}
    return TechniqueClassifier(weights, labels=("A", "B", "C"))


def test_technique_classifier_scores_each_text_of_a_batch_as_if_alone():
    text = "You are a dirty liar and a thief ."
    offsets = [(0, 3), (4, 7), (8, 9), (10, 15), (16, 20), (21, 24), (25, 26), (27, 32), (33, 34)]
    rng = np.random.default_rng(1)
    enc = Encoded(np.arange(9), np.array(offsets), rng.normal(size=(9, 4)).astype(np.float32), None)
    nothing = Encoded(np.zeros(0, int), np.zeros((0, 2), int), np.zeros((0, 4), np.float32), None)
    head = _random_head(4)
    batch = [(text, enc, [(10, 20), (27, 32)]), (text, enc, []), ("  ", nothing, [(0, 1)])]
    together = head.logits(*map(list, zip(*batch, strict=True)))
    alone = [head.logits([t], [e], [s])[0] for t, e, s in batch]
    assert [a.shape for a in together] == [(2, 3), (0, 3), (1, 3)]
    for got, want in zip(together, alone, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert not together[2].any()  # nothing encoded: zero logits, not the head's bias


def test_features_count_repetition_in_article():
    text = "Lies, lies and more lies. The truth is rare. Lies again."
    stats = DocStats(text)
    once = span_features(stats, text.index("truth"), text.index("truth") + 5, 1)
    often = span_features(stats, 0, 4, 1)
    assert once.shape == (N_FEATURES,)
    assert often[2] > once[2] and often[4] > once[4]


def test_features_tell_a_repeated_phrase_from_its_first_use():
    text = "Build the wall. They laughed. Build the wall, we said. A wall of words."
    stats = DocStats(text)
    first = span_features(stats, 0, 14, 3)
    second = span_features(stats, text.index("Build", 1), text.index("Build", 1) + 14, 3)
    assert first[14] == 0.0 and second[14] > 0.0  # earlier uses of the same text
    assert first[15] == 0.0 and second[15] == 1.0  # share of content words already seen
    words = text.index("wall of")
    assert span_features(stats, words, words + 13, 3)[15] == 0.5  # "wall" seen, "words" new


def test_encoder_char_to_tokens():
    offsets = np.array([(0, 3), (4, 7), (8, 12)])
    assert char_to_tokens(offsets, 5, 10) == (1, 2)
    assert char_to_tokens(offsets, 3, 4) is None


def test_candidates_reach_the_classifier_through_the_doc():
    doc = Doc("You  are a dirty lia\u0301r and a thief .")
    text, omap = doc.clean, doc.offset_map
    offsets = [(0, 3), (4, 7), (8, 9), (10, 15), (16, 19), (19, 21), (22, 25), (26, 27), (28, 33)]
    enc = _encoded([0, 0, 1, 2, 2, 0, 0, 0, 0], offsets)
    detector, head = SpanDetector(0.5), _random_head(4)
    cands = detector.predict([text], [enc])
    detector.set_annotations([doc], cands, [omap])
    (cand,) = doc.span_groups["candidates"]
    assert (cand.text, cand.technique, doc.spans) == ("a dirty lia", None, [])
    probs = head.predict_docs([doc], [text], [enc], [omap])
    (scores,) = head.scores([text], [enc], [[(c.start, c.end) for c in cands[0]]])
    np.testing.assert_array_equal(probs[0], softmax(scores / head.temperature))
    head.set_annotations([doc], probs)
    (span,) = doc.spans  # the final span keeps the accent its candidate stopped before
    assert span.text == "a dirty lia\u0301" and span.technique in head.labels
    assert span.score == pytest.approx(cand.score * probs[0].max())
