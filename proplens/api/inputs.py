"""Reading a request into an article and analysing it within the server's bounds: a JSON body
(`{"text", ...}` or `{"url"}` to fetch), a multipart upload, the request's time limit and its
place in the analysis pool (`proplens.server.limits.AnalysisGate`)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from proplens.api.errors import explain
from proplens.api.models import AnalyzeRequest
from proplens.doc import Doc
from proplens.server.limits import Refused, parse_isolated
from proplens.views import analysis, model_info


def unprocessable(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def pipeline_or_503(request: Request) -> Any:
    """The loaded model, or a 503 saying why there is none."""
    pipe = request.app.state.pipeline
    if pipe is None:
        reason = request.app.state.model_error or "The model is not loaded yet."
        raise HTTPException(status_code=503, detail=reason)
    return pipe


def store_or_404(request: Request, purpose: str = "to browse analysed articles") -> Any:
    """The server's store, or a 404 saying how to configure one (`purpose`: what it is for)."""
    store = request.app.state.store
    if store is None:
        raise HTTPException(
            status_code=404,
            detail="No article store is configured on this server; start it with "
            f"`proplens serve --db URL` {purpose}.",
        )
    return store


async def analyse(request: Request) -> dict[str, Any]:
    """The analysis JSON of the article in `request`, once the analysis pool admits it."""
    request.state.ticket = request.app.state.gate.admit()
    try:
        return await _analyse_admitted(request)
    finally:
        request.state.ticket.release()  # the place is free once its threads have ended too


async def _analyse_admitted(request: Request) -> dict[str, Any]:
    pipe = pipeline_or_503(request)
    ctype = request.headers.get("content-type", "").lower()
    if ctype.startswith("multipart/form-data"):
        doc = await doc_from_upload(request)
    elif ctype.startswith("application/json"):
        doc = await doc_from_json(request)
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
    result = await run_gated(request, pipe, doc)
    return analysis(result, model_info(pipe))


async def doc_from_json(request: Request) -> Doc:
    """The article of a JSON body: its text and metadata, or the page at its `url`."""
    from proplens.ingest.formats import _has_surrogate

    raw = await read_body(request, request.body())
    try:
        payload = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise unprocessable(
            "The request body is not valid UTF-8; send JSON text encoded as UTF-8."
        ) from None
    except json.JSONDecodeError as exc:
        raise unprocessable(
            f"The request body is not valid JSON ({exc.msg}, at character "
            f'{exc.pos}); send an object like {{"text": "..."}}.'
        ) from None
    except RecursionError:
        raise unprocessable(
            "The request body is nested too deeply to read; send a flat object like "
            '{"text": "..."}.'
        ) from None
    except ValueError as exc:  # an integer with more than 4,300 digits
        what = "a number too long to read" if "digits" in str(exc) else "a value it cannot read"
        raise unprocessable(
            f"The request body could not be read as JSON: it holds {what}; send an object "
            'like {"text": "..."}.'
        ) from None
    try:
        body = AnalyzeRequest.model_validate(payload)
    except ValidationError as exc:
        raise unprocessable(explain(exc.errors())) from None
    bad = [k for k, v in body.model_dump().items() if _has_surrogate(v)]
    if bad:
        raise unprocessable(
            f"`{bad[0]}` holds a lone surrogate escape (such as \\ud83d), which is not valid "
            "Unicode; fix the program that wrote the JSON."
        )
    if not body.text.strip() and body.url:  # issue 19: fetch the article at `url`
        return await doc_from_request_url(request, body.model_dump())
    if not body.text.strip():
        raise unprocessable(
            'The article text is empty; paste some text, send {"url": "https://..."}, or upload '
            "a file."
        )
    return Doc(**body.model_dump())


async def doc_from_upload(request: Request) -> Doc:
    """The one article of a multipart upload (field `file`; `title`, `source`, `url` fill in
    what the file does not say). A file that cannot be read is an `IngestError` (422)."""
    from proplens.ingest import docs_from_bytes, sniff_kind

    form = await read_body(request, request.form(max_files=1, max_fields=10))
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise unprocessable("No file in the upload; send the article as a form field named `file`.")
    data = await upload.read()
    name = Path(upload.filename or "upload.txt").name
    if not data.strip():
        raise unprocessable(f"The uploaded file {name} is empty; there is no article to read.")
    if sniff_kind(data, name) == "pdf":  # a damaged PDF can keep its parser busy a minute
        docs = await run_gated(request, parse_isolated, data, name, request.app.state.timeout)
    else:
        docs = await run_gated(request, docs_from_bytes, data, name, [])
    if len(docs) != 1:
        raise unprocessable(
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


async def doc_from_request_url(request: Request, fields: dict[str, Any]) -> Doc:
    """Fetch the article at `fields["url"]` for `POST /api/analyze`; other fields
    (title, source, date, author) override what the page says. A fetch that fails is an
    `IngestError` (422). Private addresses are refused unless `app.state.allow_private_urls`
    is set (`proplens serve` sets it when it listens on loopback only, or with
    `--allow-private-urls`)."""
    from proplens.ingest.fetch import DEFAULT_MAX_BYTES, doc_from_url

    limit = min(DEFAULT_MAX_BYTES, getattr(request.app.state, "max_fetch_bytes", DEFAULT_MAX_BYTES))
    doc = await run_in_threadpool(
        doc_from_url,
        fields["url"],
        max_bytes=limit,
        allow_private=bool(getattr(request.app.state, "allow_private_urls", False)),
    )
    for key in ("title", "source", "date", "author"):
        if fields.get(key):
            setattr(doc, key, fields[key])
    return doc


async def read_body(request: Request, reading: Any) -> Any:
    """Await `reading` (the request body) within the request's time limit."""
    try:
        return await asyncio.wait_for(reading, timeout=request.app.state.timeout)
    except TimeoutError:
        raise Refused(
            408,
            f"The request body did not arrive within {request.app.state.timeout:g} seconds; "
            "send it again over a faster connection.",
        ) from None


async def run_gated(request: Request, fn: Any, *args: Any) -> Any:
    """Run `fn(*args)` in the analysis pool, within the request's place, time and client."""
    return await request.app.state.gate.run(
        fn, *args, ticket=request.state.ticket, disconnected=request.is_disconnected
    )
