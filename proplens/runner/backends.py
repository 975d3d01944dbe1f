"""Where the model runs: in this process, in worker processes, or on Dask."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from typing import Any

from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.runner.pipelines import (
    analyse,
    cached_pipeline,
    model_id,
)
from proplens.storage.store import ModelId, Result


class _Local:
    def __init__(self, pipeline: Any) -> None:
        self.pipeline, self.model = pipeline, model_id(pipeline)

    def analyse(self, items: list[tuple[str | None, Doc]], mbs: int) -> list[Result]:
        return analyse(self.pipeline, items, mbs) if items else []

    def close(self) -> None:
        pass


_POOL: dict[str, Any] = {}


def _exit_with_parent(parent: int) -> None:
    # A SIGKILLed parent cannot stop its pool; workers would wait forever on the task queue.
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _pool_init(spec: Any, threads: int) -> None:
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    # An exception here would only break the pool; keep it for `_pool_pipeline` to re-raise.
    try:
        _POOL["pipeline"] = cached_pipeline(spec, threads=threads)
    except Exception as exc:  # noqa: BLE001
        _POOL["error"] = exc


def _pool_pipeline() -> Any:
    if "error" in _POOL:
        raise _POOL["error"]
    return _POOL["pipeline"]


def _pool_analyse(items: list[tuple[str | None, Doc]], mbs: int) -> list[Result]:
    return analyse(_pool_pipeline(), items, mbs)


def _pool_describe() -> ModelId:
    return model_id(_pool_pipeline())


class _Pool:
    """N local processes, each loading the model once in its initializer."""

    def __init__(self, spec: Any, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        threads = max(1, (os.cpu_count() or 1) // workers)
        self.workers = workers
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_pool_init,
            initargs=(spec, threads),
        )
        try:  # one task per worker at once, so that every worker starts and loads the model now
            found = {f.result() for f in [self.pool.submit(_pool_describe) for _ in range(workers)]}
            self.model = found.pop()
        except BrokenProcessPool:
            self.pool.shutdown(cancel_futures=True)
            raise ProplensError(
                "The worker processes stopped while starting. If you call `run_batch` from a "
                "script, guard it with `if __name__ == '__main__':`."
            ) from None
        except BaseException:
            self.pool.shutdown(cancel_futures=True)
            raise

    def analyse(self, items: list[tuple[str | None, Doc]], mbs: int) -> list[Result]:
        from concurrent.futures.process import BrokenProcessPool

        chunks = _chunks(items, self.workers)
        try:
            return _flatten(self.pool.map(_pool_analyse, chunks, [mbs] * len(chunks)))
        except BrokenProcessPool:
            raise ProplensError(
                "A worker process stopped while analysing this batch (out of memory, or "
                "killed). Run the same command again: the articles of this batch are then "
                "analysed one at a time, and one that stops its process twice is recorded as "
                "failed and skipped."
            ) from None

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _dask_threads() -> int:
    """The threads this Dask worker was given (`dask worker --nthreads N`): the model uses that
    many, so workers sharing a machine do not oversubscribe its cores (onnxruntime's default
    is every core, in every worker)."""
    from distributed import get_worker

    return max(1, int(get_worker().state.nthreads))


def _dask_analyse(items: list[tuple[str | None, Doc]], spec: Any, mbs: int) -> list[Result]:
    return analyse(cached_pipeline(spec, threads=_dask_threads()), items, mbs)


def _dask_describe(spec: Any) -> ModelId:
    return model_id(cached_pipeline(spec, threads=_dask_threads()))


class _Dask:
    """An existing Dask distributed cluster; each worker process caches the model."""

    def __init__(self, spec: Any, address: str) -> None:
        from dask.distributed import Client

        try:
            self.client = Client(address)  # timeout: distributed.comm.timeouts.connect
        except (OSError, TimeoutError, ValueError) as exc:
            raise ProplensError(
                f"Could not connect to the Dask scheduler at {address!r} ({exc}); start one with "
                "`dask scheduler` and give its address, e.g. tcp://host:8786."
            ) from None
        self.spec = spec
        self.model = self.client.submit(_dask_describe, spec, pure=False).result()

    def analyse(self, items: list[tuple[str | None, Doc]], mbs: int) -> list[Result]:
        n = max(1, len(self.client.scheduler_info().get("workers", {})))
        futures = self.client.map(
            _dask_analyse, _chunks(items, n), spec=self.spec, mbs=mbs, pure=False
        )
        return _flatten(self.client.gather(futures))

    def close(self) -> None:
        self.client.close()


def _chunks(items: list, workers: int, most: int = 8) -> list[list]:
    """At least one chunk per worker, at most `most` articles each (one model batch), so a
    worker that drew long articles does not keep the others waiting long."""
    size = max(1, min(most, -(-len(items) // workers)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _flatten(groups: Iterable[list[Result]]) -> list[Result]:
    return [r for g in groups for r in g]
