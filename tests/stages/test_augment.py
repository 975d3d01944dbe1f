"""Context augmentation: mixed-context copies of training articles keep their gold spans."""

from __future__ import annotations

from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"


def test_mixed_copies_keep_every_gold_span_on_its_own_words():
    from proplens.corpus.semeval import read_corpus
    from proplens.training.augment import mixed_copies

    gold = read_corpus(FIXTURE)
    marked = {(d.text[s.start : s.end], s.technique) for d in gold for s in d.spans}
    copies = mixed_copies(gold, copies=3, seed=1)
    assert len(copies) == 9 and all(d.id.endswith(("-mix0", "-mix1", "-mix2")) for d in copies)
    for d in copies:
        spans = {(d.text[s.start : s.end], s.technique) for s in d.spans}
        assert spans and spans <= marked
    assert any(len(c.text) > len(g.text) for c, g in zip(copies[::3], gold, strict=True))
