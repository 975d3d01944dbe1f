"""The run: skip what is stored, analyse the rest in batches, write each in one transaction."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.ingest.decoding import DEFAULT_MAX_CHARS
from proplens.runner.backends import (
    _Dask,
    _Local,
    _Pool,
)
from proplens.runner.inputs import (
    Item,
    estimate_total,
    expand_inputs,
    in_shard,
    iter_items,
    parse_shard,
)
from proplens.runner.pipelines import (
    batch_factory,
    load_pipeline,
)
from proplens.storage.store import Result, Store

MAX_ATTEMPTS = 2  # times an article may stop the process before it is recorded as failed


@dataclass
class BatchSummary:
    """What a batch run did: articles analysed now, skipped (already stored), failed."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    run_id: int | None = None
    model: str = ""
    interrupted_runs: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Articles analysed per second."""
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "rate": round(self.rate, 3)}


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
    max_chars: int | None = DEFAULT_MAX_CHARS,
    max_bytes: int | None = None,
    retry_stopped: bool = False,
    limit: int | None = None,
) -> BatchSummary:
    """Analyse every input article into `store`, skipping those it already holds.

    Args:
        inputs: Files, folders (searched recursively), glob patterns, JSONL files, `"-"`, Docs.
        store: Where results go.
        pipeline: A ready pipeline object, used in this process (tests, notebooks).
        pipeline_factory: How worker processes build the model: None (`fast`, or
            `$PROPLENS_PIPELINE_FACTORY` or `$PROPLENS_MODEL` when set), a shipped model name, a
            model folder, `"module:callable"`, or a callable.
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
        max_chars: Longest article analysed, in characters (None: no limit); longer ones are
            recorded as failed.
        max_bytes: Largest input file read (default: `PROPLENS_MAX_BYTES` or 20 MB).
        retry_stopped: Analyse again (one at a time) the articles skipped because they stopped
            the process `MAX_ATTEMPTS` times.
        limit: Read only the first `limit` articles (of this shard), e.g. to try a sample;
            re-running with the same limit resumes that sample.

    Returns:
        A `BatchSummary` (done, skipped, failed, rate).
    """
    if limit is not None and limit < 1:
        raise ProplensError(f"`limit` must be at least 1, not {limit}.")
    if batch_size < 1 or model_batch_size < 1:
        raise ProplensError(
            f"`batch_size` and `model_batch_size` must be at least 1, not {batch_size} and "
            f"{model_batch_size}."
        )
    if workers is not None and workers < 1:
        raise ProplensError(f"`workers` must be at least 1, not {workers}.")
    shard_t = parse_shard(shard)
    expanded = expand_inputs(inputs, glob)
    spec = batch_factory(pipeline_factory)
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
        summary.interrupted_runs = store.close_interrupted_runs()
        summary.run_id = store.start_run(backend.model, params)
        if retry_stopped:
            store.reset_attempts(backend.model, MAX_ATTEMPTS - 1)
        total = estimate_total(expanded) if progress else None
        if total is not None and shard_t is not None:
            total = -(-total // shard_t[1])
        if total is not None and limit is not None:
            total = min(total, limit)
        with _progress(progress, total) as advance:
            read = iter_items(expanded, max_bytes=max_bytes, max_chars=max_chars)
            items = islice((i for i in read if in_shard(i, shard_t)), limit)
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
    """Analyse and store one batch.

    Each article is marked as started (committed) before the model sees it, and the mark goes
    with its result. A mark left by an earlier run means the article was in a batch that stopped
    the process (killed, out of memory): such suspects are analysed one at a time, and one that
    has stopped the process `MAX_ATTEMPTS` times is recorded as failed instead of run again.
    """
    model = backend.model
    failed = [Result(i.origin, i.doc, i.error) for i in batch if i.error is not None]
    readable = [(i.origin, i.doc) for i in batch if i.error is None and i.doc is not None]
    seen = store.done_keys([d.content_hash for _, d in readable], model)
    analysed = {h for h, _ in seen}
    todo: list[tuple[str | None, Doc]] = []
    copies: list[tuple[str | None, Doc]] = []  # another outlet's copy of a text: reuse marks
    skipped = 0
    for origin, doc in readable:
        key = (doc.content_hash, doc.source or "")
        if key in seen:
            skipped += 1
            continue
        seen.add(key)
        (copies if doc.content_hash in analysed else todo).append((origin, doc))
        analysed.add(doc.content_hash)
    tried = store.attempts([d.content_hash for _, d in todo], model)
    fresh = [t for t in todo if not tried.get(t[1].content_hash)]
    suspects = [t for t in todo if 0 < tried.get(t[1].content_hash, 0) < MAX_ATTEMPTS]
    stopped = [
        Result(o, d, _stopped_message(tried[d.content_hash]), stopped=True)
        for o, d in todo
        if tried.get(d.content_hash, 0) >= MAX_ATTEMPTS
    ]
    counts = store.write_batch(
        run_id,
        model,
        _analyse(fresh, backend, store, run_id, model_batch_size) + failed + stopped,
        skipped=skipped,
    )
    for one in suspects:
        more = store.write_batch(run_id, model, _analyse([one], backend, store, run_id, 1))
        counts = {k: counts[k] + more[k] for k in counts}
    if copies:
        more = store.write_batch(run_id, model, _copies(copies, backend, store, run_id))
        counts = {k: counts[k] + more[k] for k in counts}
    return counts


def _copies(
    items: list[tuple[str | None, Doc]], backend: Any, store: Store, run_id: int
) -> list[Result]:
    """Results for texts already analysed under another outlet: their stored marks, or (when
    that analysis failed) a run of the model."""
    stored = store.stored_spans([d.content_hash for _, d in items], backend.model)
    results, again = [], []
    for origin, doc in items:
        if doc.content_hash in stored:
            copy = doc.copy(with_spans=False)
            for s in stored[doc.content_hash]:
                copy.add_span(s.start, s.end, s.technique, s.score, s.alternatives)
            results.append(Result(origin, copy))
        else:
            again.append((origin, doc))
    return results + _analyse(again, backend, store, run_id, 1)


def _analyse(
    items: list[tuple[str | None, Doc]], backend: Any, store: Store, run_id: int, mbs: int
) -> list[Result]:
    if not items:
        return []
    store.mark_started(run_id, backend.model, items)
    try:
        return backend.analyse(items, mbs)
    except KeyboardInterrupt:  # the user stopped the run, not the article: forget the marks
        store.unmark_started(backend.model, [d.content_hash for _, d in items])
        raise


def _stopped_message(attempts: int) -> str:
    return (
        f"The process stopped while analysing this article ({attempts} times: out of memory, "
        "or killed), so it is skipped. Analyse it alone with more memory or a lower "
        "`--max-chars`, or split it; `proplens batch --retry-stopped` tries it again."
    )


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
