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
        "tests.standin_pipeline:StandInPipeline",
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
