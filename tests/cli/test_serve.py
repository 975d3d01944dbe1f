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
    result = CliRunner().invoke(app, [*args, "--no-auth", "--model", "tests.fakes:StandInPipeline"])
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
    args = ["serve", "--host", "0.0.0.0", "--token", "s3cret", "--model", FAKE]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "--allow-host" in result.output
    assert "it is not access control" in result.output


FAKE = "tests.fakes:StandInPipeline"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "lab.example"])
def test_serve_beyond_loopback_refuses_to_start_without_a_token(served, host):
    result = CliRunner().invoke(app, ["serve", "--host", host, "--model", FAKE])
    assert result.exit_code == 1 and not served
    assert f"Refusing to serve on {host} without an access token" in result.output
    assert "--token TOKEN" in result.output and "--no-auth" in result.output


@pytest.mark.parametrize(
    "args,env,access",
    [
        (["--host", "0.0.0.0"], {"PROPLENS_TOKEN": "s3cret"}, "a token is required for /api"),
        (["--host", "0.0.0.0", "--no-auth"], {}, "no token: anyone who can connect can use it"),
        (["--host", "127.0.0.1"], {}, "no token (loopback only)"),
        (["--host", "::1", "--allow-host", "box.lan"], {}, "addressed to 127.0.0.1, localhost"),
    ],
)
def test_serve_says_how_it_is_protected(served, args, env, access):
    result = CliRunner().invoke(app, ["serve", *args, "--model", FAKE], env=env)
    assert result.exit_code == 0, result.output
    assert access in result.output
    if "--allow-host" in args:
        assert "box.lan" in result.output


def test_serve_token_from_environment_guards_the_api(served, tmp_path):
    args = ["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "p.db"), "--model", FAKE]
    result = CliRunner().invoke(app, args, env={"PROPLENS_TOKEN": "s3cret"})
    assert result.exit_code == 0, result.output
    with TestClient(served["app"]) as client:
        assert client.get("/api/articles").status_code == 401
        ok = client.get("/api/articles", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and client.get("/api/health").status_code == 200


def test_serve_sets_connection_limits(served):
    result = CliRunner().invoke(app, ["serve", "--model", FAKE])
    assert result.exit_code == 0, result.output
    assert served["timeout_keep_alive"] == 5 and served["limit_concurrency"] >= 64
    assert served["http"].__name__ == "HeaderTimeoutH11"
