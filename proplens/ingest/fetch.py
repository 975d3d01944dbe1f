"""Fetch an article from a web address, for `analyze URL`, `{"url": ...}` and the page's URL field.

httpx does the HTTP; we add the limits a shared server needs: http(s) only, a timeout, a size
cap read while streaming, at most `max_redirects` redirects (each one checked again), and, unless
`allow_private`, a refusal of addresses that resolve to private, loopback, link-local or other
non-public networks (so a server reachable by others cannot be used to read its own network).
What comes back is read by the same readers as files (`docs_from_bytes`): HTML through
trafilatura, PDF through pypdf, plain text as it is.

Example:
    >>> doc = doc_from_url("https://example.org/story.html")  # doctest: +SKIP
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from proplens.doc import Doc
from proplens.errors import IngestError

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
USER_AGENT = "proplens (+https://github.com/proplens; article analysis)"
# Content types we can read, and the file suffix that tells `docs_from_bytes` how.
READABLE = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
}


class FetchError(IngestError):
    """A web address that could not be fetched or read as an article."""


@dataclass(frozen=True)
class Fetched:
    """The body of a successful fetch and where it finally came from."""

    url: str
    content: bytes
    content_type: str


def is_url(target: str) -> bool:
    """True when `target` looks like an http(s) address rather than a file name."""
    return target.lower().startswith(("http://", "https://"))


def _check_scheme(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(
            f"Only http and https addresses can be fetched, not {parts.scheme or 'no scheme'}: "
            f"{url}; save the page and pass the file instead."
        )
    if not parts.hostname:
        raise FetchError(f"The address {url} has no host name; check it and try again.")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise FetchError(f"The address {url} has an invalid port; check it.") from None
    return parts.hostname, port


def _non_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_host(url: str, allow_private: bool) -> str:
    """Resolve the host of `url`; refuse it when any address is not public (unless allowed).

    Returns:
        The first address the name resolves to (the one `fetch` then connects to).

    Raises:
        FetchError: The name does not resolve, or resolves to a private/loopback address.
    """
    host, port = _check_scheme(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            f"Could not find the server {host} (DNS lookup failed: {exc.args[-1]}); check the "
            "address and your network connection."
        ) from None
    if allow_private:
        return str(infos[0][4][0])
    # The stub types the address as str | int; for AF_INET / AF_INET6 results it is a str.
    blocked = sorted({info[4][0] for info in infos if _non_public(str(info[4][0]))})
    if blocked:
        raise FetchError(
            f"The address {url} points to {blocked[0]}, a private, loopback or otherwise "
            "non-public network address, which this server does not fetch; the operator can "
            "allow it with `proplens serve --allow-private-urls`."
        )
    return str(infos[0][4][0])


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """`url` with its host replaced by the checked `address`, plus the Host header and TLS
    server name that keep the request (and certificate check) about the original host: a DNS
    answer that changes after the check cannot redirect the connection elsewhere."""
    import httpx

    original = httpx.URL(url)
    pinned = original.copy_with(host=address)
    host = original.host if original.port is None else f"{original.host}:{original.port}"
    ext = {"sni_hostname": original.host} if original.scheme == "https" else {}
    return str(pinned), {"Host": host}, ext


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    allow_private: bool = True,
) -> Fetched:
    """GET `url`, following at most `max_redirects` redirects, and return the body.

    Args:
        url: An http or https address.
        timeout: Seconds allowed for connecting and for each read.
        max_bytes: Largest body accepted; bigger ones are refused while streaming.
        max_redirects: Redirects followed before giving up; each target is checked again.
        allow_private: Fetch hosts that resolve to private or loopback addresses too.

    Raises:
        FetchError: With one sentence naming what went wrong (DNS, TLS, timeout, HTTP status,
            a content type that is not HTML/text/PDF, a body over `max_bytes`, too many
            redirects, a refused address).
    """
    import httpx

    current = url
    with httpx.Client(
        timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}, trust_env=False
    ) as client:
        for _ in range(max_redirects + 1):
            address = check_host(current, allow_private)
            target, headers, extensions = (
                (current, {}, {}) if allow_private else _pinned(current, address)
            )
            try:
                with client.stream(
                    "GET", target, headers=headers, extensions=extensions
                ) as response:
                    if response.is_redirect:
                        target = response.headers.get("location", "")
                        current = urljoin(current, target)
                        continue
                    return _read(response, current, max_bytes)
            except httpx.TimeoutException:
                raise FetchError(
                    f"The server at {current} did not answer within {timeout:g} seconds; try "
                    "again later, or save the page and pass the file."
                ) from None
            except httpx.ConnectError as exc:
                raise FetchError(_connect_problem(current, exc)) from None
            except httpx.HTTPError as exc:
                raise FetchError(
                    f"Could not fetch {current}: {exc}; save the page and pass the file instead."
                ) from None
    raise FetchError(
        f"{url} redirected more than {max_redirects} times; open it in a browser to find the "
        "article's final address and pass that."
    )


def _connect_problem(url: str, exc: Exception) -> str:
    text = str(exc)
    if "CERTIFICATE" in text.upper() or "SSL" in text.upper() or "TLS" in text.upper():
        return (
            f"The secure (TLS) connection to {url} failed: {text}; the site's certificate may "
            "be invalid or expired. Save the page from a browser and pass the file."
        )
    return f"Could not connect to {url}: {text}; check the address and that the site is up."


def _read(response, url: str, max_bytes: int) -> Fetched:  # type: ignore[no-untyped-def]
    if response.status_code >= 400:
        raise FetchError(
            f"The server answered {response.status_code} {response.reason_phrase} for {url}; "
            "check the address (is the article still online?)."
        )
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype not in READABLE:
        raise FetchError(
            f"{url} is {ctype}, not an article: proplens reads HTML, plain text and PDF pages."
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise _too_large(url, max_bytes)
    return Fetched(url=url, content=bytes(body), content_type=ctype or "text/html")


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        f"{url} is larger than the limit of {max_bytes:,} bytes for a fetched page; save the "
        "article text and pass the file instead."
    )


def doc_from_url(url: str, **options: object) -> Doc:
    """Fetch `url` and read it into a Doc (HTML via trafilatura, PDF, text), with `url` set.

    Takes the options of `fetch`; raises `FetchError` when the page cannot be fetched or holds
    no article text.
    """
    from proplens.ingest import docs_from_bytes

    got = fetch(url, **options)  # type: ignore[arg-type]
    path = urlsplit(got.url).path
    stem = os.path.basename(path.rstrip("/")) or urlsplit(got.url).hostname or "page"
    suffix = READABLE.get(got.content_type, ".html")
    name = stem if stem.lower().endswith(suffix) else f"{stem}{suffix}"
    try:
        docs = docs_from_bytes(got.content, name, [])
    except IngestError as exc:
        raise FetchError(f"{got.url} holds no article text that proplens can read: {exc}") from None
    doc = docs[0]
    doc.url = doc.url or got.url
    doc.extra["origin"] = got.url
    return doc


def read_url_list(path: str | os.PathLike) -> list[str]:
    """The addresses in a text file of URLs: one per line; blank lines and `#` comments skipped.

    Raises:
        FetchError: A line that is not an http(s) address, naming the file and line.
    """
    urls = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not is_url(line):
                raise FetchError(
                    f"{path}, line {number}: {line[:80]!r} is not an http(s) address; a URL "
                    "list holds one address per line (blank lines and # comments are skipped)."
                )
            urls.append(line)
    return urls


def docs_from_urls(urls: list[str], errors: list | None = None, **options: object) -> list[Doc]:
    """Fetch every address; one that fails is skipped and its reason added to `errors` as an
    `IngestIssue` (the way a folder's unreadable files are), or raised when `errors` is None."""
    from proplens.ingest import IngestIssue

    docs = []
    for url in urls:
        try:
            docs.append(doc_from_url(url, **options))
        except FetchError as exc:
            if errors is None:
                raise
            errors.append(IngestIssue(url, str(exc).rstrip(".")))
    return docs
