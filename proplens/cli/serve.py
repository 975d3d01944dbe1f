"""`proplens serve`: the web page and HTTP API, served by uvicorn."""

from __future__ import annotations

import ipaddress
import secrets

import click

from proplens.api import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_RUNNING,
    DEFAULT_MAX_WAITING,
    DEFAULT_TIMEOUT,
    LOOPBACK_HOSTS,
    create_app,
)
from proplens.cli.analyze import load_pipeline
from proplens.cli.options import model_option, threshold_option

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
TOKEN_ENV = "PROPLENS_TOKEN"
HEADER_TIMEOUT = 10.0  # seconds a connection may take to send a request header
KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open


def is_loopback(host: str) -> bool:
    """True when `host` (a `--host` value) only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def raise_open_files_limit() -> int:
    """Raise this process's open-file limit to its hard limit; return the limit now in force.

    Each connection holds a file descriptor; with the common soft limit of 1,024, a thousand
    idle connections would leave the server unable to accept its own health checks.
    """
    try:
        import resource
    except ImportError:  # Windows
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 65536)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def allowed_hosts(host: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The `Host` names the server answers to: loopback, the `--host` address, and `extra`."""
    names = [*LOOPBACK_HOSTS, *extra]
    if host not in WILDCARD_HOSTS:
        names.append(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    return names


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "-d",
    "--db",
    envvar="PROPLENS_DB",
    help="Database URL or SQLite path of analysed articles (enables the corpus view).",
)
@click.option(
    "--max-body-bytes",
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body accepted (bigger gets 413).",
)
@click.option(
    "--max-chars",
    default=DEFAULT_MAX_CHARS,
    show_default=True,
    type=click.IntRange(1),
    help="Longest article text analysed, in characters (longer gets 413).",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests addressed to this host name (repeatable; `*` for any). "
    "Loopback names and --host are always allowed; others get 400, against DNS rebinding.",
)
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help='Let `{"url": ...}` fetch private and loopback addresses even when listening beyond '
    "loopback (refused then by default, so others cannot reach your network through the server).",
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    help=f"Access token every /api request must send as `Authorization: Bearer TOKEN` (also "
    f"${TOKEN_ENV}). Required unless --host is a loopback address or --no-auth is given.",
)
@click.option(
    "--no-auth",
    is_flag=True,
    help="Serve beyond loopback without a token (only behind a proxy that checks access).",
)
@click.option(
    "--max-running",
    default=DEFAULT_MAX_RUNNING,
    show_default=True,
    type=click.IntRange(1),
    help="Analyses run at once.",
)
@click.option(
    "--max-waiting",
    default=DEFAULT_MAX_WAITING,
    show_default=True,
    type=click.IntRange(0),
    help="Requests queued beyond those; more get 503 with Retry-After.",
)
@click.option(
    "--timeout",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds one request may take, queue included; a longer analysis is stopped (503).",
)
@model_option(factories=True)
@threshold_option
def serve_cmd(
    host: str,
    port: int,
    db: str | None,
    max_body_bytes: int,
    max_chars: int,
    allow_hosts: tuple[str, ...],
    token: str | None,
    no_auth: bool,
    max_running: int,
    max_waiting: int,
    timeout: float,
    model: str | None,
    threshold: float | None,
    allow_private_urls: bool = False,
) -> None:
    """Serve the web page at / and the API under /api (OpenAPI docs at /docs).

    On a loopback address (the default) no token is needed. On any other address the server
    refuses to start without `--token` (or $PROPLENS_TOKEN) unless `--no-auth` is given; put a
    reverse proxy in front for TLS (see docs/security.md).
    """
    import uvicorn

    from proplens.server.limits import header_timeout_protocol

    if token is not None and not token.strip():
        raise click.BadParameter(
            "The token is empty; give a long random string.", param_hint="--token"
        )
    if not is_loopback(host) and not token and not no_auth:
        raise click.ClickException(
            f"Refusing to serve on {host} without an access token: anyone who can reach it "
            f"could read every stored article. Start it with `--token TOKEN` (or ${TOKEN_ENV}; "
            f"for example {secrets.token_urlsafe(24)}), or with `--no-auth` if a reverse proxy "
            "in front checks access."
        )

    pipeline = load_pipeline(model, threshold)
    store = None
    if db:
        from proplens.storage import Store

        store = Store(db)
    app = create_app(
        pipeline=pipeline,
        store=store,
        max_body_bytes=max_body_bytes,
        max_chars=max_chars,
        allowed_hosts=allowed_hosts(host, allow_hosts),
        token=token,
        max_running=max_running,
        max_waiting=max_waiting,
        timeout=timeout,
    )
    app.state.allow_private_urls = allow_private_urls or host in ("127.0.0.1", "localhost", "::1")
    files = raise_open_files_limit()
    names = [n for n in allowed_hosts(host, allow_hosts) if n != "testserver"]
    access = (
        "a token is required for /api"
        if token
        else "no token: anyone who can connect can use it"
        if no_auth
        else "no token (loopback only)"
    )
    click.echo(
        f"proplens: model {pipeline.name} {pipeline.version}; open http://{host}:{port}/\n"
        f"proplens: {access}; answers requests addressed to {', '.join(names)}; "
        f"{max_running} analyses at once, {max_waiting} queued, {timeout:g} s each.",
        err=True,
    )
    if host in WILDCARD_HOSTS and not allow_hosts:
        click.echo(
            "proplens: listening on every address; add `--allow-host NAME` for the name or "
            "address others use to reach this machine (the Host check stops DNS rebinding; "
            "it is not access control).",
            err=True,
        )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=header_timeout_protocol(HEADER_TIMEOUT),
        timeout_keep_alive=KEEP_ALIVE,
        limit_concurrency=max(64, files - 64) if files else None,
        backlog=256,
    )


commands = [serve_cmd]
