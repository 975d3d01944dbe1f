"""Per-token input features the uncased encoder cannot see on its own: casing and recurrence.

all-MiniLM-L6-v2 lower-cases its input and reads 256 word pieces at a time, so it sees neither
"TRAITORS" nor that "illegal aliens" is the fifth use of those words in the article (Repetition
is the third most frequent technique in PTC, and 77% of its spans repeat text found elsewhere
in their article). A model trained with `token_features` adds a learned embedding of one small
id per word piece to its word embeddings. The id packs three facts about the piece's word:

- casing: no letters or lower case, Capitalised, ALL CAPS (two letters or more), mixed;
- how often the word occurs in the whole article (1, 2, 3, 4-6, 7+; stop words count as 0);
- whether the word already occurred earlier in the article.

Pure Python/numpy; training and inference share it, so both see the same ids.
"""

from __future__ import annotations

import re

import numpy as np

from proplens.stages.features import STOP

TOKEN_FEATURES_VERSION = "case-count-seen.v1"
N_CASE, N_COUNT, N_SEEN = 4, 6, 2
N_IDS = N_CASE * N_COUNT * N_SEEN
WORD = re.compile(r"\w+(?:['’\-]\w+)*")


def _case(word: str) -> int:
    letters = [c for c in word if c.isalpha()]
    if not letters or all(c.islower() for c in letters):
        return 0
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return 2
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return 1
    return 3


def _count_bucket(count: int) -> int:
    return 1 if count == 1 else 2 if count == 2 else 3 if count == 3 else 4 if count <= 6 else 5


def token_feature_ids(text: str, offsets: np.ndarray) -> np.ndarray:
    """One feature id in `[0, N_IDS)` per word piece of `text`.

    Args:
        text: The (normalised) text the pieces come from.
        offsets: `(n, 2)` character offsets of the word pieces.
    Returns:
        An int64 array of shape `(n,)`; pieces outside any word (punctuation) get casing 0,
        count 0 and "not seen".
    """
    n = len(offsets)
    out = np.zeros(n, np.int64)
    if n == 0:
        return out
    words = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    if not words:
        return out
    keys = [w.lower() for _, _, w in words]
    counts: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    seen: set[str] = set()
    word_ids = np.zeros(len(words), np.int64)
    for i, ((_s, _e, w), k) in enumerate(zip(words, keys, strict=True)):
        letters = sum(c.isalpha() for c in k)
        count = 0 if (k in STOP or letters < 3) else _count_bucket(counts[k])
        word_ids[i] = (_case(w) * N_COUNT + count) * N_SEEN + int(count > 0 and k in seen)
        seen.add(k)
    starts = np.fromiter((s for s, _, _ in words), np.int64, len(words))
    ends = np.fromiter((e for _, e, _ in words), np.int64, len(words))
    # The word holding each piece: the last word starting at or before the piece's start.
    idx = np.searchsorted(starts, offsets[:, 0], side="right") - 1
    ok = (idx >= 0) & (offsets[:, 0] < ends[np.maximum(idx, 0)])
    out[ok] = word_ids[idx[ok]]
    return out
