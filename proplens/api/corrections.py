"""Readers' corrections: `POST /api/corrections` stores one, `GET /api/corrections` returns
them all as a corrections file. `create_app` calls `register` once; both need `--db`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from proplens.api.models import CorrectionRequest


def register(app: FastAPI) -> None:
    """Add the corrections routes to `app`."""

    @app.post("/api/corrections", summary="Store a reader's correction of a mark")
    async def add_correction(request: Request) -> dict[str, Any]:
        """`{"article": {text, title?, url?, model, spans}, "correction": {action, start, end,
        technique?, was?, score?}}`; needs `--db`. Answers `{"total": N}` (corrections stored)."""
        from proplens.storage.store import add_correction as store_add

        store = _store(request)
        try:
            body = CorrectionRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err.get("loc", ()))
            msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            raise HTTPException(
                422, detail=f"The correction is not valid: `{where}`: {msg}."
            ) from None
        total = await run_in_threadpool(store_add, store, body.article, body.correction)
        return {"total": total}

    @app.get("/api/corrections", summary="Every stored correction, as a corrections file")
    async def list_corrections(request: Request) -> dict[str, Any]:
        """The corrections file (`proplens corrections export` reads it) of everything stored."""
        from proplens.storage.store import corrected_articles

        store = _store(request)
        articles = await run_in_threadpool(corrected_articles, store)
        return {"proplens_corrections": 1, "articles": articles}


def _store(request: Request) -> Any:
    store = request.app.state.store
    if store is None:
        raise HTTPException(
            404,
            detail="This server keeps no corrections: it was started without `--db`. Use "
            "'Download corrections' on the page instead, or restart with "
            "`proplens serve --db URL`.",
        )
    return store
