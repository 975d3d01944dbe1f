"""Which model a batch runs: factories, loading once per process, model ids."""

from __future__ import annotations

import importlib
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

from proplens.doc import Doc
from proplens.errors import ModelError
from proplens.storage.store import ModelId, Result

FACTORY_ENV = "PROPLENS_PIPELINE_FACTORY"
_IMPORT_SPEC = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def resolve_factory(spec: Any = None) -> Any:
    """`spec`, or `$PROPLENS_PIPELINE_FACTORY` when `spec` is None (None again = default model)."""
    if spec is None:
        return os.environ.get(FACTORY_ENV) or None
    return str(spec) if isinstance(spec, Path) else spec


def batch_factory(spec: Any = None) -> Any:
    """The model a batch runs: `spec`, then `$PROPLENS_PIPELINE_FACTORY`, then `$PROPLENS_MODEL`,
    then `fast` (a corpus of thousands of articles needs the fast model; name `accurate` to
    choose it). The CLI's `batch` and `run_batch` share this default."""
    from proplens.shipped import MODEL_ENV

    if spec is not None:
        return resolve_factory(spec)
    return os.environ.get(FACTORY_ENV) or os.environ.get(MODEL_ENV) or "fast"


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
