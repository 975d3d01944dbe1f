from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dask
import pytest
from click.testing import CliRunner
from dask.distributed import Client, LocalCluster  # before dask.config.set (adds its config)

from proplens.cli import app
from proplens.runner.backends import _dask_threads
from proplens.storage import Store
from tests.fakes import article

ROOT = Path(__file__).resolve().parents[2]
FAKE = "tests.fakes:KeywordPipeline"


def write_feed(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps(article(i)) + "\n" for i in range(n)), encoding="utf-8")
    return path


def snapshot(url: str) -> dict[str, list]:
    """Every stored article's hash -> its spans; fails on any duplicate."""
    with Store(url) as store:
        out: dict[str, list] = {}
        for doc in store.iter_articles():
            assert doc.content_hash not in out, f"duplicate article {doc.id}"
            out[doc.content_hash] = [
                (s.start, s.end, s.technique, s.score, s.alternatives) for s in doc.spans
            ]
    return out


def batch(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["batch", *args, "--no-progress"], env=env)


def test_batch_cli_summary_then_rerun_skips(tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", 12)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    first = batch(str(feed), str(tmp_path / "empty.txt"), "--db", db, "--model", FAKE)
    second = batch(str(tmp_path), "--db", db, "--json", env={"PROPLENS_PIPELINE_FACTORY": FAKE})
    assert first.exit_code == 3, first.output  # finished, but an input failed
    assert second.exit_code == 3
    assert "Done 12, skipped 0, failed 1 in" in first.output
    assert "failed: " in first.output and "empty.txt" in first.output
    data = json.loads(second.output)
    assert (data["done"], data["skipped"], data["failed"], data["model"]) == (
        0,
        12,
        1,
        "keyword-fake 1",
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["--shard", "3/2"], "`--shard` must look like i/n"),
        (["--db", "mysql://x/y"], "Unsupported database type 'mysql'"),
        (["--model", "tests.fakes:Nope"], "Could not import the pipeline factory"),
        (["--scheduler", "tcp://127.0.0.1:1"], "Could not connect to the Dask scheduler"),
    ],
)
def test_batch_cli_errors_exit_1(tmp_path, args, message):
    feed = write_feed(tmp_path / "feed.jsonl", 2)
    db = ["--db", f"sqlite:///{tmp_path / 'x.db'}"] if "--db" not in args else []
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = batch(str(feed), "--model", FAKE, *db, *args)
    assert result.exit_code == 1 and message in result.output


def test_batch_cli_exits_0_only_when_every_input_is_stored(tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", 3)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert batch(str(feed), "--db", db, "--model", FAKE).exit_code == 0
    (tmp_path / "bad.jsonl").write_text('{"text": "x"}\n{"nope": 1}\n', encoding="utf-8")
    assert batch(str(tmp_path / "bad.jsonl"), "--db", db, "--model", FAKE).exit_code == 3


@pytest.mark.parametrize(
    "args,done,phrases",
    [
        (
            ["--max-chars", "60"],
            2,
            ("over the limit of 60", "`--max-chars`"),
        ),
        (["--max-bytes", "10"], 0, ("over the limit of 10 bytes", "`--max-bytes`")),
    ],
)
def test_batch_cli_limits_name_their_option(tmp_path, args, done, phrases):
    (tmp_path / "a.txt").write_text("Short traitors.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Short disaster.", encoding="utf-8")
    (tmp_path / "long.txt").write_text("A long text about the nation. " * 10, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = batch(str(tmp_path), "--db", db, "--model", FAKE, "--json", *args)
    data = json.loads(result.output)
    assert result.exit_code == 3 and data["done"] == done
    assert all(p in data["failures"][0]["error"] for p in phrases)


def test_batch_cli_missing_input(tmp_path):
    result = batch(str(tmp_path / "nope.txt"), "--model", FAKE)
    assert result.exit_code == 1 and "No such file or folder" in result.output


def _run_cli(feed: Path, url: str, delay: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PROPLENS_FAKE_DELAY": delay}
    cmd = [
        sys.executable,
        "-m",
        "proplens",
        "batch",
        str(feed),
        "--db",
        url,
        "--model",
        FAKE,
        "--batch-size",
        "5",
        "--no-progress",
        *args,
    ]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["in-process", "2-workers"])
def test_batch_sigkill_then_rerun_loses_nothing_and_duplicates_nothing(tmp_path, db_url, workers):
    feed = write_feed(tmp_path / "feed.jsonl", 100)
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    assert batch(str(feed), "--db", clean_url, "--model", FAKE).exit_code == 0
    Store(db_url).close()  # migrate before the child starts
    proc = _run_cli(feed, db_url, "0.03", *workers)
    with Store(db_url) as store:
        deadline = time.monotonic() + 60
        while store.count() < 20 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        killed_at = store.count()
    assert proc.returncode == -signal.SIGKILL and 20 <= killed_at < 100, proc.stdout.read()
    rerun = _run_cli(feed, db_url, "0", *workers)
    out, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, out
    assert f"Done {100 - killed_at}, skipped {killed_at}, failed 0" in out
    assert snapshot(db_url) == snapshot(clean_url) and len(snapshot(clean_url)) == 100


def test_batch_dask_scheduler_matches_local_run(tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", 30)
    local, remote = (f"sqlite:///{tmp_path / n}" for n in ("local.db", "dask.db"))
    assert batch(str(feed), "--db", local, "--model", FAKE).exit_code == 0
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = batch(
            str(feed),
            "--db",
            remote,
            "--model",
            "tests.fakes:CountingPipeline",
            "--scheduler",
            cluster.scheduler_address,
            "--batch-size",
            "10",
        )
        with Client(cluster) as client:  # a worker's model gets its threads, not every core
            assert client.submit(_dask_threads, pure=False).result() == 1
    assert result.exit_code == 0, result.output
    assert "Done 30, skipped 0, failed 0" in result.output
    assert snapshot(remote) == snapshot(local)
    with Store(remote) as store:
        loads = {(d.extra["worker_pid"], d.extra["worker_loads"]) for d in store.iter_articles()}
    assert {n for _, n in loads} == {1} and 1 <= len(loads) <= 2


def test_batch_default_model_stores_what_the_pipeline_predicts(tmp_path):
    from proplens.pipeline import DEFAULT_MODEL, load

    if not (DEFAULT_MODEL / "meta.json").is_file():
        pytest.skip(f"The default model is not built yet ({DEFAULT_MODEL}).")
    texts = [
        "These cowardly traitors are destroying our great nation!",
        "The committee met on Tuesday and approved the budget.",
        "Everyone knows the disaster was caused by them alone. Wake up, America!",
    ]
    for i, text in enumerate(texts):
        (tmp_path / f"article{i}.txt").write_text(text, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'real.db'}"
    first = batch(str(tmp_path), "--db", db, env={"PROPLENS_PIPELINE_FACTORY": ""})
    second = batch(str(tmp_path), "--db", db, env={"PROPLENS_PIPELINE_FACTORY": ""})
    assert first.exit_code == 0 and "Done 3, skipped 0, failed 0" in first.output, first.output
    assert "Done 0, skipped 3, failed 0" in second.output
    nlp = load()
    with Store(db) as store:
        stored = {d.text: d.spans for d in store.iter_articles()}
    assert stored == {t: nlp(t).spans for t in texts}  # each article alone: batch-independent
