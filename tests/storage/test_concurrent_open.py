"""Processes that open a fresh store at the same moment all succeed (migrations under a lock)."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from proplens.doc import Doc
from proplens.storage import ModelId, Result, Store

MODEL = ModelId("m", "1")


def open_and_write(url: str, start_at: float, n: int) -> str:
    time.sleep(max(0.0, start_at - time.time()))
    try:
        with Store(url) as store:
            store.write_batch(store.start_run(MODEL), MODEL, [Result(f"{n}", Doc(f"text {n}"))])
    except Exception as exc:  # noqa: BLE001 - reported to the test as text
        return f"{type(exc).__name__}: {exc}"
    return "ok"


@pytest.mark.parametrize("trial", range(3))
def test_store_fresh_database_opened_by_many_processes_at_once(db_url, trial):
    n = 4
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(n) as pool:
        start_at = time.time() + 3.0  # after every worker has imported proplens
        outcomes = pool.starmap(open_and_write, [(db_url, start_at, i) for i in range(n)])
    assert outcomes == ["ok"] * n
    with Store(db_url) as store:
        assert store.count() == n
