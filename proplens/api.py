"""The HTTP API and web page: a thin FastAPI shell over `proplens.load`, `views.analysis`
and `Store`.

Example:
    >>> from proplens.api import create_app
    >>> app = create_app()          # loads the default model once, at start-up
    >>> # uvicorn.run(app)  or  `proplens serve`
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as ApiPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from proplens import __version__
from proplens.corpus_api import register as corpus_routes
from proplens.doc import Doc
from proplens.errors import IngestError, ProplensError, StoreError
from proplens.ingest.decoding import DEFAULT_MAX_CHARS
from proplens.reader_api import register as reader_routes
from proplens.server.limits import AnalysisGate, Refused, parse_isolated
from proplens.server.middleware import BodyLimit, HostCheck, PageHeaders, TokenAuth, host_name
from proplens.techniques import LABELS, TECHNIQUES
from proplens.views import analysis, model_info, render_report

__all__ = ["BodyLimit", "HostCheck", "TokenAuth", "create_app", "host_name"]

log = logging.getLogger("proplens.api")

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_RUNNING = 2  # analyses at once: the model already uses every core
DEFAULT_MAX_WAITING = 8  # requests queued beyond those; more get 503 with Retry-After
DEFAULT_TIMEOUT = 60.0  # seconds per request, queue time included
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "testserver")
MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
)
WEB_DIR = Path(__file__).resolve().parent / "web"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class AnalyzeRequest(BaseModel):
    """An article to analyse: its text and optional metadata (or only a `url` to fetch)."""

    text: str = ""
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: str | None = None
    author: str | None = None


def _unprocessable(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def create_app(
    pipeline: Any = None,
    store: Any = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    model_path: str | None = None,
    allowed_hosts: list[str] | tuple[str, ...] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    token: str | None = None,
    max_running: int = DEFAULT_MAX_RUNNING,
    max_waiting: int = DEFAULT_MAX_WAITING,
    timeout: float = DEFAULT_TIMEOUT,
) -> FastAPI:
    """Build the app.

    Args:
        pipeline: A loaded pipeline (anything with `__call__(doc) -> Doc`, `name`, `version`);
            None loads `model_path` (or the default model) once, at start-up.
        store: A `proplens.storage.Store` for the article endpoints, or None (they answer 404).
        max_body_bytes: Largest request body accepted; bigger ones get 413.
        model_path: The model folder loaded when `pipeline` is None.
        allowed_hosts: Host names the server answers to (the `Host` header, port ignored); other
            names get 400, against DNS rebinding. None means `LOOPBACK_HOSTS`; `"*"` allows any.
        max_chars: Longest article text analysed, in characters; longer ones get 413.
        token: When set, every `/api/` request but `/api/health` must send
            `Authorization: Bearer <token>` (else 401).
        max_running: Analyses (and PDF parses) running at once.
        max_waiting: Requests waiting for a free slot; beyond that, 503 with Retry-After.
        timeout: Seconds a request may take, waiting included; an analysis still running then
            is stopped (503), as is one whose client went away.

    Returns:
        The FastAPI application.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        if app.state.pipeline is None and app.state.model_error is None:
            _load_model(app, model_path)
        yield
        app.state.gate.close()

    swagger = _swagger_assets()
    app = FastAPI(
        title="proplens",
        version=__version__,
        description="Find the propaganda techniques a news article uses, down to the character.",
        lifespan=lifespan,
        docs_url=None if swagger else "/docs",
    )
    app.state.pipeline, app.state.store, app.state.model_error = pipeline, store, None
    app.state.max_chars, app.state.timeout = max_chars, timeout
    app.state.gate = AnalysisGate(max_running, max_waiting, timeout)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    if token:
        app.add_middleware(TokenAuth, token=token)
    hosts = list(LOOPBACK_HOSTS if allowed_hosts is None else allowed_hosts)
    app.add_middleware(HostCheck, allowed_hosts=hosts)  # added last, so it runs first

    # Plain ASGI (not `@app.middleware`): Starlette's BaseHTTPMiddleware hides the client's
    # disconnection from the route, which must see it to stop an abandoned analysis.
    app.add_middleware(PageHeaders, page_csp=PAGE_CSP, docs_csp=DOCS_CSP if swagger else None)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _explain(exc.errors())})

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, exc.status, exc.headers)

    @app.exception_handler(StoreError)
    async def store_down(request: Request, exc: StoreError) -> JSONResponse:
        # The message names the database (a path or a URL): it goes to the log, not the client.
        log.error("%s %s: %s", request.method, request.url.path, exc)
        detail = "The article database is not available right now; try again later."
        return JSONResponse({"detail": detail}, 503, {"Retry-After": "30"})

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        detail = "The server failed on this request; the error is in its log."
        return JSONResponse({"detail": detail}, 500)

    _routes(app)
    reader_routes(app)  # issue 19: corrections; `{"url": ...}` is read in `_doc_from_json`
    corpus_routes(app)  # issue 18: the corpus view (/corpus, /api/corpus/...)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    if swagger:
        _local_docs(app, swagger)
    return app


def _swagger_assets() -> Path | None:
    """The Swagger UI files of the `swagger-ui-bundle-v2` package, or None when not installed."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    path = Path(str(swagger_ui_path))
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def _local_docs(app: FastAPI, assets: Path) -> None:
    """Serve /docs from the installed Swagger UI files, so it works offline (no CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/docs-static", StaticFiles(directory=assets), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="proplens API",
            swagger_js_url="/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/docs-static/swagger-ui.css",
            swagger_favicon_url="/docs-static/favicon-32x32.png",
        )


def _load_model(app: FastAPI, model_path: str | None) -> None:
    import proplens

    try:
        app.state.pipeline = proplens.load(model_path)
    except ProplensError as exc:
        log.error("The model could not be loaded: %s", exc)  # names the folder: log only
        app.state.model_error = (
            "The model could not be loaded; the reason is in the server's log. Restart the "
            "server with a working `--model`."
        )


def _explain(errors: Any) -> str:
    """One sentence from pydantic's error list."""
    parts = []
    for err in list(errors)[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"`{where}`: {err.get('msg', 'invalid')}")
    return "The request is not valid: " + "; ".join(parts) + "."


def _pipeline(request: Request) -> Any:
    pipe = request.app.state.pipeline
    if pipe is None:
        reason = request.app.state.model_error or "The model is not loaded yet."
        raise HTTPException(status_code=503, detail=reason)
    return pipe


def _store(request: Request, purpose: str = "to browse analysed articles") -> Any:
    """The server's store, or a 404 saying how to configure one (`purpose`: what it is for)."""
    store = request.app.state.store
    if store is None:
        raise HTTPException(
            status_code=404,
            detail="No article store is configured on this server; start it with "
            f"`proplens serve --db URL` {purpose}.",
        )
    return store


async def _doc_from_json(request: Request) -> Doc:
    from proplens.ingest.formats import _has_surrogate

    raw = await _body(request, request.body())
    try:
        payload = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _unprocessable(
            "The request body is not valid UTF-8; send JSON text encoded as UTF-8."
        ) from None
    except json.JSONDecodeError as exc:
        raise _unprocessable(
            f"The request body is not valid JSON ({exc.msg}, at character "
            f'{exc.pos}); send an object like {{"text": "..."}}.'
        ) from None
    except RecursionError:
        raise _unprocessable(
            "The request body is nested too deeply to read; send a flat object like "
            '{"text": "..."}.'
        ) from None
    except ValueError as exc:  # an integer with more than 4,300 digits
        what = "a number too long to read" if "digits" in str(exc) else "a value it cannot read"
        raise _unprocessable(
            f"The request body could not be read as JSON: it holds {what}; send an object "
            'like {"text": "..."}.'
        ) from None
    try:
        body = AnalyzeRequest.model_validate(payload)
    except ValidationError as exc:
        raise _unprocessable(_explain(exc.errors())) from None
    bad = [k for k, v in body.model_dump().items() if _has_surrogate(v)]
    if bad:
        raise _unprocessable(
            f"`{bad[0]}` holds a lone surrogate escape (such as \\ud83d), which is not valid "
            "Unicode; fix the program that wrote the JSON."
        )
    if not body.text.strip() and body.url:  # issue 19: fetch the article at `url`
        from proplens.reader_api import doc_from_request_url

        return await doc_from_request_url(request, body.model_dump())
    if not body.text.strip():
        raise _unprocessable(
            'The article text is empty; paste some text, send {"url": "https://..."}, or upload '
            "a file."
        )
    return Doc(**body.model_dump())


async def _doc_from_upload(request: Request) -> Doc:
    from proplens.ingest import docs_from_bytes, sniff_kind

    form = await _body(request, request.form(max_files=1, max_fields=10))
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise _unprocessable(
            "No file in the upload; send the article as a form field named `file`."
        )
    data = await upload.read()
    name = Path(upload.filename or "upload.txt").name
    if not data.strip():
        raise _unprocessable(f"The uploaded file {name} is empty; there is no article to read.")
    try:
        if sniff_kind(data, name) == "pdf":  # a damaged PDF can keep its parser busy a minute
            seconds = request.app.state.timeout
            docs = await _run(request, parse_isolated, data, name, seconds)
        else:
            docs = await _run(request, docs_from_bytes, data, name, [])
    except IngestError as exc:
        raise _unprocessable(str(exc)) from None
    if len(docs) != 1:
        raise _unprocessable(
            f"{name} holds {len(docs)} articles, but /api/analyze takes one at a time; send "
            "each line separately, or run `proplens analyze FILE` on the whole file."
        )
    doc = docs[0]
    for key in ("title", "source", "url"):
        value = form.get(key)
        if isinstance(value, str) and value.strip() and not getattr(doc, key):
            setattr(doc, key, value.strip())
    if not doc.title:
        doc.title = name
    return doc


_ANALYZE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": AnalyzeRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A .txt, .html, .pdf or one-line .jsonl article.",
                        },
                        "title": {"type": "string"},
                        "source": {"type": "string"},
                        "url": {"type": "string"},
                    },
                }
            },
        },
    }
}


async def _body(request: Request, reading: Any) -> Any:
    """Await `reading` (the request body) within the request's time limit."""
    try:
        return await asyncio.wait_for(reading, timeout=request.app.state.timeout)
    except TimeoutError:
        raise Refused(
            408,
            f"The request body did not arrive within {request.app.state.timeout:g} seconds; "
            "send it again over a faster connection.",
        ) from None


async def _run(request: Request, fn: Any, *args: Any) -> Any:
    """Run `fn(*args)` in the analysis pool, within the request's place, time and client."""
    return await request.app.state.gate.run(
        fn, *args, ticket=request.state.ticket, disconnected=request.is_disconnected
    )


async def _analyse(request: Request) -> dict[str, Any]:
    request.state.ticket = request.app.state.gate.admit()
    try:
        return await _analyse_admitted(request)
    finally:
        request.state.ticket.release()  # the place is free once its threads have ended too


async def _analyse_admitted(request: Request) -> dict[str, Any]:
    pipe = _pipeline(request)
    ctype = request.headers.get("content-type", "").lower()
    if ctype.startswith("multipart/form-data"):
        doc = await _doc_from_upload(request)
    elif ctype.startswith("application/json"):
        doc = await _doc_from_json(request)
    else:
        what = (
            f"content type {ctype.split(';')[0]!r}" if ctype else "request without a content type"
        )
        raise HTTPException(
            status_code=415,
            detail=f"Unsupported {what}; send application/json "
            '`{"text": ...}` or a multipart/form-data upload with a `file` field.',
        )
    limit = request.app.state.max_chars
    if len(doc.text) > limit:
        raise HTTPException(
            status_code=413,
            detail=f"The article is {len(doc.text):,} characters long, over this server's limit "
            f"of {limit:,} characters; send a shorter text, split it, or start the server with "
            "a larger `--max-chars`.",
        )
    result = await _run(request, pipe, doc)
    return analysis(result, model_info(pipe))


def _routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html")

    @app.post("/api/analyze", openapi_extra=_ANALYZE_BODY, summary="Analyse one article")
    async def analyze(request: Request) -> dict[str, Any]:
        """Mark the propaganda techniques in one article, sent as JSON `{text, title?, source?,
        url?}` or as a multipart upload (`file`: .txt, .html, .pdf or .jsonl). Returns the Doc
        JSON, each span's definition and runner-ups, the taxonomy and a summary."""
        return await _analyse(request)

    @app.post(
        "/api/report",
        openapi_extra=_ANALYZE_BODY,
        summary="Analyse one article into a self-contained HTML report",
        response_class=HTMLResponse,
    )
    async def report(request: Request) -> HTMLResponse:
        """The same input as `POST /api/analyze`; returns the HTML report that
        `proplens analyze --format html` writes (inline CSS/JS/SVG, no network), as a download."""
        data = await _analyse(request)
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
        store = _store(request)
        if technique and technique not in LABELS:
            raise _unprocessable(
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

        store = _store(request)
        try:
            return await run_in_threadpool(corpus_stats, store, by, model)
        except StoreError:
            raise
        except ProplensError as exc:  # never name the database (a path or URL) to a client
            raise _unprocessable(str(exc).replace(repr(store), "the article database")) from None

    @app.get("/api/articles/{article_id}", summary="One stored article, analysed")
    async def article(
        request: Request, article_id: int = ApiPath(ge=1, le=MAX_ID)
    ) -> dict[str, Any]:
        """The stored article in the same JSON shape as `POST /api/analyze`."""
        store = _store(request)
        doc = await run_in_threadpool(store.get_article, article_id)
        if doc is None:
            raise HTTPException(status_code=404, detail=f"No stored article has id {article_id}.")
        info = doc.extra.get("store", {})
        name, _, version = str(info.get("model", "")).partition(" ")
        data = analysis(doc, {"name": name or None, "version": version or None})
        data["store_id"] = article_id
        return data
