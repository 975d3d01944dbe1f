"""Resumable batch analysis: inputs -> model (here, in worker processes or on Dask) -> `Store`.

Inputs stream in `islice` batches. Articles already stored for the same model (same content hash)
are skipped before the model runs, and each batch is written in one transaction, so re-running
after a crash finishes the work with no loss and no duplicates. The model loads once per worker.

Example:
    >>> from proplens.storage import Store
    >>> summary = run_batch(["articles/"], Store(), workers=2)  # doctest: +SKIP
"""

from __future__ import annotations

from proplens.runner.batch import (
    BatchSummary,
    run_batch,
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
    FACTORY_ENV,
    analyse,
    batch_factory,
    cached_pipeline,
    load_pipeline,
    model_id,
    resolve_factory,
)

__all__ = [
    "BatchSummary",
    "FACTORY_ENV",
    "Item",
    "analyse",
    "batch_factory",
    "cached_pipeline",
    "estimate_total",
    "expand_inputs",
    "in_shard",
    "iter_items",
    "load_pipeline",
    "model_id",
    "parse_shard",
    "resolve_factory",
    "run_batch",
]
