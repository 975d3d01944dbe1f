"""The app factory: `create_app` wires the model, the store, the server's bounds and
middleware (`proplens.server`), the app-wide error handler and every route."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from proplens import __version__
from proplens.api import corpus, corrections, routes
from proplens.api.errors import install_error_handlers
from proplens.errors import ProplensError
from proplens.ingest.decoding import DEFAULT_MAX_CHARS
from proplens.server.limits import AnalysisGate
from proplens.server.middleware import BodyLimit, HostCheck, PageHeaders, TokenAuth

log = logging.getLogger("proplens.api")

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_RUNNING = 2  # analyses at once: the model already uses every core
DEFAULT_MAX_WAITING = 8  # requests queued beyond those; more get 503 with Retry-After
DEFAULT_TIMEOUT = 60.0  # seconds per request, queue time included
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "testserver")
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


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
    # URLs sent to `POST /api/analyze` may not point at private addresses unless this is set
    # (`proplens serve` sets it when it listens on loopback only, or with --allow-private-urls).
    app.state.allow_private_urls = False
    app.state.gate = AnalysisGate(max_running, max_waiting, timeout)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    if token:
        app.add_middleware(TokenAuth, token=token)
    hosts = list(LOOPBACK_HOSTS if allowed_hosts is None else allowed_hosts)
    app.add_middleware(HostCheck, allowed_hosts=hosts)  # added last, so it runs first

    # Plain ASGI (not `@app.middleware`): Starlette's BaseHTTPMiddleware hides the client's
    # disconnection from the route, which must see it to stop an abandoned analysis.
    app.add_middleware(PageHeaders, page_csp=PAGE_CSP, docs_csp=DOCS_CSP if swagger else None)
    install_error_handlers(app)

    routes.register(app, WEB_DIR)
    corrections.register(app)  # issue 19: readers' corrections
    corpus.register(app, WEB_DIR)  # issue 18: the corpus view (/corpus, /api/corpus/...)
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
