"""A batch always finishes: odd file names, damaged lines and process-killing articles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from proplens.storage import Store
from tests.fakes import article

ROOT = Path(__file__).resolve().parents[2]
KILLER = "tests.hardening.killers:KillingPipeline"
LATIN1_NAME = b"article7\xe9t\xe9.txt"


def run_batch_cli(folder: Path, db: str, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "proplens", "batch", str(folder), "--db", db, "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*cmd, "--model", KILLER, "-b", "4", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"a{i}.txt").write_text(article(i)["text"], encoding="utf-8")
    (folder / "b-killer.txt").write_text("The traitors KILLME now.", encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), LATIN1_NAME), "wb") as f:
        f.write(b"A disaster for the nation.")
    lines = [json.dumps(article(10)), '{"text": "fear\x00"}', json.dumps(article(11))]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_batch_stores_everything_but_the_bad_inputs_and_a_rerun_finishes(tmp_path, db_url):
    folder = hostile_folder(tmp_path)
    runs = [run_batch_cli(folder, db_url) for _ in range(4)]
    # The killer stops the first run (inside a batch) and the second (alone); the third
    # records it as failed without running it, and so does every later run.
    assert [r.returncode for r in runs] == [-9, -9, 3, 3], [r.stderr[-500:] for r in runs]
    with Store(db_url) as store:
        failures = {f["origin"].rsplit("/", 1)[-1]: f["error"] for f in store.failures(run_id=4)}
        stored = {doc.id for doc in store.iter_articles()}
        statuses = [store.get_run(i)["status"] for i in (1, 2, 3, 4)]
    assert stored == {"a0", "a1", "a2", "a3", "a4", "a5", "a010", "a011", "article7\\xe9t\\xe9"}
    assert set(failures) == {"b-killer.txt", "feed.jsonl:2"}
    assert "The process stopped while analysing this article (2 times" in failures["b-killer.txt"]
    assert "NUL byte" in failures["feed.jsonl:2"]
    assert statuses == ["interrupted", "interrupted", "finished", "finished"]
    assert "Closed earlier runs that were stopped before finishing: 2." in runs[2].stderr


def test_batch_retry_stopped_runs_the_article_again(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "killer.txt").write_text("KILLME", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    codes = [run_batch_cli(folder, db).returncode for _ in range(3)]
    again = run_batch_cli(folder, db, "--retry-stopped")
    assert codes == [-9, -9, 3] and again.returncode == -9


@pytest.mark.parametrize("name", [LATIN1_NAME, b"caf\xc3\xa9 \xff.txt"])
def test_batch_reports_undecodable_file_names_printably(tmp_path, name):
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), name), "wb") as f:
        f.write(b"They are traitors.")
    result = run_batch_cli(folder, f"sqlite:///{tmp_path / 'x.db'}", "--json")
    data = json.loads(result.stdout)
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store, store.engine.connect() as conn:
        origin = conn.scalar(sa.select(store.articles.c.origin))
    assert (result.returncode, data["done"]) == (0, 1)
    assert origin.endswith(name.decode("utf-8", "backslashreplace"))


def test_batch_with_workers_survives_a_worker_killed_by_an_article(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"a{i}.txt").write_text(article(i)["text"], encoding="utf-8")
    (folder / "killer.txt").write_text("The traitors KILLME now.", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    runs = [run_batch_cli(folder, db, "--workers", "2", "--json") for _ in range(3)]
    assert [r.returncode for r in runs] == [1, 1, 3], [r.stderr[-300:] for r in runs]
    assert "A worker process stopped while analysing this batch" in runs[0].stderr
    last = json.loads(runs[2].stdout)
    assert last["skipped"] == 4 and [f["origin"][-10:] for f in last["failures"]] == ["killer.txt"]
