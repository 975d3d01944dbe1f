"""HTTP routes for readers, added to the app by `register(app)`: articles fetched from a URL
(`{"url": ...}` on `POST /api/analyze`) and corrections (`POST`/`GET /api/corrections`).

Kept apart from `proplens.api` so the two can change independently; `create_app` calls
`register` once.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from proplens.corrections import CorrectedArticle, Correction
from proplens.doc import Doc
from proplens.errors import StoreError


class CorrectionRequest(BaseModel):
    """One correction and the article it belongs to (text, marks as shown, model)."""

    article: CorrectedArticle
    correction: Correction


def register(app: FastAPI) -> None:
    """Add the corrections routes to `app`; URL fetching refuses private addresses unless
    `app.state.allow_private_urls` is set (`proplens serve` sets it when it listens on
    loopback only, or with `--allow-private-urls`)."""
    if not hasattr(app.state, "allow_private_urls"):
        app.state.allow_private_urls = False

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
        try:
            total = await run_in_threadpool(store_add, store, body.article, body.correction)
        except StoreError as exc:
            raise HTTPException(503, detail=str(exc)) from None
        return {"total": total}

    @app.get("/api/corrections", summary="Every stored correction, as a corrections file")
    async def list_corrections(request: Request) -> dict[str, Any]:
        """The corrections file (`proplens corrections export` reads it) of everything stored."""
        from proplens.storage.store import corrected_articles

        store = _store(request)
        try:
            articles = await run_in_threadpool(corrected_articles, store)
        except StoreError as exc:
            raise HTTPException(503, detail=str(exc)) from None
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


async def doc_from_request_url(request: Request, fields: dict[str, Any]) -> Doc:
    """Fetch the article at `fields["url"]` for `POST /api/analyze`; other fields
    (title, source, date, author) override what the page says. Fetch failures answer 422."""
    from proplens.errors import IngestError
    from proplens.ingest.fetch import DEFAULT_MAX_BYTES, doc_from_url

    limit = min(DEFAULT_MAX_BYTES, getattr(request.app.state, "max_fetch_bytes", DEFAULT_MAX_BYTES))
    try:
        doc = await run_in_threadpool(
            doc_from_url,
            fields["url"],
            max_bytes=limit,
            allow_private=bool(getattr(request.app.state, "allow_private_urls", False)),
        )
    except IngestError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    for key in ("title", "source", "date", "author"):
        if fields.get(key):
            setattr(doc, key, fields[key])
    return doc
