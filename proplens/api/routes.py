"""The core routes: the page, analysing an article (JSON or HTML report), the taxonomy, the
server's health, and the stored articles and their statistics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as ApiPath
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from proplens import __version__
from proplens.api.inputs import analyse, store_or_404, unprocessable
from proplens.api.models import ANALYZE_BODY
from proplens.techniques import LABELS, TECHNIQUES
from proplens.views import analysis, model_info, render_report

MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
)


def register(app: FastAPI, web_dir: Path) -> None:
    """Add the core routes to `app`; the page is `web_dir/index.html`."""

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(web_dir / "index.html", media_type="text/html")

    @app.post("/api/analyze", openapi_extra=ANALYZE_BODY, summary="Analyse one article")
    async def analyze(request: Request) -> dict[str, Any]:
        """Mark the propaganda techniques in one article, sent as JSON `{text, title?, source?,
        url?}` or as a multipart upload (`file`: .txt, .html, .pdf or .jsonl). Returns the Doc
        JSON, each span's definition and runner-ups, the taxonomy and a summary."""
        return await analyse(request)

    @app.post(
        "/api/report",
        openapi_extra=ANALYZE_BODY,
        summary="Analyse one article into a self-contained HTML report",
        response_class=HTMLResponse,
    )
    async def report(request: Request) -> HTMLResponse:
        """The same input as `POST /api/analyze`; returns the HTML report that
        `proplens analyze --format html` writes (inline CSS/JS/SVG, no network), as a download."""
        data = await analyse(request)
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", data.get("title") or "article").strip("-")[:60]
        headers = {
            "Content-Disposition": f'attachment; filename="proplens-{stem or "article"}.html"',
            "Content-Security-Policy": REPORT_CSP,
        }
        return HTMLResponse(render_report(data), headers=headers)

    @app.get("/api/techniques", summary="The technique taxonomy")
    async def techniques() -> list[dict[str, Any]]:
        """The 14 techniques with titles, definitions, examples and colours."""
        return [t.to_json() for t in TECHNIQUES]

    @app.get("/api/health", summary="Server and model status")
    async def health(request: Request) -> JSONResponse:
        """`ok` with the model's name and version, or 503 with the reason the model is missing."""
        pipe = request.app.state.pipeline
        body = {
            "status": "ok" if pipe is not None else "no model",
            "proplens": __version__,
            "model": model_info(pipe) if pipe is not None else None,
            "store": request.app.state.store is not None,
        }
        if pipe is None:
            body["detail"] = request.app.state.model_error or "The model is not loaded yet."
        return JSONResponse(body, status_code=200 if pipe is not None else 503)

    @app.get("/api/articles", summary="Browse stored articles")
    async def articles(
        request: Request,
        technique: str | None = Query(None, description="Only articles with this technique."),
        source: str | None = Query(None, description="Only articles from this source."),
        q: str | None = Query(None, description="Text to find in titles and article text."),
        page: int = Query(1, ge=1, le=MAX_PAGE),
        per_page: int = Query(50, ge=1, le=500),
    ) -> dict[str, Any]:
        """A page of stored articles with source, date, counts per technique and density."""
        store = store_or_404(request)
        if technique and technique not in LABELS:
            raise unprocessable(
                f"Unknown technique {technique!r}. Expected one of: {', '.join(LABELS)}."
            )
        return await run_in_threadpool(
            store.list_articles,
            technique=technique or None,
            source=source or None,
            q=q or None,
            page=page,
            per_page=per_page,
        )

    @app.get("/api/stats", summary="Corpus statistics per source, technique or month")
    async def stats(
        request: Request,
        by: str = Query("source", pattern="^(source|technique|month)$"),
        model: str | None = Query(None, description="Model name (default: the newest one)."),
    ) -> dict[str, Any]:
        """Technique rates over every stored article of one model (see `proplens stats`)."""
        from proplens.stats import corpus_stats

        return await run_in_threadpool(corpus_stats, store_or_404(request), by, model)

    @app.get("/api/articles/{article_id}", summary="One stored article, analysed")
    async def article(
        request: Request, article_id: int = ApiPath(ge=1, le=MAX_ID)
    ) -> dict[str, Any]:
        """The stored article in the same JSON shape as `POST /api/analyze`."""
        store = store_or_404(request)
        doc = await run_in_threadpool(store.get_article, article_id)
        if doc is None:
            raise HTTPException(status_code=404, detail=f"No stored article has id {article_id}.")
        info = doc.extra.get("store", {})
        name, _, version = str(info.get("model", "")).partition(" ")
        data = analysis(doc, {"name": name or None, "version": version or None})
        data["store_id"] = article_id
        return data
