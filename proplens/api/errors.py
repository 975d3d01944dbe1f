"""The app-wide error handling: every error becomes JSON `{"detail": sentence}`.

`ProplensError` subclasses raised anywhere in a route become one response each (`ANSWERS`):
a `StoreError` or `ModelError` is 503 with a general sentence (its own message names the
database or the model folder: that goes to the log), a `Cancelled` 503, any other
`ProplensError` (input the client can fix) 422 with its own message. Invalid request
parameters are 422 with one sentence naming the fields; an unexpected exception is 500 with
its trace in the log.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from proplens.cancel import Cancelled
from proplens.errors import ModelError, ProplensError, StoreError
from proplens.server.limits import Refused

log = logging.getLogger("proplens.api")

STORE_DOWN = "The article database is not available right now; try again later."
MODEL_FAILED = "The model failed on this request; the reason is in the server's log."
# Status, and the sentence sent instead of the error's own message (None: send the message).
ANSWERS: dict[type[ProplensError], tuple[int, str | None]] = {
    StoreError: (503, STORE_DOWN),
    ModelError: (503, MODEL_FAILED),
    Cancelled: (503, None),
}


def explain(errors: Any) -> str:
    """One sentence from pydantic's error list."""
    parts = []
    for err in list(errors)[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"`{where}`: {err.get('msg', 'invalid')}")
    return "The request is not valid: " + "; ".join(parts) + "."


def install_error_handlers(app: FastAPI) -> None:
    """Register the app-wide handlers on `app`."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": explain(exc.errors())})

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, exc.status, exc.headers)

    @app.exception_handler(ProplensError)
    async def proplens_error(request: Request, exc: ProplensError) -> JSONResponse:
        return error_response(request, exc)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        detail = "The server failed on this request; the error is in its log."
        return JSONResponse({"detail": detail}, 500)


def error_response(request: Request, exc: ProplensError) -> JSONResponse:
    """The JSON answer to `exc`: its status and sentence from `ANSWERS` (422 with its own
    message by default), never naming the database or the model folder."""
    status, public = next((a for cls, a in ANSWERS.items() if isinstance(exc, cls)), (422, None))
    if public is not None:
        log.error("%s %s: %s", request.method, request.url.path, exc)
        headers = {"Retry-After": "30"} if isinstance(exc, StoreError) else None
        return JSONResponse({"detail": public}, status, headers)
    detail = str(exc)
    store = getattr(request.app.state, "store", None)
    if store is not None:
        detail = detail.replace(repr(store), "the article database")
    return JSONResponse({"detail": detail}, status)
