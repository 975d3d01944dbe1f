"""HTTP routes of the corpus view, added to the app by `register(app)`.

`GET /corpus` is the outlet page (`web/corpus.html`); `GET /api/corpus/stats` answers what
`proplens stats` prints (same arguments, same JSON); `GET /api/corpus/articles` lists the articles
behind one figure; `GET /api/corpus/keys` lists the keys and filter values. `create_app` calls
`register` once. Errors from the statistics (`ProplensError`) reach the app-wide handler
(`proplens.api.errors`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from proplens.api.inputs import store_or_404

WHERE = "KEY=VALUE filter (repeat), e.g. bias=left or month=2016-03."
_WHERE = Query(None, max_length=20, description=WHERE)  # list parameters: one shared default
_TECHNIQUES = Query(None, max_length=30, description="Count only these techniques (repeat).")


def _store(request: Request) -> Any:
    return store_or_404(request, "to see the corpus view")


def register(app: FastAPI, web_dir: Path) -> None:
    """Add the corpus page (`web_dir/corpus.html`) and its three JSON routes to `app`."""

    @app.get("/corpus", include_in_schema=False)
    async def corpus_page() -> FileResponse:
        return FileResponse(web_dir / "corpus.html", media_type="text/html")

    @app.get("/api/corpus/stats", summary="Technique rates by any key, with intervals")
    async def corpus_stats_route(
        request: Request,
        by: str = Query("source", max_length=200, description="One or two keys, e.g. bias,month."),
        where: list[str] | None = _WHERE,
        since: str | None = Query(None, max_length=10, description="YYYY[-MM[-DD]]"),
        until: str | None = Query(None, max_length=10, description="YYYY[-MM[-DD]]"),
        technique: list[str] | None = _TECHNIQUES,
        min_articles: int = Query(1, ge=1, le=1_000_000),
        sort: str = Query("key", pattern="^(key|rate|articles)$"),
        model: str | None = Query(None, max_length=300),
    ) -> dict[str, Any]:
        """The JSON of `proplens stats --format json` with the same options."""
        from proplens.stats import corpus_stats

        return await run_in_threadpool(
            corpus_stats,
            _store(request),
            by=by,
            model=model,
            where=where or [],
            since=since,
            until=until,
            technique=technique or [],
            min_articles=min_articles,
            sort=sort,
        )

    @app.get("/api/corpus/articles", summary="The articles behind one figure")
    async def corpus_articles(
        request: Request,
        where: list[str] | None = _WHERE,
        since: str | None = Query(None, max_length=10),
        until: str | None = Query(None, max_length=10),
        technique: list[str] | None = _TECHNIQUES,
        page: int = Query(1, ge=1, le=1_000_000),
        per_page: int = Query(25, ge=1, le=200),
        model: str | None = Query(None, max_length=300),
    ) -> dict[str, Any]:
        """Articles matching the filters, most spans of the technique(s) first; open one with
        `GET /api/articles/{id}` (or the page's `/#/article/{id}`)."""
        from proplens.stats import articles_behind

        return await run_in_threadpool(
            articles_behind,
            _store(request),
            model,
            where=where or [],
            since=since,
            until=until,
            technique=technique or [],
            page=page,
            per_page=per_page,
        )

    @app.get("/api/corpus/keys", summary="Keys and filter values of the stored corpus")
    async def corpus_keys_route(request: Request) -> dict[str, Any]:
        """Built-in keys, the articles' metadata fields and the values of the small ones."""
        from proplens.stats import corpus_keys

        return await run_in_threadpool(corpus_keys, _store(request))
