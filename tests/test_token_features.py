"""Per-token casing and recurrence ids (`proplens.token_features`)."""

from __future__ import annotations

import numpy as np
import pytest

from proplens.token_features import N_COUNT, N_IDS, N_SEEN, token_feature_ids


def _unpack(i: int) -> tuple[int, int, int]:
    return i // (N_COUNT * N_SEEN), (i // N_SEEN) % N_COUNT, i % N_SEEN


def _word_offsets(text: str) -> np.ndarray:
    import re

    return np.array([m.span() for m in re.finditer(r"\S+", text)], np.int64).reshape(-1, 2)


@pytest.mark.parametrize(
    "text,expected",
    [
        # (casing, count bucket, seen before) per whitespace token
        ("traitors betray traitors", [(0, 2, 0), (0, 1, 0), (0, 2, 1)]),
        ("Traitors TRAITORS tRaItOrS", [(1, 3, 0), (2, 3, 1), (3, 3, 1)]),
        ("the the the", [(0, 0, 0), (0, 0, 0), (0, 0, 0)]),  # stop words do not count
        ("-- !!", [(0, 0, 0), (0, 0, 0)]),
    ],
)
def test_token_features_pack_casing_count_and_seen(text, expected):
    ids = token_feature_ids(text, _word_offsets(text))
    assert [_unpack(int(i)) for i in ids] == expected


def test_token_features_word_pieces_share_their_words_id():
    from proplens.encoder import load_tokenizer, tokenize
    from proplens.pipeline import DEFAULT_MODEL

    text = "Unpatriotic propagandists. UNPATRIOTIC propagandists!"
    ids, offsets = tokenize(load_tokenizer(DEFAULT_MODEL / "tokenizer.json"), text)
    feats = token_feature_ids(text, offsets)
    assert len(feats) == len(ids) and ((0 <= feats) & (feats < N_IDS)).all()
    import re

    by_word = {}
    for (s, _e), f in zip(offsets, feats, strict=True):
        word = next((m.start() for m in re.finditer(r"\w+", text) if m.start() <= s < m.end()), s)
        by_word.setdefault(word, set()).add(int(f))
    assert all(len(v) == 1 for v in by_word.values())
    assert len(by_word) == 6  # four words, ".", "!"
    assert _unpack(feats[-1])[:2] == (0, 0)  # the "!" is not a word


def test_token_features_of_empty_text_are_empty():
    assert token_feature_ids("", np.zeros((0, 2), np.int64)).shape == (0,)
