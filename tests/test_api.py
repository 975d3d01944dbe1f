from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from proplens.api import create_app
from proplens.doc import Doc
from proplens.errors import ModelError, SpanError, StoreError
from proplens.storage import ModelId, Result, Store
from tests.fakes import StandInPipeline
from tests.test_ingest import make_pdf

TEXT = "The council is reckless. These traitors sold the rail yard."
XSS = 'Hi <script>alert(1)</script><img src=x onerror="alert(2)"> traitors.'


@pytest.fixture
def pipe():
    return StandInPipeline()


@pytest.fixture
def client(pipe):
    with TestClient(create_app(pipeline=pipe, max_body_bytes=2000)) as c:
        yield c


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    model = ModelId("stand-in", "0.0.1")
    docs = [
        StandInPipeline()(Doc(t, title=f"A{i}", source=s))
        for i, (t, s) in enumerate([(TEXT, "Daily"), ("Calm text only.", "Weekly")])
    ]
    store.write_batch(None, model, [Result(origin=d.title, doc=d) for d in docs])
    yield store
    store.close()


def test_api_analyze_json(client, pipe):
    r = client.post("/api/analyze", json={"text": TEXT, "title": "T", "source": "S"})
    assert r.status_code == 200
    data = r.json()
    assert data["title"] == "T" and data["source"] == "S" and data["text"] == TEXT
    assert [s["technique"] for s in data["spans"]] == ["Loaded_Language", "Name_Calling,Labeling"]
    assert data["spans"][1]["definition"].startswith("Attaching a label")
    assert data["spans"][1]["alternatives"][0] == {"technique": "Doubt", "score": 0.225}
    assert data["summary"]["counts"] == {"Loaded_Language": 1, "Name_Calling,Labeling": 1}
    assert data["model"]["name"] == "stand-in" and pipe.calls == 1


def test_api_analyze_returns_article_text_verbatim_for_xss(client):
    r = client.post("/api/analyze", json={"text": XSS})
    assert r.status_code == 200 and r.json()["text"] == XSS
    assert r.headers["content-type"].startswith("application/json")
    assert "script-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize(
    "name,data,title",
    [
        ("a.txt", TEXT.encode("utf-16"), "a.txt"),
        (
            "b.html",
            f"<html><head><title>Page</title></head><body><article><p>{TEXT}</p>"
            "</article></body></html>".encode(),
            None,
        ),
        ("c.pdf", make_pdf([TEXT]), None),
        (
            "d.jsonl",
            json.dumps({"text": TEXT, "title": "From JSONL"}).encode() + b"\n",
            "From JSONL",
        ),
        ("no-extension", make_pdf([TEXT]), None),
    ],
)
def test_api_analyze_upload_each_type(client, name, data, title):
    r = client.post("/api/analyze", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "traitors" in body["text"] and body["summary"]["counts"]["Name_Calling,Labeling"] == 1
    if title:
        assert body["title"] == title


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"json": {"text": "  \n "}}, "The article text is empty"),
        ({"json": {"title": "no text"}}, "The article text is empty"),
        (
            {"content": b'{"text": "caf\xe9"}', "headers": {"content-type": "application/json"}},
            "not valid UTF-8",
        ),
        ({"content": b"{text", "headers": {"content-type": "application/json"}}, "not valid JSON"),
        ({"files": {"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20)}}, "PNG image"),
        ({"files": {"file": ("x.pdf", b"not a pdf at all")}}, "not a PDF"),
        ({"files": {"file": ("x.txt", b"")}}, "is empty"),
        (
            {"files": {"file": ("x.txt", bytes(range(128, 256)) * 2)}},
            "Could not detect the text encoding",
        ),
        ({"data": {"title": "no file"}, "files": {"other": ("x.txt", b"t")}}, "named `file`"),
        (
            {"files": {"file": ("two.jsonl", b'{"text": "a b"}\n{"text": "c d"}\n')}},
            "holds 2 articles",
        ),
    ],
)
def test_api_analyze_422_clear_message(client, kwargs, message):
    r = client.post("/api/analyze", **kwargs)
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"]


def test_api_analyze_bad_content_type(client):
    r = client.post("/api/analyze", content=b"text", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "application/json" in r.json()["detail"]


@pytest.mark.parametrize("streamed", [False, True])
def test_api_body_size_cap(client, pipe, streamed):
    big = b'{"text": "' + b"x" * 5000 + b'"}'
    content = iter([big[:1000], big[1000:]]) if streamed else big
    r = client.post("/api/analyze", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "larger than the server's limit of 2,000 bytes" in r.json()["detail"]
    assert pipe.calls == 0


def test_api_upload_size_cap(client):
    r = client.post("/api/analyze", files={"file": ("big.txt", b"word " * 1000)})
    assert r.status_code == 413


def test_api_techniques_and_health(client):
    techs = client.get("/api/techniques").json()
    assert len(techs) == 14 and {"name", "definition", "colour"} <= set(techs[0])
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["model"]["name"] == "stand-in"
    assert health["model"]["version"] == "0.0.1" and health["store"] is False


def test_api_missing_model_503_without_naming_the_folder(tmp_path, caplog):
    with TestClient(create_app(model_path=str(tmp_path / "nope"))) as c:
        health = c.get("/api/health")
        analyse = c.post("/api/analyze", json={"text": TEXT})
    for r in (health, analyse):
        assert r.status_code == 503 and "The model could not be loaded" in r.json()["detail"]
        assert str(tmp_path) not in r.text
    assert "No model folder" in caplog.text  # the operator finds the reason in the log


@pytest.mark.parametrize("path", ["/api/articles", "/api/articles/1"])
def test_api_articles_404_without_store(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "proplens serve --db" in r.json()["detail"]


def test_api_articles_with_store(pipe, store):
    with TestClient(create_app(pipeline=pipe, store=store)) as c:
        listing = c.get("/api/articles").json()
        assert listing["total"] == 2
        only = c.get("/api/articles", params={"technique": "Loaded_Language"}).json()
        assert [a["title"] for a in only["items"]] == ["A0"]
        assert c.get("/api/articles", params={"source": "Weekly"}).json()["total"] == 1
        assert c.get("/api/articles", params={"q": "calm"}).json()["items"][0]["title"] == "A1"
        article_id = only["items"][0]["id"]
        one = c.get(f"/api/articles/{article_id}").json()
        assert one["text"] == TEXT and one["summary"]["n_spans"] == 2
        assert one["spans"][0]["definition"] and one["model"]["name"] == "stand-in"
        assert c.get("/api/articles/999").status_code == 404
        bad = c.get("/api/articles", params={"technique": "Nope"})
        assert bad.status_code == 422 and "Unknown technique 'Nope'" in bad.json()["detail"]
        assert c.get("/api/articles", params={"page": 0}).status_code == 422


def test_api_stats_with_store(pipe, store):
    with TestClient(create_app(pipeline=pipe, store=store)) as c:
        by_source = c.get("/api/stats", params={"by": "source"}).json()
        assert {r["source"]: r["articles"] for r in by_source["rows"]} == {"Daily": 1, "Weekly": 1}
        by_tech = c.get("/api/stats", params={"by": "technique"}).json()
        assert {r["technique"] for r in by_tech["rows"]} == {
            "Loaded_Language",
            "Name_Calling,Labeling",
        }
        assert c.get("/api/stats", params={"by": "colour"}).status_code == 422
        assert c.get("/api/stats", params={"model": "other"}).status_code == 422


def test_api_errors_never_name_the_database(pipe, store, tmp_path):
    where = str(tmp_path)
    with TestClient(create_app(pipeline=pipe, store=store)) as c:
        unknown = c.get("/api/stats", params={"model": "other"})
        store.engine.dispose()
        (tmp_path / "p.db").unlink()
        (tmp_path / "p.db").mkdir()  # the database file is gone: every query fails
        down = c.get("/api/articles")
    assert unknown.status_code == 422 and "the article database" in unknown.json()["detail"]
    assert down.status_code == 503 and down.headers["retry-after"] == "30"
    assert (
        down.json()["detail"] == "The article database is not available right now; try again later."
    )
    assert where not in unknown.text + down.text


def test_api_stats_404_without_store(client):
    assert client.get("/api/stats").status_code == 404


def test_api_page_and_docs(client):
    page = client.get("/")
    assert page.status_code == 200 and "render.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("render.js", "app.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert "/api/analyze" in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 200


def test_api_report_is_html_download(client):
    r = client.post("/api/report", json={"text": XSS, "title": "My <b>title</b>"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'filename="proplens-My-b-title-b.html"' in r.headers["content-disposition"]
    assert "script-src 'unsafe-inline'" in r.headers["content-security-policy"]
    assert "<script>alert(1)" not in r.text and "ProplensRender" in r.text


def test_api_loads_default_model_once(monkeypatch):
    import proplens

    loads = []
    monkeypatch.setattr(proplens, "load", lambda path=None: loads.append(path) or StandInPipeline())
    with TestClient(create_app(model_path="some/dir")) as c:
        for _ in range(3):
            assert c.post("/api/analyze", json={"text": TEXT}).status_code == 200
    assert loads == ["some/dir"]


def test_api_real_model_end_to_end():
    from proplens.errors import ModelError
    from proplens.pipeline import DEFAULT_MODEL, load

    try:
        load(DEFAULT_MODEL)
    except ModelError as exc:
        pytest.skip(f"The default model is not shipped yet: {exc}")
    with TestClient(create_app()) as c:
        health = c.get("/api/health").json()
        assert health["status"] == "ok" and health["model"]["name"]
        text = (
            "These cowardly traitors and their reckless, bloodthirsty gamble will destroy us all!"
        )
        data = c.post("/api/analyze", json={"text": text}).json()
        assert data["spans"] and data["summary"]["n_spans"] == len(data["spans"])
        for s in data["spans"]:
            assert text[s["start"] : s["end"]] == s["text"] and s["definition"]


@pytest.mark.parametrize(
    "host,status",
    [
        ("127.0.0.1:8000", 200),
        ("[::1]:8000", 200),
        ("LOCALHOST", 200),
        ("lab.example", 200),
        ("evil.example", 400),
        ("lab.example.evil.example:80", 400),
        ("", 400),
    ],
)
def test_api_host_check_allows_configured_names_only(pipe, host, status):
    app = create_app(
        pipeline=pipe, allowed_hosts=["127.0.0.1", "localhost", "[::1]", "lab.example"]
    )
    with TestClient(app) as c:
        r = c.get("/api/health", headers={"host": host})
        assert r.status_code == status
        if status == 400:
            assert "--allow-host" in r.json()["detail"]


def test_api_host_check_star_allows_any(pipe):
    with TestClient(create_app(pipeline=pipe, allowed_hosts=["*"])) as c:
        assert c.get("/api/health", headers={"host": "evil.example"}).status_code == 200


def test_api_text_over_max_chars_is_413_naming_limit_and_option(pipe):
    with TestClient(create_app(pipeline=pipe, max_chars=50)) as c:
        assert c.post("/api/analyze", json={"text": "x" * 50}).status_code == 200
        r = c.post("/api/analyze", json={"text": "x" * 51})
        assert r.status_code == 413 and pipe.calls == 1
        assert "51 characters" in r.json()["detail"] and "50 characters" in r.json()["detail"]
        assert "--max-chars" in r.json()["detail"]
        up = c.post("/api/analyze", files={"file": ("a.txt", b"y" * 60, "text/plain")})
        assert up.status_code == 413


@pytest.mark.parametrize(
    "body,needle",
    [
        (b'{"text": "bad \\ud83d half"}', "`text` holds a lone surrogate"),
        (b'{"text": "x", "title": "\\udc00"}', "`title` holds a lone surrogate"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        (b'{"text": ' + b"9" * 5000 + b"}", "could not be read as JSON"),
    ],
    ids=["surrogate-text", "surrogate-title", "deep", "huge-int"],
)
def test_api_json_decoder_failures_are_422_sentences(pipe, body, needle):
    with TestClient(create_app(pipeline=pipe)) as c:
        r = c.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and needle in r.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/api/articles?page=1000001", "/api/articles/9223372036854775808", "/api/articles/0"]
)
def test_api_out_of_range_numbers_are_422(pipe, store, path):
    with TestClient(create_app(pipeline=pipe, store=store)) as c:
        r = c.get(path)
        assert r.status_code == 422 and r.json()["detail"].startswith("The request is not valid")


def test_api_docs_served_from_local_files(client):
    from proplens.api.app import _swagger_assets

    if _swagger_assets() is None:
        pytest.skip("swagger-ui-bundle-v2 is not installed; /docs falls back to the CDN.")
    page = client.get("/docs")
    assert page.status_code == 200 and "/docs-static/swagger-ui-bundle.js" in page.text
    assert "https://" not in page.text and "'self'" in page.headers["content-security-policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/docs-static/{asset}").status_code == 200


class _Failing(StandInPipeline):
    def __init__(self, error: Exception):
        super().__init__()
        self.error = error

    def __call__(self, text_or_doc):
        raise self.error


@pytest.mark.parametrize(
    "error,status,detail",
    [
        (SpanError("Span [0, 9) does not fit."), 422, "Span [0, 9) does not fit."),
        (ModelError("The model at /x is broken."), 503, "The model failed on this request"),
        (StoreError("Could not use /x."), 503, "The article database is not available"),
        (RuntimeError("boom"), 500, "The server failed on this request"),
    ],
)
def test_api_errors_become_json_sentences(error, status, detail):
    with TestClient(create_app(pipeline=_Failing(error)), raise_server_exceptions=False) as c:
        r = c.post("/api/analyze", json={"text": TEXT})
    assert r.status_code == status and r.json()["detail"].startswith(detail)
    assert "/x" not in r.text
