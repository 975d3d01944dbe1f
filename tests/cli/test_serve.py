from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from proplens.cli import app


@pytest.fixture
def served(monkeypatch):
    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(app=app, **kw))
    return seen


def test_serve_builds_app_with_options(served, tmp_path):
    db = tmp_path / "p.db"
    args = [
        "serve",
        "--port",
        "8123",
        "--host",
        "127.0.0.2",
        "--db",
        str(db),
        "--max-body-bytes",
        "100",
        "--model",
        "tests.fakes:StandInPipeline",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert served["port"] == 8123 and served["host"] == "127.0.0.2"
    with TestClient(served["app"]) as client:
        assert client.get("/api/health").json()["model"]["name"] == "stand-in"
        assert client.get("/api/articles").json()["total"] == 0
        assert client.post("/api/analyze", json={"text": "x" * 200}).status_code == 413


def test_serve_missing_model_exits_1(served, tmp_path):
    result = CliRunner().invoke(app, ["serve", "--model", str(tmp_path / "none")])
    assert result.exit_code == 1 and "No model folder" in result.output and not served


def test_serve_max_chars_and_host_names(served):
    args = ["serve", "--host", "lab.example", "--allow-host", "proxy.example", "--max-chars", "10"]
    result = CliRunner().invoke(app, [*args, "--model", "tests.fakes:StandInPipeline"])
    assert result.exit_code == 0, result.output
    with TestClient(served["app"]) as client:
        for host, status in [
            ("lab.example:8000", 200),
            ("proxy.example", 200),
            ("localhost", 200),
            ("evil.example", 400),
        ]:
            assert client.get("/api/health", headers={"host": host}).status_code == status
        assert client.post("/api/analyze", json={"text": "x" * 11}).status_code == 413


@pytest.mark.parametrize(
    "host,extra,expected",
    [
        ("127.0.0.1", (), "127.0.0.1"),
        ("::1", (), "[::1]"),
        ("fe80::2", (), "[fe80::2]"),
        ("0.0.0.0", ("box.lan",), "box.lan"),
    ],
)
def test_serve_allowed_hosts(host, extra, expected):
    from proplens.cli.serve import allowed_hosts

    names = allowed_hosts(host, extra)
    assert expected in names and "localhost" in names and "0.0.0.0" not in names


def test_serve_wildcard_host_warns_about_host_names(served):
    args = ["serve", "--host", "0.0.0.0", "--model", "tests.fakes:StandInPipeline"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "--allow-host" in result.output
