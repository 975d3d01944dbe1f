"""The HTTP API and web page: a thin FastAPI shell over `proplens.load`, the views
(`proplens.views`) and the store.

- `app`: `create_app`, the factory that wires the model, the store, the server's bounds and
  middleware (`proplens.server`), the error handler and the routes;
- `errors`: the one app-wide error handler (`ProplensError` subclasses become JSON sentences);
- `models`: the request bodies (pydantic);
- `inputs`: reading an article from a request (JSON, upload, URL) and analysing it in bounds;
- `routes`: the page, analyse, report, techniques, health, stored articles and stats;
- `corrections`: readers' corrections; `corpus`: the corpus view's routes.

Example:
    >>> from proplens.api import create_app
    >>> app = create_app()          # loads the default model once, at start-up
    >>> # uvicorn.run(app)  or  `proplens serve`
"""

from __future__ import annotations

from proplens.api.app import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_RUNNING,
    DEFAULT_MAX_WAITING,
    DEFAULT_TIMEOUT,
    LOOPBACK_HOSTS,
    WEB_DIR,
    create_app,
)
from proplens.ingest.decoding import DEFAULT_MAX_CHARS
from proplens.server.middleware import BodyLimit, HostCheck, TokenAuth, host_name

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CHARS",
    "DEFAULT_MAX_RUNNING",
    "DEFAULT_MAX_WAITING",
    "DEFAULT_TIMEOUT",
    "LOOPBACK_HOSTS",
    "WEB_DIR",
    "BodyLimit",
    "HostCheck",
    "TokenAuth",
    "create_app",
    "host_name",
]
