"""The bad-input catalogue through the HTTP API: 4xx with one clear sentence, never a 5xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.hardening.catalogue import TEXT, cases, check_ok_text

pytestmark = pytest.mark.timeout(60)
CASES = cases()


@pytest.fixture(scope="module")
def client():
    from proplens.api import create_app
    from tests.fakes import StandInPipeline

    with TestClient(
        create_app(pipeline=StandInPipeline(), max_body_bytes=3_000_000),
        raise_server_exceptions=False,
    ) as c:
        yield c


def assert_clear_4xx(response, status=None):
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status:
        assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.strip() and "Traceback" not in detail
    return detail


@pytest.mark.parametrize("name,filename,data,expect", CASES, ids=[c[0] for c in CASES])
def test_api_upload_bad_input_catalogue(client, name, filename, data, expect):
    r = client.post("/api/analyze", files={"file": (filename, data, "application/octet-stream")})
    kind, what = expect
    if kind == "error":
        assert_clear_4xx(r)
    else:
        assert r.status_code == 200, r.text[:300]
        body = r.json()
        check_ok_text(body["text"], what)
        assert all(body["text"][s["start"] : s["end"]] == s["text"] for s in body["spans"])


@pytest.mark.parametrize(
    "filename",
    [
        "../../../../tmp/evil.txt",
        "/etc/passwd",
        "..\\..\\win.txt",
        "a\x00b.txt",
        "<script>.txt",
        "",
    ],
)
def test_api_upload_hostile_filenames_are_only_labels(client, tmp_path, filename):
    r = client.post("/api/analyze", files={"file": (filename, TEXT.encode(), "text/plain")})
    assert r.status_code in (200, 422), r.text[:300]
    if r.status_code == 200:
        assert "/" not in (r.json().get("title") or "") and r.json()["text"] == TEXT


@pytest.mark.parametrize(
    "body,ctype",
    [
        (b'{"text": "bad \\ud83d half emoji"}', "application/json"),
        (b'{"text": "x", "title": "\\udc00"}', "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b'{"text": ' + b"9" * 5000 + b"}", "application/json"),
        (b'["text"]', "application/json"),
        (b"null", "application/json"),
        (b"\xff\xfe{", "application/json"),
        (b"text=hello", "application/x-www-form-urlencoded"),
        (
            b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nno end',
            "multipart/form-data; boundary=x",
        ),
        (b"hi", "multipart/form-data"),
    ],
    ids=[
        "surrogate-text",
        "surrogate-title",
        "deep-nesting",
        "huge-int",
        "list",
        "null",
        "bad-utf8",
        "form",
        "truncated-multipart",
        "multipart-no-boundary",
    ],
)
def test_api_hostile_bodies_get_4xx(client, body, ctype):
    r = client.post("/api/analyze", content=body, headers={"content-type": ctype})
    assert_clear_4xx(r)


@pytest.mark.parametrize(
    "payload",
    [
        {"text": "ok text", "spans": [{"start": -1, "end": 99, "technique": "Doubt"}]},
        {"text": "\u0000 traitors"},
        {"text": "traitors", "title": "<img src=x onerror=alert(1)>", "url": "javascript:alert(1)"},
    ],
    ids=["client-spans-ignored", "nul-char", "markup-in-metadata"],
)
def test_api_odd_but_valid_bodies_answer_200_from_the_model_only(client, payload):
    r = client.post("/api/analyze", json=payload)
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert [s["text"] for s in body["spans"]] == ["traitors"] * ("traitors" in payload["text"])


def test_api_body_over_limit_is_413_naming_limit(client):
    r = client.post("/api/analyze", json={"text": "word " * 700_000})
    detail = assert_clear_4xx(r, 413)
    assert "3,000,000 bytes" in detail and "--max-body-bytes" in detail


def test_api_body_over_limit_without_content_length_is_413(client):
    def chunks():
        for _ in range(40):
            yield b"x" * 100_000

    r = client.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert_clear_4xx(r, 413)


@pytest.mark.parametrize(
    "path",
    [
        "/static/../api.py",
        "/static/%2e%2e/api.py",
        "/static/..%2fapi.py",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
    ],
)
def test_api_static_files_do_not_escape_web_folder(client, path):
    r = client.get(path)
    assert r.status_code == 404 or "create_app" not in r.text


def test_api_page_and_json_carry_security_headers(client):
    r = client.post("/api/analyze", json={"text": "<script>alert(1)</script> traitors"})
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_api_refuses_foreign_host_header_against_dns_rebinding(client, host):
    """A web page on another site can rebind its name to 127.0.0.1 and read the local server's
    answers (the stored corpus under /api/articles); only loopback names may be served."""
    r = client.get("/api/health", headers={"host": host})
    assert r.status_code == 400, r.status_code


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "testserver"])
def test_api_serves_loopback_host_names(client, host):
    assert client.get("/api/health", headers={"host": host}).status_code == 200


@pytest.fixture(scope="module")
def store_client(tmp_path_factory):
    from proplens.api import create_app
    from proplens.doc import Doc
    from proplens.storage import ModelId, Result, Store
    from tests.fakes import StandInPipeline

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('db') / 'p.db'}")
    docs = [StandInPipeline()(Doc(TEXT, title="A", source="S"))]
    store.write_batch(None, ModelId("stand-in", "1"), [Result(origin="a", doc=d) for d in docs])
    app = create_app(pipeline=StandInPipeline(), store=store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    store.close()


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "per_page=100000",
        "page=99999999999999999999999",
        "technique=%3Cscript%3E",
        "technique=Loaded_language",
        "q=" + "x" * 5000,
        "q=%27%20OR%201%3D1%20--",
        "source=%00",
        "q=%E2%80%AE",
    ],
)
def test_api_article_listing_hostile_parameters(store_client, query):
    r = store_client.get(f"/api/articles?{query}")
    assert r.status_code in (200, 422), (r.status_code, r.text[:200])
    if r.status_code == 200:
        assert r.json()["total"] in (0, 1)
    else:
        assert_clear_4xx(r)


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/0",
        "/api/articles/-1",
        "/api/articles/abc",
        "/api/articles/1%20OR%201=1",
        "/api/articles/99999999999999999999",
    ],
)
def test_api_article_by_hostile_id(store_client, path):
    r = store_client.get(path)
    assert_clear_4xx(r)
