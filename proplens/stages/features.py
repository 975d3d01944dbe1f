"""Hand-made span features for the technique classifier (pure Python/numpy, shared with training).

Repetition is a document-level phenomenon, so the strongest features count how often the span's
text and its content words recur in the whole article.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, OrderedDict, defaultdict

import numpy as np

WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
STOP = frozenset(
    "the a an and or but of to in on at for with by from as is are was were be been being it its "
    "this that these those he she they we you i his her their our your my me him them us not no "
    "do does did have has had will would can could should may might must shall than then so if "
    "about into over after before up down out more most very just also there here what which who "
    "whom when where why how all any some such only own same too".split()
)
LETTERS = re.compile(r"[^\W\d_]+")  # runs of letters, any script


def has_content_word(text: str, min_len: int = 3) -> bool:
    """True when `text` holds a word of `min_len`+ letters that is not a stop word.

    Spans made only of function words or punctuation ("will", "is", "-", "!") are almost never
    propaganda in the gold data (20 of 1,063 dev spans), so the detector drops them.
    """
    return any(len(w) >= min_len and w.lower() not in STOP for w in LETTERS.findall(text))


QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"
N_FEATURES = 16
MAX_VISITS = 2048  # occurrence checks per span; see `DocStats.occurrences`
MEMO_FRAGMENTS = 256  # recent fragments whose matches a DocStats keeps (repetitive text)


class DocStats:
    """Word counts of one article, computed once and shared by all its spans."""

    def __init__(self, text: str):
        self.text = text
        self.lower = text.lower()
        self.positions: dict[str, list[int]] = defaultdict(list)
        for m in WORD.finditer(self.lower):
            self.positions[m.group()].append(m.start())
        self.words = Counter({w: len(p) for w, p in self.positions.items()})
        self.length = max(len(text), 1)
        self._memo: OrderedDict[str, tuple[list[int], int]] = OrderedDict()

    def matches(self, fragment: str) -> tuple[list[int], int]:
        """Start offsets of the non-overlapping occurrences of `fragment` (lower-case) found
        among the first `MAX_VISITS` places checked, and the number of places there are.

        Only the places where the fragment's rarest word starts are checked, so a span costs
        the same in a long or self-repeating article as in a short one. Real articles never
        reach the limit, so their counts are exact. The answers for the last `MEMO_FRAGMENTS`
        fragments are kept: in a self-repeating article most spans have the same text, and
        each would otherwise check up to `MAX_VISITS` places again. Do not change the list.
        """
        memo = self._memo
        if fragment in memo:
            memo.move_to_end(fragment)
            return memo[fragment]
        found = memo[fragment] = self._matches(fragment)
        if len(memo) > MEMO_FRAGMENTS:
            memo.popitem(last=False)
        return found

    def _matches(self, fragment: str) -> tuple[list[int], int]:
        words = [(len(self.positions.get(m.group(), ())), m) for m in WORD.finditer(fragment)]
        if not words:
            found = (
                [m.start() for m in re.finditer(re.escape(fragment), self.lower)]
                if fragment
                else []
            )
            return found, len(found)
        total, word = min(words, key=lambda fw: fw[0])
        shift, found, free_from = word.start(), [], 0
        for pos in self.positions.get(word.group(), [])[:MAX_VISITS]:
            at = pos - shift
            if at >= free_from and self.lower.startswith(fragment, at):
                found.append(at)
                free_from = at + len(fragment)
        return found, total

    def occurrences(self, fragment: str) -> int:
        """How often `fragment` (lower-case) occurs in the article, without overlaps (beyond
        `MAX_VISITS` places the count is extrapolated)."""
        found, total = self.matches(fragment)
        return len(found) if total <= MAX_VISITS else round(len(found) * total / MAX_VISITS)


def span_features(stats: DocStats, start: int, end: int, n_tokens: int) -> np.ndarray:
    """The feature vector of the span `text[start:end]` (see `N_FEATURES`).

    Models trained before the last two features existed (earlier occurrences of the span's
    text, share of its content words already seen) use the first 14; see `n_features`.

    Args:
        stats: The article's `DocStats`.
        start: Span start (char offset into the normalised text).
        end: Span end.
        n_tokens: Span length in word pieces.
    """
    text = stats.text
    frag = text[start:end]
    low = frag.lower().strip()
    words = [w.lower() for w in WORD.findall(frag)]
    content = [w for w in words if w not in STOP and len(w) > 2]
    found, total = stats.matches(low)
    occurrences = len(found) if total <= MAX_VISITS else round(len(found) * total / MAX_VISITS)
    earlier = bisect_left(found, start)  # `found` is in increasing order
    recur = [stats.words[w] for w in content]
    seen = [stats.positions[w][0] < start for w in content if stats.positions.get(w)]
    letters = [c for c in frag if c.isalpha()]
    upper_share = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    caps_word = any(len(w) > 1 and w.isupper() for w in WORD.findall(frag))
    before = text[max(0, start - 3) : start]
    after = text[end : end + 3]
    starts_sentence = start == 0 or bool(
        re.search(r"(^|[.!?\n]\s*)$", text[max(0, start - 3) : start])
    )
    return np.array(
        [
            math.log1p(n_tokens),
            math.log1p(len(frag)) / 5.0,
            math.log1p(max(occurrences - 1, 0)),
            float(occurrences > 1),
            float(np.mean([c > 1 for c in recur])) if recur else 0.0,
            float(np.mean([math.log1p(max(c - 1, 0)) for c in recur])) if recur else 0.0,
            float(any(q in frag for q in QUOTES)),
            float(any(q in before for q in QUOTES) or any(q in after for q in QUOTES)),
            upper_share,
            float(caps_word),
            float("!" in frag or "!" in after),
            float("?" in frag or "?" in after),
            start / stats.length,
            float(starts_sentence),
            math.log1p(earlier),
            float(np.mean(seen)) if seen else 0.0,
        ],
        dtype=np.float32,
    )
