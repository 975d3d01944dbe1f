"""Readers' corrections: what becomes a label, the export `train` reads, store, API and CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from proplens.api import create_app
from proplens.cli import app as cli
from proplens.corpus.gold import load_gold
from proplens.corrections import (
    CorrectedArticle,
    CorrectionsError,
    article_id,
    export_corpus,
    final_labels,
    read_corrections,
)
from proplens.storage import Store
from proplens.storage.store import add_correction, corrected_articles
from tests.fakes import StandInPipeline

TEXT = "They are traitors.\r\nThe plan is reckless and shameful. Everyone knows it."
MARKS = [
    {"start": 9, "end": 17, "technique": "Name_Calling,Labeling", "score": 0.9},
    {"start": 32, "end": 40, "technique": "Loaded_Language", "score": 0.6},
    {"start": 45, "end": 53, "technique": "Loaded_Language", "score": 0.3},
]
REJECT = {"action": "reject", "start": 32, "end": 40, "was": "Loaded_Language", "score": 0.6}
ADD = {"action": "add", "start": 55, "end": 69, "technique": "Bandwagon,Reductio_ad_hitlerum"}
CONFIRM = {"action": "confirm", "start": 9, "end": 17, "technique": "Name_Calling,Labeling"}
CONFIRM["was"] = CONFIRM["technique"]


def _article(*corrections, **extra):
    return CorrectedArticle.model_validate(
        {"text": TEXT, "title": "T", "spans": MARKS, "corrections": list(corrections), **extra}
    )


@pytest.mark.parametrize(
    "corrections,unreviewed,expected",
    [
        ([REJECT, ADD], False, [(55, 69, "Bandwagon,Reductio_ad_hitlerum")]),
        (
            [REJECT, ADD],
            True,
            [
                (9, 17, "Name_Calling,Labeling"),
                (45, 53, "Loaded_Language"),
                (55, 69, "Bandwagon,Reductio_ad_hitlerum"),
            ],
        ),
        ([CONFIRM], False, [(9, 17, "Name_Calling,Labeling")]),
        ([CONFIRM, {**CONFIRM, "action": "reject"}], False, []),  # the latest decision counts
        (
            [{**REJECT, "action": "relabel", "technique": "Exaggeration,Minimisation"}],
            False,
            [(32, 40, "Exaggeration,Minimisation")],
        ),
        ([ADD, {**ADD, "action": "remove"}], False, []),
    ],
)
def test_corrections_final_labels(corrections, unreviewed, expected):
    article = _article(*corrections)
    assert final_labels(article, include_unreviewed=unreviewed) == expected


@pytest.mark.parametrize(
    "correction,message",
    [
        ({**ADD, "technique": "Loaded_language"}, "needs a known technique"),
        ({**ADD, "end": 500}, "runs past the end of the article"),
        ({**ADD, "end": 55}, "is empty or reversed"),
    ],
)
def test_corrections_bad_records_are_refused(tmp_path, correction, message):
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            {"proplens_corrections": 1, "articles": [{"text": TEXT, "corrections": [correction]}]}
        )
    )
    with pytest.raises(CorrectionsError, match=message):
        read_corrections(path)


def test_corrections_export_is_a_corpus_train_reads(tmp_path):
    counts = export_corpus([_article(CONFIRM, REJECT, ADD)], tmp_path, "newsroom")
    assert counts == {"articles": 1, "labels": 2, "extra_articles": 0, "extra_labels": 0}
    (doc,) = load_gold(str(tmp_path / "newsroom-articles"), ("train",))
    assert doc.text == TEXT and doc.id == article_id(TEXT)
    assert [(s.start, s.end, s.technique) for s in doc.sorted_spans()] == [
        (9, 17, "Name_Calling,Labeling"),
        (55, 69, "Bandwagon,Reductio_ad_hitlerum"),
    ]
    with pytest.raises(CorrectionsError, match="already holds files"):
        export_corpus([_article(ADD)], tmp_path, "newsroom")


def test_corrections_store_keeps_order_and_article_once(tmp_path):
    from proplens.corrections import Correction

    with Store(f"sqlite:///{tmp_path / 'c.db'}") as store:
        article = _article()
        totals = [
            add_correction(store, article, Correction.model_validate(c))
            for c in (REJECT, ADD, CONFIRM)
        ]
        (stored,) = corrected_articles(store)
    assert totals == [1, 2, 3] and stored["text"] == TEXT and stored["spans"] == MARKS
    assert [c["action"] for c in stored["corrections"]] == ["reject", "add", "confirm"]


@pytest.fixture
def client(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'api.db'}")
    yield TestClient(create_app(pipeline=StandInPipeline(), store=store))
    store.close()


def test_corrections_api_stores_and_lists(client):
    body = {"article": {"text": TEXT, "spans": MARKS}, "correction": REJECT}
    assert client.post("/api/corrections", json=body).json() == {"total": 1}
    listed = client.get("/api/corrections").json()
    assert listed["articles"][0]["corrections"][0]["action"] == "reject"


@pytest.mark.parametrize(
    "store,body,status,message",
    [
        (False, {"article": {"text": TEXT}, "correction": REJECT}, 404, "without `--db`"),
        (True, {"article": {"text": TEXT}, "correction": {**ADD, "technique": "X"}}, 422, "known"),
        (True, {"correction": REJECT}, 422, "`article`"),
    ],
)
def test_corrections_api_errors_are_sentences(client, store, body, status, message):
    if not store:
        client = TestClient(create_app(pipeline=StandInPipeline()))
    response = client.post("/api/corrections", json=body)
    assert response.status_code == status and message in response.json()["detail"]


@pytest.mark.parametrize("allowed", [True, False])
def test_api_analyses_url_refusing_private_addresses_unless_allowed(site, allowed):
    app = create_app(pipeline=StandInPipeline())
    app.state.allow_private_urls = allowed
    response = TestClient(app).post("/api/analyze", json={"url": site + "/story.html"})
    if allowed:
        data = response.json()
        assert response.status_code == 200 and data["url"].startswith(site)
        assert "Name_Calling,Labeling" in data["summary"]["counts"]
    else:
        assert response.status_code == 422 and "allow-private-urls" in response.json()["detail"]


def test_corrections_cli_lists_and_exports(tmp_path):
    saved = tmp_path / "saved.json"
    payload = {"proplens_corrections": 1, "articles": [_article(REJECT, ADD).model_dump()]}
    saved.write_text(json.dumps(payload))
    runner = CliRunner()
    listed = runner.invoke(cli, ["corrections", "list", str(saved)])
    assert (
        listed.exit_code == 0
        and "T: 0 confirmed, 1 rejected, 0 relabelled, 1 added" in listed.output
    )
    out = tmp_path / "out"
    done = runner.invoke(cli, ["corrections", "export", str(saved), "-o", str(out)])
    assert done.exit_code == 0, done.output
    rows = (out / "corrections-task-flc-tc.labels").read_text().splitlines()
    assert rows == [f"{article_id(TEXT)}\tBandwagon,Reductio_ad_hitlerum\t55\t69"]
    missing = runner.invoke(cli, ["corrections", "list"])
    assert missing.exit_code == 2 and "Say where the corrections are" in missing.output


def test_corrections_export_with_corpus_copies_it_exactly(tmp_path):
    from pathlib import Path

    from proplens.corpus.semeval import read_corpus

    mini = Path(__file__).parent / "data" / "semeval_mini" / "mini-articles"
    counts = export_corpus([_article(ADD)], tmp_path, extra=read_corpus(mini))
    docs = {d.id: d for d in load_gold(str(tmp_path / "corrections-articles"), ("train",))}
    spans = lambda d: sorted((s.start, s.end, s.technique) for s in d.spans)  # noqa: E731
    for gold in read_corpus(mini):
        assert docs[gold.id].text == gold.text and spans(docs[gold.id]) == spans(gold)
    assert counts["extra_articles"] == len(docs) - 1 and len(spans(docs[article_id(TEXT)])) == 1
