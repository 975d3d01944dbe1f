"""The corpus view's HTTP routes: the same figures as `proplens stats`, and the articles behind."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from proplens.api import create_app
from proplens.doc import Doc
from proplens.storage import ModelId, Result, Store
from tests.fakes import KeywordPipeline

MODEL = ModelId("fake", "1")


@pytest.fixture
def client(tmp_path):
    pipe = KeywordPipeline()
    texts = [
        ("Herald", "left", "2019-01-05", "The traitors and the disaster."),
        ("Herald", "left", "2019-02-05", "A disaster."),
        ("Gazette", "right", "", "Calm words only."),
        ("Gazette", "right", "1/21", "The traitors again."),
    ]
    docs = [
        pipe(Doc(t, id=str(i), title=f"T{i}", source=s, date=d, extra={"bias": b}))
        for i, (s, b, d, t) in enumerate(texts)
    ]
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    store.write_batch(None, MODEL, [Result(d.id, d) for d in docs])
    with TestClient(create_app(pipeline=pipe, store=store)) as c:
        yield c
    store.close()


def test_corpus_api_stats_match_the_library(client):
    r = client.get("/api/corpus/stats", params={"by": "bias,technique", "where": "bias=left"})
    assert r.status_code == 200
    rows = {(x["bias"], x["technique"]): x for x in r.json()["rows"]}
    assert rows[("left", "Loaded_Language")]["spans"] == 2
    assert rows[("left", "Loaded_Language")]["articles_with"] == 2
    month = client.get("/api/corpus/stats", params={"by": "month"}).json()
    assert month["excluded"] == {"no_date": 1, "unparsable_date": 1}


def test_corpus_api_articles_behind_a_cell(client):
    r = client.get(
        "/api/corpus/articles",
        params=[("where", "source=Herald"), ("technique", "Loaded_Language")],
    )
    data = r.json()
    assert r.status_code == 200 and data["total"] == 2
    assert [(a["title"], a["spans"]) for a in data["items"]] == [("T0", 1), ("T1", 1)]
    article = client.get(f"/api/articles/{data['items'][0]['id']}").json()
    assert article["text"] == "The traitors and the disaster."


@pytest.mark.parametrize(
    "path,params,status,message",
    [
        ("/api/corpus/stats", {"by": "nope"}, 422, "No article has the key 'nope'"),
        ("/api/corpus/stats", {"where": "bias"}, 422, "`--where` takes KEY=VALUE"),
        ("/api/corpus/articles", {"since": "soon"}, 422, "YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_corpus_api_errors_are_sentences(client, path, params, status, message):
    r = client.get(path, params=params)
    assert r.status_code == status and message in r.json()["detail"]


def test_corpus_api_keys_and_page_and_no_store():
    with TestClient(create_app(pipeline=KeywordPipeline())) as c:
        r = c.get("/api/corpus/stats")
        assert r.status_code == 404 and "proplens serve --db" in r.json()["detail"]
        page = c.get("/corpus")
        assert page.status_code == 200 and "Outlet" in page.text


def test_corpus_api_keys_lists_metadata_values(client):
    keys = client.get("/api/corpus/keys").json()
    assert keys["metadata"] == ["bias"] and keys["values"]["bias"] == ["left", "right"]


def test_corpus_api_errors_never_name_the_database(client, tmp_path):
    unknown = client.get("/api/corpus/stats", params={"model": "other"})
    store = client.app.state.store
    store.engine.dispose()
    (tmp_path / "c.db").unlink()
    (tmp_path / "c.db").mkdir()  # the database file is gone: every query fails
    down = client.get("/api/corpus/keys")
    assert unknown.status_code == 422 and "the article database" in unknown.json()["detail"]
    assert down.status_code == 503 and down.headers["retry-after"] == "30"
    assert down.json()["detail"].startswith("The article database is not available")
    assert str(tmp_path) not in unknown.text + down.text
