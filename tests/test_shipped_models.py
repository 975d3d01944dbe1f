"""Every model shipped in the package: small enough for git, free of pickles and torch, and
marking an obvious sentence. `fast` is also covered in depth by the other tests; `accurate`
(when this release ships it) is checked here, since the other tests pin `fast`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import proplens
from proplens import shipped
from proplens.pipeline import REQUIRED_FILES

OBVIOUS = (
    "The senator is a corrupt, lying coward and a traitor. His disgusting, shameful plan "
    "is a catastrophic betrayal that will destroy our great nation!"
)
# A rant we wrote, among calm news paragraphs we wrote (the issue-17 case: "sinful heads" went
# unmarked inside a calm article while the same sentence alone was marked).
RANT = (
    "These cowardly thugs deserve to have bombs dropped on their sinful heads, and every "
    "decent patriot knows it."
)
CALM = [
    "The city council met on Tuesday evening to review the proposed budget for the next year.",
    "According to the finance department, spending on road maintenance would rise by four "
    "percent, while the parks budget would stay the same.",
    "Several residents spoke during the public comment period, asking about the schedule for "
    "repairs on Main Street.",
    "The council is expected to vote on the budget at its next meeting in two weeks.",
]
LIMIT_MB = {"fast": 30, "accurate": 120}
MODELS = sorted(shipped.available())
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "op-ed.txt"


@pytest.fixture(scope="module", params=MODELS)
def nlp(request):
    return proplens.load(request.param)


@pytest.mark.parametrize("name", MODELS)
def test_shipped_model_fits_its_size_and_git_file_limits(name):
    files = [f for f in shipped.SHIPPED[name].iterdir() if f.is_file()]
    assert sum(f.stat().st_size for f in files) <= LIMIT_MB[name] * 1e6
    assert max(f.stat().st_size for f in files) < 95e6
    assert {f.name for f in files} >= set(REQUIRED_FILES) | {"README.md"}
    assert not [f for f in files if f.suffix in (".pt", ".pkl", ".bin", ".pickle")]


@pytest.mark.parametrize("name", MODELS)
def test_shipped_model_loads_and_marks_without_torch(name):
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "import proplens, json\n"
        f"doc = proplens.load({name!r})({OBVIOUS!r})\n"
        "print(json.dumps([s.technique for s in doc.spans]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert found & {"Loaded_Language", "Name_Calling,Labeling"}


@pytest.mark.parametrize("name", MODELS)
def test_shipped_model_states_its_dev_scores_and_speed(name):
    meta = json.loads((shipped.SHIPPED[name] / "meta.json").read_text())
    scores = shipped.dev_scores(meta)
    assert scores and 0 < scores["si_f1"] < 1 and 0 < scores["tc_f1"] < 1
    assert meta["speed"]["articles_per_s"] > 0 and meta["speed"]["command"]


def test_shipped_model_gives_raw_offsets_and_batch_free_marks(nlp):
    texts = [OBVIOUS, EXAMPLE.read_text(encoding="utf-8"), "  Lies,\nlies,   lies!\r\n"]
    alone = [nlp(t) for t in texts]
    together = list(nlp.pipe(texts, batch_size=3))
    for doc, other in zip(alone, together, strict=True):
        assert [(s.start, s.end, s.technique) for s in doc.spans] == [
            (s.start, s.end, s.technique) for s in other.spans
        ]
        for span in doc.spans:
            assert span.text == doc.text[span.start : span.end] == span.text.strip()
            assert 0.0 <= span.score <= 1.0


def test_the_default_model_is_the_one_the_dev_rule_picks(monkeypatch):
    monkeypatch.delenv("PROPLENS_MODEL")
    assert proplens.load().path == shipped.SHIPPED[shipped.default_name()]


@pytest.mark.parametrize("position", [None, 0, 2, 4])
def test_a_rant_is_marked_alone_and_wherever_it_stands_among_calm_paragraphs(nlp, position):
    pars = [RANT] if position is None else [*CALM[:position], RANT, *CALM[position:]]
    text = "\n".join(pars)
    start = text.index(RANT)
    marked = {c for s in nlp(text).spans for c in range(s.start, s.end)}
    for words in ("cowardly thugs", "sinful heads"):
        at = start + RANT.index(words)
        assert set(range(at, at + len(words))) <= marked, words
    assert marked <= set(range(start, start + len(RANT)))  # the calm paragraphs stay unmarked
