"""Resumable batch analysis: inputs -> model (here, in worker processes or on Dask) -> `Store`.

Inputs stream in `islice` batches. Articles already stored for the same model (same content hash)
are skipped before the model runs, and each batch is written in one transaction, so re-running
after a crash finishes the work with no loss and no duplicates. The model loads once per worker.

Example:
    >>> from proplens.storage import Store
    >>> summary = run_batch(["articles/"], Store(), workers=2)  # doctest: +SKIP
"""

from __future__ import annotations

import glob as globlib
import hashlib
import importlib
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from proplens.doc import Doc
from proplens.errors import IngestError, ModelError, ProplensError
from proplens.storage.store import ModelId, Result, Store

FACTORY_ENV = "PROPLENS_PIPELINE_FACTORY"
_IMPORT_SPEC = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_GLOB_CHARS = re.compile(r"[*?[]")


@dataclass
class BatchSummary:
    """What a batch run did: articles analysed now, skipped (already stored), failed."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    run_id: int | None = None
    model: str = ""

    @property
    def rate(self) -> float:
        """Articles analysed per second."""
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "rate": round(self.rate, 3)}


# -- pipelines ----------------------------------------------------------------------------------


def resolve_factory(spec: Any = None) -> Any:
    """`spec`, or `$PROPLENS_PIPELINE_FACTORY` when `spec` is None (None again = default model)."""
    if spec is None:
        return os.environ.get(FACTORY_ENV) or None
    return str(spec) if isinstance(spec, Path) else spec


def load_pipeline(spec: Any = None, **kwargs: Any) -> Any:
    """Build a pipeline from a picklable factory `spec`.

    Args:
        spec: None (the shipped default model), a model folder path, `"module:callable"` (a class
            or function returning a pipeline), or a picklable callable.
        kwargs: Passed to `proplens.load` for model folders (e.g. `threads`); ignored otherwise.
    """
    if callable(spec):
        return spec()
    if spec is None or not _IMPORT_SPEC.match(str(spec)) or Path(str(spec)).exists():
        import proplens

        return proplens.load(spec, **kwargs)
    module, _, attr = str(spec).partition(":")
    if os.getcwd() not in sys.path:  # like `uvicorn module:app`, look in the current folder too
        sys.path.append(os.getcwd())
    try:
        obj: Any = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ModelError(
            f"Could not import the pipeline factory {spec!r} ({exc}); give a model folder or "
            "`module:callable` importable in every worker."
        ) from None
    return obj()


_CACHE: dict[str, Any] = {}
_CACHE_LOCK = threading.Lock()


def cached_pipeline(spec: Any, **kwargs: Any) -> Any:
    """The pipeline for `spec`, built once per process (the worker-level model cache)."""
    key = f"{getattr(spec, '__module__', '')}.{getattr(spec, '__qualname__', spec)}"
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = load_pipeline(spec, **kwargs)
        return _CACHE[key]


def model_id(pipeline: Any) -> ModelId:
    return ModelId(
        str(getattr(pipeline, "name", type(pipeline).__name__)),
        str(getattr(pipeline, "version", "0")),
    )


def analyse(
    pipeline: Any, items: list[tuple[str | None, Doc]], model_batch_size: int = 1
) -> list[Result]:
    """Run `pipeline` over `items`; an article that makes the model fail becomes a failed Result.

    `model_batch_size` articles go through the model together. The default, 1, makes each
    article's spans independent of its neighbours: a quantised model computes activation scales
    per batch, so scores would otherwise change with batch composition, and a resumed, sharded or
    multi-worker run would not reproduce a clean one exactly.
    """
    try:
        out = list(pipeline.pipe([d for _, d in items], batch_size=model_batch_size))
        if len(out) == len(items):
            return [_checked(o, d, p) for (o, d), p in zip(items, out, strict=True)]
    except Exception:  # noqa: BLE001 - isolate the article that failed, below
        pass
    results = []
    for origin, doc in items:
        try:
            results.append(_checked(origin, doc, pipeline(doc)))
        except Exception as exc:  # noqa: BLE001 - any model error is recorded, the run goes on
            results.append(Result(origin, doc, f"The model failed on this article: {exc}"))
    return results


def _checked(origin: str | None, doc: Doc, predicted: Doc) -> Result:
    if predicted.text != doc.text:
        return Result(origin, doc, "The model changed the article text, so its spans are unusable.")
    return Result(origin, predicted)


# -- backends: where the model runs -------------------------------------------------------------


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
        chunks = _chunks(items, self.workers)
        return _flatten(self.pool.map(_pool_analyse, chunks, [mbs] * len(chunks)))

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _dask_analyse(items: list[tuple[str | None, Doc]], spec: Any, mbs: int) -> list[Result]:
    return analyse(cached_pipeline(spec), items, mbs)


def _dask_describe(spec: Any) -> ModelId:
    return model_id(cached_pipeline(spec))


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


# -- inputs -------------------------------------------------------------------------------------


@dataclass
class Item:
    """One article to analyse, or an input that could not be read (`error`)."""

    origin: str | None
    doc: Doc | None = None
    error: str | None = None

    @property
    def key(self) -> str:
        """Stable identity for sharding: the content hash, or a hash of the origin."""
        if self.doc is not None:
            return self.doc.content_hash
        return hashlib.sha256(str(self.origin).encode("utf-8", "surrogatepass")).hexdigest()


def expand_inputs(inputs: Iterable[str | os.PathLike | Doc], glob: str = "*") -> list[Any]:
    """Files (folders searched recursively, `glob` inside them), `"-"` and Docs, in order.

    Raises:
        IngestError: An input does not exist or a pattern matches nothing.
    """
    from proplens.ingest import iter_folder

    out: list[Any] = []
    for item in [inputs] if isinstance(inputs, (str, os.PathLike, Doc)) else inputs:
        if isinstance(item, Doc) or str(item) == "-":
            out.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            out.extend(iter_folder(path, glob, recursive=True))
        elif path.exists():
            out.append(path)
        elif _GLOB_CHARS.search(str(item)):
            found = sorted(p for p in globlib.glob(str(item), recursive=True) if Path(p).is_file())
            if not found:
                raise IngestError(
                    f"No files match the pattern {str(item)!r}; check it and quote it."
                )
            out.extend(Path(p) for p in found)
        else:
            raise IngestError(f"No such file or folder: {item}; check the path.")
    return out


def estimate_total(expanded: list[Any]) -> int | None:
    """Roughly how many articles `expanded` holds (JSONL lines counted), None with stdin."""
    from proplens.ingest import JSONL_SUFFIXES

    total = 0
    for item in expanded:
        if isinstance(item, Path) and item.suffix.lower() in JSONL_SUFFIXES:
            with open(item, "rb") as f:
                total += sum(1 for line in f if line.strip())
        elif str(item) == "-":
            return None
        else:
            total += 1
    return total


def iter_items(expanded: list[Any]) -> Iterator[Item]:
    """Read each input in turn; unreadable files and bad JSONL lines become failed Items."""
    from proplens.ingest import IngestIssue, read_path, read_stdin

    for item in expanded:
        if isinstance(item, Doc):
            yield _item(item.id, item)
            continue
        issues: list[IngestIssue] = []
        name = "<stdin>" if str(item) == "-" else str(item)
        try:
            if name == "<stdin>":
                docs = read_stdin(errors=issues)
            else:
                docs = read_path(item, errors=issues)
        except (ProplensError, OSError) as exc:
            yield Item(name, error=str(exc))
            continue
        lines = _record_lines(item, len(docs), issues)
        for n, doc in zip(lines, docs, strict=False):
            yield _item(name if len(docs) == 1 and not issues else f"{name}:{n}", doc)
        for issue in issues:
            where = f"{name}:{issue.line}" if issue.line is not None else name
            yield Item(where, error=str(issue))


def _item(origin: str | None, doc: Doc) -> Item:
    if not doc.text.strip():
        return Item(origin, doc, "The article is empty.")
    return Item(origin, doc)


def _record_lines(item: Any, n_docs: int, issues: list) -> list[int]:
    """Line numbers of a JSONL file's good records (so failures and fixes share an origin)."""
    if n_docs <= 1 and not issues or not isinstance(item, Path):
        return list(range(1, n_docs + 1))
    from proplens.ingest import decode_bytes

    try:
        text, _ = decode_bytes(item.read_bytes(), str(item))
    except (ProplensError, OSError):
        return list(range(1, n_docs + 1))
    bad = {i.line for i in issues}
    good = [n for n, ln in enumerate(text.split("\n"), 1) if ln.strip() and n not in bad]
    return good if len(good) == n_docs else list(range(1, n_docs + 1))


def parse_shard(text: str | tuple[int, int] | None) -> tuple[int, int] | None:
    """`"i/n"` (1 <= i <= n) as `(i, n)`."""
    if text is None or isinstance(text, tuple):
        return text
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ProplensError(
            f"`--shard` must look like i/n with 1 <= i <= n (e.g. 1/4 ... 4/4), not {text!r}."
        )
    return int(m.group(1)), int(m.group(2))


def in_shard(item: Item, shard: tuple[int, int] | None) -> bool:
    return shard is None or int(item.key[:15], 16) % shard[1] == shard[0] - 1


# -- the run ------------------------------------------------------------------------------------


def run_batch(
    inputs: Iterable[str | os.PathLike | Doc],
    store: Store,
    *,
    pipeline: Any = None,
    pipeline_factory: Any = None,
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = 32,
    shard: str | tuple[int, int] | None = None,
    glob: str = "*",
    progress: bool = True,
    on_batch: Callable[[BatchSummary], None] | None = None,
    model_batch_size: int = 1,
) -> BatchSummary:
    """Analyse every input article into `store`, skipping those it already holds.

    Args:
        inputs: Files, folders (searched recursively), glob patterns, JSONL files, `"-"`, Docs.
        store: Where results go.
        pipeline: A ready pipeline object, used in this process (tests, notebooks).
        pipeline_factory: How worker processes build the model: None (default model, or
            `$PROPLENS_PIPELINE_FACTORY`), a model folder, `"module:callable"`, or a callable.
        workers: Local worker processes; None or 1 runs the model in this process (it already
            uses every core), more start a process pool.
        scheduler: Address of a Dask distributed scheduler, e.g. `tcp://host:8786`.
        batch_size: Articles per transaction; a crash loses at most one batch.
        shard: `"i/n"`: analyse only the articles whose content hash falls in shard i of n.
        glob: File pattern inside folders.
        progress: Show a progress bar with rate and ETA on stderr.
        on_batch: Called with the running totals after each committed batch.
        model_batch_size: Articles per model call. 1 (the default) keeps every article's result
            identical however the run is split; larger is faster (about 12% at 8 for the
            default model on 2 cores) but scores then depend on batch neighbours.

    Returns:
        A `BatchSummary` (done, skipped, failed, rate).
    """
    if batch_size < 1 or model_batch_size < 1:
        raise ProplensError(
            f"`batch_size` and `model_batch_size` must be at least 1, not {batch_size} and "
            f"{model_batch_size}."
        )
    if workers is not None and workers < 1:
        raise ProplensError(f"`workers` must be at least 1, not {workers}.")
    shard_t = parse_shard(shard)
    expanded = expand_inputs(inputs, glob)
    spec = resolve_factory(pipeline_factory)
    parallel = scheduler is not None or (workers or 1) > 1
    if pipeline is not None and parallel and pipeline_factory is None:
        raise ProplensError(
            "A `pipeline` object cannot be sent to worker processes; pass `pipeline_factory` "
            "(a model folder or 'module:callable') with `workers` or `scheduler`."
        )
    started = time.perf_counter()
    if scheduler is not None:
        backend: Any = _Dask(spec, scheduler)
    elif parallel:
        backend = _Pool(spec, int(workers or 1))
    else:
        backend = _Local(pipeline if pipeline is not None else load_pipeline(spec))
    summary = BatchSummary(model=f"{backend.model.name} {backend.model.version}")
    params = {
        "inputs": [str(i) for i in expanded[:50]],
        "shard": shard_t,
        "workers": workers,
        "scheduler": scheduler,
        "batch_size": batch_size,
    }
    try:
        summary.run_id = store.start_run(backend.model, params)
        total = estimate_total(expanded) if progress else None
        if total is not None and shard_t is not None:
            total = -(-total // shard_t[1])
        with _progress(progress, total) as advance:
            items = (i for i in iter_items(expanded) if in_shard(i, shard_t))
            while batch := list(islice(items, batch_size)):
                counts = _run_one(batch, backend, store, summary.run_id, model_batch_size)
                for key, value in counts.items():
                    setattr(summary, key, getattr(summary, key) + value)
                summary.seconds = time.perf_counter() - started
                advance(len(batch), summary)
                if on_batch is not None:
                    on_batch(summary)
        store.finish_run(summary.run_id)
    finally:
        backend.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _run_one(
    batch: list[Item], backend: Any, store: Store, run_id: int, model_batch_size: int
) -> dict[str, int]:
    failed = [Result(i.origin, i.doc, i.error) for i in batch if i.error is not None]
    readable = [i for i in batch if i.error is None and i.doc is not None]
    stored = store.done_hashes([i.doc.content_hash for i in readable], backend.model)
    todo, seen, skipped = [], set(stored), 0
    for item in readable:
        if item.doc.content_hash in seen:
            skipped += 1
        else:
            seen.add(item.doc.content_hash)
            todo.append((item.origin, item.doc))
    results = backend.analyse(todo, model_batch_size) + failed
    return store.write_batch(run_id, backend.model, results, skipped=skipped)


class _progress:
    """A rich progress bar (rate, ETA, running counts) on stderr, or nothing."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.enabled, self.total = enabled, total

    def __enter__(self) -> Callable[[int, BatchSummary], None]:
        if not self.enabled:
            return lambda n, s: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} articles/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self.bar.start()
        task = self.bar.add_task("batch", total=self.total, rate="-")

        def advance(n: int, s: BatchSummary) -> None:
            speed = self.bar.tasks[0].speed
            self.bar.update(
                task,
                advance=n,
                rate=f"{speed:.1f}" if speed else "-",
                description=f"done {s.done} · skipped {s.skipped} · failed {s.failed}",
            )

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.bar.stop()
