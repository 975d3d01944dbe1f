"""ASGI middleware: the `Host` check, the access token and the request body limit."""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from typing import Any

DRAIN_BYTES = 64 * 1024 * 1024  # read (and drop) at most this much of a refused body
DRAIN_SECONDS = 10.0
OPEN_PATHS = ("/api/health",)  # answered without the token: it reveals only the model name


async def drain(receive: Any, limit: int = DRAIN_BYTES, seconds: float = DRAIN_SECONDS) -> None:
    """Read and drop the rest of a request body, so the client gets to read our answer.

    A client that sends its whole body before reading (Python's urllib, most libraries) sees
    "connection reset" instead of the answer when the server closes with the body unread.
    """
    end, seen = time.monotonic() + seconds, 0
    while seen <= limit:
        try:
            message = await asyncio.wait_for(receive(), timeout=max(0.0, end - time.monotonic()))
        except TimeoutError:
            return
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body"):
            return


async def reply(
    scope: dict,
    receive: Any,
    send: Any,
    status: int,
    detail: str,
    headers: list[tuple[bytes, bytes]] = (),  # type: ignore[assignment]
    read_body: bool = True,
) -> None:
    """Answer with `{"detail": ...}` JSON, after reading what is left of the request body."""
    expects = dict(scope.get("headers") or []).get(b"expect", b"").lower() == b"100-continue"
    if read_body and not expects:  # with 100-continue the client has not sent the body yet
        await drain(receive)
    body = json.dumps({"detail": detail}).encode()
    base = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": base + list(headers)})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse bodies over `max_bytes` with 413, by header and while streaming, readably."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _message(self) -> str:
        mb = self.max_bytes / (1024 * 1024)
        return (
            f"The request body is larger than the server's limit of {self.max_bytes:,} bytes "
            f"({mb:.1f} MB); send a shorter article or start the server with a larger "
            "`--max-body-bytes`."
        )

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await reply(scope, receive, send, 413, self._message())
            return
        seen, started = 0, False

        async def limited_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await reply(scope, receive, send, 413, self._message())


def host_name(header: str) -> str:
    """The host name of a `Host` header without its port: `[::1]:8000` -> `[::1]`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostCheck:
    """Answer 400 unless the `Host` header names one of `allowed_hosts`.

    This stops DNS rebinding: a web page whose own domain name was re-pointed at 127.0.0.1
    would otherwise read this server's answers (the stored articles) as same-origin. It is not
    access control: any client can send any `Host`; that is what `TokenAuth` is for.
    """

    def __init__(self, app: Any, allowed_hosts: list[str]) -> None:
        self.app = app
        self.allowed = {host_name(h) for h in allowed_hosts}
        self.allow_any = "*" in allowed_hosts

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or self.allow_any:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if host_name(header) in self.allowed:
            await self.app(scope, receive, send)
            return
        detail = (
            f"This server does not answer requests for the host name {header[:100]!r}; open it "
            "as http://127.0.0.1 or http://localhost, or start it with `--allow-host NAME` for "
            "the name you use."
        )
        await reply(scope, receive, send, 400, detail)


class TokenAuth:
    """Answer 401 to `/api/` requests (but `OPEN_PATHS`) without `Authorization: Bearer TOKEN`.

    The comparison takes the same time whatever the guess (`hmac.compare_digest`).
    """

    def __init__(self, app: Any, token: str) -> None:
        self.app, self.token = app, token.encode("utf-8")

    def allowed(self, scope: dict) -> bool:
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, value = header.partition(b" ")
        given = value.strip() if scheme.lower() == b"bearer" else b""
        return hmac.compare_digest(given, self.token)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith("/api/")
            or path in OPEN_PATHS
            or self.allowed(scope)
        ):
            await self.app(scope, receive, send)
            return
        detail = (
            "This server needs an access token: send it as the header `Authorization: Bearer "
            "TOKEN` (the web page asks for it once). Ask the server's operator for the token."
        )
        await reply(scope, receive, send, 401, detail, [(b"www-authenticate", b"Bearer")])


class PageHeaders:
    """Add the Content-Security-Policy and other safety headers to every answer.

    Args:
        page_csp: The policy of the page and the API (everything but /docs and /redoc).
        docs_csp: The policy of the local /docs page, or None to leave /docs without one.
    """

    def __init__(self, app: Any, page_csp: str, docs_csp: str | None) -> None:
        self.app, self.page_csp, self.docs_csp = app, page_csp, docs_csp

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = self.page_csp if not path.startswith(("/docs", "/redoc")) else None
        if csp is None and self.docs_csp and path.startswith("/docs"):
            csp = self.docs_csp
        extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
        if csp:
            extra.append((b"content-security-policy", csp.encode()))

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                added = [(k, v) for k, v in extra if k not in have]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_headers)
